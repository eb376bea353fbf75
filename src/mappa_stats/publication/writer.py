"""Write an empty area workbook in publication layout, ready for a MAPPA manager to fill in."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from mappa_stats.definitions.constants import AREAID
from mappa_stats.definitions.templates import TableDef, Template
from mappa_stats.safetext import formula_like
from mappa_stats.version import PRODUCER

_GREY = "D9D9D9"
_INPUT = "FFF2CC"


class _Form(NamedTuple):
    """How a form's cells look, and what its number cells accept (its data validation)."""

    bold: Any  # openpyxl's Font
    box: Any  # Border
    input_fill: Any  # PatternFill: yellow, type here
    na_fill: Any  # PatternFill: grey, not applicable
    whole: Any  # DataValidation: a whole number of 0 or more


def _form(error: str) -> _Form:
    """The styles of a form, and a whole-number validation that says `error` when it refuses a cell."""
    from openpyxl.styles import Border, Font, PatternFill, Side  # lazy: openpyxl is slow to load

    thin = Side(style="thin", color="808080")
    return _Form(
        bold=Font(bold=True),
        box=Border(left=thin, right=thin, top=thin, bottom=thin),
        input_fill=PatternFill("solid", fgColor=_INPUT),
        na_fill=PatternFill("solid", fgColor=_GREY),
        whole=_whole_numbers(error),
    )


def _text(ws: Any, r: int, col: int, text: str | None) -> Any:
    """A cell holding text from the definition, as text: a label such as '=HYPERLINK(…)' is stored as
    a string (marked as typed with a leading apostrophe), never as a formula, and reads back as written."""
    cell = ws.cell(r, col, text)
    if isinstance(text, str) and formula_like(text):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _type_here(cell: Any, form: _Form, check: Any = None) -> None:
    """Make a cell an input cell (yellow, boxed), checked by `check` when one is given."""
    cell.fill = form.input_fill
    cell.border = form.box
    if check is not None:
        check.add(cell.coordinate)


def write_template(template: Template, path: Path) -> None:
    """Save a workbook the reader accepts: titles, labels, input cells with data validation."""
    from openpyxl import Workbook  # lazy: openpyxl is slow to load

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    ws = wb.create_sheet("Statistics")
    form = _form("Type a whole number of people, 0 or more.")
    ws.add_data_validation(form.whole)
    _template_heading(ws, template, form)
    r = 3
    # Exactly the tables of the year's published report: the return's breakdowns are not among them.
    published = [t for t in template.tables if t not in template.breakdowns]
    for _title, group in groupby(published, key=lambda t: (t.title, t.kind)):
        r = _template_block(ws, list(group), r, form)
    ws.column_dimensions["A"].width = 40
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 18
    ws.column_dimensions["G"].width = 16
    _mark(wb, template)
    wb.save(path)


def _template_heading(ws: Any, template: Template, form: _Form) -> None:
    """The title, the area and year cells, and what the colours mean."""
    from openpyxl.styles import Font  # lazy: openpyxl is slow to load

    ws["A1"] = "MAPPA Statistics"
    ws["A1"].font = Font(bold=True, size=14)
    ws["G1"], ws["G2"] = "MAPPA area", "Reporting year"
    ws["H2"] = template.year
    ws["H1"].fill = form.input_fill
    ws["H1"].border = form.box
    ws["G4"] = "Yellow cells: type whole numbers. Grey cells: not applicable, leave as they are."


def _template_block(ws: Any, tables: list[TableDef], r: int, form: _Form) -> int:
    """The tables that share a title, from row `r`: a single value, a list, or a grid (in sections, under
    one row of column headings). Returns the row the next block starts on."""
    first = tables[0]
    _text(ws, r, 1, first.title).font = form.bold
    if first.kind == "value":
        _type_here(ws.cell(r, 5), form, form.whole if first.value_type == "count" else None)
        return r + 2
    if first.kind == "list":
        if first.subtitle:
            r += 1
            _text(ws, r, 1, first.subtitle)
        for row in first.rows:
            r += 1
            _text(ws, r, 1, row.label)
            _type_here(ws.cell(r, 5), form, form.whole if first.cell_value_type(row.id) == "count" else None)
        return r + 2
    return _template_grid(ws, tables, r + 1, form)


def _template_grid(ws: Any, tables: list[TableDef], r: int, form: _Form) -> int:
    """A grid from its column headings on row `r`: each section's rows of input cells, grey where a cell
    does not apply. Returns the row the next block starts on."""
    from openpyxl.styles import Alignment  # lazy: openpyxl is slow to load

    for i, column in enumerate(tables[0].columns):
        cell = _text(ws, r, 2 + i, column.label)
        cell.font = form.bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for table in tables:
        if table.section:
            r += 1
            _text(ws, r, 1, table.section).font = form.bold
        for row in table.rows:
            r += 1
            _text(ws, r, 1, row.label)
            for i, column in enumerate(table.columns):
                if table.is_applicable(row.id, column.id):
                    _type_here(ws.cell(r, 2 + i), form, form.whole)
                else:
                    _not_applicable(ws, r, 2 + i, table, (row.id, column.id), form)
    return r + 2


def _not_applicable(ws: Any, r: int, col: int, table: TableDef, key: tuple[str, str], form: _Form) -> None:
    """A grey cell that does not apply: the table's marker for it, and a comment saying why."""
    from openpyxl.comments import Comment  # lazy: openpyxl is slow to load
    from openpyxl.styles import Alignment

    cell = _text(ws, r, col, table.not_applicable[key] or None)
    cell.fill = form.na_fill
    cell.alignment = Alignment(horizontal="right")
    cell.comment = Comment(f"Not applicable: {table.na_reasons[key]}", "mappa-stats")


def _whole_numbers(error: str) -> Any:
    """Excel's data validation for an input cell: a whole number of 0 or more, or blank."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole numbers only",
        error=error,
    )


# Document properties that let mappa-stats recognise an empty template it wrote (and so replace it),
# while a template someone has filled in (any cell changed) is never replaced without --force.
DIGEST = "Cells digest"


def cells_digest(workbook: Any) -> str:
    """SHA-256 of every non-empty cell (sheet, reference, value): changes when anything is typed."""
    digest = hashlib.sha256()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    digest.update(f"{ws.title}!{cell.coordinate}={cell.value!r}\n".encode())
    return digest.hexdigest()


def _mark(wb: Any, template: Template) -> None:
    from openpyxl.packaging.custom import StringProperty

    wb.properties.title = f"MAPPA statistics {template.year}: area workbook to fill in"
    wb.properties.language = "en-GB"
    wb.properties.creator = PRODUCER
    wb.custom_doc_props.append(StringProperty(name="Producer", value=PRODUCER))
    wb.custom_doc_props.append(StringProperty(name=DIGEST, value=cells_digest(wb)))


def is_unfilled_template(path: Path) -> bool:
    """True when this workbook is a template mappa-stats wrote and nobody has typed into it."""
    from openpyxl import load_workbook

    if path.suffix.lower() == ".ods":
        return _unchanged_ods(path)
    try:
        wb = load_workbook(path)
    except Exception:  # any file openpyxl cannot open is certainly not our unchanged template
        return False
    stored = next((p.value for p in wb.custom_doc_props if p.name == DIGEST), None)  # type: ignore[attr-defined]
    return stored is not None and stored == cells_digest(wb)


# The Ministry's return: the 'Data entry' form the manager types into, and the data sheet of field codes whose
# row 2 holds plain references to it (shared/research/moj-return.md). Where the form's own layout is not
# public, this one is mappa-stats': one row per field, the number in column D (as the Ministry's comments
# place them), the breakdown blocks found by their first label in column B with counts from column C.
ENTRY_SHEET = "Data entry"
_FIRST_FIELD_ROW = 5


def return_layout(template: Template) -> tuple[dict[str, int], dict[str, int]]:
    """Where a return form puts things: field code → row of 'Data entry', and breakdown table → first row."""
    rows: dict[str, int] = {}
    r = _FIRST_FIELD_ROW
    for code in template.return_fields:
        if code != AREAID:
            rows[code] = r
            r += 1
    blocks: dict[str, int] = {}
    for table in _blocks(template):
        r += 3  # a blank row, the block's title, its column headings
        blocks[table.id] = r
        r += len(table.rows)
    return rows, blocks


def _blocks(template: Template) -> list[TableDef]:
    return list(template.breakdowns)


def write_return(
    template: Template,
    path: Path,
    values: dict[str, float] | None = None,
    area_id: int | None = None,
    area_name: str | None = None,
) -> None:
    """Save a return of the year: the 'Data entry' form and the data sheet of references, with the values
    Excel would save (so the file reads back before anyone opens it in Excel)."""
    from openpyxl import Workbook  # lazy: openpyxl is slow to load

    values = dict(values or {})
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    entry = wb.create_sheet(ENTRY_SHEET)
    form = _form("Type a whole number, 0 or more.")
    ids = _area_ids()
    entry.add_data_validation(form.whole)
    entry.add_data_validation(ids)
    _return_heading(entry, template, form, ids, area_id, area_name)
    rows, blocks = return_layout(template)
    _return_fields(entry, template, rows, values, form)
    _return_blocks(entry, template, blocks, values, form)
    entry.column_dimensions["A"].width = 22
    entry.column_dimensions["B"].width = 70
    for letter in "CDEFGH":
        entry.column_dimensions[letter].width = 14
    data, saved = _data_sheet(wb, template, rows, values, area_id)
    wb.calculation.fullCalcOnLoad = True  # Excel and LibreOffice recalculate when the form is opened
    _mark(wb, template)
    wb.properties.title = f"MAPPA return {template.label}"
    wb.save(path)
    _save_cached(path, f"xl/worksheets/sheet{wb.index(data) + 1}.xml", saved)


def _area_ids() -> Any:
    """Excel's data validation for the area id cell: the Ministry's ids, 1 to 43."""
    from openpyxl.worksheet.datavalidation import DataValidation  # lazy: openpyxl is slow to load

    return DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="43",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Area id",
        error="Type the Ministry's area id: 1 to 42 for an area, 43 for the National Security Division.",
    )


def _return_heading(
    entry: Any, template: Template, form: _Form, ids: Any, area_id: int | None, area_name: str | None
) -> None:
    """The area id and name cells, what to type, and the headings of the field rows."""
    entry["A1"], entry["C1"] = "Area ID", "Area"
    entry["A1"].font = entry["C1"].font = form.bold
    entry["A2"].value = area_id
    _type_here(entry["A2"], form, ids)
    entry["C2"].value = area_name
    _type_here(entry["C2"], form)
    entry["E1"] = f"MAPPA return {template.label}: type whole numbers in the yellow cells."
    for letter, heading in zip("ABD", ("Field", "What to type", "Number"), strict=True):
        entry[f"{letter}4"] = heading
        entry[f"{letter}4"].font = form.bold


def _return_fields(
    entry: Any, template: Template, rows: dict[str, int], values: dict[str, float], form: _Form
) -> None:
    """One row per field: its code, what to type, and the number (column D)."""
    refs = template.field_refs
    for code, r in rows.items():
        table_id, row_id, column_id = refs[code]
        _text(entry, r, 1, code)
        _text(entry, r, 2, template.table(table_id).describe(row_id, column_id))
        cell = entry.cell(r, 4)
        cell.value = values.get(code)
        _type_here(cell, form, form.whole)


def _return_blocks(
    entry: Any, template: Template, blocks: dict[str, int], values: dict[str, float], form: _Form
) -> None:
    """The breakdown blocks: each one's title, column headings and rows of numbers."""
    from openpyxl.styles import Alignment  # lazy: openpyxl is slow to load

    for table in _blocks(template):
        first = blocks[table.id]
        _text(entry, first - 2, 1, f"{table.title} (optional)").font = form.bold
        entry.cell(first - 1, 2, "Label (only the first is public: type the others as your form has them)")
        for k, column in enumerate(table.columns):
            head = _text(entry, first - 1, 3 + k, column.label)
            head.font = form.bold
            head.alignment = Alignment(wrap_text=True)
        for offset, row in enumerate(table.rows):
            if offset == 0:
                # The one label known from a source (the Ministry's code finds the block by it).
                _text(entry, first, 2, row.label)
            else:
                # Not public: a marked input cell for the label, never an invented one.
                entry.cell(first + offset, 1, "type the label")
                _type_here(entry.cell(first + offset, 2), form)
            for k, column in enumerate(table.columns):
                cell = entry.cell(first + offset, 3 + k)
                cell.value = values.get(table.fields[(row.id, column.id)])
                _type_here(cell, form, form.whole)


def _data_sheet(
    wb: Any, template: Template, rows: dict[str, int], values: dict[str, float], area_id: int | None
) -> tuple[Any, dict[str, Any]]:
    """The data sheet: the field codes, and row 2's references to the form; with the value each reference
    shows (as Excel would save it) by cell."""
    data = wb.create_sheet(template.return_sheet)
    saved: dict[str, Any] = {}
    for number, code in enumerate(template.return_fields, start=1):
        _text(data, 1, number, code)
        target = "A2" if code == AREAID else f"D{rows[code]}"
        cell = data.cell(2, number, f"='{ENTRY_SHEET}'!{target}")
        # Excel shows a reference to an empty cell as 0, and saves that.
        saved[cell.coordinate] = area_id if code == AREAID else values.get(code)
    return data, saved


def _save_cached(path: Path, part: str, saved: dict[str, Any]) -> None:
    """Write the value each formula cell shows into the saved workbook (openpyxl saves formulas only)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info.filename) for info in source.infolist()}
    ET.register_namespace("", main)
    for info, content in parts.items():
        if info.filename != part:
            continue
        root = ET.fromstring(content)
        for cell in root.iter(f"{{{main}}}c"):
            if cell.find(f"{{{main}}}f") is None:
                continue
            value = saved.get(cell.get("r", ""))
            shown = cell.find(f"{{{main}}}v")
            if shown is None:
                shown = ET.SubElement(cell, f"{{{main}}}v")
            cell.attrib.pop("t", None)
            shown.text = str(int(value)) if isinstance(value, (int, float)) else "0"
        parts[info] = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in parts.items():
            target.writestr(info, content)


_ODS_DIGEST = re.compile(rf'meta:name="{DIGEST}"[^>]*>([0-9a-f]{{64}})<')


def _unchanged_ods(path: Path) -> bool:
    """An .ods mappa-stats wrote (an annotated copy) whose content.xml is as written: its meta.xml holds the
    SHA-256 of content.xml, which any save in LibreOffice or Excel changes."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = _ODS_DIGEST.search(archive.read("meta.xml").decode("utf-8", "replace"))
            return (
                found is not None
                and found.group(1) == hashlib.sha256(archive.read("content.xml")).hexdigest()
            )
    except (
        OSError,
        KeyError,
        zipfile.BadZipFile,
        RuntimeError,
        NotImplementedError,
        ValueError,
        EOFError,
        zlib.error,
    ):
        return False
