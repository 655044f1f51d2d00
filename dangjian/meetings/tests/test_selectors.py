"""Meeting reads: scope, the kinds and combinations of the registry, who is expected on a date, the member's
upcoming meetings, summaries, and a list whose query count does not grow with the data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core import rules as registry
from dangjian.core.permissions import Action
from dangjian.core.testing import give_role, make_person, make_unit
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.rules import FREQUENCY_CODES, RULES, STRICT, threshold_met
from dangjian.meetings.selectors import (
    access_meeting,
    allowed_combinations,
    allowed_kinds,
    attendance_summary,
    available_transitions,
    credits_of,
    expected_attendees,
    meeting_list,
    meetings_visible_to,
    upcoming_for,
)
from dangjian.meetings.services import cancel_meeting, mark_attendance, record_meeting, schedule_meeting


def ago(**delta):
    return (timezone.now() - timedelta(**delta)).replace(second=0, microsecond=0)


def plan(college, unit=None, kind=K.BRANCH_GENERAL, starts_at=None, actor=None, **kw):
    return schedule_meeting(actor=actor or college.organiser, unit=unit or college.t1, kind=kind,
                            topic=kw.pop("topic", "会议"), starts_at=starts_at or ago(days=1), **kw)


def names(pairs):
    return {p.name: vote for p, vote in pairs}


# ---------------------------------------------------------------- the registry


def test_every_rule_has_a_source_a_tag_and_a_chinese_title():
    for rule in RULES:
        assert rule.code.startswith("meetings.") and rule.source and rule.tag and str(rule.title), rule.code
        assert registry.get_rule(rule.code) == rule  # registered by apps.py


def test_frequencies_cover_every_kind_with_a_regular_requirement(db):
    assert set(FREQUENCY_CODES) == set(K.values) - {K.PRE_JOINT}
    expected = {"branch_general": ("quarter", 1), "branch_committee": ("month", 1), "group": ("month", 1),
                "lecture": ("quarter", 1), "theme_day": ("month", 1), "org_life": ("year", 1),
                "member_appraisal": ("year", 1), "leadership_life": ("year", 1), "committee": ("month", 1),
                "joint": ("month", 2)}
    for kind, code in FREQUENCY_CODES.items():
        value = registry.value(code)
        assert (value["period"], value["count"]) == expected[kind], kind


def test_thresholds_read_more_than_half_strictly_and_two_thirds_inclusively():
    assert not threshold_met(2, 4, "meetings.vote.quorum", 0.5) and threshold_met(3, 4, "meetings.vote.quorum", 0.5)
    assert not threshold_met(0, 0, "meetings.vote.quorum", 0.5)
    assert threshold_met(2, 3, "meetings.leadership_life.quorum", 0.6667)
    assert not threshold_met(4, 5, "meetings.election.quorum", 0.8) and threshold_met(5, 5, "meetings.election.quorum",
                                                                                       0.8)
    assert set(STRICT) <= {r.code for r in RULES}


# ---------------------------------------------------------------- kinds and combinations


def test_each_unit_holds_the_kinds_the_registry_allows(college):
    assert allowed_kinds(college.t1) == ["branch_general", "branch_committee", "lecture", "theme_day", "org_life",
                                         "member_appraisal"]
    assert "branch_committee" not in allowed_kinds(college.t2)  # no branch committee
    assert allowed_kinds(college.t1g1) == ["group"]
    assert allowed_kinds(college.jy) == ["lecture", "leadership_life", "committee", "joint", "pre_joint"]


def test_combinations_come_from_the_registry(db):
    assert allowed_combinations(K.THEME_DAY) == {"branch_general", "lecture", "group"}
    assert allowed_combinations(K.ORG_LIFE) == {"member_appraisal", "branch_general"}
    assert allowed_combinations(K.COMMITTEE) == set()


# ---------------------------------------------------------------- expected attendees


def test_expected_attendees_use_the_membership_on_the_meeting_date(college):
    newcomer = make_person(college.t1, "陈新党员", status="probationary", joined_on=date(2026, 1, 10))
    converted = make_person(college.t1, "黄转正", full_member_on=date(2026, 2, 1), joined_on=date(2025, 2, 1))
    before = names(expected_attendees(unit=college.t1, kind=K.BRANCH_GENERAL, on=date(2026, 1, 5)))
    assert before == {"张书记": True, "王党员": True, "黄转正": False}  # 陈 not yet a member; 黄 still probationary
    after = names(expected_attendees(unit=college.t1, kind=K.BRANCH_GENERAL, on=date(2026, 3, 1)))
    assert after == {"张书记": True, "王党员": True, "黄转正": True, newcomer.name: False}
    assert converted.name in after


def test_suspended_and_deleted_members_are_not_expected(college):
    from dangjian.people.models import Person

    make_person(college.t1, "停籍", party_standing="suspended")
    gone = make_person(college.t1, "已删除")
    Person.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    assert set(names(expected_attendees(unit=college.t1, kind=K.THEME_DAY, on=date(2026, 3, 1)))) == {"张书记",
                                                                                                   "王党员"}


def test_committee_meetings_expect_the_committee_and_joint_meetings_also_the_deans(college):
    sec = make_person(college.jy, "院书记")
    give_role(sec, college.jy, "committee_secretary")
    deputy = make_person(college.jy, "院副书记")
    give_role(deputy, college.jy, "committee_deputy")
    dean = make_person(college.jy, "院长", status="masses")
    give_role(dean, college.jy, "dean")
    on = date(2026, 3, 1)
    assert names(expected_attendees(unit=college.jy, kind=K.COMMITTEE, on=on)) == {"院书记": True, "院副书记": True}
    assert names(expected_attendees(unit=college.jy, kind=K.JOINT, on=on)) == {"院书记": True, "院副书记": True,
                                                                                "院长": True}
    assert names(expected_attendees(unit=college.jy, kind=K.LEADERSHIP_LIFE, on=on)) == {"院书记": True,
                                                                                          "院副书记": True}


def test_a_group_meeting_expects_the_group_members_and_its_leader(college):
    give_role(college.member_p, college.t1g1, "group_leader")
    assert names(expected_attendees(unit=college.t1g1, kind=K.GROUP, on=date(2026, 3, 1))) == {"张书记": True,
                                                                                               "王党员": True}
    assert names(expected_attendees(unit=college.t1g2, kind=K.GROUP, on=date(2026, 3, 1))) == {"王党员": True}


# ---------------------------------------------------------------- scope


@pytest.fixture
def meetings(college):
    t1 = plan(college, college.t1, topic="一支部")
    t2 = plan(college, college.t2, topic="二支部")
    group = plan(college, college.t1g1, K.GROUP, topic="一支部第一小组")
    lecture = plan(college, college.jy, K.LECTURE, topic="教工党课", audience="faculty")
    committee = plan(college, college.jy, K.COMMITTEE, topic="党委会")
    return {"t1": t1, "t2": t2, "group": group, "lecture": lecture, "committee": committee}


def visible(user):
    return set(meetings_visible_to(user).values_list("topic", flat=True))


def test_each_viewer_sees_the_meetings_of_their_scope_and_their_own(college, meetings):
    everything = {"一支部", "二支部", "一支部第一小组", "教工党课", "党委会"}
    assert visible(college.organiser) == everything
    assert visible(college.secretary) == {"一支部", "一支部第一小组", "教工党课"}  # the lecture counts for JY-T1
    assert visible(college.other_secretary) == {"二支部", "教工党课"}
    assert visible(college.member) == {"一支部", "教工党课"}  # expected there (not in G1)
    for who in ("norole", "sysadmin", "secadmin", "auditor"):
        assert visible(college.users[who]) == set(), who
    assert meetings_visible_to(college.member, Action.MEETINGS_MANAGE).count() == 0


def test_access_meeting_is_404_for_missing_and_out_of_scope(college, meetings):
    assert access_meeting(college.secretary, meetings["t1"].pk) == meetings["t1"]
    for who, key in (("secretary", "t2"), ("other_secretary", "t1"), ("member", "group"), ("auditor", "t1")):
        with pytest.raises(Http404):
            access_meeting(college.users[who], meetings[key].pk)
    with pytest.raises(Http404):
        access_meeting(college.organiser, 999999)
    with pytest.raises(Http404):
        access_meeting(college.organiser, "abc")
    with pytest.raises(Http404):
        access_meeting(college.member, meetings["t1"].pk, Action.MEETINGS_MANAGE)


def test_available_transitions_depend_on_the_right_of_the_viewer(college, meetings):
    m = meetings["t1"]
    assert [t.name for t in available_transitions(college.secretary, m)] == ["record", "cancel"]
    assert available_transitions(college.member, m) == []
    record_meeting(actor=college.secretary, meeting=m, version=1, minutes="x", resolutions="",
                   attendance={college.secretary_p.pk: "present", college.member_p.pk: "present"})
    m.refresh_from_db()
    assert available_transitions(college.secretary, m) == []
    assert [t.name for t in available_transitions(college.organiser, m)] == ["review", "return"]


def test_credits_of_lists_the_holding_units_requirement_first(college, meetings):
    assert [(c.unit.code, c.kind) for c in credits_of(meetings["lecture"])] == [
        ("JY", "lecture"), ("JY-T1", "lecture"), ("JY-T2", "lecture")]


# ---------------------------------------------------------------- the member's phone, summaries, lists


def test_upcoming_meetings_of_a_member_are_their_planned_ones_in_the_next_days(college):
    soon = plan(college, starts_at=timezone.now() + timedelta(days=3), topic="三天后")
    plan(college, starts_at=timezone.now() + timedelta(days=45), topic="太远")
    plan(college, starts_at=ago(days=2), topic="已过")
    plan(college, college.t2, starts_at=timezone.now() + timedelta(days=2), topic="别的支部")
    off = plan(college, starts_at=timezone.now() + timedelta(days=4), topic="取消了", kind=K.THEME_DAY)
    cancel_meeting(actor=college.organiser, meeting=off, reason="改期")
    assert upcoming_for(college.member_p) == [soon]
    assert [m.topic for m in upcoming_for(college.member_p, days=60)] == ["三天后", "太远"]


def test_attendance_summary_counts_rows_or_falls_back_to_the_ledger_counts(college):
    from dangjian.meetings.services import record_past_meeting

    m = plan(college)
    mark_attendance(actor=college.organiser, meeting=m, person=college.member_p, status="excused", reason="病假")
    mark_attendance(actor=college.organiser, meeting=m, person=college.organiser_p, status="present",
                    is_observer=True)
    assert attendance_summary(m) == {"expected": 2, "present": 0, "excused": 1, "absent": 0, "unmarked": 1,
                                     "observers": 1, "voters": 2}
    past = record_past_meeting(actor=college.organiser, unit=college.t2, kind=K.BRANCH_GENERAL, starts_at=ago(days=30),
                               topic="台账", expected_count=10, present_count=8)
    assert attendance_summary(past) == {"expected": 10, "present": 8, "excused": None, "absent": 2, "unmarked": 0,
                                        "observers": 0, "voters": None}


def test_the_meeting_list_filters_by_unit_kind_status_and_dates(college, meetings):
    def topics(**kw):
        return {m.topic for m in meeting_list(college.organiser, **kw)}

    assert topics(unit=college.t1) == {"一支部", "一支部第一小组", "教工党课"}
    assert topics(kind="lecture") == {"教工党课"}
    assert topics(status="planned", q="支部") == {"一支部", "二支部", "一支部第一小组"}
    assert topics(starts_from=timezone.localdate() + timedelta(days=1)) == set()
    row = next(m for m in meeting_list(college.organiser) if m.topic == "一支部")
    assert (row.n_expected, row.n_present) == (2, 0)


def test_the_meeting_list_needs_the_same_queries_at_two_sizes(college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = list(meeting_list(college.organiser))
            for m in rows:
                _ = (m.unit.name, [c.unit.code for c in m.credits.all()], m.n_expected)
        return len(ctx.captured_queries), len(rows)

    for i in range(2):
        plan(college, starts_at=ago(days=i + 1), kind=K.THEME_DAY, also_counts_as=[K.GROUP])
    small, n_small = count()
    extra = make_unit("JY-T9", "教工第九党支部", "branch", college.jy, category="faculty")
    for i in range(12):
        make_person(extra)
        plan(college, extra, starts_at=ago(days=i + 1), kind=K.THEME_DAY)
    large, n_large = count()
    assert n_large == n_small + 12 and large == small
    assert small <= 6
