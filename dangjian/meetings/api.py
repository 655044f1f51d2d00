"""API for meetings: plan, change, record, review, return, cancel; attendance by hand or QR; votes; files.

Thin over meetings.selectors and meetings.services (DESIGN §11): the same scoping (a meeting out of scope is
404; visible but not yours to manage is 403) and the same coded errors as the pages. Check-in is the one
exception to "out of scope is 404": a member of another branch who scans a meeting's QR code is told that
they are not expected there (the token, not the scope, is the capability).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from dangjian.api.auth import current_user, require_somewhere
from dangjian.api.schemas import (
    EDIT,
    MAX_LIMIT,
    READ,
    READ_ONE,
    WRITE,
    PersonRef,
    UnitRef,
    page,
    responses,
    unit_ref,
)
from dangjian.core.permissions import Action
from dangjian.organizations.models import OrgUnit
from dangjian.organizations.selectors import access_unit
from dangjian.people.selectors import access_person

from . import checkin, selectors, services
from .choices import (
    AttachmentKind,
    AttendanceStatus,
    AudienceSegment,
    ExclusionReason,
    MeetingKind,
    MeetingStatus,
    VoteSubject,
)
from .models import Attachment, Attendance, Meeting, MeetingStep

router = Router(tags=["会议"])


def person_ref(person) -> dict[str, Any] | None:
    return None if person is None else {"id": person.pk, "name": person.name}


# ---------------------------------------------------------------- schemas


class CreditOut(Schema):
    unit: UnitRef
    kind: MeetingKind
    kind_label: str


def _credit(c) -> dict[str, Any]:
    return {"unit": unit_ref(c.unit), "kind": c.kind, "kind_label": str(c.get_kind_display())}


class MeetingListOut(Schema):
    id: int
    unit: UnitRef
    kind: MeetingKind
    kind_label: str
    topic: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    status: MeetingStatus
    status_label: str
    n_expected: int = Field(..., description="应到人数（逐人名单）")
    n_present: int = Field(..., description="实到人数（逐人名单）")
    credits: list[CreditOut] = Field(..., description="计入的要求（党组织 × 会议类型）")
    version: int

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_credits(obj):
        return [_credit(c) for c in obj.credits.all()]


class MeetingPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[MeetingListOut]


class AgendaOut(Schema):
    order: int
    title: str
    notes: str


class StepOut(Schema):
    transition: str
    from_status: str
    to_status: str
    actor: str
    reason: str
    at: datetime


class RuleCheckOut(Schema):
    code: str = Field(..., description="规则编码（规则库）")
    title: str
    source: str = Field(..., description="依据（条例、条款）")
    value: Any = Field(..., description="规则取值（比例）")
    part: int
    whole: int
    met: bool
    text: str


class ExclusionOut(Schema):
    person: PersonRef
    reason: ExclusionReason
    reason_label: str


class VoteOut(Schema):
    id: int
    subject: VoteSubject
    subject_label: str
    title: str
    subject_person: PersonRef | None
    eligible: int
    present: int
    in_favour: int
    against: int
    abstaining: int
    written_in_favour: int
    written_total: int
    quorum_met: bool
    passed: bool
    quorum: RuleCheckOut
    majority: RuleCheckOut
    exclusions: list[ExclusionOut]
    note: str


def _vote(v) -> dict[str, Any]:
    result = selectors.vote_result(v)
    return {
        "id": v.pk, "subject": v.subject, "subject_label": str(v.get_subject_display()), "title": v.title,
        "subject_person": person_ref(v.subject_person), "eligible": v.eligible, "present": v.present,
        "in_favour": v.in_favour, "against": v.against, "abstaining": v.abstaining,
        "written_in_favour": v.written_in_favour, "written_total": v.written_total, "quorum_met": v.quorum_met,
        "passed": v.passed, "quorum": result["quorum"], "majority": result["majority"], "note": v.note,
        "exclusions": [{"person": person_ref(x.person), "reason": x.reason, "reason_label": str(x.get_reason_display())}
                       for x in v.exclusions.all()],
    }


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    kind_label: str
    name: str
    size: int | None
    uploaded_at: datetime


def _attachment(a: Attachment) -> dict[str, Any]:
    try:
        size = a.file.size
    except OSError:
        size = None
    return {"id": a.pk, "kind": a.kind, "kind_label": str(a.get_kind_display()), "name": a.name, "size": size,
            "uploaded_at": a.uploaded_at}


class SummaryOut(Schema):
    expected: int | None
    present: int | None
    excused: int | None
    absent: int | None
    unmarked: int
    observers: int
    voters: int | None


class MeetingOut(Schema):
    id: int
    unit: UnitRef
    kind: MeetingKind
    kind_label: str
    topic: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    host: PersonRef | None
    recorder: PersonRef | None
    lecturer: PersonRef | None
    lecturer_name: str
    audience: AudienceSegment
    audience_units: list[UnitRef]
    also_counts_as: list[MeetingKind]
    credits: list[CreditOut]
    agenda: list[AgendaOut]
    minutes: str
    resolutions: str
    status: MeetingStatus
    status_label: str
    returned_reason: str
    expected_count: int | None
    present_count: int | None
    note: str
    summary: SummaryOut = Field(..., description="应到、实到、请假、缺席、未登记、列席、有表决权人数")
    transitions: list[str] = Field(..., description="当前用户可执行的流转（record/resubmit/review/return/cancel）")
    steps: list[StepOut]
    votes: list[VoteOut]
    attachments: list[AttachmentOut]
    version: int
    created_at: datetime
    updated_at: datetime


def _detail(user, meeting: Meeting) -> dict[str, Any]:
    """Everything the detail endpoint returns; a fixed number of queries."""
    steps = MeetingStep.objects.filter(meeting=meeting).select_related("actor__person").order_by("at", "id")
    return {
        "id": meeting.pk, "unit": unit_ref(meeting.unit), "kind": meeting.kind,
        "kind_label": str(meeting.get_kind_display()), "topic": meeting.topic, "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at, "place": meeting.place, "host": person_ref(meeting.host),
        "recorder": person_ref(meeting.recorder), "lecturer": person_ref(meeting.lecturer),
        "lecturer_name": meeting.lecturer_name, "audience": meeting.audience,
        "audience_units": [unit_ref(u) for u in meeting.audience_units.order_by("path")],
        "also_counts_as": selectors.also_counts_as(meeting),
        "credits": [_credit(c) for c in selectors.credits_of(meeting)],
        "agenda": list(meeting.agenda.order_by("order", "id").values("order", "title", "notes")),
        "minutes": meeting.minutes, "resolutions": meeting.resolutions, "status": meeting.status,
        "status_label": str(meeting.get_status_display()), "returned_reason": meeting.returned_reason,
        "expected_count": meeting.expected_count, "present_count": meeting.present_count, "note": meeting.note,
        "summary": selectors.attendance_summary(meeting),
        "transitions": [t.name for t in selectors.available_transitions(user, meeting)],
        "steps": [{"transition": s.transition, "from_status": s.from_status, "to_status": s.to_status,
                   "actor": s.actor.display_name, "reason": s.reason, "at": s.at} for s in steps],
        "votes": [_vote(v) for v in selectors.votes_of(meeting)],
        "attachments": [_attachment(a) for a in meeting.attachments.order_by("kind", "id")],
        "version": meeting.version, "created_at": meeting.created_at, "updated_at": meeting.updated_at,
    }


class AgendaIn(Schema):
    title: str = Field(..., max_length=200)
    notes: str = ""


class MeetingCreateIn(Schema):
    unit_id: int = Field(..., description="召开会议的党组织")
    kind: MeetingKind
    topic: str = Field(..., max_length=200)
    starts_at: datetime = Field(..., description="开始时间（无时区时按北京时间）")
    ends_at: datetime | None = None
    place: str = Field("", max_length=120)
    host_id: int | None = None
    recorder_id: int | None = None
    lecturer_id: int | None = None
    lecturer_name: str = Field("", max_length=60, description="院外授课人")
    audience: AudienceSegment = Field(AudienceSegment.UNIT, description="党课听课对象")
    audience_unit_ids: list[int] = Field([], description="听课对象为“指定党组织”时的党组织")
    also_counts_as: list[MeetingKind] = Field([], description="同时计为的会议类型（以规则库允许的组合为限）")
    agenda: list[AgendaIn] = []
    note: str = Field("", max_length=300)


class MeetingPatchIn(Schema):
    """Only the fields given are changed; unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., description="读取时的版本号；他人已修改则返回 409")
    unit_id: int = None  # type: ignore[assignment]
    kind: MeetingKind = None  # type: ignore[assignment]
    topic: str = Field(None, max_length=200)  # type: ignore[assignment]
    starts_at: datetime = None  # type: ignore[assignment]
    ends_at: datetime | None = None
    place: str = Field(None, max_length=120)  # type: ignore[assignment]
    host_id: int | None = None
    recorder_id: int | None = None
    lecturer_id: int | None = None
    lecturer_name: str = Field(None, max_length=60)  # type: ignore[assignment]
    audience: AudienceSegment = None  # type: ignore[assignment]
    audience_unit_ids: list[int] = None  # type: ignore[assignment]
    also_counts_as: list[MeetingKind] = None  # type: ignore[assignment]
    agenda: list[AgendaIn] = None  # type: ignore[assignment]
    note: str = Field(None, max_length=300)  # type: ignore[assignment]


class MarkIn(Schema):
    person_id: int
    status: AttendanceStatus
    reason: str = Field("", max_length=200)


class RecordIn(Schema):
    version: int = Field(..., description="读取时的版本号；他人已修改则返回 409")
    minutes: str = Field(..., description="会议记录")
    resolutions: str = ""
    attendance: list[MarkIn] = Field([], description="出席情况；已登记（手工或扫码）的人员可省略，但不能有人未登记")


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class AttendanceIn(Schema):
    person_id: int
    status: AttendanceStatus
    reason: str = Field("", max_length=200)
    is_observer: bool = Field(False, description="列席（不在应到名单中的人员）")


class AttendanceOut(Schema):
    id: int
    person: PersonRef
    status: AttendanceStatus
    status_label: str
    reason: str
    is_observer: bool
    can_vote: bool
    source: str
    checked_in_at: datetime | None

    @staticmethod
    def resolve_person(obj):
        return person_ref(obj.person)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ExclusionIn(Schema):
    person_id: int
    reason: ExclusionReason


class VoteIn(Schema):
    subject: VoteSubject
    title: str = Field(..., max_length=200)
    subject_person_id: int | None = None
    in_favour: int
    against: int = 0
    abstaining: int = 0
    written_in_favour: int = Field(0, description="书面意见中赞成的人数（接收预备党员、转正时计入）")
    written_total: int = Field(0, description="提交书面意见的人数")
    eligible: int | None = Field(None, description="应到会有表决权人数；默认按应到名单中的正式党员减去不计入的人员")
    present: int | None = Field(None, description="实到会有表决权人数；默认按已登记出席的正式党员")
    exclusions: list[ExclusionIn] = []
    note: str = Field("", max_length=300)


class CheckInIn(Schema):
    token: str = Field(..., max_length=64, description="签到二维码中的令牌")


class CheckInOut(Schema):
    code: str
    message: str
    attendance: AttendanceOut


class CheckinTokenOut(Schema):
    token: str
    url: str = Field(..., description="二维码内容（本站签到地址）")
    expires_at: datetime = Field(..., description="本令牌停止显示的时间，届时刷新二维码")
    opens_at: datetime
    closes_at: datetime
    svg: str = Field(..., description="二维码（内联 SVG）")


# ---------------------------------------------------------------- helpers


def _meeting(user, pk: int) -> Meeting:
    return selectors.access_meeting(user, pk)


def _person(user, pk: int | None):
    return access_person(user, pk) if pk is not None else None


def _units(user, ids: list[int]) -> list[OrgUnit]:
    return [access_unit(user, pk) for pk in dict.fromkeys(ids)]


def _person_at(user, meeting: Meeting, pk: int):
    """A person on the meeting's list (whoever the viewer may see), or else one in the viewer's scope."""
    row = Attendance.objects.filter(meeting=meeting, person_id=pk).select_related("person").first()
    return row.person if row is not None else access_person(user, pk)


# ---------------------------------------------------------------- meetings

_KIND_QUERY = Query(None, description="会议类型（含同时计为该类型的会议）")
_FROM_QUERY = Query(None, description="开始日期不早于")
_TO_QUERY = Query(None, description="开始日期不晚于")
_ATTACHMENT_KIND_QUERY = Query(..., description="附件类型")



@router.get("/meetings", response=responses({200: MeetingPage}, READ), summary="会议列表")
def list_meetings(
    request,
    unit: int | None = Query(None, description="党组织（含下级，及计入该党组织要求的会议）"),
    kind: MeetingKind | None = _KIND_QUERY,
    status: MeetingStatus | None = None,
    starts_from: date | None = _FROM_QUERY,
    starts_to: date | None = _TO_QUERY,
    q: str = Query("", max_length=50, description="主题或地点"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    user = current_user(request)
    unit_obj = None
    if unit is not None:
        unit_obj = OrgUnit.objects.filter(pk=unit).first()
        if unit_obj is None:
            return {"total": 0, "limit": limit, "offset": offset, "items": []}
    qs = selectors.meeting_list(user, unit=unit_obj, kind=kind or "", status=status or "", starts_from=starts_from,
                                starts_to=starts_to, q=q)
    return page(qs, limit=limit, offset=offset)


@router.post("/meetings", response=responses({201: MeetingOut}, WRITE), summary="安排会议")
def create_meeting(request, payload: MeetingCreateIn):
    user = current_user(request)
    require_somewhere(user, Action.MEETINGS_MANAGE)
    data = payload.dict()
    meeting = services.schedule_meeting(
        actor=user, unit=access_unit(user, data["unit_id"]), kind=data["kind"], topic=data["topic"],
        starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"],
        host=_person(user, data["host_id"]), recorder=_person(user, data["recorder_id"]),
        lecturer=_person(user, data["lecturer_id"]), lecturer_name=data["lecturer_name"], audience=data["audience"],
        audience_units=_units(user, data["audience_unit_ids"]), also_counts_as=data["also_counts_as"],
        agenda=data["agenda"], note=data["note"],
    )
    return Status(201, _detail(user, _meeting(user, meeting.pk)))


@router.get("/meetings/{meeting_id}", response=responses({200: MeetingOut}, READ_ONE), summary="会议详情")
def get_meeting(request, meeting_id: int):
    user = current_user(request)
    return _detail(user, _meeting(user, meeting_id))


@router.patch("/meetings/{meeting_id}", response=responses({200: MeetingOut}, EDIT), summary="修改会议（计划中或被退回）")
def update_meeting(request, meeting_id: int, payload: MeetingPatchIn):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "unit_id":
            fields["unit"] = access_unit(user, value)
        elif key in ("host_id", "recorder_id", "lecturer_id"):
            fields[key[:-3]] = _person(user, value)
        elif key == "audience_unit_ids":
            fields["audience_units"] = _units(user, value or [])
        elif key == "agenda":
            fields["agenda"] = value or []
        elif key == "ends_at" or value is not None:
            fields[key] = value
    services.update_meeting(actor=user, meeting=meeting, version=version, **fields)
    return _detail(user, _meeting(user, meeting_id))


@router.post("/meetings/{meeting_id}/record", response=responses({200: MeetingOut}, EDIT),
             summary="记录会议召开情况（计划 → 已召开；被退回 → 已召开）")
def record_meeting(request, meeting_id: int, payload: RecordIn):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    services.record_meeting(
        actor=user, meeting=meeting, version=payload.version, minutes=payload.minutes,
        resolutions=payload.resolutions, attendance={m.person_id: (m.status, m.reason) for m in payload.attendance},
    )
    return _detail(user, _meeting(user, meeting_id))


@router.post("/meetings/{meeting_id}/review", response=responses({200: MeetingOut}, WRITE),
             summary="审核会议记录（上级党组织）")
def review_meeting(request, meeting_id: int):
    user = current_user(request)
    services.review_meeting(actor=user, meeting=_meeting(user, meeting_id))
    return _detail(user, _meeting(user, meeting_id))


@router.post("/meetings/{meeting_id}/return", response=responses({200: MeetingOut}, WRITE),
             summary="退回会议记录（须填写原因）")
def return_meeting(request, meeting_id: int, payload: ReasonIn):
    user = current_user(request)
    services.return_meeting(actor=user, meeting=_meeting(user, meeting_id), reason=payload.reason)
    return _detail(user, _meeting(user, meeting_id))


@router.post("/meetings/{meeting_id}/cancel", response=responses({200: MeetingOut}, WRITE),
             summary="取消会议（须填写原因）")
def cancel_meeting(request, meeting_id: int, payload: ReasonIn):
    user = current_user(request)
    services.cancel_meeting(actor=user, meeting=_meeting(user, meeting_id), reason=payload.reason)
    return _detail(user, _meeting(user, meeting_id))


# ---------------------------------------------------------------- attendance and check-in


@router.get("/meetings/{meeting_id}/attendance", response=responses({200: list[AttendanceOut]}, READ_ONE),
            summary="出席情况（应到人员在前，列席在后）")
def list_attendance(request, meeting_id: int):
    return list(selectors.attendance_of(_meeting(current_user(request), meeting_id)))


@router.post("/meetings/{meeting_id}/attendance", response=responses({200: AttendanceOut}, WRITE),
             summary="手工登记一人的出席情况（或添加列席人员）")
def mark_attendance(request, meeting_id: int, payload: AttendanceIn):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    services.require_right(user, Action.MEETINGS_MANAGE, meeting.unit)  # 403 before any person lookup
    row = services.mark_attendance(actor=user, meeting=meeting, person=_person_at(user, meeting, payload.person_id),
                                   status=payload.status, reason=payload.reason, is_observer=payload.is_observer)
    return Attendance.objects.select_related("person").get(pk=row.pk)


@router.post("/meetings/{meeting_id}/check-in", response=responses({200: CheckInOut}, WRITE),
             summary="扫码签到（本人，仅一次）")
def check_in(request, meeting_id: int, payload: CheckInIn):
    user = current_user(request)
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    row = services.check_in(user=user, meeting=meeting, token=payload.token)
    return {"code": "checked_in", "message": "签到成功。",
            "attendance": Attendance.objects.select_related("person").get(pk=row.pk)}


@router.get("/meetings/{meeting_id}/check-in-token", response=responses({200: CheckinTokenOut}, (401, 403, 404, 422)),
            summary="当前签到二维码（会场屏幕显示，按周期刷新）")
def checkin_token(request, meeting_id: int):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    services.require_right(user, Action.MEETINGS_MANAGE, meeting.unit)
    now = timezone.now()
    token = checkin.checkin_token(meeting, now)
    url = request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.pk]) + f"?t={token}")
    opens, closes = checkin.checkin_period(meeting)
    return {"token": token, "url": url, "expires_at": checkin.token_expires_at(now), "opens_at": opens,
            "closes_at": closes, "svg": checkin.qr_svg(url)}


# ---------------------------------------------------------------- votes and attachments


@router.get("/meetings/{meeting_id}/votes", response=responses({200: list[VoteOut]}, READ_ONE), summary="表决结果")
def list_votes(request, meeting_id: int):
    return [_vote(v) for v in selectors.votes_of(_meeting(current_user(request), meeting_id))]


@router.post("/meetings/{meeting_id}/votes", response=responses({201: VoteOut}, WRITE),
             summary="记录表决（支部党员大会；法定人数与通过按规则库计算并注明依据）")
def record_vote(request, meeting_id: int, payload: VoteIn):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    services.require_right(user, Action.MEETINGS_MANAGE, meeting.unit)
    data = payload.dict()
    vote = services.record_vote(
        actor=user, meeting=meeting, subject=data["subject"], title=data["title"], in_favour=data["in_favour"],
        against=data["against"], abstaining=data["abstaining"], written_in_favour=data["written_in_favour"],
        written_total=data["written_total"], subject_person=_person(user, data["subject_person_id"]),
        eligible=data["eligible"], present=data["present"], note=data["note"],
        exclusions=[(x["person_id"], x["reason"]) for x in data["exclusions"]],
    )
    return Status(201, _vote(selectors.votes_of(meeting).get(pk=vote.pk)))


@router.post("/meetings/{meeting_id}/attachments", response=responses({201: AttachmentOut}, WRITE),
             summary="上传会议附件（PDF、docx、xlsx、JPG、PNG，不超过 10 MB）")
def add_attachment(request, meeting_id: int, file: File[UploadedFile], kind: AttachmentKind = _ATTACHMENT_KIND_QUERY):
    user = current_user(request)
    meeting = _meeting(user, meeting_id)
    attachment = services.add_attachment(actor=user, meeting=meeting, kind=kind, uploaded_file=file)
    return Status(201, _attachment(attachment))
