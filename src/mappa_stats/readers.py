"""Read an area's tables from .xlsx, .ods or tidy CSV into the tidy model."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from mappa_stats.errors import InputError, LabelError
from mappa_stats.layout import AREA_KEYS, RawCell, Sheet, Workbook, detect_year, extract
from mappa_stats.model import TEXT_NUMBER, AreaTables, Metadata, build_frame, parse_cell, record
from mappa_stats.templates import Label, available_years, load_template, match_label, normalize

# Limits that keep a hostile file from exhausting the machine: checked before parsing.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_SHEET_XML_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELLS = 1_000_000
MAX_DETAIL_BYTES = 5 * 1024 * 1024  # a second, full look at blank cells only for workbooks this small
STDIN = "standard input"

TIDY_COLUMNS = ("table", "row", "column", "value", "marker")


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the input's bytes, recorded so a report can be tied to its file."""
    return hashlib.sha256(data).hexdigest()


def _load_bytes(path: Path) -> bytes:
    display = str(path)
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"{STDIN}: more than {MAX_FILE_BYTES:,} bytes; is this an area workbook?")
        if not data:
            raise InputError(f"{STDIN}: nothing was read; pipe a workbook or CSV in, or give a file path")
        return data
    if not path.exists():
        raise InputError(f"{display}: no such file; check the path and spelling")
    if path.is_dir():
        raise InputError(f"{display}: is a folder, not a file; name the workbook inside it")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"{display}: {size:,} bytes is larger than any area return should be "
                f"(limit {MAX_FILE_BYTES:,}); check this is the right file"
            )
        with path.open("rb") as handle:
            data = handle.read()
    except PermissionError as exc:
        raise InputError(f"{display}: permission denied; check you can open the file") from exc
    except OSError as exc:
        raise InputError(f"{display}: cannot be read ({exc.strerror}); check the file") from exc
    if not data:
        raise InputError(f"{display}: the file is empty (0 bytes); save the workbook again")
    return data


def display_name(path: Path) -> str:
    """How a path is named in messages ('-' is standard input)."""
    return STDIN if str(path) == "-" else str(path)


_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")


def _check_last_row(display: str, name: str, xml: bytes) -> None:
    """Refuse a sheet whose last row is far beyond any area return, before openpyxl walks to it."""
    rows = [int(n) for n in _ROW_NUMBER.findall(xml[-65536:])]
    if rows and max(rows) > MAX_ROWS:
        raise InputError(
            f"{display}: a sheet ({name}) reaches row {max(rows):,} (limit {MAX_ROWS:,} rows); "
            "an area return is a page of tables: delete the unused rows or check the file"
        )


def sniff(path: Path, data: bytes) -> str:
    """What the bytes are, whatever the file is called: 'xlsx', 'ods', 'csv', 'pdf' or 'report-text'."""
    display = display_name(path)
    # issue 14 hook: a published report, as a PDF or as the text a PDF gives (mappa_stats.published).
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
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise InputError(
                f"{display}: the file is damaged (truncated or not a complete workbook); save it again"
            ) from exc
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{display}: unpacks to {unpacked:,} bytes, far more than an area workbook "
                f"(limit {MAX_UNPACKED_BYTES:,}); refusing a possible zip bomb"
            )
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise InputError(
                        f"{display}: refused: {info.filename} declares XML entities or a DTD (an XML entity "
                        "attack?); Excel never writes these: save a clean copy from Excel or LibreOffice"
                    )
            if not info.filename.startswith("xl/worksheets/"):
                continue
            if info.file_size > MAX_SHEET_XML_BYTES:
                raise InputError(
                    f"{display}: a sheet ({info.filename}) unpacks to {info.file_size:,} bytes "
                    f"(limit {MAX_SHEET_XML_BYTES:,}); an area return is a page of tables: check the file"
                )
            _check_last_row(display, info.filename, archive.read(info.filename))
        if "mimetype" in names and archive.read("mimetype").startswith(
            b"application/vnd.oasis.opendocument.spreadsheet"
        ):
            return "ods"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise InputError(f"{display}: a zip archive, but not a spreadsheet; save the workbook as .xlsx")
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
    # issue 14 hook: report text (a .txt, or any text holding a table title at the start of a line).
    from mappa_stats.published import looks_like_report

    if looks_like_report(data, path.name):
        return "report-text"
    return "csv"


def _refusal(path: Path, exc: Exception) -> InputError:
    """A one-line reason for a workbook openpyxl could not read."""
    names: set[str] = set()
    cause: BaseException | None = exc
    while cause is not None and len(names) < 10:
        names.add(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    name = type(exc).__name__
    if names & {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}:
        return InputError(
            f"{path}: refused: the workbook's XML declares entities or a DTD (an XML entity attack?); "
            "save a clean copy from Excel or LibreOffice"
        )
    return InputError(f"{path}: cannot be opened as an Excel workbook ({name}); save it again from Excel")


def _xlsx_sheets(path: Path, data: bytes) -> list[Sheet]:
    # openpyxl warns on stderr about things we report ourselves (odd dates, unsupported extensions);
    # a manager should see one line from mappa-stats, not a library's warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _xlsx_sheets_quietly(path, data)


def _xlsx_sheets_quietly(path: Path, data: bytes) -> list[Sheet]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise _refusal(path, exc) from exc
    sheets = []
    total = 0
    try:
        for ws in book.worksheets:
            if (ws.max_row or 0) > MAX_ROWS:
                raise InputError(
                    f"{path}: sheet {ws.title!r} claims {ws.max_row:,} rows (limit {MAX_ROWS:,}); "
                    "an area return is a page of tables: delete the unused rows or check the file"
                )
            sheet = Sheet(name=ws.title, hidden=getattr(ws, "sheet_state", "visible") != "visible")
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None:
                        continue
                    total += 1
                    if total > MAX_CELLS:
                        raise InputError(
                            f"{path}: sheet {ws.title!r} holds more than {MAX_CELLS:,} filled cells; "
                            "an area return is a few dozen: check this is the right file"
                        )
                    row_no, col_no = int(cell.row or 0), int(cell.column or 0)
                    sheet.cells[(row_no, col_no)] = RawCell(value, cell.number_format or "General")
            sheets.append(sheet)
    except InputError:
        raise
    except Exception as exc:  # parsing is lazy in read-only mode: damage shows up here
        raise _refusal(path, exc) from exc
    finally:
        book.close()
    return sheets


_RANGE = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")


def _explain_blanks(path: Path, data: bytes, records: list[dict[str, Any]]) -> None:
    """Blank cells that are really formulas with no saved value, or parts of merged cells, say so."""
    blanks = [r for r in records if r["marker"] == "blank" and r["sheet"]]
    if not blanks or len(data) > MAX_DETAIL_BYTES:
        return
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception:
        return  # the first read succeeded; details are a courtesy
    for rec in blanks:
        if rec["sheet"] not in book.sheetnames:
            continue
        ws = book[rec["sheet"]]
        content = ws[rec["cell"]].value
        if isinstance(content, str) and content.startswith("="):
            rec.update(marker="", raw=content, issue="no_cached_value")
            continue
        for merged in ws.merged_cells.ranges:
            if rec["cell"] in merged and merged.start_cell.coordinate != rec["cell"]:
                rec["raw"] = f"merged {merged.coord}"
                break


def _ods_sheets(path: Path, data: bytes) -> list[Sheet]:
    import pandas as pd

    try:
        frames = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="odf")
    except Exception as exc:
        raise InputError(
            f"{path}: cannot be opened as an OpenDocument spreadsheet ({type(exc).__name__}); save it again"
        ) from exc
    sheets = []
    for name, frame in frames.items():
        sheet = Sheet(name=str(name))
        for key, value in frame.stack().dropna().items():
            r, c = (int(part) for part in key)  # type: ignore[attr-defined]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            sheet.cells[(r + 1, c + 1)] = RawCell(
                value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
            )
        sheets.append(sheet)
    return sheets


def _decode(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: the CSV is not UTF-8 or Windows-1252 text; save it as CSV UTF-8")


def _csv_label(text: str, labels: tuple[Label, ...], what: str, table_id: str, place: str) -> Label:
    """A tidy CSV's row or column, given by id ('level1') or by label ('Level 1', 'L1')."""
    found = next((label for label in labels if label.id == text.strip()), None) or match_label(text, labels)
    if found is None:
        raise LabelError(
            f"{place}: unknown {what} {text.strip()!r} in table {table_id}; "
            f"expected one of {', '.join(label.id for label in labels)}"
        )
    return found


def _tidy_csv(path: Path, data: bytes, year: str | None) -> tuple[list[dict[str, Any]], str, str | None]:
    text = _decode(path, data)
    path = Path(display_name(path))
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [normalize(h) for h in next(reader)]
    except StopIteration as exc:
        raise InputError(f"{path}: the CSV has no header row; see docs/formats.md") from exc
    missing = [c for c in TIDY_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path}: not a mappa-stats tidy CSV: header lacks {', '.join(missing)} "
            f"(needs {', '.join(TIDY_COLUMNS)}); see docs/formats.md"
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
    records = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        place = f"{path}:{number}"
        table_id = row[at["table"]].strip()
        wanted = normalize(table_id)
        table = next((t for t in template.tables if wanted in (t.id, normalize(t.display_title))), None)
        if table is None:
            known = ", ".join(template.table_ids())
            raise LabelError(f"{place}: unknown table {table_id!r}; expected one of {known}")
        row_label = _csv_label(row[at["row"]], table.rows, "row", table.id, place)
        col_label = _csv_label(row[at["column"]], table.columns, "column", table.id, place)
        key = (table.id, row_label.id, col_label.id)
        if key in seen:
            raise LabelError(
                f"{place}: the cell {'/'.join(key)} was already given on line {seen[key]}; keep one"
            )
        seen[key] = number
        value, marker = row[at["value"]], row[at["marker"]].strip()
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
        elif table.required:
            raise LabelError(f"{path}: table {table.id} ({table.display_title!r}) has no rows; add its cells")
    order = {t: i for i, t in enumerate(template.table_ids())}
    records.sort(key=lambda rec: order[rec["table"]])
    return records, template.year, (sorted(areas)[0] if areas else None)


_NOT_AREA_WORDS = re.compile(r"\b(mappa|annual|report|statistics|stats|tables|return|final|draft|v)\b")


def area_from_file_name(path: Path) -> str | None:
    """The MAPPA area a file's name gives, when the workbook does not say: 'kent_2015.xlsx' → 'Kent'."""
    if str(path) == "-":
        return None
    from mappa_stats.population import find_area

    words = re.sub(r"[_\-.\d]+", " ", path.stem.casefold())
    words = re.sub(r"\s+", " ", _NOT_AREA_WORDS.sub(" ", words)).strip()
    found = find_area(words) if words else None
    return found.name if found else None


def read_area(path: Path, year: str | None = None) -> AreaTables:
    """Read one area's tables from a workbook or tidy CSV. The file is only ever opened for reading."""
    data = _load_bytes(path)
    kind = sniff(path, data)
    digest = sha256_of(data)
    if kind in ("pdf", "report-text"):  # issue 14 hook: the published report
        from mappa_stats.published import read_report

        return read_report(display_name(path), data, kind, year, digest, area_from_file_name(path))
    if kind == "csv":
        records, chosen, area = _tidy_csv(path, data, year)
    else:
        sheets = _xlsx_sheets(path, data) if kind == "xlsx" else _ods_sheets(path, data)
        book = Workbook(display_name(path), sheets)
        templates = {y: load_template(y) for y in available_years()}
        chosen = detect_year(book, templates, year)
        area = book.key_value(AREA_KEYS) or area_from_file_name(path)
        records = extract(book, load_template(chosen))
        if kind == "xlsx":
            _explain_blanks(path, data, records)
    template = load_template(chosen)
    meta = Metadata(
        path=display_name(path), sha256=digest, template=template.year, area=area, source_format=kind
    )
    return AreaTables(frame=build_frame(records), meta=meta, template=template)
