"""Findings: one frozen record per problem, the single list every renderer draws from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any

from mappa_stats.definitions.templates import Severity
from mappa_stats.model import sheet_ref

Number = int | float | str | None


@dataclass(frozen=True)
class Finding:
    """A problem found in an area's tables, located to a cell where it has one."""

    rule: str
    severity: Severity
    table: str
    row: str
    column: str
    sheet: str
    cell: str
    expected: Number
    actual: Number
    message: str
    suggestion: str | None = None
    explains: tuple[str, ...] = dataclass_field(default=())
    field: str = ""  # the field code of the cell (CAT1L1, LEVEL1TOT …), where it has one

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule this finding shows broken: its own, and those whose failures its diagnosis explains."""
        explained = (e.split(":", 1)[0] for e in self.explains)
        return tuple(dict.fromkeys((self.rule, *explained)))

    @property
    def ref(self) -> str:
        """Where to look: 'Statistics'!E5, a CSV line, or the table when there is no cell."""
        if self.cell:
            return sheet_ref(self.sheet, self.cell)
        return self.table or "-"

    @property
    def said(self) -> str:
        """The message without the cell it starts with, for a line that already names the cell."""
        return self.message[len(self.ref) :].lstrip() if self.message.startswith(self.ref) else self.message

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/report-format.md)."""
        data = asdict(self)
        data["explains"] = list(self.explains)
        data["rules"] = list(self.rules)
        data["ref"] = self.ref
        return data


def plain(number: float | None) -> Number:
    """A count as an int when it is whole, for messages and JSON."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number
