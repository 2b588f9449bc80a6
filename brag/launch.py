"""The ``brag`` command's first step, before the command line is parsed.

A read such as ``brag list`` spends its time on two things that do not wait
for each other: importing the command-line machinery, and one ``git status``
that tells the index which entry files changed since it last looked. The
console script starts that status first (:func:`brag.index.prefetch`), so git
works on another core while Python imports the rest; the index's first
refresh takes its answer. Anything unexpected here only means no head start:
the command then runs git itself, and reports any problem in its own words.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: Commands that read the journal through its index and write no entry first.
READERS = frozenset(
    {"list", "search", "show", "tags", "people", "stats", "coach", "export", "check"}
)


def main() -> None:
    head_start(sys.argv[1:])
    from .cli import main as run

    run()


def command_of(args: Sequence[str]) -> tuple[str | None, str | None]:
    """The command ``args`` run and the journal ``--dir``/``-C`` names, as far as
    the top-level options tell; ``(None, None)`` for anything unusual."""
    directory = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in ("--dir", "-C"):
            if not rest:
                return None, None
            directory = rest.pop(0)
        elif arg.startswith("--dir="):
            directory = arg[len("--dir=") :]
        elif arg.startswith("-C") and len(arg) > 2:
            directory = arg[2:]
        elif arg == "--debug":
            continue
        elif arg.startswith("-"):
            return None, None  # --help, --version, or a mistake the parser will name
        else:
            return arg, directory
    return None, None


def head_start(args: Sequence[str]) -> bool:
    """Start the index's ``git status`` for a reading command; return whether it started."""
    name, directory = command_of(args)
    if name not in READERS or "--help" in args or "-h" in args:
        return False
    try:
        from .index import prefetch
        from .journal import locate

        root = locate(directory)
        if not (root / "brag.toml").is_file():
            return False
        return prefetch(root)
    except Exception:  # noqa: BLE001 - only a head start: the command reports problems itself
        return False
