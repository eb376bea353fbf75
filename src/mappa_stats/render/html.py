"""HTML of a document from its Markdown: one page, the Markdown's headings, paragraphs, lists and tables as
HTML (markdown-it-py, CommonMark with tables). Every document's Markdown renderer has already made the text
from its inputs inert (safetext.markdown), and raw HTML is off, so nothing from an input becomes markup.

The sign-off pack has HTML of its own, from its templates (render/templates/pack.html.j2)."""

from __future__ import annotations

from html import escape

from mappa_stats.version import __version__

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="generator" content="mappa-stats {version}">
<title>{title}</title>
<style>
body {{ font-family: Arial, sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #767676; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }}
</style>
</head>
<body>
{body}</body>
</html>
"""


def from_markdown(title: str, markdown: str) -> str:
    """A whole HTML page titled TITLE holding MARKDOWN rendered (raw HTML in it is shown as text)."""
    from markdown_it import MarkdownIt  # lazy, for speed: only an HTML document needs it

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return _PAGE.format(title=escape(title, quote=True), version=__version__, body=parser.render(markdown))
