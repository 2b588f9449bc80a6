"""Pause points for crash tests: stop a real ``brag`` process at an exact step.

With ``BRAG_TEST_PAUSE=<point>:<flag file>`` in the environment, the process
writes its pid to the flag file when it reaches ``<point>`` and waits there
(until the flag file is deleted, or 120 seconds) so a test can SIGKILL it at
that very moment. Without the variable this costs one dictionary lookup.

Points: ``before-commit`` (the entry file is written, git has not committed
it), ``before-rename`` (an atomic write's temporary file is complete but
not yet renamed into place), ``edit-before-save`` (``brag edit``'s editor has
closed, nothing is locked or saved yet: a concurrent change can be made) and
``sync-rebasing`` (a sync's rebase stopped on a path brag resolves).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV = "BRAG_TEST_PAUSE"
_MAX_WAIT = 120.0


def pause(point: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, flag = spec.partition(":")
    if name != point or not flag:
        return
    path = Path(flag)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(str(os.getpid()), encoding="utf-8")
    os.replace(partial, path)  # the test sees the flag only once it holds the pid
    deadline = time.monotonic() + _MAX_WAIT
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
