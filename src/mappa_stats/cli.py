"""The mappa-stats command line: parse options, call the library, render, map errors to exit codes.

Nothing heavy is imported at module level, so `mappa-stats --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from mappa_stats import __version__
from mappa_stats.errors import MappaError

EXIT_CODES = """\b
Exit codes:
  0  every check passed (warnings allowed)
  1  the tables have errors (or warnings, with --strict)
  2  the command could not run (usage, unreadable input)"""

FORMATS_TABLES = ("text", "markdown", "csv", "json", "xlsx", "ods")


class _Group(click.Group):
    """Turn the project's own errors into one line on stderr and exit 2; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MappaError as exc:
            if ctx.meta.get("debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 2)
        except Exception as exc:  # the last line of defence: never a traceback without --debug
            if ctx.meta.get("debug"):
                raise
            _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it", 2)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"mappa-stats: error: {message}", err=True)
    sys.exit(code)


def _forced() -> bool:
    """True when --force was given to the running command."""
    return bool(click.get_current_context().meta.get("force"))


def _emit(text: str, output: Path | None, inputs: Sequence[Path] = ()) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from mappa_stats.output import shown, write_text_atomic

    write_text_atomic(output, text, inputs, force=_forced())
    click.echo(f"wrote {shown(output)}", err=True)


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["force"] = True
    return value


def _force(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--force, kept in the context (not a parameter) so every command with -o shares it."""
    return click.option("--force", is_flag=True, expose_value=False, callback=_remember_force, help=help_text)


_FORCE_HELP = "Replace an existing -o file that mappa-stats did not write."
_FILE = click.Path(path_type=Path, dir_okay=True, allow_dash=True)
_OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=False),
    default=None,
    help="Write to this file (completely or not at all) instead of standard output.",
)


def _OUTPUT(fn: Callable[..., Any]) -> Callable[..., Any]:
    """-o/--output FILE and --force."""
    return _OUTPUT_OPTION(_force(_FORCE_HELP)(fn))


_YEAR = click.option(
    "--year",
    default=None,
    metavar="YYYY-YY",
    help="Template year, e.g. 2014-15. Default: from the workbook's 'Reporting year' cell or table titles.",
)


_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _format(*choices: str) -> _Decorator:
    """-f/--format with these choices, the first being the default."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def _population(help_text: str, required: bool = False) -> _Decorator:
    """--population FILE: an ONS population file."""
    return click.option(
        "--population", "population_path", type=click.Path(path_type=Path), required=required, help=help_text
    )


_STRICT = click.option("--strict", is_flag=True, help="Treat warnings as failures (exit 1).")
_LEVEL1_SHARE = click.option(
    "--level1-share",
    metavar="PERCENT",
    default=None,
    help="The stated Level 1 share to check, e.g. 99 or 99%. Default: the workbook's Commentary figures.",
)
_AREA = click.option(
    "--area",
    "area_name",
    default=None,
    metavar="NAME",
    help="The MAPPA area, when the workbook names none (no 'MAPPA area' cell, no area in the file name).",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mappa-stats")
@click.option("--debug", is_flag=True, help="Show the full traceback when something goes wrong.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Check and publish MAPPA annual report statistics.

    Read an area's workbook (.xlsx, .ods) or tidy CSV, print its standard tables, validate them,
    and reproduce the registered sexual offenders rate from ONS population files.

    Start with: mappa-stats validate samples/kent_2015.xlsx
    """
    ctx.meta["debug"] = debug
    for stream in (sys.stdout, sys.stderr):
        # A console or file in a legacy encoding (Windows cp1252) must not turn '→' into a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _read_tables(file: Path, year: str | None) -> Any:
    """An area's tables: from a workbook or tidy CSV, or from a publication workbook mappa-stats wrote."""
    from mappa_stats.publish import publication_properties, read_publication
    from mappa_stats.readers import read_area

    properties = publication_properties(file) if str(file) != "-" and file.is_file() else None
    if properties is not None:
        return read_publication(file, properties)
    return read_area(file, year)


@main.command(
    epilog=EXIT_CODES.replace("every check passed (warnings allowed)", "written (or printed)").replace(
        "the tables have errors (or warnings, with --strict)", "not published: the tables have errors"
    )
)
@click.argument("file", type=_FILE)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS_TABLES),
    default=None,
    help="Output format. Default: from the -o file's name (.xlsx, .ods, .md, .csv, .json), else text.",
)
@_YEAR
@_OUTPUT_OPTION
@_force(
    "Replace an existing -o file that mappa-stats did not write; with xlsx or ods, publish tables that "
    "fail validation, marked 'not validated' on the cover."
)
@click.option("--release-date", metavar="TEXT", default=None, help="Cover: the release date. Default: today.")
@click.option(
    "--next-release", metavar="TEXT", default=None, help="Cover: the next release. Default: to be announced."
)
@click.option(
    "--contact",
    metavar="TEXT",
    default=None,
    help="Cover: who to contact. Default: the area's MAPPA co-ordinator.",
)
@click.option(
    "--source",
    metavar="TEXT",
    default=None,
    help="Cover: the source. Default: the area's MAPPA annual report.",
)
def tables(
    file: Path,
    fmt: str | None,
    year: str | None,
    output: Path | None,
    release_date: str | None,
    next_release: str | None,
    contact: str | None,
    source: str | None,
) -> None:
    """Print the standard tables of FILE in publication layout.

    FILE is an area workbook (.xlsx or .ods) laid out like the published report, a tidy CSV (see
    docs/formats.md), or a publication workbook mappa-stats wrote. --format csv writes the tidy CSV,
    which reads back as the same tables; --format xlsx or ods (with -o) writes the publication
    spreadsheet (cover, contents, notes, one table per sheet), only when the tables pass validation.
    """
    from mappa_stats.output import choose_format, shown

    fmt = choose_format(fmt, output, FORMATS_TABLES, "text")
    area = _read_tables(file, year)
    if fmt in ("xlsx", "ods"):
        if output is None:
            raise click.UsageError(f"--format {fmt} writes a spreadsheet: give -o FILE.{fmt}")
        from mappa_stats.output import write_atomic
        from mappa_stats.publish import Cover, gate, write_publication

        validation = gate(area, _forced(), shown(file))
        cover = Cover(release_date, next_release, contact, source)
        write_atomic(
            output,
            lambda temp: write_publication(area, temp, fmt, cover, validation),
            [file],
            force=_forced(),
        )
        n = len(validation.errors)
        note = "" if validation.passed else f" (NOT VALIDATED: {n} error{'s' * (n != 1)})"
        click.echo(f"wrote {shown(output)}{note}", err=True)
        return
    from mappa_stats.render import RENDERERS

    _emit(RENDERERS[fmt](area), output, [file])


@main.command()
@click.option("--year", default=None, metavar="YYYY-YY", help="Template year. Default: the latest.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The workbook to write (.xlsx)."
)
@_force("Replace an existing file that mappa-stats did not write (a filled workbook, say).")
def template(year: str | None, output: Path) -> None:
    """Write an empty area workbook in publication layout, ready to fill in.

    Input cells accept whole numbers of 0 or more (Excel data validation); not-applicable cells are
    grey and already hold their printed marker. The workbook reads back with 'tables' and 'validate'.
    It never replaces a workbook mappa-stats did not write (a filled one) unless --force is given.

    Exit codes: 0 written, 2 it could not be written.
    """
    from mappa_stats.output import choose_format, shown, write_atomic
    from mappa_stats.templates import available_years, load_template
    from mappa_stats.writer import write_template

    choose_format("xlsx", output, ("xlsx",), "xlsx")
    chosen = load_template(year or available_years()[-1])
    write_atomic(output, lambda temp: write_template(chosen, temp), force=_forced())
    click.echo(f"wrote {shown(output)} (template {chosen.year})", err=True)


@main.command(epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@_format("text", "json", "markdown")
@_STRICT
@_LEVEL1_SHARE
@click.option("--no-suggest", is_flag=True, help="Do not locate wrong cells or suggest corrections.")
@_population("ONS population file: adds the rate.matches and rate.vintage rules.")
@_AREA
@_YEAR
@_OUTPUT
def validate(
    files: tuple[Path, ...],
    fmt: str,
    strict: bool,
    level1_share: str | None,
    no_suggest: bool,
    population_path: Path | None,
    area_name: str | None,
    year: str | None,
    output: Path | None,
) -> None:
    """Check every table of each FILE and say which cell is wrong.

    Totals across and down every grid, not-applicable and missing cells, whole numbers, the rules
    that tie tables together, and the stated Level 1 share. Each finding names the cell
    ('Statistics'!E5) and, where the sums allow, the value it probably should hold.
    """
    from mappa_stats import report as reports
    from mappa_stats.validate import validate_path

    extras: dict[str, object] = {}
    if population_path is not None:
        from mappa_stats.population import read_population

        extras["population"] = read_population(population_path)
    done = []
    for number, path in enumerate(files, start=1):
        if len(files) > 3:
            click.echo(f"[{number}/{len(files)}] {path}", err=True)
        done.append(
            validate_path(
                path,
                year=year,
                level1_share=level1_share,
                suggest=not no_suggest,
                extras=extras,
                area_name=area_name,
            )
        )
    if fmt == "json":
        text = reports.render_json(done, strict)
    elif fmt == "markdown":
        text = reports.render_markdown(done, strict)
    else:
        color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = reports.render_text(done, strict, color=color)
    _emit(text, output, [*files, *([population_path] if population_path else [])])
    sys.exit(reports.exit_code(done, strict))


@main.command()
@_format("text", "markdown", "json")
def rules(fmt: str) -> None:
    """List every rule validate runs: id, severity and what it checks."""
    from mappa_stats.checks import RULES

    if fmt == "json":
        import json

        items = [{"id": r.id, "severity": r.severity, "description": r.description} for r in RULES.values()]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    from tabulate import tabulate

    rows = [[f"`{r.id}`" if fmt == "markdown" else r.id, r.severity, r.description] for r in RULES.values()]
    click.echo(
        tabulate(
            rows,
            headers=["Rule", "Severity", "Description"],
            tablefmt="pipe" if fmt == "markdown" else "simple",
        )
    )


@main.command(epilog=EXIT_CODES)
@click.argument("file", type=_FILE)
@_population("ONS population file, to reproduce the stated rate and run the rate rules.")
@_AREA
@_LEVEL1_SHARE
@_STRICT
@_YEAR
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("markdown", "html")),
    default=None,
    help="markdown or html. Default: html when -o ends in .html, else markdown.",
)
@_OUTPUT
def signoff(
    file: Path,
    population_path: Path | None,
    area_name: str | None,
    level1_share: str | None,
    strict: bool,
    year: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Write the sign-off pack for FILE for the Strategic Management Board (Markdown or HTML).

    The verdict; the tables as they will be published with each wrong cell marked and its suggested
    correction; every check in plain words with its result; the rate reproduced from the population
    file; an audit trail (file and SHA-256, version, template, population, date). Lines to sign only
    when the return passes; otherwise a "not ready" panel listing the errors. The HTML pack is one
    self-contained file: open it in a browser and "Save as PDF" for the Board paper.
    """
    from mappa_stats.output import choose_format
    from mappa_stats.readers import read_area
    from mappa_stats.report import exit_code
    from mappa_stats.signoff import render_pack
    from mappa_stats.validate import validate_area

    fmt = choose_format(fmt, output, ("markdown", "html"), "markdown")
    area = read_area(file, year)
    if area_name:
        area = area.with_area(area_name)
    population = None
    if population_path is not None:
        from mappa_stats.population import read_population

        population = read_population(population_path)
    extras: dict[str, object] = {"population": population} if population is not None else {}
    report = validate_area(area, level1_share=level1_share, extras=extras)
    inputs = [file, *([population_path] if population_path else [])]
    _emit(render_pack(area, report, population, strict, fmt), output, inputs)
    sys.exit(exit_code([report], strict))


@main.command(
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)", "every stated rate matches (or none was stated)"
    ).replace("the tables have errors (or warnings, with --strict)", "a stated rate does not match")
)
@click.argument("workbooks", nargs=-1, type=_FILE)
@_population(
    "ONS population file: MYE2 table, ONS long layout or area table (.csv or .xlsx).",
    required=True,
)
@click.option(
    "--area", default=None, help="A MAPPA area or police force name, with --rsos instead of a workbook."
)
@click.option(
    "--rsos",
    type=click.IntRange(min=0),
    default=None,
    help="Registered sexual offenders (Category 1 on 31 March).",
)
@click.option(
    "--stated", default=None, metavar="RATE", help="The published rate to check. Default: the workbook's."
)
@click.option(
    "--mid-year",
    type=int,
    default=None,
    metavar="YYYY",
    help="Which population_YYYY column of an ONS long file.",
)
@click.option("--all-ages", is_flag=True, help="Use the whole population, as reports before 2013-14 did.")
@_format("text", "json", "markdown", "csv")
@_YEAR
@_OUTPUT
def rate(
    workbooks: tuple[Path, ...],
    population_path: Path,
    area: str | None,
    rsos: int | None,
    stated: str | None,
    mid_year: int | None,
    all_ages: bool,
    fmt: str,
    year: str | None,
    output: Path | None,
) -> None:
    """Registered sexual offenders per 100,000 people aged 10 and over, from ONS population files.

    For each WORKBOOK (or --area with --rsos): the RSOs (Category 1 on 31 March), the population
    aged 10+, the rate to 2 decimals and rounded half up to a whole number, "one for every N
    people", the stated rate and a verdict. With neither, lists every area of the population file.
    """
    from mappa_stats import rates as r
    from mappa_stats.population import read_population

    if (area is None) != (rsos is None):
        raise click.UsageError("--area and --rsos go together")
    if area is not None and workbooks:
        raise click.UsageError("give workbooks or --area/--rsos, not both")
    population = read_population(population_path, mid_year)
    national = None
    if area is not None and rsos is not None:
        results = [r.rate_for_area(population, area, rsos, all_ages=all_ages, stated=stated)]
    elif workbooks:
        results = r.rates_for_workbooks(population, workbooks, year=year, all_ages=all_ages, stated=stated)
    else:
        results, national = [], r.national_view(population, all_ages)
    _emit(r.render(results, national, population, fmt), output, [*workbooks, population_path])
    sys.exit(1 if any(x.matches is False for x in results) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
