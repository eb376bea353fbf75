"""The sign-off pack a MAPPA manager takes to the Strategic Management Board, as Markdown or HTML.

It holds what the Board needs to see before it signs the statistics off: the verdict (and, when the
return fails, a "not ready" panel listing the errors instead of lines to sign), the tables as they
will be published with each wrong cell marked and its suggested correction, every check in plain
words with its result, the rate reproduced with its population, vintage and rounding, and an audit
trail (file and SHA-256, mappa-stats version, template year with its status and sources, population
file and vintage, date and time). Both formats draw from one Pack, so they say the same things.
Every text that came from an input is escaped for the format it is written in.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mappa_stats import __version__
from mappa_stats.errors import InputError
from mappa_stats.findings import ERROR, Finding
from mappa_stats.model import AreaTables
from mappa_stats.io.population import PopulationFile, Rate
from mappa_stats.render.tables import shown as shown_cell
from mappa_stats.definitions.templates import TableDef
from mappa_stats.validate import FAILED, NOT_APPLICABLE, SKIPPED, FileReport

FORMATS = ("markdown", "html")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_WIDTH = 100


def area_rate(area: AreaTables, population: PopulationFile | None) -> Rate | str:
    """The area's rate reproduced from the population file, or why it could not be."""
    if population is None:
        return "not reproduced: no population file was given (--population)"
    from mappa_stats.rates import workbook_rate

    try:
        return workbook_rate(area, population)
    except InputError as exc:
        return f"not reproduced: {exc}"


def clean(text: object) -> str:
    """Text from an input on one line: control and escape characters (ESC, BEL, newlines) become spaces."""
    from mappa_stats.output import shown

    return _CONTROL.sub(" ", shown(str(text)) if isinstance(text, str) else str(text))


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
        return tuple(
            f for f in self.report.findings if f.severity == ERROR or (self.strict and f.severity != ERROR)
        )

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings a person should confirm, which do not stop sign-off."""
        return tuple(f for f in self.report.findings if f not in self.errors)

    def checks(self) -> list[Check]:
        """Every rule in plain words with its result."""
        from mappa_stats.rules import checks
        described = {r.id: r.description for r in checks.RULES.values()}
        # Rules a year's definition adds (relations, claims) carry their own wording, where supported.
        rules_for = getattr(checks, "rules_for", None)
        if rules_for is not None:
            described.update({r.id: r.description for r in rules_for(self.area.template)})
        out = []
        for result in self.report.rules:
            description = described.get(result.id, result.id)
            if result.status == SKIPPED:
                out.append(Check(result.id, description, result.severity, "not checked", result.note))
            elif result.status == NOT_APPLICABLE:
                out.append(Check(result.id, description, result.severity, "not applicable", result.note))
            elif result.status == FAILED:
                n = result.findings
                out.append(
                    Check(result.id, description, result.severity, "failed", f"{n} finding{'s' * (n != 1)}")
                )
            else:
                out.append(Check(result.id, description, result.severity, "passed", ""))
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
                    cell = self.area.cell(table.id, row.id, column.id)
                    text = "" if cell is None else shown_cell(cell.value, cell.marker, cell.raw, cell.issue)
                    if cell is not None and cell.count is not None and not cell.issue:
                        text = f"{int(cell.count):,}" if cell.count.is_integer() else f"{cell.count:g}"
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
        from mappa_stats.publication.publish import template_sources, template_status

        template = self.area.template
        sources = "; ".join(template_sources(template)) or "not stated"
        population = "none given (the rate was not reproduced)"
        if self.population is not None:
            vintage = self.population.vintage or "vintage not stated"
            population = f"{Path(clean(self.population.path)).name} ({self.population.layout}, {vintage})"
        return [
            ("Checked file", Path(clean(self.area.meta.path)).name),
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

        if self.population is None:
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
        if self.population is not None:
            vintage = self.population.vintage or "vintage not stated"
            lines.append(
                f"Population: ONS estimate {vintage}, from {Path(clean(self.population.path)).name} "
                f"({self.population.layout})."
            )
        stated = rate.stated if rate.stated is not None else "nothing"
        lines.append(f"Stated in the return: {stated} — {rate.verdict()}.")
        return lines


def _value_header(table: TableDef) -> str:
    from mappa_stats.publication.publish import unit_header

    return unit_header(table)


def build_pack(
    area: AreaTables,
    report: FileReport,
    population: PopulationFile | None,
    strict: bool = False,
    generated: dt.datetime | None = None,
) -> Pack:
    """Gather what the pack says."""
    when = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Pack(area, report, population, strict, area_rate(area, population), when)


# Markdown -------------------------------------------------------------------------------------------

# Inline Markdown only: input text is always on one line after our own words, never at a line start.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~])")


def md(text: object) -> str:
    """Text from an input made inert in Markdown: one line, no HTML, no emphasis, headings or cells."""
    one_line = clean(text)
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def _para(text: str) -> str:
    """A paragraph wrapped to a readable width (no 400-character lines)."""
    return textwrap.fill(text, width=_WIDTH, break_long_words=False, break_on_hyphens=False)


def _md_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|",
    ]
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return "\n".join(lines)


def _bullet(text: str) -> str:
    """A list item wrapped to a readable width, continuation lines indented."""
    return textwrap.fill(
        text, width=_WIDTH, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


def _md_finding(f: Finding) -> str:
    label = "Error" if f.severity == ERROR else "Warning"
    text = f"- **{label}** at {md(f.ref)}: {md(f.said.rstrip('.'))}."
    if f.suggestion:
        text += f" Suggested correction: {md(f.suggestion)}."
    return textwrap.fill(
        text, width=_WIDTH, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


def render_markdown(pack: Pack) -> str:
    """The pack as Markdown (wrapped lines, escaped input, signature only when it passes)."""
    parts = [f"# {md(pack.title)}", _para(f"Produced by mappa-stats {__version__} on {pack.audit()[-1][1]}.")]
    parts.append("## Verdict")
    if pack.ready:
        parts.append(
            _para("**Ready to sign off.** The tables are internally consistent: every check that ran passed.")
        )
    else:
        n = len(pack.errors)
        parts.append(
            _para(
                f"**Not ready: {n} error{'s' * (n != 1)} to correct.** "
                f"Correct {'them' if n != 1 else 'it'} in the workbook, "
                "run the checks again, and bring the new pack to the Board."
            )
        )
        parts.extend(_md_finding(f) for f in pack.errors)
    if pack.warnings:
        parts.append("### To confirm (warnings)")
        parts.extend(_md_finding(f) for f in pack.warnings)
    parts.append("## The tables as they will be published")
    parts.append(
        _para(
            "A cell marked **[wrong]** holds a value the checks found wrong, and one marked **[check]** a "
            "value to confirm; the suggested correction follows it."
        )
    )
    for grid in pack.grids():
        parts.append(f"### {md(grid.table.display_title)}")
        rows = []
        for label, cells in grid.rows:
            shown = []
            for cell in cells:
                text = md(cell.text)
                if cell.flagged is not None:
                    fix = cell_fix(cell.flagged)
                    word = "wrong" if cell.flagged in pack.errors else "check"
                    text = f"**[{word}] {text}**" + (f" (should be {md(fix)})" if fix is not None else "")
                shown.append(text)
            rows.append((md(label), *shown))
        parts.append(_md_table(tuple(md(h) for h in grid.header), rows))
    parts.append("## The rate of registered sexual offenders")
    parts.extend(_para(md(line)) for line in pack.rate_lines())
    parts.append("## Every check and its result")
    checks = [
        (md(c.description), c.result + (f": {md(c.detail)}" if c.detail else "")) for c in pack.checks()
    ]
    parts.append(_md_table(("Check", "Result"), checks))
    parts.append("## Audit trail")
    parts.append("\n".join(_bullet(f"- {name}: {md(value)}") for name, value in pack.audit()))
    if pack.ready:
        parts.append("## Sign-off")
        parts.append(
            _para(
                "I have checked these statistics and the findings above, and they are ready for publication."
            )
        )
        parts.append("MAPPA manager: ______________________ Date: ____________")
        parts.append("For the Strategic Management Board: ______________________ Date: ____________")
    else:
        parts.append("## Not ready to sign off")
        parts.append(_para("This pack has no lines to sign: the errors above must be corrected first."))
    return "\n\n".join(parts) + "\n"


def render_pack(
    area: AreaTables,
    report: FileReport,
    population: PopulationFile | None,
    strict: bool = False,
    fmt: str = "markdown",
) -> str:
    """The whole pack, as Markdown or HTML."""
    pack = build_pack(area, report, population, strict)
    if fmt == "html":
        from mappa_stats.render.html_pack import render_html

        return render_html(pack)
    return render_markdown(pack)


def cell_fix(finding: Finding) -> object:
    """The value a flagged cell should hold, when the finding knows one: a located fix's number, not a
    relation's bound ('== 3' is the sum its cells need, not this cell's value)."""
    expected = finding.expected
    return expected if isinstance(expected, (int, float)) and not isinstance(expected, bool) else None
