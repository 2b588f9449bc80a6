"""The git-backed store: find the journal, read entries, write atomically, commit.

The journal never knows where an entry came from: the CLI and importers hand it
:class:`~brag.entry.Entry` objects; it decides the file name, writes the file
atomically, and records exactly that file in one git commit.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import early, gitcmd, recovery, secrets
from .entry import Entry, new_id, now
from .errors import ConfigError, EntryError, JournalError, NotFoundError
from .index import Broken, Index, read_head

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


CONFIG_NAME = early.CONFIG_NAME
ENTRIES_DIR = "entries"
STATE_DIR = ".brag/state"
REMOVED_STATE = "removed-imports"

DEFAULT_CONFIG: dict[str, Any] = {
    "user": {"name": "", "emails": [], "level": "", "target_level": ""},
}

JOURNAL_README = """\
# My brag journal

This is a [brag](https://pypi.org/project/brag-journal/) journal: a record of
what I shipped and why it mattered.

- `entries/YYYY/MM/*.md`: one accomplishment per file, TOML front matter
  between `+++` lines, then Markdown. Edit by hand or with `brag edit ID`.
- `brag.toml`: settings (`brag config --help`).
- `templates/`: optional overrides for export templates.

Everything here is plain text in git: the history is the audit trail.
"""


def default_location() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("brag", appauthor=False))


def find_enclosing(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``brag.toml`` and ``.git``."""
    found = early.find_enclosing(start)
    return Path(found) if found is not None else None


def locate(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Where the journal is: ``--dir``, ``$BRAG_DIR``, the enclosing journal, this
    machine's default (``brag config --machine journal``), the data folder."""
    return where(explicit, cwd)[0]


def where(
    explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> tuple[Path, str]:
    """:func:`locate`, and how it was found (see :func:`brag.early.where`)."""
    root, how = early.where(explicit, str(cwd) if cwd is not None else None)
    return Path(root), how


def ensure_for_writing(journal: Journal, explicit: str | None = None) -> str | None:
    """Create ``journal`` if a first write needs it; return what to tell the user.

    The very first journal on a machine is created where brag looks by default,
    nothing to configure first. A default journal that has gone missing is never
    silently replaced by a new, empty one.
    """
    if journal.exists():
        return None
    root, how = where(explicit)
    if how == "machine" and root == journal.root:
        raise JournalError(
            f"your default journal {root} is missing (brag config --machine journal): "
            f"restore it, or choose another with 'brag config --machine journal PATH'"
        )
    journal.init()
    if how == "default" and root == journal.root:
        return (
            f"Created your journal at {journal.root} (the default on this machine; "
            "'brag init PATH' puts one elsewhere)"
        )
    return f"Created a new journal at {journal.root}"


@dataclass
class ImportResult:
    """What one import run did (or, with ``dry_run``, would do)."""

    source: str
    added: list[Entry] = field(default_factory=list)
    present: list[Entry] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    dry_run: bool = False
    commit: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "added": len(self.added),
            "present": len(self.present),
            "skipped": [{"item": what, "reason": why} for what, why in self.skipped],
            "dry_run": self.dry_run,
            "entries": [
                {"id": e.id, "date": e.date.isoformat(), "title": e.title, "path": e.path}
                for e in self.added
            ],
        }


# brag.toml as parsed and checked, kept beside the index (never in the journal) with
# the text it came from: a command whose brag.toml has not changed reads it back
# instead of importing the TOML parser and the settings' schema. The key holds
# brag's version and the schema module's own stamp, so a new brag checks again.
_CONFIG_KEPT = "config.marshal"


def _config_stamp() -> tuple[str, int, int]:
    from . import __version__

    try:
        st = os.stat(os.path.join(os.path.dirname(__file__), "config.py"))
    except OSError:
        return (__version__, 0, 0)
    return (__version__, st.st_mtime_ns, st.st_size)


def _kept_config(root: Path, text: str) -> tuple[dict[str, Any], list[str]] | None:
    """brag.toml's settings and warnings as kept for exactly ``text``, or None."""
    import marshal

    try:
        with open(os.path.join(root, ".git", "brag", _CONFIG_KEPT), "rb") as f:
            stamp, kept_text, data, warnings = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if kept_text != text or tuple(stamp) != _config_stamp():
        return None
    if not isinstance(data, dict) or not isinstance(warnings, list):
        return None
    return data, warnings


def _keep_config(root: Path, text: str, data: dict[str, Any], warnings: list[str]) -> None:
    """Keep a checked brag.toml for the next command; quietly nothing when the
    values are not plain (a TOML date) or the folder cannot be written."""
    import marshal

    folder = os.path.join(root, ".git", "brag")
    if not os.path.isdir(os.path.join(root, ".git")):
        return  # a worktree's .git is a file: nowhere private to keep it
    try:
        blob = marshal.dumps((_config_stamp(), text, data, warnings))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = temp_file(Path(folder))
    except (OSError, ValueError):
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, os.path.join(folder, _CONFIG_KEPT))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


class Journal:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._config: dict[str, Any] | None = None
        self._index: Index | None = None
        #: Unknown keys found in brag.toml when it was read (another brag may know them).
        self.config_warnings: list[str] = []
        self.on_saved: list[Any] = []  # callables(entry, journal) run after each commit

    # -- existence and set-up ----------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def exists(self) -> bool:
        return self.config_path.is_file()

    def check_usable(self, check_config: bool = True) -> None:
        """Raise a clear :class:`JournalError` unless the journal can be read and written."""
        if not self.root.exists():
            raise JournalError(f"no journal at {self.root}: run 'brag init {self.root}'")
        if not (self.root / ".git").exists():
            raise JournalError(
                f"{self.root} is not a git repository: run 'brag init {self.root}' to make it "
                "a journal"
            )
        if not self.exists():
            raise JournalError(
                f"{self.root} has no {CONFIG_NAME}: run 'brag init {self.root}' to make it a "
                "journal"
            )
        if check_config:
            self.config  # noqa: B018 - parse now so a syntax error is reported first
        recovery.heal(self)  # a killed writer's leftovers: repaired before anything reads

    def init(self) -> bool:
        """Create the repository, ``brag.toml`` and README; False if it was already a journal."""
        if self.exists() and (self.root / ".git").exists():
            return False
        import git
        import tomli_w

        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / ".git").exists():
            repo = git.Repo.init(self.root)
        else:
            repo = git.Repo(self.root)
        with repo.config_reader() as reader:
            has_email = reader.has_option("user", "email")
        if not has_email and not os.environ.get("GIT_AUTHOR_EMAIL"):
            # A fresh machine often has no git identity; without one every
            # commit would fail. Give this repository a local one.
            import getpass

            user = getpass.getuser() or "brag"
            with repo.config_writer() as writer:
                writer.set_value("user", "name", user)
                writer.set_value("user", "email", f"{user}@localhost")
        written = []
        if not self.config_path.exists():
            self._atomic_write(self.config_path, tomli_w.dumps(DEFAULT_CONFIG))
            written.append(CONFIG_NAME)
        readme = self.root / "README.md"
        if not readme.exists():
            self._atomic_write(readme, JOURNAL_README)
            written.append("README.md")
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            self._atomic_write(gitignore, "*.tmp\n.brag-*.tmp\n")
            written.append(".gitignore")
        if written:
            gitcmd.commit_paths(self.root, "brag: init journal", add=written)
        self._config = None
        return True

    # -- configuration -----------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        if self._config is None:
            self._config = self._read_config()
        return self._config

    def _read_config(self, validate: bool = True) -> dict[str, Any]:
        """brag.toml, parsed and (with ``validate``) checked against :data:`brag.config.JOURNAL`:
        a wrong type raises :class:`ConfigError` naming the file and line; unknown keys
        are collected in :attr:`config_warnings`."""
        text = self._config_text()
        if text is None:
            return {}
        kept = _kept_config(self.root, text) if validate else None
        if kept is not None:
            data, warnings = kept
        else:
            import tomllib

            try:
                data, warnings = tomllib.loads(text), None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{self.config_path}: {exc}") from None
        # A token pasted into brag.toml is never printed: register its value for masking.
        secrets.register_config(data)
        if validate and warnings is None:
            from .config import JOURNAL

            warnings = JOURNAL.validate(data, text, self.config_path)
        secrets.refuse_url_credentials(data)
        if validate:
            self.config_warnings = warnings or []
            if kept is None:
                _keep_config(self.root, text, data, self.config_warnings)
        return data

    def _config_text(self) -> str | None:
        try:
            return self.config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {self.config_path}: {exc}") from None

    def config_get(self, key: str) -> Any:
        from .config import get

        try:
            return get(self.config, key)
        except KeyError:
            raise ConfigError(f"{key} is not set") from None

    def config_set(self, key: str, value: Any) -> bool:
        """Set ``key`` and commit brag.toml; False (nothing written) when it already had
        ``value``. A file that cannot be committed is restored, never left changed."""
        from .config import set_in

        parts = key.split(".")
        if not all(parts):
            raise ConfigError(f"bad config key {key!r}: use section.name, like user.name")
        secrets.refuse_url_credentials(value, key)
        data = self._read_config(validate=False)
        if not set_in(data, key, value):
            return False
        self._write_config(data, f"brag: config {key}")
        return True

    def config_unset(self, key: str) -> bool:
        """Remove ``key`` and commit brag.toml; False (nothing written) when it was not set."""
        from .config import unset_in

        data = self._read_config(validate=False)
        if not unset_in(data, key):
            return False
        self._write_config(data, f"brag: config unset {key}")
        return True

    def _write_config(self, data: dict[str, Any], message: str) -> None:
        import tomli_w

        before = self._config_text()
        self._atomic_write(self.config_path, tomli_w.dumps(data))
        try:
            gitcmd.commit_paths(self.root, message, paths=[CONFIG_NAME])
        except BaseException:
            if before is None:
                _unlink_quietly(self.config_path)
            else:
                self._atomic_write(self.config_path, before)
            # The failed commit may have staged the new text: unstage it too.
            gitcmd.run(self.root, ["reset", "-q", "--", CONFIG_NAME], check=False)
            raise
        self._config = data

    def config_uncommitted(self) -> bool:
        """Whether brag.toml differs from what is committed (or is not committed at all)."""
        proc = gitcmd.run(
            self.root, ["status", "--porcelain", "--untracked-files=all", "--", CONFIG_NAME]
        )
        return bool(proc.stdout.strip())

    # -- state kept in the journal (import cursors, last 1:1 export) --------

    def state_path(self, key: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in key)
        return self.root / STATE_DIR / f"{safe}.toml"

    def read_state(self, key: str) -> dict[str, Any]:
        import tomllib

        try:
            return tomllib.loads(self.state_path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return {}

    def write_state(self, key: str, data: dict[str, Any], commit: bool = True) -> str:
        """Write a state file; return its journal-relative path."""
        import tomli_w

        path = self.state_path(key)
        rel = path.relative_to(self.root).as_posix()
        self._refuse_links(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        recovery.announce(self.root, rel)
        self._atomic_write(path, tomli_w.dumps(data))
        if commit:
            gitcmd.commit_paths(self.root, f"brag: remember {key}", add=[rel])
        return rel

    # -- reading -------------------------------------------------------------

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.root)
        return self._index

    def entries(self, **query: Any) -> Iterator[Entry]:
        """Entries matching ``query`` (see :meth:`Index.query`), newest first."""
        return self.index.query(**query)

    def entries_keyed(self, **query: Any) -> list[tuple[Entry, bytes, bool]]:
        """:meth:`entries`, each with its content digest and whether it is alone
        (see :meth:`Index.query_keyed`)."""
        return self.index.query_keyed(**query)

    def broken(self) -> list[Broken]:
        return self.index.broken()

    def get(self, prefix: str) -> Entry:
        prefix = prefix.strip()
        if not prefix:
            raise NotFoundError("give an entry id (or a unique prefix of one)")
        matches = self.index.by_id_prefix(prefix)
        if not matches:
            raise NotFoundError(f"no entry with id starting '{prefix}' (see 'brag list')")
        exact = [e for e in matches if e.id == prefix]
        if len(exact) == 1:
            return exact[0]
        if len(matches) > 1:
            shown = ", ".join(f"{e.id} ({_short(e.title, 30)})" for e in matches[:5])
            raise NotFoundError(f"id prefix '{prefix}' is ambiguous: {shown}")
        return matches[0]

    def read_file(self, rel: str) -> Entry:
        path = self.root / rel
        try:
            # newline="": a body's "\r\n" must read back as written (the index does the same).
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            raise EntryError(f"not UTF-8 text ({exc.reason})", rel) from None
        return Entry.from_markdown(text, rel)

    # -- writing -------------------------------------------------------------

    def _atomic_write(self, path: Path, text: str, sync: bool = True) -> None:
        """Write via a temp file in the same folder and rename: never a torn file.

        ``sync=False`` leaves flushing to the caller (see :func:`_sync_files`)."""
        self._refuse_links(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
            from .testpoints import pause

            pause("before-rename")
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def _refuse_links(self, path: Path) -> None:
        """Never write through a symbolic link inside the journal.

        Files arrive from other machines through sync; a link committed there
        (``.brag/state -> /elsewhere``) must not make brag write outside the journal.
        """
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return
        current = self.root
        for part in rel.parts:
            current = current / part
            if current.is_symlink():
                raise JournalError(
                    f"refusing to write {rel.as_posix()}: "
                    f"{current.relative_to(self.root).as_posix()} is a symbolic link, and brag "
                    "never writes through links inside the journal (replace it with a folder "
                    "or file)"
                )

    def _place(self, entry: Entry) -> str:
        """Choose a free path for a new entry and create it exclusively.

        ``O_EXCL`` makes the choice race-free between concurrent processes: a
        second ``brag add`` with the same title on the same day gets ``-2``.
        """
        for suffix in range(1, 10_000):
            rel = entry.default_path(suffix)
            path = self.root / rel
            if suffix == 1:
                self._refuse_links(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            recovery.announce(self.root, rel)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o644)
            except FileExistsError:
                continue
            os.close(fd)
            return rel
        raise JournalError(f"too many entries named {entry.default_path()}")

    def _prepare_new(self, entry: Entry, taken: set[str] | None = None) -> None:
        stamp = now()
        entry.created = entry.created or stamp
        entry.updated = entry.updated or entry.created
        while self.index.id_exists(entry.id) or (taken is not None and entry.id in taken):
            entry.id = new_id()

    def _validate(self, entry: Entry) -> str:
        """Refuse an entry whose file would not read back (a blank title, say);
        the file's text when it would."""
        # The fast reader gives exactly what tomllib gives (or defers to it) and
        # imports in half the time: brag add reads one entry, its own writing.
        text = entry.to_markdown()
        Entry.from_markdown(text, entry.path or entry.default_path())
        return text

    def add(self, entry: Entry) -> Entry:
        """Write a new entry and commit it as ``brag: add "<title>"``."""
        self._prepare_new(entry)
        text = self._validate(entry)  # the very text written below
        # Write, stage and commit happen together: Ctrl-C waits until they are done.
        with recovery.uninterruptible():
            rel = self._place(entry)
            entry.path = rel
            before = read_head(self.root)
            try:
                self._atomic_write(self.root / rel, text)
                gitcmd.commit_paths(self.root, f'brag: add "{_short(entry.title)}"', add=[rel])
            except BaseException:
                # Nothing half-done: an entry that could not be committed is removed
                # again rather than left for later commands to trip over.
                self._roll_back_new([rel])
                raise
        if self.index.location.exists():
            # Index it from the entry in hand: the next command need not read it
            # back, nor ask git what the commit changed (only this file).
            self.index.record([entry], commit=self._own_commit(before))
        self._saved(entry)
        return entry

    def _own_commit(self, before: str | None) -> tuple[str, str] | None:
        """(parent, commit) when ``HEAD`` is a commit brag just made on top of
        ``before`` (nothing else came in between), else None."""
        after = read_head(self.root)
        if before is None or after is None or after == before:
            return None
        if gitcmd.loose_commit_parents(self.root, after) != [before]:
            return None
        return before, after

    def _roll_back_new(self, rels: list[str]) -> None:
        """Undo new files whose commit failed: unstage them and remove them.

        A file that is in ``HEAD`` after all (the commit went through before the
        failure was noticed) is left alone: it is saved.
        """
        if not rels:
            return
        committed = set(
            gitcmd.run(
                self.root, ["ls-tree", "-r", "--name-only", "HEAD", "--", *rels], check=False
            ).stdout.splitlines()
        )
        pending = [rel for rel in rels if rel not in committed]
        if not pending:
            return
        gitcmd.run(
            self.root,
            ["rm", "--cached", "--quiet", "--ignore-unmatch", "--", *pending],
            check=False,
        )
        for rel in pending:
            _unlink_quietly(self.root / rel)

    def update(
        self, entry: Entry, message: str | None = None, *, remove: Sequence[Entry] = ()
    ) -> Entry:
        """Rewrite an existing entry (same id) and commit it.

        When its date or title changed, the file moves to the path they name, in
        the same commit (git sees a rename, so ``git log --follow`` keeps its
        history). Entries in ``remove`` (merged into this one) are deleted in
        that commit too. If the commit fails, every file is put back as it was.
        """
        if not entry.path:
            raise JournalError("cannot update an entry that has no file")
        self._validate(entry)
        entry.updated = now()
        old_rel = entry.path
        saved: dict[str, str | None] = {old_rel: _read_or_none(self.root / old_rel)}
        for other in remove:
            saved[other.path] = _read_or_none(self.root / other.path)
        new_rel = self._moved_path(entry, saved[old_rel])
        add: list[str] = []
        paths: list[str] = [old_rel]
        created: list[str] = []
        with recovery.uninterruptible():
            for rel in saved:
                recovery.announce(self.root, rel)
            try:
                if new_rel != old_rel:
                    entry.path = self._place(entry)
                    created.append(entry.path)
                    recovery.announce(self.root, entry.path)
                    add.append(entry.path)
                self._atomic_write(self.root / entry.path, entry.to_markdown())
                if new_rel != old_rel:
                    _unlink_quietly(self.root / old_rel)
                for other in remove:
                    removed_note = self._note_removed_import(other)
                    if removed_note:
                        add.append(removed_note)
                    _unlink_quietly(self.root / other.path)
                    paths.append(other.path)
                gitcmd.commit_paths(
                    self.root,
                    message or f'brag: edit "{_short(entry.title)}"',
                    add=add or [entry.path],
                    paths=paths,
                )
            except BaseException:
                self._roll_back_new(created)
                entry.path = old_rel
                for rel, text in saved.items():
                    if text is not None:
                        self._atomic_write(self.root / rel, text)
                # Unstage whatever the failed commit staged.
                gitcmd.run(self.root, ["reset", "-q", "--", *saved], check=False)
                if remove:
                    self._restore_from_head([f"{STATE_DIR}/{REMOVED_STATE}.toml"])
                raise
        self._saved(entry)
        return entry

    def _restore_from_head(self, rels: list[str]) -> None:
        """Put files back as committed, in the index and on disk (a new one is removed)."""
        for rel in rels:
            if gitcmd.run(self.root, ["cat-file", "-e", f"HEAD:{rel}"], check=False).returncode:
                self._roll_back_new([rel])
            else:
                gitcmd.run(self.root, ["checkout", "HEAD", "--", rel], check=False)

    def _moved_path(self, entry: Entry, old_text: str | None) -> str:
        """Where ``entry`` belongs after an edit: its current path unless the date or
        title it was filed under changed."""
        if old_text is None or not entry.path.startswith(ENTRIES_DIR + "/"):
            return entry.path
        try:
            old = Entry.from_markdown(old_text, entry.path)
        except EntryError:
            return entry.path
        if old.date == entry.date and old.title == entry.title:
            return entry.path
        base = entry.default_path()
        if entry.path == base or re.fullmatch(re.escape(base[:-3]) + r"-\d+\.md", entry.path):
            return entry.path
        return base

    def remove(self, entry: Entry) -> None:
        """Delete the file and commit the deletion: it stays in git history."""
        path = self.root / entry.path
        if not path.exists():
            raise NotFoundError(f"{entry.path} is already gone")
        tracked = (
            gitcmd.run(
                self.root, ["ls-files", "--error-unmatch", "--", entry.path], check=False
            ).returncode
            == 0
        )
        text = _read_or_none(path)
        with recovery.uninterruptible():
            recovery.announce(self.root, entry.path)
            removed_note = self._note_removed_import(entry)
            path.unlink()
            self._changed()
            if tracked:
                try:
                    gitcmd.commit_paths(
                        self.root,
                        f'brag: rm "{_short(entry.title)}"',
                        add=[removed_note] if removed_note else [],
                        paths=[entry.path],
                    )
                except BaseException:
                    # Not committed: put the entry back rather than leave a deletion behind
                    # (on disk, and unstaged if the failed commit staged it).
                    if text is not None:
                        self._atomic_write(path, text)
                    gitcmd.run(self.root, ["reset", "-q", "--", entry.path], check=False)
                    if removed_note:
                        self._restore_from_head([removed_note])
                    raise

    def _note_removed_import(self, entry: Entry) -> str | None:
        """Remember an imported entry's key so the next import does not bring it back."""
        key = entry.dedup_key
        if key is None:
            return None
        data = self.read_state(REMOVED_STATE)
        keys = data.get("keys", [])
        keys.append(f"{key[0]}\t{key[1]}")
        return self.write_state(REMOVED_STATE, {"keys": sorted(set(keys))}, commit=False)

    def removed_imports(self) -> set[tuple[str, str]]:
        """Keys of imported entries the user removed with ``brag rm``."""
        keys = self.read_state(REMOVED_STATE).get("keys", [])
        return {tuple(k.split("\t", 1)) for k in keys if "\t" in k}  # type: ignore[misc]

    def import_entries(
        self,
        source: str,
        drafts: Iterable[Entry | tuple[str, str]],
        *,
        dry_run: bool = False,
        state: dict[str, Any] | None = None,
        state_needs_entries: bool = False,
        message: str | None = None,
    ) -> ImportResult:
        """Add imported entries that are not already in the journal, in ONE commit.

        ``drafts`` yields entries carrying ``source``/``source_id`` (the dedup
        key) or ``(what, reason)`` pairs for items the importer skipped. An
        entry already present, however the user has edited it since, is never
        rewritten or duplicated. ``state`` (the importer's resume cursor) is
        committed with the entries, so a crash cannot record progress that was
        not saved; with ``state_needs_entries`` it is written only alongside
        new entries.
        """
        result = ImportResult(source=source, dry_run=dry_run)
        known = self.index.source_keys()
        removed = self.removed_imports()
        seen: set[tuple[str, str]] = set()
        taken: set[str] = set()
        for draft in drafts:
            if isinstance(draft, tuple):
                result.skipped.append(draft)
                continue
            draft.source = draft.source or source
            key = draft.dedup_key
            if key is None:
                result.skipped.append((draft.title, "no source_id to deduplicate by"))
                continue
            if key in known or key in seen:
                result.present.append(draft)
                continue
            if key in removed:
                result.skipped.append((draft.title or key[1], "removed earlier with brag rm"))
                continue
            try:
                self._validate(draft)
            except EntryError as exc:
                result.skipped.append((draft.title or key[1], exc.reason))
                continue
            seen.add(key)
            result.added.append(draft)
        if state_needs_entries and not result.added:
            state = None
        if dry_run:
            for entry in result.added:
                entry.path = entry.default_path()
            return result
        written: list[str] = []
        with recovery.uninterruptible():
            self._write_import(source, result, state, message, taken, written)
        # The files are brag's own, just written: index them from the entries in
        # hand so the next command does not read them all back.
        self.index.record(result.added)
        for entry in result.added:
            self._saved(entry)
        return result

    def _write_import(
        self,
        source: str,
        result: ImportResult,
        state: dict[str, Any] | None,
        message: str | None,
        taken: set[str],
        written: list[str],
    ) -> None:
        try:
            for entry in result.added:
                self._prepare_new(entry, taken)
                taken.add(entry.id)
                entry.path = self._place(entry)
                written.append(entry.path)
                self._atomic_write(self.root / entry.path, entry.to_markdown(), sync=False)
            if state is not None:
                written.append(self.write_state(f"import-{source}", state, commit=False))
            _sync_files(self.root, written)
            if written:
                from .text import entries

                n = len(result.added)
                default = f"brag: import {entries(n)} from {source}"
                if n == 0:
                    default = f"brag: import from {source}: nothing new, cursor moved"
                gitcmd.commit_paths(self.root, message or default, add=written)
        except BaseException:
            self._roll_back_new([rel for rel in written if rel.startswith(ENTRIES_DIR + "/")])
            if state is not None:
                gitcmd.run(self.root, ["checkout", "--", STATE_DIR], check=False)
            raise

    def _changed(self) -> None:
        if self._index is not None:
            self._index.refreshed = False

    def _saved(self, entry: Entry) -> None:
        self._changed()
        for callback in self.on_saved:
            callback(entry, self)

    # -- whole-journal checks -------------------------------------------------

    def uncommitted_entries(self) -> list[str]:
        """Entry files not committed (new or modified), e.g. after a crash mid-add."""
        proc = gitcmd.run(
            self.root, ["status", "--porcelain", "-z", "--untracked-files=all", "--", ENTRIES_DIR]
        )
        _live, in_flight = recovery.live_writers(self.root)
        paths = []
        for item in proc.stdout.split("\0"):
            # ``*.theirs.md`` is the other machine's side of a sync conflict; a live
            # brag process's files are in flight, not left behind.
            rel = item[3:]
            if rel.endswith(".md") and not rel.endswith(".theirs.md") and rel not in in_flight:
                paths.append(rel)
        return sorted(paths)

    def duplicate_ids(self) -> dict[str, list[str]]:
        seen: dict[str, list[str]] = {}
        for entry in self.entries():
            seen.setdefault(entry.id, []).append(entry.path)
        return {k: v for k, v in seen.items() if len(v) > 1}


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def temp_file(folder: str | os.PathLike[str], prefix: str = ".brag-") -> tuple[int, str]:
    """A new file ``PREFIX*.tmp`` in ``folder``, created exclusively, readable by the
    owner only: what ``tempfile.mkstemp`` does, without its imports (shutil,
    random, the compression modules: 3 ms) on the add path and every document's."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(100):
        name = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {folder}")


def _short(title: str, width: int = 60) -> str:
    from .text import shorten

    return shorten(title, width)


def _sync_files(root: Path, paths: list[str]) -> None:
    """Flush many just-written files at once.

    An fsync per file makes a 2,000-entry import take seconds. On Linux,
    ``syncfs`` flushes just the journal's filesystem in one call (unlike
    ``sync()``, which would wait on every disk of the machine); elsewhere each
    file is flushed.
    """
    if not paths:
        return
    if _syncfs(root):
        return
    for rel in paths:
        with open(root / rel, "rb+") as fh:
            os.fsync(fh.fileno())


def _syncfs(root: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(root, os.O_RDONLY)
    except (OSError, AttributeError):
        return False
    try:
        return bool(libc.syncfs(fd) == 0)
    except AttributeError:
        return False
    finally:
        os.close(fd)


def _read_or_none(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
