"""Render an area's tables in publication layout: text, Markdown, tidy CSV or JSON."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from typing import Any

from tabulate import tabulate

from mappa_stats import safetext
from mappa_stats.definitions.templates import TableDef
from mappa_stats.model import BLANK, AreaTables
from mappa_stats.render.as_json import as_json
from mappa_stats.render.html import from_markdown
from mappa_stats.version import __version__

TABLES_SCHEMA_VERSION = "1.0"


def safe_text(text: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula (a leading ', as Excel does)."""
    return safetext.spreadsheet(text)


def shown(value: float | None, marker: str, raw: str, issue: str = "") -> str:
    """A cell as published: the number, or its marker (blank for an empty cell)."""
    if issue:
        return raw
    if marker == BLANK:
        return ""
    if marker:
        return raw or marker
    if value is None or math.isnan(value):
        return raw
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _grid_rows(tables: AreaTables, table: TableDef, escape: Callable[[str], str]) -> list[list[str]]:
    """The table's rows: its labels, then each cell as published, made safe by `escape`."""
    rows = []
    for row in table.rows:
        line = [escape(tables.row_label(table, row))]
        for column in table.columns:
            cell = tables.cell(table.id, row.id, column.id)
            line.append("" if cell is None else escape(shown(cell.value, cell.marker, cell.raw, cell.issue)))
        rows.append(line)
    return rows


def _wrap(label: str, width: int = 16) -> str:
    """Break a long column label over lines, as the published header does."""
    words, lines, current = label.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines)


def _present(tables: AreaTables) -> list[TableDef]:
    return [t for t in tables.template.tables if tables.has_table(t.id)]


def _heading(tables: AreaTables, escape: Callable[[str], str]) -> str:
    area = escape(tables.meta.area or "area not stated")
    return f"{area} — MAPPA statistics, template {tables.meta.template} ({escape(tables.meta.path)})"


def render_text(tables: AreaTables) -> str:
    """Plain-text tables for a terminal."""
    parts = [_heading(tables, safetext.terminal)]
    for table in _present(tables):
        rows = _grid_rows(tables, table, safetext.terminal)
        if table.kind == "grid":
            headers = ["", *(_wrap(c.label) for c in table.columns)]
            body = tabulate(
                rows,
                headers=headers,
                tablefmt="simple",
                disable_numparse=True,
                colalign=("left", *("right",) * len(table.columns)),
            )
        else:
            body = tabulate(rows, tablefmt="plain", disable_numparse=True, colalign=("left", "right"))
        parts.append(f"{table.display_title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def markdown_sections(tables: AreaTables, level: int = 2) -> list[str]:
    """One Markdown section per table: a heading at `level`, then the table."""
    sections = []
    for table in _present(tables):
        rows = _grid_rows(tables, table, safetext.markdown)
        headers = ["", *(c.label for c in table.columns)]
        body = tabulate(
            rows,
            headers=headers,
            tablefmt="pipe",
            disable_numparse=True,
            colalign=("left", *("right",) * len(table.columns)),
        )
        sections.append(f"{'#' * level} {table.display_title}\n\n{body}")
    return sections


def render_markdown(tables: AreaTables) -> str:
    """GitHub-flavoured Markdown tables, one section per table."""
    return "\n\n".join([f"# {_heading(tables, safetext.markdown)}", *markdown_sections(tables)]) + "\n"


def tidy_rows(tables: AreaTables) -> list[dict[str, str]]:
    """The tidy interchange rows: area, year, table, row, column, value, marker."""
    out: list[dict[str, str]] = []
    for rec in tables.cells().values():
        # A cell that was not a plain number keeps its raw content, so the CSV reads back the same.
        value = "" if rec.marker else shown(rec.value, "", rec.raw, rec.issue)
        out.append(
            {
                "area": tables.meta.area or "",
                "year": tables.meta.template,
                "table": rec.table,
                "row": rec.row,
                "column": rec.column,
                "value": value,
                "marker": rec.marker,
            }
        )
    return out


def render_csv(tables: AreaTables) -> str:
    """Tidy CSV, one line per cell (docs/formats.md); safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["area", "year", "table", "row", "column", "value", "marker"], lineterminator="\n"
    )
    writer.writeheader()
    for row in tidy_rows(tables):
        writer.writerow({k: safe_text(v) for k, v in row.items()})
    return buffer.getvalue()


def tables_document(tables: AreaTables) -> dict[str, Any]:
    """The tables as a JSON-ready document."""
    docs = []
    for table in _present(tables):
        rows = []
        for row in table.rows:
            cells = {}
            for column in table.columns:
                cell = tables.cell(table.id, row.id, column.id)
                if cell is None:
                    continue
                number = cell.count
                cells[column.id] = {
                    "value": None if number is None else int(number) if number.is_integer() else number,
                    "marker": cell.marker or None,
                    "raw": cell.raw,
                    "source": cell.source,
                }
            rows.append({"id": row.id, "label": tables.row_label(table, row), "cells": cells})
        docs.append(
            {
                "id": table.id,
                "title": table.display_title,
                "columns": [{"id": c.id, "label": c.label} for c in table.columns],
                "rows": rows,
            }
        )
    return {
        "schema_version": TABLES_SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "path": tables.meta.path,
        "sha256": tables.meta.sha256,
        "area": tables.meta.area,
        "template": tables.meta.template,
        "tables": docs,
    }


def render_json(tables: AreaTables) -> str:
    """The tables as JSON."""
    return as_json(tables_document(tables))


def render_html(tables: AreaTables) -> str:
    """The tables as an HTML page (the Markdown document's tables)."""
    area = tables.meta.area or "an area"
    return from_markdown(f"MAPPA statistics of {area}, {tables.template.year}", render_markdown(tables))
