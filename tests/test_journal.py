from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from brag.entry import Entry
from brag.errors import ConfigError, JournalError, NotFoundError
from brag.journal import Journal, locate

from conftest import git

D = dt.date(2026, 3, 14)


def test_locate_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    explicit = tmp_path / "explicit"
    assert locate(explicit) == explicit.resolve()
    monkeypatch.setenv("BRAG_DIR", str(tmp_path / "env"))
    assert locate(None) == (tmp_path / "env").resolve()
    monkeypatch.delenv("BRAG_DIR")
    enclosing = Journal(tmp_path / "enc")
    enclosing.init()
    deep = enclosing.root / "entries" / "2026"
    deep.mkdir(parents=True)
    assert locate(None, cwd=deep) == enclosing.root.resolve()
    # Nothing else: the per-user data folder.
    assert locate(None, cwd=tmp_path).name == "brag"
    assert str(tmp_path / "xdg-data") in str(locate(None, cwd=tmp_path))


def test_init_creates_repo_config_and_readme(journal_dir: Path):
    j = Journal(journal_dir)
    assert j.init() is True
    assert (journal_dir / ".git").is_dir()
    assert (journal_dir / "brag.toml").is_file()
    assert "brag journal" in (journal_dir / "README.md").read_text()
    assert git(journal_dir, "log", "--format=%s").strip() == "brag: init journal"
    assert j.init() is False  # idempotent
    assert git(journal_dir, "rev-list", "--count", "HEAD").strip() == "1"


def test_add_writes_one_file_and_one_commit(journal: Journal):
    entry = journal.add(Entry(title="Shipped the thing", date=D, tags=["x"]))
    assert entry.path == "entries/2026/03/2026-03-14-shipped-the-thing.md"
    assert (journal.root / entry.path).read_text().startswith("+++\n")
    log = git(journal.root, "log", "--format=%s", "--name-status", "-1")
    assert 'brag: add "Shipped the thing"' in log
    assert "A\tentries/2026/03/2026-03-14-shipped-the-thing.md" in log
    assert git(journal.root, "status", "--porcelain") == ""
    assert entry.created is not None and entry.updated == entry.created


def test_same_title_same_day_gets_suffix(journal: Journal):
    a = journal.add(Entry(title="Fix", date=D))
    b = journal.add(Entry(title="Fix", date=D))
    assert a.path.endswith("2026-03-14-fix.md")
    assert b.path.endswith("2026-03-14-fix-2.md")
    assert a.id != b.id


def test_add_leaves_users_other_changes_alone(journal: Journal):
    (journal.root / "notes.txt").write_text("draft\n")
    (journal.root / "staged.txt").write_text("staged\n")
    git(journal.root, "add", "staged.txt")
    readme = journal.root / "README.md"
    readme.write_text(readme.read_text() + "my edit\n")
    journal.add(Entry(title="Shipped", date=D))
    committed = git(journal.root, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["entries/2026/03/2026-03-14-shipped.md"]
    status = git(journal.root, "status", "--porcelain")
    assert "A  staged.txt" in status
    assert " M README.md" in status
    assert "?? notes.txt" in status


def test_update_and_remove_keep_history(journal: Journal):
    entry = journal.add(Entry(title="Shipped", date=D))
    entry.impact = "saved 2 hours a week"
    journal.update(entry)
    assert "saved 2 hours" in (journal.root / entry.path).read_text()
    journal.remove(entry)
    assert not (journal.root / entry.path).exists()
    subjects = git(journal.root, "log", "--format=%s").splitlines()
    assert subjects[:3] == ['brag: rm "Shipped"', 'brag: edit "Shipped"', 'brag: add "Shipped"']
    assert "saved 2 hours" in git(journal.root, "show", f"HEAD~1:{entry.path}")


def test_get_by_prefix(journal: Journal):
    a = journal.add(Entry(title="A", date=D, id="3f9c0001"))
    journal.add(Entry(title="B", date=D, id="3f9c0002"))
    assert journal.get("3f9c0001").title == "A"
    assert journal.get("3f9c0001") == a
    with pytest.raises(NotFoundError, match="ambiguous"):
        journal.get("3f9c")
    with pytest.raises(NotFoundError, match="no entry"):
        journal.get("zzz")


def test_index_follows_hand_edits_and_deletions(journal: Journal):
    entry = journal.add(Entry(title="Original", date=D))
    assert [e.title for e in journal.entries()] == ["Original"]
    path = journal.root / entry.path
    path.write_text(path.read_text().replace("Original", "Renamed by hand"))
    os.utime(path, ns=(1, 1))  # make sure the stat changes even on coarse clocks
    fresh = Journal(journal.root)
    assert [e.title for e in fresh.entries()] == ["Renamed by hand"]
    path.unlink()
    assert list(Journal(journal.root).entries()) == []


def test_index_can_be_deleted_and_rebuilt(journal: Journal):
    journal.add(Entry(title="Kept", date=D))
    assert journal.index.count() == 1
    journal.index.close()
    journal.index.location.unlink()
    assert [e.title for e in Journal(journal.root).entries()] == ["Kept"]


def test_broken_files_are_skipped_not_fatal(journal: Journal):
    journal.add(Entry(title="Good", date=D))
    bad = journal.root / "entries" / "2026" / "03" / "bad.md"
    bad.write_text('+++\nid = "x"\ndate = 2026-03-01\ntitle = unquoted\n+++\n')
    fresh = Journal(journal.root)
    assert [e.title for e in fresh.entries()] == ["Good"]
    [broken] = fresh.broken()
    assert broken.path == "entries/2026/03/bad.md" and broken.line == 4


def test_non_utf8_entry_is_reported(journal: Journal):
    bad = journal.root / "entries" / "2026" / "03" / "latin1.md"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b'+++\nid = "x"\ndate = 2026-03-01\ntitle = "caf\xe9"\n+++\n')
    [broken] = Journal(journal.root).broken()
    assert "not UTF-8" in broken.reason


def test_query_filters(journal: Journal):
    journal.add(Entry(title="Old perf win", date=dt.date(2025, 6, 1), tags=["Perf"]))
    journal.add(Entry(title="New perf win", date=dt.date(2026, 2, 1), tags=["perf"]))
    journal.add(
        Entry(title="Secret", date=dt.date(2026, 2, 2), private=True, body="Latency talk with Zoë")
    )
    titles = [e.title for e in journal.entries(since="2026-01-01")]
    assert titles == ["Secret", "New perf win"]
    assert [e.title for e in journal.entries(tags=["PERF"])] == ["New perf win", "Old perf win"]
    assert [e.title for e in journal.entries(include_private=False, since="2026-01-01")] == [
        "New perf win"
    ]
    assert [e.title for e in journal.entries(text="zoë latency")] == ["Secret"]
    assert [e.title for e in journal.entries(text="100%")] == []
    assert [e.title for e in journal.entries(limit=1, newest_first=False)] == ["Old perf win"]


def test_import_entries_dedups_and_commits_once(journal: Journal):
    def drafts():
        return [
            Entry(title="PR one", date=D, source="github", source_id="a/b#1"),
            Entry(title="PR two", date=D, source="github", source_id="a/b#2"),
            Entry(title="PR two again", date=D, source="github", source_id="a/b#2"),
            ("a/b#3", "bot author"),
        ]

    first = journal.import_entries("github", drafts(), state={"until": D})
    assert (len(first.added), len(first.present), len(first.skipped)) == (2, 1, 1)
    assert git(journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: import 2 entries from github"
    )
    assert journal.read_state("import-github") == {"until": D}
    # The user edits an imported entry; a re-run must neither overwrite nor duplicate it.
    edited = journal.get(first.added[0].id)
    edited.title = "PR one, reworded by me"
    journal.update(edited)
    head = git(journal.root, "rev-parse", "HEAD")
    second = journal.import_entries("github", drafts())
    assert (len(second.added), len(second.present)) == (0, 3)
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert journal.get(edited.id).title == "PR one, reworded by me"
    assert len(list(Journal(journal.root).entries())) == 2


def test_import_dry_run_writes_nothing(journal: Journal):
    head = git(journal.root, "rev-parse", "HEAD")
    result = journal.import_entries(
        "github", [Entry(title="PR", date=D, source_id="a/b#1")], dry_run=True
    )
    assert len(result.added) == 1
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert not (journal.root / "entries").exists()


def test_config_errors_are_clear(journal: Journal):
    journal.config_path.write_text("[user\nname = 1\n")
    with pytest.raises(ConfigError, match="brag.toml"):
        Journal(journal.root).check_usable()


def test_not_a_git_repo_is_clear(tmp_path: Path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "brag.toml").write_text("")
    with pytest.raises(JournalError, match="not a git repository"):
        Journal(folder).check_usable()


def test_config_set_commits(journal: Journal):
    journal.config_set("user.name", "Ada Lovelace")
    assert Journal(journal.root).config_get("user.name") == "Ada Lovelace"
    assert git(journal.root, "log", "-1", "--format=%s").strip() == "brag: config user.name"


def test_cursor_alone_moves_without_a_commit(journal: Journal):
    from brag.importing import Importer, run_import

    batches = [[Entry(title="One", date=D, source_id="1")], []]
    importer = Importer(name="feed", help="", fetch=lambda ctx: batches.pop(0))
    run_import(journal, importer, options={})
    head = git(journal.root, "rev-parse", "HEAD")
    assert journal.read_state("import-feed")["until"] == dt.date.today()
    run_import(journal, importer, options={})  # nothing new: no commit just for the cursor
    assert git(journal.root, "rev-parse", "HEAD") == head


def test_removed_import_does_not_come_back(journal: Journal):
    def drafts():
        return [Entry(title="Bot bump", date=D, source="github", source_id="a/b#9")]

    [entry] = journal.import_entries("github", drafts()).added
    journal.remove(journal.get(entry.id))
    assert "brag: rm" in git(journal.root, "log", "-1", "--format=%s")
    assert git(journal.root, "status", "--porcelain") == ""
    again = journal.import_entries("github", drafts())
    assert again.added == []
    assert again.skipped == [("Bot bump", "removed earlier with brag rm")]
    assert list(Journal(journal.root).entries()) == []


# -- index freshness comes from git ---------------------------------------------------------------


def _titles(journal_root: Path) -> list[str]:
    return sorted(e.title for e in Journal(journal_root).entries())


def _git(root: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def test_index_sees_hand_edits_new_files_and_deletions(journal: Journal):
    a = journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    b = journal.add(Entry(title="Beta", date=dt.date(2026, 3, 2)))
    assert _titles(journal.root) == ["Alpha", "Beta"]
    path = journal.root / a.path
    path.write_text(path.read_text().replace("Alpha", "Alpha edited"))  # not committed
    (journal.root / b.path).unlink()
    extra = Entry(title="Typed by hand", date=dt.date(2026, 3, 3))
    extra_path = journal.root / extra.default_path()
    extra_path.write_text(extra.to_markdown())
    assert _titles(journal.root) == ["Alpha edited", "Typed by hand"]
    # Committed by hand: still right, and the rows are reused, not re-read.
    _git(journal.root, "add", "-A", "entries")
    _git(journal.root, "commit", "-q", "-m", "by hand")
    assert _titles(journal.root) == ["Alpha edited", "Typed by hand"]
    assert Journal(journal.root).index.refresh() == 0


def test_index_follows_a_checkout_of_an_old_commit_and_back(journal: Journal):
    journal.add(Entry(title="Old", date=dt.date(2026, 3, 1)))
    old = _git(journal.root, "rev-parse", "HEAD").strip()
    e = journal.add(Entry(title="New", date=dt.date(2026, 3, 2)))
    e.title = "New, retitled"
    journal.update(e)
    assert _titles(journal.root) == ["New, retitled", "Old"]
    _git(journal.root, "checkout", "-q", old)
    assert _titles(journal.root) == ["Old"]
    _git(journal.root, "checkout", "-q", "main")
    assert _titles(journal.root) == ["New, retitled", "Old"]


def test_index_follows_a_git_pull(journal: Journal, tmp_path: Path):
    journal.add(Entry(title="Shared", date=dt.date(2026, 3, 1)))
    other = tmp_path / "other"
    _git(tmp_path, "clone", "-q", str(journal.root), str(other))
    assert _titles(other) == ["Shared"]  # the clone's index is built
    journal.add(Entry(title="From the first machine", date=dt.date(2026, 3, 2)))
    _git(other, "pull", "-q", "--no-rebase", "origin", "main")
    assert _titles(other) == ["From the first machine", "Shared"]


def test_index_is_rebuilt_when_git_brag_is_deleted(journal: Journal):
    import shutil

    journal.add(Entry(title="Survives", date=dt.date(2026, 3, 1)))
    assert _titles(journal.root) == ["Survives"]
    shutil.rmtree(journal.root / ".git" / "brag")
    assert _titles(journal.root) == ["Survives"]


def test_index_freshness_costs_no_stat_of_every_file(journal: Journal, monkeypatch):
    """With the index warm, a read asks git and re-reads nothing: no full scan."""
    from brag import index

    for n in range(5):
        journal.add(Entry(title=f"Entry {n}", date=dt.date(2026, 3, n + 1)))
    assert len(_titles(journal.root)) == 5

    def no_scan(*args: object) -> None:
        raise AssertionError("scanned every entry file")

    monkeypatch.setattr(index, "scan", no_scan)
    assert len(_titles(journal.root)) == 5
    journal.add(Entry(title="One more", date=dt.date(2026, 3, 9)))
    assert len(_titles(journal.root)) == 6


def _settle(root: Path, seconds_ago: int = 3600) -> None:
    """Date every folder under entries/ an hour back, as in a journal not touched today."""
    import time

    then = time.time_ns() - seconds_ago * 1_000_000_000
    for folder, _dirs, _files in os.walk(root / "entries"):
        os.utime(folder, ns=(then, then))


def _status_calls(monkeypatch) -> list[tuple[str, ...]]:
    from brag import index

    calls: list[tuple[str, ...]] = []
    real = index._git

    def spy(root: Path, *args: str):
        if args and args[0] == "status":
            calls.append(args)
        return real(root, *args)

    monkeypatch.setattr(index, "_git", spy)
    return calls


def test_settled_folders_skip_the_untracked_search_and_nothing_is_missed(
    journal: Journal, monkeypatch
):
    a = journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    b = journal.add(Entry(title="Beta", date=dt.date(2026, 3, 2)))
    journal.add(Entry(title="Gamma", date=dt.date(2026, 4, 2)))
    _settle(journal.root)
    calls = _status_calls(monkeypatch)
    assert _titles(journal.root) == ["Alpha", "Beta", "Gamma"]  # records the folders
    assert _titles(journal.root) == ["Alpha", "Beta", "Gamma"]
    assert "--untracked-files=no" in calls[-1]

    path = journal.root / a.path
    with open(path, "w", encoding="utf-8") as fh:  # in place: the folder does not change
        fh.write(a.to_markdown().replace("Alpha", "Alpha edited"))
    assert _titles(journal.root)[0] == "Alpha edited"
    assert "--untracked-files=no" in calls[-1]

    by_hand = Entry(title="Typed by hand", date=dt.date(2026, 3, 3))
    hand_path = journal.root / by_hand.default_path()
    hand_path.write_text(by_hand.to_markdown())  # a new file: its folder's time moves
    assert "Typed by hand" in _titles(journal.root)
    assert "--untracked-files=all" in calls[-1]

    _settle(journal.root)
    _titles(journal.root)  # folders settled again, the untracked file known
    with open(hand_path, "w", encoding="utf-8") as fh:
        fh.write(by_hand.to_markdown().replace("Typed by hand", "Retyped in place"))
    assert "Retyped in place" in _titles(journal.root)
    assert "--untracked-files=no" in calls[-1]
    with open(hand_path, "w", encoding="utf-8") as fh:  # and again: it stays watched
        fh.write(by_hand.to_markdown().replace("Typed by hand", "Retyped twice"))
    assert "Retyped twice" in _titles(journal.root)

    (journal.root / b.path).unlink()
    assert "Beta" not in _titles(journal.root)
    assert "--untracked-files=no" in calls[-1]  # a file gone is seen without git's search

    Journal(journal.root).add(Entry(title="Added by brag", date=dt.date(2026, 3, 9)))
    assert "Added by brag" in _titles(journal.root)
    assert "--untracked-files=no" in calls[-1]  # brag's own add is known: no search

    empty = journal.root / "entries" / "2026" / "05"
    empty.mkdir()
    _settle(journal.root)
    assert len(_titles(journal.root)) == 4  # records the empty folder too
    late = Entry(title="Into the empty folder", date=dt.date(2026, 5, 1))
    (empty / Path(late.default_path()).name).write_text(late.to_markdown())
    assert "Into the empty folder" in _titles(journal.root)


def test_an_add_moves_the_index_to_its_own_commit_without_asking_git(journal: Journal, monkeypatch):
    from brag import index

    journal.add(Entry(title="First", date=dt.date(2026, 3, 1)))
    assert _titles(journal.root) == ["First"]  # the index exists and is fresh
    before = _git(journal.root, "rev-parse", "HEAD").strip()
    journal.add(Entry(title="Second", date=dt.date(2026, 3, 2)))
    calls: list[tuple[str, ...]] = []
    real = index._git
    monkeypatch.setattr(index, "_git", lambda root, *a: calls.append(a) or real(root, *a))
    assert _titles(journal.root) == ["First", "Second"]
    assert not [c for c in calls if c[0] == "diff"]

    # Someone else's commit in between: the index is not moved past it.
    _git(journal.root, "commit", "-q", "--allow-empty", "-m", "by hand")
    assert journal._own_commit(before) is None
    after_hand = _git(journal.root, "rev-parse", "HEAD").strip()
    journal.add(Entry(title="Third", date=dt.date(2026, 3, 3)))
    assert journal._own_commit(after_hand) is not None
    assert _titles(journal.root) == ["First", "Second", "Third"]


def test_a_folder_changed_within_the_clock_tick_is_never_trusted(journal: Journal):
    """A file created in the same tick as the folder time was read is still found."""
    journal.add(Entry(title="First", date=dt.date(2026, 3, 1)))
    folder = journal.root / "entries" / "2026" / "03"
    assert _titles(journal.root) == ["First"]  # the folder changed just now
    tick = folder.stat().st_mtime_ns
    second = Entry(title="Same tick", date=dt.date(2026, 3, 2))
    (folder / Path(second.default_path()).name).write_text(second.to_markdown())
    os.utime(folder, ns=(tick, tick))  # a clock that has not moved on
    assert _titles(journal.root) == ["First", "Same tick"]


def test_plain_commit_only_when_nothing_else_is_staged(journal: Journal):
    """The fast commit is used only when git's index is exactly HEAD's tree."""
    from brag.gitcmd import index_matches_head

    journal.add(Entry(title="First", date=D))
    assert index_matches_head(journal.root)
    (journal.root / "README.md").write_text("changed, not staged\n")
    assert index_matches_head(journal.root)  # the working tree does not matter
    git(journal.root, "add", "README.md")
    assert not index_matches_head(journal.root)
    second = journal.add(Entry(title="Second", date=D))
    committed = git(journal.root, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == [second.path]
    assert "M  README.md" in git(journal.root, "status", "--porcelain")
    git(journal.root, "commit", "-q", "-m", "readme")
    journal.remove(second)  # a deletion through the fast path
    assert git(journal.root, "show", "--name-status", "--format=", "HEAD").split() == [
        "D",
        second.path,
    ]
    assert git(journal.root, "status", "--porcelain") == ""


def test_a_file_arriving_during_a_rebuild_is_seen_next_time(journal: Journal, monkeypatch):
    """The folders' record is taken as they are listed, before the parse: a
    file that arrives while a long rebuild parses is not vouched for."""
    import shutil

    from brag import index

    first = journal.add(Entry(title="Before", date=dt.date(2026, 3, 1)))
    _settle(journal.root)
    shutil.rmtree(journal.root / ".git" / "brag")
    folder = (journal.root / first.path).parent
    late = Entry(title="Arrived during the parse", date=dt.date(2026, 3, 2))
    real = index.parse_rows

    def parse_then_arrive(root, items, *more):
        rows = real(root, items, *more)
        before = os.stat(folder).st_mtime_ns
        (folder / Path(late.default_path()).name).write_text(late.to_markdown())
        # As if the parse had taken minutes: the folder's new time is not recent.
        os.utime(folder, ns=(before + 1_000_000_000, before + 1_000_000_000))
        return rows

    monkeypatch.setattr(index, "parse_rows", parse_then_arrive)
    assert _titles(journal.root) == ["Before"]
    monkeypatch.setattr(index, "parse_rows", real)
    assert _titles(journal.root) == ["Arrived during the parse", "Before"]


def test_a_cold_rebuild_records_each_files_own_stat_and_skips_placeholders(journal: Journal):
    """An empty index lists the files without stat'ing them; each row still holds
    the (mtime, size) of the file it was read from, as a stat'ing refresh would,
    so the next refresh re-reads nothing; an empty placeholder has no row."""
    import shutil
    import sqlite3

    from brag import index

    for n in range(3):
        journal.add(Entry(title=f"Entry {n}", date=dt.date(2026, 3, n + 1)))
    (journal.root / "entries" / "2026" / "03" / "placeholder.md").write_text("")
    shutil.rmtree(journal.root / ".git" / "brag")
    assert _titles(journal.root) == ["Entry 0", "Entry 1", "Entry 2"]
    db = sqlite3.connect(journal.root / ".git" / "brag" / "index.sqlite")
    rows = {p: (m, s) for p, m, s in db.execute("SELECT path, mtime_ns, size FROM files")}
    on_disk = index.scan(journal.root / "entries", journal.root)
    assert rows == on_disk and len(rows) == 3
    assert index.Index(journal.root).refresh() == 0  # nothing to read again


def test_an_older_indexs_json_record_is_read_and_rewritten(journal: Journal):
    """Indexes written before kept their records as JSON text: they are read as
    they are (no rebuild) and written back in the new form; a garbled record sends
    the refresh back to comparing every file."""
    import json
    import sqlite3

    journal.add(Entry(title="Kept", date=dt.date(2026, 3, 1)))
    assert _titles(journal.root) == ["Kept"]
    where = journal.root / ".git" / "brag" / "index.sqlite"
    db = sqlite3.connect(where, isolation_level=None)
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert isinstance(meta["dirty"], bytes) and isinstance(meta["folders"], bytes)
    from brag.index import _meta_value

    for key, default in (("dirty", []), ("folders", {})):
        db.execute(
            "UPDATE meta SET value = ? WHERE key = ?",
            (json.dumps(_meta_value(meta[key], default)), key),
        )
    (journal.root / "entries" / "2026" / "03" / "by-hand.md").write_text(
        '+++\nid = "hand1"\ndate = 2026-03-02\ntitle = "By hand"\n+++\n'
    )
    assert sorted(_titles(journal.root)) == ["By hand", "Kept"]
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert isinstance(meta["dirty"], bytes) and isinstance(meta["folders"], bytes)
    assert "entries/2026/03/by-hand.md" in _meta_value(meta["dirty"], [])

    db.execute("UPDATE meta SET value = ? WHERE key = 'dirty'", (b"\xff garbled",))
    (journal.root / "entries" / "2026" / "03" / "by-hand.md").unlink()
    assert _titles(journal.root) == ["Kept"]


def test_brag_toml_is_kept_checked_and_never_read_stale(journal: Journal):
    """A checked brag.toml is kept beside the index with its text: an unchanged
    file is not parsed again, a changed one always is (a new value, a new
    warning, a new error), and the kept copy is never in the journal."""
    import subprocess
    import sys

    j = Journal(journal.root)
    j.check_usable()
    kept = journal.root / ".git" / "brag" / "config.marshal"
    assert kept.is_file()
    assert git(journal.root, "status", "--porcelain") == ""

    # An unchanged brag.toml: settings come back without the TOML parser.
    script = (
        "import sys; from brag.journal import Journal; j = Journal(sys.argv[1]); "
        "j.check_usable(); print(j.config['user']['name'], 'tomllib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(journal.root)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.split()[-1] == "False", out.stderr

    text = journal.config_path.read_text()
    changed = text.replace('name = ""', 'name = "Ada"') + "\n[mystery]\nx = 1\n"
    journal.config_path.write_text(changed)
    j = Journal(journal.root)
    j.check_usable()
    assert j.config["user"]["name"] == "Ada"
    assert any("mystery" in w for w in j.config_warnings)
    again = Journal(journal.root)
    again.check_usable()  # now from the kept copy: the same warning
    assert again.config["user"]["name"] == "Ada" and again.config_warnings == j.config_warnings

    journal.config_path.write_text("[user\nname = 1\n")
    with pytest.raises(ConfigError, match="brag.toml"):
        Journal(journal.root).check_usable()
    kept.write_bytes(b"not marshal at all")
    journal.config_path.write_text(text)
    Journal(journal.root).check_usable()  # an unreadable kept copy is simply replaced
