"""A published report as lines of words: from its text, or from a PDF's pages with each word's position.

Control and reordering characters are dropped as the lines are made; a text's size and line count are
bounded before it is split. `looks_like_report` tells report text from a tidy CSV by the tables' titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mappa_stats.definitions.load import available_years, load_template
from mappa_stats.definitions.templates import normalize
from mappa_stats.errors import InputError

if TYPE_CHECKING:  # the PDF reader is loaded only for a PDF (a test checks a workbook never loads it)
    from mappa_stats.io.pdf import Page

# A report's text is a few hundred KB; far more is not a report (and would cost time to search).
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_LINES = 100_000

PDF, TEXT_REPORT = "pdf", "report-text"


@dataclass(frozen=True)
class Token:
    """One word of a line, with its x extent on the page (None in plain text)."""

    text: str
    x0: float | None = None
    x1: float | None = None

    @property
    def centre(self) -> float | None:
        """Middle of the word across the page."""
        return None if self.x0 is None or self.x1 is None else (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Line:
    """One line of the report: its words, where it is ('p.4' or 'line 87') and its folded text."""

    tokens: tuple[Token, ...]
    place: str
    folded: str

    @property
    def text(self) -> str:
        """The line's words joined by single spaces."""
        return " ".join(token.text for token in self.tokens)


@dataclass(frozen=True)
class Report:
    """A published report as lines, with the reading order of half pages for two-column prose."""

    display: str
    kind: str
    lines: tuple[Line, ...]
    columns: tuple[Line, ...] = ()


# Control characters, and the invisible ones that reorder text, never reach a message or a cell: a
# report's text must not be able to move a terminal's cursor or disguise a figure.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def make_line(tokens: Sequence[Token], place: str) -> Line:
    clean = tuple(Token(_CONTROL.sub("", t.text), t.x0, t.x1) for t in tokens)
    kept = tuple(t for t in clean if t.text)
    return Line(kept, place, normalize(" ".join(t.text for t in kept)))


def decode_text(display: str, data: bytes) -> str:
    """A report's text as UTF-8 or Windows-1252 (what pdftotext and copy-paste give)."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            f"{display}: {len(data):,} bytes of text is far more than a report (limit {MAX_TEXT_BYTES:,}); "
            "check this is the right file"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{display}: the text is not UTF-8 or Windows-1252; save it again as UTF-8 text")


def report_from_text(display: str, data: bytes) -> Report:
    """Lines of a report's text, each placed by its line number in the file."""
    text = decode_text(display, data)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(raw_lines) > MAX_LINES:
        raise InputError(
            f"{display}: {len(raw_lines):,} lines is far more than a report (limit {MAX_LINES:,}); "
            "check this is the right file"
        )
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        line = make_line([Token(w) for w in raw.replace("\f", " ").split()], f"line {number}")
        if line.tokens:
            lines.append(line)
    return Report(display, TEXT_REPORT, tuple(lines))


def report_from_pages(display: str, pages: Sequence[Page]) -> Report:
    """Lines of a PDF's pages, each placed by its page; also each page's halves read in turn."""
    lines: list[Line] = []
    halves: list[Line] = []
    for page in pages:
        place = f"p.{page.number}"
        middle = page.width / 2
        left: list[Line] = []
        right: list[Line] = []
        for page_line in page.lines:
            tokens = [Token(w.text, w.x0, w.x1) for w in page_line.words]
            lines.append(make_line(tokens, place))
            if middle:
                on_left = [t for t in tokens if t.x1 is not None and t.x1 <= middle]
                on_right = [t for t in tokens if t.x0 is not None and t.x0 >= middle]
                if on_left:
                    left.append(make_line(on_left, place))
                if on_right:
                    right.append(make_line(on_right, place))
        halves.extend(left + right)
    return Report(display, PDF, tuple(lines), tuple(halves))


def looks_like_report(data: bytes, name: str = "") -> bool:
    """True for report text: named .txt, or holding a line that starts with a table title (not a tidy CSV)."""
    text = data[:MAX_TEXT_BYTES].decode("utf-8", errors="replace")
    first = normalize(text.split("\n", 1)[0])
    if "table" in first and "value" in first:
        return False  # a tidy CSV's header, whatever the file is called
    if name.casefold().endswith((".txt", ".text")):
        return True
    prefixes = title_prefixes()
    return any(normalize(line).startswith(prefixes) for line in text.splitlines()[:MAX_LINES])


def title_prefixes() -> tuple[str, ...]:
    return tuple(
        sorted(
            {normalize(m) for y in available_years() for t in load_template(y).tables for m in t.match},
            key=len,
            reverse=True,
        )
    )
