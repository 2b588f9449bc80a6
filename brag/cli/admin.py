"""``brag init``, ``check``, ``config``, ``plugins``, ``completion`` and ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import BragError, CommandExit
from . import State, cli, json_option, note, split_values


@click.command()
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option(
    "--remote",
    metavar="URL",
    help="Sync with this git remote: clone it if it holds a journal, else push to it.",
)
@click.pass_obj
def init(state: State, path: str | None, remote: str | None) -> None:
    """Create a journal (a git repository with brag.toml).

    PATH defaults to --dir, $BRAG_DIR, or your user data folder. Running it on
    an existing journal changes nothing (with --remote, it connects and syncs it).

    \b
    brag init --remote git@github.com:you/brag-journal.git   # second machine: clones
    """
    from ..journal import Journal

    journal = Journal(Path(path).resolve()) if path else state.journal(must_exist=False)
    if remote:
        from ..sync import init_with_remote

        click.echo(init_with_remote(journal, remote, note=note))
        return
    if journal.init():
        click.echo(f"Created a journal at {journal.root}")
    else:
        click.echo(f"{journal.root} is already a journal")


@click.command()
@json_option
@click.pass_obj
def check(state: State, as_json: bool) -> None:
    """Find broken, uncommitted, duplicated or conflicting entries.

    Exits 1 when anything needs attention, so it can guard scripts.
    """
    from ..sync import conflicts as sync_conflicts

    journal = state.journal()
    broken = journal.broken()
    uncommitted = journal.uncommitted_entries()
    duplicates = journal.duplicate_ids()
    conflicts = sync_conflicts(journal)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "broken": [
                        {"path": b.path, "line": b.line, "reason": b.reason} for b in broken
                    ],
                    "uncommitted": uncommitted,
                    "duplicate_ids": duplicates,
                    "conflicts": [
                        {"path": c.path, "theirs": c.theirs, "id": c.entry_id} for c in conflicts
                    ],
                },
                indent=2,
            )
        )
    else:
        for b in broken:
            click.echo(f"broken: {b}")
        for path in uncommitted:
            click.echo(f"uncommitted: {path} (commit it with git, or 'brag edit' it)")
        for entry_id, paths in duplicates.items():
            click.echo(f"duplicate id {entry_id}: {', '.join(paths)}")
        for c in conflicts:
            fix = f"'brag edit {c.entry_id}'" if c.entry_id else f"editing {c.path}"
            click.echo(
                f"conflict: {c.path} was changed on two machines; the other version is in "
                f"{c.theirs} (merge it with {fix})"
            )
        if not (broken or uncommitted or duplicates or conflicts):
            click.echo(f"All good: {journal.index.count()} entries.")
    if broken or uncommitted or duplicates or conflicts:
        raise CommandExit(exit_code=1)


@click.command()
@click.option(
    "--dir",
    "folder",
    metavar="PATH",
    type=click.Path(file_okay=False),
    help="Where to create the sample journal (new or empty; default: a fresh temporary folder).",
)
@click.pass_obj
def demo(state: State, folder: str | None) -> None:
    """Try brag on a sample journal: brief and HTML report.

    Creates about 40 realistic entries spanning the past year (typed wins,
    imported pull requests, incidents, design docs, mentoring), prints the
    promotion brief and writes brag-report.html into the sample journal.
    No accounts, no tokens, no network; your own journal is not touched.
    """
    from ..demo import run

    folder = folder or state.directory  # `brag -C PATH demo` means the same
    run(Path(folder) if folder else None, click.echo)


@click.group(invoke_without_command=True)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Read and change brag.toml settings (each change is a commit).

    \b
    brag config set user.name "Ada Lovelace"
    brag config set user.emails "ada@example.com, ada@work.example"
    brag config set user.target_level staff
    brag config get user.name
    """
    if ctx.invoked_subcommand is None:
        state: State = ctx.obj
        journal = state.journal()
        from ..gitcmd import redact

        journal.config  # noqa: B018 - parsing notes any secret-looking value to mask
        click.echo(redact(journal.config_path.read_text(encoding="utf-8")), nl=False)


def _parse_value(key: str, raw: str) -> Any:
    import tomllib

    if key.endswith("emails") or key.endswith("_list"):
        return split_values((raw,))
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


@config.command(name="get")
@click.argument("key")
@json_option
@click.pass_obj
def config_get(state: State, key: str, as_json: bool) -> None:
    """Print one setting."""
    from ..gitcmd import redact

    value = state.journal().config_get(key)
    if as_json or isinstance(value, (dict, list)):
        click.echo(redact(json.dumps(value, default=str, ensure_ascii=False)))
    else:
        click.echo(redact(str(value)))


@config.command(name="set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def config_set(state: State, key: str, value: str) -> None:
    """Set KEY (section.name) to VALUE; numbers, true/false and [lists] are TOML."""
    from ..gitcmd import looks_secret

    if looks_secret(key):
        raise BragError(
            f"{key} looks like a secret: brag.toml is committed and synced, so keep tokens "
            "in an environment variable or a credential helper instead"
        )
    journal = state.writable()
    parsed = _parse_value(key, value)
    journal.config_set(key, parsed)
    click.echo(f"{key} = {json.dumps(parsed, default=str, ensure_ascii=False)}")


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    bash: eval "$(brag completion bash)"     (add to ~/.bashrc)
    zsh:  eval "$(brag completion zsh)"      (add to ~/.zshrc)
    fish: brag completion fish > ~/.config/fish/completions/brag.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click ships all three
        raise BragError(f"no completion support for {shell}")
    click.echo(cls(cli, {}, "brag", "_BRAG_COMPLETE").source())


@click.command()
@json_option
def plugins(as_json: bool) -> None:
    """Installed plugins and the hooks each implements."""
    from ..manager import load_errors, plugins_info

    info = plugins_info()
    if as_json:
        click.echo(
            json.dumps(
                {"plugins": info, "errors": [{"name": n, "error": e} for n, e in load_errors]},
                indent=2,
            )
        )
        return
    for plugin in info:
        kind = "built-in" if plugin["builtin"] else (plugin["distribution"] or "third-party")
        hooks = ", ".join(plugin["hooks"]) or "(no hooks)"  # type: ignore[arg-type]
        click.echo(f"{plugin['name']}  [{kind}]\n    {hooks}")
    for name, error in load_errors:
        click.echo(f"{name}  [failed to load]\n    {error}")
