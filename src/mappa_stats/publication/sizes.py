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
# A page whose title runs on past its table may shrink a little further, to print the title whole on one
# line rather than wrapped in the (narrow) first column.
_SMALLEST_TEXT_SCALE = 0.68


WRAP_WIDTH = 80.0
COVER_WIDTH = 110  # a sheet without a table: its one column, each line wrapped in it
TITLE_SCALE = 1.5  # a 14-point bold title's characters, in 10-point characters
TITLE_POINTS = 18.0


def page_chars() -> float:
    """Characters of 10-point Arial across a landscape A4 page at full size, within its margins."""
    return (PAGE_WIDTH_CM - 2.54 * (MARGINS_INCHES["left"] + MARGINS_INCHES["right"])) / CHAR_CM


def pages_wide(widths: Sequence[float]) -> int:
    """How many A4 landscape pages wide a table prints on, its first column repeated on each."""
    per_page = page_chars() / _SMALLEST_SCALE  # characters on a page at the smallest scale allowed
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
    if not sheet.header:
        return [float(COVER_WIDTH)]
    columns = len(sheet.header)
    first = max([len(str(r[0])) for r in sheet.rows] + [len(sheet.header[0]) if sheet.header else 0, 12])
    # Two characters beyond the longest label: a label never wraps, nor takes a taller row (body_height).
    out = [
        float(min(max(first + 2, 14), 60 if sheet.name in ("Contents", "Notes", "Checks") else FIRST_WIDTH))
    ]
    out += [float(HEADER_WIDTH if sheet.name not in ("Contents", "Notes", "Checks") else 100)] * (columns - 1)
    for c in range(1, columns):
        if is_text(sheet, c):
            longest = max([len(str(r[c])) for r in sheet.rows if c < len(r)] + [HEADER_WIDTH])
            out[c] = float(min(longest + 2, TEXT_WIDTH))
    if pages_wide(out) == 1 and max(_texts(sheet)) > page_chars() / _SMALLEST_TEXT_SCALE:
        out[0] = max(out[0], WRAP_WIDTH)  # a title too long for the page wraps in a first column this wide
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


def is_right(sheet: OutputSheet, column: int) -> bool:
    """True for a column of numbers (and shorthand), right-aligned, its header too, so that a header
    stands over its own figures."""
    return column > 0 and bool(sheet.counts) and not is_text(sheet, column)


def _texts(sheet: OutputSheet) -> list[float]:
    """How wide the title and each line above the table are, in 10-point characters."""
    return [len(sheet.title) * TITLE_SCALE, *(float(len(line)) for line in sheet.lines)]


def print_columns(sheet: OutputSheet, widths: Sequence[float]) -> list[float]:
    """An empty column printed beyond a one-page table, so that its title and lines, which run on past its
    last column, are printed whole (a page holds no more than the columns printed on it); never so wide
    that the page would shrink below its smallest scale (a longer line is wrapped: text_heights)."""
    if not sheet.header or sheet.bar_chart or pages_wide(widths) > 1:  # a chart's columns are its own
        return []
    longest = min(max(_texts(sheet)), page_chars() / _SMALLEST_TEXT_SCALE - 1)
    # Printed, a page shows its columns or, when they are narrower, the page's width of text.
    return [float(math.ceil(longest - sum(widths)))] if longest > max(sum(widths), page_chars()) else []


def text_heights(sheet: OutputSheet, widths: Sequence[float]) -> list[float | None]:
    """Row heights for the title and each line: None where the text runs on to the right in one line; a
    height where it is wrapped in the first column instead (a sheet without a table; a table printed
    several pages wide, whose first column is printed on every page; a line longer than the page)."""
    room = max(sum(widths) + sum(print_columns(sheet, widths)), page_chars())
    wrap_all = not sheet.header or pages_wide(widths) > 1
    out: list[float | None] = []
    for i, width in enumerate(_texts(sheet)):
        if not wrap_all and width <= room:
            out.append(None)
            continue
        title = i == 0
        text = sheet.title if title else sheet.lines[i - 1]
        chars = int((widths[0] - 2) / (TITLE_SCALE if title else 1))
        lines = _lines(text, max(chars, 8))
        out.append((TITLE_POINTS if title else LINE_POINTS) * lines + 4)
    return out
