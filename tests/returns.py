"""Area returns built as the Ministry's workbook has them, shared by the tests of every command that reads one."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from mappa_stats.definitions.load import load_template

# Kent's 2014-15 figures where the return has the same field (the seed report), the rest arithmetic below.
KENT = {
    "CAT1L1": 1548, "CAT1L2": 12, "CAT1L3": 0, "CAT2L1": 787, "CAT2L2": 6, "CAT2L3": 0, "CAT3L2": 4, "CAT3L3": 0,
    "CAT1L2YEAR": 18, "CAT1L3YEAR": 1, "CAT2L2YEAR": 7, "CAT2L3YEAR": 2, "CAT3L2YEAR": 7, "CAT3L3YEAR": 0,
    "SOPOGRANT": 134, "NOGRANT": 3, "FTOGRANT": 0,
    "CAT1L2LICBREACH": 6, "CAT1L3LICBREACH": 0, "CAT2L2LICBREACH": 3, "CAT2L3LICBREACH": 0,
    "CAT3L2LICBREACH": 1, "CAT3L3LICBREACH": 0, "CAT1L2SOPOBREACH": 0, "CAT1L3SOPOBREACH": 0,
}  # fmt: skip
# 37 breaches of notification (the seed report), by level: 30 + 5 + 2 = 37.
BREACHES = {"CAT1L1CAUTCON": 30, "CAT1L2CAUTCON": 5, "CAT1L3CAUTCON": 2}
SPLIT = {"CAT1L1CAUT": 10, "CAT1L1CON": 20, "CAT1L2CAUT": 1, "CAT1L2CON": 4, "CAT1L3CAUT": 0, "CAT1L3CON": 2}
# Serious further offences: charged = convicted + still charged + other, cell by cell.
SFO = {"CAT1L1": (3, 2, 1, 0), "CAT2L1": (2, 1, 0, 1), "CAT1L2": (1, 1, 0, 0), "CAT2L2": (1, 0, 1, 0)}


def figures(year: str) -> dict[str, int]:
    """A consistent return of the year, every field given."""
    values: dict[str, int] = {code: 0 for code in load_template(year).return_fields if code != "AREAID"}
    values.update(KENT)
    values.update(BREACHES if year == "2023-24" else SPLIT)
    for cell, (charged, convicted, still, other) in SFO.items():
        values.update(
            {
                f"{cell}SFO": charged,
                f"{cell}SFOCONV": convicted,
                f"{cell}SFOCHARGE": still,
                f"{cell}SFOOTHER": other,
            }
        )
    values.update(CAT1L2SCR=1, SROBREACH=2, RSOREVOKE=4)
    return values


# The breakdown blocks of 'Data entry': (anchor in column B, first row, rows). Counts in columns C..H, in the
# order CAT1L2 CAT1L3 CAT2L2 CAT2L3 CAT3L2 CAT3L3 (shared/research/moj-return.md).
BLOCKS = {"age": ("Under 18", 200, 9), "sex": ("Female", 220, 5), "ethnicity": ("White - Scottish", 240, 40)}
BLOCK_CODES = ("CAT1L2", "CAT1L3", "CAT2L2", "CAT2L3", "CAT3L2", "CAT3L3")


def breakdowns(values: dict[str, Any]) -> dict[tuple[str, int, str], int]:
    """Each block's column adds up to the 31 March count: Kent's 12 Category 1 at Level 2 are 5 aged 18–20
    and 7 aged 21–24, 1 female and 11 male, all in the fifth ethnic group; the rest in one row each."""
    out: dict[tuple[str, int, str], int] = {}
    for code in BLOCK_CODES:
        count = values[code]
        out[("age", 3, code)] = count
        out[("sex", 2, code)] = count
        out[("ethnicity", 5, code)] = count
    out[("age", 2, "CAT1L2")], out[("age", 3, "CAT1L2")] = 5, values["CAT1L2"] - 5
    out[("sex", 1, "CAT1L2")], out[("sex", 2, "CAT1L2")] = 1, values["CAT1L2"] - 1
    return out


# The National Security Division's return (Category 4 only, area id 43): 150 at Level 1, 20 at Level 2 and 5
# at Level 3 on 31 March; 30 and 8 managed at Levels 2 and 3 in the year (at least the 31 March counts);
# 4 and 1 returned to custody (at most the yearly counts); serious further offences charged = convicted +
# still charged + other at each level: 2 = 1 + 1 + 0 at Level 1, 1 = 0 + 0 + 1 at Level 2, none at Level 3.
NSD = {
    "CAT4L1": 150, "CAT4L2": 20, "CAT4L3": 5, "CAT4L2YEAR": 30, "CAT4L3YEAR": 8,
    "CAT4L2LICBREACH": 4, "CAT4L3LICBREACH": 1,
    "CAT4L1SFO": 2, "CAT4L1SFOCONV": 1, "CAT4L1SFOCHARGE": 1, "CAT4L1SFOOTHER": 0,
    "CAT4L2SFO": 1, "CAT4L2SFOCONV": 0, "CAT4L2SFOCHARGE": 0, "CAT4L2SFOOTHER": 1,
    "CAT4L3SFO": 0, "CAT4L3SFOCONV": 0, "CAT4L3SFOCHARGE": 0, "CAT4L3SFOOTHER": 0,
}  # fmt: skip
NSD_CODES = ("CAT4L2", "CAT4L3")


def nsd_breakdowns(values: dict[str, Any]) -> dict[tuple[str, int, str], int]:
    """The NSD's blocks: its 20 at Level 2 are 8 aged 18–20 and 12 in the third age row, 2 female and 18
    male, all in the fifth ethnic group; its 5 at Level 3 in one row of each block."""
    out: dict[tuple[str, int, str], int] = {}
    for code in NSD_CODES:
        out[("age", 3, code)] = out[("sex", 2, code)] = out[("ethnicity", 5, code)] = values[code]
    out[("age", 2, "CAT4L2")], out[("age", 3, "CAT4L2")] = 8, values["CAT4L2"] - 8
    out[("sex", 1, "CAT4L2")], out[("sex", 2, "CAT4L2")] = 2, values["CAT4L2"] - 2
    return out


def make_return(
    path: Path,
    year: str,
    values: dict[str, Any],
    *,
    area_id: Any = 17,
    area_name: str = "Kent",
    header: dict[str, str] | None = None,
    shuffle: bool = True,
    saved: bool = True,
    blocks: dict[tuple[str, int, str], Any] | None = None,
    anchors: bool = True,
    form: str = "area",
) -> Path:
    """A return as the Ministry's workbook has it: 'Data entry' (the form) and the data sheet of formulas.

    Built here by hand, not by mappa-stats' own writer, so the reader is tested on a file it did not make."""
    codes = ["AREAID", *[c for c in load_template(year, form).return_fields if c != "AREAID"]]
    columns = NSD_CODES if form == "nsd" else BLOCK_CODES
    order = list(codes)
    if shuffle:
        random.Random(4).shuffle(order)
    book = openpyxl.Workbook()
    entry = book.active
    assert entry is not None
    entry.title = "Data entry"
    entry["A1"], entry["C1"], entry["A2"], entry["C2"] = "Area ID", "Area", area_id, area_name
    rows = {code: 10 + i for i, code in enumerate(codes)}
    for code, row in rows.items():
        entry.cell(row, 2, code.title())
        if code != "AREAID" and values.get(code) is not None:
            entry.cell(row, 4, values[code])
    counts = {**(nsd_breakdowns(values) if form == "nsd" else breakdowns(values)), **(blocks or {})}
    for block, (anchor, first, size) in BLOCKS.items():
        entry.cell(first, 2, anchor if anchors else "Unlabelled")
        for n in range(2, size + 1):
            entry.cell(first + n - 1, 2, f"{block} group {n}")
        for (which, row, code), count in counts.items():
            if which == block:
                entry.cell(first + row - 1, 3 + columns.index(code), count)
    data = book.create_sheet(f"{year[2:4]}-{year[5:7]} data")
    cached: dict[str, Any] = {}
    for column, code in enumerate(order, start=1):
        written = (header or {}).get(code, code)
        data.cell(1, column, written.lower() if column % 3 == 0 else written)
        target = "A2" if code == "AREAID" else f"D{rows[code]}"
        if code != "AREAID" and code in values and values[code] is None:
            continue  # a blank field: no formula on the data sheet either
        ref = data.cell(2, column, f"='Data entry'!{target}").coordinate
        cached[ref] = area_id if code == "AREAID" else values.get(code)
    book.save(path)
    if saved:
        _save_values(path, "xl/worksheets/sheet2.xml", cached)
    return path


def _save_values(path: Path, part: str, cached: dict[str, Any]) -> None:
    """Put the values Excel would have saved into the formula cells (openpyxl writes none)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}

    def fill(match: re.Match[str]) -> str:
        ref, formula = match.group(1), match.group(2)
        value = cached.get(ref)
        if value is None:
            return f'<c r="{ref}"><f>{formula}</f><v></v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}" t="str"><f>{formula}</f><v>{value}</v></c>'
        return f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>'

    parts[part] = re.sub(
        r'<c r="([A-Z]+\d+)"><f>(.*?)</f><v\s*/>(?:</c>)?', fill, parts[part].decode()
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            out.writestr(name, content)
