"""An entry: TOML front matter between ``+++`` lines, then a Markdown body.

The file format is the source of truth, so it is written to be read and edited
by hand: known fields in a fixed order, empty ones omitted, and any field brag
does not know (written by a user or a plugin) kept exactly on rewrite.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import EntryError
from .vocabulary import AREAS as AREAS
from .vocabulary import LEVERAGE as LEVERAGE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# Order in which known fields are written; anything else goes after, as found.
FIELD_ORDER = (
    "id",
    "date",
    "title",
    "kind",
    "from",
    "tags",
    "impact",
    "areas",
    "leverage",
    "with",
    "source",
    "source_id",
    "url",
    "private",
    "follow_up",
    "inbox_cleared",
    "created",
    "updated",
    "metrics",
    "outcome",
)
#: Kinds of entry besides plain work: feedback received (praise, thanks) from someone.
KINDS = ("feedback",)
KNOWN_FIELDS = frozenset(FIELD_ORDER)
_ID = re.compile(r"[0-9A-Za-z_-]{1,40}")
_EMPTY: list[Any] = []  # a field left out (compared by identity)

_DELIM = "+++"
_SLUG_MAX = 60
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


def new_id() -> str:
    """A fresh random id: 8 hex digits, enough to stay unique in a lifetime's journal.

    ``os.urandom`` is what ``secrets.token_hex`` reads, without the 10 ms of
    imports (random, base64, hmac, hashlib) that module costs ``brag add``."""
    import os

    return os.urandom(4).hex()


#: The order entries are told in, as a sort key: by date, then by id (``sorted(entries,
#: key=chronological)``), without a Python call per entry.
chronological = operator.attrgetter("date", "id")


def content_digest(entry: Entry) -> bytes:
    """A 96-bit digest of everything the impact engine reads from ``entry``: its
    words and fields (not its date, id or file). The analysis cache is keyed by it,
    and the index keeps it with each entry so a document need not work it out
    again for each of a year's entries. A change here must come with a new
    ``index.SCHEMA_VERSION`` (or documents read stale digests) and a new
    ``impact.analysis.ANALYSIS_VERSION``."""
    blake2b = _BLAKE2B or _load_blake2b()
    text = "\x1f".join(
        (
            entry.title,
            entry.impact,
            entry.body,
            "\x1e".join(entry.tags),
            "\x1e".join(entry.areas),
            "\x1e".join(entry.with_),
            entry.leverage,
            repr(entry.metrics) if entry.metrics else "",
            str(entry.extra.get("tree", "")) if entry.extra else "",
        )
    )
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()


_BLAKE2B: Callable[..., Any] | None = None


def _load_blake2b() -> Callable[..., Any]:
    """The digest, imported on first use and kept: a cold rebuild digests every entry
    (an import statement in :func:`content_digest` cost more than the digest), and a
    list or search digests none."""
    global _BLAKE2B
    from .hashing import blake2b

    _BLAKE2B = blake2b
    return blake2b


def stable_id(source: str, source_id: str) -> str:
    """The id of an imported entry: derived from its source key, so two machines
    importing the same pull request name it the same way."""
    import hashlib

    return hashlib.sha1(f"{source}\0{source_id}".encode()).hexdigest()[:8]


def slugify(title: str, max_length: int = _SLUG_MAX) -> str:
    """A file-name-safe slug: ASCII letters, digits and single dashes only.

    No path separators, dots, control characters or reserved device names can
    survive, whatever the title holds; the result is never empty.
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", title)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > max_length:
        text = text[:max_length].rstrip("-")
        # Prefer to cut at a word boundary when one is near.
        cut = text.rfind("-")
        if cut > max_length // 2:
            text = text[:cut]
    if not text:
        text = "entry"
    if text in _WINDOWS_RESERVED:
        text = f"{text}-entry"
    return text


def now() -> dt.datetime:
    """Local time with its UTC offset, to the second (what the files record)."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


@dataclass
class Entry:
    """One accomplishment. ``extra`` holds fields brag does not know, verbatim."""

    title: str
    date: dt.date
    id: str = field(default_factory=new_id)
    tags: list[str] = field(default_factory=list)
    impact: str = ""
    metrics: list[dict[str, Any]] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    leverage: str = ""
    with_: list[str] = field(default_factory=list)
    source: str = ""
    source_id: str = ""
    url: str = ""
    private: bool = False
    # Feedback received: ``kind = "feedback"`` and who gave it (``from``).
    kind: str = ""
    from_: str = ""
    # When to ask what happened next; the result, once known: {date, text, metrics}.
    follow_up: dt.date | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    # The day the user last cleared this entry from the inbox.
    inbox_cleared: dt.date | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the entry lives, relative to the journal root ("entries/2026/03/…md").
    path: str = ""

    # -- file format -------------------------------------------------------

    def front_matter(self) -> dict[str, Any]:
        """The front-matter mapping, known fields in order, empty ones left out."""
        values: dict[str, Any] = {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "kind": self.kind,
            "from": self.from_,
            "tags": list(self.tags),
            "impact": self.impact,
            "areas": list(self.areas),
            "leverage": self.leverage,
            "with": list(self.with_),
            "source": self.source,
            "source_id": self.source_id,
            "url": self.url,
            "private": self.private,
            "follow_up": self.follow_up,
            "inbox_cleared": self.inbox_cleared,
            "created": self.created,
            "updated": self.updated,
            "metrics": [dict(m) for m in self.metrics],
            "outcome": _outcome_table(self.outcome),
        }
        data = {k: v for k, v in values.items() if v not in ("", [], {}, None, False)}
        data["id"], data["date"], data["title"] = self.id, self.date, self.title
        ordered = {k: data[k] for k in FIELD_ORDER if k in data}
        for key, value in self.extra.items():
            if key not in KNOWN_FIELDS:
                ordered[key] = value
        return ordered

    def to_dict(self) -> dict[str, Any]:
        """Front-matter keys plus ``path`` and ``body``, JSON-ready (dates as ISO strings)."""
        data = _jsonable(self.front_matter())
        data.setdefault("tags", [])
        data.setdefault("private", False)
        data["path"] = self.path
        data["body"] = self.body
        return data

    def to_markdown(self) -> str:
        import tomli_w

        header = tomli_w.dumps(self.front_matter())
        return f"{_DELIM}\n{header}{_DELIM}\n\n{self.body}"

    @classmethod
    def from_markdown(cls, text: str, path: str = "", fast: bool = True) -> Entry:
        """Parse a file's text; raise :class:`EntryError` naming the line on any fault.

        ``fast=False`` reads the front matter with tomllib alone (the fast reader
        gives the same result, but costs an import to read one entry)."""
        if text.startswith("\ufeff"):
            text = text[1:]
        # The front matter runs from the first line's "+++" to the next line that
        # is "+++" (either may end in "\r"); found without splitting the body.
        first_end = text.find("\n")
        first = text if first_end < 0 else text[:first_end]
        if first.rstrip("\r") != _DELIM:
            raise EntryError("front matter must start with a '+++' line", path, 1)
        close, line_end = first_end, -1
        while close >= 0:
            close = text.find("\n+++", close)
            if close < 0:
                break
            line_end = text.find("\n", close + 4)
            line = text[close + 1 :] if line_end < 0 else text[close + 1 : line_end]
            if line.rstrip("\r") == _DELIM:
                break
            close += 1
        if close < 0:
            raise EntryError("front matter is not closed by a '+++' line", path, 1)
        toml_text = text[first_end + 1 : close]
        if toml_text.endswith("\r"):
            # A file with Windows line ends: its last "\r\n" is cut in two by the
            # closing line, and a lone "\r" is not TOML.
            toml_text = toml_text[:-1]
        # brag's own files are read by the fast reader; anything else by tomllib,
        # which also names the line of any fault.
        data = (_fast_loads or _load_fast_reader())(toml_text) if fast else None
        if data is None:
            data = _toml_loads(toml_text, path, text.count("\n", 0, close + 1))
        body = "" if line_end < 0 else text[line_end + 1 :]
        if body.startswith("\r\n"):
            body = body[2:]
        elif body.startswith("\n"):
            body = body[1:]
        return cls.from_front_matter(data, body, path, _line_finder(toml_text))

    @classmethod
    def from_front_matter(
        cls,
        data: dict[str, Any],
        body: str = "",
        path: str = "",
        line_of: Any = None,
    ) -> Entry:
        def fail(key: str, reason: str) -> EntryError:
            line = line_of(key) if line_of else None
            return EntryError(reason, path, line)

        for key in ("id", "date", "title"):
            if key not in data:
                raise EntryError(f"missing required field '{key}'", path, 1)
        entry_id = data["id"]
        if not isinstance(entry_id, str) or _ID.fullmatch(entry_id) is None:
            raise fail("id", f"bad id {entry_id!r}: use letters, digits, '-' or '_'")
        date = data["date"]
        if type(date) is dt.date:
            pass
        elif isinstance(date, dt.datetime):
            date = date.date()
        elif isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date.strip())
            except ValueError:
                raise fail("date", f"bad date {data['date']!r}: expected YYYY-MM-DD") from None
        elif not isinstance(date, dt.date):
            raise fail("date", f"bad date {date!r}: expected YYYY-MM-DD")
        title = data["title"]
        if not isinstance(title, str) or not title.strip():
            raise fail("title", "title must be a non-empty string")

        # A rebuild reads every entry through here: absent keys and well-typed
        # values take the shortest way.
        def str_list(key: str) -> list[str]:
            value = data.get(key, _EMPTY)
            if value is _EMPTY:
                return []
            if isinstance(value, str):
                return [value]
            if not isinstance(value, list):
                raise fail(key, f"'{key}' must be a list of strings")
            for item in value:
                if not isinstance(item, str):
                    raise fail(key, f"'{key}' must be a list of strings")
            return list(value)

        def text(key: str) -> str:
            value = data.get(key, "")
            if not isinstance(value, str):
                raise fail(key, f"'{key}' must be a string")
            return value

        def day(key: str) -> dt.date | None:
            value = data.get(key)
            if value is None:
                return None
            if value.__class__ is dt.date:
                return value
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value.strip())
                except ValueError:
                    pass
            raise fail(key, f"bad {key} {value!r}: expected YYYY-MM-DD")

        def stamp(key: str) -> dt.datetime | None:
            value = data.get(key)
            if value is None or isinstance(value, dt.datetime):
                return value
            raise fail(key, f"'{key}' must be a date-time")

        metrics = data.get("metrics", _EMPTY)
        if metrics is _EMPTY:
            metrics = []
        elif not isinstance(metrics, list) or not all(isinstance(m, dict) for m in metrics):
            raise fail("metrics", "'metrics' must be an array of tables")
        private = data.get("private", False)
        if not isinstance(private, bool):
            raise fail("private", "'private' must be true or false")
        kind = text("kind").strip().lower()
        if kind and kind not in KINDS:
            raise fail("kind", f"unknown kind {kind!r}: use {', '.join(KINDS)} or leave it out")
        outcome = _read_outcome(data.get("outcome"), lambda reason: fail("outcome", reason))
        source_id = data.get("source_id", "")
        if isinstance(source_id, int):
            source_id = str(source_id)
        if data.keys() <= KNOWN_FIELDS:
            extra = {}
        else:
            extra = {k: v for k, v in data.items() if k not in KNOWN_FIELDS}
        return cls(
            id=entry_id,
            date=date,
            title=title,
            tags=str_list("tags"),
            impact=text("impact"),
            metrics=[dict(m) for m in metrics],
            areas=str_list("areas"),
            leverage=text("leverage"),
            with_=str_list("with"),
            source=text("source"),
            source_id=source_id if isinstance(source_id, str) else str(source_id),
            url=text("url"),
            private=private,
            kind=kind,
            from_=text("from").strip(),
            follow_up=day("follow_up"),
            outcome=outcome,
            inbox_cleared=day("inbox_cleared"),
            created=stamp("created"),
            updated=stamp("updated"),
            body=body,
            extra=extra,
            path=path,
        )

    # -- placement ---------------------------------------------------------

    def filename(self, suffix: int = 1) -> str:
        slug = slugify(self.title)
        if suffix > 1:
            slug = f"{slug}-{suffix}"
        return f"{self.date.isoformat()}-{slug}.md"

    def default_path(self, suffix: int = 1) -> str:
        return f"entries/{self.date:%Y}/{self.date:%m}/{self.filename(suffix)}"

    @property
    def dedup_key(self) -> tuple[str, str] | None:
        if self.source and self.source_id:
            return (self.source, self.source_id)
        return None


def parse_metric(text: str) -> dict[str, Any]:
    """Parse ``--metric`` text: ``"name: value unit"`` or ``"name: before unit -> after unit"``.

    >>> parse_metric("p99 latency: 800ms -> 200ms")
    {'name': 'p99 latency', 'value': 200, 'unit': 'ms', 'before': 800, 'after': 200}
    """
    if ":" not in text:
        raise EntryError(f"metric {text!r} must look like 'name: value unit' or 'name: A -> B'")
    name, _, rest = text.partition(":")
    name, rest = name.strip(), rest.strip()
    if not name or not rest:
        raise EntryError(f"metric {text!r} needs both a name and a value")
    parts = re.split(r"\s*(?:->|→|=>)\s*", rest)
    if len(parts) == 2:
        before, unit_b = _number_and_unit(parts[0], text)
        after, unit_a = _number_and_unit(parts[1], text)
        unit = unit_a or unit_b
        return {"name": name, "value": after, "unit": unit, "before": before, "after": after}
    if len(parts) != 1:
        raise EntryError(f"metric {text!r} has more than one '->'")
    value, unit = _number_and_unit(parts[0], text)
    return {"name": name, "value": value, "unit": unit}


def _outcome_table(outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome as written: date, text, metrics first, then anything else kept."""
    if not outcome:
        return {}
    order = ("date", "text", "metrics")
    table = {k: outcome[k] for k in order if outcome.get(k) not in (None, "", [])}
    table.update({k: v for k, v in outcome.items() if k not in order})
    return table


def _read_outcome(raw: Any, fail: Any) -> dict[str, Any]:
    """Check an ``[outcome]`` table: a dated result, in words and/or metrics."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("'outcome' must be a table with a date, a text and/or metrics")
    outcome = dict(raw)
    when = outcome.get("date")
    if isinstance(when, dt.datetime):
        when = when.date()
    elif isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when.strip())
        except ValueError:
            raise fail(f"bad outcome date {when!r}: expected YYYY-MM-DD") from None
    if not isinstance(when, dt.date):
        raise fail("'outcome' needs a date (YYYY-MM-DD): when the result was measured")
    outcome["date"] = when
    if not isinstance(outcome.get("text", ""), str):
        raise fail("'outcome.text' must be a string")
    metrics = outcome.get("metrics", [])
    if not isinstance(metrics, list) or not all(isinstance(m, dict) for m in metrics):
        raise fail("'outcome.metrics' must be an array of tables")
    if not str(outcome.get("text", "")).strip() and not metrics:
        raise fail("'outcome' needs a text or metrics: what was measured")
    outcome["metrics"] = [dict(m) for m in metrics]
    return outcome


def _number_and_unit(text: str, whole: str) -> tuple[int | float, str]:
    m = re.fullmatch(r"([-+]?\$?[-+]?\d[\d,_]*(?:\.\d+)?)\s*(.*)", text.strip())
    if not m:
        raise EntryError(f"metric {whole!r}: {text.strip()!r} does not start with a number")
    raw, unit = m.group(1), m.group(2).strip()
    if "$" in raw:
        raw = raw.replace("$", "")
        unit = "$" + unit  # "$2.3M" keeps both the currency and the scale: "$M"
    raw = raw.replace(",", "").replace("_", "")
    number: int | float = float(raw) if "." in raw else int(raw)
    return number, unit


_fast_loads: Callable[[str], dict[str, Any] | None] | None = None


def _load_fast_reader() -> Callable[[str], dict[str, Any] | None]:
    """brag.frontmatter's reader, imported on the first entry read, not with this module."""
    global _fast_loads
    from .frontmatter import loads

    _fast_loads = loads
    return loads


def _toml_loads(toml_text: str, path: str, end: int) -> dict[str, Any]:
    """Front matter read by tomllib; a fault raised as :class:`EntryError` with its
    line in the file (``end`` is the 0-based line of the closing ``+++``)."""
    import tomllib

    try:
        return tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = 1
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        if m:
            line = int(m.group(1)) + 1  # the opening +++ is line 1
            message = message[: m.start()].strip()
        elif "(at end of document)" in message:
            line = end + 1
            message = message.replace("(at end of document)", "").strip()
        raise EntryError(f"invalid TOML front matter: {message}", path, line) from None


def _line_finder(toml_text: str) -> Any:
    def line_of(key: str) -> int | None:
        toml_lines = toml_text.split("\n")
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])")
        for i, line in enumerate(toml_lines):
            if pattern.match(line):
                return i + 2  # +1 for the opening '+++', +1 for 1-based lines
        return None

    return line_of


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value
