"""Reminders of the recruitment app for `dangjian remind` (notifications.jobs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dangjian.notifications.services import Reminder


def reminders(today: date) -> Iterable[Reminder]:
    return []
