"""``brag import git``: real repositories with real merge and squash commits."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from gitrepo import Repo

from brag.journal import Journal

ME = ("Test User", "test@example.com")
ALICE = ("Alice", "alice@example.com")
BOB = ("Bob", "bob@example.com")
GITHUB = ("GitHub", "noreply@github.com")


def commit_count(journal: Journal) -> int:
    return int(journal_git(journal, "rev-list", "--count", "HEAD").strip())


def journal_git(journal: Journal, *args: str) -> str:
    import subprocess

    return subprocess.run(
        ["git", "-C", str(journal.root), *args], check=True, capture_output=True, text=True
    ).stdout


def entries(journal: Journal) -> list:
    journal._index = None
    return sorted(journal.entries(), key=lambda e: (e.date, e.source_id))


@pytest.fixture
def project(tmp_path: Path) -> Repo:
    """A repository shaped like a GitHub project's history.

    - #12: my branch, merged by Alice pressing the button (author of the merge: Alice)
    - #13: Alice's branch, merged by me (the merge commit is mine, the PR is not)
    - #14: my squash merge, committed by GitHub
    - #15: Bob's squash merge I co-authored (mine too: the trailer names me)
    - a direct commit of mine on main, and one of Bob's
    """
    repo = Repo(tmp_path / "src" / "shop", remote="git@github.com:acme/shop.git")
    repo.commit("Initial commit", BOB, "2026-01-05T10:00:00+00:00")

    repo.branch("feature")
    repo.commit("Add cart cache", ME, "2026-01-10T09:00:00+00:00")
    repo.commit("Tune cache TTL", ME, "2026-01-10T11:00:00+00:00")
    repo.checkout("main")
    repo.merge(
        "feature",
        "Merge pull request #12 from acme/feature\n\nCache the cart\n\n"
        "Checkout was slow.\n\n## Impact\n\nCut checkout p99 from 800ms to 200ms.",
        ALICE,
        "2026-01-12T15:30:00+00:00",
        committer=GITHUB,
    )

    repo.branch("alice-docs")
    repo.commit("Write the API docs", ALICE, "2026-01-20T09:00:00+00:00")
    repo.checkout("main")
    repo.merge(
        "alice-docs",
        "Merge pull request #13 from acme/alice-docs\n\nAPI docs",
        ME,
        "2026-01-21T10:00:00+00:00",
    )

    repo.commit(
        "Retry payment webhooks (#14)\n\nWebhooks were dropped on deploys.\n\n"
        "Co-authored-by: Bob <bob@example.com>",
        ME,
        "2026-02-03T12:00:00+00:00",
        committer=GITHUB,
    )
    repo.commit(
        "Bump dependencies (#15)\n\n* bump\n\nCo-authored-by: Test User <test@example.com>",
        BOB,
        "2026-02-04T12:00:00+00:00",
        committer=GITHUB,
    )
    repo.commit("Fix typo in README", ME, "2026-02-10T08:00:00+00:00")
    repo.commit("Refactor config loading", ME, "2026-02-10T17:00:00+00:00")
    repo.commit("Bob's direct fix", BOB, "2026-02-11T08:00:00+00:00")
    return repo


def test_finds_my_merged_prs_with_correct_attribution(brag, journal, project):
    result = brag("import", "git", str(project.root))
    assert "git: added 3, already present 0" in result.output
    found = entries(journal)
    assert [(e.source_id, e.date.isoformat(), e.title) for e in found] == [
        ("acme/shop#12", "2026-01-12", "Cache the cart"),
        ("acme/shop#14", "2026-02-03", "Retry payment webhooks"),
        ("acme/shop#15", "2026-02-04", "Bump dependencies"),
    ]
    pr12, pr14, pr15 = found
    # A squash commit by Bob whose Co-authored-by trailer names me: mine, with Bob.
    assert pr15.with_ == ["Bob"]
    # The merge commit's author is Alice (she pressed merge); the PR is mine.
    assert pr12.source == "git"
    assert pr12.url == "https://github.com/acme/shop/pull/12"
    assert pr12.tags == ["shop"]
    assert pr12.impact == "Cut checkout p99 from 800ms to 200ms."
    assert "Checkout was slow." in pr12.body
    # "Webhooks were dropped on deploys." states a problem, not an outcome.
    assert pr14.impact == ""
    assert pr14.with_ == ["Bob"]
    assert "Co-authored-by" not in pr14.body
    # One import run = one commit.
    log = journal_git(journal, "log", "--format=%s", "-1")
    assert log.strip() == "brag: import 3 entries from git"


def test_rerun_adds_nothing_and_makes_no_commit(brag, journal, project):
    brag("import", "git", str(project.root))
    before = commit_count(journal)
    again = brag("import", "git", str(project.root), "--since", "2000-01-01")
    assert "added 0, already present 3" in again.output
    assert commit_count(journal) <= before + 1  # at most the cursor moves
    assert len(entries(journal)) == 3
    third = brag("import", "git", str(project.root))
    assert "added 0" in third.output
    assert len(entries(journal)) == 3


def test_edited_entry_is_never_overwritten_or_duplicated(brag, journal, project):
    brag("import", "git", str(project.root))
    entry = next(e for e in entries(journal) if e.source_id == "acme/shop#12")
    entry.title = "Cached the cart: checkout 4x faster"
    journal.update(entry)
    brag("import", "git", str(project.root), "--since", "2026-01-01")
    found = [e for e in entries(journal) if e.source_id == "acme/shop#12"]
    assert [e.title for e in found] == ["Cached the cart: checkout 4x faster"]


def test_dry_run_writes_nothing(brag, journal, project):
    before = commit_count(journal)
    result = brag("import", "git", str(project.root), "--dry-run")
    assert "would add 3" in result.output
    assert "Cache the cart" in result.output
    assert commit_count(journal) == before
    assert entries(journal) == []
    assert not (journal.root / ".brag").exists()


def test_since_and_until_take_the_core_date_forms(brag, journal, project):
    result = brag(
        "import",
        "git",
        str(project.root),
        "--since",
        "2026-02",
        "--until",
        "2026-02-28",
        "--json",
    )
    data = json.loads(result.stdout)
    assert [e["title"] for e in data["entries"]] == ["Retry payment webhooks", "Bump dependencies"]
    result = brag("import", "git", str(project.root), "--period", "2026Q1", "--json")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Cache the cart"]


def test_author_option_credits_someone_else(brag, journal, project):
    result = brag("import", "git", str(project.root), "--author", "alice@example.com", "--json")
    titles = [e["title"] for e in json.loads(result.stdout)["entries"]]
    assert titles == ["API docs"]  # #13: Alice's branch, even though I merged it


def test_emails_from_brag_toml(brag, journal, project, tmp_path):
    journal.config_set("user.emails", ["bob@example.com"])
    # git's user.email is still test@example.com: both count.
    result = brag("import", "git", str(project.root), "--json")
    titles = sorted(e["title"] for e in json.loads(result.stdout)["entries"])
    assert titles == ["Bump dependencies", "Cache the cart", "Retry payment webhooks"]


def test_commits_grouped_by_day(brag, journal, project):
    result = brag("import", "git", str(project.root), "--commits", "--json")
    data = json.loads(result.stdout)
    by_id = {e["title"]: e for e in data["entries"]}
    day = by_id["shop: Fix typo in README (+1 more commit)"]
    assert day["date"] == "2026-02-10"
    found = {e.source_id: e for e in entries(journal)}
    group = found["acme/shop@2026-02-10"]
    assert "Refactor config loading" in group.body
    assert group.metrics == [{"name": "commits", "value": 2, "unit": ""}]
    # Commits that are part of my PRs are not counted again as plain commits.
    assert "acme/shop@2026-01-10" not in found
    assert "acme/shop@2026-02-03" not in found
    assert len(data["entries"]) == 4


def test_branch_merged_in_from_main_is_not_authorship(brag, journal, tmp_path):
    repo = Repo(tmp_path / "svc")
    repo.commit("init", BOB, "2026-03-01T10:00:00+00:00")
    repo.branch("bob-feature")
    repo.commit("Bob's work 1", BOB, "2026-03-02T10:00:00+00:00")
    repo.checkout("main")
    repo.commit("My direct commit", ME, "2026-03-03T10:00:00+00:00")
    repo.commit("My other direct commit", ME, "2026-03-03T11:00:00+00:00")
    repo.checkout("bob-feature")
    # Bob syncs main into his branch: my commits are now reachable from his branch.
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'main' into bob-feature",
        "main",
        env=Repo.ident(BOB, None, "2026-03-04T10:00:00+00:00"),
    )
    repo.commit("Bob's work 2", BOB, "2026-03-04T11:00:00+00:00")
    repo.checkout("main")
    repo.merge(
        "bob-feature",
        "Merge pull request #7 from org/bob-feature\n\nBob's feature",
        ME,
        "2026-03-05T10:00:00+00:00",
    )
    result = brag("import", "git", str(repo.root), "--json")
    assert json.loads(result.stdout)["entries"] == []
    by_bob = brag("import", "git", str(repo.root), "--author", "bob@example.com", "--json")
    assert [e["title"] for e in json.loads(by_bob.stdout)["entries"]] == ["Bob's feature"]
    entry = entries(journal)[0]
    # No remote: the root commit identifies the repository, the folder names it.
    assert entry.source_id == f"{repo.root_commit()[:12]}#7"
    assert entry.tags == ["svc"]
    assert entry.url == ""


def test_gitlab_merge_request(brag, journal, tmp_path):
    repo = Repo(
        tmp_path / "proj", remote="https://oauth2:glpat-SECRET@gitlab.example.com/grp/proj.git"
    )
    repo.commit("init", BOB, "2026-04-01T10:00:00+00:00")
    repo.branch("speedup")
    repo.commit("Speed up search", ME, "2026-04-02T10:00:00+00:00")
    repo.checkout("main")
    repo.merge(
        "speedup",
        "Merge branch 'speedup' into 'main'\n\nFaster search\n\nWhy: searches timed out.\n\n"
        "See merge request grp/proj!45",
        BOB,
        "2026-04-03T10:00:00+00:00",
    )
    result = brag("import", "git", str(repo.root))
    again = brag("import", "git", str(repo.root), "--since", "2000", "--json")
    assert "glpat-SECRET" not in result.output + again.output
    (entry,) = entries(journal)
    assert entry.source_id == "grp/proj!45"
    assert entry.title == "Faster search"
    assert entry.url == "https://gitlab.example.com/grp/proj/-/merge_requests/45"
    assert entry.date.isoformat() == "2026-04-03"
    assert "See merge request" not in entry.body
    # Credentials in the remote URL never reach the journal.
    for path in journal.root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert "glpat-SECRET" not in path.read_text(errors="replace")
    assert "glpat-SECRET" not in journal_git(journal, "log", "-p", "--all")


def test_resume_reads_only_new_commits(brag, journal, project):
    brag("import", "git", str(project.root))
    state = (journal.root / ".brag" / "state" / "import-git.toml").read_text()
    assert str(project.root) in state and "tips = " in state
    project.commit("Add gift cards (#16)", ME, "2020-06-01T10:00:00+00:00")
    result = brag("import", "git", str(project.root), "--json")
    # An old-dated commit that arrived after the last run is still found.
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Add gift cards"]


def test_not_a_repository(brag, journal, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    before = commit_count(journal)
    result = brag("import", "git", str(plain), expect=1)
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {plain} is not a git repository (give the folder of a clone)"
    )
    assert "Traceback" not in result.output
    assert commit_count(journal) == before


def test_missing_path_and_file_path(brag, journal, project, tmp_path):
    before = commit_count(journal)
    result = brag("import", "git", str(project.root), str(tmp_path / "nope"), expect=1)
    assert f"Error: {tmp_path / 'nope'}: no such folder" in result.output
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    result = brag("import", "git", str(afile), expect=1)
    assert "is a file, not a git repository folder" in result.output
    # The good repository named first was not half-imported.
    assert commit_count(journal) == before
    assert entries(journal) == []


def test_bad_ref(brag, journal, project):
    result = brag("import", "git", str(project.root), "--ref", "nosuch", expect=1)
    assert "no branch or commit named 'nosuch'" in result.output


def test_paths_from_brag_toml(brag, journal, project):
    journal.config_set("import.git", {"paths": [str(project.root)]})
    result = brag("import")
    assert "git: added 3" in result.output


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root to hand the repository to another user",
)
def test_repository_owned_by_someone_else(brag, journal, project):
    for folder, dirs, files in os.walk(project.root):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(folder, name), 65534, 65534)
    os.lchown(project.root, 65534, 65534)
    result = brag("import", "git", str(project.root), expect=1)
    assert f"Error: git refuses to read {project.root}: it belongs to another user" in (
        result.output
    )


def test_hint_when_nothing_is_yours(brag, journal, project):
    result = brag("import", "git", str(project.root), "--author", "nobody@example.com")
    assert (
        f"{project.root}: no merged pull requests by nobody@example.com (add your other "
        "emails with --author or [user] emails in brag.toml)"
    ) in result.stderr
    assert "added 0" in result.stdout


def test_branch_author_counts_all_my_emails_as_one(brag, journal, tmp_path):
    journal.config_set("user.emails", ["test@example.com", "me@home.example"])
    repo = Repo(tmp_path / "pair")
    repo.commit("init", BOB, "2026-05-01T10:00:00+00:00")
    repo.branch("shared")
    repo.commit("Alice starts", ALICE, "2026-05-02T09:00:00+00:00")
    repo.commit("Alice again", ALICE, "2026-05-02T10:00:00+00:00")
    repo.commit("Mine at work", ME, "2026-05-03T10:00:00+00:00")
    repo.commit("Mine at work 2", ME, "2026-05-03T11:00:00+00:00")
    repo.commit("Mine from home", ("Test User", "me@home.example"), "2026-05-03T20:00:00+00:00")
    repo.checkout("main")
    repo.merge(
        "shared",
        "Merge pull request #3 from org/shared\n\nShared work",
        BOB,
        "2026-05-04T10:00:00+00:00",
    )
    # A tie (one commit each) goes to whoever started the branch.
    repo.branch("tie")
    repo.commit("Alice first", ALICE, "2026-05-05T09:00:00+00:00")
    repo.commit("Me second", ME, "2026-05-05T10:00:00+00:00")
    repo.checkout("main")
    repo.merge("tie", "Merge pull request #4 from org/tie\n\nTie", BOB, "2026-05-06T10:00:00+00:00")
    brag("import", "git", str(repo.root))
    (entry,) = entries(journal)
    assert entry.source_id == f"{repo.root_commit()[:12]}#3"
    assert entry.with_ == ["Alice"]


def test_bare_mirror(brag, journal, project, tmp_path):
    mirror = tmp_path / "shop-mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(project.root), str(mirror)], check=True)
    result = brag("import", "git", str(mirror), "--json")
    data = json.loads(result.stdout)
    assert sorted(e["title"] for e in data["entries"]) == [
        "Bump dependencies",
        "Cache the cart",
        "Retry payment webhooks",
    ]
    # Its origin is a local clone whose own origin is on GitHub: that project.
    assert {e.source_id for e in entries(journal)} == {
        "acme/shop#12",
        "acme/shop#14",
        "acme/shop#15",
    }
    assert {e.tags[0] for e in entries(journal)} == {"shop"}


def lines(count: int, word: str = "line") -> str:
    return "".join(f"{word} {n}\n" for n in range(count))


def squash_merge(repo: Repo, branch: str, message: str, author: tuple[str, str], when: str) -> str:
    """A real squash merge: ``git merge --squash`` then one commit by the hosting service."""
    repo.git("merge", "-q", "--squash", branch)
    repo.git("commit", "-q", "-m", message, env=Repo.ident(author, GITHUB, when))
    return repo.head()


@pytest.fixture
def sized(tmp_path: Path) -> Repo:
    """Two --no-ff merges and two squash merges of mine, one small and one big each.

    - #21 (merge): its commits churn 60 lines but bring in only 2: small
    - #22 (merge): a 40-line file; main moved on with Bob's 100 lines meanwhile
    - #23 (squash): 1 line added
    - #24 (squash): 30 lines
    """
    repo = Repo(tmp_path / "src" / "shop", remote="git@github.com:acme/shop.git")
    repo.commit("Initial commit", BOB, "2026-01-05T10:00:00+00:00", path="a.txt", content="a\n")

    repo.branch("tweak")
    repo.commit("Draft", ME, "2026-01-06T09:00:00+00:00", path="t.txt", content=lines(30))
    repo.commit("Trim it", ME, "2026-01-06T10:00:00+00:00", path="t.txt", content="one\ntwo\n")
    repo.checkout("main")
    repo.merge(
        "tweak",
        "Merge pull request #21 from acme/tweak\n\nTweak the wording",
        ALICE,
        "2026-01-07T10:00:00+00:00",
        committer=GITHUB,
    )

    repo.branch("cache")
    repo.commit("Add cache", ME, "2026-01-10T09:00:00+00:00", path="cache.py", content=lines(40))
    repo.checkout("main")
    repo.commit("Bob's big change", BOB, "2026-01-11T09:00:00+00:00", content=lines(100))
    repo.merge(
        "cache",
        "Merge pull request #22 from acme/cache\n\nCache the cart",
        ALICE,
        "2026-01-12T10:00:00+00:00",
        committer=GITHUB,
    )

    repo.branch("typo")
    repo.commit("Fix typo", ME, "2026-02-01T09:00:00+00:00", path="a.txt", content="a\nb\n")
    repo.checkout("main")
    squash_merge(repo, "typo", "Fix a typo (#23)", ME, "2026-02-02T10:00:00+00:00")

    repo.branch("retries")
    repo.commit("Retries", ME, "2026-02-05T09:00:00+00:00", path="retry.py", content=lines(20))
    repo.commit("More", ME, "2026-02-05T10:00:00+00:00", path="retry.py", content=lines(30))
    repo.checkout("main")
    squash_merge(repo, "retries", "Retry webhooks (#24)", ME, "2026-02-06T10:00:00+00:00")
    return repo


SMALL = "2 lines changed, below --min-lines 10"
TINY = "1 line changed, below --min-lines 10"


def test_min_lines_skips_small_merges_and_squashes(brag, journal, sized):
    before = commit_count(journal)
    result = brag("import", "git", str(sized.root), "--min-lines", "10", "--commits")
    assert f"git: added 2, already present 0, skipped 2 (1 {SMALL}; 1 {TINY})" in result.output
    found = entries(journal)
    assert [(e.source_id, e.title) for e in found] == [
        ("acme/shop#22", "Cache the cart"),
        ("acme/shop#24", "Retry webhooks"),
    ]
    # The size is what the PR brought in: #22 not counting Bob's 100 lines on main,
    # #24 the squash commit's own diff (30 lines, not the branch's 20 + 30).
    assert [e.extra["lines_changed"] for e in found] == [40, 30]
    assert commit_count(journal) == before + 1
    # A skipped PR's commits do not come back as daily commits.
    assert not any("@" in e.source_id for e in found)

    # Re-run: resumes, nothing new; a full rescan finds the same, adds nothing.
    again = brag("import", "git", str(sized.root), "--min-lines", "10", "--commits")
    assert "added 0, already present 0, skipped 0" in again.output
    rescan = brag(
        "import", "git", str(sized.root), "--min-lines", "10", "--commits", "--since", "2000"
    )
    assert f"added 0, already present 2, skipped 2 (1 {SMALL}; 1 {TINY})" in rescan.output
    assert len(entries(journal)) == 2
    assert commit_count(journal) <= before + 2  # at most the cursor moved once


def test_min_lines_reasons_in_json_and_dry_run(brag, journal, sized):
    result = brag("import", "git", str(sized.root), "--min-lines", "31", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["skipped"] == [
        {"item": "acme/shop#21", "reason": "2 lines changed, below --min-lines 31"},
        {"item": "acme/shop#23", "reason": "1 line changed, below --min-lines 31"},
        {"item": "acme/shop#24", "reason": "30 lines changed, below --min-lines 31"},
    ]
    assert [e["title"] for e in data["entries"]] == ["Cache the cart"]
    assert entries(journal) == []


def test_without_min_lines_sizes_are_not_read(brag, journal, sized):
    result = brag("import", "git", str(sized.root))
    assert "added 4, already present 0, skipped 0" in result.output
    assert all("lines_changed" not in e.extra for e in entries(journal))


def test_lower_threshold_picks_up_what_was_skipped(brag, journal, sized):
    brag("import", "git", str(sized.root), "--min-lines", "10")
    # No --since: a new threshold is a new scan, so #21 (2 lines) is found now.
    result = brag("import", "git", str(sized.root), "--min-lines", "2", "--json")
    data = json.loads(result.stdout)
    assert [e["title"] for e in data["entries"]] == ["Tweak the wording"]
    assert data["skipped"] == [
        {"item": "acme/shop#23", "reason": "1 line changed, below --min-lines 2"}
    ]
    assert data["present"] == 2


def test_min_lines_from_brag_toml(brag, journal, sized):
    journal.config_set("import.git", {"paths": [str(sized.root)], "min_lines": 10})
    result = brag("import")
    assert f"git: added 2, already present 0, skipped 2 (1 {SMALL}; 1 {TINY})" in result.output
    assert {e.source_id for e in entries(journal)} == {"acme/shop#22", "acme/shop#24"}
    # The command line wins over brag.toml.
    result = brag("import", "git", "--min-lines", "1", "--since", "2000")
    assert "added 2, already present 2, skipped 0" in result.output


@pytest.mark.parametrize("bad", ["ten", -5, 2.5, True])
def test_bad_min_lines_in_brag_toml(brag, journal, sized, bad):
    journal.config_set("import.git", {"paths": [str(sized.root)], "min_lines": bad})
    before = commit_count(journal)
    result = brag("import", "git", expect=1)
    assert result.output.strip().splitlines()[-1] == (
        f"Error: [import.git] min_lines must be a whole number of lines (0 or more), got {bad!r}"
    )
    assert "Traceback" not in result.output
    assert commit_count(journal) == before
    assert entries(journal) == []


def test_bad_min_lines_on_the_command_line(brag, journal, sized):
    result = brag("import", "git", str(sized.root), "--min-lines", "-1", expect=2)
    assert "Invalid value for '--min-lines'" in result.output
    assert entries(journal) == []


def test_min_lines_counts_binary_and_renamed_files(brag, journal, tmp_path):
    repo = Repo(tmp_path / "assets")
    repo.commit("init", BOB, "2026-03-01T10:00:00+00:00", path="old name.txt", content=lines(50))
    repo.branch("move")
    repo.git("mv", "old name.txt", "new\tname.txt")
    (repo.root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0binary")
    repo.git("add", "logo.png")
    repo.commit("Move and add a logo", ME, "2026-03-02T10:00:00+00:00", content="x\ny\nz\n")
    repo.checkout("main")
    repo.merge(
        "move", "Merge pull request #5 from org/move\n\nMove", BOB, "2026-03-03T10:00:00+00:00"
    )
    result = brag("import", "git", str(repo.root), "--min-lines", "4", "--json")
    # A rename counts its changed lines (none), a binary file none: 3 lines in all.
    assert json.loads(result.stdout)["skipped"] == [
        {"item": f"{repo.root_commit()[:12]}#5", "reason": "3 lines changed, below --min-lines 4"}
    ]
    result = brag("import", "git", str(repo.root), "--min-lines", "3")
    assert "added 1" in result.output
    assert entries(journal)[0].extra["lines_changed"] == 3


# -- every branch, once ----------------------------------------------------------------


def pr_branch(repo: Repo, name: str, start: str, commits: list[tuple[str, tuple[str, str], str]]):
    repo.branch(name, start)
    for message, author, when in commits:
        repo.commit(message, author, when)


@pytest.fixture
def branches(tmp_path: Path) -> Repo:
    """main and a maintenance branch 6.0.x, with PRs merged into each.

    - #30 mine, merged into main
    - #31 mine, merged into 6.0.x only (never on main)
    - #30 cherry-picked onto 6.0.x later (``cherry-pick -m 1``: one parent, same subject)
    - #32 my squash on main, cherry-picked onto 6.0.x two days later
    - #33 a backport PR of #30 by a bot, into 6.0.x ("[6.0.x] …")
    - an unmerged branch of mine (not a merge anywhere: nothing to import)
    """
    repo = Repo(tmp_path / "lib", remote="https://github.com/acme/lib.git")
    repo.commit("init", BOB, "2026-01-01T10:00:00+00:00")
    repo.git("branch", "6.0.x")
    pr_branch(repo, "cache", "main", [("Add a cache", ME, "2026-01-02T10:00:00+00:00")])
    repo.checkout("main")
    repo.merge(
        "cache",
        "Merge pull request #30 from acme/cache\n\nAdd a cache",
        ALICE,
        "2026-01-03T10:00:00+00:00",
    )
    merge30 = repo.head()
    pr_branch(repo, "fix-old", "6.0.x", [("Fix the 6.0 parser", ME, "2026-01-04T10:00:00+00:00")])
    repo.checkout("6.0.x")
    repo.merge(
        "fix-old",
        "Merge pull request #31 from acme/fix-old\n\nFix the old parser",
        ALICE,
        "2026-01-05T10:00:00+00:00",
    )
    repo.git(
        "cherry-pick", "-m", "1", merge30, env=Repo.ident(ALICE, None, "2026-01-06T10:00:00+00:00")
    )
    repo.checkout("main")
    squash = repo.commit(
        "Speed up imports (#32)", ME, "2026-01-07T10:00:00+00:00", committer=GITHUB
    )
    repo.checkout("6.0.x")
    repo.git("cherry-pick", "-x", squash, env=Repo.ident(ME, BOB, "2026-01-09T10:00:00+00:00"))
    pr_branch(repo, "backport-30", "6.0.x", [("Add a cache", ME, "2026-01-10T10:00:00+00:00")])
    repo.checkout("6.0.x")
    repo.merge(
        "backport-30",
        "Merge pull request #33 from acme/backport-30-to-6.0.x\n\n[6.0.x] Add a cache",
        ("backport-bot[bot]", "bot@example.com"),
        "2026-01-11T10:00:00+00:00",
    )
    pr_branch(repo, "wip", "main", [("Half done", ME, "2026-01-12T10:00:00+00:00")])
    repo.checkout("main")
    return repo


def test_every_branch_each_pr_once_dated_by_first_merge(brag, journal, branches):
    result = brag("import", "git", str(branches.root))
    assert "added 3," in result.output
    found = entries(journal)
    assert [(e.source_id, e.date.isoformat(), e.title) for e in found] == [
        ("acme/lib#30", "2026-01-03", "Add a cache"),
        ("acme/lib#31", "2026-01-05", "Fix the old parser"),
        ("acme/lib#32", "2026-01-07", "Speed up imports"),
    ]


def test_ref_narrows_to_named_branches(brag, journal, branches):
    result = brag("import", "git", str(branches.root), "--ref", "main", "--json", "--dry-run")
    titles = [e["title"] for e in json.loads(result.stdout)["entries"]]
    assert titles == ["Add a cache", "Speed up imports"]  # #31 lives on 6.0.x only
    result = brag("import", "git", str(branches.root), "--ref", "6.0.x", "--json", "--dry-run")
    # On 6.0.x alone: #31, and #30 and #32 from their copies, each dated by its
    # first arrival there (#30's cherry-picked merge; the backport PR #33 is #30 too).
    data = json.loads(result.stdout)
    assert [(e["title"], e["date"]) for e in data["entries"]] == [
        ("Fix the old parser", "2026-01-05"),
        ("Add a cache", "2026-01-06"),
        ("Speed up imports", "2026-01-09"),
    ]


def test_backport_by_a_release_manager_is_not_theirs(brag, journal, branches):
    # Bob cherry-picked my squash onto 6.0.x (he committed it): still one entry, mine.
    result = brag("import", "git", str(branches.root), "--author", "bob@example.com", "--json")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == []


@pytest.fixture
def synced(tmp_path: Path) -> Repo:
    """A long-lived ``features`` branch kept in sync with main by other people.

    On main: my PR #40, Alice's #41, Bob's #42, then two direct commits of mine.
    - #43 Alice's "Merge main into features" PR (branch alice/sync-main): carries
      all of it, most commits mine
    - #44 "Merge pull request #44 from acme/main": the branch merged IS main
    - #45 a neutral name and title, but it brings in #46 (Alice) and #47 (Bob)
    """
    repo = Repo(tmp_path / "proj", remote="git@github.com:acme/proj.git")
    repo.commit("init", BOB, "2026-02-01T10:00:00+00:00")
    repo.git("branch", "features")
    day = iter(range(2, 28))

    def merged(number: int, branch: str, who: tuple[str, str], into: str, n: int = 1) -> None:
        pr_branch(
            repo,
            branch,
            into,
            [(f"{branch} {k}", who, f"2026-02-{next(day):02d}T10:00:00+00:00") for k in range(n)],
        )
        repo.checkout(into)
        repo.merge(
            branch,
            f"Merge pull request #{number} from acme/{branch}\n\n{branch} work",
            BOB,
            f"2026-02-{next(day):02d}T11:00:00+00:00",
        )

    merged(40, "mine", ME, "main", 3)
    merged(41, "alices", ALICE, "main")
    merged(42, "bobs", BOB, "main")
    repo.commit("Direct one", ME, "2026-02-10T12:00:00+00:00")
    repo.commit("Direct two", ME, "2026-02-10T13:00:00+00:00")
    repo.branch("alice/sync-main", "features")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge main into features",
        "main",
        env=Repo.ident(ALICE, None, "2026-02-11T10:00:00+00:00"),
    )
    repo.checkout("features")
    repo.merge(
        "alice/sync-main",
        "Merge pull request #43 from acme/alice/sync-main\n\nMerge main into features",
        ALICE,
        "2026-02-12T10:00:00+00:00",
    )
    return repo


def test_sync_merges_are_never_credited(brag, journal, synced):
    result = brag("import", "git", str(synced.root), "--json")
    titles = [e["title"] for e in json.loads(result.stdout)["entries"]]
    assert titles == ["mine work"]  # #40 only, once, though features carries it too


def test_merging_a_long_lived_branch_is_a_sync(brag, journal, synced):
    synced.commit("Direct three", ME, "2026-02-13T10:00:00+00:00")
    synced.commit("Direct four", ME, "2026-02-13T11:00:00+00:00")
    synced.checkout("features")
    synced.merge(
        "main",
        "Merge pull request #44 from acme/main\n\nCatch up",
        ALICE,
        "2026-02-14T10:00:00+00:00",
    )
    result = brag("import", "git", str(synced.root), "--json")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["mine work"]
    # A configured long-lived name counts too: features into main is a sync.
    synced.checkout("features")
    synced.commit("Polish on features", ME, "2026-02-14T12:00:00+00:00")
    synced.checkout("main")
    synced.merge(
        "features",
        "Merge pull request #48 from acme/features\n\nRelease",
        ME,
        "2026-02-15T10:00:00+00:00",
    )
    result = brag("import", "git", str(synced.root), "--json", "--since", "2000", "--dry-run")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Release"]
    result = brag(
        "import", "git", str(synced.root), "--json", "--since", "2000", "--long-lived", "feat*"
    )
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == []


def test_range_with_prs_by_two_others_is_a_sync(brag, journal, tmp_path):
    repo = Repo(tmp_path / "p", remote="git@github.com:acme/p.git")
    repo.commit("init", BOB, "2026-03-01T10:00:00+00:00")
    repo.git("branch", "next-gen")
    for number, who, day in ((46, ALICE, 2), (47, BOB, 4)):
        pr_branch(
            repo, f"b{number}", "main", [(f"work {number}", who, f"2026-03-0{day}T10:00:00+00:00")]
        )
        repo.checkout("main")
        repo.merge(
            f"b{number}",
            f"Merge pull request #{number} from acme/b{number}\n\nPR {number}",
            BOB,
            f"2026-03-0{day + 1}T10:00:00+00:00",
        )
    repo.commit("Mine 1", ME, "2026-03-07T10:00:00+00:00")
    repo.commit("Mine 2", ME, "2026-03-07T11:00:00+00:00")
    repo.commit("Mine 3", ME, "2026-03-07T12:00:00+00:00")
    repo.checkout("next-gen")
    repo.merge(
        "main",
        "Merge pull request #45 from acme/catch\n\nCatch up",
        ALICE,
        "2026-03-08T10:00:00+00:00",
    )
    # Most of #45's own commits are mine, but it carries PRs by Alice and Bob.
    result = brag("import", "git", str(repo.root), "--json")
    assert json.loads(result.stdout)["entries"] == []
    # One other author's PR inside is no sync: a PR of mine that merged a colleague's.
    repo2 = Repo(tmp_path / "q")
    repo2.commit("init", BOB, "2026-03-01T10:00:00+00:00")
    pr_branch(
        repo2,
        "theirs",
        "main",
        [(f"their work {k}", ALICE, f"2026-03-02T1{k}:00:00+00:00") for k in range(3)],
    )
    pr_branch(
        repo2,
        "mine",
        "main",
        [
            ("my work", ME, "2026-03-03T10:00:00+00:00"),
            ("my work 2", ME, "2026-03-03T11:00:00+00:00"),
        ],
    )
    repo2.merge(
        "theirs",
        "Merge pull request #2 from acme/theirs\n\nTheirs",
        ME,
        "2026-03-04T10:00:00+00:00",
    )
    repo2.checkout("main")
    repo2.merge(
        "mine", "Merge pull request #3 from acme/mine\n\nMine", BOB, "2026-03-05T10:00:00+00:00"
    )
    result = brag("import", "git", str(repo2.root), "--json")
    assert [e["title"] for e in json.loads(result.stdout)["entries"]] == ["Mine"]


def test_squash_backport_by_a_bot_is_the_original_pr(brag, journal, tmp_path):
    repo = Repo(tmp_path / "s", remote="https://github.com/acme/s.git")
    repo.commit("init", BOB, "2026-04-01T10:00:00+00:00")
    repo.git("branch", "8.0.x")
    repo.commit(
        "Harden CI (#50)\n\nFewer flaky runs: retries cut failures by 30%.",
        ME,
        "2026-04-02T10:00:00+00:00",
        committer=GITHUB,
    )
    repo.checkout("8.0.x")
    repo.commit(
        "Harden CI (#50) (#51)\n\nFewer flaky runs: retries cut failures by 30%.\n\n"
        "Co-authored-by: Test User <test@example.com>",
        ("patchback[bot]", "45432694+patchback[bot]@users.noreply.github.com"),
        "2026-04-03T10:00:00+00:00",
        committer=GITHUB,
    )
    repo.checkout("main")
    brag("import", "git", str(repo.root))
    (entry,) = entries(journal)
    assert (entry.source_id, entry.title, entry.date.isoformat()) == (
        "acme/s#50",
        "Harden CI",
        "2026-04-02",
    )
    assert entry.impact == "Fewer flaky runs: retries cut failures by 30%."


# -- identity across clones and upgrades ------------------------------------------------


def clone(source: Path, target: Path, origin: str | None = None) -> Path:
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True)
    if origin:
        subprocess.run(
            ["git", "-C", str(target), "remote", "set-url", "origin", origin], check=True
        )
    return target


def test_clones_with_https_ssh_and_local_origins_never_duplicate(brag, journal, project, tmp_path):
    https = clone(project.root, tmp_path / "a" / "shop", "https://github.com/acme/shop.git")
    ssh = clone(project.root, tmp_path / "b" / "shop-work", "ssh://git@github.com/acme/shop")
    local = clone(https, tmp_path / "c" / "repo")  # origin: a path to the https clone
    first = brag("import", "git", str(https))
    assert "added 3" in first.output
    for other in (ssh, local, project.root):
        again = brag("import", "git", str(other))
        assert "added 0" in again.output, other
    found = entries(journal)
    assert {e.source_id for e in found} == {"acme/shop#12", "acme/shop#14", "acme/shop#15"}
    assert {t for e in found for t in e.tags} == {"shop"}  # never "repo" or "shop-work"


def test_local_only_clones_share_the_root_commit_identity(brag, journal, project, tmp_path):
    lone = clone(project.root, tmp_path / "lone")
    subprocess.run(["git", "-C", str(lone), "remote", "remove", "origin"], check=True)
    copy = clone(lone, tmp_path / "mirror" / "repo")
    brag("import", "git", str(lone))
    assert "added 0" in brag("import", "git", str(copy)).output
    found = entries(journal)
    assert {e.source_id for e in found} == {
        f"{project.root_commit()[:12]}#{n}" for n in (12, 14, 15)
    }
    assert {e.tags[0] for e in found} == {"lone"}
    # The same project cloned from GitHub later: its merge commits are known.
    assert "added 0" in brag("import", "git", str(project.root)).output


def test_legacy_source_ids_and_removals_are_recognised(brag, journal, project, tmp_path):
    """Journals written by earlier versions keyed a clone of a local mirror ``repo#N``."""
    from brag.entry import Entry

    copy = clone(project.root, tmp_path / "mirror" / "repo")
    lone = clone(copy, tmp_path / "work" / "shop")
    for target in (copy, lone):
        subprocess.run(["git", "-C", str(target), "remote", "remove", "origin"], check=True)
    subprocess.run(["git", "-C", str(lone), "remote", "add", "origin", str(copy)], check=True)
    old = [
        Entry(
            title="Cache the cart (edited)",
            date=__import__("datetime").date(2026, 1, 12),
            source="git",
            source_id="repo#12",
        ),
        Entry(
            title="Retry payment webhooks",
            date=__import__("datetime").date(2026, 2, 3),
            source="git",
            source_id="repo#14",
        ),
    ]
    journal.import_entries("git", old)
    journal._index = None
    removed = next(e for e in journal.entries() if e.source_id == "repo#14")
    journal.remove(removed)
    result = brag("import", "git", str(lone))
    assert "added 1, already present 1, skipped 1" in result.output
    titles = sorted(e.title for e in entries(journal))
    assert titles == ["Bump dependencies", "Cache the cart (edited)"]


# -- titles and impact -------------------------------------------------------------------


def test_titles_and_impacts_read_like_a_person_wrote_them(brag, journal, tmp_path):
    repo = Repo(tmp_path / "t", remote="git@github.com:acme/t.git")
    repo.commit("init", BOB, "2026-05-01T10:00:00+00:00")
    bodies = {
        60: "https://github.com/acme/t/blob/main/CHANGELOG.md#breaking-changes-in-200\n\nFixes #12",
        61: "<!-- Thanks for submitting a PR, please fill in the template -->\n"
        "## Description\n\nPlease describe your change.\n\n- [x] Tests added\n- [ ] Docs\n\n"
        "Closes #7",
        62: "- [x] added a test\n- [x] changelog\n\nThis cuts CI time from 20 min to 8 min.",
    }
    for number, body in bodies.items():
        pr_branch(
            repo,
            f"b{number}",
            "main",
            [(f"python: change {number}", ME, f"2026-05-{number - 58:02d}T10:00:00+00:00")],
        )
        repo.checkout("main")
        repo.merge(
            f"b{number}",
            f"Merge pull request #{number} from acme/b{number}\n\n"
            f"doc,testing: title {number}\n\n{body}",
            BOB,
            f"2026-05-{number - 58:02d}T11:00:00+00:00",
        )
    # No title in the merge message: the first commit's subject, not the branch name.
    pr_branch(
        repo,
        "rm-nonzero",
        "main",
        [
            ("python: drop the nonzero check", ME, "2026-05-10T10:00:00+00:00"),
            ("typo", ME, "2026-05-10T11:00:00+00:00"),
        ],
    )
    repo.checkout("main")
    repo.merge(
        "rm-nonzero",
        "Merge pull request #63 from acme/rm-nonzero",
        BOB,
        "2026-05-11T10:00:00+00:00",
    )
    brag("import", "git", str(repo.root))
    found = {e.source_id: e for e in entries(journal)}
    assert [(found[f"acme/t#{n}"].title, found[f"acme/t#{n}"].impact) for n in (60, 61, 62)] == [
        ("doc,testing: title 60", ""),
        ("doc,testing: title 61", ""),
        ("doc,testing: title 62", "This cuts CI time from 20 min to 8 min."),
    ]
    assert found["acme/t#63"].title == "python: drop the nonzero check"


def test_impact_rules():
    from brag.plugins.git_history import impact_of

    assert impact_of("Https://github.com/x/y#breaking-changes-in-200") == ""
    assert impact_of("## Summary\n\nRefactor.\n\n## Impact\n\nCut p99 from 800ms to 200ms.") == (
        "Cut p99 from 800ms to 200ms."
    )
    assert impact_of("Fixes #123") == "" and impact_of("Closes acme/x#4") == ""
    assert impact_of("This reverts commit abc123.") == ""
    assert impact_of("Impact: saves 3 hours a week for the support team") == (
        "saves 3 hours a week for the support team"
    )
    assert impact_of("```\nspeeds up 50%\n```") == ""
    # A checklist line under a prose line is still a checklist, whatever it claims.
    assert impact_of("Description\n- [x] I ran the tests, 100% pass in 3 minutes") == ""


def test_rerun_after_new_commits_adds_only_them(brag, journal, project):
    brag("import", "git", str(project.root))
    project.branch("later")
    project.commit("Add coupons", ME, "2026-03-01T10:00:00+00:00")
    project.checkout("main")
    project.merge(
        "later",
        "Merge pull request #16 from acme/later\n\nCoupons",
        ALICE,
        "2026-03-02T10:00:00+00:00",
    )
    result = brag("import", "git", str(project.root), "--json")
    data = json.loads(result.stdout)
    assert [e["title"] for e in data["entries"]] == ["Coupons"]
    assert data["present"] == 3


def test_bad_ref_in_brag_toml(brag, journal, project):
    journal.config_set("import.git", {"paths": [str(project.root)], "ref": 5})
    before = commit_count(journal)
    result = brag("import", "git", expect=1)
    assert result.output.strip().splitlines()[-1] == (
        "Error: [import.git] ref must be a branch name or a list of them, got 5"
    )
    assert commit_count(journal) == before and entries(journal) == []
    journal.config_set("import.git", {"paths": [str(project.root)], "ref": ["main"]})
    assert "added 3" in brag("import", "git").output


def test_a_pr_titled_as_a_sync_is_one(brag, journal, tmp_path):
    """pytest's "Merge master into features" PRs: a neutral branch name, the sync in
    the title, carrying my direct commits and at most one colleague's PR."""
    repo = Repo(tmp_path / "m", remote="git@github.com:acme/m.git")
    repo.commit("init", BOB, "2026-06-01T10:00:00+00:00")
    repo.git("branch", "features")
    repo.commit("Mine on main", ME, "2026-06-02T10:00:00+00:00")
    repo.commit("Mine on main 2", ME, "2026-06-02T11:00:00+00:00")
    repo.branch("mm", "features")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge remote-tracking branch 'upstream/main' into mm",
        "main",
        env=Repo.ident(ALICE, None, "2026-06-03T10:00:00+00:00"),
    )
    repo.checkout("features")
    repo.merge(
        "mm",
        "Merge pull request #70 from alice/mm\n\nMerge main into features",
        ALICE,
        "2026-06-04T10:00:00+00:00",
    )
    result = brag("import", "git", str(repo.root), "--json")
    assert json.loads(result.stdout)["entries"] == []


def test_an_entry_under_another_id_is_matched_by_its_merge_commit(brag, journal, project):
    """The repository was renamed on GitHub: ids differ, the merge commit does not."""
    import datetime

    from brag.entry import Entry

    merge = project.git("log", "--format=%H", "--grep", "Merge pull request #12").split()[0]
    journal.import_entries(
        "git",
        [
            Entry(
                title="Cached the cart",
                date=datetime.date(2026, 1, 12),
                source="git",
                source_id="oldorg/old-shop#12",
                extra={"commit": merge[:12]},
            )
        ],
    )
    result = brag("import", "git", str(project.root))
    assert "added 2, already present 1" in result.output
    assert sorted(e.source_id for e in entries(journal)) == [
        "acme/shop#14",
        "acme/shop#15",
        "oldorg/old-shop#12",
    ]
