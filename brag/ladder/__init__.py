"""The user's career ladder and review form: evidence mapped to the real rubric.

A ladder is ``ladder.toml`` at the journal root (committed and synced like
``brag.toml``): levels in order, and competencies, each with an expectation
text per level, its skill tree (A technical, B communication and influence)
and optional signals that suggest an entry shows it. Without one, brag uses
:func:`default_ladder`, distilled from the product's rules (impact areas, the
four leverage types, Tree A/B by level). ``docs/ladder.md`` documents the
formats with a complete example.

Everything here is deterministic and reads only what it is given:

- :func:`load_ladder`, :func:`import_ladder` (CSV, Markdown table or heading
  outline), :func:`dump_ladder`;
- :func:`map_entry`: the competencies an entry shows, each with the signal
  that matched, honouring pins in the entry's front matter;
- :func:`coverage`: evidence per competency at a target level, and gaps,
  without verdicts (the reader judges);
- :func:`load_form` and :func:`answer_form`: a review form's questions
  answered in the user's own words within each question's limit;
- :func:`people` and :func:`peer_brief_data`: collaborators, and what to send
  someone asked for a peer review;
- :func:`against_ladder`, :func:`form_answers` and :func:`evidence_link`: what
  the documents print (the promotion brief's ladder section, form answers with
  their evidence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .documents import against_ladder, evidence_link, form_answers
    from .forms import (
        Answer,
        Question,
        ReviewForm,
        answer_form,
        item_sentences,
        journal_form,
        load_form,
    )
    from .importer import ImportResult, import_ladder
    from .mapping import (
        CompetencyCoverage,
        Coverage,
        Match,
        coverage,
        default_window,
        entry_tree,
        ladder_tree,
        map_entry,
        pins,
        set_pins,
    )
    from .model import (
        DEFAULT_WINDOW_DAYS,
        FORM_FILE,
        LADDER_FILE,
        PIN_FIELD,
        SIGNAL_KINDS,
        UNPIN_FIELD,
        Competency,
        Ladder,
        LadderError,
        Signals,
        default_ladder,
        dump_ladder,
        journal_ladder,
        load_ladder,
        save_ladder,
        target_level,
        write_ladder,
    )
    from .people import Person, peer_brief_data, people

# Each name is imported from its module on first use (PEP 562): a document that
# only asks whether the journal has a ladder.toml loads none of them.
_MODULES = {
    "documents": ("against_ladder", "evidence_link", "form_answers"),
    "forms": (
        "Answer", "Question", "ReviewForm", "answer_form", "item_sentences", "journal_form",
        "load_form",
    ),
    "importer": ("ImportResult", "import_ladder"),
    "mapping": (
        "CompetencyCoverage", "Coverage", "Match", "coverage", "default_window", "entry_tree",
        "ladder_tree", "map_entry", "pins", "set_pins",
    ),
    "model": (
        "DEFAULT_WINDOW_DAYS", "FORM_FILE", "LADDER_FILE", "PIN_FIELD", "SIGNAL_KINDS",
        "UNPIN_FIELD", "Competency", "Ladder", "LadderError", "Signals", "default_ladder",
        "dump_ladder", "journal_ladder", "load_ladder", "save_ladder", "target_level",
        "write_ladder",
    ),
    "people": ("Person", "peer_brief_data", "people"),
}  # fmt: skip
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_WINDOW_DAYS", "FORM_FILE", "LADDER_FILE", "PIN_FIELD", "SIGNAL_KINDS",
    "UNPIN_FIELD", "Answer", "Competency", "CompetencyCoverage", "Coverage", "ImportResult",
    "Ladder", "LadderError", "Match", "Person", "Question", "ReviewForm", "Signals",
    "against_ladder", "answer_form", "coverage", "default_ladder", "default_window",
    "dump_ladder", "entry_tree", "evidence_link", "form_answers", "import_ladder", "item_sentences",
    "journal_form", "journal_ladder", "ladder_tree", "load_form", "load_ladder", "map_entry",
    "peer_brief_data", "people", "pins", "save_ladder", "set_pins", "target_level",
    "write_ladder",
]  # fmt: skip
