"""brag sync against real remotes: bare repositories on disk and a git daemon on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from brag.entry import Entry
from brag.journal import Journal

from conftest import git

TOKEN = "ghp_test_SECRET123"


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    path = tmp_path / "remotes" / "journal.git"
    path.parent.mkdir()
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(path)], check=True)
    return path


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    return tmp_path / "laptop"


def at(brag, where: Path, *args: str, expect: int | None = 0):
    return brag("--dir", str(where), *args, expect=expect)


def titles(brag, where: Path) -> list[str]:
    import json

    return sorted(e["title"] for e in json.loads(at(brag, where, "list", "--json").stdout))


def head(where: Path) -> str:
    return git(where, "rev-parse", "HEAD").strip()


def clean_and_idle(where: Path) -> None:
    """No rebase or merge in progress, nothing staged or modified."""
    gd = where / ".git"
    for name in ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD"):
        assert not (gd / name).exists(), name
    assert git(where, "status", "--porcelain", "--untracked-files=no") == ""
    assert git(where, "symbolic-ref", "--short", "HEAD").strip() == "main"


def two_machines(brag, journal_dir: Path, laptop: Path, url: str) -> None:
    """The desktop starts the journal and pushes it; the laptop clones it."""
    first = at(brag, journal_dir, "init", "--remote", url)
    assert "connected" in first.stdout or "Pushed" in first.stdout, first.stdout
    second = at(brag, laptop, "init", "--remote", url)
    assert "Cloned the journal" in second.stdout
    assert (laptop / "brag.toml").is_file()
    assert head(laptop) == head(journal_dir)


def test_init_remote_then_clone_on_a_second_machine(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    at(brag, journal_dir, "add", "Shipped the thing")
    assert "pushed 1" in at(brag, journal_dir, "sync").stdout
    assert "pulled 1" in at(brag, laptop, "sync").stdout
    assert titles(brag, laptop) == ["Shipped the thing"]
    assert "Already in sync" in at(brag, laptop, "sync").stdout
    shown = at(brag, laptop, "remote", "show").stdout
    assert f"remote: {bare}" in shown and "in sync" in shown


def test_two_machines_adding_entries_never_conflict(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    for n in range(3):
        at(brag, journal_dir, "add", f"Desktop win {n}", "-t", "desk")
        at(brag, laptop, "add", f"Laptop win {n}", "-t", "lap")
    at(brag, journal_dir, "sync")
    result = at(brag, laptop, "sync")
    assert "pulled 3, pushed 3" in result.stdout
    at(brag, journal_dir, "sync")
    expected = sorted(
        [f"Desktop win {n}" for n in range(3)] + [f"Laptop win {n}" for n in range(3)]
    )
    assert titles(brag, journal_dir) == titles(brag, laptop) == expected
    assert head(journal_dir) == head(laptop) == git(bare, "rev-parse", "main").strip()
    # The laptop's commits were rebased, not merged: history stays a straight line.
    assert git(laptop, "rev-list", "--merges", "--count", "HEAD").strip() == "0"
    for where in (journal_dir, laptop):
        clean_and_idle(where)
        assert at(brag, where, "check").exit_code == 0


def test_same_entry_edited_on_both_machines_stops_and_keeps_both(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    added = at(brag, journal_dir, "add", "Led the migration", "--json").stdout
    entry_id = re.search(r'"id": "([0-9a-f]+)"', added).group(1)
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    at(brag, journal_dir, "edit", entry_id, "--impact", "desktop: zero downtime")
    at(brag, journal_dir, "sync")
    at(brag, laptop, "edit", entry_id, "--impact", "laptop: 40 services moved")
    before = head(laptop)

    result = at(brag, laptop, "sync", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert f'entry {entry_id} "Led the migration"' in message
    assert "changed on both machines" in message and f"brag edit {entry_id}" in message
    clean_and_idle(laptop)
    # Nothing was pushed: the remote still has the desktop's version only.
    assert "laptop:" not in git(bare, "show", "main:" + _entry_path(laptop, entry_id))
    # Both versions are on disk: ours in place, theirs beside it, outside the index.
    path = laptop / _entry_path(laptop, entry_id)
    theirs = path.with_name(path.stem + ".theirs.md")
    assert "laptop: 40 services moved" in path.read_text()
    assert "desktop: zero downtime" in theirs.read_text()
    assert git(laptop, "status", "--porcelain") == f"?? {theirs.relative_to(laptop)}\n"
    assert before in git(laptop, "rev-list", "HEAD")  # local work is part of history
    assert titles(brag, laptop) == ["Led the migration"]  # theirs is not a second entry
    check = at(brag, laptop, "check", expect=1)
    assert f"conflict: {path.relative_to(laptop)}" in check.stdout
    assert str(theirs.relative_to(laptop)) in check.stdout

    again = at(brag, laptop, "sync", expect=1)
    assert "still holds the other machine's version" in again.stderr

    resolved = at(brag, laptop, "edit", entry_id, "--impact", "zero downtime, 40 services")
    assert "Resolved the sync conflict" in resolved.stdout
    assert not theirs.exists()
    assert at(brag, laptop, "check").exit_code == 0
    assert "pushed" in at(brag, laptop, "sync").stdout
    at(brag, journal_dir, "sync")
    shown = at(brag, journal_dir, "show", entry_id).stdout
    assert "zero downtime, 40 services" in shown
    assert head(journal_dir) == head(laptop)


def _entry_path(where: Path, entry_id: str) -> str:
    [match] = [
        p.relative_to(where).as_posix()
        for p in (where / "entries").rglob("*.md")
        if f'id = "{entry_id}"' in p.read_text() and not p.name.endswith(".theirs.md")
    ]
    return match


def test_import_cursors_changed_on_both_sides_take_the_later(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    desk, lap = Journal(journal_dir), Journal(laptop)
    desk.write_state("import-github", {"until": dt.date(2026, 3, 1)})
    lap.write_state("import-github", {"until": dt.date(2026, 5, 1)})
    desk.write_state("import-jira", {"until": dt.date(2026, 9, 1)})
    lap.write_state("import-jira", {"until": dt.date(2026, 2, 1)})
    at(brag, laptop, "add", "Laptop entry")
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    at(brag, journal_dir, "sync")
    for where in (Journal(journal_dir), Journal(laptop)):
        assert where.read_state("import-github") == {"until": dt.date(2026, 5, 1)}
        assert where.read_state("import-jira") == {"until": dt.date(2026, 9, 1)}
        clean_and_idle(where.root)
    assert head(journal_dir) == head(laptop)


def test_same_item_imported_on_both_machines_resolves_to_the_newer(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))

    def draft(created: dt.datetime) -> Entry:
        entry = Entry(
            title="Merged PR #7",
            date=dt.date(2026, 3, 2),
            id="0a0b0c0d",
            source="github",
            source_id="o/r#7",
        )
        entry.created = entry.updated = created
        return entry

    tz = dt.UTC
    Journal(journal_dir).import_entries("github", [draft(dt.datetime(2026, 3, 3, 9, tzinfo=tz))])
    Journal(laptop).import_entries("github", [draft(dt.datetime(2026, 3, 3, 10, tzinfo=tz))])
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    text = (laptop / "entries/2026/03/2026-03-02-merged-pr-7.md").read_text()
    assert "created = 2026-03-03 10:00:00+00:00" in text
    assert titles(brag, laptop) == ["Merged PR #7"]
    assert at(brag, laptop, "check").exit_code == 0
    clean_and_idle(laptop)


def test_same_title_added_on_both_machines_keeps_both(brag, journal_dir, laptop, bare):
    """Same title, same day: the same file name on both sides, and both entries survive."""
    two_machines(brag, journal_dir, laptop, str(bare))
    at(brag, journal_dir, "add", "Weekly report")
    at(brag, laptop, "add", "Weekly report")
    at(brag, journal_dir, "sync")
    result = at(brag, laptop, "sync")
    assert "moved entry" in result.stderr  # the note says where the laptop's went
    at(brag, journal_dir, "sync")
    for where in (journal_dir, laptop):
        assert titles(brag, where) == ["Weekly report", "Weekly report"]
        assert sorted(p.name for p in (where / "entries").rglob("*.md"))[1].endswith(
            "-weekly-report.md"
        )
        assert at(brag, where, "check").exit_code == 0
        clean_and_idle(where)


def test_local_journal_joins_a_remote_with_other_history(brag, journal_dir, laptop, bare):
    at(brag, journal_dir, "add", "Desktop only")
    at(brag, journal_dir, "init", "--remote", str(bare))
    at(brag, laptop, "add", "Laptop only, before connecting")
    joined = at(brag, laptop, "init", "--remote", str(bare))
    assert "connected" in joined.stdout
    at(brag, journal_dir, "sync")
    both = ["Desktop only", "Laptop only, before connecting"]
    assert titles(brag, journal_dir) == titles(brag, laptop) == both
    clean_and_idle(laptop)


def test_master_and_main_are_the_same_journal(brag, journal_dir, laptop, bare, monkeypatch):
    """One machine's git names the first branch master, the other's main."""
    at(brag, journal_dir, "init", "--remote", str(bare))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "init.defaultBranch")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "master")
    at(brag, laptop, "add", "Laptop on master")
    assert git(laptop, "symbolic-ref", "--short", "HEAD").strip() == "master"
    at(brag, laptop, "init", "--remote", str(bare))
    at(brag, journal_dir, "sync")
    assert titles(brag, journal_dir) == ["Laptop on master"]
    assert git(bare, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]
    assert "in sync" in at(brag, laptop, "remote", "show").stdout


def test_unreachable_remote_leaves_local_work_alone(brag, journal_dir, tmp_path):
    port = _free_port()
    at(brag, journal_dir, "init")
    at(brag, journal_dir, "remote", "set", f"git://127.0.0.1:{port}/journal.git")
    at(brag, journal_dir, "add", "Offline win")
    before = head(journal_dir)
    result = at(brag, journal_dir, "sync", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert message.startswith("Error: could not reach the remote: could not fetch from git://")
    assert "Nothing changed locally" in message and "run 'brag sync' again" in message
    assert head(journal_dir) == before
    assert titles(brag, journal_dir) == ["Offline win"]
    clean_and_idle(journal_dir)


def test_sync_without_a_remote_says_how(brag, journal):
    result = brag("sync", expect=1)
    assert "no remote set: run 'brag remote set URL'" in result.stderr


def test_auth_failure_is_clear_and_never_shows_the_token(brag, journal, httpserver):
    httpserver.expect_request(re.compile(".*")).respond_with_data(
        "Unauthorized", status=401, headers={"WWW-Authenticate": 'Basic realm="git"'}
    )
    url = httpserver.url_for("/journal.git").replace("http://", f"http://brag:{TOKEN}@")
    set_out = brag("remote", "set", url)
    shown = brag("remote", "show")
    result = brag("sync", expect=1)
    debug = brag("--debug", "sync", expect=1)
    assert "authentication failed" in result.stderr
    assert "credential helper" in result.stderr and "brag sync" in result.stderr
    assert "Traceback" in debug.stderr
    for out in (set_out, shown, result, debug):
        assert TOKEN not in out.stdout and TOKEN not in out.stderr
    assert "remote: http://***@" in shown.stdout
    assert TOKEN not in git(journal.root, "log", "--format=%B")


# -- [sync] auto = true ---------------------------------------------------------------------


def test_auto_sync_pushes_after_add_edit_rm(brag, journal, bare):
    brag("config", "set", "sync.auto", "true")
    brag("remote", "set", str(bare))
    added = brag("add", "Pushed right away", "--json")
    entry_id = re.search(r'"id": "([0-9a-f]+)"', added.stdout).group(1)
    assert git(bare, "rev-parse", "main").strip() == head(journal.root)
    brag("edit", entry_id, "--impact", "it shows up everywhere")
    assert git(bare, "rev-parse", "main").strip() == head(journal.root)
    brag("rm", entry_id)
    assert git(bare, "rev-parse", "main").strip() == head(journal.root)
    assert git(bare, "log", "-1", "--format=%s", "main").startswith("brag: rm")


def test_auto_sync_failure_only_warns(brag, journal):
    brag("config", "set", "sync.auto", "true")
    brag("remote", "set", f"git://127.0.0.1:{_free_port()}/nothing.git")
    result = brag("add", "Committed even offline")
    assert "Added" in result.stdout
    assert "warning: auto-sync failed: could not reach the remote" in result.stderr
    assert git(journal.root, "log", "-1", "--format=%s").startswith("brag: add")
    assert git(journal.root, "status", "--porcelain") == ""


def test_no_auto_sync_by_default(brag, journal, bare):
    brag("remote", "set", str(bare))
    brag("add", "Stays local")
    assert git(bare, "for-each-ref") == ""


# -- git daemon ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Daemon:
    def __init__(self, base: Path, receive_pack: bool = True):
        self.base = base
        self.port = _free_port()
        self.receive_pack = receive_pack
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"git://127.0.0.1:{self.port}/journal.git"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack" if self.receive_pack else "--disable=receive-pack",
                f"--base-path={self.base}",
                "--listen=127.0.0.1",
                f"--port={self.port}",
                str(self.base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends its children too
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.skip("git daemon exited at start-up")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.skip("git daemon did not start listening within 10 s")

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.proc = None


def _need_git_daemon() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    probe = subprocess.run(["git", "daemon", "-h"], capture_output=True, text=True)
    if "usage: git daemon" not in (probe.stdout + probe.stderr):
        pytest.skip("git daemon is not available on this machine")


@pytest.fixture
def daemon(bare: Path) -> Iterator[Daemon]:
    _need_git_daemon()
    served = Daemon(bare.parent)
    served.start()
    yield served
    served.stop()


@pytest.fixture
def read_only_daemon(bare: Path) -> Iterator[Daemon]:
    _need_git_daemon()
    served = Daemon(bare.parent, receive_pack=False)
    served.start()
    yield served
    served.stop()


def test_push_refused_by_the_remote_keeps_the_local_commits(
    brag, journal_dir, bare, read_only_daemon
):
    at(brag, journal_dir, "add", "Cannot be pushed")
    at(brag, journal_dir, "remote", "set", read_only_daemon.url)
    before = head(journal_dir)
    result = at(brag, journal_dir, "sync", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith("Error: authentication failed: could not push to git://")
    assert "Your entries are committed locally" in message and "brag sync" in message
    assert head(journal_dir) == before
    assert git(bare, "for-each-ref") == ""
    clean_and_idle(journal_dir)


def test_init_remote_that_cannot_be_reached_creates_nothing(brag, tmp_path):
    target = tmp_path / "new-journal"
    url = f"git://127.0.0.1:{_free_port()}/j.git"
    result = brag("init", str(target), "--remote", url, expect=1)
    assert "could not reach the remote: could not clone" in result.stderr
    assert not target.exists() or not any(target.iterdir())


def test_sync_over_git_daemon_and_retry_after_an_outage(brag, journal_dir, laptop, daemon):
    two_machines(brag, journal_dir, laptop, daemon.url)
    at(brag, journal_dir, "add", "Over the wire")
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    assert titles(brag, laptop) == ["Over the wire"]

    daemon.stop()
    at(brag, laptop, "add", "Written during the outage")
    before = head(laptop)
    failed = at(brag, laptop, "sync", expect=1)
    assert "could not reach the remote" in failed.stderr and "brag sync" in failed.stderr
    assert head(laptop) == before
    clean_and_idle(laptop)

    daemon.start()
    assert "pushed 1" in at(brag, laptop, "sync").stdout
    at(brag, journal_dir, "sync")
    assert titles(brag, journal_dir) == ["Over the wire", "Written during the outage"]


def test_sync_killed_mid_rebase_is_undone_by_the_next_command(
    brag, journal_dir, laptop, bare, tmp_path
):
    from test_reliability import killed_at

    two_machines(brag, journal_dir, laptop, str(bare))
    Journal(journal_dir).write_state("import-github", {"until": dt.date(2026, 3, 1)})
    at(brag, journal_dir, "sync")
    Journal(laptop).write_state("import-github", {"until": dt.date(2026, 4, 1)})
    at(brag, laptop, "add", "Laptop entry")
    before = head(laptop)

    # The cursor conflict makes the rebase stop for resolution: kill brag right there.
    killed_at("sync-rebasing", tmp_path, "--dir", str(laptop), "sync")
    assert (laptop / ".git" / "rebase-merge").exists()

    after = at(brag, laptop, "add", "Next entry")
    assert "undid the rebase of an interrupted 'brag sync'" in after.stderr
    assert git(laptop, "rev-parse", "HEAD~1").strip() == before
    clean_and_idle(laptop)
    assert "pulled 1, pushed 3" in at(brag, laptop, "sync").stdout  # cursor, 2 entries
    assert Journal(laptop).read_state("import-github") == {"until": dt.date(2026, 4, 1)}
    assert titles(brag, laptop) == ["Laptop entry", "Next entry"]


def test_entries_edited_by_hand_travel_with_the_sync(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    at(brag, journal_dir, "add", "Typed in the editor")
    at(brag, journal_dir, "add", "Deleted by hand")
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    [typed] = (journal_dir / "entries").rglob("*-typed-in-the-editor.md")
    typed.write_text(typed.read_text().replace("Typed in the editor", "Fixed by hand"))
    next((journal_dir / "entries").rglob("*-deleted-by-hand.md")).unlink()
    created = journal_dir / "entries" / "2026" / "01" / "2026-01-05-written-by-hand.md"
    created.parent.mkdir(parents=True, exist_ok=True)
    created.write_text('+++\nid = "hand01"\ndate = 2026-01-05\ntitle = "Written by hand"\n+++\n')
    result = at(brag, journal_dir, "sync")
    assert "committed 3 entry file(s) changed by hand" in result.stderr
    at(brag, laptop, "sync")
    assert titles(brag, laptop) == ["Fixed by hand", "Written by hand"]

    typed.write_text("+++\nno closing delimiter\n")
    broken = at(brag, journal_dir, "sync", expect=1)
    assert f"{typed.relative_to(journal_dir)}:1: front matter is not closed" in broken.stderr
    assert "brag check" in broken.stderr
    assert git(bare, "rev-parse", "main") == git(journal_dir, "rev-parse", "HEAD")

    (journal_dir / "README.md").write_text("hand-edited readme\n")
    git(journal_dir, "checkout", "--", typed.relative_to(journal_dir).as_posix())
    other = at(brag, journal_dir, "sync", expect=1)
    assert "uncommitted changes in README.md: commit or discard them" in other.stderr


def test_add_never_waits_for_a_slow_remote(brag, journal, tmp_path):
    """A sync stuck on the network holds no lock: adds go through meanwhile."""
    import threading

    from test_reliability import console_script

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    brag("remote", "set", f"git://127.0.0.1:{server.getsockname()[1]}/slow.git")
    stuck = subprocess.Popen(
        [console_script(), "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while not held:  # the sync is connected and waiting for the server to speak
            assert stuck.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        added = subprocess.run(
            [console_script(), "add", "Not blocked by the sync"],
            capture_output=True,
            text=True,
            timeout=15,  # a lock held across the fetch would make this time out
        )
        assert added.returncode == 0, added.stderr
        assert stuck.poll() is None  # still stuck on the network
    finally:
        stuck.kill()
        stuck.wait()
        for conn in held:
            conn.close()
        server.close()
    assert titles(brag, journal.root) == ["Not blocked by the sync"]
    clean_and_idle(journal.root)


def test_imports_removed_on_either_machine_stay_removed(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    desk, lap = Journal(journal_dir), Journal(laptop)
    desk.write_state("removed-imports", {"keys": ["github\ta/b#1"], "until": dt.date(2026, 1, 1)})
    lap.write_state("removed-imports", {"keys": ["github\ta/b#2"]})
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    at(brag, journal_dir, "sync")
    for where in (Journal(journal_dir), Journal(laptop)):
        assert where.removed_imports() == {("github", "a/b#1"), ("github", "a/b#2")}
        clean_and_idle(where.root)


# -- consent for mass deletion, true messages, killed syncs -------------------------------------


def test_entries_deleted_by_hand_in_bulk_are_not_pushed_without_consent(
    brag, journal_dir, laptop, bare
):
    two_machines(brag, journal_dir, laptop, str(bare))
    for n in range(10):
        at(brag, journal_dir, "add", f"Entry {n}")
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    before = head(journal_dir)
    remote_before = git(bare, "rev-parse", "main").strip()

    shutil.rmtree(journal_dir / "entries")  # `rm -rf entries; brag sync --quiet`
    result = at(brag, journal_dir, "sync", "--quiet", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "10 of 10 entries were deleted outside brag" in message
    restore = f"git -C {journal_dir} checkout HEAD -- entries"
    assert restore in message and "--allow-deletions" in message
    assert head(journal_dir) == before and git(bare, "rev-parse", "main").strip() == remote_before
    # The advice works, word for word.
    subprocess.run(restore.split(), check=True)
    assert len(titles(brag, journal_dir)) == 10
    clean_and_idle(journal_dir)

    # Deleting with `brag rm` is deliberate: never counted.
    ids = [
        e["id"] for e in __import__("json").loads(at(brag, journal_dir, "list", "--json").stdout)
    ]
    at(brag, journal_dir, "rm", *ids[:6])
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    assert len(titles(brag, laptop)) == 4

    # With consent, deletions by hand travel like any hand edit.
    shutil.rmtree(journal_dir / "entries")
    assert "4 of 4 entries" in at(brag, journal_dir, "sync", expect=1).stderr
    at(brag, journal_dir, "sync", "--allow-deletions")
    at(brag, laptop, "sync")
    assert titles(brag, laptop) == []


def test_one_entry_deleted_by_hand_is_not_a_mass_deletion(brag, journal_dir, laptop, bare):
    two_machines(brag, journal_dir, laptop, str(bare))
    for n in range(3):
        at(brag, journal_dir, "add", f"Entry {n}")
    at(brag, journal_dir, "sync")
    next((journal_dir / "entries").rglob("*.md")).unlink()
    at(brag, journal_dir, "sync")
    at(brag, laptop, "sync")
    assert len(titles(brag, laptop)) == 2


def test_commits_by_hand_deleting_many_entries_are_not_pushed(brag, journal_dir, bare):
    at(brag, journal_dir, "init", "--remote", str(bare))
    for n in range(6):
        at(brag, journal_dir, "add", f"Entry {n}")
    at(brag, journal_dir, "sync")
    git(journal_dir, "rm", "-r", "--quiet", "entries")
    git(journal_dir, "commit", "--quiet", "-m", "clean up")
    result = at(brag, journal_dir, "sync", expect=1)
    assert "6 of 6 entries are deleted by commits not made by brag" in result.stderr
    revert = re.search(r"'(git -C \S+ revert --no-edit \w+)'", result.stderr)
    assert revert, result.stderr
    subprocess.run(revert.group(1).split(), check=True)
    at(brag, journal_dir, "sync")
    assert len(titles(brag, journal_dir)) == 6


def test_push_refused_by_a_server_hook_shows_the_servers_words(brag, journal_dir, bare):
    at(brag, journal_dir, "init", "--remote", str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'journal is frozen for the audit until Friday' >&2\nexit 1\n")
    hook.chmod(0o755)
    at(brag, journal_dir, "add", "Refused by the hook")
    result = at(brag, journal_dir, "sync", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "refused the push: journal is frozen for the audit until Friday" in message
    assert "could not reach" not in message and "authentication" not in message


def test_sync_killed_mid_rebase_with_a_fresh_git_lock_is_undone_by_a_reader(
    brag, journal_dir, laptop, bare, tmp_path
):
    from test_reliability import killed_at

    two_machines(brag, journal_dir, laptop, str(bare))
    Journal(journal_dir).write_state("import-github", {"until": dt.date(2026, 3, 1)})
    at(brag, journal_dir, "add", "Desktop entry")
    at(brag, journal_dir, "sync")
    Journal(laptop).write_state("import-github", {"until": dt.date(2026, 4, 1)})
    at(brag, laptop, "add", "Laptop entry")
    before = head(laptop)
    killed_at("sync-rebasing", tmp_path, "--dir", str(laptop), "sync")
    assert (laptop / ".git" / "rebase-merge").exists()
    (laptop / ".git" / "index.lock").write_text("")  # git killed with it: fresh, held by nobody

    # A command that only reads undoes the rebase and hides nothing.
    listed = at(brag, laptop, "list")
    assert "undid the rebase of an interrupted 'brag sync'" in listed.stderr
    assert "Laptop entry" in listed.stdout
    assert head(laptop) == before
    clean_and_idle(laptop)
    at(brag, laptop, "sync")
    assert titles(brag, laptop) == ["Desktop entry", "Laptop entry"]


def test_a_rebase_that_cannot_be_undone_says_what_to_run_and_keeps_its_marker(
    brag, journal_dir, laptop, bare, tmp_path
):
    from test_reliability import _hold_open, killed_at

    two_machines(brag, journal_dir, laptop, str(bare))
    Journal(journal_dir).write_state("import-github", {"until": dt.date(2026, 3, 1)})
    at(brag, journal_dir, "sync")
    Journal(laptop).write_state("import-github", {"until": dt.date(2026, 4, 1)})
    at(brag, laptop, "add", "Laptop entry")
    killed_at("sync-rebasing", tmp_path, "--dir", str(laptop), "sync")
    lock = laptop / ".git" / "index.lock"
    holder = _hold_open(lock)  # a git still running by hand: its lock is never removed
    try:
        result = at(brag, laptop, "add", "Next", expect=1)
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert f"run 'git -C {laptop} rebase --abort'" in message
        assert "undid" not in message
        markers = list((laptop / ".git" / "brag" / "writers").iterdir())
        assert any(m.name.startswith("sync-") for m in markers)
    finally:
        holder.communicate("", timeout=10)
        lock.unlink(missing_ok=True)
    after = at(brag, laptop, "add", "Next")
    assert "undid the rebase" in after.stderr
    clean_and_idle(laptop)
    assert titles(brag, laptop) == ["Laptop entry", "Next"]


def _sync_interrupt_loop(brag, journal_dir: Path, laptop: Path, bare: Path, rounds: int) -> None:
    """Syncs hit by SIGINT (to the group) or SIGKILL at random moments lose nothing."""
    import json
    import random

    from test_reliability import console_script

    rng = random.Random(rounds)
    two_machines(brag, journal_dir, laptop, str(bare))
    expected: set[str] = set()
    for n in range(rounds):
        at(brag, journal_dir, "add", f"Desktop {n}")
        Journal(journal_dir).write_state("import-github", {"until": dt.date(2026, 1, n + 1)})
        at(brag, journal_dir, "sync")
        at(brag, laptop, "add", f"Laptop {n}")
        Journal(laptop).write_state("import-github", {"until": dt.date(2026, 2, n + 1)})
        expected |= {f"Desktop {n}", f"Laptop {n}"}
        proc = subprocess.Popen(
            [console_script(), "--dir", str(laptop), "sync"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.05, 0.8))
        how = rng.choice([signal.SIGINT, signal.SIGKILL])
        try:
            os.killpg(proc.pid, how)
        except ProcessLookupError:
            pass
        out, err = proc.communicate(timeout=60)
        # Ctrl-C while Python is still starting is Python's own KeyboardInterrupt.
        assert "Traceback" not in err or (how == signal.SIGINT and "KeyboardInterrupt" in err), err
        # With a remote on disk, git's receive-pack runs in this process group
        # and dies with it, leaving its ref lock in the remote; a server's would
        # not be killed by the user's Ctrl-C. Clear what only that leaves (a ref's
        # lock, or packed-refs.lock at the remote's top).
        for lock in bare.rglob("*.lock"):
            lock.unlink()
        # The next command, a reader, repairs and hides nothing.
        listed = json.loads(at(brag, laptop, "list", "--json").stdout)
        assert {e["title"] for e in listed} >= {t for t in expected if t.startswith("Laptop")}
        clean_and_idle(laptop)
        at(brag, laptop, "sync")
        assert set(titles(brag, laptop)) == expected
        assert Journal(laptop).read_state("import-github") == {"until": dt.date(2026, 2, n + 1)}


def test_interrupted_syncs_lose_nothing_short(brag, journal_dir, laptop, bare):
    _sync_interrupt_loop(brag, journal_dir, laptop, bare, rounds=3)


@pytest.mark.slow
def test_interrupted_syncs_lose_nothing_many_rounds(brag, journal_dir, laptop, bare):
    _sync_interrupt_loop(brag, journal_dir, laptop, bare, rounds=20)
