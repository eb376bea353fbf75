"""The hostile-input catalogue: every file an earlier review found a gap with, built in tmp_path.

Each case is (name, kind, builder, words): kind 'area' is given to `validate`, 'population' to
`rate --population`; the builder writes the file (or returns a path such as /dev/zero); the words are
what the one-line refusal must say. tests/test_guard.py runs each case in-process (exit 2, one line,
input unchanged) and all of them in a measuring subprocess (time and peak memory within the limits of
docs/limits.md). Add a case here when a new hostile file is found.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import xls
from conftest import KENT_CSV, KENT_XLSX, ROOT

POPULATION = ROOT / "samples" / "ons_mid2014.csv"
_SHEET = "xl/worksheets/sheet1.xml"


def kent_part(name: str) -> bytes:
    """One part of the Kent sample workbook."""
    with zipfile.ZipFile(KENT_XLSX) as z:
        return z.read(name)


def rezip(
    target: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    source: Path = KENT_XLSX,
) -> Path:
    """A copy of a workbook's zip with parts replaced, added or dropped."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename not in drop:
                zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, body in (add or {}).items():
            zout.writestr(name, body)
    return target


def _sheet_plus(rows: bytes, dimension: bytes | None = None) -> bytes:
    """The Kent sheet with rows appended to its sheetData (and its dimension replaced)."""
    xml = kent_part(_SHEET)
    if dimension is not None:
        xml = xml.replace(b'<dimension ref="A1:H41" />', b'<dimension ref="' + dimension + b'" />')
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def _with_sheet(path: Path, rows: bytes, dimension: bytes | None = None) -> Path:
    return rezip(path, {_SHEET: _sheet_plus(rows, dimension)})


def _row(number: int, cells: bytes = b"") -> bytes:
    return b'<row r="%d">%s</row>' % (number, cells or b'<c r="A%d"><v>1</v></c>' % number)


def _patch_central(data: bytes, name: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Change one field of a part's central-directory entry (and its local header for the method)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02" + b"\x00" * 0)
    while at != -1:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into(fmt, out, at + offset, value)
            if offset == 10:  # compression method: the local header says it too
                local = struct.unpack_from("<I", out, at + 42)[0]
                struct.pack_into(fmt, out, local + 8, value)
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name!r} not in the zip")


# --- workbooks ------------------------------------------------------------------------------------------


def full_dimension(tmp: Path) -> Path:
    """A few cells under a <dimension> of every column and 99,999 rows (took 36 s)."""
    return _with_sheet(tmp / "dimension.xlsx", b"", b"A1:XFD99999")


def twenty_full_sheets(tmp: Path) -> Path:
    """Twenty sheets, each with that dimension (no answer in 120 s)."""
    sheet = _sheet_plus(b"", b"A1:XFD99999")
    rels = kent_part("xl/_rels/workbook.xml.rels")
    book = kent_part("xl/workbook.xml")
    add = {}
    for n in range(2, 22):
        add[f"xl/worksheets/sheet{n}.xml"] = sheet
        rels = rels.replace(
            b"</Relationships>",
            b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'worksheet" Target="/xl/worksheets/sheet%d.xml" Id="rIdS%d" /></Relationships>' % (n, n),
        )
        book = book.replace(
            b"</sheets>", b'<sheet name="S%d" sheetId="%d" r:id="rIdS%d" /></sheets>' % (n, n, n)
        )
    return rezip(
        tmp / "twenty.xlsx",
        {_SHEET: sheet, "xl/_rels/workbook.xml.rels": rels, "xl/workbook.xml": book},
        add,
    )


def row_two_billion(tmp: Path) -> Path:
    """A row numbered 2,000,000,000 (hung)."""
    return _with_sheet(tmp / "row2e9.xlsx", _row(2_000_000_000))


def row_past_the_format(tmp: Path) -> Path:
    """Row 1,048,577: one past any spreadsheet's last row (was accepted, exit 0)."""
    return _with_sheet(tmp / "row1048577.xlsx", _row(1_048_577))


def row_single_quoted(tmp: Path) -> Path:
    """<row r='2000000000'>: single quotes, as XML allows (no answer in 60 s; the guard read only double)."""
    return _with_sheet(tmp / "row_single.xlsx", b"<row r='2000000000'><c r='A2000000000'><v>1</v></c></row>")


def row_last_single_quoted(tmp: Path) -> Path:
    """Row 1,048,576 in single quotes, spaces around '=' and a character reference: past the row limit."""
    return _with_sheet(
        tmp / "row_last.xlsx", b"<row spans='1>2' r = '&#49;048576'><c r='A1048576'><v>1</v></c></row>"
    )


def row_without_cell_references(tmp: Path) -> Path:
    """Row 2,000,000,000 whose cells carry no reference (r is optional on <c>): the row's own number is
    the only one (a mutation survivor of the guard: no case had a row number alone)."""
    return _with_sheet(tmp / "row_alone.xlsx", b'<row r="2000000000"><c><v>1</v></c></row>')


def row_named_reference(tmp: Path) -> Path:
    """Row 1,048,576 written with a named character reference beside it (&quot; in another attribute,
    &amp; … in r itself): decoded as XML does, never an internal error."""
    return _with_sheet(
        tmp / "row_named.xlsx",
        b'<row spans="&quot;1&amp;2&quot;" r="1048576&lt;"><c><v>1</v></c></row>'
        b'<row r="&#49;048576"><c><v>1</v></c></row>',
    )


def row_hex_reference(tmp: Path) -> Path:
    """Row 1,048,576 written with a hexadecimal character reference (&#x31; is '1')."""
    return _with_sheet(tmp / "row_hex.xlsx", b'<row r="&#x31;048576"><c><v>1</v></c></row>')


def row_not_a_number(tmp: Path) -> Path:
    """A row whose r is no number: the reader's own refusal, never an internal error in the guard."""
    return _with_sheet(tmp / "row_x.xlsx", b'<row r="x"><c r="A1"><v>1</v></c></row>')


def row_of_101_digits(tmp: Path) -> Path:
    """A row number of 101 digits: beyond any spreadsheet, never converted at its length."""
    return _with_sheet(tmp / "row_101.xlsx", b'<row r="1' + b"0" * 100 + b'"><c><v>1</v></c></row>')


def column_past_xfd(tmp: Path) -> Path:
    """Column XFE (16,385), in single quotes: beyond any spreadsheet."""
    return _with_sheet(tmp / "col_xfe.xlsx", b"<row r='1'><c r='XFE1'><v>1</v></c></row>")


def column_aaa(tmp: Path) -> Path:
    """Column AAA (703): past an area return's 702 columns (A … ZZ)."""
    return _with_sheet(tmp / "col_aaa.xlsx", b"<row r='1'><c r='aaa1'><v>1</v></c></row>")


def dimension_single_quoted(tmp: Path) -> Path:
    """A dimension of every column and 99,999 rows, in single quotes."""
    xml = kent_part(_SHEET).replace(b'<dimension ref="A1:H41" />', b"<dimension ref='A1:XFD99999' />")
    return rezip(tmp / "dimension_single.xlsx", {_SHEET: xml})


def row_fifty_million(tmp: Path) -> Path:
    """Row 50,000,000 (was accepted, exit 0)."""
    return _with_sheet(tmp / "row5e7.xlsx", _row(50_000_000))


def sheet_outside_worksheets(tmp: Path) -> Path:
    """The sheet stored at xl/elsewhere/, reaching row 2,000,000,000 (hung: only xl/worksheets/ was checked)."""
    moved = "xl/elsewhere/data.xml"
    rels = kent_part("xl/_rels/workbook.xml.rels").replace(
        b"/xl/worksheets/sheet1.xml", b"/" + moved.encode()
    )
    types = kent_part("[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/" + moved.encode())
    return rezip(
        tmp / "elsewhere.xlsx",
        {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
        {moved: _sheet_plus(_row(2_000_000_000))},
        drop=(_SHEET,),
    )


def many_numbers(tmp: Path) -> Path:
    """110,000 numbers below the tables (999k took 16 s and 714 MB)."""
    rows = b"".join(
        _row(r, b"".join(b'<c r="%s%d"><v>%d</v></c>' % (_col(c), r, c) for c in range(1, 101)))
        for r in range(100, 1200)
    )
    return _with_sheet(tmp / "numbers.xlsx", rows)


def many_texts(tmp: Path) -> Path:
    """110,000 text cells below the tables (996k took 46 s and 789 MB)."""
    rows = b"".join(
        _row(
            r,
            b"".join(
                b'<c r="%s%d" t="inlineStr"><is><t>x%d</t></is></c>' % (_col(c), r, c) for c in range(1, 101)
            ),
        )
        for r in range(100, 1200)
    )
    return _with_sheet(tmp / "texts.xlsx", rows)


def _col(number: int) -> bytes:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters.encode()


def huge_shared_string(tmp: Path) -> Path:
    """A 30 MB shared string used 100 times (3.2 GB, killed)."""
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>" + b"A" * (30 * 1024 * 1024) + b"</t></si></sst>"
    )
    rows = b"".join(_row(r, b'<c r="J%d" t="s"><v>0</v></c>' % r) for r in range(50, 150))
    return rezip(tmp / "sst.xlsx", {_SHEET: _sheet_plus(rows)}, {"xl/sharedStrings.xml": strings})


def long_text_in_a_cell(tmp: Path) -> Path:
    """A 1 MB text in the area cell (a 30 MB one made a 283 MB sign-off pack)."""
    xml = kent_part(_SHEET)
    start = xml.index(b'<c r="H1"')
    end = xml.index(b"</c>", start) + 4
    cell = b'<c r="H1" t="inlineStr"><is><t>' + b"Kent " * 200_000 + b"</t></is></c>"
    return rezip(tmp / "longtext.xlsx", {_SHEET: xml[:start] + cell + xml[end:]})


def many_sheets(tmp: Path) -> Path:
    """A workbook listing 10,000 sheets (26 s)."""
    book = kent_part("xl/workbook.xml").replace(
        b"</sheets>",
        b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1" />' % (n, n) for n in range(2, 10_002))
        + b"</sheets>",
    )
    return rezip(tmp / "sheets.xlsx", {"xl/workbook.xml": book})


def many_parts(tmp: Path) -> Path:
    """A zip of 2,000 tiny parts."""
    return rezip(tmp / "parts.xlsx", add={f"xl/media/p{n}.bin": b"x" for n in range(2_000)})


def encrypted_part(tmp: Path) -> Path:
    """A part flagged as encrypted ('internal error')."""
    good = rezip(tmp / "plain.xlsx")
    path = tmp / "encrypted.xlsx"
    path.write_bytes(_patch_central(good.read_bytes(), _SHEET.encode(), 8, "<H", 0x1))
    good.unlink()
    return path


def bad_crc(tmp: Path) -> Path:
    """A part whose CRC does not match ('internal error')."""
    good = rezip(tmp / "plain.xlsx")
    path = tmp / "crc.xlsx"
    path.write_bytes(_patch_central(good.read_bytes(), _SHEET.encode(), 16, "<I", 0x12345678))
    good.unlink()
    return path


def deflate64(tmp: Path) -> Path:
    """A part compressed with Deflate64, which no spreadsheet writes ('internal error')."""
    good = rezip(tmp / "plain.xlsx")
    path = tmp / "deflate64.xlsx"
    path.write_bytes(_patch_central(good.read_bytes(), _SHEET.encode(), 10, "<H", 9))
    good.unlink()
    return path


def duplicate_part(tmp: Path) -> Path:
    """Two parts of the same name (exit 1: the second copy was read)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the point
        return rezip(
            tmp / "duplicate.xlsx", add={_SHEET: _sheet_plus(b"", None).replace(b"<v>787</v>", b"<v>1</v>")}
        )


def external_dtd(tmp: Path) -> Path:
    """An external DTD after 5 KB of comment, past the old 4 KB look (was accepted)."""
    xml = kent_part(_SHEET)
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    doctype = b"<!-- " + b"padding " * 700 + b'--><!DOCTYPE worksheet SYSTEM "http://example.invalid/x.dtd">'
    return rezip(tmp / "dtd.xlsx", {_SHEET: b'<?xml version="1.0"?>' + doctype + body})


def dev_zero(tmp: Path) -> Path:
    """/dev/zero: an endless device."""
    return Path("/dev/zero")


def fifo(tmp: Path) -> Path:
    """A FIFO with no writer (hung) — or an endless one: it is never opened."""
    path = tmp / "pipe.xlsx"
    os.mkfifo(path)
    return path


# --- OpenDocument -------------------------------------------------------------------------------------

_ODS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    b'<office:body><office:spreadsheet><table:table table:name="Statistics">'
)
_ODS_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"


def ods(path: Path, rows: bytes) -> Path:
    """A minimal OpenDocument spreadsheet with these table rows."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", _ODS_HEAD + rows + _ODS_TAIL)
    return path


def ods_repeated_cell(tmp: Path) -> Path:
    """One filled cell repeated across every column of a million rows (6 GB, MemoryError)."""
    row = (
        b'<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
        b'table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>'
    )
    return ods(tmp / "repeated.ods", row)


def ods_repeated_spaces(tmp: Path) -> Path:
    """text:s with 1.5e9 spaces (5.8 GB)."""
    row = (
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="1500000000"/>'
        b"b</text:p></table:table-cell></table:table-row>"
    )
    return ods(tmp / "spaces.ods", row)


def ods_huge_content(tmp: Path) -> Path:
    """A content.xml of 25 MB of empty cells (95 MB gave no answer)."""
    row = b"<table:table-row>" + b"<table:table-cell/>" * 1000 + b"</table:table-row>"
    return ods(tmp / "empty.ods", row * 1_400)


# --- CSV ----------------------------------------------------------------------------------------------


def csv_blank_lines(tmp: Path) -> Path:
    """A tidy CSV header and 150,000 blank lines (50 MB of them took 4 GB)."""
    path = tmp / "blank.csv"
    path.write_bytes(KENT_CSV.read_bytes().splitlines(keepends=True)[0] + b"\n" * 150_000)
    return path


def csv_too_big(tmp: Path) -> Path:
    """A 21 MB CSV: larger than any area return."""
    path = tmp / "big.csv"
    path.write_bytes(KENT_CSV.read_bytes() + b"\n" * (21 * 1024 * 1024))
    return path


def csv_million_columns(tmp: Path) -> Path:
    """A header of 1,000,000 columns (no answer)."""
    path = tmp / "wide.csv"
    path.write_bytes(b",".join(b"c%d" % n for n in range(1_000_000)) + b"\n")
    return path


def csv_long_field(tmp: Path) -> Path:
    """A quoted field of 200 KB over many short lines ('internal error': the csv module's field limit)."""
    path = tmp / "field.csv"
    field = b'"' + (b"x" * 99 + b"\n") * 2_000 + b'"'
    path.write_bytes(KENT_CSV.read_bytes() + b"Kent,2014-15,snapshot,level1,cat1," + field + b",\n")
    return path


# --- population files ---------------------------------------------------------------------------------


def population_full_dimension(tmp: Path) -> Path:
    """A population workbook whose sheet claims every row and column (6 GB)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ons_code", "name", "all_ages", "aged_10_plus"])
    ws.append(["E10000016", "Kent", 1, 1])
    plain = tmp / "pop_plain.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as z:
        xml = z.read(_SHEET)
    xml = xml.replace(b'<dimension ref="A1:D2" />', b'<dimension ref="A1:XFD1048576" />')
    assert b"XFD1048576" in xml
    path = rezip(tmp / "pop_dimension.xlsx", {_SHEET: xml}, source=plain)
    plain.unlink()
    return path


def population_blank_lines(tmp: Path) -> Path:
    """A population CSV of 2,100,000 blank lines (100 MB of them: MemoryError)."""
    path = tmp / "pop_blank.csv"
    path.write_bytes(POPULATION.read_bytes() + b"\n" * 2_100_000)
    return path


def population_tall_workbook(tmp: Path) -> Path:
    """A workbook of 210,000 rows given as a population file (94 s and 363 MB)."""
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.active.append(["ons_code", "name", "all_ages", "aged_10_plus"])
    plain = tmp / "pop_plain.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as z:
        xml = z.read(_SHEET)
    rows = b"".join(_row(r) for r in range(2, 210_002))
    xml = xml.replace(b"</sheetData>", rows + b"</sheetData>").replace(b'<dimension ref="A1:D1" />', b"")
    path = rezip(tmp / "pop_tall.xlsx", {_SHEET: xml}, source=plain)
    plain.unlink()
    return path


def population_short_row(tmp: Path) -> Path:
    """An area table with a short row (IndexError)."""
    path = tmp / "pop_short.csv"
    path.write_text("mappa_area,aged_10_plus,all_ages\nKent,1565295,1784369\nSussex\n", encoding="utf-8")
    return path


def population_endless_number(tmp: Path) -> Path:
    """A population of 1e5000."""
    path = tmp / "pop_inf.csv"
    path.write_text("mappa_area,aged_10_plus,all_ages\nKent,1e5000,1784369\n", encoding="utf-8")
    return path


# --- legacy .xls population files (tests/xls.py builds them; calamine would hang, abort or take GBs) ---

_XLS_ROWS = xls.mye2_rows([("E10000016", "Kent", 1_524_020, 1_326_907)], "MYE2: Persons, mid-2014")


def xls_fat_loop(tmp: Path) -> Path:
    """The Workbook stream's sector chain points back at its own first sector (calamine never returns)."""
    return xls.write(tmp / "fat_loop.xls", xls.container(xls.workbook_stream(_XLS_ROWS), fat_loop=True))


def xls_directory_loop(tmp: Path) -> Path:
    """The directory's sector chain points at itself (calamine never returns)."""
    return xls.write(tmp / "dir_loop.xls", xls.container(xls.workbook_stream(_XLS_ROWS), directory_loop=True))


def xls_dimension(tmp: Path) -> Path:
    """A DIMENSION record claiming 4,294,967,295 rows × 65,535 columns (calamine aborts the process)."""
    stream = xls.workbook_stream(_XLS_ROWS, dimension=(0xFFFFFFFF, 0xFFFF))
    return xls.write(tmp / "dimension.xls", xls.container(stream))


def xls_far_cell(tmp: Path) -> Path:
    """One number at row 65,536, column IV, in a 5 KB file (calamine takes about 1.2 GB)."""
    far = xls.cells([[1]], first_row=0).replace(b"\x00\x00\x00\x00\x0f", b"\xff\xff\xff\x00\x0f", 1)
    stream = xls.workbook_stream(_XLS_ROWS, extra_cells=far)
    return xls.write(tmp / "far_cell.xls", xls.container(stream))


def xls_without_workbook(tmp: Path) -> Path:
    """A Compound File whose only stream is not a workbook (a Word document, say)."""
    data = xls.container(xls.workbook_stream(_XLS_ROWS)).replace(
        "Workbook".encode("utf-16-le"), "WordDocu".encode("utf-16-le")
    )
    return xls.write(tmp / "word.xls", data)


def xlsx_far_cell(tmp: Path) -> Path:
    """A population workbook with a cell at ZZ5000: 3.5 million cells calamine would fill in memory."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ons_code", "name", "all_ages", "aged_10_plus"])
    ws["ZZ5000"] = 1
    path = tmp / "pop_far.xlsx"
    wb.save(path)
    return path


Builder = Callable[[Path], Path]
CASES: list[tuple[str, str, Builder, tuple[str, ...]]] = [
    ("full-dimension", "area", full_dimension, ("claims row 99,999", "limit 10,000 rows")),
    ("twenty-full-sheets", "area", twenty_full_sheets, ("claims row 99,999",)),
    ("row-2e9", "area", row_two_billion, ("beyond any spreadsheet's 1,048,576 rows",)),
    ("row-1048577", "area", row_past_the_format, ("row 1,048,577", "beyond any spreadsheet")),
    ("row-2e9-single-quotes", "area", row_single_quoted, ("row 2,000,000,000", "beyond any spreadsheet")),
    ("row-1048576-single-quotes", "area", row_last_single_quoted, ("row 1,048,576", "limit 10,000 rows")),
    ("row-2e9-alone", "area", row_without_cell_references, ("row 2,000,000,000", "beyond any spreadsheet")),
    ("row-named-reference", "area", row_named_reference, ("row 1,048,576", "limit 10,000 rows")),
    ("row-hex-reference", "area", row_hex_reference, ("row 1,048,576", "limit 10,000 rows")),
    ("row-not-a-number", "area", row_not_a_number, ("cannot be read as an Excel workbook",)),
    ("row-101-digits", "area", row_of_101_digits, ("row 1,048,577", "beyond any spreadsheet")),
    ("column-xfe", "area", column_past_xfd, ("column 16,385", "beyond any spreadsheet")),
    ("column-aaa", "area", column_aaa, ("column 703", "limit 702 columns")),
    ("dimension-single-quotes", "area", dimension_single_quoted, ("claims row 99,999", "limit 10,000 rows")),
    ("row-5e7", "area", row_fifty_million, ("row 50,000,000", "beyond any spreadsheet")),
    ("sheet-outside-worksheets", "area", sheet_outside_worksheets, ("xl/elsewhere/data.xml", "beyond")),
    ("110k-numbers", "area", many_numbers, ("more than 100,000 cells",)),
    ("110k-texts", "area", many_texts, ("more than 100,000 cells",)),
    ("30MB-shared-string", "area", huge_shared_string, ("xl/sharedStrings.xml", "limit 20,971,520")),
    ("1MB-text-cell", "area", long_text_in_a_cell, ("text over 32,767 bytes",)),
    ("10k-sheets", "area", many_sheets, ("10,001 sheets", "limit 100")),
    ("2k-parts", "area", many_parts, ("parts (limit 1,000",)),
    ("encrypted-part", "area", encrypted_part, ("is encrypted",)),
    ("bad-crc", "area", bad_crc, ("is damaged (bad CRC)",)),
    ("deflate64", "area", deflate64, ("compression", "method 9")),
    ("duplicate-part", "area", duplicate_part, ("appears twice",)),
    ("external-dtd", "area", external_dtd, ("declares a DTD",)),
    ("dev-zero", "area", dev_zero, ("a device, not a regular file",)),
    ("fifo", "area", fifo, ("a named pipe (FIFO), not a regular file",)),
    ("ods-repeated-cell", "area", ods_repeated_cell, ("once repeats are expanded",)),
    ("ods-repeated-spaces", "area", ods_repeated_spaces, ("repeats a space 1,500,000,000 times",)),
    ("ods-huge-content", "area", ods_huge_content, ("content.xml unpacks to", "limit 20,971,520")),
    ("csv-blank-lines", "area", csv_blank_lines, ("150,001 lines", "limit 100,000")),
    ("csv-21MB", "area", csv_too_big, ("larger than an area return should be",)),
    ("csv-million-columns", "area", csv_million_columns, (":1: a line over 65,536 bytes",)),
    ("csv-200KB-field", "area", csv_long_field, ("not valid CSV",)),
    ("population-dev-zero", "population", dev_zero, ("a device, not a regular file",)),
    ("population-fifo", "population", fifo, ("a named pipe (FIFO)",)),
    (
        "population-full-dimension",
        "population",
        population_full_dimension,
        ("claims row 1,048,576", "limit 200,000 rows"),
    ),
    ("population-blank-lines", "population", population_blank_lines, ("lines (limit 2,000,000",)),
    (
        "population-tall-workbook",
        "population",
        population_tall_workbook,
        ("has 210,001 rows", "limit 200,000 rows"),
    ),
    ("population-short-row", "population", population_short_row, (":3", "not a number")),
    (
        "population-1e5000",
        "population",
        population_endless_number,
        (":2", "'1e5000' has more than 10 digits"),
    ),
    ("population-xls-fat-loop", "population", xls_fat_loop, ("the .xls file is damaged", "loop")),
    ("population-xls-directory-loop", "population", xls_directory_loop, ("directory's sector chain",)),
    (
        "population-xls-dimension",
        "population",
        xls_dimension,
        ("claims row 4,294,967,295", "beyond an .xls sheet's 65,536 rows"),
    ),
    (
        "population-xls-far-cell",
        "population",
        xls_far_cell,
        ("reaches 65,536 rows by 256 columns", "limit 3,000,000 cells"),
    ),
    ("population-xls-not-a-workbook", "population", xls_without_workbook, ("no Workbook stream",)),
    (
        "population-xlsx-far-cell",
        "population",
        xlsx_far_cell,
        ("5,000 rows by 702 columns", "limit 3,000,000 cells"),
    ),
]


def command(kind: str, path: Path) -> list[str]:
    """The command that reads a case's file."""
    if kind == "population":
        return ["rate", "--population", str(path), str(KENT_XLSX)]
    return ["validate", str(path)]
