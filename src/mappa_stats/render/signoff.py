"""The sign-off pack a MAPPA manager takes to the Strategic Management Board, as Markdown or HTML (and, for a
script or a terminal, as text, JSON, or CSV of its checks).

It holds what the Board needs to see before it signs the statistics off: the verdict (and, when the
return fails, a "not ready" panel listing the errors instead of lines to sign), the tables as they
will be published with each wrong cell marked and its suggested correction, every check in plain
words with its result, the rate reproduced with its population, vintage and rounding, and an audit
trail (file and SHA-256, mappa-stats version, template year with its status and sources, population
file and vintage, date and time). Both formats draw from one Pack, so they say the same things.
Every text that came from an input is escaped for the format it is written in.
"""

from __future__ import annotations

from dataclasses import asdict

from mappa_stats.findings import Finding
from mappa_stats.io.population import PopulationFile
from mappa_stats.model import AreaTables
from mappa_stats.render import html_pack
from mappa_stats.render.as_csv import as_csv
from mappa_stats.render.as_json import as_json
from mappa_stats.render.jinja import render
from mappa_stats.render.pack import Pack, build_pack
from mappa_stats.safetext import terminal
from mappa_stats.validate import FileReport
from mappa_stats.version import __version__

READY = "Ready to sign off. The tables are internally consistent: every check that ran passed."


def render_markdown(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as Markdown (wrapped lines, escaped input, signature only when it passes)."""
    return render("pack.md.j2", pack=build_pack(area, report, population, strict))


def render_html(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as one self-contained, accessible HTML document."""
    return html_pack.render_html(build_pack(area, report, population, strict))


def render_text(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as plain text for a terminal: verdict, what to correct, the checks, the rate, the audit."""
    pack = build_pack(area, report, population, strict)
    audit = pack.audit()
    lines = [terminal(pack.title), f"Produced by mappa-stats {__version__} on {audit[-1][1]}.", ""]
    lines.append(f"Verdict: {_verdict(pack)}")
    lines.extend(f"  {_finding(f, pack)}" for f in (*pack.errors, *pack.warnings))
    lines += ["", "Checks:"]
    lines.extend(
        f"  {c.result:<14} {c.id}: {c.description}" + (f" ({c.detail})" if c.detail else "")
        for c in pack.checks()
    )
    lines += ["", "Rate:", *(f"  {line}" for line in pack.rate_lines()), "", "Audit trail:"]
    lines.extend(f"  {name}: {value}" for name, value in audit)
    return "\n".join(terminal(line) for line in lines) + "\n"


def render_json(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as JSON: whether it is ready, what to correct, every check, the rate and the audit trail."""
    pack = build_pack(area, report, population, strict)
    return as_json(
        {
            "schema_version": "1.0",
            "tool": {"name": "mappa-stats", "version": __version__},
            "title": pack.title,
            "area": pack.area_name,
            "template": area.meta.template,
            "ready": pack.ready,
            "verdict": _verdict(pack),
            "errors": [f.to_dict() for f in pack.errors],
            "warnings": [f.to_dict() for f in pack.warnings],
            "checks": [asdict(c) for c in pack.checks()],
            "rate": pack.rate_lines(),
            "audit": [{"item": name, "value": value} for name, value in pack.audit()],
        }
    )


def render_csv(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack's checks, a row each: the rule, what it checks, its severity, its result and the detail."""
    pack = build_pack(area, report, population, strict)
    rows = [[c.id, c.description, c.severity, c.result, c.detail] for c in pack.checks()]
    return as_csv(["rule", "description", "severity", "result", "detail"], rows)


def _verdict(pack: Pack) -> str:
    if pack.ready:
        return READY
    n = len(pack.errors)
    return f"Not ready: {n} error{'s' * (n != 1)} to correct."


def _finding(f: Finding, pack: Pack) -> str:
    label = "ERROR" if f in pack.errors else "WARNING"
    fix = f" Suggested correction: {f.suggestion}." if f.suggestion else ""
    return f"{label} at {f.ref}: {f.said.rstrip('.')}.{fix}"
