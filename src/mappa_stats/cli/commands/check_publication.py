"""The check-publication command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mappa_stats.cli.options import format_option
from mappa_stats.render.registry import Document, render


@click.command(
    "check-publication",
    epilog="""\b
Exit codes:
  0  every item passes
  1  an item fails
  2  the command could not run (usage, unreadable input)""",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@format_option(Document.CHECKLIST)
def check_publication(file: Path, fmt: str) -> None:
    """Check a publication workbook (.xlsx or .ods) against the Analysis Function's accessibility checklist.

    Runs the 26 items a program can judge ("Making spreadsheets accessible: checklist of the basics", and
    the cover and contents of "Releasing statistics in spreadsheets") on FILE, whoever made it, and prints
    each item's verdict with the problems found. docs/checklist.md lists the items, and those a person
    must still judge.
    """
    from mappa_stats.checklist import check_publication as run

    checked = run(file)
    click.echo(render(Document.CHECKLIST, fmt, checked), nl=False)
    sys.exit(0 if checked.passed == len(checked.outcomes) else 1)
