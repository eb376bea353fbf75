"""The model of a reporting year: its tables, labels, cells, relations and claims, as frozen dataclasses.

A year is data (schemas/templates/YYYY-YY.json): `load.py` finds and reads a year's file, `build.py` checks
it and turns it into these objects. Here are only the objects and the small pure helpers on them: folding
a label for matching, a table's totals, a comparison's cells with '*' filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal, get_args

_SPACE = re.compile(r"\s+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "\u00a0": " "})

Op = Literal["<=", ">=", "=="]  # how a relation compares its sides
OPS: tuple[Op, ...] = get_args(Op)


class Severity(StrEnum):
    """How much a finding (and its rule) matters: an error fails the file; a warning only under --strict.
    A str, so that it prints, compares and goes into JSON as the word itself ('error'). A year's relation
    or stated claim says which it is, so it is part of the year's vocabulary."""

    ERROR = "error"
    WARNING = "warning"


SEVERITIES = tuple(Severity)
TableKind = Literal["grid", "value", "list"]  # a table of levels × categories, one figure, or a list
KINDS: tuple[TableKind, ...] = get_args(TableKind)
VALUE_TYPES = ("count", "rate", "percentage")
ROLES = ("rsos", "grand_total", "level1_total", "stated_rate", "level1_share")

Ref = tuple[str, str, str]  # (table id, row id, column id); row and column may be '*'


def normalize(text: object) -> str:
    """Fold a label for matching: case, spaces, line breaks, dashes and trailing colons."""
    return _fold(text) if isinstance(text, str) else _fold(str(text))


@lru_cache(maxsize=4096)  # the same few hundred labels and titles are folded for every workbook
def _fold(text: str) -> str:
    # "Levels 2 & 3" is "Levels 2 and 3".
    folded = _SPACE.sub(" ", text.translate(_DASHES).replace("&", " and ")).strip().casefold()
    return folded.rstrip(":*").strip()


@dataclass(frozen=True)
class Label:
    """One row or column of a table: its id, published label and the short forms people type."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    total_of: tuple[str, ...] = ()
    value_type: str = "count"

    @property
    def is_total(self) -> bool:
        """True when this row or column is the sum of others."""
        return bool(self.total_of)

    @property
    def short(self) -> str:
        """'Category 1: Registered sex offenders' → 'Category 1'."""
        return self.label.split(":")[0]

    def names(self) -> tuple[str, ...]:
        """The published label followed by its aliases, all normalised."""
        cached: tuple[str, ...] | None = self.__dict__.get("_names")
        if cached is None:
            cached = tuple(normalize(n) for n in (self.label, *self.aliases))
            object.__setattr__(self, "_names", cached)
        return cached


# A label may be followed by more words after one of these, as in "Category 1: Registered sex
# offenders" or "Level 2 (active management)"; a bare space is not enough, so "SOPOs, NOs & FTOs
# imposed by the courts" is not read as the SOPOs row.
_LABEL_TAIL = (":", " -", " (", "(")


def match_label(text: object, labels: tuple[Label, ...]) -> Label | None:
    """Return the label whose name or alias the text is, or starts with followed by ':' or '('."""
    if text is None:
        return None
    folded = normalize(text)
    if not folded:
        return None
    for label in labels:
        if folded in label.names():
            return label
    for label in labels:
        for name in label.names():
            if folded.startswith(name) and folded[len(name) :].startswith(_LABEL_TAIL):
                return label
    return None


@dataclass(frozen=True)
class TableDef:
    """One published table: where to find it, its labels, totals, not-applicable cells and field codes."""

    id: str
    kind: TableKind
    title: str
    match: tuple[str, ...]
    rows: tuple[Label, ...]
    columns: tuple[Label, ...]
    not_applicable: dict[tuple[str, str], str] = field(default_factory=dict)
    na_reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    required: bool = True
    subtitle: str | None = None
    section: str | None = None
    section_aliases: tuple[str, ...] = ()
    value_type: str = "count"
    fields: dict[tuple[str, str], str] = field(default_factory=dict)
    # Wording for publication outputs (description, unit), kept with the year's definition, not in code.
    publication: dict[str, Any] = field(default_factory=dict)

    @property
    def display_title(self) -> str:
        """Title as printed, with the section for the returned-to-custody grids."""
        return f"{self.title}: {self.section}" if self.section else self.title

    def row(self, row_id: str) -> Label:
        """The row with this id."""
        rows: dict[str, Label] | None = self.__dict__.get("_rows")
        if rows is None:  # looked up for every cell of every return: a dict, built once
            rows = {r.id: r for r in self.rows}
            object.__setattr__(self, "_rows", rows)
        return rows[row_id]

    def column(self, column_id: str) -> Label:
        """The column with this id."""
        columns: dict[str, Label] | None = self.__dict__.get("_columns")
        if columns is None:
            columns = {c.id: c for c in self.columns}
            object.__setattr__(self, "_columns", columns)
        return columns[column_id]

    def cell_value_type(self, row_id: str) -> str:
        """What a cell of this row should hold: count, percentage or rate."""
        row = self.row(row_id)
        return row.value_type if row.value_type != "count" else self.value_type

    def is_applicable(self, row_id: str, column_id: str) -> bool:
        """False for cells the template marks structurally not applicable."""
        return (row_id, column_id) not in self.not_applicable

    def section_names(self) -> tuple[str, ...]:
        """Normalised section label and its aliases."""
        if self.section is None:
            return ()
        return tuple(normalize(n) for n in (self.section, *self.section_aliases))

    def balance_equations(self) -> list[tuple[str, tuple[str, str], list[tuple[str, str]]]]:
        """Every total of the table: (rule, total cell, part cells) as (row, column) ids.

        A total column adds up its row ('totals.row'); a total row adds up its column ('totals.column')."""
        equations = []
        for row in self.rows:
            for column in self.columns:
                if column.is_total:
                    equations.append(
                        ("totals.row", (row.id, column.id), [(row.id, c) for c in column.total_of])
                    )
        for column in self.columns:
            for row in self.rows:
                if row.is_total:
                    equations.append(
                        ("totals.column", (row.id, column.id), [(r, column.id) for r in row.total_of])
                    )
        return equations

    def describe(self, row_id: str, column_id: str) -> str:
        """Plain words for a cell: "Level 1, Category 2 of 'MAPPA-eligible offenders on 31 March 2015'"."""
        if self.kind == "grid":
            return f"{self.row(row_id).label}, {self.column(column_id).short} of {self.display_title!r}"
        if self.kind == "list":
            return f"{self.row(row_id).label} of {self.display_title!r}"
        return repr(self.display_title)


@dataclass(frozen=True)
class Comparison:
    """One instance of a relation: the sum of the left cells op factor × the sum of the right cells."""

    left: tuple[Ref, ...]
    op: Op
    right: tuple[Ref, ...]
    factor: float = 1.0
    # A plausibility band only: the comparison is not reported when left exceeds right × this factor
    # (another rule, an error, says so).
    exempt_above: float | None = None


@dataclass(frozen=True)
class RelationRule:
    """A rule tying cells together, defined as data: id, severity, wording and its comparisons."""

    id: str
    severity: Severity
    description: str
    message: str
    suggestion: str
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True)
class Claim:
    """A stated share that must equal numerator / denominator as a rounded percentage."""

    rule: str
    name: str
    description: str
    stated: Ref
    numerator: Ref
    denominator: Ref
    message: str
    severity: Severity = Severity.ERROR
    suggestion: str = "state the share as a percentage"


@dataclass(frozen=True)
class Template:
    """A reporting year's set of tables and rules."""

    year: str
    description: str
    period_end: str
    population_mid_year: int
    rate_base: str
    tables: tuple[TableDef, ...]
    relations: tuple[RelationRule, ...]
    claims: tuple[Claim, ...]
    # Year-level wording for publication outputs (notes, abbreviations spelled out, the rate's footnote).
    publication: dict[str, Any] = field(default_factory=dict)
    status: str = "verified"
    sources: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    roles: dict[str, Ref] = field(default_factory=dict)
    path: str = ""
    # The Ministry of Justice's area return of the year, where known: its data sheet and fields, in order.
    return_sheet: str = ""
    return_fields: tuple[str, ...] = ()
    return_typos: dict[str, str] = field(default_factory=dict)
    # "area": an area's report and return; "nsd": the National Security Division's return (Category 4).
    form: str = "area"

    @property
    def label(self) -> str:
        """The year, and the form when not an area's: '2023-24', '2023-24 (National Security Division)'."""
        return self.year if self.form == "area" else f"{self.year} ({FORMS[self.form]})"

    def table(self, table_id: str) -> TableDef:
        """The table with this id."""
        tables: dict[str, TableDef] | None = self.__dict__.get("_tables")
        if tables is None:
            tables = {t.id: t for t in self.tables}
            object.__setattr__(self, "_tables", tables)
        return tables[table_id]

    def table_ids(self) -> tuple[str, ...]:
        """Table ids in publication order."""
        return tuple(t.id for t in self.tables)

    @property
    def period_start(self) -> str:
        """The day the reporting year starts: '1 April 2023' for a year ending '31 March 2024'."""
        return f"1 April {int(self.period_end[-4:]) - 1}"

    @property
    def provisional(self) -> bool:
        """True when the year's structure is carried forward rather than read from a source."""
        return self.status == "provisional"

    def cells(self) -> Iterator[tuple[TableDef, Label, Label]]:
        """Every cell of every table, in publication order."""
        for table in self.tables:
            for row in table.rows:
                for column in table.columns:
                    yield table, row, column

    @property
    def breakdowns(self) -> tuple[TableDef, ...]:
        """The return's breakdown blocks (age, sex, ethnicity): optional grids of the Ministry's form that
        no published area report carries, so the area workbook leaves them out."""
        return tuple(
            t for t in self.tables if not t.required and t.kind == "grid" and t.id.startswith("breakdown")
        )

    def report_only(self, table_id: str) -> bool:
        """True for a table of the area report that the year's return does not carry (the stated rate, the
        commentary): a return, or a tidy CSV written from one, is complete without it."""
        fields = set(self.table(table_id).fields.values())
        return bool(self.return_fields) and not fields & set(self.return_fields)

    def field_of(self, ref: Ref) -> str:
        """The field code of a cell."""
        return self.table(ref[0]).fields[(ref[1], ref[2])]

    @property
    def field_refs(self) -> dict[str, Ref]:
        """Field code → cell, for every cell of the year."""
        cached: dict[str, Ref] | None = self.__dict__.get("_field_refs")
        if cached is None:
            cached = {code: (t.id, r, c) for t in self.tables for (r, c), code in t.fields.items()}
            object.__setattr__(self, "_field_refs", cached)
        return cached

    def role(self, name: str) -> Ref | None:
        """The cell that plays a role (the RSO count, the stated rate …), or None when the year has none."""
        return self.roles.get(name)

    def expand(self, comparison: Comparison) -> list[tuple[tuple[Ref, ...], tuple[Ref, ...]]]:
        """A comparison's cells with '*' replaced by every row or column id all its tables share."""
        refs = (*comparison.left, *comparison.right)
        axes: list[list[str]] = []
        for axis in (1, 2):
            if any(ref[axis] == "*" for ref in refs):
                shared: list[str] | None = None
                for ref in refs:
                    if ref[axis] != "*":
                        continue
                    table = self.table(ref[0])
                    ids = [x.id for x in (table.rows if axis == 1 else table.columns)]
                    shared = ids if shared is None else [i for i in shared if i in ids]
                axes.append(shared or [])
            else:
                axes.append([""])
        out = []
        for row in axes[0]:
            for column in axes[1]:

                def fill(ref: Ref, row: str = row, column: str = column) -> Ref:
                    return (ref[0], row if ref[1] == "*" else ref[1], column if ref[2] == "*" else ref[2])

                out.append(
                    (tuple(fill(r) for r in comparison.left), tuple(fill(r) for r in comparison.right))
                )
        return out


# The forms a year can have besides an area's: each has its own folder of definitions under templates/.
FORMS = {"area": "area", "nsd": "National Security Division"}
