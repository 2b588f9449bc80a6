"""The git CLI on brag's hot paths.

GitPython is brag's git library (``brag init``, history, sync), but importing it
costs ~100 ms and its pure-Python index takes ~780 ms to commit one file into a
10,000-entry repository. ``brag add`` must stay near the git floor, so the few
commands on that path (add, commit, rm) call the git executable directly: two
short processes, no import cost. Everything here retries while another brag
process holds git's ``index.lock`` or a ref lock, so concurrent adds all land.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import JournalError

_LOCK_PATTERNS = re.compile(
    r"index\.lock|cannot lock ref|Unable to create .*\.lock|unable to lock|"
    r"could not lock|Another git process seems to be running",
    re.IGNORECASE,
)
_IDENTITY = re.compile(r"Please tell me who you are|empty ident name|unable to auto-detect email")
# Anything that looks like credentials inside a URL is masked before a git
# message can reach the user.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask ``user:token@`` in any URL inside ``text``."""
    return _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)


class GitError(JournalError):
    def __init__(self, args: Sequence[str], stderr: str, returncode: int):
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
        super().__init__(f"git {args[0] if args else ''} failed: {first}")


def run(
    root: Path,
    args: Sequence[str],
    *,
    input: str | None = None,
    check: bool = True,
    retries: int = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git -C root ARGS``, retrying on lock contention with jittered backoff."""
    cmd = ["git", "-C", str(root), *args]
    full_env = None
    if env:
        full_env = {**os.environ, **env}
    delay = 0.01
    for attempt in range(retries + 1):
        try:
            proc = subprocess.run(
                cmd,
                input=input,
                capture_output=True,
                text=True,
                env=full_env,
            )
        except FileNotFoundError:
            raise JournalError("git is not installed or not on PATH") from None
        if proc.returncode == 0 or not check:
            return proc
        if attempt < retries and _LOCK_PATTERNS.search(proc.stderr):
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 1.5, 0.25)
            continue
        raise GitError(list(args), proc.stderr or proc.stdout, proc.returncode)
    raise AssertionError("unreachable")


_MANY_PATHS = 200


def commit_paths(
    root: Path, message: str, add: Sequence[str] = (), paths: Sequence[str] = ()
) -> None:
    """Commit exactly ``paths`` (after staging the new files in ``add``).

    ``git commit --only -- PATHS`` builds the commit from HEAD plus those paths,
    so whatever else the user has staged or changed in the journal stays as it
    was. Deleted paths are recorded as deletions.
    """
    every = list(dict.fromkeys([*add, *paths]))
    if len(every) > _MANY_PATHS:
        # A large import would overflow the command line (32 KB on Windows,
        # ARG_MAX elsewhere): hand git the paths on stdin instead.
        from_stdin = ["--pathspec-from-file=-", "--pathspec-file-nul"]
        if add:
            run(root, ["add", *from_stdin], input="\0".join(add) + "\0")
        commit = ["commit", "--quiet", "--no-status", "-m", message, "--only", *from_stdin]
        run(root, commit, input="\0".join(every) + "\0")
        return
    if add:
        run(root, ["add", "--", *add])
    run(root, ["commit", "--quiet", "--no-status", "-m", message, "--only", "--", *every])
