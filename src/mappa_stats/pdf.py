"""The PDF layer: the words of a published report's pages, with their x positions, read within bounds.

A published PDF is checked byte by byte before any PDF library parses it: truncation, encryption,
the declared page count, declared and inflated stream sizes, object counts and nesting depth. Only
then does pdfplumber (the optional extra ``mappa-stats[pdf]``) read the words, page by page.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mappa_stats.errors import InputError

# An area's annual report is a dozen pages of prose and one or two of tables, a few hundred KB.
MAX_PAGES = 200
MAX_STREAM_BYTES = 20 * 1024 * 1024  # declared or inflated, one stream
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # every compressed stream together
MAX_OBJECTS = 100_000
MAX_NESTING = 64  # dictionaries and arrays inside each other; real PDFs stay under ten
MAX_WORDS = 200_000
MAX_TEXT_CHARS = 2_000_000
# Filters whose output can be much larger than their input and that this guard does not inflate itself.
_UNBOUNDED_FILTERS = (b"/LZWDecode", b"/RunLengthDecode")
_MAX_UNBOUNDED_FILTER_BYTES = 1024 * 1024

PDF_MAGIC = b"%PDF-"
NO_TEXT = "this PDF has no text: it is an image (a scan); type the figures into the template instead"


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


def is_pdf(data: bytes) -> bool:
    """True when the bytes are a PDF (the header may follow up to 1 KB of junk, as readers allow)."""
    return PDF_MAGIC in data[:1024]


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
    position = 0
    while True:
        found = _STREAM.search(data, position)
        if found is None:
            syntax.append(data[position:])
            break
        head = data[position : found.start()]
        syntax.append(head)
        dictionary = head[-4096:]
        start = found.end()
        end = data.find(b"endstream", start)
        if end < 0:
            raise InputError(
                f"{display}: the PDF is damaged (a stream has no end: truncated?); download or save it again"
            )
        declared = [int(n) for n in _LENGTH.findall(dictionary[dictionary.rfind(b"<<") :])]
        if declared and declared[-1] > MAX_STREAM_BYTES:
            raise InputError(
                f"{display}: the PDF declares a stream of {declared[-1]:,} bytes (limit "
                f"{MAX_STREAM_BYTES:,}); refusing a possible PDF bomb: check the file"
            )
        body = data[start:end]
        tail = dictionary[dictionary.rfind(b"<<") :]
        if b"/FlateDecode" in tail:
            out = _inflate(body, MAX_STREAM_BYTES)
            if out is not None:
                if len(out) > MAX_STREAM_BYTES:
                    raise InputError(
                        f"{display}: a compressed stream of the PDF inflates to more than "
                        f"{MAX_STREAM_BYTES:,} bytes; refusing a possible PDF bomb: check the file"
                    )
                inflated_total += len(out)
                if inflated_total > MAX_INFLATED_BYTES:
                    raise InputError(
                        f"{display}: the PDF's compressed streams inflate to more than "
                        f"{MAX_INFLATED_BYTES:,} bytes; refusing a possible PDF bomb: check the file"
                    )
                if b"/ObjStm" in tail:
                    syntax.append(out)  # objects packed in a stream are PDF syntax too
        elif any(name in tail for name in _UNBOUNDED_FILTERS) and len(body) > _MAX_UNBOUNDED_FILTER_BYTES:
            raise InputError(
                f"{display}: the PDF has a large LZW or run-length stream ({len(body):,} bytes) whose size "
                "once decoded cannot be bounded; save it again as a new PDF, or give its text instead"
            )
        position = end + len(b"endstream")
    for part in syntax:
        _syntax_checks(display, part)


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs warnings about odd but readable files; a manager should see one line from us."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _lines(words: list[dict[str, object]]) -> tuple[PageLine, ...]:
    """Words grouped into lines by their vertical position, each line left to right."""
    rows: list[tuple[float, list[Word]]] = []
    for item in sorted(words, key=lambda w: (float(str(w["top"])), float(str(w["x0"])))):
        top = float(str(item["top"]))
        word = Word(str(item["text"]), float(str(item["x0"])), float(str(item["x1"])))
        if rows and abs(rows[-1][0] - top) <= 3.0:
            rows[-1][1].append(word)
        else:
            rows.append((top, [word]))
    return tuple(PageLine(tuple(sorted(ws, key=lambda w: w.x0))) for _top, ws in rows)


def read_pages(display: str, data: bytes) -> list[Page]:
    """The pages of a PDF as lines of positioned words, or a one-line InputError."""
    check_bounds(display, data)
    try:
        import pdfplumber
    except ImportError as exc:
        raise InputError(
            f"{display}: reading a PDF needs the pdf extra: pip install 'mappa-stats[pdf]' "
            "(or give the text that pdftotext or a copy from the viewer gives, as a .txt file)"
        ) from exc
    pages: list[Page] = []
    words_seen = chars_seen = 0
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as document:
            for number, page in enumerate(document.pages, start=1):
                if number > MAX_PAGES:
                    raise InputError(
                        f"{display}: the PDF has more than {MAX_PAGES} pages; an area's annual report is a "
                        "few dozen: check this is the right file"
                    )
                words = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
                words_seen += len(words)
                chars_seen += sum(len(str(w["text"])) for w in words)
                if words_seen > MAX_WORDS or chars_seen > MAX_TEXT_CHARS:
                    raise InputError(
                        f"{display}: the PDF holds more than {MAX_WORDS:,} words; far more than a report: "
                        "check the file"
                    )
                pages.append(Page(number, _lines(words), float(page.width)))
                page.close()
    except InputError:
        raise
    except MemoryError as exc:
        raise InputError(f"{display}: the PDF needs more memory than a report could; check the file") from exc
    except Exception as exc:  # pdfminer raises many types (and RecursionError) for damaged files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise InputError(
                f"{display}: the PDF is encrypted (password or copy protection); save an unprotected copy"
            ) from exc
        raise InputError(
            f"{display}: cannot be read as a PDF ({name}); download or save it again, "
            "or give the text that pdftotext gives"
        ) from exc
    if not any(page.lines for page in pages):
        raise InputError(f"{display}: {NO_TEXT}")
    return pages
