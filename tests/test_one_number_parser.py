"""One parser of numbers for every input (issue 23, item 4): a count is a whole number of at most
numbers.MAX_DIGITS (10) digits however it is written, with the same answer in a workbook cell, a return's
field, a tidy CSV line and a report's printed figure (the population file, the long CSV, the claims file and
the stated rate have their own tests: test_population_edges, test_compare, test_claims, test_rate)."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import KENT_CSV, KENT_XLSX, SAMPLES
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.numbers import MAX_DIGITS, Reading, count, count_problem, read_number
from returns import figures, make_return

# (as written, what validate says of it in a count cell: the rule and the words of its finding)
FORMS: list[tuple[str, str, str]] = [
    ("1e20", "values.whole_number", "far too large to be a count (more than 10 digits)"),
    ("1e308", "values.whole_number", "far too large to be a count (more than 10 digits)"),
    ("99999999999", "values.whole_number", "far too large to be a count (more than 10 digits)"),
    ("inf", "values.whole_number", "not a finite number"),
    ("nan", "values.whole_number", "not a finite number"),
    ("0x10", "values.whole_number", "which is text"),
    ("1_000", "values.whole_number", "which is text"),
    ("१२", "values.whole_number", "which is text"),
    ("12.5", "values.whole_number", "a decimal"),
    ("1 548", "values.thousands_separator", "read as 1548"),
    ("1,548", "values.thousands_separator", "read as 1548"),
]


def findings(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["files"][0]["findings"]
    return found


def the_finding(found: list[dict[str, Any]], rule: str, where: str) -> dict[str, Any]:
    hits = [f for f in found if f["rule"] == rule and where in (f.get("ref") or "")]
    assert hits, [(f["rule"], f.get("ref"), f["message"]) for f in found]
    return hits[0]


def test_the_parser_reads_every_form_the_same_way() -> None:
    """The forms the issue lists, each with its answer (arithmetic: 1.0e2 = 100, 1E3 = 1000)."""
    assert count("1E3") == (1000, "")
    assert count("1.0e2") == (100, "")
    assert count("  12 ") == (12, "")
    assert count("12.0") == (12, "")
    assert count("1,548") == (1548, "")
    assert count("-0") == (0, "")
    assert count("9" * MAX_DIGITS) == (9_999_999_999, "")
    for text, problem in [
        ("1e20", "too_large"),
        ("1e10", "too_large"),
        ("1e999999999", "too_large"),
        ("1e9999999999999999999", "too_large"),  # beyond Decimal's own exponents: never an InvalidOperation
        ("0x10", "text"),
        ("1_000", "text"),
        ("١٥٤٨", "other_digits"),
        ("inf", "not_finite"),
        ("nan", "not_finite"),
        ("-3", "negative"),
        ("2.5", "decimal"),
        ("12%", "percentage"),
    ]:
        assert count(text) == (None, problem), text
    assert count("Infinity") == (None, "not_finite")
    assert count("-INF") == (None, "not_finite")
    # A number a spreadsheet saved: the same limit (10 digits: 9,999,999,999 is a count, 10**10 is not)
    assert read_number(12) == Reading(Decimal(12))
    assert count_problem(read_number(12)) == ""
    assert read_number(9_999_999_999) == Reading(Decimal(9_999_999_999))
    assert read_number(9_999_999_999.0).value == Decimal(9_999_999_999)
    assert read_number(10**10).problem == "too_large"
    assert read_number(1e10).problem == "too_large"
    assert read_number(1e308).problem == "too_large"
    assert read_number(float("inf")).problem == "not_finite"
    assert read_number("3.50").places == 2
    assert read_number("1E3").places == 0  # an exponent writes no decimal places
    read_zero = read_number("-0").value
    assert read_zero is not None and not read_zero.is_signed()  # '-0' is 0, never shown as -0
    assert read_number("3.50").value == Decimal("3.5")


@pytest.mark.parametrize(("text", "rule", "words"), FORMS)
def test_a_workbook_cell_typed_as_text(tmp_path: Path, text: str, rule: str, words: str) -> None:
    """The seed workbook's Level 2, Category 1 (B6, 12) typed otherwise: the finding names the cell."""
    path = edit_copy(KENT_XLSX, tmp_path / "k.xlsx", {"B6": text})
    found = the_finding(findings(path), rule, "B6")
    assert words in found["message"], found["message"]


@pytest.mark.parametrize("value", [1e20, 1e308, 10**15])
def test_a_workbook_cell_saved_as_a_huge_number(tmp_path: Path, value: float) -> None:
    """A numeric cell holding 1e20 or 1e308 is a finding at its cell, never an overflow."""
    path = edit_copy(KENT_XLSX, tmp_path / "k.xlsx", {"B6": value})
    found = the_finding(findings(path), "values.whole_number", "B6")
    assert "far too large to be a count (more than 10 digits)" in found["message"]
    for command in ("tables", "signoff"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output


@pytest.mark.parametrize(("text", "rule", "words"), FORMS)
def test_a_tidy_csv_value(tmp_path: Path, text: str, rule: str, words: str) -> None:
    """The seed CSV's Level 2, Category 1 (12, line 3) written otherwise: the finding names the line."""
    csv_text = KENT_CSV.read_text(encoding="utf-8")
    changed = csv_text.replace("snapshot,level2,cat1,12,", f'snapshot,level2,cat1,"{text}",')
    assert changed != csv_text
    path = tmp_path / "k.csv"
    path.write_text(changed, encoding="utf-8")
    found = the_finding(findings(path), rule, "line ")
    assert words in found["message"], found["message"]


@pytest.mark.parametrize("value", [1e20, 1e308, "1_000", "१२"])
def test_a_return_field(tmp_path: Path, value: Any) -> None:
    """A return's NOGRANT saved as a huge number or typed in another form: a finding at its cell."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", {**figures("2023-24"), "NOGRANT": value})
    found = [f for f in findings(path) if f.get("field") == "NOGRANT"]
    assert found and found[0]["rule"] == "values.whole_number", found


@pytest.mark.parametrize("saved", ["١٢", "1_2", " 1,2 "])
def test_a_numeric_cell_saved_in_another_form_is_refused(tmp_path: Path, saved: str) -> None:
    """Excel saves a number's value as ASCII digits; '١٢' or '1_2' in a numeric cell's <v> was read as 12 by
    int(). Now the workbook could not be checked (exit 2), in one line naming the cell; the input unchanged."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", {**figures("2023-24"), "NOGRANT": 987654})
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    assert b"<v>987654</v>" in parts[sheet]
    parts[sheet] = parts[sheet].replace(b"<v>987654</v>", f"<v>{saved}</v>".encode())
    with zipfile.ZipFile(path, "w") as out:
        for name, content in parts.items():
            out.writestr(name, content)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}: cannot be read as an Excel workbook: cell (2, " in result.output
    assert f"holds {saved!r} where a number was saved; save it again" in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1e20", "far too large to be a count"),
        ("15480000000", "more than 10 digits"),
        ("nan", "not a finite number"),
    ],
)
def test_a_report_text_figure(tmp_path: Path, text: str, words: str) -> None:
    """The seed report's Level 1, Category 1 (1548, line 172) printed otherwise: the finding names the line."""
    report = (SAMPLES / "kent_2015_report.txt").read_text(encoding="utf-8")
    path = tmp_path / "report.txt"
    path.write_text(report.replace("1548", text, 1), encoding="utf-8")
    found = the_finding(findings(path), "values.whole_number", "line 172")
    assert words in found["message"], found["message"]
