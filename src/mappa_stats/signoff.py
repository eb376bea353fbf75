"""The sign-off pack: one Markdown document a MAPPA manager takes to the Strategic Management Board.

It holds what the Board needs to see before it signs the statistics off: which file was checked (with
its SHA-256), the verdict, every finding with its suggested correction, the rate and how it was
reproduced, the tables as they will be published, every check that was run, and lines to sign.
"""

from __future__ import annotations

from pathlib import Path

from mappa_stats import __version__
from mappa_stats.errors import InputError
from mappa_stats.model import AreaTables
from mappa_stats.population import PopulationFile, Rate
from mappa_stats.render import markdown_sections
from mappa_stats.report import findings_markdown, rules_markdown, summary_line, verdict_line
from mappa_stats.validate import FileReport


def area_rate(area: AreaTables, population: PopulationFile | None) -> Rate | str:
    """The area's rate reproduced from the population file, or why it could not be."""
    if population is None:
        return "not reproduced: no population file was given (--population)"
    from mappa_stats.rates import workbook_rate

    try:
        return workbook_rate(area, population)
    except InputError as exc:
        return f"not reproduced: {exc}"


def _rate_section(rate: Rate | str, population: PopulationFile | None) -> str:
    if isinstance(rate, str):
        return f"## The rate of registered sexual offenders\n\nThe rate was {rate}."
    source = (
        f"{population.path} ({population.layout}, {population.vintage or 'vintage not stated'})"
        if population
        else ""
    )
    lines = [
        "## The rate of registered sexual offenders",
        f"{rate.rsos:,} registered sexual offenders on 31 March ÷ {rate.population:,} people {rate.base} "
        f"× 100,000 = **{rate.two_dp}**, which rounds to **{rate.rounded}** per 100,000"
        + (
            f" (one for every {rate.one_in:,} people{' aged 10 and over' * (rate.base == 'aged 10+')})."
            if rate.one_in
            else "."
        ),
        f"Population: {source}.",
        f"Stated in the return: {rate.stated if rate.stated is not None else 'nothing'} — {rate.verdict()}.",
    ]
    return "\n\n".join(lines)


def render_pack(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The whole pack as Markdown."""
    title = f"# MAPPA statistics {area.meta.template}: {area.meta.area or 'area not stated'} — sign-off pack"
    status = report.status(strict)
    verdict = {
        "pass": "The tables are internally consistent: no errors were found.",
        "fail": "The tables are **not** ready to sign off: the errors below must be corrected first.",
        "error": "The file could not be checked.",
    }[status]
    parts = [
        title,
        f"Checked file: `{Path(area.meta.path).name}` (SHA-256 `{area.meta.sha256}`), "
        f"template {area.meta.template}, with mappa-stats {__version__}.",
        "## Verdict",
        f"**{verdict_line(report, strict)}**",
        verdict,
        summary_line(report),
    ]
    findings = findings_markdown(report)
    if findings:
        parts.extend(["## Findings to resolve", findings])
    parts.append(_rate_section(area_rate(area, population), population))
    parts.append("## The tables as they will be published")
    parts.extend(markdown_sections(area, level=3))
    parts.extend(["## Checks run", rules_markdown(report)])
    parts.extend(
        [
            "## Sign-off",
            "I have checked these statistics and the findings above, and they are ready for publication.",
            "MAPPA manager: ______________________ Date: ____________",
            "For the Strategic Management Board: ______________________ Date: ____________",
        ]
    )
    return "\n\n".join(parts) + "\n"
