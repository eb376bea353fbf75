"""What compare finds: the figures read, the changes, revisions and confirmations, an area's comparison
and the whole result; and the thresholds that make a change large."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from mappa_stats.errors import InputError
from mappa_stats.rules.claims.claim import NOT_CHECKED, ClaimResult


@dataclass(frozen=True)
class Thresholds:
    """When a change from one year to the next is large for its size (docs/compare.md).

    A change is large when it is a rise of at least `rise` per cent or a fall of at least `fall` per cent,
    and more than `noise` × √(the earlier figure): a count's ordinary year-to-year spread grows like its
    square root, so 4 → 7 in a small category is not flagged while 1,560 → 2,080 is."""

    rise: float = 25.0
    fall: float = 15.0
    noise: float = 3.0

    def large(self, before: float, after: float) -> bool:
        """True when before → after is a large change."""
        if before <= 0:
            return False
        percent = (after - before) * 100 / before
        beyond_noise = abs(after - before) > self.noise * math.sqrt(before)
        return beyond_noise and (percent >= self.rise or percent <= -self.fall)


def parse_threshold(text: str) -> Thresholds:
    """'--threshold 20' (rise and fall) or '25,15' (rise, fall), in per cent; InputError otherwise."""
    parts = [p.strip().rstrip("%").strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2) or any(not (0 < n <= 1000) for n in numbers):
        raise InputError(
            f"--threshold {text!r}: give one percentage for rises and falls (20), or a rise and a fall "
            "(25,15), each above 0"
        )
    rise, fall = numbers[0], numbers[-1]
    return Thresholds(rise=rise, fall=fall)


# The cell of a total nobody typed (a return's): worked out from its parts, so no cell of its own.
DERIVED_CELL = "derived from its parts"


class Observation(NamedTuple):
    """One figure of one area and year, from one release (a tuple: a national file holds many)."""

    area: str
    year: str
    field: str
    value: float
    release: str
    source: str  # 'kent_2015.xlsx' or 'national.csv:12'
    cell: str = ""  # where in an area's file: "'24-25 data'!F18", 'derived from its parts'; '' in a long CSV

    @property
    def place(self) -> str:
        """Where the figure is: "'24-25 data'!F18 of kent_2025.xlsx", or 'national.csv:12'."""
        return f"{self.cell} of {self.source}" if self.cell else self.source


@dataclass(frozen=True)
class Input:
    """One file read: what it was, and the releases, areas and years it held."""

    path: str
    kind: str  # 'long CSV' or the area reader's form ('xlsx', 'csv', 'ods', 'pdf', 'report-text')
    releases: tuple[str, ...]
    areas: tuple[str, ...]
    years: tuple[str, ...]
    # Field codes of a long CSV that no definition of their year has (a form this release does not know,
    # such as a return of the National Security Division): not compared, and said so.
    unknown_fields: tuple[str, ...] = ()
    unknown_count: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """A figure from one year to the next: where each year's value is, why it is large (when it is), and
    for a total, the fields whose changes explain it."""

    field: str
    from_year: str
    year: str
    before: float
    after: float
    large: bool
    label: str = ""  # the field in words ('Category 1, Level 1, 31 March')
    before_place: str = ""  # "'23-24 data'!F18 of kent_2024.xlsx", or 'national.csv:12'
    after_place: str = ""
    why: str = ""  # why it is large, or why it is not compared ('the rate's base changed …')
    explained_by: tuple[tuple[str, float], ...] = ()  # (field code, change) of the total's parts that moved

    @property
    def change(self) -> float:
        """After minus before."""
        return self.after - self.before

    @property
    def percent(self) -> float | None:
        """The percentage change, or None from 0."""
        return None if self.before == 0 else self.change * 100 / self.before


@dataclass(frozen=True, slots=True)
class Revision:
    """The same area, year and field with a different value in a later release."""

    year: str
    field: str
    before: float
    after: float
    from_release: str
    to_release: str
    from_place: str = ""  # where each release has it: "'23-24 data'!F18 of a.xlsx", 'national.csv:12'
    to_place: str = ""


@dataclass(frozen=True, slots=True)
class Confirmed:
    """Figures of one year given in two releases with the same values."""

    year: str
    from_release: str
    to_release: str
    fields: int
    duplicate: bool  # every figure the same and no figure added or dropped: a duplicate, not a revision


@dataclass(frozen=True, slots=True)
class BaseChange:
    """The rate fell while the RSO count rose: the population it divides by changed."""

    from_year: str
    year: str
    rate_before: float
    rate_after: float
    rsos_before: float
    rsos_after: float
    population_before: float
    population_after: float
    implied: bool  # populations worked out from the (rounded) rates, not given


@dataclass
class AreaComparison:
    """Everything compare says about one area."""

    area: str
    years: tuple[str, ...]
    values: dict[str, dict[str, float]]  # field → year → the latest release's value
    changes: list[Change] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    confirmed: list[Confirmed] = field(default_factory=list)
    base_changes: list[BaseChange] = field(default_factory=list)
    key: tuple[tuple[str, str], ...] = ()  # (field code, label) of the key figures of its years
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # field → year → where its value is
    labels: dict[str, str] = field(default_factory=dict)  # every field compared → its words

    @property
    def large_changes(self) -> list[Change]:
        """The changes large for their size."""
        return [c for c in self.changes if c.large]


@dataclass
class Comparison:
    """The result of compare: per area, the claims, and notes on how the inputs were read."""

    inputs: list[Input]
    areas: list[AreaComparison]
    thresholds: Thresholds
    claims: list[ClaimResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Claims that do not reproduce, revisions and large changes: each fails the comparison."""
        return sum(1 for c in self.claims if c.failed) + sum(
            len(a.revisions) + len(a.large_changes) for a in self.areas
        )

    @property
    def warnings(self) -> int:
        """Claims that cannot be checked, changes of population base, and files whose field codes were not
        all known (figures not compared): a person should look."""
        return (
            sum(1 for c in self.claims if c.status == NOT_CHECKED)
            + sum(len(a.base_changes) for a in self.areas)
            + sum(1 for i in self.inputs if i.unknown_count)
        )

    def status(self, strict: bool = False) -> str:
        """'fail' or 'pass'; strict fails warnings too."""
        return "fail" if self.errors or (strict and self.warnings) else "pass"
