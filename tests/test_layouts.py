"""Workbooks as managers lay them out: each of these was refused when tried as a new user would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_XLSX, SAMPLES, sha256
from mappa_stats.cli.main import main

Change = Callable[[Any, Any], None]


def _no_year_cell(ws: Any) -> None:
    ws["G2"] = None
    ws["H2"] = None


def _at_slash_date(wb: Any, ws: Any) -> None:
    _no_year_cell(ws)
    ws["A2"] = "MAPPA-eligible offenders at 31/03/2015"


def _blank_column(wb: Any, ws: Any) -> None:
    ws.insert_cols(3)  # an empty column C inside every grid


def _total_a_line_above(wb: Any, ws: Any) -> None:
    ws["E4"], ws["E3"] = None, "Total"


def _last_years_sheet(wb: Any, ws: Any) -> None:
    old = wb.copy_worksheet(ws)
    old.title = "2013-14"
    old["A2"] = "MAPPA-eligible offenders on 31 March 2014"
    old["B5"] = 1400  # last year's figures, which must not be read
    _no_year_cell(ws)
    _no_year_cell(old)
    wb.move_sheet(old, offset=-1)  # last year's sheet first


CASES: dict[str, Change] = {
    "offenders at 31/03/2015": _at_slash_date,
    "Levels 2 & 3": lambda wb, ws: ws.__setitem__(
        "A10", "MAPPA-eligible offenders in Levels 2 & 3 by category (yearly total)"
    ),
    "RSOs per 100,000 population": lambda wb, ws: ws.__setitem__("A37", "RSOs per 100,000 population"),
    "a blank column inside a grid": _blank_column,
    "Total on another header line": _total_a_line_above,
    "last year's sheet in the same workbook": _last_years_sheet,
}


def edited(tmp_path: Path, change: Change) -> Path:
    """The Kent sample with one change a manager might make."""
    book = load_workbook(KENT_XLSX)
    change(book, book["Statistics"])
    path = tmp_path / "kent_2015.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_a_managers_layout_reads_as_the_sample(tmp_path: Path, case: str) -> None:
    """Each layout reads to the same tables as the sample (Kent 2014-15) and passes."""
    path = edited(tmp_path, CASES[case])
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "(Kent, template 2014-15): PASS" in result.output
    ours = CliRunner().invoke(main, ["tables", str(path), "--format", "csv"]).stdout
    sample = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "--format", "csv"]).stdout
    assert [line.split(",")[:6] for line in ours.splitlines()] == [
        line.split(",")[:6] for line in sample.splitlines()
    ]


def test_every_missing_table_is_named_in_one_run(tmp_path: Path) -> None:
    """Two tables whose titles are not found: both named in one line, not one per run."""

    def two_gone(wb: Any, ws: Any) -> None:
        ws["A17"], ws["A19"] = "Something else", "Another thing"

    path = edited(tmp_path, two_gone)
    before = sha256(path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    line = next(x for x in result.output.splitlines() if x.startswith("ERROR"))
    assert "2 tables not found in any sheet" in line
    assert "'RSOs cautioned or convicted for breach of notification requirements'" in line
    assert "'Restrictive orders for Category 1 offenders'" in line
    assert sha256(path) == before


# --- --sheet: which sheet of a workbook is read ------------------------------------------------------------


def _draft_first(wb: Any, ws: Any) -> None:
    """A draft copy of the same year's sheet before the final one, its Category 1 Level 1 typed 1400."""
    draft = wb.copy_worksheet(ws)
    draft.title = "Draft"
    draft["B5"] = 1400
    wb.move_sheet(draft, offset=-1)


def test_sheet_chooses_which_sheet_is_read(tmp_path: Path) -> None:
    """--sheet Statistics reads the final sheet (passes, Kent's 1548); --sheet draft the draft, whose 1400
    does not add up to the 1560 of its total (1560 - 12 - 0 = 1548 is what the sums say)."""
    path = edited(tmp_path, _draft_first)
    before = sha256(path)
    neither = CliRunner().invoke(main, ["validate", str(path)])
    assert neither.exit_code == 2
    assert "choose the sheet with --sheet NAME" in neither.output
    final = CliRunner().invoke(main, ["validate", str(path), "--sheet", "Statistics"])
    assert final.exit_code == 0, final.output
    draft = CliRunner().invoke(main, ["validate", str(path), "--sheet", " draft ", "--format", "json"])
    assert draft.exit_code == 1
    findings = [f for f in json.loads(draft.stdout)["files"][0]["findings"] if f["cell"] == "B5"]
    assert findings
    assert findings[0]["actual"] == 1400
    assert findings[0]["expected"] == 1548
    rate = CliRunner().invoke(
        main, ["rate", "--population", str(SAMPLES / "ons_mid2014.csv"), str(path), "--sheet", "Statistics"]
    )
    assert rate.exit_code == 0
    assert "1,560 RSOs" in rate.output
    tables = CliRunner().invoke(main, ["tables", str(path), "--sheet", "Statistics", "--format", "csv"])
    assert tables.exit_code == 0
    assert "1548" in tables.stdout
    assert "1400" not in tables.stdout
    assert sha256(path) == before


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("kent_2015.xlsx", "no sheet named 'Nope'; its sheets are 'Statistics'"),
        ("kent_2015.csv", "--sheet chooses a sheet of a workbook, and this file is not one"),
    ],
)
def test_a_sheet_that_is_not_there_is_one_line(file: str, words: str) -> None:
    """--sheet naming no sheet, or given with a CSV: exit 2, one line that says what there is."""
    result = CliRunner().invoke(main, ["validate", str(SAMPLES / file), "--sheet", "Nope"])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
