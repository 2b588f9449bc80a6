from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brag.entry import Entry, parse_metric, slugify, stable_id
from brag.errors import EntryError

D = dt.date(2026, 3, 14)


def test_round_trip_keeps_every_field_and_unknown_ones():
    entry = Entry(
        title="Cut checkout p99 from 800ms to 200ms",
        date=D,
        id="3f9c1a2b",
        tags=["perf", "checkout"],
        impact="cart abandonment down 3%",
        metrics=[{"name": "p99", "value": 200, "unit": "ms", "before": 800, "after": 200}],
        areas=["customer"],
        leverage="execution",
        with_=["Sam Lee"],
        source="github",
        source_id="acme/shop#42",
        url="https://example.com/pr/42",
        private=True,
        created=dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC),
        updated=dt.datetime(2026, 3, 15, 9, 30, tzinfo=dt.UTC),
        body='Notes with a\n+++\nline and """quotes""".\n',
        extra={"team": "payments", "jira": {"key": "PAY-1"}},
    )
    text = entry.to_markdown()
    assert text.startswith('+++\nid = "3f9c1a2b"\n')
    back = Entry.from_markdown(text, "x.md")
    back.path = ""
    assert back == entry
    # Unknown fields survive a rewrite.
    again = Entry.from_markdown(back.to_markdown())
    assert again.extra == {"team": "payments", "jira": {"key": "PAY-1"}}


def test_empty_fields_are_left_out_of_the_file():
    text = Entry(title="Shipped", date=D, id="abc").to_markdown()
    assert text == '+++\nid = "abc"\ndate = 2026-03-14\ntitle = "Shipped"\n+++\n\n'


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("no front matter\n", 1, "must start with a '+++' line"),
        ('+++\nid = "a"\n', 1, "not closed"),
        ('+++\nid = "a"\ndate = 2026-01-01\ntitle = oops\n+++\n', 4, "invalid TOML"),
        ('+++\nid = "a"\ndate = "2026-13-45"\ntitle = "t"\n+++\n', 3, "bad date"),
        ('+++\nid = "a"\ntitle = "t"\n+++\n', 1, "missing required field 'date'"),
        ('+++\nid = "a"\ndate = 2026-01-01\ntitle = ""\n+++\n', 4, "non-empty"),
        ('+++\nid = "a"\ndate = 2026-01-01\ntitle = "t"\ntags = 3\n+++\n', 5, "list of str"),
    ],
)
def test_broken_files_name_line_and_reason(text: str, line: int, reason: str):
    with pytest.raises(EntryError) as info:
        Entry.from_markdown(text, "entries/2026/01/x.md")
    assert info.value.line == line
    assert reason in info.value.reason
    assert str(info.value).startswith(f"entries/2026/01/x.md:{line}: ")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Cut checkout p99 from 800ms to 200ms", "cut-checkout-p99-from-800ms-to-200ms"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("CON", "con-entry"),
        ("nul", "nul-entry"),
        ("\x00\x1f\n", "entry"),
        ("Café déjà vu", "cafe-deja-vu"),
        ("日本語", "entry"),
        ("...", "entry"),
    ],
)
def test_slugs_are_safe(title: str, slug: str):
    assert slugify(title) == slug


def test_slug_length_is_bounded():
    assert len(slugify("word " * 100)) <= 60


@given(
    title=st.text(min_size=1).filter(lambda s: s.strip()),
    body=st.text(),
    tags=st.lists(st.text(min_size=1)),
    extra_value=st.text(),
)
@settings(max_examples=200, deadline=None)
def test_any_text_round_trips_and_gives_a_safe_path(title, body, tags, extra_value):
    entry = Entry(
        title=title,
        date=D,
        id="abc123",
        tags=tags,
        body=body,
        impact="+++\n" + extra_value,
        extra={"note": extra_value},
    )
    back = Entry.from_markdown(entry.to_markdown())
    assert (back.title, back.body, back.tags, back.impact, back.extra) == (
        entry.title,
        entry.body,
        entry.tags,
        entry.impact,
        entry.extra,
    )
    path = entry.default_path()
    name = path.rsplit("/", 1)[1]
    assert path.startswith("entries/2026/03/2026-03-14-")
    assert ".." not in path and "\\" not in path and len(name) < 90
    assert all(c.isascii() and (c.isalnum() or c in "-.") for c in name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "p99: 800ms -> 200ms",
            {"name": "p99", "value": 200, "unit": "ms", "before": 800, "after": 200},
        ),
        (
            "time to first solo on-call: 8 weeks -> 3 weeks",
            {
                "name": "time to first solo on-call",
                "value": 3,
                "unit": "weeks",
                "before": 8,
                "after": 3,
            },
        ),
        ("savings: $12,000", {"name": "savings", "value": 12000, "unit": "$"}),
        ("savings: $2.3M", {"name": "savings", "value": 2.3, "unit": "$M"}),
        ("error rate: 0.5 %", {"name": "error rate", "value": 0.5, "unit": "%"}),
    ],
)
def test_parse_metric(text, expected):
    assert parse_metric(text) == expected


@pytest.mark.parametrize("text", ["no colon", "name:", "x: fast", "x: 1 -> 2 -> 3"])
def test_parse_metric_rejects_bad_input(text):
    with pytest.raises(EntryError):
        parse_metric(text)


def test_stable_id_is_deterministic():
    assert stable_id("github", "a/b#1") == stable_id("github", "a/b#1")
    assert stable_id("github", "a/b#1") != stable_id("github", "a/b#2")
