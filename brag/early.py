"""Where the journal is, and the index's ``git status`` started before the rest
of brag is imported.

A ``brag list`` at 10,000 entries waits for one answer more than for anything
else: ``git status``, which checks every entry file against git's own stat
cache (about 20 ms). The console script starts it first (:func:`prefetch`), with
nothing but :mod:`os`, so git works on the other core while Python imports the
index, the journal and sqlite3; the index's first refresh takes the answer
(:data:`PREFETCHED`) if ``HEAD`` has not moved since. Finding the journal
(:func:`where`) is here for the same reason: it must not wait for
:mod:`pathlib`.
"""

from __future__ import annotations

import os

CONFIG_NAME = "brag.toml"


def where(
    explicit: str | os.PathLike[str] | None = None, cwd: str | None = None
) -> tuple[str, str]:
    """The journal's folder, and how it was found: ``--dir``, ``BRAG_DIR``,
    ``enclosing`` (the nearest folder at or above ``cwd`` holding ``brag.toml`` and
    ``.git``), ``machine`` (``brag config --machine journal``) or ``default`` (the
    data folder)."""
    if explicit:
        return _real(explicit), "--dir"
    env = os.environ.get("BRAG_DIR")
    if env:
        return _real(env), "BRAG_DIR"
    enclosing = find_enclosing(cwd or os.getcwd())
    if enclosing:
        return enclosing, "enclosing"
    from . import machine

    chosen = machine.get("journal")
    if isinstance(chosen, str) and chosen.strip():
        return _real(chosen), "machine"
    from platformdirs import user_data_dir

    return _real(user_data_dir("brag", appauthor=False)), "default"


def find_enclosing(start: str | os.PathLike[str]) -> str | None:
    """The nearest folder at or above ``start`` holding ``brag.toml`` and ``.git``."""
    current = _real(start)
    while True:
        if os.path.isfile(os.path.join(current, CONFIG_NAME)) and os.path.exists(
            os.path.join(current, ".git")
        ):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _real(path: str | os.PathLike[str]) -> str:
    """``Path(path).expanduser().resolve()``, as a string."""
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def head_from_files(git_dir: str) -> tuple[str | None, bool]:
    """The commit ``HEAD`` points at, read from a ``.git`` folder without starting
    git: ``(sha, False)``; ``(None, True)`` when only git can tell (an unborn
    branch, another ref storage); ``(None, False)`` when it cannot be read."""
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
    except OSError:
        return None, False
    if not head.startswith("ref:"):
        return head or None, False
    ref = head[4:].strip()
    try:
        with open(os.path.join(git_dir, ref), encoding="utf-8") as fh:
            return fh.read().strip() or None, False
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError:
        return None, False
    try:
        with open(os.path.join(git_dir, "packed-refs"), encoding="utf-8") as fh:
            for line in fh:
                if line.rstrip("\n").endswith(" " + ref):
                    return line.split(" ", 1)[0], False
    except FileNotFoundError:
        pass
    except OSError:
        return None, False
    return None, True


def writers_present(git_dir: str) -> bool:
    """Whether any writer's marker is present (live, or left by a killed writer)."""
    try:
        with os.scandir(os.path.join(git_dir, "brag", "writers")) as found:
            return any(True for _ in found)
    except OSError:
        return False


def status_args(untracked: bool) -> tuple[str, ...]:
    return (
        "status",
        "--porcelain",
        "-z",
        "--no-renames",
        "--untracked-files=all" if untracked else "--untracked-files=no",
        "--",
        "entries",
    )


class Status:
    """A ``git status`` started in the background: read its answer with
    :meth:`communicate`, or :meth:`kill` it (the calls the index makes of a
    :class:`subprocess.Popen`)."""

    def __init__(self, pid: int, output: int):
        self.pid = pid
        self._output = output
        self.returncode: int | None = None

    def communicate(self) -> tuple[bytes, None]:
        chunks = []
        while chunk := os.read(self._output, 1 << 16):
            chunks.append(chunk)
        self.wait()
        return b"".join(chunks), None

    def kill(self) -> None:
        if self.returncode is None:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self) -> int:
        if self._output >= 0:
            os.close(self._output)  # a git still writing gets a broken pipe, not a full one
            self._output = -1
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


#: Journal root -> (HEAD read before it started, untracked files asked for, the
#: running git status).
PREFETCHED: dict[str, tuple[str, bool, Status]] = {}


def start_status(root: str, untracked: bool, head: str) -> bool:
    """Start ``git status`` for ``root`` (whose ``HEAD`` is ``head``), to be
    answered later through :data:`PREFETCHED`."""
    if root in PREFETCHED or not hasattr(os, "posix_spawnp"):
        return False
    try:
        # The C module: signal.py builds its enums on import, 1-2 ms of a list.
        from _signal import SIGPIPE
    except ImportError:  # pragma: no cover - another Python's layout
        from signal import SIGPIPE

    read, write = os.pipe()  # neither end is inherited: git gets its own copy of one
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        os.close(read)
        os.close(write)
        return False
    args = ["git", "-C", root, "--no-optional-locks", *status_args(untracked)]
    try:
        pid = os.posix_spawnp(
            "git",
            args,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, null, 0),
                (os.POSIX_SPAWN_DUP2, write, 1),
                (os.POSIX_SPAWN_DUP2, null, 2),
            ],
            setsigdef=(SIGPIPE,),  # git dies quietly if the answer is not wanted
        )
    except OSError:
        os.close(read)
        return False
    finally:
        os.close(write)
        os.close(null)
    if not PREFETCHED:
        import atexit

        atexit.register(drop)
    PREFETCHED[root] = (head, untracked, Status(pid, read))
    return True


def drop() -> None:
    """Stop and reap every prefetched status no refresh asked for."""
    while PREFETCHED:
        proc = PREFETCHED.popitem()[1][2]
        proc.kill()
        proc.wait()


def prefetch(directory: str | None) -> bool:
    """Start, in the background, the ``git status`` the first refresh of the
    journal's index will ask for (tracked files only); return whether it started.

    Nothing starts outside a journal, while a writer's marker is present
    (recovery may change files before the index is read), or where ``HEAD``
    cannot be read from files; the index uses the answer only if ``HEAD`` has
    not moved since."""
    root, _how = where(directory)
    git_dir = os.path.join(root, ".git")
    if not os.path.isfile(os.path.join(root, CONFIG_NAME)) or not os.path.isdir(git_dir):
        return False
    if writers_present(git_dir):
        return False
    head, _ = head_from_files(git_dir)
    if head is None:
        return False
    return start_status(root, False, head)
