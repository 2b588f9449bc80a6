"""``brag import docs``: design docs, RFCs and ADRs in real folders and repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo, all_entries, count_commits

ME = ("Test User", "test@example.com")
ALICE = ("Alice", "alice@example.com")

ADR_MINE = """\
# 7. Use PostgreSQL for orders

## Status

Accepted

## Context

Orders live in three stores and reconciling them costs a day a month.

## Decision

Move orders to PostgreSQL.
"""

ADR_ALICE = """\
# 8. Use Kafka

## Status

Proposed

## Context

We need a queue.
"""

RFC_CO = """\
---
title: "RFC: Multi-region checkout"
status: superseded
authors: [alice@example.com, Test User]
date: 2025-11-02
tags: [checkout]
---

# Multi-region checkout

## Summary

Run checkout in two regions so one region's outage no longer stops sales.

## Impact

Removes the single largest revenue risk.
"""

RST_DOC = """\
:Authors: Test User; Alice
:Status: Accepted
:Date: 2025-09-01

==============================
 Caching tier for the catalogue
==============================

Abstract
--------

A shared cache in front of the catalogue service.
It halves database load.

Design
------

Details.
"""


@pytest.fixture
def docs_repo(tmp_path: Path) -> Path:
    repo = Repo(tmp_path / "platform", remote="git@github.com:acme/platform.git")
    repo.commit(
        "ADR 7",
        ME,
        "2026-02-10T10:00:00+00:00",
        path="docs/adr/0007-use-postgres.md",
        content=ADR_MINE,
    )
    repo.commit(
        "ADR 8",
        ALICE,
        "2026-02-11T10:00:00+00:00",
        path="docs/adr/0008-use-kafka.md",
        content=ADR_ALICE,
    )
    # I fixed a typo in Alice's ADR: one line of many is not co-authoring.
    repo.commit(
        "typo",
        ME,
        "2026-02-12T10:00:00+00:00",
        path="docs/adr/0008-use-kafka.md",
        content=ADR_ALICE.replace("queue", "queue!"),
    )
    # I committed the RFC, but its front matter names its authors: that decides.
    repo.commit(
        "RFC", ME, "2026-01-05T10:00:00+00:00", path="docs/rfcs/multi-region.md", content=RFC_CO
    )
    repo.commit(
        "Other RFC",
        ME,
        "2026-01-06T10:00:00+00:00",
        path="docs/rfcs/billing.md",
        content="---\nauthors: [Alice]\ndate: 2026-01-06\n---\n# Billing\n\nText.\n",
    )
    repo.commit(
        "Design",
        ALICE,
        "2026-01-07T10:00:00+00:00",
        path="docs/design/catalogue-cache.rst",
        content=RST_DOC,
    )
    repo.commit(
        "index",
        ME,
        "2026-01-01T10:00:00+00:00",
        path="docs/adr/README.md",
        content="# Decisions\n\n- 0007\n",
    )
    return repo.root / "docs"


def test_imports_only_my_documents(brag, journal, docs_repo):
    result = brag("import", "docs", str(docs_repo))
    assert "docs: added 3, already present 0, skipped 2 (2 not written by you)" in result.stdout
    rst, rfc, adr = all_entries(journal)

    assert adr.title == "7. Use PostgreSQL for orders"
    assert adr.date.isoformat() == "2026-02-10"  # no date in it: its first commit
    assert adr.extra == {"role": "author", "status": "accepted", "adr": 7}
    assert adr.body.strip() == (
        "Orders live in three stores and reconciling them costs a day a month."
    )
    assert adr.areas == ["strategy"] and adr.leverage == "strategic"
    assert adr.tags == ["adr", "platform"]
    assert adr.source == "docs"
    assert adr.source_id == "acme/platform:docs/adr/0007-use-postgres.md"
    assert adr.url == str((docs_repo / "adr" / "0007-use-postgres.md").resolve())

    assert rfc.title == "RFC: Multi-region checkout"
    assert rfc.date.isoformat() == "2025-11-02"
    assert rfc.extra["role"] == "co-author" and rfc.extra["status"] == "superseded"
    assert rfc.with_ == ["alice@example.com"]
    assert rfc.impact == "Removes the single largest revenue risk."
    assert rfc.tags == ["rfc", "checkout", "platform"]

    assert rst.title == "Caching tier for the catalogue"
    assert rst.date.isoformat() == "2025-09-01"
    assert rst.extra["role"] == "author" and rst.extra["status"] == "accepted"
    assert rst.body.strip() == (
        "A shared cache in front of the catalogue service. It halves database load."
    )
    assert rst.tags == ["design-doc", "platform"]


def test_rerun_dry_run_and_period(brag, journal, docs_repo):
    before = count_commits(journal)
    dry = brag("import", "docs", str(docs_repo), "--dry-run", "--json")
    assert json.loads(dry.stdout)["added"] == 3
    assert count_commits(journal) == before
    brag("import", "docs", str(docs_repo))
    after = count_commits(journal)
    again = brag("import", "docs", str(docs_repo))
    assert "added 0, already present 3" in again.stdout
    assert count_commits(journal) == after
    assert len(all_entries(journal)) == 3

    only = brag("import", "docs", str(docs_repo), "--period", "2026", "--dry-run", "--json")
    assert json.loads(only.stdout)["present"] == 1  # the ADR; the others are from 2025


def test_git_coauthor_by_share_of_lines(brag, journal, tmp_path):
    repo = Repo(tmp_path / "rfcs")
    repo.commit(
        "start",
        ALICE,
        "2026-03-01T10:00:00+00:00",
        path="0001-queues.md",
        content="# Queues\n\n## Summary\n\nA queue.\n",
    )
    body = "# Queues\n\n## Summary\n\nA queue.\n\n## Design\n\n" + "".join(
        f"Line {i}.\n" for i in range(10)
    )
    repo.commit(
        "design section", ME, "2026-03-02T10:00:00+00:00", path="0001-queues.md", content=body
    )
    result = brag("import", "docs", str(repo.root), "--json")
    (entry,) = json.loads(result.stdout)["entries"]
    assert entry["title"] == "Queues" and entry["date"] == "2026-03-01"
    assert all_entries(journal)[0].extra["role"] == "co-author"


def test_binary_file_in_docs_folder(brag, journal, tmp_path):
    folder = tmp_path / "design"
    folder.mkdir()
    (folder / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (folder / "broken.md").write_bytes(b"# Title\n\0\0\x01\x02binary")
    (folder / "latin1.md").write_bytes(b"# Caf\xe9\n\nauthors: Test User\n")
    (folder / "mine.md").write_text(
        "---\nauthors: Test User\ndate: 2026-01-02\nstatus: proposed\n---\n# Search v2\n\n"
        "## Context\n\nSearch is slow.\n"
    )
    result = brag("import", "docs", str(folder))
    assert "skipped design/broken.md: binary file, not a text document" in result.stderr
    assert "skipped design/latin1.md: not UTF-8 text (line 1)" in result.stderr
    assert "png" not in result.output
    assert "added 1, already present 0, skipped 2" in result.stdout
    again = brag("import", "docs", str(folder))
    assert "added 0, already present 1, skipped 2" in again.stdout
    assert [e.title for e in all_entries(journal)] == ["Search v2"]


def test_undated_document_outside_git(brag, journal, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "idea.md").write_text("---\nauthor: Test User\n---\n# An idea\n\nText.\n")
    result = brag("import", "docs", str(folder))
    assert "skipped notes/idea.md: no date" in result.stderr
    assert "added 0, already present 0, skipped 1" in result.stdout


def test_bad_front_matter_is_reported_not_fatal(brag, journal, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "bad.md").write_text("+++\ntitle = \n+++\n# X\n")
    (folder / "open.md").write_text("---\ntitle: never closed\n# X\n")
    result = brag("import", "docs", str(folder))
    assert "skipped d/bad.md: bad TOML front matter" in result.stderr
    assert "skipped d/open.md: front matter opened with '---' on line 1 is never closed" in (
        result.stderr
    )


def test_missing_path(brag, journal, tmp_path):
    before = count_commits(journal)
    result = brag("import", "docs", str(tmp_path / "nope"), expect=1)
    assert f"Error: {tmp_path / 'nope'}: no such file or folder" in result.output
    assert count_commits(journal) == before


def test_single_file_that_is_not_a_document(brag, journal, tmp_path):
    pdf = tmp_path / "spec.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    result = brag("import", "docs", str(pdf), expect=1)
    assert "spec.pdf: not a document brag reads" in result.output


def test_paths_from_config(brag, journal, docs_repo):
    journal.config_set("import.docs", {"paths": [str(docs_repo / "adr")]})
    result = brag("import", "docs")
    assert "docs: added 1" in result.stdout


def test_company_style_design_doc_and_adr_tools_format(brag, journal, tmp_path):
    folder = tmp_path / "designs"
    (folder / "doc" / "adr").mkdir(parents=True)
    (folder / "search-v3.md").write_text(
        "# Design: Search v3\n\nAuthors: test@, bob@\nStatus: Draft\nCreated: 2026-02-01\n\n"
        "## Objective\n\nAnswer queries in under 100ms at p99.\n\n## Background\n\nOld.\n"
    )
    (folder / "doc" / "adr" / "0001-record-architecture-decisions.md").write_text(
        "# 1. Record architecture decisions\n\nDate: 2026-01-04\n\n## Status\n\nAccepted\n\n"
        "## Context\n\nWe need to record the architectural decisions made on this project.\n"
    )
    result = brag("import", "docs", str(folder), "--author", "test@example.com", "--json")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Design: Search v3"]
    (entry,) = all_entries(journal)
    assert entry.body.strip() == "Answer queries in under 100ms at p99."
    assert entry.extra == {"role": "author", "status": "draft"}
    assert entry.with_ == ["bob@"]
    # The ADR names no author and is not in git: it is not counted as mine.
    assert "1 not written by you" in brag("import", "docs", str(folder)).stdout
