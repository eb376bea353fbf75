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

import re
import textwrap
from collections.abc import Sequence

from mappa_stats.findings import Finding, Severity
from mappa_stats.io.population import PopulationFile
from mappa_stats.model import AreaTables
from mappa_stats.render.pack import Pack, build_pack, cell_fix, clean
from mappa_stats.validate import FileReport
from mappa_stats.version import __version__

FORMATS = ("markdown", "html")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_WIDTH = 100


















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
    label = "Error" if f.severity == Severity.ERROR else "Warning"
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


