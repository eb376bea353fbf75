"""England and Wales's rate from the summed populations, and the population check (the areas add up to
the file's England and Wales row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mappa_stats.combine.result import (
    AreaLine,
    NationalTable,
    PopulationCheck,
    Problem,
    field_of_role,
    national_value,
)
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.definitions.templates import Template
from mappa_stats.io.areas import areas
from mappa_stats.io.population import AreaPopulation, PopulationFile, england_and_wales
from mappa_stats.io.population.embedded import not_shipped
from mappa_stats.io.population_rate import Rate, compute_rate


@dataclass(frozen=True)
class NationalRates:
    """What the population file gives the national run: England and Wales's rate and population aged 10+,
    the population check, the problem it finds and what could not be checked."""

    rate: Rate | None = None
    population: int | None = None
    check: PopulationCheck | None = None
    problems: tuple[Problem, ...] = ()
    not_checked: tuple[str, ...] = ()


def national_rates(
    lines: Sequence[AreaLine],
    template: Template,
    tables: Sequence[NationalTable],
    population: PopulationFile | None,
) -> NationalRates:
    """England and Wales: national Category 1 ÷ the areas' summed population aged 10+; the population
    check."""
    if population is None:
        why = not_shipped(template.population_mid_year)
        return NationalRates(not_checked=(f"rates and the population check ({why})",))

    code = field_of_role(template, "rsos")
    rsos = national_value(tables, code) if code else None
    rate, total, not_checked = _england_and_wales(lines, rsos, population)
    check = _population_check(population)
    problems: tuple[Problem, ...] = ()
    if check.matches is False:
        problems = (Problem("population", check.message()),)
    elif check.matches is None:
        not_checked.append(f"the population check ({check.message()})")
    return NationalRates(rate, total, check, problems, tuple(not_checked))


def _england_and_wales(
    lines: Sequence[AreaLine], rsos: int | None, population: PopulationFile
) -> tuple[Rate | None, int | None, list[str]]:
    """The national rate and population aged 10+ (the counted areas' sum), or why they are not checked."""
    counted = [a for a in lines if a.counted and a.area_id != NSD_ID]
    pops = [a.population for a in counted]
    if counted and None not in pops and rsos is not None:
        total = sum(p for p in pops if p is not None)
        rate = compute_rate(NATIONAL, rsos, AreaPopulation(NATIONAL, total, None), vintage=population.vintage)
        return rate, total, []
    if not counted:
        return None, None, []
    without = [a.area for a in counted if a.population is None]
    why = (
        f"{', '.join(without[:3])}{' …' if len(without) > 3 else ''} without a population in the file"
        if without
        else "the national Category 1 is not known"
    )
    return None, None, [f"the {NATIONAL} rate ({why})"]


def _population_check(population: PopulationFile) -> PopulationCheck:
    """Do the areas of the population file add up to its England and Wales row (which areas it lacks)?"""
    short = tuple(
        f"{a.name} (the file lacks {', '.join(population.lacking[a.name])})"
        if a.name in population.lacking
        else a.name
        for a in areas()
        if a.name not in population.by_area
    )
    present = [population.by_area[a.name] for a in areas() if a.name in population.by_area]
    everyone = [p.all_ages for p in present]
    return PopulationCheck(
        path=population.path,
        vintage=population.vintage,
        areas_aged_10_plus=sum(p.aged_10_plus or 0 for p in present),
        areas_all_ages=None if None in everyone else sum(x for x in everyone if x is not None),
        national=population.national if population.embedded else england_and_wales(Path(population.path)),
        short=short,
    )
