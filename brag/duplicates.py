"""Likely duplicates: the same win recorded twice.

Two entries are one story when, within :data:`WINDOW_DAYS` of each other, their
titles are the same once case, punctuation and spacing are set aside, or they
state the same metric values. An entry the user kept on purpose (``brag add
--force``) names the other in ``distinct_from`` and is never paired with it.
"""

from __future__ import annotations

import operator
import re
import sys
import unicodedata
from collections.abc import Container, Iterable, Sequence

from .entry import Entry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


WINDOW_DAYS = 14
_ID = operator.attrgetter("id")
DISTINCT_FIELD = "distinct_from"


_NOT_WORD = re.compile(r"[^\w%$.]+")


def normalise_title(title: str) -> str:
    """Lower case, accents and punctuation removed, spaces folded."""
    found = _NORMALISED.get(title)
    if found is None:
        found = _normalise_new(title)
    return found


_TITLES = "story-titles"
_LOCAL: dict[str, str] = {}
_NORMALISED = _LOCAL


def _normalise_new(title: str) -> str:
    """A title not seen yet. Once the impact engine is loaded (every command that
    reads the analysis cache), normalised titles are kept in the cache's table:
    a journal's titles change little between runs, and normalising them is most
    of what finding duplicates costs. ``brag add`` compares one entry and does
    not load the engine for it."""
    global _NORMALISED
    memo = sys.modules.get("brag.impact.memo")
    if memo is None:
        if len(_LOCAL) >= 100_000:
            _LOCAL.clear()
        found = _LOCAL[title] = _normalise_title(title)
        return found
    _NORMALISED = memo.table(_TITLES)
    kept: str = memo.remember_in(_TITLES, title, lambda: _normalise_title(title))
    return kept


def _normalise_title(title: str) -> str:
    # The index keeps this for every entry (its column ``story``): a change here
    # must come with a new index.SCHEMA_VERSION, or add compares with stale ones.
    if title.isascii():
        text = title.lower()  # no accents to strip: the common case, kept cheap
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).replace(" .", " ").split()).strip(" .")


def figures_key(entry: Entry) -> str | None:
    """The metric values ``entry`` states, as :func:`groups` buckets them (the values
    as written, 1 and 1.0 apart, in a stable order), or None when it states none.
    The index keeps it for every entry (its column ``figures``): with ``story``,
    what says which entries cannot have a twin (see ``alone`` in :func:`groups`).
    A change here must come with a new index.SCHEMA_VERSION."""
    if not entry.metrics:
        return None
    return _figures_of(_metric_values(entry))


def _figures_of(values: frozenset[tuple[Any, ...]]) -> str | None:
    return "\x1f".join(sorted(map(repr, values))) if values else None


def _metric_values(entry: Entry) -> frozenset[tuple[Any, ...]]:
    values = set()
    for metric in entry.metrics:
        value = metric.get("value", metric.get("after"))
        if value is None:
            continue
        values.add((metric.get("before"), value, str(metric.get("unit", "")).strip().lower()))
    return frozenset(values)


def distinct_from(entry: Entry) -> set[str]:
    """Ids the user said this entry is not a duplicate of."""
    raw = entry.extra.get(DISTINCT_FIELD, [])
    if isinstance(raw, str):
        raw = [raw]
    return {str(x) for x in raw} if isinstance(raw, list) else set()


def same_story(a: Entry, b: Entry, window_days: int = WINDOW_DAYS) -> bool:
    """True when ``a`` and ``b`` look like one win recorded twice."""
    if a.id == b.id or abs((a.date - b.date).days) > window_days:
        return False
    if any(b.id.startswith(x) or x.startswith(b.id) for x in distinct_from(a) if x):
        return False
    if any(a.id.startswith(x) or x.startswith(a.id) for x in distinct_from(b) if x):
        return False
    if normalise_title(a.title) == normalise_title(b.title):
        return True
    ma, mb = _metric_values(a), _metric_values(b)
    return bool(ma) and ma == mb


def find_match(
    entry: Entry, others: Iterable[Entry], window_days: int = WINDOW_DAYS
) -> Entry | None:
    """The existing entry ``entry`` duplicates, the closest in date, or None."""
    best: Entry | None = None
    for other in others:
        if same_story(entry, other, window_days):
            if best is None or abs((other.date - entry.date).days) < abs(
                (best.date - entry.date).days
            ):
                best = other
    return best


def groups(
    entries: Sequence[Entry],
    window_days: int = WINDOW_DAYS,
    known: Linked | None = None,
    alone: Container[int] | None = None,
) -> list[list[Entry]]:
    """Clusters of two or more entries that tell one story, oldest first in each.

    Entries are chained: if A~B and B~C, all three are one group. With ``known``
    (:func:`linked` of a larger set these very entries, unchanged, belong to),
    the pairs found there are reused instead of comparing the entries again.
    ``alone``: the ``id()`` of entries known to share neither their story
    (:func:`normalise_title`) nor their :func:`figures_key` with any other entry
    of a set these belong to, as the index answers it
    (:meth:`brag.index.Index.query_keyed`): they cannot pair with anything, so
    they are not looked at. An entry not in it (a copy retold with its outcome,
    say) is compared as usual.
    """
    if known is not None:
        found = _groups_within(entries, window_days, known)
        if found is not None:
            return [[entries[i] for i in group] for group in found]
    links = _links(entries, window_days, alone)
    return [[entries[i] for i in group] for group in _clusters(entries, links)]


class Linked:
    """The pairs of ``entries`` (by position) that tell one story, in the order
    they were found: what :func:`groups` needs for any subset of these entries.
    It holds the entries, so the identity of each one stays theirs; it is valid
    while they are not changed."""

    __slots__ = ("entries", "links", "window_days")

    def __init__(
        self, entries: Sequence[Entry], links: tuple[tuple[int, int], ...], window_days: int
    ):
        self.entries = entries
        self.links = links
        self.window_days = window_days

    def groups(self) -> list[list[Entry]]:
        """:func:`groups` of all of ``entries``."""
        found = _clusters(self.entries, self.links)
        return [[self.entries[i] for i in group] for group in found]


def linked(
    entries: Sequence[Entry], window_days: int = WINDOW_DAYS, alone: Container[int] | None = None
) -> Linked:
    """The pairs of ``entries`` that tell one story (see :class:`Linked`; ``alone``
    as for :func:`groups`)."""
    return Linked(entries, tuple(_links(entries, window_days, alone)), window_days)


def _groups_within(
    entries: Sequence[Entry], window_days: int, known: Linked
) -> tuple[tuple[int, ...], ...] | None:
    """:func:`_groups` of ``entries`` from the pairs ``known`` found, or None when
    they cannot say: another window, an entry ``known`` did not compare (a copy
    retold with its outcome, say), or two entries with one id (whose order
    within a group the positions alone would decide).

    Whether two entries tell one story depends on those two alone, so the pairs
    among ``entries`` are the pairs ``known`` found with both ends in them; the
    groups are those pairs chained, as :func:`_groups` chains its own.
    """
    if known.window_days != window_days:
        return None
    if len(entries) == len(known.entries) and all(map(operator.is_, entries, known.entries)):
        # The very entries known compared, in its order (the coach's year is often
        # the whole journal the inbox read): its pairs are theirs.
        return _clusters(entries, known.links)
    # Every entry one known compared, each once, no two with one id: set
    # operations over identities, so a year is not walked in Python.
    ids = set(map(id, entries))
    if len(ids) != len(entries) or len(set(map(_ID, entries))) != len(entries):
        return None
    if not ids <= set(map(id, known.entries)):
        return None
    # Positions are needed only for the entries a known pair names.
    named = {id(known.entries[i]) for pair in known.links for i in pair} & ids
    where = {id(entry): k for k, entry in enumerate(entries) if id(entry) in named}
    position = {i: where.get(id(known.entries[i])) for pair in known.links for i in pair}
    links = []
    for i, j in known.links:
        a, b = position[i], position[j]
        if a is not None and b is not None:
            links.append((a, b))
    return _clusters(entries, links)


def _links(
    entries: Sequence[Entry], window_days: int, alone: Container[int] | None = None
) -> list[tuple[int, int]]:
    """The pairs of positions in ``entries`` that tell one story, in a fixed order.

    Only entries that share a normalised title or the same metric values can be
    one story, and only within ``window_days`` of each other: each such set is
    walked in date order and an entry compared with the ones that follow it
    within the window, so the work grows with the entries, not with the pairs of
    a title repeated over years. Normalised titles are memoised (here and in the
    analysis cache), so one new entry costs its own comparisons and little else.
    Entries in ``alone`` (by ``id()``) are left out: they are in no such set.
    """
    by_title: dict[str, list[int]] = {}
    by_metrics: dict[str, list[int]] = {}
    # Each entry's normalised title and metric values, read once: the pairs
    # below compare them as same_story() does, without reading them again.
    titles: dict[int, str] = {}
    metric_values: dict[int, frozenset[tuple[Any, ...]]] = {}
    days: dict[int, int] = {}
    # Whether the entries compared come in date order (the inbox and documents
    # pass them oldest first): each set below is then in date order already.
    in_order, last_day = True, 0
    for i, entry in enumerate(entries):
        if alone is not None and id(entry) in alone:
            continue
        day = days[i] = entry.date.toordinal()
        if day < last_day:
            in_order = False
        last_day = day
        title = titles[i] = normalise_title(entry.title)
        bucket = by_title.get(title)
        if bucket is None:
            by_title[title] = [i]
        else:
            bucket.append(i)
        if entry.metrics:
            values = metric_values[i] = _metric_values(entry)
            key = _figures_of(values)
            if key is not None:
                by_metrics.setdefault(key, []).append(i)
    no_values: frozenset[tuple[Any, ...]] = frozenset()

    def same(i: int, j: int) -> bool:
        """same_story(entries[i], entries[j], window_days) for two entries already
        known to be within the window of each other."""
        a, b = entries[i], entries[j]
        if a.id == b.id:
            return False
        if (a.extra and DISTINCT_FIELD in a.extra) or (b.extra and DISTINCT_FIELD in b.extra):
            return same_story(a, b, window_days)
        if titles[i] == titles[j]:
            return True
        ma = metric_values.get(i, no_values)
        return bool(ma) and ma == metric_values.get(j, no_values)

    links: list[tuple[int, int]] = []
    for members in (*by_title.values(), *by_metrics.values()):
        if len(members) < 2:
            continue
        if not in_order:
            members = sorted(members, key=days.__getitem__)  # stable: as in date order
        count = len(members)
        for x in range(count - 1):
            i = members[x]
            last = days[i] + window_days
            for y in range(x + 1, count):
                j = members[y]
                if days[j] > last:
                    break
                if same(i, j):
                    links.append((i, j))
    return links


def _clusters(
    entries: Sequence[Entry], links: Iterable[tuple[int, int]]
) -> tuple[tuple[int, ...], ...]:
    """The pairs ``links`` chained into groups of positions, each oldest first, the
    groups in the order of their oldest entries."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    for i, j in links:
        parent.setdefault(i, i)
        parent.setdefault(j, j)
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
    clusters: dict[int, list[int]] = {}
    for i in parent:
        clusters.setdefault(find(i), []).append(i)

    def order(i: int) -> tuple[Any, str]:
        return entries[i].date, entries[i].id

    found = [sorted(c, key=order) for c in clusters.values() if len(c) > 1]
    return tuple(tuple(c) for c in sorted(found, key=lambda c: order(c[0])))


def collapse(entries: Sequence[Entry], window_days: int = WINDOW_DAYS) -> list[Entry]:
    """``entries`` with each duplicate group shown once: its latest entry, in the
    position of that entry. Order is otherwise kept."""
    drop: set[str] = set()
    for group in groups(entries, window_days):
        for entry in group[:-1]:
            drop.add(entry.id)
    return [e for e in entries if e.id not in drop]


def merge(keep: Entry, other: Entry) -> Entry:
    """``other`` folded into ``keep`` (which is changed and returned): tags, areas,
    collaborators and metrics united; the longer impact and body kept; anything
    ``keep`` lacks (link, leverage, fields of its own) taken from ``other``;
    private if either was."""

    def union(a: list[Any], b: list[Any]) -> list[Any]:
        out = list(a)
        for item in b:
            if item not in out:
                out.append(item)
        return out

    keep.tags = union(keep.tags, [t for t in other.tags if t.casefold() not in
                                  {k.casefold() for k in keep.tags}])  # fmt: skip
    keep.areas = union(keep.areas, other.areas)
    keep.with_ = union(keep.with_, other.with_)
    keep.metrics = union(keep.metrics, other.metrics)
    if len(other.impact.strip()) > len(keep.impact.strip()):
        keep.impact = other.impact
    if len(other.body.strip()) > len(keep.body.strip()):
        keep.body = other.body
    keep.url = keep.url or other.url
    keep.leverage = keep.leverage or other.leverage
    keep.private = keep.private or other.private
    for key, value in other.extra.items():
        if key != DISTINCT_FIELD and key not in keep.extra:
            keep.extra[key] = value
    left = sorted(distinct_from(keep) - {other.id})
    if left:
        keep.extra[DISTINCT_FIELD] = left
    else:
        keep.extra.pop(DISTINCT_FIELD, None)
    return keep
