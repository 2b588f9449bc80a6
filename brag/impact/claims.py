"""Stage 9, the claims trace: does a document say only what the entries say?

:func:`check` reads a rendered document (Markdown, plain text or HTML) next to
the entries it was made from and returns every span it cannot trace back:

- a **number or money figure** that no entry states, unless it is a labelled
  derivation of stated numbers (a percent change from a stated before/after, a
  money figure annualised, a sum labelled "in total", "a year" or "combined",
  a share of entries such as the Tree A/B balance) or part of the document's own
  frame (dates, periods, list numbers, counts of entries, minutes of a meeting);
- a **team or people count** whose verb the entries do not use ("unblocked 2
  teams" is not "adopted across 2 teams");
- an **adoption claim** ("adopted") no entry makes;
- a **level verdict** ("staff-level impact") no entry makes;
- **made-up reassurance** ("in hand", "let's decide who owns it");
- an item under a **Risks** heading that traces to no risk entry, or under an
  **asks/decisions** heading that traces to no ask;
- a **glossary substitution** inside the user's words: a plain-words
  replacement that no entry wrote, other than the explanation of a term in
  parentheses right after it or in a glossary line.

An HTML element marked ``data-frame`` (the report's score explanation, its
footer) is the document's own reasoning, not a claim, and is skipped.

It knows nothing about brag's exporters, so it can check any text: a built-in
document, a user's template, or a rewrite made by some other tool.
:func:`is_risk` and :func:`is_ask` are the same tests the exporters use to
fill their Risks and Asks sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..entry import Entry
from .memo import remember_words
from .metrics import _lazy, find_metrics, metric_from_dict

RISK_TAGS = frozenset({"risk", "blocked", "blocker", "concern"})
ASK_TAGS = frozenset({"ask", "decision", "help"})
_RISK_WORDS = _lazy(
    r"(?i)^\W*(?:risks?|blockers?|blocked|concerns?)\b|\bat risk\b|\bblocked (?:on|by)\b|"
    r"\bblocking\b|\bconcerned\b|\bworried\b|\bnobody owns\b|\bno owner\b|\bunowned\b|"
    r"\b(?:might|could|may|will) (?:slip|fail|miss|lapse|expire|run out)\b|\bruns? out\b|"
    r"\bexpires?\b|\blapses?\b"
)
_RESOLVED_WORDS = _lazy(
    r"(?i)\b(?:resolved|fixed|closed|mitigated|removed|done|shipped|finished|completed|"
    r"unblocked|landed|launched|merged|eliminated|no longer)\b"
)
_ASK_WORDS = _lazy(
    r"(?i)(?:^ask:|\bneed(?:s|ed)? (?:a |an |your )?(?:decision|help|approval|sign-off|"
    r"budget|input|review|owner)|\bdecide\b|\bcan we\b|\bshould we\b|\bwhether we\b)"
)

#: Level names a verdict could use ("staff-level impact").
LEVEL_NAMES = (
    "junior|intern|mid|senior|staff|principal|distinguished|lead|manager|director|"
    "vp|executive|l\\d|e\\d|ic\\d"
)
_VERDICT = _lazy(
    rf"(?i)\b(?:{LEVEL_NAMES})[- ]level\b(?!\s+(?:of|for|expect|target))"
    rf"|\b(?:operating|performing|working) at (?:a |the )?(?:{LEVEL_NAMES}) level\b"
)
_ADOPTION = _lazy(r"(?i)\badopt(?:ed|ion|s|ing)?\b")
_PEOPLE_UNITS = (
    r"teams?|squads?|orgs?|organi[sz]ations?|departments?|groups?|people|persons?|ppl|"
    r"engineers?|developers?|devs|customers?|users?|clients?|candidates?|hires?|"
    r"reports?|mentees?|interns?|services?|companies|partners?"
)
_PEOPLE_COUNT = _lazy(
    rf"(?i)(?:\b([a-z][\w'-]*) )?(?:(?:by|to|across|for|with|of) )?"
    rf"(~?\d[\d,]*(?:\.\d+)?[kK]?) (?:[a-z-]+ )?({_PEOPLE_UNITS})\b"
)
#: Phrases a document makes up when it has nothing to say.
FILLER = {
    "in hand": "says a risk is handled; no entry says so",
    "let's decide who owns it": "filler in place of what the entry says",
    "nothing is at risk": "a verdict: the entries only show that no risk was recorded",
    "nothing needs you": "a verdict about the reader the entries do not make",
}
_NEUTRAL_WORDS = frozenset(
    "a an the and or with for of to by across in on at from over about around nearly almost "
    "than more less up down only all".split()
)

# A number as written: optional currency, digits (with separators), decimals,
# an optional scale or unit glued on, an optional percent sign.
_NUMBER = _lazy(
    r"(?<![\w.#/@-])([$€£¥])?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?:\s?(k|K|m|M|mn|bn|B|million|billion|thousand)\b)?(\s?%|x\b|×)?"
)
_SCALE = {
    "k": 1e3, "K": 1e3, "thousand": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "million": 1e6,
    "bn": 1e9, "B": 1e9, "billion": 1e9,
}  # fmt: skip
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
#: The document's own frame: spans whose numbers are not claims about impact.
_FRAME = _lazy(
    "|".join(
        f"(?:{p})"
        for p in (
            r"https?://[^\s)<>\"']+",
            r"`[^`\n]*`",
            r"\]\([^)\s]*\)",
            r"\bbrag show \w+",
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?",
            r"\b\d{4}-\d{2}\b",
            rf"(?<![A-Za-z]){_MONTHS}\.? \d{{1,2}}"
            rf"(?:\s?[–-]\s?(?:{_MONTHS} )?\d{{1,2}})?(?:, \d{{4}})?",
            rf"(?<![A-Za-z]){_MONTHS} \d{{4}}\b",
            r"\b(?:19|20)\d{2}\s?(?:Q[1-4]|H[12])\b|\b(?:Q[1-4]|H[12])\s?(?:19|20)\d{2}\b",
            r"\b(?:Q[1-4]|H[12])\b",
            r"(?<![\d$€£¥.,])\b(?:19|20)\d{2}\b(?![\d.,%])",
            r"(?m:^\s*\d+[.)]\s)",
            r"\(\d+ min\)",
            r"\babout \d+ minutes(?![a-z])",
            r"\b1:1s?\b",
            r"\bTree [AB]\b",
            r"\b(?:L|E|IC)\d\b",
            r"\bid \w+",
            r"\[\^?\d+\]:?",
        )
    )
)
_COUNT_WORDS = (
    r"(?:entries|entry|accomplishments?|results?|items?|impact areas?|areas?|"
    r"cross-team initiatives?|initiatives?|risks?|decisions?|asks?|stories|story|wins?|"
    r"pull requests?|projects?|more|of (?:them|my evidence))"
)
_ENTRY_COUNT = _lazy(
    rf"(?i)\b(\d+)(?:\s+of\s+(\d+))?\s+(?:[a-z-]+\s+){{0,2}}?{_COUNT_WORDS}\b"
    rf"|\(\s*(\d+)\s*\)|\b(\d+)\s+more\b|,\s*(\d+)\)|\b(\d+) of (\d+)\b"
    rf"|\b(\d+) (?:say|says|have|has|show|shows|are|were|need|needs)\b"
)
_SHARE_CONTEXT = _lazy(
    r"(?i)tree [ab]|communication|technical|of my evidence|share|expected|"
    r"case needs|needs about|balance|evidence is|^\s*\|"
)
_DERIVED_LABEL = _lazy(
    r"(?i)\bin total\b|\bcombined\b|\ba year\b|\bper year\b|/year\b|\bannuali[sz]ed\b|"
    r"\bderived\b|\bsaved\b|\bsavings\b"
)


@dataclass(frozen=True)
class Unsupported:
    """A span of the document that no entry supports, and why."""

    start: int
    end: int
    text: str
    reason: str


# -- what the entries say -----------------------------------------------------------


def entry_text(entry: Entry) -> str:
    """Everything an entry says, as one text: title, impact, body and its metrics."""
    parts = [entry.title, entry.impact, entry.body]
    outcome = getattr(entry, "outcome", None)  # a result measured later (brag inbox)
    tables: list[Mapping[str, Any]] = list(entry.metrics)
    if isinstance(outcome, Mapping):
        parts += [str(v) for k, v in outcome.items() if k != "metrics"]
        tables += [m for m in outcome.get("metrics", []) if isinstance(m, Mapping)]
    for table in tables:
        if isinstance(table, Mapping):
            parts.append(" ".join(f"{k}: {v}" for k, v in table.items()))
    return "\n".join(p for p in parts if p)


def is_risk(entry: Entry) -> bool:
    """Whether ``entry`` is a risk: tagged so, or written as a risk, blocker or
    concern that it does not say is resolved."""
    tags = {t.strip().lower() for t in entry.tags}
    if tags & RISK_TAGS:
        return True
    text = f"{entry.title}. {entry.impact}"
    found: bool = remember_words(
        "risk-words",
        text,
        lambda: bool(_RISK_WORDS().search(text)) and not _RESOLVED_WORDS().search(text),
    )
    return found


def is_ask(entry: Entry) -> bool:
    """Whether ``entry`` asks the reader for something: tagged ``ask``/``decision``/``help``
    or written as a request for a decision, help or approval."""
    tags = {t.strip().lower() for t in entry.tags}
    if tags & ASK_TAGS:
        return True
    return asks_in_words(f"{entry.title}. {entry.impact}")


def asks_in_words(text: str) -> bool:
    """Whether ``text`` is written as a request ("Need a decision on …")."""
    found: bool = remember_words("ask-words", text, lambda: bool(_ASK_WORDS().search(text)))
    return found


def _value(currency: str | None, digits: str, decimals: str | None, scale: str | None) -> float:
    value = float(digits.replace(",", "") + (decimals or ""))
    if scale:
        value *= _SCALE.get(scale, 1.0)
    return value


def _annual_factors(unit: str) -> tuple[float, ...]:
    unit = unit.lower()
    if "month" in unit or "/mo" in unit:
        return (1, 12)
    if "week" in unit or "/wk" in unit:
        return (1, 52)
    if "quarter" in unit:
        return (1, 4)
    if "day" in unit:
        return (1, 365)
    return (1,)


class _Stated:
    """The numbers the entries state or support: values, percent changes, money."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.values: set[float] = set()
        self.money: list[float] = []
        self.texts: list[str] = []
        self.n = len(entries)
        for entry in entries:
            text = entry_text(entry)
            self.texts.append(text.lower())
            for m in _NUMBER().finditer(text):
                currency, digits, decimals, scale, _ = m.groups()
                value = _value(currency, digits, decimals, scale)
                self.values.add(value)
                self.values.add(float(digits.replace(",", "") + (decimals or "")))
            metrics = [find_metrics(t) for t in (entry.title, entry.impact, entry.body)]
            found = [m for ms in metrics for m in ms]
            for table in entry.metrics:
                metric = metric_from_dict(table) if isinstance(table, Mapping) else None
                if metric is not None:
                    found.append(metric)
            for metric in found:
                self.values.add(metric.value)
                if metric.change is not None:
                    self.values.add(round(abs(metric.change) * 100, 1))
                    self.values.add(float(round(abs(metric.change) * 100)))
                if metric.is_pair and metric.before and metric.after:
                    ratio = max(metric.before, metric.after) / min(metric.before, metric.after)
                    self.values.add(round(ratio, 1))
                    self.values.add(float(round(ratio)))
                if metric.kind == "money":
                    amounts = [metric.value]
                    if metric.is_pair and metric.before is not None and metric.after is not None:
                        amounts = [metric.before, metric.after, abs(metric.before - metric.after)]
                    for amount in amounts:
                        for factor in _annual_factors(metric.unit + " " + metric.text):
                            self.values.add(amount * factor)
                            if factor != 1:
                                self.money.append(amount * factor)
                        if _annual_factors(metric.unit + " " + metric.text) == (1,):
                            self.money.append(amount)

    def supports(self, value: float, tolerance: float) -> bool:
        return any(abs(value - v) <= tolerance for v in self.values)

    def sums_to(self, value: float, tolerance: float) -> bool:
        """Whether some of the stated money figures add up to ``value``."""
        reachable = {0.0}
        for amount in sorted(set(self.money)):
            reachable |= {round(r + amount, 2) for r in reachable}
            if len(reachable) > 50_000:
                break
        return any(abs(value - r) <= tolerance for r in reachable if r)

    def count_is_share(self, percent: float) -> bool:
        if not 0 <= percent <= 100:
            return False
        for total in range(1, max(self.n, 1) + 1):
            for part in range(total + 1):
                if round(100 * part / total) == round(percent):
                    return True
        return False


# -- reading the document --------------------------------------------------------------


def _plain(document: str) -> str:
    """The document's text with markup blanked out, offsets kept."""
    text = document
    blocks = r"(?is)<(style|script|svg)\b.*?</\1>|<(\w+)\b[^>]*\bdata-frame\b[^>]*>.*?</\2>"
    for block in re.finditer(blocks, text):
        text = text[: block.start()] + " " * (block.end() - block.start()) + text[block.end() :]

    def blank_tag(m: re.Match[str]) -> str:
        tag = m.group(0)
        keep = re.search(r"(?i)href=\"([^\"]*)\"", tag)
        if keep is None:
            return " " * len(tag)
        # Keep the link's address visible to the frame pattern, in place.
        inner = keep.group(1)
        pad = len(tag) - len(inner) - 2
        return " " + inner + " " * (pad + 1)

    text = re.sub(r"<[^>]+>", blank_tag, text)

    def entity(m: re.Match[str]) -> str:
        plain = html.unescape(m.group(0))
        return plain + " " * (len(m.group(0)) - len(plain))

    return re.sub(r"&#?\w+;", entity, text)


def _blank(spans: Iterable[tuple[int, int]], text: str) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _tolerance(decimals: str | None, scale: str | None) -> float:
    step = 10 ** -(len(decimals) - 1) if decimals else 1.0
    return step / 2 * (_SCALE.get(scale or "", 1.0)) + 1e-9


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)]


def check(
    document_text: str,
    entries: Sequence[Entry],
    *,
    allowed_extra: Iterable[str] = (),
    glossary: Mapping[str, str] | None = None,
) -> list[Unsupported]:
    """Every span of ``document_text`` that ``entries`` do not support.

    ``allowed_extra`` lists phrases the caller vouches for (a template's own
    wording, a figure it computed and labelled); numbers inside them are not
    checked. ``glossary`` (term → plain words) enables the substitution check.
    """
    stated = _Stated(entries)
    plain = _plain(document_text)
    found: list[Unsupported] = []
    lowered = plain.lower()

    extra_spans = []
    for phrase in allowed_extra:
        if phrase:
            for m in re.finditer(re.escape(phrase.lower()), lowered):
                extra_spans.append((m.start(), m.end()))
    framed = _blank([m.span() for m in _FRAME().finditer(plain)] + extra_spans, plain)

    # Counts of entries ("21 accomplishments", "9 of 21 entries", "(4)") are the
    # document's frame when they could be counts of these entries.
    count_spans = []
    for m in _ENTRY_COUNT().finditer(framed):
        numbers = [int(g) for g in m.groups() if g]
        if all(n <= max(stated.n, 0) for n in numbers):
            count_spans.append(m.span())
    framed = _blank(count_spans, framed)

    found += _check_numbers(framed, plain, stated, document_text)
    found += _check_people(plain, stated)
    found += _check_words(plain, stated)
    found += _check_sections(document_text, plain, entries)
    if glossary:
        found += _check_glossary(plain, stated, glossary)
    return sorted(set(found), key=lambda u: (u.start, u.end, u.reason))


def _check_numbers(framed: str, plain: str, stated: _Stated, document: str) -> list[Unsupported]:
    found = []
    for m in _NUMBER().finditer(framed):
        currency, digits, decimals, scale, suffix = m.groups()
        value = _value(currency, digits, decimals, scale)
        tol = _tolerance(decimals, scale)
        if stated.supports(value, tol):
            continue
        line = _line_of(plain, m.start())
        markup = _line_of(document, m.start())
        in_table = line.lstrip().startswith("|") or "<td" in markup
        context = plain[max(0, m.start() - 60) : m.end() + 40]
        if suffix and "%" in suffix and (in_table or _SHARE_CONTEXT().search(line)):
            if stated.count_is_share(value) or _is_tree_target(value):
                continue
        cell = m.group(0).strip()
        if not currency and not suffix and not scale and in_table and _is_table_cell(line, cell):
            if value <= stated.n:
                continue
        if currency and _DERIVED_LABEL().search(context) and stated.sums_to(value, tol):
            continue
        found.append(
            Unsupported(m.start(), m.end(), plain[m.start() : m.end()].strip(), _why(currency))
        )
    return found


def _is_tree_target(percent: float) -> bool:
    from .leverage import TREE_B_TARGETS

    return any(
        round(percent) in (round(t * 100), round(100 - t * 100)) for t in TREE_B_TARGETS.values()
    )


def _is_table_cell(line: str, number: str) -> bool:
    """Whether ``number`` fills a cell on its own (a Markdown row, or an HTML
    row whose tags were blanked to spaces)."""
    stripped = line.strip()
    if stripped.startswith("|"):
        return any(cell.strip() == number for cell in stripped.strip("|").split("|"))
    return number in line.split()


def _why(currency: str | None) -> str:
    if currency:
        return "money figure no entry states and no labelled sum of stated figures gives"
    return "number no entry states and no labelled derivation gives"


def _check_people(plain: str, stated: _Stated) -> list[Unsupported]:
    found = []
    for m in _PEOPLE_COUNT().finditer(plain):
        verb, number, unit = m.group(1), m.group(2), m.group(3)
        core = f"{number} "
        supporting = [t for t in stated.texts if re.search(rf"(?<![\d.]){re.escape(core)}", t)]
        if not supporting:
            continue  # the number check reports it
        if verb is None or verb.lower() in _NEUTRAL_WORDS:
            continue
        phrase = re.escape(verb.lower()) + r"\W+(?:\w+\W+){0,2}?" + re.escape(number.lower())
        if not any(re.search(phrase, t) for t in supporting):
            found.append(
                Unsupported(
                    m.start(), m.end(), m.group(0),
                    f"'{verb}' is not what the entry says about {number} {unit}",
                )
            )  # fmt: skip
    return found


def _check_words(plain: str, stated: _Stated) -> list[Unsupported]:
    found = []
    every = "\n".join(stated.texts)
    for m in _ADOPTION().finditer(plain):
        if not _ADOPTION().search(every):
            found.append(Unsupported(m.start(), m.end(), m.group(0), "adoption no entry claims"))
    for m in _VERDICT().finditer(plain):
        if m.group(0).lower() not in every:
            found.append(
                Unsupported(m.start(), m.end(), m.group(0), "a level verdict no entry makes")
            )
    lowered = plain.lower()
    for phrase, reason in FILLER.items():
        for m in re.finditer(re.escape(phrase), lowered):
            if phrase not in every:
                found.append(Unsupported(m.start(), m.end(), plain[m.start() : m.end()], reason))
    return found


# -- sections whose premise must hold ------------------------------------------------

_HEADING = _lazy(r"(?im)^(?:#{1,6}\s+(.+)|([A-Z][A-Z0-9 &:,'()/-]{3,})\s*$)|<h[1-6][^>]*>(.*?)</h")
_RISK_HEADING = _lazy(r"(?i)\brisks?\b")
_ASK_HEADING = _lazy(r"(?i)\bdecide\b|\bdecisions?\b|\bhelp I need\b|\basks?\b")
_ITEM = _lazy(r"(?m)^\s*(?:[-*•]|\d+\.)\s+(.+)$|<li>(.*?)</li>")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _check_sections(document: str, plain: str, entries: Sequence[Entry]) -> list[Unsupported]:
    headings = [
        (m.start(), next(g for g in m.groups() if g is not None))
        for m in _HEADING().finditer(document)
    ]
    found = []
    for i, (start, title) in enumerate(headings):
        end = headings[i + 1][0] if i + 1 < len(headings) else len(document)
        if _RISK_HEADING().search(title) and not re.search(r"(?i)develop|gap|reliability", title):
            test, what = is_risk, "a risk"
        elif _ASK_HEADING().search(title):
            test, what = is_ask, "an ask"
        else:
            continue
        for item in _ITEM().finditer(document, start, end):
            body = item.group(1) or item.group(2) or ""
            words = _words(_plain(body))
            if not words or re.match(r"(?i)\s*(?:nothing|none|no)\b|\s*_", body):
                continue
            best = max(
                entries,
                key=lambda e: len(words & _words(f"{e.title} {e.impact}")),
                default=None,
            )
            if best is None or len(words & _words(f"{best.title} {best.impact}")) < 2:
                found.append(
                    Unsupported(item.start(), item.end(), body.strip(), f"not {what} in any entry")
                )
            elif not test(best):
                found.append(
                    Unsupported(
                        item.start(), item.end(), body.strip(),
                        f"listed as {what}, but the entry is not {what}",
                    )
                )  # fmt: skip
    return found


def _check_glossary(plain: str, stated: _Stated, glossary: Mapping[str, str]) -> list[Unsupported]:
    every = "\n".join(stated.texts)
    lowered = plain.lower()
    found = []
    for term, words in glossary.items():
        if not words or not re.search(rf"(?<![\w-]){re.escape(term.lower())}(?![\w-])", every):
            continue
        needle = words.lower()
        if needle in every:
            continue
        for m in re.finditer(re.escape(needle), lowered):
            before = lowered[max(0, m.start() - len(term) - 4) : m.start()]
            line = _line_of(lowered, m.start())
            explained = re.search(rf"{re.escape(term.lower())}\s*\((?:[^)]*)?$", before) or (
                re.match(r"\s*(?:[-*]\s*)?(?:_?terms|_?glossary|in plain words)\b", line)
            )
            if not explained:
                found.append(
                    Unsupported(
                        m.start(), m.end(), plain[m.start() : m.end()],
                        f"glossary wording for '{term}' put in place of the user's words",
                    )
                )  # fmt: skip
    return found


__all__ = ["FILLER", "Unsupported", "asks_in_words", "check", "entry_text", "is_ask", "is_risk"]
