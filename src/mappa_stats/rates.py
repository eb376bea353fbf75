"""The rate command's work: RSO rates for workbooks, one named area, or every area of a population file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mappa_stats.errors import InputError, MappaError
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import not_shipped, year_population
from mappa_stats.io.population_rate import Rate, compute_rate
from mappa_stats.rules.rate import needed_vintage, parse_stated, workbook_rate

if TYPE_CHECKING:
    from mappa_stats.definitions.templates import Template


def rates_for_workbooks(
    population: PopulationFile | None,
    workbooks: Sequence[Path],
    *,
    year: str | None,
    all_ages: bool,
    stated: str | None,
    area: str | None = None,
    area_override: bool = False,
    sheet: str | None = None,
) -> list[Rate]:
    """One rate per workbook, on the population file given, else the shipped ONS estimates of each
    workbook's year; `area` names the MAPPA area as --area does in every command."""
    from mappa_stats.io.readers import read_area  # lazy: the readers take time to load

    rates = []
    for path in workbooks:
        tables = read_area(path, year, area=area, override=area_override, sheet=sheet)
        chosen = year_population(population, tables.template)
        if chosen is None:
            raise InputError(f"{path}: {not_shipped(tables.template.population_mid_year)}")
        rates.append(workbook_rate(tables, chosen, all_ages=all_ages, stated=stated))
    return rates


def population_for(population: PopulationFile | None, template: Template | None) -> PopulationFile:
    """The population of --area/--rsos or of the list of areas: the file given, else the shipped estimates
    of --year's mid-year; InputError when neither can be had."""
    if template is None:
        if population is None:
            raise InputError(
                "give --year YYYY-YY (the shipped ONS estimates are by year) or --population FILE"
            )
        return population
    chosen = year_population(population, template)
    if chosen is None:
        raise InputError(f"{template.year}: {not_shipped(template.population_mid_year)}")
    return chosen


def rate_for_area(
    population: PopulationFile,
    name: str,
    rsos: int,
    *,
    all_ages: bool,
    stated: str | None,
    template: Template | None = None,
) -> Rate:
    """The rate of one area named on the command line; with the year's template (--year), a population
    of another mid-year leaves the rate not checked, as validate does."""
    found = population.get(name)
    return compute_rate(
        found.area,
        rsos,
        found,
        all_ages=all_ages or (template is not None and template.rate_base == "all_ages"),
        stated=parse_stated(stated, "--stated"),
        vintage=population.vintage,
        needs=needed_vintage(template, population) if template is not None else None,
        source=population,
    )


def national_view(population: PopulationFile, all_ages: bool) -> list[dict[str, Any]]:
    """Every area of the population file, with its bases (no RSO counts)."""
    rows = []
    for item in sorted(population.by_area.values(), key=lambda a: a.area):
        rows.append(
            {
                "area": item.area,
                "aged_10_plus": item.aged_10_plus,
                "all_ages": item.all_ages,
                "codes": ";".join(item.codes),
            }
        )
    if not rows:
        raise MappaError(f"{population.path}: no areas")
    return rows
