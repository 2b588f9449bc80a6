"""The fast front-matter reader gives exactly what tomllib gives, or declines.

Entries are generated through the real path (``Entry`` -> ``to_markdown``, which
writes with tomli_w) with hostile strings, numbers, dates and unknown fields of
every TOML type; then the same texts are damaged at random, and hand-written
TOML that brag never writes is checked to fall back to tomllib.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from brag.entry import Entry
from brag.errors import EntryError
from brag.frontmatter import loads
from brag.index import Index

NASTY = st.sampled_from(
    [
        '"',
        '""',
        '"""',
        "'''",
        "\\",
        "\\\\",
        '\\"',
        "\\u0041",
        "\\ud800",
        "=",
        " = ",
        "#",
        " # comment",
        "[",
        "]",
        "[[metrics]]",
        "{ a = 1 }",
        "}",
        ",",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x00",
        "\x08",
        "\x0c",
        "\x1b",
        "\x7f",
        "\x85",
        "\u2028",
        "\ufeff",
        "é",
        "🚀",
        "+++",
        "true",
        "2026-03-01",
        "1e5",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=12), NASTY), max_size=6).map("".join)
KEY = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
    st.text(min_size=0, max_size=8),
    NASTY,
)
TZ = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    ),
)
STAMP = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=TZ
)
SCALAR = st.one_of(
    TEXT,
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.dates(),
    STAMP,
    st.times(),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEY, inner, max_size=3)),
    max_leaves=8,
)
METRIC = st.fixed_dictionaries(
    {"name": TEXT, "value": st.one_of(st.integers(), st.floats()), "unit": TEXT},
    optional={"before": st.integers(), "after": st.floats(), "note": TEXT},
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down, offsets and NaNs included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or repr(a) == repr(b)
    if isinstance(a, (dt.datetime, dt.time)):
        return repr(a) == repr(b) and a.tzinfo == b.tzinfo
    return bool(a == b)


def check(text: str) -> dict[str, Any] | None:
    """The fast reader on ``text``: what tomllib reads, or None; never anything else."""
    fast = loads(text)
    try:
        slow = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert fast is None, f"accepted what tomllib rejects: {text!r} -> {fast!r}"
        return None
    if fast is not None:
        assert same(fast, slow), f"{text!r}: {fast!r} != {slow!r}"
    return fast


def front(entry: Entry) -> str:
    text = entry.to_markdown()
    return text[4 : text.index("\n+++\n") + 1]


entries = st.builds(
    Entry,
    title=TEXT.filter(str.strip),
    date=st.dates(),
    id=st.from_regex(r"[0-9A-Za-z_-]{1,40}", fullmatch=True),
    tags=st.lists(TEXT, max_size=4),
    impact=TEXT,
    metrics=st.lists(METRIC, max_size=3),
    areas=st.lists(TEXT, max_size=2),
    with_=st.lists(TEXT, max_size=2),
    source=TEXT,
    source_id=TEXT,
    url=TEXT,
    private=st.booleans(),
    kind=st.sampled_from(["", "feedback"]),
    from_=TEXT,
    follow_up=st.one_of(st.none(), st.dates()),
    inbox_cleared=st.one_of(st.none(), st.dates()),
    created=st.one_of(st.none(), STAMP),
    updated=st.one_of(st.none(), STAMP),
    outcome=st.one_of(
        st.just({}),
        st.fixed_dictionaries(
            {"date": st.dates(), "text": TEXT, "metrics": st.lists(METRIC, max_size=3)}
        ),
    ),
    extra=st.dictionaries(KEY, VALUE, max_size=3),
)


@given(entry=entries)
@example(
    entry=Entry(
        title='a "quoted" \\ title = # x',
        date=dt.date(2026, 3, 1),
        id="abc",
        tags=['"""', "=", "#", "\\u0000"],
        metrics=[{"name": 'p99, "tail" }', "value": 1.5, "unit": "ms"}],
        created=dt.datetime(2026, 3, 1, 15, 15, 7, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        updated=dt.datetime(2026, 3, 1, 15, 15, 7, tzinfo=dt.UTC),
    )
)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_entries_brag_writes_read_as_tomllib_reads_them(entry: Entry) -> None:
    check(front(entry))


@given(data=st.dictionaries(KEY, VALUE, max_size=6))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_document_tomli_w_writes_reads_as_tomllib_reads_it(data: dict[str, Any]) -> None:
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # not TOML at all (an offset time, say)
    check(text)


def test_brag_shaped_entries_are_read_by_the_fast_reader() -> None:
    """The fast path is taken, not merely safe: the common shapes are all accepted."""
    entry = Entry(
        title="Cut p99 from 800ms to 200ms",
        date=dt.date(2026, 3, 1),
        id="ef326263",
        tags=["perf", "redis"],
        impact='checkout "feels" instant \\ really',
        metrics=[
            {"name": "p99 latency", "value": 200, "unit": "ms", "before": 800, "after": 200},
            {"name": "availability", "value": 99.95, "unit": "%"},
        ],
        areas=["revenue"],
        private=True,
        source="github",
        source_id="acme/api#12",
        url="https://github.com/acme/api/pull/12",
        follow_up=dt.date(2026, 6, 1),
        created=dt.datetime(2026, 3, 1, 15, 15, 7, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        updated=dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        outcome={"date": dt.date(2026, 6, 1), "text": "held", "metrics": []},
        extra={"team": "core", "effort": {"days": 3, "people": ["a", "b"]}},
    )
    text = front(entry)
    assert check(text) is not None
    long_metrics = front(
        Entry(
            title="t",
            date=dt.date(2026, 1, 1),
            id="x1",
            metrics=[{"name": "n" * 90, "value": 1, "unit": "ms"}] * 2,
        )
    )
    assert "[[metrics]]" in long_metrics
    assert check(long_metrics) is not None


@given(entry=entries, cuts=st.lists(st.tuples(st.integers(0, 10_000), NASTY), max_size=3))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_front_matter_is_read_as_tomllib_reads_it_or_declined(
    entry: Entry, cuts: list[tuple[int, str]]
) -> None:
    text = front(entry)
    for at, piece in cuts:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    check(text)


HAND_WRITTEN = [
    'title = "x" # a comment\n',
    "# a comment\ntitle = 'x'\n",
    "title = 'literal'\n",
    'title="tight"\n',
    'title  =  "wide"\n',
    '  title = "indented"\n',
    'title = """\nmulti\nline"""\n',
    'tags = [\n  "two-space",\n]\n',
    'tags = [\n    "a", "b",\n]\n',
    'tags = [\n    "a"\n]\n',
    "a.b = 1\n",
    '"quoted key" = 1\n',
    "n = 0x1F\n",
    "n = 1_000\n",
    "n = +1\n",
    "f = inf\n",
    "f = nan\n",
    "t = 07:32:00\n",
    'title = "x"\r\n',
    'title = "x" \n',
    "[ table ]\n",
    's = "\\U0001F680"\n',
]


@pytest.mark.parametrize("text", HAND_WRITTEN)
def test_hand_written_toml_falls_back_to_tomllib(text: str) -> None:
    assert loads(text) is None
    tomllib.loads(text)  # valid TOML all the same: tomllib reads it


INVALID = [
    'title = "a"\ntitle = "b"\n',
    "[a]\n[a]\n",
    "a = 1\n[a]\n",
    "a = {}\n[a.b]\n",
    "a = [\n    { x = 1 },\n]\n[[a]]\n",
    "[[a]]\n[a]\n",
    "m = { x = 1, x = 2 }\n",
    "m = { x = 1, }\n",
    "d = 2026-02-30\n",
    "c = 2026-03-01 25:00:00+01:00\n",
    's = "\\ud800"\n',
    's = "\\x"\n',
    's = "a\x01"\n',
    's = "unclosed\n',
    "a = [\n    1,\n",
    "n = 01\n",
    "n = 1.\n",
    "a = [,]\n",
    "key\n",
    "[a]]\n",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_toml_is_declined_for_tomllib_to_report(text: str) -> None:
    assert loads(text) is None
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)


def test_a_hand_written_entry_with_windows_line_ends_is_read(tmp_path: Path) -> None:
    text = (
        "+++\r\n"
        "# written by hand\r\n"
        "id = 'hand1'\r\n"
        "date = 2026-03-01\r\n"
        'title = "By hand"  # trailing comment\r\n'
        'tags = ["a", "b"]\r\n'
        "+++\r\n"
        "\r\n"
        "Body\r\n"
    )
    entry = Entry.from_markdown(text, "entries/x.md")
    assert (entry.id, entry.title, entry.tags, entry.body) == (
        "hand1",
        "By hand",
        ["a", "b"],
        "Body\r\n",
    )


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        # The reasons and lines tomllib gave before the fast reader existed.
        (
            '+++\nid = "a"\ndate = 2026-03-01\ntitle = "x\n+++\n',
            "invalid TOML front matter: Unterminated string",
            5,
        ),
        (
            '+++\nid = "a"\ndate = 2026-02-30\ntitle = "x"\n+++\n',
            "invalid TOML front matter: Invalid date or datetime",
            3,
        ),
        (
            '+++\nid = "a"\nid = "b"\ndate = 2026-03-01\ntitle = "x"\n+++\n',
            "invalid TOML front matter: Cannot overwrite a value",
            3,
        ),
        (
            '+++\nid = "a"\nid = "b"\n+++\n',
            "invalid TOML front matter: Cannot overwrite a value",
            4,
        ),
        ('+++\nid = "a"\ntags = [\n+++\n', "invalid TOML front matter: Invalid value", 4),
        ('+++\nid = "a b"\ndate = 2026-03-01\ntitle = "x"\n+++\n', "bad id 'a b'", 2),
        (
            '+++\nid = "a"\ndate = 2026-03-01\ntitle = "x"\ntags = [\n    1,\n]\n+++\n',
            "'tags' must be a list of strings",
            5,
        ),
        ('+++\nid = "a"\ndate = 2026-03-01\ntitle = "x"\n', "front matter is not closed", 1),
        ('id = "a"\n', "front matter must start with a '+++' line", 1),
        ('+++\nid = "a"\ndate = 2026-03-01\n+++\n', "missing required field 'title'", 1),
    ],
)
def test_broken_entries_keep_their_reason_and_line(text: str, reason: str, line: int) -> None:
    with pytest.raises(EntryError) as caught:
        Entry.from_markdown(text, "entries/2026/03/x.md")
    assert reason in caught.value.reason
    assert caught.value.line == line
    assert caught.value.path == "entries/2026/03/x.md"


def test_rebuild_records_broken_files_with_file_and_line(tmp_path: Path) -> None:
    """Many files (parsed across processes), a few broken: each named with its line."""
    month = tmp_path / "entries" / "2026" / "03"
    month.mkdir(parents=True)
    for i in range(1200):
        entry = Entry(title=f"Entry {i}", date=dt.date(2026, 3, 1 + i % 28), id=f"e{i}")
        (month / f"e{i}.md").write_text(entry.to_markdown(), encoding="utf-8")
    (month / "dup.md").write_text('+++\nid = "d"\nid = "e"\n+++\n', encoding="utf-8")
    (month / "date.md").write_text(
        '+++\nid = "d2"\ndate = 2026-13-01\ntitle = "x"\n+++\n', encoding="utf-8"
    )
    (month / "open.md").write_text('+++\nid = "d3"\n', encoding="utf-8")
    (month / "bytes.md").write_bytes(b'+++\nid = "\xff"\n+++\n')
    index = Index(tmp_path, tmp_path / "index.sqlite")
    assert index.count() == 1200
    broken = {b.path.rsplit("/", 1)[-1]: (b.reason, b.line) for b in index.broken()}
    assert broken["dup.md"][1] == 4 and "invalid TOML" in broken["dup.md"][0]
    assert broken["date.md"][1] == 3 and "invalid TOML" in broken["date.md"][0]
    assert broken["open.md"] == ("front matter is not closed by a '+++' line", 1)
    assert broken["bytes.md"][0].startswith("not UTF-8 text")
    assert len(broken) == 4
    got = {e.id: e for e in index.query()}
    assert got["e7"].title == "Entry 7" and got["e7"].date == dt.date(2026, 3, 8)
    index.close()
