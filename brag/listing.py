"""One entry as one line, the way ``brag list`` and ``brag search`` print it.

The index stores each entry's line uncoloured (its ``shown`` column), so a
piped list or search of thousands of entries is read and printed without
unpacking a single entry; a terminal gets the same line with colours. Change
the format here and :data:`brag.index.SCHEMA_VERSION` with it, or old rows
keep the old format until their files change.
"""

from __future__ import annotations

from collections.abc import Callable

from .text import strip_control

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .entry import Entry


def plain(text: str) -> str:
    """Entry text as one terminal line: no escape sequences or control
    characters (imported and synced text is untrusted), runs of white space as one."""
    return " ".join(strip_control(text, keep_newlines=False).split())


def unstyled(text: str, **_style: Any) -> str:
    return text


def format_line(entry: Entry, style: Callable[..., str] = unstyled) -> str:
    """``id  date  title  → impact  #tags  (private)``; ``style`` is ``click.style``
    for a terminal that shows colour."""
    parts = [
        style(plain(entry.id), fg="yellow"),
        style(entry.date.isoformat(), fg="cyan"),
        plain(entry.title),
    ]
    if entry.impact:
        parts.append(style("→ " + plain(entry.impact), fg="green"))
    if entry.tags:
        parts.append(style(" ".join("#" + plain(t) for t in entry.tags), fg="magenta"))
    if entry.private:
        parts.append(style("(private)", fg="red"))
    return "  ".join(parts)


def search_text(entry: Entry) -> str:
    """What ``brag search`` looks in: title, impact and body, case-folded."""
    return f"{entry.title}\n{entry.impact}\n{entry.body}".casefold()
