"""The rate command's document (rates, or the national view of a population file) in each format, for the
registry. The rendering itself is still `mappa_stats.rates.render` (outside this package: moving it here,
and its JSON onto render/as_json, is the rates module owner's step)."""

from __future__ import annotations

from typing import Any

from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population_rate import Rate
from mappa_stats.rates import render


def render_text(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as a plain table under the population file's name."""
    return render(rates, national, population, "text")


def render_markdown(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as a Markdown table."""
    return render(rates, national, population, "markdown")


def render_csv(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as CSV, one row each."""
    return render(rates, national, population, "csv")


def render_json(
    rates: list[Rate], national: list[dict[str, Any]] | None, population: PopulationFile | None
) -> str:
    """The rates (or the national view) as versioned JSON."""
    return render(rates, national, population, "json")
