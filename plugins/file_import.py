"""Any spreadsheet or export: ``brag import file FILE.csv|FILE.json|-``.

Each CSV row or JSON object needs at least a date and a title. Columns named
like entry fields map to them (``date``, ``title``, ``tags``, ``impact``,
``areas``, ``leverage``, ``with``, ``url``, ``private``, ``metrics``,
``body``, ``kind``, ``from``, ``follow_up``); ``--map COLUMN=FIELD`` maps the
rest (``--map Summary=title``). Kudos exports import as feedback: a row with a
``from`` (or ``giver``, ``sender``, ``by``) column is ``kind = "feedback"``,
its ``message``/``kudos``/``quote`` the words said.
Lists (tags, areas, with) are split on commas and semicolons; metrics on
semicolons (``p99: 800ms -> 200ms; cost: $12000``). Bad rows are reported by
line number with the reason and the good rows still import, unless
``--strict``. Re-importing the same file adds nothing: each row is keyed by an
``id``/``source_id`` column, else by its date and title.

Configuration in brag.toml (all optional; command-line values win)::

    [import.file]
    paths = ["~/Documents/wins-2026.csv"]
    map = { "Completed" = "date", "Summary" = "title", "Labels" = "tags" }
    strict = false
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from brag.entry import AREAS, KINDS, KNOWN_FIELDS, LEVERAGE, Entry, parse_metric, stable_id
from brag.errors import BragError, ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from ._local import paths_argument

SOURCE = "file"
# What a row may set: every field of an entry but those brag itself keeps, and the body.
FIELDS = (KNOWN_FIELDS - {"id", "source", "created", "updated", "inbox_cleared", "outcome"}) | {
    "body"
}
# Column names that mean a field without --map.
ALIASES = {
    "id": "source_id",
    "source id": "source_id",
    "description": "body",
    "notes": "body",
    "details": "body",
    "metric": "metrics",
    "area": "areas",
    "tag": "tags",
    "labels": "tags",
    "link": "url",
    "collaborators": "with",
    # Kudos and praise exports: who said it, and what they said.
    "giver": "from",
    "given by": "from",
    "sender": "from",
    "by": "from",
    "type": "kind",
    "kudos": "title",
    "praise": "title",
    "quote": "title",
    "message": "title",
    "follow up": "follow_up",
}


# A journal's worth of rows is a few megabytes; anything far bigger is not a
# spreadsheet of accomplishments (``/dev/zero``, a disk image) and is refused
# before it fills memory.
MAX_BYTES = 64 * 1024 * 1024


class RowError(ValueError):
    """One row cannot become an entry; the message says why."""


@dataclass
class Row:
    line: int
    values: dict[str, Any]


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def parse_mapping(raw: Any) -> dict[str, str]:
    """``--map Column=field`` values (or a brag.toml table) -> {normalised column: field}."""
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    else:
        for item in raw or ():
            column, sep, target = str(item).partition("=")
            if not sep or not column.strip() or not target.strip():
                raise ImportSourceError(f"--map {item!r}: use COLUMN=FIELD, like Summary=title")
            pairs.append((column, target))
    mapping: dict[str, str] = {}
    for column, target in pairs:
        target = target.strip().lower()
        target = ALIASES.get(target, target)
        if target not in FIELDS:
            fields = ", ".join(sorted(FIELDS))
            raise ImportSourceError(
                f"--map {column}={target}: no entry field '{target}' ({fields})"
            )
        mapping[_norm(column)] = target
    return mapping


def field_for(column: str, mapping: dict[str, str]) -> str | None:
    key = _norm(column)
    if key in mapping:
        return mapping[key]
    plain = key.replace(" ", "_")
    if plain in FIELDS:
        return plain
    return ALIASES.get(key)


# -- reading ----------------------------------------------------------------------


def read_source(raw: str) -> tuple[str, bytes]:
    """The name to show and the bytes of FILE, or of stdin for ``-``, as UTF-8
    (spreadsheets saved as "Unicode text" are UTF-16 with a byte-order mark)."""
    if raw == "-":
        name, data = "<stdin>", sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(raw).expanduser()
        if not path.exists():
            raise ImportSourceError(f"{raw}: no such file")
        if path.is_dir():
            raise ImportSourceError(f"{raw} is a folder: give a .csv or .json file")
        if not path.is_file():
            # A device (/dev/zero), a FIFO or a socket could be read forever.
            raise ImportSourceError(f"{raw} is not a regular file: give a .csv or .json file")
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImportSourceError(_too_big(raw))
            with path.open("rb") as fh:
                name, data = raw, fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ImportSourceError(f"cannot read {raw}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ImportSourceError(_too_big(name))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportSourceError(f"{name}: not valid UTF-16 text ({exc.reason})") from None
    return name, data


def _too_big(name: str) -> str:
    return (
        f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB: nothing imported; "
        "split it into smaller files"
    )


def detect_format(name: str, data: bytes, given: str | None) -> str:
    if given:
        return given
    suffix = Path(name).suffix.lower()
    if suffix in (".json", ".csv"):
        return suffix[1:]
    if suffix == ".tsv":
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"[", b"{") else "csv"


def csv_rows(name: str, data: bytes) -> tuple[list[str], Iterator[Row | RowError]]:
    # surrogateescape keeps the file readable past a bad line; that line alone fails.
    text = data.decode("utf-8-sig", errors="surrogateescape")
    # The header decides the delimiter: values (tags "a; b") must not sway it.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportSourceError(f"{name} is empty") from None
    except csv.Error as exc:
        raise ImportSourceError(f"{name}: line 1: {exc}") from None
    header = [h.strip() for h in header]
    if _has_bad_bytes(" ".join(header)):
        raise ImportSourceError(f"{name}: line 1: the header is not UTF-8 text")

    def rows() -> Iterator[Row | RowError]:
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowError(f"line {line}: {exc}")
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if any(_has_bad_bytes(c) for c in cells):
                yield RowError(f"line {start}: not UTF-8 text")
                continue
            if len(cells) != len(header):
                yield RowError(
                    f"line {start}: has {len(cells)} columns, the header has {len(header)}"
                )
                continue
            yield Row(start, dict(zip(header, cells, strict=True)))

    return header, rows()


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def json_rows(name: str, data: bytes) -> Iterator[Row | RowError]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportSourceError(f"{name}: line {line}: not UTF-8 text") from None
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        raise ImportSourceError(f"{name} is empty")
    if text[pos] != "[":
        try:
            value, _ = decoder.raw_decode(text, pos)
            kind = type(value).__name__.replace("dict", "an object").replace("str", "a string")
        except json.JSONDecodeError as exc:
            raise ImportSourceError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise ImportSourceError(_too_deep(name, text, pos)) from None
        raise ImportSourceError(
            f"{name}: expected a JSON list of objects ([{{...}}, ...]), got {kind}"
        )
    items: list[Row | RowError] = []
    pos = _skip_ws(text, pos + 1)
    lines_before, counted_to = 0, 0
    first = True
    while True:
        if pos < len(text) and text[pos] == "]":
            break
        if not first:
            if pos >= len(text) or text[pos] != ",":
                line = text.count("\n", 0, pos) + 1
                raise ImportSourceError(f"{name}: line {line}: invalid JSON: expected ',' or ']'")
            pos = _skip_ws(text, pos + 1)
        first = False
        lines_before += text.count("\n", counted_to, pos)
        counted_to = pos
        line = lines_before + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ImportSourceError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise ImportSourceError(_too_deep(name, text, pos)) from None
        pos = _skip_ws(text, pos)
        if isinstance(value, dict):
            items.append(Row(line, value))
        else:
            items.append(RowError(f"line {line}: expected an object, got {type(value).__name__}"))
    return iter(items)


def _too_deep(name: str, text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"{name}: line {line}: JSON nested too deeply to be an entry; nothing imported"


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


# -- rows to entries ----------------------------------------------------------------


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[,;]", str(value)) if v.strip()]


def _date(value: Any) -> dt.date:
    from brag.dates import parse_date

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise RowError(f"date {value!r} is a number, not a date")
    text = str(value).strip()
    if m := re.match(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ].*)?$", text):
        try:
            return dt.date.fromisoformat(m[1])
        except ValueError:
            raise RowError(f"no such day {text!r}") from None
    try:
        return parse_date(text)
    except BragError:
        raise RowError(f"can't read date {text!r}: use YYYY-MM-DD") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "x"):
        return True
    if text in ("false", "no", "n", "0", ""):
        return False
    raise RowError(f"private must be yes or no, not {value!r}")


def _has_surrogate(value: Any) -> bool:
    """A lone UTF-16 surrogate (JSON's ``"\\ud800"``) is not text and cannot be saved."""
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    """Imported text without escape sequences or control characters (newlines stay)."""
    from brag.text import strip_control

    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def row_entry(row: Row, mapping: dict[str, str]) -> Entry:
    fields: dict[str, Any] = {}

    # A mapped column, or one named exactly like a field, wins over an alias
    # ("title" over "message").
    def by_name(item: tuple[Any, Any]) -> bool:
        key = _norm(str(item[0]))
        return not (key in mapping or key.replace(" ", "_") in FIELDS)

    for column, value in sorted(row.values.items(), key=by_name):
        target = field_for(str(column), mapping)
        if target is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        if _has_surrogate(value):
            raise RowError(f"line {row.line}: {column} holds a lone surrogate, not text")
        fields.setdefault(target, _plain(value))
    missing = [f for f in ("date", "title") if f not in fields]
    if missing:
        raise RowError(f"line {row.line}: missing {' and '.join(missing)}")
    try:
        day = _date(fields["date"])
        title = " ".join(str(fields["title"]).split())
        areas = [a.lower() for a in _split(fields.get("areas", []))]
        for area in areas:
            if area not in AREAS:
                raise RowError(f"unknown area '{area}' (one of {', '.join(AREAS)})")
        leverage = str(fields.get("leverage", "")).strip().lower()
        if leverage and leverage not in LEVERAGE:
            raise RowError(f"unknown leverage '{leverage}' (one of {', '.join(LEVERAGE)})")
        raw_metrics = fields.get("metrics", [])
        if isinstance(raw_metrics, list) and all(isinstance(m, dict) for m in raw_metrics):
            metrics = [dict(m) for m in raw_metrics]
        else:
            parts = raw_metrics if isinstance(raw_metrics, list) else str(raw_metrics).split(";")
            metrics = [parse_metric(str(m)) for m in parts if str(m).strip()]
        private = _bool(fields.get("private", False))
        giver = " ".join(str(fields.get("from", "")).split())
        kind = str(fields.get("kind", "")).strip().lower()
        if kind in ("kudos", "praise", "thanks"):
            kind = "feedback"
        if giver and not kind:
            kind = "feedback"  # words someone gave: kudos
        if kind and kind not in KINDS:
            raise RowError(f"unknown kind '{kind}' (use feedback, or leave it empty)")
        follow_up = None
        if fields.get("follow_up"):
            from brag.inbox import parse_follow_up

            try:
                follow_up = parse_follow_up(str(fields["follow_up"]), day)
            except BragError as exc:
                raise RowError(str(exc)) from None
    except RowError as exc:
        raise RowError(f"line {row.line}: {exc}") from None
    except BragError as exc:
        raise RowError(f"line {row.line}: {exc}") from None
    source_id = str(fields.get("source_id", "")).strip()
    if not source_id:
        digest = hashlib.sha1(f"{day.isoformat()}\0{title}".encode()).hexdigest()[:16]
        source_id = f"sha1:{digest}"
    entry = Entry(
        title=title,
        date=day,
        tags=[t.lower() for t in _split(fields.get("tags", []))],
        impact=str(fields.get("impact", "")).strip(),
        metrics=metrics,
        areas=areas,
        leverage=leverage,
        with_=_split(fields.get("with", [])),
        url=str(fields.get("url", "")).strip(),
        private=private,
        kind=kind,
        from_=giver,
        follow_up=follow_up,
        source=SOURCE,
        source_id=source_id,
        body=(str(fields["body"]).strip() + "\n") if fields.get("body") else "",
    )
    entry.id = stable_id(SOURCE, source_id)
    return entry


def fetch(context: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    paths = context.option("paths", []) or []
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise ImportSourceError("give a FILE.csv, FILE.json, or - for standard input")
    mapping = parse_mapping(context.option("map", ()))
    strict = bool(context.option("strict", False))
    fmt = context.option("format")
    # Read and check everything first: with --strict, one bad row stops it all.
    entries: list[Entry] = []
    problems: list[tuple[str, str]] = []
    since = None if context.resumed else context.since  # rows carry their own dates
    for raw in paths:
        name, data = read_source(str(raw))
        kind = detect_format(name, data, fmt)
        if kind == "json":
            rows = json_rows(name, data)
        else:
            header, rows = csv_rows(name, data)
            targets = {field_for(h, mapping) for h in header}
            unmapped = [h for h in header if h and field_for(h, mapping) is None]
            need = [f for f in ("date", "title") if f not in targets]
            if need:
                raise ImportSourceError(
                    f"{name}: no {' or '.join(repr(n) for n in need)} column (columns: "
                    f"{', '.join(header)}); map one with --map COLUMN={need[0]}"
                )
            if unmapped:
                context.progress.log(
                    f"{name}: ignoring columns {', '.join(unmapped)} (use --map COLUMN=FIELD)"
                )
        for item in rows:
            context.progress.advance()
            try:
                if isinstance(item, RowError):
                    raise item
                entry = row_entry(item, mapping)
            except RowError as exc:
                line, _, reason = str(exc).partition(": ")
                problems.append((f"{name} {line}", reason))
                continue
            if (since and entry.date < since) or (context.until and entry.date > context.until):
                continue
            entries.append(entry)
    if problems and strict:
        where, reason = problems[0]
        more = f" (and {len(problems) - 1} more bad rows)" if len(problems) > 1 else ""
        raise ImportSourceError(f"{where}: {reason}{more}; nothing imported (--strict)")
    for where, reason in problems:
        context.progress.log(f"skipped {where}: {reason}")
        yield where, reason
    yield from entries


@hookimpl
def register_importers(register: Any) -> None:
    register(
        Importer(
            name=SOURCE,
            help=(
                "Rows of a CSV file or objects of a JSON list.\n\n"
                "Each needs at least a date and a title; other columns named like entry "
                "fields map to them. Example: brag import file wins.csv --map Summary=title"
            ),
            fetch=fetch,
            examples=(
                "brag import file wins.csv",
                "brag import file export.json --map Summary=title -n",
                "cat wins.csv | brag import file - --strict",
            ),
            resumable=False,
            params=[
                paths_argument(metavar="FILE.csv|FILE.json|-"),
                click.Option(
                    ["--map", "map"],
                    multiple=True,
                    metavar="COLUMN=FIELD",
                    help="Read COLUMN as entry FIELD (repeatable), e.g. --map Summary=title.",
                ),
                click.Option(
                    ["--strict"],
                    is_flag=True,
                    default=None,
                    help="Import nothing if any row is bad.",
                ),
                click.Option(
                    ["--format", "format"],
                    type=click.Choice(["csv", "json"]),
                    help="Input format (default: from the file name or its first character).",
                ),
            ],
        )
    )
