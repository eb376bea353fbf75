"""The templates command."""

from __future__ import annotations

import click

from mappa_stats.cli.options import (
    format_option,
)
from mappa_stats.render.registry import Document, render


@click.command("templates")
@format_option(Document.TEMPLATES)
def templates_command(fmt: str) -> None:
    """List every reporting year mappa-stats knows: status, what changed from the year before, sources.

    A provisional year's tables are carried forward from an earlier year, not read from a source; every
    report on such a year says so. From 2022-23 the National Security Division's return (Category 4) is
    listed as a form of its own.
    """
    from mappa_stats.definitions.load import available_years, form_years, load_template
    from mappa_stats.definitions.templates import FORMS

    years = [load_template(y) for y in available_years()]
    years += [load_template(y, form) for form in FORMS if form != "area" for y in form_years(form)]
    years.sort(key=lambda t: (t.year, t.form != "area"))

    click.echo(render(Document.TEMPLATES, fmt, years), nl=False)
