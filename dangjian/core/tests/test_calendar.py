"""Working days (DESIGN §8): the official calendar, the administrator's Holiday table, and the Mon–Fri fallback.

The 2026 schedule (国务院办公厅 2026 年部分节假日安排, as carried by chinese-calendar 1.11):
    中秋节 9-25 (Fri) … 9-27 (Sun) off;
    国庆节 10-01 (Thu) … 10-07 (Wed) off; 9-20 (Sun) and 10-10 (Sat) are 调休 working days.
So 2026-09-28 … 2026-10-10 reads: Mon 28 W, Tue 29 W, Wed 30 W, Thu 1 – Wed 7 off, Thu 8 W, Fri 9 W, Sat 10 W.
"""

from datetime import date

import pytest

from dangjian.core.calendar import add_working_days, covered_by_library, is_workday, working_days_between
from dangjian.core.models import Holiday


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2026, 9, 20), True),  # Sunday, 调休 working day
        (date(2026, 9, 25), False),  # Friday, 中秋节
        (date(2026, 9, 28), True),  # ordinary Monday
        (date(2026, 10, 1), False),  # Thursday, 国庆节
        (date(2026, 10, 7), False),  # Wednesday, last day of the holiday
        (date(2026, 10, 10), True),  # Saturday, 调休 working day
        (date(2026, 10, 11), False),  # ordinary Sunday
    ],
)
def test_is_workday_follows_the_official_2026_schedule(db, day, workday):
    assert is_workday(day) is workday


def test_working_days_across_national_day_2026(db):
    # 9-28, 9-29, 9-30, 10-08, 10-09
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 9)) == 5
    # … plus the 调休 Saturday 10-10
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 10)) == 6
    # the holiday alone has none
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_working_days_between_counts_both_ends_and_an_empty_range_is_zero(db):
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 27)) == 5  # Mon–Fri
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 1
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 23)) == 0


def test_add_working_days_spans_the_holiday(db):
    # A 5-working-day 公示 from Mon 9-28: 9-28, 9-29, 9-30, 10-08, 10-09.
    assert add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 9)
    # From Tue 9-29 the fifth working day is the 调休 Saturday 10-10.
    assert add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 10)
    # Starting on a holiday, counting begins on the first working day after it.
    assert add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 28), 0) == date(2026, 9, 28)


def test_a_holiday_row_overrides_the_library(db):
    Holiday.objects.create(date=date(2026, 9, 29), is_workday=False, name="校运会")
    Holiday.objects.create(date=date(2026, 10, 7), is_workday=True, name="补班")
    assert is_workday(date(2026, 9, 29)) is False
    assert is_workday(date(2026, 10, 7)) is True
    # 9-28, 9-30, 10-07, 10-08, 10-09
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 9)) == 5
    assert add_working_days(date(2026, 9, 28), 3) == date(2026, 10, 7)


def test_library_covers_2026_but_not_2027():
    assert covered_by_library(2026)
    assert not covered_by_library(2027)


def test_2027_falls_back_to_monday_to_friday(db):
    # 2027-09-27 is a Monday; without Holiday rows the two weeks to Fri 10-08 are 10 working days.
    assert working_days_between(date(2027, 9, 27), date(2027, 10, 8)) == 10
    assert is_workday(date(2027, 10, 1)) is True  # a Friday: the library knows nothing of 2027
    assert is_workday(date(2027, 10, 2)) is False  # a Saturday


def test_2027_uses_the_holiday_table_where_the_library_stops(db):
    for d in range(1, 8):
        Holiday.objects.create(date=date(2027, 10, d), is_workday=False, name="国庆节")
    Holiday.objects.create(date=date(2027, 9, 26), is_workday=True, name="国庆节调休")  # a Sunday
    # 9-26 (调休 Sun), 9-27, 9-28, 9-29, 9-30 (Mon–Thu), 10-08 (Fri); 10-01 … 10-07 off.
    assert working_days_between(date(2027, 9, 26), date(2027, 10, 8)) == 6
    assert add_working_days(date(2027, 9, 29), 3) == date(2027, 10, 8)  # 9-29, 9-30, 10-08
