"""Who the user is and what they wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from brag.authorship import (
    Identity,
    file_histories,
    involvement,
    is_hosted,
    parse_remote,
    repo_info,
    resolve_identity,
    split_people,
)
from brag.errors import BragError, ImportSourceError
from brag.gitcmd import output as git


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


@pytest.mark.parametrize(
    ("url", "hosted"),
    [
        ("https://github.com/acme/shop.git", True),
        ("ssh://git@github.com/acme/shop", True),
        ("git@github.com:acme/shop.git", True),
        ("github-work:acme/shop.git", True),
        ("/srv/mirror/repo", False),
        ("../repo", False),
        ("file:///srv/mirror/repo", False),
        ("~/mirror/repo", False),
    ],
)
def test_is_hosted(url, hosted):
    assert is_hosted(url) is hosted


def _git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def test_repo_info_follows_local_origins_to_the_host(tmp_path):
    first = tmp_path / "first"
    _git("init", "-q", str(first))
    _git("-C", str(first), "remote", "add", "origin", "git@github.com:acme/shop.git")
    mirror = tmp_path / "mirror" / "repo"
    mirror.parent.mkdir()
    _git("init", "-q", "--bare", str(mirror))
    _git("-C", str(mirror), "remote", "add", "origin", str(first))
    work = tmp_path / "work"
    _git("init", "-q", str(work))
    _git("-C", str(work), "remote", "add", "origin", "../mirror/repo")
    info = repo_info(work)
    assert (info.hosted, info.name, info.host) == ("acme/shop", "shop", "github.com")
    assert info.slug == "repo"  # how earlier versions keyed it: kept to recognise those ids
    # A local origin that leads nowhere hosted: the clone folder names it.
    _git("-C", str(first), "remote", "remove", "origin")
    info = repo_info(work)
    assert (info.hosted, info.name, info.host) == ("", "work", "")


def test_git_failures_name_the_repository_and_odd_bytes_do_not_crash(tmp_path):
    root = tmp_path / "r"
    _git("init", "-q", str(root))
    with pytest.raises(BragError, match=f"git log failed in {root}"):
        git(root, ["log", "--no-such-option"])
    (root / "a").write_text("x")
    _git("-C", str(root), "add", "a")
    env = {"GIT_AUTHOR_NAME": "Jos\xe9", "GIT_AUTHOR_EMAIL": "j@x.org"}
    import os

    # A Latin-1 commit message (not UTF-8): read with a replacement character.
    subprocess.run(
        ["git", "-C", str(root), "-c", "i18n.commitEncoding=", "commit", "-q", "-F", "-"],
        input=b"caf\xe9\n",
        check=True,
        env={**os.environ, **env},
    )
    out = git(root, ["log", "--format=%B"])
    assert out.startswith("caf")
    assert "\ufffd" in out or "é" in out
