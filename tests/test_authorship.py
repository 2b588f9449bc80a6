"""Who the user is and what they wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from brag.authorship import (
    Identity,
    file_histories,
    involvement,
    parse_remote,
    resolve_identity,
    split_people,
)
from brag.errors import ImportSourceError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:acme/shop.git", ("github.com", "acme/shop")),
        ("https://user:ghp_test_SECRET123@github.com/acme/shop.git", ("github.com", "acme/shop")),
        (
            "ssh://git@gitlab.example.com:2222/grp/sub/proj.git",
            ("gitlab.example.com", "grp/sub/proj"),
        ),
        ("github-work:acme/shop.git", ("", "acme/shop")),
        ("/srv/git/shop.git", ("", "shop")),
        ("../shop", ("", "shop")),
    ],
)
def test_parse_remote(url, expected):
    assert parse_remote(url) == expected


def test_identity_matching():
    me = Identity(frozenset({"me@x.org"}), frozenset({"alex doe"}))
    assert me.is_commit_author("ME@x.org", "whoever")
    assert not me.is_commit_author("other@x.org", "Alex Doe")  # names alone: not on commits
    assert me.is_person("Alex Doe <other@x.org>")
    assert me.is_person("Someone <me@x.org>")
    assert me.is_person("alex doe") and not me.is_person("alex")
    assert me.is_person("me@") and not me.is_person("you@")
    assert split_people("Alice and Bob; Carol") == ["Alice", "Bob", "Carol"]


def test_identity_defaults_and_override(journal):
    ident = resolve_identity(journal)
    assert "test@example.com" in ident.emails and "test user" in ident.names
    journal.config_set("user.emails", ["work@corp.example"])
    assert {"test@example.com", "work@corp.example"} <= resolve_identity(journal).emails
    given = resolve_identity(journal, ["only@x.org", "Alex"])
    assert given.emails == {"only@x.org"} and given.commit_names == {"alex"}


def test_no_identity_at_all(journal, monkeypatch, tmp_path):
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    with pytest.raises(ImportSourceError, match="don't know who you are"):
        resolve_identity(journal)


def _commit(root: Path, email: str, path: str, text: str, when: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)
    env = {
        "GIT_AUTHOR_NAME": email.split("@")[0],
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    import os

    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "commit", "-qm", "c"], check=True, env={**os.environ, **env}
    )


def test_file_history_follows_renames(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _commit(root, "me@x.org", "a.md", "one\ntwo\nthree\n", "2026-01-01T10:00:00+00:00")
    (root / "docs").mkdir()
    subprocess.run(["git", "-C", str(root), "mv", "a.md", "docs/b.md"], check=True)
    _commit(root, "alice@x.org", "docs/b.md", "one\ntwo\nthree\n", "2026-01-02T10:00:00+00:00")
    _commit(root, "alice@x.org", "a.md", "new file\n", "2026-01-03T10:00:00+00:00")
    histories = file_histories(root)
    moved = histories["docs/b.md"]
    assert moved.first is not None and moved.first.email == "me@x.org"
    assert str(moved.first.when.date()) == "2026-01-01"
    me = Identity(frozenset({"me@x.org"}))
    assert moved.involvement(me) == "author"
    assert histories["a.md"].involvement(me) is None
    # Front matter people decide over git history.
    assert involvement(me, {"author": ["Alice"]}, moved) is None
    assert involvement(me, {"author": [], "responder": []}, moved) == "author"
