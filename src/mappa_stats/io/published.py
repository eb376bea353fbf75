"""Read an area's report as published (its PDF, or the text a PDF gives) into the tidy model.

The statistics page is found among pages of prose by the tables' titles. In a PDF each number is
placed under its column by its x position, so a blank cell stays blank. In text, spacing cannot be
trusted (`Level 3 1      2   0 3`): the numbers of a row are placed by the year's definition, its
not-applicable cells and its totals, keeping the one placement that makes the totals hold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mappa_stats.definitions.load import available_years, load_template
from mappa_stats.definitions.templates import Template
from mappa_stats.errors import InputError, TableNotFoundError
from mappa_stats.io.layout import RawCell, Sheet, Workbook
from mappa_stats.io.report_lines import (
    PDF,
    Line,
    Report,
    make_line,
    report_from_pages,
    report_from_text,
    title_prefixes,
)
from mappa_stats.io.report_tables import Block, as_read, table_records, title_lines
from mappa_stats.io.stated import detect_year
from mappa_stats.model import AreaTables, Metadata, record


@dataclass(frozen=True)
class ReadReport:
    """What the report gave: tidy records, the template year, the area and the stated population."""

    records: list[dict[str, Any]]
    year: str
    area: str | None
    stated_population: str | None


# --- the commentary's claims ---------------------------------------------------------------------------

_MAJORITY = re.compile(
    r"majority\s*\(\s*([^()]{1,24}?)\s*(?:of\s+them\s+)?this\s+year\s*\)(.{0,200})", re.IGNORECASE | re.DOTALL
)
_LEVEL_1 = re.compile(r"level\s*1\b|level\s+one\b", re.IGNORECASE)
_PER_CENT = re.compile(r"\s*per\s*cent\b", re.IGNORECASE)
_MID_YEAR = re.compile(r"\bmid[-\s\u2010-\u2014]?(\d{4})\b", re.IGNORECASE)


def _stream(lines: Sequence[Line]) -> tuple[str, list[int]]:
    """The lines joined by spaces, and where each line starts in that text."""
    starts, parts, at = [], [], 0
    for line in lines:
        starts.append(at)
        parts.append(line.text)
        at += len(line.text) + 1
    return " ".join(parts), starts


def _line_at(lines: Sequence[Line], starts: list[int], offset: int) -> Line:
    index = max(0, next((i for i, s in enumerate(starts) if s > offset), len(starts)) - 1)
    return lines[index]


def _level1_share(report: Report, template: Template) -> list[dict[str, Any]]:
    """The commentary's 'the majority (99% this year) … (Level 1)' as the stated Level 1 share."""
    claim = next((c for c in template.claims if c.rule == "claims.level1_share"), None)
    if claim is None:
        return []
    table_id, row_id, column_id = claim.stated
    table = template.table(table_id)
    for lines in (report.lines, report.columns):
        text, starts = _stream(lines)
        for match in _MAJORITY.finditer(text):
            if not _LEVEL_1.search(match.group(2)):
                continue
            stated = _PER_CENT.sub("%", match.group(1)).strip()
            line = _line_at(lines, starts, match.start(1))
            label = table.row(row_id).label
            sheet = line.place
            said = f"commentary: 'the majority ({stated} this year)'"
            source = f"{report.display} {line.place}, {said}, {label}"
            return [record(table_id, row_id, column_id, as_read(stated), sheet, label, source)]
    return []


def _stated_population(report: Report, template: Template) -> str | None:
    """The mid-year estimate the rate's footnote names ('the mid-2014 estimated resident population')."""
    rates = [t for t in template.tables if t.value_type == "rate"]
    after = min((i for t in rates for i in title_lines(report, t)), default=0)
    # The footnote follows the rate; prose elsewhere may mention other estimates.
    for lines in (report.lines[after:], report.lines, report.columns):
        text, _starts = _stream(lines)
        for match in _MID_YEAR.finditer(text):
            around = text[max(0, match.start() - 120) : match.end() + 120].casefold()
            if "population" in around:
                return f"mid-{match.group(1)}"
    return None


_POLICE = re.compile(r"((?:(?:[A-Z][\w'&-]*|and|&|of)\s+){1,5})(?:Police|Constabulary)\b")


def _area(report: Report) -> str | None:
    """The MAPPA area the report names most often as '<force> Police' or '<force> Constabulary'."""
    from mappa_stats.io.areas import find_area

    text, _starts = _stream(report.lines)
    seen: Counter[str] = Counter()
    first: dict[str, int] = {}
    for match in _POLICE.finditer(text):
        words = match.group(1).split()
        for size in range(len(words), 0, -1):
            area = find_area(" ".join(words[-size:]))
            if area is not None:
                seen[area.name] += 1
                first.setdefault(area.name, match.start())
                break
    if not seen:
        return None
    return max(seen, key=lambda name: (seen[name], -first[name]))


# --- the whole report -----------------------------------------------------------------------------------


def _join_wrapped_titles(report: Report, prefixes: tuple[str, ...]) -> Report:
    """A title broken over two lines ('… Offenders per' / '100,000 population 100') read as one line."""
    lines = list(report.lines)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            i + 1 < len(lines)
            and len(line.folded.split()) >= 3
            and not line.folded.startswith(prefixes)
            and any(p.startswith(line.folded + " ") for p in prefixes)
        ):
            joined = make_line([*line.tokens, *lines[i + 1].tokens], line.place)
            if joined.folded.startswith(prefixes):
                out.append(joined)
                i += 2
                continue
        out.append(line)
        i += 1
    return replace(report, lines=tuple(out))


def _workbook(report: Report) -> Workbook:
    """The lines as one sheet of one column, so layout's year detection reads the titles."""
    sheet = Sheet(name="report")
    for i, line in enumerate(report.lines, start=1):
        sheet.cells[(i, 1)] = RawCell(line.text)
    return Workbook(report.display, [sheet])


def read_published(report: Report, year: str | None) -> ReadReport:
    """Every table of the year's definition from a published report, its claims and its area."""
    prefixes = title_prefixes()
    report = _join_wrapped_titles(report, prefixes)
    if not any(line.folded.startswith(prefixes) for line in report.lines):
        what = "pages" if report.kind == PDF else "lines"
        count = len({line.place for line in report.lines}) if report.kind == PDF else len(report.lines)
        what = what[:-1] if count == 1 else what
        raise TableNotFoundError(
            f"{report.display}: no statistics page: none of its {count} {what} of text starts with a "
            "table title such as 'MAPPA-eligible offenders on 31 March …'; is this a MAPPA annual report?"
        )
    chosen = detect_year(_workbook(report), available_years(), load_template, year)
    template = load_template(chosen)
    anchors = {t.id: title_lines(report, t) for t in template.tables}
    every = sorted({i for hits in anchors.values() for i in hits})
    records: list[dict[str, Any]] = []
    for table in template.tables:
        hits = anchors[table.id]
        if not hits:
            if not table.required or table.id in {c.stated[0] for c in template.claims}:
                continue
            looked = " or ".join(repr(m) for m in table.match)
            raise TableNotFoundError(
                f"{report.display}: table {table.display_title!r} not found; looked for a line starting "
                f"{looked} (template {template.year})"
            )
        problem: InputError | None = None
        for title in hits:
            end = next((i for i in every if i > title), len(report.lines))
            if table.section is not None:
                # Both returned-to-custody grids sit under one title: the block runs to the next other title.
                end = next((i for i in every if i > title and i not in hits), len(report.lines))
            found = Block(title, end)
            try:
                records.extend(table_records(report, table, found))
            except InputError as exc:
                problem = problem or exc
                continue
            problem = None
            break
        if problem is not None:
            raise problem
    records.extend(_level1_share(report, template))
    order = {t: i for i, t in enumerate(template.table_ids())}
    records.sort(key=lambda rec: order[rec["table"]])
    return ReadReport(records, template.year, _area(report), _stated_population(report, template))


def read_report(
    display: str, data: bytes, kind: str, year: str | None, sha256: str, file_area: str | None = None
) -> AreaTables:
    """An area's tables from its published report: a PDF ('pdf') or the text a PDF gives ('report-text')."""
    notes: tuple[str, ...] = ()
    if kind == PDF:
        from mappa_stats.io.pdf import invisible_text, read_pages

        pages = read_pages(display, data)
        report = report_from_pages(display, pages)
        notes = tuple(note for note in [invisible_text(display, pages)] if note)
    else:
        report = report_from_text(display, data)
    read = read_published(report, year)
    template = load_template(read.year)
    meta = Metadata(
        path=display,
        sha256=sha256,
        template=template.year,
        area=read.area or file_area,
        source_format=kind,
        stated_population=read.stated_population,
        notes=notes,
    )
    return AreaTables.from_records(read.records, meta=meta, template=template)
