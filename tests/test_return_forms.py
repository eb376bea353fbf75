"""The National Security Division's return, and the return form `template --form return` writes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import sha256
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.publication.writer import return_layout, write_return
from returns import NSD, _save_values, breakdowns, figures, make_return, nsd_breakdowns

PREFIX = {"age": "AGE", "sex": "SEX", "ethnicity": "ETH"}


def with_blocks(values: dict[str, int], form: str = "area") -> dict[str, int]:
    """The figures and the breakdown blocks (tests/returns.py) as field codes: AGE3_CAT1L2 …"""
    counts = nsd_breakdowns(values) if form == "nsd" else breakdowns(values)
    return {**values, **{f"{PREFIX[b]}{row}_{code}": n for (b, row, code), n in counts.items()}}


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def report(result: Any) -> dict[str, Any]:
    files: list[dict[str, Any]] = json.loads(result.stdout)["files"]
    return files[0]


def table_values(path: Path) -> dict[str, float]:
    """Field code → value, as `tables --format json` prints the file (cells named by the year's definition)."""
    result = run("tables", path, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    form = "nsd" if document["area"] == "National Security Division" else "area"
    codes = {ref: code for code, ref in load_template(document["template"], form).field_refs.items()}
    out = {}
    for table in document["tables"]:
        for row in table["rows"]:
            for column, cell in row["cells"].items():
                if cell["value"] is not None:
                    out[codes[(table["id"], row["id"], column)]] = cell["value"]
    return out


# --- the National Security Division (area 43, Category 4) -------------------------------------------------


@pytest.mark.parametrize("year", ["2023-24", "2024-25"])
def test_a_consistent_nsd_return_validates_clean(tmp_path: Path, year: str) -> None:
    """Shuffled, mixed case, CAT4L3SFOCHARGED as the Ministry repairs it: exit 0, Category 4 read."""
    path = make_return(
        tmp_path / "NSD.xlsx",
        year,
        NSD,
        area_id=43,
        area_name="National Security Division",
        form="nsd",
        header={"CAT4L3SFOCHARGE": "CAT4L3SFOCHARGED"},
    )
    before = sha256(path)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    file = report(result)
    assert (file["area"], file["template"], file["findings"]) == ("National Security Division", year, [])
    values = table_values(path)
    # The Category 4 total is derived: 150 + 20 + 5 = 175 on 31 March.
    assert values["CAT4TOT"] == 175
    assert values["CAT4YEARTOT"] == 30 + 8
    assert sha256(path) == before


@pytest.mark.parametrize(
    ("change", "rule", "value"),
    [
        ({"CAT4L2YEAR": 19}, "cross.yearly_ge_snapshot", 19),  # 19 in the year, 20 on 31 March
        ({"CAT4L3LICBREACH": 9}, "cross.custody_le_yearly", 9),  # 9 returned, 8 managed at Level 3
        ({"CAT4L1SFOCONV": 3}, "cross.sfo_outcomes", 3),  # 3 + 1 + 0 outcomes for 2 charged
    ],
)
def test_each_nsd_rule_broken_once_names_the_typed_cell(
    tmp_path: Path, change: dict[str, int], rule: str, value: int
) -> None:
    """Each relation of the NSD return broken once: exit 1 at the 'Data entry' cell that was typed."""
    path = make_return(
        tmp_path / "NSD.xlsx", "2023-24", {**NSD, **change}, area_id=43, area_name="NSD", form="nsd"
    )
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1, result.output
    found = [f for f in report(result)["findings"] if rule in f["rules"]]
    assert found
    assert found[0]["sheet"] == "Data entry"
    assert found[0]["cell"].startswith("D")
    if rule == "cross.sfo_outcomes":
        # The outcomes add up to 3 + 1 + 0 = 4 against 2 charged; with no totals on a return the sums cannot
        # tell which was mistyped, so each option is named with the value it needs: 3 convicted → 1 among them.
        assert found[0]["actual"] == 4
        assert "several possibilities" in found[0]["suggestion"]
        assert "→ 1" in found[0]["suggestion"]
    else:
        assert str(found[0]["actual"]) == str(value)


def test_an_nsd_breakdown_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    """The NSD's age block holds 8 + 12 = 20 at Level 2; typing 13 for 12 is caught against the 20."""
    path = make_return(
        tmp_path / "NSD.xlsx",
        "2023-24",
        NSD,
        area_id=43,
        area_name="National Security Division",
        form="nsd",
        blocks={("age", 3, "CAT4L2"): 13},
    )
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    found = [f for f in report(result)["findings"] if "cross.breakdown_adds_up" in f["rules"]]
    assert found
    assert "21" in found[0]["message"]
    assert "20" in found[0]["message"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        # An area's fields under the NSD's id, and the NSD's fields under Kent's.
        ({"area_id": 43, "form": "area"}, "says area 43 (National Security Division), but the data sheet"),
        ({"area_id": 17, "form": "nsd"}, "says area 17 (Kent), but the data sheet's fields are the National"),
    ],
)
def test_an_id_that_disagrees_with_the_fields_is_one_line(
    tmp_path: Path, kwargs: dict[str, Any], words: str
) -> None:
    """The area id and the return's fields must be of the same form: one line, exit 2."""
    form = kwargs["form"]
    values = NSD if form == "nsd" else figures("2023-24")
    path = make_return(tmp_path / "return.xlsx", "2023-24", values, area_name="", **kwargs)
    result = run("validate", path)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_an_nsd_return_before_category_4_is_refused(tmp_path: Path) -> None:
    """Category 4 is reported from 2022-23: an NSD data sheet of 2021-22 is refused in one line."""
    path = make_return(tmp_path / "NSD.xlsx", "2023-24", NSD, area_id=43, area_name="NSD", form="nsd")
    book = load_workbook(path)
    book["23-24 data"].title = "21-22 data"
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "Category 4 is reported from 2022-23" in result.output


# --- template --form return: the form a manager fills in, read back ---------------------------------------


def _fill_as_excel_would(path: Path, values: dict[str, Any], template_year: str, form: str = "area") -> None:
    """Type the figures into 'Data entry' and save what Excel saves: the data sheet's formulas with their
    values (computed here from the references, as Excel computes them)."""
    template = load_template(template_year, form)
    book = load_workbook(path)
    entry = _type_into_form(book, values, template)
    data = book[template.return_sheet]
    cached = {}
    for cell in data[2]:
        target = str(cell.value).split("!")[1]
        shown = entry[target].value
        cached[cell.coordinate] = 0 if shown is None else shown
    book.save(path)
    _save_values(path, f"xl/worksheets/sheet{book.index(data) + 1}.xml", cached)


def _type_into_form(book: Any, values: dict[str, Any], template: Any) -> Any:
    """Type figures into the form's cells (return_layout says where), as a manager would."""
    rows, blocks = return_layout(template)
    entry = book["Data entry"]
    for code, value in values.items():
        if code in rows:
            entry.cell(rows[code], 4, value)
    for table_id, first in blocks.items():
        table = template.table(table_id)
        for offset, row in enumerate(table.rows):
            for k, column in enumerate(table.columns):
                code = table.fields[(row.id, column.id)]
                if code in values:
                    entry.cell(first + offset, 3 + k, values[code])
    return entry


def test_the_return_form_round_trips(tmp_path: Path) -> None:
    """template --form return --area Kent, filled in as a manager would: every field reads back as typed."""
    out = tmp_path / "kent_return.xlsx"
    written = run("template", "--year", "2024-25", "--form", "return", "--area", "kent police", "-o", out)
    assert written.exit_code == 0, written.output
    values = with_blocks(figures("2024-25"))
    _fill_as_excel_would(out, values, "2024-25")
    result = run("validate", out, "--format", "json")
    assert result.exit_code == 0, result.output
    assert (report(result)["area"], report(result)["template"]) == ("Kent", "2024-25")
    read = table_values(out)
    assert {code: read[code] for code in values} == values
    # One slip typed into the form is found at the form's cell.
    book = load_workbook(out)
    rows, _ = return_layout(load_template("2024-25"))
    values["CAT2L2YEAR"] = 5  # below the 6 at Level 2 on 31 March
    _fill_as_excel_would(out, values, "2024-25")
    broken = run("validate", out, "--format", "json")
    assert broken.exit_code == 1
    assert any(f["ref"] == f"'Data entry'!D{rows['CAT2L2YEAR']}" for f in report(broken)["findings"])
    assert book.sheetnames == ["Data entry", "24-25 data"]


@pytest.mark.parametrize(("year", "form"), [("2023-24", "area"), ("2024-25", "nsd")])
def test_write_return_reads_back_with_its_saved_values(tmp_path: Path, year: str, form: str) -> None:
    """A return written with figures reads back, before Excel ever opens it, with those figures."""
    figures_ = with_blocks(NSD, "nsd") if form == "nsd" else with_blocks(figures(year))
    out = tmp_path / "return.xlsx"
    area = (43, "National Security Division") if form == "nsd" else (17, "Kent")
    write_return(load_template(year, form), out, dict[str, float](figures_), *area)
    result = run("validate", out, "--format", "json")
    assert result.exit_code == 0, result.output
    read = table_values(out)
    assert {code: read[code] for code in figures_} == figures_


def test_an_empty_return_form_names_the_area_cell(tmp_path: Path) -> None:
    """The form as written, nothing typed: one line pointing at 'Data entry'!A2."""
    out = tmp_path / "return.xlsx"
    assert run("template", "--form", "return", "-o", out).exit_code == 0
    result = run("validate", out)
    assert result.exit_code == 2
    assert "'Data entry'!A2 is empty; type the area's id there" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--year", "2018-19", "--form", "return"], "--form return is for 2023-24, 2024-25"),
        (["--form", "return", "--area", "Kentt"], "did you mean Kent?"),
        (["--area", "Kent"], "--area goes with --form return"),
    ],
)
def test_return_form_options_are_refused_in_one_line(tmp_path: Path, args: list[str], words: str) -> None:
    """A year with no known return, an unknown area, --area on a workbook: exit 2, nothing written."""
    out = tmp_path / "return.xlsx"
    result = run("template", *args, "-o", out)
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_a_filled_form(tmp_path: Path) -> None:
    """A person's round trip: fill the form with openpyxl (no values saved), let LibreOffice recalculate and
    save it, and the data sheet's references carry the figures to validate."""
    out = tmp_path / "form.xlsx"
    assert (
        run("template", "--year", "2023-24", "--form", "return", "--area", "Kent", "-o", out).exit_code == 0
    )
    values = with_blocks(figures("2023-24"))
    book = load_workbook(out)
    _type_into_form(book, values, load_template("2023-24"))
    book.save(out)
    saved = tmp_path / "saved"
    subprocess.run(
        ["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(saved), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    result = run("validate", saved / "form.xlsx", "--format", "json")
    assert result.exit_code == 0, result.output
    read = table_values(saved / "form.xlsx")
    assert {code: read[code] for code in values} == values


# --- another year's figures as a two-row field-code sheet ----------------------------------------------------


def two_row_sheet(path: Path, year: str, values: dict[str, int], area_id: int = 17) -> Path:
    """A sheet 'YY-YY data' of the year's own fields: codes in row 1, typed numbers in row 2, nothing else."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year[2:4]}-{year[5:7]} data"
    for column, code in enumerate(load_template(year).return_fields, start=1):
        sheet.cell(1, column, code)
        sheet.cell(2, column, area_id if code == "AREAID" else values[code])
    book.save(path)
    return path


def older_figures(year: str) -> dict[str, int]:
    """Kent's 2014-15 figures under the year's fields (tests/returns.py), the 37 breaches of notification
    (the seed report) in the one field those years have, and consistent serious further offences."""
    from returns import KENT, SFO

    fields = [c for c in load_template(year).return_fields if c != "AREAID"]
    values = {code: 0 for code in fields}
    values.update({code: n for code, n in KENT.items() if code in values})
    values["CAT1CAUTCON"] = 37
    for cell, (charged, convicted, still, other) in SFO.items():
        if f"{cell}SFO" in values:
            values.update(
                {
                    f"{cell}SFO": charged,
                    f"{cell}SFOCONV": convicted,
                    f"{cell}SFOCHARGE": still,
                    f"{cell}SFOOTHER": other,
                }
            )
    return values


@pytest.mark.parametrize("year", ["2015-16", "2018-19", "2022-23"])
def test_a_two_row_sheet_of_an_earlier_year_is_read(tmp_path: Path, year: str) -> None:
    """The year's fields as a two-row sheet: checked with that year's rules, said to be provisional, and a
    slip named at the data-sheet cell it was typed in."""
    values = older_figures(year)
    path = two_row_sheet(tmp_path / "figures.xlsx", year, values)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "provisional" in result.output
    assert f"template {year}" in result.output
    fields = load_template(year).return_fields
    slip = two_row_sheet(tmp_path / "slip.xlsx", year, {**values, "CAT2L2YEAR": 5})  # below the 6 on 31 March
    broken = run("validate", slip, "--format", "json")
    assert broken.exit_code == 1
    from mappa_stats.model import a1

    where = f"'{year[2:4]}-{year[5:7]} data'!{a1(2, fields.index('CAT2L2YEAR') + 1)}"
    assert any(f["ref"] == where for f in report(broken)["findings"])


def test_a_two_row_sheet_missing_a_field_of_its_year_is_one_line(tmp_path: Path) -> None:
    """A 2018-19 sheet with 2015-16's fields (no serious further offences) names what is missing."""
    values = older_figures("2015-16")
    path = two_row_sheet(tmp_path / "figures.xlsx", "2015-16", values)
    book = load_workbook(path)
    book["15-16 data"].title = "18-19 data"
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "sheet '18-19 data' has no column for CAT1L1SFO" in result.output


def test_the_nsd_has_no_rate_to_check(tmp_path: Path) -> None:
    """Category 4 has no rate per 100,000: with --population the NSD's return still passes, no rate rule run,
    while an area's return given with it has the rate rules."""
    from conftest import SAMPLES

    path = make_return(tmp_path / "NSD.xlsx", "2023-24", NSD, area_id=43, area_name="NSD", form="nsd")
    result = run("validate", path, "--population", SAMPLES / "ons_mid2014.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    assert not [r for r in report(result)["rules"] if r["id"].startswith("rate.")]
    listed = run("rules", "--form", "nsd", "--year", "2023-24").output
    assert "cross.sfo_outcomes" in listed
    assert "rate.matches" not in listed


def test_the_nsd_tables_round_trip_through_csv_and_publication(tmp_path: Path) -> None:
    """The NSD's tables written as the tidy CSV and as the publication workbook read back as the same cells,
    with the NSD's own definition (Category 4), not an area's."""
    path = make_return(tmp_path / "NSD.xlsx", "2024-25", NSD, area_id=43, area_name="NSD", form="nsd")
    source = run("tables", path, "--format", "csv").stdout
    tidy = tmp_path / "nsd.csv"
    tidy.write_text(source, encoding="utf-8")
    assert run("validate", tidy).exit_code == 0
    assert run("tables", tidy, "--format", "csv").stdout == source
    published = tmp_path / "nsd_tables.xlsx"
    assert run("tables", path, "-o", published).exit_code == 0
    assert run("tables", published, "--format", "csv").stdout == source


def test_an_exact_half_without_a_stated_rate_names_both_roundings() -> None:
    """197 RSOs in 200,000 aged 10+ is exactly 98.5 per 100,000: the reports' half up gives 99, the
    Ministry's pipeline (pandas' round, half to even) 98; with no stated rate (a return) both are said."""
    from mappa_stats.io.population import AreaPopulation
    from mappa_stats.io.population_rate import compute_rate

    base = AreaPopulation(area="Test", aged_10_plus=200_000, all_ages=None, codes=())
    verdict = compute_rate("Test", 197, base).verdict()
    assert "half up gives 99" in verdict
    assert "pipeline rounds 98" in verdict
    assert compute_rate("Test", 196, base).verdict() == "no stated rate"  # 98.0: nothing to say


# --- what the fresh-eyes trial found (each refused or said, never passed) ----------------------------------


def test_a_blank_cell_of_the_form_is_said_though_the_data_sheet_shows_0(tmp_path: Path) -> None:
    """Excel shows a reference to an empty cell as 0: the blank is on 'Data entry', and it is said there."""
    values = with_blocks(figures("2023-24"))
    del values["NOGRANT"], values["SROBREACH"]
    out = tmp_path / "return.xlsx"
    write_return(load_template("2023-24"), out, dict[str, float](values), 17, "Kent")
    result = run("validate", out)
    assert result.exit_code == 0, result.output
    rows, _ = return_layout(load_template("2023-24"))
    assert "2 fields of the return are blank and read as 0" in result.output
    assert f"NOGRANT ('Data entry'!D{rows['NOGRANT']}" in result.output
    assert run("validate", out, "--strict").exit_code == 1


def test_a_form_with_nothing_typed_is_not_a_return(tmp_path: Path) -> None:
    """The form as written, only the area chosen: no figure typed, refused in one line (never PASS)."""
    out = tmp_path / "return.xlsx"
    assert (
        run("template", "--year", "2023-24", "--form", "return", "--area", "Kent", "-o", out).exit_code == 0
    )
    result = run("validate", out)
    assert result.exit_code == 2
    assert "no figure of the return is typed (68 fields blank" in result.output
    assert run("signoff", out).exit_code == 2


def test_a_reference_to_a_sheet_that_is_not_there_names_the_data_sheet_cell(tmp_path: Path) -> None:
    """Row 2 pointing at a sheet the workbook lacks: the finding is at the data-sheet cell, not a phantom."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"), shuffle=False)
    book = load_workbook(path)
    data = book["23-24 data"]
    column = next(c.column for c in data[1] if c.value == "CAT1L1")
    data.cell(2, column, "=Missing_sheet!D17")
    book.save(path)
    cached = {c.coordinate: 1548 for c in data[2] if c.column == column}
    _save_values(path, "xl/worksheets/sheet2.xml", cached)
    result = run("tables", path, "--format", "json")
    cells = json.loads(result.stdout)["tables"][0]["rows"][0]["cells"]
    from mappa_stats.model import a1

    assert cells["cat1"]["source"] == f"'23-24 data'!{a1(2, column)}"


def test_an_anchor_label_given_twice_is_refused(tmp_path: Path) -> None:
    """A second 'Female' in column B would move the sex block: refused, naming both cells."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    book = load_workbook(path)
    book["Data entry"]["B300"] = "Female"
    book.save(path)
    _save_values(path, "xl/worksheets/sheet2.xml", {})
    result = run("validate", path)
    assert result.exit_code == 2
    assert "'Data entry' has 'Female' in column B at B220 and B300" in result.output


def test_two_data_sheets_are_chosen_between_not_guessed(tmp_path: Path) -> None:
    """'18-19 data' and '15-16 data' in one workbook: refused naming both, unless --sheet or --year chooses."""
    from openpyxl import Workbook

    late, early = older_figures("2018-19"), older_figures("2015-16")
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for year, values in (("2018-19", late), ("2015-16", early)):
        sheet = book.create_sheet(f"{year[2:4]}-{year[5:7]} data")
        for column, code in enumerate(load_template(year).return_fields, start=1):
            sheet.cell(1, column, code)
            sheet.cell(2, column, 17 if code == "AREAID" else values[code])
    path = tmp_path / "two.xlsx"
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "2 data sheets ('18-19 data', '15-16 data'); choose one" in result.output
    assert "template 2015-16" in run("validate", path, "--sheet", "15-16 data").output
    assert "template 2018-19" in run("validate", path, "--year", "2018-19").output


def test_the_nsd_of_2022_23_is_read_as_a_two_row_sheet(tmp_path: Path) -> None:
    """No NSD form of 2022-23 is public: its 20 fields as a two-row sheet are read, provisional, no blocks."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "22-23 data"
    for column, code in enumerate(load_template("2022-23", "nsd").return_fields, start=1):
        sheet.cell(1, column, code)
        sheet.cell(2, column, 43 if code == "AREAID" else NSD[code])
    path = tmp_path / "nsd22.xlsx"
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "(National Security Division, template 2022-23)" in result.output
    assert "provisional" in result.output


def test_sheet_naming_the_form_points_at_the_data_sheet(tmp_path: Path) -> None:
    """--sheet 'Data entry' on a return: one line naming the data sheet to give instead."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    result = run("validate", path, "--sheet", "Data entry")
    assert result.exit_code == 2
    assert "'Data entry' is the return's form; give its data sheet, --sheet '23-24 data'" in result.output


def test_a_31_march_slip_against_the_breakdowns_is_filed_under_their_rule(tmp_path: Path) -> None:
    """Category 1 Level 2 typed 120 where the three breakdowns hold 12: located at the typed cell, named by
    the blocks' columns once each, under cross.breakdown_adds_up (a return has no totals.row to break)."""
    values = figures("2023-24")
    path = make_return(
        tmp_path / "return.xlsx", "2023-24", {**values, "CAT1L2": 120}, blocks=breakdowns(values)
    )
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    located = [f for f in report(result)["findings"] if f["field"] == "CAT1L2"]
    assert len(located) == 1
    assert located[0]["rule"] == "cross.breakdown_adds_up"
    assert located[0]["expected"] == 12
    assert "'Level 2 and 3 offenders on 31 March by sex' column" in (located[0]["message"])
    failed = [r["id"] for r in report(result)["rules"] if r["status"] == "failed"]
    # 120 is also above the yearly 18: that relation fails with the same slip, and is said in its finding.
    shown = {rule for f in report(result)["findings"] for rule in f["rules"]}
    assert "totals.row" not in failed
    assert (
        set(failed)
        == shown
        == {
            "cross.breakdown_adds_up",
            "cross.yearly_ge_snapshot",
        }
    )
    assert len(report(result)["findings"]) == 1


def test_the_pack_does_not_offer_a_relations_sum_as_a_cells_value(tmp_path: Path) -> None:
    """Convicted typed 3 for 1 (3 + 1 + 0 outcomes for 2 charged): the pack marks the cell but never says it
    'should be == 2' — the sum its cells need is not this cell's value; the options are in the findings."""
    path = make_return(
        tmp_path / "NSD.xlsx", "2023-24", {**NSD, "CAT4L1SFOCONV": 3}, area_id=43, area_name="", form="nsd"
    )
    pack = run("signoff", path)
    assert pack.exit_code == 1
    assert "should be ==" not in pack.output
    assert "[wrong] 3" in pack.output
    html = tmp_path / "pack.html"
    assert run("signoff", path, "-o", html).exit_code == 1
    assert "should be ==" not in html.read_text(encoding="utf-8")


def test_a_return_saved_as_opendocument_names_the_typed_cell(tmp_path: Path) -> None:
    """A return kept in LibreOffice's own format: its data sheet's references are read from the .ods, so a
    slip is named at 'Data entry' as in the .xlsx. Built with odfpy: the form's D cells and row 2 of
    references (of:=['Data entry'.Dn]) with the values LibreOffice saves."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    values = {**figures("2023-24"), "CAT2L2YEAR": 5}  # yearly 5 below the 6 on 31 March
    template = load_template("2023-24")
    rows, blocks = return_layout(template)
    counts = with_blocks(figures("2023-24"))

    def cell(value: Any = None, formula: str | None = None) -> Any:
        if value is None:
            return TableCell()
        kind = {"valuetype": "float", "value": value} if isinstance(value, int) else {"valuetype": "string"}
        made = TableCell(formula=formula, **kind) if formula else TableCell(**kind)
        made.addElement(P(text=str(value)))
        return made

    doc = OpenDocumentSpreadsheet()
    entry = Table(name="Data entry")
    grid: dict[int, dict[int, Any]] = {1: {1: "Area ID", 3: "Area"}, 2: {1: 17, 3: "Kent"}}
    for code, r in rows.items():
        grid.setdefault(r, {})[4] = values[code]
    for table_id, first in blocks.items():
        table = template.table(table_id)
        for offset, row in enumerate(table.rows):
            grid.setdefault(first + offset, {})[2] = row.label
            for k, column in enumerate(table.columns):
                grid[first + offset][3 + k] = counts.get(table.fields[(row.id, column.id)])
    for r in range(1, max(grid) + 1):
        line = TableRow()
        for c in range(1, 9):
            line.addElement(cell(grid.get(r, {}).get(c)))
        entry.addElement(line)
    data = Table(name="23-24 data")
    head, body = TableRow(), TableRow()
    for code in template.return_fields:
        head.addElement(cell(code))
        target = "A2" if code == "AREAID" else f"D{rows[code]}"
        body.addElement(cell(17 if code == "AREAID" else values[code], f"of:=['Data entry'.{target}]"))
    data.addElement(head)
    data.addElement(body)
    doc.spreadsheet.addElement(entry)
    doc.spreadsheet.addElement(data)
    path = tmp_path / "return.ods"
    doc.save(str(path))
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1, result.output
    found = [f for f in report(result)["findings"] if f["field"] == "CAT2L2YEAR"]
    assert found
    assert found[0]["ref"] == f"'Data entry'!D{rows['CAT2L2YEAR']}"


def test_the_forms_own_row_labels_are_kept(tmp_path: Path) -> None:
    """Only a block's first label is public: the manager's '18-20' and 'Male' are shown as typed in tables,
    JSON, the sign-off pack and the publication workbook, which reads back as the same cells."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    book = load_workbook(path)
    entry = book["Data entry"]
    entry["B201"], entry["B221"] = "18-20", "Male"  # the second rows of the age and sex blocks
    data = book["23-24 data"]
    cached = {c.coordinate: entry[str(c.value).split("!")[1]].value or 0 for c in data[2]}
    book.save(path)
    _save_values(path, "xl/worksheets/sheet2.xml", cached)
    text = run("tables", path).output
    assert "\n18-20 " in text
    assert "\nMale " in text
    document = json.loads(run("tables", path, "--format", "json").stdout)
    age = next(t for t in document["tables"] if t["id"] == "breakdown_age")
    assert [r["label"] for r in age["rows"]][:2] == ["Under 18", "18-20"]
    assert "Male" in run("signoff", path).output
    published = tmp_path / "tables.xlsx"
    assert run("tables", path, "-o", published).exit_code == 0

    def blocks(source: Path) -> list[str]:
        return [x for x in run("tables", source, "--format", "csv").stdout.splitlines() if ",breakdown_" in x]

    assert blocks(published) == blocks(path)
    assert len(blocks(path)) == (9 + 5 + 40) * 6


def test_a_returns_tidy_csv_reads_back(tmp_path: Path) -> None:
    """tables -f csv of a return has no stated-rate or commentary table (a return carries neither); the CSV
    reads back and validates as the return did."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    tidy = tmp_path / "kent.csv"
    assert run("tables", path, "-f", "csv", "-o", tidy).exit_code == 0
    assert run("validate", tidy).exit_code == 0
    assert run("tables", tidy, "-f", "csv").stdout == tidy.read_text(encoding="utf-8")
