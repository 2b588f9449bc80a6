"""``brag config``: a typed schema for brag.toml and this machine's own settings."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from brag import machine
from brag.config import JOURNAL, MACHINE, Setting, check_value, line_of, parse_value
from brag.errors import ConfigError

from conftest import git

BRAG = str(Path(sys.executable).parent / "brag")


def run(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    """The real console script, in the test's environment."""
    return subprocess.run([BRAG, *args], capture_output=True, text=True, env=os.environ, **kw)


def commits(journal) -> int:
    return int(git(journal.root, "rev-list", "--count", "HEAD").strip())


def toml(journal) -> dict:
    return tomllib.loads(journal.config_path.read_text(encoding="utf-8"))


def clean(journal) -> bool:
    return git(journal.root, "status", "--porcelain").strip() == ""


def test_set_same_value_is_nothing_to_change(journal):
    first = run("config", "set", "user.level", "senior")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == 'user.level = "senior"'
    before = commits(journal)
    again = run("config", "set", "user.level", "senior")
    assert again.returncode == 0
    assert again.stdout.strip() == 'Nothing to change: user.level is already "senior"'
    assert commits(journal) == before
    assert clean(journal)


def test_list_values_accept_toml_and_commas(brag, journal):
    brag("config", "set", "user.emails", '["a@x", "b@y"]')
    assert toml(journal)["user"]["emails"] == ["a@x", "b@y"]
    brag("config", "set", "user.emails", "c@x, d@y,")
    assert toml(journal)["user"]["emails"] == ["c@x", "d@y"]
    assert brag("config", "get", "user.emails").stdout.strip() == '["c@x", "d@y"]'
    result = brag("config", "set", "user.emails", "[1, 2]", expect=1)
    assert "user.emails must be a list of strings" in result.stderr


@pytest.mark.parametrize(
    ("key", "hint"),
    [("usr.name", "did you mean user.name?"), ("name", "did you mean user.name?")],
)
def test_unknown_keys_are_refused_with_a_suggestion(brag, journal, key, hint):
    before = journal.config_path.read_text()
    result = brag("config", "set", key, "x", expect=1)
    assert f"unknown setting '{key}'; {hint}" in result.stderr
    assert journal.config_path.read_text() == before


def test_levels_are_checked_when_set(brag, journal):
    result = brag("config", "set", "user.target_level", "staf", expect=1)
    assert "'staf' is not a level; choose from mid, senior, staff, principal" in result.stderr
    assert "did you mean staff?" in result.stderr
    assert toml(journal)["user"]["target_level"] == ""
    brag("config", "set", "user.target_level", "Staff Engineer")
    assert toml(journal)["user"]["target_level"] == "staff"
    brag("stats")  # still works


def test_a_section_is_never_replaced_by_a_value(brag, journal):
    brag("config", "set", "user.name", "Ada")
    result = brag("config", "set", "user", "oops", expect=1)
    assert "user is a section, not a setting" in result.stderr
    assert toml(journal)["user"]["name"] == "Ada"


def test_typed_values(brag, journal):
    brag("config", "set", "sync.auto", "yes")
    brag("config", "set", "coach.gap_days", "21")
    brag("config", "set", "glossary.SLO", "service level objective")
    data = toml(journal)
    assert data["sync"]["auto"] is True
    assert data["coach"]["gap_days"] == 21
    assert data["glossary"]["SLO"] == "service level objective"
    assert "whole number" in brag("config", "set", "coach.gap_days", "ten", expect=1).stderr
    assert "at least 1" in brag("config", "set", "coach.gap_days", "0", expect=1).stderr
    assert "true or false" in brag("config", "set", "sync.auto", "maybe", expect=1).stderr


def test_plugin_sections_take_their_options(brag, journal):
    brag("config", "set", "import.github.repo", "acme/api, acme/web")
    brag("config", "set", "import.github.min_lines", "10")
    assert toml(journal)["import"]["github"] == {"repo": ["acme/api", "acme/web"], "min_lines": 10}
    result = brag("config", "set", "import.github.min_line", "3", expect=1)
    assert "did you mean import.github.min_lines?" in result.stderr


def test_unset(brag, journal):
    brag("config", "set", "user.level", "senior")
    before = commits(journal)
    assert brag("config", "unset", "user.level").stdout.strip() == "Removed user.level in brag.toml"
    assert "level" not in toml(journal)["user"]
    assert commits(journal) == before + 1
    again = brag("config", "unset", "user.level")
    assert again.stdout.startswith("Nothing to change: user.level is not set")
    assert commits(journal) == before + 1
    assert "did you mean" in brag("config", "unset", "usr.level", expect=1).stderr


def test_config_list_describes_every_key(brag, journal):
    out = brag("config", "--list").stdout
    for key in ("user.name", "user.emails", "user.target_level", "sync.auto", "import.github.repo"):
        assert key in out
    assert "level" in out.split("user.target_level", 1)[1].splitlines()[0]


def test_git_style_shorthand(brag, journal):
    brag("config", "user.name", "Ada Lovelace")
    assert brag("config", "user.name").stdout.strip() == "Ada Lovelace"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("import = 5\n", "brag.toml:1: import must be a table ([import]), not a number (5)"),
        ('user = "x"\n', "brag.toml:1: user must be a table ([user]), not a string ('x')"),
        ('[user]\nname = "A"\nlevel = 3\n', "brag.toml:3: user.level must be a level"),
        ('[coach]\ngap_days = "ten"\n', "brag.toml:2: coach.gap_days must be a whole number"),
        ("[sync]\nauto = 1\n", "brag.toml:2: sync.auto must be true or false"),
    ],
)
def test_hand_written_wrong_types_are_one_line_errors(journal, text, message):
    journal.config_path.write_text(text)
    result = run("list")
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_hand_written_unknown_keys_warn(journal):
    journal.config_path.write_text('[user]\nnmae = "Ada"\n\n[futuristic]\nx = 1\n')
    result = run("list")
    assert result.returncode == 0
    assert "brag.toml:2: unknown setting user.nmae; did you mean user.name?" in result.stderr
    assert "brag.toml:4: unknown setting futuristic" in result.stderr


def test_unknown_plugin_section_warns_in_check(brag, journal):
    journal.config_path.write_text('[import.jira]\nsite = "https://x"\n')
    git(journal.root, "commit", "-qam", "hand edit")
    assert run("list").returncode == 0  # not a failure
    result = brag("check", expect=0)
    assert "[import.jira]: no importer 'jira' is installed" in result.stdout


def test_config_set_can_repair_a_broken_file(brag, journal):
    journal.config_path.write_text('[coach]\ngap_days = "ten"\n')
    git(journal.root, "commit", "-qam", "hand edit")
    brag("list", expect=1)
    brag("config", "set", "coach.gap_days", "10")
    brag("list")


def test_missing_git_identity_restores_the_file(journal, tmp_path, monkeypatch):
    bare = tmp_path / "no-identity.gitconfig"
    bare.write_text("[user]\n\tuseConfigOnly = true\n[commit]\n\tgpgsign = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(bare))
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    before = journal.config_path.read_text()
    result = run("config", "set", "user.level", "senior")
    assert result.returncode == 1
    assert "git config --global user.name" in result.stderr
    assert "git config --global user.email" in result.stderr
    assert "Traceback" not in result.stderr
    assert journal.config_path.read_text() == before
    assert clean(journal)
    assert run("check").returncode == 0


def test_check_reports_an_uncommitted_brag_toml(journal):
    with journal.config_path.open("a") as fh:
        fh.write("[sync]\nauto = false\n")
    result = run("check")
    assert result.returncode == 1
    assert "uncommitted: brag.toml" in result.stdout


def test_machine_settings(journal, tmp_path):
    result = run("config", "--machine", "journal", str(journal.root))
    assert result.returncode == 0, result.stderr
    assert machine.get("journal") == str(journal.root)
    again = run("config", "--machine", "journal", str(journal.root))
    assert again.stdout.startswith("Nothing to change: journal is already")
    run("config", "--machine", "set", "approved_hosts", "ghe.example.com, gitlab.example.com")
    assert machine.get("approved_hosts") == ["ghe.example.com", "gitlab.example.com"]
    run("config", "--machine", "llm.models", '["local-7b"]')
    assert machine.get("llm.models") == ["local-7b"]
    listed = run("config", "--machine", "--list").stdout
    assert "approved_hosts" in listed and "llm.models" in listed and "journal" in listed
    bad = run("config", "--machine", "set", "jornal", "/x")
    assert bad.returncode == 1 and "did you mean journal?" in bad.stderr
    assert run("config", "--machine", "unset", "journal").stdout.startswith("Removed journal")
    assert machine.get("journal") is None
    assert "approved_hosts" not in journal.config_path.read_text()  # never in brag.toml


def test_schema_parsing_units():
    emails = JOURNAL.lookup("user.emails")
    assert parse_value(emails, '["a", "b"]') == ["a", "b"]
    assert parse_value(emails, "a, b, a") == ["a", "b"]
    assert parse_value(JOURNAL.lookup("user.level"), "sr") == "senior"
    assert MACHINE.lookup("llm.models").type == "list"
    url = Setting("x.url", "url", "")
    assert check_value(url, "https://jira.example.com") is None
    assert check_value(url, "jira") is not None
    with pytest.raises(ConfigError, match="is a section"):
        JOURNAL.lookup("user")
    assert line_of('[user]\nname = "a"\n\n[import.github]\nrepo = []\n', "import.github.repo") == 5


def test_every_plugin_config_example_fits_the_schema():
    """The brag.toml examples in the built-in plugins' docstrings are valid and known."""
    import importlib
    import re

    schema = JOURNAL.with_plugins()
    checked = 0
    for name in ("github", "gitlab", "pagerduty", "git_history", "design_docs", "incidents",
                 "file_import", "report"):  # fmt: skip
        doc = importlib.import_module(f"brag.plugins.{name}").__doc__ or ""
        for block in re.findall(r"::\n\n((?:    .*\n|\n)+)", doc):
            text = "\n".join(line[4:] for line in block.splitlines())
            data = tomllib.loads(text)
            if "import" in data or "export" in data:
                assert schema.validate(data, text, name) == [], name
                checked += 1
    assert checked >= 6


def test_a_plugin_declares_its_own_section(brag, journal):
    from brag import config

    config.register_section(
        "jira", "Jira.", [("site", "url", "Your Jira site."), ("boards", "list", "Boards.")],
        owner="brag-jira",
    )  # fmt: skip
    try:
        brag("config", "set", "jira.site", "https://jira.example.com")
        refused = brag("config", "set", "jira.site", "jira", expect=1)
        assert "must be an http(s) URL" in refused.stderr
        assert "jira.site" in brag("config", "--list").stdout
        journal.config_path.write_text("[jira]\nsite = 5\n")
        git(journal.root, "commit", "-qam", "hand edit")
        result = brag("check", expect=1)
        assert "brag.toml:2: jira.site must be an http(s) URL, not a number (5)" in result.stdout
    finally:
        config._registered.pop("jira", None)
