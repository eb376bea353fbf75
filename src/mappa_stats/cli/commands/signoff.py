"""The signoff command."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from mappa_stats.cli.annotate import check_annotate, link_from, write_annotated
from mappa_stats.cli.emit import emit
from mappa_stats.cli.options import (
    ACCEPT_OCR,
    ANNOTATE,
    AREA,
    AREA_OVERRIDE,
    EXIT_CODES,
    FILE,
    LEVEL1_SHARE,
    MID_YEAR,
    OUTPUT,
    SHEET,
    STRICT,
    TEMPLATE,
    YEAR,
    chosen_format,
    format_from_output,
    population_option,
    year_given,
)
from mappa_stats.render.registry import Document, render
from mappa_stats.safetext import shown


@click.command("signoff", epilog=EXIT_CODES)
@click.argument("file", type=FILE)
@population_option("ONS population file, to reproduce the stated rate and run the rate rules.")
@MID_YEAR
@SHEET
@AREA
@AREA_OVERRIDE
@LEVEL1_SHARE
@STRICT
@YEAR
@TEMPLATE
@ACCEPT_OCR
@format_from_output(
    Document.SIGNOFF,
    "markdown, html, text, csv (the checks) or json. Default: from the -o name (.html, .md, .txt, .csv, "
    ".json), else markdown.",
)
@OUTPUT
@ANNOTATE
def signoff(
    file: Path,
    population_path: Path | None,
    mid_year: int | None,
    sheet: str | None,
    area_name: str | None,
    area_override: bool,
    level1_share: str | None,
    strict: bool,
    year: str | None,
    fmt: str | None,
    output: Path | None,
    annotate_path: Path | None,
) -> None:
    """Write the sign-off pack for FILE for the Strategic Management Board (Markdown or HTML; text, CSV of
    its checks or JSON for a terminal or a script).

    The verdict; the tables as they will be published with each wrong cell marked and its suggested
    correction; every check in plain words with its result; the rate reproduced from the population
    file; an audit trail (file and SHA-256, version, template, population, date). Lines to sign only
    when the return passes; otherwise a "not ready" panel listing the errors. The HTML pack is one
    self-contained file: open it in a browser and "Save as PDF" for the Board paper. With --annotate OUT,
    the copy of the workbook with its findings marked is written too, and the pack links to it.
    """
    from mappa_stats.io.readers import read_area
    from mappa_stats.render.report import exit_code
    from mappa_stats.rules.rate import refuse_other_mid_year
    from mappa_stats.rules.rule import Given
    from mappa_stats.validate import validate_area

    fmt = chosen_format(Document.SIGNOFF, fmt, output)
    if annotate_path is not None:
        check_annotate((file,), annotate_path)
    area = read_area(file, year_given(year), area=area_name, override=area_override, sheet=sheet)
    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population

        population = read_population(population_path, mid_year)
    refuse_other_mid_year(area.template, population)  # as validate and combine: another year's estimates
    report = validate_area(area, level1_share=level1_share, given=Given(population=population))
    if annotate_path is not None:
        write_annotated(file, report, annotate_path, strict)
        report = replace(report, annotated=(shown(annotate_path.name), link_from(annotate_path, output)))
    emit(render(Document.SIGNOFF, fmt, area, report, population, strict), output)
    sys.exit(exit_code([report], strict))
