"""The bar chart drawn beside a table (the national rate by area), in both formats.

The .xlsx's is an openpyxl chart; the .ods's an OpenDocument chart object drawn from the same cells, titled
and described alike. openpyxl is imported where it is used (it is slow to load), as in xlsx.py.
"""

from __future__ import annotations

import re
from typing import Any

from odf import chart, draw, svg
from odf.namespaces import DRAWNS
from odf.opendocument import OpenDocumentChart
from odf.style import ChartProperties, GraphicProperties, Style, TextProperties
from odf.table import (
    Table,
    TableCell,
    TableColumn,
    TableColumns,
    TableHeaderColumns,
    TableHeaderRows,
    TableRow,
    TableRows,
)
from odf.text import P

from mappa_stats.publication.sheets import FONT, OutputSheet, cell_text
from mappa_stats.publication.sizes import CHART_WIDTH_CM


def add_bar_chart(ws: Any, sheet: OutputSheet, top: int) -> None:
    """A horizontal bar chart of the table's second column by its first, to the right of the table."""
    from openpyxl.chart import BarChart, Reference  # lazy: loaded only when writing an .xlsx

    chart = BarChart()
    chart.type = "bar"
    chart.title = str(cell_text(sheet.bar_chart))
    chart.legend = None
    chart.y_axis.title = str(cell_text(sheet.header[1]))
    last = top + len(sheet.rows)
    chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.x_axis.tickLblSkip = 1  # every category named
    chart.height = max(7.5, 0.6 * len(sheet.rows))
    chart.width = CHART_WIDTH_CM
    ws.add_chart(chart, f"D{top}")


def _range(sheet: str, first: str, last: str) -> str:
    """An OpenDocument cell range: Chart_rate.A5:Chart_rate.A46 (a name with other characters quoted)."""
    name = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}.{first}:{name}.{last}"


def _chart_styles(obj: Any) -> dict[str, Any]:
    """The chart's automatic styles, by the part they dress."""

    def style(name: str, *properties: Any) -> Style:
        made = Style(name=name, family="chart")
        for element in properties:
            made.addElement(element)
        obj.automaticstyles.addElement(made)
        return made

    def font() -> Any:
        return TextProperties(fontfamily=FONT, fontsize="10pt")

    return {
        "main": style("chart", GraphicProperties(stroke="none"), font()),
        "bars": style("bars", ChartProperties(vertical="true")),  # bars along the value axis: horizontal
        # The first row at the top, as in the table.
        "categories": style(
            "categories", ChartProperties(reversedirection="true", displaylabel="true"), font()
        ),
        "values": style("values", ChartProperties(displaylabel="true"), font()),
        "series": style("series", GraphicProperties(fill="solid", fillcolor="#4f81bd", stroke="none")),
        "heading": style("title", TextProperties(fontfamily=FONT, fontsize="13pt", fontweight="bold")),
        "wall": style("wall", GraphicProperties(fill="none", stroke="none")),
        # Light, as the .xlsx's.
        "grid": style("grid", GraphicProperties(stroke="solid", strokecolor="#d9d9d9")),
    }


def _plot_area(sheet: OutputSheet, top: int, styles: dict[str, Any], axis_title: str) -> Any:
    """The plot: categories (the first column) down, values (the second) across, one series of bars."""
    last = top + len(sheet.rows)
    plot = chart.PlotArea(
        stylename=styles["bars"],
        cellrangeaddress=_range(sheet.name, f"A{top}", f"B{last}"),
        datasourcehaslabels="both",
    )
    x_axis = chart.Axis(dimension="x", name="primary-x", stylename=styles["categories"])
    x_axis.addElement(chart.Categories(cellrangeaddress=_range(sheet.name, f"A{top + 1}", f"A{last}")))
    plot.addElement(x_axis)
    y_axis = chart.Axis(dimension="y", name="primary-y", stylename=styles["values"])
    y_title = chart.Title()
    y_title.addElement(P(text=axis_title))
    y_axis.addElement(y_title)
    y_axis.addElement(chart.Grid(attributes={"class": "major"}, stylename=styles["grid"]))
    plot.addElement(y_axis)
    plot.addElement(
        chart.Series(
            stylename=styles["series"],
            valuescellrangeaddress=_range(sheet.name, f"B{top + 1}", f"B{last}"),
            labelcelladdress=_range(sheet.name, f"B{top}", f"B{top}"),
            attributes={"class": "chart:bar"},
        )
    )
    plot.addElement(chart.Wall(stylename=styles["wall"]))
    return plot


def _local_table(sheet: OutputSheet, axis_title: str) -> Any:
    """The copy of the table's cells that every OpenDocument chart carries with it."""
    local = Table(name="local-table")
    head_columns = TableHeaderColumns()
    head_columns.addElement(TableColumn())
    local.addElement(head_columns)
    columns = TableColumns()
    columns.addElement(TableColumn())
    local.addElement(columns)
    head = TableHeaderRows()
    row = TableRow()
    row.addElement(TableCell())
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=axis_title))
    row.addElement(cell)
    head.addElement(row)
    local.addElement(head)
    body = TableRows()
    for label, value in sheet.rows:
        row = TableRow()
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=str(cell_text(str(label)))))
        row.addElement(cell)
        cell = TableCell(valuetype="float", value=str(value))
        cell.addElement(P(text=str(value)))
        row.addElement(cell)
        body.addElement(row)
    local.addElement(body)
    return local


def ods_bar_chart(doc: Any, sheet: OutputSheet, top: int) -> Any:
    """The .xlsx's bar chart as an OpenDocument chart object: the same table drawn, titled and described.

    `top` is the header row; the chart reads the table's cells (a copy of them travels with it, as every
    OpenDocument chart carries its data), one horizontal bar per row, the first row at the top."""
    last = top + len(sheet.rows)
    title = str(cell_text(sheet.bar_chart))
    axis_title = str(cell_text(sheet.header[1]))
    width_cm, height_cm = CHART_WIDTH_CM, max(7.5, 0.6 * len(sheet.rows))
    obj = OpenDocumentChart()
    styles = _chart_styles(obj)
    drawing = chart.Chart(
        attributes={"class": "chart:bar"},
        width=f"{width_cm}cm",
        height=f"{height_cm}cm",
        stylename=styles["main"],
    )
    obj.chart.addElement(drawing)
    chart_title = chart.Title(stylename=styles["heading"])
    chart_title.addElement(P(text=title))
    drawing.addElement(chart_title)
    drawing.addElement(_plot_area(sheet, top, styles, axis_title))
    drawing.addElement(_local_table(sheet, axis_title))
    frame = draw.Frame(width=f"{width_cm}cm", height=f"{height_cm}cm", x="0cm", y="0cm", zindex="0")
    # The name LibreOffice's navigator lists, as the .xlsx's (odfpy's setters would write 'Chart_20_1').
    frame.attributes[(DRAWNS, "name")] = "Chart 1"
    frame.addElement(
        draw.Object(
            href=doc.addObject(obj),
            notifyonupdateofranges=_range(sheet.name, f"A{top}", f"B{last}"),
        )
    )
    frame.addElement(svg.Title(text=title))
    frame.addElement(svg.Desc(text=str(cell_text(sheet.chart_description or sheet.bar_chart))))
    return frame
