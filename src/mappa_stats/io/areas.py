"""The 42 MAPPA areas and how a name is matched to one: 'Kent Police', 'KENT' and --area kent are Kent.

The areas, their police forces and the ONS codes that make each (schemas/areas.json), and the county each
district belongs to (schemas/districts.json).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from mappa_stats.definitions.load import schemas_dir
from mappa_stats.definitions.templates import normalize
from mappa_stats.errors import InputError

_AREA_WORDS = re.compile(r"\b(police|constabulary|service|mappa|area|force)\b")


@dataclass(frozen=True)
class Area:
    """A MAPPA area: its name, police forces and the code sets that make it, newest last."""

    name: str
    police_forces: tuple[str, ...]
    geographies: tuple[tuple[str, ...], ...]
    force_ids: tuple[str, ...] = ()
    country: str = ""  # 'England' or 'Wales'

    def names(self) -> set[str]:
        """Normalised names and force identifiers it is known by."""
        return {area_key(n) for n in (self.name, *self.police_forces, *self.force_ids)}


@cache
def areas() -> tuple[Area, ...]:
    """The 42 MAPPA areas (schemas/areas.json)."""
    spec = json.loads((schemas_dir() / "areas.json").read_text(encoding="utf-8"))
    return tuple(
        Area(
            name=a["name"],
            police_forces=tuple(a.get("police_forces", ())),
            geographies=tuple(tuple(g["codes"]) for g in a["geographies"]),
            force_ids=tuple(a.get("force_ids", ())),
            country=a.get("country", ""),
        )
        for a in spec["areas"]
    )


@cache
def district_parents() -> dict[str, str]:
    """District code → its county, metropolitan county or London code (schemas/districts.json)."""
    spec = json.loads((schemas_dir() / "districts.json").read_text(encoding="utf-8"))
    return dict(spec["parents"])


@lru_cache(maxsize=4096)  # the same few hundred names are folded for every file of a national run
def area_key(name: str) -> str:
    """Fold an area or force name: 'Kent Police' and 'KENT' → 'kent'."""
    folded = normalize(name).replace("&", "and").replace("-", " ")
    folded = _AREA_WORDS.sub(" ", folded)
    return re.sub(r"\s+", " ", folded).strip(" ,.")


def find_area(name: str) -> Area | None:
    """The MAPPA area a name or police force name refers to."""
    key = area_key(name)
    return next((a for a in areas() if key in a.names()), None)


def suggest_areas(name: str, among: Iterable[str] | None = None) -> str | None:
    """'Kent' for 'Kentt': the closest area names, or None when nothing is close."""
    names = list(among) if among is not None else [a.name for a in areas()]
    by_key = {area_key(n): n for n in names}
    close = difflib.get_close_matches(area_key(name), list(by_key), n=3, cutoff=0.75)
    return " or ".join(by_key[k] for k in close) or None


def check_area_option(given: str) -> str:
    """The MAPPA area --area names ('kent police' → 'Kent'); InputError, with the closest names, if none."""
    if not given.strip():
        raise InputError("--area is empty; give the MAPPA area's name, e.g. --area Kent")
    known = find_area(given)
    if known is None:
        hint = suggest_areas(given)
        raise InputError(
            f"--area {given!r} is not one of the 42 MAPPA areas"
            + (f"; did you mean {hint}?" if hint else "; see docs/population.md for their names")
        )
    return known.name
