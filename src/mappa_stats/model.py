"""The tidy model every command consumes: one row per table cell, with where it came from."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mappa_stats import numbers
from mappa_stats.numbers import Reading, read_number

if TYPE_CHECKING:
    # pandas only when a frame is asked for: reading a file never needs it.
    import pandas as pd

    from mappa_stats.definitions.templates import Template

COLUMNS = ("table", "row", "column", "value", "marker", "raw", "issue", "sheet", "cell", "source")
_TEXT_COLUMNS = COLUMNS[4:]

# Markers: what a cell holds instead of a number.
BLANK = "blank"
DASH = "-"
NOT_COLLECTED = "not collected"
GSS_MARKERS = ("[x]", "[z]", "[c]", "[low]")
MARKERS = (BLANK, DASH, NOT_COLLECTED, *GSS_MARKERS)

# Issues: how a number was written when it was not a plain whole number.
TEXT_NUMBER = "text_number"
THOUSANDS = "thousands_separator"
PERCENT = "percentage"
DECIMAL = "decimal"
NEGATIVE = "negative"
DATE = "date"
TEXT = "text"
NOT_FINITE = "not_finite"
NO_CACHED_VALUE = "no_cached_value"
TOO_LARGE = "too_large"
BLANK_ZERO = "blank_read_as_zero"  # a return's blank field, read as 0 as the national pipeline reads it
DERIVED = "derived"  # a total nobody typed: worked out from its parts (a return carries no totals)
UNKNOWN_TOTAL = "(derived)"  # the marker of such a total that cannot be worked out (a part is not a number)
# How a number may have been written and still be a number for the schema to judge (a decimal or a
# negative is a number the schema refuses; text, dates and percentages in a count cell are not numbers).
NUMERIC_ISSUES = ("", TEXT_NUMBER, THOUSANDS, DECIMAL, NEGATIVE, BLANK_ZERO, DERIVED)


def summable(value: float | None, issue: str, marker: str = "") -> bool:
    """A count that adds up: a whole number of 0 or more however it was written (as text, with separators, a
    blank read as 0, a derived total). A return's derived totals and the national sums both add these, so an
    area's row and England and Wales always agree."""
    return value is not None and not marker and issue in NUMERIC_ISSUES and value >= 0 and value.is_integer()


_NOT_COLLECTED_TEXT = {"—", "not collected", "n/c", "nc", "..", "not available", "n/a"}
_DASH_TEXT = {"-", "–", "‑"}
# Numbers are read by numbers.read_number, the one parser: ASCII digits only ('१५४८' or '１５４８' is text
# where a number should be, a finding that names the cell or line, never silently 1548), at most
# numbers.MAX_DIGITS digits however written.
_DATE_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}([ T][\d:.]+)?|\d{1,2}/\d{1,2}/\d{2,4})$", re.ASCII)


@dataclass(frozen=True)
class Parsed:
    """A cell's content read as a count: value (or None), marker, raw text and any issue."""

    value: float | None
    marker: str
    raw: str
    issue: str


def _number(reading: Reading, raw: str, issue: str) -> Parsed:
    """A cell's number as the one parser read it (numbers.read_number), with how it was written."""
    if reading.value is None:
        why = {numbers.NOT_FINITE: NOT_FINITE, numbers.TOO_LARGE: TOO_LARGE}.get(reading.problem, TEXT)
        return Parsed(None, "", raw, why)
    value = float(reading.value)
    if value < 0:
        return Parsed(value, "", raw, NEGATIVE)
    if value != int(value) and issue in ("", TEXT_NUMBER, THOUSANDS):
        return Parsed(value, "", raw, DECIMAL)
    return Parsed(value, "", raw, issue)


def parse_cell(content: Any, number_format: str = "General") -> Parsed:
    """Read one cell's content: numbers, numbers typed as text, markers, or something else."""
    if content is None:
        return Parsed(None, BLANK, "", "")
    if isinstance(content, bool):
        return Parsed(None, "", str(content).upper(), TEXT)
    if isinstance(content, (dt.datetime, dt.date, dt.time)):
        return Parsed(None, "", content.isoformat(), DATE)
    if isinstance(content, (int, float)):
        if "%" in (number_format or ""):
            share = float(content) * 100
            return _number(read_number(share), f"{share:g}%", PERCENT)
        reading = read_number(content)
        whole = reading.value is not None and reading.value == reading.value.to_integral_value()
        raw = str(int(content)) if whole else repr(content) if isinstance(content, float) else str(content)
        return _number(reading, raw, "")
    return _parse_text(str(content))


def _parse_text(text: str) -> Parsed:
    """A cell holding text: a marker, a number typed as text (with %, thousands separators), or words."""
    stripped = text.strip()
    folded = stripped.casefold()
    if stripped == "":
        return Parsed(None, BLANK, text, "")
    if stripped in _DASH_TEXT:
        return Parsed(None, DASH, stripped, "")
    if folded in _NOT_COLLECTED_TEXT:
        return Parsed(None, NOT_COLLECTED, stripped, "")
    if folded in GSS_MARKERS:
        return Parsed(None, folded, stripped, "")
    if _DATE_TEXT.match(stripped):
        return Parsed(None, "", stripped, DATE)
    reading = read_number(stripped)
    if reading.problem in ("", numbers.TOO_LARGE, numbers.NOT_FINITE):
        issue = PERCENT if reading.percent else THOUSANDS if reading.grouped else TEXT_NUMBER
        return _number(reading, stripped, issue)
    return Parsed(None, "", stripped, TEXT)


@dataclass(frozen=True)
class Metadata:
    """What the model was read from."""

    path: str
    sha256: str
    template: str
    area: str | None
    source_format: str  # "xlsx", "ods" or "csv"
    # The population estimate the input itself names (a report's rate footnote: "mid-2014"), if any.
    stated_population: str | None = None
    # What a reader of the report should know about how the input was read (an area from the file name).
    notes: tuple[str, ...] = ()
    # Row labels the input gives where the definition knows only a position (a return's breakdown rows:
    # only their first label is public), as (table id, row id, label).
    row_labels: tuple[tuple[str, str, str], ...] = ()
    # The cell the workbook's 'MAPPA area' is in ('Statistics'!H1), or the empty cell beside its label.
    area_cell: str | None = None


@dataclass(frozen=True)
class Cell:
    """One table cell of the model, typed: what it holds and where it came from."""

    table: str
    row: str
    column: str
    value: float | None
    marker: str
    raw: str
    issue: str
    sheet: str
    cell: str
    source: str

    @property
    def derived(self) -> bool:
        """True for a total worked out from its parts rather than typed."""
        return self.issue == DERIVED or self.marker == UNKNOWN_TOTAL

    @property
    def count(self) -> float | None:
        """The number when the cell holds a usable count (plain, typed as text or with separators)."""
        if self.value is None or self.issue not in ("", TEXT_NUMBER, THOUSANDS, BLANK_ZERO, DERIVED):
            return None
        return self.value


Key = tuple[str, str, str]  # (table id, row id, column id)


@dataclass(frozen=True)
class AreaTables:
    """One area's tables in tidy form, with the template they follow and where they came from."""

    by_key: dict[Key, Cell]
    meta: Metadata
    template: Template

    @classmethod
    def from_records(cls, records: list[dict[str, Any]], meta: Metadata, template: Template) -> AreaTables:
        """The model from a reader's cell records (model.record)."""
        cells = {}
        for rec in records:
            value = rec["value"]
            key = (rec["table"], rec["row"], rec["column"])
            cells[key] = Cell(  # in the order of COLUMNS, the texts never None
                *key,
                None if value is None or math.isnan(value) else float(value),
                *["" if rec[name] is None else str(rec[name]) for name in _TEXT_COLUMNS],
            )
        return cls(by_key=cells, meta=meta, template=template)

    @property
    def frame(self) -> pd.DataFrame:
        """The tidy DataFrame: one row per cell (COLUMNS), built when first asked for."""
        cached: pd.DataFrame | None = self.__dict__.get("_frame")
        if cached is None:
            cached = build_frame([asdict(cell) for cell in self.by_key.values()])
            object.__setattr__(self, "_frame", cached)
        return cached

    def with_area(self, name: str) -> AreaTables:
        """The same tables, naming their MAPPA area (given on the command line)."""
        return replace(self, meta=replace(self.meta, area=name))

    def cell(self, table: str, row: str, column: str) -> Cell | None:
        """One cell, or None when its table was not in the input."""
        return self.by_key.get((table, row, column))

    def value(self, table: str, row: str, column: str) -> float | None:
        """The number in a cell, or None when it holds a marker, is missing or is not a count."""
        cell = self.cell(table, row, column)
        return None if cell is None else cell.count

    def row_label(self, table: Any, row: Any) -> str:
        """A row's label as the input gave it (a return's breakdown rows), else the definition's."""
        for table_id, row_id, label in self.meta.row_labels:
            if table_id == table.id and row_id == row.id:
                return label
        return str(row.label)

    def has_table(self, table: str) -> bool:
        """True when the input held this table."""
        return any(key[0] == table for key in self.by_key)

    def cells(self) -> dict[Key, Cell]:
        """Every cell by (table, row, column), in model order."""
        return self.by_key

    def blank_optional(self) -> frozenset[str]:
        """The optional grids (a return's breakdowns: `required: false`) the input holds but left wholly
        blank: one thing not filled in, never a blank (or a 0 read from one) in each of its cells."""
        cached: frozenset[str] | None = self.__dict__.get("_blank_optional")
        if cached is None:
            typed: dict[str, bool] = {}
            for (table_id, _row, _column), cell in self.by_key.items():
                typed[table_id] = typed.get(table_id, False) or bool(cell.raw.strip())
            optional = {t.id for t in self.template.tables if not t.required and t.kind == "grid"}
            cached = frozenset(t for t, any_typed in typed.items() if t in optional and not any_typed)
            object.__setattr__(self, "_blank_optional", cached)
        return cached


def build_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Make the tidy DataFrame from cell records, with stable column types."""
    import pandas as pd

    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for name in COLUMNS:
        if name != "value":
            frame[name] = frame[name].fillna("").astype(str)
    return frame


def record(
    table: str, row: str, column: str, parsed: Parsed, sheet: str, cell: str, source: str
) -> dict[str, Any]:
    """One tidy row."""
    return {
        "table": table,
        "row": row,
        "column": column,
        "value": parsed.value,
        "marker": parsed.marker,
        "raw": parsed.raw,
        "issue": parsed.issue,
        "sheet": sheet,
        "cell": cell,
        "source": source,
    }


@lru_cache(maxsize=1 << 16)  # every cell of every file read asks; a return has a few hundred
def a1(row: int, column: int) -> str:
    """Spreadsheet reference for 1-based row and column: (5, 3) -> 'C5'."""
    letters = ""
    n = column
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


_PLACE_IN_TEXT = re.compile(r"^(p\.\d+|line \d+)$")


@lru_cache(maxsize=1 << 16)  # as a1: every cell of every file read names its place
def sheet_ref(sheet: str, cell: str) -> str:
    """A cell reference as a spreadsheet writes it: 'Statistics'!C5; in a report's text: line 172, Level 1."""
    if not sheet:
        return cell
    if sheet[0] in "pl" and _PLACE_IN_TEXT.match(sheet):  # the match only for what could be one
        return f"{sheet}, {cell}"
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!{cell}"
