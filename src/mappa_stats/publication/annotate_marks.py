"""mappa-stats's own marks in an annotated copy, kept so that annotating the copy again takes them away.

When a cell is marked, what the mark replaced is recorded — the cell's fill and border (.xlsx) or its style
(.ods), the manager's own note and a digest of the note as mappa-stats left it — as JSON in the copy's
document properties ('mappa-stats marks 001', '… 002', each at most 240 characters, as Excel keeps them;
docProps/custom.xml, meta.xml's user-defined properties), which Excel and LibreOffice keep when the manager
saves. A second run reads the record and puts back what each mark replaced, where the mark is still as
mappa-stats set it; the Checks sheet it wrote is recognised by its name and its title cell. The manager's own
sheets, notes, fills and borders are never touched. The .ods side of the taking away is here too
(unmark_ods); annotate.py does the .xlsx side.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any
from xml.etree import ElementTree as ET

from mappa_stats.io.book import q  # the ODF namespaces, as the publication reader spells them
from mappa_stats.version import PRODUCER

CHECKS_SHEET = "Checks"
ERROR_FILL = "FFC7CE"  # light red: an error's cell
WARNING_FILL = "FFEB9C"  # light amber: a warning's cell
MARK_BORDER = "C00000"  # a thick dark red box around every marked cell, whatever its fill
MARKS = f"{PRODUCER} marks"  # the record's properties: 'mappa-stats marks 001', …
_CHUNK = 240  # characters a property holds (Excel keeps 255)


def record_properties(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The record as properties: (name, value), the JSON cut into pieces of at most 240 characters."""
    text = json.dumps(records, separators=(",", ":"))
    return [(f"{MARKS} {k // _CHUNK + 1:03d}", text[k : k + _CHUNK]) for k in range(0, len(text), _CHUNK)]


def is_record(name: object) -> bool:
    """A property of the record ('mappa-stats marks 001')."""
    return isinstance(name, str) and name.startswith(f"{MARKS} ")


def read_record(properties: Iterable[tuple[object, object]]) -> list[dict[str, Any]]:
    """The marks recorded in a copy's properties (none when there are none, or they cannot be read)."""
    pieces = sorted((str(n), str(v)) for n, v in properties if is_record(n) and v is not None)
    try:
        found = json.loads("".join(v for _n, v in pieces)) if pieces else []
    except ValueError:
        return []
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def note_digest(text: str) -> str:
    """A note's digest, its spacing ignored (a save may write runs of spaces another way)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def is_own_checks(name: object, title: object) -> bool:
    """The Checks sheet mappa-stats wrote: its name, and 'Checks by mappa-stats' in its first cell."""
    names = (CHECKS_SHEET, f"{CHECKS_SHEET} ({PRODUCER})")
    return name in names and str(title or "").startswith(f"Checks by {PRODUCER}")


def _text(element: ET.Element) -> str:
    """An element's paragraphs, one a line."""
    return "\n".join("".join(p.itertext()) for p in element.iter(q("text:p")))


def note_paragraphs(note: ET.Element) -> list[ET.Element]:
    """An annotation's paragraphs."""
    return [p for p in note if p.tag == q("text:p")]


_STYLE_NAME = q("table:style-name")
_SIDES = ("fo:border-left", "fo:border-right", "fo:border-top", "fo:border-bottom")
_MARK_PROPS = ("fo:background-color", "fo:border", *_SIDES)


def cell_props(style: ET.Element | None) -> dict[str, str]:
    """A style's fill and borders, as recorded (what a mark replaces)."""
    props = None if style is None else style.find(q("style:table-cell-properties"))
    if props is None:
        return {}
    return {name: props.get(q(name), "") for name in _MARK_PROPS if props.get(q(name)) is not None}


def _is_mark(style: ET.Element | None) -> bool:
    """A style with the mark's fill and thick dark red box (as written, or as LibreOffice saves it)."""
    props = cell_props(style)
    fills = {f"#{ERROR_FILL}".lower(), f"#{WARNING_FILL}".lower()}
    edge = f"#{MARK_BORDER}".lower()
    box = all(edge in props.get(side, props.get("fo:border", "")).lower() for side in _SIDES)
    return props.get("fo:background-color", "").lower() in fills and box


def unmark_ods(
    spreadsheet: ET.Element,
    automatic: ET.Element,
    records: list[dict[str, Any]],
    cell_at: Callable[[ET.Element, str], ET.Element | None],
) -> None:
    """Take mappa-stats's earlier marks out of content.xml: its Checks table, its notes, its styles."""
    table: ET.Element | None
    for table in [t for t in spreadsheet if t.tag == q("table:table")]:
        first = next(table.iter(q("text:p")), None)
        if is_own_checks(table.get(q("table:name")), None if first is None else "".join(first.itertext())):
            spreadsheet.remove(table)
    tables = {t.get(q("table:name")): t for t in spreadsheet.iter(q("table:table"))}
    styles = {s.get(q("style:name")): s for s in automatic.iter(q("style:style"))}
    for record in records:
        table = tables.get(record.get("s"))
        cell = None if table is None else cell_at(table, str(record.get("c")))
        if cell is None:
            continue
        _restore_style(cell, record, styles, automatic)
        note = cell.find(q("office:annotation"))
        if note is not None and note_digest(_text(note)) == record.get("h"):
            kept = int(record.get("n", -1))
            if kept < 0:
                cell.remove(note)
            else:
                for paragraph in note_paragraphs(note)[kept:]:
                    note.remove(paragraph)
    _drop_unused(spreadsheet, automatic)


def style_digest(style: ET.Element | None) -> str:
    """An automatic style's digest ('' for none: the cell had no style of its own, or a named one)."""
    return "" if style is None else hashlib.sha256(ET.tostring(style)).hexdigest()[:16]


def _restore_style(
    cell: ET.Element, record: dict[str, Any], styles: dict[str | None, ET.Element], automatic: ET.Element
) -> None:
    """The cell's own style again: by its name while that names the style it was (no style, a named style,
    or an automatic style still the same); else (a save renames automatic styles) a twin of the marked
    style with the fill and borders the cell had."""
    now = cell.get(_STYLE_NAME)
    marked = styles.get(now)
    if not _is_mark(marked):
        return  # not a mark, or the manager restyled the cell: theirs
    assert marked is not None
    own = record.get("o")
    if record.get("d") == "" or (own in styles and style_digest(styles[own]) == record.get("d")):
        if own is None:
            cell.attrib.pop(_STYLE_NAME)
        else:
            cell.set(_STYLE_NAME, str(own))
        return
    twin = copy.deepcopy(marked)
    n = 1
    while f"mappa-unmarked{n}" in styles:
        n += 1
    twin.set(q("style:name"), f"mappa-unmarked{n}")
    props = twin.find(q("style:table-cell-properties"))
    assert props is not None
    for name in _MARK_PROPS:
        props.attrib.pop(q(name), None)
    for name, value in dict(record.get("p") or {}).items():
        if name in _MARK_PROPS:
            props.set(q(name), str(value))
    automatic.append(twin)
    styles[twin.get(q("style:name"))] = twin
    cell.set(_STYLE_NAME, str(twin.get(q("style:name"))))


def _drop_unused(spreadsheet: ET.Element, automatic: ET.Element) -> None:
    """mappa-stats's own automatic styles (marks, the old Checks table's) that no cell uses any more."""
    used = {value for element in spreadsheet.iter() for value in element.attrib.values()}
    for style in list(automatic):
        name = str(style.get(q("style:name")) or "")
        if name.startswith(("mappa-mark", "mappa-checks-")) and name not in used:
            automatic.remove(style)
