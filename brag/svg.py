"""Small SVG charts drawn from the data, for the HTML report.

No plotting library: each function returns one self-contained ``<svg>`` string
(a ``viewBox`` so it scales with the page, text in the page's font, a
``<title>`` on every bar so hovering shows the exact number). Every piece of
text that reaches the markup goes through :func:`html.escape`, because labels
come from the journal (custom area names, tags) and the journal is untrusted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

#: A colour per impact area; readable on white and distinct for most kinds of
#: colour vision (Okabe-Ito first, then two muted extras).
AREA_COLOURS: dict[str, str] = {
    "revenue": "#009e73",
    "cost": "#e69f00",
    "risk": "#d55e00",
    "customer": "#0072b2",
    "retention": "#56b4e9",
    "velocity": "#cc79a7",
    "quality": "#7a5195",
    "people": "#f0c419",
    "strategy": "#2f4b7c",
}
OTHER_COLOUR = "#9aa0a6"
EXTRA_COLOURS = ("#8c564b", "#17becf", "#bcbd22", "#7f7f7f")

LEVERAGE_COLOURS: dict[str, str] = {
    "execution": "#0072b2",
    "strategic": "#2f4b7c",
    "interpersonal": "#f0c419",
    "expert": "#7a5195",
}
TREE_COLOURS = {"A": "#0072b2", "B": "#e69f00"}


def colour_for(name: str, known: Sequence[str] = ()) -> str:
    """The colour of an area (or other series name); unknown names get a stable extra."""
    if name in AREA_COLOURS:
        return AREA_COLOURS[name]
    if name in ("unclassified", "other", ""):
        return OTHER_COLOUR
    extras = [n for n in known if n not in AREA_COLOURS and n not in ("unclassified", "other")]
    index = extras.index(name) if name in extras else sum(map(ord, name))
    return EXTRA_COLOURS[index % len(EXTRA_COLOURS)]


def _nice_step(maximum: float, ticks: int = 4) -> int:
    """A whole-number tick step so the y axis shows about ``ticks`` round values."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _legend(items: Sequence[tuple[str, str]], x: float, y: float, width: float) -> list[str]:
    """Swatches and names laid out left to right, wrapping at ``width``."""
    parts = ['<g class="legend">']
    cx, cy = x, y
    for name, colour in items:
        item_width = 22 + 7.2 * len(name) + 14
        if cx + item_width > x + width and cx > x:
            cx, cy = x, cy + 20
        parts.append(
            f'<g class="legend-item" data-series="{escape(name)}">'
            f'<rect x="{cx:.1f}" y="{cy - 10:.1f}" width="12" height="12" rx="2" '
            f'fill="{colour}"/>'
            f'<text x="{cx + 17:.1f}" y="{cy:.1f}" class="legend-label">{escape(name)}</text></g>'
        )
        cx += item_width
    parts.append("</g>")
    return parts


def legend_height(items: Sequence[tuple[str, str]], width: float) -> float:
    rows, cx = 1, 0.0
    for name, _ in items:
        item_width = 22 + 7.2 * len(name) + 14
        if cx + item_width > width and cx > 0:
            rows, cx = rows + 1, 0.0
        cx += item_width
    return rows * 20.0


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[str],
    values: Mapping[str, Mapping[str, int]],
    *,
    title: str,
    tooltips: Sequence[str] | None = None,
    colours: Mapping[str, str] | None = None,
    width: int = 760,
    height: int = 240,
) -> str:
    """Vertical stacked bars: one bar per label, one segment per series.

    ``values[label][series]`` is a count. The total is written above each bar,
    the y axis has whole-number ticks, and a legend names each series present.
    ``tooltips`` (one per label) is the long form of each label ("March 2026").
    """
    present = [s for s in series if any(values.get(lb, {}).get(s, 0) for lb in labels)]
    legend_items = [(s, (colours or {}).get(s) or colour_for(s, series)) for s in present]
    left, right, top = 34.0, 8.0, 18.0
    plot_w = width - left - right
    legend_h = legend_height(legend_items, width - left) if legend_items else 0.0
    bottom = 26.0 + legend_h + 10
    total_h = height + legend_h + 10
    plot_h = total_h - top - bottom
    totals = [sum(values.get(lb, {}).get(s, 0) for s in series) for lb in labels]
    maximum = max(totals, default=0)
    step = _nice_step(max(maximum, 1))
    y_max = max(step * math.ceil(max(maximum, 1) / step), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-stacked" role="img" '
        f'viewBox="0 0 {width} {total_h:.0f}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * tick / y_max
        out.append(
            f'<line class="grid" x1="{left:.1f}" x2="{width - right:.1f}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6:.1f}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    n = max(len(labels), 1)
    slot = plot_w / n
    bar_w = max(4.0, min(44.0, slot * 0.7))
    label_every = max(1, math.ceil(n / max(1, int(plot_w // 46))))
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        long_label = tooltips[i] if tooltips else label
        out.append(f'<g class="bar-group" data-label="{escape(label)}">')
        for name, colour in legend_items:
            count = values.get(label, {}).get(name, 0)
            if not count:
                continue
            h = plot_h * count / y_max
            y -= h
            out.append(
                f'<rect class="bar" data-series="{escape(name)}" data-count="{count}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(long_label)} · {escape(name)}: {count}'
                f"</title></rect>"
            )
        if totals[i]:
            out.append(
                f'<text class="total" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{totals[i]}</text>'
            )
        out.append("</g>")
        if i % label_every == 0:
            out.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16:.1f}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    out.append(
        f'<line class="baseline" x1="{left:.1f}" x2="{width - right:.1f}" '
        f'y1="{top + plot_h:.1f}" y2="{top + plot_h:.1f}"/>'
    )
    if legend_items:
        out.extend(_legend(legend_items, left, top + plot_h + 44, width - left))
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(
    items: Sequence[tuple[str, int, str]],
    *,
    title: str,
    width: int = 360,
    row: int = 26,
) -> str:
    """One labelled horizontal bar per ``(label, count, colour)``, count at its end."""
    label_w = 8 + 7.4 * max((len(label) for label, _, _ in items), default=4)
    left, right = label_w + 6, 36.0
    plot_w = width - left - right
    maximum = max((count for _, count, _ in items), default=0) or 1
    height = row * max(len(items), 1) + 6
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-hbars" role="img" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, count, colour) in enumerate(items):
        y = 4 + i * row
        w = plot_w * count / maximum
        out.append(
            f'<text class="axis" x="{left - 6:.1f}" y="{y + row / 2 + 1:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        if count:
            out.append(
                f'<rect class="bar" data-series="{escape(label)}" data-count="{count}" '
                f'x="{left:.1f}" y="{y + 4:.1f}" width="{max(w, 2):.1f}" height="{row - 10}" '
                f'rx="2" fill="{colour}"><title>{escape(label)}: {count}</title></rect>'
            )
        out.append(
            f'<text class="total" x="{left + w + 5:.1f}" y="{y + row / 2 + 1:.1f}">{count}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def tree_bar(balance: Mapping[str, float | int | str], *, width: int = 360) -> str:
    """Tree A and Tree B shares as one 100% bar, with the target level's B share marked.

    ``balance`` is :func:`brag.impact.tree_balance`'s result.
    """
    share_b = float(balance.get("share_b", 0.0))
    total = int(balance.get("total", 0))
    target = balance.get("target_b")
    left, right, bar_h = 8.0, 8.0, 26.0
    bar_y = 30.0 if target is not None else 8.0  # room for the target's label
    plot_w = width - left - right
    height = bar_y + bar_h + 46
    title = f"Tree B share {share_b:.0%}"
    if target is not None:
        title += f"; {balance.get('target')} expects {float(target):.0%}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-tree" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if total:
        a_w = plot_w * (1 - share_b)
        for tree, x, w, count in (
            ("A", left, a_w, balance.get("A", 0)),
            ("B", left + a_w, plot_w - a_w, balance.get("B", 0)),
        ):
            if w <= 0:
                continue
            share = (1 - share_b) if tree == "A" else share_b
            out.append(
                f'<rect class="bar" data-series="Tree {tree}" data-count="{count}" '
                f'x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{TREE_COLOURS[tree]}"><title>Tree {tree}: {count} '
                f"({share:.0%})</title></rect>"
            )
            if w > 44:
                # A's label at its left end, B's at its right end: clear of the target line.
                tx, anchor = (x + 8, "start") if tree == "A" else (x + w - 8, "end")
                out.append(
                    f'<text class="on-bar" x="{tx:.1f}" y="{bar_y + 17:.1f}" '
                    f'text-anchor="{anchor}">{tree} {share:.0%}</text>'
                )
    else:
        out.append(
            f'<rect class="empty" x="{left}" y="{bar_y}" width="{plot_w}" height="{bar_h}"/>'
        )
    if target is not None:
        tx = left + plot_w * (1 - float(target))
        out.append(
            f'<line class="target" x1="{tx:.1f}" x2="{tx:.1f}" y1="{bar_y - 8}" '
            f'y2="{bar_y + bar_h + 8}"/>'
            f'<text class="target-label" x="{min(max(tx, 60), width - 60):.1f}" '
            f'y="{bar_y - 12}" text-anchor="middle">'
            f"{escape(str(balance.get('target')))} target: B {float(target):.0%}</text>"
        )
    legend = [
        ("Tree A: technical", TREE_COLOURS["A"]),
        ("Tree B: influence", TREE_COLOURS["B"]),
    ]
    out.extend(_legend(legend, left, bar_y + bar_h + 30, plot_w))
    out.append("</svg>")
    return "".join(out)
