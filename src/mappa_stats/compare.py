"""Compare figures over years and between releases: changes, large changes, revisions, the claims made.

Inputs are any of an area's files (workbook, the Ministry's return, tidy CSV, the published report) or the
long CSV `combine` writes (`area,year,field,value` and an optional `release`). Every figure becomes an
Observation (area, year, field code, value, release); each area is then compared on its own:
- year by year, the key figures with their change and percentage change, a change large for its size
  flagged (docs/compare.md: the thresholds and why), and a rate that falls while the count rises named as a
  change of population base, with the population each year implies;
- release by release, the same area, year and field given twice: a different value is a revision
  ("revised from X to Y (release A → B)"), the same value confirmed, identical files a duplicate.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from mappa_stats.errors import InputError
from mappa_stats.rules.claims import (
    NATIONAL,
    POPULATION_FIELD,
    Claim,
    ClaimResult,
    canonical_area,
    check_claims,
    year_fields,
)


@dataclass(frozen=True)
class Thresholds:
    """When a change from one year to the next is large for its size (docs/compare.md).

    A change is large when it is a rise of at least `rise` per cent or a fall of at least `fall` per cent,
    and more than `noise` × √(the earlier figure): a count's ordinary year-to-year spread grows like its
    square root, so 4 → 7 in a small category is not flagged while 1,560 → 2,080 is."""

    rise: float = 25.0
    fall: float = 15.0
    noise: float = 3.0

    def large(self, before: float, after: float) -> bool:
        """True when before → after is a large change."""
        if before <= 0:
            return False
        percent = (after - before) * 100 / before
        beyond_noise = abs(after - before) > self.noise * math.sqrt(before)
        return beyond_noise and (percent >= self.rise or percent <= -self.fall)


def parse_threshold(text: str) -> Thresholds:
    """'--threshold 20' (rise and fall) or '25,15' (rise, fall), in per cent; InputError otherwise."""
    parts = [p.strip().rstrip("%").strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2) or any(not (0 < n <= 1000) for n in numbers):
        raise InputError(
            f"--threshold {text!r}: give one percentage for rises and falls (20), or a rise and a fall "
            "(25,15), each above 0"
        )
    rise, fall = numbers[0], numbers[-1]
    return Thresholds(rise=rise, fall=fall)


class Observation(NamedTuple):
    """One figure of one area and year, from one release (a tuple: a national file holds many)."""

    area: str
    year: str
    field: str
    value: float
    release: str
    source: str  # 'kent_2015.xlsx' or 'national.csv:12'


@dataclass(frozen=True)
class Input:
    """One file read: what it was, and the releases, areas and years it held."""

    path: str
    kind: str  # 'long CSV' or the area reader's form ('xlsx', 'csv', 'ods', 'pdf', 'report-text')
    releases: tuple[str, ...]
    areas: tuple[str, ...]
    years: tuple[str, ...]
    # Field codes of a long CSV that no definition of their year has (a form this release does not know,
    # such as a return of the National Security Division): not compared, and said so.
    unknown_fields: tuple[str, ...] = ()
    unknown_count: int = 0


@dataclass(frozen=True)
class Change:
    """A key figure from one year to the next."""

    field: str
    from_year: str
    year: str
    before: float
    after: float
    large: bool

    @property
    def change(self) -> float:
        """After minus before."""
        return self.after - self.before

    @property
    def percent(self) -> float | None:
        """The percentage change, or None from 0."""
        return None if self.before == 0 else self.change * 100 / self.before


@dataclass(frozen=True)
class Revision:
    """The same area, year and field with a different value in a later release."""

    year: str
    field: str
    before: float
    after: float
    from_release: str
    to_release: str


@dataclass(frozen=True)
class Confirmed:
    """Figures of one year given in two releases with the same values."""

    year: str
    from_release: str
    to_release: str
    fields: int
    duplicate: bool  # every figure the same and no figure added or dropped: a duplicate, not a revision


@dataclass(frozen=True)
class BaseChange:
    """The rate fell while the RSO count rose: the population it divides by changed."""

    from_year: str
    year: str
    rate_before: float
    rate_after: float
    rsos_before: float
    rsos_after: float
    population_before: float
    population_after: float
    implied: bool  # populations worked out from the (rounded) rates, not given


@dataclass
class AreaComparison:
    """Everything compare says about one area."""

    area: str
    years: tuple[str, ...]
    values: dict[str, dict[str, float]]  # field → year → the latest release's value
    changes: list[Change] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    confirmed: list[Confirmed] = field(default_factory=list)
    base_changes: list[BaseChange] = field(default_factory=list)
    key: tuple[tuple[str, str], ...] = ()  # (field code, label) of the key figures of its years

    @property
    def large_changes(self) -> list[Change]:
        """The changes large for their size."""
        return [c for c in self.changes if c.large]


@dataclass
class Comparison:
    """The result of compare: per area, the claims, and notes on how the inputs were read."""

    inputs: list[Input]
    areas: list[AreaComparison]
    thresholds: Thresholds
    claims: list[ClaimResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Claims that do not reproduce, revisions and large changes: each fails the comparison."""
        return sum(1 for c in self.claims if c.failed) + sum(
            len(a.revisions) + len(a.large_changes) for a in self.areas
        )

    @property
    def warnings(self) -> int:
        """Claims that cannot be checked, changes of population base, and files whose field codes were not
        all known (figures not compared): a person should look."""
        from mappa_stats.rules.claims import NOT_CHECKED

        return (
            sum(1 for c in self.claims if c.status == NOT_CHECKED)
            + sum(len(a.base_changes) for a in self.areas)
            + sum(1 for i in self.inputs if i.unknown_count)
        )

    def status(self, strict: bool = False) -> str:
        """'fail' or 'pass'; strict fails warnings too."""
        return "fail" if self.errors or (strict and self.warnings) else "pass"


# --- reading -------------------------------------------------------------------------------------------

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
    from mappa_stats.definitions.templates import available_years, load_template
    from mappa_stats.io import guard

    display = guard.display_name(path)
    guard.check_text(display, data, "population")
    text = guard.decode_text(display, data)
    rows = guard.csv_rows(display, text, ",", "population")
    header = [h.strip().casefold() for h in next(rows)]
    at = {name: header.index(name) for name in (*LONG_COLUMNS, "release") if name in header}
    years = available_years()
    from mappa_stats.definitions.templates import form_years

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
    from mappa_stats.io import guard
    display = guard.display_name(path)
    if str(path) != "-":
        data = guard.read_input(path, "population")
        if not data.startswith((b"PK", b"%PDF", b"\xd0\xcf")) and _long_header(data) is not None:
            return read_long(path, data)
    from mappa_stats.io.readers import read_area
    from mappa_stats.rules.claims import area_figures

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


# --- comparing -----------------------------------------------------------------------------------------


def _releases(observations: Sequence[Observation]) -> dict[str, dict[str, float]]:
    """Release → field → value, releases in the order they were given."""
    out: dict[str, dict[str, float]] = {}
    for o in observations:
        out.setdefault(o.release, {})[o.field] = o.value
    return out


def compare_area(area: str, observations: Sequence[Observation], thresholds: Thresholds) -> AreaComparison:
    """One area: its figures year by year, its revisions between releases, its changes of population base."""
    by_year: dict[str, list[Observation]] = {}
    for o in observations:
        by_year.setdefault(o.year, []).append(o)
    years = tuple(sorted(by_year))
    values: dict[str, dict[str, float]] = {}
    result = AreaComparison(area, years, values)
    for year in years:
        releases = _releases(by_year[year])
        names = list(releases)
        for earlier, later in itertools.pairwise(names):
            old, new = releases[earlier], releases[later]
            common = [code for code in old if code in new]
            revised = [code for code in common if old[code] != new[code]]
            for code in revised:
                result.revisions.append(Revision(year, code, old[code], new[code], earlier, later))
            if common and not revised:
                result.confirmed.append(
                    Confirmed(year, earlier, later, len(common), duplicate=set(old) == set(new))
                )
            elif len(common) > len(revised):
                result.confirmed.append(Confirmed(year, earlier, later, len(common) - len(revised), False))
        for figures in releases.values():  # the latest release of a figure stands in the series
            for code, value in figures.items():
                values.setdefault(code, {})[year] = value
    labels: dict[str, str] = {}
    for year in years:  # the key figures of every year given, in the order the definitions give them
        for code, label in year_fields(year).key:
            labels.setdefault(code, label)
        for code, label in _category4_key(year):  # the NSD's, and the national Category 4, when given
            if code in values:
                labels.setdefault(code, label)
    result.key = tuple(labels.items())
    for code in labels:
        series = values.get(code, {})
        present = [y for y in years if y in series]
        for before, after in itertools.pairwise(present):
            a, b = series[before], series[after]
            result.changes.append(Change(code, before, after, a, b, thresholds.large(a, b)))
    rates: dict[str, float] = {}
    rsos: dict[str, float] = {}
    for year in years:
        fields = year_fields(year)
        rate, count = values.get(fields.rate, {}).get(year), values.get(fields.rsos, {}).get(year)
        if rate is not None and count is not None and rate > 0:
            rates[year], rsos[year] = rate, count
    pops = values.get(POPULATION_FIELD, {})
    for before, after in itertools.pairwise(list(rates)):
        if rates[after] < rates[before] and rsos[after] > rsos[before]:
            # Both years' populations as given, or both implied: never one of each in a comparison.
            given = before in pops and after in pops
            result.base_changes.append(
                BaseChange(
                    before,
                    after,
                    rates[before],
                    rates[after],
                    rsos[before],
                    rsos[after],
                    pops[before] if given else rsos[before] * 100_000 / rates[before],
                    pops[after] if given else rsos[after] * 100_000 / rates[after],
                    not given,
                )
            )
    return result


def _count_fields(year: str) -> set[str]:
    """The field codes of a year (an area's and the NSD's) whose cells hold counts."""
    from mappa_stats.definitions.templates import form_years, load_template

    forms = [load_template(year)] + ([load_template(year, "nsd")] if year in form_years("nsd") else [])
    return {
        table.fields[(row.id, column.id)]
        for template in forms
        for table, row, column in template.cells()
        if table.cell_value_type(row.id) == "count"
    }


def _category4_key(year: str) -> list[tuple[str, str]]:
    """Category 4's key figures (from 2022-23, the National Security Division's definition): its 31 March
    total and its yearly Level 2 and 3 total, by the totals of its first two tables."""
    from mappa_stats.definitions.templates import form_years, load_template

    if year not in form_years("nsd"):
        return []
    template = load_template(year, "nsd")
    out = []
    for table, when in zip(template.tables[:2], ("31 March", "in the year"), strict=True):
        total = next(r for r in table.rows if r.is_total)
        column = table.columns[0]
        out.append((table.fields[(total.id, column.id)], f"{column.short}, {when}"))
    return out


def compare(
    paths: Sequence[Path],
    *,
    year: str | None = None,
    thresholds: Thresholds | None = None,
    claims: Sequence[Claim] = (),
) -> Comparison:
    """Read every file, compare each area on its own, and check the claims against the latest figures."""
    thresholds = thresholds or Thresholds()
    observations: list[Observation] = []
    inputs: list[Input] = []
    first_seen: dict[tuple[str, str, str, str], tuple[float, str]] = {}
    for number, path in enumerate(paths, start=1):
        found, info = read_file(path, year)
        if info.kind != "long CSV" and any(info.releases[0] in i.releases for i in inputs):
            # Two files of one name (or one file given twice) stay two releases, so that a duplicate is
            # said to be one rather than silently merged.
            release = f"{info.releases[0]} (file {number})"
            found = [o._replace(release=release) for o in found]
            info = Input(info.path, info.kind, (release,), info.areas, info.years)
        for o in found:
            key = (o.area, o.year, o.field, o.release)
            earlier = first_seen.setdefault(key, (o.value, o.source))
            if earlier[0] != o.value:
                raise InputError(
                    f"{o.source}: {o.area} {o.year} {o.field} is {o.value:g} in release {o.release!r} here "
                    f"but {earlier[0]:g} in the same release at {earlier[1]}; name the releases apart"
                )
        observations.extend(found)
        inputs.append(info)
    by_area: dict[str, list[Observation]] = {}
    for o in observations:
        by_area.setdefault(o.area, []).append(o)
    notes = []
    area_files = [i for i in inputs if i.kind != "long CSV"]
    named = sorted({a for i in area_files for a in i.areas})
    if len(named) > 1:
        notes.append(
            f"the files are about {len(named)} areas ({', '.join(named)}): each area is compared on its own"
        )
    for i in inputs:
        if i.unknown_count:
            codes = ", ".join(i.unknown_fields[:5]) + (" …" if len(i.unknown_fields) > 5 else "")
            notes.append(
                f"{i.path}: {i.unknown_count:,} figure{'s' * (i.unknown_count != 1)} of field codes no "
                f"definition of their year has ({codes}) {'was' if i.unknown_count == 1 else 'were'} not "
                "compared"
            )
    order = sorted(by_area, key=lambda a: (a == NATIONAL, a))
    areas = [compare_area(a, by_area[a], thresholds) for a in order]
    # A release that revised any area's figures is a revision, not a duplicate, for every area it holds:
    # the areas it left unchanged are confirmed.
    revising = {(r.year, r.from_release, r.to_release) for a in areas for r in a.revisions}
    for a in areas:
        a.confirmed[:] = [
            replace(c, duplicate=False) if (c.year, c.from_release, c.to_release) in revising else c
            for c in a.confirmed
        ]
    figures = {(a.area, y, code): v for a in areas for code, ys in a.values.items() for y, v in ys.items()}
    results = check_claims(claims, figures) if claims else []
    return Comparison(inputs, areas, thresholds, results, notes)


def exit_code(result: Comparison, strict: bool = False) -> int:
    """0 nothing to act on; 1 a claim does not reproduce, a figure was revised or changed a lot (or, with
    strict, a warning)."""
    return 1 if result.status(strict) == "fail" else 0


# --- rendering -----------------------------------------------------------------------------------------

COMPARE_SCHEMA_VERSION = "1.0"
FORMATS = ("text", "markdown", "json", "csv")


def _n(value: float | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _signed(value: float) -> str:
    return f"{int(value):+,}" if float(value).is_integer() else f"{value:+,.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{Decimal(repr(value)).quantize(Decimal('0.1')):+}%"


def change_line(area: AreaComparison, c: Change) -> str:
    """'Kent Category 1 (RSOs), 31 March 2014-15 → 2015-16: 1,560 → 2,080 (+520, +33.3%)'."""
    return (
        f"{area.area} {dict(area.key).get(c.field, c.field)} ({c.field}) {c.from_year} → {c.year}: "
        f"{_n(c.before)} → "
        f"{_n(c.after)} ({_signed(c.change)}, {_pct(c.percent)})"
    )


def revision_line(area: str, r: Revision) -> str:
    """'Kent 2014-15 CAT1TOT revised from 1,560 to 1,561 (release a.xlsx → b.xlsx)'."""
    return (
        f"{area} {r.year} {r.field} revised from {_n(r.before)} to {_n(r.after)} "
        f"(release {r.from_release} → {r.to_release})"
    )


def confirmed_line(area: str, c: Confirmed) -> str:
    """'Kent 2014-15: 41 figures unrevised (release a → b)' or the duplicate's line."""
    if c.duplicate:
        return (
            f"{area} {c.year}: release {c.to_release} repeats {c.from_release} ({c.fields} figures "
            "identical): a duplicate, not a revision"
        )
    figures = f"{c.fields} figure{'s' * (c.fields != 1)}"
    return f"{area} {c.year}: {figures} unrevised (release {c.from_release} → {c.to_release})"


def base_line(area: str, b: BaseChange) -> str:
    """The rate fell while Category 1 rose: name the population each year implies."""
    how = "implied by the rates about" if b.implied else "aged 10+"
    return (
        f"{area} {b.from_year} → {b.year}: the rate fell from {_n(b.rate_before)} to {_n(b.rate_after)} "
        f"while Category 1 rose from {_n(b.rsos_before)} to {_n(b.rsos_after)}: a change of population base "
        f"(population {how} {round(b.population_before):,} → {round(b.population_after):,})"
    )


def _lines(result: Comparison) -> list[tuple[str, str, str]]:
    """(label, severity, line) for everything to act on or know, area by area, then the claims."""
    from mappa_stats.rules.claims import DOES_NOT, NOT_CHECKED

    out: list[tuple[str, str, str]] = []
    for a in result.areas:
        out += [("LARGE CHANGE", "error", change_line(a, c)) for c in a.large_changes]
        out += [("REVISED", "error", revision_line(a.area, r)) for r in a.revisions]
        out += [("BASE CHANGE", "warning", base_line(a.area, b)) for b in a.base_changes]
        out += [
            ("DUPLICATE" if c.duplicate else "CONFIRMED", "info", confirmed_line(a.area, c))
            for c in a.confirmed
        ]
    for c in result.claims:
        label, severity = {
            DOES_NOT: ("CLAIM WRONG", "error"),
            NOT_CHECKED: ("NOT CHECKED", "warning"),
        }.get(c.status, ("CLAIM OK", "info"))
        out.append((label, severity, c.message))
    return out


def _table(a: AreaComparison) -> tuple[list[str], list[list[str]]]:
    """The key figures of an area, one row each, a column per year: value (change, % change)."""
    headers = ["Figure", *a.years]
    rows = []
    for code, label in a.key:
        series = a.values.get(code)
        if not series:
            continue
        row = [label]
        previous: float | None = None
        for year in a.years:
            value = series.get(year)
            cell = _n(value)
            if value is not None and previous is not None:
                percent = None if previous == 0 else (value - previous) * 100 / previous
                cell += f" ({_signed(value - previous)}, {_pct(percent)})" if percent is not None else ""
            row.append(cell)
            previous = value if value is not None else previous
        rows.append(row)
    return headers, rows


def _verdict(result: Comparison, strict: bool) -> str:
    years = sorted({y for a in result.areas for y in a.years})
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else years[0] if years else "no year"
    head = f"{len(result.areas)} area{'s' * (len(result.areas) != 1)}, {span}, from {len(result.inputs)} file"
    head += "s" * (len(result.inputs) != 1)
    if result.status(strict) == "pass":
        return f"{head}: PASS — no revision, no large change, every claim checked reproduces" + (
            f" ({result.warnings} warning{'s' * (result.warnings != 1)})" if result.warnings else ""
        )
    return (
        f"{head}: FAIL — {result.errors} to correct or confirm, "
        f"{result.warnings} warning{'s' * (result.warnings != 1)}"
    )


def render_text(result: Comparison, strict: bool = False) -> str:
    """The terminal report: verdict, notes, each area's table, then one line per thing to know."""
    from tabulate import tabulate

    from mappa_stats.safetext import terminal

    blocks = [terminal(_verdict(result, strict))]
    blocks += [terminal(f"Note: {n}") for n in result.notes]
    for a in result.areas:
        headers, rows = _table(a)
        if rows:
            body = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
            blocks.append(terminal(a.area) + "\n" + terminal(body, lines=True))
    lines = _lines(result)
    if lines:
        width = max(len(label) for label, _, _ in lines)
        blocks.append("\n".join(terminal(f"{label:<{width}}  {line}") for label, _, line in lines))
    t = result.thresholds
    blocks.append(
        f"Large change: a rise of {t.rise:g}% or a fall of {t.fall:g}% or more, and more than "
        f"{t.noise:g} × √(the earlier figure) (--threshold to change)"
    )
    return "\n\n".join(blocks) + "\n"


def render_markdown(result: Comparison, strict: bool = False) -> str:
    """A Markdown section per area and a table of what to act on."""
    from tabulate import tabulate

    from mappa_stats.safetext import markdown

    parts = ["# MAPPA figures compared", f"**{markdown(_verdict(result, strict))}**"]
    parts += [f"Note: {markdown(n)}" for n in result.notes]
    for a in result.areas:
        headers, rows = _table(a)
        if rows:
            parts.append(f"## {markdown(a.area)}")
            cells = [[markdown(c) for c in row] for row in rows]
            headers = [markdown(h) for h in headers]
            parts.append(tabulate(cells, headers=headers, tablefmt="pipe", disable_numparse=True))
    lines = _lines(result)
    if lines:
        parts.append("## Findings")
        rows = [[label, markdown(line)] for label, _, line in lines]
        parts.append(tabulate(rows, headers=["Result", "Detail"], tablefmt="pipe", disable_numparse=True))
    return "\n\n".join(parts) + "\n"


def document(result: Comparison, strict: bool = False) -> dict[str, Any]:
    """The JSON document (docs/compare.md, schemas/compare.schema.json)."""
    from mappa_stats.version import __version__

    def area_entry(a: AreaComparison) -> dict[str, Any]:
        return {
            "area": a.area,
            "years": list(a.years),
            "figures": [
                {"field": code, "label": label, "values": {y: a.values[code][y] for y in a.values[code]}}
                for code, label in a.key
                if code in a.values
            ],
            "changes": [
                {
                    "field": c.field,
                    "from_year": c.from_year,
                    "year": c.year,
                    "before": c.before,
                    "after": c.after,
                    "change": c.change,
                    "percent_change": None if c.percent is None else round(c.percent, 2),
                    "large": c.large,
                }
                for c in a.changes
            ],
            "revisions": [
                {
                    "year": r.year,
                    "field": r.field,
                    "before": r.before,
                    "after": r.after,
                    "from_release": r.from_release,
                    "to_release": r.to_release,
                    "message": revision_line(a.area, r),
                }
                for r in a.revisions
            ],
            "confirmed": [
                {
                    "year": c.year,
                    "from_release": c.from_release,
                    "to_release": c.to_release,
                    "fields": c.fields,
                    "duplicate": c.duplicate,
                }
                for c in a.confirmed
            ],
            "population_base_changes": [
                {
                    "from_year": b.from_year,
                    "year": b.year,
                    "rate_before": b.rate_before,
                    "rate_after": b.rate_after,
                    "rsos_before": b.rsos_before,
                    "rsos_after": b.rsos_after,
                    "population_before": round(b.population_before),
                    "population_after": round(b.population_after),
                    "implied": b.implied,
                    "message": base_line(a.area, b),
                }
                for b in a.base_changes
            ],
        }

    t = result.thresholds
    return {
        "schema_version": COMPARE_SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "status": result.status(strict),
        "strict": strict,
        "thresholds": {"rise_percent": t.rise, "fall_percent": t.fall, "noise_sqrt_multiple": t.noise},
        "summary": {"errors": result.errors, "warnings": result.warnings},
        "inputs": [
            {
                "path": i.path,
                "kind": i.kind,
                "releases": list(i.releases),
                "areas": list(i.areas),
                "years": list(i.years),
            }
            for i in result.inputs
        ],
        "notes": list(result.notes),
        "areas": [area_entry(a) for a in result.areas],
        "claims": [c.to_dict() for c in result.claims],
    }


def render_json(result: Comparison, strict: bool = False) -> str:
    """Versioned JSON."""
    import json

    return json.dumps(document(result, strict), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "record",
    "area",
    "year",
    "from_year",
    "field",
    "value",
    "previous",
    "change",
    "percent_change",
    "release",
    "from_release",
    "status",
    "message",
)


def render_csv(result: Comparison, strict: bool = False) -> str:
    """One row per figure-year, revision, confirmation, change of base and claim (docs/compare.md)."""
    import csv
    import io

    from mappa_stats.safetext import spreadsheet

    rows: list[dict[str, Any]] = []
    for a in result.areas:
        changes = {(c.field, c.year): c for c in a.changes}
        for code, _label in a.key:
            for year, value in sorted(a.values.get(code, {}).items()):
                c = changes.get((code, year))
                rows.append(
                    {
                        "record": "figure",
                        "area": a.area,
                        "year": year,
                        "from_year": c.from_year if c else "",
                        "field": code,
                        "value": _n(value).replace(",", ""),
                        "previous": _n(c.before).replace(",", "") if c else "",
                        "change": _n(c.change).replace(",", "") if c else "",
                        "percent_change": "" if c is None or c.percent is None else f"{c.percent:.2f}",
                        "status": "large change" if c and c.large else "",
                        "message": change_line(a, c) if c and c.large else "",
                    }
                )
        for r in a.revisions:
            rows.append(
                {
                    "record": "revision",
                    "area": a.area,
                    "year": r.year,
                    "field": r.field,
                    "value": _n(r.after).replace(",", ""),
                    "previous": _n(r.before).replace(",", ""),
                    "change": _n(r.after - r.before).replace(",", ""),
                    "release": r.to_release,
                    "from_release": r.from_release,
                    "status": "revised",
                    "message": revision_line(a.area, r),
                }
            )
        for kept in a.confirmed:
            rows.append(
                {
                    "record": "duplicate" if kept.duplicate else "confirmed",
                    "area": a.area,
                    "year": kept.year,
                    "release": kept.to_release,
                    "from_release": kept.from_release,
                    "status": "duplicate" if kept.duplicate else "unrevised",
                    "message": confirmed_line(a.area, kept),
                }
            )
        for b in a.base_changes:
            rows.append(
                {
                    "record": "population base",
                    "area": a.area,
                    "year": b.year,
                    "from_year": b.from_year,
                    "field": "rate",
                    "value": _n(b.rate_after),
                    "previous": _n(b.rate_before),
                    "status": "population base changed",
                    "message": base_line(a.area, b),
                }
            )
    for claim in result.claims:
        rows.append(
            {
                "record": "claim",
                "area": claim.claim.area,
                "year": claim.claim.year,
                "from_year": claim.claim.from_year or "",
                "field": claim.claim.kind,
                "value": claim.claim.stated.text,
                "previous": claim.exact or "",
                "status": claim.status,
                "message": claim.message,
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet(str(row.get(k, ""))) for k in CSV_COLUMNS})
    return buffer.getvalue()


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json, "csv": render_csv}
