"""The national tables agree with the Ministry's own computation (issue 27): Category 4 in the age, sex and
ethnicity tables and their totals, the Ministry's rounding of the published rate and population, every
figure of the National Security Division in the CSV and JSON, and the built tables checked before anything
is written.

Figures come from tests/combine_sets.py and tests/returns.py: area i's return is Kent's × i, so a national
figure of the 42 areas is Kent's × 903 (1 + … + 42); the NSD's return holds 20 at Level 2 and 5 at Level 3,
its age block 8 + 12 at Level 2 and 5 at Level 3 (returns.nsd_breakdowns).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from combine_sets import SUM_OF_IDS, returns_set
from conftest import KENT_CSV
from mappa_stats.cli.main import main
from mappa_stats.combine import run as combine_run
from mappa_stats.combine.national import national as build_national
from mappa_stats.combine.result import NationalTable
from returns import KENT, NSD, make_return

# Kent's Level 2 and Level 3 on 31 March: 12 + 6 + 4 at Level 2, none at Level 3 (the seed report).
KENT_L2 = KENT["CAT1L2"] + KENT["CAT2L2"] + KENT["CAT3L2"]
KENT_L3 = KENT["CAT1L3"] + KENT["CAT2L3"] + KENT["CAT3L3"]
assert (KENT_L2, KENT_L3) == (22, 0)
# Every area's Level 2 + 3 (22 × 903 = 19,866) and the NSD's (20 + 5 = 25): 19,891.
LEVELS_2_AND_3 = (KENT_L2 + KENT_L3) * SUM_OF_IDS + NSD["CAT4L2"] + NSD["CAT4L3"]
assert LEVELS_2_AND_3 == 19_891


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def national_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 42 area returns of 2023-24 and the NSD's, whose breakdowns are not zero."""
    folder = tmp_path_factory.mktemp("national") / "2023-24"
    returns_set(folder)
    make_return(
        folder / "nsd.xlsx", "2023-24", NSD, area_id=43, area_name="National Security Division", form="nsd"
    )
    return folder


def table(document: dict[str, Any], table_id: str) -> dict[str, Any]:
    return next(t for t in document["national"]["tables"] if t["id"] == table_id)


def cell(document: dict[str, Any], table_id: str, row_id: str, column_id: str) -> Any:
    found = table(document, table_id)
    columns = [c["id"] for c in found["columns"]]
    row = next(r for r in found["rows"] if r["id"] == row_id)
    return row["cells"][columns.index(column_id)]["value"]


def test_every_breakdown_total_is_table_1_levels_2_and_3_with_category_4(national_set: Path) -> None:
    """Age, sex and ethnicity each add up to Table 1's Level 2 + Level 3, the NSD's 25 included (19,891),
    with Category 4's own columns; before, they added up to 19,866 and Category 4 was nowhere."""
    result = run("combine", national_set, "--format", "json")
    assert result.exit_code == 0, result.output[-2000:]
    document = json.loads(result.stdout)
    level2 = cell(document, "snapshot", "level2", "total")
    level3 = cell(document, "snapshot", "level3", "total")
    assert level2 + level3 == LEVELS_2_AND_3
    for table_id in ("breakdown_age", "breakdown_sex", "breakdown_ethnicity"):
        columns = [c["id"] for c in table(document, table_id)["columns"]]
        assert columns[-3:] == ["cat4l2", "cat4l3", "total"], table_id
        assert cell(document, table_id, "total", "total") == LEVELS_2_AND_3, table_id
        assert cell(document, table_id, "total", "cat4l2") == NSD["CAT4L2"] == 20
        assert cell(document, table_id, "total", "cat4l3") == NSD["CAT4L3"] == 5
        assert cell(document, table_id, "total", "cat1l2") == KENT["CAT1L2"] * SUM_OF_IDS
    # The age table's second row: 5 aged 18–20 in each of the 42 areas' Category 1 Level 2, and the NSD's
    # 8 (returns.breakdowns, returns.nsd_breakdowns); its total beside them.
    assert cell(document, "breakdown_age", "row2", "cat4l2") == 8
    assert cell(document, "breakdown_age", "row2", "total") == 5 * 42 + 8 == 218
    text = run("combine", national_set).stdout
    assert "Category 4, Level 2    Category 4, Level 3    Total" in text


def test_the_nsd_total_and_fields_are_in_the_csv_and_json(national_set: Path) -> None:
    """Every figure the area table prints for the NSD is in the long CSV and the JSON: its fields and its
    total (150 + 20 + 5 = 175), and its part of each grid's total (Table 4: 30 + 8 = 38)."""
    result = run("combine", national_set, "--format", "csv")
    assert result.exit_code == 0, result.output[-2000:]
    nsd = {
        r["field"]: int(r["value"])
        for r in csv.DictReader(io.StringIO(result.stdout))
        if r["area"] == "National Security Division"
    }
    for code, value in NSD.items():
        assert nsd[code] == value, code
    assert nsd["TOTAL_MAPPA_OFFENDERS"] == nsd["CAT4TOT"] == 150 + 20 + 5
    assert nsd["YEARTOT"] == 30 + 8
    assert nsd["AGE2_CAT4L2"] == 8
    document = json.loads(run("combine", national_set, "--format", "json").stdout)
    values = next(a for a in document["areas"] if a["area_id"] == 43)["values"]
    assert values["TOTAL_MAPPA_OFFENDERS"] == 175
    assert values["YEARTOT"] == 38
    assert all(values[code] == value for code, value in NSD.items())


def test_a_broken_national_relation_stops_combine_and_writes_nothing(
    national_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A built table that loses a column (Category 4, Level 2 of the age table) is caught before anything is
    written: one line, an internal error naming the table; no output file."""
    built = build_national  # the function combine() calls (combine.run.national), wrapped below

    def dropping(*args: Any, **kwargs: Any) -> list[NationalTable]:
        tables: list[NationalTable] = built(*args, **kwargs)
        out = []
        for t in tables:
            if t.table.id == "breakdown_age":
                at = [c for c, _ in t.columns].index("cat4l2")
                t = NationalTable(
                    number=t.number,
                    table=t.table,
                    columns=t.columns[:at] + t.columns[at + 1 :],
                    rows=tuple((r, label, cells[:at] + cells[at + 1 :]) for r, label, cells in t.rows),
                    total_rows=t.total_rows,
                    total_columns=t.total_columns,
                )
            out.append(t)
        return out

    monkeypatch.setattr(combine_run, "national", dropping)
    target = tmp_path / "national.csv"
    result = run("combine", national_set, "-o", target)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if not line.startswith("[")]  # not progress
    assert len(lines) == 1, result.output
    assert "internal error" in lines[0]
    assert "Table A3 (breakdown_age)" in lines[0]
    assert "19,871" in lines[0] and "19,891" in lines[0]  # 19,891 less the NSD's 20 at Level 2
    assert not target.exists()


def test_a_lost_breakdown_total_names_the_cell(
    national_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A breakdown table built without the Total column: the relation's cell is named."""
    built = build_national  # the function combine() calls (combine.run.national), wrapped below

    def without_total(*args: Any, **kwargs: Any) -> list[NationalTable]:
        tables: list[NationalTable] = built(*args, **kwargs)
        return [
            NationalTable(t.number, t.table, t.columns[:-1], tuple((r, lb, c[:-1]) for r, lb, c in t.rows))
            if t.table.id == "breakdown_sex"
            else t
            for t in tables
        ]

    monkeypatch.setattr(combine_run, "national", without_total)
    result = run("combine", national_set, "--format", "json")
    assert result.exit_code == 2
    assert "Table A4 (breakdown_sex) has no cell total × total" in result.output


# --- rounding at an exact half: the national publication rounds as the Ministry does --------------------

# Populations chosen so that the arithmetic lands on an exact half (Category 1 = 1,560 × the area's id):
# Avon and Somerset (1): 1,560 × 100,000 ÷ 2,496,000 = 62.5; Bedfordshire (2): 3,120 × 100,000 ÷ 998,400 =
# 312.5; Cambridgeshire (3): 726,050 people aged 10+ (4,680 × 100,000 ÷ 726,050 = 644.58…).
HALVES = {"Avon and Somerset": 2_496_000, "Bedfordshire": 998_400, "Cambridgeshire": 726_050}


def half_population(path: Path, pops: dict[str, int]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mappa_area", "aged_10_plus"])
        writer.writerows(pops.items())
    return path


@pytest.fixture(scope="module")
def three_areas(national_set: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return [national_set / f"area_{i:02d}.xlsx" for i in (1, 2, 3)]


def test_an_exact_half_rounds_to_even_in_the_national_and_area_tables(
    three_areas: list[Path], tmp_path: Path
) -> None:
    """62.5 prints 62, 312.5 prints 312 and 726,050 prints 726,000 (pandas' round, the Ministry's), in the
    area table, its England and Wales row, the CSV and the JSON; half up would give 63, 313 and 726,100."""
    pop = half_population(tmp_path / "population_mid2023.csv", HALVES)
    result = run("combine", three_areas[0], "--population", pop, "--format", "json")
    document = json.loads(result.stdout)
    avon = next(a for a in document["areas"] if a["area_id"] == 1)
    assert avon["rate"]["rate"] == 62.5 and avon["rate_published"] == 62
    # Only Avon counted: England and Wales (the partial sum) is 62.5 too.
    assert document["national"]["rate"]["rate"] == 62.5 and document["national"]["rate_published"] == 62
    text = run("combine", three_areas[0], "--population", pop).stdout
    area_rows = text.split("Area table")[1].splitlines()
    assert next(r for r in area_rows if r.startswith("Avon and Somerset")).split()[-1] == "62"
    assert next(r for r in area_rows if r.startswith("England and Wales")).split()[-1] == "62"
    assert "62.50 → 62 per 100,000" in text

    result = run("combine", *three_areas, "--population", pop, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    got = {(r["area"], r["field"]): r["value"] for r in rows}
    assert got[("Bedfordshire", "RSORATE")] == "312"
    document = json.loads(run("combine", *three_areas, "--population", pop, "--format", "json").stdout)
    cambs = next(a for a in document["areas"] if a["area_id"] == 3)
    assert cambs["population_aged_10_plus"] == 726_050 and cambs["population_rounded"] == 726_000
    text = run("combine", *three_areas, "--population", pop).stdout
    area_rows = text.split("Area table")[1].splitlines()
    assert next(r for r in area_rows if r.startswith("Bedfordshire")).split()[-1] == "312"
    assert next(r for r in area_rows if r.startswith("Cambridgeshire")).split()[-2] == "726,000"


def test_the_national_workbook_rounds_an_exact_half_to_even(three_areas: list[Path], tmp_path: Path) -> None:
    """The publication's area table (the cells a statistician copies) holds 62 and 726,000."""
    from openpyxl import load_workbook

    pop = half_population(tmp_path / "population_mid2023.csv", HALVES)
    target = tmp_path / "national.xlsx"
    result = run("combine", *three_areas, "--population", pop, "--publish-failing", "-o", target)
    assert target.exists(), result.output
    book = load_workbook(target)
    rows = [list(r) for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    avon = [r for r in rows if r and r[0] == "Avon and Somerset"]
    cambs = [r for r in rows if r and r[0] == "Cambridgeshire"]
    assert any(62 in r and 63 not in r for r in avon), avon
    assert any(726_000 in r for r in cambs) and not any(726_100 in r for r in cambs), cambs


def test_an_area_report_stating_either_rounding_at_a_half_still_passes(tmp_path: Path) -> None:
    """Checking an area's own report keeps accepting either rounding at an exact half: Kent's 1,560 RSOs in
    2,496,000 aged 10+ is 62.5 per 100,000; a report stating 63 (half up) or 62 (half to even) passes, 61
    does not."""
    pop = half_population(tmp_path / "population_mid2014.csv", {"Kent": 2_496_000})
    source = KENT_CSV.read_text(encoding="utf-8")
    line = "Kent,2014-15,rsos_per_100k,value,value,100,"
    assert line in source
    for stated, code in (("63", 0), ("62", 0), ("61", 1)):
        report = tmp_path / f"kent_{stated}.csv"
        report.write_text(source.replace(line, line.replace(",100,", f",{stated},")), encoding="utf-8")
        result = run("validate", report, "--population", pop)
        assert result.exit_code == code, (stated, result.output)


def test_the_rounding_is_the_national_definitions_choice() -> None:
    """The publication's rounding is data (schemas/national.json), the rule numbers.py's."""
    from decimal import Decimal

    from mappa_stats.combine.result import layout, published_population
    from mappa_stats.numbers import rounding

    assert layout()["rounding"]["rate"] == layout()["rounding"]["population"] == "half_even"
    assert published_population(726_050) == 726_000 and published_population(726_150) == 726_200
    assert rounding("half_up")(Decimal("62.5"), 0) == 63
    with pytest.raises(ValueError, match="unknown rounding"):
        rounding("nearest")


# --- the Ministry's spelling of a field -------------------------------------------------------------------


@pytest.mark.parametrize("written", ["CAT2L2SFOOTHER", "CAT2L2SFOTHER"])
def test_both_spellings_of_the_sfo_other_field_are_read_and_the_one_found_is_named(
    tmp_path: Path, written: str
) -> None:
    """The form's CAT2L2SFOOTHER and the Ministry's code's CAT2L2SFOTHER (1-import-data.py) are one field;
    where its cell is said (here: left blank), the header it was found under is named."""
    from returns import figures

    values: dict[str, Any] = dict(figures("2023-24"))
    values["CAT2L2SFOOTHER"] = None
    path = make_return(tmp_path / "kent.xlsx", "2023-24", values, header={"CAT2L2SFOOTHER": written})
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "CAT2L2SFOOTHER ('23-24 data'!" in result.output
    named = f"(headed {written}, read as CAT2L2SFOOTHER)"
    assert (named in result.output) == (written == "CAT2L2SFOTHER"), result.output
