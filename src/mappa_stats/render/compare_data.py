"""A comparison as data: the versioned JSON document and the CSV (docs/compare.md), each written in pieces.

A report of a file at compare's limit in which every figure is revised by each release lists some 280,000
revisions: each entry and row is made as it is written (json_pieces, a csv writer per row), never the whole
list of them, nor the whole text, at once (docs/limits.md, "Resources")."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mappa_stats.compare.result import AreaComparison, Comparison
from mappa_stats.render.as_json import json_pieces
from mappa_stats.render.compare import _n, base_line, change_line, confirmed_line, revision_line
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED, REPRODUCES
from mappa_stats.safetext import spreadsheet
from mappa_stats.version import __version__

COMPARE_SCHEMA_VERSION = "1.1"
Entries = Iterator[dict[str, Any]]


def _changes_entries(a: AreaComparison) -> Entries:
    """Each change from one year to the next of the area's key figures."""
    return (
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
    )


def _revision_entries(a: AreaComparison) -> Entries:
    """Each figure a later release gave another value."""
    return (
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
    )


def _confirmed_entries(a: AreaComparison) -> Entries:
    """Each pair of releases whose common figures agree."""
    return (
        {
            "year": c.year,
            "from_release": c.from_release,
            "to_release": c.to_release,
            "fields": c.fields,
            "duplicate": c.duplicate,
        }
        for c in a.confirmed
    )


def _base_entries(a: AreaComparison) -> Entries:
    """Each rate that fell while Category 1 rose, with the populations."""
    return (
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
    )


def _figure_entries(a: AreaComparison) -> Entries:
    """Every field compared, with its value and cell each year."""
    return (
        {
            "field": code,
            "label": label,
            "key": code in dict(a.key),
            "values": {y: a.values[code][y] for y in a.values[code]},
            "cells": dict(a.places.get(code, {})),
        }
        for code, label in (a.labels or dict(a.key)).items()
        if code in a.values
    )


def _area_entry(a: AreaComparison, listed: Callable[[Entries], Iterable[Any]]) -> dict[str, Any]:
    """One area of the JSON document: its key figures, changes, revisions, confirmations, base changes
    (each list made by LISTED: `list`, or `iter` to be written entry by entry)."""
    return {
        "area": a.area,
        "years": list(a.years),
        "figures": listed(_figure_entries(a)),
        "changes": listed(_changes_entries(a)),
        "revisions": listed(_revision_entries(a)),
        "confirmed": listed(_confirmed_entries(a)),
        "population_base_changes": listed(_base_entries(a)),
    }


def document(result: Comparison, strict: bool = False) -> dict[str, Any]:
    """The JSON document (docs/compare.md, schemas/compare.schema.json)."""
    return _document(result, strict, list)


def _document(result: Comparison, strict: bool, listed: Callable[[Entries], Iterable[Any]]) -> dict[str, Any]:
    """The JSON document, its areas' lists made by LISTED."""
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
        "areas": listed(_area_entry(a, listed) for a in result.areas),
        "claims": [c.to_dict() for c in result.claims],
    }


def render_json(result: Comparison, strict: bool = False) -> Iterator[str]:
    """Versioned JSON, in pieces: each area and each of its entries made as it is written."""
    yield from json_pieces(_document(result, strict, iter))
    yield "\n"


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


def _figure_rows(a: AreaComparison) -> Iterator[Row]:
    """One row per key figure and year, with its change from the year before."""
    changes = {(c.field, c.year): c for c in a.changes}
    for code in a.labels or dict(a.key):
        for year, value in sorted(a.values.get(code, {}).items()):
            c = changes.get((code, year))
            yield {
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


def _release_rows(a: AreaComparison) -> Iterator[Row]:
    """One row per revision, then one per confirmation (or duplicate) between releases."""
    revised = (
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
    )
    kept = (
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
    )
    return itertools.chain(revised, kept)


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


def render_csv(result: Comparison, strict: bool = False) -> Iterator[str]:
    """One row per figure-year, revision, confirmation, change of base and claim (docs/compare.md), in
    pieces: each row made and written on its own."""
    areas = (itertools.chain(_figure_rows(a), _release_rows(a), _base_rows(a)) for a in result.areas)
    rows = itertools.chain(itertools.chain.from_iterable(areas), _claim_rows(result))
    line = io.StringIO()
    writer = csv.DictWriter(line, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet(str(row.get(k, ""))) for k in CSV_COLUMNS})
        if line.tell() >= _PIECE:
            yield line.getvalue()
            line.seek(0)
            line.truncate()
    yield line.getvalue()


# How much CSV text is gathered before it is handed on: a few hundred rows at a time.
_PIECE = 1 << 16
