"""Kept documents and the warm analysis cache: a warm ``brag coach`` or export reads
no entry, yet every edit shows on the next run exactly as a cold run shows it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import fixtures_journal as fx
import pytest

from brag import coach, impact
from brag.journal import Journal


@pytest.fixture
def fixture_journal(journal_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Journal:
    monkeypatch.setenv("BRAG_TODAY", fx.TODAY.isoformat())
    return fx.build(journal_dir)


def caches(journal: Journal) -> tuple[Path, Path]:
    where = journal.root / ".git" / "brag"
    return where / "documents", where / "impact-cache.pickle"


def cold(brag, journal: Journal, *args: str) -> str:
    """The output of a run with every cache gone (this process's memo too)."""
    documents, analyses = caches(journal)
    shutil.rmtree(documents, ignore_errors=True)
    analyses.unlink(missing_ok=True)
    impact.clear_memo()
    return brag(*args).stdout


def warm(brag, *args: str) -> str:
    """A second run in a fresh process would only have the caches on disk."""
    impact.clear_memo()
    return brag(*args).stdout


def entry_file(journal: Journal, entry_id: str) -> Path:
    (entry,) = journal.index.by_id_prefix(entry_id)
    return journal.root / entry.path


COMMANDS = [
    ("coach",),
    ("coach", "--json"),
    ("coach", "--all", "--period", "2026H1"),
    ("export", "status"),
    ("export", "self-review", "--period", "2026H1"),
    ("export", "promo-brief", "--period", "2026H1"),
    ("export", "one-on-one", "--no-remember"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_warm_run_is_the_cold_run(brag, fixture_journal, args):
    first = cold(brag, fixture_journal, *args)
    documents, analyses = caches(fixture_journal)
    assert analyses.is_file() and any(documents.iterdir())
    assert warm(brag, *args) == first
    assert warm(brag, *args) == first


def test_a_warm_coach_reads_no_entry(brag, fixture_journal, monkeypatch):
    first = cold(brag, fixture_journal, "coach", "--json")

    def refuse(*args, **kwargs):
        raise AssertionError("the review was computed again")

    monkeypatch.setattr(coach, "review", refuse)
    monkeypatch.setattr(Journal, "entries", refuse)
    assert warm(brag, "coach", "--json") == first


def test_a_warm_export_reads_no_entry(brag, fixture_journal, monkeypatch):
    first = cold(brag, fixture_journal, "export", "self-review", "--period", "2026H1")

    def refuse(*args, **kwargs):
        raise AssertionError("the entries were read again")

    monkeypatch.setattr(Journal, "entries", refuse)
    assert warm(brag, "export", "self-review", "--period", "2026H1") == first


EDITED = [
    ("coach", "--all"),
    ("coach", "--json"),
    ("export", "status", "--since", "2026-02-01", "--until", "2026-02-08"),
    ("export", "self-review", "--period", "2026H1", "-f", "json"),
    ("export", "one-on-one", "--since", "2026-02-01", "--until", "2026-02-08", "--no-remember"),
]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # title
        (
            'title = "Worked on the flaky tests in CI"',
            'title = "Worked on the flaky tests in the SLO dashboards"',
        ),
        # impact: no longer activity, now with a number
        (
            'impact = "Worked on the flaky tests"',
            'impact = "Cut CI failures from 30 to 3 a week"',
        ),
    ],
    ids=["title", "impact"],
)
@pytest.mark.parametrize("args", EDITED, ids=" ".join)
def test_a_hand_edit_shows_on_the_next_warm_run(brag, fixture_journal, args, old, new):
    before = cold(brag, fixture_journal, *args)
    assert warm(brag, *args) == before
    path = entry_file(fixture_journal, "a0000005")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    after = warm(brag, *args)
    assert after != before
    assert after == cold(brag, fixture_journal, *args)


def test_a_body_edit_shows_in_the_coach(brag, fixture_journal):
    # The body's numbers make an entry quantified: its "No quantified outcome" goes.
    before = json.loads(cold(brag, fixture_journal, "coach", "--json"))
    assert "quantify" in {f["kind"] for f in before["findings"] if f["entry_id"] == "a0000005"}
    path = entry_file(fixture_journal, "a0000005")
    path.write_text(
        path.read_text(encoding="utf-8") + "\nFlaky failures fell from 40% to 2% of runs.\n",
        encoding="utf-8",
    )
    after = json.loads(warm(brag, "coach", "--json"))
    assert "quantify" not in {f["kind"] for f in after["findings"] if f["entry_id"] == "a0000005"}
    assert after == json.loads(cold(brag, fixture_journal, "coach", "--json"))


def test_brag_edit_and_rm_show_on_the_next_warm_run(brag, fixture_journal):
    args = ("export", "self-review", "--period", "2026H1", "-f", "json")
    before = cold(brag, fixture_journal, *args)
    brag("edit", "a0000006", "--title", "Fixed a race in the ledger writer")
    edited = warm(brag, *args)
    assert "fixed a race in the ledger writer" in edited.lower()
    assert edited == cold(brag, fixture_journal, *args)
    brag("rm", "a0000006")
    removed = warm(brag, *args)
    assert "fixed a race in the ledger writer" not in removed.lower()
    assert removed == cold(brag, fixture_journal, *args)
    assert before != edited


def test_a_new_duplicate_shows_in_a_warm_coach(brag, fixture_journal):
    before = json.loads(cold(brag, fixture_journal, "coach", "--json"))
    assert not [f for f in before["findings"] if f["kind"] == "duplicate"]
    # A hand edit makes a0000005 (Feb 3) tell the story of a0000006 (Feb 5).
    path = entry_file(fixture_journal, "a0000005")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'title = "Worked on the flaky tests in CI"',
            'title = "Found and fixed a race condition in the ledger writer"',
        ),
        encoding="utf-8",
    )
    after = json.loads(warm(brag, "coach", "--json"))
    assert [f for f in after["findings"] if f["kind"] == "duplicate"]
    assert after == json.loads(cold(brag, fixture_journal, "coach", "--json"))


def test_a_config_edit_shows_on_the_next_warm_run(brag, fixture_journal):
    before = cold(brag, fixture_journal, "coach", "--json")
    config = fixture_journal.root / "brag.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[glossary]\nCI = ""\n', encoding="utf-8"
    )
    after = warm(brag, "coach", "--json")
    assert after != before
    assert after == cold(brag, fixture_journal, "coach", "--json")


def test_deleted_caches_are_rebuilt(brag, fixture_journal):
    first = cold(brag, fixture_journal, "coach")
    documents, analyses = caches(fixture_journal)
    shutil.rmtree(fixture_journal.root / ".git" / "brag")
    assert warm(brag, "coach") == first
    assert analyses.is_file() and any(documents.iterdir())
    documents.joinpath(next(documents.iterdir()).name).write_bytes(b"garbage")
    assert warm(brag, "coach") == first


def test_only_a_bounded_number_of_documents_is_kept(brag, fixture_journal, monkeypatch):
    from brag import outputs

    monkeypatch.setattr(outputs, "KEPT", 8)
    for day in range(1, 14):
        brag("export", "status", "--until", f"2026-05-{day:02d}")
    documents, _ = caches(fixture_journal)
    assert len(list(documents.iterdir())) == 8


def test_the_console_script_sees_an_edit_with_warm_caches(fixture_journal, tmp_path):
    """Whole processes, as a user runs them: warm, edit by hand, warm again."""
    script = Path(sys.executable).with_name("brag")
    env = dict(os.environ)

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    first = run("coach", "--all")
    assert run("coach", "--all") == first
    path = entry_file(fixture_journal, "a0000005")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'title = "Worked on the flaky tests in CI"', 'title = "Worked on the kubernetes CI"'
        ),
        encoding="utf-8",
    )
    after = run("coach", "--all")
    assert "Worked on the kubernetes CI" in after
    assert "Worked on the flaky tests in CI" not in after
    shutil.rmtree(fixture_journal.root / ".git" / "brag")
    assert run("coach", "--all") == after


FORM = """\
title = "2026 mid-year review"

[[question]]
text = "What were your most significant accomplishments this cycle?"
max_chars = 160
"""


def test_a_file_named_in_an_option_is_part_of_the_key(brag, fixture_journal, tmp_path):
    form = tmp_path / "form.toml"
    form.write_text(FORM, encoding="utf-8")
    args = ("export", "self-review", "--form", str(form), "-f", "json")
    before = cold(brag, fixture_journal, *args)
    assert warm(brag, *args) == before
    form.write_text(FORM.replace("mid-year", "year-end"), encoding="utf-8")
    after = warm(brag, *args)
    assert "2026 year-end review" in after
    assert after == cold(brag, fixture_journal, *args)


def test_a_document_written_into_the_journal_does_not_stale_the_next(
    brag, fixture_journal, monkeypatch
):
    """``brag export report`` run in the journal writes brag-report.html there: the
    next run is still served from the kept document, and it is the same page."""
    out = fixture_journal.root / "brag-report.html"
    args = ("export", "report", "--period", "2026H1", "-o", str(out))
    cold(brag, fixture_journal, *args)
    first = out.read_text(encoding="utf-8")

    def refuse(*args, **kwargs):
        raise AssertionError("the entries were read again")

    monkeypatch.setattr(Journal, "entries", refuse)
    warm(brag, *args)
    assert out.read_text(encoding="utf-8") == first
    warm(brag, *args)
    assert out.read_text(encoding="utf-8") == first


def test_kept_documents_are_bounded_in_size(brag, fixture_journal, monkeypatch):
    from brag import outputs

    brag("export", "report", "--period", "2026H1", "-o", "-")
    documents, _ = caches(fixture_journal)
    (report,) = documents.iterdir()
    monkeypatch.setattr(outputs, "KEPT_BYTES", report.stat().st_size + 10)
    brag("export", "report", "--period", "2026Q1", "-o", "-")
    brag("export", "report", "--period", "2026Q2", "-o", "-")
    kept = list(documents.iterdir())
    assert len(kept) == 1 and report not in kept


def test_a_checkout_and_a_pull_show_on_the_next_warm_run(brag, fixture_journal, tmp_path):
    """The kept document follows the index's rows token: git moving the entry files
    under it (an old commit checked out and back, a pull) is seen, never served stale."""
    from conftest import git

    args = ("export", "self-review", "--period", "2026H1", "-f", "json")
    root = fixture_journal.root
    first = cold(brag, fixture_journal, *args)
    old = git(root, "rev-parse", "HEAD").strip()
    brag("edit", "a0000006", "--title", "Fixed a race in the ledger writer")
    edited = warm(brag, *args)
    assert "fixed a race in the ledger writer" in edited.lower()
    git(root, "checkout", "-q", old)
    assert warm(brag, *args) == first
    git(root, "checkout", "-q", "-")
    assert warm(brag, *args) == edited
    # Another clone moves on; a pull brings its change into this journal.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(root), str(other))
    path = entry_file(fixture_journal, "a0000006").relative_to(root)
    theirs = other / path
    theirs.write_text(
        theirs.read_text(encoding="utf-8").replace("Fixed a race", "Removed a race"),
        encoding="utf-8",
    )
    git(other, "commit", "-q", "-am", "retitled elsewhere")
    git(root, "pull", "-q", "--no-rebase", str(other), "HEAD")
    pulled = warm(brag, *args)
    assert "removed a race in the ledger writer" in pulled.lower()
    assert pulled == cold(brag, fixture_journal, *args)
