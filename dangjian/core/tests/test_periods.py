"""Periods (DESIGN §8): months, quarters, half-years and years, and month arithmetic that clamps."""

from datetime import date

import pytest

from dangjian.core.periods import Period, add_months, add_years, period_of, periods_in_year


@pytest.mark.parametrize(
    ("day", "kind", "start", "end", "label"),
    [
        (date(2026, 3, 15), "month", date(2026, 3, 1), date(2026, 3, 31), "2026-03"),
        (date(2024, 2, 10), "month", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        (date(2026, 3, 31), "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "quarter", date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        (date(2026, 11, 28), "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        (date(2026, 6, 30), "half", date(2026, 1, 1), date(2026, 6, 30), "2026-H1"),
        (date(2026, 7, 1), "half", date(2026, 7, 1), date(2026, 12, 31), "2026-H2"),
        (date(2026, 8, 8), "year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_period_of(day, kind, start, end, label):
    p = period_of(day, kind)
    assert (p.start, p.end, p.kind, p.label) == (start, end, kind, label)
    assert p.contains(day)


def test_period_contains_its_ends_and_nothing_outside():
    q = period_of(date(2026, 2, 1), "quarter")
    assert q.contains(date(2026, 1, 1))
    assert q.contains(date(2026, 3, 31))
    assert not q.contains(date(2025, 12, 31))
    assert not q.contains(date(2026, 4, 1))


def test_unknown_kind_raises():
    with pytest.raises(ValueError):
        period_of(date(2026, 1, 1), "week")


def test_periods_in_year_labels():
    assert [p.label for p in periods_in_year(2026, "month")] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [p.label for p in periods_in_year(2026, "quarter")] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [p.label for p in periods_in_year(2026, "half")] == ["2026-H1", "2026-H2"]
    assert [p.label for p in periods_in_year(2026, "year")] == ["2026"]


def test_periods_in_year_tile_the_year_without_gaps():
    quarters = periods_in_year(2026, "quarter")
    assert quarters[0].start == date(2026, 1, 1)
    assert quarters[-1].end == date(2026, 12, 31)
    assert [q.end for q in quarters] == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]


def test_periods_sort_by_start():
    assert sorted([period_of(date(2026, 5, 1), "month"), period_of(date(2026, 2, 1), "month")])[0] == Period(
        date(2026, 2, 1), date(2026, 2, 28), "month"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + 1 year clamps
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # to the end of a leap February
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 28), 2, date(2027, 1, 28)),  # across the year end
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # backwards
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # leap to leap
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_add_years():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2023, 12, 1), 3) == date(2026, 12, 1)
