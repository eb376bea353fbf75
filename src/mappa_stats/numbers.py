"""Rounding, once: published MAPPA figures round half up (99.5 → 100); the Ministry's national pipeline
rounds with pandas, half to even (98.5 → 98). Every rate, share and stated figure is rounded here."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal


def half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round half up (2.5 → 3), as published figures are, to the given decimal places."""
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def half_even(value: Decimal, places: int = 0) -> Decimal:
    """Round half to even (2.5 → 2), as pandas' round in the Ministry's national pipeline does."""
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)


def rounding(name: str) -> Callable[[Decimal, int], Decimal]:
    """The rounding a definition names ('half_up' or 'half_even'): the national publication chooses its own
    (schemas/national.json), so which rule rounds a published figure is data, and the rule is written here
    only. Places may be negative: -2 rounds to the nearest 100."""
    chosen = {"half_up": half_up, "half_even": half_even}.get(name)
    if chosen is None:
        raise ValueError(f"unknown rounding {name!r}: half_up or half_even")
    return chosen


def judge(
    stated: Decimal, decimals: int, exact: Decimal, *, half_even_too: bool = False
) -> tuple[bool, Decimal]:
    """The one judgement of a stated figure: does the exact value, rounded to the stated precision, give it?

    Returns (reproduces, the exact value at the stated precision). With half_even_too an exact half may
    also round to even, as pandas' round in the Ministry's national pipeline does (the RSO rate)."""
    computed = half_up(exact, decimals)
    if computed == stated:
        return True, computed
    if half_even_too and half_even(exact, decimals) == stated:
        return True, stated
    return False, computed
