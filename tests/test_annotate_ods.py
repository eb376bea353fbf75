"""validate X.ods --annotate OUT.ods: the findings written back into a copy of the manager's own spreadsheet.

The manager's .ods here is samples/errors/swapped_digits.xlsx as LibreOffice itself saves it (File > Save As,
ODF Spreadsheet): C5 holds 778 for Kent's published 787 (Level 1, Category 2). The copy marks C5 (a new
automatic style with a fill and a thick box) and notes it (office:annotation); every other zip member is the
input's byte for byte, every other cell and style as it was (read back by the project's own ODS reader and
compared element by element), and the input's SHA-256 is unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import SAMPLES, sha256
from mappa_stats.cli.main import main
from mappa_stats.definitions.templates import Severity
from mappa_stats.findings import Finding
from mappa_stats.io.book import q
from mappa_stats.io.sheets import ods_sheets
from mappa_stats.publication.annotate_ods import annotate_ods
from mappa_stats.validate import FileReport
from returns import figures, make_return

SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"
SOFFICE = shutil.which("soffice")
# The manager's .ods is made by LibreOffice, as a manager makes it: without soffice (and outside CI) skipped.
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def _convert(source: Path, to: str, folder: Path) -> Path:
    """LibreOffice (headless, its own profile) converts `source`; the converted file."""
    done = subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(folder), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    converted = folder / f"{source.stem}.{to.split(':')[0]}"
    assert done.returncode == 0 and converted.is_file(), (done.stdout, done.stderr)
    return converted


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The swapped-digits sample, with a sheet of the manager's own holding a formula, saved as .ods."""
    folder = tmp_path_factory.mktemp("ods")
    book = load_workbook(SWAPPED)
    notes = book.create_sheet("Our notes")
    notes["A1"], notes["B1"], notes["B2"] = "Level 1 total", "=SUM(Statistics!B5:D5)", '=HYPERLINK("#A1","x")'
    source = folder / "kent.xlsx"
    book.save(source)
    return _convert(source, "ods", folder)


@pytest.fixture
def manager_ods(tmp_path: Path, saved_by_libreoffice: Path) -> Path:
    copy = tmp_path / "kent.ods"
    shutil.copy(saved_by_libreoffice, copy)
    return copy


def _cells(content: bytes, sheet: str, rows: int = 120, columns: int = 30) -> dict[tuple[int, int], Any]:
    """Every cell of a sheet within (rows, columns), repeats expanded: its attributes and its XML inside."""
    table = next(t for t in ET.fromstring(content).iter(q("table:table")) if t.get(q("table:name")) == sheet)
    out: dict[tuple[int, int], Any] = {}
    r = 0
    for row in table.iter(q("table:table-row")):
        for _ in range(int(row.get(q("table:number-rows-repeated"), "1"))):
            r += 1
            if r > rows:
                return out
            c = 0
            for cell in row:
                for _ in range(int(cell.get(q("table:number-columns-repeated"), "1"))):
                    c += 1
                    if c <= columns:
                        attrs = {
                            k: v for k, v in cell.attrib.items() if k != q("table:number-columns-repeated")
                        }
                        out[(r, c)] = (cell.tag, attrs, [ET.tostring(child) for child in cell])
    return out


def test_the_swapped_digits_are_written_back_at_their_cell(tmp_path: Path, manager_ods: Path) -> None:
    """C5 carries an annotation with the message and the suggestion, a style with a fill and a thick box;
    every other cell of every sheet is as it was; every zip member but content.xml and meta.xml is the
    input's byte for byte; the input's SHA-256 is unchanged."""
    before = sha256(manager_ods)
    out = tmp_path / "checked.ods"
    result = run("validate", manager_ods, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert sha256(manager_ods) == before
    with zipfile.ZipFile(manager_ods) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
        assert changed == {"content.xml", "meta.xml", "styles.xml"}
        old, new = a.read("content.xml"), b.read("content.xml")
        styles_was, styles_now = ET.fromstring(a.read("styles.xml")), ET.fromstring(b.read("styles.xml"))
    # styles.xml: one page style added (Checks printed one page wide), every other element kept.
    added = [
        e for e in styles_now.iter() if ET.tostring(e) not in {ET.tostring(w) for w in styles_was.iter()}
    ]
    assert {e.get(q("style:name")) for e in added if e.get(q("style:name"))} >= {
        "mappa-checks",
        "mappa-checks-pm",
    }
    assert all(
        ET.tostring(w) in {ET.tostring(e) for e in styles_now.iter()} for w in styles_was.iter() if not len(w)
    )
    for sheet in ("Statistics", "Our notes"):
        was, now = _cells(old, sheet), _cells(new, sheet)
        assert set(was) == set(now)
        for at in was:
            if (sheet, at) != ("Statistics", (5, 3)):
                assert was[at] == now[at], (sheet, at)
    _tag, attrs, inside = _cells(new, "Statistics")[(5, 3)]
    assert attrs[q("office:value")] == "778"
    note = ET.fromstring(inside[0])
    assert note.tag == q("office:annotation")
    text = "\n".join("".join(p.itertext()) for p in note.iter(q("text:p")))
    assert "Suggestion: change 'Statistics'!C5 from 778 to 787 (probably two digits swapped)" in text
    style = next(
        s
        for s in ET.fromstring(new).iter(q("style:style"))
        if s.get(q("style:name")) == attrs[q("table:style-name")]
    )
    props = style.find(q("style:table-cell-properties"))
    assert props is not None
    assert props.get(q("fo:background-color")) == "#ffc7ce"
    assert props.get(q("fo:border")) == "2.5pt solid #c00000"
    # The cell's own number format is kept in the marked style.
    original = _cells(old, "Statistics")[(5, 3)][1][q("table:style-name")]
    kept = next(s for s in ET.fromstring(old).iter(q("style:style")) if s.get(q("style:name")) == original)
    assert style.get(q("style:data-style-name")) == kept.get(q("style:data-style-name"))


def test_every_value_reads_back_the_same(tmp_path: Path, manager_ods: Path) -> None:
    """The project's own ODS reader reads the same value in every cell of every sheet of the copy, and the
    copy has one more sheet, 'Checks', first."""
    out = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", out).exit_code == 1
    before = {s.name: s.cells for s in ods_sheets(manager_ods, manager_ods.read_bytes())}
    after = {s.name: s.cells for s in ods_sheets(out, out.read_bytes())}
    assert list(after) == ["Checks", *before]
    for name, cells in before.items():
        assert after[name] == cells, name


def test_libreoffice_opens_the_copy(tmp_path: Path, manager_ods: Path) -> None:
    """LibreOffice (headless) opens the copy: it converts to PDF, and to .xlsx, where C5 carries the note
    with the suggestion, a fill and a thick box; Checks comes first with a link to the cell; the manager's
    formulas are still formulas (the 'of:' namespace kept) and compute."""
    out = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", out).exit_code == 1
    assert _convert(out, "pdf", tmp_path / "pdf").read_bytes()[:5] == b"%PDF-"
    again = load_workbook(_convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "xlsx"))
    assert again.sheetnames == ["Checks", "Statistics", "Our notes"]
    c5 = again["Statistics"]["C5"]
    assert c5.value == 778
    assert c5.comment is not None and "from 778 to 787" in c5.comment.text
    assert c5.fill.fgColor.rgb.endswith("FFC7CE")
    assert all(
        getattr(c5.border, side).style in ("thick", "medium") for side in ("left", "right", "top", "bottom")
    )
    checks = again["Checks"]
    text = [str(c.value) for row in checks.iter_rows() for c in row if c.value is not None]
    assert any("FAIL — 1 error, 0 warnings" in t for t in text)
    link = next(c for row in checks.iter_rows() for c in row if c.value == "'Statistics'!C5")
    assert link.hyperlink is not None and link.hyperlink.location == "'Statistics'!C5"
    assert str(again["Our notes"]["B1"].value).upper() == "=SUM(STATISTICS!B5:D5)"
    values = load_workbook(tmp_path / "xlsx" / "checked.xlsx", data_only=True)
    # Level 1 as typed: 1548 in Category 1 and 778 in Category 2 (Category 3 has no Level 1; D5 is blank).
    assert values["Our notes"]["B1"].value == 1548 + 778


def test_text_from_the_input_never_becomes_a_formula(tmp_path: Path, manager_ods: Path) -> None:
    """A message and a suggestion that start with '=' and '@' are written as text cells, never formulas:
    the copy holds no more table:formula attributes than the input did."""
    hostile = Finding(
        rule="values.whole_number", severity=Severity.ERROR, table="snapshot", row="level1", column="cat2",
        sheet="Statistics", cell="C5", expected=787, actual="=1", message='=HYPERLINK("http://x","y")',
        suggestion="@SUM(1,2)",
    )  # fmt: skip
    report = FileReport(path="in.ods", sha256=None, template="2014-15", area="Kent", findings=(hostile,))
    out = tmp_path / "checked.ods"
    annotate_ods(manager_ods, report, out)
    with zipfile.ZipFile(manager_ods) as a, zipfile.ZipFile(out) as b:
        old, new = a.read("content.xml"), b.read("content.xml")
    assert new.count(b"table:formula=") == old.count(b"table:formula=")
    checks = {s.name: s for s in ods_sheets(out, out.read_bytes())}["Checks"]
    texts = {str(v.value) for v in checks.cells.values()}
    assert '=HYPERLINK("http://x","y")' in texts and "@SUM(1,2)" in texts


def test_a_second_run_replaces_its_own_copy_not_one_changed_since(tmp_path: Path, manager_ods: Path) -> None:
    """The copy is recognised as mappa-stats' own while its content is as written (a second run replaces
    it); once saved again with a change, it is refused without --force, as any file not ours is."""
    out = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", out).exit_code == 1
    assert run("validate", manager_ods, "--annotate", out).exit_code == 1
    with zipfile.ZipFile(out) as a:
        members = {n: a.read(n) for n in a.namelist()}
    members["content.xml"] = members["content.xml"].replace(b">1548<", b">1549<")
    with zipfile.ZipFile(out, "w") as b:
        for name, data in members.items():
            b.writestr(name, data)
    result = run("validate", manager_ods, "--annotate", out)
    assert result.exit_code == 2
    assert (
        "checked.ods: is an annotated copy mappa-stats wrote, changed since; give --force to replace it, "
        "or choose another name" in result.output
    )
    assert run("validate", manager_ods, "--annotate", out, "--force").exit_code == 1


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("kent.ods", "is also an input file; the input is never overwritten"),
        ("link.ods", "is also an input file; the input is never overwritten"),
        ("out.xlsx", "the copy is an .ods workbook as kent.ods is; name it out.ods"),
    ],
)
def test_refusals_are_one_line(tmp_path: Path, manager_ods: Path, out: str, words: str) -> None:
    """OUT is the input, or a hard link to it (the same device and inode), or not an .ods: exit 2, one line,
    nothing written, the input unchanged."""
    os.link(manager_ods, tmp_path / "link.ods")
    before = sha256(manager_ods)
    result = run("validate", manager_ods, "--annotate", tmp_path / out, "--force")
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert sha256(manager_ods) == before
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("ref", ["H3", "J60", "AB300"])
def test_a_cell_inside_a_repeated_run_is_marked_alone(tmp_path: Path, manager_ods: Path, ref: str) -> None:
    """A finding on an empty cell that the file stores as one of a run (number-columns-repeated, and rows
    number-rows-repeated): that cell alone is marked and noted, at its own
    address, and every other cell is as it was."""
    row, column = {"H3": (3, 8), "J60": (60, 10), "AB300": (300, 28)}[ref]
    finding = Finding(
        rule="values.missing", severity=Severity.WARNING, table="snapshot", row="level1", column="cat3",
        sheet="Statistics", cell=ref, expected=None, actual=None, message="is blank", suggestion="type 0",
    )  # fmt: skip
    report = FileReport(path="in.ods", sha256=None, template="2014-15", area="Kent", findings=(finding,))
    out = tmp_path / "checked.ods"
    annotate_ods(manager_ods, report, out)
    with zipfile.ZipFile(manager_ods) as a, zipfile.ZipFile(out) as b:
        was = _cells(a.read("content.xml"), "Statistics", rows=320)
        now = _cells(b.read("content.xml"), "Statistics", rows=320)
    assert {at for at in set(was) | set(now) if was.get(at) != now.get(at)} == {(row, column)}
    _tag, attrs, inside = now[(row, column)]
    assert attrs[q("table:style-name")].startswith("mappa-mark")
    assert b"type 0" in inside[0]


def test_the_checks_table_says_what_nothing_cross_checks(tmp_path: Path) -> None:
    """A return saved as .ods: its Checks table carries the report's notes, the fields no total reaches
    (CAT2L1 …) and those only a bound reaches (CAT1L1 …), so the copy says what a PASS does not cover."""
    source = make_return(tmp_path / "kent_return.xlsx", "2024-25", figures("2024-25"))
    ods = _convert(source, "ods", tmp_path)
    out = tmp_path / "checked.ods"
    assert run("validate", ods, "--annotate", out).exit_code == 0
    checks = {s.name: s for s in ods_sheets(out, out.read_bytes())}["Checks"]
    texts = [str(v.value) for v in checks.cells.values()]
    assert any(t.startswith("Note: Not cross-checked: CAT2L1") for t in texts)
    assert any(t.startswith("Note: Checked only against a bound: CAT1L1") for t in texts)


def _edited(path: Path, old: bytes, new: bytes) -> None:
    """The copy as the manager leaves it after typing `new` where it said `old` (its content.xml only)."""
    with zipfile.ZipFile(path) as a:
        members = [(info, a.read(info)) for info in a.infolist()]
    with zipfile.ZipFile(path, "w") as b:
        for info, data in members:
            b.writestr(info, data.replace(old, new) if info.filename == "content.xml" else data)


def test_annotating_an_annotated_copy_replaces_its_own_marks(tmp_path: Path, manager_ods: Path) -> None:
    """The manager's loop (issue 22): annotate, set C5 to the suggested 787 in the copy, annotate the copy
    again. One Checks table, saying PASS; C5 with its own style again and no note; every other cell of every
    sheet as in the manager's file, the manager's own note on B7 kept."""
    _edited(
        manager_ods,
        b"<text:p>Level 1</text:p>",
        b"<office:annotation><dc:creator>Manager</dc:creator><text:p>Checked with the SPOC</text:p>"
        b"</office:annotation><text:p>Level 1</text:p>",
    )
    assert b"Checked with the SPOC" in zipfile.ZipFile(manager_ods).read("content.xml")
    first = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", first).exit_code == 1
    _edited(first, b'office:value="778"', b'office:value="787"')
    _edited(first, b"<text:p>778</text:p>", b"<text:p>787</text:p>")
    again = tmp_path / "again.ods"
    result = run("validate", first, "--annotate", again)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(manager_ods) as a, zipfile.ZipFile(again) as b:
        old, new = a.read("content.xml"), b.read("content.xml")
    names = [t.get(q("table:name")) for t in ET.fromstring(new).iter(q("table:table"))]
    assert names == ["Checks", *(t.get(q("table:name")) for t in ET.fromstring(old).iter(q("table:table")))]
    checks = b"".join(x for _tag, _attrs, inside in _cells(new, "Checks").values() for x in inside)
    assert b"PASS" in checks and b"FAIL" not in checks
    for sheet in ("Statistics", "Our notes"):
        was, now = _cells(old, sheet), _cells(new, sheet)
        assert set(was) == set(now)
        for at in was:
            if (sheet, at) != ("Statistics", (5, 3)):
                assert was[at] == now[at], (sheet, at)
    _tag, attrs, inside = _cells(new, "Statistics")[(5, 3)]
    assert attrs[q("office:value")] == "787" and len(inside) == 1
    assert attrs.get(q("table:style-name")) == _cells(old, "Statistics")[(5, 3)][1].get(q("table:style-name"))
    assert b"Checked with the SPOC" in new


def test_marks_are_taken_away_after_libreoffice_saves_the_copy(tmp_path: Path, manager_ods: Path) -> None:
    """The copy edited and saved by LibreOffice (which writes every style again): the second run still
    finds its marks by the record in meta.xml; C5 has no fill, no box and no note; one Checks table."""
    first = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", first).exit_code == 1
    _edited(first, b'office:value="778"', b'office:value="787"')
    _edited(first, b"<text:p>778</text:p>", b"<text:p>787</text:p>")
    (tmp_path / "saved").mkdir()
    saved = _convert(first, "ods", tmp_path / "saved")
    again = tmp_path / "again.ods"
    result = run("validate", saved, "--annotate", again)
    assert result.exit_code == 0, result.output
    new = zipfile.ZipFile(again).read("content.xml")
    names = [t.get(q("table:name")) for t in ET.fromstring(new).iter(q("table:table"))]
    assert names == ["Checks", "Statistics", "Our notes"]
    _tag, attrs, inside = _cells(new, "Statistics")[(5, 3)]
    assert attrs[q("office:value")] == "787" and len(inside) == 1
    style = next(
        s
        for s in ET.fromstring(new).iter(q("style:style"))
        if s.get(q("style:name")) == attrs.get(q("table:style-name"))
    )
    assert b"ffc7ce" not in ET.tostring(style) and b"c00000" not in ET.tostring(style)


def test_a_renamed_mark_is_taken_away_by_its_look(tmp_path: Path, manager_ods: Path) -> None:
    """A save that renames the automatic styles (the mark's and the cell's own): the second run knows the
    mark by its fill and box, and gives C5 a twin of it without them (its number format kept)."""
    first = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", first).exit_code == 1
    own = _cells(zipfile.ZipFile(manager_ods).read("content.xml"), "Statistics")[(5, 3)][1][
        q("table:style-name")
    ]
    _edited(first, b'"mappa-mark1"', b'"ce990"')
    _edited(first, f'"{own}"'.encode(), b'"ce991"')
    again = tmp_path / "again.ods"
    assert run("validate", first, "--annotate", again).exit_code == 1  # still 778: marked afresh
    _edited(again, b'office:value="778"', b'office:value="787"')
    third = tmp_path / "third.ods"
    assert run("validate", again, "--annotate", third).exit_code == 0
    new = zipfile.ZipFile(third).read("content.xml")
    _tag, attrs, inside = _cells(new, "Statistics")[(5, 3)]
    assert len(inside) == 1
    styles = {s.get(q("style:name")): s for s in ET.fromstring(new).iter(q("style:style"))}
    style = styles[attrs[q("table:style-name")]]
    assert b"ffc7ce" not in ET.tostring(style) and b"c00000" not in ET.tostring(style)
    assert style.get(q("style:data-style-name")) == styles["ce991"].get(q("style:data-style-name"))


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_checks_table_prints_one_page_wide(tmp_path: Path, manager_ods: Path) -> None:
    """LibreOffice makes the copy a PDF: Checks is one landscape page (it was three: its five columns across
    pages), every column on it; the manager's sheets print as they did. Annotated again, one page style."""
    out = tmp_path / "checked.ods"
    assert run("validate", manager_ods, "--annotate", out).exit_code == 1
    again = tmp_path / "again.ods"
    assert run("validate", out, "--annotate", again).exit_code == 1
    (tmp_path / "pdf").mkdir()
    copy, theirs = _convert(again, "pdf", tmp_path / "pdf"), _convert(manager_ods, "pdf", tmp_path / "pdf")
    assert _pages(copy) == _pages(theirs) + 1
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(copy), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert all(heading in first for heading in ("Severity", "Rule", "Cell", "What is wrong", "Suggestion"))
    styles = zipfile.ZipFile(again).read("styles.xml")
    assert (
        styles.count(b'style:name="mappa-checks"') == 1 and styles.count(b'style:name="mappa-checks-pm"') == 1
    )
