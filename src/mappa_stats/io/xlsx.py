"""Read the cells of an .xlsx workbook straight from its XML, in one streaming pass per part.

What an area workbook needs is small: each sheet's name and visibility, each filled cell's saved value and
number format, which cells hold a formula Excel saved no value for, and the merged ranges. openpyxl builds a
full object model for this (styles, fonts, borders …) and, to see formulas, a second one: most of the time
of a run. This reader uses expat directly, refuses any DTD or entity declaration (Excel never writes one),
and counts cells and text as it goes, so a hostile file is stopped early. Values match openpyxl's
`read_only=True, data_only=True` reading: numbers as int or float, shared and inline strings, booleans,
error codes as text, and numbers in a date format as datetimes.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from mappa_stats.numbers import TOO_LARGE, read_number

MAIN = "officeDocument/2006/relationships/officeDocument"
# openpyxl (and through it numpy) is imported only for what a plain workbook lacks: a date cell's value or a
# merged range. Number formats, built-in or custom, and whether one shows a date are known here.
GENERAL = "General"
# The built-in number formats (ECMA-376 Part 1, 18.8.30 numFmt: ids 0-49 that a workbook uses without writing
# them), as openpyxl's BUILTIN_FORMATS spells them; a test checks the two agree. Ids not listed are General.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
# A format shows a date when its first section, quoted text and [locale] brackets aside (but not [h], [mm],
# [ss]), holds d, m, h, y or s not escaped: openpyxl's is_date_format, the same two expressions.
_FORMAT_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
WINDOWS_1900, MAC_1904 = "1900", "1904"
_CELL = re.compile(r"([A-Za-z]{1,3})(\d{1,20})")  # rows as Excel may pad them ('A00050'), any digits


@lru_cache(maxsize=1 << 16)  # a workbook's cells are read by reference; many files share the same ones
def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 reference: 'C5' → (5, 3); ValueError for anything else."""
    found = _CELL.fullmatch(ref.replace("$", ""))
    if found is None:
        raise ValueError(f"{ref[:20]!r} is not a cell reference")
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column


class XlsxError(Exception):
    """The workbook's XML cannot be read as a spreadsheet; the message says why, in plain words."""


@dataclass
class XlsxSheet:
    """One sheet: filled cells by 1-based (row, column) as (value, number format), and what blanks hide."""

    name: str
    hidden: bool
    cells: dict[tuple[int, int], tuple[Any, str]] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # a formula with no saved value
    references: dict[tuple[int, int], str] = field(default_factory=dict)  # any formula with a saved value
    merged: list[str] = field(default_factory=list)


_DTD = "declares a DTD or XML entities (an XML entity attack?); Excel never writes these"
_LOCAL: dict[str, str] = {}  # a workbook uses a few dozen tag names, each thousands of times


def _local(tag: str) -> str:
    local = _LOCAL.get(tag)
    if local is None:
        # expat names a tag 'x:c', ElementTree '{uri}c'
        local = tag[tag.rfind("}") + 1 :] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]
        if len(_LOCAL) < 4096:  # a hostile file's endless names are not kept
            _LOCAL[tag] = local
    return local


def _parse(
    data: bytes, start: Callable[..., None], end: Callable[[str], None], text: Callable[[str], None]
) -> None:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> None:
        raise XlsxError(_DTD)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XlsxError(f"damaged XML ({expat.errors.messages[exc.code]}, line {exc.lineno})") from None


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of a part."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    out: dict[str, tuple[str, str]] = {}
    if rels_part not in archive.namelist():
        return out

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    _parse(archive.read(rels_part), start, lambda _t: None, lambda _t: None)
    return out


class _Budget:
    """Counts what a workbook holds so that a hostile one stops early."""

    def __init__(self, max_cells: int, max_text: int) -> None:
        self.cells = 0
        self.text = 0
        self.max_cells = max_cells
        self.max_text = max_text

    def cell(self) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise XlsxError(f"holds more than {self.max_cells:,} filled cells; an area return is a few dozen")

    def chars(self, n: int) -> None:
        self.text += n
        if self.text > self.max_text:
            raise XlsxError(
                f"holds more than {self.max_text:,} characters of text; check this is the right file"
            )


def _shared_strings(data: bytes, budget: _Budget) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    depth = {"si": 0, "t": 0, "rPh": 0}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name in depth:
            depth[name] += 1
        if name == "si":
            parts.clear()

    def end(tag: str) -> None:
        name = _local(tag)
        if name in depth:
            depth[name] -= 1
        if name == "si":
            strings.append("".join(parts))

    def text(content: str) -> None:
        if depth["si"] and depth["t"] and not depth["rPh"]:
            budget.chars(len(content))
            parts.append(content)

    _parse(data, start, end, text)
    return strings


def _styles(data: bytes) -> list[str]:
    """The number format of each cell style (cellXfs), by index."""
    custom: dict[int, str] = {}
    formats: list[str] = []
    inside = {"cellXfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "General")
        elif name == "cellXfs":
            inside["cellXfs"] = True
        elif name == "xf" and inside["cellXfs"]:
            number = int(attrs.get("numFmtId", "0"))
            formats.append(custom.get(number) or _builtin_format(number))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            inside["cellXfs"] = False

    _parse(data, start, end, lambda _t: None)
    return formats


def _builtin_format(number: int) -> str:
    """A built-in number format's code (ECMA-376 18.8.30): 0 is General."""
    return BUILTIN_FORMATS.get(number, GENERAL)


def is_date_format(code: str) -> bool:
    """True when a number format shows a date or time ('d-mmm-yy', 'h:mm'; not '0%' or '"m"0')."""
    return _DATE_LETTER.search(_FORMAT_LITERALS.sub("", code.split(";")[0])) is not None


def _date_styles(formats: list[str]) -> set[int]:
    """The styles whose number format shows a date or time."""
    return {i for i, code in enumerate(formats) if code != GENERAL and is_date_format(code)}


def _number(text: str) -> int | float:
    """A numeric cell's saved value, by the one parser of numbers: ASCII digits as Excel writes them
    ('12', '12.5', '1E+20'); a number too large for a count stays a float (1e+308), never a 309-digit int."""
    reading = read_number(text)
    if reading.problem == TOO_LARGE:
        return float(text)  # inf beyond a double: a finding either way
    if reading.value is None or reading.grouped or reading.percent:
        raise ValueError(text)
    if reading.value == reading.value.to_integral_value() and not ("." in text or "e" in text.casefold()):
        return int(reading.value)
    return float(text)


def _sheet(
    sheet: XlsxSheet, data: bytes, shared: list[str], formats: list[str], epoch: str, budget: _Budget
) -> None:
    """One worksheet part read into `sheet`: each cell's value, number format and formula, and the merged
    ranges. The part is parsed by ElementTree's C parser into a tree (expat underneath, as for the other
    parts, with no Python call per element), then walked once: a few times faster than expat's per-element
    callbacks on a return (bench/README.md)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XlsxError(_DTD)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise XlsxError(f"damaged XML ({expat.errors.messages[exc.code]}, line {exc.position[0]})") from None
    dates = _date_styles(formats)
    row = col = 0  # the last row element's number, and the last cell's column
    for element in root.iter():
        tag = element.tag
        name = _LOCAL.get(tag) or _local(tag)
        if name == "c":
            ref = element.get("r")
            key = cell_position(ref) if ref else (row, col + 1)
            col = key[1]
            _cell(sheet, key, element, shared, formats, dates, epoch, budget)
        elif name == "row":
            row = int(element.get("r", row + 1))
            col = 0
        elif name == "mergeCell" and element.get("ref"):
            sheet.merged.append(element.attrib["ref"])


def _text_of(element: ElementTree.Element) -> str:
    """All the text inside an element, as expat's character data handler gathered it."""
    return "".join(element.itertext()) if len(element) else element.text or ""


def _cell(
    sheet: XlsxSheet,
    key: tuple[int, int],
    element: ElementTree.Element,
    shared: list[str],
    formats: list[str],
    dates: set[int],
    epoch: str,
    budget: _Budget,
) -> None:
    """One `c` element: its saved value (`v`), inline text (every `t` inside it) and formula (`f`, the
    last one), counted against the budget, then stored."""
    raw = ""
    inline: list[str] = []
    formula: str | None = None
    for child in element:
        name = _LOCAL.get(child.tag) or _local(child.tag)
        if name == "v":
            raw += _text_of(child)
        elif name == "f":
            formula = _text_of(child)
        else:  # inline text: every `t` inside (`is`, its runs and phonetic runs)
            inline.extend(_text_of(t) for t in child.iter() if (_LOCAL.get(t.tag) or _local(t.tag)) == "t")
    budget.chars(len(raw) + sum(map(len, inline)) + len(formula or ""))
    kind = element.get("t", "n")
    style = int(element.get("s", "0") or 0)
    _store(sheet, key, kind, style, raw, inline, formula, shared, formats, dates, epoch, budget)


def _store(
    sheet: XlsxSheet,
    key: tuple[int, int],
    kind: str,
    style: int,
    raw: str,
    inline: list[str],
    formula_text: str | None,
    shared: list[str],
    formats: list[str],
    dates: set[int],
    epoch: str,
    budget: _Budget,
) -> None:
    number_format = formats[style] if style < len(formats) else "General"
    value: Any = None
    if kind == "inlineStr":
        value = "".join(inline) if inline else None
    elif raw == "":
        value = None
    elif kind == "s":
        index = int(raw)
        if not 0 <= index < len(shared):
            raise XlsxError(f"cell {key} points at shared string {index}, which does not exist")
        value = shared[index]
    elif kind == "b":
        value = raw.strip() not in ("0", "", "false")
    elif kind in ("str", "e"):
        value = raw
    elif kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        value = from_ISO8601(raw)  # type: ignore[no-untyped-call]
    else:
        try:
            value = _number(raw)
        except ValueError:
            raise XlsxError(f"cell {key} holds {raw[:20]!r} where a number was saved") from None
        if style in dates:
            try:
                from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

                calendar = CALENDAR_MAC_1904 if epoch == MAC_1904 else CALENDAR_WINDOWS_1900
                value = from_excel(value, calendar)
            except (OverflowError, ValueError):
                value = "#VALUE!"
    formula = None if formula_text is None else "=" + formula_text
    if value is None:
        if formula is not None:
            sheet.formulas[key] = formula
        return
    if formula is not None:
        sheet.references[key] = formula
    budget.cell()
    sheet.cells[key] = (value, number_format)


def read_xlsx(data: bytes, *, max_cells: int = 1_000_000, max_text: int = 50_000_000) -> list[XlsxSheet]:
    """Every worksheet of the workbook in `data`, in workbook order (chart sheets are left out)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise XlsxError("the file is damaged (truncated or not a complete workbook)") from exc
    try:
        return _read(archive, _Budget(max_cells, max_text))
    except (KeyError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, XlsxError):
            raise
        raise XlsxError(f"a part of the workbook cannot be read ({type(exc).__name__})") from None


def _read(archive: zipfile.ZipFile, budget: _Budget) -> list[XlsxSheet]:
    names = set(archive.namelist())
    top = _rels(archive, "")
    book = next((target for kind, target in top.values() if kind.endswith(MAIN)), "xl/workbook.xml")
    if book not in names:
        raise XlsxError("has no workbook part; save it again from Excel")
    relations = _rels(archive, book)
    listed: list[tuple[str, bool, str]] = []
    epoch = {"value": WINDOWS_1900}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            listed.append((attrs.get("name", ""), attrs.get("state", "visible") != "visible", rel))
        elif name == "workbookPr" and attrs.get("date1904", "0") in ("1", "true"):
            epoch["value"] = MAC_1904

    _parse(archive.read(book), start, lambda _t: None, lambda _t: None)
    shared: list[str] = []
    formats: list[str] = []
    for kind, target in relations.values():
        if target not in names:
            continue
        if kind.endswith("/sharedStrings"):
            shared = _shared_strings(archive.read(target), budget)
        elif kind.endswith("/styles"):
            formats = _styles(archive.read(target))
    sheets = []
    for name, hidden, rel in listed:
        kind, target = relations.get(rel, ("", ""))
        if not kind.endswith("/worksheet") or target not in names:
            continue  # a chart sheet, or a sheet the workbook lists but does not hold
        sheet = XlsxSheet(name=name, hidden=hidden)
        _sheet(sheet, archive.read(target), shared, formats, epoch["value"], budget)
        sheets.append(sheet)
    return sheets


def merged_cells(sheet: XlsxSheet) -> dict[tuple[int, int], str]:
    """Every cell covered by a merged range but its top-left one, with the range: (row, col) → 'B2:C3'."""
    out: dict[tuple[int, int], str] = {}
    for ref in sheet.merged:
        try:
            from openpyxl.utils.cell import range_boundaries

            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if min_row is None or min_col is None or max_row is None or max_col is None:
            continue
        if (max_row - min_row + 1) * (max_col - min_col + 1) > 100_000:
            continue  # a merge over a whole sheet explains nothing about a table's cells
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    out[(r, c)] = ref
    return out
