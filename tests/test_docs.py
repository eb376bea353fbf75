"""The docs stay true: every command, option, rule and exit code is documented; the README runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import mappa_stats
from conftest import ROOT
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import form_years, schemas_dir, shipped_years

COMMANDS_DOC = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(name: str) -> str:
    match = re.search(rf"^## mappa-stats {name}\n(.*?)(?=^## |\Z)", COMMANDS_DOC, re.M | re.S)
    assert match, f"docs/commands.md has no section for {name}"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    """Each command has a section in docs/commands.md naming each of its options."""
    section = _section(name)
    command = main.commands[name]
    assert command.help, f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            if longest == "--help":
                continue
            assert f"`{longest}`" in section, f"{longest} of {name} is not in docs/commands.md"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name: str) -> None:
    """-h and --help work on every command."""
    for flag in ("-h", "--help"):
        result = CliRunner().invoke(main, [name, flag])
        assert result.exit_code == 0
        assert "Usage: " in result.output


def test_exit_codes_are_documented() -> None:
    """0, 1 and 2 are in docs/commands.md, the README and validate --help."""
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in COMMANDS_DOC
    assert "**0**" in README
    assert "**1**" in README
    assert "**2**" in README
    text = CliRunner().invoke(main, ["validate", "--help"]).output
    assert re.search(r"0\s+every check passed", text)
    assert re.search(r"2\s+the command could not run", text)


@pytest.mark.parametrize("year", [*shipped_years(), *(f"nsd/{y}" for y in form_years("nsd"))])
def test_rules_doc_matches_each_year(year: str) -> None:
    """docs/rules.md holds, for every shipped year (and the NSD's), exactly what `rules --year Y [--form nsd]
    --format markdown` prints."""
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    start, end = f"<!-- rules:{year}:start -->\n", f"<!-- rules:{year}:end -->"
    assert start in doc, f"docs/rules.md has no table for {year}"
    table = doc.split(start)[1].split(end)[0]
    form = ["--form", "nsd"] if year.startswith("nsd/") else []
    args = ["rules", "--year", year.removeprefix("nsd/"), *form, "--format", "markdown"]
    printed = CliRunner().invoke(main, args).output
    assert table == printed


def test_templates_doc_matches_the_command() -> None:
    """docs/templates.md's table of years is exactly what `mappa-stats templates --format markdown` prints."""
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    table = doc.split("<!-- templates:start -->\n")[1].split("<!-- templates:end -->")[0]
    printed = CliRunner().invoke(main, ["templates", "--format", "markdown"]).output
    assert table == printed
    for year in shipped_years():
        assert f"| {year} |" in table


def test_readme_quickstart_is_real() -> None:
    """The README's two commands are the ones CI runs, and its shown output is what validate prints."""
    assert "mappa-stats validate samples/kent_2015.xlsx\npython -m pytest\n" in README
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    shown = README.split("$ mappa-stats validate samples/kent_2015.xlsx\n")[1].split("```")[0]
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        printed = CliRunner(env={"NO_COLOR": "1"}).invoke(main, ["validate", "samples/kent_2015.xlsx"]).output
    finally:
        os.chdir(here)
    assert shown == printed


def test_readme_example_is_the_committed_output() -> None:
    """The README's opening example is what validate prints for samples/errors/swapped_digits.xlsx."""
    shown = README.split("$ mappa-stats validate samples/errors/swapped_digits.xlsx\n")[1].split("```")[0]
    assert shown == (ROOT / "samples" / "errors" / "swapped_digits.txt").read_text(encoding="utf-8")


def test_docs_links_resolve() -> None:
    """Every relative link in README and docs/ points at a file that exists."""
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_help_does_not_import_pandas_or_pandera() -> None:
    """`mappa-stats --help` stays fast: no pandas, pandera or openpyxl at start-up."""
    code = (
        "import sys\n"
        "from mappa_stats.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'pandera', 'openpyxl', 'numpy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout


def test_template_definitions_ship_with_the_package() -> None:
    """The year definitions and area list are found wherever the package is installed."""
    folder = schemas_dir()
    assert (folder / "templates" / "2014-15.json").is_file()
    assert (folder / "areas.json").is_file()
    installed = Path(mappa_stats.__file__).parent
    if "site-packages" in str(installed):  # a real (non-editable) install, as in CI
        assert folder == installed / "schemas"


def test_api_example_runs_and_prints_what_the_doc_says(
    in_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/api.md's Python example runs as written and prints the output shown below it."""
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code, shown = re.findall(r"```python\n(.*?)```\n.*?```\n(.*?)```", doc, re.S)[0]
    exec(compile(code, "docs/api.md", "exec"), {})
    assert capsys.readouterr().out == shown
