"""The HTML sign-off pack in a real browser: Chromium (system package) driven headless by Playwright.

Opens the packs of a passing and of a failing return, checks the marked cell's text and style, the
signature block, a screenshot and a printed PDF, and runs axe-core for WCAG 2.1 A/AA violations.
Without Chromium these tests are skipped on a developer's machine, and fail in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import KENT_XLSX, SAMPLES
from mappa_stats.cli.main import main

CHROMIUM = os.environ.get("MAPPA_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
POPULATION = SAMPLES / "ons_mid2014.csv"
SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"


def _unavailable(why: str) -> None:
    """Skip on a developer's machine; in CI a missing browser is a failure, never a silent skip."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _pack(tmp_path: Path, source: Path, *extra: str) -> Path:
    out = tmp_path / "pack.html"
    result = CliRunner().invoke(main, ["signoff", str(source), *extra, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return out


def _open(browser: Any, page_file: Path) -> Any:
    """Open a pack with every network request refused and counted."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.requests_made = []

    def refuse(route: Any) -> None:
        if not route.request.url.startswith("file://"):
            page.requests_made.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    page.goto(page_file.as_uri())
    return page


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return list(results.response["violations"])


def test_failing_pack_marks_the_wrong_cell_and_has_nothing_to_sign(browser: Any, tmp_path: Path) -> None:
    """The swapped digit: the cell says 'Wrong: 778 should be 787', is shaded and outlined; no signature."""
    page = _open(browser, _pack(tmp_path, SWAPPED))
    cell = page.locator("td.wrong")
    assert cell.count() == 1
    assert (
        " ".join(cell.inner_text().split()) == "WRONG: 778 should be 787"
    )  # the marker is upper-cased by CSS
    assert cell.get_attribute("data-finding") == "totals.row"
    style = cell.evaluate(
        "c => { const s = getComputedStyle(c); return [s.backgroundColor, s.outlineStyle, s.outlineColor]; }"
    )
    assert style == ["rgb(253, 224, 220)", "solid", "rgb(164, 25, 15)"]
    normal = page.locator("#table-1 tbody tr").first.locator("td").first
    assert normal.evaluate("c => getComputedStyle(c).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert page.locator("#verdict").inner_text().startswith("Not ready: 1 error to correct.")
    assert page.locator("#signature").count() == 0
    assert page.locator("#not-ready").is_visible()
    assert page.get_by_text("MAPPA manager:").count() == 0
    shot = tmp_path / "fail.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.requests_made == []
    assert _axe_violations(page) == []


def test_passing_pack_has_the_signature_block(browser: Any, tmp_path: Path) -> None:
    """Kent 2014-15: ready, no marked cell, the signature block visible, the chart with its name."""
    page = _open(browser, _pack(tmp_path, KENT_XLSX, "--population", str(POPULATION)))
    assert page.locator("#verdict").inner_text().startswith("Ready to sign off.")
    assert page.locator("td.wrong").count() == 0
    assert page.locator("#signature").is_visible()
    assert "MAPPA manager:" in page.locator("#signature").inner_text()
    assert page.locator("#not-ready").count() == 0
    chart = page.locator("svg[role=img]")
    assert chart.count() == 1
    assert page.get_by_role("img", name="MAPPA-eligible offenders on 31 March 2015, Kent").count() == 1
    numbers = page.locator("#chart1-data tbody tr").all_inner_texts()
    assert " ".join(numbers[0].split()) == "Category 1, Level 1 1,548"
    shot = tmp_path / "pass.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.requests_made == []
    assert _axe_violations(page) == []


def test_printed_pack_is_a_board_paper(browser: Any, tmp_path: Path) -> None:
    """'Save as PDF' with the print stylesheet: an A4 PDF that still holds the signature block."""
    page = _open(browser, _pack(tmp_path, KENT_XLSX, "--population", str(POPULATION)))
    page.emulate_media(media="print")
    assert page.locator("header").evaluate("h => getComputedStyle(h).maxWidth") == "none"
    pdf = tmp_path / "pack.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_hostile_area_name_stays_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """An area cell with a script and an image: nothing runs, nothing loads, the text is shown."""
    from helpers import edit_copy

    source = edit_copy(
        KENT_XLSX,
        tmp_path / "hostile.xlsx",
        {"H1": "Kent<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"},
    )
    page = _open(browser, _pack(tmp_path, source))
    assert page.evaluate("() => window.pwned === undefined")
    assert page.locator("img").count() == 0
    assert "<script>window.pwned=1</script>" in page.locator("h1").inner_text()


def test_pack_shows_the_shorthand_as_the_workbook_publishes_it(browser: Any, tmp_path: Path) -> None:
    """Category 3 has no Level 1 figure: the workbook says [z], and so does the pack's table (not a blank)."""
    page = _open(browser, _pack(tmp_path, KENT_XLSX))
    level1 = page.locator("#table-1 tbody tr").first
    assert [" ".join(t.split()) for t in level1.locator("td").all_inner_texts()] == [
        "1,548",
        "787",
        "[z]",
        "2,335",
    ]
    audit = page.locator("dl.audit").inner_text()
    assert "shared/" not in audit and "research" not in audit  # no repository paths before the Board


def test_on_a_phone_the_page_never_scrolls_sideways(browser: Any, tmp_path: Path) -> None:
    """At 375 px wide the page is no wider than the screen: a wide table scrolls in its own box (focusable,
    named), and axe still finds nothing."""
    page = _open(browser, _pack(tmp_path, KENT_XLSX, "--population", str(POPULATION)))
    page.set_viewport_size({"width": 375, "height": 800})
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    boxes = page.locator("div.scroll")
    assert boxes.count() >= 3
    assert boxes.first.get_attribute("tabindex") == "0"
    assert _axe_violations(page) == []


def test_printed_no_table_or_signature_splits_across_pages(browser: Any, tmp_path: Path) -> None:
    """Printed to PDF, each table's caption and its last row are on the same page, as are the sign-off's
    heading and its last line."""
    import subprocess

    page = _open(browser, _pack(tmp_path, KENT_XLSX, "--population", str(POPULATION)))
    page.emulate_media(media="print")
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => [
            t.caption ? t.caption.innerText : '',
            t.tBodies[0].rows[t.tBodies[0].rows.length - 1].cells[0].innerText])"""
    )
    pdf = tmp_path / "pack.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    def plain(t: str) -> str:  # pdftotext joins a word hyphenated at a line's end ("mid-year")
        return " ".join(t.replace("-", "").split())

    pages = [plain(p) for p in text.split("\f")]
    assert len(pages) > 2
    for caption, last in [*tables, ("Sign-off", "MAPPA manager:")]:
        first_page = next(i for i, p in enumerate(pages) if plain(caption) in p)
        assert plain(last) in pages[first_page], (caption, last)


def test_printed_pages_are_numbered(browser: Any, tmp_path: Path) -> None:
    """Printed to PDF, each page's bottom margin says "Page N of M" (CSS page-margin boxes), M the pages
    the PDF has: a Board member can say which page they mean."""
    import pypdfium2 as pdfium

    page = _open(browser, _pack(tmp_path, KENT_XLSX, "--population", str(POPULATION)))
    page.emulate_media(media="print")
    pdf = tmp_path / "pack.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    document = pdfium.PdfDocument(pdf)
    total = len(document)
    assert total > 2
    for number in range(1, total + 1):
        printed = document[number - 1]
        text = printed.get_textpage().get_text_bounded()
        assert f"Page {number} of {total}" in text, (number, text[-200:])
        # In the bottom margin: below the last line of the page's content.
        footer = printed.get_textpage().get_text_bounded(top=16 * 72 / 25.4)  # 16 mm, the bottom margin
        assert f"Page {number} of {total}" in footer.replace("\r\n", " "), (number, footer)
