"""``brag export KIND``: one subcommand per installed exporter, over
:func:`brag.exporting.run_export`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..secrets import mask
from . import (
    CONTEXT_SETTINGS,
    BragCommand,
    BragGroup,
    State,
    json_option,
    period_params,
    resolve_period,
    target_short_flag,
    warn,
    with_examples,
)


def _export(state: State, kind: str, params: dict[str, Any]) -> None:
    from ..exporting import run_export
    from ..rewrite_request import RewriteRequest

    journal = state.journal()
    start, end = resolve_period(params.pop("since"), params.pop("until"), params.pop("period"))
    output = params.pop("output")
    rewrite = RewriteRequest.pop_from(params)
    if rewrite.enabled:
        _export_rewritten(state, kind, params, rewrite, start, end, output)
        return
    result = run_export(
        journal,
        kind,
        since=start,
        until=end,
        audience=params.pop("audience"),
        format=params.pop("fmt"),
        include_private=params.pop("include_private"),
        options=params,
        output=output,
        # A web page is no use on a terminal: write it to a file and say where.
        html_to_file=sys.stdout.isatty(),
    )
    for broken in result.broken:
        warn(f"skipped {broken} (see 'brag check')")
    if result.note:
        click.echo(result.note, err=True)
    if result.path is None:
        click.echo(result.text, nl=not result.text.endswith("\n"))
    elif result.default_path:
        click.echo(f"Wrote {result.path.resolve()} (open it in a browser)", err=True)
    else:
        click.echo(f"Wrote {output}", err=True)


def _export_rewritten(
    state: State,
    kind: str,
    params: dict[str, Any],
    request: Any,
    start: Any,
    end: Any,
    output: str | None,
) -> None:
    from ..errors import CommandExit
    from ..rewrite import export_rewritten, interactive

    outcome = export_rewritten(
        state.journal(), kind, request, since=start, until=end,
        audience=params.pop("audience"), format=params.pop("fmt"),
        include_private=params.pop("include_private"), options=params, output=output,
        confirm=(lambda q: click.confirm(q, default=False, err=True)) if interactive() else None,
    )  # fmt: skip
    for broken in outcome.broken:
        warn(f"skipped {broken} (see 'brag check')")
    for line in outcome.notes:
        click.echo(f"brag: {mask(line)}", err=True)
    if outcome.text:
        click.echo(outcome.text, nl=not outcome.text.endswith("\n"))
    if outcome.path:
        click.echo(f"Wrote {outcome.path}", err=True)
    if outcome.exit_code:
        raise CommandExit("", outcome.exit_code)


def _export_list(state: State, as_json: bool) -> None:
    from ..manager import exporters
    from ..render import template_origin

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

    noun = "export kind"

    def list_commands(self, ctx: click.Context) -> list[str]:
        from ..manager import exporters

        return sorted(exporters())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from ..manager import exporters
        from ..rewrite_request import options as rewrite_options

        exporter = exporters().get(cmd_name)
        if exporter is None:
            return None

        @click.pass_obj
        def callback(state: State, **params: Any) -> None:
            _export(state, exporter.name, params)

        common = [
            *period_params(),
            click.Option(
                ["--audience", "-A"],
                metavar="LENS",
                help="Who will read it: manager (default), exec, cfo, cto, peer.",
            ),
            click.Option(
                ["--format", "-f", "fmt"],
                type=click.Choice(exporter.formats),
                help=f"Output format (default {exporter.formats[0]}).",
            ),
            click.Option(["--output", "-o"], metavar="FILE", help="Write to FILE."),
            click.Option(
                ["--include-private"], is_flag=True, help="Include entries marked private."
            ),
        ]
        return BragCommand(
            exporter.name,
            callback=callback,
            help=with_examples(exporter.help, getattr(exporter, "examples", ())),
            params=[*common, *rewrite_options(), *target_short_flag(list(exporter.params))],
            context_settings=CONTEXT_SETTINGS,
        )


@click.group(name="export", cls=ExportGroup, invoke_without_command=True)
@click.option("--list", "list_kinds", is_flag=True, help="List kinds and the templates they use.")
@json_option
@click.pass_context
def export(ctx: click.Context, list_kinds: bool, as_json: bool) -> None:
    """Write a document from the journal, impact first.

    See brag export KIND --help for each kind's options.

    \b
    brag export one-on-one
    brag export self-review --period 2026H1 --audience exec
    brag export promo-brief -T staff -o brief.md
    brag export --list
    """
    if list_kinds:
        _export_list(ctx.obj, as_json)
    elif ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
