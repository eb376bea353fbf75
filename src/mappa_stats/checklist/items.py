"""The checks of the accessibility checklist (checklist/__init__.py lists the items), each a function of
the workbook as read (io/book.py) returning the problems it finds: none, and the item passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from mappa_stats.io.book import Book, BookCell, BookSheet, BookTable

BASICS = (
    "Making spreadsheets accessible: checklist of the basics "
    "(https://analysisfunction.civilservice.gov.uk/policy-store/making-spreadsheets-accessible-a-brief-"
    "checklist-of-the-basics/)"
)
RELEASING = (
    "Releasing statistics in spreadsheets "
    "(https://analysisfunction.civilservice.gov.uk/policy-store/releasing-statistics-in-spreadsheets/)"
)
SANS = {"arial", "helvetica", "verdana", "tahoma", "calibri", "liberation sans", "open sans", "gds transport"}
NOTE = re.compile(r"\[note (\d+)\]", re.IGNORECASE)
SUPERSCRIPTS = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]")
REACHABLE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\+?\d[\d ()-]{7,}\d")
LINE_POINTS = 13.0


class Verdict(Enum):
    """An item's verdict on the workbook."""

    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True)
class Item:
    """One checklist item: its id, what the guidance asks, and where the guidance says so."""

    id: str
    asks: str
    guidance: str
    check: Callable[[Book], list[str]]  # the problems found (none: the item passes)


@dataclass(frozen=True)
class Outcome:
    """An item's verdict on one workbook, with the first problems found."""

    item: Item
    verdict: Verdict
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Checked:
    """The whole checklist on one workbook."""

    path: str
    fmt: str
    outcomes: tuple[Outcome, ...]

    @property
    def passed(self) -> int:
        return sum(o.verdict is Verdict.PASS for o in self.outcomes)


def _tables(book: Book) -> Iterator[tuple[BookSheet, BookTable]]:
    for sheet in book.sheets:
        for table in sheet.tables:
            yield sheet, table


def _body(sheet: BookSheet, table: BookTable) -> Iterator[tuple[int, int, BookCell | None]]:
    for r in range(table.top + 1, table.bottom + 1):
        for c in range(table.left, table.right + 1):
            yield r, c, sheet.cells.get((r, c))


def _lines(text: str, width: float) -> int:
    """How many lines a text wraps to in a column this many characters wide (words kept whole)."""
    count, current = 1, 0
    for paragraph in text.split("\n"):
        current = 0 if count == 1 and not current else current
        for word in paragraph.split():
            if current and current + 1 + len(word) > width:
                count, current = count + 1, len(word)
            else:
                current += len(word) + (1 if current else 0)
    return count + text.count("\n")


# Tables -----------------------------------------------------------------------------------------------


def marked_up(book: Book) -> list[str]:
    return [f"{s.name}: no marked-up table" for s in book.sheets[1:] if not s.tables]


def table_names(book: Book) -> list[str]:
    names = [t.name for _, t in _tables(book)]
    problems = [
        f"{n}: a default name"
        for n in names
        if re.fullmatch(r"(Table|Database|__Anonymous_Sheet_DB__)\d*", n)
    ]
    return problems + [f"{n}: not unique" for n in {n for n in names if names.count(n) > 1}]


def no_merged(book: Book) -> list[str]:
    return [f"{s.name}: {s.merged} merged cell(s)" for s in book.sheets if s.merged]


def no_blanks(book: Book) -> list[str]:
    return [
        f"{s.name}!R{r}C{c}: empty" for s, t in _tables(book) for r, c, cell in _body(s, t) if cell is None
    ]


def one_header_row(book: Book) -> list[str]:
    problems = []
    for sheet, table in _tables(book):
        texts = [sheet.text(table.top, c) for c in range(table.left, table.right + 1)]
        if not all(texts) or any(
            sheet.cells[(table.top, c)].numeric for c in range(table.left, table.right + 1)
        ):
            problems.append(f"{sheet.name}: a header cell is empty or a number")
        elif len(set(texts)) != len(texts):
            problems.append(f"{sheet.name}: two header cells say the same")
    return problems


def no_filters_or_freeze(book: Book) -> list[str]:
    problems = [f"{s.name}: filter buttons" for s, t in _tables(book) if t.filter_buttons]
    return problems + [f"{s.name}: frozen panes" for s in book.sheets if s.frozen]


def nothing_hidden(book: Book) -> list[str]:
    return [
        f"{s.name}: hidden"
        if s.hidden
        else f"{s.name}: {s.hidden_rows} rows, {s.hidden_columns} columns hidden"
        for s in book.sheets
        if s.hidden or s.hidden_rows or s.hidden_columns
    ]


def headers_aligned(book: Book) -> list[str]:
    problems = []
    for sheet, table in _tables(book):
        for c in range(table.left, table.right + 1):
            body = [
                sheet.cells[(r, c)] for r in range(table.top + 1, table.bottom + 1) if (r, c) in sheet.cells
            ]
            head = sheet.cells.get((table.top, c))
            right = sum(b.right for b in body) > len(body) / 2
            if head is not None and body and head.right != right:
                problems.append(
                    f"{sheet.name}: '{head.value}' is aligned {'right' if head.right else 'left'}, "
                    "its column's data the other way"
                )
    return problems


# Notes ------------------------------------------------------------------------------------------------


def _notes(book: Book) -> set[str]:
    sheet = book.sheet("Notes")
    if sheet is None or not sheet.tables:
        return set()
    table = sheet.tables[0]
    found = (NOTE.fullmatch(f"[{sheet.text(r, table.left)}]") for r in range(table.top + 1, table.bottom + 1))
    return {m[1] for m in found if m}


def notes_sheet(book: Book) -> list[str]:
    return [] if _notes(book) else ["no Notes worksheet with a table of notes ('Note 1' …)"]


def note_markers(book: Book) -> list[str]:
    notes, problems = _notes(book), []
    for sheet in book.sheets:
        heads = {(t.top, c) for t in sheet.tables for c in range(t.left, t.right + 1)}
        in_tables = {
            (r, c)
            for t in sheet.tables
            for r in range(t.top + 1, t.bottom + 1)
            for c in range(t.left, t.right + 1)
        }
        for (r, c), cell in sheet.cells.items():
            text = str(cell.value or "")
            if SUPERSCRIPTS.search(text):
                problems.append(f"{sheet.name}!R{r}C{c}: a superscript")
            for number in NOTE.findall(text):
                if sheet.name == "Notes":
                    continue
                if (r, c) in in_tables and (r, c) not in heads:
                    problems.append(f"{sheet.name}!R{r}C{c}: [note {number}] in a data cell")
                elif number not in notes:
                    problems.append(f"{sheet.name}: [note {number}] is not on Notes")
    return problems


def notes_cited(book: Book) -> list[str]:
    cited = {
        n
        for s in book.sheets
        if s.name != "Notes"
        for cell in s.cells.values()
        for n in NOTE.findall(str(cell.value or ""))
    }
    return [f"note {n} is cited nowhere" for n in sorted(_notes(book) - cited, key=int)]


# Formatting -------------------------------------------------------------------------------------------


def titles(book: Book) -> list[str]:
    return [
        f"{s.name}: A1 is not a title in the Heading 1 style"
        for s in book.sheets
        if not s.text(1, 1) or not s.cells[(1, 1)].style.startswith("Heading 1")
    ]


def text_whole(book: Book) -> list[str]:
    """Every wrapped cell's text fits its column and row; an unwrapped line above a table fits the page."""
    problems = []
    for sheet in book.sheets:
        printed = max(sheet.printed_columns, max((c for _, c in sheet.cells), default=1))
        room = max(sum(sheet.width(c) for c in range(1, printed + 1)), 136.0)
        for (r, c), cell in sheet.cells.items():
            text, width, scale = str(cell.value), round(sheet.width(c), 1), cell.size / 10
            if cell.wrap or (r in sheet.heights and sheet.heights[r] > LINE_POINTS * scale + 6):
                longest = max((len(w) * scale for w in text.split()), default=0)
                needed = _lines(text, max((width - 2) / scale, 1)) * LINE_POINTS * scale
                height = sheet.heights.get(r)
                if longest > width or (height is not None and needed > height + 2):
                    problems.append(f"{sheet.name}!R{r}C{c}: cut ('{text[:30]}…')")
            elif c == 1 and not cell.numeric and len(text) * scale > room:
                problems.append(f"{sheet.name}!R{r}C{c}: runs past the printed page ('{text[:30]}…')")
    return problems


def fonts(book: Book) -> list[str]:
    families = {name for name, _ in book.fonts}
    problems = [f"{f}: not a sans-serif font" for f in families if f.casefold() not in SANS]
    problems += ["more than one font family"] if len(families) > 1 else []
    return problems + [f"{n} {size:g} pt: smaller than 10 pt" for n, size in book.fonts if size < 10]


def no_fill(book: Book) -> list[str]:
    return [
        f"{s.name}!R{r}C{c}: a background fill"
        for s in book.sheets
        for (r, c), cell in s.cells.items()
        if cell.fill
    ]


def links(book: Book) -> list[str]:
    problems = []
    names = {s.name for s in book.sheets}
    for sheet in book.sheets:
        for (r, c), cell in sheet.cells.items():
            if cell.link is None:
                continue
            target = cell.link.lstrip("#").split("!")[0].rsplit(".", 1)[0].strip("'$")
            if cell.link.startswith("#") and target not in names:
                problems.append(f"{sheet.name}!R{r}C{c}: a link to {cell.link}, not a worksheet")
            elif not cell.link.startswith(("#", "https://", "mailto:")):
                problems.append(f"{sheet.name}!R{r}C{c}: a link that is not https ({cell.link})")
            if str(cell.value).strip().casefold() in ("click here", "here", "link"):
                problems.append(f"{sheet.name}!R{r}C{c}: link text that says nothing")
    return problems


def described(book: Book) -> list[str]:
    problems = [
        "a chart without alternative text"
        for kind, alt in book.drawings
        if kind == "chart" and not alt.strip()
    ]
    return problems + [
        f"an image ({alt or 'no alternative text'})" for kind, alt in book.drawings if kind == "image"
    ]


def no_headers_footers(book: Book) -> list[str]:
    return ["a page header or footer holds text"] if book.header_footer else []


# Structure --------------------------------------------------------------------------------------------


def sheet_names(book: Book) -> list[str]:
    names = [s.name for s in book.sheets]
    problems = [f"{n}: a default name" for n in names if re.fullmatch(r"(Sheet|Feuil|Tabelle)\d+", n)]
    problems += [
        f"'{n}': has a space or is longer than 31 characters" for n in names if " " in n or len(n) > 31
    ]
    return problems + [f"{n}: not unique" for n in {n for n in names if names.count(n) > 1}]


def left_edge(book: Book) -> list[str]:
    problems = []
    for sheet in book.sheets:
        if len(sheet.tables) > 1:
            problems.append(f"{sheet.name}: {len(sheet.tables)} tables")
        for table in sheet.tables[:1]:
            if table.left != 1:
                problems.append(f"{sheet.name}: the table does not start in column A")
            below = [r for r, _ in sheet.cells if r > table.bottom]
            beside = [c for r, c in sheet.cells if c > table.right and r >= table.top]
            if below or beside:
                problems.append(f"{sheet.name}: something below or beside the table")
        outside = [c for r, c in sheet.cells if c > 1 and (not sheet.tables or r < sheet.tables[0].top)]
        if outside:
            problems.append(f"{sheet.name}: text above the table outside column A")
    return problems


# Before publishing ------------------------------------------------------------------------------------


def properties(book: Book) -> list[str]:
    return [
        f"no document {n}" for n, v in (("title", book.title), ("language", book.language)) if not v.strip()
    ]


def opens_at_a1(book: Book) -> list[str]:
    first = book.sheets[0].name if book.sheets else ""
    sheet, cell = book.opens_at
    return [] if (sheet, cell) == (first, "A1") else [f"opens at {sheet} {cell}, not {first} A1"]


# The cover and contents (Releasing statistics in spreadsheets) ------------------------------------------


def _cover(book: Book) -> str:
    return "\n".join(str(c.value) for _, c in sorted(book.sheets[0].cells.items())) if book.sheets else ""


def cover_release(book: Book) -> list[str]:
    text = _cover(book).casefold()
    wanted = {
        "a reporting period": "period",
        "the release date": "released",
        "the next release": "next release",
    }
    return [f"the cover does not give {what}" for what, word in wanted.items() if word not in text]


def cover_contact(book: Book) -> list[str]:
    lines = [line for line in _cover(book).split("\n") if line.casefold().startswith("contact")]
    if not lines:
        return ["the cover names no contact"]
    return (
        []
        if any(REACHABLE.search(line) for line in lines)
        else ["the contact has no email address or telephone number"]
    )


def cover_status(book: Book) -> list[str]:
    lines = [line.casefold() for line in _cover(book).split("\n")]
    said = any(line.startswith("status:") or "official statistics" in line for line in lines)
    problems = [] if said else ["the cover does not say the statistics' status"]
    cover_links = [c.link for c in book.sheets[0].cells.values() if c.link] if book.sheets else []
    if not any(not link.startswith("#") for link in cover_links):
        problems.append("the cover has no link to the publication or methodology")
    return problems


def contents(book: Book) -> list[str]:
    sheet = book.sheet("Contents")
    if sheet is None:
        return ["no Contents worksheet"]
    linked = {
        str(c.link).lstrip("#").split("!")[0].rsplit(".", 1)[0].strip("'$")
        for c in sheet.cells.values()
        if c.link
    }
    return [
        f"Contents does not link to {s.name}"
        for s in book.sheets[1:]
        if s.name != sheet.name and s.name not in linked
    ]
