"""Read an area's report as published (its PDF, or the text a PDF gives) into the tidy model.

The statistics page is found among pages of prose by the tables' titles. In a PDF each number is
placed under its column by its x position, so a blank cell stays blank. In text, spacing cannot be
trusted (`Level 3 1      2   0 3`): the numbers of a row are placed by the year's definition, its
not-applicable cells and its totals, keeping the one placement that makes the totals hold.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mappa_stats.definitions.templates import (
    Label,
    TableDef,
    Template,
    available_years,
    load_template,
    normalize,
)
from mappa_stats.errors import InputError, LabelError, TableNotFoundError
from mappa_stats.io.layout import RawCell, Sheet, Workbook, detect_year
from mappa_stats.io.pdf import Page
from mappa_stats.model import (
    BLANK,
    TEXT,
    TEXT_NUMBER,
    THOUSANDS,
    AreaTables,
    Metadata,
    Parsed,
    parse_cell,
    record,
)

# A report's text is a few hundred KB; far more is not a report (and would cost time to search).
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_LINES = 100_000
# Placements tried for one grid before giving up and reporting the rows as they stand.
MAX_PLACEMENTS = 50_000

PDF, TEXT_REPORT = "pdf", "report-text"


@dataclass(frozen=True)
class Token:
    """One word of a line, with its x extent on the page (None in plain text)."""

    text: str
    x0: float | None = None
    x1: float | None = None

    @property
    def centre(self) -> float | None:
        """Middle of the word across the page."""
        return None if self.x0 is None or self.x1 is None else (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Line:
    """One line of the report: its words, where it is ('p.4' or 'line 87') and its folded text."""

    tokens: tuple[Token, ...]
    place: str
    folded: str

    @property
    def text(self) -> str:
        """The line's words joined by single spaces."""
        return " ".join(token.text for token in self.tokens)


@dataclass(frozen=True)
class Report:
    """A published report as lines, with the reading order of half pages for two-column prose."""

    display: str
    kind: str
    lines: tuple[Line, ...]
    columns: tuple[Line, ...] = ()


@dataclass(frozen=True)
class ReadReport:
    """What the report gave: tidy records, the template year, the area and the stated population."""

    records: list[dict[str, Any]]
    year: str
    area: str | None
    stated_population: str | None


# Control characters, and the invisible ones that reorder text, never reach a message or a cell: a
# report's text must not be able to move a terminal's cursor or disguise a figure.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _line(tokens: Sequence[Token], place: str) -> Line:
    clean = tuple(Token(_CONTROL.sub("", t.text), t.x0, t.x1) for t in tokens)
    kept = tuple(t for t in clean if t.text)
    return Line(kept, place, normalize(" ".join(t.text for t in kept)))


def decode_text(display: str, data: bytes) -> str:
    """A report's text as UTF-8 or Windows-1252 (what pdftotext and copy-paste give)."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            f"{display}: {len(data):,} bytes of text is far more than a report (limit {MAX_TEXT_BYTES:,}); "
            "check this is the right file"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{display}: the text is not UTF-8 or Windows-1252; save it again as UTF-8 text")


def report_from_text(display: str, data: bytes) -> Report:
    """Lines of a report's text, each placed by its line number in the file."""
    text = decode_text(display, data)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(raw_lines) > MAX_LINES:
        raise InputError(
            f"{display}: {len(raw_lines):,} lines is far more than a report (limit {MAX_LINES:,}); "
            "check this is the right file"
        )
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        line = _line([Token(w) for w in raw.replace("\f", " ").split()], f"line {number}")
        if line.tokens:
            lines.append(line)
    return Report(display, TEXT_REPORT, tuple(lines))


def report_from_pages(display: str, pages: Sequence[Page]) -> Report:
    """Lines of a PDF's pages, each placed by its page; also each page's halves read in turn."""
    lines: list[Line] = []
    halves: list[Line] = []
    for page in pages:
        place = f"p.{page.number}"
        middle = page.width / 2
        left: list[Line] = []
        right: list[Line] = []
        for page_line in page.lines:
            tokens = [Token(w.text, w.x0, w.x1) for w in page_line.words]
            lines.append(_line(tokens, place))
            if middle:
                on_left = [t for t in tokens if t.x1 is not None and t.x1 <= middle]
                on_right = [t for t in tokens if t.x0 is not None and t.x0 >= middle]
                if on_left:
                    left.append(_line(on_left, place))
                if on_right:
                    right.append(_line(on_right, place))
        halves.extend(left + right)
    return Report(display, PDF, tuple(lines), tuple(halves))


def looks_like_report(data: bytes, name: str = "") -> bool:
    """True for report text: named .txt, or holding a line that starts with a table title (not a tidy CSV)."""
    text = data[:MAX_TEXT_BYTES].decode("utf-8", errors="replace")
    first = normalize(text.split("\n", 1)[0])
    if "table" in first and "value" in first:
        return False  # a tidy CSV's header, whatever the file is called
    if name.casefold().endswith((".txt", ".text")):
        return True
    prefixes = _title_prefixes()
    return any(normalize(line).startswith(prefixes) for line in text.splitlines()[:MAX_LINES])


def _title_prefixes() -> tuple[str, ...]:
    return tuple(
        sorted(
            {normalize(m) for y in available_years() for t in load_template(y).tables for m in t.match},
            key=len,
            reverse=True,
        )
    )


# --- tokens and rows ------------------------------------------------------------------------------------


def _as_read(token: str | None) -> Parsed:
    """A printed cell: a number typed in print is a number, not 'a number stored as text'."""
    parsed = parse_cell(token)
    if parsed.issue in (TEXT_NUMBER, THOUSANDS):
        parsed = replace(parsed, issue="")
    return parsed


def _is_value(text: str) -> bool:
    """A token that can fill a cell: a number, a marker ('-', '[x]'), a percentage, a decimal."""
    parsed = parse_cell(text)
    return parsed.marker != BLANK and parsed.issue != TEXT


def _merge_markers(tokens: Sequence[Token]) -> list[Token]:
    """'Not collected' printed as two words is one cell."""
    out: list[Token] = []
    for token in tokens:
        if out and out[-1].text.casefold() == "not" and token.text.casefold() == "collected":
            out[-1] = Token(f"{out[-1].text} {token.text}", out[-1].x0, token.x1)
        else:
            out.append(token)
    return out


def _row_match(
    lines: Sequence[Line], at: int, labels: tuple[Label, ...], end: int, most: int
) -> tuple[Label, list[Token]] | None:
    """The row label line `at` starts with and the figures after it (every one a value).

    pdftotext gives a table set cell by cell as one cell a line: a label alone on its line takes
    the lines of lone figures below it (at most `most`).
    """
    line = lines[at]
    for label in labels:
        for name in sorted(label.names(), key=len, reverse=True):
            if line.folded != name and not line.folded.startswith(name + " "):
                continue
            rest = _merge_markers(line.tokens[len(name.split()) :])
            if not rest:
                below = at + 1
                while below < min(end, at + 1 + most) and all(_is_value(t.text) for t in lines[below].tokens):
                    rest.extend(_merge_markers(lines[below].tokens))
                    below += 1
            if rest and all(_is_value(t.text) for t in rest):
                return label, rest
    return None


def _strip_title(line: Line, table: TableDef) -> list[Token] | None:
    """The tokens after the table's title on its line, or None when the line does not start with it."""
    names = sorted({normalize(n) for n in (table.title, *table.match)}, key=len, reverse=True)
    for name in names:
        if line.folded.startswith(name):
            return list(line.tokens[len(name.split()) :])
    return None


# --- finding the tables -----------------------------------------------------------------------------------


def _anchors(report: Report, table: TableDef) -> list[int]:
    prefixes = tuple(normalize(m) for m in table.match)
    return [i for i, line in enumerate(report.lines) if line.folded.startswith(prefixes)]


@dataclass(frozen=True)
class _Found:
    """A table's title line and the lines of its block (up to the next title)."""

    title: int
    end: int


def _cell_place(report: Report, line: Line, table: TableDef, cell: str) -> tuple[str, str, str]:
    """(sheet, cell, source) of one cell: 'p.4', 'Level 1 / Category 2', and the whole location."""
    return line.place, cell, f"{report.display} {line.place}, {table.display_title!r}, {cell}"


def _grid_cell_name(table: TableDef, row: Label, column: Label) -> str:
    return f"{row.label} / {column.short}"


def _header_columns(report: Report, table: TableDef, start: int, end: int) -> dict[str, tuple[float, float]]:
    """Each column's x extent from its label in the header lines (PDF only; empty when not all found)."""
    found: dict[str, tuple[float, float]] = {}
    for line in report.lines[start:end]:
        tokens = line.tokens
        i = 0
        while i < len(tokens):
            hit = None
            for width in range(min(6, len(tokens) - i), 0, -1):
                words = tokens[i : i + width]
                text = " ".join(t.text for t in words)
                label = next((c for c in table.columns if normalize(text) in c.names()), None)
                if label is not None and words[0].x0 is not None and words[-1].x1 is not None:
                    hit = (label, width, (float(words[0].x0), float(words[-1].x1)))
                    break
            if hit is None:
                i += 1
                continue
            label, width, extent = hit
            found.setdefault(label.id, extent)
            i += width
    return found if len(found) == len(table.columns) else {}


def _by_position(
    table: TableDef, tokens: list[Token], extents: dict[str, tuple[float, float]]
) -> list[str | None] | None:
    """Place a row's values under the columns their x positions fall in; None when that is not clear."""
    if not extents or any(t.centre is None for t in tokens):
        return None
    placed: dict[str, str] = {}
    for token in tokens:
        centre = token.centre
        assert centre is not None

        def distance(column: Label, at: float = centre) -> float:
            x0, x1 = extents[column.id]
            return 0.0 if x0 <= at <= x1 else min(abs(at - x0), abs(at - x1))

        column = min(table.columns, key=distance)
        if column.id in placed:
            return None  # two numbers under one label: the header does not tell
        placed[column.id] = token.text
    return [placed.get(c.id) for c in table.columns]


def _printed_blank(table: TableDef, row_id: str, column_id: str) -> bool:
    return table.not_applicable.get((row_id, column_id), None) == ""


def _default(table: TableDef, row_id: str, texts: list[str]) -> list[str | None]:
    """A row as it stands: blank where the template prints a blank, otherwise left to right."""
    n = len(table.columns)
    if len(texts) == n:
        return list(texts)
    open_columns = [c for c in table.columns if not _printed_blank(table, row_id, c.id)]
    if len(texts) == len(open_columns):
        values = iter(texts)
        return [None if _printed_blank(table, row_id, c.id) else next(values) for c in table.columns]
    return list(texts) + [None] * (n - len(texts))


def _amount(text: str | None) -> float | None:
    """A cell's amount for a total: blank and not-applicable markers count 0; text cannot be added."""
    if text is None:
        return 0.0
    parsed = _as_read(text)
    if parsed.marker:
        return 0.0
    if parsed.issue:
        return None
    return parsed.value


def _fits(table: TableDef, grid: dict[tuple[str, str], str | None]) -> bool:
    for _rule, total, parts in table.balance_equations():
        if total not in grid or any(p not in grid for p in parts):
            continue
        amounts = [_amount(grid[total]), *(_amount(grid[p]) for p in parts)]
        if any(a is None for a in amounts):
            continue
        head, *rest = (a or 0.0 for a in amounts)
        if abs(head - sum(rest)) > 1e-9:
            return False
    return True


def _departures(table: TableDef, grid: dict[tuple[str, str], str | None]) -> int:
    """Blanks where the template prints a number, and numbers where it prints a blank."""
    return sum(1 for (r, c), text in grid.items() if (text is None) != _printed_blank(table, r, c))


def _placements(n: int, texts: list[str]) -> list[list[str | None]]:
    out = []
    for chosen in itertools.combinations(range(n), len(texts)):
        row: list[str | None] = [None] * n
        for index, text in zip(chosen, texts, strict=True):
            row[index] = text
        out.append(row)
    return out


def _describe_placement(table: TableDef, row: list[str | None]) -> str:
    """'a blank Category 3' (or 'a blank Category 2 and Total'): how one placement reads."""
    blanks = [c.short for c, t in zip(table.columns, row, strict=True) if t is None]
    return "a blank " + " and ".join(blanks) if blanks else "no blank"


def _place_grid(
    report: Report, table: TableDef, rows: dict[str, tuple[Line, list[Token]]], extents: dict[str, Any]
) -> dict[str, list[str | None]]:
    """Each row's cells, left to right: by x position in a PDF, by the template and totals in text."""
    n = len(table.columns)
    options: dict[str, list[list[str | None]]] = {}
    for row_id, (line, tokens) in rows.items():
        texts = [t.text for t in tokens]
        if len(texts) > n:
            raise LabelError(
                f"{report.display} {line.place}: row {line.text!r} of {table.display_title!r} has "
                f"{len(texts)} figures but the table has {n} columns; correct the row"
            )
        by_x = _by_position(table, tokens, extents)
        options[row_id] = [by_x] if by_x is not None else _placements(n, texts)
    ids = list(rows)
    total = 1
    for row_id in ids:
        total *= len(options[row_id])
    if total == 1:
        return {row_id: options[row_id][0] for row_id in ids}
    fitting: list[tuple[int, tuple[list[str | None], ...]]] = []
    if total <= MAX_PLACEMENTS:
        for combo in itertools.product(*(options[r] for r in ids)):
            grid = {
                (row_id, column.id): combo[i][j]
                for i, row_id in enumerate(ids)
                for j, column in enumerate(table.columns)
            }
            if _fits(table, grid):
                fitting.append((_departures(table, grid), combo))
    if not fitting:
        # None fits: the rows as they stand, so the checks and the locator name the wrong number.
        return {row_id: _default(table, row_id, [t.text for t in rows[row_id][1]]) for row_id in ids}
    best = min(score for score, _combo in fitting)
    chosen = [combo for score, combo in fitting if score == best]
    if len(chosen) > 1:
        for i, row_id in enumerate(ids):
            variants = {tuple(combo[i]) for combo in chosen}
            if len(variants) > 1:
                line = rows[row_id][0]
                named = " or ".join(_describe_placement(table, list(v)) for v in sorted(variants, key=str))
                named = f"with {named}"
                raise LabelError(
                    f"{report.display} {line.place}: row {line.text!r} of {table.display_title!r} is "
                    f"ambiguous: its figures fit the totals {named}; check the PDF and type the figures into "
                    "the template (mappa-stats template -o area.xlsx)"
                )
    return {row_id: chosen[0][i] for i, row_id in enumerate(ids)}


def _grid(report: Report, table: TableDef, found: _Found) -> list[dict[str, Any]]:
    where = f"{report.display}: table {table.display_title!r} (title at {report.lines[found.title].place})"
    start = found.title + 1
    if table.section is not None:
        names = table.section_names()
        title_line = report.lines[found.title]
        if not any(name in title_line.folded for name in names):
            at = next((i for i in range(start, found.end) if report.lines[i].folded.startswith(names)), None)
            if at is None:
                raise TableNotFoundError(f"{where}: no {table.section!r} line below the title")
            start = at + 1
    rows: dict[str, tuple[Line, list[Token]]] = {}
    first_row = None
    for i in range(start, found.end):
        match = _row_match(report.lines, i, table.rows, found.end, len(table.columns))
        if match is None:
            continue
        label, tokens = match
        if label.id in rows:
            if len(rows) == len(table.rows):
                break
            continue
        first_row = i if first_row is None else first_row
        rows[label.id] = (report.lines[i], tokens)
        if len(rows) == len(table.rows):
            break
    absent = [label for label in table.rows if label.id not in rows]
    if absent:
        expected = ", ".join(repr(label.label) for label in table.rows)
        raise LabelError(
            f"{where}: row {absent[0].label!r} not found below the title; expected rows {expected}"
        )
    extents: dict[str, tuple[float, float]] = {}
    if report.kind == PDF and first_row is not None:
        extents = _header_columns(report, table, found.title + 1, first_row)
    placed = _place_grid(report, table, rows, extents)
    records = []
    for row in table.rows:
        line = rows[row.id][0]
        for column, text in zip(table.columns, placed[row.id], strict=True):
            sheet, cell, source = _cell_place(report, line, table, _grid_cell_name(table, row, column))
            records.append(record(table.id, row.id, column.id, _as_read(text), sheet, cell, source))
    return records


def _value(report: Report, table: TableDef, found: _Found) -> list[dict[str, Any]]:
    title = report.lines[found.title]
    rest = _strip_title(title, table) or []
    line, token = title, (rest[-1].text if rest and _is_value(rest[-1].text) else None)
    if token is None:
        for i in range(found.title + 1, min(found.end, found.title + 5)):
            candidate = report.lines[i]
            if len(candidate.tokens) == 1 and _is_value(candidate.tokens[0].text):
                line, token = candidate, candidate.tokens[0].text
                break
    if token is None:
        raise LabelError(
            f"{report.display} {title.place}: no figure after the title {table.display_title!r}; "
            "the figure should follow the title on its line or the next"
        )
    label = table.columns[0].label
    sheet, cell, source = _cell_place(report, line, table, label)
    return [record(table.id, table.rows[0].id, table.columns[0].id, _as_read(token), sheet, cell, source)]


def _list(report: Report, table: TableDef, found: _Found) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for i in range(found.title + 1, found.end):
        line = report.lines[i]
        match = _row_match(report.lines, i, table.rows, found.end, 1)
        if match is None or match[0].id in rows:
            continue
        label, tokens = match
        text = " ".join(t.text for t in tokens)  # more than one figure is reported as it stands
        sheet, cell, source = _cell_place(report, line, table, label.label)
        rows[label.id] = record(table.id, label.id, table.columns[0].id, _as_read(text), sheet, cell, source)
        if len(rows) == len(table.rows):
            break
    absent = [label for label in table.rows if label.id not in rows]
    if absent:
        place = report.lines[found.title].place
        raise LabelError(
            f"{report.display}: table {table.display_title!r} (title at {place}): row "
            f"{absent[0].label!r} not found below the title"
        )
    return [rows[label.id] for label in table.rows]


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
            return [record(table_id, row_id, column_id, _as_read(stated), sheet, label, source)]
    return []


def _stated_population(report: Report, template: Template) -> str | None:
    """The mid-year estimate the rate's footnote names ('the mid-2014 estimated resident population')."""
    rates = [t for t in template.tables if t.value_type == "rate"]
    after = min((i for t in rates for i in _anchors(report, t)), default=0)
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
            joined = _line([*line.tokens, *lines[i + 1].tokens], line.place)
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
    prefixes = _title_prefixes()
    report = _join_wrapped_titles(report, prefixes)
    if not any(line.folded.startswith(prefixes) for line in report.lines):
        what = "pages" if report.kind == PDF else "lines"
        count = len({line.place for line in report.lines}) if report.kind == PDF else len(report.lines)
        what = what[:-1] if count == 1 else what
        raise TableNotFoundError(
            f"{report.display}: no statistics page: none of its {count} {what} of text starts with a "
            "table title such as 'MAPPA-eligible offenders on 31 March …'; is this a MAPPA annual report?"
        )
    templates = {y: load_template(y) for y in available_years()}
    chosen = detect_year(_workbook(report), templates, year)
    template = load_template(chosen)
    anchors = {t.id: _anchors(report, t) for t in template.tables}
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
            found = _Found(title, end)
            try:
                if table.kind == "grid":
                    records.extend(_grid(report, table, found))
                elif table.kind == "value":
                    records.extend(_value(report, table, found))
                else:
                    records.extend(_list(report, table, found))
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
    if kind == PDF:
        from mappa_stats.io.pdf import read_pages

        report = report_from_pages(display, read_pages(display, data))
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
    )
    return AreaTables.from_records(read.records, meta=meta, template=template)
