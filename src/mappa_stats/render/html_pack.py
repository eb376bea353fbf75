"""The sign-off pack as one self-contained HTML file: no network, no script, prints as the Board paper.

The page is templates/pack.html.j2: inline CSS (with a print stylesheet, so the browser's "Save as PDF"
gives an A4 paper), wrong cells marked by colour and by words (never colour alone), and an inline SVG
chart with a title, a description and the same numbers in a table beside it, whose bars are measured
here. Every text from an input is escaped as the template prints it (render/jinja.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from mappa_stats.render.jinja import render
from mappa_stats.render.pack import Pack

_ROW_H, _LABEL_W, _BAR_W = 26, 190, 330
_COLOURS = ("var(--bar1)", "var(--bar2)", "var(--bar3)")


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: its labels, its number as shown, and where it is drawn."""

    category: str
    level: str
    shown: str
    text_y: int
    rect_y: int
    width: str
    value_x: str
    fill: str


@dataclass(frozen=True)
class Chart:
    """The 31 March grid by category and level as horizontal bars, with the numbers they stand for."""

    title: str
    description: str
    bars: tuple[Bar, ...]
    # Not fields: the same for every chart (a class attribute without an annotation).
    width = _LABEL_W + _BAR_W + 70
    label_x = _LABEL_W - 8
    bar_x = _LABEL_W
    bar_height = _ROW_H - 8

    @property
    def height(self) -> int:
        """The drawing's height: one row per bar and a margin."""
        return _ROW_H * len(self.bars) + 30

    @property
    def axis_end(self) -> int:
        """Where the axis line stops."""
        return self.height - 14


def _shown(value: float | None) -> str:
    """A bar's number as the chart and its table show it."""
    return "not available" if value is None else f"{value:,.0f}"


def snapshot_chart(pack: Pack) -> Chart | None:
    """The first grid (people on 31 March) as a chart, or None when the workbook has no such grid."""
    table = next(
        (t for t in pack.area.template.tables if t.kind == "grid" and pack.area.has_table(t.id)), None
    )
    if table is None:
        return None
    parts = [c for c in table.columns if not c.is_total]
    levels = [r for r in table.rows if not r.is_total]
    values: list[tuple[str, str, int, float | None]] = []
    for li, level in enumerate(levels):
        for column in parts:
            if table.is_applicable(level.id, column.id):
                value = pack.area.value(table.id, level.id, column.id)
                values.append((column.label.split(":")[0], level.label, li, value))
    if not values:
        return None
    top = max((v for *_, v in values if v is not None), default=0.0) or 1.0
    bars = []
    for i, (category, level_name, li, value) in enumerate(values):
        y = 10 + i * _ROW_H
        width = 0.0 if value is None else max(value / top * _BAR_W, 1.0 if value else 0.0)
        bars.append(
            Bar(
                category=category,
                level=level_name,
                shown=_shown(value),
                text_y=y + 16,
                rect_y=y + 3,
                width=f"{width:.1f}",
                value_x=f"{_LABEL_W + width + 6:.1f}",
                fill=_COLOURS[li % 3],
            )
        )
    title = f"{table.display_title}, {pack.area_name}: people by category and management level"
    description = "; ".join(f"{b.category}, {b.level}: {b.shown}" for b in bars)
    return Chart(title, description, tuple(bars))


def render_html(pack: Pack) -> str:
    """The pack as one self-contained, accessible HTML document."""
    return render("pack.html.j2", pack=pack, chart=snapshot_chart(pack))
