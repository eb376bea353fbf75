"""The one renderer registry: what each command prints (a Document), the formats it can be printed in
(a Format), and the function that renders it in each, {Document → {Format → function}}. Every document
has text, Markdown, CSV, JSON and HTML (the HTML of most is its Markdown as one page: render/html.py).

Every command's --format choices are its document's entry here, and every command renders through
`render`. Adding a format to a document is one function and one entry (an HTML validation report:
write `render_html(reports, strict, color=False)` in render/report.py and add `Format.HTML:
"mappa_stats.render.report:render_html"` to `Document.VALIDATION`).

A function returns the document's text, or an iterator of its pieces (compare's JSON and CSV, which can
list 280,000 revisions): `render` joins them, `pieces` hands them on for cli/emit.py to write as made.

Functions are named "module:function" and imported only when a command renders (--help and the
choices need none of them: tabulate, Jinja2 and the rules stay unloaded). Every function of one
document takes the same arguments:

    VALIDATION  (reports, strict, *, color)       COMPARISON  (comparison, strict)
    TABLES      (area)                            NATIONAL    (combined)
    RATE        (rates, national, population)     RULES       (rules)
    TEMPLATES   (templates)                       SIGNOFF     (area, report, population, strict)
    CHECKLIST   (checked)

Spreadsheets (xlsx, ods) are not rendered as text but written as files by mappa_stats.publication;
`SPREADSHEETS` names the documents that can be, and `choices` adds them after the text formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from importlib import import_module


class Document(StrEnum):
    """A thing a command prints."""

    VALIDATION = "validation report"  # validate
    TABLES = "tables"  # tables
    RATE = "rate"  # rate
    COMPARISON = "comparison"  # compare
    NATIONAL = "national tables"  # combine
    RULES = "rules listing"  # rules
    TEMPLATES = "templates listing"  # templates
    SIGNOFF = "sign-off pack"  # signoff
    CHECKLIST = "accessibility checklist"  # check-publication


class Format(StrEnum):
    """A format a document can be printed (or, for xlsx and ods, written) in."""

    TEXT = "text"
    MARKDOWN = "markdown"
    CSV = "csv"
    JSON = "json"
    HTML = "html"
    XLSX = "xlsx"
    ODS = "ods"


_RENDER = "mappa_stats.render"
# Each document's formats in the order its --format lists them (the first is the default).
REGISTRY: dict[Document, dict[Format, str]] = {
    Document.VALIDATION: {
        Format.TEXT: f"{_RENDER}.report:render_text",
        Format.JSON: f"{_RENDER}.report:render_json",
        Format.MARKDOWN: f"{_RENDER}.report:render_markdown",
        Format.CSV: f"{_RENDER}.report:render_csv",
        Format.HTML: f"{_RENDER}.report:render_html",
    },
    Document.TABLES: {
        Format.TEXT: f"{_RENDER}.tables:render_text",
        Format.MARKDOWN: f"{_RENDER}.tables:render_markdown",
        Format.CSV: f"{_RENDER}.tables:render_csv",
        Format.JSON: f"{_RENDER}.tables:render_json",
        Format.HTML: f"{_RENDER}.tables:render_html",
    },
    Document.RATE: {
        Format.TEXT: f"{_RENDER}.rate:render_text",
        Format.JSON: f"{_RENDER}.rate:render_json",
        Format.MARKDOWN: f"{_RENDER}.rate:render_markdown",
        Format.CSV: f"{_RENDER}.rate:render_csv",
        Format.HTML: f"{_RENDER}.rate:render_html",
    },
    Document.COMPARISON: {
        Format.TEXT: f"{_RENDER}.compare:render_text",
        Format.MARKDOWN: f"{_RENDER}.compare:render_markdown",
        Format.JSON: f"{_RENDER}.compare_data:render_json",
        Format.CSV: f"{_RENDER}.compare_data:render_csv",
        Format.HTML: f"{_RENDER}.compare:render_html",
    },
    Document.NATIONAL: {
        Format.TEXT: f"{_RENDER}.national:render_text",
        Format.MARKDOWN: f"{_RENDER}.national:render_markdown",
        Format.CSV: f"{_RENDER}.national_data:render_csv",
        Format.JSON: f"{_RENDER}.national_data:render_json",
        Format.HTML: f"{_RENDER}.national:render_html",
    },
    Document.RULES: {
        Format.TEXT: f"{_RENDER}.listing:rules_text",
        Format.MARKDOWN: f"{_RENDER}.listing:rules_markdown",
        Format.JSON: f"{_RENDER}.listing:rules_json",
        Format.CSV: f"{_RENDER}.listing:rules_csv",
        Format.HTML: f"{_RENDER}.listing:rules_html",
    },
    Document.TEMPLATES: {
        Format.TEXT: f"{_RENDER}.listing:templates_text",
        Format.MARKDOWN: f"{_RENDER}.listing:templates_markdown",
        Format.JSON: f"{_RENDER}.listing:templates_json",
        Format.CSV: f"{_RENDER}.listing:templates_csv",
        Format.HTML: f"{_RENDER}.listing:templates_html",
    },
    Document.SIGNOFF: {
        Format.MARKDOWN: f"{_RENDER}.signoff:render_markdown",
        Format.HTML: f"{_RENDER}.signoff:render_html",
        Format.TEXT: f"{_RENDER}.signoff:render_text",
        Format.CSV: f"{_RENDER}.signoff:render_csv",
        Format.JSON: f"{_RENDER}.signoff:render_json",
    },
    Document.CHECKLIST: {
        Format.TEXT: f"{_RENDER}.checklist:checklist_text",
        Format.JSON: f"{_RENDER}.checklist:checklist_json",
        Format.MARKDOWN: f"{_RENDER}.checklist:checklist_markdown",
        Format.CSV: f"{_RENDER}.checklist:checklist_csv",
        Format.HTML: f"{_RENDER}.checklist:checklist_html",
    },
}
# Documents mappa_stats.publication also writes as spreadsheets (with -o), after their text formats.
SPREADSHEETS: dict[Document, tuple[Format, ...]] = {
    Document.TABLES: (Format.XLSX, Format.ODS),
    Document.NATIONAL: (Format.XLSX, Format.ODS),
}


def choices(document: Document) -> tuple[str, ...]:
    """The --format choices of a command that prints DOCUMENT, the default first (plain strings: click
    would offer an enum's names)."""
    return tuple(f.value for f in (*REGISTRY[document], *SPREADSHEETS.get(document, ())))


def renderer(document: Document, fmt: str) -> Callable[..., str | Iterable[str]]:
    """The function that renders DOCUMENT in FMT (imported now: the formats' libraries load only here)."""
    module, name = REGISTRY[document][Format(fmt)].split(":")
    found: Callable[..., str | Iterable[str]] = getattr(import_module(module), name)
    return found


def pieces(document: Document, fmt: str, *args: object, **options: object) -> str | Iterable[str]:
    """DOCUMENT rendered in FMT: its text, or (a document too large to hold whole, compare's JSON and CSV)
    its text in pieces, made as they are written (cli/emit.py writes either whole or not at all)."""
    return renderer(document, fmt)(*args, **options)


def render(document: Document, fmt: str, *args: object, **options: object) -> str:
    """DOCUMENT rendered in FMT, from the arguments every renderer of that document takes, as one text."""
    text = pieces(document, fmt, *args, **options)
    return text if isinstance(text, str) else "".join(text)
