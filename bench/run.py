"""Time mappa-stats as whole processes, the way a manager or a script runs it.

    python bench/run.py [--repeat 15]

Prints the median wall time of each case and writes bench/results/latest.json. Targets (issue notes):
--help under 100 ms, tables and validate of the sample under 0.8 s, under 20 ms per extra workbook
when validating 42 in one call, five corrupted cells still well under a second, rate over a full MYE2
file under 1 s.
"""

from __future__ import annotations

import argparse
import json
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


def median_seconds(args: list[str], repeat: int) -> float:
    """Median wall time of running the command `repeat` times (after one warm-up run)."""
    subprocess.run(COMMAND + args, capture_output=True, check=False, cwd=ROOT)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(COMMAND + args, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Run every case and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    work = Path(tempfile.mkdtemp(prefix="mappa-bench-"))
    try:
        copies = []
        for i in range(42):
            copy = work / f"area_{i:02d}.xlsx"
            shutil.copy(KENT, copy)
            copies.append(str(copy))
        broken = work / "five_cells.xlsx"
        wb = load_workbook(KENT)
        ws = wb["Statistics"]
        for ref, value in {"C5": 778, "E6": 23, "B15": 91, "C29": 30, "E37": 46}.items():
            ws[ref] = value
        wb.save(broken)
        results = {
            "--help": median_seconds(["--help"], repeat),
            "tables kent_2015.xlsx": median_seconds(["tables", str(KENT)], repeat),
            "validate kent_2015.xlsx": median_seconds(["validate", str(KENT)], repeat),
            "validate five corrupted cells": median_seconds(["validate", str(broken)], repeat),
            "validate kent_2015_report.txt (published report text)": median_seconds(
                ["validate", str(ROOT / "samples" / "kent_2015_report.txt")], repeat
            ),
            "validate 42 workbooks": median_seconds(["validate", *copies], max(3, repeat // 3)),
            "rate over full MYE2 (every UK geography)": median_seconds(
                ["rate", "--population", str(MYE2)], repeat
            ),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per_extra = (results["validate 42 workbooks"] - results["validate kent_2015.xlsx"]) / 41
    results["validate: per extra workbook"] = per_extra
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f"{name:<{width}}  {seconds * 1000:8.1f} ms")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    rounded = {k: round(v, 4) for k, v in results.items()}
    (out / "latest.json").write_text(json.dumps(rounded, indent=2) + "\n")


if __name__ == "__main__":
    main()
