"""JSON as every command writes it: the one place that serialises a document (indented, UTF-8 kept)."""

from __future__ import annotations

import json


def as_json(document: object) -> str:
    """A document as the project writes JSON: two-space indents, non-ASCII kept, one final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
