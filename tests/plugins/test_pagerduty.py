"""``brag import pagerduty`` against a real HTTP server speaking PagerDuty's REST API v2."""

from __future__ import annotations

import datetime as dt

import pytest
from fakeapis import FakePagerDuty, Incident, entries, head, load, record_waits

TOKEN = "pd_test_SECRET789"
UTC = dt.UTC


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    return record_waits(monkeypatch)


@pytest.fixture
def pd(httpserver, monkeypatch, waits) -> FakePagerDuty:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    monkeypatch.setenv("BRAG_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("BRAG_HTTP_MAX_WAIT", "5")
    return FakePagerDuty(token=TOKEN).register(httpserver)


@pytest.fixture
def api(httpserver) -> str:
    return httpserver.url_for("/")


WINDOW = ("--since", "2026-01-01", "--until", "2026-03-31")


def resolved_incident(
    pd: FakePagerDuty, ident: str = "PT4KHLK", day: str = "2026-02-10"
) -> Incident:
    inc = pd.add_incident(
        Incident(ident, 1234, "The server is on fire.", at(day, 21, 30), at(day, 22, 38))
    )
    pd.log(inc, "acknowledge", at(day, 21, 35))
    pd.log(inc, "annotate", at(day, 21, 50))
    pd.log(inc, "resolve", at(day, 22, 38))
    return inc


def test_incidents_arrive_framed_for_impact(brag, journal, pd, api, git_run):
    resolved_incident(pd)
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert "pagerduty: added 1, already present 0, skipped 0" in result.output
    e = load(journal)["PT4KHLK"]
    assert e.title == "The server is on fire."
    assert e.date == at("2026-02-10", 21, 30).astimezone().date()
    assert e.areas == ["risk"] and e.leverage == "execution"
    assert e.impact == (
        "Acknowledged and resolved a high-urgency incident on My Mail Service; "
        "resolved 1 h 8 min after it was triggered."
    )
    assert e.metrics == [{"name": "time to resolve", "value": 68, "unit": "min"}]
    assert e.url == "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    assert e.tags == ["incident", "my-mail-service"]
    assert e.extra["incident_role"] == ["acknowledged", "resolved", "annotated"]
    assert e.extra["urgency"] == "high" and e.extra["service"] == "My Mail Service"
    assert e.extra["incident_number"] == 1234
    assert git_run(journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: import 1 entry from pagerduty"
    )


def test_only_incidents_the_user_worked_on(brag, journal, pd, api):
    worked = resolved_incident(pd, "PWORKED")
    other = pd.add_incident(
        Incident("PNOTIFY", 7, "Disk full", at("2026-02-11"), at("2026-02-11", 11))
    )
    pd.log(other, "notify", at("2026-02-11", 10, 1))
    # Someone else acknowledged and resolved it: the user was only paged.
    pd.log(other, "acknowledge", at("2026-02-11", 10, 2), agent="POTHER1")
    assigned = pd.add_incident(
        Incident("PASSIGN", 8, "Queue backlog", at("2026-02-12"), urgency="low", service="Jobs")
    )
    pd.log(assigned, "assign", at("2026-02-12", 10, 5), agent="POTHER1")
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert set(load(journal)) == {worked.id, "PASSIGN"}
    assert "skipped 1 (1 only notified, not worked on)" in result.output
    still_open = load(journal)["PASSIGN"]
    assert still_open.impact == "Was assigned a low-urgency incident on Jobs (still acknowledged)."
    assert still_open.metrics == []
    assert pd.incident_requests == ["PWORKED", "PASSIGN"]


def test_log_entries_paginate_by_offset_and_user_comes_from_token(brag, journal, pd, api):
    for n in range(130):
        resolved_incident(
            pd, f"PINC{n:03d}", (dt.date(2026, 1, 1) + dt.timedelta(days=n % 80)).isoformat()
        )
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert "added 130" in result.output
    offsets = [r["offset"] for r in pd.log_requests]
    assert offsets == ["0", "100", "200", "300"]  # 390 log entries, limit 100
    assert all(r["limit"] == "100" for r in pd.log_requests)


def test_long_ranges_are_split_into_windows_within_the_api_limit(brag, journal, pd, api):
    resolved_incident(pd, "POLD", "2025-01-15")
    resolved_incident(pd, "PNEW", "2025-12-15")
    brag(
        "import",
        "pagerduty",
        "--api-url",
        api,
        "--user-id",
        "PXPGF42",
        "--since",
        "2025-01-01",
        "--until",
        "2025-12-31",
    )
    assert set(load(journal)) == {"POLD", "PNEW"}
    spans = [
        dt.datetime.fromisoformat(r["until"]) - dt.datetime.fromisoformat(r["since"])
        for r in pd.log_requests
    ]
    assert len(spans) == 3 and all(span <= dt.timedelta(days=180) for span in spans)


def test_more_true_with_no_items_stops_cleanly(brag, journal, pd, api, httpserver, git_run):
    resolved_incident(pd)

    # The first page says there is more; the next is empty but still says more.
    def first_page_claims_more(request):
        response = pd.log_entries(request)
        response.set_data(response.get_data().replace(b'"more": false', b'"more": true'))
        return response

    httpserver.clear_all_handlers()
    httpserver.expect_ordered_request("/users/PXPGF42/log_entries").respond_with_handler(
        first_page_claims_more
    )
    httpserver.expect_ordered_request("/users/PXPGF42/log_entries").respond_with_json(
        {"log_entries": [], "limit": 100, "offset": 3, "more": True, "total": None}
    )
    httpserver.expect_request("/incidents/PT4KHLK").respond_with_handler(pd.incident)
    result = brag("import", "pagerduty", "--api-url", api, "--user-id", "PXPGF42", *WINDOW)
    assert "said there were more results but sent none; stopping there" in result.stderr
    assert "added 1" in result.output
    assert set(load(journal)) == {"PT4KHLK"}


def test_500_then_success(brag, journal, pd, api, httpserver):
    resolved_incident(pd)
    httpserver.expect_oneshot_request("/incidents/PT4KHLK").respond_with_json(
        {"error": {"message": "Internal Server Error", "code": 2000}}, status=500
    )
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert "answered HTTP 500; retrying" in result.stderr
    assert set(load(journal)) == {"PT4KHLK"}


def test_rate_limited_429(brag, journal, pd, api, httpserver, waits):
    resolved_incident(pd)
    httpserver.expect_oneshot_request("/users/me").respond_with_json(
        {"error": {"message": "Rate Limit Exceeded", "code": 2020}},
        status=429,
        headers={"ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": "1"},
    )
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert "PagerDuty: rate limited (HTTP 429); waiting 1 s" in result.stderr
    assert waits == [1.0]
    assert set(load(journal)) == {"PT4KHLK"}


def test_malformed_json_commits_nothing(brag, journal, pd, api, httpserver, git_run):
    resolved_incident(pd)
    before = head(git_run, journal.root)
    httpserver.expect_oneshot_request("/incidents/PT4KHLK").respond_with_data(
        '{"incident": {"id": "PT4KHLK", ', content_type="application/json"
    )
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW, expect=1)
    assert (
        "Error: PagerDuty: /incidents/PT4KHLK answered HTTP 200 with a body that is not "
        "valid JSON; nothing was imported" in result.output
    )
    assert head(git_run, journal.root) == before and entries(journal.root) == []


def test_log_entries_that_are_not_a_list(brag, journal, pd, api, httpserver, git_run):
    before = head(git_run, journal.root)
    httpserver.expect_oneshot_request("/users/PXPGF42/log_entries").respond_with_json(
        {"log_entries": {"oops": 1}, "more": False}
    )
    result = brag(
        "import", "pagerduty", "--api-url", api, "--user-id", "PXPGF42", *WINDOW, expect=1
    )
    assert "unexpected JSON (no 'log_entries' list); nothing was imported" in result.output
    assert head(git_run, journal.root) == before


def test_revoked_token(brag, journal, pd, api, monkeypatch, git_run):
    before = head(git_run, journal.root)
    monkeypatch.setenv("PAGERDUTY_TOKEN", "pd_test_REVOKED")
    result = brag("import", "pagerduty", "--api-url", api, expect=1)
    assert result.output.strip().splitlines()[-1] == (
        "Error: PagerDuty: the token was rejected (HTTP 401): token revoked or invalid; "
        "check PAGERDUTY_TOKEN"
    )
    assert head(git_run, journal.root) == before


def test_rerun_is_idempotent_and_skips_detail_requests(brag, journal, pd, api, git_run):
    resolved_incident(pd)
    brag("import", "pagerduty", "--api-url", api, *WINDOW)
    entry = load(journal)["PT4KHLK"]
    brag("edit", entry.id, "--impact", "Led the fix; mail was back in an hour")
    commits = git_run(journal.root, "rev-list", "--count", "HEAD")
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    assert "pagerduty: added 0, already present 1" in result.output
    assert pd.incident_requests == ["PT4KHLK"]  # not fetched again
    assert load(journal)["PT4KHLK"].impact == "Led the fix; mail was back in an hour"
    assert len(entries(journal.root)) == 1
    assert git_run(journal.root, "rev-list", "--count", "HEAD") == commits


def test_dry_run_and_resume(brag, journal, pd, api, git_run):
    resolved_incident(pd, "PJAN", "2026-01-20")
    before = head(git_run, journal.root)
    result = brag("import", "pagerduty", "--api-url", api, *WINDOW, "--dry-run")
    assert "pagerduty: would add 1" in result.output
    assert head(git_run, journal.root) == before and entries(journal.root) == []
    brag("import", "pagerduty", "--api-url", api, "--since", "2026-01-01", "--until", "2026-01-31")
    resolved_incident(pd, "PFEB", "2026-02-05")
    pd.log_requests.clear()
    brag("import", "pagerduty", "--api-url", api)
    assert pd.log_requests[0]["since"].startswith("2026-01-30T00:00:00")
    assert set(load(journal)) == {"PJAN", "PFEB"}


def test_untrusted_title_and_token_never_stored(brag, journal, pd, api, git_run):
    inc = pd.add_incident(
        Incident("PEVIL", 9, "../../.git/hooks/post-commit <img onerror=x>", at("2026-02-01"))
    )
    pd.log(inc, "acknowledge", at("2026-02-01", 10, 3))
    out = brag("import", "pagerduty", "--api-url", api, *WINDOW)
    (path,) = entries(journal.root)
    assert path.resolve().is_relative_to((journal.root / "entries").resolve())
    assert not (journal.root / ".git/hooks/post-commit").exists()
    assert load(journal)["PEVIL"].title == "../../.git/hooks/post-commit <img onerror=x>"
    for p in journal.root.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes()
    assert TOKEN not in git_run(journal.root, "log", "-p", "--all")
    assert TOKEN not in out.output + out.stderr
