"""Build samples/kent_2015.xlsx by hand, laid out like page 'MAPPA Statistics' of the published report.

The figures are the Kent MAPPA Annual Report 2014-15 as published (see ../shared/seeds/). The layout is
written cell by cell here, independently of mappa-stats' own writer, so that the reader is tested on a
workbook it did not produce. Run from the repository root: python tools/make_samples.py
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "Category 1:\nRegistered sex\noffenders",
    "Category 2:\nViolent\noffenders",
    "Category 3:\nOther dangerous\noffenders",
    "Total",
]

# (row label, values B..E); None = blank cell, "-" = printed dash.
SNAPSHOT: list[tuple[str, list[int | None]]] = [
    ("Level 1", [1548, 787, None, 2335]),
    ("Level 2", [12, 6, 4, 22]),
    ("Level 3", [0, 0, 0, 0]),
    ("Total", [1560, 793, 4, 2357]),
]
YEARLY = [("Level 2", [18, 7, 7, 32]), ("Level 3", [1, 2, 0, 3]), ("Total", [19, 9, 7, 35])]
LICENCE = [("Level 2", [6, 3, 1, 10]), ("Level 3", [0, 0, 0, 0]), ("Total", [6, 3, 1, 10])]
SOPO: list[tuple[str, list[int | str]]] = [
    ("Level 2", [0, "-", "-", 0]),
    ("Level 3", [0, "-", "-", 0]),
    ("Total", [0, "-", "-", 0]),
]


def _grid(ws: Worksheet, top: int, rows: Sequence[tuple[str, Sequence[int | str | None]]]) -> int:
    for offset, (label, values) in enumerate(rows):
        r = top + offset
        ws.cell(r, 1, label)
        for i, value in enumerate(values):
            if value is not None:
                ws.cell(r, 2 + i, value).alignment = Alignment(horizontal="right")
    return top + len(rows)


def _header(ws: Worksheet, r: int) -> None:
    for i, text in enumerate(HEADER):
        cell = ws.cell(r, 2 + i, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_kent(path: Path) -> None:
    """The Kent 2014-15 statistics page, one sheet, tables in publication order."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Statistics"
    bold = Font(bold=True)
    ws["G1"], ws["H1"] = "MAPPA area", "Kent"
    ws["G2"], ws["H2"] = "Reporting year", "2014-15"
    ws["A1"] = "MAPPA Statistics"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "MAPPA-eligible offenders on 31 March 2015"
    ws["A2"].font = bold
    _header(ws, 4)
    _grid(ws, 5, SNAPSHOT)
    ws["A10"] = "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)"
    ws["A10"].font = bold
    _header(ws, 12)
    _grid(ws, 13, YEARLY)
    ws["A17"] = "RSOs cautioned or convicted for breach of notification requirements"
    ws["A17"].font = bold
    ws["E17"] = 37
    ws["A19"] = "Restrictive orders for Category 1 offenders"
    ws["A19"].font = bold
    ws["A20"] = "SOPOs, NOs & FTOs imposed by the courts"
    ws["A21"], ws["E21"] = "SOPOs", 134
    ws["A22"], ws["E22"] = "NOs", 3
    ws["A23"], ws["E23"] = "FTOs", 0
    ws["A25"] = "Level 2 and 3 offenders returned to custody"
    ws["A25"].font = bold
    _header(ws, 27)
    ws["A28"] = "Breach of licence"
    ws["A28"].font = bold
    _grid(ws, 29, LICENCE)
    ws["A32"] = "Breach of SOPO"
    ws["A32"].font = bold
    _grid(ws, 33, SOPO)
    ws["A37"] = "Total number of Registered Sexual Offenders per 100,000 population"
    ws["A37"].font = bold
    ws["E37"] = 100
    ws["A38"] = (
        "This figure has been calculated using the mid-2014 estimated resident population, published by "
        "the Office for National Statistics on 25 June 2015, excluding those aged less than ten years of age."
    )
    ws["A40"] = "Commentary figures"
    ws["A40"].font = bold
    ws["A41"] = "Share managed at Level 1 (%)"
    ws["E41"] = 0.99
    ws["E41"].number_format = "0%"
    ws.column_dimensions["A"].width = 34
    for col in "BCDE":
        ws.column_dimensions[col].width = 16
    wb.save(path)


if __name__ == "__main__":
    build_kent(ROOT / "samples" / "kent_2015.xlsx")
    print("wrote samples/kent_2015.xlsx")
