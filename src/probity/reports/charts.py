"""Small, print-quality SVG charts, written out directly (docs/decisions/0070).

Each chart is inline SVG with a title and description for assistive technology; the document
always puts an accessible data table beside it holding the same numbers. Output is
deterministic (same figures, same bytes), so tests can read values back from the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Series", "PALETTE", "bar_chart", "column_chart"]

# GOV.UK Design System colours: blue, red, green, purple, orange, turquoise, dark grey.
PALETTE: tuple[str, ...] = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#28a197",
                            "#505a5f")
_FONT = "font-family:Arial,Helvetica,sans-serif"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value` (1 for none)."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= multiple * magnitude:
            return multiple * magnitude
    return 10.0 * magnitude


def _head(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def bar_chart(*, chart_id: str, title: str, categories: Sequence[str], values: Sequence[float],
              highlight: Sequence[int] = (), width: int = 680) -> str:
    """Horizontal bars, one per category, each labelled with its value.

    `highlight` holds indexes drawn in the second palette colour (e.g. APSP among categories).
    """
    if len(categories) != len(values):
        raise ValueError("bar_chart: categories and values differ in length")
    label_w, bar_h, gap, top = 320, 16, 5, 8
    height = top * 2 + max(1, len(categories)) * (bar_h + gap)
    plot_w = width - label_w - 50
    top_value = _nice_max(max(values, default=0))
    desc = "; ".join(f"{c}: {_fmt(v)}" for c, v in zip(categories, values, strict=True))
    parts = _head(chart_id, title, desc or "no values", width, height)
    parts.append(f'<g style="{_FONT};font-size:12px">')
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        y = top + i * (bar_h + gap)
        w = 0.0 if top_value == 0 else plot_w * float(value) / top_value
        colour = PALETTE[1] if i in highlight else PALETTE[0]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end" fill="#0b0c0c">'
            f'{escape(category)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" '
            f'data-category="{escape(category)}" data-value="{_fmt(value)}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}" fill="#0b0c0c">{_fmt(value)}</text>'
        )
    parts.append(f'<line x1="{label_w}" y1="{top - 2}" x2="{label_w}" y2="{height - top + 2}" '
                 'stroke="#0b0c0c" stroke-width="1"/>')
    parts.append("</g></svg>")
    return "".join(parts)


def column_chart(*, chart_id: str, title: str, categories: Sequence[str],
                 series: Sequence[Series], width: int = 640, height: int = 260) -> str:
    """Grouped vertical columns: one group per category (e.g. year), one column per series."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"column_chart: series {s.name!r} has {len(s.values)} values for "
                             f"{len(categories)} categories")
    left, right, top, bottom = 50, 10, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for s in series for v in s.values), default=0))
    desc = "; ".join(
        f"{c}: " + ", ".join(f"{s.name} {_fmt(s.values[i])}" for s in series)
        for i, c in enumerate(categories)
    )
    parts = _head(chart_id, title, desc or "no values", width, height)
    parts.append(f'<g style="{_FONT};font-size:12px">')
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="#b1b4b6" stroke-width="0.5"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#505a5f">'
                     f'{_fmt(value)}</text>')
    group_w = plot_w / max(1, len(categories))
    col_w = min(40.0, group_w * 0.8 / max(1, len(series)))
    for i, category in enumerate(categories):
        x0 = left + i * group_w + (group_w - col_w * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i]
            h = 0.0 if top_value == 0 else plot_h * float(value) / top_value
            x = x0 + j * col_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}" '
                f'data-category="{escape(category)}" data-series="{escape(s.name)}" '
                f'data-value="{_fmt(value)}"/>'
                f'<text x="{x + (col_w - 2) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                f'text-anchor="middle" fill="#0b0c0c" font-size="10">{_fmt(value)}</text>'
            )
        parts.append(f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle" fill="#0b0c0c">{escape(category)}</text>')
    for j, s in enumerate(series):  # legend
        x = left + j * 200
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" '
                     f'fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="16" fill="#0b0c0c">{escape(s.name)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
