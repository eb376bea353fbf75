"""An area's publication workbook (.xlsx, .ods) that meets the GSS guidance "Releasing statistics in
spreadsheets".

A cover sheet (title, period, release date, next release, contact, source, validation), a contents
sheet with links, a notes sheet (notes, abbreviations spelled out, shorthand), then one table per
sheet: title, description with the unit, shorthand and source in the first rows, the table straight
below with one header row, no merged cells, no blank rows or columns inside it, numbers stored as
numbers with thousands separators, GSS shorthand ([z] not applicable, [x] not available) in place of
blanks and dashes, Arial throughout, heading styles, no filter buttons, and no empty-string cells.
Every wording about the year comes from its template definition (`publication` keys), not from code.

Only a return that passes validation is published, unless --publish-failing (`gate`); then the cover says
"published although it fails validation". The workbook carries its area and year in its document
properties, so `tables` reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mappa_stats.definitions.templates import Severity, TableDef
from mappa_stats.io.stated import name_the_area
from mappa_stats.model import BLANK, DASH, NOT_COLLECTED, AreaTables
from mappa_stats.publication.ods import write_ods_sheets
from mappa_stats.publication.sheets import (
    CONTROL,
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
    template_status,
)
from mappa_stats.publication.xlsx import write_xlsx_sheets
from mappa_stats.render.tables import safe_text
from mappa_stats.validate import Status, validate_area
from mappa_stats.version import __version__


def gate(tables: AreaTables, publish_failing: bool, source: Path | str) -> Validation:
    """Validate before publishing: refuse a return with errors unless --publish-failing (exit 1, naming
    them)."""
    if not tables.meta.area and not publish_failing:
        # A publication names its area on every sheet: without one it is refused as one that fails.
        raise NotValidated(
            f"{source}: not published: the workbook does not name its MAPPA area; "
            f"{name_the_area(tables.meta.area_cell)} "
            "(or give --publish-failing to publish it as 'Area not stated')"
        )
    report = validate_area(tables)
    errors = tuple(f"{f.rule} at {f.ref}" for f in report.findings if f.severity == Severity.ERROR)
    skipped = tuple(
        f"{r.id} ({r.note})" if r.note else r.id for r in report.rules if r.status == Status.SKIPPED
    )
    run = sum(1 for r in report.rules if r.status != Status.SKIPPED)
    if errors and not publish_failing:
        listed = "; ".join(errors[:5]) + ("; …" if len(errors) > 5 else "")
        raise NotValidated(
            f"{source}: not published: {len(errors)} error{'s' * (len(errors) != 1)} ({listed}); "
            f"correct {'them' if len(errors) != 1 else 'it'} (mappa-stats validate {source}) or give "
            "--publish-failing to publish it marked as failing"
        )
    if errors:
        summary = (
            f"{FAILING}: published with --publish-failing although mappa-stats {__version__} found "
            f"{len(errors)} error{'s' * (len(errors) != 1)}: {'; '.join(errors)}."
        )
        return Validation(False, summary, errors, skipped)
    summary = f"Validated with mappa-stats {__version__}: {run} rules run, no errors."
    if skipped:
        summary += f" Not checked: {', '.join(skipped)}."
    return Validation(True, summary, (), skipped)


def published_cell(tables: AreaTables, table: TableDef, row_id: str, column_id: str) -> Any:
    """A number, or the GSS shorthand that replaces a blank, a dash or a marker."""
    cell = tables.cell(table.id, row_id, column_id)
    if cell is None:
        return "[x]"
    if cell.count is not None:
        return int(cell.count) if cell.count.is_integer() else cell.count
    if not table.is_applicable(row_id, column_id) and cell.marker in (BLANK, DASH, "[z]"):
        return "[z]"
    if cell.marker in ("[c]", "[low]", "[z]"):
        return cell.marker
    if cell.marker in (NOT_COLLECTED, "[x]", BLANK, DASH):
        return "[x]"
    if cell.issue == "percentage" and cell.value is not None:
        return cell.value
    return safe_text(cell.raw) or "[x]"


def unit_header(table: TableDef) -> str:
    """The value column's header with its unit, for one-column tables."""
    pub = table.publication
    if "value_header" in pub:
        return str(pub["value_header"])
    unit = pub.get("unit")
    if table.value_type == "rate" and unit:
        return f"Rate {unit}"
    if table.value_type == "percentage":
        return "Percentage (%)"
    return f"Number of {unit}" if unit else "Number"


def _description(table: TableDef) -> str:
    pub = table.publication
    if "description" in pub:
        return str(pub["description"])
    return {"rate": "A rate.", "percentage": "A percentage."}.get(table.value_type, "Numbers.")


def cover_defaults(tables: AreaTables, cover: Cover) -> Cover:
    """An area publication's cover with every blank filled by a sensible default."""
    area = tables.meta.area or "the area"
    source = tables.template.publication.get("source", "{area} MAPPA annual report {year}")
    return filled(
        cover,
        next_release="To be announced (the report is published once a year)",
        contact=f"The MAPPA co-ordinator, {area}",
        source=str(source).format(area=area, year=tables.meta.template),
    )


def _year_notes(tables: AreaTables) -> list[tuple[str, tuple[str, ...]]]:
    """The year's notes, each with the tables it applies to (none named: every table)."""
    notes: list[tuple[str, tuple[str, ...]]] = []
    for note in tables.template.publication.get("notes", ()):
        if isinstance(note, dict):
            notes.append((str(note.get("text", "")), tuple(str(t) for t in note.get("tables", ()))))
        else:
            notes.append((str(note), ()))
    return notes


def _citations(tables: AreaTables, table: TableDef) -> list[int]:
    """The numbers of the notes that apply to this table (the rate's note is cited on a rate)."""
    notes = _year_notes(tables)
    numbers = [n for n, (_, ids) in enumerate(notes, start=1) if not ids or table.id in ids]
    if table.value_type == "rate":
        numbers.append(len(notes) + 1)
    return numbers


def _table_sheet(tables: AreaTables, table: TableDef, number: int, source: str) -> OutputSheet:
    """Table `number`'s worksheet: the template's table with the area's figures, shorthand for the rest."""
    area = safe_text(tables.meta.area or "Area not stated")
    row_header = str(table.publication.get("row_header", "Measure"))
    if table.kind == "grid":
        header = (row_header, *(c.label for c in table.columns))
        rows = tuple(
            (
                tables.row_label(table, row),
                *(published_cell(tables, table, row.id, c.id) for c in table.columns),
            )
            for row in table.rows
        )
    else:
        header = (row_header, unit_header(table))
        rows = tuple(
            (tables.row_label(table, row), published_cell(tables, table, row.id, table.columns[0].id))
            for row in table.rows
        )
    is_count = table.value_type == "count"
    return OutputSheet(
        name=f"Table_{number}",
        title=cited(
            f"Table {number}: {table.display_title}, {area}, {tables.meta.template}",
            _citations(tables, table),
        ),
        lines=(
            "This worksheet contains one table.",
            _description(table),
            shorthand_line(rows),
            f"Source: {source}.",
        ),
        header=header,
        rows=rows,
        counts=(
            False,
            *(is_count and all(table.cell_value_type(r.id) == "count" for r in table.rows),)
            * (len(header) - 1),
        ),
    )


def _cover(tables: AreaTables, cover: Cover, validation: Validation | None) -> OutputSheet:
    """The Cover worksheet, in words for the public: what the tables are, their status, when they were
    released, whom to contact, and where the methodology is (the audit trail is on Checks)."""
    template = tables.template
    area = safe_text(tables.meta.area or "Area not stated")
    year = tables.meta.template
    title = str(template.publication.get("title", "MAPPA statistics"))
    provisional = (
        ("PROVISIONAL: these tables may be revised once the year's figures are final.",)
        if is_provisional(template)
        else ()
    )
    return cover_sheet(
        f"{title}: {area}, {year}",
        (
            "Multi-Agency Public Protection Arrangements (MAPPA): the standard statistical tables of the "
            "area's annual report.",
            *provisional,
            f"Reporting period: {template.period_start} to {template.period_end} "
            f"(the first table is a snapshot on {template.period_end}).",
            *public_lines(cover, validation),
            f"Source: {safe_text(cover.source or '')}.",
        ),
        cover,
    )


def _checks(tables: AreaTables, validation: Validation | None) -> OutputSheet:
    """The Checks worksheet: the checks run and not run, the source file and its digest, the definition
    and the tool (the cover's audit trail, in the tool's own words)."""
    template = tables.template
    rows = [("Result", validation.summary if validation is not None else "Not validated before writing.")]
    if validation is not None and validation.errors:
        rows.append(("Errors", "; ".join(validation.errors)))
    if validation is not None and validation.not_checked:
        rows.append(("Not checked", "; ".join(validation.not_checked)))
    rows += [
        ("Source file", safe_text(shown_name(tables.meta.path))),
        ("Source file SHA-256", tables.meta.sha256),
        ("Template", f"{tables.meta.template} (status: {template_status(template)})"),
        ("Produced with", f"mappa-stats {__version__}"),
    ]
    return checks_sheet(rows)


def _notes(tables: AreaTables) -> OutputSheet:
    """The Notes worksheet: the template's notes, how the rate is worked out, its abbreviations."""
    template = tables.template
    pub = template.publication
    notes = [(f"Note {number}", text) for number, (text, _) in enumerate(_year_notes(tables), start=1)]
    rate_note = pub.get("rate_note") or (
        f"Registered sexual offenders per 100,000 people aged 10 and over: the Category 1 total on "
        f"{template.period_end} divided by the ONS mid-{template.population_mid_year} population estimate "
        "aged 10 and over, rounded to a whole number."
    )
    notes.append((f"Note {len(notes) + 1}", f"The rate: {rate_note}"))
    abbreviations = {
        str(short): str(meaning) for short, meaning in dict(pub.get("abbreviations", {})).items()
    }
    return notes_sheet(notes, abbreviations)


def build_sheets(
    tables: AreaTables, cover: Cover | None = None, validation: Validation | None = None
) -> list[OutputSheet]:
    """The publication's sheets, in order."""
    cover = cover_defaults(tables, cover or Cover())
    present = [t for t in tables.template.tables if tables.has_table(t.id)]
    source = safe_text(cover.source or "")
    table_sheets = [_table_sheet(tables, table, n, source) for n, table in enumerate(present, start=1)]
    return publication(
        _cover(tables, cover, validation), table_sheets, _notes(tables), _checks(tables, validation)
    )


def _properties(tables: AreaTables, cover: Cover) -> dict[str, str]:
    """Document properties: title, language, author, and where to read the tables back from."""
    area = tables.meta.area or "Area not stated"
    title = str(tables.template.publication.get("title", "MAPPA statistics"))
    properties = {
        "title": f"{title}: {area}, {tables.meta.template}",
        "language": LANGUAGE,
        "author": str(cover.contact),
        "subject": "Multi-Agency Public Protection Arrangements annual report statistics",
        "area": tables.meta.area or "",
        "year": tables.meta.template,
    }
    return {key: CONTROL.sub(" ", value) for key, value in properties.items()}


def write_xlsx(
    tables: AreaTables, path: Path, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """An accessible .xlsx: GSS checklist, each table an Excel table object without filter buttons."""
    cover = cover_defaults(tables, cover or Cover())
    write_xlsx_sheets(build_sheets(tables, cover, validation), _properties(tables, cover), path)


def write_ods(
    tables: AreaTables, path: Path, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """The same publication as an OpenDocument spreadsheet: styles, widths, links and properties."""
    cover = cover_defaults(tables, cover or Cover())
    write_ods_sheets(build_sheets(tables, cover, validation), _properties(tables, cover), path)


def write_publication(
    tables: AreaTables, path: Path, fmt: str, cover: Cover | None = None, validation: Validation | None = None
) -> None:
    """Write the publication workbook in this format ('xlsx' or 'ods')."""
    (write_xlsx if fmt == "xlsx" else write_ods)(tables, path, cover, validation)
