"""What every exporter shares: its description and the context it renders from.

An exporter never reads files: the CLI selects entries from the journal (period,
privacy) and hands them over in an :class:`ExportContext`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from .entry import Entry
    from .journal import Journal


@dataclass
class ExportContext:
    journal: Journal
    entries: list[Entry]
    since: dt.date | None
    until: dt.date | None
    audience: str = "manager"
    format: str = "md"
    include_private: bool = False
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Exporter:
    """A document kind: ``brag export NAME``."""

    name: str
    help: str
    render: Callable[[ExportContext], str]
    formats: tuple[str, ...] = ("md",)
    # Template file names this exporter renders (shown by ``brag export --list``).
    templates: tuple[str, ...] = ()
    params: list[click.Parameter] = field(default_factory=list)
