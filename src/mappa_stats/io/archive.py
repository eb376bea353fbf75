"""The zip container checks every workbook passes before a library opens it (docs/limits.md).

An .xlsx or .ods is a zip of XML parts: here the archive is refused when it is damaged, encrypted, uses an
unsupported compression, repeats a part, unpacks beyond its budget or at a bomb's ratio, declares a DTD or
entities, or holds sheets beyond the format's and the budget's rows, columns, cells and text lengths.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.parsers import expat

from mappa_stats.errors import InputError
from mappa_stats.io.guard import FORMAT_CELL_TEXT, FORMAT_COLUMNS, FORMAT_ROWS, MB, Limits, limits

_SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


def _attribute(element: bytes, name: bytes) -> re.Pattern[bytes]:
    """An element's attribute read as XML reads it: either quote, spaces around '=' (the value, as
    group 1 or 2, still to be decoded by attribute_value)."""
    value = rb"""(?:"([^"<]*)"|'([^'<]*)')"""
    others = rb"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*?"""  # a value may hold '>'
    return re.compile(rb"<(?:\w+:)?%s%s\s+%s\s*=\s*%s" % (element, others, name, value))


_REFERENCE = re.compile(rb"&(#[0-9]{1,8}|#x[0-9A-Fa-f]{1,8}|amp|lt|gt|quot|apos);")
_NAMED = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}


def _decoded(reference: re.Match[bytes]) -> bytes:
    name = reference.group(1)
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[2:], 16) if name.startswith(b"#x") else int(name[1:])
    return chr(code).encode("utf-8") if code < 0x110000 else b""


def attribute_value(match: re.Match[bytes]) -> str:
    """The value of an attribute _attribute found, as an XML parser gives it: character references
    decoded, whitespace as spaces, surrounding spaces removed (as int() and openpyxl read it)."""
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return attribute_text(raw)


def attribute_text(raw: bytes) -> str:
    """An attribute's raw bytes as an XML parser gives them (attribute_value)."""
    if b"&" in raw:
        raw = _REFERENCE.sub(_decoded, raw)
    return raw.decode("utf-8", "replace").strip()


def _attribute_texts(pattern: re.Pattern[bytes], body: bytes) -> set[str]:
    """Every distinct value of the attribute `pattern` finds in `body`: findall at C speed, then each
    distinct raw value decoded once (an unquoted alternative that did not match is '', as is r="")."""
    return {attribute_text(first or second) for first, second in set(pattern.findall(body))}


def _row_number(text: str) -> int:
    """A row's 'r' as a reader takes it (int(), as openpyxl does); 0 when it is no number."""
    try:
        return int(text) if len(text) <= 100 else FORMAT_ROWS + 1
    except ValueError:
        return 0


_ROW_NUMBER = _attribute(b"row", b"r")
_CELL_REFERENCE = _attribute(b"c", b"r")
_CELL_LETTERS = re.compile(r"\s*([A-Za-z]{1,4})")
_DIMENSION = _attribute(b"dimension", b"ref")
_RANGE = re.compile(r"([A-Za-z]{1,4})?([0-9]{1,12})?:?([A-Za-z]{1,4})?([0-9]{1,12})?")
_ROW_TAGS = (b"<row ", b"<row>", b"<row/", b":row ", b":row>", b":row/")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")
_LONG_TEXT = re.compile(rb">[^<>]{%d}" % (FORMAT_CELL_TEXT + 1))
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b")


def column_number(letters: str) -> int:
    """Spreadsheet column letters to a number: 'A' → 1, 'XFD' → 16,384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def check_zip(display: str, data: bytes, kind: str = "area") -> str:
    """Check a zip container before any library opens it; return 'xlsx', 'ods' or 'zip'.

    Refuses a damaged or encrypted archive, an unsupported compression (Deflate64, bzip2, LZMA),
    duplicate part names, too many parts, a part or archive that unpacks beyond the budget or
    at a bomb's ratio, a bad CRC, XML declaring a DTD or entities, and sheets beyond the format's
    and the budget's rows, columns, cells, sheets and text lengths.
    """
    budget = limits(kind)
    archive, infos = _open_zip(display, data)
    names = [info.filename for info in infos]
    _check_listing(display, infos, names, budget)
    for info in infos:
        _check_entry(display, info, budget)
    is_ods = "mimetype" in names and _part(display, archive, "mimetype").startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    )
    scan = _Scan(display, budget)
    for info in infos:
        if not info.is_dir():
            _check_content(display, archive, info, is_ods, scan)
    if is_ods:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _open_zip(display: str, data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its entries; a damaged one is a one-line refusal."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise InputError(
            f"{display}: the file is damaged (truncated or not a complete workbook); save it again"
        ) from exc
    return archive, infos


def _check_listing(display: str, infos: list[zipfile.ZipInfo], names: list[str], budget: Limits) -> None:
    """The archive's directory as a whole: how many parts, none twice, and what they unpack to together."""
    if len(infos) > budget.parts:
        raise InputError(
            f"{display}: a zip of {len(infos):,} parts (limit {budget.parts:,} for {budget.what}); "
            "check this is the right file"
        )
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise InputError(
            f"{display}: the part {twice!r} appears twice in the zip (a damaged or tampered file); "
            "save it again from Excel or LibreOffice"
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > budget.unpacked_bytes:
        raise InputError(
            f"{display}: unpacks to {unpacked:,} bytes, far more than {budget.what} "
            f"(limit {budget.unpacked_bytes:,}); refusing a possible zip bomb"
        )


def _check_entry(display: str, info: zipfile.ZipInfo, budget: Limits) -> None:
    """One part as the directory declares it, before it is unpacked: not encrypted, a compression Excel
    writes, within the part budget and not at a bomb's ratio."""
    if info.flag_bits & 0x1:
        raise InputError(
            f"{display}: the part {info.filename} is encrypted; save an unprotected copy and check that"
        )
    if info.compress_type not in _SUPPORTED_COMPRESSION:
        raise InputError(
            f"{display}: the part {info.filename} uses a compression Excel and LibreOffice never write "
            f"(method {info.compress_type}); save the file again from Excel or LibreOffice"
        )
    if info.file_size > budget.part_bytes:
        raise InputError(
            f"{display}: the part {info.filename} unpacks to {info.file_size:,} bytes "
            f"(limit {budget.part_bytes:,} for {budget.what}); check the file"
        )
    if info.file_size > MB and info.file_size > budget.ratio * max(info.compress_size, 1):
        raise InputError(
            f"{display}: the part {info.filename} unpacks "
            f"{info.file_size // max(info.compress_size, 1):,} times its packed size "
            f"(limit {budget.ratio}); refusing a possible zip bomb"
        )


def _check_content(
    display: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, is_ods: bool, scan: _Scan
) -> None:
    """One part unpacked (its CRC checked): an XML part is UTF-8, declares no DTD or entities, and its
    sheets, sheet list and texts are within the format's and the budget's limits."""
    body = _part(display, archive, info.filename)  # reading checks the CRC too
    if not info.filename.endswith((".xml", ".rels", ".vml")) and body.lstrip()[:1] != b"<":
        return
    if b"\x00" in body[:256]:
        raise InputError(
            f"{display}: the part {info.filename} is not UTF-8 XML; save the file again from Excel "
            "or LibreOffice"
        )
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise InputError(
            f"{display}: refused: {info.filename} declares a DTD or XML entities (an XML entity "
            "attack?); Excel never writes these: save a clean copy from Excel or LibreOffice"
        )
    if is_ods and info.filename == "content.xml":
        _check_ods_content(display, body, scan.budget)
    elif b"sheetData" in body:
        scan.worksheet(info.filename, body)
    elif info.filename.endswith("workbook.xml"):
        count = len(_SHEET_ENTRY.findall(body))
        if count > scan.budget.sheets:
            raise InputError(
                f"{display}: {count:,} sheets (limit {scan.budget.sheets:,} for {scan.budget.what}); "
                "check this is the right file"
            )
    if _LONG_TEXT.search(body):
        raise InputError(
            f"{display}: {info.filename} holds a text over {FORMAT_CELL_TEXT:,} bytes, more than a "
            "spreadsheet cell can hold; check the file"
        )


def _part(display: str, archive: zipfile.ZipFile, name: str) -> bytes:
    """One part's bytes; any zip fault (bad CRC, damaged stream) is a one-line refusal."""
    try:
        return archive.read(name)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        reason = "bad CRC" if "CRC" in str(exc) else type(exc).__name__
        raise InputError(f"{display}: the part {name} is damaged ({reason}); save the file again") from exc


class _Scan:
    """Counts over every worksheet part: sheets, filled cells, and the used range of each."""

    def __init__(self, display: str, budget: Limits) -> None:
        self.display = display
        self.budget = budget
        self.sheets = 0
        self.cells = 0

    def refuse(self, message: str) -> InputError:
        """A refusal naming the file and the limit."""
        return InputError(f"{self.display}: {message}")

    def worksheet(self, name: str, body: bytes) -> None:
        """Check one sheet's declared dimension, its real row and column numbers and its cells."""
        budget = self.budget
        self.sheets += 1
        if self.sheets > budget.sheets:
            raise self.refuse(f"more than {budget.sheets:,} sheets (limit for {budget.what}); check the file")
        declared = _DIMENSION.search(body)
        dimension = _RANGE.match(attribute_value(declared)) if declared else None
        if dimension:
            rows = [int(g) for g in (dimension.group(2), dimension.group(4)) if g]
            cols = [column_number(g) for g in (dimension.group(1), dimension.group(3)) if g]
            self._extent(name, max(rows, default=0), max(cols, default=0), "claims")
        # Counted with bytes.count first (C speed, no lists), so the lists below are bounded by the budget.
        row_count = sum(body.count(tag) for tag in _ROW_TAGS)
        if row_count > budget.rows:
            raise self.refuse(
                f"a sheet ({name}) has {row_count:,} rows (limit {budget.rows:,} rows for {budget.what}); "
                "delete the unused rows or check the file"
            )
        self.cells += sum(body.count(tag) for tag in _CELL_TAGS)
        if self.cells > budget.cells:
            raise self.refuse(
                f"more than {budget.cells:,} cells (limit for {budget.what}); check this is the right file"
            )
        numbers = (_row_number(text) for text in _attribute_texts(_ROW_NUMBER, body))
        # Rows without numbers follow on from the last: count them so a sheet cannot hide its length.
        max_row = max(row_count, max(numbers, default=0))
        letters = {
            found.group(1)
            for text in _attribute_texts(_CELL_REFERENCE, body)
            if (found := _CELL_LETTERS.match(text))
        }
        max_col = max((column_number(c) for c in letters), default=0)
        self._extent(name, max_row, max_col, "reaches")

    def _extent(self, name: str, rows: int, cols: int, verb: str) -> None:
        budget = self.budget
        where = f"a sheet ({name})"
        if rows > FORMAT_ROWS or cols > FORMAT_COLUMNS:
            raise self.refuse(
                f"{where} {verb} row {rows:,}, column {cols:,}: beyond any spreadsheet's "
                f"{FORMAT_ROWS:,} rows and {FORMAT_COLUMNS:,} columns (a damaged or forged file); "
                "save it again"
            )
        if rows > budget.rows:
            raise self.refuse(
                f"{where} {verb} row {rows:,} (limit {budget.rows:,} rows for {budget.what}); "
                "delete the unused rows or check the file"
            )
        if cols > budget.columns:
            raise self.refuse(
                f"{where} {verb} column {cols:,} (limit {budget.columns:,} columns for {budget.what}); "
                "delete the unused columns or check the file"
            )
        if rows * cols > budget.grid:
            raise self.refuse(
                f"{where} {verb} {rows:,} rows by {cols:,} columns (limit {budget.grid:,} cells of used "
                f"range for {budget.what}); delete the unused rows and columns or check the file"
            )


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_SHEET = f"{_TABLE} table"
_ODS_ROW = f"{_TABLE} table-row"
_ODS_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_ODS_SPACES = f"{_TEXT} s"
_ODS_PARAGRAPH = f"{_TEXT} p"


def _check_ods_content(display: str, body: bytes, budget: Limits) -> None:
    """Walk an ODS content.xml once, counting what a reader would expand: repeated rows and cells
    (a filled cell repeated 16,384 × 1,048,576 times is a few bytes of XML) and repeated spaces."""
    scan = _OdsScan(display, budget)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = scan.refuse_dtd
    parser.EntityDeclHandler = scan.refuse_dtd
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise InputError(
            f"{display}: content.xml is not well-formed XML ({expat.errors.messages.get(exc.code, exc.code)} "
            f"at line {exc.lineno}); save the file again from LibreOffice"
        ) from exc


class _OdsScan:
    """Where one walk of an ODS content.xml has got to, and what it has counted once repeats are expanded."""

    def __init__(self, display: str, budget: Limits) -> None:
        self.display = display
        self.budget = budget
        self.sheets = self.row = self.col = self.cells = self.spaces = 0
        self.row_repeat = 1
        self.rows = self.cols = 0  # the filled extent
        # The cell being read: (first column, columns repeated, filled so far).
        self.cell: tuple[int, int, bool] | None = None

    def refuse(self, message: str) -> InputError:
        """A refusal naming the file and its content.xml."""
        return InputError(f"{self.display}: content.xml {message}")

    def refuse_dtd(self, *_args: object) -> None:
        """A DTD or entity declaration: LibreOffice never writes one."""
        raise self.refuse("declares a DTD or entities; save a clean copy from LibreOffice")

    def repeat(self, attrs: dict[str, str], name: str) -> int:
        """A row's or cell's repeat count (at least 1)."""
        text = attrs.get(f"{_TABLE} {name}", "1")
        if not text.isdigit() or len(text) > 12:
            raise self.refuse(f"has a repeat count {text!r} that is not a number; save the file again")
        return max(int(text), 1)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        """An element opens: a sheet, a row, a cell, repeated spaces, or a cell's paragraph (it is filled)."""
        if tag == _ODS_SHEET:
            self.sheets += 1
            self.row = 0
            if self.sheets > self.budget.sheets:
                raise self.refuse(
                    f"has more than {self.budget.sheets:,} sheets (limit for {self.budget.what})"
                )
        elif tag == _ODS_ROW:
            self.row_repeat = self.repeat(attrs, "number-rows-repeated")
            self.row += 1
            self.col = 0
            if self.row > FORMAT_ROWS:
                raise self.refuse(f"goes beyond row {FORMAT_ROWS:,}, the format's limit; save the file again")
        elif tag in _ODS_CELLS:
            self.open_cell(attrs)
        elif tag == _ODS_SPACES:
            self.add_spaces(attrs)
        elif tag == _ODS_PARAGRAPH and self.cell is not None:
            self.cell = (*self.cell[:2], True)

    def open_cell(self, attrs: dict[str, str]) -> None:
        """A cell opens: the columns it covers, repeats included, and whether it has a value."""
        count = self.repeat(attrs, "number-columns-repeated")
        first = self.col + 1
        self.col += count
        self.spaces = 0
        self.cell = (first, count, f"{_OFFICE} value-type" in attrs)
        if self.col > FORMAT_COLUMNS:
            raise self.refuse(
                f"goes beyond column {FORMAT_COLUMNS:,}, the format's limit; save the file again"
            )

    def add_spaces(self, attrs: dict[str, str]) -> None:
        """A run of repeated spaces, counted against the budget of one cell's text."""
        text = attrs.get(f"{_TEXT} c", "1")
        spaces = int(text) if text.isdigit() and len(text) < 12 else self.budget.text_bytes + 1
        self.spaces += spaces
        if self.spaces > self.budget.text_bytes:
            raise self.refuse(
                f"repeats a space {spaces:,} times in one cell (limit {self.budget.text_bytes:,}); "
                "check the file"
            )

    def end(self, tag: str) -> None:
        """An element closes: a filled cell is counted as many times as it repeats; a row moves on by its
        repeats."""
        if tag in _ODS_CELLS:
            first, count, filled = self.cell or (0, 0, False)
            self.cell = None
            if filled:
                self.count_cell(first, count)
        elif tag == _ODS_ROW:
            self.row += self.row_repeat - 1

    def count_cell(self, first: int, count: int) -> None:
        """A filled cell's repeats across and down, against the budget's cells, rows, columns and grid."""
        budget = self.budget
        rows_here = self.row_repeat
        self.cells += count * rows_here
        last_row = self.row + rows_here - 1
        last_col = first + count - 1
        self.rows = max(self.rows, last_row)
        self.cols = max(self.cols, last_col)
        if self.cells > budget.cells:
            raise self.refuse(
                f"holds more than {budget.cells:,} filled cells once repeats are expanded "
                f"(limit for {budget.what}); check the file"
            )
        if last_row > budget.rows or last_col > budget.columns or last_row * last_col > budget.grid:
            raise self.refuse(
                f"fills row {last_row:,}, column {last_col:,} once repeats are expanded (limit "
                f"{budget.rows:,} rows, {budget.columns:,} columns for {budget.what}); check the file"
            )


# --- CSV text ----------------------------------------------------------------------------------------
