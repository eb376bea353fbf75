"""The rules about single cells: a whole number where a count belongs, nothing where the year's definition
says not applicable, a value in every applicable cell, and the markers and typing worth a look (numbers
stored as text, thousands separators, 'not collected')."""

from __future__ import annotations

from collections.abc import Iterator

from mappa_stats.definitions.templates import Severity, TableDef, Template
from mappa_stats.findings import Finding, plain
from mappa_stats.model import (
    BLANK,
    BLANK_ZERO,
    DASH,
    GSS_MARKERS,
    NOT_COLLECTED,
    NUMERIC_ISSUES,
    TEXT_NUMBER,
    THOUSANDS,
    Cell,
)
from mappa_stats.numbers import MAX_DIGITS
from mappa_stats.rules.rule import Context, Rule, describe, finding, rule


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
    "too_large": f"far too large to be a count (more than {MAX_DIGITS} digits)",
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
def whole_number(ctx: Context) -> Iterator[Finding]:
    """Numbers are judged by the year's pandera schema; what is not a number at all, by the cell reader."""
    uncalculated = [(c, code) for _t, c, code in _cells(ctx, applicable=True) if c.issue == "no_cached_value"]
    if len(uncalculated) > 3:
        # A workbook saved by a script, never calculated: one cause, said once with every cell it leaves out.
        named = ", ".join(f"{code} ({c.source})" for c, code in uncalculated[:6])
        more = f" and {len(uncalculated) - 6} more" if len(uncalculated) > 6 else ""
        yield finding(
            whole_number,
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
            whole_number,
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
def text_number(ctx: Context) -> Iterator[Finding]:
    """Excel's green-triangle numbers: read, but worth fixing."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.issue == TEXT_NUMBER:
            yield finding(
                text_number,
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
def thousands_separator(ctx: Context) -> Iterator[Finding]:
    """Typed separators usually mean the cell is text, not a number."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.issue == THOUSANDS:
            yield finding(
                thousands_separator,
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
def not_applicable(ctx: Context) -> Iterator[Finding]:
    """A number (found by the schema) or other content in a structurally empty cell."""
    for table, cell, code in _cells(ctx, applicable=False):
        if not (ctx.failed("cells.not_applicable", code) or _not_a_number(cell)):
            continue
        printed = table.not_applicable[(cell.row, cell.column)] or "blank"
        yield finding(
            not_applicable,
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
def missing(ctx: Context) -> Iterator[Finding]:
    """Blank applicable cells: a zero is typed as 0 (a return's blanks are read as 0, with one warning)."""
    read_as_zero = [
        (cell, code) for _t, cell, code in _cells(ctx, applicable=True) if cell.issue == BLANK_ZERO
    ]
    if read_as_zero:
        first = read_as_zero[0][0]
        named = ", ".join(f"{code} ({cell.source})" for cell, code in read_as_zero[:8])
        more = f" and {len(read_as_zero) - 8} more" if len(read_as_zero) > 8 else ""
        yield finding(
            missing,
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
    blank_tables = ctx.area.blank_optional()
    yield from _not_filled_in(ctx, blank_tables)
    for table, cell, code in _cells(ctx, applicable=True):
        if table.id in blank_tables:
            continue
        if cell.marker in (BLANK, DASH, "[z]"):
            what = "is blank" if cell.marker == BLANK else f"holds {cell.raw!r} (not applicable)"
            if cell.raw.startswith("merged "):
                what = f"is blank (part of the merged cells {cell.raw.split()[1]}: unmerge them)"
            yield finding(
                missing,
                cell,
                f"{describe(table, cell)} {what}, but this cell applies",
                expected="a count",
                actual=cell.raw,
                suggestion="type the number, 0 if there were none; "
                "mark it 'not collected' only if it was not collected",
                field_code=code,
            )


def _not_filled_in(ctx: Context, blank_tables: frozenset[str]) -> Iterator[Finding]:
    """An optional table (a breakdown) left wholly blank: one warning at its first cell, not one per cell."""
    for table in ctx.area.template.tables:
        if table.id not in blank_tables:
            continue
        first = next(c for key, c in ctx.area.cells().items() if key[0] == table.id)
        yield finding(
            missing,
            first,
            f"{table.display_title!r} is not filled in: every cell of it is blank (an optional table, "
            "so its sums are not checked)",
            expected="the table's counts",
            actual="blank",
            suggestion="fill it in if your return needs it (the Ministry's does); a published report does "
            "not carry it",
            severity=Severity.WARNING,
            field_code=table.fields[(first.row, first.column)],
        )


@rule(
    "cells.not_collected",
    Severity.WARNING,
    "A cell marked not collected ('—', 'Not collected', '[x]') is never read as zero; sums through it "
    "are checked only as far as the known cells bound them.",
)
def not_collected(ctx: Context) -> Iterator[Finding]:
    """Not-available markers are allowed but worth a look before sign-off."""
    for table, cell, code in _cells(ctx, applicable=True):
        if cell.marker in (NOT_COLLECTED, *GSS_MARKERS) and cell.marker != "[z]":
            yield finding(
                not_collected,
                cell,
                f"{describe(table, cell)} is marked {cell.raw!r}: not collected, so "
                "totals through it are checked only as far as the other cells bound them",
                expected="a count",
                actual=cell.raw,
                suggestion="confirm the figure really was not collected this year",
                field_code=code,
            )


CELL_RULES: tuple[Rule, ...] = (
    whole_number,
    text_number,
    thousands_separator,
    not_applicable,
    missing,
    not_collected,
)
