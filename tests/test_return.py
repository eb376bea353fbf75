"""The Ministry of Justice's area return (2023-24, 2024-25): read as it is, checked, located at the typed cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import sha256
from mappa_stats.cli.main import main
from returns import BLOCK_CODES, BLOCKS, KENT, breakdowns, figures, make_return  # noqa: F401


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("year", ["2023-24", "2024-25"])
def test_a_consistent_return_validates_clean(tmp_path: Path, year: str) -> None:
    """Shuffled columns, mixed case, formulas with saved values: exit 0, area and year read from the return."""
    path = make_return(tmp_path / "return.xlsx", year, figures(year))
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["files"][0]
    assert (report["area"], report["template"], report["findings"]) == ("Kent", year, [])


def test_the_ministrys_header_typos_are_repaired(tmp_path: Path) -> None:
    """CAT3L3SFOCONVICT, CAT1L3SFOCHARGED and CAT2L2SFOTHER are read as the fields they mean."""
    typos = {
        "CAT3L3SFOCONV": "CAT3L3SFOCONVICT",
        "CAT1L3SFOCHARGE": "CAT1L3SFOCHARGED",
        "CAT2L2SFOOTHER": "CAT2L2SFOTHER",
    }
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"), header=typos)
    assert run("validate", path).exit_code == 0


def test_tables_of_a_return_derive_the_totals(tmp_path: Path) -> None:
    """The 31 March total is derived as the Ministry derives it: 1560 Category 1 (the Kent report's figure)."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    result = run("tables", path, "--format", "json")
    assert result.exit_code == 0
    tables = {t["id"]: {r["id"]: r["cells"] for r in t["rows"]} for t in json.loads(result.stdout)["tables"]}
    assert tables["snapshot"]["total"]["cat1"]["value"] == 1560
    assert tables["snapshot"]["total"]["total"]["value"] == 2357
    assert tables["breach_notification"]["total"]["value"]["value"] == 37


def test_a_mistyped_outcome_is_located_at_the_typed_cell(tmp_path: Path) -> None:
    """A serious further offence convicted typed 4 for 1: named at 'Data entry', with the value it should hold."""
    values = figures("2023-24")
    values["CAT1L2SFOCONV"] = 4
    path = make_return(tmp_path / "return.xlsx", "2023-24", values)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert len(findings) == 1
    assert findings[0]["field"] == "CAT1L2SFOCONV"
    assert findings[0]["ref"].startswith("'Data entry'!D")
    assert "(via '23-24 data'!" in findings[0]["message"]
    # A return carries no totals, so the sums alone cannot tell the outcome from the charge: every option is
    # named with the value it would need, the mistyped one among them (4 convicted → 1).
    where = findings[0]["ref"]
    assert f"{where} → 1" in findings[0]["suggestion"]
    assert "several possibilities" in findings[0]["suggestion"]


@pytest.mark.parametrize(
    ("change", "rule", "value"),
    [
        ({"CAT2L2YEAR": 5}, "cross.yearly_ge_snapshot", 5),  # yearly 5 below the 6 on 31 March
        ({"CAT2L2LICBREACH": 8}, "cross.custody_le_yearly", 8),  # 8 returned, 7 managed in the year
        ({"CAT1L2SCR": 40}, "cross.scr_le_yearly", 40),  # 40 reviews, 18 managed at Level 2
        ({"CAT2L1": -787}, "values.whole_number", -787),
        # 1600 breaches of notification by 1560 RSOs (30 + 5 + 2 = 37 in the seed report): 1563 + 5 + 32.
        ({"CAT1L1CAUTCON": 1563, "CAT1L3CAUTCON": 32}, "cross.breach_notification_le_rsos", 1600),
        # 200 of 1560 RSOs is 12.8%, where areas report 1–3%: a warning, which --strict fails.
        ({"CAT1L1CAUTCON": 163, "CAT1L3CAUTCON": 32}, "cross.breach_notification_share", 200),
    ],
)
def test_each_rule_broken_once_names_the_typed_cell(
    tmp_path: Path, change: dict[str, int], rule: str, value: int
) -> None:
    """Each rule of the return broken once: exit 1, the finding at the 'Data entry' cell the manager typed."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", {**figures("2023-24"), **change})
    result = run("validate", path, "--format", "json", "--strict")
    assert result.exit_code == 1
    findings = [f for f in json.loads(result.stdout)["files"][0]["findings"] if rule in f["rules"]]
    assert findings
    assert str(findings[0]["actual"]) == str(value)
    assert findings[0]["sheet"] == "Data entry"
    assert findings[0]["cell"].startswith("D")


def test_blank_fields_are_read_as_zero_with_one_warning(tmp_path: Path) -> None:
    """Blanks are 0 for the national pipeline: read so, with one warning naming them."""
    values: dict[str, int | None] = dict(figures("2023-24"))
    values["CAT3L3SCR"] = None
    values["SROBREACH"] = None
    path = make_return(tmp_path / "return.xlsx", "2023-24", values)
    result = run("validate", path)
    assert result.exit_code == 0
    assert "2 fields of the return are blank and read as 0" in result.output
    assert run("validate", path, "--strict").exit_code == 1


def test_a_formula_with_no_saved_value_is_named(tmp_path: Path) -> None:
    """Row 2 never calculated (a workbook saved by a script): one error for the one cause, counting the 68
    cells and naming the first at the cell its formula points to."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"), saved=False)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    findings = [
        f for f in json.loads(result.stdout)["files"][0]["findings"] if f["rule"] == "values.whole_number"
    ]
    assert len(findings) == 1
    assert "68 cells hold a formula with no saved value" in findings[0]["message"]
    assert findings[0]["ref"].startswith("'Data entry'!D")
    assert "let it calculate" in findings[0]["suggestion"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"area_id": 44}, "holds area id '44'; the Ministry's area ids are 1 to 43"),
        (
            {"area_name": "Lancashire"},
            "'Data entry'!C2 names 'Lancashire' but the area id in A2 is 17 (Kent)",
        ),
        ({"header": {"CAT1L2": "CAT1L1"}}, "repeats the field CAT1L1"),
        (
            {"header": {"CAT3L2": "CAT3L1"}},
            "holds CAT3L1, a cell that does not exist: Category 3 offenders are by definition managed at "
            "Level 2 or 3; delete the column",
        ),
        ({"header": {"CAT1L2": "cat1tot"}}, "holds CAT1TOT, a total, which the return does not carry"),
        (
            {"header": {"CAT1L2": "CAT1L2X"}},
            "holds 'CAT1L2X', not a field of the 2023-24 return; did you mean CAT1L2",
        ),
    ],
)
def test_a_broken_return_is_one_line(tmp_path: Path, kwargs: dict[str, Any], words: str) -> None:
    """A bad area id, a name that disagrees, two columns for one field, an unknown field: exit 2, one line."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"), **kwargs)
    before = sha256(path)
    result = run("validate", path)
    assert result.exit_code == 2
    assert words in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("ERROR")]) == 1
    assert sha256(path) == before


def test_a_return_of_another_year_than_asked(tmp_path: Path) -> None:
    """A 2023-24 data sheet given as 2024-25: refused, naming both years."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"))
    result = run("validate", path, "--year", "2024-25")
    assert result.exit_code == 2
    assert "the data sheet '23-24 data' is for 2023-24, not 2024-25" in result.output


def test_text_in_row_two_is_a_finding_at_its_cell(tmp_path: Path) -> None:
    """A value typed as words: an error at the typed cell."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", {**figures("2023-24"), "NOGRANT": "three"})
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout)["files"][0]["findings"] if f["field"] == "NOGRANT"]
    assert found
    assert found[0]["rule"] == "values.whole_number"
    assert found[0]["actual"] == "three"


def test_a_breakdown_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    """An age group typed 6 for 5: the Category 1, Level 2 column of the age block no longer adds up to 12."""
    path = make_return(
        tmp_path / "return.xlsx", "2023-24", figures("2023-24"), blocks={("age", 2, "CAT1L2"): 6}
    )
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    found = [f for f in findings if "cross.breakdown_adds_up" in f["rules"]]
    assert found
    assert "adds up to 13, but 12 were at that category and level on 31 March" in found[0]["message"]
    # The age group's cell is one of the cells that would put it right (201 is the age block's second row).
    assert "'Data entry'!C201 → 5" in (found[0]["suggestion"] or "")


def test_a_31_march_count_against_every_breakdown_is_located(tmp_path: Path) -> None:
    """12 typed as 21 on 31 March while all three breakdowns say 12: located at the 31 March cell, with 12."""
    values = {**figures("2023-24"), "CAT1L2": 21}
    path = make_return(tmp_path / "return.xlsx", "2023-24", values, blocks=_blocks_for(figures("2023-24")))
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    located = [f for f in findings if f["field"] == "CAT1L2" and "cross.breakdown_adds_up" in f["rules"]]
    assert located
    assert (located[0]["actual"], located[0]["expected"]) == (21, 12)
    assert "two digits swapped" in located[0]["message"]


def _blocks_for(values: dict[str, Any]) -> dict[tuple[str, int, str], Any]:
    return breakdowns(values)


def test_a_missing_breakdown_anchor_is_one_line(tmp_path: Path) -> None:
    """The block's first label gone from column B: exit 2 naming it."""
    path = make_return(tmp_path / "return.xlsx", "2023-24", figures("2023-24"), anchors=False)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "'Data entry' has no 'Under 18' in column B" in result.output


def test_strict_passes_a_return_that_carries_no_stated_rate_or_share(tmp_path: Path) -> None:
    """A return has no stated rate and no commentary: with --population its rate is said (1560 ÷ 1,565,295 ×
    100,000 = 99.66 → 100) and the two rules are 'not applicable', which --strict does not fail (it fails a
    rule that could not be checked). The sign-off pack says so in words."""
    from combine_sets import population_table

    path = make_return(tmp_path / "kent.xlsx", "2023-24", figures("2023-24"))
    pop = population_table(tmp_path / "population_mid2023.csv")
    result = CliRunner().invoke(main, ["validate", str(path), "--population", str(pop), "--strict"])
    assert result.exit_code == 0, result.output
    assert (
        "Not applicable: rate.matches (a return carries no stated rate; its figures give 100 per 100,000: "
        "1,560 ÷ 1,565,295 aged 10+ × 100,000 = 99.66)" in result.output
    )
    assert (
        "Not applicable: claims.level1_share (a return carries no stated Level 1 share; give "
        in result.output
    )
    assert "2 not applicable" in result.output
    document = json.loads(
        CliRunner().invoke(main, ["validate", str(path), "--population", str(pop), "-f", "json"]).output
    )
    statuses = {r["id"]: r["status"] for r in document["files"][0]["rules"]}
    assert statuses["rate.matches"] == statuses["claims.level1_share"] == "not applicable"
    assert document["files"][0]["summary"]["not_applicable"] == 2
    pack = CliRunner().invoke(main, ["signoff", str(path), "--population", str(pop), "-f", "markdown"])
    assert pack.exit_code == 0
    assert "not applicable" in pack.output


def test_strict_still_fails_a_workbook_with_no_stated_share(tmp_path: Path) -> None:
    """An area's own workbook with its commentary cell left empty: that could have been checked and was not,
    so --strict fails it ('Not checked'), unlike a return's."""
    from conftest import KENT_XLSX
    from helpers import edit_copy

    copy = edit_copy(KENT_XLSX, tmp_path / "kent.xlsx", {"E41": None})
    result = CliRunner().invoke(main, ["validate", str(copy), "--strict"])
    assert result.exit_code == 1
    assert "Not checked: claims.level1_share" in result.output
