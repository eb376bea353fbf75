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
from mappa_stats.errors import MappaError
from mappa_stats.io.population import PopulationFile
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
    population: PopulationFile,
    workbooks: Sequence[Path],
    *,
    year: str | None,
    all_ages: bool,
    stated: str | None,
    area: str | None = None,
    area_override: bool = False,
    sheet: str | None = None,
) -> list[Rate]:
    """One rate per workbook; `area` names the MAPPA area as --area does in every command."""
    from mappa_stats.io.readers import read_area  # lazy: the readers take time to load

    return [
        workbook_rate(
            read_area(path, year, area=area, override=area_override, sheet=sheet),
            population,
            all_ages=all_ages,
            stated=stated,
        )
        for path in workbooks
    ]


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
        all_ages=all_ages,
        stated=parse_stated(stated, "--stated"),
        vintage=population.vintage,
        needs=needed_vintage(template, population) if template is not None else None,
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


def render(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile, fmt: str
) -> str:
    """Rates (or the national view) as text, Markdown, CSV or JSON."""
    if fmt == "json":
        document = {
            "schema_version": "1.0",
            "tool": {"name": "mappa-stats", "version": __version__},
            "population": {
                "path": population.path,
                "layout": population.layout,
                "vintage": population.vintage,
            },
            "rates": [r.to_dict() for r in rates],
            "areas": national or [],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if national is not None:
        headers = ["area", "aged_10_plus", "all_ages", "codes"]
        rows = [[r[h] for h in headers] for r in national]
    else:
        headers = list(COLUMNS)
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
    vintage = f", {population.vintage}" if population.vintage else ""
    source = f"Population: {escape(population.path)} ({population.layout}{vintage})"
    lines = [source, "", table]
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
