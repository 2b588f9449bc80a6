"""An example brag plugin, written from docs/plugins.md alone.

``brag import notes --file NOTES.txt`` reads lines ``YYYY-MM-DD title`` and
``brag export digest`` writes them as a digest through the template this
package ships (``templates/digest.md.j2``).
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import click

import brag


def fetch(ctx: brag.ImportContext):
    name = ctx.option("file")
    if not name:
        raise brag.BragError("notes: give --file or set file in [import.notes]")
    try:
        lines = Path(name).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise brag.BragError(f"notes: cannot read {name}: {exc.strerror}") from None
    ctx.progress.start("Reading notes", total=len(lines))
    for number, line in enumerate(lines, start=1):
        ctx.progress.advance()
        if not line.strip():
            continue
        day, _, title = line.partition(" ")
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            yield (f"line {number}", "does not start with a YYYY-MM-DD date")
            continue
        yield brag.Entry(
            title=title.strip(),
            date=date,
            source="notes",
            source_id=f"{date.isoformat()}:{title.strip()}",
        )
    ctx.state["lines"] = len(lines)


@brag.hookimpl
def register_importers(register):
    register(
        brag.Importer(
            name="notes",
            help="Lines 'YYYY-MM-DD title' from a text file.",
            fetch=fetch,
            params=[click.Option(["--file"])],
            resumable=False,
        )
    )


def build(ctx: brag.ExportContext) -> dict:
    return {
        "title": ctx.options.get("title") or "Digest",
        "bullets": [ctx.reframe(entry).text for entry in ctx.entries],
    }


@brag.hookimpl
def register_exporters(register):
    register(
        brag.Exporter(
            name="digest",
            help="Every entry, one bullet each, impact first.",
            build=build,
            formats=("md",),
            params=[click.Option(["--title"])],
            template_dir=files("brag_example_notes") / "templates",
        )
    )
