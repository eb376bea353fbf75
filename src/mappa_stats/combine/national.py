"""The national tables: each of the year's count tables summed over the counted returns, never a partial
sum, with Category 4 beside Category 3 where a return carries it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from mappa_stats.combine.result import (
    AreaLine,
    NationalCell,
    NationalTable,
    layout,
)
from mappa_stats.definitions.templates import TableDef, Template


def _cat4(code: str) -> str:
    """The Category 4 field beside a Category 3 one (CAT3L2YEAR → CAT4L2YEAR), as the NSD return names it."""
    spec = layout()["category4"]
    return code.replace(spec["field_from"], spec["field_to"], 1)


def national_table_defs(template: Template) -> list[TableDef]:
    """The year's tables that add up nationally: counts, not the stated rate or the commentary."""
    return [t for t in template.tables if t.value_type == "count" and t.kind in ("grid", "list", "value")]


def national(template: Template, counted: Sequence[AreaLine]) -> list[NationalTable]:
    """Each table summed over the counted returns; a Category 4 column wherever a return carries it."""
    carried = _carried(counted)
    labels = _agreed_labels(counted)
    out: list[NationalTable] = []
    lettered = 0
    for table in national_table_defs(template):
        if not any(code in carried for code in table.fields.values()):
            continue
        number = layout()["moj_table_numbers"].get(table.id)
        if number is None:
            lettered += 1
            number = f"A{lettered}"
        out.append(_national_table(table, number, carried, labels))
    return out


def _carried(counted: Sequence[AreaLine]) -> dict[str, list[float | None]]:
    """Each field code's values, one per counted return that carries it."""
    carried: dict[str, list[float | None]] = {}
    for line in counted:
        for code, value in line.values.items():
            carried.setdefault(code, []).append(value)
    return carried


def _agreed_labels(counted: Sequence[AreaLine]) -> dict[tuple[str, str], str]:
    """A breakdown row's label is known only from the returns' forms: the one they all give, when they
    agree."""
    given: dict[tuple[str, str], set[str]] = {}
    for line in counted:
        for table_id, row_id, label in line.row_labels:
            given.setdefault((table_id, row_id), set()).add(label)
    return {key: next(iter(found)) for key, found in given.items() if len(found) == 1}


class _Shape(NamedTuple):
    """A national table's columns (Category 4 inserted where carried), their field codes and totals."""

    columns: list[tuple[str, str]]  # (column id, label)
    column_ids: list[str]
    fields: dict[tuple[str, str], str]  # (row id, column id) → field code
    totals_of_column: dict[str, list[str]]  # a total column → the columns it adds up


def _national_table(
    table: TableDef, number: str, carried: dict[str, list[float | None]], labels: dict[tuple[str, str], str]
) -> NationalTable:
    """One table summed over the counted returns, its rows labelled as the returns' forms agree."""
    shape = _with_category4(table, carried)
    cells = _cells(table, shape, carried)
    return NationalTable(
        number=number,
        table=table,
        columns=tuple(shape.columns),
        rows=tuple(
            (r.id, labels.get((table.id, r.id), r.label), tuple(cells[(r.id, c)] for c in shape.column_ids))
            for r in table.rows
        ),
    )


def _with_category4(table: TableDef, carried: dict[str, list[float | None]]) -> _Shape:
    """The table's own columns, with Category 4 beside Category 3 when a return carries it (and in the totals
    that add up Category 3)."""
    columns = [(c.id, c.label) for c in table.columns]
    fields = dict(table.fields)
    totals_of_column = {c.id: list(c.total_of) for c in table.columns}
    column_ids = [c.id for c in table.columns]
    spec = layout()["category4"]
    cat3, cat4 = spec["beside_column"], spec["column"]
    if cat3 in column_ids and any(
        _cat4(fields[(r.id, cat3)]) in carried for r in table.rows if (r.id, cat3) in fields
    ):
        at = column_ids.index(cat3) + 1
        columns.insert(at, (cat4, spec["label"]))
        column_ids.insert(at, cat4)
        for r in table.rows:
            fields[(r.id, cat4)] = _cat4(fields[(r.id, cat3)])
        for members in totals_of_column.values():
            if cat3 in members:
                members.append(cat4)
    return _Shape(columns, column_ids, fields, totals_of_column)


def _cells(
    table: TableDef, shape: _Shape, carried: dict[str, list[float | None]]
) -> dict[tuple[str, str], NationalCell]:
    """Every cell: the plain cells summed over the returns, then the total columns and the total rows summed
    from them; '[z]' where the cell does not apply."""
    added = layout()["category4"]["column"]
    fields, totals_of_column, column_ids = shape.fields, shape.totals_of_column, shape.column_ids

    def applicable(row_id: str, column_id: str) -> bool:
        return column_id == added or table.is_applicable(row_id, column_id)

    cells: dict[tuple[str, str], NationalCell] = {}
    plain_columns = [c for c in column_ids if not totals_of_column.get(c)]
    total_columns = [c for c in column_ids if totals_of_column.get(c)]
    for r in (r for r in table.rows if not r.is_total):
        for c in plain_columns:
            code = fields[(r.id, c)]
            cells[(r.id, c)] = (
                _sum_of_returns(carried, code) if applicable(r.id, c) else NationalCell(None, "[z]", code)
            )
        for c in total_columns:
            parts = [cells[(r.id, p)] for p in totals_of_column[c] if applicable(r.id, p)]
            cells[(r.id, c)] = _sum(parts, fields[(r.id, c)])
    for r in (r for r in table.rows if r.is_total):
        for c in column_ids:
            code = fields[(r.id, c)]
            if not applicable(r.id, c):
                cells[(r.id, c)] = NationalCell(None, "[z]", code)
                continue
            parts = [cells[(p, c)] for p in r.total_of if applicable(p, c)]
            cells[(r.id, c)] = _sum(parts, code)
    return cells


def _sum_of_returns(carried: dict[str, list[float | None]], code: str) -> NationalCell:
    """A plain cell: the sum over the returns that carry it, never a partial sum."""
    values = carried.get(code)
    if not values:
        return NationalCell(None, "[x]", code)
    if any(v is None for v in values):
        return NationalCell(None, "[x]", code)  # never a partial sum
    return NationalCell(int(sum(v for v in values if v is not None)), "", code)


def _sum(parts: Sequence[NationalCell], code: str) -> NationalCell:
    if any(p.value is None for p in parts) or not parts:
        return NationalCell(None, "[x]", code)
    return NationalCell(sum(p.value for p in parts if p.value is not None), "", code)
