"""What a population file gives: each MAPPA area's population aged 10 and over and all ages, the file's
layout and the mid-year it is of, and where the figures came from (docs/population.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mappa_stats.errors import InputError
from mappa_stats.io.areas import area_key, find_area, suggest_areas

# Code prefixes of rows that are sums of other rows (country, region, county, metropolitan county).
AGGREGATE_PREFIXES = ("K02", "K03", "K04", "E92", "W92", "S92", "N92", "E12", "E10", "E11")
LEVELS = {
    "K02": "United Kingdom",
    "K03": "Great Britain",
    "K04": "England and Wales",
    "E92": "country",
    "W92": "country",
    "S92": "country",
    "N92": "country",
    "E12": "region",
    "E10": "county",
    "E11": "metropolitan county",
    "E06": "unitary authority",
    "E07": "district",
    "E08": "metropolitan district",
    "E09": "London borough",
    "W06": "unitary authority",
    "S12": "council area",
    "N09": "district",
}


@dataclass(frozen=True)
class AreaPopulation:
    """One area's population bases, and where they came from."""

    area: str
    aged_10_plus: int | None
    all_ages: int | None
    codes: tuple[str, ...] = ()


@dataclass
class PopulationFile:
    """Populations by area from one file (or the embedded ONS estimates of one mid-year), with its layout
    and vintage; `source` names it in every output that uses it."""

    path: str
    layout: str
    vintage: str | None
    by_area: dict[str, AreaPopulation] = field(default_factory=dict)
    # An area the file's authorities almost make up: the codes it lacks (Kent without Medway: E06000035).
    lacking: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The release, when known ("MYE2 mid-2018 on April 2019 local authority codes (June 2019)"); the
    # embedded estimates always say (schemas/population/sources.json).
    release: str | None = None
    embedded: bool = False
    # The England and Wales row the areas must add up to, when known without reading the file again.
    national: NationalRow | None = None

    @property
    def source(self) -> str:
        """How an output names the estimates: 'ONS mid-2018 population estimates (MYE2, as first
        published), aged 10 and over', or the file's path, layout and vintage."""
        if self.embedded and self.vintage:
            return f"ONS {self.vintage} population estimates (MYE2, as first published), aged 10 and over"
        vintage = f", {self.vintage}" if self.vintage else ""
        return f"{self.path} ({self.layout}{vintage})"

    def get(self, name: str) -> AreaPopulation:
        """The population of an area, by MAPPA area or police force name."""
        area = find_area(name)
        key = area.name if area else name
        if key in self.by_area:
            return self.by_area[key]
        for known in self.by_area:
            if area_key(known) == area_key(name):
                return self.by_area[known]
        if key in self.lacking:
            codes = ", ".join(self.lacking[key])
            raise InputError(
                f"{self.path}: area {key!r} cannot be made up: the file lacks {codes}, of the authorities "
                f"{key} is made of; give a file with every local authority"
            )
        hint = suggest_areas(name, self.by_area)
        fix = f"did you mean {hint}?" if hint else "check the spelling or the file"
        raise InputError(
            f"{self.path}: area {name!r} is not in this population file "
            f"({len(self.by_area)} areas found); {fix}"
        )


@dataclass(frozen=True)
class NationalRow:
    """The file's own England and Wales row: what the areas must add up to."""

    aged_10_plus: int | None
    all_ages: int | None
    where: str  # the file and line it was read from
