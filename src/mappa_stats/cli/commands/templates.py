"""The templates command."""

from __future__ import annotations

from typing import Any

import click

from mappa_stats.cli.options import (
    format_option,
)


@click.command("templates")
@format_option("text", "markdown", "json")
def templates_command(fmt: str) -> None:
    """List every reporting year mappa-stats knows: status, what changed from the year before, sources.

    A provisional year's tables are carried forward from an earlier year, not read from a source; every
    report on such a year says so. From 2022-23 the National Security Division's return (Category 4) is
    listed as a form of its own.
    """
    from mappa_stats.definitions.templates import FORMS, available_years, form_years, load_template

    years = [load_template(y) for y in available_years()]
    years += [load_template(y, form) for form in FORMS if form != "area" for y in form_years(form)]
    years.sort(key=lambda t: (t.year, t.form != "area"))

    def form(t: Any) -> str:
        what = "area" if t.form == "area" else FORMS[t.form]
        return f"{what} (return: {len(t.return_fields)} fields)" if t.return_fields else what

    if fmt == "json":
        import json

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
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        from tabulate import tabulate

        rows = [[t.year, form(t), t.status, "; ".join(t.changes), "; ".join(t.sources)] for t in years]
        headers = ["Year", "Form", "Status", "What changed", "Sources"]
        click.echo(tabulate(rows, headers=headers, tablefmt="pipe"))
        return
    for t in years:
        click.echo(f"{t.year}  {t.status:<11}  {form(t)}: {'; '.join(t.changes)}")
        for source in t.sources:
            click.echo(f"{'':24}source: {source}")
