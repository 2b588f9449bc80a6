"""Design docs, RFCs and ADRs you wrote: ``brag import docs PATH…``.

Reads Markdown and reStructuredText in folders or repositories: design docs,
RFCs, and architecture decision records numbered like ``0007-use-postgres.md``.
Keeps only documents you authored or co-authored: listed in front matter
(``authors``, ``author``, ``owner``; or a ``:Authors:`` field, an ``Authors:``
line), or, when the document lists nobody, by git history (you created the file
or wrote a fair share of it). The title comes from the first heading, the
status (proposed, accepted, superseded…) from front matter, a ``Status:`` line
or a ``## Status`` section, the summary or context paragraph becomes the body,
and the date comes from front matter, a ``Date:`` line, or the file's first
commit. Entries get the ``strategy`` area and ``strategic`` leverage, and link
back to the document.

Configuration in brag.toml (all optional; command-line values win)::

    [user]
    name = "Alex Doe"
    emails = ["alex@example.com"]

    [import.docs]
    paths = ["~/src/platform/docs/adr", "~/src/rfcs"]
    authors = ["alex@example.com", "Alex Doe"]   # instead of [user]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from brag.documents import (
    MARKDOWN_SUFFIXES,
    RST_SUFFIXES,
    Candidate,
    Document,
    as_date,
    as_list,
    date_from_name,
    first_paragraph,
    import_documents,
)
from brag.entry import Entry, stable_id
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from ._local import author_option, paths_argument

SOURCE = "docs"
AUTHOR_KEYS = ("authors", "author", "owner", "owners", "written_by")
SUMMARY = (
    "summary",
    "abstract",
    "objective",
    "tl;dr",
    "tldr",
    "overview",
    "context",
    "context and problem statement",
    "background",
    "motivation",
    "problem statement",
    "problem",
)
IMPACT = ("impact", "outcome", "outcomes", "results", "why")
_ADR_NAME = re.compile(r"^(?:adr[-_]?)?([0-9]{3,5})[-_]", re.IGNORECASE)
_ADR_DIRS = frozenset({"adr", "adrs", "decisions", "architecture-decisions", "decision-records"})
_RFC_DIRS = frozenset({"rfc", "rfcs"})


def kind_of(doc: Document) -> str:
    parents = {p.name.lower() for p in doc.path.parents}
    name = doc.path.name.lower()
    if name.startswith("rfc") or parents & _RFC_DIRS:
        return "rfc"
    if _ADR_NAME.match(name) or parents & _ADR_DIRS or name.startswith("adr"):
        return "adr"
    return "design-doc"


def status_of(doc: Document) -> str:
    raw = doc.get("status", "state")
    if raw is None:
        section = doc.section("status")
        raw = first_paragraph(section.text) if section else ""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", str(raw or ""))
    return words[0].lower() if words else ""


def authors_of(doc: Document) -> list[str]:
    from brag.authorship import split_people

    people: list[str] = []
    for key in AUTHOR_KEYS:
        people.extend(split_people(doc.meta.get(key)))
    return list(dict.fromkeys(people))


def doc_date(c: Candidate) -> dt.date | None:
    for key in ("date", "created", "created_at", "published"):
        day = as_date(c.doc.meta.get(key))
        if day:
            return day
    history = c.history()
    if history is not None and history.first is not None:
        return history.first.when.date()
    return date_from_name(c.path)


def doc_entry(c: Candidate, role: str, day: dt.date, others: list[str]) -> Entry:
    doc = c.doc
    section = doc.section(*SUMMARY)
    body = str(doc.get("summary", "description", "abstract") or "")
    if not body and section:
        body = first_paragraph(section.text)
    if not body:
        body = first_paragraph(doc.preamble)
    if not body and doc.sections:
        body = first_paragraph(doc.sections[0].text)
    impact_section = doc.section(*IMPACT)
    impact = str(doc.get("impact") or "") or (
        first_paragraph(impact_section.text) if impact_section else ""
    )
    kind = kind_of(doc)
    tags = [kind] + [t.lower() for t in as_list(doc.get("tags"))]
    if c.repo is not None:
        tags.append(c.repo.name.lower())
    extra: dict[str, Any] = {"role": role}
    status = status_of(doc)
    if status:
        extra["status"] = status
    if kind == "adr" and (m := _ADR_NAME.match(c.path.name)):
        extra["adr"] = int(m[1])
    source_id = c.source_id
    url = str(doc.get("url", "link") or "") or c.path.resolve().as_posix()
    entry = Entry(
        title=doc.title,
        date=day,
        tags=list(dict.fromkeys(t for t in tags if t)),
        impact=impact,
        areas=["strategy"],
        leverage="strategic",
        with_=[re.sub(r"\s*<[^>]*>", "", p).strip() for p in others],
        source=SOURCE,
        source_id=source_id,
        url=url,
        body=(body + "\n") if body else "",
        extra=extra,
    )
    entry.id = stable_id(SOURCE, source_id)
    return entry


def _people(doc: Document) -> dict[str, list[str]]:
    authors = authors_of(doc)
    # The first listed author wrote it; the others co-wrote it.
    return {"author": authors[:1], "co-author": authors[1:]}


def _entry(c: Candidate, role: str, day: dt.date) -> Entry:
    others = [a for a in authors_of(c.doc) if not c.identity.is_person(a)]
    return doc_entry(c, role, day, others)


def fetch(context: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    return import_documents(
        context,
        MARKDOWN_SUFFIXES | RST_SUFFIXES,
        people=_people,
        not_yours="not written by you",
        date_of=doc_date,
        undated="no date (add 'date: YYYY-MM-DD' front matter, or commit it to git)",
        entry=_entry,
    )


@hookimpl
def register_importers(register: Any) -> None:
    register(
        Importer(
            name=SOURCE,
            help=(
                "Design docs, RFCs and ADRs you wrote or co-wrote.\n\n"
                "Reads Markdown and reStructuredText in folders or repositories. "
                "Example: brag import docs ~/src/app/docs/adr"
            ),
            fetch=fetch,
            examples=(
                "brag import docs ~/src/app/docs/adr",
                "brag import docs ~/notes/rfcs --author 'Ada Lovelace' -n",
            ),
            resumable=False,
            params=[
                paths_argument(),
                author_option(
                    "You, as documents and commits name you (repeatable). "
                    "Default: [user] name and emails in brag.toml and git's user.email."
                ),
            ],
        )
    )
