"""Measure brag as a user feels it: whole processes, on a small and a 10,000-entry journal.

    python bench/run.py --all      # every speed target on both journals (bench/suite.py)
    python bench/run.py --profile "list -n 20"   # where one command's time goes
    python bench/run.py            # ~3-5 minutes; the 10/10,000-entry table only

Builds two journals with ``bench/gen.py`` under ``bench/.work/`` (10 and 10,000
entries), then times each command as a separate process started by
``subprocess``: the ``brag`` console script of a plain virtual environment,
``bench/.work/venv``, into which this tree is installed first (``--here``: the
running environment's), taking the median and p90 of ``--runs`` runs after one
warm-up run. Beside brag, in the same run: the plain-git floor (write a file,
``git add``, ``git commit``) and jrnl 4.6 on journals with the same generated
titles. A per-command import profile (``python -X importtime``) shows where
start-up time goes.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))

from gen import build_journal, generate  # noqa: E402

JRNL_VERSION = "4.6"
SIZES = (10, 10_000)
SEARCH_WORD = "latency"
HEAVY = ("git", "jinja2", "rich", "httpx", "pluggy", "importlib.metadata")


@dataclass
class Result:
    name: str
    size: int
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system time of the processes
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def p90(self) -> float:
        ordered = sorted(self.times)
        rank = max(1, -(-len(ordered) * 9 // 10))  # nearest-rank percentile
        return ordered[rank - 1]


# The other benchmark pages, listed at the end of every docs/benchmarks.md this writes.
MORE_BENCHMARKS = [
    "Each has its own script in `bench/` and its figures in its own page:",
    "",
    "- [Imports](benchmarks-import.md): 2,000 merged PRs from a local server into a"
    " 10,000-entry journal, then the same import again (`bench/bench_import.py`).",
    "- [Local git import](benchmarks-import-git.md): a 20,000-commit history"
    " (`bench/bench_git_import.py`).",
    "- [Exports](benchmarks-export.md): each document over a year of a 10,000-entry"
    " journal (`bench/bench_export.py`).",
    "- [Load](reliability.md): 8 processes adding at once (`bench/bench_load.py`).",
]


def child_env() -> dict[str, str]:
    """The environment for measured processes: this one, minus what would skew it.

    ``PYTHONDONTWRITEBYTECODE`` makes every Python start-up recompile every
    module it imports from source; real installs have bytecode, so the
    children run without it (the warm-up run writes the ``.pyc`` files).
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("BRAG_DIR", None)
    return env


@dataclass
class Bench:
    """One measured command: ``step(i)`` runs it once (run ``i``) and returns seconds."""

    key: str
    result: Result
    step: Callable[[int], float]
    runs: int | None = None  # fewer timed runs than the others (a slow reference)


def process(
    key: str,
    name: str,
    size: int,
    argv: Callable[[int], Sequence[str]],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    before: Callable[[int], None] | None = None,
    check: Callable[[str], str] | None = None,
    runs: int | None = None,
) -> Bench:
    """A whole process: ``argv(i)`` started with ``subprocess``, output captured."""
    result = Result(name, size)

    def step(i: int) -> float:
        if before:
            before(i)
        r0, t0 = _children_cpu(), time.perf_counter()
        proc = subprocess.run(list(argv(i)), env=env, cwd=cwd, capture_output=True, text=True)
        took = time.perf_counter() - t0
        if i:
            result.cpu.append(_children_cpu() - r0)
        if proc.returncode != 0:
            raise SystemExit(
                f"{name} ({size}) failed with exit {proc.returncode}:\n{proc.stderr[-2000:]}"
            )
        if i == 0 and check:
            result.note = check(proc.stdout)
        return took

    return Bench(key, result, step, runs)


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes (and their own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor(journal: Path, size: int, env: dict[str, str]) -> Bench:
    """The git floor: write a file, ``git add`` it, ``git commit`` it, with the git CLI."""
    result = Result("git floor: write + git add + git commit", size)
    (journal / "floor").mkdir(exist_ok=True)

    def step(i: int) -> float:
        rel = f"floor/floor-{i}.md"
        r0, t0 = _children_cpu(), time.perf_counter()
        (journal / rel).write_text(f"floor commit {i}\n", encoding="utf-8")
        for args in (["add", "--", rel], ["commit", "-q", "-m", f"floor {i}"]):
            subprocess.run(
                ["git", "-C", str(journal), *args], env=env, check=True, capture_output=True
            )
        took = time.perf_counter() - t0
        if i:
            result.cpu.append(_children_cpu() - r0)
        return took

    return Bench("floor", result, step)


def run_rounds(benches: list[Bench], runs: int) -> None:
    """Warm every command up once, then time them in rounds, one run of each per round.

    Interleaving spreads any burst of other work on the machine over all
    commands alike, so comparisons (brag against jrnl and the git floor) stay
    fair even when absolute figures wobble.
    """
    for bench in benches:
        bench.step(0)
    for i in range(1, runs + 1):
        for bench in benches:
            if bench.runs is None or i <= bench.runs:
                bench.result.times.append(bench.step(i))
        print(f"  round {i}/{runs} done", file=sys.stderr)


def count_lines(text: str) -> str:
    return f"{len(text.splitlines())} lines of output"


# -- jrnl ---------------------------------------------------------------------


def jrnl_executable() -> tuple[Path | None, str]:
    """jrnl 4.6 from its own virtual environment under bench/.work, installed if missing."""
    venv = WORK / "jrnl-venv"
    exe = venv / "bin" / "jrnl"
    if exe.exists():
        return exe, ""
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"jrnl=={JRNL_VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        detail = getattr(exc, "stderr", "") or str(exc)
        last = detail.strip().splitlines()[-1] if detail.strip() else type(exc).__name__
        return None, f"jrnl {JRNL_VERSION} could not be installed ({last})"
    return exe, ""


def build_jrnl(path: Path, n: int, seed: int) -> None:
    """A jrnl journal in its plain-text format with the same generated entries."""
    parts = []
    for entry in generate(n, seed):
        assert entry.created is not None
        stamp = entry.created.strftime("%Y-%m-%d %I:%M:%S %p")  # jrnl's default "%F %r"
        tags = " ".join(f"@{t}" for t in entry.tags)
        lines = [f"[{stamp}] {entry.title}."]
        if entry.impact:
            lines.append(f"Impact: {entry.impact}. {tags}".rstrip())
        if entry.body:
            lines.append(entry.body.rstrip())
        parts.append("\n".join(lines) + "\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def jrnl_env(base: dict[str, str], config_home: Path, journal: Path) -> dict[str, str]:
    """jrnl's defaults (as its first run writes them), pointed at ``journal``."""
    conf = config_home / "jrnl" / "jrnl.yaml"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(
        f"""\
version: '{JRNL_VERSION}'
journals:
  default:
    journal: {journal}
editor: ''
encrypt: false
template: false
default_hour: 9
default_minute: 0
timeformat: '%F %r'
tagsymbols: '#@'
highlight: true
linewrap: 79
indent_character: '|'
colors:
  body: none
  date: none
  tags: none
  title: none
""",
        encoding="utf-8",
    )
    env = dict(base)
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["XDG_DATA_HOME"] = str(config_home / "data")
    env.pop("VISUAL", None)
    env.pop("EDITOR", None)
    return env


# -- import profile -------------------------------------------------------------


def import_profile(brag: Path, argv: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Import time of one command: the total, and the time each library costs, in ms.

    Every module's own time is charged to the first non-brag package on its
    import chain (``brag.cli -> click -> inspect`` is charged to click; brag's
    own modules to brag). Python's start-up imports (``site`` and what the
    environment's ``.pth`` files load, ``encodings``) are shown separately.
    """
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(brag), *argv],
        env=env,
        capture_output=True,
        text=True,
    )
    # Each line comes after the modules it imported, indented one level deeper.
    nodes: list[tuple[str, int, str | None]] = []  # (name, own us, parent name)
    pending: list[tuple[int, int]] = []  # (depth, index into nodes)
    total = 0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        depth = (len(m[3]) - 1) // 2
        total += int(m[1])
        index = len(nodes)
        nodes.append((m[4], int(m[1]), None))
        while pending and pending[-1][0] > depth:
            child = pending.pop()[1]
            nodes[child] = (nodes[child][0], nodes[child][1], m[4])
        pending.append((depth, index))
    parents = {name: parent for name, _, parent in nodes}

    def charged_to(name: str) -> str:
        chain = [name]
        while (parent := parents.get(chain[-1])) is not None:
            chain.append(parent)
        for module in reversed(chain):
            top = module.split(".")[0]
            if top in ("site", "encodings"):
                return "start-up"
            if top != "brag":
                return top
        return "brag"

    packages: dict[str, int] = {}
    for name, own, _ in nodes:
        key = charged_to(name)
        packages[key] = packages.get(key, 0) + own
    startup_us = packages.pop("start-up", 0)
    costly = sorted(packages.items(), key=lambda kv: -kv[1])[:7]
    loaded = [h for h in HEAVY if h in parents]
    summary = f"start-up (site) {startup_us / 1000:.0f}; " + ", ".join(
        f"{name} {us / 1000:.0f}" for name, us in costly
    )
    heavy_note = f"; loads {', '.join(loaded)}" if loaded else "; loads none of the heavy modules"
    return total / 1000, summary + heavy_note


# -- report -------------------------------------------------------------------------


def load_average() -> str:
    """1, 5 and 15-minute load averages: above ~1 per core, other work was running."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine() -> list[tuple[str, str]]:
    def cpu_model() -> str:
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or "unknown"

    def memory() -> str:
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        except OSError:
            pass
        return "unknown"

    def os_name() -> str:
        try:
            for line in Path("/etc/os-release").read_text().splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
        except OSError:
            pass
        return platform.platform()

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        ("CPU", f"{cpu_model()}, {nproc or os.cpu_count()} cores (nproc)"),
        ("Memory", memory()),
        ("OS", os_name()),
        ("Python", platform.python_version()),
        ("git", git.replace("git version ", "")),
        ("Load average at start", load_average()),
    ]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


VENV = WORK / "venv"


def in_bench_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def run_in_bench_venv(argv: list[str]) -> int:
    """Install this tree into a plain virtual environment (``bench/.work/venv``: no
    system site-packages, no editable finder, bytecode compiled, as a user's
    ``pipx install`` leaves it) and run this script again from there."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet", str(ROOT)]
    else:
        install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                   "--force-reinstall", str(ROOT)]  # fmt: skip
    print("installing this tree into the benchmark environment", file=sys.stderr)
    subprocess.run(install, check=True, env=child_env())
    return subprocess.run([str(python), str(Path(__file__).resolve()), *argv]).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=None, help="timed runs per command (10; --all: 5)"
    )
    parser.add_argument("--jrnl-add-runs", type=int, default=10, help="timed jrnl adds (10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-jrnl", action="store_true", help="skip jrnl")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="Markdown report"
    )
    parser.add_argument(
        "--all", action="store_true", help="every speed target, both journals (bench/suite.py)"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="--all: journal sizes"
    )
    parser.add_argument(
        "--journals", nargs="+", choices=["user", "gen"], default=["user", "gen"],
        help="--all: user-shaped (bench/gen_user.py) and/or bench/gen.py journals",
    )  # fmt: skip
    parser.add_argument("--jrnl-runs", type=int, default=3, help="--all: timed jrnl runs (3)")
    parser.add_argument("--no-profiles", action="store_true", help="--all: no profile of misses")
    parser.add_argument(
        "--profile", metavar="CMD", help='cProfile of one command in-process, e.g. "list -n 20"'
    )
    parser.add_argument("--journal", default="user-10000", help="--profile: KIND-SIZE journal")
    parser.add_argument("--cold", action="store_true", help="--profile: drop .git/brag/ first")
    parser.add_argument(
        "--changed", action="store_true",
        help="--profile: add one entry after the warm-up (a coach or export builds again)",
    )  # fmt: skip
    parser.add_argument("--top", type=int, default=20, help="--profile: functions shown (20)")
    parser.add_argument(
        "--here", action="store_true",
        help="measure the brag of this Python environment (default: install this tree "
        "into bench/.work/venv, a plain virtual environment, and measure that)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.here and not in_bench_venv():
        return run_in_bench_venv(list(sys.argv[1:] if argv is None else argv))
    if args.runs is None:
        args.runs = 5 if args.all else 10
    if args.profile or args.all:
        import suite

        if args.all:
            return suite.run_all(args)
        kind, _, size = args.journal.partition("-")
        print(suite.profile(args.profile, kind, int(size or 10_000), args.top, args.cold,
                            changed=args.changed))  # fmt: skip
        return 0
    runs = args.runs
    started = time.perf_counter()
    facts = machine()
    env = child_env()
    brag = Path(sys.executable).parent / "brag"
    if not brag.exists():
        raise SystemExit(f"no brag console script next to {sys.executable}: pip install -e .")
    version = subprocess.run([str(brag), "--version"], env=env, capture_output=True, text=True)
    facts.insert(-1, ("brag", version.stdout.strip() or "?"))  # before the load average

    WORK.mkdir(parents=True, exist_ok=True)
    journals: dict[int, Path] = {}
    build_note = []
    for size in SIZES:
        path = WORK / f"journal-{size}"
        shutil.rmtree(path, ignore_errors=True)
        t0 = time.perf_counter()
        build_journal(path, size, args.seed)
        build_note.append(f"{size} entries in {time.perf_counter() - t0:.1f} s")
        journals[size] = path
    print(f"built journals: {', '.join(build_note)}", file=sys.stderr)

    results: dict[tuple[str, int], Result] = {}

    def keep(key: str, result: Result) -> None:
        results[(key, result.size)] = result
        print(
            f"  {result.name:<42} {result.size:>6}: median {ms(result.median):>8}  "
            f"p90 {ms(result.p90):>8}  {result.note}",
            file=sys.stderr,
        )

    b = str(brag)
    benches: list[Bench] = []
    for size, journal in journals.items():
        d = ["--dir", str(journal)]

        def drop_index(i: int, journal: Path = journal) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{journal}/.git/brag/index.sqlite{suffix}").unlink(missing_ok=True)

        benches += [
            process(
                "python",
                "python -c pass",
                size,
                lambda i: [sys.executable, "-c", "pass"],
                env=env,
                cwd=journal,
            ),
            process("help", "brag --help", size, lambda i: [b, "--help"], env=env, cwd=journal),
            process(
                "list",
                "brag list -n 20",
                size,
                lambda i, d=d: [b, *d, "list", "-n", "20"],
                env=env,
                check=count_lines,
            ),
            process(
                "since",
                "brag list --since 2026",
                size,
                lambda i, d=d: [b, *d, "list", "--since", "2026"],
                env=env,
                check=count_lines,
            ),
            process(
                "search",
                f"brag search {SEARCH_WORD}",
                size,
                lambda i, d=d: [b, *d, "search", SEARCH_WORD],
                env=env,
                check=count_lines,
            ),
            process(
                "add",
                'brag add "…"',
                size,
                lambda i, d=d: [
                    b,
                    *d,
                    "add",
                    f"Benchmark run {i}: cut search p99 from 800ms to 200ms",
                    "-i",
                    "cart abandonment down 3%",
                    "-t",
                    "perf",
                ],
                env=env,
            ),
            floor(journal, size, env),
            # Last in the round: the next round's list finds the index it rebuilt.
            process(
                "cold",
                "cold index rebuild + brag list -n 20",
                size,
                lambda i, d=d: [b, *d, "list", "-n", "20"],
                env=env,
                before=drop_index,
            ),
        ]

    jrnl_note = ""
    tmp = tempfile.TemporaryDirectory(prefix="brag-bench-jrnl-")
    if args.no_jrnl:
        jrnl_note = "jrnl was skipped (--no-jrnl)."
    else:
        exe, jrnl_note = jrnl_executable()
        if exe is not None:
            for size in SIZES:
                jpath = WORK / f"jrnl-{size}.txt"
                build_jrnl(jpath, size, args.seed)
                jenv = jrnl_env(env, Path(tmp.name) / f"config-{size}", jpath)
                benches += [
                    process(
                        "jrnl-list",
                        "jrnl -n 10",
                        size,
                        lambda i, exe=exe: [str(exe), "-n", "10"],
                        env=jenv,
                        check=count_lines,
                    ),
                    process(
                        "jrnl-since",
                        "jrnl -from 2026-01-01",
                        size,
                        lambda i, exe=exe: [str(exe), "-from", "2026-01-01"],
                        env=jenv,
                        check=count_lines,
                    ),
                    process(
                        "jrnl-search",
                        f"jrnl -contains {SEARCH_WORD}",
                        size,
                        lambda i, exe=exe: [str(exe), "-contains", SEARCH_WORD],
                        env=jenv,
                        check=count_lines,
                    ),
                    process(
                        "jrnl-add",
                        "jrnl add",
                        size,
                        lambda i, exe=exe: [str(exe), f"Benchmark run {i}: cut p99 to 200ms."],
                        env=jenv,
                        runs=args.jrnl_add_runs,
                    ),
                ]
            jrnl_note = jrnl_note or f"jrnl {JRNL_VERSION} in its own virtual environment."

    try:
        run_rounds(benches, runs)
    finally:
        tmp.cleanup()
    for bench in benches:
        keep(bench.key, bench.result)
    facts.append(("Load average at end", load_average()))

    profiles = []
    big = journals[SIZES[-1]]
    for label, cmd in (
        ("brag --help", ["--help"]),
        ('brag add "…"', ["--dir", str(big), "add", "Profiled entry"]),
        ("brag list -n 20", ["--dir", str(big), "list", "-n", "20"]),
        (f"brag search {SEARCH_WORD}", ["--dir", str(big), "search", SEARCH_WORD]),
    ):
        total, summary = import_profile(brag, cmd, env)
        profiles.append((label, total, summary))

    elapsed = time.perf_counter() - started
    report = render(results, facts, profiles, jrnl_note, runs, args, build_note, elapsed)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out} ({elapsed:.0f} s)", file=sys.stderr)
    return 0


HOW_IT_STAYS_FAST = """
## What each command spends its time on

- **Every command** pays Python's start-up (the `python -c pass` row).
  `brag add`, `list` and `search` in their plain forms are parsed by
  `brag/quick.py` from the same option tables as their click commands and
  import neither click nor `typing` (and `inspect` only if used); every other
  command, and anything the quick lane does not take (`--help`, a mistake),
  pays click's import. GitPython, Jinja2, rich and httpx are imported only
  inside the commands that use them; the import table above checks it.
- **`brag add`**: checks for a duplicate among the files of its month folders
  (stat'ed, unchanged ones taken from the index, and of those only the ones
  whose title matches unpacked, unless the new entry has a metric to compare),
  validates the entry with the fast front-matter reader, writes the file atomically
  (temp file, fsync, rename), then runs the floor's two git processes, `git
  add` and `git commit --only -- PATH` (so a user's other staged changes stay
  out of the commit), and records the new row and commit in the index.
  Plugins load only when an installed distribution declares a `brag` entry
  point.
- **`brag list` / `brag search`**: the console script starts one `git status`
  (tracked files only) with nothing but `os` (`brag/early.py`), before it
  imports the index or the journal, so git checks the files on the other core;
  the index takes its answer, re-reads only the files git or the folders'
  modification times name, and prints the list lines it keeps ready (search
  matches the case-folded text kept beside them).
- **Coach and exports** keep each document they write, keyed by a token the
  index rewrites with every change to its rows, so an unchanged journal is
  answered without reading a row; after a change the document is built again
  from the analyses kept per entry (coach groups duplicates once, from the
  pairs the inbox count found).
- **Every command in a journal** reads `brag.toml` from the copy brag kept
  when it last checked that exact text (`.git/brag/config.marshal`), so the
  TOML parser and the settings' schema are imported only when it changed.
- **Cold rebuild**: the entry files are listed without being stat'ed; each is
  stat'ed through the descriptor it is read from, as bytes, and, on Linux,
  parsed by this process and forked workers together. `git status` runs
  meanwhile; each worker leaves its rows in a temporary file, part by part,
  and this process writes each part to the index as it arrives.
- **jrnl** parses its whole journal file on every command and rewrites it on
  every add, which is why its add grows with the journal.
"""


def busy_note(facts: list[tuple[str, str]]) -> list[str]:
    """A warning when other work shared the machine during the run."""
    values = dict(facts)
    cores = os.cpu_count() or 1
    loads = []
    for key in ("Load average at start", "Load average at end"):
        try:
            loads.append(float(values.get(key, "").split()[0]))
        except (ValueError, IndexError):
            pass
    # The benchmark itself keeps about one process running.
    if not loads or max(loads) <= 1 + cores / 2:
        return []
    return [
        "**The machine was busy during this run** (1-minute load average up to",
        f"{max(loads):.1f} on {cores} cores, other jobs running): every wall-clock figure,",
        "the Python start-up and git floor included, is inflated, and parallel parsing",
        "gains little when the other cores are taken. Compare the CPU column, and brag",
        "with the floor and jrnl measured in the same rounds.",
        "",
    ]


def render(
    results: dict[tuple[str, int], Result],
    facts: list[tuple[str, str]],
    profiles: list[tuple[str, float, str]],
    jrnl_note: str,
    runs: int,
    args: argparse.Namespace,
    build_note: list[str],
    elapsed: float,
) -> str:
    small, big = SIZES

    def cell(key: str, size: int) -> str:
        r = results.get((key, size))
        return f"{ms(r.median)} ({ms(r.p90)})" if r else "n/a"

    def cpu(key: str, size: int) -> str:
        r = results.get((key, size))
        return ms(r.cpu_median) if r and r.cpu else "n/a"

    def med(key: str, size: int = big) -> float | None:
        r = results.get((key, size))
        return r.median if r else None

    def verdict(value: float | None, limit: float) -> str:
        if value is None:
            return "n/a"
        return "met" if value <= limit else "**missed**"

    def faster(brag_key: str, jrnl_key: str, jrnl_command: str) -> str:
        mine, theirs = med(brag_key), med(jrnl_key)
        if mine is None or theirs is None:
            return "n/a (no jrnl)"
        ratio = theirs / mine
        met = "met" if ratio >= 5 else "**missed**"
        return f"{ratio:.1f}× faster than `{jrnl_command}` ({met})"

    add, flo = med("add"), med("floor")
    rows = [
        (
            'brag add "…"',
            "add",
            "≤ 150 ms (stretch ≤ 100 ms, 2× the git floor)",
            f"{verdict(add, 0.150)}; stretch {verdict(add, 0.100)}"
            + (f"; {add / flo:.1f}× the floor" if add and flo else ""),
        ),
        (
            "brag list -n 20",
            "list",
            "≤ 150 ms, ≥ 5× faster than jrnl",
            f"{verdict(med('list'), 0.150)}; {faster('list', 'jrnl-list', 'jrnl -n 10')}",
        ),
        (
            "brag list --since 2026",
            "since",
            "≤ 150 ms",
            verdict(med("since"), 0.150)
            + f"; {faster('since', 'jrnl-since', 'jrnl -from 2026-01-01')}"
            + f" ({results[('since', big)].note})",
        ),
        (
            f"brag search {SEARCH_WORD}",
            "search",
            "≤ 150 ms, ≥ 5× faster than jrnl",
            f"{verdict(med('search'), 0.150)}; "
            + faster("search", "jrnl-search", f"jrnl -contains {SEARCH_WORD}")
            + f"; {faster('search', 'jrnl-list', 'jrnl -n 10')}"
            + f" ({results[('search', big)].note})",
        ),
        ("brag --help", "help", "≤ 100 ms", verdict(med("help"), 0.100)),
        (
            "cold index rebuild (`brag list -n 20` without the index)",
            "cold",
            "< 1 s",
            verdict(med("cold"), 0.999),
        ),
        ("git floor: write + `git add` + `git commit`", "floor", "reference", ""),
        ("Python start-up: `python -c pass`, same environment", "python", "reference", ""),
        ("jrnl 4.6: `jrnl -n 10`", "jrnl-list", "reference", ""),
        ("jrnl 4.6: `jrnl -from 2026-01-01`", "jrnl-since", "reference", ""),
        (f"jrnl 4.6: `jrnl -contains {SEARCH_WORD}`", "jrnl-search", "reference", ""),
        ("jrnl 4.6: add one entry", "jrnl-add", "reference", ""),
    ]
    out = [
        "# Benchmarks",
        "",
        "Whole-process timings of the `brag` CLI on a 10-entry and a 10,000-entry",
        "journal, with the plain-git floor and jrnl measured beside it in the same run.",
        f"Generated by `python bench/run.py` ({runs} timed runs per command after one",
        f"warm-up; the whole run took {elapsed:.0f} s).",
        "",
        "## Results",
        "",
        "Median (p90) wall-clock time per command, each a fresh process; CPU is the",
        "median user + system time of the process and its children (the cold",
        "rebuild's parse workers included), which other work on the machine disturbs",
        "far less than wall-clock time.",
        "",
        *busy_note(facts),
        f"| Command | {small} entries | {big:,} entries | CPU at {big:,} "
        f"| Target at {big:,} | Verdict |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, key, target, verdict_text in rows:
        out.append(
            f"| {label} | {cell(key, small)} | {cell(key, big)} | {cpu(key, big)} "
            f"| {target} | {verdict_text} |"
        )
    out += [
        "",
        f"jrnl: {jrnl_note}" if jrnl_note else "",
        "",
        "## Where start-up time goes",
        "",
        "Import time of each command on the 10,000-entry journal (`python -X importtime`,",
        "one run, bytecode present): Python's own start-up imports (`site`, with the",
        "environment's `.pth` files), then the costliest libraries in ms, each module",
        "charged to the first non-brag package that pulled it in (`brag.cli -> click ->",
        "inspect` counts as click), and which of the heavy modules",
        ", ".join(f"`{h}`" for h in HEAVY) + " the command loads.",
        "",
        "| Command | Imports total | Costliest imports (ms) |",
        "|---|---:|---|",
    ]
    for label, total, summary in profiles:
        out.append(f"| `{label}` | {total:.0f} ms | {summary} |")
    out += HOW_IT_STAYS_FAST.splitlines()
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in facts]
    out += [
        "",
        "## Method",
        "",
        f"- Journals: `bench/gen.py` builds them deterministically (seed {args.seed}):",
        "  realistic entries spread over 2022–2026 (titles with metrics such",
        '  as "Cut checkout p99 from 800ms to 200ms", impacts, tags, areas, leverage,',
        "  collaborators; 20% imported-looking with source/source_id/url, 5% private),",
        "  written as real entry files with `brag.toml`, README and `.gitignore` as",
        "  `brag init` writes them, ONE git commit per entry through `git fast-import`",
        f"  ({'; '.join(build_note)}).",
        "  Both are rebuilt at the start of every run.",
        "- Every measurement is a whole process started with `subprocess` from Python,",
        "  the `brag` console script of the current environment, output captured. Each",
        "  command runs once as a warm-up (not counted), then all commands are timed in",
        f"  {runs} rounds of one run each, interleaved, so a burst of other work on the",
        "  machine hits every command alike; the median and p90 (nearest rank) of the",
        f"  {runs} runs are reported (jrnl's add: {args.jrnl_add_runs} runs).",
        "- `PYTHONDONTWRITEBYTECODE` is removed from the children's environment: with it",
        "  set (as on the build machine), every start-up recompiles every imported module",
        "  from source, which no real install does. The warm-up run writes the `.pyc` files.",
        '- `brag add "…"` adds a new entry on every run (a different title each time),',
        "  committing it with git; the journal grows by one entry per run.",
        "- The index (`.git/brag/index.sqlite`) is valid for `list`, `search` and `add`:",
        "  the warm-up run brings it up to date. The cold rebuild deletes it before every",
        "  run, so each run re-reads and parses every entry file.",
        "- The git floor writes a file outside `entries/` and runs `git add` and",
        "  `git commit -q` with the git CLI, in the same journal: the least any",
        "  commit-per-entry tool can spend.",
        "- jrnl 4.6 runs from its own virtual environment under `bench/.work/`, with its",
        "  default settings in a config file under a temporary `XDG_CONFIG_HOME`, on a",
        "  journal file in its plain-text format holding the same generated entries (title,",
        "  impact, tags as `@tags`, body). `jrnl -n 10` prints the last ten entries,",
        "  `jrnl -from 2026-01-01` and `jrnl -contains WORD` print every match as brag's",
        "  `list --since` and `search` do; the add appends one entry (jrnl parses and",
        "  rewrites the whole file to do so).",
        f"- `brag search {SEARCH_WORD}` and `brag list --since 2026` print every match, so",
        "  their time includes formatting that many lines.",
        "- Other processes may share the machine; medians damp, but do not remove, the noise.",
        "",
        "## More benchmarks",
        "",
        *MORE_BENCHMARKS,
        "",
        "## Re-running",
        "",
        "```",
        'pip install -e ".[test]"',
        "python bench/run.py              # writes docs/benchmarks.md; --runs N, --no-jrnl",
        "python bench/gen.py /tmp/j -n 10000   # just a generated journal, to explore",
        "```",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
