"""The year planner: fewest sittings for every requirement, on working days, and each person's load.

Pure tests build units in memory (no database) and pass the registry's combinations and a calendar; the
expected plans are worked out by hand from the rules (RULES.md §1) and meetings/rules.py:
主题党日 may also count as 党员大会, 党课 and 党小组会; 党员大会 as 主题党日, 党课, 组织生活会, 民主评议;
组织生活会 as 民主评议 and 党员大会; 民主评议 as 组织生活会 and 党员大会; 党课 as 主题党日 and 党员大会.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import calendar
from dangjian.core.models import Holiday
from dangjian.meetings.choices import AttendanceStatus as A
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.compliance import FALLBACK_FREQUENCIES
from dangjian.meetings.models import Attendance
from dangjian.meetings.planner import (
    anchor_day,
    meeting_load,
    nth_weekday,
    plan_load,
    plan_summary,
    plan_unit,
    workday_on_or_after,
    year_plan,
)
from dangjian.organizations.models import OrgUnit

from .test_compliance import make_meeting

COMBINATIONS = {
    K.THEME_DAY: {K.BRANCH_GENERAL, K.LECTURE, K.GROUP},
    K.BRANCH_GENERAL: {K.THEME_DAY, K.LECTURE, K.ORG_LIFE, K.MEMBER_APPRAISAL},
    K.ORG_LIFE: {K.MEMBER_APPRAISAL, K.BRANCH_GENERAL},
    K.MEMBER_APPRAISAL: {K.ORG_LIFE, K.BRANCH_GENERAL},
    K.LECTURE: {K.THEME_DAY, K.BRANCH_GENERAL},
}
FREQ = FALLBACK_FREQUENCIES  # RULES.md §1 (党政联席会议 twice a month)
Q4 = {K.ORG_LIFE: 4, K.MEMBER_APPRAISAL: 4, K.LEADERSHIP_LIFE: 4}


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def branch(has_committee=True, **kw):
    return OrgUnit(pk=1, code="B", name="党支部", kind="branch", path="/1/", has_committee=has_committee, **kw)


def group(n, **kw):
    return OrgUnit(pk=10 + n, code=f"B-G{n}", name=f"第{n}党小组", kind="group", parent_id=1, path=f"/1/{10 + n}/", **kw)


def plan(unit=None, groups=(), combinations=COMBINATIONS, is_workday=weekdays, **kw):
    return plan_unit(unit=unit or branch(), year=2026, groups=list(groups), freq=FREQ, combinations=combinations,
                     is_workday=is_workday, preferred_quarter=Q4, **kw)


def table(sittings):
    return [(s.on.isoformat(), s.unit.code, s.kind, sorted(s.counts_as)) for s in sittings]


# ---------------------------------------------------------------- pure


def test_a_branch_with_a_committee_and_two_groups_needs_25_sittings_for_58_requirements():
    sittings = plan(groups=[group(1), group(2)])
    # 4 党员大会 + 12 支委会 + 2×12 党小组会 + 4 党课 + 12 主题党日 + 组织生活会 + 民主评议 = 58 instances;
    # 12 theme days (each also the groups' meetings), 12 committee meetings, one 组织生活会 with 民主评议.
    assert plan_summary(sittings) == {"sittings": 25, "requirements": 58, "combined": 13}
    rows = table(sittings)
    # Theme day on the 2nd Wednesday, the committee a week before it; Q1's 党员大会 joins January's theme day
    # and Q1's 党课 February's (the least loaded sitting of the quarter, earliest first).
    assert rows[:6] == [
        ("2026-01-07", "B", "branch_committee", []),
        ("2026-01-14", "B", "theme_day", ["branch_general", "group"]),
        ("2026-02-04", "B", "branch_committee", []),
        ("2026-02-11", "B", "theme_day", ["group", "lecture"]),
        ("2026-03-04", "B", "branch_committee", []),
        ("2026-03-11", "B", "theme_day", ["group"]),
    ]
    # No theme day may count as 组织生活会: it gets its own sitting in Q4's last month, two weeks after
    # the theme day, and 民主评议 joins it.
    assert rows[-1] == ("2026-12-23", "B", "org_life", ["member_appraisal"])
    jan = sittings[1]
    assert sorted(jan.covers) == [("B", "branch_general", "2026-Q1"), ("B", "theme_day", "2026-01"),
                                  ("B-G1", "group", "2026-01"), ("B-G2", "group", "2026-01")]


def test_without_combinations_every_requirement_needs_its_own_sitting():
    sittings = plan(groups=[group(1), group(2)], combinations={})
    assert plan_summary(sittings) == {"sittings": 58, "requirements": 58, "combined": 0}
    # Groups meet a week after the theme day; the quarter's other sittings go to its least busy month.
    jan = [r for r in table(sittings) if r[0].startswith("2026-01")]
    assert jan == [
        ("2026-01-07", "B", "branch_committee", []),
        ("2026-01-14", "B", "theme_day", []),
        ("2026-01-21", "B-G1", "group", []),
        ("2026-01-21", "B-G2", "group", []),
        ("2026-01-28", "B", "branch_general", []),
    ]


def test_a_branch_without_committee_or_groups_holds_thirteen_sittings():
    sittings = plan(unit=branch(has_committee=False))
    assert plan_summary(sittings) == {"sittings": 13, "requirements": 22, "combined": 9}
    assert {s.kind for s in sittings} == {"theme_day", "org_life"}


def test_the_committee_meets_in_the_first_week_and_jointly_twice_a_month():
    jy = OrgUnit(pk=5, code="JY", name="党委", kind="committee", path="/5/")
    sittings = plan(unit=jy, combinations={})
    # 12 党委会 + 24 党政联席会议 + the secretary's 党课 + 民主生活会.
    assert plan_summary(sittings)["sittings"] == 38
    jan = [r for r in table(sittings) if r[0].startswith("2026-01")]
    # 党委会 on the 1st (a Thursday); joint meetings on the next free day and on the 2nd Wednesday.
    assert jan[:3] == [("2026-01-01", "JY", "committee", []), ("2026-01-02", "JY", "joint", []),
                       ("2026-01-14", "JY", "joint", [])]
    assert [r for r in table(sittings) if r[2] == "leadership_life"] == [
        ("2026-12-23", "JY", "leadership_life", [])]


def test_sittings_avoid_holidays_and_weekends_with_the_official_calendar(db):
    Holiday.objects.create(date=date(2026, 3, 11), is_workday=False, name="校运动会")
    from dangjian.meetings.planner import workday_test

    sittings = plan(groups=[group(1)], is_workday=workday_test(2026))
    for s in sittings:
        assert calendar.is_workday(s.on) and s.on.weekday() < 5, s.on
    days = {(s.kind, s.on.month): s.on for s in sittings}
    assert days[("theme_day", 3)] == date(2026, 3, 12)  # the 2nd Wednesday is the college's holiday
    # 2026-10-07 (the committee's Wednesday) is in the National Day holiday: the next working day.
    assert days[("branch_committee", 10)] == date(2026, 10, 8)


def test_a_fixed_theme_day_moves_to_the_next_working_weekday():
    holidays = {date(2026, 1, 1), date(2026, 1, 2)}
    sittings = plan(unit=branch(has_committee=False), fixed_day=1,
                    is_workday=lambda d: d.weekday() < 5 and d not in holidays)
    themes = [s.on for s in sittings if s.kind == "theme_day"]
    assert themes[:3] == [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)]


def test_planning_from_mid_year_leaves_the_past_alone():
    sittings = plan(groups=[group(1)], start=date(2026, 7, 1))
    assert min(s.on for s in sittings) >= date(2026, 7, 1)
    # 6 theme days + 6 committees + 组织生活会 cover Q3, Q4 and the year's requirements.
    assert plan_summary(sittings) == {"sittings": 13, "requirements": 6 + 6 + 6 + 2 + 2 + 1 + 1, "combined": 7}


def test_a_group_established_mid_year_is_planned_from_then_on():
    sittings = plan(unit=branch(has_committee=False), groups=[group(1, established_on=date(2026, 9, 15))],
                    combinations={})
    assert [s.on.month for s in sittings if s.kind == "group"] == [9, 10, 11, 12]


def test_date_helpers():
    assert nth_weekday(2026, 4, 2, 2) == date(2026, 4, 8)
    assert nth_weekday(2026, 4, 4, 5) == date(2026, 4, 24)  # no 5th Friday: the last one
    assert anchor_day(2026, 2, fixed_day=31, weekday=2, week=2) == date(2026, 2, 28)
    taken = {date(2026, 4, 30)}
    # No free working day left in April from the 30th: the last free one before it.
    assert workday_on_or_after(date(2026, 4, 30), weekdays, taken, date(2026, 1, 1)) == date(2026, 4, 29)


def test_plan_load_counts_each_persons_meetings_and_minutes_per_month():
    sittings = plan(unit=branch(has_committee=True), minutes=120)
    attendees = {"branch_committee": [1], "theme_day": [1, 2], "org_life": [1, 2]}
    load = plan_load(sittings, lambda unit, kind: attendees[kind])
    assert load[1][0] == [2, 240] and load[2][0] == [1, 120]
    assert load[1][11] == [3, 360]  # December: committee, theme day, 组织生活会
    assert sum(m[0] for m in load[2]) == 13


# ---------------------------------------------------------------- with the database


def test_year_plan_for_a_branch_shows_each_persons_hours(college):
    result = year_plan(college.t1, 2026)
    assert result["summary"] == {"sittings": 25, "requirements": 58, "combined": 13}
    load = {r["person"].name: (r["meetings"], r["hours"]) for r in result["load"]}
    # 张书记 sits on the branch committee (12) and attends every theme day (12) and the 组织生活会;
    # 王党员 only the theme days and the 组织生活会. 90 minutes each.
    assert load == {"张书记": (25, 37.5), "王党员": (13, 19.5)}


def test_meeting_load_reads_attendance_with_end_times_or_the_default_duration(college):
    p = college.member_p
    m1 = make_meeting(college.t1, K.THEME_DAY, date(2026, 3, 10), length=120)
    m2 = make_meeting(college.t1, K.BRANCH_GENERAL, date(2026, 3, 24), length=None)  # default: 90 min
    m3 = make_meeting(college.t1, K.LECTURE, date(2026, 4, 7), length=60, status=S.PLANNED)
    m4 = make_meeting(college.t1, K.THEME_DAY, date(2026, 4, 14), status=S.CANCELLED)
    m5 = make_meeting(college.t2, K.THEME_DAY, date(2026, 4, 16))
    for m in (m1, m2, m3, m4):
        Attendance.objects.create(meeting=m, person=p, status=A.PRESENT)
    Attendance.objects.create(meeting=m5, person=p, status=A.PRESENT, is_observer=True)  # sitting in
    load = meeting_load(year=2026, unit=college.t1)
    assert load[p.pk][2] == [2, 3.5]  # 120 + 90 minutes
    assert load[p.pk][3] == [1, 1.0]
    assert set(load) == {p.pk}


def test_meeting_load_is_one_query_at_any_size(college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            meeting_load(year=2026)
        return len(ctx.captured_queries)

    small = count()
    for month in range(1, 13):
        m = make_meeting(college.t1, K.THEME_DAY, date(2026, month, 9))
        for person in (college.member_p, college.secretary_p):
            Attendance.objects.create(meeting=m, person=person, status=A.PRESENT)
    assert count() == small == 2  # the duration rule, then the aggregation
