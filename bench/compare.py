"""Two commits of brag side by side: the same commands on copies of one journal,
alternating run by run, so a slow stretch of the machine hits both alike.

    python bench/compare.py 22a2f78 HEAD                 # user-shaped, 10,000 entries
    python bench/compare.py 22a2f78 HEAD --rounds 20 --journal gen-10000
    python bench/compare.py 22a2f78 HEAD --only list search

Each commit's ``brag``, ``plugins`` and ``templates`` are taken from git (nothing
is installed) and run by the benchmark environment's Python (``bench/.work/venv``,
made by ``python bench/run.py --all``), which supplies the libraries. Each commit
gets its own copy of the journal: the index's format may differ between them.
Prints a Markdown table of medians, the fastest run and the CPU medians
(user + system, git included). ``docs/benchmarks.md`` quotes its tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
VENV_PYTHON = WORK / "venv" / "bin" / "python"
sys.path.insert(0, str(HERE))

# The console script's own start, from a tree given on the command line: it must be
# that tree's brag that runs, not the one installed in the environment.
_CODE = (
    "import sys; tree = sys.argv.pop(1); sys.path.insert(0, tree); import brag; "
    "assert brag.__file__.startswith(tree), brag.__file__; "
    "sys.argv[0] = 'brag'; from brag.launch import main; main()"
)

SEARCH_WORD = "latency"  # as bench/run.py searches
COMMANDS = ("list", "search", "add", "coach", "self-review", "promo-brief", "rebuild")


def tree_of(rev: str, into: Path) -> tuple[str, Path]:
    """``rev``'s short hash, and a folder holding its ``brag`` package with ``plugins``
    and ``templates`` mapped into it as the installed package has them."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    src = into / f"src-{sha}"
    if not (src / "brag" / "launch.py").exists():
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", sha, "brag", "plugins", "templates"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        import io

        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(src, filter="data")
        for name in ("plugins", "templates"):
            (src / name).rename(src / "brag" / name)
        subprocess.run(
            [str(VENV_PYTHON), "-m", "compileall", "-q", str(src)],
            env=_env(), check=True, capture_output=True,
        )  # fmt: skip
    return sha, src


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "BRAG_DIR")}
    env.update(extra)
    return env


def _run(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one process (and its children)."""
    t0 = time.perf_counter()
    pid = os.posix_spawn(
        argv[0], list(argv), env,
        file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                      (os.POSIX_SPAWN_OPEN, 2, str(cwd / "stderr.txt"),
                       os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)],
    )  # fmt: skip
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    if status:
        raise SystemExit(
            f"{' '.join(argv[3:])} failed:\n{(cwd / 'stderr.txt').read_text()[-2000:]}"
        )
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare against (e.g. the start of a round)")
    parser.add_argument("new", help="the commit to measure")
    parser.add_argument("--rounds", type=int, default=10, help="timed runs of each (10)")
    parser.add_argument("--journal", default="user-10000", help="KIND-SIZE journal (user-10000)")
    parser.add_argument("--only", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    args = parser.parse_args(argv)
    if not VENV_PYTHON.exists():
        raise SystemExit(f"no {VENV_PYTHON}: run `python bench/run.py --all` once first")
    import suite

    kind, _, size = args.journal.partition("-")
    n = int(size or 10_000)
    day = suite.newest_day(kind, n)
    source, _ = suite.journal(kind, n)
    place = WORK / "compare"
    place.mkdir(parents=True, exist_ok=True)
    sides: list[tuple[str, Path, Path]] = []
    for i, rev in enumerate((args.base, args.new)):
        sha, src = tree_of(rev, place)
        copy = place / f"journal-{i}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy, symlinks=True)
        subprocess.run(["git", "-C", str(copy), "status", "--short"], capture_output=True)
        sides.append((sha, src, copy))
    env = _env(BRAG_TODAY=day.isoformat())

    def brag(src: Path, journal: Path, *words: str) -> list[str]:
        return [str(VENV_PYTHON), "-c", _CODE, str(src), "--dir", str(journal), *words]

    def one_more(src: Path, journal: Path, i: int) -> None:
        _run(brag(src, journal, "add", f"Compare change {i} {time.time_ns()}: trimmed the "
                  "deploy queue", "-d", day.isoformat(), "--force"), env, place)  # fmt: skip

    def rebuild(src: Path, journal: Path, i: int) -> None:
        # The index alone: the analysis cache stays, or the next round's coach is cold.
        for path in (journal / ".git" / "brag").glob("index.sqlite*"):
            path.unlink()

    steps: dict[str, tuple[Callable[[Path, Path, int], None] | None, Callable[[int], list[str]]]]
    steps = {
        "list": (None, lambda i: ["list", "-n", "20"]),
        "search": (None, lambda i: ["search", SEARCH_WORD]),
        "add": (None, lambda i: ["add", f"Compared entry {i} {time.time_ns()}", "-t", "perf"]),
        "coach": (one_more, lambda i: ["coach"]),
        "self-review": (one_more, lambda i: ["export", *suite.export_args("self-review", day)]),
        "promo-brief": (one_more, lambda i: ["export", *suite.export_args("promo-brief", day)]),
        "rebuild": (rebuild, lambda i: ["list", "-n", "20"]),
    }
    labels = {
        "list": "`brag list -n 20`",
        "search": "`brag search latency`",
        "add": "`brag add`",
        "coach": "coach after one new entry",
        "self-review": "self-review after one new entry",
        "promo-brief": "promotion brief after one new entry",
        "rebuild": "cold index rebuild + list",
    }
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for i in range(args.rounds + 1):  # round 0 warms up (and writes bytecode, caches)
        for name in args.only:
            before, words = steps[name]
            order = sides if i % 2 else sides[::-1]
            for sha, src, journal in order:
                if before is not None:
                    before(src, journal, i)
                took = _run(brag(src, journal, *words(i)), env, place)
                if i:
                    results.setdefault((name, sides.index((sha, src, journal))), []).append(took)
        if i:
            print(f"  round {i}/{args.rounds} done", file=sys.stderr)

    def cell(runs: list[tuple[float, float]]) -> str:
        wall = sorted(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        return f"{statistics.median(wall):.1f} ms ({wall[0]:.1f}), CPU {cpu:.0f}"

    print(f"\n{args.journal}, {args.rounds} rounds, {dt.date.today()}: median wall-clock "
          "(fastest run), median CPU\n")  # fmt: skip
    print(f"| Command | base ({sides[0][0]}) | new ({sides[1][0]}) |")
    print("|---|---:|---:|")
    for name in args.only:
        print(f"| {labels[name]} | {cell(results[(name, 0)])} | {cell(results[(name, 1)])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
