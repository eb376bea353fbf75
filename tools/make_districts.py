"""Build schemas/districts.json: which county each district belongs to, for rolling districts up.

The ONS MYE2 mid-2014 sheet lists each county (E10), metropolitan county (E11) and London (E12000007)
followed by its districts (E07, E08, E09); this reads that order from the real file in tests/data/.
Run from the repository root: python tools/make_districts.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "tests" / "data" / "ons_mye2_mid2014_uk_persons.csv"
CHILD_OF = {"E07": "E10", "E08": "E11", "E09": "E12"}


def build() -> dict[str, str]:
    """District code → the county code above it in the ONS sheet."""
    parents: dict[str, str] = {}
    last: dict[str, str] = {}
    with RAW.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row or len(row[0]) != 9:
                continue
            code = row[0]
            last[code[:3]] = code
            parent_prefix = CHILD_OF.get(code[:3])
            if parent_prefix:
                parents[code] = last[parent_prefix]
    return parents


if __name__ == "__main__":
    parents = build()
    doc = {
        "description": (
            "District (E07), metropolitan district (E08) and London borough (E09) codes of the ONS mid-2014 "
            "geography, each with the county, metropolitan county or London code above it, read from the "
            "order of the ONS MYE2 mid-2014 sheet. Used to roll districts up when a population file has no "
            "county rows. Districts created after 2014 are not listed."
        ),
        "parents": parents,
    }
    (ROOT / "schemas" / "districts.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(parents)} districts")
