"""One renderer registry: every command that prints a document takes its --format choices from the
registry entry of that document, documents the same choices in docs/commands.md, and prints every one of
them, on the shipped samples, in that format."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mappa_stats.cli.main import main
from mappa_stats.render.html import from_markdown
from mappa_stats.render.registry import REGISTRY, SPREADSHEETS, Document, Format, choices, render, renderer

ROOT = Path(__file__).resolve().parents[1]
COMMANDS_MD = ROOT / "docs" / "commands.md"
KENT = "samples/kent_2015.xlsx"
POPULATION = "samples/ons_mid2014.csv"

# Each command that prints a document, and the shipped sample inputs it is asked about.
COMMANDS: dict[str, tuple[Document, list[str]]] = {
    "validate": (Document.VALIDATION, [KENT]),
    "tables": (Document.TABLES, [KENT]),
    "rate": (Document.RATE, [KENT, "--population", POPULATION]),
    "compare": (Document.COMPARISON, [KENT, "samples/kent_2015_report.txt"]),
    "combine": (Document.NATIONAL, [KENT]),  # one area of 42: published with --publish-failing (below)
    "rules": (Document.RULES, []),
    "templates": (Document.TEMPLATES, []),
    "signoff": (Document.SIGNOFF, [KENT, "--population", POPULATION]),
    "check-publication": (Document.CHECKLIST, [KENT]),  # an area workbook, not a publication: it fails
}


def _format_param(command: click.Command) -> click.Parameter | None:
    return next((p for p in command.params if p.name == "fmt"), None)


def _help_choices(name: str) -> tuple[str, ...]:
    """The choices `mappa-stats NAME --help` shows for --format."""
    shown = CliRunner().invoke(main, [name, "--help"]).output
    found = re.search(r"--format \[([a-z|]+)\]", shown)
    assert found, f"{name} --help shows no --format choices"
    return tuple(found.group(1).split("|"))


def _docs_section(name: str) -> str:
    text = COMMANDS_MD.read_text(encoding="utf-8")
    found = re.search(rf"^## mappa-stats {name}\n(.*?)(?=^## )", text, re.S | re.M)
    assert found, f"docs/commands.md has no section for {name}"
    return found.group(1)


def _docs_choices(name: str) -> tuple[str, ...]:
    """The formats the usage line of docs/commands.md gives --format of NAME."""
    usage = re.search(r"--format ([a-z|]+)", _docs_section(name))
    assert usage, f"docs/commands.md: the usage of {name} names no --format"
    return tuple(usage.group(1).split("|"))


def _docs_table_formats(name: str) -> set[str]:
    """The formats the `--format` row of NAME's option table names (in backticks)."""
    row = next(line for line in _docs_section(name).splitlines() if line.startswith("| `--format`"))
    return set(re.findall(r"`(\w+)`", row)) & {f.value for f in Format}


def test_every_command_with_a_format_is_listed() -> None:
    assert isinstance(main, click.Group)
    with_format = {name for name, command in main.commands.items() if _format_param(command) is not None}
    assert with_format == set(COMMANDS)
    assert {document for document, _ in COMMANDS.values()} == set(Document)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_choices_come_from_the_registry_and_the_docs_agree(name: str) -> None:
    document, _ = COMMANDS[name]
    assert isinstance(main, click.Group)
    param = _format_param(main.commands[name])
    assert param is not None
    assert isinstance(param.type, click.Choice)
    registered = choices(document)
    assert tuple(param.type.choices) == registered
    assert _help_choices(name) == registered
    assert _docs_choices(name) == registered, (
        f"docs/commands.md's usage of {name} disagrees with the registry"
    )
    assert _docs_table_formats(name) == set(registered), (
        f"docs/commands.md's --format row of {name} disagrees with the registry"
    )


@pytest.mark.parametrize(("document", "fmt"), [(d, f) for d, formats in REGISTRY.items() for f in formats])
def test_every_registered_function_exists(document: Document, fmt: Format) -> None:
    assert callable(renderer(document, fmt))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _check_is(fmt: str, text: str) -> None:
    """TEXT is in format FMT."""
    assert text.strip(), "nothing printed"
    if fmt == "json":
        json.loads(text)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) >= 2 and len(rows[0]) >= 2 and all(rows[0]), "a CSV with a header and rows"
        assert len({len(row) for row in rows}) == 1, "every CSV row as wide as the header"
    elif fmt == "markdown":
        assert re.search(r"^#{1,6} \S|^\|.*\|$", text, re.M), "a Markdown heading or table"
    elif fmt == "html":
        parser = _Tags()
        parser.feed(text)
        parser.close()
        assert {"html", "head", "body"} <= set(parser.tags)
    else:
        assert fmt == "text"


CASES = [(name, fmt) for name, (document, _) in sorted(COMMANDS.items()) for fmt in choices(document)]


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_every_command_prints_every_format_it_documents(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    document, inputs = COMMANDS[name]
    args = [name, *inputs, "--format", fmt]
    spreadsheet = Format(fmt) in SPREADSHEETS.get(document, ())
    target = tmp_path / f"out.{fmt}"
    if spreadsheet:
        args += ["-o", str(target), *(["--publish-failing"] if name == "combine" else [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    if spreadsheet:
        assert zipfile.is_zipfile(target)
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
        assert ("xl/workbook.xml" if fmt == "xlsx" else "content.xml") in names
    else:
        _check_is(fmt, result.stdout)


TEXT_FORMATS = {Format.TEXT, Format.MARKDOWN, Format.CSV, Format.JSON, Format.HTML}


@pytest.mark.parametrize("document", list(Document))
def test_every_document_has_text_markdown_csv_json_and_html(document: Document) -> None:
    """Issue 20: "text, markdown, csv, json, html for every document" — each one function and one entry."""
    assert set(REGISTRY[document]) == TEXT_FORMATS


def test_html_from_markdown_keeps_input_text_as_text() -> None:
    """A document's HTML is its Markdown as one page: text an input gave (already escaped by the Markdown
    renderer) stays text, and raw HTML written into the Markdown itself is shown, never run."""
    page = render(Document.RULES, Format.HTML, [])
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in page
    shown = from_markdown("<b>title</b>", "a <script>alert(1)</script> b\n\n| x |\n| --- |\n| <img> |\n")
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<img>" not in shown and "<td>&lt;img&gt;</td>" in shown
    assert "<title>&lt;b&gt;title&lt;/b&gt;</title>" in shown
