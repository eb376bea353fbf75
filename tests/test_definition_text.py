"""Text from a definition is text: a label that looks like a formula is never written as one."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import ROOT
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import forget_definitions
from mappa_stats.safetext import spreadsheet

PLANTED = '=HYPERLINK("http://127.0.0.1:9/","Category 1")'


def test_a_formula_label_in_a_template_file_is_text(tmp_path: Path) -> None:
    """issue 23 #5: the label became a live formula cell in `template -o out.xlsx`."""
    text = (ROOT / "schemas" / "templates" / "2014-15.json").read_text(encoding="utf-8")
    planted = text.replace(
        '"label": "Category 1: Registered sex offenders"',
        '"label": "=HYPERLINK(\\"http://127.0.0.1:9/\\",\\"Category 1\\")"',
        1,
    )
    assert planted != text
    definition = tmp_path / "t.json"
    definition.write_text(planted, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    try:
        result = CliRunner().invoke(main, ["template", "--template", str(definition), "-o", str(out)])
    finally:
        forget_definitions()  # --template lasts the process: no later test may see the planted label
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet for sheet in sheets)
    cell = load_workbook(out)["Statistics"]["B4"]
    assert cell.data_type == "s" and cell.value == PLANTED and cell.quotePrefix


def test_a_number_in_another_script_is_made_safe_in_csv() -> None:
    """issue 23 #9: '-٣' (a minus and an Arabic-Indic digit) was taken for a plain number."""
    assert spreadsheet("-٣") == "'-٣"
    assert spreadsheet("-3") == "-3"
    assert spreadsheet("+१५") == "'+१५"
    assert spreadsheet("-１５") == "'-１５"
    assert spreadsheet("１５４８") == "'１５４８"
    assert spreadsheet("Kent") == "Kent"


def test_a_line_break_in_a_value_stays_in_its_markdown_cell(tmp_path: Path) -> None:
    """issue 23 #6: a tidy-CSV value with a line break split a grid row of `signoff -o pack.md`."""
    lines = (ROOT / "samples" / "kent_2015.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",1548,", ',"15\n48",').replace(",1548", ',"15\r\n\t48"')
    assert '"15' in lines[1]
    broken = tmp_path / "nl.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    before = broken.read_bytes()
    result = CliRunner().invoke(main, ["signoff", str(broken), "-f", "markdown"])
    table_rows = [line for line in result.stdout.splitlines() if "Level 1 |" in line]
    assert table_rows and all(line.startswith("| ") and line.endswith(" |") for line in table_rows)
    assert "**[wrong] 15 48** |" in result.stdout or "**[wrong] 15  48** |" in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("48")]
    assert broken.read_bytes() == before
