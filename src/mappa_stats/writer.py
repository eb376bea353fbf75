"""Write an empty area workbook in publication layout, ready for a MAPPA manager to fill in."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from mappa_stats.templates import TableDef, Template

_GREY = "D9D9D9"
_INPUT = "FFF2CC"


def write_template(template: Template, path: Path) -> None:
    """Save a workbook the reader accepts: titles, labels, input cells with data validation."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    ws = wb.create_sheet("Statistics")
    bold = Font(bold=True)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    input_fill = PatternFill("solid", fgColor=_INPUT)
    na_fill = PatternFill("solid", fgColor=_GREY)
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole numbers only",
        error="Type a whole number of people, 0 or more.",
    )
    ws.add_data_validation(whole)

    ws["A1"] = "MAPPA Statistics"
    ws["A1"].font = Font(bold=True, size=14)
    ws["G1"], ws["G2"] = "MAPPA area", "Reporting year"
    ws["H2"] = template.year
    ws["H1"].fill = input_fill
    ws["H1"].border = box
    ws["G4"] = "Yellow cells: type whole numbers. Grey cells: not applicable, leave as they are."

    def input_cell(row: int, col: int, counts: bool = True) -> None:
        cell = ws.cell(row, col)
        cell.fill = input_fill
        cell.border = box
        if counts:
            whole.add(cell.coordinate)

    def header(row: int, table: TableDef) -> None:
        for i, column in enumerate(table.columns):
            cell = ws.cell(row, 2 + i, column.label)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    r = 3
    for _title, group in groupby(template.tables, key=lambda t: (t.title, t.kind)):
        tables = list(group)
        first = tables[0]
        ws.cell(r, 1, first.title).font = bold
        if first.kind == "value":
            input_cell(r, 5, counts=first.value_type == "count")
            r += 2
            continue
        if first.kind == "list":
            if first.subtitle:
                r += 1
                ws.cell(r, 1, first.subtitle)
            for row in first.rows:
                r += 1
                ws.cell(r, 1, row.label)
                input_cell(r, 5, counts=first.cell_value_type(row.id) == "count")
            r += 2
            continue
        r += 1
        header(r, first)
        for table in tables:
            if table.section:
                r += 1
                ws.cell(r, 1, table.section).font = bold
            for row in table.rows:
                r += 1
                ws.cell(r, 1, row.label)
                for i, column in enumerate(table.columns):
                    col = 2 + i
                    if table.is_applicable(row.id, column.id):
                        input_cell(r, col)
                    else:
                        cell = ws.cell(r, col, table.not_applicable[(row.id, column.id)] or None)
                        cell.fill = na_fill
                        cell.alignment = Alignment(horizontal="right")
                        cell.comment = Comment(
                            f"Not applicable: {table.na_reasons[(row.id, column.id)]}", "mappa-stats"
                        )
        r += 2
    ws.column_dimensions["A"].width = 40
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 18
    ws.column_dimensions["G"].width = 16
    wb.save(path)
