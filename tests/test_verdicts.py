"""Verdicts that never pass what was not checked, options that mean one thing, and input text made safe
in every output — each case a new user tried, as a test that fails when the behaviour goes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from conftest import KENT_CSV, KENT_XLSX, ROOT, sha256
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.rules.registry import rules_for
from mappa_stats.safetext import markdown, spreadsheet, terminal

POPULATION = ROOT / "samples" / "ons_mid2014.csv"
# Kent 2014-15: Level 1 is 2,335 of 2,357 on 31 March = 99.07%, which rounds to 99%.
KENT_SHARE = "99%"


def run(*args: str) -> Result:
    """The CLI in-process, colour off."""
    return CliRunner(env={"NO_COLOR": "1"}).invoke(main, list(args))


def one_error_line(result: Result) -> str:
    """Exit 2 and exactly one line on standard error."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# --- the rate with --population: never a quiet pass --------------------------------------------------


@pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"H1": "Kentt"}, ("'Kentt' is not in this population file", "did you mean Kent?")),
        ({"E37": None}, ("holds no rate", "type the published rate, e.g. 100")),
        ({"G1": None, "H1": None}, ("does not name its MAPPA area", "--area NAME")),
    ],
    ids=["misspelt-area", "blank-rate", "no-area"],
)
def test_a_rate_that_cannot_run_is_an_error(
    tmp_path: Path, changes: dict[str, object], words: tuple[str, ...], strict: bool
) -> None:
    """With --population given, a rate rule that could not run fails the file (exit 1) and says why."""
    path = edit_copy(KENT_XLSX, tmp_path / "return.xlsx", changes)
    result = run("validate", str(path), "--population", str(POPULATION), *(["--strict"] * strict))
    assert result.exit_code == 1, result.output
    assert ": FAIL — 1 error" in result.output
    line = next(line for line in result.output.splitlines() if line.startswith("ERROR   rate.matches"))
    assert "the rate could not be checked against the population file" in line
    for word in words:
        assert word in line, line
    assert "None" not in line


@pytest.mark.parametrize(
    ("stated", "words"),
    [("100 per 100,000", "is not a number"), ("1e5000", "is not a rate per 100,000 (0 to 100,000)")],
    ids=["rate-with-words", "rate-1e5000"],
)
def test_a_stated_rate_that_is_no_rate_is_an_error_at_its_cell(
    tmp_path: Path, stated: str, words: str
) -> None:
    """A rate cell holding words or '1e5000' is an error of the cell itself (issue fa), with or without
    --population, suggesting the rate the figures give (1,560 ÷ 1,565,295 × 100,000 = 99.66 → 100)."""
    path = edit_copy(KENT_XLSX, tmp_path / "return.xlsx", {"E37": stated})
    for population in (["--population", str(POPULATION)], []):
        result = run("validate", str(path), *population)
        assert result.exit_code == 1, result.output
        assert f"ERROR   rate.matches  'Statistics'!E37  the stated rate '{stated}' {words}" in result.output
        assert "state 100" in result.output


def test_the_published_rate_still_passes() -> None:
    """Kent's own figures with the real population: the rate rule runs and passes."""
    result = run("validate", str(KENT_XLSX), "--population", str(POPULATION), "-f", "json")
    rules = {r["id"]: r["status"] for r in json.loads(result.output)["files"][0]["rules"]}
    assert result.exit_code == 0
    assert rules["rate.matches"] == "passed"


def test_an_unknown_area_option_is_refused_with_the_closest_names() -> None:
    """--area Kentt: exit 2, one line, 'did you mean Kent?'; --area Narnia: where the names are."""
    line = one_error_line(run("validate", str(KENT_XLSX), "--area", "Kentt"))
    assert line.endswith("--area 'Kentt' is not one of the 42 MAPPA areas; did you mean Kent?")
    line = one_error_line(run("rate", "--population", str(POPULATION), "--area", "Narnia", "--rsos", "5"))
    assert "'Narnia' is not in this population file" in line


# --- the area: the workbook, its file name and --area must agree --------------------------------------


def test_area_option_disagreeing_with_the_workbook_is_refused(tmp_path: Path) -> None:
    """--area Sussex over a workbook whose area cell says Kent: refused unless --area-override."""
    message = (
        f"{KENT_XLSX}: the workbook's own MAPPA area cell at 'Statistics'!H1 says 'Kent' but --area says "
        "'Sussex'; correct the "
        "cell, drop --area, or add --area-override to report it as Sussex"
    )
    for command in (["validate"], ["signoff"], ["rate", "--population", str(POPULATION)]):
        result = run(*command, str(KENT_XLSX), "--area", "Sussex")
        if command == ["validate"]:
            assert result.exit_code == 2 and f"ERROR   {message}" in result.stdout, result.output
        else:
            assert one_error_line(result) == f"mappa-stats: error: {message}"
    overridden = run("validate", str(KENT_XLSX), "--area", "Sussex", "--area-override")
    # Reported as Sussex, Kent's 1,560 RSOs divide by Sussex's shipped mid-2014 population aged 10+
    # (1,466,561): 1,560 × 100,000 / 1,466,561 = 106.37, not the 100 Kent states.
    assert round(1_560 * 100_000 / 1_466_561, 2) == 106.37
    assert overridden.exit_code == 1
    assert "(Sussex, template 2014-15): FAIL — 1 error" in overridden.output
    # What the override set aside is said in the report.
    assert (
        "area given as Sussex by --area-override; the workbook says 'Kent' at 'Statistics'!H1"
        in overridden.output
    )
    assert "1560 RSOs ÷ 1,466,561 people aged 10+" in overridden.output
    same = run("validate", str(KENT_XLSX), "--area", "kent police")
    assert same.exit_code == 0
    assert "(Kent, template 2014-15): PASS" in same.output


def test_a_copy_saved_under_another_areas_name_is_refused(tmp_path: Path) -> None:
    """Kent's return saved as sussex_2015.xlsx: the cell and the file name disagree."""
    path = edit_copy(KENT_XLSX, tmp_path / "sussex_2015.xlsx", {})
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "MAPPA area cell at 'Statistics'!H1 says 'Kent' but its file name says 'Sussex'" in result.output
    overridden = run("validate", str(path), "--area-override")
    assert overridden.exit_code == 0
    assert "area Kent at 'Statistics'!H1 by --area-override; the file name says 'Sussex'" in overridden.output


def test_rate_area_option_means_the_workbooks_area(tmp_path: Path) -> None:
    """rate: a workbook with no area, told its area by --area as in every command; --rsos needs --area."""
    anonymous = edit_copy(KENT_XLSX, tmp_path / "return.xlsx", {"G1": None, "H1": None})
    told = run("rate", "--population", str(POPULATION), "--area", "Kent", str(anonymous))
    assert told.exit_code == 0
    assert "Kent: 1,560 RSOs" in told.output
    assert told.output.rstrip().endswith("Matches.")
    untold = run("rate", "--population", str(POPULATION), str(anonymous))
    assert "give --area NAME" in one_error_line(untold)
    alone = one_error_line(run("rate", "--population", str(POPULATION), "--area", "Kent"))
    assert "give WORKBOOK, or --rsos N" in alone
    no_area = one_error_line(run("rate", "--population", str(POPULATION), "--rsos", "5"))
    assert "--rsos needs --area NAME" in no_area


# --- cells and claims ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["B6", "E17"], ids=["grid", "single-figure"])
def test_z_typed_into_an_applicable_cell_is_an_error(tmp_path: Path, cell: str) -> None:
    """'[z]' (not applicable) where a count belongs: cells.missing, exit 1, naming the cell."""
    path = edit_copy(KENT_XLSX, tmp_path / "z.xlsx", {cell: "[z]"})
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert f"ERROR   cells.missing  'Statistics'!{cell}" in result.output
    assert "holds '[z]' (not applicable), but this cell applies" in result.output


def test_a_single_figure_formula_names_its_own_cell(tmp_path: Path) -> None:
    """A formula with no saved value at E17 is blamed on E17, not on B17 beside the label."""
    path = edit_copy(KENT_XLSX, tmp_path / "formula.xlsx", {"E17": "=SUM(30,7)"})
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "values.whole_number  'Statistics'!E17" in result.output
    assert "'=SUM(30,7)', which is a formula with no saved value" in result.output
    assert "B17" not in result.output


@pytest.mark.parametrize(
    ("given", "code", "words"),
    [
        ("0.99", 0, ()),
        ("99", 0, ()),
        ("99%", 0, ()),
        ("0.98", 1, ("the stated Level 1 share is 98%", "which rounds to 99%")),
        ("1", 1, ("the stated Level 1 share is 100%",)),
        ("99.00000000000000000001", 2, ("longer than any real figure",)),
    ],
)
def test_level1_share_option_reads_a_fraction_as_the_workbook_does(
    given: str, code: int, words: tuple[str, ...]
) -> None:
    """--level1-share 0.99 means 99% (as the workbook's 0.99 does); 98% is wrong for 2,335 of 2,357."""
    result = run("validate", str(KENT_XLSX), "--level1-share", given)
    assert result.exit_code == code, result.output
    for word in words:
        assert word in result.output
    if code == 0:
        assert "claims.level1_share" not in result.output


def test_a_share_with_too_many_digits_is_a_finding(tmp_path: Path) -> None:
    """A stated share of 30 digits in the workbook: a finding, not 'internal error (InvalidOperation)'."""
    path = edit_copy(KENT_XLSX, tmp_path / "digits.xlsx", {"E41": "99.0000000000000000000000000001%"})
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "is not a percentage" in result.output


@pytest.mark.parametrize("stated", ["1e5000", "-1", "100001", "nan", "100 per 100,000"])
def test_stated_option_is_bounded(stated: str) -> None:
    """--stated: a number from 0 to 100,000; anything else is one line, exit 2."""
    line = one_error_line(run("rate", "--population", str(POPULATION), "--stated", stated, str(KENT_XLSX)))
    assert "not a rate per 100,000" in line or "not a number" in line


def test_stated_option_that_hung_is_refused_at_once() -> None:
    """--stated 1e999999999 hung Decimal; in a subprocess with a timeout, so a regression cannot hang the suite."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mappa_stats",
            "rate",
            "--population",
            str(POPULATION),
            "--stated",
            "1e999999999",
            str(KENT_XLSX),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "'1e999999999' is not a rate per 100,000" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["rate", "--population", str(POPULATION), "--mid-year", "twenty"],
        ["rate", "--population", str(POPULATION), "--area", "Kent", "--rsos", "-5"],
        ["validate"],
        ["validate", str(KENT_XLSX), "--format", "pdf"],
    ],
    ids=["mid-year-text", "negative-rsos", "no-file", "unknown-format"],
)
def test_usage_errors_are_one_line(args: list[str]) -> None:
    """A usage error is one line naming the option and where help is, not Click's three-line block."""
    line = one_error_line(run(*args))
    assert line.startswith("mappa-stats: error: ")
    assert "--help')" in line


# --- text from the input, made safe -------------------------------------------------------------------


def _area_cell(tmp_path: Path, text: str) -> Path:
    return edit_copy(KENT_XLSX, tmp_path / "area.xlsx", {"H1": text})


def _csv_area(tmp_path: Path, text: str) -> Path:
    """The Kent tidy CSV with another area name (a CSV can hold any character, XML cannot)."""
    path = tmp_path / "area.csv"
    path.write_text(KENT_CSV.read_text(encoding="utf-8").replace("Kent,", f"{text},"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Kent\x1b[2J\x1b]0;owned\x07", _csv_area),
        ("Kent\x9b31m", _area_cell),
        ("Kent\u202eegami", _area_cell),
    ],
    ids=["esc-bel", "c1-csi", "bidi"],
)
def test_terminal_escapes_never_reach_the_terminal(tmp_path: Path, text: str, where: object) -> None:
    """ESC, BEL, C1 and bidi controls in the area name are shown escaped in every text output."""
    path = where(tmp_path, text)  # type: ignore[operator]
    for args in (["validate", str(path)], ["tables", str(path)], ["validate", str(path), "--area", "Sussex"]):
        result = run(*args)
        for control in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert control not in result.output, (args, result.output)
    assert terminal(text) in run("validate", str(path)).output


def test_unknown_label_with_escapes_is_one_safe_line(tmp_path: Path) -> None:
    """An unknown row label holding ESC: the one-line error shows it escaped."""
    path = tmp_path / "label.csv"
    path.write_text(
        KENT_CSV.read_text(encoding="utf-8").replace(
            "snapshot,level2,cat1,", "snapshot,level2\x1b[31m,cat1,"
        ),
        encoding="utf-8",
    )
    line = one_error_line(run("tables", str(path)))
    assert "'level2\\x1b[31m'" in line
    assert "\x1b" not in line


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("-inf", "'-inf"),
        ("+1_0", "'+1_0"),
        ("-nan", "'-nan"),
        ("=1+1", "'=1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("\nline", "'\nline"),
        ("-3", "-3"),
        ("+44", "+44"),
        ("1e5", "1e5"),
        ("[low]", "[low]"),
        ("Kent\x01\x02", "Kent"),
    ],
)
def test_no_spreadsheet_formula_and_no_xml_control(text: str, written: str) -> None:
    """What a spreadsheet would run gets a leading '; characters XML cannot hold are dropped."""
    assert spreadsheet(text) == written


def test_tidy_csv_and_rate_csv_fields_never_start_a_formula(tmp_path: Path) -> None:
    """An area named '-inf' in the tidy CSV, and '=HYPERLINK(…)' in a population file's area table."""
    path = _area_cell(tmp_path, "-1+2")
    body = run("tables", str(path), "-f", "csv").output.splitlines()[1]
    assert body.startswith("'-1+2,"), body
    population = tmp_path / "areas.csv"
    population.write_text(
        'mappa_area,aged_10_plus,all_ages\nKent,1565295,1784369\n"=HYPERLINK(""http://x"")",5,6\n',
        encoding="utf-8",
    )
    rows = run("rate", "--population", str(population), "-f", "csv").output.splitlines()
    assert '\'=HYPERLINK(""http://x"")' in "\n".join(rows) or "\"'=HYPERLINK(" in "\n".join(rows), rows
    assert not any(line.startswith("=") for line in rows)


def test_a_control_character_in_a_label_does_not_break_the_spreadsheet_writer(tmp_path: Path) -> None:
    """An area name with \\x01 (a tidy CSV): tables -f xlsx still writes, the character dropped."""
    text = KENT_CSV.read_text(encoding="utf-8").replace("Kent,", "Ke\x01nt,")
    path = tmp_path / "ctrl.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "tables.xlsx"
    result = run("tables", str(path), "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    texts = [str(c.value) for ws in load_workbook(out) for row in ws.iter_rows() for c in row if c.value]
    assert not any("\x01" in t for t in texts)


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "Kent <!-- hidden"],
    ids=["script", "img-onerror", "comment"],
)
def test_markdown_outputs_hold_no_raw_html(tmp_path: Path, text: str) -> None:
    """HTML in the area cell is escaped in the validate report and the tables as Markdown."""
    path = _area_cell(tmp_path, text)
    for args in (["validate", str(path), "-f", "markdown"], ["tables", str(path), "-f", "markdown"]):
        output = run(*args).output
        for raw in ("<script", "<img", "<!--"):
            assert raw not in output, output
        assert "&lt;" in output


def test_markdown_text_cannot_add_table_cells_or_headings(tmp_path: Path) -> None:
    """'|' in a cell adds no column to the findings table; a line break and '## Verdict' add no heading."""
    path = edit_copy(KENT_XLSX, tmp_path / "pipes.xlsx", {"B6": "1|2|3|4", "H1": "Kent\n## Verdict\nPASS"})
    output = run("validate", str(path), "-f", "markdown").output
    headings = [line for line in output.splitlines() if line.startswith("#")]
    assert headings == ["# MAPPA statistics validation report", f"## {markdown(str(path))}"]
    table = [line for line in output.splitlines() if line.startswith("| ERROR")]
    header = next(line for line in output.splitlines() if line.startswith("| Severity"))
    columns = header.count("|")
    assert table and all(line.replace("\\|", "").count("|") == columns for line in table), table


def test_signoff_pack_cannot_be_hidden_behind_a_comment(tmp_path: Path) -> None:
    """An unclosed '<!--' in the area cell must not hide the real verdict and signature lines."""
    path = _area_cell(tmp_path, "Kent <!-- ")
    assert "<!--" not in run("signoff", str(path)).output


def test_safe_text_helpers() -> None:
    """terminal shows controls, markdown escapes HTML and the punctuation that makes structure."""
    assert terminal("a\x1bb\nc") == "a\\x1bb\\nc"
    assert terminal("a\nb", lines=True) == "a\nb"
    assert markdown("a|b <i>*x*</i> [l](u) `c` #h\nnext") == (
        "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\[l\\](u) \\`c\\` \\#h next"
    )
    assert markdown("kent_2015.xlsx") == "kent_2015.xlsx"
    assert markdown("_x_") == "\\_x\\_"


# --- outputs that a mutation showed untested ----------------------------------------------------------


def test_rules_json_is_the_registry() -> None:
    """rules -f json lists every rule of the year, in order, with its severity and description."""
    result = run("rules", "--year", "2014-15", "-f", "json")
    assert result.exit_code == 0
    rules = rules_for(load_template("2014-15"))
    expected = [{"id": r.id, "severity": r.severity, "description": r.description} for r in rules]
    assert json.loads(result.output) == expected


def test_rate_csv_is_exact() -> None:
    """rate -f csv: the header and Kent's row, every figure derived in the rate's docstring."""
    result = run("rate", "--population", str(POPULATION), str(KENT_XLSX), "-f", "csv")
    assert result.exit_code == 0
    assert result.output == (
        "area,rsos,population,base,vintage,rate,rate_rounded,one_in,stated,verdict,source\n"
        f'Kent,1560,1565295,aged 10+,mid-2014,99.66,100,1003,100,matches,"{POPULATION} (ONS MYE2, mid-2014)"\n'
    )


def test_input_is_never_changed(tmp_path: Path) -> None:
    """Every case above reads a copy; this one checks a refused and an accepted read leave bytes as they were."""
    path = edit_copy(KENT_XLSX, tmp_path / "sussex_2015.xlsx", {})
    before = sha256(path)
    run("validate", str(path))
    run("validate", str(path), "--area-override", "--population", str(POPULATION))
    assert sha256(path) == before


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colour_only_on_a_terminal_without_no_color() -> None:
    """On a terminal the verdict is coloured; with NO_COLOR, or when piped, it is not."""
    import pty  # noqa: F401  (the module must exist for os.openpty to be meaningful)

    def on_terminal(env: dict[str, str]) -> bytes:
        master, slave = os.openpty()
        try:
            subprocess.run(
                [sys.executable, "-m", "mappa_stats", "validate", str(KENT_XLSX)],
                stdout=slave,
                stderr=subprocess.DEVNULL,
                env=env,
                timeout=60,
                check=False,
            )
            os.close(slave)
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(master)

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert b"\x1b[" in on_terminal(env)
    assert b"\x1b[" not in on_terminal({**env, "NO_COLOR": "1"})
    piped = CliRunner().invoke(main, ["validate", str(KENT_XLSX)], color=True)
    assert "\x1b[" not in piped.output


def test_strict_fails_what_could_not_be_checked() -> None:
    """--strict: the rate rules not checked (2024-25 without --population: mid-2024 is not shipped) fail the
    run; on the shipped estimates (2014-15) or a population given, it passes."""
    unshipped = str(ROOT / "tests" / "golden" / "inputs" / "gen" / "kent_2024.xlsx")
    lax = run("validate", unshipped)
    assert lax.exit_code == 0
    strict = run("validate", unshipped, "--strict")
    assert strict.exit_code == 1
    assert "FAIL — 0 errors, 0 warnings, 2 rules not checked" in strict.output
    assert "the ONS mid-2024 population estimates are not shipped" in strict.output
    shipped = run("validate", str(KENT_XLSX), "--strict")
    assert shipped.exit_code == 0, shipped.output
    checked = run("validate", str(KENT_XLSX), "--strict", "--population", str(POPULATION))
    assert checked.exit_code == 0, checked.output


def test_an_area_from_the_file_name_is_said_in_the_report(tmp_path: Path) -> None:
    """A workbook with no MAPPA area cell, named kent_2015.xlsx: the report itself says where Kent came from."""
    from openpyxl import load_workbook

    book = load_workbook(KENT_XLSX)
    book["Statistics"]["G1"], book["Statistics"]["H1"] = None, None
    path = tmp_path / "kent_2015.xlsx"
    book.save(path)
    text = run("validate", str(path))
    assert "Note: " in text.stdout
    assert "Kent is taken from the file name" in text.stdout
    report = json.loads(run("validate", str(path), "-f", "json").stdout)["files"][0]
    assert any("Kent is taken from the file name" in note for note in report["notes"])
    assert "Kent is taken from the file name" in run("validate", str(path), "-f", "markdown").stdout
