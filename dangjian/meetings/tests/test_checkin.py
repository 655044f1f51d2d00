"""QR check-in (issue 3 §3 and its acceptance line): a member scans once and is present; a second scan, an
expired token, a member of another branch and a forged token each give a clear message and change nothing.

Registry defaults (meetings/rules.py): 60-second windows, one window of grace, open from 30 minutes before the
start to 30 minutes after the end (start + 180 minutes when no end is set).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEvent, RuleOverride
from dangjian.core.testing import make_user
from dangjian.meetings import checkin
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import (
    MeetingError,
    cancel_meeting,
    check_in,
    mark_attendance,
    record_meeting,
    review_meeting,
    schedule_meeting,
)


@pytest.fixture
def start():
    # A fixed minute boundary keeps the arithmetic of windows readable.
    return timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)


@pytest.fixture
def meeting(college, start):
    return schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.BRANCH_GENERAL, topic="党员大会",
                            starts_at=start, ends_at=start + timedelta(hours=1))


def snapshot():
    return (
        sorted(Attendance.objects.values_list("meeting_id", "person_id", "status", "source", "checked_in_at",
                                              "marked_by_id")),
        AuditEvent.objects.count(),
        list(Meeting.objects.values_list("pk", "status", "version")),
    )


def refused(code, **kwargs):
    before = snapshot()
    with pytest.raises(MeetingError) as exc:
        check_in(**kwargs)
    assert exc.value.code == code, exc.value
    assert snapshot() == before
    return exc.value.message


def test_a_member_scans_and_is_marked_present_by_qr(college, meeting, start):
    at = start + timedelta(minutes=6, seconds=10)
    row = check_in(user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, at), at=at)
    assert (row.person, row.status, row.source, row.checked_in_at, row.marked_by) == (
        college.member_p, "present", "qr", at, college.member)
    [event] = AuditEvent.objects.filter(action="meetings.attendance.checked_in")
    assert (event.actor, event.changes) == (college.member, {"status": ["expected", "present"]})
    assert Attendance.objects.get(meeting=meeting, person=college.secretary_p).status == "expected"


def test_a_second_scan_says_so_and_changes_nothing(college, meeting, start):
    at = start + timedelta(minutes=6)
    check_in(user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, at), at=at)
    later = at + timedelta(minutes=3)
    message = refused("already_checked_in", user=college.member, meeting=meeting,
                      token=checkin.checkin_token(meeting, later), at=later)
    assert message == f"您已于 {timezone.localtime(at):%H:%M} 签到，无需重复扫码。"


def test_a_member_marked_present_by_hand_is_told_so(college, meeting, start):
    mark_attendance(actor=college.secretary, meeting=meeting, person=college.member_p, status="present")
    at = start + timedelta(minutes=6)
    assert "已被登记为出席" in refused("already_checked_in", user=college.member, meeting=meeting,
                                   token=checkin.checkin_token(meeting, at), at=at)


def test_an_expired_token_is_refused_with_its_own_message(college, meeting, start):
    shown = start + timedelta(minutes=1)
    scanned = shown + timedelta(minutes=3)  # three windows later; one window of grace
    message = refused("token_expired", user=college.member, meeting=meeting,
                      token=checkin.checkin_token(meeting, shown), at=scanned)
    assert "已过期" in message


def test_the_token_of_the_previous_window_is_still_accepted(college, meeting, start):
    shown = start + timedelta(minutes=2, seconds=59)
    row = check_in(user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, shown),
                   at=shown + timedelta(seconds=2))
    assert row.status == "present"


def test_a_member_of_another_branch_is_not_expected(college, meeting, start):
    other = make_user("t2member", college.t2_member)
    at = start + timedelta(minutes=6)
    message = refused("not_expected", user=other, meeting=meeting, token=checkin.checkin_token(meeting, at), at=at)
    assert message == "您不在本次会议的应到名单中，无需签到；如需列席，请联系会议记录人登记。"
    refused("not_expected", user=college.norole, meeting=meeting, token=checkin.checkin_token(meeting, at), at=at)


@pytest.mark.parametrize("forge", [
    lambda m, t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # one character changed
    lambda m, t: t.split(".")[0] + ".deadbeefdeadbeefdead",  # right window, made-up MAC
    lambda m, t: "",
    lambda m, t: "hello",
    lambda m, t: "-5.abc",
    lambda m, t: str(int(t.split(".")[0]) + 10) + "." + "0" * 20,
])
def test_a_forged_token_is_refused(college, meeting, start, forge):
    at = start + timedelta(minutes=6)
    token = checkin.checkin_token(meeting, at)
    assert "无效" in refused("token_invalid", user=college.member, meeting=meeting, token=forge(meeting, token), at=at)


def test_the_token_of_another_meeting_or_of_a_future_window_is_invalid(college, meeting, start):
    other = schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.THEME_DAY, topic="主题党日",
                             starts_at=start)
    at = start + timedelta(minutes=6)
    refused("token_invalid", user=college.member, meeting=meeting, token=checkin.checkin_token(other, at), at=at)
    refused("token_invalid", user=college.member, meeting=meeting,
            token=checkin.checkin_token(meeting, at + timedelta(minutes=5)), at=at)


def test_scanning_outside_the_meeting_time_or_at_a_closed_meeting_is_refused(college, meeting, start):
    early = start - timedelta(minutes=31)
    assert "不在签到时间内" in refused("not_open", user=college.member, meeting=meeting,
                                  token=checkin.checkin_token(meeting, early), at=early)
    late = start + timedelta(hours=1, minutes=31)
    refused("not_open", user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, late), at=late)
    at = start + timedelta(minutes=6)
    ok = check_in(user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, at), at=at)
    assert ok.status == "present"
    cancelled = schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.THEME_DAY, topic="取消",
                                 starts_at=start)
    cancel_meeting(actor=college.secretary, meeting=cancelled, reason="改期")
    assert refused("not_open", user=college.member, meeting=cancelled, token=checkin.checkin_token(cancelled, at),
                   at=at) == "会议已取消，无需签到。"
    record_meeting(actor=college.secretary, meeting=meeting, version=1, minutes="记录", resolutions="",
                   attendance={college.secretary_p.pk: "present"})
    review_meeting(actor=college.organiser, meeting=meeting)
    assert "已审核" in refused("not_open", user=college.secretary, meeting=meeting,
                            token=checkin.checkin_token(meeting, at), at=at)


def test_without_an_end_time_check_in_closes_after_the_default_duration(college, start):
    m = schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.THEME_DAY, topic="主题党日", starts_at=start)
    opens, closes = checkin.checkin_period(m)
    assert (opens, closes) == (start - timedelta(minutes=30), start + timedelta(minutes=210))
    assert checkin.is_open(m, start + timedelta(minutes=210)) and not checkin.is_open(m, start + timedelta(minutes=211))


def test_the_window_follows_the_registry(college, meeting, start):
    RuleOverride.objects.create(code="meetings.checkin.window_seconds", value=30, reason="更短")
    RuleOverride.objects.create(code="meetings.checkin.grace_windows", value=0, reason="更严")
    shown = start + timedelta(minutes=6)
    refused("token_expired", user=college.member, meeting=meeting, token=checkin.checkin_token(meeting, shown),
            at=shown + timedelta(seconds=31))
    assert checkin.token_expires_at(shown) == shown + timedelta(seconds=30)


def test_the_qr_code_is_an_inline_svg_without_inline_style():
    svg = checkin.qr_svg("https://dangjian.example.edu.cn/meetings/12/check-in?t=123.abc")
    assert svg.startswith("<svg") and "viewBox" in svg and 'class="checkin-qr"' in svg
    assert "style=" not in svg and "<script" not in svg and "<?xml" not in svg
