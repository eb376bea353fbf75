"""The stated text of the claims that are more than a number: relative to England and Wales ('15% above',
'twice'), parts of a whole ('418 = 137 central + 101 east + 180 west', 'Gwent + South Wales = 1,234'), and
rankings among the areas ('highest in Wales', 'third lowest of 42'). Each gives the number as a Stated (its
precision as written) and a Detail; text that is none of these is a ValueError saying how to write it."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.numbers import read_number
from mappa_stats.rules.claims.claim import Detail, Stated, parse_stated

MAX_PARTS = 60

# Figures are written in the digits 0-9 ([0-9], not \d, which matches any script's), as the one parser of
# numbers (numbers.read_number) reads them: '٣ times' is not a claim of 3.
_ABOVE = ("above", "higher than", "more than", "over", "greater than")
_BELOW = ("below", "lower than", "less than", "under")
_RELATIVE = re.compile(
    r"^(?P<number>[0-9.,]+\s*(?:%|per\s*cent|percent))\s+(?P<way>" + "|".join(_ABOVE + _BELOW) + r")\b",
    re.I,
)
_RATIO_WORDS = {
    "twice": ("2", 0),
    "double": ("2", 0),
    "half": ("0.5", 1),
    "three times": ("3", 0),
    "treble": ("3", 0),
    "triple": ("3", 0),
    "four times": ("4", 0),
}
_TIMES = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?)\s*times\b", re.I)

_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_RANK = re.compile(
    r"^(?:the\s+)?(?:(?P<ordinal>[a-z]+|[0-9]{1,2}(?:st|nd|rd|th))\s+)?(?P<way>highest|lowest|largest|smallest)"
    r"(?:\s+(?:in|of|among)\s+(?P<group>.+?))?\s*$",
    re.I,
)
_GROUPS = {
    "wales": "Wales",
    "england": "England",
    "england and wales": NATIONAL,
    "the country": NATIONAL,
    "all areas": NATIONAL,
}
_OF_N = re.compile(r"^(?:the\s+)?([0-9]{1,3})(?:\s+(?:mappa\s+)?areas)?$", re.I)
_PART = re.compile(r"^([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\b\s*(.*)$")


def relative(text: str) -> tuple[Stated, Detail]:
    """'15% above (the England and Wales rate)', '3.5 per cent below', 'twice', 'half', '1.5 times'."""
    body = text.strip()
    match = _RELATIVE.match(body)
    if match:
        stated = parse_stated(match.group("number"))
        way = match.group("way").casefold()
        if stated is not None and not stated.signed:
            kept = Stated(body, stated.value, stated.decimals, True, False)
            return kept, Detail(direction="above" if way in _ABOVE else "below")
    folded = " ".join(body.casefold().split())
    for words, (value, decimals) in _RATIO_WORDS.items():
        if folded == words or folded.startswith(words + " "):
            return Stated(body, Decimal(value), decimals, False, False), Detail(direction="times")
    times = _TIMES.match(body)
    if times:
        stated = parse_stated(times.group("number"))
        if stated is not None:
            return Stated(body, stated.value, stated.decimals, False, False), Detail(direction="times")
    raise ValueError(
        f"the stated comparison {body[:40]!r} is not one mappa-stats reads; write '15% above', '3.5 per cent "
        "below', 'twice', 'half' or '1.5 times'"
    )


AreaOf = Callable[[str], str | None]


def parts(text: str, area_of: AreaOf) -> tuple[Stated, Detail]:
    """'418 = 137 central + 101 east + 180 west', or parts that are areas ('Gwent + South Wales = 1,234'):
    the whole as stated (a Stated; its text is empty when no whole is written) and the parts."""
    sides = [side.strip() for side in text.split("=")]
    if len(sides) > 2 or not any("+" in side for side in sides):
        raise ValueError(
            f"the stated parts {text.strip()[:40]!r} are not 'WHOLE = PART + PART …'; write e.g. "
            "'418 = 137 central + 101 east + 180 west' or 'Gwent + South Wales = 1,234'"
        )
    listed = next(side for side in sides if "+" in side)
    whole_text = next((side for side in sides if side is not listed), "")
    whole = parse_stated(whole_text) if whole_text else Stated("", Decimal(0), 0, False, False)
    if whole is None or whole.percent or whole.signed or whole.decimals:
        raise ValueError(f"the stated whole {whole_text[:40]!r} is not a count (write it as 418 or 1,234)")
    found: list[tuple[str, Decimal | None]] = []
    for part in listed.split("+"):
        found.append(_part(part.strip(), area_of))
    if len(found) > MAX_PARTS:
        raise ValueError(f"{len(found)} parts; a whole of more than {MAX_PARTS} parts is not a claim")
    return Stated(text.strip(), whole.value, 0, False, False), Detail(
        parts=tuple(found), whole=bool(whole_text)
    )


def _part(text: str, area_of: AreaOf) -> tuple[str, Decimal | None]:
    """One part: 'NUMBER NAME' (its figure as stated), or an area's name (its figure from the input)."""
    number = _PART.match(text)
    figure = read_number(number.group(1)).value if number else None
    if number and figure is not None:
        value = figure
        return (number.group(2).strip() or f"part {value}", value)
    area = area_of(text)
    if area is None:
        raise ValueError(
            f"the part {text[:40]!r} is neither a figure with its name ('137 central') nor a MAPPA area"
        )
    return (area, None)


def rank(text: str) -> tuple[Stated, Detail]:
    """'highest', 'the third lowest of 42', '2nd highest in Wales', 'lowest in England'."""
    match = _RANK.match(text.strip())
    if not match:
        raise ValueError(
            f"the stated rank {text.strip()[:40]!r} is not one mappa-stats reads; write 'highest', 'third "
            "lowest of 42' or 'second highest in Wales'"
        )
    ordinal = (match.group("ordinal") or "").casefold()
    if not ordinal:
        position = 1
    else:
        position = _ORDINALS.get(ordinal) or (int(ordinal[:-2]) if ordinal[:1].isdigit() else 0)
    if not position:
        raise ValueError(f"{ordinal!r} is not an ordinal; write second, third … or 2nd, 3rd …")
    way = match.group("way").casefold()
    direction = "highest" if way in ("highest", "largest") else "lowest"
    group_text = " ".join((match.group("group") or "").casefold().split())
    group, of = NATIONAL, None
    size = _OF_N.match(group_text)
    if group_text in _GROUPS:
        group = _GROUPS[group_text]
    elif size:
        of = int(size.group(1))
    elif group_text:
        raise ValueError(
            f"the group {group_text[:30]!r} is not one mappa-stats knows; write 'in Wales', 'in England' or "
            "'of 42'"
        )
    stated = Stated(text.strip(), Decimal(position), 0, False, False)
    return stated, Detail(direction=direction, group=group, of=of)
