"""Benchmark: each export of a year from a 10,000-entry journal.

    python bench/bench_export.py                     # bench/gen.py journal (2022-2026)
    python bench/bench_export.py --generator dense   # 10,000 entries in one year
    python bench/bench_export.py --entries 10000 --runs 7 --keep /tmp/bj

Each export runs as a whole process (``brag export KIND``: interpreter start,
imports, index, analysis, rendering), the way a user runs it. The first run of
each kind also builds the index and the impact cache; the figures reported are
for the runs after it (the everyday case), with the cold run shown apart.
Results go to stdout as a Markdown table (see docs/benchmarks-export.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def exports(today: dt.date) -> dict[str, list[str]]:
    """The runs, for a journal whose newest entry is on ``today``: the year up to it."""
    year_start = (today - dt.timedelta(days=364)).isoformat()
    until = today.isoformat()
    return {
        "one-on-one": ["one-on-one", "--since", (today - dt.timedelta(days=14)).isoformat(),
                       "--no-remember"],
        "self-review": ["self-review", "--since", year_start, "--until", until],
        "promo-brief": ["promo-brief", "--since", year_start, "--until", until, "--target",
                        "staff"],
        "status": ["status", "--cadence", "monthly"],
        "status (year, json)": ["status", "--since", year_start, "--until", until, "-f", "json"],
    }  # fmt: skip


def count_since(path: Path, since: dt.date) -> int:
    from brag.journal import Journal

    return sum(1 for _ in Journal(path).entries(since=since.isoformat()))


def newest_date(path: Path) -> dt.date:
    from brag.journal import Journal

    newest = next(iter(Journal(path).entries(limit=1)), None)
    if newest is None:
        raise SystemExit(f"no entries in {path}")
    return newest.date


def build_journal(path: Path, n: int, generator: str) -> None:
    """``gen``: the shared bench/gen.py (n entries over several years, as a real
    journal grows); ``dense``: n entries within one year, the worst case."""
    if generator == "gen":
        sys.path.insert(0, str(Path(__file__).parent))
        from gen import build_journal as shared  # type: ignore[import-not-found]

        shared(path, n)
        return
    _local_build(path, n)


def _local_build(path: Path, n: int) -> None:
    """n entries spread over 2026, written from the fixture journal's phrasings."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures_journal import ENTRIES, make_entry, write_entries

    from brag.journal import Journal

    rnd = random.Random(2026)
    journal = Journal(path)
    journal.init()
    (path / "brag.toml").write_text(
        '[user]\nname = "Bench"\nlevel = "senior"\ntarget_level = "staff"\n', encoding="utf-8"
    )
    entries = []
    start = dt.date(2026, 1, 1)
    for i in range(n):
        _, _, title, fields = ENTRIES[i % len(ENTRIES)]
        fields = dict(fields)
        pct = rnd.randint(3, 90)
        fields["impact"] = (
            fields.get("impact", "")
            .replace("15%", f"{pct}%")
            .replace("18%", f"{rnd.randint(2, 40)}%")
        )
        day = start + dt.timedelta(days=i * 365 // n)
        entries.append(make_entry(f"{i:08x}", day.isoformat(), f"{title} #{i}", fields))
    write_entries(journal, entries, f"bench: {n} entries")


def run(brag: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole ``brag export`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([brag, "export", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"brag export {' '.join(args)} failed:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="Build (or reuse) the journal in DIR.")
    parser.add_argument(
        "--generator",
        choices=["gen", "dense"],
        default="gen",
        help="gen: bench/gen.py, entries over several years (default); dense: all in one year.",
    )
    opts = parser.parse_args()
    brag = shutil.which("brag", path=str(Path(sys.executable).parent)) or "brag"
    tmp = None
    if opts.keep:
        path = Path(opts.keep)
    else:
        tmp = tempfile.mkdtemp(prefix="brag-bench-")
        path = Path(tmp) / "journal"
    try:
        if not (path / "brag.toml").exists():
            t0 = time.perf_counter()
            build_journal(path, opts.entries, opts.generator)
            print(
                f"built {opts.entries} entries in {time.perf_counter() - t0:.1f}s", file=sys.stderr
            )
        today = newest_date(path)
        in_year = count_since(path, today - dt.timedelta(days=364))
        print(f"{in_year} entries in the year up to {today}", file=sys.stderr)
        env = {**os.environ, "BRAG_DIR": str(path), "BRAG_TODAY": today.isoformat()}
        # An installed brag has its bytecode compiled (pip does it on install);
        # measure that, not recompiling every module on every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
        print(
            f"| export ({opts.entries} entries, {in_year} in the year to {today}) | cold "
            "| median wall | best wall "
            "| median CPU | target 500 ms |"
        )
        print("|---|---:|---:|---:|---:|---|")
        for name, args in exports(today).items():
            cold, _ = run(brag, args, env)
            warm = [run(brag, args, env) for _ in range(opts.runs)]
            med = statistics.median(w for w, _ in warm)
            cpu = statistics.median(c for _, c in warm)
            ok = "✓" if min(w for w, _ in warm) < 0.5 else "✗"
            print(
                f"| {name} | {cold * 1000:.0f} ms | {med * 1000:.0f} ms | "
                f"{min(w for w, _ in warm) * 1000:.0f} ms | {cpu * 1000:.0f} ms | {ok} |"
            )
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
