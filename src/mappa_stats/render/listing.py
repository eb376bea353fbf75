"""The listings of what mappa-stats knows: every reporting year's definition (`templates`) and every rule
validate runs for a year (`rules`), as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from mappa_stats.definitions.templates import FORMS, Template


def _form(t: Template) -> str:
    what = "area" if t.form == "area" else FORMS[t.form]
    return f"{what} (return: {len(t.return_fields)} fields)" if t.return_fields else what


def render_templates(years: Sequence[Template], fmt: str) -> str:
    """Every year's definition: status, form, what changed from the year before, sources."""
    if fmt == "json":
        items = [
            {
                "year": t.year,
                "form": t.form,
                "status": t.status,
                "period_end": t.period_end,
                "population_mid_year": t.population_mid_year,
                "return_fields": len(t.return_fields),
                "changes": list(t.changes),
                "sources": list(t.sources),
            }
            for t in years
        ]
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        rows = [[t.year, _form(t), t.status, "; ".join(t.changes), "; ".join(t.sources)] for t in years]
        headers = ["Year", "Form", "Status", "What changed", "Sources"]
        return tabulate(rows, headers=headers, tablefmt="pipe") + "\n"
    lines = []
    for t in years:
        lines.append(f"{t.year}  {t.status:<11}  {_form(t)}: {'; '.join(t.changes)}")
        lines.extend(f"{'':24}source: {source}" for source in t.sources)
    return "".join(line + "\n" for line in lines)


def render_rules(chosen: Sequence[Any], fmt: str) -> str:
    """Every rule of a year: id, severity and what it checks."""
    if fmt == "json":
        items = [{"id": r.id, "severity": r.severity, "description": r.description} for r in chosen]
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    rows = [[f"`{r.id}`" if fmt == "markdown" else r.id, r.severity, r.description] for r in chosen]
    table = tabulate(
        rows, headers=["Rule", "Severity", "Description"], tablefmt="pipe" if fmt == "markdown" else "simple"
    )
    return table + "\n"
