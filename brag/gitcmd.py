"""brag's one way to run git: the git executable, as a subprocess.

Every git command brag runs (the journal's add/commit/rm, sync, recovery, and
the local importers' history reads) goes through :func:`run`: no process per
commit or file, output decoded as UTF-8 (a stray byte becomes U+FFFD, never a
crash), credentials masked in every message. Writes retry while another brag
process holds git's ``index.lock`` or a ref lock, so concurrent adds all land.

GitPython is used in one place only, ``Journal.init`` (creating a repository
and reading its identity config), and imported there: importing it costs about
100 ms, which ``brag add`` and ``brag list`` never pay.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import secrets
from .errors import JournalError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

_LOCK_PATTERNS = re.compile(
    r"index\.lock|cannot lock ref|Unable to create .*\.lock|unable to lock|"
    r"could not lock|Another git process seems to be running",
    re.IGNORECASE,
)
_IDENTITY = re.compile(r"Please tell me who you are|empty ident name|unable to auto-detect email")
# Masking lives in brag.secrets; these names stay for the modules that use them.
looks_secret = secrets.looks_secret
redact = secrets.mask


class GitError(JournalError):
    def __init__(
        self, args: Sequence[str], stderr: str, returncode: int, where: Path | None = None
    ):
        self.git_args = list(args)
        self.stderr = redact(stderr.strip())
        self.returncode = returncode
        first = self.stderr.splitlines()[-1] if self.stderr else f"exit code {returncode}"
        if _IDENTITY.search(self.stderr):
            first = (
                "git does not know who you are: run "
                "'git config --global user.name \"Your Name\"' and "
                "'git config --global user.email you@example.com'"
            )
        place = f" in {where}" if where is not None else ""
        super().__init__(f"git {args[0] if args else ''} failed{place}: {first}")


# How long brag waits for a git lock held by someone else before saying so.
LOCK_WAIT = 5.0


class LockedError(GitError):
    """A git lock file stayed in place while brag waited: name it and say what happens."""

    def __init__(self, root: Path, args: Sequence[str], stderr: str, waited: float):
        super().__init__(args, stderr, 1)
        found = re.search(r"'([^']+\.lock)'", stderr)
        lock = found.group(1) if found else str(Path(root) / ".git" / "index.lock")
        self.lock = lock
        self.args = (
            f"git's lock file {lock} is in the way (git {args[0] if args else ''} waited "
            f"{waited:.0f} s): another git command is working in the journal, or one was "
            "killed. Nothing was changed. If no git command is running, the next brag "
            "command removes a lock no process holds; run it again",
        )

    def __str__(self) -> str:
        return str(self.args[0])


def run(
    root: Path,
    args: Sequence[str],
    *,
    input: str | None = None,
    check: bool = True,
    retries: int = 60,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git -C root ARGS``, retrying on lock contention with jittered backoff.

    ``timeout`` (seconds) bounds network commands: on expiry the command fails
    with a :class:`GitError` instead of hanging an unattended job.
    """
    # Not at the top: brag list and search, which import this module, run no git
    # through it (their git status is spawned by brag.early).
    import subprocess

    cmd = ["git", "-C", str(root), *args]
    full_env = None
    if env:
        full_env = {**os.environ, **env}
    delay = 0.01
    started = time.monotonic()
    for attempt in range(retries + 1):
        try:
            proc = subprocess.run(
                cmd,
                input=input,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=full_env,
                timeout=timeout,
                stdin=subprocess.DEVNULL if input is None else None,
            )
        except FileNotFoundError:
            raise JournalError("git is not installed or not on PATH") from None
        except subprocess.TimeoutExpired:
            raise GitError(list(args), f"timed out after {timeout:g} seconds", -1) from None
        if proc.returncode == 0 or not check:
            return proc
        locked = _LOCK_PATTERNS.search(proc.stderr)
        if attempt < retries and locked and time.monotonic() - started < LOCK_WAIT:
            import random

            time.sleep(delay + random.random() * delay)
            delay = min(delay * 1.5, 0.25)
            continue
        if locked:
            raise LockedError(root, list(args), proc.stderr, time.monotonic() - started)
        raise GitError(list(args), proc.stderr or proc.stdout, proc.returncode)
    raise AssertionError("unreachable")


def output(root: Path, args: Sequence[str], *, input: str | None = None, check: bool = True) -> str:
    """stdout of a git command that only reads (no lock retries): what the
    importers use. A failure is a :class:`GitError` naming the repository."""
    try:
        return run(root, args, input=input, check=check, retries=0).stdout
    except GitError as exc:
        raise GitError(exc.git_args, exc.stderr, exc.returncode, where=root) from None


_MANY_PATHS = 200


def commit_paths(
    root: Path, message: str, add: Sequence[str] = (), paths: Sequence[str] = ()
) -> None:
    """Commit exactly ``paths`` (after staging the new files in ``add``).

    ``git commit --only -- PATHS`` builds the commit from HEAD plus those paths,
    so whatever else the user has staged or changed in the journal stays as it
    was. Deleted paths are recorded as deletions.
    """
    from .testpoints import pause

    pause("before-commit")
    message = _printable(redact(message))
    every = list(dict.fromkeys([*add, *paths]))
    with _commit_lock(root):
        if len(every) > _MANY_PATHS:
            # A large import would overflow the command line (32 KB on Windows,
            # ARG_MAX elsewhere): hand git the paths on stdin instead.
            from_stdin = ["--pathspec-from-file=-", "--pathspec-file-nul"]
            if add:
                run(root, ["add", *from_stdin], input="\0".join(add) + "\0")
            commit = ["commit", "--quiet", "--no-status", "-m", message, "--only", *from_stdin]
            run(root, commit, input="\0".join(every) + "\0")
            return
        if index_matches_head(root):
            # Nothing else is staged: a plain commit of exactly these paths is the
            # same commit as --only, at a third of its cost (--only refreshes and
            # writes the index twice and builds a temporary one: 110-260 ms
            # against 30-50 ms on a 10,000-entry journal).
            run(root, ["add", "--all", "--", *every])
            run(root, ["commit", "--quiet", "--no-status", "-m", message])
            return
        if add:
            run(root, ["add", "--", *add])
        run(root, ["commit", "--quiet", "--no-status", "-m", message, "--only", "--", *every])


def index_matches_head(root: Path) -> bool:
    """Whether git's index holds exactly ``HEAD``'s tree (nothing staged), read without git.

    The index's cache-tree extension records the tree the whole index stands
    for, when git knows it; ``HEAD``'s commit names its tree. Anything this
    cannot read with certainty (a packed commit, an invalidated cache tree, a
    split index) answers False, and the caller takes the slower, always-safe way.
    """
    import zlib

    from .early import head_from_files

    gd = root / ".git"
    head, _ = head_from_files(str(gd))
    if head is None:
        return False
    try:
        raw = zlib.decompress((gd / "objects" / head[:2] / head[2:]).read_bytes())
        index = (gd / "index").read_bytes()
    except (OSError, ValueError, zlib.error):
        return False
    header, _, body = raw.partition(b"\0")
    if not header.startswith(b"commit ") or not body.startswith(b"tree "):
        return False
    tree = body[5 : body.index(b"\n")].decode("ascii", errors="replace")
    if not index.startswith(b"DIRC"):
        return False
    at = index.rfind(b"TREE", 12)
    if at < 0:
        return False
    # "TREE", a 4-byte size, then the root: an empty path, NUL, "<entries> <subtrees>\n", id.
    data = index[at + 8 :]
    if not data.startswith(b"\0"):
        return False
    line_end = data.find(b"\n", 1, 40)
    if line_end < 0:
        return False
    counts = data[1:line_end].split(b" ")
    if len(counts) != 2 or not counts[0].isdigit():
        return False  # "-1": the cache tree is invalid
    size = len(tree) // 2
    cached = data[line_end + 1 : line_end + 1 + size].hex()
    return cached == tree


def loose_commit_parents(root: Path, sha: str) -> list[str] | None:
    """The parents of commit ``sha`` read from its loose object (a commit just
    made is loose), or None when it cannot be read that way."""
    import zlib

    try:
        raw = zlib.decompress((root / ".git" / "objects" / sha[:2] / sha[2:]).read_bytes())
    except (OSError, ValueError, zlib.error):
        return None
    header, _, body = raw.partition(b"\0")
    if not header.startswith(b"commit "):
        return None
    parents = []
    for line in body.split(b"\n"):
        if not line:
            break  # the end of the headers
        if line.startswith(b"parent "):
            parents.append(line[7:].decode("ascii", errors="replace"))
    return parents


def _printable(message: str) -> str:
    """Control characters (a NUL cannot even be passed to git) become spaces."""
    return "".join(" " if (ord(c) < 32 and c not in "\n\t") or c == "\x7f" else c for c in message)


@contextlib.contextmanager
def _commit_lock(root: Path) -> Iterator[None]:
    """One brag commit at a time per journal.

    ``git commit --only`` reads the index before it locks it, so a commit can
    write back an index that lacks a file another process has just staged
    (``pathspec ... did not match``). Taking turns on a ``flock`` closes that
    window; the kernel drops the lock if a process dies holding it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: rely on git's retries
        yield
        return
    folder = root / ".git" / "brag"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "commit.lock", "a+b")  # noqa: SIM115
    except OSError:
        yield  # not a plain repository, or read-only: git reports what is wrong
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
