"""compare: series from an area's files or long CSVs, changes and large changes, changes of population
base, revisions between releases, duplicates, claims, every output format and every refusal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import KENT_CSV, KENT_XLSX, ROOT, sha256
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.compare.result import Thresholds, parse_threshold
from mappa_stats.compare.run import compare
from mappa_stats.errors import InputError
from mappa_stats.render.compare_data import document


def long_csv(path: Path, rows: Sequence[tuple[object, ...]], release: bool = True) -> Path:
    """A long CSV as combine writes it: area,year,field,value(,release)."""
    header = "area,year,field,value" + (",release" if release else "")
    lines = [header] + [",".join(str(x) for x in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def kent_series(tmp_path: Path, cat1: tuple[int, int], rate: tuple[int, int] = (100, 100)) -> Path:
    """Kent in two years: Category 1 and the rate as given, the rest ordinary drift."""
    rows = [
        ("Kent", "2014-15", "CAT1TOT", cat1[0], "2015"),
        ("Kent", "2015-16", "CAT1TOT", cat1[1], "2016"),
        ("Kent", "2014-15", "CAT2TOT", 793, "2015"),
        ("Kent", "2015-16", "CAT2TOT", 830, "2016"),  # +4.7%: drift
        ("Kent", "2014-15", "CAT3TOT", 4, "2015"),
        ("Kent", "2015-16", "CAT3TOT", 7, "2016"),  # +75%, but 3 is within 3 × √4 = 6: not large for its size
        ("Kent", "2014-15", "RSORATE", rate[0], "2015"),
        ("Kent", "2015-16", "RSORATE", rate[1], "2016"),
    ]
    return long_csv(tmp_path / "kent_series.csv", rows)


def run(*args: str) -> Result:
    """Invoke the command line."""
    return CliRunner().invoke(main, ["compare", *args])


@pytest.mark.parametrize(
    ("after", "large"),
    [
        (2080, True),  # +33.3%: moving by a third
        (1300, True),  # −16.7%: falling by a sixth
        (1685, False),  # +8.0%: ordinary drift
        (1529, False),  # −2.0%: ordinary drift
        (1950, True),  # +25.0%: at the default rise threshold
        (1326, True),  # −15.0%: at the default fall threshold
        (1951 - 2, False),  # +24.9%
    ],
)
def test_a_step_change_is_warned_and_ordinary_drift_is_not(tmp_path: Path, after: int, large: bool) -> None:
    """Category 1 of 1,560 moving to `after` is a large change exactly when the thresholds say."""
    result = compare([kent_series(tmp_path, (1560, after))])
    (kent,) = result.areas
    flagged = [(c.field, c.before, c.after) for c in kent.large_changes]
    assert flagged == ([("CAT1TOT", 1560, after)] if large else [])
    assert result.errors == (1 if large else 0)


def test_thresholds_are_the_documented_ones() -> None:
    """25% up, 15% down, and beyond 3 × √ the earlier figure; --threshold changes the percentages."""
    t = Thresholds()
    assert (t.rise, t.fall, t.noise) == (25.0, 15.0, 3.0)
    assert not t.large(4, 7)
    assert t.large(40, 70)
    assert parse_threshold("20") == Thresholds(rise=20, fall=20)
    assert parse_threshold("30,10%") == Thresholds(rise=30, fall=10)
    for bad in ("abc", "0", "10,20,30", "-5"):
        with pytest.raises(InputError, match="--threshold"):
            parse_threshold(bad)


def test_threshold_option_changes_what_is_large(tmp_path: Path) -> None:
    """+8% is drift by default, large with --threshold 5."""
    series = kent_series(tmp_path, (1560, 1685))
    assert run(str(series)).exit_code == 0
    tighter = run(str(series), "--threshold", "5")
    assert tighter.exit_code == 1
    assert (
        "LARGE CHANGE  Kent Category 1 (RSOs), 31 March (CAT1TOT) 2014-15 → 2015-16: 1,560 → 1,685 (+125, +8.0%)"
        in tighter.output
    )


def test_a_rate_falling_while_the_count_rises_is_a_change_of_population_base(tmp_path: Path) -> None:
    """1,560 at 100 → 1,600 at 98: populations implied 1,560 × 1,000 = 1,560,000 → 1,600 × 100,000 ÷ 98 = 1,632,653."""
    result = compare([kent_series(tmp_path, (1560, 1600), rate=(100, 98))])
    (base,) = result.areas[0].base_changes
    assert (round(base.population_before), round(base.population_after), base.implied) == (
        1560000,
        1632653,
        True,
    )
    assert result.errors == 0
    assert result.warnings == 1
    shown = run(str(tmp_path / "kent_series.csv"))
    assert shown.exit_code == 0  # a warning: exit 1 only with --strict
    assert (
        "BASE CHANGE  Kent 2014-15 → 2015-16: the rate fell from 100 to 98 while Category 1 rose from 1,560 to "
        "1,600: a change of population base (population implied by the rates about 1,560,000 → 1,632,653)"
    ) in shown.output
    assert run(str(tmp_path / "kent_series.csv"), "--strict").exit_code == 1


def test_given_populations_are_used_when_both_years_have_them(tmp_path: Path) -> None:
    """POP10PLUS rows (combine writes them) replace the implied populations."""
    rows = [
        ("Kent", "2014-15", "CAT1TOT", 1560),
        ("Kent", "2015-16", "CAT1TOT", 1600),
        ("Kent", "2014-15", "RSORATE", 100),
        ("Kent", "2015-16", "RSORATE", 98),
        ("Kent", "2014-15", "POP10PLUS", 1565295),
        ("Kent", "2015-16", "POP10PLUS", 1630000),
    ]
    result = compare([long_csv(tmp_path / "k.csv", rows, release=False)])
    (base,) = result.areas[0].base_changes
    assert (base.population_before, base.population_after, base.implied) == (1565295, 1630000, False)


def test_a_revision_between_two_releases_is_reported_and_the_rest_confirmed(tmp_path: Path) -> None:
    """Kent 2014-15 restated with Level 1 Category 1 of 1,549: four figures revised, the rest confirmed."""
    restated = edit_copy(
        KENT_XLSX, tmp_path / "kent_2015_restated.xlsx", {"B5": 1549, "E5": 2336, "B8": 1561, "E8": 2358}
    )
    before = sha256(KENT_XLSX)
    result = compare([KENT_XLSX, restated])
    assert sha256(KENT_XLSX) == before
    (kent,) = result.areas
    revised = {(r.field, r.before, r.after) for r in kent.revisions}
    assert revised == {
        ("CAT1L1", 1548, 1549),
        ("LEVEL1TOT", 2335, 2336),
        ("CAT1TOT", 1560, 1561),
        ("TOTAL_MAPPA_OFFENDERS", 2357, 2358),
    }
    (kept,) = kent.confirmed
    assert not kept.duplicate
    assert kept.fields == 50 - 4
    shown = run(str(KENT_XLSX), str(restated))
    assert shown.exit_code == 1
    assert (
        "REVISED    Kent 2014-15 CAT1TOT revised from 1,560 to 1,561 (release kent_2015.xlsx → kent_2015_restated.xlsx)"
        in shown.output
    )
    assert (
        "CONFIRMED  Kent 2014-15: 46 figures unrevised (release kent_2015.xlsx → kent_2015_restated.xlsx)"
        in shown.output
    )


def test_two_files_with_identical_figures_are_a_duplicate_not_a_revision() -> None:
    """The workbook and its tidy CSV hold the same 50 figures: a duplicate, exit 0."""
    result = run(str(KENT_XLSX), str(KENT_CSV))
    assert result.exit_code == 0, result.output
    assert (
        "DUPLICATE  Kent 2014-15: release kent_2015.csv repeats kent_2015.xlsx (50 figures identical): a duplicate, not a revision"
        in result.output
    )
    assert "REVISED" not in result.output


def test_revisions_in_a_long_csv_name_their_releases(tmp_path: Path) -> None:
    """The same area, year and field in two releases of one long CSV."""
    rows = [
        ("England and Wales", "2014-15", "TOTAL_MAPPA_OFFENDERS", 52770, "2015 release"),
        ("England and Wales", "2014-15", "CAT1TOT", 41000, "2015 release"),
        ("England and Wales", "2014-15", "TOTAL_MAPPA_OFFENDERS", 52771, "2016 release"),
        ("England and Wales", "2014-15", "CAT1TOT", 41000, "2016 release"),
    ]
    result = compare([long_csv(tmp_path / "national.csv", rows)])
    (national,) = result.areas
    ((revision),) = national.revisions
    assert (revision.before, revision.after, revision.from_release, revision.to_release) == (
        52770,
        52771,
        "2015 release",
        "2016 release",
    )
    assert [(c.fields, c.duplicate) for c in national.confirmed] == [(1, False)]


def test_files_of_two_areas_are_each_compared_on_their_own(tmp_path: Path) -> None:
    """Kent's workbook and one that says Surrey: a note, and two areas, neither revising the other."""
    surrey = edit_copy(
        KENT_XLSX,
        tmp_path / "surrey_2015.xlsx",
        {"H1": "Surrey", "B5": 900, "E5": 1687, "B8": 912, "E8": 1709},
    )
    result = compare([KENT_XLSX, surrey])
    assert [a.area for a in result.areas] == ["Kent", "Surrey"]
    assert all(not a.revisions and not a.confirmed for a in result.areas)
    assert result.notes == ["the files are about 2 areas (Kent, Surrey): each area is compared on its own"]
    assert run(str(KENT_XLSX), str(surrey)).exit_code == 0


def test_claims_are_checked_against_the_series(tmp_path: Path) -> None:
    """The 3.5% growth claim against 52,770 → 55,236 in a long CSV: CLAIM WRONG, exit 1."""
    rows = [
        ("England and Wales", "2014-15", "TOTAL_MAPPA_OFFENDERS", 52770),
        ("England and Wales", "2015-16", "TOTAL_MAPPA_OFFENDERS", 55236),
    ]
    series = long_csv(tmp_path / "national.csv", rows, release=False)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "kind,area,year,from_year,stated\n"
        "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,3.5%\n"
        "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,4.7%\n",
        encoding="utf-8",
    )
    result = run(str(series), "--claims", str(claims))
    assert result.exit_code == 1
    assert (
        f"CLAIM WRONG  {claims}:2: England and Wales 2015-16 change in TOTAL_MAPPA_OFFENDERS" in result.output
    )
    assert "= +4.67%, which is +4.7% at the stated precision" in result.output
    assert f"CLAIM OK     {claims}:3:" in result.output


def test_text_output_is_exact(tmp_path: Path) -> None:
    """The whole text report of a two-year series with one large change."""
    series = kent_series(tmp_path, (1560, 2080))
    result = run(str(series))
    assert result.exit_code == 1
    assert result.output == (
        "1 area, 2014-15 to 2015-16, from 1 file: FAIL — 1 to correct or confirm, 0 warnings\n"
        "\n"
        "Kent\n"
        "Figure                       2014-15    2015-16\n"
        "---------------------------  ---------  --------------------\n"
        "Category 1 (RSOs), 31 March  1,560      2,080 (+520, +33.3%)\n"
        "Category 2, 31 March         793        830 (+37, +4.7%)\n"
        "Category 3, 31 March         4          7 (+3, +75.0%)\n"
        # Not given: the sum of Categories 1-3, 1,560 + 793 + 4 = 2,357 and 2,080 + 830 + 7 = 2,917.
        "Total, 31 March              2,357      2,917 (+560, +23.8%)\n"
        "RSOs per 100,000 aged 10+    100        100 (+0, +0.0%)\n"
        "\n"
        "LARGE CHANGE  Kent Category 1 (RSOs), 31 March (CAT1TOT) 2014-15 → 2015-16: 1,560 → 2,080 (+520, +33.3%); "
        f"at {series}:3 (was {series}:2); large: a rise of 25% or more, and 520 is more than 3 × √1,560 = 118.5\n"
        "\n"
        "Large change: a rise of 25% or a fall of 15% or more, and more than 3 × √(the earlier figure) "
        "(--threshold to change)\n"
    )


def test_json_is_the_library_document(tmp_path: Path) -> None:
    """--format json prints exactly `document` of the library's result, schema-versioned."""
    series = kent_series(tmp_path, (1560, 2080))
    printed = json.loads(run(str(series), "--format", "json").output)
    assert printed == json.loads(json.dumps(document(compare([series]))))
    assert printed["schema_version"] == "1.1"
    assert printed["status"] == "fail"
    (change,) = [c for c in printed["areas"][0]["changes"] if c["field"] == "CAT1TOT"]
    assert change == {
        "field": "CAT1TOT",
        "from_year": "2014-15",
        "year": "2015-16",
        "before": 1560,
        "after": 2080,
        "change": 520,
        "percent_change": 33.33,
        "large": True,
        "label": "Category 1 (RSOs), 31 March",
        "cells": {"2014-15": f"{series}:2", "2015-16": f"{series}:3"},
        # 3 × √1,560 = 118.49: a rise of 520 is beyond it.
        "why": "a rise of 25% or more, and 520 is more than 3 × √1,560 = 118.5",
        "explained_by": [],
    }


def test_markdown_and_csv_outputs(tmp_path: Path) -> None:
    """Markdown has a table per area and a findings table; the CSV a row per figure and year."""
    series = kent_series(tmp_path, (1560, 2080))
    markdown = run(str(series), "--format", "markdown").output
    assert markdown.startswith("# MAPPA figures compared\n")
    assert "| Category 1 (RSOs), 31 March | 1,560     | 2,080 (+520, +33.3%) |" in markdown
    assert "| LARGE CHANGE |" in markdown
    rows = run(str(series), "--format", "csv").output.splitlines()
    assert (
        rows[0]
        == "record,area,year,from_year,field,value,previous,change,percent_change,release,from_release,status,message,"
        "cell"
    )
    assert rows[2].startswith("figure,Kent,2015-16,2014-15,CAT1TOT,2080,1560,520,33.33,,,large change,")


def test_nothing_from_an_input_runs_as_a_formula_or_an_escape(tmp_path: Path) -> None:
    """A release named like a formula is written with an apostrophe in CSV; an escape is shown, not acted on."""
    rows = [
        ("Kent", "2014-15", "CAT1TOT", 1560, "=HYPERLINK(1)"),
        ("Kent", "2014-15", "CAT1TOT", 1561, "\x1b[31mred"),
    ]
    series = long_csv(tmp_path / "k.csv", rows)
    csv_text = run(str(series), "--format", "csv").output
    assert ",'=HYPERLINK(1)," in csv_text
    assert "\x1b" not in run(str(series)).output


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("Kentt", "2014-15", "CAT1TOT", 1), "k.csv:3: unknown area 'Kentt'"),
        (("Kent", "2001-02", "CAT1TOT", 1), "k.csv:3: unknown year '2001-02'"),
        (("Kent", "2014-15", "cat 1", 1), "k.csv:3: 'CAT 1' is not a field code"),
        (("Kent", "2014-15", "CAT1TOT", "lots"), "k.csv:3: the value 'lots' is not a number"),
        (
            ("Kent", "2014-15", "CAT1TOT", 1561),
            "k.csv:3: Kent 2014-15 CAT1TOT is 1561 here but 1560 at line 2",
        ),
    ],
)
def test_every_bad_line_of_a_long_csv_is_refused_in_one_line(
    tmp_path: Path, row: tuple[object, ...], message: str
) -> None:
    """Exit 2, one line naming the file and line."""
    series = long_csv(tmp_path / "k.csv", [("Kent", "2014-15", "CAT1TOT", 1560), row], release=False)
    result = run(str(series))
    assert result.exit_code == 2
    assert result.stderr.startswith("mappa-stats: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_not_available_values_are_no_figure_never_zero(tmp_path: Path) -> None:
    """'-' and '[x]' in the value column are skipped: no change is computed through them."""
    rows = [("Kent", "2014-15", "CAT1TOT", "[x]"), ("Kent", "2015-16", "CAT1TOT", 1560)]
    result = compare([long_csv(tmp_path / "k.csv", rows, release=False)])
    assert result.areas[0].changes == []


def test_a_file_naming_no_area_is_refused(tmp_path: Path) -> None:
    """Without a MAPPA area cell or an area in its name, a workbook cannot join a series."""
    nameless = edit_copy(KENT_XLSX, tmp_path / "return.xlsx", {"G1": None, "H1": None})
    result = run(str(nameless))
    assert result.exit_code == 2
    assert "return.xlsx: the file does not name its MAPPA area" in result.stderr


def test_a_rate_falling_with_the_count_is_no_change_of_base(tmp_path: Path) -> None:
    """1,560 at 100 → 1,500 at 96: both fell, as they should on the same base; nothing to say."""
    result = compare([kent_series(tmp_path, (1560, 1500), rate=(100, 96))])
    assert result.areas[0].base_changes == []
    assert result.warnings == 0


def test_a_long_csv_beyond_the_figure_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays bounded: past MAX_FIGURES figures the file is refused at the line that passes it."""
    from mappa_stats.compare import read as comparing

    monkeypatch.setattr(comparing, "MAX_FIGURES", 2)
    rows = [("Kent", year, "CAT1TOT", 1560) for year in ("2014-15", "2015-16", "2016-17")]
    with pytest.raises(InputError, match=r"k\.csv:4: more than 2 figures in one file"):
        compare([long_csv(tmp_path / "k.csv", rows, release=False)])


def test_the_national_security_division_is_compared_and_unknown_field_codes_are_said_not(
    tmp_path: Path,
) -> None:
    """combine's rows of the National Security Division are compared by its own definition: Category 4 on
    31 March 175 → 260 is +48.6%, and 85 is beyond 3 × √175 = 39.7, so it is large. A field code no
    definition of the year has (CAT9L1) is left out, in a note and a warning."""
    rows = [
        ("National Security Division", "2023-24", "CAT4TOT", 175),
        ("National Security Division", "2024-25", "CAT4TOT", 260),
        ("National Security Division", "2023-24", "CAT9L1", 2),
        ("Kent", "2023-24", "CAT1TOT", 1700),
    ]
    result = compare([long_csv(tmp_path / "k.csv", rows, release=False)])
    nsd = next(a for a in result.areas if a.area == "National Security Division")
    assert [(c.field, c.before, c.after, c.large) for c in nsd.changes] == [("CAT4TOT", 175, 260, True)]
    assert result.notes == [
        f"{tmp_path / 'k.csv'}: 1 figure of field codes no definition of their year has (CAT9L1) was not "
        "compared"
    ]


def test_last_years_return_against_this_years(tmp_path: Path) -> None:
    """The manager's use: the Ministry's returns of 2023-24 and 2024-25, any form mixed with the report.

    The 2024-25 return has Category 1 at Level 1 of 2,064 for 1,548 (+516): its total 1,560 → 2,076 is
    +33.1%, beyond 3 × √1,560 = 118.5, so it is flagged."""
    from returns import figures, make_return

    last = make_return(tmp_path / "kent_2024.xlsx", "2023-24", figures("2023-24"))
    this = make_return(tmp_path / "kent_2025.xlsx", "2024-25", {**figures("2024-25"), "CAT1L1": 2064})
    result = compare([last, this])
    (kent,) = result.areas
    assert kent.years == ("2023-24", "2024-25")
    # The 31 March total moves 2,357 → 2,873 (+21.9%) and Level 1 2,335 → 2,851 (+22.1%): under the 25% rise,
    # so Category 1 is flagged, and the field typed, CAT1L1 (+516 of 1,548, +33.3%), is named with its cell.
    assert [(c.field, c.before, c.after) for c in kent.large_changes] == [
        ("CAT1TOT", 1560, 2076),
        ("CAT1L1", 1548, 2064),
    ]
    assert kent.large_changes[0].explained_by == (("CAT1L1", 516),)
    shown = run(str(last), str(this))
    assert shown.exit_code == 1
    assert (
        "LARGE CHANGE  Kent Category 1 (RSOs), 31 March (CAT1TOT) 2023-24 → 2024-25: 1,560 → 2,076 (+516, +33.1%)"
        in shown.output
    )


def test_the_published_report_and_its_workbook_are_a_duplicate() -> None:
    """The report's text (samples/kent_2015_report.txt) holds the workbook's 50 figures: a duplicate."""
    from conftest import SAMPLES

    result = compare([SAMPLES / "kent_2015_report.txt", KENT_XLSX])
    ((kept),) = result.areas[0].confirmed
    assert kept.duplicate
    assert kept.fields == 50
    assert result.status() == "pass"


def test_json_meets_its_schema(tmp_path: Path) -> None:
    """Every part of the document — changes, revisions, confirmations, bases, claims — meets the schema."""
    import jsonschema

    from conftest import ROOT

    rows = [
        ("Kent", "2014-15", "CAT1TOT", 1560, "a"),
        ("Kent", "2015-16", "CAT1TOT", 2080, "b"),
        ("Kent", "2014-15", "RSORATE", 100, "a"),
        ("Kent", "2015-16", "RSORATE", 98, "b"),
        ("Kent", "2014-15", "CAT1TOT", 1561, "b"),
        ("Kent", "2014-15", "CAT2TOT", 793, "a"),
        ("Kent", "2014-15", "CAT2TOT", 793, "b"),
    ]
    series = long_csv(tmp_path / "k.csv", rows)
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "kind,area,year,from_year,stated\nchange:CAT1TOT,Kent,2015-16,2014-15,33%\nrate,Kent,2015-16,,98\n",
        encoding="utf-8",
    )
    printed = json.loads(run(str(series), "--claims", str(claims), "-f", "json").output)
    schema = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(printed, schema)
    (kent,) = printed["areas"]
    assert kent["revisions"]
    assert kent["confirmed"]
    assert kent["population_base_changes"]
    # Without --population the 2015-16 rate is judged on the shipped ONS mid-2015 estimates: Kent aged 10+
    # 1,578,583, so 2,080 × 100,000 / 1,578,583 = 131.76, not the 98 claimed.
    assert round(2_080 * 100_000 / 1_578_583, 2) == 131.76
    assert [c["status"] for c in printed["claims"]] == ["reproduces", "does not reproduce"]


def test_one_file_given_twice_is_a_duplicate_not_merged() -> None:
    """The same workbook twice: two releases ('kent_2015.xlsx (file 2)'), said to be a duplicate."""
    result = compare([KENT_XLSX, KENT_XLSX])
    ((kept),) = result.areas[0].confirmed
    assert kept.duplicate
    assert (kept.from_release, kept.to_release) == (
        "kent_2015.xlsx",
        "kent_2015.xlsx (file 2)",
    )


def test_two_long_csvs_disagreeing_within_one_release_are_refused(tmp_path: Path) -> None:
    """Release '2016' says 1,560 in one file and 1,561 in another: which is it? Refused, naming both."""
    one = long_csv(tmp_path / "one.csv", [("Kent", "2014-15", "CAT1TOT", 1560, "2016")])
    two = long_csv(tmp_path / "two.csv", [("Kent", "2014-15", "CAT1TOT", 1561, "2016")])
    with pytest.raises(
        InputError, match=r"two\.csv:2: Kent 2014-15 CAT1TOT is 1561 in release '2016' here but 1560"
    ):
        compare([one, two])


@pytest.mark.parametrize("value", ["-5", "12.5"])
def test_a_count_that_cannot_be_a_count_is_refused(tmp_path: Path, value: str) -> None:
    """A negative or fractional Category 1 total in a long CSV is refused naming the line; a rate may be
    a decimal (RSORATE 99.66 is read)."""
    rows = [("Kent", "2014-15", "CAT1TOT", value), ("Kent", "2014-15", "RSORATE", "99.66")]
    with pytest.raises(InputError, match=r"k\.csv:2: CAT1TOT is a count .* not a whole number of 0 or more"):
        compare([long_csv(tmp_path / "k.csv", rows, release=False)])
    assert compare([long_csv(tmp_path / "r.csv", rows[1:], release=False)]).areas


def test_areas_a_revising_release_left_unchanged_are_confirmed_not_duplicates(tmp_path: Path) -> None:
    """A revised national release changes Kent only: Kent is revised (1,560 → 1,561) and Surrey, whose
    figures are the same in both releases, is confirmed, not called a duplicate."""
    rows = [
        ("Kent", "2014-15", "CAT1TOT", 1560, "first"),
        ("Kent", "2014-15", "CAT1TOT", 1561, "revised"),
        ("Surrey", "2014-15", "CAT1TOT", 900, "first"),
        ("Surrey", "2014-15", "CAT1TOT", 900, "revised"),
    ]
    result = compare([long_csv(tmp_path / "n.csv", rows)])
    surrey = next(a for a in result.areas if a.area == "Surrey")
    kent = next(a for a in result.areas if a.area == "Kent")
    assert [(r.before, r.after) for r in kent.revisions] == [(1560, 1561)]
    assert surrey.confirmed
    assert not any(c.duplicate for c in surrey.confirmed)


def test_population_checks_a_rate_claim_as_validate_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """compare --population judges the rate claim against the ONS file; without it, against the shipped ONS
    mid-2014 estimates, the same.

    From the samples: Kent's population aged 10+ in ons_mid2014.csv is Kent (E10000016) 1,326,907 plus Medway
    (E06000035) 238,388 = 1,565,295; kent_2015.xlsx has 1,560 RSOs (Category 1 on 31 March);
    1,560 × 100,000 / 1,565,295 = 99.66, 100 to a whole number: the claims file's stated 100 reproduces."""
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    population = 1_326_907 + 238_388
    assert population == 1_565_295
    assert round(1_560 * 100_000 / population, 2) == 99.66
    files = [
        "samples/kent_2015.xlsx",
        "samples/kent_2015_report.txt",
        "--claims",
        "samples/kent_2015_claims.csv",
    ]
    judged = CliRunner().invoke(main, ["compare", *files, "--population", "samples/ons_mid2014.csv"])
    assert judged.exit_code == 0, judged.output
    assert (
        "CLAIM OK   samples/kent_2015_claims.csv:6: Kent 2014-15 rate per 100,000 '100' reproduces: "
        "1,560 RSOs ÷ 1,565,295 aged 10+ × 100,000 = 99.66, 100 as stated"
    ) in judged.output
    # Without --population: judged the same on the shipped ONS mid-2014 estimates.
    shipped = CliRunner().invoke(main, ["compare", *files])
    assert (
        "CLAIM OK   samples/kent_2015_claims.csv:6: Kent 2014-15 rate per 100,000 '100' reproduces: "
        "1,560 RSOs ÷ 1,565,295 aged 10+ × 100,000 = 99.66, 100 as stated"
    ) in shipped.output


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1e20", "has more than 10 digits"),
        ("1e308", "has more than 10 digits"),
        ("inf", "is not a finite number"),
        ("nan", "is not a finite number"),
        ("0x10", "is not a number"),
        ("1_000", "is not a number"),
        ("१५४८", "is not written in the digits 0-9"),
        ("１５４８", "is not written in the digits 0-9"),
    ],
)
def test_a_long_csv_value_is_read_by_the_one_parser(tmp_path: Path, value: str, why: str) -> None:
    """issue 23, item 4: '1e20' was a Category 1 total, '１５４８' and '1_000' (Python's float reads both) were
    1548 and 1000. Each is refused in one line naming the line, as a population file refuses it."""
    rows = [("Kent", "2014-15", "CAT1TOT", value)]
    with pytest.raises(InputError, match=f"k\\.csv:2: the value .* {why}"):
        compare([long_csv(tmp_path / "k.csv", rows, release=False)])


@pytest.mark.parametrize(
    ("value", "read"), [("1E3", 1000.0), ("  12 ", 12.0), ("12.0", 12.0), ('"1,548"', 1548.0)]
)
def test_a_long_csv_value_written_otherwise_is_the_same_number(
    tmp_path: Path, value: str, read: float
) -> None:
    """The forms every reader accepts: an exponent, spaces around, a whole decimal, thousands separators."""
    rows = [("Kent", "2014-15", "CAT1TOT", value)]
    found = compare([long_csv(tmp_path / "k.csv", rows, release=False)])
    assert found.areas[0].values["CAT1TOT"]["2014-15"] == read


def test_the_figure_limit_holds_four_releases_of_every_figure_and_is_documented() -> None:
    """issue 23, item 7: the limit was lowered to 350,000 for memory (bench/run.py --only compare-limit); it
    must still hold four releases of every figure a national CSV has (42 areas and England and Wales each
    year's fields, the NSD's from 2022-23), and docs/limits.md must give it."""
    from mappa_stats.compare import read as comparing
    from mappa_stats.definitions.load import available_years, form_years, load_template

    per_release = 43 * sum(len(load_template(y).field_refs) for y in available_years()) + sum(
        len(load_template(y, "nsd").field_refs) for y in form_years("nsd")
    )
    assert 4 * per_release <= comparing.MAX_FIGURES
    limits = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    assert f"more than {comparing.MAX_FIGURES:,} figures in one file is refused" in limits
    assert f"`compare` at its limit of **{comparing.MAX_FIGURES:,}** figures" in limits
