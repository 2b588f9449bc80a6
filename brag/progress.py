"""Progress on stderr for long work, shown only to a person at a terminal.

rich is imported only when a bar is shown: most runs are short, and scripts
(stderr not a terminal) never see one.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def rich_bar(console: Any, auto_refresh: bool = True) -> Any:
    """brag's progress bar: spinner, what is being done, the bar, done of total,
    time elapsed; gone from the terminal once finished."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=console,
        auto_refresh=auto_refresh,
    )


class Shown:
    """A context manager that starts and ends ``self.bar`` (a rich progress, or
    None when nothing is shown)."""

    bar: Any = None

    def __enter__(self) -> Any:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


class Bar(Shown):
    """A bar of ``total`` steps for ``description``, shown when ``total`` is at
    least ``minimum`` and stderr is a terminal; otherwise every call does nothing.

    It runs no thread of its own (it is redrawn as it advances, at most ten times
    a second), so work can still be forked while it shows, and a forked worker's
    :meth:`advance` does nothing: only the process that made the bar draws it.
    """

    def __init__(self, description: str, total: int, minimum: int = 1):
        self.bar: Any = None
        self.task: Any = None
        self.owner = os.getpid()
        self.drawn = 0.0
        if total >= minimum and sys.stderr.isatty():
            from rich.console import Console

            self.bar = rich_bar(Console(stderr=True), auto_refresh=False)
            self.task = self.bar.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.bar is None or os.getpid() != self.owner:
            return
        self.bar.advance(self.task, steps)
        now = time.monotonic()
        if now - self.drawn >= 0.1:
            self.drawn = now
            self.bar.refresh()
