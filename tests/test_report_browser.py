"""The HTML report in a real browser: headless Chromium driven over the DevTools
protocol (``--remote-debugging-pipe``: JSON messages on file descriptors 3 and
4, so no extra dependency). It checks what a reader would see: no console
errors, charts with bars, a working filter, and an imported title full of HTML
shown as text without running. A screenshot is saved next to the test's files.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from brag.entry import Entry

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
)
EVIL_TITLE = "<img src=x onerror=alert(1)>"


def chromium_path() -> str | None:
    for name in (os.environ.get("BRAG_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, executable: str, profile: Path):
        # Chromium reads commands from fd 3 and writes replies to fd 4; the shell
        # wires those to our stdin/stdout pipes.
        self.proc = subprocess.Popen(
            [
                "sh",
                "-c",
                'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null',
                executable,
                *CHROMIUM_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.replies: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buffer = b""
        while chunk := self.proc.stdout.read1(65536):
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self.inbox.put(json.loads(message))
        self.inbox.put(None)

    def _pump(self, deadline: float) -> None:
        try:
            message = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            return
        if message is None:
            raise RuntimeError("chromium closed the DevTools pipe")
        if "id" in message:
            self.replies[message["id"]] = message
        else:
            self.events.append(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        command: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command).encode() + b"\0")
        self.proc.stdin.flush()
        deadline = time.monotonic() + 30
        while self.next_id not in self.replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply to {method}")
            self._pump(deadline)
        reply = self.replies.pop(self.next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} event")
            self._pump(deadline)

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session,
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        message = (
            "Chromium is not installed: the report's browser test needs it "
            "(Debian: sudo apt-get install -y chromium, or .ci/install-chromium; "
            "or set BRAG_CHROMIUM=/path/to/chromium)"
        )
        if os.environ.get("BRAG_REQUIRE_BROWSER"):
            pytest.fail(message)  # CI installs it, so missing there is a failure
        pytest.skip(message)
    return path


@pytest.fixture
def chromium() -> str:
    return require_chromium()


def test_without_chromium_the_test_is_skipped_with_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no browser on it
    monkeypatch.delenv("BRAG_CHROMIUM", raising=False)
    monkeypatch.delenv("BRAG_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()
    monkeypatch.setenv("BRAG_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        require_chromium()


def _fill_journal(journal: Any) -> None:
    today = dt.date.today()
    typed = [
        Entry(
            title="Cut checkout p99 from 800ms to 200ms",
            date=today - dt.timedelta(days=200),
            impact="Cart abandonment down 3%",
            tags=["perf", "checkout"],
            areas=["customer"],
        ),
        Entry(
            title="Mentored two new hires through on-call",
            date=today - dt.timedelta(days=120),
            tags=["mentoring"],
            areas=["people"],
            leverage="interpersonal",
        ),
        Entry(
            title="Design doc for the search migration",
            date=today - dt.timedelta(days=90),
            tags=["design-doc"],
            areas=["strategy"],
            leverage="strategic",
        ),
        Entry(
            title="Led the SEV1 response for the inventory outage",
            date=today - dt.timedelta(days=30),
            tags=["incident"],
            areas=["risk"],
            impact="Recovered in 12 minutes",
        ),
    ]
    for entry in typed:
        journal.add(entry)
    journal.import_entries(
        "github",
        [
            Entry(
                title=EVIL_TITLE,
                date=today - dt.timedelta(days=60),
                source="github",
                source_id="org/repo#1",
                url="https://github.com/org/repo/pull/1",
                tags=["perf"],
                impact="</script><script>alert(2)</script>",
            ),
            Entry(
                title="Remove the legacy cache layer",
                date=today - dt.timedelta(days=10),
                source="github",
                source_id="org/repo#2",
                url="javascript:alert(3)",
                tags=["cleanup"],
                areas=["cost"],
            ),
        ],
    )


def test_report_in_headless_chromium(chromium, brag, journal, tmp_path: Path):
    _fill_journal(journal)
    journal.config_set("user.name", "<b onmouseover=alert(4)>Sam</b>")
    report = tmp_path / "report.html"
    brag("export", "report", "--format", "html", "-o", str(report), "--target", "staff")

    browser = DevTools(chromium, tmp_path / "chromium-profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable", {}, session)
        # Anything that calls alert() records it instead of blocking the page.
        browser.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": "window.__alerts = []; window.alert = (m) => __alerts.push(String(m));"},
            session,
        )
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        browser.send("Page.navigate", {"url": report.as_uri()}, session)
        browser.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # let late console messages arrive

        state = browser.evaluate(
            session,
            """(() => ({
                alerts: window.__alerts,
                imgs: document.querySelectorAll('main img').length,
                scripts: document.scripts.length,
                stackedBars: document.querySelectorAll('svg.chart-stacked rect.bar').length,
                stackedHeights: [...document.querySelectorAll('svg.chart-stacked rect.bar')]
                    .map(r => r.getBoundingClientRect().height),
                legend: [...document.querySelectorAll('svg.chart-stacked .legend-item')]
                    .map(g => g.textContent),
                leverageBars: document.querySelectorAll('svg.chart-hbars rect.bar').length,
                treeBars: document.querySelectorAll('svg.chart-tree rect.bar').length,
                entries: document.querySelectorAll('#entries .entry').length,
                evilShown: [...document.querySelectorAll('#entries .entry .title')]
                    .some(t => t.textContent.trim() === EVIL),
                heading: document.querySelector('h1').textContent,
                filtersVisible: getComputedStyle(document.querySelector('.filters')).display,
                jsLinks: [...document.querySelectorAll('a')]
                    .filter(a => a.protocol === 'javascript:').length,
            }))()""".replace("EVIL", json.dumps(EVIL_TITLE)),
        )
        problems = [
            e["params"]
            for e in browser.events
            if e["method"] == "Runtime.exceptionThrown"
            or (
                e["method"] == "Runtime.consoleAPICalled"
                and e["params"]["type"] in ("error", "assert")
            )
            or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
        ]
        assert problems == []
        assert state["alerts"] == []
        assert state["imgs"] == 0, "the imported <img> title became an element"
        assert state["scripts"] == 1
        assert state["evilShown"], "the imported title is not shown as text"
        assert state["heading"] == "Impact report: <b onmouseover=alert(4)>Sam</b>"
        assert state["jsLinks"] == 0
        assert state["stackedBars"] >= 5 and all(h > 2 for h in state["stackedHeights"])
        assert {"customer", "people", "strategy", "risk", "cost"} <= set(state["legend"])
        assert state["leverageBars"] >= 2
        assert state["treeBars"] == 2
        assert state["entries"] == 6
        assert state["filtersVisible"] == "flex"

        # The filter narrows the list, by words, tag and area, and widens again.
        assert browser.evaluate(session, "window.bragFilter('checkout', '', '')") == 1
        assert browser.evaluate(session, "window.bragFilter('', 'perf', '')") == 2
        assert browser.evaluate(session, "window.bragFilter('', '', 'people')") == 1
        assert browser.evaluate(session, "window.bragFilter('no such words', '', '')") == 0
        assert (
            browser.evaluate(
                session, "getComputedStyle(document.getElementById('filter-none')).display"
            )
            != "none"
        )
        # Typing in the box (a real input event) filters too.
        browser.evaluate(
            session,
            """(() => { const box = document.getElementById('filter-text');
                box.value = 'mentored'; box.dispatchEvent(new Event('input')); })()""",
        )
        visible = browser.evaluate(
            session,
            "[...document.querySelectorAll('#entries .entry')].filter(e => !e.hidden).length",
        )
        assert visible == 1
        assert browser.evaluate(session, "document.getElementById('filter-count').textContent") == (
            "1 of 6 entries"
        )
        browser.evaluate(session, "window.bragFilter('', '', '')")

        metrics = browser.send("Page.getLayoutMetrics", {}, session)["cssContentSize"]
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": metrics["width"],
                    "height": metrics["height"],
                    "scale": 1,
                },
            },
            session,
        )
        screenshot = tmp_path / "report.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        assert screenshot.stat().st_size > 10_000

        assert not [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    finally:
        browser.close()


# -- hostile links and scripts in every HTML document --------------------------------

HOSTILE_LINKS = (
    "javascript:alert(11)",
    "JaVaScRiPt:alert(12)",
    "java\tscript:alert(13)",
    " javascript:alert(14)",
    "data:text/html,<script>alert(15)</script>",
    "vbscript:msgbox(16)",
)


def _open(browser: DevTools, page: Path) -> str:
    """Load ``page`` in a new tab that records alerts; returns the session id."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Page", "Runtime"):
        browser.send(f"{domain}.enable", {}, session)
    browser.send(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": "window.__alerts = []; window.alert = (m) => __alerts.push(String(m));"},
        session,
    )
    browser.events.clear()
    browser.send("Page.navigate", {"url": page.as_uri()}, session)
    browser.wait_for("Page.loadEventFired")
    time.sleep(0.2)
    return session


INERT_STATE = """(() => {
    const links = [...document.querySelectorAll('a[href]')];
    const before = location.href;
    links.forEach(a => a.click());  // a javascript: link would run here
    return {
        alerts: window.__alerts,
        unsafe: links.filter(a => !['http:', 'https:', 'file:'].includes(a.protocol))
            .map(a => a.getAttribute('href')),
        scripts: [...document.scripts].map(s => s.textContent.slice(0, 40)),
        imgs: document.querySelectorAll('img').length,
        still: location.href === before,
    };
})()"""


def test_hostile_links_in_every_html_export_stay_inert(chromium, brag, journal, tmp_path):
    today = dt.date.today()
    journal.import_entries(
        "github",
        [
            Entry(
                title=f"Shipped fix {i} <script>alert({i})</script><img src=x onerror=alert({i})>",
                date=today - dt.timedelta(days=3),
                source="github",
                source_id=f"org/repo#{i}",
                url=url,
                impact=f"cut p99 by 40% [x](javascript:alert({i}))",
            )
            for i, url in enumerate(HOSTILE_LINKS)
        ],
    )
    pages = []
    for kind, extra in (
        ("self-review", ()),
        ("status", ()),
        ("one-on-one", ("--no-remember",)),
        ("promo-brief", ("--target", "staff")),
        ("report", ()),
    ):
        out = tmp_path / f"{kind}.html"
        brag("export", kind, "-f", "html", "-o", str(out), *extra)
        pages.append(out)
    # A user's report template that prints titles raw: the CSP still blocks them.
    from importlib.resources import files

    source = files("brag.templates").joinpath("report.html.j2").read_text(encoding="utf-8")
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "report.html.j2").write_text(
        source.replace("{{ e.title }}", "{{ e.title | safe }}"), encoding="utf-8"
    )
    raw = tmp_path / "report-safe.html"
    brag("export", "report", "-f", "html", "-o", str(raw))
    assert "<script>alert(0)</script>" in raw.read_text(encoding="utf-8")

    browser = DevTools(chromium, tmp_path / "chromium-profile")
    try:
        for page in [*pages, raw]:
            session = _open(browser, page)
            state = browser.evaluate(session, INERT_STATE)
            # On the raw page the script and the onerror handler are there, and the
            # CSP (brag's own script only) is what keeps them from running.
            assert state["alerts"] == [], page.name
            assert state["unsafe"] == [], page.name
            assert state["still"], page.name
            if page != raw:
                assert state["imgs"] == 0, page.name
                assert all("alert(" not in s for s in state["scripts"]), page.name
            assert not [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    finally:
        browser.close()
