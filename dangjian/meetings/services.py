"""Writes for meetings: plan, record, review, attendance (by hand or QR), votes, attachments, past records.

Each service is one transaction: it checks the actor's authority, validates, writes, appends a MeetingStep for
a status transition and an audit event. Refusals are `MeetingError`s with a stable code, a Chinese message
and, where a form field is at fault, `field=`. Numbers come from the registry (meetings/rules.py).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangjian.core import rules as registry
from dangjian.core.audit import diff, record
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.permissions import Action
from dangjian.core.transitions import Transition, Workflow
from dangjian.core.votes import evaluate_vote
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.people.models import Person

from . import checkin as qr
from . import selectors as sel
from .choices import (
    AttachmentKind,
    AttendanceSource,
    AttendanceStatus,
    AudienceSegment,
    ExclusionReason,
    MeetingKind,
    MeetingStatus,
    VoteSubject,
)
from .models import (
    AgendaItem,
    Attachment,
    Attendance,
    Meeting,
    MeetingCredit,
    MeetingStep,
    Vote,
    VoteExclusion,
)


class MeetingError(DomainError):
    pass


# The rotating QR token lives with the rest of check-in (checkin.py); re-exported as part of this module's API.
checkin_token = qr.checkin_token


S = MeetingStatus
# The meeting's workflow (DESIGN §6). A returned record goes back to `held` by being recorded again.
MEETING_WORKFLOW = Workflow([
    Transition("record", S.PLANNED, S.HELD, gettext_lazy("记录召开情况"), Action.MEETINGS_MANAGE),
    Transition("resubmit", S.RETURNED, S.HELD, gettext_lazy("修改后重新提交"), Action.MEETINGS_MANAGE),
    Transition("review", S.HELD, S.REVIEWED, gettext_lazy("审核通过"), Action.MEETINGS_REVIEW),
    Transition("return", S.HELD, S.RETURNED, pgettext_lazy("transition", "退回修改"), Action.MEETINGS_REVIEW),
    Transition("cancel", S.PLANNED, S.CANCELLED, gettext_lazy("取消会议"), Action.MEETINGS_MANAGE),
])
EDITABLE_STATUSES = (S.PLANNED, S.RETURNED)
MARKS = (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)
UPDATABLE_FIELDS = (
    "unit", "kind", "topic", "starts_at", "ends_at", "place", "host", "recorder", "lecturer", "lecturer_name",
    "audience", "audience_units", "also_counts_as", "agenda", "note",
)
_AUDITED = ("unit", "kind", "topic", "starts_at", "ends_at", "place", "host", "recorder", "lecturer",
            "lecturer_name", "audience", "note")
# What an uploaded file must start with, by extension (DESIGN §14: uploads checked by type).
_MAGIC = {"pdf": (b"%PDF",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "jpg": (b"\xff\xd8\xff",),
          "png": (b"\x89PNG\r\n\x1a\n",)}


def review_unit(meeting: Meeting) -> OrgUnit:
    """Whose right a review needs: the holding unit's parent (the committee reviews its branches); a
    top-level committee reviews its own records."""
    return meeting.unit.parent if meeting.unit.parent_id else meeting.unit


def transition_unit(meeting: Meeting, transition: Transition) -> OrgUnit:
    return review_unit(meeting) if transition.action == Action.MEETINGS_REVIEW else meeting.unit


# ---------------------------------------------------------------- helpers


def require_right(actor, action: str, unit: OrgUnit) -> None:
    """PermissionDenied (403) unless `actor` holds `action` on `unit` (core.scoping.can)."""
    from dangjian.core.scoping import can

    if actor is None or not can(actor, action, unit):
        if action == Action.MEETINGS_REVIEW:
            raise PermissionDenied("forbidden", _("会议记录由上级党组织审核，您没有审核权限。"))
        raise PermissionDenied("forbidden", _("您没有权限管理该党组织的会议。"))


def _lock(meeting: Meeting) -> Meeting:
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to unit.parent.
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__parent")
        .get(pk=meeting.pk)
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


def _text(value: Any, field: str, max_length: int, *, required: bool = False, label: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise MeetingError("required", _("请填写%(label)s。") % {"label": label or field}, field=field)
    if len(text) > max_length:
        raise MeetingError("too_long", _("%(label)s不能超过 %(n)d 个字。") % {"label": label or field, "n": max_length},
                           field=field)
    return text


def _kind_label(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def _step(meeting: Meeting, *, transition: str, from_status: str, actor, reason: str = "") -> None:
    MeetingStep.objects.create(meeting=meeting, transition=transition, from_status=from_status,
                               to_status=meeting.status, actor=actor, reason=reason[:300])


def _validate_plan(
    *, unit: OrgUnit, kind: str, starts_at: datetime | None, ends_at: datetime | None, audience: str,
    audience_units: list[OrgUnit], also_counts_as: Iterable[str],
) -> list[str]:
    """The checks every way of creating or changing a meeting shares. Returns the extra kinds, in order."""
    if kind not in MeetingKind.values:
        raise MeetingError("bad_kind", _("没有这种会议类型：%(kind)s。") % {"kind": kind}, field="kind")
    if starts_at is None:
        raise MeetingError("required", _("请填写开始时间。"), field="starts_at")
    if ends_at is not None and ends_at < starts_at:
        raise MeetingError("date_order", _("结束时间不能早于开始时间。"), field="ends_at")
    on = sel.local_date(starts_at)
    if unit.dissolved_on is not None and unit.dissolved_on <= on:
        raise MeetingError("unit_dissolved", _("%(unit)s已于 %(date)s 撤销。")
                           % {"unit": unit.name, "date": unit.dissolved_on.isoformat()}, field="unit")
    if kind not in sel.allowed_kinds(unit):
        if kind == MeetingKind.BRANCH_COMMITTEE and unit.kind == OrgUnitKind.BRANCH:
            message = _("%(unit)s未设支部委员会，不能召开支委会。") % {"unit": unit.name}
        else:
            message = _("%(unit)s不能召开%(kind)s。") % {"unit": unit.name, "kind": _kind_label(kind)}
        raise MeetingError("kind_not_allowed", message, field="kind")
    if audience not in AudienceSegment.values:
        raise MeetingError("bad_audience", _("没有这种听课对象：%(a)s。") % {"a": audience}, field="audience")
    if kind != MeetingKind.LECTURE and audience != AudienceSegment.UNIT:
        raise MeetingError("bad_audience", _("只有党课可以指定听课对象。"), field="audience")
    if audience != AudienceSegment.CHOSEN and audience_units:
        raise MeetingError("bad_audience", _("只有听课对象为“指定党组织”时才能选择党组织。"), field="audience_units")
    if audience in (AudienceSegment.COLLEGE, AudienceSegment.FACULTY, AudienceSegment.STUDENT) and unit.kind not in (
        OrgUnitKind.COMMITTEE, OrgUnitKind.GENERAL_BRANCH
    ):
        raise MeetingError("bad_audience", _("全院或分类的党课只能由党委（党总支）安排。"), field="audience")
    if audience == AudienceSegment.CHOSEN:
        if not audience_units:
            raise MeetingError("bad_audience", _("请选择听课的党组织。"), field="audience_units")
        outside = [u.name for u in audience_units if not u.path.startswith(unit.path)]
        if outside:
            raise MeetingError("bad_audience", _("听课党组织须在%(unit)s范围内：%(names)s。")
                               % {"unit": unit.name, "names": "、".join(outside)}, field="audience_units")
    if kind == MeetingKind.LECTURE and not sel.audience_branches(unit, audience, audience_units, on):
        raise MeetingError("bad_audience", _("听课对象中没有党支部。"), field="audience")
    also: list[str] = []
    allowed = sel.allowed_combinations(kind)
    for other in also_counts_as:
        if other in also:
            continue
        if other not in allowed:
            raise MeetingError("bad_combination", _("%(kind)s不能同时计为%(other)s。")
                               % {"kind": _kind_label(kind), "other": _kind_label(other)}, field="also_counts_as")
        if other == MeetingKind.GROUP:
            if not sel.active_groups(unit, on):
                raise MeetingError("bad_combination", _("%(unit)s没有党小组，不能同时计为党小组会。") % {"unit": unit.name},
                                   field="also_counts_as")
        elif other not in sel.allowed_kinds(unit):
            raise MeetingError("bad_combination", _("%(unit)s不能召开%(other)s，不能同时计为%(other)s。")
                               % {"unit": unit.name, "other": _kind_label(other)}, field="also_counts_as")
        also.append(other)
    return also


def _check_people(**people: Person | None) -> None:
    for field, person in people.items():
        if person is not None and person.deleted_at is not None:
            raise MeetingError("unknown_person", _("%(name)s已被删除。") % {"name": person.name}, field=field)


def _agenda_items(agenda: Iterable[Any]) -> list[tuple[str, str]]:
    items = []
    for item in agenda or ():
        if isinstance(item, Mapping):
            title, notes = item.get("title", ""), item.get("notes", "")
        elif isinstance(item, AgendaItem):
            title, notes = item.title, item.notes
        else:
            title, notes = item, ""
        title = _text(title, "agenda", 200, required=True, label=_("议题"))
        items.append((title, (notes or "").strip()))
    return items


def _check_duplicate(*, unit: OrgUnit, kind: str, starts_at: datetime, exclude: int | None = None,
                     audience: str = AudienceSegment.UNIT) -> None:
    """One sitting of a kind per unit and start time (parallel lectures for different audiences are fine)."""
    clash = Meeting.objects.filter(unit=unit, kind=kind, starts_at=starts_at).exclude(status=S.CANCELLED)
    if kind == MeetingKind.LECTURE and audience != AudienceSegment.CHOSEN:
        clash = clash.filter(audience=audience)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise MeetingError(
            "duplicate_meeting",
            _("%(unit)s在 %(at)s 已有一次%(kind)s。")
            % {"unit": unit.name, "at": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
               "kind": _kind_label(kind)},
            field="starts_at",
        )


def _credit_pairs(meeting: Meeting, audience_units: list[OrgUnit], also: list[str]) -> list[tuple[OrgUnit, str]]:
    """(unit, kind) pairs the sitting counts for: its own, a lecture's audience branches, the extra kinds
    (党小组会: each of the branch's groups, since the whole branch sat)."""
    on = sel.local_date(meeting.starts_at)
    pairs = [(meeting.unit, meeting.kind)]
    if meeting.kind == MeetingKind.LECTURE:
        pairs += [(b, MeetingKind.LECTURE) for b in sel.audience_branches(meeting.unit, meeting.audience,
                                                                           audience_units, on)]
    for other in also:
        if other == MeetingKind.GROUP:
            pairs += [(g, MeetingKind.GROUP) for g in sel.active_groups(meeting.unit, on)]
        else:
            pairs.append((meeting.unit, other))
    seen, unique = set(), []
    for unit, kind in pairs:
        if (unit.pk, kind) not in seen:
            seen.add((unit.pk, kind))
            unique.append((unit, kind))
    return unique


def _write_credits(meeting: Meeting, audience_units: list[OrgUnit], also: list[str]) -> None:
    MeetingCredit.objects.filter(meeting=meeting).delete()
    MeetingCredit.objects.bulk_create(
        [MeetingCredit(meeting=meeting, unit=u, kind=k) for u, k in _credit_pairs(meeting, audience_units, also)]
    )


def _expected(meeting: Meeting, audience_units: list[OrgUnit]) -> list[tuple[Person, bool]]:
    return sel.expected_attendees(unit=meeting.unit, kind=meeting.kind, on=sel.local_date(meeting.starts_at),
                                  audience=meeting.audience, audience_units=audience_units)


def _sync_attendance(meeting: Meeting, audience_units: list[OrgUnit]) -> dict[str, int]:
    """Bring the expected list in line with the meeting's unit, kind, date and audience: keep the marks of
    people still expected, add the newly expected, drop the others (observers stay)."""
    expected = {p.pk: vote for p, vote in _expected(meeting, audience_units)}
    rows = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting)}
    dropped = [a.pk for pid, a in rows.items() if pid not in expected and not a.is_observer]
    Attendance.objects.filter(pk__in=dropped).delete()
    changed = []
    for pid, vote in expected.items():
        row = rows.get(pid)
        if row is not None and (row.can_vote != vote or row.is_observer):
            row.can_vote, row.is_observer = vote, False
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["can_vote", "is_observer"])
    added = [Attendance(meeting=meeting, person_id=pid, can_vote=vote) for pid, vote in expected.items()
             if pid not in rows]
    Attendance.objects.bulk_create(added)
    return {"added": len(added), "dropped": len(dropped)}


def _person_ids(mapping: Mapping[Any, Any]) -> dict[int, Any]:
    out = {}
    for key, value in mapping.items():
        pk = key.pk if isinstance(key, Person) else key
        try:
            out[int(pk)] = value
        except (TypeError, ValueError):
            raise MeetingError("not_expected", _("无法识别的人员：%(p)s。") % {"p": key}, field="attendance") from None
    return out


def _mark(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return value, ""
    if isinstance(value, Mapping):
        return value.get("status", ""), value.get("reason", "") or ""
    status, *rest = value
    return status, (rest[0] if rest else "") or ""


# ---------------------------------------------------------------- plan


@transaction.atomic
def schedule_meeting(
    *, actor, unit: OrgUnit, kind: str, topic: str, starts_at: datetime, ends_at: datetime | None = None,
    place: str = "", host: Person | None = None, recorder: Person | None = None, lecturer: Person | None = None,
    lecturer_name: str = "", audience: str = AudienceSegment.UNIT, audience_units: Iterable[OrgUnit] = (),
    also_counts_as: Iterable[str] = (), agenda: Iterable[Any] = (), note: str = "",
) -> Meeting:
    """Plan a sitting: status planned, the requirements it counts for, everyone expected on that date (from
    the unit's placements and posts), the agenda, and a secret for its check-in QR code."""
    require_right(actor, Action.MEETINGS_MANAGE, unit)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    audience_units = list(audience_units)
    topic = _text(topic, "topic", 200, required=True, label=_("会议主题"))
    also = _validate_plan(unit=unit, kind=kind, starts_at=starts_at, ends_at=ends_at, audience=audience,
                          audience_units=audience_units, also_counts_as=also_counts_as)
    values = {
        "place": _text(place, "place", 120, label=_("地点")),
        "lecturer_name": _text(lecturer_name, "lecturer_name", 60, label=_("授课人")),
        "note": _text(note, "note", 300, label=_("备注")),
    }
    _check_people(host=host, recorder=recorder, lecturer=lecturer)
    items = _agenda_items(agenda)
    _check_duplicate(unit=unit, kind=kind, starts_at=starts_at, audience=audience)
    meeting = Meeting.objects.create(
        unit=unit, kind=kind, topic=topic, starts_at=starts_at, ends_at=ends_at, host=host, recorder=recorder,
        lecturer=lecturer, audience=audience, checkin_secret=secrets.token_hex(32), created_by=actor, **values,
    )
    meeting.audience_units.set(audience_units)
    _write_credits(meeting, audience_units, also)
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, person=p, can_vote=vote) for p, vote in _expected(meeting, audience_units)]
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, order=i, title=t, notes=n) for i, (t, n) in enumerate(items, start=1)]
    )
    _step(meeting, transition="schedule", from_status="", actor=actor)
    record(actor=actor, action="meetings.meeting.scheduled", target=meeting, unit=unit, changes={
        "kind": [None, kind], "topic": [None, topic], "starts_at": [None, starts_at], "also_counts_as": [None, also],
        "audience": [None, audience],
    })
    return meeting


@transaction.atomic
def update_meeting(*, actor, meeting: Meeting, version: int, **fields: Any) -> Meeting:
    """Change a planned (or returned) meeting. When its unit, kind, date or audience change, the requirements
    it counts for and the expected list are recomputed; a stale `version` is refused (ConcurrentEdit)."""
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    if locked.status not in EDITABLE_STATUSES:
        raise MeetingError("not_editable", _("只有计划中或被退回的会议可以修改（当前：%(s)s）。")
                           % {"s": locked.get_status_display()})
    if locked.version != version:
        raise ConcurrentEdit("concurrent_edit", _("该会议已被他人修改，请刷新后重试。"))
    new_unit = fields.get("unit", locked.unit)
    if new_unit.pk != locked.unit_id:
        require_right(actor, Action.MEETINGS_MANAGE, new_unit)
    old_units = list(locked.audience_units.all())
    old_also = sel.also_counts_as(locked)
    before = {f: getattr(locked, f) for f in _AUDITED}
    before.update(also_counts_as=old_also, audience_units=sorted(u.pk for u in old_units))
    kind = fields.get("kind", locked.kind)
    starts_at = _aware(fields["starts_at"]) if "starts_at" in fields else locked.starts_at
    ends_at = _aware(fields["ends_at"]) if "ends_at" in fields else locked.ends_at
    audience = fields.get("audience", locked.audience)
    if kind != MeetingKind.LECTURE and "audience" not in fields:
        audience = AudienceSegment.UNIT  # a lecture changed into another kind loses its audience
    audience_units = list(fields["audience_units"]) if "audience_units" in fields else old_units
    if audience != AudienceSegment.CHOSEN and "audience_units" not in fields:
        audience_units = []
    also_in = fields.get("also_counts_as", old_also)
    if "kind" in fields and "also_counts_as" not in fields:
        also_in = [k for k in old_also if k in sel.allowed_combinations(kind)]
    also = _validate_plan(unit=new_unit, kind=kind, starts_at=starts_at, ends_at=ends_at, audience=audience,
                          audience_units=audience_units, also_counts_as=also_in)
    if "topic" in fields:
        locked.topic = _text(fields["topic"], "topic", 200, required=True, label=_("会议主题"))
    for field, n, label in (("place", 120, _("地点")), ("lecturer_name", 60, _("授课人")), ("note", 300, _("备注"))):
        if field in fields:
            setattr(locked, field, _text(fields[field], field, n, label=label))
    _check_people(**{f: fields[f] for f in ("host", "recorder", "lecturer") if f in fields})
    for f in ("host", "recorder", "lecturer"):
        if f in fields:
            setattr(locked, f, fields[f])
    items = _agenda_items(fields["agenda"]) if "agenda" in fields else None
    _check_duplicate(unit=new_unit, kind=kind, starts_at=starts_at, exclude=locked.pk, audience=audience)
    locked.unit, locked.kind, locked.starts_at, locked.ends_at, locked.audience = (
        new_unit, kind, starts_at, ends_at, audience)
    after = {f: getattr(locked, f) for f in _AUDITED}
    after.update(also_counts_as=also, audience_units=sorted(u.pk for u in audience_units))
    changes = diff(before, after)
    old_agenda = list(AgendaItem.objects.filter(meeting=locked).values_list("title", "notes"))
    if items is not None and [tuple(x) for x in old_agenda] != items:
        changes["agenda"] = [[t for t, _n in old_agenda], [t for t, _n in items]]
    if not changes:
        return locked
    attendees_change = {"unit", "kind", "audience", "audience_units"} & set(changes) or (
        "starts_at" in changes and sel.local_date(before["starts_at"]) != sel.local_date(starts_at))
    if attendees_change or "also_counts_as" in changes:
        _write_credits(locked, audience_units, also)
    if "audience_units" in changes:
        locked.audience_units.set(audience_units)
    if attendees_change:
        moved = _sync_attendance(locked, audience_units)
        if any(moved.values()):
            changes["attendance"] = [None, moved]
    if "agenda" in changes:
        AgendaItem.objects.filter(meeting=locked).delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=locked, order=i, title=t, notes=n) for i, (t, n) in enumerate(items or [], start=1)]
        )
    locked.version += 1
    locked.save()
    record(actor=actor, action="meetings.meeting.updated", target=locked, unit=locked.unit, changes=changes)
    return locked


# ---------------------------------------------------------------- record and review


def _apply_marks(meeting: Meeting, attendance: Mapping[Any, Any] | None, actor) -> dict[str, list]:
    """Validate every mark first, then write them; returns {person name: [old, new]} of what changed."""
    if not attendance:
        return {}
    rows = {a.person_id: a for a in Attendance.objects.select_for_update().filter(meeting=meeting)
            .select_related("person")}
    marks = _person_ids(attendance)
    planned = []
    for pid, value in marks.items():
        row = rows.get(pid)
        if row is None:
            name = Person.objects.filter(pk=pid).values_list("name", flat=True).first() or str(pid)
            raise MeetingError("not_expected", _("%(name)s不在本次会议的应到或列席名单中。") % {"name": name},
                               field="attendance")
        status, reason = _mark(value)
        if status not in MARKS:
            raise MeetingError("bad_status", _("%(name)s的出席情况应为出席、请假或缺席。") % {"name": row.person.name},
                               field="attendance")
        reason = _text(reason, "attendance", 200, label=_("请假或缺席原因"))
        if status == AttendanceStatus.EXCUSED and not reason:
            raise MeetingError("reason_required", _("请填写%(name)s的请假原因。") % {"name": row.person.name},
                               field="attendance")
        planned.append((row, status, reason))
    changed, changes = [], {}
    for row, status, reason in planned:
        if (row.status, row.reason) == (status, reason):
            continue
        changes[row.person.name] = [row.status, status]
        row.status, row.reason, row.source, row.marked_by = status, reason, AttendanceSource.MANUAL, actor
        changed.append(row)
    Attendance.objects.bulk_update(changed, ["status", "reason", "source", "marked_by"])
    return changes


@transaction.atomic
def record_meeting(
    *, actor, meeting: Meeting, version: int, minutes: str, resolutions: str, attendance: Mapping[Any, Any] | None = None,
) -> Meeting:
    """Record a sitting that took place (planned → held), or a returned record again (returned → held):
    minutes, resolutions, and the attendance of everyone expected — {person_id: (status, reason)}; a
    person already marked (by hand or by QR) may be left out. Nobody may be left unmarked."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    name = "resubmit" if locked.status == S.RETURNED else "record"
    transition = MEETING_WORKFLOW.get(name, locked.status)
    if locked.version != version:
        raise ConcurrentEdit("concurrent_edit", _("该会议已被他人修改，请刷新后重试。"))
    if locked.starts_at > timezone.now():
        raise MeetingError("future_date", _("会议尚未召开（%(at)s），不能记录为已召开。")
                           % {"at": timezone.localtime(locked.starts_at).strftime("%Y-%m-%d %H:%M")}, field="starts_at")
    minutes = _text(minutes, "minutes", 100_000, required=True, label=_("会议记录"))
    resolutions = _text(resolutions, "resolutions", 100_000, label=_("决议"))
    if locked.kind == MeetingKind.LECTURE and not (locked.lecturer_id or locked.lecturer_name):
        raise MeetingError("lecturer_required", _("请填写党课的授课人。"), field="lecturer")
    marked = _apply_marks(locked, attendance, actor)
    unmarked = list(
        Attendance.objects.filter(meeting=locked, is_observer=False, status=AttendanceStatus.EXPECTED)
        .order_by("person__name_pinyin").values_list("person__name", flat=True)
    )
    if unmarked:
        names = "、".join(unmarked[:5]) + (_("等") if len(unmarked) > 5 else "")
        raise MeetingError("attendance_incomplete", _("还有 %(n)d 人未登记出席情况：%(names)s。")
                           % {"n": len(unmarked), "names": names}, field="attendance")
    before = {"status": locked.status, "minutes": locked.minutes, "resolutions": locked.resolutions}
    from_status = locked.status
    locked.status, locked.minutes, locked.resolutions, locked.returned_reason = S.HELD, minutes, resolutions, ""
    locked.version += 1
    locked.save()
    _step(locked, transition=transition.name, from_status=from_status, actor=actor)
    changes = diff(before, {"status": locked.status, "minutes": minutes, "resolutions": resolutions})
    if marked:
        changes["attendance"] = [None, marked]
    record(actor=actor, action="meetings.meeting.held", target=locked, unit=locked.unit, changes=changes)
    return locked


@transaction.atomic
def review_meeting(*, actor, meeting: Meeting) -> Meeting:
    """The committee accepts a held meeting's record (held → reviewed); needs MEETINGS_REVIEW on the parent."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_REVIEW, review_unit(locked))
    MEETING_WORKFLOW.get("review", locked.status)
    locked.status = S.REVIEWED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    _step(locked, transition="review", from_status=S.HELD, actor=actor)
    record(actor=actor, action="meetings.meeting.reviewed", target=locked, unit=locked.unit,
           changes={"status": [S.HELD, S.REVIEWED]})
    return locked


@transaction.atomic
def return_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """The committee sends a held record back with a reason (held → returned); it no longer counts."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_REVIEW, review_unit(locked))
    MEETING_WORKFLOW.get("return", locked.status)
    reason = _text(reason, "reason", 300, required=True, label=_("退回原因"))
    locked.status, locked.returned_reason = S.RETURNED, reason
    locked.version += 1
    locked.save(update_fields=["status", "returned_reason", "version", "updated_at"])
    _step(locked, transition="return", from_status=S.HELD, actor=actor, reason=reason)
    record(actor=actor, action="meetings.meeting.returned", target=locked, unit=locked.unit,
           changes={"status": [S.HELD, S.RETURNED]}, note=reason)
    return locked


@transaction.atomic
def cancel_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Call off a planned meeting (planned → cancelled), with a reason."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    MEETING_WORKFLOW.get("cancel", locked.status)
    reason = _text(reason, "reason", 300, required=True, label=_("取消原因"))
    locked.status = S.CANCELLED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    _step(locked, transition="cancel", from_status=S.PLANNED, actor=actor, reason=reason)
    record(actor=actor, action="meetings.meeting.cancelled", target=locked, unit=locked.unit,
           changes={"status": [S.PLANNED, S.CANCELLED]}, note=reason)
    return locked


# ---------------------------------------------------------------- attendance


@transaction.atomic
def mark_attendance(
    *, actor, meeting: Meeting, person: Person, status: str, reason: str = "", is_observer: bool = False,
) -> Attendance:
    """The secretary marks one person by hand (check-in is never required): present, excused (with a
    reason) or absent; a person not expected can be added as an observer (列席)."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    if locked.status not in sel.OPEN_STATUSES:
        raise MeetingError("not_editable", _("%(s)s的会议不能再登记出席情况。") % {"s": locked.get_status_display()})
    if status not in AttendanceStatus.values or (status == AttendanceStatus.EXPECTED and locked.status != S.PLANNED):
        raise MeetingError("bad_status", _("出席情况应为出席、请假或缺席。"), field="status")
    reason = _text(reason, "reason", 200, label=_("请假或缺席原因"))
    if status == AttendanceStatus.EXCUSED and not reason:
        raise MeetingError("reason_required", _("请填写请假原因。"), field="reason")
    opens, _closes = qr.checkin_period(locked)
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT) and timezone.now() < opens:
        raise MeetingError("future_date", _("会议尚未开始，不能登记出席或缺席（可以登记请假）。"), field="status")
    row = Attendance.objects.select_for_update().filter(meeting=locked, person=person).first()
    old = None
    if row is None:
        if not is_observer:
            raise MeetingError("not_expected", _("%(name)s不在本次会议的应到名单中；如为列席人员，请选择“列席”。")
                               % {"name": person.name}, field="person")
        _check_people(person=person)
        row = Attendance(meeting=locked, person=person, is_observer=True, can_vote=False)
    else:
        old = row.status
        if (row.status, row.reason) == (status, reason):
            return row
    row.status, row.reason, row.source, row.marked_by = status, reason, AttendanceSource.MANUAL, actor
    row.save()
    record(actor=actor, action="meetings.attendance.marked", target=row, unit=locked.unit,
           changes={"status": [old, status], **({"reason": [None, reason]} if reason else {}),
                    **({"is_observer": [None, True]} if old is None else {})},
           note=str(locked)[:200])
    return row


@transaction.atomic
def check_in(*, user, meeting: Meeting, token: str, at: datetime | None = None) -> Attendance:
    """A logged-in member scans the meeting's QR code and is marked present, once. Every refusal names its
    cause (not_open, token_invalid, token_expired, not_expected, already_checked_in) and changes nothing."""
    at = _aware(at) or timezone.now()
    current = Meeting.objects.select_related("unit").get(pk=meeting.pk)
    if current.status == S.CANCELLED:
        raise MeetingError("not_open", _("会议已取消，无需签到。"))
    if current.status not in sel.OPEN_STATUSES:
        raise MeetingError("not_open", _("会议记录已审核，签到已关闭。"))
    conf = qr.settings_in_force()
    opens, closes = qr.checkin_period(current, conf)
    if not opens <= at <= closes:
        raise MeetingError("not_open", _("现在不在签到时间内（%(opens)s 至 %(closes)s）。") % {
            "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
            "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
        })
    outcome = qr.verify(current, token, at)
    if outcome == "expired":
        raise MeetingError("token_expired", _("签到二维码已过期，请扫描会场屏幕上最新的二维码。"))
    if outcome != "ok":
        raise MeetingError("token_invalid", _("签到二维码无效，请扫描会场屏幕上的二维码。"))
    person_id = getattr(user, "person_id", None)
    row = (Attendance.objects.select_for_update().filter(meeting=current, person_id=person_id).first()
           if person_id else None)
    if row is None:
        raise MeetingError("not_expected", _("您不在本次会议的应到名单中，无需签到；如需列席，请联系会议记录人登记。"))
    if row.status == AttendanceStatus.PRESENT:
        if row.checked_in_at:
            when = timezone.localtime(row.checked_in_at).strftime("%H:%M")
            raise MeetingError("already_checked_in", _("您已于 %(at)s 签到，无需重复扫码。") % {"at": when})
        raise MeetingError("already_checked_in", _("您已被登记为出席，无需重复扫码。"))
    old = row.status
    row.status, row.reason, row.source, row.checked_in_at, row.marked_by = (
        AttendanceStatus.PRESENT, "", AttendanceSource.QR, at, user)
    row.save(update_fields=["status", "reason", "source", "checked_in_at", "marked_by"])
    record(actor=user, action="meetings.attendance.checked_in", target=row, unit=current.unit,
           changes={"status": [old, AttendanceStatus.PRESENT]}, note=str(current)[:200])
    return row


# ---------------------------------------------------------------- votes


def _exclusions(exclusions: Iterable[Any], voters: dict[int, Attendance]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for item in exclusions or ():
        person, reason = (item["person"], item["reason"]) if isinstance(item, Mapping) else item
        pid = person.pk if isinstance(person, Person) else int(person)
        row = voters.get(pid)
        name = row.person.name if row else (person.name if isinstance(person, Person) else str(pid))
        if row is None:
            raise MeetingError("bad_exclusion", _("%(name)s不是本次会议应到会的有表决权党员。") % {"name": name},
                               field="exclusions")
        if reason not in ExclusionReason.values:
            raise MeetingError("bad_exclusion", _("不计入应到会人数的原因不正确：%(r)s。") % {"r": reason},
                               field="exclusions")
        if any(pid == p for p, _r in out):
            raise MeetingError("bad_exclusion", _("%(name)s重复列出。") % {"name": name}, field="exclusions")
        out.append((pid, reason))
    return out


@transaction.atomic
def record_vote(
    *, actor, meeting: Meeting, subject: str, title: str, in_favour: int, against: int = 0, abstaining: int = 0,
    written_in_favour: int = 0, written_total: int = 0, subject_person: Person | None = None,
    eligible: int | None = None, present: int | None = None, exclusions: Iterable[Any] = (), note: str = "",
) -> Vote:
    """A vote at a 支部党员大会 (or a sitting that counts as one). `eligible` defaults to the full members
    expected, less `exclusions` [(person, ExclusionReason)] (RULES.md §1.2); `present` to those of them marked
    present. Impossible counts are refused and nothing is saved; quorum and majority follow the registry
    (支部工作条例 第11条; elections 基层组织选举工作条例) and are returned on `vote.checks` with the rules cited."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    if locked.status not in sel.OPEN_STATUSES:
        raise MeetingError("not_editable", _("%(s)s的会议不能再记录表决。") % {"s": locked.get_status_display()})
    if locked.starts_at > timezone.now():
        raise MeetingError("future_date", _("会议尚未召开，不能记录表决结果。"))
    r = registry.values("meetings.vote.kinds", "meetings.vote.written_opinion_subjects", *sel.vote_rule_codes(subject))
    if not any(sel.counts_as(locked, k) for k in r["meetings.vote.kinds"]):
        raise MeetingError("vote_not_allowed", _("只有支部党员大会（或同时计为支部党员大会的会议）可以表决（%(source)s）。")
                           % {"source": registry.get_rule("meetings.vote.kinds").source})
    if subject not in VoteSubject.values:
        raise MeetingError("bad_subject", _("没有这种表决事项：%(s)s。") % {"s": subject}, field="subject")
    title = _text(title, "title", 200, required=True, label=_("事项说明"))
    note = _text(note, "note", 300, label=_("备注"))
    counts = {"in_favour": in_favour, "against": against, "abstaining": abstaining,
              "written_in_favour": written_in_favour, "written_total": written_total,
              "eligible": eligible, "present": present}
    for field, value in counts.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise MeetingError("bad_count", _("人数和票数须为非负整数。"), field=field)
    if written_total and subject not in r["meetings.vote.written_opinion_subjects"]:
        raise MeetingError("written_not_allowed", _("只有接收预备党员、预备党员转正的表决可以计入书面意见（%(source)s）。")
                           % {"source": registry.get_rule("meetings.vote.written_opinion_subjects").source},
                           field="written_total")
    if written_in_favour > written_total:
        raise MeetingError("bad_count", _("书面意见中赞成的人数不能超过书面意见人数。"), field="written_in_favour")
    voters = {a.person_id: a for a in Attendance.objects.filter(meeting=locked, is_observer=False, can_vote=True)
              .select_related("person")}
    excluded = _exclusions(exclusions, voters)
    left_out = {pid for pid, _r in excluded}
    if eligible is None:
        eligible = len(voters) - len(left_out)
    if present is None:
        present = sum(1 for pid, a in voters.items() if pid not in left_out and a.status == AttendanceStatus.PRESENT)
    if eligible == 0:
        raise MeetingError("no_voters", _("没有应到会的有表决权党员，不能表决。"), field="eligible")
    outcome = evaluate_vote(eligible=eligible, present=present, in_favour=in_favour, against=against,
                            abstaining=abstaining, written_in_favour=written_in_favour, written_total=written_total)
    impossible = [(code, message) for code, message in outcome.problems if code not in ("vote_quorum", "vote_majority")]
    if impossible:
        code, message = impossible[0]
        raise MeetingError(code, message)
    quorum, majority = sel.vote_checks(subject=subject, eligible=eligible, present=present,
                                       counted_in_favour=in_favour + written_in_favour, values=r)
    passed = quorum.met and majority.met
    vote = Vote.objects.create(
        meeting=locked, subject=subject, title=title, subject_person=subject_person, eligible=eligible,
        present=present, in_favour=in_favour, against=against, abstaining=abstaining,
        written_in_favour=written_in_favour, written_total=written_total, quorum_met=quorum.met, passed=passed,
        rules_applied=[quorum.as_dict(), majority.as_dict()], note=note,
    )
    VoteExclusion.objects.bulk_create([VoteExclusion(vote=vote, person_id=pid, reason=reason) for pid, reason in excluded])
    record(actor=actor, action="meetings.vote.recorded", target=vote, unit=locked.unit, changes={
        "eligible": [None, eligible], "present": [None, present], "in_favour": [None, in_favour],
        "against": [None, against], "abstaining": [None, abstaining], "written_in_favour": [None, written_in_favour],
        "quorum_met": [None, quorum.met], "passed": [None, passed],
        "rules": [None, [quorum.as_dict(), majority.as_dict()]],
    }, note=f"{quorum.text}；{majority.text}")
    vote.checks = (quorum, majority)  # type: ignore[attr-defined]
    return vote


# ---------------------------------------------------------------- attachments


@transaction.atomic
def add_attachment(*, actor, meeting: Meeting, kind: str, uploaded_file) -> Attachment:
    """Attach a file (通知/纪要/决议/签到表/现场照片): PDF, docx, xlsx, JPG or PNG up to the registry's size
    limit; the content must match the extension."""
    locked = _lock(meeting)
    require_right(actor, Action.MEETINGS_MANAGE, locked.unit)
    if locked.status in (S.CANCELLED, S.REVIEWED):
        raise MeetingError("not_editable", _("%(s)s的会议不能再上传附件。") % {"s": locked.get_status_display()})
    if kind not in AttachmentKind.values:
        raise MeetingError("bad_kind", _("请选择附件类型。"), field="kind")
    r = registry.values("meetings.attachment.types", "meetings.attachment.max_mb")
    name = os.path.basename((getattr(uploaded_file, "name", "") or "").replace("\\", "/")).strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = "jpg" if ext == "jpeg" else ext
    allowed = list(r["meetings.attachment.types"])
    if ext not in allowed:
        raise MeetingError("bad_file_type", _("只能上传以下类型的文件：%(types)s。")
                           % {"types": "、".join(t.upper() for t in allowed)}, field="file")
    size = getattr(uploaded_file, "size", None) or 0
    if size == 0:
        raise MeetingError("empty_file", _("文件是空的。"), field="file")
    limit = r["meetings.attachment.max_mb"]
    if size > limit * 1024 * 1024:
        raise MeetingError("file_too_large", _("文件大小 %(size).1f MB，超过上限 %(max)s MB。")
                           % {"size": size / 1024 / 1024, "max": limit}, field="file")
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if not any(head.startswith(m) for m in _MAGIC.get(ext, (b"",))):
        raise MeetingError("bad_file_type", _("文件内容与扩展名（.%(ext)s）不符。") % {"ext": ext}, field="file")
    attachment = Attachment(meeting=locked, kind=kind, name=name[:200], uploaded_by=actor)
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", uploaded_file, save=False)
    attachment.save()
    record(actor=actor, action="meetings.attachment.added", target=attachment, unit=locked.unit,
           changes={"kind": [None, kind], "name": [None, attachment.name], "size": [None, size]}, note=str(locked)[:200])
    return attachment


# ---------------------------------------------------------------- past records (imports of ledgers)


@transaction.atomic
def record_past_meeting(
    *, actor, unit: OrgUnit, kind: str, starts_at: datetime, topic: str, place: str = "", host: Person | None = None,
    recorder: Person | None = None, also_counts_as: Iterable[str] = (), expected_count: int | None = None,
    present_count: int | None = None, absent: Iterable[Person] = (), note: str = "", minutes: str = "",
    per_person: bool | None = None,
) -> Meeting:
    """A sitting from a paper ledger, recorded directly as held. With `absent` (or per_person=True) everyone
    expected on that date gets a row — the absent ones absent, the rest present; otherwise only the ledger's
    应到/实到 counts are kept. `actor` None is the trusted command line (`import_meetings` without --user):
    no right is checked and the timeline step is left out (the audit event names "system")."""
    if actor is not None:
        require_right(actor, Action.MEETINGS_MANAGE, unit)
    starts_at = _aware(starts_at)
    if starts_at is not None and starts_at > timezone.now():
        raise MeetingError("future_date", _("会议日期不能晚于今天。"), field="starts_at")
    topic = _text(topic, "topic", 200, required=True, label=_("会议主题"))
    also = _validate_plan(unit=unit, kind=kind, starts_at=starts_at, ends_at=None, audience=AudienceSegment.UNIT,
                          audience_units=[], also_counts_as=also_counts_as)
    for field, value in (("expected_count", expected_count), ("present_count", present_count)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise MeetingError("bad_count", _("人数须为非负整数。"), field=field)
    if expected_count is not None and present_count is not None and present_count > expected_count:
        raise MeetingError("present_exceeds_expected", _("实到人数（%(p)d）超过应到人数（%(e)d）。")
                           % {"p": present_count, "e": expected_count}, field="present_count")
    _check_people(host=host, recorder=recorder)
    values = {"place": _text(place, "place", 120, label=_("地点")), "note": _text(note, "note", 300, label=_("备注")),
              "minutes": (minutes or "").strip()}
    _check_duplicate(unit=unit, kind=kind, starts_at=starts_at)
    absent = list(absent or ())
    meeting = Meeting(
        unit=unit, kind=kind, topic=topic, starts_at=starts_at, host=host, recorder=recorder, status=S.HELD,
        checkin_secret=secrets.token_hex(32), expected_count=expected_count, present_count=present_count,
        created_by=actor, **values,
    )
    rows: list[Attendance] = []
    if absent or per_person:
        expected = {p.pk: vote for p, vote in _expected(meeting, [])}
        absent_ids = set()
        for person in absent:
            if person.pk not in expected:
                raise MeetingError("not_expected", _("%(name)s在 %(date)s 不是%(unit)s%(kind)s的应到人员。") % {
                    "name": person.name, "date": sel.local_date(starts_at).isoformat(), "unit": unit.name,
                    "kind": _kind_label(kind)}, field="absent")
            absent_ids.add(person.pk)
        rows = [Attendance(person_id=pid, can_vote=vote, source=AttendanceSource.IMPORT, marked_by=actor,
                           status=AttendanceStatus.ABSENT if pid in absent_ids else AttendanceStatus.PRESENT)
                for pid, vote in expected.items()]
    meeting.save()
    for row in rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(rows)
    _write_credits(meeting, [], also)
    if actor is not None:
        _step(meeting, transition="import", from_status="", actor=actor)
    record(actor=actor or "system", action="meetings.meeting.imported", target=meeting, unit=unit, changes={
        "kind": [None, kind], "starts_at": [None, starts_at], "also_counts_as": [None, also],
        "expected_count": [None, expected_count], "present_count": [None, present_count],
        "absent": [None, sorted(p.name for p in absent)],
    })
    return meeting
