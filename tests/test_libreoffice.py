"""LibreOffice (headless, the system package) opens the publication workbooks and the template.

Runs when `soffice` is on the PATH (apt-get install libreoffice-calc-nogui); skipped otherwise, also
in CI, which does not install LibreOffice. Each file is converted by LibreOffice itself: to PDF (it
opened and laid out every sheet, no repair dialog in headless mode means a refusal, not a prompt),
and to CSV of its first sheet (the text it read is the text mappa-stats wrote).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import KENT_XLSX
from mappa_stats.cli.main import main

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _convert(source: Path, to: str, folder: Path) -> Path:
    """Convert with LibreOffice in its own profile (never the user's), return the converted file."""
    folder.mkdir(exist_ok=True)
    profile = (folder / "profile").as_uri()
    done = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    converted = folder / f"{source.stem}.{to.split(':')[0]}"
    assert done.returncode == 0 and converted.is_file(), (done.stdout, done.stderr)
    return converted


def _write(tmp_path: Path, *args: str) -> Path:
    out = Path(args[-1])
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_opens_the_publication(tmp_path: Path, fmt: str) -> None:
    """The publication workbook converts to PDF and its cover reads back as written."""
    book = _write(tmp_path, "tables", str(KENT_XLSX), "-o", str(tmp_path / f"kent.{fmt}"))
    pdf = _convert(book, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    cover = _convert(book, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    text = cover.read_text(encoding="utf-8")
    assert text.startswith('"MAPPA statistics: Kent, 2014-15"\n')
    assert "Reporting period: 1 April 2014 to 31 March 2015" in text


def test_libreoffice_opens_the_template(tmp_path: Path) -> None:
    """The empty template converts to PDF with its titles."""
    book = _write(tmp_path, "template", "--year", "2014-15", "-o", str(tmp_path / "area.xlsx"))
    pdf = _convert(book, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    sheet = _convert(book, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    assert "MAPPA-eligible offenders on 31 March 2015" in sheet.read_text(encoding="utf-8")


def _words(pdf: Path, first: int, last: int) -> str:
    """The words of these pages that lie wholly on the page (pdftotext -bbox: a word cut at the page's edge
    is in the text layer, but past the page's width), whitespace made single spaces."""
    import html
    import re

    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', done.stdout, re.S):
        width = float(page[1])
        for word in re.finditer(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page[2]
        ):
            if float(word[2]) <= width:
                out.append(html.unescape(word[3]))
    return " ".join(out)


def _undrawn(pdf: Path, page_number: int, scale: float = 3.0) -> list[str]:
    """The characters of a page's text layer that are not drawn: LibreOffice writes a word cut at a cell's
    edge, or hidden below a row too short for it, whole into the text layer, so the text alone passes a
    cut line. Each character's own box (pypdfium2) must hold ink on the page rendered at SCALE (72 dpi x
    3), its right half included: a character clipped away, or half clipped, is named with its
    neighbours."""
    import numpy as np
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[page_number - 1]
    height = page.get_height()
    gray = np.asarray(page.render(scale=scale, grayscale=True).to_numpy()).squeeze()
    text = page.get_textpage()
    found = []
    for i in range(text.count_chars()):
        if not text.get_text_range(i, 1).strip():
            continue
        left, bottom, right, top = text.get_charbox(i)
        x1, y0, y1 = (
            int(np.ceil(right * scale)) + 1,
            int((height - top) * scale),
            int((height - bottom) * scale),
        )
        x0 = int((left + right) / 2 * scale) - 1  # the right half, and one pixel either side for a thin 'l'
        box = gray[max(y0, 0) : y1 + 1, max(x0, 0) : x1 + 1]
        if box.size == 0 or box.min() > 160:  # no dark pixel: nothing of it was drawn
            found.append(text.get_text_range(max(i - 10, 0), 20))
    return found


# A contact longer than the page is wide: its line must wrap, in a row tall enough for every line.
LONG_CONTACT = (
    "The MAPPA co-ordinator, Kent Police headquarters, Sutton Road, Maidstone, Kent ME15 9BZ; telephone "
    "01622 690690 on weekdays between nine and five, or write to mappa.coordinator@kent.police.uk"
)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler (pdftotext) is not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_printed_the_cover_and_a_table_are_whole(tmp_path: Path, fmt: str) -> None:
    """LibreOffice prints the Kent cover with every line whole (none cut at the page's edge or a cell's, none
    hidden below its row, the address of the methodology and a contact longer than the page included), and
    Table 1 with its title and lines whole, and every word of its headers: every character of both pages'
    text is drawn."""
    from mappa_stats.io.book import read_book

    target = str(tmp_path / f"kent.{fmt}")
    book = _write(tmp_path, "tables", str(KENT_XLSX), "--contact", LONG_CONTACT, "-o", target)
    pdf = _convert(book, "pdf", tmp_path / "pdf")
    assert _undrawn(pdf, 1) == []
    assert _undrawn(pdf, 4) == []
    read = read_book(book)
    cover, table = read.sheets[0], read.sheets[3]
    printed = _words(pdf, 1, 1)
    lines = [" ".join(cover.text(r, 1).split()) for r in range(1, cover.last_row + 1)]
    assert len(lines) >= 12
    for line in lines:
        assert line in printed, line
    page = _words(pdf, 4, 4)
    top = table.tables[0].top
    for r in range(1, top):
        assert " ".join(table.text(r, 1).split()) in page, table.text(r, 1)
    # A wrapped header's lines are interleaved with its neighbours' in the text layer: each word is there.
    words = set(page.split())
    for c in range(1, table.tables[0].right + 1):
        assert set(table.text(top, c).split()) <= words, table.text(top, c)
