"""The rate command."""

from __future__ import annotations

import sys
from pathlib import Path

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
    YEAR,
    bounded_text,
    format_option,
    population_option,
    year_given,
)
from mappa_stats.render.registry import Document, render


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
    "ONS population file: MYE2 table, ONS long layout or area table (.csv or .xlsx).",
    required=True,
)
@AREA
@AREA_OVERRIDE
@click.option(
    "--rsos",
    type=click.IntRange(min=0, max=1_000_000_000),
    default=None,
    help="Registered sexual offenders (Category 1 on 31 March), with --area instead of a workbook.",
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
@format_option(Document.RATE)
@YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
def rate(
    workbooks: tuple[Path, ...],
    population_path: Path,
    area_name: str | None,
    area_override: bool,
    rsos: int | None,
    stated: str | None,
    mid_year: int | None,
    sheet: str | None,
    all_ages: bool,
    fmt: str,
    year: str | None,
    output: Path | None,
) -> None:
    """Registered sexual offenders per 100,000 people aged 10 and over, from ONS population files.

    For each WORKBOOK (or --area with --rsos): the RSOs (Category 1 on 31 March), the population
    aged 10+, the rate to 2 decimals and rounded half up to a whole number, "one for every N
    people", the stated rate and a verdict. --area names the MAPPA area as in every command: the
    workbooks' area, or the area whose --rsos are given. With neither, lists every area of the
    population file.
    """
    from mappa_stats import rates as r
    from mappa_stats.definitions.load import load_template
    from mappa_stats.io.population import read_population

    if rsos is not None and area_name is None:
        raise click.UsageError("--rsos needs --area NAME: the area those offenders are in")
    if rsos is not None and workbooks:
        raise click.UsageError("--rsos replaces a workbook: give WORKBOOK or --area NAME --rsos N, not both")
    if area_name is not None and rsos is None and not workbooks:
        raise click.UsageError(
            "--area names the area of a workbook or of --rsos: give WORKBOOK, or --rsos N for the count"
        )
    population = read_population(population_path, mid_year)
    national = None
    if area_name is not None and rsos is not None:
        given = year_given(year)
        template = load_template(given) if given is not None else None
        results = [
            r.rate_for_area(population, area_name, rsos, all_ages=all_ages, stated=stated, template=template)
        ]
    elif workbooks:
        results = r.rates_for_workbooks(
            population,
            workbooks,
            year=year_given(year),
            all_ages=all_ages,
            stated=stated,
            area=area_name,
            area_override=area_override,
            sheet=sheet,
        )
    else:
        results, national = [], r.national_view(population, all_ages)
    emit(render(Document.RATE, fmt, results, national, population), output)
    sys.exit(1 if any(x.matches is False or x.needs is not None for x in results) else 0)
