"""Compliance: every status with hand-computed expectations (issue 3 §7 acceptance).

The fixture college (dangjian.core.testing): JY committee; JY-T1 with a branch committee and groups G1, G2;
JY-T2 without a committee, groups G1, G2; JY-U1 without a committee or groups. Year 2026, as of 2026-05-15 —
the middle of Q2 — with the frequencies of RULES.md §1: 党员大会 and 党课 quarterly, 支委会, 党小组会 and
主题党日 monthly, 组织生活会 and 民主评议 yearly; 党委会 monthly, 党政联席会议 twice a month (LOCAL), 书记党课 and
民主生活会 yearly.
Meetings are made directly (a factory may write); credits say what each counts for.
"""

from __future__ import annotations

import time as _time
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.periods import period_of
from dangjian.core.testing import make_unit
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.compliance import (
    Status,
    compliance,
    compliance_for,
    frequencies,
    heatmap,
    month_status,
    period_from_label,
    requirement_meetings,
    summary,
)
from dangjian.meetings.models import Meeting, MeetingCredit
from dangjian.organizations.models import OrgUnit

YEAR = 2026
AS_OF = date(2026, 5, 15)


def at(day: date, hour: int = 14, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def make_meeting(unit, kind, day, *, status=S.HELD, counts_as=(), audience=(), hour=14, minute=30, length=90,
                 topic="", **fields):
    """A meeting (`length` minutes long; None: no end time) with its credits: its own kind at its unit, every `counts_as` kind (党小组会: at each of the
    branch's groups), and `kind` at every unit of `audience` (a lecture's branches) — what the services keep."""
    start = at(day, hour, minute)
    m = Meeting.objects.create(unit=unit, kind=kind, topic=topic or f"{K(kind).label} {day}", starts_at=start,
                               ends_at=start + timedelta(minutes=length) if length else None, status=status,
                               **fields)
    credits = [(unit, kind)] + [(u, kind) for u in audience]
    for k in counts_as:
        if k == K.GROUP and unit.kind == "branch":
            credits += [(g, k) for g in OrgUnit.objects.filter(parent=unit, kind="group").order_by("code")]
        else:
            credits.append((unit, k))
    MeetingCredit.objects.bulk_create([MeetingCredit(meeting=m, unit=u, kind=k) for u, k in credits])
    return m


def rows(report, code, kind):
    unit = next(u for u in report["units"] if u["code"] == code)
    return [(r["period"], r["required"], r["held"], r["status"]) for r in unit["requirements"] if r["kind"] == kind]


def months(*cells):
    """('met', 1, 1), … for January onwards → [("2026-01", required, held, status), …]."""
    return [(f"{YEAR}-{i + 1:02d}", req, held, status) for i, (status, req, held) in enumerate(cells)]


UP = ("upcoming", 1, 0)


@pytest.fixture
def story(college):
    """The year so far, as the module docstring says; each comment gives the rows it produces."""
    c = college
    # JY-T1: one combined sitting in January counts as 主题党日, 党员大会 and 党课 (three kinds).
    make_meeting(c.t1, K.THEME_DAY, date(2026, 1, 20), counts_as=(K.BRANCH_GENERAL, K.LECTURE))
    make_meeting(c.t1, K.THEME_DAY, date(2026, 2, 18), status=S.RETURNED)  # returned: does not count
    make_meeting(c.t1, K.THEME_DAY, date(2026, 3, 18), status=S.REVIEWED)
    make_meeting(c.t1, K.THEME_DAY, date(2026, 5, 10))
    make_meeting(c.t1, K.THEME_DAY, date(2026, 6, 10))  # after as_of: not known on 2026-05-15
    make_meeting(c.t1, K.THEME_DAY, date(2025, 12, 20))  # last year
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 1, 5))
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 2, 5))
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 4, 8))
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 5, 3), status=S.PLANNED)  # planned: does not count
    make_meeting(c.t1, K.BRANCH_COMMITTEE, date(2026, 5, 12), status=S.CANCELLED)
    make_meeting(c.t1g1, K.GROUP, date(2026, 1, 12))
    make_meeting(c.t1g1, K.GROUP, date(2026, 2, 9))
    make_meeting(c.t1g1, K.GROUP, date(2026, 2, 23))
    make_meeting(c.t1g1, K.GROUP, date(2026, 3, 16))
    make_meeting(c.t1g2, K.GROUP, date(2026, 3, 16))
    make_meeting(c.t1g2, K.GROUP, date(2026, 5, 6))
    # The college-wide lecture counts for the committee and for every branch of its audience.
    make_meeting(c.jy, K.LECTURE, date(2026, 4, 22), audience=(c.t1, c.t2, c.u1))
    # JY-T2 has no branch committee, yet met as one in February: shown as held, still not required.
    make_meeting(c.t2, K.BRANCH_COMMITTEE, date(2026, 2, 10))
    # JY-T2's March 主题党日 was held group by group: credited as 党小组会, it counts for both its groups.
    make_meeting(c.t2, K.THEME_DAY, date(2026, 3, 19), counts_as=(K.GROUP,))
    make_meeting(c.jy, K.COMMITTEE, date(2026, 1, 8))
    make_meeting(c.jy, K.COMMITTEE, date(2026, 3, 8))
    make_meeting(c.jy, K.JOINT, date(2026, 1, 6))
    make_meeting(c.jy, K.JOINT, date(2026, 1, 20))
    make_meeting(c.jy, K.JOINT, date(2026, 2, 3))
    return c


def report_for(**kw):
    return compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.all(), **kw)


# ---------------------------------------------------------------- the JSON, unit by unit


def test_the_report_has_exactly_the_issue_shape(story):
    report = report_for()
    assert set(report) == {"year", "as_of", "units"}
    assert (report["year"], report["as_of"]) == (2026, "2026-05-15")
    assert [u["code"] for u in report["units"]] == [
        "JY", "JY-T1", "JY-T1-G1", "JY-T1-G2", "JY-T2", "JY-T2-G1", "JY-T2-G2", "JY-U1"]
    unit = report["units"][1]
    assert set(unit) == {"code", "name", "requirements"}
    assert unit["name"] == "教工第一党支部"
    assert unit["requirements"][0] == {"kind": "branch_general", "period": "2026-Q1", "required": 1, "held": 1,
                                       "status": "met"}
    assert {tuple(r) for u in report["units"] for r in u["requirements"]} == {
        ("kind", "period", "required", "held", "status")}


def test_a_branch_lists_its_seven_requirements_in_order_with_their_periods(story):
    unit = report_for()["units"][1]
    kinds = []
    for r in unit["requirements"]:
        if not kinds or kinds[-1][0] != r["kind"]:
            kinds.append([r["kind"], 0])
        kinds[-1][1] += 1
    assert kinds == [["branch_general", 4], ["branch_committee", 12], ["group", 12], ["lecture", 4],
                     ["theme_day", 12], ["org_life", 1], ["member_appraisal", 1]]


def test_a_combined_sitting_counts_for_three_kinds_and_the_quarter_in_progress_is_due(story):
    report = report_for()
    # 2026-01-20 主题党日 credited as 党员大会 and 党课 too; Q2 contains 2026-05-15 and has no 党员大会 yet.
    assert rows(report, "JY-T1", K.BRANCH_GENERAL) == [
        ("2026-Q1", 1, 1, "met"), ("2026-Q2", 1, 0, "due"), ("2026-Q3", 1, 0, "upcoming"),
        ("2026-Q4", 1, 0, "upcoming")]
    # Q1 by the combined sitting, Q2 by the college-wide lecture of 2026-04-22.
    assert rows(report, "JY-T1", K.LECTURE) == [
        ("2026-Q1", 1, 1, "met"), ("2026-Q2", 1, 1, "met"), ("2026-Q3", 1, 0, "upcoming"),
        ("2026-Q4", 1, 0, "upcoming")]
    assert rows(report, "JY-T1", K.THEME_DAY)[0] == ("2026-01", 1, 1, "met")


def test_a_returned_record_does_not_count_nor_does_one_held_after_as_of(story):
    # Jan met; Feb only a returned record → missed; Mar reviewed → met; Apr nothing → missed;
    # May 10 held → met although the month is in progress; Jun 10 is after as_of → upcoming with 0 held.
    assert rows(report_for(), "JY-T1", K.THEME_DAY) == months(
        ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1),
        *[UP] * 7)


def test_branch_committee_meetings_planned_or_cancelled_do_not_count(story):
    # Jan, Feb, Apr held; March none → missed; May has a planned and a cancelled one → due.
    assert rows(report_for(), "JY-T1", K.BRANCH_COMMITTEE) == months(
        ("met", 1, 1), ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), ("due", 1, 0), *[UP] * 7)


def test_a_branch_without_a_committee_is_not_required_to_hold_one_even_when_it_did(story):
    expected = [(f"2026-{m:02d}", 0, 0, "not_required") for m in range(1, 13)]
    expected[1] = ("2026-02", 0, 1, "not_required")
    assert rows(report_for(), "JY-T2", K.BRANCH_COMMITTEE) == expected


def test_a_party_group_has_its_own_monthly_requirement(story):
    report = report_for()
    # G1: Jan 1, Feb 2, Mar 1, Apr 0, May 0 (due), then upcoming.
    assert rows(report, "JY-T1-G1", K.GROUP) == months(
        ("met", 1, 1), ("met", 1, 2), ("met", 1, 1), ("missed", 1, 0), ("due", 1, 0), *[UP] * 7)
    # G2: Mar 16 and May 6 only.
    assert rows(report, "JY-T1-G2", K.GROUP) == months(
        ("missed", 1, 0), ("missed", 1, 0), ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), *[UP] * 7)
    unit = next(u for u in report["units"] if u["code"] == "JY-T1-G1")
    assert {r["kind"] for r in unit["requirements"]} == {"group"}


def test_a_branch_rolls_up_its_groups_and_a_branch_without_groups_is_not_required(story):
    report = report_for()
    # Two groups → 2 required a month; G1's second February meeting does not make up for G2.
    assert rows(report, "JY-T1", K.GROUP) == months(
        ("missed", 2, 1), ("missed", 2, 1), ("met", 2, 2), ("missed", 2, 0), ("due", 2, 1),
        *[("upcoming", 2, 0)] * 7)
    assert rows(report, "JY-U1", K.GROUP) == [(f"2026-{m:02d}", 0, 0, "not_required") for m in range(1, 13)]


def test_a_branch_sitting_credited_as_group_meeting_counts_for_each_of_its_groups(story):
    report = report_for()
    for code in ("JY-T2-G1", "JY-T2-G2"):
        assert rows(report, code, K.GROUP)[1:4] == [
            ("2026-02", 1, 0, "missed"), ("2026-03", 1, 1, "met"), ("2026-04", 1, 0, "missed")]
    assert rows(report, "JY-T2", K.GROUP)[2] == ("2026-03", 2, 2, "met")


def test_yearly_requirements_are_due_all_year_until_met(story):
    report = report_for()
    assert rows(report, "JY-T1", K.ORG_LIFE) == [("2026", 1, 0, "due")]
    assert rows(report, "JY-T1", K.MEMBER_APPRAISAL) == [("2026", 1, 0, "due")]
    # The college-wide lecture is the committee secretary's lecture of the year.
    assert rows(report, "JY", K.LECTURE) == [("2026", 1, 1, "met")]


def test_the_committee_has_its_own_requirements(story):
    report = report_for()
    jy = report["units"][0]
    assert list(dict.fromkeys(r["kind"] for r in jy["requirements"])) == [
        "committee", "joint", "lecture", "leadership_life"]
    assert rows(report, "JY", K.COMMITTEE) == months(
        ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), ("missed", 1, 0), ("due", 1, 0), *[UP] * 7)
    assert rows(report, "JY", K.LEADERSHIP_LIFE) == [("2026", 1, 0, "due")]
    # 党政联席会议 twice a month: two in January, one in February.
    assert rows(report, "JY", K.JOINT)[:3] == [
        ("2026-01", 2, 2, "met"), ("2026-02", 2, 1, "missed"), ("2026-03", 2, 0, "missed")]


def test_a_lecture_counts_for_every_branch_of_its_audience(story):
    report = report_for()
    for code in ("JY-T2", "JY-U1"):
        assert rows(report, code, K.LECTURE) == [
            ("2026-Q1", 1, 0, "missed"), ("2026-Q2", 1, 1, "met"), ("2026-Q3", 1, 0, "upcoming"),
            ("2026-Q4", 1, 0, "upcoming")]


def test_after_the_year_every_period_is_met_or_missed(story):
    report = compliance(year=YEAR, as_of=date(2027, 1, 10), units_qs=OrgUnit.objects.filter(code="JY-T1"))
    # The June meeting now counts; nothing is due or upcoming any more.
    assert rows(report, "JY-T1", K.THEME_DAY) == months(
        ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), ("missed", 1, 0), ("met", 1, 1), ("met", 1, 1),
        *[("missed", 1, 0)] * 6)
    assert summary(report)["due"] == summary(report)["upcoming"] == 0


def test_before_the_year_every_period_is_upcoming(story):
    report = compliance(year=YEAR, as_of=date(2025, 12, 31), units_qs=OrgUnit.objects.filter(code="JY-T1"))
    statuses = {r["status"] for r in report["units"][0]["requirements"]}
    assert statuses == {"upcoming"}


def test_as_of_the_last_day_of_a_quarter_the_quarter_is_still_due_not_missed(story):
    report = compliance(year=YEAR, as_of=date(2026, 6, 30), units_qs=OrgUnit.objects.filter(code="JY-T1"))
    assert rows(report, "JY-T1", K.BRANCH_GENERAL)[1] == ("2026-Q2", 1, 0, "due")
    report = compliance(year=YEAR, as_of=date(2026, 7, 1), units_qs=OrgUnit.objects.filter(code="JY-T1"))
    assert rows(report, "JY-T1", K.BRANCH_GENERAL)[1] == ("2026-Q2", 1, 0, "missed")


def test_every_status_appears_in_the_story(story):
    assert all(n > 0 for n in summary(report_for()).values())


# ---------------------------------------------------------------- life of a unit, time zone


def test_a_branch_established_mid_year_is_not_required_before_it_existed(college):
    new = make_unit("JY-U3", "本科生第三党支部", "branch", college.jy, established_on=date(2026, 4, 10))
    make_meeting(new, K.THEME_DAY, date(2026, 5, 8))
    report = compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.filter(pk=new.pk))
    assert rows(report, "JY-U3", K.THEME_DAY) == [
        ("2026-01", 0, 0, "not_required"), ("2026-02", 0, 0, "not_required"), ("2026-03", 0, 0, "not_required"),
        ("2026-04", 1, 0, "missed"), ("2026-05", 1, 1, "met"), *months(*[UP] * 12)[5:]]
    assert rows(report, "JY-U3", K.BRANCH_GENERAL) == [
        ("2026-Q1", 0, 0, "not_required"), ("2026-Q2", 1, 0, "due"), ("2026-Q3", 1, 0, "upcoming"),
        ("2026-Q4", 1, 0, "upcoming")]


def test_a_dissolved_branch_is_not_required_from_its_dissolution_and_gone_the_year_after(college):
    gone = make_unit("JY-X", "撤销的党支部", "branch", college.jy, established_on=date(2010, 1, 1),
                     dissolved_on=date(2026, 3, 1))
    report = compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.filter(pk=gone.pk))
    assert rows(report, "JY-X", K.THEME_DAY)[:4] == [
        ("2026-01", 1, 0, "missed"), ("2026-02", 1, 0, "missed"), ("2026-03", 0, 0, "not_required"),
        ("2026-04", 0, 0, "not_required")]
    assert rows(report, "JY-X", K.BRANCH_GENERAL)[0] == ("2026-Q1", 1, 0, "missed")
    assert compliance(year=2027, as_of=date(2027, 5, 1), units_qs=OrgUnit.objects.filter(pk=gone.pk))["units"] == []


def test_a_group_established_mid_year_raises_the_branch_requirement_from_then_on(college):
    make_unit("JY-U1-G1", "第一党小组", "group", college.u1, established_on=date(2026, 3, 5))
    report = compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.filter(code="JY-U1"))
    assert rows(report, "JY-U1", K.GROUP)[:4] == [
        ("2026-01", 0, 0, "not_required"), ("2026-02", 0, 0, "not_required"), ("2026-03", 1, 0, "missed"),
        ("2026-04", 1, 0, "missed")]


def test_months_follow_the_local_time_zone(college):
    # 2026-01-01 07:00 in Shanghai is 2025-12-31 in UTC; 2026-05-15 23:30 local is the as_of day itself.
    make_meeting(college.u1, K.THEME_DAY, date(2026, 1, 1), hour=7, minute=0)
    make_meeting(college.u1, K.THEME_DAY, date(2026, 5, 15), hour=23, minute=30, length=20)
    make_meeting(college.u1, K.THEME_DAY, date(2026, 5, 16), hour=0, minute=10)  # the day after as_of
    report = compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.filter(code="JY-U1"))
    theme = rows(report, "JY-U1", K.THEME_DAY)
    assert theme[0] == ("2026-01", 1, 1, "met")
    assert theme[4] == ("2026-05", 1, 1, "met")


def test_frequencies_come_from_the_registry_with_overrides(college):
    from dangjian.core.models import RuleOverride
    from dangjian.core.rules import RULES

    if "meetings.frequency.lecture" not in RULES:
        pytest.skip("meetings/rules.py does not register the lecture frequency yet")
    RuleOverride.objects.create(code="meetings.frequency.lecture", value={"period": "month", "count": 1})
    assert frequencies()["meetings.frequency.lecture"] == {"period": "month", "count": 1}
    report = compliance(year=YEAR, as_of=AS_OF, units_qs=OrgUnit.objects.filter(code="JY-U1"))
    assert len(rows(report, "JY-U1", K.LECTURE)) == 12


# ---------------------------------------------------------------- scope


def test_compliance_for_is_scoped_to_the_viewer(story):
    c = story
    assert [u["code"] for u in compliance_for(c.secretary, YEAR, AS_OF)["units"]] == [
        "JY-T1", "JY-T1-G1", "JY-T1-G2"]
    assert [u["code"] for u in compliance_for(c.organiser, YEAR, AS_OF, unit=c.t2)["units"]] == [
        "JY-T2", "JY-T2-G1", "JY-T2-G2"]
    for who in ("member", "norole", "sysadmin", "auditor"):
        assert compliance_for(c.users[who], YEAR, AS_OF)["units"] == []


def test_the_drill_down_lists_the_meetings_of_a_cell_including_those_that_do_not_count(story):
    c = story
    feb = requirement_meetings(c.secretary, unit=c.t1, kind=K.THEME_DAY, period_label="2026-02")
    assert [(m.starts_at.date(), m.status) for m in feb] == [(date(2026, 2, 18), "returned")]
    q1 = requirement_meetings(c.organiser, unit=c.t1, kind=K.BRANCH_GENERAL, period_label="2026-Q1")
    assert [m.kind for m in q1] == ["theme_day"]
    groups = requirement_meetings(c.organiser, unit=c.t1, kind=K.GROUP, period_label="2026-02")
    assert [m.unit.code for m in groups] == ["JY-T1-G1", "JY-T1-G1"]
    may = requirement_meetings(c.organiser, unit=c.t1, kind=K.BRANCH_COMMITTEE, period_label="2026-05")
    assert [m.status for m in may] == ["planned"]  # the cancelled one is left out
    t2g1 = requirement_meetings(c.organiser, unit=c.t2g1, kind=K.GROUP, period_label="2026-03")
    assert [(m.unit.code, m.kind) for m in t2g1] == [("JY-T2", "theme_day")]
    t2 = requirement_meetings(c.organiser, unit=c.t2, kind=K.GROUP, period_label="2026-03")
    assert [(m.unit.code, m.kind) for m in t2] == [("JY-T2", "theme_day")]  # once, though credited twice
    assert list(requirement_meetings(c.other_secretary, unit=c.t1, kind=K.THEME_DAY, period_label="2026-02")) == []


def test_period_labels_parse_back():
    assert period_from_label("2026-03").start == date(2026, 3, 1)
    assert period_from_label("2026-Q2").end == date(2026, 6, 30)
    assert period_from_label("2026-H2").start == date(2026, 7, 1)
    assert period_from_label("2026").end == date(2026, 12, 31)
    for bad in ("2026-13", "2026-Q5", "26-01", "2026/01", ""):
        with pytest.raises(ValueError):
            period_from_label(bad)


def test_the_heat_map_shows_the_worst_status_of_each_month(story):
    report = report_for()
    t1 = next(u for u in report["units"] if u["code"] == "JY-T1")
    cells = month_status(t1["requirements"], YEAR)
    # Jan: group roll-up missed; May: several due; June: the Q2 党员大会 is due by its end; July: upcoming;
    # December: the yearly 组织生活会 and 民主评议 are due by the year's end.
    assert cells == ["missed", "missed", "missed", "missed", "due", "due"] + ["upcoming"] * 5 + ["due"]
    u1 = next(u for u in report["units"] if u["code"] == "JY-U1")
    # JY-U1: monthly 主题党日 missed Jan–Apr; Q1 党课 missed shows in March (the quarter's last month).
    assert month_status(u1["requirements"], YEAR)[:3] == ["missed", "missed", "missed"]
    hm = heatmap(report)
    assert hm["units"][1] == "JY-T1" and hm["months"][0] == "01"
    assert [4, 1, Status.SEVERITY["due"], "due"] in hm["cells"]


# ---------------------------------------------------------------- performance


def _grow(college, n_branches: int, per_branch: int):
    """Extra branches with a group each and a year of counting meetings."""
    for i in range(n_branches):
        b = make_unit(f"JY-S{i}", f"扩展党支部{i}", "branch", college.jy, has_committee=True)
        g = make_unit(f"JY-S{i}-G1", "第一党小组", "group", b)
        for j in range(per_branch):
            day = date(2026, 1 + j % 12, 1 + j % 27)
            make_meeting(b, K.THEME_DAY, day, counts_as=(K.BRANCH_GENERAL,))
            make_meeting(g, K.GROUP, day)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_data(story):
    run = report_for
    small = _queries(run)
    _grow(story, 6, 24)
    large = _queries(run)
    assert small == large <= 5


def test_a_demo_sized_college_is_computed_well_under_300_ms(story):
    _grow(story, 6, 36)
    report_for()  # warm up
    started = _time.perf_counter()
    report = report_for()
    elapsed = _time.perf_counter() - started
    assert len(report["units"]) == 8 + 12
    assert elapsed < 0.3, elapsed


# ---------------------------------------------------------------- the demo college


def test_the_demo_college_shows_the_designed_gaps_and_is_computed_fast(db):
    """dangjian/demo/meetings.py's story, read back through compliance (dates relative to today)."""
    from dangjian.core.periods import add_months
    from dangjian.demo import college as demo_college
    from dangjian.meetings.dual_life import dual_life
    from dangjian.meetings.jobs import reminders
    from dangjian.meetings.models import Vote

    demo_college.build()
    today = timezone.localdate()
    reports: dict[int, dict] = {}

    def status(code: str, kind: str, label: str) -> tuple[int, str]:
        year = period_from_label(label).start.year
        if year not in reports:
            reports[year] = compliance(year=year, as_of=today, units_qs=OrgUnit.objects.all())
        unit = next(u for u in reports[year]["units"] if u["code"] == code)
        r = next(r for r in unit["requirements"] if r["kind"] == kind and r["period"] == label)
        return r["held"], r["status"]

    def month(n: int) -> str:
        return add_months(today.replace(day=1), -n).strftime("%Y-%m")

    assert status("JY-T2", K.BRANCH_COMMITTEE, month(2)) == (0, "missed")
    assert status("JY-T2", K.BRANCH_COMMITTEE, month(4)) == (0, "missed")
    assert status("JY-T2", K.BRANCH_COMMITTEE, month(3)) == (1, "met")
    for n in (1, 5):
        assert status("JY-T2-G2", K.GROUP, month(n)) == (0, "missed")
        assert status("JY-T2-G1", K.GROUP, month(n)) == (1, "met")
    for n in (1, 3):
        assert status("JY-U2", K.THEME_DAY, month(n)) == (0, "missed")
    assert status("JY-U1", K.THEME_DAY, month(1)) == (0, "missed")  # returned
    assert Meeting.objects.filter(unit__code="JY-U1", status=S.RETURNED).count() == 1
    assert status("JY-T1", K.THEME_DAY, month(1)) == (1, "met")
    last_quarter = period_of(add_months(today, -3), "quarter").label
    assert status("JY-G1", K.LECTURE, last_quarter) == (0, "missed")
    assert status("JY-T1", K.LECTURE, last_quarter)[1] == "met"
    # A vote at a 支部党员大会, planned sittings ahead, reminders to send, leaders' dual life on record.
    vote = Vote.objects.select_related("meeting").get()
    assert vote.meeting.unit.code == "JY-T1" and vote.meeting.kind == K.BRANCH_GENERAL and vote.passed
    ahead = Meeting.objects.filter(status=S.PLANNED, starts_at__gte=timezone.now()).order_by("starts_at").first()
    assert ahead is not None
    eve = timezone.localtime(ahead.starts_at).date() - timedelta(days=1)
    assert any(r.key.startswith(f"meetings:soon:{ahead.pk}:") for r in reminders(eve))
    leaders = dual_life(year=today.year, as_of=today)
    assert leaders and any(q.present for row in leaders for q in row.quarters)

    with CaptureQueriesContext(connection) as ctx:
        started = _time.perf_counter()
        compliance(year=today.year, as_of=today, units_qs=OrgUnit.objects.all())
        elapsed = _time.perf_counter() - started
    assert len(ctx.captured_queries) <= 5
    assert elapsed < 0.3, elapsed
