"""Writes of recruitment: open a case, record or correct a step, add a review, extend the probation, end a
case, keep the 政审 material. Each is one transaction: lock, check authority, validate, run the rule checks,
write, keep the person's record in step, audit.

A save that breaks a rule (checks.check_case) is refused with the rule, its source and the dates, and nothing
is written — unless the actor holds RECRUITMENT_APPROVE and gives a reason: then the step is saved with the
exception recorded on it (who, when, which violations, why), audited, and shown as such on the timeline.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import diff, record
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.permissions import Action, Role
from dangjian.core.scoping import can
from dangjian.organizations.choices import OrgUnitKind
from dangjian.people.choices import MEMBER_STATUSES, PoliticalStatus
from dangjian.people.models import Person

from . import steps
from .checks import Params, Violation, check_case, probation_ends_on
from .choices import CaseStatus, ParticipantRole, RecommendationMode, ReviewConclusion
from .models import Case, PoliticalReview, StepPerson, StepRecord
from .selectors import VOTE_FIELDS, build_facts, excepted_keys, people_by_step, records_with_people

# S16: the committee member or organiser who interviews the candidate (细则 第23条).
INTERVIEW_ROLES = (Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.COMMITTEE_MEMBER, Role.ORGANISER)
# Violations no exception can cover: a date in the future, and vote counts that cannot be right.
NOT_EXCEPTABLE = ("future_date", "vote_counts_inconsistent")
# Form field beside which a violation is shown.
VIOLATION_FIELDS = {
    "too_young": "date", "talk_late": "date", "order_inverted": "date", "missing_step": "date",
    "review_gap": "review_date", "cultivation_too_short": "date", "mentor_count": "mentors",
    "mentor_not_full_member": "mentors", "sponsor_count": "sponsors", "sponsor_not_full_member": "sponsors",
    "training_too_short": "hours", "public_notice_short": "notice_end", "vote_quorum": "present",
    "vote_majority": "in_favour", "vote_counts_inconsistent": "present", "approval_late": "date",
    "probation_short": "date", "extension_out_of_range": "months", "conversion_approval_late": "date",
    "future_date": "date",
}
RECRUITMENT_ORDER = (
    PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST, PoliticalStatus.CANDIDATE, PoliticalStatus.PROBATIONARY,
    PoliticalStatus.FULL_MEMBER,
)
PERSON_DATE_STEPS = {"applied_on": "S01", "activist_on": "S03", "candidate_on": "S07"}


class RecruitmentError(DomainError):
    pass


class RuleViolation(RecruitmentError):
    """A save refused by the rule checks. `violations` are the new ones (each with rule, source, dates)."""

    def __init__(self, violations: list[Violation], *, exceptable: bool) -> None:
        self.violations = violations
        self.exceptable = exceptable
        first = violations[0]
        lines = [f"{v.message}（{_('依据')}：{v.source}；{_('规则')} {v.rule}）" for v in violations]
        super().__init__(first.code, "\n".join(lines), field=VIOLATION_FIELDS.get(first.code),
                         violations=[v.as_dict() for v in violations], exceptable=exceptable)


# ---------------------------------------------------------------- helpers


def _lock_case(case: Case) -> Case:
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    qs = Case.objects.select_related("person", "person__unit")
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    return qs.get(pk=case.pk)


def _require(actor, action: str, unit) -> None:
    if actor is None or not can(actor, action, unit):
        if action == Action.RECRUITMENT_APPROVE:
            raise PermissionDenied("forbidden", _("该步骤由上级党委办理，您没有权限。"))
        raise PermissionDenied("forbidden", _("您没有权限办理该党组织的发展党员工作。"))


def _step_action(code: str) -> str:
    return Action.RECRUITMENT_APPROVE if steps.get(code).committee else Action.RECRUITMENT_MANAGE


def _as_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecruitmentError("invalid", _("日期格式应为 2024-05-01。"), field=field)


def _as_int(value: Any, field: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise RecruitmentError("required", _("请填写该项。"), field=field)
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise RecruitmentError("invalid", _("请填写整数。"), field=field)
    if n < 0:
        raise RecruitmentError("invalid", _("不能为负数。"), field=field)
    return n


def _clean_data(code: str, data: dict[str, Any], when: date | None) -> dict[str, Any]:
    """The step's own facts, validated and stored as JSON-safe values."""
    data = data or {}
    if code == "S03":
        mode = data.get("mode") or ""
        if mode not in RecommendationMode.values:
            raise RecruitmentError("required", _("请选择推荐方式。"), field="mode")
        return {"mode": mode}
    if code == "S10":
        conclusion = data.get("conclusion") or ""
        if conclusion not in ReviewConclusion.values:
            raise RecruitmentError("required", _("请选择政审结论。"), field="conclusion")
        return {"conclusion": conclusion}
    if code == "S11":
        end = _as_date(data.get("end"), "end")
        if end is None:
            raise RecruitmentError("required", _("请填写培训结束日期。"), field="end")
        hours = data.get("hours")
        if hours not in (None, ""):
            try:
                hours = float(Decimal(str(hours)))
            except InvalidOperation:
                raise RecruitmentError("invalid", _("学时应为数字。"), field="hours")
            if hours < 0:
                raise RecruitmentError("invalid", _("不能为负数。"), field="hours")
        else:
            hours = None
        return {"end": end.isoformat(), "hours": hours}
    if code == "S13":
        start, end = _as_date(data.get("notice_start"), "notice_start"), _as_date(data.get("notice_end"), "notice_end")
        if (start is None) != (end is None):
            raise RecruitmentError("required", _("请同时填写公示开始和结束日期。"),
                                   field="notice_end" if start else "notice_start")
        return {"notice_start": start.isoformat() if start else None, "notice_end": end.isoformat() if end else None}
    if code in ("S15", "S23"):
        counts = {k: _as_int(data.get(k), k, required=k in ("eligible", "present", "in_favour")) or 0
                  for k in VOTE_FIELDS}
        return counts
    if code in ("S17", "S24"):
        return {"special_extension": bool(data.get("special_extension"))}
    if steps.get(code).has_reviews:
        reviews = []
        for i, item in enumerate(data.get("reviews") or []):
            day = _as_date(item.get("date"), "review_date")
            if day is None:
                raise RecruitmentError("required", _("第%(n)d次考察缺少日期。") % {"n": i + 1}, field="review_date")
            reviews.append({"date": day.isoformat(), "opinion": str(item.get("opinion") or "")[:2000]})
        if not reviews:
            raise RecruitmentError("required", _("请至少填写一次考察。"), field="review_date")
        reviews.sort(key=lambda x: x["date"])
        return {"reviews": reviews}
    return {}


def _is_committee_person(person: Person, unit, on: date | None) -> bool:
    from dangjian.organizations.models import RoleAssignment

    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    qs = RoleAssignment.objects.filter(person=person, unit_id__in=ids, role__in=INTERVIEW_ROLES)
    return qs.active(on).exists() if on else qs.exists()


def _check_people(code: str, named: dict[str, list[Person]], unit, when: date | None) -> None:
    if code in ("S02", "S16"):
        interviewers = named.get(ParticipantRole.INTERVIEWER, [])
        if not interviewers:
            raise RecruitmentError("required", _("请选择谈话人。"), field="interviewer")
        if code == "S16" and not all(_is_committee_person(p, unit, when) for p in interviewers):
            raise RecruitmentError(
                "interviewer_not_committee",
                _("上级党委派人谈话应由党委委员或组织员进行（发展党员工作细则 第23条）。"), field="interviewer")


def _people_for(code: str, mentors, sponsors, interviewer) -> dict[str, list[Person]]:
    if code == "S05":
        return {ParticipantRole.MENTOR: list(mentors or [])}
    if code == "S09":
        return {ParticipantRole.SPONSOR: list(sponsors or [])}
    if code in ("S02", "S16"):
        return {ParticipantRole.INTERVIEWER: [interviewer] if interviewer else []}
    return {}


def _stage_and_last(records: list[StepRecord]) -> tuple[int, str]:
    codes = [r.step for r in records]
    if not codes:
        return 1, ""
    last = max(codes, key=lambda c: steps.ORDER[c])
    return steps.stage_of(last), last


def _evaluate(case: Case, records: list[StepRecord], named: dict[str, dict[str, list[Person]]],
              params: Params, *, extension_months=None, extension_decided_on=None) -> list[Violation]:
    facts = build_facts(
        birth_date=case.person.birth_date, records=records, people=named,
        extension_months=extension_months, extension_decided_on=extension_decided_on,
    )
    return check_case(facts, params)


def _new_violations(before: list[Violation], after: list[Violation], excepted: set[str]) -> list[Violation]:
    """The violations this save introduces that no exception covers."""
    old = {(v.code, v.step, v.message) for v in before}
    return [v for v in after if (v.code, v.step, v.message) not in old and v.key not in excepted]


def _settle(new: list[Violation], *, actor, unit, exception_reason: str) -> list[str]:
    """Refuse the save, or accept it as a justified exception. Returns the violation keys excepted."""
    if not new:
        return []
    hard = [v for v in new if v.code in NOT_EXCEPTABLE]
    reason = (exception_reason or "").strip()
    if hard or not reason:
        raise RuleViolation(hard or new, exceptable=not hard)
    if not can(actor, Action.RECRUITMENT_APPROVE, unit):
        raise PermissionDenied("exception_forbidden", _("只有上级党委（组织员）可以登记例外情况。"))
    return [v.key for v in new]


# ---------------------------------------------------------------- the person follows the case


def sync_person(*, actor, case: Case, records: list[StepRecord], params: Params) -> dict[str, list[Any]]:
    """Bring the person's political status and recruitment dates in line with the case (nothing is typed
    twice). Written with a queryset update — people.services has no service for "the case says so" — with
    the version bump and the `people.person.updated` audit event that people's own services write.

    The status only moves forward while the case is open (entering an old file step by step does not
    demote someone the roster already shows further on); an ended case puts back the status before it.
    """
    person = Person.objects.select_for_update().get(pk=case.person_id)
    by_step = {r.step: r for r in records}
    wanted: dict[str, Any] = {}
    for field, code in PERSON_DATE_STEPS.items():
        if code in by_step and by_step[code].date:
            wanted[field] = by_step[code].date
    s15 = by_step.get("S15")
    if "S17" in by_step and s15 and s15.date:
        wanted["joined_on"] = s15.date  # 党籍 from the branch meeting's resolution, once approved
    if "S24" in by_step and s15 and s15.date:
        # 转正 takes effect when the probation (with any extension) ends; 党龄 counts from that date.
        wanted["full_member_on"] = probation_ends_on(s15.date, case.extension_months, params)
    if case.status == CaseStatus.CANCELLED:
        if person.political_status in RECRUITMENT_ORDER[:4]:
            wanted["political_status"] = case.status_before
            wanted["joined_on"] = None
    else:
        target = steps.status_for(by_step)
        current = person.political_status
        rank = {s: i for i, s in enumerate(RECRUITMENT_ORDER)}
        if target and (current not in rank or rank[target] > rank[current]):
            wanted["political_status"] = target
    before = {k: getattr(person, k) for k in wanted}
    changes = diff(before, wanted)
    if not changes:
        return {}
    Person.objects.filter(pk=person.pk).update(**wanted, version=person.version + 1, updated_at=timezone.now())
    person.refresh_from_db()
    record(actor=actor, action="people.person.updated", target=person, unit=person.unit, changes=changes,
           note=_("随发展党员纪实更新"))
    return changes


def _after_write(*, actor, case: Case, records: list[StepRecord], params: Params) -> None:
    stage, last = _stage_and_last(records)
    fields = {"stage": stage, "last_step": last, "version": case.version + 1}
    if case.status == CaseStatus.OPEN and "S25" in {r.step for r in records}:
        fields["status"] = CaseStatus.COMPLETED
    Case.objects.filter(pk=case.pk).update(**fields, updated_at=timezone.now())
    for k, v in fields.items():
        setattr(case, k, v)
    sync_person(actor=actor, case=case, records=records, params=params)
    if fields.get("status") == CaseStatus.COMPLETED:
        record(actor=actor, action="recruitment.case.completed", target=case, unit=case.person.unit)


# ---------------------------------------------------------------- services


@transaction.atomic
def open_case(
    *, actor, person: Person, applied_on: date, responsible: str = "", documents: list[str] | None = None,
    opinion: str = "", exception_reason: str = "",
) -> Case:
    """Open the person's recruitment file with their application (S01). The person must be on a branch's
    roster, with no case in progress and none completed. Someone the roster already shows further on (an
    activist, a probationary or full member whose file is entered from the archive) is never demoted by it."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _require(actor, Action.RECRUITMENT_MANAGE, person.unit)
    if person.deleted_at or person.left_on:
        raise RecruitmentError("not_on_roster", _("该人员不在本院花名册中。"), field="person")
    if person.unit.kind != OrgUnitKind.BRANCH:
        raise RecruitmentError("not_in_branch", _("请先将该人员编入党支部，再建立发展党员纪实。"), field="person")
    if Case.objects.filter(person=person, status=CaseStatus.COMPLETED).exists():
        # A full member without a file may have theirs entered from the archive; one with a file may not.
        raise RecruitmentError("already_member", _("该人员已有办结的发展党员纪实。"), field="person")
    if Case.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        raise RecruitmentError("case_exists", _("该人员已有进行中的发展党员纪实。"), field="person")
    if applied_on is None:
        raise RecruitmentError("required", _("请填写递交入党申请书的日期。"), field="date")
    status_before = person.political_status
    if status_before in RECRUITMENT_ORDER or status_before in MEMBER_STATUSES:
        status_before = PoliticalStatus.MASSES
    case = Case(person=person, status_before=status_before, created_by=actor)
    case.person = person
    params = Params.load()
    s01 = StepRecord(step="S01", date=applied_on, responsible=responsible.strip()[:100],
                     documents=_documents(documents, "S01"), opinion=opinion, recorded_by=actor)
    violations = _evaluate(case, [s01], {}, params)
    excepted = _settle(_new_violations([], violations, set()), actor=actor, unit=person.unit,
                       exception_reason=exception_reason)
    case.save()
    s01.case = case
    _mark_exception(s01, excepted, actor, exception_reason)
    s01.save()
    record(actor=actor, action="recruitment.case.opened", target=case, unit=person.unit,
           changes={"S01": [None, applied_on]})
    if excepted:
        record(actor=actor, action="recruitment.case.exception_recorded", target=case, unit=person.unit,
               changes={"S01": [None, excepted]}, note=exception_reason.strip())
    _after_write(actor=actor, case=case, records=[s01], params=params)
    return case


def _documents(documents: list[str] | None, code: str) -> list[str]:
    if documents is None:
        return [str(d) for d in steps.get(code).documents]
    return [str(d).strip()[:100] for d in documents if str(d).strip()][:30]


def _mark_exception(r: StepRecord, keys: list[str], actor, reason: str) -> None:
    if not keys:
        return
    r.exception_codes = sorted(set(r.exception_codes or []) | set(keys))
    r.exception_reason = reason.strip()[:500]
    r.exception_by = actor
    r.exception_at = timezone.now()


def _vote_from_meeting(*, actor, case: Case, step: str, meeting_id: int, data: dict[str, Any]):
    """The counts of S15/S23 read from the branch general meeting's recorded vote (meetings app), so they are
    typed once: the meeting must be held, visible to the actor, and have a vote on this person of the right
    subject (接收预备党员 for S15, 预备党员转正 for S23). Returns the step data and the meeting's date."""
    from django.http import Http404

    from dangjian.core.permissions import Action as _Action
    from dangjian.meetings.choices import COUNTING_STATUSES, VoteSubject
    from dangjian.meetings.selectors import access_meeting, local_date

    subject = VoteSubject.ADMISSION if step == "S15" else VoteSubject.CONVERSION
    try:
        meeting = access_meeting(actor, meeting_id, action=_Action.MEETINGS_VIEW)
    except Http404:
        meeting = None
    vote = None
    if meeting is not None and meeting.status in COUNTING_STATUSES:
        vote = meeting.votes.filter(subject=subject, subject_person=case.person).order_by("-id").first()
    if vote is None:
        raise RecruitmentError(
            "meeting_vote_not_found",
            _("会议记录 %(id)s 中没有对%(name)s的“%(subject)s”表决（会议须已召开）。")
            % {"id": meeting_id, "name": case.person.name, "subject": subject.label},
            field="meeting_id",
        )
    counts = {f: getattr(vote, f) for f in VOTE_FIELDS}
    return {**data, **counts}, local_date(meeting.starts_at)


@transaction.atomic
def record_step(
    *, actor, case: Case, step: str, date: date | None = None, responsible: str = "",
    documents: list[str] | None = None, opinion: str = "", data: dict[str, Any] | None = None,
    mentors: list[Person] | None = None, sponsors: list[Person] | None = None, interviewer: Person | None = None,
    meeting_id: int | None = None, version: int | None = None, exception_reason: str = "",
) -> StepRecord:
    """Record a step of a case, or correct it (`version` = the record's version when the form was loaded).

    Refuses (RuleViolation, nothing written) a save that breaks a rule, unless the actor holds
    RECRUITMENT_APPROVE and gives `exception_reason`. Reviews (S06, S21) pass their whole list in
    `data["reviews"]` — add_review appends one.
    """
    if step not in steps.BY_CODE:
        raise RecruitmentError("unknown_step", _("没有这个步骤：%(s)s") % {"s": step}, field="step")
    case = _lock_case(case)
    unit = case.person.unit
    _require(actor, _step_action(step), unit)
    if case.status != CaseStatus.OPEN:
        raise RecruitmentError("case_closed", _("该发展党员纪实已%(s)s，不能再记录。") % {"s": case.get_status_display()})
    spec = steps.get(step)
    records = records_with_people(case, for_display=False)
    by_step = {r.step: r for r in records}
    existing = by_step.get(step)
    if existing is not None and version != existing.version:
        raise ConcurrentEdit("concurrent_edit", _("该步骤已被他人记录或修改，请刷新后重试。"))
    if meeting_id is not None and step in ("S15", "S23"):
        data, date = _vote_from_meeting(actor=actor, case=case, step=step, meeting_id=meeting_id, data=data or {})
    if not spec.has_reviews and date is None:
        raise RecruitmentError("required", _("请填写日期。"), field="date")
    cleaned = _clean_data(step, data or {}, date)
    s10 = by_step.get("S10")
    if (steps.ORDER[step] > steps.ORDER["S11"] and s10 is not None
            and (s10.data or {}).get("conclusion") == ReviewConclusion.UNQUALIFIED):
        raise RecruitmentError("political_review_failed",
                               _("政治审查结论为不合格，不能发展（发展党员工作细则 第17条）。"), field="date")
    named = _people_for(step, mentors, sponsors, interviewer)
    _check_people(step, named, unit, date)

    params = Params.load()
    people_before = people_by_step(records)
    before = _evaluate(case, records, people_before, params, extension_months=case.extension_months,
                       extension_decided_on=case.extension_decided_on)
    target = existing or StepRecord(case=case, step=step, recorded_by=actor)
    old = _snapshot(existing, people_before.get(step, {})) if existing else {}
    target.date = None if spec.has_reviews else date
    target.responsible = (responsible or "").strip()[:100]
    target.documents = _documents(documents, step)
    target.opinion = opinion or ""
    target.data = cleaned
    target.meeting_id = meeting_id if step in ("S15", "S23") else None
    after_records = [r for r in records if r.step != step] + [target]
    people_after = {**people_before, step: named} if named or step in people_before else people_before
    after = _evaluate(case, after_records, people_after, params, extension_months=case.extension_months,
                      extension_decided_on=case.extension_decided_on)
    excepted = _settle(_new_violations(before, after, excepted_keys(records)), actor=actor, unit=unit,
                       exception_reason=exception_reason)
    _mark_exception(target, excepted, actor, exception_reason)
    if existing is not None:
        target.version += 1
    target.save()
    if named or existing is not None:
        StepPerson.objects.filter(record=target).delete()
        StepPerson.objects.bulk_create(
            [StepPerson(record=target, role=role, person=p) for role, people in named.items() for p in people]
        )
    new = _snapshot(target, named)
    if existing is None:
        record(actor=actor, action="recruitment.case.step_recorded", target=case, unit=unit,
               changes={step: [None, new.get("date") or new.get("data")]}, note=spec.label)
    else:
        changes = {f"{step}.{k}": v for k, v in diff(old, new).items()}
        record(actor=actor, action="recruitment.case.step_corrected", target=case, unit=unit, changes=changes,
               note=spec.label)
    if excepted:
        record(actor=actor, action="recruitment.case.exception_recorded", target=case, unit=unit,
               changes={step: [None, excepted]}, note=exception_reason.strip()[:500])
    _after_write(actor=actor, case=case, records=after_records, params=params)
    return target


def _snapshot(r: StepRecord | None, named: dict[str, list[Person]]) -> dict[str, Any]:
    if r is None:
        return {}
    return {
        "date": r.date.isoformat() if r.date else None,
        "responsible": r.responsible,
        "documents": list(r.documents or []),
        "opinion": r.opinion,
        "data": dict(r.data or {}),
        "people": {role: [p.pk for p in people] for role, people in named.items()},
        "meeting_id": r.meeting_id,
    }


@transaction.atomic
def add_review(*, actor, case: Case, step: str = "S06", date: date, opinion: str = "",
               exception_reason: str = "") -> StepRecord:
    """Add one review to the activist (S06) or probation (S21) observation record."""
    if step not in ("S06", "S21"):
        raise RecruitmentError("unknown_step", _("只有培养教育考察（S06）和继续教育考察（S21）可以添加考察记录。"))
    locked = _lock_case(case)
    existing = StepRecord.objects.filter(case=locked, step=step).first()
    reviews = list((existing.data or {}).get("reviews", [])) if existing else []
    reviews.append({"date": date.isoformat() if date else None, "opinion": opinion})
    return record_step(
        actor=actor, case=locked, step=step, data={"reviews": reviews},
        responsible=existing.responsible if existing else "",
        documents=list(existing.documents) if existing else None,
        opinion=existing.opinion if existing else "",
        version=existing.version if existing else None, exception_reason=exception_reason,
    )


@transaction.atomic
def extend_probation(*, actor, case: Case, decided_on: date, months: int, reason: str,
                     exception_reason: str = "") -> Case:
    """延长预备期 (6–12 months, once), decided by the branch general meeting and approved by the committee.
    Moves the earliest date of the 转正 vote (S23) by the same number of months."""
    case = _lock_case(case)
    unit = case.person.unit
    _require(actor, Action.RECRUITMENT_APPROVE, unit)
    if case.status != CaseStatus.OPEN:
        raise RecruitmentError("case_closed", _("该发展党员纪实已%(s)s，不能再记录。") % {"s": case.get_status_display()})
    records = records_with_people(case, for_display=False)
    present = {r.step for r in records}
    if "S17" not in present or "S23" in present:
        raise RecruitmentError("not_on_probation", _("只有在预备期内（已审批接收、尚未讨论转正）才能延长预备期。"),
                               field="decided_on")
    if case.extension_months:
        raise RecruitmentError("already_extended", _("预备期已经延长过一次。"), field="months")
    if decided_on is None:
        raise RecruitmentError("required", _("请填写决定日期。"), field="decided_on")
    if not (reason or "").strip():
        raise RecruitmentError("required", _("请填写延长预备期的原因。"), field="reason")
    months = _as_int(months, "months")
    params = Params.load()
    named = people_by_step(records)
    before = _evaluate(case, records, named, params)
    after = _evaluate(case, records, named, params, extension_months=months, extension_decided_on=decided_on)
    excepted = _settle(_new_violations(before, after, excepted_keys(records)), actor=actor, unit=unit,
                       exception_reason=exception_reason)
    if excepted:
        s17 = next(r for r in records if r.step == "S17")
        _mark_exception(s17, excepted, actor, exception_reason)
        s17.save(update_fields=["exception_codes", "exception_reason", "exception_by", "exception_at"])
        record(actor=actor, action="recruitment.case.exception_recorded", target=case, unit=unit,
               changes={"extension": [None, excepted]}, note=exception_reason.strip()[:500])
    Case.objects.filter(pk=case.pk).update(
        extension_months=months, extension_decided_on=decided_on, extension_reason=reason.strip()[:300],
        version=case.version + 1, updated_at=timezone.now(),
    )
    case.extension_months, case.extension_decided_on = months, decided_on
    case.extension_reason, case.version = reason.strip()[:300], case.version + 1
    record(actor=actor, action="recruitment.case.probation_extended", target=case, unit=unit,
           changes={"extension_months": [None, months], "probation_ends_on": [
               probation_ends_on(_s15(records), None, params), probation_ends_on(_s15(records), months, params)]}
           if _s15(records) else {"extension_months": [None, months]}, note=reason.strip()[:500])
    return case


def _s15(records: list[StepRecord]) -> date | None:
    return next((r.date for r in records if r.step == "S15"), None)


@transaction.atomic
def cancel_case(*, actor, case: Case, on: date, reason: str) -> Case:
    """End a case: the application withdrawn or not pursued, or — once approved — the probationary status
    cancelled (取消预备党员资格,党章 第7条), which needs the committee (RECRUITMENT_APPROVE). The person's
    political status goes back to what it was before the application."""
    case = _lock_case(case)
    unit = case.person.unit
    present = set(StepRecord.objects.filter(case=case).values_list("step", flat=True))
    _require(actor, Action.RECRUITMENT_APPROVE if "S17" in present else Action.RECRUITMENT_MANAGE, unit)
    if case.status != CaseStatus.OPEN:
        raise RecruitmentError("case_closed", _("该发展党员纪实已%(s)s，不能再记录。") % {"s": case.get_status_display()})
    if on is None:
        raise RecruitmentError("required", _("请填写日期。"), field="on")
    if not (reason or "").strip():
        raise RecruitmentError("required", _("请填写终止原因。"), field="reason")
    params = Params.load()
    if on > params.today:
        raise RecruitmentError("future_date", _("日期不能晚于今天。"), field="on")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CANCELLED, ended_on=on, ended_reason=reason.strip()[:300],
                                           version=case.version + 1, updated_at=timezone.now())
    case.status, case.ended_on, case.ended_reason = CaseStatus.CANCELLED, on, reason.strip()[:300]
    case.version += 1
    record(actor=actor, action="recruitment.case.cancelled", target=case, unit=unit,
           changes={"status": [CaseStatus.OPEN, CaseStatus.CANCELLED]}, note=case.ended_reason)
    sync_person(actor=actor, case=case, records=list(StepRecord.objects.filter(case=case)), params=params)
    return case


# ---------------------------------------------------------------- 政审 material (sensitive)


@transaction.atomic
def save_political_review(*, actor, case: Case, findings: str, methods: str = "", relatives: str = "",
                          version: int | None = None) -> PoliticalReview:
    """Keep the political review's material. Only holders of RECRUITMENT_VIEW_REVIEW write or read it; the
    audit event records that it changed, never its contents."""
    case = _lock_case(case)
    unit = case.person.unit
    if not can(actor, Action.RECRUITMENT_VIEW_REVIEW, unit):
        raise PermissionDenied("forbidden", _("您没有查阅或填写政审材料的权限。"))
    if not (findings or "").strip():
        raise RecruitmentError("required", _("请填写审查情况。"), field="findings")
    review = PoliticalReview.objects.select_for_update().filter(case=case).first()
    if review is not None and version != review.version:
        raise ConcurrentEdit("concurrent_edit", _("政审材料已被他人修改，请刷新后重试。"))
    created = review is None
    review = review or PoliticalReview(case=case)
    review.findings, review.methods, review.relatives = findings.strip(), methods.strip()[:200], relatives.strip()
    review.updated_by = actor
    if not created:
        review.version += 1
    review.save()
    record(actor=actor, action="recruitment.political_review.saved", target=case, unit=unit,
           changes={"political_review": ["***", "***"]})
    return review


@transaction.atomic
def read_political_review(*, actor, case: Case) -> PoliticalReview | None:
    """The 政审 material, for holders of the explicit right; every read writes an audit event."""
    unit = case.person.unit
    if not can(actor, Action.RECRUITMENT_VIEW_REVIEW, unit):
        raise PermissionDenied("forbidden", _("您没有查阅政审材料的权限。"))
    review = PoliticalReview.objects.filter(case=case).select_related("updated_by").first()
    record(actor=actor, action="recruitment.political_review.read", target=case, unit=unit)
    return review


# ---------------------------------------------------------------- records of reads that leave the system


@transaction.atomic
def record_export(*, actor, what: str, count: int, unit=None, target=None) -> None:
    """An exported document or sheet (纪实, 台账, funnel): who took which data out."""
    record(actor=actor, action="recruitment.document.exported", target=target, unit=unit,
           changes={"rows": [None, count]}, note=what[:500])


@transaction.atomic
def record_legacy_audit(*, actor, file_name: str, cases: int, with_violations: int) -> None:
    record(actor=actor, action="recruitment.legacy_file.audited", note=file_name[:500],
           changes={"cases": [None, cases], "with_violations": [None, with_violations]})
