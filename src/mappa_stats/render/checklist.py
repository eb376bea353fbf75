"""The accessibility checklist's report (check-publication): one line per item, its problems below it, and
the count; or the same as JSON."""

from __future__ import annotations

import json

from mappa_stats.checklist import Checked, Verdict
from mappa_stats.safetext import terminal

_SHOWN = 5  # problems listed under a failing item; the count says how many more


def checklist_text(checked: Checked) -> str:
    """'PASS tables.marked-up  Mark up tables …' for each item, the first problems of each failure, then
    '26 of 26 items pass'."""
    lines = [f"{terminal(checked.path)} ({checked.fmt}): the Analysis Function's accessibility checklist"]
    for outcome in checked.outcomes:
        verdict = "PASS" if outcome.verdict is Verdict.PASS else "FAIL"
        lines.append(f"{verdict} {outcome.item.id:<20} {outcome.item.asks}")
        for problem in outcome.problems[:_SHOWN]:
            lines.append(f"       - {terminal(problem)}")
        if len(outcome.problems) > _SHOWN:
            lines.append(f"       - and {len(outcome.problems) - _SHOWN} more")
    guidance = sorted({o.item.guidance for o in checked.outcomes})
    lines += ["", "Guidance:", *(f"  {g}" for g in guidance)]
    lines.append(f"{checked.passed} of {len(checked.outcomes)} items pass")
    return "\n".join(lines) + "\n"


def checklist_json(checked: Checked) -> str:
    """The same report as JSON: the file, its format, and each item with its verdict and problems."""
    document = {
        "file": checked.path,
        "format": checked.fmt,
        "passed": checked.passed,
        "items": [
            {
                "id": o.item.id,
                "asks": o.item.asks,
                "guidance": o.item.guidance,
                "verdict": o.verdict.value,
                "problems": list(o.problems),
            }
            for o in checked.outcomes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
