"""Population files at their edges: every column name, layout and limit the reader accepts or refuses, with
figures derived by hand — the tests mutation testing showed missing (docs/development.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import KENT_XLSX
from mappa_stats.cli.main import main
from mappa_stats.errors import InputError
from mappa_stats.io.population import AreaPopulation, PopulationFile, read_population, roll_up
from mappa_stats.io.population_rate import compute_rate

# Kent and Medway, mid-2014 (ONS MYE2, tests/data): aged 10+ and all ages.
KENT_10, KENT_ALL = 1_326_907 + 238_388, 1_784_369


def write(tmp_path: Path, text: str, name: str = "pop.csv") -> Path:
    """A population file from its text."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *words: str) -> str:
    """read_population refuses the file, naming it and the words."""
    with pytest.raises(InputError) as caught:
        read_population(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


# --- area tables -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name_column", ["mappa_area", "police_force_area", "area", "pfa", "police_force"])
@pytest.mark.parametrize("ten_column", ["aged_10_plus", "population_aged_10_plus", "aged_10+"])
def test_area_table_column_names(tmp_path: Path, name_column: str, ten_column: str) -> None:
    """Each name and aged-10+ column an area table may use; all ages read too; layout and path kept."""
    path = write(tmp_path, f"{name_column},{ten_column},all_ages\nKent Police,{KENT_10},{KENT_ALL}\n")
    population = read_population(path)
    assert population.get("Kent") == AreaPopulation("Kent", KENT_10, KENT_ALL)
    assert (population.path, population.layout) == (str(path), "area table")


def test_area_table_skips_national_lines_and_reads_on(tmp_path: Path) -> None:
    """ENGLAND, WALES and TOTAL lines are check lines, skipped; the areas after them are still read."""
    path = write(
        tmp_path,
        "mappa_area,aged_10_plus\nENGLAND,1\nWales,2\nTotal,3\nKent,5\nAtlantis,7\n",
    )
    population = read_population(path)
    assert sorted(population.by_area) == ["Atlantis", "Kent"]
    # A name that is no MAPPA area is kept as written, and found again by its folded name.
    assert population.get("ATLANTIS") == AreaPopulation("Atlantis", 7, None)
    assert population.get("Kent").all_ages is None


def test_area_table_single_years_of_age(tmp_path: Path) -> None:
    """age_0 … age_90_plus without an aged_10_plus column: 10+ is the sum of ages 10 to 90+."""
    header = ",".join(f"age_{a}" for a in range(90)) + ",age_90_plus"
    values = ",".join(str(a + 1) for a in range(91))  # age a holds a+1 people
    path = write(tmp_path, f"mappa_area,{header}\nKent,{values}\n")
    # Ages 10 … 90 hold 11 … 91 people: (11 + 91) × 81 / 2 = 4,131.
    assert read_population(path).get("Kent") == AreaPopulation("Kent", 4_131, None)


def test_area_table_of_all_ages_only(tmp_path: Path) -> None:
    """Only all_ages: read, and the 10+ figure is missing (the rate then needs --all-ages)."""
    path = write(tmp_path, f"mappa_area,all_ages\nKent,{KENT_ALL}\n")
    assert read_population(path).get("Kent") == AreaPopulation("Kent", None, KENT_ALL)
    with pytest.raises(InputError, match="has no aged 10\\+ figure for Kent"):
        compute_rate("Kent", 5, read_population(path).get("Kent"))
    assert compute_rate("Kent", 1560, read_population(path).get("Kent"), all_ages=True).base == "all ages"


def test_area_table_without_a_population_column(tmp_path: Path) -> None:
    """A name column but no population column (age_9 alone is not one)."""
    path = write(tmp_path, "mappa_area,age_9,aged_10_plus_x\nKent,1,2\n")
    refused(path, "not a population file mappa-stats knows")


@pytest.mark.parametrize(("value", "ok"), [("1", True), ("0", False), ("-4", False)])
def test_area_table_population_must_be_above_zero(tmp_path: Path, value: str, ok: bool) -> None:
    """One person is a population; none or fewer is refused, naming line and area."""
    path = write(tmp_path, f"mappa_area,aged_10_plus,all_ages\nKent,{value},{KENT_ALL}\n")
    if ok:
        assert read_population(path).get("Kent").aged_10_plus == 1
    else:
        refused(path, ":2: population of Kent is", "above zero")


def test_messages_name_the_line_and_the_column(tmp_path: Path) -> None:
    """A cell that is not a number is named by file, line and column, in each layout."""
    refused(write(tmp_path, "mappa_area,aged_10_plus,all_ages\nKent,1,many\n"), ":2 (all_ages)", "'many'")
    refused(write(tmp_path, "mappa_area,aged_10_plus\nKent,x\n", "b.csv"), ":2 (aged_10_plus)")
    ages = ",".join(f"age_{a}" for a in range(91))
    refused(
        write(tmp_path, f"mappa_area,{ages}\nKent," + ",".join(["1"] * 50 + ["?"] * 41) + "\n", "c.csv"),
        "(age_50)",
    )


# --- ONS MYE2 ------------------------------------------------------------------------------------------


def _mye2(tmp_path: Path, rows: list[str], name: str = "mye2.csv") -> Path:
    ages = ",".join(str(a) for a in range(90)) + ",90+"
    return write(tmp_path, "Code,Name,Geography,All ages," + ages + "\n" + "\n".join(rows) + "\n", name)


def _ages(ten_plus_each: int, young_each: int = 0) -> str:
    return ",".join(str(young_each if a < 10 else ten_plus_each) for a in range(91))


def test_mye2_sums_ages_ten_and_over(tmp_path: Path) -> None:
    """Kent = county + Medway; each age 10 … 90+ (81 columns) holding n people gives 81 n."""
    path = _mye2(
        tmp_path,
        [
            f"E10000016,Kent,County,{10 * 3 + 81 * 5},{_ages(5, 3)}",
            f"E06000035,Medway,UA,{81 * 2},{_ages(2)}",
        ],
    )
    population = read_population(path)
    assert population.layout == "ONS MYE2"
    assert population.path == str(path)
    assert population.get("Kent") == AreaPopulation(
        "Kent", 81 * 5 + 81 * 2, 10 * 3 + 81 * 5 + 81 * 2, ("E10000016", "E06000035")
    )


def test_mye2_population_of_one_and_of_zero(tmp_path: Path) -> None:
    """All ages of 1 is a population; 0 is refused naming the code."""
    one = ",".join("1" if a == 50 else "0" for a in range(91))
    ok = _mye2(tmp_path, [f"E10000016,Kent,County,1,{one}", f"E06000035,Medway,UA,1,{one}"])
    assert read_population(ok).get("Kent").aged_10_plus == 2
    zero = ",".join("0" for _ in range(91))
    bad = _mye2(tmp_path, [f"E10000016,Kent,County,0,{zero}"], "zero.csv")
    refused(bad, ":2: population of E10000016 is 0")


def test_mye2_short_or_codeless_rows_are_notes(tmp_path: Path) -> None:
    """A footnote (short row) and a row without a code are skipped; the areas are read."""
    path = _mye2(
        tmp_path,
        [
            f"E10000016,Kent,County,{81 * 5},{_ages(5)}",
            "Source: Office for National Statistics",
            f",Total,,{81 * 5},{_ages(5)}",
            f"E06000035,Medway,UA,{81 * 2},{_ages(2)}",
        ],
    )
    assert read_population(path).get("Kent").aged_10_plus == 81 * 7


def test_mye2_with_an_aged_10_plus_column(tmp_path: Path) -> None:
    """ons_code, all_ages, aged_10_plus (no single years): the column is used as it is."""
    path = write(tmp_path, "ons_code,name,all_ages,aged_10_plus\nE10000016,Kent,9,7\nE06000035,Medway,5,4\n")
    assert read_population(path).get("Kent") == AreaPopulation("Kent", 11, 14, ("E10000016", "E06000035"))


def test_only_aggregate_rows_names_their_levels(tmp_path: Path) -> None:
    """Country and region rows only: refused, naming the levels found."""
    path = write(
        tmp_path, "ons_code,name,all_ages,aged_10_plus\nE92000001,England,9,7\nE12000008,South East,5,4\n"
    )
    refused(path, "only aggregate rows (country, region)")
    odd = write(tmp_path, "ons_code,name,all_ages,aged_10_plus\nQ99000001,Elsewhere,9,7\n", "odd.csv")
    refused(odd, "levels found: Q99")


def test_districts_roll_up_into_a_missing_county() -> None:
    """A county a file lacks is the sum of its districts when every one is there; all ages too."""
    from mappa_stats.io.areas import district_parents

    kent = sorted(code for code, parent in district_parents().items() if parent == "E10000016")
    surrey = sorted(code for code, parent in district_parents().items() if parent == "E10000030")
    rows: dict[str, tuple[int, int | None]] = {code: (2, 3) for code in kent}
    rows.update({code: (1, None) for code in surrey})
    roll_up(rows)
    assert rows["E10000016"] == (2 * len(kent), 3 * len(kent))
    assert rows["E10000030"] == (len(surrey), None)  # a district without all ages leaves the county without
    partial: dict[str, tuple[int, int | None]] = {code: (1, 1) for code in kent[1:]}
    roll_up(partial)
    assert "E10000016" not in partial


# --- ONS long ------------------------------------------------------------------------------------------


def _long(
    tmp_path: Path, code_column: str, rows: list[tuple[str, int, str, int]], name: str = "long.csv"
) -> Path:
    lines = [f"{code_column},sex,age,population_2013,population_2014"]
    lines += [f"{code},{sex},{age},0,{value}" for code, sex, age, value in rows]
    return write(tmp_path, "\n".join(lines) + "\n", name)


@pytest.mark.parametrize("code_column", ["code", "area_code", "ladcode23"])
def test_long_layout_sums_sexes_and_ages(tmp_path: Path, code_column: str) -> None:
    """Both sexes and every age are summed; '90+' is age 90; the latest year is the default."""
    rows = [
        ("E10000016", 1, "9", 100),
        ("E10000016", 2, "9", 50),
        ("E10000016", 1, "10", 7),
        ("E10000016", 2, "10", 8),
        ("E10000016", 1, "90+", 1),
        ("E06000035", 1, "40", 2),
        ("E06000035", 2, "5", 0),
    ]
    population = read_population(_long(tmp_path, code_column, rows))
    assert population.layout == "ONS long"
    assert population.vintage == "mid-2014"
    assert population.get("Kent") == AreaPopulation(
        "Kent", 7 + 8 + 1 + 2, 100 + 50 + 7 + 8 + 1 + 2, ("E10000016", "E06000035")
    )


def test_long_layout_refuses_a_negative_and_an_empty_area(tmp_path: Path) -> None:
    """A negative count is refused by line; a code whose counts add up to 0 is refused; 0 itself is fine."""
    refused(_long(tmp_path, "code", [("E10000016", 1, "20", -1)]), ":2: population -1 is negative")
    refused(
        _long(tmp_path, "code", [("E10000016", 1, "20", 0)], "zero.csv"),
        "population of E10000016 adds up to 0",
    )
    fine = _long(
        tmp_path,
        "code",
        [("E10000016", 1, "20", 0), ("E10000016", 2, "20", 3), ("E06000035", 1, "1", 1)],
        "ok.csv",
    )
    assert read_population(fine).get("Kent") == AreaPopulation("Kent", 3, 4, ("E10000016", "E06000035"))


def test_long_layout_age_must_be_a_number(tmp_path: Path) -> None:
    """An age that is not a whole number is named by line."""
    refused(_long(tmp_path, "code", [("E10000016", 1, "ten", 5)]), ":2: age 'ten' is not a whole number")


# --- the rate as reported ------------------------------------------------------------------------------


def test_rate_json_of_a_decimal_stated_rate_and_the_all_ages_figure() -> None:
    """A stated 99.5 stays 99.5 in JSON; 100 stays an integer; the all-ages rate is reported by its key."""
    base = AreaPopulation("Kent", KENT_10, KENT_ALL)
    half = compute_rate("Kent", 1560, base, stated=Decimal("99.5"), vintage="mid-2014").to_dict()
    assert half["stated"] == 99.5
    assert half["matches"] is False
    whole = compute_rate("Kent", 1560, base, stated=Decimal("100"), vintage="mid-2014").to_dict()
    assert whole["stated"] == 100
    assert isinstance(whole["stated"], int)
    # 1560 ÷ 1,784,369 × 100,000 = 87.43 → 87.
    assert whole["all_ages_rate_rounded"] == 87
    assert (whole["area"], whole["vintage"], whole["base"]) == ("Kent", "mid-2014", "aged 10+")


def test_verdict_words() -> None:
    """The verdict says what matched, or both figures, with the all-ages hint only when it explains."""
    base = AreaPopulation("Kent", KENT_10, KENT_ALL)
    assert compute_rate("Kent", 1560, base, stated=Decimal(100)).verdict() == "matches"
    assert compute_rate("Kent", 1560, base).verdict() == "no stated rate"
    assert (
        compute_rate("Kent", 1560, base, stated=Decimal(99)).verdict()
        == "does not match: stated 99, computed 100"
    )
    assert compute_rate("Kent", 1560, base, stated=Decimal(87)).verdict() == (
        "does not match: stated 87, computed 100; an all-ages base gives the stated figure: "
        "was the under-10s exclusion missed?"
    )


def test_compute_rate_refusals_name_the_base_and_area() -> None:
    """A zero base and a negative count are refused with the area and which base."""
    with pytest.raises(InputError, match=r"^the all ages population of Kent is 0; it must be above zero$"):
        compute_rate("Kent", 5, AreaPopulation("Kent", 5, 0), all_ages=True)
    with pytest.raises(InputError, match=r"^the RSO count for Kent is -1; it cannot be negative$"):
        compute_rate("Kent", -1, AreaPopulation("Kent", 5, 5))


def test_population_file_lookup_by_police_force_and_folded_name() -> None:
    """get() finds an area by MAPPA name, force name or folded spelling; anything else is refused."""
    population = PopulationFile("p.csv", "area table", None, {"Kent": AreaPopulation("Kent", 1, 2)})
    assert population.get("KENT POLICE").area == "Kent"
    with pytest.raises(InputError, match="did you mean Kent"):
        population.get("Kentt")


def test_rate_command_reports_the_layout_and_vintage(tmp_path: Path) -> None:
    """rate -f json carries the population file's path, layout, vintage, mid-year and source."""
    path = write(
        tmp_path, f"mappa_area,aged_10_plus,all_ages\nKent,{KENT_10},{KENT_ALL}\n", "mid-2014_areas.csv"
    )
    result = CliRunner().invoke(main, ["rate", "--population", str(path), str(KENT_XLSX), "-f", "json"])
    document = json.loads(result.output)
    assert document["population"] == {
        "path": str(path),
        "layout": "area table",
        "vintage": "mid-2014",
        "mid_year": 2014,
        "source": f"{path} (area table, mid-2014)",
        "release": None,
        "embedded": False,
    }
    assert document["rates"][0]["rate_rounded"] == 100


# --- reading: workbooks, delimiters, line numbers, number forms -----------------------------------------


def test_population_workbook_prefers_persons_and_reads_past_the_first_rows(tmp_path: Path) -> None:
    """A workbook with Males and Persons sheets: Persons is read, and rows far below the header count."""
    from openpyxl import Workbook

    wb = Workbook()
    for title, each in (("MYE2 - Males", 1), ("MYE2 - Persons", 2)):
        ws = wb.create_sheet(title)
        ws.append(["ons_code", "name", "all_ages", "aged_10_plus"])
        for n in range(60):  # other geographies first: Kent's rows are far below the header
            ws.append([f"Q99{n:06d}", "Elsewhere", 1, 1])
        ws.append(["E10000016", "Kent", 10 * each, 7 * each])
        ws.append(["E06000035", "Medway", 5 * each, 4 * each])
    wb.remove(wb["Sheet"])
    path = tmp_path / "mye2.xlsx"
    wb.save(path)
    assert read_population(path).get("Kent") == AreaPopulation("Kent", 22, 30, ("E10000016", "E06000035"))


def test_semicolons_and_line_numbers_far_down(tmp_path: Path) -> None:
    """A file with semicolons reads; a bad cell 50 lines down is named by its own line number."""
    rows = [f"Q99{n:06d};Elsewhere;1;1" for n in range(47)]
    text = (
        "ons_code;name;all_ages;aged_10_plus\n"
        + "\n".join(rows)
        + "\nE10000016;Kent;9;7\nE06000035;Medway;5;4\n"
    )
    assert read_population(write(tmp_path, text)).get("Kent").aged_10_plus == 11
    bad = text.replace("E06000035;Medway;5;4", "E06000035;Medway;five;4")
    refused(write(tmp_path, bad, "bad.csv"), ":50 (All ages)", "'five'")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,565,295", 1_565_295),
        ("1\u00a0565\u00a0295", 1_565_295),
        (" 1 565 295 ", 1_565_295),
        ("1565295.0", 1_565_295),
        ("9" * 10, 9_999_999_999),
        ("1E3", 1000),
        ("1.0e2", 100),
        (" +12 ", 12),
    ],
)
def test_population_number_forms(tmp_path: Path, text: str, value: int) -> None:
    """Thousands separators, non-breaking and plain spaces, a whole decimal, an exponent, up to 10 digits (the
    one parser of numbers, numbers.read_number: a count has at most numbers.MAX_DIGITS digits)."""
    path = write(tmp_path, f'mappa_area,aged_10_plus\nKent,"{text}"\n')
    assert read_population(path).get("Kent").aged_10_plus == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("9" * 11, "has more than 10 digits"),
        ("1,2" + "0" * 20, "is not a number"),
        ("1e5000", "has more than 10 digits"),
        ("1e10", "has more than 10 digits"),
        ("1e20", "has more than 10 digits"),
        ("1e308", "has more than 10 digits"),
        ("-1e25", "has more than 10 digits"),
        ("inf", "is not a finite number"),
        ("nan", "is not a finite number"),
        ("1.5", "is not a whole number"),
        ("12%", "is a percentage"),
        ("0x10", "is not a number"),
        ("1_000", "is not a number"),
        ("1,54,8", "is not a number"),
        ("१५४८", "is not written in the digits 0-9"),
        ("１５４８", "is not written in the digits 0-9"),
    ],
)
def test_population_numbers_refused(tmp_path: Path, text: str, why: str) -> None:
    """More than 10 digits (however written: 1e10 has 11), infinity, fractions of a person, Python's own
    forms (0x10, 1_000) and other scripts' digits are refused, naming the line and column (issue 23, item 4:
    '1e308' was an internal error, '1e20' a rate of 0, and '१५४८' was read as 1548)."""
    refused(write(tmp_path, f'mappa_area,aged_10_plus\nKent,"{text}"\n'), ":2 (aged_10_plus)", why)


def test_long_layout_mid_year_picks_the_column(tmp_path: Path) -> None:
    """--mid-year 2013 reads population_2013, not the latest."""
    path = write(
        tmp_path,
        "code,sex,age,population_2013,population_2014\nE10000016,1,20,3,30\nE06000035,1,20,2,20\n",
    )
    assert read_population(path, 2013).get("Kent") == AreaPopulation("Kent", 5, 5, ("E10000016", "E06000035"))
    assert read_population(path, 2013).vintage == "mid-2013"
    with pytest.raises(InputError, match="no population_2012 column; the file has 2013, 2014"):
        read_population(path, 2012)


def test_a_missing_population_file_says_so(tmp_path: Path) -> None:
    """A population path that does not exist is named as a population file."""
    refused(tmp_path / "nope.csv", "no such population file")


@pytest.mark.parametrize(
    ("row", "cells"), [("123", 1), ("E10000016,Kent", 2), (f"E06000035,Medway,UA,{81 * 2}", 4)]
)
def test_mye2_short_area_row_is_refused(tmp_path: Path, row: str, cells: int) -> None:
    """issue 23, item 10: a short row ('123', or an area's code with its figures cut off) was skipped as a
    note, exit 0; docs/population.md says it is refused. One line naming the file and line; a footnote of
    words ('Source: …') is still skipped (test_mye2_short_or_codeless_rows_are_notes)."""
    path = _mye2(tmp_path, [f"E10000016,Kent,County,{81 * 5},{_ages(5)}", row])
    refused(path, f":3: the row has {cells} of the header's 95 cells; complete the row or delete it")


def test_a_short_population_row_is_refused_by_rate(tmp_path: Path) -> None:
    """The same through the command: exit 2, one line, the file unchanged."""
    path = _mye2(tmp_path, [f"E10000016,Kent,County,{81 * 5},{_ages(5)}", "123"])
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["rate", "--area", "Kent", "--rsos", "1560", "--population", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"mappa-stats: error: {path}:3: the row has 1 of the header's 95 cells; complete the row or delete it"
    )
    assert path.read_bytes() == before
