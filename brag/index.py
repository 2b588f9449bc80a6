"""A derived SQLite index of the journal's entry files.

Reading and TOML-parsing 10,000 files takes most of a second; a fresh process
that queries this index answers in tens of milliseconds. The index is never the
source of truth: it lives inside ``.git/brag/`` (so it is never committed), each
row remembers the file's size and modification time, and every open re-stats
the entry files and re-parses only those that changed. Deleting it is always
safe; the next command rebuilds it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .entry import Entry
from .errors import EntryError

SCHEMA_VERSION = 6

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    id TEXT,
    date TEXT,
    title TEXT,
    impact TEXT,
    body TEXT,
    tags TEXT,
    private INTEGER,
    source TEXT,
    source_id TEXT,
    entry BLOB,
    error TEXT,
    line INTEGER
);
CREATE INDEX IF NOT EXISTS files_date ON files(date);
CREATE INDEX IF NOT EXISTS files_id ON files(id);
CREATE INDEX IF NOT EXISTS files_source ON files(source, source_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
"""


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
    from platformdirs import user_cache_dir

    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(user_cache_dir("brag")) / f"index-{key}.sqlite"


def scan(entries_dir: Path, root: Path) -> dict[str, tuple[int, int]]:
    """Every ``*.md`` under entries/: relative path -> (mtime_ns, size)."""
    found: dict[str, tuple[int, int]] = {}
    prefix_len = len(str(root)) + 1
    stack = [str(entries_dir)]
    while stack:
        current = stack.pop()
        try:
            it = os.scandir(current)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with it:
            for item in it:
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                elif (
                    item.name.endswith(".md")
                    and not item.name.startswith(".")
                    # the other machine's side of a sync conflict, not an entry
                    and not item.name.endswith(".theirs.md")
                ):
                    try:
                        st = item.stat()
                    except OSError:
                        continue
                    if st.st_size == 0:
                        continue  # a placeholder a concurrent add is about to fill
                    rel = item.path[prefix_len:].replace(os.sep, "/")
                    found[rel] = (st.st_mtime_ns, st.st_size)
    return found


# The fields of an Entry, in the order its constructor takes them.
_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))
_DATE, _CREATED, _UPDATED = (_FIELDS.index(n) for n in ("date", "created", "updated"))


def pack(entry: Entry) -> bytes:
    """An entry as stored in the index: its field values, dates as plain values.

    Unpickling an Entry object costs ~8 us (the class is rebuilt through
    copyreg and each date through its own reduce); a tuple with the dates as
    an ordinal and ISO strings loads three times faster, which is most of
    ``brag search`` or ``list --since`` printing a couple of thousand entries.
    """
    values = [getattr(entry, name) for name in _FIELDS]
    values[_DATE] = entry.date.toordinal()
    for i in (_CREATED, _UPDATED):
        if values[i] is not None:
            values[i] = values[i].isoformat()
    return pickle.dumps(tuple(values), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Entry:
    values = list(pickle.loads(blob))
    values[_DATE] = _date_from_ordinal(values[_DATE])
    for i in (_CREATED, _UPDATED):
        if values[i] is not None:
            values[i] = _datetime_from_iso(values[i])
    return Entry(*values)


_date_from_ordinal = dt.date.fromordinal
_datetime_from_iso = dt.datetime.fromisoformat


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN = 1000


def _rows_of(job: tuple[str, list[tuple[str, tuple[int, int]]]]) -> list[tuple[object, ...]]:
    root, items = job
    return [Index._row(root, rel, stat) for rel, stat in items]


def parse_rows(root: Path, items: list[tuple[str, tuple[int, int]]]) -> list[tuple[object, ...]]:
    """Index rows for ``items``, (path, (mtime_ns, size)) pairs.

    Parsing TOML is most of a cold rebuild (about 1 s for 10,000 entries on one
    core), so many files are split across the CPUs: this process parses one
    share and forked workers the rest. Fork is cheap and re-imports nothing;
    where it is not the norm (Windows, macOS) everything is parsed here.
    """
    base = str(root) + os.sep
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_MIN or workers < 2 or not sys.platform.startswith("linux"):
        return _rows_of((base, items))
    import threading

    if threading.active_count() > 1:
        # Forking while another thread (a progress display, say) may hold a
        # lock can deadlock the child: parse here instead.
        return _rows_of((base, items))
    import multiprocessing

    size = -(-len(items) // workers)
    jobs = [(base, items[i : i + size]) for i in range(0, len(items), size)]
    # A Pool forks its workers before it starts its own threads: no thread is
    # running at fork time.
    with multiprocessing.get_context("fork").Pool(len(jobs) - 1) as pool:
        others = pool.map_async(_rows_of, jobs[1:])
        rows = _rows_of(jobs[0])
        for part in others.get():
            rows.extend(part)
    return rows


class Index:
    def __init__(self, root: Path, location: Path | None = None):
        self.root = root
        self.location = location or index_location(root)
        self._db: sqlite3.Connection | None = None
        self.refreshed = False

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
            db = sqlite3.connect(self.location, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.OperationalError):
            # A read-only journal can still be read: index it in memory for this run.
            db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS meta;")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- freshness ----------------------------------------------------------

    def refresh(self) -> int:
        """Bring the index in line with the files on disk; return rows changed."""
        if self.refreshed:
            return 0
        on_disk = scan(self.root / "entries", self.root)
        # The digest of the last scan the rows were brought in line with: when
        # nothing changed (the usual case) it saves loading and comparing
        # 10,000 rows (~10 ms). A scan in another order only costs the slow path.
        digest = hashlib.blake2b(marshal.dumps(on_disk), digest_size=16).digest()
        stored = self.db.execute("SELECT value FROM meta WHERE key = 'scan'").fetchone()
        if stored is not None and stored[0] == digest:
            self.refreshed = True
            return 0
        known = {
            path: (mtime, size)
            for path, mtime, size in self.db.execute("SELECT path, mtime_ns, size FROM files")
        }
        stale = [p for p, stat in on_disk.items() if known.get(p) != stat]
        gone = [p for p in known if p not in on_disk]
        rows = parse_rows(self.root, [(path, on_disk[path]) for path in stale])
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            # Stored with the rows it describes, so it never vouches for rows
            # another process has not finished writing.
            db.execute("INSERT OR REPLACE INTO meta VALUES ('scan', ?)", (digest,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.refreshed = True
        return len(stale) + len(gone)

    @staticmethod
    def _row(root: str, rel: str, stat: tuple[int, int]) -> tuple[object, ...]:
        """The index row of one entry file (``root`` ends with a separator)."""
        mtime, size = stat
        try:
            # Bytes, then decode: a text-mode file object costs twice as much,
            # and a cold rebuild opens every entry.
            with open(root + rel, "rb") as fh:
                text = fh.read().decode("utf-8")
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
        mtime, size = stat
        tags = "\x1f" + "\x1f".join(t.casefold() for t in entry.tags) + "\x1f"
        return (
            rel,
            mtime,
            size,
            entry.id,
            entry.date.isoformat(),
            entry.title,
            entry.impact,
            entry.body,
            tags,
            int(entry.private),
            entry.source,
            entry.source_id,
            pack(entry),
            None,
            None,
        )

    def record(self, entries: list[Entry]) -> None:
        """Index entries brag has just written to ``entry.path``, without reading
        the files back (a large import would otherwise be re-parsed by the next
        command). Files changed since are caught by the usual stat check."""
        rows = []
        for entry in entries:
            try:
                st = os.stat(self.root / entry.path)
            except OSError:
                continue
            rows.append(self._entry_row(entry.path, (st.st_mtime_ns, st.st_size), entry))
        if not rows:
            return
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- queries --------------------------------------------------------------

    def broken(self) -> list[Broken]:
        self.refresh()
        return [
            Broken(path, error, line)
            for path, error, line in self.db.execute(
                "SELECT path, error, line FROM files WHERE error IS NOT NULL ORDER BY path"
            )
        ]

    def query(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        tags: list[str] | None = None,
        text: str | None = None,
        include_private: bool = True,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> Iterator[Entry]:
        self.refresh()
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
        words = text.split() if text else []
        for word in words:
            # LIKE narrows in SQL (ASCII case-insensitive); casefold checks below
            # make non-ASCII matching right too.
            if word.isascii():
                where.append(
                    "(title LIKE ? ESCAPE '\\' OR impact LIKE ? ESCAPE '\\' "
                    "OR body LIKE ? ESCAPE '\\')"
                )
                pattern = (
                    "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                params += [pattern, pattern, pattern]
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT entry FROM files WHERE {' AND '.join(where)} "
            f"ORDER BY date {order}, path {order}"
        )
        if limit is not None and not [w for w in words if not w.isascii()]:
            sql += f" LIMIT {int(limit)}"
        count = 0
        folded = [w.casefold() for w in words]
        for (blob,) in self.db.execute(sql, params):
            entry = unpack(blob)
            if folded:
                hay = f"{entry.title}\n{entry.impact}\n{entry.body}".casefold()
                if not all(w in hay for w in folded):
                    continue
            yield entry
            count += 1
            if limit is not None and count >= limit:
                return

    def by_id_prefix(self, prefix: str) -> list[Entry]:
        self.refresh()
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = [
            unpack(blob)
            for (blob,) in self.db.execute(
                "SELECT entry FROM files WHERE error IS NULL AND id LIKE ? ESCAPE '\\' "
                "ORDER BY date, path",
                (pattern,),
            )
        ]
        return [entry for entry in found if entry.id.startswith(prefix)]

    def id_exists(self, entry_id: str, refresh: bool = False) -> bool:
        """Whether ``entry_id`` is taken. Without ``refresh`` this trusts the
        index as it stands, which is cheap and enough to keep random ids unique."""
        if refresh:
            self.refresh()
        if not self.location.exists() and not refresh:
            return False
        row = self.db.execute("SELECT 1 FROM files WHERE id = ? LIMIT 1", (entry_id,)).fetchone()
        return row is not None

    def source_keys(self) -> dict[tuple[str, str], str]:
        """(source, source_id) -> entry path, for import deduplication."""
        self.refresh()
        return {
            (source, source_id): path
            for source, source_id, path in self.db.execute(
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
        self.refresh()
        return int(self.db.execute("SELECT count(*) FROM files WHERE error IS NULL").fetchone()[0])


def _broken_row(
    rel: str, mtime: int, size: int, reason: str, line: int | None
) -> tuple[object, ...]:
    """The row of a file that does not parse: no entry fields, the reason and line."""
    return (rel, mtime, size, None, None, None, None, None, None, 0, None, None, None, reason, line)
