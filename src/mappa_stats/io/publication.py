"""Reading back a publication workbook that mappa-stats wrote (.xlsx or .ods): its properties say which
area, year and definition it holds, its sheets the tables."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mappa_stats.errors import InputError
from mappa_stats.model import AreaTables, Metadata, a1, parse_cell, record
from mappa_stats.version import PRODUCER

if TYPE_CHECKING:
    from mappa_stats.definitions.templates import Label, TableDef, Template

# A publication workbook is a few hundred KB; anything far larger is not one of ours.
_MAX_PUBLICATION_BYTES = 5_000_000
_MAX_PART_BYTES = 20_000_000


def _zip_part(path: Path, names: Iterable[str]) -> str | None:
    """The text of the first of these parts of a small zip file, or None."""
    import zipfile
    import zlib

    try:
        if path.stat().st_size > _MAX_PUBLICATION_BYTES:
            return None
        with zipfile.ZipFile(path) as archive:
            for name in names:
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    continue
                if info.file_size > _MAX_PART_BYTES:
                    return None
                return archive.read(name).decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, EOFError, zlib.error):
        return None
    return None


def publication_properties(path: Path) -> dict[str, str] | None:
    """The area and year of a publication workbook mappa-stats wrote, or None for any other file."""
    import re

    text = _zip_part(path, ("docProps/custom.xml", "meta.xml"))
    if text is None or f">{PRODUCER}<" not in text:
        return None
    found: dict[str, str] = {}
    for name in ("MAPPA area", "Template year"):
        match = re.search(rf'name="{re.escape(name)}"[^>]*>(?:<vt:lpwstr>)?([^<]*)<', text)
        if match:
            import html

            found[name] = html.unescape(match.group(1))
    return found if "Template year" in found else None


def _grid(path: Path, sheet: str) -> list[list[Any]]:
    """The cells of one worksheet as rows of values (None for an empty cell)."""
    if path.suffix.lower() == ".ods" or _zip_part(path, ("meta.xml",)) is not None:
        import pandas as pd

        frame = pd.read_excel(path, sheet_name=sheet, header=None, engine="odf")
        return [[None if _is_nan(v) else v for v in row] for row in frame.itertuples(index=False)]
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _sheet_names(path: Path) -> list[str]:
    if _zip_part(path, ("meta.xml",)) is not None:
        import pandas as pd

        return [str(n) for n in pd.ExcelFile(path, engine="odf").sheet_names]
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_publication(path: Path, properties: dict[str, str]) -> AreaTables:
    """Read a publication workbook mappa-stats wrote back to the tables it was written from."""
    import hashlib

    from mappa_stats.safetext import shown

    template = _publication_template(path, properties)
    by_title = {t.display_title: t for t in template.tables}
    records: list[dict[str, Any]] = []
    name = shown(path)
    try:
        sheets = [s for s in _sheet_names(path) if s.startswith("Table_")]
        for sheet in sheets:
            records.extend(_sheet_records(name, sheet, _grid(path, sheet), by_title))
    except (KeyError, IndexError, StopIteration, ValueError) as exc:
        raise InputError(
            f"{name}: a mappa-stats publication workbook that was changed after it was written "
            f"({type(exc).__name__}); read the source workbook instead"
        ) from exc
    meta = Metadata(
        path=name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        template=template.year,
        area=properties.get("MAPPA area") or None,
        source_format="ods" if _zip_part(path, ("meta.xml",)) is not None else "xlsx",
    )
    return AreaTables.from_records(records, meta=meta, template=template)


def _publication_template(path: Path, properties: dict[str, str]) -> Template:
    """The definition the workbook was written from: its year's, an area's or the NSD's; the national
    workbook is refused (its figures are in combine's own outputs)."""
    # Loaded only when a publication workbook is read back, as the module's other imports are.
    from mappa_stats.definitions.constants import NATIONAL, NSD_ID
    from mappa_stats.definitions.load import load_template
    from mappa_stats.io.ret import moj_area_ids

    if properties.get("MAPPA area") == NATIONAL:
        raise InputError(
            f"{path}: the national publication workbook combine wrote; its figures are in combine's own "
            "outputs (`combine … -f csv` or `-f json`): give an area's workbook, return or tidy CSV"
        )
    # The National Security Division's tables follow its own definition (Category 4).
    nsd = properties.get("MAPPA area") == moj_area_ids()[NSD_ID]
    return load_template(properties["Template year"], "nsd" if nsd else "area")


def _sheet_records(
    name: str, sheet: str, grid: list[list[Any]], by_title: dict[str, TableDef]
) -> list[dict[str, Any]]:
    """The records of one 'Table_' worksheet: its title names the table, the rows below the header its
    cells."""
    title = str(grid[0][0]).split(": ", 1)[1] if grid and grid[0] and grid[0][0] else ""
    table = next((t for label, t in by_title.items() if title.startswith(label + ",")), None)
    if table is None:
        raise InputError(
            f"{name}: worksheet {sheet} has a title mappa-stats did not write; "
            "read the source workbook instead"
        )
    top = next(i for i, r in enumerate(grid) if r and r[0] == table.publication.get("row_header", "Measure"))
    labels = {r.label: r for r in table.rows}
    records: list[dict[str, Any]] = []
    for offset, values in enumerate(grid[top + 1 :], start=top + 2):
        position = offset - top - 2
        if values and values[0] in labels:
            row = labels[str(values[0])]
        elif values and not table.required and position < len(table.rows):
            row = table.rows[position]  # a return's breakdown row, published under its own label
        else:
            break
        columns = table.columns if table.kind == "grid" else table.columns[:1]
        for c, column in enumerate(columns, start=2):
            value = _published_value(table, row, column, values[c - 1] if c - 1 < len(values) else None)
            ref = a1(offset, c)
            records.append(
                record(table.id, row.id, column.id, parse_cell(value), sheet, ref, f"'{sheet}'!{ref}")
            )
    return records


def _published_value(table: TableDef, row: Label, column: Label, value: Any) -> Any:
    """A published cell's value as the source held it: '[z]' back to the cell's not-applicable marker, a
    whole float to an int, a percentage row's number to the share it is."""
    if value == "[z]" and not table.is_applicable(row.id, column.id):
        value = table.not_applicable[(row.id, column.id)] or None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)) and table.cell_value_type(row.id) == "percentage":
        value = f"{value:g}%"  # published under a "(%)" header, read as the share it is
    return value
