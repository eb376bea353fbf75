"""compare at every field: the field that moved, its cell in each file, why it is large and, for a total, the
fields that explain it, in text, JSON and CSV; a rate whose base changed is not called large; a passing run
never says every claim reproduces over claims it could not check."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from mappa_stats.cli.main import main
from returns import figures, make_return

GOLDEN = Path(__file__).parent / "golden" / "inputs" / "gen"
# Kent's Category 1 at Level 1 (1,548, the seed report) typed 2,167 in the later return: 1,548 × 1.4 = 2,167.2,
# a rise of 619 (+39.99%); 3 × √1,548 = 118.0, so it is a large change.
TYPED = 2167


def returns(tmp_path: Path) -> tuple[Path, Path]:
    last = make_return(tmp_path / "kent_2024.xlsx", "2023-24", figures("2023-24"))
    this = make_return(tmp_path / "kent_2025.xlsx", "2024-25", {**figures("2024-25"), "CAT1L1": TYPED})
    return last, this


def test_the_field_that_moved_is_named_with_its_cell_in_text(tmp_path: Path) -> None:
    """The LARGE CHANGE line names CAT1L1, the cell it was typed in (the return's data-entry cell D11 that
    its data sheet points at) in each file, and why; the totals' lines point at CAT1L1."""
    last, this = returns(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(last), str(this)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    (typed,) = [x for x in lines if "(CAT1L1)" in x]
    assert typed == (
        "LARGE CHANGE  Kent Category 1, Level 1, 31 March (CAT1L1) 2023-24 → 2024-25: 1,548 → 2,167 (+619, +40.0%); "
        f"at 'Data entry'!D11 of {this} (was 'Data entry'!D11 of {last}); large: a rise of 25% or more, and 619 "
        "is more than 3 × √1,548 = 118.0"
    )
    (total,) = [x for x in lines if "(CAT1TOT)" in x and x.startswith("LARGE")]
    assert total.endswith("; explained by CAT1L1 +619")


def test_the_field_that_moved_is_named_with_its_cell_in_json_and_csv(tmp_path: Path) -> None:
    """The JSON change of CAT1L1 carries its label, each year's cell and why; the CSV row its cell."""
    last, this = returns(tmp_path)
    document = json.loads(
        CliRunner().invoke(main, ["compare", str(last), str(this), "--format", "json"]).output
    )
    (area,) = document["areas"]
    (change,) = [c for c in area["changes"] if c["field"] == "CAT1L1"]
    assert change["large"] is True
    assert change["percent_change"] == 39.99  # 619 ÷ 1,548 = 39.987%
    assert change["label"] == "Category 1, Level 1, 31 March"
    assert change["cells"] == {
        "2023-24": f"'Data entry'!D11 of {last}",
        "2024-25": f"'Data entry'!D11 of {this}",
    }
    assert "3 × √1,548" in change["why"]
    (cat1,) = [c for c in area["changes"] if c["field"] == "CAT1TOT"]
    assert cat1["explained_by"] == [{"field": "CAT1L1", "change": 619}]
    # Every field of the year is compared, not only the key figures: the breaches of notification too.
    assert {"CAT1L1", "SOPOGRANT", "CAT1L2LICBREACH"} <= {f["field"] for f in area["figures"]}
    text = CliRunner().invoke(main, ["compare", str(last), str(this), "--format", "csv"]).output
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["field"] == "CAT1L1" and r["year"] == "2024-25"]
    assert rows[0]["cell"] == f"'Data entry'!D11 of {this}"
    assert rows[0]["status"] == "large change"


def test_a_rate_across_the_change_of_base_is_not_a_large_change(tmp_path: Path) -> None:
    """70 → 96 from 2012-13 (all ages) to 2013-14 (aged 10+) is +37%, but a change of base, said so."""
    path = tmp_path / "kent.csv"
    path.write_text(
        "area,year,field,value\nKent,2012-13,RSORATE,70\nKent,2013-14,RSORATE,96\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["compare", str(path)])
    assert result.exit_code == 0, result.output
    assert "NOT COMPARED" in result.output
    assert "the rate's base changed (all ages → aged 10+): not compared as a change" in result.output


def test_a_pass_with_a_claim_not_checked_says_how_many(tmp_path: Path) -> None:
    """One claim reproduces (Level 1 2,335 of 2,357 = 99.07%, '99%') and one rate cannot be checked (no
    population): the verdict says 1 of 2 reproduce and 1 could not be checked, never 'every claim'."""
    path = tmp_path / "kent.csv"
    path.write_text(
        "area,year,field,value\nKent,2014-15,LEVEL1TOT,2335\nKent,2014-15,TOTAL_MAPPA_OFFENDERS,2357\n",
        encoding="utf-8",
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "kind,area,year,from_year,stated\nlevel1_share,Kent,2014-15,,99%\nrate,Kent,2014-15,,100\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["compare", str(path), "--claims", str(claims)])
    first = result.output.splitlines()[0]
    assert "PASS" in first
    assert "1 of 2 claims reproduce and 1 could not be checked" in first
    assert "every claim checked reproduces" not in result.output


def test_the_wording_fits_the_input_a_tidy_csv_is_not_a_return(tmp_path: Path) -> None:
    """A 2024-25 tidy CSV of an area report without its commentary row is told 'a tidy CSV has no stated
    Level 1 share', not 'a return carries no stated Level 1 share'."""
    whole = GOLDEN / "kent_2024.csv"  # the golden corpus's 2024-25 tidy CSV of Kent's report
    rows = [r for r in whole.read_text(encoding="utf-8").splitlines() if ",commentary," not in r]
    path = tmp_path / "kent_2025.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "a tidy CSV has no stated Level 1 share" in result.output
    assert "a return carries" not in result.output
