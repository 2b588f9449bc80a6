"""The ladder file: its data, ``ladder.toml`` with file-and-line errors, the built-in ladder."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import impact
from ..entry import LEVERAGE
from ..errors import BragError

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
    import tomllib  # not at the top: the built-in ladder, what most journals use, is no file

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


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def target_level(ladder: Ladder, config: dict[str, Any], explicit: str | None = None) -> str:
    """The level a coverage view is for, in the ladder's spelling: ``explicit``,
    else ``[user] target_level``, else the ladder level after ``[user] level``.

    A company ladder's own level names ("L6", "Staff Engineer II") are looked
    up as written before brag's aliases, so they work in brag.toml too.
    """
    if explicit:
        return ladder.level(explicit)
    user = config.get("user", {})
    user = user if isinstance(user, dict) else {}
    wanted = str(user.get("target_level", "") or "").strip()
    if wanted:
        return ladder.level(wanted)
    current = str(user.get("level", "") or "").strip()
    if current:
        level = ladder.level(current)
        index = ladder.levels.index(level)
        return ladder.levels[min(index + 1, len(ladder.levels) - 1)]
    known = ", ".join(ladder.levels)
    raise LadderError(
        f"no target level: give --target LEVEL, or set one with "
        f"'brag config set user.target_level LEVEL' (levels: {known})"
    )


def save_ladder(root: str | Path, ladder: Ladder, message: str) -> bool:
    """Write ``ladder.toml`` at the journal ``root`` atomically and commit it.

    The text is read back through :func:`load_ladder` before it replaces the
    file, so a ladder the journal cannot read is never written. False, and
    nothing written or committed, when the file already says the same.
    """
    import os
    import tempfile

    from .. import gitcmd

    path = Path(root) / LADDER_FILE
    text = dump_ladder(ladder)
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    fd, tmp = tempfile.mkstemp(prefix=".brag-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        load_ladder(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    gitcmd.commit_paths(Path(root), message, add=[LADDER_FILE])
    return True
