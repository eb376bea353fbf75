"""What a workbook says about itself: its MAPPA area and its reporting year, from every sheet.

A workbook names its area and year in labelled cells ('MAPPA area' | 'Kent', 'Reporting year' | '2024-25'),
as the template does in G1:H2. Every such cell is read, on every sheet, hidden and very hidden ones too: two
that disagree are refused naming both cells (a Kent workbook with a forgotten hidden sheet saying Sussex is
not Sussex's), unless --year names one of the years or --area-override says which area, and then the report
says what was overridden. A value read only from a hidden sheet is said in a note, never silently used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mappa_stats.definitions.templates import Template, normalize
from mappa_stats.errors import InputError, TemplateError
from mappa_stats.io.layout import Sheet, Workbook, has_content, title_date
from mappa_stats.model import a1, sheet_ref

AREA_KEYS = {"mappa area", "area"}
_YEAR_KEYS = {"reporting year", "template year", "template", "year"}
_YEAR_FORM = re.compile(r"^\d{4}-\d{2}$")
# Where the template puts them: what a message names when a workbook has no such label at all.
TEMPLATE_AREA_CELLS = "G1 and H1"


def name_the_area(area_cell: str | None) -> str:
    """What to do when a workbook names no area: type it in the cell beside the 'MAPPA area' label found
    (wherever it is), or, with no label at all, add one as the template has it."""
    if area_cell:
        return f"type the area's name in {area_cell}, right of its 'MAPPA area' label, or give --area NAME"
    return (
        "add a 'MAPPA area' label with the area's name right of it (the template has them in "
        f"{TEMPLATE_AREA_CELLS}), or give --area NAME"
    )


@dataclass(frozen=True)
class KeyCell:
    """A labelled value ('MAPPA area' | 'Kent'): the value's cell, and its text (None when empty)."""

    sheet: Sheet
    row: int
    column: int
    value: str | None

    @property
    def ref(self) -> str:
        """The value's cell as 'Sheet'!H1, saying when its sheet is hidden."""
        hidden = " (on a hidden sheet)" if self.sheet.hidden else ""
        return sheet_ref(self.sheet.name, a1(self.row, self.column)) + hidden


def key_cells(book: Workbook, keys: set[str]) -> list[KeyCell]:
    """Every cell whose text is one of keys, on every sheet, with the first content right of it (or, when
    there is none, the empty cell right beside the label)."""
    out = []
    for sheet, r, c, text in book.text_cells():
        if text in keys:
            right = [(col, cell) for col, cell in book.row(sheet, r) if col > c and has_content(cell)]
            if right:
                out.append(KeyCell(sheet, r, right[0][0], str(right[0][1].value).strip()))
            else:
                out.append(KeyCell(sheet, r, c + 1, None))
    return out


def same_area(first: str, second: str) -> bool:
    """True when two names are the same MAPPA area ('Kent Police' and 'KENT')."""
    from mappa_stats.io.areas import area_key, find_area

    one, two = find_area(first), find_area(second)
    if one is not None and two is not None:
        return one.name == two.name
    return area_key(first) == area_key(second)


@dataclass(frozen=True)
class StatedArea:
    """The area a workbook's own cells name: its name (None when none does), the cell it is in (or the
    empty cell beside the first 'MAPPA area' label), and notes for the report."""

    name: str | None
    cell: str | None
    notes: tuple[str, ...] = ()


def stated_area(book: Workbook, given: str | None, override: bool) -> StatedArea:
    """The area the workbook names. Two cells naming different areas are refused naming both, unless
    --area-override (then --area's, or the first on a visible sheet, is used, and the others are said)."""
    cells = key_cells(book, AREA_KEYS)
    named = [k for k in cells if k.value]
    if not named:
        return StatedArea(None, cells[0].ref if cells else None)
    distinct: list[KeyCell] = []
    for k in named:
        if not any(same_area(k.value or "", d.value or "") for d in distinct):
            distinct.append(k)
    if len(distinct) == 1:
        only = distinct[0]
        if all(k.sheet.hidden for k in named):
            note = f"{book.path}: the MAPPA area {only.value} is read from {only.ref}; check it is this one's"
            return StatedArea(only.value, only.ref, (note,))
        return StatedArea(only.value, only.ref)
    if not override:
        one, two = distinct[0], distinct[1]
        raise InputError(
            f"{book.path}: two MAPPA area cells disagree: {one.ref} says {one.value!r} and {two.ref} says "
            f"{two.value!r}; correct the wrong one (or delete the sheet it is on), or give --area NAME "
            "--area-override"
        )
    matching = [k for k in distinct if given is not None and same_area(k.value or "", given)]
    chosen = (matching or [k for k in distinct if not k.sheet.hidden] or distinct)[0]
    others = "; ".join(f"{k.value!r} at {k.ref}" for k in distinct if k is not chosen)
    note = (
        f"{book.path}: the area is {chosen.value} ({chosen.ref}) by --area-override; the workbook also says "
    )
    note += others
    return StatedArea(chosen.value, chosen.ref, (note,))


def _year_text(text: str) -> str:
    return text.replace("/", "-").replace("–", "-")


def stated_years(book: Workbook) -> list[KeyCell]:
    """The 'Reporting year' cells that hold a year ('2024-25'), on every sheet (the first whatever)."""
    cells = [k for k in key_cells(book, _YEAR_KEYS) if k.value is not None]
    return [k for n, k in enumerate(cells) if n == 0 or _YEAR_FORM.match(_year_text(k.value or ""))]


def _year_conflict(book: Workbook, stated: list[KeyCell], wanted: str | None) -> str:
    """Two year cells that disagree: refused naming both, unless --year names one of them (then said)."""
    if wanted in {_year_text(k.value or "") for k in stated}:
        said = "; ".join(f"{k.value!r} at {k.ref}" for k in stated if _year_text(k.value or "") != wanted)
        return f"{book.path}: the year is {wanted}, given by --year; the workbook also says {said}"
    first = stated[0]
    other = next(k for k in stated if _year_text(k.value or "") != _year_text(first.value or ""))
    raise TemplateError(
        f"{book.path}: two 'Reporting year' cells disagree: {first.ref} says {first.value!r} and {other.ref} "
        f"says {other.value!r}; correct the wrong one (or delete the sheet it is on), or give --year"
    )


def detect_year(
    book: Workbook,
    years: Sequence[str],
    load: Callable[[str], Template],
    wanted: str | None,
    notes: list[str] | None = None,
) -> str:
    """Pick the template: --year, a 'Reporting year' cell, or the date in the table titles. Only the titles
    need every year's definition (`load`): the other two build none. Year cells that disagree are refused
    unless --year names one of them; `notes` gets what --year overrode, or that the year was read from a
    hidden sheet."""
    said = notes if notes is not None else []
    cells = stated_years(book)
    if len({_year_text(k.value or "") for k in cells}) > 1:
        said.append(_year_conflict(book, cells, wanted))
        return str(wanted)
    if wanted:
        own = _year_text(cells[0].value or "") if cells else ""
        if own in years and own != wanted:  # the workbook's own year against --year: a conflict, said
            raise TemplateError(
                f"{book.path}: --year {wanted}, but the workbook's 'Reporting year' cell {cells[0].ref} says "
                f"{own}; correct the cell, or give --year {own}"
            )
        return wanted
    if cells:
        year = _year_text(cells[0].value or "")
        if year not in years:
            raise TemplateError(
                f"{book.path}: the 'Reporting year' cell says {cells[0].value!r}, which has no template; "
                f"templates available: {', '.join(years)} (or give --year)"
            )
        if cells[0].sheet.hidden:
            said.append(
                f"{book.path}: the year {year} is read from {cells[0].ref}; check it is this workbook's"
            )
        return year
    return _year_from_titles(book, years, load)


def _year_from_titles(book: Workbook, years: Sequence[str], load: Callable[[str], Template]) -> str:
    """The year whose period end the table titles name ('… on 31 March 2015'); the latest when none does."""
    templates = {y: load(y) for y in years}
    prefixes = {normalize(m) for t in templates.values() for table in t.tables for m in table.match}
    ends = {normalize(t.period_end): y for y, t in templates.items()}
    seen: list[str] = []
    for _sheet, _r, _c, text in book.text_cells():
        if any(text.startswith(p) for p in prefixes):
            date = title_date(text)
            if date:
                if date in ends:
                    return ends[date]
                seen.append(date.title())
    if seen:
        known = ", ".join(f"{y} (to {t.period_end})" for y, t in templates.items())
        raise TemplateError(
            f"{book.path}: the titles say {seen[0]}, but there is no template for that year; "
            f"templates available: {known}"
        )
    return sorted(templates)[-1]


def hidden_figures(book: Workbook, read_from: set[str]) -> list[str]:
    """A note for each hidden sheet that holds numbers: whether its tables were read or left aside."""
    notes = []
    for sheet in book.sheets:
        numbers = sum(
            1
            for cell in sheet.cells.values()
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
        )
        if sheet.hidden and numbers:
            what = (
                "its tables are read" if sheet.name in read_from else "no table of the year is read from it"
            )
            notes.append(
                f"{book.path}: the hidden sheet {sheet.name!r} holds {numbers} figure{'s' * (numbers != 1)}; "
                f"{what}: check it is meant to be there"
            )
    return notes
