"""Time mappa-stats as whole processes, the way a manager or a script runs it.

    python bench/run.py [--repeat 15]

Prints the median wall time of each case and writes bench/results/latest.json. Targets (bench/README.md,
issue 20): --help under 100 ms; validate of one workbook at most 0.95 × a process that only imports pandas,
pandera and openpyxl, tables at most 0.5 ×; 630 workbooks (42 areas × 15 years) in one call under 3.5 s and
200 MB peak memory; reading one return at most 5 ms; rate over a full MYE2 file under 1 s; compare over a
national long CSV of every area and year in two releases under 5 s; combine of 43 returns (42 areas and
the NSD) under 1 s.

    python bench/run.py --only combine     # the combine cases alone
    python bench/run.py --only population  # rate over the largest raw ONS file, and on the built-in default
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
KENT = ROOT / "samples" / "kent_2015.xlsx"
MYE2 = ROOT / "tests" / "data" / "ons_mye2_mid2014_uk_persons.csv"
COMMAND = [str(Path(sys.executable).with_name("mappa-stats"))]
# The raw ONS files live in the shared folder (tests/test_population_ons.py): $MAPPA_SHARED, else ../shared.
SHARED = Path(os.environ.get("MAPPA_SHARED") or ROOT.parent / "shared") / "population" / "raw" / "later"


def median_seconds(args: list[str], repeat: int) -> float:
    """Median wall time of running the command `repeat` times (after one warm-up run)."""
    subprocess.run(COMMAND + args, capture_output=True, check=False, cwd=ROOT)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(COMMAND + args, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run, measured from a fresh parent process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], capture_output=True, check=False)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *COMMAND, *args], capture_output=True, text=True, cwd=ROOT
    )
    seconds, megabytes = done.stdout.split()
    return float(seconds), float(megabytes)


def imports_only(repeat: int) -> float:
    """Median wall time of a process that imports what validate needs and does nothing else."""
    args = [sys.executable, "-c", "import pandas, pandera.pandas, openpyxl"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


READ_ONE = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from mappa_stats.io.readers import read_area
imported = time.perf_counter()
read_area(Path(sys.argv[1]))
first = time.perf_counter()
for _ in range(50):
    read_area(Path(sys.argv[1]))
print(first - imported, (time.perf_counter() - first) / 50)
"""


def read_one_return(path: str, repeat: int) -> tuple[float, float]:
    """Reading one return alone, in a process of its own, its imports left out: the median first read (the
    year's definition loaded on the way) and the median of 50 reads after it, over `repeat` processes."""
    firsts, agains = [], []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", READ_ONE, path], capture_output=True, text=True, check=True
        )
        first, again = done.stdout.split()
        firsts.append(float(first))
        agains.append(float(again))
    return statistics.median(firsts), statistics.median(agains)


def write_national_long(
    path: Path, releases: int = 2, most: int | None = None, every: int = 50, swing: bool = False
) -> None:
    """A long CSV as combine writes it: every area and year, every field of the year, each in two releases
    (or more), cut at `most` figures; one field in `every` revised by each release after the first; with
    `swing`, every figure doubled in every other year (each change from one year to the next is large)."""
    from mappa_stats.definitions.load import available_years, load_template
    from mappa_stats.io.areas import areas

    names = ("first", "revised") if releases == 2 else tuple(f"release {r + 1}" for r in range(releases))
    lines = ["area,year,field,value,release"]
    for n, area in enumerate(areas()):
        for y, year in enumerate(available_years()):
            for i, code in enumerate(load_template(year).field_refs):
                for r, release in enumerate(names):
                    value = (100 + n + i) * (1 + (swing and y % 2)) + (r if i % every == 0 else 0)
                    lines.append(f"{area.name},{year},{code},{value},{release}")
    path.write_text("\n".join(lines[: None if most is None else most + 1]) + "\n", encoding="utf-8")


def compare_limit_cases() -> None:
    """compare at its limit (compare.read.MAX_FIGURES figures, five releases): peak memory of every format,
    with one figure in 50 revised (a national file), with every figure revised (the most revisions a report
    can hold: 280,000), and with every figure revised and every change from one year to the next large;
    and of the refusal one figure past the limit (docs/limits.md, "Resources")."""
    from mappa_stats.compare.read import MAX_FIGURES

    work = Path(tempfile.mkdtemp(prefix="mappa-bench-compare-"))
    formats = ("text", "markdown", "csv", "json", "html")
    try:
        cases = {
            "national, 1 in 50 revised": (MAX_FIGURES, 50, False),
            "every figure revised": (MAX_FIGURES, 1, False),
            "every figure revised, every change large": (MAX_FIGURES, 1, True),
            "one past the limit (refused)": (MAX_FIGURES + 1, 50, False),
        }
        for name, (figures, every, swing) in cases.items():
            path = work / "long.csv"
            write_national_long(path, releases=5, most=figures, every=every, swing=swing)
            for fmt in formats if figures <= MAX_FIGURES else ("text",):
                seconds, megabytes = peak(["compare", str(path), "-f", fmt])
                print(f"compare {figures:,} figures, {name}, {fmt}: {seconds:.1f} s, {megabytes:.0f} MB peak")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# The Ministry's national pipeline reads each return with pandas (its MAPPA/2023-2024 scripts, run one after
# another in one Jupyter kernel: 5-Sex.py imports nothing and 3-age.py uses the sex script's frame):
# 1-import-data.py reads the data sheet once (`usecols='A:BQ', nrows=2`; the NSD's 'A:T'); then 3-age.py,
# 4-Ethnicity.py and 5-Sex.py each read 'Data entry' three times per file: the area id (`usecols='A',
# nrows=2`), the area name (`usecols='C', nrows=2`) and the whole sheet, to find their block's first row.
MINISTRY_CODE = """
import sys
import pandas as pd
paths = sys.argv[1:]
for path in paths:  # 1-import-data.py
    columns = "A:T" if path.endswith("area_43.xlsx") else "A:BQ"
    pd.read_excel(path, sheet_name="23-24 data", usecols=columns, nrows=2)
for anchor in ("Under 18", "White - Scottish", "Female"):  # 3-age.py, 4-Ethnicity.py, 5-Sex.py
    for path in paths:
        area_id = pd.read_excel(path, sheet_name="Data entry", usecols="A", nrows=2).iloc[0, 0]
        area_name = pd.read_excel(path, sheet_name="Data entry", usecols="C", nrows=2).iloc[0, 0]
        sheet = pd.read_excel(path, sheet_name="Data entry")
        start = sheet[sheet.iloc[:, 1] == anchor].index[0]
"""
# The shorter reading of the same code: per file one read of the data sheet and three of 'Data entry'.
MINISTRY_SHORT = """
import sys
import pandas as pd
for path in sys.argv[1:]:
    columns = "A:T" if path.endswith("area_43.xlsx") else "A:BQ"
    data = pd.read_excel(path, sheet_name="23-24 data", usecols=columns)
    for block in ("age", "sex", "ethnicity"):
        entry = pd.read_excel(path, sheet_name="Data entry", header=None)
"""


def national_set(work: Path) -> list[str]:
    """The 42 area returns of 2023-24 (Kent's figures × the area id) and the NSD's, built as the tests do."""
    sys.path.insert(0, str(ROOT / "tests"))
    from mappa_stats.io.ret import moj_area_ids
    from returns import NSD, figures, make_return

    folder = work / "returns"
    folder.mkdir()
    paths = []
    for i, name in moj_area_ids().items():
        path = folder / f"area_{i:02d}.xlsx"
        if i == 43:
            make_return(path, "2023-24", NSD, area_id=43, area_name=name, form="nsd")
        else:
            values = {code: value * i for code, value in figures("2023-24").items()}
            make_return(path, "2023-24", values, area_id=i, area_name=name)
        paths.append(str(path))
    return paths


COMBINE = "combine 43 returns (42 areas and the NSD)"
MINISTRY = "the Ministry's code as written: 10 read_excel a return (1 data sheet, 3 scripts x 3 'Data entry')"
READ_FIRST = "read one return alone: the first read in a process, imports left out"
READ_AGAIN = "read one return alone: each read after the first (median of 50)"
SHORT = "the issue's reading of it: 4 read_excel per return (1 data sheet + 3 'Data entry')"


def interleaved(cases: dict[str, tuple[list[str], dict[str, str]]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, the cases taking turns (a busy moment of the machine falls on all
    of them alike, not on one), after one warm-up run of each."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for turn in range(repeat + 1):
        for name, (args, env) in cases.items():
            start = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True, env={**os.environ, **env}, cwd=ROOT)
            if turn:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def combine_cases(repeat: int) -> dict[str, float]:
    """combine of the 43 returns beside the Ministry's way of reading the same files, in the same run."""
    work = Path(tempfile.mkdtemp(prefix="mappa-bench-combine-"))
    try:
        paths = national_set(work)
        folder = str(Path(paths[0]).parent)
        first, again = read_one_return(paths[0], repeat)
        times = {READ_FIRST: first, READ_AGAIN: again}
        return times | interleaved(
            {
                COMBINE: ([*COMMAND, "combine", folder], {}),
                MINISTRY: ([sys.executable, "-c", MINISTRY_CODE, *paths], {}),
                SHORT: ([sys.executable, "-c", MINISTRY_SHORT, *paths], {}),
            },
            repeat,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def population_cases(repeat: int) -> dict[str, float]:
    """rate over the largest raw ONS workbook (mid-2022, 3.5 MB .xlsx) and over an .xls (mid-2018), where the
    shared folder has them, and rate on the built-in default (no population file)."""
    results = {
        "rate --area Kent --rsos 2000 --year 2022-23 (built-in default)": median_seconds(
            ["rate", "--area", "Kent", "--rsos", "2000", "--year", "2022-23"], repeat
        ),
    }
    for name, label in (
        ("mye22final.xlsx", "rate over mid-2022 mye22final.xlsx (3.5 MB)"),
        ("ukmidyearestimates20182019ladcodes.xls", "rate over mid-2018 .xls (1.5 MB)"),
    ):
        if (SHARED / name).is_file():
            args = ["rate", "--population", str(SHARED / name), "--area", "Kent", "--rsos", "2000"]
            results[label] = median_seconds(args, repeat)
        else:
            print(f"{SHARED / name}: absent, not measured", file=sys.stderr)
    return results


def main() -> None:
    """Run every case and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--only",
        choices=["combine", "population", "compare-limit"],
        default=None,
        help="Run these cases alone.",
    )
    options = parser.parse_args()
    # An installed package has its bytecode compiled; a shell with PYTHONDONTWRITEBYTECODE set would make
    # every run compile mappa-stats' modules again (~0.1 s), which no user pays. The warm-up run writes it.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    repeat = options.repeat
    if options.only == "combine":
        report_combine(combine_cases(max(3, repeat // 3)))
        return
    if options.only == "compare-limit":
        compare_limit_cases()
        return
    if options.only == "population":
        for name, seconds in population_cases(repeat).items():
            print(f"{name:<70}  {seconds * 1000:8.1f} ms")
        return
    work = Path(tempfile.mkdtemp(prefix="mappa-bench-"))
    try:
        copies = []
        for i in range(630):
            copy = work / f"area_{i:03d}.xlsx"
            shutil.copy(KENT, copy)
            copies.append(str(copy))
        broken = work / "five_cells.xlsx"
        wb = load_workbook(KENT)
        ws = wb["Statistics"]
        for ref, value in {"C5": 778, "E6": 23, "B15": 91, "C29": 30, "E37": 46}.items():
            ws[ref] = value
        wb.save(broken)
        national = work / "national_long.csv"
        write_national_long(national)
        results = {
            "python -c 'import pandas, pandera.pandas, openpyxl'": imports_only(repeat),
            "--help": median_seconds(["--help"], repeat),
            "tables kent_2015.xlsx": median_seconds(["tables", str(KENT)], repeat),
            "validate kent_2015.xlsx": median_seconds(["validate", str(KENT)], repeat),
            "validate five corrupted cells": median_seconds(["validate", str(broken)], repeat),
            "validate kent_2015_report.txt (published report text)": median_seconds(
                ["validate", str(ROOT / "samples" / "kent_2015_report.txt")], repeat
            ),
            "validate 42 workbooks": median_seconds(["validate", *copies[:42]], max(3, repeat // 3)),
            "compare a national long CSV (42 areas × 11 years, 2 releases)": median_seconds(
                ["compare", str(national)], max(3, repeat // 3)
            ),
            "rate over full MYE2 (every UK geography)": median_seconds(
                ["rate", "--population", str(MYE2)], repeat
            ),
        }
        results.update(population_cases(repeat))
        results.update(combine_cases(max(3, repeat // 3)))
        runs = [peak(["validate", *copies]) for _ in range(3)]
        results["validate 630 workbooks"] = statistics.median(s for s, _ in runs)
        memory = max(m for _, m in runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per_extra = (results["validate 42 workbooks"] - results["validate kent_2015.xlsx"]) / 41
    results["validate: per extra workbook"] = per_extra
    ratio = (
        results["validate kent_2015.xlsx"] / results["python -c 'import pandas, pandera.pandas, openpyxl'"]
    )
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f"{name:<{width}}  {seconds * 1000:8.1f} ms")
    print(f"{'validate ÷ imports only':<{width}}  {ratio:8.2f}")
    print(f"{'validate 630 workbooks: peak memory':<{width}}  {memory:8.1f} MB")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    rounded: dict[str, float] = {k: round(v, 4) for k, v in results.items()}
    rounded["validate / imports only"] = round(ratio, 3)
    rounded["validate 630 workbooks: peak MB"] = round(memory, 1)
    (out / "latest.json").write_text(json.dumps(rounded, indent=2) + "\n")
    report_combine(results)


def report_combine(results: dict[str, float]) -> None:
    """The combine cases and how many times faster than the Ministry's way combine is."""
    for name in (READ_FIRST, READ_AGAIN, COMBINE, MINISTRY, SHORT):
        print(f"{name}: {results[name] * 1000:.1f} ms")
    ours = results[COMBINE]
    print(
        f"combine is {results[MINISTRY] / ours:.1f} x faster than the Ministry's code as written "
        f"and {results[SHORT] / ours:.1f} x faster than the issue's reading of it "
        "(target: at least 5 x, under 2 s)"
    )


if __name__ == "__main__":
    main()
