"""A reporting year is one data file: definitions checked when loaded, rules and field codes from the data."""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

import mappa_stats
from conftest import KENT_CSV, KENT_XLSX, ROOT, SAMPLES
from mappa_stats.cli.main import main
from mappa_stats.definitions.build import build_template
from mappa_stats.definitions.equations import equations
from mappa_stats.definitions.inherit import resolve
from mappa_stats.definitions.load import (
    _read_json,
    check_definition,
    forget_definitions,
    form_years,
    headline_years,
    load_template,
    schemas_dir,
    shipped_years,
)
from mappa_stats.definitions.templates import ROLES
from mappa_stats.errors import TemplateError
from mappa_stats.io.readers import read_area
from mappa_stats.rules import frame as frames

BASE = json.loads((schemas_dir() / "templates" / "2014-15.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_leftover_definitions() -> Iterator[None]:
    """Definitions given with --template last for one run; keep tests independent."""
    yield
    forget_definitions()


def write(tmp_path: Path, spec: dict[str, Any], name: str = "2015-16.json") -> Path:
    """A definition file in a temporary folder."""
    path = tmp_path / name
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return path


def run(*args: str | Path) -> Any:
    """The command as a user runs it (one process state, definitions forgotten after each test)."""
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize(
    "year",
    [
        *shipped_years(),
        *(f"nsd/{y}" for y in form_years("nsd")),
        *(f"headline/{y}" for y in headline_years()),
    ],
)
def test_every_shipped_year_passes_its_schema_and_references(year: str) -> None:
    """Each shipped definition (an area's, the NSD's, and the headline-only years') is valid against
    template.schema.json and every reference resolves."""
    spec = resolve(schemas_dir() / "templates" / f"{year}.json", _read_json)
    year = year.removeprefix("nsd/").removeprefix("headline/")
    check_definition(spec, f"{year}.json")
    template = build_template(spec, f"{year}.json", file_year=year)
    codes = [code for table in template.tables for code in table.fields.values()]
    assert len(codes) == len(set(codes)) == len(list(template.cells()))


# --- broken definitions: exit 2, one line, the JSON path ---------------------------------------------------


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def _duplicate_code(spec: dict[str, Any]) -> None:
    spec["tables"][1]["fields"]["level2"]["cat1"] = "CAT1L1"


BROKEN = {
    "total of an unknown column": (
        _set(["labels", "categories", 3, "total_of", 2], "cat9"),
        "labels.categories[3].total_of[2]: 'cat9' is not one of cat1, cat2, cat3, total",
    ),
    "relation naming no table": (
        _set(["relations", 0, "compare", 0, "left", 0], "sros"),
        "relations[0].compare[0].left[0]: 'sros' is not a table of this year",
    ),
    "op outside the closed set": (
        _set(["relations", 0, "compare", 0, "op"], "<"),
        "relations[0].compare[0].op: '<' is not one of ['<=', '>=', '==']",
    ),
    "relation naming no row": (
        _set(["relations", 1, "compare", 0, "right", 1], "level9"),
        "relations[1].compare[0].right[1]: 'level9' is not a row of 'yearly'",
    ),
    "sides of different shapes": (
        _set(["relations", 0, "compare", 0, "right", 2], "cat1"),
        "relations[0].compare[0]: one side has '*' for the column and the other names one",
    ),
    "field code used twice": (
        _duplicate_code,
        "tables[1].fields.level2.cat1: field code 'CAT1L1' is used twice (also at tables[0].fields.level1.cat1)",
    ),
    "cell without a field code": (
        _drop(["tables", 2, "fields", "value"]),
        "tables[2].fields: the cell value/value has no field code",
    ),
    "role naming no field": (
        _set(["roles", "rsos"], "CAT9TOT"),
        "roles.rsos: 'CAT9TOT' is not a field code of this year",
    ),
    "unknown placeholder in a message": (
        _set(["relations", 0, "message"], "Yearly {level} is low"),
        "relations[0].message: unknown placeholder {level}",
    ),
    "not-applicable cell naming no column": (
        _set(["tables", 0, "not_applicable", 0, "column"], "cat4"),
        "tables[0].not_applicable[0].column: 'cat4' is not a column of 'snapshot'",
    ),
    "unknown key (schema)": (
        _set(["relations", 0, "severty"], "error"),
        "relations[0]: Additional properties are not allowed ('severty' was unexpected)",
    ),
    "missing tables (schema)": (
        _drop(["tables"]),
        "(top level): 'tables' is a required property",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_definition_is_refused_with_its_json_path(tmp_path: Path, kind: str) -> None:
    """Each kind of mistake in a definition: exit 2, one line naming the file and the JSON path."""
    change, expected = BROKEN[kind]
    spec = copy.deepcopy(BASE)
    change(spec)
    path = write(tmp_path, spec)
    result = run("validate", KENT_XLSX, "--template", path)
    assert result.exit_code == 2
    assert result.output.splitlines() == [result.output.strip()]
    assert result.output.strip().startswith(f"mappa-stats: error: 2015-16.json: {expected}")


def test_a_definition_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    """A syntax error in the JSON is one line with where it is."""
    path = tmp_path / "2015-16.json"
    path.write_text('{"template": "2015-16",\n  "tables": [}', encoding="utf-8")
    result = run("rules", "--template", path)
    assert result.exit_code == 2
    assert "2015-16.json: not valid JSON (line 2, column 14" in result.output


def test_a_shipped_definition_with_a_broken_reference_is_refused(tmp_path: Path) -> None:
    """The reference checks run on every load, not only on --template files."""
    spec = copy.deepcopy(BASE)
    spec["labels"]["categories"][3]["total_of"][2] = "cat9"
    with pytest.raises(TemplateError, match=r"total_of\[2\]: 'cat9'"):
        build_template(spec, "2014-15.json", file_year="2014-15")


def test_a_year_is_never_a_path(tmp_path: Path) -> None:
    """A year naming a planted file elsewhere is refused, not loaded."""
    planted = tmp_path / "evil.json"
    planted.write_text(json.dumps(BASE), encoding="utf-8")
    csv = tmp_path / "kent.csv"
    text = KENT_CSV.read_text(encoding="utf-8").replace("2014-15", f"../../../../{tmp_path}/evil")
    csv.write_text(text, encoding="utf-8")
    result = run("validate", csv)
    assert result.exit_code == 2
    assert "no template definition for '../../../.." in result.output
    with pytest.raises(TemplateError):
        load_template(str(tmp_path / "evil"))


# --- a new year is one data file ---------------------------------------------------------------------------


def _grid_fields(rows: list[str], suffix: str, grand: str) -> dict[str, dict[str, str]]:
    cats = {"cat1": "CAT1", "cat2": "CAT2", "cat3": "CAT3"}
    out: dict[str, dict[str, str]] = {}
    for r in [*rows, "total"]:
        out[r] = {}
        for c in [*cats, "total"]:
            if r != "total" and c != "total":
                out[r][c] = f"{cats[c]}L{r[-1]}{suffix}"
            elif r != "total":
                out[r][c] = f"LEVEL{r[-1]}{suffix}TOT"
            elif c != "total":
                out[r][c] = f"{cats[c]}{suffix}TOT"
            else:
                out[r][c] = grand
    return out


def next_year(extra_tables: list[dict[str, Any]], relations: list[dict[str, Any]]) -> dict[str, Any]:
    """The 2014-15 definition carried to 2015-16, with more tables and relations."""
    spec: dict[str, Any] = copy.deepcopy(BASE)
    spec.update(
        template="2015-16", period_end="31 March 2016", population_mid_year=2015, status="provisional"
    )
    spec["tables"][0]["title"] = "MAPPA-eligible offenders on 31 March 2016"
    spec["tables"] += extra_tables
    spec["relations"] += relations
    return spec


SROS = {
    "id": "sexual_risk_orders",
    "kind": "list",
    "title": "Sexual Risk Orders granted",
    "match": ["Sexual Risk Orders granted"],
    "rows": [{"id": "sro", "label": "SROs", "aliases": ["Sexual Risk Orders"]}],
    "columns": [{"id": "value", "label": "Number"}],
    "fields": {"sro": {"value": "SROGRANT"}},
}
SROS_LE_RSOS = {
    "rule": "cross.sros_le_rsos",
    "severity": "error",
    "description": "Sexual Risk Orders granted are at most the registered sexual offenders on 31 March.",
    "message": "{left} Sexual Risk Orders granted, more than the {right} registered sexual offenders on "
    "31 March ({right_source})",
    "suggestion": "check the SRO count against {right}",
    "compare": [{"left": "SROGRANT", "op": "<=", "right": "CAT1TOT"}],
}


def filled(out: Path, values: dict[str, Any], *which: str | Path) -> Path:
    """The empty workbook `template` writes (for `which`: --year Y or --template FILE), filled by field code."""
    assert run("template", *which, "-o", out).exit_code == 0
    empty = read_area(out)
    book = load_workbook(out)
    for code, value in values.items():
        cell = empty.cell(*empty.template.field_refs[code])
        assert cell is not None
        book[cell.sheet][cell.cell] = value
    book.save(out)
    return out


def fill(definition: Path, out: Path, values: dict[str, float | str | None]) -> Path:
    """The empty workbook of a definition given with --template, filled by field code."""
    return filled(out, values, "--template", definition)


def kent_values() -> dict[str, float | str | None]:
    """Kent's published 2014-15 figures by field code (the committed sample workbook)."""
    kent = read_area(KENT_XLSX)
    out: dict[str, float | str | None] = {}
    for code, ref in kent.template.field_refs.items():
        cell = kent.cell(*ref)
        assert cell is not None
        out[code] = None if cell.value is None else int(cell.value) if cell.value.is_integer() else cell.value
        if cell.marker == "-":
            out[code] = "-"
    return out


def test_a_new_year_with_a_new_table_and_relation_needs_no_code(tmp_path: Path) -> None:
    """A 2015-16 definition written in a temporary folder: its own table, rule and message, end to end."""
    definition = write(tmp_path, next_year([SROS], [SROS_LE_RSOS]))
    values = {**kent_values(), "SROGRANT": 5000}
    workbook = fill(definition, tmp_path / "kent_2016.xlsx", values)
    result = run("validate", workbook, "--template", definition)
    assert result.exit_code == 1, result.output
    assert "(Kent, template 2015-16)" in result.output
    line = next(x for x in result.output.splitlines() if "cross.sros_le_rsos" in x)
    assert (
        "5000 Sexual Risk Orders granted, more than the 1560 registered sexual offenders on 31 March" in line
    )
    assert "suggestion: check the SRO count against 1560" in result.output
    assert "template 2015-16 is provisional" in result.output
    listed = run("rules", "--template", definition).output
    assert "cross.sros_le_rsos" in listed
    assert "Sexual Risk Orders granted are at most" in listed
    fine = fill(definition, tmp_path / "kent_2016_ok.xlsx", {**kent_values(), "SROGRANT": 12})
    assert run("validate", fine, "--template", definition).exit_code == 0


SFO_TABLES = [
    {
        "id": f"sfo_{name}",
        "kind": "grid",
        "title": f"Serious further offences {words}",
        "match": [f"Serious further offences {words}"],
        "rows": "levels_23",
        "columns": "categories",
        "fields": _grid_fields(["level2", "level3"], suffix, f"SFO{suffix}TOT"),
    }
    for name, words, suffix in (
        ("charged", "charged", "SFO"),
        ("convicted", "convicted", "SFOCONV"),
        ("other", "with another outcome", "SFOOTHER"),
    )
]
SFO_OUTCOMES = {
    "rule": "cross.sfo_outcomes",
    "severity": "error",
    "description": "Serious further offences convicted and with another outcome add up to those charged.",
    "message": "{left} convicted and other outcomes at {row}, {column}, but {right} charged ({right_source})",
    "suggestion": "the outcomes add up to the offences charged",
    "compare": [
        {
            "left": [["sfo_convicted", "*", "*"], ["sfo_other", "*", "*"]],
            "op": "==",
            "right": ["sfo_charged", "*", "*"],
        }
    ],
}
# Charged = convicted + other, cell by cell; each grid's totals add up (arithmetic shown in the numbers).
SFO = {
    "CAT1L2SFO": 3, "CAT2L2SFO": 2, "CAT3L2SFO": 1, "LEVEL2SFOTOT": 6,
    "CAT1L3SFO": 1, "CAT2L3SFO": 0, "CAT3L3SFO": 0, "LEVEL3SFOTOT": 1,
    "CAT1SFOTOT": 4, "CAT2SFOTOT": 2, "CAT3SFOTOT": 1, "SFOSFOTOT": 7,
    "CAT1L2SFOCONV": 2, "CAT2L2SFOCONV": 1, "CAT3L2SFOCONV": 1, "LEVEL2SFOCONVTOT": 4,
    "CAT1L3SFOCONV": 1, "CAT2L3SFOCONV": 0, "CAT3L3SFOCONV": 0, "LEVEL3SFOCONVTOT": 1,
    "CAT1SFOCONVTOT": 3, "CAT2SFOCONVTOT": 1, "CAT3SFOCONVTOT": 1, "SFOSFOCONVTOT": 5,
    "CAT1L2SFOOTHER": 1, "CAT2L2SFOOTHER": 1, "CAT3L2SFOOTHER": 0, "LEVEL2SFOOTHERTOT": 2,
    "CAT1L3SFOOTHER": 0, "CAT2L3SFOOTHER": 0, "CAT3L3SFOOTHER": 0, "LEVEL3SFOOTHERTOT": 0,
    "CAT1SFOOTHERTOT": 1, "CAT2SFOOTHERTOT": 1, "CAT3SFOOTHERTOT": 0, "SFOSFOOTHERTOT": 2,
}  # fmt: skip


def test_a_cross_table_equality_is_located_with_its_value(tmp_path: Path) -> None:
    """One mistyped outcome breaks its row, its column and the outcomes equality: located, with 1."""
    definition = write(tmp_path, next_year(SFO_TABLES, [SFO_OUTCOMES]))
    # 2015-16 divides by mid-2015 (shipped): Kent aged 10+ 1,578,583, so 1,560 × 100,000 / 1,578,583 =
    # 98.82, stated 99; the one mistyped cell is then the only finding.
    assert round(1_560 * 100_000 / 1_578_583, 2) == 98.82
    good = fill(definition, tmp_path / "kent_ok.xlsx", {**kent_values(), **SFO, "RSORATE": 99})
    assert run("validate", good, "--template", definition).exit_code == 0
    broken = fill(
        definition, tmp_path / "kent_2016.xlsx", {**kent_values(), **SFO, "RSORATE": 99, "CAT2L2SFOCONV": 4}
    )
    result = run("validate", broken, "--template", definition, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert len(findings) == 1
    assert findings[0]["field"] == "CAT2L2SFOCONV"
    assert (findings[0]["actual"], findings[0]["expected"]) == (4, 1)
    assert set(findings[0]["rules"]) == {"totals.row", "totals.column", "cross.sfo_outcomes"}
    summary = json.loads(result.stdout)["files"][0]["summary"]
    assert (summary["failed"], summary["errors"]) == (3, 1)


def test_a_cross_table_equality_alone_is_reported_at_its_cell(tmp_path: Path) -> None:
    """Without the locator, a broken '==' relation is its own finding, at the left cell, with its message."""
    definition = write(tmp_path, next_year(SFO_TABLES, [SFO_OUTCOMES]))
    values: dict[str, float | str | None] = {
        **kent_values(),
        **SFO,
        "CAT1L2SFO": 4,
        "LEVEL2SFOTOT": 7,
        "CAT1SFOTOT": 5,
        "SFOSFOTOT": 8,
    }
    broken = fill(definition, tmp_path / "kent_2016.xlsx", values)
    result = run("validate", broken, "--template", definition, "--no-suggest")
    assert result.exit_code == 1
    assert "3 convicted and other outcomes at Level 2, Category 1, but 4 charged" in result.output


# --- pandera does the checking, on the wide frame ----------------------------------------------------------


def forty_two_returns() -> pd.DataFrame:
    """Kent's figures as 42 returns, one per MAPPA area."""
    areas = json.loads((schemas_dir() / "areas.json").read_text(encoding="utf-8"))["areas"]
    frame = pd.concat([mappa_stats.read(KENT_XLSX)] * len(areas), ignore_index=True)
    frame["area"] = [a["name"] for a in areas]
    return frame


def test_the_schema_reports_the_one_broken_return_of_42() -> None:
    """mappa_stats.schema('2014-15') over 42 returns names the row whose Level 1 total is wrong."""
    frame = forty_two_returns()
    assert len(frame) == 42
    mappa_stats.schema("2014-15").validate(frame, lazy=True)  # consistent: no exception
    frame.loc[17, "LEVEL1TOT"] = 2334
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        mappa_stats.schema("2014-15").validate(frame, lazy=True)
    cases = caught.value.failure_cases
    assert set(cases["index"]) == {17}
    assert set(cases["check"]) == {"totals.row", "totals.column"}


def test_the_schema_takes_whole_numbers_as_they_come() -> None:
    """A statistician's frame of integers (blanks as NaN) is coerced, not refused."""
    frame = forty_two_returns()
    counts = [c for c in frame.columns if c not in ("area", "year", "CAT3L1") and frame[c].notna().all()]
    frame[counts] = frame[counts].astype("int64")
    mappa_stats.schema("2014-15").validate(frame, lazy=True)
    frame.loc[3, "CAT2L2"] = -6
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        mappa_stats.schema("2014-15").validate(frame, lazy=True)
    assert "values.whole_number" in set(caught.value.failure_cases["check"])


def test_validate_runs_the_same_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pandera checks taken away, validate no longer sees a broken total: it runs them, not a copy."""
    swapped = SAMPLES / "errors" / "swapped_digits.xlsx"
    assert run("validate", swapped).exit_code == 1
    monkeypatch.setattr(frames, "_checks_only", lambda template: pa.DataFrameSchema())
    assert run("validate", swapped).exit_code == 0


def test_the_wide_frame_of_a_file_has_every_field() -> None:
    """read() gives one row: area, year and each field code with the figure from the file."""
    frame = mappa_stats.read(KENT_XLSX)
    assert list(frame.columns[:2]) == ["area", "year"]
    assert len(frame) == 1
    assert frame.loc[0, "area"] == "Kent"
    assert (frame.loc[0, "CAT1TOT"], frame.loc[0, "LEVEL1TOT"], frame.loc[0, "SOPOGRANT"]) == (
        1560,
        2335,
        134,
    )
    assert pd.isna(frame.loc[0, "CAT3L1"])  # type: ignore[arg-type]  # pandas-stubs: .loc's scalar is wider than isna's
    assert set(frame.columns[2:]) == set(load_template("2014-15").field_refs)


def test_known_parts_bound_a_total_through_a_not_collected_cell(tmp_path: Path) -> None:
    """802 RSOs against a grand total of 713 fails, though Categories 2 and 3 were not collected."""
    values = kent_values()
    for code in ("CAT2L1", "CAT2L2", "CAT2L3", "CAT2TOT", "CAT3L2", "CAT3L3", "CAT3TOT"):
        values[code] = "Not collected"
    values.update(CAT1L1=790, CAT1TOT=802, LEVEL1TOT=790, TOTAL_MAPPA_OFFENDERS=713)
    definition = write(tmp_path, BASE, "2014-15.json")
    workbook = fill(definition, tmp_path / "kent_2015.xlsx", values)
    result = run("validate", workbook, "--format", "json")
    findings = json.loads(result.stdout)["files"][0]["findings"]
    bound = [f for f in findings if f["field"] == "TOTAL_MAPPA_OFFENDERS"]
    assert result.exit_code == 1
    assert bound
    assert bound[0]["rule"] == "totals.row"
    assert "already add up to 802 (89 over)" in bound[0]["message"]


# --- findings are counted once ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((SAMPLES / "errors").glob("*.xlsx")), ids=lambda p: p.stem)
def test_sample_counts_agree_with_their_findings(path: Path) -> None:
    """A rule failed exactly when a finding shows it broken; the summary counts the findings it lists."""
    report = json.loads(run("validate", path, "--format", "json").stdout)["files"][0]
    shown = {rule for f in report["findings"] for rule in f["rules"]}
    failed = {r["id"] for r in report["rules"] if r["status"] == "failed"}
    assert failed == shown
    assert report["summary"]["failed"] == len(failed)
    assert report["summary"]["errors"] == sum(f["severity"] == "error" for f in report["findings"])
    for r in report["rules"]:
        assert r["findings"] == sum(r["id"] in f["rules"] for f in report["findings"])


# --- field codes --------------------------------------------------------------------------------------------


def test_a_tidy_csv_may_name_cells_by_field_code(tmp_path: Path) -> None:
    """area,year,field,value reads as the same tables as the table/row/column form."""
    template = load_template("2014-15")
    lines = ["area,year,field,value,marker"]
    for row in pd.read_csv(KENT_CSV, dtype=str, keep_default_na=False).to_dict("records"):
        code = template.table(row["table"]).fields[(row["row"], row["column"])]
        lines.append(f"{row['area']},{row['year']},{code.lower()},{row['value']},{row['marker']}")
    by_field = tmp_path / "kent_2015.csv"
    by_field.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("tables", by_field).output.replace(str(by_field), "X") == run(
        "tables", KENT_CSV
    ).output.replace(str(KENT_CSV), "X")
    at = next(i for i, line in enumerate(lines) if ",cat2l1," in line)
    lines[at] = lines[at].replace("cat2l1", "CAT9L1")
    by_field.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", by_field)
    assert result.exit_code == 2
    assert f"{by_field}:{at + 1}: unknown field code 'CAT9L1' for 2014-15" in result.output


def test_findings_carry_their_field_code() -> None:
    """Every finding at a cell of the JSON report names its field code."""
    for path in sorted((SAMPLES / "errors").glob("*.json")):
        if path.name == "manifest.json":
            continue
        for f in json.loads(path.read_text(encoding="utf-8"))["files"][0]["findings"]:
            if f["cell"] and f["table"] != "commentary":
                assert f["field"], (path.name, f["ref"])


def _string_constants(path: Path) -> set[str]:
    return {
        n.value
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_no_table_row_or_column_of_a_year_is_named_in_the_code() -> None:
    """Outside the definitions and tests, code asks for cells by role, never by a year's ids."""
    ids: set[str] = set()
    forms = [load_template(y) for y in shipped_years()]
    forms += [load_template(y, "nsd") for y in form_years("nsd")]
    for template in forms:
        for table in template.tables:
            ids.add(table.id)
            ids.update(label.id for label in (*table.rows, *table.columns))
        ids.update(template.field_refs)
    # Plain words that are also ids ("value" is the tidy model's column; "total", "no" are English).
    ids -= {"value", "total", "no"}
    ids -= set(ROLES)  # role names are how code asks for a cell; one year's row id happens to share one
    named = {
        f"{path.name}: {text!r}"
        for path in sorted((ROOT / "src" / "mappa_stats").rglob("*.py"))
        for text in _string_constants(path) & ids
    }
    assert not named


# --- every year ---------------------------------------------------------------------------------------------


def consistent_figures(year: str) -> dict[str, int]:
    """Figures that satisfy every equality of a year, by construction.

    Every cell that is a part and never a total holds a small number; a cell that is the single side of an '==' relation
    holds the sum of the other side; then each grid total is the sum of its parts (rows, then the Total row).
    """
    template = load_template(year)
    eqs = equations(template)
    grid_totals = {eq.total for eq in eqs if eq.table}
    shared = [eq.total for eq in eqs if not eq.table]
    # A cell that sums one relation's parts is worked out; one broken down several ways is given.
    totals = grid_totals | {total for total in shared if shared.count(total) == 1}
    _counts, empty = frames.count_fields(template)
    # Ten offenders per cell on 31 March and in the year, one of everything else: the relations' bounds
    # (returns, reviews and breaches at most the offenders managed) then hold too.
    big = {code for code, ref in template.field_refs.items() if ref[0] in ("snapshot", "yearly")}
    values = {code: 10 if code in big else 1 for code in _counts if code not in totals}
    for eq in eqs:  # relations between inner cells first; those between totals follow from the grids
        if eq.table or eq.total in grid_totals:
            continue
        if shared.count(eq.total) > 1:
            # One count broken down several ways (31 March by age, by sex …): all of it in each first row.
            values.update({p: 0 for p in eq.parts})
            values[eq.parts[0]] = values[eq.total]
        else:
            values[eq.total] = sum(values[p] for p in eq.parts)
    pending = [eq for eq in eqs if eq.table]
    while pending:
        ready = [eq for eq in pending if all(p in values for p in eq.parts)]
        assert ready, "the equations of a year have no order"
        for eq in ready:
            values[eq.total] = sum(values[p] for p in eq.parts)
            pending.remove(eq)
    assert not set(values) & set(empty)
    return values


@pytest.mark.parametrize("year", shipped_years())
def test_every_year_round_trips_and_validates(tmp_path: Path, year: str) -> None:
    """template --year Y writes a workbook that reads back; filled consistently it passes; one slip is located."""
    out = tmp_path / f"area_{year}.xlsx"
    assert run("template", "--year", year, "-o", out).exit_code == 0
    empty = run("validate", out, "--format", "json")
    assert empty.exit_code == 1
    assert json.loads(empty.stdout)["files"][0]["template"] == year
    # The area workbook holds the published report's tables only: the return's breakdowns are not in it.
    breakdowns = {t.id for t in load_template(year).breakdowns}
    values = {
        c: v
        for c, v in consistent_figures(year).items()
        if load_template(year).field_refs[c][0] not in breakdowns
    }
    filled(out, values, "--year", year, "--force")
    workbook = load_workbook(out)
    area = read_area(out)
    result = run("validate", out, "--area", "Kent")
    assert result.exit_code == 0, result.output
    assert ("provisional" in result.output) == load_template(year).provisional
    inner = next(code for code in ("CAT2L2YEAR",) if code in values)
    cell = area.cell(*area.template.field_refs[inner])
    assert cell is not None
    workbook[cell.sheet][cell.cell] = 12
    workbook.save(out)
    located = json.loads(run("validate", out, "--area", "Kent", "--format", "json").stdout)["files"][0]
    slip = [f for f in located["findings"] if f["field"] == inner]
    assert slip
    assert slip[0]["expected"] == values[inner]
    assert slip[0]["actual"] == 12


# --- the population belongs to the year ----------------------------------------------------------------------


def later_year_workbook(tmp_path: Path, year: str) -> Path:
    """Kent's 2014-15 figures entered in another year's workbook (new tables zero), stated rate 100."""
    template = load_template(year)
    kent = kent_values()
    values: dict[str, float | str | None] = {}
    counts, _empty = frames.count_fields(template)
    for code in counts:
        values[code] = kent.get(code, 0)
    values["RSORATE"] = 100
    return filled(tmp_path / f"kent_{year[:4]}.xlsx", values, "--year", year)


def test_a_rate_is_not_checked_against_another_years_population(tmp_path: Path) -> None:
    """A 2018-19 rate with the mid-2014 file: the file is refused (exit 2, docs/commands.md), naming the
    mid-2018 estimates to give, never 'does not match'."""
    workbook = later_year_workbook(tmp_path, "2018-19")
    result = run("validate", workbook, "--area", "Kent", "--population", SAMPLES / "ons_mid2014.csv")
    assert result.exit_code == 2, result.output
    assert "the population file is mid-2014, but 2018-19 rates divide by the ONS mid-2018" in result.output
    assert "does not match" not in result.output
    assert "but 1560 RSOs" not in result.output


def test_a_rate_is_checked_against_the_years_own_population(tmp_path: Path) -> None:
    """The same workbook with a (synthetic) mid-2018 file: checked, and a wrong rate is named with its value."""
    mid2018 = tmp_path / "ons_mid2018.csv"  # the mid-2014 figures, named as mid-2018: the year is in the name
    mid2018.write_text((SAMPLES / "ons_mid2014.csv").read_text(encoding="utf-8"), encoding="utf-8")
    workbook = later_year_workbook(tmp_path, "2018-19")
    assert run("validate", workbook, "--area", "Kent", "--population", mid2018).exit_code == 0
    book = load_workbook(workbook)
    area = read_area(workbook)
    stated = area.cell(*area.template.field_refs["RSORATE"])
    assert stated is not None
    book[stated.sheet][stated.cell] = 46
    book.save(workbook)
    result = run("validate", workbook, "--area", "Kent", "--population", mid2018)
    assert result.exit_code == 1
    # 1560 ÷ 1,565,295 × 100,000 = 99.66 → 100 (the Kent figures of the seed report)
    assert "the stated rate is 46 per 100,000 but 1560 RSOs ÷ 1,565,295 people aged 10+" in result.output


def test_at_an_exact_half_either_rounding_is_accepted() -> None:
    """k.5: rounding half up (the reports) and half to even (pandas, the Ministry's pipeline) differ."""
    from decimal import Decimal

    from mappa_stats.io.population import AreaPopulation
    from mappa_stats.io.population_rate import compute_rate

    # 1 RSO in 200,000 people aged 10+ is exactly 0.5 per 100,000: half up 1, half to even 0.
    base = AreaPopulation(area="Test", aged_10_plus=200_000, all_ages=None, codes=())
    for stated in ("0", "1"):
        rate = compute_rate("Test", 1, base, stated=Decimal(stated))
        assert rate.matches
        assert rate.rounding_differs
        assert "half up gives 1, half to even 0" in rate.verdict()
    assert compute_rate("Test", 1, base, stated=Decimal("2")).matches is False


def test_the_rate_command_honours_the_year(tmp_path: Path) -> None:
    """rate on a 2018-19 workbook with the mid-2014 file: not checked, exit 1 (never 'matches')."""
    workbook = later_year_workbook(tmp_path, "2018-19")
    result = run("rate", "--population", SAMPLES / "ons_mid2014.csv", workbook, "--area", "Kent")
    assert result.exit_code == 1
    assert "Not checked: needs mid-2018 (the population file is mid-2014)." in result.output
    assert "Matches" not in result.output


def test_mid_year_names_the_estimate_of_a_file_that_does_not_say(tmp_path: Path) -> None:
    """A population file with no year in its title or name: --mid-year 2018 says which estimate it is, so a
    2018-19 rate is checked; a file that says mid-2014 is refused under --mid-year 2018, in one line."""
    untitled = tmp_path / "population.csv"  # the mid-2014 figures, under a name with no year (synthetic)
    untitled.write_text((SAMPLES / "ons_mid2014.csv").read_text(encoding="utf-8"), encoding="utf-8")
    workbook = later_year_workbook(tmp_path, "2018-19")
    # Level 1 is 1548 + 787 = 2335 of 2357 on 31 March: 99.07%, stated as 99.
    args: list[str | Path] = [
        "validate",
        workbook,
        "--area",
        "Kent",
        "--level1-share",
        "99",
        "--population",
        untitled,
        "--strict",
    ]
    unsaid = run(*args)
    # Without a mid-year the vintage rule cannot run, and --strict fails what was not checked.
    assert unsaid.exit_code == 1
    assert "rate.vintage" in unsaid.output
    assert run(*args, "--mid-year", "2018").exit_code == 0
    wrong = run(*args[:-1], "--population", SAMPLES / "ons_mid2014.csv", "--mid-year", "2018")
    assert wrong.exit_code == 2
    assert "the file says it is the mid-2014 estimate, not mid-2018" in wrong.output


def test_a_mid_2023_workbook_as_ons_publishes_it_gives_a_returns_rate(tmp_path: Path) -> None:
    """The mid-2023 shape (mye23tablesew.xlsx): a contents sheet first, 'MYE2 - Persons' with 7 title rows, ages
    0 … 90 as columns. Its figures here are Kent's mid-2014 rows relabelled (synthetic); with a 2023-24
    return the rate is 1560 ÷ 1,565,295 × 100,000 = 99.66 → 100, and the vintage matches the year."""
    import csv

    from returns import figures, make_return

    raw = ROOT / "tests" / "data" / "ons_mye2_mid2014_uk_persons.csv"
    with raw.open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if r and r[0] in ("E10000016", "E06000035")]
    book = Workbook()
    assert book.active is not None
    book.active.title = "Contents"
    sheet = book.create_sheet("MYE2 - Persons")
    titles = [
        "MYE2: Population estimates: Persons by single year of age for local authorities, mid-2023",
        "This worksheet contains one table.",
        "Source: Office for National Statistics",
        "Units: number of people",
        "",
        "",
        "",
    ]
    for title in titles:
        sheet.append([title] if title else [])
    sheet.append(["Code", "Name", "Geography", "All ages", *range(91)])
    for r in rows:
        sheet.append([r[0], r[1], "County", *(int(x.replace(",", "")) for x in r[2:])])
    population = tmp_path / "mye23tablesew.xlsx"
    book.save(population)
    ret = make_return(tmp_path / "kent_return.xlsx", "2023-24", figures("2023-24"))
    result = run("rate", "--population", population, ret, "--format", "json")
    assert result.exit_code == 0, result.output
    rate = json.loads(result.stdout)["rates"][0]
    assert (rate["population"], rate["rate_rounded"], rate["vintage"]) == (1_565_295, 100, "mid-2023")
