"""API for meetings: a permission matrix for every endpoint, the bodies, coded errors, check-in, query counts.

Viewers (dangjian.api.tests): anonymous, norole, member (王党员, expected at JY-T1's meetings), secretary (JY-T1),
other_secretary (JY-T2: 404 for JY-T1's meetings), organiser (JY: everything, and reviews), and the three
system administrators (no party data: 403 for writes that need a right anywhere, else 404).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.api.tests import VIEWERS, ApiClient, all_ok, ids, row
from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_person
from dangjian.meetings import checkin
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.models import Attendance, Meeting, Vote
from dangjian.meetings.services import mark_attendance, record_meeting, schedule_meeting

ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}
ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}


@pytest.fixture
def api(college):
    return ApiClient(college)


def yesterday(hours=0):
    return (timezone.now() - timedelta(days=1, hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def t1(college):
    return schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.BRANCH_GENERAL, topic="一支部党员大会",
                            starts_at=yesterday(), place="301")


@pytest.fixture
def t2(college):
    return schedule_meeting(actor=college.other_secretary, unit=college.t2, kind=K.THEME_DAY, topic="二支部主题党日",
                            starts_at=yesterday())


def held(college, meeting):
    return record_meeting(actor=college.secretary, meeting=meeting, version=meeting.version, minutes="记录",
                          resolutions="", attendance={college.secretary_p.pk: "present", college.member_p.pk: "present"})


def detail_row(**over):
    base = {"norole": 404, "member": 200, "secretary": 200, "other_secretary": 404, "organiser": 200, **ADMINS_404}
    return row(**{**base, **over})


# ---------------------------------------------------------------- list and create


def test_the_list_is_scoped(api, college, t1, t2):
    responses = api.matrix("get", "/meetings", all_ok())
    assert ids(responses["organiser"]) == {t1.pk, t2.pk}
    assert ids(responses["secretary"]) == {t1.pk}
    assert ids(responses["other_secretary"]) == {t2.pk}
    assert ids(responses["member"]) == {t1.pk}  # expected there
    for who in ("norole", "sysadmin", "secadmin", "auditor"):
        assert responses[who].json()["total"] == 0, who
    item = responses["secretary"].json()["items"][0]
    assert (item["kind"], item["kind_label"], item["status"], item["n_expected"], item["n_present"]) == (
        "branch_general", "支部党员大会", "planned", 2, 0)
    assert item["credits"] == [{"unit": {"id": college.t1.pk, "code": "JY-T1", "name": "教工第一党支部",
                                         "kind": "branch"}, "kind": "branch_general", "kind_label": "支部党员大会"}]


def test_the_list_filters_and_refuses_bad_values(api, college, t1, t2):
    assert api.get("organiser", "/meetings", {"unit": college.t2.pk}).json()["total"] == 1
    assert api.get("organiser", "/meetings", {"kind": "theme_day"}).json()["total"] == 1
    assert api.get("organiser", "/meetings", {"unit": 999999}).json()["total"] == 0
    assert api.get("organiser", "/meetings", {"q": "一支部"}).json()["total"] == 1
    assert api.get("organiser", "/meetings", {"kind": "party"}).status_code == 422
    assert api.get("secretary", "/meetings", {"unit": college.t2.pk}).json()["total"] == 0


def test_the_list_needs_the_same_queries_at_two_sizes(api, college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("organiser", "/meetings", {"limit": 500}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first call stamps the token's last use
    for i in range(2):
        schedule_meeting(actor=college.organiser, unit=college.t1, kind=K.THEME_DAY, topic="主题党日",
                         starts_at=yesterday(hours=i), also_counts_as=[K.GROUP])
    small = count()
    for i in range(15):
        make_person(college.t2)
        schedule_meeting(actor=college.organiser, unit=college.t2, kind=K.THEME_DAY, topic="主题党日",
                         starts_at=yesterday(hours=i))
    assert count() == small


def test_creating_a_meeting_matrix(api, college):
    def body(who):
        n = VIEWERS.index(who)
        return {"unit_id": college.t1.pk, "kind": "theme_day", "topic": f"主题党日{who}",
                "starts_at": (timezone.now() + timedelta(days=3, hours=n)).replace(microsecond=0).isoformat(),
                "also_counts_as": ["group"], "agenda": [{"title": "学习"}]}

    responses = api.matrix("post", "/meetings", row(
        norole=403, member=403, secretary=201, other_secretary=404, organiser=201, **ADMINS_403), data=body)
    data = responses["secretary"].json()
    assert data["status"] == "planned" and data["version"] == 1 and data["also_counts_as"] == ["group"]
    assert {(c["unit"]["code"], c["kind"]) for c in data["credits"]} == {
        ("JY-T1", "theme_day"), ("JY-T1-G1", "group"), ("JY-T1-G2", "group")}
    assert data["agenda"] == [{"order": 1, "title": "学习", "notes": ""}]
    assert data["transitions"] == ["record", "cancel"]
    assert data["summary"]["expected"] == 2
    assert data["steps"][0]["transition"] == "schedule"


def test_a_lecture_for_a_segment_and_domain_errors_over_the_api(api, college):
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0).isoformat()
    response = api.post("organiser", "/meetings", {"unit_id": college.jy.pk, "kind": "lecture", "topic": "党课",
                                                   "starts_at": start, "audience": "faculty",
                                                   "lecturer_id": college.organiser_p.pk})
    assert response.status_code == 201, response.content
    assert {c["unit"]["code"] for c in response.json()["credits"]} == {"JY", "JY-T1", "JY-T2"}
    assert response.json()["lecturer"] == {"id": college.organiser_p.pk, "name": "周组织"}
    refused = api.post("organiser", "/meetings", {"unit_id": college.t2.pk, "kind": "branch_committee",
                                                  "topic": "支委会", "starts_at": start})
    assert refused.status_code == 400
    assert refused.json() == {"code": "kind_not_allowed", "message": "教工第二党支部未设支部委员会，不能召开支委会。",
                              "params": {"field": "kind"}}
    assert api.post("organiser", "/meetings", {"unit_id": college.t1.pk, "kind": "king", "topic": "x",
                                               "starts_at": start}).status_code == 422
    assert api.post("secretary", "/meetings", {"unit_id": college.t1.pk, "kind": "theme_day", "topic": "x",
                                               "starts_at": start, "host_id": college.t2_member.pk}).status_code == 404


# ---------------------------------------------------------------- one meeting


@pytest.mark.parametrize("suffix", ["", "/attendance", "/votes"])
def test_reading_a_meeting_matrix(api, college, t1, t2, suffix):
    api.matrix("get", f"/meetings/{t1.pk}{suffix}", detail_row())
    api.matrix("get", f"/meetings/{t2.pk}{suffix}", detail_row(member=404, secretary=404, other_secretary=200))
    assert api.get("organiser", f"/meetings/999999{suffix}").json() == {"code": "not_found",
                                                                       "message": "未找到或无权访问"}


def test_the_attendance_list_shows_expected_people_then_observers(api, college, t1):
    mark_attendance(actor=college.secretary, meeting=t1, person=college.organiser_p, status="present",
                    is_observer=True)
    data = api.get("secretary", f"/meetings/{t1.pk}/attendance").json()
    assert [(a["person"]["name"], a["status"], a["is_observer"], a["can_vote"]) for a in data] == [
        ("王党员", "expected", False, True), ("张书记", "expected", False, True), ("周组织", "present", True, False)]


def test_updating_a_meeting_matrix_and_version_check(api, college, t1):
    def body(who):
        return {"version": Meeting.objects.get(pk=t1.pk).version, "place": f"地点{who}"}

    api.matrix("patch", f"/meetings/{t1.pk}", detail_row(member=403, secretary=200, organiser=200,
                                                          anonymous=401), data=body)
    assert Meeting.objects.get(pk=t1.pk).place == "地点organiser"
    stale = api.patch("secretary", f"/meetings/{t1.pk}", {"version": 1, "place": "x"})
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_edit"
    assert api.patch("secretary", f"/meetings/{t1.pk}", {"version": 3, "colour": "red"}).status_code == 422
    moved = api.patch("organiser", f"/meetings/{t1.pk}", {"version": 3, "unit_id": college.t2.pk})
    assert moved.status_code == 200 and moved.json()["unit"]["code"] == "JY-T2"
    assert {a["person"]["name"] for a in api.get("organiser", f"/meetings/{t1.pk}/attendance").json()} == {
        "李书记", "赵党员"}


def test_recording_a_meeting_matrix(api, college, t1):
    def body(who):
        return {"version": Meeting.objects.get(pk=t1.pk).version, "minutes": f"记录{who}",
                "attendance": [{"person_id": college.secretary_p.pk, "status": "present"},
                               {"person_id": college.member_p.pk, "status": "excused", "reason": "出差"}]}

    responses = api.matrix("post", f"/meetings/{t1.pk}/record", detail_row(
        member=403, secretary=200, organiser=400), data=body)
    data = responses["secretary"].json()
    assert (data["status"], data["minutes"], data["summary"]["present"], data["summary"]["excused"]) == (
        "held", "记录secretary", 1, 1)
    assert responses["organiser"].json()["code"] == "bad_transition"


def test_recording_errors_name_the_field(api, college, t1):
    response = api.post("secretary", f"/meetings/{t1.pk}/record", {
        "version": 1, "minutes": "记录", "attendance": [{"person_id": college.member_p.pk, "status": "excused"}]})
    assert response.status_code == 400
    assert response.json() == {"code": "reason_required", "message": "请填写王党员的请假原因。",
                               "params": {"field": "attendance"}}
    incomplete = api.post("secretary", f"/meetings/{t1.pk}/record", {"version": 1, "minutes": "记录"})
    assert incomplete.json()["code"] == "attendance_incomplete"
    assert Meeting.objects.get(pk=t1.pk).status == "planned"


def test_reviewing_and_returning_matrix(api, college, t1):
    held(college, t1)
    api.matrix("post", f"/meetings/{t1.pk}/return", detail_row(member=403, secretary=403, organiser=200),
               data={"reason": "缺少决议"})
    assert Meeting.objects.get(pk=t1.pk).returned_reason == "缺少决议"
    m = Meeting.objects.get(pk=t1.pk)
    record_meeting(actor=college.secretary, meeting=m, version=m.version, minutes="补充", resolutions="决议")
    responses = api.matrix("post", f"/meetings/{t1.pk}/review", detail_row(member=403, secretary=403, organiser=200))
    assert responses["organiser"].json()["status"] == "reviewed"
    assert [s["transition"] for s in responses["organiser"].json()["steps"]] == [
        "schedule", "record", "return", "resubmit", "review"]
    assert api.post("organiser", f"/meetings/{t1.pk}/return", {"reason": "x"}).json()["code"] == "bad_transition"


def test_returning_without_a_reason_is_refused(api, college, t1):
    held(college, t1)
    response = api.post("organiser", f"/meetings/{t1.pk}/return", {"reason": " "})
    assert response.status_code == 400 and response.json()["params"] == {"field": "reason"}


def test_cancelling_matrix(api, college, t1):
    responses = api.matrix("post", f"/meetings/{t1.pk}/cancel", detail_row(
        member=403, secretary=200, organiser=400), data={"reason": "改期"})
    assert responses["secretary"].json()["status"] == "cancelled"


# ---------------------------------------------------------------- attendance and check-in


def test_marking_attendance_matrix(api, college, t1):
    body = {"person_id": college.member_p.pk, "status": "excused", "reason": "出差"}
    responses = api.matrix("post", f"/meetings/{t1.pk}/attendance", detail_row(
        member=403, secretary=200, organiser=200), data=body)
    assert responses["organiser"].json()["status"] == "excused"
    stranger = api.post("secretary", f"/meetings/{t1.pk}/attendance",
                        {"person_id": college.t2_member.pk, "status": "present", "is_observer": True})
    assert stranger.status_code == 404  # not on the list and not in the secretary's scope
    observer = api.post("organiser", f"/meetings/{t1.pk}/attendance",
                        {"person_id": college.t2_member.pk, "status": "present", "is_observer": True})
    assert observer.status_code == 200 and observer.json()["is_observer"] is True


def test_check_in_matrix(api, college, t1):
    token = checkin.checkin_token(t1)
    t1.starts_at = timezone.now() - timedelta(minutes=10)
    Meeting.objects.filter(pk=t1.pk).update(starts_at=t1.starts_at)
    responses = api.matrix("post", f"/meetings/{t1.pk}/check-in", row(
        norole=400, member=200, secretary=200, other_secretary=400, organiser=400, sysadmin=400, secadmin=400,
        auditor=400), data={"token": token})
    assert responses["member"].json()["code"] == "checked_in"
    assert responses["member"].json()["attendance"]["status"] == "present"
    assert responses["other_secretary"].json() == {
        "code": "not_expected", "message": "您不在本次会议的应到名单中，无需签到；如需列席，请联系会议记录人登记。"}
    again = api.post("member", f"/meetings/{t1.pk}/check-in", {"token": checkin.checkin_token(t1)})
    assert again.status_code == 400 and again.json()["code"] == "already_checked_in"
    assert api.post("member", "/meetings/999999/check-in", {"token": token}).status_code == 404


def test_forged_and_expired_tokens_change_nothing_over_the_api(api, college, t1):
    Meeting.objects.filter(pk=t1.pk).update(starts_at=timezone.now() - timedelta(minutes=10))
    t1.refresh_from_db()
    before = (list(Attendance.objects.values_list("status", flat=True)), AuditEvent.objects.count())
    forged = api.post("member", f"/meetings/{t1.pk}/check-in", {"token": "12345.0123456789abcdef0123"})
    assert forged.json()["code"] == "token_invalid"
    old = checkin.checkin_token(t1, timezone.now() - timedelta(minutes=5))
    assert api.post("member", f"/meetings/{t1.pk}/check-in", {"token": old}).json()["code"] == "token_expired"
    assert (list(Attendance.objects.values_list("status", flat=True)), AuditEvent.objects.count()) == before


def test_the_check_in_token_for_the_screen_matrix(api, college, t1):
    responses = api.matrix("get", f"/meetings/{t1.pk}/check-in-token", detail_row(member=403))
    data = responses["secretary"].json()
    assert checkin.verify(t1, data["token"]) == "ok"
    assert data["url"].endswith(f"/meetings/{t1.pk}/check-in?t={data['token']}")
    assert data["svg"].startswith("<svg")


# ---------------------------------------------------------------- votes and attachments


def test_recording_a_vote_matrix_and_the_rules_cited(api, college, t1):
    for person in (college.secretary_p, college.member_p):
        mark_attendance(actor=college.secretary, meeting=t1, person=person, status="present")
    body = {"subject": "admission", "title": "接收预备党员", "in_favour": 2}
    responses = api.matrix("post", f"/meetings/{t1.pk}/votes", detail_row(
        member=403, secretary=201, organiser=201), data=body)
    data = responses["secretary"].json()
    assert (data["eligible"], data["present"], data["quorum_met"], data["passed"]) == (2, 2, True, True)
    assert data["quorum"]["code"] == "meetings.vote.quorum"
    assert data["quorum"]["source"] == "支部工作条例（试行） 第11条"
    assert data["majority"]["text"].startswith("2／2，须超过半数：符合")
    assert Vote.objects.count() == 2
    impossible = api.post("secretary", f"/meetings/{t1.pk}/votes", {**body, "in_favour": 2, "against": 1})
    assert impossible.status_code == 400 and impossible.json()["code"] == "votes_exceed_present"
    assert Vote.objects.count() == 2
    listed = api.get("member", f"/meetings/{t1.pk}/votes").json()
    assert [v["passed"] for v in listed] == [True, True]


def test_uploading_an_attachment(api, college, t1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(who, name, content, kind="summary"):
        return api.client.post(f"/api/v1/meetings/{t1.pk}/attachments?kind={kind}",
                               {"file": SimpleUploadedFile(name, content)}, **api.headers(who))

    ok = upload("secretary", "纪要.pdf", b"%PDF-1.4 test")
    assert ok.status_code == 201, ok.content
    assert ok.json()["name"] == "纪要.pdf" and ok.json()["kind_label"] == "纪要"
    assert upload("member", "纪要.pdf", b"%PDF").status_code == 403
    assert upload("other_secretary", "纪要.pdf", b"%PDF").status_code == 404
    bad = upload("secretary", "a.exe", b"MZ")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_file_type"
    assert api.get("secretary", f"/meetings/{t1.pk}").json()["attachments"][0]["name"] == "纪要.pdf"


def test_every_endpoint_declares_its_error_codes(api):
    schema = json.loads(api.client.get("/api/v1/openapi.json").content)
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/meetings")}
    mine = {"", "/{meeting_id}", "/{meeting_id}/record", "/{meeting_id}/review", "/{meeting_id}/return",
            "/{meeting_id}/cancel", "/{meeting_id}/attendance", "/{meeting_id}/check-in",
            "/{meeting_id}/check-in-token", "/{meeting_id}/votes", "/{meeting_id}/attachments"}
    assert {"/api/v1/meetings" + p for p in mine} <= set(paths)
    for path, ops in paths.items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "422"} <= codes, (method, path)
            if method != "get":
                assert {"400", "403", "404"} <= codes, (method, path)
