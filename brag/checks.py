"""Checks on what a person types for an entry, before anything is written.

Shared by ``brag add`` and ``brag edit`` (and usable by anything else that takes
an entry from a person): a plan is not an accomplishment, a link must be one,
a tag is one word, a measurement is a number a person could have measured.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from .errors import BragError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: Larger numbers in a metric are typos (or TOML could not even store them).
MAX_METRIC = 10**15
#: The most a count option (``-n``, ``--top``) may ask for.
MAX_COUNT = 1_000_000


def check_date(day: dt.date, future: bool = False, today: dt.date | None = None) -> dt.date:
    """Refuse a day after today unless ``future``: brag records what was done."""
    today = today or dt.date.today()
    if day > today and not future:
        raise BragError(
            f"{day.isoformat()} is in the future: brag records what you did, not plans "
            "(add --future if you mean it)"
        )
    return day


def check_url(url: str) -> str:
    """An http(s) URL with a host, a ``brag:`` link, or a relative path (``./doc.md``)."""
    url = url.strip()
    if not url:
        return url
    if re.match(r"(?i)https?://[^/\s?#]+", url) and not re.search(r"\s", url):
        return url
    if url.lower().startswith("brag:") and len(url) > 5:
        return url
    if re.match(r"(?i)[a-z][a-z0-9+.-]*:", url):
        raise BragError(f"--url {url!r}: only http(s) links, brag: links or relative paths")
    relative = url.startswith(("./", "../", "/")) or ("/" in url and "." not in url.split("/")[0])
    if relative and not re.search(r"\s", url):
        return url
    hint = f" (did you mean https://{url}?)" if re.match(r"[\w-]+(\.[\w-]+)+(/|$)", url) else ""
    raise BragError(
        f"--url {url!r} is not a link: use https://…, brag:ID or a relative path like "
        f"./docs/design.md{hint}"
    )


def check_tags(tags: Iterable[str]) -> list[str]:
    """Tags are single words: ``two words`` is refused with ``two-words`` suggested."""
    out = []
    for tag in tags:
        if re.search(r"\s", tag.strip()):
            joined = "-".join(tag.split())
            raise BragError(
                f"tag {tag.strip()!r} has a space: tags are single words (try {joined})"
            )
        out.append(tag.strip())
    return out


def check_metric(metric: dict[str, Any], text: str) -> dict[str, Any]:
    """Refuse a measurement no one measured (1e30 users) before it is written."""
    for key in ("value", "before", "after"):
        number = metric.get(key)
        if isinstance(number, (int, float)) and (
            (isinstance(number, float) and not math.isfinite(number)) or abs(number) > MAX_METRIC
        ):
            raise BragError(
                f"metric {text!r}: {number:g} is too large to be a measurement "
                f"(at most {MAX_METRIC:.0e})"
            )
    return metric


def describe_day(day: dt.date, today: dt.date | None = None) -> str:
    """``today``, ``yesterday``, ``3 days ago``, ``in 2 days`` or the date."""
    today = today or dt.date.today()
    delta = (today - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if delta == -1:
        return "tomorrow"
    if 1 < delta <= 30:
        return f"{delta} days ago"
    return day.isoformat()
