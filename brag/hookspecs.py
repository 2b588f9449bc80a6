"""The hooks a brag plugin can implement.

A plugin is any module or object with functions decorated ``@brag.hookimpl``
whose names match these specs. Built-in plugins live in ``plugins/`` (installed
as ``brag.plugins``); third-party ones are found through the ``brag``
entry-point group. Every hook is documented in ``docs/plugins.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    import jinja2

    from .entry import Entry
    from .exporting import Exporter
    from .importing import Importer
    from .journal import Journal

hookspec = pluggy.HookspecMarker("brag")
hookimpl = pluggy.HookimplMarker("brag")


@hookspec
def register_importers(register: Callable[[Importer], None]) -> None:
    """Register importers by calling ``register(Importer(...))`` for each one."""


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register exporters by calling ``register(Exporter(...))`` for each one."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``brag`` CLI with ``@cli.command()``."""


@hookspec
def entry_saved(entry: Entry, journal: Journal) -> None:
    """React to an entry that was just committed (added, edited or imported)."""


@hookspec(firstresult=True)
def reframe_entry(entry: Entry, audience: str) -> Any | None:
    """Return the impact-first wording of ``entry`` for ``audience``, or None to
    leave it to the next plugin (and finally to the built-in wording)."""


@hookspec
def prepare_jinja2_environment(env: jinja2.Environment) -> None:
    """Modify the Jinja2 environment exporters render with (add filters, globals)."""
