"""Meeting reminders for `dangjian remind`: requirements due within 14 days, meetings within 2 days; idempotent.

The fixture college: 张书记 (secretary user) leads JY-T1, 李书记 (other_secretary) JY-T2, 周组织 (organiser) is
the committee's organiser; JY-U1 has no secretary. 王党员 (member) is made leader of JY-T1's second group here.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from dangjian.core.permissions import Role
from dangjian.core.testing import give_role
from dangjian.meetings.choices import AttendanceStatus as A
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.jobs import due_reminders, reminders, soon_reminders
from dangjian.meetings.models import Attendance
from dangjian.notifications.jobs import run_reminders
from dangjian.notifications.models import Notification

from .test_compliance import make_meeting


@pytest.fixture
def leaders(college):
    give_role(college.member_p, college.t2g2, Role.GROUP_LEADER)  # 王党员 leads a JY-T2 group (cross-branch)
    give_role(college.member_p, college.t1g2, Role.GROUP_LEADER)
    return college


def keyed(found):
    return {(r.person_id, r.key) for r in found}


def test_due_requirements_go_to_secretaries_group_leaders_and_the_organiser(leaders):
    c = leaders
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 5, 6))  # JY-T1's May 支委会 is done
    make_meeting(c.t1g2, K.GROUP, date(2026, 5, 11))  # and G2's May 党小组会
    found = due_reminders(date(2026, 5, 25))
    t1, t2, u1, jy = c.t1.pk, c.t2.pk, c.u1.pk, c.jy.pk
    sec, other, member, organiser = (c.secretary_p.pk, c.other_secretary_p.pk, c.member_p.pk,
                                     c.organiser_p.pk)
    # Periods ending by 2026-06-08: May only (Q2 ends 06-30). Met ones are not reminded; JY-U1 has nobody.
    assert keyed(found) == {
        (sec, f"meetings:due:{t1}:group:2026-05"),  # G1 has not met: the branch's roll-up is 1/2
        (sec, f"meetings:due:{t1}:theme_day:2026-05"),
        (member, f"meetings:due:{c.t2g2.pk}:group:2026-05"),
        (other, f"meetings:due:{t2}:group:2026-05"),
        (other, f"meetings:due:{t2}:theme_day:2026-05"),
        (organiser, f"meetings:due:{jy}:committee:2026-05"),
        (organiser, f"meetings:due:{jy}:joint:2026-05"),
    }
    assert not any(str(u1) in r.key.split(":")[2] for r in found)
    roll_up = next(r for r in found if r.key.endswith(f"{t1}:group:2026-05"))
    assert "（1/2）" in roll_up.title and roll_up.due_on == date(2026, 5, 31)


def test_a_quarter_or_the_year_is_reminded_in_its_last_two_weeks(leaders):
    quarter = {r.key.split(":", 3)[3] for r in due_reminders(date(2026, 6, 20))
               if r.person_id == leaders.secretary_p.pk}
    assert {"branch_general:2026-Q2", "lecture:2026-Q2", "theme_day:2026-06", "branch_committee:2026-06"} <= quarter
    year = {r.key.split(":", 3)[3] for r in due_reminders(date(2026, 12, 20))
            if r.person_id == leaders.secretary_p.pk}
    assert {"org_life:2026", "member_appraisal:2026"} <= year
    assert not any(k.startswith(("org_life", "member_appraisal")) for k in quarter)


def test_meetings_within_two_days_are_announced_to_those_expected_but_not_to_the_excused(college):
    when = date(2026, 5, 27)
    m = make_meeting(college.t1, K.THEME_DAY, when, status=S.PLANNED, place="学院会议室", topic="五月主题党日")
    Attendance.objects.create(meeting=m, person=college.secretary_p, status=A.EXPECTED)
    Attendance.objects.create(meeting=m, person=college.member_p, status=A.EXCUSED, reason="出差")
    Attendance.objects.create(meeting=m, person=college.organiser_p, is_observer=True)
    far = make_meeting(college.t1, K.BRANCH_COMMITTEE, date(2026, 5, 29), status=S.PLANNED)
    Attendance.objects.create(meeting=far, person=college.secretary_p)
    held = make_meeting(college.t2, K.THEME_DAY, date(2026, 5, 26))
    Attendance.objects.create(meeting=held, person=college.other_secretary_p, status=A.PRESENT)
    found = soon_reminders(date(2026, 5, 25))
    assert keyed(found) == {(college.secretary_p.pk, f"meetings:soon:{m.pk}:2026-05-27"),
                            (college.organiser_p.pk, f"meetings:soon:{m.pk}:2026-05-27")}
    mine = next(r for r in found if r.person_id == college.secretary_p.pk)
    assert mine.title == "会议提醒：05-27 14:30 教工第一党支部主题党日“五月主题党日”"
    assert mine.body == "地点：学院会议室" and mine.due_on == when
    observer = next(r for r in found if r.person_id == college.organiser_p.pk)
    assert "列席" in observer.body


def test_running_remind_twice_sends_nothing_the_second_time(college):
    m = make_meeting(college.t1, K.THEME_DAY, date(2026, 5, 26), status=S.PLANNED)
    Attendance.objects.create(meeting=m, person=college.member_p)
    today = date(2026, 5, 25)
    first = run_reminders(today)
    assert first["sent"] == Notification.objects.count() > 0
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "secretary", "other_secretary", "organiser", "member"}
    second = run_reminders(today)
    assert second["sent"] == 0 and second["already_sent"] == first["sent"]
    assert Notification.objects.count() == first["sent"]


def test_a_moved_meeting_is_announced_again(college):
    m = make_meeting(college.t1, K.THEME_DAY, date(2026, 5, 26), status=S.PLANNED)
    Attendance.objects.create(meeting=m, person=college.member_p)
    before = {r.key for r in reminders(date(2026, 5, 25)) if r.person_id == college.member_p.pk}
    m.starts_at, m.ends_at = timezone.make_aware(datetime(2026, 5, 27, 9, 0)), None
    m.save()
    after = {r.key for r in reminders(date(2026, 5, 25)) if r.person_id == college.member_p.pk}
    assert before != after and f"meetings:soon:{m.pk}:2026-05-27" in after
