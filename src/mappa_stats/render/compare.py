"""Rendering a comparison: text, Markdown, versioned JSON and CSV (docs/compare.md)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

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
from mappa_stats.render.as_json import as_json
from mappa_stats.render.html import from_markdown
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED, REPRODUCES
from mappa_stats.safetext import markdown, spreadsheet, terminal
from mappa_stats.version import __version__

COMPARE_SCHEMA_VERSION = "1.1"


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
    """(label, severity, line) for everything to act on or know, area by area, then the claims."""
    out: list[tuple[str, str, str]] = []
    for a in result.areas:
        out += [("LARGE CHANGE", "error", change_line(a, c)) for c in a.large_changes]
        out += [("NOT COMPARED", "info", change_line(a, c)) for c in a.changes if c.why and not c.large]
        out += [("REVISED", "error", revision_line(a.area, r)) for r in a.revisions]
        out += [("BASE CHANGE", "warning", base_line(a.area, b)) for b in a.base_changes]
        out += [
            ("DUPLICATE" if c.duplicate else "CONFIRMED", "info", confirmed_line(a.area, c))
            for c in a.confirmed
        ]
    for c in result.claims:
        label, severity = {
            DOES_NOT: ("CLAIM WRONG", "error"),
            NOT_CHECKED: ("NOT CHECKED", "warning"),
        }.get(c.status, ("CLAIM OK", "info"))
        out.append((label, severity, c.message))
    return out


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


def _changes_entries(a: AreaComparison) -> list[dict[str, Any]]:
    """Each change from one year to the next of the area's key figures."""
    return [
        {
            "field": c.field,
            "from_year": c.from_year,
            "year": c.year,
            "before": c.before,
            "after": c.after,
            "change": c.change,
            "percent_change": None if c.percent is None else round(c.percent, 2),
            "large": c.large,
            "label": c.label,
            "cells": {c.from_year: c.before_place, c.year: c.after_place},
            "why": c.why,
            "explained_by": [{"field": code, "change": moved} for code, moved in c.explained_by],
        }
        for c in a.changes
    ]


def _revision_entries(a: AreaComparison) -> list[dict[str, Any]]:
    """Each figure a later release gave another value."""
    return [
        {
            "year": r.year,
            "field": r.field,
            "before": r.before,
            "after": r.after,
            "from_release": r.from_release,
            "to_release": r.to_release,
            "cells": {r.from_release: r.from_place, r.to_release: r.to_place},
            "message": revision_line(a.area, r),
        }
        for r in a.revisions
    ]


def _confirmed_entries(a: AreaComparison) -> list[dict[str, Any]]:
    """Each pair of releases whose common figures agree."""
    return [
        {
            "year": c.year,
            "from_release": c.from_release,
            "to_release": c.to_release,
            "fields": c.fields,
            "duplicate": c.duplicate,
        }
        for c in a.confirmed
    ]


def _base_entries(a: AreaComparison) -> list[dict[str, Any]]:
    """Each rate that fell while Category 1 rose, with the populations."""
    return [
        {
            "from_year": b.from_year,
            "year": b.year,
            "rate_before": b.rate_before,
            "rate_after": b.rate_after,
            "rsos_before": b.rsos_before,
            "rsos_after": b.rsos_after,
            "population_before": round(b.population_before),
            "population_after": round(b.population_after),
            "implied": b.implied,
            "message": base_line(a.area, b),
        }
        for b in a.base_changes
    ]


def _area_entry(a: AreaComparison) -> dict[str, Any]:
    """One area of the JSON document: its key figures, changes, revisions, confirmations, base changes."""
    return {
        "area": a.area,
        "years": list(a.years),
        "figures": [
            {
                "field": code,
                "label": label,
                "key": code in dict(a.key),
                "values": {y: a.values[code][y] for y in a.values[code]},
                "cells": dict(a.places.get(code, {})),
            }
            for code, label in (a.labels or dict(a.key)).items()
            if code in a.values
        ],
        "changes": _changes_entries(a),
        "revisions": _revision_entries(a),
        "confirmed": _confirmed_entries(a),
        "population_base_changes": _base_entries(a),
    }


def document(result: Comparison, strict: bool = False) -> dict[str, Any]:
    """The JSON document (docs/compare.md, schemas/compare.schema.json)."""
    t = result.thresholds
    return {
        "schema_version": COMPARE_SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "status": result.status(strict),
        "strict": strict,
        "thresholds": {"rise_percent": t.rise, "fall_percent": t.fall, "noise_sqrt_multiple": t.noise},
        "summary": {
            "errors": result.errors,
            "warnings": result.warnings,
            "claims": {
                status: sum(1 for c in result.claims if c.status == status)
                for status in (REPRODUCES, DOES_NOT, NOT_CHECKED)
            },
        },
        "inputs": [
            {
                "path": i.path,
                "kind": i.kind,
                "releases": list(i.releases),
                "areas": list(i.areas),
                "years": list(i.years),
            }
            for i in result.inputs
        ],
        "notes": list(result.notes),
        "areas": [_area_entry(a) for a in result.areas],
        "claims": [c.to_dict() for c in result.claims],
    }


def render_json(result: Comparison, strict: bool = False) -> str:
    """Versioned JSON."""
    return as_json(document(result, strict))


CSV_COLUMNS = (
    "record",
    "area",
    "year",
    "from_year",
    "field",
    "value",
    "previous",
    "change",
    "percent_change",
    "release",
    "from_release",
    "status",
    "message",
    "cell",
)
Row = dict[str, Any]


def _plain(value: float | None) -> str:
    """A number as the CSV writes it: no thousands separators."""
    return _n(value).replace(",", "")


def _figure_rows(a: AreaComparison) -> list[Row]:
    """One row per key figure and year, with its change from the year before."""
    rows: list[Row] = []
    changes = {(c.field, c.year): c for c in a.changes}
    for code in a.labels or dict(a.key):
        for year, value in sorted(a.values.get(code, {}).items()):
            c = changes.get((code, year))
            rows.append(
                {
                    "record": "figure",
                    "area": a.area,
                    "year": year,
                    "from_year": c.from_year if c else "",
                    "field": code,
                    "value": _plain(value),
                    "previous": _plain(c.before) if c else "",
                    "change": _plain(c.change) if c else "",
                    "percent_change": "" if c is None or c.percent is None else f"{c.percent:.2f}",
                    "status": "large change" if c and c.large else "",
                    "message": change_line(a, c) if c and (c.large or c.why) else "",
                    "cell": a.places.get(code, {}).get(year, ""),
                }
            )
    return rows


def _release_rows(a: AreaComparison) -> list[Row]:
    """One row per revision, then one per confirmation (or duplicate) between releases."""
    revised: list[Row] = [
        {
            "record": "revision",
            "area": a.area,
            "year": r.year,
            "field": r.field,
            "value": _plain(r.after),
            "previous": _plain(r.before),
            "change": _plain(r.after - r.before),
            "release": r.to_release,
            "from_release": r.from_release,
            "status": "revised",
            "message": revision_line(a.area, r),
        }
        for r in a.revisions
    ]
    kept: list[Row] = [
        {
            "record": "duplicate" if c.duplicate else "confirmed",
            "area": a.area,
            "year": c.year,
            "release": c.to_release,
            "from_release": c.from_release,
            "status": "duplicate" if c.duplicate else "unrevised",
            "message": confirmed_line(a.area, c),
        }
        for c in a.confirmed
    ]
    return revised + kept


def _base_rows(a: AreaComparison) -> list[Row]:
    """One row per change of population base (the rate as published: thousands separators kept)."""
    return [
        {
            "record": "population base",
            "area": a.area,
            "year": b.year,
            "from_year": b.from_year,
            "field": "rate",
            "value": _n(b.rate_after),
            "previous": _n(b.rate_before),
            "status": "population base changed",
            "message": base_line(a.area, b),
        }
        for b in a.base_changes
    ]


def _claim_rows(result: Comparison) -> list[Row]:
    """One row per claim judged."""
    return [
        {
            "record": "claim",
            "area": claim.claim.area,
            "year": claim.claim.year,
            "from_year": claim.claim.from_year or "",
            "field": claim.claim.kind,
            "value": claim.claim.stated.text,
            "previous": claim.exact or "",
            "status": claim.status,
            "message": claim.message,
        }
        for claim in result.claims
    ]


def render_csv(result: Comparison, strict: bool = False) -> str:
    """One row per figure-year, revision, confirmation, change of base and claim (docs/compare.md)."""
    rows = [row for a in result.areas for row in (*_figure_rows(a), *_release_rows(a), *_base_rows(a))]
    rows += _claim_rows(result)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet(str(row.get(k, ""))) for k in CSV_COLUMNS})
    return buffer.getvalue()


def render_html(result: Comparison, strict: bool = False) -> str:
    """The comparison as an HTML page (the Markdown document)."""
    return from_markdown("MAPPA statistics compared", render_markdown(result, strict))
