"""``brag stats`` and ``brag coach``: what the journal says as a whole."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from ..exporting import impact_cache
from . import BragCommand, State, json_option, period_options, resolve_period, warn_broken


@click.command(cls=BragCommand)
@period_options
@click.option(
    "--target",
    "-T",
    metavar="LEVEL",
    help="Compare the Tree B share with a level: mid, senior, staff, principal "
    "(default: user.target_level).",
)
@click.option("--no-private", is_flag=True, help="Leave private entries out of the counts.")
@json_option
@click.pass_obj
def stats(
    state: State,
    since: str | None,
    until: str | None,
    period: str | None,
    target: str | None,
    no_private: bool,
    as_json: bool,
) -> None:
    """Entries per month, by area, leverage and source.

    Also the Tree A/B share against the target level (--target, or
    user.target_level in brag.toml).

    \b
    brag stats                      everything
    brag stats --period this-year --target staff
    brag stats --json               the same numbers for scripts
    """
    from ..stats import for_journal, format_text, public

    start, end = resolve_period(since, until, period)
    summary = for_journal(
        state.journal(), since=start, until=end, target=target, include_private=not no_private
    )
    if as_json:
        click.echo(json.dumps(public(summary), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(summary), nl=False)


@click.command(cls=BragCommand)
@period_options
@click.option("--target", "-T", metavar="LEVEL", help="Target level (default [user] target_level).")
@click.option("--all", "show_all", is_flag=True, help="List every entry finding, not the first 20.")
@json_option
@click.pass_obj
def coach(
    state: State,
    since: str | None,
    until: str | None,
    period: str | None,
    target: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """Review the journal like a good manager: missing numbers, activity instead of
    outcomes, jargon, balance for your target level, long gaps.

    \b
    brag coach                      # the last 12 months
    brag coach --period 2026H1 --target staff
    brag coach --json
    """
    from .. import coach as coaching
    from .. import impact
    from ..exporting import bulk, today
    from ..ladder import journal_ladder

    journal = state.journal()
    start, end = resolve_period(since, until, period)
    day = today(end)
    start = start or day - dt.timedelta(days=364)
    warn_broken(journal)
    from .. import outputs

    # A finished review is kept: a warm run with nothing changed reads no entry.
    kept = outputs.key(journal, "coach", start, end, day, target, show_all, as_json)
    found = outputs.read(journal, kept)
    if found is not None:
        click.echo(found[0], nl=False)
        return
    from ..inbox import Settings, counts, for_documents

    config = journal.config
    level, goal = coaching.levels(config, target)
    cache = impact_cache(journal)
    with bulk():
        impact.load_cache(cache)  # first: the inbox's duplicate pass reads it too
        # One read of the journal: the inbox counts all of it, the review the period.
        # Oldest first: the inbox and the review sort by date, and find it sorted.
        keyed = journal.entries_keyed(newest_first=False)
        everything = [entry for entry, _, _ in keyed]
        waiting = counts(
            everything,
            today=day,
            settings=Settings.from_config(config),
            alone={id(entry) for entry, _, alone in keyed if alone},
        )
        last = end or day
        # A launch whose result was measured later counts as quantified, as documents
        # tell it.
        entries = [for_documents(e) for e in everything if start <= e.date <= last]
        result = coaching.review(
            entries,
            today=day,
            target=goal,
            level=level,
            glossary=impact.load_glossary(config),
            keywords=impact.load_keywords(config),
            max_gap_days=coaching.gap_days(config),
            since=start,
            until=end or day,
            ladder=journal_ladder(journal.root),
            inbox=waiting,
            digests={id(entry): digest for entry, digest, _ in keyed},
        )
        impact.save_cache(cache)
    if as_json:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = _review_text(result, show_all)
    outputs.write(journal, kept, text)
    click.echo(text, nl=False)


def _review_text(result: Any, show_all: bool, limit: int = 20) -> str:
    from ..text import entries

    lines: list[str] = []
    say = lines.append
    stats = result.stats
    target = f", target {result.target}" if result.target else " (set [user] target_level)"
    heading = f"Coach: {entries(result.entries)}, {result.since} to {result.until}"
    say(click.style(heading, bold=True) + target)
    if not result.entries:
        say("Nothing to review yet: add entries with 'brag add' or 'brag import'.")
        return "\n".join(lines) + "\n"
    tree = stats["tree"]
    say(
        f"  {stats['quantified']} of {stats['entries']} quantified; Tree B {tree['B']} of "
        f"{stats['entries']} ({round(tree['share_b'] * 100)}%"
        + (f", {result.target} expects about {round(tree['target_b'] * 100)}%)" if
           "target_b" in tree else ")")
    )  # fmt: skip
    if not result.findings:
        say(click.style("No findings: this reads like a strong case.", fg="green"))
        return "\n".join(lines) + "\n"
    period = result.balance
    if period:
        say("")
        say(click.style("The period", bold=True))
        for f in period:
            say(f"  {click.style('!', fg='yellow')} {f.problem}")
            say(f"    Fix: {f.fix}")
    per_entry = [f for f in result.findings if f.entry_id]
    if per_entry:
        say("")
        say(click.style("Entries", bold=True))
        shown = per_entry if show_all else per_entry[:limit]
        for f in shown:
            say(f"  {click.style(f.entry_id, fg='yellow')} {f.entry_title} ({f.date}): {f.problem}")
            say(f"    Fix: {f.fix}")
        if len(per_entry) > len(shown):
            say(f"  … {len(per_entry) - len(shown)} more (brag coach --all, or --json)")
    return "\n".join(lines) + "\n"
