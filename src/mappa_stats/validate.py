"""Run the rules over an area's tables and gather one report per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mappa_stats.checks import RULES, Context
from mappa_stats.errors import MappaError
from mappa_stats.findings import ERROR, WARNING, Finding
from mappa_stats.model import AreaTables

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True)
class RuleResult:
    """How one rule fared on one file."""

    id: str
    severity: str
    status: str
    findings: int
    note: str = ""


@dataclass(frozen=True)
class FileReport:
    """Everything validate has to say about one input file."""

    path: str
    sha256: str | None
    template: str | None
    area: str | None
    findings: tuple[Finding, ...] = ()
    rules: tuple[RuleResult, ...] = ()
    error: str | None = None
    raw_findings: tuple[Finding, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return sum(1 for f in self.findings if f.severity == WARNING)

    def status(self, strict: bool = False) -> str:
        """'error' (could not be read), 'fail' or 'pass'."""
        if self.error is not None:
            return "error"
        if self.errors or (strict and self.warnings):
            return "fail"
        return "pass"


def validate_area(
    area: AreaTables,
    *,
    level1_share: str | None = None,
    suggest: bool = True,
    extras: dict[str, object] | None = None,
    rules: Iterable[str] | None = None,
) -> FileReport:
    """Run every registered rule (or those named) and return the file's report."""
    ctx = Context(area=area, level1_share=level1_share, extras=dict(extras or {}))
    raw: list[Finding] = []
    results: list[RuleResult] = []
    for rule_id in rules or list(RULES):
        rule = RULES[rule_id]
        found = list(rule.check(ctx))
        raw.extend(found)
        skipped = ctx.extras.get("skipped", {})
        if found:
            status = FAILED
        elif isinstance(skipped, dict) and rule_id in skipped:
            status = SKIPPED
        else:
            status = PASSED
        note = skipped.get(rule_id, "") if isinstance(skipped, dict) else ""
        results.append(RuleResult(rule_id, rule.severity, status, len(found), str(note)))
    shown = raw
    if suggest:
        from mappa_stats.locate import explain_totals

        shown = explain_totals(area, raw)
    return FileReport(
        path=area.meta.path,
        sha256=area.meta.sha256,
        template=area.meta.template,
        area=area.meta.area,
        findings=tuple(shown),
        rules=tuple(results),
        raw_findings=tuple(raw),
    )


def validate_path(
    path: Path,
    *,
    year: str | None = None,
    level1_share: str | None = None,
    suggest: bool = True,
    reader: Callable[[Path, str | None], AreaTables] | None = None,
    extras: dict[str, object] | None = None,
    area_name: str | None = None,
) -> FileReport:
    """Read and validate one file; an unreadable file gives a report with status 'error'."""
    if reader is None:
        from mappa_stats.readers import read_area

        reader = read_area
    try:
        area = reader(path, year)
    except MappaError as exc:
        return FileReport(path=str(path), sha256=None, template=None, area=None, error=str(exc))
    if area_name:
        area = area.with_area(area_name)
    return validate_area(area, level1_share=level1_share, suggest=suggest, extras=extras)
