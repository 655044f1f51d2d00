"""Reads of recruitment cases, scoped to the viewer: lists, one case with its timeline, checks and guidance,
and the committee's views (funnel by stage and branch in SQL, cases blocked or near a deadline)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.permissions import Action
from dangjian.core.scoping import access_object, can, today
from dangjian.people.choices import PartyStanding, PoliticalStatus
from dangjian.people.models import Person

from . import steps
from .checks import (
    CaseFacts,
    Member,
    Params,
    Violation,
    Vote,
    check_case,
    probation_ends_on,
    workdays_counter,
)
from .choices import CaseStatus, ParticipantRole, Stage
from .guidance import Due, next_due
from .models import Case, PoliticalReview, StepPerson, StepRecord

VOTE_FIELDS = ("eligible", "present", "in_favour", "against", "abstaining", "written_in_favour")


# ---------------------------------------------------------------- facts for the checks


def member_facts(person: Person, on: date | None) -> Member:
    """A mentor's or sponsor's standing on a date. There is no discipline app yet: a party standing other than
    normal stands for the rights a member does not have (留党察看 included) — the hook to replace later."""
    full = person.political_status == PoliticalStatus.FULL_MEMBER and (
        person.full_member_on is None or on is None or person.full_member_on <= on
    )
    restriction = ""
    if person.party_standing != PartyStanding.NORMAL:
        restriction = _("党籍状态为“%(s)s”") % {"s": person.get_party_standing_display()}
    return Member(person.name, full, restriction)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None


def build_facts(
    *,
    birth_date: date | None,
    records: Iterable[StepRecord],
    people: dict[str, dict[str, list[Person]]],
    extension_months: int | None = None,
    extension_decided_on: date | None = None,
) -> CaseFacts:
    """CaseFacts from step records (saved or not) and the people each names ({step: {role: [Person]}})."""
    f = CaseFacts(birth_date=birth_date, extension_months=extension_months,
                  extension_decided_on=extension_decided_on)
    for r in records:
        data = r.data or {}
        step = steps.get(r.step)
        if step.has_reviews:
            f.reviews[r.step] = sorted(_date(x["date"]) for x in data.get("reviews", []) if x.get("date"))
            continue
        if r.date:
            f.dates[r.step] = r.date
        named = people.get(r.step, {})
        if r.step == "S05":
            f.mentors = [member_facts(p, r.date) for p in named.get(ParticipantRole.MENTOR, [])]
        elif r.step == "S09":
            f.sponsors = [member_facts(p, r.date) for p in named.get(ParticipantRole.SPONSOR, [])]
        elif r.step == "S11":
            f.training_end = _date(data.get("end"))
            f.training_hours = data.get("hours")
        elif r.step == "S13":
            f.notice_start, f.notice_end = _date(data.get("notice_start")), _date(data.get("notice_end"))
        elif r.step in ("S15", "S23") and all(data.get(k) is not None for k in ("eligible", "present", "in_favour")):
            f.votes[r.step] = Vote(**{k: int(data.get(k) or 0) for k in VOTE_FIELDS})
        elif r.step in ("S17", "S24"):
            f.special[r.step] = bool(data.get("special_extension"))
    return f


def records_with_people(case: Case, *, for_display: bool = True) -> list[StepRecord]:
    """The case's step records with the people each names (two queries; three for display, with who
    recorded each step and who granted an exception)."""
    qs = StepRecord.objects.filter(case=case)
    if for_display:
        qs = qs.select_related("recorded_by", "exception_by")
    # order_by(): the model's ordering would join and sort by the case and record for every prefetch.
    people = StepPerson.objects.select_related("person").only(
        "id", "record_id", "role", "person_id", "person__name", "person__political_status",
        "person__full_member_on", "person__party_standing").order_by("role", "id")
    return list(qs.prefetch_related(Prefetch("people", queryset=people)).order_by("step"))


def people_by_step(records: Iterable[StepRecord]) -> dict[str, dict[str, list[Person]]]:
    named: dict[str, dict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        for sp in r.people.all():
            named[r.step][sp.role].append(sp.person)
    return named


def case_facts(case: Case, records: list[StepRecord] | None = None) -> CaseFacts:
    records = records_with_people(case) if records is None else records
    return build_facts(
        birth_date=case.person.birth_date, records=records, people=people_by_step(records),
        extension_months=case.extension_months, extension_decided_on=case.extension_decided_on,
    )


def excepted_keys(records: Iterable[StepRecord]) -> set[str]:
    return {key for r in records for key in (r.exception_codes or [])}


# ---------------------------------------------------------------- scoped reads


def cases_visible_to(user, action: str = Action.RECRUITMENT_VIEW):
    return Case.objects.visible_to(user, action).select_related("person", "person__unit")


def access_case(user, pk, action: str = Action.RECRUITMENT_VIEW) -> Case:
    return access_object(Case.objects.select_related("person", "person__unit"), user, pk, action)


def case_list(user, *, q: str = "", unit=None, stage: int | None = None, status: str = "", step: str = ""):
    """The list page and the API's list: scoped, filtered (a constant number of queries)."""
    qs = cases_visible_to(user)
    if unit is not None:
        qs = qs.filter(person__unit__path__startswith=unit.path)
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if step:
        qs = qs.filter(last_step=step)
    q = (q or "").strip()
    if q:
        low = q.lower()
        qs = qs.filter(
            Q(person__name__contains=q) | Q(person__name_initials__startswith=low)
            | Q(person__name_pinyin__startswith=low) | Q(person__staff_no__iexact=q)
        )
    return qs.order_by("person__unit__path", "stage", "person__name_pinyin", "id")


@dataclass
class CaseState:
    """A case with what the pages show about it: checks, exceptions and what comes next."""

    case: Case
    records: list[StepRecord]
    facts: CaseFacts
    violations: list[Violation]
    excepted: set[str]
    due: list[Due]
    today: date
    probation_ends_on: date | None = None
    open_violations: list[Violation] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """A rule is broken without an exception, or a step is overdue (recording it now breaks a rule)."""
        return bool(self.open_violations) or any(d.overdue for d in self.due)

    @property
    def near_deadline(self) -> bool:
        return any(d.near for d in self.due)

    @property
    def by_step(self) -> dict[str, StepRecord]:
        return {r.step: r for r in self.records}


def case_state(case: Case, records: list[StepRecord] | None = None, params: Params | None = None,
               workdays=None) -> CaseState:
    params = params or Params.load()
    records = records_with_people(case) if records is None else records
    facts = case_facts(case, records)
    violations = check_case(facts, params, workdays=workdays)
    excepted = excepted_keys(records)
    due = next_due(facts, params) if case.status == CaseStatus.OPEN else []
    ends = probation_ends_on(facts.dates["S15"], case.extension_months, params) if "S15" in facts.dates else None
    return CaseState(case, records, facts, violations, excepted, due, params.today, ends,
                     [v for v in violations if v.key not in excepted])


def case_overview(user, case: Case) -> dict[str, Any]:
    """The case page: the 25 steps by stage with their records, checks, exceptions, guidance, and buttons."""
    state = case_state(case)
    by_step = state.by_step
    unit = case.person.unit
    can_manage = can(user, Action.RECRUITMENT_MANAGE, unit)
    can_approve = can(user, Action.RECRUITMENT_APPROVE, unit)
    violations_by_step: dict[str, list[Violation]] = defaultdict(list)
    for v in state.violations:
        violations_by_step[v.step].append(v)
    due_steps = {d.step: d for d in state.due if d.kind == "step"}
    stages = []
    for stage in Stage:
        rows = []
        for step in steps.STEPS:
            if step.stage != stage:
                continue
            record = by_step.get(step.code)
            rows.append({
                "step": step,
                "record": record,
                "violations": violations_by_step.get(step.code, []),
                "due": due_steps.get(step.code),
                "can_record": case.status == CaseStatus.OPEN and (can_approve if step.committee else can_manage),
                "people": list(record.people.all()) if record else [],
            })
        stages.append({"stage": stage, "rows": rows})
    due_rows = [{"due": d, "can_record": case.status == CaseStatus.OPEN and (
        can_approve if steps.get(d.step).committee and d.kind == "step" else can_manage)} for d in state.due]
    return {
        "case": case,
        "person": case.person,
        "state": state,
        "due_rows": due_rows,
        "stages": stages,
        "timeline": case_timeline(state),
        "can_manage": can_manage,
        "can_approve": can_approve,
        "can_view_review": can(user, Action.RECRUITMENT_VIEW_REVIEW, unit),
        "has_review": PoliticalReview.objects.filter(case=case).exists(),
    }


def case_timeline(state: CaseState) -> list[dict[str, Any]]:
    """Recorded steps, reviews, exceptions and the case's own events, oldest first."""
    events: list[dict[str, Any]] = []
    for r in state.records:
        step = steps.get(r.step)
        if step.has_reviews:
            for review in (r.data or {}).get("reviews", []):
                events.append({"date": _date(review.get("date")), "kind": "review", "step": step,
                               "record": r, "opinion": review.get("opinion", "")})
        elif r.date:
            events.append({"date": r.date, "kind": "step", "step": step, "record": r})
        if r.exception_codes:
            events.append({"date": (r.exception_at.date() if r.exception_at else r.date), "kind": "exception",
                           "step": step, "record": r, "keys": r.exception_codes})
    case = state.case
    if case.extension_months:
        events.append({"date": case.extension_decided_on, "kind": "extension", "case": case})
    if case.status == CaseStatus.CANCELLED:
        events.append({"date": case.ended_on, "kind": "cancelled", "case": case})
    return sorted(events, key=lambda e: (e["date"] or date.min, steps.ORDER.get(getattr(e.get("step"), "code", ""), 99)))


# ---------------------------------------------------------------- the committee's views


def funnel(user, *, year: int | None = None) -> dict[str, Any]:
    """Open cases by stage and branch (one SQL aggregation) and completed cases (of `year`, if given)."""
    qs = cases_visible_to(user)
    rows = (
        qs.filter(status=CaseStatus.OPEN)
        .values("person__unit_id", "person__unit__name", "person__unit__path", "stage")
        .annotate(n=Count("id"))
        .order_by("person__unit__path", "stage")
    )
    done = qs.filter(status=CaseStatus.COMPLETED)
    if year:
        done = done.filter(steps__step="S24", steps__date__year=year)
    completed = dict(
        done.values("person__unit_id").annotate(n=Count("id", distinct=True)).values_list("person__unit_id", "n")
    )
    branches: dict[int, dict[str, Any]] = {}
    for r in rows:
        b = branches.setdefault(r["person__unit_id"], {"id": r["person__unit_id"], "name": r["person__unit__name"],
                                                      "path": r["person__unit__path"], "by_stage": {}})
        b["by_stage"][r["stage"]] = r["n"]
    if completed:
        from dangjian.organizations.models import OrgUnit

        missing = [pk for pk in completed if pk not in branches]
        for unit in OrgUnit.objects.filter(pk__in=missing):
            branches[unit.pk] = {"id": unit.pk, "name": unit.name, "path": unit.path, "by_stage": {}}
    table = []
    for b in sorted(branches.values(), key=lambda x: x["path"]):
        counts = [b["by_stage"].get(s.value, 0) for s in Stage]
        table.append({"id": b["id"], "name": b["name"], "counts": counts, "completed": completed.get(b["id"], 0),
                      "total": sum(counts)})
    totals = [sum(r["counts"][i] for r in table) for i in range(len(Stage))]
    return {
        "stages": [str(s.label) for s in Stage],
        "short_stages": [str(s) for s in STAGE_SHORT],
        "rows": table,
        "totals": totals,
        "completed": sum(r["completed"] for r in table),
        "chart": {
            "stages": [str(s) for s in STAGE_SHORT],
            "totals": totals,
            "branches": [r["name"] for r in table],
            "series": [[r["counts"][i] for r in table] for i in range(len(Stage))],
            "completed_label": _("已转正"),
            "completed": [r["completed"] for r in table],
        },
    }


STAGE_SHORT = (gettext_lazy("申请人"), gettext_lazy("积极分子"), gettext_lazy("发展对象"), gettext_lazy("接收预备党员"),
               gettext_lazy("预备党员"))


def _open_cases_with_records(user):
    return (
        cases_visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .prefetch_related(
            Prefetch("steps", queryset=StepRecord.objects.prefetch_related(
                Prefetch("people", queryset=StepPerson.objects.select_related("person"))).order_by("step"))
        )
        .order_by("person__unit__path", "person__name_pinyin", "id")
    )


def attention(user, *, params: Params | None = None) -> dict[str, list[CaseState]]:
    """Open cases that are blocked (a rule broken without exception, or a step overdue) or near a deadline.

    A fixed number of queries (cases, records, people); the per-case guidance is computed in Python because
    each case's dates are its own (no aggregate is involved)."""
    params = params or Params.load()
    workdays = workdays_counter()
    blocked, near = [], []
    for case in _open_cases_with_records(user):
        state = case_state(case, list(case.steps.all()), params, workdays)
        if state.blocked:
            blocked.append(state)
        elif state.near_deadline:
            near.append(state)
    return {"blocked": blocked, "near": near}


COMMITTEE_MEMBER_ROLES = ("committee_secretary", "committee_deputy", "committee_member")  # 党委委员


def activists_without_committee_talk(user) -> dict[str, Any]:
    """Activists (open cases at stage 2) who have not yet had the one-on-one talk with a member of the college
    committee (党委委员) that the seed's college requires: no talk recorded, either way round, with someone
    holding a committee post above their branch, since they became an activist. One query.

    The talks app is built separately: its Talk model is used only if it can be imported (otherwise the page
    says the list is not available rather than guessing)."""
    try:
        from dangjian.talks.models import Talk
    except ImportError:
        Talk = None
    activists = (
        cases_visible_to(user).filter(status=CaseStatus.OPEN, stage=Stage.ACTIVIST)
        .order_by("person__unit__path", "person__name_pinyin", "id")
    )
    if Talk is None:
        return {"available": False, "cases": list(activists)}
    from django.db.models import DateField, Exists, OuterRef, Value
    from django.db.models.functions import Coalesce

    from dangjian.organizations.models import RoleAssignment

    committee = RoleAssignment.objects.active(today()).filter(role__in=COMMITTEE_MEMBER_ROLES).values("person_id")
    talked = Talk.objects.filter(deleted_at__isnull=True).filter(
        Q(initiator_id=OuterRef("person_id"), counterpart_id__in=committee)
        | Q(counterpart_id=OuterRef("person_id"), initiator_id__in=committee)
    ).filter(held_on__gte=Coalesce(OuterRef("person__activist_on"), Value(date(1900, 1, 1)), output_field=DateField()))
    return {"available": True, "cases": list(activists.annotate(talked=Exists(talked)).filter(talked=False))}


def ledger_rows(user, year: int) -> list[dict[str, Any]]:
    """发展党员工作台账 for a year: every case with a step dated in the year, with its key dates."""
    cases = (
        cases_visible_to(user)
        .filter(steps__date__year=year)
        .distinct()
        .prefetch_related(Prefetch("steps", queryset=StepRecord.objects.order_by("step")))
        .order_by("person__unit__path", "person__name_pinyin", "id")
    )
    rows = []
    for case in cases:
        dates = {r.step: r.date for r in case.steps.all()}
        rows.append({"case": case, "person": case.person, "unit": case.person.unit, "dates": dates})
    return rows


def candidates_for(user, unit, *, full_members_only: bool = True):
    """People who may be named as mentors or sponsors for a case in `unit`: current full members the viewer
    can see (the checks still apply on the step's date)."""
    qs = Person.objects.visible_to(user, Action.PEOPLE_VIEW).current()
    if full_members_only:
        qs = qs.filter(political_status=PoliticalStatus.FULL_MEMBER)
    return qs.select_related("unit").order_by("unit__path", "name_pinyin")


def committee_people(unit):
    """People holding a committee post (党委书记/副书记/委员/组织员) above `unit` today: S16 interviewers."""
    from dangjian.organizations.models import RoleAssignment

    from .services import INTERVIEW_ROLES

    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    person_ids = RoleAssignment.objects.active(today()).filter(unit_id__in=ids, role__in=INTERVIEW_ROLES).values(
        "person_id")
    return Person.objects.filter(pk__in=person_ids).order_by("name_pinyin")
