"""The manager's own OpenDocument spreadsheet with its findings written back (validate --annotate OUT.ods).

The .ods twin of annotate.py. The copy is the input's zip, member by member and in the same order: every
member but three is copied byte for byte (settings, pictures, macros, the manifest). content.xml gets
the marks: each finding's cell a new automatic style (its own style copied, with a fill and a thick box, so
the mark is not colour alone) and an office:annotation with the message and the suggestion; and a first table,
"Checks", listing every finding with a link to its cell, the verdict and what was not checked. meta.xml gets
two user-defined properties (who wrote the copy, and a digest of its content.xml) so that a second run may
replace the copy while nobody has changed it, and the record of what each mark replaced (annotate_marks.py).
styles.xml gets the Checks table's page style (landscape, one page wide), every other style kept. Every
other element and attribute of content.xml is kept as it
was: the parser (the standard library's ElementTree) keeps elements, attributes, text and their order, and
the namespace prefixes the file declared are declared again, so that a formula's 'of:' prefix still means
what it meant. Text from the input goes into cells as text (office:value-type="string"), never a formula.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from mappa_stats.definitions.templates import Severity
from mappa_stats.errors import InputError
from mappa_stats.findings import Finding
from mappa_stats.io import guard
from mappa_stats.io.book import q
from mappa_stats.io.xlsx import cell_position
from mappa_stats.publication.annotate import CHECKS_HEADINGS, by_cell, checks_lines, comment_text
from mappa_stats.publication.annotate_marks import (
    CHECKS_SHEET,
    ERROR_FILL,
    MARK_BORDER,
    WARNING_FILL,
    cell_props,
    is_record,
    note_digest,
    note_paragraphs,
    read_record,
    record_properties,
    style_digest,
    unmark_ods,
)
from mappa_stats.publication.sheets import CONTROL
from mappa_stats.publication.writer import DIGEST
from mappa_stats.version import PRODUCER

if TYPE_CHECKING:
    from mappa_stats.validate import FileReport

_AUTO_PREFIX = re.compile(r"ns\d+$")  # ElementTree's own prefixes: never registered


_ROWS_REPEATED, _COLUMNS_REPEATED = q("table:number-rows-repeated"), q("table:number-columns-repeated")
_ROW_GROUPS = {q("table:table-header-rows"), q("table:table-row-group"), q("table:table-rows")}
_COLUMN_GROUPS = {q("table:table-header-columns"), q("table:table-column-group"), q("table:table-columns")}
_CELLS = {q("table:table-cell"), q("table:covered-table-cell")}
_STYLE_NAME, _DEFAULT_STYLE = q("table:style-name"), q("table:default-cell-style-name")


def annotate_ods(source: Path, report: FileReport, target: Path, strict: bool = False) -> None:
    """Write to `target` a copy of the spreadsheet at `source` with `report`'s findings marked in it."""
    display = guard.display_name(source)
    data = guard.read_input(source, "area")  # the same limits the reading passed
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "content.xml" not in names:
                raise InputError(
                    f"{display}: is not an OpenDocument spreadsheet (no content.xml); save it again"
                )
            earlier = _earlier_marks(archive.read("meta.xml")) if "meta.xml" in names else []
            content, marks = _marked_content(archive.read("content.xml"), report, strict, earlier)
            with zipfile.ZipFile(target, "w") as out:
                for info in archive.infolist():
                    member = archive.read(info)
                    if info.filename == "content.xml":
                        member = content
                    elif info.filename == "styles.xml":
                        member = _checks_page(member)
                    elif info.filename == "meta.xml":
                        member = _owned_meta(member, hashlib.sha256(content).hexdigest(), marks)
                    out.writestr(info, member)  # the member's own name, date and compression
    except (zipfile.BadZipFile, ET.ParseError, ValueError) as exc:
        raise InputError(f"{display}: cannot be annotated ({type(exc).__name__}); save it again") from exc


def _parse(data: bytes) -> tuple[ET.Element, list[tuple[str, str]]]:
    """The document's root and the namespaces it declares, as (prefix, URI)."""
    declared: list[tuple[str, str]] = []
    parser = ET.iterparse(io.BytesIO(data), events=("start-ns",))
    for _event, item in parser:
        declared.append(item)
    root = parser.root  # type: ignore[attr-defined]
    assert root is not None
    return root, declared


def _serialise(root: ET.Element, declared: list[tuple[str, str]]) -> bytes:
    """The document as bytes, with every namespace the input declared declared again under its own prefix
    (ElementTree writes only the ones elements and attributes use; a formula's 'of:' is in a value)."""
    for prefix, uri in declared:
        if prefix and prefix != "xml" and not _AUTO_PREFIX.match(prefix):
            ET.register_namespace(prefix, uri)
    text: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    head_end = text.index(b">", text.index(b"?>") + 2)
    head = text[:head_end]
    missing = b"".join(
        f" xmlns:{prefix}={quoteattr(uri)}".encode()
        for prefix, uri in dict(declared).items()
        if prefix and prefix != "xml" and f"xmlns:{prefix}=".encode() not in head
    )
    return head + missing + text[head_end:]


def _marked_content(
    data: bytes, report: FileReport, strict: bool, earlier: list[dict[str, Any]]
) -> tuple[bytes, list[dict[str, Any]]]:
    """content.xml with mappa-stats's earlier marks taken away, each finding's cell marked and noted, and
    the Checks table first; and the record of what each mark replaced."""
    root, declared = _parse(data)
    spreadsheet = root.find(f"{q('office:body')}/{q('office:spreadsheet')}")
    if spreadsheet is None:
        raise ValueError("no office:spreadsheet")
    automatic = root.find(q("office:automatic-styles"))
    if automatic is None:
        automatic = ET.Element(q("office:automatic-styles"))
        root.insert(list(root).index(root.find(q("office:body"))), automatic)  # type: ignore[arg-type]
    unmark_ods(spreadsheet, automatic, earlier, _recorded_cell)
    tables = {t.get(q("table:name")): t for t in spreadsheet.iter(q("table:table"))}
    styles = _Styles(automatic)
    marks: list[dict[str, Any]] = []
    for (sheet, ref), found in by_cell(report.findings, set(filter(None, tables))).items():
        row, column = cell_position(ref)
        table = tables[sheet]
        cell, row_element = _cell_at(table, row, column)
        base = cell.get(_STYLE_NAME) or row_element.get(_DEFAULT_STYLE) or _column_style(table, column)
        note = cell.find(q("office:annotation"))
        own, style = (
            cell.get(_STYLE_NAME),
            styles.marked(base, any(f.severity == Severity.ERROR for f in found)),
        )
        mark: dict[str, Any] = {"s": sheet, "c": ref, "o": own, "p": cell_props(styles.own.get(base))}
        mark["d"] = style_digest(styles.own.get(own))
        mark["n"] = -1 if note is None else len(note_paragraphs(note))
        mark["m"] = style
        cell.set(_STYLE_NAME, style)
        mark["h"] = note_digest(_note(cell, comment_text(found)))
        marks.append(mark)
    _checks_table(spreadsheet, styles, report, {(m["s"], m["c"]) for m in marks}, strict)
    return _serialise(root, declared), marks


def _recorded_cell(table: ET.Element, ref: str) -> ET.Element | None:
    """The cell a record names ('C5'), standing alone; None for a reference that is not a cell."""
    try:
        row, column = cell_position(ref)
    except (ValueError, TypeError):
        return None
    return _cell_at(table, row, column)[0]


def _earlier_marks(meta: bytes) -> list[dict[str, Any]]:
    """The marks an earlier run recorded in meta.xml (none in a file mappa-stats did not annotate)."""
    root, _declared = _parse(meta)
    return read_record(
        (element.get(q("meta:name")), element.text or "") for element in root.iter(q("meta:user-defined"))
    )


def _count(element: ET.Element, attribute: str) -> int:
    """How many rows or columns an element stands for (its repeat count; 1 when not repeated)."""
    return max(1, int(element.get(attribute, "1")))


def _walk(parent: ET.Element, tags: set[str], groups: set[str]) -> Iterator[tuple[ET.Element, ET.Element]]:
    """Each row (or column) element in document order with its parent, through header rows and groups."""
    for child in list(parent):
        if child.tag in tags:
            yield parent, child
        elif child.tag in groups:
            yield from _walk(child, tags, groups)


def _single(parent: ET.Element, element: ET.Element, k: int, attribute: str) -> ET.Element:
    """Split an element repeated n times so that its k-th copy (1-based) stands alone; that copy."""
    n = _count(element, attribute)
    if n == 1:
        return element
    at = list(parent).index(element)
    parent.remove(element)
    pieces = []
    for repeat in (k - 1, 1, n - k):
        if repeat:
            piece = copy.deepcopy(element)
            if repeat == 1:
                piece.attrib.pop(attribute, None)
            else:
                piece.set(attribute, str(repeat))
            pieces.append((repeat, piece))
    for offset, (_repeat, piece) in enumerate(pieces):
        parent.insert(at + offset, piece)
    return pieces[0][1] if k == 1 else pieces[1][1]


def _nth(
    parent: ET.Element, tags: set[str], groups: set[str], wanted: int, attribute: str, pad: str
) -> ET.Element:
    """The element for row (or cell) `wanted` (1-based), split out of a repeat, or added when the file
    stops short of it."""
    seen = 0
    last: tuple[ET.Element, ET.Element] | None = None
    for holder, element in _walk(parent, tags, groups):
        n = _count(element, attribute)
        if seen + n >= wanted:
            return _single(holder, element, wanted - seen, attribute)
        seen += n
        last = (holder, element)
    holder, at = (parent, len(parent)) if last is None else (last[0], list(last[0]).index(last[1]) + 1)
    if wanted - seen > 1:
        gap = ET.Element(pad, {attribute: str(wanted - seen - 1)})
        if pad == q("table:table-row"):
            ET.SubElement(gap, q("table:table-cell"))  # a row holds at least one cell
        holder.insert(at, gap)
        at += 1
    added = ET.Element(pad)
    holder.insert(at, added)
    return added


def _cell_at(table: ET.Element, row: int, column: int) -> tuple[ET.Element, ET.Element]:
    """The cell at (row, column), 1-based, standing alone, and its row."""
    row_element = _nth(table, {q("table:table-row")}, _ROW_GROUPS, row, _ROWS_REPEATED, q("table:table-row"))
    cell = _nth(row_element, _CELLS, set(), column, _COLUMNS_REPEATED, q("table:table-cell"))
    return cell, row_element


def _column_style(table: ET.Element, column: int) -> str:
    """The default cell style a column gives its cells without one of their own ('Default' when none)."""
    seen = 0
    for _holder, element in _walk(table, {q("table:table-column")}, _COLUMN_GROUPS):
        seen += _count(element, _COLUMNS_REPEATED)
        if seen >= column:
            return element.get(_DEFAULT_STYLE) or "Default"
    return "Default"


def _note(cell: ET.Element, text: str) -> str:
    """The cell's annotation: the manager's own note kept, ours after it; before the cell's text, as ODF
    orders a cell's content."""
    note = cell.find(q("office:annotation"))
    if note is None:
        note = ET.Element(q("office:annotation"))
        ET.SubElement(note, q("dc:creator")).text = PRODUCER
        first = cell.find(q("table:cell-range-source"))
        cell.insert(0 if first is None else 1, note)
    else:
        ET.SubElement(note, q("text:p"))
    for line in text.split("\n"):
        ET.SubElement(note, q("text:p")).text = line
    return "\n".join("".join(p.itertext()) for p in note_paragraphs(note))


class _Styles:
    """The automatic styles the copy adds: a marked twin of each style a marked cell had, and the Checks
    table's own."""

    def __init__(self, automatic: ET.Element) -> None:
        self.automatic = automatic
        self.own = {s.get(q("style:name")): s for s in automatic.iter(q("style:style"))}
        self.made: dict[tuple[str, bool], str] = {}

    def _name(self, stem: str) -> str:
        n = len(self.made) + 1
        while f"{stem}{n}" in self.own:
            n += 1
        return f"{stem}{n}"

    def marked(self, base: str, error: bool) -> str:
        """A style that is `base` with a fill (red for an error, amber for a warning) and a thick box."""
        if (base, error) in self.made:
            return self.made[(base, error)]
        original = self.own.get(base)
        if original is not None and original.get(q("style:family")) == "table-cell":
            style = copy.deepcopy(original)  # its number format, font and conditions kept
        else:  # a common style of styles.xml (or none): the mark inherits from it
            style = ET.Element(
                q("style:style"), {q("style:family"): "table-cell", q("style:parent-style-name"): base}
            )
        name = self._name("mappa-mark")
        style.set(q("style:name"), name)
        props = style.find(q("style:table-cell-properties"))
        if props is None:
            props = ET.Element(q("style:table-cell-properties"))
            style.insert(0, props)
        for side in ("fo:border-left", "fo:border-right", "fo:border-top", "fo:border-bottom"):
            props.attrib.pop(q(side), None)
        props.set(q("fo:background-color"), f"#{ERROR_FILL if error else WARNING_FILL}".lower())
        props.set(q("fo:border"), f"2.5pt solid #{MARK_BORDER}".lower())
        self.automatic.append(style)
        self.own[name] = style
        self.made[(base, error)] = name
        return name

    def add(self, name: str, family: str, properties: dict[str, dict[str, str]]) -> str:
        """An automatic style of the Checks table: `properties` by their element ('style:text-properties')."""
        style = ET.SubElement(
            self.automatic, q("style:style"), {q("style:name"): name, q("style:family"): family}
        )
        for element, values in properties.items():
            ET.SubElement(style, q(element), {q(k): v for k, v in values.items()})
        self.own[name] = style
        return name


_WIDTHS_CM = ("2.2", "4.6", "5", "16", "12")  # the xlsx copy's 10, 22, 24, 80 and 60 characters


def _checks_table(
    spreadsheet: ET.Element, styles: _Styles, report: FileReport, marked: set[tuple[str, str]], strict: bool
) -> None:
    """The first table: the verdict, what was not checked, and every finding with a link to its cell."""
    names = {str(t.get(q("table:name"))).casefold() for t in spreadsheet.iter(q("table:table"))}
    name = CHECKS_SHEET if CHECKS_SHEET.casefold() not in names else f"{CHECKS_SHEET} ({PRODUCER})"
    table = ET.Element(q("table:table"), {q("table:name"): name})
    table.set(
        _STYLE_NAME,
        styles.add("mappa-checks-ta", "table", {"style:table-properties": {"table:display": "true"}}),
    )
    styles.own["mappa-checks-ta"].set(q("style:master-page-name"), CHECKS_PAGE)  # printed one page wide
    for k, width in enumerate(_WIDTHS_CM, start=1):
        column = styles.add(
            f"mappa-checks-co{k}",
            "table-column",
            {"style:table-column-properties": {"style:column-width": f"{width}cm"}},
        )
        ET.SubElement(table, q("table:table-column"), {_STYLE_NAME: column})
    title = styles.add(
        "mappa-checks-title",
        "table-cell",
        {"style:text-properties": {"fo:font-size": "14pt", "fo:font-weight": "bold"}},
    )
    bold = styles.add(
        "mappa-checks-bold", "table-cell", {"style:text-properties": {"fo:font-weight": "bold"}}
    )
    wrap = styles.add(
        "mappa-checks-wrap",
        "table-cell",
        {"style:table-cell-properties": {"fo:wrap-option": "wrap", "style:vertical-align": "top"}},
    )
    _row(table, [(f"Checks by {PRODUCER}", title)])
    for line in checks_lines(report, strict):
        _row(table, [(line, None)])
    _row(table, [])
    _row(table, [(heading, bold) for heading in CHECKS_HEADINGS])
    for f in report.findings:
        link = f"#{_ods_address(f)}" if (f.sheet, f.cell) in marked else None
        cells = [
            (f.severity.upper(), wrap),
            (f.rule, wrap),
            (f.ref, wrap),
            (f.said, wrap),
            (f.suggestion or "", wrap),
        ]
        _row(table, cells, link)
    if not report.findings:
        _row(table, [("No findings.", None)])
    first = next(
        iter(k for k, child in enumerate(spreadsheet) if child.tag == q("table:table")), len(spreadsheet)
    )
    spreadsheet.insert(first, table)


def _ods_address(f: Finding) -> str:
    """A cell as OpenDocument names it in a link: 'Statistics'.C5."""
    return f"'{str(f.sheet).replace(chr(39), chr(39) * 2)}'.{f.cell}"


def _row(table: ET.Element, cells: Iterable[tuple[str, str | None]], link: str | None = None) -> None:
    """A row of text cells (each with its style); the third a link to `link` when given."""
    row = ET.SubElement(table, q("table:table-row"))
    for k, (value, style) in enumerate(cells):
        cell = ET.SubElement(row, q("table:table-cell"), {q("office:value-type"): "string"})
        if style:
            cell.set(_STYLE_NAME, style)
        for n, line in enumerate(CONTROL.sub(" ", str(value)).split("\n")):
            paragraph = ET.SubElement(cell, q("text:p"))
            if link and k == 2 and n == 0:
                anchor = ET.SubElement(
                    paragraph, q("text:a"), {q("xlink:type"): "simple", q("xlink:href"): link}
                )
                anchor.text = line
            else:
                paragraph.text = line
    if not len(row):
        ET.SubElement(row, q("table:table-cell"))


CHECKS_PAGE = "mappa-checks"  # the Checks table's page style (styles.xml): landscape, one page wide
_CHECKS_LAYOUT = "mappa-checks-pm"


def _checks_page(data: bytes) -> bytes:
    """styles.xml with the Checks table's page style: A4 landscape, its columns scaled to one page's width
    (as the .xlsx copy's fit to width); an earlier run's replaced, every other style kept as it was."""
    root, declared = _parse(data)
    masters = root.find(q("office:master-styles"))
    if masters is None:
        masters = ET.SubElement(root, q("office:master-styles"))
    automatic = root.find(q("office:automatic-styles"))
    if automatic is None:
        automatic = ET.Element(q("office:automatic-styles"))
        root.insert(list(root).index(masters), automatic)
    layouts = {_CHECKS_LAYOUT}
    for page in [m for m in masters if m.get(q("style:name")) == CHECKS_PAGE]:
        layouts.add(str(page.get(q("style:page-layout-name"))))  # a save may have renamed it
        masters.remove(page)
    used = {m.get(q("style:page-layout-name")) for m in masters}
    for layout in [a for a in automatic if a.tag == q("style:page-layout")]:
        if layout.get(q("style:name")) in layouts and layout.get(q("style:name")) not in used:
            automatic.remove(layout)
    layout = ET.SubElement(automatic, q("style:page-layout"), {q("style:name"): _CHECKS_LAYOUT})
    ET.SubElement(
        layout,
        q("style:page-layout-properties"),
        {q("fo:page-width"): "29.7cm", q("fo:page-height"): "21cm", q("style:print-orientation"): "landscape",
         q("style:scale-to-X"): "1", q("style:scale-to-Y"): "0"},
    )  # fmt: skip
    page = ET.SubElement(masters, q("style:master-page"), {q("style:name"): CHECKS_PAGE})
    page.set(q("style:display-name"), f"{CHECKS_SHEET} ({PRODUCER})")
    page.set(q("style:page-layout-name"), _CHECKS_LAYOUT)
    return _serialise(root, declared)


def _owned_meta(data: bytes, digest: str, marks: list[dict[str, Any]]) -> bytes:
    """meta.xml naming mappa-stats as the copy's producer, with the digest of its content.xml and the record
    of what each mark replaced."""
    root, declared = _parse(data)
    meta = root.find(q("office:meta"))
    if meta is None:
        meta = ET.SubElement(root, q("office:meta"))
    for element in list(meta):
        name = element.get(q("meta:name"))
        if element.tag == q("meta:user-defined") and (name in ("Producer", DIGEST) or is_record(name)):
            meta.remove(element)
    ET.SubElement(meta, q("meta:user-defined"), {q("meta:name"): "Producer"}).text = PRODUCER
    ET.SubElement(meta, q("meta:user-defined"), {q("meta:name"): DIGEST}).text = digest
    for name, value in record_properties(marks):
        ET.SubElement(meta, q("meta:user-defined"), {q("meta:name"): name}).text = value
    return _serialise(root, declared)
