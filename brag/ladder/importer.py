"""A ladder from the forms ladders come in: CSV, a Markdown table or heading outline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..entry import AREAS, LEVERAGE, slugify
from .model import (
    _ID,
    LADDER_FILE,
    SIGNAL_KINDS,
    Competency,
    Ladder,
    LadderError,
    Signals,
    _count,
    default_ladder,
)  # fmt: skip


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
