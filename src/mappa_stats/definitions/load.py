"""Where the years' definitions live and how one is loaded: the shipped years and forms, the
files given with --template, reading a file's JSON (through `inherit.resolve`, which follows `extends`)
and the JSON Schema check (schemas/template.schema.json).

`load_template` refuses a definition whose references do not resolve, naming the file and the JSON path
(`build.py`); `check_definition` adds the JSON Schema and is used for every file given with `--template`
and, in the test suite, for every shipped year.
"""

from __future__ import annotations

import json
import stat
from functools import cache
from pathlib import Path
from typing import Any

from mappa_stats.definitions.build import build_template, json_path
from mappa_stats.definitions.constants import YEAR
from mappa_stats.definitions.inherit import resolve
from mappa_stats.definitions.templates import FORMS, Template
from mappa_stats.errors import TemplateError

MAX_DEFINITION_BYTES = 1024 * 1024


@cache
def schemas_dir() -> Path:
    """Folder holding the template definitions, inside the installed package or the checkout."""
    packaged = Path(__file__).parents[1] / "schemas"  # what importlib.resources finds, without its import
    if packaged.is_dir():
        return packaged
    # Editable installs and plain checkouts: the top-level schemas/ folder of the repository.
    return Path(__file__).resolve().parents[3] / "schemas"


# Definitions given with --template FILE, by year; they take precedence over the shipped ones.
_EXTRA: dict[str, Template] = {}


@cache
def shipped_years() -> tuple[str, ...]:
    """Years with a definition file shipped in the package, oldest first."""
    folder = schemas_dir() / "templates"
    return tuple(sorted(p.stem for p in folder.glob("*.json") if YEAR.match(p.stem)))


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
    return tuple(sorted(p.stem for p in folder.glob("*.json") if YEAR.match(p.stem)))


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
    if year in headline_years():
        raise TemplateError(
            f"{year} is a headline-only year: mappa-stats knows only the headline figures published then "
            f"(category totals, the 31 March total, Levels 2 and 3, the rate), enough for compare, claims "
            f"and long CSVs; a workbook, a return or a template needs a full year ({shipped_years()[0]} on)"
        )
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
    return build_template(_resolve_shipped(path), str(path), file_year=year)


@cache
def _load_form(year: str, form: str) -> Template:
    path = schemas_dir() / "templates" / form / f"{year}.json"
    return build_template(_resolve_shipped(path), str(path), file_year=year)


@cache
def headline_years() -> tuple[str, ...]:
    """Years before the full definitions (2002-03 … 2013-14) with a headline-only definition, oldest first:
    the figures published then, for compare, claims and long CSVs (schemas/templates/headline/)."""
    folder = schemas_dir() / "templates" / "headline"
    return tuple(sorted(p.stem for p in folder.glob("*.json") if YEAR.match(p.stem)))


def figure_years() -> tuple[str, ...]:
    """Every year whose figures can be compared and claimed: the headline-only years, then the full ones."""
    return tuple(sorted({*headline_years(), *available_years()}))


def figures_template(year: str) -> Template:
    """The definition of a year's figures: the full one, or a headline-only year's (2002-03 … 2013-14)."""
    if year in headline_years() and year not in _EXTRA:
        return _load_headline(year)
    return load_template(year)


@cache
def _load_headline(year: str) -> Template:
    path = schemas_dir() / "templates" / "headline" / f"{year}.json"
    return build_template(_resolve_shipped(path), str(path), file_year=year)


def _resolve_shipped(path: Path) -> Any:
    """A shipped definition with its `extends` chain resolved."""
    return resolve(path, _read_json)


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
        try:
            found = path.stat()
        except FileNotFoundError:
            found = None
        if found is None or not stat.S_ISREG(found.st_mode):
            raise TemplateError(f"{path}: no such definition file; check the path")
        if found.st_size > MAX_DEFINITION_BYTES:
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


def check_definition(spec: Any, where: str) -> None:
    """Check a definition against schemas/template.schema.json; the first problem is a TemplateError."""
    import jsonschema  # lazy, for speed: only --template files and the tests are checked against it

    schema = json.loads((schemas_dir() / "template.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(spec), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        first = errors[0]
        raise TemplateError(f"{Path(where).name}: {json_path(first.absolute_path)}: {first.message}")
