"""The rate: registered sexual offenders per 100,000 people aged 10 and over (or all ages), rounded as
published, with the figures a reader needs to check it against the stated one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mappa_stats.errors import InputError
from mappa_stats.io.population import AreaPopulation, PopulationFile
from mappa_stats.numbers import half_even, half_up


@dataclass(frozen=True)
class Rate:
    """RSOs per 100,000 on one base, with the figures a reader needs to check it."""

    area: str
    rsos: int
    population: int
    base: str  # "aged 10+" or "all ages"
    exact: Decimal
    stated: Decimal | None = None
    all_ages_population: int | None = None
    vintage: str | None = None
    # The estimate the year needs when the file is another mid-year or names none: the rate is not checked.
    needs: str | None = None
    # Which estimates: "ONS mid-2018 population estimates (MYE2, as first published), aged 10 and over",
    # or the file's path, layout and vintage; and the release, when known.
    source: str | None = None
    release: str | None = None

    @property
    def mid_year(self) -> int | None:
        """The population's mid-year (2018 for 'mid-2018'), when known."""
        return int(self.vintage[4:]) if self.vintage and self.vintage[4:].isdigit() else None

    @property
    def two_dp(self) -> Decimal:
        """The rate to 2 decimal places."""
        return half_up(self.exact, 2)

    @property
    def rounded(self) -> int:
        """The rate to a whole number, half up, as published."""
        return int(half_up(self.exact))

    @property
    def one_in(self) -> int | None:
        """'One for every N people': population ÷ RSOs, rounded half up."""
        if not self.rsos:
            return None
        return int(half_up(Decimal(self.population) / Decimal(self.rsos)))

    @property
    def rounded_to_even(self) -> int:
        """The rate rounded half to even, as pandas' round (the Ministry's national pipeline) does."""
        return int(half_even(self.exact))

    @property
    def rounding_differs(self) -> bool:
        """True at an exact half (k.5), where rounding half up and half to even give different rates."""
        return self.rounded_to_even != self.rounded

    @property
    def matches(self) -> bool | None:
        """True when the stated rate is the rounded one (at an exact half, either); None when unstated."""
        if self.stated is None or self.needs is not None:
            return None
        return self.stated in (Decimal(self.rounded), Decimal(self.rounded_to_even))

    @property
    def all_ages_rounded(self) -> int | None:
        """The rate an all-ages base would give (reports before 2013-14 used it)."""
        if self.all_ages_population is None or self.base == "all ages":
            return None
        return int(half_up(Decimal(self.rsos) * 100_000 / Decimal(self.all_ages_population)))

    @property
    def all_ages_explains_stated(self) -> bool:
        """True when the stated figure is what an all-ages base gives (the under-10s kept in)."""
        return self.all_ages_rounded is not None and Decimal(self.all_ages_rounded) == self.stated

    def verdict(self) -> str:
        """Plain words for the comparison with the stated figure."""
        if self.needs is not None and self.vintage is None:
            year = self.needs.removeprefix("mid-")
            return f"not checked: the population file does not say its mid-year; give --mid-year {year}"
        if self.needs is not None:
            return f"not checked: needs {self.needs} (the population file is {self.vintage})"
        if self.stated is None:
            if self.rounding_differs:
                return (
                    f"no stated rate (the exact rate is {self.exact.normalize()}: half up gives "
                    f"{self.rounded}, half to even as the Ministry's pipeline rounds "
                    f"{self.rounded_to_even})"
                )
            return "no stated rate"
        if self.matches:
            if self.rounding_differs:
                return (
                    f"matches (the exact rate is {self.exact.normalize()}: half up gives {self.rounded}, "
                    f"half to even {self.rounded_to_even}; either is accepted)"
                )
            return "matches"
        hint = ""
        if self.all_ages_explains_stated:
            hint = "; an all-ages base gives the stated figure: was the under-10s exclusion missed?"
        return f"does not match: stated {self.stated}, computed {self.rounded}{hint}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "area": self.area,
            "rsos": self.rsos,
            "population": self.population,
            "base": self.base,
            "vintage": self.vintage,
            "mid_year": self.mid_year,
            "source": self.source,
            "release": self.release,
            "rate": float(self.two_dp),
            "rate_rounded": self.rounded,
            "one_in": self.one_in,
            "stated": None
            if self.stated is None
            else int(self.stated)
            if self.stated == self.stated.to_integral_value()
            else float(self.stated),
            "matches": self.matches,
            "all_ages_rate_rounded": self.all_ages_rounded,
            "needs": self.needs,
            "verdict": self.verdict(),
        }


def compute_rate(
    area: str,
    rsos: int,
    population: AreaPopulation,
    *,
    all_ages: bool = False,
    stated: Decimal | None = None,
    vintage: str | None = None,
    needs: str | None = None,
    source: PopulationFile | None = None,
) -> Rate:
    """RSOs ÷ population × 100,000, on the 10+ base unless all_ages."""
    base = population.all_ages if all_ages else population.aged_10_plus
    name = "all ages" if all_ages else "aged 10+"
    if base is None:
        raise InputError(f"the population file has no {name} figure for {area}")
    if base <= 0:
        raise InputError(f"the {name} population of {area} is {base}; it must be above zero")
    if rsos < 0:
        raise InputError(f"the RSO count for {area} is {rsos}; it cannot be negative")
    return Rate(
        area=area,
        rsos=rsos,
        population=base,
        base=name,
        exact=Decimal(rsos) * 100_000 / Decimal(base),
        stated=stated,
        all_ages_population=population.all_ages,
        vintage=vintage,
        needs=needs,
        source=None if source is None else source.source,
        release=None if source is None else source.release,
    )


# --- the England and Wales row (combine's population check) ------------------------------------------
