"""Every figure of the speed targets, in one run: ``python bench/run.py --all``.

Four journals under ``bench/.work/``: a user-shaped one (``bench/gen_user.py``)
and the shared generator's (``bench/gen.py``), each at 10,000 and 100,000
entries. They are built once and reused while their generator, size and seed
are unchanged; every run resets them to their generated commit and drops
``.git/brag/`` first, so each run starts from the same state.

On each 10,000-entry journal, every command is a whole process timed ``--runs``
times after a warm-up (median reported), in rounds that interleave the
commands compared with each other:

- ``brag add`` against the git floor (the same kind of file written, ``git add``,
  ``git commit`` from the shell); ``brag list -n 20`` and ``brag search WORD``
  against jrnl 4.6 on the same entries; ``python -c pass`` and ``brag --help``;
- ``brag coach`` and each ``brag export`` over the journal's last year, with the
  analysis cache warm, then cold (its file deleted before each run);
- the cold index rebuild: ``.git/brag/`` deleted, then ``brag list -n 20``.

On each 100,000-entry journal: add, list and search with a warm index, and the
cold rebuild. ``--profile "list -n 20"`` prints a cProfile of one command run
in-process, to see where the time of a missed target goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import gen  # noqa: E402
import gen_user  # noqa: E402
from run import (  # noqa: E402
    JRNL_VERSION,
    MORE_BENCHMARKS,
    Bench,
    child_env,
    floor,
    import_profile,
    jrnl_env,
    jrnl_executable,
    load_average,
    machine,
    process,
    run_rounds,
)

SEARCH_WORD = "latency"
EXPORTS = ("one-on-one", "self-review", "promo-brief", "status")
GENERATORS: dict[str, tuple[str, Callable[[Path, int, int], None], Callable, int]] = {
    # key: (label, build, generate, default seed)
    "user": ("user-shaped (`bench/gen_user.py`)", gen_user.build_journal, gen_user.generate,
             gen_user.SEED),
    "gen": ("generator (`bench/gen.py`)", gen.build_journal, gen.generate, 7),
}  # fmt: skip
SMALL, BIG = 10_000, 100_000


# -- journals ---------------------------------------------------------------------


def _fingerprint(kind: str, n: int, seed: int) -> str:
    """What the generator makes: a digest of its first entries for this seed (any change
    to a generator changes them, since every draw comes from one seeded stream)."""
    sample = "".join(e.to_markdown() for e in GENERATORS[kind][2](200, seed))
    return f"{kind} {n} {seed} " + hashlib.sha1(sample.encode()).hexdigest()


def journal(kind: str, n: int, seed: int | None = None) -> tuple[Path, float]:
    """The ``kind`` journal of ``n`` entries, as generated; (path, seconds spent building).

    Reused when its marker matches (same generator source, size and seed): reset
    to the generated commit, files the runs added removed, ``.git/brag/`` dropped.
    """
    _, build, _, default_seed = GENERATORS[kind]
    seed = default_seed if seed is None else seed
    path = WORK / f"journal-{kind}-{n}"
    marker = path / ".git" / "bench-generated"
    want = _fingerprint(kind, n, seed)
    t0 = time.perf_counter()
    if marker.exists() and marker.read_text().split("\n")[0] == want:
        base = marker.read_text().split("\n")[1]
        git = ["git", "-C", str(path)]
        subprocess.run([*git, "reset", "-q", "--hard", base], check=True)
        subprocess.run([*git, "clean", "-q", "-fd"], check=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
        WORK.mkdir(parents=True, exist_ok=True)
        build(path, n, seed)
        head = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        marker.write_text(f"{want}\n{head}\n")
    shutil.rmtree(path / ".git" / "brag", ignore_errors=True)
    return path, time.perf_counter() - t0


def newest_day(kind: str, n: int) -> dt.date:
    return gen_user.LAST_DAY if kind == "user" else gen.LAST_DAY


def build_jrnl(path: Path, entries: object) -> None:
    """A jrnl journal file (its plain-text format) holding ``entries``: title, impact,
    tags as ``@tag`` and the body, dated as each entry was created."""
    parts = []
    for entry in entries:  # type: ignore[attr-defined]
        stamp = entry.created.strftime("%Y-%m-%d %I:%M:%S %p")  # jrnl's default "%F %r"
        tags = " ".join(f"@{t}" for t in entry.tags)
        lines = [f"[{stamp}] {entry.title}."]
        lines.append(f"{entry.impact + '. ' if entry.impact else ''}{tags}".strip())
        if entry.body:
            lines.append(entry.body.rstrip())
        parts.append("\n".join(lines) + "\n")
    path.write_text("\n".join(parts), encoding="utf-8")


# -- measures ---------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    times: list[float]
    cpu: list[float]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _drop_caches(path: Path) -> None:
    """The analysis cache (any ``*cache*`` file beside the index) and the kept
    documents (``documents/``), not the index."""
    state = path / ".git" / "brag"
    if state.is_dir():
        for item in state.iterdir():
            if "cache" in item.name and item.is_file():
                item.unlink()
        shutil.rmtree(state / "documents", ignore_errors=True)


def _note_one_more(brag: str, path: Path, day: dt.date, env: dict[str, str], i: int) -> None:
    """One new entry on the journal's newest day, through the real CLI: the next
    coach or export finds its kept document stale and builds it again, with the
    analysis of every other entry still cached."""
    subprocess.run(
        [brag, "--dir", str(path), "add", f"Bench change {i}: trimmed the deploy queue",
         "-d", day.isoformat(), "-i", "deploys 2 minutes faster", "--force"],
        env=env, capture_output=True, check=True,
    )  # fmt: skip


def _drop_state(path: Path) -> None:
    shutil.rmtree(path / ".git" / "brag", ignore_errors=True)


def lines_of(text: str) -> str:
    return f"{len(text.splitlines())} lines of output"


def export_args(kind: str, day: dt.date) -> list[str]:
    year = (day - dt.timedelta(days=364)).isoformat()
    return {
        "one-on-one": ["one-on-one", "--since", (day - dt.timedelta(days=14)).isoformat(),
                       "--no-remember"],
        "self-review": ["self-review", "--since", year, "--until", day.isoformat()],
        "promo-brief": ["promo-brief", "--since", year, "--until", day.isoformat(), "--target",
                        "staff"],
        "status": ["status", "--cadence", "monthly"],
    }[kind]  # fmt: skip


def measure(
    kind: str,
    n: int,
    runs: int,
    jrnl: Path | None,
    env: dict[str, str],
    tmp: Path,
    jrnl_runs: int | None = None,
) -> tuple[dict[str, Row], str]:
    """Every measure on one journal; returns rows by key and a build note."""
    path, built = journal(kind, n)
    label = GENERATORS[kind][0]
    print(f"{label} {n}: ready in {built:.1f} s", file=sys.stderr)
    b = str(Path(sys.executable).parent / "brag")
    d = ["--dir", str(path)]
    add_args = ["-i", "cart abandonment down 3%", "-t", "perf", "-t", "checkout"]
    group: list[Bench] = [
        process("add", 'brag add "…"', n,
                lambda i: [b, *d, "add", f"Bench run {i}: cut p99 from 800ms to 200ms", *add_args],
                env=env),
        floor(path, n, env),
        process("list", "brag list -n 20", n, lambda i: [b, *d, "list", "-n", "20"], env=env,
                check=lines_of),
        process("search", f"brag search {SEARCH_WORD}", n,
                lambda i: [b, *d, "search", SEARCH_WORD], env=env, check=lines_of),
    ]  # fmt: skip
    if n <= SMALL:
        group += [
            process("python", "python -c pass", n, lambda i: [sys.executable, "-c", "pass"],
                    env=env, cwd=path),
            process("help", "brag --help", n, lambda i: [b, "--help"], env=env, cwd=path),
        ]  # fmt: skip
        if jrnl is not None:
            jpath = WORK / f"jrnl-{kind}-{n}.txt"
            build_jrnl(jpath, GENERATORS[kind][2](n))
            jenv = jrnl_env(env, tmp / f"jrnl-{kind}-{n}", jpath)
            group += [
                process("jrnl-list", "jrnl -n 20", n, lambda i: [str(jrnl), "-n", "20"],
                        env=jenv, check=lines_of, runs=jrnl_runs),
                process("jrnl-search", f"jrnl -contains {SEARCH_WORD}", n,
                        lambda i: [str(jrnl), "-contains", SEARCH_WORD], env=jenv,
                        check=lines_of, runs=jrnl_runs),
            ]  # fmt: skip
    print(f"  add/list/search{' /jrnl' if n <= SMALL else ''}: {runs} rounds", file=sys.stderr)
    run_rounds(group, runs)
    benches = list(group)

    if n <= SMALL:
        day = newest_day(kind, n)
        aenv = {**env, "BRAG_TODAY": day.isoformat()}
        commands = {"coach": ["coach"]}
        commands.update({f"export {k}": ["export", *export_args(k, day)] for k in EXPORTS})
        warm = [process(f"warm {name}", f"brag {name}", n, lambda i, a=a: [b, *d, *a], env=aenv)
                for name, a in commands.items()]  # fmt: skip
        print(f"  coach and exports, warm cache: {runs} rounds", file=sys.stderr)
        run_rounds(warm, runs)
        cold = [
            process(f"cold {name}", f"brag {name}", n, lambda i, a=a: [b, *d, *a], env=aenv,
                    before=lambda i: _drop_caches(path))
            for name, a in commands.items()
        ]  # fmt: skip
        print(f"  coach and exports, cold cache: {runs} rounds", file=sys.stderr)
        run_rounds(cold, runs)
        changed = [
            process(f"changed {name}", f"brag {name}", n, lambda i, a=a: [b, *d, *a], env=aenv,
                    before=lambda i: _note_one_more(b, path, day, aenv, i))
            for name, a in commands.items()
        ]  # fmt: skip
        print(f"  coach and exports after one new entry: {runs} rounds", file=sys.stderr)
        run_rounds(changed, runs)
        benches += warm + cold + changed

    rebuild = process("rebuild", "cold rebuild: no .git/brag/, brag list -n 20", n,
                      lambda i: [b, *d, "list", "-n", "20"], env=env,
                      before=lambda i: _drop_state(path))  # fmt: skip
    rebuild_runs = runs if n <= SMALL else max(1, min(runs, 2))
    print(f"  cold rebuild: {rebuild_runs} rounds", file=sys.stderr)
    run_rounds([rebuild], rebuild_runs)
    benches.append(rebuild)
    rows = {
        x.key: Row(x.key, x.result.name, x.result.times, x.result.cpu, x.result.note)
        for x in benches
        if x.result.times
    }
    return rows, f"{label}, {n:,} entries: ready in {built:.1f} s"


# -- verdicts ---------------------------------------------------------------------


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def verdicts(rows: dict[str, Row], n: int) -> list[tuple[str, str, str, str, bool | None]]:
    """(measure, target, figure, verdict text, met) for one journal's rows."""

    def med(key: str) -> float | None:
        return rows[key].median if key in rows else None

    out: list[tuple[str, str, str, str, bool | None]] = []

    def fig(key: str) -> str:
        """The median wall time, and the median CPU time (steadier on a busy machine)."""
        row = rows[key]
        cpu = f" (CPU {fmt(statistics.median(row.cpu))})" if row.cpu else ""
        return fmt(row.median) + cpu

    def limit(label: str, key: str, seconds: float, target: str) -> None:
        value = med(key)
        if value is None:
            return
        ok = value <= seconds
        gap = "" if ok else f" by {fmt(value - seconds)}"
        out.append((label, target, fig(key), f"{value / seconds:.2f}× the limit{gap}", ok))

    add, flo = med("add"), med("floor")
    if add is not None and flo is not None:
        limit_s = 0.060 if n <= SMALL else 1.0
        over = add - flo
        if n <= SMALL:
            ok = over <= limit_s
            gap = "" if ok else f" (by {fmt(over - limit_s)})"
            out.append(
                (
                    'brag add "…"',
                    "≤ git floor + 60 ms",
                    fig("add"),
                    f"floor {fmt(flo)}, +{fmt(over)}, {add / flo:.1f}× the floor{gap}",
                    ok,
                )
            )
        else:
            limit('brag add "…"', "add", 1.0, "< 1 s")
            out[-1] = (*out[-1][:3], out[-1][3] + f"; floor {fmt(flo)}", out[-1][4])
    for key, label, jkey in (("list", "brag list -n 20", "jrnl-list"),
                             ("search", f"brag search {SEARCH_WORD}", "jrnl-search")):  # fmt: skip
        value = med(key)
        if value is None:
            continue
        if n > SMALL:
            limit(label, key, 1.0, "< 1 s")
            continue
        theirs = med(jkey)
        ok = value <= 0.100
        text = f"{value / 0.100:.2f}× 100 ms"
        if theirs is not None:
            ratio = theirs / value
            ok = ok and ratio >= 6
            text += f"; jrnl {fmt(theirs)}, {ratio:.1f}× faster (need 6×)"
        else:
            text += "; no jrnl figure"
        note = rows[key].note
        out.append((label, "≤ 100 ms and ≥ 6× faster than jrnl", fig(key),
                    text + (f"; {note}" if note else ""), ok))  # fmt: skip
    limit("brag --help", "help", 0.080, "≤ 80 ms")
    for name in ("coach", *(f"export {k}" for k in EXPORTS)):
        warm, cold = med(f"warm {name}"), med(f"cold {name}")
        if warm is None:
            continue
        ok = warm <= 0.300
        gap = "" if ok else f" by {fmt(warm - 0.300)}"
        text = f"{warm / 0.300:.2f}× the limit{gap}; cold caches {fmt(cold)}"
        out.append((f"brag {name} (year, warm, journal unchanged)", "≤ 300 ms",
                    fig(f"warm {name}"), text, ok))  # fmt: skip
        after = med(f"changed {name}")
        if after is not None:
            ok = after <= 0.300
            gap = "" if ok else f" by {fmt(after - 0.300)}"
            out.append((f"brag {name} (year, analysis warm, after one new entry)", "≤ 300 ms",
                        fig(f"changed {name}"), f"{after / 0.300:.2f}× the limit{gap}",
                        ok))  # fmt: skip
    if n <= SMALL:
        limit("cold index rebuild (`.git/brag/` deleted) + list", "rebuild", 1.0, "≤ 1 s")
    else:
        limit("cold index rebuild (`.git/brag/` deleted) + list", "rebuild", 10.0, "< 10 s")
    for key, label in (
        ("python", "reference: `python -c pass`"),
        ("floor", "reference: git floor (write + `git add` + `git commit`)"),
        ("jrnl-list", "reference: jrnl 4.6 `jrnl -n 20`"),
        ("jrnl-search", f"reference: jrnl 4.6 `jrnl -contains {SEARCH_WORD}`"),
    ):
        value = med(key)
        if value is not None:
            out.append((label, "", fig(key), rows[key].note, None))
    return out


# -- profile ----------------------------------------------------------------------


PROFILE_FOR = {
    "add": "add Profiled entry: cut p99 from 800ms to 200ms",
    "list": "list -n 20",
    "search": f"search {SEARCH_WORD}",
    "help": "--help",
    "rebuild": "list -n 20",
}


# Runs in a fresh interpreter, so brag's imports are profiled like the rest.
PROFILER = """
import cProfile, io, pstats, sys, time
top = int(sys.argv[1])
sys.argv = ["brag", *sys.argv[2:]]
out, sys.stdout = sys.stdout, io.StringIO()
prof = cProfile.Profile()
t0 = time.perf_counter()
prof.enable()
code = 0
def end(code):  # the console script's quick exit, turned back into an exception
    raise SystemExit(code)
try:
    import brag.launch
    brag.launch.end = end
    brag.launch.main()  # the console script's own path: the quick lane, or click
except SystemExit as exc:
    code = exc.code or 0
prof.disable()
if code:
    sys.stdout = out
    sys.exit(code)  # a failed run's profile would mislead: report the failure
took = time.perf_counter() - t0
sys.stdout = out
report = io.StringIO()
stats = pstats.Stats(prof, stream=report).strip_dirs()
stats.sort_stats("cumulative").print_stats(top)
stats.sort_stats("tottime").print_stats(top)
lines = [line for line in report.getvalue().splitlines()
         if line.strip() and not line.strip().startswith("List reduced")]
print(took)
print("\\n".join(lines))
"""


def profile(command: str, kind: str = "user", n: int = SMALL, top: int = 20, cold: bool = False,
            reuse: bool = True, changed: bool = False) -> str:  # fmt: skip
    """cProfile of one ``brag COMMAND`` process (its imports included), top ``top`` twice:
    by cumulative and by own time. ``changed``: one new entry after the warm-up run,
    so a coach or export builds its document again with the analysis cached."""
    path = WORK / f"journal-{kind}-{n}"
    if not reuse or not (path / ".git" / "bench-generated").exists():
        path, _ = journal(kind, n)
    argv = command.split()
    if argv[:1] == ["add"]:
        argv.insert(2, f"{time.time_ns() % 10**6}")  # a new title: not refused as a duplicate
    if argv and argv[0] in ("coach", "export"):
        os.environ["BRAG_TODAY"] = newest_day(kind, n).isoformat()
        if argv[0] == "export" and len(argv) == 2:
            argv = ["export", *export_args(argv[1], newest_day(kind, n))]
    if cold:
        _drop_state(path)
    else:  # warm: the index and caches up to date, as for the timed warm runs
        warm = ["list", "-n", "1"] if argv[:1] == ["add"] else argv
        subprocess.run(
            [str(Path(sys.executable).parent / "brag"), "--dir", str(path), *warm],
            capture_output=True,
            env={**child_env(), **{k: v for k, v in os.environ.items() if k == "BRAG_TODAY"}},
        )
        if changed:
            brag = str(Path(sys.executable).parent / "brag")
            _note_one_more(brag, path, newest_day(kind, n), child_env(), 0)
    proc = subprocess.run(
        [sys.executable, "-c", PROFILER, str(top), "--dir", str(path), *argv],
        capture_output=True,
        text=True,
        # Not the checkout: `-c` puts the current folder first on sys.path, and
        # the source tree's brag/ (without its plugins/ and templates/) would
        # shadow the installed package.
        cwd=str(path),
        env={**child_env(), **{k: v for k, v in os.environ.items() if k == "BRAG_TODAY"}},
    )
    if proc.returncode != 0:
        return f"profiling brag {' '.join(argv)} failed:\n{proc.stderr[-2000:]}"
    took, _, text = proc.stdout.partition("\n")
    state = "cold" if cold else "after one new entry" if changed else "warm"
    head = f"brag {' '.join(argv)} on {kind}-{n} ({state}), in-process"
    return f"{head}: {float(took) * 1000:.0f} ms\n" + text


# -- report -----------------------------------------------------------------------


def render(
    results: dict[tuple[str, int], dict[str, Row]],
    facts: list[tuple[str, str]],
    notes: list[str],
    imports: list[tuple[str, float, str]],
    profiles: list[tuple[str, str]],
    runs: int,
    elapsed: float,
    jrnl_note: str,
) -> str:
    kinds = [k for k in GENERATORS if any(key[0] == k for key in results)]
    sizes = sorted({key[1] for key in results})
    out = [
        "# Benchmarks",
        "",
        "Whole-process timings of the `brag` CLI against its speed targets, on two",
        "kinds of journal at 10,000 and 100,000 entries, with the plain-git floor and",
        "jrnl 4.6 measured beside it in the same rounds. Every figure below comes from",
        "one command, `python bench/run.py --all`",
        f"({runs} timed runs per command after a warm-up, medians; this run took "
        f"{elapsed / 60:.0f} min).",
        "",
    ]
    loads = [v for k, v in facts if k.startswith("Load average")]
    out += [
        "**The machine was not quiet**: its 2 cores were shared with other work",
        f"during the run (load averages {' → '.join(loads)}). Wall-clock figures,",
        "the Python start-up and the git floor included, are inflated by it; the",
        "ratios (brag against jrnl and the git floor, measured in the same rounds)",
        "are steadier than the absolute figures.",
        "",
        "Each figure is the median wall-clock time of a whole process, with its median",
        "CPU time (user + system, child processes included) in brackets: other work",
        "on the machine stretches wall-clock time far more than CPU time.",
        "",
    ]
    met_total = missed_total = 0
    for size in sizes:
        out += [f"## {size:,} entries", ""]
        header = "| Measure | Target |"
        rule = "|---|---|"
        for kind in kinds:
            if (kind, size) in results:
                header += f" {GENERATORS[kind][0]} | |"
                rule += "---:|---|"
        out += [header, rule]
        per_kind = {k: verdicts(results[(k, size)], size) for k in kinds if (k, size) in results}
        labels: list[tuple[str, str]] = []
        for rows in per_kind.values():
            for label, target, *_ in rows:
                if (label, target) not in labels:
                    labels.append((label, target))
        for label, target in labels:
            line = f"| {label} | {target} |"
            for _kind, rows in per_kind.items():
                found = next((r for r in rows if (r[0], r[1]) == (label, target)), None)
                if found is None:
                    line += " n/a | |"
                    continue
                _, _, figure, text, ok = found
                mark = "" if ok is None else ("pass: " if ok else "**miss**: ")
                if ok is True:
                    met_total += 1
                elif ok is False:
                    missed_total += 1
                line += f" {figure} | {mark}{text} |"
            out.append(line)
        out.append("")
    out += [
        f"Targets met: {met_total}; missed: {missed_total}. A target's ratio is the",
        "median over its limit (below 1.00 is a pass); `brag add` is judged by how",
        "much it spends over the git floor measured in the same rounds.",
        "",
    ]
    if jrnl_note:
        out += [f"jrnl: {jrnl_note}", ""]
    if profiles:
        out += [
            "## Where the time of the misses goes",
            "",
            "cProfile of one in-process run of each missed command on the user-shaped",
            '10,000-entry journal (`python bench/run.py --profile "list -n 20"`), the',
            "top functions by cumulative time, then by own time. In-process figures",
            "leave out the interpreter's start-up (see `python -c pass` above), and",
            "profiling itself slows Python code down.",
            "",
        ]
        for title, text in profiles:
            out += [f"### {title}", "", "```", text, "```", ""]
    if imports:
        out += [
            "## Where start-up time goes",
            "",
            "Import time of each command on the user-shaped 10,000-entry journal",
            "(`python -X importtime`, one run, bytecode present): Python's own start-up",
            "imports, then the costliest libraries in ms, each module charged to the",
            "first non-brag package that pulled it in.",
            "",
            "| Command | Imports total | Costliest imports (ms) |",
            "|---|---:|---|",
        ]
        out += [f"| `{label}` | {total:.0f} ms | {summary} |" for label, total, summary in imports]
        out.append("")
    out += ["## Machine", ""]
    out += [f"- {k}: {v}" for k, v in facts]
    out += [
        "",
        "## Journals",
        "",
        "- **user-shaped** (`bench/gen_user.py`, seed 17): a heavy importer's pace of",
        "  10,000 entries a year (10,000 entries are the year to 2026-11-20, 100,000 a",
        "  decade); bodies of 0–2,000 characters (a quarter empty, mean ~740: notes,",
        "  bullet lists, headings, links, code spans), 1–6 tags from ~70, `metrics` tables",
        "  on a third of the entries, areas, leverage, collaborators, ~3% private,",
        "  titles full of numbers, ~40% imported (GitHub pull requests, Jira tickets,",
        "  incidents, design docs) with `source`, `source_id` and `url`.",
        "- **generator** (`bench/gen.py`, seed 7): short tidy entries over 2022–2026",
        "  (about 2,000 a year), two tags, bodies on under half, 20% imported, 5% private.",
        "- Both are written as `brag init` and `brag add` leave a journal: real entry",
        "  files, `brag.toml`, README, `.gitignore`, one `brag: add` commit per entry",
        "  (through `git fast-import`).",
        *[f"- {note}" for note in notes],
        "",
        "## Method",
        "",
        "- Each measure is a whole process started with `subprocess` (the `brag`",
        "  console script of the running virtual environment, output captured), timed",
        "  after one warm-up run; commands compared with each other run interleaved in",
        "  rounds, so a burst of other work hits them alike. Medians are reported.",
        "- `PYTHONDONTWRITEBYTECODE` is removed from the children's environment, as in",
        "  a real install with bytecode.",
        "- `brag add` adds a new entry each run (title, impact, two tags); the git",
        "  floor writes a file outside `entries/` and runs `git add` and `git commit`",
        "  with the git CLI in the same journal: the least a commit-per-entry tool",
        "  can spend. The target is brag's median minus the floor's.",
        f"- `brag search {SEARCH_WORD}` and `jrnl -contains {SEARCH_WORD}` print every",
        "  match; `brag list -n 20` and `jrnl -n 20` the newest twenty (jrnl, which",
        "  takes seconds per run, is timed `--jrnl-runs` times, 3 by default, within",
        "  the same rounds). jrnl 4.6 runs",
        "  from its own virtual environment under `bench/.work/`, with its default",
        "  settings, on a journal file in its plain-text format holding the same",
        "  entries (title, impact, tags as `@tags`, body).",
        "- Coach and exports run with `BRAG_TODAY` set to the journal's newest day,",
        "  over the year up to it (`brag coach`'s default; `one-on-one` its last two",
        "  weeks, `status` monthly, `self-review` and `promo-brief --target staff`",
        "  the year). Warm: the analysis cache (`.git/brag/*cache*`) and the kept",
        "  documents (`.git/brag/documents/`) stay between runs of an unchanged",
        "  journal; after one new entry: one `brag add` (untimed) before each run, so",
        "  the kept document is stale and the analysis of every other entry cached;",
        "  cold: both are deleted before each run (the index is kept).",
        "- Cold index rebuild: `.git/brag/` is deleted before each run of",
        "  `brag list -n 20`; at 100,000 entries it is timed twice after the warm-up.",
        "- Journals are reused between runs of the benchmark while their generator",
        "  is unchanged, reset to their generated commit with `.git/brag/` deleted.",
        "",
        "## Re-running",
        "",
        "```",
        'pip install -e ".[test]"',
        "python bench/run.py --all            # everything above; writes docs/benchmarks.md",
        "python bench/run.py --all --runs 9 --sizes 10000 --no-jrnl",
        'python bench/run.py --profile "list -n 20" [--journal gen-10000] [--cold]',
        "python bench/gen_user.py /tmp/j -n 10000   # just a user-shaped journal",
        "python bench/compare.py START HEAD   # two commits side by side, alternating",
        "```",
        "",
        "## More benchmarks",
        "",
        *MORE_BENCHMARKS,
        "- `python bench/run.py` (without `--all`): the earlier 10- and 10,000-entry",
        "  table of `bench/gen.py` journals, with `list --since` and jrnl's add.",
        "",
    ]
    return "\n".join(out)


def _environment() -> str:
    """Where the measured brag is installed: start-up time depends on it."""
    if Path(sys.prefix).resolve() == (WORK / "venv").resolve():
        return "a plain virtual environment (bench/.work/venv: `pip install .`, no system packages)"
    kind = "a virtual environment" if sys.prefix != sys.base_prefix else "the system Python"
    return f"{kind} at {sys.prefix} (--here)"


def run_all(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    facts = machine()
    env = child_env()
    brag = Path(sys.executable).parent / "brag"
    if not brag.exists():
        raise SystemExit(f"no brag console script next to {sys.executable}: pip install -e .")
    version = subprocess.run([str(brag), "--version"], env=env, capture_output=True, text=True)
    facts.insert(-1, ("brag", f"{version.stdout.strip()} (commit {_commit()})"))
    facts.insert(-1, ("Installed in", _environment()))
    jrnl: Path | None = None
    jrnl_note = "skipped (--no-jrnl)"
    if not args.no_jrnl:
        jrnl, jrnl_note = jrnl_executable()
        jrnl_note = jrnl_note or f"jrnl {JRNL_VERSION} in its own virtual environment."
    results: dict[tuple[str, int], dict[str, Row]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="brag-bench-") as tmp:
        for n in args.sizes:
            for kind in args.journals:
                rows, note = measure(
                    kind, n, args.runs, jrnl, env, Path(tmp), min(args.runs, args.jrnl_runs)
                )
                results[(kind, n)] = rows
                notes.append(note)
                for row in rows.values():
                    print(f"    {row.label:<52} {fmt(row.median):>8}  {row.note}", file=sys.stderr)
    facts.append(("Load average at end", load_average()))

    imports = []
    if ("user", SMALL) in results:
        path = WORK / f"journal-user-{SMALL}"
        for label, cmd in (("brag --help", ["--help"]),
                           ('brag add "…"', ["--dir", str(path), "add", "Import-profiled entry"]),
                           ("brag list -n 20", ["--dir", str(path), "list", "-n", "20"]),
                           (f"brag search {SEARCH_WORD}",
                            ["--dir", str(path), "search", SEARCH_WORD])):  # fmt: skip
            total, summary = import_profile(brag, cmd, env)
            imports.append((label, total, summary))

    profiles: list[tuple[str, str]] = []
    if ("user", SMALL) in results and not args.no_profiles:
        missed = [r for r in verdicts(results[("user", SMALL)], SMALL) if r[4] is False]
        for label, *_ in missed:
            key = _key_of(label)
            if key is None:
                continue
            command, flag = key
            proc = subprocess.run(
                [sys.executable, str(HERE / "run.py"), f"--profile={command}", "--top", "12",
                 "--here", *([flag] if flag else [])],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            profiles.append((label, (proc.stdout or proc.stderr).strip()))
    elapsed = time.perf_counter() - started
    report = render(results, facts, notes, imports, profiles, args.runs, elapsed, jrnl_note)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out} ({elapsed:.0f} s)", file=sys.stderr)
    return 0


def _key_of(label: str) -> tuple[str, str] | None:
    """The ``--profile`` command and its flag (``--cold``, ``--changed`` or none) for
    a verdict's label."""
    flag = "--changed" if "after one new entry" in label else ""
    if label.startswith("brag add"):
        return PROFILE_FOR["add"], ""
    if label.startswith("brag list"):
        return PROFILE_FOR["list"], ""
    if label.startswith("brag search"):
        return PROFILE_FOR["search"], ""
    if label == "brag --help":
        return "--help", ""
    if label.startswith("cold index rebuild"):
        return PROFILE_FOR["rebuild"], "--cold"
    if label.startswith("brag coach"):
        return "coach", flag
    if label.startswith("brag export "):
        return "export " + label.split()[2], flag
    return None


def _commit() -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return proc.stdout.strip() or "?"
