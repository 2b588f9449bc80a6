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
  someone asked for a peer review.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import impact
from .entry import AREAS, LEVERAGE, Entry, slugify
from .errors import BragError

LADDER_FILE = "ladder.toml"
FORM_FILE = "review-form.toml"
PIN_FIELD = "competencies"
UNPIN_FIELD = "no_competencies"
SIGNAL_KINDS = ("words", "areas", "leverage", "tags")
DEFAULT_WINDOW_DAYS = 365
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")


class LadderError(BragError):
    """A ladder or review-form file is malformed; the message names file and line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.reason = message
        self.path = str(path) if path else None
        self.line = line
        where = ""
        if self.path:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)


# -- the data ------------------------------------------------------------------


@dataclass(frozen=True)
class Signals:
    """What suggests an entry shows a competency (any one is enough)."""

    words: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    leverage: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(getattr(self, k)) for k in SIGNAL_KINDS if getattr(self, k)}


@dataclass
class Competency:
    id: str
    name: str
    tree: str  # "A" or "B"
    expectations: dict[str, str] = field(default_factory=dict)
    signals: Signals = field(default_factory=Signals)


@dataclass
class Ladder:
    levels: list[str]
    competencies: list[Competency]
    name: str = ""
    #: Where it was read from ("" for the built-in default).
    path: str = ""

    @property
    def is_default(self) -> bool:
        return not self.path

    def order(self, competency_id: str) -> int:
        """Where a competency stands in the ladder (unknown ids last)."""
        ids = [c.id for c in self.competencies]
        return ids.index(competency_id) if competency_id in ids else len(ids)

    def get(self, competency_id: str) -> Competency | None:
        for comp in self.competencies:
            if comp.id == competency_id:
                return comp
        return None

    def level(self, name: str) -> str:
        """The ladder's spelling of ``name`` (case-insensitive; the engine's
        aliases such as "sr" or "Staff Engineer" work for the default ladder)."""
        wanted = " ".join(name.split()).casefold()
        for level in self.levels:
            if level.casefold() == wanted:
                return level
        try:
            canonical = impact.normalise_level(name)
        except BragError:
            canonical = ""
        for level in self.levels:
            if canonical and level.casefold() == canonical:
                return level
        known = ", ".join(self.levels)
        raise LadderError(f"level {name!r} is not in the ladder (levels: {known})", self.path)

    def expectation(self, competency: Competency, level: str) -> tuple[str, str]:
        """(text, the level it is written for) at ``level``: a ladder that says
        nothing new at a level keeps the nearest lower level's text."""
        index = self.levels.index(self.level(level))
        for lower in reversed(self.levels[: index + 1]):
            text = competency.expectations.get(lower, "")
            if text:
                return text, lower
        return "", ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.name:
            data["name"] = self.name
        data["levels"] = list(self.levels)
        data["competency"] = []
        for comp in self.competencies:
            item: dict[str, Any] = {"id": comp.id, "name": comp.name, "tree": comp.tree}
            item["expectations"] = {
                lv: comp.expectations[lv] for lv in self.levels if comp.expectations.get(lv)
            }
            signals = comp.signals.to_dict()
            if signals:
                item["signals"] = signals
            data["competency"].append(item)
        return data


def dump_ladder(ladder: Ladder) -> str:
    """``ladder.toml`` text: fixed key order, levels in ladder order, so the same
    ladder always gives the same bytes whatever it was imported from."""
    import tomli_w

    return tomli_w.dumps(ladder.to_dict())


def write_ladder(path: Path, ladder: Ladder) -> bool:
    """Write ``ladder.toml``; False (and nothing written) when it already says the same."""
    text = dump_ladder(ladder)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# -- reading TOML with file-and-line errors ----------------------------------------


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"))*)\s*="
)


def _dotted(text: str) -> list[str]:
    return [part.strip().strip('"') for part in text.split(".")]


def _line_of(lines: list[str], target: tuple[Any, ...]) -> int | None:
    """The line of the deepest table or key on ``target``'s path, e.g.
    ``("competency", 2, "signals", "leverage")`` (list indexes count arrays of tables)."""
    counts: dict[tuple[Any, ...], int] = {}
    table: tuple[Any, ...] = ()
    best, best_len = None, 0

    def consider(path: tuple[Any, ...], number: int) -> None:
        nonlocal best, best_len
        if len(path) > best_len and target[: len(path)] == path:
            best, best_len = number, len(path)

    for number, line in enumerate(lines, 1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith(('["', "['")):
            parts = _dotted(header.group(2))
            resolved: list[Any] = []
            for i, part in enumerate(parts):
                resolved.append(part)
                key = tuple(resolved)
                if header.group(1) == "[[" and i == len(parts) - 1:
                    counts[key] = counts.get(key, -1) + 1
                if key in counts:
                    resolved.append(counts[key])
            table = tuple(resolved)
            consider(table, number)
            continue
        key_line = _KEY_LINE.match(line)
        if key_line:
            consider(table + tuple(_dotted(key_line.group(1))), number)
    return best


def _read_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LadderError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LadderError("not UTF-8 text", path, 1) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = str(exc), None
        found = re.search(r"\s*\(at line (\d+), column \d+\)", message)
        if found:
            line = int(found.group(1))
            message = message[: found.start()] + message[found.end() :]
        elif "(at end of document)" in message:
            line = text.count("\n") + 1
            message = message.replace("(at end of document)", "").strip()
        raise LadderError(f"invalid TOML: {message.strip()}", path, line) from None
    return data, text.split("\n")


class _Checker:
    """Type checks that name the key path and its line."""

    def __init__(self, path: Path, lines: list[str]):
        self.path, self.lines = path, lines

    def fail(self, where: tuple[Any, ...], message: str) -> LadderError:
        line = _line_of(self.lines, where) if where else None
        return LadderError(message, self.path, line or 1)

    def name(self, where: tuple[Any, ...]) -> str:
        text = ""
        for part in where:
            text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def text(self, value: Any, where: tuple[Any, ...], required: bool = True) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"{self.name(where)} must be a non-empty string")
        return value.strip()

    def strings(self, value: Any, where: tuple[Any, ...]) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, f"{self.name(where)} must be a list of strings")
        return [v.strip() for v in value]

    def table(self, value: Any, where: tuple[Any, ...], allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"{self.name(where) or 'the file'} must be a table")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*where, key),
                    f"unknown key {self.name((*where, key))!r} (known: {', '.join(allowed)})",
                )
        return value

    def tables(self, value: Any, where: tuple[Any, ...]) -> list[Any]:
        if not isinstance(value, list) or not value:
            header = f"[[{self.name(where)}]]"
            raise self.fail(where, f"needs at least one {header} table")
        return value


def load_ladder(path: str | Path) -> Ladder:
    """Read and check ``ladder.toml``; a fault raises :class:`LadderError` with file and line."""
    path = Path(path)
    data, lines = _read_toml(path)
    check = _Checker(path, lines)
    check.table(data, (), ("name", "description", "levels", "competency"))
    name = check.text(data.get("name", ""), ("name",), required=False)
    if "levels" not in data:
        raise LadderError("missing 'levels = [...]' (the levels in order)", path, 1)
    levels = check.strings(data["levels"], ("levels",))
    if not levels:
        raise check.fail(("levels",), "levels must name at least one level")
    seen = set()
    for level in levels:
        if level.casefold() in seen:
            raise check.fail(("levels",), f"level {level!r} is listed twice")
        seen.add(level.casefold())
    competencies: list[Competency] = []
    known_ids: set[str] = set()
    allowed = ("id", "name", "description", "tree", "expectations", "signals")
    for i, raw in enumerate(check.tables(data.get("competency"), ("competency",))):
        where: tuple[Any, ...] = ("competency", i)
        check.table(raw, where, allowed)
        for key in ("id", "name"):
            if key not in raw:
                raise check.fail(where, f"{check.name(where)} needs '{key}'")
        comp_id = check.text(raw["id"], (*where, "id"))
        if not _ID.fullmatch(comp_id):
            raise check.fail(
                (*where, "id"), f"bad id {comp_id!r}: lower-case letters, digits, '-' or '_'"
            )
        if comp_id in known_ids:
            raise check.fail((*where, "id"), f"competency id {comp_id!r} is used twice")
        known_ids.add(comp_id)
        tree = str(raw.get("tree", "A")).strip().upper()
        if tree not in ("A", "B"):
            raise check.fail((*where, "tree"), f"{check.name((*where, 'tree'))} must be A or B")
        expectations: dict[str, str] = {}
        exp_where = (*where, "expectations")
        for level, text in check.table(raw.get("expectations", {}), exp_where, levels).items():
            expectations[level] = check.text(text, (*exp_where, level))
        sig_where = (*where, "signals")
        raw_signals = check.table(raw.get("signals", {}), sig_where, SIGNAL_KINDS)
        lists = {k: check.strings(raw_signals.get(k, []), (*sig_where, k)) for k in SIGNAL_KINDS}
        for lev in lists["leverage"]:
            if lev.lower() not in LEVERAGE:
                raise check.fail(
                    (*sig_where, "leverage"),
                    f"leverage {lev!r} is not one of {', '.join(LEVERAGE)}",
                )
        signals = Signals(**{k: tuple(v.lower() for v in vs) for k, vs in lists.items()})
        competencies.append(
            Competency(
                comp_id, check.text(raw["name"], (*where, "name")), tree, expectations, signals
            )
        )
    return Ladder(levels, competencies, name, str(path))


def journal_ladder(root: str | Path) -> Ladder:
    """The journal's ``ladder.toml``, or the built-in default when there is none."""
    path = Path(root) / LADDER_FILE
    return load_ladder(path) if path.is_file() else default_ladder()


# -- the built-in ladder -------------------------------------------------------------


def default_ladder() -> Ladder:
    """Competencies distilled from PRODUCT.md: the impact areas, the four leverage
    types and the two skill trees, with expectations that widen by level."""

    def comp(
        cid: str, name: str, tree: str, texts: Sequence[str], **signals: Sequence[str]
    ) -> Competency:
        levels = ("mid", "senior", "staff", "principal")
        return Competency(
            cid,
            name,
            tree,
            dict(zip(levels, texts, strict=True)),
            Signals(**{k: tuple(v) for k, v in signals.items()}),
        )

    scope = (
        "for your own tasks",
        "for a project or service your team owns",
        "across several teams",
        "across the organisation",
    )
    return Ladder(
        ["mid", "senior", "staff", "principal"],
        [
            comp(
                "business-impact",
                "Business impact",
                "A",
                [
                    f"Connects work to revenue, cost, customers or retention {s}, with numbers."
                    for s in scope
                ],
                areas=("revenue", "cost", "customer", "retention"),
            ),
            comp(
                "reliability",
                "Risk, reliability and quality",
                "A",
                [f"Reduces risk and raises quality {s}." for s in scope],
                areas=("risk", "quality"),
            ),
            comp(
                "execution",
                "Execution",
                "A",
                [
                    "Drives well-defined tasks to done.",
                    "Drives complex projects to done and unblocks the team's delivery.",
                    "Drives multi-team projects to done and raises how teams deliver.",
                    "Drives the organisation's largest efforts to done.",
                ],
                leverage=("execution",),
                areas=("velocity",),
            ),
            comp(
                "expertise",
                "Technical expertise",
                "A",
                [f"Brings deep, rare skills to problems {s}." for s in scope],
                leverage=("expert",),
            ),
            comp(
                "direction",
                "Technical direction",
                "B",
                [
                    "Contributes ideas to designs and plans.",
                    "Shapes the technical direction of the team's area; writes proposals.",
                    "Sets org-wide technical direction; sees and sells new opportunities.",
                    "Shapes the company's technical strategy and roadmap.",
                ],
                leverage=("strategic",),
                areas=("strategy",),
                tags=("rfc", "design"),
            ),
            comp(
                "influence",
                "Communication and influence",
                "B",
                [f"Builds trust and aligns people {s}; communicates clearly." for s in scope],
                leverage=("interpersonal",),
                words=(
                    "aligned",
                    "alignment",
                    "presented",
                    "stakeholder*",
                    "cross-team",
                    "cross-functional",
                    "consensus",
                    "facilitat*",
                    "negotiat*",
                ),
            ),  # fmt: skip
            comp(
                "mentorship",
                "Mentorship and hiring",
                "B",
                [f"Helps others grow and hires well {s}." for s in scope],
                areas=("people",),
                words=("mentor*", "mentee", "coach*", "hiring", "interview*", "onboard*"),
            ),
        ],
        "brag default ladder",
    )


# -- mapping entries to competencies --------------------------------------------------


@dataclass(frozen=True)
class Match:
    competency: str
    name: str
    reason: str
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.competency, "name": self.name, "reason": self.reason,
                "pinned": self.pinned}  # fmt: skip


_TOKEN = re.compile(r"[a-z0-9]+[+#]*")
_SUFFIXES = ("", "s", "es", "d", "ed", "ing", "er", "ers", "ment", "ments")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _word_in(word: str, tokens: Sequence[str]) -> bool:
    """A signal word or phrase in the entry's words: whole words, simple suffixes,
    and a trailing ``*`` for any word starting with it ("mentor*")."""
    prefix = word.endswith("*")
    wanted = _tokens(word.rstrip("*"))
    if not wanted:
        return False
    n = len(wanted)
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n - 1] != wanted[: n - 1]:
            continue
        last, target = tokens[i + n - 1], wanted[-1]
        if prefix and last.startswith(target):
            return True
        if last.startswith(target) and last[len(target) :] in _SUFFIXES:
            return True
    return False


def pins(entry: Entry) -> tuple[list[str], list[str]]:
    """(pinned competency ids, removed ones) from the entry's front matter."""

    def ids(key: str) -> list[str]:
        value = entry.extra.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LadderError(f"'{key}' must be a list of competency ids", entry.path or entry.id)
        return [v.strip() for v in value if v.strip()]

    return ids(PIN_FIELD), ids(UNPIN_FIELD)


def set_pins(
    entry: Entry, ladder: Ladder, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> bool:
    """Pin (``add``) or remove (``remove``) competencies on ``entry``, in its front
    matter; the last word wins. False when the entry already said so."""
    pinned, removed = pins(entry)
    before = (list(pinned), list(removed))
    for cid, into, out_of in [(c, pinned, removed) for c in add] + [
        (c, removed, pinned) for c in remove
    ]:
        if ladder.get(cid) is None:
            known = ", ".join(c.id for c in ladder.competencies)
            raise LadderError(f"no competency {cid!r} in the ladder (ids: {known})")
        if cid in out_of:
            out_of.remove(cid)
        if cid not in into:
            into.append(cid)
    if (pinned, removed) == before:
        return False
    for key, value in ((PIN_FIELD, pinned), (UNPIN_FIELD, removed)):
        if value:
            entry.extra[key] = value
        else:
            entry.extra.pop(key, None)
    return True


def map_entry(entry: Entry, ladder: Ladder, analysis: impact.Analysis | None = None) -> list[Match]:
    """The competencies ``entry`` shows, in ladder order, each with its reason.

    A pin (``competencies = [...]`` in the front matter) always maps; a removal
    (``no_competencies = [...]``) always wins over signals. Otherwise the first
    signal that matches is the reason: a tag (one of the competency's ``tags``,
    or its id), a word, the entry's impact area, then its leverage type.
    """
    found = analysis if analysis is not None else impact.analyse(entry)
    pinned, removed = pins(entry)
    tags = {t.strip().lower() for t in entry.tags}
    tokens: list[str] | None = None
    matches: list[Match] = []
    for comp in ladder.competencies:
        if comp.id in removed:
            continue
        if comp.id in pinned:
            matches.append(Match(comp.id, comp.name, "pinned in the entry", True))
            continue
        reason = ""
        tag = next((t for t in (*comp.signals.tags, comp.id) if t in tags), "")
        if tag:
            reason = f"tag '{tag}'"
        elif comp.signals.words:
            if tokens is None:
                tokens = _tokens(" ".join([entry.title, entry.impact, *entry.tags, entry.body]))
            word = next((w for w in comp.signals.words if _word_in(w, tokens)), "")
            if word:
                reason = f"word '{word.rstrip('*')}'"
        if not reason:
            area = next((a for a in found.areas if a in comp.signals.areas), "")
            if area:
                how = "inferred" if found.areas_inferred else "stated"
                reason = f"impact area '{area}' ({how})"
        if not reason and found.leverage in comp.signals.leverage:
            how = "inferred" if found.leverage_inferred else "stated"
            reason = f"leverage '{found.leverage}' ({how})"
        if reason:
            matches.append(Match(comp.id, comp.name, reason))
    return matches


def ladder_tree(entry: Entry, ladder: Ladder, analysis: impact.Analysis | None = None) -> str:
    """The tree the ladder gives ``entry``: its competencies' tree when they agree
    (pins first), else "" so the engine's own reading stands."""
    matches = map_entry(entry, ladder, analysis)
    chosen = [m for m in matches if m.pinned] or matches
    trees = {comp.tree for m in chosen if (comp := ladder.get(m.competency)) is not None}
    return trees.pop() if len(trees) == 1 else ""


# -- coverage --------------------------------------------------------------------------


@dataclass
class CompetencyCoverage:
    id: str
    name: str
    tree: str
    expectation: str
    expectation_level: str
    evidence: list[str]  # entry ids, strongest first
    reasons: dict[str, str]  # entry id -> why it maps
    gap: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "tree": self.tree,
            "expectation": self.expectation,
            "expectation_level": self.expectation_level,
            "evidence": list(self.evidence),
            "reasons": dict(self.reasons),
            "gap": self.gap,
            "notes": list(self.notes),
        }


@dataclass
class Coverage:
    ladder: str
    target: str
    since: dt.date
    until: dt.date
    competencies: list[CompetencyCoverage]
    unmapped: list[str]  # entries in the period that map to no competency
    #: Entries whose pins name competencies the ladder does not have (a renamed id).
    stale_pins: dict[str, list[str]] = field(default_factory=dict)

    @property
    def gaps(self) -> list[CompetencyCoverage]:
        return [c for c in self.competencies if c.gap]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ladder": self.ladder,
            "target": self.target,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "competencies": [c.to_dict() for c in self.competencies],
            "unmapped": list(self.unmapped),
            "stale_pins": {k: list(v) for k, v in self.stale_pins.items()},
        }


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months up to ``today`` (the coach's default)."""
    until = today or dt.date.today()
    return until - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1), until


def coverage(
    entries: Iterable[Entry],
    ladder: Ladder,
    target_level: str,
    window: tuple[dt.date, dt.date] | None = None,
    *,
    include_private: bool = False,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> Coverage:
    """Each competency at ``target_level``: its expectation, the entries in the
    window that show it (strongest first), and whether it is a gap. A gap
    says when the only evidence is older than the window or private; brag
    never grades evidence against the level."""
    level = ladder.level(target_level)
    since, until = window or default_window(today)
    day = today or until
    every = list(entries)
    read = {id(e): impact.analyse(e, keywords) for e in every}
    counted = [e for e in every if since <= e.date <= until and (include_private or not e.private)]
    ranked = impact.rank(counted, lens, day, keywords, read=lambda e: read[id(e)])
    order = {e.id: i for i, (e, _) in enumerate(ranked)}
    by_comp: dict[str, list[tuple[Entry, Match]]] = {c.id: [] for c in ladder.competencies}
    mapped: set[str] = set()
    for entry in every:
        for match in map_entry(entry, ladder, read[id(entry)]):
            by_comp[match.competency].append((entry, match))
    rows = []
    for comp in ladder.competencies:
        linked = by_comp[comp.id]
        inside = sorted((p for p in linked if p[0].id in order), key=lambda p: order[p[0].id])
        mapped.update(e.id for e, _ in inside)
        text, written_for = ladder.expectation(comp, level)
        notes = []
        if not text:
            notes.append(f"the ladder has no expectation for this competency up to {level}")
        elif written_for != level:
            notes.append(f"expectation as written for {written_for}")
        if not inside:
            notes.extend(_gap_notes([e for e, _ in linked], since, until, include_private))
        rows.append(
            CompetencyCoverage(
                comp.id,
                comp.name,
                comp.tree,
                text,
                written_for,
                [e.id for e, _ in inside],
                {e.id: m.reason for e, m in inside},
                not inside,
                notes,
            )
        )
    unmapped = [e.id for e, _ in ranked if e.id not in mapped]
    known = {c.id for c in ladder.competencies}
    stale = {}
    for entry in every:
        named = [cid for cid in (p for group in pins(entry) for p in group) if cid not in known]
        if named:
            stale[entry.id] = named
    return Coverage(ladder.name, level, since, until, rows, unmapped, stale)


def _gap_notes(
    linked: list[Entry], since: dt.date, until: dt.date, include_private: bool
) -> list[str]:
    notes = []
    older = sorted((e for e in linked if e.date < since), key=lambda e: e.date)
    hidden = [e for e in linked if e.private and not include_private and since <= e.date <= until]
    if older:
        last = older[-1]
        notes.append(
            f"only evidence is older than the period: {_count(len(older), 'entry')}, "
            f"latest {last.date.isoformat()} ({last.id})"
        )
    if hidden:
        notes.append(
            f"only evidence in the period is private: {_count(len(hidden), 'entry')} "
            f"({', '.join(e.id for e in hidden[:3])})"
        )
    return notes


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


# -- importing the forms ladders come in -------------------------------------------


@dataclass
class ImportResult:
    ladder: Ladder
    #: What could not be read, each naming its row or line.
    problems: list[str]


_SPECIAL = ("id", "competency", "name", "tree", "signals", "level", "expectation", "description")
_HEADER_ALIASES = {
    "competency id": "id",
    "competency name": "competency",
    "name": "competency",
    "expectations": "expectation",
    "expected": "expectation",
    "description": "expectation",
    "skill tree": "tree",
}


def import_ladder(path: str | Path) -> ImportResult:
    """A ladder from a CSV export or a Markdown table or heading outline.

    Raises :class:`LadderError` when nothing usable is there; rows or lines it
    skips are listed in :attr:`ImportResult.problems` by number.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LadderError(f"cannot read: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError:
        raise LadderError("not UTF-8 text (export the spreadsheet as UTF-8 CSV)", path) from None
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return _from_markdown(text, path)
    if suffix in (".csv", ".tsv"):
        return _from_csv(text, path)
    raise LadderError("import reads .csv, .tsv or .md files", path)


def _from_csv(text: str, path: Path) -> ImportResult:
    import csv
    import io

    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    numbered = [(i, row) for i, row in enumerate(rows, 1) if any(c.strip() for c in row)]
    if not numbered:
        raise LadderError("the file is empty", path)
    (header_line, header), body = numbered[0], numbered[1:]
    return _from_rows(header, header_line, body, path, "row")


_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*:?-+:?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _cells(line: str) -> list[str]:
    inner = _TABLE_ROW.match(line)
    assert inner is not None
    cells = re.split(r"(?<!\\)\|", inner.group(1))
    out = []
    for cell in cells:
        cell = re.sub(r"(?i)<br\s*/?>", " ", cell.replace("\\|", "|")).strip()
        emphasis = re.fullmatch(r"(\*\*|__|\*|_)(.+)\1", cell)
        out.append(emphasis.group(2).strip() if emphasis else cell)
    return out


def _from_markdown(text: str, path: Path) -> ImportResult:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _TABLE_ROW.match(line) and _TABLE_ROW.match(nxt):
            if all(_RULE.match(c) for c in _cells(nxt)):
                body = []
                for j in range(i + 2, len(lines)):
                    if not _TABLE_ROW.match(lines[j]):
                        break
                    body.append((j + 1, _cells(lines[j])))
                return _from_rows(_cells(line), i + 1, body, path, "line")
    return _from_outline(lines, path)


class _Builder:
    """Collects competencies, levels and problems in the order they are read."""

    def __init__(self, path: Path, unit: str):
        self.path, self.unit = path, unit
        self.levels: list[str] = []
        self.order: list[str] = []
        self.names: dict[str, str] = {}
        self.trees: dict[str, str] = {}
        self.texts: dict[str, dict[str, str]] = {}
        self.signals: dict[str, dict[str, list[str]]] = {}
        self.problems: list[str] = []

    def problem(self, number: int, message: str) -> None:
        self.problems.append(f"{self.unit} {number}: {message}")

    def competency(self, number: int, name: str, cid: str = "") -> str:
        name = " ".join(name.split())
        cid = (cid or slugify(name, 40)).strip().lower()
        if not _ID.fullmatch(cid):
            self.problem(number, f"id {cid!r} is not usable; used {slugify(cid, 40)!r}")
            cid = slugify(cid, 40)
        if cid not in self.names:
            self.order.append(cid)
            self.names[cid] = name
            self.texts[cid] = {}
            self.signals[cid] = {k: [] for k in SIGNAL_KINDS}
        return cid

    def level(self, name: str) -> str:
        name = " ".join(name.split())
        for known in self.levels:
            if known.casefold() == name.casefold():
                return known
        self.levels.append(name)
        return name

    def expectation(self, number: int, cid: str, level: str, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        level = self.level(level)
        have = self.texts[cid].get(level)
        if have is not None and have != text:
            self.problem(number, f"a second expectation for {self.names[cid]!r} at {level!r}; "
                         "kept the first")  # fmt: skip
            return
        self.texts[cid][level] = text

    def tree(self, number: int, cid: str, raw: str) -> None:
        value = raw.strip().upper().removeprefix("TREE").strip()
        if not value:
            return
        if value not in ("A", "B"):
            self.problem(number, f"tree {raw.strip()!r} is not A or B; ignored")
            return
        have = self.trees.setdefault(cid, value)
        if have != value:
            self.problem(number, f"tree {value} contradicts tree {have} given earlier; kept {have}")

    def add_signals(self, number: int, cid: str, raw: str) -> None:
        for part in re.split(r"[;\n]", raw):
            if not part.strip():
                continue
            kind, sep, values = part.partition(":")
            kind = kind.strip().lower()
            if not sep:
                kind, values = "words", part
            if kind in ("word", "tag", "area"):
                kind += "s"
            if kind not in SIGNAL_KINDS:
                self.problem(
                    number, f"signal kind {kind!r} unknown (use {', '.join(SIGNAL_KINDS)})"
                )
                continue
            for value in (v.strip().lower() for v in values.split(",")):
                if not value:
                    continue
                if kind == "leverage" and value not in LEVERAGE:
                    self.problem(number, f"leverage {value!r} is not one of {', '.join(LEVERAGE)}")
                    continue
                if kind == "areas" and value not in AREAS:
                    self.problem(number, f"area {value!r} is not a built-in impact area; kept")
                bucket = self.signals[cid][kind]
                if value not in bucket:
                    bucket.append(value)

    def ladder(self) -> ImportResult:
        if not self.order or not self.levels:
            detail = "; ".join(self.problems[:3])
            raise LadderError(
                "found no competency with an expectation" + (f" ({detail})" if detail else ""),
                self.path,
            )
        competencies = []
        trees, borrowed, bare = [], [], []
        for cid in self.order:
            name = self.names[cid]
            if not self.texts[cid]:
                self.problems.append(f"competency {name!r} has no expectation text")
            hint = _hint(name)
            tree = self.trees.get(cid)
            if not tree:
                tree = hint.tree if hint else "A"
                trees.append(f"{name} {tree}")
            signals = Signals(**{k: tuple(v) for k, v in self.signals[cid].items()})
            if not signals.to_dict():
                if hint:
                    signals = hint.signals
                    borrowed.append(f"{name} from {hint.name}")
                else:
                    bare.append(name)
            competencies.append(Competency(cid, name, tree, self.texts[cid], signals))
        edit = f"; change them in {LADDER_FILE} if wrong"
        if trees:
            self.problems.append(
                f"no tree given for {_count(len(trees), 'competency')}, guessed from the "
                f"name ({', '.join(trees)}){edit}"
            )
        if borrowed:
            self.problems.append(
                f"no signals given for {_count(len(borrowed), 'competency')}, taken from the "
                f"built-in ladder by name ({', '.join(borrowed)}){edit}"
            )
        if bare:
            self.problems.append(
                f"no signals for {', '.join(bare)}: entries map to "
                f"{'it' if len(bare) == 1 else 'them'} only by a pin or a tag equal to the id"
            )
        # The name is left to the user: the same ladder imported from any form
        # must give the same ladder.toml.
        return ImportResult(Ladder(self.levels, competencies), self.problems)


# Which built-in competency a ladder's own name most likely means, first match
# wins ("Technical direction" is direction, not expertise).
_NAME_HINTS = (
    ("mentorship", r"mentor|coach|hiring|recruit|people|talent|teach"),
    ("influence", r"communicat|influen|collaborat|stakeholder|align|leadership|partner|culture"),
    ("direction", r"direction|strateg|vision|architect|roadmap"),
    ("business-impact", r"impact|business|customer|product|outcome"),
    ("reliability", r"reliab|quality|operation|security|risk"),
    ("execution", r"deliver|execut|project|ownership|shipping"),
    ("expertise", r"technical|expertise|skill|knowledge|craft|engineering"),
)


def _hint(name: str) -> Competency | None:
    """The built-in competency ``name`` most likely means, for a missing tree or signals."""
    for cid, pattern in _NAME_HINTS:
        if re.search(pattern, name, re.IGNORECASE):
            return default_ladder().get(cid)
    return None


def _from_rows(
    header: list[str], header_number: int, rows: list[tuple[int, list[str]]], path: Path, unit: str
) -> ImportResult:
    names = [" ".join(h.strip().lower().split()) for h in header]
    names = [_HEADER_ALIASES.get(h, h) for h in names]
    col = {h: i for i, h in reversed(list(enumerate(names)))}
    if "competency" not in col:
        raise LadderError(
            f"the header needs a 'competency' column (found: {', '.join(header)})",
            path,
            header_number,
        )
    long_form = "level" in col and "expectation" in col
    wide_levels = [(i, header[i].strip()) for i, h in enumerate(names) if h and h not in _SPECIAL]
    if not long_form and ("level" in col or "expectation" in col or not wide_levels):
        raise LadderError(
            "the header needs 'competency', 'level' and 'expectation' columns, or one column "
            f"per level (found: {', '.join(header)})",
            path,
            header_number,
        )
    build = _Builder(path, unit)

    def cell(row: list[str], key: str) -> str:
        i = col.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    for number, row in rows:
        name = cell(row, "competency")
        if not name:
            build.problem(number, "no competency name; skipped")
            continue
        cid = build.competency(number, name, cell(row, "id"))
        build.tree(number, cid, cell(row, "tree"))
        build.add_signals(number, cid, cell(row, "signals"))
        if long_form:
            level, text = cell(row, "level"), cell(row, "expectation")
            if not level:
                build.problem(number, f"no level for {name!r}; skipped")
            elif not text:
                build.problem(number, f"no expectation for {name!r} at {level!r}; skipped")
            else:
                build.expectation(number, cid, level, text)
        else:
            for i, level in wide_levels:
                build.level(level)
                if i < len(row) and row[i].strip():
                    build.expectation(number, cid, level, row[i])
    return build.ladder()


def _from_outline(lines: list[str], path: Path) -> ImportResult:
    """Headings: ``## Competency`` with ``### Level`` under it; text under a level
    heading is its expectation; ``Tree:``, ``Signals:`` and ``ID:`` lines under a
    competency heading set those fields. A shallower heading is the title."""
    headings = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines)
                if (m := _HEADING.match(line))]  # fmt: skip
    depths = sorted({d for _, d, _ in headings})
    if len(depths) < 2:
        raise LadderError(
            "no table with a header row and no heading outline (## competency, ### level) found",
            path,
        )

    def repeats(depth: int) -> int:
        names = [t.casefold() for _, d, t in headings if d == depth]
        return len(names) - len(set(names))

    # Level names repeat under every competency; deeper headings are text.
    level_depth = max(depths[1:], key=lambda d: (repeats(d), d))
    comp_depth = max(d for d in depths if d < level_depth)
    build = _Builder(path, "line")
    title = any(d < comp_depth for _, d, _ in headings)
    cid, level, text_line = "", "", 0
    text: list[str] = []

    def flush() -> None:
        if cid and level:
            if any(t.strip() for t in text):
                build.expectation(text_line, cid, level, _join_lines(text))
            else:
                build.problem(text_line, f"no expectation text under {level!r}; skipped")

    for number, line in enumerate(lines, 1):
        heading = _HEADING.match(line)
        if heading:
            depth = len(heading.group(1))
            if depth <= comp_depth:
                flush()
                cid, level, text = "", "", []
                if depth == comp_depth:
                    cid = build.competency(number, heading.group(2))
            elif depth == level_depth:
                flush()
                if not cid:
                    build.problem(number, f"level {heading.group(2)!r} is under no competency")
                level, text, text_line = heading.group(2), [], number
            elif level:
                text.append(heading.group(2))
            continue
        if not line.strip():
            text.append("")
            continue
        if cid and not level:
            key, sep, value = line.strip().lstrip("-* ").partition(":")
            field_name = key.strip().lower()
            if sep and field_name == "tree":
                build.tree(number, cid, value)
            elif sep and field_name == "signals":
                build.add_signals(number, cid, value)
            elif sep and field_name == "id":
                build.problem(number, "ID lines are read only in tables; the name sets the id")
            else:
                build.problem(number, "text outside a level heading; ignored")
        elif level:
            text.append(line)
        elif line.strip() and not title:
            build.problem(number, "text before the first competency heading; ignored")
    flush()
    return build.ladder()


def _join_lines(lines: list[str]) -> str:
    """Paragraph lines joined by spaces; bullet items kept apart by '; '."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        bullet = re.match(r"^(?:[-*+]|\d+[.)])\s+", line)
        if bullet:
            line = line[bullet.end() :]
        if out:
            out += "; " if bullet and out[-1] not in ".;:!?" else " "
        out += line
    return out


# -- review forms ------------------------------------------------------------------------


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


def _mapped_ids(entry: Entry, ladder: Ladder, found: impact.Analysis) -> set[str]:
    return {m.competency for m in map_entry(entry, ladder, found)}


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


# -- collaborators and the peer brief ------------------------------------------------


@dataclass
class Person:
    name: str
    count: int
    first: dt.date
    last: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count,
                "first": self.first.isoformat(), "last": self.last.isoformat()}  # fmt: skip


def _person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


_SIGNAL_ORDER = ("pinned", "tag", "word", "impact area", "leverage")


def _strength(match: Match) -> tuple[int, bool]:
    """How directly a match was found: a pin, then a tag, a word, an area, a leverage."""
    kind = next((i for i, k in enumerate(_SIGNAL_ORDER) if match.reason.startswith(k)), 9)
    return kind, "(inferred)" in match.reason


def people(entries: Iterable[Entry]) -> list[Person]:
    """Everyone named in entries' ``with``, most entries first (names compared
    ignoring case and spacing; the first spelling seen is kept)."""
    found: dict[str, Person] = {}
    for entry in sorted(entries, key=lambda e: (e.date, e.id)):
        for name in {_person_key(n): " ".join(n.split()) for n in entry.with_ if n.strip()}.items():
            key, spelled = name
            person = found.get(key)
            if person is None:
                found[key] = Person(spelled, 1, entry.date, entry.date)
            else:
                person.count += 1
                person.last = max(person.last, entry.date)
    return sorted(found.values(), key=lambda p: (-p.count, p.name.casefold()))


def peer_brief_data(
    entries: Iterable[Entry],
    person: str,
    ladder: Ladder | None = None,
    *,
    lens: impact.Lens | str | None = None,
    today: dt.date | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What we did together (entries with ``person`` in ``with``, strongest first),
    the outcomes, and two or three things it would help them to speak to."""
    every = list(entries)
    key = _person_key(person)
    together = [e for e in every if key in {_person_key(n) for n in e.with_}]
    if not together:
        names = ", ".join(p.name for p in people(every)[:5])
        hint = f"; people in the journal: {names}" if names else ""
        raise BragError(f"no entry names {person!r} in 'with'{hint}")
    the_ladder = ladder or default_ladder()
    read = {id(e): impact.analyse(e, keywords) for e in together}
    ranked = [
        e for e, _ in impact.rank(together, lens, today, keywords, read=lambda e: read[id(e)])
    ]
    spelled = next(p.name for p in people(together) if _person_key(p.name) == key)
    items: list[dict[str, Any]] = [
        {"id": e.id, "date": e.date.isoformat(), "title": e.title, "impact": e.impact,
         "url": e.url, "competencies": sorted(_mapped_ids(e, the_ladder, read[id(e)]),
                                              key=the_ladder.order)}
        for e in ranked
    ]  # fmt: skip
    outcomes = [{"id": e.id, "text": _sentence(e.impact)} for e in ranked if e.impact.strip()]
    # One thing per entry, strongest entries first, each under the competency
    # its most direct signal names, no competency twice.
    speak_to: list[dict[str, str]] = []
    taken: set[str] = set()
    for e in ranked:
        options = [m for m in map_entry(e, the_ladder, read[id(e)]) if m.competency not in taken]
        best = min(options, key=_strength, default=None)
        if len(speak_to) == 3:
            break
        taken.add(best.competency if best else "")
        speak_to.append(
            {"competency": best.competency if best else "", "name": best.name if best else "",
             "reason": best.reason if best else "", "entry_id": e.id, "title": e.title,
             "impact": e.impact}
        )  # fmt: skip
    return {
        "person": spelled,
        "count": len(together),
        "since": min(e.date for e in together).isoformat(),
        "until": max(e.date for e in together).isoformat(),
        "entries": items,
        "outcomes": outcomes,
        "speak_to": speak_to,
    }
