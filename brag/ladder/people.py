"""Collaborators from the entries' ``with`` field, and the brief for a peer reviewer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import impact
from ..entry import Entry, chronological
from ..errors import BragError
from .forms import _sentence
from .mapping import Match, _mapped_ids, map_entry
from .model import Ladder, default_ladder


@dataclass
class Person:
    name: str
    count: int
    first: dt.date
    last: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count,
                "first": self.first.isoformat(), "last": self.last.isoformat()}  # fmt: skip


def _person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


_SIGNAL_ORDER = ("pinned", "tag", "word", "impact area", "leverage")


def _strength(match: Match) -> tuple[int, bool]:
    """How directly a match was found: a pin, then a tag, a word, an area, a leverage."""
    kind = next((i for i, k in enumerate(_SIGNAL_ORDER) if match.reason.startswith(k)), 9)
    return kind, "(inferred)" in match.reason


def people(entries: Iterable[Entry]) -> list[Person]:
    """Everyone named in entries' ``with``, most entries first (names compared
    ignoring case and spacing; the spelling used most is kept; on a tie, one written as a name)."""
    found: dict[str, Person] = {}
    spellings: dict[str, Counter[str]] = {}
    for entry in sorted(entries, key=chronological):
        for name in {_person_key(n): " ".join(n.split()) for n in entry.with_ if n.strip()}.items():
            key, spelled = name
            spellings.setdefault(key, Counter())[spelled] += 1
            person = found.get(key)
            if person is None:
                found[key] = Person(spelled, 1, entry.date, entry.date)
            else:
                person.count += 1
                person.last = max(person.last, entry.date)
    for key, person in found.items():
        # The spelling used most; on a tie one written as a name ("Sam Lee",
        # not "sam lee" or "SAM LEE"), then the one first used most recently.
        ranked = [
            (n, not (s.islower() or s.isupper()), i)
            for i, (s, n) in enumerate(spellings[key].items())
        ]
        person.name = list(spellings[key])[max(ranked)[2]]
    return sorted(found.values(), key=lambda p: (-p.count, p.name.casefold()))


def peer_brief_data(
    entries: Iterable[Entry],
    person: str,
    ladder: Ladder | None = None,
    *,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What we did together (entries with ``person`` in ``with``, strongest first),
    the outcomes, and two or three things it would help them to speak to."""
    every = list(entries)
    key = _person_key(person)
    together = [e for e in every if key in {_person_key(n) for n in e.with_}]
    if not together:
        names = ", ".join(p.name for p in people(every)[:5])
        hint = f"; people in the journal: {names}" if names else ""
        raise BragError(f"no entry names {person!r} in 'with'{hint}")
    the_ladder = ladder or default_ladder()
    read = {id(e): impact.analyse(e, keywords) for e in together}
    ranked = [
        e for e, _ in impact.rank(together, lens, today, keywords, read=lambda e: read[id(e)])
    ]
    spelled = next(p.name for p in people(together) if _person_key(p.name) == key)
    items: list[dict[str, Any]] = [
        {"id": e.id, "date": e.date.isoformat(), "title": e.title, "impact": e.impact,
         "url": e.url, "competencies": sorted(_mapped_ids(e, the_ladder, read[id(e)]),
                                              key=the_ladder.order)}
        for e in ranked
    ]  # fmt: skip
    outcomes = [{"id": e.id, "text": _sentence(e.impact)} for e in ranked if e.impact.strip()]
    # One thing per entry, strongest entries first, each under the competency
    # its most direct signal names, no competency twice.
    speak_to: list[dict[str, str]] = []
    taken: set[str] = set()
    for e in ranked:
        options = [m for m in map_entry(e, the_ladder, read[id(e)]) if m.competency not in taken]
        best = min(options, key=_strength, default=None)
        if len(speak_to) == 3:
            break
        taken.add(best.competency if best else "")
        speak_to.append(
            {"competency": best.competency if best else "", "name": best.name if best else "",
             "reason": best.reason if best else "", "entry_id": e.id, "title": e.title,
             "impact": e.impact}
        )  # fmt: skip
    return {
        "person": spelled,
        "count": len(together),
        "since": min(e.date for e in together).isoformat(),
        "until": max(e.date for e in together).isoformat(),
        "entries": items,
        "outcomes": outcomes,
        "speak_to": speak_to,
    }
