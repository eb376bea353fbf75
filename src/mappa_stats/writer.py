"""Write an empty area workbook in publication layout, ready for a MAPPA manager to fill in."""

from __future__ import annotations

import hashlib
from itertools import groupby
from pathlib import Path
from typing import Any

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
    _mark(wb, template)
    wb.save(path)


# Document properties that let mappa-stats recognise an empty template it wrote (and so replace it),
# while a template someone has filled in (any cell changed) is never replaced without --force.
PRODUCER = "mappa-stats"
DIGEST = "Cells digest"


def cells_digest(workbook: Any) -> str:
    """SHA-256 of every non-empty cell (sheet, reference, value): changes when anything is typed."""
    digest = hashlib.sha256()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    digest.update(f"{ws.title}!{cell.coordinate}={cell.value!r}\n".encode())
    return digest.hexdigest()


def _mark(wb: Any, template: Template) -> None:
    from openpyxl.packaging.custom import StringProperty

    wb.properties.title = f"MAPPA statistics {template.year}: area workbook to fill in"
    wb.properties.language = "en-GB"
    wb.properties.creator = PRODUCER
    wb.custom_doc_props.append(StringProperty(name="Producer", value=PRODUCER))
    wb.custom_doc_props.append(StringProperty(name=DIGEST, value=cells_digest(wb)))


def is_unfilled_template(path: Path) -> bool:
    """True when this workbook is a template mappa-stats wrote and nobody has typed into it."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception:  # any file openpyxl cannot open is certainly not our unchanged template
        return False
    stored = next((p.value for p in wb.custom_doc_props if p.name == DIGEST), None)  # type: ignore[attr-defined]
    return stored is not None and stored == cells_digest(wb)
