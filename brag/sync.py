"""Sync the journal with a git remote: fetch, integrate, push. Git does the work.

Configuration (``brag.toml``)::

    [sync]
    auto = true   # add, edit, rm and import push after committing; a failed push only warns

The remote itself is git's ``origin`` (``brag remote set URL``): its URL lives
in ``.git/config``, which is never committed, and it is only ever shown with
credentials masked.

How ``brag sync`` integrates: fetch ``origin``; fast-forward when only the
remote moved; rebase the local commits onto the remote when both moved. One
file per entry means two machines adding entries never touch the same file.
Import cursors (``.brag/state/*.toml``) changed on both sides resolve to the
later cursor, and an entry that differs only in its ``created``/``updated``
stamps (the same pull request imported on both machines) to the newer copy.
An entry edited on both machines is a real conflict: the rebase is undone,
the remote is merged instead with *your* version kept in place and the other
machine's saved beside it as ``<name>.theirs.md`` (which the index ignores),
nothing is pushed, and the command stops naming the entry. ``brag check``
lists the conflict; ``brag edit ID`` resolves it; the next ``brag sync`` pushes.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import gitcmd, recovery
from .entry import Entry
from .errors import BragError, EntryError, JournalError

if TYPE_CHECKING:
    from .journal import Journal

REMOTE = "origin"
NETWORK_TIMEOUT = 180.0
THEIRS = ".theirs"
# Never prompt: an unattended job must fail, not hang on a password prompt.
NETWORK_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GCM_INTERACTIVE": "never",
    "GIT_SSH_VARIANT": "ssh",
    "LC_ALL": "C",
}
_QUIET_EDITOR = {"GIT_EDITOR": "true", "LC_ALL": "C"}
_AUTH_HINTS = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "permission denied",
    "401",
    "403",
    "access denied",
    "invalid credentials",
)

_UNREACHABLE_HINTS = (
    "connection refused",
    "failed to connect",
    "could not resolve host",
    "couldn't connect",
    "connection timed out",
    "network is unreachable",
    "no route to host",
)

Note = Callable[[str], None]


class SyncError(JournalError):
    """The remote could not be reached or the journal could not be integrated."""


class ConflictError(SyncError):
    """An entry was changed on both machines; both versions are kept."""

    def __init__(self, message: str, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(message)


@dataclass
class Conflict:
    path: str
    theirs: str
    entry_id: str = ""
    title: str = ""


@dataclass
class SyncResult:
    branch: str
    url: str
    pulled: int = 0
    pushed: int = 0
    notes: list[str] = field(default_factory=list)
    new_branch: bool = False

    def summary(self) -> str:
        if self.new_branch:
            return f"Pushed {self.pushed} commit(s) to {self.url} ({self.branch}, new)"
        if not (self.pulled or self.pushed):
            return f"Already in sync with {self.url} ({self.branch})"
        return f"Synced with {self.url} ({self.branch}): pulled {self.pulled}, pushed {self.pushed}"


# -- the remote ---------------------------------------------------------------------------


def remote_url(journal: Journal) -> str | None:
    proc = gitcmd.run(journal.root, ["config", "--get", f"remote.{REMOTE}.url"], check=False)
    url = proc.stdout.strip()
    return url or None


def has_credentials(url: str) -> bool:
    return gitcmd.redact(url) != url


def set_remote(journal: Journal, url: str) -> None:
    url = url.strip()
    if not url:
        raise SyncError("give the remote's URL, e.g. git@github.com:you/brag-journal.git")
    if remote_url(journal) is None:
        gitcmd.run(journal.root, ["remote", "add", REMOTE, url])
    else:
        gitcmd.run(journal.root, ["remote", "set-url", REMOTE, url])


def current_branch(root: Path) -> str:
    proc = gitcmd.run(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], check=False)
    if proc.returncode != 0:
        raise SyncError(
            "the journal's git HEAD is detached: run 'git switch main' (or your branch) "
            f"in {root}, then 'brag sync'"
        )
    return proc.stdout.strip()


def status(journal: Journal) -> dict[str, Any]:
    """What ``brag remote show`` prints: URL (masked), branch, and counts as of the last fetch."""
    url = remote_url(journal)
    info: dict[str, Any] = {"url": gitcmd.redact(url) if url else None}
    if url is None:
        return info
    branch = current_branch(journal.root)
    info["branch"] = branch
    tracking = f"refs/remotes/{REMOTE}/{_remote_branch(journal.root, branch)}"
    if not _ref_exists(journal.root, tracking):
        info["synced"] = False
        return info
    ahead, behind = _counts(journal.root, tracking)
    info.update(synced=True, ahead=ahead, behind=behind)
    info["conflicts"] = [c.theirs for c in conflicts(journal)]
    return info


# -- conflicts left for the user ----------------------------------------------------------


def theirs_path(rel: str) -> str:
    path = Path(rel)
    return path.with_name(path.stem + THEIRS + path.suffix).as_posix()


def conflicts(journal: Journal) -> list[Conflict]:
    """Files holding the other machine's side of a conflict, with the entry they belong to."""
    proc = gitcmd.run(
        journal.root, ["ls-files", "--others", "--exclude-standard", "-z"], check=False
    )
    found = []
    for rel in proc.stdout.split("\0"):
        name = rel.rsplit("/", 1)[-1]
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem.endswith(THEIRS):
            continue
        original = rel[: len(rel) - len(name)] + stem[: -len(THEIRS)] + "." + suffix
        conflict = Conflict(path=original, theirs=rel)
        if original.endswith(".md"):
            try:
                entry = journal.read_file(original)
                conflict.entry_id, conflict.title = entry.id, entry.title
            except (OSError, EntryError):
                pass
        found.append(conflict)
    return sorted(found, key=lambda c: c.path)


def resolve(journal: Journal, rel: str) -> str | None:
    """Drop the other machine's copy of ``rel`` (the user has merged it); its path, if any."""
    other = journal.root / theirs_path(rel)
    if other.exists():
        other.unlink()
        return theirs_path(rel)
    return None


# -- syncing ------------------------------------------------------------------------------


def sync(
    journal: Journal,
    note: Note | None = None,
    wait: float = 60.0,
    allow_deletions: bool = False,
) -> SyncResult:
    """Fetch, integrate and push.

    The journal's write lock is held alone only while the local branch changes
    (checks, integration), not while the network is slow: ``brag add`` never
    waits on a fetch or a push. Entries deleted outside brag's own commands
    beyond :func:`deletion_limit` are refused unless ``allow_deletions``.
    """
    root = journal.root
    with recovery.exclusive(journal, note, wait=wait):
        url = remote_url(journal)
        if url is None:
            raise SyncError("no remote set: run 'brag remote set URL' (a private git repository)")
        shown = gitcmd.redact(url)
        branch = current_branch(root)
        result = SyncResult(branch=branch, url=shown)
        _preflight(journal, result, allow_deletions)
    for _attempt in range(4):
        _fetch(root, shown)
        with recovery.exclusive(journal, note, wait=wait):
            target = _remote_branch(root, branch)
            tracking = f"refs/remotes/{REMOTE}/{target}"
            if not _ref_exists(root, tracking):
                result.pushed = _count(root, "HEAD")
                result.new_branch = True
            else:
                ahead, behind = _counts(root, tracking)
                if behind:
                    # Local history changes here: Ctrl-C waits until it is consistent.
                    with recovery.uninterruptible():
                        if ahead:
                            _integrate(journal, tracking, result)
                        else:
                            gitcmd.run(
                                root,
                                ["merge", "--ff-only", "--quiet", tracking],
                                env=_QUIET_EDITOR,
                            )
                    result.pulled += behind
                    journal._changed()
                ahead = _count(root, f"{tracking}..HEAD")
                if not ahead:
                    return result
                if not allow_deletions:
                    _check_committed_deletions(root, tracking)
        if _push(root, shown, branch, target):
            if not result.new_branch:
                result.pushed = ahead
            return result
        # Someone pushed between our fetch and our push: integrate again.
    raise SyncError(f"{shown} kept changing while brag pushed to it: run 'brag sync' again")


def auto_sync(journal: Journal, warn: Note) -> SyncResult | None:
    """After a change: sync if ``[sync] auto = true`` and a remote is set; failures only warn."""
    section = journal.config.get("sync")
    if not (isinstance(section, dict) and section.get("auto") is True):
        return None
    if remote_url(journal) is None:
        return None
    try:
        return sync(journal, note=warn, wait=15.0)
    except BragError as exc:
        warn(
            f"auto-sync failed: {gitcmd.redact(str(exc))} (your change is committed "
            "locally; run 'brag sync' to retry)"
        )
        return None


def deletion_limit(total: int) -> float:
    """Most entries that may vanish outside brag's commands in one sync.

    More than 20% of the journal's entries or more than 25, whichever is
    smaller, is refused without ``--allow-deletions`` (one file alone is never
    a mass deletion).
    """
    return max(1, min(25, 0.2 * total))


def _entry_count(root: Path, rev: str) -> int:
    out = gitcmd.run(root, ["ls-tree", "-r", "--name-only", rev, "--", "entries"], check=False)
    return sum(1 for line in out.stdout.splitlines() if line.endswith(".md"))


def _check_hand_deletions(journal: Journal, changed: list[str]) -> None:
    """Refuse to commit many entry files removed by hand (``rm -rf entries``)."""
    root = journal.root
    gone = [rel for rel in changed if not (root / rel).exists()]
    if not gone:
        return
    total = _entry_count(root, "HEAD")
    if len(gone) <= deletion_limit(total):
        return
    others = [rel for rel in changed if (root / rel).exists()]
    if others:
        restore = (
            f"git -C {root} ls-files --deleted -z -- entries | "
            f"xargs -0 git -C {root} checkout HEAD --"
        )
    else:
        restore = f"git -C {root} checkout HEAD -- entries"
    raise SyncError(
        f"{len(gone)} of {total} entries were deleted outside brag (not with 'brag rm'), "
        f"e.g. {gone[0]}; nothing was committed or pushed. Restore them with '{restore}', "
        "or run 'brag sync --allow-deletions' if you meant to delete them everywhere"
    )


def _check_committed_deletions(root: Path, tracking: str) -> None:
    """Refuse to push commits not made by brag that delete many entries."""
    out = gitcmd.run(
        root,
        [
            "log",
            "--format=%x1e%H %s",
            "--name-only",
            "--diff-filter=D",
            f"{tracking}..HEAD",
            "--",
            "entries",
        ],
        check=False,
    ).stdout
    gone: list[str] = []
    commits: list[str] = []
    for block in out.split("\x1e"):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        sha, _, subject = lines[0].partition(" ")
        if subject.startswith(("brag: rm ", "brag: drop ")):
            continue  # deliberate deletions through brag's own commands
        paths = [ln for ln in lines[1:] if ln.endswith(".md")]
        if paths:
            gone += paths
            commits.append(sha)
    if not gone:
        return
    # Entries restored since (a revert, a checkout) are not gone.
    present = set(
        gitcmd.run(
            root, ["ls-tree", "-r", "--name-only", "HEAD", "--", "entries"], check=False
        ).stdout.splitlines()
    )
    gone = sorted({rel for rel in gone if rel not in present})
    total = _entry_count(root, tracking)
    if len(gone) <= deletion_limit(total):
        return
    reverts = " && ".join(f"git -C {root} revert --no-edit {sha[:12]}" for sha in commits[:3])
    raise SyncError(
        f"{len(gone)} of {total} entries are deleted by commits not made by brag, e.g. "
        f"{gone[0]}; nothing was pushed. Restore them with '{reverts}', or run "
        "'brag sync --allow-deletions' if you meant to delete them everywhere"
    )


def _preflight(journal: Journal, result: SyncResult, allow_deletions: bool = False) -> None:
    """Refuse while a conflict is unresolved; commit hand edits; refuse other changes."""
    root = journal.root
    pending = conflicts(journal)
    if pending:
        c = pending[0]
        how = f"'brag edit {c.entry_id}'" if c.entry_id else "editing it"
        raise SyncError(
            f"{c.theirs} still holds the other machine's version of {c.path}: merge it with "
            f"{how} (or delete {c.theirs} to keep yours), then run 'brag sync' again"
        )
    _commit_hand_edits(journal, result, allow_deletions)
    dirty = _dirty_tracked(root)
    if dirty:
        raise SyncError(
            f"uncommitted changes in {', '.join(dirty[:3])}: commit or discard them, "
            "then run 'brag sync' again"
        )


def _commit_hand_edits(journal: Journal, result: SyncResult, allow_deletions: bool = False) -> None:
    """Entries changed, added or deleted by hand travel with the sync: commit them first.

    A file that does not parse is not committed; sync stops and names it. Many
    files deleted by hand stop it too (see :func:`deletion_limit`).
    """
    root = journal.root
    changed = journal.uncommitted_entries()
    if not changed:
        return
    if not allow_deletions:
        _check_hand_deletions(journal, changed)
    for rel in changed:
        if (root / rel).exists():
            try:
                journal.read_file(rel)
            except EntryError as exc:
                raise SyncError(
                    f"{exc}: fix it (see 'brag check') or move it away, then run 'brag sync' again"
                ) from None
    n = len(changed)
    gitcmd.commit_paths(
        root,
        f"brag: commit {n} {'entry' if n == 1 else 'entries'} edited by hand",
        add=changed,  # git add stages new, changed and deleted files alike
    )
    result.notes.append(f"committed {n} entry file(s) changed by hand: {', '.join(changed[:3])}")
    journal._changed()


def _fetch(root: Path, shown: str) -> None:
    proc = gitcmd.run(
        root,
        ["fetch", "--quiet", "--prune", REMOTE],
        check=False,
        env=NETWORK_ENV,
        timeout=NETWORK_TIMEOUT,
        retries=0,
    )
    if proc.returncode != 0:
        raise SyncError(_network_message("fetch from", shown, proc.stderr, proc.returncode))


def _remote_branch(root: Path, branch: str) -> str:
    """The remote branch to sync ``branch`` with: the same name, else the remote's only one.

    One machine's git may call the first branch ``master`` and another's ``main``;
    a journal has one line of history, so they are the same journal.
    """
    if _ref_exists(root, f"refs/remotes/{REMOTE}/{branch}"):
        return branch
    prefix = f"refs/remotes/{REMOTE}/"
    names = [
        ref.removeprefix(prefix)
        for ref in gitcmd.run(root, ["for-each-ref", "--format=%(refname)", prefix]).stdout.split()
        if ref != prefix + "HEAD"
    ]
    if len(names) == 1:
        return names[0]
    if not names:
        return branch  # an empty remote: push creates it
    raise SyncError(
        f"the remote has branches {', '.join(sorted(names))} but not {branch}: switch to the "
        f"journal's branch (git switch NAME in {root}), then run 'brag sync' again"
    )


def _push(root: Path, shown: str, branch: str, target: str) -> bool:
    """Push ``branch`` to ``target``; False if the remote moved on (a non-fast-forward)."""
    proc = gitcmd.run(
        root,
        ["push", "--quiet", "--set-upstream", REMOTE, f"refs/heads/{branch}:refs/heads/{target}"],
        check=False,
        env=NETWORK_ENV,
        timeout=NETWORK_TIMEOUT,
        retries=0,
    )
    if proc.returncode == 0:
        return True
    text = proc.stderr.lower()
    if "rejected" in text and ("fetch first" in text or "non-fast-forward" in text):
        return False
    if "hook declined" in text or "[remote rejected]" in text or "! [rejected]" in text:
        raise SyncError(_rejected_message(shown, proc.stderr))
    raise SyncError(_network_message("push to", shown, proc.stderr, proc.returncode, pushed=False))


def _rejected_message(shown: str, stderr: str) -> str:
    """The remote answered and said no (a server hook, a protected branch): show its words."""
    lines = [ln.strip() for ln in gitcmd.redact(stderr).splitlines() if ln.strip()]
    server = [
        ln.removeprefix("remote:").strip()
        for ln in lines
        if ln.startswith("remote:") and ln.removeprefix("remote:").strip()
    ]
    rejected = [ln for ln in lines if "rejected]" in ln or "declined" in ln]
    said = "; ".join(dict.fromkeys(server)) or "; ".join(rejected[:1]) or "no reason given"
    return (
        f"the remote {shown} refused the push: {said}. Your entries are committed locally; "
        "fix what the server asks, then run 'brag sync' again"
    )


def _network_message(
    what: str, shown: str, stderr: str, code: int, pushed: bool | None = None
) -> str:
    lines = [ln.strip() for ln in gitcmd.redact(stderr).splitlines() if ln.strip()]
    useful = [
        ln.removeprefix("fatal: ").removeprefix("error: ")
        for ln in lines
        if ln.startswith(("fatal:", "error:", "remote:")) or "errno" in ln.lower()
    ] or lines[-1:]
    reason = "; ".join(dict.fromkeys(useful)) or f"git exited with {code}"
    # Judge by git's words, not by the URL it quotes: a host, port or path with
    # "401" in it says nothing about authentication, and a refused connection
    # never reached a server that could have asked for credentials.
    lowered = re.sub(r"'[^']*'|\S+://\S+", " ", reason.lower())
    unreachable = any(hint in lowered for hint in _UNREACHABLE_HINTS)
    if not unreachable and any(re.search(rf"\b{re.escape(h)}\b", lowered) for h in _AUTH_HINTS):
        kind = "authentication failed"
        fix = (
            "set up a git credential helper, 'gh auth login' or an ssh key (brag never "
            "stores passwords)"
        )
    else:
        kind = "could not reach the remote"
        fix = "check the network and the URL ('brag remote show')"
    kept = "Your entries are committed locally" if pushed is False else "Nothing changed locally"
    return f"{kind}: could not {what} {shown} ({reason}). {kept}; {fix}, then run 'brag sync' again"


def _integrate(journal: Journal, tracking: str, result: SyncResult) -> None:
    root = journal.root
    has_base = gitcmd.run(root, ["merge-base", "HEAD", tracking], check=False).returncode == 0
    try:
        if has_base and _rebase(journal, tracking, result):
            return
        found = _merge(journal, tracking, has_base, result)
    except BaseException:
        # Interrupted (Ctrl-C) or failed: never leave git mid-rebase or mid-merge.
        gd = recovery.git_dir(root)
        if _rebasing(gd):
            gitcmd.run(root, ["rebase", "--abort"], check=False)
        if (gd / "MERGE_HEAD").exists():
            gitcmd.run(root, ["merge", "--abort"], check=False)
        raise
    if found:
        raise ConflictError(_conflict_message(found), found)


def _rebase(journal: Journal, tracking: str, result: SyncResult) -> bool:
    """Rebase local commits onto ``tracking``, resolving what is safe; False if it could not."""
    root = journal.root
    gd = recovery.git_dir(root)
    proc = gitcmd.run(
        root,
        ["-c", "rebase.autoStash=false", "rebase", "--quiet", tracking],
        check=False,
        env=_QUIET_EDITOR,
    )
    if proc.returncode != 0 and not _rebasing(gd):
        raise SyncError(f"git rebase failed: {_last_line(proc.stderr)}; nothing was changed")
    for _step in range(10_000):
        if not _rebasing(gd):
            return True
        unmerged = _unmerged(root)
        from .testpoints import pause

        pause("sync-rebasing")
        for path, stages in unmerged.items():
            resolution = _auto_resolve(root, path, stages, local=3)
            if resolution is None:
                gitcmd.run(root, ["rebase", "--abort"], check=False)
                return False
            _apply(root, path, resolution, result)
        step = gitcmd.run(root, ["rebase", "--continue"], check=False, env=_QUIET_EDITOR)
        if step.returncode != 0 and _rebasing(gd) and not _unmerged(root):
            # The replayed commit became empty after resolution: drop it.
            gitcmd.run(root, ["rebase", "--skip"], check=False, env=_QUIET_EDITOR)
    gitcmd.run(root, ["rebase", "--abort"], check=False)
    return False


def _merge(journal: Journal, tracking: str, has_base: bool, result: SyncResult) -> list[Conflict]:
    """Merge ``tracking``: safe resolutions applied, real conflicts keep ours + save theirs."""
    root = journal.root
    gd = recovery.git_dir(root)
    args = ["merge", "--quiet", "--no-ff", "--no-commit", tracking]
    if not has_base:
        args.insert(1, "--allow-unrelated-histories")
    proc = gitcmd.run(root, args, check=False, env=_QUIET_EDITOR)
    if proc.returncode != 0 and not (gd / "MERGE_HEAD").exists():
        raise SyncError(f"git merge failed: {_last_line(proc.stderr)}; nothing was changed")
    found: list[Conflict] = []
    theirs_files: dict[str, str] = {}
    try:
        for path, stages in _unmerged(root).items():
            resolution = _auto_resolve(root, path, stages, local=2)
            if resolution is not None:
                _apply(root, path, resolution, result)
                continue
            ours, theirs = _blob(root, stages.get(2)), _blob(root, stages.get(3))
            conflict = Conflict(path=path, theirs=theirs_path(path))
            keep = ours if ours is not None else theirs
            assert keep is not None  # a path with neither side is not unmerged
            if ours is not None and theirs is not None:
                theirs_files[conflict.theirs] = theirs
                try:
                    entry = Entry.from_markdown(ours, path)
                    conflict.entry_id, conflict.title = entry.id, entry.title
                except EntryError:
                    pass
                found.append(conflict)
            _apply(root, path, _Resolution(keep), result)
        message = f"brag: sync with {REMOTE}"
        if found:
            message += f"; kept the local version of {len(found)} file(s) changed on both sides"
        gitcmd.run(root, ["commit", "--quiet", "--no-verify", "-m", message], env=_QUIET_EDITOR)
    except BaseException:
        gitcmd.run(root, ["merge", "--abort"], check=False)
        raise
    # Only once the merge is committed: an interrupted merge leaves no stray copies.
    for rel, text in theirs_files.items():
        _write(root / rel, text)
    return found


def _conflict_message(found: list[Conflict]) -> str:
    first = found[0]
    name = f'entry {first.entry_id} "{first.title}"' if first.entry_id else first.path
    fix = f"'brag edit {first.entry_id}'" if first.entry_id else f"editing {first.path}"
    more = f" (and {len(found) - 1} more: see 'brag check')" if len(found) > 1 else ""
    return (
        f"{name} ({first.path}) was changed on both machines{more}: your version is kept "
        f"and the other is saved as {first.theirs}; merge what you want with {fix}, "
        "then run 'brag sync' to push"
    )


# -- resolving a single path --------------------------------------------------------------


@dataclass
class _Resolution:
    text: str | None  # None: the path is deleted
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # more files to add


def _free_path(root: Path, rel: str) -> str:
    path = Path(rel)
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}").as_posix()
        if not (root / candidate).exists():
            return candidate
    raise SyncError(f"no free file name next to {rel}")


def _auto_resolve(root: Path, path: str, stages: dict[int, str], local: int) -> _Resolution | None:
    """A safe resolution for ``path``, or None when a person has to decide.

    ``local`` is the stage holding this machine's side (3 while rebasing, 2 while merging).
    """
    remote = 5 - local
    mine, other = _blob(root, stages.get(local)), _blob(root, stages.get(remote))
    if path.startswith(".brag/state/") and path.endswith(".toml"):
        if mine is None or other is None:
            return _Resolution(mine if mine is not None else other)
        return _Resolution(_merge_state(mine, other))
    if path.startswith("entries/") and path.endswith(".md"):
        if mine is None or other is None:
            kept = mine if mine is not None else other
            return _Resolution(
                kept, f"kept {path}: it was removed on one machine and edited on the other"
            )
        try:
            a, b = Entry.from_markdown(mine, path), Entry.from_markdown(other, path)
        except EntryError:
            return None
        if a.id != b.id:
            # Two different entries that got the same file name (same title, same day):
            # the remote's keeps the name, this machine's moves to the next free one.
            moved = _free_path(root, path)
            return _Resolution(
                other,
                f"moved entry {a.id} to {moved}: the other machine used its file name",
                extra={moved: mine},
            )
        if _without_stamps(a) == _without_stamps(b):
            mine_newer = (a.updated or a.created or _MIN) >= (b.updated or b.created or _MIN)
            return _Resolution(mine if mine_newer else other)
    return None


_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


def _without_stamps(entry: Entry) -> dict[str, Any]:
    data = entry.to_dict()
    for key in ("created", "updated", "path"):
        data.pop(key, None)
    return data


def _merge_state(mine: str, other: str) -> str:
    """Two machines' versions of a state file, merged key by key.

    Lists (like the keys of removed imports) are united, dates take the later
    one, tables merge recursively, and any other value comes from the side
    whose cursor is later (ties: this machine's).
    """
    import tomli_w

    try:
        a, b = tomllib.loads(mine), tomllib.loads(other)
    except tomllib.TOMLDecodeError:
        return mine
    return tomli_w.dumps(_merge_values(a, b, _cursor_key(b) > _cursor_key(a)))


def _merge_values(a: dict[str, Any], b: dict[str, Any], b_later: bool) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in [*a, *(k for k in b if k not in a)]:
        if key not in b or key not in a:
            merged[key] = a[key] if key in a else b[key]
            continue
        x, y = a[key], b[key]
        if isinstance(x, list) and isinstance(y, list):
            merged[key] = sorted({*map(str, x), *map(str, y)})
        elif isinstance(x, dict) and isinstance(y, dict):
            merged[key] = _merge_values(x, y, b_later)
        elif isinstance(x, dt.date) and type(x) is type(y):
            merged[key] = max(x, y)
        else:
            merged[key] = y if b_later else x
    return merged


def _cursor_key(data: dict[str, Any]) -> str:
    """A sortable form of the latest date in a state file (``until`` first)."""
    values = [data["until"]] if "until" in data else list(data.values())
    stamps = [v for v in values if isinstance(v, (dt.date, dt.datetime))]
    if not stamps:
        return ""
    return max(v.isoformat() for v in stamps)


def _apply(root: Path, path: str, resolution: _Resolution, result: SyncResult) -> None:
    if resolution.text is None:
        gitcmd.run(root, ["rm", "--quiet", "--force", "--", path])
    else:
        _write(root / path, resolution.text)
        gitcmd.run(root, ["add", "--", path])
    for extra, text in resolution.extra.items():
        _write(root / extra, text)
        gitcmd.run(root, ["add", "--", extra])
    if resolution.note:
        result.notes.append(resolution.note)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


# -- small git queries --------------------------------------------------------------------


def _unmerged(root: Path) -> dict[str, dict[int, str]]:
    proc = gitcmd.run(root, ["ls-files", "--unmerged", "-z"])
    found: dict[str, dict[int, str]] = {}
    for item in proc.stdout.split("\0"):
        if not item:
            continue
        meta, _, path = item.partition("\t")
        _mode, sha, stage = meta.split()
        found.setdefault(path, {})[int(stage)] = sha
    return found


def _blob(root: Path, sha: str | None) -> str | None:
    if sha is None:
        return None
    return gitcmd.run(root, ["cat-file", "blob", sha]).stdout


def _rebasing(gd: Path) -> bool:
    return (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists()


def _ref_exists(root: Path, ref: str) -> bool:
    return gitcmd.run(root, ["rev-parse", "--verify", "--quiet", ref], check=False).returncode == 0


def _count(root: Path, spec: str) -> int:
    proc = gitcmd.run(root, ["rev-list", "--count", spec], check=False)
    return int(proc.stdout.strip() or 0) if proc.returncode == 0 else 0


def _counts(root: Path, tracking: str) -> tuple[int, int]:
    out = gitcmd.run(root, ["rev-list", "--left-right", "--count", f"HEAD...{tracking}"]).stdout
    ahead, behind = (int(n) for n in out.split())
    return ahead, behind


def _dirty_tracked(root: Path) -> list[str]:
    proc = gitcmd.run(root, ["status", "--porcelain", "-z", "--untracked-files=no"])
    return [item[3:] for item in proc.stdout.split("\0") if len(item) > 3]


def _last_line(text: str) -> str:
    lines = [ln for ln in gitcmd.redact(text).splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "unknown error"


# -- init --remote ------------------------------------------------------------------------


def init_with_remote(journal: Journal, url: str, note: Note | None = None) -> str:
    """``brag init --remote URL``: clone a journal, or connect a local one and sync it."""
    root = journal.root
    shown = gitcmd.redact(url)
    cloned = False
    if not journal.exists() and (not root.exists() or not any(root.iterdir())):
        root.parent.mkdir(parents=True, exist_ok=True)
        proc = gitcmd.run(
            root.parent,
            ["clone", "--quiet", url, str(root)],
            check=False,
            env=NETWORK_ENV,
            timeout=NETWORK_TIMEOUT,
            retries=0,
        )
        if proc.returncode != 0:
            raise SyncError(_network_message("clone", shown, proc.stderr, proc.returncode))
        cloned = True
    journal.init()
    if not cloned:
        set_remote(journal, url)
    result = sync(journal, note=note)
    if cloned and not result.new_branch:
        return f"Cloned the journal from {shown} into {root}"
    return f"Journal at {root} is connected to {shown}. {result.summary()}"
