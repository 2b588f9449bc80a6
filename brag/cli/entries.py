"""``brag add``, ``list``, ``search``, ``show``, ``edit``, ``rm`` and ``tags``: the entries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..checks import check_date, check_metric, check_tags, check_url
from ..entry import AREAS, LEVERAGE, Entry, parse_metric
from ..errors import BragError, CommandExit, EntryError
from ..listing import format_line, unstyled
from ..text import strip_control
from . import (
    BragCommand,
    Count,
    State,
    clean_tags,
    json_option,
    note,
    period_options,
    resolve_period,
    split_values,
    warn,
    warn_broken,
)

if TYPE_CHECKING:
    from ..journal import Journal


def _check_choices(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    lowered = [v.lower() for v in values]
    bad = [v for v in lowered if v not in allowed]
    if bad:
        raise click.BadParameter(
            f"unknown {what} {', '.join(map(repr, bad))}; choose from {', '.join(allowed)}"
        )
    return lowered


@click.command(cls=BragCommand)
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
@click.option(
    "--follow-up",
    "follow_up",
    metavar="WHEN",
    help="Ask for the result later: 30d, 6w, 3m from the entry's date, or a date.",
)
@click.option("--feedback", is_flag=True, help="Feedback you received (needs --from).")
@click.option("--from", "giver", metavar="NAME", help="Who gave the feedback.")
@click.option("--future", is_flag=True, help="Allow a date after today.")
@click.option("--force", is_flag=True, help="Add even if it looks like a recent entry.")
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
    follow_up: str | None,
    feedback: bool,
    giver: str | None,
    future: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Note an accomplishment. With no TEXT, opens $EDITOR on a template.

    \b
    brag add "Cut checkout p99 from 800ms to 200ms" -i "cart abandonment down 3%" -t perf
    brag add "Mentored two new hires" --area people --leverage interpersonal --with "Sam Lee"
    brag add --private "Negotiated the vendor contract renewal"
    brag add "Shipped the new checkout" --follow-up 30d
    brag add --feedback --from "Priya N" "Your design review saved us a quarter"
    """
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
            from ..dates import parse_date

            date = parse_date(date_text)
        leverage = leverage or fields.get("leverage") or None
        entry = Entry(
            title=title,
            date=check_date(date, future),
            impact=(impact if impact is not None else fields.get("impact", "")).strip(),
            tags=check_tags(clean_tags(tags + (fields.get("tags", ""),))),
            areas=_check_choices(split_values(areas + (fields.get("areas", ""),)), AREAS, "area"),
            leverage=_check_choices([leverage], LEVERAGE, "leverage")[0] if leverage else "",
            with_=split_values(with_ + (fields.get("with", ""),)),
            metrics=[check_metric(parse_metric(m), m) for m in metrics],
            url=check_url(url or fields.get("url", "")),
            private=private,
            body=body if body is not None else fields.get("body", ""),
        )
        if entry.body and not entry.body.endswith("\n"):
            entry.body += "\n"
        if giver is not None:
            from ..inbox import FEEDBACK

            entry.kind, entry.from_ = FEEDBACK, " ".join(giver.split())
        if follow_up is not None:
            from ..inbox import parse_follow_up

            entry.follow_up = parse_follow_up(follow_up, entry.date)
        _ensure_journal(state, journal)
        journal.check_usable()
        _refuse_duplicate(journal, entry, force)
        state.writable()
        journal.add(entry)
    except (BragError, click.BadParameter) as exc:
        if draft is None:
            raise
        from ..editing import kept_message

        reason = exc.format_message() if isinstance(exc, click.BadParameter) else str(exc)
        raise BragError(kept_message(f"nothing added: {reason}", draft, "brag add")) from None
    if draft is not None:
        from ..editing import discard

        discard(draft)
    if as_json:
        click.echo(_masked(_dumps(entry.to_dict(), indent=None)))
    else:
        marker = " (private)" if entry.private else ""
        if entry.from_:
            marker = f" (feedback from {_plain(entry.from_)}){marker}"
        click.echo(f"Added {entry.id}: {_plain(entry.title)}{marker}")
        if entry.follow_up:
            click.echo(f"Follow-up on {entry.follow_up}: brag inbox will ask for the result.")
    state.changed(journal)
    if not as_json:
        _inbox_reminder(journal)


def _ensure_journal(state: State, journal: Journal) -> None:
    """The very first journal is created (and said where); a missing default is never
    silently replaced by a new one."""
    from ..journal import ensure_for_writing

    created = ensure_for_writing(journal, explicit=state.directory)
    if created:
        click.echo(created, err=True)


def _refuse_duplicate(journal: Journal, entry: Entry, force: bool) -> None:
    """Refuse the same win twice within the duplicate window; ``force`` keeps both and
    records that they are distinct."""
    from ..checks import describe_day
    from ..duplicates import DISTINCT_FIELD, WINDOW_DAYS, find_match
    from ..text import shorten

    other = find_match(entry, _nearby(journal, entry.date, WINDOW_DAYS))
    if other is None:
        return
    if force:
        entry.extra[DISTINCT_FIELD] = [other.id]
        return
    raise CommandExit(
        f"Not added: looks like {other.id} from {describe_day(other.date)}: "
        f"'{shorten(other.title, 50)}'; add --force to keep both "
        f"(or 'brag edit {other.id}' to add to it)"
    )


def _nearby(journal: Journal, day: dt.date, days: int) -> list[Entry]:
    """Entries filed in the month folders within ``days`` of ``day``. Each file is
    stat'ed and taken from the index when its row matches, else read: exact, with
    no git process and no index to build on the way to a write. A heavy importer
    files a thousand entries a month; parsing them all on every add cost more
    than everything else the command does."""
    from ..journal import ENTRIES_DIR

    window = dt.timedelta(days=days)
    months = sorted({(d.year, d.month) for d in (day - window, day, day + window)})
    use_index = journal.index.location.exists()
    found: list[Entry] = []
    for year, month in months:
        folder = f"{ENTRIES_DIR}/{year:04d}/{month:02d}"
        if use_index:
            cached, unread = journal.index.folder_entries(
                folder, (day - window).isoformat(), (day + window).isoformat()
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


def _inbox_reminder(journal: Journal) -> None:
    """Once a day after an import: how many imported entries wait for an impact."""
    from ..recovery import inbox_state

    # The inbox module costs a few ms to import and most runs have nothing to
    # say: look for an unannounced import in its state file first.
    try:
        pending = '"imported"' in inbox_state(journal.root).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if not pending:
        return
    from ..inbox import reminder

    line = reminder(journal)
    if line:
        note(line)


def _edit_template(journal: Journal) -> tuple[Path, dict[str, str]]:
    """The fields typed into the template (resuming unsaved text); abort if none."""
    from ..editing import (
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
        from ..editing import discard

        discard(draft)  # the template untouched or emptied: nothing to keep
        raise CommandExit("Aborted: nothing added", exit_code=1)
    if not fields.get("title"):
        raise BragError(
            kept_message("no title on the first line: nothing added", draft, "brag add")
        )
    return draft, fields


def _print_matches(journal: Journal, as_json: bool, remind: bool, **query: Any) -> None:
    """Print the entries ``query`` selects (see :meth:`brag.index.Index.query`):
    JSON, coloured lines, or, piped, the lines the index holds ready."""
    style = _styler()
    if as_json or style is not unstyled:
        entries = list(journal.entries(**query))
        lines = None
    else:
        lines = journal.index.lines(**query)
    warn_broken(journal)
    if remind:
        _inbox_reminder(journal)
    if as_json:
        click.echo(_masked(_dumps([_list_dict(e) for e in entries])))
        return
    if lines is None:
        lines = [format_line(entry, style) for entry in entries]
    if not lines:
        click.echo("No entries.", err=True)
        return
    # One write, not one per entry: click.echo costs a few microseconds a call
    # (stream lookup, ANSI stripping when piped), which adds up over thousands.
    # Uncoloured, the text holds no escape sequence (every field is stripped of
    # control characters): click need not search it for codes to strip.
    click.echo(_masked("\n".join(lines)), color=True if style is unstyled else None)


def _list_dict(entry: Entry) -> dict[str, Any]:
    data = entry.to_dict()
    data.pop("body", None)
    return data


def _plain(text: str, one_line: bool = True) -> str:
    """Entry text as the terminal may show it: no escape sequences or control
    characters (imported and synced text is untrusted)."""
    return strip_control(text, keep_newlines=not one_line)


def _dumps(data: Any, indent: int | None = 2) -> str:
    import json  # not at the top: brag add prints no JSON unless asked

    return json.dumps(data, ensure_ascii=False, indent=indent)


def _masked(text: str) -> str:
    from ..secrets import mask

    return mask(text)


def _styler() -> Callable[..., str]:
    """``click.style`` when stdout shows colour, else a function that adds none:
    click.echo would strip the codes again, so a piped list of thousands of
    entries does not style them at all."""
    ctx = click.get_current_context(silent=True)
    color = ctx.color if ctx is not None else None
    if color is None:
        # click's own test, the one click.echo makes (CliRunner(color=...) replaces it).
        from click._compat import should_strip_ansi

        color = not should_strip_ansi(sys.stdout)
    if color:
        return click.style
    return unstyled


@click.command(name="list", cls=BragCommand)
@period_options
@click.option(
    "--tag",
    "-t",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Only entries with this tag (repeatable: all must match).",
)
@click.option("-n", "--limit", type=Count(), metavar="N", help="At most N entries.")
@click.option("--reverse", "-r", is_flag=True, help="Oldest first.")
@click.option("--no-private", is_flag=True, help="Hide private entries.")
@click.option("--rank", is_flag=True, help="Strongest first, with each entry's impact score.")
@click.option(
    "--audience", "-A", metavar="LENS", help="Score for this reader with --rank (default manager)."
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
    query: dict[str, Any] = {
        "since": start.isoformat() if start else None,
        "until": end.isoformat() if end else None,
        "tags": clean_tags(tags),
        "include_private": not no_private,
        "newest_first": not reverse,
    }
    if not rank:
        _print_matches(journal, as_json, not as_json, limit=limit, **query)
        return
    entries = list(journal.entries(**query))
    warn_broken(journal)
    if not as_json:
        _inbox_reminder(journal)
    from .. import impact
    from ..exporting import bulk, impact_cache, today

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
        click.echo(_masked(_dumps(rows)))
        return
    if not ranked:
        click.echo("No entries.", err=True)
    style = _styler()
    for entry, result in ranked:
        line = _masked(format_line(entry, style))
        click.echo(f"{style(f'{result.total:6.2f}', fg='blue')}  {line}")


@click.command(cls=BragCommand)
@click.argument("words", nargs=-1, required=True)
@period_options
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Only with this tag.")
@click.option("-n", "--limit", type=Count(), metavar="N", help="At most N entries.")
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

    \b
    brag search latency
    brag search checkout p99 --since 2026 -t perf
    brag search "on-call" -n 5 --json
    """
    journal = state.journal()
    start, end = resolve_period(since, until, period)
    _print_matches(
        journal,
        as_json,
        False,
        text=" ".join(words),
        since=start.isoformat() if start else None,
        until=end.isoformat() if end else None,
        tags=clean_tags(tags),
        limit=limit,
    )


@click.command(cls=BragCommand)
@click.argument("entry_id", metavar="ID")
@click.option("--raw", is_flag=True, help="Print the file exactly as stored.")
@click.option("--audience", "-A", metavar="LENS", help="Explain the score for this reader.")
@json_option
@click.pass_obj
def show(state: State, entry_id: str, raw: bool, audience: str | None, as_json: bool) -> None:
    """Show one entry and how its impact score is made. ID may be any unique prefix.

    \b
    brag show 3f9c
    brag show 3f9c -A cfo          # how a CFO would read it
    brag show 3f9c --raw           # the file as stored
    """
    from ..exporting import explain_entry

    journal = state.journal()
    entry = journal.get(entry_id)
    if as_json:
        data = entry.to_dict()
        data["analysis"] = explain_entry(journal, entry, audience)
        # Beside the score: the entry's own "competencies" key holds its pins.
        data["analysis"]["competencies"] = [m.to_dict() for m in _competencies(journal, entry)[1]]
        click.echo(_masked(_dumps(data)))
        return
    if raw:
        text = (journal.root / entry.path).read_text(encoding="utf-8")
        click.echo(_masked(_plain(text, one_line=False)), nl=False)
        return
    click.echo(click.style(_masked(_plain(entry.title)), bold=True))
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
        ("kind", entry.kind),
        ("from", entry.from_),
        ("follow-up", entry.follow_up.isoformat() if entry.follow_up else ""),
        ("inbox cleared", entry.inbox_cleared.isoformat() if entry.inbox_cleared else ""),
        ("file", entry.path),
    ]
    for metric in entry.metrics:
        value = f"{metric.get('value', '')} {metric.get('unit', '')}".strip()
        if "before" in metric and "after" in metric:
            unit = metric.get("unit", "")
            value = f"{metric['before']} → {metric['after']} {unit}".strip()
        rows.append(("metric", f"{metric.get('name', '')}: {value}"))
    if entry.outcome:
        from ..inbox import outcome_line

        rows.append(("outcome", outcome_line(entry)))
    for key, value in entry.extra.items():
        rows.append((key, str(value)))
    for name, value in rows:
        if value:
            click.echo(f"  {click.style(name + ':', fg='cyan'):<20} {_masked(_plain(value))}")
    if entry.body.strip():
        click.echo()
        click.echo(_masked(_plain(entry.body.rstrip("\n"), one_line=False)))
    analysis = explain_entry(journal, entry, audience)
    click.echo()
    click.echo(click.style(f"Impact score for {analysis['audience']}", bold=True))
    how = {True: "inferred", False: "explicit"}
    click.echo(
        f"  areas: {', '.join(analysis['areas']) or '-'} ({how[analysis['areas_inferred']]}); "
        f"leverage: {analysis['leverage']} ({how[analysis['leverage_inferred']]}); "
        f"tree {analysis['tree']}"
    )
    click.echo(f"  reads as: {_masked(_plain(analysis['reframed']))}")
    for line in analysis["explain"].splitlines():
        click.echo(f"  {_masked(_plain(line))}")
    label, matches = _competencies(journal, entry)
    click.echo()
    click.echo(click.style(f"Competencies ({label})", bold=True))
    for match in matches:
        click.echo(f"  {_plain(match.name)} ({match.competency}): {_plain(match.reason)}")
    if not matches:
        click.echo(f"  none: pin one with brag edit {entry.id} --competency ID")


def _competencies(journal: Journal, entry: Entry) -> tuple[str, list[Any]]:
    """Which ladder competencies ``entry`` shows and why (see brag.ladder.map_entry)."""
    from .. import impact
    from ..ladder import LADDER_FILE, LadderError, journal_ladder, map_entry

    try:
        ladder = journal_ladder(journal.root)
    except LadderError as exc:
        warn(f"{exc} (competencies not shown)")
        return LADDER_FILE, []
    found = impact.analyse(entry, impact.load_keywords(journal.config))
    label = "the built-in ladder" if ladder.is_default else LADDER_FILE
    return label, map_entry(entry, ladder, found)


@click.command(cls=BragCommand)
@click.argument("entry_id", metavar="ID")
@click.option("--title", metavar="TEXT", help="Set the title without an editor.")
@click.option("--impact", "-i", metavar="TEXT", help="Set the impact without an editor.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Add a tag.")
@click.option("--untag", multiple=True, metavar="TAG", help="Remove a tag.")
@click.option("--url", metavar="URL", help="Set the evidence link.")
@click.option("--date", "-d", "when", metavar="DATE", help="Move it to another day.")
@click.option("--private/--public", default=None, help="Change whether it is private.")
@click.option("--future", is_flag=True, help="Allow a date after today.")
@click.option(
    "--merge",
    "merge_ids",
    multiple=True,
    metavar="OTHER",
    help="Fold a duplicate into this entry and remove it, in one commit.",
)
@click.option(
    "--competency",
    "competencies",
    multiple=True,
    metavar="ID",
    help="Pin a ladder competency to the entry (brag ladder show lists the ids).",
)
@click.option(
    "--no-competency",
    "no_competencies",
    multiple=True,
    metavar="ID",
    help="Never map the entry to this competency.",
)
@click.pass_obj
def edit(
    state: State,
    entry_id: str,
    title: str | None,
    impact: str | None,
    tags: tuple[str, ...],
    untag: tuple[str, ...],
    url: str | None,
    when: str | None,
    private: bool | None,
    future: bool,
    merge_ids: tuple[str, ...],
    competencies: tuple[str, ...],
    no_competencies: tuple[str, ...],
) -> None:
    """Edit an entry in $EDITOR, or set fields with options.

    The result is validated, then committed; a new date or title moves the file
    with it. If the edited file does not parse, you are asked to reopen it (on a
    terminal) or the edit is refused and saved aside: the entry is never left
    broken and your text is never lost.

    \b
    brag edit 3f9c
    brag edit 3f9c -i "cart abandonment down 3%" -t perf --untag wip
    brag edit 3f9c --merge a71b          # 'brag check' lists likely duplicates
    """
    from ..recovery import check_repo_state

    journal = state.journal()
    check_repo_state(journal)  # refuse before the user spends time in the editor
    entry = journal.get(entry_id)
    _conflict_hint(journal, entry)
    options = (title, impact, url, private, when)
    pinning = (competencies, no_competencies)
    if any(v is not None for v in options) or tags or untag or merge_ids or any(pinning):
        _edit_with_options(
            state, journal, entry, title, impact, tags, untag, url, when, private, future,
            merge_ids, pinning,
        )  # fmt: skip
        return
    _edit_in_editor(state, journal, entry)


def _edit_with_options(
    state: State,
    journal: Journal,
    entry: Entry,
    title: str | None,
    impact: str | None,
    tags: tuple[str, ...],
    untag: tuple[str, ...],
    url: str | None,
    when: str | None,
    private: bool | None,
    future: bool,
    merge_ids: tuple[str, ...],
    pinning: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> None:
    from ..dates import parse_date
    from ..duplicates import merge
    from ..text import shorten

    before = entry.to_markdown()
    earlier = dataclasses.replace(entry)  # to tell whether the edit clears an inbox item
    same: list[str] = []  # what already was as asked
    if title is not None:
        if not title.strip():
            raise BragError("the title cannot be empty")
        if title.strip() == entry.title:
            same.append("already has that title")
        entry.title = title.strip()
    if impact is not None:
        if impact.strip() == entry.impact:
            same.append("already has that impact")
        entry.impact = impact.strip()
    if when is not None:
        day = check_date(parse_date(when), future)
        if day == entry.date:
            same.append(f"is already dated {day.isoformat()}")
        entry.date = day
    if url is not None:
        link = check_url(url)
        if link == entry.url:
            same.append("already has that link")
        entry.url = link
    if private is not None:
        if entry.private == private:
            same.append(f"is already {'private' if private else 'public'}")
        entry.private = private
    drop = {t.casefold() for t in clean_tags(untag)}
    had = {t.casefold() for t in entry.tags}
    same += [f"has no tag '{t}'" for t in clean_tags(untag) if t.casefold() not in had]
    entry.tags = [t for t in entry.tags if t.casefold() not in drop]
    added = check_tags(clean_tags(tags))
    same += [f"already has tag '{t}'" for t in added if t.casefold() in had - drop]
    entry.tags += [t for t in added if t.casefold() not in {x.casefold() for x in entry.tags}]
    if any(pinning):
        from ..ladder import journal_ladder, set_pins

        add, remove = (split_values(ids) for ids in pinning)
        if not set_pins(entry, journal_ladder(journal.root), add, remove):
            same.append("already has those competencies")
    others: list[Entry] = []
    for other_id in merge_ids:
        other = journal.get(other_id)
        if other.id == entry.id:
            raise BragError(f"cannot merge {entry.id} into itself")
        if other.id not in {o.id for o in others}:
            others.append(other)
    for other in others:
        merge(entry, other)
    if entry.to_markdown() == before and not others:
        click.echo(f"Nothing to change: {entry.id} {_plain(' and '.join(same)) or 'is already so'}")
        return
    old_path = entry.path
    state.writable()
    _clear_inbox_item(journal, entry, earlier)
    message = None
    if others:
        names = ", ".join(f'"{shorten(o.title, 30)}"' for o in others)
        message = f'brag: merge {names} into "{shorten(entry.title, 40)}"'
    journal.update(entry, message, remove=others)
    for other in others:
        click.echo(
            f"Merged {other.id} into {entry.id} (removed {other.path}; still in git history)"
        )
    moved = f" (moved to {entry.path})" if entry.path != old_path else ""
    click.echo(f"Updated {entry.id}: {_plain(shorten(entry.title))}{moved}")
    _resolved(journal, entry)
    state.changed(journal)


def _edit_in_editor(state: State, journal: Journal, entry: Entry) -> None:
    """The editor path of ``brag edit``: unsaved text kept, concurrent changes merged."""
    from ..editing import (
        base_path,
        discard,
        edit_file,
        kept_message,
        read_unsaved,
        resuming_note,
        unsaved_path,
    )

    command = f"brag edit {entry.id}"
    scratch = unsaved_path(journal.root, f"edit-{entry.id}")
    current_text = _read_text(journal, entry.path)
    initial = read_unsaved(scratch)
    base_text = read_unsaved(base_path(scratch))
    if initial is not None and base_text is not None:
        note(resuming_note(scratch))
    else:
        # The entry as the editor opens it: what a concurrent change is measured against.
        initial = base_text = current_text
        scratch.parent.mkdir(parents=True, exist_ok=True)
        base_path(scratch).write_text(base_text, encoding="utf-8", newline="")
    while True:
        text = edit_file(scratch, initial, command)
        if text == base_text:
            discard(scratch)
            click.echo(f"Nothing to change: {entry.id} is as it was")
            _resolved(journal, entry)
            return
        try:
            edited = Entry.from_markdown(text, entry.path)
            if edited.id != entry.id:
                raise EntryError(f"the id cannot change (was {entry.id})", entry.path)
            break
        except EntryError as exc:
            if sys.stdin.isatty() and click.confirm(f"{exc}\nReopen the editor?", default=True):
                initial = text
                continue
            raise BragError(kept_message(f"not saved: {exc}", scratch, command)) from None
    from ..testpoints import pause

    pause("edit-before-save")
    state.writable()  # only now: an open editor must not hold the write lock
    _clear_inbox_item(journal, edited, entry)
    try:
        saved, conflicts = _save_edit(journal, entry, base_text, edited)
    except BragError as exc:
        raise BragError(kept_message(f"not saved: {exc}", scratch, command)) from None
    discard(scratch)
    click.echo(f"Updated {saved.id}: {_plain(saved.title)}")
    if not conflicts:
        _resolved(journal, saved)
    state.changed(journal)
    if conflicts:
        raise CommandExit(conflicts, exit_code=1)


def _read_text(journal: Journal, rel: str) -> str:
    try:
        with open(journal.root / rel, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise EntryError(f"not UTF-8 text ({exc.reason})", rel) from None


def _save_edit(
    journal: Journal, entry: Entry, base_text: str, edited: Entry
) -> tuple[Entry, str | None]:
    """Save ``edited``, merging what changed in the file since the editor opened.

    Returns the saved entry and, when both sides changed the same field, the
    conflict message (the other version is kept beside the entry, as sync does).
    """
    from ..editing import content_hash, describe, merge_three_way

    journal._changed()
    try:
        now_entry = journal.get(entry.id)
        current_text = _read_text(journal, now_entry.path)
    except (FileNotFoundError, BragError):
        raise BragError(f"entry {entry.id} was removed while the editor was open") from None
    edited.created = entry.created
    edited.path = now_entry.path
    if content_hash(current_text) == content_hash(base_text):
        return journal.update(edited), None
    base = Entry.from_markdown(base_text, entry.path)
    current = Entry.from_markdown(current_text, now_entry.path)
    merged, clashes = merge_three_way(base, current, edited)
    if not clashes:
        note(f"{entry.id} changed while the editor was open: both changes are merged")
        return journal.update(merged, f'brag: edit "{merged.title}" (merged)'), ""
    from ..sync import theirs_path

    other = theirs_path(now_entry.path)
    journal._refuse_links(journal.root / other)
    (journal.root / other).write_text(current_text, encoding="utf-8", newline="")
    saved = journal.update(merged, f'brag: edit "{merged.title}" (conflict kept)')
    return saved, (
        f"{entry.id} was changed while the editor was open and both changed "
        f"{describe(clashes)}: your version is saved, the other is kept in {other}; "
        f"merge what you want with 'brag edit {entry.id}' (see 'brag check')"
    )


def _clear_inbox_item(journal: Journal, entry: Entry, before: Entry) -> None:
    """Editing an inbox item is a decision on it: it leaves the inbox."""
    from ..inbox import Settings, clear_after_edit

    clear_after_edit(entry, before, settings=Settings.from_config(journal.config))


def _conflict_hint(journal: Journal, entry: Entry) -> None:
    from ..sync import theirs_path

    other = theirs_path(entry.path)
    if (journal.root / other).exists():
        note(
            f"this entry was changed on two machines: the other version is in {other}; "
            "saving this edit resolves the conflict"
        )


def _resolved(journal: Journal, entry: Entry) -> None:
    from ..sync import resolve

    other = resolve(journal, entry.path)
    if other:
        click.echo(f"Resolved the sync conflict on {entry.id} (removed {other})")


@click.command(cls=BragCommand)
@click.argument("entry_ids", metavar="ID...", nargs=-1, required=True)
@click.pass_obj
def rm(state: State, entry_ids: tuple[str, ...]) -> None:
    """Remove entries from the journal. They stay in git history.

    \b
    brag rm 3f9c
    brag rm 3f9c a71b              # both, e.g. duplicates 'brag check' found
    """
    journal = state.writable()
    entries = [journal.get(i) for i in entry_ids]
    for entry in entries:
        journal.remove(entry)
        click.echo(f"Removed {entry.id}: {_plain(entry.title)} (still in git history)")
    state.changed(journal)


@click.command(cls=BragCommand)
@click.option("--no-private", is_flag=True, help="Leave private entries out of the counts.")
@json_option
@click.pass_obj
def tags(state: State, no_private: bool, as_json: bool) -> None:
    """Tags with counts, most used first.

    \b
    brag tags
    brag tags --no-private --json
    """
    journal = state.journal()
    counts = journal.index.tag_counts(include_private=not no_private)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    if as_json:
        click.echo(_dumps(dict(ordered)))
        return
    if not ordered:
        click.echo('No tags yet: brag add "…" -t TAG', err=True)
    width = max((len(t) for t, _ in ordered), default=0)
    for tag, count in ordered:
        click.echo(f"{tag:<{width}}  {count}")
