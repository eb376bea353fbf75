"""Writing publication sheets as an OpenDocument spreadsheet (.ods): the .xlsx's content, styles, widths,
links, print setup and chart, in OpenDocument's terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from odf import dc, meta
from odf.namespaces import STYLENS
from odf.number import Number, NumberStyle
from odf.office import FontFaceDecls  # noqa: F401 - imported for its registration side effects
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    DefaultStyle,
    FontFace,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.table import (
    NamedExpressions,
    NamedRange,
    Table,
    TableCell,
    TableColumn,
    TableHeaderColumns,
    TableHeaderRows,
    TableRow,
)
from odf.text import A, P

from mappa_stats.publication.charts import ods_bar_chart
from mappa_stats.publication.sheets import FONT, OutputSheet, cell_text
from mappa_stats.publication.sizes import (
    CHAR_CM,
    CHART_GAP,
    MARGINS_INCHES,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    body_height,
    header_height,
    is_right,
    pages_wide,
    print_columns,
    text_heights,
    widths,
)
from mappa_stats.version import PRODUCER, __version__


def _document(props: dict[str, str]) -> Any:
    """An empty spreadsheet with these document properties, mappa-stats its generator, Arial its font."""
    doc = OpenDocumentSpreadsheet()
    # odfpy names itself the generator; mappa-stats is the producer, so it recognises its own files.
    for element in list(doc.meta.childNodes):
        doc.meta.removeChild(element)
    doc.meta.addElement(meta.Generator(text=f"{PRODUCER}/{__version__}"))
    doc.meta.addElement(dc.Title(text=props["title"]))
    doc.meta.addElement(dc.Language(text=props["language"]))
    doc.meta.addElement(dc.Creator(text=props["author"]))
    doc.meta.addElement(meta.InitialCreator(text=props["author"]))
    doc.meta.addElement(dc.Subject(text=props["subject"]))
    for name, value in (
        ("Producer", PRODUCER),
        ("MAPPA area", props["area"]),
        ("Template year", props["year"]),
    ):
        doc.meta.addElement(meta.UserDefined(name=name, valuetype="string", text=value))
    doc.fontfacedecls.addElement(
        FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss", fontpitch="variable")
    )
    default = DefaultStyle(family="table-cell")
    default.addElement(TextProperties(fontname=FONT, fontsize="10pt", language="en", country="GB"))
    doc.styles.addElement(default)
    return doc


class _Writer:
    """One .ods being written: its document and the styles made for it so far (each made once, named in
    the order first needed)."""

    def __init__(self, props: dict[str, str]) -> None:
        self.doc = _document(props)
        grouped = NumberStyle(name="N_count")
        grouped.addElement(Number(decimalplaces="0", minintegerdigits="1", grouping="true"))
        self.doc.styles.addElement(grouped)
        self.heading1 = self._cell_style("Heading_20_1", "Heading 1", bold=True, size="14pt")
        self.heading2 = self._cell_style("Heading_20_2", "Heading 2", bold=True, wrap=True)
        self.heading2_right = self._cell_style(
            "Heading_20_2_20_right", "Heading 2 right", bold=True, wrap=True, right=True
        )
        self.heading2_indented = self._cell_style(
            "Heading_20_2_20_indented", "Heading 2 indented", bold=True, wrap=True, indent=True
        )
        # A title wrapped in its column is still a Heading 1: an automatic style of it (as LibreOffice saves).
        self.heading1_wrapped = Style(
            name="ce_title_wrapped", family="table-cell", parentstylename=self.heading1
        )
        self.heading1_wrapped.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
        self.doc.automaticstyles.addElement(self.heading1_wrapped)
        self.text = self._cell_style("Text", "Text")
        self.wrapped = self._cell_style("Text_20_wrapped", "Text wrapped", wrap=True)
        # Text after a right-aligned number, indented so as not to run into it (the .xlsx's indent).
        self.indented = self._cell_style("Text_20_indented", "Text indented", wrap=True, indent=True)
        self.count = self._cell_style("Count", "Count", right=True, number="N_count")
        self.right_text = self._cell_style("Text_20_right", "Text right", right=True)
        self.table_styles = {False: self._page_style(1, False), True: self._page_style(2, True)}
        self.wide_styles: dict[int, Style] = {}
        self.column_styles: dict[float, Style] = {}
        self.row_styles: dict[float, Style] = {}

    def _cell_style(
        self,
        name: str,
        display: str,
        *,
        bold: bool = False,
        size: str = "10pt",
        wrap: bool = False,
        right: bool = False,
        number: str | None = None,
        indent: bool = False,
    ) -> Style:
        style = Style(name=name, displayname=display, family="table-cell")
        if number:
            style.setAttribute("datastylename", number)
        style.addElement(TableCellProperties(wrapoption="wrap" if wrap else "no-wrap", verticalalign="top"))
        if right:
            style.addElement(ParagraphProperties(textalign="end"))
        elif indent:
            style.addElement(ParagraphProperties(textalign="start", marginleft="0.35cm"))
        style.addElement(
            TextProperties(fontname=FONT, fontsize=size, fontweight="bold" if bold else "normal")
        )
        self.doc.styles.addElement(style)
        return style

    def _page_style(self, number: int, one_page: bool, wide: int = 1) -> Style:
        """The page setup of the .xlsx (sizes.PAGE_…): landscape A4, one page wide (and, with a chart, one
        page tall), its margins, no header or footer. Fitting is ODF 1.3's scale-to-X and scale-to-Y, which
        odfpy predates, so they are set directly."""
        layout = PageLayout(name=f"pm{number}")
        page = PageLayoutProperties(
            printorientation="landscape",
            pagewidth=f"{PAGE_WIDTH_CM}cm",
            pageheight=f"{PAGE_HEIGHT_CM}cm",
            **{f"margin{side}": f"{inches}in" for side, inches in MARGINS_INCHES.items()},
        )
        page.setAttrNS(STYLENS, "scale-to-X", str(wide))
        if one_page:
            page.setAttrNS(STYLENS, "scale-to-Y", "1")
        layout.addElement(page)
        self.doc.automaticstyles.addElement(layout)
        name = "Publication_one_page" if one_page else "Publication"
        master = MasterPage(name=name if wide == 1 else f"{name}_{wide}_wide", pagelayoutname=layout)
        self.doc.masterstyles.addElement(master)
        style = Style(name=f"ta{number}", family="table", masterpagename=master)
        style.addElement(TableProperties(display="true"))
        self.doc.automaticstyles.addElement(style)
        return style

    def table_style(self, sheet: OutputSheet, sizes: list[float]) -> Style:
        wide = pages_wide(sizes)
        if sheet.bar_chart or wide == 1:
            return self.table_styles[bool(sheet.bar_chart)]
        if wide not in self.wide_styles:
            self.wide_styles[wide] = self._page_style(3 + len(self.wide_styles), False, wide)
        return self.wide_styles[wide]

    def column_style(self, width: float) -> Style:
        if width not in self.column_styles:
            style = Style(name=f"co{len(self.column_styles) + 1}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width * CHAR_CM + 0.2:.2f}cm"))
            self.doc.automaticstyles.addElement(style)
            self.column_styles[width] = style
        return self.column_styles[width]

    def row_style(self, points: float) -> Style:
        if points not in self.row_styles:
            style = Style(name=f"ro{len(self.row_styles) + 1}", family="table-row")
            style.addElement(TableRowProperties(rowheight=f"{points:.1f}pt", useoptimalrowheight="false"))
            self.doc.automaticstyles.addElement(style)
            self.row_styles[points] = style
        return self.row_styles[points]

    def text_cell(self, text: str, style: Style, link: str | None = None) -> TableCell:
        text = str(cell_text(text))
        cell = TableCell(valuetype="string", stylename=style)
        paragraph = P()
        if link:
            paragraph.addElement(A(href=link, type="simple", text=text))
        else:
            paragraph.addText(text)
        cell.addElement(paragraph)
        return cell

    def value_cell(self, value: Any, count: bool) -> TableCell:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value:,}" if count and float(value).is_integer() else f"{value:g}"
            cell = TableCell(
                valuetype="float", value=str(value), stylename=self.count if count else self.right_text
            )
            cell.addElement(P(text=shown))
            return cell
        return self.text_cell(str(value), self.right_text)

    def columns(self, table: Table, sheet: OutputSheet, sizes: list[float]) -> None:
        """The table's columns, their widths; a table printed several pages wide has its first column on
        every page (as the .xlsx's print title columns)."""
        if pages_wide(sizes) > 1:
            head_columns = TableHeaderColumns()
            head_columns.addElement(TableColumn(stylename=self.column_style(sizes[0])))
            table.addElement(head_columns)
            for width in sizes[1:]:
                table.addElement(TableColumn(stylename=self.column_style(width)))
        else:
            for width in sizes:
                table.addElement(TableColumn(stylename=self.column_style(width)))
        if sheet.bar_chart:  # a gap, then the column the chart stands in, as in the .xlsx
            table.addElement(TableColumn(stylename=self.column_style(CHART_GAP), numbercolumnsrepeated=2))

    def body_row(self, sheet: OutputSheet, r: int, values: Sequence[Any], sizes: list[float]) -> TableRow:
        """Row `r` of the table: its label (a link, on Contents), counts as numbers, text wrapped."""
        height = body_height(values, sizes)
        row = TableRow(stylename=self.row_style(height)) if height else TableRow()
        for c, value in enumerate(values):
            if c == 0:
                link = f"#{value}.A1" if sheet.links else None
                row.addElement(self.text_cell(str(value), self.text, link))
            elif is_right(sheet, c):
                row.addElement(self.value_cell(value, sheet.counts[c]))
            else:
                row.addElement(self.text_cell(str(value), self.indented if sheet.counts else self.wrapped))
        if sheet.bar_chart and r == 0:
            row.addElement(TableCell())
            anchor = TableCell()  # the chart stands in the first row's cell beyond the gap
            anchor.addElement(ods_bar_chart(self.doc, sheet, len(sheet.lines) + 2))
            row.addElement(anchor)
        return row

    def lines(self, table: Table, sheet: OutputSheet, sizes: list[float]) -> None:
        """The title and the lines above the table: wrapped in the first column where they would be cut
        (sizes.text_heights), linked where they name an address."""
        links = dict(sheet.line_links)
        texts = (sheet.title, *sheet.lines)
        for i, (text, height) in enumerate(zip(texts, text_heights(sheet, sizes), strict=True)):
            if i == 0:
                style = self.heading1 if height is None else self.heading1_wrapped
            else:
                style = self.text if height is None else self.wrapped
            row = TableRow(stylename=self.row_style(height)) if height is not None else TableRow()
            row.addElement(self.text_cell(text, style, links.get(i - 1)))
            table.addElement(row)

    def _heading(self, sheet: OutputSheet, c: int) -> Style:
        """A header cell's style: over its own column's figures, right-aligned or indented as they are."""
        if is_right(sheet, c):
            return self.heading2_right
        return self.heading2_indented if c > 0 and sheet.counts else self.heading2

    def sheet(self, sheet: OutputSheet) -> Table:
        """The worksheet: title, lines, then the table with its header row repeated on every page."""
        sizes = widths(sheet)
        extra = print_columns(sheet, sizes)
        table = Table(name=sheet.name, stylename=self.table_style(sheet, sizes))
        self.columns(table, sheet, sizes)
        for width in extra:  # printed, so that lines running on past the table are printed whole
            table.addElement(TableColumn(stylename=self.column_style(width)))
        if extra:
            last = _column_letter(len(sizes) + len(extra))
            end = len(sheet.lines) + 2 + len(sheet.rows)
            table.setAttribute("printranges", f"{_quoted(sheet.name)}.A1:{_quoted(sheet.name)}.{last}{end}")
        self.lines(table, sheet, sizes)
        if sheet.header:
            row = TableRow(stylename=self.row_style(header_height(sheet, sizes)))
            for c, text in enumerate(sheet.header):
                row.addElement(self.text_cell(str(text), self._heading(sheet, c)))
            repeated = TableHeaderRows()  # printed at the top of every page, as the .xlsx's print titles
            repeated.addElement(row)
            table.addElement(repeated)
            for r, values in enumerate(sheet.rows):
                table.addElement(self.body_row(sheet, r, values, sizes))
        return table


def _column_letter(number: int) -> str:
    """'A' for 1, 'Z' for 26, 'AA' for 27."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _quoted(name: str) -> str:
    """A sheet name as a cell address writes it: '$' and quoted where it has to be."""
    return "$'" + name.replace("'", "''") + "'" if not name.replace("_", "").isalnum() else "$" + name


def _named_ranges(sheets: Sequence[OutputSheet]) -> NamedExpressions:
    """Each table as a named range, as the .xlsx's table objects are named ('Table_1_table'): a screen
    reader and Go To find a table by its name."""
    ranges = NamedExpressions()
    for sheet in sheets:
        if not sheet.header:
            continue
        top = len(sheet.lines) + 2
        name = _quoted(sheet.name)
        last = f"${_column_letter(len(sheet.header))}${top + len(sheet.rows)}"
        ranges.addElement(
            NamedRange(
                name=f"{sheet.name}_table",
                basecelladdress=f"{name}.$A${top}",
                cellrangeaddress=f"{name}.$A${top}:.{last}",
            )
        )
    return ranges


def write_ods_sheets(sheets: Sequence[OutputSheet], props: dict[str, str], path: Path) -> None:
    """Write these sheets as an OpenDocument spreadsheet with these document properties."""
    writer = _Writer(props)
    for sheet in sheets:
        writer.doc.spreadsheet.addElement(writer.sheet(sheet))
    writer.doc.spreadsheet.addElement(_named_ranges(sheets))
    writer.doc.save(str(path))
