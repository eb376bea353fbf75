"""Build samples/errors/: copies of the Kent 2014-15 workbook broken the way people really break them.

Each case is the real sample with a few cells changed; the manifest records what was done, which rule
must catch it and the exit code. Expected outputs are written by the installed command and reviewed by
hand before committing. Run from the repository root:
    python tools/make_error_samples.py [--rebuild] [--outputs]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
KENT = ROOT / "samples" / "kent_2015.xlsx"
OUT = ROOT / "samples" / "errors"

# name: (what a person did, cells changed, rule that must fire, exit code)
CASES: dict[str, tuple[str, dict[str, Any], str, int]] = {
    "swapped_digits": ("Category 2 at Level 1 typed 778 instead of 787", {"C5": 778}, "totals.row", 1),
    "row_total_mistyped": ("Level 2 total typed 23 instead of 22", {"E6": 23}, "totals.row", 1),
    "column_total_mistyped": (
        "yearly Category 1 total typed 91 instead of 19",
        {"B15": 91},
        "totals.column",
        1,
    ),
    "grand_total_mistyped": (
        "31 March grand total typed 2375 instead of 2357",
        {"E8": 2375},
        "totals.row",
        1,
    ),
    "number_in_not_applicable": (
        "a 3 typed into Category 3 at Level 1, which cannot exist",
        {"D5": 3},
        "cells.not_applicable",
        1,
    ),
    "sopo_breach_in_category_2": (
        "a breach of SOPO return typed for Category 2",
        {"C33": 1},
        "cells.not_applicable",
        1,
    ),
    "missing_value": ("Category 2 at Level 2 left blank", {"C6": None}, "cells.missing", 1),
    "text_in_count": ("'six' typed as a word", {"C6": "six"}, "values.whole_number", 1),
    "decimal_count": ("0.5 typed at Level 3 Category 1", {"B7": 0.5}, "values.whole_number", 1),
    "number_stored_as_text": ("12 pasted as text", {"B6": "12"}, "values.text_number", 0),
    "thousands_separator": (
        "1,548 typed as text with a comma",
        {"B5": "1,548"},
        "values.thousands_separator",
        0,
    ),
    "not_collected": (
        "yearly Category 2 at Level 2 marked 'Not collected'",
        {"C13": "Not collected"},
        "cells.not_collected",
        0,
    ),
    "yearly_below_snapshot": (
        "yearly Level 2 Category 1 typed 10, below the 12 at Level 2 on 31 March (totals made to agree)",
        {"B13": 10, "E13": 24, "B15": 11, "E15": 27},
        "cross.yearly_ge_snapshot",
        1,
    ),
    "custody_above_yearly": (
        "8 Category 2 Level 2 returns to custody, more than the 7 managed at Level 2 in the year",
        {"C29": 8, "E29": 15, "C31": 8, "E31": 15},
        "cross.custody_le_yearly",
        1,
    ),
    "breach_notification_above_rsos": (
        "1,600 breaches of notification typed, more than the 1,560 RSOs",
        {"E17": 1600},
        "cross.breach_notification_le_rsos",
        1,
    ),
    "breach_notification_high_share": (
        "218 breaches of notification (14% of RSOs; neighbours report 1–3%)",
        {"E17": 218},
        "cross.breach_notification_share",
        0,
    ),
    "wrong_stated_share": (
        "commentary says 98% at Level 1 where the tables give 99%",
        {"E41": 0.98},
        "claims.level1_share",
        1,
    ),
    "count_in_share": (
        "commentary printed '666' where the percentage belongs",
        {"E41": 666},
        "claims.level1_share",
        1,
    ),
}


def build() -> dict[str, Any]:
    """Write every case and return the manifest."""
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (what, changes, rule_id, code) in CASES.items():
        manifest[name] = {"what": what, "cells": sorted(changes), "rule": rule_id, "exit_code": code}
        if (OUT / f"{name}.xlsx").exists() and "--rebuild" not in sys.argv:
            continue  # keep committed workbooks byte-identical (openpyxl stamps the save time)
        wb = load_workbook(KENT)
        ws = wb["Statistics"]
        for ref, value in changes.items():
            ws[ref] = value
            if ref == "E41" and isinstance(value, int):
                ws[ref].number_format = "General"
        wb.save(OUT / f"{name}.xlsx")
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def expected_outputs(manifest: dict[str, Any]) -> None:
    """Record what the installed command prints for each case (review before committing)."""
    for name in manifest:
        rel = f"samples/errors/{name}.xlsx"
        for fmt, suffix in (("text", "txt"), ("json", "json")):
            done = subprocess.run(
                [sys.executable, "-m", "mappa_stats", "validate", rel, "--format", fmt],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={"NO_COLOR": "1", "PATH": ""},
                check=False,
            )
            (OUT / f"{name}.{suffix}").write_text(done.stdout, encoding="utf-8")


if __name__ == "__main__":
    cases = build()
    if "--outputs" in sys.argv:
        expected_outputs(cases)
    print(f"wrote {len(cases)} cases to samples/errors/")
