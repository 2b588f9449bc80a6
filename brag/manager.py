"""The plugin manager: built-in plugins from DEFAULT_PLUGINS, others by entry point.

Loading is lazy (only commands that need plugins pay for discovery) and
idempotent. A plugin that fails to import is named in one warning and skipped,
so one broken plugin never takes the rest of brag down with it.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import pluggy

from . import hookspecs

if TYPE_CHECKING:
    from .exporting import Exporter
    from .importing import Importer

# Built-in plugins, registered by module name.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "brag.plugins.git_history",
    "brag.plugins.incidents",
    "brag.plugins.design_docs",
    "brag.plugins.file_import",
    "brag.plugins.documents",
    "brag.plugins.report",
)

ENTRY_POINT_GROUP = "brag"

_pm: pluggy.PluginManager | None = None
load_errors: list[tuple[str, str]] = []


def _warn(name: str, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}".strip()
    load_errors.append((name, message))
    print(
        f"brag: warning: plugin '{name}' failed to load and was skipped ({message})",
        file=sys.stderr,
    )


def get_plugin_manager() -> pluggy.PluginManager:
    global _pm
    if _pm is not None:
        return _pm
    pm = pluggy.PluginManager("brag")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        try:
            module = importlib.import_module(module_name)
            pm.register(module, name=module_name)
        except Exception as exc:  # a broken built-in must not break brag either
            _warn(module_name, exc)
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:
            _warn(ep.name, exc)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        bad = getattr(exc, "plugin_name", None) or "unknown"
        if bad != "unknown" and pm.has_plugin(bad):
            pm.unregister(name=bad)
        _warn(str(bad), exc)
    _pm = pm
    return pm


def plugins_info() -> list[dict[str, object]]:
    """Each registered plugin with the hooks it implements (for ``brag plugins``)."""
    pm = get_plugin_manager()
    result = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        dist = None
        for dist_info in pm.list_plugin_distinfo():
            if dist_info[0] is plugin:
                dist = f"{dist_info[1].project_name} {dist_info[1].version}"
        result.append(
            {"name": name, "hooks": hooks, "builtin": name in DEFAULT_PLUGINS, "distribution": dist}
        )
    return sorted(result, key=lambda p: (not p["builtin"], str(p["name"])))


def importers() -> dict[str, Importer]:
    found: dict[str, Importer] = {}
    get_plugin_manager().hook.register_importers(
        register=lambda imp: found.setdefault(imp.name, imp)
    )
    return found


def exporters() -> dict[str, Exporter]:
    found: dict[str, Exporter] = {}
    get_plugin_manager().hook.register_exporters(
        register=lambda exp: found.setdefault(exp.name, exp)
    )
    return found
