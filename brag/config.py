"""The settings brag knows: each key's type and one-line meaning.

Two schemas share this machinery. :data:`JOURNAL` describes ``brag.toml`` (committed
and synced with the journal); :data:`MACHINE` describes this machine's own
settings (:mod:`brag.machine`: the default journal, approved API hosts, model
consent), which must never travel with a journal.

``brag config set`` parses a value by its key's type (a list accepts TOML or
comma-separated text), rejects unknown keys with a "did you mean", and checks
levels and URLs before anything is written. A hand-written file is checked with
the same schema when it is read: a wrong type is an error naming the file and
line, an unknown key a warning (another machine may run a newer brag).

Plugins declare their own sections with :func:`register_section`; every
importer's and exporter's command-line options are declared for them as
``[import.NAME]`` and ``[export.NAME]``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: The value types a setting can have.
TYPES = ("string", "list", "level", "bool", "int", "url", "path", "table")

_TYPE_WORDS = {
    "string": "a string",
    "list": "a list of strings",
    "level": "a level",
    "bool": "true or false",
    "int": "a whole number",
    "url": "an http(s) URL",
    "path": "a folder path",
    "table": "a table",
}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_MAX_INT = 10**9


@dataclass(frozen=True)
class Setting:
    """One key: its full dotted name, type and what it is for."""

    key: str
    type: str
    help: str
    minimum: int | None = None
    #: Derived from a plugin's command-line option: ``config set`` parses by type,
    #: but a hand-written value is left for the plugin to judge (``map`` may be a table).
    loose: bool = False

    @property
    def type_words(self) -> str:
        return _TYPE_WORDS[self.type]


@dataclass
class Section:
    """A table of settings. ``free`` is the type of keys it does not list
    (``[glossary]`` takes any term); ``owner`` names the plugin that declared it."""

    name: str
    help: str
    settings: dict[str, Setting] = field(default_factory=dict)
    free: str | None = None
    owner: str = "brag"

    def setting(self, name: str) -> Setting | None:
        found = self.settings.get(name)
        if found is None and self.free:
            return Setting(_join(self.name, name), self.free, self.help)
        return found


def section(name: str, help: str, *keys: tuple[str, str, str], **kw: Any) -> Section:
    """A :class:`Section` from ``(name, type, help)`` triples."""
    settings = {}
    for key, kind, text in keys:
        if kind not in TYPES:
            raise ValueError(f"unknown setting type {kind!r} for {key}")
        settings[key] = Setting(_join(name, key), kind, text, kw.pop(f"{key}_minimum", None))
    return Section(name, help, settings, **kw)


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


# -- the schemas --------------------------------------------------------------

_JOURNAL_SECTIONS = [
    section(
        "user",
        "Who you are: documents, imports and the coach use it.",
        ("name", "string", "Your name as documents show it."),
        ("emails", "list", "Your commit emails: imports count your work by them."),
        ("email", "string", "One commit email (older journals; prefer user.emails)."),
        ("level", "level", "Your current level: mid, senior, staff or principal."),
        ("target_level", "level", "The level you aim for: stats, coach and briefs measure to it."),
    ),
    section("sync", "Syncing with a git remote.", ("auto", "bool", "Sync after every change.")),
    section(
        "coach",
        "What 'brag coach' flags.",
        ("gap_days", "int", "Days without an entry before a gap is flagged."),
        gap_days_minimum=1,
    ),
    section(
        "inbox",
        "What 'brag inbox' asks about.",
        ("follow_up_launches", "string", 'Ask for a launch result after this span: "30d", "6w".'),
    ),
    section(
        "plugins",
        "Installed plugins.",
        ("override", "list", "Built-in names a third-party plugin may take over."),
    ),
    section(
        "glossary",
        'Terms explained once for non-technical readers: TERM = "meaning".',
        free="string",
    ),
    section(
        "impact.keywords",
        'Extra words that place an entry in an impact area: AREA = ["word", …].',
        free="list",
    ),
    section(
        "lenses",
        "Your own audience lenses: [lenses.NAME] with weights, leverage, extends.",
        free="table",
    ),
    section(
        "llm",
        "Rewriting documents with a language model: export --rewrite (docs/rewrite.md).",
        ("model", "string", "Model for --rewrite (an llm model id or alias)."),
        ("redact", "list", "Names replaced by placeholders before anything is sent."),
        ("timeout", "int", "Seconds brag waits for the model."),
        timeout_minimum=1,
    ),
]

_MACHINE_SECTIONS = [
    section(
        "",
        "This machine's own settings.",
        ("journal", "path", "The journal brag uses when no other is given or enclosing."),
        ("approved_hosts", "list", "API hosts this machine may send tokens to."),
    ),
    section("llm", "Language models.", ("models", "list", "Models allowed to read your entries.")),
]

#: Sections whose sub-tables belong to plugins: unknown ones warn, never fail.
PLUGIN_PARENTS = ("import", "export")

_registered: dict[str, Section] = {}


def register_section(
    name: str, help: str, settings: Iterable[tuple[str, str, str]] = (), owner: str = "plugin"
) -> Section:
    """Declare a plugin's own ``brag.toml`` section: ``(key, type, help)`` triples.

    ``register_section("jira", "Jira.", [("site", "url", "Your Jira site.")], "brag-jira")``
    """
    declared = section(name, help, *settings, owner=owner)
    _registered[name] = declared
    return declared


def _option_type(param: Any) -> str:
    import click

    if getattr(param, "is_flag", False):
        return "bool"
    if getattr(param, "multiple", False) or getattr(param, "nargs", 1) != 1:
        return "list"
    if isinstance(param.type, (click.types.IntParamType, click.IntRange)):
        return "int"
    return "string"


def _from_params(name: str, help: str, params: Iterable[Any], owner: str) -> Section:
    settings = {}
    for param in params:
        if not getattr(param, "name", None) or not getattr(param, "opts", None):
            continue
        text = " ".join(str(getattr(param, "help", "") or "").split())
        text = text or f"The {param.name.upper()} argument of 'brag {name.replace('.', ' ')}'."
        kind = "level" if param.name == "target" else _option_type(param)
        settings[param.name] = Setting(_join(name, param.name), kind, text, loose=True)
    return Section(name, help.strip().split("\n", 1)[0], settings, owner=owner)


def plugin_sections() -> dict[str, Section]:
    """Sections declared by plugins: ``import.NAME``, ``export.NAME`` from their
    options, and anything passed to :func:`register_section`."""
    from .importing import plugin_of
    from .manager import exporters, importers

    found: dict[str, Section] = {}
    for name, importer in importers().items():
        found[f"import.{name}"] = _from_params(
            f"import.{name}", importer.help, importer.params, plugin_of(importer.fetch)
        )
    for name, exporter in exporters().items():
        origin = plugin_of(exporter.build or exporter.render)
        found[f"export.{name}"] = _from_params(
            f"export.{name}", exporter.help, exporter.params, origin
        )
    for name, declared in _registered.items():
        if name in found:  # a plugin's settings beside its options (max_wait, say)
            found[name].settings.update(declared.settings)
        else:
            found[name] = declared
    return found


class Schema:
    """The known sections of one settings file, and how to read and check them."""

    def __init__(self, what: str, sections: Iterable[Section], plugins: bool = False):
        self.what = what
        self.base = {s.name: s for s in sections}
        self.plugins = plugins
        self._sections: dict[str, Section] | None = None

    @property
    def sections(self) -> dict[str, Section]:
        if self._sections is None:
            merged = dict(self.base)
            if self.plugins:
                merged.update({**plugin_sections(), **merged})
            self._sections = merged
        return self._sections

    def with_plugins(self) -> Schema:
        """This schema plus every installed plugin's sections (loads the plugins)."""
        return Schema(self.what, self.base.values(), plugins=True)

    def settings(self) -> list[Setting]:
        return [s for sec in self.sections.values() for s in sec.settings.values()]

    def _is_parent(self, name: str) -> bool:
        return name in PLUGIN_PARENTS or any(s.startswith(name + ".") for s in self.sections)

    # -- keys ---------------------------------------------------------------

    def lookup(self, key: str) -> Setting:
        """The setting ``key`` names, or a ConfigError saying what is wrong and what was meant."""
        parts = key.strip().split(".")
        if not all(parts):
            raise ConfigError(f"bad key {key!r}: use section.name, like user.name")
        for cut in range(len(parts) - 1, -1, -1):
            name, rest = ".".join(parts[:cut]), parts[cut:]
            sec = self.sections.get(name)
            if sec is None:
                continue
            if len(rest) == 1:
                found = sec.setting(rest[0])
                if found is not None and found.type != "table":
                    return found
                if found is not None:
                    raise ConfigError(
                        f"{key} is a table: edit it in {self.what} by hand "
                        "(see 'brag config --list')"
                    )
            break
        if key in self.sections or self._is_parent(key):
            inner = [s.key for s in self.settings() if s.key.startswith(key + ".")]
            listed = ", ".join(inner[:6]) + (", …" if len(inner) > 6 else "")
            hint = f": set one of its keys ({listed})" if inner else ""
            raise ConfigError(f"{key} is a section, not a setting{hint}")
        raise ConfigError(f"unknown setting {key!r}{self.suggest(key)} (see 'brag config --list')")

    def suggest(self, key: str) -> str:
        names = [s.key for s in self.settings()]
        import difflib

        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if not close:
            last = key.rsplit(".", 1)[-1]
            close = [n for n in names if n.rsplit(".", 1)[-1] == last][:1]
        return f"; did you mean {close[0]}?" if close else ""

    # -- values --------------------------------------------------------------

    def parse(self, key: str, raw: str) -> tuple[Setting, Any]:
        """``raw`` (command-line text) as the value ``key`` takes; a ConfigError if it cannot be."""
        setting = self.lookup(key)
        return setting, parse_value(setting, raw)

    def validate(self, data: Mapping[str, Any], text: str = "", file: str | Path = "") -> list[str]:
        """Check parsed settings: raise ConfigError for a wrong type, return warnings
        for keys brag does not know."""
        warnings: list[str] = []
        self._walk(data, "", text, str(file), warnings)
        return warnings

    def _walk(
        self, data: Mapping[str, Any], prefix: str, text: str, file: str, warnings: list[str]
    ) -> None:
        sec = self.sections.get(prefix)
        for name, value in data.items():
            key = _join(prefix, str(name))
            setting = sec.setting(str(name)) if sec is not None else None
            if setting is not None:
                problem = None if setting.loose else check_value(setting, value)
                if problem:
                    raise ConfigError(f"{_where(file, text, key)}{key} {problem}")
                continue
            where = _where(file, text, key)  # only a table or a warning gets this far
            plugin_table = prefix in PLUGIN_PARENTS
            if key in self.sections or self._is_parent(key) or plugin_table:
                if not isinstance(value, dict):
                    raise ConfigError(f"{where}{key} must be a table ([{key}]), not {_kind(value)}")
                if plugin_table and self.plugins and key not in self.sections:
                    kind = "importer" if prefix == "import" else "exporter"
                    warnings.append(f"{where}[{key}]: no {kind} '{name}' is installed")
                    continue
                self._walk(value, key, text, file, warnings)
                continue
            if prefix.split(".", 1)[0] in PLUGIN_PARENTS and not self.plugins:
                continue  # plugin sections are checked once plugins are loaded
            warnings.append(f"{where}unknown setting {key}{self.suggest(key)}")


def parse_value(setting: Setting, raw: str) -> Any:
    """Command-line text as a value of ``setting``'s type."""
    text = raw.strip()
    kind = setting.type
    if kind == "list":
        if text.startswith("["):
            try:
                value = tomllib.loads(f"v = {text}")["v"]
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{setting.key}: {text} is not a TOML list ({exc})") from None
        else:
            value = [p.strip() for p in text.split(",")]
        value = list(dict.fromkeys(v.strip() if isinstance(v, str) else v for v in value))
        value = [v for v in value if v != ""]
    elif kind == "bool":
        if text.lower() in _TRUE:
            value = True
        elif text.lower() in _FALSE:
            value = False
        else:
            raise ConfigError(f"{setting.key} is true or false, not {raw!r}")
    elif kind == "int":
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{setting.key} is a whole number, not {raw!r}") from None
    elif kind == "level":
        value = _level(setting, text)
    elif kind == "path":
        value = str(Path(text).expanduser().resolve()) if text else ""
    else:
        value = _unquote(text) if kind == "string" else text
    problem = check_value(setting, value)
    if problem:
        raise ConfigError(f"{setting.key} {problem}")
    return value


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        try:
            return str(tomllib.loads(f"v = {text}")["v"])
        except tomllib.TOMLDecodeError:
            pass
    return text


def _level(setting: Setting, text: str) -> str:
    from .impact import TREE_B_TARGETS, normalise_level

    try:
        return normalise_level(text)
    except Exception:
        known = list(TREE_B_TARGETS)
        import difflib

        close = difflib.get_close_matches(text.lower(), known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(
            f"{setting.key}: {text!r} is not a level; choose from {', '.join(known)}{hint}"
        ) from None


def check_value(setting: Setting, value: Any) -> str | None:
    """Why ``value`` does not fit ``setting`` ("must be …"), or None when it does."""
    kind = setting.type
    bad = f"must be {setting.type_words}, not {_kind(value)}"
    if kind in ("string", "path", "level", "url") and not isinstance(value, str):
        return bad
    # One string is read as a one-item list (as every reader of these keys does).
    if kind == "list" and not (
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        return bad
    if kind == "bool" and not isinstance(value, bool):
        return bad
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return bad
        if setting.minimum is not None and value < setting.minimum:
            return f"must be at least {setting.minimum}, not {value}"
        if abs(value) > _MAX_INT:
            return f"must be at most {_MAX_INT}, not {value}"
    if kind == "table" and not isinstance(value, dict):
        return bad
    if kind == "level" and value:
        from .impact import TREE_B_TARGETS, normalise_level

        try:
            normalise_level(value)
        except Exception:
            return f"must be a level ({', '.join(TREE_B_TARGETS)}), not {value!r}"
    if kind == "url" and value and not re.match(r"https?://[^/\s]+", value):
        return f"must be an http(s) URL, not {value!r}"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def line_of(text: str, key: str) -> int | None:
    """The line of ``text`` (TOML) where dotted ``key`` is set or opened, or None."""
    if not text:
        return None
    table = ""
    parts = key.split(".")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            if table == key:
                return number
            continue
        assign = re.match(r"^([A-Za-z0-9_\-.\"' ]+?)\s*=", line)
        if not assign:
            continue
        name = ".".join(p.strip().strip("\"'") for p in assign.group(1).split("."))
        full = _join(table, name)
        if full == key or (full.startswith(key + ".") and len(parts) >= 1):
            return number
    return None


def _where(file: str, text: str, key: str) -> str:
    if not file:
        return ""
    line = line_of(text, key)
    return f"{file}:{line}: " if line else f"{file}: "


JOURNAL = Schema("brag.toml", _JOURNAL_SECTIONS)
MACHINE = Schema("this machine's settings", _MACHINE_SECTIONS)


def describe(schema: Schema, values: Mapping[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """``(key, type, help)`` rows for ``brag config --list``; free sections as ``NAME.*``."""
    rows: list[tuple[str, str, str]] = []
    for sec in sorted(schema.sections.values(), key=lambda s: (s.owner != "brag", s.name)):
        for setting in sec.settings.values():
            rows.append((setting.key, setting.type, setting.help))
        if sec.free:
            rows.append((_join(sec.name, "*"), sec.free, sec.help))
    return rows


def get(data: Mapping[str, Any], key: str) -> Any:
    """The value at dotted ``key`` in ``data``; KeyError when not set."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def set_in(data: dict[str, Any], key: str, value: Any) -> bool:
    """Set dotted ``key``; False when it already had ``value`` (nothing changed)."""
    node = data
    *parents, last = key.split(".")
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{part} is a value, not a section: cannot set {key}")
        node = child
    if last in node and node[last] == value and type(node[last]) is type(value):
        return False
    if isinstance(node.get(last), dict) and not isinstance(value, dict):
        raise ConfigError(f"{key} is a section, not a setting")
    node[last] = value
    return True


def unset_in(data: dict[str, Any], key: str) -> bool:
    """Remove dotted ``key`` (and tables it leaves empty); False when it was not set."""
    chain: list[tuple[dict[str, Any], str]] = []
    node: Any = data
    *parents, last = key.split(".")
    for part in parents:
        child = node.get(part) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            return False
        chain.append((node, part))
        node = child
    if not isinstance(node, dict) or last not in node:
        return False
    del node[last]
    for parent, part in reversed(chain):
        if parent[part] == {} and part not in ("user",):
            del parent[part]
    return True
