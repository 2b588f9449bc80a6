"""Concurrent adds at scale: P processes each running N `brag add` at the same time.

    python bench/bench_load.py                 # 8 x 250 = 2,000 entries, 1 run
    python bench/bench_load.py --procs 8 --each 25 --runs 3

Each of P worker threads runs the real ``brag`` console script N times in a
row, so P brag processes are always adding at once. After the run it checks
what docs/reliability.md records: exactly P*N new entries, every entry file
committed, at most P*N commits, a clean ``git status`` and ``git fsck``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def brag_script() -> str:
    local = Path(sys.executable).parent / "brag"
    return str(local) if local.exists() else (shutil.which("brag") or "brag")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def one_run(procs: int, each: int) -> dict[str, object]:
    script = brag_script()
    with tempfile.TemporaryDirectory(prefix="brag-load-") as tmp:
        root = Path(tmp) / "journal"
        env = {**os.environ, "BRAG_DIR": str(root)}
        subprocess.run([script, "init"], env=env, check=True, capture_output=True)
        base = int(git(root, "rev-list", "--count", "HEAD"))
        latencies: list[float] = []
        failures: list[str] = []

        def worker(w: int) -> None:
            for i in range(each):
                start = time.perf_counter()
                proc = subprocess.run(
                    [script, "add", f"Load {w}-{i}", "-t", f"w{w}"],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                latencies.append(time.perf_counter() - start)
                if proc.returncode != 0:
                    failures.append(proc.stderr.strip())

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=procs) as pool:
            list(pool.map(worker, range(procs)))
        wall = time.perf_counter() - start

        listed = json.loads(
            subprocess.run(
                [script, "list", "--json"], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
        titles = {e["title"] for e in listed}
        expected = {f"Load {w}-{i}" for w in range(procs) for i in range(each)}
        tracked = len(git(root, "ls-files", "entries").splitlines())
        commits = int(git(root, "rev-list", "--count", "HEAD")) - base
        status = git(root, "status", "--porcelain", "--untracked-files=all")
        fsck = subprocess.run(["git", "-C", str(root), "fsck", "--strict"], capture_output=True)
        latencies.sort()
        return {
            "procs": procs,
            "each": each,
            "failures": len(failures),
            "first_failure": failures[0] if failures else "",
            "entries": len(listed),
            "all_titles_present": titles == expected,
            "tracked_entry_files": tracked,
            "commits": commits,
            "clean_status": status == "",
            "fsck_ok": fsck.returncode == 0,
            "wall_s": round(wall, 2),
            "adds_per_s": round(procs * each / wall, 1),
            "add_median_ms": round(statistics.median(latencies) * 1000),
            "add_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--each", type=int, default=250)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    ok = True
    for n in range(args.runs):
        result = one_run(args.procs, args.each)
        print(json.dumps({"run": n + 1, **result}))
        total = args.procs * args.each
        ok &= (
            result["failures"] == 0
            and result["entries"] == total
            and result["tracked_entry_files"] == total
            and bool(result["all_titles_present"])
            and int(result["commits"]) <= total  # type: ignore[call-overload]
            and bool(result["clean_status"])
            and bool(result["fsck_ok"])
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
