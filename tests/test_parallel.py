"""A first analysis of a big journal is shared across the CPUs and shown as it goes;
its answers are exactly those of one process."""

from __future__ import annotations

import json
import os
import pickle
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

from test_bench_gen import gen

from brag import parallel
from brag.impact import analysis

# In a fresh interpreter: this one may have a thread running (a session's HTTP
# server), and then brag rightly never forks.
_SHARED = """
import multiprocessing, os, pickle, sys
from pathlib import Path
from brag import parallel
from brag.impact import analysis
from brag.journal import Journal
analysis.PARALLEL_MIN = 1
os.cpu_count = lambda: 3
forked = []
real = parallel.split
def spy(*args, **kwargs):
    found = real(*args, **kwargs)
    forked.append(found)
    return found
parallel.split = spy
journal = Journal(Path(sys.argv[1]))
entries = list(journal.entries())
found = analysis.analyse_all(entries)
assert len(forked) == 1 and forked[0] is not None, "did not fork"
assert not os.path.exists(forked[0].folder), "the workers' files left behind"
for child in multiprocessing.active_children():
    child.join(5)
assert multiprocessing.active_children() == [], "workers left behind"
sys.stdout.buffer.write(pickle.dumps([(key, analysis._stored(a)) for key, a in found]))
"""


def test_first_analysis_shared_with_workers_matches_one_process(journal_dir: Path) -> None:
    gen.build_journal(journal_dir, 60)
    from brag.journal import Journal

    analysis.clear_memo()
    entries = list(Journal(journal_dir).entries())
    serial = [(key, analysis._stored(a)) for key, a in analysis.analyse_all(entries)]
    assert len(serial) == 60

    proc = subprocess.run([sys.executable, "-c", _SHARED, str(journal_dir)], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert pickle.loads(proc.stdout) == serial  # the same analyses, in the same order


def test_split_leaves_small_work_and_threaded_processes_alone(monkeypatch) -> None:
    import threading

    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    assert parallel.split(list, [1, 2, 3], minimum=10, smallest_part=1) is None
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        # A fork while another thread may hold a lock could deadlock the child.
        assert parallel.workers() == 1
        assert parallel.split(list, list(range(50)), minimum=1, smallest_part=1) is None
    finally:
        stop.set()
        other.join()


def _run_on_terminal(
    args: list[str], env: dict[str, str], out: int | None = subprocess.DEVNULL
) -> tuple[int, str]:
    """Run ``args`` with stderr on a pseudo-terminal; its exit code and what the
    terminal received."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=out, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return proc.wait(60), seen.decode("utf-8", "replace")


def test_first_analysis_shows_progress_on_a_terminal_only(journal_dir: Path, tmp_path: Path):
    gen.build_journal(journal_dir, analysis.PROGRESS_MIN + 20)
    env = {**os.environ, "BRAG_TODAY": gen.LAST_DAY.isoformat(), "COLUMNS": "100"}
    args = [
        sys.executable,
        "-m",
        "brag",
        "--dir",
        str(journal_dir),
        "coach",
        "--since",
        "2000-01-01",
    ]
    code, shown = _run_on_terminal(args, env)
    assert code == 0, shown
    assert "Analysing entries (once)" in shown
    # Cached now: the next run has nothing to analyse, and shows nothing.
    code, shown = _run_on_terminal(args, env)
    assert code == 0 and "Analysing" not in shown, shown

    # No terminal (a script, a pipe): never a bar, whatever the work.
    state = journal_dir / ".git" / "brag"
    for cache in state.glob("impact-cache*"):
        cache.unlink()
    shutil.rmtree(state / "documents")  # the kept review: it would be shown unread
    piped = subprocess.run(args, capture_output=True, text=True, env=env)
    assert piped.returncode == 0, piped.stderr
    assert "Analysing" not in piped.stderr and "\x1b" not in piped.stderr


_LIST = """
import os, sys
from brag import index
index.PROGRESS_MIN = 10
index.PARALLEL_MIN = 1
os.cpu_count = lambda: 3
sys.argv = ["brag", "--dir", sys.argv[1], "list", "--json"]
from brag.cli import main
main()
"""


def test_a_big_index_rebuild_shows_progress_on_a_terminal(journal_dir: Path, tmp_path: Path):
    gen.build_journal(journal_dir, 60)
    listed = tmp_path / "listed.json"
    args = [sys.executable, "-c", _LIST, str(journal_dir)]
    with listed.open("wb") as out:
        code, shown = _run_on_terminal(args, dict(os.environ), out.fileno())
    assert code == 0, shown
    assert "Indexing entries" in shown
    assert len(json.loads(listed.read_text())) == 60  # every entry, read by the workers too
    # Indexed now: nothing to read, nothing shown.
    with listed.open("wb") as out:
        code, shown = _run_on_terminal(args, dict(os.environ), out.fileno())
    assert code == 0 and "Indexing" not in shown, shown


_INTERRUPTS = """
import os, signal, sys
from brag import parallel
os.cpu_count = lambda: 2

def work(part):
    return [signal.getsignal(signal.SIGINT) is signal.SIG_IGN for _ in part]

shared = parallel.split(work, list(range(40)), minimum=1, smallest_part=1)
assert shared is not None, "did not fork"
try:
    here, workers = list(shared.first), list(shared.rest())
finally:
    shared.close()
print(sorted(set(here)), sorted(set(workers)))
"""


def test_ctrl_c_is_the_parents_to_handle_not_the_workers() -> None:
    """A worker that took Ctrl-C would print its own traceback over the terminal:
    workers ignore it, this process stops them (Parts.close)."""
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPTS], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[False]", "[True]"]


_WORKER_FAILS = """
import os, sys
from brag import parallel
os.cpu_count = lambda: 3
here = os.getpid()

def work(part):
    if os.getpid() != here and part[0] % 4 == 0:
        raise OSError(28, "No space left on device")  # this worker's part is lost
    return [x * 10 for x in part]

shared = parallel.split(work, list(range(30)), minimum=1, smallest_part=1)
assert shared is not None, "did not fork"
try:
    print(list(shared))
finally:
    shared.close()

import multiprocessing
def no_processes(*args, **kwargs):
    raise OSError(11, "Resource temporarily unavailable")
multiprocessing.get_context = no_processes
print(parallel.split(work, list(range(30)), minimum=1, smallest_part=1))
"""


def test_a_part_a_worker_cannot_deliver_is_done_here() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER_FAILS], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    every, without_workers = proc.stdout.splitlines()
    assert every == str([x * 10 for x in range(30)])  # all of it, in order
    assert without_workers == "None"  # no process to be had: the caller does it all
