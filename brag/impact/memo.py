"""The engine's memo of deterministic results, shared by every stage.

:func:`remember` keeps a result (a translated phrase, a reframed bullet) under
a key built from what it depends on: an entry's content (:func:`_content_key`)
and the fingerprint of the user's keyword or glossary tables. The analyses
themselves and the on-disk cache are in :mod:`brag.impact.analysis`.
"""

from __future__ import annotations

import _sre
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..entry import Entry
from ..entry import content_digest as _content_digest
from ..hashing import blake2b as _blake2b
from ..hashing import hex_digest

_KEYWORD_FINGERPRINTS: dict[int, tuple[object, str]] = {}

_RESULTS: dict[tuple[Any, ...], Any] = {}  # other deterministic results (reframes)

_RESULTS_USED: set[tuple[Any, ...]] = set()

_RESULTS_ON_DISK: set[tuple[Any, ...]] = set()

_MISSING = object()

#: Named tables of small answers keyed by a short text (the normalised form of a
#: title): kept in the cache files as plain dicts, so loading one is a single
#: update and a lookup is one dict hit; only entries new to this process are
#: written back (:func:`remember_in`).
_TABLES: dict[str, dict[Any, Any]] = {}

_TABLES_NEW: dict[str, dict[Any, Any]] = {}

_TABLES_USED: set[str] = set()


def remember(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, memoised under ``key`` in this process and in the cache file.

    Only for deterministic results of the engine (a reframed bullet for a given
    entry content, lens and glossary): a warm export then runs no regular
    expression at all.
    """
    found = _RESULTS.get(key, _MISSING)
    if found is _MISSING:
        found = _RESULTS[key] = compute()
    _RESULTS_USED.add(key)
    return found


def table(name: str) -> dict[Any, Any]:
    """The table ``name``: the same dict for the life of the process. A caller that
    reads it directly adds new rows through :func:`remember_in`."""
    _TABLES_USED.add(name)
    found = _TABLES.get(name)
    if found is None:
        found = _TABLES[name] = {}
    return found


def remember_in(name: str, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, memoised under ``key`` in the table ``name`` (and the cache file)."""
    held = table(name)
    found = held.get(key, _MISSING)
    if found is _MISSING:
        found = held[key] = compute()
        _TABLES_NEW.setdefault(name, {})[key] = found
    return found


def compile_kept(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, its compiled program kept in the cache file.

    The metric scanner's patterns take 10-40 ms to compile, and a run that meets
    one new entry compiled them all again. The program CPython's ``re`` makes
    from a pattern is a list of numbers; kept per Python version (a table per
    version and ``re`` engine), it is handed back to the regex engine, which
    checks it, in well under a millisecond. Anything unexpected (another Python,
    a garbled row) compiles the pattern as usual.
    """
    if _PROGRAMS_TABLE is None:
        return re.compile(pattern, flags)
    flags = int(flags)
    key = (pattern, flags)
    held = table(_PROGRAMS_TABLE)
    program = held.get(key)
    if program is not None:
        try:
            if program[0] == pattern:
                found: re.Pattern[str] = _sre.compile(*program)
                return found
        except Exception:  # a cache must never break brag
            pass
    compiled = re.compile(pattern, flags)
    program = _program(pattern, flags)
    if program is not None:
        held[key] = program
        _TABLES_NEW.setdefault(_PROGRAMS_TABLE, {})[key] = program
    return compiled


def _program(pattern: str, flags: int) -> tuple[Any, ...] | None:
    """What ``re.compile`` hands to the regex engine for ``pattern`` (as plain
    values), or None when this Python's ``re`` is not the one this reads."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = [int(op) for op in _compiler._code(parsed, flags)]
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        program = (
            pattern,
            flags | parsed.state.flags,
            code,
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
        # Only keep a program that gives exactly the pattern re.compile gives.
        if _sre.compile(*program) != re.compile(pattern, flags):
            return None
    except Exception:
        return None
    return program


def _programs_table() -> str | None:
    import sys

    if sys.implementation.name != "cpython" or not hasattr(_sre, "compile"):
        return None
    return f"regex-programs:{sys.version}:{getattr(_sre, 'MAGIC', '')}"


_PROGRAMS_TABLE = _programs_table()


def _glossary_fingerprint(glossary: Mapping[str, str] | None) -> str:
    if glossary is None:
        return ""
    return _keywords_fingerprint(glossary)  # type: ignore[arg-type]


def remember_words(kind: str, text: str, compute: Callable[[], Any]) -> Any:
    """:func:`remember_in` the table ``kind`` for an answer read from ``text`` alone
    (is it a risk, an ask, money saved or earned), keyed by a short digest of the text."""
    digest = _blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()
    return remember_in(kind, digest, compute)


def _keywords_fingerprint(keywords: Mapping[str, Sequence[str]] | None) -> str:
    if keywords is None:
        # The built-in table: an analysis asked for without keywords is the one
        # asked for with a brag.toml that adds none, so both share one memo entry.
        from .areas import AREA_KEYWORDS

        keywords = AREA_KEYWORDS
    known = _KEYWORD_FINGERPRINTS.get(id(keywords))
    if known is not None and known[0] is keywords:
        return known[1]
    canonical = repr(sorted((str(k), tuple(v)) for k, v in keywords.items()))
    fingerprint = hex_digest(canonical, 8)
    _KEYWORD_FINGERPRINTS[id(keywords)] = (keywords, fingerprint)
    return fingerprint


def _content_key(entry: Entry, fingerprint: str) -> tuple[Any, ...]:
    """Everything an analysis depends on, as a short key: the keyword table's
    fingerprint, the entry's id and :func:`~brag.entry.content_digest` (small keys
    keep the cache file and lookups cheap)."""
    return (fingerprint, entry.id, _content_digest(entry))
