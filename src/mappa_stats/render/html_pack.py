"""The sign-off pack as one self-contained HTML file: no network, no script, prints as the Board paper.

Inline CSS (with a print stylesheet, so the browser's "Save as PDF" gives an A4 paper), inline SVG
charts with a title, a description and the same numbers in a table beside them, wrong cells marked
by colour and by words (never colour alone). Every text from an input goes through html.escape.
"""

from __future__ import annotations

from html import escape

from mappa_stats.findings import Finding, Severity
from mappa_stats.render.pack import Grid, Pack, cell_fix, clean
from mappa_stats.version import __version__

_CSS = """
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #b1b4b6; --pass: #00703c; --fail: #a4190f;
        --wrong-bg: #fde0dc; --warn-bg: #fff4cc; --bar1: #1d70b8; --bar2: #6f3c97; --bar3: #a34d00; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--ink); background: #fff; margin: 0;
       line-height: 1.45; font-size: 16px; }
header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; }
h1 { font-size: 1.9rem; margin: 0 0 .4rem; }
h2 { font-size: 1.4rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
.meta { color: var(--muted); margin: 0; }
.panel { border-left: 8px solid; padding: .8rem 1rem; margin: 1rem 0; background: #f3f2f1; }
.panel.pass { border-color: var(--pass); }
.panel.fail { border-color: var(--fail); }
.panel p:first-child { margin-top: 0; font-size: 1.2rem; }
.status-pass { color: var(--pass); font-weight: bold; }
.status-fail { color: var(--fail); font-weight: bold; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; vertical-align: top; }
thead th { background: #f3f2f1; text-align: left; }
tbody th { text-align: left; font-weight: bold; }
.status-nc { color: var(--muted); font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.na { color: var(--muted); }
td.wrong { background: var(--wrong-bg); color: var(--fail); font-weight: bold; outline: 3px solid var(--fail);
           outline-offset: -3px; }
td.warn { background: var(--warn-bg); }
.marker { display: inline-block; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em;
          margin-right: .3rem; }
.fix { display: block; font-weight: normal; font-size: .85rem; color: var(--ink); }
ol.findings li, ul.findings li { margin-bottom: .5rem; }
.chart { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.chart figure { margin: 0; flex: 1 1 26rem; }
.chart figcaption { color: var(--muted); font-size: .9rem; }
.chart svg text { font-family: Arial, Helvetica, sans-serif; font-size: 13px; fill: #1b1b1b; }
dl.audit { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.audit dt { font-weight: bold; }
dl.audit dd { margin: 0; overflow-wrap: anywhere; }
.signature p { margin: 1.6rem 0; }
.line { display: inline-block; min-width: 16rem; border-bottom: 1px solid var(--ink); }
.line.short { min-width: 8rem; }
footer { color: var(--muted); font-size: .85rem; padding-bottom: 2rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table, figure, .panel, .signature { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(text: object) -> str:
    """Escape text for HTML (quotes too), after removing control and escape characters."""
    return escape(clean(text), quote=True)


def _them(n: int) -> str:
    return "them" if n != 1 else "it"


def _finding_item(f: Finding) -> str:
    label = "Error" if f.severity == Severity.ERROR else "Warning"
    fix = f"<br><span>Suggested correction: {_e(f.suggestion)}.</span>" if f.suggestion else ""
    return f"<li><strong>{label} at {_e(f.ref)}</strong>: {_e(f.said.rstrip('.'))}.{fix}</li>"


def _grid_table(grid: Grid, number: int, pack_errors: tuple[Finding, ...]) -> str:
    head = "".join(
        f'<th scope="col"{" class=num" if i else ""}>{_e(h) or "<span class=marker>Row</span>"}</th>'
        for i, h in enumerate(grid.header)
    )
    body = []
    for label, cells in grid.rows:
        tds = []
        for cell in cells:
            text = _e(cell.text)
            if cell.flagged is not None:
                wrong = cell.flagged in pack_errors
                marker = "Wrong" if wrong else "Check"
                fix = cell_fix(cell.flagged)
                fix_text = f'<span class="fix">should be {_e(fix)}</span>' if fix is not None else ""
                tds.append(
                    f'<td class="num {"wrong" if wrong else "warn"}" data-finding="{_e(cell.flagged.rule)}">'
                    f'<span class="marker">{marker}:</span> {text or "(blank)"}{fix_text}</td>'
                )
            elif not cell.applicable:
                tds.append(f'<td class="num na">{text}</td>')
            else:
                tds.append(f'<td class="num">{text}</td>')
        body.append(f'<tr><th scope="row">{_e(label)}</th>{"".join(tds)}</tr>')
    return (
        f'<table id="table-{number}"><caption>{_e(grid.table.display_title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _snapshot_chart(pack: Pack) -> str:
    """The 31 March grid by category and level as a horizontal bar chart, with its numbers beside it."""
    table = next(
        (t for t in pack.area.template.tables if t.kind == "grid" and pack.area.has_table(t.id)), None
    )
    if table is None:
        return ""
    parts = [c for c in table.columns if not c.is_total]
    levels = [r for r in table.rows if not r.is_total]
    bars: list[tuple[str, str, int, float | None]] = []
    for li, level in enumerate(levels):
        for column in parts:
            if not table.is_applicable(level.id, column.id):
                continue
            bars.append(
                (column.label.split(":")[0], level.label, li, pack.area.value(table.id, level.id, column.id))
            )
    if not bars:
        return ""
    top = max((v for *_, v in bars if v is not None), default=0.0) or 1.0
    row_h, label_w, bar_w = 26, 190, 330
    height = row_h * len(bars) + 30
    colours = ("var(--bar1)", "var(--bar2)", "var(--bar3)")
    shapes = []
    for i, (category, level_name, li, value) in enumerate(bars):
        y = 10 + i * row_h
        shown = "not available" if value is None else f"{value:,.0f}"
        width = 0.0 if value is None else max(value / top * bar_w, 1.0 if value else 0.0)
        shapes.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_e(category)}, {_e(level_name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" '
            f'style="fill:{colours[li % 3]}"></rect>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 16}">{shown}</text>'
        )
    title = f"{table.display_title}, {pack.area_name}: people by category and management level"
    desc = "; ".join(
        f"{category}, {level}: {'not available' if v is None else f'{v:,.0f}'}"
        for category, level, _, v in bars
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 70}" '
        f'height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + 70} {height}" aria-labelledby="chart1-title chart1-desc">'
        f'<title id="chart1-title">{_e(title)}</title><desc id="chart1-desc">{_e(desc)}</desc>'
        f"{''.join(shapes)}"
        f'<line x1="{label_w}" y1="6" x2="{label_w}" y2="{height - 14}" style="stroke:#1b1b1b"></line></svg>'
    )
    rows = "".join(
        f'<tr><th scope="row">{_e(category)}, {_e(level)}</th>'
        f'<td class="num">{"not available" if v is None else f"{v:,.0f}"}</td></tr>'
        for category, level, _, v in bars
    )
    numbers = (
        f'<table id="chart1-data"><caption>The numbers in the chart</caption><thead><tr>'
        f'<th scope="col">Category and level</th><th scope="col" class="num">People</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return (
        f'<div class="chart"><figure id="chart1">{svg}<figcaption>Figure 1: {_e(title)}. '
        "Each bar is labelled "
        f"with its number; the same numbers are in the table beside the chart.</figcaption></figure>"
        f"{numbers}</div>"
    )


def render_html(pack: Pack) -> str:
    """The pack as one self-contained, accessible HTML document."""
    audit = pack.audit()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="mappa-stats {__version__}">',
        f"<title>{_e(pack.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_e(pack.title)}</h1>",
        f'<p class="meta">Produced by mappa-stats {__version__} on {_e(audit[-1][1])} from '
        f"{_e(audit[0][1])}.</p></header>",
        "<main>",
        '<section aria-labelledby="verdict-h"><h2 id="verdict-h">Verdict</h2>',
    ]
    if pack.ready:
        extra = (
            f" {len(pack.warnings)} warning{'s' * (len(pack.warnings) != 1)} to confirm are listed below."
            if pack.warnings
            else ""
        )
        out.append(
            '<div class="panel pass" id="verdict"><p><span class="status-pass">Ready to sign off.</span> '
            f"The tables are internally consistent: every check that ran passed.{extra}</p></div>"
        )
    else:
        n = len(pack.errors)
        out.append(
            f'<div class="panel fail" id="verdict"><p><span class="status-fail">Not ready: {n} '
            f"error{'s' * (n != 1)} to correct.</span></p><p>Correct {_them(n)} in the workbook, "
            "run the checks again, and bring the new pack to the Board.</p>"
            f'<ol class="findings">{"".join(_finding_item(f) for f in pack.errors)}</ol></div>'
        )
    if pack.warnings:
        out.append(
            '<h3>To confirm (warnings)</h3><ul class="findings">'
            + "".join(_finding_item(f) for f in pack.warnings)
            + "</ul>"
        )
    out.append("</section>")
    out.append(
        '<section aria-labelledby="tables-h"><h2 id="tables-h">The tables as they will be published</h2>'
        "<p>A cell the checks found wrong is outlined and shaded, starts with the word "
        "<strong>Wrong</strong>, and shows the suggested correction below its value. "
        "A cell to confirm starts with <strong>Check</strong>.</p>"
    )
    out.extend(_grid_table(grid, n, pack.errors) for n, grid in enumerate(pack.grids(), start=1))
    out.append("</section>")
    chart = _snapshot_chart(pack)
    if chart:
        out.append(f'<section aria-labelledby="charts-h"><h2 id="charts-h">Chart</h2>{chart}</section>')
    out.append(
        '<section aria-labelledby="rate-h"><h2 id="rate-h">The rate of registered sexual offenders</h2>'
    )
    out.extend(f"<p>{_e(line)}</p>" for line in pack.rate_lines())
    out.append("</section>")
    tone = {"failed": "fail", "passed": "pass", "not checked": "nc", "not applicable": "nc"}
    rows = "".join(
        f'<tr><td>{_e(c.description)}</td><td class="status-{tone.get(c.result, "nc")}">{_e(c.result)}</td>'
        f"<td>{_e(c.detail)}</td></tr>"
        for c in pack.checks()
    )
    out.append(
        '<section aria-labelledby="checks-h"><h2 id="checks-h">Every check and its result</h2>'
        '<table id="checks"><caption>The checks mappa-stats ran, in plain words</caption><thead><tr>'
        '<th scope="col">Check</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )
    out.append(
        '<section aria-labelledby="audit-h"><h2 id="audit-h">Audit trail</h2><dl class="audit">'
        + "".join(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in audit)
        + "</dl></section>"
    )
    if pack.ready:
        out.append(
            '<section class="signature" id="signature" aria-labelledby="sign-h"><h2 id="sign-h">Sign-off</h2>'
            "<p>I have checked these statistics and the findings above, and they are ready for "
            "publication.</p>"
            '<p>MAPPA manager: <span class="line"></span> Date: <span class="line short"></span></p>'
            '<p>For the Strategic Management Board: <span class="line"></span> Date: '
            '<span class="line short"></span></p></section>'
        )
    else:
        n = len(pack.errors)
        out.append(
            '<section id="not-ready" aria-labelledby="notready-h">'
            '<h2 id="notready-h">Not ready to sign off</h2>'
            f"<p>This pack has no lines to sign: the {n} error{'s' * (n != 1)} above must be corrected "
            "first.</p>"
            "</section>"
        )
    out.append("</main>")
    out.append(
        f"<footer><p>mappa-stats {__version__}. This file needs no network and no script.</p></footer>"
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"
