"""The digest brag keys its caches and derived files by: BLAKE2b.

Taken from the interpreter's own ``_blake2`` module when it has one: ``hashlib``
loads OpenSSL first (about 5 ms), which a document built from the caches, or a
``brag add`` writing its index row, would pay for nothing else.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import blake2b

__all__ = ["blake2b", "hex_digest"]


def hex_digest(text: str, size: int = 20) -> str:
    """A hex digest of ``text`` (``size`` bytes): a name or key that must not change
    between runs."""
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=size).hexdigest()
