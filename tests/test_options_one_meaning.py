"""Options that mean one thing (issue 25, item 3), for every command that writes.

`-o -` is standard output: the very bytes `-o FILE` writes, and nothing else on standard output; a
workbook's bytes are refused on a terminal (one line, exit 2, nothing written). `--force` only replaces a
file mappa-stats did not write; publishing data that fail validation takes `--publish-failing`, which says
so on the cover and the Checks worksheet.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from conftest import KENT_XLSX, ROOT, SAMPLES, sha256
from mappa_stats.cli.main import main
from mappa_stats.cli.options import binary_to_terminal
from mappa_stats.render.registry import Document, choices

POPULATION = SAMPLES / "ons_mid2014.csv"
SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"  # one error: totals.row at 'Statistics'!C5
KENT = str(KENT_XLSX)

# Every command that writes, the document it writes and the inputs it is asked about. Kent alone is one
# area of 42: combine finds the set incomplete, so its workbooks need --publish-failing.
WRITERS: dict[str, tuple[Document | None, list[str]]] = {
    "validate": (Document.VALIDATION, [KENT]),
    "tables": (Document.TABLES, [KENT]),
    "rate": (Document.RATE, [KENT, "--population", str(POPULATION)]),
    "compare": (Document.COMPARISON, [KENT, str(SAMPLES / "kent_2015_report.txt")]),
    "combine": (Document.NATIONAL, [KENT]),
    "signoff": (Document.SIGNOFF, [KENT]),
    "template": (None, []),  # an .xlsx to fill in, no --format
}
CASES = [
    (name, fmt)
    for name, (document, _) in WRITERS.items()
    for fmt in (choices(document) if document else ["xlsx"])
]
SPREADSHEETS = ("xlsx", "ods")
SUFFIX = {"text": ".txt", "markdown": ".md", "csv": ".csv", "json": ".json", "html": ".html"}
# A cover's and a workbook's dates (document properties, release date) are the time it was made.
DATES = re.compile(rb"\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?|\d{1,2} [A-Z][a-z]+ \d{4}")
# odfpy declares, in a later document of the same process, the namespaces an earlier one used: the same
# document, differently prefaced (the tests run both writes in one process; the command makes one).
NAMESPACES = re.compile(rb' xmlns:\w+="[^"]*"')


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _args(name: str, fmt: str) -> list[str]:
    document, inputs = WRITERS[name]
    args = [name, *inputs]
    if document is not None:
        args += ["--format", fmt]
    if name == "combine" and fmt in SPREADSHEETS:
        args.append("--publish-failing")
    return args


def _members(data: bytes) -> dict[str, bytes]:
    """A workbook's parts with their dates removed (two runs a second apart differ only there)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: NAMESPACES.sub(b"", DATES.sub(b"<date>", archive.read(name))) for name in archive.namelist()
        }


def test_every_command_that_writes_is_here() -> None:
    """A command given -o later must join this table (and so be tested below)."""
    assert isinstance(main, click.Group)
    with_output = {
        name for name, command in main.commands.items() if any(p.name == "output" for p in command.params)
    }
    assert with_output == set(WRITERS)


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_dash_is_standard_output_with_the_bytes_of_the_file(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o -` puts on standard output exactly what `-o FILE` writes, and nothing else; no file '-'."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / ("out" + SUFFIX.get(fmt, f".{fmt}"))
    to_file = invoke(*_args(name, fmt), "-o", str(out))
    to_stdout = invoke(*_args(name, fmt), "-o", "-")
    assert to_file.exit_code in (0, 1), to_file.output
    assert to_stdout.exit_code == to_file.exit_code, to_stdout.output
    assert to_file.stdout_bytes == b""
    assert not (tmp_path / "-").exists()
    assert "wrote -" not in to_stdout.stderr
    if fmt in SPREADSHEETS or name == "template":
        assert _members(to_stdout.stdout_bytes) == _members(out.read_bytes())
        assert to_stdout.stderr.startswith(f"wrote the .{fmt} workbook to standard output")
    else:
        assert to_stdout.stdout_bytes == out.read_bytes()
        assert to_stdout.stdout_bytes  # a document, not nothing


def test_a_workbook_for_a_terminal_is_refused_by_the_check() -> None:
    """The check itself: a stream that is a terminal refuses a workbook, a pipe or file takes it."""

    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(click.UsageError, match=r"^-o - writes the \.ods workbook's bytes to standard output"):
        binary_to_terminal("ods", Path("-"), Terminal())
    binary_to_terminal("ods", Path("-"), io.BytesIO())  # a pipe or a file: written
    binary_to_terminal("ods", Path("out.ods"), Terminal())  # a file named: nothing to do with the terminal


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="a pseudo-terminal is POSIX")
@pytest.mark.parametrize(
    "args",
    [
        ["tables", KENT, "-f", "xlsx"],
        ["tables", KENT, "-f", "ods"],
        ["combine", KENT, "-f", "ods", "--publish-failing"],
        ["template"],
    ],
    ids=["tables-xlsx", "tables-ods", "combine-ods", "template"],
)
def test_a_workbook_on_a_terminal_is_refused(args: list[str], tmp_path: Path) -> None:
    """Standard output a terminal (a pseudo-terminal): one line on stderr, exit 2, no byte on the terminal
    and no file anywhere."""
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mappa_stats", *args, "-o", "-"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=False,
            timeout=120,
        )
        os.set_blocking(controller, False)
        try:
            shown = os.read(controller, 65536)
        except (BlockingIOError, OSError):
            shown = b""
    finally:
        os.close(controller)
        os.close(terminal)
    fmt = "xlsx" if "xlsx" in args or args == ["template"] else "ods"
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"mappa-stats: error: -o - writes the .{fmt} workbook's bytes to standard output, which is a terminal "
        f"here; redirect it (> FILE.{fmt}) or give -o FILE.{fmt} (see 'python -m mappa_stats {args[0]} --help')\n"
    )
    assert shown == b""
    assert list(tmp_path.iterdir()) == []


def test_a_reader_gone_before_the_workbook_is_exit_141() -> None:
    """`-o - | true`: the reader left before the bytes came; the documented exit 141, no error."""
    done = subprocess.run(
        f'{sys.executable} -m mappa_stats template -o - | true; echo "${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == "141"
    assert "error" not in done.stderr


# The two consents ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SPREADSHEETS)
@pytest.mark.parametrize("name", ["tables", "combine"])
def test_force_does_not_publish_failing_data(name: str, fmt: str, tmp_path: Path) -> None:
    """--force consents to replacing a file, not to publishing data that fail: exit 1, nothing written."""
    source = SWAPPED if name == "tables" else KENT_XLSX  # an error; one area of 42
    out = tmp_path / f"out.{fmt}"
    result = invoke(name, str(source), "-o", str(out), "--force")
    assert result.exit_code == 1
    assert "give --publish-failing to publish it marked as failing" in result.stderr
    assert "--force" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("fmt", SPREADSHEETS)
@pytest.mark.parametrize("name", ["tables", "combine"])
def test_publish_failing_publishes_and_marks_the_cover(name: str, fmt: str, tmp_path: Path) -> None:
    """--publish-failing writes the workbook; its cover and Checks worksheet say it fails validation."""
    source = SWAPPED if name == "tables" else KENT_XLSX
    out = tmp_path / f"out.{fmt}"
    result = invoke(name, str(source), "-o", str(out), "--publish-failing")
    assert result.exit_code == (0 if name == "tables" else 1)  # combine's verdict stays: findings
    assert result.stderr.startswith(f"wrote {out} (published although it fails validation")
    cover, checks = _sheet_text(out, "Cover"), _sheet_text(out, "Checks")
    assert "PUBLISHED ALTHOUGH IT FAILS VALIDATION: the checks found errors in these tables" in cover
    assert "PUBLISHED ALTHOUGH IT FAILS VALIDATION: published with --publish-failing although" in checks


def test_publish_failing_does_not_replace_someone_elses_file(tmp_path: Path) -> None:
    """The one consent is not the other: --publish-failing alone leaves a file of the user's alone."""
    mine = tmp_path / "mine.xlsx"
    mine.write_bytes(KENT_XLSX.read_bytes())
    before = sha256(mine)
    result = invoke("tables", str(SWAPPED), "-o", str(mine), "--publish-failing")
    assert result.exit_code == 2
    assert "already exists and was not written by mappa-stats" in result.stderr
    assert sha256(mine) == before
    both = invoke("tables", str(SWAPPED), "-o", str(mine), "--publish-failing", "--force")
    assert both.exit_code == 0
    assert "PUBLISHED ALTHOUGH IT FAILS VALIDATION" in _sheet_text(mine, "Cover")


@pytest.mark.parametrize("name", ["tables", "combine"])
def test_publish_failing_with_a_report_is_a_usage_error(name: str) -> None:
    """A text report is never refused for failing data: --publish-failing with it would mean nothing."""
    result = invoke(name, KENT, "-f", "csv", "--publish-failing")
    assert result.exit_code == 2
    assert result.stderr.startswith("mappa-stats: error: --publish-failing goes with a publication workbook")


def _sheet_text(path: Path, sheet: str) -> str:
    """Every cell of a worksheet, as one text (xlsx with openpyxl; ods with pandas' odf reader)."""
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return "\n".join(
            str(v) for row in book[sheet].iter_rows(values_only=True) for v in row if v is not None
        )
    import pandas as pd

    frame = pd.read_excel(path, sheet_name=sheet, header=None, engine="odf")
    return "\n".join(str(v) for v in frame.to_numpy().ravel() if isinstance(v, str))
