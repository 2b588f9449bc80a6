"""The plugin API third parties build on: public names, loading rules, collisions,
plugin template folders and secret registration."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import brag as api
from brag import manager, secrets

from conftest import venv_with_these_dependencies

ROOT = Path(__file__).resolve().parent.parent


# -- public names -----------------------------------------------------------------


def test_public_names_are_the_core_types_and_load_lazily():
    from brag.entry import Entry
    from brag.errors import BragError
    from brag.exporting import ExportContext, Exporter
    from brag.hookspecs import hookimpl
    from brag.importing import ImportContext, Importer
    from brag.journal import Journal

    assert api.Entry is Entry and api.BragError is BragError
    assert api.Exporter is Exporter and api.ExportContext is ExportContext
    assert api.Importer is Importer and api.ImportContext is ImportContext
    assert api.hookimpl is hookimpl and api.Journal is Journal
    assert set(api.__all__) <= set(dir(api))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        api.Nope  # noqa: B018
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, brag; print(sorted(m for m in sys.modules"
            " if m.startswith(('brag.', 'pluggy', 'jinja2', 'git'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"


def test_py_typed_ships_with_the_package():
    assert (ROOT / "brag" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["brag"]


def test_register_callbacks_are_typed():
    import inspect
    import typing

    from brag import hookspecs

    for hook, protocol in (
        ("register_importers", hookspecs.RegisterImporter),
        ("register_exporters", hookspecs.RegisterExporter),
    ):
        hints = typing.get_type_hints(getattr(hookspecs, hook), vars(hookspecs) | vars(api))
        assert hints["register"] is protocol
        assert list(inspect.signature(protocol.__call__).parameters)[1] in ("importer", "exporter")


def test_reframe_entry_spec_passes_the_journal(journal):
    seen = []

    class Plugin:
        @api.hookimpl
        def reframe_entry(self, entry, audience, journal):
            seen.append(journal.config.get("wording", {}).get("suffix"))
            return f"{entry.title} {seen[-1]}"

    journal.config_set("wording.suffix", "(finance)")
    pm = manager.get_plugin_manager()
    pm.register(Plugin(), name="wording")
    entry = api.Entry(title="Cut cloud spend", date=dt.date(2026, 5, 1))
    answer = pm.hook.reframe_entry(entry=entry, audience="cfo", journal=journal)
    assert answer == "Cut cloud spend (finance)" and seen == ["(finance)"]


# -- which third-party plugins load -------------------------------------------------


def _distribution(site: Path, name: str, source: str) -> None:
    """A real installed distribution (dist-info + module) on sys.path."""
    site.mkdir(exist_ok=True)
    (site / f"{name}.py").write_text(textwrap.dedent(source))
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    dist_name = name.replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[brag]\n{name} = {name}\n")


@pytest.fixture
def site_path(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in list(sys.modules):
        if name.startswith("brag_api_"):
            del sys.modules[name]


GREETER = """
import click
import brag

@brag.hookimpl
def register_commands(cli):
    @cli.command()
    def greet():
        click.echo("hello from a plugin")
"""


@pytest.mark.parametrize(
    ("setting", "loaded"),
    [
        (None, True),
        ("", False),
        ("brag_api_greeter", True),  # the entry point's name
        ("something-else, brag-api-greeter", True),  # the distribution's name
        ("Brag.Api_Greeter", True),  # compared like pip compares names
        ("something-else", False),
    ],
)
def test_brag_load_plugins_chooses_third_party_plugins(
    site_path, monkeypatch, journal, brag, setting, loaded
):
    _distribution(site_path, "brag_api_greeter", GREETER)
    if setting is None:
        monkeypatch.delenv(manager.LOAD_ENV, raising=False)
    else:
        monkeypatch.setenv(manager.LOAD_ENV, setting)
    names = {p["name"] for p in manager.plugins_info()}
    assert ("brag_api_greeter" in names) is loaded
    assert set(manager.DEFAULT_PLUGINS) <= names  # built-ins always load
    assert manager.get_plugin_manager() is manager.get_plugin_manager()  # idempotent


def test_the_suite_loads_no_installed_plugins_by_default():
    import os

    assert os.environ[manager.LOAD_ENV] == ""
    assert manager.allowed_plugins() == set()


def test_a_plugin_that_fails_to_import_is_named_once_and_skipped(site_path, capsys):
    _distribution(site_path, "brag_api_broken", "raise ImportError('no such thing')\n")
    _distribution(site_path, "brag_api_greeter", GREETER)
    manager.get_plugin_manager()
    manager.get_plugin_manager()
    err = capsys.readouterr().err
    assert err.count("brag_api_broken") == 1 and "no such thing" in err
    assert any(p["name"] == "brag_api_greeter" for p in manager.plugins_info())


# -- name collisions ----------------------------------------------------------------

IMPOSTOR = """
import brag

def fetch(ctx):
    yield brag.Entry(title="from the impostor", date=__import__("datetime").date(2026, 5, 1),
                     source="github", source_id="x")

@brag.hookimpl
def register_importers(register):
    register(brag.Importer(name="github", help="Not the real one.", fetch=fetch))

@brag.hookimpl
def register_exporters(register):
    register(brag.Exporter(name="status", help="Not the real one.", render=lambda ctx: "fake\\n"))
"""


def test_a_third_party_name_collision_warns_and_keeps_the_built_in(site_path, capsys):
    _distribution(site_path, "brag_api_impostor", IMPOSTOR)
    importers = manager.importers()
    manager.importers()  # asked twice, warned once
    exporters = manager.exporters()
    assert importers["github"].help != "Not the real one."
    assert exporters["status"].help != "Not the real one."
    err = capsys.readouterr().err
    assert err.count("importer 'github'") == 1
    assert "brag_api_impostor" in err and "brag.plugins.github" in err
    assert "brag.plugins.report" in err or "brag.plugins.career_documents" in err
    assert "[plugins] override" in err and manager.OVERRIDE_ENV in err


def test_the_user_can_let_a_plugin_replace_a_built_in_by_env(site_path, monkeypatch, capsys):
    _distribution(site_path, "brag_api_impostor", IMPOSTOR)
    monkeypatch.setenv(manager.OVERRIDE_ENV, "github")
    assert manager.importers()["github"].help == "Not the real one."
    assert manager.exporters()["status"].help != "Not the real one."  # not listed
    assert "replaces the built-in" in capsys.readouterr().err


def test_the_user_can_let_a_plugin_replace_a_built_in_in_brag_toml(site_path, journal, brag):
    _distribution(site_path, "brag_api_impostor", IMPOSTOR)
    with journal.config_path.open("a") as fh:
        fh.write('\n[plugins]\noverride = ["github", "status"]\n')
    result = brag("export", "status")
    assert result.stdout == "fake\n"
    assert "exporter 'status' from plugin 'brag_api_impostor' replaces" in result.stderr


def test_two_built_ins_or_two_third_parties_keep_the_first(monkeypatch, capsys):
    monkeypatch.setenv(manager.OVERRIDE_ENV, "x")
    assert manager.keep_or_override("importer", "x", "a", "b") is False
    builtins = manager.DEFAULT_PLUGINS
    assert manager.keep_or_override("importer", "x", builtins[0], builtins[1]) is False
    assert manager.keep_or_override("importer", "x", builtins[0], "b") is True
    assert capsys.readouterr().err.count("warning") == 1


# -- templates shipped by plugins -----------------------------------------------------


@pytest.fixture
def shipped(tmp_path):
    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "shipped-doc.md.j2").write_text("Plugin says {{ word }}\n")
    (folder / "status.md.j2").write_text("plugin status must not win over brag's\n")

    class Plugin:
        @api.hookimpl
        def register_exporters(self, register):
            register(
                api.Exporter(
                    name="shipped-doc",
                    help="Uses its own template.",
                    build=lambda ctx: {"word": "hello"},
                    template_dir=folder,
                )
            )

    manager.get_plugin_manager().register(Plugin(), name="shipper")
    return folder


def test_an_exporter_renders_the_template_it_ships(shipped, journal, brag):
    from brag.render import template_origin

    assert brag("export", "shipped-doc").stdout == "Plugin says hello\n"
    assert template_origin("shipped-doc.md.j2", journal.root).startswith(
        "plugin exporter shipped-doc"
    )
    # Built-in templates are still found, and win over a plugin's file of the same name.
    assert template_origin("status.md.j2", journal.root).startswith("built-in")
    assert "must not win" not in brag("export", "status").stdout


def test_the_journal_templates_folder_overrides_a_plugin_template(shipped, journal, brag):
    from brag.render import template_origin

    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "shipped-doc.md.j2").write_text("Mine: {{ word }}\n")
    assert brag("export", "shipped-doc").stdout == "Mine: hello\n"
    assert template_origin("shipped-doc.md.j2", journal.root) == str(
        journal.root / "templates" / "shipped-doc.md.j2"
    )


def test_a_missing_template_folder_is_one_clear_error(journal, brag, tmp_path):
    class Plugin:
        @api.hookimpl
        def register_exporters(self, register):
            register(
                api.Exporter(
                    name="lost", help="x", build=lambda ctx: {}, template_dir=tmp_path / "nope"
                )
            )

    manager.get_plugin_manager().register(Plugin(), name="lost")
    result = brag("export", "lost", expect=1)
    assert "exporter 'lost': template_dir" in result.stderr
    assert "Traceback" not in result.stderr


# -- secrets ------------------------------------------------------------------------


def test_registered_values_are_masked_and_short_ones_ignored():
    secrets.register("s3cr3t-value-1")
    secrets.register("abc")
    assert secrets.mask("x s3cr3t-value-1 abc https://u:p@h/") == "x *** abc https://***@h/"


def test_config_values_under_secret_looking_keys_are_registered():
    secrets.register_config({"import": {"jira": {"api_token": "tok-123456", "url": "u-123456"}}})
    assert secrets.mask("tok-123456 u-123456") == "*** u-123456"


def test_the_journal_registers_brag_toml_secrets_when_it_parses_the_file(journal):
    with journal.config_path.open("a") as fh:
        fh.write('\n[import.gitlab]\ntoken = "glpat-registered-by-journal"\n')
    journal._config = None
    assert "glpat-registered-by-journal" not in secrets.values()
    journal.config  # noqa: B018
    assert secrets.mask("glpat-registered-by-journal") == "***"


def test_an_http_client_registers_its_tokens():
    from brag.http import Client

    Client("https://api.example", service="svc", secrets=("client-token-987654",))
    assert secrets.mask("client-token-987654") == "***"


# -- an installed third-party plugin, as users get it ---------------------------------

EXAMPLE = ROOT / "tests" / "example_plugin"


def _venv_with_brag_and_the_example_plugin(tmp_path: Path) -> Path:
    """A fresh venv with brag's wheel and the example plugin installed (not editable)."""
    import shutil
    import zipfile

    # Built from a copy, so no build/ or egg-info is left in the source tree.
    example = tmp_path / "example_plugin"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    dist = tmp_path / "dist"
    for project in (ROOT, example):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                "-w",
                str(dist),
                str(project),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    [wheel] = dist.glob("brag_journal-*.whl")
    [plugin] = dist.glob("brag_example_notes-*.whl")
    assert "brag/py.typed" in zipfile.ZipFile(wheel).namelist()
    assert "brag_example_notes/templates/digest.md.j2" in zipfile.ZipFile(plugin).namelist()
    venv = tmp_path / "venv"
    # Dependencies come from the running environment; brag from the wheel.
    vbin = venv_with_these_dependencies(venv)
    for target in (wheel, plugin):
        install = subprocess.run(
            [str(vbin / "python"), "-m", "pip", "install", "-q", "--no-deps", str(target)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )
        assert install.returncode == 0, install.stderr
    return vbin


@pytest.mark.slow
def test_example_plugin_installed_in_a_venv_works_from_the_console_script(
    tmp_path: Path, journal_dir: Path
):
    import json
    import os

    vbin = _venv_with_brag_and_the_example_plugin(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != manager.LOAD_ENV}
    env["BRAG_DIR"] = str(journal_dir)

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(vbin / "brag"), *args],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=tmp_path,
            timeout=120,
        )

    assert run("init").returncode == 0
    listed = run("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "example_notes" in listed.stdout and "failed" not in listed.stderr

    notes = tmp_path / "notes.txt"
    notes.write_text("2026-05-04 Cut build time from 20 to 8 minutes\nnot a note\n")
    imported = run("import", "notes", "--file", str(notes))
    assert imported.returncode == 0, imported.stderr
    assert "added 1" in imported.stdout
    titles = [e["title"] for e in json.loads(run("list", "--json").stdout)]
    assert titles == ["Cut build time from 20 to 8 minutes"]

    digest = run("export", "digest", "--title", "May")
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.startswith("# May (from the example plugin's template)\n")
    assert "Cut build time from 20 to 8 minutes" in digest.stdout

    (journal_dir / "templates").mkdir()
    (journal_dir / "templates" / "digest.md.j2").write_text(
        "Mine: {{ title }}, {{ bullets | length }} bullet(s)\n"
    )
    assert run("export", "digest", "--title", "May").stdout == "Mine: May, 1 bullet(s)\n"

    # BRAG_LOAD_PLUGINS decides: named, it loads; empty, it does not.
    named = run("export", "digest", **{manager.LOAD_ENV: "brag-example-notes"})
    assert named.returncode == 0 and named.stdout.startswith("Mine:")
    off = run("export", "digest", **{manager.LOAD_ENV: ""})
    assert off.returncode != 0 and "digest" in off.stderr
    assert "Traceback" not in off.stderr

    # The project's own tests give the same results with the plugin installed.
    suite = subprocess.run(
        [str(vbin / "python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
        + ["-m", "not slow", "--rootdir", str(ROOT)]
        + [str(ROOT / "tests" / name) for name in SENSITIVE_TESTS],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("BRAG_DIR", manager.LOAD_ENV)},
        cwd=tmp_path,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout


# Tests that load every plugin or compare documents byte for byte: the ones an
# installed plugin would change if the suite did not set BRAG_LOAD_PLUGINS.
SENSITIVE_TESTS = ("test_plugins.py", "test_render.py", "test_docs.py", "test_exporters.py")


COMMAND_IMPOSTOR = """
import click
import brag

@click.command(name="tags", help="Not the real one.")
def tags():
    click.echo("impostor tags")

@brag.hookimpl
def register_commands(cli):
    cli.add_command(tags)
"""


def test_a_plugin_command_never_silently_takes_a_built_in_name(site_path, journal, brag):
    _distribution(site_path, "brag_cmd_impostor", COMMAND_IMPOSTOR)
    brag("add", "Shipped the thing", "-t", "ship")
    result = brag("--help")
    assert "Not the real one." not in result.stdout
    assert "plugin 'brag_cmd_impostor' also defines the command 'tags'" in result.stderr
    result = brag("tags")
    assert "impostor" not in result.stdout and "ship" in result.stdout


def test_the_user_can_let_a_plugin_command_replace_a_built_in(
    site_path, journal, brag, monkeypatch
):
    _distribution(site_path, "brag_cmd_impostor", COMMAND_IMPOSTOR)
    monkeypatch.setenv(manager.OVERRIDE_ENV, "tags")
    # The first command of a process: nothing has loaded the plugins yet.
    assert brag("tags").stdout == "impostor tags\n"
    assert "Not the real one." in brag("--help").stdout


def test_brag_toml_lets_a_plugin_command_replace_a_built_in(site_path, journal, brag):
    """``[plugins] override`` in the journal's brag.toml, not only the environment,
    hands a built-in command's name to a plugin, before the command is resolved."""
    _distribution(site_path, "brag_cmd_impostor", COMMAND_IMPOSTOR)
    with journal.config_path.open("a") as fh:
        fh.write('\n[plugins]\noverride = ["tags"]\n')
    assert brag("tags").stdout == "impostor tags\n"


def test_without_an_installed_plugin_no_command_reads_brag_toml_to_ask(journal, monkeypatch):
    """No plugin can replace a built-in command: whether one may is not worth a read."""
    from brag.commands import State

    monkeypatch.setattr(manager, "plugin_commands_possible", lambda: False)
    state = State(str(journal.root), False)
    assert state.may_use_plugin_for("list") is False
    assert state._journal is None
