"""The rate command's document — RSO rates for workbooks or one area, or the national view of a population
file (every area's bases) — in each format of the registry. `rates` is what mappa_stats.rates computed,
`national` the national view's rows (None for rates), `population` the file given (or the year's shipped
estimates), None when each workbook's year chose its own."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from mappa_stats import safetext
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population_rate import Rate
from mappa_stats.render.as_csv import as_csv
from mappa_stats.render.as_json import as_json
from mappa_stats.render.html import from_markdown
from mappa_stats.version import __version__

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
NATIONAL_COLUMNS = ("area", "aged_10_plus", "all_ages", "codes")
Rows = tuple[list[str], list[list[Any]]]


def render_text(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as a plain table under the population file's name."""
    return _table_text(rates, national, population, markdown=False)


def render_markdown(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as a Markdown table."""
    return _table_text(rates, national, population, markdown=True)


def render_html(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as an HTML page: the Markdown document's content."""
    title = "Population of every area" if national is not None else "RSO rates"
    return from_markdown(title, render_markdown(rates, national, population))


def render_csv(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as CSV, one row each; a rate's row names the population it divides
    by (a CSV has no title line)."""
    # Area names come from the population file: none may reach a spreadsheet as a formula (as_csv).
    return as_csv(*_rows(rates, national, with_source=True))


def render_json(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as versioned JSON."""
    return as_json(
        {
            "schema_version": "1.0",
            "tool": {"name": "mappa-stats", "version": __version__},
            "population": None if population is None else _population_json(population),
            "rates": [r.to_dict() for r in rates],
            "areas": national or [],
        }
    )


def sources(rates: list[Rate], population: PopulationFile | None) -> str:
    """The populations the rates divide by, each named once ('Population: …')."""
    named = list(dict.fromkeys(r.source for r in rates if r.source))
    if not named and population is not None:
        named = [population.source]
    return "; ".join(named)


def _rows(rates: list[Rate], national: list[dict[str, Any]] | None, with_source: bool = False) -> Rows:
    if national is not None:
        return list(NATIONAL_COLUMNS), [[r[h] for h in NATIONAL_COLUMNS] for r in national]
    headers = [*COLUMNS, "source"] if with_source else list(COLUMNS)
    return headers, [[d[h] for h in headers] for d in (r.to_dict() for r in rates)]


def _table_text(
    rates: list[Rate],
    national: list[dict[str, Any]] | None,
    population: PopulationFile | None,
    markdown: bool,
) -> str:
    """The text and Markdown documents: the population's name, the table, then a total or each rate's
    working in words."""
    escape = safetext.markdown if markdown else safetext.terminal
    headers, rows = _rows(rates, national)
    shown = [[escape(_fmt(v)) for v in row] for row in rows]
    table = tabulate(shown, headers=headers, tablefmt="pipe" if markdown else "simple", disable_numparse=True)
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
