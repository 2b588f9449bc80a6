"""One set of figures: which entries count as evidence, for every document and ``brag stats``.

The Tree A/B balance, the counts of accomplishments and the measured share are
all computed over :func:`evidence`, so a 1:1 agenda, a self-review, a
promotion brief, the HTML report and ``brag stats`` agree for the same window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..entry import Entry, chronological
from .claims import asks_in_words, is_risk
from .metrics import Metric, _lazy

if TYPE_CHECKING:
    from .analysis import Analysis


def evidence(
    entries: Sequence[Entry],
    read: Callable[[Entry], Analysis] | None = None,
    *,
    one_story_each: bool = False,
) -> list[Entry]:
    """The entries that are results, each story once, oldest first.

    A story recorded twice within two weeks counts once (its latest entry; see
    :mod:`brag.duplicates`); an open risk, something blocked, or a title that is
    only a request ("Need a decision on …") is not a result. ``read`` gives each
    entry's analysis (a document's, already made), which holds those answers.
    ``one_story_each``: the caller knows no two entries are one story (they are
    what :func:`brag.duplicates.groups` left of a larger set, each group's latest:
    any two it would pair were paired there), so they are not grouped again.
    """
    from ..duplicates import collapse

    ordered = sorted(entries, key=chronological)
    stories = ordered if one_story_each else collapse(ordered)
    if read is not None:
        return [e for e in stories if not _claimed(read(e))]
    return [e for e in stories if not is_risk(e) and not asks_in_words(e.title)]


def _claimed(found: Analysis) -> bool:
    return found.risk or found.asks_in_title


_SAVING_WORDS = _lazy(
    r"(?i)\b(?:sav(?:e|ed|es|ing|ings)|cost|costs|spend|spending|bill|fees?|cheaper|"
    r"cut|cutting|reduc\w*|lower\w*|right-siz\w*)\b"
)
_REVENUE_WORDS = _lazy(
    r"(?i)\b(?:revenue|arr|mrr|sales|bookings|deals?|upsell|new business|income|gmv)\b"
)
# Revenue kept rather than earned: "$240k of orders saved", "revenue protected",
# "avoided $50k in lost sales", "prevented a $1M revenue loss", "$80k of ARR at risk".
_KEPT = r"(?:saved|kept|protected|protecting|retained|preserved)"
_SOLD = r"(?:revenue|sales|orders?|bookings|transactions|purchases|gmv|arr|mrr)"
_PROTECTED_WORDS = _lazy(
    rf"(?i)\b(?:{_SOLD}\s+{_KEPT}|{_KEPT}\s+(?:\S+\s+){{0,3}}?(?:of\s+|in\s+)?{_SOLD}|"
    rf"(?:avoid\w*|prevent\w*)\b[^.;]*\b(?:lost\s+{_SOLD}|{_SOLD}\s+loss(?:es)?)|"
    rf"{_SOLD}\s+loss(?:es)?\s+(?:avoided|prevented)|{_SOLD}\b[^.;]*\bat[- ]risk)\b"
)


def money_a_year(
    entry: Entry, metrics: Sequence[Metric], areas: Sequence[str]
) -> tuple[str, float]:
    """An entry's money a year and its kind: ``("savings", x)``, ``("revenue", x)``,
    ``("protected", x)`` (revenue kept, not earned: "$240k of orders saved" in an
    incident, "avoided $50k in lost sales"), or ``("", 0.0)`` when the entry
    states no money or does not say which it is.

    ``metrics`` and ``areas`` are the entry's own (its analysis). The largest
    figure counts (monthly, weekly and quarterly ones annualised); a
    before/after cost counts as the difference saved. Kept in each entry's
    analysis, so a document sums a year of money without reading any metric.
    """
    best = 0.0
    for m in metrics:
        if m.kind != "money":
            continue
        unit = f"{m.unit} {m.text}".lower()
        factor = 12 if "month" in unit else 52 if "week" in unit else 4 if "quarter" in unit else 1
        if m.is_pair:
            assert m.before is not None and m.after is not None
            if m.after >= m.before:
                continue
            value = (m.before - m.after) * factor
        else:
            value = m.value * factor
        best = max(best, value)
    if not best:
        return "", 0.0
    text = f"{entry.title} {entry.impact} " + " ".join(m.text for m in metrics)
    if _PROTECTED_WORDS().search(text):
        return "protected", best  # before savings: "orders saved" saved no cost
    if _REVENUE_WORDS().search(text) or "revenue" in entry.areas:
        return "revenue", best
    if _SAVING_WORDS().search(text) or "cost" in areas[:1]:
        return "savings", best
    return "", 0.0


# How people say a figure is not measured: "estimated", "~$40k", "roughly", "projected".
_ESTIMATE = _lazy(
    r"(?i)\b(?:estimat\w*|approx\w*|roughly|projected|expected|potential(?:ly)?)\b|~\s*\$?\d"
)


def money_estimated(entry: Entry, money: tuple[str, float]) -> bool:
    """Whether the entry calls its money (``money``, from :func:`money_a_year`) an
    estimate ("an estimated $240k of orders saved"): a document must then say so."""
    return bool(money[0]) and bool(_ESTIMATE().search(f"{entry.title} {entry.impact}"))


__all__ = ["evidence", "money_a_year", "money_estimated"]
