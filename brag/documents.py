"""Reading the documents people write at work: postmortems, design docs, RFCs, ADRs.

Shared by the incidents and design-docs importers: finding files under the
paths the user names, front matter (YAML-style ``---`` or TOML ``+++``),
Markdown and reStructuredText titles, sections, metadata lines such as
``Date: 2026-03-14`` or ``:Status: Accepted``, and first paragraphs.

YAML front matter is read with PyYAML's safe loader (imported only when a
document has some); TOML front matter with :mod:`tomllib`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ImportSourceError

if TYPE_CHECKING:
    from .authorship import FileHistory, HistoryCache, Identity, RepoInfo
    from .entry import Entry
    from .importing import ImportContext

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
RST_SUFFIXES = frozenset({".rst", ".rest"})
# Folders never worth walking into.
_SKIP_DIRS = frozenset({"node_modules", "_build", "site-packages", "venv", "__pycache__"})
_MAX_BYTES = 2_000_000


class DocumentError(ValueError):
    """A file that is not a readable document; the message says why (one line)."""


# -- finding files -------------------------------------------------------------------


@dataclass
class Found:
    """A candidate document and the PATH argument it was found under."""

    path: Path
    base: Path


def find_documents(paths: Sequence[str], suffixes: frozenset[str]) -> Iterator[Found]:
    """Every file with one of ``suffixes`` under ``paths``, sorted, hidden folders skipped.

    A path that does not exist or a folder that cannot be listed stops the
    import with a clear :class:`ImportSourceError` before anything is written.
    """
    if not paths:
        raise ImportSourceError("give at least one PATH (a folder or a file)")
    for raw in paths:
        base = Path(raw).expanduser()
        if not base.exists():
            if base.parent != base and base.parent.is_file():
                raise ImportSourceError(f"{raw}: not a folder ({base.parent} is a file)")
            raise ImportSourceError(f"{raw}: no such file or folder")
        if base.is_file():
            if base.suffix.lower() not in suffixes:
                kinds = ", ".join(sorted(suffixes))
                raise ImportSourceError(f"{raw}: not a document brag reads ({kinds})")
            yield Found(base, base.parent)
            continue
        if not base.is_dir():
            raise ImportSourceError(f"{raw}: not a regular file or a folder")

        for folder, dirs, files in os.walk(base, onerror=_walk_failed):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for name in sorted(files):
                if Path(name).suffix.lower() in suffixes and not name.startswith("."):
                    yield Found(Path(folder) / name, base)


def _walk_failed(exc: OSError) -> None:
    reason = exc.strerror or str(exc)
    raise ImportSourceError(f"cannot read folder {exc.filename or '?'}: {reason}")


def read_text(path: Path) -> str:
    """The file as text; :class:`DocumentError` for binary, non-UTF-8 or unreadable
    files, and for anything but a regular file (a FIFO named ``x.md`` would block
    the import forever; a device could be read without end)."""
    import stat

    try:
        # Non-blocking open: a FIFO opens at once instead of waiting for a writer,
        # and the check is made on what was opened, not on a name that may change.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise DocumentError(f"cannot read it: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DocumentError("not a regular file (a pipe, device or socket)")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            data = fh.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > _MAX_BYTES:
        raise DocumentError("too large for a document (over 2 MB)")
    if b"\0" in data[:8192]:
        raise DocumentError("binary file, not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(f"not UTF-8 text (line {line})") from None
    return text.replace("\r\n", "\n")


# -- front matter --------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """``(metadata, body, body's first line number)``; empty metadata when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, text, 1
    fence = lines[0].strip()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == fence), None)
    if end is None and fence == "---":
        # "---" may also be a YAML document end "...".
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "..."), None)
    if end is None:
        raise DocumentError(f"front matter opened with '{fence}' on line 1 is never closed")
    raw = "\n".join(lines[1:end])
    if fence == "+++":
        try:
            meta = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            # tomllib counts from the first line inside the fence; the file, from "+++".
            message = re.sub(r"\(at line (\d+)", lambda m: f"(at line {int(m[1]) + 1}", str(exc))
            raise DocumentError(f"bad TOML front matter: {message}") from None
    else:
        meta = parse_simple_yaml(raw, first_line=2)
    meta = {_meta_key(str(k)).replace(" ", "_"): v for k, v in meta.items()}
    return meta, "\n".join(lines[end + 1 :]), end + 2


@functools.cache
def _yaml_loader() -> type:
    """PyYAML's safe loader, reading only what front matter means: dates and times
    stay text (``as_date`` reads them), ``1:30`` is not a base-60 number, and only
    whole numbers become numbers ("1.5" stays text, as a duration or version)."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        pass

    drop = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in drop]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    FrontMatterLoader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
    )
    return FrontMatterLoader


def parse_simple_yaml(text: str, first_line: int = 1) -> dict[str, Any]:
    """YAML front matter as a mapping, read with ``yaml.safe_load``. Dates stay text,
    block scalars lose their trailing newline, and nested keys are lower case. YAML
    that does not parse, or is not ``key: value`` at the top, raises
    :class:`DocumentError` naming the line (counted from the file's first line)."""
    import yaml

    try:
        # A SafeLoader subclass: yaml.safe_load with front matter's own resolvers.
        data = yaml.load(text, Loader=_yaml_loader())
    except yaml.MarkedYAMLError as exc:
        # A key that never gets its ':' is reported where it started, not a line later.
        started = exc.context_mark if "simple key" in (exc.context or "") else None
        mark = started or exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if mark is None:
            raise DocumentError(f"front matter: {problem}") from None
        lines = text.split("\n")
        shown = lines[mark.line].strip()[:40] if mark.line < len(lines) else ""
        raise DocumentError(
            f"front matter line {first_line + mark.line}: can't read {shown!r} ({problem})"
        ) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"front matter: not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DocumentError(
            f"front matter line {first_line}: not 'key: value' lines "
            f"(found a YAML {type(data).__name__})"
        )
    return {str(k): _front_matter_value(v) for k, v in data.items()}


def _front_matter_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {str(k).lower(): _front_matter_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_front_matter_value(v) for v in value]
    return value


# -- document structure --------------------------------------------------------------


@dataclass
class Section:
    heading: str
    key: str  # normalised: "2. Root Cause(s):" -> "root cause"
    level: int
    text: str  # everything up to the next heading of the same or a higher level
    line: int


@dataclass
class Document:
    path: Path
    format: str  # "markdown" or "rst"
    meta: dict[str, Any]  # front matter, then metadata lines and field lists
    title: str
    sections: list[Section] = field(default_factory=list)
    preamble: str = ""  # text between the title and the first section

    def section(self, *names: str) -> Section | None:
        wanted = [normalise_heading(n) for n in names]
        for name in wanted:
            for section in self.sections:
                if section.key == name:
                    return section
        return None

    def get(self, *keys: str) -> Any:
        for key in keys:
            value = self.meta.get(key)
            if value not in (None, "", []):
                return value
        return None


def normalise_heading(text: str) -> str:
    text = text.lower().replace("(s)", "s")
    text = re.sub(r"^\s*(?:[0-9]+|[ivx]+)[.)]\s*", "", text)
    text = re.sub(r"[^a-z0-9&/ ]+", " ", text)
    text = " ".join(text.split())
    if text.endswith("s") and not text.endswith(("ss", "us")) and len(text) > 3:
        text = text[:-1]
    return text


# Metadata lines worth reading from a document's text: "Date: 2026-03-14",
# "**Status:** Accepted", "- Authors: Alice, Bob", "| Severity | SEV1 |".
META_KEYS = frozenset(
    {
        "date",
        "status",
        "author",
        "authors",
        "owner",
        "owners",
        "severity",
        "sev",
        "duration",
        "impact",
        "customer impact",
        "incident date",
        "started",
        "start",
        "resolved",
        "end",
        "incident commander",
        "commander",
        "responders",
        "participants",
        "reviewers",
        "created",
        "last updated",
        "updated",
        "title",
        "url",
        "link",
        "service",
        "services",
    }
)
_META_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z /_-]{0,30}?)(?:\*\*|__)?\s*:"
    r"(?:\*\*|__)?\s+(?P<value>\S.*?)\s*$"
)
_META_ROW = re.compile(
    r"^\s*\|\s*(?:\*\*)?(?P<key>[A-Za-z][A-Za-z /_-]{0,30}?)(?:\*\*)?\s*\|"
    r"\s*(?P<value>[^|]*\S)\s*\|"
)
_RST_FIELD = re.compile(r"^:(?P<key>[A-Za-z][A-Za-z /_-]{0,30}):\s*(?P<value>.*?)\s*$")


def _meta_key(raw: str) -> str:
    return " ".join(raw.lower().replace("_", " ").replace("-", " ").split())


def _meta_lines(lines: Sequence[str], meta: dict[str, Any]) -> None:
    for line in lines:
        m = _META_LINE.match(line) or _META_ROW.match(line)
        if not m:
            continue
        key = _meta_key(m["key"])
        value = m["value"].strip().strip("*_").strip()
        if key in META_KEYS and value:
            meta.setdefault(key.replace(" ", "_"), value)


_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def parse_markdown(path: Path, text: str) -> Document:
    meta, body, offset = split_front_matter(text)
    lines = body.split("\n")
    headings: list[tuple[int, int, str]] = []  # (line index, level, text)
    in_fence = False
    setext_skip: set[int] = set()
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or i in setext_skip:
            continue
        if m := _ATX.match(line):
            headings.append((i, len(m[1]), m[2].strip()))
        elif (
            line.strip()
            and i + 1 < len(lines)
            and re.fullmatch(r"\s{0,3}(=+|-{2,})\s*", lines[i + 1])
            and (i == 0 or not lines[i - 1].strip())
            and not _META_LINE.match(line)
        ):
            level = 1 if lines[i + 1].strip().startswith("=") else 2
            headings.append((i, level, line.strip()))
            setext_skip.add(i + 1)
    return _assemble(path, "markdown", meta, lines, headings, offset)


_RST_ADORN = re.compile(r"^([=\-~^\"'`#*+:.<>_])\1{2,}\s*$")


def parse_rst(path: Path, text: str) -> Document:
    meta, body, offset = split_front_matter(text)
    lines = body.split("\n")
    headings: list[tuple[int, int, str]] = []
    styles: list[tuple[str, bool]] = []
    i = 0
    while i < len(lines) - 1:
        line, below = lines[i], lines[i + 1]
        over = _RST_ADORN.match(line)
        if over and i + 2 < len(lines) and lines[i + 2].strip() == line.strip() and below.strip():
            style, text, nxt = (over[1], True), below.strip(), i + 3
        elif (
            line.strip()
            and not line.startswith((" ", "\t", ".."))
            and not over
            and (under := _RST_ADORN.match(below))
            and len(below.rstrip()) >= len(line.rstrip())
        ):
            style, text, nxt = (under[1], False), line.strip(), i + 2
        else:
            i += 1
            continue
        if style not in styles:
            styles.append(style)
        # The title line index; its body starts two lines below it.
        headings.append((i + 1 if style[1] else i, styles.index(style) + 1, text))
        i = nxt
    # Docinfo: a field list (":Authors: ...") near the top.
    for line in lines[:60]:
        if fm := _RST_FIELD.match(line.strip()):
            meta.setdefault(_meta_key(fm["key"]).replace(" ", "_"), fm["value"])
    return _assemble(path, "rst", meta, lines, headings, offset, rst=True)


def _assemble(
    path: Path,
    fmt: str,
    meta: dict[str, Any],
    lines: list[str],
    headings: list[tuple[int, int, str]],
    offset: int,
    rst: bool = False,
) -> Document:
    title = str(meta.get("title") or "").strip()
    start = 0
    rest = headings
    # The document's own title is its first heading when that is a top one (an
    # H1, or in reStructuredText the first adornment style); everything else is a section.
    if headings and headings[0][1] == 1:
        first_index, _, first_text = headings[0]
        title = title or first_text
        start = first_index + (2 if rst else 1)
        rest = headings[1:]
    title = plain_text(title) or title_from_filename(path)
    sections: list[Section] = []
    for n, (i, level, text) in enumerate(rest):
        end = len(lines)
        for j, lvl, _ in rest[n + 1 :]:
            if lvl <= level:
                end = j - (1 if rst and j > 0 and _RST_ADORN.match(lines[j - 1]) else 0)
                break
        body_start = i + (2 if rst else 1)
        sections.append(
            Section(
                text, normalise_heading(text), level, "\n".join(lines[body_start:end]), i + offset
            )
        )
    first_section = rest[0][0] if rest else len(lines)
    preamble = "\n".join(lines[start:first_section])
    _meta_lines(lines[:first_section], meta)
    for section in sections:
        _meta_lines(section.text.split("\n")[:15], meta)
    return Document(path, fmt, meta, title, sections, preamble)


def parse_document(path: Path, text: str) -> Document:
    if path.suffix.lower() in RST_SUFFIXES:
        return parse_rst(path, text)
    return parse_markdown(path, text)


def plain_text(text: str) -> str:
    """Inline Markdown/rST markup removed: ``**x**``, ```x```, ``[x](url)``, ``<b>``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*]+)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def title_from_filename(path: Path) -> str:
    stem = re.sub(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[-_ ]*", "", path.stem)
    stem = re.sub(r"^(?:adr|rfc)?[-_ ]*[0-9]+[-_ ]+", "", stem, flags=re.IGNORECASE)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else path.stem


# -- paragraphs and values ---------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """Prose paragraphs, each on one line: comments, code, tables, metadata lines,
    directives and headings left out; list items kept as "- item" lines."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    out: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            out.append("\n".join(current) if current[0].startswith("- ") else " ".join(current))
            current.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if _FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        if not stripped:
            flush()
            continue
        if (
            stripped.startswith(("|", "#", "..", ":", "![", "<", "+--", "==="))
            or _ATX.match(stripped)
            or _RST_ADORN.match(stripped)
        ):
            flush()
            continue
        if (m := _META_LINE.match(stripped)) and _meta_key(m["key"]) in META_KEYS:
            flush()
            continue
        item = re.match(r"^(?:[-*+]|[0-9]+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$", stripped)
        if item:
            if current and not current[0].startswith("- "):
                flush()
            current.append(f"- {item[1].strip()}")
        elif current and current[0].startswith("- "):
            current[-1] += " " + stripped
        else:
            current.append(stripped)
    flush()
    return [p for p in out if p.strip()]


def first_paragraph(text: str) -> str:
    found = paragraphs(text)
    return found[0] if found else ""


def list_items(text: str) -> list[str]:
    items: list[str] = []
    for para in paragraphs(text):
        if para.startswith("- "):
            items.extend(line[2:].strip() for line in para.split("\n"))
    return items


def as_date(value: Any) -> dt.date | None:
    """A date from front matter or a metadata line: ISO dates and date-times, or
    "March 14, 2026" / "14 March 2026"; None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = re.match(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text.split(" (")[0].strip(), fmt).date()
        except ValueError:
            continue
    return None


def as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[,;]", str(value)) if v.strip()]


def date_from_name(path: Path) -> dt.date | None:
    m = re.match(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})", path.name)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# -- scanning folders for the user's documents ------------------------------------------

# Files in document folders that are indexes and templates, not documents.
NOT_DOCUMENTS = re.compile(
    r"^(readme|index|template|_template|.*-template|template-.*|toc|summary|changelog|"
    r"license|contributing|code_of_conduct)$",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """A parsed document found under a PATH, with what is needed to judge and name it."""

    path: Path
    shown: str  # how messages name it: relative to the current folder when possible
    doc: Document
    root: Path | None  # its git repository, if any
    repo: RepoInfo | None
    identity: Identity
    source_id: str  # "<repo>:<path in repo>", else the absolute path
    _cache: HistoryCache
    _base: Path

    def history(self) -> FileHistory | None:
        if self.root is None:
            return None
        return self._cache.history(self.root, self.path, self._base)


def scan(context: ImportContext, suffixes: frozenset[str]) -> Iterator[Candidate | tuple[str, str]]:
    """Parse every document under the ``paths`` option; unreadable files become
    ``(file, reason)`` skips, logged so the user sees which file and why."""
    from .authorship import HistoryCache, resolve_identity

    paths = list(context.option("paths", []) or [])
    if isinstance(paths, str):
        paths = [paths]
    identity = resolve_identity(context.journal, context.option("authors"))
    cache = HistoryCache()
    context.progress.start("Reading documents")
    for found in find_documents(paths, suffixes):
        path = found.path
        if NOT_DOCUMENTS.match(path.stem):
            continue
        shown = _shown(path)
        context.progress.advance()
        try:
            doc = parse_document(path, read_text(path))
        except DocumentError as exc:
            context.progress.log(f"skipped {shown}: {exc}")
            yield shown, str(exc)
            continue
        root = cache.root_for(path, found.base)
        repo = cache.info(root) if root else None
        ident = identity.with_repo(repo) if repo else identity
        if root is not None and repo is not None:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
            source_id = f"{repo.slug}:{rel}"
        else:
            source_id = path.resolve().as_posix()
        yield Candidate(path, shown, doc, root, repo, ident, source_id, cache, found.base)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def in_window(context: ImportContext, day: dt.date) -> bool:
    """Inside --since/--until. A resume cursor is ignored: documents carry their
    own dates, so one written about last year and added today must still come in."""
    since = None if context.resumed else context.since
    if since and day < since:
        return False
    return not (context.until and day > context.until)


def import_documents(
    context: ImportContext,
    suffixes: frozenset[str],
    *,
    people: Callable[[Document], dict[str, list[str]]],
    not_yours: str,
    date_of: Callable[[Candidate], dt.date | None],
    undated: str,
    entry: Callable[[Candidate, str, dt.date], Entry],
    not_this_kind: Callable[[Document], str] | None = None,
) -> Iterator[Entry | tuple[str, str]]:
    """The loop every document importer runs: each document under the ``paths``
    option that ``not_this_kind`` does not turn away (it returns the skip reason,
    or "" to keep it), that names you among its ``people`` (role -> names, in
    credit order) or, naming nobody, that git says you wrote, that has a date and
    falls inside the window, becomes ``entry(candidate, role, day)``. Everything
    else is a ``(file, reason)`` skip: ``not_yours``, ``undated`` (also logged)."""
    from .authorship import involvement

    for item in scan(context, suffixes):
        if isinstance(item, tuple):
            yield item
            continue
        reason = not_this_kind(item.doc) if not_this_kind else ""
        if reason:
            yield item.shown, reason
            continue
        listed = people(item.doc)
        history = None if any(listed.values()) else item.history()
        role = involvement(item.identity, listed, history)
        if role is None:
            yield item.shown, not_yours
            continue
        day = date_of(item)
        if day is None:
            context.progress.log(f"skipped {item.shown}: {undated}")
            yield item.shown, undated
            continue
        if not in_window(context, day):
            continue
        yield entry(item, role, day)
