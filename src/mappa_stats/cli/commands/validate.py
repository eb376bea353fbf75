"""The validate command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mappa_stats.cli.annotate import check_annotate, write_annotated
from mappa_stats.cli.emit import emit, unmatched_claims
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    ANNOTATE,
    AREA,
    AREA_OVERRIDE,
    CLAIMS,
    EXIT_CODES,
    FILE,
    LEVEL1_SHARE,
    MID_YEAR,
    OUTPUT,
    SHEET,
    STRICT,
    TEMPLATE,
    TEXT_FROM_OUTPUT_HELP,
    YEAR,
    chosen_format,
    format_from_output,
    population_option,
    year_given,
)
from mappa_stats.cli.progress import Progress
from mappa_stats.render.registry import Document, render

if TYPE_CHECKING:
    from mappa_stats.rules.claims.claim import ClaimLine
    from mappa_stats.rules.rule import Given


@click.command("validate", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=FILE)
@format_from_output(Document.VALIDATION, TEXT_FROM_OUTPUT_HELP)
@STRICT
@LEVEL1_SHARE
@click.option("--no-suggest", is_flag=True, help="Do not locate wrong cells or suggest corrections.")
@population_option("ONS population file: adds the rate.matches and rate.vintage rules.")
@MID_YEAR
@SHEET
@CLAIMS
@AREA
@AREA_OVERRIDE
@YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
@ANNOTATE
def validate(
    files: tuple[Path, ...],
    fmt: str | None,
    strict: bool,
    level1_share: str | None,
    no_suggest: bool,
    population_path: Path | None,
    mid_year: int | None,
    sheet: str | None,
    claims_path: Path | None,
    area_name: str | None,
    area_override: bool,
    year: str | None,
    output: Path | None,
    annotate_path: Path | None,
) -> None:
    """Check every table of each FILE and say which cell is wrong.

    Totals across and down every grid, not-applicable and missing cells, whole numbers, the rules
    that tie tables together, and the stated Level 1 share. Each finding names the cell
    ('Statistics'!E5) and, where the sums allow, the value it probably should hold. With --claims,
    each claim about a FILE's area and year is checked too (rule claims.file). With --annotate OUT, the
    findings are written back into a copy of the workbook (the input itself is never changed).
    """
    from mappa_stats.io.readers import read_area_noting
    from mappa_stats.model import AreaTables
    from mappa_stats.render import report as reports  # lazy, as every heavy import: --help stays fast
    from mappa_stats.validate import validate_paths

    fmt = chosen_format(Document.VALIDATION, fmt, output)

    if annotate_path is not None:
        check_annotate(files, annotate_path)
    if area_name is not None:
        from mappa_stats.io.areas import check_area_option

        check_area_option(area_name)  # a misspelt --area is one line up front, not one per file

    def reader(path: Path, chosen_year: str | None) -> AreaTables:
        # A note on how the file was read (its area from the file name) goes into the file's report.
        return read_area_noting(path, chosen_year, area_name, area_override, sheet=sheet)[0]

    given = _given(population_path, mid_year, claims_path)
    claims: list[Any] = list(given.claims)

    progress = Progress(len(files))
    done = validate_paths(
        list(files),
        year=year_given(year),
        level1_share=level1_share,
        suggest=not no_suggest,
        given=given,
        reader=reader,
        progress=progress,
    )
    unchecked_claims = _unchecked_claims(claims, done)
    text = _render(done, fmt, strict, color=output is None)
    emit(text, output)
    if annotate_path is not None and done[0].error is None:
        write_annotated(files[0], done[0], annotate_path, strict)
    code = reports.exit_code(done, strict)
    # With --strict, a claim no file was about is a claim not checked: it fails as an unchecked rule does.
    sys.exit(1 if strict and unchecked_claims and code == 0 else code)


def _given(population_path: Path | None, mid_year: int | None, claims_path: Path | None) -> Given:
    """What the rules take besides the file: the population (--population) and the claims (--claims)."""
    from mappa_stats.rules.rule import Given  # lazy, as every heavy import: --help stays fast

    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population  # lazy: pandas only when asked

        population = read_population(population_path, mid_year)
    claims: tuple[ClaimLine, ...] = ()
    if claims_path is not None:
        from mappa_stats.rules.claims.parse import read_claims  # lazy: only with --claims

        claims = tuple(read_claims(claims_path))  # a bad line stops the run before any file is read
    return Given(population=population, claims=claims)


def _render(done: Any, fmt: str, strict: bool, *, color: bool) -> str:
    """The reports in the format asked for; colour only on a terminal, never with NO_COLOR."""
    color = color and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render(Document.VALIDATION, fmt, done, strict, color=color)


def _unchecked_claims(claims: list[Any], done: Any) -> int:
    """How many claims no file read was about (named in a note): with --strict they fail the run."""
    if not claims:
        return 0
    from mappa_stats.rules.claims.parse import canonical_area  # lazy: only with --claims

    return unmatched_claims(
        claims, {(canonical_area(r.area or "") or "", r.template or "") for r in done if r.error is None}
    )
