"""England and Wales's rate from the summed populations, and the population check (the areas add up to
the file's England and Wales row)."""

from __future__ import annotations

from pathlib import Path

from mappa_stats.combine.result import Combined, PopulationCheck, Problem, field_of_role
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.io.areas import areas
from mappa_stats.io.population import AreaPopulation, PopulationFile, england_and_wales
from mappa_stats.io.population_rate import compute_rate


def add_rates(combined: Combined, population: PopulationFile | None) -> None:
    """England and Wales: national Category 1 ÷ the areas' summed population aged 10+; the population
    check."""
    if population is None:
        combined.not_checked.append("rates and the population check (no --population file given)")
        return

    combined.population_path = population.path
    counted = [a for a in combined.areas if a.counted and a.area_id != NSD_ID]
    pops = [a.population for a in counted]
    code = field_of_role(combined.template, "rsos")
    rsos = combined.national_value(code) if code else None
    if counted and None not in pops and rsos is not None:
        total = sum(p for p in pops if p is not None)
        combined.national_population = total
        combined.national_rate = compute_rate(
            NATIONAL, rsos, AreaPopulation(NATIONAL, total, None), vintage=population.vintage
        )
    elif counted:
        without = [a.area for a in counted if a.population is None]
        why = (
            f"{', '.join(without[:3])}{' …' if len(without) > 3 else ''} without a population in the file"
            if without
            else "the national Category 1 is not known"
        )
        combined.not_checked.append(f"the {NATIONAL} rate ({why})")
    short = tuple(
        f"{a.name} (the file lacks {', '.join(population.lacking[a.name])})"
        if a.name in population.lacking
        else a.name
        for a in areas()
        if a.name not in population.by_area
    )
    present = [population.by_area[a.name] for a in areas() if a.name in population.by_area]
    everyone = [p.all_ages for p in present]
    check = PopulationCheck(
        path=population.path,
        vintage=population.vintage,
        areas_aged_10_plus=sum(p.aged_10_plus or 0 for p in present),
        areas_all_ages=None if None in everyone else sum(x for x in everyone if x is not None),
        national=england_and_wales(Path(population.path)),
        short=short,
    )
    combined.population = check
    if check.matches is False:
        combined.problems.append(Problem("population", check.message()))
    elif check.matches is None:
        combined.not_checked.append(f"the population check ({check.message()})")
