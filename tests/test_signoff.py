"""The sign-off pack: verdict, marked cells, checks in plain words, the rate, audit trail, lines to sign."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import StrictUndefined, nodes

from conftest import KENT_XLSX, SAMPLES, sha256
from helpers import edit_copy
from mappa_stats.cli.main import main
from mappa_stats.definitions.load import load_template
from mappa_stats.publication.sheets import template_sources, template_status
from mappa_stats.render.jinja import environment, md
from mappa_stats.render.pack import public_source
from mappa_stats.rules.registry import RULES

POPULATION = SAMPLES / "ons_mid2014.csv"
SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"
GEN = Path(__file__).resolve().parent / "golden" / "inputs" / "gen"
SIGNATURE = "MAPPA manager: ____"


def _pack(tmp_path: Path, source: Path, name: str, *extra: str) -> tuple[int, str]:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["signoff", str(source), *extra, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, out.read_text(encoding="utf-8")


def test_kent_pack_passes_and_reproduces_the_rate(tmp_path: Path) -> None:
    """Kent 2014-15: ready, 1560 ÷ 1,565,295 × 100,000 = 99.66 → 100, every table, lines to sign."""
    code, pack = _pack(tmp_path, KENT_XLSX, "pack.md", "--population", str(POPULATION))
    assert code == 0
    assert pack.startswith("# MAPPA statistics 2014-15: Kent — sign-off pack")
    assert f"SHA-256 of the file: {sha256(KENT_XLSX)}" in pack
    assert "**Ready to sign off.**" in pack
    flat = " ".join(pack.split())
    assert (
        "1,560 registered sexual offenders (Category 1 on 31 March 2015) ÷ 1,565,295 people aged 10 and over"
        in flat
    )
    assert "× 100,000 = 99.66, which rounds (half up) to 100 per 100,000" in flat
    assert "Stated in the workbook: 100 — matches." in flat
    assert "Population: ONS estimate mid-2014, from ons\\_mid2014.csv" in flat
    for title in (
        "### MAPPA-eligible offenders on 31 March 2015",
        "### Level 2 and 3 offenders returned to custody: Breach of SOPO",
    ):
        assert title in pack
    assert SIGNATURE in pack
    assert "## Not ready" not in pack


def test_failing_pack_has_no_signature_but_a_not_ready_list(tmp_path: Path) -> None:
    """A mistyped cell: exit 1, 'Not ready: 1 error to correct' with the correction, and nothing to sign."""
    code, pack = _pack(tmp_path, SWAPPED, "pack.md")
    assert code == 1
    assert "**Not ready: 1 error to correct.**" in pack
    assert "change 'Statistics'\\!C5 from 778 to 787 (probably two digits swapped)" in " ".join(pack.split())
    # Category 3 has no Level 1 figure: [z], as the workbook publishes it (not a blank).
    assert "| Level 1 | 1,548 | **[wrong] 778** (should be 787) | \\[z\\] | 2,335 |" in pack
    assert SIGNATURE not in pack
    assert "ready for publication" not in pack
    assert "## Not ready to sign off" in pack


@pytest.mark.parametrize("name", ["pack.md", "pack.html"])
def test_a_suggested_value_is_printed_as_the_tables_print_it(tmp_path: Path, name: str) -> None:
    """Kent's Level 1, Category 1 (B5, 1,548) typed 1584: the pack says 'should be 1,548', with the thousands
    separator of every count it prints, and so do the finding and its suggestion."""
    source = edit_copy(KENT_XLSX, tmp_path / "kent_1584.xlsx", {"B5": 1584})
    code, pack = _pack(tmp_path, source, name)
    assert code == 1
    flat = " ".join(pack.split())
    assert "should be 1,548" in flat
    assert "should be 1548" not in flat
    assert "from 1,584 to 1,548 (probably two digits swapped)" in flat


def test_strict_pack_of_a_return_with_warnings_is_not_ready(tmp_path: Path) -> None:
    """With --strict a warning must be corrected too: no lines to sign."""
    source = SAMPLES / "errors" / "breach_notification_high_share.xlsx"
    code, pack = _pack(tmp_path, source, "plain.md")
    assert code == 0
    assert SIGNATURE in pack
    assert "### To confirm (warnings)" in pack
    code, pack = _pack(tmp_path, source, "strict.md", "--strict")
    assert code == 1
    assert SIGNATURE not in pack
    assert "**Not ready: 1 error to correct.**" in pack


def test_checks_are_in_plain_words_with_their_result(tmp_path: Path) -> None:
    """Every rule appears by its description, not its id, with passed / failed / not checked."""
    _code, pack = _pack(tmp_path, SWAPPED, "pack.md")
    section = pack.split("## Every check and its result")[1].split("## Audit trail")[0]
    for rule in RULES.values():
        assert md(rule.description) in section
    assert "cross.custody_le_yearly" not in pack
    assert "| failed: 1 finding |" in section
    # Without --population the rate is reproduced on the shipped ONS mid-2014 estimates.
    assert "| not checked" not in section


def test_pack_has_a_date_and_an_audit_trail(tmp_path: Path) -> None:
    """Date and time, version, template status and sources, population file and vintage."""
    _code, pack = _pack(tmp_path, KENT_XLSX, "pack.md", "--population", str(POPULATION))
    audit = " ".join(pack.split("## Audit trail")[1].split()).replace(" - ", "\n- ")
    assert re.search(r"- Checked on: \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC", audit)
    assert "- Checked file: kent\\_2015.xlsx" in audit
    assert "- mappa-stats version: 0.1.0" in audit
    template = load_template("2014-15")
    assert f"- Template year: 2014-15 (status: {template_status(template)})" in audit
    for source in [public_source(s) for s in template_sources(template)] or ["not stated"]:
        assert md(source) in audit
    assert "- Population file: ons\\_mid2014.csv (ONS MYE2, mid-2014)" in audit
    assert f"- SHA-256 of the population file: {sha256(POPULATION)}" in audit


def test_markdown_lines_are_short_outside_tables(tmp_path: Path) -> None:
    """No 400-character paragraphs: prose lines fit 100 characters (tables excepted)."""
    _code, pack = _pack(tmp_path, SWAPPED, "pack.md")
    prose = [line for line in pack.splitlines() if not line.startswith("|")]
    assert max(len(line) for line in prose) <= 100


def test_pack_without_population_uses_the_shipped_estimates() -> None:
    """No --population: the rate divides by the shipped ONS mid-2014 estimates, named in the pack. Kent
    aged 10+ at mid-2014 is 1,326,907 (Kent county) + 238,388 (Medway) = 1,565,295 (PROVENANCE.md); the
    return's 1,560 RSOs × 100,000 / 1,565,295 = 99.66, 100 as stated."""
    assert 1_326_907 + 238_388 == 1_565_295
    result = CliRunner().invoke(main, ["signoff", str(KENT_XLSX)])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert "÷ 1,565,295 people aged 10 and over × 100,000 = 99.66" in flat
    assert (
        "Population: ONS mid-2014 population estimates (MYE2, as first published), aged 10 and over "
        "(shipped with mappa-stats)."
    ) in flat
    assert "Stated in the workbook: 100 — matches." in flat


def test_pack_of_a_year_whose_estimates_are_not_shipped_says_so() -> None:
    """2024-25 divides by mid-2024, which is not shipped: the pack says the rate was not reproduced and how
    to give the estimates; the rate rule is not checked, never passed."""
    result = CliRunner().invoke(main, ["signoff", str(GEN / "kent_2024.xlsx")])
    flat = " ".join(result.output.split())
    assert (
        "The rate was not reproduced: the ONS mid-2024 population estimates are not shipped with mappa-stats"
    ) in flat
    assert "| not checked: the ONS mid-2024 population estimates are not shipped" in flat


def test_pack_for_an_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    """A file that cannot be read: one line, exit 2."""
    result = CliRunner().invoke(main, ["signoff", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


HOSTILE = "Kent <script>alert(1)</script> <img src=x onerror=alert(2)> <!-- | ## Verdict\n# PASS"


class _Elements(HTMLParser):
    """Collect the tags and comments of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def test_text_from_the_workbook_cannot_add_html_headings_or_cells(tmp_path: Path) -> None:
    """An area cell holding HTML, a comment, '|' and '## Verdict' stays text in both packs."""
    source = edit_copy(KENT_XLSX, tmp_path / "hostile.xlsx", {"H1": HOSTILE})
    _code, markdown = _pack(tmp_path, source, "pack.md")
    assert "<script" not in markdown
    assert "<img" not in markdown
    assert "<!--" not in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert sum(1 for h in headings if h.startswith("## Verdict")) == 1
    assert not any(h.startswith("# PASS") for h in headings)
    assert "\\#\\# Verdict" in headings[0]  # the area's text, inert inside the title
    for line in markdown.splitlines():
        if line.startswith("| Level 1 |"):
            assert line.count(" | ") == 4  # five cells, as published
    _code, page = _pack(tmp_path, source, "pack.html")
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert parsed.comments == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


TEMPLATE_TEXT = "Kent {{ 7*7 }} {% if true %}yes{% endif %} {# gone #} [x](javascript:alert(1)) *b* =cmd"


def test_text_from_the_workbook_is_never_a_template(tmp_path: Path) -> None:
    """Jinja2's own syntax in a workbook is printed as it is (escaped), never run: no 49, no 'yes'."""
    source = edit_copy(KENT_XLSX, tmp_path / "jinja.xlsx", {"H1": TEMPLATE_TEXT})
    _code, markdown = _pack(tmp_path, source, "pack.md")
    title = markdown.splitlines()[0]
    assert (
        "{{ 7\\*7 }} {% if true %}yes{% endif %} {\\# gone \\#} \\[x\\](javascript:alert(1)) \\*b\\* =cmd"
        in title
    )
    _code, page = _pack(tmp_path, source, "pack.html")
    assert "<h1>MAPPA statistics 2014-15: Kent {{ 7*7 }} {% if true %}yes{% endif %} {# gone #}" in page
    assert "49" not in title
    assert "Kent yes" not in page


@pytest.mark.parametrize(("fmt", "name"), [("markdown", "pack.md.j2"), ("html", "pack.html.j2")])
def test_templates_print_values_only_through_the_formats_escaping(fmt: str, name: str) -> None:
    """Every {{ value }} is escaped on its way out unless it is already Markup. Jinja2's safe filter makes
    Markup of anything, and its ~ operator (and join, format, … given a Markup among their operands)
    makes Markup escaped for HTML only: in the Markdown pack that would pass '|', '*' or '#' from a
    workbook straight through. So the templates use only our filters and length, and no ~; and a
    misspelt name is an error, never an empty string."""
    env = environment(fmt)
    assert env.loader is not None
    tree = env.parse(env.loader.get_source(env, name)[0])
    assert {f.name for f in tree.find_all(nodes.Filter)} <= {"para", "bullet", "length"}
    assert not list(tree.find_all(nodes.Concat))
    assert not list(tree.find_all(nodes.MarkSafe))
    assert env.undefined is StrictUndefined
    assert callable(env.autoescape)
    assert env.autoescape(name)


@pytest.mark.parametrize("name", ["pack.html", "pack.md"])
def test_both_packs_say_the_same_things(tmp_path: Path, name: str) -> None:
    """HTML and Markdown: the same verdict, marked cell, rate line and no signature for a failing return."""
    _code, text = _pack(tmp_path, SWAPPED, name)
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "Not ready: 1 error to correct." in flat
    assert "should be 787" in flat
    assert "Stated in the workbook: 100 — matches." in flat
    assert "ready for publication" not in flat


def test_html_pack_is_self_contained(tmp_path: Path) -> None:
    """No script, no external resource: nothing to fetch, nothing to run."""
    _code, page = _pack(tmp_path, KENT_XLSX, "pack.html", "--population", str(POPULATION))
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert "iframe" not in parsed.tags
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "url(" not in page
    assert "@import" not in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert '<section class="signature" id="signature"' in page


def test_format_follows_the_file_name(tmp_path: Path) -> None:
    """-o pack.html writes HTML; -f markdown -o pack.html and -o pack.pdf are refused with one line."""
    _code, page = _pack(tmp_path, KENT_XLSX, "pack.html")
    assert page.startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(
        main, ["signoff", str(KENT_XLSX), "-f", "markdown", "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "x.html: the name ends in .html but --format is markdown; name it FILE.md or leave out --format\n"
    )
    result = CliRunner().invoke(main, ["signoff", str(KENT_XLSX), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "cannot write .pdf files; give -o FILE.md or FILE.html" in result.stderr
    assert not (tmp_path / "x.html").exists()
    assert not (tmp_path / "x.pdf").exists()


def test_a_warning_cell_is_marked_to_check_and_strict_makes_it_wrong(tmp_path: Path) -> None:
    """A warning's cell says [check] (confirm it); with --strict it must be corrected: [wrong]."""
    source = SAMPLES / "errors" / "breach_notification_high_share.xlsx"
    _code, pack = _pack(tmp_path, source, "plain.md")
    tables = pack.split("## The tables as they will be published")[1].split("## The rate")[0]
    assert "**[check] " in tables
    assert "**[wrong] " not in tables.split("correction follows it.")[1]
    _code, pack = _pack(tmp_path, source, "strict.md", "--strict")
    tables = pack.split("## The tables as they will be published")[1].split("## The rate")[0]
    assert "**[wrong] " in tables.split("correction follows it.")[1]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_a_located_finding_names_its_cell_once(fmt: str) -> None:
    """'Error at 'Statistics'!C5: reads 778; …', not the cell twice."""
    pack = (
        CliRunner()
        .invoke(main, ["signoff", str(SAMPLES / "errors" / "swapped_digits.xlsx"), "-f", fmt])
        .stdout
    )
    assert "reads 778; 787 would make" in pack
    assert pack.count("C5 reads 778") == 0


@pytest.mark.parametrize(
    ("source", "said"),
    [
        (KENT_XLSX, "Stated in the workbook: 100 — matches."),
        (KENT_XLSX.with_suffix(".csv"), "Stated in the file: 100 — matches."),
        (KENT_XLSX.with_name("kent_2015_report.txt"), "Stated in the report: 100 — matches."),
    ],
)
def test_the_stated_rate_is_said_to_be_in_what_was_read(source: Path, said: str) -> None:
    """The rate the input states is said to be stated in what it is: an area workbook is no return (the
    Ministry's return states no rate), a tidy CSV is a file, a published report a report."""
    result = CliRunner().invoke(main, ["signoff", str(source), "-f", "markdown"])
    assert said in result.output
    assert "Stated in the return" not in result.output
