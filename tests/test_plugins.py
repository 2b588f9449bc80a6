"""The plugin manager and every hook the core provides, exercised by real plugins."""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from pathlib import Path

import click
import pytest

import brag
from brag import hookimpl, manager
from brag.entry import Entry
from brag.errors import BragError
from brag.exporting import ExportContext, Exporter
from brag.importing import ImportContext, Importer

from conftest import git


class ThirdPartyPlugin:
    """A small plugin implementing the four core hooks."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    @brag.hookimpl
    def register_importers(self, register):
        def fetch(ctx: ImportContext):
            for n in range(int(ctx.option("count", 2))):
                yield Entry(
                    title=f"Ticket {n}",
                    date=dt.date(2026, 5, 1 + n),
                    source="tickets",
                    source_id=f"T-{n}",
                )

        register(
            Importer(
                name="tickets",
                help="Import tickets.",
                fetch=fetch,
                params=[click.Option(["--count"], type=int)],
            )
        )

    @brag.hookimpl
    def register_exporters(self, register):
        def render(ctx: ExportContext) -> str:
            return "\n".join(f"* {e.title}" for e in ctx.entries) + "\n"

        register(Exporter(name="bullets", help="Plain bullets.", render=render))

    @brag.hookimpl
    def register_commands(self, cli):
        @cli.command()
        @click.argument("name")
        def hello(name):
            """Say hello."""
            click.echo(f"hello {name}")

    @brag.hookimpl
    def entry_saved(self, entry, journal):
        self.saved.append(entry.title)


@pytest.fixture
def plugin():
    instance = ThirdPartyPlugin()
    manager.get_plugin_manager().register(instance, name="third-party")
    return instance


def test_hook_register_commands(brag, plugin):
    assert brag("hello", "world").stdout == "hello world\n"
    assert "hello" in brag("--help").stdout


def test_hook_entry_saved(brag, journal, plugin):
    brag("add", "Shipped it")
    assert plugin.saved == ["Shipped it"]


def test_hook_register_importers(brag, journal, plugin):
    out = brag("import", "tickets", "--count", "3").stdout
    assert "added 3, already present 0" in out
    assert plugin.saved == ["Ticket 0", "Ticket 1", "Ticket 2"]
    assert git(journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: import 3 entries from tickets"
    )
    again = brag("import", "tickets", "--count", "3").stdout
    assert "added 0, already present 3" in again
    assert len(json.loads(brag("list", "--json").stdout)) == 3


def test_hook_register_exporters(brag, journal, plugin):
    brag("add", "Public win")
    brag("add", "--private", "Secret win")
    out = brag("export", "bullets").stdout
    assert out == "* Public win\n"
    assert "Secret win" in brag("export", "bullets", "--include-private").stdout


def test_plugins_command_lists_hooks(brag, plugin):
    data = json.loads(brag("plugins", "--json").stdout)
    mine = next(p for p in data["plugins"] if p["name"] == "third-party")
    assert mine["hooks"] == [
        "entry_saved",
        "register_commands",
        "register_exporters",
        "register_importers",
    ]
    assert "third-party" in brag("plugins").stdout


def _fake_distribution(tmp_path: Path, name: str, module_source: str) -> None:
    """A real installed distribution (dist-info + module) on sys.path, found by entry point."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[brag]\n{name} = {name}\n")


@pytest.fixture
def site_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield
    for name in list(sys.modules):
        if name.startswith("brag_test_"):
            del sys.modules[name]


def test_entry_point_plugin_is_discovered(brag, tmp_path, site_path, journal):
    _fake_distribution(
        tmp_path,
        "brag_test_greeter",
        """
        import click
        import brag

        @brag.hookimpl
        def register_commands(cli):
            @cli.command()
            def greet():
                click.echo("greetings from an installed plugin")
    """,
    )
    assert brag("greet").stdout == "greetings from an installed plugin\n"
    assert "brag_test_greeter" in brag("plugins").stdout


def test_broken_plugin_is_named_and_the_rest_works(brag, tmp_path, site_path, journal):
    _fake_distribution(tmp_path, "brag_test_broken", "raise RuntimeError('boom')\n")
    result = brag("add", "Still works")
    assert "plugin 'brag_test_broken' failed to load" in result.stderr
    assert "boom" in result.stderr
    assert result.stderr.count("brag_test_broken") == 1
    assert "Still works" in brag("list").stdout


def test_hookimpl_without_spec_is_rejected(brag, tmp_path, site_path, journal):
    _fake_distribution(
        tmp_path,
        "brag_test_typo",
        """
        import brag

        @brag.hookimpl
        def register_comands(cli):
            pass
    """,
    )
    result = brag("plugins")
    assert "brag_test_typo" in result.stderr and "register_comands" in result.stderr


def test_every_hook_is_documented_and_tested():
    from brag import hookspecs

    hooks = [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "brag_spec")]
    docs = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text()
    tests = "".join(p.read_text() for p in Path(__file__).parent.rglob("test_*.py"))
    for hook in hooks:
        assert f"`{hook}(" in docs, f"{hook} missing from docs/plugins.md"
        assert f"def test_hook_{hook}" in tests, f"no test_hook_{hook}"


def test_builtin_entry_saved_list_is_true():
    import importlib

    implementing = tuple(
        name
        for name in manager.DEFAULT_PLUGINS
        if hasattr(importlib.import_module(name), "entry_saved")
    )
    assert implementing == manager.BUILTIN_ENTRY_SAVED


def test_builtin_register_commands_list_is_true():
    import importlib

    implementing = tuple(
        name
        for name in manager.DEFAULT_PLUGINS
        if hasattr(importlib.import_module(name), "register_commands")
    )
    assert implementing == manager.BUILTIN_REGISTER_COMMANDS


def test_help_loads_no_plugins_when_none_could_add_a_command(brag):
    out = brag("--help").stdout
    assert "import" in out and "export" in out
    assert manager._pm is None


def test_add_loads_no_plugins_when_none_could_listen(brag, journal):
    brag("add", "Quick")
    assert manager._pm is None


def test_import_options_fall_back_to_brag_toml_but_zero_on_the_cli_wins(brag, journal, plugin):
    journal.config_set("import.tickets.count", 2)
    assert "added 2" in brag("import", "tickets").stdout
    journal.config_set("import.tickets.count", 4)
    assert "added 0, already present 0" in brag("import", "tickets", "--count", "0").stdout


# -- what plugins hand back, and when they fail ------------------------------------------


class Fetching:
    """An importer plugin whose fetch does what a test asks of it."""

    def __init__(self, items) -> None:
        self.items = items

    @hookimpl
    def register_importers(self, register):
        def fetch(ctx: ImportContext):
            yield Entry(title="Good one", date=dt.date(2026, 5, 1), source="odd", source_id="1")
            yield from self.items()

        register(Importer(name="odd", help="Odd items.", fetch=fetch))


def test_fetch_yielding_a_non_entry_is_one_line_naming_the_plugin(brag, journal):
    manager.get_plugin_manager().register(Fetching(lambda: [{"title": "a dict"}]), name="odd")
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("import", "odd", expect=1)
    assert result.stderr.strip().count("\n") == 0
    assert "importer 'odd' (plugin test_plugins) yielded dict; expected an Entry draft" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    # Nothing was half-written: not even the good item before the bad one.
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert brag("list").stderr == "No entries.\n"


def _boom():
    raise RuntimeError("service said no")
    yield  # pragma: no cover


def test_plugin_exception_in_fetch_is_one_line_and_debug_shows_the_traceback(brag, journal, runner):
    from brag.cli import cli

    manager.get_plugin_manager().register(Fetching(_boom), name="odd")
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("import", "odd", expect=1)
    assert result.stderr == (
        "Error: importer 'odd' (plugin test_plugins) failed: RuntimeError: service said no\n"
    )
    assert git(journal.root, "rev-parse", "HEAD") == head
    debug = runner.invoke(cli, ["--debug", "import", "odd"])
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "RuntimeError: service said no" in debug.stderr


def test_plugin_exception_in_export_is_one_line_naming_the_plugin(brag, journal, tmp_path):
    class Failing:
        @hookimpl
        def register_exporters(self, register):
            def render(ctx: ExportContext) -> str:
                raise RuntimeError("template engine on fire")

            register(Exporter(name="failing", help="Fails.", render=render))

    manager.get_plugin_manager().register(Failing(), name="failing")
    brag("add", "Something")
    out = tmp_path / "doc.md"
    result = brag("export", "failing", "-o", str(out), expect=1)
    assert result.stderr == (
        "Error: exporter 'failing' (plugin test_plugins) failed: "
        "RuntimeError: template engine on fire\n"
    )
    assert not out.exists()


def test_hook_reframe_entry_wording_shows_in_brag_show(brag, journal):
    class Wording:
        @hookimpl
        def reframe_entry(self, entry, audience):
            return f"{audience.upper()} READS: {entry.title}"

    manager.get_plugin_manager().register(Wording(), name="wording")
    entry_id = json.loads(brag("add", "Cut p99 from 800ms to 200ms", "--json").stdout)["id"]
    assert "reads as: MANAGER READS: Cut p99 from 800ms to 200ms" in brag("show", entry_id).stdout
    shown = json.loads(brag("show", entry_id, "--json", "--audience", "exec").stdout)
    assert shown["analysis"]["reframed"] == "EXEC READS: Cut p99 from 800ms to 200ms"


def test_export_context_asks_the_hook_caller_it_was_given_with_the_journal(journal):
    class Hooks:
        """A hook caller with one hook, recording what it is asked."""

        def __init__(self) -> None:
            self.calls: list[dict] = []

        def reframe_entry(self, **kwargs):
            self.calls.append(kwargs)
            return "Reworded"

    entry = Entry(title="Shipped it", date=dt.date(2026, 5, 1))
    hooks = Hooks()
    context = ExportContext(journal=journal, entries=[entry], since=None, until=None, hook=hooks)
    assert context.reframe(entry).headline == "Reworded"
    assert hooks.calls == [{"entry": entry, "audience": "manager", "journal": journal}]
    # Without a hook caller only the built-in wording is used: no global plugin manager.
    plain = ExportContext(journal=journal, entries=[entry], since=None, until=None)
    assert plain.reframe(entry).headline != "Reworded"
    assert manager._pm is None


def test_run_import_and_run_export_are_callable_without_the_cli(journal, plugin, tmp_path):
    from brag.exporting import run_export
    from brag.importing import run_import

    result = run_import(journal, "tickets", options={"count": 3})
    assert [e.source_id for e in result.added] == ["T-0", "T-1", "T-2"]
    out = tmp_path / "bullets.md"
    written = run_export(journal, "bullets", output=out)
    assert written.path == out and written.entries == 3
    assert out.read_text() == "* Ticket 0\n* Ticket 1\n* Ticket 2\n" == written.text
    with pytest.raises(BragError, match="no importer 'nope'"):
        run_import(journal, "nope", options={})


def test_builtin_hooks_list_is_true():
    import importlib

    from brag import hookspecs

    hooks = [n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "brag_spec")]
    for hook in hooks:
        implementing = tuple(
            name for name in manager.DEFAULT_PLUGINS if hasattr(importlib.import_module(name), hook)
        )
        assert implementing == manager.BUILTIN_HOOKS.get(hook, ()), hook
    assert set(manager.BUILTIN_HOOKS) <= set(hooks)


EXPORTING = """
import brag
from brag.exporting import Exporter

@brag.hookimpl
def register_exporters(register):
    register(Exporter(name="titles", help="Titles.",
                      render=lambda ctx: "".join(f"- {e.title}\\n" for e in ctx.entries)))

@brag.hookimpl
def register_importers(register):
    pass
"""


def _loaded_builtins() -> list[str]:
    assert manager._pm is not None
    return [n for n, _ in manager._pm.list_name_plugin() if n in manager.DEFAULT_PLUGINS]


def test_an_export_loads_only_the_exporters_and_an_installed_plugins_exporter_is_found(
    brag, tmp_path, site_path, journal, monkeypatch
):
    import importlib

    _fake_distribution(tmp_path, "brag_test_titles", EXPORTING)
    monkeypatch.delenv(manager.LOAD_ENV, raising=False)
    importlib.invalidate_caches()  # the folder is new since it was put on sys.path
    brag("add", "Shipped the queue")
    assert brag("export", "titles").stdout == "- Shipped the queue\n"
    assert "status" in brag("export", "--list").stdout
    assert _loaded_builtins() == list(manager.BUILTIN_HOOKS["register_exporters"])
    # Asking for every plugin afterwards gives exactly what a full load gives:
    # every built-in, in order, then the installed plugin.
    listed = brag("plugins").stdout
    order = [n for n, _ in manager._pm.list_name_plugin()]
    builtins = len(manager.DEFAULT_PLUGINS)
    assert order[:builtins] == list(manager.DEFAULT_PLUGINS)
    assert "brag_test_titles" in order[builtins:]
    assert "brag_test_titles" in listed and "brag.plugins.github" in listed
    calls = manager._pm.hook.register_importers.get_hookimpls()
    manager._pm = None
    full = manager.get_plugin_manager()
    assert [n for n, _ in full.list_name_plugin()] == order
    assert [i.plugin_name for i in full.hook.register_importers.get_hookimpls()] == [
        i.plugin_name for i in calls
    ]
    assert "github" in manager.importers() and "titles" in manager.exporters()


def test_a_plugin_registered_before_the_rest_of_the_builtins_load_keeps_working(brag, journal):
    manager.get_plugin_manager(hooks=("register_exporters",))
    third_party = ThirdPartyPlugin()
    manager._pm.register(third_party, name="third-party")
    assert "tickets" in manager.importers() and "bullets" in manager.exporters()
    kinds = {
        *manager.BUILTIN_HOOKS["register_importers"],
        *manager.BUILTIN_HOOKS["register_exporters"],
    }
    assert [n for n, _ in manager._pm.list_name_plugin()] == [
        *(n for n in manager.DEFAULT_PLUGINS if n in kinds),
        "third-party",
    ]
    full = [n for n, _ in manager.get_plugin_manager().list_name_plugin()]
    assert full == [*manager.DEFAULT_PLUGINS, "third-party"]
    brag("add", "Kept in the log")
    assert third_party.saved == ["Kept in the log"]
