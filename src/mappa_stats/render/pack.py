"""The sign-off pack as data: the checks, the tables as grids, the rate and the findings, built once and
rendered as Markdown (signoff.py) or HTML (html_pack.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from mappa_stats.definitions.templates import Severity, TableDef
from mappa_stats.errors import InputError
from mappa_stats.findings import Finding
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population_rate import Rate
from mappa_stats.model import AreaTables
from mappa_stats.publication.area import published_cell
from mappa_stats.validate import BOUND_ONLY, NOT_CROSS_CHECKED, FileReport, Status, source_kind
from mappa_stats.version import __version__

# Every C0 control (tab and line breaks included: a line break would end a Markdown table row), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def area_rate(area: AreaTables, population: PopulationFile | None) -> Rate | str:
    """The area's rate reproduced from the year's population (build_pack resolves it), or why it could not
    be."""
    from mappa_stats.io.population.embedded import not_shipped
    from mappa_stats.rules.rate import workbook_rate

    if population is None:
        return f"not reproduced: {not_shipped(area.template.population_mid_year)}"
    try:
        return workbook_rate(area, population)
    except InputError as exc:
        return f"not reproduced: {exc}"


def clean(text: object) -> str:
    """Text from an input on one line: control and escape characters (ESC, BEL, newlines) become spaces."""
    from mappa_stats.safetext import shown

    return _CONTROL.sub(" ", shown(str(text)) if isinstance(text, str) else str(text))


def public_source(text: str) -> str:
    """A definition's source as a Board reads it: without the repository paths it names ('see
    shared/research/moj-return.md', '(… shared/seeds)')."""
    text = re.sub(r";?\s*see [\w.-]+(?:/[\w.-]+)+", "", text)
    return re.sub(r"\s*\([^()]*\b[\w.-]+/[\w.-]+[^()]*\)", "", text).strip()


@dataclass(frozen=True)
class Check:
    """One rule in plain words, with its result."""

    id: str
    description: str
    severity: str
    result: str  # "passed", "failed", "not checked", "not applicable"
    detail: str


@dataclass(frozen=True)
class GridCell:
    """A published cell, with the finding that marks it wrong (if any)."""

    text: str
    flagged: Finding | None = None
    applicable: bool = True


@dataclass(frozen=True)
class Grid:
    """One table as it will be published."""

    table: TableDef
    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[GridCell, ...]], ...]


@dataclass(frozen=True)
class Pack:
    """Everything the pack says, independent of its format."""

    area: AreaTables
    report: FileReport
    population: PopulationFile | None
    strict: bool
    rate: Rate | str
    generated: dt.datetime

    @property
    def annotated(self) -> tuple[str, str] | None:
        """The annotated copy written beside the pack (signoff --annotate): its name and a relative link."""
        return self.report.annotated

    @property
    def ready(self) -> bool:
        """True only when the return passes: then, and only then, the pack has lines to sign."""
        return self.report.status(self.strict) == "pass"

    @property
    def area_name(self) -> str:
        """The area as the pack names it."""
        return clean(self.area.meta.area or "area not stated")

    @property
    def title(self) -> str:
        """The pack's title."""
        return f"MAPPA statistics {self.area.meta.template}: {self.area_name} — sign-off pack"

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error findings (with --strict, warnings too): what must be corrected before signing."""
        return tuple(f for f in self.report.findings if f.severity == Severity.ERROR or self.strict)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings a person should confirm, which do not stop sign-off."""
        return tuple(f for f in self.report.findings if f not in self.errors)

    def checks(self) -> list[Check]:
        """Every rule in plain words with its result."""
        from mappa_stats.rules import registry

        described = {r.id: r.description for r in registry.RULES.values()}
        # Rules a year's definition adds (relations, claims) carry their own wording, where supported.
        rules_for = getattr(registry, "rules_for", None)
        if rules_for is not None:
            described.update({r.id: r.description for r in rules_for(self.area.template)})
        out = []
        for result in self.report.rules:
            description = described.get(result.id, result.id)
            if result.status == Status.SKIPPED:
                out.append(Check(result.id, description, result.severity, "not checked", result.note))
            elif result.status == Status.NOT_APPLICABLE:
                out.append(Check(result.id, description, result.severity, "not applicable", result.note))
            elif result.status == Status.FAILED:
                n = result.findings
                out.append(
                    Check(result.id, description, result.severity, "failed", f"{n} finding{'s' * (n != 1)}")
                )
            else:
                out.append(Check(result.id, description, result.severity, "passed", ""))
        # A return's fields that nothing cross-checks: said in the pack as in the report, so that a PASS is
        # not read as more than it is.
        for note in self.report.notes:
            if note.startswith(f"{NOT_CROSS_CHECKED}: "):
                what = "Every field of the return is reached by a total or relation of the year"
                out.append(Check("fields", what, Severity.WARNING, "not checked", note.split(": ", 1)[1]))
            elif note.startswith(f"{BOUND_ONLY}: "):
                what = "Every field of the return is reached by a total or an equality, not only by a bound"
                out.append(Check("fields", what, Severity.WARNING, "only a bound", note.split(": ", 1)[1]))
        return out

    def grids(self) -> list[Grid]:
        """The tables as they will be published, each wrong cell carrying its finding."""
        flagged: dict[tuple[str, str, str], Finding] = {}
        for f in self.report.findings:
            if f.table and f.row and f.column:
                flagged.setdefault((f.table, f.row, f.column), f)
        out = []
        for table in self.area.template.tables:
            if not self.area.has_table(table.id):
                continue
            if table.kind == "grid":
                header = (str(table.publication.get("row_header", "")), *(c.label for c in table.columns))
                columns = table.columns
            else:
                header = (str(table.publication.get("row_header", "Measure")), _value_header(table))
                columns = table.columns[:1]
            rows = []
            for row in table.rows:
                cells = []
                for column in columns:
                    # As the workbook publishes it: a number, or the shorthand ([z], [x], [c]) for the rest.
                    value = published_cell(self.area, table, row.id, column.id)
                    text = (
                        f"{value:,}"
                        if isinstance(value, int)
                        else f"{value:g}"
                        if isinstance(value, float)
                        else str(value)
                    )
                    cells.append(
                        GridCell(
                            clean(text),
                            flagged.get((table.id, row.id, column.id)),
                            table.is_applicable(row.id, column.id),
                        )
                    )
                rows.append((self.area.row_label(table, row), tuple(cells)))
            out.append(Grid(table, header, tuple(rows)))
        return out

    def audit(self) -> list[tuple[str, str]]:
        """The audit trail: what was checked, with what, when."""
        from mappa_stats.publication.sheets import template_sources, template_status

        template = self.area.template
        sources = "; ".join(public_source(s) for s in template_sources(template)) or "not stated"
        population = "none given (the rate was not reproduced)"
        if self.population is not None and self.population.embedded:
            population = f"{self.population.source}, shipped with mappa-stats"
        elif self.population is not None:
            vintage = self.population.vintage or "vintage not stated"
            population = f"{Path(clean(self.population.path)).name} ({self.population.layout}, {vintage})"
        return [
            ("Checked file", Path(clean(self.area.meta.path)).name),
            *((("Annotated copy", clean(self.annotated[0])),) if self.annotated else ()),
            # How the file was read (its area from its name, a PDF's invisible text read as OCR).
            *(("How it was read", note) for note in self.area.meta.notes),
            ("SHA-256 of the file", self.area.meta.sha256),
            ("mappa-stats version", __version__),
            ("Template year", f"{template.year} (status: {template_status(template)})"),
            ("Template sources", sources),
            ("Population file", population),
            *((("SHA-256 of the population file", digest),) if (digest := self._population_sha256()) else ()),
            ("Checked on", self.generated.strftime("%d %B %Y at %H:%M UTC").lstrip("0")),
        ]

    def _population_sha256(self) -> str | None:
        """The population file's SHA-256, so the Board paper names exactly which file was used."""
        import hashlib

        if self.population is None or self.population.embedded:
            return None
        path = Path(self.population.path)
        try:
            if not path.is_file() or path.stat().st_size > 500_000_000:
                return None
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
        except OSError:
            return None

    def rate_lines(self) -> list[str]:
        """The rate reproduced, in sentences: the sum, the rounding, the population and its vintage."""
        rate = self.rate
        if isinstance(rate, str):
            return [f"The rate was {clean(rate)}."]
        aged = " aged 10 and over" if rate.base == "aged 10+" else ""
        lines = [
            f"{rate.rsos:,} registered sexual offenders (Category 1 on {self.area.template.period_end}) "
            f"÷ {rate.population:,} people{aged} × 100,000 = {rate.two_dp}, which rounds (half up) to "
            f"{rate.rounded} per 100,000"
            + (f": one for every {rate.one_in:,} people{aged}." if rate.one_in else "."),
        ]
        if self.population is not None and self.population.embedded:
            lines.append(f"Population: {self.population.source} (shipped with mappa-stats).")
        elif self.population is not None:
            vintage = self.population.vintage or "vintage not stated"
            lines.append(
                f"Population: ONS estimate {vintage}, from {Path(clean(self.population.path)).name} "
                f"({self.population.layout})."
            )
        stated = rate.stated if rate.stated is not None else "nothing"
        lines.append(f"Stated in {source_kind(self.area)}: {stated} — {rate.verdict()}.")
        return lines


def _value_header(table: TableDef) -> str:
    from mappa_stats.publication.area import unit_header

    return unit_header(table)


def build_pack(
    area: AreaTables,
    report: FileReport,
    population: PopulationFile | None,
    strict: bool = False,
    generated: dt.datetime | None = None,
) -> Pack:
    """Gather what the pack says; without --population, the rate divides by the shipped ONS estimates of the
    year's mid-year."""
    from mappa_stats.io.population.embedded import year_population

    when = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    population = year_population(population, area.template)
    return Pack(area, report, population, strict, area_rate(area, population), when)


def cell_fix(finding: Finding) -> str | None:
    """The value a flagged cell should hold, when the finding knows one: a located fix's number, not a
    relation's bound ('== 3' is the sum its cells need, not this cell's value)."""
    expected = finding.expected
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        return None
    return f"{expected:,}"  # as the tables print counts: 1,548
