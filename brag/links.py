"""Which links a document may make clickable.

Entry URLs come from the user, from imported data and from synced files, so a
link is only rendered when it cannot run anything: http(s) or a relative path.
``javascript:``, ``data:``, ``vbscript:`` and any other scheme are refused, in
any case and with any whitespace or control characters hidden inside (browsers
ignore those when they read a scheme).
"""

from __future__ import annotations

import re

_SAFE_SCHEMES = frozenset({"http", "https"})
# What a browser drops from a URL before reading its scheme.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def safe_href(url: str | None) -> str | None:
    """``url`` when it is safe to make clickable, else None.

    >>> safe_href("https://github.com/o/r/pull/1")
    'https://github.com/o/r/pull/1'
    >>> safe_href(" JaVa\\tScRiPt:alert(1)") is None
    True
    >>> safe_href("entries/2026/03/x.md")
    'entries/2026/03/x.md'
    """
    if not url:
        return None
    text = url.strip()
    if not text or _INVISIBLE.search(text):
        # Whitespace or a control character inside a link hides its real scheme
        # from a reader; such a link is shown as text, never made clickable.
        return None
    m = _SCHEME.match(text)
    if m is not None:
        return text if m.group(1).lower() in _SAFE_SCHEMES else None
    if text.startswith(("//", "/\\", "\\")):
        return None  # protocol-relative: another host
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    if any(ch in head for ch in ":&%"):
        # An entity or escape ("javascript&#58;…") that a Markdown renderer would
        # decode into a scheme.
        return None
    return text


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    m = re.match(r"^(https?)://([^/\s?#]+)", url.strip(), re.IGNORECASE)
    return bool(m) and safe_href(url) is not None


# Characters that would end a Markdown link target or open markup around it;
# percent-encoded, a browser reads the same address.
_MARKUP_IN_URL = {
    "(": "%28",
    ")": "%29",
    "<": "%3C",
    ">": "%3E",
    '"': "%22",
    "'": "%27",
    "`": "%60",
    "\\": "%5C",
}


def export_href(url: str | None) -> str:
    """The link a document prints for ``url``: safe to click and to place inside
    ``[text](…)``, ``<a href="…">`` or ``<…>`` in any format, else "".

    >>> export_href("https://en.wikipedia.org/wiki/Go_(game)")
    'https://en.wikipedia.org/wiki/Go_%28game%29'
    >>> export_href("vbscript:msgbox(1)")
    ''
    """
    safe = safe_href(url)
    if safe is None:
        return ""
    safe = without_credentials(safe)
    return "".join(_MARKUP_IN_URL.get(ch, ch) for ch in safe)


_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/?#@]*@")


def without_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part (never shown, never followed).

    >>> without_credentials("https://me:tok3n@example.com/x")
    'https://example.com/x'
    """
    return _USERINFO.sub(r"\g<scheme>", url)


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries a ``user[:password]@`` part."""
    return _USERINFO.match(url.strip()) is not None
