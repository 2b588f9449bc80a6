from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from brag import __version__
from brag.entry import Entry

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


def test_search_words_are_literal_and_any_case_in_any_script(brag, journal):
    brag("add", "Cut cloud spend 50%", "-d", "2026-03-01")
    brag("add", "Cut cloud spend 50 times over", "-d", "2026-03-02")
    brag("add", "Renamed user_id to account_id", "-d", "2026-03-03")
    brag("add", "Renamed userXid everywhere", "-d", "2026-03-04")
    brag("add", "Straße der Pakete", "-i", "ÉQUIPE happier", "-d", "2026-03-05")
    brag("add", "Back\\slash handling", "-d", "2026-03-06")

    def titles(*words: str) -> list[str]:
        return [e["title"] for e in json.loads(brag("search", *words, "--json").stdout)]

    assert titles("50%") == ["Cut cloud spend 50%"]  # % is a character, not a wildcard
    assert titles("user_id") == ["Renamed user_id to account_id"]  # so is _
    assert titles("STRASSE") == ["Straße der Pakete"]  # case-folded, beyond ASCII
    assert titles("équipe") == ["Straße der Pakete"]
    assert titles("back\\slash") == ["Back\\slash handling"]
    assert titles("cut", "TIMES") == ["Cut cloud spend 50 times over"]  # every word
    assert brag("search", "nowhere", expect=0).stderr.strip() == "No entries."
    for blank in ([""], ["  ", ""]):  # an unset shell variable: not every entry
        found = brag("search", *blank, expect=2)
        assert found.stdout == ""
        assert "give a word to search for" in found.stderr


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
    assert brag("config", "get", "sync.auto").stdout.strip() == "true"
    assert 'name = "Ada Lovelace"' in brag("config").stdout
    assert "user.email is not set" in brag("config", "get", "user.email", expect=1).stderr
    assert (
        "unknown setting 'user.nothing'" in brag("config", "get", "user.nothing", expect=1).stderr
    )


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
    assert "All good: 1 entry." in brag("check").stdout


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


# -- issue 12: every command does exactly what it says ------------------------

BRAG = str(Path(sys.executable).parent / "brag")


def real(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, in the test's environment."""
    return subprocess.run(
        [BRAG, *args], capture_output=True, text=True, env=os.environ, input=input
    )


def head(journal) -> str:
    return git(journal.root, "rev-parse", "HEAD").strip()


def status(journal) -> str:
    return git(journal.root, "status", "--porcelain").strip()


def entries(brag) -> list[dict]:
    return json.loads(brag("list", "--json").stdout)


def test_edits_that_change_nothing_succeed_without_a_commit(journal):
    added = real("add", "Cut p99 to 200ms", "-i", "cart abandonment down 3%", "-t", "perf")
    assert added.returncode == 0, added.stderr
    entry_id = json.loads(real("list", "--json").stdout)[0]["id"]
    before = head(journal)
    cases = [
        (("--untag", "nonexistent"), f"Nothing to change: {entry_id} has no tag 'nonexistent'"),
        (("--public",), f"Nothing to change: {entry_id} is already public"),
        (
            ("-i", "cart abandonment down 3%"),
            f"Nothing to change: {entry_id} already has that impact",
        ),  # noqa: E501
        (("-t", "perf"), f"Nothing to change: {entry_id} already has tag 'perf'"),
        (("--title", "Cut p99 to 200ms"), f"Nothing to change: {entry_id} already has that title"),
    ]
    for args, message in cases:
        result = real("edit", entry_id, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == message
    assert head(journal) == before and status(journal) == ""
    [entry] = json.loads(real("list", "--json").stdout)
    assert entry["tags"] == ["perf"] and entry["private"] is False


def test_duplicate_add_is_refused_and_force_keeps_both(journal):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    first = real("add", "Cut checkout p99 from 800ms to 200ms", "-d", yesterday)
    entry_id = first.stdout.split()[1].rstrip(":")
    before = head(journal)
    again = real("add", "cut checkout p99 from 800ms to 200ms!")
    assert again.returncode == 1
    assert again.stderr.strip().startswith(
        f"Not added: looks like {entry_id} from yesterday: "
        "'Cut checkout p99 from 800ms to 200ms'; add --force to keep both"
    )
    assert head(journal) == before and status(journal) == ""
    assert len(json.loads(real("list", "--json").stdout)) == 1
    forced = real("add", "cut checkout p99 from 800ms to 200ms!", "--force")
    assert forced.returncode == 0
    new_id = forced.stdout.split()[1].rstrip(":")
    raw = real("show", new_id, "--raw").stdout
    assert "distinct_from" in raw and f'"{entry_id}"' in raw.split("distinct_from", 1)[1]
    assert "likely duplicates" not in real("check").stdout  # both meant


def test_the_same_add_twice_changes_nothing_and_says_so(journal):
    """An add run twice (shell history, a script re-run) finds the very entry it
    asks for already there: exit 0, nothing written. A different tag or impact is
    still the duplicate check's refusal."""
    args = ("add", "Cut checkout p99 from 800ms to 200ms", "-i", "cart abandonment down 3%",
            "-t", "perf", "-m", "p99: 800ms -> 200ms", "-w", "Sam Lee")  # fmt: skip
    first = real(*args)
    assert first.returncode == 0, first.stderr
    entry_id = first.stdout.split()[1].rstrip(":")
    before = head(journal)
    again = real(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == (
        f"Already in the journal: {entry_id} from today: "
        "Cut checkout p99 from 800ms to 200ms; nothing added"
    )
    as_json = real(*args, "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["id"] == entry_id
    assert head(journal) == before and status(journal) == ""
    assert len(json.loads(real("list", "--json").stdout)) == 1
    other = real("add", "Cut checkout p99 from 800ms to 200ms", "-i", "cart abandonment down 4%",
                 "-t", "perf", "-m", "p99: 800ms -> 200ms", "-w", "Sam Lee")  # fmt: skip
    assert other.returncode == 1 and other.stderr.startswith("Not added: looks like")
    forced = real(*args, "--force")  # both kept, on purpose
    assert forced.returncode == 0 and forced.stdout.startswith("Added ")
    assert len(json.loads(real("list", "--json").stdout)) == 2


def test_duplicates_are_found_with_and_without_an_index_and_in_hand_written_files(brag, journal):
    from brag.index import index_location

    brag("add", "Moved billing to the new queue", "-d", "2026-03-02")
    assert not index_location(journal.root).exists()  # no read yet: files are read
    refused = brag("add", "moved billing to the new queue", "-d", "2026-03-03", expect=1)
    assert "looks like" in refused.stderr
    brag("list")  # now there is an index, and add asks it
    assert index_location(journal.root).exists()
    refused = brag("add", "Moved Billing to the new queue", "-d", "2026-03-01", expect=1)
    assert "looks like" in refused.stderr
    typed = Entry(title="Rotated the signing keys", date=dt.date(2026, 3, 4))
    (journal.root / typed.default_path()).write_text(typed.to_markdown())  # by hand, uncommitted
    refused = brag("add", "rotated the signing keys", "-d", "2026-03-05", expect=1)
    assert f"looks like {typed.id}" in refused.stderr
    assert len(entries(brag)) == 2
    # An indexed entry edited by hand: its row is stale, the file is read instead.
    [billing] = [e for e in entries(brag) if e["title"].startswith("Moved")]
    path = journal.root / billing["path"]
    text = path.read_text(encoding="utf-8")
    with open(path, "w", encoding="utf-8") as fh:  # in place
        fh.write(text.replace("Moved billing to the new queue", "Sharded the ledger"))
    refused = brag("add", "sharded the ledger", "-d", "2026-03-03", expect=1)
    assert f"looks like {billing['id']} from 2026-03-02: 'Sharded the ledger'" in refused.stderr
    brag("add", "Moved billing to the new queue", "-d", "2026-03-03")  # no longer a duplicate


def test_add_reads_only_the_window_and_sees_a_date_edited_into_it(brag, journal, monkeypatch):
    from brag import index

    brag("add", "Retired the old cron host", "-d", "2026-03-01")
    brag("add", "Moved billing to the new queue", "-d", "2026-03-28")
    brag("list")  # the index is warm
    unpacked: list[str] = []
    real = index.unpack
    monkeypatch.setattr(index, "unpack", lambda blob: unpacked.append(1) or real(blob))
    refused = brag("add", "moved billing to the new queue", "-d", "2026-03-30", expect=1)
    assert "looks like" in refused.stderr
    assert len(unpacked) == 1  # March 1 is outside the window: its row was not unpacked
    # A hand edit moves the old entry into the window: its file is read, not skipped.
    [cron] = [e for e in entries(brag) if e["title"].startswith("Retired")]
    path = journal.root / cron["path"]
    text = path.read_text(encoding="utf-8")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("date = 2026-03-01", "date = 2026-03-29"))
    refused = brag("add", "Retired the old cron host", "-d", "2026-03-30", expect=1)
    assert f"looks like {cron['id']}" in refused.stderr
    assert len(entries(brag)) == 2


def test_add_unpacks_only_rows_with_the_same_title_unless_it_has_a_metric(
    brag, journal, monkeypatch
):
    """Without a measurement, only an entry whose title normalises the same can be
    the same story: the other rows in the window stay packed in the index."""
    from brag import index

    for i, title in enumerate(["Retired the cron host", "Moved billing", "Tuned the cache"]):
        brag("add", title, "-d", f"2026-03-0{i + 1}", "-m", f"cost: {i + 10} -> {i + 5}")
    brag("list")  # the index is warm
    unpacked: list[str] = []
    real = index.unpack
    monkeypatch.setattr(index, "unpack", lambda blob: unpacked.append(1) or real(blob))
    refused = brag("add", "moved  Billing!", "-d", "2026-03-04", expect=1)
    assert "looks like" in refused.stderr and len(unpacked) == 1
    unpacked.clear()
    brag("add", "Something else entirely", "-d", "2026-03-04")
    assert unpacked == []
    unpacked.clear()
    refused = brag("add", "Cheaper cron", "-d", "2026-03-04", "-m", "cost: 10 -> 5", expect=1)
    assert "looks like" in refused.stderr  # the metric matches: every row was compared
    assert len(unpacked) >= 3
    # Accents and case set aside in the index's stored form as in the title typed.
    brag("add", "Réécrit le cache à chaud", "-d", "2026-03-05")
    brag("list")
    unpacked.clear()
    refused = brag("add", "reecrit le CACHE a chaud.", "-d", "2026-03-06", expect=1)
    assert "looks like" in refused.stderr and len(unpacked) == 1
    assert len(entries(brag)) == 5


def test_add_runs_no_git_status(brag, journal, monkeypatch):
    """The duplicate check takes unchanged rows from the index without a refresh."""
    from brag import index

    brag("add", "First thing", "-d", "2026-03-02")
    brag("list")
    calls: list[tuple[str, ...]] = []
    real = index._git
    monkeypatch.setattr(index, "_git", lambda root, *a: calls.append(a) or real(root, *a))
    brag("add", "Second thing", "-d", "2026-03-03")
    assert calls == []
    assert [e["title"] for e in entries(brag)] == ["Second thing", "First thing"]


def test_a_metric_match_is_a_duplicate_too(brag, journal):
    brag("add", "Checkout latency work", "-m", "p99: 800ms -> 200ms")
    result = brag("add", "Made checkout faster", "-m", "p99 latency: 800ms -> 200ms", expect=1)
    assert "looks like" in result.stderr
    assert len(entries(brag)) == 1


def test_check_lists_duplicates_and_edit_merge_resolves_them(brag, journal):
    brag("add", "Launched search v2", "-d", "2026-03-02", "-t", "search", "-i", "faster")
    keep = entries(brag)[0]
    # A hand-copied file: the same story a day later, with more to say.
    path = journal.root / "entries/2026/03/2026-03-03-launched-search-v2.md"
    path.write_text(
        '+++\nid = "abcdef12"\ndate = 2026-03-03\ntitle = "Launched Search v2"\n'
        'tags = ["launch"]\nimpact = "queries 3x faster for 2M users"\nwith = ["Sam"]\n+++\n'
        "The long story.\n"
    )
    git(journal.root, "add", ".")
    git(journal.root, "commit", "-qm", "copied by hand")
    result = brag("check")
    assert f"likely duplicates: {keep['id']} 2026-03-02 'Launched search v2'" in result.stdout
    assert f"'brag edit {keep['id']} --merge abcdef12'" in result.stdout
    before = int(git(journal.root, "rev-list", "--count", "HEAD"))
    merged = brag("edit", keep["id"], "--merge", "abcdef")
    assert "Merged abcdef12 into" in merged.stdout
    assert int(git(journal.root, "rev-list", "--count", "HEAD")) == before + 1  # one commit
    [entry] = entries(brag)
    shown = json.loads(brag("show", keep["id"], "--json").stdout)
    assert entry["tags"] == ["search", "launch"]
    assert shown["impact"] == "queries 3x faster for 2M users"
    assert shown["with"] == ["Sam"] and "The long story." in shown["body"]
    assert not path.exists() and status(journal) == ""
    assert "likely duplicates" not in brag("check").stdout


def test_changing_date_or_title_moves_the_file_in_the_same_commit(brag, journal):
    # A realistic entry: git pairs a rename by content, and a tiny file is mostly stamps.
    body = "Why we chose the log-structured store.\n" * 3
    brag("add", "Wrote the design doc", "-d", "2026-03-02", "-i", "unblocked the storage team",
         "-t", "design", "-w", "Sam", "--body", body)  # fmt: skip
    entry = entries(brag)[0]
    assert entry["path"] == "entries/2026/03/2026-03-02-wrote-the-design-doc.md"
    before = int(git(journal.root, "rev-list", "--count", "HEAD"))
    out = brag("edit", entry["id"], "-d", "2026-04-10", "--title", "Wrote the storage RFC").stdout
    new_path = "entries/2026/04/2026-04-10-wrote-the-storage-rfc.md"
    assert f"(moved to {new_path})" in out
    assert entries(brag)[0]["path"] == new_path
    assert not (journal.root / entry["path"]).exists()
    assert int(git(journal.root, "rev-list", "--count", "HEAD")) == before + 1
    assert status(journal) == ""
    follow = git(journal.root, "log", "--follow", "--format=%s", "--", new_path).splitlines()
    assert follow == ['brag: edit "Wrote the storage RFC"', 'brag: add "Wrote the design doc"']
    # A changed impact does not move anything.
    brag("edit", entry["id"], "-i", "unblocked two teams")
    assert entries(brag)[0]["path"] == new_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-d", "2099-03-01"), "2099-03-01 is in the future: brag records what you did, not plans"),
        (("--url", "notaurl"), "--url 'notaurl' is not a link"),
        (("--url", "javascript:alert(1)"), "only http(s) links, brag: links or relative paths"),
        (("--url", "example.com/pr/1"), "did you mean https://example.com/pr/1?"),
        (("-t", "two words"), "tag 'two words' has a space: tags are single words (try two-words)"),
        (("-m", "users: 1000000000000000000000000000000"), "too large to be a measurement"),
    ],
)
def test_bad_input_is_one_line_and_nothing_written(journal, args, message):
    before = head(journal)
    result = real("add", "Shipped the thing", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert head(journal) == before and status(journal) == ""


def test_good_links_and_future_with_flag(brag, journal):
    for url in ("https://github.com/acme/api/pull/1", "brag:3f9c", "./docs/design.md", "docs/a.md"):
        brag("edit", brag("add", f"Thing {url}", "--url", url).stdout.split()[1].rstrip(":"),
             "--url", url)  # fmt: skip
    brag("add", "Planned launch", "-d", "2099-01-01", "--future")
    assert entries(brag)[0]["date"] == "2099-01-01"


def test_absurd_counts_are_one_clear_line(journal):
    result = real("list", "-n", str(10**30))
    assert result.returncode == 2
    assert "is more than brag can use (at most 1,000,000)" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_says_the_next_step_and_becomes_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("BRAG_DIR")
    target = tmp_path / "my-journal"
    result = real("init", str(target))
    assert result.returncode == 0, result.stderr
    assert f"Created a journal at {target}" in result.stdout
    assert "It is now this machine's default journal" in result.stdout
    assert 'brag add "What you shipped"' in result.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    added = subprocess.run(
        [BRAG, "add", "From another folder"], capture_output=True, text=True, cwd=elsewhere
    )
    assert added.returncode == 0 and "Created" not in added.stderr
    assert "From another folder" in git(target, "log", "-1", "--format=%s")
    second = real("init", str(tmp_path / "second"))
    assert "Next: cd " in second.stdout
    assert f"brag config --machine journal {tmp_path / 'second'}" in second.stdout
    assert "default" not in second.stdout.splitlines()[1].split("make it")[0]
    again = real("init", str(target)).stdout.strip()
    assert again == f"Nothing to change: {target} is already a journal"


def test_first_add_on_a_machine_creates_the_default_and_a_lost_default_is_not_replaced(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("BRAG_DIR")
    first = real("add", "The very first win")
    assert first.returncode == 0, first.stderr
    data = tmp_path / "xdg-data" / "brag"
    assert f"Created your journal at {data}" in first.stderr
    assert (data / "brag.toml").exists()
    assert "Created" not in real("add", "The second win").stderr
    moved = tmp_path / "moved-away"
    assert real("config", "--machine", "journal", str(moved)).returncode == 0
    lost = real("add", "A third win")
    assert lost.returncode == 1
    assert f"your default journal {moved} is missing" in lost.stderr
    assert not moved.exists()


def test_init_on_an_impossible_path_is_one_line(journal):
    result = real("init", "/proc/nope/journal")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: cannot create a journal at /proc/nope/journal")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_commands_and_kinds_get_did_you_mean():
    assert "unknown import source 'gihub'; did you mean github" in real("import", "gihub").stderr
    assert (
        # "or peer-brief?" follows: both are close.
        "unknown export kind 'promo-brif'; did you mean promo-brief"
        in real("export", "promo-brif").stderr
    )
    assert "unknown command 'serach'; did you mean search" in real("serach").stderr


def test_ambiguous_id_cuts_titles_at_a_word_boundary(brag, journal):
    for n in (1, 2):
        (journal.root / "entries").mkdir(exist_ok=True)
        (journal.root / "entries" / f"e{n}.md").write_text(
            f'+++\nid = "abcd000{n}"\ndate = 2026-03-0{n}\n'
            f'title = "Rebuilt the deployment pipeline for every service team {n}"\n+++\n'
        )
    result = brag("show", "abcd", expect=1)
    assert "abcd0001 (Rebuilt the deployment…)" in result.stderr


def _every_command(runner):
    """(path, command) for every command, subcommand, import source and export kind."""
    import click

    from brag.cli import cli

    def walk(command, path, parent):
        ctx = click.Context(command, info_name=path[-1] if path else "brag", parent=parent)
        yield path, command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), [*path, name], ctx)

    return list(walk(cli, [], None))


def test_every_command_and_kind_shows_an_example(brag, runner):
    missing = []
    walked = _every_command(runner)
    names = {" ".join(p) for p, _ in walked}
    assert {"import github", "export promo-brief", "config unset", "remote set", "rm"} <= names
    for path, _command in walked:
        if not path:
            continue
        text = brag(*path, "--help").stdout
        wanted = "brag " + " ".join(path)
        lines = [line.strip() for line in text.splitlines()]
        if not any(line.startswith(wanted) or f"$({wanted}" in line for line in lines):
            missing.append(wanted)
    assert missing == []


def test_short_flags_mean_one_thing_everywhere(runner):
    import click

    meaning = {"-a": "--area", "-A": "--audience", "-T": "--target", "-s": "--since",
               "-u": "--until", "-p": "--period", "-i": "--impact", "-t": "--tag"}  # fmt: skip
    for path, command in _every_command(runner):
        options = [p for p in command.params if isinstance(p, click.Option)]
        for option in options:
            longs = [o for o in option.opts if o.startswith("--")]
            for short in (o for o in option.opts if len(o) == 2):
                if short in meaning:
                    assert meaning[short] in longs, (path, option.opts)
                if short == "-n":
                    expected = "--dry-run" if path[:1] == ["import"] else "--limit"
                    assert expected in longs, (path, option.opts)
            for short, long in meaning.items():
                if long in longs and short in ("-A", "-T", "-s", "-u", "-p"):
                    assert short in option.opts, (path, option.opts)
        order = [o.opts[0] for o in options if o.opts[0] in ("--since", "--until", "--period")]
        if order:
            assert order == ["--since", "--until", "--period"], path


def _forget_git_identity(tmp_path, monkeypatch):
    bare = tmp_path / "no-identity.gitconfig"
    bare.write_text("[user]\n\tuseConfigOnly = true\n[commit]\n\tgpgsign = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(bare))
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)


def test_git_without_identity_leaves_nothing_behind(journal, tmp_path, monkeypatch):
    assert real("add", "Shipped the thing", "-t", "a").returncode == 0
    entry_id = json.loads(real("list", "--json").stdout)[0]["id"]
    before = head(journal)
    _forget_git_identity(tmp_path, monkeypatch)
    for args in (("add", "Another win"), ("edit", entry_id, "-t", "b", "--title", "Renamed"),
                 ("rm", entry_id)):  # fmt: skip
        result = real(*args)
        assert result.returncode == 1, args
        assert "git config --global user.email" in result.stderr, args
        assert "Traceback" not in result.stderr
        assert head(journal) == before and status(journal) == "", args
    [entry] = json.loads(real("list", "--json").stdout)
    assert (entry["title"], entry["tags"]) == ("Shipped the thing", ["a"])
    assert real("check").returncode == 0


def test_rm_of_an_imported_entry_without_identity_leaves_nothing(journal, tmp_path, monkeypatch):
    csv = tmp_path / "wins.csv"
    csv.write_text("date,title\n2026-03-02,Shipped the importer\n")
    assert real("import", "file", str(csv)).returncode == 0
    entry_id = json.loads(real("list", "--json").stdout)[0]["id"]
    before = head(journal)
    _forget_git_identity(tmp_path, monkeypatch)
    result = real("rm", entry_id)
    assert result.returncode == 1 and "git config --global user.email" in result.stderr
    assert head(journal) == before and status(journal) == ""
    assert [e["id"] for e in json.loads(real("list", "--json").stdout)] == [entry_id]


def test_list_is_coloured_on_a_terminal_and_plain_when_piped(runner, journal):
    from brag.cli import cli

    runner.invoke(cli, ["add", "Cut p99 \x1b[31mlatency", "-i", "faster", "-t", "perf"])
    piped = runner.invoke(cli, ["list"])
    assert piped.exit_code == 0
    assert "\x1b" not in piped.stdout
    assert "Cut p99 latency  → faster  #perf" in piped.stdout
    coloured = runner.invoke(cli, ["list"], color=True)
    assert "\x1b[33m" in coloured.stdout  # the id, yellow
    assert "\x1b[31m" not in coloured.stdout  # the title's own escape is still stripped
    assert "Cut p99 latency" in coloured.stdout
    ranked = runner.invoke(cli, ["list", "--rank"], color=True)
    assert "\x1b[34m" in ranked.stdout  # the score, blue


def _modules_after(*args: str) -> set[str]:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from brag.cli import cli\n"
        f"try:\n    cli.main({list(args)!r}, prog_name='brag')\n"
        "except SystemExit:\n    pass\n"
        "print('\\nMODULES', *sorted(sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "MODULES" in proc.stdout, proc.stderr
    return set(proc.stdout.rpartition("MODULES")[2].split())


def test_help_and_list_import_only_what_they_use(brag, journal):
    """The commands run most often stay off the costly imports (docs/benchmarks.md)."""
    brag("add", "Cut p99 latency", "-i", "faster checkout")
    never = {"pluggy", "importlib.metadata", "jinja2", "git", "httpx", "rich", "brag.impact"}
    loaded = _modules_after("--help")
    assert not never & loaded
    assert not {m for m in loaded if m.startswith("brag.plugins")}
    # The quick lane's option tables are click's too: they cost --help no entry model.
    assert not {"brag.entry", "brag.journal", "brag.index"} & loaded
    loaded = _modules_after("list", "-n", "1")
    assert not (never | {"brag.inbox", "brag.dates"}) & loaded
    assert "brag.index" in loaded  # it did list, from the index


def test_piped_lines_from_the_index_match_the_coloured_ones(runner, journal):
    """brag list/search piped print the line the index stores; a terminal formats
    the entry itself. Both must say the same thing."""
    from brag.cli import cli

    for args in (
        ["Cut p99   from 800ms\tto 200ms", "-i", "cart  abandonment\ndown 3%", "-t", "perf"],
        ["Größe der Tabelle halbiert", "-t", "db", "-t", "Ops", "--private"],
        ["Plain title"],
    ):
        assert runner.invoke(cli, ["add", *args, "-d", "2026-03-02"]).exit_code == 0
    for command in (["list"], ["search", "GRÖSSE"], ["search", "abandonment", "down"]):
        piped = runner.invoke(cli, command)
        coloured = runner.invoke(cli, command, color=True)
        assert piped.exit_code == coloured.exit_code == 0
        assert piped.stdout == click.unstyle(coloured.stdout)
        assert piped.stdout.strip(), command
    found = runner.invoke(cli, ["search", "GRÖSSE"]).stdout
    assert "Größe der Tabelle halbiert  #db #Ops  (private)" in found
    listed = runner.invoke(cli, ["list"]).stdout
    assert "Cut p99 from 800ms to 200ms  → cart abandonment down 3%  #perf" in listed
    assert runner.invoke(cli, ["search", "nowhere"]).stderr.strip() == "No entries."


_SHORT_OPTIONS = """
import sys
from brag.cli import cli
from brag.cli.entries import add, list_, search

def params(command, args):
    return command.make_context(command.name, list(args)).params

assert params(list_, ["-n", "5"]) == params(list_, ["--limit", "5"])
assert params(search, ["-n", "3", "latency"]) == params(search, ["--limit", "3", "latency"])
short = params(add, ["-t", "perf", "-i", "-n", "Cut p99"])  # "-n" here is -i's value
assert short == params(add, ["--tag", "perf", "--impact", "-n", "Cut p99"]), short
assert short["impact"] == "-n" and short["text"] == ("Cut p99",)
assert params(cli, ["-C", "/j", "list"])["directory"] == "/j"
print("difflib" in sys.modules)
assert params(list_, ["-n5"])["limit"] == 5  # attached: click's own short path
"""


def test_short_options_parse_as_their_long_forms_without_the_error_path():
    """``-n 5`` means exactly ``--limit 5`` (a value that looks like an option
    stays a value), found without click first building a "no such option"
    error for it (which imports difflib)."""
    proc = subprocess.run(
        [sys.executable, "-c", _SHORT_OPTIONS], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
