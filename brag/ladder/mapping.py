"""Entries mapped to competencies (with the reason, honouring pins) and coverage."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import impact
from ..entry import Entry
from .model import (
    DEFAULT_WINDOW_DAYS,
    PIN_FIELD,
    UNPIN_FIELD,
    Ladder,
    LadderError,
    _count,
)  # fmt: skip


@dataclass(frozen=True)
class Match:
    competency: str
    name: str
    reason: str
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.competency, "name": self.name, "reason": self.reason,
                "pinned": self.pinned}  # fmt: skip


_TOKEN = re.compile(r"[a-z0-9]+[+#]*")
_SUFFIXES = ("", "s", "es", "d", "ed", "ing", "er", "ers", "ment", "ments")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _word_in(word: str, tokens: Sequence[str]) -> bool:
    """A signal word or phrase in the entry's words: whole words, simple suffixes,
    and a trailing ``*`` for any word starting with it ("mentor*")."""
    prefix = word.endswith("*")
    wanted = _tokens(word.rstrip("*"))
    if not wanted:
        return False
    n = len(wanted)
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n - 1] != wanted[: n - 1]:
            continue
        last, target = tokens[i + n - 1], wanted[-1]
        if prefix and last.startswith(target):
            return True
        if last.startswith(target) and last[len(target) :] in _SUFFIXES:
            return True
    return False


def pins(entry: Entry) -> tuple[list[str], list[str]]:
    """(pinned competency ids, removed ones) from the entry's front matter."""

    def ids(key: str) -> list[str]:
        value = entry.extra.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LadderError(f"'{key}' must be a list of competency ids", entry.path or entry.id)
        return [v.strip() for v in value if v.strip()]

    return ids(PIN_FIELD), ids(UNPIN_FIELD)


def set_pins(
    entry: Entry, ladder: Ladder, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> bool:
    """Pin (``add``) or remove (``remove``) competencies on ``entry``, in its front
    matter; the last word wins. Removing an id the ladder no longer has drops
    the stale pin. False when the entry already said so."""
    pinned, removed = pins(entry)
    before = (list(pinned), list(removed))
    for cid, into, out_of in [(c, pinned, removed) for c in add] + [
        (c, removed, pinned) for c in remove
    ]:
        if ladder.get(cid) is None and into is removed and cid in pinned + removed:
            # A pin the ladder no longer has (a renamed id): removing it cleans up.
            for group in (pinned, removed):
                if cid in group:
                    group.remove(cid)
            continue
        if ladder.get(cid) is None:
            known = ", ".join(c.id for c in ladder.competencies)
            raise LadderError(f"no competency {cid!r} in the ladder (ids: {known})")
        if cid in out_of:
            out_of.remove(cid)
        if cid not in into:
            into.append(cid)
    if (pinned, removed) == before:
        return False
    for key, value in ((PIN_FIELD, pinned), (UNPIN_FIELD, removed)):
        if value:
            entry.extra[key] = value
        else:
            entry.extra.pop(key, None)
    return True


def map_entry(entry: Entry, ladder: Ladder, analysis: impact.Analysis | None = None) -> list[Match]:
    """The competencies ``entry`` shows, in ladder order, each with its reason.

    A pin (``competencies = [...]`` in the front matter) always maps; a removal
    (``no_competencies = [...]``) always wins over signals. Otherwise the first
    signal that matches is the reason: a tag (one of the competency's ``tags``,
    or its id), a word, the entry's impact area, then its leverage type.
    """
    found = analysis if analysis is not None else impact.analyse(entry)
    pinned, removed = pins(entry)
    tags = {t.strip().lower() for t in entry.tags}
    tokens: list[str] | None = None
    matches: list[Match] = []
    for comp in ladder.competencies:
        if comp.id in removed:
            continue
        if comp.id in pinned:
            matches.append(Match(comp.id, comp.name, "pinned in the entry", True))
            continue
        reason = ""
        tag = next((t for t in (*comp.signals.tags, comp.id) if t in tags), "")
        if tag:
            reason = f"tag '{tag}'"
        elif comp.signals.words:
            if tokens is None:
                tokens = _tokens(" ".join([entry.title, entry.impact, *entry.tags, entry.body]))
            word = next((w for w in comp.signals.words if _word_in(w, tokens)), "")
            if word:
                reason = f"word '{word.rstrip('*')}'"
        if not reason:
            area = next((a for a in found.areas if a in comp.signals.areas), "")
            if area:
                how = "inferred" if found.areas_inferred else "stated"
                reason = f"impact area '{area}' ({how})"
        if not reason and found.leverage in comp.signals.leverage:
            how = "inferred" if found.leverage_inferred else "stated"
            reason = f"leverage '{found.leverage}' ({how})"
        if reason:
            matches.append(Match(comp.id, comp.name, reason))
    return matches


def _mapped_ids(entry: Entry, ladder: Ladder, found: impact.Analysis) -> set[str]:
    return {m.competency for m in map_entry(entry, ladder, found)}


def ladder_tree(entry: Entry, ladder: Ladder, analysis: impact.Analysis | None = None) -> str:
    """The tree the ladder gives ``entry``: its competencies' tree when they agree
    (pins first), else "" so the engine's own reading stands."""
    matches = map_entry(entry, ladder, analysis)
    chosen = [m for m in matches if m.pinned] or matches
    trees = {comp.tree for m in chosen if (comp := ladder.get(m.competency)) is not None}
    return trees.pop() if len(trees) == 1 else ""


def entry_tree(
    entry: Entry, ladder: Ladder | None = None, analysis: impact.Analysis | None = None
) -> str:
    """The entry's tree for the one Tree A/B balance every figure uses: its own
    ``tree`` field first; then, with the user's own ladder (not the built-in
    one), the tree of its competencies when they agree; else the engine's reading."""
    found = analysis if analysis is not None else impact.analyse(entry)
    explicit = str(entry.extra.get("tree", "")).strip().upper()
    if explicit in ("A", "B") or ladder is None or ladder.is_default:
        return found.tree
    return ladder_tree(entry, ladder, found) or found.tree


# -- coverage --------------------------------------------------------------------------


@dataclass
class CompetencyCoverage:
    id: str
    name: str
    tree: str
    expectation: str
    expectation_level: str
    evidence: list[str]  # entry ids, strongest first
    reasons: dict[str, str]  # entry id -> why it maps
    gap: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "tree": self.tree,
            "expectation": self.expectation,
            "expectation_level": self.expectation_level,
            "evidence": list(self.evidence),
            "reasons": dict(self.reasons),
            "gap": self.gap,
            "notes": list(self.notes),
        }


@dataclass
class Coverage:
    ladder: str
    target: str
    since: dt.date
    until: dt.date
    competencies: list[CompetencyCoverage]
    unmapped: list[str]  # entries in the period that map to no competency
    #: Entries whose pins name competencies the ladder does not have (a renamed id).
    stale_pins: dict[str, list[str]] = field(default_factory=dict)

    @property
    def gaps(self) -> list[CompetencyCoverage]:
        return [c for c in self.competencies if c.gap]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ladder": self.ladder,
            "target": self.target,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "competencies": [c.to_dict() for c in self.competencies],
            "unmapped": list(self.unmapped),
            "stale_pins": {k: list(v) for k, v in self.stale_pins.items()},
        }


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months up to ``today`` (the coach's default)."""
    until = today or dt.date.today()
    return until - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1), until


def coverage(
    entries: Iterable[Entry],
    ladder: Ladder,
    target_level: str,
    window: tuple[dt.date, dt.date] | None = None,
    *,
    include_private: bool = False,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> Coverage:
    """Each competency at ``target_level``: its expectation, the entries in the
    window that show it (strongest first), and whether it is a gap. A gap
    says when the only evidence is older than the window or private; brag
    never grades evidence against the level."""
    level = ladder.level(target_level)
    since, until = window or default_window(today)
    day = today or until
    every = list(entries)
    read = {id(e): impact.analyse(e, keywords) for e in every}
    counted = [e for e in every if since <= e.date <= until and (include_private or not e.private)]
    ranked = impact.rank(counted, lens, day, keywords, read=lambda e: read[id(e)])
    order = {e.id: i for i, (e, _) in enumerate(ranked)}
    by_comp: dict[str, list[tuple[Entry, Match]]] = {c.id: [] for c in ladder.competencies}
    mapped: set[str] = set()
    for entry in every:
        for match in map_entry(entry, ladder, read[id(entry)]):
            by_comp[match.competency].append((entry, match))
    rows = []
    for comp in ladder.competencies:
        linked = by_comp[comp.id]
        inside = sorted((p for p in linked if p[0].id in order), key=lambda p: order[p[0].id])
        mapped.update(e.id for e, _ in inside)
        text, written_for = ladder.expectation(comp, level)
        notes = []
        if not text:
            notes.append(f"the ladder has no expectation for this competency up to {level}")
        elif written_for != level:
            notes.append(f"expectation as written for {written_for}")
        if not inside:
            notes.extend(_gap_notes([e for e, _ in linked], since, until, include_private))
        rows.append(
            CompetencyCoverage(
                comp.id,
                comp.name,
                comp.tree,
                text,
                written_for,
                [e.id for e, _ in inside],
                {e.id: m.reason for e, m in inside},
                not inside,
                notes,
            )
        )
    unmapped = [e.id for e, _ in ranked if e.id not in mapped]
    known = {c.id for c in ladder.competencies}
    stale = {}
    for entry in every:
        named = [cid for cid in (p for group in pins(entry) for p in group) if cid not in known]
        if named:
            stale[entry.id] = named
    return Coverage(ladder.name, level, since, until, rows, unmapped, stale)


def _gap_notes(
    linked: list[Entry], since: dt.date, until: dt.date, include_private: bool
) -> list[str]:
    notes = []
    older = sorted((e for e in linked if e.date < since), key=lambda e: e.date)
    hidden = [e for e in linked if e.private and not include_private and since <= e.date <= until]
    if older:
        last = older[-1]
        lead = "evidence" if hidden else "only evidence"
        notes.append(
            f"{lead} is older than the period: {_count(len(older), 'entry')}, "
            f"latest {last.date.isoformat()} ({last.id})"
        )
    if hidden:
        notes.append(
            f"only evidence in the period is private: {_count(len(hidden), 'entry')} "
            f"({', '.join(e.id for e in hidden[:3])})"
        )
    return notes
