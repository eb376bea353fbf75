"""The population file's figures for the claims of a compare run (--population): each area's population
aged 10+ for a year whose mid-year the file is, as validate --population gives it to its claims."""

from __future__ import annotations

from collections.abc import Iterable

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import figures_template
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import year_population
from mappa_stats.rules.claims.fields import POPULATION_FIELD
from mappa_stats.rules.rate import aged_10_plus


def population_figures(
    population: PopulationFile | None, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str, str], float]:
    """{(area, year, POP10PLUS): population aged 10+} for each (area, year), from the file given, else the
    shipped ONS estimates of the year's mid-year (none for a year whose estimates are not shipped). NaN
    where a file has none for it (the area is not in it, or the year's rate divides by another mid-year):
    a population was given, so a claim that needs it says why it is missing, not "give --population".
    England and Wales is left out: its population is the areas' sum, which combine gives."""
    figures = {}
    for area, year in pairs:
        template = figures_template(year)
        chosen = year_population(population, template)
        if area != NATIONAL and chosen is not None:
            figures[(area, year, POPULATION_FIELD)] = aged_10_plus(chosen, area, template)
    return figures
