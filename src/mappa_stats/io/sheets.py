"""The sheets of a workbook as cells: an .xlsx in one streaming pass (xlsx.py), an .ods through pandas' odf
reader; what a blank cell hides (a formula with no saved value, a merged cell); and choosing one sheet.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import Template
from mappa_stats.errors import InputError
from mappa_stats.io import guard
from mappa_stats.io import ret as returns
from mappa_stats.io.layout import RawCell, Sheet
from mappa_stats.io.xlsx import XlsxError, cell_position, merged_cells, read_xlsx
from mappa_stats.model import a1, sheet_ref


def check_text_length(path: Path, value: Any, budget: guard.Limits) -> None:
    """A cell's text beyond a spreadsheet cell's limit is refused before it reaches any output."""
    if isinstance(value, str) and len(value) > budget.text_bytes:
        raise InputError(
            f"{guard.display_name(path)}: a cell holds {len(value):,} characters of text (limit "
            f"{budget.text_bytes:,}, a spreadsheet cell's own); check the file"
        )


def xlsx_sheets(path: Path, data: bytes) -> list[Sheet]:
    """The sheets of a workbook in one streaming pass (mappa_stats.io.xlsx), with what its blanks hide."""
    budget = guard.limits("area")
    try:
        found = read_xlsx(data, max_cells=budget.cells, max_text=budget.unpacked_bytes)
    except XlsxError as exc:
        raise InputError(
            f"{guard.display_name(path)}: cannot be read as an Excel workbook: {exc}; save it again"
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
            check_text_length(path, value, budget)
            sheet.cells[key] = RawCell(value, number_format)
        sheets.append(sheet)
    return sheets


def explain_blanks(
    records: list[dict[str, Any]],
    sheets: list[Sheet],
    template: Template,
    single: frozenset[str] = frozenset(),
) -> None:
    """Blank cells that are really formulas with no saved value, or parts of merged cells, say so.

    Only blanks where a figure belongs are looked into: a blank not-applicable cell (Category 3 at Level 1)
    is as it should be."""
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


def ods_sheets(path: Path, data: bytes) -> list[Sheet]:
    import pandas as pd  # only for an .ods: ordinary runs do not load pandas to read

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
            check_text_length(path, value, budget)
            r, c = (int(part) for part in key)  # type: ignore[attr-defined]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            sheet.cells[(r + 1, c + 1)] = RawCell(
                value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
            )
        sheets.append(sheet)
    hidden = _ods_hidden_tables(data)
    for sheet in sheets:
        sheet.hidden = sheet.name in hidden
    data_sheet = returns.data_sheet(sheets)
    if data_sheet is not None:
        # A return saved as OpenDocument: its row 2 references name the cell the manager typed.
        data_sheet.references.update(_ods_row_formulas(data, data_sheet.name, 2))
    return sheets


def _ods_hidden_tables(data: bytes) -> set[str]:
    """The names of an .ods's hidden tables: those whose table style says table:display="false"."""
    import xml.etree.ElementTree as ET  # only for an .ods

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    style_ns = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    hidden_styles: set[str] = set()
    hidden: set[str] = set()
    style = ""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
        for event, element in ET.iterparse(content, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "style":
                style = element.get(f"{{{style_ns}}}name", "")
            elif event == "start" and tag == "table-properties":
                if element.get(f"{{{table_ns}}}display") == "false":
                    hidden_styles.add(style)
            elif event == "start" and tag == "table":
                if element.get(f"{{{table_ns}}}style-name") in hidden_styles:
                    hidden.add(element.get(f"{{{table_ns}}}name", ""))
            elif event == "end" and tag == "table-row":
                element.clear()  # rows are read one at a time: memory stays bounded
    return hidden


_ODF_REFERENCE = re.compile(r"^of:=\[\$?(?:'((?:[^']|'')+)'|([^.\]]+))\.\$?([A-Za-z]{1,3})\$?(\d{1,7})\]$")


def _ods_row_formulas(data: bytes, sheet_name: str, row: int) -> dict[tuple[int, int], str]:
    """Plain references in one row of one sheet of an .ods, in Excel's spelling ("='Data entry'!D14")."""
    import xml.etree.ElementTree as ET  # only for an .ods return's references

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
