from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from brag import __version__

from conftest import git, write_editor


def test_version(brag):
    assert brag("--version").output.strip() == f"brag, version {__version__}"


def test_help_teaches(brag):
    out = brag("--help").output
    for command in (
        "add",
        "list",
        "show",
        "edit",
        "rm",
        "search",
        "tags",
        "config",
        "plugins",
        "init",
        "check",
        "import",
        "export",
    ):
        assert f"  {command}" in out
    assert 'brag add "Cut checkout p99' in out
    assert "--since" in brag("list", "--help").output


def test_first_add_initialises_the_journal(brag, journal_dir: Path):
    result = brag(
        "add",
        "Cut checkout p99 from 800ms to 200ms",
        "--impact",
        "cart abandonment down 3%",
        "-t",
        "perf",
        "-t",
        "checkout",
    )
    assert f"Created a new journal at {journal_dir}" in result.stderr
    assert result.stdout.startswith("Added ")
    assert (journal_dir / "brag.toml").exists()
    [entry] = json.loads(brag("list", "--json").stdout)
    assert entry["title"] == "Cut checkout p99 from 800ms to 200ms"
    assert entry["impact"] == "cart abandonment down 3%"
    assert entry["tags"] == ["perf", "checkout"]
    assert entry["date"] == dt.date.today().isoformat()
    assert entry["path"].startswith(f"entries/{dt.date.today():%Y/%m}/")
    assert {"id", "date", "title", "created", "updated", "path", "private"} <= entry.keys()
    # The second add does not announce a new journal.
    assert "Created" not in brag("add", "Another").stderr


def test_add_with_every_field(brag, journal):
    brag(
        "add",
        "Mentored two new hires through their first on-call",
        "--area",
        "people",
        "--leverage",
        "interpersonal",
        "--with",
        "Sam Lee",
        "--metric",
        "time to first solo on-call: 8 weeks -> 3 weeks",
        "--url",
        "https://example.com/doc",
        "--date",
        "2026-03-13",
    )
    [entry] = json.loads(brag("list", "--json").stdout)
    assert entry["areas"] == ["people"]
    assert entry["leverage"] == "interpersonal"
    assert entry["with"] == ["Sam Lee"]
    assert entry["metrics"] == [
        {"name": "time to first solo on-call", "value": 3, "unit": "weeks", "before": 8, "after": 3}
    ]
    assert entry["url"] == "https://example.com/doc"
    assert entry["date"] == "2026-03-13"


def test_add_relative_date(brag, journal):
    brag("add", "Friday fix", "--date", "last friday")
    [entry] = json.loads(brag("list", "--json").stdout)
    day = dt.date.fromisoformat(entry["date"])
    assert day.weekday() == 4 and 0 < (dt.date.today() - day).days <= 7


def test_private_entries(brag, journal):
    brag("add", "--private", "Negotiated the vendor contract renewal")
    assert "(private)" in brag("list").stdout
    assert brag("list", "--no-private").stdout == ""
    [entry] = json.loads(brag("list", "--json").stdout)
    assert entry["private"] is True


def test_add_via_editor(brag, journal, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "EDITOR",
        write_editor(
            tmp_path,
            (
                "Shipped search v2\n"
                "impact: queries 3x faster\n"
                "tags: search, perf\n"
                "# a comment line\n"
                "\n"
                "Longer notes here.\n"
            ),
        ),
    )
    brag("add")
    [entry] = json.loads(brag("list", "--json").stdout)
    assert (entry["title"], entry["impact"], entry["tags"]) == (
        "Shipped search v2",
        "queries 3x faster",
        ["search", "perf"],
    )
    assert brag("show", entry["id"], "--json").stdout.count("Longer notes here.") == 1


def test_add_via_editor_with_empty_title_aborts(brag, journal, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", write_editor(tmp_path, "\n"))
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("add", expect=1)
    assert result.stderr == "Aborted: nothing added\n"
    assert git(journal.root, "rev-parse", "HEAD") == head


def test_list_filters(brag, journal):
    brag("add", "Old", "-d", "2025-01-10", "-t", "perf")
    brag("add", "Q3 perf", "-d", "2026-08-01", "-t", "perf")
    brag("add", "Q3 other", "-d", "2026-08-02")
    out = brag("list", "--period", "2026Q3", "-t", "perf").stdout
    assert "Q3 perf" in out and "Old" not in out and "Q3 other" not in out
    assert [e["title"] for e in json.loads(brag("list", "--since", "2026", "--json").stdout)] == [
        "Q3 other",
        "Q3 perf",
    ]
    assert len(brag("list", "-n", "1").stdout.splitlines()) == 1
    assert brag("list", "--reverse").stdout.splitlines()[0].split()[2] == "Old"


def test_show_search_tags(brag, journal):
    brag("add", "Cut p99 latency", "-i", "checkout faster", "-t", "perf", "--body", "Deep dive")
    brag("add", "Wrote onboarding guide", "-t", "docs", "-t", "perf")
    entry_id = json.loads(brag("search", "latency", "--json").stdout)[0]["id"]
    shown = brag("show", entry_id[:4]).stdout
    assert "Cut p99 latency" in shown and "checkout faster" in shown and "Deep dive" in shown
    assert brag("show", entry_id, "--raw").stdout.startswith("+++\n")
    assert "Wrote onboarding" in brag("search", "ONBOARDING").stdout
    assert "Cut p99" in brag("search", "deep").stdout  # body text
    assert json.loads(brag("tags", "--json").stdout) == {"perf": 2, "docs": 1}


def test_edit_with_editor_commits(brag, journal, tmp_path, monkeypatch):
    brag("add", "Before", "-d", "2026-03-01")
    entry = json.loads(brag("list", "--json").stdout)[0]
    raw = (journal.root / entry["path"]).read_text()
    monkeypatch.setenv("EDITOR", write_editor(tmp_path, raw.replace("Before", "After")))
    assert "Updated" in brag("edit", entry["id"]).stdout
    assert json.loads(brag("list", "--json").stdout)[0]["title"] == "After"
    assert git(journal.root, "log", "-1", "--format=%s").strip() == 'brag: edit "After"'


def test_edit_that_breaks_the_file_is_refused_and_nothing_lost(
    brag, journal, tmp_path, monkeypatch
):
    brag("add", "Keep me", "-d", "2026-03-01")
    entry = json.loads(brag("list", "--json").stdout)[0]
    path = journal.root / entry["path"]
    original = path.read_text()
    monkeypatch.setenv("EDITOR", write_editor(tmp_path, "+++\ntitle = broken\n+++\nmy words"))
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("edit", entry["id"], expect=1)
    assert "not saved" in result.stderr and "invalid TOML" in result.stderr
    assert "Traceback" not in result.output
    assert path.read_text() == original
    assert git(journal.root, "rev-parse", "HEAD") == head
    kept = result.stderr.split("kept in ")[1].strip()
    assert "my words" in Path(kept).read_text()


def test_edit_with_options(brag, journal):
    brag("add", "Title", "-t", "a")
    entry_id = json.loads(brag("list", "--json").stdout)[0]["id"]
    brag("edit", entry_id, "--impact", "saved $40k", "-t", "b", "--untag", "a", "--private")
    entry = json.loads(brag("show", entry_id, "--json").stdout)
    assert (entry["impact"], entry["tags"], entry["private"]) == ("saved $40k", ["b"], True)


def test_rm_keeps_history(brag, journal):
    brag("add", "Gone soon")
    entry = json.loads(brag("list", "--json").stdout)[0]
    assert "still in git history" in brag("rm", entry["id"][:5]).stdout
    assert brag("list").stdout == ""
    assert git(journal.root, "log", "-1", "--format=%s").strip() == 'brag: rm "Gone soon"'
    assert "Gone soon" in git(journal.root, "show", f"HEAD~1:{entry['path']}")


def test_config_set_get(brag, journal):
    brag("config", "set", "user.name", "Ada Lovelace")
    brag("config", "set", "user.emails", "ada@example.com, ada@work.example")
    brag("config", "set", "sync.auto", "true")
    assert brag("config", "get", "user.name").stdout.strip() == "Ada Lovelace"
    assert json.loads(brag("config", "get", "user.emails").stdout) == [
        "ada@example.com",
        "ada@work.example",
    ]
    assert brag("config", "get", "sync.auto").stdout.strip() == "True"
    assert 'name = "Ada Lovelace"' in brag("config").stdout
    assert "not set" in brag("config", "get", "user.nothing", expect=1).stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nope"), "no entry with id starting 'nope'"),
        (("list", "--since", "blurg"), "can't read date 'blurg'"),
        (("add", "x", "--metric", "fast"), "must look like"),
        (("list", "--since", "2026-05-01", "--until", "2026-01-01"), "is after"),
    ],
)
def test_user_errors_are_one_line_exit_1(brag, journal, args, message):
    result = brag(*args, expect=1)
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(brag, journal):
    assert brag("add", "x", "--leverage", "magic", expect=2).exit_code == 2
    assert brag("add", "x", "--area", "vibes", expect=2).exit_code == 2
    assert brag("frobnicate", expect=2).exit_code == 2


def test_debug_shows_traceback(runner, journal):
    from brag.cli import cli

    result = runner.invoke(cli, ["--debug", "show", "nope"])
    assert result.exit_code == 1
    # The traceback is printed (with secrets masked, see test_reliability.py).
    assert "Traceback (most recent call last)" in result.stderr
    assert "NotFoundError: no entry with id starting 'nope'" in result.stderr


def test_missing_journal_is_clear(brag, journal_dir):
    result = brag("list", expect=1)
    assert f"no journal at {journal_dir}" in result.stderr and "brag init" in result.stderr


def test_broken_entry_warns_and_check_lists_it(brag, journal):
    brag("add", "Fine entry")
    bad = journal.root / "entries" / "2026" / "01" / "hand-edited.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text('+++\nid = "zz"\ndate = 2026-02-30\ntitle = "x"\n+++\n')
    nofm = journal.root / "entries" / "2026" / "01" / "no-front-matter.md"
    nofm.write_text("just text\n")
    result = brag("list")
    assert "Fine entry" in result.stdout
    assert "entries/2026/01/hand-edited.md:3" in result.stderr
    assert "entries/2026/01/no-front-matter.md:1" in result.stderr
    assert "Fine entry" in brag("search", "fine").stdout
    check = brag("check", expect=1)
    assert "broken: entries/2026/01/hand-edited.md:3" in check.stdout
    assert "broken: entries/2026/01/no-front-matter.md:1: front matter must start" in check.stdout


def test_check_clean_journal(brag, journal):
    brag("add", "Fine")
    assert "All good: 1 entries." in brag("check").stdout


def test_init_path(brag, tmp_path):
    target = tmp_path / "elsewhere"
    assert "Created a journal" in brag("init", str(target)).stdout
    assert "already a journal" in brag("init", str(target)).stdout
    assert (target / "brag.toml").exists()


def test_dir_option_wins_over_env(brag, tmp_path):
    other = tmp_path / "other"
    brag("--dir", str(other), "add", "Elsewhere")
    assert (other / "entries").is_dir()
    assert "Elsewhere" in brag("-C", str(other), "list").stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(brag, shell):
    out = brag("completion", shell).stdout
    assert "_BRAG_COMPLETE" in out


def test_import_dry_run_on_a_missing_journal_creates_nothing(brag, journal_dir, tmp_path):
    wins = tmp_path / "wins.csv"
    wins.write_text("date,title\n2026-03-01,Shipped search\n")
    out = brag("import", "file", str(wins), "--dry-run").stdout
    assert "would add 1" in out
    assert not journal_dir.exists()


# -- the lazy command group ------------------------------------------------------------


def _run_and_list_modules(*args: str) -> tuple[str, set[str]]:
    """Run the real entry point in a fresh interpreter; its output and the brag.cli
    modules it imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from brag.cli import cli\n"
        f"try:\n    cli.main({list(args)!r}, prog_name='brag')\n"
        "except SystemExit:\n    pass\n"
        "print('MODULES', *sorted(m for m in sys.modules if m.startswith('brag.cli.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    head, _, modules = out.rpartition("MODULES")
    return head, set(modules.split())


def test_help_lists_every_command_without_importing_their_modules():
    from brag.cli import LAZY_COMMANDS

    text, modules = _run_and_list_modules("--help")
    for name in LAZY_COMMANDS:
        assert f"\n  {name} " in text, name
    assert "Note an accomplishment." in text
    assert modules == set()


def test_a_command_imports_only_its_own_module(journal):
    text, modules = _run_and_list_modules("list")
    assert modules == {"brag.cli.entries"}
    _, modules = _run_and_list_modules("stats", "--help")
    assert modules == {"brag.cli.insights"}


def test_help_table_matches_each_commands_docstring():
    import click

    from brag.cli import LAZY_COMMANDS, cli

    ctx = click.Context(cli)
    for name, (_target, summary) in LAZY_COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        first = (command.help or "").split("\n\n")[0]
        assert " ".join(first.split()) == summary, name


def test_check_and_add_exit_through_the_one_error_path(brag, journal, tmp_path, monkeypatch):
    # `brag check` with problems: exit 1, its findings on stdout, no "Error:" line.
    (journal.root / "entries" / "bad.md").parent.mkdir(parents=True, exist_ok=True)
    (journal.root / "entries" / "bad.md").write_text("no front matter\n")
    result = brag("check", expect=1)
    assert "broken: entries/bad.md" in result.stdout and "Error" not in result.stderr
    monkeypatch.setenv("EDITOR", write_editor(tmp_path, ""))
    assert brag("add", expect=1).stderr == "Aborted: nothing added\n"
