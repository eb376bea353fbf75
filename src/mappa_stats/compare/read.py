"""Reading compare's inputs (the long CSV combine writes, or an area's tables) as Observations."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mappa_stats.compare.result import DERIVED_CELL, Input, Observation
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import figure_years, figures_template, form_years, load_template
from mappa_stats.errors import InputError
from mappa_stats.io import guard
from mappa_stats.io.readers import read_area
from mappa_stats.model import AreaTables, sheet_ref
from mappa_stats.numbers import NOT_A_NUMBER, WHY, count_problem, read_number
from mappa_stats.rules.claims.fields import POPULATION_FIELD
from mappa_stats.rules.claims.judge import area_figures
from mappa_stats.rules.claims.parse import canonical_area

LONG_COLUMNS = ("area", "year", "field", "value")


# Every figure of 2014-15 to 2024-25 (the 42 areas and England and Wales, 1,990 fields over the 11 years, and
# the NSD's 294) is 85,864 figures a release, so four releases are 343,456; beyond 350,000 a file is not a
# national CSV. The limit bounds memory: reading a file of 350,000 figures peaks at about 230 MB, and every
# report of it, even with every figure revised, stays within the 500 MB of docs/limits.md (its CSV and JSON
# are written in pieces, its text lists at most render.compare.MAX_LISTED revisions; bench/run.py --only
# compare-limit). 400,000 figures peaked at 570 MB as JSON before the JSON was written in pieces.
MAX_FIGURES = 350_000


def _long_header(data: bytes) -> list[str] | None:
    """The folded header of a long CSV (area, year, field, value …), or None when the file is not one."""
    first = data[:4096].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    header = [h.strip().strip('"').casefold() for h in first.strip().split(",")]
    return header if all(c in header for c in LONG_COLUMNS) else None


_FIELD_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")


_NOT_A_NUMBER = {"", "-", "[x]", "[z]", "[c]", "[low]", "..", "not collected", "—"}


class _LongReader:
    """The rows of one long CSV as Observations: each row checked (area, year, field code, value) and a figure
    given twice in one release refused unless it is the same."""

    def __init__(self, display: str, header: list[str]) -> None:
        self.display = display
        at = {name: header.index(name) for name in (*LONG_COLUMNS, "release") if name in header}
        self.columns = tuple(at[c] for c in LONG_COLUMNS)
        self.release_at = at.get("release")
        self.width = len(header)
        years = figure_years()
        # An area's fields, and from 2022-23 the National Security Division's (Category 4).
        self.fields = {
            y: set(figures_template(y).field_refs)
            | (set(load_template(y, "nsd").field_refs) if y in form_years("nsd") else set())
            | {POPULATION_FIELD}
            for y in years
        }
        # Fields that hold counts (not the rate, a share or a population): whole numbers of 0 or more.
        self.counts = {y: _count_fields(y) for y in years}
        self.seen: dict[tuple[str, str, str, str], tuple[float, int]] = {}
        self.areas: dict[str, str | None] = {}
        self.unknown: dict[str, int] = {}

    def observation(self, number: int, row: list[str]) -> Observation | None:
        """Row NUMBER's figure, or None for a blank row, a figure not available, an unknown field code or a
        figure given again with the same value."""
        if len(row) < self.width:
            if not "".join(row).strip():
                return None
            row = row + [""] * (self.width - len(row))
        where = f"{self.display}:{number}"
        area_text, year, code, value_text = (row[i].strip() for i in self.columns)
        # Interned: a national file repeats a few dozen years, codes and releases 400,000 times, and one
        # shared string each (not one per line) keeps the figures within limits.md's memory.
        release = sys.intern(row[self.release_at].strip()) if self.release_at is not None else ""
        area = self._area(where, area_text)
        if year not in self.fields:
            raise InputError(f"{where}: unknown year {year[:20]!r}; give a reporting year such as 2014-15")
        year, code = sys.intern(year), sys.intern(code.upper())
        if not self._known(where, year, code):
            return None
        value = self._value(where, year, code, value_text)
        if value is None or not self._first((area, year, code, release), value, value_text, number):
            return None
        return Observation(area, year, code, value, release or self.display, where)

    def _area(self, where: str, text: str) -> str:
        """The area's canonical name; an unknown area is refused."""
        if text not in self.areas:
            self.areas[text] = canonical_area(text)
        area = self.areas[text]
        if area is None:
            raise InputError(
                f"{where}: unknown area {text[:60]!r}; give the Ministry's area name or {NATIONAL!r} "
                "(docs/compare.md)"
            )
        return area

    def _known(self, where: str, year: str, code: str) -> bool:
        """True for a field code of the year; a code of no definition is counted (and said), not compared;
        text that is not a field code is refused."""
        if code in self.fields[year]:
            return True
        if not _FIELD_CODE.match(code):
            raise InputError(
                f"{where}: {code[:40]!r} is not a field code (mappa-stats rules and docs/templates.md "
                "list them)"
            )
        self.unknown[code] = self.unknown.get(code, 0) + 1
        return False

    def _value(self, where: str, year: str, code: str, text: str) -> float | None:
        """The figure, or None when it is marked not available (never a zero), read by the one parser of
        numbers (numbers.read_number); a count must be a whole number of 0 or more."""
        if text.casefold() in _NOT_A_NUMBER:
            return None
        reading = read_number(text)
        if reading.value is None or reading.percent:
            why = WHY[reading.problem or NOT_A_NUMBER]
            raise InputError(f"{where}: the value {text[:40]!r} {why}; fix the line")
        if code in self.counts[year] and count_problem(reading):
            raise InputError(
                f"{where}: {code} is a count of people or offences, and {text[:40]!r} is not a whole "
                "number of 0 or more"
            )
        return float(reading.value)

    def _first(self, key: tuple[str, str, str, str], value: float, text: str, number: int) -> bool:
        """True the first time a figure of a release is given; again with the same value, False; with
        another value, refused."""
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = (value, number)
            return True
        if earlier[0] != value:
            area, year, code, _ = key
            raise InputError(
                f"{self.display}:{number}: {area} {year} {code} is {text} here but {earlier[0]:g} at line "
                f"{earlier[1]} of the same release; give each figure once (or a release column)"
            )
        return False

    def input(self, out: list[Observation]) -> Input:
        """What the file held: its releases, areas and years, and the field codes not compared."""
        return Input(
            self.display,
            "long CSV",
            tuple(dict.fromkeys(o.release for o in out)),
            tuple(dict.fromkeys(o.area for o in out)),
            tuple(sorted({o.year for o in out})),
            tuple(self.unknown),
            sum(self.unknown.values()),
        )


def read_long(path: Path | str, data: bytes) -> tuple[list[Observation], Input]:
    """The long CSV combine writes: area,year,field,value (+ release); other columns are ignored."""
    display = guard.display_name(path)
    guard.check_text(display, data, "population")
    text = guard.decode_text(display, data)
    rows = guard.csv_rows(display, text, ",", "population")
    reader = _LongReader(display, [h.strip().casefold() for h in next(rows)])
    out: list[Observation] = []
    for number, row in enumerate(rows, start=2):
        found = reader.observation(number, row)
        if found is None:
            continue
        out.append(found)
        if len(out) > MAX_FIGURES:
            raise InputError(
                f"{found.source}: more than {MAX_FIGURES:,} figures in one file; is this the right file? "
                "(docs/limits.md)"
            )
    if not out:
        raise InputError(f"{display}: no figures below the header; see docs/compare.md")
    return out, reader.input(out)


def read_file(path: Path, year: str | None = None) -> tuple[list[Observation], Input]:
    """One input's figures: a long CSV, or any form of one area's tables (its file name is its release)."""
    display = guard.display_name(path)
    if str(path) != "-":
        data = guard.read_input(path, "population")
        if not data.startswith((b"PK", b"%PDF", b"\xd0\xcf")) and _long_header(data) is not None:
            return read_long(path, data)

    area = read_area(path, year)
    if not area.meta.area:
        raise InputError(
            f"{display}: the file does not name its MAPPA area; add a 'MAPPA area' cell, or name the file "
            "after the area (kent_2015.xlsx)"
        )
    release = Path(display).name
    cells = _cells(area)
    observations = [
        Observation(canonical_area(a) or a, y, code, value, release, display, cells.get(code, ""))
        for (a, y, code), value in area_figures(area).items()
    ]
    name = canonical_area(area.meta.area) or area.meta.area
    return observations, Input(display, area.meta.source_format, (release,), (name,), (area.template.year,))


def _cells(area: AreaTables) -> dict[str, str]:
    """Each field code's cell in the file ("'24-25 data'!F18"), or 'derived from its parts' for a total
    nobody typed (a return's)."""
    out: dict[str, str] = {}
    for code, ref in area.template.field_refs.items():
        cell = area.by_key.get(ref)
        if cell is None:
            continue
        if cell.derived:
            out[code] = DERIVED_CELL
        elif cell.cell:
            out[code] = sheet_ref(cell.sheet, cell.cell)
    return out


def _count_fields(year: str) -> set[str]:
    """The field codes of a year (an area's and the NSD's) whose cells hold counts."""
    forms = [figures_template(year)] + ([load_template(year, "nsd")] if year in form_years("nsd") else [])
    return {
        table.fields[(row.id, column.id)]
        for template in forms
        for table, row, column in template.cells()
        if table.cell_value_type(row.id) == "count"
    }
