"""Issue 22: the MAPPA manager's workbook — a template that means what it says, blanks named at their own
cells and never hiding a diagnosis elsewhere, and the first use on Windows (install, licence, a file open in
Excel, CRLF files)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_CSV, KENT_XLSX, ROOT
from helpers import area_from_values
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.errors import OutputError
from mappa_stats.output import write_atomic
from mappa_stats.publication.writer import return_layout
from mappa_stats.validate import validate_area
from returns import breakdowns, figures, make_return
from test_templates import consistent_figures, filled


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def _findings(result: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(result.stdout)["files"][0]["findings"]
    return found


def test_the_2024_25_template_filled_with_the_published_tables_validates_clean(tmp_path: Path) -> None:
    """The area workbook holds the published report's tables only: no breakdown, no 'Row 2' label; filled
    with figures that add up (every cell it has), it passes with no finding at all."""
    template = load_template("2024-25")
    out = tmp_path / "my_area_2025.xlsx"
    assert run("template", "--year", "2024-25", "-o", out).exit_code == 0
    texts = {str(c.value) for ws in load_workbook(out) for row in ws.iter_rows() for c in row if c.value}
    assert not {t for t in texts if t.startswith("Row ")}
    assert not texts & {t.title for t in template.breakdowns}
    breakdown_ids = {t.id for t in template.breakdowns}
    values = {
        c: v
        for c, v in consistent_figures("2024-25").items()
        if template.field_refs[c][0] not in breakdown_ids
    }
    filled(out, values, "--year", "2024-25", "--force")
    result = run("validate", out, "--area", "Kent", "--format", "json")
    assert result.exit_code == 0, result.output
    # Not one error, and nothing about a blank or a table not filled in (the synthetic figures' breach share
    # is high enough for the cross.breach_notification_share warning, which is about the figures).
    assert [f["rule"] for f in _findings(result)] == ["cross.breach_notification_share"]


def test_the_return_form_writes_only_the_labels_a_source_gives(tmp_path: Path) -> None:
    """Each block's first label is the Ministry's ('Under 18', 'Female', 'White - Scottish'); every other row's
    label cell is an empty yellow input cell marked 'type the label'; each block's title says optional."""
    template = load_template("2024-25")
    out = tmp_path / "return.xlsx"
    assert (
        run("template", "--year", "2024-25", "--form", "return", "--area", "Kent", "-o", out).exit_code == 0
    )
    entry = load_workbook(out)["Data entry"]
    _rows, blocks = return_layout(template)
    firsts = {}
    for table in template.breakdowns:
        first = blocks[table.id]
        firsts[table.id] = entry.cell(first, 2).value
        assert str(entry.cell(first - 2, 1).value).endswith("(optional)")
        for offset in range(1, len(table.rows)):
            label = entry.cell(first + offset, 2)
            assert label.value is None
            assert label.fill.fgColor.rgb.endswith("FFF2CC")
            assert entry.cell(first + offset, 1).value == "type the label"
    assert firsts == {
        "breakdown_age": "Under 18",
        "breakdown_sex": "Female",
        "breakdown_ethnicity": "White - Scottish",
    }


def test_a_wholly_blank_breakdown_is_one_finding(tmp_path: Path) -> None:
    """A return whose age block is left blank (sex and ethnicity filled): one warning saying the age breakdown
    is not filled in, not one finding per column or per cell; the breakdown rule says not checked."""
    values = figures("2024-25")
    blank = {key: None for key in breakdowns(values) if key[0] == "age"}
    path = make_return(tmp_path / "kent_return.xlsx", "2024-25", values, blocks=blank)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    found = _findings(result)
    assert len(found) == 1
    assert found[0]["severity"] == "warning"
    assert "'Level 2 and 3 offenders on 31 March by age' is not filled in" in found[0]["message"]
    rules = {r["id"]: r for r in json.loads(result.stdout)["files"][0]["rules"]}
    assert rules["cross.breakdown_adds_up"]["status"] == "skipped"


def test_a_blank_breakdown_leaves_the_swapped_digits_found(tmp_path: Path) -> None:
    """The age block blank, CAT1L2 typed 21 for 12: the sex and ethnicity blocks both give 12, so the slip is
    still located at CAT1L2's cell, as two digits swapped."""
    values = figures("2024-25")
    # The blocks as the true 12 gives them, the age block blank; the typed 21 is the slip.
    blocks = {key: (None if key[0] == "age" else n) for key, n in breakdowns(values).items()}
    path = make_return(tmp_path / "kent_return.xlsx", "2024-25", {**values, "CAT1L2": 21}, blocks=blocks)
    found = _findings(run("validate", path, "--format", "json"))
    slip = [f for f in found if f["field"] == "CAT1L2" and f["expected"] == 12]
    assert slip, found
    assert "probably two digits swapped" in slip[0]["message"]


def test_a_blank_in_one_table_never_switches_off_the_diagnosis_in_another() -> None:
    """A 2023-24 area workbook holding the breakdowns, one blank age cell, and the 31 March Level 1 /
    Category 2 cell typed 1 for its 10 (consistent_figures puts 10 there): still located, at that cell."""
    template = load_template("2023-24")
    cells: dict[tuple[str, str, str], int | None] = {
        template.field_refs[c]: v for c, v in consistent_figures("2023-24").items()
    }
    age = template.table("breakdown_age")
    cells[("breakdown_age", age.rows[1].id, age.columns[0].id)] = None
    assert cells[("snapshot", "level1", "cat2")] == 10
    cells[("snapshot", "level1", "cat2")] = 1
    findings = validate_area(area_from_values(cells, "2023-24")).findings
    located = [f for f in findings if f.field == "CAT2L1" and f.expected == 10]
    assert located and located[0].explains


def test_blank_single_values_are_named_at_their_value_cells(tmp_path: Path) -> None:
    """The empty 2024-25 template: its blank single figures are named at the yellow cells E25, E45 and E75,
    never at the label column's neighbour B25, B45, B75."""
    out = tmp_path / "empty.xlsx"
    assert run("template", "--year", "2024-25", "-o", out).exit_code == 0
    refs = {f["ref"] for f in _findings(run("validate", out, "--format", "json"))}
    assert {"'Statistics'!E25", "'Statistics'!E45", "'Statistics'!E75"} <= refs
    assert not refs & {"'Statistics'!B25", "'Statistics'!B45", "'Statistics'!B75"}


def test_a_file_open_in_excel_says_close_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a workbook open in Excel (PermissionError): the message says what to do,
    not that the folder is read-only; the existing file is untouched and no temporary file is left."""
    target = tmp_path / "pack.html"
    target.write_text("old", encoding="utf-8")

    def refuse(_src: Any, _dst: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)

    def write(temp: Path) -> None:
        temp.write_text("new", encoding="utf-8")

    with pytest.raises(OutputError, match="close it in Excel and run again"):
        write_atomic(target, write, force=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.html"]


def test_a_crlf_csv_in_a_windows_style_folder_reads(tmp_path: Path) -> None:
    """The tidy CSV as Excel on Windows saves it (CRLF line endings), in a folder with a space and brackets:
    it validates as the LF file does."""
    folder = tmp_path / "MAPPA (2015) returns"
    folder.mkdir()
    crlf = folder / "kent_2015.csv"
    crlf.write_bytes(KENT_CSV.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert b"\r\n" in crlf.read_bytes()
    result = run("validate", crlf)
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output


def test_readme_has_windows_and_user_installs_and_the_licence_is_there() -> None:
    """README: the Windows lines, a user install apart from the development one, the tests the second
    quickstart command; LICENSE: MIT, as pyproject.toml says."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "py -m venv .venv" in readme and ".venv\\Scripts\\activate" in readme
    assert "\npip install .\n" in readme and 'pip install -e ".[test]"' in readme
    quick = readme.split("## Quickstart", 1)[1].split("```", 2)[1].strip().splitlines()
    assert quick[1] == "python -m pytest"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_a_return_names_the_fields_nothing_cross_checks(tmp_path: Path) -> None:
    """CAT2L1 typed 1132 for 1123 passes (no total or relation of the year reaches it): the report names
    it, with the other such fields, so a PASS is not read as more than it is; the sign-off pack says so too."""
    values = {**figures("2024-25"), "CAT2L1": 1132}
    path = make_return(tmp_path / "kent_return.xlsx", "2024-25", values)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["files"][0]["notes"]
    said = next(n for n in notes if n.startswith("Not cross-checked: "))
    listed = [part.split(" ")[0] for part in said.removeprefix("Not cross-checked: ").split("), ")]
    assert listed == ["CAT2L1", "SOPOGRANT", "NOGRANT", "FTOGRANT", "SROBREACH", "RSOREVOKE"]
    pack = tmp_path / "pack.md"
    assert run("signoff", path, "-o", pack).exit_code == 0
    assert (
        "Every field of the return is reached by a total or relation of the year | not checked: CAT2L1"
        in (pack.read_text(encoding="utf-8"))
    )
    # An area workbook has its totals typed: no such note.
    kent = run("validate", KENT_CSV, "--format", "json")
    assert not [n for n in json.loads(kent.stdout)["files"][0].get("notes", []) if "cross-checked" in n]


def test_a_return_names_the_fields_only_a_bound_reaches(tmp_path: Path) -> None:
    """CAT1L1 is reached by no total typed in the return and no equality, only by relations' bounds (the
    notification breaches at most the Category 1 count): typed 9 too high (two digits swapped change a figure
    by a multiple of 9) it passes. The report names it as checked only against a bound, not among the fields
    a total reaches; the sign-off pack says so too."""
    right = figures("2024-25")
    path = make_return(tmp_path / "kent_return.xlsx", "2024-25", {**right, "CAT1L1": right["CAT1L1"] + 9})
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["files"][0]["notes"]
    said = next(n for n in notes if n.startswith("Checked only against a bound: "))
    listed = [part.split(" ")[0] for part in said.removeprefix("Checked only against a bound: ").split("), ")]
    assert listed[0] == "CAT1L1" and "CAT1L2YEAR" in listed
    assert "so a mistyped figure there mostly passes" in said
    pack = tmp_path / "pack.md"
    assert run("signoff", path, "-o", pack).exit_code == 0
    assert (
        "Every field of the return is reached by a total or an equality, not only by a bound | only a bound: "
        "CAT1L1" in pack.read_text(encoding="utf-8")
    )


def test_year_given_against_the_workbooks_own_year_is_an_error(tmp_path: Path) -> None:
    """A 2024-25 workbook (its 'Reporting year' cell says so) validated with --year 2023-24: refused in one
    line naming both, never checked against the wrong year's tables."""
    out = tmp_path / "kent_2025.xlsx"
    assert run("template", "--year", "2024-25", "-o", out).exit_code == 0
    result = run("validate", out, "--year", "2023-24")
    assert result.exit_code == 2
    assert (
        "--year 2023-24, but the workbook's 'Reporting year' cell 'Statistics'!H2 says 2024-25"
        in result.output
    )
    assert run("validate", out, "--year", "2024-25").exit_code == 1  # its own year: read and checked


@pytest.mark.parametrize(
    ("area_id", "name", "words"),
    [
        (44, "Kent", "'Data entry'!A2 holds area id '44'; the Ministry's area ids are 1 to 43"),
        (17, "Surrey", "'Data entry'!C2 names 'Surrey' but the area id in A2 is 17 (Kent)"),
    ],
)
def test_area_id_conflicts_are_errors(tmp_path: Path, area_id: int, name: str, words: str) -> None:
    """An area id that is no MAPPA area, or one whose name says another area: exit 2, naming the cells."""
    path = make_return(tmp_path / "r.xlsx", "2024-25", figures("2024-25"), area_id=area_id, area_name=name)
    result = run("validate", path)
    assert result.exit_code == 2
    assert words in result.output


@pytest.mark.parametrize(
    ("area_id", "name", "words"),
    [
        (44, "Kent", "'Data entry'!A2 holds area id '44'; the Ministry's area ids are 1 to 43"),
        (17, "Surrey", "'Data entry'!C2 names 'Surrey' but the area id in A2 is 17 (Kent)"),
    ],
)
def test_area_override_reads_a_conflicting_return_and_says_so(
    tmp_path: Path, area_id: int, name: str, words: str
) -> None:
    """--area Kent --area-override over the same returns: read as Kent, and the report states what it set
    aside, naming the cells."""
    path = make_return(tmp_path / "r.xlsx", "2024-25", figures("2024-25"), area_id=area_id, area_name=name)
    result = run("validate", path, "--area", "Kent", "--area-override")
    assert result.exit_code == 0, result.output
    assert "(Kent, template 2024-25): PASS" in result.output
    assert f"area given as Kent by --area-override; {words}" in result.output


def test_a_workbook_without_its_area_points_at_h1_and_is_not_published(tmp_path: Path) -> None:
    """The template filled in but its yellow H1 (right of 'MAPPA area') left empty: the rate's message names
    H1, and the publication is refused as a failing one is (exit 1, nothing written) unless forced."""
    # The Kent sample (its 'MAPPA area' in G1, as the template has it), H1 emptied, under a name that names
    # no area (a file name would give one).
    out = tmp_path / "area.xlsx"
    book = load_workbook(KENT_XLSX)
    sheet = book["Statistics"]
    label = next(c for row in sheet.iter_rows() for c in row if c.value == "MAPPA area")
    sheet.cell(label.row, label.column + 1).value = None
    book.save(out)
    missing = tmp_path / "missing.xlsx"
    out.rename(missing)
    rate = run("rate", "--population", ROOT / "samples" / "ons_mid2014.csv", missing)
    assert rate.exit_code == 2
    assert "type the area's name in 'Statistics'!H1, right of its 'MAPPA area' label" in rate.output
    published = tmp_path / "tables.xlsx"
    refused = run("tables", missing, "-o", published)
    assert refused.exit_code == 1
    assert "not published: the workbook does not name its MAPPA area" in refused.output
    assert not published.exists()
