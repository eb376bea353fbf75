"""The one set of limits every reader passes before any parse (docs/limits.md).

Every input — an area workbook (.xlsx, .ods), a tidy CSV, a population file (.csv, .xlsx), a PDF or
text report, standard input — is read here first: it must be a regular file (not a FIFO, a device or
an endless stream) within a size budget, and a zip container or CSV text must stay within the limits
of its format and of a statistics table before any library walks it. Anything else is a one-line
InputError naming the file and the fix, in well under the documented 10 s and 500 MB.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from mappa_stats.errors import InputError

STDIN = "standard input"

# The spreadsheet formats' own limits (Excel and LibreOffice): no real file goes beyond them.
FORMAT_ROWS = 1_048_576
FORMAT_COLUMNS = 16_384
# Excel's limit on the characters of one cell; counted here in bytes of XML text, a stricter test.
FORMAT_CELL_TEXT = 32_767


@dataclass(frozen=True)
class Limits:
    """A budget for one kind of input: each number is in docs/limits.md with its reason."""

    what: str  # how a message names the input: "an area return"
    file_bytes: int
    unpacked_bytes: int = 0
    part_bytes: int = 0
    parts: int = 0
    ratio: int = 0
    sheets: int = 0
    rows: int = 0
    columns: int = 0
    grid: int = 0  # rows × columns of one sheet's used range: what a reader may have to walk
    cells: int = 0  # filled cells, all sheets together
    text_bytes: int = FORMAT_CELL_TEXT
    lines: int = 0
    line_bytes: int = 0
    stdin: bool = True  # may it be piped in as '-'?


MB = 1024 * 1024
LIMITS: dict[str, Limits] = {
    # An area return is one page of tables: a few hundred cells in a 20–50 KB file.
    "area": Limits(
        what="an area return",
        file_bytes=20 * MB,
        unpacked_bytes=100 * MB,
        part_bytes=20 * MB,
        parts=1_000,
        ratio=100,
        sheets=100,
        rows=10_000,
        columns=702,  # A … ZZ
        grid=1_000_000,
        cells=100_000,
        lines=100_000,
        line_bytes=64 * 1024,
    ),
    # The ONS file of every geography and single year of age is ~0.5 MB as CSV; 20 times that and more
    # must read, in bounded memory.
    "population": Limits(
        what="a population file",
        file_bytes=50 * MB,
        unpacked_bytes=200 * MB,
        part_bytes=100 * MB,
        parts=1_000,
        ratio=100,
        sheets=100,
        rows=200_000,
        columns=702,
        grid=20_000_000,
        cells=1_000_000,
        lines=2_000_000,
        line_bytes=64 * 1024,
        stdin=False,
    ),
    # A published annual report as PDF or text: the reader that parses it sets its own page limits.
    "report": Limits(what="an annual report", file_bytes=50 * MB, lines=200_000, line_bytes=64 * 1024),
}


def limits(kind: str) -> Limits:
    """The budget for a kind of input ('area', 'population' or 'report')."""
    try:
        return LIMITS[kind]
    except KeyError:
        raise ValueError(f"unknown input kind {kind!r}; expected one of {', '.join(LIMITS)}") from None


def display_name(path: Path | str) -> str:
    """How a path is named in messages ('-' is standard input)."""
    return STDIN if str(path) == "-" else str(path)


def read_input(path: Path | str, kind: str = "area") -> bytes:
    """The bytes of a regular file (or '-', standard input) within the budget for `kind`; InputError
    otherwise. The file is opened read-only, and never before it is known to be a regular file."""
    budget = limits(kind)
    if str(path) == "-":
        data = sys.stdin.buffer.read(budget.file_bytes + 1)
        if len(data) > budget.file_bytes:
            raise InputError(
                f"{STDIN}: more than {budget.file_bytes:,} bytes (limit for {budget.what}); "
                "is this the right file?"
            )
        if not data:
            raise InputError(f"{STDIN}: nothing was read; pipe a workbook or CSV in, or give a file path")
        return data
    path = Path(path)
    display = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{display}: no such file; check the path and spelling") from None
    except PermissionError:
        raise InputError(f"{display}: permission denied; check you can open the file") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot be read ({exc.strerror}); check the path") from None
    _regular(display, info.st_mode, budget.stdin)
    if info.st_size > budget.file_bytes:
        raise InputError(
            f"{display}: {info.st_size:,} bytes is larger than {budget.what} should be "
            f"(limit {budget.file_bytes:,}); check this is the right file"
        )
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, open must not hang on it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            _regular(display, os.fstat(handle.fileno()).st_mode, budget.stdin)
            data = handle.read(budget.file_bytes + 1)
    except PermissionError:
        raise InputError(f"{display}: permission denied; check you can open the file") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot be read ({exc.strerror}); check the file") from None
    if len(data) > budget.file_bytes:
        raise InputError(f"{display}: grew past {budget.file_bytes:,} bytes while being read; check the file")
    if not data:
        raise InputError(f"{display}: the file is empty (0 bytes); save it again")
    return data


def _regular(display: str, mode: int, stdin: bool = True) -> None:
    """Refuse folders, FIFOs, devices and sockets: only a regular file has an end to read to."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"{display}: is a folder, not a file; name the file inside it")
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    pipe = " (or pipe it in as '-')" if stdin else ""
    raise InputError(
        f"{display}: {kind}, not a regular file; save the data to a file and give its path{pipe}"
    )


# --- zip containers (.xlsx, .ods) ------------------------------------------------------------------

_SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d{1,12})\"")
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Za-z]{1,4})\d")
_ROW_TAGS = (b"<row ", b"<row>", b"<row/", b":row ", b":row>", b":row/")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Za-z]{1,4})?(\d{1,12})?:?([A-Za-z]{1,4})?(\d{1,12})?"
)
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
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise InputError(
            f"{display}: the file is damaged (truncated or not a complete workbook); save it again"
        ) from exc
    names = [info.filename for info in infos]
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
    for info in infos:
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
    is_ods = "mimetype" in names and _part(display, archive, "mimetype").startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    )
    scan = _Scan(display, budget)
    for info in infos:
        if info.is_dir():
            continue
        body = _part(display, archive, info.filename)  # reading checks the CRC too
        if not info.filename.endswith((".xml", ".rels", ".vml")) and body.lstrip()[:1] != b"<":
            continue
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
            _check_ods_content(display, body, budget)
        elif b"sheetData" in body:
            scan.worksheet(info.filename, body)
        elif info.filename.endswith("workbook.xml"):
            count = len(_SHEET_ENTRY.findall(body))
            if count > budget.sheets:
                raise InputError(
                    f"{display}: {count:,} sheets (limit {budget.sheets:,} for {budget.what}); "
                    "check this is the right file"
                )
        if _LONG_TEXT.search(body):
            raise InputError(
                f"{display}: {info.filename} holds a text over {FORMAT_CELL_TEXT:,} bytes, more than a "
                "spreadsheet cell can hold; check the file"
            )
    if is_ods:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


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
        dimension = _DIMENSION.search(body)
        if dimension:
            rows = [int(g) for g in (dimension.group(2), dimension.group(4)) if g]
            cols = [column_number(g.decode()) for g in (dimension.group(1), dimension.group(3)) if g]
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
        numbers = _ROW_NUMBER.findall(body)
        # Rows without numbers follow on from the last: count them so a sheet cannot hide its length.
        max_row = max(row_count, max((int(n) for n in numbers), default=0))
        letters = set(_CELL_COLUMN.findall(body))
        max_col = max((column_number(c.decode()) for c in letters), default=0)
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


def _check_ods_content(display: str, body: bytes, budget: Limits) -> None:
    """Walk an ODS content.xml once, counting what a reader would expand: repeated rows and cells
    (a filled cell repeated 16,384 × 1,048,576 times is a few bytes of XML) and repeated spaces."""
    state = {"sheets": 0, "row": 0, "col": 0, "row_repeat": 1, "cells": 0, "spaces": 0, "depth_cell": 0}
    extent = {"rows": 0, "cols": 0}
    # The cell being read: (first column, columns repeated, filled so far).
    pending: dict[str, tuple[int, int, bool]] = {}

    def refuse(message: str) -> InputError:
        return InputError(f"{display}: content.xml {message}")

    def repeat(attrs: dict[str, str], name: str) -> int:
        text = attrs.get(f"{_TABLE} {name}", "1")
        if not text.isdigit() or len(text) > 12:
            raise refuse(f"has a repeat count {text!r} that is not a number; save the file again")
        return max(int(text), 1)

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_TABLE} table":
            state["sheets"] += 1
            state["row"] = 0
            if state["sheets"] > budget.sheets:
                raise refuse(f"has more than {budget.sheets:,} sheets (limit for {budget.what})")
        elif tag == f"{_TABLE} table-row":
            state["row_repeat"] = repeat(attrs, "number-rows-repeated")
            state["row"] += 1
            state["col"] = 0
            if state["row"] > FORMAT_ROWS:
                raise refuse(f"goes beyond row {FORMAT_ROWS:,}, the format's limit; save the file again")
        elif tag in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            count = repeat(attrs, "number-columns-repeated")
            first = state["col"] + 1
            state["col"] += count
            state["spaces"] = 0
            filled = f"{_OFFICE} value-type" in attrs
            pending["cell"] = (first, count, filled)
            if state["col"] > FORMAT_COLUMNS:
                raise refuse(
                    f"goes beyond column {FORMAT_COLUMNS:,}, the format's limit; save the file again"
                )
        elif tag == f"{_TEXT} s":
            text = attrs.get(f"{_TEXT} c", "1")
            spaces = int(text) if text.isdigit() and len(text) < 12 else budget.text_bytes + 1
            state["spaces"] += spaces
            if state["spaces"] > budget.text_bytes:
                raise refuse(
                    f"repeats a space {spaces:,} times in one cell (limit {budget.text_bytes:,}); "
                    "check the file"
                )
        elif tag == f"{_TEXT} p" and "cell" in pending:
            pending["cell"] = (*pending["cell"][:2], True)

    def end(tag: str) -> None:
        if tag in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            first, count, filled = pending.pop("cell", (0, 0, False))
            if not filled:
                return
            rows_here = state["row_repeat"]
            state["cells"] += count * rows_here
            last_row = state["row"] + rows_here - 1
            last_col = first + count - 1
            extent["rows"] = max(extent["rows"], last_row)
            extent["cols"] = max(extent["cols"], last_col)
            if state["cells"] > budget.cells:
                raise refuse(
                    f"holds more than {budget.cells:,} filled cells once repeats are expanded "
                    f"(limit for {budget.what}); check the file"
                )
            if last_row > budget.rows or last_col > budget.columns or last_row * last_col > budget.grid:
                raise refuse(
                    f"fills row {last_row:,}, column {last_col:,} once repeats are expanded (limit "
                    f"{budget.rows:,} rows, {budget.columns:,} columns for {budget.what}); check the file"
                )
        elif tag == f"{_TABLE} table-row":
            state["row"] += state["row_repeat"] - 1

    def refuse_dtd(*_args: object) -> None:
        raise refuse("declares a DTD or entities; save a clean copy from LibreOffice")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise InputError(
            f"{display}: content.xml is not well-formed XML ({expat.errors.messages.get(exc.code, exc.code)} "
            f"at line {exc.lineno}); save the file again from LibreOffice"
        ) from exc


# --- CSV text ----------------------------------------------------------------------------------------


def check_text(display: str, data: bytes, kind: str = "area") -> None:
    """Check CSV or text bytes before they are split: lines and line length within the budget."""
    budget = limits(kind)
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > budget.lines:
        raise InputError(
            f"{display}: {lines:,} lines (limit {budget.lines:,} for {budget.what}); "
            "check this is the right file"
        )
    # Anchored at line starts, so each line is scanned once: linear in the file's size.
    long_line = re.search(rb"(?m)^[^\n]{%d}" % (budget.line_bytes + 1), data)
    if long_line:
        number = data.count(b"\n", 0, long_line.start()) + 1
        raise InputError(
            f"{display}:{number}: a line over {budget.line_bytes:,} bytes (limit for {budget.what}); "
            "check this is the right file"
        )


def decode_text(display: str, data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{display}: the CSV is not UTF-8 or Windows-1252 text; save it as CSV UTF-8")


def csv_rows(display: str, text: str, delimiter: str, kind: str = "area") -> Iterator[list[str]]:
    """Rows of CSV text, one at a time; a malformed field or too many columns is a one-line refusal."""
    import csv

    budget = limits(kind)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                f"{display}:{reader.line_num}: not valid CSV ({exc}); check the quotes on that line"
            ) from None
        if len(row) > budget.columns:
            raise InputError(
                f"{display}:{reader.line_num}: {len(row):,} columns (limit {budget.columns:,} for "
                f"{budget.what}); check this is the right file"
            )
        yield row
