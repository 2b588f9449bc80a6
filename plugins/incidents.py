"""Postmortems you wrote or led: ``brag import incidents PATH…``.

Reads Markdown postmortems in folders or repositories, with or without front
matter (YAML-style ``---`` or TOML ``+++``). Recognises the usual sections
(summary, impact, duration, root cause, action items), takes the date from
front matter or the document, and keeps only incidents you were part of: named
in front matter (author, authors, owner, incident commander, responders), or,
when the document names nobody, by git history (you created the file or wrote
a fair share of it). Customer impact becomes ``impact``; the duration becomes a
``duration`` metric in minutes. Entries get the ``risk`` area and
``execution`` leverage, and link back to the document.

Configuration in brag.toml (all optional; command-line values win)::

    [user]
    emails = ["me@example.com", "me@corp.example.com"]

    [import.incidents]
    paths = ["~/src/postmortems", "~/src/sre-handbook/incidents"]
    authors = ["me@corp.example.com", "Alex Doe"]   # instead of [user] emails
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from brag.documents import (
    MARKDOWN_SUFFIXES,
    Candidate,
    Document,
    as_date,
    as_datetime,
    as_list,
    date_from_name,
    first_paragraph,
    import_documents,
    list_items,
)
from brag.entry import Entry, stable_id
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from ._local import author_option, paths_argument

SOURCE = "incidents"

# Front-matter keys naming people, in the order their role is credited.
ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("author", ("author", "authors", "owner", "owners", "written_by")),
    (
        "incident commander",
        ("incident_commander", "commander", "ic", "incident_lead", "lead"),
    ),
    ("responder", ("responders", "participants", "on_call", "oncall")),
)
SUMMARY = ("summary", "executive summary", "overview", "tl;dr", "tldr", "what happened")
IMPACT = ("customer impact", "impact", "user impact", "business impact")
ROOT_CAUSE = ("root cause", "root causes", "root cause analysis", "causes", "cause")
ACTIONS = ("action items", "follow ups", "follow-ups", "remediation", "corrective actions")

_UNITS = {
    "d": 1440,
    "day": 1440,
    "h": 60,
    "hr": 60,
    "hour": 60,
    "m": 1,
    "min": 1,
    "minute": 1,
    "s": 1 / 60,
    "sec": 1 / 60,
    "second": 1 / 60,
}


def parse_duration(text: str) -> float | None:
    """Minutes in "47 minutes", "2h 15m", "1 hour 30 min", "1.5 hours", "PT1H30M", "01:30"."""
    text = text.strip().lower()
    if m := re.fullmatch(r"pt(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text):
        h, mi, s = (int(x) if x else 0 for x in m.groups())
        return h * 60 + mi + s / 60 if any(m.groups()) else None
    if m := re.fullmatch(r"(\d{1,3}):(\d{2})(?::(\d{2}))?", text):
        return int(m[1]) * 60 + int(m[2]) + int(m[3] or 0) / 60
    # The first run of "N unit" pairs ("1 hour 12 minutes"): later numbers in the
    # sentence ("detected after 5 minutes") are not part of the duration.
    total = 0.0
    found = False
    last_end = None
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*([a-z]+)", text):
        unit = m[2]
        unit = unit.rstrip("s") if unit not in ("s", "m", "h", "d") else unit
        factor = _UNITS.get(unit)
        if factor is None:
            if found:
                break
            continue
        if (
            found
            and last_end is not None
            and text[last_end : m.start()].strip(" ,")
            not in (
                "",
                "and",
            )
        ):
            break
        total += float(m[1]) * factor
        found = True
        last_end = m.end()
    return total if found else None


def _minutes_metric(minutes: float) -> dict[str, Any]:
    value: int | float = round(minutes) if minutes >= 1 else round(minutes, 2)
    return {"name": "duration", "value": value, "unit": "min"}


def _listed(doc: Document) -> dict[str, list[str]]:
    from brag.authorship import split_people

    listed: dict[str, list[str]] = {}
    for role, keys in ROLES:
        people: list[str] = []
        for key in keys:
            people.extend(split_people(doc.meta.get(key)))
        listed[role] = people
    return listed


def _incident_date(doc: Document) -> dt.date | None:
    for key in ("date", "incident_date", "started", "started_at", "start", "created"):
        day = as_date(doc.meta.get(key))
        if day:
            return day
    day = date_from_name(doc.path)
    if day:
        return day
    m = re.search(r"\b([0-9]{4}-[0-9]{2}-[0-9]{2})\b", doc.title)
    return as_date(m[1]) if m else None


def _section_text(doc: Document, names: tuple[str, ...]) -> str:
    section = doc.section(*names)
    return first_paragraph(section.text) if section else ""


def _duration(doc: Document) -> tuple[float | None, str]:
    raw = doc.get("duration", "time_to_resolve", "ttr")
    if raw is not None:
        text = str(raw)
        return parse_duration(text), text
    section = doc.section("duration", "time to resolve")
    if section:
        text = first_paragraph(section.text)
        return parse_duration(text), text
    start = as_datetime(doc.get("started", "started_at", "start"))
    end = as_datetime(doc.get("resolved", "resolved_at", "end", "ended"))
    if start and end and end > start and (start.tzinfo is None) == (end.tzinfo is None):
        minutes = (end - start).total_seconds() / 60
        return minutes, f"{round(minutes)} minutes"
    return None, ""


def is_postmortem(doc: Document) -> bool:
    return bool(doc.meta) or any(
        doc.section(*names) for names in (SUMMARY, IMPACT, ROOT_CAUSE, ACTIONS)
    )


def incident_entry(c: Candidate, role: str, day: dt.date) -> Entry:
    doc = c.doc
    summary = str(doc.get("summary") or "") or _section_text(doc, SUMMARY)
    if not summary:
        summary = first_paragraph(doc.preamble)
    impact = str(doc.get("customer_impact", "impact") or "") or _section_text(doc, IMPACT)
    minutes, duration_text = _duration(doc)
    root_cause = str(doc.get("root_cause") or "") or _section_text(doc, ROOT_CAUSE)
    actions_section = doc.section(*ACTIONS)
    actions = list_items(actions_section.text) if actions_section else []
    metrics = [_minutes_metric(minutes)] if minutes is not None else []
    if not impact and duration_text:
        impact = f"Resolved in {duration_text}."
    body_parts = []
    if summary:
        body_parts.append(summary)
    if root_cause:
        body_parts.append(f"Root cause: {root_cause}")
    if duration_text:
        body_parts.append(f"Duration: {duration_text}")
    if actions:
        body_parts.append("Action items:\n" + "\n".join(f"- {a}" for a in actions[:10]))
    body_parts.append(f"My role: {role}.")
    severity = str(doc.get("severity", "sev", "priority") or "").strip().lower()
    tags = ["incident"]
    if severity:
        tags.append(re.sub(r"[^a-z0-9-]+", "-", severity).strip("-"))
    tags += [t.lower() for t in as_list(doc.get("tags")) + as_list(doc.get("services", "service"))]
    people = [p for ps in _listed(doc).values() for p in ps if not c.identity.is_person(p)]
    source_id = str(doc.get("incident_id", "id") or "") or c.source_id
    url = str(doc.get("url", "link") or "") or c.path.resolve().as_posix()
    entry = Entry(
        title=doc.title,
        date=day,
        tags=list(dict.fromkeys(t for t in tags if t)),
        impact=impact,
        metrics=metrics,
        areas=["risk"],
        leverage="execution",
        with_=[re.sub(r"\s*<[^>]*>", "", p).strip() for p in dict.fromkeys(people)],
        source=SOURCE,
        source_id=source_id,
        url=url,
        body="\n\n".join(body_parts) + "\n",
        extra={"role": role},
    )
    entry.id = stable_id(SOURCE, source_id)
    return entry


def _not_a_postmortem(doc: Document) -> str:
    if is_postmortem(doc):
        return ""
    return "not a postmortem (no summary, impact or root cause section)"


def fetch(context: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    return import_documents(
        context,
        MARKDOWN_SUFFIXES,
        not_this_kind=_not_a_postmortem,
        people=_listed,
        not_yours="you are not its author or a responder",
        date_of=lambda c: _incident_date(c.doc),
        undated="no date (add 'date: YYYY-MM-DD' front matter or a 'Date:' line)",
        entry=incident_entry,
    )


@hookimpl
def register_importers(register: Any) -> None:
    register(
        Importer(
            name=SOURCE,
            help=(
                "Postmortems you wrote or led (Markdown).\n\n"
                "Reads folders or repositories of postmortems, with or without front matter. "
                "Example: brag import incidents ~/src/postmortems"
            ),
            fetch=fetch,
            examples=(
                "brag import incidents ~/src/postmortems",
                "brag import incidents ~/src/postmortems --since 2026 -n",
            ),
            resumable=False,
            params=[
                paths_argument(),
                author_option(
                    "You, as documents and commits name you (repeatable). "
                    "Default: [user] emails in brag.toml and git's user.email."
                ),
            ],
        )
    )
