"""The year's equalities, by field code: every grid total and every '==' relation of its definition.

Derived from the definition alone, and free of pandas: the readers (a return's derived totals), the checks,
the locator and the pandera schema all work from this one list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mappa_stats.definitions.constants import AREAID

if TYPE_CHECKING:
    from mappa_stats.definitions.templates import Template


@dataclass(frozen=True)
class Equation:
    """total == sum(parts), by field code: a grid's total, or a relation with '=='."""

    rule: str
    total: str
    parts: tuple[str, ...]
    table: str = ""  # the grid, for a total; empty for a relation


def equations(template: Template) -> list[Equation]:
    """Every equality of the year: grid totals (not-applicable cells left out) and '==' relations."""
    cached: list[Equation] | None = template.__dict__.get("_equations")
    if cached is None:
        cached = _equations(template)
        object.__setattr__(template, "_equations", cached)
    return cached


def _equations(template: Template) -> list[Equation]:
    out = []
    for table in template.tables:
        if table.kind == "value":
            continue
        for rule, total, parts in table.balance_equations():
            if not table.is_applicable(*total):
                continue
            kept = tuple(table.fields[p] for p in parts if table.is_applicable(*p))
            out.append(Equation(rule, table.fields[total], kept, table.id))
    for relation in template.relations:
        for comparison in relation.comparisons:
            if comparison.op != "==":
                continue
            for left, right in template.expand(comparison):
                one, many = (left, right) if len(left) == 1 else (right, left)
                cells = (*left, *right)
                if any(not template.table(t).is_applicable(r, c) for t, r, c in cells):
                    continue  # e.g. Category 3 at Level 1: nothing there to add up
                if len(one) == 1:
                    out.append(
                        Equation(
                            relation.id, template.field_of(one[0]), tuple(template.field_of(r) for r in many)
                        )
                    )
    return out


def _return_reach(template: Template) -> tuple[set[str], set[str], set[str]]:
    """The return's typed fields; those an equation reaches (a total, or a relation's '=='); those only a
    relation's bound reaches ('<=', '>='), through the totals derived from them."""
    typed = set(template.return_fields) - {AREAID}
    parts: dict[str, set[str]] = {}
    exact: set[str] = set()
    for eq in equations(template):
        cells = (eq.total, *eq.parts)
        if eq.table and eq.total not in typed:
            parts.setdefault(eq.total, set()).update(eq.parts)
        elif all(c in typed for c in cells):
            exact.update(cells)
    refs: dict[bool, list[str]] = {True: [], False: []}
    for relation in template.relations:
        for comparison in relation.comparisons:
            for left, right in template.expand(comparison):
                refs[comparison.op == "=="].extend(template.field_of(ref) for ref in (*left, *right))

    def close(seeds: list[str], reached: set[str]) -> set[str]:
        pending = list(seeds)
        while pending:
            code = pending.pop()
            if code not in reached:
                reached.add(code)
                pending.extend(parts.get(code, ()))
        return reached

    exact = close(refs[True], exact)
    return typed, exact, close(refs[False], set()) - exact


def unreached_return_fields(template: Template) -> tuple[str, ...]:
    """The return's fields that no total or relation of the year reaches (through the totals derived from
    them): a mistyped figure there passes every check, so a report on a return names them."""
    typed, exact, bound = _return_reach(template)
    return tuple(code for code in template.return_fields if code in typed - exact - bound)


def bound_only_return_fields(template: Template) -> tuple[str, ...]:
    """The return's fields only a relation's bound reaches ('at most the yearly count'): a mistyped figure
    there mostly passes (1132 for 1123 is within most bounds), so a report on a return names them too."""
    typed, _exact, bound = _return_reach(template)
    return tuple(code for code in template.return_fields if code in typed & bound)
