"""Hostile and malformed input: one clear line and an exit code every time, the input untouched."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import KENT_CSV, KENT_XLSX, sha256
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.render.tables import safe_text


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    """Run the CLI in-process, colour off."""
    return CliRunner(env={"NO_COLOR": "1"}).invoke(main, list(args), input=stdin)


def refused(path: Path, *words: str, command: str = "validate") -> str:
    """The file is refused: exit 2, one line naming the file, no traceback, bytes unchanged."""
    before = sha256(path) if path.is_file() else None
    result = invoke(command, str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    if command == "validate":
        lines = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert str(path) in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    if before is not None:
        assert sha256(path) == before
    return lines[0]


def finding(path: Path, code: int, rule: str, *words: str) -> str:
    """The file is read and validate reports `rule` with the given exit code."""
    before = sha256(path)
    result = invoke("validate", str(path))
    assert result.exit_code == code, result.output
    assert rule in result.output
    for word in words:
        assert word in result.output, result.output
    assert sha256(path) == before
    return result.output


def _rezip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
    return target


# --- files that are not what they claim ----------------------------------------------------------------


def test_zero_byte_workbook(tmp_path: Path) -> None:
    """A zero-byte .xlsx."""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "empty")


def test_zero_byte_csv(tmp_path: Path) -> None:
    """A zero-byte .csv."""
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    refused(path, "empty")


def test_blank_lines_only_csv(tmp_path: Path) -> None:
    """A CSV of blank lines has no header."""
    path = tmp_path / "blank.csv"
    path.write_text("\n\n\n", encoding="utf-8")
    refused(path, "tidy CSV")


def test_truncated_zip(tmp_path: Path) -> None:
    """A workbook cut short in a download."""
    path = tmp_path / "cut.xlsx"
    path.write_bytes(KENT_XLSX.read_bytes()[: len(KENT_XLSX.read_bytes()) // 2])
    refused(path, "damaged")


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    """Noise with a workbook's name."""
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    refused(path, "not a spreadsheet")


def test_csv_named_xlsx(tmp_path: Path) -> None:
    """A CSV renamed .xlsx."""
    path = tmp_path / "kent.xlsx"
    path.write_bytes(KENT_CSV.read_bytes())
    refused(path, "rename it to .csv")


def test_legacy_xls(tmp_path: Path) -> None:
    """Excel 97-2003."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    refused(path, ".xls", "save as .xlsx")


def test_password_protected(tmp_path: Path) -> None:
    """An encrypted workbook (an OLE2 container with EncryptionInfo)."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "EncryptionInfo".encode("utf-16-le")
    )
    refused(path, "password-protected")


def test_xml_entity_bomb(tmp_path: Path) -> None:
    """'Billion laughs' inside a sheet: refused by defusedxml before any expansion."""
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = _rezip(KENT_XLSX, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": lol})
    refused(path, "entities")


def test_zip_bomb(tmp_path: Path) -> None:
    """A small file that would inflate to 150 MB is refused from the zip directory, unread."""
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(KENT_XLSX) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(item.filename, zin.read(item.filename))
        with zout.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * (1024 * 1024)
            for _ in range(150):
                sheet.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    refused(path, "zip bomb")


def test_a_million_rows(tmp_path: Path) -> None:
    """A sheet whose dimension claims 1,000,000 rows is refused before it is walked."""
    with zipfile.ZipFile(KENT_XLSX) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b'<dimension ref="A1:H41" />', b'<dimension ref="A1:H1000000" />')
    path = _rezip(KENT_XLSX, tmp_path / "tall.xlsx", {"xl/worksheets/sheet1.xml": xml})
    refused(path, "claims row 1,000,000", "limit 10,000 rows")


def test_a_million_rows_without_a_dimension(tmp_path: Path) -> None:
    """A real row 1,000,000 and no <dimension>: the last row is found cheaply from the XML."""
    with zipfile.ZipFile(KENT_XLSX) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b'<dimension ref="A1:H41" />', b"")
    xml = xml.replace(b"</sheetData>", b'<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>')
    path = _rezip(KENT_XLSX, tmp_path / "tall2.xlsx", {"xl/worksheets/sheet1.xml": xml})
    refused(path, "reaches row 1,000,000")


def test_directory(tmp_path: Path) -> None:
    """A folder."""
    refused(tmp_path, "is a folder")


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist."""
    refused(tmp_path / "nope.xlsx", "no such file")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (simulated: tests may run as root, who can read anything)."""
    import os

    path = edit_copy(KENT_XLSX, tmp_path / "locked.xlsx", {})
    real_open = os.open

    def deny(target: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(target) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(target, *args, **kwargs)

    before = sha256(path)
    monkeypatch.setattr(os, "open", deny)
    result = invoke("validate", str(path))
    monkeypatch.undo()
    assert result.exit_code == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert "permission denied" in errors[0]
    assert str(path) in errors[0]
    assert sha256(path) == before


# --- workbooks people really send ---------------------------------------------------------------------


def test_formulas_without_saved_values(tmp_path: Path) -> None:
    """Totals as formulas in a workbook written by a script and never opened in Excel."""
    path = edit_copy(KENT_XLSX, tmp_path / "script.xlsx", {"E5": "=SUM(B5:D5)", "E6": "=SUM(B6:D6)"})
    finding(
        path, 1, "values.whole_number", "'Statistics'!E5", "a formula with no saved value", "let it calculate"
    )


def test_merged_cells_across_a_table(tmp_path: Path) -> None:
    """Two cells of a grid merged: the hidden one is named as part of the merge."""
    wb = load_workbook(KENT_XLSX)
    wb["Statistics"].merge_cells("C6:D6")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    finding(path, 1, "cells.missing", "'Statistics'!D6", "merged cells C6:D6")


def test_hidden_sheet_with_an_old_copy(tmp_path: Path) -> None:
    """A forgotten hidden sheet holding last year's table: both copies named, the hidden one said so."""
    wb = load_workbook(KENT_XLSX)
    old = wb.create_sheet("Old")
    old["A1"] = "MAPPA-eligible offenders on 31 March 2015"
    old.sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    message = refused(path, "appears 2 times")
    assert "'Old'!A1 (on a hidden sheet)" in message


def test_hidden_rows_are_still_read(tmp_path: Path) -> None:
    """A hidden row of a grid is read like any other (Excel's own sums include it)."""
    wb = load_workbook(KENT_XLSX)
    wb["Statistics"].row_dimensions[6].hidden = True
    path = tmp_path / "hidden_row.xlsx"
    wb.save(path)
    assert invoke("validate", str(path)).exit_code == 0


def test_two_copies_of_a_table(tmp_path: Path) -> None:
    """The same table twice on one sheet."""
    path = edit_copy(
        KENT_XLSX,
        tmp_path / "twice.xlsx",
        {"A44": "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)"},
    )
    refused(path, "appears 2 times", "'Statistics'!A10", "'Statistics'!A44")


def test_a_table_missing(tmp_path: Path) -> None:
    """A table whose title was deleted: which table and which titles were looked for."""
    path = edit_copy(KENT_XLSX, tmp_path / "nobreach.xlsx", {"A17": None, "E17": None})
    refused(
        path,
        "RSOs cautioned or convicted for breach of notification requirements' not found",
        "looked in every sheet",
    )


def test_labels_in_another_order(tmp_path: Path) -> None:
    """Rows and columns in another order still read as the same tables."""
    changes = {
        "A5": "Level 3",
        "B5": 0,
        "C5": 0,
        "D5": 0,
        "E5": 0,
        "A7": "Level 1",
        "B7": 1548,
        "C7": 787,
        "D7": None,
        "E7": 2335,
        "B4": "Category 2",
        "C4": "Category 1",
        "B6": 6,
        "C6": 12,
        "B8": 793,
        "C8": 1560,
    }
    path = edit_copy(KENT_XLSX, tmp_path / "order.xlsx", changes)
    # after the column swap, the Level 3 row (now row 5) and Level 1 row (row 7) need swapping too
    wb = load_workbook(path)
    ws = wb["Statistics"]
    ws["B7"], ws["C7"] = 787, 1548
    wb.save(path)
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.output


def test_unknown_label(tmp_path: Path) -> None:
    """A row label the template does not know."""
    path = edit_copy(KENT_XLSX, tmp_path / "label.xlsx", {"A13": "Level 2b"})
    refused(path, "unknown row label 'Level 2b' at 'Statistics'!A13")


@pytest.mark.parametrize(
    ("cell", "value", "code", "rule", "word"),
    [
        ("B6", "12", 0, "values.text_number", "stored as text"),
        ("B5", "1,548", 0, "values.thousands_separator", "read as 1548"),
        ("B6", 12.5, 1, "values.whole_number", "a decimal"),
        ("B6", -12, 1, "values.whole_number", "negative"),
        ("B6", dt.datetime(2015, 3, 12), 1, "values.whole_number", "a date"),
        ("B6", "12%", 1, "values.whole_number", "a percentage"),
        ("B6", "#DIV/0!", 1, "values.whole_number", "text"),
        ("B6", "twelve", 1, "values.whole_number", "text"),
        ("B6", 10**15, 1, "values.whole_number", "far too large"),
        ("B6", 1.7976931348623157e308, 1, "values.whole_number", "not a finite number"),
    ],
    ids=[
        "text",
        "thousands",
        "decimal",
        "negative",
        "date",
        "percent",
        "excel-error",
        "word",
        "huge",
        "float-max",
    ],
)
def test_odd_numbers(tmp_path: Path, cell: str, value: Any, code: int, rule: str, word: str) -> None:
    """Numbers as text, with separators, decimals, negatives, dates, percentages, errors, words."""
    path = edit_copy(KENT_XLSX, tmp_path / "odd.xlsx", {cell: value})
    finding(path, code, rule, word)


def test_nan_and_inf_in_csv(tmp_path: Path) -> None:
    """NaN and inf are not counts."""
    text = KENT_CSV.read_text(encoding="utf-8").replace(
        "snapshot,level2,cat1,12,", "snapshot,level2,cat1,NaN,"
    )
    text = text.replace("snapshot,level2,cat2,6,", "snapshot,level2,cat2,inf,")
    path = tmp_path / "nan.csv"
    path.write_text(text, encoding="utf-8")
    finding(path, 1, "values.whole_number", "not a finite number")


def test_windows_1252_csv(tmp_path: Path) -> None:
    """A CSV saved by Excel in Windows-1252, with a pound sign in a note-like area name."""
    text = KENT_CSV.read_text(encoding="utf-8").replace("Kent,", "Kent £,")
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    result = invoke("validate", str(path))
    assert result.exit_code == 0
    assert "Kent £" in result.output


def test_bom_and_semicolons(tmp_path: Path) -> None:
    """UTF-8 with a byte-order mark and semicolons, as Excel writes in many locales."""
    path = tmp_path / "semi.csv"
    path.write_bytes(b"\xef\xbb\xbf" + KENT_CSV.read_text(encoding="utf-8").replace(",", ";").encode())
    assert invoke("validate", str(path)).exit_code == 0


def test_path_with_spaces_and_accents(tmp_path: Path) -> None:
    """A path with spaces and non-ASCII letters."""
    folder = tmp_path / "Dyfed-Powys – été 2015"
    folder.mkdir()
    path = edit_copy(KENT_XLSX, folder / "rapport annuel ü.xlsx", {})
    result = invoke("validate", str(path))
    assert result.exit_code == 0
    assert str(path) in result.output


def test_standard_input() -> None:
    """'-' reads the workbook from standard input."""
    result = invoke("tables", "-", "--format", "csv", stdin=KENT_XLSX.read_bytes())
    assert result.exit_code == 0, result.output
    assert "snapshot,level1,cat2,787," in result.output
    result = invoke("validate", "-", stdin=KENT_CSV.read_bytes())
    assert result.exit_code == 0
    assert "standard input" in result.output


def test_empty_standard_input() -> None:
    """Nothing piped in."""
    result = invoke("tables", "-", stdin=b"")
    assert result.exit_code == 2
    assert "standard input: nothing was read" in result.stderr


# --- outputs ------------------------------------------------------------------------------------------


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    """-o naming the input file: refused, the input untouched."""
    path = edit_copy(KENT_XLSX, tmp_path / "k.xlsx", {})
    before = sha256(path)
    result = invoke("tables", str(path), "-o", str(path))
    assert result.exit_code == 2
    assert "is also an input file" in result.stderr
    assert sha256(path) == before


def test_output_folder_missing(tmp_path: Path) -> None:
    """-o into a folder that does not exist."""
    result = invoke("tables", str(KENT_XLSX), "-o", str(tmp_path / "no" / "such" / "out.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_output_written_completely_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing leaves neither a partial file nor a temporary one."""
    out = tmp_path / "report.json"

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = invoke("validate", str(KENT_XLSX), "-f", "json", "-o", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_output_survives_a_failed_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older report is kept whole when the new one cannot be written."""
    out = tmp_path / "tables.csv"
    out.write_text("old report\n", encoding="utf-8")
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert invoke("tables", str(KENT_XLSX), "-f", "csv", "-o", str(out)).exit_code == 2
    assert out.read_text(encoding="utf-8") == "old report\n"


def test_template_output_to_a_missing_folder(tmp_path: Path) -> None:
    """template -o into a missing folder."""
    result = invoke("template", "-o", str(tmp_path / "missing" / "t.xlsx"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_population_file_refused(tmp_path: Path) -> None:
    """A population file that is not one (the full catalogue is in test_rate.py)."""
    path = tmp_path / "pop.csv"
    path.write_text("nothing,useful\n", encoding="utf-8")
    result = invoke("rate", "--population", str(path), str(KENT_XLSX))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


# --- formula injection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tTab", "'\tTab"),
        ("-", "-"),
        ("[x]", "[x]"),
        ("-3", "-3"),
        ("Kent", "Kent"),
    ],
)
def test_formula_text_is_neutralised(text: str, written: str) -> None:
    """Text that a spreadsheet would run is prefixed; markers and numbers are written as they are."""
    assert safe_text(text) == written


def test_area_name_with_a_formula_is_neutralised_in_csv(tmp_path: Path) -> None:
    """An area name from the input cannot become a formula in the tidy CSV written from it."""
    path = edit_copy(KENT_XLSX, tmp_path / "inject.xlsx", {"H1": "=cmd|' /C calc'!A0"})
    # the formula cell has no saved value, so the area is read as text typed with an apostrophe:
    wb = load_workbook(path)
    wb["Statistics"]["H1"].value = "=cmd|' /C calc'!A0"
    wb["Statistics"]["H1"].data_type = "s"
    wb.save(path)
    result = invoke("tables", str(path), "-f", "csv")
    assert result.exit_code == 0
    body = result.output.splitlines()[1]
    assert body.startswith("\"'=cmd") or body.startswith("'=cmd"), body


# --- fuzz -------------------------------------------------------------------------------------------


_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        [
            "-",
            "—",
            "[x]",
            "Total",
            "Level 1",
            "Cat 1",
            "Category 4",
            "=SUM(B5:D5)",
            "1,548",
            "99%",
            "Breach of SOPO",
        ]
    ),
    st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2100, 1, 1)),
    st.booleans(),
)
# The Kent sample's value cells (B5:E8, B13:E15, E17, E21:E23, B29:E31, B33:E35, E37, E41) are where
# people type; drawn twice as often as any cell of the page, labels and titles included.
_VALUE_CELLS = [(r, c) for r in (5, 6, 7, 8, 13, 14, 15, 29, 30, 31, 33, 34, 35) for c in (2, 3, 4, 5)] + [
    (r, 5) for r in (17, 21, 22, 23, 37, 41)
]
_CELLS = st.one_of(
    st.sampled_from(_VALUE_CELLS),
    st.sampled_from(_VALUE_CELLS),
    st.tuples(st.integers(1, 45), st.integers(1, 9)),
)


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """Values and types typed into cells, and sometimes a layout change (a row cleared or copied, a sheet renamed)."""
    edits: list[tuple[str, Any]] = [
        ("set", (draw(_CELLS), draw(_VALUES))) for _ in range(draw(st.integers(1, 4)))
    ]
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["clear_row", "copy_row", "rename_sheet"]))
        if kind == "clear_row":
            edits.append(("clear_row", draw(st.integers(1, 45))))
        elif kind == "copy_row":
            edits.append(("copy_row", (draw(st.integers(1, 45)), draw(st.integers(1, 60)))))
        else:
            name = draw(st.text(min_size=1, max_size=20).filter(lambda s: not set(s) & set("[]:*?/\\'")))
            edits.append(("rename_sheet", name))
    return draw(st.permutations(edits))


def _apply(edits: list[tuple[str, Any]], path: Path) -> None:
    wb = load_workbook(KENT_XLSX)
    ws = wb["Statistics"]
    for kind, arg in edits:
        if kind == "set":
            (r, c), value = arg
            if isinstance(value, str):
                value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
            ws.cell(r, c).value = value
        elif kind == "clear_row":
            for c in range(1, 10):
                ws.cell(arg, c).value = None
        elif kind == "copy_row":
            src, dst = arg
            for c in range(1, 10):
                ws.cell(dst, c).value = ws.cell(src, c).value
        else:
            ws.title = arg.strip() or "S"
    wb.save(path)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations())
def test_fuzzed_workbooks_always_get_an_answer(tmp_path: Path, edits: list[tuple[str, Any]]) -> None:
    """Whatever is done to a valid workbook, validate ends with 0, 1 or 2 and a message — never a crash."""
    path = tmp_path / "fuzz.xlsx"
    _apply(edits, path)
    before = sha256(path)
    for command in (["validate", str(path)], ["tables", str(path), "-f", "json"]):
        result = invoke(*command)
        assert result.exit_code in (0, 1, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "internal error" not in result.stderr, result.stderr
        if result.exit_code == 2:
            assert result.stderr.strip() or "ERROR" in result.stdout
        else:
            assert result.stdout.strip()
    assert sha256(path) == before


def test_library_warnings_do_not_reach_the_manager(tmp_path: Path) -> None:
    """An impossible date serial: one finding, and nothing from openpyxl on stderr."""
    wb = load_workbook(KENT_XLSX)
    wb["Statistics"]["C6"] = 179329472
    wb["Statistics"]["C6"].number_format = "yyyy-mm-dd"
    path = tmp_path / "serial.xlsx"
    wb.save(path)
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert "values.whole_number" in result.output
    assert result.stderr == ""


def test_bombs_are_refused_in_small_memory(tmp_path: Path) -> None:
    """The zip bomb and the million-row sheet, run as real processes: peak memory stays under 500 MB."""
    import resource
    import subprocess
    import sys

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(KENT_XLSX) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with zout.open(item.filename, "w") as sheet:
                    for _ in range(300):
                        sheet.write(b" " * (1024 * 1024))
            else:
                zout.writestr(item.filename, zin.read(item.filename))
    for path in (bomb,):
        done = subprocess.run(
            [sys.executable, "-m", "mappa_stats", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stdout + done.stderr
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < 500 * 1024


def test_legacy_console_encoding_does_not_crash() -> None:
    """Output through an ASCII or Windows-1252 stream: characters are replaced, never a crash."""
    import os
    import subprocess
    import sys

    for encoding in ("ascii", "cp1252"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mappa_stats",
                "rate",
                "--population",
                str(KENT_CSV.parent / "ons_mid2014.csv"),
                str(KENT_XLSX),
            ],
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": encoding},
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert b"Matches." in done.stdout


def test_report_over_the_population_file_is_refused(tmp_path: Path) -> None:
    """-o naming the population file given to validate: refused, the file untouched."""
    population = tmp_path / "ons.csv"
    population.write_bytes((KENT_CSV.parent / "ons_mid2014.csv").read_bytes())
    before = sha256(population)
    result = invoke("validate", str(KENT_XLSX), "--population", str(population), "-o", str(population))
    assert result.exit_code == 2
    assert "is also an input file" in result.stderr
    assert sha256(population) == before


# --- fuzz: OpenDocument, tidy CSV and population files ------------------------------------------------

_POPULATION_SAMPLE = KENT_CSV.parent / "ons_mid2014.csv"


@pytest.fixture(scope="module")
def kent_ods(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The Kent workbook saved as OpenDocument, once for the module."""
    import pandas as pd

    out = tmp_path_factory.mktemp("ods") / "kent.ods"
    frame = pd.read_excel(KENT_XLSX, header=None)
    frame.to_excel(out, header=False, index=False, engine="odf", sheet_name="Statistics")  # type: ignore[arg-type]  # pandas-stubs leave out the odf writer
    return out.read_bytes()


_XML_EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.sampled_from(
            [
                b' table:number-columns-repeated="%d"',
                b' table:number-rows-repeated="%d"',
                b'<text:s text:c="%d"/>',
                b' office:value-type="float" office:value="%d"',
                b"<table:table-cell/>" * 3,
                b"&#%d;",
                b"<",
                b'"',
                b"</table:table-row>",
            ]
        ),
        st.integers(0, 2**40),
    ),
    min_size=1,
    max_size=4,
)


def _assert_answer(args: list[str], path: Path) -> None:
    """Exit 0, 1 or 2 with a message, never an internal error; the file unchanged."""
    before = sha256(path)
    result = invoke(*args)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "internal error" not in result.output, result.output
    assert result.output.strip()
    assert sha256(path) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_XML_EDITS)
def test_fuzzed_ods_always_get_an_answer(
    tmp_path: Path, kent_ods: bytes, edits: list[tuple[int, bytes, int]]
) -> None:
    """Repeat counts, spaces, values, entities and broken tags spliced into an ODS's content.xml."""
    import io

    with zipfile.ZipFile(io.BytesIO(kent_ods)) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    content = parts["content.xml"]
    for at, snippet, number in edits:
        text = snippet % number if b"%d" in snippet else snippet
        # Attributes go inside a tag (before its '>'), elements and text after it.
        spot = content.find(b">", at % len(content))
        spot = spot if spot > 0 else len(content) // 2
        spot += 0 if text.startswith(b" ") else 1
        content = content[:spot] + text + content[spot:]
    parts["content.xml"] = content
    path = tmp_path / "fuzz.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, body in parts.items():
            zout.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    _assert_answer(["validate", str(path)], path)


_BYTE_EDITS = st.lists(
    st.tuples(
        st.integers(0, 100_000),
        st.sampled_from(["insert", "delete", "replace"]),
        st.binary(min_size=0, max_size=12).filter(lambda b: b"\x00" not in b)
        | st.sampled_from(
            [b",", b";", b'"', b"\n", b"\r", b"-", b"=", b"1e5000", b"\xff\xfe", b",,,,,", b"NaN"]
        ),
    ),
    min_size=1,
    max_size=5,
)


def _mutate(data: bytes, edits: list[tuple[int, str, bytes]]) -> bytes:
    for at, how, chunk in edits:
        spot = at % (len(data) + 1)
        if how == "insert":
            data = data[:spot] + chunk + data[spot:]
        elif how == "delete":
            data = data[:spot] + data[spot + len(chunk) + 1 :]
        else:
            data = data[:spot] + chunk + data[spot + len(chunk) :]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_BYTE_EDITS)
def test_fuzzed_tidy_csv_always_get_an_answer(tmp_path: Path, edits: list[tuple[int, str, bytes]]) -> None:
    """Bytes inserted, deleted or replaced anywhere in the Kent tidy CSV."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(_mutate(KENT_CSV.read_bytes(), edits))
    _assert_answer(["validate", str(path)], path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_BYTE_EDITS)
def test_fuzzed_population_files_always_get_an_answer(
    tmp_path: Path, edits: list[tuple[int, str, bytes]]
) -> None:
    """Bytes inserted, deleted or replaced anywhere in the ONS population sample."""
    path = tmp_path / "fuzz_population.csv"
    path.write_bytes(_mutate(_POPULATION_SAMPLE.read_bytes(), edits))
    _assert_answer(["rate", "--population", str(path), str(KENT_XLSX)], path)
    _assert_answer(["validate", str(KENT_XLSX), "--population", str(path)], path)
