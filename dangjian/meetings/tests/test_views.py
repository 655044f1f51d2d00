"""Meetings pages: a permission matrix for every page and POST endpoint, the plan / record / vote / review /
return / cancel flows with their failures changing nothing, attendance by hand and attachments, and the phone
check-in page with its four refusals in Chinese.

The fixture college (dangjian.core.testing): JY committee (周组织, 组织员); JY-T1 with a branch committee,
groups G1 (张书记, the secretary) and G2 (王党员, the member); JY-T2 (李书记, 赵党员); JY-U1 (an activist, no
members). So a JY-T1 支部党员大会 expects exactly 张书记 and 王党员, both full members with a vote.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import client_for, matrix
from dangjian.meetings import checkin
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Meeting,
    MeetingCredit,
    MeetingStep,
    Vote,
)
from dangjian.meetings.services import record_meeting, record_vote, schedule_meeting

ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}
ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ago(**delta):
    return (timezone.now() - timedelta(**delta)).replace(second=0, microsecond=0)


def ahead(**delta):
    return (timezone.now() + timedelta(**delta)).replace(second=0, microsecond=0)


def state():
    """Everything a refused request must leave as it was."""
    return {
        "meetings": list(Meeting.objects.order_by("pk").values_list(
            "pk", "unit_id", "kind", "status", "topic", "starts_at", "minutes", "returned_reason", "version")),
        "credits": sorted(MeetingCredit.objects.values_list("meeting_id", "unit_id", "kind")),
        "attendance": sorted(Attendance.objects.values_list("meeting_id", "person_id", "status", "reason",
                                                           "is_observer", "source", "checked_in_at")),
        "agenda": AgendaItem.objects.count(),
        "steps": MeetingStep.objects.count(),
        "votes": Vote.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def plan(college, *, starts_at, kind=K.BRANCH_GENERAL, unit=None, actor=None, **extra):
    return schedule_meeting(actor=actor or college.secretary, unit=unit or college.t1, kind=kind,
                            topic=extra.pop("topic", "支部党员大会"), starts_at=starts_at,
                            ends_at=extra.pop("ends_at", starts_at + timedelta(hours=1)), **extra)


def held_meeting(college, **extra):
    """A JY-T1 支部党员大会 yesterday, recorded with both members present."""
    m = plan(college, starts_at=ago(days=1), **extra)
    return record_meeting(actor=college.secretary, meeting=m, version=m.version, minutes="会议记录", resolutions="",
                          attendance={college.secretary_p.pk: "present", college.member_p.pk: "present"})


@pytest.fixture
def planned(college):
    """A JY-T1 支部党员大会 in two days."""
    return plan(college, starts_at=ahead(days=2), place="学院会议室301", agenda=["讨论发展对象"])


@pytest.fixture
def started(college):
    """A JY-T1 支部党员大会 that began five minutes ago: QR check-in is open."""
    return plan(college, starts_at=ago(minutes=5), place="学院会议室301")


@pytest.fixture
def held(college):
    return held_meeting(college)


def viewers(**extra):
    """Pages that need meetings.view somewhere (reports)."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
            "organiser": 200, **ADMINS_403, **extra}


def managers(**extra):
    """Pages that need meetings.manage somewhere (planning a meeting)."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
            "organiser": 200, **ADMINS_403, **extra}


def t1_manage(ok: int = 200, **extra):
    """A JY-T1 meeting's pages for those who manage it: the member sees it but may not manage it (403);
    JY-T2's secretary and the administrators do not see it (404)."""
    return {"anonymous": 302, "norole": 404, "member": 403, "secretary": ok, "other_secretary": 404,
            "organiser": ok, **ADMINS_404, **extra}


def t1_view(**extra):
    """A JY-T1 meeting's read-only pages: the member was expected there, so sees it."""
    return {"anonymous": 302, "norole": 404, "member": 200, "secretary": 200, "other_secretary": 404,
            "organiser": 200, **ADMINS_404, **extra}


# ---------------------------------------------------------------- permission matrices (GET)


def test_list_matrix(college, planned):
    matrix(college, "get", reverse("meetings:list"), {
        "anonymous": 302, "norole": 403, "member": 200, "secretary": 200, "other_secretary": 200,
        "organiser": 200, **ADMINS_403})


def test_create_and_form_refresh_matrix(college):
    matrix(college, "get", reverse("meetings:create"), managers())
    matrix(college, "get", reverse("meetings:form_fields"), managers())


def test_detail_matrix(college, planned):
    matrix(college, "get", reverse("meetings:detail", args=[planned.pk]), t1_view())


def test_missing_meeting_is_404_for_everyone_signed_in(college):
    matrix(college, "get", reverse("meetings:detail", args=[99999]), {
        "norole": 404, "member": 404, "secretary": 404, "organiser": 404, **ADMINS_404})


def test_edit_record_and_qr_matrices(college, started):
    for name in ("edit", "record", "checkin_qr", "checkin_screen"):
        matrix(college, "get", reverse(f"meetings:{name}", args=[started.pk]), t1_manage())


def test_vote_matrix(college, held):
    matrix(college, "get", reverse("meetings:vote", args=[held.pk]), t1_manage())


def test_word_export_matrix(college, held, settings):
    matrix(college, "get", reverse("meetings:export_docx", args=[held.pk]), t1_view())


def test_report_pages_matrix(college):
    for name in ("compliance", "compliance_export", "planner", "dual_life"):
        matrix(college, "get", reverse(f"meetings:{name}"), viewers())


def test_drill_down_and_ledger_matrix_give_404_for_another_branch(college):
    expected = viewers(other_secretary=404)
    matrix(college, "get", reverse("meetings:compliance_cell", args=["JY-T1", "2026-03"]), expected)
    matrix(college, "get", reverse("meetings:ledger", args=["JY-T1", 2026]), expected)
    matrix(college, "get", reverse("meetings:compliance_cell", args=["NOPE", "2026-03"]),
           {"secretary": 404, "organiser": 404})


def test_check_in_page_matrix(college, started):
    """The token is the capability: anyone with a person record reaches the page (a member of another branch
    is told on submitting that they are not expected); accounts without a person are refused."""
    url = f"{reverse('meetings:checkin', args=[started.pk])}?t={checkin.checkin_token(started)}"
    matrix(college, "get", url, {
        "anonymous": 302, "norole": 403, "member": 200, "secretary": 200, "other_secretary": 200,
        "organiser": 200, **ADMINS_403})
    matrix(college, "get", reverse("meetings:checkin", args=[started.pk]), t1_view(norole=403, **ADMINS_403))


# ---------------------------------------------------------------- permission matrices (POST): refusals change nothing


@pytest.mark.parametrize("name", ["review", "return"])
def test_only_the_committee_reviews_or_returns_a_record(college, held, name):
    before = state()
    matrix(college, "post", reverse(f"meetings:{name}", args=[held.pk]), {
        "anonymous": 302, "norole": 404, "member": 403, "secretary": 403, "other_secretary": 404, **ADMINS_404,
    }, data={"reason": "缺少签到表"})
    assert state() == before


@pytest.mark.parametrize("name, data", [
    ("cancel", {"reason": "改期"}),
    ("mark", {"person": 0, "status": "present"}),
    ("attachment_add", {"kind": "photo"}),
])
def test_only_managers_of_the_branch_change_a_meeting(college, planned, name, data):
    before = state()
    matrix(college, "post", reverse(f"meetings:{name}", args=[planned.pk]), {
        "anonymous": 302, "norole": 404, "member": 403, "other_secretary": 404, **ADMINS_404}, data=data)
    assert state() == before


def test_get_is_not_allowed_on_post_endpoints(college, held):
    client = client_for(college.organiser)
    for name in ("review", "return", "cancel", "mark", "attachment_add"):
        assert client.get(reverse(f"meetings:{name}", args=[held.pk])).status_code == 405


# ---------------------------------------------------------------- list


def test_the_list_groups_by_month_filters_and_searches(college, planned, held):
    plan(college, starts_at=ahead(days=3), unit=college.t2, actor=college.other_secretary, topic="二支部党员大会")
    client = client_for(college.secretary)
    page = client.get(reverse("meetings:list")).content.decode()
    assert f'data-meeting="{planned.pk}"' in page and f'data-meeting="{held.pk}"' in page
    assert "二支部党员大会" not in page  # another branch's meeting is out of scope
    assert "meeting-month-row" in page and 'id="plan-meeting"' in page
    page = client.get(reverse("meetings:list"), {"status": "held"}).content.decode()
    assert f'data-meeting="{held.pk}"' in page and f'data-meeting="{planned.pk}"' not in page
    page = client.get(reverse("meetings:list"), {"q": "不存在的主题"}).content.decode()
    assert "没有符合条件的会议。" in page


def test_the_list_puts_the_latest_first(college):
    first = plan(college, starts_at=ago(days=40), topic="早")
    last = plan(college, starts_at=ahead(days=10), topic="晚")
    page = client_for(college.secretary).get(reverse("meetings:list")).content.decode()
    assert page.index(f'data-meeting="{last.pk}"') < page.index(f'data-meeting="{first.pk}"')


def test_a_member_sees_only_the_meetings_they_were_expected_at(college, planned):
    other = plan(college, starts_at=ahead(days=2), unit=college.t2, actor=college.other_secretary)
    page = client_for(college.member).get(reverse("meetings:list")).content.decode()
    assert f'data-meeting="{planned.pk}"' in page and f'data-meeting="{other.pk}"' not in page
    assert 'id="plan-meeting"' not in page


def test_the_list_takes_the_same_number_of_queries_at_two_sizes(college):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(college.organiser)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("meetings:list")).status_code == 200
        return len(ctx.captured_queries)

    plan(college, starts_at=ahead(days=1), kind=K.THEME_DAY, also_counts_as=[K.BRANCH_GENERAL, K.GROUP])
    count()  # the first request of a session also writes the session
    small = count()
    for i in range(12):
        plan(college, starts_at=ahead(days=5 + i), kind=K.THEME_DAY, also_counts_as=[K.LECTURE, K.GROUP])
        plan(college, starts_at=ahead(days=5 + i), unit=college.t2, actor=college.other_secretary)
    assert count() == small
    assert small <= 20


# ---------------------------------------------------------------- plan and edit


def plan_form(college, **over):
    day = timezone.localdate() + timedelta(days=3)
    data = {"unit": college.t1.pk, "kind": K.BRANCH_GENERAL, "topic": "讨论接收预备党员", "day": day.isoformat(),
            "starts_at": "14:30", "ends_at": "16:00", "place": "学院会议室301", "host": college.secretary_p.pk,
            "recorder": college.member_p.pk, "agenda": "支委会报告\n\n表决", "note": ""}
    data.update(over)
    return data


def test_a_secretary_plans_a_meeting_with_its_agenda_and_expected_list(college):
    response = client_for(college.secretary).post(
        reverse("meetings:create"), plan_form(college, also_counts_as=[K.THEME_DAY]))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:detail", args=[meeting.pk])
    assert (meeting.unit, meeting.kind, meeting.status, meeting.host, meeting.recorder) == (
        college.t1, K.BRANCH_GENERAL, "planned", college.secretary_p, college.member_p)
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "14:30"
    assert list(meeting.agenda.values_list("order", "title")) == [(1, "支委会报告"), (2, "表决")]
    assert sorted(MeetingCredit.objects.values_list("kind", flat=True)) == ["branch_general", "theme_day"]
    assert set(Attendance.objects.values_list("person__name", "can_vote")) == {("张书记", True), ("王党员", True)}
    assert AuditEvent.objects.filter(action="meetings.meeting.scheduled").count() == 1


def test_service_errors_appear_beside_their_field_and_nothing_is_written(college, planned):
    client = client_for(college.secretary)
    start = timezone.localtime(planned.starts_at)
    before = state()
    duplicate = plan_form(college, day=start.date().isoformat(), starts_at=start.strftime("%H:%M"), ends_at="")
    page = client.post(reverse("meetings:create"), duplicate).content.decode()
    assert 'data-field-error="starts_at"' in page and "已有一次支部党员大会" in page
    page = client.post(reverse("meetings:create"), plan_form(college, ends_at="13:00")).content.decode()
    assert 'data-field-error="ends_at"' in page and "结束时间不能早于开始时间。" in page
    assert state() == before


def test_a_secretary_cannot_plan_for_another_branch(college):
    before = state()
    response = client_for(college.other_secretary).post(reverse("meetings:create"), plan_form(college))
    assert response.status_code == 200 and 'data-field-error="unit"' in response.content.decode()
    assert state() == before


def test_the_form_offers_only_the_kinds_and_combinations_the_unit_may_hold(college):
    client = client_for(college.organiser)
    page = client.get(reverse("meetings:form_fields"), {"unit": college.t2.pk, "kind": K.THEME_DAY}).content.decode()
    assert 'value="branch_committee"' not in page  # JY-T2 has no branch committee
    assert 'name="also_counts_as" value="group"' in page  # JY-T2 has party groups
    page = client.get(reverse("meetings:form_fields"), {"unit": college.u1.pk, "kind": K.THEME_DAY}).content.decode()
    assert 'value="group"' not in page  # JY-U1 has no party group
    page = client.get(reverse("meetings:form_fields"), {"unit": college.jy.pk, "kind": K.LECTURE,
                                                        "audience": "faculty"}).content.decode()
    assert 'name="audience"' in page and 'value="faculty" selected' in page
    assert 'value="committee"' in page and 'value="theme_day"' not in page


def test_a_link_from_the_planner_fills_in_the_sitting(college):
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    form = client_for(college.secretary).get(reverse("meetings:create"), {
        "unit": college.t1.pk, "kind": K.THEME_DAY, "day": day, "also_counts_as": [K.BRANCH_GENERAL, K.GROUP],
    }).context["form"]
    assert (form["unit"].value(), form["kind"].value(), form["day"].value()) == (str(college.t1.pk), K.THEME_DAY, day)
    assert form["also_counts_as"].value() == [K.BRANCH_GENERAL, K.GROUP]


def test_the_refreshed_form_previews_who_will_be_expected(college):
    client = client_for(college.secretary)
    page = client.get(reverse("meetings:form_fields"), {"unit": college.t1.pk, "kind": K.BRANCH_GENERAL,
                                                        "day": timezone.localdate().isoformat()}).content.decode()
    # JY-T1's members: 张书记 and 王党员, both full members.
    assert 'id="preview-count">2<' in page and 'id="preview-voters">2<' in page
    assert "张书记" in page and "王党员" in page
    page = client.get(reverse("meetings:form_fields"), {"unit": college.t1g2.pk, "kind": K.GROUP}).content.decode()
    assert 'id="preview-count">1<' in page and "王党员" in page and "张书记" not in page


def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(college, planned):
    client = client_for(college.secretary)
    start = timezone.localtime(planned.starts_at)
    data = plan_form(college, day=start.date().isoformat(), starts_at=start.strftime("%H:%M"), ends_at="",
                     topic="新主题", version=planned.version)
    response = client.post(reverse("meetings:edit", args=[planned.pk]), data)
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.topic, planned.version) == ("新主题", 2)
    before = state()
    page = client.post(reverse("meetings:edit", args=[planned.pk]), {**data, "topic": "再改", "version": 1})
    assert "该会议已被他人修改，请刷新后重试。" in page.content.decode() and 'id="conflict-help"' in page.content.decode()
    assert state() == before


def test_a_held_meeting_cannot_be_edited(college, held):
    response = client_for(college.secretary).get(reverse("meetings:edit", args=[held.pk]))
    assert response.status_code == 302 and response.url == reverse("meetings:detail", args=[held.pk])


# ---------------------------------------------------------------- the record page


def test_the_detail_page_shows_the_record_and_the_buttons_the_viewer_may_take(college, held):
    record_vote(actor=college.secretary, meeting=held, subject="other", title="通过支部工作计划", in_favour=2)
    page = client_for(college.secretary).get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "通过支部工作计划" in page and 'data-passed="1"' in page
    # Two present of two entitled, two in favour: both rules met, each cited with code and source.
    assert "2／2，须超过半数：符合" in page and "meetings.vote.quorum" in page and "meetings.vote.majority" in page
    assert "支部工作条例（试行） 第11条" in page
    assert 'data-transition="review"' not in page  # the branch does not review its own record
    assert 'id="export-docx"' in page and 'id="mark-form"' in page
    page = client_for(college.organiser).get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert 'data-transition="review"' in page and 'data-transition="return"' in page
    page = client_for(college.member).get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert 'id="mark-form"' not in page and 'id="checkin-panel"' not in page and 'id="workflow-buttons"' in page
    assert 'data-transition="review"' not in page and 'id="record-vote"' not in page


def test_a_planned_meeting_shows_its_workflow_and_the_qr_panel_to_managers(college, started):
    page = client_for(college.secretary).get(reverse("meetings:detail", args=[started.pk])).content.decode()
    assert 'data-transition="record"' in page and 'data-transition="cancel"' in page
    assert 'id="checkin-panel"' in page and "<svg" in page and 'hx-trigger="every 30s"' in page


def test_the_qr_code_holds_a_check_in_url_with_a_valid_token(college, started):
    response = client_for(college.secretary).get(reverse("meetings:checkin_qr", args=[started.pk]))
    qr = response.context["qr"]
    path = reverse("meetings:checkin", args=[started.pk])
    assert qr["qr_url"].startswith(f"http://testserver{path}?t=")
    assert checkin.verify(started, qr["qr_url"].split("?t=")[1]) == "ok"
    assert qr["is_open"] and 'class="checkin-qr"' in response.content.decode()


def test_the_qr_panel_stops_polling_once_the_record_is_reviewed(college, held):
    from dangjian.meetings.services import review_meeting

    review_meeting(actor=college.organiser, meeting=held)
    response = client_for(college.secretary).get(reverse("meetings:checkin_qr", args=[held.pk]))
    assert response.status_code == 286


# ---------------------------------------------------------------- record, vote, review, return, cancel


def record_form(college, meeting, **over):
    data = {"version": meeting.version, "minutes": "书记主持，讨论发展对象。", "resolutions": "同意",
            f"status_{college.secretary_p.pk}": "present", f"reason_{college.secretary_p.pk}": "",
            f"status_{college.member_p.pk}": "excused", f"reason_{college.member_p.pk}": "出差"}
    data.update(over)
    return data


def test_recording_a_meeting_marks_everyone_and_moves_it_to_held(college, started):
    response = client_for(college.secretary).post(reverse("meetings:record", args=[started.pk]),
                                                  record_form(college, started))
    assert response.status_code == 302
    started.refresh_from_db()
    assert (started.status, started.minutes, started.resolutions) == ("held", "书记主持，讨论发展对象。", "同意")
    assert set(Attendance.objects.values_list("person__name", "status", "reason")) == {
        ("张书记", "present", ""), ("王党员", "excused", "出差")}
    assert list(MeetingStep.objects.values_list("transition", "to_status")) == [("schedule", "planned"),
                                                                                ("record", "held")]
    assert AuditEvent.objects.filter(action="meetings.meeting.held").count() == 1


def test_the_record_form_proposes_check_ins_and_present_for_the_unmarked(college, started):
    at = timezone.now()
    from dangjian.meetings.services import check_in

    check_in(user=college.member, meeting=started, token=checkin.checkin_token(started, at), at=at)
    form = client_for(college.secretary).get(reverse("meetings:record", args=[started.pk])).context["form"]
    assert form[f"status_{college.member_p.pk}"].value() == "present"
    assert form[f"status_{college.secretary_p.pk}"].value() == "present"


@pytest.mark.parametrize("over, message", [
    ({"minutes": ""}, "请填写会议记录。"),
    ({"reason_{member}": ""}, "请填写王党员的请假原因。"),
])
def test_a_record_with_errors_is_refused_and_changes_nothing(college, started, over, message):
    over = {k.replace("{member}", str(college.member_p.pk)): v for k, v in over.items()}
    before = state()
    page = client_for(college.secretary).post(reverse("meetings:record", args=[started.pk]),
                                              record_form(college, started, **over)).content.decode()
    assert message in page
    assert state() == before


def test_a_future_meeting_cannot_be_recorded(college, planned):
    before = state()
    page = client_for(college.secretary).post(reverse("meetings:record", args=[planned.pk]),
                                              record_form(college, planned)).content.decode()
    assert "会议尚未召开" in page
    assert state() == before


def test_a_vote_is_recorded_with_the_rules_cited(college, held):
    response = client_for(college.secretary).post(reverse("meetings:vote", args=[held.pk]), {
        "subject": "admission", "title": "接收吴某为预备党员", "in_favour": 2, "against": 0, "abstaining": 0,
        "written_total": 0, "written_in_favour": 0})
    assert response.status_code == 302
    vote = Vote.objects.get()
    # Entitled: 张书记 and 王党员 (2); present 2; in favour 2 > 2/2: passed.
    assert (vote.eligible, vote.present, vote.in_favour, vote.quorum_met, vote.passed) == (2, 2, 2, True, True)
    page = client_for(college.secretary).get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "接收吴某为预备党员" in page and "vote-passed" in page


def test_a_vote_with_an_exclusion_counts_the_entitled_without_them(college, held):
    client_for(college.secretary).post(reverse("meetings:vote", args=[held.pk]), {
        "subject": "other", "title": "工作计划", "in_favour": 1, f"exclude_{college.member_p.pk}": "abroad"})
    vote = Vote.objects.get()
    assert (vote.eligible, vote.present, vote.passed) == (1, 1, True)
    assert list(vote.exclusions.values_list("person__name", "reason")) == [("王党员", "abroad")]


def test_impossible_vote_counts_are_refused_and_nothing_is_saved(college, held):
    before = state()
    page = client_for(college.secretary).post(reverse("meetings:vote", args=[held.pk]), {
        "subject": "other", "title": "工作计划", "in_favour": 3}).content.decode()
    assert "赞成、反对、弃权之和（3）超过到会人数（2）。" in page
    assert state() == before


def test_the_committee_reviews_a_held_record(college, held):
    response = client_for(college.organiser).post(reverse("meetings:review", args=[held.pk]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "reviewed"
    assert AuditEvent.objects.filter(action="meetings.meeting.reviewed").count() == 1


def test_a_return_needs_a_reason_and_then_sends_the_record_back(college, held):
    client = client_for(college.organiser)
    before = state()
    response = client.post(reverse("meetings:return", args=[held.pk]), {"reason": ""}, follow=True)
    assert "请填写退回原因。" in response.content.decode()
    assert state() == before
    client.post(reverse("meetings:return", args=[held.pk]), {"reason": "缺少签到表"})
    held.refresh_from_db()
    assert (held.status, held.returned_reason) == ("returned", "缺少签到表")
    page = client_for(college.secretary).get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "缺少签到表" in page and 'data-transition="resubmit"' in page


def test_a_planned_meeting_is_cancelled_with_a_reason(college, planned):
    client = client_for(college.secretary)
    before = state()
    client.post(reverse("meetings:cancel", args=[planned.pk]), {"reason": ""})
    assert state() == before
    client.post(reverse("meetings:cancel", args=[planned.pk]), {"reason": "与期末考试冲突，改期"})
    planned.refresh_from_db()
    assert planned.status == "cancelled"
    assert MeetingStep.objects.filter(meeting=planned, transition="cancel").get().reason == "与期末考试冲突，改期"


def test_a_reviewed_record_cannot_be_reviewed_again(college, held):
    client = client_for(college.organiser)
    client.post(reverse("meetings:review", args=[held.pk]))
    before = state()
    response = client.post(reverse("meetings:review", args=[held.pk]), follow=True)
    assert "当前状态下不能执行该操作" in response.content.decode()
    assert state() == before


# ---------------------------------------------------------------- attendance by hand, attachments


def test_the_secretary_marks_attendance_by_hand(college, started):
    client = client_for(college.secretary)
    client.post(reverse("meetings:mark", args=[started.pk]),
                {"person": college.member_p.pk, "status": "excused", "reason": "生病"})
    row = Attendance.objects.get(meeting=started, person=college.member_p)
    assert (row.status, row.reason, row.source, row.marked_by) == ("excused", "生病", "manual", college.secretary)
    client_for(college.organiser).post(reverse("meetings:mark", args=[started.pk]),
                                       {"person": college.organiser_p.pk, "status": "present", "is_observer": "on"})
    observer = Attendance.objects.get(meeting=started, person=college.organiser_p)
    assert (observer.is_observer, observer.status, observer.can_vote) == (True, "present", False)


def test_marking_someone_excused_without_a_reason_changes_nothing(college, started):
    before = state()
    response = client_for(college.secretary).post(reverse("meetings:mark", args=[started.pk]),
                                                  {"person": college.member_p.pk, "status": "excused"}, follow=True)
    assert "请填写请假原因。" in response.content.decode()
    assert state() == before


def test_someone_off_the_list_must_be_marked_as_an_observer(college, started):
    before = state()
    response = client_for(college.organiser).post(reverse("meetings:mark", args=[started.pk]),
                                                  {"person": college.organiser_p.pk, "status": "present"}, follow=True)
    assert "周组织不在本次会议的应到名单中" in response.content.decode()
    assert state() == before


def test_attachments_are_uploaded_checked_and_downloaded_within_scope(college, planned, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(college.secretary)
    client.post(reverse("meetings:attachment_add", args=[planned.pk]),
                {"kind": "sign_in", "file": _upload("签到表.png", PNG)})
    item = Attachment.objects.get()
    assert (item.kind, item.name) == ("sign_in", "签到表.png")
    url = reverse("meetings:attachment", args=[planned.pk, item.pk])
    response = client_for(college.member).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert client_for(college.other_secretary).get(url).status_code == 404
    before = state()
    response = client.post(reverse("meetings:attachment_add", args=[planned.pk]),
                           {"kind": "photo", "file": _upload("照片.png", b"not a png")}, follow=True)
    assert "文件内容与扩展名（.png）不符。" in response.content.decode()
    assert state() == before


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# ---------------------------------------------------------------- the phone check-in page


def check_in_page(client, meeting, token):
    return client.post(reverse("meetings:checkin", args=[meeting.pk]), {"t": token})


def test_a_member_checks_in_once_from_the_phone_page(college, started):
    client = client_for(college.member)
    url = f"{reverse('meetings:checkin', args=[started.pk])}?t={checkin.checkin_token(started)}"
    page = client.get(url).content.decode()
    assert 'id="checkin-button"' in page and "学院会议室301" in page
    page = check_in_page(client, started, checkin.checkin_token(started)).content.decode()
    assert "签到成功" in page and 'data-code="checked_in"' in page
    row = Attendance.objects.get(meeting=started, person=college.member_p)
    assert (row.status, row.source) == ("present", "qr")


def test_the_login_page_keeps_the_check_in_url(college, started):
    token = checkin.checkin_token(started)
    response = client_for(None).get(f"{reverse('meetings:checkin', args=[started.pk])}?t={token}")
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next=/meetings/{started.pk}/check-in%3Ft%3D{token}"


def test_a_second_scan_is_told_so_and_changes_nothing(college, started):
    client = client_for(college.member)
    check_in_page(client, started, checkin.checkin_token(started))
    before = state()
    page = check_in_page(client, started, checkin.checkin_token(started)).content.decode()
    assert 'data-code="already_checked_in"' in page and "签到，无需重复扫码。" in page
    assert state() == before


def test_an_expired_token_is_told_so_and_changes_nothing(college, started):
    old = checkin.checkin_token(started, timezone.now() - timedelta(minutes=5))
    before = state()
    page = check_in_page(client_for(college.member), started, old).content.decode()
    assert "签到二维码已过期，请扫描会场屏幕上最新的二维码。" in page
    assert state() == before


def test_a_member_of_another_branch_is_told_they_are_not_expected(college, started):
    before = state()
    page = check_in_page(client_for(college.other_secretary), started, checkin.checkin_token(started)).content.decode()
    assert "您不在本次会议的应到名单中，无需签到" in page
    assert state() == before


def test_a_forged_token_shows_nothing_of_the_meeting_and_changes_nothing(college, started):
    client = client_for(college.member)
    before = state()
    assert "学院会议室301" not in client.get(
        f"{reverse('meetings:checkin', args=[started.pk])}?t=123.deadbeef").content.decode()
    page = check_in_page(client, started, "123.deadbeef").content.decode()
    assert "签到二维码无效，请扫描会场屏幕上的二维码。" in page and "学院会议室301" not in page
    assert state() == before


def test_without_a_token_the_page_explains_how_to_check_in(college, started):
    page = client_for(college.member).get(reverse("meetings:checkin", args=[started.pk])).content.decode()
    assert "请扫描会场的二维码签到" in page and 'id="checkin-button"' not in page


def test_the_check_in_page_fits_a_phone(college, started):
    """No fixed widths: the page's own styles cap the card at 28rem and the button spans it."""
    page = client_for(college.member).get(
        f"{reverse('meetings:checkin', args=[started.pk])}?t={checkin.checkin_token(started)}").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "css/meetings.css" in page and "w-100 checkin-button" in page
    assert "style=" not in page and "<script>" not in page


# ---------------------------------------------------------------- the member's home page


def test_the_member_home_lists_upcoming_meetings_with_check_in_when_open(college, planned, started):
    page = client_for(college.member).get(reverse("home")).content.decode()
    assert 'id="upcoming-meetings"' in page
    assert f'data-meeting="{planned.pk}"' in page and f'data-meeting="{started.pk}"' in page
    assert reverse("meetings:checkin", args=[started.pk]) in page
    assert reverse("meetings:checkin", args=[planned.pk]) not in page  # opens 30 minutes before the start
