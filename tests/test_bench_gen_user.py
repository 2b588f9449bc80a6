"""The user-shaped benchmark journal is deterministic and has the shape it promises."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from conftest import git

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen_user  # noqa: E402

from brag.entry import Entry  # noqa: E402


def test_same_seed_gives_the_same_entries_and_another_seed_does_not() -> None:
    a = [e.to_markdown() for e in gen_user.generate(60, seed=5)]
    b = [e.to_markdown() for e in gen_user.generate(60, seed=5)]
    c = [e.to_markdown() for e in gen_user.generate(60, seed=6)]
    assert a == b
    assert a != c


def test_entries_are_shaped_like_a_users() -> None:
    entries = list(gen_user.generate(400))
    assert len(entries) == 400
    assert len({e.id for e in entries}) == len({e.path for e in entries}) == 400

    bodies = [len(e.body) for e in entries]
    assert max(bodies) <= 2_000
    assert any(n == 0 for n in bodies) and any(n > 1_200 for n in bodies)
    tags = [len(e.tags) for e in entries]
    assert min(tags) == 1 and max(tags) == 6
    assert all(len(set(e.tags)) == len(e.tags) for e in entries)
    assert 0 < sum(e.private for e in entries) < 40  # a few
    imported = [e for e in entries if e.source]
    assert 0.25 < len(imported) / len(entries) < 0.55
    assert all(e.source_id and e.url.startswith("https://") for e in imported)
    assert {e.source for e in imported} >= {"github", "jira"}
    titled_with_numbers = sum(bool(re.search(r"\d", e.title)) for e in entries)
    assert titled_with_numbers / len(entries) > 0.7

    with_metrics = [e for e in entries if e.metrics]
    assert 0.2 < len(with_metrics) / len(entries) < 0.5
    for entry in entries:  # what brag writes, brag reads back unchanged
        back = Entry.from_markdown(entry.to_markdown(), entry.path)
        assert back.metrics == entry.metrics and back.body == entry.body
    text = with_metrics[0].to_markdown()
    assert "\nmetrics = [\n    { name = " in text  # an array of inline tables, as brag writes

    # 10,000 entries a year: a small journal is the year up to the last day.
    assert all(gen_user.first_day(600) <= e.date <= gen_user.LAST_DAY for e in entries)
    assert gen_user.years_for(10_000) == 1 and gen_user.years_for(100_000) == 10
    assert gen_user.first_day(100_000) == dt.date(2016, 11, 23)


def test_built_journal_is_a_valid_journal_with_one_commit_per_entry(
    journal_dir: Path, brag
) -> None:
    gen_user.build_journal(journal_dir, 25, seed=3)

    listed = json.loads(brag("list", "--json").output)
    assert len(listed) == 25
    assert brag("check").exit_code == 0
    assert git(journal_dir, "rev-list", "--count", "HEAD").strip() == "26"
    assert git(journal_dir, "status", "--porcelain").strip() == ""
    assert git(journal_dir, "log", "--reverse", "--format=%s").splitlines()[0] == (
        "brag: init journal"
    )
    first = next(gen_user.generate(25, seed=3))
    assert (journal_dir / first.path).read_text(encoding="utf-8") == first.to_markdown()
