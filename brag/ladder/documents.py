"""What the documents take from the ladder: the promotion brief's "Against the
<level> expectations" section, form answers with their evidence, evidence links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import impact
from ..entry import Entry
from .forms import ReviewForm, answer_form
from .mapping import coverage
from .model import Ladder

#: Stories a competency shows at most in the promotion brief: choose, don't list.
STORIES_PER_COMPETENCY = 2


def evidence_link(entry: Entry) -> dict[str, str]:
    """Where an item's evidence is: ``href``, its URL when safe to make
    clickable (else ""), and ``ref``, the command that shows the entry; the
    documents' ``evidence`` macros print the link, else the command."""
    from ..links import safe_href

    href = safe_href(entry.url) or ""
    return {"id": entry.id, "href": href, "ref": f"brag show {entry.id}"}


def against_ladder(
    entries: Iterable[Entry],
    ladder: Ladder,
    level: str,
    window: tuple[dt.date, dt.date],
    *,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    include_private: bool = False,
    per_competency: int = STORIES_PER_COMPETENCY,
) -> dict[str, Any]:
    """Each competency the ladder expects something of at ``level``: its
    expectation, its one or two strongest stories (ids), and whether it is a
    gap, with the coverage's notes.

    A story already chosen for an earlier competency gives way to another
    that shows this one, so a page shows more of the evidence; it is used
    again only when nothing else shows the competency.
    """
    result = coverage(
        entries,
        ladder,
        level,
        window,
        include_private=include_private,
        lens=lens,
        today=today,
        keywords=keywords,
    )
    used: set[str] = set()
    rows = []
    for row in result.competencies:
        if not row.expectation:
            continue  # the ladder expects nothing of it up to this level
        fresh = [eid for eid in row.evidence if eid not in used]
        stories = (fresh or row.evidence)[:per_competency]
        used.update(stories)
        rows.append(
            {
                "id": row.id,
                "name": row.name,
                "tree": row.tree,
                "expectation": row.expectation,
                "expectation_level": row.expectation_level,
                "stories": stories,
                "reasons": {eid: row.reasons[eid] for eid in stories},
                "evidence_count": len(row.evidence),
                "gap": row.gap,
                "notes": list(row.notes),
            }
        )
    return {
        "ladder": ladder.name,
        "level": result.target,
        "competencies": rows,
        "gaps": [r["name"] for r in rows if r["gap"]],
    }


def form_answers(
    form: ReviewForm,
    entries: Iterable[Entry],
    ladder: Ladder | None = None,
    *,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """The form's answers as documents print them: the text to paste, and
    beside it the count against the limit and the evidence (links)."""
    every = list(entries)
    by_id = {e.id: e for e in every}
    answers = answer_form(form, every, ladder, lens=lens, today=today, keywords=keywords)
    out = []
    for answer in answers:
        data = answer.to_dict()
        data["evidence"] = [evidence_link(by_id[eid]) for eid in answer.entry_ids]
        data["left_out_evidence"] = [evidence_link(by_id[eid]) for eid in answer.left_out]
        out.append(data)
    return out
