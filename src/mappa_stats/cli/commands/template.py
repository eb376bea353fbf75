"""The template command."""

from __future__ import annotations

from pathlib import Path

import click

from mappa_stats.cli.emit import write_document, written
from mappa_stats.cli.options import (
    TEMPLATE,
    output_option,
    spreadsheet_output,
    year_given,
)
from mappa_stats.definitions.constants import NSD_ID


@click.command("template")
@click.option("--year", default=None, metavar="YYYY-YY", help="Template year. Default: the latest.")
@TEMPLATE
@output_option(
    "The workbook to write (.xlsx); '-' writes its bytes to standard output (not a terminal).", True
)
@click.option(
    "--form",
    type=click.Choice(["workbook", "return"]),
    default="workbook",
    show_default=True,
    help="workbook: the area report's tables; return: the Ministry's return ('Data entry' form and the "
    "data sheet of field codes), for years whose return is known.",
)
@click.option(
    "--area",
    "area_name",
    default=None,
    metavar="NAME",
    help="With --form return: fill in the area's id and name ('National Security Division' for its "
    "Category 4 return).",
)
def template(year: str | None, output: Path, form: str, area_name: str | None) -> None:
    """Write an empty area workbook in publication layout, or the Ministry's return, ready to fill in.

    Input cells accept whole numbers of 0 or more (Excel data validation); not-applicable cells are
    grey and already hold their printed marker. The workbook reads back with 'tables' and 'validate'.
    A return's data sheet holds references to the 'Data entry' form, as the Ministry's does.
    It never replaces a workbook mappa-stats did not write (a filled one) unless --force is given.

    Exit codes: 0 written, 2 it could not be written.
    """
    from mappa_stats.definitions.load import available_years, load_template
    from mappa_stats.output import choose_format
    from mappa_stats.publication.writer import write_return, write_template

    choose_format("xlsx", output, ("xlsx",), "xlsx")
    spreadsheet_output("xlsx", output)
    chosen = load_template(year_given(year) or available_years()[-1])
    if form == "workbook":
        if area_name is not None:
            raise click.UsageError(
                "--area goes with --form return; the workbook's area is typed in its 'MAPPA area' cell"
            )
        write_document(output, lambda temp: write_template(chosen, temp), "xlsx")
        written(output, "xlsx", f" (template {chosen.year})")
        return
    from mappa_stats.io import ret

    number = ret.area_id(area_name) if area_name is not None else None
    if number == NSD_ID:
        chosen = load_template(chosen.year, "nsd")
    if not chosen.return_fields or chosen.provisional:
        # Earlier years' fields are carried back (provisional): such a return is read as a two-row
        # field-code sheet, but no form is written for a layout nobody has seen.
        known = [
            y
            for y in available_years()
            if load_template(y).return_fields and not load_template(y).provisional
        ]
        raise click.UsageError(
            f"the {chosen.label} return is not known from a source; --form return is for {', '.join(known)} "
            "(another year's figures can be given as a two-row field-code sheet: docs/formats.md)"
        )
    name = None if number is None else ret.moj_area_ids()[number]
    write_document(output, lambda temp: write_return(chosen, temp, area_id=number, area_name=name), "xlsx")
    written(output, "xlsx", f" ({chosen.label} return)")
