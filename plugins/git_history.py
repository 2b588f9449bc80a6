"""Merged pull requests in local clones: ``brag import git PATH…``.

Works offline on repositories you have cloned. Finds pull/merge requests in the
history of the current branch (``--ref`` for another): merge commits such as
``Merge pull request #123 from owner/branch``, squash merges whose subject ends
in ``(#123)``, GitLab merges carrying ``See merge request group/proj!45``, and
Bitbucket/Azure DevOps merge messages. A request counts as yours when you
authored it: for a squash merge that is the commit's author; for a merge commit
it is the author of the merged branch's commits (``merge^1..merge^2``), because
the merge commit itself is authored by whoever pressed the button. With
``--commits``, your other commits become one entry per repository and day.

You are ``--author`` (repeatable: emails, or names), else ``[user] emails`` in
brag.toml plus ``user.email`` from git config. Each repository is read with one
``git log`` pass, however long its history; later runs read only commits added
since the last one (``--since`` rescans from that date).

Configuration in brag.toml (all optional; command-line values win)::

    [user]
    emails = ["alex@example.com", "12345+alex@users.noreply.github.com"]

    [import.git]
    paths = ["~/src/api", "~/src/web"]
    ref = "origin/main"     # the branch whose history holds the merges
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brag.entry import Entry, stable_id
from brag.errors import ConfigError, ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

if TYPE_CHECKING:
    from brag.authorship import Identity, RepoInfo

SOURCE = "git"
# One record per commit: fields NUL-separated, records NUL-terminated by -z.
LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B"
_FIELDS = 7
# A --numstat line: "ADDED<TAB>DELETED<TAB>PATH" ("-" for binary files; an empty
# PATH for a rename, whose old and new paths follow as two more -z fields).
NUMSTAT = re.compile(r"\n?(\d+|-)\t(\d+|-)\t")

GITHUB_MERGE = re.compile(r"^Merge pull request #(\d+) from (\S+)")
BITBUCKET_MERGE = re.compile(r"^Merged in (\S+) \(pull request #(\d+)\)")
AZURE_MERGE = re.compile(r"^Merged PR (\d+):\s*(.*)$")
SQUASH = re.compile(r"^(?P<title>.*?)\s*\(#(?P<number>\d+)\)\s*$")
GITLAB_REF = re.compile(r"^See merge request (?P<path>\S*?)!(?P<number>\d+)\s*$", re.MULTILINE)
GITLAB_MERGE = re.compile(r"^Merge branch '([^']+)'")
TRAILER = re.compile(
    r"^(?:See merge request|Co-authored-by|Signed-off-by|Reviewed-by|Approved-by|Acked-by|"
    r"Reviewed-on|Change-Id|Part-of)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
CO_AUTHOR = re.compile(r"^Co-authored-by:\s*(?P<name>[^<]+?)\s*<(?P<email>[^>]+)>", re.MULTILINE)


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author: str
    email: str
    authored: str  # ISO 8601 with the author's offset
    committed: str
    message: str
    branch: list[str] = field(default_factory=list)  # merge^1..merge^2, for merges
    lines: int | None = None  # added + deleted (merges: against the first parent), if read

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class Request:
    """A pull/merge request found in a mainline commit."""

    number: int
    kind: str  # "github", "gitlab", "bitbucket", "azure"
    title: str
    description: str
    path: str = ""  # GitLab's "group/proj" from the message, when given


def read_history(root: Path, rev_range: list[str], sizes: bool = False) -> dict[str, Commit]:
    """Every commit in ``rev_range`` with its parents and message: ONE git process.

    With ``sizes``, the same pass also gives each commit's lines added + deleted
    (``--numstat``; a merge commit is compared with its first parent).
    """
    from brag.authorship import git

    stats = (
        ["--numstat", "--diff-merges=first-parent", "--find-renames", "--no-textconv"]
        if sizes
        else []
    )
    out = git(
        root,
        [
            "-c",
            "log.showSignature=false",
            "log",
            "-z",
            "--encoding=UTF-8",
            f"--format={LOG_FORMAT}",
            *stats,
            *rev_range,
            "--",
        ],
    )
    tokens = out.split("\0")
    commits: dict[str, Commit] = {}
    i, end = 0, len(tokens) - _FIELDS + 1
    while i < end:
        sha, parents, name, email, authored, committed, message = tokens[i : i + _FIELDS]
        sha = sha.lstrip("\n")
        commit = Commit(sha, parents.split(), name, email, authored, committed, message.strip())
        commits[sha] = commit
        i += _FIELDS
        if not sizes:
            continue
        # The numstat fields run until the next commit's hash (which has no tab).
        lines = 0
        while i < len(tokens) and "\t" in tokens[i]:
            m = NUMSTAT.match(tokens[i])
            if m is None:
                break
            lines += (int(m[1]) if m[1] != "-" else 0) + (int(m[2]) if m[2] != "-" else 0)
            i += 3 if m.end() == len(tokens[i]) else 1  # a rename: old and new paths follow
        commit.lines = lines
    return commits


def mainline(commits: dict[str, Commit], tip: str) -> list[str]:
    """The first-parent chain from ``tip``, newest first (within what was read)."""
    chain = []
    sha: str | None = tip
    while sha and sha in commits:
        chain.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else None
    return chain


def attach_branches(commits: dict[str, Commit], chain: list[str]) -> None:
    """For each merge on the chain, the commits it brought in (``merge^1..merge^N``).

    Walking merges oldest first and never re-visiting a commit makes each walk
    stop where the previous merges' history begins: linear in the history size.
    """
    claimed = set(chain)
    for sha in reversed(chain):
        merge = commits[sha]
        if not merge.is_merge:
            continue
        stack = list(reversed(merge.parents[1:]))
        while stack:
            current = stack.pop()
            if current in claimed or current not in commits:
                continue
            claimed.add(current)
            merge.branch.append(current)
            stack.extend(commits[current].parents)


def find_request(commit: Commit) -> Request | None:
    subject = commit.subject
    body = commit.message.split("\n", 1)[1] if "\n" in commit.message else ""
    if m := GITHUB_MERGE.match(subject):
        title, description = _title_and_rest(body)
        return Request(int(m[1]), "github", title or m[2].split("/", 1)[-1], description)
    if m := GITLAB_REF.search(commit.message):
        title, description = _title_and_rest(body) if commit.is_merge else (subject, body)
        if not title:
            branch = GITLAB_MERGE.match(subject)
            title = branch[1] if branch else subject
        return Request(int(m["number"]), "gitlab", title, description, m["path"])
    if m := BITBUCKET_MERGE.match(subject):
        title, description = _title_and_rest(body)
        return Request(int(m[2]), "bitbucket", title or m[1], description)
    if m := AZURE_MERGE.match(subject):
        return Request(int(m[1]), "azure", m[2] or subject, body)
    if m := SQUASH.match(subject):
        return Request(int(m["number"]), "github", m["title"] or subject, body)
    return None


def _title_and_rest(body: str) -> tuple[str, str]:
    body = body.strip()
    if not body:
        return "", ""
    paragraphs = re.split(r"\n\s*\n", body, maxsplit=1)
    first = paragraphs[0].strip()
    if TRAILER.fullmatch(first.split("\n")[0]):
        return "", body
    title = " ".join(first.split("\n")).strip()
    return title, paragraphs[1] if len(paragraphs) > 1 else ""


def clean_description(text: str) -> str:
    text = TRAILER.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def impact_of(description: str) -> str:
    """An explicit Impact/Why section or ``Impact:`` line, else the first paragraph
    unless it is only a list (a squash merge's list of commits)."""
    from brag.documents import first_paragraph, parse_markdown

    if not description:
        return ""
    doc = parse_markdown(Path("description.md"), description)
    section = doc.section("impact", "why", "motivation", "business impact")
    if section:
        return first_paragraph(section.text)
    if doc.meta.get("impact"):
        return str(doc.meta["impact"])
    first = first_paragraph(description)
    return "" if first.startswith("- ") else first


def pr_author(
    commits: dict[str, Commit], merge: Commit, identity: Identity
) -> tuple[str | None, list[Commit]]:
    """Who wrote a merged branch: "me" or another author's email, by most commits
    (the earliest commit breaks ties), with the branch's commits. All the user's
    emails count as one person. Merges of other branches into it ("Merge branch
    'main' into feature") are not authorship."""
    own = [commits[s] for s in merge.branch if not commits[s].is_merge]
    if not own:
        return None, []
    counts: dict[str, int] = {}
    earliest: dict[str, float] = {}
    for c in own:
        key = "me" if identity.is_commit_author(c.email, c.author) else c.email.lower()
        counts[key] = counts.get(key, 0) + 1
        when = _timestamp(c.authored)
        earliest[key] = min(earliest.get(key, when), when)
    best = max(counts, key=lambda k: (counts[k], -earliest[k]))
    return best, own


def _timestamp(stamp: str) -> float:
    try:
        return dt.datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return 0.0


def request_url(repo: RepoInfo, req: Request) -> str:
    if req.kind == "github":
        return repo.web_url(f"{repo.slug}/pull/{req.number}")
    if req.kind == "gitlab":
        return repo.web_url(f"{req.path or repo.slug}/-/merge_requests/{req.number}")
    if req.kind == "bitbucket":
        return repo.web_url(f"{repo.slug}/pull-requests/{req.number}")
    return ""


def _day(stamp: str) -> dt.date:
    return dt.date.fromisoformat(stamp[:10])


@dataclass
class Scan:
    repo: RepoInfo
    identity: Identity
    commits: dict[str, Commit]
    chain: list[str]
    with_commits: bool
    since: dt.date | None
    until: dt.date | None
    min_lines: int = 0  # skip requests changing fewer lines (needs sizes read)

    def in_window(self, day: dt.date) -> bool:
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def entries(self) -> Iterator[Entry | tuple[str, str]]:
        covered: set[str] = set()
        seen: set[str] = set()
        for sha in reversed(self.chain):
            commit = self.commits[sha]
            req = find_request(commit)
            if req is None:
                continue
            others: list[str] = []
            if commit.is_merge:
                author, own = pr_author(self.commits, commit, self.identity)
                if author != "me":
                    continue
                covered.update(c.sha for c in own if self._mine(c))
                others = [c.author for c in own if not self._mine(c)]
            else:
                if not self._mine(commit):
                    continue
                covered.add(commit.sha)
                others = [
                    m["name"]
                    for m in CO_AUTHOR.finditer(commit.message)
                    if m["email"].lower() not in self.identity.emails
                ]
            entry = self._request_entry(commit, req, others)
            if entry.source_id in seen:
                continue
            seen.add(entry.source_id)
            if not self.in_window(entry.date):
                continue
            lines = commit.lines
            if self.min_lines and lines is not None and lines < self.min_lines:
                # Its commits stay covered: a trivial PR does not become daily commits.
                changed = f"{lines} line{'' if lines == 1 else 's'} changed"
                yield entry.source_id, f"{changed}, below --min-lines {self.min_lines}"
                continue
            yield entry
        if self.with_commits:
            yield from self._daily(covered)

    def _mine(self, commit: Commit) -> bool:
        return self.identity.is_commit_author(commit.email, commit.author)

    def _request_entry(self, commit: Commit, req: Request, others: list[str]) -> Entry:
        repo = self.repo
        if req.kind == "gitlab":
            source_id = f"{req.path or repo.slug}!{req.number}"
        else:
            source_id = f"{repo.slug}#{req.number}"
        description = clean_description(req.description)
        entry = Entry(
            title=req.title.strip() or commit.subject,
            date=_day(commit.committed),
            tags=[repo.name.lower()],
            impact=impact_of(description),
            with_=list(dict.fromkeys(others)),
            source=SOURCE,
            source_id=source_id,
            url=request_url(repo, req),
            body=(description + "\n") if description else "",
            extra={"commit": commit.sha[:12]},
        )
        if commit.lines is not None:
            entry.extra["lines_changed"] = commit.lines
        entry.id = stable_id(SOURCE, source_id)
        return entry

    def _daily(self, covered: set[str]) -> Iterator[Entry]:
        days: dict[dt.date, list[Commit]] = {}
        for commit in self.commits.values():
            if commit.is_merge or commit.sha in covered or not self._mine(commit):
                continue
            day = _day(commit.authored)
            if self.in_window(day):
                days.setdefault(day, []).append(commit)
        for day in sorted(days):
            group = sorted(days[day], key=lambda c: c.authored)
            first = group[0].subject
            name = self.repo.name
            title = f"{name}: {first}"
            if len(group) > 1:
                more = len(group) - 1
                title += f" (+{more} more commit{'s' if more > 1 else ''})"
            body = "\n".join(f"- {c.subject} ({c.sha[:7]})" for c in group) + "\n"
            source_id = f"{self.repo.slug}@{day.isoformat()}"
            entry = Entry(
                title=title,
                date=day,
                tags=[name.lower()],
                source=SOURCE,
                source_id=source_id,
                body=body,
                metrics=[{"name": "commits", "value": len(group), "unit": ""}],
            )
            entry.id = stable_id(SOURCE, source_id)
            yield entry


def open_repo(raw: str) -> Path:
    import subprocess

    from brag.gitcmd import redact

    path = Path(raw).expanduser()
    if not path.exists():
        raise ImportSourceError(f"{raw}: no such folder")
    if not path.is_dir():
        raise ImportSourceError(f"{raw} is a file, not a git repository folder")
    try:
        proc = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--show-toplevel"],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ImportSourceError("git is not installed or not on PATH") from None
    if proc.returncode == 0:
        return Path(proc.stdout.decode("utf-8", "replace").strip())
    err = redact(proc.stderr.decode("utf-8", "replace"))
    if "work tree" in err:  # a bare clone (a mirror): its history is all there
        bare = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--is-bare-repository"],
            capture_output=True,
            check=False,
        )
        if bare.stdout.strip() == b"true":
            return path.resolve()
    if "dubious ownership" in err:
        raise ImportSourceError(
            f"git refuses to read {raw}: it belongs to another user (if you trust it: "
            f"git config --global --add safe.directory {path.resolve()})"
        )
    if "not a git repository" not in err.lower() and err.strip():
        raise ImportSourceError(f"{raw}: git cannot read it: {err.strip().splitlines()[-1]}")
    raise ImportSourceError(f"{raw} is not a git repository (give the folder of a clone)")


def _fingerprint(identity: Identity, with_commits: bool, ref: str, min_lines: int = 0) -> str:
    parts = [*sorted(identity.emails), *sorted(identity.commit_names), str(with_commits), ref]
    if min_lines:  # a new threshold rescans: PRs skipped under the old one may now count
        parts.append(f"min_lines={min_lines}")
    key = "\n".join(parts)
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def fetch(context: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    from brag.authorship import git, repo_info, resolve_identity

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
    ref = str(context.option("ref", "HEAD"))
    with_commits = bool(context.option("commits", False))
    min_lines = _min_lines(context.option("min_lines"))
    cursors = context.state.setdefault("repos", {})
    context.progress.start("Reading git history", total=len(roots))
    for root in roots:
        repo = repo_info(root)
        identity = base.with_repo(repo)
        tip = git(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False)
        tip = tip.strip()
        if not tip:
            has_commits = git(root, ["rev-parse", "--verify", "--quiet", "HEAD"], check=False)
            if not has_commits.strip():
                context.progress.log(f"{root}: no commits yet")
                yield str(root), "repository has no commits"
                context.progress.advance()
                continue
            raise ImportSourceError(f"{root}: no branch or commit named '{ref}'")
        key = f"{repo.slug}@{ref}"
        fingerprint = _fingerprint(identity, with_commits, ref, min_lines)
        cursor = cursors.get(key) if isinstance(cursors, dict) else None
        rev_range = [tip]
        since = context.since
        if context.resumed:
            since = None  # this importer's own cursor, per repository, is exact
            if (
                isinstance(cursor, dict)
                and cursor.get("scan") == fingerprint
                and cursor.get("tip")
                and _exists(root, str(cursor["tip"]))
            ):
                rev_range = [f"{cursor['tip']}..{tip}"]
        commits = read_history(root, rev_range, sizes=bool(min_lines))
        chain = mainline(commits, tip)
        attach_branches(commits, chain)
        scan = Scan(repo, identity, commits, chain, with_commits, since, context.until, min_lines)
        found = 0
        for item in scan.entries():
            found += 1
            yield item
        if not found and rev_range == [tip] and since is None:
            # A whole history with nothing of yours: most often an email git knows
            # you by is missing.
            context.progress.log(
                f"{root}: no merged pull requests by {identity.describe()} "
                "(add your other emails with --author or [user] emails in brag.toml)"
            )
        if context.until is None or context.until >= dt.date.today():
            cursors[key] = {"tip": tip, "scan": fingerprint}
        context.progress.advance()


def _min_lines(value: Any) -> int:
    """``--min-lines`` or ``[import.git] min_lines``: a whole number of lines, 0 = off."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"[import.git] min_lines must be a whole number of lines (0 or more), got {value!r}"
        )
    return value


def _exists(root: Path, sha: str) -> bool:
    import subprocess

    proc = subprocess.run(
        ["git", "-C", str(root), "cat-file", "-e", f"{sha}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


@hookimpl
def register_importers(register: Any) -> None:
    register(
        Importer(
            name=SOURCE,
            help=(
                "Your merged pull requests, from local clones.\n\n"
                "Reads each clone's history offline (one git log pass) and credits a merge "
                "to the author of the merged branch. Example: brag import git ~/src/api "
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
                    metavar="REF",
                    help="Branch whose history holds the merges (default: HEAD).",
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
