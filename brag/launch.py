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

    try:
        run()
    except SystemExit as exc:
        end(exc.code)
    end(0)


def end(code: object) -> None:
    """Leave the process as soon as the command is done.

    Tearing the interpreter down (freeing every module, class and object one
    by one) costs about 10 ms after a command of 80: more than a list takes
    to answer. Everything that must happen at exit still does: the exit
    handlers run, the output is flushed, and with another thread still
    running the ordinary exit waits for it."""
    import atexit
    import os

    if isinstance(code, bool) or not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # `brag list | head`: the reader is gone, as the command already allows for
    except OSError:
        code = code or 1
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)


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
