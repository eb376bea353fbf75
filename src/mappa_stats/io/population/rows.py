"""A population file's rows as text, after the input guard: a CSV (UTF-8 or Windows-1252/latin-1, commas
or semicolons, thousands separators), or the MYE2-like sheet of a workbook as ONS published it (.xls,
.xlsx or .ods, read by calamine: no macros or formulas run), the sheet found by its content whatever it is
called that year; and the header row, wherever it is, told from its cells."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import normalize
from mappa_stats.errors import InputError
from mappa_stats.io import archive, cfb, guard
from mappa_stats.numbers import NEGATIVE, WHY, count, read_number

AGE = re.compile(r"^(?:age_?)?(\d{1,2})(\+|_plus| and over)?$", re.ASCII)
CODE_COLUMNS = ("code", "ons_code", "area_code", "geography_code")
HEAD_ROWS = 40  # the header row is looked for among the first rows only
_PERSONS = re.compile(r"\b(persons|all persons|mye2 - all)\b", re.IGNORECASE)
_ONE_SEX = re.compile(r"\b(males|females)\b", re.IGNORECASE)
_HINT = re.compile(r"mye2|person", re.IGNORECASE)
_BEST = 4  # a header row, persons named, no one sex


class Rows:
    """A population file's rows as text: the first rows (for the header and title), then the rest
    one at a time, so a large file is read in bounded memory."""

    def __init__(self, head: list[list[str]], rest: Iterator[list[str]], title: str, sheet: str = "") -> None:
        self.head = head
        self.rest = rest
        self.title = title
        self.sheet = sheet  # the sheet read, for messages ("" for a CSV)

    def after(self, index: int) -> Iterator[tuple[int, list[str]]]:
        """(line number, row) for every non-blank row below the row at `index`."""
        for offset, row in enumerate(self.head[index + 1 :]):
            if any(c.strip() for c in row):
                yield index + 2 + offset, row
        for offset, row in enumerate(self.rest):
            if any(c.strip() for c in row):
                yield len(self.head) + 1 + offset, row


def number(text: str, where: str) -> int:
    """A whole number of people from a cell's text ('1,510,354', '1 510 354', '1510354.0'), read by the one
    parser of numbers (numbers.count): at most numbers.MAX_DIGITS digits however it is written."""
    value, problem = count(text)
    if problem == NEGATIVE:  # a whole number still: the reader says which area or line is below zero
        return int(read_number(text).value or 0)
    if value is None:
        raise InputError(f"{where}: population {text.strip()[:40]!r} {WHY[problem]}; fix the cell")
    return value


def read_rows(path: Path) -> Rows:
    """The rows of a CSV, or of the MYE2-like sheet of a workbook, after the input guard's checks."""
    if str(path) == "-":
        raise InputError("-: give the population file as a path")
    display = str(path)
    try:
        data = guard.read_input(path, "population")
    except InputError as exc:
        raise InputError(exc.message.replace("no such file;", "no such population file;")) from None
    if data[:4] == b"PK\x03\x04":
        if archive.check_zip(display, data, "population") == "zip":
            raise InputError(
                f"{display}: a zip archive but not an .xlsx or .ods workbook; save the population as .xlsx "
                "or CSV"
            )
        return _workbook_rows(display, data)
    if data[:8] == cfb.SIGNATURE:
        cfb.check_xls(display, data, "population")
        return _workbook_rows(display, data)
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{display}: not a CSV, .xls, .xlsx or .ods population file (binary content); check the file"
        )
    guard.check_text(display, data, "population")
    text = guard.decode_text(display, data)
    del data
    head_text = text[: 256 * 1024]
    delimiter = ";" if head_text.count(";") > head_text.count(",") else ","
    rows = guard.csv_rows(display, text, delimiter, "population")
    head = [row for _, row in zip(range(HEAD_ROWS), rows, strict=False)]
    return Rows(head, rows, " ".join(" ".join(r) for r in head[:5]))


def _workbook_rows(display: str, data: bytes) -> Rows:
    """The best sheet of a workbook the guard has checked: a header row (Code … All ages, or an area
    column with a population), then the persons table before the males' and females'."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's errors are its own classes: any of them is a file it cannot open
        why = type(exc).__name__
        raise InputError(f"{display}: cannot be opened as a workbook ({why}); save it again") from None
    try:
        best: tuple[int, str, list[list[str]], list[list[str]]] | None = None
        # Sheets named like the MYE2 persons table are read first, and the first whose content is the persons
        # table ends the search: the mid-2022 workbook's large MYEB1 sheet is then never loaded.
        for name in sorted(book.sheet_names, key=lambda n: not _HINT.search(n)):
            rows = [texts(row) for row in book.get_sheet_by_name(name).iter_rows()]
            head = rows[:HEAD_ROWS]
            words = name + " " + " ".join(" ".join(r) for r in head[:5])
            score = 0
            if header_index(head) is not None:
                score = 3 + bool(_PERSONS.search(words)) - bool(_ONE_SEX.search(words))
            if best is None or score > best[0]:
                best = (score, name, head, rows[HEAD_ROWS:])
            if score == _BEST:
                break
    except InputError:
        raise
    except Exception as exc:  # damage calamine finds as it reads a sheet
        why = type(exc).__name__
        raise InputError(f"{display}: cannot be read as a workbook ({why}); save it again") from None
    finally:
        book.close()
    if best is None:
        raise InputError(f"{display}: the workbook has no sheets")
    _, name, head, rest = best
    return Rows(head, iter(rest), name + " " + " ".join(" ".join(r) for r in head[:5]), name)


def texts(row: Iterable[Any]) -> list[str]:
    """A row's cells as text; a whole number read as a float (0.0, 519695.0) is written as one."""
    out = []
    for v in row:
        if v is None:
            out.append("")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


def header_index(rows: list[list[str]]) -> int | None:
    """The row of the header among the first rows: Code and All ages (MYE2), code, sex and age (long), or
    a MAPPA area column with a population (area table)."""
    for i, row in enumerate(rows[:HEAD_ROWS]):
        cells = {normalize(c).replace(" ", "_") for c in row if c.strip()}
        has_code = bool(cells & set(CODE_COLUMNS)) or any(c.startswith("ladcode") for c in cells)
        if has_code and ("all_ages" in cells or ("sex" in cells and "age" in cells)):
            return i
        if cells & {"mappa_area", "police_force_area", "area", "pfa", "police_force"} and (
            cells & {"aged_10_plus", "all_ages", "population_aged_10_plus", "aged_10+"} or "age_10" in cells
        ):
            return i
    return None


def columns(header: list[str]) -> dict[str, int]:
    """Each header cell's folded name → its column."""
    return {normalize(h).replace(" ", "_"): i for i, h in enumerate(header) if h.strip()}


def ages(header: list[str]) -> dict[int, int]:
    """Column index of each single year of age (90 meaning 90 and over)."""
    out = {}
    for i, h in enumerate(header):
        found = AGE.match(normalize(h).replace(" ", "_"))
        if found:
            out[int(found.group(1))] = i
    return out
