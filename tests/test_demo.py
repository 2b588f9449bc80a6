"""``brag demo``: a sample journal of about 40 entries, the brief, and the HTML report."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from brag import manager
from brag.journal import Journal


def commits(path: Path) -> list[str]:
    return subprocess.run(
        ["git", "-C", str(path), "log", "--format=%s"], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def test_demo_creates_a_year_of_entries_and_the_report(brag, tmp_path, journal_dir):
    folder = tmp_path / "sample"
    started = time.monotonic()
    result = brag("demo", "--dir", str(folder))
    elapsed = time.monotonic() - started
    journal = Journal(folder)
    entries = list(journal.entries(include_private=True))
    assert 35 <= len(entries) <= 45
    today = dt.date.today()
    dates = sorted(e.date for e in entries)
    assert dates[0] >= today - dt.timedelta(days=366) and dates[-1] <= today
    assert (dates[-1] - dates[0]).days > 300
    months = {(d.year, d.month) for d in dates}
    assert len(months) >= 12
    github = [e for e in entries if e.source == "github"]
    assert len(github) >= 10
    assert all(e.url.startswith("https://github.com/") and e.source_id for e in github)
    assert any("incident" in e.tags and "risk" in e.areas for e in entries)
    assert any("design-doc" in e.tags and "strategy" in e.areas for e in entries)
    assert any(e.leverage == "interpersonal" and "people" in e.areas for e in entries)
    assert sum(1 for e in entries if e.metrics) >= 10
    # Typed entries were committed one by one, the pull requests in one import commit.
    log = commits(folder)
    assert log.count("brag: import sample pull requests") == 1
    assert sum(1 for m in log if m.startswith("brag: add ")) == len(entries) - len(github)
    assert journal.uncommitted_entries() == []
    assert journal.config_get("user.target_level") == "staff"

    report = folder / "brag-report.html"
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count('class="bar"') > 15
    assert f"Wrote the HTML report: {report}" in result.stdout
    assert f"Created a sample journal with {len(entries)} entries" in result.stdout
    assert f"brag -C {folder} stats" in result.stdout
    # The report is not left as an untracked file in the sample journal.
    status = subprocess.run(
        ["git", "-C", str(folder), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status == ""
    # The user's own journal ($BRAG_DIR) was not created or touched.
    assert not journal_dir.exists()
    assert elapsed < 30


def test_demo_default_folder_is_a_fresh_temporary_one(brag, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    first = brag("demo").stdout
    second = brag("demo").stdout
    made = sorted((tmp_path / "tmp").iterdir())
    assert len(made) == 2 and all(p.name.startswith("brag-demo-") for p in made)
    for folder in made:
        assert (folder / "brag-report.html").is_file()
        assert Journal(folder).index.count() >= 35
    assert str(made[0]) in first + second and str(made[1]) in first + second
    assert first != second


def test_demo_refuses_a_folder_that_is_not_empty(brag, tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = brag("demo", "--dir", str(folder), expect=1)
    assert result.stderr.strip() == (
        f"Error: {folder} is not empty: give 'brag demo --dir' a new or empty folder"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_demo_without_a_brief_exporter_says_so(brag, tmp_path, monkeypatch):
    monkeypatch.setattr(manager, "DEFAULT_PLUGINS", ("brag.plugins.report",))
    result = brag("demo", "--dir", str(tmp_path / "d"))
    assert "(No 'promo-brief' exporter is installed here, so there is no brief to show.)" in (
        result.stdout
    )
    assert (tmp_path / "d" / "brag-report.html").is_file()


def test_demo_prints_the_promotion_brief(brag, tmp_path):
    if "promo-brief" not in manager.exporters():
        pytest.skip("this build has no promo-brief exporter")
    manager._pm = None
    result = brag("demo", "--dir", str(tmp_path / "d"))
    out = result.stdout
    assert "brag export promo-brief --target staff" in out
    brief = out.split("brag export promo-brief --target staff")[1].split("Wrote the HTML")[0]
    assert len(brief.strip().splitlines()) > 10
    assert "Cut" in brief or "down" in brief


def test_demo_honours_the_global_dir_option(brag, tmp_path):
    brag("-C", str(tmp_path / "via-c"), "demo")
    assert Journal(tmp_path / "via-c").index.count() >= 35
