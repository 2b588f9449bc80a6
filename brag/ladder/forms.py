"""Review forms: ``review-form.toml`` and answers that fit its limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import impact
from ..entry import Entry
from .mapping import _mapped_ids
from .model import FORM_FILE, Ladder, LadderError, _Checker, _line_of, _read_toml, default_ladder


@dataclass
class Question:
    text: str
    max_words: int | None = None
    max_chars: int | None = None
    competencies: list[str] = field(default_factory=list)
    line: int = 0

    def limit(self) -> str:
        parts = []
        if self.max_chars:
            parts.append(f"{self.max_chars} characters")
        if self.max_words:
            parts.append(f"{self.max_words} words")
        return ", ".join(parts)


@dataclass
class ReviewForm:
    questions: list[Question]
    title: str = ""
    path: str = ""


def load_form(path: str | Path) -> ReviewForm:
    """Read and check ``review-form.toml``; faults name the file and line."""
    path = Path(path)
    data, lines = _read_toml(path)
    check = _Checker(path, lines)
    check.table(data, (), ("title", "question"))
    title = check.text(data.get("title", ""), ("title",), required=False)
    questions = []
    for i, raw in enumerate(check.tables(data.get("question"), ("question",))):
        where: tuple[Any, ...] = ("question", i)
        check.table(raw, where, ("text", "max_words", "max_chars", "competencies"))
        if "text" not in raw:
            raise check.fail(where, f"{check.name(where)} needs 'text'")
        limits: dict[str, int | None] = {}
        for key in ("max_words", "max_chars"):
            value = raw.get(key)
            ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
            if not ok or (value is not None and value <= 0):
                raise check.fail((*where, key), f"{check.name((*where, key))} must be a positive "
                                 "whole number")  # fmt: skip
            limits[key] = value
        questions.append(
            Question(
                check.text(raw["text"], (*where, "text")),
                limits["max_words"],
                limits["max_chars"],
                check.strings(raw.get("competencies", []), (*where, "competencies")),
                _line_of(lines, where) or 1,
            )
        )
    return ReviewForm(questions, title, str(path))


def journal_form(root: str | Path, explicit: str | Path | None = None) -> ReviewForm:
    """``--form FILE``, else the journal's ``review-form.toml``."""
    path = Path(explicit) if explicit else Path(root) / FORM_FILE
    if not path.is_file():
        raise LadderError(
            f"no review form at {path}: pass --form FILE or put {FORM_FILE} in the journal"
        )
    return load_form(path)


@dataclass
class Answer:
    question: Question
    text: str
    entry_ids: list[str]
    left_out: list[str]  # entry ids that matched but did not fit

    @property
    def count(self) -> str:
        """What goes beside the answer: "412/500 characters" (and words when limited)."""
        chars, words = len(self.text), len(self.text.split())
        parts = []
        if self.question.max_chars or not self.question.max_words:
            of = f"/{self.question.max_chars}" if self.question.max_chars else ""
            parts.append(f"{chars}{of} characters")
        if self.question.max_words:
            parts.append(f"{words}/{self.question.max_words} words")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question.text,
            "text": self.text,
            "entry_ids": list(self.entry_ids),
            "left_out": list(self.left_out),
            "count": self.count,
            "characters": len(self.text),
            "words": len(self.text.split()),
            "max_chars": self.question.max_chars,
            "max_words": self.question.max_words,
        }


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # never "P99" for "p99" or "IOS" for "iOS"
        text = text[0].upper() + text[1:]
    return text if re.search(r"[.!?…][\"')\]]*$", text) else text + "."


def item_sentences(entry: Entry) -> list[str]:
    """An entry as whole sentences in its author's words, impact first: the
    full form, then shorter forms to try when room is short."""
    outcome, title = _sentence(entry.impact), _sentence(entry.title)
    if not outcome or outcome.rstrip(".").casefold() == title.rstrip(".").casefold():
        return [title]
    return [f"{outcome} {title}", outcome]


def _fits(text: str, question: Question) -> bool:
    if question.max_chars and len(text) > question.max_chars:
        return False
    return not (question.max_words and len(text.split()) > question.max_words)


def answer_form(
    form: ReviewForm,
    entries: Iterable[Entry],
    ladder: Ladder | None = None,
    *,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    max_items: int = 5,
) -> list[Answer]:
    """Each question answered from the strongest matching evidence.

    Answers are the user's own sentences (impact, then title), strongest
    first, within the question's limits; an item that does not fit is dropped
    whole (never cut mid-sentence) and listed in ``left_out``. A question
    naming competencies draws on entries mapped to them; evidence already
    used by an earlier answer comes after fresh evidence.
    """
    the_ladder = ladder or default_ladder()
    every = list(entries)
    read = {id(e): impact.analyse(e, keywords) for e in every}
    ranked = [e for e, _ in impact.rank(every, lens, today, keywords, read=lambda e: read[id(e)])]
    used: set[str] = set()
    answers = []
    for question in form.questions:
        wanted = set(question.competencies)
        unknown = sorted(wanted - {c.id for c in the_ladder.competencies})
        if unknown:
            raise LadderError(
                f"the question names competencies the ladder does not have: {', '.join(unknown)}",
                form.path,
                question.line,
            )
        pool = ranked
        if wanted:
            pool = [e for e in ranked if wanted & _mapped_ids(e, the_ladder, read[id(e)])]
        pool = [e for e in pool if e.id not in used] + [e for e in pool if e.id in used]
        text = ""
        ids: list[str] = []
        left: list[str] = []
        for entry in pool:
            if len(ids) >= max_items:
                break
            for form_text in item_sentences(entry):
                candidate = f"{text} {form_text}" if text else form_text
                if _fits(candidate, question):
                    text = candidate
                    ids.append(entry.id)
                    break
            else:
                left.append(entry.id)
        used.update(ids)
        answers.append(Answer(question, text, ids, left))
    return answers
