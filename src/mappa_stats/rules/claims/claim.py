"""A claim and how it fared: the figure as stated (its value, precision, % and sign), one line of a claims
file, and the result of judging it (reproduces, does not reproduce, cannot be checked)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.numbers import read_number

REPRODUCES, DOES_NOT, NOT_CHECKED = "reproduces", "does not reproduce", "cannot be checked"
# A stated figure is a few characters; longer text is not one (and Decimal must not expand 1e999999999).
MAX_STATED_CHARS = 30
MAX_DECIMALS = 6

Figures = Mapping[tuple[str, str, str], float]

_PERCENT_WORDS = re.compile(r"\s*(%|per\s*cent|percent|pc)\s*$", re.I)


@dataclass(frozen=True)
class Stated:
    """A figure as written: its value, the decimals it was given to, and whether it carried % or a sign."""

    text: str
    value: Decimal
    decimals: int
    percent: bool
    signed: bool

    @property
    def shown(self) -> str:
        """The value as a percentage or number at its own precision: '3.5%', '1,003'."""
        return f"{self.value:,.{self.decimals}f}" + ("%" if self.percent else "")


def parse_stated(text: str) -> Stated | None:
    """'3.5%', '+3.5 per cent', '−2%', '1,003', '1003', '99' → a Stated; None when it is not a number."""
    body = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if not body or len(body) > MAX_STATED_CHARS:
        return None
    percent = bool(_PERCENT_WORDS.search(body))
    body = _PERCENT_WORDS.sub("", body).strip()
    sign = ""
    if body[:1] in "+-" and body:
        sign, body = body[0], body[1:].strip()
    # The one parser of numbers (numbers.read_number): ASCII digits, thousands grouped, at most MAX_DIGITS
    # digits. A stated figure is prose: its sign and % are read above, and no exponent is written.
    reading = read_number(body)
    if reading.value is None or reading.percent or body[:1] in "+-" or "e" in body.casefold():
        return None
    number, decimals = reading.value, reading.places
    if decimals > MAX_DECIMALS:
        return None  # no statement gives more; and Decimal's 28 digits must hold the rounding
    return Stated(text.strip(), -number if sign == "-" else number, decimals, percent, bool(sign))


@dataclass(frozen=True)
class Detail:
    """What a relative, parts or rank claim states beside its number (docs/claims.md)."""

    direction: str = ""  # relative: 'above', 'below', 'times'; rank: 'highest', 'lowest'
    group: str = ""  # rank: 'England and Wales', 'England' or 'Wales'
    of: int | None = None  # rank: the group's size as stated ('third lowest of 42')
    # parts: each part's name and its figure as stated, or None for an area whose figure the input gives
    parts: tuple[tuple[str, Decimal | None], ...] = ()
    whole: bool = False  # parts: the whole is stated ('418 = …'), not only the parts


@dataclass(frozen=True)
class ClaimLine:
    """One line of a claims file: what is claimed, of which area and year, and the figure as stated."""

    kind: str  # as written, folded: 'level1_share', 'category_share:cat1', 'change:CAT1TOT'
    area: str  # the MAPPA area's name (schemas/areas.json), or 'England and Wales'
    year: str
    from_year: str | None
    stated: Stated
    where: str  # 'claims.csv:3'
    detail: Detail = Detail()

    @property
    def base(self) -> str:
        """The kind without its argument: 'change' for 'change:CAT1TOT'."""
        return self.kind.split(":", 1)[0]

    @property
    def target(self) -> str:
        """The kind's argument: the field code of a change, the category of a share."""
        return self.kind.split(":", 1)[1] if ":" in self.kind else ""

    def describe(self) -> str:
        """'Kent 2014-15 Level 1 share "99%"'."""
        what = {
            "level1_share": "Level 1 share",
            "category_share": f"Category {self.target[3:]} share",
            "rate": "rate per 100,000",
            "one_in_n": "one for every N aged 10+",
            "change": f"change in {self.target} from {self.from_year}",
            "national_rate": "national rate per 100,000",
            "relative": f"{self.target} relative to {NATIONAL}",
            "parts": f"{self.target} as the sum of its parts",
            "rank": f"rank by {self.target}",
        }[self.base]
        return f"{self.area + ' ' if self.area else ''}{self.year} {what} {self.stated.text!r}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "area": self.area,
            "year": self.year,
            "from_year": self.from_year,
            "stated": self.stated.text,
            "where": self.where,
        }


@dataclass(frozen=True)
class ClaimResult:
    """How one claim fared: reproduces, does not reproduce, or cannot be checked (naming what is missing)."""

    claim: ClaimLine
    status: str
    message: str  # one line, starting with where the claim was stated
    computed: str | None = None  # the value the figures give, at the stated precision ('4.7%')
    exact: str | None = None  # the same to two decimals ('4.67%')
    needs: str | None = None  # what the stated value would need of the figures
    missing: tuple[str, ...] = ()  # field codes the check needed and did not have
    basis: str = ""  # the figures used, in words

    @property
    def failed(self) -> bool:
        """True when the figures contradict the claim."""
        return self.status == DOES_NOT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/claims.md)."""
        return {
            **self.claim.to_dict(),
            "status": self.status,
            "computed": self.computed,
            "exact": self.exact,
            "needs": self.needs,
            "missing": list(self.missing),
            "basis": self.basis,
            "message": self.message,
        }
