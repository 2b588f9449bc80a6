"""Rewriting documents with a language model: ``brag export KIND --rewrite``.

The model is reached through the ``llm`` library (``pip install
'brag-journal[llm]'``), so any model it or its plugins offer works, hosted or
local (``llm-ollama``, ``llm-gpt4all``). brag itself never imports ``llm``
until a rewrite is sent. See docs/rewrite.md.

brag.toml (all optional)::

    [llm]
    model = "gpt-4o-mini"           # default for --model (else llm's default model)
    redact = ["Falcon", "Acme"]     # names replaced by placeholders before sending
    timeout = 120                   # seconds before brag stops waiting

The models you agreed to send to are remembered on this machine only
(``brag config --machine llm.models MODEL``), never in brag.toml.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

# Not brag.rewrite: every document loads this plugin, and a rewrite is rarely asked.
from brag.rewrite_request import INSTALL_HINT, RewriteUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from brag.entry import Entry
    from brag.journal import Journal


def _llm() -> Any:
    try:
        import llm
    except ImportError:
        raise RewriteUnavailable(f"rewriting needs the llm library: {INSTALL_HINT}") from None
    return llm


def _model(name: str | None) -> Any:
    llm = _llm()
    try:
        return llm.get_model(name or None)
    except llm.UnknownModelError as exc:
        wanted = name or llm.get_default_model()
        raise RewriteUnavailable(
            f"unknown model '{wanted}' (see 'llm models'; a model plugin such as llm-ollama "
            "adds more)"
        ) from exc


def resolve(name: str | None) -> str:
    """The id of the model ``name`` (an id or alias; None: llm's default model), once
    it is known to be usable: a model that needs a key has one."""
    from brag.secrets import mask

    llm = _llm()
    model = _model(name)
    if getattr(model, "needs_key", None):
        try:
            model.get_key()
        except llm.NeedsKeyException as exc:
            raise RewriteUnavailable(
                f"model '{model.model_id}' needs a key: {mask(str(exc))}"
            ) from None
    return str(model.model_id)


def complete(model_id: str, system: str, prompt: str, timeout: float) -> str:
    """One call to the model, with a spinner on a terminal; brag stops waiting after
    ``timeout`` seconds whatever the model plugin does."""
    import threading

    from brag.secrets import mask

    llm = _llm()
    model = _model(model_id)
    answer: dict[str, Any] = {}

    def work() -> None:
        try:
            answer["text"] = model.prompt(prompt, system=system).text()
        except BaseException as exc:  # handed to the waiting thread
            answer["error"] = exc

    # A daemon thread: a model that never answers must not keep brag from exiting.
    worker = threading.Thread(target=work, name="brag-rewrite", daemon=True)
    with _spinner(f"Rewriting with {model_id}…"):
        worker.start()
        worker.join(timeout)
    if worker.is_alive():
        raise RewriteUnavailable(
            f"model '{model_id}' gave no answer within {timeout:g} seconds (--timeout)"
        )
    error = answer.get("error")
    if isinstance(error, llm.NeedsKeyException):
        raise RewriteUnavailable(f"model '{model_id}' needs a key: {mask(str(error))}")
    if error is not None:
        first = (str(error).strip().splitlines() or [""])[0]
        raise RewriteUnavailable(
            mask(f"model '{model_id}' failed: {type(error).__name__}: {first}".rstrip(": "))
        )
    text = str(answer.get("text") or "")
    if not text.strip():
        raise RewriteUnavailable(f"model '{model_id}' gave an empty answer")
    return text


class _spinner:
    """A rich spinner on standard error while the model works (terminals only)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.status: Any = None

    def __enter__(self) -> None:
        if sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status(self.message)
            self.status.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)


# -- suggested impact for imported work ----------------------------------------------

SUGGEST_RULES = """\
You suggest the impact line of one piece of work, for its author's work journal.
Write one sentence, conclusion first: the outcome for users, the business or the \
team, then how. Use only facts written in the title and description below: add \
no number, percentage, money figure, name, link or claim they do not state. If \
they state no outcome, describe what the change makes possible in plain words. \
Keep placeholders such as REDACTED_1 exactly as written. Answer with the sentence \
only."""


def suggest_impact(
    entry: Entry,
    model: str | None = None,
    *,
    journal: Journal | None = None,
    redact: Iterable[str] = (),
    timeout: float | None = None,
    confirm: Callable[[str], bool] | None = None,
    yes: bool = False,
) -> str | None:
    """An impact line for an imported ``entry`` (a pull request: its title and body),
    or None when the model's suggestion adds a fact they do not state.

    ``journal`` supplies ``[llm]`` from its brag.toml: the model when ``model`` is
    None, the names to ``redact`` (added to any given) and the timeout. Raises
    :class:`~brag.rewrite.RewriteUnavailable` (a one-line BragError) when no
    suggestion can be made: a private entry, no ``llm``, an unknown model, no key,
    a timeout, or no consent for the model on this machine (``confirm`` asks,
    ``yes`` agrees). Redacted names never leave the machine.
    """
    from brag.rewrite import DEFAULT_TIMEOUT, Redactor, ensure_consent, settings, verify

    if entry.private:
        raise RewriteUnavailable("private entries are never sent to a model")
    if journal is not None:
        config = settings(journal.config)
        model = model or config.model
        redact = [*redact, *config.redact]
        timeout = timeout or config.timeout
    timeout = timeout or DEFAULT_TIMEOUT
    model_id = resolve(model)
    ensure_consent(
        model_id, yes=yes, confirm=confirm, alias=model,
        what="the title and description of imported work",
    )  # fmt: skip
    redactor = Redactor(redact)
    source = f"Title: {entry.title}\n"
    if entry.body.strip():
        source += f"Description:\n{entry.body.strip()}\n"
    answer = complete(model_id, redactor.redact(SUGGEST_RULES), redactor.redact(source), timeout)
    line = " ".join(redactor.restore(answer).split()).strip().strip('"“”')
    if not line:
        return None
    # The suggestion may only say what the title and body say.
    evidence = _as_evidence(entry)
    if not verify(line, [evidence], f"{entry.title}\n{entry.body}").ok:
        return None
    return line


def _as_evidence(entry: Entry) -> Entry:
    import dataclasses

    return dataclasses.replace(entry, impact="", metrics=[], url="", with_=[])
