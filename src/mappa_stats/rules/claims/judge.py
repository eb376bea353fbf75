"""Judging claims against figures {(area, year, field code): value}: each claim reproduces, does not
reproduce (with the figure it would need), or cannot be checked (naming the figures missing and where they
would come from); and an area's figures by field code, as `validate --claims` judges them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import load_template
from mappa_stats.errors import MappaError
from mappa_stats.io.population.embedded import embedded
from mappa_stats.numbers import half_up, judge
from mappa_stats.rules.claims.claim import (
    DOES_NOT,
    NOT_CHECKED,
    REPRODUCES,
    ClaimLine,
    ClaimResult,
    Figures,
    Stated,
)
from mappa_stats.rules.claims.compared import ComparedChecks
from mappa_stats.rules.claims.derive import Derived, derive, why_not
from mappa_stats.rules.claims.fields import POPULATION_FIELD, field_words, year_fields
from mappa_stats.rules.claims.parse import canonical_area
from mappa_stats.rules.rate import aged_10_plus

# Where a population the figures lack would come from, when none was given at all.
GIVE_POPULATION = f" (give --population, or {POPULATION_FIELD} rows in a long CSV)"


class _Lookup:
    """Figures by (area, year, field), with area names folded so 'Devon & Cornwall' finds its figures."""

    def __init__(self, figures: Figures, national: Mapping[tuple[str, str], float] | None) -> None:
        self.values: dict[tuple[str, str, str], float] = {}
        # Whether any population was given at all: a POP10PLUS figure, or one marked NaN (area_figures: a
        # population file was given that has no figure for the area).
        self.population_given = any(code == POPULATION_FIELD for _, _, code in figures) or any(
            code == POPULATION_FIELD for _, code in (national or {})
        )
        for (area, year, code), value in figures.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            self.values[(canonical_area(area) or area, year, code)] = value
        for (year, code), value in (national or {}).items():
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                self.values[(NATIONAL, year, code)] = value

        self._derived: dict[tuple[str, str], dict[str, Derived]] = {}
        self.used: dict[str, str] = {}  # field code → how it was derived, for the figures a claim used

    def given(self, area: str, year: str) -> dict[str, Decimal]:
        """The figures given of an area and year, by field code."""
        return {
            code: Decimal(repr(float(v))).normalize()
            for (a, y, code), v in self.values.items()
            if a == area and y == year
        }

    def get(self, area: str, year: str, code: str) -> Decimal | None:
        """A figure as given, or derived exactly by the year's equations from those given (and noted)."""
        value = self.values.get((area, year, code))
        if value is not None:
            return Decimal(repr(float(value))).normalize()
        if (area, year) not in self._derived:
            self._derived[(area, year)] = derive(year, self.given(area, year))
        found = self._derived[(area, year)].get(code)
        if found is None:
            return None
        self.used[code] = found.how
        return found.value

    def why_not(self, area: str, year: str, code: str) -> str:
        """Why a missing figure cannot be derived, in words ('' when no equation makes it)."""
        derived = {c: d.value for c, d in self._derived.get((area, year), {}).items()}
        return why_not(year, code, {**self.given(area, year), **derived})


def _shipped(claim: ClaimLine) -> str:
    """', and the ONS mid-2024 estimates are not shipped with mappa-stats', for a year whose are not."""
    try:
        mid_year = load_template(claim.year).population_mid_year
    except MappaError:  # a year with no definition: the claim's parser names it
        return ""
    return "" if embedded(mid_year) is not None else f", and the ONS mid-{mid_year} estimates are not shipped"


def _n(value: Decimal) -> str:
    """A figure for a message: '52,770', '1,565,295', '99.5'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _pct(value: Decimal, decimals: int, signed: bool = False) -> str:
    return f"{value:{'+' if signed else ''},.{decimals}f}%"


def _count_range(
    gives: Callable[[Decimal], Decimal], guess: Decimal, stated: Stated
) -> tuple[int, int] | None:
    """The whole counts x near the guess for which gives(x) rounds to the stated figure, or None."""
    if not guess.is_finite() or abs(guess) > 10**12:
        return None
    centre = int(guess.to_integral_value())

    def ok(x: int) -> bool:
        return x >= 0 and judge(stated.value, stated.decimals, gives(Decimal(x)))[0]

    start = next((x for x in (centre, centre - 1, centre + 1) if ok(x)), None)
    if start is None:
        return None

    def edge(direction: int) -> int:
        # The counts that give the stated figure are one run (gives is monotonic): double the step until
        # it leaves the run, then halve back to its edge; a few dozen judgements however wide the run is.
        good, step = start, 1
        while True:
            bad = start + direction * step
            if not ok(bad):
                break
            good, step = bad, step * 2
            if step > 2**60:
                return good
        while abs(bad - good) > 1:
            middle = (good + bad) // 2
            if ok(middle):
                good = middle
            else:
                bad = middle
        return good

    return edge(-1), edge(1)


def _between(found: tuple[int, int] | None) -> str | None:
    if found is None:
        return None
    low, high = found
    return f"{low:,}" if low == high else f"{low:,} to {high:,}"


class _Checker(ComparedChecks):
    """Judge claims against one set of figures (relative, parts and rank claims: compared.py)."""

    def __init__(self, lookup: _Lookup) -> None:
        self.lookup = lookup

    def no_population(self, claim: ClaimLine, tail: str = "") -> ClaimResult:
        """Cannot be checked because no population was given at all: say so, and how to give one."""
        return ClaimResult(
            claim,
            NOT_CHECKED,
            f"{claim.where}: {claim.describe()} cannot be checked: no population file was given"
            f"{_shipped(claim)}, so there is no population aged 10+ ({POPULATION_FIELD}) of {claim.area} "
            f"{claim.year}; give --population (or {POPULATION_FIELD} rows in a long CSV){tail}",
            missing=(POPULATION_FIELD,),
        )

    def population_fix(self, claim: ClaimLine) -> str:
        """Where the population the figures lack would come from."""
        if not self.lookup.population_given:
            return GIVE_POPULATION
        if claim.area == NATIONAL:
            return " (combine gives it when every area it counts is in the population file)"
        return " (the population given has none for it: the area is not in it, or it is of another mid-year)"

    def missing(self, claim: ClaimLine, needed: Iterable[tuple[str, str]], fix: str = "") -> ClaimResult:
        """Cannot be checked: name every figure the claim needs and the figures lack."""
        names = [
            f"{field_words(code, year)} of {claim.area} {year}{self.lookup.why_not(claim.area, year, code)}"
            for code, year in needed
        ]
        codes = tuple(dict.fromkeys(code for code, _ in needed))
        return ClaimResult(
            claim,
            NOT_CHECKED,
            f"{claim.where}: {claim.describe()} cannot be checked: needs {', '.join(names)}, "
            f"which the figures lack{fix}",
            missing=codes,
        )

    def figures(
        self, claim: ClaimLine, needed: Sequence[tuple[str, str]]
    ) -> tuple[list[Decimal], list[tuple[str, str]]]:
        """The figures (field, year) of the claim's area, and those of them the figures lack."""
        values = [self.lookup.get(claim.area, year, code) for code, year in needed]
        absent = [need for need, value in zip(needed, values, strict=True) if value is None]
        return [v for v in values if v is not None], absent

    def verdict(
        self,
        claim: ClaimLine,
        exact: Decimal,
        basis: str,
        needs: str | None,
        *,
        percent: bool,
        half_even_too: bool = False,
        signed: bool = False,
    ) -> ClaimResult:
        stated = claim.stated
        if self.lookup.used:
            basis += f" ({'; '.join(self.lookup.used.values())})"
        ok, computed = judge(stated.value, stated.decimals, exact, half_even_too=half_even_too)
        if percent:
            shown_computed = _pct(computed, stated.decimals, signed)
            shown_exact = _pct(half_up(exact, 2), 2, signed)
        else:
            shown_computed = f"{computed:,.{stated.decimals}f}"
            shown_exact = f"{half_up(exact, 2):,.2f}"
        head = f"{claim.where}: {claim.describe()}"
        if ok:
            message = f"{head} reproduces: {basis} = {shown_exact}, {shown_computed} as stated"
            return ClaimResult(claim, REPRODUCES, message, shown_computed, shown_exact, None, (), basis)
        wanted = f"; {stated.shown} would need {needs}" if needs else ""
        message = (
            f"{head} does not reproduce: {basis} = {shown_exact}, which is {shown_computed} at the stated "
            f"precision{wanted}"
        )
        return ClaimResult(claim, DOES_NOT, message, shown_computed, shown_exact, needs, (), basis)

    def share(
        self, claim: ClaimLine, part: str, whole: str, label: str, why: Mapping[str, str] | None = None
    ) -> ClaimResult:
        found, absent = self.figures(claim, [(part, claim.year), (whole, claim.year)])
        if absent:
            return self.missing(claim, absent, "".join((why or {}).get(code, "") for code, _ in absent))
        numerator, denominator = found
        if not denominator:
            return self.missing(claim, [(whole, claim.year)], " (it is 0: no share of nothing)")
        exact = numerator * 100 / denominator
        wanted = _count_range(
            lambda x: x * 100 / denominator, claim.stated.value * denominator / 100, claim.stated
        )
        needs = f"{label} of {_between(wanted)} of {_n(denominator)}" if wanted else None
        basis = f"{label} {_n(numerator)} of {_n(denominator)} on 31 March"
        return self.verdict(claim, exact, basis, needs, percent=True)

    def rate(self, claim: ClaimLine) -> ClaimResult:
        fields = year_fields(claim.year)
        found, absent = self.figures(claim, [(fields.rsos, claim.year), (POPULATION_FIELD, claim.year)])
        if absent:
            stated_rate = self.lookup.get(claim.area, claim.year, fields.rate)
            tail = (
                f"; the tables state {_n(stated_rate)}"
                if stated_rate is not None and claim.area != NATIONAL
                else ""
            )
            if absent == [(POPULATION_FIELD, claim.year)]:
                if not self.lookup.population_given:
                    return self.no_population(claim, tail)
                return self.missing(claim, absent, self.population_fix(claim) + tail)
            fix = (
                GIVE_POPULATION
                if claim.area != NATIONAL
                else " (the England and Wales rows combine writes hold them)"
            )
            return self.missing(claim, absent, fix + tail)
        rsos, population = found
        if not population:
            return self.missing(claim, [(POPULATION_FIELD, claim.year)], " (it is 0)")
        exact = rsos * 100_000 / population
        wanted = _count_range(
            lambda x: x * 100_000 / population, claim.stated.value * population / 100_000, claim.stated
        )
        needs = f"{_between(wanted)} RSOs" if wanted else None
        basis = f"{_n(rsos)} RSOs ÷ {_n(population)} aged 10+ × 100,000"
        return self.verdict(claim, exact, basis, needs, percent=False, half_even_too=True)

    def one_in(self, claim: ClaimLine) -> ClaimResult:
        fields = year_fields(claim.year)
        found, absent = self.figures(claim, [(fields.rsos, claim.year), (POPULATION_FIELD, claim.year)])
        if not absent:
            rsos, population = found
            if rsos:
                exact = population / rsos
                basis = f"{_n(population)} aged 10+ ÷ {_n(rsos)} RSOs"
                wanted = _count_range(
                    lambda x: population / x if x else Decimal(-1),
                    population / claim.stated.value,
                    claim.stated,
                )
                needs = f"{_between(wanted)} RSOs" if wanted else None
                return self.verdict(claim, exact, basis, needs, percent=False)
        stated_rate = self.lookup.get(claim.area, claim.year, fields.rate)
        if stated_rate is None or stated_rate <= Decimal("0.5"):
            tail = ", and no stated rate to check it against"
            if absent == [(POPULATION_FIELD, claim.year)] and not self.lookup.population_given:
                return self.no_population(claim, tail)
            if not absent:  # both given, and no RSOs: no N people to each of them
                return self.missing(claim, [(fields.rsos, claim.year)], f" (it is 0){tail}")
            fix = self.population_fix(claim) if (POPULATION_FIELD, claim.year) in absent else ""
            return self.missing(claim, absent, fix + tail)
        # Only the rounded rate is known: any rate within half a unit of it gives an N in this interval.
        low = half_up(Decimal(100_000) / (stated_rate + Decimal("0.5")), claim.stated.decimals)
        high = half_up(Decimal(100_000) / (stated_rate - Decimal("0.5")), claim.stated.decimals)
        centre = Decimal(100_000) / stated_rate
        fits = low <= claim.stated.value <= high
        interval = f"{low:,.{claim.stated.decimals}f} to {high:,.{claim.stated.decimals}f}"
        basis = f"the stated rate {_n(stated_rate)} (which gives one for every {interval})"
        head = f"{claim.where}: {claim.describe()}"
        computed = f"{half_up(centre, claim.stated.decimals):,.{claim.stated.decimals}f}"
        two_dp = f"{half_up(centre, 2):,.2f}"
        if fits:
            message = f"{head} reproduces: consistent with {basis}"
            return ClaimResult(claim, REPRODUCES, message, computed, two_dp, None, (), basis)
        needs = f"a rate of {half_up(Decimal(100_000) / claim.stated.value, 2):,.2f}"
        message = f"{head} does not reproduce: {basis}; {claim.stated.shown} would need {needs}"
        return ClaimResult(claim, DOES_NOT, message, computed, two_dp, needs, (), basis)

    def change(self, claim: ClaimLine) -> ClaimResult:
        code = claim.target
        assert claim.from_year is not None
        found, absent = self.figures(claim, [(code, claim.from_year), (code, claim.year)])
        if absent:
            return self.missing(claim, absent)
        before, after = found
        if not before:
            return self.missing(
                claim, [(code, claim.from_year)], " (it is 0: no percentage change from nothing)"
            )
        exact = (after - before) * 100 / before
        wanted = _count_range(
            lambda x: (x - before) * 100 / before, before * (1 + claim.stated.value / 100), claim.stated
        )
        needs = f"{claim.year} {code} of {_between(wanted)} (from {_n(before)})" if wanted else None
        basis = f"{code} {_n(before)} ({claim.from_year}) → {_n(after)} ({claim.year})"
        return self.verdict(claim, exact, basis, needs, percent=True, signed=True)

    def check(self, claim: ClaimLine) -> ClaimResult:
        self.lookup.used = {}
        base = claim.base
        fields = year_fields(claim.year)
        if base == "level1_share":
            return self.share(claim, fields.level1_total, fields.grand_total, "Level 1")
        if base == "category_share":
            number = claim.target[3:]
            if number in fields.categories:
                return self.share(claim, fields.categories[number], fields.grand_total, f"Category {number}")
            # Another form's category (the NSD's Category 4): only the England and Wales figures hold it.
            fix = " (the National Security Division's return was not counted)"
            code = fields.national_categories[number]
            return self.share(claim, code, fields.grand_total, f"Category {number}", {code: fix})
        if base in ("rate", "national_rate"):
            return self.rate(claim)
        if base == "one_in_n":
            return self.one_in(claim)
        if base == "relative":
            return self.relative(claim)
        if base == "parts":
            return self.parts(claim)
        if base == "rank":
            return self.rank(claim)
        return self.change(claim)


def check_claims(
    claims: Iterable[ClaimLine],
    figures: Figures,
    national: Mapping[tuple[str, str], float] | None = None,
) -> list[ClaimResult]:
    """Judge each claim against figures {(area, year, field code): value}; national figures may come apart
    as {(year, field code): value} or as rows of the area 'England and Wales'. One result per claim."""
    checker = _Checker(_Lookup(figures, national))
    return [checker.check(claim) for claim in claims]


def area_figures(area: Any, population: Any = None) -> dict[tuple[str, str, str], float]:
    """An area's figures by field code, for claims: every usable number of its tables, plus POP10PLUS from
    a population file when one is given (and the area is in it)."""
    from mappa_stats.rules.frame import wide  # lazy: pandas, only when claims are judged

    row = wide([area]).iloc[0]
    name = area.meta.area or ""
    year = area.template.year
    out: dict[tuple[str, str, str], float] = {}
    for code in area.template.field_refs:
        value = row[code]
        if value == value:  # not NaN
            out[(name, year, code)] = float(value)
    if population is not None and name:
        # NaN when the population given has none for the area: a population was given all the same.
        out[(name, year, POPULATION_FIELD)] = aged_10_plus(population, name, area.template)
    return out
