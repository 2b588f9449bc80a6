"""The index's rows token: a kept document is keyed by it, so it must change with
every change to the rows, and only then."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from brag import outputs
from brag.entry import Entry
from brag.index import FILE_VERSION, Index
from brag.journal import Journal

from conftest import git


def token(root: Path) -> str | None:
    """The token as a new process sees it (after its own refresh)."""
    index = Index(root)
    try:
        return index.rows_token()
    finally:
        index.close()


def titles(root: Path) -> list[str]:
    return sorted(e.title for e in Journal(root).entries())


def test_the_token_changes_with_every_change_to_the_rows(journal: Journal, tmp_path: Path):
    assert token(journal.root) is None  # nothing indexed yet
    first = journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    seen = [token(journal.root)]
    assert seen[0] is not None

    def changed() -> None:
        now = token(journal.root)
        assert now not in seen
        seen.append(now)

    journal.add(Entry(title="Beta", date=dt.date(2026, 3, 2)))  # brag's own write
    changed()
    path = journal.root / first.path
    path.write_text(path.read_text(encoding="utf-8").replace("Alpha", "Alpha, by hand"))
    changed()
    by_hand = Entry(title="Typed by hand", date=dt.date(2026, 3, 3))
    (journal.root / by_hand.default_path()).write_text(by_hand.to_markdown(), encoding="utf-8")
    changed()
    path.unlink()
    changed()
    assert titles(journal.root) == ["Beta", "Typed by hand"]
    # A commit by hand of what the index already holds moves no row.
    git(journal.root, "add", "-A", "entries")
    git(journal.root, "commit", "-q", "-m", "by hand")
    assert token(journal.root) == seen[-1]
    assert token(journal.root) == seen[-1]
    # A checkout of an old commit and back, a pull, a deleted index.
    old = git(journal.root, "rev-parse", "HEAD~1").strip()
    git(journal.root, "checkout", "-q", old)
    changed()
    git(journal.root, "checkout", "-q", "main")
    changed()
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(journal.root), str(other))
    mine = token(other)
    Journal(journal.root).add(Entry(title="From the first machine", date=dt.date(2026, 3, 4)))
    git(other, "pull", "-q", "--no-rebase", "origin", "main")
    assert token(other) != mine
    assert "From the first machine" in titles(other)
    shutil.rmtree(journal.root / ".git" / "brag")
    changed()


def test_an_index_of_the_older_schema_is_rebuilt_with_a_token(journal: Journal):
    """An index written before the token (or by an older brag meanwhile) holds rows
    no token vouches for: its schema version sends it back to a rebuild."""
    journal.add(Entry(title="Kept", date=dt.date(2026, 3, 1)))
    before = token(journal.root)
    where = journal.root / ".git" / "brag" / "index.sqlite"
    db = sqlite3.connect(where, isolation_level=None)
    db.execute("DELETE FROM meta WHERE key = 'rows'")
    db.execute("UPDATE files SET shown = 'stale line'")
    db.execute(f"PRAGMA user_version={FILE_VERSION - 100}")
    db.close()
    after = token(journal.root)
    assert after is not None and after != before
    assert Journal(journal.root).index.lines() != ["stale line"]
    db = sqlite3.connect(where)
    assert db.execute("PRAGMA user_version").fetchone()[0] == FILE_VERSION
    db.close()


def test_a_documents_key_reads_no_row(journal: Journal):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    fresh = Journal(journal.root)
    fresh.index.refresh()
    statements: list[str] = []
    fresh.index.db.set_trace_callback(statements.append)
    first = outputs.key(fresh, "coach")
    assert first is not None
    assert statements and not [s for s in statements if "FROM files" in s]
    assert outputs.key(Journal(journal.root), "coach") == first
    assert outputs.key(Journal(journal.root), "export") != first
    journal.add(Entry(title="Beta", date=dt.date(2026, 3, 2)))
    assert outputs.key(Journal(journal.root), "coach") != first


def test_an_empty_journal_has_a_key(journal: Journal):
    """No row was ever written: the key still exists, and an add changes it."""
    first = outputs.key(Journal(journal.root), "coach")
    assert first is not None and first == outputs.key(Journal(journal.root), "coach")
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    assert outputs.key(Journal(journal.root), "coach") != first


def test_the_index_is_read_through_a_memory_map_that_survives_a_rebuild(journal: Journal):
    """Each process maps the index file instead of copying its pages; another
    process replacing a damaged index (delete, rebuild) leaves the first one's
    mapping whole: it keeps reading (healing as it does without a map), and the
    next reader sees the new file."""
    from brag.index import MMAP_BYTES

    for day in range(1, 4):
        journal.add(Entry(title=f"Mapped {day}", date=dt.date(2026, 3, day), body="x" * 5000))
    first = Index(journal.root)
    try:
        assert first.db.execute("PRAGMA mmap_size").fetchone()[0] == MMAP_BYTES
        assert len(list(first.query())) == 3
        # Another process finds the file damaged: deletes it and builds a new one.
        first.location.unlink()
        second = Index(journal.root)
        try:
            assert len(list(second.query())) == 3
        finally:
            second.close()
        # The first reader goes on: no crash from the mapping, the same rows.
        assert sorted(e.title for e in first.query()) == ["Mapped 1", "Mapped 2", "Mapped 3"]
    finally:
        first.close()
    assert sorted(e.title for e in Journal(journal.root).entries()) == [
        "Mapped 1",
        "Mapped 2",
        "Mapped 3",
    ]


def test_every_field_comes_back_from_the_index_with_its_content_digest(journal: Journal):
    """Rows are marshal data, or a pickle when a value holds a date (an outcome's, or
    a TOML date in a field brag does not know); both read back as the entry written,
    with the digest the analysis cache is keyed by, and an edit by hand changes the
    digest the index keeps."""
    from brag.entry import content_digest

    plain = Entry(
        "Cut p95 checkout latency",
        dt.date(2026, 3, 2),
        tags=["perf"],
        impact="checkout p95 420 ms -> 180 ms",
        metrics=[{"name": "p95", "before": 420, "after": 180, "unit": "ms"}],
        with_=["Sam Lee"],
        follow_up=dt.date(2026, 4, 2),
        inbox_cleared=dt.date(2026, 3, 9),
        body="Rolled out behind a flag.\r\nNo incidents.",
        private=True,
    )
    dated = Entry(
        "Ran the Q2 capacity review",
        dt.date(2026, 3, 3),
        extra={"review_due": dt.date(2026, 6, 1)},  # a TOML date: not marshal data
        outcome={"date": dt.date(2026, 4, 1), "text": "two hosts freed"},
    )
    journal.add(plain)
    journal.add(dated)
    index = Index(journal.root)
    try:
        found = dict((entry.id, (entry, digest)) for entry, digest, _ in index.query_keyed())
        kinds = {
            id_: blob[0] == 0x80 for id_, blob in index.db.execute("SELECT id, entry FROM files")
        }
    finally:
        index.close()
    assert kinds == {plain.id: False, dated.id: True}
    for written in (plain, dated):
        entry, digest = found[written.id]
        assert entry == Journal(journal.root).read_file(written.path)
        assert entry.follow_up == written.follow_up and entry.extra == written.extra
        assert digest == content_digest(entry) == content_digest(written)

    path = journal.root / plain.path
    path.write_text(path.read_text().replace("No incidents.", "One rollback."))
    again = {e.id: d for e, d, _ in Journal(journal.root).entries_keyed()}
    assert again[plain.id] != found[plain.id][1]
    assert again[plain.id] == content_digest(Journal(journal.root).read_file(plain.path))


def test_an_entry_is_alone_until_another_read_with_it_shares_its_story_or_figures(
    journal: Journal,
):
    """query_keyed says which entries have no twin among those read (no other with
    the same normalised title or the same metric values), from the index's columns;
    a hand edit and a narrower period change the answer."""
    day = dt.date(2026, 3, 2)
    latency = [{"name": "p95", "before": 420, "after": 180, "unit": "ms"}]
    one = journal.add(Entry("Cut checkout latency", day, metrics=latency))
    retold = journal.add(Entry("cut CHECKOUT latency!", day + dt.timedelta(days=40)))
    figures = journal.add(Entry("Shipped the edge cache", day, metrics=latency))
    floats = journal.add(
        Entry("Tuned the pool", day, metrics=[{"name": "p95", "value": 1.0, "unit": "s"}])
    )
    ints = journal.add(
        Entry("Tuned the queue", day, metrics=[{"name": "p95", "value": 1, "unit": "s"}])
    )
    plain = journal.add(Entry("Wrote the on-call guide", day))

    def alone(**query: object) -> dict[str, bool]:
        keyed = Journal(journal.root).entries_keyed(**query)
        return {entry.title: flag for entry, _, flag in keyed}

    assert alone() == {
        one.title: False,  # its story is retold, its figures repeated
        retold.title: False,
        figures.title: False,
        floats.title: True,  # 1.0 and 1 as written: what groups() buckets apart
        ints.title: True,
        plain.title: True,
    }
    # Read without the retelling, the first entry still shares its figures.
    assert alone(until=day.isoformat())[one.title] is False
    path = journal.root / figures.path
    path.write_text(path.read_text().replace("after = 180", "after = 170"))
    assert alone(until=day.isoformat())[one.title] is True
    assert alone()[one.title] is False
    path = journal.root / retold.path
    path.write_text(path.read_text().replace("CHECKOUT", "search"))
    assert all(alone().values())


def _log_bytes(root: Path) -> int:
    log = Path(str(Index(root).location) + "-wal")
    return log.stat().st_size if log.exists() else 0


def test_a_large_write_leaves_no_long_log_behind(tmp_path: Path, monkeypatch):
    """SQLite keeps its write-ahead log at its largest until a later write, and
    every process that opens the index pays for a long one: a cold rebuild (or
    any large write) folds it into the index file, unless another process is
    reading at that moment, in which case it neither waits nor fails."""
    import sys
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import gen

    from brag import index

    monkeypatch.setattr(index, "LOG_LIMIT", 64 * 1024)
    root = tmp_path / "journal"
    gen.build_journal(root, 300)
    entries = list(Journal(root).entries())
    assert len(entries) == 300
    assert _log_bytes(root) <= 64 * 1024

    # Every file edited while another process reads: the refresh rewrites all
    # 300 rows, neither waiting for the reader nor failing, and leaves the log.
    reader = sqlite3.connect(Index(root).location, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM files").fetchall()
        for path in (root / "entries").rglob("*.md"):
            path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
        started = time.perf_counter()
        assert len(list(Journal(root).entries())) == 300
        assert time.perf_counter() - started < index.LOCK_TIMEOUT + 5
        assert _log_bytes(root) > 64 * 1024
    finally:
        reader.close()
    # Once nobody reads, the next large write folds it in.
    Journal(root).index.record(entries[:50])
    assert _log_bytes(root) <= 64 * 1024
    assert sorted(e.id for e in Journal(root).entries()) == sorted(e.id for e in entries)
