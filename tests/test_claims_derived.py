"""Figures the input lacks and the year's equations fix (a total from its parts), and the headline-only years
2002-03 … 2013-14: long CSVs, change claims and compare reach back to them; full-year commands say plainly
that such a year is headline-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mappa_stats.cli.main import main
from mappa_stats.definitions.load import figure_years, figures_template, headline_years
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED, REPRODUCES
from mappa_stats.rules.claims.judge import check_claims
from mappa_stats.rules.claims.parse import read_claims

HEADER = "kind,area,year,from_year,stated\n"
# The case: "82% of the 717 offenders were registered sexual offenders", Categories 1, 2 and 3
# printed (587, 127, 3) and the total not. 587 + 127 + 3 = 717; 587 ÷ 717 = 81.87%, 82% at whole numbers.
# (The area's name is a stand-in: the figures are the case's.)
CATEGORIES = {
    ("Cumbria", "2014-15", "CAT1TOT"): 587.0,
    ("Cumbria", "2014-15", "CAT2TOT"): 127.0,
    ("Cumbria", "2014-15", "CAT3TOT"): 3.0,
}


def claims(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_share_of_an_unprinted_total_is_judged_from_the_categories_and_says_so(tmp_path: Path) -> None:
    """82% reproduces and 80% does not, each on a total of 717 derived from Categories 1-3 as given."""
    lines = ("category_share:cat1,Cumbria,2014-15,,82%", "category_share:cat1,Cumbria,2014-15,,80%")
    right, wrong = check_claims(read_claims(claims(tmp_path, *lines)), CATEGORIES)
    assert right.status == REPRODUCES
    assert wrong.status == DOES_NOT
    derived = "TOTAL_MAPPA_OFFENDERS 717, the sum of CAT1TOT 587 + CAT2TOT 127 + CAT3TOT 3 as given"
    assert derived in right.message and derived in wrong.basis
    assert right.exact == "81.87%"
    # 80% of 717 is 573.6: the Category 1 counts that round to 80% are 571 (79.64%) to 577 (80.47%).
    assert wrong.needs == "Category 1 of 571 to 577 of 717"


def test_a_missing_part_keeps_the_share_not_checked_naming_it(tmp_path: Path) -> None:
    """Without Category 3 the total cannot be worked out: not checked, naming CAT3TOT as the part missing."""
    figures = {k: v for k, v in CATEGORIES.items() if k[2] != "CAT3TOT"}
    (result,) = check_claims(
        read_claims(claims(tmp_path, "category_share:cat1,Cumbria,2014-15,,82%")), figures
    )
    assert result.status == NOT_CHECKED
    assert result.missing == ("TOTAL_MAPPA_OFFENDERS",)
    assert "nor can it be derived: CAT1TOT + CAT2TOT + CAT3TOT lacks CAT3TOT" in result.message


def test_a_missing_part_is_derived_from_the_total_and_the_other_parts(tmp_path: Path) -> None:
    """Category 3 unprinted, total 717 printed: 717 − 587 − 127 = 3, so '0.4%' (3 ÷ 717 = 0.42%) reproduces."""
    figures = {k: v for k, v in CATEGORIES.items() if k[2] != "CAT3TOT"}
    figures[("Cumbria", "2014-15", "TOTAL_MAPPA_OFFENDERS")] = 717.0
    (result,) = check_claims(
        read_claims(claims(tmp_path, "category_share:cat3,Cumbria,2014-15,,0.4%")), figures
    )
    assert result.status == REPRODUCES
    assert "CAT3TOT 3, TOTAL_MAPPA_OFFENDERS 717 less CAT1TOT 587 and CAT2TOT 127 as given" in result.message


def test_the_headline_years_reach_back_to_2002_03() -> None:
    """Twelve headline-only years before the full ones, each provisional, the rate on all ages before
    2013-14 (DOMAIN.md) and aged 10+ from it."""
    assert headline_years() == tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2002, 2014))
    assert figure_years()[0] == "2002-03"
    assert {figures_template(y).status for y in headline_years()} == {"provisional"}
    assert figures_template("2012-13").rate_base == "all_ages"
    assert figures_template("2013-14").rate_base == "aged_10_plus"
    assert "CAT1TOT" in figures_template("2002-03").field_refs
    assert "SOPOGRANT" not in figures_template("2013-14").field_refs  # headline figures only


# Kent in a long CSV of headline rows: 1,200 → 1,500 Category 1 RSOs is +25% (300 ÷ 1,200), the total
# 1,900 → 2,300 is +21.05% (400 ÷ 1,900). Figures made up for the arithmetic.
LONG = (
    "area,year,field,value\n"
    "Kent,2010-11,CAT1TOT,1200\nKent,2013-14,CAT1TOT,1500\n"
    "Kent,2010-11,TOTAL_MAPPA_OFFENDERS,1900\nKent,2013-14,TOTAL_MAPPA_OFFENDERS,2300\n"
)


@pytest.mark.parametrize(
    ("stated", "status", "code"),
    [("25%", "CLAIM OK", 1), ("53%", "CLAIM WRONG", 1), ("+25.0 per cent", "CLAIM OK", 1)],
)
def test_change_claims_between_headline_years_are_judged(
    tmp_path: Path, stated: str, status: str, code: int
) -> None:
    """A long CSV of 2010-11 and 2013-14 rows is read, and 'up N% since 2010-11' judged both ways (exit 1:
    the +25% rise of 1,200 is also a large change)."""
    long_csv = tmp_path / "kent.csv"
    long_csv.write_text(LONG, encoding="utf-8")
    path = claims(tmp_path, f"change:CAT1TOT,Kent,2013-14,2010-11,{stated}")
    result = CliRunner().invoke(main, ["compare", str(long_csv), "--claims", str(path)])
    assert result.exit_code == code, result.output
    line = next(x for x in result.output.splitlines() if "claims.csv:2" in x)
    assert line.startswith(status)
    assert "CAT1TOT 1,200 (2010-11) → 1,500 (2013-14) = +25.00%" in line


def test_a_full_year_command_says_an_early_year_is_headline_only(tmp_path: Path) -> None:
    """template --year 2010-11: one line, exit 2, saying the year is headline-only (not a traceback)."""
    result = CliRunner().invoke(main, ["template", "--year", "2010-11", "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2
    assert "2010-11 is a headline-only year" in result.output
    assert "Traceback" not in result.output
