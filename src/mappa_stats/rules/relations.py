"""The year's relations: rules tying cells together across tables (Category 1 on 31 March no more than the
year's Category 1, …), each defined as data in the year's definition with its own id and wording, and
reported where the year's pandera schema found it broken."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from mappa_stats.definitions.equations import equations
from mappa_stats.definitions.templates import Comparison, Ref, RelationRule, Template
from mappa_stats.findings import Finding, plain
from mappa_stats.model import AreaTables, Cell
from mappa_stats.numbers import half_up
from mappa_stats.rules.rule import Context, Rule, finding


def relation_rule(relation: RelationRule) -> Rule:
    """The rule of one relation of the year's definition: findings where the schema found it broken."""

    def check(ctx: Context) -> Iterator[Finding]:
        template = ctx.area.template
        typed_found = False
        only_totals: list[Finding] = []
        for comparison in relation.comparisons:
            for left, right in template.expand(comparison):
                if not ctx.failed(relation.id, template.field_of(left[0])):
                    continue
                found, derived = _broken(made, relation, comparison, ctx.area, (left, right))
                if derived:
                    # Totals nobody typed (a return's): said at the cells they add up, and only when no
                    # comparison of typed cells already said it, so a slip is not reported twice.
                    only_totals.append(found)
                else:
                    typed_found = True
                    yield found
        if not typed_found:
            yield from only_totals

    made = Rule(relation.id, relation.severity, relation.description, check)
    return made


def _broken(
    made: Rule,
    relation: RelationRule,
    comparison: Comparison,
    area: AreaTables,
    sides: tuple[Sequence[Ref], Sequence[Ref]],
) -> tuple[Finding, bool]:
    """The finding of one broken comparison, and whether every cell it compares is a derived total."""
    left, right = sides
    template = area.template
    lcells = [area.cell(*r) for r in left]
    rcells = [area.cell(*r) for r in right]
    derived = all(c is not None and c.derived for c in (*lcells, *rcells))
    if derived:
        lcells = _typed_leaves(area, left) or lcells
    lv = sum(c.count for c in lcells if c is not None and c.count is not None)
    rv = sum(c.count for c in rcells if c is not None and c.count is not None)
    bound = rv * comparison.factor
    first = lcells[0]
    assert first is not None
    words = _words(template, sides, (lcells, rcells), (lv, rv))
    words |= {"bound": plain(bound), "op": comparison.op}
    found = finding(
        made,
        first,
        relation.message.format(**words),
        expected=f"{comparison.op} {plain(bound)}",
        actual=plain(lv),
        suggestion=relation.suggestion.format(**words),
        field_code=template.field_of(left[0]),
    )
    return found, derived


def _words(
    template: Template,
    sides: tuple[Sequence[Ref], Sequence[Ref]],
    cells: tuple[Sequence[Cell | None], Sequence[Cell | None]],
    sums: tuple[float, float],
) -> dict[str, object]:
    """What a relation's message and suggestion may name: the two sums, their share, and the cells,
    rows, columns and tables of each side."""
    (left, right), (lcells, rcells), (lv, rv) = sides, cells, sums
    ltable, rtable = template.table(left[0][0]), template.table(right[0][0])
    return {
        "left": plain(lv),
        "right": plain(rv),
        "share": half_up(Decimal(lv * 100 / rv), 1) if rv else "",
        "row": ltable.row(left[0][1]).label,
        "column": ltable.column(left[0][2]).short,
        "left_cells": ", ".join(_source(c) for c in lcells),
        "left_table": ltable.display_title,
        "left_section": ltable.section or ltable.title,
        "right_row": rtable.row(right[0][1]).label,
        "right_column": rtable.column(right[0][2]).short,
        "right_table": rtable.display_title,
        "right_source": ", ".join(_source(c) for c in rcells),
    }


def _source(cell: Cell | None) -> str:
    return "" if cell is None else cell.source


def _typed_leaves(area: AreaTables, refs: Sequence[Ref]) -> list[Cell | None]:
    """The typed cells a derived total adds up, through totals of totals, in the definition's order."""
    parts = {eq.total: eq.parts for eq in equations(area.template) if eq.table}
    template = area.template
    out: list[Cell | None] = []
    pending = [template.field_of(r) for r in refs]
    seen: set[str] = set()
    while pending:
        code = pending.pop(0)
        if code in seen:
            continue
        seen.add(code)
        cell = area.cell(*template.field_refs[code])
        if cell is not None and cell.derived and code in parts:
            pending[:0] = list(parts[code])
        elif cell is not None and not cell.derived:
            out.append(cell)
    return out
