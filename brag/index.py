"""A derived SQLite index of the journal's entry files.

Reading and TOML-parsing 10,000 files takes most of a second; a fresh process
that queries this index answers in tens of milliseconds. The index is never the
source of truth: it lives inside ``.git/brag/`` (so it is never committed) and
deleting it is always safe; the next command rebuilds it.

**Freshness comes from git.** The index records the commit it was brought in
line with and the entry files that differed from that commit then. A reading
command asks git what changed since: one ``git diff --name-only`` between the
recorded commit and ``HEAD`` (only when ``HEAD`` moved: a pull, a checkout, a
commit by hand or by another brag) plus ``git status`` for ``entries/``, which
git answers from its own stat cache. Only those files are stat'ed and, if their
size or modification time differ from their row, re-read. Without git (or when
the recorded commit is gone) it falls back to stat'ing every entry file.

Looking for new, untracked files is half of what ``git status`` costs, so the
index also records the modification time of every folder under ``entries/``: a
file created, renamed or removed changes its folder's time. ``git status`` is
asked only about tracked files; the folders whose time moved are listed, and
while every file in them is one the index knows (brag's own adds are indexed as
they are written), the untracked files are the ones known before. A file brag
did not write sends the refresh back to the full ``git status``. A folder
changed less than ``RACY_NS`` before it was read is recorded as unknown and
listed again next time, so a file created within the file system's clock tick
is never missed (git's "racily clean" rule, applied to folders).

**Every change to the rows writes a new token** (``meta`` key ``rows``, random,
in the transaction that changed them): a kept document is keyed by it instead
of by reading every row (:mod:`brag.outputs`).

**It heals itself.** A corrupt, truncated or foreign index file is deleted and
rebuilt with a note; one that is locked by another process for more than a
moment, or cannot be written (a full disk, a read-only journal), is bypassed
for this run with an index in memory. None of these is ever a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import marshal as _marshal
import operator
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import early
from .entry import Entry, content_digest
from .errors import EntryError
from .listing import format_line, search_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from typing import Any

    from .parallel import Parts
    from .progress import Bar


SCHEMA_VERSION = 14
#: What the index file records as its version: the schema's, and the format of the
#: rows' marshal data (an interpreter may read an older one, not a newer one).
FILE_VERSION = SCHEMA_VERSION * 100 + _marshal.version
PAGE_SIZE = 16384
CACHE_KIB = 65536
#: How much of the index file is read through a memory map (all of it, in practice:
#: 100,000 entries take about 260 MB). Address space only; pages are the OS's.
MMAP_BYTES = 1 << 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    id TEXT,
    date TEXT,
    hay TEXT,    -- what search looks in: listing.search_text
    shown TEXT,  -- the line brag list prints, uncoloured: listing.format_line
    tags TEXT,
    private INTEGER,
    source TEXT,
    source_id TEXT,
    entry BLOB,
    error TEXT,
    line INTEGER,
    outcome TEXT, -- the date (ISO) of the entry's measured outcome, if it has one
    story TEXT,   -- the entry's title as duplicates.normalise_title gives it: what
                  -- brag add's duplicate check compares, in SQL
    figures TEXT  -- duplicates.figures_key: the metric values a twin would repeat
);
-- Date, then path: the order every query answers in, so a year's entries are read in
-- index order, not gathered (blobs and all) into a temporary tree to sort same-day files.
CREATE INDEX IF NOT EXISTS files_date ON files(date, path);
CREATE INDEX IF NOT EXISTS files_id ON files(id);
CREATE INDEX IF NOT EXISTS files_source ON files(source, source_id);
-- Every reading command asks for broken files: without this, a full scan of the blobs.
CREATE INDEX IF NOT EXISTS files_broken ON files(path) WHERE error IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
"""
#: folder_entries: a row whose story was not asked for (its entry is not unpacked).
_UNWANTED = object()
_INSERT_ROW = "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


@dataclass(frozen=True)
class Broken:
    """An entry file that could not be read, with the reason and line."""

    path: str
    reason: str
    line: int | None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def index_location(root: Path) -> Path:
    git_dir = root / ".git"
    if git_dir.is_dir():
        return git_dir / "brag" / "index.sqlite"
    # A worktree or submodule has a .git file; keep the index in the user cache.
    import hashlib

    from platformdirs import user_cache_dir

    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(user_cache_dir("brag")) / f"index-{key}.sqlite"


def scan(
    entries_dir: Path, root: Path, folders: dict[str, int] | None = None, stat: bool = True
) -> dict[str, tuple[int, int] | None]:
    """Every ``*.md`` under entries/: relative path -> (mtime_ns, size).

    With ``folders``, also records each folder's time in it, as
    :func:`_folder_times` does, read before the folder is listed (a file that
    arrives after is then seen by the next refresh). Without ``stat`` the
    files are only listed (path -> None): an empty index compares nothing, and
    each file is stat'ed as it is read, by the process that reads it."""
    import time

    found: dict[str, tuple[int, int] | None] = {}
    prefix_len = len(str(root)) + 1
    now = time.time_ns()
    stack = [str(entries_dir)]
    while stack:
        current = stack.pop()
        try:
            mtime = os.stat(current).st_mtime_ns if folders is not None else 0
            it = os.scandir(current)
        except (FileNotFoundError, NotADirectoryError):
            continue
        folder = current[prefix_len:].replace(os.sep, "/")
        if folders is not None:
            folders[folder] = 0 if now - mtime < RACY_NS else mtime
        folder += "/"
        with it:
            for item in it:
                name = item.name
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                elif (
                    name.endswith(".md")
                    and not name.startswith(".")
                    # the other machine's side of a sync conflict, not an entry
                    and not name.endswith(".theirs.md")
                ):
                    if not stat:
                        found[folder + name] = None
                        continue
                    try:
                        st = item.stat()
                    except OSError:
                        continue
                    if st.st_size == 0:
                        continue  # a placeholder a concurrent add is about to fill
                    found[folder + name] = (st.st_mtime_ns, st.st_size)
    return found


# The fields of an Entry, in the order its constructor takes them.
_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))
_DATE, _CREATED, _UPDATED = (_FIELDS.index(n) for n in ("date", "created", "updated"))
_DAYS = tuple(_FIELDS.index(n) for n in ("follow_up", "inbox_cleared"))
_field_values = operator.attrgetter(*_FIELDS)  # all of them in one call, in that order
_PICKLED = 0x80  # the first byte of a pickle (its protocol opcode); never marshal's


def pack(entry: Entry) -> bytes:
    """An entry as stored in the index: its field values, dates as plain values,
    then its :func:`~brag.entry.content_digest`.

    A tuple of plain values loads several times faster than a pickled Entry
    (whose class and dates are each rebuilt through their own reduce), and
    ``marshal``, built into the interpreter, loads it faster again than
    ``pickle`` and costs no import: most of ``brag search`` or ``list --since``
    printing a couple of thousand entries, and of a year's document. A value
    marshal cannot hold (an outcome's date, a TOML date in a field brag does not
    know) makes the row a pickle instead; :func:`unpack` tells the two apart by the first byte.
    """
    values = list(_field_values(entry))
    values[_DATE] = entry.date.toordinal()
    for i in _DAYS:
        if values[i] is not None:
            values[i] = values[i].toordinal()
    for i in (_CREATED, _UPDATED):
        if values[i] is not None:
            values[i] = values[i].isoformat()
    values.append(content_digest(entry))
    try:
        return _marshal.dumps(tuple(values))
    except ValueError:
        import pickle

        return pickle.dumps(tuple(values), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Entry:
    return unpack_keyed(blob)[0]


def unpack_keyed(blob: bytes) -> tuple[Entry, bytes]:
    """The entry :func:`pack` stored, with its content digest."""
    if blob[0] == _PICKLED:
        import pickle

        values = list(pickle.loads(blob))
    else:
        values = list(_marshal_loads(blob))
    digest = values.pop()
    values[_DATE] = _date_from_ordinal(values[_DATE])
    for i in _DAYS:
        if values[i] is not None:
            values[i] = _date_from_ordinal(values[i])
    for i in (_CREATED, _UPDATED):
        if values[i] is not None:
            values[i] = _datetime_from_iso(values[i])
    return Entry(*values), digest


def _unpack_row(row: tuple[bytes, str, str | None]) -> tuple[Entry, bytes, str, str | None]:
    """(entry, digest, story, figures) of a row of (packed entry, story, figures)."""
    blob, story, figures = row
    return (*unpack_keyed(blob), story, figures)


def _unpack_first(row: tuple[bytes]) -> Entry:
    return unpack_keyed(row[0])[0]


_marshal_loads = _marshal.loads
_third = operator.itemgetter(2)
_fourth = operator.itemgetter(3)

_normalise_title: Callable[[str], str] | None = None
_figures_key: Callable[[Entry], str | None] | None = None


def _load_normalise_title() -> Callable[[str], str]:
    """:func:`brag.duplicates.normalise_title` (and ``figures_key``), imported on
    first use and kept: every row of a cold rebuild needs them (an import
    statement per row cost about as much), and brag list and search write no row."""
    global _normalise_title, _figures_key
    from .duplicates import figures_key, normalise_title

    _normalise_title, _figures_key = normalise_title, figures_key
    return normalise_title


_date_from_ordinal = dt.date.fromordinal
_datetime_from_iso = dt.datetime.fromisoformat


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN = 1000


def _rows_of(
    base: str,
    step: Callable[[], object],
    items: Sequence[tuple[str, tuple[int, int] | None]],
) -> list[tuple[object, ...]]:
    rows = []
    for rel, stat in items:
        row = Index._row(base, rel, stat)
        if row is not None:
            rows.append(row)
        step()
    return rows


def _no_step() -> None:
    pass


def _indexing(files: int) -> Bar:
    """The progress bar of reading ``files`` entry files into the index (shown on a
    terminal from :data:`PROGRESS_MIN` files: a first run on a big journal, a
    deleted index, a pull that brought thousands of entries)."""
    from .progress import Bar

    return Bar("Indexing entries", files, PROGRESS_MIN)


#: From this many entry files to read (about half a second's work), a person at a
#: terminal sees a progress bar.
PROGRESS_MIN = 10_000


def parse_rows(
    root: Path,
    items: list[tuple[str, tuple[int, int] | None]],
    step: Callable[[], object] = _no_step,
) -> list[tuple[object, ...]] | Parts:
    """Index rows for ``items``, (path, (mtime_ns, size)) pairs, in path order
    (a stat of None: stat'ed as it is read, see :meth:`Index._row`).

    Reading entries is most of a cold rebuild (0.6-0.8 s of CPU for 10,000
    entries with brag's own front matter; several times that for hand-written
    TOML, which tomllib reads), so many files are split across the CPUs
    (:func:`brag.parallel.split`). With workers, the rows come back as
    :class:`~brag.parallel.Parts`: this process writes its own share to the index
    while the workers are still parsing, so its share is the smaller one.
    ``step`` is called once a file (a progress bar's step): as this process reads
    it, or as a worker's row is taken.
    """
    from .parallel import split

    if len(items) >= PARALLEL_MIN:
        from . import frontmatter  # noqa: F401  (imported once, before a fork, not per worker)
    base = str(root) + os.sep
    # In path order: each worker reads neighbouring files, and the rows go into
    # the index's b-trees in order instead of all over them.
    items = sorted(items)
    rows = functools.partial(_rows_of, base, step)
    shared = split(
        rows, items, minimum=PARALLEL_MIN, smallest_part=PARALLEL_MIN // 4, lighter=True,
        each=step,
    )  # fmt: skip
    return rows(items) if shared is None else shared


# How long to wait for another process's write to the index before bypassing it.
LOCK_TIMEOUT = 1.0
#: The write-ahead log is cut back to this once its changes are in the index file
#: (SQLite's ``journal_size_limit``), and a write that leaves it longer folds it in
#: at once (:meth:`Index._fold_log`).
LOG_LIMIT = 4 << 20


def _note(message: str) -> None:
    sys.stderr.write(f"brag: note: {message}\n")


class Index:
    def __init__(self, root: Path, location: Path | None = None):
        self.root = root
        self.location = location or index_location(root)
        self._db: sqlite3.Connection | None = None
        self.refreshed = False
        self.in_memory = False

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(self.location.parent, os.W_OK) or (
                self.location.exists() and not os.access(self.location, os.W_OK)
            ):
                raise PermissionError(self.location)
        except OSError:
            # A read-only journal can still be read: index it in memory for this run.
            return self._memory()
        for attempt in range(2):
            try:
                return self._connect(str(self.location))
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    _note(
                        f"the index {self.location} is locked by another process: "
                        "reading the entry files directly this time"
                    )
                    return self._memory()
                if attempt == 0 and self._discard_corrupt(exc):
                    continue
                return self._memory(exc)
            except sqlite3.DatabaseError as exc:
                if attempt == 0 and self._discard_corrupt(exc):
                    continue
                return self._memory(exc)
        return self._memory()

    def _connect(self, where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            if where != ":memory:":
                # Set before the file's first table exists (a no-op after): an entry
                # row is a few kilobytes, and 16 KiB pages take a cold rebuild's
                # 10,000 of them in a fifth less time than the default 4 KiB.
                db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA journal_size_limit={LOG_LIMIT}")
            # Room for a cold rebuild's pages (the default 2 MiB spills them to the
            # log mid-transaction); only what is used is allocated.
            db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            if where != ":memory:":
                # Read the file through a memory map: each process starts with an
                # empty page cache, and a search or a year's export reads most of
                # the file; mapped, it is not copied page by page into that cache
                # (a search of 10,000 entries: 30-38 ms of SQL down to 16-20).
                # Writes still go through the file, and a file deleted meanwhile
                # (a damaged index healed by another process) stays mapped whole.
                db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != FILE_VERSION:
                db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS meta;")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version={FILE_VERSION}")
            # A file with the right version number but someone else's tables fails here.
            db.execute("SELECT path, mtime_ns, size, entry, error, line FROM files LIMIT 1")
            db.execute("SELECT key, value FROM meta LIMIT 1")
        except BaseException:
            db.close()
            raise
        return db

    def _memory(self, reason: BaseException | None = None) -> sqlite3.Connection:
        # A full disk is said once, by whatever write then fails; reading the files
        # directly needs no note of its own.
        if reason is not None and not _is_full(reason):
            _note(
                f"cannot use the index {self.location} ({reason}): "
                "reading the entry files directly this time"
            )
        self.in_memory = True
        return self._connect(":memory:")

    def _discard_corrupt(self, exc: BaseException) -> bool:
        """Delete an index file that is not brag's (or is damaged); True if it is gone."""
        if _is_busy(exc) or _is_full(exc):
            return False
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.location) + suffix).unlink(missing_ok=True)
        except OSError:
            return False
        _note(f"the index {self.location} was damaged ({exc}): rebuilt it from the entry files")
        return True

    def _recover_from(self, exc: sqlite3.DatabaseError) -> None:
        """After an error mid-use: rebuild a damaged file, or bypass a busy or full one."""
        if self.in_memory:
            raise exc
        if _is_busy(exc):
            _note(
                f"the index {self.location} is locked by another process: "
                "reading the entry files directly this time"
            )
            self._switch_to_memory()
        elif _is_full(exc):
            _note(
                f"cannot update the index {self.location} ({exc}): "
                "reading the entry files directly this time"
            )
            self._switch_to_memory()
        elif not self._discard_corrupt(exc):
            self._switch_to_memory()
        self.refreshed = False

    def _switch_to_memory(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = self._memory()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- freshness ----------------------------------------------------------

    def refresh(self) -> int:
        """Bring the index in line with the files on disk; return rows changed."""
        if self.refreshed:
            return 0
        for _attempt in range(3):
            try:
                return self._refresh()
            except sqlite3.DatabaseError as exc:
                self._recover_from(exc)
        return self._refresh()

    def _refresh(self) -> int:
        db = self.db
        meta = dict(
            db.execute("SELECT key, value FROM meta WHERE key IN ('head', 'dirty', 'folders')")
        )
        dirty_then = _meta_value(meta.get("dirty"), [])
        old_folders = _meta_value(meta.get("folders"), {}) or {}
        if not meta.get("head") or dirty_then is None:
            # Nothing to compare with (or a record that cannot be read): every file.
            return self._rebuild(db, meta)
        old_dirty = set(dirty_then)
        # Folders are read before git runs: a file created after is seen next time.
        folders = None if self.in_memory else _changed_folders(self.root, old_folders)
        # The folders' record as it stands now (walked in full only the first time).
        record = folders[0] if folders is not None else None
        git = _git_state(self.root, untracked=folders is None)
        gone_there: set[str] = set()
        if git is not None and folders is not None:
            _record, moved_folders, on_disk_there = folders
            known_there = self._paths_in(moved_folders)
            if on_disk_there - known_there:
                # A file brag did not write (by hand, a pull): let git say which
                # files are untracked, as without a record.
                git = _git_state(self.root)
            else:
                # The untracked files are the ones known before, if still there.
                head, dirty = git
                git = head, dirty | {p for p in old_dirty if os.path.lexists(self.root / p)}
                gone_there = known_there - on_disk_there
        changed: dict[str, tuple[int, int] | None] | None = None
        if git is not None and meta.get("head") and not self.in_memory:
            head, dirty = git
            candidates: set[str] | None = dirty | old_dirty | gone_there
            if head != meta["head"]:
                moved = _git_diff(self.root, str(meta["head"]), head)
                candidates = None if moved is None else dirty | old_dirty | gone_there | moved
            if candidates is not None:
                changed = {rel: _stat_entry(self.root, rel) for rel in candidates}
        if changed is None:
            todo, gone = self._compare_all(db)
        else:
            known = {}
            if changed:
                marks = ",".join("?" * len(changed))
                known = {
                    path: (mtime, size)
                    for path, mtime, size in db.execute(
                        f"SELECT path, mtime_ns, size FROM files WHERE path IN ({marks})",
                        list(changed),
                    )
                }
            todo = [(p, st) for p, st in changed.items() if st is not None and known.get(p) != st]
            gone = [p for p, st in changed.items() if st is None and p in known]
        new_meta: list[tuple[str, str | bytes]] = []
        if git is not None:
            head, dirty = git
            # (an older index's JSON is written again as marshal's bytes)
            if meta.get("head") != head or old_dirty != dirty or isinstance(meta.get("dirty"), str):
                new_meta = [("head", head), ("dirty", _meta_blob(sorted(dirty)))]
            if record is None:
                record = _folder_times(self.root)
            if record != old_folders or isinstance(meta.get("folders"), str):
                new_meta.append(("folders", _meta_blob(record)))
        if not todo and not gone and not new_meta:
            self.refreshed = True
            return 0
        with _indexing(len(todo)) as bar:
            self._write(db, parse_rows(self.root, todo, bar.advance), gone, new_meta)
        return len(todo) + len(gone)

    def _rebuild(self, db: sqlite3.Connection, meta: dict[str, Any]) -> int:
        """Index every entry file: no commit recorded to compare with (a new or
        deleted index, or one that never knew git). git's answer, needed only
        for the record, is worked out while the files are read."""
        if not self.in_memory:
            _drop_prefetched()  # a list's head start asked about tracked files only
            _start_status(self.root, untracked=True)
        record: dict[str, int] | None = {} if not self.in_memory else None
        todo, gone = self._compare_all(db, record)
        with _indexing(len(todo)) as bar:
            rows = parse_rows(self.root, todo, bar.advance)
            try:
                started = _PREFETCHED.pop(str(self.root), None)
                # HEAD as read before the files were: a commit since is the next refresh's diff.
                git = _status_result(started) if started is not None else None
                new_meta: list[tuple[str, str | bytes]] = []
                if git is not None:
                    head, dirty = git
                    new_meta = [("head", head), ("dirty", _meta_blob(sorted(dirty)))]
                    if record is not None and record != _meta_value(meta.get("folders"), {}):
                        new_meta.append(("folders", _meta_blob(record)))
                if not todo and not gone and not new_meta:
                    self.refreshed = True
                    return 0
                self._write(db, rows, gone, new_meta)
            finally:
                if not isinstance(rows, list):  # brag.parallel.Parts: the workers' rows
                    rows.close()  # stop them, remove their files
        return len(todo) + len(gone)

    def _compare_all(
        self, db: sqlite3.Connection, record: dict[str, int] | None = None
    ) -> tuple[list[tuple[str, tuple[int, int] | None]], list[str]]:
        """Every entry file against its row: (the files to read, the rows whose file
        is gone). ``record`` receives the folders' times (see :func:`scan`). With
        no rows, every file is to be read and none is stat'ed here."""
        known = {
            path: (mtime, size)
            for path, mtime, size in db.execute("SELECT path, mtime_ns, size FROM files")
        }
        on_disk = scan(self.root / "entries", self.root, record, stat=bool(known))
        if not known:
            return list(on_disk.items()), []
        todo = [(p, stat) for p, stat in on_disk.items() if known.get(p) != stat]
        gone = [p for p in known if p not in on_disk]
        return todo, gone

    def _write(
        self,
        db: sqlite3.Connection,
        rows: Iterable[tuple[object, ...]],
        gone: list[str],
        new_meta: list[tuple[str, str | bytes]],
    ) -> None:
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                before = db.total_changes
                db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
                db.executemany(_INSERT_ROW, rows)
                if db.total_changes != before:
                    _new_rows_token(db)
                # Stored with the rows it describes, so it never vouches for rows
                # another process has not finished writing.
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", new_meta)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            if not isinstance(rows, list):  # brag.parallel.Parts: the workers' rows
                rows.close()  # type: ignore[attr-defined]  # stop them, remove their files
        self.refreshed = True
        self._fold_log(db)

    def _fold_log(self, db: sqlite3.Connection) -> None:
        """After a large write (a cold rebuild, a big import), move the write-ahead
        log into the index file and empty it, if no other process is reading.

        SQLite leaves the log file at its largest until a later write starts it
        over, and every process that opens the index then pays for it: after a
        cold rebuild of 10,000 entries (a 27 MB log), a list or search took 10-30
        ms longer, and an add 25 ms, until then. Never waits: a reader elsewhere
        leaves the log as it is for a later write to fold."""
        if self.in_memory:
            return
        try:
            if os.stat(str(self.location) + "-wal").st_size <= LOG_LIMIT:
                return
        except OSError:
            return
        try:
            db.execute("PRAGMA busy_timeout=0")
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                db.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT * 1000)}")
        except sqlite3.Error:
            pass  # derived data: the log is still correct, only longer

    @staticmethod
    def _row(root: str, rel: str, stat: tuple[int, int] | None) -> tuple[object, ...] | None:
        """The index row of one entry file (``root`` ends with a separator).

        With no ``stat`` the file is stat'ed through the descriptor it is read
        from, before it is read; an empty one (a placeholder a concurrent add is
        about to fill) has no row, as :func:`scan` leaves it out."""
        mtime, size = stat or (0, 0)
        try:
            if stat is None:
                text, stat = _read_stat_text(root + rel)
                if stat is None:
                    return None
                mtime, size = stat
            else:
                text = _read_text(root + rel, size)
            entry = Entry.from_markdown(text, rel)
        except EntryError as exc:
            return _broken_row(rel, mtime, size, exc.reason, exc.line)
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            return _broken_row(rel, mtime, size, reason, None)
        except OSError as exc:
            return _broken_row(rel, mtime, size, f"cannot read: {exc.strerror}", None)
        return Index._entry_row(rel, stat, entry)

    @staticmethod
    def _entry_row(rel: str, stat: tuple[int, int], entry: Entry) -> tuple[object, ...]:
        normalise_title = _normalise_title or _load_normalise_title()
        figures_key: Callable[[Entry], str | None] = _figures_key  # type: ignore[assignment]
        mtime, size = stat
        tags = "\x1f" + "\x1f".join(t.casefold() for t in entry.tags) + "\x1f"
        return (
            rel,
            mtime,
            size,
            entry.id,
            entry.date.isoformat(),
            search_text(entry),
            format_line(entry),
            tags,
            int(entry.private),
            entry.source,
            entry.source_id,
            pack(entry),
            None,
            None,
            _outcome_day(entry),
            normalise_title(entry.title),
            figures_key(entry) if entry.metrics else None,
        )

    def record(self, entries: list[Entry], commit: tuple[str, str] | None = None) -> None:
        """Index entries brag has just written to ``entry.path``, without reading
        the files back (a large import would otherwise be re-parsed by the next
        command). Files changed since are caught by the usual stat check.

        ``commit`` is (parent, new) when brag has just committed exactly these
        files on top of ``parent``: if the index stood at ``parent``, it now
        stands at ``new`` and the next refresh need not ask git for the diff."""
        rows = []
        for entry in entries:
            try:
                st = os.stat(self.root / entry.path)
            except OSError:
                continue
            rows.append(self._entry_row(entry.path, (st.st_mtime_ns, st.st_size), entry))
        if not rows:
            return
        try:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(_INSERT_ROW, rows)
                _new_rows_token(db)
                if commit is not None:
                    db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'head' AND value = ?",
                        (commit[1], commit[0]),
                    )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            if len(rows) > 1:  # an import's; one add's row stays in the log
                self._fold_log(db)
        except sqlite3.DatabaseError:
            # Derived data: the next refresh reads these files from disk instead.
            self.refreshed = False

    def _under(self, folder: str, columns: str) -> Any:
        """Rows (``path`` first, then ``columns``) of the files under ``folder``,
        its subfolders' included: one range of the primary key."""
        return self.db.execute(
            f"SELECT path{columns} FROM files WHERE path > ? AND path < ?",
            (folder + "/", folder + "0"),  # "0" sorts right after "/"
        )

    def _paths_in(self, folders: set[str]) -> set[str]:
        """Indexed paths directly inside ``folders`` (not in their subfolders)."""
        return {
            path
            for folder in folders
            for (path,) in self._under(folder, "")
            if path.rpartition("/")[0] == folder
        }

    def folder_entries(
        self,
        folder: str,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
    ) -> tuple[list[Entry], list[str]]:
        """The entries filed directly in ``folder`` (journal-relative), exact without
        a refresh: every file is stat'ed, and those whose row matches come from the
        index; the second list holds the files to read from disk (no row, or a
        changed one). No git process runs, so ``brag add`` can check a few
        folders for duplicates at the cost of a directory listing. An unchanged
        file dated outside ``since``..``until`` (ISO dates), or whose title does
        not normalise to ``story`` (:func:`~brag.duplicates.normalise_title`), is
        left out unread: the comparison is made in SQL, so those rows are neither
        fetched nor unpacked."""
        try:
            with os.scandir(os.path.join(self.root, folder)) as it:
                stats = {}
                for item in it:
                    name = item.name
                    if name.startswith(".") or not name.endswith(".md"):
                        continue
                    if name.endswith(".theirs.md") or not item.is_file(follow_symlinks=False):
                        continue
                    try:
                        st = item.stat()
                    except OSError:
                        continue
                    if st.st_size:  # else a placeholder a concurrent add is about to fill
                        stats[f"{folder}/{name}"] = (st.st_mtime_ns, st.st_size)
        except OSError:
            return [], []
        rows: dict[str, tuple[int, int, str | None, Any]] = {}
        try:
            wanted = "?1 IS NULL OR story IS NULL OR story = ?1"
            found_rows = self.db.execute(
                f"SELECT path, mtime_ns, size, date, {wanted}, "
                f"CASE WHEN {wanted} THEN entry END "
                "FROM files WHERE path > ?2 AND path < ?3",
                (story, folder + "/", folder + "0"),  # "0" sorts right after "/"
            )
            for path, mtime, size, date, asked, blob in found_rows:
                rows[path] = (mtime, size, date, blob if asked else _UNWANTED)
        except sqlite3.DatabaseError:
            rows = {}  # derived data: the files themselves answer
        found: list[Entry] = []
        unread: list[str] = []
        for rel in sorted(stats):
            row = rows.get(rel)
            if row is None or row[:2] != stats[rel]:
                unread.append(rel)
            elif row[3] is None or row[3] is _UNWANTED:
                continue  # a file that does not parse, or a title not asked for
            elif (since and (row[2] or "") < since) or (until and (row[2] or "") > until):
                continue
            else:
                found.append(unpack(row[3]))
        return found, unread

    # -- queries --------------------------------------------------------------

    def _select(
        self,
        sql: str,
        params: Any = (),
        refresh: bool = True,
        each: Callable[[Any], Any] | None = None,
    ) -> list[Any]:
        """Rows for ``sql`` (after a refresh), healing a damaged or busy index on the way.

        ``each``: made of each row as it is read, instead of the row. A year's
        entries are unpacked as they arrive, so their packed rows (11 MB for
        10,000 entries with bodies) are never all held at once: memory a process
        must first fault in, page by page, is most of the cost of reading them.
        """
        for _attempt in range(3):
            if refresh:
                self.refresh()
            try:
                return self._rows(sql, params, each)
            except sqlite3.DatabaseError as exc:
                self._recover_from(exc)
        if refresh:
            self.refresh()
        return self._rows(sql, params, each)

    def _rows(self, sql: str, params: Any, each: Callable[[Any], Any] | None) -> list[Any]:
        cursor = self.db.execute(sql, params)
        return cursor.fetchall() if each is None else list(map(each, cursor))

    def rows_token(self) -> str | None:
        """A token that changes whenever any row changes (after a refresh): a
        random value written with every change to the rows, in the same
        transaction, so a kept document can be keyed by it instead of by every
        row. None while no row was ever written (an empty journal's index)."""
        found = self._select("SELECT value FROM meta WHERE key = 'rows'")
        return str(found[0][0]) if found else None

    def broken(self) -> list[Broken]:
        return [
            Broken(path, error, line)
            for path, error, line in self._select(
                "SELECT path, error, line FROM files WHERE error IS NOT NULL ORDER BY path"
            )
        ]

    def query(self, **filters: Any) -> Iterator[Entry]:
        """Entries matching ``filters`` (see :meth:`_where`), newest first unless
        ``newest_first=False``."""
        yield from self._select(*self._where("entry", **filters), each=_unpack_first)

    def query_keyed(self, **filters: Any) -> list[tuple[Entry, bytes, bool]]:
        """:meth:`query`, each entry with its :func:`~brag.entry.content_digest`
        as the index keeps it (a year's document keys its analyses without
        digesting every entry again), and whether it is alone: no other entry
        of the answer shares its story or its metric values, so it has no
        duplicate among them (``alone`` in :func:`brag.duplicates.groups`), which
        the index answers from two columns instead of every entry's title and
        metrics."""
        rows = self._select(*self._where("entry, story, figures", **filters), each=_unpack_row)
        stories = Counter(map(_third, rows))
        figures = Counter(map(_fourth, rows))
        return [
            (entry, digest, stories[story] == 1 and (figure is None or figures[figure] == 1))
            for entry, digest, story, figure in rows
        ]

    def outcomes(
        self, since: str, until: str | None, before: str, include_private: bool = True
    ) -> Iterator[Entry]:
        """Entries dated on or before ``before`` whose outcome is dated from
        ``since`` to ``until`` (ISO dates, inclusive), newest first as
        :meth:`query` orders them: found without unpacking the years before."""
        sql = "SELECT entry FROM files WHERE error IS NULL AND date <= ? AND outcome >= ?"
        params: list[object] = [before, since]
        if until is not None:
            sql += " AND outcome <= ?"
            params.append(until)
        if not include_private:
            sql += " AND private = 0"
        for (blob,) in self._select(sql + " ORDER BY date DESC, path DESC", params):
            yield unpack(blob)

    def lines(self, **filters: Any) -> list[str]:
        """The uncoloured ``brag list`` line of each entry :meth:`query` would give,
        read from the index without unpacking any entry."""
        return [shown for (shown,) in self._select(*self._where("shown", **filters))]

    @staticmethod
    def _where(
        column: str,
        *,
        since: str | None = None,
        until: str | None = None,
        tags: list[str] | None = None,
        text: str | None = None,
        include_private: bool = True,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> tuple[str, list[object]]:
        """The SQL selecting ``column`` of the entries that match: dated from
        ``since`` to ``until`` (ISO dates, inclusive), with every one of ``tags``
        and every word of ``text`` (in title, impact or body, any case)."""
        where = ["error IS NULL"]
        params: list[object] = []
        if since:
            where.append("date >= ?")
            params.append(since)
        if until:
            where.append("date <= ?")
            params.append(until)
        if not include_private:
            where.append("private = 0")
        for tag in tags or []:
            where.append("instr(tags, ?) > 0")
            params.append("\x1f" + tag.casefold() + "\x1f")
        for word in (text or "").split():
            # hay is case-folded: any script, any case. LIKE scans it faster than
            # instr, which counts characters; both sides are folded, so its ASCII
            # case rule changes nothing.
            where.append("hay LIKE ? ESCAPE '\\'")
            params.append("%" + _like_escape(word.casefold()) + "%")
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT {column} FROM files WHERE {' AND '.join(where)} "
            f"ORDER BY date {order}, path {order}"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def by_id_prefix(self, prefix: str) -> list[Entry]:
        pattern = _like_escape(prefix) + "%"
        found = [
            unpack(blob)
            for (blob,) in self._select(
                "SELECT entry FROM files WHERE error IS NULL AND id LIKE ? ESCAPE '\\' "
                "ORDER BY date, path",
                (pattern,),
            )
        ]
        return [entry for entry in found if entry.id.startswith(prefix)]

    def id_exists(self, entry_id: str, refresh: bool = False) -> bool:
        """Whether ``entry_id`` is taken. Without ``refresh`` this trusts the
        index as it stands, which is cheap and enough to keep random ids unique."""
        if not self.location.exists() and not refresh:
            return False
        rows = self._select("SELECT 1 FROM files WHERE id = ? LIMIT 1", (entry_id,), refresh)
        return bool(rows)

    def source_keys(self) -> dict[tuple[str, str], str]:
        """(source, source_id) -> entry path, for import deduplication."""
        return {
            (source, source_id): path
            for source, source_id, path in self._select(
                "SELECT source, source_id, path FROM files "
                "WHERE error IS NULL AND source != '' AND source_id != ''"
            )
        }

    def tag_counts(self, include_private: bool = True) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.query(include_private=include_private):
            for tag in entry.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return counts

    def count(self) -> int:
        return int(self._select("SELECT count(*) FROM files WHERE error IS NULL")[0][0])


def _like_escape(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "disk is full" in text or "disk i/o error" in text or "readonly" in text


def _entry_file(rel: str) -> bool:
    """Whether a journal-relative path names an entry file (what :func:`scan` finds)."""
    name = rel.rsplit("/", 1)[-1]
    return (
        rel.startswith("entries/")
        and name.endswith(".md")
        and not name.startswith(".")
        and not name.endswith(".theirs.md")
    )


def _stat_entry(root: Path, rel: str) -> tuple[int, int] | None:
    """(mtime_ns, size) of an entry file, or None if it is gone, empty or not an entry."""
    if not _entry_file(rel):
        return None
    try:
        st = os.stat(root / rel)
    except OSError:
        return None
    if st.st_size == 0:
        return None  # a placeholder a concurrent add is about to fill
    return (st.st_mtime_ns, st.st_size)


def read_head(root: Path) -> str | None:
    """The commit ``HEAD`` points at, read from ``.git`` without starting git; None if none."""
    gd = root / ".git"
    if not gd.is_dir():
        return _git_head(root)
    head, ask_git = early.head_from_files(str(gd))
    return _git_head(root) if ask_git else head


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    import subprocess  # not at the top: a warm list or search runs no git through here

    try:
        return subprocess.run(
            ["git", "-C", str(root), "--no-optional-locks", *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _git_head(root: Path) -> str | None:
    proc = _git(root, "rev-parse", "--quiet", "--verify", "HEAD")
    if proc is None or proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def _paths(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", errors="surrogateescape").split("\0") if p]


_status_args = early.status_args


def _status_paths(out: bytes) -> set[str]:
    """The paths of ``git status --porcelain -z`` output (each item is "XY path")."""
    return {item[3:] for item in _paths(out) if len(item) > 3}


def _git_state(root: Path, untracked: bool = True) -> tuple[str, set[str]] | None:
    """``HEAD``'s commit and the entry files that differ from it; None without git.

    ``HEAD`` is read first: a commit made while git status runs is then found
    by the next refresh's diff. ``untracked=False`` leaves out untracked files,
    which halves git's work. A status :func:`brag.early.prefetch` started for ``root`` is
    used when it answers the same question about the same ``HEAD``.
    """
    head = read_head(root)
    if head is None:
        return None
    early = _PREFETCHED.pop(str(root), None) if _PREFETCHED else None
    if early is not None:
        if early[0] == head and early[1] == untracked:
            found = _status_result(early)
            if found is not None:
                return found
        else:  # asked something else, or a commit came in between
            early[2].kill()
            early[2].wait()
    proc = _git(root, *_status_args(untracked))
    if proc is None or proc.returncode != 0:
        return None
    return head, _status_paths(proc.stdout)


#: Journal root -> (HEAD read before it started, untracked files asked for, the
#: running git status).
_PREFETCHED = early.PREFETCHED
_drop_prefetched = early.drop


def _start_status(root: Path, untracked: bool) -> bool:
    """Start the git status :func:`_git_state` asks for, to be answered later."""
    head = read_head(root)
    return head is not None and early.start_status(str(root), untracked, head)


def _status_result(started: tuple[str, bool, early.Status]) -> tuple[str, set[str]] | None:
    head, _untracked, proc = started
    out, _ = proc.communicate()
    if proc.returncode != 0:
        return None
    return head, _status_paths(out)


#: A folder modified this recently (ns) when recorded is recorded as unknown.
RACY_NS = 2_000_000_000


def _folder_times(root: Path) -> dict[str, int]:
    """Every folder under ``entries/`` (``entries`` itself included) -> mtime_ns,
    0 when it changed too recently to vouch for: a walk from an empty record."""
    walked = _changed_folders(root, {"entries": 0})
    return walked[0] if walked is not None else {}


def _changed_folders(
    root: Path, recorded: dict[str, int]
) -> tuple[dict[str, int], set[str], set[str]] | None:
    """What changed in the folders under ``entries/`` since ``recorded`` (from
    :func:`_folder_times`): the new record, the folders whose time moved (or that
    are gone or new), and the entry files directly inside them. None without a
    record. Folders whose time did not move are not listed: nothing came or went."""
    if "entries" not in recorded:
        return None
    import time

    now = time.time_ns()
    base = str(root) + os.sep
    record = dict(recorded)
    moved: set[str] = set()
    files: set[str] = set()
    stack = []
    for rel, mtime in recorded.items():
        try:
            current = os.stat(base + rel).st_mtime_ns
        except OSError:
            current = None
        if not mtime or current != mtime:
            stack.append(rel)
    while stack:
        rel = stack.pop()
        moved.add(rel)
        try:
            mtime = os.stat(base + rel).st_mtime_ns
            it = os.scandir(base + rel)
        except OSError:
            record.pop(rel, None)
            continue
        record[rel] = 0 if now - mtime < RACY_NS else mtime
        with it:
            for item in it:
                child = f"{rel}/{item.name}"
                if item.is_dir(follow_symlinks=False):
                    if child not in record:
                        stack.append(child)  # a new folder: everything in it is new
                elif _entry_file(child):
                    files.add(child)
    return record, moved, files


def _git_diff(root: Path, old: str, new: str) -> set[str] | None:
    """Entry paths that differ between two commits; None if ``old`` is unknown."""
    proc = _git(root, "diff", "--name-only", "-z", "--no-renames", old, new, "--", "entries")
    if proc is None or proc.returncode != 0:
        return None
    return set(_paths(proc.stdout))


_O_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_text(path: str, size: int) -> str:
    """A file's UTF-8 text, ``size`` its length when stat'ed.

    A cold rebuild reads every entry: a file object (even in binary mode)
    costs twice the time of reading the bytes the size says are there.
    """
    fd = os.open(path, _O_READ)
    try:
        return _read_all(fd, size).decode("utf-8")
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    """The bytes of the open file ``fd``, ``size`` long when stat'ed."""
    data = os.read(fd, size + 1)
    if len(data) > size:  # it grew since: read on to the end
        chunks = [data]
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        data = b"".join(chunks)
    return data


def _read_stat_text(path: str) -> tuple[str, tuple[int, int] | None]:
    """A file's UTF-8 text and its (mtime_ns, size), stat'ed through its
    descriptor before it is read; no stat for an empty file."""
    fd = os.open(path, _O_READ)
    try:
        st = os.fstat(fd)
        if not st.st_size:
            return "", None
        return _read_all(fd, st.st_size).decode("utf-8"), (st.st_mtime_ns, st.st_size)
    finally:
        os.close(fd)


def _new_rows_token(db: sqlite3.Connection) -> None:
    """Mark a change to the rows (see :meth:`Index.rows_token`); inside the
    transaction that made it. Random rather than a counter: a deleted and rebuilt
    index never hands out a token an older one did."""
    db.execute("INSERT OR REPLACE INTO meta VALUES ('rows', ?)", (os.urandom(16).hex(),))


def _meta_value(value: object, default: Any) -> Any:
    """A list or table kept in ``meta``: marshal's bytes (read without importing
    a decoder), or the JSON text older indexes kept; ``default`` when absent,
    None when unreadable."""
    import marshal

    if not value:
        return default
    try:
        if isinstance(value, bytes):
            found = marshal.loads(value)
        else:
            import json

            found = json.loads(str(value))
    except (ValueError, EOFError, TypeError):
        return None
    return found if isinstance(found, type(default)) else None


def _meta_blob(value: list[str] | dict[str, int]) -> bytes:
    import marshal

    return marshal.dumps(value)


def _broken_row(
    rel: str, mtime: int, size: int, reason: str, line: int | None
) -> tuple[object, ...]:
    """The row of a file that does not parse: no entry fields, the reason and line."""
    row = (rel, mtime, size, None, None, None, None, None, 0, None, None, None, reason, line)
    return (*row, None, None, None)


def _outcome_day(entry: Entry) -> str | None:
    """The day of ``entry``'s measured outcome (ISO), for :meth:`Index.outcomes`."""
    when = entry.outcome.get("date") if entry.outcome else None
    if isinstance(when, dt.datetime):
        when = when.date()
    return when.isoformat() if isinstance(when, dt.date) else None
