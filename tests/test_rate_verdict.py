"""The rate's verdict (issue fa): a stated rate that is not a number is an error at its cell; a population
file that does not say its mid-year leaves the rate not checked; a file of another mid-year is handled alike
by every command. Kent 2014-15: 1,560 RSOs, stated rate 100 (1,560 ÷ 1,565,295 aged 10+ × 100,000 = 99.66)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import KENT_XLSX
from helpers import edit_copy
from mappa_stats.cli.main import main


def run(*args: str) -> Result:
    """The CLI, as a user runs it."""
    return CliRunner().invoke(main, list(args))


# --- 1. a stated rate that is not a number ----------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "words"),
    [("abc", "is not a number"), ("1e20", "is not a rate per 100,000 (0 to 100,000)")],
)
def test_a_stated_rate_that_is_not_a_number_is_an_error_at_its_cell(
    tmp_path: Path, stated: str, words: str
) -> None:
    """'abc' or '1e20' in 'Statistics'!E37 passed validate as 'not checked' (exit 0), signed off and
    published; -5 there was an error. Now an ERROR at E37 suggesting the rate the figures give (100)."""
    edited = edit_copy(KENT_XLSX, tmp_path / "k.xlsx", {"E37": stated})
    result = run("validate", str(edited))
    assert result.exit_code == 1, result.output
    assert f"ERROR   rate.matches  'Statistics'!E37  the stated rate '{stated}' {words}" in result.output
    assert "suggestion: state 100" in result.output
    assert "Not checked: rate.matches" not in result.output
    signoff = run("signoff", str(edited), "-f", "text")
    assert "Ready to sign off" not in signoff.output
    published = run("tables", str(edited), "-f", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert published.exit_code != 0, published.output
    assert not (tmp_path / "x.xlsx").exists()


# --- 2. a population file that does not say its mid-year ---------------------------------------------

# The ONS file of the 2019 release names no mid-year in its name or title lines: mid-2014 is not in it, and
# Kent's aged 10+ in it (1,631,367) gives 1,560 ÷ 1,631,367 × 100,000 = 95.63 → 96, not the published 100.
UNSTATED = Path("/work/shared/population/raw/later/ONS2019_PopnByAgeYearEstimate.csv")
# The ONS mid-2015 MYE2 workbook, which says its mid-year in its name: another year than 2014-15's.
MID_2015 = Path(
    "/work/shared/population/raw/later/MYE2_population_by_sex_and_age_for_local_authorities_UK_2015.xls"
)
NO_MID_YEAR = "the population file does not say its mid-year; give --mid-year 2014"
shared = pytest.mark.skipif(not UNSTATED.exists(), reason="needs the ONS files of /work/shared/population")


@shared
def test_a_file_of_no_stated_mid_year_leaves_the_rate_not_checked() -> None:
    """validate, signoff, rate and combine said the published 100 should be 96 on a file of no stated
    mid-year; now each leaves the rate not checked, saying to give --mid-year, and --strict fails it."""
    population = ["--population", str(UNSTATED)]
    result = run("validate", str(KENT_XLSX), *population)
    assert result.exit_code == 0, result.output
    assert f"Not checked: rate.matches, rate.vintage ({NO_MID_YEAR})" in result.output
    assert "ERROR" not in result.output and "state 96" not in result.output
    assert run("validate", str(KENT_XLSX), *population, "--strict").exit_code == 1
    signoff = run("signoff", str(KENT_XLSX), *population, "-f", "text")
    assert signoff.exit_code == 0, signoff.output
    assert "state 96" not in signoff.output
    rate = run("rate", str(KENT_XLSX), *population)
    assert rate.exit_code == 1, rate.output
    assert f"not checked: {NO_MID_YEAR}" in rate.output
    combined = run("combine", str(KENT_XLSX), *population)
    assert "does not match" not in combined.output
    assert NO_MID_YEAR in combined.output


@shared
def test_mid_year_names_the_year_of_a_file_that_does_not_say() -> None:
    """With --mid-year 2014 the file is taken as mid-2014 and the rate is judged on it: Kent's 1,631,367
    aged 10+ gives 96 against the stated 100, an error (the user said which estimate it is)."""
    result = run("validate", str(KENT_XLSX), "--population", str(UNSTATED), "--mid-year", "2014")
    assert result.exit_code == 1, result.output
    assert "which rounds to 96" in result.output


# --- 3. a population file that names another mid-year ------------------------------------------------


@shared
@pytest.mark.parametrize("command", ["validate", "signoff", "combine"])
def test_a_file_of_another_mid_year_is_refused_as_the_docs_say(command: str) -> None:
    """docs/commands.md: a population file that names another mid-year is refused (exit 2). validate gave
    an ERROR at the correct 'Statistics'!E37 (exit 1) where combine refused; now validate, signoff and
    combine refuse it in one line naming the file and the estimates to give."""
    result = run(command, str(KENT_XLSX), "--population", str(MID_2015))
    assert result.exit_code == 2, result.output
    assert "the population file is mid-2015, but 2014-15 rates divide by the ONS mid-2014 estimates" in (
        result.output
    )
    assert "E37" not in result.output


@shared
def test_rate_of_another_mid_year_is_not_checked() -> None:
    """rate, a calculator, shows the rate on the file given but does not judge it: "not checked: needs
    mid-2014", exit 1 (docs/commands.md, exit codes)."""
    result = run("rate", str(KENT_XLSX), "--population", str(MID_2015))
    assert result.exit_code == 1, result.output
    assert "not checked: needs mid-2014 (the population file is mid-2015)" in result.output
