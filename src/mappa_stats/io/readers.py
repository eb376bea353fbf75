"""Read an area's tables from any input (workbook, return, tidy CSV, report) into the tidy model, and choose
its area from the file's own cell, its name and --area."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from mappa_stats.definitions.load import available_years, load_template
from mappa_stats.definitions.templates import Template
from mappa_stats.errors import InputError
from mappa_stats.io import guard
from mappa_stats.io import ret as returns
from mappa_stats.io.areas import check_area_option
from mappa_stats.io.layout import Sheet, Workbook, extract
from mappa_stats.io.sheets import explain_blanks, ods_sheets, only_sheet, xlsx_sheets
from mappa_stats.io.sniff import LOCK_FILE, is_lock_file, sniff
from mappa_stats.io.stated import StatedArea, detect_year, hidden_figures, same_area, stated_area
from mappa_stats.io.tidy_csv import read_tidy_csv
from mappa_stats.model import AreaTables, Metadata


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the input's bytes, recorded so a report can be tied to its file."""
    return hashlib.sha256(data).hexdigest()


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


def choose_area(
    display: str,
    own: str | None,
    from_name: str | None,
    given: str | None,
    override: bool,
    own_at: str | None = None,
) -> tuple[str | None, str | None]:
    """The area to report, and a note when it came only from the file name or --area-override set a
    disagreement aside.

    The workbook's own 'MAPPA area' cell (at `own_at`), the file name and --area must agree: a copy of
    Kent's return saved as sussex_2015.xlsx, or --area Sussex over a workbook that says Kent, is refused
    unless --area-override says which to use (--area when given, else the workbook's cell); the report then
    says what was set aside.
    """
    where = f" at {own_at}" if own_at else ""
    if given is not None:
        name = check_area_option(given)
        if own and not same_area(own, name):
            if not override:
                raise InputError(
                    f"{display}: the workbook's own MAPPA area cell{where} says {own!r} but --area says "
                    f"{given!r}; correct the cell, drop --area, or add --area-override to report it as {name}"
                )
            return (
                name,
                f"{display}: area given as {name} by --area-override; the workbook says {own!r}{where}",
            )
        return name, None
    if own:
        if from_name and not same_area(own, from_name):
            if not override:
                raise InputError(
                    f"{display}: the workbook's MAPPA area cell{where} says {own!r} but its file name says "
                    f"{from_name!r}; correct whichever is wrong, or add --area-override to use the cell"
                )
            return own, f"{display}: area {own}{where} by --area-override; the file name says {from_name!r}"
        return own, None
    if from_name:
        return from_name, (
            f"{display}: the workbook names no MAPPA area; {from_name} is taken from the file name "
            "(add a 'MAPPA area' cell, or give --area, to say so)"
        )
    return None, None


def read_area_noting(
    path: Path,
    year: str | None = None,
    area: str | None = None,
    override: bool = False,
    sheet: str | None = None,
) -> tuple[AreaTables, str | None]:
    """Read one area's tables, and a note to show when the area came only from the file name."""
    if is_lock_file(path):
        raise InputError(f"{guard.display_name(path)}: {LOCK_FILE}, not a workbook; give the workbook itself")
    data = guard.read_input(path, "area")
    kind = sniff(path, data)
    digest = sha256_of(data)
    if sheet is not None and kind not in ("xlsx", "ods"):
        raise InputError(
            f"{guard.display_name(path)}: --sheet chooses a sheet of a workbook, and this file is not one"
        )
    if kind in ("pdf", "report-text"):  # the published report (mappa_stats.io.published)
        return _read_report(path, data, kind, year, digest, area, override)
    if kind in ("xlsx", "ods") and sheet is None and str(path) != "-":
        # A publication workbook mappa-stats wrote (`tables -f xlsx`) reads back to the tables it came from.
        published = _read_publication(path, area, override)
        if published is not None:
            return published
    records, chosen, own, template, row_labels = _read_records(
        path, data, kind, year, sheet, (area, override)
    )
    display = guard.display_name(path)
    chosen_area, note = choose_area(display, own.name, area_from_file_name(path), area, override, own.cell)
    template = template or load_template(chosen)
    meta = Metadata(
        path=display,
        sha256=digest,
        template=template.year,
        area=chosen_area,
        source_format=kind,
        row_labels=row_labels,
        area_cell=own.cell,
        notes=(*own.notes, *([note] if note else [])),
    )
    return AreaTables.from_records(records, meta=meta, template=template), note


def _read_report(
    path: Path, data: bytes, kind: str, year: str | None, digest: str, area: str | None, override: bool
) -> tuple[AreaTables, str | None]:
    """The tables of a published report (a PDF or its text), its area chosen as a workbook's is."""
    from mappa_stats.io.published import read_report  # only when a report is read

    report = read_report(guard.display_name(path), data, kind, year, digest, None)
    chosen_area, note = choose_area(
        guard.display_name(path), report.meta.area, area_from_file_name(path), area, override
    )
    notes = (*report.meta.notes, *([note] if note else []))
    return replace(report, meta=replace(report.meta, area=chosen_area, notes=notes)), note


def _read_publication(path: Path, area: str | None, override: bool) -> tuple[AreaTables, str | None] | None:
    """The tables of a publication workbook mappa-stats wrote, or None when the workbook is not one."""
    from mappa_stats.io.publication import publication_properties, read_publication  # only for a workbook

    properties = publication_properties(path)
    if properties is None:
        return None
    published = read_publication(path, properties)
    chosen_area, note = choose_area(
        guard.display_name(path), published.meta.area, area_from_file_name(path), area, override
    )
    return published.with_area(chosen_area) if chosen_area else published, note


# What a file's reading gives: records, year, the area the file names (where, and notes on how it was
# read), the definition (when the reading chose it) and the row labels of a return's form.
_Read = tuple[list[dict[str, Any]], str, StatedArea, Template | None, tuple[tuple[str, str, str], ...]]


def _read_records(
    path: Path, data: bytes, kind: str, year: str | None, sheet: str | None, area: tuple[str | None, bool]
) -> _Read:
    """The records of a tidy CSV, a return or an area's workbook, with the year chosen, the area the file
    names, the definition when the reading chose it, and the row labels a return's form gives."""
    try:
        if kind == "csv":
            records, chosen, own, template = read_tidy_csv(path, data, year)
            return records, chosen, StatedArea(own, None), template, ()
        sheets = xlsx_sheets(path, data) if kind == "xlsx" else ods_sheets(path, data)
        if sheet is not None:
            sheets = only_sheet(guard.display_name(path), sheets, sheet)
        if returns.data_sheet(sheets) is not None:
            # The Ministry's area return: a sheet of field codes, not the report's tables.
            notes: list[str] = []
            given = area[0] if area[1] else None
            records, chosen, own, template, labels = returns.read_return(
                guard.display_name(path), sheets, year, given, notes
            )
            return records, chosen, StatedArea(own, None, tuple(notes)), template, labels
        records, chosen, stated = _read_workbook(guard.display_name(path), sheets, kind, year, area)
        return records, chosen, stated, None, ()
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # The guard reads every part first, so this is a last defence for a fault it could not see.
        raise InputError(
            f"{guard.display_name(path)}: the file is damaged ({type(exc).__name__}); save it again"
        ) from exc


def _read_workbook(
    display: str, sheets: list[Sheet], kind: str, year: str | None, area: tuple[str | None, bool]
) -> tuple[list[dict[str, Any]], str, StatedArea]:
    """An area's workbook: its year, the area its own cells name (every sheet's, hidden too), and the tables
    found wherever they are; notes on what a hidden sheet held and what an override set aside."""
    book = Workbook(display, sheets)
    notes: list[str] = []
    chosen = detect_year(book, available_years(), load_template, year, notes)
    own = stated_area(book, *area)
    records = extract(book, load_template(chosen))
    if kind == "xlsx":
        single = frozenset(t.id for t in load_template(chosen).tables if t.kind != "grid")
        explain_blanks(records, sheets, load_template(chosen), single)
    notes += hidden_figures(book, {str(r.get("sheet")) for r in records})
    return records, chosen, replace(own, notes=(*notes, *own.notes))


def read_area(
    path: Path,
    year: str | None = None,
    area: str | None = None,
    override: bool = False,
    sheet: str | None = None,
) -> AreaTables:
    """Read one area's tables from a workbook or tidy CSV. The file is only ever opened for reading."""
    return read_area_noting(path, year, area, override, sheet)[0]
