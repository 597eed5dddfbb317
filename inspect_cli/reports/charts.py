"""Bar charts as inline SVG, made in Python: no JavaScript, no network, prints the same everywhere."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from markupsafe import Markup, escape

COLORS = ("#4a6fa5", "#c0392b", "#7f8c8d", "#27ae60", "#d68910")
FONT = ('font-family="Noto Sans CJK SC, Source Han Sans SC, Noto Serif CJK SC, Microsoft YaHei, SimHei, sans-serif" '
        'font-size="11"')  # on the SVG itself: a PDF renderer does not apply the page's CSS inside it
MAX_LABEL_W = 250


def text_width(text: str, size: float = 11) -> float:
    """Width of ``text`` in px at ``size``: CJK characters are square, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def stacked_bars(rows: Sequence[tuple[str, Sequence[float]]], series: Sequence[str], title: str = "",
                 target: Optional[float] = None, target_label: str = "", percent: bool = False,
                 width: int = 600, label_width: int = 170, max_value: Optional[float] = None) -> Markup:
    """Horizontal bars, one per row, each stacked from ``series``; an optional target line.

    ``title`` is the chart's accessible name (the report prints its own heading).

    Every text comes from ``escape``, so labels from the ledger cannot inject markup.
    """
    bar_h, gap, top = 18, 10, 8
    legend_h = 22 if len(series) > 1 else 0
    # the label column fits the longest label (up to MAX_LABEL_W; longer ones are cut with …)
    label_width = int(min(MAX_LABEL_W, max([label_width] + [text_width(str(r[0])) + 14 for r in rows])))
    plot_w = width - label_width - 60
    totals = [sum(v) for _, v in rows]
    scale_max = max_value if max_value is not None else max(totals + [target or 0, 1])
    height = top + len(rows) * (bar_h + gap) + legend_h + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" {FONT}>']
    x0 = label_width
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{x0 - 6}" y="{y + bar_h - 5}" text-anchor="end">{escape(_clip(label, label_width - 14))}</text>')
        x = float(x0)
        for j, v in enumerate(values):
            w = plot_w * (v / scale_max) if scale_max else 0
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{COLORS[j % len(COLORS)]}"/>')
            x += w
        total = sum(values)
        shown = f"{total:.0%}" if percent else f"{total:g}"
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 5}">{escape(shown)}</text>')
    axis_bottom = top + len(rows) * (bar_h + gap) - gap / 2
    parts.append(f'<line x1="{x0}" y1="{top - 4}" x2="{x0}" y2="{axis_bottom:.1f}" stroke="#333" stroke-width="1"/>')
    if target is not None and scale_max:
        tx = x0 + plot_w * (target / scale_max)
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{axis_bottom + 4:.1f}" stroke="#c0392b" '
                     f'stroke-width="2" stroke-dasharray="5,3"/>')
        parts.append(f'<text x="{tx:.1f}" y="{axis_bottom + 16:.1f}" text-anchor="middle" class="chart-target" fill="#c0392b" font-size="10">'
                     f'{escape(target_label)}</text>')
    if legend_h:
        ly = height - 6
        lx: float = x0
        for j, name in enumerate(series):
            parts.append(f'<rect x="{lx:.0f}" y="{ly - 10}" width="10" height="10" fill="{COLORS[j % len(COLORS)]}"/>')
            parts.append(f'<text x="{lx + 14:.0f}" y="{ly}">{escape(name)}</text>')
            lx += 14 + text_width(name) + 16
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(label: Any, room: float) -> str:
    """``label`` cut with … so that it fits ``room`` px."""
    text = str(label)
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"
