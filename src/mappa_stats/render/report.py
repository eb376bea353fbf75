"""Render validate's reports: a terminal verdict, Markdown for a sign-off pack (and HTML from it), versioned
JSON, or CSV of the findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mappa_stats.definitions.templates import Severity
from mappa_stats.findings import Finding
from mappa_stats.render.as_csv import as_csv
from mappa_stats.render.as_json import as_json
from mappa_stats.render.html import from_markdown
from mappa_stats.safetext import markdown, terminal
from mappa_stats.validate import FileReport, Status
from mappa_stats.version import __version__

REPORT_SCHEMA_VERSION = "1.2"


def overall_status(reports: Sequence[FileReport], strict: bool = False) -> str:
    """'error' when a file could not be read, else 'fail' when any failed, else 'pass'."""
    statuses = {r.status(strict) for r in reports}
    return "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"


def exit_code(reports: Sequence[FileReport], strict: bool = False) -> int:
    """0 pass, 1 the tables have errors (or warnings with --strict), 2 a file could not be read."""
    return {"pass": 0, "fail": 1, "error": 2}[overall_status(reports, strict)]


def _counts(report: FileReport) -> dict[str, int]:
    return {
        "rules_run": sum(1 for r in report.rules if r.status in (Status.PASSED, Status.FAILED)),
        "passed": sum(1 for r in report.rules if r.status == Status.PASSED),
        "failed": sum(1 for r in report.rules if r.status == Status.FAILED),
        "skipped": sum(1 for r in report.rules if r.status == Status.SKIPPED),
        "not_applicable": sum(1 for r in report.rules if r.status == Status.NOT_APPLICABLE),
        "errors": report.errors,
        "warnings": report.warnings,
    }


def report_document(reports: Sequence[FileReport], strict: bool = False) -> dict[str, Any]:
    """The JSON report (docs/report-format.md, schemas/report.schema.json)."""
    files = []
    for report in reports:
        entry: dict[str, Any] = {
            "path": report.path,
            "sha256": report.sha256,
            "template": report.template,
            "area": report.area,
            "status": report.status(strict),
            "findings": [f.to_dict() for f in report.findings],
        }
        if report.notes:
            entry["notes"] = list(report.notes)
        if report.error is not None:
            entry["error"] = report.error
        else:
            entry["template_status"] = "provisional" if report.provisional else "verified"
            entry["summary"] = _counts(report)
            entry["rules"] = [
                {
                    "id": r.id,
                    "severity": r.severity,
                    "status": r.status,
                    "findings": r.findings,
                    "note": r.note,
                }
                for r in report.rules
            ]
        files.append(entry)
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "status": overall_status(reports, strict),
        "strict": strict,
        "files": files,
    }


def render_json(reports: Sequence[FileReport], strict: bool = False, *, color: bool = False) -> str:
    """Versioned JSON for scripts and the national collation (colour is the terminal text's alone)."""
    return as_json(report_document(reports, strict))


def verdict_line(report: FileReport, strict: bool = False) -> str:
    """'kent.xlsx (Kent, template 2014-15): PASS — the tables are consistent'."""
    who = ", ".join(x for x in (report.area, f"template {report.template}" if report.template else None) if x)
    head = f"{report.path}" + (f" ({who})" if who else "")
    status = report.status(strict)
    if status == "error":
        return f"{head}: COULD NOT BE CHECKED"
    if status == "pass":
        extra = f" with {report.warnings} warning{'s' * (report.warnings != 1)}" if report.warnings else ""
        return f"{head}: PASS — the tables are consistent{extra}"
    unchecked = f", {report.unchecked} rule{'s' * (report.unchecked != 1)} not checked" if strict else ""
    return (
        f"{head}: FAIL — {report.errors} error{'s' * (report.errors != 1)}, "
        f"{report.warnings} warning{'s' * (report.warnings != 1)}{unchecked if report.unchecked else ''}"
    )


def provisional_line(report: FileReport) -> str:
    """The one line every report on a provisional year carries."""
    return (
        f"Note: template {report.template} is provisional: its tables are carried forward from an earlier "
        "year, not read from a published source; confirm its labels before relying on the verdict"
    )


def summary_line(report: FileReport) -> str:
    """'Summary: 13 rules run, 13 passed, …'."""
    c = _counts(report)
    skipped = f", {c['skipped']} skipped" if c["skipped"] else ""
    skipped += f", {c['not_applicable']} not applicable" if c["not_applicable"] else ""
    return (
        f"Summary: {c['rules_run']} rules run, {c['passed']} passed, {c['failed']} failed{skipped}; "
        f"{c['errors']} error{'s' * (c['errors'] != 1)}, {c['warnings']} warning{'s' * (c['warnings'] != 1)}"
    )


def not_checked(report: FileReport) -> list[str]:
    """'Not checked: rate.matches, rate.vintage (no --population file given)', one line per reason."""
    reasons: dict[tuple[Status, str], list[str]] = {}
    for result in report.rules:
        if result.status in (Status.SKIPPED, Status.NOT_APPLICABLE):
            reasons.setdefault((result.status, result.note), []).append(result.id)
    said = {Status.SKIPPED: "Not checked", Status.NOT_APPLICABLE: "Not applicable"}
    return [f"{said[status]}: {', '.join(ids)} ({why})" for (status, why), ids in reasons.items()]


def finding_line(f: Finding, width: int = 0) -> str:
    """ERROR totals.row  'Statistics'!E5  Level 1 total is 2335 but ..."""
    label = "ERROR" if f.severity == Severity.ERROR else "WARNING"
    # A located culprit's message starts with its cell; the line already shows it once.
    message = f.said
    return terminal(f"{label:<7} {f.rule:<{width}}  {f.ref}  {message}")


def render_text(reports: Sequence[FileReport], strict: bool = False, *, color: bool = False) -> str:
    """Verdict, one line per finding (suggestion indented below), summary."""
    import click

    def paint(text: str, **style: Any) -> str:
        return click.style(text, **style) if color else text

    blocks = []
    for report in reports:
        status = report.status(strict)
        tone = {"pass": "green", "fail": "red", "error": "red"}[status]
        lines = [paint(terminal(verdict_line(report, strict)), fg=tone, bold=True)]
        if report.provisional:
            lines.append(provisional_line(report))
        lines.extend(terminal(f"Note: {note}") for note in report.notes)
        if report.error is not None:
            lines.append(paint(terminal(f"ERROR   {report.error}"), fg="red"))
        width = max((len(f.rule) for f in report.findings), default=0)
        for f in report.findings:
            line = finding_line(f, width)
            lines.append(paint(line, fg="red" if f.severity == Severity.ERROR else "yellow"))
            if f.suggestion:
                lines.append(terminal(f"        suggestion: {f.suggestion}"))
        if report.error is None:
            lines.append(summary_line(report))
            lines.extend(not_checked(report))
        blocks.append("\n".join(lines))
    if len(reports) > 1:
        counts = {s: sum(1 for r in reports if r.status(strict) == s) for s in ("pass", "fail", "error")}
        blocks.append(
            f"{len(reports)} files: {counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['error']} could not be checked"
        )
    return "\n\n".join(blocks) + "\n"


def findings_markdown(report: FileReport) -> str | None:
    """The findings as a Markdown table, or None when there are none."""
    if not report.findings:
        return None
    rows = [
        [
            f.severity.upper(),
            f"`{f.rule}`",
            markdown(f.ref),
            markdown(f.message),
            markdown(f.suggestion or ""),
        ]
        for f in report.findings
    ]
    from tabulate import tabulate

    return tabulate(rows, headers=["Severity", "Rule", "Cell", "Finding", "Suggestion"], tablefmt="pipe")


def rules_markdown(report: FileReport) -> str:
    """Every rule with its result, as a Markdown table."""
    from tabulate import tabulate

    rules = [[f"`{r.id}`", r.severity, r.status, r.findings] for r in report.rules]
    return tabulate(rules, headers=["Rule", "Severity", "Result", "Findings"], tablefmt="pipe")


def render_markdown(reports: Sequence[FileReport], strict: bool = False, *, color: bool = False) -> str:
    """A sign-off section per file: verdict, findings table, rules table (colour is the terminal text's
    alone)."""
    parts = ["# MAPPA statistics validation report", f"mappa-stats {__version__}"]
    for report in reports:
        parts.append(f"## {markdown(report.path)}")
        parts.append(f"**{markdown(verdict_line(report, strict))}**")
        if report.provisional:
            parts.append(provisional_line(report))
        parts.extend(f"Note: {markdown(note)}" for note in report.notes)
        if report.error is not None:
            parts.append(f"Error: {markdown(report.error)}")
            continue
        if report.sha256:
            parts.append(f"SHA-256 of the input: `{report.sha256}`")
        findings = findings_markdown(report)
        if findings:
            parts.append(findings)
        parts.append(rules_markdown(report))
        parts.append(summary_line(report))
    return "\n\n".join(parts) + "\n"


FINDING_COLUMNS = ("path", "area", "template", "status", "rule", "severity", "cell", "finding", "suggestion")


def render_csv(reports: Sequence[FileReport], strict: bool = False, *, color: bool = False) -> str:
    """One row per finding, each naming its file, area, template and the file's status; a file with no
    finding (or that could not be read: its error is the finding) is one row with its status."""
    rows: list[list[object]] = []
    for report in reports:
        head = [report.path, report.area, report.template, report.status(strict)]
        if report.error is not None:
            rows.append([*head, "", "", "", report.error, ""])
        rows.extend(
            [*head, f.rule, f.severity.value, f.ref, f.said, f.suggestion or ""] for f in report.findings
        )
        if report.error is None and not report.findings:
            rows.append([*head, "", "", "", "", ""])
    return as_csv(FINDING_COLUMNS, rows)


def render_html(reports: Sequence[FileReport], strict: bool = False, *, color: bool = False) -> str:
    """The Markdown report as one HTML page."""
    return from_markdown("MAPPA statistics validation report", render_markdown(reports, strict))
