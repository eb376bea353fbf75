"""Reading compare's inputs (the long CSV combine writes, or an area's tables) as Observations."""

from __future__ import annotations

import math
import re
from pathlib import Path

from mappa_stats.compare.result import Input, Observation
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import available_years, form_years, load_template
from mappa_stats.errors import InputError
from mappa_stats.io import guard
from mappa_stats.io.readers import read_area
from mappa_stats.rules.claims.fields import POPULATION_FIELD
from mappa_stats.rules.claims.judge import area_figures
from mappa_stats.rules.claims.parse import canonical_area

LONG_COLUMNS = ("area", "year", "field", "value")


# 42 areas × 11 years × ~150 fields × 4 releases is under 300,000 figures; far beyond that is not a national
# CSV, and memory must stay bounded whatever the file holds.
MAX_FIGURES = 400_000


def _long_header(data: bytes) -> list[str] | None:
    """The folded header of a long CSV (area, year, field, value …), or None when the file is not one."""
    first = data[:4096].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    header = [h.strip().strip('"').casefold() for h in first.strip().split(",")]
    return header if all(c in header for c in LONG_COLUMNS) else None


def _number(text: str) -> float | None:
    body = text.strip().replace(",", "")
    if len(body) > 30:
        return None
    try:
        value = float(body)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_FIELD_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")


_NOT_A_NUMBER = {"", "-", "[x]", "[z]", "[c]", "[low]", "..", "not collected", "—"}


def read_long(path: Path | str, data: bytes) -> tuple[list[Observation], Input]:
    """The long CSV combine writes: area,year,field,value (+ release); other columns are ignored."""
    display = guard.display_name(path)
    guard.check_text(display, data, "population")
    text = guard.decode_text(display, data)
    rows = guard.csv_rows(display, text, ",", "population")
    header = [h.strip().casefold() for h in next(rows)]
    at = {name: header.index(name) for name in (*LONG_COLUMNS, "release") if name in header}
    years = available_years()

    # An area's fields, and from 2022-23 the National Security Division's (Category 4).
    fields = {
        y: set(load_template(y).field_refs)
        | (set(load_template(y, "nsd").field_refs) if y in form_years("nsd") else set())
        | {POPULATION_FIELD}
        for y in years
    }
    # Fields that hold counts (not the rate, a share or a population): whole numbers of 0 or more.
    counts = {y: _count_fields(y) for y in years}
    out: list[Observation] = []
    seen: dict[tuple[str, str, str, str], tuple[float, int]] = {}
    areas_cache: dict[str, str | None] = {}
    unknown: dict[str, int] = {}
    i_area, i_year, i_field, i_value = (at[c] for c in LONG_COLUMNS)
    i_release = at.get("release")
    width = len(header)
    for number, row in enumerate(rows, start=2):
        if len(row) < width:
            if not "".join(row).strip():
                continue
            row = row + [""] * (width - len(row))
        where = f"{display}:{number}"
        area_text, year, code = row[i_area].strip(), row[i_year].strip(), row[i_field].strip()
        value_text = row[i_value].strip()
        release = row[i_release].strip() if i_release is not None else ""
        if area_text not in areas_cache:
            areas_cache[area_text] = canonical_area(area_text)
        area = areas_cache[area_text]
        if area is None:
            raise InputError(
                f"{where}: unknown area {area_text[:60]!r}; give the Ministry's area name or {NATIONAL!r} "
                "(docs/compare.md)"
            )
        if year not in fields:
            raise InputError(f"{where}: unknown year {year[:20]!r}; give a reporting year such as 2014-15")
        code = code.upper()
        if code not in fields[year]:
            if not _FIELD_CODE.match(code):
                raise InputError(
                    f"{where}: {code[:40]!r} is not a field code (mappa-stats rules and docs/templates.md "
                    "list them)"
                )
            unknown.setdefault(code, 0)
            unknown[code] += 1
            continue
        value: float | None
        try:
            value = float(value_text)  # the common case, as combine writes it
        except ValueError:
            if value_text.casefold() in _NOT_A_NUMBER:
                continue  # not available: no figure, never a zero
            value = _number(value_text)
        if value is None or not math.isfinite(value) or len(value_text) > 30:
            raise InputError(f"{where}: the value {value_text[:40]!r} is not a number")
        if code in counts[year] and (value < 0 or not float(value).is_integer()):
            raise InputError(
                f"{where}: {code} is a count of people or offences, and {value_text[:40]!r} is not a whole "
                "number of 0 or more"
            )
        key = (area, year, code, release)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier[0] != value:
                raise InputError(
                    f"{where}: {area} {year} {code} is {value_text} here but {earlier[0]:g} at line "
                    f"{earlier[1]} of the same release; give each figure once (or a release column)"
                )
            continue
        seen[key] = (value, number)
        out.append(Observation(area, year, code, value, release or display, where))
        if len(out) > MAX_FIGURES:
            raise InputError(
                f"{where}: more than {MAX_FIGURES:,} figures in one file; is this the right file? "
                "(docs/limits.md)"
            )
    if not out:
        raise InputError(f"{display}: no figures below the header; see docs/compare.md")
    info = Input(
        display,
        "long CSV",
        tuple(dict.fromkeys(o.release for o in out)),
        tuple(dict.fromkeys(o.area for o in out)),
        tuple(sorted({o.year for o in out})),
        tuple(unknown),
        sum(unknown.values()),
    )
    return out, info


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
    observations = [
        Observation(canonical_area(a) or a, y, code, value, release, display)
        for (a, y, code), value in area_figures(area).items()
    ]
    name = canonical_area(area.meta.area) or area.meta.area
    return observations, Input(display, area.meta.source_format, (release,), (name,), (area.template.year,))


def _count_fields(year: str) -> set[str]:
    """The field codes of a year (an area's and the NSD's) whose cells hold counts."""
    forms = [load_template(year)] + ([load_template(year, "nsd")] if year in form_years("nsd") else [])
    return {
        table.fields[(row.id, column.id)]
        for template in forms
        for table, row, column in template.cells()
        if table.cell_value_type(row.id) == "count"
    }
