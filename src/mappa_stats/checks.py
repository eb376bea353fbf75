"""The rule registry: every consistency rule, each one function, one entry, one line in docs/rules.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mappa_stats.errors import InputError
from mappa_stats.findings import ERROR, WARNING, Finding, plain
from mappa_stats.model import (
    BLANK,
    DASH,
    GSS_MARKERS,
    NOT_COLLECTED,
    PERCENT,
    TEXT_NUMBER,
    THOUSANDS,
    AreaTables,
    Cell,
)
from mappa_stats.templates import Label, Relation, TableDef

CheckFn = Callable[["Context"], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule: id, severity, one-line description and the function that checks it."""

    id: str
    severity: str
    description: str
    check: CheckFn


@dataclass
class Context:
    """What a check can see: the area's tables and the figures given on the command line."""

    area: AreaTables
    level1_share: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def skip(self, rule_id: str, why: str) -> None:
        """Record that a rule had nothing to check (it is then 'skipped', not 'passed')."""
        self.extras.setdefault("skipped", {})[rule_id] = why


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, description: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under a rule id."""

    def register(fn: CheckFn) -> CheckFn:
        RULES[rule_id] = Rule(rule_id, severity, description, fn)
        return fn

    return register


def finding(
    rule_id: str,
    cell: Cell | None,
    message: str,
    *,
    expected: Any = None,
    actual: Any = None,
    suggestion: str | None = None,
    table: str = "",
    severity: str | None = None,
) -> Finding:
    """A Finding at a cell of the model (or at a table when there is no cell)."""
    return Finding(
        rule=rule_id,
        severity=severity or RULES[rule_id].severity,
        table=cell.table if cell else table,
        row=cell.row if cell else "",
        column=cell.column if cell else "",
        sheet=cell.sheet if cell else "",
        cell=cell.cell if cell else "",
        expected=expected,
        actual=actual,
        message=message,
        suggestion=suggestion,
    )


def short(label: Label) -> str:
    """'Category 1: Registered sex offenders' → 'Category 1'."""
    return label.label.split(":")[0]


def describe(table: TableDef, cell: Cell) -> str:
    """Plain words for a cell: 'Level 1, Category 2 of MAPPA-eligible offenders on 31 March 2015'."""
    if table.kind == "grid":
        return f"{table.row(cell.row).label}, {short(table.column(cell.column))} of {table.display_title!r}"
    if table.kind == "list":
        return f"{table.row(cell.row).label} of {table.display_title!r}"
    return repr(table.display_title)


def _count_cells(ctx: Context) -> Iterator[tuple[TableDef, Cell]]:
    """Applicable cells that should hold a count."""
    for (table_id, row_id, column_id), cell in ctx.area.cells().items():
        table = ctx.area.template.table(table_id)
        if table.cell_value_type(row_id) == "count" and table.is_applicable(row_id, column_id):
            yield table, cell


_ISSUE_WORDS = {
    "decimal": "a decimal",
    "negative": "negative",
    "date": "a date",
    "percentage": "a percentage",
    "text": "text",
    "not_finite": "not a finite number",
    "too_large": "far too large to be a count",
    "no_cached_value": "a formula with no saved value",
}


@rule(
    "values.whole_number",
    ERROR,
    "Every applicable count cell holds a whole number of 0 or more: decimals, negatives, dates, "
    "percentages and other text are errors.",
)
def check_whole_numbers(ctx: Context) -> Iterator[Finding]:
    """Checked with one pandera schema over every applicable count cell of the tidy model."""
    import pandera.pandas as pa

    cells = [(t, c) for t, c in _count_cells(ctx) if not c.marker]
    if not cells:
        return
    import pandas as pd

    frame = pd.DataFrame(
        {"issue": [c.issue for _, c in cells], "value": [c.value for _, c in cells]},
        index=pd.RangeIndex(len(cells)),
    )
    schema = pa.DataFrameSchema(
        {
            "issue": pa.Column(str, pa.Check.isin(["", TEXT_NUMBER, THOUSANDS]), name="issue"),
            "value": pa.Column(
                float,
                [pa.Check.ge(0), pa.Check(lambda s: s == s.round(), element_wise=False)],
                nullable=True,
            ),
        },
        name="count cells",
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        bad = sorted({int(i) for i in exc.failure_cases["index"].dropna()})
        for i in bad:
            table, cell = cells[i]
            kind = _ISSUE_WORDS.get(cell.issue, "not a whole number")
            if cell.issue == "no_cached_value":
                fix = "open the workbook in Excel or LibreOffice, let it calculate, and save it"
            else:
                fix = "type the whole number of offenders, 0 if there were none"
            yield finding(
                "values.whole_number",
                cell,
                f"{describe(table, cell)} holds {cell.raw!r}, which is {kind}",
                expected="whole number >= 0",
                actual=cell.raw,
                suggestion=fix,
            )


@rule(
    "values.text_number",
    WARNING,
    "A number stored as text ('12', ' 12 ') is read, but should be typed as a number.",
)
def check_text_numbers(ctx: Context) -> Iterator[Finding]:
    """Excel's green-triangle numbers: read, but worth fixing."""
    for table, cell in _count_cells(ctx):
        if cell.issue == TEXT_NUMBER:
            yield finding(
                "values.text_number",
                cell,
                f"{describe(table, cell)} is the number {plain(cell.value)} stored as text {cell.raw!r}",
                expected=plain(cell.value),
                actual=cell.raw,
                suggestion="retype it as a number (Excel: Convert to Number)",
            )


@rule(
    "values.thousands_separator",
    WARNING,
    "A count typed with a thousands separator ('1,548') is read as 1548.",
)
def check_thousands(ctx: Context) -> Iterator[Finding]:
    """Typed separators usually mean the cell is text, not a number."""
    for table, cell in _count_cells(ctx):
        if cell.issue == THOUSANDS:
            yield finding(
                "values.thousands_separator",
                cell,
                f"{describe(table, cell)} holds {cell.raw!r}, text with a thousands separator; read as "
                f"{plain(cell.value)}",
                expected=plain(cell.value),
                actual=cell.raw,
                suggestion=f"type {plain(cell.value)} as a number and let the cell format add separators",
            )


@rule(
    "cells.not_applicable",
    ERROR,
    "Cells the template marks not applicable (Category 3 at Level 1; Categories 2 and 3 of the breach of "
    "SOPO grid) are blank or '-'.",
)
def check_not_applicable(ctx: Context) -> Iterator[Finding]:
    """A number in a structurally empty cell."""
    for (table_id, row_id, column_id), cell in ctx.area.cells().items():
        table = ctx.area.template.table(table_id)
        if table.is_applicable(row_id, column_id):
            continue
        if cell.marker:
            continue  # blank, '-', or a shorthand marker: all say "nothing here"
        printed = table.not_applicable[(row_id, column_id)] or "blank"
        yield finding(
            "cells.not_applicable",
            cell,
            f"{describe(table, cell)} is not applicable ({table.na_reasons[(row_id, column_id)]}) "
            f"but holds {cell.raw!r}",
            expected=printed,
            actual=cell.raw,
            suggestion=f"leave it {'blank' if printed == 'blank' else repr(printed)}; if these offenders "
            "exist, they belong in another cell",
        )


@rule(
    "cells.missing",
    ERROR,
    "Every applicable cell holds a value: a blank or '-' where a count belongs is missing (use 0 for none).",
)
def check_missing(ctx: Context) -> Iterator[Finding]:
    """Blank applicable cells: a zero must be typed as 0."""
    for table, cell in _count_cells(ctx):
        if cell.marker in (BLANK, DASH, "[z]"):
            what = "is blank" if cell.marker == BLANK else f"holds {cell.raw!r} (not applicable)"
            if cell.raw.startswith("merged "):
                what = f"is blank (part of the merged cells {cell.raw.split()[1]}: unmerge them)"
            yield finding(
                "cells.missing",
                cell,
                f"{describe(table, cell)} {what}, but this cell applies",
                expected="a count",
                actual=cell.raw,
                suggestion="type the number, 0 if there were none; "
                "mark it 'not collected' only if it was not collected",
            )


@rule(
    "cells.not_collected",
    WARNING,
    "A cell marked not collected ('—', 'Not collected', '[x]') is never read as zero; "
    "sums through it are not checked.",
)
def check_not_collected(ctx: Context) -> Iterator[Finding]:
    """Not-available markers are allowed but worth a look before sign-off."""
    for table, cell in _count_cells(ctx):
        if cell.marker in (NOT_COLLECTED, *GSS_MARKERS) and cell.marker != "[z]":
            yield finding(
                "cells.not_collected",
                cell,
                f"{describe(table, cell)} is marked {cell.raw!r}: not collected, so "
                "totals through it are not checked",
                expected="a count",
                actual=cell.raw,
                suggestion="confirm the figure really was not collected this year",
            )


# --- totals ------------------------------------------------------------------------------------------


def _balance(area: AreaTables, table: TableDef, total: Cell, parts: list[Cell]) -> tuple[float, float] | None:
    """(total, sum of parts) when every cell holds a count; None when any cannot be checked."""
    if total.count is None:
        return None
    sums = 0.0
    for part in parts:
        if not table.is_applicable(part.row, part.column):
            continue
        if part.count is None:
            return None
        sums += part.count
    return total.count, sums


def _gap(total: float, sums: float) -> str:
    diff = total - sums
    return f"{plain(abs(diff))} {'short' if diff > 0 else 'over'}"


def grid_equations(table: TableDef) -> list[tuple[str, tuple[str, str], list[tuple[str, str]]]]:
    """Every balance equation of a grid: (rule, total cell, part cells) as (row, column) ids."""
    equations = []
    for row in table.rows:
        for column in table.columns:
            if column.is_total:
                equations.append(("totals.row", (row.id, column.id), [(row.id, c) for c in column.total_of]))
    for column in table.columns:
        for row in table.rows:
            if row.is_total:
                equations.append(
                    ("totals.column", (row.id, column.id), [(r, column.id) for r in row.total_of])
                )
    return equations


def balance_message(
    table: TableDef, rule_id: str, total_key: tuple[str, str], total: float, sums: float
) -> str:
    """'Level 1 total is 2335 but its categories add up to 2326 (9 short)'."""
    row, column = table.row(total_key[0]), table.column(total_key[1])
    grand = row.is_total and column.is_total
    if rule_id == "totals.row":
        subject = "The grand total" if grand else f"{row.label} total"
        parts = "the category totals" if grand else "its categories"
    else:
        subject = "The grand total" if grand else f"{short(column)} total"
        parts = "the level totals" if grand else "its levels"
    return f"{subject} is {plain(total)} but {parts} add up to {plain(sums)} ({_gap(total, sums)})"


def check_totals(ctx: Context, rule_id: str) -> Iterator[Finding]:
    """Row or column totals of every grid."""
    for table in ctx.area.template.tables:
        if table.kind != "grid" or not ctx.area.has_table(table.id):
            continue
        for eq_rule, total_key, part_keys in grid_equations(table):
            if eq_rule != rule_id:
                continue
            total = ctx.area.cell(table.id, *total_key)
            parts = [ctx.area.cell(table.id, *key) for key in part_keys]
            if total is None or any(p is None for p in parts):
                continue
            result = _balance(ctx.area, table, total, [p for p in parts if p is not None])
            if result is None or result[0] == result[1]:
                continue
            value, sums = result
            where = "row" if rule_id == "totals.row" else "column"
            yield finding(
                rule_id,
                total,
                f"{balance_message(table, rule_id, total_key, value, sums)} in {table.display_title!r}",
                expected=plain(sums),
                actual=plain(value),
                suggestion=f"check the {where}: this total or one of the cells adding up to it is wrong",
            )


@rule(
    "totals.row",
    ERROR,
    "In every grid, each row total equals the sum of its categories (grand total included).",
)
def check_row_totals(ctx: Context) -> Iterator[Finding]:
    """Across each row."""
    return check_totals(ctx, "totals.row")


@rule(
    "totals.column",
    ERROR,
    "In every grid, each column total equals the sum of its levels (grand total included).",
)
def check_column_totals(ctx: Context) -> Iterator[Finding]:
    """Down each column."""
    return check_totals(ctx, "totals.column")


# --- across tables -----------------------------------------------------------------------------------


def broken_relations(ctx: Context, rule_id: str) -> Iterator[tuple[Relation, Cell, Cell, float, float]]:
    """Cell pairs of the template's relations for one rule that do not hold, where both hold counts."""
    area = ctx.area
    for relation in area.template.relations:
        if relation.rule != rule_id:
            continue
        lt, lr, lc = relation.left
        rt, rr, rc = relation.right
        if not (area.has_table(lt) and area.has_table(rt)):
            continue
        if lc == "*":
            shared = {x.id for x in area.template.table(rt).columns}
            columns = [c.id for c in area.template.table(lt).columns if c.id in shared]
            pairs = [((lt, lr, c), (rt, rr, c)) for c in columns]
        else:
            pairs = [((lt, lr, lc), (rt, rr, rc))]
        for left_key, right_key in pairs:
            left, right = area.cell(*left_key), area.cell(*right_key)
            if left is None or right is None or left.count is None or right.count is None:
                continue
            lv, rv = left.count, right.count * relation.factor
            holds = {"<=": lv <= rv, ">=": lv >= rv, "==": lv == rv}[relation.op]
            if not holds:
                yield relation, left, right, left.count, right.count


@rule(
    "cross.yearly_ge_snapshot",
    ERROR,
    "The yearly Level 2 and Level 3 counts are at least the 31 March counts at that level, per category.",
)
def check_yearly_ge_snapshot(ctx: Context) -> Iterator[Finding]:
    """Everyone at a level on 31 March was at that level at some time in the year."""
    for _relation, left, right, lv, rv in broken_relations(ctx, "cross.yearly_ge_snapshot"):
        table = ctx.area.template.table(left.table)
        level = table.row(left.row).label
        yield finding(
            "cross.yearly_ge_snapshot",
            left,
            f"Yearly {level} {short(table.column(left.column))} is {plain(lv)}, below the {plain(rv)} at "
            f"{level} on 31 March ({right.source}); a yearly count includes everyone at that level "
            "on 31 March",
            expected=f">= {plain(rv)}",
            actual=plain(lv),
            suggestion=f"check both cells: the yearly figure should be at least {plain(rv)}",
        )


@rule(
    "cross.custody_le_yearly",
    ERROR,
    "Offenders returned to custody at a level and category are at most the yearly count at that "
    "level and category.",
)
def check_custody_le_yearly(ctx: Context) -> Iterator[Finding]:
    """Only offenders managed at Level 2 or 3 in the year can be returned to custody from it."""
    for _relation, left, right, lv, rv in broken_relations(ctx, "cross.custody_le_yearly"):
        table = ctx.area.template.table(left.table)
        level = table.row(left.row).label
        yield finding(
            "cross.custody_le_yearly",
            left,
            f"{plain(lv)} {level} {short(table.column(left.column))} offenders returned to custody "
            f"({table.section or table.title}), but only {plain(rv)} were managed at {level} in the year "
            f"({right.source})",
            expected=f"<= {plain(rv)}",
            actual=plain(lv),
            suggestion="check both cells: returns cannot exceed the yearly count",
        )


@rule(
    "cross.breach_notification_le_rsos",
    ERROR,
    "RSOs cautioned or convicted for breach of notification are at most the Category 1 total on 31 March.",
)
def check_breach_le_rsos(ctx: Context) -> Iterator[Finding]:
    """A breach count above the number of RSOs cannot be right."""
    for _relation, left, right, lv, rv in broken_relations(ctx, "cross.breach_notification_le_rsos"):
        yield finding(
            "cross.breach_notification_le_rsos",
            left,
            f"{plain(lv)} RSOs cautioned or convicted for breach of notification, more than the "
            f"{plain(rv)} RSOs on 31 March ({right.source})",
            expected=f"<= {plain(rv)}",
            actual=plain(lv),
            suggestion="check the breach count and the Category 1 total",
        )


@rule(
    "cross.breach_notification_share",
    WARNING,
    "RSOs cautioned or convicted for breach of notification above 10% of the Category 1 total is unusual "
    "(areas report 1–3%): confirm it.",
)
def check_breach_share(ctx: Context) -> Iterator[Finding]:
    """A plausibility band: a real area published 218 of 2,143 where neighbours were at 1–3%."""
    for relation, left, _right, lv, rv in broken_relations(ctx, "cross.breach_notification_share"):
        if lv <= rv:  # above the Category 1 total, the hard rule reports it
            share = Decimal(lv * 100 / rv).quantize(Decimal("0.1"), ROUND_HALF_UP)
            yield finding(
                "cross.breach_notification_share",
                left,
                f"{plain(lv)} RSOs cautioned or convicted for breach of notification is {share}% of the "
                f"{plain(rv)} RSOs on 31 March; areas usually report 1–3%",
                expected=f"<= {plain(rv * relation.factor)}",
                actual=plain(lv),
                suggestion="confirm the figure with the police before sign-off",
            )


# --- stated claims -----------------------------------------------------------------------------------


def _percent_text(text: str) -> tuple[Decimal, int, bool] | None:
    """'99%' → (99, 0 decimals, had a % sign); None when it is not a number."""
    body = text.strip()
    has_sign = body.endswith("%")
    body = body.rstrip("%").strip()
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number, decimals, has_sign


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round as people do (2.5 → 3), not as banks do."""
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


@rule(
    "claims.level1_share",
    ERROR,
    "The stated Level 1 share ('99% this year') is a percentage and equals Level 1 total ÷ 31 March total, "
    "rounded the same way.",
)
def check_level1_share(ctx: Context) -> Iterator[Finding]:
    """The commentary's headline share, from the workbook or --level1-share."""
    area = ctx.area
    for claim in area.template.claims:
        stated_cell = area.cell(*claim.stated)
        if ctx.level1_share is not None:
            stated_text, where = ctx.level1_share, None
        elif stated_cell is not None and not stated_cell.marker:
            stated_text = stated_cell.raw
            where = stated_cell
            if (
                stated_cell.issue == "decimal"
                and stated_cell.value is not None
                and 0 < stated_cell.value <= 1
            ):
                # A share kept as a fraction whose % format was lost (OpenDocument, CSV): 0.99 is 99%.
                stated_text = f"{Decimal(stated_cell.raw) * 100:f}".rstrip("0").rstrip(".") + "%"
        else:
            ctx.skip(claim.rule, "no stated share in the workbook and no --level1-share")
            continue
        numerator, denominator = area.value(*claim.numerator), area.value(*claim.denominator)
        parsed = _percent_text(stated_text)
        source = "--level1-share" if where is None else where.source
        if parsed is None or (where is not None and where.issue not in ("", PERCENT, TEXT_NUMBER, "decimal")):
            yield finding(
                claim.rule,
                where,
                f"the stated Level 1 share {stated_text!r} ({source}) is not a percentage",
                expected="a percentage such as 99%",
                actual=stated_text,
                table=claim.stated[0],
                suggestion="state the share as a percentage of the 31 March total",
            )
            continue
        number, decimals, _ = parsed
        if number > 100 or number < 0:
            yield finding(
                claim.rule,
                where,
                f"the stated Level 1 share {stated_text!r} ({source}) is not a percentage: a share cannot be "
                "above 100% (a count typed where the percentage belongs?)",
                expected="a percentage between 0 and 100",
                actual=stated_text,
                table=claim.stated[0],
                suggestion="state the share as a percentage of the 31 March total",
            )
            continue
        if numerator is None or not denominator:
            ctx.skip(claim.rule, "the Level 1 or 31 March total is not a count")
            continue
        exact = Decimal(numerator) * 100 / Decimal(denominator)
        computed = round_half_up(exact, decimals)
        if computed != number:
            yield finding(
                claim.rule,
                where,
                f"the stated Level 1 share is {number}% ({source}) but Level 1 is {plain(numerator)} of "
                f"{plain(denominator)} on 31 March = {round_half_up(exact, 2)}%, which rounds to {computed}%",
                expected=f"{computed}%",
                actual=f"{number}%",
                table=claim.stated[0],
                suggestion=f"state {computed}%",
            )


def rule_ids() -> list[str]:
    """Every registered rule id, in registry order."""
    return list(RULES)


# --- the rate (needs --population) -------------------------------------------------------------------


def _rate_inputs(ctx: Context, rule_id: str) -> tuple[Any, Any] | None:
    """The population file and this area's population, or None (and the rule skipped)."""
    population = ctx.extras.get("population")
    if population is None:
        ctx.skip(rule_id, "no --population file given")
        return None
    if not ctx.area.meta.area:
        ctx.skip(rule_id, "the workbook does not name its MAPPA area (a 'MAPPA area' cell)")
        return None
    try:
        return population, population.get(ctx.area.meta.area)
    except InputError as exc:  # one workbook's unknown area must not stop a national run
        ctx.skip(rule_id, str(exc))
        return None


@rule(
    "rate.matches",
    ERROR,
    "The stated RSOs per 100,000 equals Category 1 on 31 March ÷ the ONS population aged 10+ × 100,000, "
    "rounded half up to a whole number.",
)
def check_rate(ctx: Context) -> Iterator[Finding]:
    """Reproduce the published rate from the population file given with --population."""
    from mappa_stats.rates import workbook_rate

    inputs = _rate_inputs(ctx, "rate.matches")
    if inputs is None:
        return
    population, _ = inputs
    try:
        rate = workbook_rate(ctx.area, population)
    except InputError as exc:
        ctx.skip("rate.matches", str(exc))
        return
    stated_cell = ctx.area.cell("rsos_per_100k", "value", "value")
    if rate.stated is None or stated_cell is None:
        ctx.skip("rate.matches", "no stated rate in the workbook")
        return
    if rate.matches:
        return
    hint = ""
    if rate.all_ages_rounded is not None:
        hint = f"; an all-ages base ({rate.all_ages_population:,}) would give {rate.all_ages_rounded}"
        if rate.all_ages_explains_stated:
            hint += ", the stated figure: the under-10s were probably not excluded"
    vintage = f"ONS {population.vintage}" if population.vintage else "population file"
    yield finding(
        "rate.matches",
        stated_cell,
        f"the stated rate is {plain(stated_cell.value)} per 100,000 but {rate.rsos} RSOs ÷ "
        f"{rate.population:,} people {rate.base} ({vintage}) × 100,000 = {rate.two_dp}, which rounds to "
        f"{rate.rounded}{hint}",
        expected=rate.rounded,
        actual=plain(stated_cell.value),
        suggestion=f"state {rate.rounded}, and name the population vintage used",
    )


@rule(
    "rate.vintage",
    WARNING,
    "The population estimate (of the --population file, or a report's rate footnote) is the one the "
    "template expects: mid-2014 in 2014-15.",
)
def check_rate_vintage(ctx: Context) -> Iterator[Finding]:
    """A rate computed on another year's (or a revised) population is not the published one."""
    wanted = f"mid-{ctx.area.template.population_mid_year}"
    stated = ctx.area.meta.stated_population
    if stated is not None and stated != wanted:
        # The report's own footnote names its estimate (issue 14): no population file needed.
        yield finding(
            "rate.vintage",
            ctx.area.cell("rsos_per_100k", "value", "value"),
            f"the rate's footnote names the {stated} population estimate, but "
            f"{ctx.area.template.year} reports use {wanted}",
            expected=wanted,
            actual=stated,
            table="rsos_per_100k",
            suggestion=f"recompute the rate on the ONS {wanted} estimates, or correct the footnote",
        )
        return
    inputs = _rate_inputs(ctx, "rate.vintage")
    if inputs is None:
        return
    population, _ = inputs
    if population.vintage is None:
        ctx.skip("rate.vintage", "the population file does not say which mid-year it is")
        return
    if population.vintage != wanted:
        yield finding(
            "rate.vintage",
            None,
            f"the population file is {population.vintage}, but {ctx.area.template.year} reports use {wanted}",
            expected=wanted,
            actual=population.vintage,
            table="rsos_per_100k",
            suggestion=f"use the ONS {wanted} estimates",
        )
