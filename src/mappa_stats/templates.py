"""Template definitions: one JSON file per reporting year, shipped inside the package."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mappa_stats.errors import TemplateError

_SPACE = re.compile(r"\s+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "\u00a0": " "})


def normalize(text: object) -> str:
    """Fold a label for matching: case, spaces, line breaks, dashes and trailing colons."""
    folded = _SPACE.sub(" ", str(text).translate(_DASHES)).strip().casefold()
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

    def names(self) -> tuple[str, ...]:
        """The published label followed by its aliases, all normalised."""
        return tuple(normalize(n) for n in (self.label, *self.aliases))


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
    """One published table: where to find it, its labels, totals and not-applicable cells."""

    id: str
    kind: str  # "grid", "value" or "list"
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
    # Wording for publication outputs (description, unit), kept with the year's definition, not in code.
    publication: dict[str, Any] = field(default_factory=dict)

    @property
    def display_title(self) -> str:
        """Title as printed, with the section for the returned-to-custody grids."""
        return f"{self.title}: {self.section}" if self.section else self.title

    def row(self, row_id: str) -> Label:
        """The row with this id."""
        return next(r for r in self.rows if r.id == row_id)

    def column(self, column_id: str) -> Label:
        """The column with this id."""
        return next(c for c in self.columns if c.id == column_id)

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


@dataclass(frozen=True)
class Relation:
    """A cross-table rule instance: left op right, '*' meaning every shared column."""

    rule: str
    left: tuple[str, str, str]
    op: str
    right: tuple[str, str, str]
    factor: float = 1.0


@dataclass(frozen=True)
class Claim:
    """A stated share that must equal numerator / denominator as a rounded percentage."""

    rule: str
    stated: tuple[str, str, str]
    numerator: tuple[str, str, str]
    denominator: tuple[str, str, str]


@dataclass(frozen=True)
class Template:
    """A reporting year's set of tables and rules."""

    year: str
    description: str
    period_end: str
    population_mid_year: int
    rate_base: str
    tables: tuple[TableDef, ...]
    relations: tuple[Relation, ...]
    claims: tuple[Claim, ...]
    # Year-level wording for publication outputs (notes, abbreviations spelled out, the rate's footnote).
    publication: dict[str, Any] = field(default_factory=dict)

    def table(self, table_id: str) -> TableDef:
        """The table with this id."""
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def table_ids(self) -> tuple[str, ...]:
        """Table ids in publication order."""
        return tuple(t.id for t in self.tables)


def schemas_dir() -> Path:
    """Folder holding the template definitions, inside the installed package or the checkout."""
    packaged = Path(str(resources.files("mappa_stats"))) / "schemas"
    if packaged.is_dir():
        return packaged
    # Editable installs and plain checkouts: the top-level schemas/ folder of the repository.
    return Path(__file__).resolve().parents[2] / "schemas"


def available_years() -> tuple[str, ...]:
    """Template years that have a definition file, oldest first."""
    folder = schemas_dir() / "templates"
    return tuple(sorted(p.stem for p in folder.glob("*.json")))


def _labels(spec: Any, shared: dict[str, Any]) -> tuple[Label, ...]:
    items = shared[spec] if isinstance(spec, str) else spec
    return tuple(
        Label(
            id=item["id"],
            label=item["label"],
            aliases=tuple(item.get("aliases", ())),
            total_of=tuple(item.get("total_of", ())),
            value_type=item.get("value_type", "count"),
        )
        for item in items
    )


def _table(spec: dict[str, Any], shared: dict[str, Any]) -> TableDef:
    na = {(c["row"], c["column"]): c.get("printed", "") for c in spec.get("not_applicable", ())}
    why = {(c["row"], c["column"]): c.get("why", "") for c in spec.get("not_applicable", ())}
    return TableDef(
        id=spec["id"],
        kind=spec["kind"],
        title=spec["title"],
        match=tuple(spec.get("match", (spec["title"],))),
        rows=_labels(spec["rows"], shared),
        columns=_labels(spec["columns"], shared),
        not_applicable=na,
        na_reasons=why,
        required=spec.get("required", True),
        subtitle=spec.get("subtitle"),
        section=spec.get("section"),
        section_aliases=tuple(spec.get("section_aliases", ())),
        value_type=spec.get("value_type", "count"),
        publication=dict(spec.get("publication", {})),
    )


def _ref(items: list[str]) -> tuple[str, str, str]:
    table, row, column = items
    return (table, row, column)


@cache
def load_template(year: str) -> Template:
    """Load the definition of one reporting year, e.g. '2014-15'."""
    path = schemas_dir() / "templates" / f"{year}.json"
    if not path.is_file():
        known = ", ".join(available_years()) or "none"
        raise TemplateError(f"no template definition for {year!r}; available: {known}")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        return Template(
            year=spec["template"],
            description=spec.get("description", ""),
            period_end=spec["period_end"],
            population_mid_year=int(spec["population_mid_year"]),
            rate_base=spec.get("rate_base", "aged_10_plus"),
            tables=tuple(_table(t, spec.get("labels", {})) for t in spec["tables"]),
            relations=tuple(
                Relation(
                    rule=r["rule"],
                    left=_ref(r["left"]),
                    op=r["op"],
                    right=_ref(r["right"]),
                    factor=float(r.get("factor", 1.0)),
                )
                for r in spec.get("relations", ())
            ),
            claims=tuple(
                Claim(
                    rule=c["rule"],
                    stated=_ref(c["stated"]),
                    numerator=_ref(c["numerator"]),
                    denominator=_ref(c["denominator"]),
                )
                for c in spec.get("claims", ())
            ),
            publication=dict(spec.get("publication", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"{path}: broken template definition ({exc})") from exc
