"""What every importer shares: its description, the run context, and the runner.

An importer only fetches: it yields :class:`~brag.entry.Entry` drafts carrying
``source`` and ``source_id`` (or ``(item, reason)`` pairs for what it skipped).
The runner here decides the date window (``--since``, else where the last run
stopped), deduplicates, writes everything in one commit, and records the
resume cursor in the same commit.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .entry import Entry
from .errors import BragError, PluginError

if TYPE_CHECKING:
    import click

    from .journal import ImportResult, Journal

# Imports re-read one day before the last cursor: dedup makes the overlap free,
# and it catches items whose timestamps land just before the boundary.
RESUME_OVERLAP = dt.timedelta(days=1)


class Progress:
    """Progress reporting an importer can call; the CLI supplies a visible one."""

    def start(self, description: str, total: int | None = None) -> None:  # noqa: B027
        """Begin (or re-label) a phase; ``total`` may stay unknown."""

    def advance(self, n: int = 1) -> None:  # noqa: B027
        """Count ``n`` more items fetched."""

    def log(self, message: str) -> None:  # noqa: B027
        """A line worth showing the user (waiting on a rate limit, a retry)."""


@dataclass
class ImportContext:
    journal: Journal
    options: dict[str, Any]
    since: dt.date | None
    until: dt.date | None
    state: dict[str, Any]
    progress: Progress = field(default_factory=Progress)
    # True when ``since`` is the last run's cursor rather than the user's --since.
    # Importers whose items carry arbitrary dates (documents, spreadsheets) or
    # that keep finer cursors of their own in ``state`` may ignore it.
    resumed: bool = False

    def option(self, name: str, default: Any = None) -> Any:
        """A CLI option if given, else ``[import.<name>]`` in brag.toml, else ``default``."""
        value = self.options.get(name)
        if value in (None, (), []):
            return default
        return value


@dataclass
class Importer:
    """A source of entries: ``brag import NAME``."""

    name: str
    help: str
    fetch: Callable[[ImportContext], Iterable[Entry | tuple[str, str]]]
    # Extra click options/arguments for ``brag import NAME``.
    params: list[click.Parameter] = field(default_factory=list)
    # Whether runs resume from the last run's date (False: every run reads everything).
    resumable: bool = True
    #: One to three command lines shown under "Examples" in ``brag import NAME --help``.
    examples: tuple[str, ...] = ()


def resolve_window(
    since: dt.date | None, until: dt.date | None, state: dict[str, Any]
) -> tuple[dt.date | None, dt.date | None]:
    if since is None:
        cursor = state.get("until")
        if isinstance(cursor, dt.date):
            since = cursor - RESUME_OVERLAP
    return since, until


def plugin_of(func: Any) -> str:
    """The module a plugin's callable comes from: how a misbehaving plugin is named."""
    return str(getattr(func, "__module__", None) or type(func).__module__)


def _checked(importer: Importer, items: Iterable[Any]) -> Iterator[Entry | tuple[str, str]]:
    """The importer's items, each checked to be an Entry draft or an (item, reason) pair;
    an unexpected exception inside the plugin becomes one line naming it."""
    where = f"importer '{importer.name}' (plugin {plugin_of(importer.fetch)})"
    try:
        for item in items:
            if isinstance(item, Entry):
                yield item
            elif (
                isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item)
            ):
                yield item
            else:
                raise PluginError(
                    f"{where} yielded {type(item).__name__}; expected an Entry draft "
                    "or an (item, reason) pair"
                )
    except BragError:
        raise
    except Exception as exc:
        raise PluginError(f"{where} failed: {type(exc).__name__}: {exc}") from exc


def find_importer(name: str) -> Importer:
    """The installed importer called ``name``, or a BragError listing the available ones."""
    from .manager import importers

    available = importers()
    if name not in available:
        raise BragError(
            f"no importer '{name}' (available: {', '.join(sorted(available)) or 'none'})"
        )
    return available[name]


def run_import(
    journal: Journal,
    importer: Importer | str,
    *,
    options: dict[str, Any],
    since: dt.date | None = None,
    until: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Run one importer into ``journal``: the one path every import takes.

    ``importer`` is an :class:`Importer` or the name of an installed one.
    ``options`` are its command-line options (unset ones fall back to
    ``[import.NAME]`` in brag.toml). Returns what was added, already present
    and skipped; with ``dry_run`` nothing is written.
    """
    if isinstance(importer, str):
        importer = find_importer(importer)
    config = journal.config.get("import", {}).get(importer.name, {})
    merged = {**(config if isinstance(config, dict) else {})}
    for key, value in options.items():
        # An option left at its default (None, an empty tuple, an unset flag)
        # leaves brag.toml's value in place; 0 given on the command line wins.
        unset = value is None or value is False or (isinstance(value, (tuple, list)) and not value)
        if not unset or key not in merged:
            merged[key] = value
    state = journal.read_state(f"import-{importer.name}")
    window_since, window_until = resolve_window(since, until, state)
    context = ImportContext(
        journal=journal,
        options=merged,
        since=window_since,
        until=window_until,
        state=copy.deepcopy(state),
        progress=progress or Progress(),
        resumed=since is None and window_since is not None,
    )
    today = dt.date.today()
    try:
        items = importer.fetch(context)
    except BragError:
        raise
    except Exception as exc:
        where = f"importer '{importer.name}' (plugin {plugin_of(importer.fetch)})"
        raise PluginError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
    drafts = list(_checked(importer, items))
    # Keys an importer put in ``context.state`` (finer cursors) are kept with it.
    new_state: dict[str, Any] | None = None
    if importer.resumable:
        new_state = {**context.state, "until": min(window_until or today, today)}
    # Moving only the date cursor is not worth a commit of its own (a daily
    # unattended import would fill the history with them); it rides along with
    # the next import that adds entries. An importer's own cursors always count.
    cursor_only = new_state is not None and {
        k: v for k, v in new_state.items() if k != "until"
    } == {k: v for k, v in state.items() if k != "until"}
    return journal.import_entries(
        importer.name,
        drafts,
        dry_run=dry_run,
        state=new_state,
        state_needs_entries=cursor_only,
    )
