"""Claims files: parsing every kind and way of writing a figure, judgement at the stated precision,
`validate --claims` (Kent's '99%' and rate 100), and every bad line refused naming file and line."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import KENT_XLSX, ROOT, SAMPLES
from mappa_stats.cli.main import main
from mappa_stats.errors import InputError
from mappa_stats.numbers import judge
from mappa_stats.rules.claims.claim import (
    DOES_NOT,
    NOT_CHECKED,
    REPRODUCES,
    ClaimResult,
    Figures,
    parse_stated,
)
from mappa_stats.rules.claims.judge import check_claims
from mappa_stats.rules.claims.parse import read_claims

HEADER = "kind,area,year,from_year,stated\n"
POPULATION = SAMPLES / "ons_mid2014.csv"
# Kent 2014-15 as published (the seed report) and its ONS mid-2014 population aged 10+ (DOMAIN.md).
KENT = {
    ("Kent", "2014-15", "LEVEL1TOT"): 2335,
    ("Kent", "2014-15", "TOTAL_MAPPA_OFFENDERS"): 2357,
    ("Kent", "2014-15", "CAT1TOT"): 1560,
    ("Kent", "2014-15", "CAT2TOT"): 793,
    ("Kent", "2014-15", "POP10PLUS"): 1565295,
}
# The national release's totals behind "an annual increase of 3.5 per cent" (DOMAIN.md): +4.67%.
NATIONAL = {("2014-15", "TOTAL_MAPPA_OFFENDERS"): 52770, ("2015-16", "TOTAL_MAPPA_OFFENDERS"): 55236}


GEN = ROOT / "tests" / "golden" / "inputs" / "gen"


def claims_file(tmp_path: Path, *lines: str) -> Path:
    """A claims file with these lines below the header."""
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def check(tmp_path: Path, *lines: str, figures: Figures | None = None) -> list[ClaimResult]:
    """Read the lines as a claims file and judge them against Kent's figures and the national totals."""
    return check_claims(
        read_claims(claims_file(tmp_path, *lines)), KENT if figures is None else figures, NATIONAL
    )


@pytest.mark.parametrize(
    ("text", "value", "decimals", "percent"),
    [
        ("3.5%", "3.5", 1, True),
        ("+3.5 per cent", "3.5", 1, True),
        ("3.5 percent", "3.5", 1, True),
        ("+3.5%", "3.5", 1, True),
        ("-2%", "-2", 0, True),
        ("\u22122 per cent", "-2", 0, True),
        ("42%", "42", 0, True),
        ("1,003", "1003", 0, False),
        ("1003", "1003", 0, False),
        ("99.07", "99.07", 2, False),
    ],
)
def test_stated_figures_are_read_as_written(text: str, value: str, decimals: int, percent: bool) -> None:
    """Every way a figure is written gives its value, its precision and whether it was a percentage."""
    stated = parse_stated(text)
    assert stated is not None
    assert (stated.value, stated.decimals, stated.percent) == (Decimal(value), decimals, percent)


@pytest.mark.parametrize(
    "text",
    [
        "about a third",
        "3.5.1%",
        "1,00,3",
        "",
        "1e999999999",
        "9" * 40,
        "%",
        "0." + "0" * 27 + "1%",
        # issue 23, item 4: Python's Decimal reads all of these, and the claim was judged on 1548 or 1000
        "١٥٤٨",
        "१५४८",
        "１５４８",
        "1_000",
        "99999999999",
        "inf",
        "1e3",
    ],
)
def test_what_is_not_a_figure_is_not_read(text: str) -> None:
    """Words, malformed separators, exponents and endless digits are not figures."""
    assert parse_stated(text) is None


def test_judge_rounds_half_up_at_the_stated_precision() -> None:
    """52,770 → 55,236 is +4.6740…%: '4.7%' and '5%' reproduce, '3.5%' and '4.6%' do not."""
    exact = (Decimal(55236) - 52770) * 100 / 52770
    assert judge(Decimal("4.7"), 1, exact) == (True, Decimal("4.7"))
    assert judge(Decimal("5"), 0, exact) == (True, Decimal("5"))
    assert judge(Decimal("3.5"), 1, exact) == (False, Decimal("4.7"))
    assert judge(Decimal("4.6"), 1, exact)[0] is False
    # An exact half: half up only, unless half to even is allowed too (the rate).
    assert judge(Decimal("2"), 0, Decimal("2.5")) == (False, Decimal("3"))
    assert judge(Decimal("2"), 0, Decimal("2.5"), half_even_too=True)[0] is True


def test_the_wrong_growth_claim_is_flagged_with_the_value_the_figures_give(tmp_path: Path) -> None:
    """'an annual increase of 3.5 per cent' where 52,770 → 55,236 gives 4.67%: flagged, with what 3.5% needs."""
    (result,) = check(tmp_path, "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,3.5 per cent")
    assert result.status == DOES_NOT
    assert result.failed
    assert result.exact == "+4.67%"
    assert result.computed == "+4.7%"
    # 52,770 × 1.0345 = 54,590.6 and 52,770 × 1.0355 = 54,643.3: the whole totals that round to 3.5%.
    assert result.needs == "2015-16 TOTAL_MAPPA_OFFENDERS of 54,591 to 54,643 (from 52,770)"
    assert result.message == (
        "claims.csv:2: England and Wales 2015-16 change in TOTAL_MAPPA_OFFENDERS from 2014-15 '3.5 per cent' "
        "does not reproduce: TOTAL_MAPPA_OFFENDERS 52,770 (2014-15) → 55,236 (2015-16) = +4.67%, which is "
        "+4.7% at the stated precision; 3.5% would need 2015-16 TOTAL_MAPPA_OFFENDERS of 54,591 to 54,643 "
        "(from 52,770)"
    ).replace("claims.csv", str(tmp_path / "claims.csv"))


def test_a_right_growth_claim_is_confirmed_at_one_decimal_and_whole_number(tmp_path: Path) -> None:
    """'+4.7%' (one decimal) and '5%' (whole number) both reproduce from 52,770 → 55,236."""
    results = check(
        tmp_path,
        "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,+4.7%",
        "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,5%",
        "change:TOTAL_MAPPA_OFFENDERS,England and Wales,2015-16,2014-15,4%",
    )
    assert [r.status for r in results] == [REPRODUCES, REPRODUCES, DOES_NOT]
    assert results[1].computed == "+5%"
    assert results[2].computed == "+5%"


def test_a_fall_written_unsigned_is_not_a_rise(tmp_path: Path) -> None:
    """55,236 → 52,770 is −4.46%: '-4.5%' reproduces, '4.5%' (a rise) does not."""
    figures = {("Kent", "2014-15", "CAT1TOT"): 55236, ("Kent", "2015-16", "CAT1TOT"): 52770}
    results = check(
        tmp_path,
        "change:CAT1TOT,Kent,2015-16,2014-15,-4.5%",
        "change:CAT1TOT,Kent,2015-16,2014-15,4.5%",
        figures=figures,
    )
    assert [r.status for r in results] == [REPRODUCES, DOES_NOT]
    assert results[1].computed == "-4.5%"


def test_one_for_every_n_that_matches_its_rate_and_one_that_does_not(tmp_path: Path) -> None:
    """1,565,295 ÷ 1,560 = 1,003.39: '1,003' and '1003' reproduce; '1,000' does not (it needs 1,565 RSOs)."""
    results = check(
        tmp_path,
        'one_in_n,Kent,2014-15,,"1,003"',
        "one_in_n,Kent,2014-15,,1003",
        'one_in_n,Kent,2014-15,,"1,000"',
    )
    assert [r.status for r in results] == [REPRODUCES, REPRODUCES, DOES_NOT]
    assert results[2].exact == "1,003.39"
    assert results[2].computed == "1,003"
    # 1,565,295 ÷ 1,565 = 1,000.19 and ÷ 1,566 = 999.55 (→ 1,000); ÷ 1,564 = 1,000.83 (→ 1,001).
    assert results[2].needs == "1,565 to 1,566 RSOs"


def test_one_for_every_n_against_the_stated_rate_alone(tmp_path: Path) -> None:
    """Without a population, a rate of 100 (99.5 to 100.5) allows 995 to 1,005 people per RSO."""
    figures = {("Kent", "2014-15", "RSORATE"): 100}
    results = check(tmp_path, 'one_in_n,Kent,2014-15,,"1,003"', "one_in_n,Kent,2014-15,,900", figures=figures)
    assert [r.status for r in results] == [REPRODUCES, DOES_NOT]
    assert "one for every 995 to 1,005" in results[0].message
    assert results[1].needs == "a rate of 111.11"  # 100,000 ÷ 900


def test_rate_and_shares_reproduce_from_kent_figures(tmp_path: Path) -> None:
    """Rate 1,560 ÷ 1,565,295 × 100,000 = 99.66 → 100; Level 1 2,335 ÷ 2,357 = 99.07% → 99%; Cat 1 66.19%."""
    results = check(
        tmp_path,
        "level1_share,Kent,2014-15,,99%",
        "rate,Kent,2014-15,,100",
        "category_share:cat1,Kent,2014-15,,66%",
        "category_share:cat1,Kent,2014-15,,66.2%",
        "level1_share,Kent,2014-15,,98%",
        "rate,Kent,2014-15,,87",
    )
    assert [r.status for r in results] == [REPRODUCES, REPRODUCES, REPRODUCES, REPRODUCES, DOES_NOT, DOES_NOT]
    # 98% of 2,357 is 2,309.9: Level 1 of 2,299 to 2,321 rounds to 98%.
    assert results[4].needs == "Level 1 of 2,299 to 2,321 of 2,357"
    assert results[5].computed == "100"


def test_a_share_that_needs_a_figure_the_file_lacks_cannot_be_checked(tmp_path: Path) -> None:
    """Kent's figures here have no Category 3 total and no Category 2 (so no 2,357 − 1,560 − 793 to work it
    out from): the claim cannot be checked, and says which figure and which part is missing."""
    figures = {k: v for k, v in KENT.items() if k[2] != "CAT2TOT"}
    (result,) = check(tmp_path, "category_share:cat3,Kent,2014-15,,0%", figures=figures)
    assert result.status == NOT_CHECKED
    assert not result.failed
    assert result.missing == ("CAT3TOT",)
    assert "needs CAT3TOT (Category 3, 31 March) of Kent 2014-15" in result.message
    assert result.message.endswith("which the figures lack")


def test_national_rate_uses_england_and_wales_figures(tmp_path: Path) -> None:
    """England and Wales rate from combine's national figures: 55,000 ÷ 55,011,163 × 100,000 = 99.98 → 100."""
    national = {("2024-25", "CAT1TOT"): 55000, ("2024-25", "POP10PLUS"): 55011163}
    claims = read_claims(
        claims_file(tmp_path, "national_rate,,2024-25,,100", "national_rate,England and Wales,2024-25,,99")
    )
    results = check_claims(claims, {}, national)
    assert [r.status for r in results] == [REPRODUCES, DOES_NOT]
    assert check_claims(claims, {})[0].missing == ("CAT1TOT", "POP10PLUS")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("growth,Kent,2014-15,,3%", "unknown kind 'growth'"),
        ("level1_share,Kentt,2014-15,,99%", "unknown area 'Kentt'; did you mean Kent?"),
        ("level1_share,Kent,2001-02,,99%", "unknown year '2001-02'"),
        ("change:CAT1TOT,Kent,2015-16,,3%", "change:CAT1TOT needs from_year"),
        ("change:CAT1TOT,Kent,2015-16,2016-17,3%", "from_year 2016-17 is not before year 2015-16"),
        ("change:CATTOT,Kent,2015-16,2014-15,3%", "CATTOT is not a field code of the 2015-16 tables"),
        ("level1_share,Kent,2014-15,2001-02,99%", "unknown from_year '2001-02'"),
        ("level1_share,Kent,2014-15,,about all", "the stated figure 'about all' is not a number"),
        ("level1_share,Kent,2014-15,,666", "the stated share '666' is not a percentage between 0 and 100"),
        ("rate,Kent,2014-15,,100%", "is not a rate per 100,000"),
        ("category_share:cat4,Kent,2014-15,,1%", "the 2014-15 tables have no Category 4 total"),
        ("national_rate,Kent,2014-15,,100", "national_rate is about England and Wales, not Kent"),
        ("level1_share,Kent,2014-15", "3 fields, a claim needs 5"),
    ],
)
def test_every_bad_line_is_refused_naming_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    """One line, naming the file and the line (3: a comment and a good claim come first)."""
    path = claims_file(tmp_path, "# from the report", "level1_share,Kent,2014-15,,99%", line)
    with pytest.raises(InputError) as caught:
        read_claims(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:4: ")
    assert message in text
    assert "\n" not in text


def test_a_file_without_the_header_is_refused(tmp_path: Path) -> None:
    """The header is the file's contract: anything else is refused at line 1."""
    path = tmp_path / "claims.csv"
    path.write_text("area,kind,year,stated\nKent,level1_share,2014-15,99%\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"claims\.csv:1: a claims file starts with the header"):
        read_claims(path)


def test_validate_checks_kent_through_the_claims_path(tmp_path: Path) -> None:
    """Kent's '99% this year' and rate of 100 reproduce through --claims, as through the workbook."""
    path = claims_file(
        tmp_path, "level1_share,Kent,2014-15,,99%", "rate,Kent,2014-15,,100", 'one_in_n,Kent,2014-15,,"1,003"'
    )
    result = CliRunner().invoke(
        main, ["validate", str(KENT_XLSX), "--claims", str(path), "--population", str(POPULATION)]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"Note: {path}:2: Kent 2014-15 Level 1 share '99%' reproduces: Level 1 2,335 of 2,357 on 31 March = 99.07%, 99% as stated"
        in result.output
    )
    assert (
        f"Note: {path}:3: Kent 2014-15 rate per 100,000 '100' reproduces: 1,560 RSOs ÷ 1,565,295 aged 10+ × 100,000 = 99.66, 100 as stated"
        in result.output
    )
    assert "0 errors, 0 warnings" in result.output


def test_validate_fails_a_claim_that_does_not_reproduce(tmp_path: Path) -> None:
    """'98%' for Kent's 99.07% is an error of claims.file (exit 1); the workbook's own '99%' still passes."""
    path = claims_file(tmp_path, "level1_share,Kent,2014-15,,98%")
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(path), "--format", "json"])
    assert result.exit_code == 1
    import json

    (file,) = json.loads(result.output)["files"]
    (finding,) = file["findings"]
    assert finding["rule"] == "claims.file"
    assert finding["severity"] == "error"
    assert finding["ref"] == f"{path}:2"
    assert finding["expected"] == "99%"
    assert finding["actual"] == "98%"
    assert {r["id"]: r["status"] for r in file["rules"]}["claims.level1_share"] == "passed"


def test_validate_warns_a_rate_claim_without_population_and_strict_fails_it(tmp_path: Path) -> None:
    """2024-25 divides by mid-2024, which is not shipped: without --population the rate claim cannot be
    checked, saying so and how to give it: a warning, exit 1 only with --strict."""
    path = claims_file(tmp_path, "rate,Kent,2024-25,,100")
    workbook = str(GEN / "kent_2024.xlsx")
    plain = CliRunner().invoke(main, ["validate", workbook, "--claims", str(path)])
    assert plain.exit_code == 0
    assert "WARNING claims.file" in plain.output
    assert (
        "cannot be checked: no population file was given, and the ONS mid-2024 estimates are not shipped, so "
        "there is no population aged 10+ (POP10PLUS) of Kent 2024-25; give --population (or POP10PLUS rows in "
        "a long CSV); the tables state 100"
    ) in plain.output
    strict = CliRunner().invoke(main, ["validate", workbook, "--claims", str(path), "--strict"])
    assert strict.exit_code == 1


def test_validate_judges_a_rate_claim_on_the_shipped_estimates(tmp_path: Path) -> None:
    """Without --population a 2014-15 rate claim is judged on the shipped ONS mid-2014 estimates: Kent aged
    10+ 1,326,907 + 238,388 = 1,565,295 (PROVENANCE.md); 1,560 × 100,000 / 1,565,295 = 99.66, 100."""
    assert 1_326_907 + 238_388 == 1_565_295
    path = claims_file(tmp_path, "rate,Kent,2014-15,,100")
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(path), "--strict"])
    assert result.exit_code == 0, result.output
    assert (
        "Kent 2014-15 rate per 100,000 '100' reproduces: 1,560 RSOs ÷ 1,565,295 aged 10+ × 100,000 = 99.66, "
        "100 as stated"
    ) in result.output


def test_validate_names_claims_no_file_is_about(tmp_path: Path) -> None:
    """A claim about Surrey beside Kent's workbook is not checked: said on standard error, failed by --strict."""
    path = claims_file(tmp_path, "level1_share,Kent,2014-15,,99%", "level1_share,Surrey,2014-15,,99%")
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(path)])
    assert result.exit_code == 0
    assert f"1 claim not checked, no file given is about them: {path}:3 (Surrey 2014-15)" in result.stderr
    assert (
        CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(path), "--strict"]).exit_code
        == 1
    )


def test_validate_refuses_a_bad_claims_file_in_one_line(tmp_path: Path) -> None:
    """Exit 2 and one line naming the file and line; no traceback."""
    path = claims_file(tmp_path, "level1_share,Kentt,2014-15,,99%")
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(path)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"mappa-stats: error: {path}:2: unknown area 'Kentt'; did you mean Kent?; see docs/claims.md\n"
    )


def test_the_kent_sample_claims_reproduce_as_committed(in_root: Path) -> None:
    """samples/kent_2015_claims.csv (the seed report's '99% this year' and rate 100) against the workbook and
    the ONS mid-2014 file prints exactly samples/kent_2015.claims.txt; the report's own text agrees."""
    args = ["--claims", "samples/kent_2015_claims.csv", "--population", "samples/ons_mid2014.csv"]
    runner = CliRunner(env={"NO_COLOR": "1"})
    result = runner.invoke(main, ["validate", "samples/kent_2015.xlsx", *args])
    assert result.exit_code == 0
    assert result.output == (SAMPLES / "kent_2015.claims.txt").read_text(encoding="utf-8")
    report = runner.invoke(main, ["validate", "samples/kent_2015_report.txt", *args])
    assert report.exit_code == 0
    assert report.output.count("reproduces") == 2


def test_a_claims_file_beyond_the_claim_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time and memory stay bounded: past MAX_CLAIMS claims the file is refused."""
    from mappa_stats.rules.claims import parse as claiming

    monkeypatch.setattr(claiming, "MAX_CLAIMS", 2)
    path = claims_file(tmp_path, *["level1_share,Kent,2014-15,,99%"] * 3)
    with pytest.raises(InputError, match=r"more than 2 claims"):
        read_claims(path)


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=200_000),
    fraction=st.floats(min_value=0, max_value=1),
    decimals=st.integers(min_value=0, max_value=2),
    off=st.integers(min_value=1, max_value=30),
)
def test_a_share_is_confirmed_at_its_value_and_the_needed_range_is_exact(
    total: int, fraction: float, decimals: int, off: int
) -> None:
    """Any Level 1 of any total: its own share at any precision reproduces; a share off by some units does
    not, and every count of the range it 'would need' gives it while the counts just outside do not."""
    from mappa_stats.numbers import half_up
    from mappa_stats.rules.claims.claim import ClaimLine

    level1 = round(total * fraction)
    figures = {("Kent", "2014-15", "LEVEL1TOT"): level1, ("Kent", "2014-15", "TOTAL_MAPPA_OFFENDERS"): total}
    share = half_up(Decimal(level1) * 100 / total, decimals)

    def claim(value: Decimal) -> ClaimLine:
        stated = parse_stated(f"{value:.{decimals}f}%")
        assert stated is not None
        return ClaimLine("level1_share", "Kent", "2014-15", None, stated, "claims.csv:2")

    assert check_claims([claim(share)], figures)[0].status == REPRODUCES
    wrong = share + Decimal(off).scaleb(-decimals)
    if wrong > 100:
        wrong = share - Decimal(off).scaleb(-decimals)
    if wrong < 0:
        return
    (result,) = check_claims([claim(wrong)], figures)
    assert result.status == DOES_NOT
    if result.needs is None:  # no whole count gives that share of this total
        return
    match = re.fullmatch(r"Level 1 of ([\d,]+)(?: to ([\d,]+))? of [\d,]+", result.needs)
    assert match, result.needs
    low = int(match.group(1).replace(",", ""))
    high = int((match.group(2) or match.group(1)).replace(",", ""))
    for count, expected in ((low, True), (high, True), (low - 1, False), (high + 1, False)):
        if 0 <= count <= total:
            again = {**figures, ("Kent", "2014-15", "LEVEL1TOT"): count}
            assert (check_claims([claim(wrong)], again)[0].status == REPRODUCES) is expected, (
                count,
                result.needs,
            )


def test_validate_checks_a_change_across_the_files_given(tmp_path: Path) -> None:
    """Two returns (2023-24: Category 1 of 1,560; 2024-25: 1,606) in one validate call: 46 ÷ 1,560 =
    2.948…%, so '+2.9%' reproduces at one decimal and '+3.5%' does not; both judged on the 2024-25 file."""
    from returns import figures, make_return

    last = make_return(tmp_path / "kent_2024.xlsx", "2023-24", figures("2023-24"))
    this = make_return(tmp_path / "kent_2025.xlsx", "2024-25", {**figures("2024-25"), "CAT1L1": 1594})
    path = claims_file(
        tmp_path, "change:CAT1TOT,Kent,2024-25,2023-24,+2.9%", "change:CAT1TOT,Kent,2024-25,2023-24,+3.5%"
    )
    result = CliRunner().invoke(main, ["validate", str(last), str(this), "--claims", str(path)])
    assert result.exit_code == 1
    assert f"Note: {path}:2: Kent 2024-25 change in CAT1TOT from 2023-24 '+2.9%' reproduces" in result.output
    assert "'+3.5%' does not reproduce: CAT1TOT 1,560 (2023-24) → 1,606 (2024-25) = +2.95%" in result.output


def test_an_unquoted_thousands_separator_is_refused_not_cut(tmp_path: Path) -> None:
    """'1,003' unquoted splits the line into six fields; judging the first ('1') would be wrong: refused."""
    path = tmp_path / "claims.csv"
    path.write_text("kind,area,year,from_year,stated\none_in_n,Kent,2014-15,,1,003\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"claims\.csv:2: 6 fields, more than the header's 5.*quoted"):
        read_claims(path)


# --- issue 12, after the national statistician's trial -------------------------------------------------

# The 2023-24 national figures combine gives for tests/combine_sets.py's set: the 42 areas hold Kent's × 1 …
# × 42 (× 903 in all), the National Security Division 150 + 20 + 5 = 175 in Category 4.
NATIONAL_2024 = {
    ("2023-24", "CAT3TOT"): 4 * 903,
    ("2023-24", "CAT4TOT"): 175,
    ("2023-24", "TOTAL_MAPPA_OFFENDERS"): 2357 * 903 + 175,
}


def test_a_category_4_share_is_judged_against_the_national_figures(tmp_path: Path) -> None:
    """Category 4 is in the England and Wales figures from 2022-23: 175 of 2,128,546 = 0.0082%, '0.01%'
    and '0%' reproduce, '0.1%' does not; without the NSD's figures it cannot be checked, saying why."""
    assert 2357 * 903 + 175 == 2_128_546
    lines = (
        "category_share:cat4,England and Wales,2023-24,,0.01%",
        "category_share:cat4,England and Wales,2023-24,,0%",
        "category_share:cat4,England and Wales,2023-24,,0.1%",
    )
    results = check(tmp_path, *lines, figures={})
    assert [r.status for r in results] == [NOT_CHECKED] * 3  # the national figures were not given
    results = check_claims(read_claims(claims_file(tmp_path, *lines)), {}, NATIONAL_2024)
    assert [r.status for r in results] == [REPRODUCES, REPRODUCES, DOES_NOT]
    assert results[0].message.endswith("Category 4 175 of 2,128,546 on 31 March = 0.01%, 0.01% as stated")
    without_nsd = {k: v for k, v in NATIONAL_2024.items() if k[1] != "CAT4TOT"}
    (missing,) = check_claims(read_claims(claims_file(tmp_path, lines[0])), {}, without_nsd)
    assert missing.status == NOT_CHECKED
    assert missing.missing == ("CAT4TOT",)
    assert missing.message.endswith(
        "cannot be checked: needs CAT4TOT (Category 4, 31 March) of England and Wales 2023-24, which the figures "
        "lack (the National Security Division's return was not counted)"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "category_share:cat4,Kent,2023-24,,0%",
            "category_share:cat4: an area's return has no Category 4 (the National Security Division reports "
            "it); combine adds it to the England and Wales figures: claim it of England and Wales",
        ),
        (
            "category_share:cat4,National Security Division,2023-24,,100%",
            "category_share:cat4: the National Security Division's return holds Category 4 only (its share is "
            "100%); combine adds it to the England and Wales figures: claim it of England and Wales",
        ),
        (
            "category_share:cat4,England and Wales,2021-22,,0%",
            "'category_share:cat4': the 2021-22 tables have no Category 4 total (Category 4 is in the figures "
            "of 2022-23 on)",
        ),
    ],
)
def test_a_category_4_share_the_figures_cannot_hold_is_refused_in_one_line(
    tmp_path: Path, line: str, message: str
) -> None:
    """An area's return never has Category 4, nor does any year before 2022-23: refused, saying why."""
    path = claims_file(tmp_path, line)
    with pytest.raises(InputError) as caught:
        read_claims(path)
    assert str(caught.value) == f"{path}:2: {message}; see docs/claims.md"


@pytest.mark.parametrize(
    ("stated", "fraction"), [("0.99", "99%"), ("1", "100%"), (".5", "50%"), ("0.17", "17%")]
)
def test_a_bare_share_between_0_and_1_is_refused_as_ambiguous(
    tmp_path: Path, stated: str, fraction: str
) -> None:
    """'0.99' could be the fraction a workbook holds (99%, as --level1-share 0.99 reads it) or 0.99%: a
    claims file must say which; the message gives both ways to write it."""
    path = claims_file(tmp_path, f"level1_share,Kent,2014-15,,{stated}")
    with pytest.raises(InputError) as caught:
        read_claims(path)
    assert str(caught.value) == (
        f"{path}:2: the stated share '{stated}' is ambiguous: write {fraction} for a fraction of the whole (as a "
        f"workbook's {stated} shown as a percentage is), or {stated}% for under one per cent; see docs/claims.md"
    )


def test_a_share_written_with_its_percent_sign_or_above_1_is_read_as_a_percentage(tmp_path: Path) -> None:
    """'99%' and '99' are 99% (2,335 of 2,357 = 99.07%); '0.99%' is under one per cent and does not reproduce;
    '0' and '0%' are no share at all (Kent's 0 … of Category 3 would be 4 of 2,357 = 0.17%)."""
    figures = {**KENT, ("Kent", "2014-15", "CAT3TOT"): 4}
    results = check(
        tmp_path,
        "level1_share,Kent,2014-15,,99%",
        "level1_share,Kent,2014-15,,99",
        "level1_share,Kent,2014-15,,0.99%",
        "category_share:cat3,Kent,2014-15,,0.17%",
        "category_share:cat3,Kent,2014-15,,0",
        figures=figures,
    )
    assert [r.status for r in results] == [REPRODUCES, REPRODUCES, DOES_NOT, REPRODUCES, REPRODUCES]
    assert results[2].computed == "99.07%"


@pytest.fixture(scope="module")
def tidy_2015(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 42 areas' 2014-15 tidy CSVs (tests/combine_sets.py: Kent's tables × the area's id)."""
    from combine_sets import tidy_set

    folder = tmp_path_factory.mktemp("tidy") / "2014-15"
    tidy_set(folder)
    return folder


POPULATION_CLAIMS = (
    "national_rate,England and Wales,2014-15,,100",
    'one_in_n,Kent,2014-15,,"1,003"',
    'one_in_n,England and Wales,2014-15,,"1,003"',
    "rate,Kent,2014-15,,100",
)


def test_combine_without_population_says_no_population_file_was_given(tmp_path: Path) -> None:
    """combine --claims without --population, for 2024-25 (mid-2024 is not shipped): the rate and 'one for
    every N' claims cannot be checked because no population file was given (--population named); they never
    blame Category 1, which the figures hold."""
    import json

    from combine_sets import returns_set

    folder = tmp_path / "2024-25"
    returns_set(folder, "2024-25")
    path = claims_file(tmp_path, *(c.replace("2014-15", "2024-25") for c in POPULATION_CLAIMS))
    result = CliRunner().invoke(main, ["combine", str(folder), "--claims", str(path), "-f", "json"])
    claims = json.loads(result.stdout)["claims"]
    for claim in claims:
        assert claim["status"] == "cannot be checked" and claim["missing"] == ["POP10PLUS"], claim
        area = claim["area"]
        assert (
            f"cannot be checked: no population file was given, and the ONS mid-2024 estimates are not shipped, "
            f"so there is no population aged 10+ (POP10PLUS) of {area} 2024-25; give --population (or "
            "POP10PLUS rows in a long CSV)"
        ) in claim["message"]
        assert "CAT1TOT" not in claim["message"]
    text = CliRunner().invoke(main, ["combine", str(folder), "--claims", str(path)]).stdout
    assert text.count("cannot be checked: no population file was given") == 4


def test_combine_without_population_judges_on_the_shipped_estimates(tidy_2015: Path, tmp_path: Path) -> None:
    """combine --claims without --population for 2014-15: every claim is judged on the shipped ONS mid-2014
    estimates, none is left unchecked for want of a population."""
    import json

    path = claims_file(tmp_path, *POPULATION_CLAIMS)
    result = CliRunner().invoke(main, ["combine", str(tidy_2015), "--claims", str(path), "-f", "json"])
    claims = json.loads(result.stdout)["claims"]
    assert len(claims) == 4
    assert all(claim["status"] != "cannot be checked" for claim in claims), claims


def test_combine_with_a_population_lacking_an_area_says_so(tidy_2015: Path, tmp_path: Path) -> None:
    """A population file without Kent: Kent's claims need its population, which the file given lacks; the
    England and Wales figure needs every area counted in the file."""
    import json

    from combine_sets import population_table

    population = population_table(tmp_path / "population_mid2014.csv", drop=("Kent",))
    path = claims_file(tmp_path, *POPULATION_CLAIMS)
    args = ["combine", str(tidy_2015), "--population", str(population), "--claims", str(path), "-f", "json"]
    claims = json.loads(CliRunner().invoke(main, args).stdout)["claims"]
    assert [c["missing"] for c in claims] == [["POP10PLUS"]] * 4
    assert claims[0]["message"].endswith(
        "needs POP10PLUS (the population aged 10+) of England and Wales 2014-15, which the figures lack (combine "
        "gives it when every area it counts is in the population file)"
    )
    assert claims[3]["message"].endswith(
        "needs POP10PLUS (the population aged 10+) of Kent 2014-15, which the figures lack (the population given "
        "has none for it: the area is not in it, or it is of another mid-year)"
    )


def test_compare_names_population_for_a_rate_claim_it_cannot_check(tmp_path: Path) -> None:
    """A rate claim compare cannot check names --population, which every command that judges a rate takes."""
    path = claims_file(tmp_path, "rate,Kent,2024-25,,100")  # mid-2024 is not shipped
    result = CliRunner().invoke(main, ["compare", str(GEN / "kent_2024.xlsx"), "--claims", str(path)])
    assert "no such option" not in result.output
    assert "give --population (or POP10PLUS rows in a long CSV)" in result.output
    assert "--population" in CliRunner().invoke(main, ["compare", "--help"]).output


@pytest.mark.parametrize("stated", ["٩٩%", "１００%", "1e20"])
def test_a_claims_file_figure_in_other_digits_is_refused(tmp_path: Path, stated: str) -> None:
    """issue 23, item 4: a claims file's '٩٩%' was read as 99% and reproduced; the one parser of numbers
    refuses it in one line naming the line (exit 2), as every other input does."""
    text = (SAMPLES / "kent_2015_claims.csv").read_text(encoding="utf-8").replace(",,99%\n", f",,{stated}\n")
    claims = tmp_path / "claims.csv"
    claims.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(KENT_XLSX), "--claims", str(claims)])
    assert result.exit_code == 2, result.output
    assert f"claims.csv:4: the stated figure '{stated}' is not a number" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
