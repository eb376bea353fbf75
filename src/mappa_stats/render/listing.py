"""The listings of what mappa-stats knows: every reporting year's definition (`templates`) and every rule
validate runs for a year (`rules`), as text, Markdown, CSV, JSON or HTML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from mappa_stats.definitions.templates import FORMS, Template
from mappa_stats.render.as_csv import as_csv
from mappa_stats.render.as_json import as_json
from mappa_stats.render.html import from_markdown


def _form(t: Template) -> str:
    what = "area" if t.form == "area" else FORMS[t.form]
    return f"{what} (return: {len(t.return_fields)} fields)" if t.return_fields else what


def templates_json(years: Sequence[Template]) -> str:
    """Every year's definition as JSON: status, form, mid-year, return fields, changes, sources."""
    return as_json(
        [
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
    )


def templates_markdown(years: Sequence[Template]) -> str:
    """Every year's definition as a Markdown table."""
    rows = [[t.year, _form(t), t.status, "; ".join(t.changes), "; ".join(t.sources)] for t in years]
    headers = ["Year", "Form", "Status", "What changed", "Sources"]
    return tabulate(rows, headers=headers, tablefmt="pipe") + "\n"


def templates_text(years: Sequence[Template]) -> str:
    """Every year's definition, a line each and its sources below."""
    lines = []
    for t in years:
        lines.append(f"{t.year}  {t.status:<11}  {_form(t)}: {'; '.join(t.changes)}")
        lines.extend(f"{'':24}source: {source}" for source in t.sources)
    return "".join(line + "\n" for line in lines)


def rules_json(chosen: Sequence[Any]) -> str:
    """Every rule of a year as JSON: id, severity and description."""
    return as_json([{"id": r.id, "severity": r.severity, "description": r.description} for r in chosen])


def _rules_table(chosen: Sequence[Any], markdown: bool) -> str:
    rows = [[f"`{r.id}`" if markdown else r.id, r.severity, r.description] for r in chosen]
    headers = ["Rule", "Severity", "Description"]
    return tabulate(rows, headers=headers, tablefmt="pipe" if markdown else "simple") + "\n"


def rules_markdown(chosen: Sequence[Any]) -> str:
    """Every rule of a year as a Markdown table (ids as code)."""
    return _rules_table(chosen, markdown=True)


def rules_text(chosen: Sequence[Any]) -> str:
    """Every rule of a year as a plain table: id, severity and what it checks."""
    return _rules_table(chosen, markdown=False)


def templates_csv(years: Sequence[Template]) -> str:
    """Every year's definition, a row each (changes and sources joined with '; ')."""
    rows = [
        [t.year, t.form, t.status, t.population_mid_year, len(t.return_fields), "; ".join(t.changes),
         "; ".join(t.sources)]
        for t in years
    ]  # fmt: skip
    headers = ["year", "form", "status", "population_mid_year", "return_fields", "changes", "sources"]
    return as_csv(headers, rows)


def templates_html(years: Sequence[Template]) -> str:
    """Every year's definition as an HTML page (the Markdown table)."""
    return from_markdown("Reporting years mappa-stats knows", templates_markdown(years))


def rules_csv(chosen: Sequence[Any]) -> str:
    """Every rule of a year, a row each: id, severity and description."""
    return as_csv(["id", "severity", "description"], [[r.id, str(r.severity), r.description] for r in chosen])


def rules_html(chosen: Sequence[Any]) -> str:
    """Every rule of a year as an HTML page (the Markdown table)."""
    return from_markdown("The rules validate runs", rules_markdown(chosen))
