"""The Analysis Function's accessibility checklist, item by item, on the publication workbooks (.xlsx, .ods).

`mappa_stats.checklist` (the `check-publication` command) reads a workbook as a user's spreadsheet program
would see it — openpyxl and the drawing parts for an .xlsx, the XML parts for an .ods — never through the
writer. Here it runs on the Kent workbook and the national workbook in both formats (26 of 26 items), on a
workbook made badly on purpose (each of its faults fails its own item), and the content a checklist cannot
judge (units, descriptions, abbreviations, the cover's words) is checked line by line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import KENT_XLSX
from mappa_stats.checklist import BASICS, ITEMS, RELEASING, Verdict, check_book, check_publication
from mappa_stats.cli.main import main
from mappa_stats.io.book import Book, read_book

COVER = (
    "--release-date",
    "1 December 2015",
    "--next-release",
    "Autumn 2016",
    "--contact",
    "kent.mappa@example.org",
)
RETURNS = Path(__file__).parent / "golden" / "inputs" / "gen" / "returns_2023"


def _publish(tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"kent.{fmt}"
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-o", str(out), *COVER])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(params=["xlsx", "ods"], scope="module")
def path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Kent 2014-15 publication workbook in each format."""
    return _publish(tmp_path_factory.mktemp(request.param), request.param)


@pytest.fixture(scope="module")
def book(path: Path) -> Book:
    return read_book(path)


@pytest.fixture(params=["xlsx", "ods"], scope="module")
def national(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national workbook of the 42 areas and the NSD, 2023-24, with a contact one can reach."""
    out = tmp_path_factory.mktemp("national") / f"national.{request.param}"
    contact = "MAPPA statistics, mappa.stats@justice.gov.uk, 020 7946 0000"
    result = CliRunner().invoke(main, ["combine", str(RETURNS), "-o", str(out), "--contact", contact])
    assert result.exit_code == 0, result.output
    return out


def _failing(path: Path) -> dict[str, tuple[str, ...]]:
    checked = check_publication(path)
    return {o.item.id: o.problems for o in checked.outcomes if o.verdict is Verdict.FAIL}


def test_the_checklist_has_26_items_each_citing_its_guidance() -> None:
    """Twenty-six items, each with its own id, each naming the guidance it comes from."""
    assert len(ITEMS) == 26
    assert len({i.id for i in ITEMS}) == 26
    assert all(i.guidance in (BASICS, RELEASING) for i in ITEMS)
    assert "making-spreadsheets-accessible" in BASICS and "releasing-statistics-in-spreadsheets" in RELEASING


def test_the_kent_workbook_meets_every_item(path: Path) -> None:
    """26 of 26 on the area workbook, .xlsx and .ods."""
    assert _failing(path) == {}
    assert check_publication(path).passed == 26


def test_the_national_workbook_meets_every_item(national: Path) -> None:
    """26 of 26 on the national workbook, .xlsx and .ods."""
    assert _failing(national) == {}


def test_without_a_contact_one_can_reach_the_cover_fails_its_item(tmp_path: Path) -> None:
    """The default contact names a role, not an address: that item fails, and only that one."""
    out = tmp_path / "kent.xlsx"
    assert CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-o", str(out)]).exit_code == 0
    assert list(_failing(out)) == ["cover.contact"]


def test_a_workbook_made_badly_fails_each_item_it_breaks(tmp_path: Path) -> None:
    """A workbook of the usual faults, made with openpyxl: each fault fails its own item."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.table import Table

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "Figures¹"
    ws.append(["Area", "Count"])
    ws.append(["Kent", 1548])
    ws.append(["Surrey", None])
    ws["D3"] = "a note below"
    ws.merge_cells("A6:B6")
    ws.freeze_panes = "A3"
    ws["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.add_table(Table(displayName="Table1", ref="A2:B4"))
    ws.column_dimensions["C"].hidden = True
    wb.create_sheet("My Sheet")
    out = tmp_path / "bad.xlsx"
    wb.save(out)
    failing = _failing(out)
    for item in (
        "tables.names",
        "tables.merged",
        "tables.blank",
        "tables.filters",
        "tables.hidden",
        "notes.sheet",
        "notes.markers",
        "format.titles",
        "format.fill",
        "structure.names",
        "structure.column-a",
        "publish.properties",
        "cover.contact",
        "cover.status",
        "cover.contents",
    ):
        assert item in failing, item


def test_headers_not_aligned_with_their_numbers_fail(book: Book) -> None:
    """The Returns fault of issue 25: a header left over right-aligned numbers fails tables.aligned."""
    sheet = book.sheet("Table_1")
    assert sheet is not None
    head = sheet.cells[(sheet.tables[0].top, 2)]
    assert head.right
    head.right = False
    failing = {o.item.id for o in check_book(book).outcomes if o.verdict is Verdict.FAIL}
    head.right = True
    assert failing == {"tables.aligned"}


def test_a_note_cited_nowhere_fails(book: Book) -> None:
    """Take the citations out of the titles: notes.cited fails."""
    titles = {s.name: s.cells[(1, 1)].value for s in book.sheets}
    for s in book.sheets:
        s.cells[(1, 1)].value = re.sub(r" \[note \d+\]", "", str(s.cells[(1, 1)].value))
    failing = {o.item.id for o in check_book(book).outcomes if o.verdict is Verdict.FAIL}
    for s in book.sheets:
        s.cells[(1, 1)].value = titles[s.name]
    assert failing == {"notes.cited"}


def test_document_title_language_and_author(book: Book) -> None:
    """Title and language are required; the author is the contact, not the software."""
    assert (book.title, book.language, book.author) == (
        "MAPPA statistics: Kent, 2014-15",
        "en-GB",
        "kent.mappa@example.org",
    )


def test_one_named_font_throughout(book: Book) -> None:
    """Arial everywhere: no unnamed or default (Calibri, serif) font."""
    assert {name for name, _ in book.fonts} == {"Arial"}


def test_counts_have_thousands_separators(book: Book) -> None:
    """#,##0 on every count cell of the count tables (1,548 not 1548)."""
    counted = [s for s in book.sheets if s.name.startswith("Table_") and "Number" in s.text(3, 1)]
    assert len(counted) == 6
    for sheet in counted:
        numbers = [c for c in sheet.cells.values() if c.numeric]
        assert numbers and all(c.grouped for c in numbers), sheet.name


def _header(book: Book, title: str) -> list[str]:
    sheet = next(s for s in book.sheets if title in s.text(1, 1))
    top = sheet.tables[0].top
    return [sheet.text(top, c) for c in range(1, sheet.tables[0].right + 1)]


def test_units_in_headers(book: Book) -> None:
    """The rate says 'per 100,000 people aged 10 and over'; the share says '%'."""
    assert _header(book, "per 100,000")[1] == "Rate per 100,000 people aged 10 and over"
    assert "(%)" in _header(book, "Commentary")[1]


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("MAPPA-eligible offenders on 31 March 2015", "Numbers of people"),
        ("Restrictive orders", "Numbers of orders"),
        ("Commentary figures", "A percentage"),
        ("Total number of Registered Sexual Offenders per 100,000", "A rate"),
    ],
)
def test_each_table_is_described_as_what_it_counts(book: Book, title: str, word: str) -> None:
    """People, orders, a percentage, a rate: never 'counts of people' for all of them."""
    sheet = next(s for s in book.sheets if s.name.startswith("Table_") and title in s.text(1, 1))
    assert sheet.text(3, 1).startswith(word)


def test_notes_are_cited_where_they_apply(book: Book) -> None:
    """Note 3 (Category 3 has no Level 1) on the snapshot only; note 4 (yearly totals) on the yearly table;
    the rate's note on the rate."""
    titles = {s.name: s.text(1, 1) for s in book.sheets}
    assert titles["Table_1"].endswith("[note 1] [note 2] [note 3]")
    assert titles["Table_2"].endswith("[note 1] [note 2] [note 4]")
    assert titles["Table_7"].endswith("[note 1] [note 5]")
    assert not re.search(r"\[note", titles["Table_3"])


def test_abbreviations_are_spelled_out(book: Book) -> None:
    """SOPO, NO, FTO (and RSO, MAPPA) in the notes with their full names."""
    sheet = book.sheet("Notes")
    assert sheet is not None
    notes = {sheet.text(r, 1): sheet.text(r, 2) for r in range(1, sheet.last_row + 1)}
    assert notes["SOPO"] == "Abbreviation: Sexual Offences Prevention Order"
    assert notes["NO"] == "Abbreviation: Notification Order"
    assert notes["FTO"] == "Abbreviation: Foreign Travel Order"
    assert {"RSO", "MAPPA", "Note 5"} <= set(notes)


def test_the_cover_speaks_to_the_public(book: Book) -> None:
    """The cover: what, when, the status, whom to ask, where from, a link; no rule ids, options or digests,
    which are on the Checks worksheet."""
    cover = book.sheets[0]
    lines = [cover.text(r, 1) for r in range(1, cover.last_row + 1)]
    assert lines[0] == "MAPPA statistics: Kent, 2014-15"
    for line in (
        "Reporting period: 1 April 2014 to 31 March 2015 (the first table is a snapshot on 31 March 2015).",
        "Status: Management information, not official statistics.",
        "Checked before release: the tables passed every check (see the Checks worksheet).",
        "Released: 1 December 2015.",
        "Next release: Autumn 2016.",
        "Contact: kent.mappa@example.org.",
        "Source: Kent MAPPA annual report 2014-15.",
    ):
        assert line in lines
    text = "\n".join(lines)
    for word in ("rate.matches", "--population", "SHA-256", "mappa-stats"):
        assert word not in text
    checks = book.sheet("Checks")
    assert checks is not None
    audit = "\n".join(str(c.value) for c in checks.cells.values())
    # The check record moved here; the rate is checked on the built-in mid-2014 estimates (issue 21),
    # so nothing is listed as not checked.
    assert "Validated with mappa-stats" in audit and "15 rules run, no errors" in audit
    assert "Source file SHA-256" in audit


def test_the_cover_takes_the_status_and_methodology_given(tmp_path: Path) -> None:
    """--status and --methodology-url replace the defaults, the address a link."""
    out = tmp_path / "kent.ods"
    url = "https://example.org/mappa/methodology"
    args = ["tables", str(KENT_XLSX), "-o", str(out), "--status", "Official statistics"]
    assert CliRunner().invoke(main, [*args, "--methodology-url", url]).exit_code == 0
    cover = read_book(out).sheets[0]
    texts = [c.value for c in cover.cells.values()]
    assert "Status: Official statistics." in texts
    assert any(c.link == url and c.value == url for c in cover.cells.values())


def test_contents_links_to_every_sheet(book: Book) -> None:
    """Each worksheet listed in Contents is a link to it."""
    sheet = book.sheet("Contents")
    assert sheet is not None
    targets = [re.sub(r"^#|'|\.A1$|!A1$", "", str(c.link)) for c in sheet.cells.values() if c.link]
    assert targets == ["Notes", *(f"Table_{n}" for n in range(1, 9)), "Checks"]


def test_check_publication_reports_each_item_and_exits_by_the_verdict(path: Path, tmp_path: Path) -> None:
    """The command prints every item and '26 of 26 items pass' (exit 0); a workbook that fails an item
    exits 1, the item named FAIL with its problem; JSON holds the same verdicts."""
    import json

    result = CliRunner().invoke(main, ["check-publication", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("26 of 26 items pass\n")
    assert result.output.count("\nPASS ") == 26
    out = tmp_path / "default.xlsx"
    assert CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-o", str(out)]).exit_code == 0
    failed = CliRunner().invoke(main, ["check-publication", str(out)])
    assert failed.exit_code == 1
    assert "FAIL cover.contact" in failed.output
    assert "- the contact has no email address or telephone number" in failed.output
    document = json.loads(CliRunner().invoke(main, ["check-publication", str(out), "-f", "json"]).output)
    assert document["passed"] == 25
    assert [i["id"] for i in document["items"] if i["verdict"] == "fail"] == ["cover.contact"]


def test_a_publication_has_its_own_limits_and_words(tmp_path: Path) -> None:
    """check-publication reads a publication within its own budget (docs/limits.md): a table of 12,000
    rows, beyond an area return's 10,000, is checked; past 100,000 cells (12,000 × 2 + 12,000 × 7 =
    108,000) it is refused in one line naming 'a publication workbook', never 'an area return'."""
    from openpyxl import Workbook

    long_table = tmp_path / "long.xlsx"
    book = Workbook()
    first = book.worksheets[0]
    for r in range(1, 12_001):
        first.append([r, 2 * r])
    book.save(long_table)
    checked = CliRunner().invoke(main, ["check-publication", str(long_table)])
    assert checked.exit_code == 1, checked.output  # read and checked: it fails items (no cover), no refusal
    assert "mappa-stats: error" not in checked.stderr
    wide = book.create_sheet("Table_2")
    for r in range(1, 12_001):
        wide.append([r] * 7)
    too_many = tmp_path / "too_many.xlsx"
    book.save(too_many)
    refused = CliRunner().invoke(main, ["check-publication", str(too_many)])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mappa-stats: error: {too_many}: more than 100,000 cells (limit for a publication workbook); check "
        "this is the right file\n"
    )
