"""``brag import incidents``: postmortems in real folders and git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from gitrepo import Repo, all_entries, count_commits

ME = ("Test User", "test@example.com")
ALICE = ("Alice", "alice@example.com")

YAML_PM = """\
---
title: Checkout database ran out of disk
date: 2026-03-14
authors:
  - Test User <test@example.com>
  - Bob
severity: SEV1
duration: 1h 15m
services: [checkout, postgres]
---

# Checkout database ran out of disk

## Summary

The primary database ran out of disk and checkout failed for all regions.

## Customer impact

12% of checkout attempts failed; about 3,400 orders were delayed.

## Root cause(s)

A runaway audit table grew 40 GB in a day.

## Action items

- [ ] Alert at 80% disk
- [x] Add retention to the audit table
"""

TOML_PM = """\
+++
title = "Login outage"
date = 2026-04-02
incident_commander = "test@example.com"
started = "2026-04-02T09:10:00+00:00"
resolved = "2026-04-02T09:55:00+00:00"
+++

## Impact

Nobody could log in for 45 minutes.

## Root cause

An expired certificate.
"""

PLAIN_PM = """\
# Search latency incident

**Date:** 2026-05-20

## Summary

Search p99 went from 300ms to 9s.

## Duration

2 hours

## Root cause

A missing index after a migration.
"""


@pytest.fixture
def postmortems(tmp_path: Path) -> Path:
    """A postmortems repository: two with front matter, one only git knows is mine,
    one by Alice (front matter), one by Alice (git)."""
    repo = Repo(tmp_path / "postmortems", remote="https://github.com/acme/postmortems.git")
    repo.commit(
        "DB postmortem", ALICE, "2026-03-16T10:00:00+00:00", path="2026/db-disk.md", content=YAML_PM
    )
    repo.commit(
        "Login postmortem",
        ALICE,
        "2026-04-03T10:00:00+00:00",
        path="2026/login.md",
        content=TOML_PM,
    )
    repo.commit(
        "Search postmortem",
        ME,
        "2026-05-21T10:00:00+00:00",
        path="2026/search.md",
        content=PLAIN_PM,
    )
    repo.commit(
        "Alice's postmortem",
        ME,
        "2026-06-01T10:00:00+00:00",
        path="2026/cdn.md",
        content="---\ndate: 2026-06-01\nauthor: Alice\n---\n# CDN outage\n\n## Summary\n\nx\n",
    )
    repo.commit(
        "Alice's queue postmortem",
        ALICE,
        "2026-06-10T10:00:00+00:00",
        path="2026/queue.md",
        content="# Queue backlog\n\nDate: 2026-06-09\n\n## Summary\n\nThe queue backed up.\n",
    )
    repo.commit(
        "Template",
        ME,
        "2026-01-01T10:00:00+00:00",
        path="TEMPLATE.md",
        content="# Title\n\n## Summary\n\n## Impact\n",
    )
    return repo.root


def test_imports_my_postmortems(brag, journal, postmortems):
    result = brag("import", "incidents", str(postmortems))
    assert "incidents: added 3, already present 0, skipped 2" in result.stdout
    db, login, search = all_entries(journal)

    assert db.title == "Checkout database ran out of disk"
    assert db.date.isoformat() == "2026-03-14"
    assert db.areas == ["risk"] and db.leverage == "execution"
    assert db.impact == "12% of checkout attempts failed; about 3,400 orders were delayed."
    assert db.metrics == [{"name": "duration", "value": 75, "unit": "min"}]
    assert db.tags == ["incident", "sev1", "checkout", "postgres"]
    assert db.with_ == ["Bob"]
    assert db.extra["role"] == "author"
    assert db.source == "incidents"
    assert db.source_id == "acme/postmortems:2026/db-disk.md"
    assert db.url == str((postmortems / "2026" / "db-disk.md").resolve())
    assert "Root cause: A runaway audit table grew 40 GB in a day." in db.body
    assert "- Alert at 80% disk" in db.body

    # TOML front matter; the duration comes from started/resolved.
    assert login.title == "Login outage"
    assert login.extra["role"] == "incident commander"
    assert login.metrics == [{"name": "duration", "value": 45, "unit": "min"}]
    assert login.impact == "Nobody could log in for 45 minutes."

    # No front matter: the date is in the document, the author is in git.
    assert search.date.isoformat() == "2026-05-20"
    assert search.extra["role"] == "author"
    assert search.metrics == [{"name": "duration", "value": 120, "unit": "min"}]
    assert search.impact == "Resolved in 2 hours."

    log = subprocess.run(
        ["git", "-C", str(journal.root), "log", "-1", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert log == "brag: import 3 entries from incidents"


def test_rerun_and_dry_run(brag, journal, postmortems):
    before = count_commits(journal)
    dry = brag("import", "incidents", str(postmortems), "--dry-run")
    assert "would add 3" in dry.stdout
    assert count_commits(journal) == before and all_entries(journal) == []
    brag("import", "incidents", str(postmortems))
    after = count_commits(journal)
    again = brag("import", "incidents", str(postmortems))
    assert "added 0, already present 3" in again.stdout
    assert count_commits(journal) == after  # nothing new, cursor unchanged: no commit
    assert len(all_entries(journal)) == 3


def test_since_until(brag, journal, postmortems):
    result = brag(
        "import",
        "incidents",
        str(postmortems),
        "--since",
        "2026-04",
        "--until",
        "2026-04-30",
        "--json",
    )
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Login outage"]
    # A later plain run does not resume past older documents: they carry their own dates.
    result = brag("import", "incidents", str(postmortems), "--json")
    assert sorted(e["title"] for e in json.loads(result.stdout)["entries"]) == [
        "Checkout database ran out of disk",
        "Search latency incident",
    ]


def test_author_option(brag, journal, postmortems):
    result = brag(
        "import",
        "incidents",
        str(postmortems),
        "--author",
        "alice@example.com",
        "--author",
        "Alice",
        "--json",
    )
    titles = sorted(e["title"] for e in json.loads(result.stdout)["entries"])
    assert titles == ["CDN outage", "Queue backlog"]


def test_postmortem_without_date(brag, journal, tmp_path):
    folder = tmp_path / "pm"
    folder.mkdir()
    (folder / "good.md").write_text(YAML_PM)
    (folder / "undated.md").write_text(
        "---\nauthor: test@example.com\n---\n# Cache stampede\n\n## Summary\n\nIt stampeded.\n"
    )
    result = brag("import", "incidents", str(folder))
    assert (
        "skipped pm/undated.md: no date (add 'date: YYYY-MM-DD' front matter or a 'Date:' line)"
        in result.stderr
    )
    assert "added 1, already present 0, skipped 1" in result.stdout
    again = brag("import", "incidents", str(folder))
    assert "added 0, already present 1, skipped 1" in again.stdout
    assert [e.title for e in all_entries(journal)] == ["Checkout database ran out of disk"]


def test_broken_yaml_front_matter_names_the_file_and_line(brag, journal, tmp_path):
    folder = tmp_path / "pm"
    folder.mkdir()
    (folder / "good.md").write_text(YAML_PM)
    (folder / "broken.md").write_text(
        "---\nauthor: test@example.com\ndate: 2026-03-02\nsummary: [unclosed\n---\n"
        "# Cache stampede\n\n## Summary\n\nIt stampeded.\n"
    )
    (folder / "dangling.md").write_text(
        "---\nauthor: test@example.com\njust text\ndate: 2026-03-02\n---\n# Queue\n"
    )
    result = brag("import", "incidents", str(folder), "--json")
    skipped = {s["item"]: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    # Lines count from the file's first line, the opening "---".
    assert skipped["pm/broken.md"] == (
        "front matter line 4: can't read 'summary: [unclosed' "
        "(expected ',' or ']', but got '<stream end>')"
    )
    assert skipped["pm/dangling.md"].startswith("front matter line 3: can't read 'just text'")
    assert [e.title for e in all_entries(journal)] == ["Checkout database ran out of disk"]


def test_yaml_front_matter_keeps_dates_and_durations_as_written(tmp_path):
    from brag.documents import split_front_matter

    meta, _, _ = split_front_matter(
        "---\ndate: 2026-03-14\nduration: 01:30\ncount: 3\ndraft: no\n"
        "summary: |\n  one\n  two\nOwner:\n  Name: Alice\n---\n"
    )
    assert meta == {
        "date": "2026-03-14",
        "duration": "01:30",
        "count": 3,
        "draft": False,
        "summary": "one\ntwo",
        "owner": {"name": "Alice"},
    }


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads any folder whatever its mode; "
    "test_unreadable_directory_as_the_os_reports_it covers it",
)
def test_unreadable_directory(brag, journal, tmp_path):
    folder = tmp_path / "pm"
    (folder / "secret").mkdir(parents=True)
    (folder / "good.md").write_text(YAML_PM)
    (folder / "secret").chmod(0)
    try:
        before = count_commits(journal)
        result = brag("import", "incidents", str(folder), expect=1)
        assert f"Error: cannot read folder {folder / 'secret'}: Permission denied" in result.output
        assert count_commits(journal) == before
        assert all_entries(journal) == []
    finally:
        (folder / "secret").chmod(0o755)


def test_path_below_a_file(brag, journal, tmp_path):
    afile = tmp_path / "notes.md"
    afile.write_text("x")
    before = count_commits(journal)
    result = brag("import", "incidents", str(afile / "sub"), expect=1)
    assert f"Error: {afile / 'sub'}: not a folder ({afile} is a file)" in result.output
    assert "Traceback" not in result.output
    assert count_commits(journal) == before


def test_missing_path(brag, journal, tmp_path, postmortems):
    before = count_commits(journal)
    result = brag("import", "incidents", str(postmortems), str(tmp_path / "nope"), expect=1)
    assert f"Error: {tmp_path / 'nope'}: no such file or folder" in result.output
    assert count_commits(journal) == before
    assert all_entries(journal) == []


def test_not_a_postmortem(brag, journal, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "shopping.md").write_text("# Shopping\n\n- milk\n")
    result = brag("import", "incidents", str(folder), "--json")
    data = json.loads(result.stdout)
    assert data["added"] == 0
    assert data["skipped"] == [
        {
            "item": "notes/shopping.md",
            "reason": "not a postmortem (no summary, impact or root cause section)",
        }
    ]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("47 minutes", 47),
        ("2h 15m", 135),
        ("1 hour and 30 mins", 90),
        ("1.5 hours", 90),
        ("PT1H30M", 90),
        ("01:30", 90),
        ("3 days", 4320),
        ("45 min (detected after 5 minutes)", 45),
        ("about 2 hrs, then 10 minutes of cleanup", 120),
        ("a while", None),
    ],
)
def test_parse_duration(text, minutes):
    from brag.plugins.incidents import parse_duration

    assert parse_duration(text) == minutes


def test_unreadable_directory_as_the_os_reports_it(brag, journal, tmp_path, monkeypatch):
    """The same failure for root, who reads any mode: the folder listing itself
    fails with EACCES, exactly as os.scandir reports it to a normal user."""
    folder = tmp_path / "pm"
    (folder / "secret").mkdir(parents=True)
    (folder / "good.md").write_text(YAML_PM)
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(folder / "secret"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    before = count_commits(journal)
    result = brag("import", "incidents", str(folder), expect=1)
    assert f"Error: cannot read folder {folder / 'secret'}: Permission denied" in result.output
    assert "Traceback" not in result.output
    assert count_commits(journal) == before
    assert all_entries(journal) == []
