"""Find the published tables in the cells of a formatted workbook, wherever they are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mappa_stats.definitions.templates import Label, TableDef, Template, match_label, normalize
from mappa_stats.errors import LabelError, TableNotFoundError
from mappa_stats.io.value_cells import blank_values_placed
from mappa_stats.model import a1, parse_cell, record, sheet_ref


@dataclass(frozen=True)
class RawCell:
    """A cell's cached content and number format."""

    value: Any
    number_format: str = "General"


@dataclass
class Sheet:
    """The non-empty cells of one sheet, by 1-based (row, column)."""

    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    hidden: bool = False
    # What an empty cell really is, where the reader can tell: a formula with no saved value, or a cell
    # covered by a merged range (then the range, 'B2:C3').
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: dict[tuple[int, int], str] = field(default_factory=dict)
    references: dict[tuple[int, int], str] = field(default_factory=dict)  # formulas with a saved value

    def get(self, row: int, column: int) -> RawCell | None:
        """The cell at (row, column), or None when it is empty."""
        return self.cells.get((row, column))


@dataclass(frozen=True)
class Anchor:
    """Where a table's title was found."""

    sheet: Sheet
    row: int
    column: int

    @property
    def ref(self) -> str:
        """The title cell as 'Sheet'!A1."""
        return sheet_ref(self.sheet.name, a1(self.row, self.column))

    @property
    def ref_noting_hidden(self) -> str:
        """The title cell, saying when its sheet is hidden (a forgotten copy, often)."""
        return self.ref + (" (on a hidden sheet)" if self.sheet.hidden else "")


_MONTHS = "january february march april may june july august september october november december"
_DATE = re.compile(r"(\d{1,2}) (" + "|".join(_MONTHS.split()) + r") (\d{4})")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


def title_date(text: str) -> str | None:
    """The snapshot date a normalised title names, as '31 march 2015' ('31/03/2015' too), or None."""
    found = _DATE.search(text)
    if found:
        return f"{int(found.group(1))} {found.group(2)} {found.group(3)}"
    numeric = _NUMERIC_DATE.search(text)
    if numeric and 1 <= int(numeric.group(2)) <= 12:
        month = _MONTHS.split()[int(numeric.group(2)) - 1]
        return f"{int(numeric.group(1))} {month} {numeric.group(3)}"
    return None


def _is_text(cell: RawCell | None) -> bool:
    return cell is not None and isinstance(cell.value, str) and cell.value.strip() != ""


def has_content(cell: RawCell | None) -> bool:
    return cell is not None and not (isinstance(cell.value, str) and cell.value.strip() == "")


class Workbook:
    """Sheets of one workbook and an index of the template titles found in them."""

    def __init__(self, path: str, sheets: list[Sheet]) -> None:
        self.path = path
        self.sheets = sheets
        self._rows: dict[str, dict[int, list[tuple[int, RawCell]]]] = {}
        for sheet in sheets:
            by_row: dict[int, list[tuple[int, RawCell]]] = {}
            for (r, c), cell in sheet.cells.items():
                by_row.setdefault(r, []).append((c, cell))
            for cells in by_row.values():
                cells.sort(key=lambda item: item[0])
            self._rows[sheet.name] = by_row

    def row(self, sheet: Sheet, row: int) -> list[tuple[int, RawCell]]:
        """Non-empty cells of a row, left to right."""
        return self._rows[sheet.name].get(row, [])

    def max_row(self, sheet: Sheet) -> int:
        """Last row that holds anything."""
        rows = self._rows[sheet.name]
        return max(rows) if rows else 0

    def text_cells(self) -> list[tuple[Sheet, int, int, str]]:
        """Every text cell, normalised, in sheet order then reading order."""
        out = []
        for sheet in self.sheets:
            for r in sorted(self._rows[sheet.name]):
                for c, cell in self._rows[sheet.name][r]:
                    if _is_text(cell):
                        out.append((sheet, r, c, normalize(cell.value)))
        return out


def find_anchors(book: Workbook, template: Template) -> dict[str, list[Anchor]]:
    """Every cell whose text starts with one of a table's titles."""
    prefixes = {t.id: tuple(normalize(m) for m in t.match) for t in template.tables}
    found: dict[str, list[Anchor]] = {t.id: [] for t in template.tables}
    for sheet, r, c, text in book.text_cells():
        for table_id, options in prefixes.items():
            if text.startswith(options):
                found[table_id].append(Anchor(sheet, r, c))
    return found


def _block_end(book: Workbook, anchor: Anchor, all_anchors: list[Anchor]) -> int:
    """Last row of a table's block: just above the next title below it on the same sheet."""
    below = [
        a.row
        for a in all_anchors
        if a.sheet is anchor.sheet and a.row > anchor.row and (a.row, a.column) != (anchor.row, anchor.column)
    ]
    return (min(below) - 1) if below else book.max_row(anchor.sheet)


def _label_text(cells: list[tuple[int, RawCell]], before: int) -> tuple[int, str] | None:
    """The first text cell left of column `before`: the row label."""
    for c, cell in cells:
        if c >= before:
            break
        if _is_text(cell):
            return c, str(cell.value)
    return None


def _expected(labels: tuple[Label, ...]) -> str:
    return ", ".join(repr(label.label) for label in labels)


def _names_section(table: TableDef, anchor: Anchor) -> bool:
    """True when the title itself names the section ('… returned to custody: Breach of SOPO')."""
    cell = anchor.sheet.get(anchor.row, anchor.column)
    title = normalize(cell.value) if cell is not None else ""
    return any(name in title for name in table.section_names())


def _section_below(book: Workbook, table: TableDef, anchor: Anchor, end: int) -> bool:
    """True when the section is named by the title or by a row label below it, within its block."""
    if _names_section(table, anchor):
        return True
    names = table.section_names()
    for r in range(anchor.row + 1, end + 1):
        for _c, cell in book.row(anchor.sheet, r):
            if _is_text(cell) and normalize(cell.value).startswith(names):
                return True
    return False


def _grid(book: Workbook, table: TableDef, anchor: Anchor, end: int) -> list[dict[str, Any]]:
    """A grid's records: its header row of column labels below the title, then its labelled rows."""
    where = f"{book.path}: table {table.display_title!r} (title at {anchor.ref})"
    header_row, header = _header_row(book, table, anchor, end, where)
    _header_other_lines(book, table, anchor, end, header_row, header, where)
    found, in_section = _grid_rows(book, table, anchor, end, header_row, header, where)
    sheet, first_col = anchor.sheet, min(header)
    if table.section is not None and not in_section:
        raise TableNotFoundError(
            f"{where}: no {table.section!r} row found below the header row "
            f"{sheet_ref(sheet.name, a1(header_row, first_col))}"
        )
    absent = [label for label in table.rows if label.id not in found]
    if absent:
        raise LabelError(
            f"{where}: row {absent[0].label!r} not found below the header row "
            f"{sheet_ref(sheet.name, a1(header_row, first_col))}; expected rows {_expected(table.rows)}"
        )
    records = []
    for row_label in table.rows:
        r = found[row_label.id]
        for c, col_label in sorted(header.items()):
            cell = sheet.get(r, c)
            parsed = parse_cell(
                None if cell is None else cell.value, "General" if cell is None else cell.number_format
            )
            ref = a1(r, c)
            records.append(
                record(
                    table.id, row_label.id, col_label.id, parsed, sheet.name, ref, sheet_ref(sheet.name, ref)
                )
            )
    return records


def _header_row(
    book: Workbook, table: TableDef, anchor: Anchor, end: int, where: str
) -> tuple[int, dict[int, Label]]:
    """The first row below the title with two or more column labels, and its labels by column."""
    sheet = anchor.sheet
    header: dict[int, Label] = {}
    for r in range(anchor.row + 1, end + 1):
        hits = {c: match_label(cell.value, table.columns) for c, cell in book.row(sheet, r) if _is_text(cell)}
        if sum(1 for label in hits.values() if label is not None) < 2:
            continue
        first = min(c for c, label in hits.items() if label is not None)
        previous = first - 1
        for c, label in sorted(hits.items()):
            if c < first:
                continue
            if c != previous + 1 and (label is None or label in header.values()):
                break  # a gap of empty columns ends the header; notes beyond it are not labels
            previous = c  # (a blank column inside a grid, with its labels beyond it, is read past)
            if label is None:
                raw = book.row(sheet, r)
                text = next(cell.value for col, cell in raw if col == c)
                raise LabelError(
                    f"{where}: unknown column label {str(text).strip()!r} at "
                    f"{sheet_ref(sheet.name, a1(r, c))}; expected one of {_expected(table.columns)}"
                )
            if label in header.values():
                raise LabelError(
                    f"{where}: column {label.label!r} appears twice in the header row "
                    f"{sheet_ref(sheet.name, a1(r, c))}; delete one"
                )
            header[c] = label
        return r, header
    raise TableNotFoundError(
        f"{where}: no header row of category labels below the title; expected {_expected(table.columns)}"
    )


def _header_other_lines(
    book: Workbook,
    table: TableDef,
    anchor: Anchor,
    end: int,
    header_row: int,
    header: dict[int, Label],
    where: str,
) -> None:
    """Add to `header` the labels set on another line of the header ("Total" a row above or below the
    categories); a label still missing is refused."""
    sheet = anchor.sheet
    missing = [label for label in table.columns if label not in header.values()]
    for r in range(max(anchor.row + 1, header_row - 2), min(end, header_row + 2) + 1):
        if not missing or r == header_row:
            continue
        for c, written in book.row(sheet, r):
            label = match_label(written.value, tuple(missing)) if _is_text(written) else None
            if label is not None and c > min(header) and c not in header:
                header[c] = label
                missing.remove(label)
    if missing:
        raise LabelError(
            f"{where}: column {missing[0].label!r} is missing from the header row "
            f"{sheet_ref(sheet.name, a1(header_row, min(header)))}"
        )


def _grid_rows(
    book: Workbook,
    table: TableDef,
    anchor: Anchor,
    end: int,
    header_row: int,
    header: dict[int, Label],
    where: str,
) -> tuple[dict[str, int], bool]:
    """The row of each of the table's row labels below the header (in its section, when it has one), and
    whether the section was found. Numbers under no label or an unknown one are refused."""
    sheet, first_col = anchor.sheet, min(header)
    section_names = {normalize(n) for n in table.section_names()}
    in_section = table.section is None or _names_section(table, anchor)
    found: dict[str, int] = {}
    for r in range(header_row + 1, end + 1):
        cells = book.row(sheet, r)
        if not cells:
            continue
        label_at = _label_text(cells, first_col)
        data = [cell for c, cell in cells if c in header and has_content(cell)]
        label_text = normalize(label_at[1]) if label_at else ""
        if not in_section:
            if label_text in section_names or label_text.startswith(tuple(section_names)):
                in_section = True
            continue
        label = match_label(label_at[1], table.rows) if label_at else None
        if label is not None:
            if label.id in found:
                if len(found) == len(table.rows):
                    break  # the next grid with the same row labels (another section)
                raise LabelError(
                    f"{where}: row {label.label!r} appears twice "
                    f"({sheet_ref(sheet.name, a1(found[label.id], label_at[0] if label_at else 1))} "
                    f"and row {r}); delete one"
                )
            found[label.id] = r
            continue
        if (found and not data) or len(found) == len(table.rows):
            break  # a note, the next section or the next table below a complete grid
        if not found and label_at is None and all(_is_text(cell) for cell in data):
            continue  # the header's labels carried over more rows ("Registered sex" / "offenders")
        if data:
            if label_at is None:
                raise LabelError(
                    f"{where}: numbers without a row label in row {r} "
                    f"({sheet_ref(sheet.name, a1(r, first_col))}); expected one of {_expected(table.rows)}"
                )
            raise LabelError(
                f"{where}: unknown row label {label_at[1].strip()!r} at "
                f"{sheet_ref(sheet.name, a1(r, label_at[0]))}; expected one of {_expected(table.rows)}"
            )
    return found, in_section


def _value_right(book: Workbook, sheet: Sheet, row: int, column: int) -> tuple[int, RawCell | None]:
    """First non-empty cell right of (row, column); the next cell when there is none."""
    for c, cell in book.row(sheet, row):
        if c > column and has_content(cell):
            return c, cell
    return column + 1, None


def _one(book: Workbook, table: TableDef, anchor: Anchor, row_id: str, r: int, c: int) -> dict[str, Any]:
    col, cell = _value_right(book, anchor.sheet, r, c)
    parsed = parse_cell(
        None if cell is None else cell.value, "General" if cell is None else cell.number_format
    )
    ref = a1(r, col)
    column_id = table.columns[0].id
    return record(
        table.id, row_id, column_id, parsed, anchor.sheet.name, ref, sheet_ref(anchor.sheet.name, ref)
    )


def _list(book: Workbook, table: TableDef, anchor: Anchor, end: int) -> list[dict[str, Any]]:
    sheet = anchor.sheet
    where = f"{book.path}: table {table.display_title!r} (title at {anchor.ref})"
    found: dict[str, dict[str, Any]] = {}
    for r in range(anchor.row + 1, end + 1):
        cells = book.row(sheet, r)
        if not cells:
            continue
        label_at = next(((c, str(cell.value)) for c, cell in cells if _is_text(cell)), None)
        if label_at is None:
            if found:
                break
            continue
        label = match_label(label_at[1], table.rows)
        has_value = any(c > label_at[0] and has_content(cell) for c, cell in cells)
        if label is None:
            if found and has_value:
                raise LabelError(
                    f"{where}: unknown row label {label_at[1].strip()!r} at "
                    f"{sheet_ref(sheet.name, a1(r, label_at[0]))}; expected one of {_expected(table.rows)}"
                )
            if found:
                break
            continue
        if label.id in found:
            raise LabelError(f"{where}: row {label.label!r} appears twice (row {r}); delete one")
        found[label.id] = _one(book, table, anchor, label.id, r, label_at[0])
    absent = [label for label in table.rows if label.id not in found]
    if absent:
        raise LabelError(
            f"{where}: row {absent[0].label!r} not found below the title; "
            f"expected rows {_expected(table.rows)}"
        )
    return [found[label.id] for label in table.rows]


def other_years(book: Workbook, template: Template) -> set[str]:
    """Sheets whose dated titles are all of another year (last year's tables left in the workbook)."""
    prefixes = tuple(normalize(m) for t in template.tables for m in t.match)
    wanted = normalize(template.period_end)
    dates: dict[str, set[str]] = {}
    for sheet, _r, _c, text in book.text_cells():
        date = title_date(text) if text.startswith(prefixes) else None
        if date:
            dates.setdefault(sheet.name, set()).add(date)
    return {name for name, found in dates.items() if wanted not in found}


def extract(book: Workbook, template: Template) -> list[dict[str, Any]]:
    """Tidy records for every table of the template that the workbook holds."""
    anchors = find_anchors(book, template)
    stale = other_years(book, template)
    if stale:
        # Keep a table found on another year's sheet only where this year's sheets lack it.
        anchors = {k: ([a for a in v if a.sheet.name not in stale] or v) for k, v in anchors.items()}
    every = [a for hits in anchors.values() for a in hits]
    records: list[dict[str, Any]] = []
    missing = [t for t in template.tables if t.required and not anchors[t.id]]
    if len(missing) == 1:
        looked = " or ".join(repr(m) for m in missing[0].match)
        raise TableNotFoundError(
            f"{book.path}: table {missing[0].display_title!r} not found; looked in every sheet for a "
            f"title starting {looked} (template {template.year})"
        )
    if missing:
        names = "; ".join(
            f"{t.display_title!r} (a title starting {' or '.join(repr(m) for m in t.match)})" for t in missing
        )
        raise TableNotFoundError(
            f"{book.path}: {len(missing)} tables not found in any sheet: {names} (template {template.year})"
        )
    for table in template.tables:
        hits = anchors[table.id]
        if not hits:
            continue
        if len(hits) > 1 and table.section is not None:
            # Sections of one title may each have their own copy of it (one sheet per grid):
            # keep the titles whose block holds this section.
            hits = [a for a in hits if _section_below(book, table, a, _block_end(book, a, every))] or hits
        if len(hits) > 1:
            raise TableNotFoundError(
                f"{book.path}: table {table.title!r} appears {len(hits)} times "
                f"({hits[0].ref_noting_hidden} and {hits[1].ref_noting_hidden}); keep one copy, or choose "
                "the sheet with --sheet NAME"
            )
        anchor = hits[0]
        end = _block_end(book, anchor, every)
        if table.kind == "grid":
            records.extend(_grid(book, table, anchor, end))
        elif table.kind == "value":
            records.append(_one(book, table, anchor, table.rows[0].id, anchor.row, anchor.column))
        else:
            records.extend(_list(book, table, anchor, end))
    return blank_values_placed(records, template)
