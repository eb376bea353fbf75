"""The rule registry: every consistency rule, each one function, one entry, one line in docs/rules.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mappa_stats.definitions.templates import Claim, Ref, RelationRule, TableDef, Template
from mappa_stats.errors import InputError
from mappa_stats.findings import Finding, Severity, plain
from mappa_stats.model import (
    BLANK,
    BLANK_ZERO,
    DASH,
    GSS_MARKERS,
    NOT_COLLECTED,
    NUMERIC_ISSUES,
    PERCENT,
    TEXT_NUMBER,
    THOUSANDS,
    AreaTables,
    Cell,
)
from mappa_stats.numbers import half_up, judge

CheckFn = Callable[["Context"], Iterator[Finding]]

CELLS, RATE = "cells", "rate"  # where a code rule stands: before the year's relations and claims, or after


@dataclass(frozen=True)
class Rule:
    """A rule: id, severity, one-line description and the function that checks it."""

    id: str
    severity: str
    description: str
    check: CheckFn
    stage: str = CELLS


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


# Rules written in code, the same every year; each year's relations and claims come from its definition.
RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, description: str, stage: str = CELLS) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under a rule id."""

    def register(fn: CheckFn) -> CheckFn:
        RULES[rule_id] = Rule(rule_id, severity, description, fn, stage)
        return fn

    return register


def rules_for(template: Template) -> list[Rule]:
    """Every rule validate runs for a year: code rules, the year's relations and claims, then the rate."""
    out = [r for r in RULES.values() if r.stage == CELLS]
    out += [Rule(r.id, r.severity, r.description, relation_check(r)) for r in template.relations]
    out += [Rule(c.rule, c.severity, c.description, claim_check(c)) for c in template.claims]
    if template.role("rsos") is not None:  # the NSD's Category 4 has no rate per 100,000
        out += [r for r in RULES.values() if r.stage == RATE]
    return out


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
    field_code: str = "",
) -> Finding:
    """A Finding at a cell of the model (or at a table when there is no cell)."""
    return Finding(
        rule=rule_id,
        severity=Severity(severity or RULES[rule_id].severity),
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


def _cell_kinds(template: Template) -> dict[tuple[str, str, str], tuple[TableDef, str, bool, bool]]:
    """Every cell of the year: (its table, field code, applicable, holds a count), computed once a year."""
    cached: dict[tuple[str, str, str], tuple[TableDef, str, bool, bool]] | None = template.__dict__.get(
        "_cell_kinds"
    )
    if cached is None:
        cached = {
            (table.id, row.id, column.id): (
                table,
                table.fields[(row.id, column.id)],
                table.is_applicable(row.id, column.id),
                table.cell_value_type(row.id) == "count",
            )
            for table, row, column in template.cells()
        }
        object.__setattr__(template, "_cell_kinds", cached)
    return cached


def _cells(ctx: Context, applicable: bool) -> Iterator[tuple[TableDef, Cell, str]]:
    """Cells of the area (applicable count cells, or not-applicable ones) with their field codes."""
    kinds = _cell_kinds(ctx.area.template)
    for key, cell in ctx.area.cells().items():
        table, code, is_applicable, counts = kinds[key]
        if is_applicable != applicable or (applicable and not counts):
            continue
        yield table, cell, code


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


def _not_a_number(cell: Cell) -> bool:
    """True when the cell holds something other than a number or a marker (the schema cannot see it)."""
    return not cell.marker and cell.issue not in NUMERIC_ISSUES


@rule(
    "values.whole_number",
    Severity.ERROR,
    "Every applicable count cell holds a whole number of 0 or more: decimals, negatives, dates, "
    "percentages and other text are errors.",
)
def check_whole_numbers(ctx: Context) -> Iterator[Finding]:
    """Numbers are judged by the year's pandera schema; what is not a number at all, by the cell reader."""
    uncalculated = [(c, code) for _t, c, code in _cells(ctx, applicable=True) if c.issue == "no_cached_value"]
    if len(uncalculated) > 3:
        # A workbook saved by a script, never calculated: one cause, said once with every cell it leaves out.
        named = ", ".join(f"{code} ({c.source})" for c, code in uncalculated[:6])
        more = f" and {len(uncalculated) - 6} more" if len(uncalculated) > 6 else ""
        yield finding(
            "values.whole_number",
            uncalculated[0][0],
            f"{len(uncalculated)} cells hold a formula with no saved value (the workbook was saved without "
            f"being calculated): {named}{more}",
            expected="whole number >= 0",
            actual="no saved value",
            suggestion="open the workbook in Excel or LibreOffice, let it calculate, and save it",
            field_code=uncalculated[0][1],
        )
    grouped = {code for _c, code in uncalculated} if len(uncalculated) > 3 else set()
    for table, cell, code in _cells(ctx, applicable=True):
        if code in grouped or not (ctx.failed("values.whole_number", code) or _not_a_number(cell)):
            continue
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
            field_code=code,
        )


@rule(
    "values.text_number",
    Severity.WARNING,
    "A number stored as text ('12', ' 12 ') is read, but should be typed as a number.",
)
def check_text_numbers(ctx: Context) -> Iterator[Finding]:
    """Excel's green-triangle numbers: read, but worth fixing."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.issue == TEXT_NUMBER:
            yield finding(
                "values.text_number",
                cell,
                f"{describe(table, cell)} is the number {plain(cell.value)} stored as text {cell.raw!r}",
                expected=plain(cell.value),
                actual=cell.raw,
                suggestion="retype it as a number (Excel: Convert to Number)",
                field_code=code,
            )


@rule(
    "values.thousands_separator",
    Severity.WARNING,
    "A count typed with a thousands separator ('1,548') is read as 1548.",
)
def check_thousands(ctx: Context) -> Iterator[Finding]:
    """Typed separators usually mean the cell is text, not a number."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.issue == THOUSANDS:
            yield finding(
                "values.thousands_separator",
                cell,
                f"{describe(table, cell)} holds {cell.raw!r}, text with a thousands separator; read as "
                f"{plain(cell.value)}",
                expected=plain(cell.value),
                actual=cell.raw,
                suggestion=f"type {plain(cell.value)} as a number and let the cell format add separators",
                field_code=code,
            )


@rule(
    "cells.not_applicable",
    Severity.ERROR,
    "Cells the year's definition marks not applicable (with the reason it gives) are blank or '-'.",
)
def check_not_applicable(ctx: Context) -> Iterator[Finding]:
    """A number (found by the schema) or other content in a structurally empty cell."""
    for table, cell, code in _cells(ctx, applicable=False):
        if not (ctx.failed("cells.not_applicable", code) or _not_a_number(cell)):
            continue
        printed = table.not_applicable[(cell.row, cell.column)] or "blank"
        yield finding(
            "cells.not_applicable",
            cell,
            f"{describe(table, cell)} is not applicable ({table.na_reasons[(cell.row, cell.column)]}) "
            f"but holds {cell.raw!r}",
            expected=printed,
            actual=cell.raw,
            suggestion=f"leave it {'blank' if printed == 'blank' else repr(printed)}; if these offenders "
            "exist, they belong in another cell",
            field_code=code,
        )


@rule(
    "cells.missing",
    Severity.ERROR,
    "Every applicable cell holds a value: a blank or '-' where a count belongs is missing (use 0 for none).",
)
def check_missing(ctx: Context) -> Iterator[Finding]:
    """Blank applicable cells: a zero is typed as 0 (a return's blanks are read as 0, with one warning)."""
    read_as_zero = [
        (cell, code) for _t, cell, code in _cells(ctx, applicable=True) if cell.issue == BLANK_ZERO
    ]
    if read_as_zero:
        first = read_as_zero[0][0]
        named = ", ".join(f"{code} ({cell.source})" for cell, code in read_as_zero[:8])
        more = f" and {len(read_as_zero) - 8} more" if len(read_as_zero) > 8 else ""
        yield finding(
            "cells.missing",
            first,
            f"{len(read_as_zero)} field{'s' * (len(read_as_zero) != 1)} of the return "
            f"{'are' if len(read_as_zero) != 1 else 'is'} blank and read as 0, as the national pipeline "
            f"reads them: {named}{more}",
            expected="a count",
            actual="blank",
            suggestion="type 0 where there were none, so that a blank never hides a missing figure",
            severity=Severity.WARNING,
            field_code=read_as_zero[0][1],
        )
    for table, cell, code in _cells(ctx, applicable=True):
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
                field_code=code,
            )


@rule(
    "cells.not_collected",
    Severity.WARNING,
    "A cell marked not collected ('—', 'Not collected', '[x]') is never read as zero; sums through it "
    "are checked only as far as the known cells bound them.",
)
def check_not_collected(ctx: Context) -> Iterator[Finding]:
    """Not-available markers are allowed but worth a look before sign-off."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.marker in (NOT_COLLECTED, *GSS_MARKERS) and cell.marker != "[z]":
            yield finding(
                "cells.not_collected",
                cell,
                f"{describe(table, cell)} is marked {cell.raw!r}: not collected, so "
                "totals through it are checked only as far as the other cells bound them",
                expected="a count",
                actual=cell.raw,
                suggestion="confirm the figure really was not collected this year",
                field_code=code,
            )


# --- totals (judged by the year's pandera schema) ----------------------------------------------------


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


def check_totals(ctx: Context, rule_id: str) -> Iterator[Finding]:
    """Row or column totals of every grid, where the year's schema found them broken."""
    from mappa_stats.definitions.equations import equations

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
            rule_id,
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
def check_row_totals(ctx: Context) -> Iterator[Finding]:
    """Across each row."""
    return check_totals(ctx, "totals.row")


@rule(
    "totals.column",
    Severity.ERROR,
    "In every grid, each column total equals the sum of its levels (grand total included).",
)
def check_column_totals(ctx: Context) -> Iterator[Finding]:
    """Down each column."""
    return check_totals(ctx, "totals.column")


# --- the year's relations (data: rule id, op, factor, wording) ----------------------------------------


def _source(cell: Cell | None) -> str:
    return "" if cell is None else cell.source


def relation_check(relation: RelationRule) -> CheckFn:
    """The check of one relation rule of the year's definition: findings where the schema found it broken."""

    def check(ctx: Context) -> Iterator[Finding]:
        area = ctx.area
        template = area.template
        typed_found = False
        only_totals: list[Finding] = []
        for comparison in relation.comparisons:
            for left, right in template.expand(comparison):
                code = template.field_of(left[0])
                if not ctx.failed(relation.id, code):
                    continue
                lcells = [area.cell(*r) for r in left]
                rcells = [area.cell(*r) for r in right]
                derived = all(c is not None and c.derived for c in (*lcells, *rcells))
                if derived:
                    # Totals nobody typed (a return's): said at the cells they add up, and only when no
                    # comparison of typed cells already said it, so a slip is not reported twice.
                    lcells = _typed_leaves(area, left) or lcells
                typed_found = typed_found or not derived
                lv = sum(c.count for c in lcells if c is not None and c.count is not None)
                rv = sum(c.count for c in rcells if c is not None and c.count is not None)
                bound = rv * comparison.factor
                first = lcells[0]
                assert first is not None
                ltable, rtable = template.table(left[0][0]), template.table(right[0][0])
                words = {
                    "left": plain(lv),
                    "right": plain(rv),
                    "bound": plain(bound),
                    "op": comparison.op,
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
                found = finding(
                    relation.id,
                    first,
                    relation.message.format(**words),
                    expected=f"{comparison.op} {plain(bound)}",
                    actual=plain(lv),
                    suggestion=relation.suggestion.format(**words),
                    severity=relation.severity,
                    field_code=code,
                )
                if derived:
                    only_totals.append(found)
                else:
                    yield found
        if not typed_found:
            yield from only_totals

    return check


def _typed_leaves(area: AreaTables, refs: Sequence[Ref]) -> list[Cell | None]:
    """The typed cells a derived total adds up, through totals of totals, in the definition's order."""
    from mappa_stats.definitions.equations import equations

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


# --- stated claims -----------------------------------------------------------------------------------


def _percent_text(text: str) -> tuple[Decimal, int, bool] | None:
    """'99%' → (99, 0 decimals, had a % sign); None when it is not a number."""
    body = text.strip()
    has_sign = body.endswith("%")
    body = body.rstrip("%").strip()
    if len(body) > 20:  # beyond any stated share, and beyond Decimal's 28-digit rounding
        return None
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if not number.is_finite() or abs(number.adjusted()) > 6:
        return None
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number, decimals, has_sign


def _as_percent(fraction: Decimal) -> str:
    """0.99 → '99%', 1 → '100%', 0.995 → '99.5%': a share kept as a fraction, as a percentage."""
    text = f"{fraction * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round as people do (2.5 → 3), not as banks do."""
    return half_up(value, decimals)


def claim_check(claim: Claim) -> CheckFn:
    """The check of one stated share of the year's definition, from the workbook or --level1-share."""

    def check(ctx: Context) -> Iterator[Finding]:
        area = ctx.area
        template = area.template
        stated_cell = area.cell(*claim.stated)
        code = template.field_of(claim.stated)
        given = ctx.level1_share if claim.stated == template.role("level1_share") else None
        if given is not None:
            stated_text, where = given, None
            typed = _percent_text(stated_text)
            if typed is not None and not typed[2] and 0 < typed[0] <= 1:
                # A share typed as a fraction (0.99) means 99%, as the workbook's own 0.99 does.
                stated_text = _as_percent(typed[0])
        elif stated_cell is not None and not stated_cell.marker:
            stated_text = stated_cell.raw
            where = stated_cell
            if (
                stated_cell.issue == "decimal"
                and stated_cell.value is not None
                and 0 < stated_cell.value <= 1
            ):
                # A share kept as a fraction whose % format was lost (OpenDocument, CSV): 0.99 is 99%.
                stated_text = _as_percent(Decimal(stated_cell.raw))
        elif stated_cell is None and template.report_only(claim.stated[0]):
            level1 = claim.stated == template.role("level1_share")
            option = "; give --level1-share to check one stated elsewhere" if level1 else ""
            ctx.not_applicable(claim.rule, f"a return carries no stated {claim.name}{option}")
            return
        else:
            ctx.skip(claim.rule, f"no stated {claim.name} in the workbook and none given on the command line")
            return
        numerator, denominator = area.value(*claim.numerator), area.value(*claim.denominator)
        parsed = _percent_text(stated_text)
        source = "--level1-share" if where is None else where.source
        table = claim.stated[0]
        if parsed is None or (where is not None and where.issue not in ("", PERCENT, TEXT_NUMBER, "decimal")):
            yield finding(
                claim.rule,
                where,
                f"the stated {claim.name} {stated_text!r} ({source}) is not a percentage",
                expected="a percentage such as 99%",
                actual=stated_text,
                table=table,
                suggestion=claim.suggestion,
                severity=claim.severity,
                field_code=code,
            )
            return
        number, decimals, _ = parsed
        if number > 100 or number < 0:
            yield finding(
                claim.rule,
                where,
                f"the stated {claim.name} {stated_text!r} ({source}) is not a percentage: a share cannot be "
                "above 100% (a count typed where the percentage belongs?)",
                expected="a percentage between 0 and 100",
                actual=stated_text,
                table=table,
                suggestion=claim.suggestion,
                severity=claim.severity,
                field_code=code,
            )
            return
        if numerator is None or not denominator:
            ctx.skip(claim.rule, f"the figures behind the {claim.name} are not counts")
            return
        exact = Decimal(numerator) * 100 / Decimal(denominator)
        # The one judgement every stated figure goes through, from a workbook or a claims file.
        reproduces, computed = judge(number, decimals, exact)
        if not reproduces:
            words = {
                "stated": number,
                "source": source,
                "numerator": plain(numerator),
                "denominator": plain(denominator),
                "exact": round_half_up(exact, 2),
                "computed": computed,
            }
            yield finding(
                claim.rule,
                where,
                claim.message.format(**words),
                expected=f"{computed}%",
                actual=f"{number}%",
                table=table,
                suggestion=f"state {computed}%",
                severity=claim.severity,
                field_code=code,
            )

    return check


def rule_ids(template: Template | None = None) -> list[str]:
    """Every rule id validate runs for a year (the code rules alone without one), in order."""
    if template is None:
        return list(RULES)
    return [r.id for r in rules_for(template)]


# --- the rate (needs --population) -------------------------------------------------------------------


def _rate_inputs(ctx: Context, rule_id: str) -> tuple[Any, Any] | None:
    """The population file and this area's population, or None (and the rule skipped, saying why)."""
    population = ctx.extras.get("population")
    if population is None:
        ctx.skip(rule_id, "no --population file given")
        return None
    if not ctx.area.meta.area:
        ctx.skip(
            rule_id,
            "the workbook does not name its MAPPA area: add a 'MAPPA area' cell beside the tables, "
            "or give --area NAME",
        )
        return None
    try:
        return population, population.get(ctx.area.meta.area)
    except InputError as exc:  # one workbook's unknown area must not stop a national run
        ctx.skip(rule_id, str(exc))
        return None


def _rate_not_run(ctx: Context, why: str) -> Finding:
    """With --population given, a rate that could not be reproduced is an error, never a quiet pass."""
    role = ctx.area.template.role("stated_rate")
    return finding(
        "rate.matches",
        ctx.area.cell(*role) if role else None,
        f"the rate could not be checked against the population file: {why}",
        expected="a rate reproduced from the population file",
        actual=None,
        table=role[0] if role else "",
        suggestion="fix what is named above, or run without --population to leave the rate unchecked",
    )


@rule(
    "rate.matches",
    Severity.ERROR,
    "The stated RSOs per 100,000 equals Category 1 on 31 March ÷ the ONS population of the year's base "
    "(aged 10+ from 2013-14) × 100,000, rounded half up to a whole number.",
    RATE,
)
def check_rate(ctx: Context) -> Iterator[Finding]:
    """Reproduce the published rate from the population file given with --population."""
    from mappa_stats.rules.rate import needed_vintage, workbook_rate

    inputs = _rate_inputs(ctx, "rate.matches")
    if inputs is None:
        if ctx.extras.get("population") is not None:
            yield _rate_not_run(ctx, str(ctx.extras["skipped"]["rate.matches"]))
        return
    population, _ = inputs
    wanted = needed_vintage(ctx.area.template, population)
    if wanted is not None:
        # Another year's estimates cannot say whether the stated rate is right: not checked, never "wrong".
        yield _rate_not_run(
            ctx,
            f"not checked: needs {wanted}; the population file is {population.vintage}, and "
            f"{ctx.area.template.year} rates divide by the ONS {wanted} estimates: give that file",
        )
        return
    try:
        rate = workbook_rate(ctx.area, population)
    except InputError as exc:
        yield _rate_not_run(ctx, str(exc))
        return
    role = ctx.area.template.role("stated_rate")
    stated_cell = ctx.area.cell(*role) if role else None
    if stated_cell is None and ctx.area.template.return_fields:
        # The Ministry's return has no rate to compare: the national pipeline computes it, as this did.
        # Nothing in the file states one, so the rule does not apply to it (and --strict does not fail it).
        ctx.not_applicable(
            "rate.matches",
            f"a return carries no stated rate; its figures give {rate.rounded} per 100,000: "
            f"{rate.rsos:,} ÷ {rate.population:,} {rate.base} × 100,000 = {rate.two_dp}",
        )
        return
    if rate.stated is None or stated_cell is None:
        where = (
            f"{stated_cell.source} holds no rate" if stated_cell is not None else "the rate table is missing"
        )
        yield _rate_not_run(
            ctx, f"no stated rate to compare ({where}); type the published rate, e.g. {rate.rounded}"
        )
        return
    if rate.matches:
        return
    hint = ""
    if rate.all_ages_rounded is not None:
        hint = f"; an all-ages base ({rate.all_ages_population:,}) would give {rate.all_ages_rounded}"
        if rate.all_ages_explains_stated:
            hint += ", the stated figure: the under-10s were probably not excluded"
    vintage = f"ONS {population.vintage}" if population.vintage else "population file"
    stated = plain(float(rate.stated)) if rate.stated == rate.stated.to_integral_value() else str(rate.stated)
    yield finding(
        "rate.matches",
        stated_cell,
        f"the stated rate is {stated} per 100,000 but {rate.rsos} RSOs ÷ "
        f"{rate.population:,} people {rate.base} ({vintage}) × 100,000 = {rate.two_dp}, which rounds to "
        f"{rate.rounded}{hint}",
        expected=rate.rounded,
        actual=stated,
        suggestion=f"state {rate.rounded}, and name the population vintage used",
    )


@rule(
    "rate.vintage",
    Severity.WARNING,
    "The population estimate (of the --population file, or a report's rate footnote) is the mid-year the "
    "year's definition names (the calendar year the reporting year starts).",
    RATE,
)
def check_rate_vintage(ctx: Context) -> Iterator[Finding]:
    """A rate computed on another year's (or a revised) population is not the published one."""
    wanted = f"mid-{ctx.area.template.population_mid_year}"
    stated = ctx.area.meta.stated_population
    if stated is not None and stated != wanted:
        # The report's own footnote names its estimate (issue 14): no population file needed.
        role = ctx.area.template.role("stated_rate")
        yield finding(
            "rate.vintage",
            ctx.area.cell(*role) if role else None,
            f"the rate's footnote names the {stated} population estimate, but "
            f"{ctx.area.template.year} reports use {wanted}",
            expected=wanted,
            actual=stated,
            table=role[0] if role else "",
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
            table=(ctx.area.template.role("stated_rate") or ("",))[0],
            suggestion=f"use the ONS {wanted} estimates",
        )


# --- a claims file (--claims) --------------------------------------------------------------------------

CLAIMED = "claims_confirmed"  # Context.extras key: the lines of claims that reproduce, shown as notes


def check_claims_file(ctx: Context) -> Iterator[Finding]:
    """The claims of a --claims file about this file's area and year, judged as the workbook's own are."""
    from mappa_stats.rules.claims import DOES_NOT, REPRODUCES, canonical_area, check_claims

    claims = ctx.extras.get("claims") or []
    area = canonical_area(ctx.area.meta.area or "") or ctx.area.meta.area
    year = ctx.area.template.year
    mine = [c for c in claims if c.area == area and c.year == year]
    if not mine:
        ctx.skip("claims.file", f"no claim of the claims file is about {area or 'this area'} {year}")
        return
    figures = ctx.extras.get("claim_figures") or {}
    for result in check_claims(mine, figures):
        said = result.message[len(result.claim.where) + 2 :]
        if result.status == REPRODUCES:
            ctx.extras.setdefault(CLAIMED, []).append(result.message)
            continue
        yield finding(
            "claims.file",
            None,
            said,
            expected=result.computed if result.status == DOES_NOT else "the figures named",
            actual=result.claim.stated.text,
            table=result.claim.where,
            suggestion=(
                f"state {result.computed}, or correct the figures"
                if result.status == DOES_NOT
                else "give the file or population that holds the figures named"
            ),
            severity=Severity.ERROR if result.status == DOES_NOT else Severity.WARNING,
        )


CLAIMS_FILE = Rule(
    "claims.file",
    Severity.ERROR,
    "Each claim of the --claims file about the area and year (a share, the rate, one for every N, a "
    "change) reproduces from the figures at the precision it was stated in.",
    check_claims_file,
    RATE,
)
