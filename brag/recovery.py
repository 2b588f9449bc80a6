"""Crash safety: a write lock shared by brag processes, and recovery of what a
killed one left behind.

Every command that writes runs inside :func:`writing`: it holds a *shared*
``flock`` on ``.git/brag/write.lock`` and leaves a marker file in
``.git/brag/writers/`` until it finishes. Any number of writers run at once
(git's own locks order their commits). A process killed with SIGKILL cannot
remove its marker, but the kernel does drop its lock. So the next writer that
can take the lock *exclusively* knows that every marker it sees belongs to a
dead process, and only then looks for leftovers: entry files written but
never committed (committed now, with a note), empty placeholders and
``.brag-*.tmp`` files from interrupted atomic writes (removed), an entry
deleted but not committed (restored: nothing is lost), and import cursors
written without their commit (reset, so the next import re-reads and
deduplicates). When no marker is present this costs a lock attempt and one
directory listing: no git process.

``brag sync`` takes the lock exclusively for its whole run, so no entry is
committed in the middle of a rebase.

Writers also refuse to start on a journal git is busy with (a merge or rebase
in progress), a detached HEAD, or one they cannot write to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import gitcmd
from .errors import EntryError, JournalError

if TYPE_CHECKING:
    from .journal import Journal

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, no recovery
    fcntl = None  # type: ignore[assignment]

Note = Callable[[str], None]

_IN_PROGRESS = (
    ("MERGE_HEAD", "a git merge", "'git merge --abort' (or finish it with 'git commit')"),
    ("rebase-merge", "a git rebase", "'git rebase --abort' (or 'git rebase --continue')"),
    ("rebase-apply", "a git rebase", "'git rebase --abort' (or 'git rebase --continue')"),
    ("CHERRY_PICK_HEAD", "a git cherry-pick", "'git cherry-pick --abort'"),
    ("REVERT_HEAD", "a git revert", "'git revert --abort'"),
)


class BusyError(JournalError):
    """Another brag process holds the write lock for longer than we can wait."""


def git_dir(root: Path) -> Path:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    proc = gitcmd.run(root, ["rev-parse", "--absolute-git-dir"], check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return Path(proc.stdout.strip())
    raise JournalError(f"{root} is not a git repository: run 'brag init {root}'")


def check_repo_state(journal: Journal) -> None:
    """Raise one clear :class:`JournalError` if brag must not write to this repository now."""
    root = journal.root
    gd = git_dir(root)
    for name, what, how in _IN_PROGRESS:
        if (gd / name).exists():
            raise JournalError(
                f"the journal at {root} is in the middle of {what}: run {how} in {root} first"
            )
    try:
        head = (gd / "HEAD").read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise JournalError(f"cannot read {gd / 'HEAD'}: {exc.strerror}") from None
    if not head.startswith("ref:"):
        raise JournalError(
            f"the journal's git HEAD is detached (at {head[:8]}): brag commits only on a "
            f"branch; run 'git switch main' (or your branch) in {root} first"
        )
    for path in (root, root / "entries", gd):
        if path.exists() and not os.access(path, os.W_OK):
            raise JournalError(read_only_message(root, path))


def read_only_message(root: Path, path: Path | str) -> str:
    return (
        f"the journal at {root} is read-only (cannot write {path}): "
        "fix its permissions or use another journal with --dir"
    )


def _lock_dir(root: Path) -> Path:
    return git_dir(root) / "brag"


def _open_lock(root: Path) -> IO[bytes]:
    folder = _lock_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return open(folder / "write.lock", "a+b")  # noqa: SIM115 - held across a with
    except PermissionError:
        raise JournalError(read_only_message(root, folder)) from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise JournalError(read_only_message(root, folder)) from None
        raise


@contextlib.contextmanager
def writing(journal: Journal, note: Note | None = None, wait: float = 120.0) -> Iterator[None]:
    """Hold the shared write lock (recovering after a crashed writer first)."""
    if fcntl is None:  # pragma: no cover
        check_repo_state(journal)
        yield
        return
    root = journal.root
    lock = _open_lock(root)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # others are writing: they are alive, nothing to recover
        else:
            recover(journal, note)
        check_repo_state(journal)
        _wait_for(lock, fcntl.LOCK_SH, wait)
        with _marker(root, "add"):
            yield
    finally:
        lock.close()  # releases the lock


@contextlib.contextmanager
def _marker(root: Path, kind: str) -> Iterator[None]:
    """A file naming this live process; only a killed one leaves it behind."""
    writers = _lock_dir(root) / "writers"
    writers.mkdir(exist_ok=True)
    marker = writers / f"{kind}-{os.getpid()}-{secrets.token_hex(4)}"
    marker.touch()
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive(journal: Journal, note: Note | None = None, wait: float = 60.0) -> Iterator[None]:
    """Hold the write lock alone (for ``brag sync``), recovering first."""
    if fcntl is None:  # pragma: no cover
        check_repo_state(journal)
        yield
        return
    lock = _open_lock(journal.root)
    try:
        _wait_for(lock, fcntl.LOCK_EX, wait)
        recover(journal, note)
        check_repo_state(journal)
        with _marker(journal.root, "sync"):
            yield
    finally:
        lock.close()


def _wait_for(lock: IO[bytes], mode: int, wait: float) -> None:
    """Take ``lock`` in ``mode``, giving up with a clear error after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(lock, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise BusyError(
                    "another brag command is still writing to the journal: "
                    "try again when it has finished"
                ) from None
            time.sleep(0.02)


def recover(journal: Journal, note: Note | None = None) -> list[str]:
    """Clean up after writers that died (call only while holding the lock exclusively).

    Returns the notes it made (also passed to ``note``).
    """
    writers = _lock_dir(journal.root) / "writers"
    try:
        markers = list(writers.iterdir())
    except FileNotFoundError:
        return []
    if not markers:
        return []
    notes: list[str] = []
    if any(m.name.startswith("sync-") for m in markers):
        _undo_interrupted_sync(journal.root, notes)
    notes += repair(journal)
    for marker in markers:
        marker.unlink(missing_ok=True)
    for line in notes:
        if note is not None:
            note(line)
    return notes


def repair(journal: Journal) -> list[str]:
    """Commit, restore or remove what an interrupted write left; return what was done."""
    root = journal.root
    notes: list[str] = []
    _clear_stale_git_lock(root, notes)
    removed_tmp = remove_temp_files(root)
    if removed_tmp:
        notes.append(f"removed {removed_tmp} unfinished temporary file(s) of an interrupted write")
    proc = gitcmd.run(
        root,
        ["status", "--porcelain", "-z", "--untracked-files=all", "--", "entries", ".brag/state"],
    )
    to_commit: list[str] = []
    for item in proc.stdout.split("\0"):
        if len(item) < 4:
            continue
        code, rel = item[:2], item[3:]
        path = root / rel
        if rel.startswith(".brag/state/"):
            # A cursor written without its entries' commit: forget it, so the
            # next import re-reads that window (deduplication makes it free).
            if code == "??":
                path.unlink(missing_ok=True)
            else:
                gitcmd.run(root, ["checkout", "--", rel], check=False)
            notes.append(f"reset import cursor {rel} left by an interrupted import")
            continue
        if not rel.endswith(".md") or rel.endswith(".theirs.md"):
            continue
        if code.strip() == "D":
            gitcmd.run(root, ["checkout", "HEAD", "--", rel], check=False)
            notes.append(f"restored {rel}: an interrupted command deleted it without committing")
            continue
        try:
            if path.stat().st_size == 0 and code == "??":
                path.unlink()  # a placeholder the killed process never filled
                continue
            journal.read_file(rel)
        except FileNotFoundError:
            continue
        except EntryError as exc:
            notes.append(f"left {rel} uncommitted: {exc.reason} (see 'brag check')")
            continue
        to_commit.append(rel)
    if to_commit:
        n = len(to_commit)
        noun = "entry" if n == 1 else "entries"
        gitcmd.commit_paths(
            root,
            f"brag: recover {n} {noun} left uncommitted by an interrupted command",
            add=to_commit,
        )
        for rel in to_commit:
            notes.append(f"committed {rel}, left uncommitted by an interrupted command")
    journal._changed()
    return notes


def _undo_interrupted_sync(root: Path, notes: list[str]) -> None:
    """A killed ``brag sync`` may leave git mid-rebase or mid-merge: undo that.

    The local commits are exactly as before the sync (a rebase rewrites copies),
    so aborting loses nothing; the next ``brag sync`` starts over.
    """
    gd = git_dir(root)
    if (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists():
        gitcmd.run(root, ["rebase", "--abort"], check=False)
        notes.append("undid the rebase of an interrupted 'brag sync': run 'brag sync' again")
    if (gd / "MERGE_HEAD").exists():
        gitcmd.run(root, ["merge", "--abort"], check=False)
        notes.append("undid the merge of an interrupted 'brag sync': run 'brag sync' again")


def remove_temp_files(root: Path) -> int:
    """Delete ``.brag-*.tmp`` files an interrupted atomic write left behind."""
    count = 0
    folders = [root, root / ".brag" / "state"]
    entries = root / "entries"
    if entries.is_dir():
        folders += [Path(d) for d, _dirs, _files in os.walk(entries)]
    for folder in folders:
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            if name.startswith(".brag-") and name.endswith(".tmp"):
                try:
                    (folder / name).unlink()
                    count += 1
                except FileNotFoundError:
                    pass
    return count


def _clear_stale_git_lock(root: Path, notes: list[str], age: float = 60.0) -> None:
    """Remove ``index.lock`` if git itself was killed mid-commit long enough ago."""
    lock = git_dir(root) / "index.lock"
    try:
        if time.time() - lock.stat().st_mtime > age:
            lock.unlink()
            notes.append("removed a stale .git/index.lock left by a killed git process")
    except FileNotFoundError:
        pass
