"""A brief for a peer reviewer: ``brag export peer-brief --for "Sam Lee"``.

What to send someone you ask for a review: the work you did together (entries
with that person in ``with``), each with its outcome in your own words and a
link to its evidence, and the two or three things it would help them to speak
to, named by your ladder's competencies (``ladder.toml``, else brag's built-in
ladder). Private entries stay out unless ``--include-private``. The period
defaults to the last 12 months.

Configuration in ``brag.toml`` (optional)::

    [user]
    name = "Sam Rivera"       # who the brief is from
    target_level = "staff"    # adds what the ladder expects at that level
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

import brag
from brag.exporting import ExportContext, Exporter

DEFAULT_DAYS = 365


def _window(ctx: ExportContext) -> tuple[dt.date, dt.date]:
    until = ctx.until or ctx.today
    return ctx.since or until - dt.timedelta(days=DEFAULT_DAYS - 1), until


def _date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day:%b} {day.day}, {day.year}"


def build_peer_brief(ctx: ExportContext) -> dict[str, Any]:
    from brag.ladder import (
        LadderError,
        evidence_link,
        journal_ladder,
        peer_brief_data,
        target_level,
    )

    person = str(ctx.options.get("person") or "").strip()
    if not person:
        raise brag.BragError('say who the brief is for: --for "Sam Lee"')
    since, until = _window(ctx)
    entries = [e for e in ctx.entries if since <= e.date <= until]
    ladder = journal_ladder(ctx.journal.root)
    data = peer_brief_data(
        entries, person, ladder, lens=ctx.lens, today=ctx.today, keywords=ctx.keywords
    )
    try:
        level = target_level(ladder, ctx.config)
    except LadderError:
        level = ""
    by_entry = {e.id: e for e in entries}
    for item in data["entries"]:
        item["evidence"] = evidence_link(by_entry[item["id"]])
        item["day"] = _date(item["date"])
    by_id = {item["id"]: item for item in data["entries"]}
    for point in data["speak_to"]:
        point["evidence"] = by_id[point["entry_id"]]["evidence"]
        comp = ladder.get(point["competency"]) if point["competency"] else None
        # Only the user's own ladder speaks for the company; the built-in one does not.
        own = comp is not None and level and not ladder.is_default
        text, written_for = ladder.expectation(comp, level) if own and comp else ("", "")
        point["expectation"] = text
        point["expectation_level"] = written_for
    user = ctx.config.get("user", {})
    name = str(user.get("name", "") or "").strip() if isinstance(user, dict) else ""
    count = data["count"]
    return {
        "kind": "peer-brief",
        "title": f"For {data['person']}: our work together",
        "user": {"name": name},
        "window": {"since": since.isoformat(), "until": until.isoformat()},
        "span": f"{_date(data['since'])} – {_date(data['until'])}"
        if data["since"] != data["until"]
        else _date(data["since"]),
        "together": f"{count} piece{'s' if count != 1 else ''} of work together",
        "ladder": "" if ladder.is_default else (ladder.name or "ladder.toml"),
        "target": level,
        **data,
    }


@brag.hookimpl
def register_exporters(register: Any) -> None:
    register(
        Exporter(
            name="peer-brief",
            help="What to send a peer you ask for a review: our work together, what to speak to.",
            build=build_peer_brief,
            examples=(
                'brag export peer-brief --for "Sam Lee"',
                'brag export peer-brief --for "Sam Lee" -p 2026H1 -o for-sam.md',
            ),
            window=_window,
            formats=("md", "json"),
            params=[
                click.Option(
                    ["--for", "person"],
                    metavar="NAME",
                    required=True,
                    help="The reviewer, as named in entries' 'with' (case and spacing ignored).",
                )
            ],
        )
    )


__all__ = ["build_peer_brief", "register_exporters"]
