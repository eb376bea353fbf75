"""Build area workbooks in tests (written to tmp_path, never into the tree)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

HEADER = [
    "Category 1: Registered sex offenders",
    "Category 2: Violent offenders",
    "Category 3: Other dangerous offenders",
    "Total",
]

# The Kent 2014-15 published figures (seed report), keyed as the tidy model keys them.
KENT: dict[str, dict[str, list[Any]]] = {
    "snapshot": {
        "Level 1": [1548, 787, None, 2335],
        "Level 2": [12, 6, 4, 22],
        "Level 3": [0, 0, 0, 0],
        "Total": [1560, 793, 4, 2357],
    },
    "yearly": {"Level 2": [18, 7, 7, 32], "Level 3": [1, 2, 0, 3], "Total": [19, 9, 7, 35]},
    "custody_licence": {"Level 2": [6, 3, 1, 10], "Level 3": [0, 0, 0, 0], "Total": [6, 3, 1, 10]},
    "custody_sopo": {"Level 2": [0, "-", "-", 0], "Level 3": [0, "-", "-", 0], "Total": [0, "-", "-", 0]},
}
TITLES = {
    "snapshot": "MAPPA-eligible offenders on 31 March 2015",
    "yearly": "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
}


def separate_sheets(
    path: Path, header: list[str] | None = None, overrides: dict[str, Any] | None = None
) -> Path:
    """Kent's tables one per sheet, in reverse publication order, with odd spacing and short labels."""
    header = header or ["Cat 1", "Cat 2", "CATEGORY 3:\nOther dangerous offenders", " total "]
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    ws = wb.create_sheet("Rate")
    ws["B3"], ws["F3"] = "Total number of Registered Sexual Offenders per 100,000 population", 100
    ws = wb.create_sheet("Custody")
    ws["C2"] = "Level 2 and 3 offenders returned to custody"
    for i, text in enumerate(header):
        ws.cell(5, 4 + i, text)
    ws["C6"] = "Breach of licence"
    r = 7
    for label, values in KENT["custody_licence"].items():
        ws.cell(r, 3, label.upper())
        for i, v in enumerate(values):
            ws.cell(r, 4 + i, v)
        r += 1
    r += 1
    ws.cell(r, 3, "Breach of SOPO")
    for label, values in KENT["custody_sopo"].items():
        r += 1
        ws.cell(r, 3, label)
        for i, v in enumerate(values):
            ws.cell(r, 4 + i, v)
    ws.cell(r + 2, 3, "Note: returns to custody in the year.")
    ws = wb.create_sheet("Orders")
    ws["A1"] = "Restrictive orders for Category 1 offenders"
    ws["A2"] = "SOPOs, NOs & FTOs imposed by the courts"
    ws["A4"], ws["C4"] = "Sexual Offences Prevention Orders", 134
    ws["A5"], ws["C5"] = "NOs", 3
    ws["A6"], ws["C6"] = "FTOs", 0
    ws["A8"], ws["B8"] = "RSOs cautioned or convicted for breach of notification requirements", 37
    for key, sheet in (("yearly", "Yearly"), ("snapshot", "31 March")):
        ws = wb.create_sheet(sheet)
        ws["A1"] = "  " + TITLES[key].upper() + "  "
        for i, text in enumerate(header):
            ws.cell(4, 3 + i, text)
        r = 6
        for label, values in KENT[key].items():
            ws.cell(r, 1, "  " + label.lower())
            for i, v in enumerate(values):
                ws.cell(r, 3 + i, v)
            r += 2  # blank rows between grid rows
    ws = wb.active = wb["31 March"]
    for ref, value in (overrides or {}).items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    wb.save(path)
    return path


def edit_copy(source: Path, target: Path, changes: dict[str, Any], sheet: str = "Statistics") -> Path:
    """A copy of a workbook with some cells changed (None empties a cell)."""
    wb = load_workbook(source)
    ws = wb[sheet]
    for ref, value in changes.items():
        ws[ref] = value
    wb.save(target)
    return target


def area_from_values(values: dict[tuple[str, str, str], Any], year: str = "2014-15") -> Any:
    """An AreaTables built straight from cell values (None = blank, str = as typed), no workbook needed."""
    from mappa_stats.definitions.load import load_template
    from mappa_stats.model import AreaTables, Metadata, a1, parse_cell, record

    template = load_template(year)
    records = []
    row_no = 1
    for table in template.tables:
        for row in table.rows:
            row_no += 1
            for col_no, column in enumerate(table.columns, start=2):
                content = values.get((table.id, row.id, column.id))
                ref = a1(row_no, col_no)
                parsed = parse_cell(content)
                records.append(
                    record(table.id, row.id, column.id, parsed, "Synthetic", ref, f"'Synthetic'!{ref}")
                )
    meta = Metadata(path="synthetic", sha256="0" * 64, template=year, area="Synthetic", source_format="xlsx")
    return AreaTables.from_records(records, meta=meta, template=template)


def kent_values() -> dict[tuple[str, str, str], Any]:
    """The published Kent 2014-15 figures as cell values."""
    ids = {"Level 1": "level1", "Level 2": "level2", "Level 3": "level3", "Total": "total"}
    cols = ["cat1", "cat2", "cat3", "total"]
    out: dict[tuple[str, str, str], Any] = {}
    for table, rows in KENT.items():
        for label, row_values in rows.items():
            for column, value in zip(cols, row_values, strict=True):
                out[(table, ids[label], column)] = value
    out[("breach_notification", "value", "value")] = 37
    out[("restrictive_orders", "sopo", "value")] = 134
    out[("restrictive_orders", "no", "value")] = 3
    out[("restrictive_orders", "fto", "value")] = 0
    out[("rsos_per_100k", "value", "value")] = 100
    out[("commentary", "level1_share", "value")] = "99%"
    return out
