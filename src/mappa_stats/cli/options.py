"""The command line's options, each defined once, as decorators the commands apply; the exit codes
every command's help ends with; --year and --template read together (year_given)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mappa_stats.numbers import WHY, count
from mappa_stats.render.registry import Document, choices

EXIT_CODES = """\b
Exit codes:
  0  every check passed (warnings allowed)
  1  the tables have errors (or warnings or unchecked rules, with --strict)
  2  the command could not run (usage, unreadable input)"""


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["force"] = True
    return value


def force(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--force, kept in the context (not a parameter) so every command with -o shares it."""
    return click.option("--force", is_flag=True, expose_value=False, callback=_remember_force, help=help_text)


FORCE_HELP = "Replace an existing -o file that mappa-stats did not write (and nothing else)."
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
# Where the running command keeps the list of every file it reads (read_files in cli/emit.py).
INPUTS = "mappa_stats.inputs"


class InputPath(click.Path):
    """A path the command reads: every one given (a FILE, --population, --claims, --template) goes into
    one list, and no -o output may be any of them, whatever its name (output.check_output_path)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if ctx is not None:
            ctx.meta.setdefault(INPUTS, []).append(Path(os.fsdecode(path)))
        return path


FILE = InputPath(path_type=Path, dir_okay=True, allow_dash=True)
# -o -: standard output, for every command that writes (a workbook only to a pipe or a file: cli/emit.py).
STDOUT = "-"


def output_option(
    help_text: str = "Write to this file (completely or not at all) instead of standard output; "
    "'-' is standard output.",
    required: bool = False,
) -> Decorator:
    """-o/--output FILE ('-': standard output) and --force, which only ever means replacing a file."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        path = click.Path(path_type=Path, allow_dash=True)
        # A default of None, given, would satisfy required (click 8.3): only the optional -o has one.
        default = {} if required else {"default": None}
        with_output = click.option("-o", "--output", type=path, required=required, help=help_text, **default)
        return with_output(force(FORCE_HELP)(fn))

    return decorate


OUTPUT = output_option()


def publish_failing(help_text: str) -> Decorator:
    """--publish-failing: publish a workbook although its data fail validation (never --force's job)."""
    return click.option("--publish-failing", "publish_failing", is_flag=True, help=help_text)


def only_publishing(publish_failing: bool, fmt: str) -> None:
    """--publish-failing is about a publication workbook: with another format it would mean nothing."""
    if publish_failing and fmt not in ("xlsx", "ods"):
        raise click.UsageError(
            f"--publish-failing goes with a publication workbook (-f xlsx or ods); a {fmt} report is "
            "written whether or not the data pass"
        )


YEAR = click.option(
    "--year",
    default=None,
    metavar="YYYY-YY",
    help="Template year, e.g. 2014-15. Default: from the workbook's 'Reporting year' cell or table titles.",
)


def cover(contact: str, source: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The publication cover's options (--release-date, --next-release, --contact, --source, --status,
    --methodology-url), with the command's own defaults named in their help."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        helps = {
            "--release-date": "Cover: the release date. Default: today.",
            "--next-release": "Cover: the next release. Default: to be announced.",
            "--contact": "Cover: who to contact, with an email address or telephone number. Default: "
            f"{contact} (a warning says it gives no way to reach them).",
            "--source": f"Cover: the source. Default: {source}.",
            "--status": "Cover: the statistics' status, e.g. 'Official statistics'. Default: management "
            "information, not official statistics.",
            "--methodology-url": "Cover: the address of the publication and its methodology. Default: the "
            "MAPPA annual reports on GOV.UK.",
        }
        for name, text in reversed(helps.items()):
            command = click.option(name, metavar="TEXT", default=None, help=text)(command)
        return command

    return decorate


COMBINE_YEAR = click.option(
    "--year",
    default=None,
    metavar="YYYY-YY",
    help="The year to combine, e.g. 2023-24. Default: the year most of the files are for.",
)


def format_option(document: Document) -> Decorator:
    """-f/--format with the formats the registry has for DOCUMENT, the first being the default."""
    formats = choices(document)
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(formats),
        default=formats[0],
        show_default=True,
        help="Output format.",
    )


def format_from_output(document: Document, help_text: str) -> Decorator:
    """-f/--format with the formats the registry has for DOCUMENT and no default: the command takes it from
    the -o file's name (output.choose_format)."""
    return click.option(
        "-f", "--format", "fmt", type=click.Choice(choices(document)), default=None, help=help_text
    )


def chosen_format(document: Document, fmt: str | None, output: Path | None) -> str:
    """The format a command writes: --format as given, else as the -o file's name says, else the first of
    the registry's; a name that says another format is refused (output.choose_format)."""
    from mappa_stats.output import choose_format, refuse_an_input

    if output is not None:  # naming an input is said before anything about the name's ending
        refuse_an_input(output, click.get_current_context().meta.get(INPUTS, []))
    formats = choices(document)
    return choose_format(fmt, output, formats, formats[0])


def population_option(help_text: str, required: bool = False) -> Decorator:
    """--population FILE: an ONS population file."""
    return click.option(
        "--population", "population_path", type=InputPath(path_type=Path), required=required, help=help_text
    )


FROM_OUTPUT_HELP = (
    "Output format. Default: from the -o file's name (.xlsx, .ods, .md, .csv, .json, .html, .txt), else text."
)
TEXT_FROM_OUTPUT_HELP = (
    "Output format. Default: from the -o file's name (.md, .csv, .json, .html, .txt), else text."
)
MID_YEAR = click.option(
    "--mid-year",
    type=click.IntRange(min=1971, max=2100),
    default=None,
    metavar="YYYY",
    help="The population file's mid-year, when the file does not say (in an ONS long file: which "
    "population_YYYY column). A file that names another mid-year is refused.",
)
SHEET = click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="Read only this sheet of a workbook (last year's sheet left in it, say). Default: the sheet whose "
    "titles give the year asked for, else the latest.",
)


def spreadsheet_output(fmt: str, output: Path | None) -> None:
    """A publication spreadsheet is a file: --format xlsx or ods without -o is a usage error, and -o - (its
    bytes on standard output) is refused while standard output is a terminal."""
    if fmt in ("xlsx", "ods") and output is None:
        raise click.UsageError(f"--format {fmt} writes a spreadsheet: give -o FILE.{fmt}")
    if fmt in ("xlsx", "ods"):
        binary_to_terminal(fmt, output, sys.stdout)


def binary_to_terminal(fmt: str, output: Path | None, stream: Any) -> None:
    """-o - with a workbook: refused (one line) when STREAM is a terminal, which would show its bytes."""
    if output is not None and str(output) == STDOUT and stream.isatty():
        raise click.UsageError(
            f"-o - writes the .{fmt} workbook's bytes to standard output, which is a terminal here; "
            f"redirect it (> FILE.{fmt}) or give -o FILE.{fmt}"
        )


def _use_template(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Load a definition given with --template (checked in full) so that its year can be used."""
    if value is not None:
        from mappa_stats.definitions.load import use_definition

        template = use_definition(value)
        ctx.meta["template_year"] = template.year


TEMPLATE = click.option(
    "--template",
    "template_file",
    type=InputPath(path_type=Path, dir_okay=False),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_use_template,
    metavar="FILE",
    help="A year's definition file (JSON, docs/templates.md), for a year this release does not ship.",
)


def year_given(year: str | None) -> str | None:
    """--year, or the year of the definition given with --template."""
    if year is not None:
        return year
    meta = click.get_current_context().meta
    chosen = meta.get("template_year")
    return str(chosen) if chosen is not None else None


STRICT = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings, and rules that could not be checked, as failures (exit 1).",
)
# Numbers typed as options are bounded before any arithmetic: '1e999999999' must not hang Decimal.
MAX_OPTION_CHARS = 20


def bounded_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an option value longer than any real figure (exit 2, one line)."""
    if value is not None and len(value.strip()) > MAX_OPTION_CHARS:
        raise click.BadParameter(
            f"{value[:30]!r}… is longer than any real figure ({MAX_OPTION_CHARS} characters)"
        )
    return value


class Count(click.ParamType[int]):
    """A count typed as an option, read by the one parser of numbers (numbers.count) as a file's count is:
    '1560' and '1,560' are 1560; '١٥٦٠' and '1_560' (which int() reads) are refused, in one line."""

    name = "count"

    def __init__(self, most: int) -> None:
        self.most = most

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found, problem = count(str(value))
        if found is None:
            self.fail(f"{str(value)[:30]!r} {WHY[problem]}; give a whole number of 0 or more", param, ctx)
        if found > self.most:
            self.fail(f"{found:,} is more than {self.most:,}", param, ctx)
        return found


LEVEL1_SHARE = click.option(
    "--level1-share",
    metavar="PERCENT",
    default=None,
    callback=bounded_text,
    help="The stated Level 1 share to check: 99, 99% or 0.99 (a value of 1 or less is a fraction). "
    "Default: the workbook's Commentary figures.",
)
CLAIMS = click.option(
    "--claims",
    "claims_path",
    type=InputPath(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="A claims file (CSV: kind,area,year,from_year,stated; docs/claims.md), or a report's text or "
    "PDF whose sentences are read as claims: the shares, rates, changes, comparisons with England and "
    "Wales, parts and ranks written about the figures, each checked at the precision it was stated in.",
)

AREA = click.option(
    "--area",
    "area_name",
    default=None,
    metavar="NAME",
    help="The MAPPA area (or police force) the file is about. When the workbook's own 'MAPPA area' "
    "cell or file name says another area, the file is refused unless --area-override.",
)
AREA_OVERRIDE = click.option(
    "--area-override",
    is_flag=True,
    help="Use --area (or, without it, the workbook's 'MAPPA area' cell) even when the workbook's cells "
    "(on any sheet, hidden too), its file name or a return's area id name another area; the report says "
    "what was set aside.",
)


def _accept_ocr(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """--accept-ocr: a PDF's invisible text (an OCR layer) is read, for this command only."""
    if value:
        from mappa_stats.io.pdf import ACCEPT_OCR as accepted

        token = accepted.set(True)
        ctx.call_on_close(lambda: accepted.reset(token))
    return value


ACCEPT_OCR = click.option(
    "--accept-ocr",
    is_flag=True,
    expose_value=False,
    callback=_accept_ocr,
    help="Read a PDF whose text is invisible (the OCR layer of a scanned page, which may misread a figure); "
    "the report says which pages. Without it such a PDF is refused.",
)

ANNOTATE = click.option(
    "--annotate",
    "annotate_path",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=False),
    default=None,
    metavar="OUT",
    help="Also write OUT: a copy of FILE (one .xlsx or .ods workbook, OUT of the same kind) with each "
    "finding's cell marked (a fill and a box) and noted, and a first sheet 'Checks' listing every finding "
    "with a link to its cell.",
)
