"""Stage 1, metrics: the numbers in an entry that count as evidence.

:func:`find_metrics` recognises numbers written in prose ("from 800ms to
200ms", "$2.3M", "3x", "15%", "12 teams") and ignores the numbers engineers
write that are *not* evidence (versions, dates, PR numbers, ``p99``, ``k8s``,
commit hashes, times of day). :func:`metric_from_dict` reads an entry's
structured ``metrics`` tables. Regular expressions are compiled lazily (and
cached), so importing the engine costs almost nothing.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..entry import Entry
from .memo import compile_kept
from .vocabulary import (
    _COUNT_NOUNS,
    _CURRENCIES,
    _DOTTED_VERSION_NAMES,
    _DURATION_BY_SPELLING,
    _ID_NAMES,
    _MONTHS,
    _NUMBER,
    _PERIOD,
    _PERIODS,
    _SCALES,
    _SIZE_WORDS,
    _SIZES,
    _STOP_WORDS,
    _VERSIONED_NAMES,
    _WORD_MULTIPLIERS,
    _WORD_NUMBERS,
)


def _lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A regex compiled on first use: importing this module must stay instant; its
    compiled program is kept in the cache file (see :func:`.memo.compile_kept`)."""

    @functools.cache
    def compiled() -> re.Pattern[str]:
        return compile_kept(pattern, flags)

    return compiled


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
    if not plausible(value, before and before * factor, after and after * factor):
        return None
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
        rf"(?<![\w.])\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?![A-Za-z])"
        rf"(?!,?\s+\d{{1,2}}\b)(?:,?\s+\d{{4}}\b)?",
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
    return compile_kept("|".join(f"(?:{p})" for p in patterns))


@functools.cache
def _money_re() -> re.Pattern[str]:
    """Money with a currency sign or code in front: "$2.3M", "€40k", "USD 40,000"."""
    return compile_kept(
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
    return compile_kept(
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
    return compile_kept(
        r"(?i)\b(?P<w>doubled|doubling|tripled|tripling|quadrupled|halved|halving"
        r"|cut\s+(?:\w+\s+){0,3}?in\s+half|by\s+half|an\s+order\s+of\s+magnitude)\b"
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

_VERSION_CONTEXT = _lazy(
    r"(?i)\b(?:upgrad\w*|updat\w*|version|bump\w*|release|python|node|java|deps?|dependenc\w*|"
    r"pin\w*|sdk|library|package|lib)\b"
)

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
        if i + 1 < len(tokens) and _version_pair(tokens[i], tokens[i + 1], text):
            i += 2  # "Update mypy 0.782 -> 0.790": versions, whatever word follows
            continue
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
    # "$999…9" with hundreds of digits is not a measurement: left out, never formatted.
    return [r for r in results if plausible(r[2].value, r[2].before, r[2].after)]


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


def _version_pair(a: _Token, b: _Token, text: str) -> bool:
    """Whether "A -> B" is a version change: dotted numbers after a word such as
    "update", "bump" or "python", with no unit of measurement."""
    if a.kind not in (None, "count") or b.kind not in (None, "count"):
        return False
    if "." not in text[a.start : a.end] + text[b.start : b.end]:
        return False
    if _CONNECTOR().fullmatch(text[a.end : b.start]) is None:
        return False
    return bool(_VERSION_CONTEXT().search(text[max(0, a.start - 40) : a.start]))


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


# Larger than any real measurement (a quadrillion dollars, ms or users): such a
# number is a typo or hostile input, and is left out rather than formatted.
MAX_VALUE = 1e15


def plausible(*values: float | None) -> bool:
    """Whether every given number is finite and within :data:`MAX_VALUE`."""
    return all(v is None or (math.isfinite(v) and abs(v) <= MAX_VALUE) for v in values)


def _coerce_number(value: Any) -> float | None:
    """A number from a metrics table, or None (not a number, or implausibly large)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(re.sub(r"[,_\s$€£]", "", value))
        else:
            return None
    except (ValueError, OverflowError):  # OverflowError: an int beyond any float
        return None
    return number if plausible(number) else None


def _strip_code(text: str) -> str:
    """The body without code blocks and inline code: numbers there are not claims."""
    if "`" not in text:
        return text
    text = re.sub(r"```.*?(?:```|\Z)", " ", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


def _format_number(value: float) -> str:
    value = float(value)
    if not plausible(value):
        return f"{value:.3g}"
    if value.is_integer():
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _format_quantity(value: float, unit: str, kind: str) -> str:
    """A value in its unit as a reader would write it: "$2.3M/year", "800ms", "3 days"."""
    base, _, period = unit.partition("/")
    per = f"/{period}" if period else ""
    if kind == "money":
        for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
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
