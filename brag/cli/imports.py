"""``brag import [SOURCE]``: one subcommand per installed importer, over
:func:`brag.importing.run_import`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..errors import BragError, CommandExit
from ..importing import Progress
from ..progress import Shown
from ..text import strip_control
from . import (
    CONTEXT_SETTINGS,
    EXIT_IMPORT_FAILED,
    EXIT_NOTHING_NEW,
    BragCommand,
    BragGroup,
    F,
    State,
    json_option,
    period_options,
    period_params,
    resolve_period,
    target_short_flag,
    warn,
    with_examples,
)


class ImportGroup(BragGroup):
    """``brag import SOURCE``: one subcommand per registered importer, built on demand."""

    noun = "import source"

    def _importers(self) -> dict[str, Any]:
        from ..manager import importers

        return importers()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._importers())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        importer = self._importers().get(cmd_name)
        return _import_command(importer) if importer else None


def _import_options(f: F) -> F:
    f = click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(f)
    f = json_option(f)
    f = click.option("--dry-run", "-n", is_flag=True, help="Show what would be added.")(f)
    return period_options(f)


class _Progress(Shown, Progress):
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None
        if not quiet and sys.stderr.isatty():
            from ..progress import rich_bar

            self.bar = rich_bar(_stderr_console())

    def start(self, description: str, total: int | None = None) -> None:
        if self.bar is None:
            return
        if self.task is None:
            self.task = self.bar.add_task(description, total=total)
        else:
            self.bar.update(self.task, description=description, total=total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            if self.task is None:
                self.start("Fetching")
            self.bar.advance(self.task, n)

    def log(self, message: str) -> None:
        if self.quiet:
            return
        from ..gitcmd import redact

        if self.bar is not None:
            self.bar.console.print(redact(message), markup=False, highlight=False)
        else:
            click.echo(redact(message), err=True)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _report_import(result: Any, as_json: bool, quiet: bool, summary_only: bool = False) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if quiet:
        return
    verb = "Would add" if result.dry_run else "Added"
    for entry in [] if summary_only else result.added:
        click.echo(f"  + {entry.date.isoformat()}  {strip_control(entry.title, False)}")
    reasons: dict[str, int] = {}
    for _what, why in result.skipped:
        reasons[why] = reasons.get(why, 0) + 1
    summary = (
        f"{result.source}: {verb.lower()} {len(result.added)}, "
        f"already present {len(result.present)}, skipped {len(result.skipped)}"
    )
    if reasons:
        summary += " (" + "; ".join(f"{n} {why}" for why, n in reasons.items()) + ")"
    click.echo(summary)


def _run_one_import(
    state: State, importer: Any, params: dict[str, Any], summary_only: bool = False
) -> Any:
    from ..importing import run_import

    since, until, period = params.pop("since"), params.pop("until"), params.pop("period")
    dry_run, as_json, quiet = params.pop("dry_run"), params.pop("as_json"), params.pop("quiet")
    start, end = resolve_period(since, until, period)
    journal = state.journal(must_exist=False)
    if not journal.exists() and not dry_run:
        from ..journal import ensure_for_writing

        created = ensure_for_writing(journal, explicit=state.directory)
        if created:
            click.echo(created, err=True)
    if journal.exists() or not dry_run:
        journal.check_usable()
    if not dry_run:
        state.writable()
    with _Progress(quiet or as_json) as progress:
        result = run_import(
            journal,
            importer,
            options=params,
            since=start,
            until=end,
            dry_run=dry_run,
            progress=progress,
        )
    if not result.dry_run and result.added:
        from ..inbox import note_import

        note_import(journal, result.added)  # for the once-a-day reminder
    _report_import(result, as_json, quiet, summary_only)
    return result


def _import_command(importer: Any) -> click.Command:
    @click.pass_obj
    def callback(state: State, **params: Any) -> None:
        result = _run_one_import(state, importer, params)
        if result.added and not result.dry_run:
            state.changed(state.journal())

    own = list(importer.params)
    common = [
        *period_params(),
        click.Option(["--dry-run", "-n"], is_flag=True, help="Show what would be added."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print JSON for scripts."),
        click.Option(["--quiet", "-q"], is_flag=True, help="Print only errors."),
    ]
    arguments = [p for p in own if isinstance(p, click.Argument)]
    options = target_short_flag([p for p in own if not isinstance(p, click.Argument)])
    return BragCommand(
        importer.name,
        callback=callback,
        help=with_examples(importer.help, getattr(importer, "examples", ())),
        params=[*arguments, *common, *options],
        context_settings=CONTEXT_SETTINGS,
    )


@click.group(name="import", cls=ImportGroup, invoke_without_command=True)
@_import_options
@click.pass_context
def import_(ctx: click.Context, **params: Any) -> None:
    """Pull in merged PRs, incidents, design docs, spreadsheets.

    Every source is idempotent: running it twice adds nothing, and entries you
    edited after import are never overwritten. With no --since, each source
    continues from where its last run stopped. With no SOURCE, runs every
    source configured in brag.toml ([import.github], …), never prompting, one
    line per source, and exits 0 if something was imported, 3 if there was
    nothing new, 1 if any source failed (for cron and systemd timers).

    \b
    brag import github --since 2026-01-01
    brag import git ~/src/api -n          # dry run: what would be added
    brag import --quiet                   # every configured source, for cron
    """
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    journal = state.journal()
    configured = journal.config.get("import", {})
    from ..manager import importers

    available = importers()
    names = [n for n in configured if n in available]
    unknown = [n for n in configured if n not in available]
    for name in unknown:
        warn(f"brag.toml has [import.{name}] but no such importer is installed")
    if not names:
        raise BragError(
            "no import sources configured: add e.g. [import.github] to brag.toml, or run "
            f"'brag import SOURCE' (sources: {', '.join(sorted(available)) or 'none'})"
        )
    failed = added = 0
    for name in names:
        try:
            result = _run_one_import(state, available[name], dict(params), summary_only=True)
            added += 0 if result.dry_run else len(result.added)
        except BragError as exc:
            failed += 1
            from ..gitcmd import redact

            one_line = " ".join(redact(str(exc)).split())  # one log line per source
            click.echo(f"{name}: failed: {one_line}", err=True)
    if added:
        state.changed(journal)
    if failed:
        raise CommandExit(exit_code=EXIT_IMPORT_FAILED)
    if not added:
        raise CommandExit(exit_code=EXIT_NOTHING_NEW)
