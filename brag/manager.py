"""The plugin manager: built-in plugins from DEFAULT_PLUGINS, others by entry point.

Loading is lazy (only commands that need plugins pay for discovery) and
idempotent. A plugin that fails to import is named in one warning and skipped,
so one broken plugin never takes the rest of brag down with it.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    import pluggy

    from .entry import Entry
    from .exporting import Exporter
    from .importing import Importer
    from .journal import Journal

# Built-in plugins, registered by module name.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "brag.plugins.git_history",
    "brag.plugins.incidents",
    "brag.plugins.design_docs",
    "brag.plugins.file_import",
    "brag.plugins.career_documents",
    "brag.plugins.github",
    "brag.plugins.gitlab",
    "brag.plugins.pagerduty",
    "brag.plugins.report",
)

# The built-in plugins that implement ``entry_saved`` (a test keeps this true).
# When none does and no third-party plugin is installed, ``brag add`` skips
# loading plugins altogether: nothing could be listening.
BUILTIN_ENTRY_SAVED: tuple[str, ...] = ()

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


def _may_declare(group: str) -> bool:
    """False only when surely no distribution on ``sys.path`` declares ``group``.

    ``brag add`` runs the ``entry_saved`` hook, so it discovers plugins; with
    importlib.metadata that costs ~15 ms (~11 ms just to import it), a tenth of
    the command's budget. Most installs have no third-party brag plugin, and
    reading the few ``entry_points.txt`` files on ``sys.path`` shows that in
    ~1 ms. Anything this check cannot see through (a zip on ``sys.path``, a
    custom distribution finder) answers True and the full lookup runs.
    """
    import os
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return True
    header = f"[{group}]"
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except NotADirectoryError:
            return True  # a zip or egg file
        except OSError:
            continue
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                meta = os.path.join(entry, child)
            elif low == "egg-info" and entry.lower().endswith(".egg"):
                meta = os.path.join(entry, child)
            else:
                continue
            try:
                with open(os.path.join(meta, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except (NotADirectoryError, FileNotFoundError):
                continue
            except (OSError, UnicodeDecodeError):
                return True
            if any(line.strip().replace(" ", "") == header for line in text.splitlines()):
                return True
    return False


def _entry_points(group: str) -> list[EntryPoint]:
    if not _may_declare(group):
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=group))


def entry_saved(entry: Entry, journal: Journal) -> None:
    """Run the ``entry_saved`` hook, without loading plugins when none could listen."""
    if _pm is None and not BUILTIN_ENTRY_SAVED and not _may_declare(ENTRY_POINT_GROUP):
        return
    get_plugin_manager().hook.entry_saved(entry=entry, journal=journal)


def get_plugin_manager() -> pluggy.PluginManager:
    global _pm
    if _pm is not None:
        return _pm
    import pluggy

    from . import hookspecs

    pm = pluggy.PluginManager("brag")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        try:
            module = importlib.import_module(module_name)
            pm.register(module, name=module_name)
        except Exception as exc:  # a broken built-in must not break brag either
            _warn(module_name, exc)
    for ep in _entry_points(ENTRY_POINT_GROUP):
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
