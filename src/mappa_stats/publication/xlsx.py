"""Writing publication sheets as an accessible .xlsx: Arial, heading styles, each table an Excel table
object without filter buttons, counts with thousands separators, links, page setup and described charts.

openpyxl is imported where it is used (it is slow to load), so a run that writes no .xlsx never loads it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from mappa_stats.publication.charts import add_bar_chart
from mappa_stats.publication.sheets import COUNT_FORMAT, FONT, OutputSheet, cell_text
from mappa_stats.publication.sizes import (
    MARGINS_INCHES,
    PAPER_A4,
    ROW_POINTS,
    body_height,
    header_height,
    is_right,
    pages_wide,
    print_columns,
    text_heights,
    widths,
)
from mappa_stats.version import PRODUCER


def _workbook(props: dict[str, str]) -> Any:
    """An empty workbook with these document properties, Arial everywhere and the heading styles."""
    from openpyxl import Workbook  # lazy: loaded only when writing an .xlsx
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, NamedStyle
    from openpyxl.utils.indexed_list import IndexedList

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    wb.properties.title = props["title"]
    wb.properties.language = props["language"]
    wb.properties.creator = props["author"]
    wb.properties.lastModifiedBy = props["author"]
    wb.properties.subject = props["subject"]
    for name, value in (
        ("Producer", PRODUCER),
        ("MAPPA area", props["area"]),
        ("Template year", props["year"]),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))  # type: ignore[attr-defined]
    # Arial everywhere: the default font (every cell without its own), the Normal style, then named
    # heading styles with Excel's built-in ids, so Excel and LibreOffice list them as Heading 1 and 2.
    wb._fonts = IndexedList([Font(name=FONT, size=10)])  # type: ignore[attr-defined]
    normal = wb._named_styles["Normal"]  # type: ignore[attr-defined]
    normal.font = Font(name=FONT, size=10)
    heading1 = NamedStyle(name="Heading 1", builtinId=16, font=Font(name=FONT, size=14, bold=True))
    heading2 = NamedStyle(
        name="Heading 2",
        builtinId=17,
        font=Font(name=FONT, size=10, bold=True),
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    wb.add_named_style(heading1)
    wb.add_named_style(heading2)
    return wb


def _body(ws: Any, sheet: OutputSheet, top: int, sizes: list[float]) -> None:
    """The table's rows below its header row `top`: counts right-aligned, text wrapped, links linked."""
    from openpyxl.styles import Alignment, Font  # lazy: loaded only when writing an .xlsx
    from openpyxl.worksheet.hyperlink import Hyperlink

    plain = Font(name=FONT, size=10)
    link_font = Font(name=FONT, size=10, color="0563C1", underline="single")
    for r, values in enumerate(sheet.rows, start=top + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, cell_text(value))
            cell.font = plain
            if is_right(sheet, c - 1):
                cell.alignment = Alignment(horizontal="right", vertical="top")
                if isinstance(value, (int, float)) and sheet.counts[c - 1]:
                    cell.number_format = COUNT_FORMAT
            elif c > 1:  # indented: text after a right-aligned number does not run into it
                cell.alignment = Alignment(
                    horizontal="left", wrap_text=True, vertical="top", indent=2 * bool(sheet.counts)
                )
            else:
                cell.alignment = Alignment(vertical="top")  # level with a wrapped row's first line
            if sheet.links and c == 1:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{value}'!A1")
                cell.font = link_font
        height = body_height(values, sizes)
        if height:
            ws.row_dimensions[r].height = height


def _table(ws: Any, sheet: OutputSheet, sizes: list[float]) -> None:
    """The header row, the rows below it, and the Excel table object over them (and the chart, if any)."""
    from openpyxl.styles import Alignment  # lazy: loaded only when writing an .xlsx
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    top = len(sheet.lines) + 2
    for c, text in enumerate(sheet.header, start=1):
        head = ws.cell(top, c, cell_text(text))
        head.style = "Heading 2"
        if is_right(sheet, c - 1):  # over its own right-aligned figures
            head.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right")
        elif c > 1 and sheet.counts:  # over its own indented text
            head.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=2)
    ws.row_dimensions[top].height = header_height(sheet, sizes)
    _body(ws, sheet, top, sizes)
    end = ws.cell(top + len(sheet.rows), len(sheet.header)).coordinate
    table = Table(displayName=f"{sheet.name}_table", ref=f"A{top}:{end}")
    # Named columns given here, so openpyxl adds no autoFilter: no filter buttons (GSS).
    table.tableColumns = [
        TableColumn(id=i, name=str(cell_text(h))) for i, h in enumerate(sheet.header, start=1)
    ]
    table.autoFilter = None
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    ws.add_table(table)
    if sheet.bar_chart:
        add_bar_chart(ws, sheet, top)


def _page_setup(ws: Any, sheet: OutputSheet, sizes: list[float]) -> None:
    """Column widths, and printed (sizes.PAGE_…): the width of a landscape A4 page, the header row on every
    page, and a table too wide for one page its first column on each."""
    from openpyxl.utils import get_column_letter  # lazy: loaded only when writing an .xlsx

    extra = print_columns(sheet, sizes)
    for i, width in enumerate([*sizes, *extra], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if extra:  # the lines that run on past the table are printed whole
        ws.print_area = (
            f"A1:{get_column_letter(len(sizes) + len(extra))}{len(sheet.lines) + 2 + len(sheet.rows)}"
        )
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    wide = pages_wide(sizes)  # the extra column shrinks a one-page sheet; never adds a page
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = 1 if sheet.bar_chart else 0  # a chart is never cut across two pages
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for side, inches in MARGINS_INCHES.items():
        setattr(ws.page_margins, side, inches)
    if sheet.header:
        ws.print_title_rows = f"{len(sheet.lines) + 2}:{len(sheet.lines) + 2}"
    if wide > 1:
        ws.print_title_cols = "A:A"  # each page's rows named


def _lines(ws: Any, sheet: OutputSheet, sizes: list[float]) -> None:
    """The title and the lines above the table: wrapped in the first column where they would be cut
    (sizes.text_heights), linked where they name an address."""
    from openpyxl.styles import Alignment, Font  # lazy: loaded only when writing an .xlsx

    links = dict(sheet.line_links)
    for r, (text, height) in enumerate(
        zip((sheet.title, *sheet.lines), text_heights(sheet, sizes), strict=True), 1
    ):
        cell = ws.cell(r, 1, cell_text(text))
        if r == 1:
            cell.style = "Heading 1"
        else:
            cell.font = Font(name=FONT, size=10)
        if height is not None:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[r].height = height
        if r - 2 in links:
            cell.hyperlink = links[r - 2]
            cell.font = Font(name=FONT, size=10, color="0563C1", underline="single")


def write_xlsx_sheets(sheets: Sequence[OutputSheet], props: dict[str, str], path: Path) -> None:
    """Write these sheets as an accessible .xlsx with these document properties (area and national)."""
    wb = _workbook(props)
    charted: list[tuple[Any, str]] = []
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        # Arial 10's row height (openpyxl says Calibri 11's 15 points): rows print as the .ods's do.
        ws.sheet_format.defaultRowHeight = ROW_POINTS
        sizes = widths(sheet)
        _lines(ws, sheet, sizes)
        if sheet.header:
            _table(ws, sheet, sizes)
            if sheet.bar_chart:
                charted.append((ws, sheet.chart_description or sheet.bar_chart))
        _page_setup(ws, sheet, sizes)
    if not charted:
        wb.save(path)
        return
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl gives a chart a title but no alternative text: the drawing parts it wrote (known only once
    # saved) get each chart's description, as Excel's "Alt Text" writes it.
    _describe_charts(buffer.getvalue(), {ws._drawing.path.lstrip("/"): text for ws, text in charted}, path)


def _with_descr(text: str) -> Callable[[re.Match[bytes]], bytes]:
    """A replacement adding descr="…" (already quoted) to the element its match opens."""
    return lambda match: match.group(0) + b" descr=" + text.encode("utf-8")


def _describe_charts(data: bytes, descriptions: dict[str, str], path: Path) -> None:
    """Write the .xlsx `data` to `path` with each drawing part's chart described (its `descr`)."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info)
            if info.filename in descriptions:
                text = quoteattr(str(cell_text(descriptions[info.filename])))
                part = re.sub(rb'<cNvPr id="\d+" name="Chart \d+"', _with_descr(text), part, count=1)
            target.writestr(info, part)
