"""Accessible publication spreadsheets: cover, contents, notes, one table per sheet, shorthand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_XLSX, sha256
from helpers import KENT, edit_copy
from mappa_stats.cli import main

ROW_LABELS = {"Level 1", "Level 2", "Level 3", "Total"}


def _write(fmt: str, tmp_path: Path, source: Path = KENT_XLSX, *extra: str) -> Path:
    out = tmp_path / f"kent.{fmt}"
    before = sha256(source)
    result = CliRunner().invoke(main, ["tables", str(source), "--format", fmt, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    assert sha256(source) == before
    return out


def _published(value: object) -> object:
    """The Kent figure as the accessible table shows it: blanks and dashes become [z]."""
    return "[z]" if value in (None, "-") else value


def test_xlsx_sheets_in_order(tmp_path: Path) -> None:
    """Cover, contents and notes come first, then one sheet per table."""
    wb = load_workbook(_write("xlsx", tmp_path))
    assert wb.sheetnames == ["Cover", "Contents", "Notes", *(f"Table_{n}" for n in range(1, 9))]
    contents = wb["Contents"]
    links = [c.hyperlink.location for c in contents["A"] if c.hyperlink is not None]
    assert links == ["'Notes'!A1", *(f"'Table_{n}'!A1" for n in range(1, 9))]


def test_xlsx_grid_is_a_plain_accessible_table(tmp_path: Path) -> None:
    """Title first, one header row, numbers as numbers, [z] for not applicable, an Excel table, no merges."""
    wb = load_workbook(_write("xlsx", tmp_path))
    for number, key in ((1, "snapshot"), (2, "yearly"), (5, "custody_licence"), (6, "custody_sopo")):
        ws = wb[f"Table_{number}"]
        assert str(ws["A1"].value).startswith(f"Table {number}: ")
        assert ws.merged_cells.ranges == set()
        ((_name, ref),) = ws.tables.items()
        first, last = ref.split(":")
        header_row = int(first[1:])
        assert ws.cell(header_row, 1).value == "Management level"
        body = [[c.value for c in row] for row in ws.iter_rows(min_row=header_row + 1, max_row=int(last[1:]))]
        expected = [[label, *(_published(v) for v in values)] for label, values in KENT[key].items()]
        assert body == expected
        assert all(isinstance(v, int) for row in body for v in row[1:] if v != "[z]")


def test_xlsx_notes_explain_the_shorthand(tmp_path: Path) -> None:
    """Every shorthand used in a table is in the Notes sheet."""
    wb = load_workbook(_write("xlsx", tmp_path))
    notes = {row[0] for row in wb["Notes"].iter_rows(values_only=True)}
    assert {"[z]", "[x]", "[c]", "[low]"} <= notes
    assert "[z] not applicable" in wb["Table_1"]["A3"].value


def test_ods_holds_the_same_tables(tmp_path: Path) -> None:
    """The OpenDocument version: same sheets, numbers as numbers."""
    out = _write("ods", tmp_path)
    sheets = pd.read_excel(out, sheet_name=None, header=None)
    assert list(sheets)[:3] == ["Cover", "Contents", "Notes"]
    table = sheets["Table_1"]
    level1 = table[table[0] == "Level 1"].iloc[0].tolist()
    assert level1 == ["Level 1", 1548, 787, "[z]", 2335]


def test_missing_value_is_shown_as_not_available(tmp_path: Path) -> None:
    """A blank where a count belongs is published as [x], never as zero."""
    source = edit_copy(KENT_XLSX, tmp_path / "gap.xlsx", {"C6": None})
    wb = load_workbook(_write("xlsx", tmp_path, source, "--force"))
    rows = {r[0]: r for r in wb["Table_1"].iter_rows(values_only=True) if r[0] in ROW_LABELS}
    assert rows["Level 2"][2] == "[x]"


def test_text_from_the_input_cannot_become_a_formula(tmp_path: Path) -> None:
    """An area name that looks like a formula is written as text."""
    source = edit_copy(KENT_XLSX, tmp_path / "inject.xlsx", {"H1": "@SUM(1+1)"})
    wb = load_workbook(_write("xlsx", tmp_path, source))
    title = wb["Table_1"]["A1"]
    assert title.data_type == "s" and "'@SUM(1+1)" in title.value
    assert wb["Cover"]["A1"].data_type == "s"


def test_spreadsheet_formats_need_an_output_file() -> None:
    """--format xlsx without -o is a usage error, exit 2."""
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "--format", "xlsx"])
    assert result.exit_code == 2 and "give -o FILE.xlsx" in result.output
