"""What a workbook says about itself, from every sheet: its area and its year (issue 23 item 2, issue 22 item 5).

Kent's sample workbook states its area in 'Statistics'!H1 and its year in H2. A sheet the manager cannot
see (hidden, or very hidden: only a macro or a zip tool shows it) that names another area or year is a
conflict, refused naming both cells, wherever the sheet is in the workbook; --area NAME --area-override or
--year resolves it, and the report says what was set aside. A value read only from a hidden sheet, and a
hidden sheet that holds figures, are named in the report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_XLSX, SAMPLES, sha256
from mappa_stats.cli.main import main

POPULATION = SAMPLES / "ons_mid2014.csv"


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def with_sheet(
    target: Path, cells: dict[str, Any], state: str = "hidden", first: bool = True, rate: int | None = None
) -> Path:
    """Kent's sample with one more sheet, 'Hidden', holding `cells`, in `state`, first or last; `rate`
    replaces the stated rate ('Statistics'!E37)."""
    book = load_workbook(KENT_XLSX)
    sheet = book.create_sheet("Hidden")
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.sheet_state = state
    if first:
        book.move_sheet(sheet, -(len(book.sheetnames) - 1))
    if rate is not None:
        book["Statistics"]["E37"] = rate
    book.active = book.sheetnames.index("Statistics")
    book.save(target)
    return target


@pytest.mark.parametrize("first", [True, False])
def test_a_hidden_sheet_naming_another_area_is_refused_naming_both_cells(tmp_path: Path, first: bool) -> None:
    """The issue's case: a hidden first sheet 'MAPPA area | Sussex' in Kent's workbook whose rate cell says
    106 (Kent's 1,560 RSOs over Sussex's mid-2014 1,466,561 aged 10+: 1,560 × 100,000 / 1,466,561 = 106.37)
    passed as Sussex; hidden last, it was ignored. Either way: refused (exit 2), naming both cells."""
    assert round(1_560 * 100_000 / 1_466_561) == 106
    path = with_sheet(tmp_path / "x.xlsx", {"A1": "MAPPA area", "B1": "Sussex"}, first=first, rate=106)
    before = sha256(path)
    result = run("validate", path, "--population", POPULATION)
    assert result.exit_code == 2, result.output
    assert "two MAPPA area cells disagree" in result.output
    assert "'Hidden'!B1 (on a hidden sheet) says 'Sussex'" in result.output
    assert "'Statistics'!H1 says 'Kent'" in result.output
    assert "PASS" not in result.output
    assert sha256(path) == before


def test_area_override_resolves_the_conflict_and_the_report_says_so(tmp_path: Path) -> None:
    """--area Kent --area-override: read as Kent (its stated 100 checked against Kent's population) and the
    report names the hidden cell that said otherwise; in the JSON report's notes too."""
    path = with_sheet(tmp_path / "x.xlsx", {"A1": "MAPPA area", "B1": "Sussex"})
    result = run("validate", path, "--area", "Kent", "--area-override", "--population", POPULATION)
    assert result.exit_code == 0, result.output
    assert "(Kent, template 2014-15): PASS" in result.output
    assert (
        "by --area-override; the workbook also says 'Sussex' at 'Hidden'!B1 (on a hidden sheet)"
        in result.output
    )
    report = json.loads(run("validate", path, "--area", "Kent", "--area-override", "-f", "json").stdout)
    assert any("'Sussex' at 'Hidden'!B1" in note for note in report["files"][0]["notes"])


def test_a_very_hidden_year_that_disagrees_is_refused_unless_year_is_given(tmp_path: Path) -> None:
    """A very hidden sheet's 'Reporting year | 2023-24' in the 2014-15 workbook was ignored: now refused
    naming both cells; --year 2014-15 reads it as 2014-15 and the report says what the workbook also said."""
    path = with_sheet(
        tmp_path / "x.xlsx", {"A1": "Reporting year", "B1": "2023-24"}, "veryHidden", first=False
    )
    result = run("validate", path)
    assert result.exit_code == 2
    assert (
        "two 'Reporting year' cells disagree: 'Statistics'!H2 says '2014-15' and 'Hidden'!B1" in result.output
    )
    given = run("validate", path, "--year", "2014-15")
    assert given.exit_code == 0, given.output
    assert (
        "the year is 2014-15, given by --year; the workbook also says '2023-24' at 'Hidden'!B1"
        in given.output
    )
    assert run("validate", path, "--year", "2016-17").exit_code == 2  # a year neither cell says


def test_an_area_read_only_from_a_hidden_sheet_is_said(tmp_path: Path) -> None:
    """Kent's own H1 emptied and 'MAPPA area | Kent' on a hidden sheet (under a name that names no area):
    read as Kent, and the report says the area came from a hidden sheet."""
    path = with_sheet(tmp_path / "x.xlsx", {"A1": "MAPPA area", "B1": "Kent"})
    book = load_workbook(path)
    book["Statistics"]["H1"] = None
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "the MAPPA area Kent is read from 'Hidden'!B1 (on a hidden sheet)" in result.output


def test_a_hidden_sheet_that_holds_figures_is_named(tmp_path: Path) -> None:
    """A hidden sheet holding two numbers and no table's title: named in the report, with its count."""
    path = with_sheet(tmp_path / "x.xlsx", {"A1": "old figures", "A2": 1548, "A3": 787})
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "the hidden sheet 'Hidden' holds 2 figures; no table of the year is read from it" in result.output


def test_the_missing_area_names_the_cell_beside_the_label_found(tmp_path: Path) -> None:
    """The 'MAPPA area' label moved to 'Statistics'!J5, the cell right of it empty: the message names K5,
    the cell beside the label actually there, not the template's H1."""
    path = tmp_path / "x.xlsx"
    book = load_workbook(KENT_XLSX)
    sheet = book["Statistics"]
    sheet["G1"], sheet["H1"], sheet["J5"] = None, None, "MAPPA area"
    book.save(path)
    result = run("rate", "--population", POPULATION, path)
    assert result.exit_code == 2
    assert "'Statistics'!K5" in result.output
    assert "H1" not in result.output
    refused = run("tables", path, "-o", tmp_path / "t.xlsx")
    assert refused.exit_code == 1
    assert "'Statistics'!K5" in refused.output


def test_without_any_area_label_the_message_names_the_templates_cells(tmp_path: Path) -> None:
    """No 'MAPPA area' label anywhere: the message says where the template has it (G1 and H1)."""
    path = tmp_path / "x.xlsx"
    book = load_workbook(KENT_XLSX)
    book["Statistics"]["G1"], book["Statistics"]["H1"] = None, None
    book.save(path)
    result = run("rate", "--population", POPULATION, path)
    assert result.exit_code == 2
    assert (
        "add a 'MAPPA area' label with the area's name right of it (the template has them in G1 and H1)"
        in (result.output)
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_an_ods_hidden_sheet_is_hidden_too(tmp_path: Path) -> None:
    """The same workbook saved as .ods by LibreOffice (a hidden table is one whose style says
    table:display="false"): the conflict names the hidden sheet as hidden."""
    source = with_sheet(tmp_path / "x.xlsx", {"A1": "MAPPA area", "B1": "Sussex"})
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "ods",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    result = run("validate", tmp_path / "x.ods")
    assert result.exit_code == 2
    assert "'Hidden'!B1 (on a hidden sheet) says 'Sussex' and 'Statistics'!H1 says 'Kent'" in result.output


def test_tables_takes_area_override_too(tmp_path: Path) -> None:
    """tables reads workbooks as validate does: the hidden Sussex refused, --area Kent --area-override read."""
    path = with_sheet(tmp_path / "x.xlsx", {"A1": "MAPPA area", "B1": "Sussex"})
    assert run("tables", path).exit_code == 2
    given = run("tables", path, "--area", "Kent", "--area-override", "-f", "json")
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout)["area"] == "Kent"
