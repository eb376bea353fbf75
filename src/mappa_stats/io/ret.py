"""The Ministry of Justice's area return: the 'YY-YY data' sheet of field codes, read as the tidy model.

What is known of the return comes from the Ministry's own production code (shared/research/moj-return.md):
row 1 of the data sheet holds field codes (any order, any case, four typos the Ministry repairs by hand),
row 2 their values — formulas pointing at the 'Data entry' sheet, so the values are the ones Excel saved;
the area's id is in 'Data entry'!A2 and its name in C2. Which fields a year's return carries is data in
the year's definition (`return`). A finding names the cell the manager typed: where row 2 holds a plain
reference (`='Data entry'!D14`), that cell, with the data-sheet cell beside it. Totals are not on the
return: they are derived from their parts, as the Ministry derives them.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from typing import Any

from mappa_stats.definitions.constants import AREAID, NSD_ID
from mappa_stats.definitions.equations import Equation, equations
from mappa_stats.definitions.load import form_years, load_template, schemas_dir
from mappa_stats.definitions.templates import Template, normalize
from mappa_stats.errors import InputError, ReturnAreaError
from mappa_stats.io.layout import RawCell, Sheet
from mappa_stats.io.xlsx import cell_position  # a reference read as the workbook reader reads one
from mappa_stats.model import (
    BLANK_ZERO,
    DERIVED,
    NO_CACHED_VALUE,
    UNKNOWN_TOTAL,
    Parsed,
    a1,
    parse_cell,
    record,
    sheet_ref,
    summable,
)
from mappa_stats.numbers import count

DATA_SHEET = re.compile(r"^\s*(\d{2})-(\d{2}) data\s*$", re.IGNORECASE)
ENTRY = "data entry"
_REFERENCE = re.compile(r"^=\s*(?:'((?:[^']|'')+)'|([A-Za-z0-9_ .]+))!\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*$")


@cache
def moj_area_ids() -> dict[int, str]:
    """The Ministry's area id → area name (schemas/moj_areas.json; 43 is the National Security Division)."""
    spec = json.loads((schemas_dir() / "moj_areas.json").read_text(encoding="utf-8"))
    return {int(k): v for k, v in spec["ids"].items()}


def area_id(name: str) -> int:
    """The Ministry's id of an area named as a manager would ('Kent', 'kent police', 'NSD')."""
    from mappa_stats.io.areas import area_key, find_area

    key = area_key(name)
    if key in ("nsd", area_key(moj_area_ids()[NSD_ID])):
        return NSD_ID
    found = find_area(name)
    for number, known in moj_area_ids().items():
        if area_key(known) == key or (found is not None and find_area(known) == found):
            return number
    from mappa_stats.io.areas import check_area_option

    check_area_option(name)  # says which names are close
    raise InputError(f"--area {name[:60]!r} has no Ministry area id; see schemas/moj_areas.json")


def entry_sheet(sheets: list[Sheet]) -> Sheet | None:
    """The return's 'Data entry' form, the sheet the manager types into, when the workbook has one."""
    return next((s for s in sheets if s.name.strip().casefold() == ENTRY), None)


def data_sheet(sheets: list[Sheet]) -> Sheet | None:
    """The return's data sheet ('23-24 data'), when the workbook is a return."""
    return next((s for s in sheets if DATA_SHEET.match(s.name)), None)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str):
        return count(value.strip())[0]  # the one parser of numbers: '١٢' is not area 12
    return None


def _stated_id(sheets: list[Sheet], data: Sheet) -> int | None:
    """The area id the return gives ('Data entry'!A2, else the AREAID column), before its fields are read."""
    entry = entry_sheet(sheets)
    if entry is not None:
        return None if entry.get(2, 1) is None else _whole(entry.cells[(2, 1)].value)
    for (row, column), cell in data.cells.items():
        if row == 1 and _text(cell.value).upper() == AREAID:
            found = data.get(2, column)
            return None if found is None else _whole(found.value)
    return None


def _area(
    display: str,
    sheets: list[Sheet],
    data: Sheet,
    header: dict[str, int],
    override: str | None,
    notes: list[str],
) -> str:
    """The area the return is for: its AREAID, agreeing with 'Data entry'!A2 and the name in C2. With
    --area NAME --area-override (`override`), a disagreement is said in `notes` and NAME used."""
    from mappa_stats.io.areas import find_area

    entry = entry_sheet(sheets)
    stated = data.get(2, header[AREAID])
    where = sheet_ref(data.name, a1(2, header[AREAID]))
    value = None if stated is None else stated.value
    if entry is not None:
        where = sheet_ref(entry.name, "A2")
        value = None if entry.get(2, 1) is None else entry.cells[(2, 1)].value
        if _text(value) == "" and override is None:
            raise InputError(
                f"{display}: {where} is empty; type the area's id there (1 to 42, 43 for the National "
                "Security Division; docs/formats.md)"
            )
    number = _whole(value)
    ids = moj_area_ids()
    if number is None or number not in ids:
        said = f"{where} holds area id {_text(value)[:20]!r}; the Ministry's area ids are 1 to 43"
        if override is None:
            raise InputError(f"{display}: {said} (docs/formats.md): type the area's id")
        notes.append(f"{display}: area given as {override} by --area-override; {said}")
        return override
    conflict = _area_conflict(data, entry, stated, header, where, number)
    if conflict and override is None:
        raise ReturnAreaError(f"{display}: {conflict}; correct one of them", number)
    if conflict:
        notes.append(f"{display}: area given as {override} by --area-override; {conflict}")
        return str(override)
    found = find_area(ids[number])
    return found.name if found is not None else ids[number]


def _area_conflict(
    data: Sheet, entry: Sheet | None, stated: RawCell | None, header: dict[str, int], where: str, number: int
) -> str | None:
    """The return's own area cells disagreeing: the AREAID column against A2, or the name in C2 against the
    id; None when they agree."""
    from mappa_stats.io.areas import area_key, find_area

    name = moj_area_ids()[number]
    if stated is not None and _whole(stated.value) not in (None, number):
        column = sheet_ref(data.name, a1(2, header[AREAID]))
        return f"{column} says area {_text(stated.value)} but {where} says {number}"
    typed = "" if entry is None or entry.get(2, 3) is None else _text(entry.cells[(2, 3)].value)
    if (
        entry is not None
        and typed
        and area_key(typed) != area_key(name)
        and find_area(typed) != find_area(name)
    ):
        return (
            f"{sheet_ref(entry.name, 'C2')} names {typed[:60]!r} but the area id in A2 is {number} ({name})"
        )
    return None


def _header(display: str, data: Sheet, template: Template) -> dict[str, int]:
    """Field code → column of the data sheet, every field of the year's return present exactly once."""
    header: dict[str, int] = {}
    for (row, column), cell in sorted(data.cells.items()):
        if row != 1:
            continue
        typed = _text(cell.value).upper()
        code = template.return_typos.get(typed, typed)
        here = sheet_ref(data.name, a1(1, column))
        if code in header:
            first = sheet_ref(data.name, a1(1, header[code]))
            raise InputError(f"{display}: {here} repeats the field {code} (also {first}); delete one column")
        if code not in template.return_fields and code in template.field_refs:
            # A cell of the year that the return does not carry: a not-applicable cell, or a total.
            table_id, row_id, column_id = template.field_refs[code]
            table = template.table(table_id)
            why = table.na_reasons.get((row_id, column_id))
            what = (
                f"a cell that does not exist: {why}"
                if why
                else "a total, which the return does not carry: it is derived from its parts"
                if code in _totals(template)
                else "not on the return: the area report's own figure"
            )
            raise InputError(f"{display}: {here} holds {code}, {what}; delete the column")
        if code not in template.return_fields:
            close = difflib.get_close_matches(code, template.return_fields, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                f"{display}: {here} holds {typed[:40]!r}, not a field of the {template.year} return{hint} "
                "(the fields are listed in docs/templates.md)"
            )
        header[code] = column
    missing = [code for code in template.return_fields if code not in header]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise InputError(
            f"{display}: sheet {data.name!r} has no column for {shown}; every field of the {template.year} "
            "return appears once in row 1"
        )
    return header


def _spellings(data: Sheet, template: Template) -> dict[str, str]:
    """Field code → the header it was found under, where that is one of the spellings the Ministry's code
    reads (`return.header_typos`: CAT2L2SFOTHER for CAT2L2SFOOTHER, as 1-import-data.py has it)."""
    out: dict[str, str] = {}
    for (row, _), cell in data.cells.items():
        typed = _text(cell.value).upper()
        if row == 1 and typed in template.return_typos:
            out[template.return_typos[typed]] = typed
    return out


def _totals(template: Template) -> set[str]:
    """The field codes of the year's grid totals, which the return does not carry."""
    return {eq.total for eq in equations(template) if eq.table}


def _blank_at(sheet: Sheet, ref: str) -> bool:
    """True when the cell (A1 reference) of a sheet holds nothing."""
    cell = sheet.get(*cell_position(ref))
    return cell is None or _text(cell.value) == ""


def _located(data: Sheet, column: int, by_name: dict[str, Sheet]) -> tuple[str, str, str]:
    """(sheet, cell, source) of a row-2 value: the cell its plain reference formula points at, when that
    sheet is in the workbook (`by_name`, folded names), else the data sheet's own cell."""
    here = a1(2, column)
    formula = data.references.get((2, column)) or data.formulas.get((2, column))
    found = _REFERENCE.match(formula or "")
    if found is None:
        return data.name, here, sheet_ref(data.name, here)
    sheet = (found.group(1) or "").replace("''", "'") or (found.group(2) or "").strip()
    if sheet.casefold() not in by_name:
        return data.name, here, sheet_ref(data.name, here)
    sheet = by_name[sheet.casefold()].name
    cell = f"{found.group(3).upper()}{found.group(4)}"
    return sheet, cell, f"{sheet_ref(sheet, cell)} (via {sheet_ref(data.name, here)})"


def _breakdowns(
    display: str, sheets: list[Sheet], template: Template, labels_out: list[tuple[str, str, str]]
) -> dict[str, dict[str, Any]]:
    """The breakdown blocks of 'Data entry' (age, sex, ethnicity), by field code; blanks are 0 there.

    Each block is found by the label of its first row in column B; its rows are read by position, its counts
    in columns C to H, in the order of the table's columns (the definition's `required: false` grids whose
    first row label is the block's anchor)."""
    entry = entry_sheet(sheets)
    blocks = template.breakdowns
    if not blocks:
        return {}
    if entry is None:
        raise InputError(f"{display}: the return has no 'Data entry' sheet, which holds its breakdowns")
    out: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[int]] = {}
    for (r, c), cell in sorted(entry.cells.items()):
        if c == 2 and isinstance(cell.value, str):
            labels.setdefault(normalize(cell.value), []).append(r)
    for table in blocks:
        anchor = table.rows[0].label
        rows = labels.get(normalize(anchor), [])
        if len(rows) > 1:
            raise InputError(
                f"{display}: 'Data entry' has {anchor!r} in column B at B{rows[0]} and B{rows[1]}; it marks "
                f"the first row of the {table.title!r} block, so it must appear once: rename the other"
            )
        first = rows[0] if rows else None
        if first is None:
            raise InputError(
                f"{display}: 'Data entry' has no {anchor!r} in column B, the first row of the "
                f"{table.title!r} block; put the block back as the Ministry's form has it"
            )
        for offset, row in enumerate(table.rows):
            typed = entry.get(first + offset, 2)
            if offset and typed is not None and _text(typed.value):
                # Only a block's first label is public; the rest are read as the form has them.
                labels_out.append((table.id, row.id, _text(typed.value)[:120]))
            for k, column in enumerate(table.columns):
                r, c = first + offset, 3 + k
                raw = entry.get(r, c)
                if raw is None or _text(raw.value) == "":
                    parsed = Parsed(0.0, "", "", "")  # the Ministry reads the blocks' blanks as 0
                else:
                    parsed = parse_cell(raw.value, raw.number_format)
                ref = a1(r, c)
                out[table.fields[(row.id, column.id)]] = {
                    "parsed": parsed,
                    "sheet": entry.name,
                    "cell": ref,
                    "source": sheet_ref(entry.name, ref),
                }
    return out


def read_return(
    display: str,
    sheets: list[Sheet],
    year: str | None,
    override: str | None = None,
    notes: list[str] | None = None,
) -> tuple[list[dict[str, Any]], str, str | None, Template, tuple[tuple[str, str, str], ...]]:
    """The tidy records of a return, its year, its area, its definition (an area's or the NSD's) and the row
    labels its form gives. `override`: the area --area NAME --area-override gives (a conflict of the
    return's own area cells is then said in `notes`, not refused)."""
    data = _chosen_data_sheet(display, sheets, year)
    own = _year_of(data)
    if year is not None and year != own:
        raise InputError(
            f"{display}: the data sheet {data.name!r} is for {own}, not {year}; "
            f"give the {year} return, or --year {own}"
        )
    template = _form(display, sheets, data, own)
    header = _header(display, data, template)
    area = _area(display, sheets, data, header, override, notes if notes is not None else [])
    totals = _totals(template)
    values = _typed_values(display, sheets, data, header)
    for code, typed in _spellings(data, template).items():
        if code in values:  # the field as its column was headed: the Ministry's spelling, named wherever said
            values[code]["source"] += f" (headed {typed}, read as {code})"
    _derive_totals(values, [e for e in equations(template) if e.table and e.total not in values])
    row_labels: list[tuple[str, str, str]] = []
    values.update(_breakdowns(display, sheets, template, row_labels))
    return _records(template, values, totals), template.year, area, template, tuple(row_labels)


def _year_of(sheet: Sheet) -> str:
    """The year a data sheet is for: '23-24 data' → '2023-24'."""
    matched = DATA_SHEET.match(sheet.name)
    assert matched is not None
    return f"20{matched.group(1)}-{matched.group(2)}"


def _chosen_data_sheet(display: str, sheets: list[Sheet], year: str | None) -> Sheet:
    """The return's data sheet: its only one, or the one of --year among several."""
    datas = [s for s in sheets if DATA_SHEET.match(s.name)]
    assert datas
    if len(datas) > 1:
        chosen = [s for s in datas if _year_of(s) == year]
        if len(chosen) != 1:
            names = ", ".join(repr(s.name) for s in datas[:6])
            raise InputError(
                f"{display}: the workbook has {len(datas)} data sheets ({names}); choose one with "
                "--sheet NAME (or --year)"
            )
        datas = chosen
    return datas[0]


def _form(display: str, sheets: list[Sheet], data: Sheet, own: str) -> Template:
    """The year's definition of the form (an area's return or the NSD's), told by the fields of row 1; it
    must agree with the area id the return states."""
    codes = {_text(c.value).upper() for (r, _), c in data.cells.items() if r == 1}

    def overlap(t: Template) -> int:
        return len({t.return_typos.get(c, c) for c in codes} & set(t.return_fields) - {AREAID})

    template = load_template(own)
    # The NSD's definition only where it could win: an area's wins a tie, so when it knows every field of
    # row 1 the NSD's is not loaded (a third of a return's first read).
    if own in form_years("nsd") and overlap(template) < len(codes - {AREAID}):
        template = max([template, load_template(own, "nsd")], key=overlap)
    stated = _stated_id(sheets, data)
    if stated == NSD_ID and template.form != "nsd" and own not in form_years("nsd"):
        raise InputError(
            f"{display}: a National Security Division return (area {NSD_ID}) for {own}; Category 4 is "
            f"reported from {form_years('nsd')[0]}: check the year of the data sheet"
        )
    if stated in moj_area_ids() and (stated == NSD_ID) != (template.form == "nsd"):
        where = "'Data entry'!A2" if entry_sheet(sheets) is not None else data.name
        raise InputError(
            f"{display}: {where} says area {stated} ({moj_area_ids()[stated]}), but the data sheet's fields "
            f"are {'an area' if template.form == 'area' else 'the National Security Division'}'s; correct "
            "the area id"
        )
    if not template.return_fields:
        raise InputError(
            f"{display}: the {own} return's fields are not known; give the area report's workbook"
        )
    return template


def _typed_values(
    display: str, sheets: list[Sheet], data: Sheet, header: dict[str, int]
) -> dict[str, dict[str, Any]]:
    """Each field's value (row 2 of its column) and the cell the manager typed it in; a blank is 0, as the
    national pipeline reads it. A return with no figure typed at all is refused."""
    values: dict[str, dict[str, Any]] = {}
    by_name = {s.name.casefold(): s for s in sheets}
    for code, at in header.items():
        if code == AREAID:
            continue
        sheet, cell, source = _located(data, at, by_name)
        raw = data.get(2, at)
        if sheet != data.name and _blank_at(by_name[sheet.casefold()], cell):
            # A reference to an empty cell of the form shows 0; the manager typed nothing there.
            parsed = Parsed(0.0, "", "", BLANK_ZERO)
        elif raw is None and (2, at) in data.formulas:
            parsed = Parsed(None, "", data.formulas[(2, at)], NO_CACHED_VALUE)
        elif raw is None or _text(raw.value) == "":
            parsed = Parsed(0.0, "", "", BLANK_ZERO)  # the national pipeline reads a blank as 0
        else:
            parsed = parse_cell(raw.value, raw.number_format)
        values[code] = {"parsed": parsed, "sheet": sheet, "cell": cell, "source": source}
    typed = [v for c, v in values.items() if c != AREAID]
    if typed and all(v["parsed"].issue == BLANK_ZERO for v in typed):
        raise InputError(
            f"{display}: no figure of the return is typed ({len(typed)} fields blank, "
            f"from {typed[0]['source']}); fill in the form and save it"
        )
    return values


def _derive_totals(values: dict[str, dict[str, Any]], pending: list[Equation]) -> None:
    """Add the totals the return does not carry, summed from their parts as the Ministry derives them;
    unknown when a part cannot be summed. Totals of totals wait for their parts."""
    while pending:
        ready = [e for e in pending if all(p in values for p in e.parts)]
        if not ready:
            break
        done = {id(eq) for eq in ready}
        pending = [eq for eq in pending if id(eq) not in done]  # by identity: no comparing of equations
        for eq in ready:
            if eq.total in values:
                continue
            parts = [values[p]["parsed"] for p in eq.parts]
            total = int(sum(p.value or 0.0 for p in parts))
            usable = all(summable(p.value, p.issue, p.marker) for p in parts)
            parsed = (
                Parsed(float(total), "", str(total), DERIVED)
                if usable
                else Parsed(None, UNKNOWN_TOTAL, "", "")
            )
            values[eq.total] = {"parsed": parsed, "sheet": "", "cell": "", "source": f"derived ({eq.total})"}


def _records(template: Template, values: dict[str, dict[str, Any]], totals: set[str]) -> list[dict[str, Any]]:
    """The tidy records of every table the return gives a field of, cell by cell; a field the return does
    not carry is blank, or an unknown total."""
    records = []
    for table in template.tables:
        if not any(code in values for code in table.fields.values()):
            continue  # a table of the area report only (the stated rate, the commentary)
        for row in table.rows:
            for column in table.columns:
                code = table.fields[(row.id, column.id)]
                found = values.get(code)
                if found is None:
                    marker = (
                        Parsed(None, "blank", "", "")
                        if code not in totals
                        else Parsed(None, UNKNOWN_TOTAL, "", "")
                    )
                    found = {
                        "parsed": marker,
                        "sheet": "",
                        "cell": "",
                        "source": f"not on the return ({code})",
                    }
                records.append(
                    record(
                        table.id,
                        row.id,
                        column.id,
                        found["parsed"],
                        found["sheet"],
                        found["cell"],
                        found["source"],
                    )
                )
    return records
