"""brag: a git-backed accomplishment journal for software engineers.

Everything a plugin needs is importable from ``brag`` itself (see
``docs/plugins.md``)::

    import brag

    @brag.hookimpl
    def register_importers(register):
        register(brag.Importer(name="tickets", help="...", fetch=...))

The names are loaded on first use, so ``import brag`` stays cheap.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .entry import Entry
    from .errors import BragError
    from .exporting import ExportContext, Exporter
    from .hookspecs import hookimpl
    from .importing import ImportContext, Importer, Progress
    from .journal import Journal

__version__ = "0.1.0"

# Public name -> the module it lives in.
_PUBLIC: dict[str, str] = {
    "hookimpl": ".hookspecs",
    "Entry": ".entry",
    "Importer": ".importing",
    "ImportContext": ".importing",
    "Progress": ".importing",
    "Exporter": ".exporting",
    "ExportContext": ".exporting",
    "BragError": ".errors",
    "Journal": ".journal",
}

__all__ = [
    "BragError",
    "Entry",
    "ExportContext",
    "Exporter",
    "ImportContext",
    "Importer",
    "Journal",
    "Progress",
    "__version__",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    # Lazy, so commands that never touch plugins import neither pluggy nor the core types.
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'brag' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
