"""What ``brag export KIND`` and the built-in rewrite plugin need of ``--rewrite``
on every run: its options, the request they make, and the error a rewrite that
cannot be made raises. Kept apart from :mod:`brag.rewrite` (prompts, redaction,
verification), which is imported only when a rewrite is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import BragError

if TYPE_CHECKING:
    import click

#: Seconds brag waits for a model (``[llm] timeout`` in brag.toml changes it).
DEFAULT_TIMEOUT = 120.0
#: What ``pip`` needs to add the model library.
INSTALL_HINT = "pip install 'brag-journal[llm]'"


class RewriteUnavailable(BragError):
    """The rewrite could not be made (no ``llm``, no key, unknown model, timeout, no
    consent, a failing model): brag falls back to its own document."""


# -- the command-line options -----------------------------------------------------------


@dataclass
class RewriteRequest:
    """What the user asked of the rewrite on the command line."""

    enabled: bool = False
    model: str | None = None
    accept_unverified: bool = False
    diff: bool = False
    show_prompt: bool = False
    timeout: float | None = None
    require: bool = False
    yes_send: bool = False

    @classmethod
    def pop_from(cls, params: dict[str, Any]) -> RewriteRequest:
        """Take the rewrite options out of a command's parsed ``params``; any of them
        asks for a rewrite."""
        request = cls(
            enabled=bool(params.pop("rewrite", False)),
            model=params.pop("rewrite_model", None),
            accept_unverified=bool(params.pop("accept_unverified", False)),
            diff=bool(params.pop("rewrite_diff", False)),
            show_prompt=bool(params.pop("show_prompt", False)),
            timeout=params.pop("rewrite_timeout", None),
            require=bool(params.pop("require_rewrite", False)),
            yes_send=bool(params.pop("yes_send", False)),
        )
        request.enabled = request.enabled or any(
            (
                request.model, request.accept_unverified, request.diff, request.show_prompt,
                request.timeout is not None, request.require, request.yes_send,
            )
        )  # fmt: skip
        return request


def options() -> list[click.Option]:
    """The ``--rewrite`` options every ``brag export KIND`` takes."""
    import click

    return [
        click.Option(
            ["--rewrite"], is_flag=True,
            help="Ask a language model to improve the wording; keep it only if every claim "
            "traces to the evidence (docs/rewrite.md).",
        ),
        click.Option(
            ["--model", "rewrite_model"], metavar="NAME",
            help="Model for --rewrite (default: [llm] model in brag.toml, else llm's default).",
        ),
        click.Option(
            ["--accept-unverified"], is_flag=True,
            help="Print the rewrite even when some claims trace to no evidence.",
        ),
        click.Option(["--diff", "rewrite_diff"], is_flag=True,
                     help="Show the rewrite as a diff against brag's own document."),
        click.Option(["--show-prompt"], is_flag=True,
                     help="Print exactly what --rewrite would send, and send nothing."),
        click.Option(
            ["--timeout", "rewrite_timeout"], type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Stop waiting for the model after SECONDS "
            f"([llm] timeout, else {DEFAULT_TIMEOUT:g}).",
        ),
        click.Option(["--require-rewrite"], is_flag=True,
                     help="Exit 1 when the rewrite fails or is rejected."),
        click.Option(["--yes-send"], is_flag=True,
                     help="Agree to send to this model and remember it on this machine."),
    ]  # fmt: skip
