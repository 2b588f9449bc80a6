"""The quick lane (brag.quick): add, list and search without click, doing exactly
what the click commands do, and handing click everything it does not take."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from test_bench_gen import gen

from brag import commands, launch, quick
from brag.entry import Entry
from brag.journal import Journal

from conftest import git

BRAG = str(Path(sys.executable).parent / "brag")


def real(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, in the test's environment."""
    return subprocess.run(
        [BRAG, *args], capture_output=True, text=True, env=env or os.environ, timeout=120
    )


@pytest.fixture
def filled(journal: Journal) -> Journal:
    for i, (title, tags) in enumerate(
        [
            ("Cut checkout p99 from 800ms to 200ms", ["perf"]),
            ("Mentored two new hires", ["people"]),
            ("Led the incident review for the payments outage", ["incident", "perf"]),
            ("Wrote the design doc for the billing rewrite", []),
        ]
    ):
        journal.add(
            Entry(
                title=title,
                date=dt.date(2026, 3, 1 + i),
                tags=tags,
                impact="fewer abandoned carts" if i == 0 else "",
                private=i == 3,
            )
        )
    return journal


def both_lanes(args: list[str], brag, capsys) -> tuple[tuple, tuple]:
    """(exit code, stdout, stderr) from the quick lane and from click."""
    code = quick.main(args)
    assert code is not None, f"the quick lane did not take {args}"
    out = capsys.readouterr()
    result = brag(*args, expect=None)
    return (code, out.out, out.err), (result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "-n", "2"],
        ["list", "-n2", "--reverse"],
        ["list", "--limit=1", "-r", "--no-private"],
        ["list", "-t", "perf", "--tag", "incident"],
        ["list", "--json", "-t", "perf"],
        ["list", "--since", "2026-03-02", "--until", "2026-03-03"],
        ["list", "-p", "2026Q1", "-n", "3"],
        ["list", "-p", "2025"],
        ["list", "--since", "2026-04-01", "--until", "2026-03-01"],
        ["list", "--since", "the day after never"],
        ["list", "--audience", "cfo"],
        ["list", "--rank", "-A", "cfo", "-n", "2"],
        ["list", "--rank", "--json"],
        ["search", "checkout"],
        ["search", "the", "-n", "1"],
        ["search", "REVIEW", "--json"],
        ["search", "p99", "-t", "perf", "--since", "2026"],
        ["search", "nothing-matches-this"],
        ["coach"],
        ["coach", "--all"],
        ["coach", "--json"],
        ["coach", "-p", "2026Q1", "-T", "staff"],
        ["coach", "--since", "2026-03-02", "--until", "2026-03-03", "--target", "senior"],
        ["coach", "--since", "2026-04-01", "--until", "2026-03-01"],
        ["coach", "--period", "someday"],
        ["coach", "-T", "wizard"],
    ],
)
def test_the_quick_lane_prints_what_click_prints(args, filled, brag, capsys):
    quick_run, click_run = both_lanes(args, brag, capsys)
    assert quick_run == click_run


def test_add_in_the_quick_lane_writes_the_same_entry_as_click(journal: Journal, brag, capsys):
    args = ["add", "Cut checkout p99", "-i", "carts", "-t", "perf,#speed", "-a", "Revenue"]
    args += ["-l", "STRATEGIC", "-w", "Sam Lee", "-m", "p99: 800ms -> 200ms", "-d", "2026-03-01"]
    args += ["--url", "https://example.com/pr/1", "-b", "Notes", "--private", "--json"]
    assert quick.main(args) == 0
    by_quick = json.loads(capsys.readouterr().out)
    other = ["add", "Cut checkout p99 again", *args[2:], "--force"]
    by_click = json.loads(brag(*other).stdout)
    for data in (by_quick, by_click):
        for key in ("id", "title", "created", "updated", "path", "distinct_from"):
            data.pop(key, None)
    assert by_quick == by_click
    assert by_quick["areas"] == ["revenue"] and by_quick["leverage"] == "strategic"
    assert by_quick["metrics"][0]["before"] == 800 and by_quick["metrics"][0]["after"] == 200
    assert git(journal.root, "status", "--porcelain").strip() == ""


def test_bad_input_in_the_quick_lane_is_one_line_and_nothing_is_written(
    journal: Journal, capsys
) -> None:
    journal.add(Entry(title="Cut checkout p99 from 800ms to 200ms", date=dt.date.today()))
    before = git(journal.root, "rev-parse", "HEAD")
    cases = [
        (["add", "x", "--area", "vibes"], 2, "Error: Invalid value: unknown area 'vibes'"),
        (["add", "x", "--url", "ftp://a"], 1, "Error: --url 'ftp://a': only http(s) links"),
        (["add", "x", "-t", "two words"], 1, "tags are single words (try two-words)"),
        (["add", "x", "-d", "2999-01-01"], 1, "is in the future"),
        (["add", "x", "--feedback"], 1, 'say who gave the feedback: --from "Priya N"'),
        (["add", "cut checkout p99 from 800ms to 200ms!"], 1, "Not added: looks like"),
    ]
    for args, code, message in cases:
        assert quick.main(args) == code, args
        err = capsys.readouterr().err
        assert message in err, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    assert git(journal.root, "rev-parse", "HEAD") == before
    assert git(journal.root, "status", "--porcelain").strip() == ""
    assert len(list((journal.root / "entries").rglob("*.md"))) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--help"],
        ["list", "-h"],
        ["list", "-n", "lots"],
        ["list", "-n", "-1"],
        ["list", "-n", "1000001"],
        ["list", "-n"],
        ["list", "--frobnicate"],
        ["list", "-rn", "2"],
        ["list", "--json=yes"],
        ["list", "stray"],
        ["list", "--"],
        ["search"],
        ["add"],
        ["add", "  "],
        ["add", "x", "--leverage", "vibes"],
        ["--version"],
        ["show", "abc"],
        ["coach", "--help"],
        ["coach", "--target"],
        ["coach", "stray"],
        ["coach", "--all=yes"],
    ],
)
def test_anything_not_plainly_correct_goes_to_click(args, journal):
    assert quick.main(args) is None


def test_a_plugin_allowed_to_replace_list_gets_it(journal, monkeypatch):
    monkeypatch.setenv("BRAG_PLUGIN_OVERRIDE", "list")
    assert quick.main(["list"]) is None
    monkeypatch.delenv("BRAG_PLUGIN_OVERRIDE")
    journal.config_path.write_text(
        journal.config_path.read_text() + '\n[plugins]\noverride = ["search"]\n'
    )
    assert quick.main(["search", "x"]) == 0  # no plugin installed could take it
    from brag import manager

    monkeypatch.setattr(manager, "plugin_commands_possible", lambda: True)
    assert quick.main(["search", "x"]) is None


def test_the_lane_and_click_read_one_table():
    """Every quick command is a click command built from the same rows."""
    from brag.cli import cli

    assert set(quick.COMMANDS) == launch.QUICK
    ctx = click.Context(cli)
    for name, (params, _function) in quick.COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        declared = [(p.name, tuple(p.opts)) for p in command.params]
        expected = [(p.dest, (p.dest,) if p.kind == quick.WORDS else p.decls) for p in params]
        assert declared == expected


@pytest.mark.parametrize(
    ("kwargs"),
    [{"fg": "yellow"}, {"fg": "cyan"}, {"fg": "blue"}, {"bold": True}, {"fg": "red", "bold": True}],
)
def test_colours_are_clicks_own(kwargs):
    assert commands.style("x", **kwargs) == click.style("x", **kwargs)


def test_the_console_script_lists_without_click_typing_or_inspect(filled: Journal):
    """What a quick command loads, through the real console script: a list or
    search not even subprocess or signal (1-2 ms each to import)."""
    probe = (
        "import atexit, sys\n"
        "before = set(sys.modules)  # what the interpreter's site packages loaded\n"
        "def report():\n"
        "    new = set(sys.modules) - before\n"
        "    loaded = [m for m in ('click', 'typing', 'jinja2', 'pluggy') if m in new]\n"
        "    inspect = type(sys.modules.get('inspect')).__name__\n"
        "    procs = [m for m in ('subprocess', 'signal') if m in new]\n"
        "    sys.stderr.write(f'loaded={loaded} inspect={inspect} procs={procs}\\n')\n"
        "atexit.register(report)\n"
        "sys.argv = ['brag', *sys.argv[1:]]\n"
        "from brag.launch import main\n"
        "main()\n"
    )
    # The journal's first command checks brag.toml with the TOML parser (which
    # imports typing) and keeps the result; the commands after it are measured.
    assert real("list", "-n", "1").returncode == 0
    for args in (["list", "-n", "2"], ["search", "checkout"], ["add", "Shipped the probe"]):
        proc = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        assert "loaded=[] inspect=_Deferred" in proc.stderr, (args, proc.stderr)
        if args[0] != "add":  # a reader runs git only through brag.early's spawn
            assert "procs=[]" in proc.stderr, (args, proc.stderr)
    assert "Shipped the probe" in real("list", "-n", "1").stdout
    # The coach reads a year through the same lane: no click, and what it prints
    # is what click's command prints.
    proc = subprocess.run(
        [sys.executable, "-c", probe, "coach", "--since", "2026-01-01"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "loaded=[]" in proc.stderr.replace("'typing', ", "").replace("['typing']", "[]"), (
        proc.stderr
    )
    assert proc.stdout.startswith("Coach: ") and "\x1b" not in proc.stdout


def test_the_console_script_stops_quietly_when_the_reader_goes(journal_dir: Path):
    """`brag list | head -1`: more output than a pipe holds, and the reader leaves."""
    gen.build_journal(journal_dir, 2000)
    proc = subprocess.Popen([BRAG, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert first.strip()
    assert err == b""


def test_a_failure_in_the_quick_lane_is_the_same_line_as_in_click(journal, brag, capsys):
    (journal.root / "brag.toml").write_text("[[[ not toml\n")
    quick_run, click_run = both_lanes(["list"], brag, capsys)
    assert quick_run == click_run
    assert quick_run[0] != 0 and quick_run[2].startswith("Error: ")
    code = quick.main(["--debug", "list"])
    assert code == quick_run[0]
    assert "Traceback" in capsys.readouterr().err
