"""A PDF whose text is invisible (render mode 3: how a scan's OCR layer is stored) is never read as if it
were printed: refused, naming the pages, unless --accept-ocr; then the report says which pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mappa_stats.cli.main import main
from pdfs import kent_report_pdf

pytest.importorskip("pypdfium2")  # the pdf extra


def test_a_pdf_whose_every_character_is_invisible_never_passes(tmp_path: Path) -> None:
    """issue 23 #3: an OCR-layer-only PDF rendered blank yet passed."""
    pdf = kent_report_pdf(tmp_path / "scan.pdf", ruled=True, invisible=(1, 2, 3, 4, 5))
    before = pdf.read_bytes()
    result = CliRunner().invoke(main, ["validate", str(pdf)])
    assert result.exit_code == 2
    assert "PASS" not in result.stdout
    assert (
        f"{pdf}: the text of every page is invisible (PDF text render mode 3, as a scanner stores the OCR "
        "layer over a page's image); OCR may misread a figure: compare the figures with the page, then give "
        "--accept-ocr to read them" in result.stdout
    )
    assert pdf.read_bytes() == before
    signoff = CliRunner().invoke(main, ["signoff", str(pdf)])
    assert signoff.exit_code == 2 and signoff.stderr.count("\n") == 1
    assert "is invisible" in signoff.stderr


def test_accept_ocr_reads_it_and_says_so(tmp_path: Path) -> None:
    pdf = kent_report_pdf(tmp_path / "scan.pdf", ruled=True, invisible=(1, 2, 3, 4, 5))
    result = CliRunner().invoke(main, ["validate", str(pdf), "--accept-ocr"])
    assert result.exit_code == 0, result.output
    assert "Note: the text of every page is invisible" in result.stdout
    assert "read with --accept-ocr; OCR may misread a figure" in result.stdout
    pack = CliRunner().invoke(main, ["signoff", str(pdf), "--accept-ocr", "-f", "markdown"])
    assert "- How it was read: the text of every page is invisible" in pack.stdout


def test_a_partly_hidden_pdf_names_its_pages(tmp_path: Path) -> None:
    pdf = kent_report_pdf(tmp_path / "part.pdf", ruled=True, invisible=(2, 5))
    result = CliRunner().invoke(main, ["tables", str(pdf)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"mappa-stats: error: {pdf}: the text of pages 2 and 5 is invisible (PDF text render mode 3, as a "
        "scanner stores the OCR layer over a page's image, or text hidden from a reader); OCR may misread a "
        "figure: compare the figures with the page, then give --accept-ocr to read them (or type them into "
        "the template)\n"
    )
    accepted = CliRunner().invoke(main, ["validate", str(pdf), "--accept-ocr"])
    assert "Note: the text of pages 2 and 5 is invisible" in accepted.stdout


def test_accept_ocr_lasts_one_command(tmp_path: Path) -> None:
    """--accept-ocr is the command's alone: the next run in the same process refuses again."""
    pdf = kent_report_pdf(tmp_path / "scan.pdf", ruled=True, invisible=(3,))
    assert CliRunner().invoke(main, ["validate", str(pdf), "--accept-ocr"]).exit_code == 0
    assert CliRunner().invoke(main, ["validate", str(pdf)]).exit_code == 2


def test_a_visible_pdf_has_no_note(tmp_path: Path) -> None:
    pdf = kent_report_pdf(tmp_path / "plain.pdf", ruled=True)
    result = CliRunner().invoke(main, ["validate", str(pdf)])
    assert result.exit_code == 0 and "invisible" not in result.stdout
