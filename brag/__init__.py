"""brag: a git-backed accomplishment journal for software engineers.

Plugins use ``brag.hookimpl`` to mark hook implementations::

    import brag

    @brag.hookimpl
    def register_commands(cli):
        ...
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    # Lazy, so commands that never touch plugins do not import pluggy.
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'brag' has no attribute {name!r}")
