"""Stage 8, analysis: everything above that depends only on an entry's words, once.

:func:`analyse` reads an entry through every stage and memoises the answer on
its content; :func:`load_cache`/:func:`save_cache` keep those answers on disk
between runs. The entry-level functions callers use (:func:`entry_metrics`,
:func:`areas_for`, :func:`leverage_for`, :func:`tree_for`,
:func:`tree_balance`, :func:`score`, :func:`rank`, :func:`reframe`) live here
because they read through that memo; the stages below do the work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ..entry import Entry
from .areas import _areas_for, _entry_text
from .claims import asks_in_words, is_ask, is_risk
from .figures import money_a_year, money_estimated
from .glossary import GLOSSARY
from .lenses import Lens, _as_lens
from .leverage import _balance, _leverage_for, _tree_for
from .memo import (
    _RESULTS,
    _RESULTS_ON_DISK,
    _RESULTS_USED,
    _TABLES,
    _TABLES_NEW,
    _TABLES_USED,
    _content_key,
    _glossary_fingerprint,
    _keywords_fingerprint,
    remember,
)
from .metrics import Metric, _entry_metrics, _scan_cached
from .reframe import Reframed, _reframe, is_activity_phrasing
from .scoring import (
    _BROAD_SCOPE,
    Score,
    _evidence_part,
    _impact_part,
    _scope_part,
    _score_parts,
    _total,
    _totals,
)


@dataclass(frozen=True)
class Analysis:
    """What the engine reads from an entry's words, computed once per content.

    Scoring, reframing, the coach and every exporter ask the same questions of
    the same entry (its numbers, areas, leverage, tree); the answers depend
    only on the entry's text and fields, so they are memoised on that content
    and can be kept on disk between runs (:func:`load_cache`/:func:`save_cache`).
    """

    metrics: tuple[Metric, ...]
    areas: tuple[str, ...]
    areas_inferred: bool
    leverage: str
    leverage_inferred: bool
    tree: str
    broad: str  # the words that show cross-team scope, "" when none
    activity: bool  # the impact statement reports activity, not an outcome
    # The lens-independent parts of the score, so ranking is arithmetic.
    evidence_points: float = 0.0
    impact_points: float = 0.0
    scope_points: float = 0.0
    #: Money a year the entry states and its kind (see :func:`.figures.money_a_year`):
    #: ``("savings", x)``, ``("revenue", x)``, ``("protected", x)`` or ``("", 0.0)``. Kept here so a
    #: document sums a year's money without reading any entry's metrics.
    money: tuple[str, float] = ("", 0.0)
    #: Whether the entry calls that money an estimate (:func:`.figures.money_estimated`).
    money_estimated: bool = False
    #: What :mod:`.claims` says of the entry, so a year's documents sort results
    #: from risks and requests without reading any entry's words again:
    #: :func:`.claims.is_risk`, :func:`.claims.is_ask`, and whether its title
    #: alone is a request (:func:`.claims.asks_in_words`).
    risk: bool = False
    ask: bool = False
    asks_in_title: bool = False

    #: Whether the entry states any number: see :class:`_Quantified`.
    quantified: ClassVar[bool]


class _StoredMetrics:
    """``Analysis.metrics`` of an analysis read from the cache file: its metrics are
    kept there as one pickled string and made :class:`Metric` objects on first use,
    since a review reads a whole year's analyses and most of it never looks at one."""

    def __get__(self, found: Analysis | None, owner: type | None = None) -> Any:
        if found is None:
            return self
        held = found.__dict__
        stored = held.pop("_stored_metrics", b"")
        metrics = held["metrics"] = tuple(map(_metric_of, _unpickle(stored))) if stored else ()
        return metrics


# Only an analysis made by _from_stored() lacks its own ``metrics``; every other
# one has it in its __dict__, which wins over this (non-data) descriptor.
Analysis.metrics = _StoredMetrics()  # type: ignore[assignment,method-assign]


class _Quantified:
    """``Analysis.quantified``: whether the entry states any number, worked out on
    first use and then an attribute of the analysis (a year's documents ask it of
    every entry several times). An analysis read from the cache has it from the
    start (:func:`_from_stored`), without reading its metrics."""

    def __get__(self, found: Analysis | None, owner: type | None = None) -> Any:
        if found is None:
            return self
        held = found.__dict__
        metrics = held.get("metrics")
        answer = held["quantified"] = bool(
            metrics if metrics is not None else held.get("_stored_metrics")
        )
        return answer


Analysis.quantified = _Quantified()  # type: ignore[assignment,misc]

_METRIC_FIELDS = ("kind", "value", "unit", "text", "before", "after", "change", "name")
_STORED_FIELDS = (
    "_stored_metrics",
    "areas",
    "areas_inferred",
    "leverage",
    "leverage_inferred",
    "tree",
    "broad",
    "activity",
    "evidence_points",
    "impact_points",
    "scope_points",
    "money",
    "money_estimated",
    "risk",
    "ask",
    "asks_in_title",
)


def _metric_of(values: tuple[Any, ...]) -> Metric:
    """A :class:`Metric` with ``values`` (its fields in :data:`_METRIC_FIELDS` order,
    as pickle built them) as its attributes."""
    metric: Metric = _new(Metric)
    _set(metric, "__dict__", dict(zip(_METRIC_FIELDS, values, strict=True)))
    return metric


_new = object.__new__
_set = object.__setattr__  # a frozen dataclass refuses its own __setattr__


def _unpickle(data: bytes) -> Any:
    import pickle

    return pickle.loads(data)


def _stored(found: Analysis) -> tuple[Any, ...]:
    """``found`` as plain tuples, which the cache file reads back many times faster
    than pickled dataclasses; its metrics as one pickled string of their fields,
    read only when asked for."""
    held = found.__dict__
    metrics = held.get("metrics")
    if metrics is None:
        plain = held.get("_stored_metrics", b"")
    elif metrics:
        import pickle

        plain = pickle.dumps(
            # Values only, in field order: a quarter smaller than dicts, and the
            # file is read whole by every run that builds a document.
            tuple(tuple(getattr(m, f) for f in _METRIC_FIELDS) for m in metrics),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    else:
        plain = b""
    return (
        plain,
        found.areas,
        found.areas_inferred,
        found.leverage,
        found.leverage_inferred,
        found.tree,
        found.broad,
        found.activity,
        found.evidence_points,
        found.impact_points,
        found.scope_points,
        found.money,
        found.money_estimated,
        found.risk,
        found.ask,
        found.asks_in_title,
    )


def _from_stored(stored: tuple[Any, ...]) -> Analysis:
    found: Analysis = object.__new__(Analysis)
    held = found.__dict__
    held.update(zip(_STORED_FIELDS, stored, strict=True))
    held["quantified"] = bool(stored[0])  # its metrics, pickled: b"" when none
    return found


#: Bump when a change to the engine alters what it reads from an entry (or the
#: layout of the cache file changes), so caches written by an older brag are
#: ignored rather than trusted.
ANALYSIS_VERSION = 10

#: At most this many analyses are kept on disk (old versions of edited entries
#: are dropped when it is reached).
CACHE_LIMIT = 200_000

#: New analyses are appended to a log next to the cache file (``*.delta``); the log
#: is folded into the file once it outgrows this share of it (or this many bytes,
#: whichever is more), so one new entry writes a few kilobytes, not the whole cache.
FOLD_SHARE = 0.25
FOLD_MIN_BYTES = 256 * 1024

_MEMO: dict[tuple[Any, ...], Analysis] = {}

#: Analyses read from the cache files, as plain tuples until asked for.
_STORED: dict[tuple[Any, ...], tuple[Any, ...]] = {}

_USED: set[tuple[Any, ...]] = set()

_ON_DISK: set[tuple[Any, ...]] = set()  # keys the cache files read or written hold


@dataclass
class _Files:
    """What the last :func:`load_cache` found, for :func:`save_cache` to decide how to write."""

    base: tuple[int, int, int] | None = None  # (inode, mtime, size) of a usable cache file
    delta_bytes: int = 0
    delta_clean: bool = True  # no torn or garbled record in the log


_FILES = _Files()


def analyse(entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None) -> Analysis:
    """The :class:`Analysis` of ``entry`` (areas inferred with ``keywords``)."""
    return analyse_keyed(entry, keywords)[1]


def analyse_keyed(
    entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None
) -> tuple[tuple[Any, ...], Analysis]:
    """:func:`analyse`, with the memo key of the entry's content: a caller that
    memoises more of its own on that content need not digest the entry again."""
    key = _content_key(entry, _keywords_fingerprint(keywords))
    return key, _analysis_of(entry, keywords, key)


def analyse_all(
    entries: Iterable[Entry],
    keywords: Mapping[str, Sequence[str]] | None = None,
    digests: Mapping[int, bytes] | None = None,
) -> list[tuple[tuple[Any, ...], Analysis]]:
    """:func:`analyse_keyed` of each entry, in order: one loop for a review that reads
    a year of entries, most of them from the cache. ``digests``: the
    :func:`~brag.entry.content_digest` of entries already known (by ``id()`` of
    the entry, which must not have been changed since), as the index keeps them."""
    fingerprint = _keywords_fingerprint(keywords)
    memo, memo_get, used_add, key_of = _MEMO, _MEMO.get, _USED.add, _content_key
    cached = _cached
    digest_of = (digests or {}).get
    out: list[Any] = []
    todo: list[tuple[int, Entry, tuple[Any, ...]]] = []  # not analysed before
    for entry in entries:
        digest = digest_of(id(entry))
        if digest is None:
            key = key_of(entry, fingerprint)
        else:
            key = (fingerprint, entry.id, digest)
        found = memo_get(key)
        if found is None:
            # Most of a year comes from the cache file, read here without
            # _analysis_of asking the memo again.
            found = cached(key)
            if found is None:
                todo.append((len(out), entry, key))
            else:
                memo[key] = found
        used_add(key)
        out.append((key, found))
    if len(todo) == 1:  # one new entry: the common case after the first run
        at, entry, key = todo[0]
        out[at] = (key, _analysis_of(entry, keywords, key))
    elif todo:
        for (at, _, key), found in zip(todo, _analyse_many(todo, keywords), strict=True):
            out[at] = (key, found)
    return out


#: From this many entries to analyse (a few tenths of a second's work), a person
#: at a terminal sees a progress bar.
PROGRESS_MIN = 300
#: From this many, the work is shared with forked workers (see brag.parallel).
PARALLEL_MIN = 600


def _analyse_many(
    todo: list[tuple[int, Entry, tuple[Any, ...]]], keywords: Mapping[str, Sequence[str]] | None
) -> list[Analysis]:
    """The analyses of ``todo`` (position, entry, memo key), in order: a first run on
    a big journal, or the first after an upgrade of brag (about a millisecond an
    entry), shown as it goes and shared across the CPUs."""
    from ..parallel import split
    from ..progress import Bar

    with Bar("Analysing entries (once)", len(todo), PROGRESS_MIN) as bar:

        def analysed(entry: Entry, key: tuple[Any, ...]) -> Analysis:
            found = _analysis_of(entry, keywords, key)
            bar.advance()  # only where the bar is drawn: never in a worker
            return found

        def work(part: Sequence[tuple[int, Entry, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
            # As the cache file holds them: what comes back from a worker.
            return [_stored(analysed(entry, key)) for _, entry, key in part]

        shared = split(
            work, todo, minimum=PARALLEL_MIN, smallest_part=PARALLEL_MIN // 8, each=bar.advance
        )
        if shared is None:
            return [analysed(entry, key) for _, entry, key in todo]
        # This process's share is in the memo; the workers' comes back stored.
        done_here = len(shared.first)
        out = [_MEMO[key] for _, _, key in todo[:done_here]]
        try:
            for (_, _, key), stored in zip(todo[done_here:], shared.rest(), strict=True):
                found = _MEMO.get(key)  # None unless an entry here had the same content
                if found is None:
                    found = _MEMO[key] = _from_stored(stored)
                out.append(found)
        finally:
            shared.close()
        return out


def _cached(key: tuple[Any, ...]) -> Analysis | None:
    """The analysis the cache files hold under ``key``, or None."""
    stored = _STORED.get(key)
    if stored is None:
        return None
    try:
        return _from_stored(stored)
    except (TypeError, ValueError):  # a cache must never break brag
        return None


def _analysis_of(
    entry: Entry, keywords: Mapping[str, Sequence[str]] | None, key: tuple[Any, ...]
) -> Analysis:
    found = _MEMO.get(key)
    if found is None:
        found = _cached(key)
    if found is None:
        found_areas, inferred = _areas_for(entry, keywords)
        leverage, leverage_inferred = _leverage_for(entry)
        strong, weak = _entry_text(entry)
        broad = _BROAD_SCOPE().search(strong) or _BROAD_SCOPE().search(weak)
        metrics = _entry_metrics(entry)
        activity = is_activity_phrasing(entry.impact.strip())
        scope_words = broad.group(0).lower() if broad else ""
        areas = tuple(found_areas)
        money = money_a_year(entry, metrics, areas)
        found = Analysis(
            tuple(metrics),
            areas,
            inferred,
            leverage,
            leverage_inferred,
            _tree_for(entry, leverage),
            scope_words,
            activity,
            _evidence_part(metrics)[1],
            _impact_part(entry, activity)[1],
            _scope_part(entry, metrics, scope_words)[1],
            money,
            money_estimated(entry, money),
            is_risk(entry),
            is_ask(entry),
            asks_in_words(entry.title),
        )
    _MEMO[key] = found
    _USED.add(key)
    return found


# -- The cache files -------------------------------------------------------------
#
# ``impact-cache.pickle`` holds analyses (as plain tuples) and other memoised
# results; ``impact-cache.delta``, next to it, is a log of records appended since
# the file was last written whole. Each record is framed (magic, length, digest),
# so a torn or garbled one is seen and it and everything after it ignored; every
# record carries the version stamp. Writers hold an exclusive lock on the log while
# they append or fold it into the file (written to a temporary file and renamed),
# so two brag processes at once never lose or mix each other's writes; readers
# take no lock and at worst miss a record, which only costs its recomputation.

_MAGIC = b"BRG1"
_HEADER = len(_MAGIC) + 8 + 16


def _delta_path(path: Any) -> Any:
    from pathlib import Path

    base = Path(path)
    return base.with_name(base.stem + ".delta")


def _stamp() -> tuple[Any, ...]:
    return (ANALYSIS_VERSION, _engine_stamp())


def _identity(path: Any) -> tuple[int, int, int] | None:
    import os

    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


_Piece = tuple[dict[Any, Any], dict[Any, Any], dict[str, dict[Any, Any]]]


def _record(memo: dict[Any, Any], results: dict[Any, Any], tables: dict[str, Any]) -> bytes:
    import pickle

    from ..hashing import blake2b

    payload = pickle.dumps((_stamp(), memo, results, tables), protocol=pickle.HIGHEST_PROTOCOL)
    digest = blake2b(payload, digest_size=16).digest()
    return _MAGIC + len(payload).to_bytes(8, "little") + digest + payload


def _records(data: bytes) -> tuple[list[_Piece], bool]:
    """The records of a log that are intact and of this brag, and whether all were intact."""
    import pickle

    from ..hashing import blake2b

    found: list[_Piece] = []
    stamp = _stamp()
    pos, size = 0, len(data)
    while pos < size:
        head = data[pos : pos + _HEADER]
        if len(head) < _HEADER or head[:4] != _MAGIC:
            return found, False
        end = pos + _HEADER + int.from_bytes(head[4:12], "little")
        payload = data[pos + _HEADER : end]
        if end > size or blake2b(payload, digest_size=16).digest() != head[12:]:
            return found, False
        try:
            version, memo, results, tables = pickle.loads(payload)
        except Exception:  # a cache must never break brag
            return found, False
        if version == stamp and all(isinstance(x, dict) for x in (memo, results, tables)):
            found.append((memo, results, tables))
        pos = end
    return found, True


def _lock(fh: Any) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no advisory locks here
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except OSError:  # a file system without locks: the records' framing still holds
        pass


def load_cache(path: str | Any) -> int:
    """Seed the memo from the cache file written by :func:`save_cache` and its log.

    A missing, unreadable or outdated file (or record of the log) is ignored:
    the cache only ever saves time. Returns the number of analyses loaded.
    """
    import pickle

    _ON_DISK.clear()
    _RESULTS_ON_DISK.clear()
    _TABLES_NEW.clear()
    _FILES.base, _FILES.delta_bytes, _FILES.delta_clean = None, 0, True
    pieces: list[_Piece] = []
    try:
        with open(path, "rb") as fh:
            identity = _identity(fh.fileno())
            data = pickle.load(fh)
        if (
            isinstance(data, dict)
            and data.get("version") == _stamp()
            and isinstance(data.get("memo"), dict)
        ):
            results, tables = data.get("results"), data.get("tables")
            pieces.append(
                (
                    data["memo"],
                    results if isinstance(results, dict) else {},
                    tables if isinstance(tables, dict) else {},
                )
            )
            _FILES.base = identity
    except Exception:  # a cache must never break brag
        pass
    try:
        with open(_delta_path(path), "rb") as fh:
            log = fh.read()
    except OSError:
        log = b""
    records, _FILES.delta_clean = _records(log)
    _FILES.delta_bytes = len(log)
    pieces += records
    for memo, results, tables in pieces:
        _STORED.update(memo)
        _ON_DISK.update(memo)
        for key, value in results.items():
            _RESULTS.setdefault(key, value)
        _RESULTS_ON_DISK.update(results)
        for name, held in tables.items():
            if isinstance(held, dict):  # the same dict a module may hold (see table())
                _TABLES.setdefault(name, {}).update(held)
    return len(_ON_DISK)


def save_cache(path: str | Any) -> bool:
    """Keep the analyses and results this process made that the cache files lack.

    They are appended to the log next to ``path``; when the log has grown past
    :data:`FOLD_SHARE` of the file (or there is no usable file), everything is
    written to ``path`` afresh and the log emptied. Analyses of every entry seen
    are kept (a weekly status must not evict the year a self-review needs); past
    :data:`CACHE_LIMIT` only this run's are. Returns whether it wrote. Failures
    are ignored: the cache only ever saves time.
    """
    news = {name: held for name, held in _TABLES_NEW.items() if held}
    if _USED <= _ON_DISK and _RESULTS_USED <= _RESULTS_ON_DISK and not news:
        return False
    import os
    from pathlib import Path

    target = Path(path)
    memo = {k: _stored(v) for k, v in _MEMO.items() if k not in _ON_DISK}
    results = {k: _RESULTS[k] for k in _RESULTS_USED if k not in _RESULTS_ON_DISK}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        record = _record(memo, results, news)
        # Private like the file (analyses quote private entries' numbers).
        fd = os.open(_delta_path(target), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with open(fd, "a+b", buffering=0) as fh:
            _lock(fh)
            logged = fh.seek(0, 2)
            base = _identity(target)
            fold = (
                base is None
                or base != _FILES.base
                or not _FILES.delta_clean
                or logged + len(record) > max(FOLD_MIN_BYTES, base[2] * FOLD_SHARE)
            )
            if base is not None and base != _FILES.base and _FILES.base is not None:
                fold = False  # another brag folded since this one read: add to its log
            if fold:
                fh.seek(0)
                _fold(target, fh.read())
                fh.truncate(0)
            else:
                view = memoryview(record)
                while view:
                    view = view[fh.write(view) :]
    except OSError:
        return False
    if not fold:
        _ON_DISK.update(memo)
        _RESULTS_ON_DISK.update(results)
    _TABLES_NEW.clear()
    return True


def _fold(target: Any, log: bytes) -> None:
    """Write every analysis known (this process's, the files', the log's) to ``target``."""
    import os
    import pickle
    import tempfile

    memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    results: dict[tuple[Any, ...], Any] = {}
    tables: dict[str, dict[Any, Any]] = {}
    for more, more_results, more_tables in _records(log)[0]:  # appended by others since
        memo.update(more)
        results.update(more_results)
        for name, held in more_tables.items():
            tables.setdefault(name, {}).update(held)
    for name, held in _TABLES.items():
        tables.setdefault(name, {}).update(held)
    # A table grown past the limit (titles of long-edited entries) starts again,
    # and past it in all, only the tables this run used are kept (those of an
    # older glossary go).
    tables = {name: held for name, held in tables.items() if len(held) <= CACHE_LIMIT}
    if sum(len(held) for held in tables.values()) > CACHE_LIMIT:
        tables = {name: held for name, held in tables.items() if name in _TABLES_USED}
    memo.update(_STORED)
    for key, found in _MEMO.items():
        if key not in memo:
            memo[key] = _stored(found)
    if len(memo) > CACHE_LIMIT:
        # Mostly analyses of entries edited since: start again from this run's.
        memo = {k: v for k, v in memo.items() if k in _USED}
    # Reframes depend on the audience too: keep those of this run plus the
    # others already on disk, up to a bound.
    kept = {k: _RESULTS[k] for k in _RESULTS_USED}
    for k in _RESULTS_ON_DISK:
        if len(kept) >= CACHE_LIMIT:
            break
        if k in _RESULTS:
            kept.setdefault(k, _RESULTS[k])
    for k, v in results.items():
        if len(kept) >= CACHE_LIMIT:
            break
        kept.setdefault(k, v)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".impact-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {"version": _stamp(), "memo": memo, "results": kept, "tables": tables},
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _FILES.base, _FILES.delta_bytes, _FILES.delta_clean = _identity(target), 0, True
    _ON_DISK.clear()
    _ON_DISK.update(memo)
    _RESULTS_ON_DISK.clear()
    _RESULTS_ON_DISK.update(kept)


@functools.cache
def _engine_stamp() -> str:
    """Changes whenever brag's version or the code of any of the engine's modules does."""
    from pathlib import Path

    from .. import __version__

    try:
        stats = [path.stat() for path in sorted(Path(__file__).parent.glob("*.py"))]
    except OSError:
        return __version__
    size = sum(stat.st_size for stat in stats)
    newest = max((int(stat.st_mtime) for stat in stats), default=0)
    return f"{__version__}:{size}:{newest}"


def clear_memo() -> None:
    """Forget every memoised analysis (tests use it to measure cold runs)."""
    _MEMO.clear()
    _STORED.clear()
    _FILES.base, _FILES.delta_bytes, _FILES.delta_clean = None, 0, True
    _USED.clear()
    _ON_DISK.clear()
    _RESULTS.clear()
    _RESULTS_USED.clear()
    _RESULTS_ON_DISK.clear()
    for held in _TABLES.values():
        held.clear()
    _TABLES_NEW.clear()
    _TABLES_USED.clear()
    _scan_cached.cache_clear()


# -- What callers ask of an entry, read through the memo -----------------------


def entry_metrics(entry: Entry) -> list[Metric]:
    """All metrics of an entry (see :func:`.metrics._entry_metrics`), memoised per content."""
    return list(analyse(entry).metrics)


def areas_for(
    entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None
) -> tuple[list[str], bool]:
    """The entry's impact areas and whether they were inferred (memoised; see
    :func:`.areas._areas_for`)."""
    found = analyse(entry, keywords)
    return list(found.areas), found.areas_inferred


def leverage_for(entry: Entry) -> tuple[str, bool]:
    """The entry's leverage type and whether it was inferred (memoised; see
    :func:`.leverage._leverage_for`)."""
    found = analyse(entry)
    return found.leverage, found.leverage_inferred


def tree_for(entry: Entry) -> str:
    """Tree ``"A"`` or ``"B"`` (memoised; see :func:`.leverage._tree_for`)."""
    return analyse(entry).tree


def tree_balance(
    entries: Iterable[Entry],
    target: str | None = None,
    *,
    tree_of: Callable[[Entry], str] | None = None,
) -> dict[str, Any]:
    """Counts and shares of Tree A and Tree B evidence, optionally against a target.

    Returns ``{"A": n, "B": n, "total": n, "share_a": f, "share_b": f}`` and,
    with a ``target`` level, also ``"target"``, ``"target_b"`` (the expected
    share) and ``"gap_b"`` (how far below the target the B share is; 0 when
    met). Shares are 0.0 for an empty journal rather than undefined.
    ``tree_of`` reads each entry's tree instead of :func:`tree_for` (with the
    user's ladder: :func:`brag.ladder.entry_tree`).
    """
    read = tree_of or tree_for
    return _balance((read(entry) for entry in entries), target)


def score(
    entry: Entry,
    lens: Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    *,
    found: Analysis | None = None,
) -> Score:
    """Score an entry for a reader; every point is accounted for in ``parts``.

    Parts, in order: ``evidence`` (its numbers: the best counts fully, the
    next two at a half and a quarter), ``impact`` (an outcome statement),
    ``area`` (impact areas times the lens's weights; halved when neither a
    number nor an outcome statement backs the claim), ``scope``
    (collaborators, cross-team words, teams and users reached), ``leverage``
    (its type times the lens's weight) and ``recency`` (a negative part:
    the rest decays with a 180-day half-life relative to ``today``, never
    below a quarter). Parts are rounded to hundredths and sum to ``total``.
    ``today`` defaults to the current date; pass it for reproducible output.
    """
    the_lens = _as_lens(lens)
    if found is None:
        found = analyse(entry, keywords)
    day = today or dt.date.today()
    total = _total(found, entry.date, the_lens, day)
    return Score(total, explain=lambda: _score_parts(entry, found, the_lens, day))


def rank(
    entries: Iterable[Entry],
    lens: Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    *,
    read: Callable[[Entry], Analysis] | None = None,
    found: Sequence[Analysis] | None = None,
) -> list[tuple[Entry, Score]]:
    """Entries with their scores, strongest first.

    Ties go to the newer entry, then the title alphabetically, then the id,
    so the order never depends on how entries were read from disk. ``read``
    gives each entry's analysis, or ``found`` holds them, in the entries' order.
    """
    the_lens = _as_lens(lens)
    day = today or dt.date.today()
    if read is None and found is None:
        read = functools.partial(analyse, keywords=keywords)
    # score() inlined, and the entries sorted by their keys before any Score is
    # made: this runs for every entry of a year, so each step is one loop in C
    # (map, zip) rather than a Python call per entry.
    chosen = list(entries)
    if found is None:
        assert read is not None
        found = list(map(read, chosen))
    elif len(found) != len(chosen):
        raise ValueError(f"{len(found)} analyses for {len(chosen)} entries")
    dates = list(map(_date_of, chosen))
    totals = _totals(zip(dates, found, strict=True), the_lens, day)
    # Strongest first; ties to the newer entry, then the title, then the id.
    keys = list(
        zip(
            map(operator.neg, totals),
            map(operator.neg, map(dt.date.toordinal, dates)),
            map(str.casefold, map(_title_of, chosen)),
            map(_id_of, chosen),
            strict=True,
        )
    )
    partial = functools.partial
    return [
        (
            chosen[i],
            Score(totals[i], explain=partial(_score_parts, chosen[i], found[i], the_lens, day)),
        )
        for i in sorted(range(len(chosen)), key=keys.__getitem__)
    ]


_date_of = operator.attrgetter("date")
_title_of = operator.attrgetter("title")
_id_of = operator.attrgetter("id")


def reframe(
    entry: Entry,
    lens: Lens | str | None = None,
    glossary: Mapping[str, str] | None = None,
    *,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> Reframed:
    """Rewrite an entry as a conclusion-first bullet for ``lens``'s reader.

    - With an ``impact``: the impact leads (capitalised; if it has no number
      but the entry does, the strongest number is added), then " — " and the
      title as the action.
    - Without one, a title whose number sits in a later clause ("Rewrote the
      image pipeline, cutting storage costs 40%") is turned around so the
      numbered clause leads; a title with a before/after gains the relative
      change ("(-75%)") when it does not state one.
    - Otherwise the title as it is.

    For non-technical lenses (manager, exec, cfo) jargon is translated
    through ``glossary``; numbers are never touched. ``keywords`` (from
    :func:`load_keywords`) only affects the ``areas`` reported.
    """
    the_lens = _as_lens(lens)
    table = glossary if glossary is not None else GLOSSARY
    key = (
        "reframe",
        _content_key(entry, _keywords_fingerprint(keywords)),
        entry.url,
        the_lens.name,
        the_lens.technical,
        _glossary_fingerprint(glossary),
    )
    found = remember(
        key,
        lambda: _reframe(
            entry, the_lens, table, entry_metrics(entry), areas_for(entry, keywords)[0]
        ),
    )
    return replace(found, metrics=list(found.metrics), areas=list(found.areas))
