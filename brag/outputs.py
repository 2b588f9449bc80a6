"""Finished documents kept between runs: a warm ``brag coach`` or export reads no entry.

A document depends on the journal's entries, its other files (``brag.toml``,
``ladder.toml``, ``templates/``, state such as the last 1:1), the options it
was asked with, "today", ``BRAG_*`` settings and brag's own code. :func:`key`
digests all of them: the entries through the index's rows, by the token the
index writes with every change to them (:meth:`~brag.index.Index.rows_token`:
after its refresh, the rows change exactly when an entry file does, as the
index decides it), the rest by stat'ing every file outside ``entries/``
and ``.git/``, and the code by stat'ing brag's modules and templates. An edited,
added or deleted entry, an edited config or a new brag changes the key, and the
document is built again; a deleted cache is simply rebuilt.

The files live next to the index in ``.git/brag/documents/`` and never in git;
at most :data:`KEPT` are kept, and any failure only means the document is built
again.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .journal import Journal

#: Bump when the layout of a kept document changes.
VERSION = 1

#: Documents kept (the most recently written), and their total size at most (the
#: newest is always kept): an HTML report of 10,000 entries is about 12 MB.
KEPT = 32
KEPT_BYTES = 64 * 1024 * 1024

# Files in .git/brag/ that are caches, not state a document reads.
_NOT_STATE = ("index.sqlite", "impact-cache", "commit.lock", ".impact-")


def folder(journal: Journal) -> Path:
    return journal.index.location.parent / "documents"


def key(journal: Journal, *parts: Any) -> str | None:
    """A digest of everything a document asked with ``parts`` depends on, or None
    when it cannot be known (no usable index); then nothing is cached."""
    from .hashing import blake2b

    try:
        index = journal.index
        # Any change to any row (an add, an edit by hand, a pull, a rebuilt index)
        # writes a new token; no row is read. (Asking refreshes the index.)
        rows: Any = index.rows_token()
        if rows is None:  # no row was ever written: nothing to read either
            rows = index.db.execute("SELECT path, mtime_ns, size FROM files").fetchall()
        if getattr(index, "in_memory", True):
            return None
        others = _stat_tree(journal.root)
        state = _stat_state(index.location.parent)
    except Exception:  # the cache only ever saves time
        return None
    digest = blake2b(digest_size=20)
    for chunk in (
        (VERSION, _code_stamp()),
        tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("BRAG_"))),
        parts,
        others,
        state,
    ):
        digest.update(repr(chunk).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    digest.update(repr(rows).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read(journal: Journal, found: str | None) -> tuple[str, int] | None:
    """The document kept under ``found`` and the number it was kept with, or None."""
    if found is None:
        return None
    try:
        raw = (folder(journal) / found).read_bytes()
        head, _, text = raw.partition(b"\n")
        return text.decode("utf-8"), int(head)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def write(journal: Journal, found: str | None, text: str, count: int = 0) -> None:
    """Keep ``text`` (and ``count``, e.g. the entries it shows) under ``found``."""
    if found is None:
        return
    from .journal import temp_file

    where = folder(journal)
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(where, prefix=".doc-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(f"{int(count)}\n".encode())
            fh.write(text.encode("utf-8"))
        os.replace(tmp, where / found)
        _prune(where)
    except OSError:
        return


def _prune(where: Path) -> None:
    """Keep the newest :data:`KEPT` documents, and no more than :data:`KEPT_BYTES`."""
    found = []
    for item in os.scandir(where):
        if item.is_file():
            stat = item.stat()
            found.append((stat.st_mtime_ns, stat.st_size, item.path))
    total = 0
    for rank, (_, size, path) in enumerate(sorted(found, reverse=True)):
        total += size
        if rank >= KEPT or (rank and total > KEPT_BYTES):
            with contextlib.suppress(OSError):
                os.unlink(path)


def _stat_tree(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of the journal's files a document may read: everything
    outside ``entries/`` and ``.git`` but the documents written at its top
    (``brag-report.html``, ``brief.md``), which would otherwise make every
    export miss the one it just wrote. Top-level inputs are TOML files
    (``brag.toml``, ``ladder.toml``, ``review-form.toml``)."""
    found: list[tuple[str, int, int]] = []
    stack = [str(root)]
    top = True
    while stack:
        where = stack.pop()
        with os.scandir(where) as items:
            for item in items:
                if top and item.name in ("entries", ".git"):
                    continue
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                elif not top or item.name.endswith(".toml"):
                    stat = item.stat()
                    found.append((item.path, stat.st_mtime_ns, stat.st_size))
        top = False
    return tuple(sorted(found))


def stat_files(values: Iterable[Any]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of each value naming a file (an option like ``--form FILE``)."""
    found = []
    for value in values:
        if isinstance(value, (str, os.PathLike)) and str(value):
            try:
                stat = os.stat(value)
            except (OSError, ValueError):
                continue
            found.append((os.path.abspath(value), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _stat_state(where: Path) -> tuple[tuple[str, int, int], ...]:
    """Files brag keeps in ``.git/brag/`` that are state (the inbox's), not caches."""
    found = []
    try:
        items = list(os.scandir(where))
    except OSError:
        return ()
    for item in items:
        if item.is_file() and not item.name.startswith(_NOT_STATE):
            stat = item.stat()
            found.append((item.name, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


@functools.cache
def _code_stamp() -> tuple[Any, ...]:
    """Changes whenever brag, its built-in plugins or templates change."""
    import sys

    from . import __version__

    folders = [Path(__file__).parent]
    for name in ("brag.plugins", "brag.templates"):
        module = sys.modules.get(name)
        if module is None:
            import importlib

            module = importlib.import_module(name)
        folders += [Path(p) for p in getattr(module, "__path__", [])]
    stats: list[tuple[str, int, int]] = []
    for top in dict.fromkeys(folders):
        stats += _files_under(top)
    return (__version__, sys.version, tuple(sorted(stats)))


def _files_under(top: Path) -> Iterable[tuple[str, int, int]]:
    stack = [str(top)]
    while stack:
        where = stack.pop()
        with os.scandir(where) as items:
            for item in items:
                if item.is_dir(follow_symlinks=False):
                    if item.name != "__pycache__":
                        stack.append(item.path)
                elif item.name.endswith((".py", ".j2", ".toml", ".json", ".css", ".js")):
                    stat = item.stat()
                    yield item.path, stat.st_mtime_ns, stat.st_size
