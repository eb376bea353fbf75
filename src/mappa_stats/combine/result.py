"""The result of a combine run: the files, the areas, the national tables and cells, the population
check and the problems; the statuses and limits they use."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from mappa_stats.definitions.load import schemas_dir
from mappa_stats.definitions.templates import TableDef, Template
from mappa_stats.io.population import NationalRow
from mappa_stats.io.population_rate import Rate
from mappa_stats.numbers import rounding
from mappa_stats.validate import FileReport

# Inputs read from a folder; a file named on the command line is read whatever its name.
FOLDER_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".csv")


# 43 returns is the national set; far more is a wrong folder, refused before anything is read.
MAX_FILES = 1000


# File statuses.
COUNTED = "counted"  # in the national tables


IDENTICAL = "identical"  # the same bytes as a file already counted: counted once


DUPLICATE = "duplicate"  # a second, different file for an area: neither is counted


OTHER_YEAR = "other year"


UNKNOWN_AREA = "unknown area"


UNREADABLE = "unreadable"


@cache
def layout() -> dict[str, Any]:
    """The national definition (schemas/national.json): the Ministry's table numbers, the Category 4
    columns, the breakdowns' totals, the publication's rounding and the relations: data, not code."""
    loaded: dict[str, Any] = json.loads((schemas_dir() / "national.json").read_text(encoding="utf-8"))
    return loaded


def published_rate(rate: Rate) -> int:
    """The rate per 100,000 as the national publication prints it: rounded the way schemas/national.json
    says the Ministry rounds it (`rounding.rate`: pandas round, half to even, so 62.5 → 62)."""
    return int(rounding(layout()["rounding"]["rate"])(rate.exact, 0))


def published_population(population: int) -> int:
    """The population aged 10+ as the national publication prints it: to the nearest 100, rounded as the
    Ministry rounds it (`rounding.population`: half to even, so 726,050 → 726,000)."""
    spec = layout()["rounding"]
    return int(rounding(spec["population"])(Decimal(population), spec["population_places"]))


def field_of_role(template: Template, role: str) -> str | None:
    """The field code of the cell that plays a role in the year (the RSO count, the grand total)."""
    ref = template.role(role)
    return template.field_of(ref) if ref is not None else None


@dataclass(frozen=True)
class FileEntry:
    """One input file: what it is, and whether it counts towards the national tables."""

    path: str
    status: str
    note: str = ""
    area: str | None = None  # the Ministry's area name
    area_id: int | None = None
    year: str | None = None
    sha256: str | None = None
    report: FileReport | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class AreaLine:
    """One area of the national set: its file, verdict, figures, population and rate."""

    area_id: int
    area: str  # the Ministry's name
    status: str  # "pass", "fail", "error", "missing", "duplicate"
    path: str = ""
    errors: int = 0
    warnings: int = 0
    values: dict[str, float | None] = field(default_factory=dict, compare=False)
    population: int | None = None  # aged 10+
    rate: Rate | None = field(default=None, compare=False)
    rate_note: str = ""  # why there is no rate, or how it compares with the stated one
    rsos: float | None = None  # Category 1 on 31 March (the year's 'rsos' role)
    total: float | None = None  # every MAPPA offender on 31 March (the grand total, or its own grid's)
    # The row labels the return's form gives (its breakdown rows): (table id, row id, label).
    row_labels: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)

    @property
    def counted(self) -> bool:
        """True when the area's figures are in the national tables."""
        return self.status in ("pass", "fail")

    @property
    def population_rounded(self) -> int | None:
        """The population aged 10+ rounded to the nearest 100 as the national publication rounds it."""
        return None if self.population is None else published_population(self.population)

    @property
    def rate_published(self) -> int | None:
        """The RSO rate as the national publication rounds it (half to even, as the Ministry does)."""
        return None if self.rate is None else published_rate(self.rate)


@dataclass(frozen=True)
class NationalCell:
    """One cell of a national table: a number, or why there is none ('[z]' not applicable, '[x]' unknown)."""

    value: int | None
    marker: str = ""
    field: str = ""


@dataclass(frozen=True)
class NationalTable:
    """A national table: the year's table summed over the counted areas (Category 4 beside Category 3)."""

    number: str
    table: TableDef
    columns: tuple[tuple[str, str], ...]  # (column id, label)
    rows: tuple[tuple[str, str, tuple[NationalCell, ...]], ...]  # (row id, label, cells)
    total_rows: tuple[str, ...] = ()  # the ids of the rows that add up others
    total_columns: tuple[str, ...] = ()  # the ids of the columns that add up others

    def cell(self, row_id: str, column_id: str) -> NationalCell | None:
        """The cell at a row and column, or None when the table has no such row or column."""
        columns = [c for c, _ in self.columns]
        for rid, _, cells in self.rows:
            if rid == row_id and column_id in columns:
                return cells[columns.index(column_id)]
        return None

    def plain_cells(self) -> list[NationalCell]:
        """The cells that are neither in a total row nor in a total column."""
        keep = [c not in self.total_columns for c, _ in self.columns]
        return [
            cell
            for rid, _, cells in self.rows
            if rid not in self.total_rows
            for cell, kept in zip(cells, keep, strict=True)
            if kept
        ]

    @property
    def title(self) -> str:
        """The table's printed title."""
        return self.table.display_title


def national_value(tables: Sequence[NationalTable], code: str) -> int | None:
    """A national figure by field code, from the national tables."""
    for table in tables:
        for _, _, cells in table.rows:
            for cell in cells:
                if cell.field == code:
                    return cell.value
    return None


@dataclass(frozen=True)
class PopulationCheck:
    """Do the areas of the population file add up to its England and Wales row?"""

    path: str
    vintage: str | None
    areas_aged_10_plus: int
    areas_all_ages: int | None
    national: NationalRow | None
    short: tuple[str, ...]  # areas the file lacks

    @property
    def matches(self) -> bool | None:
        """True when the areas add up exactly; None when the file has no England and Wales row."""
        if self.national is None or self.national.aged_10_plus is None:
            return None
        if self.short:
            return False
        same_all = self.national.all_ages is None or self.areas_all_ages in (None, self.national.all_ages)
        return self.areas_aged_10_plus == self.national.aged_10_plus and same_all

    def message(self) -> str:
        """One line: the sums, and by how much and which areas are short when they differ."""
        areas = f"the {42 - len(self.short)} areas add up to {self.areas_aged_10_plus:,} aged 10+"
        if self.areas_all_ages is not None:
            areas += f" ({self.areas_all_ages:,} all ages)"
        if self.national is None or self.national.aged_10_plus is None:
            return f"{areas}; the file has no England and Wales row to check them against"
        row = f"the England and Wales row ({self.national.where}) has {self.national.aged_10_plus:,}"
        if self.national.all_ages is not None:
            row += f" ({self.national.all_ages:,} all ages)"
        if self.matches:
            return f"{areas}; {row}: they match exactly"
        gap = self.national.aged_10_plus - self.areas_aged_10_plus
        short = f"; areas missing from the file: {', '.join(self.short)}" if self.short else ""
        return f"{areas}; {row}: short by {gap:,} aged 10+{short}"


@dataclass(frozen=True)
class Problem:
    """A finding about the set as a whole (an area missing, twice, of another year …): one line each."""

    kind: str
    message: str
    area: str | None = None


@dataclass(frozen=True)
class Combined:
    """Everything combine found: the files, the areas, the national tables and the verdict. Built once, when
    the run is done; a claims file's results come in a new value (combine.claims.judge_claims)."""

    year: str
    template: Template
    files: list[FileEntry]
    skipped: list[str]
    areas: list[AreaLine]
    tables: list[NationalTable]
    problems: list[Problem]
    population: PopulationCheck | None = None
    population_path: str | None = None
    national_rate: Rate | None = None
    national_population: int | None = None
    not_checked: list[str] = field(default_factory=list)
    # The claims of a --claims file judged against the national and area figures (claims.ClaimResult).
    claims: list[Any] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every expected area is counted exactly once."""
        return all(a.counted for a in self.areas)

    @property
    def unreadable(self) -> int:
        """Files that could not be read at all."""
        return sum(1 for f in self.files if f.status == UNREADABLE)

    @property
    def status(self) -> str:
        """'pass', 'fail' (findings) or 'error' (a file could not be read)."""
        if self.unreadable:
            return "error"
        return "fail" if self.problems else "pass"

    @property
    def exit_code(self) -> int:
        """0 complete and every area passes, 1 findings (or a claim that does not reproduce), 2 a file could
        not be read."""
        code = {"pass": 0, "fail": 1, "error": 2}[self.status]
        return max(code, 1 if any(c.failed for c in self.claims) else 0)

    def national_value(self, code: str) -> int | None:
        """A national figure by field code, from the national tables."""
        return national_value(self.tables, code)
