"""Rewriting a document with a language model, checked against the evidence.

brag writes its own document first, as always. With ``--rewrite`` it then asks
a model of the user's choice, once per document, to improve the wording for
the reader, and keeps the draft only when every claim in it traces back to the
evidence it was given (or to brag's own document) and every evidence link
survived. Otherwise brag's document is printed and the unsupported spans are
listed.

This module knows nothing about any model library: prompts, redaction,
verification, consent and the export flow live here; the one call to a model
is made by the built-in plugin :mod:`brag.plugins.rewrite` (through the
optional ``llm`` library), imported only when a rewrite is actually sent.

Private entries are never sent: ``--rewrite`` refuses ``--include-private``, and
the evidence is built from non-private entries only.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import BragError, ConfigError

# The command line's part, in a module of its own that every export reads.
from .rewrite_request import DEFAULT_TIMEOUT, RewriteRequest, RewriteUnavailable
from .rewrite_request import INSTALL_HINT as INSTALL_HINT
from .rewrite_request import options as options

if TYPE_CHECKING:
    import datetime as dt

    from .entry import Entry
    from .journal import Journal

#: The machine setting listing the models the user agreed to send documents to.
CONSENT_KEY = "llm.models"
#: Formats a model can rewrite (HTML and JSON are built from the Markdown's data).
TEXT_FORMATS = ("md", "txt")
PLACEHOLDER = "REDACTED_{}"
_PLACEHOLDER = re.compile(r"\bREDACTED_(\d+)\b")


# -- settings ----------------------------------------------------------------------------


@dataclass
class Settings:
    """``[llm]`` in brag.toml."""

    model: str | None = None
    redact: list[str] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT


def settings(config: Mapping[str, Any]) -> Settings:
    """``[llm]`` from brag.toml, checked: ``model``, ``redact`` (names), ``timeout``."""
    section = config.get("llm", {})
    if not isinstance(section, Mapping):
        raise ConfigError("[llm] in brag.toml must be a table")
    model = section.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise ConfigError("[llm] model in brag.toml must be a model name")
    redact = section.get("redact", [])
    if isinstance(redact, str):
        redact = [redact]
    if not isinstance(redact, list) or not all(isinstance(n, str) for n in redact):
        raise ConfigError("[llm] redact in brag.toml must be a list of names")
    timeout = section.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("[llm] timeout in brag.toml must be a number of seconds")
    return Settings(
        model=model.strip() if model else None,
        redact=[n.strip() for n in redact if n.strip()],
        timeout=float(timeout),
    )


# -- redaction ------------------------------------------------------------------------


class Redactor:
    """Replace listed names by placeholders before sending, and put them back after.

    Every distinct spelling found gets its own placeholder, so the round trip
    gives back exactly the text that was there.
    """

    def __init__(self, names: Iterable[str]) -> None:
        ordered = sorted({n for n in names if n}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in ordered), re.IGNORECASE)
            if ordered
            else None
        )
        self.placeholders: dict[str, str] = {}
        self._by_text: dict[str, str] = {}

    def redact(self, text: str) -> str:
        if self._pattern is None:
            return text

        def swap(match: re.Match[str]) -> str:
            found = match.group(0)
            if found not in self._by_text:
                placeholder = PLACEHOLDER.format(len(self._by_text) + 1)
                self._by_text[found] = placeholder
                self.placeholders[placeholder] = found
            return self._by_text[found]

        return self._pattern.sub(swap, text)

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.placeholders.get(m.group(0), m.group(0)), text)


# -- what is sent ---------------------------------------------------------------------

RULES = """\
You improve the wording of a document written by brag, a work journal, from \
its author's own entries. Its reader: {reader}

Rules, in order of importance:
1. Say only what the document and the evidence below say. Add no number, money \
figure, percentage, count of teams or people, name, date, link, adoption claim \
or level verdict (such as "staff-level") that is not written there, and keep \
each number with its meaning ("unblocked 2 teams" is not "adopted by 2 teams").
2. Conclusion first: lead with what the reader should know, then how.
3. Write for this reader's concerns. {plain}
4. Keep every link exactly as written, next to the claim it supports.
5. Keep placeholders such as REDACTED_1 exactly as written.
6. Keep the document's format ({format}) and its sections; answer with the \
document only, no preamble and no closing remarks."""

_PLAIN_WORDS = (
    "The reader is not technical: use plain words, and explain a technical term "
    "once in a short parenthesis instead of removing it."
)
_FORMAT_NAMES = {"md": "Markdown", "txt": "plain text"}


@dataclass
class Prompt:
    """Exactly what goes to the model (after redaction)."""

    system: str
    prompt: str
    redactor: Redactor
    #: The glossary's plain words offered for the document's terms (allowed in the draft).
    explained: list[str] = field(default_factory=list)

    def show(self, model: str) -> str:
        """The prompt as ``--show-prompt`` prints it."""
        return (
            f"--- model: {model}\n--- system prompt:\n{self.system}\n"
            f"--- prompt:\n{self.prompt}\n--- end (nothing was sent)\n"
        )


def evidence_text(entry: Entry) -> str:
    """One entry's evidence as sent: title, impact, metrics, people, link. Never the body."""
    lines = [f"- {entry.title}"]
    if entry.impact:
        lines.append(f"  impact: {entry.impact}")
    for metric in entry.metrics:
        if isinstance(metric, Mapping):
            lines.append("  metric: " + ", ".join(f"{k} = {v}" for k, v in metric.items()))
    if entry.with_:
        lines.append("  with: " + ", ".join(entry.with_))
    if entry.url:
        lines.append(f"  link: {entry.url}")
    return "\n".join(lines)


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[^\w$%.,/-]+", " ", text.lower()).split())


def cited(entries: Iterable[Entry], document: str) -> list[Entry]:
    """The non-private entries ``document`` draws on: its link, title or impact is in it."""
    squashed = _squash(document)
    found = []
    for entry in entries:
        if entry.private:
            continue
        if entry.url and entry.url in document:
            found.append(entry)
            continue
        for text in (entry.impact, entry.title):
            words = _squash(text).split()
            if len(words) >= 2 and " ".join(words[:8]) in squashed:
                found.append(entry)
                break
    return found


def build_prompt(
    document: str,
    entries: Sequence[Entry],
    *,
    reader: str,
    technical: bool,
    format: str,
    redact: Iterable[str] = (),
    glossary: Mapping[str, str] | None = None,
) -> Prompt:
    """The system prompt and the prompt for one document, names redacted. For a
    reader who is not technical, the ``glossary``'s plain words for the terms the
    document uses are offered to explain them."""
    redactor = Redactor(redact)
    system = RULES.format(
        reader=reader,
        plain="" if technical else _PLAIN_WORDS,
        format=_FORMAT_NAMES.get(format, format),
    )
    evidence = "\n".join(evidence_text(e) for e in entries if not e.private) or "(none)"
    prompt = (
        "Rewrite this document for its reader.\n\n"
        f"<document>\n{document.strip()}\n</document>\n\n"
        f"The evidence it was written from:\n<evidence>\n{evidence}\n</evidence>\n"
    )
    explained = [] if technical else _terms(document + "\n" + evidence, glossary or {})
    if explained:
        prompt += "\nPlain words for its technical terms:\n" + "".join(
            f"- {line}\n" for line in explained
        )
    return Prompt(redactor.redact(system), redactor.redact(prompt), redactor, explained)


def _terms(text: str, glossary: Mapping[str, str]) -> list[str]:
    """``term: plain words`` for each glossary term ``text`` uses."""
    lowered = _URL.sub(" ", text).lower()
    return [
        f"{term}: {plain}"
        for term, plain in sorted(glossary.items(), key=lambda kv: kv[0].lower())
        if plain and re.search(rf"(?<![\w-]){re.escape(term.lower())}(?![\w-])", lowered)
    ]


# -- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A span of the draft that traces to nothing it was given, and why."""

    start: int
    end: int
    text: str
    reason: str


@dataclass
class Verification:
    unsupported: list[Span]
    #: Evidence links in brag's document that the draft lost.
    dropped_links: list[str]

    @property
    def ok(self) -> bool:
        return not self.unsupported and not self.dropped_links

    def problems(self, draft: str) -> list[str]:
        """One line per problem, the span marked inside its line."""
        lines = []
        for span in self.unsupported:
            start = draft.rfind("\n", 0, span.start) + 1
            end = draft.find("\n", span.end)
            end = len(draft) if end == -1 else end
            line = (
                draft[start : span.start]
                + f"[[unsupported: {draft[span.start : span.end]}]]"
                + draft[span.end : end]
            ).strip()
            if len(line) > 160:
                at = line.find("[[unsupported")
                line = ("…" if at > 60 else "") + line[max(0, at - 60) : at + 100] + "…"
            lines.append(f"{line}  <- {span.reason}")
        lines += [f"dropped evidence link: {url}" for url in self.dropped_links]
        return lines


_URL = re.compile(r"https?://[^\s)<>\"'\]]+")
_NAME = re.compile(r"(?<![\w@])[A-Z][a-z]+(?:['’][a-z]+)?\b|(?<![\w])@[A-Za-z0-9][\w-]*")
_COMMON_CAPITALS = frozenset(
    """i i'm i've i'd i'll january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday
    markdown""".split()
)


def urls(text: str) -> list[str]:
    """The links in ``text``, without trailing punctuation."""
    return [u.rstrip(".,;:!?*_") for u in _URL.findall(text)]


def _unsupported(
    draft: str, entries: Sequence[Entry], original_document: str, extra: Sequence[str] = ()
) -> list[Span]:
    """The claims trace of ``draft`` (:func:`brag.impact.claims.check`): anything brag's
    own document already says passes, and so do the ``extra`` phrases brag sent
    (plain words for terms)."""
    from .impact.claims import check

    lowered = original_document.lower()
    spans = []
    for found in check(draft, entries, allowed_extra=extra):
        text = str(found.text)
        if text and re.search(rf"(?<![\w$€£¥.]){re.escape(text.lower())}(?![\w%])", lowered):
            continue
        spans.append(Span(found.start, found.end, text, str(found.reason)))
    return spans


def _names(draft: str, allowed: str) -> list[Span]:
    """Names (capitalised words inside a sentence, @handles) nothing sent contains."""
    known = {w.lower() for w in re.findall(r"[\w@'’-]+", allowed)}
    known |= {w.lower() for w in re.findall(r"\w+", allowed)}
    found = []
    for m in _NAME.finditer(draft):
        word = m.group(0)
        if word.lower() in known or word.lower() in _COMMON_CAPITALS:
            continue
        line_start = draft.rfind("\n", 0, m.start()) + 1
        line = draft[line_start : m.start()]
        if draft[line_start:].lstrip().startswith("#"):
            continue  # headings are written in title case
        before = line.rstrip()
        if not word.startswith("@") and (
            not re.search(r"[A-Za-z0-9,]", before)  # first word of its line or item
            or before[-1] in ".!?:;—–-(\"'“‘*_|[>"
        ):
            continue
        found.append(Span(m.start(), m.end(), word, "a name no entry mentions"))
    return found


def verify(
    draft: str, entries: Sequence[Entry], original_document: str, *, extra: Sequence[str] = ()
) -> Verification:
    """Whether ``draft`` says only what ``entries`` (their evidence as sent), brag's own
    ``original_document`` and the ``extra`` phrases sent with them say, and keeps
    every evidence link."""
    evidence = [dataclasses.replace(e, body="") for e in entries if not e.private]
    plain = [line.split(": ", 1)[-1] for line in extra]
    spans = _unsupported(draft, evidence, original_document, plain)
    allowed = "\n".join([original_document, *extra, *(evidence_text(e) for e in evidence)])
    given = set(urls(allowed))
    for m in _URL.finditer(draft):
        url = m.group(0).rstrip(".,;:!?*_")
        if url not in given:
            spans.append(Span(m.start(), m.start() + len(url), url, "a link no entry gives"))
    spans += _names(draft, allowed)
    for m in _PLACEHOLDER.finditer(draft):
        spans.append(Span(m.start(), m.end(), m.group(0), "a placeholder the model made up"))
    kept = set(urls(draft))
    dropped = list(dict.fromkeys(u for u in urls(original_document) if u not in kept))
    return Verification(_dedupe(spans), dropped)


def _dedupe(spans: list[Span]) -> list[Span]:
    """Spans in order, without ones inside an earlier span."""
    result: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if result and span.start < result[-1].end:
            continue
        result.append(span)
    return result


def mark(draft: str, spans: Sequence[Span]) -> str:
    """``draft`` with each unsupported span written ``[[unsupported: …]]``."""
    out, at = [], 0
    for span in _dedupe(list(spans)):
        out += [draft[at : span.start], f"[[unsupported: {draft[span.start : span.end]}]]"]
        at = span.end
    return "".join(out) + draft[at:]


def diff(original: str, draft: str, kind: str) -> str:
    """The rewrite as a unified diff against brag's own document."""
    import difflib

    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        draft.splitlines(keepends=True),
        fromfile=f"brag/{kind}",
        tofile=f"rewrite/{kind}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# -- consent -----------------------------------------------------------------------------


def consented(model_id: str, *aliases: str | None) -> bool:
    """Whether the user agreed, on this machine, to send documents to ``model_id``
    (under its id or one of the ``aliases`` it was asked for by)."""
    from . import machine

    listed = machine.get(CONSENT_KEY, [])
    names = {model_id, *(a for a in aliases if a)}
    return isinstance(listed, list) and bool(names & set(listed))


def consent_hint(model_id: str) -> str:
    """How to agree ahead of time: the setting takes the whole list, so the models
    already agreed to are kept in it."""
    from . import machine

    listed = machine.get(CONSENT_KEY, [])
    names = (
        [*(str(m) for m in listed if m != model_id), model_id]
        if isinstance(listed, list)
        else [model_id]
    )
    value = names[0] if len(names) == 1 else '"' + ", ".join(names) + '"'
    return (
        f"sending to model '{model_id}' needs your consent on this machine: run "
        f"'brag config --machine {CONSENT_KEY} {value}' or pass --yes-send"
    )


def ensure_consent(
    model_id: str,
    *,
    yes: bool = False,
    confirm: Callable[[str], bool] | None = None,
    alias: str | None = None,
    what: str = "this document and its evidence",
) -> None:
    """Ask once per model and machine; remember a yes. Raise when the answer is no
    or nobody can be asked. ``alias``: the name the user gave for the model;
    ``what``: what is about to be sent, for the question."""
    from . import machine

    if consented(model_id, alias):
        return
    if not yes:
        if confirm is None:
            raise RewriteUnavailable(consent_hint(model_id))
        question = (
            f"Send {what} to the model '{model_id}'? "
            "Private entries are never sent. brag remembers your answer on this machine"
        )
        if not confirm(question):
            raise RewriteUnavailable(f"not sent: no consent for model '{model_id}'")
    machine.add_to_list(CONSENT_KEY, model_id)


def suggest_available(config: Mapping[str, Any]) -> bool:
    """Whether the inbox should offer "suggest": ``[llm] model`` is set and ``llm`` is
    installed (found without importing it)."""
    from importlib.util import find_spec

    try:
        model = settings(config).model
    except ConfigError:
        return False
    return model is not None and find_spec("llm") is not None


# -- the export flow -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What ``brag export KIND --rewrite`` prints: ``text`` on standard output (or
    written to ``path``), ``notes`` on standard error, then it exits ``exit_code``."""

    text: str
    notes: list[str] = field(default_factory=list)
    exit_code: int = 0
    path: str | None = None
    #: "rewrite", "brag" (brag's own document) or "prompt" (--show-prompt).
    used: str = "brag"
    verification: Verification | None = None
    #: Model calls made (a rewrite makes at most one per document).
    calls: int = 0
    #: Entry files that could not be read and were left out of the document.
    broken: list[str] = field(default_factory=list)


def export_rewritten(
    journal: Journal,
    kind: str,
    request: RewriteRequest,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    audience: str | None = None,
    format: str | None = None,
    include_private: bool = False,
    options: dict[str, Any] | None = None,
    output: str | None = None,
    confirm: Callable[[str], bool] | None = None,
    complete: Callable[..., str] | None = None,
) -> Outcome:
    """Write brag's document, ask the model once to reword it, verify, and choose.

    ``confirm`` asks the user a yes/no question (None: nobody can be asked).
    ``complete(model, system, prompt, timeout)`` makes the call; by default the
    built-in plugin's, through ``llm``.
    """
    from .exporting import find_exporter, run_export
    from .impact import get_lens, load_glossary, load_lenses

    if include_private:
        raise BragError(
            "--rewrite never sends private entries: leave out --include-private "
            "(or --rewrite, to keep the document on this machine)"
        )
    config = settings(journal.config)
    exporter = find_exporter(kind)
    fmt = format or exporter.formats[0]
    if fmt not in TEXT_FORMATS:
        raise BragError(f"--rewrite works on md and txt documents, not {fmt}")
    seen: list[Entry] = []
    after = exporter.after

    def capture(ctx: Any) -> Any:
        seen[:] = ctx.entries
        if after is not None and not request.show_prompt:
            return after(ctx)  # the 1:1 agenda remembers its date; --show-prompt wrote nothing
        return None

    result = run_export(
        journal,
        dataclasses.replace(exporter, after=capture),
        since=since,
        until=until,
        audience=audience,
        format=fmt,
        options=options,
    )
    original = result.text
    entries = cited(seen, original)
    lens = get_lens(audience, load_lenses(journal.config))
    prompt = build_prompt(
        original,
        entries,
        reader=lens.description,
        technical=lens.technical,
        format=fmt,
        redact=config.redact,
        glossary=load_glossary(journal.config),
    )
    model_name = request.model or config.model
    broken = [str(b) for b in result.broken]
    said = getattr(result, "note", "")
    if request.show_prompt:
        shown = prompt.show(model_name or "llm's default model")
        return Outcome(shown, used="prompt", broken=broken)

    outcome = Outcome(original, notes=[said] if said else [], broken=broken)
    timeout = request.timeout or config.timeout
    try:
        if complete is None:
            from .plugins import rewrite as plugin

            model_id, call = plugin.resolve(model_name), plugin.complete
        else:
            model_id, call = model_name or "default", complete
        ensure_consent(model_id, yes=request.yes_send, confirm=confirm, alias=model_name)
        outcome.calls += 1
        answer = call(model_id, prompt.system, prompt.prompt, timeout)
    except RewriteUnavailable as exc:
        outcome.notes.append(f"rewrite skipped: {exc}; this is brag's own document")
        outcome.exit_code = 1 if request.require else 0
        return _finish(outcome, output, original, request.diff)

    draft = _tidy(prompt.redactor.restore(answer), original)
    verdict = verify(draft, entries, original, extra=prompt.explained)
    outcome.verification = verdict
    if request.diff:
        outcome.text = diff(original, draft, exporter.name) or "(the rewrite changed nothing)\n"
    if verdict.ok:
        outcome.used = "rewrite"
        outcome.notes.append(f"rewritten by {model_id}; every claim traces to the evidence")
        if not request.diff:
            outcome.text = draft
        return _finish(outcome, output, draft, request.diff)
    problems = verdict.problems(draft)
    if request.accept_unverified:
        outcome.used = "rewrite"
        outcome.notes.append(
            f"rewritten by {model_id}, with {len(problems)} unverified claim(s) "
            "(--accept-unverified):"
        )
        outcome.notes += [f"  {p}" for p in problems]
        if not request.diff:
            outcome.text = draft
        return _finish(outcome, output, draft, request.diff)
    outcome.notes.append(
        f"kept brag's own document: the rewrite by {model_id} has {len(problems)} claim(s) "
        "no evidence supports (--accept-unverified prints it anyway):"
    )
    outcome.notes += [f"  {p}" for p in problems]
    outcome.exit_code = 1 if request.require else 0
    return _finish(outcome, output, original, request.diff)


_PREAMBLE = re.compile(
    r"(?i)\A(?:(?:here(?:'s| is)|sure|certainly|of course)\b[^\n]*(?::|\.)[ \t]*\n+)"
)


def _tidy(answer: str, original: str) -> str:
    """The model's answer without the wrapping models add (a "Here is…" line, a code
    fence, the prompt's ``<document>`` tags), ending like brag's document."""
    text = _PREAMBLE.sub("", answer.strip()).strip()
    fence = re.fullmatch(r"```[\w-]*\n(.*)\n```", text, re.S)
    if fence:
        text = fence.group(1).strip()
    tags = re.fullmatch(r"<document>\s*(.*?)\s*</document>", text, re.S)
    if tags:
        text = tags.group(1)
    return text + ("\n" if original.endswith("\n") else "")


def _finish(outcome: Outcome, output: str | None, chosen: str, showing_diff: bool) -> Outcome:
    """Write the chosen document to ``output`` when one was asked for (the diff, if
    asked for, still goes to standard output)."""
    if output is None or output == "-":
        return outcome
    from pathlib import Path

    Path(output).write_text(chosen, encoding="utf-8")
    outcome.path = output
    if not showing_diff:
        outcome.text = ""
    return outcome


def interactive() -> bool:
    """Whether a question can be asked (both ends are a terminal)."""
    return sys.stdin.isatty() and sys.stderr.isatty()
