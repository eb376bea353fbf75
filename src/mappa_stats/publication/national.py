"""The national publication workbook (.xlsx, .ods) of a combine run: the cover, contents and notes, each
national table, the area table, the rate chart, and the returns received with what their checks found.

The figures come from render/national.py (shared with the text), the sheets are written by xlsx.py and
ods.py. Area names come from the Ministry's fixed list; file paths and notes come from the input and are
made safe for a spreadsheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mappa_stats.combine.result import AreaLine, Combined, published_rate
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.definitions.templates import Severity
from mappa_stats.publication.ods import write_ods_sheets
from mappa_stats.publication.sheets import (
    FAILING,
    LANGUAGE,
    Cover,
    NotValidated,
    OutputSheet,
    Validation,
    checks_sheet,
    cited,
    cover_sheet,
    filled,
    is_provisional,
    notes_sheet,
    public_lines,
    publication,
    shorthand_line,
    shown_name,
)
from mappa_stats.publication.xlsx import write_xlsx_sheets
from mappa_stats.render.national import STATUS_WORDS, area_table, national_label, plural, verdict
from mappa_stats.render.tables import safe_text
from mappa_stats.version import __version__

# The Notes worksheet's notes, by number (cited in the titles of the tables they apply to).
NUMBERING, RATE, POPULATION, CATEGORY_4 = 1, 2, 3, 4

# A finding's line in the returns worksheet is cut here: the whole of it is in `validate` of the return.
_FIRST_CHARS = 300


def _one_line(finding: Any) -> str:
    """A finding as validate's one line: 'totals.row at 'Statistics'!C5: reads 778; 787 would …'."""
    where = f" at {finding.ref}" if finding.cell else ""
    return f"{finding.rule}{where}: {finding.said}"


def findings_text(combined: Combined, line: AreaLine) -> str:
    """What was found in an area's return, in one cell: '1 error, 0 warnings; the first: …', or 'none'."""
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
    counts = f"{plural(line.errors, 'error')}, {plural(line.warnings, 'warning')}"
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
                figure(a.rate_published),
                check,
                findings_text(combined, a),
            )
        )
    return header, rows


def gate(combined: Combined, publish_failing: bool) -> Validation:
    """Refuse to publish while an area has errors or the set is not complete, unless --publish-failing
    (exit 1)."""
    problems = tuple(p.message for p in combined.problems)
    if combined.status == "pass":
        return Validation(True, f"Validated with mappa-stats {__version__}: {verdict(combined)}.")
    if not publish_failing:
        listed = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        raise NotValidated(
            f"not published: {verdict(combined)} ({listed}); correct the returns (mappa-stats combine "
            "without -f) or give --publish-failing to publish it marked as failing"
        )
    summary = (
        f"{FAILING}: published with --publish-failing although mappa-stats {__version__} found: "
        f"{'; '.join(problems)}."
    )
    return Validation(False, summary, problems)


def population_words(combined: Combined) -> str:
    """Which population the rates divide by, for a publication: the estimates' mid-year and the file's name
    (never its folder, which is the statistician's own)."""
    if combined.population is None or not combined.population_path:
        return "no population file was given, so there are no rates"
    name = shown_name(combined.population_path)
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
    mean = (
        f" The {national_label(combined)} rate is {published_rate(national):,}."
        if national is not None
        else ""
    )
    return (
        f"Horizontal bar chart of registered sexual offenders per 100,000 people aged 10 and over, "
        f"{combined.year}: one bar for each of the {plural(len(rated), 'area')} with a rate, in the order "
        f"of the table beside it. The highest is {high[0]} ({high[1]:,}), the lowest {low[0]} ({low[1]:,})."
        f"{mean} The table beside the chart holds every value it shows."
    )


def national_cover(cover: Cover | None) -> Cover:
    """The cover's release, next release, contact and source, each blank filled as a national release's (the
    source's default, which names the year, is build_sheets')."""
    return filled(
        cover,
        next_release="To be announced (the national tables are published once a year)",
        contact="The Ministry of Justice's MAPPA statistics team",
        source=None,
    )


def _table_sheets(combined: Combined, source: str) -> list[OutputSheet]:
    """Each national table's worksheet, numbered as the Ministry numbers it."""
    sheets = []
    nsd = _has_nsd(combined)
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
        sheets.append(
            OutputSheet(
                name=f"Table_{table.number}",
                title=cited(
                    f"Table {table.number}: {table.title}, {national_label(combined)}, {combined.year}",
                    [
                        NUMBERING,
                        *([CATEGORY_4] if nsd and any("Category 4" in str(h) for h in header) else []),
                    ],
                ),
                lines=(
                    "This worksheet contains one table.",
                    "Numbers of offenders, the sum of the areas' returns.",
                    shorthand_line(rows),
                    f"Source: {source}",
                ),
                header=header,
                rows=rows,
                counts=(False, *([True] * (len(header) - 1))),
            )
        )
    return sheets


def _area_sheet(combined: Combined, source: str) -> OutputSheet:
    """The area table's worksheet: one row per area, then England and Wales."""
    h, r = area_table(combined)
    return OutputSheet(
        name="Area_table",
        title=cited(
            f"Area table: MAPPA figures, population and rate by area, {combined.year}",
            [RATE, POPULATION, *([CATEGORY_4] if _has_nsd(combined) else [])],
        ),
        lines=(
            "This worksheet contains one table: one row per area, then England and Wales.",
            shorthand_line(r),
            f"Source: {source} Population: {population_words(combined)}.",
        ),
        header=tuple(h),
        rows=tuple(tuple(row) for row in r),
        counts=(False, *([True] * (len(h) - 1))),
    )


def _chart_sheet(combined: Combined, source: str) -> OutputSheet | None:
    """The rate of each area with one, as a table and a bar chart of it (None: no area has a rate)."""
    rated = [(a.area, a.rate_published) for a in combined.areas if a.rate_published is not None]
    if not rated:
        return None
    year = combined.year
    return OutputSheet(
        name="Chart_rate",
        title=cited(f"Chart 1: registered sexual offenders per 100,000 aged 10+ by area, {year}", [RATE]),
        lines=(
            "This worksheet contains one table and a bar chart of it.",
            "The table: the rate of each area with a rate, as in the area table; the chart shows the same "
            "numbers.",
            f"Source: {source}",
        ),
        header=("Area", "RSOs per 100,000 aged 10+"),
        rows=tuple(rated),
        counts=(False, True),
        bar_chart=f"RSOs per 100,000 aged 10+ by area, {year}",
        chart_description=chart_description(combined, rated),
    )


def _returns_sheet(combined: Combined, source: str) -> OutputSheet:
    """The returns received: each one's status, totals, population, rate, and what its checks found."""
    rh, rr = returns_table(combined)
    return OutputSheet(
        name="Returns",
        title=cited(
            f"Returns received and their checks, {combined.year}",
            [RATE, POPULATION, *([CATEGORY_4] if _has_nsd(combined) else [])],
        ),
        lines=(
            "This worksheet contains one table: each area's return, its status, its 31 March totals, "
            "population and rate, and what its checks found (the first finding; mappa-stats validate on "
            "the return lists every one).",
            shorthand_line(rr),
            f"Source: {source}",
        ),
        header=rh,
        rows=tuple(rr),
        counts=(False, False, False, True, True, True, True, True, True, False, False),
        texts=(False, False, True, False, False, False, False, False, False, True, True),
    )


def _has_nsd(combined: Combined) -> bool:
    return any(a.area_id == NSD_ID for a in combined.areas)


def _cover(combined: Combined, validation: Validation, given: Cover, source: str) -> OutputSheet:
    """The Cover worksheet, in words for the public: what the tables are, their status, when they were
    released, whom to contact, and where the methodology is (the audit trail is on Checks)."""
    year = combined.year
    template = combined.template
    provisional = (
        ("PROVISIONAL: these tables may be revised once the year's figures are final.",)
        if is_provisional(template)
        else ()
    )
    return cover_sheet(
        f"MAPPA statistics: {NATIONAL}, {year}",
        (
            "Multi-Agency Public Protection Arrangements (MAPPA): national tables, the sum of the areas' "
            "returns.",
            *provisional,
            f"Reporting period: {template.period_start} to {template.period_end}.",
            *public_lines(given, validation),
            f"Source: {safe_text(source)}",
            f"Population: {population_words(combined)}.",
        ),
        given,
    )


def _checks(combined: Combined, validation: Validation) -> OutputSheet:
    """The Checks worksheet: the verdict of the checks, the definition and the tool (each return's own
    checks are on Returns)."""
    rows = [("Result", validation.summary)]
    if validation.errors:
        rows.append(("Problems", "; ".join(validation.errors)))
    rows += [
        ("Returns", "Each return's checks are on the Returns worksheet."),
        ("Template", f"{combined.year} (status: {combined.template.status})"),
        ("Produced with", f"mappa-stats {__version__}"),
    ]
    return checks_sheet(rows)


def _notes(combined: Combined) -> OutputSheet:
    """The Notes worksheet: the numbering, the rate, the population, Category 4, and the abbreviations."""
    template = combined.template
    notes = [
        (
            f"Note {NUMBERING}",
            "Tables are numbered as the Ministry of Justice numbers its national tables; a table "
            "lettered A1, A2 … has no Ministry number.",
        ),
        (
            f"Note {RATE}",
            "The rate: registered sexual offenders per 100,000 people aged 10 and over: Category 1 on "
            f"{template.period_end} divided by the ONS mid-{template.population_mid_year} population aged 10 "
            "and over; for England and Wales, divided by the sum of the areas' populations. Rounded half up "
            "to a whole number.",
        ),
        (
            f"Note {POPULATION}",
            "Each area's population aged 10 and over is shown rounded to the nearest 100.",
        ),
    ]
    nsd = _has_nsd(combined)
    if nsd:
        notes.append(
            (
                f"Note {CATEGORY_4}",
                "Category 4: terrorist and terrorism-risk offenders, reported by the National Security "
                "Division (NSD) in a return of its own (Category 4 only). The NSD is not an area, so it has "
                "no population or rate ([z]); its figures are in the England and Wales totals.",
            )
        )
    abbreviations = {str(k): str(v) for k, v in dict(template.publication.get("abbreviations", {})).items()}
    if nsd:
        abbreviations["NSD"] = "National Security Division"
    return notes_sheet(notes, abbreviations)


def build_sheets(
    combined: Combined, validation: Validation, cover_text: Cover | None = None
) -> list[OutputSheet]:
    """Cover, contents, notes, the returns received, each national table, and the area table."""
    given = national_cover(cover_text)
    year = combined.year
    # Public words: the tool that combined them is named on Checks ('Produced with'), not on the cover.
    source = given.source or f"The MAPPA area returns for {year}, added up to England and Wales."
    chart = _chart_sheet(combined, source)
    tables = [
        *_table_sheets(combined, source),
        _area_sheet(combined, source),
        *([chart] if chart is not None else []),
        _returns_sheet(combined, source),
    ]
    return publication(
        _cover(combined, validation, given, source), tables, _notes(combined), _checks(combined, validation)
    )


def write_workbook(
    combined: Combined, path: Path, fmt: str, validation: Validation, cover: Cover | None = None
) -> None:
    """The national publication workbook (.xlsx or .ods); `cover` gives the release date, next release,
    contact and source, each with a default."""
    props = {
        "title": f"MAPPA statistics: {NATIONAL}, {combined.year}",
        "language": LANGUAGE,
        "author": str(national_cover(cover).contact),
        "subject": "Multi-Agency Public Protection Arrangements national statistics",
        "area": NATIONAL,
        "year": combined.year,
    }
    (write_xlsx_sheets if fmt == "xlsx" else write_ods_sheets)(
        build_sheets(combined, validation, cover), props, path
    )
