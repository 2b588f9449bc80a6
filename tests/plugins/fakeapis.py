"""Small working fakes of the GitHub, GitLab and PagerDuty REST APIs.

Each one answers on a real HTTP server (pytest-httpserver on 127.0.0.1) from
data the test gives it, filtering, capping and paginating the way the real
service does, with the field names and headers of the official documentation:

- GitHub: ``GET /user``; ``GET /search/issues`` (``total_count``,
  ``incomplete_results``, ``items``; qualifiers ``is:pr is:merged author:
  -author: reviewed-by: merged:A..B repo: org:``, logins matched without
  regard to case; at most 1,000 results reachable; ``Link`` header);
  ``GET /repos/{owner}/{repo}/pulls/{n}`` (``additions``/``deletions``).
- GitLab: ``GET /api/v4/user``; ``GET /api/v4/merge_requests`` and the
  project/group variants (``author_username``, ``reviewer_username``,
  ``updated_after``; ``X-Next-Page`` and ``Link`` headers).
- PagerDuty: ``GET /users/me``; ``GET /users/{id}/log_entries``
  (``offset``/``limit``/``more``); ``GET /incidents/{id}``.

The benchmark (bench/bench_import.py) serves its 2,000 pull requests with the
GitHub fake too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from werkzeug import Request, Response

from brag.journal import Journal


def record_waits(monkeypatch: Any) -> list[float]:
    """Make brag's HTTP client note each wait it asks for instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr("brag.http.pause", waits.append)
    return waits


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status, headers=headers or {}, content_type="application/json"
    )


def _stamp(day: dt.date | dt.datetime, hour: int = 12) -> str:
    if isinstance(day, dt.datetime):
        return day.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


# -- GitHub ----------------------------------------------------------------------------


@dataclass
class PullRequest:
    repo: str
    number: int
    title: str
    merged: dt.date
    body: str | None = ""
    labels: list[str] = field(default_factory=list)
    author: str = "octocat"
    author_type: str = "User"
    additions: int = 40
    deletions: int = 8
    reviewers: list[str] = field(default_factory=list)


class FakeGitHub:
    """GitHub's REST API (or GitHub Enterprise's, under ``prefix="/api/v3"``)."""

    def __init__(self, login: str = "octocat", token: str = "ghp_test_SECRET123", prefix: str = ""):
        self.login = login
        self.token = token
        self.prefix = prefix
        self.pulls: list[PullRequest] = []
        self.queries: list[str] = []  # the q of every first page asked for
        self.search_requests = 0
        self.detail_requests = 0
        self.base = ""
        # Searches for reviews (q with "reviewed-by:") answered with a secondary
        # rate limit before the real answer, as GitHub does under load.
        self.review_rate_limits = 0

    def add(self, repo: str, number: int, title: str, merged: dt.date, **kw: Any) -> PullRequest:
        pr = PullRequest(repo, number, title, merged, **kw)
        self.pulls.append(pr)
        return pr

    def register(self, server: Any) -> FakeGitHub:
        self.base = server.url_for(self.prefix or "/").rstrip("/")
        p = re.escape(self.prefix)
        server.expect_request(f"{self.prefix}/user").respond_with_handler(self.user)
        server.expect_request(f"{self.prefix}/search/issues").respond_with_handler(self.search)
        server.expect_request(
            re.compile(rf"^{p}/repos/[^/]+/[^/]+/pulls/\d+$")
        ).respond_with_handler(self.pull)
        return self

    def _unauthorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                },
                401,
            )
        return None

    def user(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        return _json(
            {
                "login": self.login,
                "id": 1,
                "node_id": "MDQ6VXNlcjE=",
                "avatar_url": "https://github.com/images/error/octocat_happy.gif",
                "html_url": f"https://github.com/{self.login}",
                "type": "User",
                "site_admin": False,
                "name": "monalisa octocat",
            }
        )

    def matching(self, q: str) -> list[PullRequest]:
        terms = q.split()
        found = list(self.pulls)
        repos = [t[5:] for t in terms if t.startswith("repo:")]
        orgs = [t[4:] for t in terms if t.startswith("org:")]
        for term in terms:
            if term.startswith("author:"):
                found = [p for p in found if p.author.casefold() == term[7:].casefold()]
            elif term.startswith("-author:"):
                found = [p for p in found if p.author.casefold() != term[8:].casefold()]
            elif term.startswith("reviewed-by:"):
                who = term[12:].casefold()
                found = [p for p in found if who in {r.casefold() for r in p.reviewers}]
            elif term.startswith("merged:"):
                a, _, b = term[7:].partition("..")
                lo, hi = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
                found = [p for p in found if lo <= p.merged <= hi]
        if repos or orgs:
            found = [p for p in found if p.repo in repos or p.repo.split("/", 1)[0] in orgs]
        return sorted(found, key=lambda p: (p.merged, p.repo, p.number), reverse=True)

    def search(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        q = request.args.get("q", "")
        if "reviewed-by:" in q and self.review_rate_limits > 0:
            self.review_rate_limits -= 1
            return _json(
                {
                    "message": "You have exceeded a secondary rate limit. Please wait a few "
                    "minutes before you try again.",
                    "documentation_url": "https://docs.github.com/rest/overview/"
                    "rate-limits-for-the-rest-api#about-secondary-rate-limits",
                },
                403,
                headers={"Retry-After": "2"},
            )
        found = self.matching(q)
        per_page = min(int(request.args.get("per_page", 30)), 100)
        page = int(request.args.get("page", 1))
        self.search_requests += 1
        if page == 1:
            self.queries.append(q)
        reachable = found[:1000]
        if (page - 1) * per_page >= 1000:
            return _json(
                {
                    "message": "Only the first 1000 search results are available",
                    "documentation_url": "https://docs.github.com/v3/search/",
                },
                422,
            )
        chunk = reachable[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(reachable) // per_page))
        headers = {}
        links = []
        if page < last:
            links.append(self._page_link(q, per_page, page + 1, "next"))
            links.append(self._page_link(q, per_page, last, "last"))
        if page > 1:
            links.append(self._page_link(q, per_page, 1, "first"))
            links.append(self._page_link(q, per_page, page - 1, "prev"))
        if links:
            headers["Link"] = ", ".join(links)
        return _json(
            {
                "total_count": len(found),
                "incomplete_results": False,
                "items": [self.item(p) for p in chunk],
            },
            headers=headers,
        )

    def _page_link(self, q: str, per_page: int, page: int, rel: str) -> str:
        query = urlencode({"q": q, "per_page": per_page, "page": page})
        return f'<{self.base}/search/issues?{query}>; rel="{rel}"'

    def item(self, p: PullRequest) -> dict[str, Any]:
        api = f"https://api.github.com/repos/{p.repo}"
        html = f"https://github.com/{p.repo}"
        return {
            "url": f"{api}/issues/{p.number}",
            "repository_url": api,
            "labels_url": f"{api}/issues/{p.number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{p.number}/comments",
            "events_url": f"{api}/issues/{p.number}/events",
            "html_url": f"{html}/pull/{p.number}",
            "id": 1_000_000 + p.number,
            "node_id": "PR_kwDOA",
            "number": p.number,
            "title": p.title,
            "user": {
                "login": p.author,
                "id": 1,
                "node_id": "MDQ6VXNlcjE=",
                "avatar_url": "https://github.com/images/error/octocat_happy.gif",
                "html_url": f"https://github.com/{p.author}",
                "type": p.author_type,
                "site_admin": False,
            },
            "labels": [
                {
                    "id": 208045946 + i,
                    "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=",
                    "url": f"{api}/labels/{quote(name)}",
                    "name": name,
                    "color": "f29513",
                    "default": False,
                    "description": "",
                }
                for i, name in enumerate(p.labels)
            ],
            "state": "closed",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": 0,
            "created_at": _stamp(p.merged - dt.timedelta(days=1)),
            "updated_at": _stamp(p.merged, 13),
            "closed_at": _stamp(p.merged),
            "author_association": "MEMBER",
            "active_lock_reason": None,
            "draft": False,
            "pull_request": {
                "url": f"{api}/pulls/{p.number}",
                "html_url": f"{html}/pull/{p.number}",
                "diff_url": f"{html}/pull/{p.number}.diff",
                "patch_url": f"{html}/pull/{p.number}.patch",
                "merged_at": _stamp(p.merged),
            },
            "body": p.body,
            "timeline_url": f"{api}/issues/{p.number}/timeline",
            "performed_via_github_app": None,
            "state_reason": None,
            "score": 1.0,
        }

    def pull(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        m = re.search(r"/repos/([^/]+/[^/]+)/pulls/(\d+)$", request.path)
        assert m
        self.detail_requests += 1
        for p in self.pulls:
            if p.repo == unquote(m.group(1)) and p.number == int(m.group(2)):
                data = self.item(p)
                return _json(
                    {
                        "url": data["pull_request"]["url"],
                        "id": data["id"],
                        "html_url": data["html_url"],
                        "number": p.number,
                        "state": "closed",
                        "title": p.title,
                        "user": data["user"],
                        "body": p.body,
                        "labels": data["labels"],
                        "created_at": data["created_at"],
                        "updated_at": data["updated_at"],
                        "closed_at": data["closed_at"],
                        "merged_at": data["pull_request"]["merged_at"],
                        "merged": True,
                        "comments": 0,
                        "commits": 3,
                        "additions": p.additions,
                        "deletions": p.deletions,
                        "changed_files": 2,
                    }
                )
        return _json(
            {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404
        )


# -- GitLab ----------------------------------------------------------------------------


@dataclass
class MergeRequest:
    project: str
    iid: int
    title: str
    merged: dt.date
    description: str | None = ""
    labels: list[str] = field(default_factory=list)
    author: str = "jdoe"
    updated: dt.date | None = None
    reviewers: list[str] = field(default_factory=list)
    author_bot: bool = False


class FakeGitLab:
    def __init__(self, username: str = "jdoe", token: str = "glpat-test-SECRET456"):
        self.username = username
        self.token = token
        self.mrs: list[MergeRequest] = []
        self.requests: list[dict[str, str]] = []
        self.base = ""
        # List requests for reviews answered with 429 (and Retry-After) first.
        self.review_rate_limits = 0

    def add(self, project: str, iid: int, title: str, merged: dt.date, **kw: Any) -> MergeRequest:
        mr = MergeRequest(project, iid, title, merged, **kw)
        self.mrs.append(mr)
        return mr

    def register(self, server: Any) -> FakeGitLab:
        self.base = server.url_for("/api/v4")
        server.expect_request("/api/v4/user").respond_with_handler(self.user)
        server.expect_request(
            re.compile(r"^/api/v4/((projects|groups)/.+/)?merge_requests$")
        ).respond_with_handler(self.list)
        return self

    def _unauthorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json({"message": "401 Unauthorized"}, 401)
        return None

    def user(self, request: Request) -> Response:
        return self._unauthorized(request) or _json(
            {
                "id": 1,
                "username": self.username,
                "name": "Jane Doe",
                "state": "active",
                "avatar_url": "https://gitlab.example.com/uploads/avatar.png",
                "web_url": f"https://gitlab.example.com/{self.username}",
            }
        )

    def list(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        args = request.args
        # GitLab names a project by its URL-encoded path ("acme%2Fapi"): read the raw URI.
        raw_path = request.environ.get("RAW_URI", request.path).split("?", 1)[0]
        self.requests.append({"path": raw_path, **args.to_dict()})
        if args.get("reviewer_username") and self.review_rate_limits > 0:
            self.review_rate_limits -= 1
            return _json(
                {"message": "429 Too Many Requests"},
                429,
                headers={
                    "Retry-After": "3",
                    "RateLimit-Limit": "2000",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Observed": "2000",
                },
            )
        found = [m for m in self.mrs if args.get("state") in (None, "all", "merged")]
        if args.get("author_username"):
            found = [m for m in found if m.author == args["author_username"]]
        if args.get("reviewer_username"):
            found = [m for m in found if args["reviewer_username"] in m.reviewers]
        scope = re.match(r"^/api/v4/(projects|groups)/([^/]+)/", raw_path)
        if scope:
            ident = unquote(scope.group(2))
            if scope.group(1) == "projects":
                found = [m for m in found if m.project == ident]
            else:
                found = [m for m in found if m.project.startswith(ident + "/")]
        if args.get("updated_after"):
            after = dt.datetime.fromisoformat(args["updated_after"]).date()
            found = [m for m in found if (m.updated or m.merged) >= after]
        found.sort(key=lambda m: (m.updated or m.merged, m.project, m.iid))
        per_page = min(int(args.get("per_page", 20)), 100)
        page = int(args.get("page", 1))
        chunk = found[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(found) // per_page))
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Next-Page": str(page + 1) if page < pages else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
            "X-Total": str(len(found)),
            "X-Total-Pages": str(pages),
        }
        return _json([self.item(m) for m in chunk], headers=headers)

    def _user(self, username: str, bot: bool = False) -> dict[str, Any]:
        return {
            "id": 1 + sum(map(ord, username)),
            "username": username,
            "name": username.capitalize(),
            "state": "active",
            "locked": False,
            "avatar_url": None,
            "web_url": f"https://gitlab.example.com/{username}",
            **({"bot": True} if bot else {}),
        }

    def item(self, m: MergeRequest) -> dict[str, Any]:
        author = self._user(m.author, m.author_bot)
        return {
            "id": 80_000 + m.iid,
            "iid": m.iid,
            "project_id": 3,
            "title": m.title,
            "description": m.description,
            "state": "merged",
            "created_at": _stamp(m.merged - dt.timedelta(days=2)),
            "updated_at": _stamp(m.updated or m.merged, 14),
            "merged_by": author,
            "merge_user": author,
            "merged_at": _stamp(m.merged),
            "closed_by": None,
            "closed_at": None,
            "target_branch": "main",
            "source_branch": f"feature-{m.iid}",
            "user_notes_count": 1,
            "upvotes": 0,
            "downvotes": 0,
            "author": author,
            "assignees": [],
            "assignee": None,
            "reviewers": [self._user(r) for r in m.reviewers],
            "source_project_id": 3,
            "target_project_id": 3,
            "labels": list(m.labels),
            "draft": False,
            "work_in_progress": False,
            "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": "can_be_merged",
            "detailed_merge_status": "not_open",
            "sha": "8888888888888888888888888888888888888888",
            "merge_commit_sha": None,
            "squash_commit_sha": None,
            "discussion_locked": None,
            "should_remove_source_branch": True,
            "force_remove_source_branch": False,
            "reference": f"!{m.iid}",
            "references": {
                "short": f"!{m.iid}",
                "relative": f"!{m.iid}",
                "full": f"{m.project}!{m.iid}",
            },
            "web_url": f"https://gitlab.example.com/{m.project}/-/merge_requests/{m.iid}",
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "squash": False,
            "task_completion_status": {"count": 0, "completed_count": 0},
            "has_conflicts": False,
            "blocking_discussions_resolved": True,
        }


# -- PagerDuty -------------------------------------------------------------------------


@dataclass
class Incident:
    id: str
    number: int
    title: str
    created: dt.datetime
    resolved: dt.datetime | None = None
    urgency: str = "high"
    service: str = "My Mail Service"


class FakePagerDuty:
    def __init__(self, user_id: str = "PXPGF42", token: str = "pd_test_SECRET789"):
        self.user_id = user_id
        self.token = token
        self.incidents: dict[str, Incident] = {}
        self.logs: list[dict[str, Any]] = []
        self.log_requests: list[dict[str, str]] = []
        self.incident_requests: list[str] = []

    def add_incident(self, incident: Incident) -> Incident:
        self.incidents[incident.id] = incident
        return incident

    def log(self, incident: Incident, kind: str, at: dt.datetime, agent: str | None = None) -> None:
        agent_id = agent or self.user_id
        entry: dict[str, Any] = {
            "id": f"Q{len(self.logs):013d}",
            "type": f"{kind}_log_entry",
            "summary": f"{kind.capitalize()}d by user",
            "self": f"https://api.pagerduty.com/log_entries/Q{len(self.logs):013d}",
            "html_url": None,
            "created_at": _stamp(at),
            "agent": {
                "id": agent_id,
                "type": "user_reference",
                "summary": "Earline Greenholt",
                "self": f"https://api.pagerduty.com/users/{agent_id}",
                "html_url": f"https://subdomain.pagerduty.com/users/{agent_id}",
            },
            "channel": {"type": "web_ui"},
            "service": self._service(incident),
            "incident": {
                "id": incident.id,
                "type": "incident_reference",
                "summary": f"[#{incident.number}] {incident.title}",
                "self": f"https://api.pagerduty.com/incidents/{incident.id}",
                "html_url": f"https://subdomain.pagerduty.com/incidents/{incident.id}",
            },
            "teams": [],
            "contexts": [],
        }
        if kind == "assign":
            entry["assignees"] = [
                {"id": self.user_id, "type": "user_reference", "summary": "Earline Greenholt"}
            ]
        self.logs.append(entry)

    def register(self, server: Any) -> FakePagerDuty:
        server.expect_request("/users/me").respond_with_handler(self.me)
        server.expect_request(re.compile(r"^/users/[^/]+/log_entries$")).respond_with_handler(
            self.log_entries
        )
        server.expect_request(re.compile(r"^/incidents/[^/]+$")).respond_with_handler(self.incident)
        return self

    def _unauthorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return _json({"error": {"message": "Authentication failed", "code": 2006}}, 401)
        return None

    def _service(self, incident: Incident) -> dict[str, Any]:
        return {
            "id": "PIJ90N7",
            "type": "service_reference",
            "summary": incident.service,
            "self": "https://api.pagerduty.com/services/PIJ90N7",
            "html_url": "https://subdomain.pagerduty.com/service-directory/PIJ90N7",
        }

    def me(self, request: Request) -> Response:
        return self._unauthorized(request) or _json(
            {
                "user": {
                    "id": self.user_id,
                    "type": "user",
                    "summary": "Earline Greenholt",
                    "name": "Earline Greenholt",
                    "email": "125.greenholt.earline@graham.name",
                    "time_zone": "America/Lima",
                    "self": f"https://api.pagerduty.com/users/{self.user_id}",
                    "html_url": f"https://subdomain.pagerduty.com/users/{self.user_id}",
                }
            }
        )

    def log_entries(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        args = request.args
        self.log_requests.append(args.to_dict())
        since = dt.datetime.fromisoformat(args["since"])
        until = dt.datetime.fromisoformat(args["until"])
        if until - since > dt.timedelta(days=181):
            return _json(
                {
                    "error": {
                        "message": "Invalid Input Provided",
                        "code": 2001,
                        "errors": ["Date range may not exceed 6 months."],
                    }
                },
                400,
            )
        found = [
            e
            for e in self.logs
            if since <= dt.datetime.fromisoformat(e["created_at"].replace("Z", "+00:00")) < until
        ]
        offset, limit = int(args.get("offset", 0)), int(args.get("limit", 25))
        chunk = found[offset : offset + limit]
        return _json(
            {
                "log_entries": chunk,
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(found),
                "total": None,
            }
        )

    def incident(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied:
            return denied
        ident = request.path.rsplit("/", 1)[1]
        self.incident_requests.append(ident)
        inc = self.incidents.get(ident)
        if inc is None:
            return _json({"error": {"message": "Not Found", "code": 2100}}, 404)
        return _json(
            {
                "incident": {
                    "id": inc.id,
                    "type": "incident",
                    "summary": f"[#{inc.number}] {inc.title}",
                    "self": f"https://api.pagerduty.com/incidents/{inc.id}",
                    "html_url": f"https://subdomain.pagerduty.com/incidents/{inc.id}",
                    "incident_number": inc.number,
                    "title": inc.title,
                    "created_at": _stamp(inc.created),
                    "updated_at": _stamp(inc.resolved or inc.created),
                    "status": "resolved" if inc.resolved else "acknowledged",
                    "incident_key": "baf7cf21b1da41b4b0221008339ff357",
                    "service": self._service(inc),
                    "assignments": [],
                    "assigned_via": "escalation_policy",
                    "last_status_change_at": _stamp(inc.resolved or inc.created),
                    "resolved_at": _stamp(inc.resolved) if inc.resolved else None,
                    "first_trigger_log_entry": {
                        "id": "Q02JTSNZWHSEKV",
                        "type": "trigger_log_entry_reference",
                        "summary": "Triggered through the API",
                        "self": f"https://api.pagerduty.com/log_entries/Q02JTSNZWHSEKV?incident_id={inc.id}",
                        "html_url": f"https://subdomain.pagerduty.com/incidents/{inc.id}/log_entries/Q02JTSNZWHSEKV",
                    },
                    "alert_counts": {"all": 2, "triggered": 0, "resolved": 2},
                    "is_mergeable": True,
                    "escalation_policy": {
                        "id": "PT20YPA",
                        "type": "escalation_policy_reference",
                        "summary": "Another Escalation Policy",
                        "self": "https://api.pagerduty.com/escalation_policies/PT20YPA",
                        "html_url": "https://subdomain.pagerduty.com/escalation_policies/PT20YPA",
                    },
                    "teams": [],
                    "pending_actions": [],
                    "acknowledgements": [],
                    "alert_grouping": None,
                    "last_status_change_by": {
                        "id": "PXPGF42",
                        "type": "user_reference",
                        "summary": "Earline Greenholt",
                        "self": "https://api.pagerduty.com/users/PXPGF42",
                        "html_url": "https://subdomain.pagerduty.com/users/PXPGF42",
                    },
                    "priority": None,
                    "urgency": inc.urgency,
                    "body": {"type": "incident_body", "details": "A disk is getting full."},
                }
            }
        )


# -- helpers the importer tests share ---------------------------------------------------


def entries(root: Path) -> list[Path]:
    """Entry files on disk (not through the index)."""
    return sorted((root / "entries").rglob("*.md")) if (root / "entries").exists() else []


def load(journal: Journal) -> dict[str, object]:
    """The journal's entries by source_id, read afresh."""
    return {e.source_id: e for e in Journal(journal.root).entries()}


def head(git_run, root: Path) -> str:
    return git_run(root, "rev-parse", "HEAD").strip()
