"""The speed-ups the benchmark led to keep brag's behaviour exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_bench_gen import gen

from brag import index


def test_parallel_rebuild_matches_serial(
    journal_dir: Path, brag, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen.build_journal(journal_dir, 40)
    broken = journal_dir / "entries" / "2026" / "broken.md"
    broken.write_text('+++\nid = "b1"\ndate = 2026-13-01\ntitle = "x"\n+++\n')
    (journal_dir / "entries" / "2026" / "latin1.md").write_bytes(b"+++\ntitle = '\xe9'\n+++\n")
    items = list(index.scan(journal_dir / "entries", journal_dir).items())
    assert len(items) == 42

    monkeypatch.setattr(index, "PARALLEL_MIN", 10**9)
    serial = index.parse_rows(journal_dir, items)
    monkeypatch.setattr(index, "PARALLEL_MIN", 1)
    monkeypatch.setattr(index.os, "cpu_count", lambda: 3)
    parallel = index.parse_rows(journal_dir, items)
    assert sorted(parallel, key=lambda r: str(r[0])) == sorted(serial, key=lambda r: str(r[0]))
    errors = {r[0]: r[13] for r in parallel if r[13]}
    assert set(errors) == {"entries/2026/broken.md", "entries/2026/latin1.md"}
    assert "not UTF-8" in str(errors["entries/2026/latin1.md"])

    # A cold rebuild through the parallel path sees every good entry and names the bad ones.
    result = brag("list", "--json")
    assert len(json.loads(result.stdout)) == 40
    assert "broken.md:3" in result.stderr
    assert brag("check", expect=1).output.count("broken:") == 2
