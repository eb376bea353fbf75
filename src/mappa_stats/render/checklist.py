"""The accessibility checklist's report (check-publication): one line per item, its problems below it, and
the count; or the same as Markdown, CSV, JSON or HTML."""

from __future__ import annotations

import json

from tabulate import tabulate

from mappa_stats.checklist import Checked, Verdict
from mappa_stats.render.as_csv import as_csv
from mappa_stats.render.html import from_markdown
from mappa_stats.safetext import markdown, terminal

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


def checklist_markdown(checked: Checked) -> str:
    """The report as Markdown: a table of the items with their verdicts and every problem, the guidance, the
    count."""
    rows = [
        [
            "PASS" if o.verdict is Verdict.PASS else "FAIL",
            f"`{o.item.id}`",
            markdown(o.item.asks),
            "; ".join(markdown(p) for p in o.problems),
        ]
        for o in checked.outcomes
    ]
    parts = [
        f"# Accessibility checklist: {markdown(checked.path)} ({checked.fmt})",
        "The Analysis Function's accessibility checklist.",
        tabulate(rows, headers=["Verdict", "Item", "Asks", "Problems"], tablefmt="pipe"),
        "Guidance: " + "; ".join(markdown(g) for g in sorted({o.item.guidance for o in checked.outcomes})),
        f"{checked.passed} of {len(checked.outcomes)} items pass",
    ]
    return "\n\n".join(parts) + "\n"


def checklist_csv(checked: Checked) -> str:
    """One row per item: the file, its format, the item, its verdict and its problems ('; ' between)."""
    rows = [
        [checked.path, checked.fmt, o.item.id, o.verdict.value, o.item.asks, "; ".join(o.problems)]
        for o in checked.outcomes
    ]
    return as_csv(["file", "format", "item", "verdict", "asks", "problems"], rows)


def checklist_html(checked: Checked) -> str:
    """The report as an HTML page (the Markdown document)."""
    return from_markdown("Accessibility checklist", checklist_markdown(checked))
