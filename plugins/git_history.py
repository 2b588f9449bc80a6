"""Merged pull requests in local clones: ``brag import git PATH…``.

Works offline on repositories you have cloned. Reads, in ONE ``git log`` pass
per repository, every commit reachable from its local and remote-tracking
branches (``--ref`` narrows that to the branches you name), and finds pull/merge
requests in it: merge commits such as ``Merge pull request #123 from
owner/branch``, squash merges whose subject ends in ``(#123)``, GitLab merges
carrying ``See merge request group/proj!45``, and Bitbucket/Azure DevOps merge
messages. Each request is one entry however many branches it reached (merged to
``main``, cherry-picked or backported to ``6.0.x``), dated by its first merge.

A request counts as yours when you wrote most of the merged branch's own
commits (``merge^1..merge^2``, minus the other requests merged into it), or,
for a squash merge, when its author or a ``Co-authored-by:`` trailer is you.
Merges that only sync one long-lived branch into another are never credited:
the merged branch is long-lived (main, master, develop, release/*, a version
branch such as 6.0.x, or a name in ``long_lived``), or what it brings in holds
requests by two or more other people; neither are backports, which count for
the request they copy. docs/importers-local.md has every rule and edge case.
With ``--commits``, your other commits become one entry per repository and day.

You are ``--author`` (repeatable: emails, or names), else ``[user] emails`` in
brag.toml plus ``user.email`` from git config. A repository is identified by
its hosting slug when origin (or a local origin's origin) names a host, else by
its root commit; entries deduplicate by request number within that identity and
by merge commit, so a second clone, a mirror or a changed origin adds nothing.

Configuration in brag.toml (all optional; command-line values win)::

    [user]
    emails = ["alex@example.com", "12345+alex@users.noreply.github.com"]

    [import.git]
    paths = ["~/src/api", "~/src/web"]
    ref = ["origin/main"]   # only these branches (default: every branch)
    long_lived = ["features", "next/*"]   # more branches that are never a PR
    commits = true          # also one entry per day of your direct commits
    min_lines = 10          # skip pull requests changing fewer lines (added + deleted)

With ``--min-lines N`` the same ``git log`` pass also reads each commit's line
counts (``--numstat``; a merge commit against its first parent, i.e. what the
pull request brought in), and pull requests changing fewer than N lines are
skipped with their size as the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brag.entry import Entry, stable_id
from brag.errors import ConfigError, ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer
from brag.plugins._git_merges import (
    BACKPORT_TITLE,
    GIT_MERGE,
    PICKED,
    SQUASH,
    Commit,
    Credit,
    Found,
    Occurrence,
    _day,
    _unless_title,
    clean_description,
    collect,
    humanise_branch,
    impact_of,
    is_long_lived,
    merged_ranges,
    primary,
    read_history,
)

if TYPE_CHECKING:
    from brag.authorship import Identity, RepoInfo
    from brag.journal import Journal

SOURCE = "git"


@dataclass
class Scan:
    repo: RepoInfo
    identity: Identity
    commits: dict[str, Commit]
    tips: list[tuple[str, str]]  # (branch, sha), the default branch first
    with_commits: bool
    since: dt.date | None
    until: dt.date | None
    min_lines: int = 0  # skip requests changing fewer lines (needs sizes read)
    long_lived: tuple[str, ...] = ()
    root_commit: str = ""

    def __post_init__(self) -> None:
        self.ranges = merged_ranges(self.commits, self.tips)
        self.credit = Credit(self.commits, self.ranges, self.identity, self.long_lived)
        if not self.root_commit and self.tips:
            sha: str | None = self.tips[0][1]
            while sha and sha in self.commits and self.commits[sha].parents:
                sha = self.commits[sha].parents[0]
            self.root_commit = sha or ""

    @property
    def identity_key(self) -> str:
        """The repository's identity in ``source_id``: hosting slug, else root commit."""
        return self.repo.hosted or self.root_commit[:12] or self.repo.slug

    def in_window(self, day: dt.date) -> bool:
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def ids(self, space: str, number: int) -> tuple[str, list[str]]:
        """The ``source_id`` of a request, and the forms it may have been written in."""
        keys = [self.identity_key, self.repo.slug, self.root_commit[:12]]
        if space == "#":
            forms = [f"{k}#{number}" for k in keys if k]
        elif space == "!":
            forms = [f"{k}!{number}" for k in keys if k]
        else:
            forms = [f"{space}{number}"]
        forms = list(dict.fromkeys(forms))
        return forms[0], forms[1:]

    def entries(self) -> Iterator[tuple[Entry | tuple[str, str], list[str], list[str]]]:
        """(entry or skip reason, other source_ids it may be known by, its merge commits)."""
        covered: set[str] = set()
        found = collect(self.credit)
        found.sort(key=lambda f: (f.first.commit.committed, f.first.commit.sha))
        for item in found:
            occ = primary(item)
            if occ is None or not self.credit.mine(occ):
                continue
            if occ.kind == "merge":
                own = self.credit.own_commits(occ.commit.sha)
                covered.update(c.sha for c in own if self.credit.key(c) == "me")
            for o in item.occurrences:
                covered.add(o.commit.sha)
            first = item.first.commit
            entry = self._request_entry(item, occ, first)
            shas = [o.commit.sha for o in item.occurrences]
            if not self.in_window(entry.date):
                continue
            lines = occ.commit.lines
            if self.min_lines and lines is not None and lines < self.min_lines:
                # Its commits stay covered: a trivial PR does not become daily commits.
                changed = f"{lines} line{'' if lines == 1 else 's'} changed"
                reason = f"{changed}, below --min-lines {self.min_lines}"
                yield (entry.source_id, reason), [], shas
                continue
            yield entry, list(entry.extra.pop("_aliases")), shas
        if self.with_commits:
            for entry, aliases in self._daily(covered):
                yield entry, aliases, []

    def _title(self, occ: Occurrence) -> str:
        req = occ.request
        title = req.title.strip()
        if occ.backport_of is not None and title:
            title = BACKPORT_TITLE.sub("", title, count=1).strip()
            if m := SQUASH.match(title):
                title = m["title"]
        if title and title != req.branch:
            return title
        own = self.credit.own_commits(occ.commit.sha) if occ.kind == "merge" else []
        for commit in sorted(own, key=lambda c: c.authored):
            subject = commit.subject
            if subject and not GIT_MERGE.match(subject) and not subject.startswith("WIP"):
                return subject
        if req.branch:
            return humanise_branch(req.branch)
        return occ.commit.subject

    def _request_entry(self, item: Found, occ: Occurrence, first: Commit) -> Entry:
        repo = self.repo
        space, number = item.key
        source_id, aliases = self.ids(space, number)
        req = occ.request
        description = clean_description(req.description)
        if req.kind == "gitlab":
            url = repo.web_url(f"{req.path or repo.hosted}/-/merge_requests/{number}")
        elif req.kind == "bitbucket":
            url = repo.web_url(f"{repo.hosted}/pull-requests/{number}")
        elif req.kind == "github":
            url = repo.web_url(f"{repo.hosted}/pull/{number}")
        else:
            url = ""
        title = self._title(occ)
        entry = Entry(
            title=title,
            date=_day(first.committed),
            tags=[repo.name.lower()],
            impact=_unless_title(impact_of(description), title),
            with_=self.credit.others(occ),
            source=SOURCE,
            source_id=source_id,
            url=url if repo.hosted else "",
            body=(description + "\n") if description else "",
            extra={"commit": occ.commit.sha[:12], "_aliases": aliases},
        )
        if occ.commit.lines is not None:
            entry.extra["lines_changed"] = occ.commit.lines
        entry.id = stable_id(SOURCE, source_id)
        return entry

    def _landed(self) -> set[str]:
        """Commits in the history of the default and long-lived branches: work that
        landed (a feature branch's commits land through its pull request)."""
        stack = [
            sha
            for i, (name, sha) in enumerate(self.tips)
            if i == 0 or is_long_lived(name, self.long_lived)
        ]
        landed: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha in landed or sha not in self.commits:
                continue
            landed.add(sha)
            stack.extend(self.commits[sha].parents)
        return landed

    def _daily(self, covered: set[str]) -> Iterator[tuple[Entry, list[str]]]:
        days: dict[dt.date, list[Commit]] = {}
        seen: set[tuple[str, str]] = set()
        landed = self._landed()
        for commit in self.commits.values():
            if commit.sha not in landed or commit.is_merge or commit.sha in covered:
                continue
            if self.credit.key(commit) != "me":
                continue
            if PICKED.search(commit.message) or (commit.authored, commit.subject) in seen:
                continue  # a cherry-pick is the same work again
            seen.add((commit.authored, commit.subject))
            day = _day(commit.authored)
            if self.in_window(day):
                days.setdefault(day, []).append(commit)
        for day in sorted(days):
            group = sorted(days[day], key=lambda c: c.authored)
            name = self.repo.name
            title = f"{name}: {group[0].subject}"
            if len(group) > 1:
                more = len(group) - 1
                title += f" (+{more} more commit{'s' if more > 1 else ''})"
            body = "\n".join(f"- {c.subject} ({c.sha[:7]})" for c in group) + "\n"
            keys = [self.identity_key, self.repo.slug, self.root_commit[:12]]
            forms = list(dict.fromkeys(f"{k}@{day.isoformat()}" for k in keys if k))
            entry = Entry(
                title=title,
                date=day,
                tags=[name.lower()],
                source=SOURCE,
                source_id=forms[0],
                body=body,
                metrics=[{"name": "commits", "value": len(group), "unit": ""}],
            )
            entry.id = stable_id(SOURCE, forms[0])
            yield entry, forms[1:]


# -- what the journal already holds ---------------------------------------------------


class Known:
    """The git entries and removal records already in the journal, so a request
    found under another ``source_id`` form or in another clone is recognised."""

    def __init__(self, journal: Journal):
        self.journal = journal
        self.ids = {sid for src, sid in journal.index.source_keys() if src == SOURCE}
        self.ids |= {sid for src, sid in journal.removed_imports() if src == SOURCE}
        self._by_commit: dict[str, str] | None = None
        self.run: dict[str, str] = {}  # merge commit -> source_id, found in this run

    def by_commit(self) -> dict[str, str]:
        if self._by_commit is None:  # read only when an id alone does not tell
            self._by_commit = {}
            for entry in self.journal.index.query(newest_first=False):
                commit = entry.extra.get("commit") if entry.source == SOURCE else None
                if isinstance(commit, str) and len(commit) >= 7:
                    self._by_commit[commit[:12]] = entry.source_id
        return self._by_commit

    def _by_shas(self, shas: list[str]) -> str | None:
        for sha in shas:
            if sha[:12] in self.run:
                return self.run[sha[:12]]
        table = self.by_commit()
        for sha in shas:
            if sha[:12] in table:
                return table[sha[:12]]
        return None

    def resolve(self, entry: Entry, aliases: list[str], shas: list[str]) -> Entry:
        """The entry under the ``source_id`` the journal knows it by, if it does."""
        if entry.source_id not in self.ids:
            match = next((a for a in aliases if a in self.ids), None)
            if match is None and shas:
                match = self._by_shas(shas)
            if match is not None:
                entry.source_id = match
        for sha in shas:
            self.run.setdefault(sha[:12], entry.source_id)
        return entry


# -- the importer ------------------------------------------------------------------------


def open_repo(raw: str) -> Path:
    from brag.gitcmd import run

    path = Path(raw).expanduser()
    if not path.exists():
        raise ImportSourceError(f"{raw}: no such folder")
    if not path.is_dir():
        raise ImportSourceError(f"{raw} is a file, not a git repository folder")
    proc = run(path, ["rev-parse", "--show-toplevel"], check=False, retries=0)
    if proc.returncode == 0:
        return Path(proc.stdout.strip())
    err = proc.stderr
    if "work tree" in err:  # a bare clone (a mirror): its history is all there
        bare = run(path, ["rev-parse", "--is-bare-repository"], check=False, retries=0)
        if bare.stdout.strip() == "true":
            return path.resolve()
    if "dubious ownership" in err:
        raise ImportSourceError(
            f"git refuses to read {raw}: it belongs to another user (if you trust it: "
            f"git config --global --add safe.directory {path.resolve()})"
        )
    if "not a git repository" not in err.lower() and err.strip():
        from brag.gitcmd import redact

        last = redact(err.strip()).splitlines()[-1]
        raise ImportSourceError(f"{raw}: git cannot read it: {last}")
    raise ImportSourceError(f"{raw} is not a git repository (give the folder of a clone)")


def branch_tips(root: Path, refs: list[str]) -> list[tuple[str, str]]:
    """(name, sha) of the branches to read, the default branch first.

    Without ``refs``: every local and remote-tracking branch (one git process)."""
    from brag.gitcmd import output as git

    if refs:
        tips = []
        for ref in refs:
            sha = git(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False)
            if not sha.strip():
                raise ImportSourceError(f"{root}: no branch or commit named '{ref}'")
            tips.append((ref, sha.strip()))
        return tips
    out = git(
        root,
        [
            "for-each-ref",
            "--format=%(objectname) %(objecttype) %(refname) %(symref)",
            "refs/heads",
            "refs/remotes",
        ],
    )
    head = git(root, ["symbolic-ref", "--quiet", "HEAD"], check=False).strip()
    remote_head = git(
        root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], check=False
    ).strip()
    found: list[tuple[int, str, str]] = []
    for line in out.splitlines():
        parts = line.split(" ")
        if len(parts) < 3 or parts[1] != "commit" or (len(parts) > 3 and parts[3]):
            continue  # a symbolic ref (origin/HEAD) names another branch
        sha, ref = parts[0], parts[2]
        name = re.sub(r"^refs/(?:heads|remotes/[^/]+)/", "", ref)
        if ref in (remote_head, head):
            rank = 0
        elif name in ("main", "master", "trunk"):
            rank = 1
        elif is_long_lived(name):
            rank = 2
        else:
            rank = 3
        found.append((rank, ref, sha))
    found.sort()
    return [(re.sub(r"^refs/(?:heads|remotes)/", "", ref), sha) for _, ref, sha in found]


def _fingerprint(identity: Identity, with_commits: bool, refs: list[str], *extra: Any) -> str:
    parts = [*sorted(identity.emails), *sorted(identity.commit_names), str(with_commits), *refs]
    parts += [repr(e) for e in extra if e]  # a new threshold or list rescans
    key = "\n".join(parts)
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def _tips_digest(tips: list[tuple[str, str]]) -> str:
    return hashlib.sha1("\n".join(sorted(f"{n} {s}" for n, s in tips)).encode()).hexdigest()[:16]


def fetch(context: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    from brag.authorship import repo_info, resolve_identity

    paths = context.option("paths", []) or []
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise ImportSourceError(
            "give at least one repository folder: brag import git ~/src/app "
            "(or set paths in [import.git])"
        )
    # Every path is checked before any work; a clone named twice is read once.
    roots = list(dict.fromkeys(open_repo(str(p)) for p in paths))
    base = resolve_identity(context.journal, context.option("authors"))
    refs = _strings(context.option("ref"), "ref")
    long_lived = tuple(_strings(context.option("long_lived"), "long_lived"))
    with_commits = bool(context.option("commits", False))
    min_lines = _min_lines(context.option("min_lines"))
    cursors = context.state.setdefault("repos", {})
    known = Known(context.journal)
    context.progress.start("Reading git history", total=len(roots))
    for root in roots:
        repo = repo_info(root)
        identity = base.with_repo(repo)
        has_commits = _git_quiet(root, ["rev-parse", "--verify", "--quiet", "HEAD"])
        tips = branch_tips(root, refs) if (has_commits or refs) else []
        if not tips:
            context.progress.log(f"{root}: no commits yet")
            yield str(root), "repository has no commits"
            context.progress.advance()
            continue
        key = str(root)
        fingerprint = _fingerprint(identity, with_commits, refs, min_lines, long_lived)
        digest = _tips_digest(tips)
        cursor = cursors.get(key) if isinstance(cursors, dict) else None
        since = context.since
        if context.resumed:
            since = None  # this importer's own cursor, per clone, is exact
            if isinstance(cursor, dict) and cursor == {"tips": digest, "scan": fingerprint}:
                context.progress.advance()
                continue  # no branch moved since the last run: nothing new to read
        commits = read_history(root, [sha for _, sha in tips], sizes=bool(min_lines))
        scan = Scan(
            repo, identity, commits, tips, with_commits, since, context.until, min_lines, long_lived
        )
        found = 0
        for item, aliases, shas in scan.entries():
            found += 1
            yield known.resolve(item, aliases, shas) if isinstance(item, Entry) else item
        if not found and since is None:
            # A whole history with nothing of yours: most often an email git knows
            # you by is missing.
            context.progress.log(
                f"{root}: no merged pull requests by {identity.describe()} "
                "(add your other emails with --author or [user] emails in brag.toml)"
            )
        if context.until is None or context.until >= dt.date.today():
            cursors[key] = {"tips": digest, "scan": fingerprint}
        context.progress.advance()


def _git_quiet(root: Path, args: list[str]) -> str:
    from brag.gitcmd import output as git

    return git(root, args, check=False).strip()


def _strings(value: Any, name: str) -> list[str]:
    if value in (None, "", (), []):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"[import.git] {name} must be a branch name or a list of them, got {value!r}")


def _min_lines(value: Any) -> int:
    """``--min-lines`` or ``[import.git] min_lines``: a whole number of lines, 0 = off."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"[import.git] min_lines must be a whole number of lines (0 or more), got {value!r}"
        )
    return value


@hookimpl
def register_importers(register: Any) -> None:
    register(
        Importer(
            name=SOURCE,
            help=(
                "Your merged pull requests, from local clones.\n\n"
                "Reads every branch of each clone offline (one git log pass) and credits a "
                "merge to the author of the merged branch. Example: brag import git ~/src/api "
                "~/src/web --since 2026H1"
            ),
            fetch=fetch,
            examples=(
                "brag import git ~/src/api ~/src/web",
                "brag import git ~/src/api --since 2026H1 -n",
                "brag import git ~/src/api --author ada@example.com --commits",
            ),
            params=[
                click.Argument(["paths"], nargs=-1, type=click.Path()),
                click.Option(
                    ["--author", "authors"],
                    multiple=True,
                    metavar="EMAIL|NAME",
                    help="Your commit email (repeatable; a name matches the author name). "
                    "Default: [user] emails in brag.toml and git's user.email.",
                ),
                click.Option(
                    ["--commits"],
                    is_flag=True,
                    default=None,
                    help="Also import your other commits, one entry per repository and day.",
                ),
                click.Option(
                    ["--ref"],
                    multiple=True,
                    metavar="REF",
                    help="Read only this branch (repeatable). Default: every local and "
                    "remote-tracking branch.",
                ),
                click.Option(
                    ["--long-lived"],
                    multiple=True,
                    metavar="BRANCH",
                    help="Another long-lived branch (repeatable; globs allowed): merging it "
                    "is a sync, never a pull request. main, master, develop, release/* and "
                    "version branches such as 6.0.x always are.",
                ),
                click.Option(
                    ["--min-lines"],
                    type=click.IntRange(min=0),
                    metavar="N",
                    help="Skip pull requests changing fewer than N lines (added + deleted; "
                    "read in the same git log pass).",
                ),
            ],
        )
    )
