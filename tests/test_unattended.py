"""`brag import` with no source, as cron or a systemd timer runs it: no prompts, no
progress bar off a terminal, one line per source, exit 0 / 3 / 1."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from brag import hookimpl
from brag.cli import EXIT_IMPORT_FAILED, EXIT_IMPORTED, EXIT_NOTHING_NEW
from brag.entry import Entry, stable_id
from brag.errors import ImportSourceError
from brag.importing import Importer

from conftest import git


def feed_importer(name: str) -> Importer:
    """Reads ``[{"id", "title", "date"}]`` from the URL in ``[import.NAME] url``."""

    def fetch(context):
        import httpx

        url = context.option("url")
        try:
            response = httpx.get(url, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ImportSourceError(f"{url}: {exc}") from None
        for item in response.json():
            yield Entry(
                title=item["title"],
                date=dt.date.fromisoformat(item["date"]),
                id=stable_id(name, item["id"]),
                source=name,
                source_id=item["id"],
            )

    return Importer(name=name, help=f"The {name} feed.", fetch=fetch)


class Feeds:
    @hookimpl
    def register_importers(self, register):
        register(feed_importer("feed"))
        register(feed_importer("news"))


@pytest.fixture
def feeds(journal, httpserver):
    from brag import manager

    manager.get_plugin_manager().register(Feeds(), name="feeds")
    journal.config_path.write_text(
        f'[user]\nname = "A"\n\n[import.feed]\nurl = "{httpserver.url_for("/feed")}"\n\n'
        f'[import.news]\nurl = "{httpserver.url_for("/news")}"\n'
    )
    git(journal.root, "commit", "--quiet", "-am", "configure feeds")
    return httpserver


def serve(httpserver, feed: list[dict], news: list[dict] | None, news_status: int = 200) -> None:
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_json(feed)
    if news_status == 200:
        httpserver.expect_request("/news").respond_with_json(news or [])
    else:
        httpserver.expect_request("/news").respond_with_data("boom", status=news_status)


ITEMS = [
    {"id": "1", "title": "Shipped search", "date": "2026-03-02"},
    {"id": "2", "title": "Cut costs", "date": "2026-03-05"},
]


def test_exit_codes_and_one_line_per_source(brag, journal, feeds):
    assert (EXIT_IMPORTED, EXIT_NOTHING_NEW, EXIT_IMPORT_FAILED) == (0, 3, 1)
    serve(feeds, ITEMS, [{"id": "a", "title": "Wrote the RFC", "date": "2026-03-03"}])

    first = brag("import", expect=0)
    assert first.stdout.splitlines() == [
        "feed: added 2, already present 0, skipped 0",
        "news: added 1, already present 0, skipped 0",
    ]
    assert first.stderr == ""  # no progress bar, no prompt: stderr is not a terminal
    assert git(journal.root, "status", "--porcelain") == ""

    again = brag("import", expect=3)
    assert again.stdout.splitlines() == [
        "feed: added 0, already present 2, skipped 0",
        "news: added 0, already present 1, skipped 0",
    ]

    serve(feeds, [*ITEMS, {"id": "3", "title": "Hired two", "date": "2026-03-09"}], None, 500)
    failed = brag("import", expect=1)
    assert failed.stdout.splitlines() == ["feed: added 1, already present 2, skipped 0"]
    [line] = failed.stderr.splitlines()
    assert line.startswith("news: failed: ") and "500" in line
    titles = sorted(e.title for e in journal.entries())
    assert titles == ["Cut costs", "Hired two", "Shipped search", "Wrote the RFC"]


def test_quiet_prints_nothing_but_keeps_the_exit_codes(brag, journal, feeds):
    serve(feeds, ITEMS, [])
    assert brag("import", "--quiet", expect=0).output == ""
    assert brag("import", "-q", expect=3).output == ""
    serve(feeds, ITEMS, None, 503)
    failed = brag("import", "--quiet", expect=1)
    assert failed.stdout == "" and failed.stderr.startswith("news: failed: ")


def test_nothing_configured_is_a_failure(brag, journal):
    result = brag("import", expect=1)
    assert "no import sources configured" in result.stderr


def test_import_with_auto_sync_pushes_once(brag, journal, feeds, tmp_path: Path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(bare)], check=True)
    brag("remote", "set", str(bare))
    brag("config", "set", "sync.auto", "true")
    serve(feeds, ITEMS, [])
    brag("import", expect=0)
    assert git(bare, "rev-parse", "main") == git(journal.root, "rev-parse", "HEAD")
    assert git(bare, "log", "-1", "--format=%s", "main").startswith("brag: import")


def test_unattended_doc_shows_cron_and_systemd_and_the_exit_codes():
    doc = (Path(__file__).parent.parent / "docs" / "unattended.md").read_text()
    for needle in ("crontab", "brag-daily.service", "brag-daily.timer", "SuccessExitStatus=3"):
        assert needle in doc
    for code, meaning in ((0, "imported"), (3, "nothing new"), (1, "failed")):
        assert f"| {code} | {meaning}" in doc
