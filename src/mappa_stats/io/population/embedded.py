"""The ONS estimates mappa-stats ships, and the one place a command finds the population a year's rate
divides by: the file given with --population, else the embedded estimates of the year's mid-year.

The table (schemas/population/ons_mye2_mappa_areas.csv) holds each MAPPA area and England and Wales ×
mid-year 2014 … 2023, aged 10 and over and all ages, built by tools/build_population.py from the ONS MYE2
releases as first published (schemas/population/sources.json names each release and its checksum).
"""

from __future__ import annotations

import csv
import json
from functools import cache
from typing import Any

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import schemas_dir
from mappa_stats.definitions.templates import Template
from mappa_stats.io.population.model import AreaPopulation, NationalRow, PopulationFile

TABLE = "ons_mye2_mappa_areas.csv"
SOURCES = "sources.json"
LAYOUT = "embedded ONS MYE2"


@cache
def sources() -> dict[int, dict[str, Any]]:
    """Each shipped mid-year's release: file, checksum, release words and England and Wales totals."""
    spec = json.loads((schemas_dir() / "population" / SOURCES).read_text(encoding="utf-8"))
    return {int(r["mid_year"]): r for r in spec["releases"]}


@cache
def ons_licence() -> str:
    """The attribution the Open Government Licence asks of every output that uses ONS estimates."""
    spec = json.loads((schemas_dir() / "population" / SOURCES).read_text(encoding="utf-8"))
    return str(spec["licence"])


@cache
def _table() -> dict[int, PopulationFile]:
    """The embedded estimates by mid-year, each as a population file of its own."""
    files: dict[int, PopulationFile] = {}
    with (schemas_dir() / "population" / TABLE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["mid_year"])
            vintage = f"mid-{year}"
            found = files.setdefault(
                year,
                PopulationFile(
                    f"the ONS {vintage} estimates shipped with mappa-stats",
                    LAYOUT,
                    vintage,
                    release=f"{sources()[year]['release']}, as first published",
                    embedded=True,
                ),
            )
            ten, everyone = int(row["aged_10_plus"]), int(row["all_ages"])
            if row["area"] == NATIONAL:
                found.national = NationalRow(ten, everyone, f"{found.path} ({TABLE})")
            else:
                found.by_area[row["area"]] = AreaPopulation(row["area"], ten, everyone)
    return files


def shipped() -> tuple[int, ...]:
    """The mid-years whose estimates are shipped."""
    return tuple(sorted(_table()))


def embedded(mid_year: int) -> PopulationFile | None:
    """The shipped ONS estimates of one mid-year, or None when they are not shipped."""
    return _table().get(mid_year)


def not_shipped(mid_year: int) -> str:
    """Why a year has no population without --population, and how to give it."""
    years = shipped()
    return (
        f"the ONS mid-{mid_year} population estimates are not shipped with mappa-stats (it has "
        f"mid-{years[0]} … mid-{years[-1]}); give them with --population FILE (an ONS MYE2 workbook or CSV, "
        "docs/population.md)"
    )


def year_population(given: PopulationFile | None, template: Template) -> PopulationFile | None:
    """The population a year's rate divides by: the file given with --population (whatever its mid-year:
    the rules say when it is another year's), else the shipped estimates of the mid-year the year's
    definition names; None when they are not shipped (not_shipped says why)."""
    if given is not None:
        return given
    return embedded(template.population_mid_year)
