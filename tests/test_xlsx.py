"""The fast xlsx reader gives the values openpyxl gives, and says what blank cells hide."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import SAMPLES
from mappa_stats.io.xlsx import XlsxError, merged_cells, read_xlsx


def openpyxl_cells(data: bytes) -> list[tuple[str, bool, dict[tuple[int, int], tuple[Any, str]]]]:
    """What openpyxl reads: sheet name, hidden, filled cells with their number formats."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if value is not None:
                    assert cell.row is not None
                    assert cell.column is not None
                    cells[(int(cell.row), int(cell.column))] = (value, cell.number_format or "General")
        out.append((ws.title, ws.sheet_state != "visible", cells))
    book.close()
    return out


def ours(data: bytes) -> list[tuple[str, bool, dict[tuple[int, int], tuple[Any, str]]]]:
    return [(s.name, s.hidden, s.cells) for s in read_xlsx(data)]


@pytest.mark.parametrize("path", sorted(SAMPLES.rglob("*.xlsx")), ids=lambda p: p.name)
def test_every_sample_reads_as_openpyxl_reads_it(path: Path) -> None:
    """Same sheets, same filled cells, same values and number formats."""
    data = path.read_bytes()
    assert ours(data) == openpyxl_cells(data)


def odd_workbook(tmp_path: Path) -> bytes:
    """A workbook with dates, percentages, booleans, text numbers, a hidden sheet and errors."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Stats"
    ws["A1"] = "Kent"
    ws["B2"] = 0.99
    ws["B2"].number_format = "0%"
    ws["B3"] = dt.datetime(2015, 3, 31)
    ws["B4"] = True
    ws["B5"] = "1,548"
    ws["B6"] = 12.5
    ws["B7"] = -3
    ws["C8"] = "=SUM(B6:B7)"
    ws.merge_cells("D2:E3")
    ws["D2"] = "merged"
    hidden = wb.create_sheet("Old")
    hidden.sheet_state = "hidden"
    hidden["A1"] = 1560
    path = tmp_path / "odd.xlsx"
    wb.save(path)
    return path.read_bytes()


def test_odd_cells_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    """Dates, formats, booleans, negatives, hidden sheets: identical to openpyxl."""
    data = odd_workbook(tmp_path)
    assert ours(data) == openpyxl_cells(data)


def test_formulas_without_saved_values_and_merged_cells_are_named(tmp_path: Path) -> None:
    """What a blank cell really is: a formula Excel never calculated, or part of a merged range."""
    sheet = read_xlsx(odd_workbook(tmp_path))[0]
    assert sheet.formulas == {(8, 3): "=SUM(B6:B7)"}
    assert merged_cells(sheet) == {(2, 5): "D2:E3", (3, 4): "D2:E3", (3, 5): "D2:E3"}


def rewrite(data: bytes, part: str, change: Any) -> bytes:
    """The same workbook with one part's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            dst.writestr(info, change(content) if info.filename == part else content)
    return out.getvalue()


def test_a_dtd_is_refused(tmp_path: Path) -> None:
    """An entity declaration never reaches expansion."""
    data = rewrite(
        odd_workbook(tmp_path),
        "xl/worksheets/sheet1.xml",
        lambda x: b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + x.split(b"?>", 1)[-1],
    )
    with pytest.raises(XlsxError, match="DTD"):
        read_xlsx(data)


def test_cells_beyond_the_budget_stop_the_read(tmp_path: Path) -> None:
    """A workbook with more filled cells than allowed is refused while it is read."""
    with pytest.raises(XlsxError, match="more than 5 filled cells"):
        read_xlsx(odd_workbook(tmp_path), max_cells=5)


def test_damaged_xml_is_one_plain_error(tmp_path: Path) -> None:
    """Truncated sheet XML: a plain reason, not a parser's traceback."""
    data = rewrite(odd_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2])
    with pytest.raises(XlsxError, match="damaged XML"):
        read_xlsx(data)


def test_builtin_formats_are_openpyxls() -> None:
    """The ECMA-376 built-in number formats written in xlsx.py are openpyxl's, and so is the date test."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    from mappa_stats.io import xlsx

    assert dict(BUILTIN_FORMATS) == xlsx.BUILTIN_FORMATS
    extra = ['"m"0', "[$-409]d-mmm", "[h]:mm", "0;[Red]d", "yyyy", "_d0", "\\d0", "[mm]:ss", '"per cent"0']
    for code in [*BUILTIN_FORMATS.values(), *extra]:
        assert xlsx.is_date_format(code) == is_date_format(code), code


def test_reading_the_sample_needs_neither_openpyxl_nor_numpy() -> None:
    """A plain workbook (its '0%' cells included) is read without openpyxl or numpy."""
    import subprocess
    import sys

    from conftest import KENT_XLSX

    code = (
        "import sys, pathlib\n"
        "from mappa_stats.io.readers import read_area\n"
        f"read_area(pathlib.Path({str(KENT_XLSX)!r}))\n"
        "print(sorted(m for m in ('openpyxl', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


HAND_WRITTEN_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:sheetData><x:row r="3"><x:c r="B3"><x:v>12</x:v></x:c><x:c><x:v> 7 </x:v></x:c>'
    b'<x:c t="inlineStr"><x:is><x:r><x:t>Kent </x:t></x:r><x:r><x:t>&amp; Medway</x:t></x:r></x:is></x:c>'
    b'</x:row><x:row><x:c r=\'A4\' t="str"><x:f>B3&amp;"x"</x:f><x:v>12x</x:v></x:c>'
    b'<x:c r="B4"><x:f t="shared" si="0"/></x:c><x:c r="C4"><x:f>SUM(B3:C3)</x:f></x:c></x:row>'
    b'</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="D3:E3"/></x:mergeCells></x:worksheet>'
)


def test_a_hand_written_sheet_reads_as_excel_means_it(tmp_path: Path) -> None:
    """What the tree walk must keep of the old streaming reader: prefixed tags, a cell with no reference
    (the next column of its row; a row with no number the next row), rich inline text, entities, a formula
    with and without a saved value (a shared formula's empty `f` is still a formula) and merged ranges."""
    data = rewrite(odd_workbook(tmp_path), "xl/worksheets/sheet1.xml", lambda _x: HAND_WRITTEN_SHEET)
    sheet = read_xlsx(data)[0]
    assert sheet.cells == {
        (3, 2): (12, "General"),
        (3, 3): (7, "General"),  # no r: the column after B3, in row 3
        (3, 4): ("Kent & Medway", "General"),  # the two runs of the inline string, &amp; read as &
        (4, 1): ("12x", "General"),  # row 4: the row after 3, though it says no number
    }
    assert sheet.references == {(4, 1): '=B3&"x"'}
    assert sheet.formulas == {(4, 2): "=", (4, 3): "=SUM(B3:C3)"}
    assert sheet.merged == ["D3:E3"]
