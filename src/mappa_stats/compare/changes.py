"""Every field of an area from one year given to the next: the key figures first, then every other field code
of the years' definitions (the Ministry's codes), each large change with the cell of each year's value, why
it is large, and for a total the fields whose changes explain it (by the year's equations)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

from mappa_stats.compare.result import Change, Thresholds
from mappa_stats.definitions.equations import equations
from mappa_stats.definitions.load import figures_template
from mappa_stats.rules.claims.fields import POPULATION_FIELD, year_fields

Values = Mapping[str, Mapping[str, float]]  # field code → year → value
# The rate's base in words (definitions' rate_base).
BASE_WORDS = {"all_ages": "all ages", "aged_10_plus": "aged 10+"}
# A total's change is explained by at most this many of its parts, the largest moves first.
MAX_EXPLAINING = 3


def field_labels(years: Sequence[str], values: Values, key: Mapping[str, str]) -> dict[str, str]:
    """Every field compared, in words: the key figures' labels, then each other field of the years'
    definitions given in the figures, in the definitions' order."""
    labels = dict(key)
    for year in years:
        template = figures_template(year)
        snapshot = template.role("grand_total")
        for code, (table_id, row_id, column_id) in template.field_refs.items():
            if code not in values or code in labels:
                continue
            table = template.table(table_id)
            if table.kind == "grid":
                cell = f"{table.column(column_id).short}, {table.row(row_id).label}"
                where = "31 March" if snapshot and table_id == snapshot[0] else table.title
                where += f" ({table.section})" if table.section else ""
                labels[code] = f"{cell}, {where}"
            else:
                row = table.row(row_id).label
                if table.kind != "list":
                    labels[code] = table.title
                else:  # a list's row is named by its row, with the table's title when it has several
                    labels[code] = f"{table.title}: {row}" if len(table.rows) > 1 else row
    for code in values:
        if code not in labels and code != POPULATION_FIELD:
            labels[code] = year_fields(years[-1]).words.get(code, code) if years else code
    return labels


def _why(thresholds: Thresholds, before: float, after: float) -> str:
    """Why a change is large, with the thresholds it passed."""
    percent = (after - before) * 100 / before
    bound = thresholds.noise * math.sqrt(before)
    way = f"a rise of {thresholds.rise:g}%" if percent > 0 else f"a fall of {thresholds.fall:g}%"
    moved = f"{abs(after - before):,.0f}"
    return f"{way} or more, and {moved} is more than {thresholds.noise:g} × √{before:,.0f} = {bound:,.1f}"


def _explained(code: str, before: str, after: str, values: Values) -> tuple[tuple[str, float], ...]:
    """The parts of a total (the later year's equations) whose changes make up its change, largest first."""
    for eq in equations(figures_template(after)):
        if eq.total != code:
            continue
        moved = []
        for part in eq.parts:
            series = values.get(part, {})
            if before in series and after in series and series[after] != series[before]:
                moved.append((part, series[after] - series[before]))
        if moved:
            moved.sort(key=lambda pair: -abs(pair[1]))
            return tuple(moved[:MAX_EXPLAINING])
    return ()


def _rate_bases(years: Sequence[str]) -> dict[str, str]:
    return {y: figures_template(y).rate_base for y in years}


def changes(
    years: Sequence[str],
    values: Values,
    labels: Mapping[str, str],
    places: Mapping[str, Mapping[str, str]],
    thresholds: Thresholds,
) -> list[Change]:
    """Each field from one year given to the next, large changes marked and explained; a rate whose base
    changed between the two years (all ages → aged 10+, 2013-14) is never called large."""
    bases = _rate_bases(years)
    rates = {year_fields(y).rate for y in years}
    out = []
    for code in labels:
        series = values.get(code, {})
        present = [y for y in years if y in series]
        for before, after in itertools.pairwise(present):
            a, b = series[before], series[after]
            large, why = thresholds.large(a, b), ""
            if code in rates and bases[before] != bases[after]:
                large = False
                why = (
                    f"the rate's base changed ({BASE_WORDS[bases[before]]} → {BASE_WORDS[bases[after]]}): "
                    "not compared as a change"
                )
            elif large:
                why = _why(thresholds, a, b)
            where = places.get(code, {})
            out.append(
                Change(
                    code,
                    before,
                    after,
                    a,
                    b,
                    large,
                    labels[code],
                    where.get(before, ""),
                    where.get(after, ""),
                    why,
                    _explained(code, before, after, values) if large else (),
                )
            )
    return out
