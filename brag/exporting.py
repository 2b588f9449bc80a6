"""What every exporter shares: its description and the context it renders from.

An exporter never reads files: :func:`run_export` (what ``brag export``,
``brag demo`` and third-party code call) selects entries from the journal
(period, privacy, the exporter's window) and hands them over in an
:class:`ExportContext`.

An exporter either renders text itself (``render``) or, better, builds a plain
dict (``build``) that brag renders with the template ``NAME.FORMAT.j2`` (the
journal's ``templates/`` folder first, then the built-in ones) or writes as JSON
for ``--format json``. Every bullet it prints should come from
:meth:`ExportContext.reframe`, which asks the ``reframe_entry`` hook first and
falls back to brag's built-in, deterministic wording.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import BragError, PluginError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable
    from pathlib import Path

    import click

    from .entry import Entry
    from .impact import Analysis, Lens, Reframed, Score
    from .journal import Journal

#: Set to an ISO date to fix "today" (reproducible documents, tests, demos).
TODAY_ENV = "BRAG_TODAY"


def today(until: dt.date | None = None) -> dt.date:
    """The day a document is written "as of": ``$BRAG_TODAY``, else the end of the
    requested period when that is in the past, else the real date."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise BragError(f"{TODAY_ENV}={fixed!r} is not a date (use YYYY-MM-DD)") from None
    real = dt.date.today()
    return until if until is not None and until < real else real


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command reads and ranks a
    whole journal: tens of thousands of short-lived objects, no cycles worth
    collecting, and a collector that would otherwise run hundreds of times
    (a tenth of an export's time on a 10,000-entry year).

    On the way out, what was made meanwhile joins the oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``, which moves objects without looking at
    them) instead of being walked by the first collection after ``gc.enable()``:
    a pass over every object of the year, 35-40 ms, for a process about to end.
    Cycles among them are still collected by the next full collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


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
    #: The date the document is written as of (recency, "this week", gaps).
    today: dt.date = field(default_factory=dt.date.today)
    #: The plugin hook caller (``pm.hook``) asked for ``reframe_entry``; None: built-in only.
    hook: Any = field(default=None, repr=False)
    #: For an entry that stands for a story recorded more than once, the ids of
    #: every entry of that story (itself first): see :meth:`select`.
    stories: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # Analyses by entry identity: the entries of one export are not edited meanwhile.
    _analyses: dict[int, Analysis] = field(default_factory=dict, repr=False)
    # The content digests the index kept for the entries read from it, by identity.
    _digests: dict[int, bytes] = field(default_factory=dict, repr=False)
    # The entries read from the index that it found alone: no duplicate among the
    # entries read (see brag.duplicates.groups), by identity.
    _alone: set[int] = field(default_factory=set, repr=False)
    # What select() kept, by identity (held here, so no id is reused meanwhile).
    _selected: dict[int, Entry] = field(default_factory=dict, repr=False)
    # A helper process with the document's template ready (brag.render.Beside), if any.
    _beside: Any = field(default=None, repr=False)

    def select(self, entries: list[Entry]) -> None:
        """Use ``entries`` (oldest first), each story once: a win recorded twice
        within two weeks shows as its latest entry, unless the user kept both on
        purpose (see :mod:`brag.duplicates`). Every exporter reads the result."""
        from .duplicates import groups

        drop: set[str] = set()
        self.stories = {}
        for group in groups(entries, alone=self._alone):
            *older, latest = group
            drop.update(e.id for e in older)
            self.stories[latest.id] = [latest.id, *(e.id for e in reversed(older))]
        self.entries = [e for e in entries if e.id not in drop]
        self._selected = {id(e): e for e in self.entries}

    def one_story_each(self, entries: list[Entry]) -> bool:
        """Whether ``entries`` are all entries :meth:`select` kept, unchanged (not
        retold with an outcome): no two of them can then be one story, so they
        need no grouping again (see :func:`brag.impact.figures.evidence`)."""
        kept = self._selected
        return bool(kept) and all(kept.get(id(e)) is e for e in entries)

    def story_ids(self, entry: Entry) -> list[str]:
        """Every entry id behind ``entry``'s story (itself first)."""
        return self.stories.get(entry.id, [entry.id])

    # -- configuration, read once ------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        return self.journal.config

    @property
    def lens(self) -> Lens:
        """The audience lens: built-in or ``[lenses.NAME]`` from brag.toml."""
        if "lens" not in self._cache:
            from .impact import get_lens, load_lenses

            self._cache["lens"] = get_lens(self.audience, load_lenses(self.config))
        lens: Lens = self._cache["lens"]
        return lens

    @property
    def glossary(self) -> dict[str, str]:
        if "glossary" not in self._cache:
            from .impact import load_glossary

            self._cache["glossary"] = load_glossary(self.config)
        glossary: dict[str, str] = self._cache["glossary"]
        return glossary

    @property
    def keywords(self) -> dict[str, list[str]]:
        if "keywords" not in self._cache:
            from .impact import load_keywords

            self._cache["keywords"] = load_keywords(self.config)
        keywords: dict[str, list[str]] = self._cache["keywords"]
        return keywords

    # -- the impact engine, through the hooks --------------------------------

    def analysis(self, entry: Entry) -> Analysis:
        """What the impact engine reads from ``entry`` (numbers, areas, leverage, tree)."""
        found = self._analyses.get(id(entry))
        if found is None:
            from .impact import analyse

            found = self._analyses[id(entry)] = analyse(entry, self.keywords)
        return found

    def score(self, entry: Entry) -> Score:
        from .impact import score

        return score(entry, self.lens, self.today, self.keywords, found=self.analysis(entry))

    def analyse(self, entries: list[Entry]) -> None:
        """Make the analysis of each of ``entries`` in one loop (a period's worth is
        read by ranking and by every figure): :meth:`analysis` then only looks up."""
        from .impact.analysis import analyse_all

        known = self._analyses
        missing = [e for e in entries if id(e) not in known]
        if missing:
            pairs = analyse_all(missing, self.keywords, self._digests)
            for entry, (_, found) in zip(missing, pairs, strict=True):
                known[id(entry)] = found

    def analyses(self, entries: list[Entry]) -> list[Analysis]:
        """:meth:`analysis` of each of ``entries``, in order: for a loop over a year."""
        self.analyse(entries)
        return list(map(self._analyses.__getitem__, map(id, entries)))

    def ranked(self, entries: list[Entry] | None = None) -> list[tuple[Entry, Score]]:
        """Entries (default: all of the context's) strongest first for the audience."""
        from .impact import rank

        chosen = self.entries if entries is None else entries
        return rank(chosen, self.lens, self.today, self.keywords, found=self.analyses(chosen))

    def reframe(self, entry: Entry) -> Reframed:
        """The entry's impact-first wording for this audience.

        Plugins answer through the ``reframe_entry`` hook (first non-None
        wins): a string replaces the headline, a :class:`~brag.impact.Reframed`
        replaces everything. With no plugin answer the built-in wording is used.
        """
        from .impact import Reframed, reframe

        built_in = _inert(reframe(entry, self.lens, self.glossary, keywords=self.keywords))
        if self.hook is None:
            return built_in
        answer = self.hook.reframe_entry(entry=entry, audience=self.lens.name, journal=self.journal)
        if answer is None:
            return built_in
        if isinstance(answer, Reframed):
            return _inert(answer)
        if isinstance(answer, str) and answer.strip():
            headline = " ".join(answer.split())
            text = f"{headline} ({built_in.link})" if built_in.link else headline
            return Reframed(
                headline, "", built_in.link, built_in.metrics, built_in.areas, text, headline,
                built_in.lens,
            )  # fmt: skip
        raise BragError(
            f"a reframe_entry plugin returned {type(answer).__name__}; expected a string or None"
        )


def _inert(framed: Reframed) -> Reframed:
    """``framed`` with its evidence link made safe for every format (see brag.links):
    a ``javascript:`` or ``data:`` link is dropped, never printed or made clickable."""
    from dataclasses import replace

    from .links import export_href

    link = export_href(framed.link)
    if link == framed.link:
        return framed
    text = framed.text
    if framed.link and text.endswith(f" ({framed.link})"):
        text = text[: -len(f" ({framed.link})")] + (f" ({link})" if link else "")
    return replace(framed, link=link, text=text)


@dataclass
class Exporter:
    """A document kind: ``brag export NAME``.

    Give either ``render(ctx) -> str`` or ``build(ctx) -> dict``. With
    ``build``, brag renders the dict with the template ``TEMPLATE.FORMAT.j2``
    (``template`` defaults to the exporter's name) and writes it as JSON for
    ``--format json``. ``after(ctx)`` runs once the document was written (the
    1:1 agenda uses it to remember the date); it may return a one-line note for
    the user ("nothing new to record"), which is not an error. ``window(ctx)`` narrows what is
    read from the journal when the user gave no period (a weekly status needs
    a week, not the whole journal).
    """

    name: str
    help: str
    render: Callable[[ExportContext], str] | None = None
    formats: tuple[str, ...] = ("md",)
    # Template file names this exporter renders (shown by ``brag export --list``).
    templates: tuple[str, ...] = ()
    params: list[click.Parameter] = field(default_factory=list)
    build: Callable[[ExportContext], dict[str, Any]] | None = None
    template: str = ""
    after: Callable[[ExportContext], str | None] | None = None
    #: The entries to load when no --since is given: ``window(ctx) -> (since, until)``
    #: (``ctx.entries`` is empty when it is called). Without it, everything is loaded.
    window: Callable[[ExportContext], tuple[dt.date | None, dt.date | None]] | None = None
    #: A folder of templates this exporter ships (a path, or
    #: ``importlib.resources.files("pkg") / "templates"``): searched after the
    #: journal's ``templates/`` and before the built-in ones.
    template_dir: str | os.PathLike[str] | Traversable | None = None
    #: One to three command lines shown under "Examples" in ``brag export NAME --help``.
    examples: tuple[str, ...] = ()

    def template_for(self, fmt: str) -> str | None:
        """The template file ``fmt`` is rendered with (None for JSON or ``render``)."""
        if self.build is None or fmt == "json":
            return None
        return f"{self.template or self.name}.{fmt}.j2"

    def template_names(self) -> list[str]:
        names = list(self.templates)
        for fmt in self.formats:
            name = self.template_for(fmt)
            if name and name not in names:
                names.append(name)
        return names

    def run(self, ctx: ExportContext) -> str:
        """The document as text, in ``ctx.format``."""
        if self.render is not None:
            return self.render(ctx)
        if self.build is None:
            raise BragError(f"exporter {self.name!r} has neither render nor build")
        data = self.build(ctx)
        if ctx.format == "json":
            import json

            return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
        from .render import render

        name = self.template_for(ctx.format)
        assert name is not None
        beside, ctx._beside = ctx._beside, None
        if beside is not None:
            text = beside.render(data)
            if text is not None:
                return text
        return render(name, data, ctx.journal.root)


def impact_cache(journal: Journal) -> Path:
    """Where analyses of entries are kept between runs: next to the index, out of git."""
    return journal.index.location.parent / "impact-cache.pickle"


def _plugin_hook() -> Any:
    from .manager import EXPORT_HOOKS, get_plugin_manager

    return get_plugin_manager(hooks=EXPORT_HOOKS).hook


def _guarded(exporter: Exporter, what: str, call: Callable[[], Any]) -> Any:
    """Call a piece of an exporter; an unexpected exception names the plugin in one line."""
    try:
        return call()
    except BragError:
        raise
    except Exception as exc:
        from .importing import plugin_of

        origin = plugin_of(getattr(exporter, what, None) or exporter.build or exporter.render)
        raise PluginError(
            f"exporter '{exporter.name}' (plugin {origin}) failed: {type(exc).__name__}: {exc}"
        ) from exc


def find_exporter(kind: str) -> Exporter:
    """The installed exporter called ``kind``, or a BragError listing the available ones."""
    from .manager import exporters

    available = exporters()
    exporter = available.get(kind)
    if exporter is None:
        raise BragError(f"no exporter '{kind}' (available: {', '.join(sorted(available))})")
    return exporter


@dataclass
class ExportResult:
    """What :func:`run_export` produced: the document, and where it went."""

    kind: str
    format: str
    text: str
    #: The file written, or None when the text is for standard output.
    path: Path | None = None
    #: True when ``path`` was chosen by brag (an HTML page asked for on a terminal).
    default_path: bool = False
    entries: int = 0
    #: Entry files that could not be read and were left out.
    broken: list[Any] = field(default_factory=list)
    #: What the exporter's ``after`` step had to say ("nothing new to record"), or "".
    note: str = ""


def run_export(
    journal: Journal,
    kind: str | Exporter,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    audience: str | None = None,
    format: str | None = None,
    include_private: bool = False,
    options: dict[str, Any] | None = None,
    output: str | os.PathLike[str] | None = None,
    html_to_file: bool = False,
    hook: Any = None,
) -> ExportResult:
    """Write one document from the journal: the one path every export takes.

    Picks the entries (the period given, else the exporter's ``window``, else
    everything; private ones only with ``include_private``), reads the impact
    cache, renders, writes ``output`` if given (``-`` or None: the text is only
    returned), runs the exporter's ``after`` step and saves the cache.
    ``options`` are the exporter's own options (at their defaults when left
    out). ``html_to_file`` writes an HTML document with no ``output`` to
    ``brag-KIND.html`` (what ``brag export`` does on a terminal). ``hook`` is the
    plugin hook caller (default: the installed plugins').
    """

    exporter = find_exporter(kind) if isinstance(kind, str) else kind
    fmt = format or exporter.formats[0]
    if fmt not in exporter.formats:
        raise BragError(
            f"{exporter.name} can be written as {', '.join(exporter.formats)}, not {fmt}"
        )
    default_path = False
    if output is None and fmt == "html" and html_to_file:
        output, default_path = f"brag-{exporter.name}.html", True
    context = ExportContext(
        journal=journal,
        entries=[],
        since=since,
        until=until,
        audience=audience or "manager",
        format=fmt,
        include_private=include_private,
        options={**default_options(exporter), **(options or {})},
        today=today(until),
        hook=_plugin_hook() if hook is None else hook,
    )
    # An unknown audience or a bad [lenses]/[glossary]/[impact] table fails
    # before any work.
    context.lens, context.glossary, context.keywords  # noqa: B018
    first, last = since, until
    if since is None and exporter.window is not None:
        window = exporter.window
        first, last = _guarded(exporter, "window", lambda: window(context))
    from . import outputs

    # A finished document is kept: a warm run with nothing changed reads no entry.
    kept = None
    if hook is None and _cacheable(exporter):
        kept = outputs.key(
            journal,
            "export",
            exporter.name,
            fmt,
            since,
            until,
            first,
            last,
            context.audience,
            include_private,
            sorted(context.options.items()),
            outputs.stat_files(context.options.values()),
            context.today,
        )
    found = outputs.read(journal, kept)
    with bulk():
        if found is not None:
            text, count = found
            return _finish(journal, exporter, context, text, count, output, default_path)
        keyed = journal.entries_keyed(
            since=first.isoformat() if first else None,
            until=last.isoformat() if last else None,
            include_private=include_private,
            newest_first=False,
        )
        entries = [entry for entry, _, _ in keyed]
        template = exporter.template_for(fmt) if exporter.render is None else None
        if kept is not None and template:
            # A big document's template made ready on the other core meanwhile.
            from .render import BESIDE_MIN, beside

            if len(entries) >= BESIDE_MIN:
                context._beside = beside(template, journal.root)
        try:
            text = _build(journal, exporter, context, keyed, first, last)
        finally:
            if context._beside is not None:  # not used: something failed before
                context._beside.close()
                context._beside = None
        outputs.write(journal, kept, text, len(context.entries))
        return _finish(journal, exporter, context, text, len(context.entries), output, default_path)


def _build(
    journal: Journal,
    exporter: Exporter,
    context: ExportContext,
    keyed: list[tuple[Entry, bytes, bool]],
    first: dt.date | None,
    last: dt.date | None,
) -> str:
    """The document's text from the entries read (``keyed``, with their digests)."""
    from . import impact
    from .inbox import with_outcomes

    entries = [entry for entry, _, _ in keyed]
    context._digests = {id(entry): digest for entry, digest, _ in keyed}
    context._alone = {id(entry) for entry, _, alone in keyed if alone}
    cache = impact_cache(journal)
    impact.load_cache(cache)
    # Each story once, for every exporter (see ExportContext.select).
    context.select(entries)
    # A measured outcome leads over the launch wording, in the period it landed in.
    context.entries = with_outcomes(
        journal, context.entries, first, last, include_private=context.include_private
    )
    text: str = _guarded(exporter, "build", lambda: exporter.run(context))
    impact.save_cache(cache)
    return text


def _finish(
    journal: Journal,
    exporter: Exporter,
    context: ExportContext,
    text: str,
    count: int,
    output: str | os.PathLike[str] | None,
    default_path: bool,
) -> ExportResult:
    """Write the document where asked and run the exporter's ``after`` step."""
    from pathlib import Path

    path = None
    if output is not None and str(output) != "-":
        path = Path(output)
        path.write_text(text, encoding="utf-8")
    note = ""
    if exporter.after is not None:
        after = exporter.after
        said = _guarded(exporter, "after", lambda: after(context))
        note = said.strip() if isinstance(said, str) else ""
    return ExportResult(
        kind=exporter.name,
        format=context.format,
        text=text,
        path=path,
        default_path=default_path,
        entries=count,
        broken=journal.broken(),
        note=note,
    )


def _cacheable(exporter: Exporter) -> bool:
    """Whether the document can be kept: only brag's own exporters, with no other
    plugin installed (a plugin may reword entries or read data of its own)."""
    parts = (exporter.build, exporter.render, exporter.window, exporter.after)
    if any(p is not None and not getattr(p, "__module__", "").startswith("brag.plugins.")
           for p in parts):  # fmt: skip
        return False
    try:
        from .manager import EXPORT_HOOKS, get_plugin_manager, is_builtin

        pm = get_plugin_manager(hooks=EXPORT_HOOKS)
        return all(is_builtin(pm.get_name(plugin)) for plugin in pm.get_plugins())
    except Exception:
        return False


def default_options(exporter: Exporter) -> dict[str, Any]:
    """The exporter's own options at their defaults, exactly as ``brag export`` parses them."""
    if not exporter.params:
        return {}
    import click

    command = click.Command(exporter.name, params=list(exporter.params))
    return dict(command.make_context(exporter.name, [], resilient_parsing=True).params)


def explain_entry(
    journal: Journal, entry: Entry, audience: str | None = None, *, hook: Any = None
) -> dict[str, Any]:
    """How an audience reads one entry (what ``brag show`` explains), through the same
    :class:`ExportContext` as exports, so a plugin's ``reframe_entry`` wording applies."""
    context = ExportContext(
        journal=journal,
        entries=[entry],
        since=None,
        until=None,
        audience=audience or "manager",
        today=today(),
        hook=_plugin_hook() if hook is None else hook,
    )
    found = context.analysis(entry)
    result = context.score(entry)
    framed = context.reframe(entry)
    return {
        "audience": context.lens.name,
        "areas": list(found.areas),
        "areas_inferred": found.areas_inferred,
        "leverage": found.leverage,
        "leverage_inferred": found.leverage_inferred,
        "tree": found.tree,
        "metrics": [m.describe() for m in found.metrics],
        "reframed": framed.text,
        "score": result.to_dict(),
        "explain": result.explain(),
    }
