"""Reading area workbooks and tidy CSV into the tidy model."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import KENT_CSV, KENT_XLSX, SAMPLES, sha256
from helpers import KENT, edit_copy, separate_sheets
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.errors import InputError, LabelError, TableNotFoundError
from mappa_stats.io.readers import read_area

COMPARED = ["table", "row", "column", "value", "marker", "issue"]
COLUMN_IDS = ["cat1", "cat2", "cat3", "total"]
ROW_IDS = {"Level 1": "level1", "Level 2": "level2", "Level 3": "level3", "Total": "total"}


def _assert_kent(path: Path) -> None:
    """Every published Kent 2014-15 figure is read back from this file."""
    area = read_area(path)
    for table, rows in KENT.items():
        for label, values in rows.items():
            for column, expected in zip(COLUMN_IDS, values, strict=True):
                cell = area.cell(table, ROW_IDS[label], column)
                assert cell is not None, (table, label, column)
                if expected is None:
                    assert cell.marker == "blank"
                elif expected == "-":
                    assert cell.marker == "-"
                else:
                    assert area.value(table, ROW_IDS[label], column) == expected, (table, label, column)
    assert area.value("breach_notification", "value", "value") == 37
    assert area.value("restrictive_orders", "sopo", "value") == 134
    assert area.value("restrictive_orders", "no", "value") == 3
    assert area.value("restrictive_orders", "fto", "value") == 0
    assert area.value("rsos_per_100k", "value", "value") == 100


def test_kent_workbook_reads_every_published_figure() -> None:
    """The sample workbook holds the published Kent 2014-15 tables."""
    _assert_kent(KENT_XLSX)


def test_kent_csv_reads_the_same_figures() -> None:
    """The tidy CSV sample holds the same figures."""
    _assert_kent(KENT_CSV)


def test_tables_on_separate_sheets_in_another_order(tmp_path: Path) -> None:
    """Titles are found anywhere: one table per sheet, reversed order, short and odd-cased labels."""
    path = separate_sheets(tmp_path / "moved.xlsx")
    _assert_kent(path)
    moved = read_area(path).frame
    kent = read_area(KENT_XLSX).frame
    kent = kent[kent["table"] != "commentary"].reset_index(drop=True)
    pd.testing.assert_frame_equal(moved[COMPARED], kent[COMPARED])


def test_header_split_over_several_rows(tmp_path: Path) -> None:
    """A header copied from the PDF, one line per row: 'Category 1:' / 'Registered sex' / 'offenders'."""
    wb = load_workbook(KENT_XLSX)
    ws = wb["Statistics"]
    ws.insert_rows(5, amount=2)  # the 31 March grid now starts at row 7
    for col, (first, second, third) in zip(
        "BCDE",
        [
            ("Category 1:", "Registered sex", "offenders"),
            ("Category 2:", "Violent", "offenders"),
            ("Category 3:", "Other dangerous", "offenders"),
            ("Total", None, None),
        ],
        strict=True,
    ):
        ws[f"{col}4"], ws[f"{col}5"], ws[f"{col}6"] = first, second, third
    path = tmp_path / "split.xlsx"
    wb.save(path)
    area = read_area(path)
    assert area.value("snapshot", "level1", "cat2") == 787
    assert area.cell("snapshot", "level1", "cat2").source == "'Statistics'!C7"  # type: ignore[union-attr]


def test_sources_are_spreadsheet_cells() -> None:
    """Every value keeps its sheet and A1 cell."""
    area = read_area(KENT_XLSX)
    cell = area.cell("snapshot", "level1", "cat2")
    assert cell is not None
    assert (cell.sheet, cell.cell, cell.source) == ("Statistics", "C5", "'Statistics'!C5")
    csv_cell = read_area(KENT_CSV).cell("snapshot", "level1", "cat2")
    assert csv_cell is not None
    assert csv_cell.source == f"{KENT_CSV}:3"


def test_metadata() -> None:
    """Area, template year and the input's SHA-256 are recorded."""
    area = read_area(KENT_XLSX)
    assert area.meta.area == "Kent"
    assert area.meta.template == "2014-15"
    assert area.meta.sha256 == sha256(KENT_XLSX)


def test_xlsx_to_csv_to_model_is_identical(tmp_path: Path) -> None:
    """xlsx → model → tidy CSV → model gives the same cells."""
    out = tmp_path / "kent.csv"
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    first = read_area(KENT_XLSX)
    second = read_area(out)
    pd.testing.assert_frame_equal(first.frame[COMPARED], second.frame[COMPARED])
    assert second.meta.area == "Kent"


def test_committed_csv_sample_matches_workbook() -> None:
    """samples/kent_2015.csv is the workbook in tidy form."""
    pd.testing.assert_frame_equal(read_area(KENT_XLSX).frame[COMPARED], read_area(KENT_CSV).frame[COMPARED])


def test_template_reads_back_as_an_empty_model(tmp_path: Path) -> None:
    """The template command writes a workbook the reader accepts, with every input cell empty."""
    out = tmp_path / "blank.xlsx"
    result = CliRunner().invoke(main, ["template", "--year", "2014-15", "-o", str(out)])
    assert result.exit_code == 0, result.output
    area = read_area(out)
    template = load_template("2014-15")
    assert set(area.frame["table"]) == set(template.table_ids())
    assert area.frame["value"].isna().all()
    sopo = area.frame[(area.frame["table"] == "custody_sopo") & area.frame["column"].isin(["cat2", "cat3"])]
    assert len(sopo) == 6
    assert set(sopo["marker"]) == {"-"}
    others = area.frame.drop(sopo.index)
    assert set(others["marker"]) == {"blank"}


def test_template_marks_not_applicable_and_validates_whole_numbers(tmp_path: Path) -> None:
    """Input cells carry whole-number validation; not-applicable cells are filled grey."""
    from openpyxl import load_workbook

    out = tmp_path / "blank.xlsx"
    CliRunner().invoke(main, ["template", "-o", str(out)])
    ws = load_workbook(out)["Statistics"]
    rules = ws.data_validations.dataValidation
    assert rules
    assert rules[0].type == "whole"
    assert rules[0].operator == "greaterThanOrEqual"
    covered = " ".join(str(r.sqref) for r in rules)
    assert "B5" in covered.split()  # Level 1, Category 1 of the first grid
    assert ws["A5"].value == "Level 1"
    assert ws["D5"].fill.fgColor.rgb.endswith("D9D9D9")  # Category 3 x Level 1 not applicable
    assert "D5" not in covered.split()


def test_text_in_a_count_cell_is_kept_with_its_location(tmp_path: Path) -> None:
    """A cell that is not a count stays in the model for validate to report."""
    path = edit_copy(KENT_XLSX, tmp_path / "text.xlsx", {"C5": "about 780", "B6": " 12 ", "B5": "1,548"})
    area = read_area(path)
    cell = area.cell("snapshot", "level1", "cat2")
    assert cell is not None
    assert (cell.raw, cell.issue, cell.source) == ("about 780", "text", "'Statistics'!C5")
    assert area.value("snapshot", "level2", "cat1") == 12
    assert area.cell("snapshot", "level2", "cat1").issue == "text_number"  # type: ignore[union-attr]
    assert area.value("snapshot", "level1", "cat1") == 1548
    assert area.cell("snapshot", "level1", "cat1").issue == "thousands_separator"  # type: ignore[union-attr]


def test_ods_is_read(tmp_path: Path) -> None:
    """An OpenDocument spreadsheet with the same layout gives the same figures."""
    frame = pd.read_excel(KENT_XLSX, header=None)
    out = tmp_path / "kent.ods"
    frame.to_excel(out, header=False, index=False, engine="odf", sheet_name="Statistics")  # type: ignore[arg-type]  # pandas-stubs leave out the odf writer
    area = read_area(out)
    assert area.value("snapshot", "level1", "cat2") == 787
    assert area.value("yearly", "total", "total") == 35
    assert area.meta.source_format == "ods"
    # OpenDocument keeps the Level 1 share as the fraction 0.99; it is still checked as 99%.
    result = CliRunner().invoke(main, ["validate", str(out)])
    assert result.exit_code == 0, result.output


# --- bad input: one line, exit 2, the input untouched ---------------------------------------------


def _run_bad(path: Path | str, *extra: str) -> str:
    before = sha256(Path(path)) if Path(path).is_file() else None
    result = CliRunner().invoke(main, ["tables", str(path), *extra])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    if before is not None:
        assert sha256(Path(path)) == before
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist."""
    assert "no such file" in _run_bad(tmp_path / "nope.xlsx")


def test_directory(tmp_path: Path) -> None:
    """A folder instead of a file."""
    assert "is a folder" in _run_bad(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    """A zero-byte file."""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "empty" in _run_bad(path)


def test_truncated_workbook(tmp_path: Path) -> None:
    """Half a workbook."""
    path = tmp_path / "cut.xlsx"
    path.write_bytes(KENT_XLSX.read_bytes()[:3000])
    assert "damaged" in _run_bad(path)


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    """A CSV file given a workbook's name."""
    path = tmp_path / "kent.xlsx"
    path.write_bytes(KENT_CSV.read_bytes())
    message = _run_bad(path)
    assert "rename it to .csv" in message
    assert str(path) in message


def test_legacy_xls(tmp_path: Path) -> None:
    """An Excel 97-2003 file (OLE2 container)."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert "save as .xlsx" in _run_bad(path)


def test_password_protected(tmp_path: Path) -> None:
    """An encrypted workbook is an OLE2 container holding an EncryptionInfo stream."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le")
    )
    assert "password-protected" in _run_bad(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    """A zip archive with no spreadsheet inside."""
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "not a spreadsheet" in _run_bad(path)


def test_table_not_found_names_titles_looked_for(tmp_path: Path) -> None:
    """A missing table is named with the titles that were searched for."""
    path = edit_copy(KENT_XLSX, tmp_path / "no_yearly.xlsx", {"A10": "Something else"})
    message = _run_bad(path)
    assert "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)' not found" in message
    assert "'MAPPA-eligible offenders in Levels 2 and 3'" in message


def test_unknown_row_label(tmp_path: Path) -> None:
    """A row label the template does not know, with numbers beside it."""
    path = edit_copy(KENT_XLSX, tmp_path / "row.xlsx", {"A6": "Level 4"})
    message = _run_bad(path)
    assert "unknown row label 'Level 4' at 'Statistics'!A6" in message


def test_unknown_column_label(tmp_path: Path) -> None:
    """A column label the template does not know."""
    path = edit_copy(KENT_XLSX, tmp_path / "col.xlsx", {"D4": "Category 5: Terrorists"})
    message = _run_bad(path)
    assert "unknown column label 'Category 5: Terrorists' at 'Statistics'!D4" in message


def test_duplicate_table(tmp_path: Path) -> None:
    """Two copies of the same table are refused, naming both."""
    path = edit_copy(KENT_XLSX, tmp_path / "dup.xlsx", {"A45": "MAPPA-eligible offenders on 31 March 2015"})
    message = _run_bad(path)
    assert "appears 2 times" in message
    assert "'Statistics'!A2" in message
    assert "'Statistics'!A45" in message


def test_library_errors_are_typed(tmp_path: Path) -> None:
    """The library raises the project's own exceptions, which the CLI maps to exit 2."""
    with pytest.raises(InputError):
        read_area(tmp_path / "missing.xlsx")
    with pytest.raises(LabelError):
        read_area(edit_copy(KENT_XLSX, tmp_path / "r.xlsx", {"A7": "Level three hundred"}))
    with pytest.raises(TableNotFoundError):
        read_area(edit_copy(KENT_XLSX, tmp_path / "t.xlsx", {"A37": "Rate"}))


def test_tidy_csv_unknown_label(tmp_path: Path) -> None:
    """A tidy CSV line with an unknown row names the line."""
    lines = KENT_CSV.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("level1", "level9")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _run_bad(path)
    assert f"{path}:3: unknown row 'level9'" in message


def test_csv_with_semicolons_and_bom(tmp_path: Path) -> None:
    """Excel's 'CSV' in many locales: semicolons, a byte-order mark."""
    text = KENT_CSV.read_text(encoding="utf-8").replace(",", ";")
    path = tmp_path / "semi.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    _assert_kent(path)


def test_reporting_year_without_a_template(tmp_path: Path) -> None:
    """A 'Reporting year' with no definition file is named, with the years that exist."""
    path = edit_copy(KENT_XLSX, tmp_path / "y.xlsx", {"H2": "2030-31"})
    assert "says '2030-31', which has no template; templates available: 2014-15, 2015-16" in _run_bad(path)


def test_title_date_without_a_template(tmp_path: Path) -> None:
    """Titles dated 31 March 2031 with no 2030-31 definition: said plainly."""
    path = edit_copy(
        KENT_XLSX,
        tmp_path / "d.xlsx",
        {"H2": None, "G2": None, "A2": "MAPPA-eligible offenders on 31 March 2031"},
    )
    assert "the titles say 31 March 2031, but there is no template for that year" in _run_bad(path)


def test_debug_shows_traceback(tmp_path: Path) -> None:
    """--debug lets the exception through for a developer."""
    result = CliRunner().invoke(main, ["--debug", "tables", str(tmp_path / "nope.xlsx")])
    assert isinstance(result.exception, InputError)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", "kent_2015.tables.txt"),
        ("markdown", "kent_2015.tables.md"),
        ("json", "kent_2015.tables.json"),
        ("csv", "kent_2015.csv"),
    ],
)
def test_tables_output_is_as_committed(fmt: str, expected: str, in_root: Path) -> None:
    """`tables` prints exactly the committed expected output, in every format."""
    result = CliRunner().invoke(main, ["tables", "samples/kent_2015.xlsx", "--format", fmt])
    assert result.exit_code == 0
    assert result.output == (SAMPLES / expected).read_text(encoding="utf-8")


def test_tables_json_carries_published_numbers() -> None:
    """The JSON document holds numbers (not text) and markers as published."""
    result = CliRunner().invoke(main, ["tables", str(KENT_XLSX), "--format", "json"])
    document = json.loads(result.output)
    snapshot = next(t for t in document["tables"] if t["id"] == "snapshot")
    level1 = next(r for r in snapshot["rows"] if r["id"] == "level1")
    assert level1["cells"]["cat1"]["value"] == 1548
    assert level1["cells"]["cat3"] == {
        "value": None,
        "marker": "blank",
        "raw": "",
        "source": "'Statistics'!D5",
    }


def test_returned_to_custody_grids_on_separate_sheets(tmp_path: Path) -> None:
    """Each custody grid on its own sheet under its own copy of the title, or with the section in the title."""
    from openpyxl import Workbook

    from helpers import HEADER, KENT, TITLES

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for key in ("snapshot", "yearly"):
        ws = wb.create_sheet(key)
        ws.append([TITLES[key]])
        ws.append(["", *HEADER])
        for label, values in KENT[key].items():
            ws.append([label, *values])
    ws = wb.create_sheet("Licence")
    ws.append(["Level 2 and 3 offenders returned to custody"])
    ws.append(["", *HEADER])
    ws.append(["Breach of licence"])
    for label, values in KENT["custody_licence"].items():
        ws.append([label, *values])
    ws = wb.create_sheet("SOPO")
    ws.append(["Level 2 and 3 offenders returned to custody: Breach of SOPO"])
    ws.append(["", *HEADER])
    for label, values in KENT["custody_sopo"].items():
        ws.append([label, *values])
    ws = wb.create_sheet("Other")
    ws.append(["RSOs cautioned or convicted for breach of notification requirements", 37])
    ws.append(["Restrictive orders for Category 1 offenders"])
    ws.append(["SOPOs", 134])
    ws.append(["NOs", 3])
    ws.append(["FTOs", 0])
    ws.append([])
    ws.append(["Total number of Registered Sexual Offenders per 100,000 population", 100])
    path = tmp_path / "custody.xlsx"
    wb.save(path)
    _assert_kent(path)
    area = read_area(path)
    assert area.cell("custody_sopo", "level2", "cat1").sheet == "SOPO"  # type: ignore[union-attr]
    assert area.cell("custody_licence", "level2", "cat1").sheet == "Licence"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("label", "reads"),
    [
        ("Level 1 (active management)", True),
        ("Level 1 - ordinary agency management", True),
        ("Level 1: ordinary agency management", True),
        ("Level 1(ordinary)", True),
        ("Level 12", False),
        ("Level 1 and 2", False),
    ],
)
def test_label_with_a_tail_reads_as_its_row(tmp_path: Path, label: str, reads: bool) -> None:
    """A row label followed by ' (', ' -', ':' or '(' is the row; any other tail is not."""
    path = edit_copy(KENT_XLSX, tmp_path / "tail.xlsx", {"A5": label})
    result = CliRunner().invoke(main, ["validate", str(path)])
    if reads:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2 and f"unknown row label {label!r}" in result.output, result.output


# --- reader edges that mutation testing found untested ------------------------------------------------


def test_ods_cells_keep_their_spreadsheet_references(tmp_path: Path) -> None:
    """An OpenDocument copy names the same cells as the workbook: 'Statistics'!C5 for Level 1, Category 2."""
    frame = pd.read_excel(KENT_XLSX, header=None)
    out = tmp_path / "kent.ods"
    frame.to_excel(out, header=False, index=False, engine="odf", sheet_name="Statistics")  # type: ignore[arg-type]  # pandas-stubs leave out the odf writer
    from_ods, from_xlsx = read_area(out), read_area(KENT_XLSX)
    for key in (
        ("snapshot", "level1", "cat2"),
        ("breach_notification", "value", "value"),
        ("yearly", "total", "total"),
    ):
        ods_cell, xlsx_cell = from_ods.cell(*key), from_xlsx.cell(*key)
        assert ods_cell is not None
        assert xlsx_cell is not None
        assert (ods_cell.sheet, ods_cell.cell, ods_cell.source) == (
            xlsx_cell.sheet,
            xlsx_cell.cell,
            xlsx_cell.source,
        )


def test_ods_date_in_a_count_cell_is_a_date(tmp_path: Path) -> None:
    """A date typed into a count cell of an OpenDocument sheet is reported as a date, at its cell."""
    import datetime as dt

    frame = pd.read_excel(KENT_XLSX, header=None).astype(object)
    frame.iat[5, 1] = dt.datetime(2015, 3, 12)  # B6: Level 2, Category 1
    out = tmp_path / "dated.ods"
    frame.to_excel(out, header=False, index=False, engine="odf", sheet_name="Statistics")  # type: ignore[arg-type]  # pandas-stubs leave out the odf writer
    cell = read_area(out).cell("snapshot", "level2", "cat1")
    assert cell is not None
    assert cell.issue == "date"
    assert cell.cell == "B6"


def test_tidy_csv_lines_are_their_own_sources(tmp_path: Path) -> None:
    """A tidy CSV cell is located by its line: no sheet, cell 'line N', source 'file:N'."""
    cell = read_area(KENT_CSV).cell("snapshot", "level1", "cat2")
    assert cell is not None
    assert (cell.sheet, cell.cell, cell.source) == ("", "line 3", f"{KENT_CSV}:3")


def test_tidy_csv_without_an_area_column_and_with_short_lines(tmp_path: Path) -> None:
    """No area column: no area; a line without its marker field still reads."""
    lines = KENT_CSV.read_text(encoding="utf-8").splitlines()
    body = [",".join(line.split(",")[1:]) for line in lines]
    body[1] = body[1].rstrip(",")  # '2014-15,snapshot,level1,cat1,1548' — no marker field at all
    path = tmp_path / "bare.csv"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    area = read_area(path)
    assert area.meta.template == "2014-15"
    assert area.meta.area is None
    assert area.value("snapshot", "level1", "cat1") == 1548


def test_tidy_csv_area_is_the_first_named(tmp_path: Path) -> None:
    """An area column blank on some lines still names the area from the others."""
    text = KENT_CSV.read_text(encoding="utf-8").replace(
        "Kent,2014-15,snapshot,level1,cat1,", ",2014-15,snapshot,level1,cat1,"
    )
    path = tmp_path / "partly.csv"
    path.write_text(text, encoding="utf-8")
    assert read_area(path).meta.area == "Kent"


def test_tidy_csv_unknown_column_lists_the_columns(tmp_path: Path) -> None:
    """An unknown column names the line and every column id the table has."""
    text = KENT_CSV.read_text(encoding="utf-8").replace("snapshot,level1,cat2,", "snapshot,level1,cat9,")
    path = tmp_path / "col.csv"
    path.write_text(text, encoding="utf-8")
    message = _run_bad(path)
    assert message.endswith(
        f"{path}:3: unknown column 'cat9' in table snapshot; expected one of cat1, cat2, cat3, total"
    )


@pytest.mark.parametrize(
    ("name", "area"),
    [
        ("kent_2015.xlsx", "Kent"),
        ("Kent-MAPPA annual report 2014-15 FINAL v2.xlsx", "Kent"),
        ("thames_valley_stats.xlsx", "Thames Valley"),
        ("statistics_2015.xlsx", None),
        ("-", None),
    ],
)
def test_area_from_the_file_name(name: str, area: str | None) -> None:
    """The file name gives the area once the years and the usual words are set aside; '-' gives none."""
    from mappa_stats.io.readers import area_from_file_name

    assert area_from_file_name(Path(name)) == area


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("A1", (1, 1)),
        ("C5", (5, 3)),
        ("$E$41", (41, 5)),
        ("z9", (9, 26)),
        ("AA10", (10, 27)),
        ("XFD1048576", (1048576, 16384)),
        ("A00000050", (50, 1)),
        ("A５0", (50, 1)),
    ],
)
def test_a_cell_reference_is_read_as_a_spreadsheet_writes_it(ref: str, expected: tuple[int, int]) -> None:
    """A1 references (with $ and either case) to (row, column), as the workbook reader and a return's
    reference formulas give them."""
    from mappa_stats.io.xlsx import cell_position

    assert cell_position(ref) == expected


@pytest.mark.parametrize("ref", ["", "5C", "A0B", "ABCD1", "A" + "1" * 21, "R1C1"])
def test_anything_else_is_not_a_cell_reference(ref: str) -> None:
    """Not an A1 reference: ValueError (the reader turns it into one line about the workbook)."""
    from mappa_stats.io.xlsx import cell_position

    with pytest.raises(ValueError, match="is not a cell reference"):
        cell_position(ref)
