"""What the importers that read local files share: the PATH arguments and ``--author``."""

from __future__ import annotations

import click


def paths_argument(metavar: str | None = None) -> click.Argument:
    """``PATH…``: the folders, files or repositories to read (``paths`` in brag.toml)."""
    if metavar:
        return click.Argument(["paths"], nargs=-1, metavar=metavar)
    return click.Argument(["paths"], nargs=-1, type=click.Path())


def author_option(help: str) -> click.Option:
    """``--author`` (repeatable): who "you" are in documents and commits (``authors``)."""
    return click.Option(["--author", "authors"], multiple=True, metavar="EMAIL|NAME", help=help)
