"""Stage 2, impact areas: revenue, cost, risk, customer, ...

Taken from the entry when the author said so, otherwise inferred from its
words with a keyword index (:data:`AREA_KEYWORDS`, extended by
``[impact.keywords]`` in brag.toml through :func:`load_keywords`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..entry import AREAS, Entry
from ..errors import ConfigError
from .metrics import _lazy, _strip_code, find_metrics

#: Default words that place an entry in an impact area. A keyword matches whole
#: words, case-insensitively, with common English endings (s, es, ed, ing, er,
#: ment); words are compared after splitting on spaces, hyphens and other
#: punctuation, so "on call" also finds "on-call" and "ci cd" "CI/CD"; a trailing
#: ``*`` matches any word starting with it ("monetiz*"). Users add their own in
#: brag.toml under ``[impact.keywords]``, e.g. ``revenue = ["take rate"]``.
AREA_KEYWORDS: dict[str, list[str]] = {
    "revenue": [
        "revenue", "sales", "sell", "upsell", "cross-sell", "conversion", "convert", "checkout",
        "pricing", "price", "monetiz*", "monetis*", "arr", "mrr", "booking", "deal", "gmv",
        "purchase", "subscription", "paid plan", "paying", "new market", "cart", "billing",
        "payment", "ads", "advertising", "funnel", "signup", "sign-up",
    ],
    "cost": [
        "cost", "spend", "spending", "save", "saving", "savings", "budget", "cloud bill",
        "aws bill", "bill", "cheaper", "license", "licence", "vendor", "reserved instance",
        "rightsiz*", "right-siz*", "efficiency", "efficient", "finops", "egress", "compute cost",
        "storage cost", "infrastructure cost", "consolidat*", "decommission",
    ],
    "risk": [
        "risk", "security", "secure", "vulnerability", "vulnerabilities", "cve", "incident",
        "outage", "reliability", "reliable", "availability", "uptime", "downtime", "sla", "slo",
        "on call", "oncall", "pager", "disaster recovery", "backup", "failover", "compliance",
        "soc 2", "soc2", "gdpr", "hipaa", "pci", "audit", "authentication", "encryption",
        "encrypt", "pen test", "penetration", "exploit", "breach", "leak", "data loss",
        "postmortem", "post-mortem", "rollback", "resilience", "resilient", "chaos", "mttr",
        "sev1", "sev-1", "sev2", "alerting", "alert", "paging", "patch", "hardening",
    ],
    "customer": [
        "customer", "client", "user", "ux", "user experience", "nps", "csat", "satisfaction",
        "support ticket", "complaint", "accessibility", "a11y", "page load", "latency", "p99",
        "p95", "p50", "customer-facing", "usability", "self-serve", "performance", "perf",
        "onboarding flow", "mobile app",
    ],
    "retention": [
        "retention", "retain", "churn", "churned", "renewal", "renew", "engagement", "engaged",
        "dau", "mau", "wau", "daily active", "monthly active", "stickiness", "attrition",
        "cancellation", "reactivation", "lifetime value", "ltv", "win back", "winback",
    ],
    "velocity": [
        "ci", "ci/cd", "cd", "build time", "build", "deploy", "deployment", "release",
        "pipeline", "developer productivity", "developer experience", "devex", "dx", "tooling",
        "automation", "automate", "lead time", "cycle time", "time to merge", "merge queue",
        "monorepo", "dev environment", "local dev", "feedback loop", "toil", "productivity",
        "self-service", "golden path", "scaffold*", "codegen", "speed up", "sped up",
        "accelerat*", "ship faster", "iteration speed",
    ],
    "quality": [
        "bug", "defect", "test", "testing", "flaky", "flake", "test coverage", "coverage",
        "regression", "lint", "linting", "type check*", "typing", "code quality", "refactor",
        "tech debt", "technical debt", "crash", "crash rate", "error rate", "error",
        "exception", "correctness", "code review", "static analysis", "fuzz*", "qa",
        "maintainab*", "readab*", "cleanup", "clean up",
    ],
    "people": [
        "mentor", "mentee", "mentorship", "hire", "hiring", "recruit*", "onboard", "interview",
        "coach", "taught", "teach", "teaching", "training", "trained", "workshop",
        "pair programming", "pairing", "career", "promotion", "promoted", "1:1", "one-on-one",
        "brown bag", "brownbag", "intern", "new hire", "team health", "morale",
        "knowledge sharing", "grew the team", "sponsor*",
    ],
    "strategy": [
        "roadmap", "rfc", "design doc", "design document", "vision", "proposal", "propose",
        "strategy", "strategic", "architecture review", "design review", "north star", "okr",
        "planning", "long-term", "multi-year", "initiative", "technical direction", "direction",
        "tech radar", "build vs buy", "buy vs build", "principles", "architecture decision",
        "adr", "whitepaper", "business case", "pitch", "pitched", "prioritiz*", "prioritis*",
    ],
}  # fmt: skip


def load_keywords(config: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """The default keyword table plus the user's ``[impact.keywords]`` additions.

    ``config`` is a brag.toml-shaped mapping; additions are appended to the
    area's list (a new area name creates a custom area). Defaults are never
    removed, so an upgrade that improves them reaches every user.
    """
    merged = {area: list(words) for area, words in AREA_KEYWORDS.items()}
    impact = (config or {}).get("impact", {})
    if not isinstance(impact, Mapping):
        raise ConfigError("[impact] in brag.toml must be a table")
    extra = impact.get("keywords", {})
    if not isinstance(extra, Mapping):
        raise ConfigError("[impact.keywords] in brag.toml must be a table of area = [words]")
    for area, words in extra.items():
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(f"impact.keywords.{area} must be a list of strings")
        key = str(area).strip().lower()
        bucket = merged.setdefault(key, [])
        for word in words:
            word = word.strip().lower()
            if word and word not in bucket:
                bucket.append(word)
    return merged


def _areas_for(
    entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None
) -> tuple[list[str], bool]:
    """The entry's impact areas and whether they were inferred.

    The author's own ``areas`` always win (``inferred`` is False): brag may
    guess, but never overrule. Otherwise the areas whose keywords appear in
    the title, impact, tags and body, strongest first (title, impact and tags
    count double), at most three -- a bullet claiming every area claims none.
    """
    if entry.areas:
        explicit: list[str] = []
        for area in entry.areas:
            area = area.strip().lower()
            if area and area not in explicit:
                explicit.append(area)
        if explicit:
            return explicit, False
    table = keywords if keywords is not None else AREA_KEYWORDS
    if _is_upkeep(entry):
        # "Upgraded Python on the billing service" names a service, not an
        # outcome: the upgrade is not revenue work. "Other work" is honest.
        return [], True
    order = {area: i for i, area in enumerate(AREAS)}
    strong, weak = _entry_tokens(entry)
    tags = {t.strip().lower() for t in entry.tags}
    index = _index_for(table)
    strong_hits, weak_hits = index.count(strong), index.count(weak)
    scores: dict[str, int] = {}
    for area in table:
        hits = 2 * strong_hits[area] + weak_hits[area]
        if area in tags:
            hits += 3
        if hits:
            scores[area] = hits
    if scores.get("revenue") and not _names_revenue(strong, weak, table):
        # "the k8s config for checkout", "w/ payments team": a system's or a
        # team's name is not revenue work unless the entry states a number.
        del scores["revenue"]
    ranked = sorted(scores, key=lambda a: (-scores[a], order.get(a, len(order)), a))
    return ranked[:3], True


#: Revenue keywords that are usually the name of a system or team ("billing
#: service", "checkout", "payments team"), not an outcome.
SYSTEM_NAMES = frozenset({"billing", "payment", "payments", "checkout", "cart"})


def _names_revenue(strong: list[str], weak: list[str], table: Mapping[str, Sequence[str]]) -> bool:
    """Whether the entry's revenue keywords say more than a system's name, or it
    states a number."""
    outcome_words = tuple(w for w in table.get("revenue", ()) if w not in SYSTEM_NAMES)
    index = _keyword_index((("revenue", outcome_words),))
    if index.count(strong)["revenue"] or index.count(weak)["revenue"]:
        return True
    return any(m.kind in ("money", "percent") or m.is_pair for m in find_metrics(" ".join(strong)))


_UPKEEP = _lazy(
    r"(?i)^\W*(?:[\w.-]+:\s*)?(?:upgrad\w*|updat\w*|bump\w*|pin\w*|unpin\w*|"
    r"drop(?:ped|s)? (?:support|python|node|java)|deprecat\w*|renam\w*|chore|"
    r"moved? [\w .-]{0,40}? from [\w.]+(?: [\w.]+)? (?:to|->|→) )"
)
#: Words that say what an upgrade changed for someone: then its areas count.
_UPKEEP_OUTCOME = _lazy(
    r"(?i)\b(?:sav\w*|cut|reduc\w*|faster|slower|fix\w*|prevent\w*|unblock\w*|"
    r"customers?|users?|revenue|cost|security|vulnerab\w*|cve|outage|incident\w*)\b"
)


def _is_upkeep(entry: Entry) -> bool:
    """A version bump or dependency update that states no outcome of its own."""
    text = f"{entry.title}. {entry.impact}"
    if not _UPKEEP().search(entry.title):
        return False
    return not _UPKEEP_OUTCOME().search(text) and not entry.metrics


def _tag_words(tag: str) -> str:
    return re.sub(r"[-_/]+", " ", tag)


_KEYWORD_SUFFIXES = ("s", "es", "d", "ed", "ing", "er", "ers", "ment", "ments", "y")

_WORD = _lazy(r"[a-z0-9]+[+#]*")


def _tokens(text: str) -> list[str]:
    """Lowercase words; punctuation, hyphens and slashes separate them."""
    return _WORD().findall(text.lower())


def _forms(word: str) -> frozenset[str]:
    """The spellings a keyword word matches: itself plus common English endings."""
    if word[-1:].isalpha() and len(word) > 3:
        return frozenset([word, *(word + suffix for suffix in _KEYWORD_SUFFIXES)])
    return frozenset([word, word + "s"])


class _KeywordIndex:
    """Keyword lists (see AREA_KEYWORDS), one per label, prepared for counting.

    Words are matched by set lookup in a single pass over an entry's tokens,
    for every label at once, instead of one regex alternation per label: that
    keeps ranking a few thousand entries well under a second.
    """

    def __init__(self, table: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self.labels = [label for label, _ in table]
        self.singles: dict[str, list[str]] = {}
        self.prefixes: list[tuple[str, str]] = []
        self.phrases: dict[str, list[tuple[tuple[str, ...], frozenset[str], str, str]]] = {}
        for label, words in table:
            for raw in words:
                word = raw.strip().lower()
                prefix = word.endswith("*")
                parts = tuple(_tokens(word.rstrip("*")))
                if not parts:
                    continue
                last = parts[-1]
                if len(parts) > 1:
                    forms = frozenset() if prefix else _forms(last)
                    entry = (parts, forms, last if prefix else "", label)
                    self.phrases.setdefault(parts[0], []).append(entry)
                elif prefix:
                    self.prefixes.append((last, label))
                else:
                    for form in _forms(last):
                        labels = self.singles.setdefault(form, [])
                        if label not in labels:
                            labels.append(label)
        for candidates in self.phrases.values():
            candidates.sort(key=lambda c: -len(c[0]))
        self.prefix_starts = tuple(prefix for prefix, _ in self.prefixes)

    def count(self, tokens: Sequence[str]) -> dict[str, int]:
        """Keyword occurrences per label; within a label matches never overlap
        and the longest phrase wins ("build time" counts once, not twice)."""
        counts = dict.fromkeys(self.labels, 0)
        free = dict.fromkeys(self.labels, 0)  # first token each label may match again
        for i, token in enumerate(tokens):
            for parts, forms, prefix, label in self.phrases.get(token, ()):
                end = i + len(parts)
                if free[label] > i or end > len(tokens):
                    continue
                if tuple(tokens[i + 1 : end - 1]) != parts[1:-1]:
                    continue
                last = tokens[end - 1]
                if (prefix and last.startswith(prefix)) or last in forms:
                    counts[label] += 1
                    free[label] = end
            for label in self.singles.get(token, ()):
                if free[label] <= i:
                    counts[label] += 1
                    free[label] = i + 1
            if self.prefix_starts and token.startswith(self.prefix_starts):
                for prefix, label in self.prefixes:
                    if free[label] <= i and token.startswith(prefix):
                        counts[label] += 1
                        free[label] = i + 1
        return counts


@functools.lru_cache(maxsize=64)
def _keyword_index(table: tuple[tuple[str, tuple[str, ...]], ...]) -> _KeywordIndex:
    return _KeywordIndex(table)


def _index_for(table: Mapping[str, Sequence[str]]) -> _KeywordIndex:
    return _keyword_index(tuple((label, tuple(words)) for label, words in table.items()))


def _entry_tokens(entry: Entry) -> tuple[list[str], list[str]]:
    """(strong, weak) tokens: title, impact and tags count double; the body once."""
    strong, weak = _entry_text(entry)
    return _tokens(strong), _tokens(weak)


def _entry_text(entry: Entry) -> tuple[str, str]:
    """(strong text: title, impact, tags; weak text: body) for keyword scoring."""
    strong = " \n ".join([entry.title, entry.impact, *(_tag_words(t) for t in entry.tags)])
    return _NOT_CUSTOMERS().sub(r"\1 keep-period", strong), _strip_code(entry.body)


#: "log retention" is how long data is kept, not customers staying.
_NOT_CUSTOMERS = _lazy(
    r"(?i)\b(logs?|data|backups?|messages?|emails?|metrics?|traces?|events?|audit)\s+retention\b"
)
