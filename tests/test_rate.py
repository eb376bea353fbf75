"""rate: RSOs per 100,000 aged 10+ from real ONS mid-2014 files (Kent 2014-15: 1560 → 100)."""

from __future__ import annotations

import csv
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import KENT_XLSX, ROOT, sha256
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.compare.population import population_figures
from mappa_stats.errors import InputError
from mappa_stats.io.population import AreaPopulation, read_population
from mappa_stats.io.population.embedded import embedded
from mappa_stats.io.population_rate import compute_rate
from mappa_stats.io.readers import read_area
from mappa_stats.rules.claims.judge import area_figures

DATA = ROOT / "tests" / "data"
RAW = DATA / "ons_mye2_mid2014_uk_persons.csv"
AREAS_10 = DATA / "ons_mye2_mid2014_mappa_area_aged10plus.csv"
SINGLE_YEAR = DATA / "ons_mye2_mid2014_mappa_area_single_year_of_age.csv"
GEOGRAPHIES = ROOT / "samples" / "ons_mid2014.csv"
ALL_FILES = [RAW, AREAS_10, SINGLE_YEAR, GEOGRAPHIES]
# Kent county (E10000016) 1,326,907 + Medway (E06000035) 238,388 aged 10+ (ONS mid-2014).
KENT_10_PLUS = 1_326_907 + 238_388
KENT_ALL_AGES = 1_784_369


def run(*args: str) -> object:
    """The CLI, as a user runs it."""
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("population", ALL_FILES, ids=lambda p: p.name)
def test_kent_rate_from_every_real_file(population: Path) -> None:
    """1560 ÷ 1,565,295 × 100,000 = 99.66 → 100: matches the published figure, from each layout."""
    result = CliRunner().invoke(main, ["rate", "--population", str(population), str(KENT_XLSX), "-f", "json"])
    assert result.exit_code == 0, result.output
    rate = json.loads(result.output)["rates"][0]
    assert rate["population"] == KENT_10_PLUS
    assert (rate["rsos"], rate["rate"], rate["rate_rounded"], rate["stated"]) == (1560, 99.66, 100, 100)
    assert rate["matches"] is True
    assert rate["one_in"] == 1003  # 1,565,295 / 1560 = 1003.4


def test_all_ages_reproduces_the_old_base_and_reports_the_mismatch() -> None:
    """--all-ages: 1560 ÷ 1,784,369 × 100,000 = 87.43 → 87, not the stated 100: exit 1."""
    result = CliRunner().invoke(main, ["rate", "--population", str(RAW), str(KENT_XLSX), "--all-ages"])
    assert result.exit_code == 1
    assert "87.43 → 87" in result.output
    assert "does not match: stated 100, computed 87" in result.output.lower()


def test_area_and_rsos_without_a_workbook() -> None:
    """--area takes police force names loosely."""
    for name in ("Kent", "Kent Police", "KENT"):
        result = CliRunner().invoke(
            main, ["rate", "--population", str(AREAS_10), "--area", name, "--rsos", "1560", "--stated", "100"]
        )
        assert result.exit_code == 0, result.output
        assert "99.66 → 100" in result.output


@pytest.mark.parametrize(
    ("name", "area"),
    [
        ("kent", "Kent"),
        ("metropolitan", "London"),
        ("city-of-london", "London"),
        ("avon-and-somerset", "Avon and Somerset"),
        ("Cleveland Police", "Teesside"),
    ],
)
def test_area_by_police_force_code(name: str, area: str) -> None:
    """data.police.uk force identifiers and force names find their MAPPA area."""
    assert read_population(AREAS_10).get(name).area == area


def test_national_view_lists_every_area_without_double_counting() -> None:
    """No workbook, no --area: the 42 areas; together they are the ONS England and Wales total."""
    result = CliRunner().invoke(main, ["rate", "--population", str(RAW), "-f", "json"])
    assert result.exit_code == 0
    areas = json.loads(result.output)["areas"]
    assert len(areas) == 42
    assert sum(a["aged_10_plus"] for a in areas) == 50_351_333  # ONS K04000001 aged 10+
    assert sum(a["all_ages"] for a in areas) == 57_408_654  # ONS K04000001 all ages


def _raw_rows(codes: set[str]) -> tuple[list[str], list[list[str]]]:
    with RAW.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[2]
    return header, [r for r in rows[3:] if r and r[0] in codes]


def test_hand_made_mye2_with_region_county_and_districts(tmp_path: Path) -> None:
    """Region, county and district rows together still give Kent = county + Medway (no double counting)."""
    with RAW.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    kent_districts = [r[0] for r in rows if r and r[0].startswith("E07") and 296 <= rows.index(r) <= 308]
    codes = {"K04000001", "E92000001", "E12000008", "E10000016", "E06000035", *kent_districts}
    header, picked = _raw_rows(codes)
    path = tmp_path / "south_east.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mid-2014 population, hand made"])
        writer.writerow([])
        writer.writerow([header[0], header[1], "Geography", *header[2:]])
        for r in picked:
            level = {
                "K04": "Country",
                "E92": "Country",
                "E12": "Region",
                "E10": "County",
                "E06": "Unitary Authority",
            }.get(r[0][:3], "Non-metropolitan District")
            writer.writerow([r[0], r[1], level, *r[2:]])
    assert len(kent_districts) >= 10
    population = read_population(path)
    assert population.get("Kent").aged_10_plus == KENT_10_PLUS
    assert read_population(AREAS_10).get("Kent").aged_10_plus == KENT_10_PLUS


def test_districts_roll_up_through_their_county(tmp_path: Path) -> None:
    """A file of districts and unitary authorities only (no county, region or country rows) gives the 42 areas."""
    with RAW.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    kept = [r for r in rows[3:] if r and r[0][:3] in {"E06", "E07", "E08", "E09", "W06"}]
    path = tmp_path / "districts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[2])
        writer.writerows(kept)
    by_district = read_population(path)
    reference = read_population(AREAS_10)
    assert len(by_district.by_area) == 42
    for name, expected in reference.by_area.items():
        assert by_district.get(name).aged_10_plus == expected.aged_10_plus, name
    assert by_district.get("Kent").aged_10_plus == KENT_10_PLUS


def test_mye2_sheet_of_a_workbook(tmp_path: Path) -> None:
    """The MYE2 layout in an .xlsx sheet, header below title lines, numbers as numbers."""
    header, picked = _raw_rows({"E10000016", "E06000035", "E12000008"})
    wb = Workbook()
    assert wb.active is not None
    wb.active.title = "Contents"
    ws = wb.create_sheet("MYE2 - Persons")
    ws.append(["Population estimates - local authority based by single year of age, mid-2014"])
    ws.append([])
    ws.append([])
    ws.append(["Code", "Name", "Geography", "All ages", *header[3:-1], "90+"])
    for r in picked:
        ws.append([r[0], r[1], "County", *(int(x.replace(",", "")) for x in r[2:])])
    path = tmp_path / "mye2.xlsx"
    wb.save(path)
    population = read_population(path)
    assert population.vintage == "mid-2014"
    assert population.get("Kent").aged_10_plus == KENT_10_PLUS


def test_ons_long_layout_sums_the_sexes(tmp_path: Path) -> None:
    """code, name, sex, age, population_YYYY: sexes summed, --mid-year picks the column."""
    _header, picked = _raw_rows({"E10000016", "E06000035"})
    path = tmp_path / "long.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["ladcode21", "ladname21", "country", "sex", "age", "population_2013", "population_2014"]
        )
        for r in picked:
            for age, text in zip(range(91), r[3:], strict=True):
                n = int(text.replace(",", ""))
                males = n // 2
                writer.writerow([r[0], r[1], "E", 1, age, 0, males])
                writer.writerow([r[0], r[1], "E", 2, age, 0, n - males])
    result = CliRunner().invoke(
        main,
        [
            "rate",
            "--population",
            str(path),
            "--mid-year",
            "2014",
            "--area",
            "Kent",
            "--rsos",
            "1560",
            "--stated",
            "100",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1,565,295" in result.output
    assert "99.66 → 100" in result.output
    assert read_population(path, 2014).vintage == "mid-2014"
    # The same file, every age: 1560 ÷ 1,784,369 × 100,000 = 87.43 → 87 (the sexes and ages 0–9 summed too).
    everyone = CliRunner().invoke(
        main,
        ["rate", "--population", str(path), "--area", "Kent", "--rsos", "1560", "--all-ages", "-f", "json"],
    )
    rate = json.loads(everyone.output)["rates"][0]
    assert (rate["population"], rate["base"], rate["rate"], rate["rate_rounded"]) == (
        KENT_ALL_AGES,
        "all ages",
        87.43,
        87,
    )


def test_validate_with_population_adds_the_rate_rule(tmp_path: Path) -> None:
    """validate --population: the sample passes; a rate of 46 is caught with both numbers."""
    ok = CliRunner().invoke(
        main, ["validate", str(KENT_XLSX), "--population", str(GEOGRAPHIES), "-f", "json"]
    )
    assert ok.exit_code == 0, ok.output
    rules = {r["id"]: r["status"] for r in json.loads(ok.output)["files"][0]["rules"]}
    assert rules["rate.matches"] == "passed"
    assert rules["rate.vintage"] == "passed"
    wrong = edit_copy(KENT_XLSX, tmp_path / "rate46.xlsx", {"E37": 46})
    bad = CliRunner().invoke(main, ["validate", str(wrong), "--population", str(GEOGRAPHIES)])
    assert bad.exit_code == 1
    assert (
        "rate.matches  'Statistics'!E37  the stated rate is 46 per 100,000 but 1560 RSOs ÷ 1,565,295 people aged 10+ (ONS mid-2014) × 100,000 = 99.66, which rounds to 100"
        in bad.output
    )


def test_all_ages_slip_is_named(tmp_path: Path) -> None:
    """A stated 87 is what the whole population gives: the finding says the under-10s were kept in."""
    wrong = edit_copy(KENT_XLSX, tmp_path / "rate87.xlsx", {"E37": 87})
    result = CliRunner().invoke(main, ["validate", str(wrong), "--population", str(RAW)])
    assert result.exit_code == 1
    assert "an all-ages base (1,784,369) would give 87, the stated figure" in result.output


def test_population_of_another_year_is_refused(tmp_path: Path) -> None:
    """A mid-2015 file for a 2014-15 report is refused (exit 2), as combine refuses it (docs/commands.md):
    another year's estimates cannot check the rate, and the stated rate cell is never called wrong."""
    other = tmp_path / "ons_mid2015.csv"
    other.write_bytes(GEOGRAPHIES.read_bytes())
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--population", str(other)])
    assert result.exit_code == 2
    assert "the population file is mid-2015, but 2014-15 rates divide by the ONS mid-2014" in result.output
    assert "does not match" not in result.output and "E37" not in result.output


# --- bad population input: one line, exit 2 ------------------------------------------------------


def _bad(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "pop.csv"
    path.write_text(text, encoding="utf-8")
    before = sha256(path)
    result = CliRunner().invoke(
        main, ["rate", "--population", str(path), *(args or ("--area", "Kent", "--rsos", "1560"))]
    )
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert sha256(path) == before
    return result.stderr


def test_area_not_in_file(tmp_path: Path) -> None:
    """An area the file does not hold."""
    assert "'Atlantis' is not in this population file" in _bad(
        tmp_path, AREAS_10.read_text(encoding="utf-8"), "--area", "Atlantis", "--rsos", "5"
    )


def test_no_age_columns(tmp_path: Path) -> None:
    """An MYE2-like file with no single years of age."""
    assert "no single-year age columns" in _bad(tmp_path, "Code,Name,All ages\nE10000016,Kent,1510354\n")


def test_zero_population(tmp_path: Path) -> None:
    """A population of zero."""
    assert "must be above zero" in _bad(tmp_path, "mappa_area,aged_10_plus\nKent,0\n")


def test_negative_population(tmp_path: Path) -> None:
    """A negative population."""
    assert "must be above zero" in _bad(tmp_path, "mappa_area,aged_10_plus\nKent,-5\n")


def test_non_numeric_population(tmp_path: Path) -> None:
    """Text where a population belongs, named by line and column."""
    message = _bad(tmp_path, "mappa_area,aged_10_plus\nKent,lots\n")
    assert "pop.csv:2 (aged_10_plus): population 'lots' is not a number" in message


def test_same_area_twice(tmp_path: Path) -> None:
    """Two rows for one area (here by force name)."""
    assert "appears twice" in _bad(tmp_path, "mappa_area,aged_10_plus\nKent,1565295\nKent Police,1565295\n")


def test_only_aggregate_rows(tmp_path: Path) -> None:
    """Countries and regions only: no area can be built."""
    header, picked = _raw_rows({"K04000001", "E92000001", "E12000008"})
    text = (
        "title\n" + ",".join(header) + "\n" + "\n".join(",".join(f'"{c}"' for c in r) for r in picked) + "\n"
    )
    assert "only aggregate rows" in _bad(tmp_path, text)


def test_not_a_population_file(tmp_path: Path) -> None:
    """Something else entirely."""
    assert "not a population file mappa-stats knows" in _bad(tmp_path, "a,b\n1,2\n")


def test_compute_rate_refuses_non_positive_population() -> None:
    """The library refuses a zero base."""
    with pytest.raises(InputError):
        compute_rate("X", 5, AreaPopulation("X", 0, 10))


# --- properties ----------------------------------------------------------------------------------


@given(st.integers(0, 200_000), st.integers(1, 10_000_000))
def test_rate_times_population_gives_back_the_count(rsos: int, population: int) -> None:
    """rate × population ÷ 100,000 = the count (exact decimal arithmetic, to rounding of the division)."""
    rate = compute_rate("X", rsos, AreaPopulation("X", population, population))
    assert abs(rate.exact * population / 100_000 - rsos) < Decimal("1e-12")


@given(st.integers(0, 200_000), st.integers(1, 10_000_000))
def test_rate_grows_with_the_count(rsos: int, population: int) -> None:
    """One more RSO, a higher rate."""
    base = AreaPopulation("X", population, population)
    assert compute_rate("X", rsos + 1, base).exact > compute_rate("X", rsos, base).exact


@given(st.integers(-1_000_000, 0))
def test_non_positive_population_is_refused(population: int) -> None:
    """Zero or negative populations never give a rate."""
    with pytest.raises(InputError):
        compute_rate("X", 10, AreaPopulation("X", population, population))


def test_half_up_not_bankers_rounding() -> None:
    """A rate of exactly 100.5 rounds to 101 (Python's round() would give 100)."""
    rate = compute_rate("X", 201, AreaPopulation("X", 200_000, 200_000))
    assert rate.exact == Decimal("100.5")
    assert rate.rounded == 101


def test_validate_area_missing_from_population_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """A workbook whose area the population file lacks: with --population given, an error (exit 1) with a
    did-you-mean; the other file of the batch is still checked and passes."""
    odd = edit_copy(KENT_XLSX, tmp_path / "atlantis.xlsx", {"H1": "Kentt"})
    result = CliRunner().invoke(
        main, ["validate", str(odd), str(KENT_XLSX), "--population", str(GEOGRAPHIES)]
    )
    assert result.exit_code == 1, result.output
    assert "rate.matches" in result.output
    assert "'Kentt' is not in this population file" in result.output
    assert "did you mean Kent?" in result.output
    assert f"{KENT_XLSX} (Kent, template 2014-15): PASS" in result.output


def test_area_from_the_file_name_or_the_option(tmp_path: Path) -> None:
    """A workbook with no 'MAPPA area' cell: the file name (said in the report), or --area, names the area."""
    named = edit_copy(KENT_XLSX, tmp_path / "Kent_MAPPA_2014-15.xlsx", {"G1": None, "H1": None})
    result = CliRunner().invoke(
        main, ["validate", str(named), "--population", str(GEOGRAPHIES), "-f", "json"]
    )
    document = json.loads(result.stdout)["files"][0]
    assert document["area"] == "Kent"
    assert {r["id"]: r["status"] for r in document["rules"]}["rate.matches"] == "passed"
    assert any("Kent is taken from the file name" in note for note in document["notes"])
    anonymous = edit_copy(KENT_XLSX, tmp_path / "return.xlsx", {"G1": None, "H1": None})
    failed = CliRunner().invoke(main, ["validate", str(anonymous), "--population", str(GEOGRAPHIES)])
    assert failed.exit_code == 1, failed.output
    assert "does not name its MAPPA area" in failed.output
    assert "--area NAME" in failed.output
    given = CliRunner().invoke(
        main,
        ["validate", str(anonymous), "--population", str(GEOGRAPHIES), "--area", "Kent Police", "-f", "json"],
    )
    document = json.loads(given.output)["files"][0]
    assert document["area"] == "Kent"
    assert {r["id"]: r["status"] for r in document["rules"]}["rate.matches"] == "passed"


def test_area_and_rsos_with_a_year_refuse_another_mid_year_as_validate_does() -> None:
    """--area X --rsos N --year 2018-19 with mid-2014 estimates: not checked (needs mid-2018), the rule
    validate applies, never "does not match"."""
    result = CliRunner().invoke(
        main,
        [
            "rate",
            "--area",
            "Kent",
            "--rsos",
            "1500",
            "--stated",
            "112",
            "--year",
            "2018-19",
            "--population",
            str(ROOT / "samples" / "ons_mid2014.csv"),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.output)["rates"]
    assert found["needs"] == "mid-2018"
    assert found["matches"] is None
    assert found["verdict"].startswith("not checked: needs mid-2018")


def test_validate_and_compare_claims_take_the_same_population() -> None:
    """The population a claim divides by is the same whether validate --claims or compare --claims asks:
    Kent's aged 10+ in the mid-2014 estimates for 2014-15, and none (NaN: a population was given) from
    another mid-year's estimates or for a name no area has."""
    kent = read_area(KENT_XLSX)
    key = ("Kent", "2014-15", "POP10PLUS")
    mid_2014, mid_2015 = embedded(2014), embedded(2015)
    assert mid_2014 is not None and mid_2015 is not None
    ons = mid_2014.get("Kent").aged_10_plus
    assert ons is not None
    assert area_figures(kent, mid_2014)[key] == population_figures(mid_2014, [key[:2]])[key] == float(ons)
    assert math.isnan(area_figures(kent, mid_2015)[key])
    assert math.isnan(population_figures(mid_2015, [key[:2]])[key])
    assert math.isnan(
        population_figures(mid_2014, [("Nowhere", "2014-15")])[("Nowhere", "2014-15", "POP10PLUS")]
    )


@pytest.mark.parametrize("stated", ["١٠٠", "１００", "1_00"])
def test_a_stated_rate_in_other_digits_is_refused(tmp_path: Path, stated: str) -> None:
    """issue 23, item 4: Decimal read '١٠٠' and '1_00' as 100, so the Kent rate (1,560 ÷ 1,565,295 × 100,000
    = 99.66, 100 stated) reproduced; the one parser of numbers refuses them, in the workbook's rate cell and
    in --stated, naming the cell or the option."""
    population = str(ROOT / "samples" / "ons_mid2014.csv")
    edited = edit_copy(KENT_XLSX, tmp_path / "k.xlsx", {"E37": stated})
    result = CliRunner().invoke(main, ["rate", str(edited), "--population", population])
    assert result.exit_code == 2, result.output
    assert f"'Statistics'!E37: the stated rate '{stated}' is not a number" in result.stderr
    result = CliRunner().invoke(
        main, ["rate", str(KENT_XLSX), "--population", population, "--stated", stated]
    )
    assert result.exit_code == 2, result.output
    assert f"--stated: the stated rate '{stated}' is not a number" in result.stderr


@pytest.mark.parametrize(
    ("rsos", "words"),
    [("١٥٦٠", "is not written in the digits 0-9"), ("1_560", "is not a number"), ("-5", "is negative")],
)
def test_rsos_is_read_by_the_one_parser(rsos: str, words: str) -> None:
    """issue 23, item 4: --rsos took click's int(), which reads '١٥٦٠' and '1_560' as 1560; now the one
    parser of numbers reads it as any file's count is read, and '1,560' is 1560 (1,560 ÷ 1,565,295 ×
    100,000 = 99.66 → 100)."""
    base = ["rate", "--area", "Kent", "--year", "2014-15", "--rsos"]
    refused = CliRunner().invoke(main, [*base, rsos])
    assert refused.exit_code == 2, refused.output
    assert f"Invalid value for '--rsos': '{rsos}' {words}" in refused.stderr
    read = CliRunner().invoke(main, [*base, "1,560"])
    assert read.exit_code == 0, read.output
    assert "1,560 RSOs ÷ 1,565,295 people aged 10+ × 100,000 = 99.66 → 100 per 100,000" in read.stdout
