"""combine: 42 areas (and the NSD from 2022-23) into national tables, every return checked first."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from combine_sets import AREAS, SUM_OF_IDS, population_table, populations, rate, returns_set, scaled, tidy_set
from conftest import KENT_XLSX, SAMPLES, sha256
from mappa_stats.cli.main import main
from mappa_stats.combine.claims import judge_claims
from mappa_stats.combine.files import expand
from mappa_stats.combine.run import combine
from mappa_stats.io.population import england_and_wales, read_population
from mappa_stats.rules.claims.parse import read_claims
from returns import KENT, NSD, figures, make_return

ONS_2014 = SAMPLES / "ons_mid2014.csv"


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def returns_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 42 area returns of 2023-24 (built once for the module; tests copy what they change)."""
    folder = tmp_path_factory.mktemp("returns") / "2023-24"
    returns_set(folder)
    return folder


@pytest.fixture(scope="module")
def tidy_2015(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 42 areas' 2014-15 tidy CSVs, each stating its own correct rate."""
    folder = tmp_path_factory.mktemp("tidy") / "2014-15"
    tidy_set(folder)
    return folder


def copy_of(folder: Path, target: Path) -> Path:
    """A copy of a fixture folder to change."""
    shutil.copytree(folder, target)
    return target


def national_cells(document: dict[str, Any], number: str) -> dict[str, int | None]:
    """A national table of the JSON document, field code → value."""
    table = next(t for t in document["national"]["tables"] if t["number"] == number)
    return {c["field"]: c["value"] for r in table["rows"] for c in r["cells"]}


def test_national_table_1_is_the_sum_of_the_42_returns_and_the_nsd(
    returns_2024: Path, tmp_path: Path
) -> None:
    """Table 1 of 2023-24 is Kent's figures × 903 (1 + … + 42) with the NSD's Category 4 beside Category 3 and
    in every total; the E&W rate divides national Category 1 by the summed populations; complete: exit 0."""
    folder = copy_of(returns_2024, tmp_path / "set")
    make_return(
        folder / "nsd.xlsx", "2023-24", NSD, area_id=43, area_name="National Security Division", form="nsd"
    )
    pop = population_table(tmp_path / "population_mid2023.csv")
    result = run("combine", folder, "--population", pop, "--format", "json")
    assert result.exit_code == 0, result.stdout[-2000:]
    document = json.loads(result.stdout)
    cells = national_cells(document, "1")
    for code in ("CAT1L1", "CAT1L2", "CAT1L3", "CAT2L1", "CAT2L2", "CAT2L3", "CAT3L2", "CAT3L3"):
        assert cells[code] == KENT[code] * SUM_OF_IDS
    for code in ("CAT4L1", "CAT4L2", "CAT4L3"):
        assert cells[code] == NSD[code]
    cat1 = (KENT["CAT1L1"] + KENT["CAT1L2"] + KENT["CAT1L3"]) * SUM_OF_IDS
    assert cells["CAT1TOT"] == cat1 == 1560 * 903
    assert cells["LEVEL1TOT"] == (1548 + 787) * 903 + 150  # Level 1 = Categories 1, 2 and 4 at Level 1
    assert cells["CAT4TOT"] == 150 + 20 + 5
    assert cells["TOTAL_MAPPA_OFFENDERS"] == 2357 * 903 + 175
    assert cells["CAT3L1"] is None  # present and empty: Category 3 is never managed at Level 1
    assert national_cells(document, "4")["CAT4L2YEAR"] == 30
    national_rate = document["national"]["rate"]
    assert national_rate["population"] == sum(populations().values()) == 50_351_333
    assert national_rate["rate_rounded"] == rate(cat1, 50_351_333)
    assert document["problems"] == []
    assert document["complete"] is True
    assert document["population_check"]["matches"] is True
    nsd = next(a for a in document["areas"] if a["area_id"] == 43)
    assert (nsd["status"], nsd["rate"]) == ("pass", None)


def test_without_the_nsd_a_2023_24_set_is_incomplete(returns_2024: Path) -> None:
    """From 2022-23 the National Security Division's return is expected: its absence is the one finding."""
    result = run("combine", returns_2024, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["kind"], p["area"]) for p in problems] == [("missing", "National Security Division")]


def test_a_cell_that_is_not_a_number_makes_its_national_cell_unknown(tidy_2015: Path, tmp_path: Path) -> None:
    """Kent's Category 1 Level 1 typed as words: the national cell and its totals are [x], never a partial sum;
    the other cells are still summed."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    path = folder / "area_17.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("snapshot,level1,cat1,26316,", "snapshot,level1,cat1,lots,"), encoding="utf-8"
    )
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    cells = national_cells(document, "1")
    assert (cells["CAT1L1"], cells["CAT1TOT"], cells["LEVEL1TOT"], cells["TOTAL_MAPPA_OFFENDERS"]) == (
        None,
    ) * 4
    assert cells["CAT2L1"] == 787 * SUM_OF_IDS
    assert document["exit_code"] == 1


def test_a_complete_set_passes_and_reproduces_every_rate(tidy_2015: Path) -> None:
    """42 tidy 2014-15 files with the mid-2014 ONS file: each stated rate matches, the areas add up to the
    England and Wales row, the national rate is national Category 1 ÷ 50,351,333, exit 0."""
    result = run("combine", tidy_2015, "--population", ONS_2014)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "National: PASS — all 42 returns present once and consistent" in out
    assert (
        "Table 1: MAPPA-eligible offenders on 31 March 2015, England and Wales, 2014-15" in out
    )  # not partial
    assert "the 42 areas add up to 50,351,333 aged 10+ (57,408,654 all ages)" in out
    assert "they match exactly" in out
    rsos = 1560 * SUM_OF_IDS
    assert f"{rsos:,} RSOs ÷ 50,351,333 people aged 10+" in out
    assert f"→ {rate(rsos, 50_351_333)} per 100,000" in out
    kent = next(line for line in out.splitlines() if line.split()[:2] == ["17", "Kent"])
    kent_rate = rate(1560 * 17, 1_565_295)
    assert kent.split() == [
        "17",
        "Kent",
        "PASS",
        "0",
        "0",
        "26,520",
        "40,069",
        "1,565,300",
        str(kent_rate),
        "matches",
    ]


def test_the_mid_2014_areas_add_up_to_the_england_and_wales_row() -> None:
    """The published 2014-15 base: the 42 areas of the ONS mid-2014 file sum to its E&W row exactly."""
    population = read_population(ONS_2014)
    row = england_and_wales(ONS_2014)
    assert row is not None
    assert (row.aged_10_plus, row.all_ages) == (50_351_333, 57_408_654)
    assert sum(a.aged_10_plus or 0 for a in population.by_area.values()) == 50_351_333
    assert sum(a.all_ages or 0 for a in population.by_area.values()) == 57_408_654


def test_missing_duplicated_and_wrong_areas_are_each_reported(returns_2024: Path, tmp_path: Path) -> None:
    """Kent left out, Essex twice (two different returns), Surrey's yearly Level 2 below its 31 March count:
    one line each in the summary and the findings, exit 1, and neither Essex return counted."""
    folder = copy_of(returns_2024, tmp_path / "set")
    (folder / "area_17.xlsx").unlink()
    make_return(folder / "essex_again.xlsx", "2023-24", scaled("2023-24", 2), area_id=11, area_name="Essex")
    wrong = scaled("2023-24", 34)
    wrong["CAT1L2YEAR"] = 0
    make_return(folder / "area_34.xlsx", "2023-24", wrong, area_id=34, area_name="Surrey")
    result = run("combine", folder)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    status = {line.split()[1]: line.split()[2] for line in lines if line[:4].strip().isdigit()}
    assert (status["Kent"], status["Essex"], status["Surrey"]) == ("MISSING", "DUPLICATE", "FAIL")
    assert "  missing: Kent: no return (area 17)" in lines
    assert any(line.startswith("  duplicate: Essex: 2 different returns") for line in lines)
    assert any(line.startswith("  area: Surrey: 3 errors in") for line in lines)  # as validate counts them
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    # Table 1 sums the 39 areas counted: Kent (17), Essex (11) and the NSD are not in it; Surrey is.
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * (SUM_OF_IDS - 17 - 11)


def test_the_same_file_twice_is_counted_once(returns_2024: Path, tmp_path: Path) -> None:
    """An identical copy (same SHA-256) is named and counted once; lock and hidden files are skipped."""
    folder = copy_of(returns_2024, tmp_path / "set")
    shutil.copy(folder / "area_17.xlsx", folder / "kent copy.xlsx")
    (folder / "~$area_17.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    result = run("combine", folder, "-f", "json")
    document = json.loads(result.stdout)
    copy = next(f for f in document["files"] if f["path"].endswith("kent copy.xlsx"))
    assert copy["status"] == "identical"
    assert "identical SHA-256" in copy["note"]
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * SUM_OF_IDS
    assert [Path(s.split(":")[0]).name for s in document["skipped"]] == [".DS_Store", "~$area_17.xlsx"]
    assert [p["kind"] for p in document["problems"]] == ["missing"]  # the NSD only: the lock file is no error


def test_a_return_of_another_year_is_left_out(returns_2024: Path, tmp_path: Path) -> None:
    """A 2022-23 return among 2023-24 returns: the year is the one most files are for; the other is named, left
    out of the sums, exit 1."""
    folder = copy_of(returns_2024, tmp_path / "set")
    make_return(folder / "last_year.xlsx", "2022-23", figures("2022-23"), area_id=5, area_name="Durham")
    result = run("combine", folder)
    assert result.exit_code == 1
    assert (
        f"  other year: {folder / 'last_year.xlsx'}: a 2022-23 return, not 2023-24: left out" in result.stdout
    )
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert document["year"] == "2023-24"
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * SUM_OF_IDS


def test_an_area_not_among_the_42_is_left_out(tidy_2015: Path, tmp_path: Path) -> None:
    """A tidy CSV naming Scotland: a one-line finding, exit 1; the 42 areas are still complete."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    text = (folder / "area_17.csv").read_text(encoding="utf-8").replace("\nKent,", "\nScotland,")
    (folder / "scotland.csv").write_text(text, encoding="utf-8")
    result = run("combine", folder)
    assert result.exit_code == 1
    assert "names the area 'Scotland', not one of the 42 areas of the Ministry's return" in result.stdout


def test_a_folder_with_no_returns_is_exit_2(tmp_path: Path) -> None:
    """Nothing to combine: one line naming the folder and how many files it skipped, exit 2."""
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    result = run("combine", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"mappa-stats: error: {tmp_path}: no returns found (workbooks .xlsx or .ods, or tidy CSVs); 1 file "
        "skipped; give the folder of the year's returns or the files themselves"
    )


def test_a_population_of_another_mid_year_is_refused(tidy_2015: Path, tmp_path: Path) -> None:
    """2014-15 rates need mid-2014: the same figures in a file named mid-2015 are refused, one line, exit 2."""
    pop = tmp_path / "population_mid2015.csv"
    pop.write_bytes(ONS_2014.read_bytes())
    result = run("combine", tidy_2015, "--population", pop)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"mappa-stats: error: {pop}: the population file is mid-2015, but 2014-15 rates divide by the ONS "
        "mid-2014 estimates; give that file, or leave out --population to use the ones built in"
    )
    early = run("combine", tidy_2015, "--population", pop, "--year", "2014-15")
    assert early.exit_code == 2
    assert len(early.stderr.splitlines()) == 1


def test_a_population_file_missing_an_area_says_which(tidy_2015: Path, tmp_path: Path) -> None:
    """Kent left out of the population file: the check says by how much and that Kent is short, exit 1."""
    pop = population_table(tmp_path / "population_mid2014.csv", drop=("Kent",))
    result = run("combine", tidy_2015, "--population", pop)
    assert result.exit_code == 1
    kent = populations()["Kent"]
    assert f"short by {kent:,} aged 10+; areas missing from the file: Kent" in result.stdout
    assert "population: Kent: not in the population file" in result.stdout


def test_the_long_csv_is_the_agreed_format(tidy_2015: Path) -> None:
    """area,year,field,value: numbers as numbers, one row per area × field, England and Wales summed."""
    result = run("combine", tidy_2015, "--population", ONS_2014, "-f", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["area", "year", "field", "value"]
    body = rows[1:]
    assert all(r[1] == "2014-15" and r[3].lstrip("-").replace(".", "", 1).isdigit() for r in body)
    seen = [(r[0], r[2]) for r in body]
    assert len(seen) == len(set(seen))
    value = {(r[0], r[2]): float(r[3]) for r in body}
    assert value[("England and Wales", "CAT1TOT")] == sum(value[(n, "CAT1TOT")] for n in AREAS.values())
    assert value[("Kent", "POP10PLUS")] == 1_565_295
    assert value[("England and Wales", "POP10PLUS")] == 50_351_333
    assert value[("Devon & Cornwall", "RSORATE")] == rate(1560 * 8, populations()["Devon & Cornwall"])
    assert ("Kent", "LEVEL1SHARE") not in value  # a stated share is not a count


def test_json_follows_its_schema(tidy_2015: Path) -> None:
    """The JSON document validates against schemas/combine.schema.json and carries its version."""
    import jsonschema

    from mappa_stats.definitions.load import schemas_dir

    document = json.loads(run("combine", tidy_2015, "--population", ONS_2014, "-f", "json").stdout)
    schema = json.loads((schemas_dir() / "combine.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["schema_version"] == "1.2"
    assert document["status"] == "pass"
    assert document["exit_code"] == 0


def test_a_workbook_is_refused_while_returns_fail_unless_asked(returns_2024: Path, tmp_path: Path) -> None:
    """No xlsx while the set has findings (exit 1, nothing written), --force or not; --publish-failing
    writes it marked as failing."""
    out = tmp_path / "national.xlsx"
    refused = run("combine", returns_2024, "-o", out)
    assert refused.exit_code == 1
    assert "not published" in refused.stderr
    assert not out.exists()
    assert run("combine", returns_2024, "-o", out, "--force").exit_code == 1
    assert not out.exists()  # --force replaces a file; it does not publish failing data
    forced = run("combine", returns_2024, "-o", out, "--publish-failing")
    assert forced.exit_code == 1
    import openpyxl

    book = openpyxl.load_workbook(out)
    cover = [c.value for c in book["Cover"]["A"] if c.value]
    assert any(str(v).startswith("PUBLISHED ALTHOUGH IT FAILS VALIDATION") for v in cover)
    assert book.sheetnames[:4] == ["Cover", "Contents", "Notes", "Table_1"]


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_complete_set_publishes(tidy_2015: Path, tmp_path: Path, fmt: str) -> None:
    """A passing set writes the publication workbook: Table 1 holds the national sums as numbers."""
    out = tmp_path / f"national.{fmt}"
    result = run("combine", tidy_2015, "--population", ONS_2014, "-o", out)
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(out)["Table_1"]
        values = [c.value for row in sheet.iter_rows() for c in row]
        assert 1560 * SUM_OF_IDS in values
        area = openpyxl.load_workbook(out)["Area_table"]
        kent = next(r for r in area.iter_rows(values_only=True) if r[0] == "Kent")
        assert kent[-2:] == (1_565_300, rate(1560 * 17, 1_565_295))
        chart = openpyxl.load_workbook(out)["Chart_rate"]
        rows = [r for r in chart.iter_rows(values_only=True) if r[0] in AREAS.values()]
        # A bar chart of the rate by area beside its table (_charts: openpyxl's stubs leave it out).
        assert len(rows) == 42
        assert len(chart._charts) == 1  # type: ignore[attr-defined]
    else:
        assert out.stat().st_size > 0


def test_inputs_are_untouched(tidy_2015: Path) -> None:
    """combine reads: every input's bytes are the same afterwards."""
    before = {p: sha256(p) for p in tidy_2015.iterdir()}
    run("combine", tidy_2015, "--population", ONS_2014)
    assert {p: sha256(p) for p in tidy_2015.iterdir()} == before


def test_mixed_inputs_a_workbook_beside_csvs(tidy_2015: Path, tmp_path: Path) -> None:
    """The Kent workbook replaces Kent's CSV: both forms are read into one national set."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    (folder / "area_17.csv").unlink()
    shutil.copy(KENT_XLSX, folder / "kent.xlsx")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * (SUM_OF_IDS - 17) + 1560
    kent = next(a for a in document["areas"] if a["area"] == "Kent")
    assert (kent["status"], kent["path"].endswith("kent.xlsx")) == ("pass", True)


def test_500_files_are_bounded(tmp_path: Path) -> None:
    """500 files none of which is a return: one line, exit 2, in bounded time (a subprocess, generous limit)."""
    for i in range(500):
        (tmp_path / f"junk_{i:03d}.csv").write_text("not,a,return\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "combine", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    last = done.stderr.splitlines()[-1]
    assert last.startswith("mappa-stats: error: none of the 500 files could be read as a return")
    assert f"(the first: {tmp_path / 'junk_000.csv'}: " in last
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_too_many_files_are_refused(tmp_path: Path) -> None:
    """More files than any national set could hold: refused before anything is read."""
    for i in range(1001):
        (tmp_path / f"f{i:04d}.csv").touch()
    with pytest.raises(Exception, match="more than 1,000 files to combine"):
        expand([tmp_path])


def test_the_library_result_is_what_json_shows(tidy_2015: Path) -> None:
    """combine() from Python gives the verdict the command prints."""
    done = combine([tidy_2015], population=read_population(ONS_2014))
    assert (done.status, done.exit_code, done.complete) == ("pass", 0, True)
    assert done.national_value("TOTAL_MAPPA_OFFENDERS") == 2357 * SUM_OF_IDS


def test_areas_that_do_not_add_up_to_the_england_and_wales_row_say_by_how_much(
    tidy_2015: Path, tmp_path: Path
) -> None:
    """Every area present but the England and Wales row 1,000 higher: the check says short by 1,000, exit 1."""
    pop = population_table(tmp_path / "population_mid2014.csv")
    text = pop.read_text(encoding="utf-8").replace("England and Wales,50351333", "England and Wales,50352333")
    pop.write_text(text, encoding="utf-8")
    result = run("combine", tidy_2015, "--population", pop)
    assert result.exit_code == 1
    assert "has 50,352,333: short by 1,000 aged 10+" in result.stdout
    assert "  population: the 42 areas add up to 50,351,333 aged 10+;" in result.stdout


@pytest.mark.parametrize(("fmt", "golden"), [("text", "combine_small.txt"), ("markdown", "combine_small.md")])
def test_text_and_markdown_are_exactly_as_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, golden: str
) -> None:
    """Kent's workbook and its tidy CSV (the same figures in two files: counted once), Surrey's copy stating
    Kent's rate, a lock file:
    the whole report, byte for byte, as in tests/data (written once by the command and read by a person)."""
    folder = tmp_path / "set"
    folder.mkdir()
    shutil.copy(KENT_XLSX, folder / "kent_2015.xlsx")
    shutil.copy(SAMPLES / "kent_2015.csv", folder / "kent.csv")
    surrey = (SAMPLES / "kent_2015.csv").read_text(encoding="utf-8").replace("\nKent,", "\nSurrey,")
    (folder / "surrey.csv").write_text(surrey, encoding="utf-8")
    (folder / "~$kent_2015.xlsx").write_bytes(b"")
    shutil.copy(ONS_2014, tmp_path / "ons_mid2014.csv")
    monkeypatch.chdir(tmp_path)
    result = run("combine", "set", "--population", "ons_mid2014.csv", "-f", fmt)
    assert result.exit_code == 1
    expected = (Path(__file__).parent / "data" / golden).read_text(encoding="utf-8")
    assert result.stdout == expected


def test_a_file_name_cannot_reach_the_terminal_or_a_spreadsheet_as_a_command(
    tidy_2015: Path, tmp_path: Path
) -> None:
    """An unreadable file named with a terminal escape and a formula: named, escaped, never run; exit 2."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    (folder / "=HYPERLINK(1)\x1b[2J.csv").write_text("not,a,return\n", encoding="utf-8")
    result = run("combine", folder)
    assert result.exit_code == 2
    assert "\x1b" not in result.stdout
    assert "unreadable: " in result.stdout
    out = tmp_path / "national.xlsx"
    assert run("combine", folder, "-o", out, "--publish-failing").exit_code == 2
    import openpyxl

    book = openpyxl.load_workbook(out)  # the problems that name the file are on Checks, not the cover
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("HYPERLINK" in t for t in texts)
    assert not any(t.startswith("=") for t in texts)


def test_the_nsd_before_2022_23_is_not_an_area_of_the_year(tmp_path: Path) -> None:
    """A 2014-15 file naming the National Security Division (which reports from 2022-23): named, left out."""
    text = (
        (SAMPLES / "kent_2015.csv")
        .read_text(encoding="utf-8")
        .replace("\nKent,", "\nNational Security Division,")
    )
    path = tmp_path / "nsd.csv"
    path.write_text(text, encoding="utf-8")
    result = run("combine", path, "-f", "json")
    document = json.loads(result.stdout)
    assert [f["status"] for f in document["files"]] == ["unknown area"]
    assert all(a["area_id"] != 43 for a in document["areas"])
    assert result.exit_code == 1


def test_claims_are_judged_against_the_national_figures(tidy_2015: Path, tmp_path: Path) -> None:
    """combine --claims: the England and Wales rate (national Category 1 ÷ 50,351,333 aged 10+) stated right
    reproduces, stated 5 higher does not (exit 1, the value the figures give named); Kent's own rate claim is
    judged against its row (1560 × 17 RSOs ÷ 1,565,295)."""
    national = rate(1560 * SUM_OF_IDS, 50_351_333)
    kent = rate(1560 * 17, 1_565_295)
    right = tmp_path / "right.csv"
    right.write_text(
        f"kind,area,year,from_year,stated\nnational_rate,England and Wales,2014-15,,{national}\n"
        f"rate,Kent,2014-15,,{kent}\n",
        encoding="utf-8",
    )
    ok = run("combine", tidy_2015, "--population", ONS_2014, "--claims", right)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.count("REPRODUCES:") == 2
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        f"kind,area,year,from_year,stated\nnational_rate,England and Wales,2014-15,,{national + 5}\n",
        encoding="utf-8",
    )
    bad = run("combine", tidy_2015, "--population", ONS_2014, "--claims", wrong, "--format", "json")
    assert bad.exit_code == 1
    claim = json.loads(bad.stdout)["claims"][0]
    assert claim["status"] == "does not reproduce"
    assert claim["computed"] == f"{national:,}"


def test_tables_on_the_national_workbook_says_what_it_is(tidy_2015: Path, tmp_path: Path) -> None:
    """`tables` given combine's national workbook: one line saying where its figures are, exit 2."""
    out = tmp_path / "national.xlsx"
    assert run("combine", tidy_2015, "--population", ONS_2014, "-o", out).exit_code == 0
    result = run("tables", out)
    assert result.exit_code == 2
    assert "the national publication workbook combine wrote" in result.output


def test_breakdown_rows_take_the_label_every_return_gives(returns_2024: Path, tmp_path: Path) -> None:
    """Only a block's first label is public: the national breakdown rows take the label all the returns'
    forms give (tests/returns.py writes 'age group 2' …), and the definition's 'Row 2' when they differ."""
    document = json.loads(run("combine", returns_2024, "-f", "json").stdout)
    age = next(t for t in document["national"]["tables"] if t["id"] == "breakdown_age")
    assert [r["label"] for r in age["rows"]][:3] == ["Under 18", "age group 2", "age group 3"]
    folder = copy_of(returns_2024, tmp_path / "set")
    kent = folder / next(p.name for p in folder.iterdir() if "17" in p.name)
    from openpyxl import load_workbook

    book = load_workbook(kent)
    book["Data entry"]["B201"] = "18-20"
    book.save(kent)
    differ = json.loads(run("combine", folder, "-f", "json").stdout)
    age = next(t for t in differ["national"]["tables"] if t["id"] == "breakdown_age")
    assert [r["label"] for r in age["rows"]][1] == "Row 2"


@pytest.mark.parametrize("name", ["~$area_17.xlsx", ".~lock.area_17.xlsx#"])
def test_a_lock_file_named_alone_says_what_it_is(tmp_path: Path, name: str) -> None:
    """Excel's and LibreOffice's lock files, named on the command line: one line saying what the file is,
    never 'no returns found' or 'holds plain text (a CSV?)'; exit 2."""
    lock = tmp_path / name
    lock.write_bytes(b"\x0bSomeone   ")
    said = f"{lock}: an Office lock file (Excel or LibreOffice keeps one beside a workbook while it is open)"
    result = run("combine", lock)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"mappa-stats: error: {said}, not a return; give the year's returns"
    checked = run("validate", lock)
    assert checked.exit_code == 2
    assert f"{said}, not a workbook; give the workbook itself" in checked.stdout


def test_a_libreoffice_lock_file_in_the_folder_is_skipped_as_one(returns_2024: Path, tmp_path: Path) -> None:
    """LibreOffice's '.~lock.…#' beside a return is named as the lock file it is, and skipped."""
    folder = copy_of(returns_2024, tmp_path / "set")
    (folder / ".~lock.area_17.xlsx#").write_text(",someone,host,01.12.2026 10:00,file:///C:/x;", "utf-8")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert document["skipped"] == [
        f"{folder / '.~lock.area_17.xlsx#'}: an Office lock file (Excel or LibreOffice keeps one beside a "
        "workbook while it is open), not a return; skipped"
    ]


def test_the_national_workbook_left_in_the_folder_is_skipped(tidy_2015: Path, tmp_path: Path) -> None:
    """combine -o national.xlsx into the returns' own folder, then combine again: the workbook is skipped
    with a note (it is no return), not an unreadable file that stops the run."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    assert run("combine", folder, "--population", ONS_2014, "-o", folder / "national.xlsx").exit_code == 0
    result = run("combine", folder, "--population", ONS_2014, "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["skipped"] == [
        f"{folder / 'national.xlsx'}: the national workbook combine wrote, not a return; skipped"
    ]


def test_an_area_publication_workbook_counts_as_its_area(tidy_2015: Path, tmp_path: Path) -> None:
    """Kent's publication workbook (`tables -f xlsx`) in place of Kent's CSV: validate passes it, and combine
    counts it as Kent, the national figures unchanged."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    published = tmp_path / "kent_tables.xlsx"
    assert run("tables", folder / "area_17.csv", "-f", "xlsx", "-o", published).exit_code == 0
    (folder / "area_17.csv").unlink()
    shutil.copy(published, folder / "kent_tables.xlsx")
    assert run("validate", folder / "kent_tables.xlsx").exit_code == 0
    result = run("combine", folder, "--population", ONS_2014, "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    kent = next(a for a in document["areas"] if a["area"] == "Kent")
    assert (kent["status"], Path(kent["path"]).name) == ("pass", "kent_tables.xlsx")
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * SUM_OF_IDS


def test_a_year_no_file_is_for_is_one_line(returns_2024: Path) -> None:
    """--year 2022-23 over 2023-24 returns: one line saying what the files are, exit 2 (not 43 areas
    'missing' and empty national tables)."""
    result = run("combine", returns_2024, "--year", "2022-23")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "mappa-stats: error: --year 2022-23: none of the 42 files is a 2022-23 return (2023-24: 42); "
        "give that year's returns, or leave --year out"
    )


def test_progress_is_one_line_rewritten_on_a_terminal(
    tidy_2015: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the files read are counted on one line, rewritten in place and cleared at the end; in a
    log (the other tests) each file has its line."""
    from mappa_stats.cli.progress import Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress = Progress(42)
    for number, path in enumerate(sorted(tidy_2015.iterdir()), start=1):
        progress(number, path)
    err = capsys.readouterr().err
    assert "\n" not in err
    assert err.count("\r\x1b[K") == 43  # 42 lines, each over the last, then the line cleared
    assert err.endswith(f"[42/42] {sorted(tidy_2015.iterdir())[-1]}\r\x1b[K")
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((40, 24)))
    Progress(42)(7, tidy_2015 / "area_07.csv")
    narrow = capsys.readouterr().err  # a folder too long for the terminal: cut from the left, name kept
    assert narrow == "\r\x1b[K[7/42] …" + str(tidy_2015 / "area_07.csv")[-(39 - len("[7/42] …")) :]


def test_a_population_read_while_the_returns_are_gives_the_same_run(tidy_2015: Path, tmp_path: Path) -> None:
    """The command hands combine a function that reads the population file (an ONS workbook needs numpy,
    which the helper process must not inherit); the run is the one a file read first gives, and a bad file
    still stops it with its own message."""
    from mappa_stats.errors import InputError

    first = combine([tidy_2015], population=read_population(ONS_2014))
    later = combine([tidy_2015], population=lambda: read_population(ONS_2014))
    assert later.national_rate == first.national_rate
    assert later.areas == first.areas
    assert later.population == first.population
    wrong = tmp_path / "population_mid2015.csv"
    shutil.copy(ONS_2014, wrong)
    with pytest.raises(InputError, match="mid-2015, but 2014-15 rates divide by the ONS mid-2014"):
        combine([tidy_2015], year="2014-15", population=lambda: read_population(wrong))


def test_force_never_writes_over_a_return_in_the_folder_given(returns_2024: Path, tmp_path: Path) -> None:
    """-o naming a return inside the folder of returns is refused even with --force (the folder's files are
    inputs); the return's bytes are unchanged. Combine's own earlier workbook there may still be replaced."""
    folder = copy_of(returns_2024, tmp_path / "set")
    target = folder / "area_01.xlsx"
    before = sha256(target)
    for fmt in ("xlsx", "json"):
        out = target if fmt == "xlsx" else folder / "area_01.json"
        if fmt == "json":
            out.write_text("someone's notes", encoding="utf-8")
        publish = ["--publish-failing"] if fmt == "xlsx" else []
        result = run("combine", folder, "--force", *publish, "-f", fmt, "-o", out)
        assert result.exit_code == 2
        assert result.stderr.strip().endswith(
            f"{out}: is a file in the input folder {folder}; the inputs are never overwritten, even with "
            "--force: choose another name"
        )
    assert sha256(target) == before
    mine = folder / "national.xlsx"
    again = ("combine", folder, "--force", "--publish-failing", "-o", mine)
    assert run(*again).exit_code == 1  # written, marked as failing
    assert run(*again).exit_code == 1  # and replaced: it is combine's own


def test_a_number_typed_as_text_is_one_number_everywhere(returns_2024: Path, tmp_path: Path) -> None:
    """London's Category 1 Level 1 typed as the text "32,508" (1,548 × 21): a warning, and the same number in
    London's derived totals, its row and England and Wales, so the area rows add up to the national one."""
    folder = copy_of(returns_2024, tmp_path / "set")
    values = {**scaled("2023-24", 21), "CAT1L1": "32,508"}
    make_return(folder / "area_21.xlsx", "2023-24", values, area_id=21, area_name="London")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    london = next(a for a in document["areas"] if a["area"] == "London")
    assert (london["status"], london["warnings"]) == ("pass", 1)
    assert london["values"]["CAT1TOT"] == 1560 * 21
    assert london["values"]["TOTAL_MAPPA_OFFENDERS"] == 2357 * 21
    assert national_cells(document, "1")["CAT1TOT"] == 1560 * SUM_OF_IDS
    areas = [a for a in document["areas"] if a["status"] == "pass"]
    assert sum(a["values"]["CAT1TOT"] for a in areas) == national_cells(document, "1")["CAT1TOT"]


def test_a_field_left_blank_stops_the_set_passing(returns_2024: Path, tmp_path: Path) -> None:
    """Gloucestershire's Category 2 Level 1 left blank: read as 0 (as the Ministry reads it), so Table 1 is
    short of the truth by 787 × 12 = 9,444 unless it really is 0. The area passes with its warning, but the
    set does not: one finding naming the field and its cell, exit 1, and no publication without --publish-failing."""
    folder = copy_of(returns_2024, tmp_path / "set")
    make_return(
        folder / "nsd.xlsx", "2023-24", NSD, area_id=43, area_name="National Security Division", form="nsd"
    )
    values = {**scaled("2023-24", 12), "CAT2L1": None}
    make_return(folder / "area_12.xlsx", "2023-24", values, area_id=12, area_name="Gloucestershire")
    result = run("combine", folder, "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["problems"] == [
        {
            "kind": "blank",
            "area": "Gloucestershire",
            "message": f"Gloucestershire: 1 field left blank, read as 0 (CAT2L1 at '23-24 data'!BJ2) in "
            f"{folder / 'area_12.xlsx'}: confirm each is 0 with the area",
        }
    ]
    assert national_cells(document, "1")["CAT2L1"] == 787 * SUM_OF_IDS - 787 * 12
    refused = run("combine", folder, "-o", tmp_path / "national.xlsx")
    assert refused.exit_code == 1
    assert not (tmp_path / "national.xlsx").exists()


def test_a_return_that_came_but_cannot_be_read_is_not_also_missing(
    returns_2024: Path, tmp_path: Path
) -> None:
    """Kent's return with id 17 in A2 but 'Surrey' in C2: one finding saying the file cannot be read and why,
    Kent's line COULD NOT BE CHECKED (its return came), never also 'missing: Kent'; exit 2."""
    folder = copy_of(returns_2024, tmp_path / "set")
    make_return(folder / "area_17.xlsx", "2023-24", scaled("2023-24", 17), area_id=17, area_name="Surrey")
    result = run("combine", folder)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    kent = next(line for line in lines if line.split()[:2] == ["17", "Kent"])
    assert kent.split()[2:6] == ["COULD", "NOT", "BE", "CHECKED"]
    assert (
        f"  unreadable: {folder / 'area_17.xlsx'}: 'Data entry'!C2 names 'Surrey' but the area id in A2 is 17 "
        "(Kent); correct one of them"
    ) in lines
    assert not any(line.startswith("  missing: Kent") for line in lines)
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert next(a for a in document["areas"] if a["area"] == "Kent")["status"] == "error"


def test_ctrl_c_is_exit_130_in_one_line(monkeypatch: pytest.MonkeyPatch, tidy_2015: Path) -> None:
    """Ctrl+C while the returns are read: one line and the shell's code for an interrupted command, 130."""
    import mappa_stats.combine.run

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(mappa_stats.combine.run, "combine", interrupted)
    result = run("combine", tidy_2015)
    assert (result.exit_code, result.stderr) == (130, "mappa-stats: error: interrupted (Ctrl+C)\n")


def test_two_returns_for_an_area_say_where_they_differ(returns_2024: Path, tmp_path: Path) -> None:
    """Derbyshire's return and a corrected one: the finding names the first field they disagree on with both
    values, so the statistician can tell which to keep; each file's note says it is one of two. The same
    return saved again under another name (not the same bytes) is counted once, with a note."""
    folder = copy_of(returns_2024, tmp_path / "set")
    corrected = {**scaled("2023-24", 7), "CAT1L1": 1548 * 7 + 9, "CAT1L2YEAR": 18 * 7 + 1}
    make_return(folder / "derbyshire_v2.xlsx", "2023-24", corrected, area_id=7, area_name="Derbyshire")
    make_return(folder / "kent_again.xlsx", "2023-24", scaled("2023-24", 17), area_id=17, area_name="Kent")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    duplicate = next(p for p in document["problems"] if p["kind"] == "duplicate")
    assert duplicate["message"] == (
        f"Derbyshire: 2 different returns ({folder / 'area_07.xlsx'}, {folder / 'derbyshire_v2.xlsx'}), "
        "differing in CAT1L1 (10,836 / 10,845) and 7 other fields: neither is counted; keep one"
    )  # CAT1L2YEAR, and the totals each moves: Level 1, Category 1, all on 31 March; the three yearly ones
    notes = {Path(f["path"]).name: f["note"] for f in document["files"]}
    assert notes["derbyshire_v2.xlsx"] == notes["area_07.xlsx"] == "one of 2 different returns for Derbyshire"
    assert (
        notes["kent_again.xlsx"]
        == f"the same figures as {folder / 'area_17.xlsx'} (a different file): counted once"
    )
    assert [p["kind"] for p in document["problems"]] == ["duplicate", "missing"]  # and the NSD


def test_a_population_file_lacking_an_authority_names_it(tidy_2015: Path, tmp_path: Path) -> None:
    """The ONS mid-2014 file without Medway's row (E06000035): Kent cannot be made up, and every line about
    it names the authority the file lacks rather than calling all of Kent missing."""
    lines = ONS_2014.read_text(encoding="utf-8").splitlines()
    pop = tmp_path / "ons_mid2014_no_medway.csv"
    pop.write_text("\n".join(line for line in lines if not line.startswith("E06000035,")) + "\n", "utf-8")
    result = run("combine", tidy_2015, "--population", pop)
    assert result.exit_code == 1
    assert (
        f"  population: Kent: the population file {pop} lacks E06000035, of the authorities Kent is made of"
        in (result.stdout.splitlines())
    )
    assert "areas missing from the file: Kent (the file lacks E06000035)" in result.stdout
    assert "Not checked: the England and Wales rate (Kent without a population in the file)" in result.stdout
    rate = run("rate", "--population", pop, SAMPLES / "kent_2015.xlsx")
    assert rate.exit_code == 2
    assert "area 'Kent' cannot be made up: the file lacks E06000035" in rate.stderr


def test_a_claim_about_england_and_wales_on_a_partial_set_says_so(tidy_2015: Path, tmp_path: Path) -> None:
    """Kent's return missing: a national_rate claim is judged on the 41 areas' sums, and its line says those
    are partial, not the national figure; Surrey's own rate claim is unaffected."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    (folder / "area_17.csv").unlink()
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "kind,area,year,from_year,stated\n"
        f"national_rate,England and Wales,2014-15,,{rate(1560 * (SUM_OF_IDS - 17), 50_351_333 - 1_565_295)}\n"
        f"rate,Surrey,2014-15,,{rate(1560 * 34, populations()['Surrey'])}\n",
        encoding="utf-8",
    )
    document = json.loads(
        run("combine", folder, "--population", ONS_2014, "--claims", claims, "-f", "json").stdout
    )
    national, surrey = document["claims"]
    assert national["message"].endswith(" (PARTIAL: 41 of 42 returns counted, not the national figure)")
    assert "PARTIAL" not in surrey["message"]


def test_files_refused_for_one_reason_are_one_line(returns_2024: Path, tmp_path: Path) -> None:
    """Six stray CSVs beside the returns, each refused for the same reason: one line naming how many and the
    first, where six lines said the same; the JSON keeps one finding per file."""
    folder = copy_of(returns_2024, tmp_path / "set")
    for i in range(6):
        (folder / f"notes_{i}.csv").write_text("not,a,return\n", encoding="utf-8")
    result = run("combine", folder)
    lines = [line for line in result.stdout.splitlines() if line.startswith("  unreadable: ")]
    assert len(lines) == 1
    assert lines[0].startswith("  unreadable: 6 files: not a mappa-stats tidy CSV")
    assert lines[0].endswith(f"(the first: {folder / 'notes_0.csv'}; each in the JSON)")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert sum(1 for p in document["problems"] if p["kind"] == "unreadable") == 6


@pytest.mark.skipif(sys.platform != "linux", reason="devices and FIFOs as Linux has them")
def test_a_device_or_pipe_in_the_folder_is_refused_not_read(returns_2024: Path, tmp_path: Path) -> None:
    """/dev/zero linked in as a workbook and a FIFO named like one: combine never opens them to look inside
    (which read without end, or waited for ever); the reader's guard names each, and the run goes on."""
    folder = copy_of(returns_2024, tmp_path / "set")
    (folder / "zero.xlsx").symlink_to("/dev/zero")
    os.mkfifo(folder / "waiting.csv")
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "combine", str(folder)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"  unreadable: {folder / 'zero.xlsx'}: " in done.stdout
    assert f"  unreadable: {folder / 'waiting.csv'}: " in done.stdout
    assert "42 counted" in done.stdout.splitlines()[0]


@pytest.mark.parametrize("command", ["combine", "validate"])
def test_standard_input_among_the_files_is_read_once(returns_2024: Path, command: str) -> None:
    """A return piped in as '-' beside four files, arriving only after a second: the same run as reading
    each in one process (standard input can be read once only, so no helper shares the work; two readers
    would each get part of it, or nothing)."""
    import time

    files = [str(returns_2024 / f"area_0{i}.xlsx") for i in (2, 3, 4, 5)]
    piped = (returns_2024 / "area_01.xlsx").read_bytes()
    runs = []
    for env in ({}, {"MAPPA_STATS_NO_HELPER": "1"}):
        process = subprocess.Popen(
            [sys.executable, "-m", "mappa_stats", command, "-", *files, "-f", "csv" if command == "combine" else "json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**{k: v for k, v in os.environ.items() if k != "MAPPA_STATS_NO_HELPER"}, **env},
        )  # fmt: skip
        time.sleep(1.0)  # a slow pipe: every other file is read before it comes
        out, _ = process.communicate(piped, timeout=120)
        runs.append((process.returncode, out))
    assert runs[0] == runs[1]
    assert b"Avon and Somerset,2023-24,CAT1L1,1548" in runs[0][1] if command == "combine" else runs[0][0] == 0


def test_a_return_and_its_copies_in_other_forms_count_once(tidy_2015: Path, tmp_path: Path) -> None:
    """Kent's workbook, its tidy CSV and its publication workbook: the same figures in three forms, so Kent
    is counted once (two notes), never 'three different returns, none counted'."""
    folder = copy_of(tidy_2015, tmp_path / "set")
    (folder / "area_17.csv").unlink()
    shutil.copy(KENT_XLSX, folder / "kent_2015.xlsx")
    shutil.copy(SAMPLES / "kent_2015.csv", folder / "kent_2015.csv")
    assert run("tables", KENT_XLSX, "-f", "xlsx", "-o", tmp_path / "published.xlsx").exit_code == 0
    shutil.copy(tmp_path / "published.xlsx", folder / "kent_published.xlsx")
    document = json.loads(run("combine", folder, "-f", "json").stdout)
    assert document["problems"] == []
    assert document["exit_code"] == 0
    statuses = sorted(f["status"] for f in document["files"] if Path(f["path"]).name.startswith("kent"))
    assert statuses == ["counted", "identical", "identical"]
    assert (
        national_cells(document, "1")["CAT1TOT"] == 1560 * (SUM_OF_IDS - 17) + 1560
    )  # the sample's own Kent


def test_last_years_damaged_file_does_not_hide_a_missing_return(returns_2024: Path, tmp_path: Path) -> None:
    """Kent's 2023-24 return missing, and a damaged 'kent_2022-23.xlsx' in the folder: both are said (the
    file cannot be read; Kent has no return) — a file's name does not make it this year's return."""
    folder = copy_of(returns_2024, tmp_path / "set")
    (folder / "area_17.xlsx").unlink()
    (folder / "kent_2022-23.xlsx").write_bytes((returns_2024 / "area_17.xlsx").read_bytes()[:3000])
    lines = run("combine", folder).stdout.splitlines()
    assert "  missing: Kent: no return (area 17)" in lines
    assert any(line.startswith(f"  unreadable: {folder / 'kent_2022-23.xlsx'}: ") for line in lines)


def test_judging_claims_gives_a_new_run_and_leaves_the_first_alone(tidy_2015: Path, tmp_path: Path) -> None:
    """combine's result is frozen: judging a claims file returns a new result with the claims, and the run
    it was given still has none (before, the claims were appended to the frozen value's list)."""
    claims = tmp_path / "claims.csv"
    kent = rate(1560 * 17, 1_565_295)  # Kent's Category 1 × its area id 17, over its mid-2014 aged 10+
    claims.write_text(f"kind,area,year,from_year,stated\nrate,Kent,2014-15,,{kent}\n", encoding="utf-8")
    done = combine(expand([tidy_2015])[0], population=read_population(ONS_2014))
    judged = judge_claims(done, read_claims(claims))
    assert done.claims == []
    assert [r.status for r in judged.claims] == ["reproduces"]
    assert judged.areas == done.areas and judged.tables == done.tables
