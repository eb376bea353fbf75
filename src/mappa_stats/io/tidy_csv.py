"""A mappa-stats tidy CSV (table, row, column, value, marker; or field, value) read as the tidy model."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import NSD_ID
from mappa_stats.definitions.load import available_years, form_years, load_template
from mappa_stats.definitions.templates import Label, TableDef, Template, match_label, normalize
from mappa_stats.errors import InputError, LabelError
from mappa_stats.io import guard
from mappa_stats.io import ret as returns
from mappa_stats.io.areas import area_key
from mappa_stats.model import TEXT_NUMBER, parse_cell, record

TIDY_COLUMNS = ("table", "row", "column", "value", "marker")


def _csv_label(text: str, labels: tuple[Label, ...], what: str, table_id: str, place: str) -> Label:
    """A tidy CSV's row or column, given by id ('level1') or by label ('Level 1', 'L1')."""
    found = next((label for label in labels if label.id == text.strip()), None) or match_label(text, labels)
    if found is None:
        raise LabelError(
            f"{place}: unknown {what} {text.strip()!r} in table {table_id}; "
            f"expected one of {', '.join(label.id for label in labels)}"
        )
    return found


def read_tidy_csv(
    path: Path, data: bytes, year: str | None
) -> tuple[list[dict[str, Any]], str, str | None, Template]:
    """The records of a tidy CSV, its year (the file's, --year or the latest), the area it names and the
    definition it follows; every cell of a table it gives, once."""
    text = guard.decode_text(guard.display_name(path), data)
    path = Path(guard.display_name(path))
    reader = guard.csv_rows(str(path), text, _delimiter(text), "area")
    header, by_field = _header(path, reader)
    at = {name: header.index(name) for name in header}
    rows = list(reader)
    years, areas = _column_values(rows, at, "year"), _column_values(rows, at, "area")
    chosen = year or (sorted(years)[0] if years else available_years()[-1])
    template = load_template(chosen)
    nsd = returns.moj_area_ids()[NSD_ID]
    if any(area_key(a) == area_key(nsd) for a in areas) and template.year in form_years("nsd"):
        template = load_template(template.year, "nsd")  # the NSD's tables follow its own definition
    records = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        place = f"{path}:{number}"
        _check_field_lengths(place, row)
        table, row_label, col_label = _cell_of(place, row, at, template, by_field)
        key = (table.id, row_label.id, col_label.id)
        if key in seen:
            raise LabelError(
                f"{place}: the cell {'/'.join(key)} was already given on line {seen[key]}; keep one"
            )
        seen[key] = number
        value, marker = row[at["value"]], (row[at["marker"]].strip() if "marker" in at else "")
        parsed = parse_cell(value if value.strip() else (marker if marker and marker != "blank" else None))
        if parsed.issue == TEXT_NUMBER:
            # Every CSV value is text; a plain number there is not a number stored as text.
            parsed = replace(parsed, issue="")
        records.append(record(table.id, row_label.id, col_label.id, parsed, "", f"line {number}", place))
    _check_complete(path, template, seen)
    order = {t: i for i, t in enumerate(template.table_ids())}
    records.sort(key=lambda rec: order[rec["table"]])
    return records, template.year, (sorted(areas)[0] if areas else None), template


def _delimiter(text: str) -> str:
    """The CSV's delimiter (a comma, semicolon or tab), told from its first lines; a comma when unclear."""
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        return dialect.delimiter
    except csv.Error:
        return ","


def _header(path: Path, reader: Iterator[list[str]]) -> tuple[list[str], bool]:
    """The header's column names, normalised, and whether a field code stands in place of table, row and
    column (CAT1L1, LEVEL1TOT …)."""
    try:
        header = [normalize(h) for h in next(reader)]
    except StopIteration as exc:
        raise InputError(f"{path}: the CSV has no header row; see docs/formats.md") from exc
    by_field = "field" in header and not {"table", "row", "column"} <= set(header)
    needed = ("field", "value") if by_field else TIDY_COLUMNS
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(
            f"{path}: not a mappa-stats tidy CSV: header lacks {', '.join(missing)} "
            f"(needs {', '.join(TIDY_COLUMNS)}, or field and value); see docs/formats.md"
        )
    return header, by_field


def _column_values(rows: list[list[str]], at: dict[str, int], name: str) -> set[str]:
    """The distinct values an optional column (year, area) holds, blanks left out."""
    return {
        row[at[name]].strip() for row in rows if name in at and len(row) > at[name] and row[at[name]].strip()
    }


def _check_field_lengths(place: str, row: list[str]) -> None:
    """No field longer than a spreadsheet cell can hold."""
    for field in row:
        if len(field) > guard.FORMAT_CELL_TEXT:
            raise InputError(
                f"{place}: a field of {len(field):,} characters (limit {guard.FORMAT_CELL_TEXT:,}, a "
                "spreadsheet cell's own); check the file"
            )


def _cell_of(
    place: str, row: list[str], at: dict[str, int], template: Template, by_field: bool
) -> tuple[TableDef, Label, Label]:
    """The table, row and column a line gives: by its field code, or by table, row and column."""
    if by_field:
        code = row[at["field"]].strip()
        ref = template.field_refs.get(code.upper())
        if ref is None:
            raise LabelError(
                f"{place}: unknown field code {code!r} for {template.year}; "
                "field codes are listed in docs/templates.md (CAT1L1, LEVEL1TOT …)"
            )
        table = template.table(ref[0])
        return table, table.row(ref[1]), table.column(ref[2])
    table_id = row[at["table"]].strip()
    wanted = normalize(table_id)
    named = next((t for t in template.tables if wanted in (t.id, normalize(t.display_title))), None)
    if named is None:
        known = ", ".join(template.table_ids())
        raise LabelError(f"{place}: unknown table {table_id!r}; expected one of {known}")
    row_label = _csv_label(row[at["row"]], named.rows, "row", named.id, place)
    col_label = _csv_label(row[at["column"]], named.columns, "column", named.id, place)
    return named, row_label, col_label


def _check_complete(path: Path, template: Template, seen: dict[tuple[str, str, str], int]) -> None:
    """Every cell of each table the CSV gives, and every table the year requires."""
    present = {t for t, _r, _c in seen}
    for table in template.tables:
        if table.id in present:
            for row_label in table.rows:
                for col_label in table.columns:
                    if (table.id, row_label.id, col_label.id) not in seen:
                        raise LabelError(
                            f"{path}: table {table.id} lacks the cell "
                            f"row={row_label.id} column={col_label.id}; "
                            "give every cell, with marker 'blank' for an empty one"
                        )
        elif table.required and not template.report_only(table.id):
            raise LabelError(f"{path}: table {table.id} ({table.display_title!r}) has no rows; add its cells")
