"""The rate command's work: RSO rates for workbooks, one named area, or every area of a population file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from mappa_stats import safetext
from mappa_stats.errors import InputError, MappaError
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import not_shipped, year_population
from mappa_stats.io.population_rate import Rate, compute_rate
from mappa_stats.rules.rate import needed_vintage, parse_stated, workbook_rate
from mappa_stats.version import __version__

if TYPE_CHECKING:
    from mappa_stats.definitions.templates import Template


COLUMNS = (
    "area",
    "rsos",
    "population",
    "base",
    "vintage",
    "rate",
    "rate_rounded",
    "one_in",
    "stated",
    "verdict",
)


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


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _population_json(population: PopulationFile) -> dict[str, Any]:
    """The population a document used: its file (or the shipped estimates), mid-year, source and release."""
    return {
        "path": population.path,
        "layout": population.layout,
        "vintage": population.vintage,
        "mid_year": int(population.vintage[4:]) if population.vintage else None,
        "source": population.source,
        "release": population.release,
        "embedded": population.embedded,
    }


def sources(rates: list[Rate], population: PopulationFile | None) -> str:
    """The populations the rates divide by, each named once ('Population: …')."""
    named = list(dict.fromkeys(r.source for r in rates if r.source))
    if not named and population is not None:
        named = [population.source]
    return "; ".join(named)


def render(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None, fmt: str
) -> str:
    """Rates (or the national view) as text, Markdown, CSV or JSON; `population` is the file given (or the
    year's shipped estimates), None when each workbook's year chose its own."""
    if fmt == "json":
        document = {
            "schema_version": "1.0",
            "tool": {"name": "mappa-stats", "version": __version__},
            "population": None if population is None else _population_json(population),
            "rates": [r.to_dict() for r in rates],
            "areas": national or [],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if national is not None:
        headers = ["area", "aged_10_plus", "all_ages", "codes"]
        rows = [[r[h] for h in headers] for r in national]
    else:
        # A CSV has no title line: each row names the population it divides by.
        headers = [*COLUMNS, "source"] if fmt == "csv" else list(COLUMNS)
        rows = [[d[h] for h in headers] for d in (r.to_dict() for r in rates)]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        # Area names come from the population file: none may reach a spreadsheet as a formula.
        writer.writerows(
            ["" if v is None else safetext.spreadsheet(v) if isinstance(v, str) else v for v in row]
            for row in rows
        )
        return buffer.getvalue()
    escape = safetext.markdown if fmt == "markdown" else safetext.terminal
    shown = [[escape(_fmt(v)) for v in row] for row in rows]
    table = tabulate(
        shown, headers=headers, tablefmt="pipe" if fmt == "markdown" else "simple", disable_numparse=True
    )
    lines = [f"Population: {escape(sources(rates, population))}", "", table]
    if national is not None:
        ten = sum(r["aged_10_plus"] or 0 for r in national)
        lines.append("")
        lines.append(f"{len(national)} areas; together {ten:,} people aged 10 and over.")
    else:
        for rate in rates:
            people = "people aged 10 and over" if rate.base == "aged 10+" else "people"
            one_in = f"; one for every {rate.one_in:,} {people}" if rate.one_in else ""
            lines.append("")
            verdict = rate.verdict()  # capitalize() would lower-case the rest ("the Ministry's")
            lines.append(
                f"{escape(rate.area)}: {rate.rsos:,} RSOs ÷ {rate.population:,} people {rate.base} "
                f"× 100,000 = {rate.two_dp} → {rate.rounded} per 100,000{one_in}. "
                f"{verdict[:1].upper()}{verdict[1:]}."
            )
    return "\n".join(lines) + "\n"
