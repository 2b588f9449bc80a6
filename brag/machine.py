"""Settings that belong to this machine and never sync.

The journal's ``brag.toml`` travels with the journal to every machine, so it may
arrive from somewhere else: it must not be able to choose where a token is sent
or which model reads private text. Those choices live here, in the user's config
folder (``$BRAG_CONFIG_DIR`` overrides it, which the test suite uses), written by
``brag config --machine``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BragError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FILENAME = "machine.toml"


def config_dir() -> Path:
    """The folder holding this machine's settings."""
    env = os.environ.get("BRAG_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("brag", appauthor=False))


def path() -> Path:
    return config_dir() / FILENAME


def load() -> dict[str, Any]:
    """This machine's settings; an absent file is no settings, a broken one an error."""
    file = path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise BragError(f"cannot read {file}: {exc}") from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BragError(f"{file}: invalid TOML: {exc}") from None
    return data


def get(key: str, default: Any = None) -> Any:
    """A dotted key (``approved_hosts``, ``llm.models``) or ``default``."""
    node: Any = load()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def save(data: dict[str, Any]) -> Path:
    """Write all settings atomically (a crash leaves the old file or the new one)."""
    import tomli_w

    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, file)
    return file


def set_value(key: str, value: Any) -> bool:
    """Set a dotted key; return False when it already had that value (nothing written)."""
    data = load()
    node = data
    *parents, last = key.split(".")
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise BragError(f"{path()}: '{part}' is not a table")
        node = child
    if node.get(last) == value:
        return False
    node[last] = value
    save(data)
    return True


def unset(key: str) -> bool:
    """Remove a dotted key; return False when it was not set."""
    data = load()
    node: Any = data
    *parents, last = key.split(".")
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return False
    if last not in node:
        return False
    del node[last]
    save(data)
    return True


def add_to_list(key: str, item: str) -> bool:
    """Append ``item`` to a list setting unless present; return whether it changed."""
    current = get(key, [])
    if not isinstance(current, list):
        current = []
    if item in current:
        return False
    return set_value(key, [*current, item])
