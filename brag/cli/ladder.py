"""``brag ladder`` (coverage, show, import) and ``brag people``: the journal
against the user's career ladder, over :mod:`brag.ladder`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import (
    BragCommand,
    ShortOptionsGroup,
    State,
    json_option,
    period_options,
    resolve_period,
    warn_broken,
)

if TYPE_CHECKING:
    from ..entry import Entry
    from ..ladder import Coverage, Ladder

#: Evidence shown per competency in the text view (``--json`` has all of it).
SHOWN_PER_COMPETENCY = 3


def _plain(text: str) -> str:
    """Text from entries or a ladder file as the terminal may show it: no escape
    sequences or control characters (synced and imported text is untrusted)."""
    from ..text import strip_control

    return strip_control(text)


@click.group(name="ladder", cls=ShortOptionsGroup, invoke_without_command=True)
@click.option(
    "--target", "-T", metavar="LEVEL", help="Level to read against (default [user] target_level)."
)
@period_options
@click.option("--include-private", is_flag=True, help="Count entries marked private.")
@json_option
@click.pass_context
def ladder(
    ctx: click.Context,
    target: str | None,
    since: str | None,
    until: str | None,
    period: str | None,
    include_private: bool,
    as_json: bool,
) -> None:
    """Your evidence against your career ladder: each competency, its evidence, the gaps.

    The ladder is ladder.toml in the journal (brag ladder import FILE), else
    brag's built-in one. The period defaults to the last 12 months; the target
    level to [user] target_level, or the level after [user] level.

    \b
    brag ladder                          coverage at your target level
    brag ladder --target staff -p 2026H1
    brag ladder --json                   one object per competency
    brag ladder show                     the ladder itself
    brag ladder import ladder.csv        your company's ladder (CSV or Markdown)
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import impact
    from ..exporting import bulk, impact_cache, today
    from ..ladder import coverage, default_window, journal_ladder, target_level

    state: State = ctx.obj
    journal = state.journal()
    the_ladder = journal_ladder(journal.root)
    level = target_level(the_ladder, journal.config, target)
    start, end = resolve_period(since, until, period)
    day = today(end)
    until_day = end or day
    since_day = start or default_window(until_day)[0]
    entries = list(journal.entries(newest_first=False))
    warn_broken(journal)
    cache = impact_cache(journal)
    with bulk():
        impact.load_cache(cache)
        result = coverage(
            entries,
            the_ladder,
            level,
            (since_day, until_day),
            include_private=include_private,
            today=day,
            keywords=impact.load_keywords(journal.config),
        )
        impact.save_cache(cache)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_coverage(result, the_ladder, {e.id: e for e in entries})


def _ladder_label(the_ladder: Ladder) -> str:
    if the_ladder.is_default:
        return "the built-in ladder"
    return f"{the_ladder.name or 'your ladder'} ({Path(the_ladder.path).name})"


def _print_coverage(result: Coverage, the_ladder: Ladder, by_id: dict[str, Entry]) -> None:
    covered = len(result.competencies) - len(result.gaps)
    click.echo(
        click.style(
            _plain(
                f"{result.target}: {_ladder_label(the_ladder)}, {result.since} to {result.until}"
            ),
            bold=True,
        )
    )
    click.echo(
        f"  {covered} of {len(result.competencies)} competencies with evidence; "
        f"{len(result.gaps)} with none"
    )
    for row in result.competencies:
        click.echo()
        count = f"{len(row.evidence)} {'entry' if len(row.evidence) == 1 else 'entries'}"
        status = click.style("no evidence yet", fg="yellow") if row.gap else count
        click.echo(f"{click.style(_plain(row.name), bold=True)} (Tree {row.tree}): {status}")
        if row.expectation:
            click.echo(_plain(f"  Expects ({row.expectation_level}): {row.expectation}"))
        for eid in row.evidence[:SHOWN_PER_COMPETENCY]:
            entry = by_id.get(eid)
            title = entry.title if entry else ""
            reason = _plain(row.reasons.get(eid, ""))
            click.echo(f"  {click.style(eid, fg='cyan')} {_plain(title)} [{reason}]")
        if len(row.evidence) > SHOWN_PER_COMPETENCY:
            click.echo(f"  … {len(row.evidence) - SHOWN_PER_COMPETENCY} more (--json lists all)")
        for note in row.notes:
            click.echo(f"  Note: {_plain(note)}")
    if result.stale_pins:
        click.echo()
        for eid, named in result.stale_pins.items():
            click.echo(
                f"{eid} pins competencies the ladder does not have: {', '.join(named)} "
                f"(brag edit {eid} --no-competency ID)"
            )
    if result.gaps:
        click.echo()
        click.echo(
            "A gap is a competency with no entry in the period. Add what you did "
            "(brag add), or pin an entry that shows it: brag edit ID --competency ID."
        )


@ladder.command(name="show")
@json_option
@click.pass_obj
def show(state: State, as_json: bool) -> None:
    """Print the ladder in use: ladder.toml, or the built-in one.

    \b
    brag ladder show
    brag ladder show --json
    """
    from ..ladder import LADDER_FILE, journal_ladder

    journal = state.journal()
    the_ladder = journal_ladder(journal.root)
    if as_json:
        data = {"default": the_ladder.is_default, **the_ladder.to_dict()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if the_ladder.is_default:
        click.echo(
            click.style("The built-in ladder", bold=True)
            + f" (no {LADDER_FILE} in the journal; brag ladder import FILE reads your own)"
        )
    else:
        click.echo(
            click.style(_plain(the_ladder.name or LADDER_FILE), bold=True) + f" ({LADDER_FILE})"
        )
    click.echo(_plain(f"Levels: {', '.join(the_ladder.levels)}"))
    for comp in the_ladder.competencies:
        click.echo()
        click.echo(f"{click.style(_plain(comp.name), bold=True)} ({comp.id}, Tree {comp.tree})")
        for level in the_ladder.levels:
            text = comp.expectations.get(level)
            if text:
                click.echo(_plain(f"  {level}: {text}"))
        signals = comp.signals.to_dict()
        if signals:
            parts = [f"{kind} {', '.join(values)}" for kind, values in signals.items()]
            click.echo(_plain(f"  Signals: {'; '.join(parts)}"))


@ladder.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def import_(state: State, file: Path) -> None:
    """Read a ladder from a CSV or a Markdown table or outline into ladder.toml.

    What could not be read is listed by row (CSV) or line (Markdown). The
    result is committed; importing the same ladder again changes nothing.
    See docs/ladder.md for the formats.

    \b
    brag ladder import ladder.csv        a spreadsheet export
    brag ladder import ladder.md         a wiki page: a table or a heading outline
    """
    from ..ladder import LADDER_FILE, import_ladder, journal_ladder, save_ladder

    result = import_ladder(file)
    journal = state.writable()
    new = result.ladder
    if not new.name:
        # A CSV carries no name: keep the one the user gave ladder.toml.
        new.name = (
            journal_ladder(journal.root).name if (journal.root / LADDER_FILE).is_file() else ""
        )
    for problem in result.problems:
        click.echo(_plain(f"{file.name}: {problem}"), err=True)
    changed = save_ladder(journal.root, new, f"brag: ladder imported from {file.name}")
    summary = f"{len(new.competencies)} competencies, levels {', '.join(new.levels)}"
    if not changed:
        click.echo(f"Nothing to change: {LADDER_FILE} already holds this ladder ({summary}).")
        return
    click.echo(f"Wrote {LADDER_FILE}: {summary}. Committed.")
    state.changed(journal)


@click.command(cls=BragCommand)
@period_options
@click.option("--no-private", is_flag=True, help="Leave private entries out of the counts.")
@json_option
@click.pass_obj
def people(
    state: State,
    since: str | None,
    until: str | None,
    period: str | None,
    no_private: bool,
    as_json: bool,
) -> None:
    """People you worked with (the entries' 'with' field), with counts.

    \b
    brag people                          everyone, most entries first
    brag people -p 2026H1 --json
    brag export peer-brief --for "Sam Lee"   what to send a peer reviewer
    """
    from ..ladder import people as collaborators

    journal = state.journal()
    start, end = resolve_period(since, until, period)
    query: dict[str, Any] = {}
    if start:
        query["since"] = start.isoformat()
    if end:
        query["until"] = end.isoformat()
    entries = [e for e in journal.entries(**query) if not (no_private and e.private)]
    warn_broken(journal)
    found = collaborators(entries)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo('No collaborators recorded: add them with brag add … --with "Sam Lee".')
        return
    width = max(len(p.name) for p in found)
    for p in found:
        count = f"{p.count} {'entry' if p.count == 1 else 'entries'}"
        span = p.first.isoformat() if p.first == p.last else f"{p.first} to {p.last}"
        click.echo(f"{_plain(p.name):<{width}}  {count:>11}  {span}")
