"""Property tests: whatever text an entry holds, the journal writes it to a safe path and
reads it back unchanged; the date parser answers any string with a date or a DateError."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from brag.dates import parse_date, parse_since, parse_until
from brag.entry import Entry
from brag.errors import DateError
from brag.journal import Journal

# Text that breaks naive front-matter writers: delimiters, TOML quoting, line ends, NUL.
HOSTILE = st.sampled_from(
    [
        "+++",
        "+++\n",
        '"""',
        "'''",
        '+++\nid = "evil"\ntitle = "x"\n+++',
        "\r\n",
        "\r",
        "\x00",
        "\x1b[31m",
        "\ufeff",
        "\u2028",
        "\\",
        "\\u0000",
        'key = "value"',
        "[metrics]",
        "[[metrics]]",
        "# not a heading in TOML",
        "../../etc/passwd",
        "C:\\Windows\\con",
        "🚀 ship",
    ]
)
PIECE = st.one_of(st.text(), HOSTILE)
TEXT = st.lists(PIECE, max_size=6).map("".join)
LONG = st.text(min_size=1, max_size=8).map(lambda s: s * 700)  # up to ~5,600 characters
TITLE = st.one_of(TEXT, LONG).filter(lambda s: s.strip())
BODY = st.one_of(st.lists(PIECE, max_size=8).map("\n".join), LONG)
NUMBER = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
METRIC = st.fixed_dictionaries(
    {"name": TEXT, "value": NUMBER, "unit": TEXT},
    optional={"before": NUMBER, "after": NUMBER, "note": TEXT},
)
SAFE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md")


@given(
    title=TITLE,
    body=BODY,
    impact=TEXT,
    tags=st.lists(TEXT.filter(bool), max_size=5),
    metrics=st.lists(METRIC, max_size=3),
    with_=st.lists(TEXT, max_size=3),
    date=st.dates(min_value=dt.date(1000, 1, 1)),
)
@example(
    title="+++",
    body='+++\nid = "evil"\n+++\n"""\n\'\'\'\n',
    impact='"""',
    tags=["+++"],
    metrics=[{"name": "+++", "value": 1, "unit": '"""'}],
    with_=[],
    date=dt.date(2026, 3, 14),
)
@example(
    title="../../../.git/config",
    body="\r\n\r\n",
    impact="",
    tags=[],
    metrics=[],
    with_=[],
    date=dt.date(2026, 3, 14),
)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_entry_survives_a_journal_round_trip_at_a_safe_path(
    journal: Journal, title, body, impact, tags, metrics, with_, date
):
    entry = Entry(
        title=title,
        date=date,
        body=body,
        impact=impact,
        tags=tags,
        metrics=metrics,
        with_=with_,
    )
    journal.add(entry)

    path = Path(entry.path)
    entries = (journal.root / "entries").resolve()
    assert (journal.root / path).resolve().parent.parent.parent == entries
    assert path.parts[0] == "entries" and ".." not in path.parts
    assert SAFE_NAME.fullmatch(path.name), path.name

    for back in (journal.read_file(entry.path), Journal(journal.root).get(entry.id)):
        assert back.title == title
        assert back.body == body
        assert back.impact == impact
        assert back.tags == tags
        assert back.metrics == metrics
        assert back.with_ == with_
        assert back.date == date
        assert back.path == entry.path


@given(text=st.one_of(st.text(), st.text(max_size=4).map(lambda s: s * 300), HOSTILE))
@example(text="99999999999999999999 days ago")
@example(text="-99999999999 weeks ago")
@example(text="9999-12-31")
@example(text="0000-01-01")
@settings(max_examples=300, deadline=None)
def test_every_date_parser_answers_a_date_or_a_clean_date_error(text: str):
    today = dt.date(2026, 11, 22)
    for parse in (parse_date, parse_since, parse_until):
        try:
            value = parse(text, today=today)
        except DateError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert isinstance(value, dt.date)
