"""National sets for combine's tests: every area's return, its figures Kent's scaled by the area's id.

Area i's return holds Kent's figures × i (a consistent return stays consistent: every total and relation is
linear), so a national cell is Kent's × (1 + 2 + … + 42) = Kent's × 903, which the tests work out on their
own. Populations are the real ONS mid-2014 areas aged 10+ (samples/ons_mid2014.csv).
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from conftest import KENT_CSV, SAMPLES
from mappa_stats.io.population import read_population
from mappa_stats.io.ret import moj_area_ids
from returns import figures, make_return

AREAS = {i: n for i, n in moj_area_ids().items() if i != 43}
SUM_OF_IDS = sum(AREAS)  # 903


def scaled(year: str, factor: int) -> dict[str, int]:
    """Kent's consistent return of the year, every figure × factor."""
    return {code: value * factor for code, value in figures(year).items()}


def returns_set(folder: Path, year: str = "2023-24", skip: tuple[int, ...] = ()) -> dict[int, Path]:
    """The 42 area returns of the year in a folder, area i holding Kent's figures × i."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, name in AREAS.items():
        if i not in skip:
            out[i] = make_return(
                folder / f"area_{i:02d}.xlsx", year, scaled(year, i), area_id=i, area_name=name
            )
    return out


def populations() -> dict[str, int]:
    """The ONS mid-2014 population aged 10+ of each of the Ministry's 42 areas, by its name."""
    population = read_population(SAMPLES / "ons_mid2014.csv")
    return {name: population.get(name).aged_10_plus or 0 for name in AREAS.values()}


def rate(rsos: int, population: int) -> int:
    """RSOs per 100,000 aged 10+, rounded half up."""
    return int((Decimal(rsos) * 100_000 / Decimal(population)).quantize(Decimal(1), ROUND_HALF_UP))


def population_table(path: Path, drop: tuple[str, ...] = ()) -> Path:
    """An area-table population file of the areas (less `drop`) with its England and Wales row (all 42)."""
    pops = populations()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mappa_area", "aged_10_plus"])
        for name, value in pops.items():
            if name not in drop:
                writer.writerow([name, value])
        writer.writerow(["England and Wales", sum(pops.values())])
    return path


def tidy_set(folder: Path, skip: tuple[int, ...] = ()) -> dict[int, Path]:
    """The 42 areas' 2014-15 tidy CSVs: Kent's published tables × i, each stating its own correct rate."""
    folder.mkdir(parents=True, exist_ok=True)
    with KENT_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pops = populations()
    out = {}
    for i, name in AREAS.items():
        if i in skip:
            continue
        path = folder / f"area_{i:02d}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                row = dict(row, area=name)
                if row["table"] == "rsos_per_100k":
                    row["value"] = str(rate(1560 * i, pops[name]))
                elif row["table"] != "commentary" and row["value"].isdigit():
                    row["value"] = str(int(row["value"]) * i)
                writer.writerow(row)
        out[i] = path
    return out
