"""The inbox: entries that wait for the user's judgement, and the decisions on them.

Imports capture the what; only the user knows the why. An entry is in the inbox
for one of three reasons (its ``reason``):

* ``follow-up``: its follow-up date has come (``follow_up`` in its front matter,
  or a launch with no measured result when ``[inbox] follow_up_launches`` is
  set) and no ``outcome`` is recorded yet: "what happened after it?";
* ``duplicate``: it looks like the same win as another entry
  (:mod:`brag.duplicates`);
* ``impact``: it was imported and says nothing about why it mattered (no
  impact, no metric, no outcome).

Every decision is written into the entry's own front matter and committed at
once, so an item cleared on one machine is cleared on every machine after a
sync, and a session killed half-way loses nothing already answered. Clearing
without adding anything ("keep", ``brag inbox done``) records the day in
``inbox_cleared``; keeping a duplicate also names the other entry in
``distinct_from``, the field ``brag add --force`` writes. Dropping removes the
entry; an imported one is remembered and never imported again.

Only the standard library is imported at module level.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .entry import AREAS, LEVERAGE, Entry, chronological, parse_metric
from .errors import BragError, ConfigError, DateError

if TYPE_CHECKING:
    from .duplicates import Linked
    from .journal import Journal

FOLLOW_UP = "follow-up"
DUPLICATE = "duplicate"
IMPACT = "impact"
#: The order items are shown in: a due result first, then duplicates, then the rest.
REASONS = (FOLLOW_UP, DUPLICATE, IMPACT)

FEEDBACK = "feedback"

#: Single-key actions of the walk. ``g`` is left free for a future "suggest".
ACTIONS: dict[str, str] = {
    "i": "impact",
    "m": "metric",
    "o": "outcome",
    "a": "area",
    "l": "leverage",
    "f": "follow-up",
    "k": "keep",
    "p": "private",
    "d": "drop",
    "s": "skip",
    "q": "quit",
}

FOLLOW_UP_USAGE = "use a span from the entry's date like 30d, 6w, 3m, 1y, or a date like 2026-03-01"

# A launch: tagged so, or a title that opens with a launch verb.
_LAUNCH_TITLE = re.compile(
    r"^\s*(launched|shipped|released|rolled out|went live|go-live of|introduced)\b", re.I
)
_LAUNCH_TAGS = frozenset({"launch", "launches", "release"})
_SPAN = re.compile(
    r"^\s*(?:in\s+)?([0-9]{1,4})\s*(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?)\s*$",
    re.I,
)


# -- dates --------------------------------------------------------------------------


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today on this machine's clock and time zone (``now`` may be in any zone)."""
    if now is None:
        return dt.date.today()
    if now.tzinfo is None:
        return now.date()
    return now.astimezone().date()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError
    next_first = dt.date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    last = (next_first - dt.timedelta(days=1)).day
    return dt.date(year, month0 + 1, min(day.day, last))


def parse_follow_up(text: str, entry_date: dt.date, today: dt.date | None = None) -> dt.date:
    """When to follow up: a span counted from ``entry_date`` (``30d``, ``6w``, ``3m``,
    ``1y``) or any day :func:`brag.dates.parse_date` reads (``2026-03-01``, ``tomorrow``).

    A day before the entry's own date is refused: there is nothing to follow up yet.
    """
    from .dates import parse_date

    raw = text.strip()
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    if m := _SPAN.match(raw):
        count, unit = int(m[1]), m[2].lower()[0]
        try:
            if unit == "d":
                return entry_date + dt.timedelta(days=count)
            if unit == "w":
                return entry_date + dt.timedelta(weeks=count)
            return _add_months(entry_date, count * (12 if unit == "y" else 1))
        except (OverflowError, ValueError):
            raise DateError(f"follow-up {shown!r} is out of range") from None
    try:
        day = parse_date(raw, today)
    except DateError:
        raise DateError(f"can't read follow-up {shown!r}: {FOLLOW_UP_USAGE}") from None
    if day < entry_date:
        raise DateError(
            f"follow-up {day.isoformat()} is before the entry's date {entry_date.isoformat()}: "
            f"{FOLLOW_UP_USAGE}"
        )
    return day


# -- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The ``[inbox]`` section of brag.toml."""

    follow_up_launches: str = ""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        section = config.get("inbox", {})
        if not isinstance(section, dict):
            raise ConfigError("[inbox] in brag.toml must be a table")
        span = section.get("follow_up_launches", "")
        if span in ("", None, False):
            return cls()
        if not isinstance(span, str) or not _SPAN.match(span):
            raise ConfigError(
                f'[inbox] follow_up_launches = {span!r}: use a span like "30d", "6w" or "3m"'
            )
        return cls(follow_up_launches=span)


_NO_SETTINGS = Settings()


def is_launch(entry: Entry) -> bool:
    """A launch: tagged ``launch``, or a title opening with "Shipped", "Launched", …"""
    tags = {t.casefold() for t in entry.tags}
    return bool(tags & _LAUNCH_TAGS) or bool(_LAUNCH_TITLE.match(entry.title))


def is_feedback(entry: Entry) -> bool:
    return entry.kind == FEEDBACK


def follow_up_date(entry: Entry, settings: Settings = _NO_SETTINGS) -> dt.date | None:
    """When ``entry`` should be followed up: its own date, else the launch setting's."""
    if entry.follow_up is not None:
        return entry.follow_up
    if (
        settings.follow_up_launches
        and not entry.outcome
        and not entry.metrics
        and not is_feedback(entry)
        and is_launch(entry)
    ):
        return parse_follow_up(settings.follow_up_launches, entry.date)
    return None


def follow_up_due(
    entry: Entry, today: dt.date, settings: Settings = _NO_SETTINGS
) -> dt.date | None:
    """The follow-up date if it has come and is still unanswered, else None.

    Answered means an ``outcome`` is recorded, or the entry was cleared from the
    inbox on or after that date.
    """
    due = follow_up_date(entry, settings)
    if due is None or due > today or entry.outcome:
        return None
    if entry.inbox_cleared is not None and entry.inbox_cleared >= due:
        return None
    return due


def needs_impact(entry: Entry) -> bool:
    """Imported, and nothing says why it mattered; not yet cleared."""
    return bool(
        entry.source
        and not entry.impact.strip()
        and not entry.metrics
        and not entry.outcome
        and not is_feedback(entry)
        and entry.inbox_cleared is None
    )


# -- the items --------------------------------------------------------------------


@dataclass
class Item:
    """One entry awaiting a decision, and why."""

    entry: Entry
    reason: str
    due: dt.date | None = None
    duplicate_of: list[Entry] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def question(self) -> str:
        title = self.entry.title
        if self.reason == FOLLOW_UP:
            return f"What happened after '{title}'? Add the result."
        if self.reason == DUPLICATE:
            others = ", ".join(f"{o.id} '{o.title}'" for o in self.duplicate_of)
            return f"Same win as {others}? Drop one, or keep both."
        return f"Why did '{title}' matter? Add the impact."

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.id,
            "reason": self.reason,
            "question": self.question,
            "title": e.title,
            "date": e.date.isoformat(),
            "url": e.url,
            "source": e.source,
            "path": e.path,
            "private": e.private,
            "due": self.due.isoformat() if self.due else None,
            "duplicate_of": [o.id for o in self.duplicate_of],
        }


def items(
    entries: Iterable[Entry],
    *,
    today: dt.date,
    settings: Settings = _NO_SETTINGS,
) -> list[Item]:
    """The inbox: one item per entry, due follow-ups first (oldest due first), then
    likely duplicates, then imported entries without an impact (newest first)."""
    return _items(entries, today=today, settings=settings)[0]


def _items(
    entries: Iterable[Entry],
    *,
    today: dt.date,
    settings: Settings,
    alone: Container[int] | None = None,
    ordered: bool = True,
) -> tuple[list[Item], Linked]:
    """:func:`items`, and the pairs of entries found to tell one story (``alone``:
    see :func:`brag.duplicates.groups`). ``ordered=False``: the items in no
    particular order, for a count (thousands of them, on a big imported journal)."""
    from .duplicates import linked

    pool = list(entries)
    found: dict[str, Item] = {}
    # Without the launch setting only an entry with its own follow-up date can be
    # due (follow_up_date): a whole journal is looked at, most entries have none.
    launches = bool(settings.follow_up_launches)
    for entry in pool:
        if entry.follow_up is None and not launches:
            continue
        due = follow_up_due(entry, today, settings)
        if due is not None:
            found[entry.id] = Item(entry, FOLLOW_UP, due=due)
    links = linked(sorted(pool, key=chronological), alone=alone)
    for group in links.groups():
        shown = _duplicate_to_show(group)
        if shown.id not in found:
            others = [e for e in group if e.id != shown.id]
            found[shown.id] = Item(shown, DUPLICATE, duplicate_of=others)
    for entry in pool:
        # needs_impact() asks first whether it was imported: most were not.
        if entry.source and entry.id not in found and needs_impact(entry):
            found[entry.id] = Item(entry, IMPACT)

    if not ordered:
        return list(found.values()), links

    def order(item: Item) -> tuple[int, int, str]:
        rank = REASONS.index(item.reason)
        if item.reason == FOLLOW_UP and item.due is not None:
            return rank, item.due.toordinal(), item.id
        return rank, -item.entry.date.toordinal(), item.id

    return sorted(found.values(), key=order), links


def _duplicate_to_show(group: Sequence[Entry]) -> Entry:
    """The member of a duplicate group to ask about: the one that says the least
    (an imported entry without impact before one the user wrote), else the newest."""
    return max(group, key=lambda e: (needs_impact(e), bool(e.source), e.date, e.id))


def collect(journal: Journal, today: dt.date | None = None) -> list[Item]:
    """The journal's inbox today."""
    settings = Settings.from_config(journal.config)
    return items(journal.entries(), today=today or local_today(), settings=settings)


def counts(
    entries: Iterable[Entry],
    *,
    today: dt.date,
    settings: Settings = _NO_SETTINGS,
    include_private: bool = True,
    alone: Container[int] | None = None,
) -> dict[str, int]:
    """What the coach and stats show: inbox size, follow-ups due, feedback received.

    The numbers also carry (as ``linked``) the pairs of entries found to tell one
    story: :func:`brag.coach.review` reuses them for the same entries, unchanged.
    ``alone``: entries the index found without a twin (see
    :func:`brag.duplicates.groups`)."""
    pool = [e for e in entries if include_private or not e.private]
    found, links = _items(pool, today=today, settings=settings, alone=alone, ordered=False)
    numbers = Counts(
        inbox=len(found),
        awaiting_impact=sum(1 for i in found if i.reason == IMPACT),
        follow_ups_due=sum(1 for i in found if i.reason == FOLLOW_UP),
        duplicates=sum(1 for i in found if i.reason == DUPLICATE),
        feedback=sum(1 for e in pool if is_feedback(e)),
    )
    numbers.linked = links
    return numbers


class Counts(dict[str, int]):
    """:func:`counts`' numbers, with the duplicate pairs found on the way (``linked``,
    a :class:`brag.duplicates.Linked`), which are not numbers and never shown."""

    linked: Linked | None = None


def journal_counts(
    journal: Journal, today: dt.date | None = None, include_private: bool = True
) -> dict[str, int]:
    """:func:`counts` for the whole journal, with its brag.toml settings."""
    return counts(
        journal.entries(),
        today=today or local_today(),
        settings=Settings.from_config(journal.config),
        include_private=include_private,
    )


# -- decisions ------------------------------------------------------------------------


@dataclass
class Decision:
    """What one action did: ``cleared`` when the item left the inbox."""

    action: str
    entry: Entry
    message: str
    cleared: bool = False
    changed: bool = True


def _pending(entry: Entry, today: dt.date, settings: Settings) -> bool:
    return needs_impact(entry) or follow_up_due(entry, today, settings) is not None


def _save(journal: Journal, entry: Entry, verb: str) -> None:
    from .recovery import writing

    # The lock is held per decision, never across a prompt: a sync can run
    # while the user thinks.
    with writing(journal):
        _commit(journal, entry, verb)


def _commit(journal: Journal, entry: Entry, verb: str) -> None:
    from .journal import _short

    journal.update(entry, message=f'brag: inbox: {verb} "{_short(entry.title)}"')


def _check_value(action: str, value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise BragError(f"nothing to set: the {action} is empty")
    return value


def decide(
    journal: Journal,
    item: Item,
    action: str,
    value: str = "",
    *,
    today: dt.date | None = None,
    settings: Settings | None = None,
) -> Decision:
    """Apply one action to ``item`` and commit it at once.

    ``action`` is a name or key of :data:`ACTIONS`; ``impact``, ``metric``,
    ``outcome``, ``area`` and ``leverage`` take ``value``. A bad value raises
    :class:`BragError` before anything is written. The entry is read again from
    its file under the write lock, so a change synced in meanwhile is kept.
    """
    action = ACTIONS.get(action, action)
    today = today or local_today()
    settings = settings or Settings.from_config(journal.config)
    if action == "skip":
        return Decision(action, item.entry, f"Skipped {item.id}.", changed=False)
    if action == "quit":
        return Decision(action, item.entry, "", changed=False)
    change, verb = _change_for(action, value, item, today)
    from .recovery import writing

    with writing(journal):
        entry = _reread(journal, item)
        if action == "drop":
            journal.remove(entry)
            remembered = " (never imported again)" if entry.dedup_key else ""
            return Decision(action, entry, f"Dropped {entry.id}{remembered}.", cleared=True)
        message = change(entry)
        _commit(journal, entry, verb)
    cleared = not _pending(entry, today, settings)
    if item.reason == DUPLICATE:
        cleared = action in ("keep", "private")
    return Decision(action, entry, message, cleared=cleared)


def _change_for(action: str, value: str, item: Item, today: dt.date) -> tuple[Any, str]:
    """Check ``value`` for ``action``; return (how to change the entry, commit verb)."""
    if action == "impact":
        text = _check_value(action, value)

        def impact(entry: Entry) -> str:
            entry.impact = text
            return f"Impact saved on {entry.id}."

        return impact, "impact for"
    if action == "metric":
        metric = parse_metric(_check_value(action, value))

        def add_metric(entry: Entry) -> str:
            entry.metrics.append(metric)
            return f"Metric saved on {entry.id}."

        return add_metric, "metric for"
    if action == "outcome":
        outcome = _outcome(value, (), today)

        def set_outcome(entry: Entry) -> str:
            entry.outcome = outcome
            return f"Outcome saved on {entry.id}."

        return set_outcome, "outcome for"
    if action == "area":
        areas = [a.strip().lower() for a in re.split(r"[,\s]+", value) if a.strip()]
        bad = [a for a in areas if a not in AREAS]
        if bad or not areas:
            raise BragError(f"unknown area {', '.join(bad) or '(none)'}: use {', '.join(AREAS)}")

        def set_area(entry: Entry) -> str:
            entry.areas = list(dict.fromkeys(entry.areas + areas))
            return f"Area {', '.join(entry.areas)} saved on {entry.id}."

        return set_area, "area for"
    if action == "leverage":
        lev = value.strip().lower()
        matches = [x for x in LEVERAGE if x.startswith(lev)] if lev else []
        if len(matches) != 1:
            raise BragError(f"unknown leverage {value.strip()!r}: use {', '.join(LEVERAGE)}")

        def set_leverage(entry: Entry) -> str:
            entry.leverage = matches[0]
            return f"Leverage {entry.leverage} saved on {entry.id}."

        return set_leverage, "leverage for"
    if action == "follow-up":
        when = parse_follow_up(_check_value(action, value), item.entry.date, today)
        if when <= today:
            raise BragError(f"follow-up {when.isoformat()} is not after today: give a later day")

        def follow_up(entry: Entry) -> str:
            entry.follow_up = when
            _clear(entry, item, today)
            return f"Will ask for the result of {entry.id} on {when.isoformat()}."

        return follow_up, "follow-up for"
    if action == "keep":

        def keep(entry: Entry) -> str:
            _clear(entry, item, today)
            return f"Kept {entry.id} as it is."

        return keep, "keep"
    if action == "private":

        def private(entry: Entry) -> str:
            entry.private = True
            _clear(entry, item, today)
            return f"Marked {entry.id} private: kept out of documents unless included."

        return private, "private"
    if action == "drop":
        return None, "drop"
    raise BragError(f"unknown inbox action {action!r}")


def _reread(journal: Journal, item: Item) -> Entry:
    """The item's entry as its file holds it now."""
    from .errors import NotFoundError

    try:
        entry = journal.read_file(item.entry.path)
    except FileNotFoundError:
        raise NotFoundError(f"{item.id} is gone (removed meanwhile?): skipped") from None
    if entry.id != item.id:
        raise NotFoundError(f"{item.entry.path} no longer holds {item.id}: skipped")
    item.entry = entry
    return entry


def _clear(entry: Entry, item: Item | None, today: dt.date) -> None:
    entry.inbox_cleared = max(today, entry.inbox_cleared or today)
    if item is not None and item.reason == DUPLICATE:
        from .duplicates import DISTINCT_FIELD, distinct_from

        ids = distinct_from(entry) | {o.id for o in item.duplicate_of}
        entry.extra[DISTINCT_FIELD] = sorted(ids)


def _outcome(text: str, metrics: Sequence[str], when: dt.date) -> dict[str, Any]:
    words = " ".join(text.split())
    parsed = [parse_metric(m) for m in metrics]
    if not parsed and words and ":" in words:
        try:
            parsed = [parse_metric(words)]
        except BragError:
            parsed = []
    if not words and not parsed:
        raise BragError("nothing to record: give the result in words or as a metric")
    return {"date": when, "text": words, "metrics": parsed}


def record_outcome(
    journal: Journal,
    entry: Entry,
    text: str,
    *,
    metrics: Sequence[str] = (),
    when: dt.date | None = None,
    today: dt.date | None = None,
) -> Entry:
    """Record the measured result on ``entry``: ``[outcome]`` with its date, words and
    metrics. A metric written in ``text`` itself (``"conversion: 3.1% -> 3.4%"``) is
    read as one."""
    entry.outcome = _outcome(text, metrics, when or today or local_today())
    _save(journal, entry, "outcome for")
    return entry


def done(journal: Journal, ids: Sequence[str], today: dt.date | None = None) -> list[Decision]:
    """Clear the items of ``ids`` (``brag inbox done``); ids not in the inbox are
    reported unchanged. Every id is checked before anything is written."""
    today = today or local_today()
    current = {i.id: i for i in collect(journal, today)}
    entries = [journal.get(i) for i in ids]
    results: list[Decision] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            continue
        seen.add(entry.id)
        item = current.get(entry.id)
        if item is None:
            results.append(
                Decision("done", entry, f"{entry.id} is not in the inbox.", changed=False)
            )
            continue
        from .recovery import writing

        with writing(journal):
            current_entry = _reread(journal, item)
            _clear(current_entry, item, today)
            _commit(journal, current_entry, "done")
        results.append(Decision("done", current_entry, f"Cleared {entry.id}.", cleared=True))
    return results


def clear_after_edit(
    entry: Entry, before: Entry, today: dt.date | None = None, settings: Settings = _NO_SETTINGS
) -> bool:
    """``brag edit`` of an inbox item clears it: set ``inbox_cleared`` on ``entry`` (the
    edited version, not yet saved) when ``before`` was waiting. True if it did."""
    today = today or local_today()
    if not _pending(before, today, settings):
        return False
    if not _pending(entry, today, settings):
        return False  # the edit itself answered it (an impact, an outcome)
    _clear(entry, None, today)
    return True


# -- feedback and outcomes, for documents ---------------------------------------------


def feedback_entry(
    text: str, giver: str, *, date: dt.date, url: str = "", private: bool = False
) -> Entry:
    """A feedback entry: the words someone said about your work, attributed."""
    quote = " ".join(text.split())
    if not quote:
        raise BragError("the feedback is empty: give the words that were said")
    who = " ".join(giver.split())
    if not who:
        raise BragError('say who gave the feedback: --from "Priya N"')
    return Entry(title=quote, date=date, kind=FEEDBACK, from_=who, url=url.strip(), private=private)


def quotes(entries: Iterable[Entry], *, include_private: bool = False) -> list[dict[str, Any]]:
    """The quotes for "What others say": feedback entries, attributed and linked,
    newest first. Private feedback stays out unless ``include_private``."""
    from .links import export_href

    found = [e for e in entries if is_feedback(e) and (include_private or not e.private)]
    found.sort(key=lambda e: (e.date, e.id), reverse=True)
    return [
        {
            "id": e.id,
            "quote": e.title,
            "from": e.from_ or "someone",
            "date": e.date.isoformat(),
            "url": export_href(e.url),  # clickable only when it cannot run anything
            "path": e.path,
        }
        for e in found
    ]


def outcome_line(entry: Entry) -> str:
    """The measured outcome in words, e.g. ``"conversion 3.1% -> 3.4% (measured
    2026-04-02)"``; empty when none is recorded. The user's words are kept as written."""
    outcome = entry.outcome
    if not outcome:
        return ""
    text = str(outcome.get("text", "")).strip()
    if not text:
        text = "; ".join(_metric_words(m) for m in outcome.get("metrics", []))
    when = outcome.get("date")
    stamp = f" (measured {when.isoformat()})" if isinstance(when, dt.date) else ""
    return f"{text}{stamp}"


def for_documents(entry: Entry) -> Entry:
    """The entry as documents tell it: with a measured ``outcome``, the outcome leads
    (in the user's words, with the day it was measured) instead of the launch
    wording, and its metrics count as the entry's. Without one, ``entry`` itself."""
    if not entry.outcome:
        return entry
    import dataclasses

    metrics = [dict(m) for m in entry.outcome.get("metrics", [])]
    metrics += [m for m in entry.metrics if m not in metrics]
    return dataclasses.replace(entry, impact=outcome_line(entry), metrics=metrics)


def outcomes_landed(
    journal: Journal, since: dt.date, until: dt.date | None, *, include_private: bool
) -> list[Entry]:
    """Entries dated before ``since`` whose measured outcome falls in the period,
    as documents tell them and dated by that outcome: last quarter's launch brings
    its number into this quarter's documents."""
    import dataclasses

    found = []
    before = (since - dt.timedelta(days=1)).isoformat()
    # The index narrows it to entries with an outcome dated in the period; the
    # test below is still the one that decides.
    candidates = journal.index.outcomes(
        since.isoformat(), until.isoformat() if until else None, before, include_private
    )
    for entry in candidates:
        when = entry.outcome.get("date") if entry.outcome else None
        if isinstance(when, dt.date) and since <= when and (until is None or when <= until):
            found.append(dataclasses.replace(for_documents(entry), date=when))
    return found


def with_outcomes(
    journal: Journal,
    entries: list[Entry],
    since: dt.date | None,
    until: dt.date | None,
    *,
    include_private: bool,
) -> list[Entry]:
    """A document's ``entries`` (oldest first) as documents tell them
    (:func:`for_documents`), with :func:`outcomes_landed` in the period added."""
    told = [for_documents(e) for e in entries]
    if since is None:
        return told
    landed = outcomes_landed(journal, since, until, include_private=include_private)
    return sorted(told + landed, key=lambda e: e.date) if landed else told


def _metric_words(metric: dict[str, Any]) -> str:
    unit = str(metric.get("unit", ""))
    name = str(metric.get("name", "")).strip()
    if "before" in metric and "after" in metric:
        return f"{name} {metric['before']}{unit} -> {metric['after']}{unit}"
    return f"{name} {metric.get('value', '')}{unit}"


# -- the once-a-day reminder ----------------------------------------------------------


def _state_file(journal: Journal) -> Path:
    from .recovery import inbox_state

    return inbox_state(journal.root)


def _read_state(journal: Journal) -> dict[str, Any]:
    try:
        data = json.loads(_state_file(journal).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(journal: Journal, data: dict[str, Any]) -> None:
    path = _state_file(journal)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a reminder is not worth failing a command over


def note_import(journal: Journal, added: Iterable[Entry]) -> int:
    """After an import: remember how many new entries wait for an impact, so
    ``brag list``/``brag add`` can remind once a day. Kept in ``.git/brag/``
    (this machine's, never committed). Returns that number."""
    waiting = sum(1 for e in added if needs_impact(e))
    if waiting:
        state = _read_state(journal)
        state["imported"] = int(state.get("imported", 0)) + waiting
        _write_state(journal, state)
    return waiting


def reminder(journal: Journal, today: dt.date | None = None) -> str:
    """The once-a-day line after an import, or "" (already said today, nothing waits,
    or the user has opened the inbox since)."""
    state = _read_state(journal)
    if not state.get("imported"):
        return ""
    today = today or local_today()
    if state.get("said") == today.isoformat():
        return ""
    waiting = sum(1 for e in journal.entries() if needs_impact(e))
    state["said"] = today.isoformat()
    if not waiting:
        state.pop("imported", None)
    _write_state(journal, state)
    if not waiting:
        return ""
    noun = "entry waits" if waiting == 1 else "entries wait"
    return f"{waiting} imported {noun} for your impact: brag inbox"


def visited(journal: Journal) -> None:
    """The user opened the inbox: no reminder until the next import."""
    state = _read_state(journal)
    if state.pop("imported", None) is not None:
        _write_state(journal, state)
