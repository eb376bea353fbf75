"""Figures the input lacks that the year's equations fix exactly from figures it has: a total from all its
parts ("TOTAL_MAPPA_OFFENDERS 717, the sum of CAT1TOT 587 + CAT2TOT 127 + CAT3TOT 3 as given"), or the one
missing part of a total from the total and the other parts. Claims, rates and compare use them and say so;
where the parts are incomplete, `why_not` names the parts that are missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from mappa_stats.definitions.equations import Equation, equations
from mappa_stats.definitions.load import figures_template


@dataclass(frozen=True)
class Derived:
    """A figure worked out from others by one of the year's equations, and how, in words."""

    code: str
    value: Decimal
    how: str  # 'TOTAL_MAPPA_OFFENDERS 717, the sum of CAT1TOT 587 + CAT2TOT 127 + CAT3TOT 3 as given'


def _n(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value.normalize():,f}"


def _whole(value: Decimal) -> bool:
    return value >= 0 and value == value.to_integral_value()


def _year_equations(year: str) -> list[Equation]:
    return equations(figures_template(year))


def derive(year: str, given: Mapping[str, Decimal]) -> dict[str, Derived]:
    """Every figure of the year the equations fix from the figures given (and from those derived), by field
    code; a figure given is never replaced. Only whole counts of 0 or more are added or taken apart."""
    known: dict[str, Decimal] = dict(given)
    found: dict[str, Derived] = {}
    changed = True
    while changed:
        changed = False
        for eq in _year_equations(year):
            have = [known.get(p) for p in eq.parts]
            total = known.get(eq.total)
            if total is None and all(v is not None and _whole(v) for v in have):
                value = sum((v for v in have if v is not None), Decimal(0))
                terms = " + ".join(f"{p} {_n(known[p])}" for p in eq.parts)
                how = f"{eq.total} {_n(value)}, the sum of {terms}"
                found[eq.total] = Derived(eq.total, value, how + _as_given(eq.parts, found))
                known[eq.total] = value
                changed = True
                continue
            absent = [p for p, v in zip(eq.parts, have, strict=True) if v is None]
            if total is None or len(absent) != 1 or not _whole(total):
                continue
            others = [p for p in eq.parts if p != absent[0]]
            if not all(_whole(known[p]) for p in others):
                continue
            value = total - sum((known[p] for p in others), Decimal(0))
            if value < 0:
                continue  # the figures given do not add up: nothing can be derived from them
            less = " and ".join(f"{p} {_n(known[p])}" for p in others)
            how = f"{absent[0]} {_n(value)}, {eq.total} {_n(total)} less {less}"
            found[absent[0]] = Derived(absent[0], value, how + _as_given((eq.total, *others), found))
            known[absent[0]] = value
            changed = True
    return found


def _as_given(codes: tuple[str, ...], found: Mapping[str, Derived]) -> str:
    """' as given', or which of the figures used were themselves derived."""
    derived = [c for c in codes if c in found]
    return " as given" if not derived else f" ({', '.join(derived)} derived too)"


def why_not(year: str, code: str, given: Mapping[str, Decimal]) -> str:
    """Why a figure cannot be derived: the parts missing of the equation that comes nearest, in words
    (' (nor can it be derived: CAT1TOT + CAT2TOT + CAT3TOT lacks CAT3TOT)'), or '' when no equation makes
    it or none of its parts is given."""
    best: tuple[int, Equation, list[str]] | None = None
    for eq in _year_equations(year):
        if eq.total != code:
            continue
        absent = [p for p in eq.parts if p not in given]
        if best is None or len(absent) < best[0]:
            best = (len(absent), eq, absent)
    if best is None or best[0] == len(best[1].parts):
        return ""  # none of the parts is given either: nothing nearer to say
    _, eq, absent = best
    return f" (nor can it be derived: {' + '.join(eq.parts)} lacks {', '.join(absent)})"
