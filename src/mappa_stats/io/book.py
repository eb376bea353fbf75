"""A spreadsheet as its reader sees it, for the accessibility checklist (checklist/): each cell's text and
look (style, alignment, wrapping, fill, link), column widths and row heights, the marked-up tables,
what is hidden, merged or frozen, charts and images, fonts, document properties and where it opens.

Read from an .xlsx (openpyxl, and its drawing parts for alternative text) or an .ods (its XML parts),
made by mappa-stats or anywhere else, after the guard's checks (guard.py, archive.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from mappa_stats.errors import InputError
from mappa_stats.io.archive import check_zip, column_number
from mappa_stats.io.guard import display_name, read_input

# A character of 10-point Arial, and the padding a column has: how widths in cm become characters.
CHAR_CM = 0.19
PAD_CM = 0.2
DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 12.75


@dataclass
class BookCell:
    """One cell: its value (text or number) and how it looks."""

    value: str | float | None
    numeric: bool = False
    style: str = ""  # the named style: 'Heading 1' …
    right: bool = False  # aligned right (or 'end')
    wrap: bool = False
    fill: bool = False  # a background colour
    link: str | None = None  # '#Sheet' inside the workbook, or an address
    size: float = 10.0  # points
    grouped: bool = False  # a number shown with thousands separators (#,##0)


@dataclass
class BookTable:
    """A marked-up table: an Excel table object, or an ODS named or database range (1-based, inclusive)."""

    name: str
    top: int
    left: int
    bottom: int
    right: int
    filter_buttons: bool = False


@dataclass
class BookSheet:
    """One worksheet."""

    name: str
    cells: dict[tuple[int, int], BookCell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # characters, by column
    heights: dict[int, float] = field(default_factory=dict)  # points, by row (absent: fits its text)
    hidden: bool = False
    hidden_rows: int = 0
    hidden_columns: int = 0
    merged: int = 0
    frozen: bool = False
    tables: list[BookTable] = field(default_factory=list)
    printed_columns: int = 0  # the print area's last column (0: the used columns)

    def width(self, column: int) -> float:
        return self.widths.get(column, DEFAULT_WIDTH)

    def text(self, row: int, column: int) -> str:
        cell = self.cells.get((row, column))
        return "" if cell is None or cell.value is None else str(cell.value)

    @property
    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


@dataclass
class Book:
    """A workbook as its reader sees it."""

    fmt: str
    title: str = ""
    language: str = ""
    author: str = ""
    sheets: list[BookSheet] = field(default_factory=list)
    fonts: set[tuple[str, float]] = field(default_factory=set)
    drawings: list[tuple[str, str]] = field(default_factory=list)  # ('chart'|'image', alternative text)
    header_footer: bool = False
    opens_at: tuple[str, str] = ("", "A1")  # the sheet and cell it opens at

    def sheet(self, name: str) -> BookSheet | None:
        return next((s for s in self.sheets if s.name.casefold() == name.casefold()), None)


def read_book(path: Path) -> Book:
    """The workbook at `path` (.xlsx or .ods), after the guard's checks; InputError for anything else."""
    display = display_name(path)
    data = read_input(path, "publication")
    if not data.startswith(b"PK\x03\x04"):  # not a zip at all: a CSV, a PDF, an old .xls — not 'damaged'
        raise InputError(
            f"{display}: not an .xlsx or .ods workbook; check-publication checks a publication spreadsheet "
            "(save it from Excel or LibreOffice as .xlsx or .ods)"
        )
    kind = check_zip(display, data, "publication")
    if kind == "xlsx":
        return _xlsx(data)
    if kind == "ods":
        return _ods(data)
    raise InputError(f"{display}: not an .xlsx or .ods workbook; give a spreadsheet to check")


def _xlsx(data: bytes) -> Book:
    """An .xlsx through openpyxl (its drawings' alternative text from the parts themselves)."""
    from openpyxl import load_workbook  # lazy: openpyxl is slow to load

    wb = load_workbook(io.BytesIO(data))
    book = Book(
        "xlsx",
        title=wb.properties.title or "",
        language=wb.properties.language or "",
        author=wb.properties.creator or "",
        fonts={(f.name or "", float(f.sz or 11)) for f in wb._fonts},  # type: ignore[attr-defined]
    )
    for ws in wb.worksheets:
        book.sheets.append(_xlsx_sheet(ws))
        for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
            if any(getattr(part, side).text for side in ("left", "center", "right")):
                book.header_footer = True
    active = wb.active
    selection = active.sheet_view.selection if active is not None else []
    cell = (selection[0].activeCell or "A1") if selection else "A1"
    book.opens_at = (active.title if active is not None else "", cell)
    book.drawings = _xlsx_drawings(data)
    return book


def _xlsx_sheet(ws: Any) -> BookSheet:
    from openpyxl.utils import column_index_from_string

    sheet = BookSheet(ws.title, hidden=ws.sheet_state != "visible", merged=len(ws.merged_cells.ranges))
    sheet.frozen = ws.freeze_panes is not None
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or c.value == "":
                continue
            link = c.hyperlink
            target = None if link is None else f"#{link.location}" if link.location else link.target
            fill = c.fill is not None and c.fill.fill_type not in (None, "none")
            sheet.cells[(c.row, c.column)] = BookCell(
                c.value if isinstance(c.value, (int, float, str)) else str(c.value),
                numeric=isinstance(c.value, (int, float)) and not isinstance(c.value, bool),
                style=c.style or "",
                # Excel aligns a number right unless told otherwise.
                right=c.alignment.horizontal == "right"
                or (c.alignment.horizontal is None and isinstance(c.value, (int, float))),
                wrap=bool(c.alignment.wrap_text),
                fill=fill,
                link=target,
                size=float(c.font.sz or 11),
                grouped="#,##0" in (c.number_format or ""),
            )
    default = ws.sheet_format.defaultRowHeight or 15.0
    for r in range(1, sheet.last_row + 1):
        dim = ws.row_dimensions.get(r)
        sheet.heights[r] = float(dim.height) if dim is not None and dim.height else float(default)
        sheet.hidden_rows += int(bool(dim is not None and dim.hidden))
    for letter, dim in ws.column_dimensions.items():
        number = column_index_from_string(letter)
        if dim.width:
            for column in range(number, (dim.max or number) + 1):
                sheet.widths[column] = float(dim.width)
        sheet.hidden_columns += int(bool(dim.hidden))
    for table in ws.tables.values():
        top, left, bottom, right = _bounds(table.ref)
        sheet.tables.append(
            BookTable(table.displayName, top, left, bottom, right, table.autoFilter is not None)
        )
    if ws.auto_filter.ref:
        sheet.tables.append(BookTable("(filter)", *_bounds(ws.auto_filter.ref), filter_buttons=True))
    if ws.print_area:
        sheet.printed_columns = _bounds(str(ws.print_area).split("!")[-1].replace("$", ""))[3]
    return sheet


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """'A5:E9' as (top, left, bottom, right)."""
    first, _, last = ref.partition(":")
    last = last or first
    a, b = (re.fullmatch(r"([A-Z]+)(\d+)", part.upper()) for part in (first, last))
    if a is None or b is None:
        raise InputError(f"a range reference that is not A1:B2 ({ref}); save the workbook again")
    return int(a[2]), column_number(a[1]), int(b[2]), column_number(b[1])


def _xlsx_drawings(data: bytes) -> list[tuple[str, str]]:
    """Each chart or picture in the drawing parts, with its alternative text ('descr')."""
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                continue
            root = ET.fromstring(archive.read(name))
            for anchor in root:
                kind = "chart" if any(_local(e.tag) == "graphicFrame" for e in anchor) else "image"
                props = next((e for e in anchor.iter() if _local(e.tag) == "cNvPr"), None)
                if props is not None:
                    found.append((kind, props.get("descr", "")))
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}


def q(name: str) -> str:
    """'table:name' as ElementTree's {uri}name."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _length_cm(length: str | None) -> float:
    """'2.5cm', '12pt', '1in', '10mm' in cm (0 for none)."""
    match = re.fullmatch(r"([\d.]+)\s*(cm|mm|in|pt)", length or "")
    if match is None:
        return 0.0
    return float(match[1]) * {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72}[match[2]]


class _OdsStyles:
    """An .ods's cell, column and row styles, each with its parents' properties."""

    def __init__(self, roots: list[ET.Element]) -> None:
        self.styles = {s.get(q("style:name")): s for root in roots for s in root.iter(q("style:style"))}
        self.numbers = {
            s.get(q("style:name")): s for root in roots for s in root.iter(q("number:number-style"))
        }

    def chain(self, name: str | None) -> list[ET.Element]:
        out: list[ET.Element] = []
        while name and name in self.styles and len(out) < 10:
            out.append(self.styles[name])
            name = self.styles[name].get(q("style:parent-style-name"))
        return out

    def grouped(self, data_style: str | None) -> bool:
        """True when this number style shows thousands separators."""
        number = self.numbers.get(data_style)
        found = number.find(q("number:number")) if number is not None else None
        return found is not None and found.get(q("number:grouping")) == "true"

    def prop(self, name: str | None, element: str, attribute: str) -> str | None:
        """An attribute of the style or its parents: of the style itself when `element` is ''."""
        for style in self.chain(name):
            found = style.find(q(element)) if element else style
            if found is not None and found.get(q(attribute)) is not None:
                return found.get(q(attribute))
        return None

    def display(self, name: str | None) -> str:
        for style in self.chain(name):
            shown = style.get(q("style:display-name")) or style.get(q("style:name")) or ""
            if shown.startswith("Heading"):
                return shown
        chain = self.chain(name)
        return (chain[0].get(q("style:display-name")) or chain[0].get(q("style:name")) or "") if chain else ""


def _ods(data: bytes) -> Book:
    """An .ods from its XML parts: content (sheets, cells, ranges), styles, meta and settings."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {
            n: archive.read(n)
            for n in ("content.xml", "styles.xml", "meta.xml", "settings.xml")
            if n in archive.namelist()
        }
    content = ET.fromstring(parts["content.xml"])
    styles_root = ET.fromstring(parts.get("styles.xml", b"<x/>"))
    styles = _OdsStyles([content, styles_root])
    book = Book("ods")
    if "meta.xml" in parts:
        meta = ET.fromstring(parts["meta.xml"])
        book.title = meta.findtext(f".//{q('dc:title')}") or ""
        book.language = meta.findtext(f".//{q('dc:language')}") or ""
        book.author = (
            meta.findtext(f".//{q('dc:creator')}") or meta.findtext(f".//{q('meta:initial-creator')}") or ""
        )
    for root in (content, styles_root):
        for props in root.iter(q("style:text-properties")):
            font = props.get(q("style:font-name"))
            if font:
                book.fonts.add((font, _length_cm(props.get(q("fo:font-size")) or "10pt") * 72 / 2.54))
    for master in styles_root.iter(q("style:master-page")):
        for part in ("style:header", "style:footer"):
            shown = master.find(q(part))
            if (
                shown is not None
                and shown.get(q("style:display")) != "false"
                and "".join(shown.itertext()).strip()
            ):
                book.header_footer = True
    for table in content.iter(q("table:table")):
        book.sheets.append(_ods_sheet(table, styles))
        for frame in table.iter(q("draw:frame")):
            kind = "chart" if frame.find(q("draw:object")) is not None else "image"
            alt = frame.findtext(q("svg:desc")) or frame.findtext(q("svg:title")) or ""
            book.drawings.append((kind, alt))
    _ods_ranges(content, book)
    book.opens_at = (book.sheets[0].name if book.sheets else "", "A1")
    if "settings.xml" in parts:
        _ods_settings(ET.fromstring(parts["settings.xml"]), book)
    return book


def _ods_cell(cell: ET.Element, styles: _OdsStyles, style: str | None) -> BookCell | None:
    kind = cell.get(q("office:value-type"))
    text = "\n".join("".join(p.itertext()) for p in cell.findall(q("text:p")))
    if kind is None and not text:
        return None
    numeric = kind in ("float", "percentage", "currency")
    link = next((a.get(q("xlink:href")) for a in cell.iter(q("text:a"))), None)
    background = styles.prop(style, "style:table-cell-properties", "fo:background-color")
    size = styles.prop(style, "style:text-properties", "fo:font-size")
    return BookCell(
        float(cell.get(q("office:value"), "0")) if numeric else text,
        numeric=numeric,
        style=styles.display(style),
        right=_aligned_right(styles.prop(style, "style:paragraph-properties", "fo:text-align"), numeric),
        wrap=styles.prop(style, "style:table-cell-properties", "fo:wrap-option") == "wrap",
        fill=background not in (None, "transparent", "#ffffff", "#FFFFFF"),
        link=link,
        size=_length_cm(size) * 72 / 2.54 if size else 10.0,
        grouped=styles.grouped(styles.prop(style, "", "style:data-style-name")),
    )


def _aligned_right(align: str | None, numeric: bool) -> bool:
    """Right-aligned: said so, or a number left to the default (a spreadsheet aligns numbers right)."""
    return align in ("end", "right") or (align is None and numeric)


def _ods_sheet(table: ET.Element, styles: _OdsStyles) -> BookSheet:
    """One table:table: its columns' widths, its rows' heights and cells (repeats expanded, to a limit)."""
    sheet = BookSheet(table.get(q("table:name"), ""))
    sheet.hidden = (
        styles.prop(table.get(q("table:style-name")), "style:table-properties", "table:display") == "false"
    )
    column = 1
    defaults: dict[int, str | None] = {}
    for col in table.iter(q("table:table-column")):
        repeat = min(int(col.get(q("table:number-columns-repeated"), "1")), 1024)
        width = _length_cm(
            styles.prop(col.get(q("table:style-name")), "style:table-column-properties", "style:column-width")
        )
        for _ in range(repeat):
            if width:
                sheet.widths[column] = max((width - PAD_CM) / CHAR_CM, 0.0)
            defaults[column] = col.get(q("table:default-cell-style-name"))
            sheet.hidden_columns += int(col.get(q("table:visibility"), "visible") != "visible")
            column += 1
    r = 0
    for row in table.iter(q("table:table-row")):
        repeat = int(row.get(q("table:number-rows-repeated"), "1"))
        cells = list(row)
        for _ in range(min(repeat, 1 if not any(len(c) for c in cells) else 1000)):
            r += 1
            sheet.hidden_rows += int(row.get(q("table:visibility"), "visible") != "visible")
            style = row.get(q("table:style-name"))
            height = styles.prop(style, "style:table-row-properties", "style:row-height")
            optimal = styles.prop(style, "style:table-row-properties", "style:use-optimal-row-height")
            if height and optimal != "true":
                sheet.heights[r] = _length_cm(height) * 72 / 2.54
            _ods_row(sheet, r, cells, styles, defaults)
    return sheet


def _ods_row(
    sheet: BookSheet, r: int, cells: list[ET.Element], styles: _OdsStyles, defaults: dict[int, str | None]
) -> None:
    c = 1
    for cell in cells:
        if _local(cell.tag) not in ("table-cell", "covered-table-cell"):
            continue
        repeat = min(int(cell.get(q("table:number-columns-repeated"), "1")), 1024)
        if (
            int(cell.get(q("table:number-columns-spanned"), "1")) > 1
            or int(cell.get(q("table:number-rows-spanned"), "1")) > 1
        ):
            sheet.merged += 1
        for _ in range(repeat):
            found = _ods_cell(cell, styles, cell.get(q("table:style-name")) or defaults.get(c))
            if found is not None:
                sheet.cells[(r, c)] = found
            c += 1


def _range(address: str) -> tuple[str, tuple[int, int, int, int]] | None:
    """'$Table_1.$A$6:.$E$10' as ('Table_1', (6, 1, 10, 5))."""
    match = re.fullmatch(r"\$?'?(.+?)'?\.\$?([A-Z]+)\$?(\d+)(?::\$?'?.*?'?\.\$?([A-Z]+)\$?(\d+))?", address)
    if match is None:
        return None
    last_col, last_row = match[4] or match[2], match[5] or match[3]
    return match[1].replace("''", "'"), (
        int(match[3]),
        column_number(match[2]),
        int(last_row),
        column_number(last_col),
    )


def _ods_ranges(content: ET.Element, book: Book) -> None:
    """Named ranges and database ranges, as each sheet's marked-up tables; print ranges."""
    for element, buttons in [(e, False) for e in content.iter(q("table:named-range"))] + [
        (e, e.get(q("table:display-filter-buttons")) == "true")
        for e in content.iter(q("table:database-range"))
    ]:
        found = _range(element.get(q("table:cell-range-address"), "").split(" ")[0])
        sheet = book.sheet(found[0]) if found else None
        if found is not None and sheet is not None:
            sheet.tables.append(
                BookTable(element.get(q("table:name"), ""), *found[1], filter_buttons=buttons)
            )
    for table in content.iter(q("table:table")):
        printed = _range(table.get(q("table:print-ranges"), "").split(" ")[0])
        sheet = book.sheet(table.get(q("table:name"), ""))
        if printed is not None and sheet is not None:
            sheet.printed_columns = printed[1][3]


def _ods_settings(settings: ET.Element, book: Book) -> None:
    """Where the file opens (ActiveTable, its cursor) and which sheets have frozen panes."""
    for item in settings.iter(q("config:config-item")):
        if item.get(q("config:name")) == "ActiveTable" and item.text:
            book.opens_at = (item.text, book.opens_at[1])
    for entry in settings.iter(q("config:config-item-map-entry")):
        sheet = book.sheet(entry.get(q("config:name"), ""))
        if sheet is None:
            continue
        values = {i.get(q("config:name")): i.text for i in entry.findall(q("config:config-item"))}
        sheet.frozen = "2" in (values.get("HorizontalSplitMode"), values.get("VerticalSplitMode"))
        if sheet.name == book.opens_at[0]:
            x, y = int(values.get("CursorPositionX") or 0), int(values.get("CursorPositionY") or 0)
            book.opens_at = (sheet.name, "A1" if (x, y) == (0, 0) else f"R{y + 1}C{x + 1}")
