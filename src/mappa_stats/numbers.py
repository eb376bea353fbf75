"""Numbers, once: reading one from what an input holds (read_number, count: the one parser every reader
uses), and rounding: published MAPPA figures round half up (99.5 → 100); the Ministry's national pipeline
rounds with pandas, half to even (98.5 → 98). Every rate, share and stated figure is rounded here."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation


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


# --- reading a number: one parser for every input ----------------------------------------------------
# A workbook cell, a return's field, a tidy CSV value, a report's printed figure, a population, a long CSV's
# figure, a stated figure in a claim: each is read here, so '1e20', '1,548', '１５４８' or 'inf' gets the same
# answer whatever file it is in. A count is a whole number of 0 or more, of at most MAX_DIGITS digits
# however it is written ('1e20' has 21): England and Wales has 60 million people and no area counts a
# billion of anything, so a longer number is a slip or a forgery (and float sums stay exact far beyond it).
MAX_DIGITS = 10
COUNT_LIMIT = 10**MAX_DIGITS  # a count is below this

# Why a text is not the number wanted (a Reading's problem, or what count() finds), and the words for it.
NOT_A_NUMBER = "text"
OTHER_DIGITS = "other_digits"
NOT_FINITE = "not_finite"
TOO_LARGE = "too_large"
NOT_WHOLE = "decimal"
NEGATIVE = "negative"
PERCENT = "percentage"
WHY = {
    NOT_A_NUMBER: "is not a number",
    OTHER_DIGITS: "is not written in the digits 0-9",
    NOT_FINITE: "is not a finite number",
    TOO_LARGE: f"has more than {MAX_DIGITS} digits",
    NOT_WHOLE: "is not a whole number",
    NEGATIVE: "is negative",
    PERCENT: "is a percentage, not a count",
}

# Digits, a decimal point and an exponent as Excel and Python both read them ('12', '12.0', '.5', '1E3'); or
# thousands grouped by one separator used throughout ('1,548', '1 510 354' with plain or no-break spaces).
# ASCII only: the same shapes in any other script's digits are OTHER_DIGITS, never silently the number.
_PLAIN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_GROUPED = r"[+-]?\d{1,3}(?P<sep>[, \u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?"
_ASCII_PLAIN = re.compile(_PLAIN, re.ASCII)
_ASCII_GROUPED = re.compile(_GROUPED, re.ASCII)
_ANY_SCRIPT = re.compile(f"{_PLAIN}|{_GROUPED}")
_NOT_FINITE = {"inf", "infinity", "nan"}


@dataclass(frozen=True)
class Reading:
    """A number as written: its value (None when it is not one, with the problem), whether its thousands
    were grouped, whether it ended in %, and the decimal places written ('1.50' has 2)."""

    value: Decimal | None
    problem: str = ""
    grouped: bool = False
    percent: bool = False
    places: int = 0


def read_number(content: str | float) -> Reading:
    """A number from a cell's, field's or line's content: text as written ('  1,548 ', '12%', '1E3'), or a
    number a spreadsheet saved (an int or float). Never expands '1e999999999'."""
    if isinstance(content, (int, float)):
        return _stored(content)
    body = content.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    grouped = _ASCII_GROUPED.fullmatch(body)
    if grouped:
        body = body.replace(grouped.group("sep"), "")
    elif not _ASCII_PLAIN.fullmatch(body):
        if body.lstrip("+-").casefold() in _NOT_FINITE:
            return Reading(None, NOT_FINITE, percent=percent)
        return Reading(None, OTHER_DIGITS if _ANY_SCRIPT.fullmatch(body) else NOT_A_NUMBER, percent=percent)
    try:
        value = Decimal(body)
        if value and value.adjusted() >= MAX_DIGITS:
            return Reading(None, TOO_LARGE, bool(grouped), percent)
    except InvalidOperation:  # an exponent beyond Decimal's own: far too large (or far too small) for a count
        return Reading(None, TOO_LARGE, bool(grouped), percent)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Reading(value + 0, "", bool(grouped), percent, places)  # + 0: '-0' is 0


def _stored(number: float) -> Reading:
    """A number a spreadsheet saved as one."""
    if isinstance(number, float) and not math.isfinite(number):
        return Reading(None, NOT_FINITE)
    if abs(number) >= COUNT_LIMIT:
        return Reading(None, TOO_LARGE)
    value = Decimal(number) if isinstance(number, int) else Decimal(repr(number))
    return read_number(str(value)) if isinstance(number, float) else Reading(value)


def count_problem(reading: Reading) -> str:
    """Why a reading is not a count (a key of WHY), or '' when it is one: a whole number of 0 or more."""
    if reading.value is None:
        return reading.problem
    if reading.percent:
        return PERCENT
    if reading.value != reading.value.to_integral_value():
        return NOT_WHOLE
    return NEGATIVE if reading.value < 0 else ""


def count(text: str) -> tuple[int | None, str]:
    """A count from text, as (the count, '') or (None, why not: a key of WHY). A plain number of digits
    ('519695', the common case in a file of 700,000) is read without more ado."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text), ""
    reading = read_number(text)
    problem = count_problem(reading)
    return (None, problem) if problem or reading.value is None else (int(reading.value), "")
