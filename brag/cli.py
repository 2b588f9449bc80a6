"""The ``brag`` command line: parse, call the core, print. The only place that exits.

Start-up is kept cheap: GitPython, Jinja2, rich, httpx and plugin discovery are
imported only by the commands that need them, so ``brag add`` and ``brag list``
pay for none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .entry import AREAS, LEVERAGE, Entry, parse_metric
from .errors import BragError, EntryError
from .importing import Progress

if TYPE_CHECKING:
    from .journal import Journal

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """Per-invocation settings shared by every command (``--dir``, ``--debug``)."""

    def __init__(self, directory: str | None, debug: bool):
        self.directory = directory
        self.debug = debug
        self._journal: Journal | None = None
        self._write_lock: Any = None

    def journal(self, must_exist: bool = True) -> Journal:
        if self._journal is None:
            from .journal import Journal, locate

            self._journal = Journal(locate(self.directory))
            self._journal.on_saved.append(_call_entry_saved)
        if must_exist:
            self._journal.check_usable()
        return self._journal

    def writable(self) -> Journal:
        """The journal, ready to write: recovered from any crashed writer, write lock held."""
        journal = self.journal()
        if self._write_lock is None:
            import contextlib

            from .recovery import writing

            self._write_lock = contextlib.ExitStack()
            self._write_lock.enter_context(writing(journal, note=note))
            click.get_current_context().call_on_close(self.done_writing)
        return journal

    def done_writing(self) -> None:
        if self._write_lock is not None:
            self._write_lock.close()
            self._write_lock = None

    def changed(self, journal: Journal) -> None:
        """After a committed change: release the lock, then push if [sync] auto = true."""
        self.done_writing()
        section = journal.config.get("sync")
        if isinstance(section, dict) and section.get("auto") is True:
            from .sync import auto_sync

            result = auto_sync(journal, warn)
            if result is not None and (result.pulled or result.pushed):
                click.echo(result.summary(), err=True)


def _call_entry_saved(entry: Entry, journal: Journal) -> None:
    from .manager import entry_saved

    entry_saved(entry, journal)


def warn(message: str) -> None:
    from .gitcmd import redact

    click.echo(f"brag: warning: {redact(message)}", err=True)


def note(message: str) -> None:
    from .gitcmd import redact

    click.echo(f"brag: note: {redact(message)}", err=True)


class BragGroup(click.Group):
    """A click group that turns BragError into one clear line and loads plugin
    commands only when a name is not built in (or the full list is asked for)."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if BragGroup._plugins_loaded:
            return
        BragGroup._plugins_loaded = True
        from .manager import get_plugin_manager

        get_plugin_manager().hook.register_commands(cli=self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and self is cli:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        if self is cli:
            self._load_plugin_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BragError as exc:
            state = ctx.find_object(State)
            if state is not None and state.debug:
                _print_traceback()
                raise click.exceptions.Exit(exc.exit_code) from exc
            from .gitcmd import redact

            raise click.ClickException(redact(str(exc))) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            raise  # `brag … | head`: main() ends quietly
        except OSError as exc:
            # Permissions and read-only file systems: one line, no traceback.
            import errno

            state = ctx.find_object(State)
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC) or (
                state is not None and state.debug
            ):
                _print_traceback()
                raise click.exceptions.Exit(1) from exc
            from .gitcmd import redact

            where = f" {exc.filename}" if exc.filename else ""
            raise click.ClickException(
                redact(f"cannot write{where}: {exc.strerror}")
                + ("" if exc.errno == errno.ENOSPC else " (is the journal read-only?)")
            ) from None
        except Exception as exc:
            # A bug: show the traceback, with any secret masked.
            _print_traceback()
            raise click.exceptions.Exit(1) from exc


def _print_traceback() -> None:
    """The current exception's traceback on stderr, with credentials and tokens masked."""
    import traceback

    from .gitcmd import redact

    click.echo(redact(traceback.format_exc()).rstrip("\n"), err=True)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def period_options(f: F) -> F:
    f = click.option(
        "--period",
        "-p",
        metavar="PERIOD",
        help="Both ends at once: 2026, 2026H2, 2026Q3, last-quarter, this-year …",
    )(f)
    f = click.option("--until", "-u", metavar="DATE", help="Up to this date (inclusive).")(f)
    f = click.option(
        "--since",
        "-s",
        metavar="DATE",
        help="From this date: 2026-03-01, 'last friday', '30 days ago', a period's start.",
    )(f)
    return f


def resolve_period(
    since: str | None, until: str | None, period: str | None
) -> tuple[dt.date | None, dt.date | None]:
    from .dates import parse_period, parse_since, parse_until

    start = end = None
    if period:
        start, end = parse_period(period)
    if since:
        start = parse_since(since)
    if until:
        end = parse_until(until)
    if start and end and start > end:
        raise BragError(f"--since {start} is after --until {end}")
    return start, end


@click.group(cls=BragGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", "-V", prog_name="brag")
@click.option(
    "--dir",
    "-C",
    "directory",
    metavar="PATH",
    envvar=None,
    help="Journal to use (default: $BRAG_DIR, the journal you are in, or your data folder).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, debug: bool) -> None:
    """brag: note what you shipped, and turn it into the documents that decide careers.

    \b
    Capture:   brag add "Cut checkout p99 from 800ms to 200ms" -i "cart abandonment down 3%"
    Look back: brag list --since last-quarter        brag search latency
    Evidence:  brag import github                    brag import git ~/src/app
    Write up:  brag export one-on-one                brag export promo-brief --target staff

    The journal is a git repository of Markdown files; every change is a commit.
    """
    ctx.obj = State(directory, debug)


# -- init ------------------------------------------------------------------------


@cli.command()
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
    from .journal import Journal

    journal = Journal(Path(path).resolve()) if path else state.journal(must_exist=False)
    if remote:
        from .sync import init_with_remote

        click.echo(init_with_remote(journal, remote, note=note))
        return
    if journal.init():
        click.echo(f"Created a journal at {journal.root}")
    else:
        click.echo(f"{journal.root} is already a journal")


# -- add --------------------------------------------------------------------------


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeatable options also accept comma-separated lists."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _clean_tags(values: tuple[str, ...] | list[str]) -> list[str]:
    return [t.lstrip("#") for t in _split(tuple(values)) if t.lstrip("#")]


def _check_choices(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    lowered = [v.lower() for v in values]
    bad = [v for v in lowered if v not in allowed]
    if bad:
        raise click.BadParameter(
            f"unknown {what} {', '.join(map(repr, bad))}; choose from {', '.join(allowed)}"
        )
    return lowered


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--impact", "-i", metavar="TEXT", help="The outcome, in words.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option(
    "--area",
    "-a",
    "areas",
    multiple=True,
    metavar="AREA",
    help=f"Impact area (repeatable): {', '.join(AREAS)}.",
)
@click.option(
    "--leverage",
    "-l",
    type=click.Choice(LEVERAGE, case_sensitive=False),
    help="How the work had leverage.",
)
@click.option(
    "--with", "-w", "with_", multiple=True, metavar="NAME", help="A collaborator (repeatable)."
)
@click.option(
    "--metric",
    "-m",
    "metrics",
    multiple=True,
    metavar="'NAME: A -> B'",
    help="A measured result, e.g. 'p99: 800ms -> 200ms' (repeatable).",
)
@click.option("--url", metavar="URL", help="Link to the evidence (PR, doc, dashboard).")
@click.option("--date", "-d", "when", metavar="DATE", help="When it happened (default: today).")
@click.option("--body", "-b", metavar="TEXT", help="Longer notes (Markdown).")
@click.option("--private", is_flag=True, help="Never exported unless --include-private.")
@json_option
@click.pass_obj
def add(
    state: State,
    text: tuple[str, ...],
    impact: str | None,
    tags: tuple[str, ...],
    areas: tuple[str, ...],
    leverage: str | None,
    with_: tuple[str, ...],
    metrics: tuple[str, ...],
    url: str | None,
    when: str | None,
    body: str | None,
    private: bool,
    as_json: bool,
) -> None:
    """Note an accomplishment. With no TEXT, opens $EDITOR on a template.

    \b
    brag add "Cut checkout p99 from 800ms to 200ms" -i "cart abandonment down 3%" -t perf
    brag add "Mentored two new hires" --area people --leverage interpersonal --with "Sam Lee"
    brag add --private "Negotiated the vendor contract renewal"
    """
    from .dates import parse_date

    fields: dict[str, str] = {}
    title = " ".join(text).strip()
    if not title:
        fields = _edit_template()
        if not fields:
            click.echo("Empty title: nothing added.", err=True)
            sys.exit(1)
        title = fields["title"]
    date_text = when or fields.get("date")
    date = parse_date(date_text) if date_text else dt.date.today()
    leverage = leverage or fields.get("leverage") or None
    entry = Entry(
        title=title,
        date=date,
        impact=(impact if impact is not None else fields.get("impact", "")).strip(),
        tags=_clean_tags(tags + (fields.get("tags", ""),)),
        areas=_check_choices(_split(areas + (fields.get("areas", ""),)), AREAS, "area"),
        leverage=_check_choices([leverage], LEVERAGE, "leverage")[0] if leverage else "",
        with_=_split(with_ + (fields.get("with", ""),)),
        metrics=[parse_metric(m) for m in metrics],
        url=(url or fields.get("url", "")).strip(),
        private=private,
        body=body if body is not None else fields.get("body", ""),
    )
    if entry.body and not entry.body.endswith("\n"):
        entry.body += "\n"
    journal = state.journal(must_exist=False)
    if not journal.exists():
        journal.init()
        click.echo(f"Created a new journal at {journal.root}", err=True)
    journal.check_usable()
    state.writable()
    journal.add(entry)
    if as_json:
        click.echo(json.dumps(entry.to_dict(), ensure_ascii=False))
    else:
        marker = " (private)" if entry.private else ""
        click.echo(f"Added {entry.id}: {entry.title}{marker}")
    state.changed(journal)


def _edit_template() -> dict[str, str]:
    import tempfile

    from .editing import TEMPLATE, parse_template, run_editor

    if not sys.stdin.isatty() and not os.environ.get("EDITOR") and not os.environ.get("VISUAL"):
        raise BragError('no text given and no terminal for an editor: brag add "what you did"')
    fd, name = tempfile.mkstemp(prefix="brag-add-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(TEMPLATE)
        run_editor(path)
        return parse_template(path.read_text(encoding="utf-8"))
    finally:
        path.unlink(missing_ok=True)


# -- reading ------------------------------------------------------------------------


def _warn_broken(journal: Journal) -> None:
    for broken in journal.broken():
        warn(f"skipped {broken} (see 'brag check')")


def _print_entries(entries: list[Entry], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([_list_dict(e) for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("No entries.", err=True)
        return
    # One write, not one per entry: click.echo costs a few microseconds a call
    # (stream lookup, ANSI stripping when piped), which adds up over thousands.
    click.echo("\n".join(_format_line(entry) for entry in entries))


def _list_dict(entry: Entry) -> dict[str, Any]:
    data = entry.to_dict()
    data.pop("body", None)
    return data


def _format_line(entry: Entry) -> str:
    title = " ".join(entry.title.split())
    parts = [
        click.style(entry.id, fg="yellow"),
        click.style(entry.date.isoformat(), fg="cyan"),
        title,
    ]
    if entry.impact:
        parts.append(click.style("→ " + " ".join(entry.impact.split()), fg="green"))
    if entry.tags:
        parts.append(click.style(" ".join("#" + t for t in entry.tags), fg="magenta"))
    if entry.private:
        parts.append(click.style("(private)", fg="red"))
    return "  ".join(parts)


@cli.command(name="list")
@period_options
@click.option(
    "--tag",
    "-t",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Only entries with this tag (repeatable: all must match).",
)
@click.option("-n", "--limit", type=click.IntRange(min=0), metavar="N", help="At most N entries.")
@click.option("--reverse", "-r", is_flag=True, help="Oldest first.")
@click.option("--no-private", is_flag=True, help="Hide private entries.")
@click.option("--rank", is_flag=True, help="Strongest first, with each entry's impact score.")
@click.option(
    "--audience", "-a", metavar="LENS", help="Score for this reader with --rank (default manager)."
)
@json_option
@click.pass_obj
def list_(
    state: State,
    since: str | None,
    until: str | None,
    period: str | None,
    tags: tuple[str, ...],
    limit: int | None,
    reverse: bool,
    no_private: bool,
    rank: bool,
    audience: str | None,
    as_json: bool,
) -> None:
    """List entries, newest first (or strongest first with --rank).

    \b
    brag list -n 20
    brag list --since last-quarter -t perf
    brag list --period 2026H2 --json
    brag list --rank --audience cfo -n 10
    """
    journal = state.journal()
    start, end = resolve_period(since, until, period)
    if audience and not rank:
        raise BragError("--audience only changes the order with --rank")
    entries = list(
        journal.entries(
            since=start.isoformat() if start else None,
            until=end.isoformat() if end else None,
            tags=_clean_tags(tags),
            include_private=not no_private,
            limit=None if rank else limit,
            newest_first=not reverse,
        )
    )
    _warn_broken(journal)
    if not rank:
        _print_entries(entries, as_json)
        return
    from . import impact
    from .exporting import bulk, today

    lens = impact.get_lens(audience, impact.load_lenses(journal.config))
    cache = _impact_cache(journal)
    with bulk():
        impact.load_cache(cache)
        ranked = impact.rank(entries, lens, today(end), impact.load_keywords(journal.config))
        impact.save_cache(cache)
    if reverse:
        ranked.reverse()
    if limit is not None:
        ranked = ranked[:limit]
    if as_json:
        rows = [{**_list_dict(e), "score": s.total} for e, s in ranked]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not ranked:
        click.echo("No entries.", err=True)
    for entry, result in ranked:
        click.echo(f"{click.style(f'{result.total:6.2f}', fg='blue')}  {_format_line(entry)}")


@cli.command()
@click.argument("words", nargs=-1, required=True)
@period_options
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Only with this tag.")
@click.option("-n", "--limit", type=click.IntRange(min=0), metavar="N", help="At most N entries.")
@json_option
@click.pass_obj
def search(
    state: State,
    words: tuple[str, ...],
    since: str | None,
    until: str | None,
    period: str | None,
    tags: tuple[str, ...],
    limit: int | None,
    as_json: bool,
) -> None:
    """Find entries by words in title, impact or body.

    Every WORD must appear (any case).
    """
    journal = state.journal()
    start, end = resolve_period(since, until, period)
    entries = list(
        journal.entries(
            text=" ".join(words),
            since=start.isoformat() if start else None,
            until=end.isoformat() if end else None,
            tags=_clean_tags(tags),
            limit=limit,
        )
    )
    _warn_broken(journal)
    _print_entries(entries, as_json)


@cli.command()
@click.argument("entry_id", metavar="ID")
@click.option("--raw", is_flag=True, help="Print the file exactly as stored.")
@click.option("--audience", "-a", metavar="LENS", help="Explain the score for this reader.")
@json_option
@click.pass_obj
def show(state: State, entry_id: str, raw: bool, audience: str | None, as_json: bool) -> None:
    """Show one entry and how its impact score is made. ID may be any unique prefix."""
    journal = state.journal()
    entry = journal.get(entry_id)
    if as_json:
        data = entry.to_dict()
        data["analysis"] = _analysis(journal, entry, audience)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if raw:
        click.echo((journal.root / entry.path).read_text(encoding="utf-8"), nl=False)
        return
    click.echo(click.style(entry.title, bold=True))
    rows = [
        ("id", entry.id),
        ("date", entry.date.isoformat()),
        ("impact", entry.impact),
        ("tags", ", ".join(entry.tags)),
        ("areas", ", ".join(entry.areas)),
        ("leverage", entry.leverage),
        ("with", ", ".join(entry.with_)),
        ("source", f"{entry.source} {entry.source_id}".strip()),
        ("url", entry.url),
        ("private", "yes" if entry.private else ""),
        ("file", entry.path),
    ]
    for metric in entry.metrics:
        value = f"{metric.get('value', '')} {metric.get('unit', '')}".strip()
        if "before" in metric and "after" in metric:
            unit = metric.get("unit", "")
            value = f"{metric['before']} → {metric['after']} {unit}".strip()
        rows.append(("metric", f"{metric.get('name', '')}: {value}"))
    for key, value in entry.extra.items():
        rows.append((key, str(value)))
    for name, value in rows:
        if value:
            click.echo(f"  {click.style(name + ':', fg='cyan'):<20} {value}")
    if entry.body.strip():
        click.echo()
        click.echo(entry.body.rstrip("\n"))
    analysis = _analysis(journal, entry, audience)
    click.echo()
    click.echo(click.style(f"Impact score for {analysis['audience']}", bold=True))
    how = {True: "inferred", False: "explicit"}
    click.echo(
        f"  areas: {', '.join(analysis['areas']) or '-'} ({how[analysis['areas_inferred']]}); "
        f"leverage: {analysis['leverage']} ({how[analysis['leverage_inferred']]}); "
        f"tree {analysis['tree']}"
    )
    click.echo(f"  reads as: {analysis['reframed']}")
    for line in analysis["explain"].splitlines():
        click.echo(f"  {line}")


def _analysis(journal: Journal, entry: Entry, audience: str | None) -> dict[str, Any]:
    """How the impact engine reads an entry: what ``brag show`` explains."""
    from . import impact
    from .exporting import today

    config = journal.config
    lens = impact.get_lens(audience, impact.load_lenses(config))
    keywords = impact.load_keywords(config)
    found = impact.analyse(entry, keywords)
    result = impact.score(entry, lens, today(), keywords)
    framed = impact.reframe(entry, lens, impact.load_glossary(config), keywords=keywords)
    return {
        "audience": lens.name,
        "areas": list(found.areas),
        "areas_inferred": found.areas_inferred,
        "leverage": found.leverage,
        "leverage_inferred": found.leverage_inferred,
        "tree": found.tree,
        "metrics": [m.describe() for m in found.metrics],
        "reframed": framed.text,
        "score": result.to_dict(),
        "explain": result.explain(),
    }


@cli.command()
@click.argument("entry_id", metavar="ID")
@click.option("--title", metavar="TEXT", help="Set the title without an editor.")
@click.option("--impact", "-i", metavar="TEXT", help="Set the impact without an editor.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Add a tag.")
@click.option("--untag", multiple=True, metavar="TAG", help="Remove a tag.")
@click.option("--url", metavar="URL", help="Set the evidence link.")
@click.option("--private/--public", default=None, help="Change whether it is private.")
@click.pass_obj
def edit(
    state: State,
    entry_id: str,
    title: str | None,
    impact: str | None,
    tags: tuple[str, ...],
    untag: tuple[str, ...],
    url: str | None,
    private: bool | None,
) -> None:
    """Edit an entry in $EDITOR, or set fields with options.

    The result is validated, then committed.
    If the edited file does not parse, you are asked to reopen it (on a
    terminal) or the edit is refused and saved aside: the entry is never left
    broken and your text is never lost.
    """
    from .recovery import check_repo_state

    journal = state.journal()
    check_repo_state(journal)  # refuse before the user spends time in the editor
    entry = journal.get(entry_id)
    _conflict_hint(journal, entry)
    if any(v is not None for v in (title, impact, url, private)) or tags or untag:
        if title is not None:
            if not title.strip():
                raise BragError("the title cannot be empty")
            entry.title = title.strip()
        if impact is not None:
            entry.impact = impact.strip()
        if url is not None:
            entry.url = url.strip()
        if private is not None:
            entry.private = private
        drop = {t.casefold() for t in _clean_tags(untag)}
        entry.tags = [t for t in entry.tags if t.casefold() not in drop]
        entry.tags += [t for t in _clean_tags(tags) if t not in entry.tags]
        state.writable()
        journal.update(entry)
        click.echo(f"Updated {entry.id}: {entry.title}")
        _resolved(journal, entry)
        state.changed(journal)
        return
    from .editing import run_editor

    original = (journal.root / entry.path).read_text(encoding="utf-8")
    scratch = journal.root / ".git" / "brag" / f"edit-{entry.id}.md"
    if not scratch.parent.is_dir():
        import tempfile

        scratch = Path(tempfile.gettempdir()) / f"brag-edit-{entry.id}.md"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_text(original, encoding="utf-8")
    while True:
        run_editor(scratch)
        text = scratch.read_text(encoding="utf-8")
        if text == original:
            scratch.unlink(missing_ok=True)
            click.echo("No changes.")
            _resolved(journal, entry)
            return
        try:
            edited = Entry.from_markdown(text, entry.path)
            if edited.id != entry.id:
                raise EntryError(f"the id cannot change (was {entry.id})", entry.path)
            break
        except EntryError as exc:
            if sys.stdin.isatty() and click.confirm(f"{exc}\nReopen the editor?", default=True):
                continue
            raise BragError(f"not saved: {exc}. Your edit is kept in {scratch}") from None
    edited.created = entry.created
    edited.path = entry.path
    state.writable()  # only now: an open editor must not hold the write lock
    journal.update(edited)
    scratch.unlink(missing_ok=True)
    click.echo(f"Updated {edited.id}: {edited.title}")
    _resolved(journal, edited)
    state.changed(journal)


def _conflict_hint(journal: Journal, entry: Entry) -> None:
    from .sync import theirs_path

    other = theirs_path(entry.path)
    if (journal.root / other).exists():
        note(
            f"this entry was changed on two machines: the other version is in {other}; "
            "saving this edit resolves the conflict"
        )


def _resolved(journal: Journal, entry: Entry) -> None:
    from .sync import resolve

    other = resolve(journal, entry.path)
    if other:
        click.echo(f"Resolved the sync conflict on {entry.id} (removed {other})")


@cli.command()
@click.argument("entry_ids", metavar="ID...", nargs=-1, required=True)
@click.pass_obj
def rm(state: State, entry_ids: tuple[str, ...]) -> None:
    """Remove entries from the journal. They stay in git history."""
    journal = state.writable()
    entries = [journal.get(i) for i in entry_ids]
    for entry in entries:
        journal.remove(entry)
        click.echo(f"Removed {entry.id}: {entry.title} (still in git history)")
    state.changed(journal)


@cli.command()
@click.option("--no-private", is_flag=True, help="Leave private entries out of the counts.")
@json_option
@click.pass_obj
def tags(state: State, no_private: bool, as_json: bool) -> None:
    """Tags with counts, most used first."""
    journal = state.journal()
    counts = journal.index.tag_counts(include_private=not no_private)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    if as_json:
        click.echo(json.dumps(dict(ordered), ensure_ascii=False, indent=2))
        return
    if not ordered:
        click.echo('No tags yet: brag add "…" -t TAG', err=True)
    width = max((len(t) for t, _ in ordered), default=0)
    for tag, count in ordered:
        click.echo(f"{tag:<{width}}  {count}")


@cli.command()
@json_option
@click.pass_obj
def check(state: State, as_json: bool) -> None:
    """Find broken, uncommitted, duplicated or conflicting entries.

    Exits 1 when anything needs attention, so it can guard scripts.
    """
    from .sync import conflicts as sync_conflicts

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
        sys.exit(1)


@cli.command()
@period_options
@click.option(
    "--target",
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
    from .stats import for_journal, format_text, public

    start, end = resolve_period(since, until, period)
    summary = for_journal(
        state.journal(), since=start, until=end, target=target, include_private=not no_private
    )
    if as_json:
        click.echo(json.dumps(public(summary), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(summary), nl=False)


@cli.command()
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
    from .demo import run

    folder = folder or state.directory  # `brag -C PATH demo` means the same
    run(Path(folder) if folder else None, click.echo)


# -- config ---------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
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
        from .gitcmd import redact

        journal.config  # noqa: B018 - parsing notes any secret-looking value to mask
        click.echo(redact(journal.config_path.read_text(encoding="utf-8")), nl=False)


def _parse_value(key: str, raw: str) -> Any:
    import tomllib

    if key.endswith("emails") or key.endswith("_list"):
        return _split((raw,))
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
    from .gitcmd import redact

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
    from .gitcmd import looks_secret

    if looks_secret(key):
        raise BragError(
            f"{key} looks like a secret: brag.toml is committed and synced, so keep tokens "
            "in an environment variable or a credential helper instead"
        )
    journal = state.writable()
    parsed = _parse_value(key, value)
    journal.config_set(key, parsed)
    click.echo(f"{key} = {json.dumps(parsed, default=str, ensure_ascii=False)}")


@cli.command()
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


# -- plugins ---------------------------------------------------------------------------


@cli.command()
@json_option
def plugins(as_json: bool) -> None:
    """Installed plugins and the hooks each implements."""
    from .manager import load_errors, plugins_info

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


# -- import / export ------------------------------------------------------------------


@cli.command()
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
    from . import coach as coaching
    from . import impact
    from .exporting import bulk, today

    journal = state.journal()
    start, end = resolve_period(since, until, period)
    day = today(end)
    start = start or day - dt.timedelta(days=364)
    entries = list(
        journal.entries(since=start.isoformat(), until=(end or day).isoformat(), newest_first=False)
    )
    _warn_broken(journal)
    config = journal.config
    level, goal = coaching.levels(config, target)
    cache = _impact_cache(journal)
    with bulk():
        impact.load_cache(cache)
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
        )
        impact.save_cache(cache)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_review(result, show_all)


def _print_review(result: Any, show_all: bool, limit: int = 20) -> None:
    stats = result.stats
    target = f", target {result.target}" if result.target else " (set [user] target_level)"
    click.echo(
        click.style(f"Coach: {result.entries} entries, {result.since} to {result.until}", bold=True)
        + target
    )
    if not result.entries:
        click.echo("Nothing to review yet: add entries with 'brag add' or 'brag import'.")
        return
    tree = stats["tree"]
    click.echo(
        f"  {stats['quantified']} of {stats['entries']} quantified; Tree B {tree['B']} of "
        f"{stats['entries']} ({round(tree['share_b'] * 100)}%"
        + (f", {result.target} expects about {round(tree['target_b'] * 100)}%)" if
           "target_b" in tree else ")")
    )  # fmt: skip
    if not result.findings:
        click.echo(click.style("No findings: this reads like a strong case.", fg="green"))
        return
    period = result.balance
    if period:
        click.echo()
        click.echo(click.style("The period", bold=True))
        for f in period:
            click.echo(f"  {click.style('!', fg='yellow')} {f.problem}")
            click.echo(f"    Fix: {f.fix}")
    per_entry = [f for f in result.findings if f.entry_id]
    if per_entry:
        click.echo()
        click.echo(click.style("Entries", bold=True))
        shown = per_entry if show_all else per_entry[:limit]
        for f in shown:
            click.echo(
                f"  {click.style(f.entry_id, fg='yellow')} {f.entry_title} ({f.date}): {f.problem}"
            )
            click.echo(f"    Fix: {f.fix}")
        if len(per_entry) > len(shown):
            click.echo(f"  … {len(per_entry) - len(shown)} more (brag coach --all, or --json)")


# `brag import` with no SOURCE: exit codes for unattended runs (docs/unattended.md).
EXIT_IMPORTED = 0
EXIT_IMPORT_FAILED = 1
EXIT_NOTHING_NEW = 3


class ImportGroup(BragGroup):
    """``brag import SOURCE``: one subcommand per registered importer, built on demand."""

    def _importers(self) -> dict[str, Any]:
        from .manager import importers

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


class _Progress(Progress):
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=_stderr_console(),
            )

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

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
        from .gitcmd import redact

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
        click.echo(f"  + {entry.date.isoformat()}  {entry.title}")
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
    from .importing import run_import

    since, until, period = params.pop("since"), params.pop("until"), params.pop("period")
    dry_run, as_json, quiet = params.pop("dry_run"), params.pop("as_json"), params.pop("quiet")
    start, end = resolve_period(since, until, period)
    journal = state.journal(must_exist=False)
    if not journal.exists() and not dry_run:
        journal.init()
        click.echo(f"Created a new journal at {journal.root}", err=True)
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
    _report_import(result, as_json, quiet, summary_only)
    return result


def _import_command(importer: Any) -> click.Command:
    @click.pass_obj
    def callback(state: State, **params: Any) -> None:
        result = _run_one_import(state, importer, params)
        if result.added and not result.dry_run:
            state.changed(state.journal())

    command = click.Command(
        importer.name, callback=callback, help=importer.help, params=list(importer.params)
    )
    return _import_options(command)  # type: ignore[no-any-return]


@cli.group(name="import", cls=ImportGroup, invoke_without_command=True)
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
    """
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    journal = state.journal()
    configured = journal.config.get("import", {})
    from .manager import importers

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
            from .gitcmd import redact

            one_line = " ".join(redact(str(exc)).split())  # one log line per source
            click.echo(f"{name}: failed: {one_line}", err=True)
    if added:
        state.changed(journal)
    if failed:
        sys.exit(EXIT_IMPORT_FAILED)
    if not added:
        sys.exit(EXIT_NOTHING_NEW)


def _impact_cache(journal: Journal) -> Path:
    """Where analyses of entries are kept between runs: next to the index, out of git."""
    return journal.index.location.parent / "impact-cache.pickle"


def _export_run(state: State, kind: str, params: dict[str, Any]) -> None:
    from . import impact
    from .exporting import ExportContext, today
    from .manager import exporters

    available = exporters()
    exporter = available.get(kind)
    if exporter is None:
        raise BragError(f"no exporter '{kind}' (available: {', '.join(sorted(available))})")
    journal = state.journal()
    start, end = resolve_period(params.pop("since"), params.pop("until"), params.pop("period"))
    include_private = params.pop("include_private")
    fmt = params.pop("fmt") or exporter.formats[0]
    if fmt not in exporter.formats:
        raise BragError(f"{kind} can be written as {', '.join(exporter.formats)}, not {fmt}")
    output = params.pop("output")
    default_file = None
    if output is None and fmt == "html" and sys.stdout.isatty():
        # A web page is no use on a terminal: write it to a file and say where.
        output = default_file = f"brag-{kind}.html"
    context = ExportContext(
        journal=journal,
        entries=[],
        since=start,
        until=end,
        audience=params.pop("audience") or "manager",
        format=fmt,
        include_private=include_private,
        options=params,
        today=today(end),
    )
    # An unknown audience or a bad [lenses]/[glossary]/[impact] table fails
    # before any work.
    context.lens, context.glossary, context.keywords  # noqa: B018
    first, last = start, end
    if start is None and exporter.window is not None:
        first, last = exporter.window(context)
    context.entries = list(
        journal.entries(
            since=first.isoformat() if first else None,
            until=last.isoformat() if last else None,
            include_private=include_private,
            newest_first=False,
        )
    )
    _warn_broken(journal)
    cache = _impact_cache(journal)
    impact.load_cache(cache)
    text = exporter.run(context)
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8")
        if default_file:
            click.echo(f"Wrote {Path(output).resolve()} (open it in a browser)", err=True)
        else:
            click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if exporter.after is not None:
        exporter.after(context)
    impact.save_cache(cache)


def _export_list(state: State, as_json: bool) -> None:
    from .manager import exporters
    from .render import template_origin

    journal = state.journal(must_exist=False)
    root = journal.root if journal.exists() else None
    rows: list[dict[str, Any]] = []
    for name, exporter in sorted(exporters().items()):
        templates = [
            {"template": t, "origin": template_origin(t, root)} for t in exporter.template_names()
        ]
        rows.append(
            {"kind": name, "help": exporter.help, "formats": list(exporter.formats),
             "templates": templates}
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        summary = str(row["help"]).strip().split("\n", 1)[0]
        click.echo(f"{click.style(row['kind'], bold=True)}  {summary}")
        click.echo(f"  formats: {', '.join(row['formats'])}")
        for t in row["templates"]:
            click.echo(f"  {t['template']:<24} {t['origin']}")


class ExportGroup(BragGroup):
    """``brag export KIND``: one subcommand per registered exporter."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from .manager import exporters

        return sorted(exporters())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from .manager import exporters

        exporter = exporters().get(cmd_name)
        if exporter is None:
            return None

        @click.pass_obj
        def callback(state: State, **params: Any) -> None:
            from .exporting import bulk

            with bulk():
                _export_run(state, exporter.name, params)

        command = click.Command(
            exporter.name, callback=callback, help=exporter.help, params=list(exporter.params)
        )
        for option in (
            click.Option(
                ["--include-private"], is_flag=True, help="Include entries marked private."
            ),
            click.Option(["--output", "-o"], metavar="FILE", help="Write to FILE."),
            click.Option(
                ["--format", "-f", "fmt"],
                type=click.Choice(exporter.formats),
                help=f"Output format (default {exporter.formats[0]}).",
            ),
            click.Option(
                ["--audience", "-a"],
                metavar="LENS",
                help="Who will read it: manager (default), exec, cfo, cto, peer.",
            ),
        ):
            command.params.append(option)
        return period_options(command)  # type: ignore[no-any-return]


@cli.group(name="export", cls=ExportGroup, invoke_without_command=True)
@click.option("--list", "list_kinds", is_flag=True, help="List kinds and the templates they use.")
@json_option
@click.pass_context
def export(ctx: click.Context, list_kinds: bool, as_json: bool) -> None:
    """Write a document from the journal, impact first.

    See brag export KIND --help for each kind's options.

    \b
    brag export one-on-one
    brag export self-review --period 2026H1 --audience exec
    brag export promo-brief --target staff -o brief.md
    brag export status --format html
    brag export --list
    """
    if list_kinds:
        _export_list(ctx.obj, as_json)
    elif ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


from .sync_commands import remote, sync_command  # noqa: E402 - registers on cli above

cli.add_command(remote)
cli.add_command(sync_command)


def main() -> None:
    try:
        cli(prog_name="brag")
    except BrokenPipeError:
        # `brag list | head`: stop quietly, like other Unix tools.
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
