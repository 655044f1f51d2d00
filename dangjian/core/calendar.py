"""Working days in Asia/Shanghai (DESIGN §8).

The administrator's Holiday table wins; otherwise chinese-calendar (2004–2026); otherwise, for years the
library does not cover, Monday–Friday. Functions that walk a range load the overrides once.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def _overrides(start: date, end: date) -> dict[date, bool]:
    from .models import Holiday

    return dict(Holiday.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _library_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def covered_by_library(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def is_workday(day: date) -> bool:
    override = _overrides(day, day).get(day)
    return _library_workday(day) if override is None else override


def working_days_between(start: date, end: date) -> int:
    """Working days from start to end, both included (a 公示 from Mon to Fri is 5)."""
    if end < start:
        return 0
    overrides = _overrides(start, end)
    count, day = 0, start
    while day <= end:
        if overrides[day] if day in overrides else _library_workday(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date on which a period of `days` working days that starts on `start` ends (start included)."""
    if days <= 0:
        return start
    overrides = _overrides(start, start + timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while True:
        workday = overrides[day] if day in overrides else _library_workday(day)
        if workday:
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def workday_test(start: date, end: date):
    """An `is_workday` for days in [start, end] that loads the Holiday overrides once (one query)."""
    overrides = _overrides(start, end)

    def test(day: date) -> bool:
        return overrides[day] if day in overrides else _library_workday(day)

    return test


def working_days_counter():
    """`working_days_between` with the whole holiday table read once (one query) and each window counted
    once — for checks that count many windows (an audit of a thousand recruitment files)."""
    from .models import Holiday

    overrides = dict(Holiday.objects.values_list("date", "is_workday"))
    seen: dict[tuple[date, date], int] = {}

    def count(start: date, end: date) -> int:
        if (start, end) not in seen:
            n, day = 0, start
            while day <= end:
                n += overrides[day] if day in overrides else _library_workday(day)
                day += timedelta(days=1)
            seen[(start, end)] = n
        return seen[(start, end)]

    return count
