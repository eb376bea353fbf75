"""validate: the rules, the reports and the exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import KENT_CSV, KENT_XLSX, ROOT, SAMPLES, sha256
from helpers import area_from_values, edit_copy, kent_values
from mappa_stats.cli.main import main
from mappa_stats.render.report import report_document
from mappa_stats.rules.registry import RULES
from mappa_stats.validate import validate_area, validate_path

ERRORS = SAMPLES / "errors"
MANIFEST: dict[str, dict[str, Any]] = json.loads((ERRORS / "manifest.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def run(*args: str) -> Any:
    """Invoke the CLI as a user would, with colour off."""
    return CliRunner(env={"NO_COLOR": "1"}).invoke(main, list(args))


@pytest.mark.parametrize("sample", [KENT_XLSX, KENT_CSV], ids=["xlsx", "csv"])
def test_kent_passes_with_no_findings(sample: Path, in_root: Path) -> None:
    """The published Kent tables are consistent: exit 0, no findings."""
    result = run("validate", str(sample.relative_to(in_root)))
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output
    report = validate_path(sample)
    assert report.findings == ()
    statuses = {r.id: r.status for r in report.rules}
    assert set(statuses.values()) == {"passed"}
    # No --population: the rate is reproduced on the shipped ONS mid-2014 estimates (1,560 ÷ 1,565,295).
    assert statuses["rate.matches"] == "passed"


def test_kent_text_output_is_as_committed(in_root: Path) -> None:
    """The exact text a manager sees for the sample."""
    result = run("validate", "samples/kent_2015.xlsx")
    assert result.output == (SAMPLES / "kent_2015.validate.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_error_sample(name: str, in_root: Path) -> None:
    """Each broken workbook: the rule fires, the exit code is right, text and JSON are as committed."""
    case = MANIFEST[name]
    rel = f"samples/errors/{name}.xlsx"
    before = sha256(ERRORS / f"{name}.xlsx")
    text = run("validate", rel)
    assert text.exit_code == case["exit_code"], text.output
    assert text.output == (ERRORS / f"{name}.txt").read_text(encoding="utf-8")
    js = run("validate", rel, "--format", "json")
    assert js.exit_code == case["exit_code"]
    assert js.output == (ERRORS / f"{name}.json").read_text(encoding="utf-8")
    document = json.loads(js.output)
    jsonschema.validate(document, SCHEMA)
    rules = {f["rule"] for f in document["files"][0]["findings"]}
    assert case["rule"] in rules
    cells = {f["cell"] for f in document["files"][0]["findings"]}
    assert cells & set(case["cells"]), (cells, case["cells"])
    assert sha256(ERRORS / f"{name}.xlsx") == before


def test_json_report_is_the_library_result(in_root: Path) -> None:
    """--format json prints exactly what the library returns."""
    paths = [ERRORS / "swapped_digits.xlsx", KENT_XLSX]
    result = run("validate", *[str(p) for p in paths], "--format", "json")
    library = report_document([validate_path(p) for p in paths])
    assert json.loads(result.output) == json.loads(json.dumps(library))
    jsonschema.validate(library, SCHEMA)


def test_unreadable_file_is_status_error_exit_2(tmp_path: Path) -> None:
    """A file that cannot be read: exit 2, status 'error' in JSON, valid against the schema."""
    result = run("validate", str(KENT_XLSX), str(tmp_path / "missing.xlsx"), "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.output)
    jsonschema.validate(document, SCHEMA)
    assert [f["status"] for f in document["files"]] == ["pass", "error"]
    assert "no such file" in document["files"][1]["error"]


def test_strict_turns_warnings_into_exit_1(in_root: Path) -> None:
    """Warnings pass by default and fail with --strict."""
    rel = "samples/errors/number_stored_as_text.xlsx"
    assert run("validate", rel).exit_code == 0
    assert run("validate", rel, "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("stated", "code"), [("99", 0), ("99%", 0), ("98", 1), ("666", 1), ("99.1%", 0), ("99.2", 1)]
)
def test_level1_share_option(stated: str, code: int) -> None:
    """--level1-share: 2335 / 2357 = 99.07%, so 99 and 99.1 are right, 98 and 99.2 wrong, 666 no percentage."""
    result = run("validate", str(KENT_XLSX), "--level1-share", stated)
    assert result.exit_code == code, result.output
    if code:
        assert "claims.level1_share" in result.output


@pytest.mark.parametrize(
    ("stated", "code"), [("0.99", 0), ("0.98", 1), ("99.07", 0), ("99.1", 0), ("99.2", 1)]
)
def test_share_as_a_fraction_or_a_decimal_in_csv(stated: str, code: int, tmp_path: Path) -> None:
    """A share kept as a fraction (0.99) or typed with decimals (99.07) is rounded the way it is written."""
    text = KENT_CSV.read_text(encoding="utf-8").replace(
        "commentary,level1_share,value,99%,", f"commentary,level1_share,value,{stated},"
    )
    path = tmp_path / "share.csv"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == code, result.output


def test_no_suggest_reports_the_plain_total_failures(in_root: Path) -> None:
    """Without the locator, a mistyped inner cell breaks one row and one column total."""
    result = run("validate", "samples/errors/swapped_digits.xlsx", "--no-suggest")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 2
    assert re.search(
        r"totals\.row\s+'Statistics'!E5\s+Level 1 total is 2335 but its categories add up to 2326 \(9 short\)",
        lines[0],
    )
    assert re.search(
        r"totals\.column\s+'Statistics'!C8\s+Category 2 total is 793 but its levels add up to 784 \(9 short\)",
        lines[1],
    )


def test_no_colour_when_piped_or_no_color() -> None:
    """No ANSI escapes in captured output."""
    result = CliRunner().invoke(main, ["validate", str(ERRORS / "swapped_digits.xlsx")])
    assert "\x1b[" not in result.output


def test_several_files_one_summary_and_progress(tmp_path: Path) -> None:
    """Many files: progress on stderr, one summary line."""
    files = [str(KENT_XLSX)] * 3 + [str(ERRORS / "swapped_digits.xlsx")]
    result = run("validate", *files)
    assert result.exit_code == 1
    assert "[4/4]" in result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == "4 files: 3 passed, 1 failed, 0 could not be checked"


def test_markdown_report(in_root: Path) -> None:
    """The Markdown report has the verdict, the findings table and the rules table."""
    result = run("validate", "samples/errors/swapped_digits.xlsx", "--format", "markdown")
    assert "| ERROR      | `totals.row` | 'Statistics'!C5" in result.output
    assert "| `claims.level1_share`" in result.output


def test_output_file_is_written_and_input_kept(tmp_path: Path) -> None:
    """-o writes the report; the same path as the input is refused."""
    out = tmp_path / "report.json"
    result = run("validate", str(KENT_XLSX), "-f", "json", "-o", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "pass"
    copy = edit_copy(KENT_XLSX, tmp_path / "kent.xlsx", {})
    before = sha256(copy)
    refused = run("validate", str(copy), "-o", str(copy))
    assert refused.exit_code == 2
    assert "is also an input file" in refused.stderr
    assert sha256(copy) == before


def test_rules_command_lists_every_registered_rule() -> None:
    """mappa-stats rules shows each rule id and severity."""
    result = run("rules")
    for rule in RULES.values():
        assert re.search(rf"^{re.escape(rule.id)}\s+{rule.severity}\s", result.output, re.M)


def test_each_rule_catches_something() -> None:
    """Every registered rule has an error sample that triggers it (rate.matches has its own tests)."""
    covered = {case["rule"] for case in MANIFEST.values()}
    assert set(RULES) - covered <= {"rate.matches", "rate.vintage"}


def test_kent_values_pass_in_the_library() -> None:
    """The synthetic builder used by the property tests agrees with the sample."""
    report = validate_area(area_from_values(kent_values()))
    assert report.findings == ()
