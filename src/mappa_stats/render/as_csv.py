"""CSV as the documents without a CSV of their own write it: a header row, then one row each; a text that a
spreadsheet could take for a formula (or a number in another script's digits) gets the quote prefix
(safetext.spreadsheet), a missing value is empty."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from mappa_stats.safetext import spreadsheet


def as_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """HEADERS and ROWS as CSV text, lines ending '\\n'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(
        ["" if v is None else spreadsheet(v) if isinstance(v, str) else v for v in row] for row in rows
    )
    return buffer.getvalue()
