"""A figure not written in ASCII digits is a finding naming its cell or line, in every input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from mappa_stats.cli.main import main

SAMPLES = ROOT / "samples"


@pytest.mark.parametrize("digits", ["१५४८", "１５４８", "١٥٤٨"])
@pytest.mark.parametrize("source", ["kent_2015_report.txt", "kent_2015.csv"])
def test_a_figure_in_another_script_is_a_finding(tmp_path: Path, digits: str, source: str) -> None:
    """issue 23 #16: Devanagari and full-width digits were read as 1548 and passed."""
    text = (SAMPLES / source).read_text(encoding="utf-8")
    changed = (
        text.replace("1548", digits, 1) if source.endswith(".txt") else text.replace(",1548,", f",{digits},")
    )
    assert changed != text
    path = tmp_path / source
    path.write_text(changed, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "FAIL — 1 error" in result.stdout
    assert (
        f"Level 1, Category 1 of 'MAPPA-eligible offenders on 31 March 2015' holds '{digits}', which is text"
        in (result.stdout)
    )
    where = "line 172, Level 1 / Category 1" if source.endswith(".txt") else "line 2"
    assert where in result.stdout
