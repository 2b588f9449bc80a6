"""The benchmark's journal generator builds real, valid, deterministic journals."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

from conftest import git

_spec = importlib.util.spec_from_file_location(
    "bench_gen", Path(__file__).resolve().parent.parent / "bench" / "gen.py"
)
assert _spec is not None and _spec.loader is not None
gen = importlib.util.module_from_spec(_spec)
sys.modules["bench_gen"] = gen  # dataclasses look their module up by name
_spec.loader.exec_module(gen)


def test_generated_journal_is_valid_with_one_commit_per_entry(journal_dir: Path, brag) -> None:
    gen.build_journal(journal_dir, 50)

    entries = json.loads(brag("list", "--json").output)
    assert len(entries) == 50
    assert len({e["id"] for e in entries}) == 50
    for e in entries:
        assert (journal_dir / e["path"]).is_file()
        assert dt.date(2022, 1, 1) <= dt.date.fromisoformat(e["date"]) <= dt.date(2026, 12, 31)
        assert e["title"].strip()
    assert any(e.get("source") and e.get("url") and e.get("source_id") for e in entries)
    assert brag("check").exit_code == 0

    assert git(journal_dir, "rev-list", "--count", "HEAD").strip() == "51"
    assert git(journal_dir, "status", "--porcelain").strip() == ""
    first = git(journal_dir, "log", "--reverse", "--format=%s").splitlines()
    assert first[0] == "brag: init journal"
    assert first[1].startswith('brag: add "')
    files = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert len(files) == 1 and files[0].startswith("entries/")

    # A brag add on top works like in any journal.
    brag("add", "One more on top")
    assert git(journal_dir, "rev-list", "--count", "HEAD").strip() == "52"


def test_same_seed_same_journal(tmp_path: Path) -> None:
    gen.build_journal(tmp_path / "a", 30, seed=3)
    gen.build_journal(tmp_path / "b", 30, seed=3)
    gen.build_journal(tmp_path / "c", 30, seed=4)
    head = {name: git(tmp_path / name, "rev-parse", "HEAD").strip() for name in "abc"}
    assert head["a"] == head["b"]
    assert head["a"] != head["c"]
