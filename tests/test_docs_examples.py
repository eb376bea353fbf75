"""The worked examples of docs/claims.md and docs/compare.md run, and print exactly what the pages show.

An example is written as fenced blocks: files (```csv file=NAME, ```text file=NAME), then a
```console block whose first line is `$ mappa-stats ARGS` and whose other lines are what the command
prints (standard output, then standard error), with `[exit N]` as its last line. Each console block runs in
a folder holding the files written above it on the page."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from mappa_stats.cli.main import main

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)


def examples(page: str) -> list[tuple[dict[str, str], str, str, int]]:
    """(files written so far, arguments, expected output, exit code) of each console block of a page."""
    files: dict[str, str] = {}
    found = []
    for kind, info, body in _BLOCK.findall((DOCS / page).read_text(encoding="utf-8")):
        name = re.search(r"file=(\S+)", info)
        if name:
            files[name.group(1)] = body
        elif kind == "console" and body.startswith("$ mappa-stats "):
            command, _, rest = body.partition("\n")
            output, _, code = rest.rstrip("\n").rpartition("\n")
            exit_code = int(re.fullmatch(r"\[exit (\d)\]", code).group(1))  # type: ignore[union-attr]
            found.append((dict(files), command.removeprefix("$ mappa-stats "), output + "\n", exit_code))
    return found


CASES = [(page, i, ex) for page in ("claims.md", "compare.md") for i, ex in enumerate(examples(page))]


def test_both_pages_have_examples() -> None:
    """Each page shows at least one example run (so the test below cannot pass by finding none)."""
    assert {page for page, _, _ in CASES} == {"claims.md", "compare.md"}


@pytest.mark.parametrize(("page", "number", "example"), CASES, ids=[f"{p}#{i}" for p, i, _ in CASES])
def test_each_example_prints_what_the_page_shows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    number: int,
    example: tuple[dict[str, str], str, str, int],
) -> None:
    files, command, expected, code = example
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "100"}).invoke(main, shlex.split(command))
    assert result.output == expected, f"{page} example {number}: {command}"
    assert result.exit_code == code
