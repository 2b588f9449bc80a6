"""Reading a clone's history and deciding which merges are whose.

The part of ``brag import git`` that knows git: one ``git log`` pass over every
branch (:func:`read_history`), what each merge brought in
(:func:`merged_ranges`), which pull/merge request a commit is
(:func:`find_request`), its title and outcome sentence, and the credit rules
(:class:`Credit`, :func:`collect`). ``plugins/git_history.py`` turns the result
into entries; docs/importers-local.md states every rule.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brag.authorship import Identity

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
