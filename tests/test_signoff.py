"""The sign-off pack: verdict, findings, the rate reproduced, the tables, the checks, lines to sign."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import KENT_XLSX, SAMPLES, sha256
from mappa_stats.cli import main

POPULATION = SAMPLES / "ons_mid2014.csv"


def test_kent_pack_passes_and_reproduces_the_rate(tmp_path: Path) -> None:
    """Kent 2014-15: pass, 1560 ÷ 1,565,295 × 100,000 = 99.66 → 100, every table, every check."""
    out = tmp_path / "pack.md"
    result = CliRunner().invoke(
        main, ["signoff", str(KENT_XLSX), "--population", str(POPULATION), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    pack = out.read_text(encoding="utf-8")
    assert pack.startswith("# MAPPA statistics 2014-15: Kent — sign-off pack")
    assert f"SHA-256 `{sha256(KENT_XLSX)}`" in pack
    assert "The tables are internally consistent" in pack
    assert (
        "1,560 registered sexual offenders on 31 March ÷ 1,565,295 people aged 10+ × 100,000 = **99.66**"
        in pack
    )
    assert "Stated in the return: 100 — matches." in pack
    for title in (
        "### MAPPA-eligible offenders on 31 March 2015",
        "### Level 2 and 3 offenders returned to custody: Breach of SOPO",
    ):
        assert title in pack
    assert "| `rate.matches`" in pack and "MAPPA manager: ____" in pack
    assert "## Findings to resolve" not in pack


def test_pack_for_a_broken_return_lists_the_corrections() -> None:
    """A mistyped cell: exit 1, the finding with its suggested value, and not ready to sign."""
    result = CliRunner().invoke(main, ["signoff", str(SAMPLES / "errors" / "swapped_digits.xlsx")])
    assert result.exit_code == 1
    assert "**not** ready to sign off" in result.output
    assert "## Findings to resolve" in result.output
    assert "change 'Statistics'!C5 from 778 to 787 (probably two digits swapped)" in result.output


def test_pack_without_population_says_the_rate_was_not_reproduced() -> None:
    """No --population: the pack says so rather than leaving the rate unexplained."""
    result = CliRunner().invoke(main, ["signoff", str(KENT_XLSX)])
    assert result.exit_code == 0
    assert "The rate was not reproduced: no population file was given (--population)." in result.output


def test_pack_for_an_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    """A file that cannot be read: one line, exit 2."""
    result = CliRunner().invoke(main, ["signoff", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 2 and "no such file" in result.stderr
