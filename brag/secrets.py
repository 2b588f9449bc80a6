"""Secret masking: every message brag prints passes through :func:`mask`.

What is masked:

- credentials inside any URL (``https://user:token@host`` -> ``https://***@host``);
- the values of secret-looking environment variables (``GITHUB_TOKEN``, ...);
- every value handed to :func:`register`: tokens an HTTP client was given, and
  the secret-looking values of ``brag.toml`` (:func:`register_config`), which
  the journal registers explicitly when it parses the file.

Registration is explicit and process-wide: a value registered once stays masked.
"""

from __future__ import annotations

import os
import re

# Anything that looks like credentials inside a URL.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)
# Names (config keys, environment variables) whose values are secrets.
_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL",
    re.IGNORECASE,
)
MIN_LENGTH = 6  # shorter values would mask ordinary words

_registered: set[str] = set()


def looks_secret(name: str) -> bool:
    """Whether a config key or variable name is for a secret (token, password, key)."""
    return bool(_SECRET_NAME.search(name))


def register(value: str) -> None:
    """Mask ``value`` in everything brag prints from now on (too-short values are ignored)."""
    if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
        _registered.add(value)


def register_config(data: object, name: str = "") -> None:
    """Register the values of secret-looking keys in a parsed config (nested tables too)."""
    if isinstance(data, dict):
        for key, value in data.items():
            register_config(value, str(key))
    elif isinstance(data, list):
        for value in data:
            register_config(value, name)
    elif isinstance(data, str) and looks_secret(name):
        register(data)


def values() -> list[str]:
    """Registered values and secret-looking environment values, longest first."""
    found = {
        value
        for name, value in os.environ.items()
        if _SECRET_NAME.search(name) and len(value.strip()) >= MIN_LENGTH
    }
    return sorted(found | _registered, key=len, reverse=True)


def mask(text: str) -> str:
    """``text`` with URL credentials and every known secret value replaced by ``***``."""
    if "@" in text and "://" in text:  # the regex costs ~10 ms per 100 KB of output
        text = _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
    for value in values():
        text = text.replace(value, "***")
    return text


def url_credentials(value: object) -> bool:
    """Whether ``value`` is a string holding a URL with ``user[:password]@`` in it."""
    return isinstance(value, str) and bool(_URL_CREDENTIALS.search(value))


def refuse_url_credentials(data: object, key: str = "") -> None:
    """Raise ConfigError if any value of a (parsed) brag.toml, or the value set for
    ``key``, is a URL with credentials: brag.toml is committed and synced.

    The message names the key, never the value. ``brag config set`` calls it with
    the key and the new value before writing; the journal calls it on every
    parsed brag.toml.
    """
    from .errors import ConfigError

    if isinstance(data, dict):
        for name, value in data.items():
            refuse_url_credentials(value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for value in data:
            refuse_url_credentials(value, key)
    elif url_credentials(data):
        raise ConfigError(
            f"{key or 'a value'} in brag.toml holds credentials in its URL (user:password@): "
            "remove them (brag.toml is committed and synced); a token belongs in the "
            "environment or a credential helper"
        )
