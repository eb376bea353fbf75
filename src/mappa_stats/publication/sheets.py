"""The sheet model of a publication workbook, and the sheets every publication has.

A publication is a list of `OutputSheet`s (a worksheet to be written: title, lines above the table, the
table), written as .xlsx (xlsx.py) or .ods (ods.py). Here: the GSS shorthand, the font and number format,
text made safe for a cell, the cover's options (`Cover`) and the validation it reports (`Validation`), and
the cover, contents and notes sheets that the area (area.py) and national (national.py) publications share.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import Template
from mappa_stats.errors import MappaError
from mappa_stats.io.population.embedded import ons_licence
from mappa_stats.render.tables import safe_text
from mappa_stats.safetext import shown

SHORTHAND = {
    "[z]": "not applicable",
    "[x]": "not available (not collected, or missing from the return)",
    "[c]": "confidential",
    "[low]": "rounds to zero",
}
FONT = "Arial"
LANGUAGE = "en-GB"
COUNT_FORMAT = "#,##0"
NOTES_TITLE = "Notes, abbreviations and shorthand"
NOTE_MARKERS = re.compile(r"( \[note \d+\])+$")
CHECKS_TITLE = "How these tables were checked"
# How a cover and the Checks worksheet mark tables published with --publish-failing.
FAILING = "PUBLISHED ALTHOUGH IT FAILS VALIDATION"
# The cover's defaults. A workbook mappa-stats writes is management information until its producer says
# otherwise (--status): the Code of Practice's "official statistics" is a producer's statement, not a tool's.
STATUS = "Management information, not official statistics"
METHODOLOGY_URL = "https://www.gov.uk/government/collections/multi-agency-public-protection-arrangements-mappa-annual-reports"
# A contact a reader can reach: an email address or a telephone number (the GSS cover's contact).
REACHABLE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|(?:\+?\d[\d ()-]{7,}\d)")

# Characters no spreadsheet cell or XML part may hold (openpyxl refuses them; ODS would be invalid XML).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def cell_text(value: Any) -> Any:
    """Every text written to a cell or property: no control characters, and never a formula."""
    if not isinstance(value, str):
        return value
    return safe_text(CONTROL.sub(" ", value))


def shown_name(path: str) -> str:
    """A file name as text any document can hold (undecodable bytes become '�')."""
    return Path(shown(path)).name


class NotValidated(MappaError):
    """The return has errors: it is not published unless --publish-failing (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Cover:
    """What the cover says beyond the tables: release, contact, source (options with defaults)."""

    release_date: str | None = None
    next_release: str | None = None
    contact: str | None = None
    source: str | None = None
    status: str | None = None
    methodology_url: str | None = None


@dataclass(frozen=True)
class Validation:
    """How the tables fared before publication: passed, or published anyway with these errors."""

    passed: bool
    summary: str
    errors: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputSheet:
    """One worksheet to be written: its name, the lines above the table, and the table (header + rows).

    (Not io.layout's Sheet, which is a worksheet being read.)"""

    name: str
    title: str
    lines: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    links: bool = False  # the first column names worksheets to link to
    counts: tuple[bool, ...] = field(default=())  # which columns hold counts (#,##0)
    # In a sheet with counts, which columns hold running text: wrapped and left-aligned, and wider.
    texts: tuple[bool, ...] = field(default=())
    # When set, a bar chart of the second column by the first is drawn beside the table, so titled, with
    # this alternative text (what a screen reader says of it; the table holds every number it shows).
    bar_chart: str = ""
    chart_description: str = ""
    # Lines above the table that link somewhere (index into `lines`, address): the cover's methodology.
    line_links: tuple[tuple[int, str], ...] = ()


def template_status(template: Template) -> str:
    """'published', 'provisional' …: how far the year's definition has been checked."""
    status = getattr(template, "status", None) or template.publication.get("status")
    return str(status) if status else "not stated"


def template_sources(template: Template) -> tuple[str, ...]:
    """Where the year's definition comes from."""
    sources = getattr(template, "sources", None) or template.publication.get("sources") or ()
    return tuple(str(s) for s in sources)


def is_provisional(template: Template) -> bool:
    """True when the year's definition is marked provisional (not yet checked against a publication)."""
    return template_status(template).casefold() == "provisional"


def today() -> str:
    """Today's date as a cover gives it: '2 December 2026'."""
    return dt.date.today().strftime("%d %B %Y").lstrip("0")


def filled(cover: Cover | None, *, next_release: str, contact: str, source: str | None) -> Cover:
    """The cover with each blank filled: released today, and the publication's own defaults for the rest."""
    given = cover or Cover()
    return Cover(
        release_date=given.release_date or today(),
        next_release=given.next_release or next_release,
        contact=given.contact or contact,
        source=given.source or source,
        status=given.status or STATUS,
        methodology_url=given.methodology_url or METHODOLOGY_URL,
    )


def reachable(contact: str | None) -> bool:
    """True when a contact holds an email address or a telephone number."""
    return bool(contact and REACHABLE.search(contact))


def cited(title: str, notes: Sequence[int]) -> str:
    """A title with the notes that apply to it cited as the GSS guidance shows: 'Table 1: … [note 1]'."""
    return " ".join([title, *(f"[note {n}]" for n in notes)])


def public_lines(cover: Cover, validation: Validation | None) -> tuple[str, ...]:
    """The cover's lines about status, checks, release and contact, in words for the public."""
    lines = [f"Status: {safe_text(cover.status or STATUS)}."]
    if validation is not None and validation.passed:
        lines.append("Checked before release: the tables passed every check (see the Checks worksheet).")
    elif validation is not None:
        lines.append(f"{FAILING}: the checks found errors in these tables (see the Checks worksheet).")
    lines += [
        f"Released: {safe_text(cover.release_date or '')}.",
        f"Next release: {safe_text(cover.next_release or '')}.",
        f"Contact: {safe_text(cover.contact or '')}.",
    ]
    return tuple(lines)


def shorthand_line(rows: Iterable[Sequence[Any]]) -> str:
    """The line above a table that spells out the shorthand its figures use."""
    uses = sorted({v for r in rows for v in r[1:] if isinstance(v, str) and v in SHORTHAND})
    if not uses:
        return "This table has no shorthand."
    return "Shorthand in this table: " + "; ".join(f"{s} {SHORTHAND[s]}" for s in uses) + ". See Notes."


def cover_sheet(title: str, lines: Sequence[str], cover: Cover) -> OutputSheet:
    """The Cover worksheet: its title, these lines, the link to the methodology, then what the other
    worksheets hold."""
    return OutputSheet(
        name="Cover",
        title=title,
        lines=(
            *lines,
            # The address on a line of its own: printed, a link's words are all a reader has.
            "Publication and methodology (MAPPA annual reports and how the figures are collected):",
            str(cell_text(cover.methodology_url or METHODOLOGY_URL)),
            "The worksheets: Contents lists them, Notes explains the notes, abbreviations and shorthand, "
            "each table is on its own worksheet, and Checks records how the tables were checked.",
        ),
        header=(),
        rows=(),
        line_links=((len(lines) + 1, str(cell_text(cover.methodology_url or METHODOLOGY_URL))),),
    )


def checks_sheet(rows: Sequence[tuple[str, str]]) -> OutputSheet:
    """The Checks worksheet: the audit trail (the checks run, the source file and its digest, the tool),
    kept off the cover, which speaks to the public."""
    return OutputSheet(
        name="Checks",
        title=CHECKS_TITLE,
        lines=("This worksheet contains one table: what was checked before release, and with what.",),
        header=("Item", "Detail"),
        rows=tuple(rows),
    )


def contents_sheet(sheets: Sequence[OutputSheet]) -> OutputSheet:
    """The Contents worksheet: the Notes, then every table sheet, each linked."""
    return OutputSheet(
        name="Contents",
        title="Table of contents",
        lines=(
            "This worksheet contains one table, listing every worksheet of this workbook with a link to it.",
        ),
        header=("Worksheet", "Title"),
        # The titles without their note markers: a note is cited where it applies, not in a list of sheets.
        rows=(("Notes", NOTES_TITLE), *((s.name, NOTE_MARKERS.sub("", s.title)) for s in sheets)),
        links=True,
    )


def notes_sheet(notes: Sequence[tuple[str, str]], abbreviations: dict[str, str]) -> OutputSheet:
    """The Notes worksheet: these notes, the ONS population's attribution, the abbreviations spelled out,
    then every GSS shorthand."""
    rows: list[tuple[Any, ...]] = list(notes)
    # The rate divides by ONS population estimates: Crown copyright, attributed as the licence asks.
    rows.append(("Population data", ons_licence()))
    rows.extend((short, f"Abbreviation: {meaning}") for short, meaning in abbreviations.items())
    rows.extend((s, f"Shorthand: {meaning}") for s, meaning in SHORTHAND.items())
    return OutputSheet(
        name="Notes",
        title=NOTES_TITLE,
        lines=(
            "This worksheet contains one table: the notes, the abbreviations spelled out, and the shorthand.",
        ),
        header=("Item", "Meaning"),
        rows=tuple(rows),
    )


def publication(
    cover: OutputSheet, tables: Sequence[OutputSheet], notes: OutputSheet, checks: OutputSheet
) -> list[OutputSheet]:
    """A workbook's sheets in order: cover, contents, notes, the tables, then the checks."""
    return [cover, contents_sheet([*tables, checks]), notes, *tables, checks]
