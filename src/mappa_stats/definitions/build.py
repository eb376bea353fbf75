"""A year's definition, read as JSON, checked and turned into the model (templates.py).

Every reference must resolve, and a problem is a TemplateError naming the file and the JSON path of the part
at fault: tables and their labels, totals, not-applicable cells and field codes; the cells a relation, a
claim or a role names (by field code or [table, row, column]); the fields of the year's return; the form and
status. The steps run in that order, so the first problem reported is always the same one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import AREAID, YEAR
from mappa_stats.definitions.templates import (
    FORMS,
    KINDS,
    OPS,
    ROLES,
    SEVERITIES,
    VALUE_TYPES,
    Claim,
    Comparison,
    Label,
    Ref,
    RelationRule,
    Severity,
    TableDef,
    Template,
)
from mappa_stats.errors import TemplateError


def json_path(parts: Any) -> str:
    """A JSON path as people read it: tables[0].columns[3].total_of[2]."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_FIELD_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class _Checker:
    """Reference checks, with the JSON path of every part, run on every definition loaded."""

    def __init__(self, where: str) -> None:
        self.name = Path(where).name

    def fail(self, path: list[Any], message: str) -> TemplateError:
        return TemplateError(f"{self.name}: {json_path(path)}: {message}")

    def get(self, obj: Any, key: str | int, path: list[Any], kind: type | tuple[type, ...]) -> Any:
        """obj[key], which must exist and be of this kind."""
        try:
            value = obj[key]
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, f"missing {key!r}") from None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail([*path, key], f"{value!r} is not a {names}")
        return value


def build_template(spec: Any, where: str, file_year: str | None = None) -> Template:
    """Turn a definition into a Template, refusing any reference that does not resolve."""
    check = _Checker(where)
    if not isinstance(spec, dict):
        raise check.fail([], "a definition is a JSON object")
    year = _year(check, spec, file_year)
    tables = _tables(check, spec)
    cells = _Cells(check, tables)
    relations = _relations(check, spec, cells)
    claims = _claims(check, spec, cells)
    roles = _roles(check, spec, cells)
    return_sheet, return_fields, return_typos = _return(check, spec, cells.codes)
    mid_year = check.get(spec, "population_mid_year", [], int)
    form = spec.get("form", "area")
    if form not in FORMS:
        raise check.fail(["form"], f"{form!r} is not a form mappa-stats knows: {', '.join(FORMS)}")
    status = spec.get("status", "verified")
    if status not in ("verified", "provisional"):
        raise check.fail(["status"], f"{status!r} is not 'verified' or 'provisional'")
    return Template(
        year=year,
        description=spec.get("description", ""),
        period_end=check.get(spec, "period_end", [], str),
        population_mid_year=mid_year,
        rate_base=spec.get("rate_base", "aged_10_plus"),
        tables=tables,
        relations=relations,
        claims=claims,
        publication=dict(spec.get("publication", {})),
        status=status,
        sources=tuple(spec.get("sources", ())),
        changes=tuple(spec.get("changes", ())),
        roles=roles,
        path=where,
        return_sheet=return_sheet,
        return_fields=return_fields,
        return_typos=return_typos,
        form=form,
    )


def _year(check: _Checker, spec: Any, file_year: str | None) -> str:
    """The reporting year the definition is for, agreeing with its file name."""
    year: str = check.get(spec, "template", [], str)
    if not YEAR.match(year):
        raise check.fail(["template"], f"{year!r} is not a reporting year such as '2014-15'")
    if file_year is not None and year != file_year:
        raise check.fail(["template"], f"{year!r} does not match the file name {file_year!r}")
    return year


def _tables(check: _Checker, spec: Any) -> tuple[TableDef, ...]:
    """The year's tables in publication order, each id once."""
    shared = spec.get("labels", {})
    tables = []
    seen_tables: set[str] = set()
    for i, t in enumerate(check.get(spec, "tables", [], list)):
        path: list[Any] = ["tables", i]
        table = _table(check, t, shared, path)
        if table.id in seen_tables:
            raise check.fail([*path, "id"], f"table id {table.id!r} is used twice")
        seen_tables.add(table.id)
        tables.append(table)
    if not tables:
        raise check.fail(["tables"], "a year has at least one table")
    return tuple(tables)


def _field_codes(check: _Checker, tables: tuple[TableDef, ...]) -> dict[str, list[Any]]:
    """Field code → the JSON path of its cell, each code used once in the year."""
    codes: dict[str, list[Any]] = {}
    for i, table in enumerate(tables):
        for key, code in table.fields.items():
            if code in codes:
                raise check.fail(
                    ["tables", i, "fields", key[0], key[1]],
                    f"field code {code!r} is used twice (also at {json_path(codes[code])})",
                )
            codes[code] = ["tables", i, "fields", key[0], key[1]]
    return codes


class _Cells:
    """The year's cells as a relation, claim or role names them: a field code or [table, row, column]."""

    def __init__(self, check: _Checker, tables: tuple[TableDef, ...]) -> None:
        self.check = check
        self.tables = tables
        self.by_id = {t.id: t for t in tables}
        self.codes = _field_codes(check, tables)
        self.row_ids = {t.id: {r.id for r in t.rows} for t in tables}
        self.column_ids = {t.id: {c.id for c in t.columns} for t in tables}

    def ref(self, value: Any, path: list[Any], wildcard: bool = False) -> Ref:
        """One cell; with wildcard, '*' may stand for the row or the column."""
        check = self.check
        if isinstance(value, str):  # a field code
            if value not in self.codes:
                raise check.fail(path, f"{value!r} is not a field code of this year")
            t_index, r_id, c_id = self.codes[value][1], self.codes[value][3], self.codes[value][4]
            return (self.tables[t_index].id, r_id, c_id)
        if not (isinstance(value, list) and len(value) == 3 and all(isinstance(x, str) for x in value)):
            raise check.fail(path, f"{value!r} is not a cell: give a field code or [table, row, column]")
        table_id, row_id, column_id = value
        if table_id not in self.by_id:
            raise check.fail([*path, 0], f"{table_id!r} is not a table of this year")
        if not (wildcard and row_id == "*") and row_id not in self.row_ids[table_id]:
            raise check.fail([*path, 1], f"{row_id!r} is not a row of {table_id!r}")
        if not (wildcard and column_id == "*") and column_id not in self.column_ids[table_id]:
            raise check.fail([*path, 2], f"{column_id!r} is not a column of {table_id!r}")
        return (table_id, row_id, column_id)

    def cells(self, value: Any, path: list[Any]) -> tuple[Ref, ...]:
        """One cell, or a list of cells to be summed."""
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, (list, str)) for v in value)
            and not (len(value) == 3 and all(isinstance(x, str) for x in value))
        ):
            return tuple(self.ref(v, [*path, j], wildcard=True) for j, v in enumerate(value))
        return (self.ref(value, path, wildcard=True),)


def _relations(check: _Checker, spec: Any, cells: _Cells) -> tuple[RelationRule, ...]:
    """The year's relations, each rule id once."""
    relations = []
    rule_ids: set[str] = set()
    for i, r in enumerate(spec.get("relations", [])):
        path = ["relations", i]
        rule_id = check.get(r, "rule", path, str)
        if rule_id in rule_ids:
            raise check.fail(
                [*path, "rule"], f"rule {rule_id!r} is defined twice; put its comparisons together"
            )
        rule_ids.add(rule_id)
        relations.append(_relation(check, r, path, rule_id, cells))
    return tuple(relations)


def _relation(check: _Checker, r: Any, path: list[Any], rule_id: str, cells: _Cells) -> RelationRule:
    """One relation: its severity, wording and at least one comparison."""
    severity = check.get(r, "severity", path, str)
    if severity not in SEVERITIES:
        raise check.fail([*path, "severity"], f"{severity!r} is not one of {', '.join(SEVERITIES)}")
    comparisons = tuple(
        _comparison(check, c, [*path, "compare", j], cells)
        for j, c in enumerate(check.get(r, "compare", path, list))
    )
    if not comparisons:
        raise check.fail([*path, "compare"], "a relation compares at least one pair of cells")
    return RelationRule(
        id=rule_id,
        severity=Severity(severity),
        description=check.get(r, "description", path, str),
        message=_message(check, r, "message", path),
        suggestion=_message(check, r, "suggestion", path),
        comparisons=comparisons,
    )


def _comparison(check: _Checker, c: Any, cpath: list[Any], cells: _Cells) -> Comparison:
    """One comparison of a relation: left op factor × right, both sides over the same rows and columns."""
    op = check.get(c, "op", cpath, str)
    if op not in OPS:
        raise check.fail([*cpath, "op"], f"{op!r} is not one of {', '.join(OPS)}")
    left = cells.cells(check.get(c, "left", cpath, (list, str)), [*cpath, "left"])
    right = cells.cells(check.get(c, "right", cpath, (list, str)), [*cpath, "right"])
    factor = c.get("factor", 1.0)
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 < factor <= 1000:
        raise check.fail([*cpath, "factor"], f"{factor!r} is not a positive number")
    exempt = c.get("exempt_above")
    if exempt is not None and (not isinstance(exempt, (int, float)) or isinstance(exempt, bool)):
        raise check.fail([*cpath, "exempt_above"], f"{exempt!r} is not a number")
    comparison = Comparison(left, op, right, float(factor), None if exempt is None else float(exempt))
    _check_shapes(check, cells.by_id, comparison, cpath)
    return comparison


def _claims(check: _Checker, spec: Any, cells: _Cells) -> tuple[Claim, ...]:
    """The year's stated shares, each naming its stated, numerator and denominator cells."""
    claims = []
    for i, c in enumerate(spec.get("claims", [])):
        path = ["claims", i]
        claims.append(
            Claim(
                rule=check.get(c, "rule", path, str),
                name=check.get(c, "name", path, str),
                description=check.get(c, "description", path, str),
                stated=cells.ref(check.get(c, "stated", path, (list, str)), [*path, "stated"]),
                numerator=cells.ref(check.get(c, "numerator", path, (list, str)), [*path, "numerator"]),
                denominator=cells.ref(check.get(c, "denominator", path, (list, str)), [*path, "denominator"]),
                message=_message(check, c, "message", path),
                suggestion=_message(check, c, "suggestion", path) if "suggestion" in c else Claim.suggestion,
            )
        )
    return tuple(claims)


def _roles(check: _Checker, spec: Any, cells: _Cells) -> dict[str, Ref]:
    """The cells code needs by meaning (the RSO count, the stated rate …), each a role mappa-stats knows."""
    roles = {}
    for name, value in check.get(spec, "roles", [], dict).items() if "roles" in spec else ():
        if name not in ROLES:
            raise check.fail(["roles", name], f"{name!r} is not a role mappa-stats knows: {', '.join(ROLES)}")
        roles[name] = cells.ref(value, ["roles", name])
    return roles


def _return(
    check: _Checker, spec: Any, codes: Mapping[str, list[Any]]
) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """The year's return, where known: its data sheet, its fields in order and the header typos repaired."""
    if "return" not in spec:
        return "", (), {}
    block = check.get(spec, "return", [], dict)
    return_sheet = check.get(block, "sheet", ["return"], str)
    return_fields = tuple(check.get(block, "fields", ["return"], list))
    for i, code in enumerate(return_fields):
        if code != AREAID and code not in codes:
            raise check.fail(["return", "fields", i], f"{code!r} is not a field code of this year")
        if return_fields.index(code) != i:
            raise check.fail(["return", "fields", i], f"{code!r} is listed twice")
    return_typos = dict(block.get("header_typos", {}))
    for typo, code in return_typos.items():
        if code not in return_fields:
            raise check.fail(["return", "header_typos", typo], f"{code!r} is not a field of the return")
    return return_sheet, return_fields, return_typos


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


MESSAGE_FIELDS = (
    "left",
    "right",
    "bound",
    "op",
    "share",
    "row",
    "column",
    "left_cells",
    "left_table",
    "left_section",
    "right_row",
    "right_column",
    "right_table",
    "right_source",
    "stated",
    "numerator",
    "denominator",
    "exact",
    "computed",
    "source",
)


def _message(check: _Checker, spec: Any, key: str, path: list[Any]) -> str:
    text: str = check.get(spec, key, path, str)
    for name in _PLACEHOLDER.findall(text):
        if name not in MESSAGE_FIELDS:
            raise check.fail(
                [*path, key], f"unknown placeholder {{{name}}}; use one of {', '.join(MESSAGE_FIELDS)}"
            )
    return text


def _check_shapes(check: _Checker, tables: Mapping[str, TableDef], c: Comparison, path: list[Any]) -> None:
    """Both sides of a comparison must expand over the same rows and columns."""
    for axis, name in ((1, "row"), (2, "column")):
        sides = [[ref[axis] == "*" for ref in side] for side in (c.left, c.right)]
        wild = {w for side in sides for w in side}
        if len(wild) > 1:
            raise check.fail(
                path, f"one side has '*' for the {name} and the other names one: both must, or neither"
            )
        if wild == {True}:
            ids = []
            for ref in (*c.left, *c.right):
                table = tables[ref[0]]
                ids.append({x.id for x in (table.rows if axis == 1 else table.columns)})
            if not set.intersection(*ids):
                raise check.fail(path, f"the tables compared share no {name}, so '*' matches nothing")


def _labels(check: _Checker, spec: Any, shared: Any, path: list[Any]) -> tuple[Label, ...]:
    if isinstance(spec, str):
        if not isinstance(shared, dict) or spec not in shared:
            raise check.fail(path, f"{spec!r} is not a label set under 'labels'")
        items, path = shared[spec], ["labels", spec]
    else:
        items = spec
    if not isinstance(items, list) or not items:
        raise check.fail(path, "a table's rows and columns are a non-empty list of labels")
    labels = []
    for i, item in enumerate(items):
        labels.append(
            Label(
                id=check.get(item, "id", [*path, i], str),
                label=check.get(item, "label", [*path, i], str),
                aliases=tuple(item.get("aliases", ())),
                total_of=tuple(item.get("total_of", ())),
                value_type=item.get("value_type", "count"),
            )
        )
    ids = [label.id for label in labels]
    for i, label in enumerate(labels):
        if ids.count(label.id) > 1:
            raise check.fail([*path, i, "id"], f"{label.id!r} is used twice")
        for j, part in enumerate(label.total_of):
            if part not in ids:
                raise check.fail([*path, i, "total_of", j], f"{part!r} is not one of {', '.join(ids)}")
            if part == label.id:
                raise check.fail([*path, i, "total_of", j], "a total cannot be part of itself")
        if label.value_type not in VALUE_TYPES:
            raise check.fail([*path, i, "value_type"], f"{label.value_type!r} is not one of {VALUE_TYPES}")
    return tuple(labels)


def _table(check: _Checker, spec: Any, shared: Any, path: list[Any]) -> TableDef:
    """One table: its kind, labels, totals, not-applicable cells and the field code of every cell."""
    table_id = check.get(spec, "id", path, str)
    kind = check.get(spec, "kind", path, str)
    if kind not in KINDS:
        raise check.fail([*path, "kind"], f"{kind!r} is not one of {', '.join(KINDS)}")
    rows = _labels(check, check.get(spec, "rows", path, (list, str)), shared, [*path, "rows"])
    columns = _labels(check, check.get(spec, "columns", path, (list, str)), shared, [*path, "columns"])
    for axis, labels in (("rows", rows), ("columns", columns)):
        for i, label in enumerate(labels):
            if label.total_of and not (kind == "grid" or (kind == "list" and axis == "rows")):
                raise check.fail([*path, axis, i, "total_of"], "only a grid, or a list's rows, has totals")
    na, why = _not_applicable(check, spec, path, table_id, rows, columns)
    fields = _fields(check, spec, path, table_id, rows, columns)
    return TableDef(
        id=table_id,
        kind=kind,
        title=check.get(spec, "title", path, str),
        match=tuple(spec.get("match", (spec["title"],))),
        rows=rows,
        columns=columns,
        not_applicable=na,
        na_reasons=why,
        required=spec.get("required", True),
        subtitle=spec.get("subtitle"),
        section=spec.get("section"),
        section_aliases=tuple(spec.get("section_aliases", ())),
        value_type=spec.get("value_type", "count"),
        fields=fields,
        publication=dict(spec.get("publication", {})),
    )


def _not_applicable(
    check: _Checker,
    spec: Any,
    path: list[Any],
    table_id: str,
    rows: tuple[Label, ...],
    columns: tuple[Label, ...],
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """The table's not-applicable cells: what is printed in each, and why it is not applicable."""
    row_ids, column_ids = {r.id for r in rows}, {c.id for c in columns}
    na: dict[tuple[str, str], str] = {}
    why: dict[tuple[str, str], str] = {}
    for i, c in enumerate(spec.get("not_applicable", ())):
        cpath = [*path, "not_applicable", i]
        row_id, column_id = check.get(c, "row", cpath, str), check.get(c, "column", cpath, str)
        if row_id not in row_ids:
            raise check.fail([*cpath, "row"], f"{row_id!r} is not a row of {table_id!r}")
        if column_id not in column_ids:
            raise check.fail([*cpath, "column"], f"{column_id!r} is not a column of {table_id!r}")
        na[(row_id, column_id)] = c.get("printed", "")
        why[(row_id, column_id)] = c.get("why", "")
    return na, why


def _fields(
    check: _Checker,
    spec: Any,
    path: list[Any],
    table_id: str,
    rows: tuple[Label, ...],
    columns: tuple[Label, ...],
) -> dict[tuple[str, str], str]:
    """(row, column) → field code, for every cell of the table."""
    row_ids, column_ids = {r.id for r in rows}, {c.id for c in columns}
    fields: dict[tuple[str, str], str] = {}
    spec_fields = check.get(spec, "fields", path, dict)
    for row_id, by_column in spec_fields.items():
        if row_id not in row_ids:
            raise check.fail([*path, "fields", row_id], f"{row_id!r} is not a row of {table_id!r}")
        if not isinstance(by_column, dict):
            raise check.fail([*path, "fields", row_id], "give the field code of each column: {column: CODE}")
        for column_id, code in by_column.items():
            if column_id not in column_ids:
                raise check.fail(
                    [*path, "fields", row_id, column_id], f"{column_id!r} is not a column of {table_id!r}"
                )
            if not isinstance(code, str) or not _FIELD_CODE.match(code):
                raise check.fail(
                    [*path, "fields", row_id, column_id],
                    f"{code!r} is not a field code (capitals, digits, _)",
                )
            fields[(row_id, column_id)] = code
    for row in rows:
        for column in columns:
            if (row.id, column.id) not in fields:
                raise check.fail([*path, "fields"], f"the cell {row.id}/{column.id} has no field code")
    return fields
