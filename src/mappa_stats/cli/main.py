"""The mappa-stats command line: parse options, call the library, render, map errors to exit codes.

Nothing heavy is imported at module level, so `mappa-stats --help` stays fast.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from mappa_stats.errors import MappaError
from mappa_stats.version import __version__

EXIT_CODES = """\b
Exit codes:
  0  every check passed (warnings allowed)
  1  the tables have errors (or warnings or unchecked rules, with --strict)
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
        except click.UsageError as exc:
            if ctx.meta.get("debug"):
                raise
            # One line, as for every other refusal; the command's --help is named for the rest.
            command = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            _fail(f"{exc.format_message()} (see '{command} --help')", exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail("interrupted (Ctrl+C)", INTERRUPTED)
        except BrokenPipeError:
            _closed_pipe()
        except Exception as exc:  # the last line of defence: never a traceback without --debug
            if ctx.meta.get("debug"):
                raise
            _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it", 2)


BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a command whose reader went away
INTERRUPTED = 130  # 128 + SIGINT, as the shell reports a command stopped with Ctrl+C


def _closed_pipe() -> NoReturn:
    """The reader of our output closed it (`| head`): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
    except (OSError, ValueError):
        pass
    sys.exit(BROKEN_PIPE)


def _fail(message: str, code: int) -> NoReturn:
    from mappa_stats.safetext import terminal

    # Messages quote the input (a label, a sheet name): its escape sequences must not reach the terminal.
    click.echo(f"mappa-stats: error: {terminal(message)}", err=True)
    sys.exit(code)


def _forced() -> bool:
    """True when --force was given to the running command."""
    return bool(click.get_current_context().meta.get("force"))


def _emit(text: str, output: Path | None, inputs: Sequence[Path] = ()) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from mappa_stats.output import write_text_atomic
    from mappa_stats.safetext import shown

    write_text_atomic(output, text, inputs, force=_forced())
    click.echo(f"wrote {shown(output)}", err=True)


class _Progress:
    """Files read so far, on standard error, for runs of more than three files: one line per file in a log
    ('[12/43] returns/kent.xlsx'), one line rewritten in place on a terminal, cleared when reading is done."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.live = sys.stderr.isatty()

    def __call__(self, number: int, path: Path) -> None:
        if self.total <= 3:
            return
        from mappa_stats.safetext import terminal

        line = f"[{number}/{self.total}] {terminal(str(path))}"
        if not self.live:
            click.echo(line, err=True)
            return
        width = max(20, shutil.get_terminal_size().columns - 1)
        if len(line) > width:  # keep the count and the file's name; cut the folder's path from the left
            head = f"[{number}/{self.total}] …"
            line = head + line[len(line) - (width - len(head)) :]
        click.echo("\r\x1b[K" + line, nl=False, err=True)
        if number == self.total:
            click.echo("\r\x1b[K", nl=False, err=True)


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


def _cover(contact: str, source: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The publication cover's options (--release-date, --next-release, --contact, --source), with the
    command's own defaults named in their help."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        helps = {
            "--release-date": "Cover: the release date. Default: today.",
            "--next-release": "Cover: the next release. Default: to be announced.",
            "--contact": f"Cover: who to contact. Default: {contact}.",
            "--source": f"Cover: the source. Default: {source}.",
        }
        for name, text in reversed(helps.items()):
            command = click.option(name, metavar="TEXT", default=None, help=text)(command)
        return command

    return decorate


_COMBINE_YEAR = click.option(
    "--year",
    default=None,
    metavar="YYYY-YY",
    help="The year to combine, e.g. 2023-24. Default: the year most of the files are for.",
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


_TABLES_FORMAT = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS_TABLES),
    default=None,
    help="Output format. Default: from the -o file's name (.xlsx, .ods, .md, .csv, .json), else text.",
)
_MID_YEAR = click.option(
    "--mid-year",
    type=click.IntRange(min=1971, max=2100),
    default=None,
    metavar="YYYY",
    help="The population file's mid-year, when the file does not say (in an ONS long file: which "
    "population_YYYY column). A file that names another mid-year is refused.",
)
_SHEET = click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="Read only this sheet of a workbook (last year's sheet left in it, say). Default: the sheet whose "
    "titles give the year asked for, else the latest.",
)


def _spreadsheet_output(fmt: str, output: Path | None) -> None:
    """A publication spreadsheet is a file: --format xlsx or ods without -o is a usage error."""
    if fmt in ("xlsx", "ods") and output is None:
        raise click.UsageError(f"--format {fmt} writes a spreadsheet: give -o FILE.{fmt}")


def _use_template(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Load a definition given with --template (checked in full) so that its year can be used."""
    if value is not None:
        from mappa_stats.definitions.templates import use_definition

        template = use_definition(value)
        ctx.meta["template_year"] = template.year


_TEMPLATE = click.option(
    "--template",
    "template_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_use_template,
    metavar="FILE",
    help="A year's definition file (JSON, docs/templates.md), for a year this release does not ship.",
)


def _year_given(year: str | None) -> str | None:
    """--year, or the year of the definition given with --template."""
    if year is not None:
        return year
    meta = click.get_current_context().meta
    chosen = meta.get("template_year")
    return str(chosen) if chosen is not None else None


_STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings, and rules that could not be checked, as failures (exit 1).",
)
# Numbers typed as options are bounded before any arithmetic: '1e999999999' must not hang Decimal.
MAX_OPTION_CHARS = 20


def _bounded_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an option value longer than any real figure (exit 2, one line)."""
    if value is not None and len(value.strip()) > MAX_OPTION_CHARS:
        raise click.BadParameter(
            f"{value[:30]!r}… is longer than any real figure ({MAX_OPTION_CHARS} characters)"
        )
    return value


_LEVEL1_SHARE = click.option(
    "--level1-share",
    metavar="PERCENT",
    default=None,
    callback=_bounded_text,
    help="The stated Level 1 share to check: 99, 99% or 0.99 (a value of 1 or less is a fraction). "
    "Default: the workbook's Commentary figures.",
)
_CLAIMS = click.option(
    "--claims",
    "claims_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="A claims file (CSV: kind,area,year,from_year,stated; docs/claims.md): the shares, rates and "
    "changes written about the figures, each checked at the precision it was stated in.",
)


def _unmatched_claims(claims: Sequence[Any], covered: set[tuple[str, str]]) -> int:
    """A note naming the claims no input was about: they were not checked, and must not look passed."""
    left = [c for c in claims if (c.area, c.year) not in covered]
    if left:
        named = ", ".join(f"{c.where} ({c.area} {c.year})" for c in left[:5])
        more = f" and {len(left) - 5} more" if len(left) > 5 else ""
        claims_word = f"{len(left)} claim{'s' * (len(left) != 1)}"
        _note(f"{claims_word} not checked, no file given is about them: {named}{more}")
    return len(left)


_AREA = click.option(
    "--area",
    "area_name",
    default=None,
    metavar="NAME",
    help="The MAPPA area (or police force) the file is about. When the workbook's own 'MAPPA area' "
    "cell or file name says another area, the file is refused unless --area-override.",
)
_AREA_OVERRIDE = click.option(
    "--area-override",
    is_flag=True,
    help="Use --area (or, without it, the workbook's 'MAPPA area' cell) even when the workbook or its "
    "file name names another area.",
)


def _note(message: str | None) -> None:
    """A note on standard error: what the report assumed (an area taken from the file name)."""
    if message:
        from mappa_stats.safetext import terminal

        click.echo(f"mappa-stats: note: {terminal(message)}", err=True)


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


@main.command(
    epilog=EXIT_CODES.replace("every check passed (warnings allowed)", "written (or printed)").replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "not published: the tables have errors",
    )
)
@click.argument("file", type=_FILE)
@_TABLES_FORMAT
@_SHEET
@_YEAR
@_TEMPLATE
@_OUTPUT_OPTION
@_force(
    "Replace an existing -o file that mappa-stats did not write; with xlsx or ods, publish tables that "
    "fail validation, marked 'not validated' on the cover."
)
@_cover("the area's MAPPA co-ordinator", "the area's MAPPA annual report")
def tables(
    file: Path,
    fmt: str | None,
    sheet: str | None,
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
    from mappa_stats.output import choose_format
    from mappa_stats.safetext import shown

    fmt = choose_format(fmt, output, FORMATS_TABLES, "text")
    from mappa_stats.io.readers import read_area

    area = read_area(file, _year_given(year), sheet=sheet)
    if fmt in ("xlsx", "ods"):
        _spreadsheet_output(fmt, output)
        assert output is not None
        from mappa_stats.output import write_atomic
        from mappa_stats.publication.publish import Cover, gate, write_publication

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
    from mappa_stats.render.tables import RENDERERS

    _emit(RENDERERS[fmt](area), output, [file])


@main.command()
@click.option("--year", default=None, metavar="YYYY-YY", help="Template year. Default: the latest.")
@_TEMPLATE
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The workbook to write (.xlsx)."
)
@_force("Replace an existing file that mappa-stats did not write (a filled workbook, say).")
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
    from mappa_stats.definitions.templates import available_years, load_template
    from mappa_stats.output import choose_format, write_atomic
    from mappa_stats.publication.writer import write_return, write_template
    from mappa_stats.safetext import shown

    choose_format("xlsx", output, ("xlsx",), "xlsx")
    chosen = load_template(_year_given(year) or available_years()[-1])
    if form == "workbook":
        if area_name is not None:
            raise click.UsageError(
                "--area goes with --form return; the workbook's area is typed in its 'MAPPA area' cell"
            )
        write_atomic(output, lambda temp: write_template(chosen, temp), force=_forced())
        click.echo(f"wrote {shown(output)} (template {chosen.year})", err=True)
        return
    from mappa_stats.io import ret
    number = ret.area_id(area_name) if area_name is not None else None
    if number == ret.NSD_ID:
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
    write_atomic(
        output, lambda temp: write_return(chosen, temp, area_id=number, area_name=name), force=_forced()
    )
    click.echo(f"wrote {shown(output)} ({chosen.label} return)", err=True)


@main.command(epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@_format("text", "json", "markdown")
@_STRICT
@_LEVEL1_SHARE
@click.option("--no-suggest", is_flag=True, help="Do not locate wrong cells or suggest corrections.")
@_population("ONS population file: adds the rate.matches and rate.vintage rules.")
@_MID_YEAR
@_SHEET
@_CLAIMS
@_AREA
@_AREA_OVERRIDE
@_YEAR
@_TEMPLATE
@_OUTPUT
def validate(
    files: tuple[Path, ...],
    fmt: str,
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
) -> None:
    """Check every table of each FILE and say which cell is wrong.

    Totals across and down every grid, not-applicable and missing cells, whole numbers, the rules
    that tie tables together, and the stated Level 1 share. Each finding names the cell
    ('Statistics'!E5) and, where the sums allow, the value it probably should hold. With --claims,
    each claim about a FILE's area and year is checked too (rule claims.file).
    """
    from mappa_stats.io.readers import read_area_noting
    from mappa_stats.model import AreaTables
    from mappa_stats.render import report as reports
    from mappa_stats.validate import validate_paths

    if area_name is not None:
        from mappa_stats.io.population import check_area_option

        check_area_option(area_name)  # a misspelt --area is one line up front, not one per file

    def reader(path: Path, chosen_year: str | None) -> AreaTables:
        # A note on how the file was read (its area from the file name) goes into the file's report.
        return read_area_noting(path, chosen_year, area_name, area_override, sheet=sheet)[0]

    extras: dict[str, object] = {}
    if population_path is not None:
        from mappa_stats.io.population import read_population

        extras["population"] = read_population(population_path, mid_year)
    claims: list[Any] = []
    if claims_path is not None:
        from mappa_stats.rules.claims import read_claims

        claims = read_claims(claims_path)  # a bad line stops the run before any file is read
        extras["claims"] = claims

    progress = _Progress(len(files))
    done = validate_paths(
        list(files),
        year=_year_given(year),
        level1_share=level1_share,
        suggest=not no_suggest,
        extras=extras,
        reader=reader,
        progress=progress,
        helper=_helper(),
    )
    unchecked_claims = 0
    if claims:
        from mappa_stats.rules.claims import canonical_area

        unchecked_claims = _unmatched_claims(
            claims, {(canonical_area(r.area or "") or "", r.template or "") for r in done if r.error is None}
        )
    if fmt == "json":
        text = reports.render_json(done, strict)
    elif fmt == "markdown":
        text = reports.render_markdown(done, strict)
    else:
        color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = reports.render_text(done, strict, color=color)
    inputs = [
        *files,
        *([population_path] if population_path else []),
        *([claims_path] if claims_path else []),
    ]
    _emit(text, output, inputs)
    code = reports.exit_code(done, strict)
    # With --strict, a claim no file was about is a claim not checked: it fails as an unchecked rule does.
    sys.exit(1 if strict and unchecked_claims and code == 0 else code)


@main.command()
@_format("text", "markdown", "json")
@click.option("--year", default=None, metavar="YYYY-YY", help="Reporting year. Default: the latest.")
@click.option(
    "--form",
    type=click.Choice(["area", "nsd"]),
    default="area",
    show_default=True,
    help="area: an area's report or return; nsd: the National Security Division's return (from 2022-23).",
)
@_TEMPLATE
def rules(fmt: str, year: str | None, form: str) -> None:
    """List every rule validate runs for a year: id, severity and what it checks.

    The cell, total and rate rules are the same every year; the rules that tie tables together and the
    stated claims come from the year's definition.
    """
    from mappa_stats.definitions.templates import available_years, form_years, load_template
    from mappa_stats.rules.checks import rules_for

    latest = (available_years() if form == "area" else form_years(form))[-1]
    chosen = rules_for(load_template(_year_given(year) or latest, form))
    if fmt == "json":
        import json

        items = [{"id": r.id, "severity": r.severity, "description": r.description} for r in chosen]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    from tabulate import tabulate

    rows = [[f"`{r.id}`" if fmt == "markdown" else r.id, r.severity, r.description] for r in chosen]
    click.echo(
        tabulate(
            rows,
            headers=["Rule", "Severity", "Description"],
            tablefmt="pipe" if fmt == "markdown" else "simple",
        )
    )


@main.command("templates")
@_format("text", "markdown", "json")
def templates_command(fmt: str) -> None:
    """List every reporting year mappa-stats knows: status, what changed from the year before, sources.

    A provisional year's tables are carried forward from an earlier year, not read from a source; every
    report on such a year says so. From 2022-23 the National Security Division's return (Category 4) is
    listed as a form of its own.
    """
    from mappa_stats.definitions.templates import FORMS, available_years, form_years, load_template

    years = [load_template(y) for y in available_years()]
    years += [load_template(y, form) for form in FORMS if form != "area" for y in form_years(form)]
    years.sort(key=lambda t: (t.year, t.form != "area"))

    def form(t: Any) -> str:
        what = "area" if t.form == "area" else FORMS[t.form]
        return f"{what} (return: {len(t.return_fields)} fields)" if t.return_fields else what

    if fmt == "json":
        import json

        items = [
            {
                "year": t.year,
                "form": t.form,
                "status": t.status,
                "period_end": t.period_end,
                "population_mid_year": t.population_mid_year,
                "return_fields": len(t.return_fields),
                "changes": list(t.changes),
                "sources": list(t.sources),
            }
            for t in years
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        from tabulate import tabulate

        rows = [[t.year, form(t), t.status, "; ".join(t.changes), "; ".join(t.sources)] for t in years]
        headers = ["Year", "Form", "Status", "What changed", "Sources"]
        click.echo(tabulate(rows, headers=headers, tablefmt="pipe"))
        return
    for t in years:
        click.echo(f"{t.year}  {t.status:<11}  {form(t)}: {'; '.join(t.changes)}")
        for source in t.sources:
            click.echo(f"{'':24}source: {source}")


@main.command(epilog=EXIT_CODES)
@click.argument("file", type=_FILE)
@_population("ONS population file, to reproduce the stated rate and run the rate rules.")
@_MID_YEAR
@_SHEET
@_AREA
@_AREA_OVERRIDE
@_LEVEL1_SHARE
@_STRICT
@_YEAR
@_TEMPLATE
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
    mid_year: int | None,
    sheet: str | None,
    area_name: str | None,
    area_override: bool,
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
    from mappa_stats.io.readers import read_area
    from mappa_stats.output import choose_format
    from mappa_stats.render.report import exit_code
    from mappa_stats.render.signoff import render_pack
    from mappa_stats.validate import validate_area

    fmt = choose_format(fmt, output, ("markdown", "html"), "markdown")
    area = read_area(file, _year_given(year), area=area_name, override=area_override, sheet=sheet)
    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population

        population = read_population(population_path, mid_year)
    extras: dict[str, object] = {"population": population} if population is not None else {}
    report = validate_area(area, level1_share=level1_share, extras=extras)
    inputs = [file, *([population_path] if population_path else [])]
    _emit(render_pack(area, report, population, strict, fmt), output, inputs)
    sys.exit(exit_code([report], strict))


@main.command(
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)", "every stated rate matches (or none was stated)"
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "a stated rate does not match, or another mid-year's population leaves it unchecked",
    )
)
@click.argument("workbooks", nargs=-1, type=_FILE)
@_population(
    "ONS population file: MYE2 table, ONS long layout or area table (.csv or .xlsx).",
    required=True,
)
@_AREA
@_AREA_OVERRIDE
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
    callback=_bounded_text,
    help="The published rate per 100,000 to check (0 to 100,000). Default: the workbook's.",
)
@_MID_YEAR
@_SHEET
@click.option("--all-ages", is_flag=True, help="Use the whole population, as reports before 2013-14 did.")
@_format("text", "json", "markdown", "csv")
@_YEAR
@_TEMPLATE
@_OUTPUT
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
    from mappa_stats.definitions.templates import load_template
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
        given = _year_given(year)
        template = load_template(given) if given is not None else None
        results = [
            r.rate_for_area(population, area_name, rsos, all_ages=all_ages, stated=stated, template=template)
        ]
    elif workbooks:
        results = r.rates_for_workbooks(
            population,
            workbooks,
            year=_year_given(year),
            all_ages=all_ages,
            stated=stated,
            area=area_name,
            area_override=area_override,
            sheet=sheet,
        )
    else:
        results, national = [], r.national_view(population, all_ages)
    _emit(r.render(results, national, population, fmt), output, [*workbooks, population_path])
    sys.exit(1 if any(x.matches is False or x.needs is not None for x in results) else 0)


@main.command(
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)",
        "no revision, no large change, every claim checked reproduces",
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "a claim does not reproduce, a figure was revised or changed a lot (or, with --strict, a claim\n"
        "     could not be checked or the population base changed)",
    )
)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@_format("text", "markdown", "json", "csv")
@click.option(
    "--threshold",
    metavar="PERCENT[,PERCENT]",
    default=None,
    callback=_bounded_text,
    help="When a change from one year to the next is large: a rise,fall in per cent (default 25,15), "
    "or one figure for both. A change must also exceed 3 × √(the earlier figure).",
)
@_CLAIMS
@_STRICT
@_YEAR
@_TEMPLATE
@_OUTPUT
def compare(
    files: tuple[Path, ...],
    fmt: str,
    threshold: str | None,
    claims_path: Path | None,
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
    from mappa_stats import compare as comparing

    thresholds = comparing.parse_threshold(threshold) if threshold is not None else comparing.Thresholds()
    claims: list[Any] = []
    if claims_path is not None:
        from mappa_stats.rules.claims import read_claims

        claims = read_claims(claims_path)
    result = comparing.compare(list(files), year=_year_given(year), thresholds=thresholds, claims=claims)
    inputs = [*files, *([claims_path] if claims_path else [])]
    _emit(comparing.RENDERERS[fmt](result, strict), output, inputs)
    sys.exit(comparing.exit_code(result, strict))


@main.command(
    epilog=EXIT_CODES.replace(
        "every check passed (warnings allowed)", "every area present once and every return passes"
    ).replace(
        "the tables have errors (or warnings or unchecked rules, with --strict)",
        "findings: an area's errors, an area missing or twice, a file of another year or area",
    )
)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@_TABLES_FORMAT
@_population("ONS population file of the year's mid-year: rates, the area table and the population check.")
@_MID_YEAR
@_CLAIMS
@_COMBINE_YEAR
@_TEMPLATE
@_OUTPUT_OPTION
@_force(
    "Replace an existing -o file that mappa-stats did not write; with xlsx or ods, publish although "
    "returns have errors or are missing, marked 'not validated' on the cover."
)
@_cover("the Ministry of Justice's MAPPA statistics team", "the MAPPA area returns of the year")
def combine(
    files: tuple[Path, ...],
    fmt: str | None,
    population_path: Path | None,
    mid_year: int | None,
    claims_path: Path | None,
    year: str | None,
    output: Path | None,
    release_date: str | None,
    next_release: str | None,
    contact: str | None,
    source: str | None,
) -> None:
    """Combine the areas' returns into national tables, checking every return first.

    FILES are returns, area workbooks or tidy CSVs of one year, or a folder of them (Office lock files
    and hidden files are skipped). Says which of the 42 areas (and, from 2022-23, the National Security
    Division) are present, missing or present twice; validates each as validate would; prints one line
    per area, the national verdict, the national tables and the area table with population and rate.
    """
    from mappa_stats.output import choose_format
    from mappa_stats.safetext import shown

    fmt = choose_format(fmt, output, FORMATS_TABLES, "text")
    _spreadsheet_output(fmt, output)
    population = None
    if population_path is not None:
        from mappa_stats.io.population import read_population

        def population() -> Any:  # read while the returns are read (combine's docstring says why)
            return read_population(population_path, mid_year)

    claims: list[Any] = []
    if claims_path is not None:
        from mappa_stats.rules.claims import read_claims

        claims = read_claims(claims_path)  # a bad line stops the run before any file is read
    from mappa_stats.combine import combine as run_combine

    shown_progress: _Progress | None = None

    def progress(number: int, total: int, path: Path) -> None:
        nonlocal shown_progress
        shown_progress = shown_progress or _Progress(total)  # a folder's files are counted once listed
        shown_progress(number, path)

    done = run_combine(
        list(files),
        year=_year_given(year),
        population=population,
        progress=progress,
        helper=_helper(),
    )
    if claims:
        from mappa_stats.combine import judge_claims

        judge_claims(done, claims)
    inputs = [
        *files,
        *(Path(entry.path) for entry in done.files),  # a folder's files are inputs too
        *([population_path] if population_path else []),
        *([claims_path] if claims_path else []),
    ]
    from mappa_stats.publication import national
    if fmt in ("xlsx", "ods"):
        assert output is not None
        from mappa_stats.output import write_atomic
        from mappa_stats.publication.publish import Cover

        validation = national.gate(done, _forced())
        cover = Cover(release_date, next_release, contact, source)
        write_atomic(
            output,
            lambda temp: national.write_workbook(done, temp, fmt, validation, cover),
            inputs,
            force=_forced(),
        )
        note = "" if validation.passed else " (NOT VALIDATED)"
        click.echo(f"wrote {shown(output)}{note}", err=True)
    else:
        renderers = {"csv": national.render_csv, "json": national.render_json}
        text = renderers[fmt](done) if fmt in renderers else national.render(done, fmt)
        _emit(text, output, inputs)
    sys.exit(done.exit_code)


def _helper() -> bool | None:
    """Read files with a helper process where it is safe (parallel.py), but never under --debug: a fault is
    then met in this process, with its traceback."""
    return False if click.get_current_context().meta.get("debug") else None


def run() -> NoReturn:
    """The `mappa-stats` command: the group, in a process of its own."""
    if "hypothesis" not in sys.modules:
        # pandera imports hypothesis, when it is installed, for data synthesis the command never does:
        # about 0.3 s of every run. Only this entry point does it, never a process that imports the library.
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    # Every output is complete (written atomically) by now. Tearing down pandas' and pandera's module graph
    # takes 0.1-0.25 s that no one waits for on purpose: flush and leave without it.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = BROKEN_PIPE
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


if __name__ == "__main__":  # pragma: no cover
    run()
