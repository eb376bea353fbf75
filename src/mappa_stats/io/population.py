"""Population files: the populations of the MAPPA areas, aged 10 and over and all ages, read from ONS files.

Three layouts are read, detected from the header row: the ONS MYE2 table (one row per geography,
Code, Name, [Geography], All ages, 0 … 89, 90+), the ONS long layout (code, name, sex, age,
population_YYYY …) and an area table (one row per MAPPA area with a population aged 10+, all ages or
single years of age). MYE2 files hold aggregate rows (country, region, county): an area is always the
sum of its own upper-tier authorities, never of every row.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import ENGLAND_AND_WALES_CODE
from mappa_stats.definitions.templates import normalize
from mappa_stats.errors import InputError
from mappa_stats.io import archive, guard
from mappa_stats.io.areas import area_key, areas, district_parents, find_area, suggest_areas

_AGE = re.compile(r"^(?:age_?)?(\d{1,2})(\+|_plus| and over)?$")
_YEAR_COLUMN = re.compile(r"^population_(\d{4})$")
_MID_YEAR = re.compile(r"mid[-_ ]?(\d{4})", re.IGNORECASE)
_CODE_COLUMNS = ("code", "ons_code", "area_code", "geography_code")

# Code prefixes of rows that are sums of other rows (country, region, county, metropolitan county).
AGGREGATE_PREFIXES = ("K02", "K03", "K04", "E92", "W92", "S92", "N92", "E12", "E10", "E11")
LEVELS = {
    "K02": "United Kingdom",
    "K03": "Great Britain",
    "K04": "England and Wales",
    "E92": "country",
    "W92": "country",
    "S92": "country",
    "N92": "country",
    "E12": "region",
    "E10": "county",
    "E11": "metropolitan county",
    "E06": "unitary authority",
    "E07": "district",
    "E08": "metropolitan district",
    "E09": "London borough",
    "W06": "unitary authority",
    "S12": "council area",
    "N09": "district",
}


def roll_up(rows: dict[str, tuple[int, int | None]]) -> None:
    """Add county rows a file lacks, from its districts, when every district of the county is there."""
    children: dict[str, list[str]] = {}
    for child, parent in district_parents().items():
        children.setdefault(parent, []).append(child)
    for parent, kids in children.items():
        if parent in rows or not all(k in rows for k in kids):
            continue
        ten = sum(rows[k][0] for k in kids)
        everyone = [rows[k][1] for k in kids]
        rows[parent] = (ten, sum(x for x in everyone if x is not None) if None not in everyone else None)


@dataclass(frozen=True)
class AreaPopulation:
    """One area's population bases, and where they came from."""

    area: str
    aged_10_plus: int | None
    all_ages: int | None
    codes: tuple[str, ...] = ()


@dataclass
class PopulationFile:
    """Populations by area from one file, with its layout and vintage."""

    path: str
    layout: str
    vintage: str | None
    by_area: dict[str, AreaPopulation] = field(default_factory=dict)
    # An area the file's authorities almost make up: the codes it lacks (Kent without Medway: E06000035).
    lacking: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, name: str) -> AreaPopulation:
        """The population of an area, by MAPPA area or police force name."""
        area = find_area(name)
        key = area.name if area else name
        if key in self.by_area:
            return self.by_area[key]
        for known in self.by_area:
            if area_key(known) == area_key(name):
                return self.by_area[known]
        if key in self.lacking:
            codes = ", ".join(self.lacking[key])
            raise InputError(
                f"{self.path}: area {key!r} cannot be made up: the file lacks {codes}, of the authorities "
                f"{key} is made of; give a file with every local authority"
            )
        hint = suggest_areas(name, self.by_area)
        fix = f"did you mean {hint}?" if hint else "check the spelling or the file"
        raise InputError(
            f"{self.path}: area {name!r} is not in this population file "
            f"({len(self.by_area)} areas found); {fix}"
        )


def _number(text: str, where: str) -> int:
    plain = text.replace(",", "")
    if plain.isascii() and plain.isdigit() and len(plain) <= 20:
        return int(plain)  # the common case, fast: a file of every geography has ~700,000 of these
    cleaned = text.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        if len(cleaned) > 20:  # no population has 20 digits; a longer number is a slip or a forgery
            raise ValueError(cleaned)
        value = float(cleaned)
        if not math.isfinite(value):
            raise ValueError(cleaned)
    except ValueError:
        raise InputError(f"{where}: population {text.strip()!r} is not a number; fix the cell") from None
    if not value.is_integer():
        raise InputError(f"{where}: population {text.strip()!r} is not a whole number of people")
    return int(value)


_HEAD_ROWS = 40  # the header row is looked for among the first rows only


class _Rows:
    """A population file's rows as text: the first rows (for the header and title), then the rest
    one at a time, so a large file is read in bounded memory."""

    def __init__(self, head: list[list[str]], rest: Iterator[list[str]], title: str) -> None:
        self.head = head
        self.rest = rest
        self.title = title

    def after(self, index: int) -> Iterator[tuple[int, list[str]]]:
        """(line number, row) for every non-blank row below the row at `index`."""
        for offset, row in enumerate(self.head[index + 1 :]):
            if any(c.strip() for c in row):
                yield index + 2 + offset, row
        for offset, row in enumerate(self.rest):
            if any(c.strip() for c in row):
                yield len(self.head) + 1 + offset, row


def _rows(path: Path) -> _Rows:
    """The rows of a CSV, or of the best sheet of a workbook, after the input guard's checks."""
    if str(path) == "-":
        raise InputError("-: give the population file as a path")
    display = str(path)
    try:
        data = guard.read_input(path, "population")
    except InputError as exc:
        raise InputError(exc.message.replace("no such file;", "no such population file;")) from None
    if data[:4] == b"PK\x03\x04":
        if archive.check_zip(display, data, "population") != "xlsx":
            raise InputError(
                f"{display}: a zip archive but not an .xlsx workbook; save the population as .xlsx or CSV"
            )
        return _xlsx_rows(path, data)
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: not a CSV or .xlsx population file (binary content)")
    guard.check_text(display, data, "population")
    text = guard.decode_text(display, data)
    del data
    head_text = text[: 256 * 1024]
    delimiter = ";" if head_text.count(";") > head_text.count(",") else ","
    rows = guard.csv_rows(display, text, delimiter, "population")
    head = [row for _, row in zip(range(_HEAD_ROWS), rows, strict=False)]
    return _Rows(head, rows, " ".join(" ".join(r) for r in head[:5]))


def _xlsx_rows(path: Path, data: bytes) -> _Rows:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"{path}: cannot be opened as a workbook ({type(exc).__name__})") from exc
    try:
        best: tuple[int, Any, list[list[str]]] | None = None
        for ws in book.worksheets:
            ws.reset_dimensions()  # the guard checked the real extent; do not pad rows to a stale one
            head = [
                _texts(row) for _, row in zip(range(_HEAD_ROWS), ws.iter_rows(values_only=True), strict=False)
            ]
            score = 0
            if _header_index(head) is not None:
                score = 2 + ("person" in ws.title.lower())
            if best is None or score > best[0]:
                best = (score, ws, head)
        if best is None:
            raise InputError(f"{path}: the workbook has no sheets")
        _, ws, head = best
        # Rows are kept as text, one sheet only; the guard bounded the cells and the used range.
        rest = [_texts(row) for row in ws.iter_rows(min_row=_HEAD_ROWS + 1, values_only=True)]
    except InputError:
        raise
    except Exception as exc:  # read-only parsing is lazy: damage shows up here
        raise InputError(
            f"{path}: cannot be read as a workbook ({type(exc).__name__}); save it again"
        ) from exc
    finally:
        book.close()
    return _Rows(head, iter(rest), ws.title + " " + " ".join(" ".join(r) for r in head[:5]))


def _texts(row: Iterable[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in row]


def _header_index(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:40]):
        cells = {normalize(c).replace(" ", "_") for c in row if c.strip()}
        has_code = bool(cells & set(_CODE_COLUMNS)) or any(c.startswith("ladcode") for c in cells)
        if has_code and ("all_ages" in cells or ("sex" in cells and "age" in cells)):
            return i
        if cells & {"mappa_area", "police_force_area", "area", "pfa", "police_force"} and (
            cells & {"aged_10_plus", "all_ages", "population_aged_10_plus", "aged_10+"} or "age_10" in cells
        ):
            return i
    return None


def _columns(header: list[str]) -> dict[str, int]:
    return {normalize(h).replace(" ", "_"): i for i, h in enumerate(header) if h.strip()}


def _ages(header: list[str]) -> dict[int, int]:
    """Column index of each single year of age (90 meaning 90 and over)."""
    out = {}
    for i, h in enumerate(header):
        found = _AGE.match(normalize(h).replace(" ", "_"))
        if found:
            out[int(found.group(1))] = i
    return out


def read_population(path: Path, mid_year: int | None = None) -> PopulationFile:
    """Read a population file in any of the three layouts into populations by MAPPA area."""
    rows = _rows(path)
    title = rows.title
    at = _header_index(rows.head)
    if at is None:
        raise InputError(
            f"{path}: not a population file mappa-stats knows: no header row with Code, Name and All ages "
            "(ONS MYE2), code/sex/age/population_YYYY (ONS long), or a MAPPA area column with a population "
            "(area table); see docs/population.md"
        )
    header = rows.head[at]
    cols = _columns(header)
    vintage_match = _MID_YEAR.search(title) or _MID_YEAR.search(path.name)
    vintage = f"mid-{vintage_match.group(1)}" if vintage_match else None
    body = rows.after(at)
    if "sex" in cols and "age" in cols:
        return _long(path, header, cols, body, mid_year)
    if mid_year is not None:
        if vintage is not None and vintage != f"mid-{mid_year}":
            raise InputError(
                f"{path}: the file says it is the {vintage} estimate, not mid-{mid_year}; give the "
                f"mid-{mid_year} file, or leave out --mid-year"
            )
        vintage = f"mid-{mid_year}"  # the user says which estimate a file with no title is
    if "all_ages" in cols and any(k in cols for k in _CODE_COLUMNS):
        return _mye2(path, header, cols, body, vintage)
    return _area_table(path, header, cols, body, vintage)


def _code_rows(
    path: Path, rows: dict[str, tuple[int, int | None]], layout: str, vintage: str | None
) -> PopulationFile:
    """Build areas from code → (aged 10+, all ages) using each area's first complete code set."""
    result = PopulationFile(str(path), layout, vintage)
    rows = dict(rows)
    roll_up(rows)
    for area in areas():
        for codes in area.geographies:
            if all(code in rows for code in codes):
                ten = sum(rows[c][0] for c in codes)
                everyone = [rows[c][1] for c in codes]
                all_ages = (
                    sum(x for x in everyone if x is not None)
                    if all(x is not None for x in everyone)
                    else None
                )
                result.by_area[area.name] = AreaPopulation(area.name, ten, all_ages, codes)
                break
        else:
            # Which authorities it lacks, of the code set it comes closest to (most of its codes present).
            best = max(area.geographies, key=lambda codes: sum(code in rows for code in codes), default=())
            if any(code in rows for code in best):
                result.lacking[area.name] = tuple(code for code in best if code not in rows)
    if not result.by_area:
        levels = sorted({LEVELS.get(code[:3], code[:3]) for code in rows})
        if rows and all(code.startswith(AGGREGATE_PREFIXES[:9]) for code in rows):
            raise InputError(
                f"{path}: only aggregate rows ({', '.join(levels)}); a MAPPA area needs its county and "
                "unitary authority rows"
            )
        raise InputError(
            f"{path}: no MAPPA area could be built: the file lacks the county and unitary authority codes "
            f"of every area (levels found: {', '.join(levels) or 'none'})"
        )
    return result


def _ten_plus(row: list[str], header: list[str], ages: dict[int, int], ten_at: int | None, where: str) -> int:
    """People aged 10 and over: the aged_10_plus column, or the sum of single years 10 … 90+."""
    if ten_at is not None:
        return _number(row[ten_at], f"{where} (aged_10_plus)")
    return sum(_number(row[i], f"{where} ({header[i].strip()})") for age, i in ages.items() if age >= 10)


def _mye2(
    path: Path,
    header: list[str],
    cols: dict[str, int],
    body: Iterable[tuple[int, list[str]]],
    vintage: str | None,
) -> PopulationFile:
    code_at = next(cols[k] for k in _CODE_COLUMNS if k in cols)
    ages = {age: i for age, i in _ages(header).items() if age >= 10}
    ten_at = cols.get("aged_10_plus")
    if not ages and ten_at is None:
        raise InputError(
            f"{path}: the header has no single-year age columns (0 … 90+) and no aged_10_plus column; "
            "ages are needed to count people aged 10 and over"
        )
    everyone_at = cols["all_ages"]
    columns_needed = [everyone_at, *ages.values()] + ([ten_at] if ten_at is not None else [])
    rows: dict[str, tuple[int, int | None]] = {}
    for line, row in body:
        if len(row) <= max(columns_needed) or not row[code_at].strip():
            continue
        code = row[code_at].strip()
        where = f"{path}:{line}"
        ten = _ten_plus(row, header, ages, ten_at, where)
        everyone = _number(row[everyone_at], f"{where} (All ages)")
        for value in (everyone, ten):
            if value <= 0:
                raise InputError(f"{where}: population of {code} is {value}; a population must be above zero")
        if code in rows:
            raise InputError(f"{where}: {code} appears twice; keep one row per geography")
        rows[code] = (ten, everyone)
    return _code_rows(path, rows, "ONS MYE2", vintage)


def _long(
    path: Path,
    header: list[str],
    cols: dict[str, int],
    body: Iterable[tuple[int, list[str]]],
    mid_year: int | None,
) -> PopulationFile:
    years = {int(m.group(1)): i for h, i in cols.items() if (m := _YEAR_COLUMN.match(h))}
    if not years:
        raise InputError(f"{path}: the long layout needs population_YYYY columns; none found")
    year = mid_year or max(years)
    if year not in years:
        raise InputError(
            f"{path}: no population_{year} column; the file has {', '.join(map(str, sorted(years)))}"
        )
    code_at = next(i for h, i in cols.items() if h in ("code", "area_code") or h.startswith("ladcode"))
    age_at, value_at = cols["age"], years[year]
    totals: dict[str, list[int]] = {}
    for line, row in body:
        row = row + [""] * (len(header) - len(row))  # a short row names its empty cell, not an IndexError
        code = row[code_at].strip()
        age_text = normalize(row[age_at]).rstrip("+")
        try:
            age = int(age_text)
        except ValueError:
            raise InputError(f"{path}:{line}: age {row[age_at]!r} is not a whole number") from None
        value = _number(row[value_at], f"{path}:{line} (population_{year})")
        if value < 0:
            raise InputError(f"{path}:{line}: population {value} is negative")
        pair = totals.setdefault(code, [0, 0])
        pair[1] += value  # sexes are summed
        if age >= 10:
            pair[0] += value
    rows: dict[str, tuple[int, int | None]] = {}
    for code, (ten, everyone) in totals.items():
        if everyone <= 0:
            raise InputError(f"{path}: population of {code} adds up to {everyone}; it must be above zero")
        rows[code] = (ten, everyone)
    return _code_rows(path, rows, "ONS long", f"mid-{year}")


def _area_table(
    path: Path,
    header: list[str],
    cols: dict[str, int],
    body: Iterable[tuple[int, list[str]]],
    vintage: str | None,
) -> PopulationFile:
    name_at = next(
        cols[k] for k in ("mappa_area", "police_force_area", "area", "pfa", "police_force") if k in cols
    )
    ten_at = next(
        (cols[k] for k in ("aged_10_plus", "population_aged_10_plus", "aged_10+") if k in cols), None
    )
    all_at = cols.get("all_ages")
    ages = _ages(header)
    if ten_at is None and not (9 in ages and 10 in ages) and all_at is None:
        raise InputError(
            f"{path}: no population column (aged_10_plus, all_ages or age_0 … age_90_plus) found"
        )
    result = PopulationFile(str(path), "area table", vintage)
    for line, row in body:
        row = row + [""] * (len(header) - len(row))  # a short row names its empty cell, not an IndexError
        name = row[name_at].strip()
        if not name or name.upper().startswith(("ENGLAND", "WALES", "TOTAL")):
            continue  # check lines for the national total
        where = f"{path}:{line}"
        if ten_at is not None:
            ten: int | None = _number(row[ten_at], f"{where} (aged_10_plus)")
        elif 10 in ages:
            ten = sum(
                _number(row[i], f"{where} ({header[i].strip()})") for age, i in ages.items() if age >= 10
            )
        else:
            ten = None
        everyone = _number(row[all_at], f"{where} (all_ages)") if all_at is not None else None
        for value in (ten, everyone):
            if value is not None and value <= 0:
                raise InputError(f"{where}: population of {name} is {value}; a population must be above zero")
        area = find_area(name)
        key = area.name if area else name
        if key in result.by_area:
            raise InputError(f"{where}: {name!r} appears twice; keep one row per area")
        result.by_area[key] = AreaPopulation(key, ten, everyone)
    if not result.by_area:
        raise InputError(f"{path}: no area rows below the header")
    return result


@dataclass(frozen=True)
class NationalRow:
    """The file's own England and Wales row: what the areas must add up to."""

    aged_10_plus: int | None
    all_ages: int | None
    where: str  # the file and line it was read from


def england_and_wales(path: Path) -> NationalRow | None:
    """The England and Wales row of a population file (code K04000001, or a name starting 'England and
    Wales'), or None when the file has none; an area table's own sum line is used only without the ONS row."""
    rows = _rows(path)
    at = _header_index(rows.head)
    if at is None:
        return None
    header = rows.head[at]
    cols = _columns(header)
    code_at = next((cols[k] for k in _CODE_COLUMNS if k in cols), None)
    name_at = next(
        (
            cols[k]
            for k in ("name", "mappa_area", "police_force_area", "area", "pfa", "police_force")
            if k in cols
        ),
        None,
    )
    ages = {age: i for age, i in _ages(header).items() if age >= 10}
    ten_at = next(
        (cols[k] for k in ("aged_10_plus", "population_aged_10_plus", "aged_10+") if k in cols), None
    )
    all_at = cols.get("all_ages")
    if "sex" in cols and "age" in cols:
        return None  # the long layout has no England and Wales row of its own
    found: NationalRow | None = None
    for line, row in rows.after(at):
        row = row + [""] * (len(header) - len(row))
        code = row[code_at].strip() if code_at is not None else ""
        name = normalize(row[name_at]) if name_at is not None else ""
        ons_row = code == ENGLAND_AND_WALES_CODE or any(c.strip() == ENGLAND_AND_WALES_CODE for c in row)
        if not ons_row and not name.startswith("england and wales"):
            continue
        where = f"{path}:{line}"
        ten = _ten_plus(row, header, ages, ten_at, where) if ten_at is not None or ages else None
        everyone = _number(row[all_at], f"{where} (all_ages)") if all_at is not None else None
        candidate = NationalRow(ten, everyone, where)
        if ons_row:
            return candidate
        found = found or candidate
    return found
