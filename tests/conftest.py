"""Every test gets its own journal folder, git identity and editor: nothing leaks
from the developer's machine into a test, or from one test into the next."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from brag import manager
from brag.journal import Journal


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # Machine-only settings (default journal, approved hosts, model consent).
    monkeypatch.setenv("BRAG_CONFIG_DIR", str(tmp_path / "brag-config"))
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "PAGERDUTY_TOKEN", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDITOR", "false")
    journal_dir = tmp_path / "journal"
    monkeypatch.setenv("BRAG_DIR", str(journal_dir))
    monkeypatch.chdir(tmp_path)
    return journal_dir


@pytest.fixture
def journal_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def journal(journal_dir: Path) -> Journal:
    j = Journal(journal_dir)
    j.init()
    return j


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def brag(runner: CliRunner):
    """Run the CLI in-process: ``brag("add", "x")`` -> click Result."""
    from brag.cli import cli

    def run(*args: str, input: str | None = None, expect: int | None = 0):
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (result.output, result.stderr)
        return result

    return run


@pytest.fixture(autouse=True)
def no_installed_plugins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Third-party plugins installed next to brag never change the suite's results.

    Tests that put a distribution of their own on ``sys.path`` (the ``site_path``
    fixture) load plugins as users do; every other test loads only the built-ins.
    """
    if "site_path" in request.fixturenames:
        monkeypatch.delenv("BRAG_LOAD_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("BRAG_LOAD_PLUGINS", "")
    monkeypatch.delenv("BRAG_PLUGIN_OVERRIDE", raising=False)


@pytest.fixture(autouse=True)
def fresh_plugin_manager():
    """Plugins register per test; reset discovery so one test cannot leak into another."""
    from brag import cli

    builtin = dict(cli.cli.commands)
    lazy = cli.cli.lazy  # a plugin allowed to replace a built-in takes it out of the table
    manager._pm = None
    manager.load_errors.clear()
    manager._warned_collisions.clear()
    manager._declared.clear()
    cli.BragGroup._plugins_loaded = False
    yield
    manager._pm = None
    manager.load_errors.clear()
    cli.BragGroup._plugins_loaded = False
    cli.cli.commands.clear()
    cli.cli.commands.update(builtin)
    cli.cli.lazy = lazy


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def git_run():
    return git


def write_editor(tmp_path: Path, content: str) -> str:
    """An $EDITOR that replaces the file it is given with ``content``."""
    script = tmp_path / "fake_editor.py"
    script.write_text(f"import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write({content!r})\n")
    return f"{sys.executable} {script}"


def venv_with_these_dependencies(venv: Path) -> Path:
    """A new virtual environment at ``venv`` that sees the libraries of the one running
    the tests (click, Jinja2, platformdirs...) but not its brag, whichever way that
    was installed; returns its scripts folder. (``--system-site-packages`` would
    see the base interpreter's, not this environment's, when the tests run in one.)"""
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    vbin = venv / ("Scripts" if sys.platform == "win32" else "bin")
    site = subprocess.run(
        [str(vbin / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    # Plain folders: the .pth files in them (an editable brag's among them) are not run.
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(site, "brag-test-dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return vbin
