"""The Analysis Function's accessibility checklist, run on a workbook (.xlsx or .ods): the items (ITEMS),
each with the guidance it comes from, and the run (check_publication). The checks themselves: items.py.

Twenty-six items that a program can judge from the file: twenty-two from "Making spreadsheets accessible:
checklist of the basics" (tables, notes, formatting, structure, before publishing) and four from the
cover and contents of "Releasing statistics in spreadsheets". The items a person must judge (plain
English, a spelling check) are not here; docs/checklist.md lists them. The workbook is read by
io/book.py, whoever made it.
"""

from __future__ import annotations

from pathlib import Path

from mappa_stats.checklist.items import (
    BASICS,
    RELEASING,
    Checked,
    Item,
    Outcome,
    Verdict,
    contents,
    cover_contact,
    cover_release,
    cover_status,
    described,
    fonts,
    headers_aligned,
    left_edge,
    links,
    marked_up,
    no_blanks,
    no_fill,
    no_filters_or_freeze,
    no_headers_footers,
    no_merged,
    note_markers,
    notes_cited,
    notes_sheet,
    nothing_hidden,
    one_header_row,
    opens_at_a1,
    properties,
    sheet_names,
    table_names,
    text_whole,
    titles,
)
from mappa_stats.io.book import Book, read_book

__all__ = [
    "BASICS",
    "ITEMS",
    "RELEASING",
    "Checked",
    "Item",
    "Outcome",
    "Verdict",
    "check_book",
    "check_publication",
]

ITEMS = (
    Item(
        "tables.marked-up",
        "Mark up tables: every worksheet after the cover holds a table marked up as one.",
        BASICS,
        marked_up,
    ),
    Item(
        "tables.names",
        "Give tables meaningful names: no default or repeated table names.",
        BASICS,
        table_names,
    ),
    Item("tables.merged", "Remove merged cells, split cells and nested tables.", BASICS, no_merged),
    Item(
        "tables.blank",
        "Remove blank rows and columns within tables; leave no cell empty (use shorthand).",
        BASICS,
        no_blanks,
    ),
    Item(
        "tables.header",
        "All tables should have one tagged header row: text, filled, each different.",
        BASICS,
        one_header_row,
    ),
    Item("tables.filters", "Avoid adding filters and freeze panes.", BASICS, no_filters_or_freeze),
    Item("tables.hidden", "Avoid hiding rows, columns or worksheets.", BASICS, nothing_hidden),
    Item(
        "tables.aligned",
        "Align each header with its column's data (numbers and their headers right).",
        RELEASING,
        headers_aligned,
    ),
    Item("notes.sheet", "Put note text in a notes table on a notes worksheet.", BASICS, notes_sheet),
    Item(
        "notes.markers",
        "Signpost notes with the word note ([note 1]), never superscript, and not in data cells.",
        BASICS,
        note_markers,
    ),
    Item(
        "notes.cited",
        "Cite every note where it applies, in the title or header it applies to.",
        BASICS,
        notes_cited,
    ),
    Item(
        "format.titles",
        "Give every worksheet a descriptive title in cell A1, tagged as a heading (no blank worksheets).",
        BASICS,
        titles,
    ),
    Item(
        "format.wrap",
        "Wrap text within cells: nothing cut off on screen or on the printed page.",
        BASICS,
        text_whole,
    ),
    Item(
        "format.font",
        "Format text to make it accessible: one sans-serif font, 10 point or more.",
        BASICS,
        fonts,
    ),
    Item(
        "format.fill",
        "Do not use a background fill (nor colour as the only way to say something).",
        BASICS,
        no_fill,
    ),
    Item(
        "format.links",
        "Links must be accessible: descriptive, to a worksheet that exists or a secure address.",
        BASICS,
        links,
    ),
    Item("format.images", "Avoid images; give every chart alternative text.", BASICS, described),
    Item(
        "format.headers",
        "Do not use headers and footers, floating text boxes or toolbars.",
        BASICS,
        no_headers_footers,
    ),
    Item(
        "structure.names",
        "Give worksheets unique names: no spaces, no defaults (Sheet1).",
        BASICS,
        sheet_names,
    ),
    Item(
        "structure.column-a",
        "Use column A wisely and put tables against the left edge; one table a worksheet, nothing below it.",
        BASICS,
        left_edge,
    ),
    Item("publish.properties", "Add document information: title and language.", BASICS, properties),
    Item("publish.a1", "The workbook opens at cell A1 of the first worksheet.", BASICS, opens_at_a1),
    Item(
        "cover.release",
        "The cover gives the period covered, the release date and the next release.",
        RELEASING,
        cover_release,
    ),
    Item(
        "cover.contact",
        "The cover gives a contact with an email address or telephone number.",
        RELEASING,
        cover_contact,
    ),
    Item(
        "cover.status",
        "The cover says the statistics' status and links to the publication or methodology.",
        RELEASING,
        cover_status,
    ),
    Item(
        "cover.contents", "A Contents worksheet lists every worksheet with a link to it.", RELEASING, contents
    ),
)


def check_book(book: Book, path: str = "") -> Checked:
    """Every item on one workbook already read."""
    outcomes = []
    for item in ITEMS:
        problems = item.check(book)
        outcomes.append(Outcome(item, Verdict.FAIL if problems else Verdict.PASS, tuple(problems)))
    return Checked(path, book.fmt, tuple(outcomes))


def check_publication(path: Path) -> Checked:
    """Every item on the workbook at `path` (.xlsx or .ods), whoever made it."""
    return check_book(read_book(path), str(path))
