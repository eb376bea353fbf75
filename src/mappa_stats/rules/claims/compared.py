"""Judging the claims that compare figures: an area against England and Wales ('15% above the national rate',
'twice'), parts of a whole ('418 = 137 central + 101 east + 180 west'; the four Welsh areas' total), and a
rank among the areas ('highest in Wales', 'third lowest of 42'), each at the precision written; a ranking
that fails is shown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import figures_template
from mappa_stats.io.areas import areas
from mappa_stats.numbers import half_up
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED, REPRODUCES, ClaimLine, ClaimResult
from mappa_stats.rules.claims.fields import POPULATION_FIELD, year_fields

# A failed ranking shows at most this many places around the claim.
SHOWN_PLACES = 8
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _n(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{half_up(value, 2):,.2f}"


def ordinal(n: int) -> str:
    """1 → '1st', 2 → '2nd', 11 → '11th', 23 → '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def _place(n: int, direction: str) -> str:
    """1 → 'the highest', 3 → 'the 3rd highest'."""
    return f"the {direction}" if n == 1 else f"the {ordinal(n)} {direction}"


class ComparedChecks:
    """The relative, parts and rank judgements; judge._Checker supplies lookup, verdict and missing."""

    lookup: Any

    def verdict(self, *args: Any, **kwargs: Any) -> ClaimResult:  # pragma: no cover - judge._Checker's
        raise NotImplementedError

    def missing(self, claim: ClaimLine, needed: Iterable[tuple[str, str]], fix: str = "") -> ClaimResult:
        raise NotImplementedError  # pragma: no cover - judge._Checker's

    def value_or_rate(self, area: str, year: str, code: str) -> tuple[Decimal | None, str]:
        """A figure of an area (given or derived); for the rate, when not given, worked out from the RSOs and
        the population aged 10+ (from 2013-14, when the rate is on that base), saying so."""
        value = self.lookup.get(area, year, code)
        if value is not None or code != year_fields(year).rate:
            return value, ""
        if figures_template(year).rate_base != "aged_10_plus":
            return None, ""
        rsos = self.lookup.get(area, year, year_fields(year).rsos)
        population = self.lookup.get(area, year, POPULATION_FIELD)
        if rsos is None or not population:
            return None, ""
        return rsos * 100_000 / population, f" ({_n(rsos)} RSOs ÷ {_n(population)} aged 10+ × 100,000)"

    def relative(self, claim: ClaimLine) -> ClaimResult:
        """'15% above' / 'below' / 'twice' England and Wales's figure of the year."""
        code, year = claim.target, claim.year
        mine, how_mine = self.value_or_rate(claim.area, year, code)
        theirs, how_theirs = self.value_or_rate(NATIONAL, year, code)
        absent = [(code, year) for value in (mine,) if value is None]
        if mine is None or theirs is None or not theirs:
            if theirs is None or not theirs:
                return self._missing_national(claim, mine)
            return self.missing(claim, absent)
        direction = claim.detail.direction
        stated = claim.stated.value
        if direction == "times":
            exact, wanted = mine / theirs, theirs * stated
        elif direction == "above":
            exact, wanted = (mine / theirs - 1) * 100, theirs * (1 + stated / 100)
        else:
            exact, wanted = (1 - mine / theirs) * 100, theirs * (1 - stated / 100)
        actual = mine / theirs
        words = (
            f"{_n(half_up(actual, 2))} times"
            if direction == "times"
            else f"{_n(half_up(abs(actual - 1) * 100, 2))}% {'above' if actual >= 1 else 'below'}"
        )
        basis = (
            f"{claim.area} {code} {_n(mine)}{how_mine} against {NATIONAL} {_n(theirs)}{how_theirs}: {words}"
        )
        needs = f"{claim.area} {code} of about {_n(half_up(wanted, 2))}"
        return self.verdict(claim, exact, basis, needs, percent=direction != "times")

    def _missing_national(self, claim: ClaimLine, mine: Decimal | None) -> ClaimResult:
        code = claim.target
        needed = [(code, claim.year)]
        result = self.missing(claim, needed if mine is not None else [(code, claim.year)])
        fix = f" ({NATIONAL}'s {code}: a long CSV's {NATIONAL} rows, or combine's national figures)"
        return ClaimResult(
            claim,
            NOT_CHECKED,
            result.message.replace(f"of {claim.area} {claim.year}", f"of {NATIONAL} {claim.year}", 1) + fix,
            missing=result.missing,
        )

    def parts(self, claim: ClaimLine) -> ClaimResult:
        """The parts add up to the stated whole, and to the area's figure when an area is named."""
        code, year = claim.target, claim.year
        values: list[tuple[str, Decimal]] = []
        absent: list[str] = []
        for name, given in claim.detail.parts:
            value = given if given is not None else self.lookup.get(name, year, code)
            if value is None:
                absent.append(name)
            else:
                values.append((name, value))
        head = f"{claim.where}: {claim.describe()}"
        if absent:
            names = ", ".join(absent)
            message = f"{head} cannot be checked: needs {code} of {names} {year}, which the figures lack"
            return ClaimResult(claim, NOT_CHECKED, message, missing=(code,))
        total = sum((v for _, v in values), Decimal(0))
        shown = " + ".join(
            f"{_n(v)} {name}" if given is not None else f"{name} {_n(v)}"
            for (name, v), (_, given) in zip(values, claim.detail.parts, strict=True)
        )
        basis = f"{shown} = {_n(total)}"
        whole = claim.stated.value if claim.detail.whole else None
        figure = self.lookup.get(claim.area, year, code) if claim.area else None
        wrong = []
        if whole is not None and total != whole:
            wrong.append(f"they add up to {_n(total)}, not the stated {_n(whole)}")
        if figure is not None and figure != total:
            wrong.append(f"{claim.area}'s {code} is {_n(figure)}, not {_n(total)}")
        if wrong:
            message = f"{head} does not reproduce: {basis}; {'; '.join(wrong)}"
            return ClaimResult(claim, DOES_NOT, message, _n(total), _n(total), None, (), basis)
        if claim.area and figure is None:
            message = (
                f"{head} cannot be checked: {basis}, but needs {code} of {claim.area} {year}, which the "
                "figures lack"
            )
            return ClaimResult(claim, NOT_CHECKED, message, missing=(code,), basis=basis)
        against = f", {claim.area}'s {code} as given" if figure is not None else ", as stated"
        message = f"{head} reproduces: {basis}{against}"
        return ClaimResult(claim, REPRODUCES, message, _n(total), _n(total), None, (), basis)

    def rank(self, claim: ClaimLine) -> ClaimResult:
        """The area's place among the group's areas by the field, highest or lowest first."""
        code, year, detail = claim.target, claim.year, claim.detail
        group = [a.name for a in areas() if detail.group in (NATIONAL, a.country)]
        head = f"{claim.where}: {claim.describe()}"
        if detail.of is not None and detail.of != len(group):
            message = (
                f"{head} does not reproduce: there are {len(group)} areas in {detail.group}, not {detail.of}"
            )
            return ClaimResult(claim, DOES_NOT, message)
        known = {
            name: value for name in group if (value := self.value_or_rate(name, year, code)[0]) is not None
        }
        mine = known.get(claim.area)
        if mine is None:
            return self.missing(claim, [(code, year)])
        sign = 1 if detail.direction == "highest" else -1
        before = sum(1 for v in known.values() if sign * v > sign * mine)
        ties = sum(1 for name, v in known.items() if v == mine and name != claim.area)
        unknown = [name for name in group if name not in known]
        # Tied areas share the place of the first of them ('joint 3rd'); each area without the figure could be
        # above this one, so the place could be as low as that many more.
        first, last = before + 1, before + 1 + len(unknown)
        position = int(claim.stated.value)
        where = f"in {detail.group}"
        ranking = self._ranking(known, sign, claim.area, max(position, first))
        if not (first <= position <= last):
            place = _place(first, detail.direction)
            if last > first:
                place += f" or lower (to {ordinal(last)}: {len(unknown)} areas without the figure)"
            message = f"{head} does not reproduce: {claim.area} is {place} {where} by {code}: {ranking}"
            shown = _place(first, detail.direction)
            return ClaimResult(claim, DOES_NOT, message, shown, shown, None, (), ranking)
        if unknown:
            message = (
                f"{head} cannot be checked: needs {code} of {len(unknown)} more of the {len(group)} areas "
                f"({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}), which the figures lack"
            )
            return ClaimResult(claim, NOT_CHECKED, message, missing=(code,), basis=ranking)
        joint = f" (joint, with {ties} other{'s' * (ties != 1)})" if ties else ""
        place = _place(position, detail.direction)
        message = f"{head} reproduces: {claim.area} is {place} {where}{joint} by {code}: {ranking}"
        return ClaimResult(claim, REPRODUCES, message, place, place, None, (), ranking)

    @staticmethod
    def _ranking(known: dict[str, Decimal], sign: int, area: str, upto: int) -> str:
        """'1 Cleveland 130, 2 Kent 100, …': the first places down to the claim's, and the area's."""
        order: Sequence[tuple[str, Decimal]] = sorted(known.items(), key=lambda kv: (-sign * kv[1], kv[0]))
        shown = [
            f"{i} {name} {_n(v)}"
            for i, (name, v) in enumerate(order, start=1)
            if i <= min(upto, SHOWN_PLACES)
        ]
        at = next(i for i, (name, _) in enumerate(order, start=1) if name == area)
        if at > min(upto, SHOWN_PLACES):
            shown.append(f"… {at} {area} {_n(known[area])}")
        return ", ".join(shown)
