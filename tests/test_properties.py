"""Hypothesis properties: consistent tables pass; any single mistyped cell is caught and located."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import area_from_values
from mappa_stats.definitions.load import load_template
from mappa_stats.rules.locate import smallest_fixes
from mappa_stats.validate import validate_area

TEMPLATE = load_template("2014-15")
GRIDS = [t for t in TEMPLATE.tables if t.kind == "grid"]
Values = dict[tuple[str, str, str], Any]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fill_grid(table_id: str, inner: dict[tuple[str, str], int], values: Values) -> None:
    """Put inner cells and their row, column and grand totals into values."""
    table = TEMPLATE.table(table_id)
    for row in table.rows:
        for column in table.columns:
            key = (table_id, row.id, column.id)
            if not table.is_applicable(row.id, column.id):
                values[key] = table.not_applicable[(row.id, column.id)] or None
                continue
            rows = row.total_of or (row.id,)
            columns = column.total_of or (column.id,)
            values[key] = sum(inner.get((r, c), 0) for r in rows for c in columns)


@st.composite
def consistent_tables(draw: st.DrawFn) -> Values:
    """Random tables that obey every rule of the 2014-15 template."""
    n = st.integers(0, 3000)
    small = st.integers(0, 60)
    values: Values = {}
    snap = {
        (r, c): draw(n if r == "level1" else small)
        for r in ("level1", "level2", "level3")
        for c in ("cat1", "cat2", "cat3")
        if (r, c) != ("level1", "cat3")
    }
    _fill_grid("snapshot", snap, values)
    yearly = {
        (r, c): snap[(r, c)] + draw(small) for r in ("level2", "level3") for c in ("cat1", "cat2", "cat3")
    }
    _fill_grid("yearly", yearly, values)
    licence = {k: draw(st.integers(0, v)) for k, v in yearly.items()}
    _fill_grid("custody_licence", licence, values)
    sopo = {(r, "cat1"): draw(st.integers(0, yearly[(r, "cat1")])) for r in ("level2", "level3")}
    _fill_grid("custody_sopo", sopo, values)
    cat1 = values[("snapshot", "total", "cat1")]
    values[("breach_notification", "value", "value")] = draw(st.integers(0, cat1 // 10))
    for order in ("sopo", "no", "fto"):
        values[("restrictive_orders", order, "value")] = draw(small)
    values[("rsos_per_100k", "value", "value")] = draw(st.integers(0, 300))
    total = values[("snapshot", "total", "total")]
    if total:
        share = (values[("snapshot", "level1", "total")] * 200 + total) // (2 * total)  # half up
        values[("commentary", "level1_share", "value")] = f"{share}%"
    return values


def _applicable_cells() -> list[tuple[str, str, str]]:
    return [
        (t.id, r.id, c.id) for t in GRIDS for r in t.rows for c in t.columns if t.is_applicable(r.id, c.id)
    ]


@PROPERTY
@given(consistent_tables())
def test_consistent_tables_always_pass(values: Values) -> None:
    """Randomly generated consistent tables give no finding at all."""
    report = validate_area(area_from_values(values))
    assert report.findings == (), [f.message for f in report.findings]


@PROPERTY
@given(consistent_tables(), st.sampled_from(_applicable_cells()), st.integers(0, 5000))
def test_any_single_changed_cell_is_detected_and_named(
    values: Values, key: tuple[str, str, str], new: int
) -> None:
    """Change any applicable grid cell: an error names that cell's row or column (locator off)."""
    assume(values[key] != new)
    values[key] = new
    report = validate_area(area_from_values(values), suggest=False)
    table, row, column = key
    totals = [f for f in report.findings if f.rule.startswith("totals.") and f.table == table]
    assert totals, "a changed cell must break a total"
    assert any(f.row == row or f.column == column for f in totals)


@PROPERTY
@given(consistent_tables(), st.sampled_from(_applicable_cells()), st.integers(0, 5000))
def test_any_single_changed_cell_is_located_exactly(
    values: Values, key: tuple[str, str, str], new: int
) -> None:
    """With the locator on, the only totals finding is at the changed cell, suggesting the original."""
    original = values[key]
    assume(original != new)
    values[key] = new
    report = validate_area(area_from_values(values))
    totals = [f for f in report.findings if f.rule.startswith("totals.")]
    assert len(totals) == 1
    found = totals[0]
    assert (found.table, found.row, found.column) == key
    assert (found.expected, found.actual) == (original, new)


@PROPERTY
@given(
    consistent_tables(),
    st.sampled_from(GRIDS),
    st.data(),
)
def test_two_changed_cells_give_the_pair_or_say_several(
    values: Values, table: Any, data: st.DataObject
) -> None:
    """Two mistyped cells in one grid: the exact pair, or an explicit 'several possibilities'."""
    cells = [
        (table.id, r.id, c.id) for r in table.rows for c in table.columns if table.is_applicable(r.id, c.id)
    ]
    first, second = data.draw(st.lists(st.sampled_from(cells), min_size=2, max_size=2, unique=True))
    originals = {first: values[first], second: values[second]}
    for key in (first, second):
        values[key] = data.draw(st.integers(0, 5000).filter(originals[key].__ne__))
    report = validate_area(area_from_values(values))
    totals = [f for f in report.findings if f.rule.startswith("totals.") and f.table == table.id]
    assert totals
    located = [f for f in totals if f.explains]
    if located:
        assert {(f.table, f.row, f.column) for f in located} == {first, second}
        assert {(f.table, f.row, f.column): f.expected for f in located} == originals
        assert len(totals) == 2
    else:
        assert all(f.suggestion and f.suggestion.startswith("several possibilities") for f in totals)


def test_two_cancelling_changes_have_several_explanations() -> None:
    """+9 and -9 in one row leave the row adding up; two columns break, and several pairs explain it."""
    values = {(r, c): 10 for r in ("a", "b", "t") for c in ("x", "y", "t")}
    from mappa_stats.rules.locate import Equation

    equations = [
        Equation("totals.row", "at", ("ax", "ay")),
        Equation("totals.row", "bt", ("bx", "by")),
        Equation("totals.row", "tt", ("tx", "ty")),
        Equation("totals.column", "tx", ("ax", "bx")),
        Equation("totals.column", "ty", ("ay", "by")),
        Equation("totals.column", "tt", ("at", "bt")),
    ]
    grid = {"ax": 5, "ay": 5, "at": 10, "bx": 5, "by": 5, "bt": 10}
    grid |= {"tx": 10, "ty": 10, "tt": 20}
    assert values  # the plain consistent grid above, by construction
    grid["ax"] += 4
    grid["ay"] -= 4
    fixes = smallest_fixes(grid, equations)
    assert len(fixes) > 1
    assert any(set(f.cells) == {"ax", "ay"} for f in fixes)
