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
