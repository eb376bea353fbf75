"""Template definitions: one JSON file per reporting year, checked when loaded.

A year is data. Its file names the tables (titles, labels, not-applicable cells, totals), the field code of
every cell, the roles code needs by meaning (the RSO count, the stated rate …), the cross-table relations with
their own rule ids and messages, and the claims. `load_template` refuses a definition whose references do not
resolve, naming the file and the JSON path; `check_definition` adds the JSON Schema
(schemas/template.schema.json) and is used for every file given with `--template` and, in the test suite, for
every shipped year.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from mappa_stats.definitions.inherit import resolve
from mappa_stats.errors import TemplateError

_SPACE = re.compile(r"\s+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "\u00a0": " "})

OPS = ("<=", ">=", "==")
SEVERITIES = ("error", "warning")
KINDS = ("grid", "value", "list")
VALUE_TYPES = ("count", "rate", "percentage")
ROLES = ("rsos", "grand_total", "level1_total", "stated_rate", "level1_share")
MAX_DEFINITION_BYTES = 1024 * 1024

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
    op: str
    right: tuple[Ref, ...]
    factor: float = 1.0
    # A plausibility band only: the comparison is not reported when left exceeds right × this factor
    # (another rule, an error, says so).
    exempt_above: float | None = None


@dataclass(frozen=True)
class RelationRule:
    """A rule tying cells together, defined as data: id, severity, wording and its comparisons."""

    id: str
    severity: str
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
    severity: str = "error"
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


# --- where definitions live ----------------------------------------------------------------------------


def schemas_dir() -> Path:
    """Folder holding the template definitions, inside the installed package or the checkout."""
    packaged = Path(str(resources.files("mappa_stats"))) / "schemas"
    if packaged.is_dir():
        return packaged
    # Editable installs and plain checkouts: the top-level schemas/ folder of the repository.
    return Path(__file__).resolve().parents[3] / "schemas"


_YEAR = re.compile(r"^\d{4}-\d{2}$")
# The forms a year can have besides an area's: each has its own folder of definitions under templates/.
FORMS = {"area": "area", "nsd": "National Security Division"}
# Definitions given with --template FILE, by year; they take precedence over the shipped ones.
_EXTRA: dict[str, Template] = {}


@cache
def shipped_years() -> tuple[str, ...]:
    """Years with a definition file shipped in the package, oldest first."""
    folder = schemas_dir() / "templates"
    return tuple(sorted(p.stem for p in folder.glob("*.json") if _YEAR.match(p.stem)))


def available_years() -> tuple[str, ...]:
    """Template years that can be used: shipped, and any given with --template; oldest first."""
    return tuple(sorted({*shipped_years(), *_EXTRA}))


def form_years(form: str) -> tuple[str, ...]:
    """Years with a shipped definition of a form other than an area's (the NSD return: 2022-23 on)."""
    if form == "area":
        return shipped_years()
    return _form_years(form)


@cache
def _form_years(form: str) -> tuple[str, ...]:
    folder = schemas_dir() / "templates" / form
    return tuple(sorted(p.stem for p in folder.glob("*.json") if _YEAR.match(p.stem)))


def load_template(year: str, form: str = "area") -> Template:
    """The definition of one reporting year, e.g. '2014-15', looked up among the known years only."""
    if form != "area":
        if form not in FORMS or year not in _form_years(form):
            known = ", ".join(_form_years(form)) if form in FORMS else "none"
            raise TemplateError(
                f"no {FORMS.get(form, form)} definition for {year[:40]!r}; available: {known}"
            )
        return _load_form(year, form)
    if year in _EXTRA:
        return _EXTRA[year]
    if year not in shipped_years():  # never a path: a year is looked up, not opened
        known = ", ".join(available_years()) or "none"
        shown = year if len(year) <= 40 else year[:40] + "…"
        raise TemplateError(
            f"no template definition for {shown!r}; available: {known} (or give --template FILE)"
        )
    return _load_shipped(year)


@cache
def _load_shipped(year: str) -> Template:
    path = schemas_dir() / "templates" / f"{year}.json"
    return build_template(resolve(path, _read_json), str(path), file_year=year)


@cache
def _load_form(year: str, form: str) -> Template:
    path = schemas_dir() / "templates" / form / f"{year}.json"
    return build_template(resolve(path, _read_json), str(path), file_year=year)


def use_definition(path: Path) -> Template:
    """Load a definition file given with --template, check it in full, and make its year available."""
    spec = resolve(path, _read_json, schemas_dir() / "templates")
    check_definition(spec, str(path))
    template = build_template(spec, str(path))
    _EXTRA[template.year] = template
    return template


def forget_definitions() -> None:
    """Drop definitions given with --template (tests and long-running callers)."""
    _EXTRA.clear()


def _read_json(path: Path) -> Any:
    try:
        if not path.is_file():
            raise TemplateError(f"{path}: no such definition file; check the path")
        if path.stat().st_size > MAX_DEFINITION_BYTES:
            raise TemplateError(
                f"{path}: larger than any year's definition (limit {MAX_DEFINITION_BYTES:,} bytes)"
            )
        return json.loads(path.read_text(encoding="utf-8"))
    except TemplateError:
        raise
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: not UTF-8 text; save the definition as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix the file"
        ) from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot be read ({exc.strerror})") from None


# --- checking a definition ------------------------------------------------------------------------------


def json_path(parts: Any) -> str:
    """A JSON path as people read it: tables[0].columns[3].total_of[2]."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def check_definition(spec: Any, where: str) -> None:
    """Check a definition against schemas/template.schema.json; the first problem is a TemplateError."""
    import jsonschema

    schema = json.loads((schemas_dir() / "template.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(spec), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        first = errors[0]
        raise TemplateError(f"{Path(where).name}: {json_path(first.absolute_path)}: {first.message}")


class _Checker:
    """Reference checks, with the JSON path of every part, run on every definition loaded."""

    def __init__(self, where: str) -> None:
        self.name = Path(where).name

    def fail(self, path: list[Any], message: str) -> TemplateError:
        return TemplateError(f"{self.name}: {json_path(path)}: {message}")

    def get(self, obj: Any, key: str | int, path: list[Any], kind: type | tuple[type, ...]) -> Any:
        """obj[key], which must exist and be of this kind."""
        try:
            value = obj[key]
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, f"missing {key!r}") from None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail([*path, key], f"{value!r} is not a {names}")
        return value


def build_template(spec: Any, where: str, file_year: str | None = None) -> Template:
    """Turn a definition into a Template, refusing any reference that does not resolve."""
    check = _Checker(where)
    if not isinstance(spec, dict):
        raise check.fail([], "a definition is a JSON object")
    year = check.get(spec, "template", [], str)
    if not _YEAR.match(year):
        raise check.fail(["template"], f"{year!r} is not a reporting year such as '2014-15'")
    if file_year is not None and year != file_year:
        raise check.fail(["template"], f"{year!r} does not match the file name {file_year!r}")
    shared = spec.get("labels", {})
    tables = []
    seen_tables: set[str] = set()
    for i, t in enumerate(check.get(spec, "tables", [], list)):
        path: list[Any] = ["tables", i]
        table = _table(check, t, shared, path)
        if table.id in seen_tables:
            raise check.fail([*path, "id"], f"table id {table.id!r} is used twice")
        seen_tables.add(table.id)
        tables.append(table)
    if not tables:
        raise check.fail(["tables"], "a year has at least one table")
    by_id = {t.id: t for t in tables}
    codes: dict[str, list[Any]] = {}
    for i, table in enumerate(tables):
        for key, code in table.fields.items():
            if code in codes:
                raise check.fail(
                    ["tables", i, "fields", key[0], key[1]],
                    f"field code {code!r} is used twice (also at {json_path(codes[code])})",
                )
            codes[code] = ["tables", i, "fields", key[0], key[1]]

    def ref(value: Any, path: list[Any], wildcard: bool = False) -> Ref:
        if isinstance(value, str):  # a field code
            if value not in codes:
                raise check.fail(path, f"{value!r} is not a field code of this year")
            t_index, r_id, c_id = codes[value][1], codes[value][3], codes[value][4]
            return (tables[t_index].id, r_id, c_id)
        if not (isinstance(value, list) and len(value) == 3 and all(isinstance(x, str) for x in value)):
            raise check.fail(path, f"{value!r} is not a cell: give a field code or [table, row, column]")
        table_id, row_id, column_id = value
        if table_id not in by_id:
            raise check.fail([*path, 0], f"{table_id!r} is not a table of this year")
        table = by_id[table_id]
        if not (wildcard and row_id == "*") and row_id not in {r.id for r in table.rows}:
            raise check.fail([*path, 1], f"{row_id!r} is not a row of {table_id!r}")
        if not (wildcard and column_id == "*") and column_id not in {c.id for c in table.columns}:
            raise check.fail([*path, 2], f"{column_id!r} is not a column of {table_id!r}")
        return (table_id, row_id, column_id)

    def cells(value: Any, path: list[Any]) -> tuple[Ref, ...]:
        """One cell, or a list of cells to be summed."""
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, (list, str)) for v in value)
            and not (len(value) == 3 and all(isinstance(x, str) for x in value))
        ):
            return tuple(ref(v, [*path, j], wildcard=True) for j, v in enumerate(value))
        return (ref(value, path, wildcard=True),)

    relations = []
    rule_ids: set[str] = set()
    for i, r in enumerate(spec.get("relations", [])):
        path = ["relations", i]
        rule_id = check.get(r, "rule", path, str)
        if rule_id in rule_ids:
            raise check.fail(
                [*path, "rule"], f"rule {rule_id!r} is defined twice; put its comparisons together"
            )
        rule_ids.add(rule_id)
        severity = check.get(r, "severity", path, str)
        if severity not in SEVERITIES:
            raise check.fail([*path, "severity"], f"{severity!r} is not one of {', '.join(SEVERITIES)}")
        comparisons = []
        for j, c in enumerate(check.get(r, "compare", path, list)):
            cpath = [*path, "compare", j]
            op = check.get(c, "op", cpath, str)
            if op not in OPS:
                raise check.fail([*cpath, "op"], f"{op!r} is not one of {', '.join(OPS)}")
            left = cells(check.get(c, "left", cpath, (list, str)), [*cpath, "left"])
            right = cells(check.get(c, "right", cpath, (list, str)), [*cpath, "right"])
            factor = c.get("factor", 1.0)
            if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 < factor <= 1000:
                raise check.fail([*cpath, "factor"], f"{factor!r} is not a positive number")
            exempt = c.get("exempt_above")
            if exempt is not None and (not isinstance(exempt, (int, float)) or isinstance(exempt, bool)):
                raise check.fail([*cpath, "exempt_above"], f"{exempt!r} is not a number")
            comparison = Comparison(left, op, right, float(factor), None if exempt is None else float(exempt))
            _check_shapes(check, by_id, comparison, cpath)
            comparisons.append(comparison)
        if not comparisons:
            raise check.fail([*path, "compare"], "a relation compares at least one pair of cells")
        relations.append(
            RelationRule(
                id=rule_id,
                severity=severity,
                description=check.get(r, "description", path, str),
                message=_message(check, r, "message", path),
                suggestion=_message(check, r, "suggestion", path),
                comparisons=tuple(comparisons),
            )
        )
    claims = []
    for i, c in enumerate(spec.get("claims", [])):
        path = ["claims", i]
        claims.append(
            Claim(
                rule=check.get(c, "rule", path, str),
                name=check.get(c, "name", path, str),
                description=check.get(c, "description", path, str),
                stated=ref(check.get(c, "stated", path, (list, str)), [*path, "stated"]),
                numerator=ref(check.get(c, "numerator", path, (list, str)), [*path, "numerator"]),
                denominator=ref(check.get(c, "denominator", path, (list, str)), [*path, "denominator"]),
                message=_message(check, c, "message", path),
                suggestion=_message(check, c, "suggestion", path) if "suggestion" in c else Claim.suggestion,
            )
        )
    roles = {}
    for name, value in check.get(spec, "roles", [], dict).items() if "roles" in spec else ():
        if name not in ROLES:
            raise check.fail(["roles", name], f"{name!r} is not a role mappa-stats knows: {', '.join(ROLES)}")
        roles[name] = ref(value, ["roles", name])
    return_sheet, return_fields, return_typos = "", (), {}
    if "return" in spec:
        block = check.get(spec, "return", [], dict)
        return_sheet = check.get(block, "sheet", ["return"], str)
        return_fields = tuple(check.get(block, "fields", ["return"], list))
        for i, code in enumerate(return_fields):
            if code != "AREAID" and code not in codes:
                raise check.fail(["return", "fields", i], f"{code!r} is not a field code of this year")
            if return_fields.index(code) != i:
                raise check.fail(["return", "fields", i], f"{code!r} is listed twice")
        return_typos = dict(block.get("header_typos", {}))
        for typo, code in return_typos.items():
            if code not in return_fields:
                raise check.fail(["return", "header_typos", typo], f"{code!r} is not a field of the return")
    mid_year = check.get(spec, "population_mid_year", [], int)
    form = spec.get("form", "area")
    if form not in FORMS:
        raise check.fail(["form"], f"{form!r} is not a form mappa-stats knows: {', '.join(FORMS)}")
    status = spec.get("status", "verified")
    if status not in ("verified", "provisional"):
        raise check.fail(["status"], f"{status!r} is not 'verified' or 'provisional'")
    return Template(
        year=year,
        description=spec.get("description", ""),
        period_end=check.get(spec, "period_end", [], str),
        population_mid_year=mid_year,
        rate_base=spec.get("rate_base", "aged_10_plus"),
        tables=tuple(tables),
        relations=tuple(relations),
        claims=tuple(claims),
        publication=dict(spec.get("publication", {})),
        status=status,
        sources=tuple(spec.get("sources", ())),
        changes=tuple(spec.get("changes", ())),
        roles=roles,
        path=where,
        return_sheet=return_sheet,
        return_fields=return_fields,
        return_typos=return_typos,
        form=form,
    )


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
MESSAGE_FIELDS = (
    "left",
    "right",
    "bound",
    "op",
    "share",
    "row",
    "column",
    "left_cells",
    "left_table",
    "left_section",
    "right_row",
    "right_column",
    "right_table",
    "right_source",
    "stated",
    "numerator",
    "denominator",
    "exact",
    "computed",
    "source",
)


def _message(check: _Checker, spec: Any, key: str, path: list[Any]) -> str:
    text: str = check.get(spec, key, path, str)
    for name in _PLACEHOLDER.findall(text):
        if name not in MESSAGE_FIELDS:
            raise check.fail(
                [*path, key], f"unknown placeholder {{{name}}}; use one of {', '.join(MESSAGE_FIELDS)}"
            )
    return text


def _check_shapes(check: _Checker, tables: Mapping[str, TableDef], c: Comparison, path: list[Any]) -> None:
    """Both sides of a comparison must expand over the same rows and columns."""
    for axis, name in ((1, "row"), (2, "column")):
        sides = [[ref[axis] == "*" for ref in side] for side in (c.left, c.right)]
        wild = {w for side in sides for w in side}
        if len(wild) > 1:
            raise check.fail(
                path, f"one side has '*' for the {name} and the other names one: both must, or neither"
            )
        if wild == {True}:
            ids = []
            for ref in (*c.left, *c.right):
                table = tables[ref[0]]
                ids.append({x.id for x in (table.rows if axis == 1 else table.columns)})
            if not set.intersection(*ids):
                raise check.fail(path, f"the tables compared share no {name}, so '*' matches nothing")


def _labels(check: _Checker, spec: Any, shared: Any, path: list[Any]) -> tuple[Label, ...]:
    if isinstance(spec, str):
        if not isinstance(shared, dict) or spec not in shared:
            raise check.fail(path, f"{spec!r} is not a label set under 'labels'")
        items, path = shared[spec], ["labels", spec]
    else:
        items = spec
    if not isinstance(items, list) or not items:
        raise check.fail(path, "a table's rows and columns are a non-empty list of labels")
    labels = []
    for i, item in enumerate(items):
        labels.append(
            Label(
                id=check.get(item, "id", [*path, i], str),
                label=check.get(item, "label", [*path, i], str),
                aliases=tuple(item.get("aliases", ())),
                total_of=tuple(item.get("total_of", ())),
                value_type=item.get("value_type", "count"),
            )
        )
    ids = [label.id for label in labels]
    for i, label in enumerate(labels):
        if ids.count(label.id) > 1:
            raise check.fail([*path, i, "id"], f"{label.id!r} is used twice")
        for j, part in enumerate(label.total_of):
            if part not in ids:
                raise check.fail([*path, i, "total_of", j], f"{part!r} is not one of {', '.join(ids)}")
            if part == label.id:
                raise check.fail([*path, i, "total_of", j], "a total cannot be part of itself")
        if label.value_type not in VALUE_TYPES:
            raise check.fail([*path, i, "value_type"], f"{label.value_type!r} is not one of {VALUE_TYPES}")
    return tuple(labels)


def _table(check: _Checker, spec: Any, shared: Any, path: list[Any]) -> TableDef:
    table_id = check.get(spec, "id", path, str)
    kind = check.get(spec, "kind", path, str)
    if kind not in KINDS:
        raise check.fail([*path, "kind"], f"{kind!r} is not one of {', '.join(KINDS)}")
    rows = _labels(check, check.get(spec, "rows", path, (list, str)), shared, [*path, "rows"])
    columns = _labels(check, check.get(spec, "columns", path, (list, str)), shared, [*path, "columns"])
    row_ids, column_ids = {r.id for r in rows}, {c.id for c in columns}
    for axis, labels in (("rows", rows), ("columns", columns)):
        for i, label in enumerate(labels):
            if label.total_of and not (kind == "grid" or (kind == "list" and axis == "rows")):
                raise check.fail([*path, axis, i, "total_of"], "only a grid, or a list's rows, has totals")
    na: dict[tuple[str, str], str] = {}
    why: dict[tuple[str, str], str] = {}
    for i, c in enumerate(spec.get("not_applicable", ())):
        cpath = [*path, "not_applicable", i]
        row_id, column_id = check.get(c, "row", cpath, str), check.get(c, "column", cpath, str)
        if row_id not in row_ids:
            raise check.fail([*cpath, "row"], f"{row_id!r} is not a row of {table_id!r}")
        if column_id not in column_ids:
            raise check.fail([*cpath, "column"], f"{column_id!r} is not a column of {table_id!r}")
        na[(row_id, column_id)] = c.get("printed", "")
        why[(row_id, column_id)] = c.get("why", "")
    fields: dict[tuple[str, str], str] = {}
    spec_fields = check.get(spec, "fields", path, dict)
    for row_id, by_column in spec_fields.items():
        if row_id not in row_ids:
            raise check.fail([*path, "fields", row_id], f"{row_id!r} is not a row of {table_id!r}")
        if not isinstance(by_column, dict):
            raise check.fail([*path, "fields", row_id], "give the field code of each column: {column: CODE}")
        for column_id, code in by_column.items():
            if column_id not in column_ids:
                raise check.fail(
                    [*path, "fields", row_id, column_id], f"{column_id!r} is not a column of {table_id!r}"
                )
            if not isinstance(code, str) or not re.match(r"^[A-Z][A-Z0-9_]*$", code):
                raise check.fail(
                    [*path, "fields", row_id, column_id],
                    f"{code!r} is not a field code (capitals, digits, _)",
                )
            fields[(row_id, column_id)] = code
    for row in rows:
        for column in columns:
            if (row.id, column.id) not in fields:
                raise check.fail([*path, "fields"], f"the cell {row.id}/{column.id} has no field code")
    return TableDef(
        id=table_id,
        kind=kind,
        title=check.get(spec, "title", path, str),
        match=tuple(spec.get("match", (spec["title"],))),
        rows=rows,
        columns=columns,
        not_applicable=na,
        na_reasons=why,
        required=spec.get("required", True),
        subtitle=spec.get("subtitle"),
        section=spec.get("section"),
        section_aliases=tuple(spec.get("section_aliases", ())),
        value_type=spec.get("value_type", "count"),
        fields=fields,
        publication=dict(spec.get("publication", {})),
    )
