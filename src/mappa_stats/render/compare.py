"""Rendering a comparison for people: text, Markdown and HTML (docs/compare.md); the JSON and CSV are
render/compare_data.py's."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from tabulate import tabulate

from mappa_stats.compare.result import (
    DERIVED_CELL,
    AreaComparison,
    BaseChange,
    Change,
    Comparison,
    Confirmed,
    Revision,
)
from mappa_stats.render.html import from_markdown
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED
from mappa_stats.safetext import markdown, terminal

# The text, Markdown and HTML reports list at most this many large changes, and this many revisions, line
# by line; one line then says how many more there are, and the CSV and JSON list every one. A file at
# compare's limit in which every figure is revised by each release has some 280,000 revisions: no one reads
# them in a terminal, and listing them took 0.7 GB (docs/limits.md, "Resources"). A national file with one
# figure in 50 revised lists some 6,300.
MAX_LISTED = 10_000
_MORE = {"LARGE CHANGE": "large changes", "REVISED": "revisions"}
T = TypeVar("T")


def _n(value: float | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _signed(value: float) -> str:
    return f"{int(value):+,}" if float(value).is_integer() else f"{value:+,.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{Decimal(repr(value)).quantize(Decimal('0.1')):+}%"


def change_line(area: AreaComparison, c: Change) -> str:
    """'Kent Category 1, Level 1, 31 March (CAT1L1) 2023-24 → 2024-25: 1,548 → 2,167 (+619, +40.0%); at
    '24-25 data'!K2 of b.xlsx (was '23-24 data'!K2 of a.xlsx); large: …; explained by …'."""
    line = (
        f"{area.area} {c.label or dict(area.key).get(c.field, c.field)} ({c.field}) {c.from_year} → "
        f"{c.year}: {_n(c.before)} → {_n(c.after)} ({_signed(c.change)}, {_pct(c.percent)})"
    )
    if c.after_place.startswith(DERIVED_CELL):
        line += f"; {DERIVED_CELL}"  # a total nobody typed: explained by its parts below
    elif c.after_place:
        line += f"; at {c.after_place}" + (f" (was {c.before_place})" if c.before_place else "")
    if c.why:
        line += f"; {'large: ' if c.large else ''}{c.why}"
    if c.explained_by:
        parts = ", ".join(f"{code} {_signed(moved)}" for code, moved in c.explained_by)
        line += f"; explained by {parts}"
    return line


def revision_line(area: str, r: Revision) -> str:
    """'Kent 2014-15 CAT1TOT revised from 1,560 to 1,561 (release a.xlsx → b.xlsx)'."""
    at = f"; at {r.to_place} (was {r.from_place})" if r.to_place and r.from_place else ""
    return (
        f"{area} {r.year} {r.field} revised from {_n(r.before)} to {_n(r.after)} "
        f"(release {r.from_release} → {r.to_release}){at}"
    )


def confirmed_line(area: str, c: Confirmed) -> str:
    """'Kent 2014-15: 41 figures unrevised (release a → b)' or the duplicate's line."""
    if c.duplicate:
        return (
            f"{area} {c.year}: release {c.to_release} repeats {c.from_release} ({c.fields} figures "
            "identical): a duplicate, not a revision"
        )
    figures = f"{c.fields} figure{'s' * (c.fields != 1)}"
    return f"{area} {c.year}: {figures} unrevised (release {c.from_release} → {c.to_release})"


def base_line(area: str, b: BaseChange) -> str:
    """The rate fell while Category 1 rose: name the population each year implies."""
    how = "implied by the rates about" if b.implied else "aged 10+"
    return (
        f"{area} {b.from_year} → {b.year}: the rate fell from {_n(b.rate_before)} to {_n(b.rate_after)} "
        f"while Category 1 rose from {_n(b.rsos_before)} to {_n(b.rsos_after)}: a change of population base "
        f"(population {how} {round(b.population_before):,} → {round(b.population_after):,})"
    )


def _lines(result: Comparison) -> list[tuple[str, str, str]]:
    """(label, severity, line) for everything to act on or know, area by area, then the claims; at most
    MAX_LISTED large changes and revisions, then a line of how many more."""
    out: list[tuple[str, str, str]] = []
    counted = dict.fromkeys(_MORE, 0)
    for a in result.areas:
        large = _listed(a.large_changes, counted, "LARGE CHANGE")
        out += [("LARGE CHANGE", "error", change_line(a, c)) for c in large]
        out += [("NOT COMPARED", "info", change_line(a, c)) for c in a.changes if c.why and not c.large]
        revisions = _listed(a.revisions, counted, "REVISED")
        out += [("REVISED", "error", revision_line(a.area, r)) for r in revisions]
        out += [("BASE CHANGE", "warning", base_line(a.area, b)) for b in a.base_changes]
        out += [
            ("DUPLICATE" if c.duplicate else "CONFIRMED", "info", confirmed_line(a.area, c))
            for c in a.confirmed
        ]
    for label, found in counted.items():
        if found > MAX_LISTED:
            more = f"and {found - MAX_LISTED:,} more {_MORE[label]}, not listed here"
            out.append((label, "error", f"{more}: -f csv and -f json list every one ({found:,} in all)"))
    for c in result.claims:
        label, severity = {
            DOES_NOT: ("CLAIM WRONG", "error"),
            NOT_CHECKED: ("NOT CHECKED", "warning"),
        }.get(c.status, ("CLAIM OK", "info"))
        out.append((label, severity, c.message))
    return out


def _listed(items: Sequence[T], counted: dict[str, int], label: str) -> Sequence[T]:
    """The ITEMS still to list in detail under LABEL (MAX_LISTED in the whole report), counting them all."""
    room = max(0, MAX_LISTED - counted[label])
    counted[label] += len(items)
    return items[:room]


def _table(a: AreaComparison) -> tuple[list[str], list[list[str]]]:
    """The key figures of an area, one row each, a column per year: value (change, % change)."""
    headers = ["Figure", *a.years]
    rows = []
    for code, label in a.key:
        series = a.values.get(code)
        if not series:
            continue
        row = [label]
        previous: float | None = None
        for year in a.years:
            value = series.get(year)
            cell = _n(value)
            if value is not None and previous is not None:
                percent = None if previous == 0 else (value - previous) * 100 / previous
                cell += f" ({_signed(value - previous)}, {_pct(percent)})" if percent is not None else ""
            row.append(cell)
            previous = value if value is not None else previous
        rows.append(row)
    return headers, rows


def _verdict(result: Comparison, strict: bool) -> str:
    years = sorted({y for a in result.areas for y in a.years})
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else years[0] if years else "no year"
    head = f"{len(result.areas)} area{'s' * (len(result.areas) != 1)}, {span}, from {len(result.inputs)} file"
    head += "s" * (len(result.inputs) != 1)
    if result.status(strict) == "pass":
        return f"{head}: PASS — no revision, no large change{_claims_said(result)}" + (
            f" ({result.warnings} warning{'s' * (result.warnings != 1)})" if result.warnings else ""
        )
    return (
        f"{head}: FAIL — {result.errors} to correct or confirm, "
        f"{result.warnings} warning{'s' * (result.warnings != 1)}"
    )


def _claims_said(result: Comparison) -> str:
    """What a passing run says of its claims: never 'every claim checked reproduces' over claims that were
    not checked without saying how many."""
    if not result.claims:
        return ""
    unchecked = sum(1 for c in result.claims if c.status == NOT_CHECKED)
    total = len(result.claims)
    if not unchecked:
        return f", all {total} claim{'s' * (total != 1)} reproduce" if total > 1 else ", the claim reproduces"
    if unchecked == total:
        return (
            ", the claim could not be checked"
            if total == 1
            else f", none of the {total} claims could be checked"
        )
    return f", {total - unchecked} of {total} claims reproduce and {unchecked} could not be checked"


def render_text(result: Comparison, strict: bool = False) -> str:
    """The terminal report: verdict, notes, each area's table, then one line per thing to know."""
    blocks = [terminal(_verdict(result, strict))]
    blocks += [terminal(f"Note: {n}") for n in result.notes]
    for a in result.areas:
        headers, rows = _table(a)
        if rows:
            body = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
            blocks.append(terminal(a.area) + "\n" + terminal(body, lines=True))
    lines = _lines(result)
    if lines:
        width = max(len(label) for label, _, _ in lines)
        blocks.append("\n".join(terminal(f"{label:<{width}}  {line}") for label, _, line in lines))
    t = result.thresholds
    blocks.append(
        f"Large change: a rise of {t.rise:g}% or a fall of {t.fall:g}% or more, and more than "
        f"{t.noise:g} × √(the earlier figure) (--threshold to change)"
    )
    return "\n\n".join(blocks) + "\n"


def render_markdown(result: Comparison, strict: bool = False) -> str:
    """A Markdown section per area and a table of what to act on."""
    parts = ["# MAPPA figures compared", f"**{markdown(_verdict(result, strict))}**"]
    parts += [f"Note: {markdown(n)}" for n in result.notes]
    for a in result.areas:
        headers, rows = _table(a)
        if rows:
            parts.append(f"## {markdown(a.area)}")
            cells = [[markdown(c) for c in row] for row in rows]
            headers = [markdown(h) for h in headers]
            parts.append(tabulate(cells, headers=headers, tablefmt="pipe", disable_numparse=True))
    lines = _lines(result)
    if lines:
        parts.append("## Findings")
        rows = [[label, markdown(line)] for label, _, line in lines]
        parts.append(tabulate(rows, headers=["Result", "Detail"], tablefmt="pipe", disable_numparse=True))
    return "\n\n".join(parts) + "\n"


def render_html(result: Comparison, strict: bool = False) -> str:
    """The comparison as an HTML page (the Markdown document)."""
    return from_markdown("MAPPA statistics compared", render_markdown(result, strict))
