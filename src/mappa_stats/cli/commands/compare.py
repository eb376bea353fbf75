"""The compare command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mappa_stats.cli.emit import emit
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    CLAIMS,
    EXIT_CODES,
    FILE,
    MID_YEAR,
    OUTPUT,
    STRICT,
    TEMPLATE,
    TEXT_FROM_OUTPUT_HELP,
    YEAR,
    bounded_text,
    chosen_format,
    format_from_output,
    population_option,
    year_given,
)
from mappa_stats.render.registry import Document, pieces


@click.command(
    "compare",
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)",
        "no revision, no large change, every claim checked reproduces",
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "a claim does not reproduce, a figure was revised or changed a lot (or, with --strict, a claim\n"
        "     could not be checked or the population base changed)",
    ),
)
@click.argument("files", nargs=-1, required=True, type=FILE)
@format_from_output(Document.COMPARISON, TEXT_FROM_OUTPUT_HELP)
@click.option(
    "--threshold",
    metavar="PERCENT[,PERCENT]",
    default=None,
    callback=bounded_text,
    help="When a change from one year to the next is large: a rise,fall in per cent (default 25,15), "
    "or one figure for both. A change must also exceed 3 × √(the earlier figure).",
)
@CLAIMS
@population_option(
    "ONS population file: the population aged 10+ a rate claim (--claims) is checked against, for the "
    "years of its mid-year."
)
@MID_YEAR
@STRICT
@YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
def compare(
    files: tuple[Path, ...],
    fmt: str | None,
    threshold: str | None,
    claims_path: Path | None,
    population_path: Path | None,
    mid_year: int | None,
    strict: bool,
    year: str | None,
    output: Path | None,
) -> None:
    """Compare figures over years and between releases, and check the claims made about them.

    FILES are an area's files of several years or releases (workbook, the Ministry's return, tidy CSV,
    the published report) or long CSVs (area,year,field,value and an optional release column, as
    combine writes). For each area: the key figures year by year with the change and percentage
    change, large changes flagged, a rate that falls while the count rises named as a change of
    population base, and every figure given twice either confirmed or reported as revised.
    """
    from mappa_stats.compare.result import Thresholds, parse_threshold
    from mappa_stats.compare.run import compare as run_compare
    from mappa_stats.compare.run import exit_code

    fmt = chosen_format(Document.COMPARISON, fmt, output)

    thresholds = parse_threshold(threshold) if threshold is not None else Thresholds()
    claims: list[Any] = []
    if claims_path is not None:
        from mappa_stats.rules.claims.parse import read_claims

        claims = read_claims(claims_path)
    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population  # lazy: only with --population

        population = read_population(population_path, mid_year)
    result = run_compare(
        list(files), year=year_given(year), thresholds=thresholds, claims=claims, population=population
    )
    emit(pieces(Document.COMPARISON, fmt, result, strict), output)
    sys.exit(exit_code(result, strict))
