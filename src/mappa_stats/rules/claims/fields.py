"""The figures a year's claims (and compare) name, found by the roles of its definition: the RSOs, Level 1,
the 31 March total, the rate, the category totals, and plain words for every field code."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from mappa_stats.definitions.load import figure_years, figures_template, form_years, load_template
from mappa_stats.definitions.templates import FORMS, Ref, TableDef, Template
from mappa_stats.errors import InputError

# Figures the long CSV carries beside the year's field codes (combine writes them; docs/compare.md).
POPULATION_FIELD = "POP10PLUS"
# The rate's words by its base: aged 10 and over from 2013-14, the whole population before (DOMAIN.md).
RATE_LABELS = {"aged_10_plus": "RSOs per 100,000 aged 10+", "all_ages": "RSOs per 100,000 (all ages)"}


@dataclass(frozen=True)
class YearFields:
    """The field codes claims and compare need for a year, found by the roles of its definition (never by
    a year's own ids): the RSOs, Level 1, the 31 March total, the rate, the category totals, the 31 March
    Level 2 and 3 totals, and the yearly Level 2 and 3 totals."""

    rsos: str
    level1_total: str
    grand_total: str
    rate: str
    categories: dict[str, str]  # '1' → the Category 1 total on 31 March
    key: tuple[tuple[str, str], ...]  # (field code, label) of the figures compare shows year by year
    words: dict[str, str]  # field code → plain words ('Total, Category 1')
    # Categories no area's return holds, another form's (the NSD's Category 4, 2022-23 on): '4' → CAT4TOT.
    # Combine adds them to the England and Wales figures; an area's figures never have them.
    national_categories: dict[str, str] = field(default_factory=dict)


@cache
def year_fields(year: str) -> YearFields:
    """The fields of a year's definition that claims and compare use, by role."""
    template = figures_template(year)
    grand = _role(template, year, "grand_total")
    snapshot = template.table(grand[0])
    rsos = template.field_of(_role(template, year, "rsos"))
    level1_ref = _role(template, year, "level1_total")
    level1 = template.field_of(level1_ref)
    categories, key = _snapshot_key(template, grand, rsos, level1_ref[1])
    key += _yearly_totals(template, snapshot)
    rate = template.field_of(_role(template, year, "stated_rate"))
    key.append((rate, RATE_LABELS[template.rate_base]))
    words = {code: label for code, label in key}
    for table in template.tables:
        for (row_id, column_id), code in table.fields.items():
            if code not in words and table.kind == "grid":
                words[code] = f"{table.row(row_id).label}, {table.column(column_id).short}"
    words[level1] = "Level 1, 31 March"
    words[POPULATION_FIELD] = "the population aged 10+"
    national_categories: dict[str, str] = {}
    for number, code, short in _other_forms_categories(year, snapshot.id, categories):
        national_categories[number] = code
        words[code] = f"{short}, 31 March"
    return YearFields(
        rsos,
        level1,
        template.field_of(grand),
        rate,
        categories,
        tuple(key),
        words,
        national_categories,
    )


def _role(template: Template, year: str, name: str) -> Ref:
    ref = template.role(name)
    if ref is None:
        raise InputError(f"the {year} definition names no {name} (roles in docs/templates.md)")
    return ref


def _snapshot_key(
    template: Template, grand: Ref, rsos: str, level1_row: str
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The category totals on 31 March ('1' → field code), and the 31 March figures compare shows: each
    category's total, the grand total, and each level's total but Level 1's."""
    snapshot = template.table(grand[0])
    total_row, total_column = grand[1], grand[2]
    categories: dict[str, str] = {}
    key: list[tuple[str, str]] = []
    for column in snapshot.columns:
        if column.is_total:
            continue
        code = snapshot.fields[(total_row, column.id)]
        number = column.short.rsplit(" ", 1)[-1]
        categories[number] = code
        key.append((code, f"{column.short}{' (RSOs)' if code == rsos else ''}, 31 March"))
    key.append((template.field_of(grand), "Total, 31 March"))
    for row in snapshot.rows:
        if not row.is_total and row.id != level1_row:
            key.append((snapshot.fields[(row.id, total_column)], f"{row.label}, 31 March"))
    return categories, key


def _yearly_totals(template: Template, snapshot: TableDef) -> list[tuple[str, str]]:
    """The yearly totals: the table the year's relations hold never below the 31 March grid, row by row."""
    key: list[tuple[str, str]] = []
    for relation in template.relations:
        for comparison in relation.comparisons:
            left, right = comparison.left[0], comparison.right[0]
            if (
                comparison.op != ">="
                or right[0] != snapshot.id
                or left[0] == snapshot.id
                or left[1] != right[1]
            ):
                continue
            yearly = template.table(left[0])
            total = next((c for c in yearly.columns if c.is_total), None)
            if total is not None and (left[1], total.id) in yearly.fields:
                key.append((yearly.fields[(left[1], total.id)], f"{yearly.row(left[1]).label}, yearly total"))
    return key


def _other_forms_categories(
    year: str, snapshot_id: str, categories: dict[str, str]
) -> list[tuple[str, str, str]]:
    """Categories no area's return holds and another form's does (the NSD's Category 4, 2022-23 on), as
    (number, field code of its 31 March total, column name)."""
    found: list[tuple[str, str, str]] = []
    for form in FORMS:
        if form == "area" or year not in form_years(form):
            continue
        other = load_template(year, form)
        if not any(t.id == snapshot_id for t in other.tables):
            continue
        grid = other.table(snapshot_id)
        total = next(r for r in grid.rows if r.is_total)
        for column in grid.columns:
            number = column.short.rsplit(" ", 1)[-1]
            if not column.is_total and number not in categories and (total.id, column.id) in grid.fields:
                found.append((number, grid.fields[(total.id, column.id)], column.short))
    return found


def category_years(number: str) -> tuple[str, ...]:
    """The years whose figures have this category at all (in an area's return or, nationally, another's)."""
    return tuple(
        y
        for y in figure_years()
        if number in year_fields(y).categories or number in year_fields(y).national_categories
    )


def field_words(code: str, year: str) -> str:
    """Plain words for a field code: 'CAT1TOT (Category 1 (RSOs), 31 March)'."""
    words = year_fields(year).words.get(code)
    return f"{code} ({words})" if words else code
