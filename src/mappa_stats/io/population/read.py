"""Population files: the populations of the MAPPA areas, aged 10 and over and all ages, read from ONS files.

Three layouts are read, detected from the header row: the ONS MYE2 table (one row per geography,
Code, Name, [Geography], All ages, 0 … 89, 90+), the ONS long layout (code, name, sex, age,
population_YYYY …) and an area table (one row per MAPPA area with a population aged 10+, all ages or
single years of age). MYE2 files hold aggregate rows (country, region, county): an area is always the
sum of its own upper-tier authorities, never of every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mappa_stats.definitions.constants import ENGLAND_AND_WALES_CODE
from mappa_stats.definitions.templates import normalize
from mappa_stats.errors import InputError
from mappa_stats.io.areas import areas, district_parents, find_area
from mappa_stats.io.population.model import (
    AGGREGATE_PREFIXES,
    LEVELS,
    AreaPopulation,
    NationalRow,
    PopulationFile,
)
from mappa_stats.io.population.rows import CODE_COLUMNS, columns, header_index, number, read_rows
from mappa_stats.io.population.rows import ages as age_columns
from mappa_stats.numbers import count

_YEAR_COLUMN = re.compile(r"^population_(\d{4})$", re.ASCII)
_LOCAL_AUTHORITIES = ("E06", "E07", "E08", "E09", "W06")
_LONDON = "E12000007"
_GSS_CODE = re.compile(r"^[A-Z]\d{8}$")
_MID_YEAR = re.compile(r"mid[-_ ]?(\d{4})", re.IGNORECASE)


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


def read_population(path: Path, mid_year: int | None = None) -> PopulationFile:
    """Read a population file in any of the three layouts into populations by MAPPA area."""
    rows = read_rows(path)
    title = rows.title
    at = header_index(rows.head)
    if at is None:
        raise InputError(
            f"{path}: not a population file mappa-stats knows: no header row with Code, Name and All ages "
            "(ONS MYE2), code/sex/age/population_YYYY (ONS long), or a MAPPA area column with a population "
            "(area table); see docs/population.md"
        )
    header = rows.head[at]
    cols = columns(header)
    vintage = _vintage(path, title, rows.sheet)
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
    if "all_ages" in cols and any(k in cols for k in CODE_COLUMNS):
        return _mye2(path, header, cols, body, vintage, rows.sheet)
    return _area_table(path, header, cols, body, vintage)


def _vintage(path: Path, title: str, sheet: str) -> str | None:
    """The mid-year the file's title (else its name) says it is; two mid-years in the title are refused."""
    years = sorted(set(_MID_YEAR.findall(title)))
    if len(years) > 1:
        where = f"{path} (sheet {sheet!r})" if sheet else str(path)
        raise InputError(
            f"{where}: the title names two mid-years ({', '.join('mid-' + y for y in years)}); give a "
            "file of one mid-year, as ONS publishes it"
        )
    found = years[0] if years else next(iter(_MID_YEAR.findall(path.name)), None)
    return f"mid-{found}" if found else None


def _is_note(row: list[str], code_at: int, needed: list[int]) -> bool:
    """A line of words below or beside the table ("Source: Office for National Statistics", "1. Further
    information …", a footnote's number beside its words), or a row without a code: skipped. A row holding
    a GSS code, a figure where a population goes, or figures alone is an area's row, however short ('123'
    alone is one that lost its columns), and is read or refused."""
    cells = [c.strip() for c in row]
    code = cells[code_at] if code_at < len(cells) else ""
    if not code:
        return True
    if _GSS_CODE.match(code) or any(i < len(cells) and cells[i] for i in needed):
        return False
    return any(count(c)[0] is None for c in cells if c)


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
        return number(row[ten_at], f"{where} (aged_10_plus)")
    return sum(number(row[i], f"{where} ({header[i].strip()})") for age, i in ages.items() if age >= 10)


def _mye2(
    path: Path,
    header: list[str],
    cols: dict[str, int],
    body: Iterable[tuple[int, list[str]]],
    vintage: str | None,
    sheet: str = "",
) -> PopulationFile:
    code_at = next(cols[k] for k in CODE_COLUMNS if k in cols)
    ages = {age: i for age, i in age_columns(header).items() if age >= 10}
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
        if _is_note(row, code_at, columns_needed):
            continue
        where = f"{path} (sheet {sheet!r}, row {line})" if sheet else f"{path}:{line}"
        if len(row) <= max(columns_needed):
            raise InputError(
                f"{where}: the row has {len(row)} of the header's {len(header)} cells; complete the row or "
                "delete it"
            )
        code = row[code_at].strip()
        ten = _ten_plus(row, header, ages, ten_at, where)
        everyone = number(row[everyone_at], f"{where} (All ages)")
        for value in (everyone, ten):
            if value <= 0:
                raise InputError(f"{where}: population of {code} is {value}; a population must be above zero")
        if code in rows:
            raise InputError(f"{where}: {code} appears twice; keep one row per geography")
        rows[code] = (ten, everyone)
    result = _code_rows(path, rows, "ONS MYE2", vintage)
    _adds_up(path, rows, result)
    return result


def _adds_up(path: Path, rows: dict[str, tuple[int, int | None]], result: PopulationFile) -> None:
    """With all 42 areas built and the file's England and Wales row there, the areas must add up to it
    exactly: else a local authority is in no area (a code of a vintage mappa-stats does not know), and no
    rate may divide by a partial area. The codes no area holds are named."""
    national = rows.get(ENGLAND_AND_WALES_CODE)
    if national is None or len(result.by_area) < len(areas()):
        return
    total = sum(p.aged_10_plus or 0 for p in result.by_area.values())
    if total == national[0]:
        return
    placed = {code for p in result.by_area.values() for code in p.codes}
    parents = district_parents()
    unplaced = sorted(
        code
        for code in rows
        if code[:3] in _LOCAL_AUTHORITIES
        and code not in placed
        and parents.get(code) not in placed
        and not (code.startswith("E09") and _LONDON in placed)
    )
    shown = ", ".join(unplaced[:8]) + (" …" if len(unplaced) > 8 else "")
    raise InputError(
        f"{path}: the 42 MAPPA areas add up to {total:,} people aged 10 and over, but the file's England "
        f"and Wales row says {national[0]:,}; local authorities in no MAPPA area: {shown or 'none found'}; "
        "a code of a vintage mappa-stats does not know: give the file of the year's ONS release, or an area "
        "table (docs/population.md)"
    )


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
        value = number(row[value_at], f"{path}:{line} (population_{year})")
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
    ages = age_columns(header)
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
            ten: int | None = number(row[ten_at], f"{where} (aged_10_plus)")
        elif 10 in ages:
            ten = sum(
                number(row[i], f"{where} ({header[i].strip()})") for age, i in ages.items() if age >= 10
            )
        else:
            ten = None
        everyone = number(row[all_at], f"{where} (all_ages)") if all_at is not None else None
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


def england_and_wales(path: Path) -> NationalRow | None:
    """The England and Wales row of a population file (code K04000001, or a name starting 'England and
    Wales'), or None when the file has none; an area table's own sum line is used only without the ONS row."""
    rows = read_rows(path)
    at = header_index(rows.head)
    if at is None:
        return None
    header = rows.head[at]
    cols = columns(header)
    code_at = next((cols[k] for k in CODE_COLUMNS if k in cols), None)
    name_at = next(
        (
            cols[k]
            for k in ("name", "mappa_area", "police_force_area", "area", "pfa", "police_force")
            if k in cols
        ),
        None,
    )
    ages = {age: i for age, i in age_columns(header).items() if age >= 10}
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
        everyone = number(row[all_at], f"{where} (all_ages)") if all_at is not None else None
        candidate = NationalRow(ten, everyone, where)
        if ons_row:
            return candidate
        found = found or candidate
    return found
