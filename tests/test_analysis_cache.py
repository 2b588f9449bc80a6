"""The analysis cache on disk: a few new analyses are appended to a log next to the
file instead of rewriting it, the log is folded in once it grows, and torn,
garbled or outdated pieces, or two brag processes writing at once, never lose
an analysis that was written whole nor break brag."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brag import impact
from brag.entry import Entry
from brag.impact import analysis

DAY = dt.date(2026, 3, 2)


def entries(start: int, count: int) -> list[Entry]:
    return [
        Entry(
            title=f"Cut the build from {i + 40} to {i % 30 + 5} minutes",
            date=DAY + dt.timedelta(days=i % 300),
            id=f"{i:08x}",
            impact=f"Saved ${i}k a year for {i % 7 + 2} teams" if i % 3 else "",
            body="Worked with the platform team on caching." if i % 2 else "",
        )
        for i in range(start, start + count)
    ]


def new_process(cache: Path) -> int:
    impact.clear_memo()
    return impact.load_cache(cache)


def fresh(entry: Entry) -> impact.Analysis:
    """The analysis computed from the words, no memo involved."""
    saved = dict(analysis._MEMO), dict(analysis._STORED)
    analysis._MEMO.clear()
    analysis._STORED.clear()
    try:
        return impact.analyse(entry)
    finally:
        analysis._MEMO.update(saved[0])
        analysis._STORED.update(saved[1])


def refuse_to_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(entry: Entry) -> None:
        raise AssertionError(f"{entry.id} was analysed again")

    monkeypatch.setattr(analysis, "_entry_metrics", refuse)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    impact.clear_memo()
    yield tmp_path / "brag" / "impact-cache.pickle"
    impact.clear_memo()


def delta(cache: Path) -> Path:
    return cache.with_name("impact-cache.delta")


def test_one_new_analysis_is_appended_and_read_back(cache, monkeypatch):
    year = entries(0, 200)
    expected = [fresh(e) for e in year]
    for e in year:
        impact.analyse(e)
    assert impact.save_cache(cache)
    base = cache.read_bytes()
    assert new_process(cache) == 200
    (one,) = entries(500, 1)
    for e in [*year, one]:
        impact.analyse(e)
    assert impact.save_cache(cache)
    assert cache.read_bytes() == base  # the file is not written again
    assert 0 < delta(cache).stat().st_size < len(base) // 20
    assert not impact.save_cache(cache)  # nothing new since

    assert new_process(cache) == 201
    refuse_to_compute(monkeypatch)
    got = [impact.analyse(e) for e in [*year, one]]
    assert got[:200] == expected
    monkeypatch.undo()
    assert got[200] == fresh(one)
    # Metrics read from the file are Metric objects like any others.
    assert [m.describe() for m in got[5].metrics] == [m.describe() for m in expected[5].metrics]
    assert got[5].quantified == bool(expected[5].metrics)


def test_the_log_is_folded_into_the_file_once_it_grows(cache, monkeypatch):
    monkeypatch.setattr(analysis, "FOLD_MIN_BYTES", 0)
    monkeypatch.setattr(analysis, "FOLD_SHARE", 0.05)
    for e in entries(0, 100):
        impact.analyse(e)
    impact.save_cache(cache)
    size = cache.stat().st_size
    for step in range(6):
        new_process(cache)
        for e in entries(100 + step * 3, 3):
            impact.analyse(e)
        impact.save_cache(cache)
    assert cache.stat().st_size > size  # folded at least once
    assert delta(cache).stat().st_size < 0.05 * cache.stat().st_size + 2048
    assert new_process(cache) == 118
    refuse_to_compute(monkeypatch)
    for e in entries(0, 118):
        impact.analyse(e)


def test_a_torn_or_garbled_log_is_ignored_from_the_bad_record_on(cache, monkeypatch):
    for e in entries(0, 50):
        impact.analyse(e)
    impact.save_cache(cache)
    for start in (50, 60):
        new_process(cache)
        for e in entries(start, 10):
            impact.analyse(e)
        impact.save_cache(cache)
    log = delta(cache).read_bytes()
    first = log.index(b"BRG1", 4)  # where the second record starts
    delta(cache).write_bytes(log[:-7])  # a write cut short
    assert new_process(cache) == 60
    delta(cache).write_bytes(log[: first + 30] + b"\x00" * 9 + log[first + 39 :])
    assert new_process(cache) == 60
    # One byte changed that still unpickles: only the digest shows it.
    at = min(log.find(w, first) for w in (b"execution", b"expert", b"minutes") if w in log[first:])
    flipped = log[:at] + bytes([log[at] ^ 0x20]) + log[at + 1 :]
    delta(cache).write_bytes(flipped)
    assert new_process(cache) == 60
    delta(cache).write_bytes(b"garbage" + log)
    assert new_process(cache) == 50
    delta(cache).write_bytes(log)
    assert new_process(cache) == 70
    # After a bad record the next save folds everything into the file.
    delta(cache).write_bytes(log[:-7])
    new_process(cache)
    for e in entries(0, 71):
        impact.analyse(e)
    assert impact.save_cache(cache)
    assert delta(cache).stat().st_size == 0
    assert new_process(cache) == 71
    refuse_to_compute(monkeypatch)
    for e in entries(0, 71):
        impact.analyse(e)


def test_outdated_files_and_records_are_ignored(cache, monkeypatch):
    for e in entries(0, 20):
        impact.analyse(e)
    impact.save_cache(cache)
    new_process(cache)
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", analysis.ANALYSIS_VERSION + 1)
    for e in entries(20, 5):
        impact.analyse(e)
    impact.save_cache(cache)  # a record of a newer brag, appended to the log
    monkeypatch.undo()
    assert delta(cache).stat().st_size > 0
    assert new_process(cache) == 20
    cache.write_bytes(b"not a pickle")
    assert new_process(cache) == 0
    for e in entries(0, 3):
        impact.analyse(e)
    assert impact.save_cache(cache)  # a usable file again
    assert new_process(cache) == 3


def test_past_the_limit_only_this_runs_analyses_are_kept(cache, monkeypatch):
    for e in entries(0, 40):
        impact.analyse(e)
    impact.save_cache(cache)
    monkeypatch.setattr(analysis, "CACHE_LIMIT", 30)
    monkeypatch.setattr(analysis, "FOLD_MIN_BYTES", 0)
    monkeypatch.setattr(analysis, "FOLD_SHARE", 0.0)
    new_process(cache)
    for e in entries(35, 10):
        impact.analyse(e)
    impact.save_cache(cache)
    assert new_process(cache) == 10


WRITER = """
import sys, datetime as dt
sys.path.insert(0, {tests!r})
from test_analysis_cache import entries
from brag import impact
from brag.impact import analysis
analysis.FOLD_MIN_BYTES = 0
analysis.FOLD_SHARE = 0.02
cache, first = sys.argv[1], int(sys.argv[2])
for round in range(6):
    impact.clear_memo()
    impact.load_cache(cache)
    for e in entries(first + round * 4, 4):
        impact.analyse(e)
    impact.save_cache(cache)
"""


def test_two_brag_processes_writing_at_once_lose_nothing(cache, monkeypatch):
    for e in entries(0, 60):
        impact.analyse(e)
    impact.save_cache(cache)
    script = WRITER.format(tests=str(Path(__file__).parent))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # Run from the tests folder: the working folder (tmp_path) holds the cache's
    # "brag" folder, which `python -c` would import as a namespace package in
    # place of an installed brag that is found by a finder rather than a path.
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(cache), str(first)],
            env=env,
            cwd=Path(__file__).parent,
        )
        for first in (1000, 2000, 3000)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    assert new_process(cache) == 60 + 3 * 24
    everything = entries(0, 60)
    for first in (1000, 2000, 3000):
        everything += entries(first, 24)
    expected = [fresh(e) for e in everything]
    refuse_to_compute(monkeypatch)
    assert [impact.analyse(e) for e in everything] == expected


def test_a_table_is_read_back_and_only_its_new_rows_appended(cache):
    from brag.impact import memo

    for i in range(300):
        memo.remember_in("titles", f"Title number {i}", lambda i=i: f"title number {i}")
    assert impact.save_cache(cache)
    new_process(cache)
    assert len(memo.table("titles")) == 300
    assert not impact.save_cache(cache)  # nothing new
    memo.remember_in("titles", "Title number 5", lambda: "never computed again")
    memo.remember_in("titles", "A new one", lambda: "a new one")
    assert impact.save_cache(cache)
    assert delta(cache).stat().st_size < 300
    new_process(cache)
    assert memo.table("titles")["Title number 5"] == "title number 5"
    assert memo.table("titles")["A new one"] == "a new one"
    assert len(memo.table("titles")) == 301


def test_the_log_is_private_like_the_file(cache):
    for e in entries(0, 5):
        impact.analyse(e)
    impact.save_cache(cache)
    new_process(cache)
    for e in entries(5, 1):
        impact.analyse(e)
    impact.save_cache(cache)
    assert delta(cache).stat().st_size > 0
    assert delta(cache).stat().st_mode & 0o077 == 0
    assert cache.stat().st_mode & 0o077 == 0


def test_the_money_an_entry_states_is_kept_in_its_analysis(cache, monkeypatch):
    cases = {
        "Cut the AWS bill from $40k to $25k a month": ("savings", 180_000.0),
        "Closed $1.2M in new ARR with the upsell flow": ("revenue", 1_200_000.0),
        "Right-sized the fleet, $5k/week": ("savings", 260_000.0),
        "Bought a $3k test rig": ("", 0.0),  # money, but neither saved nor earned
        # Revenue kept in an incident is not revenue earned: it stays apart.
        "Kept checkout up on Black Friday: $240k of orders saved": ("protected", 240_000.0),
        "Fixed the card retry bug, avoided $50k in lost sales": ("protected", 50_000.0),
        "Upsell flow saved the quarter: $500k new ARR": ("revenue", 500_000.0),
        "Cut p99 from 800ms to 200ms": ("", 0.0),  # no money at all
    }
    found = [Entry(title=t, date=DAY, id=f"m{i:07x}") for i, t in enumerate(cases)]
    # The author's areas say which kind it is when the words do not.
    found.append(Entry(title="Shipped the $50k plan", date=DAY, id="m0000099", areas=["revenue"]))
    expected = [*cases.values(), ("revenue", 50_000.0)]
    assert [impact.analyse(e).money for e in found] == expected
    assert [fresh(e).money for e in found] == expected
    impact.save_cache(cache)

    assert new_process(cache) == len(found)
    refuse_to_compute(monkeypatch)
    read = [impact.analyse(e) for e in found]
    assert [a.money for a in read] == expected
    # Summing money read from the cache decodes no entry's metrics.
    assert all("_stored_metrics" in a.__dict__ for a in read[:3])


def test_the_scanners_compiled_patterns_are_kept_and_give_the_same_answers(cache, monkeypatch):
    import re

    from brag.impact import memo, metrics

    texts = [
        "Cut p99 from 800ms to 200ms, saving $4.2k/month across 12 teams",
        "Upgraded Python 3.11 -> 3.12 on 2026-03-02 (PR #4521, JIRA-88), 3x faster",
        "Doubled signups; churn down 3 percentage points, 40k users, two dozen incidents fewer",
    ]
    scanners = (metrics._quantity_re, metrics._money_re, metrics._protected_re)

    def forget_compiled() -> None:  # as in a new process
        for f in (*scanners, metrics._scan_cached):
            f.cache_clear()

    forget_compiled()
    fresh_answers = [[m.describe() for m in impact.find_metrics(t)] for t in texts]
    compiled = {f.__name__: f() for f in (metrics._quantity_re, metrics._money_re)}
    impact.analyse(entries(0, 1)[0])
    assert impact.save_cache(cache)

    # A new process: nothing compiled yet, the programs read from the cache file.
    new_process(cache)
    forget_compiled()
    again: list[str] = []
    compile_ = re.compile
    monkeypatch.setattr(re, "compile", lambda p, f=0: again.append(p[:40]) or compile_(p, f))
    kept = {f.__name__: f() for f in (metrics._quantity_re, metrics._money_re)}
    assert kept == compiled  # the same pattern, flags and program
    assert [[m.describe() for m in impact.find_metrics(t)] for t in texts] == fresh_answers
    monkeypatch.undo()
    assert again == []

    # A garbled program is refused by the engine and the pattern compiled as usual.
    name = memo._PROGRAMS_TABLE
    held = memo.table(name)
    key = next(k for k in held if k[0] == compiled["_quantity_re"].pattern)
    pattern, flags, code, *rest = held[key]
    held[key] = (pattern, flags, [9999, *code[1:]], *rest)
    metrics._quantity_re.cache_clear()
    assert metrics._quantity_re() == compiled["_quantity_re"]


def test_risks_and_requests_are_kept_in_the_analysis_and_sort_evidence_alike(cache, monkeypatch):
    from brag.impact import claims
    from brag.impact.figures import evidence

    found = [
        Entry(title="Cut checkout errors 40%", date=DAY, id="c0000001"),
        Entry(title="Vendor contract renewal is at risk", date=DAY, id="c0000002"),
        Entry(title="Need a decision on the data retention policy", date=DAY, id="c0000003"),
        Entry(title="Migration blocked", date=DAY, id="c0000004", tags=["blocker"]),
        Entry(title="Shipped search", date=DAY, id="c0000005", impact="Please approve the rollout"),
        Entry(title="Shipped the queue", date=DAY, id="c0000006", tags=["ask"]),
    ]
    for e in found:
        got = impact.analyse(e)
        assert (got.risk, got.ask, got.asks_in_title) == (
            claims.is_risk(e),
            claims.is_ask(e),
            claims.asks_in_words(e.title),
        )
    assert {e.id for e in found if impact.analyse(e).risk} >= {"c0000002", "c0000004"}
    assert impact.analyse(found[2]).asks_in_title and impact.analyse(found[5]).ask
    impact.save_cache(cache)
    new_process(cache)
    refuse_to_compute(monkeypatch)
    # The analyses read back give the documents the same results as the words do.
    assert evidence(found, impact.analyse) == evidence(found) == [found[0], found[4], found[5]]
