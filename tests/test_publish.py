"""Accessible publication spreadsheets: cover, contents, notes, one table per sheet, shorthand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_XLSX, SAMPLES, sha256
from helpers import KENT, edit_copy
from mappa_stats.cli.main import main

ROW_LABELS = {"Level 1", "Level 2", "Level 3", "Total"}


def _write(fmt: str, tmp_path: Path, source: Path = KENT_XLSX, *extra: str) -> Path:
    out = tmp_path / f"kent.{fmt}"
    before = sha256(source)
    result = CliRunner().invoke(main, ["tables", str(source), "--format", fmt, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    assert sha256(source) == before
    return out


def _published(value: object) -> object:
    """The Kent figure as the accessible table shows it: blanks and dashes become [z]."""
    return "[z]" if value in (None, "-") else value


def test_xlsx_sheets_in_order(tmp_path: Path) -> None:
    """Cover, contents and notes come first, then one sheet per table, then the checks."""
    wb = load_workbook(_write("xlsx", tmp_path))
    assert wb.sheetnames == ["Cover", "Contents", "Notes", *(f"Table_{n}" for n in range(1, 9)), "Checks"]
    contents = wb["Contents"]
    links = [c.hyperlink.location for c in contents["A"] if c.hyperlink is not None]
    assert links == ["'Notes'!A1", *(f"'Table_{n}'!A1" for n in range(1, 9)), "'Checks'!A1"]


def test_xlsx_grid_is_a_plain_accessible_table(tmp_path: Path) -> None:
    """Title first, one header row, numbers as numbers, [z] for not applicable, an Excel table, no merges."""
    wb = load_workbook(_write("xlsx", tmp_path))
    for number, key in ((1, "snapshot"), (2, "yearly"), (5, "custody_licence"), (6, "custody_sopo")):
        ws = wb[f"Table_{number}"]
        assert str(ws["A1"].value).startswith(f"Table {number}: ")
        assert ws.merged_cells.ranges == set()
        ((_name, ref),) = ws.tables.items()  # type: ignore[no-untyped-call]  # openpyxl-stubs leave it untyped
        first, last = ref.split(":")
        header_row = int(first[1:])
        assert ws.cell(header_row, 1).value == "Management level"
        body = [[c.value for c in row] for row in ws.iter_rows(min_row=header_row + 1, max_row=int(last[1:]))]
        expected = [[label, *(_published(v) for v in values)] for label, values in KENT[key].items()]
        assert body == expected
        assert all(isinstance(v, int) for row in body for v in row[1:] if v != "[z]")


def test_xlsx_notes_explain_the_shorthand(tmp_path: Path) -> None:
    """Every shorthand used in a table is in the Notes sheet."""
    wb = load_workbook(_write("xlsx", tmp_path))
    notes = {row[0] for row in wb["Notes"].iter_rows(values_only=True)}
    assert {"[z]", "[x]", "[c]", "[low]"} <= notes
    assert "[z] not applicable" in wb["Table_1"]["A4"].value


def test_ods_holds_the_same_tables(tmp_path: Path) -> None:
    """The OpenDocument version: same sheets, numbers as numbers."""
    out = _write("ods", tmp_path)
    sheets = pd.read_excel(out, sheet_name=None, header=None)
    assert list(sheets)[:3] == ["Cover", "Contents", "Notes"]
    table = sheets["Table_1"]
    level1 = table[table[0] == "Level 1"].iloc[0].tolist()
    assert level1 == ["Level 1", 1548, 787, "[z]", 2335]


def test_missing_value_is_shown_as_not_available(tmp_path: Path) -> None:
    """A blank where a count belongs is published as [x], never as zero."""
    source = edit_copy(KENT_XLSX, tmp_path / "gap.xlsx", {"C6": None})
    wb = load_workbook(_write("xlsx", tmp_path, source, "--publish-failing"))
    rows = {r[0]: r for r in wb["Table_1"].iter_rows(values_only=True) if r[0] in ROW_LABELS}
    assert rows["Level 2"][2] == "[x]"


def test_text_from_the_input_cannot_become_a_formula(tmp_path: Path) -> None:
    """An area name that looks like a formula is written as text."""
    source = edit_copy(KENT_XLSX, tmp_path / "inject.xlsx", {"H1": "@SUM(1+1)"})
    wb = load_workbook(_write("xlsx", tmp_path, source))
    title = wb["Table_1"]["A1"]
    assert title.data_type == "s"
    assert "'@SUM(1+1)" in title.value
    assert wb["Cover"]["A1"].data_type == "s"


def test_spreadsheet_formats_need_an_output_file() -> None:
    """--format xlsx without -o is a usage error, exit 2."""
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "give -o FILE.xlsx" in result.output


# Gates: only a return that passes is published -----------------------------------------------------

SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_return_with_errors_is_not_published(tmp_path: Path, fmt: str) -> None:
    """Exit 1, one line naming the error and the way out, and no file."""
    out = tmp_path / f"k.{fmt}"
    result = CliRunner().invoke(main, ["tables", str(SWAPPED), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"mappa-stats: error: {SWAPPED}: not published: 1 error (totals.row at 'Statistics'!C5); correct "
        f"it (mappa-stats validate {SWAPPED}) or give --publish-failing to publish it marked as failing\n"
    )
    assert not out.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_publish_failing_says_so_on_the_cover(tmp_path: Path, fmt: str) -> None:
    """--publish-failing writes it: the cover says it fails validation, and the Checks worksheet why."""
    out = tmp_path / f"k.{fmt}"
    result = CliRunner().invoke(main, ["tables", str(SWAPPED), "-o", str(out), "--publish-failing"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"wrote {out} (published although it fails validation: 1 error)\nmappa-stats: warning: the cover's contact (the area's MAPPA "
        "co-ordinator, by default) has no email address or telephone number; give --contact\n"
    )
    cover = pd.read_excel(out, sheet_name="Cover", header=None)[0].tolist()
    assert "PUBLISHED ALTHOUGH IT FAILS VALIDATION: the checks found errors in these tables" in cover[4]
    assert not any("totals.row" in str(line) for line in cover)  # rule ids are for Checks, not the public
    checks = pd.read_excel(out, sheet_name="Checks", header=None).fillna("").astype(str).values.tolist()
    assert any(
        len(row) > 1
        and row[1].startswith(
            "PUBLISHED ALTHOUGH IT FAILS VALIDATION: published with --publish-failing although mappa-stats"
        )
        and "totals.row at 'Statistics'!C5" in row[1]
        for row in checks
    )


def test_a_provisional_year_is_marked_on_the_cover() -> None:
    """A template definition marked provisional puts PROVISIONAL on the cover, before anything else."""
    from dataclasses import replace

    from helpers import area_from_values, kent_values
    from mappa_stats.publication.area import build_sheets

    area = area_from_values(kent_values())
    verified = build_sheets(area)[0].lines
    assert not any("PROVISIONAL" in line for line in verified)
    template = area.template
    if hasattr(template, "status"):
        provisional = replace(template, status="provisional")
    else:
        provisional = replace(template, publication={**template.publication, "status": "provisional"})
    lines = build_sheets(replace(area, template=provisional))[0].lines
    assert lines[1].startswith("PROVISIONAL: these tables may be revised")


# The format follows the file's name ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "magic"), [("k.xlsx", "xl/workbook.xml"), ("k.ods", "content.xml")])
def test_format_follows_the_extension(tmp_path: Path, name: str, magic: str) -> None:
    """-o k.ods without --format writes an OpenDocument spreadsheet, -o k.xlsx an Excel workbook."""
    import zipfile

    out = tmp_path / name
    assert CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-o", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        assert magic in archive.namelist()


@pytest.mark.parametrize(
    ("fmt", "name", "says"),
    [
        (
            "xlsx",
            "k.ods",
            "k.ods: the name ends in .ods but --format is xlsx; name it FILE.xlsx or leave out --format",
        ),
        (
            "ods",
            "k.xlsx",
            "k.xlsx: the name ends in .xlsx but --format is ods; name it FILE.ods or leave out --format",
        ),
        (
            "csv",
            "k.xlsx",
            "k.xlsx: the name ends in .xlsx but --format is csv; name it FILE.csv or leave out --format",
        ),
        ("xlsx", "k", "k: --format xlsx writes a spreadsheet: name it FILE.xlsx"),
    ],
)
def test_a_name_that_says_another_format_is_refused(tmp_path: Path, fmt: str, name: str, says: str) -> None:
    """-f xlsx -o k.ods: one line, exit 2, nothing written."""
    out = tmp_path / name
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"mappa-stats: error: {tmp_path}/{says}\n"
    assert not out.exists()


# The publication reads back --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
@pytest.mark.parametrize("render", ["csv", "text"])
def test_publication_reads_back_to_the_same_tables(tmp_path: Path, fmt: str, render: str) -> None:
    """tables on its own publication workbook prints what it prints for the source workbook."""
    out = _write(fmt, tmp_path)
    source = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "-f", render]).output
    again = CliRunner().invoke(main, ["tables", str(out), "-f", render])
    assert again.exit_code == 0, again.output
    if render == "text":  # the heading names the file read
        source = source.split("\n", 1)[1]
        assert again.output.split("\n", 1)[0] == f"Kent — MAPPA statistics, template 2014-15 ({out})"
        assert again.output.split("\n", 1)[1] == source
    else:
        assert again.output == source


def test_published_workbook_validates_as_the_source(tmp_path: Path) -> None:
    """validate-equivalent: the publication's tables pass the same rules the source passed."""
    from mappa_stats.io.publication import publication_properties, read_publication
    from mappa_stats.validate import validate_area

    out = _write("xlsx", tmp_path)
    properties = publication_properties(out)
    assert properties == {"MAPPA area": "Kent", "Template year": "2014-15"}
    report = validate_area(read_publication(out, properties))
    assert report.status() == "pass"


def test_a_workbook_of_someone_else_is_not_read_as_a_publication(tmp_path: Path) -> None:
    """Only a workbook whose properties name mappa-stats is read as a publication."""
    from mappa_stats.io.publication import publication_properties

    assert publication_properties(KENT_XLSX) is None
    text = tmp_path / "notes.xlsx"
    text.write_text("not a zip", encoding="utf-8")
    assert publication_properties(text) is None


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_control_characters_from_the_input_never_break_the_workbook(tmp_path: Path, fmt: str) -> None:
    """An area name holding BEL and ESC (as a tidy CSV may): written as spaces, the file opens."""
    from helpers import area_from_values, kent_values
    from mappa_stats.publication.area import write_publication

    area = area_from_values(kent_values()).with_area("Kent\x07\x1b[31m")
    out = tmp_path / f"k.{fmt}"
    write_publication(area, out, fmt)
    cover = pd.read_excel(out, sheet_name="Cover", header=None)[0].tolist()
    # Each control character becomes a space or goes (whichever layer sees it first); the text stays.
    assert cover[0].replace(" ", "") == "MAPPAstatistics:Kent[31m,2014-15"
    assert not any("\x1b" in str(line) or "\x07" in str(line) for line in cover)
