"""Build the embedded population table (schemas/population/ons_mye2_mappa_areas.csv) from the raw ONS files.

For every release in schemas/population/sources.json: check the raw file's SHA-256, read it as ONS
published it with mappa-stats' own reader (`read_population`, the one `rate --population FILE` uses), and
check that its England and Wales row and the sum of its 42 MAPPA areas both equal the totals of
../shared/population/PROVENANCE.md (copied into sources.json). Only when every release passes is the
table written, whole. Run from the repository root:

    python tools/build_population.py               # the shared folder at ../shared (or $MAPPA_SHARED)
    python tools/build_population.py --check       # rebuild in memory and compare with the shipped table

Then `python tools/golden.py --write` if the table changed (and say so in the commit).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.io.areas import areas
from mappa_stats.io.population import england_and_wales, read_population

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "schemas" / "population" / "ons_mye2_mappa_areas.csv"
SOURCES = ROOT / "schemas" / "population" / "sources.json"
HEADER = ("mid_year", "area", "aged_10_plus", "all_ages")


def shared_population() -> Path:
    """The shared folder's population/ ($MAPPA_SHARED, else ../shared beside the repository)."""
    return Path(os.environ.get("MAPPA_SHARED") or ROOT.parent / "shared") / "population"


def release_rows(folder: Path, release: dict[str, object]) -> list[tuple[int, str, int, int]]:
    """One release's rows (each area, then England and Wales), after its checks; SystemExit when one fails."""
    year = int(str(release["mid_year"]))
    path = folder / str(release["file"])
    if not path.is_file():
        raise SystemExit(f"{path}: missing; the mid-{year} ONS file is needed (see PROVENANCE.md)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != release["sha256"]:
        raise SystemExit(f"{path}: SHA-256 {digest} is not {release['sha256']}: not the file ONS published")
    population = read_population(path, year)
    national = england_and_wales(path)
    expected = (release["aged_10_plus"], release["all_ages"])
    if national is None or (national.aged_10_plus, national.all_ages) != expected:
        raise SystemExit(f"{path}: the England and Wales row is not {expected} (PROVENANCE.md)")
    rows = []
    for area in areas():
        found = population.by_area[area.name]
        assert found.aged_10_plus is not None and found.all_ages is not None
        rows.append((year, area.name, found.aged_10_plus, found.all_ages))
    summed = (sum(r[2] for r in rows), sum(r[3] for r in rows))
    if summed != expected:
        raise SystemExit(f"{path}: the 42 areas add up to {summed}, not England and Wales's {expected}")
    rows.append((year, NATIONAL, int(str(expected[0])), int(str(expected[1]))))
    return rows


def build(folder: Path) -> str:
    """The whole table as CSV text."""
    spec = json.loads(SOURCES.read_text(encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for release in spec["releases"]:
        writer.writerows(release_rows(folder, release))
        print(f"mid-{release['mid_year']}: {release['file']} checked", file=sys.stderr)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped table, write nothing")
    args = parser.parse_args()
    text = build(shared_population())
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("the shipped table is what the raw files give" if same else f"{OUT} differs from the raw files")
        return 0 if same else 1
    temp = OUT.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(OUT)  # whole or not at all
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
