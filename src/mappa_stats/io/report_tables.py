"""A published report's tables placed from its lines: each row found by its label, each figure put under its
column — by its x position in a PDF, by the year's definition and its totals in text (`Level 3 1  2 0 3`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mappa_stats.definitions.templates import Label, TableDef, normalize
from mappa_stats.errors import LabelError, TableNotFoundError
from mappa_stats.io.report_lines import PDF, Line, Report, Token
from mappa_stats.model import BLANK, TEXT, TEXT_NUMBER, THOUSANDS, Parsed, parse_cell, record

# Placements tried for one grid before giving up and reporting the rows as they stand.
MAX_PLACEMENTS = 50_000


# --- tokens and rows ------------------------------------------------------------------------------------


def as_read(token: str | None) -> Parsed:
    """A printed cell: a number typed in print is a number, not 'a number stored as text'."""
    parsed = parse_cell(token)
    if parsed.issue in (TEXT_NUMBER, THOUSANDS):
        parsed = replace(parsed, issue="")
    return parsed


# A figure in another script's digits ('१५४८', '１５４８'): it fills its cell, where it is text, a finding.
_ANY_DIGITS = re.compile(r"^[+-]?\d[\d,.]*$")


def _is_value(text: str) -> bool:
    """A token that can fill a cell: a number, a marker ('-', '[x]'), a percentage, a decimal, or a figure
    written in another script's digits (placed, then found to be text)."""
    parsed = parse_cell(text)
    return parsed.marker != BLANK and (parsed.issue != TEXT or bool(_ANY_DIGITS.match(text.strip())))


def _merge_markers(tokens: Sequence[Token]) -> list[Token]:
    """'Not collected' printed as two words is one cell."""
    out: list[Token] = []
    for token in tokens:
        if out and out[-1].text.casefold() == "not" and token.text.casefold() == "collected":
            out[-1] = Token(f"{out[-1].text} {token.text}", out[-1].x0, token.x1)
        else:
            out.append(token)
    return out


def _row_match(
    lines: Sequence[Line], at: int, labels: tuple[Label, ...], end: int, most: int
) -> tuple[Label, list[Token]] | None:
    """The row label line `at` starts with and the figures after it (every one a value).

    pdftotext gives a table set cell by cell as one cell a line: a label alone on its line takes
    the lines of lone figures below it (at most `most`).
    """
    line = lines[at]
    for label in labels:
        for name in sorted(label.names(), key=len, reverse=True):
            if line.folded != name and not line.folded.startswith(name + " "):
                continue
            rest = _merge_markers(line.tokens[len(name.split()) :])
            if not rest:
                below = at + 1
                while below < min(end, at + 1 + most) and all(_is_value(t.text) for t in lines[below].tokens):
                    rest.extend(_merge_markers(lines[below].tokens))
                    below += 1
            if rest and all(_is_value(t.text) for t in rest):
                return label, rest
    return None


def _strip_title(line: Line, table: TableDef) -> list[Token] | None:
    """The tokens after the table's title on its line, or None when the line does not start with it."""
    names = sorted({normalize(n) for n in (table.title, *table.match)}, key=len, reverse=True)
    for name in names:
        if line.folded.startswith(name):
            return list(line.tokens[len(name.split()) :])
    return None


# --- finding the tables -----------------------------------------------------------------------------------


def title_lines(report: Report, table: TableDef) -> list[int]:
    """The indexes of the lines that start with one of the table's titles."""
    prefixes = tuple(normalize(m) for m in table.match)
    return [i for i, line in enumerate(report.lines) if line.folded.startswith(prefixes)]


@dataclass(frozen=True)
class Block:
    """A table's title line and the lines of its block (up to the next title)."""

    title: int
    end: int


def _cell_place(report: Report, line: Line, table: TableDef, cell: str) -> tuple[str, str, str]:
    """(sheet, cell, source) of one cell: 'p.4', 'Level 1 / Category 2', and the whole location."""
    return line.place, cell, f"{report.display} {line.place}, {table.display_title!r}, {cell}"


def _grid_cell_name(table: TableDef, row: Label, column: Label) -> str:
    return f"{row.label} / {column.short}"


def _header_columns(report: Report, table: TableDef, start: int, end: int) -> dict[str, tuple[float, float]]:
    """Each column's x extent from its label in the header lines (PDF only; empty when not all found)."""
    found: dict[str, tuple[float, float]] = {}
    for line in report.lines[start:end]:
        tokens = line.tokens
        i = 0
        while i < len(tokens):
            hit = None
            for width in range(min(6, len(tokens) - i), 0, -1):
                words = tokens[i : i + width]
                text = " ".join(t.text for t in words)
                label = next((c for c in table.columns if normalize(text) in c.names()), None)
                if label is not None and words[0].x0 is not None and words[-1].x1 is not None:
                    hit = (label, width, (float(words[0].x0), float(words[-1].x1)))
                    break
            if hit is None:
                i += 1
                continue
            label, width, extent = hit
            found.setdefault(label.id, extent)
            i += width
    return found if len(found) == len(table.columns) else {}


def _by_position(
    table: TableDef, tokens: list[Token], extents: dict[str, tuple[float, float]]
) -> list[str | None] | None:
    """Place a row's values under the columns their x positions fall in; None when that is not clear."""
    if not extents or any(t.centre is None for t in tokens):
        return None
    placed: dict[str, str] = {}
    for token in tokens:
        centre = token.centre
        assert centre is not None

        def distance(column: Label, at: float = centre) -> float:
            x0, x1 = extents[column.id]
            return 0.0 if x0 <= at <= x1 else min(abs(at - x0), abs(at - x1))

        column = min(table.columns, key=distance)
        if column.id in placed:
            return None  # two numbers under one label: the header does not tell
        placed[column.id] = token.text
    return [placed.get(c.id) for c in table.columns]


def _printed_blank(table: TableDef, row_id: str, column_id: str) -> bool:
    return table.not_applicable.get((row_id, column_id), None) == ""


def _default(table: TableDef, row_id: str, texts: list[str]) -> list[str | None]:
    """A row as it stands: blank where the template prints a blank, otherwise left to right."""
    n = len(table.columns)
    if len(texts) == n:
        return list(texts)
    open_columns = [c for c in table.columns if not _printed_blank(table, row_id, c.id)]
    if len(texts) == len(open_columns):
        values = iter(texts)
        return [None if _printed_blank(table, row_id, c.id) else next(values) for c in table.columns]
    return list(texts) + [None] * (n - len(texts))


def _amount(text: str | None) -> float | None:
    """A cell's amount for a total: blank and not-applicable markers count 0; text cannot be added."""
    if text is None:
        return 0.0
    parsed = as_read(text)
    if parsed.marker:
        return 0.0
    if parsed.issue:
        return None
    return parsed.value


def _fits(table: TableDef, grid: dict[tuple[str, str], str | None]) -> bool:
    for _rule, total, parts in table.balance_equations():
        if total not in grid or any(p not in grid for p in parts):
            continue
        amounts = [_amount(grid[total]), *(_amount(grid[p]) for p in parts)]
        if any(a is None for a in amounts):
            continue
        head, *rest = (a or 0.0 for a in amounts)
        if abs(head - sum(rest)) > 1e-9:
            return False
    return True


def _departures(table: TableDef, grid: dict[tuple[str, str], str | None]) -> int:
    """Blanks where the template prints a number, and numbers where it prints a blank."""
    return sum(1 for (r, c), text in grid.items() if (text is None) != _printed_blank(table, r, c))


def _placements(n: int, texts: list[str]) -> list[list[str | None]]:
    out = []
    for chosen in itertools.combinations(range(n), len(texts)):
        row: list[str | None] = [None] * n
        for index, text in zip(chosen, texts, strict=True):
            row[index] = text
        out.append(row)
    return out


def _describe_placement(table: TableDef, row: list[str | None]) -> str:
    """'a blank Category 3' (or 'a blank Category 2 and Total'): how one placement reads."""
    blanks = [c.short for c, t in zip(table.columns, row, strict=True) if t is None]
    return "a blank " + " and ".join(blanks) if blanks else "no blank"


def _place_grid(
    report: Report, table: TableDef, rows: dict[str, tuple[Line, list[Token]]], extents: dict[str, Any]
) -> dict[str, list[str | None]]:
    """Each row's cells, left to right: by x position in a PDF, by the template and totals in text."""
    n = len(table.columns)
    options: dict[str, list[list[str | None]]] = {}
    for row_id, (line, tokens) in rows.items():
        texts = [t.text for t in tokens]
        if len(texts) > n:
            raise LabelError(
                f"{report.display} {line.place}: row {line.text!r} of {table.display_title!r} has "
                f"{len(texts)} figures but the table has {n} columns; correct the row"
            )
        by_x = _by_position(table, tokens, extents)
        options[row_id] = [by_x] if by_x is not None else _placements(n, texts)
    ids = list(rows)
    total = 1
    for row_id in ids:
        total *= len(options[row_id])
    if total == 1:
        return {row_id: options[row_id][0] for row_id in ids}
    fitting: list[tuple[int, tuple[list[str | None], ...]]] = []
    if total <= MAX_PLACEMENTS:
        for combo in itertools.product(*(options[r] for r in ids)):
            grid = {
                (row_id, column.id): combo[i][j]
                for i, row_id in enumerate(ids)
                for j, column in enumerate(table.columns)
            }
            if _fits(table, grid):
                fitting.append((_departures(table, grid), combo))
    if not fitting:
        # None fits: the rows as they stand, so the checks and the locator name the wrong number.
        return {row_id: _default(table, row_id, [t.text for t in rows[row_id][1]]) for row_id in ids}
    best = min(score for score, _combo in fitting)
    chosen = [combo for score, combo in fitting if score == best]
    if len(chosen) > 1:
        for i, row_id in enumerate(ids):
            variants = {tuple(combo[i]) for combo in chosen}
            if len(variants) > 1:
                line = rows[row_id][0]
                named = " or ".join(_describe_placement(table, list(v)) for v in sorted(variants, key=str))
                named = f"with {named}"
                raise LabelError(
                    f"{report.display} {line.place}: row {line.text!r} of {table.display_title!r} is "
                    f"ambiguous: its figures fit the totals {named}; check the PDF and type the figures into "
                    "the template (mappa-stats template -o area.xlsx)"
                )
    return {row_id: chosen[0][i] for i, row_id in enumerate(ids)}


def _grid(report: Report, table: TableDef, found: Block) -> list[dict[str, Any]]:
    where = f"{report.display}: table {table.display_title!r} (title at {report.lines[found.title].place})"
    start = found.title + 1
    if table.section is not None:
        names = table.section_names()
        title_line = report.lines[found.title]
        if not any(name in title_line.folded for name in names):
            at = next((i for i in range(start, found.end) if report.lines[i].folded.startswith(names)), None)
            if at is None:
                raise TableNotFoundError(f"{where}: no {table.section!r} line below the title")
            start = at + 1
    rows: dict[str, tuple[Line, list[Token]]] = {}
    first_row = None
    for i in range(start, found.end):
        match = _row_match(report.lines, i, table.rows, found.end, len(table.columns))
        if match is None:
            continue
        label, tokens = match
        if label.id in rows:
            if len(rows) == len(table.rows):
                break
            continue
        first_row = i if first_row is None else first_row
        rows[label.id] = (report.lines[i], tokens)
        if len(rows) == len(table.rows):
            break
    absent = [label for label in table.rows if label.id not in rows]
    if absent:
        expected = ", ".join(repr(label.label) for label in table.rows)
        raise LabelError(
            f"{where}: row {absent[0].label!r} not found below the title; expected rows {expected}"
        )
    extents: dict[str, tuple[float, float]] = {}
    if report.kind == PDF and first_row is not None:
        extents = _header_columns(report, table, found.title + 1, first_row)
    placed = _place_grid(report, table, rows, extents)
    records = []
    for row in table.rows:
        line = rows[row.id][0]
        for column, text in zip(table.columns, placed[row.id], strict=True):
            sheet, cell, source = _cell_place(report, line, table, _grid_cell_name(table, row, column))
            records.append(record(table.id, row.id, column.id, as_read(text), sheet, cell, source))
    return records


def _value(report: Report, table: TableDef, found: Block) -> list[dict[str, Any]]:
    title = report.lines[found.title]
    rest = _strip_title(title, table) or []
    line, token = title, (rest[-1].text if rest and _is_value(rest[-1].text) else None)
    if token is None:
        for i in range(found.title + 1, min(found.end, found.title + 5)):
            candidate = report.lines[i]
            if len(candidate.tokens) == 1 and _is_value(candidate.tokens[0].text):
                line, token = candidate, candidate.tokens[0].text
                break
    if token is None:
        raise LabelError(
            f"{report.display} {title.place}: no figure after the title {table.display_title!r}; "
            "the figure should follow the title on its line or the next"
        )
    label = table.columns[0].label
    sheet, cell, source = _cell_place(report, line, table, label)
    return [record(table.id, table.rows[0].id, table.columns[0].id, as_read(token), sheet, cell, source)]


def _list(report: Report, table: TableDef, found: Block) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for i in range(found.title + 1, found.end):
        line = report.lines[i]
        match = _row_match(report.lines, i, table.rows, found.end, 1)
        if match is None or match[0].id in rows:
            continue
        label, tokens = match
        text = " ".join(t.text for t in tokens)  # more than one figure is reported as it stands
        sheet, cell, source = _cell_place(report, line, table, label.label)
        rows[label.id] = record(table.id, label.id, table.columns[0].id, as_read(text), sheet, cell, source)
        if len(rows) == len(table.rows):
            break
    absent = [label for label in table.rows if label.id not in rows]
    if absent:
        place = report.lines[found.title].place
        raise LabelError(
            f"{report.display}: table {table.display_title!r} (title at {place}): row "
            f"{absent[0].label!r} not found below the title"
        )
    return [rows[label.id] for label in table.rows]


def table_records(report: Report, table: TableDef, found: Block) -> list[dict[str, Any]]:
    """The tidy records of one table from its block of lines: a grid, a single value or a list."""
    if table.kind == "grid":
        return _grid(report, table, found)
    if table.kind == "value":
        return _value(report, table, found)
    return _list(report, table, found)
