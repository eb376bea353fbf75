"""Accessible publication spreadsheets (.xlsx, .ods), the way ONS gptables lays them out.

A cover sheet, a contents sheet, a notes sheet with the shorthand legend, then one table per sheet:
title, description and source in the first rows, the table straight below with one header row, no
merged cells, no blank rows or columns inside it, numbers stored as numbers, and GSS shorthand ([z]
not applicable, [x] not available) in place of blanks and dashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mappa_stats import __version__
from mappa_stats.model import BLANK, DASH, NOT_COLLECTED, AreaTables
from mappa_stats.render import safe_text
from mappa_stats.templates import TableDef

SHORTHAND = {
    "[z]": "not applicable",
    "[x]": "not available (not collected, or missing from the return)",
    "[c]": "confidential",
    "[low]": "rounds to zero",
}


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, the lines above the table, and the table (header + rows)."""

    name: str
    title: str
    lines: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _cell(tables: AreaTables, table: TableDef, row_id: str, column_id: str) -> Any:
    """A number, or the GSS shorthand that replaces a blank, a dash or a marker."""
    cell = tables.cell(table.id, row_id, column_id)
    if cell is None:
        return "[x]"
    if cell.count is not None:
        return int(cell.count) if cell.count.is_integer() else cell.count
    if not table.is_applicable(row_id, column_id) and cell.marker in (BLANK, DASH, "[z]"):
        return "[z]"
    if cell.marker in ("[c]", "[low]", "[z]"):
        return cell.marker
    if cell.marker in (NOT_COLLECTED, "[x]", BLANK, DASH):
        return "[x]"
    if cell.issue == "percentage" and cell.value is not None:
        return cell.value
    return safe_text(cell.raw) or "[x]"


def build_sheets(tables: AreaTables) -> list[Sheet]:
    """The publication's sheets, in order."""
    area = tables.meta.area or "Area not stated"
    year = tables.meta.template
    present = [t for t in tables.template.tables if tables.has_table(t.id)]
    table_sheets = []
    for number, table in enumerate(present, start=1):
        if table.kind == "grid":
            header = ("Management level", *(c.label for c in table.columns))
            rows = tuple(
                (row.label, *(_cell(tables, table, row.id, c.id) for c in table.columns))
                for row in table.rows
            )
        else:
            header = ("Measure", table.columns[0].label)
            rows = tuple((row.label, _cell(tables, table, row.id, table.columns[0].id)) for row in table.rows)
        uses = sorted({v for r in rows for v in r[1:] if isinstance(v, str) and v in SHORTHAND})
        shorthand = (
            "Shorthand in this table: " + "; ".join(f"{s} {SHORTHAND[s]}" for s in uses) + ". See Notes."
            if uses
            else "This table has no shorthand."
        )
        table_sheets.append(
            Sheet(
                name=f"Table_{number}",
                title=f"Table {number}: {table.display_title}, {safe_text(area)}, {year}",
                lines=(
                    "This worksheet contains one table. "
                    f"{'Counts of people.' if table.value_type == 'count' else ''}".strip(),
                    shorthand,
                    f"Source: {safe_text(area)} MAPPA annual report {year}.",
                ),
                header=header,
                rows=rows,
            )
        )
    cover = Sheet(
        name="Cover",
        title=f"MAPPA statistics: {safe_text(area)}, {year}",
        lines=(
            "Multi-Agency Public Protection Arrangements: the standard statistical tables of the area's "
            "annual report.",
            f"Reporting period: the year to {tables.template.period_end}; "
            "the first table is a snapshot on that day.",
            f"Source file: {safe_text(Path(tables.meta.path).name)} (SHA-256 {tables.meta.sha256}).",
            f"Produced with mappa-stats {__version__}.",
        ),
        header=(),
        rows=(),
    )
    contents = Sheet(
        name="Contents",
        title="Table of contents",
        lines=("This worksheet contains one table, listing every worksheet of this workbook.",),
        header=("Worksheet", "Title"),
        rows=(("Notes", "Notes and shorthand"), *((s.name, s.title) for s in table_sheets)),
    )
    notes = Sheet(
        name="Notes",
        title="Notes",
        lines=("This worksheet contains one table of shorthand used in this workbook.",),
        header=("Shorthand", "Meaning"),
        rows=(
            *SHORTHAND.items(),
            (
                "Rate",
                "Registered sexual offenders per 100,000 people aged 10 and over: the Category 1 total on "
                f"{tables.template.period_end} divided by the ONS mid-{tables.template.population_mid_year} "
                "population estimate aged 10 and over, rounded to a whole number.",
            ),
        ),
    )
    return [cover, contents, notes, *table_sheets]


def write_xlsx(tables: AreaTables, path: Path) -> None:
    """An accessible .xlsx: each table an Excel table object, no merged cells, no blank rows inside."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for sheet in build_sheets(tables):
        ws = wb.create_sheet(sheet.name)
        ws["A1"] = sheet.title
        ws["A1"].font = Font(bold=True, size=14)
        for i, line in enumerate(sheet.lines, start=2):
            ws.cell(i, 1, line)
        if sheet.header:
            top = len(sheet.lines) + 2
            for c, text in enumerate(sheet.header, start=1):
                cell = ws.cell(top, c, text)
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for r, values in enumerate(sheet.rows, start=top + 1):
                for c, value in enumerate(values, start=1):
                    cell = ws.cell(r, c, value)
                    if c > 1:
                        cell.alignment = Alignment(horizontal="right")
                    if sheet.name == "Contents" and c == 1:
                        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{value}'!A1")
            end = ws.cell(top + len(sheet.rows), len(sheet.header)).coordinate
            table = Table(displayName=f"{sheet.name}_table", ref=f"A{top}:{end}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
            ws.add_table(table)
        ws.column_dimensions["A"].width = 40
        for letter in "BCDE":
            ws.column_dimensions[letter].width = 22
    wb.save(path)


def write_ods(tables: AreaTables, path: Path) -> None:
    """The same sheets as an OpenDocument spreadsheet (numbers as numbers, shorthand as text)."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for sheet in build_sheets(tables):
            lines = [[sheet.title], *([line] for line in sheet.lines)]
            body = [list(sheet.header), *(list(r) for r in sheet.rows)] if sheet.header else []
            width = max([len(r) for r in body] + [1])
            grid = [row + [None] * (width - len(row)) for row in [*lines, *body]]
            pd.DataFrame(grid).to_excel(writer, sheet_name=sheet.name, header=False, index=False)
