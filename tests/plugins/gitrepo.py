"""Build real git repositories for importer tests: commits with chosen authors,
committers and dates, real ``--no-ff`` merges and squash commits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any


class Repo:
    def __init__(self, root: Path, remote: str | None = None):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        if remote:
            self.git("remote", "add", "origin", remote)
        self._tick = 0

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full = {**os.environ, **(env or {})}
        return subprocess.run(
            ["git", "-C", str(self.root), *args],
            check=True,
            capture_output=True,
            text=True,
            env=full,
        ).stdout

    @staticmethod
    def ident(
        author: tuple[str, str], committer: tuple[str, str] | None, when: str
    ) -> dict[str, str]:
        committer = committer or author
        return {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": when,
        }

    def commit(
        self,
        message: str,
        author: tuple[str, str],
        when: str,
        *,
        committer: tuple[str, str] | None = None,
        path: str | None = None,
        content: str | None = None,
    ) -> str:
        self._tick += 1
        name = path or f"file{self._tick}.txt"
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content if content is not None else f"change {self._tick}\n")
        self.git("add", "--", name)
        self.git("commit", "-q", "-m", message, env=self.ident(author, committer, when))
        return self.head()

    def root_commit(self) -> str:
        return self.git("rev-list", "--max-parents=0", "HEAD").split()[0]

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str, start: str = "main") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(
        self,
        branch: str,
        message: str,
        merger: tuple[str, str],
        when: str,
        committer: tuple[str, str] | None = None,
    ) -> str:
        self.git(
            "merge",
            "-q",
            "--no-ff",
            "-m",
            message,
            branch,
            env=self.ident(merger, committer, when),
        )
        return self.head()


def count_commits(journal: Any) -> int:
    """How many commits the journal's repository holds."""
    out = subprocess.run(
        ["git", "-C", str(journal.root), "rev-list", "--count", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out)


def all_entries(journal: Any) -> list:
    """The journal's entries as they are on disk now, oldest first."""
    journal._index = None
    return sorted(journal.entries(), key=lambda e: e.date)
