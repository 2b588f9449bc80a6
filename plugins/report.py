"""The HTML impact report: ``brag export report --format html``.

One self-contained page (inline CSS, SVG charts and a few lines of vanilla
JavaScript; nothing loaded from the network), to open from disk, attach to an
email or print to PDF: impact areas over time, leverage and Tree A/B balance
against the target level, the top stories impact first, and every entry with
a filter by text, tag and area.

brag.toml (all optional)::

    [user]
    name = "Your Name"          # shown in the report's heading
    target_level = "staff"      # default for --target

    [export.report]
    top = 8                     # how many top stories (default 8)
    by = "auto"                 # month, quarter or auto (months up to 18 months of data)

Copy ``report.html.j2`` into the journal's ``templates/`` folder to change the
page; the data it receives is described at the top of the template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

import brag
from brag.errors import BragError
from brag.exporting import ExportContext, Exporter

if TYPE_CHECKING:
    from brag.entry import Entry

TEMPLATE = "report.html.j2"
DEFAULT_TOP = 8


def safe_url(url: str) -> str:
    """``url`` if a browser may follow it from the report (http(s) or relative), else "".

    Escaping is not enough for links: ``javascript:alert(1)`` survives HTML
    escaping intact (see :func:`brag.links.export_href`).
    """
    from brag.links import export_href

    return export_href(url)


def report_settings(context: ExportContext) -> dict[str, Any]:
    """Options with brag.toml defaults: target level, top count, time buckets."""
    config = context.journal.config
    section = config.get("export", {}).get("report", {})
    if not isinstance(section, dict):
        raise BragError("[export.report] in brag.toml must be a table")
    from brag.stats import resolve_target

    target = resolve_target(context.options.get("target"), config)
    top = context.options.get("top")
    if top is None:
        top = section.get("top", DEFAULT_TOP)
    by = context.options.get("by") or section.get("by", "auto")
    if by not in ("auto", "month", "quarter"):
        raise BragError(f"export.report.by must be month, quarter or auto, not {by!r}")
    if not isinstance(top, int) or isinstance(top, bool) or top < 0:
        raise BragError(f"export.report.top must be a whole number, not {top!r}")
    return {"target": target, "top": top, "by": by}


def build_context(context: ExportContext) -> dict[str, Any]:
    """The template's data: the summary, the three charts, top stories and entries."""
    from markupsafe import Markup

    from brag import impact, stats, svg
    from brag.dates import describe_period
    from brag.exporting import today as written_on

    today = context.today
    settings = report_settings(context)
    config = context.journal.config
    keywords = context.keywords
    lens = context.lens
    entries = context.entries
    summary = stats.summarise(
        entries,
        target=settings["target"],
        keywords=keywords,
        since=context.since,
        until=context.until,
        by=settings["by"],
        today=today,
        tree_of=stats.ladder_tree_of(context.journal.root, keywords),
    )
    rows = summary["_rows"]

    series = list(summary["areas"])
    colours = {name: svg.colour_for(name, series) for name in series}
    buckets = [b["bucket"] for b in summary["areas_over_time"]]
    areas_chart = svg.stacked_bars(
        [stats.bucket_label(b) for b in buckets],
        series,
        {stats.bucket_label(b["bucket"]): b["counts"] for b in summary["areas_over_time"]},
        title=f"Entries per {summary['by']} by main impact area",
        tooltips=[stats.bucket_label(b, short=False) for b in buckets],
        colours=colours,
    )
    leverage_chart = svg.horizontal_bars(
        [
            (kind, count, svg.LEVERAGE_COLOURS.get(kind, svg.OTHER_COLOUR))
            for kind, count in summary["leverage"].items()
        ],
        title="Entries by leverage",
    )
    tree_chart = svg.tree_bar(summary["tree"])

    top: list[dict[str, Any]] = []
    from brag.impact.figures import evidence

    # Top stories are results: an open risk or a request is listed, not ranked.
    for entry, score in context.ranked(evidence(context.entries))[: settings["top"]]:
        reframed = context.reframe(entry)  # plugins may word it (reframe_entry hook)
        top.append(
            {
                "entry": entry,
                "headline": reframed.headline,
                "outcome": reframed.outcome,
                "action": reframed.action,
                "url": safe_url(entry.url),
                "score": score.total,
                "why": [(name, points, why) for name, points, why in score.parts if points],
                "areas": reframed.areas,
            }
        )

    listed = []
    tags: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r["entry"].date, r["entry"].id), reverse=True):
        item: Entry = row["entry"]
        for tag in item.tags:
            tags[tag] = tags.get(tag, 0) + 1
        listed.append(
            {
                "entry": item,
                "areas": row["areas"],
                "areas_inferred": row["areas_inferred"],
                "leverage": row["leverage"],
                "source": row["source"],
                "url": safe_url(item.url),
                "metrics": [m.describe() for m in impact.entry_metrics(item)],
                "search": " ".join(
                    [item.title, item.impact, *item.tags, *row["areas"], *item.with_]
                ).lower(),  # as the page's script lowers what is typed
            }
        )

    owner = str(config.get("user", {}).get("name", "") or "")
    if context.since or context.until:
        start = context.since or (entries[0].date if entries else context.until or today)
        period = describe_period(start, context.until or max(today, start))
    elif entries:
        period = describe_period(entries[0].date, entries[-1].date)
    else:
        period = "no entries yet"
    return {
        "owner": owner,
        "period": period,
        "generated": written_on().isoformat(),
        "audience": lens.name,
        "summary": stats.public(summary),
        "target": settings["target"],
        "charts": {
            "areas": Markup(areas_chart),
            "leverage": Markup(leverage_chart),
            "tree": Markup(tree_chart),
        },
        "colours": colours,
        "top": top,
        "entries": listed,
        "tags": sorted(tags, key=lambda t: (-tags[t], t.casefold())),
        "areas": series,
        "version": brag.__version__,
    }


def render_report(context: ExportContext) -> str:
    from brag.render import render

    return pin_scripts(render(TEMPLATE, build_context(context), context.journal.root))


CSP_PLACEHOLDER = "'brag-script-hashes'"
_SCRIPT = r"<script>(.*?)</script>"


def own_script_hashes() -> list[str]:
    """The CSP sources for the inline scripts of brag's own report template.

    Only these may run: taken from the built-in template's source, never from
    the rendered page, so a ``<script>`` that reached the page from entry text
    (a user template printing a title with ``| safe``) is not allowed by the
    policy even though it sits in the page.
    """
    import base64
    import hashlib
    import re
    from importlib.resources import files

    source = files("brag.templates").joinpath(TEMPLATE).read_text(encoding="utf-8")
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in re.findall(_SCRIPT, source, flags=re.DOTALL)
        if "{{" not in body and "{%" not in body
    ]


def pin_scripts(html: str) -> str:
    """Allow exactly brag's own inline scripts in the page's Content-Security-Policy.

    The template's CSP names ``'brag-script-hashes'``; it is replaced by the
    SHA-256 of each ``<script>`` block of the built-in template
    (:func:`own_script_hashes`). Inline event handlers (``onerror=``) and any
    other script stay blocked, so even a template that forgot to escape
    something could not run an entry's text. A template without the
    placeholder is left as it is.
    """
    if CSP_PLACEHOLDER not in html:
        return html
    return html.replace(CSP_PLACEHOLDER, " ".join(own_script_hashes()) or "'none'", 1)


@brag.hookimpl
def register_exporters(register: Any) -> None:
    register(
        Exporter(
            name="report",
            help=(
                "HTML report with charts, top stories and all entries.\n\n"
                "One self-contained page (no network): impact areas over time, leverage, "
                "Tree A/B balance against the target level, the top stories impact first, "
                "and every entry with a filter by words, tag and area. With no -o, a "
                "terminal gets brag-report.html in the current folder; a pipe gets the page."
            ),
            render=render_report,
            examples=(
                "brag export report",
                "brag export report -T staff --top 5 -o report.html",
                "brag export report -p 2026 > report.html",
            ),
            formats=("html",),
            templates=(TEMPLATE,),
            params=[
                click.Option(
                    ["--target"],
                    metavar="LEVEL",
                    help="Level to compare Tree B share with: mid, senior, staff, principal "
                    "(default: user.target_level).",
                ),
                click.Option(
                    ["--top"],
                    type=click.IntRange(min=0),
                    help=f"How many top stories (default {DEFAULT_TOP}).",
                ),
                click.Option(
                    ["--by"],
                    type=click.Choice(["auto", "month", "quarter"]),
                    help="Bucket the timeline by month or quarter (default auto).",
                ),
            ],
        )
    )
