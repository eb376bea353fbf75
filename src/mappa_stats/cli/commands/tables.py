"""The tables command."""

from __future__ import annotations

from pathlib import Path

import click

from mappa_stats.cli.emit import emit, unreachable_contact, write_document, written
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    AREA,
    AREA_OVERRIDE,
    EXIT_CODES,
    FILE,
    FROM_OUTPUT_HELP,
    OUTPUT,
    SHEET,
    TEMPLATE,
    YEAR,
    chosen_format,
    cover,
    format_from_output,
    only_publishing,
    publish_failing,
    spreadsheet_output,
    year_given,
)
from mappa_stats.render.registry import Document, render


@click.command(
    "tables",
    epilog=EXIT_CODES.replace("every check passed (warnings allowed)", "written (or printed)").replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "not published: the tables have errors",
    ),
)
@click.argument("file", type=FILE)
@format_from_output(Document.TABLES, FROM_OUTPUT_HELP)
@SHEET
@AREA
@AREA_OVERRIDE
@YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
@publish_failing(
    "With xlsx or ods: publish tables that fail validation (or name no area), the cover and Checks "
    "worksheet saying 'published although it fails validation'."
)
@cover("the area's MAPPA co-ordinator", "the area's MAPPA annual report")
def tables(
    file: Path,
    fmt: str | None,
    sheet: str | None,
    area_name: str | None,
    area_override: bool,
    year: str | None,
    output: Path | None,
    publish_failing: bool,
    release_date: str | None,
    next_release: str | None,
    contact: str | None,
    source: str | None,
    status: str | None,
    methodology_url: str | None,
) -> None:
    """Print the standard tables of FILE in publication layout.

    FILE is an area workbook (.xlsx or .ods) laid out like the published report, a tidy CSV (see
    docs/formats.md), or a publication workbook mappa-stats wrote. --format csv writes the tidy CSV,
    which reads back as the same tables; --format xlsx or ods (with -o) writes the publication
    spreadsheet (cover, contents, notes, one table per sheet), only when the tables pass validation.
    """
    from mappa_stats.safetext import shown

    fmt = chosen_format(Document.TABLES, fmt, output)
    spreadsheet_output(fmt, output)  # a workbook for a terminal is refused before any work
    only_publishing(publish_failing, fmt)
    from mappa_stats.io.readers import read_area

    area = read_area(file, year_given(year), area=area_name, override=area_override, sheet=sheet)
    if fmt in ("xlsx", "ods"):
        assert output is not None
        from mappa_stats.publication.area import gate, write_publication
        from mappa_stats.publication.sheets import Cover

        validation = gate(area, publish_failing, shown(file))
        cover = Cover(release_date, next_release, contact, source, status, methodology_url)
        write_document(output, lambda temp: write_publication(area, temp, fmt, cover, validation), fmt)
        n = len(validation.errors)
        note = (
            ""
            if validation.passed
            else f" (published although it fails validation: {n} error{'s' * (n != 1)})"
        )
        written(output, fmt, note)
        unreachable_contact(contact, "the area's MAPPA co-ordinator")  # once written: a fault to correct
        return
    emit(render(Document.TABLES, fmt, area), output)
