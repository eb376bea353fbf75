"""Legacy .xls workbooks built byte by byte for the tests: a Compound File Binary container (512-byte
sectors, one FAT sector, one directory sector) holding a BIFF8 'Workbook' stream of one sheet, with
hooks to damage each part as the hostile cases need (a loop in a chain, a forged DIMENSION, a far cell).

The layout is the one Excel 97-2003 writes, reduced to what calamine needs: sector 0 is the FAT, sector 1
the directory (Root Entry, Workbook), sectors 2 … the Workbook stream, padded to 4,096 bytes so that it
lives in ordinary sectors, not the mini stream.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

SECTOR = 512
END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


def record(kind: int, body: bytes) -> bytes:
    """One BIFF record: type, length, data."""
    return struct.pack("<HH", kind, len(body)) + body


def _text(value: str) -> bytes:
    """A LABEL record's string: length, 'compressed' (Latin-1) flag, bytes."""
    raw = value.encode("latin-1")
    return struct.pack("<HB", len(raw), 0) + raw


def cells(rows: Sequence[Sequence[object]], first_row: int = 0) -> bytes:
    """NUMBER and LABEL records for a grid of values (None: no record)."""
    out = b""
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                out += record(0x0204, struct.pack("<HHH", r, c, 15) + _text(value))
            else:
                out += record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))  # type: ignore[arg-type]
    return out


def workbook_stream(
    rows: Sequence[Sequence[object]],
    sheet: str = "MYE2 - Persons",
    dimension: tuple[int, int] | None = None,
    extra_cells: bytes = b"",
) -> bytes:
    """The BIFF8 Workbook stream: globals (BOF, BOUNDSHEET, EOF), then the sheet (BOF, DIMENSION, cells,
    EOF). `dimension` forges the DIMENSION record's (last row + 1, last column + 1)."""
    bof_globals = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x2775, 0x07CD, 0, 0x0206))
    name = sheet.encode("latin-1")
    boundsheet_len = 4 + 8 + len(name)
    eof = record(0x000A, b"")
    offset = len(bof_globals) + boundsheet_len + len(eof)
    boundsheet = record(0x0085, struct.pack("<IHBB", offset, 0, len(name), 0) + name)
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    last_row, last_col = dimension or (height, width)
    sheet_bytes = (
        record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x2775, 0x07CD, 0, 0x0206))
        + record(0x0200, struct.pack("<IIHHH", 0, last_row, 0, last_col, 0))
        + cells(rows)
        + extra_cells
        + eof
    )
    return bof_globals + boundsheet + eof + sheet_bytes


def _entry(name: str, kind: int, start: int, size: int, child: int = NO_STREAM) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1 if kind else 0)
        + struct.pack("<III", NO_STREAM, NO_STREAM, child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", start, size)
    )


def container(stream: bytes, fat_loop: bool = False, directory_loop: bool = False) -> bytes:
    """The Compound File around a Workbook stream; `fat_loop` makes the stream's chain point back at its
    own first sector, `directory_loop` the directory's at itself."""
    body = stream.ljust(max(4096, -(-len(stream) // SECTOR) * SECTOR), b"\0")
    count = len(body) // SECTOR
    fat = [FAT_SECTOR, END] + [3 + i for i in range(count - 1)] + [END]
    if fat_loop:
        fat[2 + count - 1] = 2  # the last sector of the stream points back at its first
    if directory_loop:
        fat[1] = 1
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(SECTOR, b"\xff")
    directory = (
        _entry("Root Entry", 5, END, 0, child=1)
        + _entry("Workbook", 2, 2, len(body))  # as Excel does: the stream padded to 4,096 bytes at least
        + _entry("", 0, 0, 0)
        + _entry("", 0, 0, 0)
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (109 * 4 - 4)
    )
    assert len(header) == SECTOR
    return header + fat_bytes + directory + body


def mye2_rows(rows: Sequence[tuple[str, str, int, int]], title: str) -> list[list[object]]:
    """An MYE2-like sheet: a title, the header (Code, Name, All ages, 0 … 90), then one row per geography
    with all ages and (ages 0 … 9, ages 10 … 90+) spread as: aged 0-9 all at age 0, aged 10+ all at 90."""
    header: list[object] = ["Code", "Name", "All ages", *range(91)]
    out: list[list[object]] = [[title], [], header]
    for code, name, everyone, ten in rows:
        ages: list[object] = [everyone - ten, *([0] * 89), ten]
        out.append([code, name, everyone, *ages])
    return out


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
