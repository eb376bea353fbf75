"""What a rule is: the Rule record, the Context its check sees, and the Finding it makes.

Every rule of every kind (the code rules of values, totals and the rate; a year's relations and stated
shares; a claims file's claims) is a `Rule` whose check turns a `Context` into findings. The list of them
all, in the order validate runs them, is `rules.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mappa_stats.definitions.templates import Severity, TableDef
from mappa_stats.findings import Finding
from mappa_stats.model import AreaTables, Cell

if TYPE_CHECKING:
    from mappa_stats.io.population import PopulationFile
    from mappa_stats.rules.claims.claim import ClaimLine

CheckFn = Callable[["Context"], Iterator[Finding]]

CELLS, RATE = "cells", "rate"  # where a code rule stands: before the year's relations and claims, or after


@dataclass(frozen=True)
class Rule:
    """A rule: id, severity, one-line description and the function that checks it."""

    id: str
    severity: Severity
    description: str
    check: CheckFn
    stage: str = CELLS


def rule(rule_id: str, severity: Severity, description: str, stage: str = CELLS) -> Callable[[CheckFn], Rule]:
    """Make a check function the Rule of this id (the name it is defined under is then the Rule)."""

    def make(fn: CheckFn) -> Rule:
        return Rule(rule_id, severity, description, fn, stage)

    return make


@dataclass(frozen=True)
class Given:
    """What the command was given beside the files: the ONS population file (--population), the lines of a
    claims file (--claims), and the figures of every file given, by (area, year, field code), that the
    claims are judged against (a change needs two years)."""

    population: PopulationFile | None = None
    claims: tuple[ClaimLine, ...] = ()
    claim_figures: Mapping[tuple[str, str, str], float] = field(default_factory=dict)


@dataclass
class Context:
    """What a check can see — the area's tables, what the year's schema found, what the command was given —
    and what the checks record as they run: rules skipped or not applicable, and claims that reproduced."""

    area: AreaTables
    level1_share: str | None = None
    given: Given = field(default_factory=Given)
    # rule id → field codes where the year's pandera schema found the rule broken, for this return
    failures: dict[str, set[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id → why it had nothing to check
    not_applicable: dict[str, str] = field(default_factory=dict)  # rule id → why it does not apply
    claimed: list[str] = field(default_factory=list)  # the claims that reproduced, as notes

    def skip(self, rule_id: str, why: str) -> None:
        """Record that a rule had nothing to check (it is then 'skipped', not 'passed')."""
        self.skipped[rule_id] = why

    def does_not_apply(self, rule_id: str, why: str) -> None:
        """Record that a rule is about something this input's form never holds (a return's stated rate)."""
        self.not_applicable[rule_id] = why

    def failed(self, rule_id: str, code: str) -> bool:
        """True when the year's schema found this rule broken at this field."""
        return code in self.failures.get(rule_id, ())


def finding(
    rule: Rule,
    cell: Cell | None,
    message: str,
    *,
    expected: Any = None,
    actual: Any = None,
    suggestion: str | None = None,
    table: str = "",
    severity: str | None = None,
    field_code: str = "",
) -> Finding:
    """A Finding of a rule at a cell of the model (or at a table when there is no cell), at the rule's
    severity unless another is given."""
    return Finding(
        rule=rule.id,
        severity=Severity(severity or rule.severity),
        table=cell.table if cell else table,
        row=cell.row if cell else "",
        column=cell.column if cell else "",
        sheet=cell.sheet if cell else "",
        cell=cell.cell if cell else "",
        expected=expected,
        actual=actual,
        message=message,
        suggestion=suggestion,
        field=field_code,
    )


def describe(table: TableDef, cell: Cell) -> str:
    """Plain words for a cell: 'Level 1, Category 2 of MAPPA-eligible offenders on 31 March 2015'."""
    return table.describe(cell.row, cell.column)


def input_form(area: AreaTables) -> str:
    """What the area's figures were read from, in words that fit it: 'a return' (the Ministry's, its data
    sheet read), 'a tidy CSV', 'the published report', or 'the workbook'."""
    meta, template = area.meta, area.template
    if meta.source_format == "csv":
        return "a tidy CSV"
    if meta.source_format in ("pdf", "report-text"):
        return "the published report"
    sheet = template.return_sheet
    if sheet and any(f"'{sheet}'" in cell.source for cell in area.by_key.values()):
        return "a return"
    return "the workbook"
