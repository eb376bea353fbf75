"""The combine command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mappa_stats.cli.emit import also_read, emit, unreachable_contact, write_document, written
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    CLAIMS,
    COMBINE_YEAR,
    EXIT_CODES,
    FILE,
    FROM_OUTPUT_HELP,
    MID_YEAR,
    OUTPUT,
    TEMPLATE,
    chosen_format,
    cover,
    format_from_output,
    only_publishing,
    population_option,
    publish_failing,
    spreadsheet_output,
    year_given,
)
from mappa_stats.cli.progress import Progress
from mappa_stats.render.registry import Document, render


@click.command(
    "combine",
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)", "every area present once and every return passes"
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "findings: an area's errors, an area missing or twice, a file of another year or area",
    ),
)
@click.argument("files", nargs=-1, required=True, type=FILE)
@format_from_output(Document.NATIONAL, FROM_OUTPUT_HELP)
@population_option(
    "ONS population file of the year's mid-year: rates, the area table and the population check."
)
@MID_YEAR
@CLAIMS
@COMBINE_YEAR
@TEMPLATE
@ACCEPT_OCR
@OUTPUT
@publish_failing(
    "With xlsx or ods: publish although returns have errors or are missing, the cover and Checks worksheet "
    "saying 'published although it fails validation'."
)
@cover("the Ministry of Justice's MAPPA statistics team", "the MAPPA area returns of the year")
def combine(
    files: tuple[Path, ...],
    fmt: str | None,
    population_path: Path | None,
    mid_year: int | None,
    claims_path: Path | None,
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
    """Combine the areas' returns into national tables, checking every return first.

    FILES are returns, area workbooks or tidy CSVs of one year, or a folder of them (Office lock files
    and hidden files are skipped). Says which of the 42 areas (and, from 2022-23, the National Security
    Division) are present, missing or present twice; validates each as validate would; prints one line
    per area, the national verdict, the national tables and the area table with population and rate.
    """

    fmt = chosen_format(Document.NATIONAL, fmt, output)
    spreadsheet_output(fmt, output)
    only_publishing(publish_failing, fmt)
    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population

        def population() -> Any:  # read while the returns are read (combine's docstring says why)
            return read_population(population_path, mid_year)

    claims = _read_claims(claims_path)  # a bad line stops the run before any file is read
    from mappa_stats.combine.run import combine as run_combine

    shown_progress: Progress | None = None

    def progress(number: int, total: int, path: Path) -> None:
        nonlocal shown_progress
        shown_progress = shown_progress or Progress(total)  # a folder's files are counted once listed
        shown_progress(number, path)

    done = run_combine(
        list(files),
        year=year_given(year),
        population=population,
        progress=progress,
    )
    if claims:
        from mappa_stats.combine.claims import judge_claims

        done = judge_claims(done, claims)
    also_read(Path(entry.path) for entry in done.files)  # a folder's files are inputs too
    _write(
        done,
        fmt,
        output,
        publish_failing,
        (release_date, next_release, contact, source, status, methodology_url),
    )
    sys.exit(done.exit_code)


def _write(
    done: Any, fmt: str, output: Path | None, publish_failing: bool, cover_text: tuple[Any, ...]
) -> None:
    """The national publication (xlsx, ods: gated, with its cover) or the national tables as text."""
    from mappa_stats.publication import national  # lazy: --help stays fast

    if fmt in ("xlsx", "ods"):
        assert output is not None
        from mappa_stats.publication.sheets import Cover

        validation = national.gate(done, publish_failing)
        cover = Cover(*cover_text)
        write_document(output, lambda temp: national.write_workbook(done, temp, fmt, validation, cover), fmt)
        written(output, fmt, "" if validation.passed else " (published although it fails validation)")
        unreachable_contact(cover.contact, "the Ministry of Justice's MAPPA statistics team")
    else:
        emit(render(Document.NATIONAL, fmt, done), output)


def _read_claims(claims_path: Path | None) -> list[Any]:
    """The claims of --claims, or none."""
    if claims_path is None:
        return []
    from mappa_stats.rules.claims.parse import read_claims  # lazy: only with --claims

    return list(read_claims(claims_path))
