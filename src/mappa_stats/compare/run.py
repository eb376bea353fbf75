"""The comparison: each area year by year and release by release, then the claims."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from mappa_stats.compare.changes import changes, field_labels
from mappa_stats.compare.population import population_figures
from mappa_stats.compare.read import read_file
from mappa_stats.compare.result import (
    DERIVED_CELL,
    AreaComparison,
    BaseChange,
    Comparison,
    Confirmed,
    Input,
    Observation,
    Revision,
    Thresholds,
)
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import figures_template, form_years, load_template
from mappa_stats.errors import InputError
from mappa_stats.io.population import PopulationFile
from mappa_stats.rules.claims.claim import ClaimLine
from mappa_stats.rules.claims.derive import derive
from mappa_stats.rules.claims.fields import POPULATION_FIELD, RATE_LABELS, year_fields
from mappa_stats.rules.claims.judge import check_claims

Values = dict[str, dict[str, float]]  # field code → year → value


def _releases(observations: Sequence[Observation]) -> dict[str, dict[str, Observation]]:
    """Release → field → its observation, releases in the order they were given."""
    out: dict[str, dict[str, Observation]] = {}
    for o in observations:
        out.setdefault(o.release, {})[o.field] = o
    return out


def _compare_releases(result: AreaComparison, year: str, releases: dict[str, dict[str, Observation]]) -> None:
    """Each release of a year against the one before it: its revised figures, and the figures it confirms."""
    for earlier, later in itertools.pairwise(list(releases)):
        old, new = releases[earlier], releases[later]
        common = [code for code in old if code in new]
        revised = [code for code in common if old[code].value != new[code].value]
        for code in revised:
            result.revisions.append(
                Revision(
                    year,
                    code,
                    old[code].value,
                    new[code].value,
                    earlier,
                    later,
                    old[code].place,
                    new[code].place,
                )
            )
        if common and not revised:
            result.confirmed.append(
                Confirmed(year, earlier, later, len(common), duplicate=set(old) == set(new))
            )
        elif len(common) > len(revised):
            result.confirmed.append(Confirmed(year, earlier, later, len(common) - len(revised), False))


def _key_labels(years: Sequence[str], values: Values) -> dict[str, str]:
    """The key figures of every year given, in the order the definitions give them: field code → label."""
    labels: dict[str, str] = {}
    for year in years:
        for code, label in year_fields(year).key:
            labels.setdefault(code, label)
        for code, label in _category4_key(year):  # the NSD's, and the national Category 4, when given
            if code in values:
                labels.setdefault(code, label)
    rate = year_fields(years[-1]).rate
    bases = {figures_template(y).rate_base for y in values.get(rate, {})}
    if len(bases) > 1:  # the rate's base changed in 2013-14: all ages before, aged 10+ from it
        labels[rate] = "RSOs per 100,000 (all ages before 2013-14, aged 10+ from it)"
    elif bases:  # the years the rate is given in say which base it is on
        labels[rate] = RATE_LABELS[bases.pop()]
    return labels


def _base_changes(years: Sequence[str], values: Values) -> list[BaseChange]:
    """Each rate that fell while Category 1 rose, with the population of each year (given, or implied)."""
    rates: dict[str, float] = {}
    rsos: dict[str, float] = {}
    for year in years:
        fields = year_fields(year)
        rate, count = values.get(fields.rate, {}).get(year), values.get(fields.rsos, {}).get(year)
        if rate is not None and count is not None and rate > 0:
            rates[year], rsos[year] = rate, count
    pops = values.get(POPULATION_FIELD, {})
    found = []
    for before, after in itertools.pairwise(list(rates)):
        if rates[after] < rates[before] and rsos[after] > rsos[before]:
            # Both years' populations as given, or both implied: never one of each in a comparison.
            given = before in pops and after in pops
            found.append(
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
    return found


def compare_area(area: str, observations: Sequence[Observation], thresholds: Thresholds) -> AreaComparison:
    """One area: its figures year by year, its revisions between releases, its changes of population base."""
    by_year: dict[str, list[Observation]] = {}
    for o in observations:
        by_year.setdefault(o.year, []).append(o)
    years = tuple(sorted(by_year))
    values: Values = {}
    result = AreaComparison(area, years, values)
    for year in years:
        releases = _releases(by_year[year])
        _compare_releases(result, year, releases)
        for figures in releases.values():  # the latest release of a figure stands in the series
            for code, o in figures.items():
                values.setdefault(code, {})[year] = o.value
                result.places.setdefault(code, {})[year] = o.place
    _derive(result)
    labels = _key_labels(years, values)
    result.key = tuple(labels.items())
    result.labels = field_labels(years, values, labels)
    result.changes.extend(changes(years, values, result.labels, result.places, thresholds))
    result.base_changes.extend(_base_changes(years, values))
    return result


def _derive(result: AreaComparison) -> None:
    """The figures each year's equations fix from those given (a total from its parts), added to the series
    with how they were worked out in place of a cell."""
    for year in result.years:
        given = {
            code: Decimal(repr(series[year])).normalize()
            for code, series in result.values.items()
            if year in series and code != POPULATION_FIELD
        }
        for code, found in derive(year, given).items():
            result.values.setdefault(code, {})[year] = float(found.value)
            result.places.setdefault(code, {})[year] = f"{DERIVED_CELL}: {found.how}"


def _category4_key(year: str) -> list[tuple[str, str]]:
    """Category 4's key figures (from 2022-23, the National Security Division's definition): its 31 March
    total and its yearly Level 2 and 3 total, by the totals of its first two tables."""

    if year not in form_years("nsd"):
        return []
    template = load_template(year, "nsd")
    out = []
    for table, when in zip(template.tables[:2], ("31 March", "in the year"), strict=True):
        total = next(r for r in table.rows if r.is_total)
        column = table.columns[0]
        out.append((table.fields[(total.id, column.id)], f"{column.short}, {when}"))
    return out


def _read_all(paths: Sequence[Path], year: str | None) -> tuple[list[Observation], list[Input]]:
    """Every file's figures, two files of one name kept two releases, one release never two values."""
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
            earlier = first_seen.setdefault((o.area, o.year, o.field, o.release), (o.value, o.source))
            if earlier[0] != o.value:
                raise InputError(
                    f"{o.source}: {o.area} {o.year} {o.field} is {o.value:g} in release {o.release!r} here "
                    f"but {earlier[0]:g} in the same release at {earlier[1]}; name the releases apart"
                )
        observations.extend(found)
        inputs.append(info)
    return observations, inputs


def _notes(inputs: Sequence[Input]) -> list[str]:
    """What the report says about its inputs: several areas compared apart, figures of unknown field codes."""
    notes = []
    named = sorted({a for i in inputs if i.kind != "long CSV" for a in i.areas})
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
    return notes


def _compare_areas(observations: Sequence[Observation], thresholds: Thresholds) -> list[AreaComparison]:
    """Each area on its own (England and Wales last), a revising release never called a duplicate."""
    by_area: dict[str, list[Observation]] = {}
    for o in observations:
        by_area.setdefault(o.area, []).append(o)
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
    return areas


def _latest_figures(
    areas: Sequence[AreaComparison], population: PopulationFile | None
) -> dict[tuple[str, str, str], float]:
    """The figures the claims are judged against: the latest release of each, and each area's population
    aged 10+ where no input gave one (the file given, else the shipped ONS estimates, as validate does)."""
    figures = {(a.area, y, code): v for a in areas for code, ys in a.values.items() for y, v in ys.items()}
    pairs = {(area, year) for area, year, _ in figures}
    for key, value in population_figures(population, sorted(pairs)).items():
        figures.setdefault(key, value)
    return figures


def compare(
    paths: Sequence[Path],
    *,
    year: str | None = None,
    thresholds: Thresholds | None = None,
    claims: Sequence[ClaimLine] = (),
    population: PopulationFile | None = None,
) -> Comparison:
    """Read every file, compare each area on its own, and check the claims against the latest figures (and,
    for rates, against the population file when one is given)."""
    thresholds = thresholds or Thresholds()
    observations, inputs = _read_all(paths, year)
    notes = _notes(inputs)
    areas = _compare_areas(observations, thresholds)
    results = check_claims(claims, _latest_figures(areas, population)) if claims else []
    return Comparison(inputs, areas, thresholds, results, notes)


def exit_code(result: Comparison, strict: bool = False) -> int:
    """0 nothing to act on; 1 a claim does not reproduce, a figure was revised or changed a lot (or, with
    strict, a warning)."""
    return 1 if result.status(strict) == "fail" else 0
