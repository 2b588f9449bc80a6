"""Load: 4 brag processes adding 3 entries each at the same time (the real console script).

Small enough for every CI run; what it proves is that concurrent writers never lose,
duplicate or half-commit an entry, which needs contention, not volume.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import git

PROCS, EACH = 4, 3
BRAG = str(Path(sys.executable).parent / "brag")


def test_concurrent_processes_adding_entries(journal_dir: Path):
    env = os.environ.copy()
    subprocess.run([BRAG, "init"], env=env, check=True, capture_output=True)
    base = int(git(journal_dir, "rev-list", "--count", "HEAD"))

    def worker(w: int) -> list[subprocess.CompletedProcess[str]]:
        return [
            subprocess.run(
                [BRAG, "add", f"Load {w}-{i}", "-t", f"w{w}"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for i in range(EACH)
        ]

    with ThreadPoolExecutor(max_workers=PROCS) as pool:
        runs = [proc for batch in pool.map(worker, range(PROCS)) for proc in batch]
    assert len(runs) == PROCS * EACH
    failed = [r.stderr for r in runs if r.returncode != 0]
    assert failed == []

    listed = json.loads(
        subprocess.run(
            [BRAG, "list", "--json"], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    expected = {f"Load {w}-{i}" for w in range(PROCS) for i in range(EACH)}
    assert len(listed) == PROCS * EACH and {e["title"] for e in listed} == expected
    assert len({e["id"] for e in listed}) == PROCS * EACH
    # Every entry is committed, in at most one commit each, and the repository is sound.
    tracked = git(journal_dir, "ls-files", "entries").splitlines()
    assert sorted(tracked) == sorted(e["path"] for e in listed)
    assert int(git(journal_dir, "rev-list", "--count", "HEAD")) - base <= PROCS * EACH
    assert git(journal_dir, "status", "--porcelain", "--untracked-files=all") == ""
    fsck = subprocess.run(
        ["git", "-C", str(journal_dir), "fsck", "--strict"], capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stderr
    assert not list((journal_dir / ".git" / "brag" / "writers").iterdir())
