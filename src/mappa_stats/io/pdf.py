"""The PDF layer: the words of a published report's pages, with their x positions, read within bounds.

A published PDF is checked byte by byte before any PDF library parses it: truncation, encryption,
the declared page count, declared and inflated stream sizes, object counts and nesting depth. Only
then does PDFium (pypdfium2, the optional extra ``mappa-stats[pdf]``) read the characters and their
boxes, page by page, within a budget of characters. PDFium is native and fuzzed as Chrome's PDF
engine: a 13 KB PDF drawing 200,000 glyphs takes it 0.5 s and 24 MB, where pdfplumber (pure-Python
pdfminer) took 29 s and 440 MB, and 456 s and 6.5 GB for a 5 MB content stream.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mappa_stats.errors import InputError

# An area's annual report is a dozen pages of prose and one or two of tables, a few hundred KB.
MAX_PAGES = 200
MAX_STREAM_BYTES = 20 * 1024 * 1024  # declared or inflated, one stream
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # every compressed stream together
MAX_OBJECTS = 100_000
MAX_NESTING = 64  # dictionaries and arrays inside each other; real PDFs stay under ten
MAX_PAGE_CHARS = 100_000  # a dense page of prose holds about 5,000
# PDFium's text layout grows faster than linearly with a page's objects (10,000 take 1.4 s, 20,000 take
# 7.5 s); a page of a report has a few hundred, a vector chart a few thousand.
MAX_PAGE_OBJECTS = 10_000
MAX_OBJECTS_IN_ALL = 50_000
MAX_TEXT_CHARS = 1_000_000
# Filters whose output can be much larger than their input and that this guard does not inflate itself.
_UNBOUNDED_FILTERS = (b"/LZWDecode", b"/RunLengthDecode")
_MAX_UNBOUNDED_FILTER_BYTES = 1024 * 1024

NO_TEXT = "this PDF has no text: it is an image (a scan); type the figures into the template instead"
# Text drawn in render mode 3 is invisible: how a scanner's OCR layer is stored over the page's image, and
# how text a reader never sees can be planted. It is read only when the command was given --accept-ocr.
_INVISIBLE = 3
ACCEPT_OCR: ContextVar[bool] = ContextVar("accept_ocr", default=False)


@dataclass(frozen=True)
class Word:
    """One word of a page and where it sits across the page (points from the left edge)."""

    text: str
    x0: float
    x1: float


@dataclass(frozen=True)
class PageLine:
    """One line of a page: its words, left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The line's words joined by single spaces."""
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class Page:
    """One page of the PDF (numbered from 1) as lines of words, top to bottom."""

    number: int
    lines: tuple[PageLine, ...]
    width: float = 0.0
    invisible: int = 0  # characters drawn invisibly (render mode 3: an OCR layer, or hidden text)


_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_NESTING_TOKEN = re.compile(rb"<<|>>|\[|\]|\((?:[^()\\]|\\.)*\)")


def _nesting(part: bytes) -> int:
    """Deepest nesting of dictionaries and arrays in PDF syntax (strings skipped)."""
    depth = deepest = 0
    for match in _NESTING_TOKEN.finditer(part):
        token = match.group(0)
        if token in (b"<<", b"["):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b">>", b"]"):
            depth = max(0, depth - 1)
    return deepest


def _inflate(body: bytes, limit: int) -> bytes | None:
    """The stream inflated, at most limit + 1 bytes; None when it is not zlib data."""
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    return out


def _syntax_checks(display: str, part: bytes) -> None:
    """Page count, encryption and nesting in PDF syntax outside stream data (or in an object stream)."""
    if _ENCRYPT.search(part):
        raise InputError(
            f"{display}: the PDF is encrypted (password or copy protection); save an unprotected copy "
            "(print it to a new PDF), or give the text that pdftotext or a copy from the viewer gives"
        )
    counts = [int(n) for n in _COUNT.findall(part)]
    if counts and max(counts) > MAX_PAGES:
        raise InputError(
            f"{display}: the PDF declares {max(counts):,} pages (limit {MAX_PAGES}); an area's annual "
            "report is a few dozen: check this is the right file"
        )
    depth = _nesting(part)
    if depth > MAX_NESTING:
        raise InputError(
            f"{display}: the PDF nests objects {depth} deep (limit {MAX_NESTING}); refusing a possible "
            "PDF bomb: check the file, or give its text instead"
        )


def check_bounds(display: str, data: bytes) -> None:
    """Refuse a damaged or hostile PDF before any PDF library parses it (one-line InputError)."""
    if b"%%EOF" not in data[-4096:]:
        raise InputError(
            f"{display}: the PDF is damaged (truncated: no end-of-file marker); download or save it again"
        )
    objects = len(_OBJ.findall(data))
    if objects > MAX_OBJECTS:
        raise InputError(
            f"{display}: the PDF holds {objects:,} objects (limit {MAX_OBJECTS:,}); far more than a report: "
            "check the file"
        )
    syntax: list[bytes] = []
    inflated_total = 0
    for tail, body in _streams(display, data, syntax):
        inflated_total += _check_stream(display, tail, body, inflated_total, syntax)
    for part in syntax:
        _syntax_checks(display, part)


def _streams(display: str, data: bytes, syntax: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Each stream of the PDF as (its own dictionary, its raw data), in file order; the PDF syntax between
    them is added to `syntax` on the way."""
    position = 0
    while True:
        found = _STREAM.search(data, position)
        if found is None:
            syntax.append(data[position:])
            return
        head = data[position : found.start()]
        syntax.append(head)
        dictionary = head[-4096:]
        start = found.end()
        end = data.find(b"endstream", start)
        if end < 0:
            raise InputError(
                f"{display}: the PDF is damaged (a stream has no end: truncated?); download or save it again"
            )
        # The stream's own dictionary: from its 'N 0 obj' (dictionaries nest, so not from the last '<<').
        opening = [m.end() for m in _OBJ.finditer(dictionary)]
        yield (dictionary[opening[-1] :] if opening else dictionary), data[start:end]
        position = end + len(b"endstream")


def _check_stream(display: str, tail: bytes, body: bytes, inflated_total: int, syntax: list[bytes]) -> int:
    """One stream within its declared and inflated size (`inflated_total` the streams' before it); the
    bytes it inflates to. An object stream's objects are added to `syntax`."""
    declared = [int(n) for n in _LENGTH.findall(tail)]
    if declared and declared[-1] > MAX_STREAM_BYTES:
        raise InputError(
            f"{display}: the PDF declares a stream of {declared[-1]:,} bytes (limit "
            f"{MAX_STREAM_BYTES:,}); refusing a possible PDF bomb: check the file"
        )
    # Images are never decoded to read text, so only their declared size matters: a report's photos
    # may inflate to hundreds of MB and are no threat here.
    if b"/FlateDecode" in tail and not re.search(rb"/Subtype\s*/Image\b", tail):
        out = _inflate(body, MAX_STREAM_BYTES)
        if out is None:
            return 0
        if len(out) > MAX_STREAM_BYTES:
            raise InputError(
                f"{display}: a compressed stream of the PDF inflates to more than "
                f"{MAX_STREAM_BYTES:,} bytes; refusing a possible PDF bomb: check the file"
            )
        if inflated_total + len(out) > MAX_INFLATED_BYTES:
            raise InputError(
                f"{display}: the PDF's compressed streams inflate to more than "
                f"{MAX_INFLATED_BYTES:,} bytes; refusing a possible PDF bomb: check the file"
            )
        if b"/ObjStm" in tail:
            syntax.append(out)  # objects packed in a stream are PDF syntax too
        return len(out)
    if any(name in tail for name in _UNBOUNDED_FILTERS) and len(body) > _MAX_UNBOUNDED_FILTER_BYTES:
        raise InputError(
            f"{display}: the PDF has a large LZW or run-length stream ({len(body):,} bytes) whose size "
            "once decoded cannot be bounded; save it again as a new PDF, or give its text instead"
        )
    return 0


def _invisible(pdfium: Any, textpage: Any, count: int) -> int:
    """How many of the page's characters are drawn invisibly (text render mode 3)."""
    hidden = 0
    for index in range(count):
        text_object = pdfium.raw.FPDFText_GetTextObject(textpage.raw, index)
        if text_object and pdfium.raw.FPDFTextObj_GetTextRenderMode(text_object) == _INVISIBLE:
            hidden += 1
    return hidden


def _pages_named(numbers: Sequence[int]) -> str:
    """'page 3', 'pages 3, 5 and 7'."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def invisible_text(display: str, pages: Sequence[Page]) -> str | None:
    """A note naming the pages whose text is invisible, when --accept-ocr was given; None when every
    character is visible. Without --accept-ocr such text is a one-line refusal: it is never read as if
    printed."""
    hidden = [page.number for page in pages if page.invisible]
    if not hidden:
        return None
    everywhere = all(page.invisible or not page.lines for page in pages)
    where = "every page" if everywhere else _pages_named(hidden)
    what = (
        f"the text of {where} is invisible (PDF text render mode 3, as a scanner stores the OCR layer over "
        "a page's image" + ("" if everywhere else ", or text hidden from a reader") + ")"
    )
    if ACCEPT_OCR.get():
        return f"{what}: read with --accept-ocr; OCR may misread a figure, so check them against the page"
    raise InputError(
        f"{display}: {what}; OCR may misread a figure: compare the figures with the page, then give "
        "--accept-ocr to read them (or type them into the template)"
    )


def _words(textpage: Any, count: int, height: float) -> list[tuple[float, Word]]:
    """The page's words as (top, word): characters joined until a space, a line break or a wide gap."""
    out: list[tuple[float, Word]] = []
    text = ""
    x0 = x1 = top = 0.0

    def flush() -> None:
        if text:
            out.append((top, Word(text, x0, x1)))

    for index in range(count):
        char = textpage.get_text_range(index, 1)
        if not char or char.isspace():
            flush()
            text = ""
            continue
        left, bottom, right, upper = textpage.get_charbox(index, loose=True)
        char_top = height - float(upper)
        size = max(1.0, float(upper) - float(bottom))
        if text and (abs(char_top - top) > size / 2 or float(left) - x1 > size * 0.3):
            flush()  # a new line, or a gap as wide as a space: a new word (a table's next cell)
            text = ""
        if not text:
            x0, top = float(left), char_top
        text += char
        x1 = float(right)
    flush()
    return out


def _lines(words: list[tuple[float, Word]]) -> tuple[PageLine, ...]:
    """Words grouped into lines by their vertical position, each line left to right."""
    rows: list[tuple[float, list[Word]]] = []
    for top, word in sorted(words, key=lambda item: (item[0], item[1].x0)):
        if rows and abs(rows[-1][0] - top) <= 3.0:
            rows[-1][1].append(word)
        else:
            rows.append((top, [word]))
    return tuple(PageLine(tuple(sorted(ws, key=lambda w: w.x0))) for _top, ws in rows)


def read_pages(display: str, data: bytes) -> list[Page]:
    """The pages of a PDF as lines of positioned words, or a one-line InputError."""
    check_bounds(display, data)
    pdfium = _pdfium(display)
    document = _open_document(display, pdfium, data)
    try:
        pages = _read_document(display, pdfium, document)
    except InputError:
        raise
    except Exception as exc:  # damage found while reading a page
        raise InputError(
            f"{display}: cannot be read as a PDF ({type(exc).__name__}); download or save it again, "
            "or give the text that pdftotext gives"
        ) from exc
    finally:
        document.close()
    if not any(page.lines for page in pages):
        raise InputError(f"{display}: {NO_TEXT}")
    invisible_text(display, pages)  # refused here unless --accept-ocr
    return pages


def _pdfium(display: str) -> Any:
    """The pypdfium2 module, imported only when a PDF is read (the optional extra `mappa-stats[pdf]`)."""
    try:
        import pypdfium2
    except ImportError as exc:
        raise InputError(
            f"{display}: reading a PDF needs the pdf extra: pip install 'mappa-stats[pdf]' "
            "(or give the text that pdftotext or a copy from the viewer gives, as a .txt file)"
        ) from exc
    return pypdfium2


def _open_document(display: str, pdfium: Any, data: bytes) -> Any:
    """PDFium's document; a password or damage is a one-line refusal."""
    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:  # PdfiumError names the cause: a password, a damaged file
        reason = str(exc).casefold()
        if "password" in reason or "security" in reason:
            raise InputError(
                f"{display}: the PDF is encrypted (password or copy protection); save an unprotected copy"
            ) from exc
        raise InputError(
            f"{display}: cannot be read as a PDF (damaged or not a PDF); download or save it again, "
            "or give the text that pdftotext gives"
        ) from exc


def _read_document(display: str, pdfium: Any, document: Any) -> list[Page]:
    """Every page's lines, page by page, within the budget of pages, drawn objects and characters."""
    if len(document) > MAX_PAGES:
        raise InputError(
            f"{display}: the PDF has {len(document):,} pages (limit {MAX_PAGES}); an area's annual "
            "report is a few dozen: check this is the right file"
        )
    pages: list[Page] = []
    drawn = chars_seen = 0
    for index in range(len(document)):
        page = document[index]
        objects = int(pdfium.raw.FPDFPage_CountObjects(page.raw))
        drawn += objects
        if objects > MAX_PAGE_OBJECTS or drawn > MAX_OBJECTS_IN_ALL:
            raise InputError(
                f"{display}: page {index + 1} of the PDF draws {objects:,} objects ({drawn:,} so far; "
                f"limit {MAX_PAGE_OBJECTS:,} a page, {MAX_OBJECTS_IN_ALL:,} in all); far more than a "
                "report: check the file"
            )
        textpage = page.get_textpage()
        count = int(textpage.count_chars())
        chars_seen += count
        if count > MAX_PAGE_CHARS or chars_seen > MAX_TEXT_CHARS:
            raise InputError(
                f"{display}: page {index + 1} of the PDF holds {count:,} characters of text "
                f"({chars_seen:,} so far; limit {MAX_PAGE_CHARS:,} a page, {MAX_TEXT_CHARS:,} in all); "
                "far more than a report: check the file"
            )
        width, height = page.get_size()
        lines = _lines(_words(textpage, count, float(height)))
        pages.append(Page(index + 1, lines, float(width), _invisible(pdfium, textpage, count)))
        textpage.close()
        page.close()
    return pages
