"""The quick lane: ``brag add``, ``list``, ``search`` and ``coach`` without click.

The first three run many times a day, and a list answers in a few milliseconds
once the index is read: importing click (with ``typing``, ``inspect`` and the
rest it brings) took longer than the command's own work; the coach reads a
whole year, and importing click was a twentieth of it. :func:`main` parses the
plain forms of the four commands by itself, from the same tables click's
commands are built from (:data:`COMMANDS`), and runs the same functions
(:mod:`brag.commands`). Anything it does not recognise as plainly correct
(``--help``, an unknown option, a count that is not a number, ``add`` without
text, a plugin allowed to replace the command) goes to click, which then parses
everything again and explains any mistake in its own words. So the lane changes
how fast a command starts, never what it does.
"""

from __future__ import annotations

from .launch import split_top
from .vocabulary import AREAS, LEVERAGE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

#: Kinds of parameter.
FLAG = "flag"  # --json
VALUE = "value"  # --impact TEXT (the last one given wins)
MANY = "many"  # --tag TAG, repeatable
COUNT = "count"  # -n N: a whole number from 0 to brag.checks.MAX_COUNT
WORDS = "words"  # the command's free words (nargs=-1)


class Param:
    """One command-line parameter, as click declares it and the quick lane reads it."""

    __slots__ = ("decls", "dest", "kind", "metavar", "help", "required", "choices")

    def __init__(
        self,
        decls: tuple[str, ...],
        dest: str,
        kind: str,
        metavar: str | None = None,
        help: str | None = None,
        required: bool = False,
        choices: tuple[str, ...] = (),
    ):
        self.decls = decls
        self.dest = dest
        self.kind = kind
        self.metavar = metavar
        self.help = help
        self.required = required
        self.choices = choices  # any of these, in any case (click.Choice)


#: ``--since``, ``--until`` and ``--period``: the same on every command that takes a period.
PERIOD = (
    Param(
        ("--since", "-s"),
        "since",
        VALUE,
        "DATE",
        "From this date: 2026-03-01, 'last friday', '30 days ago', a period's start.",
    ),
    Param(("--until", "-u"), "until", VALUE, "DATE", "Up to this date (inclusive)."),
    Param(
        ("--period", "-p"),
        "period",
        VALUE,
        "PERIOD",
        "Both ends at once: 2026, 2026H2, 2026Q3, last-quarter, this-year …",
    ),
)

JSON = Param(("--json",), "as_json", FLAG, help="Print JSON for scripts.")

ADD = (
    Param(("text",), "text", WORDS),
    Param(("--impact", "-i"), "impact", VALUE, "TEXT", "The outcome, in words."),
    Param(("--tag", "-t"), "tags", MANY, "TAG", "A tag (repeatable)."),
    Param(
        ("--area", "-a"),
        "areas",
        MANY,
        "AREA",
        f"Impact area (repeatable): {', '.join(AREAS)}.",
    ),
    Param(
        ("--leverage", "-l"),
        "leverage",
        VALUE,
        help="How the work had leverage.",
        choices=LEVERAGE,
    ),
    Param(("--with", "-w"), "with_", MANY, "NAME", "A collaborator (repeatable)."),
    Param(
        ("--metric", "-m"),
        "metrics",
        MANY,
        "'NAME: A -> B'",
        "A measured result, e.g. 'p99: 800ms -> 200ms' (repeatable).",
    ),
    Param(("--url",), "url", VALUE, "URL", "Link to the evidence (PR, doc, dashboard)."),
    Param(("--date", "-d"), "when", VALUE, "DATE", "When it happened (default: today)."),
    Param(("--body", "-b"), "body", VALUE, "TEXT", "Longer notes (Markdown)."),
    Param(("--private",), "private", FLAG, help="Never exported unless --include-private."),
    Param(
        ("--follow-up",),
        "follow_up",
        VALUE,
        "WHEN",
        "Ask for the result later: 30d, 6w, 3m from the entry's date, or a date.",
    ),
    Param(("--feedback",), "feedback", FLAG, help="Feedback you received (needs --from)."),
    Param(("--from",), "giver", VALUE, "NAME", "Who gave the feedback."),
    Param(("--future",), "future", FLAG, help="Allow a date after today."),
    Param(("--force",), "force", FLAG, help="Add even if it looks like a recent entry."),
    JSON,
)

LIST = (
    *PERIOD,
    Param(
        ("--tag", "-t"),
        "tags",
        MANY,
        "TAG",
        "Only entries with this tag (repeatable: all must match).",
    ),
    Param(("-n", "--limit"), "limit", COUNT, "N", "At most N entries."),
    Param(("--reverse", "-r"), "reverse", FLAG, help="Oldest first."),
    Param(("--no-private",), "no_private", FLAG, help="Hide private entries."),
    Param(("--rank",), "rank", FLAG, help="Strongest first, with each entry's impact score."),
    Param(
        ("--audience", "-A"),
        "audience",
        VALUE,
        "LENS",
        "Score for this reader with --rank (default manager).",
    ),
    JSON,
)

SEARCH = (
    Param(("words",), "words", WORDS, required=True),
    *PERIOD,
    Param(("--tag", "-t"), "tags", MANY, "TAG", "Only with this tag."),
    Param(("-n", "--limit"), "limit", COUNT, "N", "At most N entries."),
    JSON,
)

COACH = (
    *PERIOD,
    Param(
        ("--target", "-T"), "target", VALUE, "LEVEL", "Target level (default [user] target_level)."
    ),
    Param(("--all",), "show_all", FLAG, help="List every entry finding, not the first 20."),
    JSON,
)

#: Command -> (its parameters, the function in brag.commands that runs it).
COMMANDS: dict[str, tuple[tuple[Param, ...], str]] = {
    "add": (ADD, "add"),
    "list": (LIST, "list_entries"),
    "search": (SEARCH, "search_entries"),
    "coach": (COACH, "coach"),
}


def parse(params: Sequence[Param], args: Sequence[str]) -> dict[str, Any] | None:
    """``args`` as the values click would hand the command, or ``None`` when they
    are not plainly correct: click then parses them and names any mistake."""
    from .checks import MAX_COUNT

    by_name = {decl: param for param in params if param.kind != WORDS for decl in param.decls}
    values: dict[str, Any] = {}
    words: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--" or arg in ("-h", "--help"):
            return None
        if not arg.startswith("-") or arg == "-":
            words.append(arg)
            continue
        name, given, attached = arg, None, False
        if arg.startswith("--") and "=" in arg:
            name, _, given = arg.partition("=")
            attached = True
        elif not arg.startswith("--") and len(arg) > 2:
            name, given, attached = arg[:2], arg[2:], True  # -n20
        param = by_name.get(name)
        if param is None:
            return None
        if param.kind == FLAG:
            if attached:
                return None  # --json=yes, -rn: click's to explain or combine
            values[param.dest] = True
            continue
        if not attached:
            if not rest:
                return None
            given = rest.pop(0)
        assert given is not None
        if param.kind == MANY:
            values[param.dest] = (*values.get(param.dest, ()), given)
        elif param.kind == COUNT:
            if not (given.isascii() and given.isdigit()) or int(given) > MAX_COUNT:
                return None
            values[param.dest] = int(given)
        elif param.choices:
            chosen = [c for c in param.choices if c.casefold() == given.casefold()]
            if not chosen:
                return None
            values[param.dest] = chosen[0]
        else:
            values[param.dest] = given
    for param in params:
        if param.kind == WORDS:
            if param.required and not words:
                return None
            values[param.dest] = tuple(words)
            words = []
        elif param.dest not in values:
            values[param.dest] = False if param.kind == FLAG else () if param.kind == MANY else None
    if words:
        return None  # free words the command takes none of
    return values


def main(args: Sequence[str]) -> int | None:
    """Run ``args`` in the quick lane and return the exit code, or ``None`` when
    the command is not one it runs plainly (click runs it instead)."""
    top = split_top(args)
    if top is None:
        return None
    name, directory, debug, rest = top
    if name not in COMMANDS:
        return None
    params, function = COMMANDS[name]
    values = parse(params, rest)
    if values is None or (name == "add" and not " ".join(values["text"]).strip()):
        return None  # `brag add` with no text opens the editor: click's prompts and checks
    from . import commands

    state = commands.State(directory, debug)
    try:
        try:
            if state.may_use_plugin_for(name):
                return None
            run: Callable[..., None] = getattr(commands, function)
            run(state, **values)
        finally:
            state.done_writing()
    except BrokenPipeError:
        raise
    except (Exception, KeyboardInterrupt) as exc:
        message, code, show_traceback = commands.failure(exc, debug)
        if show_traceback:
            commands.echo(commands.traceback_text(), err=True)
        elif message is not None:
            from .errors import CommandExit

            prefix = "" if isinstance(exc, CommandExit) else "Error: "
            commands.echo(prefix + message, err=True)
        return code
    return 0
