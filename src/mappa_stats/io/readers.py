"""Read an area's tables from .xlsx, .ods or tidy CSV into the tidy model."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import (
    Label,
    Template,
    available_years,
    load_template,
    match_label,
    normalize,
)
from mappa_stats.errors import InputError, LabelError
from mappa_stats.io import archive, guard
from mappa_stats.io import ret as returns
from mappa_stats.io.areas import check_area_option
from mappa_stats.io.layout import AREA_KEYS, RawCell, Sheet, Workbook, detect_year, extract
from mappa_stats.model import TEXT_NUMBER, AreaTables, Metadata, a1, parse_cell, record, sheet_ref

# A second, full look at blank cells (formulas, merged cells) only for workbooks this small.
STDIN = guard.STDIN

TIDY_COLUMNS = ("table", "row", "column", "value", "marker")


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the input's bytes, recorded so a report can be tied to its file."""
    return hashlib.sha256(data).hexdigest()


def is_lock_file(path: Path) -> bool:
    """An Office lock file: Excel's '~$…' or LibreOffice's '.~lock.…#', kept beside a workbook while it is
    open. It is never a workbook (and under its name it looks like one)."""
    return path.name.startswith("~$") or (path.name.startswith(".~lock.") and path.name.endswith("#"))


LOCK_FILE = "an Office lock file (Excel or LibreOffice keeps one beside a workbook while it is open)"


def display_name(path: Path) -> str:
    """How a path is named in messages ('-' is standard input)."""
    return guard.display_name(path)


def sniff(path: Path, data: bytes) -> str:
    """What the bytes are, whatever the file is called: 'xlsx', 'ods', 'csv', 'pdf' or 'report-text'."""
    display = display_name(path)
    # issue 14 hook: a published report, as a PDF or as the text a PDF gives (mappa_stats.io.published).
    if data.startswith(b"%PDF-") or (b"%PDF-" in data[:1024] and data[:2] != b"PK" and data[:1] != b"\xd0"):
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            raise InputError(
                f"{display}: the workbook is password-protected; save an unprotected copy and check that"
            )
        raise InputError(
            f"{display}: a legacy Excel 97-2003 (.xls) file; open it and save as .xlsx (Excel Workbook)"
        )
    if data[:4] == b"PK\x03\x04":
        kind = archive.check_zip(display, data, "area")
        if kind == "zip":
            raise InputError(f"{display}: a zip archive, but not a spreadsheet; save the workbook as .xlsx")
        return kind
    if data[:2] == b"PK":
        raise InputError(f"{display}: the file is damaged (truncated workbook); save it again")
    sample = data[:4096]
    if b"\x00" in sample:
        raise InputError(f"{display}: not a spreadsheet or CSV file (binary content); check the file")
    if path.suffix.lower() in {".xlsx", ".xlsm", ".ods", ".xls"}:
        raise InputError(
            f"{display}: named {path.suffix} but holds plain text (a CSV?); "
            "rename it to .csv, or save the workbook again from Excel"
        )
    guard.check_text(display, data, "area")
    # issue 14 hook: report text (a .txt, or any text holding a table title at the start of a line).
    from mappa_stats.io.report_lines import looks_like_report

    if looks_like_report(data, path.name):
        return "report-text"
    return "csv"


def _check_text_length(path: Path, value: Any, budget: guard.Limits) -> None:
    """A cell's text beyond a spreadsheet cell's limit is refused before it reaches any output."""
    if isinstance(value, str) and len(value) > budget.text_bytes:
        raise InputError(
            f"{display_name(path)}: a cell holds {len(value):,} characters of text (limit "
            f"{budget.text_bytes:,}, a spreadsheet cell's own); check the file"
        )


def _xlsx_sheets(path: Path, data: bytes) -> list[Sheet]:
    """The sheets of a workbook in one streaming pass (mappa_stats.io.xlsx), with what its blanks hide."""
    from mappa_stats.io.xlsx import XlsxError, merged_cells, read_xlsx

    budget = guard.limits("area")
    try:
        found = read_xlsx(data, max_cells=budget.cells, max_text=budget.unpacked_bytes)
    except XlsxError as exc:
        raise InputError(
            f"{display_name(path)}: cannot be read as an Excel workbook: {exc}; save it again"
        ) from None
    sheets = []
    for raw in found:
        sheet = Sheet(
            name=raw.name,
            hidden=raw.hidden,
            formulas=raw.formulas,
            merged=merged_cells(raw),
            references=raw.references,
        )
        for key, (value, number_format) in raw.cells.items():
            _check_text_length(path, value, budget)
            sheet.cells[key] = RawCell(value, number_format)
        sheets.append(sheet)
    return sheets


def _explain_blanks(
    records: list[dict[str, Any]],
    sheets: list[Sheet],
    template: Template,
    single: frozenset[str] = frozenset(),
) -> None:
    """Blank cells that are really formulas with no saved value, or parts of merged cells, say so.

    Only blanks where a figure belongs are looked into: a blank not-applicable cell (Category 3 at Level 1)
    is as it should be."""
    from mappa_stats.io.xlsx import cell_position

    by_name = {sheet.name: sheet for sheet in sheets}
    for rec in records:
        sheet = by_name.get(rec["sheet"])
        if rec["marker"] != "blank" or sheet is None:
            continue
        if not template.table(rec["table"]).is_applicable(rec["row"], rec["column"]):
            continue
        row, column = cell_position(rec["cell"])
        if (row, column) in sheet.formulas:
            rec.update(marker="", raw=sheet.formulas[(row, column)], issue="no_cached_value")
            continue
        if rec["table"] in single:
            # A single figure is found as the first value right of its label; a formula with no saved
            # value looked empty then, so the blank was placed on the cell beside the label. Name the
            # formula's own cell instead of one the manager never touched.
            for right in range(column, column + 30):
                if (row, right) in sheet.cells:
                    break
                if (row, right) in sheet.formulas:
                    ref = a1(row, right)
                    rec.update(marker="", raw=sheet.formulas[(row, right)], issue="no_cached_value", cell=ref)
                    rec["source"] = sheet_ref(rec["sheet"], ref)
                    break
            if rec["issue"]:
                continue
        if (row, column) in sheet.merged:
            rec["raw"] = f"merged {sheet.merged[(row, column)]}"


def _ods_sheets(path: Path, data: bytes) -> list[Sheet]:
    import pandas as pd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frames = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="odf")
    except Exception as exc:  # odfpy and pandas raise many types for damaged files
        raise InputError(
            f"{path}: cannot be opened as an OpenDocument spreadsheet ({type(exc).__name__}); save it again"
        ) from exc
    sheets = []
    budget = guard.limits("area")
    for name, frame in frames.items():
        sheet = Sheet(name=str(name))
        for key, value in frame.stack().dropna().items():
            _check_text_length(path, value, budget)
            r, c = (int(part) for part in key)  # type: ignore[attr-defined]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            sheet.cells[(r + 1, c + 1)] = RawCell(
                value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
            )
        sheets.append(sheet)
    data_sheet = returns.data_sheet(sheets)
    if data_sheet is not None:
        # A return saved as OpenDocument: its row 2 references name the cell the manager typed.
        data_sheet.references.update(_ods_row_formulas(data, data_sheet.name, 2))
    return sheets


_ODF_REFERENCE = re.compile(r"^of:=\[\$?(?:'((?:[^']|'')+)'|([^.\]]+))\.\$?([A-Za-z]{1,3})\$?(\d{1,7})\]$")


def _ods_row_formulas(data: bytes, sheet_name: str, row: int) -> dict[tuple[int, int], str]:
    """Plain references in one row of one sheet of an .ods, in Excel's spelling ("='Data entry'!D14")."""
    import xml.etree.ElementTree as ET

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
        in_sheet, r = False, 0
        for event, element in ET.iterparse(content, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "table" and event == "start":
                in_sheet, r = element.get(f"{{{table_ns}}}name") == sheet_name, 0
            elif tag == "table-row" and event == "end" and in_sheet:
                r += int(element.get(f"{{{table_ns}}}number-rows-repeated", "1"))
                if r == row:
                    column = 0
                    for cell in element:
                        column += 1
                        found = _ODF_REFERENCE.match(cell.get(f"{{{table_ns}}}formula", ""))
                        if found is not None:
                            sheet = (found.group(1) or "").replace("''", "'") or (found.group(2) or "")
                            target = f"{found.group(3)}{found.group(4)}"
                            out[(row, column)] = f"='{sheet.replace(chr(39), chr(39) * 2)}'!{target}"
                        column += int(cell.get(f"{{{table_ns}}}number-columns-repeated", "1")) - 1
                    return out
            if tag == "table-row" and event == "end":
                element.clear()  # rows are read one at a time: memory stays bounded
            elif tag == "table" and event == "end" and in_sheet:
                return out
    return out


def _csv_label(text: str, labels: tuple[Label, ...], what: str, table_id: str, place: str) -> Label:
    """A tidy CSV's row or column, given by id ('level1') or by label ('Level 1', 'L1')."""
    found = next((label for label in labels if label.id == text.strip()), None) or match_label(text, labels)
    if found is None:
        raise LabelError(
            f"{place}: unknown {what} {text.strip()!r} in table {table_id}; "
            f"expected one of {', '.join(label.id for label in labels)}"
        )
    return found


def _tidy_csv(
    path: Path, data: bytes, year: str | None
) -> tuple[list[dict[str, Any]], str, str | None, Template]:
    text = guard.decode_text(display_name(path), data)
    path = Path(display_name(path))
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
    from mappa_stats.definitions.templates import form_years
    from mappa_stats.io.areas import area_key

    nsd = returns.moj_area_ids()[returns.NSD_ID]
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


_NOT_AREA_WORDS = re.compile(r"\b(mappa|annual|report|statistics|stats|tables|return|final|draft|v)\b")


def area_from_file_name(path: Path) -> str | None:
    """The MAPPA area a file's name gives, when the workbook does not say: 'kent_2015.xlsx' → 'Kent'."""
    if str(path) == "-":
        return None
    from mappa_stats.io.areas import find_area

    words = re.sub(r"[_\-.\d]+", " ", path.stem.casefold())
    words = re.sub(r"\s+", " ", _NOT_AREA_WORDS.sub(" ", words)).strip()
    found = find_area(words) if words else None
    return found.name if found else None


def _same_area(first: str, second: str) -> bool:
    """True when two names are the same MAPPA area ('Kent Police' and 'KENT')."""
    from mappa_stats.io.areas import area_key, find_area

    one, two = find_area(first), find_area(second)
    if one is not None and two is not None:
        return one.name == two.name
    return area_key(first) == area_key(second)




def choose_area(
    display: str, own: str | None, from_name: str | None, given: str | None, override: bool
) -> tuple[str | None, str | None]:
    """The area to report, and a note when it came only from the file name.

    The workbook's own 'MAPPA area' cell, the file name and --area must agree: a copy of Kent's
    return saved as sussex_2015.xlsx, or --area Sussex over a workbook that says Kent, is refused
    unless --area-override says which to use (--area when given, else the workbook's cell).
    """
    if given is not None:
        name = check_area_option(given)
        if own and not override and not _same_area(own, name):
            raise InputError(
                f"{display}: the workbook's own MAPPA area cell says {own!r} but --area says {given!r}; "
                f"correct the cell, drop --area, or add --area-override to report it as {name}"
            )
        return name, None
    if own:
        if from_name and not override and not _same_area(own, from_name):
            raise InputError(
                f"{display}: the workbook's MAPPA area cell says {own!r} but its file name says "
                f"{from_name!r}; correct whichever is wrong, or add --area-override to use the cell"
            )
        return own, None
    if from_name:
        return from_name, (
            f"{display}: the workbook names no MAPPA area; {from_name} is taken from the file name "
            "(add a 'MAPPA area' cell, or give --area, to say so)"
        )
    return None, None


def only_sheet(display: str, sheets: list[Sheet], name: str) -> list[Sheet]:
    """The sheet --sheet names (case and outer spaces aside), with a return's 'Data entry' form kept beside
    its data sheet; InputError listing the workbook's sheets when there is none of that name."""
    wanted = name.strip().casefold()
    chosen = [s for s in sheets if s.name.strip().casefold() == wanted]
    if not chosen:
        names = ", ".join(repr(s.name) for s in sheets[:20])
        raise InputError(f"{display}: no sheet named {name[:60]!r}; its sheets are {names}")
    if returns.data_sheet(chosen) is not None:
        entry = returns.entry_sheet(sheets)
        chosen += [entry] if entry is not None and entry not in chosen else []
    elif wanted == returns.ENTRY and returns.data_sheet(sheets) is not None:
        data = returns.data_sheet(sheets)
        assert data is not None
        raise InputError(
            f"{display}: 'Data entry' is the return's form; give its data sheet, --sheet {data.name!r}, or "
            "leave --sheet out"
        )
    return chosen


def read_area_noting(
    path: Path,
    year: str | None = None,
    area: str | None = None,
    override: bool = False,
    sheet: str | None = None,
) -> tuple[AreaTables, str | None]:
    """Read one area's tables, and a note to show when the area came only from the file name."""
    if is_lock_file(path):
        raise InputError(f"{display_name(path)}: {LOCK_FILE}, not a workbook; give the workbook itself")
    data = guard.read_input(path, "area")
    kind = sniff(path, data)
    digest = sha256_of(data)
    if sheet is not None and kind not in ("xlsx", "ods"):
        raise InputError(
            f"{display_name(path)}: --sheet chooses a sheet of a workbook, and this file is not one"
        )
    if kind in ("pdf", "report-text"):  # the published report (mappa_stats.io.published)
        from mappa_stats.io.published import read_report

        report = read_report(display_name(path), data, kind, year, digest, None)
        chosen_area, note = choose_area(
            display_name(path), report.meta.area, area_from_file_name(path), area, override
        )
        notes = (*report.meta.notes, *([note] if note else []))
        return replace(report, meta=replace(report.meta, area=chosen_area, notes=notes)), note
    if kind in ("xlsx", "ods") and sheet is None and str(path) != "-":
        # A publication workbook mappa-stats wrote (`tables -f xlsx`) reads back to the tables it came from.
        from mappa_stats.io.publication import publication_properties, read_publication

        properties = publication_properties(path)
        if properties is not None:
            published = read_publication(path, properties)
            chosen_area, note = choose_area(
                display_name(path), published.meta.area, area_from_file_name(path), area, override
            )
            return published.with_area(chosen_area) if chosen_area else published, note
    template: Template | None = None
    row_labels: tuple[tuple[str, str, str], ...] = ()
    try:
        if kind == "csv":
            records, chosen, own, template = _tidy_csv(path, data, year)
        else:
            sheets = _xlsx_sheets(path, data) if kind == "xlsx" else _ods_sheets(path, data)
            if sheet is not None:
                sheets = only_sheet(display_name(path), sheets, sheet)
            if returns.data_sheet(sheets) is not None:
                # The Ministry's area return: a sheet of field codes, not the report's tables.
                records, chosen, own, template, row_labels = returns.read_return(
                    display_name(path), sheets, year
                )
            else:
                book = Workbook(display_name(path), sheets)
                templates = {y: load_template(y) for y in available_years()}
                chosen = detect_year(book, templates, year)
                own = book.key_value(AREA_KEYS)
                records = extract(book, load_template(chosen))
                if kind == "xlsx":
                    single = frozenset(t.id for t in load_template(chosen).tables if t.kind != "grid")
                    _explain_blanks(records, sheets, load_template(chosen), single)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # The guard reads every part first, so this is a last defence for a fault it could not see.
        raise InputError(
            f"{display_name(path)}: the file is damaged ({type(exc).__name__}); save it again"
        ) from exc
    chosen_area, note = choose_area(display_name(path), own, area_from_file_name(path), area, override)
    template = template or load_template(chosen)
    meta = Metadata(
        path=display_name(path),
        sha256=digest,
        template=template.year,
        area=chosen_area,
        source_format=kind,
        row_labels=row_labels,
    )
    if note:
        meta = replace(meta, notes=(note,))
    return AreaTables.from_records(records, meta=meta, template=template), note


def read_area(
    path: Path,
    year: str | None = None,
    area: str | None = None,
    override: bool = False,
    sheet: str | None = None,
) -> AreaTables:
    """Read one area's tables from a workbook or tidy CSV. The file is only ever opened for reading."""
    return read_area_noting(path, year, area, override, sheet)[0]
