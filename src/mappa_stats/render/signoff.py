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

from mappa_stats.io.population import PopulationFile
from mappa_stats.model import AreaTables
from mappa_stats.render import html_pack
from mappa_stats.render.jinja import render
from mappa_stats.render.pack import build_pack
from mappa_stats.validate import FileReport


def render_markdown(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as Markdown (wrapped lines, escaped input, signature only when it passes)."""
    return render("pack.md.j2", pack=build_pack(area, report, population, strict))


def render_html(
    area: AreaTables, report: FileReport, population: PopulationFile | None, strict: bool = False
) -> str:
    """The pack as one self-contained, accessible HTML document."""
    return html_pack.render_html(build_pack(area, report, population, strict))
