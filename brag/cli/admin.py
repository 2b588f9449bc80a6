"""``brag init``, ``check``, ``config``, ``plugins``, ``completion`` and ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import BragError, CommandExit
from . import BragCommand, ShortOptionsGroup, State, cli, json_option, note


@click.command(cls=BragCommand)
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option(
    "--remote",
    metavar="URL",
    help="Sync with this git remote: clone it if it holds a journal, else push to it.",
)
@click.pass_obj
def init(state: State, path: str | None, remote: str | None) -> None:
    """Create a journal (a git repository with brag.toml).

    PATH defaults to --dir, $BRAG_DIR, or your user data folder. The first
    journal you create becomes this machine's default, so 'brag add' finds it
    from any folder. Running it on an existing journal changes nothing (with
    --remote, it connects and syncs it).

    \b
    brag init ~/brag-journal
    brag init --remote git@github.com:you/brag-journal.git   # second machine: clones
    """
    from ..journal import Journal, default_location
    from ..machine import get as machine_get

    journal = Journal(Path(path).expanduser().resolve()) if path else state.journal(False)
    if remote:
        from ..sync import init_with_remote

        click.echo(init_with_remote(journal, remote, note=note))
        return
    had_default = bool(machine_get("journal")) or Journal(default_location()).exists()
    try:
        created = journal.init()
    except OSError as exc:
        raise BragError(
            f"cannot create a journal at {journal.root}: {exc.strerror or exc}"
        ) from None
    if not created:
        click.echo(f"Nothing to change: {journal.root} is already a journal")
        return
    click.echo(f"Created a journal at {journal.root}")
    here = journal.root == Path.cwd().resolve()
    if path and not had_default and journal.root != default_location():
        from ..machine import set_value

        set_value("journal", str(journal.root))
        click.echo(
            "It is now this machine's default journal (brag config --machine journal). Next:\n"
            '  brag add "What you shipped" -i "why it mattered"'
        )
        return
    step = "" if here or not path else f"cd {journal.root} && "
    click.echo(f'Next: {step}brag add "What you shipped" -i "why it mattered"')
    if path:
        click.echo(f"  or make it your default: brag config --machine journal {journal.root}")


@click.command(cls=BragCommand)
@json_option
@click.pass_obj
def check(state: State, as_json: bool) -> None:
    """Find broken, uncommitted, duplicated or conflicting entries.

    Also checks brag.toml against the settings brag and its plugins know, and
    lists likely duplicates (the same win recorded twice). Exits 1 when
    anything is broken or uncommitted, so it can guard scripts.

    \b
    brag check
    brag check --json && brag sync
    """
    from ..config import JOURNAL
    from ..duplicates import groups
    from ..entry import chronological
    from ..sync import conflicts as sync_conflicts
    from ..text import entries, shorten

    journal = state.journal(check_config=False)
    config_problems: list[str] = []
    config_warnings: list[str] = []
    try:
        data = journal._read_config(validate=False)
        text = journal.config_path.read_text(encoding="utf-8")
        config_warnings = JOURNAL.with_plugins().validate(data, text, journal.config_path)
    except BragError as exc:
        config_problems.append(str(exc))
    config_uncommitted = journal.config_uncommitted()
    broken = journal.broken()
    uncommitted = journal.uncommitted_entries()
    duplicates = journal.duplicate_ids()
    conflicts = sync_conflicts(journal)
    likely = groups(list(journal.entries(newest_first=False)))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "broken": [
                        {"path": b.path, "line": b.line, "reason": b.reason} for b in broken
                    ],
                    "uncommitted": uncommitted + (["brag.toml"] if config_uncommitted else []),
                    "duplicate_ids": duplicates,
                    "likely_duplicates": [[e.id for e in group] for group in likely],
                    "config": {"errors": config_problems, "warnings": config_warnings},
                    "conflicts": [
                        {"path": c.path, "theirs": c.theirs, "id": c.entry_id} for c in conflicts
                    ],
                },
                indent=2,
            )
        )
    else:
        for problem in config_problems:
            click.echo(f"config: {problem}")
        for message in config_warnings:
            click.echo(f"config warning: {message}")
        if config_uncommitted:
            click.echo(
                f"uncommitted: brag.toml (commit it: git -C {journal.root} commit brag.toml, "
                f"or undo it: git -C {journal.root} checkout brag.toml)"
            )
        for b in broken:
            click.echo(f"broken: {b}")
        for path in uncommitted:
            click.echo(f"uncommitted: {path} (commit it with git, or 'brag edit' it)")
        for entry_id, paths in duplicates.items():
            click.echo(f"duplicate id {entry_id}: {', '.join(paths)}")
        for group in likely:
            keep, *others = sorted(group, key=chronological)
            shown = "; ".join(f"{e.id} {e.date} '{shorten(e.title, 50)}'" for e in group)
            merge = " ".join(f"'brag edit {keep.id} --merge {o.id}'" for o in others)
            click.echo(f"likely duplicates: {shown} (merge with {merge}, or 'brag rm' one)")
        for c in conflicts:
            fix = f"'brag edit {c.entry_id}'" if c.entry_id else f"editing {c.path}"
            click.echo(
                f"conflict: {c.path} was changed on two machines; the other version is in "
                f"{c.theirs} (merge it with {fix})"
            )
    # Likely duplicates are advice, not breakage: listed, but a script's guard still passes.
    problems = (
        config_problems or config_uncommitted or broken or uncommitted or duplicates or conflicts
    )
    if not problems and not as_json:
        review = f" ({len(likely)} likely duplicate(s) to review above)" if likely else ""
        click.echo(f"All good: {entries(journal.index.count())}{review}.")
    if problems:
        raise CommandExit(exit_code=1)


@click.command(cls=BragCommand)
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

    \b
    brag demo
    brag demo --dir /tmp/brag-demo
    """
    from ..demo import run

    folder = folder or state.directory  # `brag -C PATH demo` means the same
    run(Path(folder) if folder else None, click.echo)


class ConfigGroup(ShortOptionsGroup):
    """``brag config KEY [VALUE]`` reads or sets like ``git config``; the subcommands
    (get, set, unset) say it in full."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            name = "set" if len(args) >= 2 else "get"
            return name, self.commands[name], args
        return super().resolve_command(ctx, args)


@click.group(cls=ConfigGroup, invoke_without_command=True)
@click.option(
    "--machine",
    is_flag=True,
    help="This machine's own settings (never synced): journal, approved_hosts, llm.models.",
)
@click.option("--list", "list_keys", is_flag=True, help="Every setting brag knows, with its type.")
@click.pass_context
def config(ctx: click.Context, machine: bool, list_keys: bool) -> None:
    """Read and change brag.toml settings (each change is a commit).

    Values are parsed by the setting's type: a list takes TOML or commas, a
    level must be one brag knows. --machine works on this machine's own
    settings instead (the default journal, approved API hosts, model consent).

    \b
    brag config set user.target_level staff
    brag config set user.emails "ada@example.com, ada@work.example"
    brag config --machine journal ~/brag-journal
    """
    state: State = ctx.obj
    state.machine = machine
    if list_keys:
        _list_settings(machine)
        return
    if ctx.invoked_subcommand is not None:
        return
    from ..gitcmd import redact

    if machine:
        from .. import machine as settings

        file = settings.path()
        click.echo(redact(file.read_text(encoding="utf-8")) if file.exists() else "", nl=False)
        if not file.exists():
            click.echo(f"No machine settings yet ({file}): see 'brag config --machine --list'")
        return
    journal = state.journal()
    click.echo(redact(journal.config_path.read_text(encoding="utf-8")), nl=False)


def _schema(machine: bool) -> Any:
    from ..config import JOURNAL, MACHINE

    return MACHINE if machine else JOURNAL.with_plugins()


def _list_settings(machine: bool) -> None:
    from ..config import describe

    rows = describe(_schema(machine))
    width = max(len(key) for key, _, _ in rows)
    kinds = max(len(kind) for _, kind, _ in rows)
    for key, kind, text in rows:
        click.echo(f"{key:<{width}}  {kind:<{kinds}}  {text}")


def _shown(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


@config.command(name="get")
@click.argument("key")
@json_option
@click.pass_obj
def config_get(state: State, key: str, as_json: bool) -> None:
    """Print one setting.

    \b
    brag config get user.target_level
    brag config --machine get journal
    """
    from ..config import get
    from ..errors import ConfigError
    from ..gitcmd import redact

    if state.machine:
        from .. import machine as settings

        try:
            value = get(settings.load(), key)
        except KeyError:
            _schema(True).lookup(key)  # an unknown key says so, with a suggestion
            raise ConfigError(f"{key} is not set on this machine") from None
    else:
        journal = state.journal()
        try:
            value = journal.config_get(key)
        except ConfigError:
            _schema(False).lookup(key)
            raise
    if as_json or isinstance(value, (dict, list, bool)):
        click.echo(redact(_shown(value)))
    else:
        click.echo(redact(str(value)))


@config.command(name="set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def config_set(state: State, key: str, value: str) -> None:
    """Set KEY (section.name) to VALUE, parsed by the setting's type.

    \b
    brag config set user.name "Ada Lovelace"
    brag config set user.emails '["ada@example.com", "ada@work.example"]'
    brag config set sync.auto true
    """
    from ..gitcmd import looks_secret

    if looks_secret(key):
        raise BragError(
            f"{key} looks like a secret: brag.toml is committed and synced, so keep tokens "
            "in an environment variable or a credential helper instead"
        )
    setting, parsed = _schema(state.machine).parse(key, value)
    key = setting.key
    if state.machine:
        from .. import machine as settings

        changed = settings.set_value(key, parsed)
        where = " on this machine"
        if key == "journal" and not (Path(parsed) / "brag.toml").is_file():
            note(f"{parsed} is not a journal yet: 'brag init {parsed}' creates it")
    else:
        journal = state.writable(check_config=False)
        changed = journal.config_set(key, parsed)
        where = ""
        if changed:
            state.changed(journal)
    if not changed:
        click.echo(f"Nothing to change: {key} is already {_shown(parsed)}{where}")
        return
    click.echo(f"{key} = {_shown(parsed)}{where}")


@config.command(name="unset")
@click.argument("key")
@click.pass_obj
def config_unset(state: State, key: str) -> None:
    """Remove KEY, so its default applies again.

    \b
    brag config unset user.target_level
    brag config --machine unset journal
    """
    if state.machine:
        from .. import machine as settings

        changed = settings.unset(key)
        where = " on this machine"
    else:
        journal = state.writable(check_config=False)
        changed = journal.config_unset(key)
        where = " in brag.toml"
        if changed:
            state.changed(journal)
    if not changed:
        try:
            _schema(state.machine).lookup(key)
        except BragError as exc:
            if "did you mean" in str(exc):
                raise
        click.echo(f"Nothing to change: {key} is not set{where}")
        return
    click.echo(f"Removed {key}{where}")


@click.command(cls=BragCommand)
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


@click.command(cls=BragCommand)
@json_option
def plugins(as_json: bool) -> None:
    """Installed plugins and the hooks each implements.

    \b
    brag plugins
    brag plugins --json
    """
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
