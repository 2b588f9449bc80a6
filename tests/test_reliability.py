"""Faults and bad input: killed processes, repositories in odd states, secrets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brag import hookimpl
from brag.errors import ImportSourceError
from brag.importing import Importer
from brag.journal import Journal

from conftest import git

BIN = Path(sys.executable).parent
TOKEN = "ghp_test_SECRET123"
PASSWORD = "hunter2-test-password"


def console_script() -> str:
    script = BIN / "brag"
    assert script.exists(), "the brag console script is not installed: pip install -e ."
    return str(script)


def killed_at(point: str, tmp_path: Path, *args: str) -> None:
    """Run the real ``brag ARGS``, wait until it reaches ``point``, SIGKILL it there."""
    flag = tmp_path / f"reached-{point}"
    env = {**os.environ, "BRAG_TEST_PAUSE": f"{point}:{flag}"}
    proc = subprocess.Popen(
        [console_script(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not flag.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"brag exited before {point}: {out!r} {err!r}")
        assert time.monotonic() < deadline, f"brag never reached {point}"
        time.sleep(0.01)
    assert flag.read_text() == str(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    flag.unlink()


def titles(brag) -> list[str]:
    return sorted(e["title"] for e in json.loads(brag("list", "--json").stdout))


def assert_clean(root: Path) -> None:
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    fsck = subprocess.run(["git", "-C", str(root), "fsck", "--strict"], capture_output=True)
    assert fsck.returncode == 0, fsck.stderr


# -- crash safety -----------------------------------------------------------------------------


def test_add_killed_before_commit_is_recovered_by_the_next_command(brag, journal, tmp_path):
    brag("add", "Before the crash")
    killed_at("before-commit", tmp_path, "add", "Killed mid-add", "-t", "crash")

    # The file is written, not committed.
    [orphan] = [
        line[3:]
        for line in git(journal.root, "status", "--porcelain", "--untracked-files=all").splitlines()
    ]
    assert orphan.startswith("entries/") and orphan.endswith("-killed-mid-add.md")
    # The next command, even one that only reads, commits it with a note.
    listed = brag("list", "--json")
    assert f"note: committed {orphan}, left uncommitted by an interrupted command" in listed.stderr
    assert sorted(e["title"] for e in json.loads(listed.stdout)) == [
        "Before the crash",
        "Killed mid-add",
    ]
    log = git(journal.root, "log", "--format=%s").splitlines()
    assert log[0] == "brag: recover 1 entry left uncommitted by an interrupted command"
    after = brag("add", "After the crash")
    assert "note:" not in after.stderr
    assert titles(brag) == ["After the crash", "Before the crash", "Killed mid-add"]
    assert "crash" in brag("tags").stdout
    assert brag("check").exit_code == 0
    assert_clean(journal.root)
    assert not list((journal.root / ".git" / "brag" / "writers").iterdir())


def test_add_killed_during_the_atomic_write_leaves_nothing_behind(brag, journal, tmp_path):
    killed_at("before-rename", tmp_path, "add", "Killed mid-write")
    month = next((journal.root / "entries").glob("*/*"))
    leftovers = sorted(p.name for p in month.iterdir())
    # An empty placeholder (the reserved name) and the unfinished temporary file.
    assert any(n.startswith(".brag-") and n.endswith(".tmp") for n in leftovers), leftovers
    assert any(n.endswith("-killed-mid-write.md") for n in leftovers), leftovers
    # The next command cleans both away: no broken entry, no warning.
    listed = brag("list")
    assert listed.stderr == (
        "brag: note: removed 1 unfinished temporary file(s) of an interrupted write\nNo entries.\n"
    )
    assert list(month.iterdir()) == []
    after = brag("add", "After the crash")
    assert "note:" not in after.stderr
    [survivor] = list(month.iterdir())
    assert survivor.name.endswith("-after-the-crash.md")
    assert titles(brag) == ["After the crash"]
    assert brag("check").exit_code == 0
    assert_clean(journal.root)


def test_rm_killed_before_commit_loses_nothing(brag, journal, tmp_path):
    brag("add", "Keep me safe", "--json")
    [entry] = json.loads(brag("list", "--json").stdout)
    killed_at("before-commit", tmp_path, "rm", entry["id"])
    assert not (journal.root / entry["path"]).exists()
    result = brag("add", "Next")
    assert f"restored {entry['path']}" in result.stderr
    assert titles(brag) == ["Keep me safe", "Next"]
    assert_clean(journal.root)


def test_stale_git_index_lock_from_a_killed_git_is_removed(brag, journal, tmp_path):
    """Simulated: git itself killed mid-commit leaves .git/index.lock (aged 2 minutes)."""
    killed_at("before-commit", tmp_path, "add", "Orphan")
    lock = journal.root / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 120
    os.utime(lock, (old, old))
    result = brag("add", "Next")
    assert "removed a stale .git/index.lock" in result.stderr
    assert titles(brag) == ["Next", "Orphan"]
    assert_clean(journal.root)


@pytest.mark.parametrize("name", ["HEAD.lock", "refs/heads/main.lock", "packed-refs.lock"])
def test_stale_ref_lock_from_a_git_killed_mid_commit_is_removed(brag, journal, tmp_path, name):
    """git killed while it updates the branch leaves a ref lock: the next command
    removes it (nobody has it open) and the add lands, on the branch brag uses."""
    killed_at("before-commit", tmp_path, "add", "Orphan")
    branch = git(journal.root, "symbolic-ref", "--short", "HEAD").strip()
    lock = journal.root / ".git" / name.replace("main", branch)
    lock.write_text("")
    result = brag("add", "Next")
    assert f"removed a stale .git/{name.replace('main', branch)}" in result.stderr
    assert not lock.exists()
    assert titles(brag) == ["Next", "Orphan"]
    assert_clean(journal.root)


def test_recovery_never_touches_a_running_writer(brag, journal, tmp_path):
    """While a live brag holds the write lock, other commands neither wait nor recover."""
    flag = tmp_path / "reached"
    env = {**os.environ, "BRAG_TEST_PAUSE": f"before-commit:{flag}"}
    proc = subprocess.Popen(
        [console_script(), "add", "Slow writer"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        result = brag("add", "Fast writer")
        assert "note:" not in result.stderr
        flag.unlink()  # let the slow writer go on and commit
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert titles(brag) == ["Fast writer", "Slow writer"]
    assert_clean(journal.root)


# -- repositories brag must not write to -------------------------------------------------------


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("Error: ") and "Traceback" not in result.output
    for needle in needles:
        assert needle in message, message


def test_not_a_git_repository(brag, journal_dir):
    journal_dir.mkdir()
    (journal_dir / "brag.toml").write_text("[user]\n")
    for args in (("list",), ("add", "x"), ("sync",), ("check",)):
        one_line_error(brag(*args, expect=1), "is not a git repository", "brag init")
    assert not (journal_dir / "entries").exists()


def test_missing_brag_toml(brag, journal_dir):
    journal_dir.mkdir()
    git(journal_dir, "init", "--quiet")
    for args in (("list",), ("sync",), ("edit", "abc"), ("import",)):
        one_line_error(brag(*args, expect=1), "has no brag.toml", "brag init")


def test_brag_toml_with_a_syntax_error(brag, journal):
    brag("add", "Before")
    journal.config_path.write_text('[user]\nname = "unterminated\n')
    head = git(journal.root, "rev-parse", "HEAD")
    for args in (("list",), ("add", "x"), ("sync",), ("config", "get", "user.name")):
        one_line_error(brag(*args, expect=1), "brag.toml", "line 2")
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert git(journal.root, "status", "--porcelain") == " M brag.toml\n"


def test_detached_head(brag, journal):
    brag("add", "On main")
    git(journal.root, "checkout", "--quiet", "--detach")
    head = git(journal.root, "rev-parse", "HEAD")
    for args in (("add", "x"), ("sync",), ("rm", "x"), ("config", "set", "user.name", "A")):
        one_line_error(brag(*args, expect=1), "HEAD is detached", "git switch")
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert titles(brag) == ["On main"]  # reading is harmless and still works
    assert git(journal.root, "status", "--porcelain") == ""


def test_repository_in_the_middle_of_a_merge(brag, journal):
    root = journal.root
    brag("add", "Before the merge")
    git(root, "checkout", "--quiet", "-b", "other")
    (root / "README.md").write_text("other side\n")
    git(root, "commit", "--quiet", "-am", "other")
    git(root, "checkout", "--quiet", "main")
    (root / "README.md").write_text("main side\n")
    git(root, "commit", "--quiet", "-am", "main")
    merge = subprocess.run(["git", "-C", str(root), "merge", "other"], capture_output=True)
    assert merge.returncode != 0 and (root / ".git" / "MERGE_HEAD").exists()
    head = git(root, "rev-parse", "HEAD")
    for args in (("add", "x"), ("sync",), ("edit", "x", "--title", "y")):
        one_line_error(brag(*args, expect=1), "in the middle of a git merge", "merge --abort")
    assert git(root, "rev-parse", "HEAD") == head
    assert not [p for p in (root / "entries").rglob("*.md") if "x" in p.stem.split("-")]
    assert titles(brag) == ["Before the merge"]


def test_read_only_journal(brag, journal, tmp_path):
    brag("add", "Written while writable")
    head = git(journal.root, "rev-parse", "HEAD")
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(journal.root)], check=True)
        try:
            one_line_error(brag("add", "x", expect=1), "read-only")
            assert titles(brag) == ["Written while writable"]
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(journal.root)], check=True)
    else:
        # As root, permissions do not stop writes: mount the journal read-only in a
        # private mount namespace instead (a real EROFS), and run the real console script.
        root = str(journal.root)
        script = (
            f"mount --bind {root} {root} && mount -o remount,bind,ro {root} && "
            f"exec {console_script()} -C {root} add x && exit 99"
        )
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", f"mount --bind {root} {root}"], capture_output=True
        )
        if probe.returncode != 0:
            pytest.skip("running as root without mount namespaces: cannot make it read-only")
        result = subprocess.run(
            ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True
        )
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: the journal at"), lines
        assert "is read-only" in lines[0]
        listed = subprocess.run(
            ["unshare", "-m", "sh", "-c", script.replace("add x && exit 99", "list")],
            capture_output=True,
            text=True,
        )
        assert listed.returncode == 0, listed.stderr
        assert "Written while writable" in listed.stdout
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert_clean(journal.root)


# -- secrets --------------------------------------------------------------------------------


class LeakyImporters:
    """Importers whose failures carry secrets, as a careless HTTP client's would."""

    @hookimpl
    def register_importers(self, register):
        def polite(context):
            raise ImportSourceError(
                f"GET https://bot:{PASSWORD}@api.example.test/items failed (token {TOKEN})"
            )

        def buggy(context):
            raise RuntimeError(f"unexpected reply to Authorization: token {TOKEN}")

        register(Importer(name="polite", help="Fails cleanly.", fetch=polite))
        register(Importer(name="buggy", help="Fails with a bug.", fetch=buggy))


@pytest.fixture
def leaky():
    from brag import manager

    plugin = LeakyImporters()
    manager.get_plugin_manager().register(plugin, name="leaky")
    yield plugin


def test_secrets_never_appear_in_output_errors_logs_or_commits(
    brag, journal, monkeypatch, leaky, bare_remote
):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("JIRA_PASSWORD", PASSWORD)
    journal.config_path.write_text(
        '[user]\nname = "A"\n[import.polite]\nx = 1\n[import.buggy]\nx = 1\n'
    )
    git(journal.root, "commit", "--quiet", "-am", "configure importers")
    url = f"file://bot:{PASSWORD}@{bare_remote}"
    runs = [
        brag("remote", "set", f"https://bot:{TOKEN}@127.0.0.1:9/j.git"),
        brag("remote", "show"),
        brag("remote", "set", str(bare_remote)),
        brag("add", "Rotated credentials", "-i", "no more shared tokens"),
        brag("import", "polite", expect=1),
        brag("--debug", "import", "polite", expect=1),
        brag("import", "buggy", expect=1),
        brag("--debug", "import", "buggy", expect=1),
        brag("import", expect=1),
        brag("config", "set", "import.github.token", TOKEN, expect=1),
        brag("config", "set", "import.jira.password", PASSWORD, expect=1),
        brag("remote", "set", url),
        brag("sync", expect=None),
        brag("--debug", "sync", expect=None),
        brag("remote", "show"),
    ]
    for result in runs:
        for secret in (TOKEN, PASSWORD):
            assert secret not in result.stdout, result.stdout
            assert secret not in result.stderr, result.stderr
    # The failures were still reported, masked, and the debug ones with a traceback.
    assert "Error: GET https://***@api.example.test/items failed (token ***)" in runs[4].stderr
    assert "Traceback" in runs[5].stderr and "ImportSourceError" in runs[5].stderr
    assert "RuntimeError: unexpected reply to Authorization: token ***" in runs[6].stderr
    assert "polite: failed:" in runs[8].stderr and "buggy" in runs[8].stderr
    assert "looks like a secret" in runs[9].stderr
    assert "token" not in journal.config_path.read_text()
    history = git(journal.root, "log", "-p", "--format=%an %ae %s %b")
    assert TOKEN not in history and PASSWORD not in history


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(path)], check=True)
    return path


def test_a_token_pasted_into_brag_toml_is_never_printed(brag, journal, leaky):
    journal.config_path.write_text(
        f'[user]\nname = "A"\n\n[import.polite]\napi_token = "{TOKEN}"\n'
        f'[remote_auth]\npassword = "{PASSWORD}"\n'
    )
    runs = [
        brag("config"),
        brag("config", "get", "import.polite.api_token"),
        brag("config", "get", "import.polite", "--json"),
        brag("config", "get", "remote_auth.password"),
        brag("import", "polite", expect=1),
        brag("--debug", "import", "polite", expect=1),
    ]
    for result in runs:
        assert TOKEN not in result.output and PASSWORD not in result.output
    assert 'api_token = "***"' in runs[0].stdout
    assert runs[1].stdout == "***\n"
    assert "token ***" in runs[4].stderr


def test_redact_masks_urls_and_secret_environment_values(monkeypatch):
    from brag.gitcmd import redact

    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    monkeypatch.setenv("SHORT_TOKEN", "abc")  # too short to mask safely
    text = f"https://u:{PASSWORD}@h/x.git {TOKEN} abc ssh://git@h/y"
    assert redact(text) == "https://***@h/x.git *** abc ssh://***@h/y"


def test_blank_titles_are_refused_before_anything_is_written(journal):
    import datetime as dt

    from brag.entry import Entry
    from brag.errors import EntryError

    with pytest.raises(EntryError, match="title must be a non-empty string"):
        journal.add(Entry(title=" \t\n", date=dt.date(2026, 3, 1)))
    assert not (journal.root / "entries").exists()
    assert git(journal.root, "status", "--porcelain") == ""
    assert Journal(journal.root).uncommitted_entries() == []


# -- the editor path: nothing the user typed is lost ------------------------------------------


def editor_script(tmp_path: Path, body: str, name: str = "editor.py") -> str:
    """An $EDITOR running ``body`` (Python) with ``path`` bound to the file it edits."""
    script = tmp_path / name
    script.write_text("import sys, pathlib\npath = pathlib.Path(sys.argv[1])\n" + body)
    return f"{sys.executable} {script}"


def unsaved(root: Path) -> list[str]:
    folder = root / ".git" / "brag" / "unsaved"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_template_left_unchanged_aborts_with_nothing_kept(brag, journal, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("add", expect=1)
    assert result.stderr == "Aborted: nothing added\n"
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert unsaved(journal.root) == []


def test_edit_left_unchanged_is_nothing_to_change(brag, journal, monkeypatch):
    brag("add", "Wrote the storage RFC")
    [entry] = json.loads(brag("list", "--json").stdout)
    head = git(journal.root, "rev-parse", "HEAD")
    monkeypatch.setenv("EDITOR", "true")
    result = brag("edit", entry["id"])
    assert result.stdout == f"Nothing to change: {entry['id']} is as it was\n"
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert unsaved(journal.root) == []


def test_markdown_headings_in_the_body_survive_the_template(brag, journal, tmp_path, monkeypatch):
    from brag.editing import SCISSORS

    text = (
        f"Wrote the storage RFC\nimpact: unblocked 2 teams\n\n## Why\nBecause.\n{SCISSORS}\n# x\n"
    )
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, f"path.write_text({text!r})\n"))
    brag("add")
    [entry] = json.loads(brag("list", "--json").stdout)
    shown = json.loads(brag("show", entry["id"], "--json").stdout)
    assert shown["body"] == "## Why\nBecause.\n"
    assert shown["impact"] == "unblocked 2 teams"
    assert unsaved(journal.root) == []


def test_add_with_a_bad_date_keeps_the_text_and_resumes_it(brag, journal, tmp_path, monkeypatch):
    typed = "Cut p99 from 800ms to 200ms\ndate: last fryday\n\nLong notes I typed.\n"
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, f"path.write_text({typed!r})\n"))
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("add", expect=1)
    assert "last fryday" in result.stderr and "'brag add' reopens your text" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert unsaved(journal.root) == ["add.md"]
    # The next `brag add` opens the same text; the user fixes the date.
    seen = tmp_path / "seen.txt"
    fix = (
        f"pathlib.Path({str(seen)!r}).write_text(path.read_text())\n"
        "path.write_text(path.read_text().replace('last fryday', '2026-03-13'))\n"
    )
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, fix, "fix.py"))
    again = brag("add")
    assert "Resuming your unsaved text from" in again.stderr
    assert seen.read_text() == typed
    [entry] = json.loads(brag("list", "--json").stdout)
    assert (entry["title"], entry["date"]) == ("Cut p99 from 800ms to 200ms", "2026-03-13")
    assert unsaved(journal.root) == []


def test_add_without_a_title_keeps_the_text(brag, journal, tmp_path, monkeypatch):
    typed = "\nimpact: saved $40k a year\n"
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, f"path.write_text({typed!r})\n"))
    result = brag("add", expect=1)
    assert "no title" in result.stderr and "kept in" in result.stderr
    assert unsaved(journal.root) == ["add.md"]
    assert brag("list").stdout == ""


def test_failed_edit_is_reopened_not_overwritten(brag, journal, tmp_path, monkeypatch):
    brag("add", "Keep me", "-d", "2026-03-01")
    [entry] = json.loads(brag("list", "--json").stdout)
    original = (journal.root / entry["path"]).read_text()
    broken = original.replace('title = "Keep me"', 'title = "Keep me\nmy careful words"')
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, f"path.write_text({broken!r})\n"))
    result = brag("edit", entry["id"], expect=1)
    assert "not saved" in result.stderr
    # The natural retry opens the user's text, not the original.
    seen = tmp_path / "seen.txt"
    fix = (
        f"pathlib.Path({str(seen)!r}).write_text(path.read_text())\n"
        "path.write_text(path.read_text().replace('Keep me\\n', 'Kept: '))\n"
    )
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, fix, "fix.py"))
    again = brag("edit", entry["id"])
    assert "Resuming your unsaved text" in again.stderr
    assert "my careful words" in seen.read_text()
    assert titles(brag) == ["Kept: my careful words"]
    assert unsaved(journal.root) == []
    assert_clean(journal.root)


@pytest.mark.parametrize(
    ("editor", "message"),
    [
        ("path.unlink()\n", "the editor removed"),
        ("path.write_bytes(b'Title \\xff\\xfe\\n')\n", "not UTF-8"),
    ],
)
def test_editor_accidents_get_one_line_and_keep_the_text(
    brag, journal, tmp_path, monkeypatch, editor, message
):
    brag("add", "Keep me")
    [entry] = json.loads(brag("list", "--json").stdout)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, editor))
    for args in (("add",), ("edit", entry["id"])):
        result = brag(*args, expect=1)
        assert message in result.stderr and "kept in" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        kept = Path(result.stderr.split("kept in ")[1].strip())
        assert kept.exists()
    assert titles(brag) == ["Keep me"]


def test_unbalanced_quote_in_editor_is_one_line(brag, journal, monkeypatch):
    monkeypatch.setenv("EDITOR", "'vim")
    result = brag("add", expect=1)
    assert "$EDITOR is not a command brag can run" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def paused_at(point: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    """Start the real ``brag ARGS`` and return it once it waits at ``point``."""
    flag = tmp_path / f"reached-{point}"
    full = {**os.environ, **(env or {}), "BRAG_TEST_PAUSE": f"{point}:{flag}"}
    proc = subprocess.Popen(
        [console_script(), *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not flag.exists():
        if proc.poll() is not None:
            pytest.fail(f"brag exited before {point}: {proc.communicate()}")
        assert time.monotonic() < deadline, f"brag never reached {point}"
        time.sleep(0.01)
    return proc, flag


def test_concurrent_edits_of_different_fields_are_merged(brag, journal, tmp_path):
    brag("add", "Cut p99", "-d", "2026-03-01")
    [entry] = json.loads(brag("list", "--json").stdout)
    raw = (journal.root / entry["path"]).read_text()
    edited = raw.replace('title = "Cut p99"', 'title = "Cut checkout p99 from 800ms to 200ms"')
    editor = editor_script(tmp_path, f"path.write_text({edited!r})\n")
    proc, flag = paused_at(
        "edit-before-save", tmp_path, "edit", entry["id"], env={"EDITOR": editor}
    )
    try:
        brag("edit", entry["id"], "--impact", "cart abandonment down 3%")  # meanwhile
        flag.unlink()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "both changes are merged" in err
    shown = json.loads(brag("show", entry["id"], "--json").stdout)
    assert shown["title"] == "Cut checkout p99 from 800ms to 200ms"
    assert shown["impact"] == "cart abandonment down 3%"
    assert brag("check").exit_code == 0
    assert_clean(journal.root)


def test_concurrent_edits_of_the_same_field_keep_both(brag, journal, tmp_path, monkeypatch):
    brag("add", "Cut p99", "-d", "2026-03-01", "-i", "faster")
    [entry] = json.loads(brag("list", "--json").stdout)
    raw = (journal.root / entry["path"]).read_text()
    edited = raw.replace('impact = "faster"', 'impact = "p99 down 75% (my words)"')
    editor = editor_script(tmp_path, f"path.write_text({edited!r})\n")
    proc, flag = paused_at(
        "edit-before-save", tmp_path, "edit", entry["id"], env={"EDITOR": editor}
    )
    try:
        brag("edit", entry["id"], "--impact", "cart abandonment down 3% (other words)")
        flag.unlink()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert "both changed impact" in err
    shown = json.loads(brag("show", entry["id"], "--json").stdout)
    assert shown["impact"] == "p99 down 75% (my words)"
    other = journal.root / entry["path"].replace(".md", ".theirs.md")
    assert "(other words)" in other.read_text()
    check = brag("check", expect=1)
    assert "conflict:" in check.stdout
    # Saving the entry again (here unchanged) resolves it, as after a sync conflict.
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, "pass\n", "noop.py"))
    brag("edit", entry["id"])
    assert not other.exists()
    assert brag("check").exit_code == 0


# -- Ctrl-C and kill -9 at any point ------------------------------------------------------------


def test_ctrl_c_to_the_group_during_add_commits_or_rolls_back(brag, journal, tmp_path):
    """SIGINT to the whole process group (git included) between write and commit."""
    flag = tmp_path / "reached"
    env = {**os.environ, "BRAG_TEST_PAUSE": f"before-commit:{flag}"}
    proc = subprocess.Popen(
        [console_script(), "add", "Interrupted add"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.2)
    flag.unlink()
    out, err = proc.communicate(timeout=60)
    # The interrupt waits until the entry is committed, then ends the command.
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert git(journal.root, "log", "-1", "--format=%s").strip() == 'brag: add "Interrupted add"'
    assert titles(brag) == ["Interrupted add"]
    assert brag("check").exit_code == 0
    assert_clean(journal.root)


def _interrupt_loop(brag, root: Path, rounds: int, seed: int) -> dict[str, int]:
    """Start add/edit/rm/import commands, interrupt each at a random moment.

    Every entry a command reported as saved must survive, and after each
    round the next command leaves the journal clean.
    """
    import random

    rng = random.Random(seed)
    reported: set[str] = set()
    removed: set[str] = set()
    outcome = {"finished": 0, "sigint": 0, "sigkill": 0}
    csv = root.parent / "rows.csv"
    for n in range(rounds):
        existing = json.loads(brag("list", "--json").stdout)
        kind = rng.choice(["add", "add", "edit", "rm", "import"])
        if kind == "edit" and existing:
            args = ["edit", rng.choice(existing)["id"], "--impact", f"impact {n}"]
        elif kind == "rm" and existing:
            victim = rng.choice(existing)
            args = ["rm", victim["id"]]
        elif kind == "import":
            csv.write_text(f"date,title\n2026-03-0{n % 9 + 1},Imported {n}\n")
            args = ["import", "file", str(csv)]
        else:
            kind = "add"
            args = ["add", f"Entry {n}", "-t", "loop"]
        proc = subprocess.Popen(
            [console_script(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.0, 0.6))
        how = rng.choice([signal.SIGINT, signal.SIGKILL])
        try:
            os.killpg(proc.pid, how)
        except ProcessLookupError:
            pass
        out, err = proc.communicate(timeout=60)
        # Ctrl-C while Python is still starting (site, imports) is Python's own
        # KeyboardInterrupt traceback, before any brag code runs.
        assert "Traceback" not in err or (how == signal.SIGINT and "KeyboardInterrupt" in err), err
        if proc.returncode == 0:
            outcome["finished"] += 1
        else:
            outcome["sigint" if how == signal.SIGINT else "sigkill"] += 1
        if kind == "add" and "Added " in out:
            reported.add(f"Entry {n}")
        # The next command repairs whatever was left; the journal is then clean.
        listed = {e["title"] for e in json.loads(brag("list", "--json").stdout)}
        if kind == "rm" and victim["title"] not in listed:
            # Removed: reported, or interrupted only after its commit (never half-way).
            subjects = git(root, "log", "-3", "--format=%s")
            assert f'brag: rm "{victim["title"]}"' in subjects, (out, err, subjects)
            removed.add(victim["title"])
        assert reported - removed <= listed, (reported - removed - listed, out, err)
        check = brag("check", expect=None)
        assert check.exit_code == 0, (args, check.stdout, err)
        assert_clean(root)
    writers = root / ".git" / "brag" / "writers"
    assert not (writers.is_dir() and list(writers.iterdir())), "a marker outlived its repair"
    return outcome


def test_interrupted_commands_lose_nothing_short(brag, journal):
    _interrupt_loop(brag, journal.root, rounds=6, seed=1)


@pytest.mark.slow
def test_interrupted_commands_lose_nothing_many_rounds(brag, journal):
    outcome = _interrupt_loop(brag, journal.root, rounds=60, seed=2)
    assert outcome["sigint"] and outcome["sigkill"], outcome


def test_check_never_lists_a_live_writers_file(brag, journal, tmp_path):
    proc, flag = paused_at("before-commit", tmp_path, "add", "In flight")
    try:
        check = brag("check")  # the paused add's file exists and is not committed yet
        assert "uncommitted" not in check.stdout
        listed = brag("list")
        assert "note:" not in listed.stderr  # a live writer is never "recovered"
        flag.unlink()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
    assert titles(brag) == ["In flight"]
    assert_clean(journal.root)


def _hold_open(path: Path) -> subprocess.Popen[str]:
    """A process that keeps ``path`` open (as a running git keeps its lock file)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time\nf = open({str(path)!r}, 'a')\nprint('ready', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_git_lock_in_use_is_named_and_cleared_once_released(brag, journal):
    lock = journal.root / ".git" / "index.lock"
    holder = _hold_open(lock)
    try:
        started = time.monotonic()
        result = brag("add", "Blocked", expect=1)
        assert time.monotonic() - started < 15
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert str(lock) in message and "Nothing was changed" in message
        assert "remove the file manually" not in message
        assert lock.exists()  # a live process holds it: never removed under it
    finally:
        holder.communicate("", timeout=10)
    # Its holder is gone: the next command removes it and works.
    after = brag("add", "After the lock")
    assert "removed a stale .git/index.lock" in after.stderr
    assert titles(brag) == ["After the lock"]
    assert_clean(journal.root)


# -- symbolic links inside the journal ----------------------------------------------------------


def test_brag_never_writes_through_a_symlink_in_the_journal(brag, journal, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    # `.brag/state -> /elsewhere`, as it could arrive through a sync.
    (journal.root / ".brag").mkdir(exist_ok=True)
    (journal.root / ".brag" / "state").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Exception) as raised:
        journal.write_state("import-github", {"until": "2026-03-01"})
    assert "symbolic link" in str(raised.value)
    # An entries folder that is a link.
    (journal.root / "entries").mkdir(exist_ok=True)
    year = journal.root / "entries" / str(time.localtime().tm_year)
    year.symlink_to(outside, target_is_directory=True)
    result = brag("add", "Through the link", expect=1)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "symbolic link" in message, message
    assert list(outside.iterdir()) == []
    # An entry file that is a link is never overwritten by an edit either.
    year.unlink()
    brag("add", "Real entry")
    [entry] = json.loads(brag("list", "--json").stdout)
    target = outside / "target.md"
    target.write_text((journal.root / entry["path"]).read_text())
    (journal.root / entry["path"]).unlink()
    (journal.root / entry["path"]).symlink_to(target)
    result = brag("edit", entry["id"], "--impact", "x", expect=1)
    assert "symbolic link" in result.stderr
    assert "impact" not in target.read_text()


# -- the index is derived data: it heals itself -------------------------------------------------


def _index(root: Path) -> Path:
    return root / ".git" / "brag" / "index.sqlite"


def _spoil_index(root: Path, how: str) -> None:
    import gc
    import sqlite3

    gc.collect()  # close the connections of earlier in-process commands
    index = _index(root)
    good = index.read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(str(index) + suffix).unlink(missing_ok=True)
    if how == "garbage":
        index.write_bytes(b"this is not a database\n" * 50)
    elif how == "truncated":
        index.write_bytes(good[:1500])
    elif how == "empty":
        index.write_bytes(b"")
    elif how == "foreign":
        index.unlink()
        db = sqlite3.connect(index)
        from brag.index import FILE_VERSION

        db.execute(f"PRAGMA user_version={FILE_VERSION}")
        db.execute("CREATE TABLE files (name TEXT, colour TEXT)")
        db.execute("INSERT INTO files VALUES ('x', 'blue')")
        db.commit()
        db.close()
    elif how == "directory":
        index.unlink()
        index.mkdir()


@pytest.mark.parametrize("how", ["garbage", "truncated", "empty", "foreign", "directory"])
def test_a_damaged_index_is_rebuilt_or_bypassed_never_a_traceback(brag, journal, how):
    brag("add", "First", "-t", "a")
    brag("add", "Second", "-t", "b")
    assert titles(brag) == ["First", "Second"]
    _spoil_index(journal.root, how)
    for args in (("list", "--json"), ("search", "Second"), ("tags",), ("check",)):
        result = brag(*args)
        assert "Traceback" not in result.output
    assert titles(brag) == ["First", "Second"]
    brag("add", "Third")
    assert titles(brag) == ["First", "Second", "Third"]
    first = brag("list", "--json")  # a damaged file is gone after the first note
    if how != "directory":
        assert "note:" not in first.stderr


def test_a_locked_index_is_bypassed_quickly(brag, journal):
    import gc
    import sqlite3

    brag("add", "First")
    titles(brag)
    gc.collect()  # the in-process commands' connections
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"db = sqlite3.connect({str(_index(journal.root))!r}, 20, isolation_level=None)\n"
            "db.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "db.execute(\"INSERT OR REPLACE INTO meta VALUES ('x', 'y')\")\n"
            "print('locked', flush=True)\nsys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = brag("list")
        assert time.monotonic() - started < 10
        assert "First" in result.stdout
        assert "locked by another process" in result.stderr
        brag("add", "While locked")
    finally:
        holder.communicate("", timeout=10)
    assert titles(brag) == ["First", "While locked"]
    assert sqlite3.connect(_index(journal.root)).execute("SELECT count(*) FROM files").fetchone()


def _tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil_which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return proc.returncode == 0


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def test_a_full_disk_gets_one_clear_line(tmp_path, monkeypatch):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "2m"):
        pytest.skip("needs root and 'mount -t tmpfs' (a small file system to fill)")
    try:
        root = disk / "journal"
        monkeypatch.setenv("BRAG_DIR", str(root))
        brag_bin = console_script()
        run = lambda *a: subprocess.run(  # noqa: E731
            [brag_bin, *a], capture_output=True, text=True, timeout=120
        )
        assert run("init").returncode == 0
        assert run("add", "Before the disk filled").returncode == 0
        filler = disk / "filler"
        with open(filler, "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        head = git(root, "rev-parse", "HEAD")
        result = run("add", "On a full disk", "--body", "x" * 20000)
        assert result.returncode == 1, result
        message = result.stderr.strip()
        assert "Traceback" not in result.stderr
        assert len(message.splitlines()) == 1, message
        assert "No space left on device" in message or "disk is full" in message, message
        assert git(root, "rev-parse", "HEAD") == head
        listed = run("list")
        assert "Before the disk filled" in listed.stdout and "Traceback" not in listed.stderr
        filler.unlink()
        assert run("add", "After space was freed").returncode == 0
        assert "After space was freed" in run("list").stdout
        assert run("check").returncode == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.parametrize("staged_new", [False, True])
def test_a_state_file_staged_by_a_killed_commit_is_put_back(brag, journal, staged_new):
    """Killed between its ``git add`` and ``git commit``: the state file is staged.
    The next writer puts it back as HEAD has it (or removes it, if HEAD has none)."""
    rel = ".brag/state/removed-imports.toml"
    if not staged_new:
        journal.write_state("removed-imports", {"removed": ["github:1"]})
    before = git(journal.root, "rev-parse", "HEAD")
    path = journal.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('removed = ["github:1", "github:2"]\n')
    git(journal.root, "add", rel)
    writers = journal.root / ".git" / "brag" / "writers"
    writers.mkdir(parents=True, exist_ok=True)
    (writers / "rm-999999-dead").write_text(rel + "\n")  # a writer that was killed

    result = brag("add", "After the crash")
    assert "reset import cursor .brag/state/removed-imports.toml" in result.stderr
    assert git(journal.root, "rev-parse", "HEAD~1") == before
    assert titles(brag) == ["After the crash"]
    assert_clean(journal.root)
    if staged_new:
        assert not path.exists()
    else:
        assert path.read_text() == git(journal.root, "show", f"HEAD:{rel}")
