"""A year is written as what changed from the year it extends: the shipped chain, the merge rules, a new year
in a few lines, broken chains, and verification that is never inherited."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from conftest import KENT_XLSX, ROOT
from mappa_stats.cli.main import main
from mappa_stats.definitions.inherit import merge, resolve
from mappa_stats.definitions.load import (
    _read_json,
    forget_definitions,
    form_years,
    schemas_dir,
    shipped_years,
)
from mappa_stats.errors import TemplateError
from mappa_stats.io.readers import read_area

FIXTURES = ROOT / "tests" / "data" / "definitions"
YEARS = schemas_dir() / "templates"
SHIPPED = [*shipped_years(), *(f"nsd/{y}" for y in form_years("nsd"))]

# A whole new year: what a manager writes to use 2025-26 before a release ships it (docs/templates.md).
NEXT_YEAR = {
    "template": "2025-26",
    "extends": "2024-25",
    "changes": ["no change known from the year before"],
    "description": "MAPPA annual report statistical tables, 1 April 2025 to 31 March 2026.",
    "period_end": "31 March 2026",
    "population_mid_year": 2025,
    "tables": [{"id": "snapshot", "title": "MAPPA-eligible offenders on 31 March 2026"}],
    "return": {"sheet": "25-26 data"},
}


@pytest.fixture(autouse=True)
def _no_leftover_definitions() -> Iterator[None]:
    yield
    forget_definitions()


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def write(folder: Path, name: str, spec: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return path


def raw(year: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((YEARS / f"{year}.json").read_text(encoding="utf-8"))
    return spec


# --- the shipped years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["area", "nsd"])
def test_every_shipped_year_but_the_first_extends_the_year_before(form: str) -> None:
    """The first year of a form is whole; every later one says which year it changes (an NSD year an NSD
    year's)."""
    years = form_years(form)
    prefix = "" if form == "area" else f"{form}/"
    assert len(years) >= 3
    assert "extends" not in raw(prefix + years[0])
    for before, year in pairwise(years):
        assert raw(prefix + year).get("extends") == before, year


def _readable(spec: Any) -> list[str]:
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False).splitlines()


@pytest.mark.parametrize("year", SHIPPED)
def test_every_shipped_year_resolves_to_exactly_its_whole_definition(year: str) -> None:
    """Each year, resolved through its chain, is equal as data to its whole file of before (the fixtures in
    tests/data/definitions/), in the same order below the top level; the difference is shown as a diff."""
    resolved = resolve(YEARS / f"{year}.json", _read_json)
    whole = json.loads((FIXTURES / f"{year}.json").read_text(encoding="utf-8"))
    if resolved != whole:
        diff = difflib.unified_diff(
            _readable(whole),
            _readable(resolved),
            f"tests/data/definitions/{year}.json",
            "resolved",
            lineterm="",
        )
        pytest.fail(f"{year} does not resolve to its whole definition:\n" + "\n".join(diff))
    # Order is behaviour too (a table's field codes, a list of rows): below the top level it is the same.
    in_order = {key: resolved[key] for key in whole}
    if json.dumps(in_order) != json.dumps(whole):
        diff = difflib.unified_diff(
            json.dumps(whole, indent=1).splitlines(), json.dumps(in_order, indent=1).splitlines(), lineterm=""
        )
        pytest.fail(f"{year} resolves to its whole definition, but in another order:\n" + "\n".join(diff))


@pytest.mark.parametrize("year", SHIPPED)
def test_a_shipped_year_is_verified_only_by_its_own_file(year: str) -> None:
    """Today's statuses: 2014-15, 2023-24 and 2024-25 (area and NSD) verified, each by the sources in its
    own file; every other year provisional."""
    resolved = resolve(YEARS / f"{year}.json", _read_json)
    verified = {"2014-15", "2023-24", "2024-25", "nsd/2023-24", "nsd/2024-25"}
    assert resolved["status"] == ("verified" if year in verified else "provisional")
    if year in verified:
        assert raw(year)["status"] == "verified"
        assert raw(year)["sources"]


# --- the merge rules --------------------------------------------------------------------------------------


def test_objects_merge_key_by_key_and_null_removes_a_key() -> None:
    parent = {"a": 1, "b": {"x": 1, "y": 2}, "c": 3}
    assert merge(parent, {"b": {"y": 5, "z": 6}, "c": None}) == {"a": 1, "b": {"x": 1, "y": 5, "z": 6}}
    assert parent == {"a": 1, "b": {"x": 1, "y": 2}, "c": 3}


def test_a_new_key_goes_where_the_child_writes_it() -> None:
    parent = {"sopo": 1, "no": 2, "fto": 3}
    merged = merge(parent, {"sopo": None, "shpo": 0, "no": 2})
    assert list(merged) == ["shpo", "no", "fto"]
    assert list(merge(parent, {"new": 4})) == ["sopo", "no", "fto", "new"]


def test_lists_with_ids_merge_by_id_and_other_lists_replace() -> None:
    parent = {
        "tables": [{"id": "a", "title": "A", "match": ["A", "Ay"]}, {"id": "b", "title": "B"}],
        "relations": [{"rule": "r1", "op": "<="}, {"rule": "r2", "op": ">="}],
    }
    child = {
        "tables": [
            {"id": "a", "match": ["A only"]},
            {"id": "b", "remove": True},
            {"id": "c", "title": "C"},
            {"id": "z", "title": "Z", "before": "a"},
        ],
        "relations": [{"rule": "r2", "op": "=="}],
    }
    assert merge(parent, child) == {
        "tables": [
            {"id": "z", "title": "Z"},
            {"id": "a", "title": "A", "match": ["A only"]},
            {"id": "c", "title": "C"},
        ],
        "relations": [{"rule": "r1", "op": "<="}, {"rule": "r2", "op": "=="}],
    }


@pytest.mark.parametrize(
    ("child", "message"),
    [
        (
            {"tables": [{"id": "zz", "remove": True}]},
            "2025-26.json: tables: 'zz' cannot be removed: the year extended has none",
        ),
        (
            {"tables": [{"id": "yearly", "remove": True, "title": "x"}]},
            "2025-26.json: tables: write a removal as {'id': 'yearly', 'remove': true}",
        ),
        (
            {"tables": [{"id": "new", "title": "x", "before": "zz"}]},
            "2025-26.json: tables[new]: before 'zz', which the year extended does not have",
        ),
    ],
)
def test_a_merge_that_cannot_be_carried_out_names_the_file(
    tmp_path: Path, child: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, "2025-26.json", {**NEXT_YEAR, **child})
    result = run("rules", "--template", path)
    assert result.exit_code == 2
    assert result.output == f"mappa-stats: error: {message}\n"


# --- a new year in a few lines ----------------------------------------------------------------------------


def test_a_2025_26_file_of_a_few_lines_validates_a_filled_workbook(tmp_path: Path) -> None:
    """A 2025-26 file extending the shipped 2024-25 by name: the workbook `template` writes for it, filled,
    is validated end to end, and the year is provisional (nothing has verified it)."""
    definition = write(tmp_path, "2025-26.json", NEXT_YEAR)
    assert len(definition.read_text(encoding="utf-8").splitlines()) < 30
    out = tmp_path / "area_2026.xlsx"
    made = run("template", "--template", definition, "-o", out)
    assert made.exit_code == 0, made.output
    empty = read_area(out)
    book = load_workbook(out)
    for table_id, row, column in empty.template.field_refs.values():
        cell = empty.cell(table_id, row, column)
        if cell is not None and empty.template.table(table_id).is_applicable(row, column):
            book[cell.sheet][cell.cell] = 0
    book.save(out)
    result = run("validate", out, "--template", definition)
    assert result.exit_code == 0, result.output
    assert "(template 2025-26): PASS" in result.output
    assert "template 2025-26 is provisional" in result.output
    report = json.loads(run("validate", out, "--template", definition, "--format", "json").output)
    assert report["files"][0]["template_status"] == "provisional"
    assert report["files"][0]["template"] == "2025-26"


def test_a_child_of_a_verified_year_is_provisional(tmp_path: Path) -> None:
    """2024-25 is verified; a year extending it is provisional until its own file names what verified it."""
    assert resolve(YEARS / "2024-25.json", _read_json)["status"] == "verified"
    child = resolve(write(tmp_path, "2025-26.json", NEXT_YEAR), _read_json, YEARS)
    assert child["status"] == "provisional"
    assert child["sources"] == raw("2024-25")["sources"]  # what the structure was read from, carried


def test_verified_needs_the_files_own_sources(tmp_path: Path) -> None:
    """`"status": "verified"` with only inherited sources is refused; with its own, it stands."""
    claimed = write(tmp_path, "2025-26.json", {**NEXT_YEAR, "status": "verified"})
    result = run("rules", "--template", claimed)
    assert result.exit_code == 2
    assert result.output.startswith(
        "mappa-stats: error: 2025-26.json: status: 'verified' needs the file's own"
    )
    read = write(
        tmp_path, "2025-26.json", {**NEXT_YEAR, "status": "verified", "sources": ["the 2025-26 return"]}
    )
    assert resolve(read, _read_json, YEARS)["status"] == "verified"


def test_a_relative_path_is_read_from_the_folder_of_the_file(tmp_path: Path) -> None:
    """`extends` that is not a year names a file beside the one that says it; a year, a shipped year."""
    write(tmp_path, "2025-26.json", NEXT_YEAR)
    later = write(
        tmp_path,
        "2026-27.json",
        {**NEXT_YEAR, "template": "2026-27", "extends": "2025-26.json", "period_end": "31 March 2027"},
    )
    resolved = resolve(later, _read_json, YEARS)
    assert resolved["template"] == "2026-27"
    assert resolved["period_end"] == "31 March 2027"
    assert resolved["tables"][0]["title"] == "MAPPA-eligible offenders on 31 March 2026"
    assert resolved["return"]["sheet"] == "25-26 data"


# --- broken chains: exit 2, one line, no traceback ---------------------------------------------------------


def _refused(path: Path) -> str:
    result = run("validate", KENT_XLSX, "--template", path)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [result.output.strip()]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output.strip()


def test_a_chain_that_goes_round_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path, "2025-26.json", {**NEXT_YEAR, "extends": "b.json"})
    write(tmp_path, "b.json", {**NEXT_YEAR, "extends": "2025-26.json"})
    assert _refused(a) == (
        "mappa-stats: error: 2025-26.json: extends goes round in a circle "
        "(2025-26.json -> b.json -> 2025-26.json); one year must be whole"
    )


def test_a_file_that_extends_itself_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path, "2025-26.json", {**NEXT_YEAR, "extends": "2025-26.json"})
    assert _refused(a) == (
        "mappa-stats: error: 2025-26.json: extends goes round in a circle (2025-26.json -> 2025-26.json); "
        "one year must be whole"
    )


def test_a_missing_parent_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path, "2025-26.json", {**NEXT_YEAR, "extends": "2019-19"})
    message = _refused(a)
    assert message.startswith(
        "mappa-stats: error: 2025-26.json: extends '2019-19', but there is no such definition ("
    )
    assert message.endswith("2019-19.json); check the name")
    b = write(tmp_path, "2026-27.json", {**NEXT_YEAR, "template": "2026-27", "extends": "2025-26.json"})
    a.write_text(json.dumps({**NEXT_YEAR, "extends": "nowhere/2024-25.json"}), encoding="utf-8")
    assert _refused(b).startswith(
        "mappa-stats: error: 2025-26.json: extends 'nowhere/2024-25.json', but there"
    )


def test_a_chain_too_long_is_refused(tmp_path: Path) -> None:
    for i in range(60):
        write(tmp_path, f"y{i}.json", {**NEXT_YEAR, "extends": f"y{i + 1}.json" if i < 59 else "2024-25"})
    assert _refused(tmp_path / "y0.json") == (
        "mappa-stats: error: y0.json: more than 40 files extend one another; shorten the chain"
    )


def test_resolve_raises_a_template_error_for_a_broken_extends(tmp_path: Path) -> None:
    path = write(tmp_path, "2025-26.json", {**NEXT_YEAR, "extends": 2024})
    with pytest.raises(TemplateError, match=r"^2025-26.json: extends: 2024 is not a year"):
        resolve(path, _read_json, YEARS)


def test_the_documented_2025_26_file_is_the_one_tested() -> None:
    """docs/templates.md's 2025-26 example is the file validated end to end above, and its 2019-20 is the
    shipped one less the publication wording."""
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(\{\n \"template\".*?)```", doc, re.S)]
    assert NEXT_YEAR in blocks
    shipped = {k: v for k, v in raw("2019-20").items() if k != "publication"}
    shipped["tables"] = [{"id": "snapshot", "title": shipped["tables"][0]["title"]}]
    assert shipped in blocks
