"""Parse the dates and periods users type in ``--date``, ``--since``, ``--until`` and ``--period``.

Every form is read as an inclusive period ``(start, end)``; a single day is ``(d, d)``:

* days: ``2026-03-14``, ``today``, ``yesterday``, ``tomorrow``, ``3 days ago``,
  ``a week ago``, ``2 months ago``, ``1 year ago``, ``friday``, ``last fri``
* periods: ``2026``, ``2026-03``, ``March 2026``, ``2026H2``, ``2026-H2``, ``2026Q3``,
  ``2026-Q3``, ``Q3 2026``, ``this-week``, ``last-week``, ``this-month``, ``last-month``,
  ``this-quarter``, ``last-quarter``, ``this-year``, ``last-year``

Input is case-insensitive, surrounding whitespace is ignored, and the words of a
keyword form may be joined by spaces, dashes or underscores (``last quarter``).
Weeks start on Monday.  ``N months ago`` keeps the day of month, clamped to the end
of the target month (March 31 minus one month is the last day of February).

Used as ``--since`` a period means its first day, as ``--until`` its last day.
Anything unreadable raises :class:`~brag.errors.DateError`, never another exception.

Only the standard library is imported, so importing this module stays cheap.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from brag.errors import DateError

__all__ = ["describe_period", "parse_date", "parse_period", "parse_since", "parse_until"]

USAGE = (
    "use YYYY-MM-DD, today, yesterday, 'N days ago', 'last friday', "
    "or a period like 2026, 2026H2, 2026Q3, last-quarter"
)

Period = tuple[date, date]

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {name.lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9

_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}

# Patterns are compiled on first use (re caches them) so importing stays cheap.
# ASCII digits only: ``\d`` would also accept other scripts' digits.
_ISO_DAY = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_ISO_MONTH = r"([0-9]{4})-([0-9]{1,2})"
_YEAR = r"[0-9]{4}"
_YEAR_PART = r"([0-9]{4}) ?([hq])([0-9])"
_PART_YEAR = r"([hq])([0-9]) ([0-9]{4})"
_NAMED_MONTH = r"([a-z]+) ([0-9]{4})"
_AGO = r"([0-9]+|an?|one) (day|week|month|year)s? ago"
_WEEKDAY = r"(last )?([a-z]+)"
_RELATIVE = r"(this|last) (week|month|quarter|year)"
_SEPARATORS = r"[\s_-]+"

_MAX_AGO_DIGITS = 7  # far beyond year 1 for any unit; keeps int() away from huge strings


def _error(text: str, reason: str | None = None) -> DateError:
    shown = text.strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    detail = f"{reason}; " if reason else ""
    # repr() keeps the message on one line whatever the input holds.
    return DateError(f"can't read date {shown!r}: {detail}{USAGE}")


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _month_period(year: int, month: int) -> Period:
    return date(year, month, 1), _month_end(year, month)


def _months_period(year: int, first_month: int, count: int) -> Period:
    return date(year, first_month, 1), _month_end(year, first_month + count - 1)


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if not 1 <= year <= 9999:
        raise _error(text, "year must be between 0001 and 9999")
    return year


def _ago(text: str, count: str, unit: str, today: date) -> date:
    if count in ("a", "an", "one"):
        n = 1
    elif len(count.lstrip("0")) > _MAX_AGO_DIGITS:
        raise _error(text, "that is too far in the past")
    else:
        n = int(count)
    if unit in ("day", "week"):
        ordinal = today.toordinal() - n * (7 if unit == "week" else 1)
        if ordinal < 1:
            raise _error(text, "that is too far in the past")
        return date.fromordinal(ordinal)
    months = n * (12 if unit == "year" else 1)
    index = today.year * 12 + (today.month - 1) - months
    if index < 12:  # before year 1
        raise _error(text, "that is too far in the past")
    year, month0 = divmod(index, 12)
    end = _month_end(year, month0 + 1)
    return end.replace(day=min(today.day, end.day))


def _relative(which: str, unit: str, today: date) -> Period:
    back = which == "last"
    if unit == "week":
        monday = today - timedelta(days=today.weekday() + (7 if back else 0))
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = today.replace(day=1)
        if back:
            first = (first - timedelta(days=1)).replace(day=1)
        return _month_period(first.year, first.month)
    if unit == "quarter":
        index = today.year * 12 + (today.month - 1) // 3 * 3 - (3 if back else 0)
        year, month0 = divmod(index, 12)
        return _months_period(year, month0 + 1, 3)
    year = today.year - (1 if back else 0)
    return date(year, 1, 1), date(year, 12, 31)


def _year_part(text: str, year: int, kind: str, number: int) -> Period:
    if kind == "h":
        if number not in (1, 2):
            raise _error(text, "a half year is H1 or H2")
        return _months_period(year, 1 + 6 * (number - 1), 6)
    if not 1 <= number <= 4:
        raise _error(text, "a quarter is Q1, Q2, Q3 or Q4")
    return _months_period(year, 1 + 3 * (number - 1), 3)


def _parse(text: str, today: date) -> Period | None:
    raw = text.strip().lower()

    if m := re.fullmatch(_ISO_DAY, raw):
        year = _year(text, m[1])
        try:
            day = date(year, int(m[2]), int(m[3]))
        except ValueError:
            raise _error(text, "there is no such day") from None
        return day, day
    if m := re.fullmatch(_ISO_MONTH, raw):
        year, month = _year(text, m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise _error(text, "a month is 01 to 12")
        return _month_period(year, month)

    # Leading or trailing dashes stay visible as spaces, so "-1 days ago" is not "1 days ago".
    key = re.sub(_SEPARATORS, " ", raw)

    if re.fullmatch(_YEAR, key):
        year = _year(text, key)
        return date(year, 1, 1), date(year, 12, 31)
    if m := re.fullmatch(_YEAR_PART, key):
        return _year_part(text, _year(text, m[1]), m[2], int(m[3]))
    if m := re.fullmatch(_PART_YEAR, key):
        return _year_part(text, _year(text, m[3]), m[1], int(m[2]))
    if (m := re.fullmatch(_NAMED_MONTH, key)) and m[1] in _MONTHS:
        return _month_period(_year(text, m[2]), _MONTHS[m[1]])

    if key == "today":
        return today, today
    if key == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if key == "tomorrow":
        day = today + timedelta(days=1)
        return day, day
    if m := re.fullmatch(_AGO, key):
        day = _ago(text, m[1], m[2], today)
        return day, day
    if m := re.fullmatch(_RELATIVE, key):
        return _relative(m[1], m[2], today)
    if (m := re.fullmatch(_WEEKDAY, key)) and m[2] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[m[2]]) % 7
        if m[1] and back == 0:
            back = 7  # "last friday" on a Friday is a week ago
        day = today - timedelta(days=back)
        return day, day
    return None


def parse_period(text: str, today: date | None = None) -> tuple[date, date]:
    """Read ``text`` as an inclusive ``(start, end)`` period; a single day gives ``(d, d)``."""
    if today is None:
        today = date.today()
    elif isinstance(today, datetime):
        today = today.date()
    try:
        period = _parse(text, today)
    except (OverflowError, ValueError):  # date arithmetic beyond year 1 or 9999
        raise _error(text, "that date is out of range") from None
    if period is None:
        raise _error(text)
    return period


def parse_date(text: str, today: date | None = None) -> date:
    """Read ``text`` as a single day; a period gives its first day."""
    return parse_period(text, today)[0]


def parse_since(text: str, today: date | None = None) -> date:
    """Read a ``--since`` value: the first day of the period ``text`` names."""
    return parse_period(text, today)[0]


def parse_until(text: str, today: date | None = None) -> date:
    """Read an ``--until`` value: the last day (inclusive) of the period ``text`` names."""
    return parse_period(text, today)[1]


def describe_period(start: date, end: date) -> str:
    """A short label for a period: ``2026``, ``2026H2``, ``2026Q3``, ``March 2026``, a range."""
    if start == end:
        return start.isoformat()
    if start.day == 1 and start.year == end.year:
        year, month = start.year, start.month
        if month == 1 and end == date(year, 12, 31):
            return str(year)
        if month in (1, 7) and end == _month_end(year, month + 5):
            return f"{year}H{1 if month == 1 else 2}"
        if month in (1, 4, 7, 10) and end == _month_end(year, month + 2):
            return f"{year}Q{(month - 1) // 3 + 1}"
        if end == _month_end(year, month):
            return f"{_MONTH_NAMES[month - 1]} {year}"
    return f"{start.isoformat()} to {end.isoformat()}"
