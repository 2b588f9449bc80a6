"""The hooks a brag plugin can implement.

A plugin is any module or object with functions decorated ``@brag.hookimpl``
whose names match these specs. Built-in plugins live in ``plugins/`` (installed
as ``brag.plugins``); third-party ones are found through the ``brag``
entry-point group. Every hook is documented in ``docs/plugins.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pluggy

if TYPE_CHECKING:
    import click
    import jinja2

    from .entry import Entry
    from .exporting import Exporter
    from .impact import Reframed
    from .importing import Importer
    from .journal import Journal

hookspec = pluggy.HookspecMarker("brag")
hookimpl = pluggy.HookimplMarker("brag")


class RegisterImporter(Protocol):
    """The ``register`` callback handed to ``register_importers``."""

    def __call__(self, importer: Importer, /) -> None: ...


class RegisterExporter(Protocol):
    """The ``register`` callback handed to ``register_exporters``."""

    def __call__(self, exporter: Exporter, /) -> None: ...


@hookspec
def register_importers(register: RegisterImporter) -> None:
    """Register importers: call ``register(Importer(...))`` once for each."""


@hookspec
def register_exporters(register: RegisterExporter) -> None:
    """Register exporters: call ``register(Exporter(...))`` once for each."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``brag`` CLI with ``@cli.command()``."""


@hookspec
def entry_saved(entry: Entry, journal: Journal) -> None:
    """React to an entry that was just committed (added, edited or imported)."""


@hookspec(firstresult=True)
def reframe_entry(entry: Entry, audience: str, journal: Journal) -> str | Reframed | None:
    """Return the impact-first wording of ``entry`` for ``audience``, or None to
    leave it to the next plugin (and finally to the built-in wording).

    ``journal`` gives the plugin its settings (``journal.config``, brag.toml).
    """


@hookspec
def prepare_jinja2_environment(env: jinja2.Environment) -> None:
    """Add filters, tests or globals to the Jinja2 environment exporters render with."""
