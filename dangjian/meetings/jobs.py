"""Reminders of the meetings app for `dangjian remind` (notifications.jobs), idempotent by key.

* Requirements due within DUE_WITHIN_DAYS (the period ends by then and is not yet met, compliance status
  `due`): to the branch secretaries (deputies where there is none) for a branch's requirements, including its
  groups' roll-up; to the group leaders for a party group's own 党小组会; to the committee secretary and the
  organiser for the committee's. Key `meetings:due:<unit id>:<kind>:<period>` — once per requirement period.
* Meetings within SOON_DAYS (today and the next two days) that are still planned: to everyone expected or
  invited to sit in, unless they have already asked for leave. Key `meetings:soon:<meeting id>:<date>`, so a
  meeting moved to another day is announced again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.periods import Period
from dangjian.core.permissions import Role
from dangjian.notifications.services import Reminder
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit, RoleAssignment

from .choices import AttendanceStatus, MeetingKind, MeetingStatus
from .compliance import Status, compliance, period_from_label
from .models import Attendance

DUE_WITHIN_DAYS = 14
SOON_DAYS = 2

# Who is reminded of a unit's requirements, by unit kind: the first role found on the unit wins for branches
# (secretary, else deputy); every listed role is reminded for the committee.
RECIPIENTS: dict[str, tuple[tuple[str, ...], bool]] = {
    OrgUnitKind.BRANCH: ((Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY), True),
    OrgUnitKind.GROUP: ((Role.GROUP_LEADER,), True),
    OrgUnitKind.COMMITTEE: ((Role.COMMITTEE_SECRETARY, Role.ORGANISER), False),
}


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _recipients(units: list[OrgUnit], on: date) -> dict[int, list[int]]:
    """unit id → person ids to remind (one query)."""
    roles = {r for spec, _first in RECIPIENTS.values() for r in spec}
    held: dict[tuple[int, str], list[int]] = defaultdict(list)
    for unit_id, role, person_id in (
        RoleAssignment.objects.active(on).filter(unit__in=units, role__in=roles, person__deleted_at__isnull=True)
        .order_by("starts_on", "id").values_list("unit_id", "role", "person_id")
    ):
        if person_id not in held[(unit_id, role)]:
            held[(unit_id, role)].append(person_id)
    out: dict[int, list[int]] = {}
    for unit in units:
        spec, first_only = RECIPIENTS.get(unit.kind, ((), True))
        people: list[int] = []
        for role in spec:
            found = held.get((unit.pk, role), [])
            people += [p for p in found if p not in people]
            if first_only and people:
                break
        out[unit.pk] = people
    return out


def due_reminders(today: date) -> list[Reminder]:
    """Requirements whose period ends within DUE_WITHIN_DAYS and are not met yet."""
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    units_qs = OrgUnit.objects.filter(dissolved_on__isnull=True)
    report = compliance(year=today.year, as_of=today, units_qs=units_qs)
    due: list[tuple[str, dict, Period]] = []
    for u in report["units"]:
        for r in u["requirements"]:
            if r["status"] != Status.DUE:
                continue
            period = period_from_label(r["period"])
            if period.end <= horizon:
                due.append((u["code"], r, period))
    if not due:
        return []
    units = {u.code: u for u in units_qs.filter(code__in={code for code, _r, _p in due})}
    recipients = _recipients(list(units.values()), today)
    out = []
    for code, r, period in due:
        unit = units[code]
        kind = str(MeetingKind(r["kind"]).label)
        if r["kind"] == MeetingKind.GROUP and unit.kind == OrgUnitKind.BRANCH:
            title = _("%(unit)s有党小组尚未召开%(period)s的党小组会（%(held)d/%(required)d），%(end)s前到期") % {
                "unit": unit.name, "period": r["period"], "held": r["held"], "required": r["required"],
                "end": period.end.isoformat()}
        else:
            title = _("%(unit)s %(period)s 的%(kind)s尚未完成（已开 %(held)d 次，应开 %(required)d 次），"
                      "%(end)s前到期") % {"unit": unit.name, "period": r["period"], "kind": kind, "held": r["held"],
                                        "required": r["required"], "end": period.end.isoformat()}
        for person_id in recipients.get(unit.pk, []):
            out.append(Reminder(
                person_id=person_id, key=f"meetings:due:{unit.pk}:{r['kind']}:{r['period']}",
                kind="meetings.due", title=title,
                body=_("按规定每个周期须召开%(kind)s；只有已召开并记录（或已审核）的会议才计入。") % {"kind": kind},
                url=_url("meetings:compliance"), due_on=period.end,
            ))
    return out


def soon_reminders(today: date) -> list[Reminder]:
    """Planned meetings from today to SOON_DAYS days later, to the people expected (or invited) there."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(today, time.min), tz)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=SOON_DAYS + 1), time.min), tz)
    rows = (
        Attendance.objects.filter(meeting__status=MeetingStatus.PLANNED, meeting__starts_at__gte=start,
                                  meeting__starts_at__lt=end)
        .exclude(status=AttendanceStatus.EXCUSED)
        .select_related("meeting", "meeting__unit")
        .order_by("meeting__starts_at", "meeting_id", "person_id")
    )
    out = []
    for a in rows:
        m = a.meeting
        local = timezone.localtime(m.starts_at)
        title = _("会议提醒：%(when)s %(unit)s%(kind)s“%(topic)s”") % {
            "when": local.strftime("%m-%d %H:%M"), "unit": m.unit.display_name, "kind": m.get_kind_display(),
            "topic": m.topic}
        body = _("地点：%(place)s") % {"place": m.place} if m.place else ""
        if a.is_observer:
            body = (body + "\n" if body else "") + _("您受邀列席本次会议。")
        out.append(Reminder(
            person_id=a.person_id, key=f"meetings:soon:{m.pk}:{local.date().isoformat()}", kind="meetings.soon",
            title=title, body=body, url=_url("meetings:detail", m.pk), due_on=local.date(),
        ))
    return out


def reminders(today: date) -> Iterable[Reminder]:
    return due_reminders(today) + soon_reminders(today)
