"""The coach: reviews the journal the way a good manager reads a promotion case.

Every finding names what it is about (an entry's id and title, or the period)
and a concrete fix. The checks follow the rules in PRODUCT.md:

- **quantify**: an entry with no number a decision-maker can weigh;
- **activity**: an impact written as activity ("worked on", "helped with")
  instead of an outcome;
- **jargon**: engineering terms in the impact that a non-engineer would not
  follow, with the plain words from the glossary;
- **tree** / **leverage** / **areas**: a balance skewed for the target level
  (Tree B share against the level's expected share; leverage leaning on
  execution or expertise alone; no business-facing areas, or one area only);
- **gap**: long stretches with nothing written down;
- **ladder**: with the user's own ``ladder.toml``, a competency with no
  evidence in the period at the target level, quoting what the ladder expects;
- **inbox**: entries waiting for a decision (``brag inbox``), shown first.

The same review feeds the exporters: "areas to develop" in a self-review, the
gaps in a promotion brief and the career questions of a 1:1 agenda.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import impact
from .entry import Entry, chronological
from .errors import BragError, ConfigError
from .impact.analysis import analyse_all, analyse_keyed

if TYPE_CHECKING:
    from .duplicates import Linked
    from .ladder import Ladder

#: Business-facing areas: work a CFO or CEO recognises without translation.
BUSINESS_AREAS = ("revenue", "cost", "customer", "retention")
DEFAULT_GAP_DAYS = 21

LEVEL_WORDS = {
    "mid": "mid-level",
    "senior": "senior",
    "staff": "staff",
    "principal": "principal",
}

TREE_B_IDEAS = (
    "mentor someone through a milestone, write a proposal that aligns two teams, "
    "review another team's design, or present your work at an all-hands"
)


@dataclass
class Finding:
    """One thing the coach noticed, and what to do about it."""

    kind: str
    problem: str
    fix: str
    entry_id: str = ""
    entry_title: str = ""
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Review:
    """All findings for a set of entries, plus the numbers they were based on."""

    findings: list[Finding]
    stats: dict[str, Any]
    level: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    entries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[Finding]:
        return [f for f in self.findings if f.kind in kinds]

    @property
    def balance(self) -> list[Finding]:
        """Findings about the whole period (what a self-review calls areas to develop)."""
        return [f for f in self.findings if not f.entry_id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "target": self.target,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "entries": self.entries,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.findings],
        }


def levels(config: Mapping[str, Any], target: str | None = None) -> tuple[str, str]:
    """(level, target level) from ``[user]`` in brag.toml, ``target`` overriding.

    With a level but no target, the target is the next level up. Either may be
    "" when not configured.
    """
    user = config.get("user", {}) if isinstance(config, Mapping) else {}
    if not isinstance(user, Mapping):
        raise ConfigError("[user] in brag.toml must be a table")
    raw_level = str(user.get("level", "") or "").strip()
    raw_target = str(target or user.get("target_level", "") or "").strip()
    try:
        level = impact.normalise_level(raw_level) if raw_level else ""
    except BragError:
        known = ", ".join(impact.TREE_B_TARGETS)
        raise ConfigError(
            f"[user] level {raw_level!r} in brag.toml is not a level brag knows ({known})"
        ) from None
    if raw_target:
        return level, impact.normalise_level(raw_target)
    if raw_level.lower().startswith(("jun", "jr")):
        return level, "mid"
    return level, impact.NEXT_LEVEL.get(level, "") if level else ""


def gap_days(config: Mapping[str, Any]) -> int:
    section = config.get("coach", {})
    value = section.get("gap_days", DEFAULT_GAP_DAYS) if isinstance(section, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError("coach.gap_days in brag.toml must be a whole number of days >= 1")
    return value


def review(
    entries: Iterable[Entry],
    *,
    today: dt.date,
    target: str = "",
    level: str = "",
    glossary: Mapping[str, str] | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    per_entry: bool = True,
    max_gap_days: int = DEFAULT_GAP_DAYS,
    since: dt.date | None = None,
    until: dt.date | None = None,
    read: Callable[[Entry], impact.Analysis] | None = None,
    ladder: Ladder | None = None,
    inbox: Mapping[str, int] | None = None,
    digests: Mapping[int, bytes] | None = None,
) -> Review:
    """Review ``entries`` (oldest first is not required) for a ``target`` level.

    ``per_entry=False`` skips the checks of individual entries: exporters only
    need the period-level findings, and skipping the rest keeps a year of a big
    journal fast. With the user's own ``ladder`` (not the built-in one, whose
    balance the tree, leverage and areas checks already read), each
    competency without evidence is a finding, and a competency's ``tree``
    decides an entry's tree in the balance (:func:`brag.ladder.entry_tree`).
    ``inbox`` from :func:`brag.inbox.counts` of a set holding ``entries`` (those
    very objects, not changed since) also lends its duplicate pairs, and
    ``digests`` their content digests as the index keeps them (see
    :func:`brag.impact.analysis.analyse_all`).
    """
    items = sorted(entries, key=chronological)
    findings: list[Finding] = []
    analyses: dict[int, tuple[tuple[Any, ...], impact.Analysis]] = {}

    def keyed(entry: Entry) -> tuple[tuple[Any, ...], impact.Analysis]:
        # Read once per entry: the balance and the entry checks ask the same.
        found = analyses.get(id(entry))
        if found is None:
            found = analyses[id(entry)] = analyse_keyed(entry, keywords)
        return found

    def analysed(entry: Entry) -> impact.Analysis:
        return keyed(entry)[1]

    if read is None or per_entry:
        for entry, pair in zip(items, analyse_all(items, keywords, digests), strict=True):
            analyses[id(entry)] = pair

    stats = _stats(items, target, read or analysed, ladder)
    if inbox is not None:
        # ``inbox``: brag.inbox.counts(); entries waiting for a decision come first.
        stats["inbox"] = dict(inbox)
        findings += _inbox_findings(inbox)
    findings += _balance_findings(stats, target)
    if ladder is not None and target and not ladder.is_default:
        window = (since or (items[0].date if items else today), until or today)
        findings += ladder_findings(items, ladder, target, window, keywords=keywords)
    findings += _gap_findings(items, today, max_gap_days)
    if per_entry:
        from .impact.memo import _glossary_fingerprint, table

        terms = glossary if glossary is not None else impact.GLOSSARY
        # A story recorded twice comes first: it is the quickest thing to fix.
        findings += _duplicate_findings(items, getattr(inbox, "linked", None))
        name = _WORDS + _glossary_fingerprint(terms)
        known = table(name)
        for entry in reversed(items):
            key, found = keyed(entry)
            words = known.get(key[-1] + (b"a" if found.activity else b"o"))
            if words is not None and found.quantified and not found.activity and not words[1]:
                continue  # the common case: a number, an outcome, no jargon; nothing to say
            findings += _entry_findings(entry, terms, found, key, words)
    return Review(findings, stats, level, target, since, until, len(items))


def ladder_findings(
    entries: Iterable[Entry],
    ladder: Ladder,
    target: str,
    window: tuple[dt.date, dt.date],
    *,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> list[Finding]:
    """One finding per competency with no evidence in ``window`` at ``target``,
    quoting the ladder's expectation; never a verdict on the evidence there is."""
    from .ladder import LadderError, coverage

    try:
        result = coverage(entries, ladder, target, window, keywords=keywords, today=window[1])
    except LadderError:
        known = ", ".join(ladder.levels)
        return [
            Finding(
                "ladder",
                f"Your target level {target!r} is not a level of your ladder ({known}).",
                "Set [user] target_level to one of the ladder's levels, or give --target.",
            )
        ]
    findings = []
    for row in result.gaps:
        said = f'; the expectation says: "{row.expectation}"' if row.expectation else ""
        extra = "".join(f" ({note})" for note in row.notes if "older" in note or "private" in note)
        findings.append(
            Finding(
                "ladder",
                f"No evidence yet for '{row.name}' at {result.target}{said}{extra}",
                "Note the work that shows it, or pin an entry that does "
                f"(`brag edit ID --competency {row.id}`).",
            )
        )
    return findings


def _inbox_findings(counts: Mapping[str, int]) -> list[Finding]:
    waiting = counts.get("inbox", 0)
    if not waiting:
        return []
    parts = []
    for key, words in (
        ("awaiting_impact", "imported without an impact"),
        ("follow_ups_due", "due a follow-up"),
        ("duplicates", "likely duplicates"),
    ):
        if counts.get(key):
            parts.append(f"{counts[key]} {words}")
    noun = "entry waits" if waiting == 1 else "entries wait"
    detail = f" ({', '.join(parts)})" if parts else ""
    return [
        Finding(
            "inbox",
            f"{waiting} {noun} for your judgement{detail}",
            "run 'brag inbox': one key each adds the why, the measured result, or drops it",
        )
    ]


def _stats(
    items: list[Entry],
    target: str,
    read: Callable[[Entry], impact.Analysis],
    ladder: Ladder | None = None,
) -> dict[str, Any]:
    areas: Counter[str] = Counter()
    leverage: Counter[str] = Counter()
    trees: Counter[str] = Counter()
    quantified = 0
    # Only the user's own ladder can move an entry to another tree (entry_tree);
    # otherwise it is the analysis's, asked of every entry of a year.
    own = ladder is not None and not ladder.is_default
    if own:
        from .ladder import entry_tree
    for entry in items:
        found = read(entry)
        if found.areas:
            areas[found.areas[0]] += 1
        leverage[found.leverage] += 1
        trees[entry_tree(entry, ladder, found) if own else found.tree] += 1
        quantified += found.quantified
    total = len(items)
    share_b = trees["B"] / total if total else 0.0
    stats: dict[str, Any] = {
        "entries": total,
        "quantified": quantified,
        "quantified_share": round(quantified / total, 3) if total else 0.0,
        "areas": dict(sorted(areas.items(), key=lambda kv: (-kv[1], kv[0]))),
        "leverage": {k: leverage.get(k, 0) for k in ("execution", "strategic", "interpersonal",
                                                     "expert")},
        "tree": {"A": trees["A"], "B": trees["B"], "share_b": round(share_b, 3)},
    }  # fmt: skip
    if target:
        stats["tree"]["target"] = target
        stats["tree"]["target_b"] = impact.tree_b_target(target)
    return stats


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def _balance_findings(stats: dict[str, Any], target: str) -> list[Finding]:
    total = stats["entries"]
    if total < 3:
        return []
    out: list[Finding] = []
    tree = stats["tree"]
    word = LEVEL_WORDS.get(target, target)
    if target:
        expected = tree["target_b"]
        if tree["share_b"] + 0.05 < expected:
            out.append(
                Finding(
                    "tree",
                    f"Tree B (communication and influence) is {_pct(tree['share_b'])} of your "
                    f"evidence ({tree['B']} of {total}); a {word} case needs about "
                    f"{_pct(expected)}.",
                    f"Log the influence work you already do and add more: {TREE_B_IDEAS}. "
                    "Record each with the people involved (--with).",
                )
            )
    leverage = stats["leverage"]
    if target in ("staff", "principal") and leverage["strategic"] == 0:
        out.append(
            Finding(
                "leverage",
                f"No strategic leverage this period: nothing shows you seeing and selling an "
                f"opportunity, which {word} promotions look for.",
                "Pick one problem you see across teams, write a one-page proposal with its "
                "business impact, and pitch it to the people who would fund it.",
            )
        )
    if target in ("senior", "staff", "principal") and leverage["interpersonal"] == 0:
        out.append(
            Finding(
                "leverage",
                "No interpersonal leverage this period: no mentoring, alignment or favours "
                "recorded.",
                "Mentor or pair with someone outside your team, and ask another team for "
                "feedback on your work: both build the network a bigger scope needs.",
            )
        )
    if leverage["expert"] / total > 0.4:
        out.append(
            Finding(
                "leverage",
                f"{_pct(leverage['expert'] / total)} of your evidence is expert leverage: "
                "valuable, but a slow path on its own, because few people see what it is worth.",
                "Explain what your depth made possible in business terms, and teach it: a "
                "write-up or workshop turns rare knowledge into interpersonal leverage.",
            )
        )
    if target in ("staff", "principal") and leverage["execution"] / total > 0.7:
        out.append(
            Finding(
                "leverage",
                f"{_pct(leverage['execution'] / total)} of your evidence is execution: "
                "shipping well, but little shows shaping what gets built.",
                "Co-own the next roadmap: question why a project matters, propose the "
                "trade-offs, and record the decisions you shaped.",
            )
        )
    areas: dict[str, int] = stats["areas"]
    if not any(areas.get(a) for a in BUSINESS_AREAS):
        out.append(
            Finding(
                "areas",
                "Nothing this period is tied to revenue, cost, customers or retention.",
                "For your biggest piece of work, find the business number it moves (money "
                "saved, customers affected, churn) and put it in the impact.",
            )
        )
    if areas and total >= 6:
        top, count = next(iter(areas.items()))
        if count / total > 0.5:
            out.append(
                Finding(
                    "areas",
                    f"{_pct(count / total)} of your entries are about {top}: the case reads "
                    "as one-dimensional.",
                    "Show range: log work in a second impact area your manager's goals care "
                    "about (ask in your next 1:1 which one).",
                )
            )
    if stats["quantified_share"] < 0.6:
        missing = total - stats["quantified"]
        out.append(
            Finding(
                "quantify",
                (
                    f"Only {stats['quantified']} of {total} entries have a number; {missing} say "
                    if stats["quantified"]
                    else f"None of the {total} entries has a number: they say "
                )
                + "what you did but not how much it mattered.",
                "Add the number a decision-maker would ask for: %, money, time saved, before → "
                "after (`brag edit ID --impact ...`). `brag coach` lists each one.",
            )
        )
    return out


def _gap_findings(items: list[Entry], today: dt.date, max_days: int) -> list[Finding]:
    if not items:
        return []
    out: list[Finding] = []
    dates = sorted({e.date for e in items})
    for before, after in zip(dates, dates[1:], strict=False):
        days = (after - before).days
        if days > max_days:
            out.append(_gap(before, after, days, f"{before} to {after}"))
    last = dates[-1]
    if (today - last).days > max_days:
        out.append(_gap(last, today, (today - last).days, f"{last} until today ({today})"))
    return out


def _gap(start: dt.date, end: dt.date, days: int, span: str) -> Finding:
    middle = start + (end - start) / 2
    return Finding(
        "gap",
        f"No entries from {span}: {days} days with nothing written down.",
        f"Check your calendar, merged pull requests and sent mail for that stretch and add "
        f'what mattered: brag add --date {middle.isoformat()} "..." --impact "..."',
    )


def _duplicate_findings(items: list[Entry], known: Linked | None = None) -> list[Finding]:
    """One finding per entry that repeats an earlier one (documents show the story once).
    ``known``: the pairs the inbox found among a set these entries belong to."""
    from .duplicates import groups

    out = []
    for group in groups(items, known=known):
        first = group[0]
        for entry in group[1:]:
            out.append(
                Finding(
                    "duplicate",
                    f"Looks like the same win as {first.id[:8]} ({first.date.isoformat()}, "
                    f'"{first.title}"); documents show it once.',
                    f"Remove the one you do not need (brag rm {first.id[:8]}), or keep both "
                    "on purpose with brag add --force.",
                    entry_id=entry.id,
                    entry_title=entry.title,
                    date=entry.date.isoformat(),
                )
            )
    return out


def _entry_findings(
    entry: Entry,
    glossary: Mapping[str, str],
    found: impact.Analysis,
    key: tuple[Any, ...] | None = None,
    words: tuple[str, tuple[str, ...]] | None = None,
) -> list[Finding]:
    if words is None:
        words = _entry_words(entry, glossary, found.activity, key)
    out: list[Finding] = []
    where = {"entry_id": entry.id, "entry_title": entry.title, "date": entry.date.isoformat()}
    if found.activity:
        phrase = words[0]
        out.append(
            Finding(
                "activity",
                f'The impact says what you did ("{phrase}"), not what changed.',
                "Rewrite it as the result and lead with it: what is better, for whom, by how "
                f'much, e.g. brag edit {entry.id} --impact "Cut ... from ... to ...".',
                **where,
            )
        )
    if not found.quantified:
        out.append(
            Finding(
                "quantify",
                "No quantified outcome.",
                f"Add the number that shows it mattered ({_metric_hint(found.areas)}): "
                f'brag edit {entry.id} --impact "..." or add a metric in the entry.',
                **where,
            )
        )
    terms = list(words[1])
    if terms:
        shown = "; ".join(f"'{t}' → '{glossary[t]}'" for t in terms[:3])
        out.append(
            Finding(
                "jargon",
                f"Jargon a non-engineer will not follow: {', '.join(terms[:3])}.",
                f"Keep the precision, change the words: {shown}. Exports for manager, exec "
                "and cfo explain these in a line at the end; your own wording travels further.",
                **where,
            )
        )
    return out


def _entry_words(
    entry: Entry,
    glossary: Mapping[str, str],
    activity: bool,
    content: tuple[Any, ...] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """(the activity phrase of the impact, or "" when it reports an outcome; the
    jargon of impact and title), memoised on those words so a warm review scans
    no text. ``content``: the analysis memo's key of the entry (a digest of
    everything the answer depends on, and more), which spares digesting it again."""
    from .impact.memo import _glossary_fingerprint, remember_in

    def scan() -> tuple[str, tuple[str, ...]]:
        terms = impact.jargon_in(entry.impact, glossary)
        terms += [t for t in impact.jargon_in(entry.title, glossary) if t not in terms]
        return (_activity_phrase(entry.impact) if activity else "", tuple(terms))

    if content is None:
        from .hashing import blake2b

        words = f"{entry.title}\x1f{entry.impact}".encode("utf-8", "surrogatepass")
        digest = blake2b(words, digest_size=12).digest()
    else:
        digest = content[-1]
    # One table per glossary, keyed by the digest and whether the impact reads as
    # activity (the phrase depends on it).
    found: tuple[str, tuple[str, ...]] = remember_in(
        _WORDS + _glossary_fingerprint(glossary),
        digest + (b"a" if activity else b"o"),
        scan,
    )
    return found


_WORDS = "coach-words:"


def _activity_phrase(text: str) -> str:
    match = impact._activity_re().search(text)
    return match.group(0).lower() if match else text[:30]


_AREA_HINTS = {
    "revenue": "revenue or deals won",
    "cost": "money or hours saved",
    "risk": "incidents avoided, time to recover",
    "customer": "customers affected, response time",
    "retention": "churn or retention change",
    "velocity": "time saved per build, deploy or engineer",
    "quality": "bugs, failures or errors before → after",
    "people": "people helped and how fast they grew",
    "strategy": "teams aligned, budget or scope decided",
}


def _metric_hint(areas: Sequence[str]) -> str:
    if areas and areas[0] in _AREA_HINTS:
        return _AREA_HINTS[areas[0]]
    return "%, money, time saved, before → after"


def career_questions(result: Review, limit: int = 2) -> list[str]:
    """Questions for a 1:1, chosen from the review's period-level findings."""
    questions: list[str] = []
    word = LEVEL_WORDS.get(result.target, result.target) or "the next level"
    for finding in result.balance:
        if finding.kind == "tree":
            questions.append(
                f"I'm at {_pct(result.stats['tree']['share_b'])} communication and influence "
                f"work against about {_pct(result.stats['tree'].get('target_b', 0))} expected: "
                f"which of it would count most for {word}?"
            )
        elif finding.kind == "leverage" and "strategic" in finding.problem:
            questions.append(
                "Which cross-team problem or opportunity could I shape and pitch next quarter?"
            )
        elif finding.kind == "areas" and "revenue" in finding.problem:
            questions.append(
                "Which business goals matter most to the org this half, so I can connect my "
                "work to them explicitly?"
            )
        elif finding.kind == "leverage" and "interpersonal" in finding.problem:
            questions.append("Who outside the team should I be working with or mentoring?")
    questions.append(
        f"What would you need to see from me in the next three months to make the case for {word}?"
    )
    questions.append("What are the org's top priorities next quarter, and where could I help?")
    unique = list(dict.fromkeys(questions))
    return unique[:limit]
