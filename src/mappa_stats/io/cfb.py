"""The legacy-workbook checks every .xls passes before calamine reads it (docs/limits.md), as archive.py's are
for a zip.

An .xls is a Compound File Binary container (sectors chained by a FAT, like a little disk) holding a
BIFF8 'Workbook' stream of records. calamine trusts both: a loop in a sector chain never returns, a
DIMENSION record of four billion rows aborts the process, one cell at row 65,536 takes 1.2 GB. So here
every chain calamine will follow (the FAT's own sectors, the directory, the mini stream and its FAT, each
stream) is walked with a visited set and the file's sector count as its bound, no sector may belong to two
chains, and the Workbook stream's sheets are read record by record: their number, declared DIMENSION and
real cell extent within the budget. Anything else is a one-line InputError naming the file.
"""

from __future__ import annotations

import struct

from mappa_stats.errors import InputError
from mappa_stats.io.guard import Limits, limits

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FAT_SECTOR, _DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
_NO_STREAM = 0xFFFFFFFF
# BIFF8's own limits: a sheet has at most 65,536 rows and 256 columns (IV).
BIFF_ROWS, BIFF_COLUMNS = 65_536, 256
_BOF, _EOF, _BOUNDSHEET, _DIMENSION = 0x0809, 0x000A, 0x0085, 0x0200
# Records that place one cell (or a run of cells, MULRK and MULBLANK) at a row and column.
_CELL_RECORDS = {0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x0201, 0x00BD, 0x00BE, 0x00D6}
_RUNS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: the last column is the record's last two bytes
DAMAGED = "the .xls file is damaged ({}); open it in Excel and save it again (as .xlsx)"


class _Container:
    """The container's sectors and FAT, and every chain walked so far (a sector in two is refused)."""

    def __init__(self, display: str, data: bytes) -> None:
        self.display = display
        self.data = data
        if len(data) < 512 or data[:8] != SIGNATURE:
            raise self.damaged("no Compound File header")
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12) or struct.unpack_from("<H", data, 0x1C)[0] != 0xFFFE:
            raise self.damaged("an impossible sector size")
        self.size = 1 << shift
        self.count = (len(data) - self.size + self.size - 1) // self.size  # sectors after the header
        self.owner: dict[int, str] = {}
        self.fat = self._fat()

    def damaged(self, why: str) -> InputError:
        return InputError(f"{self.display}: {DAMAGED.format(why)}")

    def sector(self, number: int) -> bytes:
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def _fat(self) -> list[int]:
        """The FAT, from the sectors the DIFAT names (its own chain walked with a bound)."""
        header = struct.unpack_from("<109I", self.data, 0x4C)
        fat_sectors = [s for s in header if s != _FREE]
        next_difat = struct.unpack_from("<I", self.data, 0x44)[0]
        seen: set[int] = set()
        per = self.size // 4 - 1
        while next_difat not in (_END, _FREE):
            if next_difat >= self.count or next_difat in seen:
                raise self.damaged("a loop or a break in its sector allocation table")
            seen.add(next_difat)
            entries = struct.unpack_from(f"<{per + 1}I", self.sector(next_difat))
            fat_sectors.extend(s for s in entries[:per] if s != _FREE)
            next_difat = entries[per]
        if len(set(fat_sectors)) != len(fat_sectors) or any(s >= self.count for s in fat_sectors):
            raise self.damaged("its sector allocation table points outside the file")
        fat: list[int] = []
        for number in fat_sectors:
            fat.extend(struct.unpack(f"<{self.size // 4}I", self.sector(number).ljust(self.size, b"\0")))
        return fat

    def chain(self, start: int, what: str, table: list[int] | None = None, bound: int = 0) -> list[int]:
        """The sectors of a chain from `start`, each visited once: a loop, a break or a sector already in
        another chain is damage."""
        table = self.fat if table is None else table
        bound = bound or self.count
        found: list[int] = []
        seen: set[int] = set()
        number = start
        while number != _END:
            if number >= bound or number >= len(table) or number in seen:
                raise self.damaged(f"a loop or a break in the {what}'s sector chain")
            seen.add(number)
            found.append(number)
            number = table[number]
        if table is self.fat:
            for number in found:
                if self.owner.setdefault(number, what) != what:
                    raise self.damaged(f"the {what} and the {self.owner[number]} share a sector")
        return found

    def read(self, start: int, what: str) -> bytes:
        return b"".join(self.sector(n) for n in self.chain(start, what))


WORKBOOK_STREAMS = ("Workbook", "Book")


def _streams(box: _Container) -> dict[str, bytes]:
    """The workbook's stream by name, every stream's chain walked (the mini stream's too)."""
    header = box.data
    directory = box.read(struct.unpack_from("<I", header, 0x30)[0], "directory")
    entries = []
    for at in range(0, len(directory) - 127, 128):
        raw = directory[at : at + 128]
        kind = raw[66]
        if kind not in (1, 2, 5):
            continue
        length = min(struct.unpack_from("<H", raw, 64)[0], 64)
        name = raw[: max(length - 2, 0)].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<II", raw, 116)
        entries.append((name, kind, start, size))
    root = next((e for e in entries if e[1] == 5), None)
    if root is None:
        raise box.damaged("no root entry")
    cutoff = struct.unpack_from("<I", header, 0x38)[0]
    mini_fat_start = struct.unpack_from("<I", header, 0x3C)[0]
    mini_fat: list[int] = []
    if mini_fat_start not in (_END, _FREE):
        raw_fat = box.read(mini_fat_start, "mini FAT")
        mini_fat = list(struct.unpack(f"<{len(raw_fat) // 4}I", raw_fat))
    mini = box.read(root[2], "mini stream") if root[2] not in (_END, _FREE) else b""
    streams: dict[str, bytes] = {}
    for name, kind, start, size in entries:
        if kind != 2 or start in (_END, _FREE) or size == 0:
            continue
        what = f"stream {name!r}"
        if size < cutoff:
            sectors = box.chain(start, what, mini_fat, bound=len(mini) // 64)
            body = b"".join(mini[n * 64 : n * 64 + 64] for n in sectors)
        else:
            sectors = box.chain(start, what)
            body = b"".join(box.sector(n) for n in sectors) if name in WORKBOOK_STREAMS else b""
        if name in WORKBOOK_STREAMS:
            streams[name] = body[:size]
    return streams


def _records(stream: bytes, at: int) -> list[tuple[int, int, bytes]]:
    """(type, offset, data) of the records of one substream from `at`, to its EOF record."""
    out = []
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        out.append((kind, at, stream[at + 4 : at + 4 + length]))
        at += 4 + length
        if kind == _EOF:
            break
    return out


class _Sheets:
    """The Workbook stream's sheets against the budget: how many, what each declares, what each holds."""

    def __init__(self, display: str, budget: Limits) -> None:
        self.display = display
        self.budget = budget
        self.cells = 0

    def refuse(self, message: str) -> InputError:
        return InputError(f"{self.display}: {message}")

    def extent(self, name: str, rows: int, cols: int, verb: str) -> None:
        budget = self.budget
        where = f"a sheet ({name})"
        if rows > BIFF_ROWS or cols > BIFF_COLUMNS:
            raise self.refuse(
                f"{where} {verb} row {rows:,}, column {cols:,}: beyond an .xls sheet's {BIFF_ROWS:,} rows "
                f"and {BIFF_COLUMNS} columns (a damaged or forged file); open it in Excel and save as .xlsx"
            )
        if rows > budget.rows or cols > budget.columns or rows * cols > budget.grid:
            raise self.refuse(
                f"{where} {verb} {rows:,} rows by {cols:,} columns (limit {budget.grid:,} cells of used "
                f"range for {budget.what}); delete the unused rows and columns or check the file"
            )

    def sheet(self, name: str, records: list[tuple[int, int, bytes]]) -> None:
        max_row = max_col = 0
        for kind, _, body in records:
            if kind == _DIMENSION and len(body) >= 12:
                _, last_row, _, last_col = struct.unpack_from("<IIHH", body)
                self.extent(name, last_row, last_col, "claims")
            elif kind in _CELL_RECORDS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                if kind in _RUNS and len(body) >= 6:
                    col = struct.unpack_from("<H", body, len(body) - 2)[0]
                max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
                self.cells += 1
        if self.cells > self.budget.cells:
            raise self.refuse(
                f"more than {self.budget.cells:,} cells (limit for {self.budget.what}); check this is the "
                "right file"
            )
        self.extent(name, max_row, max_col, "reaches")


def check_xls(display: str, data: bytes, kind: str = "population") -> None:
    """Check a legacy .xls before calamine reads it: the container's chains, then the workbook's sheets."""
    budget = limits(kind)
    box = _Container(display, data)
    streams = _streams(box)
    workbook = streams.get("Workbook", streams.get("Book"))
    if workbook is None:
        raise InputError(f"{display}: a Compound File but not an Excel workbook (no Workbook stream)")
    globals_ = _records(workbook, 0)
    if not globals_ or globals_[0][0] != _BOF:
        raise InputError(
            f"{display}: an Excel workbook older than Excel 97 (or damaged); open it in Excel and save it "
            "as .xlsx"
        )
    sheets = [
        struct.unpack_from("<I", body)[0]
        for code, _, body in globals_
        if code == _BOUNDSHEET and len(body) >= 4
    ]
    check = _Sheets(display, budget)
    if len(sheets) > budget.sheets:
        raise check.refuse(f"more than {budget.sheets:,} sheets (limit for {budget.what}); check the file")
    for number, offset in enumerate(sheets, start=1):
        if offset >= len(workbook):
            raise box.damaged(f"sheet {number} starts beyond the workbook stream")
        check.sheet(f"sheet {number}", _records(workbook, offset))
