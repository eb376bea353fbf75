"""JSON as every command writes it: the one place that serialises a document (indented, UTF-8 kept).

A document too large to hold twice (compare's, with a revision per figure) is written in pieces: a list
given as an iterator (a generator) is encoded one item at a time, and a dict holding one is written key by
key, so that neither the whole list of entries nor the whole text need exist at once. The pieces joined are
byte for byte what json.dumps(indent=2) writes of the same document with lists in place of the iterators."""

from __future__ import annotations

import json
from collections.abc import Iterator

_INDENT = "  "


def as_json(document: object) -> str:
    """A document as the project writes JSON: two-space indents, non-ASCII kept, one final newline."""
    return "".join(json_pieces(document)) + "\n"


def json_pieces(document: object, level: int = 0) -> Iterator[str]:
    """DOCUMENT's JSON (without the final newline) in pieces, at indent LEVEL: an iterator is a list written
    item by item, a dict with an iterator among its values is written key by key, anything else whole."""
    if isinstance(document, Iterator):
        yield from _array(document, level)
    elif isinstance(document, dict) and any(isinstance(v, Iterator) for v in document.values()):
        yield from _object(document, level)
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # JSON text holds no raw line break (a string's is written \n): each one starts an indented line.
        yield text.replace("\n", "\n" + _INDENT * level) if level else text


def _object(document: dict[str, object], level: int) -> Iterator[str]:
    """A dict key by key, as json.dumps(indent=2) lays it out."""
    inner = "\n" + _INDENT * (level + 1)
    for n, (key, value) in enumerate(document.items()):
        yield ("{" if n == 0 else ",") + inner + json.dumps(key, ensure_ascii=False) + ": "
        yield from json_pieces(value, level + 1)
    yield "\n" + _INDENT * level + "}"


def _array(items: Iterator[object], level: int) -> Iterator[str]:
    """An iterator's items one at a time, as json.dumps(indent=2) lays out a list of them."""
    inner = "\n" + _INDENT * (level + 1)
    empty = True
    for item in items:
        yield ("[" if empty else ",") + inner
        empty = False
        yield from json_pieces(item, level + 1)
    yield "[]" if empty else "\n" + _INDENT * level + "]"
