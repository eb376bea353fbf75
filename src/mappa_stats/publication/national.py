"""Render a combine run: the summary a statistician reads first, the national tables, and the area table.

Text and Markdown for reading, the agreed long CSV (`area,year,field,value`) and versioned JSON for machines,
and the publication workbook's sheets (publish.py writes them). Area names come from the Ministry's fixed
list; file paths and notes come from the input and are escaped for the terminal, Markdown and spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from mappa_stats.combine import (
    NATIONAL,
    NSD_ID,
    AreaLine,
    Combined,
    NationalCell,
    NationalTable,
    field_of_role,
)
from mappa_stats.safetext import markdown, terminal
from mappa_stats.version import __version__

SCHEMA_VERSION = "1.1"  # 1.1: problem kind "blank", area status "error"
STATUS_WORDS = {"pass": "PASS", "fail": "FAIL", "error": "COULD NOT BE CHECKED", "missing": "MISSING"}
# A finding's line in the returns worksheet is cut here: the whole of it is in `validate` of the return.
_FIRST_CHARS = 300


def to_hundred(value: int) -> int:
    """Rounded half up to the nearest 100, as the area table publishes populations."""
    return (value + 50) // 100 * 100


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _cell(cell: NationalCell) -> str:
    return cell.marker if cell.value is None else f"{cell.value:,}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def national_label(combined: Combined) -> str:
    """'England and Wales', or, while returns are missing or left out, what the sums are of."""
    if combined.complete:
        return NATIONAL
    counted = sum(1 for a in combined.areas if a.counted)
    return f"{NATIONAL} (PARTIAL: {counted} of {len(combined.areas)} returns counted)"


def verdict(combined: Combined) -> str:
    """'PASS — all 43 returns present, each consistent' or what stops it, counted."""
    expected = len(combined.areas)
    if combined.status == "pass":
        return f"PASS — all {expected} returns present once and consistent"
    kinds: dict[str, int] = {}
    for p in combined.problems:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    copies = Counter(f.area_id for f in combined.files if f.status == "duplicate")
    words = {
        "missing": "missing",
        "duplicate": "present twice" if set(copies.values()) <= {2} else "present more than once",
        "area": "with errors",
        "blank": "with fields left blank (read as 0)",
        "rate": "with a rate that does not match",
        "population": "population finding",
        "other year": "file of another year",
        "unknown area": "file not for one of the areas",
        "unreadable": "file could not be read",
    }
    plurals = {
        "population finding": "population findings",
        "file of another year": "files of another year",
        "file not for one of the areas": "files not for one of the areas",
        "file could not be read": "files could not be read",
    }
    parts = []
    for kind, count in kinds.items():
        word = words.get(kind, kind)
        word = plurals.get(word, word) if count != 1 else word
        noun = "area" if kind in ("missing", "duplicate", "area", "blank", "rate") else ""
        parts.append(f"{count} {noun + 's' * (count != 1) + ' ' if noun else ''}{word}".replace("  ", " "))
    head = "COULD NOT BE CHECKED" if combined.status == "error" else "FAIL"
    return f"{head} — " + ", ".join(parts)


GROUPED_FROM = 5  # this many files refused for the same reason are said in one line (JSON keeps each)


def grouped_problems(combined: Combined) -> list[str]:
    """'kind: message' for each finding, in order; files refused for one reason, GROUPED_FROM or more of
    them, in one line naming how many and the first (a folder of 289 stray CSVs is one line, not 289)."""
    reasons: dict[tuple[str, str], list[str]] = {}
    for p in combined.problems:
        path, _, reason = p.message.partition(": ")
        if p.area is None and reason:
            reasons.setdefault((p.kind, reason), []).append(path)
    out: list[str] = []
    said: set[tuple[str, str]] = set()
    for p in combined.problems:
        path, _, reason = p.message.partition(": ")
        files = reasons.get((p.kind, reason), [])
        if p.area is not None or len(files) < GROUPED_FROM:
            out.append(f"{p.kind}: {p.message}")
        elif (p.kind, reason) not in said:
            said.add((p.kind, reason))
            out.append(f"{p.kind}: {len(files):,} files: {reason} (the first: {path}; each in the JSON)")
    return out


def summary_rows(combined: Combined) -> tuple[list[str], list[list[str]]]:
    """The one-line-per-area summary: status, errors, warnings, Category 1, total, population, rate."""
    header = [
        "Id",
        "Area",
        "Status",
        "Errors",
        "Warnings",
        "Category 1",
        "Total",
        "Pop. 10+",
        "Rate",
        "Rate check",
    ]
    rows = []
    for a in combined.areas:
        status = STATUS_WORDS.get(a.status, a.status.upper())
        cat1, total = a.rsos, a.total
        rows.append(
            [
                str(a.area_id),
                a.area,
                status,
                str(a.errors) if a.counted else "",
                str(a.warnings) if a.counted else "",
                _n(None if cat1 is None else int(cat1)),
                _n(None if total is None else int(total)),
                _n(a.population_rounded),
                "" if a.rate is None else str(a.rate.rounded),
                a.rate_note if a.counted and combined.population_path else "",
            ]
        )
    return header, rows


def _one_line(finding: Any) -> str:
    """A finding as validate's one line: 'totals.row at 'Statistics'!C5: reads 778; 787 would …'."""
    where = f" at {finding.ref}" if finding.cell else ""
    return f"{finding.rule}{where}: {finding.said}"


def findings_text(combined: Combined, line: AreaLine) -> str:
    """What was found in an area's return, in one cell: '1 error, 0 warnings; the first: …', or 'none'."""
    from mappa_stats.findings import Severity

    mine = [p for p in combined.problems if p.area == line.area and p.kind != "area"]  # 'area' counts errors
    of_set = [p.message.removeprefix(f"{line.area}: ") for p in mine]  # the row names the area already
    if not line.counted:
        return "; ".join(of_set) or STATUS_WORDS.get(line.status, line.status)
    entry = next((f for f in combined.files if f.path == line.path and f.area_id == line.area_id), None)
    found = list(entry.report.findings) if entry is not None and entry.report is not None else []
    errors = [_one_line(f) for f in found if f.severity == Severity.ERROR]
    warnings = [_one_line(f) for f in found if f.severity != Severity.ERROR]
    rate = [m for p, m in zip(mine, of_set, strict=True) if p.kind == "rate"]  # an error combine adds
    said = [*errors, *rate, *warnings, *(m for p, m in zip(mine, of_set, strict=True) if p.kind != "rate")]
    if not said and not line.errors and not line.warnings:
        return "none"
    counts = f"{_plural(line.errors, 'error')}, {_plural(line.warnings, 'warning')}"
    if not said:
        return counts
    first = said[0] if len(said[0]) <= _FIRST_CHARS else said[0][: _FIRST_CHARS - 1] + "…"
    return f"{counts}; the first: {first}" if len(said) > 1 else f"{counts}: {first}"


def returns_table(combined: Combined) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The returns received, for the publication workbook: numbers as numbers, [x] where there is none,
    [z] where a figure does not apply (the National Security Division has no Category 1 or population)."""
    header = (
        "Area",
        "Area number",
        "Status",
        "Errors",
        "Warnings",
        "Category 1 on 31 March",
        "Total MAPPA offenders on 31 March",
        "Population aged 10+ (to the nearest 100)",
        "RSOs per 100,000 aged 10+",
        "Rate check",
        "Findings",
    )
    rows: list[tuple[Any, ...]] = []
    for a in combined.areas:
        # The NSD reports Category 4 only: no Category 1, population or rate applies to it.
        none = "[z]" if a.area_id == NSD_ID else "[x]"

        def figure(value: float | None, none: str = none, counted: bool = a.counted) -> Any:
            return "[x]" if not counted else none if value is None else int(value)

        if not a.counted:
            check = "[x]"
        elif a.area_id == NSD_ID or combined.population_path:
            check = a.rate_note or "[x]"
        else:
            check = "not checked: no population file given"
        rows.append(
            (
                a.area,
                a.area_id,
                STATUS_WORDS.get(a.status, a.status.upper()),
                figure(a.errors, "[x]"),
                figure(a.warnings, "[x]"),
                figure(a.rsos),
                figure(a.total, "[x]"),
                figure(a.population_rounded),
                figure(None if a.rate is None else a.rate.rounded),
                check,
                findings_text(combined, a),
            )
        )
    return header, rows


def _table_rows(table: NationalTable) -> tuple[list[str], list[list[str]]]:
    if table.table.kind == "grid":
        header = ["", *(label.split(":")[0] for _, label in table.columns)]
        return header, [[label, *(_cell(c) for c in cells)] for _, label, cells in table.rows]
    return ["", "England and Wales"], [[label, _cell(cells[0])] for _, label, cells in table.rows]


def _rate_line(combined: Combined) -> str | None:
    rate = combined.national_rate
    if rate is None:
        return None
    areas = [a for a in combined.areas if a.area_id != NSD_ID]
    counted = sum(1 for a in areas if a.counted)
    whose = (
        "the areas' sum"
        if counted == len(areas)
        else f"the sum of the {_plural(counted, 'area')} counted of {len(areas)}"
    )
    incomplete = "" if counted == len(areas) else " (incomplete: not a national rate until every area is in)"
    return (
        f"{NATIONAL}: {rate.rsos:,} RSOs ÷ {rate.population:,} people aged 10+ ({whose}) × 100,000 = "
        f"{rate.two_dp} → {rate.rounded} per 100,000{incomplete}"
    )


def area_table(combined: Combined, full: bool = True) -> tuple[list[str], list[list[Any]]]:
    """The area table: one row per area (and the NSD), its figures, population to the nearest 100, and rate;
    `full=False` keeps the 31 March totals only (for reading on a screen)."""
    picks: list[tuple[str, str]] = []
    parts_of: dict[str, list[str]] = {}  # a picked grid total → the grid's own cells, Category 4's included
    grand = field_of_role(combined.template, "grand_total")
    role = combined.template.role("rsos")
    main = role[0] if role else ""  # the 31 March grid: the table of the RSO count
    for table in combined.tables:
        if not table.table.required or (not full and table.table.id != main):
            continue  # the breakdowns (optional blocks of the return) stay in their own tables
        if table.table.id == main:
            total = next(cells for rid, _, cells in table.rows if role and rid == role[1])
            picks += [
                (c.field, f"{label.split(':')[0]} on 31 March")
                for (_, label), c in zip(table.columns, total, strict=True)
            ]
            picks[-1] = (picks[-1][0], "Total MAPPA offenders on 31 March")
        elif table.table.kind == "grid":
            cell = table.rows[-1][2][-1]
            picks.append((cell.field, f"{table.title} (total)"))
            parts_of[cell.field] = _inner_fields(table)
        else:
            picks += [
                (cells[0].field, f"{table.title}: {label}" if table.table.kind == "list" else table.title)
                for _, label, cells in table.rows
            ]
    header = [
        "Area",
        *(label for _, label in picks),
        "Population aged 10+ (to the nearest 100)",
        "RSOs per 100,000 aged 10+",
    ]
    rows: list[list[Any]] = []
    for a in combined.areas:
        if not a.counted:
            rows.append([a.area, *(["[x]"] * len(picks)), "[x]", "[x]"])
            continue
        figures: list[Any] = []
        for code, _ in picks:
            if code == grand and code not in a.values:
                figures.append("[x]" if a.total is None else int(a.total))  # a form with its own total
            elif code not in a.values:
                # A form without this total (the NSD's): its part of it, from the cells it does carry.
                own = [a.values[c] for c in parts_of.get(code, ()) if c in a.values]
                if not own:
                    figures.append("[z]")
                else:
                    figures.append("[x]" if None in own else int(sum(v for v in own if v is not None)))
            else:
                v = a.values[code]
                figures.append("[x]" if v is None else int(v))
        pop: Any = (
            a.population_rounded
            if a.population_rounded is not None
            else ("[z]" if a.area_id == NSD_ID else "[x]")
        )
        rate: Any = a.rate.rounded if a.rate is not None else ("[z]" if a.area_id == NSD_ID else "[x]")
        rows.append([a.area, *figures, pop, rate])
    national_figures: list[Any] = []
    for code, _ in picks:
        v = combined.national_value(code)
        national_figures.append("[x]" if v is None else v)
    pop_n = combined.national_population
    rate_n = combined.national_rate.rounded if combined.national_rate is not None else None
    rows.append(
        [
            NATIONAL,
            *national_figures,
            "[x]" if pop_n is None else to_hundred(pop_n),
            "[x]" if rate_n is None else rate_n,
        ]
    )
    return header, rows


def _inner_fields(table: NationalTable) -> list[str]:
    """The field codes of a national grid's cells that are neither a row nor a column total."""
    columns = [column_id for column_id, _ in table.columns]
    out = []
    for row_id, _, cells in table.rows:
        if table.table.row(row_id).is_total:
            continue
        for column_id, cell in zip(columns, cells, strict=True):
            known = any(c.id == column_id for c in table.table.columns)
            if not known or not table.table.column(column_id).is_total:
                out.append(cell.field)  # Category 4's column is the NSD's own, never a total
    return out


# --- text and Markdown ---------------------------------------------------------------------------------


def _heading(combined: Combined) -> str:
    counted = sum(1 for f in combined.files if f.status == "counted")
    extra = []
    for status in ("identical", "duplicate", "other year", "unknown area", "unreadable"):
        n = sum(1 for f in combined.files if f.status == status)
        if n:
            extra.append(f"{n} {status}")
    skipped = f"; {len(combined.skipped)} skipped" if combined.skipped else ""
    more = f" ({', '.join(extra)})" if extra else ""
    provisional = " (provisional template)" if combined.template.provisional else ""
    return (
        f"mappa-stats combine: {combined.year}{provisional}, {_plural(len(combined.files), 'file')}: "
        f"{counted} counted{more}{skipped}"
    )


def _file_notes(combined: Combined) -> list[str]:
    return [f"{f.path}: {f.note}" for f in combined.files if f.note and f.status in ("identical",)]


def render(combined: Combined, fmt: str) -> str:
    """Text or Markdown: heading, per-area summary, findings, national verdict, population, tables."""
    from tabulate import tabulate

    md = fmt == "markdown"
    esc: Callable[[str], str] = markdown if md else terminal
    tablefmt = "pipe" if md else "simple"
    out: list[str] = []
    out.append(("# " if md else "") + esc(_heading(combined)))
    notes = [("- " if md else "Note: ") + esc(note) for note in combined.skipped + _file_notes(combined)]
    if notes:
        out.append("\n".join(notes))
    header, rows = summary_rows(combined)
    out.append(
        ("## Areas\n\n" if md else "")
        + tabulate(
            [[esc(c) for c in r] for r in rows],
            header,
            tablefmt=tablefmt,
            disable_numparse=True,
            colalign=("right", "left", "left", "right", "right", "right", "right", "right", "right", "left"),
        )
    )
    if combined.problems:
        lines = [("- " if md else "  ") + esc(said) for said in grouped_problems(combined)]
        out.append(("## Findings\n\n" if md else "Findings:\n") + "\n".join(lines))
    out.append(("**" if md else "") + esc(f"National: {verdict(combined)}") + ("**" if md else ""))
    if combined.population is not None:
        vintage = combined.population.vintage or "vintage not stated"
        out.append(esc(f"Population ({vintage}): {combined.population.message()}"))
    rate = _rate_line(combined)
    if rate:
        out.append(esc(rate))
    if combined.claims:
        words = {"reproduces": "REPRODUCES", "does not reproduce": "DOES NOT REPRODUCE"}
        lines = [
            ("- " if md else "  ") + esc(f"{words.get(c.status, 'NOT CHECKED')}: {c.message}")
            for c in combined.claims
        ]
        out.append(("## Claims\n\n" if md else "Claims:\n") + "\n".join(lines))
    for item in combined.not_checked:
        out.append(esc(f"Not checked: {item}"))
    if combined.template.provisional:
        out.append(
            esc(
                f"Note: template {combined.year} is provisional: its tables are carried forward from an "
                "earlier year"
            )
        )
    for table in combined.tables:
        title = f"Table {table.number}: {table.title}, {national_label(combined)}, {combined.year}"
        h, r = _table_rows(table)
        body = tabulate(
            r, h, tablefmt=tablefmt, disable_numparse=True, colalign=("left", *(["right"] * (len(h) - 1)))
        )
        out.append((f"## {esc(title)}\n\n" if md else esc(title) + "\n") + body)
    h, r = area_table(combined, full=False)
    shown = [[esc(str(v)) if isinstance(v, str) else f"{v:,}" for v in row] for row in r]
    out.append(
        ("## Area table\n\n" if md else "Area table\n")
        + tabulate(
            shown, h, tablefmt=tablefmt, disable_numparse=True, colalign=("left", *(["right"] * (len(h) - 1)))
        )
    )
    return "\n\n".join(out) + "\n"


# --- machines ------------------------------------------------------------------------------------------


def render_csv(combined: Combined) -> str:
    """The agreed long form: area,year,field,value; numbers as plain numbers."""
    from mappa_stats.combine import long_rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["area", "year", "field", "value"])
    writer.writerows(long_rows(combined))
    return buffer.getvalue()


def document(combined: Combined) -> dict[str, Any]:
    """The JSON document (docs/combine.md, schemas/combine.schema.json)."""

    def rate(r: Any) -> Any:
        return None if r is None else r.to_dict()

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mappa-stats", "version": __version__},
        "year": combined.year,
        "template_status": combined.template.status,
        "status": combined.status,
        "verdict": verdict(combined),
        "complete": combined.complete,
        "files": [
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
        ],
        "skipped": list(combined.skipped),
        "areas": [
            {
                "area_id": a.area_id,
                "area": a.area,
                "status": a.status,
                "path": a.path,
                "errors": a.errors,
                "warnings": a.warnings,
                "population_aged_10_plus": a.population,
                "population_rounded": a.population_rounded,
                "rate": rate(a.rate),
                "rate_note": a.rate_note,
                "values": {
                    k: (None if v is None else int(v) if float(v).is_integer() else v)
                    for k, v in a.values.items()
                },
            }
            for a in combined.areas
        ],
        "problems": [{"kind": p.kind, "area": p.area, "message": p.message} for p in combined.problems],
        "national": {
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
                            "cells": [
                                {"field": c.field, "value": c.value, "marker": c.marker} for c in cells
                            ],
                        }
                        for rid, label, cells in t.rows
                    ],
                }
                for t in combined.tables
            ],
            "population_aged_10_plus": combined.national_population,
            "rate": rate(combined.national_rate),
        },
        "population_check": None
        if combined.population is None
        else {
            "path": combined.population.path,
            "vintage": combined.population.vintage,
            "areas_aged_10_plus": combined.population.areas_aged_10_plus,
            "areas_all_ages": combined.population.areas_all_ages,
            "england_and_wales_aged_10_plus": None
            if combined.population.national is None
            else combined.population.national.aged_10_plus,
            "england_and_wales_all_ages": None
            if combined.population.national is None
            else combined.population.national.all_ages,
            "short": list(combined.population.short),
            "matches": combined.population.matches,
            "message": combined.population.message(),
        },
        "not_checked": list(combined.not_checked),
        "claims": [c.to_dict() for c in combined.claims],
        "exit_code": combined.exit_code,
    }


def render_json(combined: Combined) -> str:
    """Versioned JSON of the whole run."""
    return json.dumps(document(combined), indent=2, ensure_ascii=False) + "\n"


# --- publication workbooks ------------------------------------------------------------------------------


def gate(combined: Combined, force: bool) -> Any:
    """Refuse to publish while an area has errors or the set is not complete, unless forced (exit 1)."""
    from mappa_stats.publication.publish import NotValidated, Validation

    problems = tuple(p.message for p in combined.problems)
    if combined.status == "pass":
        return Validation(True, f"Validated with mappa-stats {__version__}: {verdict(combined)}.")
    if not force:
        listed = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        raise NotValidated(
            f"not published: {verdict(combined)} ({listed}); correct the returns (mappa-stats combine "
            "without -f) or give --force to publish marked 'not validated'"
        )
    summary = (
        f"NOT VALIDATED: published with --force although mappa-stats {__version__} found: "
        f"{'; '.join(problems)}."
    )
    return Validation(False, summary, problems)


def population_words(combined: Combined) -> str:
    """Which population the rates divide by, for a publication: the estimates' mid-year and the file's name
    (never its folder, which is the statistician's own)."""
    if combined.population is None or not combined.population_path:
        return "no population file was given, so there are no rates"
    from mappa_stats.publication.publish import _shown

    name = _shown(combined.population_path)
    vintage = combined.population.vintage
    if vintage is None:
        return f"the population aged 10 and over of {name} (its mid-year not stated in the file)"
    return f"ONS {vintage} population estimates, aged 10 and over ({name})"


def chart_description(combined: Combined, rated: list[tuple[str, int]]) -> str:
    """The rate chart's alternative text: what it shows and what a reader would look for in it."""
    high = max(rated, key=lambda pair: pair[1])
    low = min(rated, key=lambda pair: pair[1])
    national = combined.national_rate
    # An incomplete set's sum is not the national rate: named as the tables' titles name it (PARTIAL …).
    mean = f" The {national_label(combined)} rate is {national.rounded:,}." if national is not None else ""
    return (
        f"Horizontal bar chart of registered sexual offenders per 100,000 people aged 10 and over, "
        f"{combined.year}: one bar for each of the {_plural(len(rated), 'area')} with a rate, in the order "
        f"of the table beside it. The highest is {high[0]} ({high[1]:,}), the lowest {low[0]} ({low[1]:,})."
        f"{mean} The table beside the chart holds every value it shows."
    )


def national_cover(cover: Any) -> Any:
    """The cover's release, next release, contact and source, each blank filled as a national release's (the
    source's default, which names the year, is build_sheets')."""
    from mappa_stats.publication.publish import filled

    return filled(
        cover,
        next_release="To be announced (the national tables are published once a year)",
        contact="The Ministry of Justice's MAPPA statistics team",
        source=None,
    )


def build_sheets(combined: Combined, validation: Any, cover_text: Any = None) -> list[Any]:
    """Cover, contents, notes, the returns received, each national table, and the area table."""
    from mappa_stats.publication.publish import SHORTHAND, Sheet, contents_sheet, is_provisional
    from mappa_stats.render.tables import safe_text

    given = national_cover(cover_text)

    template = combined.template
    year = combined.year
    tables: list[Any] = []

    def shorthand(rows: Any) -> str:
        uses = sorted({v for r in rows for v in r[1:] if isinstance(v, str) and v in SHORTHAND})
        if not uses:
            return "This table has no shorthand."
        return "Shorthand in this table: " + "; ".join(f"{s} {SHORTHAND[s]}" for s in uses) + ". See Notes."

    source = given.source or f"The MAPPA area returns for {year}, combined with mappa-stats {__version__}."
    for table in combined.tables:
        if table.table.kind == "grid":
            header = (
                str(table.table.publication.get("row_header", "Measure")),
                *(label for _, label in table.columns),
            )
            rows = tuple(
                (label, *(c.value if c.value is not None else c.marker for c in cells))
                for _, label, cells in table.rows
            )
        else:
            header = ("Measure", "Number")
            rows = tuple(
                (label, cells[0].value if cells[0].value is not None else cells[0].marker)
                for _, label, cells in table.rows
            )
        tables.append(
            Sheet(
                name=f"Table_{table.number}",
                title=f"Table {table.number}: {table.title}, {national_label(combined)}, {year}",
                lines=(
                    "This worksheet contains one table. Numbers of offenders, the sum of the areas' returns.",
                    shorthand(rows),
                    f"Source: {source}",
                ),
                header=header,
                rows=rows,
                counts=(False, *([True] * (len(header) - 1))),
            )
        )
    h, r = area_table(combined)
    tables.append(
        Sheet(
            name="Area_table",
            title=f"Area table: MAPPA figures, population and rate by area, {year}",
            lines=(
                "This worksheet contains one table: one row per area, then England and Wales.",
                shorthand(r),
                f"Source: {source} Population: {population_words(combined)}.",
            ),
            header=tuple(h),
            rows=tuple(tuple(row) for row in r),
            counts=(False, *([True] * (len(h) - 1))),
        )
    )
    rated = [(a.area, a.rate.rounded) for a in combined.areas if a.rate is not None]
    if rated:
        tables.append(
            Sheet(
                name="Chart_rate",
                title=f"Chart 1: registered sexual offenders per 100,000 aged 10+ by area, {year}",
                lines=(
                    "This worksheet contains one table and a bar chart of it: the rate of each area with a "
                    "rate, as in the area table. The chart shows the same numbers as the table.",
                    f"Source: {source}",
                ),
                header=("Area", "RSOs per 100,000 aged 10+"),
                rows=tuple(rated),
                counts=(False, True),
                bar_chart=f"RSOs per 100,000 aged 10+ by area, {year}",
                chart_description=chart_description(combined, rated),
            )
        )
    rh, rr = returns_table(combined)
    tables.append(
        Sheet(
            name="Returns",
            title=f"Returns received and their checks, {year}",
            lines=(
                "This worksheet contains one table: each area's return, its status, its 31 March totals, "
                "population and rate, and what its checks found (the first finding; mappa-stats validate on "
                "the return lists every one).",
                shorthand(rr),
                f"Source: {source}",
            ),
            header=rh,
            rows=tuple(rr),
            counts=(False, False, False, True, True, True, True, True, True, False, False),
            texts=(False, False, True, False, False, False, False, False, False, True, True),
        )
    )
    status_lines = []
    if is_provisional(template):
        status_lines.append(
            f"PROVISIONAL: the {year} template definition is provisional; these tables may be revised."
        )
    status_lines.append(validation.summary)
    cover = Sheet(
        name="Cover",
        title=f"MAPPA statistics: {NATIONAL}, {year}",
        lines=(
            "Multi-Agency Public Protection Arrangements (MAPPA): national tables, the sum of the areas' "
            "returns.",
            *status_lines,
            f"Reporting period: {template.period_start} to {template.period_end}.",
            f"Released: {safe_text(given.release_date)}.",
            f"Next release: {safe_text(given.next_release)}.",
            f"Contact: {safe_text(given.contact)}.",
            f"Source: {safe_text(source)}",
            f"Population: {population_words(combined)}.",
            f"Template {year} (status: {template.status}). Produced with mappa-stats {__version__}.",
            "The worksheets: Contents lists them, Notes explains the abbreviations and shorthand, and each "
            "table is on its own worksheet.",
        ),
        header=(),
        rows=(),
    )
    contents = contents_sheet(tables)
    note_rows: list[tuple[Any, ...]] = [
        (
            "Numbering",
            "Tables are numbered as the Ministry of Justice numbers its national tables; a table "
            "lettered A1, A2 … has no Ministry number.",
        ),
        (
            "Rate",
            "Registered sexual offenders per 100,000 people aged 10 and over: Category 1 on "
            f"{template.period_end} divided by the ONS mid-{template.population_mid_year} population aged 10 "
            "and over; for England and Wales, divided by the sum of the areas' populations. Rounded half up "
            "to a whole number.",
        ),
        ("Population", "Each area's population aged 10 and over is shown rounded to the nearest 100."),
    ]
    nsd = any(a.area_id == NSD_ID for a in combined.areas)
    if nsd:
        note_rows.append(
            (
                "Category 4",
                "Terrorist and terrorism-risk offenders, reported by the National Security Division (NSD) "
                "in a return of its own (Category 4 only). The NSD is not an area, so it has no population "
                "or rate ([z]); its figures are in the England and Wales totals.",
            )
        )
    abbreviations = {str(k): str(v) for k, v in dict(template.publication.get("abbreviations", {})).items()}
    if nsd:
        abbreviations["NSD"] = "National Security Division"
    note_rows.extend((short, f"Abbreviation: {meaning}") for short, meaning in abbreviations.items())
    note_rows.extend((s, f"Shorthand: {meaning}") for s, meaning in SHORTHAND.items())
    notes = Sheet(
        name="Notes",
        title="Notes, abbreviations and shorthand",
        lines=(
            "This worksheet contains one table: the notes, the abbreviations spelled out, and the shorthand.",
        ),
        header=("Item", "Meaning"),
        rows=tuple(note_rows),
    )
    return [cover, contents, notes, *tables]


def write_workbook(combined: Combined, path: Any, fmt: str, validation: Any, cover: Any = None) -> None:
    """The national publication workbook (.xlsx or .ods), written by publish.py's writers; `cover` (a
    publish.Cover) gives the release date, next release, contact and source, each with a default."""
    from mappa_stats.publication.publish import write_ods_sheets, write_xlsx_sheets

    props = {
        "title": f"MAPPA statistics: {NATIONAL}, {combined.year}",
        "language": "en-GB",
        "author": str(national_cover(cover).contact),
        "subject": "Multi-Agency Public Protection Arrangements national statistics",
        "area": NATIONAL,
        "year": combined.year,
    }
    (write_xlsx_sheets if fmt == "xlsx" else write_ods_sheets)(
        build_sheets(combined, validation, cover), props, path
    )
