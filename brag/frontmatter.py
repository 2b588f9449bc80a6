"""A fast reader for the front matter brag itself writes.

``tomllib`` reads any TOML, at about 0.3 ms for a typical entry, which is most
of a cold index rebuild. Almost every entry file, though, holds TOML exactly as
``tomli_w`` wrote it: one ``key = value`` per line, bare keys, basic strings
with only the escapes tomli_w emits, arrays with one item per indented line,
``[table]`` and ``[[array.of.tables]]`` headers, blank lines between them.
:func:`loads` reads that shape (and a little more: one-line arrays, inline
tables, dates with a ``T``) several times faster, and returns ``None`` for
anything else, comments, hand-spacing, literal or multi-line strings, quoted
keys, dotted keys, times, ``inf``, so the caller falls back to ``tomllib``.
Whatever it does return is exactly what ``tomllib.loads`` returns for the same
text; whatever ``tomllib`` would reject, it declines.
"""

from __future__ import annotations

import datetime as dt
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# A basic string, escapes limited to those tomli_w writes (plus \t and four-digit \u),
# no raw control character but tab.
_CHARS = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_STR_BODY = rf'{_CHARS}(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{{4}}){_CHARS})*'
_STR = re.compile(f'"({_STR_BODY})"')
# A whole value that is a string without escapes: the common case, one match.
_PLAIN_STR = re.compile(f'"({_CHARS})"')
# A date, and a date-time with its offset, exactly as brag writes them: parsed by
# the datetime module in C, which gives what tomllib gives for these shapes.
_DATE_RE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_STAMP_RE = (
    _DATE_RE + r" (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](?:[01][0-9]|2[0-3]):[0-5][0-9]"
)
_DATE = re.compile(_DATE_RE)
_STAMP = re.compile(_STAMP_RE)
# One statement of the front matter, with the newline that ends it: ``key =`` and
# 2: a string without escapes, 3: an array of those (one per indented line, as
# tomli_w writes it), 4: an array of other one-line items, 5: a date, 6: a
# date-time with an offset, 7: any other value, read by _whole; or 8: a table
# header; or nothing (a blank line).
_STATEMENT = re.compile(
    rf'([A-Za-z0-9_-]+) = (?:"({_CHARS})"\n'
    rf'|\[\n((?:    "{_CHARS}",\n)*)\]\n'
    r"|\[\n((?:    [^\n]*,\n)*)\]\n"
    rf"|({_DATE_RE})\n"
    rf"|({_STAMP_RE})\n"
    r"|([^\n]*)\n)"
    r"|(\[[^\n]*)\n"
    r"|\n"
)
_ITEMS = re.compile(rf'    "({_CHARS})",\n')
# An inline table of plain strings, numbers and booleans, as a metric is written:
# checked whole by _FLAT_TABLE, then its pairs read by _FLAT_PAIR.
_FLAT_PAIR_RE = (
    rf'([A-Za-z0-9_-]+) = (?:"({_CHARS})"'
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|(true|false))"
)
_FLAT_PAIR = re.compile(_FLAT_PAIR_RE)
_FLAT_TABLE = re.compile(rf"\{{ {_FLAT_PAIR_RE}(?:, {_FLAT_PAIR_RE})* \}}")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"(\[?)\[([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\](\]?)")
# The same shape tomllib accepts (its RE_DATETIME), with ASCII digits only.
_DATETIME = re.compile(
    r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"(?:[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6})[0-9]*)?"
    r"(?:([Zz])|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?)?"
)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WS = re.compile(r"[ \t]*")


class _Decline(Exception):
    """The text is not in the shape this reader knows: let tomllib read it."""


def loads(text: str) -> dict[str, Any] | None:
    """The TOML document ``text`` as ``tomllib.loads`` gives it, or None to defer."""
    try:
        return _Reader().read(text)
    except _Decline:
        return None


_TZ: dict[tuple[str, str, str], dt.timezone] = {}


def _tz(sign: str, hours: str, minutes: str) -> dt.timezone:
    key = (sign, hours, minutes)
    tz = _TZ.get(key)
    if tz is None:
        factor = 1 if sign == "+" else -1
        tz = _TZ[key] = dt.timezone(
            dt.timedelta(hours=factor * int(hours), minutes=factor * int(minutes))
        )
    return tz


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code is None:
        return _ESCAPES[match.group(2)]
    point = int(code, 16)
    if 0xD800 <= point <= 0xDFFF:
        raise _Decline  # not a Unicode scalar value: tomllib says so, with its line
    return chr(point)


def _value(s: str, pos: int) -> tuple[Any, int]:
    """The value starting at ``s[pos]`` and the position just after it."""
    try:
        c = s[pos]
    except IndexError:
        raise _Decline from None
    if c == '"':
        m = _STR.match(s, pos)
        if m is None:
            raise _Decline
        raw = m.group(1)
        if "\\" in raw:
            raw = _ESCAPE.sub(_unescape, raw)
        return raw, m.end()
    if c == "t":
        if s.startswith("true", pos):
            return True, pos + 4
        raise _Decline
    if c == "f":
        if s.startswith("false", pos):
            return False, pos + 5
        raise _Decline
    if c == "[":
        return _array(s, pos + 1)
    if c == "{":
        return _inline_table(s, pos + 1)
    if "0" <= c <= "9":
        m = _DATETIME.match(s, pos)
        if m is not None:
            return _datetime(m), m.end()
    elif c != "-":
        raise _Decline
    m = _NUMBER.match(s, pos)
    if m is None:
        raise _Decline
    if m.group(1) is None and m.group(2) is None:
        return int(m.group()), m.end()
    return float(m.group()), m.end()


def _datetime(m: re.Match[str]) -> dt.date:
    year, month, day, hour, minute, sec, micros, zulu, sign, tzh, tzm = m.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        if sign and micros is None and m.string[m.start() + 10] in "T ":
            # What brag writes: datetime parses it in C, with the same tzinfo
            # tomllib builds (timezone.utc for a zero offset, as here).
            return dt.datetime.fromisoformat(m.group())
        if sign:
            tz: dt.timezone | None = _tz(sign, tzh, tzm)
        elif zulu:
            tz = dt.UTC
        else:
            tz = None
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(sec),
            int(micros.ljust(6, "0")) if micros else 0,
            tzinfo=tz,
        )
    except ValueError:
        raise _Decline from None  # 30 February: tomllib reports it


def _array(s: str, pos: int) -> tuple[list[Any], int]:
    """A one-line array; ``pos`` is just after its ``[``."""
    items: list[Any] = []
    pos = _WS.match(s, pos).end()  # type: ignore[union-attr]
    while True:
        if s.startswith("]", pos):
            return items, pos + 1
        value, pos = _value(s, pos)
        items.append(value)
        pos = _WS.match(s, pos).end()  # type: ignore[union-attr]
        if s.startswith(",", pos):
            pos = _WS.match(s, pos + 1).end()  # type: ignore[union-attr]
        elif not s.startswith("]", pos):
            raise _Decline


def _inline_table(s: str, pos: int) -> tuple[dict[str, Any], int]:
    """A ``{ key = value, ... }`` table; ``pos`` is just after its ``{``."""
    table: dict[str, Any] = {}
    pos = _WS.match(s, pos).end()  # type: ignore[union-attr]
    if s.startswith("}", pos):
        return table, pos + 1
    while True:
        m = _BARE_KEY.match(s, pos)
        if m is None:
            raise _Decline
        key = m.group()
        pos = _WS.match(s, m.end()).end()  # type: ignore[union-attr]
        if not s.startswith("=", pos):
            raise _Decline
        pos = _WS.match(s, pos + 1).end()  # type: ignore[union-attr]
        value, pos = _value(s, pos)
        if key in table:
            raise _Decline
        table[key] = value
        pos = _WS.match(s, pos).end()  # type: ignore[union-attr]
        if s.startswith("}", pos):
            return table, pos + 1
        if not s.startswith(",", pos):
            raise _Decline
        pos = _WS.match(s, pos + 1).end()  # type: ignore[union-attr]


def _flat_table(s: str) -> dict[str, Any]:
    """A table :data:`_FLAT_TABLE` matched whole."""
    table: dict[str, Any] = {}
    pairs = _FLAT_PAIR.findall(s)
    for key, text, number, boolean in pairs:
        if number:
            if "." in number or "e" in number or "E" in number:
                table[key] = float(number)
            else:
                table[key] = int(number)
        elif boolean:
            table[key] = boolean == "true"
        else:
            table[key] = text
    if len(table) != len(pairs):
        raise _Decline  # a key given twice
    return table


def _whole(s: str) -> Any:
    """``s`` as exactly one value, nothing after it."""
    m = _PLAIN_STR.fullmatch(s)
    if m is not None:
        return m.group(1)
    c = s[:1]
    if c == "{":
        if _FLAT_TABLE.fullmatch(s) is not None:
            return _flat_table(s)
    elif "0" <= c <= "9":
        try:
            if _DATE.fullmatch(s) is not None:
                return dt.date.fromisoformat(s)
            if _STAMP.fullmatch(s) is not None:
                return dt.datetime.fromisoformat(s)
        except ValueError:
            raise _Decline from None  # 30 February: tomllib reports it
    value, end = _value(s, 0)
    if end != len(s):
        raise _Decline
    return value


class _Reader:
    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        # Tables a header may still reach into: those made by headers (or on the
        # way to one) and array-of-tables elements; never inline tables.
        self.open_tables = {id(self.root)}
        self.aot_lists: set[int] = set()
        self.keep: list[Any] = []  # holds every object whose id() is recorded

    def read(self, text: str) -> dict[str, Any]:
        if not text.endswith("\n"):
            text += "\n"  # nothing that ends in "\r" or inside a string is accepted
        table = self.root
        match = _STATEMENT.match
        pos, end = 0, len(text)
        while pos < end:
            m = match(text, pos)
            if m is None:
                raise _Decline
            pos = m.end()
            kind = m.lastindex
            if kind is None:
                continue  # a blank line
            if kind == 8:
                table = self._header(m.group(8))
                continue
            key = m.group(1)
            if key in table:
                raise _Decline  # defined twice
            if kind == 2:
                table[key] = m.group(2)
            elif kind == 3:
                table[key] = _ITEMS.findall(m.group(3))
            elif kind == 4:
                table[key] = [_whole(item[4:-1]) for item in m.group(4).split("\n")[:-1]]
            elif kind == 7:
                table[key] = _whole(m.group(7))
            else:
                try:
                    if kind == 5:
                        table[key] = dt.date.fromisoformat(m.group(5))
                    else:
                        table[key] = dt.datetime.fromisoformat(m.group(6))
                except ValueError:
                    raise _Decline from None  # 30 February: tomllib reports it
        return self.root

    def _header(self, line: str) -> dict[str, Any]:
        m = _HEADER.fullmatch(line)
        if m is None:
            raise _Decline
        opening, name, closing = m.groups()
        if bool(opening) != bool(closing):
            raise _Decline
        *parents, last = name.split(".")
        table = self.root
        for part in parents:
            child = table.get(part)
            if child is None:
                child = table[part] = {}
                self._open(child)
            elif isinstance(child, list) and id(child) in self.aot_lists:
                child = child[-1]
            elif not (isinstance(child, dict) and id(child) in self.open_tables):
                raise _Decline
            table = child
        new: dict[str, Any] = {}
        self._open(new)
        if opening:
            existing = table.get(last)
            if existing is None:
                aot = table[last] = [new]
                self.keep.append(aot)
                self.aot_lists.add(id(aot))
            elif isinstance(existing, list) and id(existing) in self.aot_lists:
                existing.append(new)
            else:
                raise _Decline
        else:
            if last in table:
                raise _Decline  # defined twice, or made implicitly first: tomllib decides
            table[last] = new
        return new

    def _open(self, table: dict[str, Any]) -> None:
        self.keep.append(table)
        self.open_tables.add(id(table))
