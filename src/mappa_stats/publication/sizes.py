"""How big a published sheet is, on screen and on paper: column widths, row heights and printed pages.

The .xlsx (xlsx.py) and .ods (ods.py) writers both measure a sheet here, so the two formats agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mappa_stats.publication.sheets import OutputSheet

# Characters per line of a wrapped header at the widths below, and points per line of 10-point Arial.
HEADER_WIDTH = 24
FIRST_WIDTH = 34
TEXT_WIDTH = 60
CHART_GAP = 8.43  # the .xlsx's default column width, between a table and its chart
CHART_WIDTH_CM = 18
LINE_POINTS = 13.0
ROW_POINTS = 12.75
# Printed, a worksheet is one A4 landscape page wide (as many pages tall as it needs) with Excel's default
# margins, and a table's header row is repeated at the top of every page: the same in both formats. A table
# too wide to read at that scale (the national area table's 25 columns) is printed several pages wide
# instead, its first column repeated on each, so no page is shrunk below about three quarters.
PAPER_A4 = "9"  # the .xlsx paper size code of A4
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 29.7, 21.0
MARGINS_INCHES = {"top": 1.0, "bottom": 1.0, "left": 0.75, "right": 0.75}
CHAR_CM = 0.19  # a character of 10-point Arial
_SMALLEST_SCALE = 0.75


def pages_wide(widths: Sequence[float]) -> int:
    """How many A4 landscape pages wide a table prints on, its first column repeated on each."""
    usable = (PAGE_WIDTH_CM - 2.54 * (MARGINS_INCHES["left"] + MARGINS_INCHES["right"])) / CHAR_CM
    per_page = usable / _SMALLEST_SCALE  # characters on a page at the smallest scale allowed
    if sum(widths) <= per_page:
        return 1
    first, rest = widths[0], sum(widths[1:])
    return math.ceil(rest / max(per_page - first, 1.0))


def _lines(text: str, width: int) -> int:
    """How many lines a header wraps to at this width (in characters)."""
    count, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > width:
            count, current = count + 1, len(word)
        else:
            current += len(word) + (1 if current else 0)
    return count


def widths(sheet: OutputSheet) -> list[float]:
    """Column widths in characters: the first holds its labels, the others a wrapped header, and a column
    of running text as much of its longest text as reads well on a line."""
    columns = max(len(sheet.header), 1)
    first = max([len(str(r[0])) for r in sheet.rows] + [len(sheet.header[0]) if sheet.header else 0, 12])
    # Two characters beyond the longest label: a label never wraps, nor takes a taller row (body_height).
    out = [float(min(max(first + 2, 14), 60 if sheet.name in ("Contents", "Notes") else FIRST_WIDTH))]
    out += [float(HEADER_WIDTH if sheet.name not in ("Contents", "Notes") else 100)] * (columns - 1)
    for c in range(1, columns):
        if is_text(sheet, c):
            longest = max([len(str(r[c])) for r in sheet.rows if c < len(r)] + [HEADER_WIDTH])
            out[c] = float(min(longest + 2, TEXT_WIDTH))
    return out


def is_text(sheet: OutputSheet, column: int) -> bool:
    """True for a column of running text in a sheet with counts (wrapped, left-aligned)."""
    return column < len(sheet.texts) and sheet.texts[column]


def header_height(sheet: OutputSheet, widths: list[float]) -> float:
    """Row height (points) that shows every header line at these widths."""
    lines = max(_lines(str(h), int(w) - 2) for h, w in zip(sheet.header, widths, strict=False))
    return LINE_POINTS * lines + 4


def body_height(values: Sequence[Any], widths: list[float]) -> float | None:
    """Row height for a body row whose text wraps (None: the default height does)."""
    lines = max(_lines(str(v), int(w) - 2) for v, w in zip(values, widths, strict=False))
    return LINE_POINTS * lines + 4 if lines > 1 else None
