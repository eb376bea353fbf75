"""Files a combine folder skips are grouped by reason: a count and the first few, not a line each."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT
from mappa_stats.cli.main import main

RETURN = ROOT / "tests" / "golden" / "inputs" / "gen" / "returns_2023" / "area_01.xlsx"


def test_many_skipped_files_are_one_line_per_reason(tmp_path: Path) -> None:
    """issue 23 #14: 10,000 skipped files gave 10,000 lines."""
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "area_01.xlsx").write_bytes(RETURN.read_bytes())
    for n in range(500):
        (folder / f"note{n:03}.txt").write_text("x", encoding="utf-8")
    (folder / "~$lock.xlsx").write_bytes(b"")
    for fmt, lead in (("text", "Note: "), ("markdown", "- ")):
        result = CliRunner().invoke(main, ["combine", str(folder), "-f", fmt])
        assert result.exit_code in (0, 1), result.output
        lines = [line for line in result.stdout.splitlines() if "skipped" in line and line.startswith(lead)]
        assert len(lines) == 2, lines
        assert "500 files skipped, each not a workbook" in result.stdout.replace("\\", "")
        assert (
            f"{folder / 'note000.txt'}, {folder / 'note001.txt'}, {folder / 'note002.txt'} and 497 more"
            in (result.stdout.replace("\\", ""))
        )
        assert result.stdout.count("note") == 3
