"""``brag export report --format html``: one self-contained, escaped page with SVG charts."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import pty
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from brag import hookimpl as brag_hookimpl
from brag import manager
from brag.entry import Entry
from brag.journal import Journal

EVIL_TITLE = "<img src=x onerror=alert(1)>"
EVIL_TAG = "x'\"><svg onload=alert(2)>"
EVIL_IMPACT = "</script><script>alert(3)</script>"


class Page(HTMLParser):
    """Every element with its attributes, and the text, of a parsed page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_bodies.append(data)
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        found = []
        for name, values in self.elements:
            if name != tag:
                continue
            if all(v in values.get(k.rstrip("_"), "").split() for k, v in attrs.items()):
                found.append(values)
        return found


def fill(journal: Journal) -> None:
    today = dt.date.today()
    journal.add(
        Entry(
            title="Cut checkout p99 from 800ms to 200ms",
            date=today - dt.timedelta(days=100),
            impact="Cart abandonment down 3%",
            tags=["perf"],
            areas=["customer", "revenue"],
            url="https://example.com/pr/1",
        )
    )
    journal.add(
        Entry(
            title="Mentored two new engineers",
            date=today - dt.timedelta(days=40),
            tags=["mentoring"],
            areas=["people"],
            leverage="interpersonal",
        )
    )
    journal.add(
        Entry(
            title="Salary negotiation notes",
            date=today - dt.timedelta(days=20),
            areas=["people"],
            private=True,
        )
    )
    journal.import_entries(
        "github",
        [
            Entry(
                title=EVIL_TITLE,
                date=today - dt.timedelta(days=70),
                source_id="org/repo#7",
                url="javascript:alert(4)",
                tags=[EVIL_TAG],
                areas=["risk"],
                impact=EVIL_IMPACT,
            ),
            Entry(
                title="Rotate the database credentials",
                date=today - dt.timedelta(days=5),
                source_id="org/repo#8",
                url="https://github.com/org/repo/pull/8",
                areas=["risk"],
            ),
        ],
    )


@pytest.fixture
def report(brag, journal: Journal, tmp_path: Path) -> tuple[str, Page]:
    fill(journal)
    journal.config_set("user.name", "Ada </title><script>alert(5)</script>")
    out = tmp_path / "out.html"
    result = brag("export", "report", "--format", "html", "-o", str(out), "--target", "staff")
    assert f"Wrote {out}" in result.stderr
    html = out.read_text(encoding="utf-8")
    return html, Page(html)


def test_report_is_self_contained(report):
    html, page = report
    assert html.startswith("<!DOCTYPE html>")
    scripts = page.all("script")
    assert len(scripts) == 1 and "src" not in scripts[0]
    assert page.all("link", rel="stylesheet") == []
    assert [link["href"] for link in page.all("link")] == ["data:,"]
    assert page.all("img") == [] and page.all("iframe") == []
    for _, attrs in page.elements:
        assert "src" not in attrs
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html.split("<main>")[0])
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html  # controls hidden, links spelled out on paper
    # The page's own script is allowed by hash in its CSP, and nothing else is.
    csp = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = page.elements[[e[1] for e in page.elements].index(csp[0])][1]["content"]
    body = "".join(page.script_bodies)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_report_charts_are_svg_with_bars_and_legend(report):
    html, page = report
    assert len(page.all("svg")) == 3
    stacked = re.search(r"<svg[^>]*chart-stacked.*?</svg>", html, re.S).group(0)
    counts = [int(c) for c in re.findall(r'class="bar"[^>]*data-count="(\d+)"', stacked)]
    assert sum(counts) == 4  # every public entry once, under its main area; private left out
    legend = re.findall(r'class="legend-label">([^<]+)<', stacked)
    assert legend == ["risk", "customer", "people"]  # main areas, in the usual order
    series = set(re.findall(r'class="bar" data-series="([^"]+)"', stacked))
    assert series == set(legend)
    leverage = re.search(r"<svg[^>]*chart-hbars.*?</svg>", html, re.S).group(0)
    assert re.search(r'data-series="interpersonal" data-count="1"', leverage)
    tree = re.search(r"<svg[^>]*chart-tree.*?</svg>", html, re.S).group(0)
    assert "staff target: B 60%" in tree
    assert re.search(r'data-series="Tree B" data-count="1"', tree)
    assert re.search(r'data-series="Tree A" data-count="3"', tree)


def test_report_escapes_entry_text_everywhere(report):
    html, page = report
    assert EVIL_TITLE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    text = "".join(page.text)
    assert EVIL_TITLE in text and EVIL_IMPACT in text
    assert "Ada </title><script>alert(5)</script>" in text
    # No element or attribute came from entry text.
    assert len(page.all("script")) == 1 and page.all("img") == []
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any(v.strip().lower().startswith("javascript:") for v in attrs.values())
    # The tag survives, intact, inside the attributes the filter reads.
    items = page.all("li", class_="entry")
    assert len(items) == 4
    tags = [attrs["data-tags"] for attrs in items]
    assert any(EVIL_TAG in json.loads(t) for t in tags)
    assert any(attrs.get("data-tag") == EVIL_TAG for attrs in page.all("button"))
    # A javascript: URL is not a link; real ones are.
    hrefs = [a["href"] for a in page.all("a")]
    assert "https://github.com/org/repo/pull/8" in hrefs
    assert all(h.startswith("https://") for h in hrefs)


def test_report_lists_top_stories_impact_first(report):
    html, page = report
    stories = re.findall(r'<li class="story">.*?</li>', html, re.S)
    assert len(stories) == 4
    first_headlines = [re.sub(r"<[^>]+>", "", s).split("\n")[1].strip() for s in stories]
    assert any(h.startswith("Cart abandonment down 3%") for h in first_headlines)
    assert 'href="https://example.com/pr/1"' in html
    assert "Salary negotiation" not in html


def test_report_private_entries_only_when_asked(brag, journal, tmp_path):
    fill(journal)
    out = tmp_path / "r.html"
    brag("export", "report", "-o", str(out), "--include-private")
    assert "Salary negotiation notes" in out.read_text()


def test_report_goes_to_stdout_when_piped(brag, journal):
    fill(journal)
    result = brag("export", "report")
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert not Path("brag-report.html").exists()


def test_report_on_a_terminal_is_written_to_a_file(journal, tmp_path):
    fill(journal)
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "brag.cli", "export", "report"],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=os.environ,
        timeout=60,
        text=True,
    )
    os.close(follower)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "brag-report.html"
    assert written.read_text().startswith("<!DOCTYPE html>")
    assert proc.stderr.strip() == f"Wrote {written} (open it in a browser)"


def test_report_of_an_empty_period(brag, journal, tmp_path):
    fill(journal)
    out = tmp_path / "empty.html"
    brag("export", "report", "-o", str(out), "--period", "2001")
    html = out.read_text()
    assert "No entries in this period yet." in html
    assert "0 entries" in html and "2001" in html
    assert 'class="bar"' not in html


def test_report_by_quarter(brag, journal, tmp_path):
    fill(journal)
    out = tmp_path / "q.html"
    brag("export", "report", "-o", str(out), "--by", "quarter")
    stacked = re.search(r"<svg[^>]*chart-stacked.*?</svg>", out.read_text(), re.S).group(0)
    assert "Entries per quarter" in stacked
    assert re.search(r">\d{4}Q[1-4]<", stacked)


def test_report_template_override(brag, journal, tmp_path):
    fill(journal)
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "report.html.j2").write_text(
        "<p>{{ summary.total }} entries; first: {{ entries[-1].entry.title }}</p>\n"
    )
    result = brag("export", "report")
    assert result.stdout == "<p>4 entries; first: Cut checkout p99 from 800ms to 200ms</p>\n"


@pytest.mark.parametrize(
    "args, config, message",
    [
        (["--target", "wizard"], None, "unknown target level 'wizard'; known levels: mid"),
        ([], ("export.report.top", "many"), "export.report.top must be a whole number"),
        ([], ("export.report.by", "week"), "export.report.by must be month, quarter or auto"),
        (["--period", "someday"], None, "someday"),
    ],
)
def test_report_bad_input_is_one_line(brag, journal, tmp_path, args, config, message):
    fill(journal)
    if config:
        journal.config_set(*config)
    out = tmp_path / "bad.html"
    result = brag("export", "report", "-o", str(out), *args, expect=1)
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not out.exists()


def test_report_only_writes_html(brag, journal):
    result = brag("export", "report", "--format", "md", expect=2)
    assert "'md' is not 'html'" in result.stderr or "html" in result.stderr


class Rewording:
    @brag_hookimpl
    def reframe_entry(self, entry: Entry, audience: str) -> str | None:
        return f"<i>{entry.title.upper()}</i>" if audience == "exec" else None


def test_report_top_stories_use_the_reframe_hook(brag, journal, tmp_path):
    fill(journal)
    manager.get_plugin_manager().register(Rewording(), name="rewording")
    out = tmp_path / "exec.html"
    brag("export", "report", "-o", str(out), "--audience", "exec")
    html = out.read_text()
    assert "<strong>&lt;i&gt;CUT CHECKOUT P99 FROM 800MS TO 200MS&lt;/i&gt;</strong>" in html
    assert "written for: exec" in html
    brag("export", "report", "-o", str(out))
    assert "CUT CHECKOUT" not in out.read_text()


def test_report_is_written_as_of_brag_today(brag, journal, tmp_path, monkeypatch):
    fill(journal)
    monkeypatch.setenv("BRAG_TODAY", "2030-01-15")
    out = tmp_path / "fixed.html"
    brag("export", "report", "-o", str(out))
    assert "generated 2030-01-15" in out.read_text()


@pytest.mark.parametrize("args, config, stories", [
    (["--top", "0"], None, 0),
    (["--top", "2"], ("export.report.top", 3), 2),
    ([], ("export.report.top", 3), 3),
])  # fmt: skip
def test_report_top_count(brag, journal, tmp_path, args, config, stories):
    fill(journal)
    if config:
        journal.config_set(*config)
    out = tmp_path / "top.html"
    brag("export", "report", "-o", str(out), *args)
    html = out.read_text()
    assert html.count('<li class="story">') == stories
    assert ('id="top-stories"' in html) == bool(stories)
    assert "No entries in this period yet." not in html
