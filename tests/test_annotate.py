"""validate --annotate OUT: the findings written back into a copy of the manager's own workbook.

The copy carries each finding at its cell (a fill and a box, and a note with the message and the suggestion)
and a first sheet 'Checks'; every other cell, style, validation and sheet is as the input had it, and the
input itself is never changed (its SHA-256 is compared).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from conftest import SAMPLES, sha256
from mappa_stats.cli.main import main
from mappa_stats.definitions.templates import Severity
from mappa_stats.findings import Finding
from mappa_stats.publication.annotate import annotate
from mappa_stats.validate import FileReport

SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"
SOFFICE = shutil.which("soffice")
# LibreOffice runs here and in CI (CI=true); a developer machine without it skips that one test.
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def _look(cell: Any) -> tuple[Any, ...]:
    """Everything a cell shows or holds, bar a comment: value (a formula as its text), format and styles."""
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
    )


def _same_except(source: Path, copy: Path, marked: set[tuple[str, str]]) -> None:
    """Every sheet of the input is in the copy, every cell the same except the marked ones; the same
    data validation, merged ranges and column widths."""
    before, after = load_workbook(source), load_workbook(copy)
    assert after.sheetnames == ["Checks", *before.sheetnames]
    for ws in before.worksheets:
        other = after[ws.title]
        refs = {c.coordinate for row in ws.iter_rows() for c in row}
        refs |= {c.coordinate for row in other.iter_rows() for c in row}
        for ref in refs:
            if (ws.title, ref) in marked:
                continue
            assert _look(ws[ref]) == _look(other[ref]), (ws.title, ref)
            assert (ws[ref].comment is None) == (other[ref].comment is None), (ws.title, ref)
        assert [(v.type, str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation] == [
            (v.type, str(v.sqref), v.formula1) for v in other.data_validations.dataValidation
        ]
        assert set(map(str, ws.merged_cells.ranges)) == set(map(str, other.merged_cells.ranges))
        assert {k: d.width for k, d in ws.column_dimensions.items()} == {
            k: d.width for k, d in other.column_dimensions.items()
        }


def test_the_swapped_digits_are_written_back_at_their_cell(tmp_path: Path) -> None:
    """samples/errors/swapped_digits.xlsx: C5 holds 778 for Kent's published 787 (Level 1, Category 2).
    The copy marks C5 (fill and box), its note gives the message and the suggestion; nothing else changes;
    the input's bytes are as they were."""
    before = sha256(SWAPPED)
    out = tmp_path / "checked.xlsx"
    result = run("validate", SWAPPED, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert sha256(SWAPPED) == before
    copy = load_workbook(out)
    c5 = copy["Statistics"]["C5"]
    assert c5.value == 778
    assert c5.comment is not None
    assert "change 'Statistics'!C5 from 778 to 787 (probably two digits swapped)" in c5.comment.text
    assert "787 would make both the Level 1 row and the Category 2 column add up" in c5.comment.text
    assert c5.fill.fill_type == "solid" and c5.fill.fgColor.rgb.endswith("FFC7CE")
    assert all(getattr(c5.border, side).style == "thick" for side in ("left", "right", "top", "bottom"))
    _same_except(SWAPPED, out, {("Statistics", "C5")})


def test_the_checks_sheet_lists_each_finding_with_a_link(tmp_path: Path) -> None:
    """'Checks' comes first: the verdict, what was not checked, and the finding linked to its cell."""
    out = tmp_path / "checked.xlsx"
    assert run("validate", SWAPPED, "--annotate", out).exit_code == 1
    checks = load_workbook(out)["Checks"]
    text = [str(c.value) for row in checks.iter_rows() for c in row if c.value is not None]
    assert any("FAIL — 1 error, 0 warnings" in t for t in text)
    # The sample's rate is now checked on the built-in mid-2014 estimates: nothing is left unchecked.
    assert not any(t.startswith("Not checked:") for t in text)
    link = next(c for row in checks.iter_rows() for c in row if c.value == "'Statistics'!C5")
    assert link.hyperlink is not None and link.hyperlink.location == "'Statistics'!C5"
    active = load_workbook(out).active
    assert active is not None and active.title == "Checks"


def test_the_checks_sheet_says_what_was_not_checked(tmp_path: Path) -> None:
    """A 2024-25 workbook's rate needs the ONS mid-2024 estimates, which are not built in: the Checks sheet
    says the rate rules were not checked, and why, as the report does."""
    source = SAMPLES.parent / "tests" / "golden" / "inputs" / "gen" / "kent_2024.xlsx"
    out = tmp_path / "checked.xlsx"
    assert run("validate", source, "--annotate", out).exit_code == 0
    checks = load_workbook(out)["Checks"]
    text = [str(c.value) for row in checks.iter_rows() for c in row if c.value is not None]
    assert any(t.startswith("Not checked: rate.matches, rate.vintage") and "mid-2024" in t for t in text)


def test_formulas_validation_and_other_sheets_are_kept(tmp_path: Path) -> None:
    """A workbook with a formula, a data validation and a sheet of notes of its own keeps all three."""
    source = tmp_path / "kent.xlsx"
    book = load_workbook(SWAPPED)
    notes = book.create_sheet("Our notes")
    notes["A1"], notes["B1"] = "Checked by", '=CONCATENATE("A","B")'
    check = DataValidation(type="whole", operator="between", formula1="0", formula2="9")
    book["Statistics"].add_data_validation(check)
    check.add("H20")
    book.save(source)
    out = tmp_path / "checked.xlsx"
    assert run("validate", source, "--annotate", out).exit_code == 1
    copy = load_workbook(out)
    assert copy["Our notes"]["B1"].value == '=CONCATENATE("A","B")'
    _same_except(source, out, {("Statistics", "C5")})


def test_text_from_the_input_never_becomes_a_formula(tmp_path: Path) -> None:
    """Whatever a finding says (it quotes the input: a sheet name, a cell's text), the copy holds it as text:
    a message and a suggestion that start with '=' and '@' are written as text, never run as formulas."""
    hostile = Finding(
        rule="values.whole_number",
        severity=Severity.ERROR,
        table="snapshot",
        row="level1",
        column="cat2",
        sheet="Statistics",
        cell="C5",
        expected=787,
        actual='=HYPERLINK("http://x","y")',
        message='=HYPERLINK("http://x","y")',
        suggestion="@SUM(1,2)",
    )
    report = FileReport(path="in.xlsx", sha256=None, template="2014-15", area="Kent", findings=(hostile,))
    out = tmp_path / "checked.xlsx"
    annotate(SWAPPED, report, out)
    checks = load_workbook(out)["Checks"]
    texts = [c for row in checks.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in texts)
    assert any(str(c.value).endswith('HYPERLINK("http://x","y")') for c in texts)
    assert any(str(c.value).endswith("@SUM(1,2)") for c in texts)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: ["--annotate", d / "in.xlsx"], "is also an input file; the input is never overwritten"),
        (
            lambda d: ["--annotate", d / "out.ods"],
            "the copy is an .xlsx workbook as in.xlsx is; name it out.xlsx",
        ),
        (lambda d: [d / "in.xlsx", "--annotate", d / "out.xlsx"], "give one FILE (.xlsx or .ods)"),
    ],
)
def test_annotate_refusals_are_one_line(tmp_path: Path, make: Any, words: str) -> None:
    """OUT is the input, OUT is not .xlsx, two files: exit 2, one line, nothing written, input unchanged."""
    source = tmp_path / "in.xlsx"
    shutil.copy(SWAPPED, source)
    before = sha256(source)
    result = run("validate", source, *make(tmp_path))
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert sha256(source) == before
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "out.ods").exists()


@needs_soffice
def test_libreoffice_opens_the_annotated_copy(tmp_path: Path) -> None:
    """LibreOffice (headless) opens the copy without repair: it converts to PDF, and saved again as .xlsx
    by LibreOffice the note on C5 and the 'Checks' sheet are still there."""
    out = tmp_path / "checked.xlsx"
    assert run("validate", SWAPPED, "--annotate", out).exit_code == 1
    profile = (tmp_path / "profile").as_uri()
    for to, folder in (("pdf", "pdf"), ("xlsx:Calc MS Excel 2007 XML", "xlsx")):
        done = subprocess.run(
            [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
             to, "--outdir", str(tmp_path / folder), str(out)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (done.stdout, done.stderr)
    assert (tmp_path / "pdf" / "checked.pdf").read_bytes()[:5] == b"%PDF-"
    again = load_workbook(tmp_path / "xlsx" / "checked.xlsx")
    assert again.sheetnames[0] == "Checks"
    note = again["Statistics"]["C5"].comment
    assert note is not None and "from 778 to 787" in note.text


@pytest.mark.parametrize("name", ["pack.html", "pack.md"])
def test_signoff_writes_the_annotated_copy_and_links_to_it(tmp_path: Path, name: str) -> None:
    """signoff --annotate OUT: the copy is written as validate --annotate writes it (C5 noted with the
    suggestion), and the pack, in another folder, links to it by a relative link and names it in the audit
    trail; the input is unchanged."""
    before = sha256(SWAPPED)
    (tmp_path / "packs").mkdir()
    pack, out = tmp_path / "packs" / name, tmp_path / "checked copy.xlsx"
    result = run("signoff", SWAPPED, "-o", pack, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert sha256(SWAPPED) == before
    note = load_workbook(out)["Statistics"]["C5"].comment
    assert note is not None and "from 778 to 787" in note.text
    text = pack.read_text(encoding="utf-8")
    if name == "pack.html":
        assert '<a href="../checked%20copy.xlsx">checked copy.xlsx</a>' in text
        assert "<dt>Annotated copy</dt><dd>checked copy.xlsx</dd>" in text
    else:
        assert "[checked copy.xlsx](../checked%20copy.xlsx)" in text
        assert "- Annotated copy: checked copy.xlsx" in text


def test_signoff_without_annotate_names_no_copy(tmp_path: Path) -> None:
    """No --annotate: no link and no 'Annotated copy' line."""
    pack = tmp_path / "pack.html"
    assert run("signoff", SWAPPED, "-o", pack).exit_code == 1
    assert "Annotated copy" not in pack.read_text(encoding="utf-8")


def test_signoff_annotate_refusals(tmp_path: Path) -> None:
    """signoff --annotate over its input, or of another kind: exit 2, one line, nothing written."""
    source = tmp_path / "in.xlsx"
    shutil.copy(SWAPPED, source)
    before = sha256(source)
    over = run("signoff", source, "--annotate", source)
    assert over.exit_code == 2 and "is also an input file" in over.output
    kind = run("signoff", source, "--annotate", tmp_path / "out.ods", "-o", tmp_path / "pack.md")
    assert kind.exit_code == 2 and "name it out.xlsx" in kind.output
    assert sha256(source) == before
    assert not (tmp_path / "pack.md").exists() and not (tmp_path / "out.ods").exists()


def test_annotating_an_annotated_copy_replaces_its_own_marks(tmp_path: Path) -> None:
    """The manager's loop (issue 22): annotate, set C5 to the suggested 787 in the copy and save, annotate
    the copy again. One Checks sheet, saying PASS; C5 as it was before it was marked (no fill, box or note);
    every other cell and sheet as in the manager's workbook; the manager's own note on B7 kept."""
    from openpyxl.comments import Comment

    source = tmp_path / "kent.xlsx"
    book = load_workbook(SWAPPED)
    book["Statistics"]["B7"].comment = Comment("Checked with the SPOC", "Manager")
    book.save(source)
    first = tmp_path / "checked.xlsx"
    assert run("validate", source, "--annotate", first).exit_code == 1
    edited = load_workbook(first)
    edited["Statistics"]["C5"] = 787
    edited.save(first)  # the manager's save (openpyxl writes it again, styles and properties as read)
    again = tmp_path / "again.xlsx"
    result = run("validate", first, "--annotate", again)
    assert result.exit_code == 0, result.output
    copy = load_workbook(again)
    assert copy.sheetnames == ["Checks", *book.sheetnames]
    said = [c.value for c in copy["Checks"]["A"] if isinstance(c.value, str)]
    assert any("PASS" in line for line in said) and not any("FAIL" in line for line in said)
    c5, was = copy["Statistics"]["C5"], load_workbook(source)["Statistics"]["C5"]
    assert c5.value == 787 and c5.comment is None
    assert _look(c5)[1:] == _look(was)[1:]
    assert copy["Statistics"]["B7"].comment is not None
    assert copy["Statistics"]["B7"].comment.text == "Checked with the SPOC"
    _same_except(source, again, {("Statistics", "C5")})


@needs_soffice
def test_marks_are_taken_away_after_libreoffice_saves_the_copy(tmp_path: Path) -> None:
    """The copy edited and saved by LibreOffice: its record of the marks (document properties) is kept, so
    the second run takes C5's fill, box and note away; one Checks sheet."""
    first = tmp_path / "checked.xlsx"
    assert run("validate", SWAPPED, "--annotate", first).exit_code == 1
    edited = load_workbook(first)
    edited["Statistics"]["C5"] = 787
    edited.save(first)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
         "xlsx", "--outdir", str(tmp_path / "saved"), str(first)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    again = tmp_path / "again.xlsx"
    result = run("validate", tmp_path / "saved" / "checked.xlsx", "--annotate", again)
    assert result.exit_code == 0, result.output
    copy = load_workbook(again)
    assert copy.sheetnames == ["Checks", "Statistics"]
    c5 = copy["Statistics"]["C5"]
    assert c5.value == 787 and c5.comment is None and c5.fill.fill_type is None
    assert all(getattr(c5.border, side).style is None for side in ("left", "right", "top", "bottom"))


def test_an_annotated_copy_typed_into_is_named_as_one_when_refused(tmp_path: Path) -> None:
    """The first command run again after the manager typed into the copy: refused without --force (the
    manager's work is not replaced), in words that say what the file is (it was called 'not written by
    mappa-stats'); with --force, replaced. The manager's workbook, not annotated, keeps the old words."""
    out = tmp_path / "sd_checked.xlsx"
    assert run("validate", SWAPPED, "--annotate", out).exit_code == 1
    edited = load_workbook(out)
    edited["Statistics"]["C5"] = 787
    edited.save(out)
    before = sha256(out)
    result = run("validate", SWAPPED, "--annotate", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"mappa-stats: error: {out}: is an annotated copy mappa-stats wrote, changed since; give --force to "
        "replace it, or choose another name"
    ]
    assert sha256(out) == before
    assert run("validate", SWAPPED, "--annotate", out, "--force").exit_code == 1
    theirs = tmp_path / "theirs.xlsx"
    shutil.copy(SWAPPED, theirs)
    result = run("validate", SWAPPED, "--annotate", theirs)
    assert "already exists and was not written by mappa-stats" in result.output


def test_a_copy_annotated_before_the_record_loses_its_marks_too(tmp_path: Path) -> None:
    """A copy written before marks were recorded (the trial's sd_checked.xlsx): its Checks sheet is removed,
    and a cell still wearing the mark's fill and box loses them and mappa-stats's note (the manager's note
    before it kept)."""
    from openpyxl.comments import Comment

    source = tmp_path / "kent.xlsx"
    book = load_workbook(SWAPPED)
    book["Statistics"]["C5"].comment = Comment("Typed from the SPOC's return", "Manager")
    book.save(source)
    first = tmp_path / "sd_checked.xlsx"
    assert run("validate", source, "--annotate", first).exit_code == 1
    old = load_workbook(first)
    props = old.custom_doc_props  # type: ignore[attr-defined]
    for prop in [p for p in props if p.name.startswith("mappa-stats marks")]:
        props.props.remove(prop)
    old["Statistics"]["C5"] = 787
    old.save(first)
    again = tmp_path / "again.xlsx"
    assert run("validate", first, "--annotate", again).exit_code == 0
    copy = load_workbook(again)
    assert copy.sheetnames == ["Checks", "Statistics"]
    c5 = copy["Statistics"]["C5"]
    assert c5.fill.fill_type is None and getattr(c5.border.left, "style", None) is None
    assert c5.comment is not None and c5.comment.text == "Typed from the SPOC's return"
