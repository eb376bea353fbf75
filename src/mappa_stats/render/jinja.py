"""The sign-off pack's templates (render/templates/*.j2) and how what they print is escaped.

One Jinja2 environment per format, both with autoescaping on and StrictUndefined (a misspelt name is
an error, never an empty string). Every value a template prints with {{ … }} is escaped on its way
out by the environment's finalize: for HTML as html.escape does it, quotes included; for Markdown by
md(), so no text from an input can become a heading, a table cell, emphasis, a link or raw HTML.
Either way control characters are removed first (clean). What finalize returns is Markup, so the
autoescape that follows leaves it as it is; the only text printed unescaped is the templates' own
(and what their macros and the para and bullet filters make of it, which is Markup too).

Jinja2 is imported when the first pack is rendered, not with this module: other commands never pay
for it.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from mappa_stats.definitions.templates import Severity
from mappa_stats.render.pack import cell_fix, clean
from mappa_stats.version import __version__

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

TEMPLATES = "templates"  # the folder inside mappa_stats.render (packaged with it: see pyproject.toml)
_WIDTH = 100
# Inline Markdown only: input text is always on one line after our own words, never at a line start.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~])")


def md(text: object) -> str:
    """Text from an input made inert in Markdown: one line, no HTML, no emphasis, headings or cells."""
    one_line = clean(text)
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def html_text(text: object) -> str:
    """Text from an input made inert in HTML (quotes too), after removing control and escape characters."""
    return escape(clean(text), quote=True)


def _fill(text: str, indent: str) -> str:
    """Text wrapped to a readable width (no 400-character lines), ending its line."""
    wrapped = textwrap.fill(
        str(text), width=_WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    return wrapped + "\n"


@functools.cache
def environment(fmt: str) -> jinja2.Environment:
    """The environment for 'html' or 'markdown': the package's templates, escaping for that format."""
    # Imported here, when a pack is rendered, so that no other command pays for Jinja2 (for speed).
    import jinja2
    from markupsafe import Markup

    escape_for: Callable[[object], str] = html_text if fmt == "html" else md

    def finalize(value: object) -> Markup:
        """Every printed value escaped for the format, unless a macro or filter of ours made it."""
        return value if isinstance(value, Markup) else Markup(escape_for(value))

    def wrapped(indent: str) -> Callable[[str], Markup]:
        # The filter's text is the template's own words and values finalize has escaped already.
        return lambda text: Markup(_fill(text, indent))

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mappa_stats.render", TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "md.j2"), default=True),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(para=wrapped(""), bullet=wrapped("  "))
    env.globals.update(ERROR=Severity.ERROR, version=__version__, cell_fix=cell_fix)
    return env


def render(name: str, **context: object) -> str:
    """Render the package template NAME (pack.html.j2, pack.md.j2) with CONTEXT."""
    fmt = "html" if name.endswith(".html.j2") else "markdown"
    return environment(fmt).get_template(name).render(**context)
