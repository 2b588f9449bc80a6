"""One set of figures: which entries count as evidence, for every document and ``brag stats``.

The Tree A/B balance, the counts of accomplishments and the measured share are
all computed over :func:`evidence`, so a 1:1 agenda, a self-review, a
promotion brief, the HTML report and ``brag stats`` agree for the same window.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..entry import Entry
from .claims import asks_in_words, is_risk


def evidence(entries: Sequence[Entry]) -> list[Entry]:
    """The entries that are results, each story once, oldest first.

    A story recorded twice within two weeks counts once (its latest entry; see
    :mod:`brag.duplicates`); an open risk, something blocked, or a title that is
    only a request ("Need a decision on …") is not a result.
    """
    from ..duplicates import collapse

    ordered = sorted(entries, key=lambda e: (e.date, e.id))
    return [e for e in collapse(ordered) if not is_risk(e) and not asks_in_words(e.title)]


__all__ = ["evidence"]
