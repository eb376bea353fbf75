"""The sentences of a report's text (or PDF) that state a figure mappa-stats checks, as claims-file rows.

A published report, a press release or a data story says "15 per cent above the England and Wales rate",
"the third lowest rate of the 42 areas", "418 registered sex offenders: 137 in the central division, 101 in
the east and 180 in the west", "the majority (99% this year) … Level 1". Each such sentence becomes one row
(kind, area, year, from_year, stated) with the line it was read from; the area is the one the text names most
as '<force> Police', the year the reporting year it names most ('2014-15', '2014/15'). The rows are judged as
a claims file's are (rules/claims/parse.py)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from mappa_stats.errors import InputError
from mappa_stats.io.report_lines import Line, Report, report_from_pages, report_from_text

Row = tuple[str, str, str, str, str]  # kind, area, year, from_year, stated
FindArea = Callable[[str], str | None]  # a MAPPA area's name for a force's name, or None

# Figures are written in the digits 0-9 ([0-9], not \d, which matches any script's), as the one parser of
# numbers (numbers.read_number) reads them: '١٥٤٨ registered sex offenders' is not a figure of 1548.
_NATIONAL = r"(?:the\s+)?(?:england\s+and\s+wales|national)(?:\s+average)?\s+(?:rate|figure|average)"
_RELATIVE = re.compile(
    r"([0-9]+(?:\.[0-9]+)?\s*(?:%|per\s*cent))\s+(above|below|higher\s+than|lower\s+than)\s+" + _NATIONAL,
    re.I,
)
_RATIO = re.compile(r"\b(twice|double|half|three\s+times|[0-9]+(?:\.[0-9]+)?\s+times)\s+" + _NATIONAL, re.I)
_RANK = re.compile(
    r"\bthe\s+((?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|[0-9]{1,2}(?:st|nd|rd|th))\s+)?"
    r"(highest|lowest)\s+rate\s+(in\s+wales|in\s+england(?:\s+and\s+wales)?|of\s+(?:the\s+)?42(?:\s+\w+)?)",
    re.I,
)
_WHOLE = re.compile(
    r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\s+registered\s+sex(?:ual)?\s+offenders\s*[:(,—-]\s*", re.I
)
_PART = re.compile(
    r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\s+in\s+(?:the\s+)?([a-z][a-z' -]*?)(?=\s*(?:,|;|\)|\.|\band\b|$))",
    re.I,
)
_MAJORITY = re.compile(r"majority\s*\(\s*([0-9]+(?:\.[0-9]+)?\s*(?:%|per\s*cent))\s*this\s+year\s*\)", re.I)
_YEAR = re.compile(r"\b(20[0-9][0-9])\s*[-/\u2013]\s*(?:20)?([0-9][0-9])\b")
_POLICE = re.compile(r"((?:(?:[A-Z][\w'&-]*|and|&|of)\s+){1,5})(?:Police|Constabulary)\b")


def _stream(lines: Sequence[Line]) -> tuple[str, list[int]]:
    """The lines joined by spaces, and where each starts."""
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line.text) + 1
    return " ".join(line.text for line in lines), starts


def _year(text: str, years: Sequence[str]) -> str | None:
    """The reporting year the text names most often, among the years known."""
    seen = Counter(
        f"{m.group(1)}-{m.group(2)}"
        for m in _YEAR.finditer(text)
        if (int(m.group(1)) + 1) % 100 == int(m.group(2))
    )
    known = [(n, y) for y, n in seen.items() if y in years]
    return max(known)[1] if known else None


def _area(text: str, find: FindArea) -> str | None:
    """The MAPPA area the text names most often as '<force> Police' or '<force> Constabulary'."""
    seen: Counter[str] = Counter()
    for match in _POLICE.finditer(text):
        words = match.group(1).split()
        for size in range(len(words), 0, -1):
            name = find(" ".join(words[-size:]))
            if name:
                seen[name] += 1
                break
    return seen.most_common(1)[0][0] if seen else None


def _parts(text: str, start: int) -> str | None:
    """'418 = 137 central division + 101 east + 180 west' from the words after a whole, or None."""
    found = []
    at = start
    for match in _PART.finditer(text, start):
        if match.start() - at > 12:  # the list has ended
            break
        found.append(f"{match.group(1)} {' '.join(match.group(2).split())}")
        at = match.end()
    return " + ".join(found) if len(found) >= 2 else None


def _rows(text: str, area: str, year: str) -> list[tuple[int, Row]]:
    """Every sentence that states a checked figure, as (offset in the text, row)."""
    rows: list[tuple[int, Row]] = []
    for m in _RELATIVE.finditer(text):
        way = "above" if m.group(2).casefold().startswith(("above", "higher")) else "below"
        rows.append((m.start(), ("relative:RSORATE", area, year, "", f"{m.group(1)} {way}")))
    for m in _RATIO.finditer(text):
        rows.append((m.start(), ("relative:RSORATE", area, year, "", " ".join(m.group(1).split()))))
    for m in _RANK.finditer(text):
        group = " ".join(m.group(3).casefold().split())
        group = "of 42" if group.startswith("of") else group
        stated = f"{(m.group(1) or '').strip()} {m.group(2)} {group}".strip()
        rows.append((m.start(), ("rank:RSORATE", area, year, "", stated)))
    for m in _WHOLE.finditer(text):
        listed = _parts(text, m.end())
        if listed:
            rows.append((m.start(), ("parts:CAT1TOT", area, year, "", f"{m.group(1)} = {listed}")))
    for m in _MAJORITY.finditer(text):
        rows.append((m.start(), ("level1_share", area, year, "", m.group(1))))
    return sorted(rows)


def read_sentences(
    display: str, data: bytes, years: Sequence[str], find_area: FindArea
) -> list[tuple[str, Row]]:
    """The claims a report's text or PDF states, each as (where: 'report.txt:12', row); InputError when
    the text names no area or year, or states nothing mappa-stats checks."""
    if data.startswith(b"%PDF"):
        from mappa_stats.io.pdf import read_pages  # lazy: only for a PDF

        report: Report = report_from_pages(display, read_pages(display, data))
    else:
        report = report_from_text(display, data)
    text, starts = _stream(report.lines)
    area = _area(text, find_area)
    year = _year(text, years)
    if area is None or year is None:
        missing = " and ".join(w for w, v in (("its area", area), ("its reporting year", year)) if v is None)
        raise InputError(
            f"{display}: not a claims file (its first line is not the header kind,area,year,from_year,"
            f"stated), and read as a report's text it does not name {missing} ('Kent Police', '2014-15'); "
            "see docs/claims.md"
        )
    out = []
    for offset, row in _rows(text, area, year):
        index = max(0, next((i for i, s in enumerate(starts) if s > offset), len(starts)) - 1)
        place = report.lines[index].place
        where = (
            f"{display}:{place.removeprefix('line ')}" if place.startswith("line ") else f"{display} {place}"
        )
        out.append((where, row))
    if not out:
        raise InputError(
            f"{display}: no sentence states a figure mappa-stats checks (a share, a rate against England and "
            "Wales, a rank, parts of a whole); write a claims file (docs/claims.md)"
        )
    return out
