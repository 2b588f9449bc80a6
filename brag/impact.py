"""The impact engine: turn journal entries into evidence a decision-maker reads.

Everything in ``PRODUCT.md`` under "Reframing by business impact" lives here, as
plain deterministic functions: the same entries, lens and reference date always
give the same numbers, order and wording. There is no I/O and no dependency
beyond the standard library, so exporters, the coach, ``brag show`` and
third-party plugins can all call it cheaply and test it without a journal.

The module is organised in the order a bullet is built:

1. **Metrics** -- :func:`find_metrics` recognises numbers written in prose
   ("from 800ms to 200ms", "$2.3M", "3x", "15%", "12 teams") and ignores the
   numbers engineers write that are *not* evidence (versions, dates, PR
   numbers, ``p99``, ``k8s``, commit hashes, times of day).
2. **Impact areas** -- :func:`areas_for`: revenue, cost, risk, customer, ...
   taken from the entry when the author said so, otherwise inferred from words.
3. **Leverage and skill trees** -- :func:`leverage_for`, :func:`tree_for`,
   :func:`tree_balance`: how the work shows seniority (execution, strategic,
   interpersonal, expert) and whether it is Tree A (technical) or Tree B
   (communication and influence) evidence.
4. **Audience lenses** -- :data:`LENSES`: what a CFO, CTO, CEO, manager or peer
   weighs most.
5. **Scoring** -- :func:`score` and :func:`rank`: a transparent sum of named
   parts, so a user can see *why* one win outranks another.
6. **Reframing** -- :func:`reframe`: conclusion first, number first, jargon
   translated for non-technical readers.

Regular expressions are compiled lazily (and cached), so importing this module
costs almost nothing: ``brag --help`` must stay instant.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from hashlib import blake2b as _blake2b
from typing import Any

from .entry import AREAS, Entry
from .errors import BragError, ConfigError

__all__ = [
    "ACTIVITY_PHRASES",
    "Analysis",
    "AREA_KEYWORDS",
    "DEFAULT_LENS",
    "GLOSSARY",
    "LENSES",
    "LEVERAGE_KEYWORDS",
    "METRIC_KINDS",
    "TREE_B_KEYWORDS",
    "TREE_B_TARGETS",
    "Lens",
    "Metric",
    "Reframed",
    "Score",
    "analyse",
    "areas_for",
    "entry_metrics",
    "find_metrics",
    "get_lens",
    "is_activity_phrasing",
    "jargon_in",
    "load_cache",
    "leverage_for",
    "load_glossary",
    "load_keywords",
    "load_lenses",
    "metric_from_dict",
    "normalise_level",
    "rank",
    "reframe",
    "save_cache",
    "score",
    "translate",
    "tree_b_target",
    "tree_balance",
    "tree_for",
]


def _lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A regex compiled on first use: importing this module must stay instant."""

    @functools.cache
    def compiled() -> re.Pattern[str]:
        return re.compile(pattern, flags)

    return compiled


# =============================================================================
# 1. Metrics
# =============================================================================

METRIC_KINDS = ("percent", "money", "duration", "multiplier", "count", "change")


@dataclass(frozen=True)
class Metric:
    """One number that counts as evidence.

    ``kind`` is one of :data:`METRIC_KINDS`. A before/after pair keeps the kind
    of its unit ("800ms → 200ms" is a ``duration`` with ``before=800``,
    ``after=200``, ``change=-0.75``); ``change`` as a *kind* is reserved for
    pairs with no unit at all ("from 40 to 12"). ``change`` as a *field* is
    the relative change (``-0.75`` means down 75%), set for pairs and for
    percentages whose direction the sentence states ("down 3%" → ``-0.03``).

    ``value`` is in the metric's own unit, scaled ("$2.3M" → ``2300000.0``,
    unit ``"$"``); for a pair it is the *after* value, and ``before`` has been
    converted to the same unit ("from 3 days to 4 hours" → unit ``"h"``,
    before ``72``, after ``4``). ``text`` is the span as written, so a
    bullet can quote the author exactly. ``name`` is only set for metrics from
    the entry's structured ``metrics`` field.
    """

    kind: str
    value: float
    unit: str
    text: str
    before: float | None = None
    after: float | None = None
    change: float | None = None
    name: str = ""

    @property
    def is_pair(self) -> bool:
        """True for a before/after measurement (the strongest kind of evidence)."""
        return self.before is not None and self.after is not None

    def describe(self) -> str:
        """A compact, unit-aware rendering: ``800ms → 200ms (-75%)``, ``$2.3M``."""
        if self.is_pair:
            assert self.before is not None and self.after is not None
            before = _format_quantity(self.before, self.unit, self.kind)
            after = _format_quantity(self.after, self.unit, self.kind)
            core = f"{before} → {after}"
            if self.change is not None and self.kind != "percent":
                core += f" ({_format_change(self.change)})"
            elif self.change is not None:
                core += f" ({_format_change(self.change)} relative)"
            return f"{self.name}: {core}" if self.name else core
        if self.name:
            return f"{self.name}: {_format_quantity(self.value, self.unit, self.kind)}"
        return self.text


def find_metrics(text: str) -> list[Metric]:
    """Every metric written in ``text``, in reading order.

    Recognised: percentages ("15%", "15 percent", "down 3%"), money ("$2.3M",
    "€40k", "£1.2bn", "1.2 million dollars", "$12,000/month"), durations
    ("2.5s", "45 minutes"), multipliers ("3x", "10×", "2.5x faster",
    "doubled"), counts with a unit ("12 teams", "40k users", "3 incidents")
    and before/after pairs ("800ms → 200ms", "from 3 days to 4 hours").

    Numbers that are identifiers rather than measurements are ignored:
    versions, dates, times of day, PR/issue numbers, ``p99``, ``k8s``,
    ``i18n``, ``ec2``, bare years and commit hashes. A bare number with no
    unit is not a metric either: "fixed 3" says nothing a reader can weigh.
    """
    return [metric for _start, _end, metric in _scan_cached(text)]


@functools.lru_cache(maxsize=8192)
def _scan_cached(text: str) -> tuple[tuple[int, int, Metric], ...]:
    # Metrics are frozen, so sharing them between callers is safe; an export
    # reads the same title for scoring, reframing and the coach.
    return tuple(_scan(text))


def metric_from_dict(data: Mapping[str, Any]) -> Metric | None:
    """A :class:`Metric` from one table of an entry's ``metrics`` field.

    Accepts what ``brag add --metric`` writes (``name``, ``value``, ``unit``,
    ``before``, ``after``) and what people type by hand (numbers as strings,
    ``unit = "$/month"``, ``unit = "ms"``). Returns None when there is no
    number to show, so a half-written table never breaks an export.
    """
    name = str(data.get("name", "") or "").strip()
    unit_text = str(data.get("unit", "") or "").strip()
    value = _coerce_number(data.get("value"))
    before = _coerce_number(data.get("before"))
    after = _coerce_number(data.get("after"))
    if after is None and before is not None and value is not None:
        after = value
    if value is None:
        value = after
    if value is None:
        return None
    kind, unit, factor = _classify_unit(unit_text)
    value *= factor
    if before is not None and after is not None:
        before, after = before * factor, after * factor
        if kind == "count" and not unit:
            kind = "change"
        change = (after - before) / before if before else None
    else:
        before = after = None
        change = None
    metric = Metric(kind, value, unit, "", before, after, change, name)
    return replace(metric, text=metric.describe())


def entry_metrics(entry: Entry) -> list[Metric]:
    """All metrics of an entry (see :func:`_entry_metrics`), memoised per content."""
    return list(analyse(entry).metrics)


def _entry_metrics(entry: Entry) -> list[Metric]:
    """All metrics of an entry: its structured ``metrics`` field first, then
    numbers written in the title, the impact and the body.

    The same number is often both recorded and written ("--metric 'p99:
    800ms -> 200ms'" and a title saying "from 800ms to 200ms"); it is kept
    once. A before/after pair replaces a lone number it contains, wherever
    the two were found, so the strongest form of the evidence survives.
    """
    found: list[Metric] = []
    for table in entry.metrics:
        metric = metric_from_dict(table) if isinstance(table, Mapping) else None
        if metric is not None:
            _add_unique(found, metric)
    for text in (entry.title, entry.impact, _strip_code(entry.body)):
        for metric in find_metrics(text) if text else ():
            _add_unique(found, metric)
    return found


def _add_unique(found: list[Metric], metric: Metric) -> None:
    for i, other in enumerate(found):
        if _covers(other, metric):
            return
        if _covers(metric, other):
            # Keep the name the author gave the weaker form ("p99 latency").
            found[i] = replace(metric, name=metric.name or other.name)
            # A pair may also cover later singles (its before and after).
            found[i + 1 :] = [m for m in found[i + 1 :] if not _covers(metric, m)]
            return
    found.append(metric)


def _covers(big: Metric, small: Metric) -> bool:
    """Whether ``small`` adds nothing ``big`` does not already say."""
    if big.kind != small.kind or big.unit != small.unit:
        return False
    if small.is_pair:
        return big.is_pair and _close(big.before, small.before) and _close(big.after, small.after)
    values = [big.value, big.before, big.after]
    return any(_close(v, small.value) for v in values)


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# -- metric recognition: vocabulary -------------------------------------------

_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip

_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "a dozen": 12, "dozen": 12, "a hundred": 100,
}  # fmt: skip

_CURRENCIES = {
    "$": "$", "us$": "$", "usd": "$", "dollar": "$", "dollars": "$", "bucks": "$", "€": "€",
    "eur": "€", "euro": "€", "euros": "€", "£": "£", "gbp": "£", "pound": "£", "pounds": "£",
    "pounds sterling": "£", "quid": "£", "¥": "¥", "jpy": "¥", "₹": "₹", "inr": "₹", "a$": "A$",
    "au$": "A$", "c$": "C$", "ca$": "C$",
}  # fmt: skip

# (canonical unit, seconds per unit, spellings matched case-insensitively)
_DURATIONS = (
    ("ns", 1e-9, ("ns", "nanosecond", "nanoseconds")),
    ("µs", 1e-6, ("µs", "μs", "us", "microsecond", "microseconds")),
    ("ms", 1e-3, ("ms", "msec", "msecs", "millisecond", "milliseconds")),
    ("s", 1.0, ("s", "sec", "secs", "second", "seconds")),
    ("min", 60.0, ("m", "min", "mins", "minute", "minutes")),
    ("h", 3600.0, ("h", "hr", "hrs", "hour", "hours")),
    ("day", 86400.0, ("d", "day", "days")),
    ("week", 604800.0, ("wk", "wks", "week", "weeks")),
    ("month", 2629800.0, ("mo", "mos", "month", "months")),
    ("year", 31557600.0, ("yr", "yrs", "year", "years")),
)
_DURATION_BY_SPELLING = {s: (unit, secs) for unit, secs, spellings in _DURATIONS for s in spellings}

_SIZES = {"B": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15}
_SIZES.update({"KIB": 2.0**10, "MIB": 2.0**20, "GIB": 2.0**30, "TIB": 2.0**40, "PIB": 2.0**50})
_SIZE_WORDS = {"byte": "B", "kilobyte": "KB", "megabyte": "MB", "gigabyte": "GB", "terabyte": "TB"}

_PERIODS = {
    "second": "second", "sec": "second", "s": "second", "minute": "minute", "min": "minute",
    "hour": "hour", "hr": "hour", "h": "hour", "day": "day", "d": "day", "daily": "day",
    "week": "week", "wk": "week", "weekly": "week", "month": "month", "mo": "month",
    "monthly": "month", "mrr": "month", "quarter": "quarter", "qtr": "quarter",
    "quarterly": "quarter", "year": "year", "yr": "year", "annum": "year", "annually": "year",
    "yearly": "year", "per annum": "year", "arr": "year",
}  # fmt: skip

# Nouns that make a bare number a count worth reporting ("12 teams"). Phrases
# come first so "40 test cases" is read whole rather than as "40 test".
_COUNT_NOUNS = (
    r"business units?", r"data ?cent(?:er|re)s?", r"design docs?", r"direct reports?",
    r"feature flags?", r"lines of code", r"merge requests?", r"new hires?", r"page ?views?",
    r"pull requests?", r"support tickets?", r"test cases?", r"teams?", r"squads?", r"orgs?",
    r"organi[sz]ations?", r"departments?", r"divisions?", r"compan(?:y|ies)", r"customers?",
    r"clients?", r"users?", r"members?", r"subscribers?", r"merchants?", r"sellers?", r"buyers?",
    r"partners?", r"tenants?", r"accounts?", r"stores?", r"shops?", r"sites?", r"markets?",
    r"countr(?:y|ies)", r"regions?", r"languages?", r"locales?", r"engineers?", r"developers?",
    r"devs?", r"designers?", r"people", r"persons?", r"folks", r"employees?", r"staff", r"hires?",
    r"interns?", r"mentees?", r"candidates?", r"interviews?", r"students?", r"attendees?",
    r"contributors?", r"maintainers?", r"reviewers?", r"teammates?", r"colleagues?", r"reports?",
    r"services?", r"microservices?", r"repos?", r"repositor(?:y|ies)", r"apps?", r"applications?",
    r"endpoints?", r"APIs?", r"librar(?:y|ies)", r"packages?", r"dependenc(?:y|ies)", r"modules?",
    r"components?", r"systems?", r"databases?", r"DBs?", r"tables?", r"clusters?", r"nodes?",
    r"servers?", r"hosts?", r"machines?", r"instances?", r"VMs?", r"containers?", r"pods?",
    r"tests?", r"checks?", r"jobs?", r"pipelines?", r"builds?", r"deploys?", r"deployments?",
    r"releases?", r"features?", r"flags?", r"experiments?", r"bugs?", r"defects?", r"incidents?",
    r"outages?", r"alerts?", r"pages?", r"tickets?", r"issues?", r"escalations?",
    r"vulnerabilit(?:y|ies)", r"CVEs?", r"findings?", r"PRs?", r"MRs?", r"commits?", r"lines?",
    r"LOC", r"files?", r"docs?", r"documents?", r"RFCs?", r"runbooks?", r"playbooks?",
    r"dashboards?", r"quer(?:y|ies)", r"requests?", r"calls?", r"transactions?", r"orders?",
    r"events?", r"messages?", r"records?", r"rows?", r"sign-?ups?", r"installs?", r"downloads?",
    r"sessions?", r"visits?", r"projects?", r"products?", r"workflows?", r"integrations?",
    r"migrations?", r"sprints?", r"screens?", r"talks?", r"workshops?", r"courses?", r"posts?",
    r"articles?", r"patents?", r"papers?", r"crash(?:es)?", r"errors?", r"exceptions?",
    r"failures?", r"warnings?", r"tasks?", r"steps?", r"clicks?", r"seats?", r"licen[cs]es?",
    r"contracts?", r"deals?", r"leads?", r"trials?", r"renewals?", r"upgrades?", r"regressions?",
    r"points?",
)  # fmt: skip

# Words that may not sit between a number and its noun: up to two adjectives
# may ("40 flaky tests", "12 product teams"), but "3 days of tests" or "5 to
# our teams" must not be read as counts of tests or teams.
_STOP_WORDS = (
    "of to and or in on at for per from by with the a an than over under into across via vs "
    "each every which that this these those is are was were be been it its our my their his "
    "her we i they you after before during while when where so but not no as plus out up down "
    "ago later earlier since until times percent x"
).split()

_MONTHS = (
    r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?|May)"
)

# Words after which a number is a version ("Python 3.11", "Node 18") ...
_VERSIONED_NAMES = frozenset(
    """
    python py node nodejs node.js java jdk openjdk golang ruby rails php perl rust rustc scala
    kotlin swift ios ipados android macos ubuntu debian centos rhel fedora alpine windows
    postgres postgresql mysql mariadb redis mongo mongodb elasticsearch opensearch kafka spark
    hadoop cassandra react angular vue django flask fastapi spring boot dotnet .net gcc clang llvm
    terraform kubernetes k8s helm docker tls ssl oauth webpack typescript ecmascript jquery
    bootstrap openssl log4j chrome firefox safari gradle maven npm yarn pip electron unity unreal
    pydantic numpy pandas sqlalchemy celery nginx envoy istio linux kernel version versions
    release releases
    """.split()
)
# ... or, only with a dotted number, ambiguous words ("Go 1.22", but "go 3 times").
_DOTTED_VERSION_NAMES = frozenset("go es ts ie api http".split())
# ... or an identifier: "PR 4521", "sprint 14", "pull request 77", "sev 1".
_ID_NAMES = frozenset(
    """
    pr prs mr mrs issue issues ticket tickets cve rfc inc sprint sprints phase phases milestone
    milestones chapter chapters section sections round rounds iteration iterations story stories
    epic epics cl changelist changelists jira sev severity tier level priority grade stage request
    requests
    """.split()
)
_NAME_BEFORE = _lazy(r"(?i)(?<![\w.])(\.?[a-z][\w.+#]*)[\s-]*(?:#|no\.?\s*|number\s+|v)?$")


def _names_an_identifier(text: str, token: _Token) -> bool:
    """Whether the word just before a number makes it a version or an id."""
    if token.kind in ("percent", "multiplier", "money"):
        return False  # "issue 40% rarer", "release 3x faster": measurements after all
    m = _NAME_BEFORE().search(text, max(0, token.start - 40), token.start)
    if m is None:
        return False
    word = m.group(1).lower().rstrip(".")
    number = text[token.start : token.end]
    if word in _VERSIONED_NAMES or word in _ID_NAMES:
        return True
    return word in _DOTTED_VERSION_NAMES and bool(re.match(r"\d+\.\d", number))


@functools.cache
def _protected_re() -> re.Pattern[str]:
    """Spans whose digits are identifiers, never measurements."""
    patterns = [
        # ISO dates and date-times, numeric dates.
        r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?",
        r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        r"\b\d{4}/\d{1,2}/\d{1,2}\b",
        r"\b\d{1,2}\.\d{1,2}\.\d{4}\b",
        # Written dates: "March 3", "Mar 3rd, 2026", "3 March", "March 2026".
        rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?![A-Za-z])(?:,?\s+\d{{4}}\b)?",
        rf"\b{_MONTHS}\s+'?\d{{2,4}}\b",
        # Times of day: "14:00", "9:30 am", "2am", "2 p.m.".
        r"\b\d{1,2}(?::\d{2}){1,2}(?:\s?(?i:[ap]\.?m\.?))?(?![\w])",
        r"\b\d{1,2}\s?(?i:[ap]\.?m\.?)(?![\w])",
        # Versions and addresses: "v2.3.1", "1.2.3", "10.0.0.1" ("Python 3.11" and
        # "PR 4521" are recognised by the word before them: _names_an_identifier).
        r"\b[vV]?\d+(?:\.\d+){2,}[\w.+-]*",
        # Issue and ticket references: "#123", "JIRA-123", "CVE-2024-1234".
        r"#\d+\b",
        r"\b[A-Za-z][A-Za-z0-9_]*-\d+(?:-\d+)*\b",
        # Commit hashes: 7-40 hex digits mixing letters and digits.
        r"\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{7,40}\b",
        # Years in time phrases: "in 2025", "since 2019", "Q3 2026", "FY25", decades.
        r"(?i:\b(?:in|since|during|until|till|circa|early|late|mid|through|throughout|of|"
        r"fy|cy|q[1-4]|h[12])[\s-]+'?(?:19|20)\d{2}\b)",
        r"(?i:\b[QH][1-4]\s*'?\d{2,4}\b)",
        r"(?i:\bFY\s?'?\d{2,4}\b)",
        r"\b(?:19|20)\d0s\b",
        r"'\d0s\b",
        r"(?i:\bthe\s+\d0s\b)",
        r"\b24/7\b",
    ]
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PERIOD_WORDS = (
    r"(?i:year|yr|annum|month|mo|quarter|qtr|week|wk|day|d|hour|hr|h|minute|min|second|sec|s|"
    r"user|seat|customer|engineer|developer|dev|request|run|build|deploy|release|sprint)"
)
_PERIOD = (
    rf"(?P<period>\s?/\s?(?P<p1>{_PERIOD_WORDS})"
    rf"|\s+(?i:per|a|an|each|every)\s+(?P<p2>{_PERIOD_WORDS})"
    r"|\s+(?P<p3>(?i:annually|yearly|per\s+annum|monthly|quarterly|weekly|daily)|ARR|MRR))"
)


@functools.cache
def _money_re() -> re.Pattern[str]:
    """Money with a currency sign or code in front: "$2.3M", "€40k", "USD 40,000"."""
    return re.compile(
        r"(?<![\w.#/:@&=])"
        r"(?P<sign>[+\-−])?"
        r"(?P<cur>(?i:US|AU|CA|A|C)\$|[$€£¥₹]|(?:USD|EUR|GBP|JPY|INR)\s?)"
        rf"\s?(?P<num>{_NUMBER})"
        r"(?P<scale>\s?(?i:thousand|million|billion|trillion)|(?:bn|mn|mm|MM|tn|[kKmMbBT]))?"
        r"(?![A-Za-z])"
        r"(?P<plus>\+)?"
        r"(?P<word>\s(?i:dollars?|euros?|pounds))?"
        rf"(?:{_PERIOD})?"
        r"(?![\w%])"
    )


@functools.cache
def _quantity_re() -> re.Pattern[str]:
    """Any other number, with its unit when it has one."""
    words = sorted(_WORD_NUMBERS, key=len, reverse=True)
    word_numbers = "|".join(w.replace(" ", r"\s+") for w in words)
    spellings = sorted(
        (s for s in _DURATION_BY_SPELLING if s not in ("m", "d", "us", "s", "h", "ms", "ns")),
        key=len,
        reverse=True,
    )
    durations = (
        r"(?i:(?:person|engineer|dev|developer|man|team)-?(?:hours?|days?|weeks?|months?|years?)"
        r"|(?:business|working|work|calendar)\s+days?"
        rf"|{'|'.join(re.escape(s) for s in spellings)})"
        r"|ns|µs|μs|(?<=\d)us|ms|s|h|(?<=\d)d"
    )
    stop = "|".join(_STOP_WORDS)
    nouns = "|".join(_COUNT_NOUNS)
    comparatives = (
        r"faster|quicker|cheaper|smaller|larger|bigger|higher|lower|more|fewer|less|better|"
        r"throughput|speed-?up|improvement|reduction|increase|growth"
    )
    return re.compile(
        r"(?<![\w.#/:@&=+$€£¥₹])(?<![A-Za-z]-)"
        r"(?P<sign>[+\-−])?"
        rf"(?P<num>{_NUMBER}|(?i:{word_numbers})(?![A-Za-z]))"
        r"(?P<scale>\s?(?i:thousand|million|billion|trillion)(?![A-Za-z])"
        r"|(?:bn|mn|mm|MM|[kKmMbB])(?![A-Za-z]))?"
        r"(?P<plus>\+)?"
        r"(?:"
        r"\s?(?P<pct>%|(?i:percentage\s+points?|percent|per\s?cent|pct|pp)(?![A-Za-z]))"
        rf"|\s?(?P<mult>[x×X])(?![\w])(?!\s*\d)(?P<comp>\s+(?i:{comparatives})(?![A-Za-z]))?"
        r"|\s(?P<mword>(?i:dollars?|bucks|usd|euros?|eur|pounds(?:\s+sterling)?|gbp|quid))"
        rf"|[\s-]?(?P<dur>{durations})(?![A-Za-z])"
        r"|\s?(?P<size>[KMGTP]i?B|B\b|(?i:bytes|kilobytes?|megabytes?|gigabytes?|terabytes?))"
        r"|\s?(?P<rate>(?i:rps|qps|tps|req/s(?:ec)?|requests?/s(?:ec)?|ops/s(?:ec)?"
        r"|requests\s+per\s+second|queries\s+per\s+second))"
        rf"|[\s-](?P<adj>(?:(?!(?i:{stop})\b)[A-Za-z][\w'-]*\s+){{0,2}})(?P<noun>(?i:{nouns}))"
        r")?"
        rf"(?:{_PERIOD})?"
        r"(?![\w%])"
    )


@functools.cache
def _word_multiplier_re() -> re.Pattern[str]:
    return re.compile(
        r"(?i)\b(?P<w>doubled|doubling|tripled|tripling|quadrupled|halved|halving"
        r"|cut\s+(?:\w+\s+){0,3}?in\s+half|by\s+half|an\s+order\s+of\s+magnitude)\b"
    )


# (word stem, multiplier, relative change): "doubled" is 2x, up 100%.
_WORD_MULTIPLIERS: tuple[tuple[str, float, float | None], ...] = (
    ("doubl", 2.0, 1.0),
    ("tripl", 3.0, 2.0),
    ("quadrupl", 4.0, 3.0),
    ("halv", 0.5, -0.5),
    ("cut", 0.5, -0.5),
    ("by", 0.5, -0.5),  # "reduced pages by half"
    ("an", 10.0, None),  # "an order of magnitude": the direction is in the sentence
)


def _word_multiplier(word: str) -> tuple[float, float | None]:
    lowered = word.lower()
    for stem, value, change in _WORD_MULTIPLIERS:
        if lowered.startswith(stem):
            return value, change
    return 1.0, None


_CONNECTOR = _lazy(
    r"\s*(?:-+>|=+>|[→⇒⟶➜➔]|(?i:(?:(?:all\s+the\s+way\s+)?(?:down|up)\s+)?to))\s*"
    r"(?:~|≈|about\s+|around\s+|roughly\s+|just\s+|under\s+|over\s+)?"
)
_FROM_BEFORE = _lazy(r"(?i)\bfrom\s*(?:~|≈|about\s+|around\s+|roughly\s+|over\s+)?$")
_VERSION_CONTEXT = _lazy(r"(?i)\b(?:upgrad\w*|version|bump\w*|release|python|node|java)\b")
_DOWN_WORDS = _lazy(
    r"(?i)^(?:reduc\w*|cut\w*|decreas\w*|lower\w*|drop\w*|dropp\w*|fell|fall\w*|down|shr[aiu]nk\w*"
    r"|sav\w*|trimm\w*|trim|slash\w*|declin\w*|less|fewer|eliminat\w*|minus|shaved?|shaving)$"
)
_UP_WORDS = _lazy(
    r"(?i)^(?:increas\w*|grew|grow\w*|rais\w*|boost\w*|up|rose|rise[ns]?|rising|gain\w*|lift\w*|expand\w*"
    r"|more|plus|climb\w*|jump\w*)$"
)
_DOWN_AFTER = _lazy(
    r"(?i)^\s+(?:reduction|decrease|drop|decline|cut|fewer|less|lower|cheaper|smaller|shorter"
    r"|savings?|down)\b"
)
_UP_AFTER = _lazy(
    r"(?i)^\s+(?:increase|growth|rise|gain|uplift|lift|more|higher|greater|bigger|larger|boost"
    r"|up)\b"
)


@dataclass
class _Token:
    """A number as found, before pairing decides what it means."""

    start: int
    end: int
    value: float
    kind: str | None  # None: a bare number, only useful as half of a pair
    unit: str
    family: str  # what must match for two tokens to pair
    factor: float = 1.0  # unit -> base unit (seconds, bytes), for pairs across units
    sign: str = ""
    word_number: bool = False


def _scan(text: str) -> list[tuple[int, int, Metric]]:
    """Find metrics with their spans (the spans let :func:`translate` skip them)."""
    if not text:
        return []
    money = list(_money_re().finditer(text))
    quantities = list(_quantity_re().finditer(text))
    words = list(_word_multiplier_re().finditer(text))
    if not (money or quantities or words):
        return []
    protected = _protected_spans(text, [m.span() for m in (*money, *quantities, *words)])

    def clear(start: int, end: int) -> bool:
        return not any(start < p_end and p_start < end for p_start, p_end in protected)

    tokens: list[_Token] = [_money_token(m) for m in money if clear(*m.span())]
    taken = [(t.start, t.end) for t in tokens]
    for m in quantities:
        start, end = m.span()
        if not clear(start, end) or any(start < e and s < end for s, e in taken):
            continue
        token = _quantity_token(m)
        if token is not None and not _names_an_identifier(text, token):
            tokens.append(token)
    tokens.sort(key=lambda t: t.start)

    results: list[tuple[int, int, Metric]] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            paired = _pair(tokens[i], tokens[i + 1], text)
            if paired is not None:
                results.append(paired)
                i += 2
                continue
        token = tokens[i]
        if token.kind is not None:
            results.append(_single(token, text))
        i += 1

    for m in words:
        start, end = m.span()
        if clear(start, end) and not any(start < e and s < end for s, e, _ in results):
            value, change = _word_multiplier(m.group("w"))
            results.append(
                (start, end, Metric("multiplier", value, "x", m.group(0), change=change))
            )
    results.sort(key=lambda r: r[0])
    return results


_PROTECT_REACH = 60  # longer than any identifier that could hide a number


def _protected_spans(text: str, candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Identifier spans near the candidate numbers.

    Scanning only windows around candidates (rather than a whole body) keeps
    long entries cheap; lookbehinds and word boundaries still see the text
    before each window, so the result is the same as a full scan.
    """
    windows: list[list[int]] = []
    for start, end in sorted(candidates):
        lo, hi = max(0, start - _PROTECT_REACH), min(len(text), end + _PROTECT_REACH)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    pattern = _protected_re()
    return [m.span() for lo, hi in windows for m in pattern.finditer(text, lo, hi)]


def _parse_number(raw: str) -> tuple[float, bool]:
    key = re.sub(r"\s+", " ", raw.strip().lower())
    if key in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[key]), True
    return float(raw.replace(",", "")), False


def _scale_of(raw: str | None) -> float:
    if not raw:
        return 1.0
    return _SCALES.get(raw.strip().lower(), 1.0)


def _period_of(m: re.Match[str]) -> str:
    raw = m.group("p1") or m.group("p2") or m.group("p3")
    if not raw:
        return ""
    key = re.sub(r"\s+", " ", raw.lower())
    return _PERIODS.get(key, key)


def _money_token(m: re.Match[str]) -> _Token:
    number, _ = _parse_number(m.group("num"))
    cur = m.group("cur").strip().lower()
    symbol = _CURRENCIES.get(cur, "$")
    unit = symbol
    period = _period_of(m)
    if period:
        unit = f"{symbol}/{period}"
    value = number * _scale_of(m.group("scale"))
    return _Token(
        m.start(), m.end(), value, "money", unit, f"money:{symbol}", sign=m.group("sign") or ""
    )


def _quantity_token(m: re.Match[str]) -> _Token | None:
    number, is_word = _parse_number(m.group("num"))
    scale_raw = (m.group("scale") or "").strip()
    sign = m.group("sign") or ""
    period = _period_of(m)
    start, end = m.span()

    def token(
        kind: str | None, value: float, unit: str, family: str, factor: float = 1.0
    ) -> _Token:
        if period and kind in ("duration", "count", "money", "percent", None):
            unit = f"{unit}/{period}" if unit else f"/{period}"
            family = f"{family}/{period}"
            kind = kind or "count"
        return _Token(start, end, value, kind, unit, family, factor, sign, is_word)

    if m.group("pct"):
        unit = "pp" if m.group("pct").lower().startswith(("pp", "percentage")) else "%"
        return token("percent", number, unit, unit)
    if m.group("mult"):
        if is_word:
            return None
        return token("multiplier", number, "x", "x")
    scaled = number * _scale_of(scale_raw)
    if m.group("mword"):
        symbol = _CURRENCIES.get(re.sub(r"\s+", " ", m.group("mword").lower()), "$")
        return token("money", scaled, symbol, f"money:{symbol}")
    if m.group("dur"):
        raw = re.sub(r"\s+", " ", m.group("dur").lower())
        base = raw.split("-")[-1].split(" ")[-1]
        unit, seconds = _DURATION_BY_SPELLING.get(
            base, _DURATION_BY_SPELLING.get(base + "s", ("", 0))
        )
        if not unit:
            return None
        return token("duration", scaled, unit, "duration", seconds)
    if m.group("size"):
        raw = m.group("size")
        unit = _SIZE_WORDS.get(raw.lower().rstrip("s"), raw.upper())
        return token("count", scaled, unit, "size", _SIZES.get(unit, 1.0))
    if m.group("rate"):
        raw = m.group("rate").lower()
        unit = raw if raw in ("rps", "qps", "tps") else ("qps" if raw.startswith("quer") else "rps")
        return token("count", scaled, unit, unit)
    if m.group("noun"):
        adjectives = m.group("adj") or ""
        noun = re.sub(r"\s+", " ", f"{adjectives}{m.group('noun')}".strip())
        unit = noun if _has_capital_acronym(noun) else noun.lower()
        return token("count", scaled, unit, f"count:{_singular(m.group('noun').lower())}")
    if scale_raw == "m" and not is_word:
        # "12m" alone is twelve minutes; "$12m" and "12m users" were read above.
        return token("duration", number, "min", "duration", 60.0)
    if is_word:
        return None
    return token(None, scaled, "", "")


def _has_capital_acronym(noun: str) -> bool:
    return bool(re.search(r"\b(?:PRs?|MRs?|APIs?|CVEs?|RFCs?|DBs?|VMs?|LOC)\b", noun))


def _singular(noun: str) -> str:
    noun = noun.strip().split()[-1]
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss") and len(noun) > 2:
        return noun[:-1]
    return noun


def _pair(a: _Token, b: _Token, text: str) -> tuple[int, int, Metric] | None:
    """Read "A → B", "A to B" and "from A to B" as one before/after metric."""
    between = text[a.end : b.start]
    connector = _CONNECTOR().fullmatch(between)
    if connector is None:
        return None
    arrow = not re.search(r"(?i)\bto\b", between)
    window_start = max(0, a.start - 40)
    from_match = _FROM_BEFORE().search(text[window_start : a.start])
    if not (arrow or from_match or (a.kind is not None and b.kind is not None)):
        return None  # "5 to 10 minutes" is a range, not a change
    if a.kind is None and b.kind is None:
        if a.word_number or b.word_number:
            return None
        both_years = all(v.is_integer() and 1900 <= v <= 2100 for v in (a.value, b.value))
        if both_years or _VERSION_CONTEXT().search(text[window_start : a.start]):
            return None
        kind, unit = "change", ""
        before, after = a.value, b.value
    elif a.kind is None or b.kind is None:
        # "from 800 to 200ms", "$40k to 10k": the bare number takes the other's unit.
        known = b if a.kind is None else a
        kind, unit = known.kind or "change", known.unit
        before, after = a.value, b.value
    else:
        if a.family != b.family or a.kind != b.kind:
            return None
        kind, unit = b.kind, b.unit
        before = a.value * a.factor / b.factor
        after = b.value
    start = window_start + from_match.start() if from_match else a.start
    change = (after - before) / before if before else None
    metric = Metric(kind, after, unit, text[start : b.end], before, after, change)
    return start, b.end, metric


def _single(token: _Token, text: str) -> tuple[int, int, Metric]:
    start, end = token.start, token.end
    change = None
    if token.kind == "percent" and token.unit == "%":
        direction, word_start = _percent_direction(token, text)
        if direction:
            change = direction * token.value / 100.0
            if word_start is not None:
                start = word_start
    assert token.kind is not None
    return start, end, Metric(token.kind, token.value, token.unit, text[start:end], change=change)


def _percent_direction(token: _Token, text: str) -> tuple[int, int | None]:
    """+1, -1 or 0 for "up 15%", "reduced churn 15%", "15% fewer"; and where an
    adjacent "up"/"down" starts, so the metric's text reads "down 3%"."""
    if token.sign in ("-", "−"):
        return -1, None
    if token.sign == "+":
        return 1, None
    after = text[token.end : token.end + 20]
    if _DOWN_AFTER().match(after):
        return -1, None
    if _UP_AFTER().match(after):
        return 1, None
    clause = re.split(r"[.;:!?()\n,—–]", text[max(0, token.start - 60) : token.start])[-1]
    words = list(re.finditer(r"[A-Za-z]+", clause))
    offset = token.start - len(clause)
    for word in reversed(words[-6:]):
        adjacent = not clause[word.end() :].strip()
        if _DOWN_WORDS().match(word.group()):
            simple = word.group().lower() == "down" and adjacent
            return -1, offset + word.start() if simple else None
        if _UP_WORDS().match(word.group()):
            simple = word.group().lower() == "up" and adjacent
            return 1, offset + word.start() if simple else None
    return 0, None


def _classify_unit(unit: str) -> tuple[str, str, float]:
    """(kind, canonical unit, scale factor) for a hand-written metric unit."""
    raw = unit.strip()
    if not raw:
        return "count", "", 1.0
    lowered = raw.lower()
    if lowered in ("%", "percent", "pct", "per cent"):
        return "percent", "%", 1.0
    if lowered in ("pp", "percentage points", "percentage point", "points of percent"):
        return "percent", "pp", 1.0
    if lowered in ("x", "×", "times"):
        return "multiplier", "x", 1.0
    if raw in ("K", "M", "MM", "B") or lowered in ("bn", "mn", "thousand", "million", "billion"):
        return "count", "", _SCALES[lowered]  # "M" is a million; "m" is minutes
    if lowered in _DURATION_BY_SPELLING:
        canonical, _ = _DURATION_BY_SPELLING[lowered]
        return "duration", canonical, 1.0
    if raw.upper() in _SIZES:
        return "count", raw.upper(), 1.0
    # Money, possibly scaled and per period: "$", "USD", "$M", "k€", "$/month", "M USD/yr".
    main, _, period = lowered.partition("/")
    pieces = re.findall(r"us\$|au\$|ca\$|a\$|c\$|[$€£¥₹]|[a-z]+", main)
    symbols = [_CURRENCIES[p] for p in pieces if p in _CURRENCIES]
    scales = [p for p in pieces if p not in _CURRENCIES]
    if len(symbols) == 1 and len(scales) <= 1 and all(p in _SCALES for p in scales):
        factor = _SCALES[scales[0]] if scales else 1.0
        period = _PERIODS.get(period.strip(), period.strip())
        return "money", f"{symbols[0]}/{period}" if period else symbols[0], factor
    if lowered in _SCALES:
        return "count", "", _SCALES[lowered]
    return "count", raw, 1.0


def _coerce_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        cleaned = re.sub(r"[,_\s$€£]", "", value)
        try:
            number = float(cleaned)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _strip_code(text: str) -> str:
    """The body without code blocks and inline code: numbers there are not claims."""
    if "`" not in text:
        return text
    text = re.sub(r"```.*?(?:```|\Z)", " ", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


def _format_number(value: float) -> str:
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _format_quantity(value: float, unit: str, kind: str) -> str:
    """A value in its unit as a reader would write it: "$2.3M/year", "800ms", "3 days"."""
    base, _, period = unit.partition("/")
    per = f"/{period}" if period else ""
    if kind == "money":
        for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(value) >= threshold:
                return f"{base}{_format_number(round(value / threshold, 2))}{suffix}{per}"
        return f"{base}{_format_number(value)}{per}"
    if kind in ("percent", "multiplier") or base in ("ns", "µs", "ms", "s", "h"):
        return f"{_format_number(value)}{base}{per}"
    if kind == "duration" and base != "min":
        plural = "" if value == 1 else "s"
        return f"{_format_number(value)} {base}{plural}{per}"
    return f"{_format_number(value)} {base}".strip() + per


def _format_change(change: float) -> str:
    """A relative change as a signed percentage: -0.75 -> "-75%"."""
    percent = change * 100
    return f"{percent:+.0f}%" if abs(percent) >= 1 else f"{percent:+.1f}%"


# =============================================================================
# 2. Impact areas
# =============================================================================

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
        "cost", "spend", "spending", "saving", "savings", "budget", "cloud bill", "aws bill",
        "bill", "cheaper", "license", "licence", "vendor", "reserved instance", "rightsiz*",
        "right-siz*", "efficiency", "efficient", "finops", "egress", "compute cost",
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


def areas_for(
    entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None
) -> tuple[list[str], bool]:
    """The entry's impact areas and whether they were inferred (memoised; see
    :func:`_areas_for`)."""
    found = analyse(entry, keywords)
    return list(found.areas), found.areas_inferred


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
    ranked = sorted(scores, key=lambda a: (-scores[a], order.get(a, len(order)), a))
    return ranked[:3], True


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
    return strong, _strip_code(entry.body)


# =============================================================================
# 3. Leverage and the two skill trees
# =============================================================================

#: Words that show each leverage type (see seeds/003). Matched like AREA_KEYWORDS.
LEVERAGE_KEYWORDS: dict[str, list[str]] = {
    "interpersonal": [
        "mentor", "mentee", "coach", "hiring", "hired", "hire", "interview", "onboard",
        "aligned", "align", "alignment", "brought together", "cross-team", "cross-functional",
        "consensus", "facilitat*", "negotiat*", "unblock", "partnered", "sponsor*", "taught",
        "teach", "pair programming", "paired", "championed", "rallied", "trust",
        "advocated", "coordinated across",
    ],
    "strategic": [
        "proposal", "propose", "proposed", "rfc", "roadmap", "strategy", "strategic", "vision",
        "business case", "pitched", "pitch", "north star", "opportunity", "design doc",
        "long-term", "multi-year", "okr", "technical direction", "build vs buy",
    ],
    "execution": [
        "led", "lead", "shipped", "ship", "migrated", "migration", "launched", "launch",
        "delivered", "deliver", "drove", "drive", "rolled out", "rollout", "completed", "built",
        "implemented", "coordinated", "executed", "on time", "deadline", "cutover", "released",
        "rewrote", "replaced", "deprecated",
    ],
    "expert": [
        "profiling", "profiler", "profiled", "kernel", "compiler", "cryptography",
        "cryptographic", "query planner", "flame graph", "garbage collect*", "jit", "simd",
        "lock-free", "allocator", "bytecode", "ebpf", "fpga", "cuda", "assembly", "paxos",
        "raft", "formal verification", "tla+", "b-tree", "lsm", "vectoriz*", "codec", "cobol",
        "mainframe", "internals", "race condition", "deadlock", "memory leak", "numerical",
    ],
}  # fmt: skip

# Which leverage wins a tie: the rarer, more senior signals first; execution is
# also the default, so it needs no help.
_LEVERAGE_PRIORITY = ("interpersonal", "strategic", "expert", "execution")


def leverage_for(entry: Entry) -> tuple[str, bool]:
    """The entry's leverage type and whether it was inferred (memoised; see
    :func:`_leverage_for`)."""
    found = analyse(entry)
    return found.leverage, found.leverage_inferred


def _leverage_for(entry: Entry) -> tuple[str, bool]:
    """The entry's leverage type and whether it was inferred.

    An explicit ``leverage`` field wins. Otherwise words vote (title, impact
    and tags count double; a tag naming a leverage type counts triple; an
    explicit ``people`` or ``strategy`` area adds to interpersonal or
    strategic). With no signal at all the answer is ``execution``: most
    journal entries record work driven to done.
    """
    if entry.leverage.strip():
        return entry.leverage.strip().lower(), False
    strong, weak = _entry_tokens(entry)
    tags = {t.strip().lower() for t in entry.tags}
    areas = {a.strip().lower() for a in entry.areas}
    index = _index_for(LEVERAGE_KEYWORDS)
    strong_hits, weak_hits = index.count(strong), index.count(weak)
    votes: dict[str, int] = {}
    for kind in _LEVERAGE_PRIORITY:
        votes[kind] = 2 * strong_hits[kind] + weak_hits[kind]
        if kind in tags:
            votes[kind] += 3
    votes["interpersonal"] += 2 if "people" in areas else 0
    votes["strategic"] += 2 if "strategy" in areas else 0
    best = max(_LEVERAGE_PRIORITY, key=lambda k: (votes[k], -_LEVERAGE_PRIORITY.index(k)))
    return (best if votes[best] else "execution"), True


#: Evidence of Tree B (communication and influence) work, from seeds/002:
#: mentoring, cross-team alignment, presenting, writing proposals, reviewing
#: others' designs, hiring, and stakeholder communication.
TREE_B_KEYWORDS: list[str] = [
    "mentor", "mentee", "coach", "cross-team", "cross-functional", "aligned", "align",
    "alignment", "presented", "presenting", "presentation", "talk", "keynote", "demo",
    "brown bag", "brownbag", "town hall", "all-hands", "proposal", "proposed", "rfc",
    "design doc", "design document", "design review", "architecture review", "reviewed design",
    "reviewed the design", "hiring", "hired", "interview", "recruit*", "stakeholder*",
    "communicat*", "workshop", "taught", "teach", "facilitat*", "negotiat*",
    "consensus", "blog post", "write-up", "writeup", "newsletter", "exec update",
    "pitched", "pitch",
]  # fmt: skip

#: The share of Tree B evidence expected when aiming at each level (seeds/002).
TREE_B_TARGETS: dict[str, float] = {"mid": 0.05, "senior": 0.25, "staff": 0.60, "principal": 0.80}

_LEVEL_ALIASES = {"sr": "senior", "sr.": "senior", "jr": "mid", "junior": "mid"}


def tree_for(entry: Entry) -> str:
    """Tree ``"A"`` or ``"B"`` (memoised; see :func:`_tree_for`)."""
    return analyse(entry).tree


def _tree_for(entry: Entry, leverage: str) -> str:
    """``"B"`` for communication-and-influence evidence, else ``"A"`` (technical).

    An entry's own ``tree = "A"|"B"`` front-matter field wins; interpersonal
    leverage is Tree B by definition; otherwise any Tree B keyword makes it B.
    """
    explicit = str(entry.extra.get("tree", "")).strip().upper()
    if explicit in ("A", "B"):
        return explicit
    if leverage == "interpersonal":
        return "B"
    strong, weak = _entry_tokens(entry)
    index = _index_for({"B": TREE_B_KEYWORDS})
    if index.count(strong)["B"] or index.count(weak)["B"]:
        return "B"
    if _REVIEWED_DESIGNS().search(" ".join(_entry_text(entry))):
        return "B"
    return "A"


# "Reviewed the storage team's designs": reviewing others' designs is Tree B.
_REVIEWED_DESIGNS = _lazy(
    r"(?i)\breview(?:ed|ing)?\s+(?:[\w']+\s+){0,4}(?:designs?|proposals?|rfcs?|design\s+docs?)\b"
)


def normalise_level(level: str) -> str:
    """The canonical level name ("mid", "senior", "staff", "principal") for what
    people write ("Senior Engineer", "sr", "Staff+"); unknown levels are an error."""
    key = re.sub(r"\s+", " ", level.strip().lower())
    key = re.sub(r"\b(?:software|swe|sde|engineer(?:ing)?|developer|ic|level)\b", "", key).strip()
    key = _LEVEL_ALIASES.get(key, key)
    if key.endswith("+"):
        key = key[:-1]
    if key not in TREE_B_TARGETS:
        known = ", ".join(TREE_B_TARGETS)
        raise BragError(f"unknown target level {level!r}; known levels: {known}")
    return key


#: The level after each one, for users who set ``level`` but no ``target_level``.
NEXT_LEVEL = {"mid": "senior", "senior": "staff", "staff": "principal", "principal": "principal"}


def tree_b_target(level: str) -> float:
    """The Tree B share expected for a target level ("staff", "Senior Engineer", "sr")."""
    return TREE_B_TARGETS[normalise_level(level)]


def tree_balance(entries: Iterable[Entry], target: str | None = None) -> dict[str, Any]:
    """Counts and shares of Tree A and Tree B evidence, optionally against a target.

    Returns ``{"A": n, "B": n, "total": n, "share_a": f, "share_b": f}`` and,
    with a ``target`` level, also ``"target"``, ``"target_b"`` (the expected
    share) and ``"gap_b"`` (how far below the target the B share is; 0 when
    met). Shares are 0.0 for an empty journal rather than undefined.
    """
    counts = {"A": 0, "B": 0}
    for entry in entries:
        counts[tree_for(entry)] += 1
    total = counts["A"] + counts["B"]
    result: dict[str, Any] = {
        "A": counts["A"],
        "B": counts["B"],
        "total": total,
        "share_a": counts["A"] / total if total else 0.0,
        "share_b": counts["B"] / total if total else 0.0,
    }
    if target is not None:
        expected = tree_b_target(target)
        result["target"] = target
        result["target_b"] = expected
        result["gap_b"] = max(0.0, expected - result["share_b"])
    return result


# =============================================================================
# 4. Audience lenses
# =============================================================================


@dataclass
class Lens:
    """How one kind of reader weighs work (seeds/000: "same proposal, three framings").

    ``weights`` multiply an impact area's points (1.0 when an area is not
    listed); ``leverage`` does the same for leverage types. ``technical``
    says whether the reader speaks engineering: when False, reframed text has
    its jargon translated through the glossary. ``lead`` is the phrasing: the
    kinds of number this reader wants in the first words of a bullet (a CFO
    money, a CTO time and multipliers), in order of preference.
    """

    name: str
    description: str
    weights: dict[str, float]
    technical: bool = False
    leverage: dict[str, float] = field(default_factory=dict)
    lead: tuple[str, ...] = ()

    def weight(self, area: str) -> float:
        return float(self.weights.get(area, 1.0))

    def leverage_weight(self, leverage: str) -> float:
        return float(self.leverage.get(leverage, 1.0))


DEFAULT_LENS = "manager"

LENSES: dict[str, Lens] = {
    "manager": Lens(
        "manager",
        "Your manager: goals met and team growth, with risks surfaced early.",
        {
            "revenue": 1.2, "cost": 1.1, "risk": 1.2, "customer": 1.2, "retention": 1.1,
            "velocity": 1.2, "quality": 1.1, "people": 1.6, "strategy": 1.3,
        },
        technical=False,
        leverage={"interpersonal": 1.2, "strategic": 1.1},
    ),
    "exec": Lens(
        "exec",
        "A CEO or VP: customers, revenue and competitive advantage.",
        {
            "revenue": 2.0, "cost": 1.2, "risk": 1.0, "customer": 2.0, "retention": 1.6,
            "velocity": 0.6, "quality": 0.5, "people": 0.6, "strategy": 1.8,
        },
        technical=False,
        leverage={"strategic": 1.4},
        lead=("money", "percent", "count"),
    ),
    "cfo": Lens(
        "cfo",
        "Finance: cost reduction and revenue, in money.",
        {
            "revenue": 2.0, "cost": 2.2, "risk": 1.0, "customer": 0.9, "retention": 1.4,
            "velocity": 0.8, "quality": 0.4, "people": 0.5, "strategy": 0.8,
        },
        technical=False,
        lead=("money", "percent"),
    ),
    "cto": Lens(
        "cto",
        "A CTO: risk mitigation, engineering velocity and leverage.",
        {
            "revenue": 0.8, "cost": 1.1, "risk": 2.0, "customer": 1.0, "retention": 0.8,
            "velocity": 1.9, "quality": 1.3, "people": 1.1, "strategy": 1.4,
        },
        technical=True,
        leverage={"strategic": 1.5, "expert": 1.3, "interpersonal": 1.3},
        lead=("duration", "multiplier", "percent", "change"),
    ),
    "peer": Lens(
        "peer",
        "Fellow engineers: the technical substance.",
        {
            "revenue": 0.6, "cost": 0.8, "risk": 1.3, "customer": 0.9, "retention": 0.6,
            "velocity": 1.6, "quality": 2.0, "people": 1.0, "strategy": 0.9,
        },
        technical=True,
        leverage={"expert": 1.5},
        lead=("duration", "multiplier", "change", "count"),
    ),
}  # fmt: skip

#: Other names people use for the built-in audiences.
LENS_ALIASES = {
    "ceo": "exec",
    "executive": "exec",
    "executives": "exec",
    "vp": "exec",
    "leadership": "exec",
    "finance": "cfo",
    "boss": "manager",
    "em": "manager",
    "peers": "peer",
    "engineer": "peer",
    "engineers": "peer",
    "team": "peer",
}


def get_lens(name: str | None = None, lenses: Mapping[str, Lens] | None = None) -> Lens:
    """The lens called ``name`` (default: manager); unknown names list the known ones."""
    table = lenses if lenses is not None else LENSES
    key = (name or DEFAULT_LENS).strip().lower()
    if key not in table:
        key = LENS_ALIASES.get(key, key)
    if key not in table:
        known = ", ".join(sorted(table))
        raise BragError(f"unknown audience {name!r}; known audiences: {known}")
    return table[key]


def load_lenses(config: Mapping[str, Any] | None = None) -> dict[str, Lens]:
    """Built-in lenses plus those defined under ``[lenses.<name>]`` in brag.toml.

    A user lens may set ``description``, ``weights = {area = float}``,
    ``leverage = {type = float}``, ``technical = bool`` and ``extends``. It
    starts from its ``extends`` lens (by default the built-in of the same
    name when redefining one, else ``manager``) and overrides only what it
    sets, so ``[lenses.cfo] weights = {risk = 1.5}`` tweaks one number.
    """
    result = {name: _copy_lens(lens) for name, lens in LENSES.items()}
    section = (config or {}).get("lenses", {})
    if not isinstance(section, Mapping):
        raise ConfigError("[lenses] in brag.toml must be a table of lens tables")
    for raw_name, spec in section.items():
        name = str(raw_name).strip().lower()
        if not isinstance(spec, Mapping):
            raise ConfigError(f"[lenses.{raw_name}] must be a table")
        unknown = set(spec) - {"description", "weights", "leverage", "technical", "extends", "lead"}
        if unknown:
            raise ConfigError(f"[lenses.{raw_name}] has unknown keys: {', '.join(sorted(unknown))}")
        parent_name = str(spec.get("extends", name if name in result else DEFAULT_LENS)).lower()
        parent_name = LENS_ALIASES.get(parent_name, parent_name)
        if parent_name not in result:
            known = ", ".join(sorted(result))
            raise ConfigError(
                f"[lenses.{raw_name}] extends unknown lens {parent_name!r}; known: {known}"
            )
        parent = result[parent_name]
        technical = spec.get("technical", parent.technical)
        if not isinstance(technical, bool):
            raise ConfigError(f"lenses.{raw_name}.technical must be true or false")
        description = spec.get(
            "description",
            parent.description
            if parent_name == name
            else f"Custom audience based on {parent_name}.",
        )
        if not isinstance(description, str):
            raise ConfigError(f"lenses.{raw_name}.description must be a string")
        result[name] = Lens(
            name,
            description,
            {**parent.weights, **_weights(spec.get("weights", {}), f"lenses.{raw_name}.weights")},
            technical,
            {
                **parent.leverage,
                **_weights(spec.get("leverage", {}), f"lenses.{raw_name}.leverage"),
            },
            _lead(spec.get("lead", parent.lead), f"lenses.{raw_name}.lead"),
        )
    return result


def _lead(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or any(v not in METRIC_KINDS for v in value):
        raise ConfigError(f"{where} must be a list of: {', '.join(METRIC_KINDS)}")
    return tuple(value)


def _copy_lens(lens: Lens) -> Lens:
    return Lens(
        lens.name,
        lens.description,
        dict(lens.weights),
        lens.technical,
        dict(lens.leverage),
        lens.lead,
    )


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table of name = number")
    weights: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}.{key} must be a number >= 0")
        weights[str(key).strip().lower()] = float(value)
    return weights


def _as_lens(lens: Lens | str | None) -> Lens:
    return lens if isinstance(lens, Lens) else get_lens(lens)


# =============================================================================
# 5. Scoring
# =============================================================================

#: Points for the best metric of each kind: money and percentages are what a
#: decision-maker can act on; a bare count is the weakest number.
METRIC_POINTS = {
    "money": 3.0,
    "percent": 2.5,
    "change": 2.0,
    "multiplier": 2.0,
    "duration": 1.5,
    "count": 1.0,
}
PAIR_BONUS = 1.0  # a before/after, or a stated direction, proves a change
AREA_POINTS = 3.0  # primary area, times the lens weight
SECONDARY_AREA_POINTS = 1.0  # each further area (two at most), times the lens weight
LEVERAGE_POINTS = {"execution": 1.0, "strategic": 2.0, "interpersonal": 2.0, "expert": 1.5}
UNPROVEN_AREA_FACTOR = 0.5  # areas count half when nothing shows the impact happened
IMPACT_POINTS = 1.0  # an impact statement that names an outcome
HALF_LIFE_DAYS = 180.0
RECENCY_FLOOR = 0.25  # a big win from last year still counts in a promotion case
SCOPE_CAP = 4.0

_BROAD_SCOPE = _lazy(
    r"(?i)\b(?:cross[\s-]team|cross[\s-]functional|org[\s-]wide|company[\s-]wide|"
    r"engineering[\s-]wide|platform[\s-]wide|industry[\s-]wide|across\s+(?:the\s+)?"
    r"(?:org|organi[sz]ation|company|engineering|teams|departments|all\s+teams)|"
    r"multiple\s+teams|several\s+teams|all\s+teams|every\s+team|multi[\s-]team)\b"
)
_TEAM_UNITS = ("team", "squad", "org", "organization", "organisation", "department", "division")
_REACH_UNITS = ("user", "customer", "client", "subscriber", "merchant", "account", "member")


class Score:
    """A score and the named parts that add up to it, so it can be explained.

    Ranking thousands of entries only needs ``total``; the ``parts`` (with the
    sentence explaining each) are worked out the first time they are asked for.
    """

    __slots__ = ("total", "_parts", "_explain")

    def __init__(
        self,
        total: float,
        parts: list[tuple[str, float, str]] | None = None,
        explain: Callable[[], list[tuple[str, float, str]]] | None = None,
    ) -> None:
        self.total = total
        self._parts = parts
        self._explain = explain

    @property
    def parts(self) -> list[tuple[str, float, str]]:
        if self._parts is None:
            self._parts = self._explain() if self._explain is not None else []
        return self._parts

    def __repr__(self) -> str:
        return f"Score(total={self.total!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return self.total == other.total and self.parts == other.parts

    __hash__ = None  # type: ignore[assignment]

    def explain(self) -> str:
        """One line per part, then the total: what ``brag show`` prints."""
        width = max((len(name) for name, _, _ in self.parts), default=5)
        lines = [f"{name:<{width}}  {points:+6.2f}  {why}" for name, points, why in self.parts]
        lines.append(f"{'total':<{width}}  {self.total:6.2f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "parts": [{"name": n, "points": p, "why": w} for n, p, w in self.parts],
        }


def metric_points(metric: Metric) -> float:
    """How much one metric is worth as evidence (see METRIC_POINTS)."""
    points = METRIC_POINTS.get(metric.kind, 1.0)
    if metric.change is not None:
        points += PAIR_BONUS
    return points


def score(
    entry: Entry,
    lens: Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    *,
    found: Analysis | None = None,
) -> Score:
    """Score an entry for a reader; every point is accounted for in ``parts``.

    Parts, in order: ``evidence`` (its numbers: the best counts fully, the
    next two at a half and a quarter), ``impact`` (an outcome statement),
    ``area`` (impact areas times the lens's weights; halved when neither a
    number nor an outcome statement backs the claim), ``scope``
    (collaborators, cross-team words, teams and users reached), ``leverage``
    (its type times the lens's weight) and ``recency`` (a negative part:
    the rest decays with a 180-day half-life relative to ``today``, never
    below a quarter). Parts are rounded to hundredths and sum to ``total``.
    ``today`` defaults to the current date; pass it for reproducible output.
    """
    the_lens = _as_lens(lens)
    if found is None:
        found = analyse(entry, keywords)
    day = today or dt.date.today()
    total = _fast_total(found, entry.date, the_lens, day)
    return Score(total, explain=lambda: _score_parts(entry, found, the_lens, day))


def _fast_total(found: Analysis, date: dt.date, lens: Lens, today: dt.date) -> float:
    """The score's total from the analysis's precomputed, lens-independent parts.

    The same arithmetic, in the same order, as the explained parts (a test
    holds them equal); inlined because ranking runs it for every entry.
    """
    areas = found.areas
    if not areas:
        area = 0.0
    else:
        weights = lens.weights
        if len(areas) == 1:
            points = AREA_POINTS * float(weights.get(areas[0], 1.0))
        else:
            ranked = sorted(areas, key=lambda a: -float(weights.get(a, 1.0)))
            points = AREA_POINTS * float(weights.get(ranked[0], 1.0))
            for other in ranked[1:3]:
                points += SECONDARY_AREA_POINTS * float(weights.get(other, 1.0))
        if not (found.metrics or found.impact_points > 0):
            points *= UNPROVEN_AREA_FACTOR
        area = round(points, 2)
    leverage = round(
        LEVERAGE_POINTS.get(found.leverage, 1.0) * float(lens.leverage.get(found.leverage, 1.0)), 2
    )
    running: float = 0
    running += found.evidence_points
    running += found.impact_points
    running += area
    running += found.scope_points
    running += leverage
    age = (today - date).days
    if age <= 0:
        return round(running + 0.0, 2)
    factor = max(RECENCY_FLOOR, 0.5 ** (age / HALF_LIFE_DAYS))
    return round(running + round(-round(running, 2) * (1.0 - factor), 2), 2)


def _score_parts(
    entry: Entry, found: Analysis, lens: Lens, today: dt.date
) -> list[tuple[str, float, str]]:
    metrics = list(found.metrics)
    impact_part = _impact_part(entry, found.activity)
    proven = bool(metrics) or impact_part[1] > 0
    parts = [
        _evidence_part(metrics),
        impact_part,
        _area_part(found, lens, proven),
        _scope_part(entry, metrics, found.broad),
        _leverage_part(found, lens),
    ]
    subtotal = round(sum(points for _, points, _ in parts), 2)
    parts.append(_recency_part(entry, subtotal, today))
    return parts


def _evidence_part(metrics: list[Metric]) -> tuple[str, float, str]:
    if not metrics:
        return ("evidence", 0.0, "no numbers: add a metric (%, $, time saved, before → after)")
    ranked = sorted(metrics, key=metric_points, reverse=True)[:3]
    factors = (1.0, 0.5, 0.25)
    points = sum(metric_points(m) * f for m, f in zip(ranked, factors, strict=False))
    shown = ", ".join(
        f"{m.describe()} ({m.kind}{', change' if m.change is not None else ''}) "
        f"{metric_points(m):g}{'' if f == 1 else f'×{f:g}'}"
        for m, f in zip(ranked, factors, strict=False)
    )
    more = f"; {len(metrics) - 3} more not counted" if len(metrics) > 3 else ""
    return ("evidence", round(points, 2), f"{shown}{more}")


def _impact_part(entry: Entry, activity: bool) -> tuple[str, float, str]:
    impact = entry.impact.strip()
    if not impact:
        return ("impact", 0.0, "no impact statement")
    if activity:
        return ("impact", 0.0, "impact reads as activity, not outcome")
    return ("impact", IMPACT_POINTS, "states its outcome")


def _area_points(areas: Sequence[str], lens: Lens, proven: bool) -> float:
    if not areas:
        return 0.0
    weights = lens.weights
    if len(areas) == 1:
        points = AREA_POINTS * float(weights.get(areas[0], 1.0))
    else:
        ranked = sorted(areas, key=lambda a: -lens.weight(a))
        points = AREA_POINTS * lens.weight(ranked[0])
        for area in ranked[1:3]:
            points += SECONDARY_AREA_POINTS * lens.weight(area)
    if not proven:
        points *= UNPROVEN_AREA_FACTOR
    return round(points, 2)


def _area_part(found: Analysis, lens: Lens, proven: bool) -> tuple[str, float, str]:
    areas, inferred = found.areas, found.areas_inferred
    if not areas:
        return ("area", 0.0, "no impact area recognised (set areas = [...])")
    ranked = sorted(areas, key=lambda a: -lens.weight(a))
    primary, others = ranked[0], ranked[1:3]
    bits = [f"{primary} {AREA_POINTS:g}×{lens.weight(primary):g}"]
    for area in others:
        bits.append(f"{area} {SECONDARY_AREA_POINTS:g}×{lens.weight(area):g}")
    how = "inferred" if inferred else "explicit"
    why = f"{' + '.join(bits)} for {lens.name} ({how})"
    if not proven:
        # A claim of cost impact with no number or outcome is a topic, not a result.
        why += f", ×{UNPROVEN_AREA_FACTOR:g} with no number or outcome"
    return ("area", _area_points(areas, lens, proven), why)


def _scope_part(entry: Entry, metrics: list[Metric], broad: str) -> tuple[str, float, str]:
    points = 0.0
    bits: list[str] = []
    if entry.with_:
        collab = min(2.0, 0.5 * len(entry.with_))
        points += collab
        bits.append(f"{len(entry.with_)} collaborator{'s' * (len(entry.with_) != 1)} {collab:g}")
    if broad:
        points += 1.5
        bits.append(f"'{broad}' 1.5")
    teams = max(
        (m.value for m in metrics if m.kind == "count" and _unit_noun(m.unit) in _TEAM_UNITS),
        default=0.0,
    )
    if teams > 1:
        team_points = min(2.0, 0.2 * teams)
        points += team_points
        bits.append(f"{_format_number(teams)} teams {team_points:g}")
    audiences = [m for m in metrics if m.kind == "count" and _unit_noun(m.unit) in _REACH_UNITS]
    widest = max(audiences, key=lambda m: m.value, default=None)
    if widest is not None and widest.value >= 10:
        reach_points = round(min(1.5, 0.25 * math.log10(widest.value)), 2)
        points += reach_points
        bits.append(f"reaches {_format_number(widest.value)} {widest.unit} {reach_points:g}")
    if points > SCOPE_CAP:
        bits.append(f"capped at {SCOPE_CAP:g}")
        points = SCOPE_CAP
    if not bits:
        return ("scope", 0.0, "no collaborators or breadth recorded")
    return ("scope", round(points, 2), ", ".join(bits))


def _unit_noun(unit: str) -> str:
    noun = unit.split("/")[0].strip()
    return _singular(noun.lower()) if noun else ""


def _leverage_points(leverage: str, lens: Lens) -> float:
    return round(LEVERAGE_POINTS.get(leverage, 1.0) * lens.leverage_weight(leverage), 2)


def _leverage_part(found: Analysis, lens: Lens) -> tuple[str, float, str]:
    leverage, inferred = found.leverage, found.leverage_inferred
    base = LEVERAGE_POINTS.get(leverage, 1.0)
    weight = lens.leverage_weight(leverage)
    how = "inferred" if inferred else "explicit"
    return ("leverage", _leverage_points(leverage, lens), f"{leverage} {base:g}×{weight:g} ({how})")


def _recency_factor(date: dt.date, today: dt.date) -> tuple[int, float]:
    age = (today - date).days
    if age <= 0:
        return age, 1.0
    return age, max(RECENCY_FLOOR, 0.5 ** (age / HALF_LIFE_DAYS))


def _recency_points(date: dt.date, subtotal: float, today: dt.date) -> float:
    age, factor = _recency_factor(date, today)
    return 0.0 if age <= 0 else round(-subtotal * (1.0 - factor), 2)


def _recency_part(entry: Entry, subtotal: float, today: dt.date) -> tuple[str, float, str]:
    age, factor = _recency_factor(entry.date, today)
    if age <= 0:
        return ("recency", 0.0, "current")
    note = " (floor)" if factor == RECENCY_FLOOR else ""
    return (
        "recency",
        _recency_points(entry.date, subtotal, today),
        f"{age} days old: ×{factor:.2f}{note} (half-life {HALF_LIFE_DAYS:g} days)",
    )


def rank(
    entries: Iterable[Entry],
    lens: Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    *,
    read: Callable[[Entry], Analysis] | None = None,
) -> list[tuple[Entry, Score]]:
    """Entries with their scores, strongest first.

    Ties go to the newer entry, then the title alphabetically, then the id,
    so the order never depends on how entries were read from disk.
    """
    the_lens = _as_lens(lens)
    day = today or dt.date.today()
    if read is None:
        scored = [(entry, score(entry, the_lens, day, keywords)) for entry in entries]
    else:
        # score() inlined: this loop runs for every entry of a year.
        scored = []
        for e in entries:
            found = read(e)
            total = _fast_total(found, e.date, the_lens, day)
            scored.append(
                (e, Score(total, explain=functools.partial(_score_parts, e, found, the_lens, day)))
            )
    scored.sort(
        key=lambda pair: (
            -pair[1].total,
            -pair[0].date.toordinal(),
            pair[0].title.casefold(),
            pair[0].id,
        )
    )
    return scored


# =============================================================================
# 6. Reframing
# =============================================================================

#: Engineering jargon and its plain-language translation for non-technical
#: readers. Matched as whole words, case-insensitively, longest first. Users
#: add or override entries under ``[glossary]`` in brag.toml.
GLOSSARY: dict[str, str] = {
    "p99 latency": "slowest-1% response time",
    "p95 latency": "slowest-5% response time",
    "p90 latency": "slowest-10% response time",
    "p50 latency": "typical response time",
    "median latency": "typical response time",
    "tail latency": "response time of the slowest requests",
    "p99": "slowest-1% response time",
    "p95": "slowest-5% response time",
    "p90": "slowest-10% response time",
    "p50": "typical response time",
    "latency": "response time",
    "throughput": "processing capacity",
    "k8s": "our container platform",
    "kubernetes": "our container platform",
    "CI/CD": "the automated build, test and release pipeline",
    "CI": "the automated build and test pipeline",
    "SLO": "reliability target",
    "SLOs": "reliability targets",
    "SLA": "service-level commitment",
    "SLAs": "service-level commitments",
    "SLI": "reliability measure",
    "SLIs": "reliability measures",
    "MTTR": "time to recover from incidents",
    "MTTD": "time to detect incidents",
    "toil": "repetitive manual work",
    "tech debt": "accumulated shortcuts that slow future work",
    "technical debt": "accumulated shortcuts that slow future work",
    "refactor": "restructure the code",
    "refactored": "restructured the code",
    "refactoring": "restructuring the code",
    "idempotent": "safe to retry",
    "on-call": "out-of-hours duty",
    "postmortem": "incident review",
    "post-mortem": "incident review",
    "RCA": "root-cause analysis",
    "flaky tests": "unreliable automated tests",
    "flaky test": "unreliable automated test",
    "e2e tests": "end-to-end tests",
    "unit tests": "automated tests",
    "monorepo": "single shared codebase",
    "microservices": "independent services",
    "microservice": "independent service",
    "feature flags": "feature switches",
    "feature flag": "feature switch",
    "canary release": "gradual rollout",
    "canary deploy": "gradual rollout",
    "observability": "visibility into how our systems behave",
    "telemetry": "usage and health data",
    "deprecated": "retired",
    "deprecate": "retire",
    "SDK": "developer toolkit",
    "OOM": "out-of-memory crash",
    "OOMs": "out-of-memory crashes",
    "SEV1": "top-severity incident",
    "SEV-1": "top-severity incident",
    "SEV2": "high-severity incident",
    "SEV-2": "high-severity incident",
    "CVE": "known security vulnerability",
    "CVEs": "known security vulnerabilities",
    "zero-downtime": "without interrupting service",
    "IaC": "infrastructure defined as code",
    "infra": "infrastructure",
    "prod": "production",
    "ETL": "data pipeline",
    "N+1 queries": "redundant database queries",
    "sharding plan": "plan to split the database across servers",
    "sharding": "splitting the database across servers",
    "autoscaling": "automatic capacity scaling",
    "RFC": "design proposal",
    "RFCs": "design proposals",
    "QPS": "queries per second",
    "RPS": "requests per second",
    "PR": "code change",
    "PRs": "code changes",
    "CDN": "content delivery network",
    "cold start": "startup delay",
    "cold starts": "startup delays",
    "SRE": "site reliability engineering",
    "SSO": "single sign-on",
    "MFA": "multi-factor sign-in",
    "2FA": "two-factor sign-in",
    "GC pauses": "memory clean-up pauses",
    "cache hit rate": "share of requests served from cache",
    "blast radius": "scope of damage when something fails",
}


def load_glossary(config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The default glossary merged with ``[glossary]`` from brag.toml.

    A user entry replaces the default for the same term (compared
    case-insensitively); an empty string removes the term, for teams whose
    readers do know what "CI" means.
    """
    merged = dict(GLOSSARY)
    extra = (config or {}).get("glossary", {})
    if not isinstance(extra, Mapping):
        raise ConfigError("[glossary] in brag.toml must be a table of term = plain words")
    for term, plain in extra.items():
        if not isinstance(plain, str):
            raise ConfigError(f"glossary.{term} must be a string")
        for existing in [k for k in merged if k.lower() == str(term).strip().lower()]:
            del merged[existing]
        if plain.strip():
            merged[str(term).strip()] = plain.strip()
    return merged


@functools.lru_cache(maxsize=32)
def _glossary_matcher(terms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One alternation of all terms (longest first) and a normalised-term lookup."""
    if not terms:
        return None
    alternatives = [
        r"\s+".join(re.escape(w) for w in term.split())
        for term in sorted(terms, key=len, reverse=True)
    ]
    pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.IGNORECASE)
    return pattern, {" ".join(term.lower().split()): term for term in terms}


def _glossary_hits(text: str, glossary: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, glossary key) of each jargon term, never inside a metric's number."""
    prepared = _glossary_matcher(tuple(glossary))
    if prepared is None or not text:
        return []
    pattern, lookup = prepared
    matches = list(pattern.finditer(text))
    if not matches:
        return []
    # Only the digits of a metric are off limits: "3 PRs" may become "3 code changes".
    numbers = [
        (start + d.start(), start + d.end())
        for start, end, _ in _scan(text)
        for d in re.finditer(r"\d[\d.,]*", text[start:end])
    ]
    hits = []
    for m in matches:
        if any(m.start() < e and s < m.end() for s, e in numbers):
            continue
        key = lookup.get(" ".join(m.group(0).lower().split()))
        if key is not None:
            hits.append((m.start(), m.end(), key))
    return hits


def jargon_in(text: str, glossary: Mapping[str, str] | None = None) -> list[str]:
    """Glossary terms used in ``text``, in order of first use (for the coach)."""
    found: list[str] = []
    for _, _, key in _glossary_hits(text, glossary if glossary is not None else GLOSSARY):
        if key not in found:
            found.append(key)
    return found


def translate(text: str, glossary: Mapping[str, str] | None = None) -> str:
    """Replace jargon with plain words, keeping every number and metric intact.

    "Cut p99 latency from 800ms to 200ms" becomes "Cut slowest 1% of
    requests' response time from 800ms to 200ms": the precision stays, the
    vocabulary becomes the reader's. A leading "the"/"our" in a translation
    is dropped after an article already in the text ("the CI pipeline").
    """
    if not text:
        return text
    table = glossary if glossary is not None else GLOSSARY
    key = ("translate", text, _glossary_fingerprint(glossary))
    result: str = remember(key, lambda: _translate(text, table))
    return result


def _translate(text: str, table: Mapping[str, str]) -> str:
    hits = _glossary_hits(text, table)
    if not hits:
        return text
    out: list[str] = []
    last = 0
    for start, end, key in hits:
        plain = table[key]
        before = text[last:start]
        if re.search(r"(?i)\b(?:the|our|a|an|my|their|its|this|that)\s+$", text[:start]):
            plain = re.sub(r"(?i)^(?:the|our|a|an)\s+", "", plain)
        if start == 0 or re.search(r"[.!?]\s+$", text[:start]):
            plain = plain[:1].upper() + plain[1:]
        out.append(before)
        out.append(plain)
        last = end
        # "the CI pipeline" -> "the automated build and test pipeline", not "... pipeline pipeline".
        tail_word = plain.split()[-1].lower() if plain.split() else ""
        repeat = re.match(r"\s+(\w+)\b", text[end:])
        if repeat and tail_word and _singular(repeat.group(1).lower()) == _singular(tail_word):
            last = end + repeat.end()
    out.append(text[last:])
    return "".join(out)


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
    return re.compile(rf"(?i)(?<![\w])(?:{body})(?![\w])")


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
    "migrate reduce create improve remove replace move split merge hire mentor automate".split()
)


def reframe(
    entry: Entry,
    lens: Lens | str | None = None,
    glossary: Mapping[str, str] | None = None,
    *,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> Reframed:
    """Rewrite an entry as a conclusion-first bullet for ``lens``'s reader.

    - With an ``impact``: the impact leads (capitalised; if it has no number
      but the entry does, the strongest number is added), then " — " and the
      title as the action.
    - Without one, a title whose number sits in a later clause ("Rewrote the
      image pipeline, cutting storage costs 40%") is turned around so the
      numbered clause leads; a title with a before/after gains the relative
      change ("(-75%)") when it does not state one.
    - Otherwise the title as it is.

    For non-technical lenses (manager, exec, cfo) jargon is translated
    through ``glossary``; numbers are never touched. ``keywords`` (from
    :func:`load_keywords`) only affects the ``areas`` reported.
    """
    the_lens = _as_lens(lens)
    table = glossary if glossary is not None else GLOSSARY
    key = (
        "reframe",
        _content_key(entry, _keywords_fingerprint(keywords)),
        entry.url,
        the_lens.name,
        the_lens.technical,
        _glossary_fingerprint(glossary),
    )
    found = remember(key, lambda: _reframe(entry, the_lens, table, keywords))
    return replace(found, metrics=list(found.metrics), areas=list(found.areas))


def _reframe(
    entry: Entry,
    the_lens: Lens,
    table: Mapping[str, str],
    keywords: Mapping[str, Sequence[str]] | None,
) -> Reframed:
    metrics = entry_metrics(entry)
    areas, _ = areas_for(entry, keywords)
    title = _clean(entry.title)
    impact = _clean(entry.impact)

    if impact and _same_words(impact, title):
        impact = ""  # "Worked on X" as both: say it once
    if impact:
        outcome = impact
        impact_metrics = find_metrics(impact)
        wanted = _for_reader(metrics, the_lens)
        if not impact_metrics and metrics:
            outcome = f"{impact} ({_evidence_phrase(wanted or max(metrics, key=metric_points))})"
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

    if not the_lens.technical:
        outcome = translate(outcome, table)
        action = translate(action, table)
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
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split()[0]
    word = first.lower()
    if first[:1].isupper() and first[1:].islower() and (word in _VERBS or word.endswith("ed")):
        return first.lower() + text[len(first) :]
    return text


# =============================================================================
# 7. Analysis: everything above that depends only on an entry's words, once
# =============================================================================


@dataclass(frozen=True)
class Analysis:
    """What the engine reads from an entry's words, computed once per content.

    Scoring, reframing, the coach and every exporter ask the same questions of
    the same entry (its numbers, areas, leverage, tree); the answers depend
    only on the entry's text and fields, so they are memoised on that content
    and can be kept on disk between runs (:func:`load_cache`/:func:`save_cache`).
    """

    metrics: tuple[Metric, ...]
    areas: tuple[str, ...]
    areas_inferred: bool
    leverage: str
    leverage_inferred: bool
    tree: str
    broad: str  # the words that show cross-team scope, "" when none
    activity: bool  # the impact statement reports activity, not an outcome
    # The lens-independent parts of the score, so ranking is arithmetic.
    evidence_points: float = 0.0
    impact_points: float = 0.0
    scope_points: float = 0.0


#: Bump when a change to the engine alters what it reads from an entry, so
#: caches written by an older brag are ignored rather than trusted.
ANALYSIS_VERSION = 3

#: At most this many analyses are kept on disk (old versions of edited entries
#: are dropped when it is reached).
CACHE_LIMIT = 200_000

_MEMO: dict[tuple[Any, ...], Analysis] = {}
_USED: set[tuple[Any, ...]] = set()
_ON_DISK: set[tuple[Any, ...]] = set()  # keys the last cache file read or written holds
_KEYWORD_FINGERPRINTS: dict[int, tuple[object, str]] = {}


_RESULTS: dict[tuple[Any, ...], Any] = {}  # other deterministic results (reframes)
_RESULTS_USED: set[tuple[Any, ...]] = set()
_RESULTS_ON_DISK: set[tuple[Any, ...]] = set()
_MISSING = object()


def remember(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, memoised under ``key`` in this process and in the cache file.

    Only for deterministic results of the engine (a reframed bullet for a given
    entry content, lens and glossary): a warm export then runs no regular
    expression at all.
    """
    found = _RESULTS.get(key, _MISSING)
    if found is _MISSING:
        found = _RESULTS[key] = compute()
    _RESULTS_USED.add(key)
    return found


def _glossary_fingerprint(glossary: Mapping[str, str] | None) -> str:
    if glossary is None:
        return ""
    return _keywords_fingerprint(glossary)  # type: ignore[arg-type]


def _keywords_fingerprint(keywords: Mapping[str, Sequence[str]] | None) -> str:
    if keywords is None:
        return ""
    known = _KEYWORD_FINGERPRINTS.get(id(keywords))
    if known is not None and known[0] is keywords:
        return known[1]
    import hashlib

    canonical = repr(sorted((str(k), tuple(v)) for k, v in keywords.items()))
    fingerprint = hashlib.sha1(canonical.encode()).hexdigest()[:16]
    _KEYWORD_FINGERPRINTS[id(keywords)] = (keywords, fingerprint)
    return fingerprint


def _content_key(entry: Entry, fingerprint: str) -> tuple[Any, ...]:
    """Everything an analysis depends on, as a short key: a 96-bit digest of the
    entry's words and fields (small keys keep the cache file and lookups cheap)."""
    text = "\x1f".join(
        (
            entry.title,
            entry.impact,
            entry.body,
            "\x1e".join(entry.tags),
            "\x1e".join(entry.areas),
            "\x1e".join(entry.with_),
            entry.leverage,
            repr(entry.metrics) if entry.metrics else "",
            str(entry.extra.get("tree", "")) if entry.extra else "",
        )
    )
    digest = _blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()
    return (fingerprint, entry.id, digest)


def analyse(entry: Entry, keywords: Mapping[str, Sequence[str]] | None = None) -> Analysis:
    """The :class:`Analysis` of ``entry`` (areas inferred with ``keywords``)."""
    key = _content_key(entry, _keywords_fingerprint(keywords))
    found = _MEMO.get(key)
    if found is None:
        areas, inferred = _areas_for(entry, keywords)
        leverage, leverage_inferred = _leverage_for(entry)
        strong, weak = _entry_text(entry)
        broad = _BROAD_SCOPE().search(strong) or _BROAD_SCOPE().search(weak)
        metrics = _entry_metrics(entry)
        activity = is_activity_phrasing(entry.impact.strip())
        scope_words = broad.group(0).lower() if broad else ""
        found = Analysis(
            tuple(metrics),
            tuple(areas),
            inferred,
            leverage,
            leverage_inferred,
            _tree_for(entry, leverage),
            scope_words,
            activity,
            _evidence_part(metrics)[1],
            _impact_part(entry, activity)[1],
            _scope_part(entry, metrics, scope_words)[1],
        )
        _MEMO[key] = found
    _USED.add(key)
    return found


def load_cache(path: str | Any) -> int:
    """Seed the memo from a cache file written by :func:`save_cache`.

    A missing, unreadable or outdated file is ignored (the cache only ever
    saves time). Returns the number of analyses loaded.
    """
    import pickle
    from pathlib import Path

    _ON_DISK.clear()
    _RESULTS_ON_DISK.clear()
    try:
        with Path(path).open("rb") as fh:
            data = pickle.load(fh)
    except Exception:  # a cache must never break brag
        return 0
    if not isinstance(data, dict) or data.get("version") != (ANALYSIS_VERSION, _engine_stamp()):
        return 0
    memo = data.get("memo")
    if not isinstance(memo, dict):
        return 0
    results = data.get("results", {})
    for key, value in memo.items():
        _MEMO.setdefault(key, value)
    _ON_DISK.update(memo)
    if isinstance(results, dict):
        for key, value in results.items():
            _RESULTS.setdefault(key, value)
        _RESULTS_ON_DISK.update(results)
    return len(memo)


def save_cache(path: str | Any) -> bool:
    """Write the memo to ``path`` when this process used analyses the file lacks.

    Analyses of every entry seen are kept (a weekly status must not evict the
    year a self-review needs); past :data:`CACHE_LIMIT` only this run's are.
    Returns whether it wrote. Failures are ignored: the cache only ever saves
    time.
    """
    if _USED <= _ON_DISK and _RESULTS_USED <= _RESULTS_ON_DISK:
        return False
    import os
    import pickle
    import tempfile
    from pathlib import Path

    memo = _MEMO
    if len(memo) > CACHE_LIMIT:
        # Mostly analyses of entries edited since: start again from this run's.
        memo = {k: v for k, v in _MEMO.items() if k in _USED}
    # Reframes depend on the audience too: keep those of this run plus the
    # others already on disk, up to a bound.
    results = {k: _RESULTS[k] for k in _RESULTS_USED}
    for k in _RESULTS_ON_DISK:
        if len(results) >= 5000:
            break
        if k in _RESULTS:
            results.setdefault(k, _RESULTS[k])
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".impact-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {
                    "version": (ANALYSIS_VERSION, _engine_stamp()),
                    "memo": memo,
                    "results": results,
                },
                fh,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, target)
    except OSError:
        return False
    _ON_DISK.clear()
    _ON_DISK.update(memo)
    _RESULTS_ON_DISK.clear()
    _RESULTS_ON_DISK.update(results)
    return True


@functools.cache
def _engine_stamp() -> str:
    """Changes whenever brag's version or this module's code does."""
    import os

    from . import __version__

    try:
        stat = os.stat(__file__)
        return f"{__version__}:{stat.st_size}:{int(stat.st_mtime)}"
    except OSError:
        return __version__


def clear_memo() -> None:
    """Forget every memoised analysis (tests use it to measure cold runs)."""
    _MEMO.clear()
    _USED.clear()
    _ON_DISK.clear()
    _RESULTS.clear()
    _RESULTS_USED.clear()
    _RESULTS_ON_DISK.clear()
    _scan_cached.cache_clear()
