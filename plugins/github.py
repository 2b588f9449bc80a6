"""``brag import github``: your merged pull requests, from GitHub or GitHub Enterprise.

Configure it in brag.toml (every key is optional; the command-line options of
the same names win)::

    [import.github]
    user = "octocat"                    # default: the token's own login (GET /user)
    repo = ["acme/api", "acme/web"]     # only these repositories (default: all)
    org = ["acme"]                      # only these organisations
    exclude_label = ["dependencies", "chore"]
    min_lines = 10                      # fetches each new PR's size: one request per PR
    reviews = true                      # also merged PRs by others that you reviewed
    review_rollup = 5                   # a finished week with more becomes one entry
    api_url = "https://github.example.com/api/v3"   # GitHub Enterprise Server
    max_wait = 60                       # longest rate-limit wait, in seconds

The token comes from ``GITHUB_TOKEN``, then ``GH_TOKEN``, then ``gh auth
token`` when the GitHub CLI is installed; it is never read from or written to
the journal.

Pull requests are found with the search API (``is:pr is:merged author:USER
merged:A..B``). Search answers at most 1,000 results per query, so a range
holding more is split in halves until each part fits. Search results carry no
line counts: with ``--min-lines`` each pull request not yet in the journal is
fetched once more (``GET /repos/OWNER/REPO/pulls/N``) for its additions and
deletions.

With ``--reviews`` (or ``reviews = true``) the pull requests others wrote and
the user reviewed are searched too (``is:pr is:merged reviewed-by:USER
-author:USER merged:A..B``) and written by :func:`._remote.review_entries`:
one entry per review, or one roll-up per finished week holding more than
``review_rollup``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import click

from brag.entry import Entry, stable_id
from brag.errors import ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from . import _remote

NAME = "github"
DEFAULT_API_URL = "https://api.github.com"
SEARCH_CAP = 1000
PER_PAGE = 100
# No pull request was merged on GitHub before it opened.
GITHUB_EPOCH = dt.date(2008, 1, 1)
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")


@hookimpl
def register_importers(register: Any) -> None:
    _remote.declare_settings(NAME)
    register(
        Importer(
            name=NAME,
            help=(
                "Merged pull requests you authored on GitHub (or GitHub Enterprise). "
                "Token from GITHUB_TOKEN, GH_TOKEN or 'gh auth token'."
            ),
            fetch=fetch,
            examples=(
                "brag import github",
                "brag import github --org acme --since 2026-01-01",
                "brag import github --repo acme/api -n",
            ),
            params=[
                _remote.who_option("--user", "LOGIN", "Whose PRs (default: the token's)."),
                _remote.repeatable_option("--repo", "OWNER/NAME", "Only this repository"),
                _remote.repeatable_option("--org", "ORG", "Only this organisation"),
                _remote.repeatable_option("--exclude-label", "LABEL", "Skip PRs with this label"),
                click.Option(
                    ["--min-lines"],
                    type=click.IntRange(min=0),
                    metavar="N",
                    help="Skip PRs changing fewer lines (one extra request per new PR).",
                ),
                _remote.api_url_option(DEFAULT_API_URL, "Enterprise: https://HOST/api/v3"),
                _remote.reviews_option(),
                _remote.review_rollup_option(),
            ],
        )
    )


def _gh_cli(api_url: str) -> tuple[str, str] | None:
    token = _remote.gh_cli_token(urlsplit(api_url).hostname)
    return (token, "run 'gh auth login' again") if token else None


def fetch(ctx: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    with _remote.connect(
        ctx,
        NAME,
        service="GitHub",
        default_api_url=DEFAULT_API_URL,
        token_vars=TOKEN_VARS,
        no_token="set GITHUB_TOKEN (or GH_TOKEN) to a token that can read your pull requests, "
        "or log in with 'gh auth login'",
        headers=lambda token: {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        fallback=_gh_cli,
    ) as client:
        yield from _Fetch(ctx, client).run()


class _Fetch:
    def __init__(self, ctx: ImportContext, client: Any):
        self.ctx = ctx
        self.client = client
        self.excluded = {label.casefold() for label in _remote.option_list(ctx, "exclude_label")}
        min_lines = _remote.option_number(ctx, "min_lines")
        self.min_lines = int(min_lines) if min_lines else 0
        self.known: set[tuple[str, str]] = set()
        if self.min_lines:
            self.known = set(ctx.journal.index.source_keys())
        self.seen: set[str] = set()
        self.started = False
        self.several = False
        self.label = "GitHub: merged pull requests"
        self.user = ""
        self.reviewed: dict[str, _remote.Reviewed] = {}

    def run(self) -> Iterator[Entry | tuple[str, str]]:
        repos = _remote.option_list(self.ctx, "repo")
        orgs = _remote.option_list(self.ctx, "org")
        for repo in repos:
            if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
                raise ImportSourceError(
                    f"GitHub: --repo {repo!r} is not OWNER/NAME (like acme/api)"
                )
        for org in orgs:
            if not re.fullmatch(r"[\w.-]+", org):
                raise ImportSourceError(f"GitHub: --org {org!r} is not an organisation name")
        scopes = [f"repo:{r}" for r in repos] + [f"org:{o}" for o in orgs]
        self.several = len(scopes) > 1
        reviews = _remote.option_flag(self.ctx, "reviews")
        _remote.review_threshold(self.ctx)  # a bad setting fails before any request
        user = _remote.option_str(self.ctx, "user") or self._login()
        if not re.fullmatch(r"[\w.\[\]-]+", user):
            raise ImportSourceError(f"GitHub: {user!r} is not a GitHub login")
        start = self.ctx.since or GITHUB_EPOCH
        end = self.ctx.until or dt.date.today()
        if start <= end:
            for scope in scopes or [""]:
                yield from self._search(f"author:{user}", scope, start, end, self._item)
        if reviews:
            yield from self._reviews(user, scopes)

    def _reviews(self, user: str, scopes: list[str]) -> Iterator[Entry | tuple[str, str]]:
        """Merged pull requests by others that ``user`` reviewed, as review entries."""
        start, end = _remote.review_window(self.ctx, GITHUB_EPOCH)
        self.started = False
        self.label = "GitHub: reviewed pull requests"
        self.user = user
        self.reviewed = {}
        # "-author:" leaves the user's own PRs out on the server; _review_item checks again.
        who = f"reviewed-by:{user} -author:{user}"
        skipped: list[tuple[str, str]] = []
        for scope in scopes or [""]:
            for found in self._search(who, scope, start, end, self._review_item):
                if isinstance(found, tuple):
                    skipped.append(found)
        yield from skipped
        yield from _remote.review_entries(
            self.ctx, NAME, list(self.reviewed.values()), "pull requests"
        )

    def _login(self) -> str:
        response = self.client.get("user")
        login = response.data.get("login") if isinstance(response.data, dict) else None
        if not isinstance(login, str) or not login:
            raise self.client.malformed(response, "no 'login' in GET /user")
        return login

    def _search(
        self,
        who: str,
        scope: str,
        start: dt.date,
        end: dt.date,
        take: Callable[[Any, Any], Iterator[Entry | tuple[str, str]]],
    ) -> Iterator[Entry | tuple[str, str]]:
        query = f"is:pr is:merged {who} merged:{start.isoformat()}..{end.isoformat()}"
        if scope:
            query += f" {scope}"
        first = self.client.get("search/issues", {"q": query, "per_page": PER_PAGE})
        total = self._total(first)
        if not self.started:
            shown_total = None if self.several else total
            self.ctx.progress.start(self.label, total=shown_total)
            self.started = True
        if total > SEARCH_CAP and start < end:
            # Search returns at most 1,000 results per query: halve the range
            # until every part fits, so nothing is silently cut off.
            middle = start + (end - start) // 2
            self.ctx.progress.log(
                f"GitHub: {total} pull requests merged {start}..{end}: more than the "
                f"search API returns at once; splitting the range"
            )
            yield from self._search(who, scope, start, middle, take)
            yield from self._search(who, scope, middle + dt.timedelta(days=1), end, take)
            return
        if first.data.get("incomplete_results"):
            self.ctx.progress.log(
                f"GitHub: search for {start}..{end} timed out on GitHub's side and may be "
                f"incomplete; run 'brag import github --since {start}' later to fill gaps"
            )
        count = 0
        for page in self.client.pages("search/issues", first=first):
            items = page.data.get("items") if isinstance(page.data, dict) else None
            if not isinstance(items, list):
                raise self.client.malformed(page, "no 'items' list")
            for item in items:
                count += 1
                self.ctx.progress.advance()
                yield from take(page, item)
        if total > SEARCH_CAP and count < total:
            yield (
                f"{total - count} pull requests merged on {start}",
                "beyond the search API's 1,000-result cap for one day",
            )

    def _total(self, response: Any) -> int:
        data = response.data
        total = data.get("total_count") if isinstance(data, dict) else None
        if not isinstance(total, int) or isinstance(total, bool):
            raise self.client.malformed(response, "no 'total_count' number")
        return total

    def _repo_number(self, page: Any, item: Any) -> tuple[str, int]:
        if not isinstance(item, dict):
            raise self.client.malformed(page, "a search result that is not an object")
        number = item.get("number")
        repo_url = item.get("repository_url")
        if not isinstance(number, int) or "/repos/" not in str(repo_url):
            raise self.client.malformed(page, "a search result without 'number'/'repository_url'")
        return str(repo_url).rstrip("/").split("/repos/", 1)[1], number

    def _labels(self, item: dict[str, Any]) -> list[str]:
        return [
            _remote.field_str(lab, "name")
            for lab in _remote.field_list(item, "labels")
            if isinstance(lab, dict) and _remote.field_str(lab, "name")
        ]

    def _review_item(self, page: Any, item: Any) -> Iterator[tuple[str, str]]:
        repo, number = self._repo_number(page, item)
        ref = f"{repo}#{number}"
        if ref in self.reviewed:  # found again by another --repo/--org scope
            return
        author = _remote.field_dict(item, "user")
        login = _remote.field_str(author, "login")
        if login.casefold() == self.user.casefold():
            yield (ref, "your own pull request")
            return
        if author.get("type") == "Bot":
            yield (ref, "authored by a bot")
            return
        hit = next((lab for lab in self._labels(item) if lab.casefold() in self.excluded), None)
        if hit is not None:
            yield (ref, f"label '{_remote.clean_title(hit, '?')}' excluded")
            return
        pull = _remote.field_dict(item, "pull_request")
        merged = _remote.local_date(pull.get("merged_at")) or _remote.local_date(
            item.get("closed_at")
        )
        if merged is None:
            yield (ref, "no merge date")
            return
        self.reviewed[ref] = _remote.Reviewed(
            ref=ref,
            title=_remote.clean_title(item.get("title"), f"pull request {ref}"),
            author=_remote.clean_title(login, ""),
            merged=merged,
            url=_remote.field_str(item, "html_url"),
            tags=[_remote.tag_for(repo.rsplit("/", 1)[-1])],
        )

    def _item(self, page: Any, item: Any) -> Iterator[Entry | tuple[str, str]]:
        repo, number = self._repo_number(page, item)
        source_id = f"{repo}#{number}"
        if source_id in self.seen:  # found again by another --repo/--org scope
            return
        self.seen.add(source_id)
        title = _remote.clean_title(item.get("title"), f"Pull request {source_id}")
        pull = _remote.field_dict(item, "pull_request")
        merged = _remote.local_date(pull.get("merged_at")) or _remote.local_date(
            item.get("closed_at")
        )
        if merged is None:
            yield (source_id, "no merge date")
            return
        author = _remote.field_dict(item, "user")
        if author.get("type") == "Bot":
            yield (source_id, "authored by a bot")
            return
        labels = self._labels(item)
        hit = next((lab for lab in labels if lab.casefold() in self.excluded), None)
        if hit is not None:
            yield (source_id, f"label '{_remote.clean_title(hit, '?')}' excluded")
            return
        if self.min_lines and (NAME, source_id) not in self.known:
            size = self._size(repo, number)
            if size < self.min_lines:
                yield (source_id, f"fewer than {self.min_lines} lines changed")
                return
        tags: list[str] = []
        for tag in [repo.rsplit("/", 1)[-1], *labels]:
            cleaned = _remote.tag_for(tag)
            if cleaned and cleaned not in tags:
                tags.append(cleaned)
        url = _remote.field_str(item, "html_url")
        description = item.get("body")
        yield Entry(
            id=stable_id(NAME, source_id),
            title=title,
            date=merged,
            tags=tags,
            impact=_remote.extract_impact(description),
            source=NAME,
            source_id=source_id,
            url=url,
            body=_remote.clean_text(description, _remote.BODY_MAX),
        )

    def _size(self, repo: str, number: int) -> int:
        response = self.client.get(f"repos/{quote(repo, safe='/')}/pulls/{number}")
        data = response.data
        if not isinstance(data, dict):
            raise self.client.malformed(response, "a pull request that is not an object")
        additions, deletions = data.get("additions"), data.get("deletions")
        if not isinstance(additions, int) or not isinstance(deletions, int):
            raise self.client.malformed(response, "no 'additions'/'deletions' numbers")
        return additions + deletions
