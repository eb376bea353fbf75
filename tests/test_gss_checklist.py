"""The GSS "Releasing statistics in spreadsheets" checklist, item by item, for the .xlsx and the .ods.

Each workbook is opened as a user's spreadsheet program would see it: the .xlsx with openpyxl and
its XML parts, the .ods from its XML parts (content, styles, meta), never through mappa-stats.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from conftest import KENT_XLSX
from mappa_stats.cli.main import main

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
COVER = (
    "--release-date",
    "1 December 2015",
    "--next-release",
    "Autumn 2016",
    "--contact",
    "kent.mappa@example.org",
)


def q(name: str) -> str:
    """'table:name' as ElementTree's {uri}name."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _child(element: ET.Element | None, name: str) -> ET.Element:
    """The child element a well-formed file has: reading stops at a file without it."""
    assert element is not None
    found = element.find(name)
    assert found is not None, name
    return found


def _attr(element: ET.Element | None, name: str) -> str:
    """The attribute a well-formed file has: reading stops at a file without it."""
    assert element is not None
    value = element.get(name)
    assert value is not None, name
    return value


@dataclass
class Book:
    """What a reader sees: properties, each sheet's rows of text, and per-format details."""

    title: str
    language: str
    author: str
    sheets: dict[str, list[list[Any]]]
    fonts: set[str]
    filter_buttons: bool
    headings: dict[str, str]  # sheet -> style name of its first cell
    count_formats: dict[str, set[str]]  # sheet -> number formats of its numeric table cells
    links: list[str]
    header_rows: dict[
        str, tuple[list[str], list[float], float]
    ]  # sheet -> (texts, widths in chars, height pt)
    empty_strings: int
    extra: dict[str, Any] = field(default_factory=dict)


def _publish(tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"kent.{fmt}"
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-o", str(out), *COVER])
    assert result.exit_code == 0, result.output
    return out


def _xlsx(path: Path) -> Book:
    wb = load_workbook(path)
    with zipfile.ZipFile(path) as archive:
        styles = ET.fromstring(archive.read("xl/styles.xml"))
        tables_xml = [archive.read(n) for n in archive.namelist() if n.startswith("xl/tables/")]
    fonts = {_attr(_child(f, q("s:name")), "val") for f in styles.iter(q("s:font"))}
    sheets: dict[str, list[list[Any]]] = {}
    count_formats: dict[str, set[str]]
    headings, links, header_rows, count_formats, empty = {}, [], {}, {}, 0
    for ws in wb.worksheets:
        sheets[ws.title] = [[c.value for c in row] for row in ws.iter_rows()]
        headings[ws.title] = ws["A1"].style
        empty += sum(1 for row in ws.iter_rows() for c in row if c.value == "")
        for _name, ref in ws.tables.items():  # type: ignore[no-untyped-call]  # openpyxl-stubs leave TableList.items untyped
            first, last = ref.split(":")
            top = int(re.sub(r"\D", "", first))
            cells = next(iter(ws.iter_rows(min_row=top, max_row=top)))
            # Excel allows no merged cell in a table, so its header row is all plain cells.
            widths = [float(ws.column_dimensions[cast(Cell, c).column_letter].width or 8.43) for c in cells]
            height = float(ws.row_dimensions[top].height or 15)
            header_rows[ws.title] = ([str(c.value) for c in cells], widths, height)
            for row in ws.iter_rows(min_row=top + 1, max_row=int(re.sub(r"\D", "", last))):
                for c in row[1:]:
                    if isinstance(c.value, int) and ws.title.startswith("Table_"):
                        count_formats.setdefault(ws.title, set()).add(c.number_format)
        for row in ws.iter_rows():
            for c in row:
                if c.hyperlink is not None:
                    assert c.hyperlink.location is not None, c.coordinate
                    links.append(c.hyperlink.location)
    buttons = any(b"autoFilter" in x for x in tables_xml) or any(ws.auto_filter.ref for ws in wb.worksheets)
    return Book(
        title=wb.properties.title or "",
        language=wb.properties.language or "",
        author=wb.properties.creator or "",
        sheets=sheets,
        fonts=fonts,
        filter_buttons=buttons,
        headings=headings,
        count_formats=count_formats,
        links=links,
        header_rows=header_rows,
        empty_strings=empty,
        extra={
            "header_styles": {ws.title: ws.cell(len(sheets[ws.title]) and 1, 1).style for ws in wb.worksheets}
        },
    )


def _cm(length: str) -> float:
    value = float(re.sub(r"[a-z]+$", "", length))
    unit = re.sub(r"^[\d.]+", "", length)
    return {"cm": value, "mm": value / 10, "in": value * 2.54, "pt": value / 72 * 2.54}[unit]


def _ods(path: Path) -> Book:
    with zipfile.ZipFile(path) as archive:
        content = ET.fromstring(archive.read("content.xml"))
        styles = ET.fromstring(archive.read("styles.xml"))
        meta = ET.fromstring(archive.read("meta.xml"))
    all_styles = {
        s.get(q("style:name")): s for root in (content, styles) for s in root.iter(q("style:style"))
    }
    number_styles = {s.get(q("style:name")): s for s in styles.iter(q("number:number-style"))}
    fonts = {
        t.get(q("style:font-name"))
        for root in (content, styles)
        for t in root.iter(q("style:text-properties"))
    }
    fonts |= {f.get(q("style:name")) for f in content.iter(q("style:font-face"))}
    fonts |= {f.get(q("style:name")) for f in styles.iter(q("style:font-face"))}
    named_fonts = {f for f in fonts if f is not None}

    def text_of(cell: ET.Element) -> str:
        return "\n".join("".join(p.itertext()) for p in cell.findall(q("text:p")))

    sheets: dict[str, list[list[Any]]] = {}
    count_formats: dict[str, set[str]]
    headings, links, header_rows, count_formats, empty = {}, [], {}, {}, 0
    for sheet in content.iter(q("table:table")):
        name = _attr(sheet, q("table:name"))
        widths_cm = []
        for column in sheet.findall(q("table:table-column")):
            props = all_styles[column.get(q("table:style-name"))].find(q("style:table-column-properties"))
            widths_cm.append(_cm(_attr(props, q("style:column-width"))))
        rows = []
        # A table's header row sits in table:table-header-rows (repeated on every printed page).
        for row in sheet.iter(q("table:table-row")):
            cells = row.findall(q("table:table-cell"))
            values: list[Any] = []
            for cell in cells:
                kind = cell.get(q("office:value-type"))
                text = text_of(cell)
                if kind == "string" and text == "":
                    empty += 1
                values.append(float(_attr(cell, q("office:value"))) if kind == "float" else text or None)
                for a in cell.iter(q("text:a")):
                    links.append(_attr(a, q("xlink:href")))
                if kind == "float" and name.startswith("Table_"):
                    data = all_styles[cell.get(q("table:style-name"))].get(q("style:data-style-name"))
                    number = number_styles.get(data)
                    grouping = number is not None and _child(number, q("number:number")).get(
                        q("number:grouping")
                    )
                    shown = "#,##0" if grouping == "true" else f"no grouping ({data})"
                    count_formats.setdefault(name, set()).add(shown)
            rows.append(values)
            if len(cells) > 1 and len(rows) > 1 and name not in header_rows:
                height_style = all_styles.get(row.get(q("table:style-name")))
                height = 0.0
                if height_style is not None:
                    props = height_style.find(q("style:table-row-properties"))
                    height = _cm(_attr(props, q("style:row-height"))) / 2.54 * 72
                # A character of 10-point Arial is about 0.19 cm: widths in characters, as Excel counts them.
                header_rows[name] = (
                    [text_of(c) for c in cells],
                    [(w - 0.2) / 0.19 for w in widths_cm],
                    height,
                )
        sheets[name] = rows
        first = _child(_child(sheet, q("table:table-row")), q("table:table-cell"))
        style = all_styles[first.get(q("table:style-name"))]
        headings[name] = style.get(q("style:display-name")) or _attr(style, q("style:name"))
    filters = content.find(f".//{q('table:database-ranges')}")
    buttons = filters is not None and any(r.get(q("table:display-filter-buttons")) == "true" for r in filters)
    office_meta = _child(meta, q("office:meta"))
    return Book(
        title=office_meta.findtext(q("dc:title")) or "",
        language=office_meta.findtext(q("dc:language")) or "",
        author=office_meta.findtext(q("dc:creator")) or office_meta.findtext(q("meta:initial-creator")) or "",
        sheets=sheets,
        fonts=named_fonts,
        filter_buttons=buttons,
        headings=headings,
        count_formats=count_formats,
        links=links,
        header_rows=header_rows,
        empty_strings=empty,
    )


@pytest.fixture(params=["xlsx", "ods"], scope="module")
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The Kent 2014-15 publication workbook in each format, as a reader sees it."""
    path = _publish(tmp_path_factory.mktemp(request.param), request.param)
    return _xlsx(path) if request.param == "xlsx" else _ods(path)


def _text(book: Book, sheet: str) -> str:
    return "\n".join(str(v) for row in book.sheets[sheet] for v in row if v is not None)


def test_document_title_language_and_author(book: Book) -> None:
    """Title and language are required; the author is the contact, not the software."""
    assert book.title == "MAPPA statistics: Kent, 2014-15"
    assert book.language == "en-GB"
    assert book.author == "kent.mappa@example.org"


def test_no_filter_buttons(book: Book) -> None:
    """Filter buttons hide rows from a screen-reader user: none."""
    assert not book.filter_buttons


def test_one_named_font_throughout(book: Book) -> None:
    """Arial everywhere: no unnamed or default (Calibri, serif) font."""
    assert book.fonts == {"Arial"}


def test_heading_styles(book: Book) -> None:
    """Every sheet's title is in the Heading 1 style."""
    assert set(book.headings.values()) == {"Heading 1"}
    assert len(book.headings) == 3 + 8


def test_counts_have_thousands_separators(book: Book) -> None:
    """#,##0 on every count cell of the tables (1,548 not 1548): every table described as numbers."""
    counted = [s for s in book.sheets if s.startswith("Table_") and "Number" in str(book.sheets[s][1][0])]
    assert len(counted) == 6
    for sheet in counted:
        assert book.count_formats[sheet] == {"#,##0"}, sheet


def test_units_in_headers(book: Book) -> None:
    """The rate says 'per 100,000 people aged 10 and over'; the share says '%'."""
    rate = next(s for s in book.sheets if "per 100,000" in str(book.sheets[s][0][0]))
    assert book.header_rows[rate][0][1] == "Rate per 100,000 people aged 10 and over"
    share = next(s for s in book.sheets if "Commentary" in str(book.sheets[s][0][0]))
    assert "(%)" in book.header_rows[share][0][1]


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("MAPPA-eligible offenders on 31 March 2015", "Numbers of people"),
        ("Restrictive orders", "Numbers of orders"),
        ("Commentary figures", "A percentage"),
        ("Total number of Registered Sexual Offenders per 100,000", "A rate"),
    ],
)
def test_each_table_is_described_as_what_it_counts(book: Book, title: str, word: str) -> None:
    """People, orders, a percentage, a rate: never 'counts of people' for all of them."""
    sheet = next(s for s in book.sheets if s.startswith("Table_") and title in str(book.sheets[s][0][0]))
    assert word in str(book.sheets[sheet][1][0])


def test_abbreviations_are_spelled_out(book: Book) -> None:
    """SOPO, NO, FTO (and RSO, MAPPA) in the notes with their full names."""
    notes = {row[0]: row[1] for row in book.sheets["Notes"] if row and len(row) > 1 and row[1]}
    assert notes["SOPO"] == "Abbreviation: Sexual Offences Prevention Order"
    assert notes["NO"] == "Abbreviation: Notification Order"
    assert notes["FTO"] == "Abbreviation: Foreign Travel Order"
    assert "RSO" in notes
    assert "MAPPA" in notes


def test_cover_has_title_period_release_contact_and_source(book: Book) -> None:
    """The cover: what, when, the next release, whom to ask, where from, and whether it was validated."""
    cover = _text(book, "Cover")
    assert book.sheets["Cover"][0][0] == "MAPPA statistics: Kent, 2014-15"
    for line in (
        "Reporting period: 1 April 2014 to 31 March 2015",
        "Released: 1 December 2015.",
        "Next release: Autumn 2016.",
        "Contact: kent.mappa@example.org.",
        "Source: Kent MAPPA annual report 2014-15.",
        "Validated with mappa-stats",
    ):
        assert line in cover


def test_contents_links_to_every_sheet(book: Book) -> None:
    """Each worksheet listed in Contents is a link to it."""
    targets = [re.sub(r"^#|'|\.A1$|!A1$", "", link) for link in book.links]
    assert targets == ["Notes", *(f"Table_{n}" for n in range(1, 9))]


def test_every_header_is_shown_whole(book: Book) -> None:
    """Column widths and header row heights leave room for every header's text."""
    for sheet, (texts, widths, height) in book.header_rows.items():
        assert texts[0], sheet
        lines_available = max(1, math.floor((height - 2) / 12.5))
        for text, width in zip(texts, widths, strict=True):
            longest_word = max(len(w) for w in text.split())
            assert longest_word <= width, (sheet, text, width)
            needed = math.ceil(len(text) / max(width - 3, 1))
            assert needed <= lines_available, (sheet, text, width, height)


def test_no_cell_holds_an_empty_string(book: Book) -> None:
    """An empty-string cell cuts off the text to its left: none."""
    assert book.empty_strings == 0
