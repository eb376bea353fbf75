"""The agreed long form (area, year, field, value) compare reads, and a return's counts by field code."""

from __future__ import annotations

from mappa_stats.combine.result import Combined, field_of_role, published_rate
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.templates import Template
from mappa_stats.model import AreaTables, summable


def count_codes(template: Template) -> list[str]:
    """Field codes of the year that hold counts (not the stated rate or a stated share), in table order."""
    cached: list[str] | None = template.__dict__.get("_count_codes")
    if cached is None:
        cached = [
            code
            for t in template.tables
            for (r, _), code in t.fields.items()
            if t.value_type == "count" and t.cell_value_type(r) == "count"
        ]
        object.__setattr__(template, "_count_codes", cached)  # asked once per return: worked out once
    return cached


def area_values(tables: AreaTables) -> dict[str, float | None]:
    """Every count of a return by field code: the number where the cell holds a whole number of 0 or more
    (as the wide frame's schema judges it), None where it does not (blank, marker, text, decimal)."""
    cells = tables.cells()
    refs = tables.template.field_refs
    out: dict[str, float | None] = {}
    for code in count_codes(tables.template):
        cell = cells.get(refs[code])
        out[code] = cell.value if cell is not None and summable(cell.value, cell.issue) else None
    return out


def own_totals(
    area_form: Template, own_form: Template, values: dict[str, float | None]
) -> dict[str, float | None]:
    """A form narrower than an area's (the National Security Division's, Category 4 only): its figure of each
    grand total of the area form it does not carry (TOTAL_MAPPA_OFFENDERS, YEARTOT …), the sum of its own
    cells of that table, as the area table shows it. So every figure the area table prints for it is in the
    CSV and JSON too."""
    out: dict[str, float | None] = {}
    for table in area_form.tables:
        if table.kind != "grid" or table.value_type != "count":
            continue
        last_row, last_column = table.rows[-1], table.columns[-1]
        code = table.fields.get((last_row.id, last_column.id))
        own = next((t for t in own_form.tables if t.id == table.id), None)
        if code is None or code in values or own is None or not (last_row.is_total or last_column.total_of):
            continue
        totals = {c.id for c in own.columns if c.total_of}
        parts = [
            values.get(f)
            for (r, c), f in own.fields.items()
            if not own.row(r).is_total and c not in totals and own.is_applicable(r, c)
        ]
        out[code] = None if any(v is None for v in parts) else sum(v for v in parts if v is not None)
    return out


def long_rows(combined: Combined) -> list[tuple[str, str, str, int | float]]:
    """(area, year, field, value): every figure of every counted area, then England and Wales.

    The format agreed with `compare`: the Ministry's area name, the year as YYYY-YY, a field code of the
    year (derived totals included), RSORATE and POP10PLUS; numbers only, never text or markers."""
    # The rate's code is the stated rate's (RSORATE), but the value is the one computed from the population.
    rate_code = field_of_role(combined.template, "stated_rate") or "RATE"
    rows: list[tuple[str, str, str, int | float]] = []
    for line in combined.areas:
        if not line.counted:
            continue
        for code, value in line.values.items():
            if value is not None:
                rows.append((line.area, combined.year, code, _number(value)))
        if line.rate is not None:
            rows.append((line.area, combined.year, rate_code, published_rate(line.rate)))
        if line.population is not None:
            rows.append((line.area, combined.year, "POP10PLUS", line.population))
    seen: set[str] = set()
    for table in combined.tables:
        for _, _, cells in table.rows:
            for cell in cells:
                if cell.value is not None and cell.field not in seen:
                    seen.add(cell.field)
                    rows.append((NATIONAL, combined.year, cell.field, cell.value))
    if combined.national_rate is not None:
        rows.append((NATIONAL, combined.year, rate_code, published_rate(combined.national_rate)))
    if combined.national_population is not None:
        rows.append((NATIONAL, combined.year, "POP10PLUS", combined.national_population))
    return rows


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
