"""The rules command."""

from __future__ import annotations

import click

from mappa_stats.cli.options import (
    TEMPLATE,
    format_option,
    year_given,
)
from mappa_stats.render.registry import Document, render


@click.command("rules")
@format_option(Document.RULES)
@click.option("--year", default=None, metavar="YYYY-YY", help="Reporting year. Default: the latest.")
@click.option(
    "--form",
    type=click.Choice(["area", "nsd"]),
    default="area",
    show_default=True,
    help="area: an area's report or return; nsd: the National Security Division's return (from 2022-23).",
)
@TEMPLATE
def rules(fmt: str, year: str | None, form: str) -> None:
    """List every rule validate runs for a year: id, severity and what it checks.

    The cell, total and rate rules are the same every year; the rules that tie tables together and the
    stated claims come from the year's definition.
    """
    from mappa_stats.definitions.load import available_years, form_years, load_template
    from mappa_stats.rules.registry import rules_for

    latest = (available_years() if form == "area" else form_years(form))[-1]
    chosen = rules_for(load_template(year_given(year) or latest, form))
    click.echo(render(Document.RULES, fmt, chosen), nl=False)
