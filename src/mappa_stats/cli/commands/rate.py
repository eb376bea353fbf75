"""The rate command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mappa_stats.cli.emit import emit
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    AREA,
    AREA_OVERRIDE,
    EXIT_CODES,
    FILE,
    MID_YEAR,
    OUTPUT,
    SHEET,
    TEMPLATE,
    TEXT_FROM_OUTPUT_HELP,
    YEAR,
    Count,
    bounded_text,
    chosen_format,
    format_from_output,
    population_option,
    year_given,
)
from mappa_stats.render.registry import Document, render

if TYPE_CHECKING:
    from mappa_stats.io.population import PopulationFile


@click.command(
    "rate",
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)", "every stated rate matches (or none was stated)"
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "a stated rate does not match, or another mid-year's population leaves it unchecked",
    ),
)
@click.argument("workbooks", nargs=-1, type=FILE)
@population_option(
    "ONS population file: MYE2 table (.xls, .xlsx, .ods or CSV, as ONS publishes it), ONS long layout or "
    "area table. Default: the ONS estimates of the year's mid-year shipped with mappa-stats (mid-2014 … "
    "mid-2023)."
)
@AREA
@AREA_OVERRIDE
@click.option(
    "--rsos",
    type=Count(most=1_000_000_000),
    default=None,
    metavar="N",
    help="Registered sexual offenders (Category 1 on 31 March; 0 to 1,000,000,000), with --area instead of "
    "a workbook.",
)
@click.option(
    "--stated",
    default=None,
    metavar="RATE",
    callback=bounded_text,
    help="The published rate per 100,000 to check (0 to 100,000). Default: the workbook's.",
)
@MID_YEAR
@SHEET
@click.option("--all-ages", is_flag=True, help="Use the whole population, as reports before 2013-14 did.")
@format_from_output(Document.RATE, TEXT_FROM_OUTPUT_HELP)
@YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
def rate(
    workbooks: tuple[Path, ...],
    population_path: Path | None,
    area_name: str | None,
    area_override: bool,
    rsos: int | None,
    stated: str | None,
    mid_year: int | None,
    sheet: str | None,
    all_ages: bool,
    fmt: str | None,
    year: str | None,
    output: Path | None,
) -> None:
    """Registered sexual offenders per 100,000 people aged 10 and over, on the ONS population estimates.

    For each WORKBOOK (or --area with --rsos): the RSOs (Category 1 on 31 March), the population
    aged 10+, the rate to 2 decimals and rounded half up to a whole number, "one for every N
    people", the stated rate and a verdict. --area names the MAPPA area as in every command: the
    workbooks' area, or the area whose --rsos are given. With neither, lists every area of the
    population file (or of --year's shipped estimates).

    Without --population the rate divides by the ONS estimates of the year's mid-year (each workbook's
    year, or --year) shipped with mappa-stats: mid-2014 … mid-2023, as first published.
    """
    from mappa_stats import rates as r
    from mappa_stats.definitions.load import load_template
    from mappa_stats.io.population import read_population

    fmt = chosen_format(Document.RATE, fmt, output)

    _check_usage(workbooks, area_name, rsos, population_path, mid_year)
    given = read_population(population_path, mid_year) if population_path is not None else None
    chosen = year_given(year)
    template = load_template(chosen) if chosen is not None else None
    national = None
    population: PopulationFile | None = given
    if area_name is not None and rsos is not None:
        population = r.population_for(given, template)
        results = [
            r.rate_for_area(population, area_name, rsos, all_ages=all_ages, stated=stated, template=template)
        ]
    elif workbooks:
        results = r.rates_for_workbooks(
            given,
            workbooks,
            year=chosen,
            all_ages=all_ages,
            stated=stated,
            area=area_name,
            area_override=area_override,
            sheet=sheet,
        )
    else:
        population = r.population_for(given, template)
        results, national = [], r.national_view(population, all_ages)
    emit(render(Document.RATE, fmt, results, national, population), output)
    sys.exit(1 if any(x.matches is False or x.needs is not None for x in results) else 0)


def _check_usage(
    workbooks: tuple[Path, ...],
    area_name: str | None,
    rsos: int | None,
    population_path: Path | None,
    mid_year: int | None,
) -> None:
    """The options that do not go together, each a usage error (exit 2) saying what to give."""
    if rsos is not None and area_name is None:
        raise click.UsageError("--rsos needs --area NAME: the area those offenders are in")
    if rsos is not None and workbooks:
        raise click.UsageError("--rsos replaces a workbook: give WORKBOOK or --area NAME --rsos N, not both")
    if area_name is not None and rsos is None and not workbooks:
        raise click.UsageError(
            "--area names the area of a workbook or of --rsos: give WORKBOOK, or --rsos N for the count"
        )
    if mid_year is not None and population_path is None:
        raise click.UsageError("--mid-year says which mid-year a --population FILE is: give the file too")
