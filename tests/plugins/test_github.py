"""``brag import github`` against a real HTTP server speaking GitHub's REST API."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import time

import pytest
from fakeapis import FakeGitHub, entries, head, load, record_waits

from brag.journal import Journal

TOKEN = "ghp_test_SECRET123"
D = dt.date


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    return record_waits(monkeypatch)


@pytest.fixture
def github(httpserver, monkeypatch, waits) -> FakeGitHub:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("BRAG_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("BRAG_HTTP_MAX_WAIT", "5")
    return FakeGitHub(token=TOKEN).register(httpserver)


@pytest.fixture
def api(httpserver) -> str:
    return httpserver.url_for("/")


def test_imports_merged_prs_across_pages(brag, journal, github, api, git_run):
    body = (
        "Moves session storage to Redis.\n\n"
        "## Why\n\nLogins timed out under load; p99 login went from 2 s to 300 ms.\n\n"
        "## Testing\n\n- [x] load test\n"
    )
    github.add(
        "acme/api",
        7,
        "Cache sessions in Redis",
        D(2026, 3, 4),
        body=body,
        labels=["performance", "Needs Review"],
    )
    for n in range(100, 249):
        github.add("acme/web", n, f"Improve page {n}", D(2026, 2, 1) + dt.timedelta(days=n % 28))
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-03-31"
    )
    assert "github: added 150, already present 0, skipped 0" in result.output
    assert len(github.queries) == 1 and github.search_requests == 2  # one search, two pages
    assert len(entries(journal.root)) == 150
    log = git_run(journal.root, "log", "--format=%s")
    assert log.splitlines()[0] == "brag: import 150 entries from github"
    assert git_run(journal.root, "status", "--porcelain") == ""
    e = load(journal)["acme/api#7"]
    assert e.title == "Cache sessions in Redis"
    assert e.date == D(2026, 3, 4)
    assert e.tags == ["api", "performance", "needs-review"]
    assert e.url == "https://github.com/acme/api/pull/7"
    assert e.source == "github"
    assert e.impact == "Logins timed out under load; p99 login went from 2 s to 300 ms."
    assert "Moves session storage to Redis." in e.body
    plain = load(journal)["acme/web#100"]
    assert plain.impact == "" and plain.tags == ["web"]


def test_first_paragraph_is_impact_without_section(brag, journal, github, api):
    github.add(
        "acme/api",
        1,
        "Drop legacy API",
        D(2026, 1, 5),
        body="<!-- template: describe your change -->\nRemoves the v1 endpoints nobody "
        "called,\ncutting 4k lines.\n\nMore detail here.",
    )
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    assert load(journal)["acme/api#1"].impact == (
        "Removes the v1 endpoints nobody called, cutting 4k lines."
    )


def test_empty_result(brag, journal, github, api, git_run):
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert "github: added 0, already present 0, skipped 0" in result.output
    assert entries(journal.root) == []


def test_user_comes_from_token_and_other_authors_are_not_imported(brag, journal, github, api):
    github.add("acme/api", 1, "Mine", D(2026, 1, 5))
    github.add("acme/api", 2, "Someone else's", D(2026, 1, 5), author="hubot")
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    assert set(load(journal)) == {"acme/api#1"}
    assert "author:octocat" in github.queries[0]


def test_secondary_rate_limit_with_retry_after_waits_and_continues(
    brag, journal, github, api, httpserver, waits
):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    httpserver.expect_oneshot_request("/search/issues").respond_with_json(
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
            "before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        },
        status=403,
        headers={"Retry-After": "1"},
    )
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert waits == [1.0]
    assert "rate limited (HTTP 403); waiting 1 s" in result.stderr
    assert "added 1" in result.output
    assert list(load(journal)) == ["acme/api#1"]


def test_long_primary_rate_limit_stops_with_clear_message(
    brag, journal, github, api, httpserver, git_run
):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    before = head(git_run, journal.root)
    reset = int(time.time()) + 3600
    httpserver.expect_oneshot_request("/search/issues").respond_with_json(
        {
            "message": "API rate limit exceeded for user ID 1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        },
        status=403,
        headers={
            "X-RateLimit-Limit": "30",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Used": "30",
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Resource": "search",
        },
    )
    started = time.monotonic()
    result = brag("import", "github", "--api-url", api, "--since", "2026-01-01", expect=1)
    assert time.monotonic() - started < 3
    assert "Error: GitHub: rate limit reached (HTTP 403); it resets in 60 min" in result.output
    assert "Traceback" not in result.output
    assert head(git_run, journal.root) == before
    assert entries(journal.root) == []


def test_502_then_success(brag, journal, github, api, httpserver):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    httpserver.expect_oneshot_request("/search/issues").respond_with_data(
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        status=502,
        content_type="text/html",
    )
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert "answered HTTP 502; retrying" in result.stderr
    assert list(load(journal)) == ["acme/api#1"]


def test_server_errors_that_persist_give_up_cleanly(
    brag, journal, github, api, httpserver, git_run
):
    before = head(git_run, journal.root)
    for _ in range(5):
        httpserver.expect_oneshot_request("/search/issues").respond_with_data("oops", status=503)
    result = brag("import", "github", "--api-url", api, "--since", "2026-01-01", expect=1)
    assert "answered HTTP 503, 5 attempts; nothing was imported" in result.output
    assert head(git_run, journal.root) == before


def test_malformed_json_commits_nothing(brag, journal, github, api, httpserver, git_run):
    for n in range(1, 151):
        github.add("acme/api", n, f"PR {n}", D(2026, 1, 5))
    before = head(git_run, journal.root)
    # The second page is cut short: a proxy or a crash mid-body.
    httpserver.expect_ordered_request("/search/issues").respond_with_handler(github.search)
    httpserver.expect_ordered_request("/search/issues").respond_with_data(
        '{"total_count": 150, "incomplete_results": false, "items": [{"url": ',
        content_type="application/json",
    )
    result = brag(
        "import", "github", "--api-url", api, "--user", "octocat", "--since", "2026-01-01", expect=1
    )
    assert "Error: GitHub: /search/issues?" in result.output
    assert "body that is not valid JSON; nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert head(git_run, journal.root) == before
    assert entries(journal.root) == []
    assert git_run(journal.root, "status", "--porcelain") == ""


def test_unexpected_json_shape_is_a_clear_error(brag, journal, github, api, httpserver, git_run):
    before = head(git_run, journal.root)
    httpserver.expect_oneshot_request("/search/issues").respond_with_json({"items": "nope"})
    result = brag("import", "github", "--api-url", api, "--since", "2026-01-01", expect=1)
    assert "unexpected JSON (no 'total_count' number); nothing was imported" in result.output
    assert head(git_run, journal.root) == before


def test_revoked_token(brag, journal, github, api, monkeypatch, git_run):
    before = head(git_run, journal.root)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test_REVOKED999")
    result = brag("import", "github", "--api-url", api, expect=1)
    assert result.output.strip().splitlines()[-1] == (
        "Error: GitHub: the token was rejected (HTTP 401): token revoked or invalid; "
        "check GITHUB_TOKEN"
    )
    assert "ghp_test_REVOKED999" not in result.output
    assert head(git_run, journal.root) == before


def test_no_token_anywhere(brag, journal, api, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = brag("import", "github", "--api-url", api, expect=1)
    assert "Error: GitHub: no token found: set GITHUB_TOKEN" in result.output


def test_token_from_gh_cli(brag, journal, github, api, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    gh = bindir / "gh"
    gh.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'auth token' ] && echo {TOKEN}\n")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    assert list(load(journal)) == ["acme/api#1"]


def test_rerun_adds_nothing_and_never_duplicates(brag, journal, github, api, git_run):
    for n in range(1, 6):
        github.add("acme/api", n, f"PR {n}", D(2026, 1, n))
    args = ("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    brag(*args)
    commits = git_run(journal.root, "rev-list", "--count", "HEAD")
    result = brag(*args)
    assert "github: added 0, already present 5, skipped 0" in result.output
    assert len(entries(journal.root)) == 5
    assert git_run(journal.root, "rev-list", "--count", "HEAD") == commits


def test_user_edited_import_is_kept(brag, journal, github, api, git_run):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    args = ("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    brag(*args)
    entry = load(journal)["acme/api#1"]
    brag("edit", entry.id, "--title", "Made CI green again", "--impact", "Saved 2 h a week")
    github.pulls[0].title = "Fix the flaky test (renamed upstream)"
    result = brag(*args)
    assert "already present 1" in result.output
    after = load(journal)["acme/api#1"]
    assert after.title == "Made CI green again"
    assert after.impact == "Saved 2 h a week"
    assert len(entries(journal.root)) == 1


def test_dry_run_writes_nothing(brag, journal, github, api, git_run):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    before = head(git_run, journal.root)
    result = brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--dry-run")
    assert "+ 2026-01-05  Fix the flaky test" in result.output
    assert "github: would add 1" in result.output
    assert head(git_run, journal.root) == before
    assert entries(journal.root) == []
    assert not (journal.root / ".brag").exists()


def test_since_until_window_and_resume_from_last_run(brag, journal, github, api):
    github.add("acme/api", 1, "January", D(2026, 1, 31))
    github.add("acme/api", 2, "February", D(2026, 2, 10))
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    assert github.queries[-1].endswith("merged:2026-01-01..2026-01-31")
    assert set(load(journal)) == {"acme/api#1"}
    state = (journal.root / ".brag/state/import-github.toml").read_text()
    assert "2026-01-31" in state
    # No --since: continue from the last run (one day of overlap), up to today.
    result = brag("import", "github", "--api-url", api)
    assert f"merged:2026-01-30..{dt.date.today().isoformat()}" in github.queries[-1]
    assert "added 1, already present 1" in result.output
    assert set(load(journal)) == {"acme/api#1", "acme/api#2"}


def test_date_range_is_split_at_the_1000_result_cap(brag, journal, github, api, git_run):
    start = D(2025, 1, 1)
    for n in range(1500):
        github.add("acme/api", n + 1, f"Change {n + 1}", start + dt.timedelta(days=n % 300))
    result = brag(
        "import", "github", "--api-url", api, "--since", "2025-01-01", "--until", "2025-12-31"
    )
    assert "added 1500, already present 0, skipped 0" in result.output
    ranges = [q.split("merged:")[1] for q in github.queries]
    assert ranges[0] == "2025-01-01..2025-12-31"
    assert ranges[1:3] == ["2025-01-01..2025-07-02", "2025-07-03..2025-12-31"]
    assert "splitting the range" in result.stderr
    assert len(entries(journal.root)) == 1500
    # 1,500 paths reach git on stdin, not the command line: all in one clean commit.
    assert git_run(journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: import 1500 entries from github"
    )
    assert git_run(journal.root, "status", "--porcelain") == ""
    shown = git_run(journal.root, "show", "--stat", "--format=", "HEAD").splitlines()[-1]
    assert shown.strip().startswith("1501 files changed")  # the entries and the cursor


def test_more_than_1000_on_one_day_is_reported_not_hidden(brag, journal, github, api):
    for n in range(1005):
        github.add("acme/api", n + 1, f"Bot-sized change {n + 1}", D(2025, 5, 5))
    result = brag(
        "import", "github", "--api-url", api, "--since", "2025-05-05", "--until", "2025-05-05"
    )
    assert "added 1000" in result.output
    assert "skipped 1 (1 beyond the search API's 1,000-result cap for one day)" in result.output


def test_repo_and_org_limit_the_search(brag, journal, github, api):
    github.add("acme/api", 1, "In api", D(2026, 1, 5))
    github.add("acme/web", 2, "In web", D(2026, 1, 5))
    github.add("other/tool", 3, "Elsewhere", D(2026, 1, 5))
    github.add("umbrella/x", 4, "Org", D(2026, 1, 5))
    brag(
        "import",
        "github",
        "--api-url",
        api,
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-31",
        "--repo",
        "acme/api",
        "--repo",
        "acme/web",
        "--org",
        "umbrella",
    )
    assert set(load(journal)) == {"acme/api#1", "acme/web#2", "umbrella/x#4"}
    assert any(q.endswith(" repo:acme/api") for q in github.queries)
    assert any(q.endswith(" org:umbrella") for q in github.queries)


def test_exclude_label_and_bots(brag, journal, github, api):
    github.add("acme/api", 1, "Bump lodash", D(2026, 1, 5), labels=["Dependencies"])
    github.add("acme/api", 2, "Real work", D(2026, 1, 6), labels=["feature"])
    result = brag(
        "import",
        "github",
        "--api-url",
        api,
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-31",
        "--exclude-label",
        "dependencies",
        "--exclude-label",
        "chore",
    )
    assert set(load(journal)) == {"acme/api#2"}
    assert "skipped 1 (1 label 'Dependencies' excluded)" in result.output


def test_min_lines_fetches_sizes_only_when_asked(brag, journal, github, api):
    github.add("acme/api", 1, "Typo", D(2026, 1, 5), additions=1, deletions=1)
    github.add("acme/api", 2, "New billing engine", D(2026, 1, 6), additions=900, deletions=50)
    args = ("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    result = brag(*args, "--min-lines", "10")
    assert set(load(journal)) == {"acme/api#2"}
    assert "skipped 1 (1 fewer than 10 lines changed)" in result.output
    assert github.detail_requests == 2
    # Already imported PRs are not asked about again; without the option, none are.
    brag(*args, "--min-lines", "10")
    assert github.detail_requests == 3  # only the small one, still not in the journal
    brag(*args)
    assert github.detail_requests == 3


def test_enterprise_api_url_from_brag_toml(brag, journal, httpserver, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    ghe = FakeGitHub(token=TOKEN, prefix="/api/v3").register(httpserver)
    ghe.add("corp/app", 9, "Enterprise change", D(2026, 1, 5))
    brag("config", "set", "import.github.api_url", httpserver.url_for("/api/v3"))
    brag("config", "set", "import.github.user", "octocat")
    # brag.toml is synced: a host named there must be approved on this machine first.
    from brag import machine

    machine.add_to_list("approved_hosts", "localhost")
    # `brag import` with no source runs every configured importer.
    result = brag("import", "--since", "2026-01-01", "--until", "2026-01-31")
    assert "github: added 1" in result.output
    assert set(load(journal)) == {"corp/app#9"}


def test_token_in_brag_toml_is_refused(brag, journal, github, api):
    # `brag config set` refuses secrets; a hand edit of brag.toml is caught here.
    with (journal.root / "brag.toml").open("a") as fh:
        fh.write('\n[import.github]\ntoken = "ghp_oops"\n')
    result = brag("import", "github", "--api-url", api, expect=1)
    assert "holds a token: remove it" in result.output


def test_untrusted_titles_stay_inside_entries_as_text(brag, journal, github, api):
    github.add("acme/api", 1, "../../etc/passwd", D(2026, 1, 5))
    github.add(
        "acme/api",
        2,
        "<script>alert('x')</script>",
        D(2026, 1, 6),
        body='+++\nid = "pwned"\n+++\n<img src=x onerror=alert(1)>\n\x1b[31mred\x00',
    )
    github.add(
        "acme/api",
        3,
        "/abs/path\\..\\win $(rm -rf ~) `id`",
        D(2026, 1, 7),
        labels=["../escape", "<b>"],
    )
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    root = journal.root.resolve()
    files = entries(journal.root)
    assert len(files) == 3
    for path in files:
        assert path.resolve().is_relative_to(root / "entries")
    assert not (journal.root.parent / "etc").exists()
    by_id = load(journal)
    assert by_id["acme/api#1"].title == "../../etc/passwd"
    assert by_id["acme/api#2"].title == "<script>alert('x')</script>"
    assert by_id["acme/api#3"].title == "/abs/path\\..\\win $(rm -rf ~) `id`"
    assert by_id["acme/api#3"].tags == ["api", "escape", "b"]
    pwned = by_id["acme/api#2"]
    assert pwned.id != "pwned"
    assert "\x1b" not in pwned.body and "\x00" not in pwned.body
    shown = json.loads(brag("show", pwned.id, "--json").output)
    assert shown["title"] == "<script>alert('x')</script>"


def test_token_never_written_or_printed(
    brag, journal, github, api, httpserver, git_run, monkeypatch
):
    github.add("acme/api", 1, f"Rotate {TOKEN[:4]} keys", D(2026, 1, 5))
    outputs = []
    outputs.append(
        brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    )
    outputs.append(brag("import", "github", "--api-url", api, "--json"))
    # A server that echoes the credentials back in its error and in a retry.
    httpserver.expect_oneshot_request("/search/issues").respond_with_data("x", status=502)
    httpserver.expect_oneshot_request("/search/issues").respond_with_json(
        {"message": f"Bad token {TOKEN} (Bearer {TOKEN})"}, status=400
    )
    outputs.append(brag("import", "github", "--api-url", api, "--since", "2026-01-01", expect=1))
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test_REVOKED999")
    outputs.append(brag("import", "github", "--api-url", api, expect=1))
    text = "".join(r.output + r.stderr for r in outputs)
    assert "Bad token *** (Bearer ***)" in text
    assert TOKEN not in text and "REVOKED999" not in text
    for path in journal.root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    history = git_run(journal.root, "log", "-p", "--all", "--format=%H %s%n%b")
    assert TOKEN not in history


def test_index_rows_written_by_the_import_match_the_files(brag, journal, github, api):
    github.add(
        "acme/api", 1, "Cache sessions", D(2026, 1, 5), body="## Impact\nFaster.", labels=["perf"]
    )
    github.add("acme/api", 2, "Drop v1", D(2026, 1, 6))
    brag("import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    from_import = [e.to_dict() for e in Journal(journal.root).entries()]
    from brag.index import index_location

    location = index_location(journal.root)
    for path in location.parent.glob(location.name + "*"):
        path.unlink()
    reread = [e.to_dict() for e in Journal(journal.root).entries()]
    assert from_import == reread and len(reread) == 2


def test_incomplete_search_results_are_pointed_out(brag, journal, github, api, httpserver):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))

    def timed_out_search(request):
        response = github.search(request)
        response.set_data(
            response.get_data().replace(
                b'"incomplete_results": false', b'"incomplete_results": true'
            )
        )
        return response

    httpserver.expect_oneshot_request("/search/issues").respond_with_handler(timed_out_search)
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert "may be incomplete; run 'brag import github --since 2026-01-01' later" in result.stderr
    assert "added 1" in result.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--repo",
            "https://github.com/acme/api",
            "--repo 'https://github.com/acme/api' is not OWNER/NAME",
        ),
        ("--repo", "acme", "--repo 'acme' is not OWNER/NAME"),
        ("--org", "acme corp", "--org 'acme corp' is not an organisation name"),
        ("--user", "a b", "'a b' is not a GitHub login"),
    ],
)
def test_bad_scopes_are_refused_before_any_search(
    brag, journal, github, api, option, value, message, git_run
):
    before = head(git_run, journal.root)
    result = brag(
        "import", "github", "--api-url", api, "--user", "octocat", option, value, expect=1
    )
    assert f"Error: GitHub: {message}" in result.output
    assert github.queries == []
    assert head(git_run, journal.root) == before


def test_max_wait_from_brag_toml(brag, journal, github, api, httpserver, git_run):
    github.add("acme/api", 1, "Fix the flaky test", D(2026, 1, 5))
    brag("config", "set", "import.github.max_wait", "2")
    before = head(git_run, journal.root)
    httpserver.expect_oneshot_request("/search/issues").respond_with_json(
        {"message": "You have exceeded a secondary rate limit."},
        status=429,
        headers={"Retry-After": "3"},
    )
    result = brag("import", "github", "--api-url", api, "--since", "2026-01-01", expect=1)
    assert "it resets in 3 s" in result.output and "raise max_wait, now 2 s" in result.output
    assert head(git_run, journal.root) == before


# -- --reviews: pull requests the user reviewed -----------------------------------------


def on_day(monkeypatch, day: dt.date) -> None:
    """Make the review importer believe today is ``day`` (which weeks are finished)."""
    monkeypatch.setattr("brag.plugins._remote.today", lambda: day)


def reviewed(github, repo, number, title, merged, author="hubot", **kw):
    return github.add(repo, number, title, merged, author=author, reviewers=["octocat"], **kw)


def test_reviews_one_entry_per_reviewed_pr(brag, journal, github, api):
    github.add("acme/api", 1, "My own change", D(2026, 3, 4))
    reviewed(github, "acme/api", 12, "Add retries to the webhook sender", D(2026, 3, 4))
    reviewed(github, "acme/web", 30, "fix: dark mode contrast", D(2026, 3, 5), author="monalisa")
    reviewed(github, "acme/web", 31, "Bump lodash", D(2026, 3, 5), author="dependabot[bot]",
             author_type="Bot")  # fmt: skip
    github.add("acme/web", 32, "Not reviewed by me", D(2026, 3, 5), author="monalisa")
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-03-04", "--until", "2026-03-31",
        "--reviews",
    )  # fmt: skip
    assert "github: added 3, already present 0, skipped 1 (1 authored by a bot)" in result.output
    found = load(journal)
    assert set(found) == {"acme/api#1", "review:acme/api#12", "review:acme/web#30"}
    e = found["review:acme/api#12"]
    assert e.title == "Reviewed Add retries to the webhook sender"
    assert found["review:acme/web#30"].title == "Reviewed fix: dark mode contrast"
    assert e.leverage == "interpersonal"
    assert e.tags == ["review", "api"]
    assert e.with_ == ["hubot"]
    assert e.url == "https://github.com/acme/api/pull/12"
    assert e.date == D(2026, 3, 4)
    assert e.source == "github"
    from brag.impact import tree_for

    assert tree_for(e) == "B"
    # Whole ISO weeks: 2026-03-04 is a Wednesday, 2026-03-31 a Tuesday.
    assert github.queries[-1] == (
        "is:pr is:merged reviewed-by:octocat -author:octocat merged:2026-03-02..2026-04-05"
    )


def test_without_reviews_nothing_reviewed_is_searched(brag, journal, github, api):
    reviewed(github, "acme/api", 12, "Add retries", D(2026, 3, 4))
    brag("import", "github", "--api-url", api, "--since", "2026-03-01", "--until", "2026-03-31")
    assert load(journal) == {}
    assert not any("reviewed-by:" in q for q in github.queries)


def test_busy_finished_week_is_one_roll_up(brag, journal, github, api):
    authors = ["hubot", "monalisa", "hubot", "mona", "defunkt", "monalisa", "pjhyett"]
    for n, author in enumerate(authors):
        reviewed(github, "acme/api", 40 + n, f"Change {n}", D(2026, 3, 30) + dt.timedelta(days=n),
                 author=author)  # fmt: skip
    reviewed(github, "acme/web", 50, "Next week's change", D(2026, 4, 7))
    # reviews = true in brag.toml turns them on for every run.
    brag("config", "set", "import.github.reviews", "true")
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-03-30", "--until", "2026-04-12"
    )
    assert "github: added 2, already present 0, skipped 0" in result.output
    found = load(journal)
    assert set(found) == {"reviews:2026-W14", "review:acme/web#50"}
    week = found["reviews:2026-W14"]
    assert week.title == "Reviewed 7 pull requests in week 2026-W14"
    assert week.with_ == ["hubot", "monalisa", "mona", "defunkt", "pjhyett"]
    assert week.leverage == "interpersonal"
    assert week.tags == ["review", "api"]
    assert week.date == D(2026, 4, 5)
    for n in range(7):
        assert f"- [acme/api#{40 + n}](https://github.com/acme/api/pull/{40 + n}) Change {n}" in (
            week.body
        )
    assert week.extra["reviewed"] == [f"acme/api#{40 + n}" for n in range(7)]


def test_roll_up_threshold_is_a_setting(brag, journal, github, api):
    for n in range(3):
        reviewed(github, "acme/api", 40 + n, f"Change {n}", D(2026, 3, 2))
    args = ("import", "github", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08")
    brag("config", "set", "import.github.review_rollup", "2")
    brag(*args, "--reviews")
    assert set(load(journal)) == {"reviews:2026-W10"}
    # Exactly the threshold is not "more than" it.
    reviewed(github, "acme/api", 60, "Other week", D(2026, 3, 9))
    reviewed(github, "acme/api", 61, "Other week again", D(2026, 3, 10))
    brag(*args[:-4], "--since", "2026-03-09", "--until", "2026-03-15", "--reviews")
    assert set(load(journal)) == {"reviews:2026-W10", "review:acme/api#60", "review:acme/api#61"}


def test_bad_review_settings_are_refused_before_any_search(brag, journal, github, api, git_run):
    before = head(git_run, journal.root)
    with (journal.root / "brag.toml").open("a") as fh:
        fh.write('\n[import.github]\nreviews = "yes"\n')
    result = brag("import", "github", "--api-url", api, expect=1)
    assert "reviews must be true or false" in result.output
    assert "Traceback" not in result.output
    result = brag("import", "github", "--api-url", api, "--review-rollup", "-1", expect=2)
    assert github.queries == []
    assert head(git_run, journal.root) == before


def test_week_in_progress_waits_until_it_is_over(brag, journal, github, api, monkeypatch):
    reviewed(github, "acme/api", 10, "Last week's change", D(2026, 3, 24))
    for n in range(7):
        reviewed(
            github, "acme/api", 40 + n, f"Change {n}", D(2026, 3, 30) + dt.timedelta(days=n % 3)
        )
    on_day(monkeypatch, D(2026, 4, 1))  # a Wednesday in 2026-W14
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-03-23", "--until", "2026-04-01",
        "--reviews",
    )  # fmt: skip
    assert "added 1, already present 0, skipped 7 (7 week 2026-W14 still in progress" in (
        result.output
    )
    assert set(load(journal)) == {"review:acme/api#10"}
    # A week later the run resumes from its cursor, widened back to that week's Monday.
    reviewed(github, "acme/api", 70, "This week's change", D(2026, 4, 7))
    on_day(monkeypatch, D(2026, 4, 8))
    result = brag("import", "github", "--api-url", api, "--reviews")
    assert "merged:2026-03-30..2026-04-12" in github.queries[-1]
    assert "added 1, already present 0, skipped 1 (1 week 2026-W15 still in progress" in (
        result.output
    )
    found = load(journal)
    assert set(found) == {"review:acme/api#10", "reviews:2026-W14"}
    assert found["reviews:2026-W14"].title == "Reviewed 7 pull requests in week 2026-W14"


def test_reviews_rerun_adds_nothing_and_exits_3(brag, journal, github, api, git_run):
    for n in range(7):
        reviewed(github, "acme/api", 40 + n, f"Change {n}", D(2026, 3, 30))
    reviewed(github, "acme/api", 60, "Single", D(2026, 4, 8))
    brag("config", "set", "import.github.api_url", api)
    from brag import machine

    machine.add_to_list("approved_hosts", "localhost")  # brag.toml's host, approved here
    brag("config", "set", "import.github.reviews", "true")
    args = ("import", "--since", "2026-03-30", "--until", "2026-04-12")
    result = brag(*args)
    assert "github: added 2" in result.output
    files = {p: p.read_bytes() for p in entries(journal.root)}
    commits = git_run(journal.root, "rev-list", "--count", "HEAD")
    result = brag(*args, expect=3)
    assert "github: added 0, already present 2, skipped 0" in result.output
    assert {p: p.read_bytes() for p in entries(journal.root)} == files
    assert git_run(journal.root, "rev-list", "--count", "HEAD") == commits


def test_a_later_run_never_rewrites_a_review_entry(brag, journal, github, api):
    args = ("import", "github", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-15",
            "--reviews")  # fmt: skip
    for n in range(3):  # 2026-W10: three reviews, imported one by one
        reviewed(github, "acme/api", 10 + n, f"Small {n}", D(2026, 3, 2))
    for n in range(6):  # 2026-W11: six, rolled up
        reviewed(github, "acme/api", 20 + n, f"Busy {n}", D(2026, 3, 9))
    brag(*args)
    assert set(load(journal)) == {
        "review:acme/api#10",
        "review:acme/api#11",
        "review:acme/api#12",
        "reviews:2026-W11",
    }
    rollup = load(journal)["reviews:2026-W11"]
    brag("edit", rollup.id, "--impact", "Unblocked the release train")
    files = {p: p.read_bytes() for p in entries(journal.root)}
    # Reviews that turn up later for weeks already imported (search lag, a new scope):
    for n in range(4):  # W10 now holds seven, but it was decided review by review
        reviewed(github, "acme/api", 30 + n, f"Late {n}", D(2026, 3, 3))
    reviewed(github, "acme/api", 40, "Late for the roll-up", D(2026, 3, 10))
    result = brag(*args)
    assert "added 5, already present 4, skipped 0" in result.output
    found = load(journal)
    assert {f"review:acme/api#{30 + n}" for n in range(4)} <= set(found)
    assert "review:acme/api#40" in found
    assert "reviews:2026-W10" not in found
    for path, data in files.items():
        assert path.read_bytes() == data, path
    assert found["reviews:2026-W11"].impact == "Unblocked the release train"
    assert found["reviews:2026-W11"].title == "Reviewed 6 pull requests in week 2026-W11"
    assert brag(*args).output.count("added 0, already present 9") == 1


def test_own_pull_requests_are_not_reviews(brag, journal, github, api):
    # Commenting on your own PR makes GitHub count you as a reviewer of it.
    github.add("acme/api", 5, "Mine", D(2026, 3, 3), reviewers=["octocat", "hubot"])
    github.add("acme/api", 6, "Mine, other case", D(2026, 3, 3), author="OctoCat",
               reviewers=["octocat"])  # fmt: skip
    reviewed(github, "acme/api", 7, "Theirs", D(2026, 3, 4))
    brag("import", "github", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08",
         "--reviews")  # fmt: skip
    assert set(load(journal)) == {"acme/api#5", "acme/api#6", "review:acme/api#7"}
    assert "-author:octocat" in github.queries[-1]


def test_own_pull_request_in_results_is_left_out_here_too(brag, journal, github, api, httpserver):
    # A server that ignores "-author:" (an older GitHub Enterprise, a proxy).
    reviewed(github, "acme/api", 7, "Theirs", D(2026, 3, 4))
    mine = github.add("acme/api", 8, "Mine", D(2026, 3, 4), reviewers=["octocat"])

    def ignoring_negation(request):
        response = github.search(request)
        if "reviewed-by:" in request.args.get("q", ""):
            data = json.loads(response.get_data())
            data["items"].append(github.item(mine))
            data["total_count"] += 1
            response.set_data(json.dumps(data))
        return response

    httpserver.expect_ordered_request("/search/issues").respond_with_handler(github.search)
    httpserver.expect_ordered_request("/search/issues").respond_with_handler(ignoring_negation)
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08",
        "--reviews", "--user", "octocat",
    )  # fmt: skip
    assert "skipped 1 (1 your own pull request)" in result.output
    assert "review:acme/api#8" not in load(journal)


def test_review_search_rate_limit_waits_and_continues(brag, journal, github, api, waits):
    reviewed(github, "acme/api", 7, "Theirs", D(2026, 3, 4))
    github.review_rate_limits = 1
    result = brag(
        "import", "github", "--api-url", api, "--since", "2026-03-02", "--until", "2026-03-08",
        "--reviews",
    )  # fmt: skip
    assert waits == [2.0]
    assert "rate limited (HTTP 403); waiting 2 s" in result.stderr
    assert set(load(journal)) == {"review:acme/api#7"}


def test_review_rate_limit_too_long_commits_nothing(brag, journal, github, api, git_run):
    github.add("acme/api", 1, "Mine", D(2026, 3, 3))
    reviewed(github, "acme/api", 7, "Theirs", D(2026, 3, 4))
    brag("config", "set", "import.github.max_wait", "1")
    before = head(git_run, journal.root)
    github.review_rate_limits = 1
    result = brag("import", "github", "--api-url", api, "--since", "2026-03-02", "--reviews",
                  expect=1)  # fmt: skip
    assert "rate limit" in result.output and "Traceback" not in result.output
    assert head(git_run, journal.root) == before
    assert entries(journal.root) == []


def test_a_removed_roll_up_stays_removed(brag, journal, github, api):
    for n in range(6):
        reviewed(github, "acme/api", 20 + n, f"Busy {n}", D(2026, 3, 9))
    args = ("import", "github", "--api-url", api, "--since", "2026-03-09", "--until", "2026-03-15",
            "--reviews")  # fmt: skip
    brag(*args)
    brag("rm", load(journal)["reviews:2026-W11"].id)
    reviewed(github, "acme/api", 40, "Late for the roll-up", D(2026, 3, 10))
    result = brag(*args)
    assert "added 0, already present 0, skipped 1 (1 removed earlier with brag rm)" in result.output
    assert load(journal) == {}
