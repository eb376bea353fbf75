"""Point at the wrong cell: the fewest cells whose change makes every equality of the year hold.

This is the Fellegi–Holt principle (as in R's errorlocate): among all sets of cells that could be
changed so that every balance equation holds — the grids' totals and the year's cross-table equalities,
in one system split into parts that share no cell — take the smallest. A single mistyped inner
cell breaks exactly its row and its column, and only that cell lies on both; a mistyped row total breaks
its row and the Total column; and so on. When exactly one smallest set exists it is reported with the
values that satisfy every equation; when several exist, all are listed and none is called the culprit.
Then, as R's deductive does, the typed and suggested values are compared to name the likely slip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import combinations
from math import comb

from mappa_stats.definitions.equations import equations as year_equations
from mappa_stats.definitions.templates import Comparison, Ref, Severity, Template
from mappa_stats.findings import Finding
from mappa_stats.model import BLANK_ZERO, AreaTables, sheet_ref
from mappa_stats.numbers import judge
from mappa_stats.rules.shares import percent_text

MAX_CELLS_CHANGED = 4  # beyond this a grid is too far gone for a guess to help anyone
MAX_OPTIONS_LISTED = 6
LARGE_GROUP = 40  # cells; a grid has 16
MAX_COMBINATIONS = 200_000  # sets of cells tried at one size: bounds the time a hostile return can take

Key = str  # a field code


@dataclass(frozen=True)
class Equation:
    """total - sum(parts) == 0 over applicable cells, by field code."""

    rule: str
    total: Key
    parts: tuple[Key, ...]
    table: str = ""

    def coefficient(self, key: Key) -> int:
        """+1 for the total, -1 for a part, 0 for a cell not in this equation."""
        if key == self.total:
            return 1
        return -1 if key in self.parts else 0

    def residual(self, values: dict[Key, int]) -> int:
        """How far the equation is from holding."""
        return values[self.total] - sum(values[p] for p in self.parts)

    def cells(self) -> tuple[Key, ...]:
        """Every cell of the equation."""
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Fix:
    """One way to make the equations hold: new values for a set of cells (None: any of many values)."""

    cells: tuple[Key, ...]
    values: tuple[int, ...] | None


def components(template: Template) -> list[list[Equation]]:
    """The year's equalities in groups that share no cell: each grid, joined to others by '==' relations."""
    cached: list[list[Equation]] | None = template.__dict__.get("_components")
    if cached is None:
        cached = _components(template)
        object.__setattr__(template, "_components", cached)
    return cached


def _components(template: Template) -> list[list[Equation]]:
    eqs = [Equation(e.rule, e.total, e.parts, e.table) for e in year_equations(template)]
    groups: list[list[Equation]] = []
    for eq in eqs:
        mine = set(eq.cells())
        touching = [g for g in groups if any(mine & set(other.cells()) for other in g)]
        merged: list[Equation] = [eq]
        for g in touching:
            merged = g + merged
            groups.remove(g)
        groups.append(merged)
    order = {eq: i for i, eq in enumerate(eqs)}
    for g in groups:
        g.sort(key=lambda e: order[e])
    return groups


def equality_rules(template: Template) -> set[str]:
    """Rule ids whose failures the locator can explain: grid totals and '==' relations."""
    return {e.rule for e in year_equations(template)}


def _solve(rows: list[list[Fraction]], rhs: list[Fraction], unknowns: int) -> list[Fraction] | str | None:
    """Gaussian elimination: the unique solution, None when inconsistent, 'many' when not unique."""
    matrix = [[*row, b] for row, b in zip(rows, rhs, strict=True)]
    pivot_row = 0
    pivots = []
    for col in range(unknowns):
        pick = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pick is None:
            continue
        matrix[pivot_row], matrix[pick] = matrix[pick], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivots.append(col)
        pivot_row += 1
    if any(all(x == 0 for x in row[:-1]) and row[-1] != 0 for row in matrix):
        return None
    if len(pivots) < unknowns:
        return "many"
    solution = [Fraction(0)] * unknowns
    for r, col in enumerate(pivots):
        solution[col] = matrix[r][-1]
    return solution


def smallest_fixes(values: dict[Key, int], equations: list[Equation]) -> list[Fix]:
    """Every smallest set of cells whose change satisfies all equations with whole numbers >= 0."""
    violated = [e for e in equations if e.residual(values) != 0]
    if not violated:
        return []
    keys = sorted(values)
    if len(keys) > LARGE_GROUP:
        # A return's breakdowns join hundreds of cells: look for the slip among the broken equations' cells.
        keys = sorted({k for e in violated for k in e.cells()})
    for size in range(1, min(MAX_CELLS_CHANGED, len(keys)) + 1):
        if comb(len(keys), size) > MAX_COMBINATIONS:
            break  # too many ways to look through: the failures stand as found, unlocated
        fixes: list[Fix] = []
        for chosen in combinations(keys, size):
            # Each broken equation must contain a changed cell; cheap, and prunes almost everything.
            if not all(any(e.coefficient(k) for k in chosen) for e in violated):
                continue
            touched = [e for e in equations if any(e.coefficient(k) for k in chosen)]
            rows = [[Fraction(e.coefficient(k)) for k in chosen] for e in touched]
            rhs = [
                Fraction(-sum(e.coefficient(k) * v for k, v in values.items() if k not in chosen))
                for e in touched
            ]
            solution = _solve(rows, rhs, size)
            if solution is None:
                continue
            if solution == "many":
                fixes.append(Fix(chosen, None))
                continue
            assert isinstance(solution, list)
            if all(x.denominator == 1 and x >= 0 for x in solution):
                new = tuple(int(x) for x in solution)
                if all(n != values[k] for n, k in zip(new, chosen, strict=True)):
                    fixes.append(Fix(chosen, new))
        if fixes:
            return fixes
    return []


def name_slip(typed: int, correct: int) -> str | None:
    """The likely typing slip from correct to typed, or None when no simple slip fits."""
    a, b = str(abs(correct)), str(abs(typed))
    if typed == -correct and correct != 0:
        return "a minus sign typed"
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        ):
            return "probably two digits swapped"
        if len(diffs) == 1:
            return "probably one digit mistyped"
        return None
    if len(b) == len(a) - 1 and any(a[:i] + a[i + 1 :] == b for i in range(len(a))):
        return "probably a digit left out"
    if len(b) == len(a) + 1:
        for i in range(len(b)):
            if b[:i] + b[i + 1 :] == a:
                doubled = (i > 0 and b[i - 1] == b[i]) or (i + 1 < len(b) and b[i + 1] == b[i])
                return "probably a digit typed twice" if doubled else "probably an extra digit typed"
    return None


def _line_name(template: Template, equation: Equation) -> str:
    if not equation.table:
        # A relation's equality (a return's breakdown column, the outcomes of a charge): named by its cells.
        part_table, _row, part_column = template.field_refs[equation.parts[0]]
        part = template.table(part_table)
        same = {template.field_refs[p][0::2] for p in equation.parts} == {(part_table, part_column)}
        if same:
            return f"the {part.display_title!r} column {part.column(part_column).short}"
        total_table, row_id, column_id = template.field_refs[equation.total]
        return f"the parts of {template.table(total_table).describe(row_id, column_id)}"
    table = template.table(equation.table)
    _table, row_id, column_id = template.field_refs[equation.total]
    row, column = table.row(row_id), table.column(column_id)
    if equation.rule == "totals.row":
        return "the Total row" if row.is_total else f"the {row.label} row"
    return "the Total column" if column.is_total else f"the {column.short} column"


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"both {names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _values(area: AreaTables, keys: Iterable[Key]) -> dict[Key, int] | None:
    """Whole-number values of these cells, or None when any holds no count."""
    values: dict[Key, int] = {}
    for key in keys:
        cell = area.cell(*area.template.field_refs[key])
        if cell is None or cell.count is None or not cell.count.is_integer():
            return None
        values[key] = int(cell.count)
    return values


def _ref(area: AreaTables, key: Key) -> str:
    cell = area.cell(*area.template.field_refs[key])
    assert cell is not None
    return cell.source if not cell.sheet else sheet_ref(cell.sheet, cell.cell)


def typed(area: AreaTables, group: list[Equation]) -> list[Equation]:
    """The equations among typed cells: a derived total (a return's) is its parts, not a cell to change."""

    def derived(key: Key) -> bool:
        cell = area.cell(*area.template.field_refs[key])
        return cell is not None and cell.derived

    return [eq for eq in group if not any(derived(k) for k in eq.cells())]


def usable(area: AreaTables, group: list[Equation]) -> list[Equation]:
    """The equations among typed cells, outside any table with a cell that holds no count (a blank) and any
    optional table left wholly blank: a blank in one table (a breakdown joined to the 31 March grid) leaves
    the other tables' equations to be located, while its own table's sums are not guessed through."""
    refs = area.template.field_refs
    holed = set(area.blank_optional())
    for eq in group:
        for key in eq.cells():
            cell = area.cell(*refs[key])
            if cell is None or cell.count is None or not cell.count.is_integer():
                holed.add(refs[key][0])
    return [eq for eq in typed(area, group) if not any(refs[k][0] in holed for k in eq.cells())]


def locate(area: AreaTables, group: list[Equation]) -> tuple[dict[Key, int], list[Fix]] | None:
    """A group's values and its smallest fixes, among its usable equations; None when none is usable."""
    group = usable(area, group)
    values = _values(area, sorted({k for eq in group for k in eq.cells()}))
    if values is None or not group:
        return None
    return values, smallest_fixes(values, group)


def _culprit_findings(
    area: AreaTables, equations: list[Equation], values: dict[Key, int], fix: Fix
) -> list[Finding]:
    assert fix.values is not None
    template = area.template
    violated = [e for e in equations if e.residual(values) != 0]
    out = []
    partners = dict(zip(fix.cells, fix.values, strict=True))
    for key, new in partners.items():
        table_id, row_id, column_id = template.field_refs[key]
        table = template.table(table_id)
        cell = area.cell(table_id, row_id, column_id)
        assert cell is not None
        explained = [e for e in violated if e.coefficient(key)]
        lines = [_line_name(template, e) for e in explained] or ["the equations"]
        typed = values[key]
        slip = "blank, read as 0" if cell.issue == BLANK_ZERO else name_slip(typed, new)
        others = [f"{_ref(area, k)} → {v:,}" for k, v in partners.items() if k != key]
        together = f" (together with {', '.join(others)})" if others else ""
        ref = _ref(area, key)
        # Figures as people read them, with thousands separators (1,548), as every report prints counts.
        message = f"{ref} reads {typed:,}; {new:,} would make {_join(lines)} add up{together}" + (
            f" — {slip}" if slip else ""
        )
        if table.kind == "grid" and any(e.table for e in explained):
            # A column total (in the Total row) goes under the column rule; any other grid cell, the row rule.
            column_total = table.row(row_id).is_total and not table.column(column_id).is_total
            rule = "totals.column" if column_total else "totals.row"
        else:
            rule = explained[0].rule if explained else "totals.row"
        out.append(
            Finding(
                rule=rule,
                severity=Severity.ERROR,
                table=table.id,
                row=row_id,
                column=column_id,
                sheet=cell.sheet,
                cell=cell.cell,
                expected=new,
                actual=typed,
                message=f"{message} (in {table.display_title!r})",
                suggestion=f"change {ref} from {typed:,} to {new:,}" + (f" ({slip})" if slip else ""),
                explains=tuple(f"{e.rule}: {_line_name(template, e)}" for e in explained),
                field=key,
            )
        )
    return out


def _options(area: AreaTables, fixes: list[Fix]) -> str:
    shown = []
    for fix in fixes[:MAX_OPTIONS_LISTED]:
        if fix.values is None:
            shown.append(" and ".join(_ref(area, k) for k in fix.cells) + " (several values)")
        else:
            shown.append(
                " and ".join(f"{_ref(area, k)} → {v:,}" for k, v in zip(fix.cells, fix.values, strict=True))
            )
    more = f"; and {len(fixes) - MAX_OPTIONS_LISTED} more" if len(fixes) > MAX_OPTIONS_LISTED else ""
    return "; ".join(shown) + more


def explain_totals(area: AreaTables, findings: Iterable[Finding]) -> list[Finding]:
    """Replace the failures of a group of equalities by one finding per culprit cell when it is certain.

    When several smallest changes fit, the failures stay as they are and each names the options.
    """
    findings = list(findings)
    groups = components(area.template)
    group_of = {k: i for i, g in enumerate(groups) for eq in g for k in eq.cells()}
    rules = equality_rules(area.template)
    by_group: dict[int, list[Finding]] = {}
    for f in findings:
        if f.rule in rules and f.field in group_of:
            by_group.setdefault(group_of[f.field], []).append(f)
    out: list[Finding] = []
    done: set[int] = set()
    for f in findings:
        if f.rule not in rules or f.field not in group_of:
            out.append(f)
            continue
        index = group_of[f.field]
        if index in done:
            continue
        done.add(index)
        group = by_group[index]
        located = locate(area, groups[index])
        if located is None or not located[1]:
            out.extend(group)
            continue
        values, fixes = located
        if len(fixes) == 1 and fixes[0].values is not None:
            out.extend(_culprit_findings(area, usable(area, groups[index]), values, fixes[0]))
            # A failure of an equation left out (through a blank cell) stands as found.
            out.extend(g for g in group if g.field not in values)
            continue
        size = len(fixes[0].cells)
        what = "one of these cells" if size == 1 else f"of these sets of {size} cells"
        tables = {eq.table for eq in groups[index]}
        whole = "the grid" if len(tables) == 1 and "" not in tables else "the equations"
        note = (
            f"several possibilities: changing any {what} would make {whole} add up, so the "
            f"sums alone cannot tell which is wrong: {_options(area, fixes)}"
        )
        out.extend(replace(g, suggestion=note) for g in group)
    return _fold_relations(area, out)


# A relation's comparison, for one instance (templates.OPS: the operators a definition may use).
_HOLDS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b}


def _fold_relations(area: AreaTables, findings: list[Finding]) -> list[Finding]:
    """A relation (or a stated share) broken only because of a cell the locator has corrected is that slip,
    not a second problem with advice of its own ('the yearly figure should be at least 84' beside 'change D12
    from 84 to 48'; 'state 100%' beside 'change E2 from 2353 to 2335'): with the corrections made it holds, so
    its finding joins the corrected cell's."""
    fixes = {f.field: f.expected for f in findings if f.explains and f.field and isinstance(f.expected, int)}
    if not fixes:
        return findings
    corrected = _Corrected(area, fixes)
    out: list[Finding] = []
    joined: dict[str, list[str]] = {}
    for f in findings:
        by = corrected.explains(f)
        if by is None:
            out.append(f)
        else:
            joined.setdefault(by, []).append(f"{f.rule}: {f.message}")
    return [_joined(f, joined[f.field]) if f.field in joined and f.explains else f for f in out]


class _Corrected:
    """An area's figures as typed and with the locator's corrections made, to tell which broken relations
    and stated shares the corrections mend."""

    def __init__(self, area: AreaTables, fixes: dict[str, int]) -> None:
        self.fixes = fixes
        self.template = template = area.template
        self.relations = {r.id: r for r in template.relations}
        self.claims = {c.rule: c for c in template.claims}
        self.parts = {eq.total: eq.parts for eq in year_equations(template) if eq.table}
        self.cells = {template.field_of(k): c for k, c in area.cells().items()}

    def value(self, code: str, corrected: bool) -> float | None:
        """A field's count, typed or corrected; a derived total through the cells it adds up."""
        if corrected and code in self.fixes:
            return float(self.fixes[code])
        cell = self.cells.get(code)
        if cell is not None and cell.derived and code in self.parts:
            found = [self.value(p, corrected) for p in self.parts[code]]
            return None if None in found else sum(v for v in found if v is not None)
        return None if cell is None else cell.count

    def touched(self, refs: Iterable[Ref]) -> str | None:
        """The first corrected field among these cells and the typed cells their totals add up."""
        leaves = _leaves(refs, self.template, self.parts)
        return next((c for c in self.fixes if c in leaves), None)

    def explains(self, finding: Finding) -> str | None:
        """The corrected field that mends the relation (or stated share) at this finding, or None."""
        if finding.rule in self.claims:
            return self.share_mended(finding)
        relation = self.relations.get(finding.rule)
        if relation is None or not finding.field:
            return None
        mended: str | None = None
        for comparison in relation.comparisons:
            for left, right in self.template.expand(comparison):
                if self.template.field_of(left[0]) != finding.field:
                    continue
                holds = [self.holds(comparison, left, right, corrected) for corrected in (False, True)]
                if None in holds:
                    return None
                if holds[1] is not True:
                    return None  # still broken once corrected: a problem of its own
                if not holds[0]:
                    mended = mended or self.touched((*left, *right))
        return mended

    def holds(
        self, comparison: Comparison, left: Iterable[Ref], right: Iterable[Ref], corrected: bool
    ) -> bool | None:
        """Whether one instance of a comparison holds, typed or corrected; None when a figure is missing."""
        lv = [self.value(self.template.field_of(r), corrected) for r in left]
        rv = [self.value(self.template.field_of(r), corrected) for r in right]
        if None in lv or None in rv:
            return None
        total = sum(v for v in lv if v is not None)
        bound = sum(v for v in rv if v is not None) * comparison.factor
        return bool(_HOLDS[comparison.op](total, bound))

    def share_mended(self, finding: Finding) -> str | None:
        """The corrected field that makes a stated share (a claim of the year) reproduce, or None."""
        claim = self.claims[finding.rule]
        stated = percent_text(str(finding.actual))
        codes = [self.template.field_of(claim.numerator), self.template.field_of(claim.denominator)]
        corrected = [self.value(c, True) for c in codes]
        if stated is None or None in corrected or not corrected[1]:
            return None
        exact = Decimal(corrected[0] or 0) * 100 / Decimal(corrected[1] or 1)
        if not judge(stated[0], stated[1], exact)[0]:
            return None
        return self.touched((claim.numerator, claim.denominator))


def _joined(finding: Finding, folded: list[str]) -> Finding:
    """The corrected cell's finding, explaining the folded ones too, and saying so in its suggestion."""
    rules = list(dict.fromkeys(e.split(":", 1)[0] for e in folded))
    mends = f"; that also mends {_join(rules)}"
    suggestion = (finding.suggestion or "") + mends if finding.suggestion else mends.lstrip("; ")
    return replace(finding, explains=(*finding.explains, *folded), suggestion=suggestion)


def _leaves(refs: Iterable[Ref], template: Template, parts: dict[str, tuple[str, ...]]) -> set[str]:
    """The field codes of these cells and of every typed cell their derived totals add up."""
    out: set[str] = set()
    pending = [template.field_of(r) for r in refs]
    while pending:
        code = pending.pop()
        if code not in out:
            out.add(code)
            pending.extend(parts.get(code, ()))
    return out
