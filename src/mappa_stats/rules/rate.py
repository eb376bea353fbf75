"""A return's RSO rate: its Category 1 total on 31 March over its area's population aged 10 and over,
against the rate it states; and the two rate rules validate runs with --population (the rate reproduces,
the population estimate is the year's)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

from mappa_stats.definitions.templates import Severity, Template
from mappa_stats.errors import InputError
from mappa_stats.findings import Finding, plain
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import not_shipped, year_population
from mappa_stats.io.population_rate import Rate, compute_rate
from mappa_stats.io.stated import name_the_area
from mappa_stats.model import AreaTables, Cell
from mappa_stats.numbers import TOO_LARGE, Reading, read_number
from mappa_stats.rules.rule import RATE, Context, Rule, finding, input_form, rule

# A rate per 100,000 cannot exceed 100,000; a longer text is not a rate (and Decimal must not be
# asked to expand 1e999999999).
MAX_STATED_RATE = 100_000

MAX_STATED_CHARS = 20


def _no_area(area: AreaTables) -> str:
    """Why the rate cannot be reproduced without an area, and what to do, for the input it is."""
    if area.meta.source_format in ("pdf", "report-text"):
        return "the report names no MAPPA area (no police force in its text): give --area NAME"
    return f"the workbook does not name its MAPPA area: {name_the_area(area.meta.area_cell)}"


def needed_vintage(template: Template, population: PopulationFile) -> str | None:
    """The mid-year estimates the year's rate divides by ("mid-2017"), when the population file is not of
    that mid-year or does not say which it is (no title, no name, no --mid-year); None when it is the
    year's. The one place validate, signoff, rate, combine and the claims decide whether a population file
    can check a year's rate: another year's estimates, or estimates of no stated year, leave a stated rate
    not checked, never "wrong" (Rate.needs; a rule's reason is vintage_reason)."""
    wanted = f"mid-{template.population_mid_year}"
    return wanted if population.vintage != wanted else None


def vintage_reason(template: Template, population: PopulationFile) -> str | None:
    """Why the population file cannot check the year's rate, in words for a 'not checked' line; None when
    it can (needed_vintage decides)."""
    wanted = needed_vintage(template, population)
    if wanted is None:
        return None
    if population.vintage is None:
        return (
            f"the population file does not say its mid-year; give --mid-year {template.population_mid_year}"
        )
    return (
        f"not checked: needs {wanted}; the population file is {population.vintage}, and "
        f"{template.year} rates divide by the ONS {wanted} estimates: give that file"
    )


def refuse_other_mid_year(template: Template, population: PopulationFile | None) -> None:
    """Refuse (InputError, exit 2) a population file that names another mid-year than the year's rates
    divide by, as validate, signoff and combine do (docs/commands.md); a file that names none is let
    through: its rate is not checked (needed_vintage). A form with no rate (the NSD's Category 4) needs
    none."""
    if population is None or population.vintage is None or template.role("rsos") is None:
        return
    wanted = needed_vintage(template, population)
    if wanted is not None:
        raise InputError(
            f"{population.path}: the population file is {population.vintage}, but {template.year} rates "
            f"divide by the ONS {wanted} estimates; give that file, or leave out --population to use the "
            "ones built in"
        )


def aged_10_plus(population: PopulationFile, area: str, template: Template) -> float:
    """The area's population aged 10 and over in this file, as the year's rate divides by it: the one
    lookup validate's claims and compare's use. NaN when the file has none for it (the area is not in it,
    or it holds another mid-year's estimates than the year's: needed_vintage)."""
    if needed_vintage(template, population) is not None:
        return math.nan
    base = area_aged_10_plus(population, area)
    return math.nan if base is None else float(base)


def area_aged_10_plus(population: PopulationFile, area: str) -> int | None:
    """The area's population aged 10 and over in the file, whatever its mid-year; None when the area is not
    in it (combine sums these, and says itself which mid-year the file is)."""
    try:
        return population.get(area).aged_10_plus
    except InputError:
        return None


def stated_problem(text: str) -> tuple[Decimal | None, str]:
    """A stated rate read by the one parser of numbers (numbers.read_number: '१००' or '1_00' is not a rate;
    '1e999999999' is never expanded): (the rate, '') or (None, why it is not one)."""
    body = str(text).strip()
    reading = read_number(body) if len(body) <= MAX_STATED_CHARS else Reading(None, TOO_LARGE)
    shown = body if len(body) <= 40 else body[:40] + "…"
    if (reading.value is None and reading.problem != TOO_LARGE) or reading.percent:
        return None, f"the stated rate {shown!r} is not a number"
    value = reading.value
    if value is None or value < 0 or value > MAX_STATED_RATE:
        return None, (f"the stated rate {shown!r} is not a rate per 100,000 (0 to {MAX_STATED_RATE:,})")
    return value, ""


def parse_stated(text: str | None, where: str) -> Decimal | None:
    """A stated rate typed on the command line or read from a workbook; InputError naming where, when it is
    not a rate per 100,000."""
    if text is None or str(text).strip() == "":
        return None
    value, why = stated_problem(text)
    if value is None:
        raise InputError(f"{where}: {why}; give the rate per 100,000 alone, e.g. 100")
    return value


def cell_stated(cell: Cell | None) -> Decimal | None:
    """The rate a workbook's stated-rate cell holds (None when there is no cell, a marker or a blank);
    InputError naming the cell when it holds something that is not a rate."""
    if cell is None or cell.marker:
        return None
    if cell.value is not None:
        return Decimal(int(cell.value)) if cell.value.is_integer() else Decimal(str(cell.value))
    return parse_stated(cell.raw, cell.source)


def stated_cell(area: AreaTables) -> Cell | None:
    """The cell a workbook states its rate in (None for a return, which states none)."""
    role = area.template.role("stated_rate")
    return area.cell(*role) if role else None


def workbook_rate(
    area: AreaTables,
    population: PopulationFile,
    *,
    all_ages: bool = False,
    stated: str | None = None,
    ignore_stated: bool = False,
) -> Rate:
    """A workbook's rate: its Category 1 total on 31 March over its area's population, against the
    stated rate (the workbook's, unless one is given; none with ignore_stated). InputError says why it cannot
    be reproduced."""
    if not area.meta.area:
        raise InputError(f"{area.meta.path}: {_no_area(area)}")
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
    if ignore_stated:
        stated_rate = None
    elif stated is not None:
        stated_rate = parse_stated(stated, "--stated")
    else:
        stated_rate = cell_stated(stated_cell(area))
    return compute_rate(
        base.area,
        int(rsos),
        base,
        all_ages=all_ages or area.template.rate_base == "all_ages",
        stated=stated_rate,
        vintage=population.vintage,
        needs=needed_vintage(template, population),
        source=population,
    )


# --- the rate rules (need --population) -------------------------------------------------------------


def _population(ctx: Context, rule_id: str) -> PopulationFile | None:
    """The year's population (the --population file, else the shipped ONS estimates of the year's
    mid-year), when it has this area's population; None (and the rule skipped, saying why) otherwise."""
    population = year_population(ctx.given.population, ctx.area.template)
    if population is None:
        ctx.skip(rule_id, not_shipped(ctx.area.template.population_mid_year))
        return None
    if not ctx.area.meta.area:
        ctx.skip(
            rule_id,
            _no_area(ctx.area),
        )
        return None
    try:
        population.get(ctx.area.meta.area)
    except InputError as exc:  # one workbook's unknown area must not stop a national run
        if population.embedded:  # the shipped estimates have every area: the workbook's name is wrong
            ctx.skip(rule_id, f"{exc}; give --area NAME, one of the 42 MAPPA areas")
        else:
            ctx.skip(rule_id, str(exc))
        return None
    return population


def _not_run(ctx: Context, why: str) -> Iterator[Finding]:
    """A rate that could not be reproduced: with --population given, an error, never a quiet pass; on the
    shipped estimates, not checked (skipped, saying why: --strict fails it)."""
    if ctx.given.population is None:
        ctx.skip("rate.matches", why)
        return
    yield _rate_not_run(ctx, why)


def _rate_not_run(ctx: Context, why: str) -> Finding:
    """With --population given, a rate that could not be reproduced is an error, never a quiet pass."""
    role = ctx.area.template.role("stated_rate")
    return finding(
        rate_matches,
        ctx.area.cell(*role) if role else None,
        f"the rate could not be checked against the population file: {why}",
        expected="a rate reproduced from the population file",
        actual=None,
        table=role[0] if role else "",
        suggestion="fix what is named above, or run without --population to leave the rate unchecked",
    )


@rule(
    "rate.matches",
    Severity.ERROR,
    "The stated RSOs per 100,000 equals Category 1 on 31 March ÷ the ONS population of the year's base "
    "(aged 10+ from 2013-14) × 100,000, rounded half up to a whole number.",
    RATE,
)
def rate_matches(ctx: Context) -> Iterator[Finding]:
    """Reproduce the published rate from the population file given with --population."""
    not_a_rate = _stated_not_a_rate(ctx)
    if not_a_rate is not None:
        yield not_a_rate
        return
    population = _population(ctx, "rate.matches")
    if population is None:
        if ctx.given.population is not None:
            yield _rate_not_run(ctx, ctx.skipped["rate.matches"])
        return
    why = vintage_reason(ctx.area.template, population)
    if why is not None:
        # Another year's estimates, or estimates of no stated year, cannot say whether the stated rate is
        # right: not checked, never "wrong". A file of no stated year is only skipped (--strict fails it);
        # another year's is refused before the rules run (refuse_other_mid_year), an error if it gets here.
        if population.vintage is None:
            ctx.skip("rate.matches", why)
        else:
            yield from _not_run(ctx, why)
        return
    try:
        rate = workbook_rate(ctx.area, population)
    except InputError as exc:
        yield from _not_run(ctx, str(exc))
        return
    yield from _against_stated(ctx, rate, population)


def _stated_not_a_rate(ctx: Context) -> Finding | None:
    """A stated rate that is not a number (or not a rate per 100,000) is an error at its cell, as text in a
    count cell is, whatever the population: it is never "not checked". The suggestion names the rate the
    figures give, when they can give one."""
    cell = stated_cell(ctx.area)
    if cell is None or cell.marker or cell.value is not None or not str(cell.raw or "").strip():
        return None
    value, why = stated_problem(str(cell.raw))
    if value is not None:
        return None
    fix = "type the published rate per 100,000 as a number"
    population = year_population(ctx.given.population, ctx.area.template)
    template = ctx.area.template
    if population is not None and ctx.area.meta.area and needed_vintage(template, population) is None:
        try:
            rounded = workbook_rate(ctx.area, population, ignore_stated=True).rounded
            fix = f"state {rounded}, the rate per 100,000 the figures give, as a number"
        except InputError:
            pass  # the rate cannot be reproduced: the fix names no figure
    return finding(
        rate_matches,
        cell,
        why,
        expected="a rate per 100,000",
        actual=cell.raw,
        suggestion=fix,
    )


def _carries(area: AreaTables) -> str:
    """'a return carries', 'a tidy CSV has' …: what holds no stated rate, in words that fit the input."""
    form = input_form(area)
    return f"{form} {'carries' if form == 'a return' else 'has'}"


def _against_stated(ctx: Context, rate: Rate, population: PopulationFile) -> Iterator[Finding]:
    """The reproduced rate against the one the workbook states (a return states none: not applicable)."""
    role = ctx.area.template.role("stated_rate")
    stated_cell = ctx.area.cell(*role) if role else None
    if stated_cell is None and ctx.area.template.return_fields:
        # The Ministry's return has no rate to compare: the national pipeline computes it, as this did.
        # Nothing in the file states one, so the rule does not apply to it (and --strict does not fail it).
        ctx.does_not_apply(
            "rate.matches",
            f"{_carries(ctx.area)} no stated rate; its figures give {rate.rounded} per 100,000: "
            f"{rate.rsos:,} ÷ {rate.population:,} {rate.base} × 100,000 = {rate.two_dp}",
        )
        return
    if rate.stated is None or stated_cell is None:
        where = (
            f"{stated_cell.source} holds no rate" if stated_cell is not None else "the rate table is missing"
        )
        yield from _not_run(
            ctx, f"no stated rate to compare ({where}); type the published rate, e.g. {rate.rounded}"
        )
        return
    if rate.matches:
        return
    hint = ""
    if rate.all_ages_rounded is not None:
        hint = f"; an all-ages base ({rate.all_ages_population:,}) would give {rate.all_ages_rounded}"
        if rate.all_ages_explains_stated:
            hint += ", the stated figure: the under-10s were probably not excluded"
    vintage = (
        population.source
        if population.embedded
        else f"ONS {population.vintage}"
        if population.vintage
        else "population file"
    )
    stated = plain(float(rate.stated)) if rate.stated == rate.stated.to_integral_value() else str(rate.stated)
    yield finding(
        rate_matches,
        stated_cell,
        f"the stated rate is {stated} per 100,000 but {rate.rsos} RSOs ÷ "
        f"{rate.population:,} people {rate.base} ({vintage}) × 100,000 = {rate.two_dp}, which rounds to "
        f"{rate.rounded}{hint}",
        expected=rate.rounded,
        actual=stated,
        suggestion=f"state {rate.rounded}, and name the population vintage used",
    )


@rule(
    "rate.vintage",
    Severity.WARNING,
    "The population estimate (of the --population file, or a report's rate footnote) is the mid-year the "
    "year's definition names (the calendar year the reporting year starts).",
    RATE,
)
def rate_vintage(ctx: Context) -> Iterator[Finding]:
    """A rate computed on another year's (or a revised) population is not the published one."""
    wanted = f"mid-{ctx.area.template.population_mid_year}"
    stated = ctx.area.meta.stated_population
    if stated is not None and stated != wanted:
        # The report's own footnote names its estimate (issue 14): no population file needed.
        role = ctx.area.template.role("stated_rate")
        yield finding(
            rate_vintage,
            ctx.area.cell(*role) if role else None,
            f"the rate's footnote names the {stated} population estimate, but "
            f"{ctx.area.template.year} reports use {wanted}",
            expected=wanted,
            actual=stated,
            table=role[0] if role else "",
            suggestion=f"recompute the rate on the ONS {wanted} estimates, or correct the footnote",
        )
        return
    population = _population(ctx, "rate.vintage")
    if population is None:
        return
    if population.vintage is None:
        ctx.skip("rate.vintage", vintage_reason(ctx.area.template, population) or "")
        return
    if population.vintage != wanted:
        yield finding(
            rate_vintage,
            None,
            f"the population file is {population.vintage}, but {ctx.area.template.year} reports use {wanted}",
            expected=wanted,
            actual=population.vintage,
            table=(ctx.area.template.role("stated_rate") or ("",))[0],
            suggestion=f"use the ONS {wanted} estimates",
        )


RATE_RULES: tuple[Rule, ...] = (rate_matches, rate_vintage)
