"""brag/svg.py: bars proportional to the data, a legend, and escaped labels."""

from __future__ import annotations

import re

from brag.svg import horizontal_bars, stacked_bars, tree_bar


def heights(svg: str) -> dict[tuple[str, str], float]:
    found = {}
    for group in re.findall(r'<g class="bar-group" data-label="([^"]*)">(.*?)</g>', svg):
        label, body = group
        for series, h in re.findall(r'data-series="([^"]*)"[^>]*height="([\d.]+)"', body):
            found[(label, series)] = float(h)
    return found


def test_stacked_bars_are_proportional_with_totals_and_legend():
    svg = stacked_bars(
        ["Jan", "Feb", "Mar"],
        ["risk", "cost", "people"],
        {"Jan": {"risk": 2, "cost": 2}, "Feb": {"risk": 1}, "Mar": {}},
        title="Areas",
    )
    h = heights(svg)
    assert set(h) == {("Jan", "risk"), ("Jan", "cost"), ("Feb", "risk")}
    assert h[("Jan", "risk")] == h[("Jan", "cost")] == 2 * h[("Feb", "risk")]
    assert re.findall(r'class="total"[^>]*>(\d+)<', svg) == ["4", "1"]
    # Only series that occur are in the legend; "people" has no entries.
    assert re.findall(r'class="legend-label">([^<]*)<', svg) == ["risk", "cost"]
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<title>Areas</title>" in svg


def test_labels_and_series_are_escaped():
    evil = '"><script>alert(1)</script>'
    svg = stacked_bars([evil], [evil], {evil: {evil: 3}}, title=evil)
    svg += horizontal_bars([(evil, 2, "#000")], title=evil)
    svg += tree_bar({"A": 1, "B": 1, "total": 2, "share_a": 0.5, "share_b": 0.5, "target": evil,
                     "target_b": 0.6})  # fmt: skip
    assert "<script" not in svg
    assert svg.count("&lt;script&gt;") >= 6


def test_tree_bar_marks_the_target_share():
    svg = tree_bar(
        {"A": 3, "B": 1, "total": 4, "share_a": 0.75, "share_b": 0.25, "target": "staff",
         "target_b": 0.6}
    )  # fmt: skip
    a = re.search(r'data-series="Tree A"[^>]*width="([\d.]+)"', svg)
    b = re.search(r'data-series="Tree B"[^>]*width="([\d.]+)"', svg)
    assert a and b and float(a.group(1)) == 3 * float(b.group(1))
    x = float(re.search(r'class="target" x1="([\d.]+)"', svg).group(1))
    assert abs(x - (8 + 344 * 0.4)) < 0.2  # B's 60% measured from the right end
    assert "staff target: B 60%" in svg
    assert "Tree B: influence" in svg and "Tree A: technical" in svg


def test_empty_data_draws_an_empty_chart():
    svg = stacked_bars([], ["risk"], {}, title="Nothing")
    assert 'class="bar"' not in svg and "legend" not in svg
    assert 'class="bar"' not in tree_bar({"A": 0, "B": 0, "total": 0, "share_b": 0.0})
