"""``brag remote`` and ``brag sync``: thin commands over :mod:`brag.sync`."""

from __future__ import annotations

import json

import click

from . import BragCommand, ShortOptionsGroup, State, note, warn


@click.group(cls=ShortOptionsGroup, invoke_without_command=True)
@click.pass_context
def remote(ctx: click.Context) -> None:
    """Set or show the git remote to sync with.

    URLs are always shown with credentials masked.

    \b
    brag remote set git@github.com:you/brag-journal.git
    brag remote show
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(remote_show)


@remote.command(name="set")
@click.argument("url")
@click.pass_obj
def remote_set(state: State, url: str) -> None:
    """Use URL (a private git repository) as the journal's remote 'origin'.

    \b
    brag remote set git@github.com:you/brag-journal.git
    """
    from ..gitcmd import redact
    from ..sync import has_credentials, set_remote

    journal = state.journal()
    set_remote(journal, url)
    if has_credentials(url):
        warn(
            "the URL holds a password or token: git keeps it in .git/config (never "
            "committed), but a credential helper or ssh key is safer"
        )
    click.echo(f"Remote set to {redact(url)}: run 'brag sync'")


@remote.command(name="show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def remote_show(state: State, as_json: bool) -> None:
    """The remote's URL, and how far ahead or behind the journal was at the last sync.

    \b
    brag remote show
    brag remote show --json
    """
    from ..sync import status

    info = status(state.journal())
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    if info["url"] is None:
        click.echo("No remote: 'brag remote set URL' or 'brag init --remote URL'")
        return
    click.echo(f"remote: {info['url']}")
    click.echo(f"branch: {info['branch']}")
    if not info.get("synced"):
        click.echo("status: never synced ('brag sync')")
        return
    ahead, behind = info["ahead"], info["behind"]
    if ahead or behind:
        click.echo(f"status: {ahead} commit(s) to push, {behind} to pull (as of the last sync)")
    else:
        click.echo("status: in sync (as of the last sync)")
    for theirs in info.get("conflicts", []):
        click.echo(f"conflict: {theirs} (see 'brag check')")


@click.command(name="sync", cls=BragCommand)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--allow-deletions",
    is_flag=True,
    help="Push entries deleted by hand even when there are many (more than 20% or 25).",
)
@click.pass_obj
def sync_command(state: State, quiet: bool, as_json: bool, allow_deletions: bool) -> None:
    """Fetch from the remote, rebase local entries onto it, and push.

    Entries added on different machines never conflict. An entry edited on
    both stops the sync naming it: your version stays, the other is saved
    beside it as NAME.theirs.md, and 'brag edit ID' resolves it. If the remote
    cannot be reached nothing local changes; run 'brag sync' again later.
    Many entries deleted by hand (not with 'brag rm') are refused unless
    --allow-deletions.

    \b
    brag sync
    brag sync --quiet          # for cron: prints only errors
    brag sync --allow-deletions
    """
    from ..sync import sync

    journal = state.journal()
    result = sync(journal, note=None if quiet else note, allow_deletions=allow_deletions)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "url": result.url,
                    "branch": result.branch,
                    "pulled": result.pulled,
                    "pushed": result.pushed,
                    "notes": result.notes,
                },
                indent=2,
            )
        )
        return
    if not quiet:
        for line in result.notes:
            note(line)
        click.echo(result.summary())
