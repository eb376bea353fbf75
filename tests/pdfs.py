"""Build published-report PDFs in tests (fpdf2, written to tmp_path): Kent's figures, ruled or unruled.

The figures come from helpers.KENT (the seed report's published tables); nothing here is read back
from the code under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TextMode

from helpers import HEADER, KENT, TITLES

PROSE = [
    "We are pleased to present our MAPPA Report for 2014-2015.",
    "Kent Police, National Probation Service Kent and Prisons, in conjunction with all the Duty to",
    "Co-operate Agencies, have continued to work together over the past year to protect the public.",
]
COMMENTARY = [
    "(a) MAPPA-eligible offenders - there are a number of offenders defined in law as eligible for",
    "MAPPA management, because they have committed specified sexual and violent offences or they",
    "currently pose a risk of serious harm, although the majority (99% this year) are actually",
    "managed under ordinary agency (Level 1) arrangements rather than via MAPP meetings.",
]
FOOTNOTE = (
    "This figure has been calculated using the mid-2014 estimated resident population, published by "
    "the Office for National Statistics on 25 June 2015, excluding those aged less than ten years of age."
)
LABEL_W, COL_W, ROW_H = 30.0, 38.0, 7.0


def _cell(pdf: FPDF, x: float, y: float, text: str, ruled: bool, align: str = "C") -> None:
    pdf.set_xy(x, y)
    # Unruled tables right-align their figures, as many published reports do; ruled ones centre them.
    pdf.cell(COL_W, ROW_H, text, border=1 if ruled else 0, align=align if ruled else "R")


def _grid(pdf: FPDF, rows: dict[str, list[Any]], ruled: bool, header: bool = True) -> None:
    """One grid: the wrapped category header (optional), then each row's label and figures."""
    left = pdf.l_margin
    if header:
        y = pdf.get_y()
        for i, label in enumerate(HEADER):
            pdf.set_xy(left + LABEL_W + i * COL_W, y)
            words = label.replace(": ", ":\n", 1).replace(" offenders", "\noffenders")
            pdf.multi_cell(COL_W, 5, words, border=1 if ruled else 0, align="C")
        pdf.set_y(y + 16)
    for label, values in rows.items():
        y = pdf.get_y()
        pdf.set_xy(left, y)
        pdf.cell(LABEL_W, ROW_H, label, border=1 if ruled else 0)
        for i, value in enumerate(values):
            _cell(pdf, left + LABEL_W + i * COL_W, y, "" if value is None else str(value), ruled)
        pdf.set_y(y + ROW_H)


def _line(pdf: FPDF, text: str, size: int = 10, gap: float = 6) -> None:
    pdf.set_font("Helvetica", size=size)
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, gap, text)
    pdf.ln(gap)


class _Pages(FPDF):
    """An FPDF whose pages numbered in `invisible` draw their text invisibly (render mode 3)."""

    def __init__(self, invisible: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.invisible = invisible

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        super().add_page(*args, **kwargs)
        self.text_mode = TextMode.INVISIBLE if self.page in self.invisible else TextMode.FILL


def kent_report_pdf(
    path: Path,
    *,
    ruled: bool,
    tables: dict[str, dict[str, list[Any]]] | None = None,
    title_date: str = "31 March 2015",
    statistics: bool = True,
    two_columns: bool = False,
    invisible: tuple[int, ...] = (),
) -> Path:
    """Kent's 2014-15 report as a 4-page PDF: prose, prose, the statistics page, the commentary. The
    text of the pages numbered in `invisible` is drawn in render mode 3, as a scan's OCR layer is."""
    tables = tables or KENT
    pdf = _Pages(invisible, format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _line(pdf, "Kent MAPPA Annual Report 2014-15", size=16, gap=10)
    for text in PROSE:
        _line(pdf, text)
    _line(pdf, "Alan Pughsley, Chief Constable, Kent Police")
    pdf.add_page()
    _line(pdf, "What is MAPPA?", size=14, gap=10)
    _line(pdf, "MAPPA are a set of arrangements to manage the risk posed by the most serious offenders.")
    if statistics:
        pdf.add_page()
        _line(pdf, "MAPPA Statistics", size=14, gap=10)
        _line(pdf, TITLES["snapshot"].replace("31 March 2015", title_date), size=11, gap=8)
        pdf.set_font("Helvetica", size=9)
        _grid(pdf, tables["snapshot"], ruled)
        pdf.ln(4)
        _line(pdf, TITLES["yearly"], size=11, gap=8)
        pdf.set_font("Helvetica", size=9)
        _grid(pdf, tables["yearly"], ruled)
        pdf.ln(4)
        _line(pdf, "RSOs cautioned or convicted for breach of notification requirements          37", size=10)
        _line(pdf, "Restrictive orders for Category 1 offenders", size=11, gap=8)
        _line(pdf, "SOPOs, NOs & FTOs imposed by the courts")
        for label, value in (("SOPOs", 134), ("NOs", 3), ("FTOs", 0)):
            y = pdf.get_y()
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(LABEL_W, ROW_H, label, border=1 if ruled else 0)
            _cell(pdf, pdf.l_margin + LABEL_W, y, str(value), ruled)
            pdf.set_y(y + ROW_H)
        pdf.add_page()
        _line(pdf, "Level 2 and 3 offenders returned to custody", size=11, gap=8)
        pdf.set_font("Helvetica", size=9)
        _grid(pdf, {}, ruled)
        _line(pdf, "Breach of licence", size=9, gap=ROW_H)
        pdf.set_font("Helvetica", size=9)
        _grid(pdf, tables["custody_licence"], ruled, header=False)
        _line(pdf, "Breach of SOPO", size=9, gap=ROW_H)
        pdf.set_font("Helvetica", size=9)
        _grid(pdf, tables["custody_sopo"], ruled, header=False)
        pdf.ln(4)
        _line(pdf, "Total number of Registered Sexual Offenders per 100,000 population      100", size=10)
        pdf.set_font("Helvetica", size=7)
        pdf.multi_cell(0, 4, FOOTNOTE)
    pdf.add_page()
    _line(pdf, "Explanation commentary on statistical tables", size=14, gap=10)
    if two_columns:
        # The commentary in two columns, as the published report sets it: a line of the left column
        # shares its height with a line of the right one.
        pdf.set_font("Helvetica", size=9)
        top = pdf.get_y()
        words = " ".join(COMMENTARY).split()
        left = [" ".join(words[i : i + 7]) for i in range(0, len(words), 7)]
        right = [f"(b) Registered Sexual Offenders line {n} of the next paragraph." for n in range(len(left))]
        for n, (one, two) in enumerate(zip(left, right, strict=True)):
            pdf.set_xy(pdf.l_margin, top + n * 5)
            pdf.cell(85, 5, one)
            pdf.set_xy(pdf.l_margin + 100, top + n * 5)
            pdf.cell(85, 5, two)
    else:
        for text in COMMENTARY:
            _line(pdf, text, size=9, gap=5)
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path) -> Path:
    """A 'scanned' report: pages with drawings but no text layer."""
    pdf = FPDF(format="A4")
    for _ in range(2):
        pdf.add_page()
        for i in range(12):
            pdf.rect(20, 20 + i * 15, 160, 8, style="F")
    pdf.output(str(path))
    return path


def raw_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A hand-made PDF: numbered objects (1 is the catalog), a correct xref table and a trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def one_page(content: bytes = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET", extra: bytes = b"") -> list[bytes]:
    """Catalog, page tree, one page with a font, and its content stream."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + extra + b">>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
