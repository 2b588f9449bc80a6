"""The console script's head start: the index's git status, started before the
command line is imported, and used only when it still answers the question."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_journal import _status_calls as _spy_status
from test_journal import _titles

from brag import index, launch
from brag.entry import Entry
from brag.journal import Journal


@pytest.fixture(autouse=True)
def no_leftover_prefetch():
    yield
    index._drop_prefetched()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "-n", "20"], ("list", None, False, ["-n", "20"])),
        (["--dir", "/j", "search", "x"], ("search", "/j", False, ["x"])),
        (["-C", "/j", "list"], ("list", "/j", False, [])),
        (["-C/j", "list"], ("list", "/j", False, [])),
        (["--dir=/j", "--debug", "show", "ab"], ("show", "/j", True, ["ab"])),
        (["--debug", "-C", "/j"], (None, "/j", True, [])),
        (["--help"], None),
        (["--version"], None),
        (["--dir"], None),
        ([], (None, None, False, [])),
    ],
)
def test_the_command_is_read_from_the_top_level_options(args, expected):
    assert launch.split_top(args) == expected


def test_a_read_uses_the_status_started_ahead_and_sees_a_hand_edit(journal: Journal, monkeypatch):
    a = journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    journal.add(Entry(title="Beta", date=dt.date(2026, 3, 2)))
    assert _titles(journal.root) == ["Alpha", "Beta"]  # the index is warm
    path = journal.root / a.path
    with open(path, "w", encoding="utf-8") as fh:  # in place, not committed
        fh.write(a.to_markdown().replace("Alpha", "Alpha edited"))
    calls = _spy_status(monkeypatch)

    assert launch.head_start(["--dir", str(journal.root), "list"]) is True
    assert _titles(journal.root) == ["Alpha edited", "Beta"]
    assert calls == []  # the edit was found by the status started ahead
    assert index._PREFETCHED == {}


def test_a_commit_after_the_head_start_is_not_missed(journal: Journal, monkeypatch):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    assert _titles(journal.root) == ["Alpha"]
    assert launch.head_start(["-C", str(journal.root), "search", "x"]) is True
    (proc,) = [p for _head, _untracked, p in index._PREFETCHED.values()]
    Journal(journal.root).add(Entry(title="Beta", date=dt.date(2026, 3, 2)))  # HEAD moves
    calls = _spy_status(monkeypatch)
    assert _titles(journal.root) == ["Alpha", "Beta"]
    assert len(calls) == 1  # asked git again
    assert proc.returncode is not None  # and the early one was reaped


def test_a_question_about_untracked_files_is_asked_afresh(journal: Journal, monkeypatch):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    assert _titles(journal.root) == ["Alpha"]
    by_hand = Entry(title="Typed by hand", date=dt.date(2026, 3, 3))
    (journal.root / by_hand.default_path()).write_text(by_hand.to_markdown())
    assert launch.head_start(["--dir", str(journal.root), "list"]) is True
    calls = _spy_status(monkeypatch)
    assert _titles(journal.root) == ["Alpha", "Typed by hand"]
    assert "--untracked-files=all" in calls[-1]
    assert index._PREFETCHED == {}


def test_no_head_start_while_a_writer_marker_is_present(journal: Journal):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    writers = journal.root / ".git" / "brag" / "writers"
    writers.mkdir(parents=True, exist_ok=True)
    (writers / "add-1-dead").write_text("")
    assert launch.head_start(["--dir", str(journal.root), "list"]) is False
    assert index._PREFETCHED == {}


@pytest.mark.parametrize(
    "args",
    [["add", "x"], ["edit", "ab"], ["import", "git"], ["sync"], ["list", "--help"], ["--help"]],
)
def test_no_head_start_for_writers_or_help(journal: Journal, args):
    assert launch.head_start(["--dir", str(journal.root), *args]) is False
    assert index._PREFETCHED == {}


def test_no_head_start_outside_a_journal(tmp_path: Path):
    assert launch.head_start(["--dir", str(tmp_path / "none"), "list"]) is False
    assert launch.head_start(["--dir", str(tmp_path), "list"]) is False


def test_the_console_script_lists_through_the_head_start(journal: Journal, tmp_path: Path):
    """The installed ``brag`` (its entry point is :func:`brag.launch.main`)."""
    a = journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    script = Path(sys.executable).with_name("brag")
    assert script.exists(), "install brag (pip install -e .) to run the tests"
    env = {**os.environ, "BRAG_DIR": str(journal.root)}
    first = subprocess.run([str(script), "list"], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert "Alpha" in first.stdout
    path = journal.root / a.path
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(a.to_markdown().replace("Alpha", "Alpha edited"))
    second = subprocess.run([str(script), "list"], capture_output=True, text=True, env=env)
    assert second.returncode == 0, second.stderr
    assert "Alpha edited" in second.stdout
    module = subprocess.run(
        [sys.executable, "-m", "brag", "list"], capture_output=True, text=True, env=env
    )
    assert module.stdout == second.stdout


_END = """
import atexit, sys, threading, time
from brag import launch
atexit.register(lambda: print("exit handler ran"))
if sys.argv[1] == "thread":
    def late():
        time.sleep(0.3)
        print("thread finished", flush=True)
    threading.Thread(target=late).start()
    sys.argv = ["brag", "--version"]
else:
    sys.argv = ["brag", *sys.argv[1:]]
launch.main()
"""


@pytest.mark.parametrize(
    ("args", "code", "out", "err"),
    [
        (["--version"], 0, "brag, version", ""),
        (["list", "--no-such-option"], 2, "", "No such option"),
        (["thread"], 0, "thread finished", ""),
    ],
)
def test_the_quick_exit_keeps_exit_codes_output_handlers_and_threads(
    args: list[str], code: int, out: str, err: str, tmp_path: Path
) -> None:
    """The console script leaves without tearing the interpreter down, yet the
    exit code is the command's, buffered output is all written, exit handlers
    run and a thread still working is waited for."""
    proc = subprocess.run(
        [sys.executable, "-c", _END, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "BRAG_DIR": str(tmp_path / "none")},
    )
    assert proc.returncode == code, proc.stderr
    assert out in proc.stdout and err in proc.stderr
    assert proc.stdout.rstrip().endswith("exit handler ran")


def test_the_head_start_finds_the_journal_as_the_command_does(journal: Journal, tmp_path: Path):
    """--dir, BRAG_DIR and the enclosing journal, each the folder brag itself uses."""
    from brag import early
    from brag.journal import locate

    inner = journal.root / "entries" / "2026"
    inner.mkdir(parents=True, exist_ok=True)
    link = tmp_path / "link"
    link.symlink_to(journal.root)
    os.environ.pop("BRAG_DIR")
    try:
        assert early.where(None, str(inner)) == (str(journal.root), "enclosing")
        assert early.where(str(link)) == (str(journal.root), "--dir")
        os.environ["BRAG_DIR"] = str(link)
        assert early.where(None) == (str(journal.root), "BRAG_DIR")
        assert str(locate()) == str(journal.root)
    finally:
        os.environ["BRAG_DIR"] = str(journal.root)


def test_head_is_read_from_files_or_left_to_git(journal: Journal, tmp_path: Path):
    from brag import early

    subprocess.run(["git", "init", "-q", str(tmp_path / "unborn")], check=True)
    assert early.head_from_files(str(tmp_path / "unborn" / ".git")) == (None, True)
    assert early.head_from_files(str(tmp_path / "none")) == (None, False)
    gd = str(journal.root / ".git")
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    sha = subprocess.run(
        ["git", "-C", str(journal.root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert early.head_from_files(gd) == (sha, False)
    subprocess.run(["git", "-C", str(journal.root), "pack-refs", "--all"], check=True)
    assert not (journal.root / ".git" / "refs" / "heads" / "main").exists()
    assert early.head_from_files(gd) == (sha, False)  # from packed-refs
    assert index.read_head(journal.root) == sha


def test_no_head_start_without_git_on_the_path(journal: Journal, monkeypatch):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    monkeypatch.setenv("PATH", str(journal.root / "no-such-folder"))
    assert launch.head_start(["--dir", str(journal.root), "list"]) is False
    assert index._PREFETCHED == {}


def test_a_head_start_nobody_asks_for_is_stopped_and_reaped(journal: Journal):
    journal.add(Entry(title="Alpha", date=dt.date(2026, 3, 1)))
    assert launch.head_start(["--dir", str(journal.root), "list"]) is True
    (proc,) = [p for _head, _untracked, p in index._PREFETCHED.values()]
    index._drop_prefetched()
    assert index._PREFETCHED == {}
    assert proc.returncode is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(proc.pid, os.WNOHANG)  # reaped: no zombie left


def test_a_deferred_module_loads_in_full_on_first_use():
    """The stand-in for inspect: an import statement does not load it, any name
    does (its own names too), and afterwards it is the real module's twin."""
    code = (
        "import sys\n"
        "from brag import launch\n"
        "launch._defer_inspect()\n"
        "import inspect\n"
        "assert type(sys.modules['inspect']).__name__ == '_Deferred'\n"
        "assert inspect.__file__.endswith('inspect.py')\n"
        "assert type(sys.modules['inspect']).__name__ == 'module'\n"
        "assert inspect.signature(len) is not None and 'signature' in inspect.__all__\n"
        "from inspect import cleandoc\n"
        "print(cleandoc('  x'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "x\n"
