"""The ONS population estimates: every real MYE2 release mid-2014 … mid-2023 read as ONS published it, the
embedded default built from them, and the rate of every year on its own mid-year.

The raw ONS files are not in the repository: they live in the shared folder ($MAPPA_SHARED, else ../shared
beside the repository), with PROVENANCE.md giving each year's England and Wales totals. Where that folder is
absent (a clean clone), the tests that read them skip, saying so; where it is present, or MAPPA_SHARED names
it, a missing or altered file fails them under CI=true, as the browser tests fail without a browser.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import xls
from conftest import KENT_XLSX, ROOT
from mappa_stats.cli.main import main
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.io.areas import areas
from mappa_stats.io.population import england_and_wales, read_population
from mappa_stats.io.population.embedded import embedded, shipped, sources

SHARED = Path(os.environ.get("MAPPA_SHARED") or ROOT.parent / "shared") / "population"
TABLE = ROOT / "schemas" / "population" / "ons_mye2_mappa_areas.csv"
YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2024)]
MID_2014 = ROOT / "tests" / "data" / "ons_mye2_mid2014_uk_persons.csv"  # the raw mid-2014 file, committed


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared(relative: str) -> Path:
    """A file of the shared population folder; skip (or, in CI where the folder is there, fail) without it."""
    path = SHARED / relative
    if path.is_file():
        return path
    why = f"{path} is absent: the raw ONS files live in the shared folder (../shared, or set MAPPA_SHARED)"
    if _in_ci() and (os.environ.get("MAPPA_SHARED") or SHARED.is_dir()):
        pytest.fail(why)
    pytest.skip(why)


def provenance_totals() -> dict[int, tuple[int, int]]:
    """{mid-year: (all ages, aged 10+)} for England and Wales, read from PROVENANCE.md itself (section 1's
    mid-2014 sentence and section 2's table), never from mappa-stats' own data."""
    text = shared("PROVENANCE.md").read_text(encoding="utf-8")
    totals = {
        int(y): (int(a.replace(",", "")), int(t.replace(",", "")))
        for y, a, t in re.findall(r"^\| (20\d\d) \| ([\d,]+) \| ([\d,]+) \|$", text, re.MULTILINE)
    }
    found = re.search(r"\(([\d,]+) all ages; ([\d,]+) aged 10\+\)", text)
    assert found, "PROVENANCE.md no longer states the mid-2014 totals"
    totals[2014] = (int(found.group(1).replace(",", "")), int(found.group(2).replace(",", "")))
    return totals


# Each ONS release as published, and the mid-year it holds; the CSV exports say no mid-year of their own.
RAW = [(int(r["mid_year"]), r["file"], None) for r in sources().values()] + [
    (2019, "raw/later/ONS2019_PopnByAgeYearEstimate.csv", 2019),
    (2020, "raw/later/ONS2020_PopnByAgeYearEstimate.csv", 2020),
    (2020, "raw/later/ukpopestimatesmid2020on2021geography.xlsx", None),
]


@pytest.mark.parametrize(("year", "relative", "mid_year"), RAW, ids=[r[1].split("/")[-1] for r in RAW])
def test_each_ons_release_adds_up_to_england_and_wales(
    year: int, relative: str, mid_year: int | None
) -> None:
    """Read as ONS published it (.xls for mid-2015 … mid-2020, .xlsx, the CSV exports with thousands
    separators and latin-1): the 42 areas' aged 10+ and all ages add up to PROVENANCE.md's England and
    Wales totals, and so does the file's own England and Wales row."""
    path = shared(relative)
    everyone, ten = provenance_totals()[year]
    population = read_population(path, mid_year)
    assert population.vintage == f"mid-{year}"
    assert sorted(population.by_area) == sorted(a.name for a in areas())
    assert sum(p.aged_10_plus or 0 for p in population.by_area.values()) == ten
    assert sum(p.all_ages or 0 for p in population.by_area.values()) == everyone
    national = england_and_wales(path)
    assert national is not None and (national.aged_10_plus, national.all_ages) == (ten, everyone)


@pytest.mark.parametrize("release", list(sources().values()), ids=lambda r: str(r["mid_year"]))
def test_raw_files_are_the_ones_ons_published(release: dict[str, Any]) -> None:
    """The checksums sources.json pins (the build script checks them too) are the files' own."""
    path = shared(str(release["file"]))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == release["sha256"]


def _rate_areas(population: str, *extra: str) -> dict[str, tuple[int, int]]:
    """What `rate --population FILE` lists for every area: {area: (aged 10+, all ages)}."""
    result = CliRunner().invoke(main, ["rate", "--population", population, *extra, "-f", "json"])
    assert result.exit_code == 0, result.output
    return {a["area"]: (a["aged_10_plus"], a["all_ages"]) for a in json.loads(result.output)["areas"]}


@pytest.mark.parametrize("release", list(sources().values()), ids=lambda r: str(r["mid_year"]))
def test_embedded_table_is_what_rate_computes_from_the_raw_file(release: dict[str, Any]) -> None:
    """Area by area, every year: the shipped table equals `rate --population <raw file>`, and its England
    and Wales row equals PROVENANCE.md's."""
    year = int(release["mid_year"])
    from_file = _rate_areas(str(shared(str(release["file"]))))
    table = embedded(year)
    assert table is not None
    assert {a: (p.aged_10_plus, p.all_ages) for a, p in table.by_area.items()} == from_file
    everyone, ten = provenance_totals()[year]
    assert table.national is not None and (table.national.aged_10_plus, table.national.all_ages) == (
        ten,
        everyone,
    )


def test_build_script_reproduces_the_shipped_table() -> None:
    """tools/build_population.py --check: the raw files (checksums and totals checked) give the shipped
    table byte for byte."""
    shared("PROVENANCE.md")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_population.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MAPPA_SHARED": str(SHARED.parent)},
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- without the shared folder: the table as shipped, and the committed mid-2014 file -----------------


def test_mid_2014_from_the_committed_raw_file_is_the_shipped_table() -> None:
    """The raw mid-2014 MYE2 (committed in tests/data, byte for byte the shared file) gives the shipped
    mid-2014 estimates area by area; Kent is 1,326,907 (Kent county) + 238,388 (Medway) = 1,565,295."""
    assert hashlib.sha256(MID_2014.read_bytes()).hexdigest() == sources()[2014]["sha256"]
    table = embedded(2014)
    assert table is not None
    assert {a: (p.aged_10_plus, p.all_ages) for a, p in table.by_area.items()} == _rate_areas(str(MID_2014))
    assert table.by_area["Kent"].aged_10_plus == 1_326_907 + 238_388


def test_shipped_table_adds_up_every_year() -> None:
    """Each mid-year of the table: 42 areas whose sum is its England and Wales row, mid-2014 … mid-2023;
    mid-2014's row is PROVENANCE.md section 1's 57,408,654 all ages, 50,351,333 aged 10+."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert shipped() == tuple(range(2014, 2024))
    for year in shipped():
        mine = [r for r in rows if int(r["mid_year"]) == year]
        national = next(r for r in mine if r["area"] == NATIONAL)
        counted = [r for r in mine if r["area"] != NATIONAL]
        assert len(counted) == 42
        for column in ("aged_10_plus", "all_ages"):
            assert sum(int(r[column]) for r in counted) == int(national[column]), (year, column)
    mid_2014 = next(r for r in rows if r["mid_year"] == "2014" and r["area"] == NATIONAL)
    assert (int(mid_2014["all_ages"]), int(mid_2014["aged_10_plus"])) == (57_408_654, 50_351_333)


@pytest.mark.parametrize("year", YEARS)
def test_rate_without_population_uses_the_years_mid_year(year: str) -> None:
    """`rate --area Kent --rsos 2000 --year Y`, no population file: the ONS mid-year of Y (the year it
    starts), named as the issue asks, and Kent's figure of that mid-year in the shipped table."""
    mid = int(year[:4])
    result = CliRunner().invoke(
        main, ["rate", "--area", "Kent", "--rsos", "2000", "--year", year, "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    (rate,) = document["rates"]
    assert rate["vintage"] == f"mid-{mid}" and rate["mid_year"] == mid
    assert rate["source"] == (
        f"ONS mid-{mid} population estimates (MYE2, as first published), aged 10 and over"
    )
    assert document["population"]["release"] == f"{sources()[mid]['release']}, as first published"
    with TABLE.open(encoding="utf-8", newline="") as handle:
        kent = next(r for r in csv.DictReader(handle) if r["mid_year"] == str(mid) and r["area"] == "Kent")
    assert rate["population"] == int(kent["aged_10_plus"])
    text = CliRunner().invoke(main, ["rate", "--area", "Kent", "--rsos", "2000", "--year", year]).output
    assert text.startswith(f"Population: ONS mid-{mid} population estimates (MYE2, as first published)")


def test_kent_2014_15_published_rate_matches_with_no_population_file() -> None:
    """The Kent 2014-15 report: 1,560 RSOs, 100 per 100,000 on mid-2014: 1,560 × 100,000 / 1,565,295 =
    99.66, 100 (PROVENANCE.md section 1)."""
    result = CliRunner().invoke(main, ["rate", str(KENT_XLSX)])
    assert result.exit_code == 0, result.output
    assert "1,560 RSOs ÷ 1,565,295 people aged 10+ × 100,000 = 99.66 → 100 per 100,000" in result.output
    assert result.output.rstrip().endswith("Matches.")


def test_a_year_whose_estimate_is_not_shipped_says_so() -> None:
    """2024-25 divides by mid-2024, which is not shipped: one line naming it and how to give it (exit 2)."""
    result = CliRunner().invoke(main, ["rate", "--area", "Kent", "--rsos", "2000", "--year", "2024-25"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "mappa-stats: error: 2024-25: the ONS mid-2024 population estimates are not shipped with mappa-stats "
        "(it has mid-2014 … mid-2023); give them with --population FILE (an ONS MYE2 workbook or CSV, "
        "docs/population.md)"
    )


def test_area_and_rsos_without_a_year_or_population_asks_for_one() -> None:
    result = CliRunner().invoke(main, ["rate", "--area", "Kent", "--rsos", "2000"])
    assert result.exit_code == 2
    assert "give --year YYYY-YY (the shipped ONS estimates are by year) or --population FILE" in result.stderr


def test_another_mid_years_xls_leaves_the_rate_not_checked() -> None:
    """The real mid-2015 .xls with --year 2018-19: not checked, exit 1, naming the mid-2018 estimate."""
    path = shared("raw/later/MYE2_population_by_sex_and_age_for_local_authorities_UK_2015.xls")
    args = ["rate", "--area", "Kent", "--rsos", "1900", "--stated", "112", "--year", "2018-19"]
    result = CliRunner().invoke(main, [*args, "--population", str(path)])
    assert result.exit_code == 1
    assert "Not checked: needs mid-2018 (the population file is mid-2015)." in result.output
    assert "does not match" not in result.output


# --- legacy .xls files built here (no shared folder needed) ----------------------------------------------


def _kent_xls(tmp_path: Path, rows: list[tuple[str, str, int, int]], title: str) -> Path:
    return xls.write(tmp_path / "mye2.xls", xls.container(xls.workbook_stream(xls.mye2_rows(rows, title))))


def test_an_xls_population_file_is_read(tmp_path: Path) -> None:
    """An MYE2 sheet in a legacy .xls (the form of mid-2015 … mid-2020): Kent county 1,326,907 and
    Medway 238,388 aged 10+ give 1,565,295; the 1,560 RSOs give 99.66, 100 as stated."""
    path = _kent_xls(
        tmp_path,
        [("E10000016", "Kent", 1_524_020, 1_326_907), ("E06000035", "Medway", 274_015, 238_388)],
        "MYE2: Persons by single year of age, mid-2014",
    )
    result = CliRunner().invoke(main, ["rate", "--population", str(path), str(KENT_XLSX)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Population: {path} (ONS MYE2, mid-2014)")
    assert "1,560 RSOs ÷ 1,565,295 people aged 10+" in result.output


def test_two_mid_years_in_a_title_are_refused(tmp_path: Path) -> None:
    path = _kent_xls(
        tmp_path, [("E10000016", "Kent", 1_524_020, 1_326_907)], "MYE2: Persons, mid-2014 and mid-2015"
    )
    result = CliRunner().invoke(main, ["rate", "--population", str(path), str(KENT_XLSX)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"mappa-stats: error: {path} (sheet 'MYE2 - Persons'): the title names two mid-years (mid-2014, "
        "mid-2015); give a file of one mid-year, as ONS publishes it"
    )


def test_areas_that_do_not_add_up_name_the_unplaced_codes(tmp_path: Path) -> None:
    """The mid-2014 MYE2 with a local authority of no known vintage (E06000999, 1,000 people, 900 aged
    10+) added to its England and Wales row: refused, naming the code; no rate on a partial area."""
    lines = MID_2014.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("CODE,"))
    width = len(lines[header].split(","))
    extra = ["E06000999", "Nowhere", "1000", "100"] + ["0"] * (width - 5) + ["900"]
    assert len(extra) == width
    out = []
    for line in lines:
        if line.startswith("K04000001,"):
            cells = next(csv.reader([line]))
            cells[2] = str(int(cells[2].replace(",", "")) + 1000)
            cells[3] = str(int(cells[3].replace(",", "")) + 100)
            cells[-1] = str(int(cells[-1].replace(",", "")) + 900)
            line = ",".join(c.replace(",", "") for c in cells)  # plain numbers: no quoting needed
        out.append(line)
    out.append(",".join(extra))
    path = tmp_path / "mid2014_extra.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rate", "--population", str(path), str(KENT_XLSX)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"mappa-stats: error: {path}: the 42 MAPPA areas add up to 50,351,333 people aged 10 and over, but "
        "the file's England and Wales row says 50,352,233; local authorities in no MAPPA area: E06000999; "
        "a code of a vintage mappa-stats does not know: give the file of the year's ONS release, or an area "
        "table (docs/population.md)"
    )


def test_mid_year_without_a_population_file_is_a_usage_error() -> None:
    """--mid-year names a file's mid-year: with no file it is refused, not silently ignored."""
    result = CliRunner().invoke(main, ["rate", "--area", "Kent", "--rsos", "5", "--mid-year", "2018"])
    assert result.exit_code == 2
    assert "--mid-year says which mid-year a --population FILE is: give the file too" in result.stderr
