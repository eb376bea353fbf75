"""The national tables checked before anything is written: the relations of the national definition
(schemas/national.json `relations`). A table that breaks one is a fault of combine, not of a return (every
return was checked first): it stops the run with a one-line internal error naming the table and the cell.

Three kinds of relation:
- `compare`: cells of the national tables, [table id, row id, column id], summed on each side ("each
  breakdown's total is Table 1's Level 2 + Level 3");
- `returns`: each table's plain cells (and its grand total) add up to the counted returns' own fields of that
  table, read from each return's own form (an area's or the National Security Division's), so a column
  lost between the returns and the table is caught;
- `areas`: each cell of a row of a table is the sum of the counted areas' figures of its field (the area
  table's rows add up to England and Wales), checked when every counted return passes its own checks (a
  return with errors may state a total its parts do not make, and is a finding of the run already).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from mappa_stats.combine.result import AreaLine, NationalCell, NationalTable, layout
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.definitions.load import form_years, load_template
from mappa_stats.definitions.templates import Template

OPS: dict[str, Callable[[int, int], bool]] = {"==": operator.eq, "<=": operator.le, ">=": operator.ge}


class NationalTableError(RuntimeError):
    """A national table breaks a relation of the national definition: a fault of combine's, reported as an
    internal error, and nothing is written."""


def check_national(year: str, tables: Sequence[NationalTable], lines: Sequence[AreaLine]) -> None:
    """Every relation of the national definition, on the built tables; raises NationalTableError at the
    first one broken."""
    by_id = {t.table.id: t for t in tables}
    counted = [line for line in lines if line.counted]
    for relation in layout()["relations"]:
        kind = relation.get("kind", "compare")
        if kind == "compare":
            for comparison in relation["compare"]:
                _compare(relation["id"], comparison, by_id)
        elif kind == "returns":
            forms = _forms(year)
            for table in tables:
                _returns(relation["id"], table, counted, forms)
        elif kind == "areas":
            built = by_id.get(relation["table"])
            # A return with errors may state a total its parts do not make: the national cell is the sum
            # of the parts, so the area table cannot add up; that return is already a finding of the run.
            if built is not None and all(line.status == "pass" for line in counted):
                _areas(relation["id"], built, relation["row"], counted)
        else:
            raise NationalTableError(
                f"schemas/national.json: relation {relation['id']} has unknown kind {kind!r}"
            )


def _name(table: NationalTable) -> str:
    return f"national Table {table.number} ({table.table.id})"


def _where(table: NationalTable, row_id: str, column_id: str) -> str:
    rows = {rid: label for rid, label, _ in table.rows}
    columns = dict(table.columns)
    return (
        f"{_name(table)} cell {rows.get(row_id, row_id)} × {columns.get(column_id, column_id).split(':')[0]}"
    )


def _cell(
    relation: str, ref: Sequence[str], by_id: dict[str, NationalTable]
) -> tuple[NationalTable, NationalCell]:
    table = by_id[ref[0]]
    cell = table.cell(ref[1], ref[2])
    if cell is None:
        raise NationalTableError(
            f"{_name(table)} has no cell {ref[1]} × {ref[2]}, which relation {relation} checks; nothing was "
            "written"
        )
    return table, cell


def _compare(relation: str, comparison: dict[str, Any], by_id: dict[str, NationalTable]) -> None:
    """left op right, each side the sum of its cells; skipped where a table is not built for the year or a
    cell is unknown ([x])."""
    refs = [*comparison["left"], *comparison["right"]]
    if any(ref[0] not in by_id for ref in refs):
        return  # a year without these tables (no breakdowns before 2023-24)
    left = [_cell(relation, ref, by_id) for ref in comparison["left"]]
    right = [_cell(relation, ref, by_id) for ref in comparison["right"]]
    if any(cell.value is None and cell.marker != "[z]" for _, cell in (*left, *right)):
        return  # unknown: nothing to compare
    lsum = sum(cell.value or 0 for _, cell in left)
    rsum = sum(cell.value or 0 for _, cell in right)
    if not OPS[comparison["op"]](lsum, rsum):
        first = comparison["left"][0]
        said = " + ".join(
            _where(t, ref[1], ref[2]) for (t, _), ref in zip(right, comparison["right"], strict=True)
        )
        raise NationalTableError(
            f"{_where(left[0][0], first[1], first[2])} is {lsum:,}, but {said} is {rsum:,} "
            f"(relation {relation}, {comparison['op']}); nothing was written"
        )


def _forms(year: str) -> dict[bool, Template]:
    """The forms of the year's returns: an area's (False) and, from its first year, the NSD's (True)."""
    forms = {False: load_template(year)}
    if year in form_years("nsd"):
        forms[True] = load_template(year, "nsd")
    return forms


def _plain_fields(template: Template, table_id: str) -> list[str]:
    """A form's field codes of one table that are neither in a total row nor in a total column."""
    table = next((t for t in template.tables if t.id == table_id), None)
    if table is None:
        return []
    totals = {c.id for c in table.columns if c.total_of}
    return [
        code
        for (row_id, column_id), code in table.fields.items()
        if not table.row(row_id).is_total
        and column_id not in totals
        and table.is_applicable(row_id, column_id)
    ]


def _returns(
    relation: str, table: NationalTable, counted: Sequence[AreaLine], forms: dict[bool, Template]
) -> None:
    """The table's plain cells, and its grand total, add up to the returns' own fields of the table."""
    expected = 0
    for line in counted:
        form = forms.get(line.area_id == NSD_ID, forms[False])
        for code in _plain_fields(form, table.table.id):
            value = line.values.get(code)
            if value is None:
                return  # unknown (or a form of another shape): nothing to compare
            expected += int(value)
    plain = table.plain_cells()
    if any(c.value is None and c.marker != "[z]" for c in plain):
        return
    built = sum(c.value or 0 for c in plain)
    if built != expected:
        raise NationalTableError(
            f"{_name(table)}: its cells add up to {built:,}, but the counted returns' fields of that table "
            f"add up to {expected:,} (relation {relation}); nothing was written"
        )
    grand = _grand_total(table)
    if grand is not None and grand[1].value is not None and grand[1].value != expected:
        row_id, column_id = grand[0]
        raise NationalTableError(
            f"{_where(table, row_id, column_id)} is {grand[1].value:,}, but the counted returns' fields of "
            f"that table add up to {expected:,} (relation {relation}); nothing was written"
        )


def _grand_total(table: NationalTable) -> tuple[tuple[str, str], NationalCell] | None:
    """The cell in the last total row and the last total column, when the table has both."""
    if not table.total_rows or not table.total_columns:
        return None
    where = (table.total_rows[-1], table.total_columns[-1])
    cell = table.cell(*where)
    return None if cell is None else (where, cell)


def _areas(relation: str, table: NationalTable, row_id: str, counted: Sequence[AreaLine]) -> None:
    """Each cell of the row is the sum of the counted areas' figures of its field (an area whose form has
    no such field adds nothing: an area has no Category 4, the NSD no Category 1)."""
    row = next((cells for rid, _, cells in table.rows if rid == row_id), None)
    if row is None:
        return
    for (column_id, _), cell in zip(table.columns, row, strict=True):
        values = [line.values.get(cell.field, 0) for line in counted]
        if cell.value is None or any(v is None for v in values):
            continue
        added = int(sum(v or 0 for v in values))
        if added != cell.value:
            raise NationalTableError(
                f"{_where(table, row_id, column_id)} ({cell.field}) is {cell.value:,}, but the area table's "
                f"rows add up to {added:,} for {NATIONAL} (relation {relation}); nothing was written"
            )
