"""``brag import gitlab``: your merged merge requests, from GitLab.com or a self-managed GitLab.

Configure it in brag.toml (every key is optional; the command-line options of
the same names win)::

    [import.gitlab]
    user = "jdoe"                       # default: the token's own username (GET /user)
    repo = ["acme/api"]                 # only these projects (full paths)
    org = ["acme"]                      # only these groups (and their subgroups)
    exclude_label = ["dependencies"]
    reviews = true                      # also merged MRs by others you were a reviewer of
    review_rollup = 5                   # a finished week with more becomes one entry
    api_url = "https://gitlab.example.com/api/v4"   # self-managed
    max_wait = 60                       # longest rate-limit wait, in seconds

The token comes from ``GITLAB_TOKEN`` (a personal access token with the
``read_api`` scope), sent as ``Authorization: Bearer``; it is never read from
or written to the journal.

Merge requests are listed with ``GET /merge_requests?scope=all&state=merged&
author_username=USER`` (or the project/group variants), narrowed on the server
by ``updated_after`` (a merge request is always updated when it merges, and
every GitLab version has this filter) and then by ``merged_at`` here. GitLab's
lists carry no line counts, so there is no ``--min-lines`` for GitLab.

With ``--reviews`` (or ``reviews = true``) the merge requests others wrote
that list the user among their reviewers are read too (``reviewer_username=
USER``) and written by :func:`._remote.review_entries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from brag.entry import Entry, stable_id
from brag.errors import ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from . import _remote

NAME = "gitlab"
DEFAULT_API_URL = "https://gitlab.com/api/v4"
PER_PAGE = 100
# Reviewers on merge requests arrived in GitLab 13.7 (December 2020).
GITLAB_EPOCH = dt.date(2020, 12, 1)


@hookimpl
def register_importers(register: Any) -> None:
    _remote.declare_settings(NAME)
    register(
        Importer(
            name=NAME,
            help=(
                "Merged merge requests you authored on GitLab.com or a self-managed GitLab. "
                "Token from GITLAB_TOKEN."
            ),
            fetch=fetch,
            examples=(
                "brag import gitlab",
                "brag import gitlab --org platform --since last-quarter",
                "brag import gitlab --api-url https://gitlab.example.com/api/v4",
            ),
            params=[
                _remote.who_option("--user", "USERNAME", "Whose MRs (default: the token's)."),
                _remote.repeatable_option("--repo", "GROUP/PROJECT", "Only this project"),
                _remote.repeatable_option("--org", "GROUP", "Only this group"),
                _remote.repeatable_option("--exclude-label", "LABEL", "Skip MRs with this label"),
                _remote.api_url_option(DEFAULT_API_URL, "self-managed: https://HOST/api/v4"),
                _remote.reviews_option(),
                _remote.review_rollup_option(),
            ],
        )
    )


def api_root(url: str) -> str:
    """``https://host`` alone means ``https://host/api/v4``."""
    parts = urlsplit(url.strip())
    if parts.path in ("", "/"):
        return urlunsplit((parts.scheme, parts.netloc, "/api/v4", "", ""))
    return url.strip().rstrip("/")


def fetch(ctx: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    with _remote.connect(
        ctx,
        NAME,
        service="GitLab",
        default_api_url=DEFAULT_API_URL,
        token_vars=("GITLAB_TOKEN",),
        no_token="set GITLAB_TOKEN to a personal access token with the read_api scope",
        headers=lambda token: {"Authorization": f"Bearer {token}"},
        expired=" (it may have expired)",
        api_root=api_root,
    ) as client:
        yield from _fetch(ctx, client)


def _fetch(ctx: ImportContext, client: Any) -> Iterator[Entry | tuple[str, str]]:
    reviews = _remote.option_flag(ctx, "reviews")
    _remote.review_threshold(ctx)  # a bad setting fails before any request
    user = _remote.option_str(ctx, "user")
    if not user:
        response = client.get("user")
        data = response.data if isinstance(response.data, dict) else {}
        user = _remote.field_str(data, "username")
        if not user:
            raise client.malformed(response, "no 'username' in GET /user")
    excluded = {label.casefold() for label in _remote.option_list(ctx, "exclude_label")}
    repos = _remote.option_list(ctx, "repo")
    paths = [f"projects/{quote(p, safe='')}/merge_requests" for p in repos]
    paths += [f"groups/{quote(g, safe='')}/merge_requests" for g in _remote.option_list(ctx, "org")]
    params: dict[str, Any] = {
        "state": "merged",
        "author_username": user,
        "per_page": PER_PAGE,
        "order_by": "updated_at",
        "sort": "asc",
    }
    if ctx.since:
        start = dt.datetime.combine(ctx.since, dt.time()).astimezone()
        params["updated_after"] = start.isoformat()
    ctx.progress.start("GitLab: merged merge requests")
    seen: set[str] = set()
    for page, item in _list(client, paths, params):
        ctx.progress.advance()
        yield from _item(ctx, client, page, item, excluded, seen)
    if reviews:
        yield from _reviews(ctx, client, user, paths, excluded)


def _list(client: Any, paths: list[str], params: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """Every merge request the list endpoints answer, with the page it came on."""
    for path in paths or ["merge_requests"]:
        query = dict(params)
        if path == "merge_requests":
            query["scope"] = "all"
        for page in client.pages(path, query, gitlab_next_page=True):
            if not isinstance(page.data, list):
                raise client.malformed(page, "not a list of merge requests")
            for item in page.data:
                yield page, item


def _reviews(
    ctx: ImportContext, client: Any, user: str, paths: list[str], excluded: set[str]
) -> Iterator[Entry | tuple[str, str]]:
    """Merged merge requests by others where ``user`` is a reviewer, as review entries."""
    start, end = _remote.review_window(ctx, GITLAB_EPOCH)
    params: dict[str, Any] = {
        "state": "merged",
        "reviewer_username": user,
        "per_page": PER_PAGE,
        "order_by": "updated_at",
        "sort": "asc",
        "updated_after": dt.datetime.combine(start, dt.time()).astimezone().isoformat(),
    }
    ctx.progress.start("GitLab: reviewed merge requests")
    reviewed: dict[str, _remote.Reviewed] = {}
    for page, item in _list(client, paths, params):
        ctx.progress.advance()
        if not isinstance(item, dict) or not isinstance(item.get("iid"), int):
            raise client.malformed(page, "a merge request without an 'iid'")
        project = _project_path(item)
        if not project:
            raise _no_project()
        ref = f"{project}!{item['iid']}"
        if ref in reviewed:
            continue
        author = _remote.field_dict(item, "author")
        username = _remote.field_str(author, "username")
        merged = _remote.local_date(item.get("merged_at"))
        labels = [lab for lab in item.get("labels") or [] if isinstance(lab, str)]
        hit = next((lab for lab in labels if lab.casefold() in excluded), None)
        if username.casefold() == user.casefold():
            yield (ref, "your own merge request")
        elif author.get("bot") is True:
            yield (ref, "authored by a bot")
        elif hit is not None:
            yield (ref, f"label '{_remote.clean_title(hit, '?')}' excluded")
        elif merged is None:
            yield (ref, "no merge date")
        elif start <= merged <= end:  # updated in the window, merged in it too
            reviewed[ref] = _remote.Reviewed(
                ref=ref,
                title=_remote.clean_title(item.get("title"), f"merge request {ref}"),
                author=_remote.clean_title(username, ""),
                merged=merged,
                url=_remote.field_str(item, "web_url"),
                tags=[_remote.tag_for(project.rsplit("/", 1)[-1])],
            )
    yield from _remote.review_entries(ctx, NAME, list(reviewed.values()), "merge requests")


def _no_project() -> ImportSourceError:
    return ImportSourceError(
        "GitLab: a merge request has neither 'references' nor a 'web_url' to name its "
        "project; nothing was imported"
    )


def _item(
    ctx: ImportContext,
    client: Any,
    page: Any,
    item: Any,
    excluded: set[str],
    seen: set[str],
) -> Iterator[Entry | tuple[str, str]]:
    if not isinstance(item, dict) or not isinstance(item.get("iid"), int):
        raise client.malformed(page, "a merge request without an 'iid'")
    project = _project_path(item)
    if not project:
        raise _no_project()
    source_id = f"{project}!{item['iid']}"
    if source_id in seen:
        return
    seen.add(source_id)
    merged = _remote.local_date(item.get("merged_at"))
    if merged is None:
        yield (source_id, "no merge date")
        return
    if (ctx.since and merged < ctx.since) or (ctx.until and merged > ctx.until):
        return  # updated in the window, merged outside it
    labels = [lab for lab in item.get("labels") or [] if isinstance(lab, str)]
    hit = next((lab for lab in labels if lab.casefold() in excluded), None)
    if hit is not None:
        yield (source_id, f"label '{_remote.clean_title(hit, '?')}' excluded")
        return
    author = _remote.field_dict(item, "author")
    if author.get("bot") is True:
        yield (source_id, "authored by a bot")
        return
    tags: list[str] = []
    for tag in [project.rsplit("/", 1)[-1], *labels]:
        cleaned = _remote.tag_for(tag)
        if cleaned and cleaned not in tags:
            tags.append(cleaned)
    description = item.get("description")
    yield Entry(
        id=stable_id(NAME, source_id),
        title=_remote.clean_title(item.get("title"), f"Merge request {source_id}"),
        date=merged,
        tags=tags,
        impact=_remote.extract_impact(description),
        source=NAME,
        source_id=source_id,
        url=_remote.field_str(item, "web_url"),
        body=_remote.clean_text(description, _remote.BODY_MAX),
    )


def _project_path(item: dict[str, Any]) -> str:
    refs = item.get("references")
    if isinstance(refs, dict) and isinstance(refs.get("full"), str) and "!" in refs["full"]:
        return refs["full"].rsplit("!", 1)[0]
    web_url = item.get("web_url")
    if isinstance(web_url, str) and "/merge_requests/" in web_url:
        path = urlsplit(web_url).path.split("/merge_requests/", 1)[0]
        return path.strip("/").removesuffix("/-")
    return ""
