"""Stage 8, analysis: everything above that depends only on an entry's words, once.

:func:`analyse` reads an entry through every stage and memoises the answer on
its content; :func:`load_cache`/:func:`save_cache` keep those answers on disk
between runs. The entry-level functions callers use (:func:`entry_metrics`,
:func:`areas_for`, :func:`leverage_for`, :func:`tree_for`,
:func:`tree_balance`, :func:`score`, :func:`rank`, :func:`reframe`) live here
because they read through that memo; the stages below do the work.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..entry import Entry
from .areas import _areas_for, _entry_text
from .glossary import GLOSSARY
from .lenses import Lens, _as_lens
from .leverage import _balance, _leverage_for, _tree_for
from .memo import (
    _RESULTS,
    _RESULTS_ON_DISK,
    _RESULTS_USED,
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


#: Bump when a change to the engine alters what it reads from an entry, so
#: caches written by an older brag are ignored rather than trusted.
ANALYSIS_VERSION = 3

#: At most this many analyses are kept on disk (old versions of edited entries
#: are dropped when it is reached).
CACHE_LIMIT = 200_000

_MEMO: dict[tuple[Any, ...], Analysis] = {}

_USED: set[tuple[Any, ...]] = set()

_ON_DISK: set[tuple[Any, ...]] = set()  # keys the last cache file read or written holds


def analyse(entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None) -> Analysis:
    """The :class:`Analysis` of ``entry`` (areas inferred with ``keywords``)."""
    key = _content_key(entry, _keywords_fingerprint(keywords))
    found = _MEMO.get(key)
    if found is None:
        areas, inferred = _areas_for(entry, keywords)
        leverage, leverage_inferred = _leverage_for(entry)
        strong, weak = _entry_text(entry)
        broad = _BROAD_SCOPE().search(strong) or _BROAD_SCOPE().search(weak)
        metrics = _entry_metrics(entry)
        activity = is_activity_phrasing(entry.impact.strip())
        scope_words = broad.group(0).lower() if broad else ""
        found = Analysis(
            tuple(metrics),
            tuple(areas),
            inferred,
            leverage,
            leverage_inferred,
            _tree_for(entry, leverage),
            scope_words,
            activity,
            _evidence_part(metrics)[1],
            _impact_part(entry, activity)[1],
            _scope_part(entry, metrics, scope_words)[1],
        )
        _MEMO[key] = found
    _USED.add(key)
    return found


def load_cache(path: str | Any) -> int:
    """Seed the memo from a cache file written by :func:`save_cache`.

    A missing, unreadable or outdated file is ignored (the cache only ever
    saves time). Returns the number of analyses loaded.
    """
    import pickle
    from pathlib import Path

    _ON_DISK.clear()
    _RESULTS_ON_DISK.clear()
    try:
        with Path(path).open("rb") as fh:
            data = pickle.load(fh)
    except Exception:  # a cache must never break brag
        return 0
    if not isinstance(data, dict) or data.get("version") != (ANALYSIS_VERSION, _engine_stamp()):
        return 0
    memo = data.get("memo")
    if not isinstance(memo, dict):
        return 0
    results = data.get("results", {})
    for key, value in memo.items():
        _MEMO.setdefault(key, value)
    _ON_DISK.update(memo)
    if isinstance(results, dict):
        for key, value in results.items():
            _RESULTS.setdefault(key, value)
        _RESULTS_ON_DISK.update(results)
    return len(memo)


def save_cache(path: str | Any) -> bool:
    """Write the memo to ``path`` when this process used analyses the file lacks.

    Analyses of every entry seen are kept (a weekly status must not evict the
    year a self-review needs); past :data:`CACHE_LIMIT` only this run's are.
    Returns whether it wrote. Failures are ignored: the cache only ever saves
    time.
    """
    if _USED <= _ON_DISK and _RESULTS_USED <= _RESULTS_ON_DISK:
        return False
    import os
    import pickle
    import tempfile
    from pathlib import Path

    memo = _MEMO
    if len(memo) > CACHE_LIMIT:
        # Mostly analyses of entries edited since: start again from this run's.
        memo = {k: v for k, v in _MEMO.items() if k in _USED}
    # Reframes depend on the audience too: keep those of this run plus the
    # others already on disk, up to a bound.
    results = {k: _RESULTS[k] for k in _RESULTS_USED}
    for k in _RESULTS_ON_DISK:
        if len(results) >= CACHE_LIMIT:
            break
        if k in _RESULTS:
            results.setdefault(k, _RESULTS[k])
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".impact-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {
                    "version": (ANALYSIS_VERSION, _engine_stamp()),
                    "memo": memo,
                    "results": results,
                },
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, target)
    except OSError:
        return False
    _ON_DISK.clear()
    _ON_DISK.update(memo)
    _RESULTS_ON_DISK.clear()
    _RESULTS_ON_DISK.update(results)
    return True


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
    _USED.clear()
    _ON_DISK.clear()
    _RESULTS.clear()
    _RESULTS_USED.clear()
    _RESULTS_ON_DISK.clear()
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
) -> list[tuple[Entry, Score]]:
    """Entries with their scores, strongest first.

    Ties go to the newer entry, then the title alphabetically, then the id,
    so the order never depends on how entries were read from disk.
    """
    the_lens = _as_lens(lens)
    day = today or dt.date.today()
    if read is None:
        scored = [(entry, score(entry, the_lens, day, keywords)) for entry in entries]
    else:
        # score() inlined: this loop runs for every entry of a year.
        scored = []
        for e in entries:
            found = read(e)
            total = _total(found, e.date, the_lens, day)
            scored.append(
                (e, Score(total, explain=functools.partial(_score_parts, e, found, the_lens, day)))
            )
    scored.sort(
        key=lambda pair: (
            -pair[1].total,
            -pair[0].date.toordinal(),
            pair[0].title.casefold(),
            pair[0].id,
        )
    )
    return scored


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
