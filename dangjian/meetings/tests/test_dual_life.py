"""双重组织生活: leaders' attendance at their own branch's and group's meetings, per quarter (issue 3 §6).

Year 2026 as of 2026-05-15. Leaders are party members with a committee-level post (党委书记, 副书记, 委员, 院长,
副院长) on JY; the organiser (组织员) is staff, not a leader. Expected counts are worked out by hand below.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.permissions import Role
from dangjian.core.testing import give_role, make_person, make_unit
from dangjian.meetings.choices import AttendanceStatus as A
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.dual_life import dual_life, dual_life_for
from dangjian.meetings.models import Attendance

from .test_compliance import make_meeting

YEAR, AS_OF = 2026, date(2026, 5, 15)


def attend(meeting, person, status, **kw):
    return Attendance.objects.create(meeting=meeting, person=person, status=status, **kw)


@pytest.fixture
def leaders(college):
    c = college
    chief = make_person(c.t1, "陈书记", group=c.t1g1)
    give_role(chief, c.jy, Role.COMMITTEE_SECRETARY)
    dean = make_person(c.t2, "刘院长", group=c.t2g2)
    give_role(dean, c.jy, Role.DEAN)
    deputy = make_person(c.u1, "孙副书记")
    give_role(deputy, c.jy, Role.COMMITTEE_DEPUTY)
    outsider = make_person(c.jy, "吴委员", status="masses")  # not a party member: not a 党员领导干部
    give_role(outsider, c.jy, Role.COMMITTEE_MEMBER)
    former = make_person(c.t2, "郑委员")
    post = give_role(former, c.jy, Role.COMMITTEE_MEMBER, starts_on=date(2020, 1, 1))
    post.ends_on = date(2025, 6, 30)
    post.save()

    jan = make_meeting(c.t1, K.THEME_DAY, date(2026, 1, 20))
    attend(jan, chief, A.PRESENT)
    feb = make_meeting(c.t1, K.BRANCH_GENERAL, date(2026, 2, 24))
    attend(feb, chief, A.ABSENT, reason="出差")
    apr = make_meeting(c.t1g1, K.GROUP, date(2026, 4, 13))
    attend(apr, chief, A.EXCUSED, reason="公务")
    returned = make_meeting(c.t1, K.THEME_DAY, date(2026, 3, 17), status=S.RETURNED)
    attend(returned, chief, A.PRESENT)  # a returned record does not count
    jy = make_meeting(c.jy, K.COMMITTEE, date(2026, 3, 2))
    attend(jy, chief, A.PRESENT)  # the committee's own meeting is not the branch's life
    observer = make_meeting(c.t2, K.THEME_DAY, date(2026, 3, 19))
    attend(observer, chief, A.PRESENT, is_observer=True)  # sitting in at another branch
    attend(observer, dean, A.ABSENT)
    g2 = make_meeting(c.t2g2, K.GROUP, date(2026, 5, 11))
    attend(g2, dean, A.PRESENT)
    later = make_meeting(c.t2g2, K.GROUP, date(2026, 5, 20))  # after as_of
    attend(later, dean, A.PRESENT)
    return {"chief": chief, "dean": dean, "deputy": deputy}


def table(rows):
    return {r.person.name: [(q.label, q.expected, q.present, q.excused, q.absent, q.status) for q in r.quarters]
            for r in rows}


def test_each_leader_gets_four_quarters_of_own_branch_and_group_attendance(leaders):
    result = table(dual_life(year=YEAR, as_of=AS_OF))
    assert set(result) == {"陈书记", "刘院长", "孙副书记"}
    assert result["陈书记"] == [
        ("2026-Q1", 2, 1, 0, 1, "attended"),
        ("2026-Q2", 1, 0, 1, 0, "missed"),
        ("2026-Q3", 0, 0, 0, 0, "upcoming"),
        ("2026-Q4", 0, 0, 0, 0, "upcoming"),
    ]
    assert result["刘院长"][:2] == [("2026-Q1", 1, 0, 0, 1, "missed"), ("2026-Q2", 1, 1, 0, 0, "attended")]
    assert result["孙副书记"][:2] == [("2026-Q1", 0, 0, 0, 0, "no_meetings"), ("2026-Q2", 0, 0, 0, 0, "no_meetings")]


def test_a_leader_row_names_posts_branch_and_group(leaders, college):
    row = next(r for r in dual_life(year=YEAR, as_of=AS_OF) if r.person.name == "陈书记")
    assert row.posts == ["检验医学院党委 党委书记"]
    assert (row.branch, row.group) == (college.t1, college.t1g1)
    assert row.as_dict()["quarters"][0] == {"quarter": "2026-Q1", "expected": 2, "present": 1, "excused": 0,
                                            "absent": 1, "status": "attended"}


def test_dual_life_is_scoped_to_the_committee_posts_the_viewer_may_see(leaders, college):
    assert {r.person.name for r in dual_life_for(college.organiser, YEAR, AS_OF)} == {"陈书记", "刘院长", "孙副书记"}
    for who in ("secretary", "other_secretary", "member", "norole", "sysadmin", "auditor"):
        assert dual_life_for(college.users[who], YEAR, AS_OF) == []


def test_query_count_does_not_grow_with_the_data(leaders, college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            dual_life(year=YEAR, as_of=AS_OF)
        return len(ctx.captured_queries)

    small = count()
    for i in range(5):
        b = make_unit(f"JY-S{i}", f"扩展党支部{i}", "branch", college.jy)
        p = make_person(b, f"委员{i}")
        give_role(p, college.jy, Role.COMMITTEE_MEMBER)
        for m in range(1, 6):
            attend(make_meeting(b, K.THEME_DAY, date(2026, m, 9)), p, A.PRESENT)
    assert count() == small == 2
    assert len(dual_life(year=YEAR, as_of=AS_OF)) == 8
