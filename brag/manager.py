"""The plugin manager: built-in plugins from DEFAULT_PLUGINS, others by entry point.

Loading is lazy (only commands that need plugins pay for discovery) and
idempotent. A command that calls only some hooks loads only the built-in plugins
that implement them (:data:`BUILTIN_HOOKS`: an export needs the exporters, not
the importers with their HTTP and git helpers); every third-party plugin always
loads, and a later call that needs every built-in registers the rest in the order
a full load would have. A plugin that fails to import is named in one warning and skipped,
so one broken plugin never takes the rest of brag down with it.

``$BRAG_LOAD_PLUGINS`` (a comma list of entry-point or distribution names)
limits which third-party plugins load; set to the empty string, none do. The
built-in plugins always load.

A third-party importer, exporter or command with a built-in's name is refused
with a warning naming both plugins, unless the user opts in to the override
(``[plugins] override = ["github"]`` in brag.toml, or
``$BRAG_PLUGIN_OVERRIDE=github``).
"""

from __future__ import annotations

import importlib
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.metadata import EntryPoint
    from typing import Any

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
    "brag.plugins.peer_brief",
    "brag.plugins.github",
    "brag.plugins.gitlab",
    "brag.plugins.pagerduty",
    "brag.plugins.report",
    "brag.plugins.rewrite",
)

# The built-in plugins that implement ``entry_saved`` (a test keeps this true).
# When none does and no third-party plugin is installed, ``brag add`` skips
# loading plugins altogether: nothing could be listening.
BUILTIN_ENTRY_SAVED: tuple[str, ...] = ()

# The built-in plugins that implement ``register_commands`` (a test keeps this
# true). When none does and no third-party plugin is installed, ``brag --help``
# and "did you mean" list the built-in commands without loading any plugin.
BUILTIN_REGISTER_COMMANDS: tuple[str, ...] = ()

# The built-in plugins that implement each hook, in DEFAULT_PLUGINS order (a test
# keeps this true); a hook missing here is implemented by none. What
# ``get_plugin_manager(hooks=...)`` loads.
BUILTIN_HOOKS: dict[str, tuple[str, ...]] = {
    "register_importers": (
        "brag.plugins.git_history",
        "brag.plugins.incidents",
        "brag.plugins.design_docs",
        "brag.plugins.file_import",
        "brag.plugins.github",
        "brag.plugins.gitlab",
        "brag.plugins.pagerduty",
    ),
    "register_exporters": (
        "brag.plugins.career_documents",
        "brag.plugins.peer_brief",
        "brag.plugins.report",
    ),
}

#: The hooks an export calls: its exporter, the wording hook, the templates' hook.
EXPORT_HOOKS = ("register_exporters", "reframe_entry", "prepare_jinja2_environment")

ENTRY_POINT_GROUP = "brag"
#: Comma list of third-party plugins to load (entry-point or distribution names);
#: empty for none. Unset: every installed plugin loads.
LOAD_ENV = "BRAG_LOAD_PLUGINS"
#: Comma list of importer/exporter/command names a third-party plugin may take over.
OVERRIDE_ENV = "BRAG_PLUGIN_OVERRIDE"

_pm: pluggy.PluginManager | None = None
load_errors: list[tuple[str, str]] = []
# The built-in plugins _pm has tried to load (registered, or warned about).
_builtins_tried: set[str] = set()


def _warn(name: str, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}".strip()
    load_errors.append((name, message))
    print(
        f"brag: warning: plugin '{name}' failed to load and was skipped ({message})",
        file=sys.stderr,
    )


def _may_declare(group: str) -> bool:
    """False only when surely no distribution on ``sys.path`` declares ``group``
    (asked once per ``sys.path``: ``brag add`` asks twice, for its command and
    for the hook after it saves)."""
    key = (group, tuple(sys.path))
    found = _declared.get(key)
    if found is None:
        found = _declared[key] = _scan_declared(group)
    return found


#: (group, sys.path) -> what :func:`_may_declare` found.
_declared: dict[tuple[str, tuple[str, ...]], bool] = {}


def _scan_declared(group: str) -> bool:
    """:func:`_may_declare`, scanning.

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


def allowed_plugins() -> set[str] | None:
    """The third-party plugins ``$BRAG_LOAD_PLUGINS`` allows (None: no limit)."""
    import os

    raw = os.environ.get(LOAD_ENV)
    if raw is None:
        return None
    return {_normalize(name) for name in raw.split(",") if name.strip()}


def _normalize(name: str) -> str:
    # Distribution names compare like pip compares them: case and -_. do not matter.
    import re

    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _allowed(ep: EntryPoint, allowed: set[str] | None) -> bool:
    if allowed is None:
        return True
    dist = getattr(ep, "dist", None)
    names = {ep.name, ep.value.split(":")[0]}
    if dist is not None:
        names.add(dist.name)
    return bool({_normalize(n) for n in names} & allowed)


def _entry_points(group: str) -> list[EntryPoint]:
    allowed = allowed_plugins()
    if allowed == set() or not _may_declare(group):
        return []
    from importlib.metadata import entry_points

    return [ep for ep in entry_points(group=group) if _allowed(ep, allowed)]


def entry_saved(entry: Entry, journal: Journal) -> None:
    """Run the ``entry_saved`` hook, without loading plugins when none could listen."""
    if (
        _pm is None
        and not BUILTIN_ENTRY_SAVED
        and (allowed_plugins() == set() or not _may_declare(ENTRY_POINT_GROUP))
    ):
        return
    get_plugin_manager(hooks=("entry_saved",)).hook.entry_saved(entry=entry, journal=journal)


def plugin_commands_possible() -> bool:
    """Whether any plugin could add a command: False lets ``brag --help`` skip
    loading plugins (pluggy and every built-in plugin's imports) altogether."""
    return (
        _pm is not None
        or bool(BUILTIN_REGISTER_COMMANDS)
        or (allowed_plugins() != set() and _may_declare(ENTRY_POINT_GROUP))
    )


def get_plugin_manager(hooks: Iterable[str] | None = None) -> pluggy.PluginManager:
    """The plugin manager, with every third-party plugin and the built-in ones that
    implement ``hooks`` (default: every built-in plugin) registered.

    The same manager for the life of the process: a later call that needs more
    built-in plugins registers them, and re-registers the plugins it already
    held, so hook implementations are called in the order a full load gives
    (built-ins in :data:`DEFAULT_PLUGINS` order, then the others as they came).
    """
    global _pm
    if hooks is None:
        wanted = DEFAULT_PLUGINS
    else:
        needed = {name for hook in hooks for name in BUILTIN_HOOKS.get(hook, ())}
        wanted = tuple(name for name in DEFAULT_PLUGINS if name in needed)
    if _pm is not None and _builtins_tried.issuperset(wanted):
        return _pm
    import pluggy

    if _pm is None:
        from . import hookspecs

        pm = pluggy.PluginManager("brag")
        pm.add_hookspecs(hookspecs)
        _builtins_tried.clear()
        for name, module in _import_builtins(wanted).items():
            _register(pm, name, module)
        for ep in _entry_points(ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
                pm.register(plugin, name=ep.name)
            except Exception as exc:
                _warn(ep.name, exc)
    else:
        pm = _pm
        held = [(name, plugin) for name, plugin in pm.list_name_plugin() if plugin is not None]
        for name, _plugin in held:
            pm.unregister(name=name)
        builtins = {name: plugin for name, plugin in held if name in DEFAULT_PLUGINS}
        builtins.update(_import_builtins(wanted))
        for name in DEFAULT_PLUGINS:
            if name in builtins:
                _register(pm, name, builtins[name])
        for name, plugin in held:
            if name not in DEFAULT_PLUGINS:
                _register(pm, name, plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        bad = getattr(exc, "plugin_name", None) or "unknown"
        if bad != "unknown" and pm.has_plugin(bad):
            pm.unregister(name=bad)
        _warn(str(bad), exc)
    _pm = pm
    return pm


def _import_builtins(wanted: Iterable[str]) -> dict[str, Any]:
    """The modules of the built-in plugins of ``wanted`` not tried before, in order."""
    found: dict[str, Any] = {}
    for name in wanted:
        if name in _builtins_tried:
            continue
        _builtins_tried.add(name)
        try:
            found[name] = importlib.import_module(name)
        except Exception as exc:  # a broken built-in must not break brag either
            _warn(name, exc)
    return found


def _register(pm: pluggy.PluginManager, name: str, plugin: Any) -> None:
    try:
        pm.register(plugin, name=name)
    except Exception as exc:
        _warn(name, exc)


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


# Collisions already warned about, so a command that lists importers twice warns once.
_warned_collisions: set[tuple[str, str, str]] = set()


def overrides(config: dict[str, Any] | None = None) -> set[str]:
    """Names a third-party plugin may take from a built-in: ``$BRAG_PLUGIN_OVERRIDE``
    plus ``[plugins] override`` in brag.toml (``config``; default: the journal brag
    would open)."""
    import os

    names = {n.strip() for n in os.environ.get(OVERRIDE_ENV, "").split(",") if n.strip()}
    if config is None:
        config = _journal_config()
    section = config.get("plugins", {}) if isinstance(config, dict) else {}
    listed = section.get("override", []) if isinstance(section, dict) else []
    if isinstance(listed, str):
        listed = [listed]
    if isinstance(listed, list):
        names.update(str(n).strip() for n in listed if str(n).strip())
    return names


def _journal_config() -> dict[str, Any]:
    """brag.toml of the journal brag would open, or {} (no journal, unreadable file)."""
    try:
        from .journal import Journal, locate

        return Journal(locate()).config
    except Exception:  # a broken brag.toml is reported by the command that reads it
        return {}


def is_builtin(plugin_name: str | None) -> bool:
    return plugin_name in DEFAULT_PLUGINS or plugin_name == "brag"


def keep_or_override(kind: str, name: str, existing: str, newcomer: str) -> bool:
    """Whether ``newcomer`` (a plugin name) may replace ``existing``'s ``kind`` ``name``.

    A third-party plugin never silently replaces a built-in: it is refused with a
    warning naming both, unless ``name`` is in :func:`overrides`. Between two
    third-party plugins (or two built-ins) the first one registered is kept.
    Commands use this too, so ``brag NAME`` follows the same rule.
    """
    if not is_builtin(existing) or is_builtin(newcomer):
        return False
    allowed = name in overrides()
    key = (kind, name, newcomer)
    if key not in _warned_collisions:
        _warned_collisions.add(key)
        if allowed:
            message = (
                f"{kind} '{name}' from plugin '{newcomer}' replaces the built-in one from "
                f"'{existing}' (listed in [plugins] override)"
            )
        else:
            message = (
                f"plugin '{newcomer}' also defines the {kind} '{name}'; keeping the built-in "
                f"one from '{existing}' (add \"{name}\" to [plugins] override in brag.toml "
                f"or ${OVERRIDE_ENV} to use the plugin's)"
            )
        print(f"brag: warning: {message}", file=sys.stderr)
    return allowed


def _collect(hook_name: str, kind: str) -> dict[str, Any]:
    """Call a ``register_*`` hook plugin by plugin, resolving name collisions."""
    pm = get_plugin_manager(hooks=(hook_name,))
    found: dict[str, Any] = {}
    owner: dict[str, str] = {}
    caller = getattr(pm.hook, hook_name)
    # Built-ins first, then third-party plugins in registration order.
    impls = sorted(caller.get_hookimpls(), key=lambda impl: not is_builtin(impl.plugin_name))
    for impl in impls:
        plugin_name = impl.plugin_name

        def register(item: Any, _plugin: str = plugin_name) -> None:
            name = item.name
            if name in found and not keep_or_override(kind, name, owner[name], _plugin):
                return
            found[name] = item
            owner[name] = _plugin

        impl.function(*[{"register": register}[arg] for arg in impl.argnames])
    return found


def importers() -> dict[str, Importer]:
    """Every registered importer by name (built-ins win collisions unless overridden)."""
    return _collect("register_importers", "importer")


def exporters() -> dict[str, Exporter]:
    """Every registered exporter by name (built-ins win collisions unless overridden)."""
    return _collect("register_exporters", "exporter")
