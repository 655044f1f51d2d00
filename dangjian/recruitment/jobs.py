"""Reminders of the recruitment app for `dangjian remind` (notifications.jobs), idempotent by key.

From each open case's guidance (guidance.next_due), the same dates the case page shows:

* interview due (S02): from INTERVIEW_DAYS before the deadline — to the branch's secretary (deputy if none);
* review due (the next S06 review): from REVIEW_DAYS before — to the branch's secretary;
* approval deadline (S17 within 3 months of S15, S24 within 3 months of S23): from APPROVAL_DAYS before — to
  the committee's organisers and secretary;
* probation ending (one year from S15, plus any extension): from PROBATION_DAYS before until the 转正 vote
  — to the branch's secretary and to the probationary member.

Key `recruitment:<case>:<kind>:<step>:<date>`: each deadline is announced once, and again only if its date
moves (an extension of the probation moves the probation's end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.permissions import Role
from dangjian.notifications.services import Reminder
from dangjian.organizations.models import RoleAssignment

from .checks import Params, probation_ends_on
from .choices import CaseStatus
from .guidance import next_due
from .models import Case, StepPerson, StepRecord
from .selectors import case_facts

INTERVIEW_DAYS = 7
REVIEW_DAYS = 14
APPROVAL_DAYS = 30
PROBATION_DAYS = 30
BRANCH_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY)
COMMITTEE_ROLES = (Role.ORGANISER, Role.COMMITTEE_SECRETARY)


def _holders(unit_ids: set[int], roles: tuple[str, ...], on: date, *, first_only: bool) -> dict[int, list[int]]:
    """unit id → person ids holding `roles` there (in the roles' order; only the first role found if asked)."""
    held: dict[tuple[int, str], list[int]] = defaultdict(list)
    for unit_id, role, person_id in (
        RoleAssignment.objects.active(on).filter(unit_id__in=unit_ids, role__in=roles, person__deleted_at__isnull=True)
        .order_by("starts_on", "id").values_list("unit_id", "role", "person_id")
    ):
        held[(unit_id, role)].append(person_id)
    out: dict[int, list[int]] = {}
    for unit_id in unit_ids:
        people: list[int] = []
        for role in roles:
            people += [p for p in held.get((unit_id, role), []) if p not in people]
            if first_only and people:
                break
        out[unit_id] = people
    return out


def reminders(today: date) -> Iterable[Reminder]:
    params = Params.load(today)
    cases = list(
        Case.objects.filter(status=CaseStatus.OPEN)
        .select_related("person", "person__unit")
        .prefetch_related(Prefetch("steps", queryset=StepRecord.objects.prefetch_related(
            Prefetch("people", queryset=StepPerson.objects.select_related("person"))).order_by("step")))
    )
    if not cases:
        return []
    branch_ids = {c.person.unit_id for c in cases}
    ancestor_ids = {int(x) for c in cases for x in c.person.unit.path.strip("/").split("/") if x}
    branch = _holders(branch_ids, BRANCH_ROLES, today, first_only=True)
    committee = _holders(ancestor_ids, COMMITTEE_ROLES, today, first_only=False)
    out: list[Reminder] = []
    for case in cases:
        unit = case.person.unit
        secretaries = branch.get(unit.pk, [])
        leaders = []
        for uid in (int(x) for x in unit.path.strip("/").split("/") if x):
            if uid != unit.pk:
                leaders += [p for p in committee.get(uid, []) if p not in leaders]
        url = reverse("recruitment:case", args=[case.pk])
        name = case.person.name
        facts = case_facts(case, list(case.steps.all()))
        if "S17" in facts.dates and "S23" not in facts.dates and "S15" in facts.dates:
            ends = probation_ends_on(facts.dates["S15"], case.extension_months, params)
            if today >= ends - timedelta(days=PROBATION_DAYS):
                title = _("%(name)s的预备期将于%(d)s期满，请按时提出转正申请并讨论转正") % {
                    "name": name, "d": ends.isoformat()}
                for person_id in dict.fromkeys(secretaries + [case.person_id]):
                    out.append(Reminder(
                        person_id=person_id, key=f"recruitment:{case.pk}:probation_ending:S23:{ends.isoformat()}",
                        kind="recruitment.probation_ending", title=title,
                        body=_("预备期自支部大会通过之日起计算（党章 第7条）。"), url=url, due_on=ends,
                    ))
        for due in next_due(facts, params):
            kind, recipients, when = None, [], due.latest
            if due.kind == "review" and due.latest and today >= due.latest - timedelta(days=REVIEW_DAYS):
                kind, recipients = "review_due", secretaries
                title = _("%(name)s的培养考察应在%(d)s前进行") % {"name": name, "d": due.latest.isoformat()}
            elif due.step == "S02" and due.latest and today >= due.latest - timedelta(days=INTERVIEW_DAYS):
                kind, recipients = "interview_due", secretaries
                title = _("%(name)s递交入党申请书后，应在%(d)s前派人谈话") % {"name": name, "d": due.latest.isoformat()}
            elif due.step in ("S17", "S24") and due.latest and today >= due.latest - timedelta(days=APPROVAL_DAYS):
                kind, recipients = "approval_deadline", leaders
                title = _("%(name)s的%(step)s应在%(d)s前完成") % {"name": name, "step": due.name,
                                                                 "d": due.latest.isoformat()}
            if not kind:
                continue
            for person_id in dict.fromkeys(recipients):
                out.append(Reminder(
                    person_id=person_id, key=f"recruitment:{case.pk}:{kind}:{due.step}:{when.isoformat()}",
                    kind=f"recruitment.{kind}", title=title, body=due.why, url=url, due_on=when,
                ))
    return out
