"""No -o output is ever a file the command reads: one list of every input (FILEs, --population, --claims,
--template, a folder's files), compared by the file itself (device and inode), not by its name."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import KENT_XLSX, ROOT, SAMPLES, sha256
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import forget_definitions

POPULATION = SAMPLES / "ons_mid2014.csv"
TEMPLATE_2014 = ROOT / "schemas" / "templates" / "2014-15.json"
CLAIMS = SAMPLES / "kent_2015_claims.csv"


def invoke(*args: str) -> Result:
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        forget_definitions()  # a --template lasts the process: leave none to later tests


def refused_as_input(result: Result, name: Path) -> None:
    """Exit 2, one line, and the reason is that the file is an input (not 'give --force')."""
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"mappa-stats: error: {name}: is also an input file; the input is never overwritten, "
        "choose another name\n"
    )


# Each command that takes --template, with what it reads besides.
COMMANDS = {
    "validate": ["validate", str(KENT_XLSX)],
    "tables": ["tables", str(KENT_XLSX), "-f", "json"],
    "compare": ["compare", str(KENT_XLSX)],
    "rate": ["rate", str(KENT_XLSX), "--population", str(POPULATION)],
    "combine": ["combine", str(KENT_XLSX), "-f", "json"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_template_file_is_never_the_output_even_with_force(tmp_path: Path, command: str) -> None:
    """issue 23 #1: `validate … --template t.json -o t.json --force` wrote over t.json."""
    template = tmp_path / "t.json"
    template.write_bytes(TEMPLATE_2014.read_bytes())
    before = sha256(template)
    for force in ([], ["--force"]):
        result = invoke(*COMMANDS[command], "--template", str(template), "-o", str(template), *force)
        refused_as_input(result, template)
    assert sha256(template) == before


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links are needed")
@pytest.mark.parametrize("given", ["template", "population", "claims", "file"])
def test_a_hard_link_to_an_input_is_that_input(tmp_path: Path, given: str) -> None:
    """Another name for an input (a hard link) is refused as the input itself, --force or not."""
    sources = {"template": TEMPLATE_2014, "population": POPULATION, "claims": CLAIMS, "file": KENT_XLSX}
    source = tmp_path / sources[given].name
    source.write_bytes(sources[given].read_bytes())
    link = tmp_path / "report.json"
    os.link(source, link)
    before = sha256(source)
    workbook = str(source) if given == "file" else str(KENT_XLSX)
    options = {"template": "--template", "population": "--population", "claims": "--claims"}
    extra = [options[given], str(source)] if given in options else []
    result = invoke("validate", workbook, "-f", "json", *extra, "-o", str(link), "--force")
    refused_as_input(result, link)
    assert sha256(source) == before


def test_the_template_command_never_writes_over_its_template(tmp_path: Path) -> None:
    """`template --template FILE -o X.xlsx`: X.xlsx a hard link to FILE is refused."""
    template = tmp_path / "t.json"
    template.write_bytes(TEMPLATE_2014.read_bytes())
    link = tmp_path / "t.xlsx"
    os.link(template, link)
    refused_as_input(invoke("template", "--template", str(template), "-o", str(link), "--force"), link)
    assert template.read_bytes() == TEMPLATE_2014.read_bytes()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_symbolic_link_to_an_input_is_that_input(tmp_path: Path) -> None:
    source = tmp_path / "kent.xlsx"
    source.write_bytes(KENT_XLSX.read_bytes())
    link = tmp_path / "out.xlsx"
    link.symlink_to(source)
    refused_as_input(invoke("tables", str(source), "-o", str(link), "--force"), link)
    assert sha256(source) == sha256(KENT_XLSX)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_dangling_symbolic_link_is_refused(tmp_path: Path) -> None:
    """issue 23 #15: -o onto a link to nothing wrote the file the link names, elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "report.txt"
    link.symlink_to(elsewhere / "made.txt")
    for force in ([], ["--force"]):
        result = invoke("validate", str(KENT_XLSX), "-o", str(link), *force)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"mappa-stats: error: {link}: is a link to {elsewhere / 'made.txt'}, which does not exist; "
            "writing through it would create a file elsewhere: give the file's own name, or remove the link\n"
        )
    assert not (elsewhere / "made.txt").exists()
    assert link.is_symlink()


# --- output.check_output_path on its own (mutation survivors, issue 23) ------------------------------


def test_another_programs_file_is_refused_unless_force_is_given(tmp_path: Path) -> None:
    """Without force (the default) a file mappa-stats did not write is refused; with force it may go."""
    from mappa_stats.errors import OutputError
    from mappa_stats.output import check_output_path

    theirs = tmp_path / "budget.xlsx"
    theirs.write_bytes(b"their own bytes")
    with pytest.raises(OutputError, match="already exists and was not written by mappa-stats"):
        check_output_path(theirs)
    check_output_path(theirs, force=True)


def test_a_file_name_of_the_longest_allowed_length_is_accepted(tmp_path: Path) -> None:
    """NAME_MAX bytes is a name a file system allows; one byte more is refused with the count."""
    from mappa_stats.errors import OutputError
    from mappa_stats.output import NAME_MAX, check_output_path

    check_output_path(tmp_path / ("a" * (NAME_MAX - 5) + ".xlsx"))
    with pytest.raises(OutputError, match=f"the file name is {NAME_MAX + 1} bytes long"):
        check_output_path(tmp_path / ("a" * (NAME_MAX - 4) + ".xlsx"))


def test_a_folder_as_output_names_a_file_to_give(tmp_path: Path) -> None:
    """-o a folder: one line suggesting a file name inside it."""
    from mappa_stats.errors import OutputError
    from mappa_stats.output import check_output_path

    with pytest.raises(OutputError, match=r"is a folder; give a file name such as .*out\.xlsx"):
        check_output_path(tmp_path)


def test_a_foreign_file_outside_an_input_folder_is_refused_as_a_foreign_file(tmp_path: Path) -> None:
    """A folder among the inputs makes only its own files inputs: a file elsewhere is refused as someone
    else's file (replaceable with force), not as an input; mappa-stats' own output in the folder may go."""
    from mappa_stats.errors import OutputError
    from mappa_stats.output import check_output_path

    folder = tmp_path / "returns"
    folder.mkdir()
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("their notes", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists and was not written by mappa-stats"):
        check_output_path(elsewhere, [folder])
    check_output_path(elsewhere, [folder], force=True)
    theirs = folder / "notes.txt"
    theirs.write_text("their notes", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file in the input folder"):
        check_output_path(theirs, [folder], force=True)
