"""API of recruitment (发展党员): cases, steps, checks, the 政审 material, the funnel and the legacy audit.

Thin over recruitment.selectors and recruitment.services — the same scoping (a branch secretary sees their
branch's cases; out of scope is 404) and the same refusals: a step that breaks a rule is 400 with the
violation's `code`, and `params.violations` lists each one with its rule, source and dates; the organiser
may resend it with `exception_reason`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dangjian.api.auth import current_user, require_somewhere
from dangjian.api.schemas import EDIT, MAX_LIMIT, READ, READ_ONE, WRITE, UnitRef, page, responses, unit_ref
from dangjian.core.permissions import Action
from dangjian.people.models import Person

from . import legacy, selectors, services, steps
from .choices import CaseStatus, StepCode

router = Router(tags=["发展党员"])


# ---------------------------------------------------------------- schemas


class PersonBrief(Schema):
    id: int
    name: str
    political_status: str
    unit: UnitRef

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)


class CaseOut(Schema):
    id: int
    person: PersonBrief
    status: CaseStatus
    stage: int
    stage_label: str
    last_step: str
    extension_months: int | None
    extension_decided_on: dt.date | None
    ended_on: dt.date | None
    ended_reason: str
    version: int

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return str(obj.get_stage_display())


class CasePage(Schema):
    total: int
    limit: int
    offset: int
    items: list[CaseOut]


class StepPersonOut(Schema):
    role: str
    person_id: int
    name: str


class StepOut(Schema):
    id: int
    step: str
    name: str
    date: dt.date | None
    responsible: str
    documents: list[str]
    opinion: str
    data: dict[str, Any]
    people: list[StepPersonOut]
    meeting_id: int | None
    exception_reason: str
    exception_codes: list[str]
    version: int

    @staticmethod
    def resolve_name(obj) -> str:
        return steps.get(obj.step).name

    @staticmethod
    def resolve_people(obj) -> list[dict[str, Any]]:
        return [{"role": sp.role, "person_id": sp.person_id, "name": sp.person.name} for sp in obj.people.all()]


class ViolationOut(Schema):
    code: str
    step: str
    message: str
    rule: str
    source: str
    dates: dict[str, str]
    excepted: bool


class DueOut(Schema):
    step: str
    kind: str
    name: str
    earliest: dt.date | None
    latest: dt.date | None
    overdue: bool
    responsible: str
    why: str
    text: str


class ChecksOut(Schema):
    violations: list[ViolationOut]
    due: list[DueOut]
    probation_ends_on: dt.date | None
    blocked: bool


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    checks: ChecksOut

    @staticmethod
    def resolve_steps(obj):
        return obj.detail_steps

    @staticmethod
    def resolve_checks(obj):
        return obj.detail_checks


class OpenCaseIn(Schema):
    person_id: int
    applied_on: dt.date = Field(..., description="递交入党申请书日期（S01）")
    responsible: str = Field("", max_length=100)
    opinion: str = ""
    exception_reason: str = Field("", max_length=500, description="规则不允许时的例外说明（仅上级党委）")


class StepIn(Schema):
    """The whole record of a step (PUT): fields left out are empty. `data` holds the step's own facts."""

    date: dt.date | None = Field(None, description="日期（S06/S21 不填，考察在 data.reviews）")
    responsible: str = Field("", max_length=100)
    documents: list[str] | None = Field(None, description="材料清单；不填则为该步骤的标准材料")
    opinion: str = ""
    data: dict[str, Any] = Field(default_factory=dict, description=(
        "S03 {mode}; S06/S21 {reviews: [{date, opinion}]}; S10 {conclusion}; S11 {end, hours}; "
        "S13 {notice_start, notice_end}; S15/S23 {eligible, present, in_favour, against, abstaining, "
        "written_in_favour}; S17/S24 {special_extension}"))
    mentor_ids: list[int] = Field(default_factory=list, description="S05 培养联系人")
    sponsor_ids: list[int] = Field(default_factory=list, description="S09 入党介绍人")
    interviewer_id: int | None = Field(None, description="S02/S16 谈话人")
    meeting_id: int | None = Field(None, description="S15/S23 支部大会会议记录编号")
    version: int | None = Field(None, description="更正已有记录时为读取时的版本号")
    exception_reason: str = Field("", max_length=500)


class ReviewIn(Schema):
    date: dt.date
    opinion: str = ""
    exception_reason: str = Field("", max_length=500)


class ExtensionIn(Schema):
    decided_on: dt.date
    months: int = Field(..., ge=1, le=60)
    reason: str = Field(..., min_length=1, max_length=300)
    exception_reason: str = Field("", max_length=500)


class CancelIn(Schema):
    on: dt.date
    reason: str = Field(..., min_length=1, max_length=300)


class PoliticalReviewIn(Schema):
    findings: str = Field(..., min_length=1)
    methods: str = Field("", max_length=200)
    relatives: str = ""
    version: int | None = None


class PoliticalReviewOut(Schema):
    case_id: int
    findings: str
    methods: str
    relatives: str
    updated_at: Any
    version: int


class AuditViolation(Schema):
    code: str
    step: str
    message: str
    rule: str
    source: str


class AuditCase(Schema):
    id: str
    violations: list[AuditViolation]


class AuditSummary(Schema):
    cases: int
    with_violations: int
    by_code: dict[str, int]


class AuditReportOut(Schema):
    cases: list[AuditCase]
    summary: AuditSummary


class FunnelRow(Schema):
    id: int
    name: str
    counts: list[int]
    completed: int
    total: int


class FunnelOut(Schema):
    stages: list[str]
    rows: list[FunnelRow]
    totals: list[int]
    completed: int


# ---------------------------------------------------------------- helpers


def _checks(state) -> dict[str, Any]:
    return {
        "violations": [{**v.as_dict(), "excepted": v.key in state.excepted} for v in state.violations],
        "due": [{"step": d.step, "kind": d.kind, "name": d.name, "earliest": d.earliest, "latest": d.latest,
                 "overdue": d.overdue, "responsible": d.responsible, "why": d.why, "text": d.text} for d in state.due],
        "probation_ends_on": state.probation_ends_on,
        "blocked": state.blocked,
    }


def _detail(case):
    """The case with its records and checks attached for CaseDetailOut."""
    state = selectors.case_state(case)
    case.detail_steps = state.records
    case.detail_checks = _checks(state)
    return case


def _people(user, ids: list[int], field: str) -> list[Person]:
    found = Person.objects.visible_to(user, Action.PEOPLE_VIEW).filter(pk__in=ids, deleted_at__isnull=True)
    found = {p.pk: p for p in found}
    missing = [i for i in ids if i not in found]
    if missing:
        raise services.RecruitmentError("unknown_person", _("找不到人员：%(ids)s") % {"ids": missing}, field=field)
    return [found[i] for i in ids]


def _case(user, case_id: int):
    return selectors.access_case(user, case_id)


# ---------------------------------------------------------------- cases


@router.get("/recruitment/cases", response=responses({200: CasePage}, READ), summary="发展党员纪实列表")
def list_cases(
    request, q: str = "", stage: int | None = Query(None, ge=1, le=5), status: CaseStatus | None = None,
    unit_id: int | None = None, limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0),
):
    user = current_user(request)
    unit = None
    if unit_id is not None:
        from dangjian.organizations.selectors import access_unit

        unit = access_unit(user, unit_id, Action.RECRUITMENT_VIEW)
    qs = selectors.case_list(user, q=q, unit=unit, stage=stage, status=status or "")
    return page(qs, limit=limit, offset=offset)


@router.post("/recruitment/cases", response=responses({201: CaseDetailOut}, WRITE),
             summary="建立发展党员纪实（记录 S01 递交入党申请书）")
def open_case(request, payload: OpenCaseIn):
    user = current_user(request)
    require_somewhere(user, Action.RECRUITMENT_MANAGE)
    person = (Person.objects.visible_to(user, Action.PEOPLE_VIEW).filter(deleted_at__isnull=True)
              .select_related("unit").filter(pk=payload.person_id).first())
    if person is None:
        raise Http404
    case = services.open_case(actor=user, person=person, applied_on=payload.applied_on,
                              responsible=payload.responsible, opinion=payload.opinion,
                              exception_reason=payload.exception_reason)
    return Status(201, _detail(_case(user, case.pk)))


@router.get("/recruitment/cases/{case_id}", response=responses({200: CaseDetailOut}, READ_ONE),
            summary="一份发展党员纪实：步骤、规则检查、下一步")
def get_case(request, case_id: int):
    return _detail(_case(current_user(request), case_id))


@router.get("/recruitment/cases/{case_id}/steps", response=responses({200: list[StepOut]}, READ_ONE),
            summary="纪实的步骤记录")
def list_steps(request, case_id: int):
    case = _case(current_user(request), case_id)
    return selectors.records_with_people(case)


@router.put("/recruitment/cases/{case_id}/steps/{step}", response=responses({200: StepOut}, EDIT),
            summary="记录或更正一个步骤（违反规则时 400，列出每条规则；上级党委可附例外说明）")
def put_step(request, case_id: int, step: StepCode, payload: StepIn):
    user = current_user(request)
    case = _case(user, case_id)
    interviewer = _people(user, [payload.interviewer_id], "interviewer")[0] if payload.interviewer_id else None
    record = services.record_step(
        actor=user, case=case, step=step.value, date=payload.date, responsible=payload.responsible,
        documents=payload.documents, opinion=payload.opinion, data=payload.data,
        mentors=_people(user, payload.mentor_ids, "mentors"), sponsors=_people(user, payload.sponsor_ids, "sponsors"),
        interviewer=interviewer, meeting_id=payload.meeting_id, version=payload.version,
        exception_reason=payload.exception_reason,
    )
    return next(r for r in selectors.records_with_people(case) if r.pk == record.pk)


@router.post("/recruitment/cases/{case_id}/steps/{step}/reviews", response=responses({200: StepOut}, EDIT),
             summary="添加一次培养考察（S06）或继续教育考察（S21）")
def add_review(request, case_id: int, step: StepCode, payload: ReviewIn):
    user = current_user(request)
    case = _case(user, case_id)
    record = services.add_review(actor=user, case=case, step=step.value, date=payload.date, opinion=payload.opinion,
                                 exception_reason=payload.exception_reason)
    return next(r for r in selectors.records_with_people(case) if r.pk == record.pk)


@router.get("/recruitment/cases/{case_id}/checks", response=responses({200: ChecksOut}, READ_ONE),
            summary="规则检查（违规、例外）与下一步（最早、最迟日期）")
def get_checks(request, case_id: int):
    return _checks(selectors.case_state(_case(current_user(request), case_id)))


@router.post("/recruitment/cases/{case_id}/extension", response=responses({200: CaseDetailOut}, EDIT),
             summary="延长预备期（6–12 个月，一次；上级党委）")
def extend(request, case_id: int, payload: ExtensionIn):
    user = current_user(request)
    case = _case(user, case_id)
    services.extend_probation(actor=user, case=case, decided_on=payload.decided_on, months=payload.months,
                              reason=payload.reason, exception_reason=payload.exception_reason)
    return _detail(_case(user, case_id))


@router.post("/recruitment/cases/{case_id}/cancel", response=responses({200: CaseDetailOut}, EDIT),
             summary="终止纪实（撤回申请；已接收的预备党员取消资格须上级党委）")
def cancel(request, case_id: int, payload: CancelIn):
    user = current_user(request)
    case = _case(user, case_id)
    services.cancel_case(actor=user, case=case, on=payload.on, reason=payload.reason)
    return _detail(_case(user, case_id))


@router.get("/recruitment/cases/{case_id}/political-review",
            response={200: PoliticalReviewOut | None, **responses({}, (401, 403, 404, 422))},
            summary="政审材料（需专门权限，每次查阅均记录）")
def get_political_review(request, case_id: int):
    user = current_user(request)
    review = services.read_political_review(actor=user, case=_case(user, case_id))
    return review


@router.put("/recruitment/cases/{case_id}/political-review", response=responses({200: PoliticalReviewOut}, EDIT),
            summary="填写政审材料（需专门权限）")
def put_political_review(request, case_id: int, payload: PoliticalReviewIn):
    user = current_user(request)
    return services.save_political_review(actor=user, case=_case(user, case_id), findings=payload.findings,
                                          methods=payload.methods, relatives=payload.relatives,
                                          version=payload.version)


# ---------------------------------------------------------------- the committee's views and the legacy audit


@router.get("/recruitment/funnel", response=responses({200: FunnelOut}, (401, 403, 422)),
            summary="各支部分阶段人数（进行中）与当年转正人数")
def funnel(request, year: int | None = Query(None, ge=2000, le=2100)):
    user = current_user(request)
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    data = selectors.funnel(user, year=year)
    return {"stages": data["short_stages"], "rows": data["rows"], "totals": data["totals"],
            "completed": data["completed"]}


@router.post("/recruitment/audit", response=responses({200: AuditReportOut}, (400, 401, 403, 422)),
             summary="发展党员档案审查：上传 .json 或 .xlsx，返回每份档案的违规（不写入数据）")
def audit_upload(request, file: File[UploadedFile]):
    user = current_user(request)
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    from django.conf import settings

    if file.size and file.size > settings.IMPORT_MAX_BYTES:
        raise legacy.LegacyFileError("too_large", _("文件过大。"))
    cases = legacy.read_legacy(file.read(), file.name or "")
    report = legacy.audit_cases(cases)
    services.record_legacy_audit(actor=user, file_name=file.name or "", cases=report["summary"]["cases"],
                                 with_violations=report["summary"]["with_violations"])
    return report

