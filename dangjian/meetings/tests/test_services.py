"""Meeting services: plan, change, record, review, return, cancel, attendance by hand, attachments, past records.

The fixture college (dangjian.core.testing): JY committee; JY-T1 (branch committee; groups G1 with 张书记 and
G2 with 王党员); JY-T2 (李书记 in G1, 赵党员 in G2; no committee); JY-U1 (one activist, no members).
Every refusal also checks that nothing changed: no meeting, credit, attendance, step, vote or audit event.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.models import AuditEvent, RuleOverride
from dangjian.core.testing import make_person, make_unit
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Meeting,
    MeetingCredit,
    MeetingStep,
    Vote,
)
from dangjian.meetings.services import (
    add_attachment,
    cancel_meeting,
    mark_attendance,
    record_meeting,
    record_past_meeting,
    return_meeting,
    review_meeting,
    schedule_meeting,
    update_meeting,
)


def ago(**delta):
    return (timezone.now() - timedelta(**delta)).replace(second=0, microsecond=0)


def ahead(**delta):
    return (timezone.now() + timedelta(**delta)).replace(second=0, microsecond=0)


def state():
    return {
        "meetings": list(Meeting.objects.order_by("pk").values_list(
            "pk", "unit_id", "kind", "status", "topic", "starts_at", "minutes", "returned_reason", "version")),
        "credits": sorted(MeetingCredit.objects.values_list("meeting_id", "unit_id", "kind")),
        "attendance": sorted(Attendance.objects.values_list("meeting_id", "person_id", "status", "reason",
                                                           "is_observer", "can_vote")),
        "agenda": AgendaItem.objects.count(),
        "steps": MeetingStep.objects.count(),
        "votes": Vote.objects.count(),
        "attachments": Attachment.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def refused(expected, fn, /, **kwargs):
    """Call a service that must refuse with code `expected`; assert nothing changed. Returns the error."""
    before = state()
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert exc.value.code == expected, exc.value
    assert state() == before
    return exc.value


def credits(meeting):
    return sorted((c.unit.code, c.kind) for c in MeetingCredit.objects.filter(meeting=meeting).select_related("unit"))


def expected_names(meeting):
    return {a.person.name: a.can_vote for a in Attendance.objects.filter(meeting=meeting).select_related("person")}


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def plan(college, **over):
    data = {"actor": college.secretary, "unit": college.t1, "kind": K.BRANCH_GENERAL, "topic": "第二季度党员大会",
            "starts_at": ago(days=1), "place": "行政楼301"}
    data.update(over)
    return schedule_meeting(**data)


def everyone_present(meeting):
    return {a.person_id: ("present", "") for a in Attendance.objects.filter(meeting=meeting)}


# ---------------------------------------------------------------- schedule_meeting


def test_scheduling_a_branch_general_meeting_expects_every_member_and_only_full_members_vote(college):
    probationary = make_person(college.t1, "孙预备", group=college.t1g1, status="probationary")
    make_person(college.t1, "吴积极", status="activist")  # not a member: not expected
    m = plan(college, agenda=["学习传达上级精神", {"title": "讨论发展对象", "notes": "支委会意见"}])
    assert m.status == S.PLANNED and m.version == 1 and len(m.checkin_secret) == 64
    assert expected_names(m) == {"张书记": True, "王党员": True, probationary.name: False}
    assert set(Attendance.objects.filter(meeting=m).values_list("status", flat=True)) == {"expected"}
    assert credits(m) == [("JY-T1", "branch_general")]
    assert list(AgendaItem.objects.filter(meeting=m).values_list("order", "title")) == [
        (1, "学习传达上级精神"), (2, "讨论发展对象")]
    step = MeetingStep.objects.get(meeting=m)
    assert (step.transition, step.from_status, step.to_status, step.actor) == ("schedule", "", "planned",
                                                                              college.secretary)
    [event] = events("meetings.meeting.scheduled")
    assert event.target_id == str(m.pk) and event.unit == college.t1 and event.changes["kind"] == [None,
                                                                                                   "branch_general"]


def test_a_theme_day_that_also_counts_as_general_meeting_lecture_and_group_meetings_credits_each_requirement(college):
    m = plan(college, kind=K.THEME_DAY, also_counts_as=[K.BRANCH_GENERAL, K.LECTURE, K.GROUP])
    # 党小组会: the whole branch sat, so each of its groups gets the credit.
    assert credits(m) == sorted([("JY-T1", "theme_day"), ("JY-T1", "branch_general"), ("JY-T1", "lecture"),
                                 ("JY-T1-G1", "group"), ("JY-T1-G2", "group")])


def test_a_committee_lecture_for_the_faculty_segment_counts_for_every_teacher_branch(college):
    m = plan(college, actor=college.organiser, unit=college.jy, kind=K.LECTURE, topic="书记讲党课（教工专场）",
             audience="faculty", lecturer=college.organiser_p)
    assert credits(m) == sorted([("JY", "lecture"), ("JY-T1", "lecture"), ("JY-T2", "lecture")])
    assert set(expected_names(m)) == {"张书记", "王党员", "李书记", "赵党员"}
    students = plan(college, actor=college.organiser, unit=college.jy, kind=K.LECTURE, topic="学生专场",
                    audience="student")
    assert credits(students) == [("JY", "lecture"), ("JY-U1", "lecture")]
    assert expected_names(students) == {}  # JY-U1 has an activist, no members
    college_wide = plan(college, actor=college.organiser, unit=college.jy, kind=K.LECTURE, topic="全院党课",
                        audience="college", starts_at=ago(days=2))
    assert credits(college_wide) == sorted([("JY", "lecture"), ("JY-T1", "lecture"), ("JY-T2", "lecture"),
                                            ("JY-U1", "lecture")])
    assert set(expected_names(college_wide)) == {"周组织", "张书记", "王党员", "李书记", "赵党员"}


def test_a_lecture_for_chosen_units_counts_for_their_branches(college):
    m = plan(college, actor=college.organiser, unit=college.jy, kind=K.LECTURE, topic="指定支部党课",
             audience="chosen", audience_units=[college.t2])
    assert credits(m) == [("JY", "lecture"), ("JY-T2", "lecture")]
    assert set(m.audience_units.values_list("code", flat=True)) == {"JY-T2"}
    assert set(expected_names(m)) == {"李书记", "赵党员"}


def test_a_branch_committee_meeting_expects_the_committee_posts(college):
    from dangjian.core.testing import give_role

    deputy = make_person(college.t1, "钱副书记")
    give_role(deputy, college.t1, "branch_deputy")
    former = make_person(college.t1, "孙前委员")
    give_role(former, college.t1, "branch_committee_member").__class__.objects.filter(person=former).update(
        ends_on=date(2021, 1, 1))
    m = plan(college, kind=K.BRANCH_COMMITTEE, topic="支委会")
    assert expected_names(m) == {"张书记": True, "钱副书记": True}


def test_kinds_a_unit_may_not_hold_are_refused(college):
    refused("kind_not_allowed", schedule_meeting, actor=college.organiser, unit=college.t2,
            kind=K.BRANCH_COMMITTEE, topic="支委会", starts_at=ago(days=1))
    refused("kind_not_allowed", schedule_meeting, actor=college.organiser, unit=college.t1,
            kind=K.GROUP, topic="党小组会", starts_at=ago(days=1))
    refused("kind_not_allowed", schedule_meeting, actor=college.organiser, unit=college.t1g1,
            kind=K.BRANCH_GENERAL, topic="党员大会", starts_at=ago(days=1))
    refused("kind_not_allowed", schedule_meeting, actor=college.organiser, unit=college.t1,
            kind=K.COMMITTEE, topic="党委会", starts_at=ago(days=1))
    err = refused("bad_kind", schedule_meeting, actor=college.organiser, unit=college.t1, kind="party",
                  topic="x", starts_at=ago(days=1))
    assert err.params == {"field": "kind"}
    assert "未设支部委员会" in refused("kind_not_allowed", schedule_meeting, actor=college.other_secretary,
                                 unit=college.t2, kind=K.BRANCH_COMMITTEE, topic="支委会",
                                 starts_at=ago(days=1)).message


def test_combinations_outside_the_registry_are_refused(college):
    refused("bad_combination", plan, college=college, kind=K.BRANCH_GENERAL, also_counts_as=[K.BRANCH_COMMITTEE])
    refused("bad_combination", plan, college=college, kind=K.THEME_DAY, also_counts_as=[K.COMMITTEE])
    lonely = make_unit("JY-T3", "教工第三党支部", "branch", college.jy, category="faculty")
    err = refused("bad_combination", plan, college=college, actor=college.organiser, unit=lonely, kind=K.THEME_DAY,
                  also_counts_as=[K.GROUP])
    assert "没有党小组" in err.message and err.params == {"field": "also_counts_as"}


def test_a_college_may_narrow_the_combinations_in_the_registry(college):
    RuleOverride.objects.create(code="meetings.combinations.theme_day", value=["lecture"], reason="本院规定")
    refused("bad_combination", plan, college=college, kind=K.THEME_DAY, also_counts_as=[K.BRANCH_GENERAL])
    assert credits(plan(college, kind=K.THEME_DAY, also_counts_as=[K.LECTURE])) == [
        ("JY-T1", "lecture"), ("JY-T1", "theme_day")]


def test_audiences_are_only_for_lectures_and_segments_only_for_a_committee(college):
    refused("bad_audience", plan, college=college, kind=K.THEME_DAY, audience="faculty")
    refused("bad_audience", plan, college=college, kind=K.LECTURE, audience="college")
    refused("bad_audience", plan, college=college, actor=college.organiser, unit=college.jy, kind=K.LECTURE,
            audience="chosen")
    refused("bad_audience", plan, college=college, kind=K.LECTURE, audience="chosen", audience_units=[college.t2])
    refused("bad_audience", plan, college=college, kind=K.LECTURE, audience_units=[college.t1])


def test_scheduling_needs_the_right_on_the_unit(college):
    for who in ("other_secretary", "member", "norole", "sysadmin", "auditor"):
        err = refused("forbidden", plan, college=college, actor=college.users[who])
        assert isinstance(err, PermissionDenied)
    refused("forbidden", plan, college=college, actor=college.secretary, unit=college.jy, kind=K.COMMITTEE)


def test_a_group_leader_plans_the_group_meeting_of_their_group_only(college):
    from dangjian.core.testing import give_role, make_user

    leader = make_person(college.t1, "冯组长", group=college.t1g2)
    give_role(leader, college.t1g2, "group_leader")
    user = make_user("leader", leader)
    m = plan(college, actor=user, unit=college.t1g2, kind=K.GROUP, topic="党小组学习")
    assert expected_names(m) == {"王党员": True, "冯组长": True}
    refused("forbidden", plan, college=college, actor=user, unit=college.t1g1, kind=K.GROUP)


def test_bad_dates_missing_topics_and_duplicates_are_refused(college):
    start = ago(days=3)
    assert refused("date_order", plan, college=college, starts_at=start, ends_at=start - timedelta(hours=1)
                   ).params == {"field": "ends_at"}
    assert refused("required", plan, college=college, topic="  ").params == {"field": "topic"}
    assert refused("too_long", plan, college=college, topic="长" * 201).params == {"field": "topic"}
    assert refused("required", plan, college=college, agenda=["议题一", ""]).params == {"field": "agenda"}
    plan(college, starts_at=start)
    refused("duplicate_meeting", plan, college=college, starts_at=start)


def test_a_dissolved_unit_cannot_hold_meetings(college):
    from dangjian.organizations.models import OrgUnit

    OrgUnit.objects.filter(pk=college.t2.pk).update(dissolved_on=date(2024, 1, 1))
    college.t2.refresh_from_db()
    refused("unit_dissolved", plan, college=college, actor=college.organiser, unit=college.t2)


# ---------------------------------------------------------------- update_meeting


def test_updating_the_date_and_topic_bumps_the_version_and_audits_the_change(college):
    m = plan(college, starts_at=ahead(days=5))
    new = ahead(days=6)
    m = update_meeting(actor=college.secretary, meeting=m, version=1, starts_at=new, topic="改期")
    assert (m.version, m.topic, m.starts_at) == (2, "改期", new)
    [event] = events("meetings.meeting.updated")
    assert set(event.changes) == {"starts_at", "topic"}
    assert update_meeting(actor=college.secretary, meeting=m, version=2, topic="改期").version == 2  # no change


def test_a_stale_version_is_refused(college):
    m = plan(college)
    update_meeting(actor=college.secretary, meeting=m, version=1, place="会议室")
    with pytest.raises(ConcurrentEdit):
        update_meeting(actor=college.secretary, meeting=m, version=1, place="另一间")
    assert Meeting.objects.get(pk=m.pk).place == "会议室"


def test_moving_a_meeting_to_another_branch_recomputes_its_credits_and_expected_list(college):
    m = plan(college, actor=college.organiser, kind=K.THEME_DAY, also_counts_as=[K.GROUP])
    mark_attendance(actor=college.organiser, meeting=m, person=college.t2_member, status="present", is_observer=True)
    m = update_meeting(actor=college.organiser, meeting=m, version=1, unit=college.t2)
    assert credits(m) == sorted([("JY-T2", "theme_day"), ("JY-T2-G1", "group"), ("JY-T2-G2", "group")])
    assert expected_names(m) == {"李书记": True, "赵党员": True}
    row = Attendance.objects.get(meeting=m, person=college.t2_member)
    assert row.status == "present" and not row.is_observer  # now expected, the mark is kept
    assert events("meetings.meeting.updated")[0].changes["attendance"] == [None, {"added": 1, "dropped": 2}]


def test_the_secretary_cannot_move_a_meeting_out_of_their_branch(college):
    m = plan(college)
    refused("forbidden", update_meeting, actor=college.secretary, meeting=m, version=1, unit=college.t2)


def test_changing_the_kind_drops_combinations_the_new_kind_does_not_allow(college):
    m = plan(college, kind=K.THEME_DAY, also_counts_as=[K.GROUP, K.BRANCH_GENERAL])
    m = update_meeting(actor=college.secretary, meeting=m, version=1, kind=K.ORG_LIFE)
    assert credits(m) == [("JY-T1", "branch_general"), ("JY-T1", "org_life")]


def test_held_meetings_are_not_editable(college):
    m = plan(college)
    record_meeting(actor=college.secretary, meeting=m, version=1, minutes="记录", resolutions="",
                   attendance=everyone_present(m))
    refused("not_editable", update_meeting, actor=college.secretary, meeting=m, version=2, topic="改")


# ---------------------------------------------------------------- record_meeting


def test_recording_a_meeting_marks_it_held_with_minutes_and_attendance(college):
    m = plan(college)
    s, w = college.secretary_p.pk, college.member_p.pk
    m = record_meeting(actor=college.secretary, meeting=m, version=1, minutes=" 会议记录 ", resolutions="通过决议",
                       attendance={s: ("present", ""), str(w): ["excused", "出差"]})
    assert (m.status, m.minutes, m.resolutions, m.version) == ("held", "会议记录", "通过决议", 2)
    rows = {a.person_id: (a.status, a.reason, a.source, a.marked_by_id) for a in Attendance.objects.filter(meeting=m)}
    assert rows == {s: ("present", "", "manual", college.secretary.pk), w: ("excused", "出差", "manual",
                                                                            college.secretary.pk)}
    step = MeetingStep.objects.filter(meeting=m).last()
    assert (step.transition, step.from_status, step.to_status) == ("record", "planned", "held")
    [event] = events("meetings.meeting.held")
    assert event.changes["status"] == ["planned", "held"]
    assert event.changes["attendance"] == [None, {"张书记": ["expected", "present"], "王党员": ["expected", "excused"]}]


def test_a_meeting_in_the_future_cannot_be_recorded(college):
    m = plan(college, starts_at=ahead(hours=2))
    refused("future_date", record_meeting, actor=college.secretary, meeting=m, version=1, minutes="x",
            resolutions="", attendance=everyone_present(m))


def test_recording_refuses_missing_minutes_unmarked_people_and_excuses_without_reason(college):
    m = plan(college)
    s, w = college.secretary_p.pk, college.member_p.pk
    kw = {"actor": college.secretary, "meeting": m, "version": 1, "resolutions": ""}
    assert refused("required", record_meeting, minutes=" ", attendance=everyone_present(m), **kw
                   ).params == {"field": "minutes"}
    err = refused("attendance_incomplete", record_meeting, minutes="x", attendance={s: ("present", "")}, **kw)
    assert "王党员" in err.message and err.params == {"field": "attendance"}
    refused("reason_required", record_meeting, minutes="x", attendance={s: ("present", ""), w: ("excused", "")}, **kw)
    refused("bad_status", record_meeting, minutes="x", attendance={s: ("present", ""), w: ("expected", "")}, **kw)
    refused("not_expected", record_meeting, minutes="x",
            attendance={s: ("present", ""), w: ("present", ""), college.t2_member.pk: ("present", "")}, **kw)
    refused("concurrent_edit", record_meeting, minutes="x", attendance=everyone_present(m),
            **{**kw, "version": 7})
    refused("forbidden", record_meeting, minutes="x", attendance=everyone_present(m),
            **{**kw, "actor": college.member})


def test_a_lecture_needs_its_lecturer_when_recorded(college):
    m = plan(college, kind=K.LECTURE, topic="党课")
    refused("lecturer_required", record_meeting, actor=college.secretary, meeting=m, version=1, minutes="x",
            resolutions="", attendance=everyone_present(m))
    m = update_meeting(actor=college.secretary, meeting=m, version=1, lecturer_name="省委党校 刘教授")
    assert record_meeting(actor=college.secretary, meeting=m, version=2, minutes="x", resolutions="",
                          attendance=everyone_present(m)).status == "held"


def test_people_marked_before_need_not_be_marked_again(college):
    m = plan(college)
    mark_attendance(actor=college.secretary, meeting=m, person=college.member_p, status="absent")
    m = record_meeting(actor=college.secretary, meeting=m, version=1, minutes="x", resolutions="",
                       attendance={college.secretary_p.pk: "present"})
    assert m.status == "held"
    assert Attendance.objects.get(meeting=m, person=college.member_p).status == "absent"


# ---------------------------------------------------------------- review, return, cancel


def held(college, **over):
    m = plan(college, **over)
    return record_meeting(actor=over.get("actor", college.secretary), meeting=m, version=1, minutes="记录",
                          resolutions="", attendance=everyone_present(m))


def test_the_committee_reviews_a_branch_record_and_the_branch_cannot(college):
    m = held(college)
    refused("forbidden", review_meeting, actor=college.secretary, meeting=m)
    refused("forbidden", review_meeting, actor=college.member, meeting=m)
    refused("forbidden", review_meeting, actor=college.other_secretary, meeting=m)
    m = review_meeting(actor=college.organiser, meeting=m)
    assert (m.status, m.version) == ("reviewed", 3)
    step = MeetingStep.objects.filter(meeting=m).last()
    assert (step.transition, step.from_status, step.to_status, step.actor) == ("review", "held", "reviewed",
                                                                              college.organiser)
    assert len(events("meetings.meeting.reviewed")) == 1
    refused("bad_transition", review_meeting, actor=college.organiser, meeting=m)


def test_only_held_records_can_be_reviewed(college):
    m = plan(college)
    refused("bad_transition", review_meeting, actor=college.organiser, meeting=m)


def test_a_returned_record_needs_a_reason_and_is_recorded_again(college):
    m = held(college)
    assert refused("required", return_meeting, actor=college.organiser, meeting=m, reason=" ").params == {
        "field": "reason"}
    refused("forbidden", return_meeting, actor=college.secretary, meeting=m, reason="不完整")
    m = return_meeting(actor=college.organiser, meeting=m, reason="缺少决议")
    assert (m.status, m.returned_reason) == ("returned", "缺少决议")
    [event] = events("meetings.meeting.returned")
    assert event.note == "缺少决议"
    m = update_meeting(actor=college.secretary, meeting=m, version=m.version, place="补充地点")
    m = record_meeting(actor=college.secretary, meeting=m, version=m.version, minutes="记录", resolutions="补充决议")
    assert (m.status, m.returned_reason, m.resolutions) == ("held", "", "补充决议")
    steps = list(MeetingStep.objects.filter(meeting=m).values_list("transition", "from_status", "to_status", "reason"))
    assert steps == [("schedule", "", "planned", ""), ("record", "planned", "held", ""),
                     ("return", "held", "returned", "缺少决议"), ("resubmit", "returned", "held", "")]


def test_a_group_record_is_reviewed_by_the_branch_above_it_only_with_the_right(college):
    m = held(college, kind=K.GROUP, unit=college.t1g1, topic="党小组会")
    refused("forbidden", review_meeting, actor=college.secretary, meeting=m)  # 支部书记 has no review right
    assert review_meeting(actor=college.organiser, meeting=m).status == "reviewed"


def test_cancelling_needs_a_reason_and_only_planned_meetings_can_be_cancelled(college):
    m = plan(college)
    refused("required", cancel_meeting, actor=college.secretary, meeting=m, reason="")
    refused("forbidden", cancel_meeting, actor=college.other_secretary, meeting=m, reason="x")
    m = cancel_meeting(actor=college.secretary, meeting=m, reason="改期")
    assert m.status == "cancelled"
    assert MeetingStep.objects.filter(meeting=m, transition="cancel", reason="改期").exists()
    refused("bad_transition", cancel_meeting, actor=college.secretary, meeting=m, reason="x")
    refused("bad_transition", cancel_meeting, actor=college.secretary, meeting=held(college, starts_at=ago(days=9)),
            reason="x")


# ---------------------------------------------------------------- mark_attendance


def test_the_secretary_marks_people_by_hand_and_adds_observers(college):
    m = plan(college)
    row = mark_attendance(actor=college.secretary, meeting=m, person=college.member_p, status="excused",
                          reason="生病")
    assert (row.status, row.reason, row.source, row.marked_by) == ("excused", "生病", "manual", college.secretary)
    guest = mark_attendance(actor=college.secretary, meeting=m, person=college.organiser_p, status="present",
                            is_observer=True)
    assert guest.is_observer and not guest.can_vote
    assert [e.changes["status"] for e in events("meetings.attendance.marked")] == [["expected", "excused"],
                                                                                  [None, "present"]]
    same = mark_attendance(actor=college.secretary, meeting=m, person=college.member_p, status="excused",
                           reason="生病")
    assert same.pk == row.pk and len(events("meetings.attendance.marked")) == 2  # nothing changed, nothing logged


def test_marking_refuses_strangers_excuses_without_reason_and_closed_meetings(college):
    m = plan(college)
    refused("not_expected", mark_attendance, actor=college.secretary, meeting=m, person=college.t2_member,
            status="present")
    refused("reason_required", mark_attendance, actor=college.secretary, meeting=m, person=college.member_p,
            status="excused")
    refused("bad_status", mark_attendance, actor=college.secretary, meeting=m, person=college.member_p,
            status="late")
    refused("forbidden", mark_attendance, actor=college.member, meeting=m, person=college.member_p,
            status="present")
    reviewed = review_meeting(actor=college.organiser, meeting=held(college, starts_at=ago(days=5)))
    refused("not_editable", mark_attendance, actor=college.organiser, meeting=reviewed, person=college.member_p,
            status="absent")


def test_leave_can_be_given_before_a_meeting_but_presence_only_once_it_opens(college):
    m = plan(college, starts_at=ahead(days=2))
    refused("future_date", mark_attendance, actor=college.secretary, meeting=m, person=college.member_p,
            status="present")
    assert mark_attendance(actor=college.secretary, meeting=m, person=college.member_p, status="excused",
                           reason="出差").status == "excused"
    soon = plan(college, starts_at=ahead(minutes=20), topic="马上开始")
    assert mark_attendance(actor=college.secretary, meeting=soon, person=college.member_p,
                           status="present").status == "present"


# ---------------------------------------------------------------- attachments


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def test_attachments_of_the_allowed_types_are_stored_under_a_safe_name(college, media):
    m = plan(college)
    pdf = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    a = add_attachment(actor=college.secretary, meeting=m, kind="summary", uploaded_file=pdf)
    assert (a.name, a.kind, a.uploaded_by) == ("会议纪要.pdf", "summary", college.secretary)
    assert a.file.name.endswith(".pdf") and "会议纪要" not in a.file.name
    assert (media / a.file.name).read_bytes() == b"%PDF-1.7\n..."
    png = SimpleUploadedFile("photo.PNG", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    assert add_attachment(actor=college.secretary, meeting=m, kind="photo", uploaded_file=png).file.name.endswith(
        ".png")
    assert len(events("meetings.attachment.added")) == 2


def test_attachments_of_other_types_sizes_or_disguised_content_are_refused(college, media):
    m = plan(college)

    def upload(name, content, kind="photo", **kw):
        return refused(kw.pop("code"), add_attachment, actor=college.secretary, meeting=m, kind=kind,
                       uploaded_file=SimpleUploadedFile(name, content))

    assert "PDF" in upload("a.exe", b"MZ....", code="bad_file_type").message
    assert "不符" in upload("a.pdf", b"MZ....", code="bad_file_type").message
    upload("a.jpg", b"", code="empty_file")
    upload("a.pdf", b"%PDF", kind="video", code="bad_kind")
    big = b"%PDF" + b"0" * (10 * 1024 * 1024)
    assert "10 MB" in upload("big.pdf", big, code="file_too_large").message
    refused("forbidden", add_attachment, actor=college.other_secretary, meeting=m, kind="photo",
            uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF"))
    assert not list(media.rglob("*.*"))


# ---------------------------------------------------------------- record_past_meeting


def test_a_past_meeting_from_a_ledger_is_held_with_attendance_per_person(college):
    extra = make_person(college.t1, "孙党员", group=college.t1g1)
    m = record_past_meeting(actor=college.organiser, unit=college.t1, kind=K.THEME_DAY,
                            starts_at=timezone.make_aware(timezone.datetime(2026, 3, 5, 14, 30)), topic="三月主题党日",
                            also_counts_as=[K.BRANCH_GENERAL], absent=[extra], expected_count=3, present_count=2)
    assert (m.status, m.expected_count, m.present_count) == ("held", 3, 2)
    assert credits(m) == [("JY-T1", "branch_general"), ("JY-T1", "theme_day")]
    rows = {a.person.name: (a.status, a.source) for a in Attendance.objects.filter(meeting=m).select_related("person")}
    assert rows == {"张书记": ("present", "import"), "王党员": ("present", "import"), "孙党员": ("absent", "import")}
    assert MeetingStep.objects.get(meeting=m).to_status == "held"
    assert len(events("meetings.meeting.imported")) == 1


def test_a_past_meeting_without_names_keeps_only_the_ledger_counts(college):
    m = record_past_meeting(actor=college.organiser, unit=college.t1, kind=K.BRANCH_GENERAL, starts_at=ago(days=40),
                            topic="党员大会", expected_count=12, present_count=11)
    assert Attendance.objects.filter(meeting=m).count() == 0
    assert (m.expected_count, m.present_count) == (12, 11)


def test_past_meetings_refuse_future_dates_impossible_counts_strangers_and_duplicates(college):
    start = ago(days=10)
    kw = {"actor": college.organiser, "unit": college.t1, "kind": K.BRANCH_GENERAL, "topic": "党员大会"}
    refused("future_date", record_past_meeting, starts_at=ahead(days=1), **kw)
    refused("present_exceeds_expected", record_past_meeting, starts_at=start, expected_count=3, present_count=4, **kw)
    refused("not_expected", record_past_meeting, starts_at=start, absent=[college.t2_member], **kw)
    refused("kind_not_allowed", record_past_meeting, starts_at=start,
            **{**kw, "unit": college.t2, "kind": K.BRANCH_COMMITTEE})
    refused("bad_combination", record_past_meeting, starts_at=start, also_counts_as=[K.GROUP], **{**kw, "unit": college.u1,
                                                                                                  "kind": K.THEME_DAY})
    refused("forbidden", record_past_meeting, starts_at=start, **{**kw, "actor": college.other_secretary})
    record_past_meeting(starts_at=start, **kw)
    refused("duplicate_meeting", record_past_meeting, starts_at=start, **kw)


def test_expected_attendees_follow_placements_on_the_meeting_date(college):
    from dangjian.people.services import transfer_within

    mover = make_person(college.t2, "郑调动", group=college.t2g1)
    transfer_within(actor=college.organiser, person=mover, to_unit=college.t1, to_group=college.t1g1,
                    transferred_on=timezone.localdate() - timedelta(days=10))
    before = record_past_meeting(actor=college.organiser, unit=college.t2, kind=K.BRANCH_GENERAL, starts_at=ago(days=20),
                                 topic="调动前", per_person=True)
    after = plan(college, starts_at=ago(days=5))
    assert "郑调动" in expected_names(before) and "郑调动" in expected_names(after)
    assert "郑调动" not in expected_names(plan(college, actor=college.organiser, unit=college.t2,
                                             starts_at=ago(days=4)))


def test_the_command_line_records_past_meetings_without_an_account(college):
    m = record_past_meeting(actor=None, unit=college.t2, kind=K.BRANCH_GENERAL, starts_at=ago(days=60),
                            topic="命令行导入", absent=[college.t2_member])
    assert m.status == "held" and m.created_by is None
    assert not MeetingStep.objects.filter(meeting=m).exists()
    [event] = events("meetings.meeting.imported")
    assert event.actor is None and event.actor_name == "system"
