"""Stage 7, reframing: conclusion first, number first, for one reader.

:func:`_reframe` turns an entry (with its metrics and areas) into a
:class:`Reframed` bullet; the memoised :func:`brag.impact.reframe` calls it.
:func:`is_activity_phrasing` tells activity ("worked on X") from outcomes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..entry import Entry
from .areas import _tokens
from .lenses import DEFAULT_LENS, Lens
from .memo import compile_kept
from .metrics import Metric, _format_change, _format_quantity, _lazy, find_metrics
from .scoring import metric_points

#: Phrases that describe activity rather than outcome ("worked on X" tells the
#: reader nothing they can weigh). The coach flags impacts written this way.
ACTIVITY_PHRASES = (
    "worked on",
    "working on",
    "helped with",
    "helped out",
    "helping with",
    "was involved in",
    "were involved in",
    "involved in",
    "participated in",
    "took part in",
    "was part of",
    "responsible for",
    "was responsible for",
    "contributed to",
    "assisted with",
    "assisted in",
    "was tasked with",
    "tasked with",
    "in charge of",
    "looked into",
    "supported the",
    "attended",
)


@functools.cache
def _activity_re() -> re.Pattern[str]:
    phrases = sorted(ACTIVITY_PHRASES, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)
    return compile_kept(rf"(?i)(?<![\w])(?:{body})(?![\w])")


def is_activity_phrasing(text: str) -> bool:
    """Whether ``text`` reports activity instead of an outcome.

    True for "worked on the billing migration" or "helped with onboarding".
    An activity phrase next to a real outcome number ("helped cut churn 15%")
    is not flagged: the outcome is there, and nagging about verbs would teach
    users to ignore the coach.
    """
    if not text or not _activity_re().search(text):
        return False
    outcome = [m for m in find_metrics(text) if m.kind != "count" or m.change is not None]
    return not outcome


@dataclass
class Reframed:
    """An entry rewritten for one reader, conclusion first.

    ``outcome`` is what changed, with its number; ``action`` is what was done;
    ``headline`` is "Outcome — action"; ``text`` is the bullet an exporter
    prints: the headline plus the evidence link in parentheses.
    """

    headline: str
    action: str
    link: str
    metrics: list[Metric]
    areas: list[str]
    text: str
    outcome: str = ""
    lens: str = DEFAULT_LENS


_CLAUSE_SPLIT = _lazy(
    r"\s*(?:[;—–]|,(?!\d{3})|\s-\s)\s*"
    r"|\s+(?=(?:saving|cutting|reducing|lowering|increasing|improving|boosting|raising|"
    r"doubling|halving|resulting\s+in|leading\s+to|which)\b)",
    re.IGNORECASE,
)

_CLAUSE_LEAD = _lazy(r"(?i)^(?:and|which|that|resulting\s+in|leading\s+to|so)\s+")

_VERBS = frozenset(
    "cut led built ran wrote made set drove began shipped fixed rewrote took gave won grew broke "
    "found kept sped spun brought taught held put got did ship add fix build write run lead launch "
    "migrate reduce create improve remove replace move split merge hire mentor automate "
    # The imperative a pull request's title is written in: "Introduce SLOs for checkout".
    "introduce upgrade enable disable refactor update bump use support allow make implement "
    "deprecate rename drop adopt switch port document harden simplify optimize optimise rework "
    "consolidate unify retire delete extract expose design define establish propose review "
    "prototype investigate profile debug resolve increase lower raise speed cache stabilize "
    "stabilise onboard coordinate organize organise plan present publish release deploy roll "
    "scale shard tune trim convert redesign rebuild parallelize parallelise "
    # Past tenses that do not end in -ed.
    "sold chose drew saw spent met shut hit".split()
)


def _reframe(
    entry: Entry,
    the_lens: Lens,
    table: Mapping[str, str],
    metrics: list[Metric],
    areas: list[str],
) -> Reframed:
    """The bullet for ``entry`` (see :func:`brag.impact.reframe`), given its
    metrics and areas."""
    title = _clean(entry.title)
    impact = _clean(entry.impact)

    if impact and _same_words(impact, title):
        impact = ""  # "Worked on X" as both: say it once
    if impact:
        outcome = impact
        impact_metrics = find_metrics(impact)
        # Only a number that carries its own meaning may be quoted next to the
        # impact: a named metric or a before/after. A bare "100%" lifted from
        # "to 100% of traffic" would say something the entry does not.
        quotable = [m for m in metrics if m.is_pair or m.name]
        wanted = _for_reader(quotable, the_lens)
        if not impact_metrics and quotable:
            outcome = f"{impact} ({_evidence_phrase(wanted or max(quotable, key=metric_points))})"
        elif (
            wanted is not None
            and wanted.kind not in {m.kind for m in impact_metrics}
            and wanted.text not in title  # the action already says it
        ):
            # This reader thinks in another kind of number (a CFO in money):
            # put it in the first words too.
            outcome = f"{impact} ({_evidence_phrase(wanted)})"
        elif len(impact_metrics) == 1 and impact_metrics[0].is_pair:
            outcome = _with_change(impact, impact_metrics[0])
        action = title
    else:
        outcome, action = _lead_with_number(title)
        if not find_metrics(title) and metrics:
            # A number recorded with --metric leads, like a number in prose would.
            wanted = _for_reader(metrics, the_lens) or max(metrics, key=metric_points)
            outcome, action = _evidence_phrase(wanted), title

    # The user's words are never rewritten, for any reader: a document explains
    # jargon next to them (see ``brag.impact.glossary.explain``), never inside.
    outcome = _capitalise(outcome)
    action = _lower_first(action) if action else ""
    headline = f"{outcome} — {action}" if action else outcome
    link = entry.url.strip()
    text = f"{headline} ({link})" if link else headline
    return Reframed(headline, action, link, metrics, areas, text, outcome, the_lens.name)


def _for_reader(metrics: Sequence[Metric], lens: Lens) -> Metric | None:
    """The strongest of the numbers this lens wants to lead with, if the entry has one."""
    for kind in lens.lead:
        of_kind = [m for m in metrics if m.kind == kind]
        if of_kind:
            return max(of_kind, key=metric_points)
    return None


def _same_words(impact: str, title: str) -> bool:
    """Whether an impact only repeats (the start of) the title."""
    a, b = _tokens(impact), _tokens(title)
    return bool(a) and b[: len(a)] == a


def _lead_with_number(title: str) -> tuple[str, str]:
    """(outcome, action) for a title with no separate impact statement."""
    metrics = find_metrics(title)
    if not metrics:
        return title, ""
    clauses = [c for c in _CLAUSE_SPLIT().split(title) if c and c.strip()]
    if len(clauses) > 1:
        best_clause = max(
            range(len(clauses)),
            key=lambda i: (
                max((metric_points(m) for m in find_metrics(clauses[i])), default=0),
                -i,
            ),
        )
        if best_clause > 0 and find_metrics(clauses[best_clause]):
            lead = _CLAUSE_LEAD().sub("", clauses[best_clause].strip())
            rest = [c.strip() for i, c in enumerate(clauses) if i != best_clause]
            return lead, ", ".join(rest)
    pairs = [m for m in metrics if m.is_pair and m.change is not None]
    if len(pairs) == 1 and not any(m.kind == "percent" and not m.is_pair for m in metrics):
        return _with_change(title, pairs[0]), ""
    return title, ""


def _evidence_phrase(metric: Metric) -> str:
    """A metric as a parenthetical: "p99 latency 800ms → 200ms, -75%"."""
    if metric.is_pair:
        assert metric.before is not None and metric.after is not None
        text = (
            f"{_format_quantity(metric.before, metric.unit, metric.kind)} → "
            f"{_format_quantity(metric.after, metric.unit, metric.kind)}"
        )
        if metric.change is not None and metric.kind != "percent":
            text += f", {_format_change(metric.change)}"
    else:
        text = metric.text or _format_quantity(metric.value, metric.unit, metric.kind)
        if metric.name:
            text = _format_quantity(metric.value, metric.unit, metric.kind)
    return f"{metric.name} {text}" if metric.name else text


def _with_change(text: str, metric: Metric) -> str:
    if metric.change is None or metric.kind == "percent":
        return text
    return f"{text} ({_format_change(metric.change)})"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".;,")


def _capitalise(text: str) -> str:
    if not text:
        return text
    first = text.split()[0]
    if any(ch.isupper() for ch in first[1:]):
        return text  # "iOS", "eBay": the brand's own casing
    if first.endswith(":") or re.search(r"[/_.\d]", first):
        return text  # "python: drop 3.8", "web/ui", "k8s": the user's component name
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split()[0]
    if first.endswith(":"):
        return text
    word = first.lower()
    if first[:1].isupper() and first[1:].islower() and (word in _VERBS or word.endswith("ed")):
        return first.lower() + text[len(first) :]
    return text
