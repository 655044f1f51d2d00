"""Periods — month, quarter, half-year, year — computed in one place (DESIGN §8)."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: str  # month | quarter | half | year

    @property
    def label(self) -> str:
        y = self.start.year
        if self.kind == "month":
            return f"{y}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{y}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{y}-H{1 if self.start.month <= 6 else 2}"
        return f"{y}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def period_of(day: date, kind: str) -> Period:
    y, m = day.year, day.month
    if kind == "month":
        return Period(date(y, m, 1), _month_end(y, m), kind)
    if kind == "quarter":
        first = (m - 1) // 3 * 3 + 1
        return Period(date(y, first, 1), _month_end(y, first + 2), kind)
    if kind == "half":
        first = 1 if m <= 6 else 7
        return Period(date(y, first, 1), _month_end(y, first + 5), kind)
    if kind == "year":
        return Period(date(y, 1, 1), date(y, 12, 31), kind)
    raise ValueError(kind)


def periods_in_year(year: int, kind: str) -> list[Period]:
    step = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    return [period_of(date(year, m, 1), kind) for m in range(1, 13, step)]


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (2024-02-29 + 12 → 2025-02-28)."""
    total = day.month - 1 + months
    y, m = day.year + total // 12, total % 12 + 1
    return date(y, m, min(day.day, _cal.monthrange(y, m)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)
