"""A mappa-stats tidy CSV (table, row, column, value, marker; or field, value) read as the tidy model."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import NSD_ID
from mappa_stats.definitions.load import available_years, form_years, load_template
from mappa_stats.definitions.templates import Label, Template, match_label, normalize
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
    text = guard.decode_text(guard.display_name(path), data)
    path = Path(guard.display_name(path))
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = guard.csv_rows(str(path), text, delimiter, "area")
    try:
        header = [normalize(h) for h in next(reader)]
    except StopIteration as exc:
        raise InputError(f"{path}: the CSV has no header row; see docs/formats.md") from exc
    # A field code (CAT1L1, LEVEL1TOT …) may stand in place of table, row and column.
    by_field = "field" in header and not {"table", "row", "column"} <= set(header)
    needed = ("field", "value") if by_field else TIDY_COLUMNS
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(
            f"{path}: not a mappa-stats tidy CSV: header lacks {', '.join(missing)} "
            f"(needs {', '.join(TIDY_COLUMNS)}, or field and value); see docs/formats.md"
        )
    at = {name: header.index(name) for name in header}
    rows = list(reader)
    years = {
        row[at["year"]].strip()
        for row in rows
        if "year" in at and len(row) > at["year"] and row[at["year"]].strip()
    }
    areas = {
        row[at["area"]].strip()
        for row in rows
        if "area" in at and len(row) > at["area"] and row[at["area"]].strip()
    }
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
        for field in row:
            if len(field) > guard.FORMAT_CELL_TEXT:
                raise InputError(
                    f"{place}: a field of {len(field):,} characters (limit {guard.FORMAT_CELL_TEXT:,}, a "
                    "spreadsheet cell's own); check the file"
                )
        if by_field:
            code = row[at["field"]].strip()
            ref = template.field_refs.get(code.upper())
            if ref is None:
                raise LabelError(
                    f"{place}: unknown field code {code!r} for {template.year}; "
                    "field codes are listed in docs/templates.md (CAT1L1, LEVEL1TOT …)"
                )
            table = template.table(ref[0])
            row_label, col_label = table.row(ref[1]), table.column(ref[2])
        else:
            table_id = row[at["table"]].strip()
            wanted = normalize(table_id)
            named = next((t for t in template.tables if wanted in (t.id, normalize(t.display_title))), None)
            if named is None:
                known = ", ".join(template.table_ids())
                raise LabelError(f"{place}: unknown table {table_id!r}; expected one of {known}")
            table = named
            row_label = _csv_label(row[at["row"]], table.rows, "row", table.id, place)
            col_label = _csv_label(row[at["column"]], table.columns, "column", table.id, place)
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
    order = {t: i for i, t in enumerate(template.table_ids())}
    records.sort(key=lambda rec: order[rec["table"]])
    return records, template.year, (sorted(areas)[0] if areas else None), template
