"""What a rule is: the Rule record, the Context its check sees, and the Finding it makes.

Every rule of every kind (the code rules of values, totals and the rate; a year's relations and stated
shares; a claims file's claims) is a `Rule` whose check turns a `Context` into findings. The list of them
all, in the order validate runs them, is `rules.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mappa_stats.definitions.templates import TableDef
from mappa_stats.findings import Finding, Severity
from mappa_stats.model import AreaTables, Cell

CheckFn = Callable[["Context"], Iterator[Finding]]

CELLS, RATE = "cells", "rate"  # where a code rule stands: before the year's relations and claims, or after

CLAIMED = "claims_confirmed"  # Context.extras key: the lines of claims that reproduce, shown as notes


@dataclass(frozen=True)
class Rule:
    """A rule: id, severity, one-line description and the function that checks it."""

    id: str
    severity: str
    description: str
    check: CheckFn
    stage: str = CELLS


def rule(rule_id: str, severity: str, description: str, stage: str = CELLS) -> Callable[[CheckFn], Rule]:
    """Make a check function the Rule of this id (the name it is defined under is then the Rule)."""

    def make(fn: CheckFn) -> Rule:
        return Rule(rule_id, severity, description, fn, stage)

    return make


@dataclass
class Context:
    """What a check can see: the area's tables, what the year's schema found, and the command's figures."""

    area: AreaTables
    level1_share: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # rule id → field codes where the year's pandera schema found the rule broken, for this return
    failures: dict[str, set[str]] = field(default_factory=dict)

    def skip(self, rule_id: str, why: str) -> None:
        """Record that a rule had nothing to check (it is then 'skipped', not 'passed')."""
        self.extras.setdefault("skipped", {})[rule_id] = why

    def not_applicable(self, rule_id: str, why: str) -> None:
        """Record that a rule is about something this input's form never holds (a return's stated rate)."""
        self.extras.setdefault("not_applicable", {})[rule_id] = why

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
