"""Stated shares: a share the year's definition says a workbook states (the Level 1 share of the
commentary, kept beside the tables or given with --level1-share), judged against the figures it is the
share of, at the precision it was stated in."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from mappa_stats.definitions.templates import Claim
from mappa_stats.findings import Finding, plain
from mappa_stats.model import PERCENT, TEXT_NUMBER, Cell
from mappa_stats.numbers import half_up, judge
from mappa_stats.rules.rule import Context, Rule, finding, input_form

# How a stated figure may have been read and still be a percentage: typed, as text, or a bare decimal.
_READABLE = ("", PERCENT, TEXT_NUMBER, "decimal")


def percent_text(text: str) -> tuple[Decimal, int, bool] | None:
    """'99%' → (99, 0 decimals, had a % sign); None when it is not a number."""
    body = text.strip()
    has_sign = body.endswith("%")
    body = body.rstrip("%").strip()
    if len(body) > 20:  # beyond any stated share, and beyond Decimal's 28-digit rounding
        return None
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if not number.is_finite() or abs(number.adjusted()) > 6:
        return None
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number, decimals, has_sign


def _as_percent(fraction: Decimal) -> str:
    """0.99 → '99%', 1 → '100%', 0.995 → '99.5%': a share kept as a fraction, as a percentage."""
    text = f"{fraction * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def share_rule(claim: Claim) -> Rule:
    """The rule of one stated share of the year's definition, from the workbook or --level1-share."""

    def check(ctx: Context) -> Iterator[Finding]:
        stated = _stated(ctx, claim)
        if stated is not None:
            yield from _judge(made, claim, ctx, *stated)

    made = Rule(claim.rule, claim.severity, claim.description, check)
    return made


def _not_a_percentage(parsed: tuple[Decimal, int, bool] | None, where: Cell | None) -> tuple[str, str] | None:
    """Why a stated share is not a percentage (the words after 'is not a percentage', and what was
    expected), or None when it is one."""
    if parsed is None or (where is not None and where.issue not in _READABLE):
        return "", "a percentage such as 99%"
    if not 0 <= parsed[0] <= 100:
        return (
            ": a share cannot be above 100% (a count typed where the percentage belongs?)",
            "a percentage between 0 and 100",
        )
    return None


def _stated(ctx: Context, claim: Claim) -> tuple[str, Cell | None] | None:
    """The stated share as text and the cell it is in (None: given with --level1-share); None, with the
    rule skipped or not applicable, when nothing states it."""
    area = ctx.area
    template = area.template
    stated_cell = area.cell(*claim.stated)
    given = ctx.level1_share if claim.stated == template.role("level1_share") else None
    if given is not None:
        typed = percent_text(given)
        if typed is not None and not typed[2] and 0 < typed[0] <= 1:
            # A share typed as a fraction (0.99) means 99%, as the workbook's own 0.99 does.
            return _as_percent(typed[0]), None
        return given, None
    if stated_cell is not None and not stated_cell.marker:
        if stated_cell.issue == "decimal" and stated_cell.value is not None and 0 < stated_cell.value <= 1:
            # A share kept as a fraction whose % format was lost (OpenDocument, CSV): 0.99 is 99%.
            return _as_percent(Decimal(stated_cell.raw)), stated_cell
        return stated_cell.raw, stated_cell
    if stated_cell is None and template.report_only(claim.stated[0]):
        level1 = claim.stated == template.role("level1_share")
        option = "; give --level1-share to check one stated elsewhere" if level1 else ""
        form = input_form(area)
        says = "carries" if form == "a return" else "has"
        ctx.does_not_apply(claim.rule, f"{form} {says} no stated {claim.name}{option}")
        return None
    ctx.skip(claim.rule, f"no stated {claim.name} in the workbook and none given on the command line")
    return None


def _judge(made: Rule, claim: Claim, ctx: Context, stated_text: str, where: Cell | None) -> Iterator[Finding]:
    """The finding when the stated share is not a percentage, or is not what its figures give."""
    area = ctx.area
    code = area.template.field_of(claim.stated)
    source = "--level1-share" if where is None else where.source
    parsed = percent_text(stated_text)
    wrong = _not_a_percentage(parsed, where)
    if wrong is not None or parsed is None:
        why, expected = wrong or ("", "")
        yield finding(
            made,
            where,
            f"the stated {claim.name} {stated_text!r} ({source}) is not a percentage{why}",
            expected=expected,
            actual=stated_text,
            table=claim.stated[0],
            suggestion=claim.suggestion,
            field_code=code,
        )
        return
    number, decimals, _ = parsed
    numerator, denominator = area.value(*claim.numerator), area.value(*claim.denominator)
    if numerator is None or not denominator:
        ctx.skip(claim.rule, f"the figures behind the {claim.name} are not counts")
        return
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    # The one judgement every stated figure goes through, from a workbook or a claims file.
    reproduces, computed = judge(number, decimals, exact)
    if not reproduces:
        words = {
            "stated": number,
            "source": source,
            "numerator": plain(numerator),
            "denominator": plain(denominator),
            "exact": half_up(exact, 2),
            "computed": computed,
        }
        yield finding(
            made,
            where,
            claim.message.format(**words),
            expected=f"{computed}%",
            actual=f"{number}%",
            table=claim.stated[0],
            suggestion=f"state {computed}%",
            field_code=code,
        )
