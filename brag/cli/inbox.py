"""``brag inbox``: walk the entries that wait for a decision, one key each."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import BragError, JournalError, NotFoundError
from ..text import strip_control
from . import ShortOptionsGroup, State, json_option, warn_broken

if TYPE_CHECKING:
    from ..inbox import Item
    from ..journal import Journal

#: Shown under each item; ``g suggest`` joins it when a model is configured (docs/rewrite.md).
KEYS_HELP = (
    "i impact  m metric  o outcome  a area  l leverage  f follow-up  "
    "k keep  p private  d drop  s skip  q quit"
)
SUGGEST_HELP = KEYS_HELP.replace("  q quit", "  g suggest  q quit")
#: What each value-taking action asks.
PROMPTS = {
    "impact": "Impact (one line: why it mattered)",
    "metric": "Metric ('name: value unit' or 'name: A -> B')",
    "outcome": "Result (words, or 'name: A -> B')",
    "area": "Area (revenue, cost, risk, customer, retention, velocity, quality, people, strategy)",
    "leverage": "Leverage (execution, strategic, interpersonal, expert)",
    "follow-up": "Ask for the result when (30d, 6w, 3m from its date, or 2026-03-01)",
}
BODY_LINES = 4


@click.group(cls=ShortOptionsGroup, invoke_without_command=True)
@json_option
@click.pass_context
def inbox(ctx: click.Context, as_json: bool) -> None:
    """Entries that wait for your judgement: add the why, the result, or drop them.

    Imported entries without an impact, launches due a follow-up and likely
    duplicates. On a terminal, walks them one by one with single keys:
    i impact, m metric, o outcome, a area, l leverage, f follow-up later,
    k keep, p private, d drop (never imported again), s skip, q quit. Every
    answer is committed at once. Elsewhere it lists them.

    \b
    brag inbox                      walk the items
    brag inbox --json               the items, each with its id and reason
    brag inbox done ID…             clear items without changing anything else
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import inbox as core

    state: State = ctx.obj
    journal = state.journal()
    # Commit what a killed session answered before reading, then let go of the lock.
    # A journal that cannot be written to (read-only, mid-rebase) is still listed.
    try:
        state.writable()
    except JournalError as exc:
        if not as_json and sys.stdin.isatty() and sys.stdout.isatty():
            raise
        from . import warn

        warn(str(exc))
    state.done_writing()
    items = core.collect(journal)
    warn_broken(journal)
    core.visited(journal)
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("Inbox empty: every entry has what it needs.")
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        for item in items:
            click.echo(
                f"{item.id}  {item.reason:<9}  {item.entry.date}  "
                f"{strip_control(item.entry.title, False)}"
            )
        click.echo(f"{_count(len(items))}: run 'brag inbox' on a terminal to walk them.", err=True)
        return
    if _walk(state, journal, items):
        state.changed(journal)


def _count(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _show(item: Item, position: int, total: int) -> None:
    entry = item.entry
    click.echo()
    head = click.style(f"[{position}/{total}] ", fg="blue")
    click.echo(head + click.style(strip_control(entry.title, False), bold=True))
    where = [entry.date.isoformat(), entry.id]
    if entry.source:
        key = "" if entry.source_id.startswith("sha1:") else entry.source_id
        where.append(f"{entry.source} {key}".strip())
    if entry.private:
        where.append("private")
    click.echo("  " + " · ".join(where))
    if entry.url:
        click.echo(f"  {entry.url}")
    lines = [line for line in entry.body.splitlines() if line.strip()][:BODY_LINES]
    for line in lines:
        click.echo(click.style(f"  │ {line[:100]}", dim=True))
    saved = []
    if entry.impact:
        saved.append(f"impact: {entry.impact}")
    if entry.metrics:
        saved.append(f"metrics: {len(entry.metrics)}")
    if entry.areas:
        saved.append(f"areas: {', '.join(entry.areas)}")
    if entry.leverage:
        saved.append(f"leverage: {entry.leverage}")
    if saved:
        click.echo(click.style("  " + " · ".join(saved), fg="green"))
    click.echo(click.style(f"  {item.question}", fg="yellow"))


def _read_key() -> str:
    try:
        key = click.getchar()
    except (EOFError, KeyboardInterrupt):
        return "q"
    if key in ("\x03", "\x04"):  # Ctrl-C, Ctrl-D in raw mode
        return "q"
    if key in ("\r", "\n"):
        return "s"
    return key.lower()


def _walk(state: State, journal: Journal, items: list[Item]) -> bool:
    """Walk ``items``; True if anything was written."""
    from .. import inbox as core
    from ..rewrite import suggest_available

    settings = core.Settings.from_config(journal.config)
    suggest = suggest_available(journal.config)
    changed = cleared = 0
    total = len(items)
    position = 0
    while position < total:
        item = items[position]
        _show(item, position + 1, total)
        while True:
            click.echo(f"  {SUGGEST_HELP if suggest else KEYS_HELP}: ", nl=False)
            key = _read_key()
            click.echo(key if key.isprintable() else "")
            action, value = core.ACTIONS.get(key), ""
            if key == "g" and suggest:
                action, value = "impact", _suggest(journal, item) or ""
                if not value:
                    continue
            if action is None:
                click.echo(f"  '{key}' is not a key here.")
                continue
            if action == "quit":
                _summary(cleared, changed, total - position)
                return changed > 0
            if action in PROMPTS and not value:
                try:
                    value = click.prompt(f"  {PROMPTS[action]}", default="", show_default=False)
                except (click.Abort, EOFError):
                    click.echo()
                    _summary(cleared, changed, total - position)
                    return changed > 0
                if not value.strip():
                    click.echo("  Nothing entered: unchanged.")
                    continue
            try:
                decision = core.decide(journal, item, action, value, settings=settings)
            except NotFoundError as exc:  # removed meanwhile: nothing left to decide
                click.echo(click.style(f"  {exc}", fg="red"))
                break
            except BragError as exc:
                click.echo(click.style(f"  {exc}", fg="red"))
                continue
            if decision.message:
                click.echo(click.style(f"  {decision.message}", fg="green"))
            changed += decision.changed
            if action in ("keep", "private", "drop", "skip", "follow-up"):
                cleared += decision.cleared
                break
            if decision.cleared:
                cleared += 1
                break
            _show(item, position + 1, total)
        position += 1
    _summary(cleared, changed, 0)
    return changed > 0


def _suggest(journal: Journal, item: Item) -> str | None:
    """Ask the configured model for an impact line, verified against the entry's
    title and body; the user accepts it with Enter or types another."""
    from ..plugins.rewrite import suggest_impact

    try:
        line = suggest_impact(
            item.entry,
            journal=journal,
            confirm=lambda question: click.confirm(f"  {question}", default=False),
        )
    except BragError as exc:
        click.echo(click.style(f"  {exc}", fg="red"))
        return None
    if line is None:
        click.echo("  The suggestion stated facts the title and description do not: not shown.")
        return None
    try:
        value = click.prompt("  Impact (Enter accepts the suggestion)", default=line)
    except (click.Abort, EOFError):
        click.echo()
        return None
    return str(value).strip() or None


def _summary(cleared: int, changed: int, left: int) -> None:
    click.echo()
    done = f"Cleared {_count(cleared)}"
    rest = f"; {_count(left)} left: brag inbox" if left else "; inbox done"
    click.echo(done + rest + ("" if changed else " (nothing changed)") + ".")


@inbox.command()
@click.argument("entry_ids", metavar="ID...", nargs=-1, required=True)
@json_option
@click.pass_obj
def done(state: State, entry_ids: tuple[str, ...], as_json: bool) -> None:
    """Clear inbox items without changing anything else (records the day cleared).

    \b
    brag inbox done 3f9c
    brag inbox done 3f9c a71b --json
    """
    from .. import inbox as core

    journal = state.writable()
    results = core.done(journal, list(entry_ids))
    if as_json:
        rows: list[dict[str, Any]] = [
            {"id": d.entry.id, "cleared": d.cleared, "message": d.message} for d in results
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for d in results:
            click.echo(d.message)
    if any(d.cleared for d in results):
        state.changed(journal)
