"""The one set of limits every reader passes before any parse (docs/limits.md); zip checks: archive.py.

Every input — an area workbook (.xlsx, .ods), a tidy CSV, a population file (.csv, .xlsx), a PDF or
text report, standard input — is read here first: it must be a regular file (not a FIFO, a device or
an endless stream) within a size budget, and a zip container or CSV text must stay within the limits
of its format and of a statistics table before any library walks it. Anything else is a one-line
InputError naming the file and the fix, in well under the documented 10 s and 500 MB.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
        # calamine fills a sheet's whole used range in memory (about 72 bytes a cell): 3,000,000 cells is
        # about 220 MB; the ONS long layout (73,000 rows × 24 columns) is 1.75 million.
        grid=3_000_000,
        cells=1_000_000,
        lines=2_000_000,
        line_bytes=64 * 1024,
        stdin=False,
    ),
    # A publication workbook (check-publication), made by mappa-stats or elsewhere: a GSS release has a
    # sheet per table, and a table may run to every local authority by year (thousands of rows). openpyxl
    # holds every cell as an object: 200,000 numbers took 27 s and 190 MB on a shared two-core machine
    # (measured), so the cells stay at the area return's 100,000.
    "publication": Limits(
        what="a publication workbook",
        file_bytes=50 * MB,
        unpacked_bytes=200 * MB,
        part_bytes=100 * MB,
        parts=2_000,
        ratio=100,
        sheets=250,
        rows=100_000,
        columns=702,
        grid=1_000_000,  # as an area return's: a reader walks the used range
        cells=100_000,
        stdin=False,  # a workbook, never CSV text: no lines to count, and a file to name
    ),
    # A published annual report as PDF or text: the reader that parses it sets its own page limits.
    "report": Limits(what="an annual report", file_bytes=50 * MB, lines=200_000, line_bytes=64 * 1024),
}


def limits(kind: str) -> Limits:
    """The budget for a kind of input ('area', 'population', 'publication' or 'report')."""
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


def _lines(text: str) -> Iterator[str]:
    """The text's lines, each with its '\n', as io.StringIO(text) gives them, without its copy of the whole
    text at four bytes a character (64 MB for a 16 MB long CSV)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def csv_rows(display: str, text: str, delimiter: str, kind: str = "area") -> Iterator[list[str]]:
    """Rows of CSV text, one at a time; a malformed field or too many columns is a one-line refusal."""
    import csv

    budget = limits(kind)
    reader = csv.reader(_lines(text), delimiter=delimiter)
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
