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
import fnmatch
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
    from brag.journal import Journal

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
GIT_MERGE = re.compile(r"^Merge (?:remote-tracking )?branch(?:es)? '([^']+)'")
TRAILER = re.compile(
    r"^(?:See merge request|Co-authored-by|Signed-off-by|Reviewed-by|Approved-by|Acked-by|"
    r"Reviewed-on|Change-Id|Part-of|\(cherry picked from commit)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
CO_AUTHOR = re.compile(r"^Co-authored-by:\s*(?P<name>[^<]+?)\s*<(?P<email>[^>]+)>", re.MULTILINE)
PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")
# Branches that are never a pull request of their own: merging one is a sync.
LONG_LIVED = re.compile(
    r"^(?:main|master|trunk|develop|development|dev|stable|next|staging|production|"
    r"(?:release|releases|maint|maintenance|hotfix|stable)[/-].*|"
    r"v?\d+(?:\.\d+)*(?:\.x)?|\d+(?:[.-]\d+)*-stable)$",
    re.IGNORECASE,
)
# "[6.0.x] Fix…", "[Backport 6.0.x] …", "[PR #12/abc backport][8.0.x] …", "Backport #12: …"
BACKPORT_TITLE = re.compile(
    r"^\s*(?:\[[^\]]*(?:\d+\.(?:\d+|x)|backport|cherry[- ]?pick|release|stable)[^\]]*\]\s*)+|"
    r"^\s*(?:backport(?:ed)?|cherry[- ]pick(?:ed)?)\b[^:]*:?\s*",
    re.IGNORECASE,
)
BACKPORT_BRANCH = re.compile(r"(?:backport|cherry[-_]?pick|patchback)", re.IGNORECASE)
ORIGINAL_NUMBER = re.compile(
    r"(?:#|\bpr[-_/ ]?|pull[-/]|backport(?:s|ed)?[-_/ ](?:of[-_/ ])?)(\d+)\b", re.IGNORECASE
)
# "Merge master into features", "sync-main", "merge-upstream-7.0.x": the words of a sync.
SYNC_WORDS = {"merge", "merging", "sync", "syncing", "mergeback", "backmerge", "forwardport"}


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author: str
    email: str
    authored: str  # ISO 8601 with the author's offset
    committed: str
    message: str
    lines: int | None = None  # added + deleted (merges: against the first parent), if read

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class Request:
    """A pull/merge request found in a commit's message."""

    number: int
    kind: str  # "github", "gitlab", "bitbucket", "azure"
    title: str
    description: str
    path: str = ""  # GitLab's "group/proj" from the message, when given
    branch: str = ""  # the merged branch, when the message names it


def read_history(root: Path, revs: list[str], sizes: bool = False) -> dict[str, Commit]:
    """Every commit reachable from ``revs`` with its parents and message: ONE git process.

    The revisions go to git on stdin (a repository may have hundreds of branches).
    With ``sizes``, the same pass also gives each commit's lines added + deleted
    (``--numstat``; a merge commit is compared with its first parent).
    """
    from brag.gitcmd import output as git

    stats = (
        ["--numstat", "--diff-merges=first-parent", "--find-renames", "--no-textconv"]
        if sizes
        else []
    )
    args = ["-c", "log.showSignature=false", "log", "-z", "--encoding=UTF-8"]
    args += [f"--format={LOG_FORMAT}", *stats, "--stdin", "--"]
    out = git(root, args, input="".join(f"{r}\n" for r in revs))
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


# -- which commits each merge brought in ----------------------------------------------


@dataclass
class Chain:
    """A first-parent line of history: a branch, or the inside of a merged branch."""

    name: str
    shas: list[str]  # oldest first
    # The chains whose history this one contains: chain index -> the last position
    # in it that is an ancestor (this chain itself: everything).
    lineage: dict[int, float]


def merged_ranges(commits: dict[str, Commit], tips: list[tuple[str, str]]) -> dict[str, list[str]]:
    """For every merge, the commits it brought in: ``merge^1..merge^2`` (and ``^3``…).

    The history is cut into first-parent chains: each branch tip's (tips first,
    in the order given), then recursively the merged side of every merge. A
    merge's range is walked from its other parents, stopping at commits already
    known to be in its first parent's history: commits of its own chain, commits
    earlier merges on its chain claimed, and commits of the chains it forked
    from up to the fork point. Every chain is processed once, oldest merge
    first, so a commit is walked once per branch that brings it in: linear in
    the history for ordinary branching, exact for any shape.
    """
    chains: list[Chain] = []
    claims: dict[str, list[tuple[int, int]]] = {}  # sha -> (chain, position) that hold it

    def build(tip: str, name: str) -> None:
        segment = []
        sha: str | None = tip
        while sha is not None and sha in commits and sha not in claims:
            segment.append(sha)
            parents = commits[sha].parents
            sha = parents[0] if parents else None
        if not segment:
            return
        index = len(chains)
        lineage: dict[int, float] = {}
        fork = claims.get(sha) if sha is not None else None
        if fork:
            parent, position = fork[0]
            lineage = dict(chains[parent].lineage)
            lineage[parent] = position
        lineage[index] = float("inf")
        segment.reverse()
        for position, member in enumerate(segment):
            claims[member] = [(index, position)]
        chains.append(Chain(name, segment, lineage))

    for name, tip in tips:
        build(tip, name)
    i = 0
    while i < len(chains):
        for sha in chains[i].shas:
            for parent in commits[sha].parents[1:]:
                build(parent, "")
        i += 1

    ranges: dict[str, list[str]] = {}
    for index, chain in enumerate(chains):
        lineage = chain.lineage
        for position, sha in enumerate(chain.shas):
            merge = commits[sha]
            if not merge.is_merge:
                continue
            brought: list[str] = []
            stack = list(reversed(merge.parents[1:]))
            while stack:
                current = stack.pop()
                held = claims.get(current)
                if held is None:
                    continue  # not read: beyond a shallow clone's horizon
                if any(lineage.get(c, -1.0) >= p for c, p in held):
                    continue
                held.append((index, position))
                brought.append(current)
                stack.extend(commits[current].parents)
            ranges[sha] = brought
    return ranges


# -- pull requests in messages ----------------------------------------------------------


def find_request(commit: Commit) -> Request | None:
    subject = commit.subject
    body = commit.message.split("\n", 1)[1] if "\n" in commit.message else ""
    if m := GITHUB_MERGE.match(subject):
        title, description = _title_and_rest(body)
        return Request(int(m[1]), "github", title, description, branch=m[2].split("/", 1)[-1])
    if m := GITLAB_REF.search(commit.message):
        title, description = _title_and_rest(body) if commit.is_merge else (subject, body)
        branch = GIT_MERGE.match(subject)
        if commit.is_merge and not title and not branch:
            title = subject
        return Request(
            int(m["number"]), "gitlab", title, description, m["path"], branch[1] if branch else ""
        )
    if m := BITBUCKET_MERGE.match(subject):
        title, description = _title_and_rest(body)
        return Request(int(m[2]), "bitbucket", title, description, branch=m[1])
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
    text = re.sub(r"<!--.*?(?:-->|\Z)", "", text, flags=re.DOTALL)  # template instructions
    text = TRAILER.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# A sentence that says what changed for someone: a measured change, or an outcome word.
OUTCOME = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|ms\b|s\b|x\b|×|seconds?|minutes?|hours?|days?|[KMG]i?B\b|times)|"
    r"\bfrom\s+\S+\s+to\s+\S+|"
    r"\b(?:reduc|cut[s ]|faster|quicker|speed|sav(?:es|ed|ing)\b|improv|prevent|avoid|enabl|"
    r"allow|unblock|no longer|fewer|less\b|lower|higher|increas|decreas|eliminat|so that|"
    r"which means|easier|simpler|helps?\b|lets?\b|makes? it)",
    re.IGNORECASE,
)
NOISE = re.compile(
    r"^(?:#|>|\||```|~~~|[-*+] |\d+[.)] |\[[ xX]\]|!\[|<)|"  # headings, quotes, lists, code…
    r"^(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|refs?|related(?: to)?|see(?: also)?|"
    r"part of|follow[- ]up(?: to| of)?|depends on|supersedes|replaces)\b[\s:]*"
    r"(?:#\d+|[\w.-]+/[\w.-]+#\d+|https?://\S+|[A-Z]+-\d+)|"
    r"^(?:thanks? (?:you )?for|please\b|make sure|before submitting|describe\b|"
    r"this pr\b.*\btemplate|checklist\b|type of change\b|how (?:has|was) this (?:been )?tested|"
    r"(?:signed-off|co-authored)-by\b|this reverts commit|reverts? \S+|caused by|based on|"
    r"split (?:out )?(?:from|of)|extracted from|cherry[- ]picked|backport|see:?\s)",
    re.IGNORECASE,
)
URL_ONLY = re.compile(r"^\W*(?:<?https?://\S+>?|\[[^\]]*\]\([^)]*\))\W*$", re.IGNORECASE)


def impact_of(description: str) -> str:
    """A sentence from the PR body that states an outcome, or "".

    An ``Impact``/``Why``/``Outcome`` section (or an ``Impact:`` line) is read
    first; otherwise the body's paragraphs in order. Headings, lists and
    checklists, quotes, code, bare links, "Fixes #N"/"Closes …" and template
    boilerplate are never an impact, and neither is a sentence that names no
    outcome: empty is better than noise."""
    if not description:
        return ""
    if m := re.search(r"^\**impact\**\s*:\s*(.+)$", description, re.IGNORECASE | re.MULTILINE):
        found = _outcome_sentence(m[1])
        if found:
            return found
    section = re.search(
        r"^#{1,6}\s*(?:business\s+)?(?:impact|why|motivation|outcome|results?)\b[^\n]*\n(.*?)"
        r"(?=^#{1,6}\s|\Z)",
        description,
        re.IGNORECASE | re.MULTILINE | re.DOTALL,
    )
    if section:
        for para in _paragraphs(section[1]):
            if found := _outcome_sentence(para):
                return found
    for para in _paragraphs(description):
        if found := _outcome_sentence(para):
            return found
    return ""


def _paragraphs(text: str) -> Iterator[str]:
    in_code = False
    block: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            block = []
            continue
        if in_code:
            continue
        if not stripped:
            if block:
                yield " ".join(block)
            block = []
            continue
        if NOISE.match(stripped) or URL_ONLY.match(stripped) or stripped.startswith("---"):
            if block:
                yield " ".join(block)
            block = []
            continue
        block.append(stripped)
    if block and not in_code:
        yield " ".join(block)


def _outcome_sentence(paragraph: str) -> str:
    paragraph = paragraph.strip()
    if not paragraph or NOISE.match(paragraph) or URL_ONLY.match(paragraph):
        return ""
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", paragraph):
        sentence = sentence.strip()
        bare = re.sub(r"https?://\S+|#\d+", "", sentence)
        if len(re.findall(r"[A-Za-z]{2,}", bare)) < 5 or NOISE.match(sentence):
            continue
        if OUTCOME.search(bare):
            return sentence if len(sentence) <= 300 else sentence[:297].rstrip() + "…"
    return ""


def _unless_title(impact: str, title: str) -> str:
    """An impact that only repeats the title says nothing."""
    same = re.sub(r"\W+", " ", impact).strip().lower() == re.sub(r"\W+", " ", title).strip().lower()
    return "" if same else impact


def humanise_branch(branch: str) -> str:
    """``fix/rm-nonzero`` -> ``rm nonzero``: a last resort when nothing else names a PR."""
    name = branch.rsplit("/", 1)[-1]
    return re.sub(r"[-_]+", " ", name).strip() or branch


# -- credit ------------------------------------------------------------------------------


@dataclass
class Occurrence:
    """One commit that merged (or copied) a request into some branch."""

    commit: Commit
    request: Request
    kind: str  # "merge", "squash", "picked" (a merge commit copied by cherry-pick)
    backport_of: int | None = None  # the request a backport copies, when it says so
    picked_only: bool = False  # a backport only by its "(cherry picked from …)" line
    brought: list[str] = field(default_factory=list)


@dataclass
class Found:
    """A request, with every commit that merged it anywhere."""

    key: tuple[str, int]  # ("#", 12) or ("grp/proj!", 45)
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def first(self) -> Occurrence:
        return min(self.occurrences, key=lambda o: (o.commit.committed, o.commit.sha))


def is_long_lived(branch: str, extra: tuple[str, ...] = ()) -> bool:
    name = re.sub(r"^(?:refs/(?:heads|remotes)/)?(?:origin|upstream)/", "", branch)
    if LONG_LIVED.match(name):
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in extra)


def _backport(commit: Commit, req: Request, picked: bool = True) -> int | None:
    """The request a backport copies (its number, 0 if not said), or None if it is no backport.

    A backport says so in its title ("[6.0.x] …", "Backport …", a squash title
    that still ends in the original's "(#12)"), its branch ("backport-12-to-6.0.x",
    "patchback/backports/…/pr-12") or a ``(cherry picked from commit …)`` line."""
    title = req.title or commit.subject
    if m := SQUASH.match(title):
        if int(m["number"]) != req.number:
            return int(m["number"])
    head = BACKPORT_TITLE.match(title)
    if not head and not BACKPORT_BRANCH.search(req.branch):
        return 0 if picked and PICKED.search(commit.message) else None
    for text in (title, req.branch):
        for m in ORIGINAL_NUMBER.finditer(text):
            if int(m[1]) != req.number:
                return int(m[1])
    return 0


class Credit:
    """Decides, for each request, whether it is the user's (see the module doc)."""

    def __init__(
        self,
        commits: dict[str, Commit],
        ranges: dict[str, list[str]],
        identity: Identity,
        long_lived: tuple[str, ...] = (),
    ):
        self.commits = commits
        self.ranges = ranges
        self.identity = identity
        self.long_lived = long_lived
        self.requests: dict[str, Request | None] = {}
        self._authors: dict[str, str | None] = {}
        self._own: dict[str, list[Commit]] = {}

    def request(self, sha: str) -> Request | None:
        if sha not in self.requests:
            message = self.commits[sha].message
            # Most commits name no request: skip the patterns for them.
            maybe = "#" in message or "!" in message or message.startswith("Merged ")
            self.requests[sha] = find_request(self.commits[sha]) if maybe else None
        return self.requests[sha]

    def key(self, commit: Commit) -> str:
        return (
            "me"
            if self.identity.is_commit_author(commit.email, commit.author)
            else (commit.email.lower())
        )

    def own_commits(self, sha: str) -> list[Commit]:
        """The merged branch's own commits: what the merge brought in, minus merges
        and minus the commits of other requests merged into that branch."""
        if sha in self._own:
            return self._own[sha]
        brought = self.ranges.get(sha, [])
        nested: set[str] = set()
        for member in brought:
            if self.request(member) is not None:
                nested.add(member)
                nested.update(self.ranges.get(member, ()))
        return [
            self.commits[s] for s in brought if s not in nested and not self.commits[s].is_merge
        ]

    def author(self, sha: str) -> str | None:
        """Who wrote a request: "me" or an email; None if nobody can be told."""
        if sha in self._authors:
            return self._authors[sha]
        commit = self.commits[sha]
        self._authors[sha] = None  # a guard against cycles, which history cannot have
        if not commit.is_merge:
            found: str | None = self.key(commit)
        else:
            found = _majority([self.key(c) for c in self.own_commits(sha)], self.own_commits(sha))
        self._authors[sha] = found
        return found

    def is_sync(self, sha: str, req: Request) -> bool:
        """A merge that syncs branches: of a long-lived branch, or carrying requests by
        two or more other people."""
        if req.branch and is_long_lived(req.branch, self.long_lived):
            return True
        for text in (req.title, req.branch):
            words = [w for w in re.split(r"[\s'\"`/_:-]+", text.lower()) if w]
            if words and words[0] in SYNC_WORDS:
                named = [w for w in words[1:] if w not in ("into", "to", "from", "with")]
                if any(is_long_lived(w, self.long_lived) for w in named[:3]):
                    return True
        others = set()
        for member in self.ranges.get(sha, ()):
            if self.request(member) is not None:
                who = self.author(member)
                if who and who != "me":
                    others.add(who)
        return len(others) >= 2

    def mine(self, occ: Occurrence) -> bool:
        commit = occ.commit
        if occ.backport_of == 0 and not occ.picked_only:
            return False  # a copy of work that is not in this history: not a PR of its own
        if occ.kind == "merge":
            return not self.is_sync(commit.sha, occ.request) and self.author(commit.sha) == "me"
        if occ.kind == "squash":
            if occ.backport_of is not None and not occ.picked_only:
                return False  # whoever squashed a backport did not write it
            if self.key(commit) == "me":
                return True
            return any(
                self.identity.is_commit_author(m["email"], m["name"])
                for m in CO_AUTHOR.finditer(commit.message)
            )
        return False

    def others(self, occ: Occurrence) -> list[str]:
        """The other people who wrote the request, by name."""
        commit = occ.commit
        if occ.kind == "merge":
            names = [c.author for c in self.own_commits(commit.sha) if self.key(c) != "me"]
        else:
            names = [] if self.key(commit) == "me" else [commit.author]
            names += [
                m["name"]
                for m in CO_AUTHOR.finditer(commit.message)
                if not self.identity.is_commit_author(m["email"], m["name"])
            ]
        return list(dict.fromkeys(names))


def _majority(keys: list[str], own: list[Commit]) -> str | None:
    """The author of most commits; a tie goes to whoever committed first."""
    if not keys:
        return None
    counts: dict[str, int] = {}
    earliest: dict[str, str] = {}
    for key, commit in zip(keys, own, strict=True):
        counts[key] = counts.get(key, 0) + 1
        earliest[key] = min(earliest.get(key, commit.authored), commit.authored)
    return max(counts, key=lambda k: (counts[k], _negated(earliest[k])))


def _negated(stamp: str) -> float:
    try:
        return -dt.datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return 0.0


def collect(credit: Credit) -> list[Found]:
    """Every request in the history, each once with all the commits that merged it."""
    found: dict[tuple[str, int], Found] = {}
    picked_from: dict[str, tuple[str, int]] = {}
    for sha, commit in credit.commits.items():
        req = credit.request(sha)
        if req is None:
            continue
        if commit.is_merge:
            kind = "merge"
        elif GITHUB_MERGE.match(commit.subject) or BITBUCKET_MERGE.match(commit.subject):
            kind = "picked"
        else:
            kind = "squash"
        backport = _backport(commit, req)
        occ = Occurrence(commit, req, kind, backport)
        occ.picked_only = backport == 0 and _backport(commit, req, picked=False) is None
        number = occ.backport_of or req.number
        space = f"{req.path}!" if req.kind == "gitlab" and req.path else "#"
        if req.kind == "gitlab" and not req.path:
            space = "!"
        key = (space, number)
        found.setdefault(key, Found(key)).occurrences.append(occ)
        if kind == "merge":
            for member in credit.ranges.get(sha, ()):
                picked_from.setdefault(member, key)
        else:
            picked_from.setdefault(sha, key)
    # A backport that names no original but copies its commits (cherry-pick -x)
    # belongs to the request it copied.
    for key, item in list(found.items()):
        occ = item.occurrences[0]
        if len(item.occurrences) != 1 or occ.backport_of != 0:
            continue
        shas = [occ.commit.sha, *credit.ranges.get(occ.commit.sha, ())]
        for sha in shas:
            m = PICKED.search(credit.commits[sha].message)
            source = _by_prefix(picked_from, m[1]) if m else None
            if source and source != key and source in found:
                found[source].occurrences.append(occ)
                del found[key]
                break
    return list(found.values())


def _by_prefix(table: dict[str, Any], prefix: str) -> Any:
    if prefix in table:
        return table[prefix]
    if len(prefix) < 40:
        for sha, value in table.items():
            if sha.startswith(prefix):
                return value
    return None


def primary(item: Found) -> Occurrence | None:
    """The occurrence that decides credit: the first real merge or squash of the
    request itself, else a merge backport (its commits keep their authors);
    cherry-picked merge commits and squashed backports never decide."""
    ranked = sorted(
        item.occurrences,
        key=lambda o: (
            o.kind == "picked",
            o.backport_of is not None,
            {"merge": 0, "squash": 1, "picked": 2}[o.kind],
            o.commit.committed,
        ),
    )
    best = ranked[0]
    if best.kind == "picked":
        return None
    return best


# -- the scan ----------------------------------------------------------------------------


def _day(stamp: str) -> dt.date:
    return dt.date.fromisoformat(stamp[:10])


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
