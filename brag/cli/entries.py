"""``brag add``, ``list``, ``search``, ``show``, ``edit``, ``rm`` and ``tags``: the entries."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

import click

from .. import commands, quick
from ..checks import check_date, check_tags, check_url
from ..commands import dumps as _dumps
from ..commands import masked as _masked
from ..commands import plain as _plain
from ..entry import Entry
from ..errors import BragError, CommandExit, EntryError
from . import BragCommand, State, clean_tags, json_option, note, split_values, table_options, warn

if TYPE_CHECKING:
    from ..journal import Journal


@click.command(cls=BragCommand)
@table_options(quick.ADD)
@click.pass_obj
def add(state: State, **options: Any) -> None:
    """Note an accomplishment. With no TEXT, opens $EDITOR on a template.

    \b
    brag add "Cut checkout p99 from 800ms to 200ms" -i "cart abandonment down 3%" -t perf
    brag add "Mentored two new hires" --area people --leverage interpersonal --with "Sam Lee"
    brag add --private "Negotiated the vendor contract renewal"
    brag add "Shipped the new checkout" --follow-up 30d
    brag add --feedback --from "Priya N" "Your design review saved us a quarter"
    """
    commands.add(state, **options)


@click.command(name="list", cls=BragCommand)
@table_options(quick.LIST)
@click.pass_obj
def list_(state: State, **options: Any) -> None:
    """List entries, newest first (or strongest first with --rank).

    \b
    brag list -n 20
    brag list --since last-quarter -t perf
    brag list --period 2026H2 --json
    brag list --rank --audience cfo -n 10
    """
    commands.list_entries(state, **options)


@click.command(cls=BragCommand)
@table_options(quick.SEARCH)
@click.pass_obj
def search(state: State, **options: Any) -> None:
    """Find entries by words in title, impact or body.

    Every WORD must appear (any case).

    \b
    brag search latency
    brag search checkout p99 --since 2026 -t perf
    brag search "on-call" -n 5 --json
    """
    commands.search_entries(state, **options)


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
