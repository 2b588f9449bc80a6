"""The ``brag`` command's first step, before the command line is parsed.

A read such as ``brag list`` spends its time on two things that do not wait
for each other: importing the command-line machinery, and one ``git status``
that tells the index which entry files changed since it last looked. The
console script starts that status first (:func:`brag.early.prefetch`), so git
works on another core while Python imports the rest; the index's first
refresh takes its answer. Anything unexpected here only means no head start:
the command then runs git itself, and reports any problem in its own words.

``add``, ``list`` and ``search`` then go to :mod:`brag.quick`, which runs their
plain forms without importing click; everything else, and anything the quick
lane does not take, goes to click (:mod:`brag.cli`).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Commands that read the journal through its index and write no entry first.
READERS = frozenset(
    {"list", "search", "show", "tags", "people", "stats", "coach", "export", "check"}
)


#: The commands :mod:`brag.quick` may run (its ``COMMANDS``).
QUICK = frozenset({"add", "list", "search", "coach"})


def main() -> None:
    args = sys.argv[1:]
    top = split_top(args)
    quick_lane = top is not None and top[0] in QUICK
    if quick_lane:
        _defer_inspect()
    head_start(args, top)
    if quick_lane:
        from .quick import main as quick

        try:
            code = quick(args)
        except BrokenPipeError:
            sys.stderr.close()  # `brag list | head`: stop quietly, like other Unix tools
            code = 0
        if code is not None:
            end(code)
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
    except (OSError, ValueError):  # ValueError: closed after a broken pipe
        pass
    os._exit(code)


def split_top(args: Sequence[str]) -> tuple[str | None, str | None, bool, list[str]] | None:
    """The top-level options before the command: ``(command, --dir, --debug, the
    command's own arguments)``; ``None`` for anything else before the command
    (``--help``, ``--version``, a mistake the full parser will name)."""
    directory = None
    debug = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in ("--dir", "-C"):
            if not rest:
                return None
            directory = rest.pop(0)
        elif arg.startswith("--dir="):
            directory = arg[len("--dir=") :]
        elif arg.startswith("-C") and len(arg) > 2:
            directory = arg[2:]
        elif arg == "--debug":
            debug = True
        elif arg.startswith("-"):
            return None
        else:
            return arg, directory, debug, rest
    return None, directory, debug, []


def head_start(args: Sequence[str], top: Any = False) -> bool:
    """Start the index's ``git status`` for a reading command
    (:func:`brag.early.prefetch`); return whether it started. ``top`` is
    :func:`split_top`'s answer for ``args`` when known."""
    if top is False:
        top = split_top(args)
    if top is None:
        return False
    name, directory = top[0], top[1]
    if name not in READERS or "--help" in args or "-h" in args:
        return False
    try:
        from .early import prefetch

        return prefetch(directory)
    except Exception:  # noqa: BLE001 - only a head start: the command reports problems itself
        return False


def _defer_inspect() -> None:
    """Load :mod:`inspect` only if something uses it.

    :mod:`dataclasses` imports it for one call (a signature for a class with no
    docstring), and it brings ``ast``, ``dis`` and ``tokenize``: 4-7 ms of a quick
    command's 60. Until then ``inspect`` is a stand-in module; the first of its
    names anything asks for imports the real one (which takes its place in
    ``sys.modules``) and fills the stand-in with its names. (Python's own
    ``importlib.util.LazyLoader`` does not serve: an ``import inspect`` statement
    reads the module's ``__spec__``, which loads it.)"""
    if "inspect" not in sys.modules:
        sys.modules["inspect"] = _Deferred("inspect")


class _Deferred(types.ModuleType):
    """A module imported in full on first use (see :func:`_defer_inspect`)."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":
            raise AttributeError(name)  # the import system asks whether it is a package
        import importlib

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, name)
