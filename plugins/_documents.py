"""What the career documents share: windows, bullets with their evidence, the
risk and ask tests, money totals and the plain-words glossary line.

``plugins/career_documents.py`` builds the 1:1 agenda, self-review, promotion
brief and status update from these pieces; docs/exporters.md states the trust
rules they keep (say only what the entries say, in the user's words, with the
evidence beside every bullet).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from brag import coach, impact
from brag.entry import Entry
from brag.exporting import ExportContext
from brag.impact import claims
from brag.impact.figures import evidence
from brag.links import export_href

LEVERAGE_ORDER = ("execution", "strategic", "interpersonal", "expert")
LEVERAGE_MEANING = {
    "execution": "drove complex projects to done",
    "strategic": "saw and sold new opportunities",
    "interpersonal": "trust, network, mentoring",
    "expert": "rare skills",
}
AREA_TITLES = {
    "revenue": "Revenue",
    "cost": "Cost",
    "risk": "Risk & reliability",
    "customer": "Customer experience",
    "retention": "Retention",
    "velocity": "Engineering velocity",
    "quality": "Quality",
    "people": "People",
    "strategy": "Strategy",
    "": "Other work",
}

STATE_ONE_ON_ONE = "export-one-on-one"


def _window(ctx: ExportContext, default_days: int) -> tuple[dt.date, dt.date]:
    """The period a document covers: the one asked for, else the last ``default_days``."""
    until = ctx.until or ctx.today
    since = ctx.since or (until - dt.timedelta(days=default_days - 1))
    return since, until


def _within(ctx: ExportContext, since: dt.date, until: dt.date) -> list[Entry]:
    """The period's entries (each story once: see :meth:`ExportContext.select`)."""
    return [e for e in ctx.entries if since <= e.date <= until]


def _user(ctx: ExportContext, target: str | None = None) -> dict[str, str]:
    user = ctx.config.get("user", {})
    name = str(user.get("name", "") or "").strip() if isinstance(user, dict) else ""
    level, target_level = coach.levels(ctx.config, target)
    return {"name": name, "level": level, "target": target_level}


def _span(since: dt.date, until: dt.date) -> str:
    if since == until:
        return f"{since:%b} {since.day}, {since.year}"
    if since.year == until.year:
        if since.month == until.month:
            return f"{since:%b} {since.day}–{until.day}, {until.year}"
        return f"{since:%b} {since.day} – {until:%b} {until.day}, {until.year}"
    return f"{since:%b} {since.day}, {since.year} – {until:%b} {until.day}, {until.year}"


def _base(
    ctx: ExportContext, kind: str, title: str, since: dt.date, until: dt.date, entries: list[Entry]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "span": _span(since, until),
        "today": ctx.today.isoformat(),
        "audience": {"name": ctx.lens.name, "description": ctx.lens.description},
        "count": len(entries),
        "empty": not entries,
        "terms": [],
        "how_to_add": [
            'brag add "Cut checkout errors 40%" --impact "…" --date YYYY-MM-DD',
            "brag import github --since " + since.isoformat(),
            f"brag list --since {since.isoformat()} (check what the journal holds)",
        ],
    }


def _work_and_feedback(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Feedback received is quoted under "What others say", never counted or listed as work."""
    from brag.inbox import is_feedback

    return [e for e in entries if not is_feedback(e)], [e for e in entries if is_feedback(e)]


def _others_say(data: dict[str, Any], feedback: list[Entry], limit: int = 5) -> None:
    """Quote the period's feedback for "What others say": attributed and linked
    (private feedback is already left out unless included)."""
    from brag.inbox import quotes

    found = quotes(feedback, include_private=True)
    if found:
        data["others_say"] = found[:limit]


def _bullet(ctx: ExportContext, entry: Entry, score: impact.Score | None = None) -> dict[str, Any]:
    """One exported item: the hook's (or built-in) impact-first wording plus its facts."""
    framed = ctx.reframe(entry)
    found = ctx.analysis(entry)
    ids = ctx.story_ids(entry)
    # Safe to click, credentials dropped, escaped for every format (see export_href).
    href = export_href(entry.url)
    urls = [href] if href else []
    link = urls[0] if urls else ""
    return {
        "id": entry.id,
        "entry_ids": ids,
        "urls": urls,
        "evidence": {"href": link, "ref": f"brag show {entry.id[:8]}"},
        "date": entry.date.isoformat(),
        "title": entry.title,
        "headline": framed.headline,
        "outcome": framed.outcome,
        "action": framed.action,
        "text": f"{framed.headline} ({link})" if link else framed.headline,
        "link": link,
        "areas": list(found.areas),
        "leverage": found.leverage,
        "tree": found.tree,
        "with": list(entry.with_),
        "metrics": [m.describe() for m in found.metrics],
        "quantified": found.quantified,
        "score": (score or ctx.score(entry)).total,
    }


def _shown_text(data: Any) -> Any:
    """Every piece of the user's wording a document shows, in order."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("headline", "seeing", "addressing", "short") and isinstance(value, str):
                yield value
            elif isinstance(value, (dict, list)):
                yield from _shown_text(value)
    elif isinstance(data, list):
        for value in data:
            yield from _shown_text(value)


def _with_terms(ctx: ExportContext, data: dict[str, Any]) -> dict[str, Any]:
    """For a reader outside engineering, a one-line glossary of the jargon the
    document shows: the user's sentences stay as written, each term is explained
    once, at the end."""
    if ctx.lens.technical or data.get("empty"):
        return data
    seen: dict[str, str] = {}
    for text in _shown_text(data):
        for term in impact.jargon_in(text, ctx.glossary):
            key = term.lower()
            if key not in seen:
                seen[key] = term
    data["terms"] = [{"term": t, "plain": ctx.glossary[t]} for t in seen.values()]
    return data


_NUMBER_SHAPE = re.compile(r"[$€£¥]?\d[\d.,]*\s*[kmbx%]?\b", re.IGNORECASE)


def _shape(text: str) -> str:
    """A bullet with its numbers blanked: "$36k a year saved" and "$144k a year
    saved" have the same shape, and a short document shows it once."""
    return _NUMBER_SHAPE.sub("#", text.lower()).strip()


def _pick(
    ctx: ExportContext, ranked: list[tuple[Entry, impact.Score]], limit: int, scan: int = 60
) -> list[tuple[Entry, impact.Score]]:
    """The strongest ``limit`` items, skipping repeats of the same story.

    Among the first ``scan`` candidates an item whose outcome has the shape of
    one already chosen waits; if too few distinct ones are found, the best of
    the rest fill the list, so the count never drops because of it.
    """
    chosen: list[tuple[Entry, impact.Score]] = []
    waiting: list[tuple[Entry, impact.Score]] = []
    shapes: set[str] = set()
    for pair in ranked[:scan]:
        if len(chosen) == limit:
            break
        shape = _shape(ctx.reframe(pair[0]).outcome)
        if shape in shapes:
            waiting.append(pair)
            continue
        shapes.add(shape)
        chosen.append(pair)
    for pair in [*waiting, *ranked[scan:]]:
        if len(chosen) >= limit:
            break
        chosen.append(pair)
    return sorted(chosen, key=lambda p: -p[1].total) if waiting else chosen


def _has_tag(entry: Entry, words: frozenset[str]) -> bool:
    """Whether one of the entry's tags (trimmed, lower case) is one of ``words``."""
    return any(t.strip().lower() in words for t in entry.tags)


def _is_risk(entry: Entry, read: Any = None) -> bool:
    """A risk the entry itself states (see :func:`brag.impact.claims.is_risk`);
    ``read``: the entry's analysis, which holds the answer."""
    if read is not None:
        found = read(entry)
        return bool(found.risk and not found.ask)
    return claims.is_risk(entry) and not claims.is_ask(entry)


def _is_ask(entry: Entry, read: Any = None) -> bool:
    if read is not None:
        return bool(read(entry).ask)
    return claims.is_ask(entry)


def _done(entries: list[Entry], ctx: ExportContext | None = None) -> list[Entry]:
    """Accomplishments only (see :func:`brag.impact.figures.evidence`): the same
    entries ``brag stats`` counts its Tree A/B balance over. With ``ctx``, each
    entry's analysis answers which are risks or requests."""
    if ctx is None:
        return evidence(entries)
    ctx.analyse(entries)
    return evidence(entries, ctx.analysis, one_story_each=ctx.one_story_each(entries))


def _is_cross_team(entry: Entry, read: Any) -> bool:
    found = read(entry)
    return bool(entry.with_ or found.broad or found.leverage == "interpersonal")


def _review(
    ctx: ExportContext, entries: list[Entry], target: str, since: dt.date, until: dt.date
) -> coach.Review:
    return coach.review(
        entries,
        today=ctx.today,
        target=target,
        glossary=ctx.glossary,
        keywords=ctx.keywords,
        per_entry=False,
        max_gap_days=coach.gap_days(ctx.config),
        since=since,
        until=until,
        read=ctx.analysis,
        ladder=_own_ladder(ctx),
    )


def _own_ladder(ctx: ExportContext) -> Any:
    """The journal's own ``ladder.toml``, or None: the built-in ladder changes no document."""
    from brag.ladder import LADDER_FILE, load_ladder

    path = ctx.journal.root / LADDER_FILE
    return load_ladder(path) if path.is_file() else None


_CLI_HINT = re.compile(r"\s*\((?:--|`brag)[^)]*\)|\s*`brag[^`]*`[^.]*\.?")


def _finding(f: coach.Finding) -> dict[str, str]:
    """A coach finding as a document states it: first person, no command lines."""
    fix = _CLI_HINT.sub("", f.fix).strip()
    return {"kind": f.kind, "problem": _first_person(f.problem), "fix": _first_person(fix)}


def _money_totals(entries: list[Entry], read: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Money a year across ``entries``, savings, revenue and revenue protected (kept
    in an incident, not earned) apart (each entry's
    from its analysis: see :func:`brag.impact.figures.money_a_year`), and how much
    of each the entries themselves call an estimate ("an estimated $240k":
    :func:`~brag.impact.figures.money_estimated`)."""
    totals = {"revenue": 0.0, "savings": 0.0, "protected": 0.0}
    estimated = {"revenue": 0.0, "savings": 0.0, "protected": 0.0}
    for entry in entries:
        found = read(entry)
        kind, value = found.money
        if kind:
            totals[kind] += value
            if found.money_estimated:
                estimated[kind] += value
    return totals, estimated


def _money_phrase(totals: dict[str, float], estimated: dict[str, float] | None = None) -> str:
    """ "$48k a year in cost savings and $85k in revenue, in total": never one sum of
    different kinds of money (revenue kept in an incident is "of revenue
    protected", not revenue earned), and an estimate the entries call one stays
    one ("an estimated $85k")."""
    estimated = estimated or {}

    def amount(kind: str) -> tuple[str, str]:
        value, guessed = totals[kind], estimated.get(kind, 0.0)
        if not guessed:
            return _money(value), ""
        if guessed >= value:
            return f"an estimated {_money(value)}", ""
        return _money(value), f" ({_money(guessed)} of it estimated)"

    parts = []
    if totals.get("savings"):
        shown, note = amount("savings")
        parts.append(f"{shown} a year in cost savings{note}")
    if totals.get("revenue"):
        shown, note = amount("revenue")
        parts.append(f"{shown} in revenue{note}")
    if totals.get("protected"):
        shown, note = amount("protected")
        parts.append(f"{shown} of revenue protected{note}")
    if not parts:
        return ""
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + ", in total"


def _money(value: float) -> str:
    if value >= 1e6:
        return f"${value / 1e6:.1f}M"
    if value >= 1e3:
        return f"${value / 1e3:.0f}k"
    return f"${value:.0f}"


_FIRST_PERSON = (
    # "nothing shows you seeing…" is an object: "shows me", never "shows I".
    (re.compile(r"\b(shows|show|gives|give|lets|let|helps|help|for|to|with) you\b"), r"\1 me"),
    (re.compile(r"\byour\b"), "my"),
    (re.compile(r"\bYour\b"), "My"),
    (re.compile(r"\byou\b"), "I"),
    (re.compile(r"\bYou\b"), "I"),
)


def _first_person(text: str) -> str:
    """Coach findings speak to the user; documents the user hands in speak as them."""
    for pattern, word in _FIRST_PERSON:
        text = pattern.sub(word, text)
    return text
