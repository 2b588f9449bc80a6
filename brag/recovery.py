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
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import gitcmd
from .errors import EntryError, JournalError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

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


def inbox_state(root: Path) -> Path:
    """This clone's inbox state (never synced). Here, not in :mod:`brag.inbox`:
    ``brag list`` reads it on every run without importing the inbox."""
    return _lock_dir(root) / "inbox.json"


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
            _clear_stale_git_lock(root, _notes_to(note))
        check_repo_state(journal)
        _wait_for(lock, fcntl.LOCK_SH, wait)
        with _marker(root, "add"):
            yield
    finally:
        lock.close()  # releases the lock


# This process's marker per journal: the files it has in flight are listed in it.
_markers: dict[str, IO[str]] = {}


@contextlib.contextmanager
def _marker(root: Path, kind: str) -> Iterator[None]:
    """A file naming this live process; only a killed or interrupted one leaves it behind.

    The process holds an ``flock`` on its own marker, so anyone can tell a live
    writer's marker from a dead one's, and it lists the files it is writing,
    so ``brag check`` never reports a live writer's files as left behind.
    A command that fails or is interrupted keeps its marker: the next writer
    then checks for leftovers (one ``git status``) and removes it.
    """
    writers = _lock_dir(root) / "writers"
    writers.mkdir(exist_ok=True)
    marker = writers / f"{kind}-{os.getpid()}-{os.urandom(4).hex()}"
    handle = open(marker, "a", encoding="utf-8")  # noqa: SIM115 - held for the command
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)
    key = str(root)
    _markers[key] = handle
    ok = False
    try:
        yield
        ok = True
    finally:
        _markers.pop(key, None)
        if ok:
            marker.unlink(missing_ok=True)
        handle.close()


def announce(root: Path, rel: str) -> None:
    """Record that this process is about to write ``rel`` (a journal-relative path)."""
    handle = _markers.get(str(root))
    if handle is not None:
        handle.write(rel + "\n")
        handle.flush()


def live_writers(root: Path) -> tuple[int, set[str]]:
    """How many live brag writers there are, and the files they have in flight."""
    writers = _lock_dir(root) / "writers"
    try:
        markers = list(writers.iterdir())
    except (FileNotFoundError, NotADirectoryError, JournalError):
        return 0, set()
    live, paths = 0, set[str]()
    for marker in markers:
        own = _markers.get(str(root))
        if own is not None and Path(own.name) == marker:
            continue
        try:
            with open(marker, encoding="utf-8") as fh:
                if fcntl is not None:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                        continue  # nobody holds it: a dead writer's marker
                    except BlockingIOError:
                        pass
                live += 1
                paths.update(line.strip() for line in fh if line.strip())
        except OSError:
            continue
    return live, paths


def writers_present(root: Path) -> bool:
    """Whether any writer's marker is present (live, or left by a killed writer)."""
    from .early import writers_present as present

    try:
        return present(str(git_dir(root)))
    except JournalError:
        return False


def heal(journal: Journal, note: Note | None = None) -> None:
    """Any command: repair what a killed writer left, if nobody is writing now.

    Costs one directory listing when no marker is present. Readers need this
    too: a killed ``brag sync`` leaves git mid-rebase, with the newest local
    entries missing from the working tree until the rebase is undone.
    """
    if fcntl is None or not writers_present(journal.root):
        return
    try:
        lock = _open_lock(journal.root)
    except (OSError, JournalError):
        return  # read-only: nothing can be repaired, readers still work
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a live writer: its files are not leftovers
        recover(journal, note or _stderr_note)


def _stderr_note(message: str) -> None:
    import sys

    sys.stderr.write(f"brag: note: {gitcmd.redact(message)}\n")


def _notes_to(note: Note | None) -> list[str]:
    """A list whose appended lines go to ``note`` (for helpers that collect notes)."""

    class _Forward(list[str]):
        def append(self, line: str) -> None:
            super().append(line)
            if note is not None:
                note(line)

    return _Forward()


@contextlib.contextmanager
def uninterruptible() -> Iterator[None]:
    """Defer Ctrl-C, SIGTERM and SIGHUP until the block is done.

    Used around the few steps that must happen together (write, stage, commit;
    a local rebase). The signals are blocked, not ignored: git processes
    started inside inherit the mask (a Ctrl-C to the process group does not
    kill them half-way), and a pending signal is delivered when the block ends.
    """
    import signal
    import threading

    if (
        not hasattr(signal, "pthread_sigmask")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    signals = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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
        _clear_stale_git_lock(journal.root, _notes_to(note))
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
    notes = _notes_to(note)
    # Every marker here is a dead process's (the caller holds the lock alone), so
    # a git lock file nobody has open is theirs: remove it before git is needed.
    _clear_stale_git_lock(journal.root, notes, age=0.0)
    if any(m.name.startswith("sync-") for m in markers):
        _undo_interrupted_sync(journal.root, notes)  # raises, keeping the markers, on failure
    announced: set[str] = set()
    for marker in markers:
        try:
            announced.update(
                line.strip() for line in marker.read_text(encoding="utf-8").splitlines()
            )
        except (OSError, UnicodeDecodeError):
            continue
    announced.discard("")
    for line in repair(journal, announced):
        notes.append(line)
    for marker in markers:
        marker.unlink(missing_ok=True)
    return list(notes)


def repair(journal: Journal, announced: set[str]) -> list[str]:
    """Commit, restore or remove what an interrupted write left; return what was done.

    Only the files the dead writers announced (listed in their markers) are
    touched: a file created, edited or deleted by hand is the user's, never
    "repaired" (``brag check`` and ``brag sync`` deal with those).
    """
    root = journal.root
    notes: list[str] = []
    removed_tmp = remove_temp_files(root)
    if removed_tmp:
        notes.append(f"removed {removed_tmp} unfinished temporary file(s) of an interrupted write")
    if not announced:
        journal._changed()
        return notes
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
        if rel not in announced:
            continue
        if rel.startswith(".brag/state/"):
            # A cursor written without its entries' commit: forget it, so the
            # next import re-reads that window (deduplication makes it free).
            if code == "??":
                path.unlink(missing_ok=True)
            elif "A" in code:  # staged, never committed: not in HEAD to go back to
                gitcmd.run(root, ["rm", "-q", "--cached", "--", rel], check=False)
                path.unlink(missing_ok=True)
            else:
                # From HEAD, not the index: a killed commit may have staged it already.
                gitcmd.run(root, ["checkout", "HEAD", "--", rel], check=False)
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
        from .text import entries

        gitcmd.commit_paths(
            root,
            f"brag: recover {entries(len(to_commit))} left uncommitted by an interrupted command",
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
    for what, in_progress, abort in (
        (
            "rebase",
            lambda: (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists(),
            ["rebase", "--abort"],
        ),
        ("merge", lambda: (gd / "MERGE_HEAD").exists(), ["merge", "--abort"]),
    ):
        if not in_progress():
            continue
        proc = gitcmd.run(root, abort, check=False, retries=5)
        if in_progress():
            reason = gitcmd.redact(
                (proc.stderr or proc.stdout).strip().splitlines()[-1:][0]
                if (proc.stderr or proc.stdout).strip()
                else "no reason given"
            )
            raise JournalError(
                f"an interrupted 'brag sync' left a git {what} brag could not undo ({reason}): "
                f"run 'git -C {root} {' '.join(abort)}', then 'brag sync' again"
            )
        notes.append(f"undid the {what} of an interrupted 'brag sync': run 'brag sync' again")


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


STALE_LOCK_AGE = 2.0


def _clear_stale_git_lock(root: Path, notes: list[str], age: float = STALE_LOCK_AGE) -> None:
    """Remove the lock files a killed git left behind: ``index.lock``, and the ref
    locks a commit takes (``HEAD.lock``, ``refs/heads/BRANCH.lock``,
    ``packed-refs.lock``).

    Called only while this process holds the journal's write lock alone, so no
    live brag process is using git. A git started by hand may be, though: a file
    goes only if no process has it open and it is older than ``age`` seconds
    (where open files cannot be listed, at least a minute old).
    """
    gd = git_dir(root)
    locks = [gd / "index.lock", gd / "HEAD.lock", gd / "packed-refs.lock"]
    heads = gd / "refs" / "heads"
    if heads.is_dir():
        locks += sorted(heads.rglob("*.lock"))
    for lock in locks:
        try:
            mtime = lock.stat().st_mtime
        except (FileNotFoundError, NotADirectoryError):
            continue
        in_use = _open_by_any_process(lock)
        if in_use or time.time() - mtime < (max(age, 60.0) if in_use is None else age):
            continue
        try:
            lock.unlink()
        except FileNotFoundError:
            continue
        name = lock.relative_to(gd).as_posix()
        notes.append(f"removed a stale .git/{name} that a killed git process left behind")


def _open_by_any_process(path: Path) -> bool | None:
    """Whether some process has ``path`` open (Linux ``/proc``); None if unknown."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    target = str(path)
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        fd_dir = proc / pid / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd_dir / fd) == target:
                    return True
            except OSError:
                continue
    return False
