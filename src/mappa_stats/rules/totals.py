"""The totals rules: in every grid each row total is the sum of its categories and each column total the
sum of its levels (the year's pandera schema judges them; these say where, in words)."""

from __future__ import annotations

from collections.abc import Iterator

from mappa_stats.definitions.equations import equations
from mappa_stats.definitions.templates import Severity, TableDef
from mappa_stats.findings import Finding, plain
from mappa_stats.rules.rule import Context, Rule, finding, rule


def _gap(total: float, sums: float) -> str:
    diff = total - sums
    return f"{plain(abs(diff))} {'short' if diff > 0 else 'over'}"


def balance_message(
    table: TableDef,
    rule_id: str,
    total_key: tuple[str, str],
    total: float,
    sums: float,
    complete: bool = True,
) -> str:
    """'Level 1 total is 2335 but its categories add up to 2326 (9 short)'."""
    row, column = table.row(total_key[0]), table.column(total_key[1])
    grand = row.is_total and column.is_total
    if rule_id == "totals.row":
        subject = "The grand total" if grand else f"{row.label} total"
        parts = "the category totals" if grand else "its categories"
    else:
        subject = "The grand total" if grand else f"{column.short} total"
        parts = "the level totals" if grand else "its levels"
    if not complete:
        return (
            f"{subject} is {plain(total)} but the known figures of {parts} already add up to {plain(sums)} "
            f"({_gap(total, sums)}), before the ones not collected"
        )
    return f"{subject} is {plain(total)} but {parts} add up to {plain(sums)} ({_gap(total, sums)})"


def check_totals(ctx: Context, totals: Rule) -> Iterator[Finding]:
    """Row or column totals of every grid, where the year's schema found them broken."""
    rule_id = totals.id
    area = ctx.area
    template = area.template
    for eq in equations(template):
        if eq.rule != rule_id or not ctx.failed(rule_id, eq.total):
            continue
        table = template.table(eq.table)
        total = area.cell(*template.field_refs[eq.total])
        parts = [area.cell(*template.field_refs[p]) for p in eq.parts]
        if total is None or total.count is None:
            continue
        known = [p.count for p in parts if p is not None and p.count is not None]
        complete = len(known) == len(parts)
        sums = float(sum(known))
        where = "row" if rule_id == "totals.row" else "column"
        yield finding(
            totals,
            total,
            f"{balance_message(table, rule_id, (total.row, total.column), total.count, sums, complete)} in "
            f"{table.display_title!r}",
            expected=plain(sums) if complete else f">= {plain(sums)}",
            actual=plain(total.count),
            suggestion=f"check the {where}: this total or one of the cells adding up to it is wrong",
            field_code=eq.total,
        )


@rule(
    "totals.row",
    Severity.ERROR,
    "In every grid, each row total equals the sum of its categories (grand total included).",
)
def row_totals(ctx: Context) -> Iterator[Finding]:
    """Across each row."""
    return check_totals(ctx, row_totals)


@rule(
    "totals.column",
    Severity.ERROR,
    "In every grid, each column total equals the sum of its levels (grand total included).",
)
def column_totals(ctx: Context) -> Iterator[Finding]:
    """Down each column."""
    return check_totals(ctx, column_totals)


TOTAL_RULES: tuple[Rule, ...] = (row_totals, column_totals)
