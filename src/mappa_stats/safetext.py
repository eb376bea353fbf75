"""Make text taken from an input safe wherever it goes: a terminal, a spreadsheet cell, Markdown or HTML.

A workbook's author controls every label, area name and sheet name mappa-stats repeats. None of it
may reach a terminal as an escape sequence, a spreadsheet as a formula, or a Markdown document as raw
HTML, a comment that hides the verdict, an extra table column or a heading.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

# C0 controls (but tab and newline, which callers decide about), DEL, C1 controls (0x9B is a
# one-byte CSI on some terminals), and the bidirectional overrides that can make text read backwards.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters an XML 1.0 document (.xlsx, .ods) cannot hold at all: openpyxl refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A plain number in ASCII digits ('\d' alone would take '-٣', an Arabic-Indic digit, for one).
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$")
# A number written in another script's digits ('١٥٤٨', '１５４８'): a spreadsheet may read it as a number.
_OTHER_DIGITS = re.compile(r"^[+\-\uff0b\uff0d]?\d+([.,]\d+)?$")
SAFE_MARKERS = frozenset({"-", "[x]", "[z]", "[c]", "[low]"})
# Markdown punctuation that can start emphasis, a link or image, code, a table cell or a heading
# ('<' and '&' are escaped as HTML). '_' inside a word is never emphasis, so file names keep it.
_MARKDOWN = re.compile(r"([\\`*\[\]#|~]|(?<!\w)_|_(?!\w))")


def _visible(match: re.Match[str]) -> str:
    """A control character as a visible escape: ESC → '\\x1b'."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str, *, lines: bool = False) -> str:
    """Text safe to print: control and escape characters shown as '\\x1b', never acted on.

    With lines=True newlines are kept (a multi-line rendering); otherwise they are shown as '\\n',
    so a single line stays one line.
    """
    shown = _CONTROL.sub(_visible, text)
    if lines:
        return shown
    return shown.replace("\r", "\\r").replace("\n", "\\n")


def formula_like(text: str) -> bool:
    """True for text a spreadsheet would take for a formula or a number when typed: it starts with = + - @
    (or their full-width forms), a tab or a line break, or is a number in another script's digits; a
    marker or a plain number in ASCII digits is not."""
    if text in SAFE_MARKERS or _PLAIN_NUMBER.match(text):
        return False
    return text.startswith(_FORMULA_START) or bool(_OTHER_DIGITS.match(text))


def spreadsheet(text: str) -> str:
    """Text safe for a CSV field or a spreadsheet cell: never a formula, never a character XML refuses.

    Text starting with = + - @ (or their full-width forms), a tab or a line break gets a leading
    apostrophe, as Excel itself does for text typed that way. A lone '-', the GSS markers and plain
    numbers such as -3 are written as they are.
    """
    text = _NOT_XML.sub("", text)
    return "'" + text if formula_like(text) else text


def markdown(text: str) -> str:
    """Text safe inside a Markdown paragraph, heading or table cell, and in the HTML made from it.

    HTML is escaped (no tags, no comments), Markdown punctuation is backslash-escaped (no links,
    emphasis, code, extra table cells or headings), and line breaks become spaces so the text cannot
    start a new block.
    """
    flat = terminal(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return _MARKDOWN.sub(r"\\\1", html.escape(flat, quote=False))


def shown(path: Path | str) -> str:
    """A path as text that any terminal or document can show (undecodable bytes become '�')."""
    text = os.fsdecode(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
