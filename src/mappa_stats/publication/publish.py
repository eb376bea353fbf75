"""Publication spreadsheets (.xlsx, .ods) that meet the GSS guidance "Releasing statistics in spreadsheets".

A cover sheet (title, period, release date, next release, contact, source, validation), a contents
sheet with links, a notes sheet (notes, abbreviations spelled out, shorthand), then one table per
sheet: title, description with the unit, shorthand and source in the first rows, the table straight
below with one header row, no merged cells, no blank rows or columns inside it, numbers stored as
numbers with thousands separators, GSS shorthand ([z] not applicable, [x] not available) in place of
blanks and dashes, Arial throughout, heading styles, no filter buttons, and no empty-string cells.
Every wording about the year comes from its template definition (`publication` keys), not from code.

Only a return that passes validation is published, unless forced; then the cover says "not validated".
The workbook carries its area and year in its document properties, so `tables` reads it back.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import TableDef, Template
from mappa_stats.errors import MappaError
from mappa_stats.model import BLANK, DASH, NOT_COLLECTED, AreaTables
from mappa_stats.render.tables import safe_text
from mappa_stats.version import PRODUCER, __version__

SHORTHAND = {
    "[z]": "not applicable",
    "[x]": "not available (not collected, or missing from the return)",
    "[c]": "confidential",
    "[low]": "rounds to zero",
}
FONT = "Arial"
LANGUAGE = "en-GB"
COUNT_FORMAT = "#,##0"
# Characters per line of a wrapped header at the widths below, and points per line of 10-point Arial.
_HEADER_WIDTH = 24
_FIRST_WIDTH = 34
_TEXT_WIDTH = 60
_CHART_GAP = 8.43  # the .xlsx's default column width, between a table and its chart
_CHART_WIDTH_CM = 18
_LINE_POINTS = 13.0
_ROW_POINTS = 12.75
# Printed, a worksheet is one A4 landscape page wide (as many pages tall as it needs) with Excel's default
# margins, and a table's header row is repeated at the top of every page: the same in both formats. A table
# too wide to read at that scale (the national area table's 25 columns) is printed several pages wide
# instead, its first column repeated on each, so no page is shrunk below about three quarters.
PAPER_A4 = "9"  # the .xlsx paper size code of A4
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 29.7, 21.0
MARGINS_INCHES = {"top": 1.0, "bottom": 1.0, "left": 0.75, "right": 0.75}
_CHAR_CM = 0.19  # a character of 10-point Arial
_SMALLEST_SCALE = 0.75


def pages_wide(widths: Sequence[float]) -> int:
    """How many A4 landscape pages wide a table prints on, its first column repeated on each."""
    usable = (PAGE_WIDTH_CM - 2.54 * (MARGINS_INCHES["left"] + MARGINS_INCHES["right"])) / _CHAR_CM
    per_page = usable / _SMALLEST_SCALE  # characters on a page at the smallest scale allowed
    if sum(widths) <= per_page:
        return 1
    first, rest = widths[0], sum(widths[1:])
    return math.ceil(rest / max(per_page - first, 1.0))
# A publication workbook of ours is small; anything bigger is not one, and is not read as one.


# Characters no spreadsheet cell or XML part may hold (openpyxl refuses them; ODS would be invalid XML).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def cell_text(value: Any) -> Any:
    """Every text written to a cell or property: no control characters, and never a formula."""
    if not isinstance(value, str):
        return value
    return safe_text(_CONTROL.sub(" ", value))


class NotValidated(MappaError):
    """The return has errors: it is not published unless forced (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Cover:
    """What the cover says beyond the tables: release, contact, source (options with defaults)."""

    release_date: str | None = None
    next_release: str | None = None
    contact: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Validation:
    """How the tables fared before publication: passed, or published anyway with these errors."""

    passed: bool
    summary: str
    errors: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, the lines above the table, and the table (header + rows)."""

    name: str
    title: str
    lines: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    links: bool = False  # the first column names worksheets to link to
    counts: tuple[bool, ...] = field(default=())  # which columns hold counts (#,##0)
    # In a sheet with counts, which columns hold running text: wrapped and left-aligned, and wider.
    texts: tuple[bool, ...] = field(default=())
    # When set, a bar chart of the second column by the first is drawn beside the table, so titled, with
    # this alternative text (what a screen reader says of it; the table holds every number it shows).
    bar_chart: str = ""
    chart_description: str = ""


def template_status(template: Template) -> str:
    """'published', 'provisional' …: how far the year's definition has been checked."""
    status = getattr(template, "status", None) or template.publication.get("status")
    return str(status) if status else "not stated"


def template_sources(template: Template) -> tuple[str, ...]:
    """Where the year's definition comes from."""
    sources = getattr(template, "sources", None) or template.publication.get("sources") or ()
    return tuple(str(s) for s in sources)


def is_provisional(template: Template) -> bool:
    """True when the year's definition is marked provisional (not yet checked against a publication)."""
    return template_status(template).casefold() == "provisional"


def gate(tables: AreaTables, force: bool, source: Path | str) -> Validation:
    """Validate before publishing: refuse a return with errors unless forced (exit 1, naming them)."""
    from mappa_stats.validate import Status, validate_area

    report = validate_area(tables)
    from mappa_stats.findings import Severity

    errors = tuple(f"{f.rule} at {f.ref}" for f in report.findings if f.severity == Severity.ERROR)
    skipped = tuple(
        f"{r.id} ({r.note})" if r.note else r.id for r in report.rules if r.status == Status.SKIPPED
    )
    run = sum(1 for r in report.rules if r.status != Status.SKIPPED)
    if errors and not force:
        listed = "; ".join(errors[:5]) + ("; …" if len(errors) > 5 else "")
        raise NotValidated(
            f"{source}: not published: {len(errors)} error{'s' * (len(errors) != 1)} ({listed}); "
            f"correct {'them' if len(errors) != 1 else 'it'} (mappa-stats validate {source}) or give --force "
            "to publish marked 'not validated'"
        )
    if errors:
        summary = (
            f"NOT VALIDATED: published with --force although mappa-stats {__version__} found "
            f"{len(errors)} error{'s' * (len(errors) != 1)}: {'; '.join(errors)}."
        )
        return Validation(False, summary, errors, skipped)
    summary = f"Validated with mappa-stats {__version__}: {run} rules run, no errors."
    if skipped:
        summary += f" Not checked: {', '.join(skipped)}."
    return Validation(True, summary, (), skipped)


def _cell(tables: AreaTables, table: TableDef, row_id: str, column_id: str) -> Any:
    """A number, or the GSS shorthand that replaces a blank, a dash or a marker."""
    cell = tables.cell(table.id, row_id, column_id)
    if cell is None:
        return "[x]"
    if cell.count is not None:
        return int(cell.count) if cell.count.is_integer() else cell.count
    if not table.is_applicable(row_id, column_id) and cell.marker in (BLANK, DASH, "[z]"):
        return "[z]"
    if cell.marker in ("[c]", "[low]", "[z]"):
        return cell.marker
    if cell.marker in (NOT_COLLECTED, "[x]", BLANK, DASH):
        return "[x]"
    if cell.issue == "percentage" and cell.value is not None:
        return cell.value
    return safe_text(cell.raw) or "[x]"


def unit_header(table: TableDef) -> str:
    """The value column's header with its unit, for one-column tables."""
    pub = table.publication
    if "value_header" in pub:
        return str(pub["value_header"])
    unit = pub.get("unit")
    if table.value_type == "rate" and unit:
        return f"Rate {unit}"
    if table.value_type == "percentage":
        return "Percentage (%)"
    return f"Number of {unit}" if unit else "Number"


def _description(table: TableDef) -> str:
    pub = table.publication
    if "description" in pub:
        return str(pub["description"])
    return {"rate": "A rate.", "percentage": "A percentage."}.get(table.value_type, "Numbers.")


def today() -> str:
    """Today's date as a cover gives it: '2 December 2026'."""
    return dt.date.today().strftime("%d %B %Y").lstrip("0")


def filled(cover: Cover | None, *, next_release: str, contact: str, source: str | None) -> Cover:
    """The cover with each blank filled: released today, and the publication's own defaults for the rest."""
    given = cover or Cover()
    return Cover(
        release_date=given.release_date or today(),
        next_release=given.next_release or next_release,
        contact=given.contact or contact,
        source=given.source or source,
    )


def cover_defaults(tables: AreaTables, cover: Cover) -> Cover:
    """An area publication's cover with every blank filled by a sensible default."""
    area = tables.meta.area or "the area"
    source = tables.template.publication.get("source", "{area} MAPPA annual report {year}")
    return filled(
        cover,
        next_release="To be announced (the report is published once a year)",
        contact=f"The MAPPA co-ordinator, {area}",
        source=str(source).format(area=area, year=tables.meta.template),
    )


def contents_sheet(sheets: Sequence[Sheet]) -> Sheet:
    """The Contents worksheet: the Notes, then every table sheet, each linked."""
    return Sheet(
        name="Contents",
        title="Table of contents",
        lines=(
            "This worksheet contains one table, listing every worksheet of this workbook with a link to it.",
        ),
        header=("Worksheet", "Title"),
        rows=(("Notes", "Notes, abbreviations and shorthand"), *((s.name, s.title) for s in sheets)),
        links=True,
    )


def build_sheets(
    tables: AreaTables, cover: Cover | None = None, validation: Validation | None = None
) -> list[Sheet]:
    """The publication's sheets, in order."""
    cover = cover_defaults(tables, cover or Cover())
    template = tables.template
    pub = template.publication
    area = safe_text(tables.meta.area or "Area not stated")
    year = tables.meta.template
    present = [t for t in template.tables if tables.has_table(t.id)]
    table_sheets = []
    for number, table in enumerate(present, start=1):
        row_header = str(table.publication.get("row_header", "Measure"))
        if table.kind == "grid":
            header = (row_header, *(c.label for c in table.columns))
            rows = tuple(
                (tables.row_label(table, row), *(_cell(tables, table, row.id, c.id) for c in table.columns))
                for row in table.rows
            )
        else:
            header = (row_header, unit_header(table))
            rows = tuple(
                (tables.row_label(table, row), _cell(tables, table, row.id, table.columns[0].id))
                for row in table.rows
            )
        uses = sorted({v for r in rows for v in r[1:] if isinstance(v, str) and v in SHORTHAND})
        shorthand = (
            "Shorthand in this table: " + "; ".join(f"{s} {SHORTHAND[s]}" for s in uses) + ". See Notes."
            if uses
            else "This table has no shorthand."
        )
        is_count = table.value_type == "count"
        table_sheets.append(
            Sheet(
                name=f"Table_{number}",
                title=f"Table {number}: {table.display_title}, {area}, {year}",
                lines=(
                    f"This worksheet contains one table. {_description(table)}",
                    shorthand,
                    f"Source: {safe_text(cover.source or '')}.",
                ),
                header=header,
                rows=rows,
                counts=(
                    False,
                    *(is_count and all(table.cell_value_type(r.id) == "count" for r in table.rows),)
                    * (len(header) - 1),
                ),
            )
        )
    title = str(pub.get("title", "MAPPA statistics"))
    status_lines = []
    if is_provisional(template):
        status_lines.append(
            f"PROVISIONAL: the {year} template definition is provisional (not yet checked against a "
            "published report); these tables may be revised."
        )
    if validation is not None:
        status_lines.append(validation.summary)
    cover_sheet = Sheet(
        name="Cover",
        title=f"{title}: {area}, {year}",
        lines=(
            "Multi-Agency Public Protection Arrangements (MAPPA): the standard statistical tables of the "
            "area's annual report.",
            *status_lines,
            f"Reporting period: {template.period_start} to {template.period_end} "
            f"(the first table is a snapshot on {template.period_end}).",
            f"Released: {safe_text(cover.release_date or '')}.",
            f"Next release: {safe_text(cover.next_release or '')}.",
            f"Contact: {safe_text(cover.contact or '')}.",
            f"Source: {safe_text(cover.source or '')}.",
            f"Source file: {safe_text(_shown(tables.meta.path))} (SHA-256 {tables.meta.sha256}).",
            f"Template {year} (status: {template_status(template)}). "
            f"Produced with mappa-stats {__version__}.",
            "The worksheets: Contents lists them, Notes explains the abbreviations and shorthand, and "
            "each table is on its own worksheet.",
        ),
        header=(),
        rows=(),
    )
    contents = contents_sheet(table_sheets)
    note_rows: list[tuple[Any, ...]] = []
    for number, text in enumerate(pub.get("notes", ()), start=1):
        note_rows.append((f"Note {number}", str(text)))
    rate_note = pub.get("rate_note") or (
        f"Registered sexual offenders per 100,000 people aged 10 and over: the Category 1 total on "
        f"{template.period_end} divided by the ONS mid-{template.population_mid_year} population estimate "
        "aged 10 and over, rounded to a whole number."
    )
    note_rows.append(("Rate", str(rate_note)))
    for short, meaning in dict(pub.get("abbreviations", {})).items():
        note_rows.append((str(short), f"Abbreviation: {meaning}"))
    note_rows.extend((s, f"Shorthand: {meaning}") for s, meaning in SHORTHAND.items())
    notes = Sheet(
        name="Notes",
        title="Notes, abbreviations and shorthand",
        lines=(
            "This worksheet contains one table: the notes, the abbreviations spelled out, and the shorthand.",
        ),
        header=("Item", "Meaning"),
        rows=tuple(note_rows),
    )
    return [cover_sheet, contents, notes, *table_sheets]


def _shown(path: str) -> str:
    """A file name as text any document can hold (undecodable bytes become '�')."""
    from mappa_stats.safetext import shown

    return Path(shown(path)).name


def _lines(text: str, width: int) -> int:
    """How many lines a header wraps to at this width (in characters)."""
    count, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > width:
            count, current = count + 1, len(word)
        else:
            current += len(word) + (1 if current else 0)
    return count


def _widths(sheet: Sheet) -> list[float]:
    """Column widths in characters: the first holds its labels, the others a wrapped header, and a column
    of running text as much of its longest text as reads well on a line."""
    columns = max(len(sheet.header), 1)
    first = max([len(str(r[0])) for r in sheet.rows] + [len(sheet.header[0]) if sheet.header else 0, 12])
    # Two characters beyond the longest label: a label never wraps, nor takes a taller row (_body_height).
    widths = [float(min(max(first + 2, 14), 60 if sheet.name in ("Contents", "Notes") else _FIRST_WIDTH))]
    widths += [float(_HEADER_WIDTH if sheet.name not in ("Contents", "Notes") else 100)] * (columns - 1)
    for c in range(1, columns):
        if _is_text(sheet, c):
            longest = max([len(str(r[c])) for r in sheet.rows if c < len(r)] + [_HEADER_WIDTH])
            widths[c] = float(min(longest + 2, _TEXT_WIDTH))
    return widths


def _is_text(sheet: Sheet, column: int) -> bool:
    """True for a column of running text in a sheet with counts (wrapped, left-aligned)."""
    return column < len(sheet.texts) and sheet.texts[column]


def _header_height(sheet: Sheet, widths: list[float]) -> float:
    """Row height (points) that shows every header line at these widths."""
    lines = max(_lines(str(h), int(w) - 2) for h, w in zip(sheet.header, widths, strict=False))
    return _LINE_POINTS * lines + 4


def _body_height(values: Sequence[Any], widths: list[float]) -> float | None:
    """Row height for a body row whose text wraps (None: the default height does)."""
    lines = max(_lines(str(v), int(w) - 2) for v, w in zip(values, widths, strict=False))
    return _LINE_POINTS * lines + 4 if lines > 1 else None


def _properties(tables: AreaTables, cover: Cover) -> dict[str, str]:
    """Document properties: title, language, author, and where to read the tables back from."""
    area = tables.meta.area or "Area not stated"
    title = str(tables.template.publication.get("title", "MAPPA statistics"))
    properties = {
        "title": f"{title}: {area}, {tables.meta.template}",
        "language": LANGUAGE,
        "author": str(cover.contact),
        "subject": "Multi-Agency Public Protection Arrangements annual report statistics",
        "area": tables.meta.area or "",
        "year": tables.meta.template,
    }
    return {key: _CONTROL.sub(" ", value) for key, value in properties.items()}


def write_xlsx(
    tables: AreaTables, path: Path, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """An accessible .xlsx: GSS checklist, each table an Excel table object without filter buttons."""
    cover = cover_defaults(tables, cover or Cover())
    write_xlsx_sheets(build_sheets(tables, cover, validation), _properties(tables, cover), path)


def write_xlsx_sheets(sheets: Sequence[Sheet], props: dict[str, str], path: Path) -> None:
    """Write these sheets as an accessible .xlsx with these document properties (write_xlsx, combine)."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, NamedStyle
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    wb.properties.title = props["title"]
    wb.properties.language = props["language"]
    wb.properties.creator = props["author"]
    wb.properties.lastModifiedBy = props["author"]
    wb.properties.subject = props["subject"]
    for name, value in (
        ("Producer", PRODUCER),
        ("MAPPA area", props["area"]),
        ("Template year", props["year"]),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))  # type: ignore[attr-defined]
    # Arial everywhere: the default font (every cell without its own), the Normal style, then named
    # heading styles with Excel's built-in ids, so Excel and LibreOffice list them as Heading 1 and 2.
    from openpyxl.utils.indexed_list import IndexedList

    wb._fonts = IndexedList([Font(name=FONT, size=10)])  # type: ignore[attr-defined]
    normal = wb._named_styles["Normal"]  # type: ignore[attr-defined]
    normal.font = Font(name=FONT, size=10)
    heading1 = NamedStyle(name="Heading 1", builtinId=16, font=Font(name=FONT, size=14, bold=True))
    heading2 = NamedStyle(
        name="Heading 2",
        builtinId=17,
        font=Font(name=FONT, size=10, bold=True),
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    wb.add_named_style(heading1)
    wb.add_named_style(heading2)
    plain = Font(name=FONT, size=10)
    link_font = Font(name=FONT, size=10, color="0563C1", underline="single")
    charted: list[tuple[Any, str]] = []
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        # Arial 10's row height (openpyxl says Calibri 11's 15 points): rows print as the .ods's do.
        ws.sheet_format.defaultRowHeight = _ROW_POINTS
        widths = _widths(sheet)
        ws["A1"] = cell_text(sheet.title)
        ws["A1"].style = "Heading 1"
        for i, line in enumerate(sheet.lines, start=2):
            ws.cell(i, 1, cell_text(line)).font = plain
        if sheet.header:
            top = len(sheet.lines) + 2
            for c, text in enumerate(sheet.header, start=1):
                ws.cell(top, c, cell_text(text)).style = "Heading 2"
            ws.row_dimensions[top].height = _header_height(sheet, widths)
            for r, values in enumerate(sheet.rows, start=top + 1):
                for c, value in enumerate(values, start=1):
                    cell = ws.cell(r, c, cell_text(value))
                    cell.font = plain
                    if c > 1 and sheet.counts and not _is_text(sheet, c - 1):
                        cell.alignment = Alignment(horizontal="right", vertical="top")
                        if isinstance(value, (int, float)) and sheet.counts[c - 1]:
                            cell.number_format = COUNT_FORMAT
                    elif c > 1:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    else:
                        cell.alignment = Alignment(vertical="top")  # level with a wrapped row's first line
                    if sheet.links and c == 1:
                        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{value}'!A1")
                        cell.font = link_font
                height = _body_height(values, widths)
                if height:
                    ws.row_dimensions[r].height = height
            end = ws.cell(top + len(sheet.rows), len(sheet.header)).coordinate
            table = Table(displayName=f"{sheet.name}_table", ref=f"A{top}:{end}")
            # Named columns given here, so openpyxl adds no autoFilter: no filter buttons (GSS).
            table.tableColumns = [
                TableColumn(id=i, name=str(cell_text(h))) for i, h in enumerate(sheet.header, start=1)
            ]
            table.autoFilter = None
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
            ws.add_table(table)
            if sheet.bar_chart:
                _add_bar_chart(ws, sheet, top)
                charted.append((ws, sheet.chart_description or sheet.bar_chart))
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        # Printed (PAGE_… above): fits the width of a landscape A4 page, the header row on every page.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPER_A4
        wide = pages_wide(widths)
        ws.page_setup.fitToWidth = wide
        ws.page_setup.fitToHeight = 1 if sheet.bar_chart else 0  # a chart is never cut across two pages
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for side, inches in MARGINS_INCHES.items():
            setattr(ws.page_margins, side, inches)
        if sheet.header:
            ws.print_title_rows = f"{len(sheet.lines) + 2}:{len(sheet.lines) + 2}"
        if wide > 1:
            ws.print_title_cols = "A:A"  # each page's rows named
    if not charted:
        wb.save(path)
        return
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl gives a chart a title but no alternative text: the drawing parts it wrote (known only once
    # saved) get each chart's description, as Excel's "Alt Text" writes it.
    _describe_charts(buffer.getvalue(), {ws._drawing.path.lstrip("/"): text for ws, text in charted}, path)


def _with_descr(text: str) -> Callable[[re.Match[bytes]], bytes]:
    """A replacement adding descr="…" (already quoted) to the element its match opens."""
    return lambda match: match.group(0) + b" descr=" + text.encode("utf-8")


def _describe_charts(data: bytes, descriptions: dict[str, str], path: Path) -> None:
    """Write the .xlsx `data` to `path` with each drawing part's chart described (its `descr`)."""
    import zipfile
    from io import BytesIO
    from xml.sax.saxutils import quoteattr

    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename in descriptions:
                text = quoteattr(str(cell_text(descriptions[info.filename])))
                part = re.sub(rb'<cNvPr id="\d+" name="Chart \d+"', _with_descr(text), part, count=1)
            target.writestr(info, part)


def write_ods(
    tables: AreaTables, path: Path, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """The same publication as an OpenDocument spreadsheet: styles, widths, links and properties."""
    cover = cover_defaults(tables, cover or Cover())
    write_ods_sheets(build_sheets(tables, cover, validation), _properties(tables, cover), path)


def write_ods_sheets(sheets: Sequence[Sheet], props: dict[str, str], path: Path) -> None:
    """Write these sheets as an OpenDocument spreadsheet with these document properties."""
    from odf import dc, meta
    from odf.namespaces import STYLENS
    from odf.number import Number, NumberStyle
    from odf.office import FontFaceDecls  # noqa: F401 - imported for its registration side effects
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import (
        DefaultStyle,
        FontFace,
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TableRowProperties,
        TextProperties,
    )
    from odf.table import Table, TableCell, TableColumn, TableHeaderColumns, TableHeaderRows, TableRow
    from odf.text import A, P

    doc = OpenDocumentSpreadsheet()
    # odfpy names itself the generator; mappa-stats is the producer, so it recognises its own files.
    for element in list(doc.meta.childNodes):
        doc.meta.removeChild(element)
    doc.meta.addElement(meta.Generator(text=f"{PRODUCER}/{__version__}"))
    doc.meta.addElement(dc.Title(text=props["title"]))
    doc.meta.addElement(dc.Language(text=props["language"]))
    doc.meta.addElement(dc.Creator(text=props["author"]))
    doc.meta.addElement(meta.InitialCreator(text=props["author"]))
    doc.meta.addElement(dc.Subject(text=props["subject"]))
    for name, value in (
        ("Producer", PRODUCER),
        ("MAPPA area", props["area"]),
        ("Template year", props["year"]),
    ):
        doc.meta.addElement(meta.UserDefined(name=name, valuetype="string", text=value))

    doc.fontfacedecls.addElement(
        FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss", fontpitch="variable")
    )
    default = DefaultStyle(family="table-cell")
    default.addElement(TextProperties(fontname=FONT, fontsize="10pt", language="en", country="GB"))
    doc.styles.addElement(default)

    def cell_style(
        name: str,
        display: str,
        *,
        bold: bool = False,
        size: str = "10pt",
        wrap: bool = False,
        right: bool = False,
        number: str | None = None,
        automatic: bool = False,
    ) -> Style:
        style = Style(name=name, displayname=display, family="table-cell")
        if number:
            style.setAttribute("datastylename", number)
        style.addElement(TableCellProperties(wrapoption="wrap" if wrap else "no-wrap", verticalalign="top"))
        if right:
            style.addElement(ParagraphProperties(textalign="end"))
        style.addElement(
            TextProperties(fontname=FONT, fontsize=size, fontweight="bold" if bold else "normal")
        )
        (doc.automaticstyles if automatic else doc.styles).addElement(style)
        return style

    grouped = NumberStyle(name="N_count")
    grouped.addElement(Number(decimalplaces="0", minintegerdigits="1", grouping="true"))
    doc.styles.addElement(grouped)
    heading1 = cell_style("Heading_20_1", "Heading 1", bold=True, size="14pt")
    heading2 = cell_style("Heading_20_2", "Heading 2", bold=True, wrap=True)
    text_style = cell_style("Text", "Text")
    wrapped = cell_style("Text_20_wrapped", "Text wrapped", wrap=True)
    count_style = cell_style("Count", "Count", right=True, number="N_count")
    right_text = cell_style("Text_20_right", "Text right", right=True)

    def page_style(number: int, one_page: bool, wide: int = 1) -> Style:
        """The page setup of the .xlsx (PAGE_… above): landscape A4, one page wide (and, with a chart, one
        page tall), its margins, no header or footer. Fitting is ODF 1.3's scale-to-X and scale-to-Y, which
        odfpy predates, so they are set directly."""
        layout = PageLayout(name=f"pm{number}")
        page = PageLayoutProperties(
            printorientation="landscape",
            pagewidth=f"{PAGE_WIDTH_CM}cm",
            pageheight=f"{PAGE_HEIGHT_CM}cm",
            **{f"margin{side}": f"{inches}in" for side, inches in MARGINS_INCHES.items()},
        )
        page.setAttrNS(STYLENS, "scale-to-X", str(wide))
        if one_page:
            page.setAttrNS(STYLENS, "scale-to-Y", "1")
        layout.addElement(page)
        doc.automaticstyles.addElement(layout)
        name = "Publication_one_page" if one_page else "Publication"
        master = MasterPage(name=name if wide == 1 else f"{name}_{wide}_wide", pagelayoutname=layout)
        doc.masterstyles.addElement(master)
        style = Style(name=f"ta{number}", family="table", masterpagename=master)
        style.addElement(TableProperties(display="true"))
        doc.automaticstyles.addElement(style)
        return style

    table_styles = {False: page_style(1, False), True: page_style(2, True)}
    wide_styles: dict[int, Style] = {}

    def table_style(sheet: Sheet, widths: list[float]) -> Style:
        wide = pages_wide(widths)
        if sheet.bar_chart or wide == 1:
            return table_styles[bool(sheet.bar_chart)]
        if wide not in wide_styles:
            wide_styles[wide] = page_style(3 + len(wide_styles), False, wide)
        return wide_styles[wide]

    column_styles: dict[float, Style] = {}
    row_styles: dict[float, Style] = {}

    def column_style(width: float) -> Style:
        if width not in column_styles:
            style = Style(name=f"co{len(column_styles) + 1}", family="table-column")
            # A character of 10-point Arial is about 0.19 cm wide.
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.19 + 0.2:.2f}cm"))
            doc.automaticstyles.addElement(style)
            column_styles[width] = style
        return column_styles[width]

    def row_style(points: float) -> Style:
        if points not in row_styles:
            style = Style(name=f"ro{len(row_styles) + 1}", family="table-row")
            style.addElement(TableRowProperties(rowheight=f"{points:.1f}pt", useoptimalrowheight="false"))
            doc.automaticstyles.addElement(style)
            row_styles[points] = style
        return row_styles[points]

    def text_cell(text: str, style: Style, link: str | None = None) -> TableCell:
        text = str(cell_text(text))
        cell = TableCell(valuetype="string", stylename=style)
        paragraph = P()
        if link:
            paragraph.addElement(A(href=link, type="simple", text=text))
        else:
            paragraph.addText(text)
        cell.addElement(paragraph)
        return cell

    def value_cell(value: Any, count: bool) -> TableCell:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value:,}" if count and float(value).is_integer() else f"{value:g}"
            cell = TableCell(
                valuetype="float", value=str(value), stylename=count_style if count else right_text
            )
            cell.addElement(P(text=shown))
            return cell
        return text_cell(str(value), right_text)

    for sheet in sheets:
        widths = _widths(sheet)
        table = Table(name=sheet.name, stylename=table_style(sheet, widths))
        if pages_wide(widths) > 1:  # the first column on every page, as the .xlsx's print title columns
            head_columns = TableHeaderColumns()
            head_columns.addElement(TableColumn(stylename=column_style(widths[0])))
            table.addElement(head_columns)
            for width in widths[1:]:
                table.addElement(TableColumn(stylename=column_style(width)))
        else:
            for width in widths:
                table.addElement(TableColumn(stylename=column_style(width)))
        if sheet.bar_chart:  # a gap, then the column the chart stands in, as in the .xlsx
            table.addElement(TableColumn(stylename=column_style(_CHART_GAP), numbercolumnsrepeated=2))
        row = TableRow()
        row.addElement(text_cell(sheet.title, heading1))
        table.addElement(row)
        for line in sheet.lines:
            row = TableRow()
            row.addElement(text_cell(line, text_style))
            table.addElement(row)
        if sheet.header:
            row = TableRow(stylename=row_style(_header_height(sheet, widths)))
            for text in sheet.header:
                row.addElement(text_cell(str(text), heading2))
            repeated = TableHeaderRows()  # printed at the top of every page, as the .xlsx's print titles
            repeated.addElement(row)
            table.addElement(repeated)
            for r, values in enumerate(sheet.rows):
                height = _body_height(values, widths)
                row = TableRow(stylename=row_style(height)) if height else TableRow()
                for c, value in enumerate(values):
                    if c == 0:
                        link = f"#{value}.A1" if sheet.links else None
                        row.addElement(text_cell(str(value), text_style, link))
                    elif sheet.counts and not _is_text(sheet, c):
                        row.addElement(value_cell(value, sheet.counts[c]))
                    else:
                        row.addElement(text_cell(str(value), wrapped))
                if sheet.bar_chart and r == 0:
                    row.addElement(TableCell())
                    anchor = TableCell()  # the chart stands in the first row's cell beyond the gap
                    anchor.addElement(_ods_bar_chart(doc, sheet, len(sheet.lines) + 2))
                    row.addElement(anchor)
                table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def write_publication(
    tables: AreaTables, path: Path, fmt: str, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """Write the publication workbook in this format ('xlsx' or 'ods')."""
    (write_xlsx if fmt == "xlsx" else write_ods)(tables, path, cover, validation)


# Reading a publication workbook back ----------------------------------------------------------------














def _range(sheet: str, first: str, last: str) -> str:
    """An OpenDocument cell range: Chart_rate.A5:Chart_rate.A46 (a name with other characters quoted)."""
    name = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}.{first}:{name}.{last}"


def _ods_bar_chart(doc: Any, sheet: Sheet, top: int) -> Any:
    """The .xlsx's bar chart as an OpenDocument chart object: the same table drawn, titled and described.

    `top` is the header row; the chart reads the table's cells (a copy of them travels with it, as every
    OpenDocument chart carries its data), one horizontal bar per row, the first row at the top."""
    from odf import chart, draw, svg
    from odf.namespaces import DRAWNS
    from odf.opendocument import OpenDocumentChart
    from odf.style import ChartProperties, GraphicProperties, Style, TextProperties
    from odf.table import (
        Table,
        TableCell,
        TableColumn,
        TableColumns,
        TableHeaderColumns,
        TableHeaderRows,
        TableRow,
        TableRows,
    )
    from odf.text import P

    last = top + len(sheet.rows)
    title = str(cell_text(sheet.bar_chart))
    axis_title = str(cell_text(sheet.header[1]))
    width_cm, height_cm = _CHART_WIDTH_CM, max(7.5, 0.6 * len(sheet.rows))
    obj = OpenDocumentChart()

    def style(name: str, *properties: Any) -> Style:
        made = Style(name=name, family="chart")
        for element in properties:
            made.addElement(element)
        obj.automaticstyles.addElement(made)
        return made

    def font() -> Any:
        return TextProperties(fontfamily=FONT, fontsize="10pt")

    main = style("chart", GraphicProperties(stroke="none"), font())
    bars = style("bars", ChartProperties(vertical="true"))  # bars along the value axis: horizontal
    # The first row at the top, as in the table.
    categories = style("categories", ChartProperties(reversedirection="true", displaylabel="true"), font())
    values = style("values", ChartProperties(displaylabel="true"), font())
    series = style("series", GraphicProperties(fill="solid", fillcolor="#4f81bd", stroke="none"))
    heading = style("title", TextProperties(fontfamily=FONT, fontsize="13pt", fontweight="bold"))
    wall = style("wall", GraphicProperties(fill="none", stroke="none"))
    grid = style("grid", GraphicProperties(stroke="solid", strokecolor="#d9d9d9"))  # light, as the .xlsx's
    drawing = chart.Chart(
        attributes={"class": "chart:bar"}, width=f"{width_cm}cm", height=f"{height_cm}cm", stylename=main
    )
    obj.chart.addElement(drawing)
    chart_title = chart.Title(stylename=heading)
    chart_title.addElement(P(text=title))
    drawing.addElement(chart_title)
    plot = chart.PlotArea(
        stylename=bars,
        cellrangeaddress=_range(sheet.name, f"A{top}", f"B{last}"),
        datasourcehaslabels="both",
    )
    x_axis = chart.Axis(dimension="x", name="primary-x", stylename=categories)
    x_axis.addElement(chart.Categories(cellrangeaddress=_range(sheet.name, f"A{top + 1}", f"A{last}")))
    plot.addElement(x_axis)
    y_axis = chart.Axis(dimension="y", name="primary-y", stylename=values)
    y_title = chart.Title()
    y_title.addElement(P(text=axis_title))
    y_axis.addElement(y_title)
    y_axis.addElement(chart.Grid(attributes={"class": "major"}, stylename=grid))
    plot.addElement(y_axis)
    plot.addElement(
        chart.Series(
            stylename=series,
            valuescellrangeaddress=_range(sheet.name, f"B{top + 1}", f"B{last}"),
            labelcelladdress=_range(sheet.name, f"B{top}", f"B{top}"),
            attributes={"class": "chart:bar"},
        )
    )
    plot.addElement(chart.Wall(stylename=wall))
    drawing.addElement(plot)
    local = Table(name="local-table")
    head_columns = TableHeaderColumns()
    head_columns.addElement(TableColumn())
    local.addElement(head_columns)
    columns = TableColumns()
    columns.addElement(TableColumn())
    local.addElement(columns)
    head = TableHeaderRows()
    row = TableRow()
    row.addElement(TableCell())
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=axis_title))
    row.addElement(cell)
    head.addElement(row)
    local.addElement(head)
    body = TableRows()
    for label, value in sheet.rows:
        row = TableRow()
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=str(cell_text(str(label)))))
        row.addElement(cell)
        cell = TableCell(valuetype="float", value=str(value))
        cell.addElement(P(text=str(value)))
        row.addElement(cell)
        body.addElement(row)
    local.addElement(body)
    drawing.addElement(local)
    frame = draw.Frame(width=f"{width_cm}cm", height=f"{height_cm}cm", x="0cm", y="0cm", zindex="0")
    # The name LibreOffice's navigator lists, as the .xlsx's (odfpy's setters would write 'Chart_20_1').
    frame.attributes[(DRAWNS, "name")] = "Chart 1"
    frame.addElement(
        draw.Object(
            href=doc.addObject(obj),
            notifyonupdateofranges=_range(sheet.name, f"A{top}", f"B{last}"),
        )
    )
    frame.addElement(svg.Title(text=title))
    frame.addElement(svg.Desc(text=str(cell_text(sheet.chart_description or sheet.bar_chart))))
    return frame


def _add_bar_chart(ws: Any, sheet: Sheet, top: int) -> None:
    """A horizontal bar chart of the table's second column by its first, to the right of the table."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = str(cell_text(sheet.bar_chart))
    chart.legend = None
    chart.y_axis.title = str(cell_text(sheet.header[1]))
    last = top + len(sheet.rows)
    chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.x_axis.tickLblSkip = 1  # every category named
    chart.height = max(7.5, 0.6 * len(sheet.rows))
    chart.width = _CHART_WIDTH_CM
    ws.add_chart(chart, f"D{top}")
