"""The manager's own workbook with the findings written back (validate --annotate OUT).

A copy of the workbook as it was given, loaded with its formulas (not their saved values), styles, data
validation, comments and other sheets, in which each finding's cell is marked — a fill and a border, so that
the mark is not colour alone — and carries a comment with the message and the suggestion; and a first sheet,
"Checks", listing every finding with a link to its cell, the verdict and what was not checked. The input
is only read; the copy is written whole by output.write_atomic. Everything from the input that goes into a
cell passes cell_text (never a formula, never a control character).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mappa_stats.definitions.templates import Severity
from mappa_stats.findings import Finding
from mappa_stats.model import sheet_ref
from mappa_stats.publication.annotate_marks import (
    CHECKS_SHEET,
    ERROR_FILL,
    MARK_BORDER,
    WARNING_FILL,
    is_own_checks,
    is_record,
    note_digest,
    read_record,
    record_properties,
)
from mappa_stats.publication.sheets import CONTROL, cell_text
from mappa_stats.publication.writer import DIGEST, cells_digest
from mappa_stats.render.report import not_checked, verdict_line
from mappa_stats.version import PRODUCER

if TYPE_CHECKING:
    from mappa_stats.validate import FileReport

CHECKS_HEADINGS = ("Severity", "Rule", "Cell", "What is wrong", "Suggestion")
_COMMENT_WIDTH, _COMMENT_HEIGHT = 420, 160  # points: room for a message and its suggestion


def annotate(source: Path, report: FileReport, target: Path, strict: bool = False) -> None:
    """Write to `target` a copy of the workbook at `source` with `report`'s findings marked in it."""
    from openpyxl import load_workbook  # lazy: openpyxl is slow to load

    wb = load_workbook(source)  # not data_only: the manager's formulas are kept as formulas
    _unmark(wb)
    marks = _mark_cells(wb, report.findings)
    _checks_sheet(wb, report, {(m["s"], m["c"]) for m in marks}, strict)
    _own(wb, marks)
    wb.save(target)


def comment_text(found: Iterable[Finding]) -> str:
    """A cell's note: each finding's severity, message and suggestion."""
    parts = []
    for f in found:
        said = f"{f.severity.upper()} ({f.rule}): {f.said}"
        if f.suggestion:
            said += f"\nSuggestion: {f.suggestion}"
        parts.append(said)
    return CONTROL.sub(" ", "\n\n".join(parts))[:30_000]  # Excel's limit for a note is 32,767 characters


def by_cell(findings: Iterable[Finding], sheets: set[str]) -> dict[tuple[str, str], list[Finding]]:
    """The findings that name a cell of one of `sheets`, grouped by (sheet, cell)."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.cell and f.sheet in sheets:
            grouped.setdefault((f.sheet, f.cell), []).append(f)
    return grouped


def checks_lines(report: FileReport, strict: bool) -> list[str]:
    """The Checks sheet's opening lines: the verdict, what was not checked, and how cells are marked."""
    return [
        verdict_line(report, strict),
        *not_checked(report),
        *(f"Note: {note}" for note in report.notes),  # what nothing cross-checks, how the file was read
        "Marked cells: a red fill and box for an error, amber for a warning; "
        "the note on each cell says what is wrong and what to do.",
    ]


def _mark_cells(wb: Any, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Fill, box and annotate each finding's cell; the record of what each mark replaced."""
    from openpyxl.comments import Comment  # lazy: openpyxl is slow to load
    from openpyxl.styles import Border, PatternFill, Side

    edge = Side(style="thick", color=MARK_BORDER)
    marks = []
    for (sheet, ref), found in by_cell(findings, set(wb.sheetnames)).items():
        cell = wb[sheet][ref]
        mark = {"s": sheet, "c": ref, "f": _style_xml(cell.fill), "b": _style_xml(cell.border)}
        error = any(f.severity == Severity.ERROR for f in found)
        cell.fill = PatternFill("solid", fgColor=ERROR_FILL if error else WARNING_FILL)
        cell.border = Border(left=edge, right=edge, top=edge, bottom=edge)
        text = comment_text(found)
        if cell.comment is not None:  # the manager's own note is kept, ours follows it
            mark["o"], mark["a"] = cell.comment.text, cell.comment.author
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = Comment(text, PRODUCER, width=_COMMENT_WIDTH, height=_COMMENT_HEIGHT)
        mark["h"] = note_digest(text)
        marks.append(mark)
    return marks


def _style_xml(style: Any) -> str:
    """A cell's fill or border as its XML ('' when the cell has none)."""
    from openpyxl.styles import Border, PatternFill  # lazy: openpyxl is slow to load
    from openpyxl.xml.functions import tostring

    if style == PatternFill() or style == Border():
        return ""
    return str(tostring(style.to_tree()).decode())


def _unmark(wb: Any) -> None:
    """Take away what an earlier run of mappa-stats marked: its Checks sheet, and on each cell it marked
    the fill, box and note it put there, where they are still as it set them."""
    from openpyxl.comments import Comment  # lazy: openpyxl is slow to load
    from openpyxl.styles import Border, PatternFill
    from openpyxl.styles.fills import Fill
    from openpyxl.xml.functions import fromstring

    checks = [ws for ws in wb.worksheets if is_own_checks(ws.title, ws["A1"].value)]
    for ws in checks:
        wb.remove(ws)
    marks = read_record((p.name, p.value) for p in wb.custom_doc_props)
    if checks and not any(is_record(p.name) for p in wb.custom_doc_props):
        _unmark_unrecorded(wb)  # annotated before marks were recorded
    for mark in marks:
        try:
            cell = wb[str(mark["s"])][str(mark["c"])]
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
        if _is_mark_fill(cell.fill):
            cell.fill = (Fill.from_tree(fromstring(mark["f"])) if mark.get("f") else None) or PatternFill()
        if _is_mark_border(cell.border):
            cell.border = Border.from_tree(fromstring(mark["b"])) if mark.get("b") else Border()
        if cell.comment is not None and note_digest(cell.comment.text) == mark.get("h"):
            cell.comment = None if mark.get("o") is None else Comment(mark["o"], mark.get("a") or "")


_OUR_NOTE = re.compile(r"(?:\A|\n\n)(?:ERROR|WARNING) \(")  # where comment_text's first finding starts


def _unmark_unrecorded(wb: Any) -> None:
    """A copy with no record of its marks: each cell with the mark's fill and box loses both (what they
    replaced is not known: none), and mappa-stats's note loses mappa-stats's findings (the manager's words
    before them kept)."""
    from openpyxl.comments import Comment  # lazy: openpyxl is slow to load
    from openpyxl.styles import Border, PatternFill

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (_is_mark_fill(cell.fill) and _is_mark_border(cell.border)):
                    continue
                cell.fill, cell.border = PatternFill(), Border()
                if cell.comment is not None and cell.comment.author == PRODUCER:
                    before = _OUR_NOTE.split(cell.comment.text, maxsplit=1)[0]
                    cell.comment = Comment(before, "") if before.strip() else None


def _is_mark_fill(fill: Any) -> bool:
    """The fill of a mark: solid light red or amber."""
    colour = str(getattr(getattr(fill, "fgColor", None), "rgb", ""))[-6:].upper()
    return getattr(fill, "fill_type", None) == "solid" and colour in (ERROR_FILL, WARNING_FILL)


def _is_mark_border(border: Any) -> bool:
    """The box of a mark: thick dark red on all four sides."""
    sides = [getattr(border, side) for side in ("left", "right", "top", "bottom")]
    return all(
        s is not None and s.style == "thick" and str(getattr(s.color, "rgb", ""))[-6:].upper() == MARK_BORDER
        for s in sides
    )


def _checks_sheet(wb: Any, report: FileReport, marked: set[tuple[str, str]], strict: bool) -> None:
    """The first sheet: the verdict, what was not checked, and every finding with a link to its cell."""
    from openpyxl.styles import Alignment, Font  # lazy: openpyxl is slow to load
    from openpyxl.worksheet.hyperlink import Hyperlink

    name = CHECKS_SHEET if CHECKS_SHEET not in wb.sheetnames else f"{CHECKS_SHEET} ({PRODUCER})"
    ws = wb.create_sheet(name, 0)
    bold = Font(bold=True)
    ws["A1"] = cell_text(f"Checks by {PRODUCER}")
    ws["A1"].font = Font(bold=True, size=14)
    r = 2
    for line in checks_lines(report, strict):
        ws.cell(r, 1, cell_text(line))
        r += 1
    r += 1
    for k, heading in enumerate(CHECKS_HEADINGS, start=1):
        ws.cell(r, k, heading).font = bold
    for f in report.findings:
        r += 1
        ws.cell(r, 1, f.severity.upper())
        ws.cell(r, 2, cell_text(f.rule))
        where = ws.cell(r, 3, cell_text(f.ref))
        if (f.sheet, f.cell) in marked:
            where.hyperlink = Hyperlink(ref=where.coordinate, location=sheet_ref(f.sheet, f.cell))
            where.font = Font(color="0563C1", underline="single")
        ws.cell(r, 4, cell_text(f.said)).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 5, cell_text(f.suggestion or "")).alignment = Alignment(wrap_text=True, vertical="top")
    if not report.findings:
        ws.cell(r + 1, 1, "No findings.")
    for letter, width in zip("ABCDE", (10, 22, 24, 80, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"  # printed or made a PDF: the columns on one page's width
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False


def _own(wb: Any, marks: list[dict[str, Any]]) -> None:
    """Recognisable as mappa-stats' own while nobody types into it (so a second run may replace it), with
    the record of what each mark replaced (so that a run on the copy can take the marks away)."""
    from openpyxl.packaging.custom import StringProperty  # lazy: openpyxl is slow to load

    props = wb.custom_doc_props
    for prop in [p for p in props if p.name in (DIGEST, "Producer") or is_record(p.name)]:
        props.props.remove(prop)
    props.append(StringProperty(name="Producer", value=PRODUCER))
    props.append(StringProperty(name=DIGEST, value=cells_digest(wb)))
    for name, value in record_properties(marks):
        props.append(StringProperty(name=name, value=value))
