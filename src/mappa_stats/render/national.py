"""The combine run rendered for reading: the summary a statistician reads first, the national tables and
the area table as text or Markdown (national_data.py has the CSV and JSON). The figures the national
publication workbook also shows (the verdict, the national label, the area table) are worked out here and
shared with publication/national.py. Area names come from the Ministry's fixed list; file paths and notes
come from the input and are escaped for the terminal and Markdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from tabulate import tabulate

from mappa_stats.combine.result import (
    AreaLine,
    Combined,
    NationalCell,
    NationalTable,
    field_of_role,
    published_population,
    published_rate,
)
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.render.html import from_markdown
from mappa_stats.safetext import markdown, terminal

STATUS_WORDS = {"pass": "PASS", "fail": "FAIL", "error": "COULD NOT BE CHECKED", "missing": "MISSING"}


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _cell(cell: NationalCell) -> str:
    return cell.marker if cell.value is None else f"{cell.value:,}"


def plural(n: int, word: str) -> str:
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
                "" if a.rate_published is None else str(a.rate_published),
                a.rate_note if a.counted and combined.population_path else "",
            ]
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
        else f"the sum of the {plural(counted, 'area')} counted of {len(areas)}"
    )
    incomplete = "" if counted == len(areas) else " (incomplete: not a national rate until every area is in)"
    return (
        f"{NATIONAL}: {rate.rsos:,} RSOs ÷ {rate.population:,} people aged 10+ ({whose}) × 100,000 = "
        f"{rate.two_dp} → {published_rate(rate)} per 100,000{incomplete}"
    )


def _picks(combined: Combined, full: bool) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """The area table's columns (field code, header) and, for a picked grid total, the grid's own cells
    (Category 4's included); `full=False` keeps the 31 March totals only."""
    picks: list[tuple[str, str]] = []
    parts_of: dict[str, list[str]] = {}
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
    return picks, parts_of


def _area_row(
    a: AreaLine, picks: list[tuple[str, str]], parts_of: dict[str, list[str]], grand: str | None
) -> list[Any]:
    """One area's row of the area table: its figures, population to the nearest 100, and rate."""
    if not a.counted:
        return [a.area, *(["[x]"] * len(picks)), "[x]", "[x]"]
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
    rate: Any = a.rate_published if a.rate is not None else ("[z]" if a.area_id == NSD_ID else "[x]")
    return [a.area, *figures, pop, rate]


def area_table(combined: Combined, full: bool = True) -> tuple[list[str], list[list[Any]]]:
    """The area table: one row per area (and the NSD), its figures, population to the nearest 100, and rate;
    `full=False` keeps the 31 March totals only (for reading on a screen)."""
    picks, parts_of = _picks(combined, full)
    grand = field_of_role(combined.template, "grand_total")
    header = [
        "Area",
        *(label for _, label in picks),
        "Population aged 10+ (to the nearest 100)",
        "RSOs per 100,000 aged 10+",
    ]
    rows = [_area_row(a, picks, parts_of, grand) for a in combined.areas]
    national_figures: list[Any] = []
    for code, _ in picks:
        v = combined.national_value(code)
        national_figures.append("[x]" if v is None else v)
    pop_n = combined.national_population
    rate_n = None if combined.national_rate is None else published_rate(combined.national_rate)
    rows.append(
        [
            NATIONAL,
            *national_figures,
            "[x]" if pop_n is None else published_population(pop_n),
            "[x]" if rate_n is None else rate_n,
        ]
    )
    return header, rows


def _inner_fields(table: NationalTable) -> list[str]:
    """The field codes of a national grid's cells that are neither a row nor a column total."""
    columns = [column_id for column_id, _ in table.columns]
    out = []
    for row_id, _, cells in table.rows:
        if row_id in table.total_rows:
            continue
        for column_id, cell in zip(columns, cells, strict=True):
            if column_id not in table.total_columns:
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
        f"mappa-stats combine: {combined.year}{provisional}, {plural(len(combined.files), 'file')}: "
        f"{counted} counted{more}{skipped}"
    )


# How many files of one reason for being skipped are named before the rest are counted.
SKIPPED_NAMED = 3


def skipped_notes(skipped: list[str]) -> list[str]:
    """The files left out, grouped by why: a reason shared by more than SKIPPED_NAMED files is one line
    with their count and the first few (10,000 lock files are one line, not 10,000)."""
    by_reason: dict[str, list[str]] = {}
    for note in skipped:
        path, _, reason = note.rpartition(": ")  # a reason never holds ': ', a path may
        by_reason.setdefault(reason, []).append(path)
    out: list[str] = []
    for reason, paths in by_reason.items():
        if len(paths) <= SKIPPED_NAMED:
            out.extend(f"{path}: {reason}" for path in paths)
            continue
        named = ", ".join(paths[:SKIPPED_NAMED])
        out.append(
            f"{len(paths):,} files skipped, each {reason.removesuffix('; skipped')}: {named} "
            f"and {len(paths) - SKIPPED_NAMED:,} more"
        )
    return out


def _file_notes(combined: Combined) -> list[str]:
    return [f"{f.path}: {f.note}" for f in combined.files if f.note and f.status in ("identical",)]


def _summary(combined: Combined, md: bool, esc: Callable[[str], str]) -> list[str]:
    """The run's heading and notes, the one-line-per-area summary, the findings and the verdict."""
    out: list[str] = [("# " if md else "") + esc(_heading(combined))]
    skipped = skipped_notes(combined.skipped)
    notes = [("- " if md else "Note: ") + esc(note) for note in skipped + _file_notes(combined)]
    if notes:
        out.append("\n".join(notes))
    header, rows = summary_rows(combined)
    out.append(
        ("## Areas\n\n" if md else "")
        + tabulate(
            [[esc(c) for c in r] for r in rows],
            header,
            tablefmt="pipe" if md else "simple",
            disable_numparse=True,
            colalign=("right", "left", "left", "right", "right", "right", "right", "right", "right", "left"),
        )
    )
    if combined.problems:
        lines = [("- " if md else "  ") + esc(said) for said in grouped_problems(combined)]
        out.append(("## Findings\n\n" if md else "Findings:\n") + "\n".join(lines))
    out.append(("**" if md else "") + esc(f"National: {verdict(combined)}") + ("**" if md else ""))
    return out


def _checks(combined: Combined, md: bool, esc: Callable[[str], str]) -> list[str]:
    """The population check, the national rate worked out, the claims judged, and what was not checked."""
    out: list[str] = []
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
    return out


def _tables(combined: Combined, md: bool, esc: Callable[[str], str]) -> list[str]:
    """Each national table, then the area table (its 31 March totals)."""
    tablefmt = "pipe" if md else "simple"
    out: list[str] = []
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
    return out


def render_text(combined: Combined) -> str:
    """The national run for a terminal (escape sequences from the inputs made inert)."""
    return _render(combined, md=False)


def render_markdown(combined: Combined) -> str:
    """The national run as Markdown (input text escaped)."""
    return _render(combined, md=True)


def _render(combined: Combined, md: bool) -> str:
    """Text or Markdown: heading, per-area summary, findings, national verdict, population, tables."""
    esc: Callable[[str], str] = markdown if md else terminal
    out = [*_summary(combined, md, esc), *_checks(combined, md, esc), *_tables(combined, md, esc)]
    return "\n\n".join(out) + "\n"


def render_html(combined: Combined) -> str:
    """The national tables as an HTML page (the Markdown document)."""
    return from_markdown(f"MAPPA national tables, {combined.year}", render_markdown(combined))
