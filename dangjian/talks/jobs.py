"""Reminders of the talks app for `dangjian remind` (notifications.jobs).

Each run first brings this year's plans in line with the roster and the posts (as the system; audited only
when something changes), then reminds every 谈话人 of the talks still missing — one reminder per person per
month (key `talks:todo:<person>:<YYYY-MM>`), listing them all, so nobody is flooded with one message a pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.scoping import today as real_today
from dangjian.notifications.services import Reminder

from . import selectors, services
from .choices import PlanRule


def reminders(today: date) -> Iterable[Reminder]:
    year = today.year
    if year == real_today().year:
        services.sync_talk_plans(actor=None, year=year, on=today)
    labels = dict(PlanRule.choices)
    by_person: dict[int, dict[str, list[str]]] = {}
    for rule, m in selectors.missing_talks(year):
        by_person.setdefault(m.initiator_id, {}).setdefault(rule, []).append(m.counterpart_name)
    url = reverse("talks:my_todo")
    for person_id, rules in by_person.items():
        n = sum(len(names) for names in rules.values())
        body = "\n".join(f"{labels.get(rule, rule)}：{'、'.join(names)}" for rule, names in rules.items())
        yield Reminder(
            person_id=person_id,
            key=f"talks:todo:{person_id}:{today:%Y-%m}",
            kind="talks.todo",
            title=_("%(y)d年您还有 %(n)d 次谈心谈话待完成") % {"y": year, "n": n},
            body=body,
            url=url,
            due_on=date(year, 12, 31),
        )
