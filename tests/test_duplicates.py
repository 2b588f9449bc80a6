"""Duplicate groups as brag finds them (titles memoised in the analysis cache, each
title's entries compared only within the window) are exactly the groups of
comparing every pair of entries, on a real journal as it is edited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen  # noqa: E402

from brag import duplicates, impact  # noqa: E402
from brag.entry import Entry  # noqa: E402
from brag.exporting import impact_cache  # noqa: E402
from brag.journal import Journal  # noqa: E402


def one_story(a: Entry, b: Entry, window_days: int) -> bool:
    """The rule, written out again without any memo: same title or same metric
    values within the window, unless either names the other in distinct_from."""
    if a.id == b.id or abs((a.date - b.date).days) > window_days:
        return False
    for x, y in ((a, b), (b, a)):
        if any(y.id.startswith(k) or k.startswith(y.id) for k in duplicates.distinct_from(x) if k):
            return False
    if duplicates._normalise_title(a.title) == duplicates._normalise_title(b.title):
        return True
    ma, mb = duplicates._metric_values(a), duplicates._metric_values(b)
    return bool(ma) and ma == mb


def every_pair(entries: list[Entry], window_days: int = duplicates.WINDOW_DAYS) -> list[list[str]]:
    """Groups by brute force: every pair compared, chained through a union-find."""
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(entries)), 2):
        if one_story(entries[i], entries[j], window_days):
            parent[find(i)] = find(j)
    clusters: dict[int, list[Entry]] = {}
    for i, entry in enumerate(entries):
        clusters.setdefault(find(i), []).append(entry)
    found = [sorted(c, key=lambda e: (e.date, e.id)) for c in clusters.values() if len(c) > 1]
    found.sort(key=lambda c: (c[0].date, c[0].id))
    return [[e.id for e in c] for c in found]


def as_ids(groups: list[list[Entry]]) -> list[list[str]]:
    return [[e.id for e in group] for group in groups]


def next_process(journal: Journal) -> list[Entry]:
    """What a new brag process sees: nothing in memory, the cache files on disk."""
    impact.clear_memo()
    duplicates._NORMALISED.clear()
    impact.load_cache(impact_cache(journal))
    return sorted(Journal(journal.root).entries(), key=lambda e: (e.date, e.id))


def check(journal: Journal) -> list[list[str]]:
    entries = next_process(journal)
    expected = every_pair(entries)
    assert as_ids(duplicates.groups(entries)) == expected
    # In any order, and for the subset a period's documents read.
    shuffled = entries[:]
    random.Random(3).shuffle(shuffled)
    assert sorted(as_ids(duplicates.groups(shuffled))) == sorted(expected)
    half = entries[len(entries) // 2 :]
    assert as_ids(duplicates.groups(half)) == every_pair(half)
    # As documents and the coach read them: only entries the index finds with a
    # twin (the same story or metric values among those read) are looked at.
    keyed = Journal(journal.root).entries_keyed(newest_first=False)
    read = [entry for entry, _, _ in keyed]
    alone = {id(entry) for entry, _, lone in keyed if lone}
    assert 0 < len(alone) < len(read)
    assert as_ids(duplicates.groups(read, alone=alone)) == expected
    assert as_ids(duplicates.linked(read, alone=alone).groups()) == expected
    since = half[0].date.isoformat()
    period = Journal(journal.root).entries_keyed(since=since, newest_first=False)
    told = [entry for entry, _, _ in period]
    lone = {id(entry) for entry, _, flag in period if flag}
    assert as_ids(duplicates.groups(told, alone=lone)) == every_pair(told)
    # A subset of what was read may use the flags of the whole.
    assert as_ids(duplicates.groups(read[::2], alone=alone)) == every_pair(read[::2])
    impact.save_cache(impact_cache(journal))
    return expected


def copy_of(entry: Entry, **changes: Any) -> Entry:
    fresh = dataclasses.replace(entry, id=Entry(title="x", date=entry.date).id, path="")
    return dataclasses.replace(fresh, **changes)


def test_groups_after_additions_edits_and_deletions_are_those_of_every_pair(tmp_path: Path):
    root = tmp_path / "journal"
    gen.build_journal(root, 400, 11)
    journal = Journal(root)
    first = check(journal)
    # The titles are now in the cache, and the next process reads them from it.
    entries = next_process(journal)
    assert entries[0].title in impact.memo.table("story-titles")

    r = random.Random(5)
    picked = r.sample(entries, 24)
    # Additions: the same title a few days later (and a chain of three), the same
    # metrics under another title, one just outside the window, one kept on purpose.
    for n, entry in enumerate(picked[:6]):
        later = entry.date + dt.timedelta(days=n % 3 + 1)
        journal.add(copy_of(entry, date=later, title=entry.title.upper() + " !"))
    chain = picked[6]
    for days in (10, 20):
        journal.add(copy_of(chain, date=chain.date + dt.timedelta(days=days)))
    for entry in picked[7:10]:
        metrics = [{"name": "latency", "before": 800, "after": 200, "unit": "ms"}]
        journal.update(dataclasses.replace(entry, metrics=metrics))
        journal.add(copy_of(entry, title=f"Other words for {entry.id}", metrics=metrics,
                            date=entry.date + dt.timedelta(days=2)))  # fmt: skip
    edge, far = picked[10], picked[12]
    journal.add(copy_of(edge, date=edge.date + dt.timedelta(days=duplicates.WINDOW_DAYS)))
    journal.add(copy_of(far, date=far.date + dt.timedelta(days=duplicates.WINDOW_DAYS + 1)))
    kept = picked[11]
    journal.add(copy_of(kept, extra={duplicates.DISTINCT_FIELD: [kept.id]}))
    added = check(journal)
    assert len(added) >= len(first) + 9

    # Edits and deletions: a grouped entry retitled, one moved out of the window,
    # one of a chain deleted, distinct_from dropped again.
    entries = next_process(journal)
    by_id = {e.id: e for e in entries}
    grouped = [by_id[i] for group in added for i in group]
    journal.update(dataclasses.replace(grouped[0], title="Something else entirely"))
    moved = grouped[3]
    journal.update(dataclasses.replace(moved, date=moved.date + dt.timedelta(days=60)))
    journal.remove(grouped[5])
    (copy,) = [e for e in entries if e.extra.get(duplicates.DISTINCT_FIELD)]
    journal.update(dataclasses.replace(copy, extra={}))
    edited = check(journal)
    assert edited != added

    # A cold run (no cache at all) agrees too.
    impact_cache(journal).unlink()
    for log in impact_cache(journal).parent.glob("impact-cache.*"):
        log.unlink()
    assert check(journal) == edited


def test_a_title_repeated_for_years_is_compared_only_within_the_window(monkeypatch):
    day = dt.date(2020, 1, 6)
    entries = [
        Entry(title="Weekly on-call handover", date=day + dt.timedelta(days=7 * week))
        for week in range(300)
    ]
    calls = 0
    same_story = duplicates.same_story

    def counted(a: Entry, b: Entry, window_days: int = duplicates.WINDOW_DAYS) -> bool:
        nonlocal calls
        calls += 1
        return same_story(a, b, window_days)

    monkeypatch.setattr(duplicates, "same_story", counted)
    found = duplicates.groups(entries)
    assert as_ids(found) == every_pair(entries)
    assert len(found) == 1 and len(found[0]) == 300  # chained week to week
    assert calls < 2 * len(entries)  # not the 44,850 pairs


def test_add_compares_titles_without_loading_the_impact_engine(brag, journal):
    import subprocess

    brag("add", "Cut p99 latency", "-i", "faster checkout")
    code = (
        "import sys\n"
        "from brag.cli import cli\n"
        "try:\n    cli.main(['add', 'Cut P99 latency!', '--force'], prog_name='brag')\n"
        "except SystemExit:\n    pass\n"
        "print('\\nMODULES', *sorted(sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = set(proc.stdout.rpartition("MODULES")[2].split())
    assert "brag.duplicates" in loaded  # it did compare the titles
    assert not {m for m in loaded if m.startswith("brag.impact")}
    (kept,) = [e for e in journal.entries() if e.title == "Cut P99 latency!"]
    assert kept.extra[duplicates.DISTINCT_FIELD]  # found as the same story, kept on purpose


def _story_heavy(n: int, seed: int) -> list[Entry]:
    """Entries that are often one story: a few titles and metric values reused
    over a year, a copy kept on purpose, and two entries that share an id."""
    r = random.Random(seed)
    day = dt.date(2026, 1, 1)
    titles = [f"Cut {w} latency in {z}" for w in ("checkout", "search", "cart", "login")
              for z in ("eu", "us", "apac", "staging", "ci")]  # fmt: skip
    entries = []
    for k in range(n):
        metrics = []
        if r.random() < 0.4:
            before = r.choice([800, 900, 1000, 1200])
            metrics = [
                {"name": "p99", "before": before, "after": r.choice([200, 300]), "unit": "ms"}
            ]
        entries.append(
            Entry(
                title=r.choice(titles) + r.choice(["", "!", " (again)"]),
                date=day + dt.timedelta(days=r.randrange(365)),
                metrics=metrics,
                id=f"{k:08x}",
            )
        )
    entries[5].extra = {duplicates.DISTINCT_FIELD: [entries[6].id]}
    return sorted(entries, key=lambda e: (e.date, e.id))


def test_groups_of_a_subset_from_known_pairs_are_those_of_every_pair():
    """The inbox's pairs over the whole journal give the coach's groups for its
    period: a chain through an entry outside the period is cut there."""
    pool = _story_heavy(300, 7)
    known = duplicates.linked(pool)
    assert as_ids(known.groups()) == every_pair(pool) == as_ids(duplicates.groups(pool))
    assert len(known.groups()) > 10
    r = random.Random(11)
    subsets = [pool, pool[40:200], pool[::2], r.sample(pool, 120), pool[:1], []]
    for subset in subsets:
        items = sorted(subset, key=lambda e: (e.date, e.id))
        assert duplicates._groups_within(items, duplicates.WINDOW_DAYS, known) is not None
        assert as_ids(duplicates.groups(items, known=known)) == every_pair(items)


def test_a_chain_through_an_entry_left_out_is_cut():
    day = dt.date(2026, 3, 1)
    a, b, c = (
        Entry(title="Cut checkout latency", date=day + dt.timedelta(days=d), id=i)
        for d, i in ((0, "aaaa0001"), (10, "bbbb0002"), (20, "cccc0003"))
    )
    known = duplicates.linked([a, b, c])
    assert as_ids(known.groups()) == [["aaaa0001", "bbbb0002", "cccc0003"]]
    assert duplicates.groups([a, c], known=known) == []
    assert as_ids(duplicates.groups([b, c], known=known)) == [["bbbb0002", "cccc0003"]]


def test_known_pairs_are_not_used_for_entries_they_did_not_compare():
    """A copy (an entry retold with its outcome), another window or two entries
    with one id: the entries are compared again, and the groups are still right."""
    pool = _story_heavy(200, 3)
    known = duplicates.linked(pool)
    retold = [dataclasses.replace(e, metrics=[]) if k % 3 == 0 else e for k, e in enumerate(pool)]
    assert duplicates._groups_within(retold, duplicates.WINDOW_DAYS, known) is None
    assert as_ids(duplicates.groups(retold, known=known)) == every_pair(retold)
    assert duplicates._groups_within(pool, 3, known) is None
    assert as_ids(duplicates.groups(pool, 3, known=known)) == every_pair(pool, 3)
    twin = dataclasses.replace(pool[1], id=pool[0].id)
    both = duplicates.linked([*pool, twin])
    assert duplicates._groups_within([twin, *pool[::2]], duplicates.WINDOW_DAYS, both) is None
    assert as_ids(duplicates.groups([twin, *pool[::2]], known=both)) == every_pair(
        [twin, *pool[::2]]
    )
    # The very entries compared, in their order, take the pairs as they are.
    assert duplicates._groups_within([*pool, twin], duplicates.WINDOW_DAYS, both) is not None
    assert as_ids(duplicates.groups([*pool, twin], known=both)) == every_pair([*pool, twin])
