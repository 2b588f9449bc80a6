"""``brag stats`` and ``brag coach``: what the journal says as a whole."""

from __future__ import annotations

import json
from typing import Any

import click

from .. import commands, quick
from . import BragCommand, State, json_option, period_options, resolve_period, table_options


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
@table_options(quick.COACH)
@click.pass_obj
def coach(state: State, **options: Any) -> None:
    """Review the journal like a good manager: missing numbers, activity instead of
    outcomes, jargon, balance for your target level, long gaps.

    \b
    brag coach                      # the last 12 months
    brag coach --period 2026H1 --target staff
    brag coach --json
    """
    commands.coach(state, **options)
