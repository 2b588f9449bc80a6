"""The ``brag`` command line: parse, call the core, print. The only place that exits.

The commands live in one module per subject (``entries``, ``imports``,
``exports``, ``insights``, ``admin``, ``sync``) and are loaded lazily: the group
knows each command's module and one-line help, so ``brag --help`` imports none
of them and ``brag add`` imports only :mod:`brag.cli.entries`. GitPython,
Jinja2, rich, httpx and plugin discovery are imported only by the commands that
need them.

Every command exits through :meth:`BragGroup.invoke`: a :class:`~brag.errors.BragError`
becomes one line (``--debug`` shows the traceback), a
:class:`~brag.errors.CommandExit` its own message and exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import __version__
from ..commands import (
    State,
    clean_tags,
    failure,
    note,
    resolve_period,
    split_values,
    traceback_text,
    warn,
    warn_broken,
)
from ..errors import CommandExit
from ..quick import COUNT, FLAG, JSON, MANY, PERIOD, VALUE, WORDS, Param

# What the command modules take from here; the click-free half lives in brag.commands.
__all__ = [
    "State",
    "clean_tags",
    "note",
    "resolve_period",
    "split_values",
    "warn",
    "warn_broken",
]

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# `brag import` with no SOURCE: exit codes for unattended runs (docs/unattended.md).
EXIT_IMPORTED = 0
EXIT_IMPORT_FAILED = 1
EXIT_NOTHING_NEW = 3

#: Built-in commands: name -> ("module:attribute", the first paragraph of its help).
#: The help is what ``brag --help`` lists without importing the module;
#: tests/test_cli.py checks it against each command's docstring.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("entries:add", "Note an accomplishment. With no TEXT, opens $EDITOR on a template."),
    "check": ("admin:check", "Find broken, uncommitted, duplicated or conflicting entries."),
    "coach": (
        "insights:coach",
        "Review the journal like a good manager: missing numbers, activity instead of "
        "outcomes, jargon, balance for your target level, long gaps.",
    ),
    "completion": ("admin:completion", "Print the shell completion script for SHELL."),
    "config": ("admin:config", "Read and change brag.toml settings (each change is a commit)."),
    "demo": ("admin:demo", "Try brag on a sample journal: brief and HTML report."),
    "edit": ("entries:edit", "Edit an entry in $EDITOR, or set fields with options."),
    "export": ("exports:export", "Write a document from the journal, impact first."),
    "import": ("imports:import_", "Pull in merged PRs, incidents, design docs, spreadsheets."),
    "inbox": (
        "inbox:inbox",
        "Entries that wait for your judgement: add the why, the result, or drop them.",
    ),
    "init": ("admin:init", "Create a journal (a git repository with brag.toml)."),
    "ladder": (
        "ladder:ladder",
        "Your evidence against your career ladder: each competency, its evidence, the gaps.",
    ),
    "list": ("entries:list_", "List entries, newest first (or strongest first with --rank)."),
    "people": ("ladder:people", "People you worked with (the entries' 'with' field), with counts."),
    "plugins": ("admin:plugins", "Installed plugins and the hooks each implements."),
    "remote": ("sync:remote", "Set or show the git remote to sync with."),
    "rm": ("entries:rm", "Remove entries from the journal. They stay in git history."),
    "search": ("entries:search", "Find entries by words in title, impact or body."),
    "show": (
        "entries:show",
        "Show one entry and how its impact score is made. ID may be any unique prefix.",
    ),
    "stats": ("insights:stats", "Entries per month, by area, leverage and source."),
    "sync": (
        "sync:sync_command",
        "Fetch from the remote, rebase local entries onto it, and push.",
    ),
    "tags": ("entries:tags", "Tags with counts, most used first."),
}


def terminal_width(max_width: int) -> int:
    """The width help is wrapped to, as click works it out, without importing
    :mod:`shutil` (and the compression modules it pulls in) for ``--help``."""
    import os

    from click import formatting

    if formatting.FORCED_WIDTH is not None:
        return formatting.FORCED_WIDTH
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, max_width) - 2, 50)


class BragContext(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        max_width = self.max_content_width or 80
        width = self.terminal_width or terminal_width(max_width)
        return self.formatter_class(width=width, max_width=max_width)


class ShortOptions:
    """Short options (``-n 20``) matched as directly as long ones.

    click tries every option as a long one first and, for ``-n``, builds a "no
    such option" error (importing difflib, looking up its translations) before
    it falls back to the short form: about 3 ms of each command that uses one.
    Registered under the long table too, ``-n`` is found at once; ``-n5`` and
    ``-vv`` still take click's short-option path. (click's own tables: where a
    release lacks them, nothing changes.)"""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)  # type: ignore[misc]
        long_opts = getattr(parser, "_long_opt", None)
        short_opts = getattr(parser, "_short_opt", None)
        if isinstance(long_opts, dict) and isinstance(short_opts, dict):
            for name, option in short_opts.items():
                long_opts.setdefault(name, option)
        return parser


class BragCommand(ShortOptions, click.Command):
    """Every built-in command's class (see :class:`ShortOptions`)."""


class ShortOptionsGroup(ShortOptions, click.Group):
    """A plain group of built-in commands (see :class:`ShortOptions`)."""

    command_class = BragCommand


class BragGroup(ShortOptions, click.Group):
    """A click group that loads a command's module only when that command is used,
    turns BragError into one clear line, and loads plugin commands only when a
    name is not built in (or the full list is asked for)."""

    context_class = BragContext
    command_class = BragCommand
    _plugins_loaded = False
    #: What a subcommand is, in "unknown …" messages.
    noun = "command"

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.lazy = lazy or {}

    def _load_plugin_commands(self) -> None:
        if BragGroup._plugins_loaded:
            return
        BragGroup._plugins_loaded = True
        from ..manager import get_plugin_manager, plugin_commands_possible

        if not plugin_commands_possible():
            return
        get_plugin_manager(hooks=("register_commands",)).hook.register_commands(cli=self)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add a command; a plugin's command never silently takes a built-in's name."""
        name = name or cmd.name
        if self is cli and name in self.lazy and BragGroup._plugins_loaded:
            from ..manager import keep_or_override

            module = getattr(getattr(cmd, "callback", None), "__module__", None) or "a plugin"
            if not keep_or_override("command", name, "brag", module.split(".")[0]):
                return
        super().add_command(cmd, name)

    def _plugin_may_replace(self, ctx: click.Context, name: str) -> bool:
        """Whether the user let a plugin take the built-in command ``name`` (in the
        journal ``--dir`` names: :meth:`invoke` made the State before resolving)."""
        state = ctx.find_object(State)
        return state is not None and state.may_use_plugin_for(name)

    def _load_lazy(self, cmd_name: str) -> click.Command:
        module_name, attr = self.lazy[cmd_name][0].split(":")
        full_name = f"{__name__}.{module_name}"
        # __import__, not importlib.import_module: `python -X importtime` sees it.
        __import__(full_name)
        command: click.Command = getattr(sys.modules[full_name], attr)
        return command

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            if self is cli and self._plugin_may_replace(ctx, cmd_name):
                self._load_plugin_commands()
                command = super().get_command(ctx, cmd_name)
                if command is not None:
                    return command
            return self._load_lazy(cmd_name)
        if command is None and self is cli:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        if self is cli:
            self._load_plugin_commands()
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = args[0] if args else ""
            if not name or name.startswith("-") or "No such command" not in str(exc):
                raise
            import difflib

            known = self.list_commands(ctx)
            close = difflib.get_close_matches(name, known, n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise click.UsageError(
                f"unknown {self.noun} '{name}'{hint} (choose from {', '.join(known)})", ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, with built-in commands' help from the table (no imports)."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None and name in self.lazy:
                command = click.Command(name, help=self.lazy[name][1])
            elif command is None:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in rows])

    def invoke(self, ctx: click.Context) -> Any:
        if self is cli and not isinstance(ctx.obj, State):
            # Before the command is resolved: whether a plugin may replace it is
            # read from the journal --dir names.
            _new_state(ctx, ctx.params.get("directory"), bool(ctx.params.get("debug")))
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            raise  # `brag … | head`: main() ends quietly
        except (Exception, KeyboardInterrupt) as exc:
            state = ctx.find_object(State)
            message, code, show_traceback = failure(exc, state is not None and state.debug)
            if show_traceback:
                click.echo(traceback_text(), err=True)
            elif isinstance(exc, (CommandExit, KeyboardInterrupt)):
                if message:
                    click.echo(message, err=True)
            else:
                error = click.ClickException(message or "")
                error.exit_code = code  # type: ignore[misc]  # a ClassVar in newer click
                raise error from None
            raise click.exceptions.Exit(code) from (exc if show_traceback else None)


class Count(click.IntRange):
    """A count option (``-n``, ``--top``): a whole number from 0 to a sane maximum."""

    name = "count"

    def __init__(self, minimum: int = 0, maximum: int = 1_000_000):
        super().__init__(min=minimum, max=maximum)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value)
            if self.max is not None and number > self.max:
                self.fail(f"{value} is more than brag can use (at most {self.max:,})", param, ctx)
        return super().convert(value, param, ctx)


def _click_attrs(param: Param) -> dict[str, Any]:
    """click's keyword arguments for one row of a quick-lane table (:mod:`brag.quick`)."""
    if param.kind == WORDS:
        return {"nargs": -1, "required": param.required}
    attrs: dict[str, Any] = {"help": param.help}
    if param.metavar:
        attrs["metavar"] = param.metavar
    if param.kind == FLAG:
        attrs["is_flag"] = True
    elif param.kind == MANY:
        attrs["multiple"] = True
    elif param.kind == COUNT:
        attrs["type"] = Count()
    elif param.kind == VALUE and param.choices:
        attrs["type"] = click.Choice(param.choices, case_sensitive=False)
    return attrs


def table_options(params: tuple[Param, ...]) -> Callable[[F], F]:
    """A command's parameters from its quick-lane table, in the table's order: the
    quick lane and click read the same declarations."""

    def apply(f: F) -> F:
        for param in reversed(params):
            attrs = _click_attrs(param)
            if param.kind == WORDS:
                f = click.argument(param.dest, **attrs)(f)
            else:
                f = click.option(*param.decls, param.dest, **attrs)(f)
        return f

    return apply


def json_option(f: F) -> F:
    return table_options((JSON,))(f)


def period_params() -> list[click.Parameter]:
    """``-s``, ``-u``, ``-p`` in that order: the same on every command."""
    return [click.Option([*p.decls, p.dest], **_click_attrs(p)) for p in PERIOD]


def period_options(f: F) -> F:
    """Add ``--since/-s``, ``--until/-u``, ``--period/-p``, in that order."""
    if isinstance(f, click.Command):
        f.params[:0] = period_params()
        return f
    return table_options(PERIOD)(f)


def with_examples(text: str, examples: tuple[str, ...] | list[str]) -> str:
    """A command's help with its example lines under "Examples"."""
    if not examples:
        return text
    lines = "\n".join(f"  {example}" for example in examples)
    return f"{text.rstrip()}\n\n\b\nExamples:\n{lines}"


def target_short_flag(params: list[click.Parameter]) -> list[click.Parameter]:
    """``-T`` means ``--target`` on every command, a plugin's included."""
    for param in params:
        if isinstance(param, click.Option) and "--target" in param.opts and "-T" not in param.opts:
            param.opts.append("-T")
    return params


@click.group(cls=BragGroup, context_settings=CONTEXT_SETTINGS, lazy=LAZY_COMMANDS)
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
    if not isinstance(ctx.obj, State):
        _new_state(ctx, directory, debug)


def _new_state(ctx: click.Context, directory: str | None, debug: bool) -> None:
    """The invocation's :class:`State`, with colour as click.echo would decide it;
    its write lock, if taken, is released when the command ends."""
    color = ctx.color
    if color is None:
        # click's own test, the one click.echo makes (CliRunner(color=...) replaces it).
        from click._compat import should_strip_ansi

        color = not should_strip_ansi(sys.stdout)
    ctx.obj = State(directory, debug, color=color)
    ctx.call_on_close(ctx.obj.done_writing)


def main() -> None:
    try:
        cli(prog_name="brag")
    except BrokenPipeError:
        # `brag list | head`: stop quietly, like other Unix tools.
        sys.stderr.close()
        sys.exit(0)
