"""Who the user is, and what they wrote: shared by the local importers.

The user is a set of emails (and names, for documents that list authors by
name): ``--author`` values when given, otherwise ``[user] emails`` and
``[user] name`` from brag.toml plus ``user.email``/``user.name`` from git
config. Git authorship of files comes from ONE ``git log --numstat`` pass per
repository folder, never a process per file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BragError, ImportSourceError
from .gitcmd import output as git
from .gitcmd import run

if TYPE_CHECKING:
    from .journal import Journal

# A co-author wrote at least this share of a file's added lines.
CO_AUTHOR_SHARE = 0.2

_PERSON = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$")


def _listify(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_listify(item) if isinstance(item, str) else [str(item)])
        return out
    return [str(value)]


def split_people(value: Any) -> list[str]:
    """``"Alice <a@x.org>, Bob"`` or a list of such -> one string per person."""
    if isinstance(value, str):
        # "and" joins two names in prose front matter ("Alice and Bob").
        value = re.sub(r"\s+(?:and|&)\s+", ",", value)
    return [p for p in _listify(value) if p]


@dataclass(frozen=True)
class Identity:
    """The user, as commits and documents name them (all lower-cased)."""

    emails: frozenset[str]
    names: frozenset[str] = frozenset()
    # Names given with --author are trusted on commits too; configured names are
    # only used for documents that list authors by name.
    commit_names: frozenset[str] = frozenset()
    explicit: bool = False  # given with --author: a repository's own user.email is not added

    def with_repo(self, info: RepoInfo) -> Identity:
        """This identity plus the repository's own ``user.email`` (unless --author was given)."""
        if self.explicit or not info.user_emails:
            return self
        extra = {e.lower() for e in info.user_emails}
        return Identity(self.emails | extra, self.names, self.commit_names, self.explicit)

    def is_commit_author(self, email: str, name: str = "") -> bool:
        return email.lower() in self.emails or name.strip().lower() in self.commit_names

    def is_person(self, text: str) -> bool:
        """Whether ``"Name <email>"``, an email, a name or an ``@handle`` is the user."""
        text = text.strip()
        m = _PERSON.match(text)
        if m:
            if m["email"].strip().lower() in self.emails:
                return True
            text = m["name"]
        low = text.strip().strip("\"'").lower()
        if low.endswith("@") and low.count("@") == 1:  # "alex@": a username at the company
            return any(e.split("@", 1)[0] == low[:-1] for e in self.emails)
        if "@" in low and not low.startswith("@"):
            return low in self.emails
        low = low.lstrip("@")
        return bool(low) and (low in self.names or low in self.commit_names)

    def describe(self) -> str:
        shown = sorted(self.emails) + sorted(self.names | self.commit_names)
        return ", ".join(shown) or "nobody"


def git_user(root: Path | None = None) -> tuple[list[str], list[str]]:
    """``user.email`` and ``user.name`` from git config (the repository's when given)."""
    args = ["config", "--get-regexp", r"^user\.(email|name)$"]
    if root is None:
        args.insert(1, "--global")
    try:
        proc = run(root or Path.cwd(), args, check=False, retries=0)
    except BragError:  # git is not installed
        return [], []
    emails: list[str] = []
    names: list[str] = []
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        (emails if key.endswith("email") else names).append(value.strip())
    return emails, names


def resolve_identity(
    journal: Journal, authors: Iterable[str] | None = None, repo: Path | None = None
) -> Identity:
    """The user: ``authors`` (``--author``) if any, else brag.toml ``[user]`` plus git config."""
    given = [a for a in _listify(list(authors or [])) if a]
    if given:
        emails = {a.lower() for a in given if "@" in a and not a.startswith("@")}
        names = {a.lower().lstrip("@") for a in given if a.lower() not in emails}
        return Identity(frozenset(emails), frozenset(names), frozenset(names), explicit=True)
    user = journal.config.get("user", {})
    user = user if isinstance(user, dict) else {}
    emails = {e.lower() for e in _listify(user.get("emails")) + _listify(user.get("email"))}
    names = {n.lower() for n in _listify(user.get("name")) if n}
    git_emails, git_names = git_user(repo)
    emails.update(e.lower() for e in git_emails if e)
    names.update(n.lower() for n in git_names if n)
    if not emails and not names:
        raise ImportSourceError(
            "don't know who you are: pass --author EMAIL, or set [user] emails in brag.toml "
            "(brag config user.emails you@example.com)"
        )
    return Identity(frozenset(emails), frozenset(names))


# -- repositories ------------------------------------------------------------------


@dataclass
class RepoInfo:
    """A local clone: where it is, what it is (its identity) and what to call it.

    ``hosted`` is the hosting slug ("owner/name") when origin, or the origin of
    a local origin, names a host in any URL form (https, ssh, scp-like); else
    "". ``name`` is that slug's last part, else the clone folder's name: never
    a path component of a local origin such as ``repo``. ``slug`` is the
    origin URL's path (or the folder name), as document importers key files
    and as earlier versions of ``brag import git`` named the repository.
    """

    root: Path
    slug: str
    name: str
    host: str = ""  # web host of the remote ("github.com"), "" if unknown
    user_emails: list[str] = field(default_factory=list)
    user_names: list[str] = field(default_factory=list)
    hosted: str = ""

    def web_url(self, path: str) -> str:
        if not self.host:
            return ""
        return f"https://{self.host}/{path}"


_SCP_REMOTE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]{2,}):(?P<path>[^/\\].*)$")
_URL_REMOTE = re.compile(
    r"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", re.IGNORECASE
)


def is_hosted(url: str) -> bool:
    """Whether a remote URL names a host (https, ssh, git, scp-like), not a local path."""
    url = url.strip()
    if url.startswith(("/", ".", "~", "file:")):
        return False
    return bool(_URL_REMOTE.match(url) or _SCP_REMOTE.match(url))


def parse_remote(url: str) -> tuple[str, str]:
    """``(host, "owner/name")`` from a remote URL, credentials dropped; host "" if local."""
    url = url.strip()
    m = _URL_REMOTE.match(url)
    if m and not url.startswith("file:"):
        host, path = m["host"], m["path"]
    elif (m2 := _SCP_REMOTE.match(url)) and not url.startswith(("/", ".", "~")):
        host, path = m2["host"], m2["path"]
    else:
        host, path = "", Path(url.rstrip("/")).name
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    # An ssh alias ("github-work:owner/repo") names no web host we could link to.
    if "." not in host:
        host = ""
    return host.lower(), path


def repo_root(path: Path) -> Path | None:
    """The top of the git work tree holding ``path``, or None."""
    folder = path if path.is_dir() else path.parent
    proc = run(folder, ["rev-parse", "--show-toplevel"], check=False, retries=0)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.strip())


def _remote_config(root: Path) -> tuple[str, list[str], list[str]]:
    """origin's URL (else the first remote's), and the clone's own user emails and names."""
    out = git(
        root,
        ["config", "--get-regexp", r"^(user\.(email|name)|remote\..*\.url)$"],
        check=False,
    )
    remotes: dict[str, str] = {}
    emails: list[str] = []
    names: list[str] = []
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        if key == "user.email":
            emails.append(value.strip())
        elif key == "user.name":
            names.append(value.strip())
        elif key.startswith("remote."):
            remotes[key[len("remote.") : -len(".url")]] = value.strip()
    url = remotes.get("origin") or next(iter(remotes.values()), "")
    return url, emails, names


# A clone of a clone of a mirror: follow local origins this many steps to a host.
_ORIGIN_HOPS = 4


def repo_info(root: Path) -> RepoInfo:
    """Identify and name a repository from its remote (``origin`` first).

    A local origin (a path, a ``file://`` URL) is followed to its own origin, so
    a clone of a local mirror of a GitHub project is that GitHub project."""
    url, emails, names = _remote_config(root)
    folder = root.name.removesuffix(".git") or root.name
    slug = (parse_remote(url)[1] if url else "") or folder
    here = root
    for _ in range(_ORIGIN_HOPS):
        if not url or is_hosted(url):
            break
        raw = url.removeprefix("file://")
        upstream = Path(raw).expanduser()
        if not upstream.is_absolute():
            upstream = (here / upstream).resolve()
        if not upstream.is_dir():
            break
        here = upstream
        url = _remote_config(upstream)[0]
    if url and is_hosted(url):
        host, hosted = parse_remote(url)
        name = hosted.rsplit("/", 1)[-1] or folder
        return RepoInfo(root, slug, name, host, emails, names, hosted)
    return RepoInfo(root, slug, folder, "", emails, names)


# -- file authorship ---------------------------------------------------------------


@dataclass
class Touch:
    """One commit's change to one file."""

    email: str
    name: str
    when: dt.datetime
    added: int


@dataclass
class FileHistory:
    """A file's commits, newest first (renames followed)."""

    touches: list[Touch] = field(default_factory=list)

    @property
    def first(self) -> Touch | None:
        return self.touches[-1] if self.touches else None

    def involvement(self, identity: Identity) -> str | None:
        """ "author" if the user created the file, "co-author" if they wrote a fair
        share of its lines, else None."""
        first = self.first
        if first is None:
            return None
        if identity.is_commit_author(first.email, first.name):
            return "author"
        total = sum(t.added for t in self.touches)
        mine = sum(t.added for t in self.touches if identity.is_commit_author(t.email, t.name))
        if total and mine / total >= CO_AUTHOR_SHARE:
            return "co-author"
        return None

    def people(self) -> list[str]:
        seen: dict[str, str] = {}
        for t in reversed(self.touches):
            seen.setdefault(t.email.lower(), t.name)
        return list(seen.values())


def file_histories(root: Path, under: Path | None = None) -> dict[str, FileHistory]:
    """History of every file below ``under`` in the repository at ``root``, keyed by
    its current path relative to ``root`` (POSIX). One ``git log`` process."""
    spec = "."
    if under is not None:
        rel = under.resolve().relative_to(root.resolve()).as_posix()
        spec = rel or "."
    out = git(
        root,
        [
            "log",
            "-z",
            "-M",
            "--numstat",
            "--no-merges",
            "--format=%x01%ae%x00%an%x00%aI",
            "--",
            spec,
        ],
        check=False,
    )
    histories: dict[str, FileHistory] = {}
    alias: dict[str, str] = {}  # older path -> the current path it was renamed to
    for record in out.split("\x01"):
        if not record:
            continue
        tokens = record.split("\0")
        if len(tokens) < 3:
            continue
        email, name, stamp = tokens[0], tokens[1], tokens[2]
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            continue
        rest = iter(tokens[3:])
        for token in rest:
            token = token.lstrip("\n")
            if not token:
                continue
            parts = token.split("\t")
            if len(parts) != 3:
                continue
            added_text, _deleted, path = parts
            if not path:  # a rename: old and new paths follow
                old, new = next(rest, ""), next(rest, "")
                # Older commits name the file by its old path: file them under the new one.
                target = alias.get(new, new)
                alias[old] = target
            else:
                target = alias.get(path, path)
            added = int(added_text) if added_text.isdigit() else 0
            histories.setdefault(target, FileHistory()).touches.append(
                Touch(email, name, when, added)
            )
    return histories


def involvement(
    identity: Identity, listed: dict[str, list[str]], history: FileHistory | None
) -> str | None:
    """The user's role in a document: the first role in ``listed`` (front matter
    people, e.g. ``{"author": [...], "responder": [...]}``) naming them. When the
    document lists nobody, its git history decides (created it, or wrote a fair
    share). Listed people are authoritative: whoever committed a file on behalf
    of its authors did not write it."""
    if any(listed.values()):
        for role, people in listed.items():
            if any(identity.is_person(p) for p in people):
                return role
        return None
    return history.involvement(identity) if history is not None else None


class HistoryCache:
    """File histories per repository, each read in one pass when first needed."""

    def __init__(self) -> None:
        self._histories: dict[tuple[Path, Path], dict[str, FileHistory]] = {}
        self._infos: dict[Path, RepoInfo] = {}
        self._bases: dict[Path, Path | None] = {}

    def root_for(self, file: Path, base: Path) -> Path | None:
        """The repository holding ``file`` found under the PATH ``base``: a nested
        clone (a folder with ``.git``) below ``base``, else ``base``'s own repository.
        Costs one git process per PATH, not per file."""
        folder = file.parent.resolve()
        top = base.resolve()
        while folder != top and top in folder.parents:
            if (folder / ".git").exists():
                return folder
            folder = folder.parent
        if top not in self._bases:
            self._bases[top] = repo_root(top)
        return self._bases[top]

    def info(self, root: Path) -> RepoInfo:
        if root not in self._infos:
            self._infos[root] = repo_info(root)
        return self._infos[root]

    def history(self, root: Path, file: Path, under: Path | None = None) -> FileHistory:
        """``file``'s history; ``under`` (the folder being imported) bounds the one
        ``git log`` pass, so a docs folder in a huge repository stays cheap."""
        scope = root
        if under is not None and under.resolve().is_relative_to(root.resolve()):
            scope = under.resolve() if under.is_dir() else under.resolve().parent
        key = (root, scope)
        if key not in self._histories:
            self._histories[key] = file_histories(root, scope)
        rel = file.resolve().relative_to(root.resolve()).as_posix()
        return self._histories[key].get(rel, FileHistory())
