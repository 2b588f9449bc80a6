"""What every command shares however it was parsed, and the bodies of the
commands people run most: ``add``, ``list``, ``search`` and ``coach``.

Nothing here imports click. :mod:`brag.cli` parses with click and calls these
functions; :mod:`brag.quick` parses the plain forms of the four commands by
itself and calls the same functions, so a ``brag list`` answers before click
(and the ``typing`` and ``inspect`` modules it brings) would have finished
importing. Both print through :func:`echo`, style through :func:`styler` and
turn a failure into a line and an exit code through :func:`failure`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from .errors import BragError, CommandExit, UsageProblem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from .entry import Entry
    from .journal import Journal


# -- the invocation's state and its output ------------------------------------------


class State:
    """Per-invocation settings shared by every command (``--dir``, ``--debug``).

    ``color`` is whether output may be coloured: ``None`` asks the terminal."""

    def __init__(self, directory: str | None, debug: bool, color: bool | None = None):
        self.directory = directory
        self.debug = debug
        self.color = color
        self.machine = False  # `brag config --machine`
        self._journal: Journal | None = None
        self._write_lock: Any = None
        self._warned = False

    def journal(self, must_exist: bool = True, check_config: bool = True) -> Journal:
        if self._journal is None:
            from .journal import Journal, locate

            self._journal = Journal(locate(self.directory))
            self._journal.on_saved.append(_call_entry_saved)
        if must_exist:
            self._journal.check_usable(check_config=check_config)
            if check_config and not self._warned:
                self._warned = True
                for message in self._journal.config_warnings:
                    warn(message)
        return self._journal

    def writable(self, check_config: bool = True) -> Journal:
        """The journal, ready to write: recovered from any crashed writer, write lock held
        until :meth:`done_writing` (which whoever runs the command calls at its end).

        ``check_config=False`` lets ``brag config`` repair a brag.toml that does not
        pass the schema."""
        journal = self.journal(check_config=check_config)
        if self._write_lock is None:
            import contextlib

            from .recovery import writing

            self._write_lock = contextlib.ExitStack()
            self._write_lock.enter_context(writing(journal, note=note))
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
                echo(result.summary(), err=True)

    def may_use_plugin_for(self, name: str) -> bool:
        """Whether the user let a plugin take the built-in command ``name``
        (``BRAG_PLUGIN_OVERRIDE`` or ``[plugins] override``): only then are plugins
        loaded before a built-in command runs."""
        from .manager import OVERRIDE_ENV, plugin_commands_possible

        listed = {n.strip() for n in os.environ.get(OVERRIDE_ENV, "").split(",")}
        if name in listed:
            return True
        if not plugin_commands_possible():
            return False  # no installed plugin could offer it: brag.toml need not be read
        try:
            config = self.journal().config
        except BragError:
            return False
        section = config.get("plugins", {}) if isinstance(config, dict) else {}
        names = section.get("override", []) if isinstance(section, dict) else []
        return name in ([names] if isinstance(names, str) else names)


def _call_entry_saved(entry: Entry, journal: Journal) -> None:
    from .manager import entry_saved

    entry_saved(entry, journal)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """Print one piece of output and flush it, as ``click.echo`` does for text
    that carries no colour codes it would have to strip."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    stream.write(text + "\n" if nl else text)
    stream.flush()


def warn(message: str) -> None:
    from .gitcmd import redact
    from .text import strip_control

    echo(f"brag: warning: {strip_control(redact(message))}", err=True)


def note(message: str) -> None:
    from .gitcmd import redact
    from .text import strip_control

    echo(f"brag: note: {strip_control(redact(message))}", err=True)


#: ``click.style``'s colour names and their ANSI codes.
_COLOURS = {
    "black": 30,
    "red": 31,
    "green": 32,
    "yellow": 33,
    "blue": 34,
    "magenta": 35,
    "cyan": 36,
    "white": 37,
}


def style(text: str, fg: str | None = None, bold: bool | None = None) -> str:
    """``text`` in colour, in exactly the codes ``click.style`` writes for the same
    arguments (tests/test_quick.py compares them)."""
    codes = []
    if fg is not None:
        codes.append(f"\033[{_COLOURS[fg]}m")
    if bold is not None:
        codes.append(f"\033[{1 if bold else 22}m")
    return "".join(codes) + text + "\033[0m"


def styler(state: State | None) -> Callable[..., str]:
    """:func:`style` when the output shows colour, else a function that adds none:
    a piped list of thousands of entries is not styled only to be stripped again."""
    from .listing import unstyled

    color = state.color if state is not None else None
    if color is None:
        stream = sys.stdout
        color = stream is not None and _is_terminal(stream)
    return style if color else unstyled


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def failure(exc: BaseException, debug: bool) -> tuple[str | None, int, bool]:
    """What a command that raised ``exc`` shows: ``(message, exit code, with the
    traceback)``. ``message`` is printed after ``Error: `` unless ``exc`` is a
    :class:`CommandExit`, whose message is printed as it is (``None``: nothing).
    A BragError is one line (``--debug`` shows the traceback instead); a permission
    or full-disk error one line with no traceback; anything else is a bug: its
    traceback, masked."""
    import errno

    if isinstance(exc, CommandExit):
        return (str(exc) or None), exc.exit_code, False
    if isinstance(exc, BragError):
        if debug:
            return None, exc.exit_code, True
        from .gitcmd import redact
        from .text import strip_control

        # Messages quote entry titles and file names: no escape sequence gets through.
        return strip_control(redact(str(exc))), exc.exit_code, False
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted.", 130, False
    if isinstance(exc, OSError) and not debug:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC):
            from .gitcmd import redact

            where = f" {exc.filename}" if exc.filename else ""
            return (
                redact(f"cannot write{where}: {exc.strerror}")
                + ("" if exc.errno == errno.ENOSPC else " (is the journal read-only?)"),
                1,
                False,
            )
    return None, 1, True


def traceback_text() -> str:
    """The current exception's traceback, with credentials and tokens masked."""
    import traceback

    from .gitcmd import redact

    return redact(traceback.format_exc()).rstrip("\n")


# -- option values ------------------------------------------------------------------


def resolve_period(
    since: str | None, until: str | None, period: str | None
) -> tuple[dt.date | None, dt.date | None]:
    start = end = None
    if not (since or until or period):
        return start, end
    from .dates import parse_period, parse_since, parse_until

    if period:
        start, end = parse_period(period)
    if since:
        start = parse_since(since)
    if until:
        end = parse_until(until)
    if start and end and start > end:
        raise BragError(f"--since {start} is after --until {end}")
    return start, end


def split_values(values: tuple[str, ...]) -> list[str]:
    """Repeatable options also accept comma-separated lists."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def clean_tags(values: tuple[str, ...] | list[str]) -> list[str]:
    return [t.lstrip("#") for t in split_values(tuple(values)) if t.lstrip("#")]


def check_choices(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    lowered = [v.lower() for v in values]
    bad = [v for v in lowered if v not in allowed]
    if bad:
        raise UsageProblem(
            f"Invalid value: unknown {what} {', '.join(map(repr, bad))}; "
            f"choose from {', '.join(allowed)}"
        )
    return lowered


def warn_broken(journal: Journal) -> None:
    for broken in journal.broken():
        warn(f"skipped {broken} (see 'brag check')")


def plain(text: str, one_line: bool = True) -> str:
    """Entry text as the terminal may show it: no escape sequences or control
    characters (imported and synced text is untrusted)."""
    from .text import strip_control

    return strip_control(text, keep_newlines=not one_line)


def dumps(data: Any, indent: int | None = 2) -> str:
    import json  # not at the top: brag add prints no JSON unless asked

    return json.dumps(data, ensure_ascii=False, indent=indent)


def masked(text: str) -> str:
    from .secrets import mask

    return mask(text)


# -- brag add -----------------------------------------------------------------------


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
    follow_up: str | None,
    feedback: bool,
    giver: str | None,
    future: bool,
    force: bool,
    as_json: bool,
) -> None:
    """``brag add``: note an accomplishment (with no TEXT, from $EDITOR)."""
    from .checks import check_date, check_metric, check_tags, check_url, describe_day
    from .entry import AREAS, LEVERAGE, Entry, parse_metric

    fields: dict[str, str] = {}
    title = " ".join(text).strip()
    if (feedback or giver is not None) and not (giver or "").strip():
        raise BragError('say who gave the feedback: --from "Priya N"')
    journal = state.journal(must_exist=False)
    draft = None
    if not title:
        draft, fields = _edit_template(journal)
        title = fields["title"]
    try:
        date_text = when or fields.get("date")
        date = dt.date.today()
        if date_text:
            from .dates import parse_date

            date = parse_date(date_text)
        leverage = leverage or fields.get("leverage") or None
        entry = Entry(
            title=title,
            date=check_date(date, future),
            impact=(impact if impact is not None else fields.get("impact", "")).strip(),
            tags=check_tags(clean_tags(tags + (fields.get("tags", ""),))),
            areas=check_choices(split_values(areas + (fields.get("areas", ""),)), AREAS, "area"),
            leverage=check_choices([leverage], LEVERAGE, "leverage")[0] if leverage else "",
            with_=split_values(with_ + (fields.get("with", ""),)),
            metrics=[check_metric(parse_metric(m), m) for m in metrics],
            url=check_url(url or fields.get("url", "")),
            private=private,
            body=body if body is not None else fields.get("body", ""),
        )
        if entry.body and not entry.body.endswith("\n"):
            entry.body += "\n"
        if giver is not None:
            from .inbox import FEEDBACK

            entry.kind, entry.from_ = FEEDBACK, " ".join(giver.split())
        if follow_up is not None:
            from .inbox import parse_follow_up

            entry.follow_up = parse_follow_up(follow_up, entry.date)
        _ensure_journal(state, journal)
        journal.check_usable()
        recorded = _refuse_duplicate(journal, entry, force)
        if recorded is not None:
            # The very entry asked for is there already (an add run twice): nothing
            # to do, and that is not a failure.
            if draft is not None:
                from .editing import discard

                discard(draft)
            if as_json:
                echo(masked(dumps(recorded.to_dict(), indent=None)))
            else:
                echo(
                    f"Already in the journal: {recorded.id} from "
                    f"{describe_day(recorded.date)}: {plain(recorded.title)}; nothing added"
                )
            return
        state.writable()
        journal.add(entry)
    except BragError as exc:
        if draft is None:
            raise
        from .editing import kept_message

        raise BragError(kept_message(f"nothing added: {exc}", draft, "brag add")) from None
    if draft is not None:
        from .editing import discard

        discard(draft)
    if as_json:
        echo(masked(dumps(entry.to_dict(), indent=None)))
    else:
        marker = " (private)" if entry.private else ""
        if entry.from_:
            marker = f" (feedback from {plain(entry.from_)}){marker}"
        echo(f"Added {entry.id}: {plain(entry.title)}{marker}")
        if entry.follow_up:
            echo(f"Follow-up on {entry.follow_up}: brag inbox will ask for the result.")
    state.changed(journal)
    if not as_json:
        inbox_reminder(journal)


def _ensure_journal(state: State, journal: Journal) -> None:
    """The very first journal is created (and said where); a missing default is never
    silently replaced by a new one."""
    from .journal import ensure_for_writing

    created = ensure_for_writing(journal, explicit=state.directory)
    if created:
        echo(created, err=True)


def _refuse_duplicate(journal: Journal, entry: Entry, force: bool) -> Entry | None:
    """Refuse the same win twice within the duplicate window; ``force`` keeps both and
    records that they are distinct. Without ``force``, an entry already in the
    journal exactly as asked for (the same day, words and fields) is returned:
    nothing is to be added."""
    from .checks import describe_day
    from .duplicates import DISTINCT_FIELD, WINDOW_DAYS, find_match, normalise_title
    from .text import shorten

    # Without a measurement to match, only an entry with the same title (once
    # normalised) can be the same story: no other row is fetched or unpacked.
    story = None if entry.metrics else normalise_title(entry.title)
    nearby = _nearby(journal, entry.date, WINDOW_DAYS, story)
    if not force:
        for known in nearby:
            if _as_asked(known) == _as_asked(entry):
                return known
    other = find_match(entry, nearby)
    if other is None:
        return None
    if force:
        entry.extra[DISTINCT_FIELD] = [other.id]
        return None
    raise CommandExit(
        f"Not added: looks like {other.id} from {describe_day(other.date)}: "
        f"'{shorten(other.title, 50)}'; add --force to keep both "
        f"(or 'brag edit {other.id}' to add to it)"
    )


def _as_asked(entry: Entry) -> tuple[object, ...]:
    """What ``brag add`` sets of an entry, to tell the very same entry asked for again."""
    return (
        entry.title,
        entry.date,
        entry.impact,
        sorted(t.casefold() for t in entry.tags),
        entry.areas,
        entry.leverage,
        entry.with_,
        entry.metrics,
        entry.url,
        entry.private,
        entry.body,
        entry.kind,
        entry.from_,
        entry.follow_up,
    )


def _nearby(journal: Journal, day: dt.date, days: int, story: str | None = None) -> list[Entry]:
    """Entries filed in the month folders within ``days`` of ``day`` (and, from the
    index, only those whose title normalises to ``story``). Each file is stat'ed and
    taken from the index when its row matches, else read: exact, with no git
    process and no index to build on the way to a write. A heavy importer files
    a thousand entries a month; parsing them all on every add cost more than
    everything else the command does."""
    from .journal import ENTRIES_DIR

    window = dt.timedelta(days=days)
    months = sorted({(d.year, d.month) for d in (day - window, day, day + window)})
    use_index = journal.index.location.exists()
    found: list[Entry] = []
    for year, month in months:
        folder = f"{ENTRIES_DIR}/{year:04d}/{month:02d}"
        if use_index:
            cached, unread = journal.index.folder_entries(
                folder, (day - window).isoformat(), (day + window).isoformat(), story
            )
            found += cached
        else:
            try:
                names = sorted(p.name for p in (journal.root / folder).iterdir())
            except OSError:
                continue
            unread = [f"{folder}/{n}" for n in names if n.endswith(".md")]
        for rel in unread:
            if rel.endswith(".theirs.md") or rel.rpartition("/")[2].startswith("."):
                continue
            try:
                found.append(journal.read_file(rel))
            except (BragError, OSError):
                continue  # a broken file is 'brag check's business
    return found


def inbox_reminder(journal: Journal) -> None:
    """Once a day after an import: how many imported entries wait for an impact."""
    from .recovery import inbox_state

    # The inbox module costs a few ms to import and most runs have nothing to
    # say: look for an unannounced import in its state file first.
    try:
        pending = '"imported"' in inbox_state(journal.root).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if not pending:
        return
    from .inbox import reminder

    line = reminder(journal)
    if line:
        note(line)


def _edit_template(journal: Journal) -> tuple[Path, dict[str, str]]:
    """The fields typed into the template (resuming unsaved text); abort if none."""
    from .editing import (
        TEMPLATE,
        edit_file,
        kept_message,
        parse_template,
        read_unsaved,
        resuming_note,
        unsaved_path,
    )

    if not sys.stdin.isatty() and not os.environ.get("EDITOR") and not os.environ.get("VISUAL"):
        raise BragError('no text given and no terminal for an editor: brag add "what you did"')
    draft = unsaved_path(journal.root, "add")
    initial = read_unsaved(draft)
    if initial is not None:
        note(resuming_note(draft))
    text = edit_file(draft, TEMPLATE if initial is None else initial, "brag add")
    fields = parse_template(text)
    if not fields:
        from .editing import discard

        discard(draft)  # the template untouched or emptied: nothing to keep
        raise CommandExit("Aborted: nothing added", exit_code=1)
    if not fields.get("title"):
        raise BragError(
            kept_message("no title on the first line: nothing added", draft, "brag add")
        )
    return draft, fields


# -- brag list and brag search --------------------------------------------------------


def list_entries(
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
    """``brag list``: entries newest first, or strongest first with ``rank``."""
    journal = state.journal()
    start, end = resolve_period(since, until, period)
    if audience and not rank:
        raise BragError("--audience only changes the order with --rank")
    query: dict[str, Any] = {
        "since": start.isoformat() if start else None,
        "until": end.isoformat() if end else None,
        "tags": clean_tags(tags),
        "include_private": not no_private,
        "newest_first": not reverse,
    }
    if not rank:
        _print_matches(state, journal, as_json, not as_json, limit=limit, **query)
        return
    entries = list(journal.entries(**query))
    warn_broken(journal)
    if not as_json:
        inbox_reminder(journal)
    from . import impact
    from .exporting import bulk, impact_cache, today
    from .listing import format_line

    lens = impact.get_lens(audience, impact.load_lenses(journal.config))
    cache = impact_cache(journal)
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
        echo(masked(dumps(rows)))
        return
    if not ranked:
        echo("No entries.", err=True)
    paint = styler(state)
    for entry, result in ranked:
        line = masked(format_line(entry, paint))
        echo(f"{paint(f'{result.total:6.2f}', fg='blue')}  {line}")


def search_entries(
    state: State,
    words: tuple[str, ...],
    since: str | None,
    until: str | None,
    period: str | None,
    tags: tuple[str, ...],
    limit: int | None,
    as_json: bool,
) -> None:
    """``brag search``: entries with every word in title, impact or body."""
    if not "".join(words).strip():
        # `brag search ""` (an unset shell variable, say) would match every entry.
        raise UsageProblem("give a word to search for, e.g. brag search latency")
    journal = state.journal()
    start, end = resolve_period(since, until, period)
    _print_matches(
        state,
        journal,
        as_json,
        False,
        text=" ".join(words),
        since=start.isoformat() if start else None,
        until=end.isoformat() if end else None,
        tags=clean_tags(tags),
        limit=limit,
    )


def _print_matches(
    state: State, journal: Journal, as_json: bool, remind: bool, **query: Any
) -> None:
    """Print the entries ``query`` selects (see :meth:`brag.index.Index.query`):
    JSON, coloured lines, or, piped, the lines the index holds ready."""
    from .listing import format_line, unstyled

    paint = styler(state)
    if as_json or paint is not unstyled:
        entries = list(journal.entries(**query))
        lines = None
    else:
        lines = journal.index.lines(**query)
    warn_broken(journal)
    if remind:
        inbox_reminder(journal)
    if as_json:
        echo(masked(dumps([_list_dict(e) for e in entries])))
        return
    if lines is None:
        lines = [format_line(entry, paint) for entry in entries]
    if not lines:
        echo("No entries.", err=True)
        return
    # One write, not one per entry: a write and a flush per line add up over thousands.
    echo(masked("\n".join(lines)))


def _list_dict(entry: Entry) -> dict[str, Any]:
    data = entry.to_dict()
    data.pop("body", None)
    return data


# -- brag coach ---------------------------------------------------------------------


def coach(
    state: State,
    since: str | None,
    until: str | None,
    period: str | None,
    target: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """``brag coach``: the journal's review for the target level (kept, so a run on
    an unchanged journal reads no entry)."""
    from . import coach as coaching
    from . import impact, outputs
    from .exporting import bulk, impact_cache, today
    from .inbox import Settings, counts, for_documents
    from .ladder import journal_ladder

    journal = state.journal()
    start, end = resolve_period(since, until, period)
    day = today(end)
    start = start or day - dt.timedelta(days=364)
    warn_broken(journal)

    # A finished review is kept: a warm run with nothing changed reads no entry.
    kept = outputs.key(journal, "coach", start, end, day, target, show_all, as_json)
    found = outputs.read(journal, kept)
    if found is not None:
        _echo_styled(state, found[0])
        return

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
        import json

        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = review_text(result, show_all)
    outputs.write(journal, kept, text)
    _echo_styled(state, text)


def review_text(result: Any, show_all: bool, limit: int = 20) -> str:
    """The coach's review as the terminal shows it, styled as ``click.style`` would
    style it (the codes are taken out where the output shows no colour)."""
    from .text import entries

    lines: list[str] = []
    say = lines.append
    stats = result.stats
    target = f", target {result.target}" if result.target else " (set [user] target_level)"
    heading = f"Coach: {entries(result.entries)}, {result.since} to {result.until}"
    say(style(heading, bold=True) + target)
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
        say(style("No findings: this reads like a strong case.", fg="green"))
        return "\n".join(lines) + "\n"
    period = result.balance
    if period:
        say("")
        say(style("The period", bold=True))
        for f in period:
            say(f"  {style('!', fg='yellow')} {f.problem}")
            say(f"    Fix: {f.fix}")
    per_entry = [f for f in result.findings if f.entry_id]
    if per_entry:
        say("")
        say(style("Entries", bold=True))
        shown = per_entry if show_all else per_entry[:limit]
        for f in shown:
            say(f"  {style(f.entry_id, fg='yellow')} {f.entry_title} ({f.date}): {f.problem}")
            say(f"    Fix: {f.fix}")
        if len(per_entry) > len(shown):
            say(f"  … {len(per_entry) - len(shown)} more (brag coach --all, or --json)")
    return "\n".join(lines) + "\n"


def _echo_styled(state: State, text: str) -> None:
    """Text carrying :func:`style` codes, printed as ``click.echo`` prints it: the
    codes kept where the output shows colour, taken out elsewhere."""
    color = state.color
    if color is None:
        color = sys.stdout is not None and _is_terminal(sys.stdout)
    if not color:
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    echo(text, nl=False)
