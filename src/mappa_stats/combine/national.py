"""The national tables: each of the year's count tables summed over the counted returns, never a partial
sum, with Category 4 beside Category 3 where a return carries it, and the breakdowns' totals
(schemas/national.json)."""

from __future__ import annotations

import re
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


class _Row(NamedTuple):
    """A national table's row: its id, label, and the rows it adds up when it is a total."""

    id: str
    label: str
    total_of: tuple[str, ...]

    @property
    def is_total(self) -> bool:
        return bool(self.total_of)


class _Shape(NamedTuple):
    """A national table's rows and columns (Category 4 and the breakdowns' totals added), their field codes
    and totals, and the columns and rows added to the year's table (always applicable)."""

    rows: list[_Row]
    columns: list[tuple[str, str]]  # (column id, label)
    column_ids: list[str]
    fields: dict[tuple[str, str], str]  # (row id, column id) → field code
    totals_of_column: dict[str, list[str]]  # a total column → the columns it adds up
    added: set[str]  # column and row ids the national table adds


def _national_table(
    table: TableDef, number: str, carried: dict[str, list[float | None]], labels: dict[tuple[str, str], str]
) -> NationalTable:
    """One table summed over the counted returns, its rows labelled as the returns' forms agree."""
    shape = _with_breakdown_totals(table, _with_category4(table, carried))
    cells = _cells(table, shape, carried)
    return NationalTable(
        number=number,
        table=table,
        columns=tuple(shape.columns),
        rows=tuple(
            (r.id, labels.get((table.id, r.id), r.label), tuple(cells[(r.id, c)] for c in shape.column_ids))
            for r in shape.rows
        ),
        total_rows=tuple(r.id for r in shape.rows if r.is_total),
        total_columns=tuple(c for c in shape.column_ids if shape.totals_of_column.get(c)),
    )


def _with_category4(table: TableDef, carried: dict[str, list[float | None]]) -> _Shape:
    """The table's own columns, with Category 4's after Category 3's when a return carries them (cat4 beside
    cat3; cat4l2 and cat4l3 after cat3l3 in the breakdowns), and in the totals that add up Category 3."""
    columns = [(c.id, c.label) for c in table.columns]
    fields = dict(table.fields)
    totals_of_column = {c.id: list(c.total_of) for c in table.columns}
    column_ids = [c.id for c in table.columns]
    rows = [_Row(r.id, r.label, tuple(r.total_of)) for r in table.rows]
    twins: dict[str, dict[str, str]] = layout()["category4"]["columns"]
    sources = [
        c
        for c in column_ids
        if c in twins and any(_cat4(fields[(r.id, c)]) in carried for r in table.rows if (r.id, c) in fields)
    ]
    at = max((column_ids.index(c) for c in sources), default=0) + 1
    for k, source in enumerate(sources):
        twin = twins[source]["column"]
        columns.insert(at + k, (twin, twins[source]["label"]))
        column_ids.insert(at + k, twin)
        for r in table.rows:
            if (r.id, source) in fields:
                fields[(r.id, twin)] = _cat4(fields[(r.id, source)])
        for members in totals_of_column.values():
            if source in members:
                members.append(twin)
    added = {twins[c]["column"] for c in sources}
    return _Shape(rows, columns, column_ids, fields, totals_of_column, added)


def _with_breakdown_totals(table: TableDef, shape: _Shape) -> _Shape:
    """A breakdown table (age, sex, ethnicity) with a Total column and a Total row, as the Ministry's tables
    have them (schemas/national.json `breakdown_totals`): field codes AGE1_TOT, AGETOT_CAT1L2, AGETOT."""
    spec = layout()["breakdown_totals"]
    if table.id not in spec["tables"] or any(r.is_total for r in shape.rows):
        return shape
    pattern = re.compile(spec["field_pattern"])
    column, row = spec["column"], spec["row"]
    plain_columns, plain_rows = list(shape.column_ids), [r.id for r in shape.rows]
    fields = dict(shape.fields)
    stem = ""
    for (row_id, column_id), code in shape.fields.items():
        found = pattern.match(code)
        if found is None:
            return shape  # a code not of the breakdown form: the table is left as the year has it
        stem = found["stem"]
        fields[(row_id, column["id"])] = spec["row_total_field"].format(stem=stem, row=found["row"])
        fields[(row["id"], column_id)] = spec["column_total_field"].format(stem=stem, column=found["column"])
    fields[(row["id"], column["id"])] = spec["grand_total_field"].format(stem=stem)
    return _Shape(
        rows=[*shape.rows, _Row(row["id"], row["label"], tuple(plain_rows))],
        columns=[*shape.columns, (column["id"], column["label"])],
        column_ids=[*shape.column_ids, column["id"]],
        fields=fields,
        totals_of_column={**shape.totals_of_column, column["id"]: plain_columns},
        added=shape.added | {column["id"], row["id"]},
    )


def _cells(
    table: TableDef, shape: _Shape, carried: dict[str, list[float | None]]
) -> dict[tuple[str, str], NationalCell]:
    """Every cell: the plain cells summed over the returns, then the total columns and the total rows summed
    from them; '[z]' where the cell does not apply."""
    fields, totals_of_column, column_ids = shape.fields, shape.totals_of_column, shape.column_ids

    def applicable(row_id: str, column_id: str) -> bool:
        return row_id in shape.added or column_id in shape.added or table.is_applicable(row_id, column_id)

    cells: dict[tuple[str, str], NationalCell] = {}
    plain_columns = [c for c in column_ids if not totals_of_column.get(c)]
    total_columns = [c for c in column_ids if totals_of_column.get(c)]
    for r in (r for r in shape.rows if not r.is_total):
        for c in plain_columns:
            code = fields[(r.id, c)]
            cells[(r.id, c)] = (
                _sum_of_returns(carried, code) if applicable(r.id, c) else NationalCell(None, "[z]", code)
            )
        for c in total_columns:
            parts = [cells[(r.id, p)] for p in totals_of_column[c] if applicable(r.id, p)]
            cells[(r.id, c)] = _sum(parts, fields[(r.id, c)])
    for r in (r for r in shape.rows if r.is_total):
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
