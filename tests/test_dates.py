"""Tests for brag.dates: the forms users type in --date, --since, --until and --period."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from brag.dates import (
    USAGE,
    describe_period,
    parse_date,
    parse_period,
    parse_since,
    parse_until,
)
from brag.errors import BragError, DateError

TODAY = date(2026, 11, 22)  # a Sunday


def period(text: str, today: date = TODAY) -> tuple[date, date]:
    return parse_period(text, today=today)


def day(text: str, today: date = TODAY) -> date:
    start, end = parse_period(text, today=today)
    assert start == end, f"{text!r} should be a single day"
    return start


def test_fixed_today_is_a_sunday() -> None:
    assert TODAY.strftime("%A") == "Sunday"


# --- single days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14", date(2026, 3, 14)),
        ("2026-3-4", date(2026, 3, 4)),
        ("2024-02-29", date(2024, 2, 29)),
        ("0001-01-01", date(1, 1, 1)),
        ("9999-12-31", date(9999, 12, 31)),
        ("  2026-03-14\n", date(2026, 3, 14)),
    ],
)
def test_iso_day(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("TODAY", TODAY),
        (" Today ", TODAY),
        ("yesterday", date(2026, 11, 21)),
        ("tomorrow", date(2026, 11, 23)),
    ],
)
def test_named_days(text: str, expected: date) -> None:
    assert day(text) == expected


def test_named_days_cross_year_boundaries() -> None:
    assert day("yesterday", today=date(2026, 1, 1)) == date(2025, 12, 31)
    assert day("tomorrow", today=date(2026, 12, 31)) == date(2027, 1, 1)
    assert day("tomorrow", today=date(2024, 2, 28)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 days ago", TODAY),
        ("1 day ago", date(2026, 11, 21)),
        ("1 days ago", date(2026, 11, 21)),
        ("a day ago", date(2026, 11, 21)),
        ("3 days ago", date(2026, 11, 19)),
        ("30 days ago", date(2026, 10, 23)),
        ("3-days-ago", date(2026, 11, 19)),
        ("3  DAYS  AGO", date(2026, 11, 19)),
        ("a week ago", date(2026, 11, 15)),
        ("one week ago", date(2026, 11, 15)),
        ("2 weeks ago", date(2026, 11, 8)),
        ("1 month ago", date(2026, 10, 22)),
        ("a month ago", date(2026, 10, 22)),
        ("11 months ago", date(2025, 12, 22)),
        ("13 months ago", date(2025, 10, 22)),
        ("a year ago", date(2025, 11, 22)),
        ("2 years ago", date(2024, 11, 22)),
        ("007 days ago", date(2026, 11, 15)),
    ],
)
def test_ago(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("1 month ago", date(2026, 3, 31), date(2026, 2, 28)),
        ("1 month ago", date(2024, 3, 31), date(2024, 2, 29)),
        ("1 month ago", date(2026, 5, 31), date(2026, 4, 30)),
        ("3 months ago", date(2026, 5, 31), date(2026, 2, 28)),
        ("1 month ago", date(2026, 1, 31), date(2025, 12, 31)),
        ("1 month ago", date(2026, 1, 15), date(2025, 12, 15)),
        ("1 year ago", date(2024, 2, 29), date(2023, 2, 28)),
        ("4 years ago", date(2024, 2, 29), date(2020, 2, 29)),
        ("1 day ago", date(2024, 3, 1), date(2024, 2, 29)),
        ("1 day ago", date(2026, 3, 1), date(2026, 2, 28)),
        ("1 week ago", date(2026, 1, 3), date(2025, 12, 27)),
    ],
)
def test_ago_clamps_and_crosses_boundaries(text: str, today: date, expected: date) -> None:
    assert day(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # TODAY is Sunday 2026-11-22.
        ("friday", date(2026, 11, 20)),
        ("Friday", date(2026, 11, 20)),
        ("fri", date(2026, 11, 20)),
        ("last friday", date(2026, 11, 20)),
        ("last fri", date(2026, 11, 20)),
        ("last-friday", date(2026, 11, 20)),
        ("LAST_FRI", date(2026, 11, 20)),
        ("saturday", date(2026, 11, 21)),
        ("monday", date(2026, 11, 16)),
        ("last mon", date(2026, 11, 16)),
        ("tues", date(2026, 11, 17)),
        ("wed", date(2026, 11, 18)),
        ("thurs", date(2026, 11, 19)),
        # A plain weekday name may be today; "last" is strictly before today.
        ("sunday", TODAY),
        ("sun", TODAY),
        ("last sunday", date(2026, 11, 15)),
        ("last sun", date(2026, 11, 15)),
    ],
)
def test_weekdays(text: str, expected: date) -> None:
    assert day(text) == expected


def test_weekday_crosses_year_boundary() -> None:
    thursday = date(2026, 1, 1)
    assert day("last friday", today=thursday) == date(2025, 12, 26)
    assert day("thursday", today=thursday) == thursday
    assert day("last thursday", today=thursday) == date(2025, 12, 25)


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("2026-03", (date(2026, 3, 1), date(2026, 3, 31))),
        ("2026-3", (date(2026, 3, 1), date(2026, 3, 31))),
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("March 2026", (date(2026, 3, 1), date(2026, 3, 31))),
        ("mar 2026", (date(2026, 3, 1), date(2026, 3, 31))),
        ("sept-2026", (date(2026, 9, 1), date(2026, 9, 30))),
        ("2026H1", (date(2026, 1, 1), date(2026, 6, 30))),
        ("2026H2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2026-H2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2026h2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2026 h2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("H2 2026", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2026Q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2026Q2", (date(2026, 4, 1), date(2026, 6, 30))),
        ("2026Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026-Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("Q3 2026", (date(2026, 7, 1), date(2026, 9, 30))),
        ("q3-2026", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2024Q1", (date(2024, 1, 1), date(2024, 3, 31))),
        (" 2026q3\t", (date(2026, 7, 1), date(2026, 9, 30))),
    ],
)
def test_absolute_periods(text: str, expected: tuple[date, date]) -> None:
    assert period(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this-week", (date(2026, 11, 16), date(2026, 11, 22))),
        ("last-week", (date(2026, 11, 9), date(2026, 11, 15))),
        ("last week", (date(2026, 11, 9), date(2026, 11, 15))),
        ("this-month", (date(2026, 11, 1), date(2026, 11, 30))),
        ("last-month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("last month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("this-quarter", (date(2026, 10, 1), date(2026, 12, 31))),
        ("last-quarter", (date(2026, 7, 1), date(2026, 9, 30))),
        ("last quarter", (date(2026, 7, 1), date(2026, 9, 30))),
        ("last_quarter", (date(2026, 7, 1), date(2026, 9, 30))),
        ("  Last-Quarter  ", (date(2026, 7, 1), date(2026, 9, 30))),
        ("this-year", (date(2026, 1, 1), date(2026, 12, 31))),
        ("last-year", (date(2025, 1, 1), date(2025, 12, 31))),
        ("LAST YEAR", (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_relative_periods(text: str, expected: tuple[date, date]) -> None:
    assert period(text) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("last-quarter", date(2026, 1, 15), (date(2025, 10, 1), date(2025, 12, 31))),
        ("last-quarter", date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        ("last-quarter", date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("this-quarter", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("this-quarter", date(2026, 9, 30), (date(2026, 7, 1), date(2026, 9, 30))),
        ("last-month", date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        ("last-month", date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),
        ("this-month", date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        ("this-week", date(2026, 1, 1), (date(2025, 12, 29), date(2026, 1, 4))),
        ("last-week", date(2026, 1, 5), (date(2025, 12, 29), date(2026, 1, 4))),
        ("this-week", date(2026, 11, 16), (date(2026, 11, 16), date(2026, 11, 22))),
        ("last-year", date(2026, 1, 1), (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_relative_periods_at_boundaries(
    text: str, today: date, expected: tuple[date, date]
) -> None:
    assert period(text, today=today) == expected


def test_single_day_is_a_one_day_period() -> None:
    assert period("2026-03-14") == (date(2026, 3, 14), date(2026, 3, 14))
    assert period("yesterday") == (date(2026, 11, 21), date(2026, 11, 21))


# --- since / until / date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("last-quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-03-14", date(2026, 3, 14), date(2026, 3, 14)),
        ("last friday", date(2026, 11, 20), date(2026, 11, 20)),
    ],
)
def test_since_is_start_and_until_is_end(text: str, since: date, until: date) -> None:
    assert parse_since(text, today=TODAY) == since
    assert parse_until(text, today=TODAY) == until
    assert parse_date(text, today=TODAY) == since


def test_today_defaults_to_the_real_today() -> None:
    before = date.today()
    got = parse_date("today")
    assert before <= got <= date.today()


def test_today_may_be_a_datetime() -> None:
    assert parse_period("yesterday", today=datetime(2026, 11, 22, 23, 59)) == (
        date(2026, 11, 21),
        date(2026, 11, 21),
    )
    assert type(parse_date("today", today=datetime(2026, 11, 22, 8))) is date


# --- describe_period -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2026, 7, 1), date(2026, 9, 30), "2026Q3"),
        (date(2026, 1, 1), date(2026, 3, 31), "2026Q1"),
        (date(2026, 10, 1), date(2026, 12, 31), "2026Q4"),
        (date(2026, 1, 1), date(2026, 6, 30), "2026H1"),
        (date(2026, 7, 1), date(2026, 12, 31), "2026H2"),
        (date(2026, 1, 1), date(2026, 12, 31), "2026"),
        (date(2026, 3, 1), date(2026, 3, 31), "March 2026"),
        (date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        (date(2026, 3, 14), date(2026, 3, 14), "2026-03-14"),
        (date(2026, 3, 1), date(2026, 3, 14), "2026-03-01 to 2026-03-14"),
        (date(2026, 1, 1), date(2026, 2, 28), "2026-01-01 to 2026-02-28"),
        (date(2026, 4, 1), date(2026, 9, 30), "2026-04-01 to 2026-09-30"),
        (date(2025, 10, 1), date(2026, 3, 31), "2025-10-01 to 2026-03-31"),
        (date(2026, 7, 2), date(2026, 9, 30), "2026-07-02 to 2026-09-30"),
    ],
)
def test_describe_period(start: date, end: date, label: str) -> None:
    assert describe_period(start, end) == label


@pytest.mark.parametrize(
    "label", ["2026Q3", "2026H2", "2026", "March 2026", "February 2024", "2026-03-14"]
)
def test_describe_period_labels_parse_back(label: str) -> None:
    assert describe_period(*period(label)) == label


def test_describe_relative_periods() -> None:
    assert describe_period(*period("last-quarter")) == "2026Q3"
    assert describe_period(*period("last-month")) == "October 2026"
    assert describe_period(*period("last-year")) == "2025"
    assert describe_period(*period("this-week")) == "2026-11-16 to 2026-11-22"


# --- errors ----------------------------------------------------------------------------------


def test_error_message_lists_accepted_forms() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("blurg", today=TODAY)
    assert str(caught.value) == (
        "can't read date 'blurg': use YYYY-MM-DD, today, yesterday, 'N days ago', "
        "'last friday', or a period like 2026, 2026H2, 2026Q3, last-quarter"
    )
    assert isinstance(caught.value, BragError)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026Q5", "a quarter is Q1, Q2, Q3 or Q4"),
        ("2026Q0", "a quarter is Q1, Q2, Q3 or Q4"),
        ("2026H3", "a half year is H1 or H2"),
        ("2026-02-30", "there is no such day"),
        ("2026-13", "a month is 01 to 12"),
        ("0000-00-00", "year must be between 0001 and 9999"),
        ("0000", "year must be between 0001 and 9999"),
        ("999999999999 days ago", "too far in the past"),
        ("3000 years ago", "too far in the past"),
    ],
)
def test_error_gives_a_reason_then_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_period(text, today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"can't read date {text!r}: ")
    assert reason in message
    assert message.endswith(USAGE)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "blurg",
        "99999",
        "202",
        "2026-",
        "-2026",
        "2026-00",
        "2026-02-29",
        "2026-1-1-1",
        "2026Q",
        "2026Q10",
        "Q5 2026",
        "-1 days ago",
        "1.5 days ago",
        "days ago",
        "3 fortnights ago",
        "9" * 5000 + " days ago",
        "999999999999 years ago",
        "last",
        "last friyay",
        "next friday",
        "next-quarter",
        "this",
        "last decade",
        "smarch 2026",
        "\x00",
        "2026\x00",
        "today\x00",
        "２０２６",  # full-width digits
        "٢٠٢٦-٠٣-١٤",  # Arabic-Indic digits
        "2026\u2028Q3x",
        "🗓️",
        "\ud800",
    ],
)
def test_unreadable_input_raises_date_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("tomorrow", date.max),
        ("this-week", date.max),
        ("yesterday", date.min),
        ("last-year", date.min),
        ("last-month", date.min),
        ("last-quarter", date.min),
        ("last-week", date(1, 1, 3)),
        ("last friday", date.min),
        ("1 day ago", date.min),
        ("1 month ago", date(1, 1, 31)),
    ],
)
def test_out_of_range_arithmetic_raises_date_error(text: str, today: date) -> None:
    with pytest.raises(DateError, match="out of range|too far in the past"):
        parse_period(text, today=today)


def test_error_message_is_one_line_and_short() -> None:
    with pytest.raises(DateError) as caught:
        parse_period("line one\nline two" + "x" * 500, today=TODAY)
    message = str(caught.value)
    assert "\n" not in message
    assert len(message) < 250


# --- properties ------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "last",
        "this",
        "ago",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "quarter",
        "friday",
        "fri",
        "today",
        "a",
        "q",
        "h",
        "q3",
        "h2",
        "march",
    ]
)
_TOKENS = st.one_of(_WORDS, st.integers(-10, 10**13).map(str), st.sampled_from(["-", "_", " "]))
_PLAUSIBLE = st.lists(_TOKENS, max_size=6).map("".join)


@given(text=st.one_of(st.text(), _PLAUSIBLE), today=st.dates())
@example(text="last-quarter", today=date(2026, 1, 1))
@example(text="tomorrow", today=date.max)
@example(text="999999999999 days ago", today=TODAY)
def test_any_text_gives_an_ordered_period_or_date_error(text: str, today: date) -> None:
    try:
        start, end = parse_period(text, today=today)
    except DateError as exc:
        assert str(exc).startswith("can't read date ")
        assert "\n" not in str(exc)
    else:
        assert isinstance(start, date) and isinstance(end, date)
        assert start <= end
        assert parse_since(text, today=today) == start
        assert parse_until(text, today=today) == end
        assert parse_date(text, today=today) == start
        assert describe_period(start, end)
