"""The report as published: its PDF, or the text a PDF gives (issue 14)."""

from __future__ import annotations

import copy
import itertools
import json
import resource
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KENT_XLSX, SAMPLES, sha256
from helpers import KENT, kent_values
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.io.readers import read_area
from mappa_stats.model import parse_cell
from mappa_stats.rules.rule import Given
from mappa_stats.validate import validate_path
from pdfs import image_only_pdf, kent_report_pdf, one_page, raw_pdf
from test_properties import consistent_tables

REPORT = SAMPLES / "kent_2015_report.txt"
POPULATION = SAMPLES / "ons_mid2014.csv"
TEXT = REPORT.read_text(encoding="utf-8")
LINES = TEXT.split("\n")


def run(*args: str) -> Result:
    """Invoke the CLI as a user would, colour off."""
    return CliRunner(env={"NO_COLOR": "1"}).invoke(main, list(args))


def line_of(prefix: str, nth: int = 1) -> int:
    """The 1-based number of the nth line of the sample starting with prefix."""
    hits = [i for i, line in enumerate(LINES, start=1) if line.startswith(prefix)]
    return hits[nth - 1]


def edited(tmp_path: Path, number: int, new: str, name: str = "report.txt") -> Path:
    """A copy of the sample report with one line replaced."""
    lines = list(LINES)
    lines[number - 1] = new
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def heading_free(output: str) -> str:
    """`tables` text without its first line (which names the input file)."""
    return output.split("\n", 1)[1]


# --- the seed report as text ------------------------------------------------------------------------


def test_sample_is_the_seed_byte_for_byte() -> None:
    """samples/kent_2015_report.txt is the shared seed unchanged (when the seed is at hand)."""
    seed = SAMPLES.parents[1] / "shared" / "seeds" / "kent_mappa_annual_report_2014-15.txt"
    if not seed.is_file():
        pytest.skip("the shared seed is not beside this checkout (CI)")
    assert sha256(seed) == sha256(REPORT)


def test_report_text_reads_every_kent_figure() -> None:
    """Every published Kent figure, the 99% claim, the rate of 100, the area and the footnote's estimate."""
    area = read_area(REPORT)
    expected = kent_values()
    cells = area.cells()
    assert set(cells) == set(expected)
    for key, content in expected.items():
        want = parse_cell(content)
        got = cells[key]
        assert (got.value, got.marker) == (want.value, want.marker), key
    assert area.meta.area == "Kent"
    assert area.meta.template == "2014-15"
    assert area.meta.stated_population == "mid-2014"
    assert area.meta.source_format == "report-text"


def test_report_text_validates_as_committed(in_root: Path) -> None:
    """`validate samples/kent_2015_report.txt` passes, exactly as the committed output says."""
    result = run("validate", "samples/kent_2015_report.txt")
    assert result.exit_code == 0, result.output
    assert result.output == (SAMPLES / "kent_2015_report.validate.txt").read_text(encoding="utf-8")


def test_report_text_reproduces_the_rate() -> None:
    """With the ONS mid-2014 file the stated 100 is reproduced and the footnote's vintage agrees."""
    report = validate_path(REPORT, given=Given(population=_population()))
    statuses = {r.id: r.status for r in report.rules}
    assert report.findings == ()
    assert statuses["rate.matches"] == "passed"
    assert statuses["rate.vintage"] == "passed"


def _population() -> Any:
    from mappa_stats.io.population import read_population

    return read_population(POPULATION)


def test_report_text_tables_equal_the_workbooks(in_root: Path) -> None:
    """`tables` on the report text prints what it prints for samples/kent_2015.xlsx, in every format."""
    result = run("tables", "samples/kent_2015_report.txt")
    assert result.output == (SAMPLES / "kent_2015_report.tables.txt").read_text(encoding="utf-8")
    assert heading_free(result.output) == heading_free(run("tables", "samples/kent_2015.xlsx").output)
    for fmt in ("csv", "markdown"):
        ours = run("tables", "samples/kent_2015_report.txt", "--format", fmt).output
        theirs = run("tables", "samples/kent_2015.xlsx", "--format", fmt).output
        assert ours.replace("kent_2015_report.txt", "kent_2015.xlsx") == theirs, fmt


def test_changed_number_is_located_with_its_value(tmp_path: Path) -> None:
    """787 misprinted as 778: the finding names that cell (line, table, cell) and the value it should hold."""
    number = line_of("Level 1 1548 787")
    path = edited(tmp_path, number, "Level 1 1548 778  2335")
    report = validate_path(path)
    assert report.status() == "fail"
    located = [f for f in report.findings if f.expected == 787]
    assert len(located) == 1, report.findings
    finding = located[0]
    assert (finding.table, finding.row, finding.column) == ("snapshot", "level1", "cat2")
    assert (finding.sheet, finding.cell) == (f"line {number}", "Level 1 / Category 2")
    assert finding.actual == 778


def test_changed_number_in_a_badly_spaced_row_is_located(tmp_path: Path) -> None:
    """`Level 3 1    2   0 3` with the 2 misprinted as 5: placed by the template, located, should be 2."""
    number = line_of("Level 3 1 ")
    path = edited(tmp_path, number, LINES[number - 1].replace("  2   0 3", "  5   0 3"))
    report = validate_path(path)
    located = [f for f in report.findings if f.expected == 2]
    assert len(located) == 1, report.findings
    assert (located[0].table, located[0].row, located[0].column) == ("yearly", "level3", "cat2")


def test_number_in_the_blank_cell_is_an_error(tmp_path: Path) -> None:
    """A number where Category 3 × Level 1 is printed blank: cells.not_applicable, exit 1."""
    number = line_of("Level 1 1548 787")
    path = edited(tmp_path, number, "Level 1 1548 787 5 2340")
    result = run("validate", str(path))
    assert result.exit_code == 1, result.output
    report = validate_path(path)
    rules = {(f.rule, f.row, f.column) for f in report.findings}
    assert ("cells.not_applicable", "level1", "cat3") in rules


def test_missing_figure_is_placed_by_the_column_totals(tmp_path: Path) -> None:
    """Yearly `Level 3 1 2 3` (the 0 left out): only a blank Category 3 fits the totals; it is missing."""
    number = line_of("Level 3 1 ")
    path = edited(tmp_path, number, "Level 3 1 2 3")
    report = validate_path(path)
    assert [(f.rule, f.table, f.row, f.column) for f in report.findings] == [
        ("cells.missing", "yearly", "level3", "cat3")
    ]


def test_ambiguous_row_names_its_candidates(tmp_path: Path) -> None:
    """`Level 3 0 0 0` under four columns fits the totals four ways: exit 2, the line and the candidates."""
    number = line_of("Level 3 0 0 0 0")
    path = edited(tmp_path, number, "Level 3 0 0 0")
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"mappa-stats: error: {path} line {number}: row 'Level 3 0 0 0' of 'MAPPA-eligible offenders on "
        "31 March 2015' is ambiguous: its figures fit the totals with a blank Total or a blank Category 3 "
        "or a blank Category 2 or a blank Category 1; check the PDF and type the figures into the template "
        "(mappa-stats template -o area.xlsx)"
    )


def test_too_many_figures_in_a_row_is_refused(tmp_path: Path) -> None:
    """Five figures under four columns: exit 2, naming the line."""
    number = line_of("Level 2 12 6 4 22")
    path = edited(tmp_path, number, "Level 2 12 6 4 2 2")
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert f"{path} line {number}: row 'Level 2 12 6 4 2 2'" in result.stderr
    assert "has 5 figures but the table has 4 columns" in result.stderr


def test_commentary_count_in_place_of_a_share_is_an_error(tmp_path: Path) -> None:
    """'the majority (666 this year)', as a real report printed: claims.level1_share, exit 1."""
    number = line_of("risk of serious harm, although the majority")
    path = edited(tmp_path, number, LINES[number - 1].replace("(99% this", "(666 this"))
    report = validate_path(path)
    assert [(f.rule, f.actual) for f in report.findings] == [("claims.level1_share", "666")]
    assert report.findings[0].sheet == f"line {number}"


def test_wrong_commentary_share_is_located(tmp_path: Path) -> None:
    """'the majority (97% this year)': 2335 / 2357 = 99.07%, so the claim fails, stating 99."""
    number = line_of("risk of serious harm, although the majority")
    path = edited(tmp_path, number, LINES[number - 1].replace("(99% this", "(97% this"))
    report = validate_path(path)
    assert [(f.rule, f.suggestion) for f in report.findings] == [("claims.level1_share", "state 99%")]


def test_footnote_of_another_year_is_a_vintage_finding(tmp_path: Path) -> None:
    """A footnote naming mid-2013 for a 2014-15 report: rate.vintage, with no --population."""
    number = line_of("This figure has been calculated using the mid-2014")
    path = edited(tmp_path, number, LINES[number - 1].replace("mid-2014", "mid-2013"))
    report = validate_path(path)
    found = [f for f in report.findings if f.rule == "rate.vintage"]
    assert [(f.expected, f.actual) for f in found] == [("mid-2014", "mid-2013")]


def test_area_option_names_the_area(tmp_path: Path) -> None:
    """A report naming no police force: the area comes from --area."""
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace("Kent Police", "the police"), encoding="utf-8")
    assert read_area(path).meta.area is None
    report = validate_path(path, area_name="Kent", given=Given(population=_population()))
    statuses = {r.id: r.status for r in report.rules}
    assert report.area == "Kent"
    assert statuses["rate.matches"] == "passed"


def test_report_text_without_tables_says_so(tmp_path: Path) -> None:
    """Prose only: exit 2, 'no statistics page'."""
    path = tmp_path / "prose.txt"
    path.write_text(TEXT.split(" MAPPA Statistics")[0], encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}: no statistics page: none of its" in result.output


def test_report_text_of_a_year_without_definition(tmp_path: Path) -> None:
    """Titles dated 31 March 2031: exit 2, saying which years have a definition."""
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace("31 March 2015", "31 March 2031"), encoding="utf-8")
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert "the titles say 31 March 2031, but there is no template for that year" in result.stderr


def test_huge_text_is_refused(tmp_path: Path) -> None:
    """Megabytes of text are not a report: refused before any search."""
    path = tmp_path / "huge.txt"
    path.write_bytes(TEXT.encode("utf-8") * 300)
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    # The input guard (its line budget) or the report reader (its text budget), whichever sees it first.
    assert "far more than a report" in result.stderr or "lines (limit 100,000" in result.stderr


# --- PDFs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_pdf_reads_back_as_the_workbook(ruled: bool, tmp_path: Path) -> None:
    """Kent's tables as a PDF (ruled or unruled): `tables` output equal to samples/kent_2015.xlsx's."""
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=ruled)
    before = sha256(path)
    for fmt in ("text", "csv", "json"):
        ours = run("tables", str(path), "--format", fmt)
        theirs = run("tables", str(KENT_XLSX), "--format", fmt)
        assert ours.exit_code == 0, ours.output
        if fmt == "json":
            assert _tables_only(ours.output) == _tables_only(theirs.output)
        elif fmt == "text":
            assert heading_free(ours.output) == heading_free(theirs.output)
        else:
            assert ours.output == theirs.output
    assert sha256(path) == before


def _tables_only(document: str) -> Any:
    """The JSON document's tables without where each cell came from (a PDF page, a workbook cell)."""
    tables = json.loads(document)["tables"]
    for table in tables:
        for row in table.get("rows", []):
            for cell in row.get("cells", {}).values():
                assert cell.pop("source")
    return tables


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_pdf_validates_with_the_rate(ruled: bool, tmp_path: Path) -> None:
    """The PDF passes every rule, the rate reproduced from the ONS file; the area from 'Kent Police'."""
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=ruled)
    result = run("validate", str(path), "--population", str(POPULATION))
    assert result.exit_code == 0, result.output
    assert "(Kent, template 2014-15): PASS" in result.output
    assert "15 rules run, 15 passed" in result.output


def test_pdf_blank_cell_stays_blank_by_its_position(tmp_path: Path) -> None:
    """A blank printed under Category 3 of Level 3: text could not tell where; x positions can."""
    tables = copy.deepcopy(KENT)
    tables["snapshot"]["Level 3"] = [0, 0, None, 0]
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=False, tables=tables)
    report = validate_path(path)
    assert [(f.rule, f.row, f.column, f.sheet, f.cell) for f in report.findings] == [
        ("cells.missing", "level3", "cat3", "p.3", "Level 3 / Category 3")
    ]
    cell = read_area(path).cell("snapshot", "level3", "cat3")
    assert cell is not None
    assert cell.source == f"{path} p.3, 'MAPPA-eligible offenders on 31 March 2015', Level 3 / Category 3"


def test_pdf_changed_number_is_located(tmp_path: Path) -> None:
    """A PDF with 1560 misprinted as 1506: located on p.3 with the value it should hold."""
    tables = copy.deepcopy(KENT)
    tables["snapshot"]["Total"] = [1506, 793, 4, 2357]
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=True, tables=tables)
    report = validate_path(path)
    located = [f for f in report.findings if f.expected == 1560]
    assert [(f.row, f.column, f.sheet) for f in located] == [("total", "cat1", "p.3")]


def test_pdf_two_column_commentary_gives_the_claim(tmp_path: Path) -> None:
    """The 99% claim set in the left of two columns is still read (and checked)."""
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=True, two_columns=True)
    cell = read_area(path).cell("commentary", "level1_share", "value")
    assert cell is not None
    assert (cell.value, cell.sheet) == (99.0, "p.5")


def test_title_broken_over_two_lines_is_found(tmp_path: Path) -> None:
    """'… Sexual Offenders per' / '100,000 population 100': the rate is still read."""
    path = tmp_path / "report.txt"
    title = "Total number of Registered Sexual Offenders per 100,000 population 100"
    path.write_text(TEXT.replace(title, title.replace(" 100,000", "\n100,000")), encoding="utf-8")
    assert read_area(path).value("rsos_per_100k", "value", "value") == 100


def test_rate_and_signoff_accept_a_pdf(tmp_path: Path) -> None:
    """`rate` and `signoff` read the PDF like a workbook."""
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=True)
    rate = run("rate", "--population", str(POPULATION), str(path))
    assert rate.exit_code == 0 and "Matches." in rate.output, rate.output
    pack = run("signoff", str(path), "--population", str(POPULATION))
    assert pack.exit_code == 0, pack.output
    assert "Kent" in pack.output


# --- refusing hostile PDFs ---------------------------------------------------------------------------


def _hostile(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each hostile PDF and the words its one-line refusal must hold."""
    made: dict[str, tuple[Path, str]] = {}

    def save(name: str, data: bytes, words: str) -> None:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        made[name] = (path, words)

    save(
        "encrypted",
        raw_pdf(
            [*one_page(), b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"],
            b"/Encrypt 6 0 R /ID [<01> <01>] ",
        ),
        "the PDF is encrypted",
    )
    pages = one_page()
    pages[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 10000000 >>"
    save("page_count", raw_pdf(pages), "the PDF declares 10,000,000 pages (limit 200)")
    save(
        "nested",
        raw_pdf(one_page(extra=b"/Junk " + b"[" * 5000 + b"]" * 5000 + b" ")),
        "the PDF nests objects 5001 deep (limit 64)",
    )
    declared = one_page()
    declared[3] = b"<< /Length 2147483648 >>\nstream\nBT ET\nendstream"
    save("declared_2gb", raw_pdf(declared), "declares a stream of 2,147,483,648 bytes")
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    inflating = one_page()
    inflating[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream"
    save("inflates", raw_pdf(inflating), "a compressed stream of the PDF inflates to more than")
    whole = kent_report_pdf(tmp_path / "whole.pdf", ruled=True).read_bytes()
    save("truncated", whole[: len(whole) // 2], "the PDF is damaged (truncated")
    save(
        "no_text", image_only_pdf(tmp_path / "scan.pdf").read_bytes(), "this PDF has no text: it is an image"
    )
    save(
        "no_statistics",
        kent_report_pdf(tmp_path / "prose.pdf", ruled=True, statistics=False).read_bytes(),
        "no statistics page: none of its 3 pages of text",
    )
    save(
        "year_2031",
        kent_report_pdf(tmp_path / "y.pdf", ruled=True, title_date="31 March 2031").read_bytes(),
        "the titles say 31 March 2031, but there is no template for that year",
    )
    many = b"".join(
        b"BT /F1 4 Tf %d %d Td (MAPPAMAPPA) Tj ET\n" % (10 + (i % 50) * 11, 10 + (i // 50) % 780)
        for i in range(20_000)
    )
    packed = zlib.compress(many)
    glyphs = one_page()
    glyphs[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    save("many_objects", raw_pdf(glyphs), "page 1 of the PDF draws 20,000 objects")
    dense = b"".join(b"BT /F1 4 Tf 10 %d Td (%s) Tj ET\n" % (10 + i * 6, b"MAPPA" * 50) for i in range(800))
    packed = zlib.compress(dense)
    glyphs = one_page()
    glyphs[2] = glyphs[2].replace(b"[0 0 612 792]", b"[0 0 1000 5000]")  # 800 lines that do not overlap
    glyphs[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    save("many_glyphs", raw_pdf(glyphs), "page 1 of the PDF holds 201,598 characters of text")
    save("garbage", b"%PDF-1.7\n" + b"\x00\x01garbage" * 100 + b"\n%%EOF\n", "cannot be read as a PDF")
    return made


HOSTILE = [
    "encrypted",
    "page_count",
    "nested",
    "declared_2gb",
    "inflates",
    "truncated",
    "no_text",
    "no_statistics",
    "year_2031",
    "many_objects",
    "many_glyphs",
    "garbage",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The hostile PDFs, built once for this module."""
    return _hostile(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_pdf_is_refused_in_one_line(name: str, hostile: dict[str, tuple[Path, str]]) -> None:
    """Each hostile or unusable PDF: exit 2, one line naming the file and the reason, the file unchanged."""
    path, words = hostile[name]
    before = sha256(path)
    for command in ("tables", "validate"):
        result = run(command, str(path))
        assert result.exit_code == 2, result.output
        lines = (result.stderr if command == "tables" else result.stdout).strip().splitlines()
        if command == "validate":
            lines = [line for line in lines if line.startswith("ERROR")]
        assert len(lines) == 1, result.output
        assert f"{path}: " in lines[0] and words in lines[0], lines[0]
        assert "Traceback" not in result.output
        assert "internal error" not in result.output
    assert sha256(path) == before


def test_hostile_pdfs_are_refused_in_bounded_time_and_memory(hostile: dict[str, tuple[Path, str]]) -> None:
    """Every hostile PDF, run as a real process: exit 2 with one line, within 60 s and 500 MB."""
    assert sorted(hostile) == sorted(HOSTILE)
    for name, (path, words) in hostile.items():
        done = subprocess.run(
            [sys.executable, "-m", "mappa_stats", "tables", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, (name, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr, (name, done.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < 500 * 1024


def test_large_image_is_not_taken_for_a_bomb(tmp_path: Path) -> None:
    """A photo inflating to 64 MB is never decoded to read text: the PDF is read (here: no statistics)."""
    pixels = zlib.compress(b"\x80" * (64 * 1024 * 1024), 9)
    objects = one_page(extra=b"/XObject << /Im1 6 0 R >> ")
    objects.append(
        b"<< /Type /XObject /Subtype /Image /Width 8192 /Height 8192 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /DecodeParms << /Predictor 1 >> /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(pixels)
        + pixels
        + b"\nendstream"
    )
    path = tmp_path / "photo.pdf"
    path.write_bytes(raw_pdf(objects))
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert "no statistics page" in result.stderr, result.stderr


def test_pdf_without_the_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pypdfium2 installed: one line naming the pdf extra (and the text route)."""
    path = kent_report_pdf(tmp_path / "kent.pdf", ruled=True)
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    result = run("tables", str(path))
    assert result.exit_code == 2
    assert "reading a PDF needs the pdf extra: pip install 'mappa-stats[pdf]'" in result.stderr


def test_help_does_not_import_the_pdf_reader() -> None:
    """`mappa-stats --help` never pays for the PDF reader."""
    code = (
        "import sys\n"
        "from mappa_stats.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('PDF', [m for m in ('pypdfium2', 'mappa_stats.io.pdf', 'mappa_stats.io.published') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "PDF []" in done.stdout


def test_workbooks_do_not_import_the_pdf_reader() -> None:
    """Validating a workbook never loads the PDF reader."""
    code = (
        "import sys\n"
        "from mappa_stats.validate import validate_path\n"
        f"validate_path(__import__('pathlib').Path({str(KENT_XLSX)!r}))\n"
        "print('PDF', [m for m in ('pypdfium2', 'mappa_stats.io.pdf') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "PDF []" in done.stdout


def test_formats_doc_example_is_the_committed_output() -> None:
    """docs/formats.md shows exactly what validate prints for the sample report."""
    doc = (SAMPLES.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    shown = doc.split("$ mappa-stats validate samples/kent_2015_report.txt\n")[1].split("```")[0]
    assert shown == (SAMPLES / "kent_2015_report.validate.txt").read_text(encoding="utf-8")


def test_area_from_a_constabulary(tmp_path: Path) -> None:
    """'Avon and Somerset Constabulary' names the area as 'Kent Police' does."""
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace("Kent Police", "Avon and Somerset Constabulary"), encoding="utf-8")
    assert read_area(path).meta.area == "Avon and Somerset"


def test_one_cell_a_line_is_read(tmp_path: Path) -> None:
    """pdftotext sets a table cell by cell, each on its own line: a label alone takes the figures below."""
    path = tmp_path / "report.txt"
    rows = [("Level 1", " 1548 787  2335"), ("Level 2", " 12 6 4 22"), ("Total", " 1560 793 4 2357")]
    text = TEXT
    for label, figures in rows:
        text = text.replace(label + figures, "\n".join([label, *figures.split()]), 1)
    path.write_text(text, encoding="utf-8")
    assert "\nLevel 1\n1548\n787\n2335" in text
    area = read_area(path)
    assert area.value("snapshot", "level1", "cat2") == 787
    assert area.value("snapshot", "total", "cat3") == 4
    assert validate_path(path).findings == ()


def test_control_characters_never_reach_the_output(tmp_path: Path) -> None:
    """An escape and a right-to-left override inside the claim are dropped: it reads '99%', and passes."""
    number = line_of("risk of serious harm, although the majority")
    path = edited(tmp_path, number, LINES[number - 1].replace("(99% this", "(\x1b99\u202e% this"))
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    cell = read_area(path).cell("commentary", "level1_share", "value")
    assert cell is not None
    assert (cell.raw, cell.value) == ("99%", 99.0)
    escape = edited(tmp_path, number, LINES[number - 1].replace("(99% this", "(\x1b[2J99% this"), "esc.txt")
    shown = run("validate", str(escape))
    assert shown.exit_code == 1
    assert "\x1b" not in shown.output
    assert "[2J99%" in shown.output


def test_tidy_csv_named_txt_is_still_a_csv(tmp_path: Path) -> None:
    """A tidy CSV saved as .txt reads as the tidy CSV, not as report text."""
    path = tmp_path / "kent.txt"
    path.write_bytes((SAMPLES / "kent_2015.csv").read_bytes())
    area = read_area(path)
    assert area.meta.source_format == "csv"
    assert area.value("snapshot", "total", "total") == 2357


# --- properties: any consistent tables, printed as report text, read back; any slip is caught ------------


TEMPLATE = load_template("2014-15")
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _printed(content: Any) -> str:
    """A cell as a report prints it: blank (nothing), a marker or the figure."""
    return "" if content is None else str(content)


def report_text(values: dict[tuple[str, str, str], Any], gaps: list[int]) -> str:
    """The tables as a report's text, built from the year's definition, figures spaced by `gaps`."""
    spaces = itertools.cycle(gaps)
    out = ["Kent Police", "MAPPA Statistics"]
    titled: set[str] = set()
    for table in TEMPLATE.tables:
        cells = [(r, c) for r in table.rows for c in table.columns]
        if not any((table.id, r.id, c.id) in values for r, c in cells):
            continue
        if table.id == "commentary":
            share = values[("commentary", "level1_share", "value")]
            out += [
                "although the majority",
                f"({share} this year) are actually managed under",
                "(Level 1) arrangements",
            ]
            continue
        if table.title not in titled:
            out.append(table.title)
            titled.add(table.title)
            if table.kind == "grid":
                out += [column.label for column in table.columns]
        if table.section:
            out.append(table.section)
        if table.kind == "value":
            out[-1] += " " + _printed(values[(table.id, table.rows[0].id, table.columns[0].id)])
            continue
        for row in table.rows:
            figures = [_printed(values.get((table.id, row.id, c.id))) for c in table.columns]
            line = row.label
            for figure in figures:
                if figure:
                    line += " " * next(spaces) + figure
            out.append(line)
    return "\n".join(out) + "\n"


@PROPERTY
@given(consistent_tables(), st.lists(st.integers(1, 30), min_size=1, max_size=8))
def test_any_consistent_tables_read_back_from_text(
    values: dict[tuple[str, str, str], Any], gaps: list[int]
) -> None:
    """Whatever the figures and however they are spaced, report text reads back cell for cell."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(report_text(values, gaps), encoding="utf-8")
        area = read_area(path)
        for key, content in values.items():
            want, got = parse_cell(content), area.cell(*key)
            assert got is not None and (got.value, got.marker) == (want.value, want.marker), key
        # The generated stated rate is any number: the rate itself is checked on the shipped estimates in
        # tests/test_population_ons.py; here every table must hold together.
        assert [f for f in validate_path(path).findings if f.rule != "rate.matches"] == []


@PROPERTY
@given(consistent_tables(), st.data())
def test_any_single_slip_in_report_text_is_caught(
    values: dict[tuple[str, str, str], Any], data: st.DataObject
) -> None:
    """One figure of a grid mistyped in the report text: validate fails (or refuses an ambiguous row)."""
    import tempfile

    grids = [t for t in TEMPLATE.tables if t.kind == "grid"]
    keys = [
        (t.id, r.id, c.id)
        for t in grids
        for r in t.rows
        for c in t.columns
        if isinstance(values.get((t.id, r.id, c.id)), int)
    ]
    key = data.draw(st.sampled_from(keys))
    wrong = data.draw(st.integers(0, 3000).filter(lambda n: n != values[key]))
    changed = {**values, key: wrong}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(report_text(changed, [1]), encoding="utf-8")
        report = validate_path(path)
        assert report.status() in ("fail", "error"), key


def test_a_location_in_report_text_reads_as_words(tmp_path: Path) -> None:
    """A finding in report text names the line and the cell in words, not as a spreadsheet sheet."""
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace("Level 1 1548 787  2335", "Level 1 1548 778  2335"), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "  line 172, Level 1 / Category 2  reads 778; 787 would make" in result.output
    assert "'line 172'!" not in result.output
