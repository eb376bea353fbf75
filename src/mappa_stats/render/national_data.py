"""The combine run for machines: the agreed long CSV (`area,year,field,value`) and versioned JSON
(docs/combine.md, schemas/combine.schema.json).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mappa_stats.combine.long import long_rows
from mappa_stats.combine.result import Combined, published_population, published_rate
from mappa_stats.render.as_json import as_json
from mappa_stats.render.national import verdict
from mappa_stats.version import __version__

SCHEMA_VERSION = (
    "1.2"  # 1.1: problem kind "blank", area status "error"; 1.2: the published rate and population
)


def render_csv(combined: Combined) -> str:
    """The agreed long form: area,year,field,value; numbers as plain numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["area", "year", "field", "value"])
    writer.writerows(long_rows(combined))
    return buffer.getvalue()


def _rate(r: Any) -> Any:
    return None if r is None else r.to_dict()


def _files(combined: Combined) -> list[dict[str, Any]]:
    """Each file the run found: what became of it, and how its validation went."""
    return [
        {
            "path": f.path,
            "status": f.status,
            "note": f.note,
            "area": f.area,
            "area_id": f.area_id,
            "year": f.year,
            "sha256": f.sha256,
            "validation": None if f.report is None else f.report.status(),
            "errors": None if f.report is None else f.report.errors,
            "warnings": None if f.report is None else f.report.warnings,
        }
        for f in combined.files
    ]


def _areas(combined: Combined) -> list[dict[str, Any]]:
    """Each area's line: status, counts of findings, population, rate, and its figures."""
    return [
        {
            "area_id": a.area_id,
            "area": a.area,
            "status": a.status,
            "path": a.path,
            "errors": a.errors,
            "warnings": a.warnings,
            "population_aged_10_plus": a.population,
            "population_rounded": a.population_rounded,
            "rate": _rate(a.rate),
            "rate_published": a.rate_published,
            "rate_note": a.rate_note,
            "values": {
                k: (None if v is None else int(v) if float(v).is_integer() else v)
                for k, v in a.values.items()
            },
        }
        for a in combined.areas
    ]


def _national(combined: Combined) -> dict[str, Any]:
    """The national tables, population and rate."""
    return {
        "tables": [
            {
                "number": t.number,
                "id": t.table.id,
                "title": t.title,
                "columns": [{"id": cid, "label": label} for cid, label in t.columns],
                "rows": [
                    {
                        "id": rid,
                        "label": label,
                        "cells": [{"field": c.field, "value": c.value, "marker": c.marker} for c in cells],
                    }
                    for rid, label, cells in t.rows
                ],
            }
            for t in combined.tables
        ],
        "population_aged_10_plus": combined.national_population,
        "population_rounded": (
            None
            if combined.national_population is None
            else published_population(combined.national_population)
        ),
        "rate": _rate(combined.national_rate),
        "rate_published": None if combined.national_rate is None else published_rate(combined.national_rate),
    }


def _population_check(combined: Combined) -> dict[str, Any] | None:
    """The population file checked against the areas' sum, or None without one."""
    population = combined.population
    if population is None:
        return None
    national = population.national
    return {
        "path": population.path,
        "vintage": population.vintage,
        "areas_aged_10_plus": population.areas_aged_10_plus,
        "areas_all_ages": population.areas_all_ages,
        "england_and_wales_aged_10_plus": None if national is None else national.aged_10_plus,
        "england_and_wales_all_ages": None if national is None else national.all_ages,
        "short": list(population.short),
        "matches": population.matches,
        "message": population.message(),
    }


def document(combined: Combined) -> dict[str, Any]:
    """The JSON document (docs/combine.md, schemas/combine.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "year": combined.year,
        "template_status": combined.template.status,
        "status": combined.status,
        "verdict": verdict(combined),
        "complete": combined.complete,
        "files": _files(combined),
        "skipped": list(combined.skipped),
        "areas": _areas(combined),
        "problems": [{"kind": p.kind, "area": p.area, "message": p.message} for p in combined.problems],
        "national": _national(combined),
        "population_check": _population_check(combined),
        "not_checked": list(combined.not_checked),
        "claims": [c.to_dict() for c in combined.claims],
        "exit_code": combined.exit_code,
    }


def render_json(combined: Combined) -> str:
    """Versioned JSON of the whole run."""
    return as_json(document(combined))
