"""The wide frame and its pandera schema: one row per return, one column per field code.

This is the shape a national pipeline holds (the Ministry's own pandas code builds it from the 42 returns):
`area`, `year`, then one float column per field code of the year, NaN where a cell holds no usable number
(blank, '-', a not-collected marker, text). A year's definition compiles to a pandera `DataFrameSchema` over
it: whole numbers of 0 or more, not-applicable fields empty, every total and every relation of the year as
row-wise checks, run vectorised over all rows at once. `validate` runs this same schema; failure cases map
back to findings at their cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mappa_stats.definitions.equations import Equation, equations
from mappa_stats.definitions.load import load_template
from mappa_stats.definitions.templates import Comparison, RelationRule, Template
from mappa_stats.model import NUMERIC_ISSUES, AreaTables

if TYPE_CHECKING:
    import pandera.pandas as pa

KEYS = ("area", "year")


def count_fields(template: Template) -> tuple[list[str], list[str]]:
    """(applicable count fields, not-applicable fields) of the year."""
    counts, empty = [], []
    for table, row, column in template.cells():
        code = table.fields[(row.id, column.id)]
        if not table.is_applicable(row.id, column.id):
            empty.append(code)
        elif table.cell_value_type(row.id) == "count":
            counts.append(code)
    return counts, empty


def wide(areas: Sequence[AreaTables]) -> pd.DataFrame:
    """One row per return, one column per field code of their (shared) year."""
    if not areas:
        return pd.DataFrame(columns=list(KEYS))
    template = areas[0].template
    codes = list(template.field_refs)
    rows = []
    for area in areas:
        cells = area.cells()
        values: list[float] = []
        for code in codes:
            cell = cells.get(template.field_refs[code])
            usable = cell is not None and cell.value is not None and cell.issue in NUMERIC_ISSUES
            values.append(
                cell.value if usable and cell is not None and cell.value is not None else float("nan")
            )
        rows.append(values)
    frame = pd.DataFrame(rows, columns=codes, dtype="float64")
    frame.insert(0, "year", [a.template.year for a in areas])
    frame.insert(0, "area", [a.meta.area or "" for a in areas])
    return frame


class Values:
    """The frame's fields as a float matrix: NaN where a cell is missing or not a usable count."""

    def __init__(self, d: pd.DataFrame, template: Template) -> None:
        self.codes = list(template.field_refs)
        self.at = {code: i for i, code in enumerate(self.codes)}
        raw = d.reindex(columns=self.codes).to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            self.raw = raw
            self.counts = np.where((raw >= 0) & (raw == np.round(raw)), raw, np.nan)

    def column(self, code: str, counts: bool = True) -> np.ndarray:
        """One field for every row."""
        matrix: np.ndarray = self.counts if counts else self.raw
        return matrix[:, self.at[code]]

    def block(self, codes: Sequence[str]) -> np.ndarray:
        """Several fields as counts, one column each."""
        return self.counts[:, [self.at[c] for c in codes]]


def equation_ok(v: Values, eq: Equation) -> np.ndarray:
    """True where the equation holds or cannot be judged; known parts still bound a partly unknown total."""
    total = v.column(eq.total)
    parts = v.block(eq.parts)
    known = np.nansum(parts, axis=1)
    complete = ~np.isnan(parts).any(axis=1)
    with np.errstate(invalid="ignore"):
        holds: np.ndarray = np.isnan(total) | (complete & (total == known)) | (~complete & (known <= total))
    return holds


def comparison_ok(v: Values, template: Template, comparison: Comparison) -> dict[str, np.ndarray]:
    """For each expansion of a comparison: its first left field → True where it holds or cannot be judged."""
    out: dict[str, np.ndarray] = {}
    for left, right in template.expand(comparison):
        lcodes = [template.field_of(r) for r in left]
        rcodes = [template.field_of(r) for r in right]
        if comparison.op == "==" and (len(left) == 1 or len(right) == 1):
            one, many = (lcodes, rcodes) if len(lcodes) == 1 else (rcodes, lcodes)
            ok = equation_ok(v, Equation("", one[0], tuple(many)))
        else:
            lv, rv = v.block(lcodes), v.block(rcodes)
            lsum, rsum = np.nansum(lv, axis=1), np.nansum(rv, axis=1)
            lfull, rfull = ~np.isnan(lv).any(axis=1), ~np.isnan(rv).any(axis=1)
            bound = rsum * comparison.factor
            if comparison.op == "<=":
                # Unknown cells on the left only add to it: the known ones already bound it from below.
                ok = ~rfull | (lsum <= bound)
            elif comparison.op == ">=":
                ok = ~lfull | (lsum >= bound)
            else:
                ok = ~(lfull & rfull) | (lsum == bound)
            if comparison.exempt_above is not None:
                ok = ok | (lfull & rfull & (lsum > rsum * comparison.exempt_above))
            # A finding sits at the first left cell: where that cell is unknown, nothing can be pinned on it.
            ok = ok | np.isnan(lv[:, 0])
        key = lcodes[0]
        out[key] = ok if key not in out else (out[key] & ok)
    return out


RuleCheck = Callable[[Values], dict[str, np.ndarray]]


def rule_checks(template: Template) -> dict[str, RuleCheck]:
    """The year's schema rules: rule id → function giving, per field it judges, True where it holds."""
    counts, empty = count_fields(template)
    eqs = equations(template)

    def whole(v: Values) -> dict[str, np.ndarray]:
        out = {}
        for code in counts:
            raw = v.column(code, counts=False)
            with np.errstate(invalid="ignore"):
                out[code] = np.isnan(raw) | ((raw >= 0) & (raw == np.round(raw)))
        return out

    def not_applicable(v: Values) -> dict[str, np.ndarray]:
        return {code: np.isnan(v.column(code, counts=False)) for code in empty}

    def totals(rule: str) -> RuleCheck:
        return lambda v: {eq.total: equation_ok(v, eq) for eq in eqs if eq.rule == rule}

    def relation(rule: RelationRule) -> RuleCheck:
        def check(v: Values) -> dict[str, np.ndarray]:
            out: dict[str, np.ndarray] = {}
            for comparison in rule.comparisons:
                for code, ok in comparison_ok(v, template, comparison).items():
                    out[code] = out[code] & ok if code in out else ok
            return out

        return check

    checks: dict[str, RuleCheck] = {
        "values.whole_number": whole,
        "cells.not_applicable": not_applicable,
        "totals.row": totals("totals.row"),
        "totals.column": totals("totals.column"),
    }
    for rule in template.relations:
        checks[rule.id] = relation(rule)
    return checks


def compile_schema(template: Template) -> pa.DataFrameSchema:
    """The year's consistency rules as one pandera DataFrameSchema over the wide frame (built once)."""
    compiled: pa.DataFrameSchema | None = template.__dict__.get("_schema")
    if compiled is None:
        compiled = _compile(template)
        object.__setattr__(template, "_schema", compiled)
    return compiled


def _checks_only(template: Template) -> pa.DataFrameSchema:
    """The same schema's checks without its column declarations, for frames `wide` built (float64 already):
    declaring and coercing each of ~80 columns costs more than every check together."""
    compiled: pa.DataFrameSchema | None = template.__dict__.get("_checks_only")
    if compiled is None:
        import pandera.pandas as pa

        # The checks alone: building ~80 column declarations costs ~0.15 s a year, paid by every run.
        compiled = pa.DataFrameSchema(checks=_checks(template), name=f"MAPPA returns {template.year}")
        object.__setattr__(template, "_checks_only", compiled)
    return compiled


def _compile(template: Template) -> pa.DataFrameSchema:
    """Every column declared: count fields required and never blank, not-applicable fields blank-able,
    `area` and `year` present, unknown columns refused (strict)."""
    import pandera.pandas as pa

    counts, _empty = count_fields(template)
    required = set(counts)
    columns = {"area": pa.Column(str), "year": pa.Column(str)}
    for code in template.field_refs:
        columns[code] = pa.Column(
            "float64", pa.Check.ge(0), nullable=code not in required, required=True, coerce=True
        )
    return pa.DataFrameSchema(
        columns, checks=_checks(template), name=f"MAPPA returns {template.year}", strict=True, coerce=True
    )


def _checks(template: Template) -> list[pa.Check]:
    """The year's rules as pandera checks, each row-wise over the wide frame (built once a year)."""
    cached: list[pa.Check] | None = template.__dict__.get("_checks")
    if cached is not None:
        return cached
    import pandera.pandas as pa

    def row_wise(fn: RuleCheck) -> Callable[[pd.DataFrame], pd.DataFrame | pd.Series]:
        def check(d: pd.DataFrame) -> pd.DataFrame | pd.Series:
            # One boolean per cell where a row fails: pandera's failure cases then carry the row and the
            # fields that break it. Where every row holds, one boolean per row: pandera turns a cell-wise
            # answer into failure cases column by column even when nothing fails (a national run of 43
            # returns spent half a second there), and a row-wise answer costs nothing.
            ok = np.ones(d.shape, dtype=bool)
            at = {code: i for i, code in enumerate(d.columns)}
            for code, holds in fn(Values(d, template)).items():
                if code in at:
                    ok[:, at[code]] &= holds
            if ok.all():
                return pd.Series(True, index=d.index)
            return pd.DataFrame(ok, index=d.index, columns=d.columns)

        return check

    checks = [
        pa.Check(row_wise(fn), name=rule, ignore_na=False) for rule, fn in rule_checks(template).items()
    ]
    object.__setattr__(template, "_checks", checks)
    return checks


def schema(year: str = "2014-15") -> pa.DataFrameSchema:
    """The pandera schema of a reporting year, for a wide frame of returns (`mappa_stats.read`)."""
    return compile_schema(load_template(year))


def load_checker() -> None:
    """Load pandas, pandera and pandera's pandas backend by checking a one-cell frame: what the first real
    check would pay, paid once, before the files are read (`validate.read_files`'s `prepare`)."""
    import pandera.pandas as pa

    one_cell = pd.DataFrame({"x": [0.0]})
    pa.DataFrameSchema(checks=[pa.Check(lambda df: df.notna())]).validate(one_cell, lazy=True)


def failures(template: Template, frame: pd.DataFrame) -> dict[int, dict[str, set[str]]]:
    """Run the year's schema over the frame: row position → rule → the fields where it fails.

    Each check answers cell by cell, so pandera's own failure cases name the row and the fields.
    """
    import pandera.pandas as pa

    frame = frame.reset_index(drop=True)
    out: dict[int, dict[str, set[str]]] = {}
    try:
        _checks_only(template).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for check, index, case in zip(cases["check"], cases["index"], cases["failure_case"], strict=True):
            if index is None or pd.isna(index) or not isinstance(case, dict):
                raise RuntimeError(f"the {check} check could not run ({case})") from exc
            out.setdefault(int(index), {}).setdefault(str(check), set()).update(map(str, case))
    return out


def read(path: Any, year: str | None = None) -> pd.DataFrame:
    """A file's wide frame (one row): `area`, `year` and one column per field code."""
    from pathlib import Path

    from mappa_stats.io.readers import read_area

    return wide([read_area(Path(path), year)])
