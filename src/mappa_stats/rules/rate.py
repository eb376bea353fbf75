"""A return's RSO rate: its Category 1 total on 31 March over its area's population aged 10 and over,
against the rate it states."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from mappa_stats.errors import InputError
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population_rate import Rate, compute_rate

if TYPE_CHECKING:
    from mappa_stats.definitions.templates import Template
    from mappa_stats.model import AreaTables



# A rate per 100,000 cannot exceed 100,000; a longer text is not a rate (and Decimal must not be
# asked to expand 1e999999999).
MAX_STATED_RATE = 100_000


MAX_STATED_CHARS = 20


def needed_vintage(template: Template, population: PopulationFile) -> str | None:
    """The mid-year estimates the year's rate divides by ("mid-2017"), when the population file is of
    another mid-year; None when it is that year's or does not say. The one rule validate and rate apply:
    another year's estimates leave a stated rate not checked, never "wrong"."""
    wanted = f"mid-{template.population_mid_year}"
    return wanted if population.vintage not in (None, wanted) else None


def parse_stated(text: str | None, where: str) -> Decimal | None:
    """A stated rate typed on the command line or read from a workbook."""
    if text is None or str(text).strip() == "":
        return None
    body = str(text).strip()
    try:
        if len(body) > MAX_STATED_CHARS:
            raise InvalidOperation(body)
        value = Decimal(body)
    except InvalidOperation:
        shown = body if len(body) <= 40 else body[:40] + "…"
        raise InputError(
            f"{where}: the stated rate {shown!r} is not a number; give the rate per 100,000 alone, e.g. 100"
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_STATED_RATE:
        raise InputError(
            f"{where}: the stated rate {body!r} is not a rate per 100,000 (0 to {MAX_STATED_RATE:,}); "
            "give the rate per 100,000 alone, e.g. 100"
        )
    return value


def workbook_rate(
    area: AreaTables,
    population: PopulationFile,
    *,
    all_ages: bool = False,
    stated: str | None = None,
) -> Rate:
    """A workbook's rate: its Category 1 total on 31 March over its area's population, against the
    stated rate (the workbook's, unless one is given). InputError says why it cannot be reproduced."""
    if not area.meta.area:
        raise InputError(
            f"{area.meta.path}: the workbook does not name its MAPPA area; add a 'MAPPA area' cell "
            "beside the tables, or give --area NAME"
        )
    template = area.template
    rsos_ref = template.role("rsos")
    if rsos_ref is None:
        raise InputError(f"{area.meta.path}: the {template.year} definition names no RSO count (role 'rsos')")
    rsos = area.value(*rsos_ref)
    if rsos is None:
        cell = area.cell(*rsos_ref)
        where = cell.source if cell else area.meta.path
        raise InputError(f"{where}: the Category 1 total on 31 March is not a count; run validate first")
    base = population.get(area.meta.area)
    if stated is not None:
        stated_rate = parse_stated(stated, "--stated")
    else:
        stated_ref = template.role("stated_rate")
        cell = area.cell(*stated_ref) if stated_ref else None
        if cell is None or cell.marker:
            stated_rate = None
        elif cell.value is not None:
            stated_rate = Decimal(int(cell.value)) if cell.value.is_integer() else Decimal(str(cell.value))
        else:
            stated_rate = parse_stated(cell.raw, cell.source)
    return compute_rate(
        base.area,
        int(rsos),
        base,
        all_ages=all_ages or area.template.rate_base == "all_ages",
        stated=stated_rate,
        vintage=population.vintage,
        needs=needed_vintage(template, population),
    )
