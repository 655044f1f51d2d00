"""Votes at a 支部党员大会: eligible voters, exclusions, written opinions, quorum and majority by the registry's
rules, cited with the outcome (支部工作条例 第11条; 发展党员工作细则 第21条、第33条; RULES.md §1.2).

The branch used here, JY-T1, has five full members (张书记, 王党员 and three more) and one probationary member,
who is expected but cannot vote. "More than half" is strict: 3 of 5 is, 2 of 4 is not.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent, RuleOverride
from dangjian.core.testing import make_person
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.models import Attendance, Vote, VoteExclusion
from dangjian.meetings.selectors import vote_result
from dangjian.meetings.services import (
    mark_attendance,
    record_meeting,
    record_vote,
    review_meeting,
    schedule_meeting,
)

SOURCE_11 = "支部工作条例（试行） 第11条"


@pytest.fixture
def branch(college):
    extra = [make_person(college.t1, name, group=college.t1g1) for name in ("孙一", "孙二", "孙三")]
    candidate = make_person(college.t1, "吴预备", status="probationary")
    outsider = make_person(college.t1, "郑发展", status="candidate")
    return {"full": [college.secretary_p, college.member_p, *extra], "probationary": candidate,
            "candidate": outsider}


def meeting_with(college, branch, present=3, kind=K.BRANCH_GENERAL, **over):
    """A 党员大会 of JY-T1 yesterday with the first `present` full members marked present."""
    m = schedule_meeting(actor=college.secretary, unit=college.t1, kind=kind, topic="支部党员大会",
                         starts_at=timezone.now() - timedelta(days=1), **over)
    for i, person in enumerate(branch["full"]):
        mark_attendance(actor=college.secretary, meeting=m, person=person,
                        status="present" if i < present else "absent")
    return m


def state():
    return (Vote.objects.count(), VoteExclusion.objects.count(), AuditEvent.objects.count())


def refused(code, **kwargs):
    before = state()
    with pytest.raises(DomainError) as exc:
        record_vote(**kwargs)
    assert exc.value.code == code, exc.value
    assert state() == before
    return exc.value


def vote(college, m, **kw):
    data = {"actor": college.secretary, "meeting": m, "subject": "admission", "title": "接收吴某为预备党员",
            "in_favour": 3}
    data.update(kw)
    return record_vote(**data)


def test_eligible_voters_are_the_full_members_expected_and_present_those_marked_present(college, branch):
    m = meeting_with(college, branch, present=3)
    assert Attendance.objects.get(meeting=m, person=branch["probationary"]).can_vote is False
    assert not Attendance.objects.filter(meeting=m, person=branch["candidate"]).exists()
    v = vote(college, m, in_favour=3, subject_person=branch["candidate"])
    assert (v.eligible, v.present, v.in_favour) == (5, 3, 3)
    assert (v.quorum_met, v.passed) == (True, True)  # 3 > 5/2 present; 3 > 5/2 in favour
    quorum, majority = v.checks
    assert (quorum.code, quorum.source, quorum.part, quorum.whole, quorum.met) == (
        "meetings.vote.quorum", SOURCE_11, 3, 5, True)
    assert (majority.code, majority.source, majority.part, majority.whole, majority.met) == (
        "meetings.vote.majority", SOURCE_11, 3, 5, True)
    assert quorum.text == f"3／5，须超过半数：符合（表决须有半数以上有表决权的党员到会，{SOURCE_11}）"
    [event] = AuditEvent.objects.filter(action="meetings.vote.recorded")
    assert event.changes["passed"] == [None, True]
    assert [r["code"] for r in event.changes["rules"][1]] == ["meetings.vote.quorum", "meetings.vote.majority"]
    assert SOURCE_11 in event.note


def test_without_a_quorum_the_vote_is_recorded_as_not_passed(college, branch):
    m = meeting_with(college, branch, present=2)
    v = vote(college, m, in_favour=2)
    assert (v.eligible, v.present, v.quorum_met, v.passed) == (5, 2, False, False)
    assert vote_result(v)["quorum"]["met"] is False and "不符合" in vote_result(v)["quorum"]["text"]


def test_the_majority_counts_against_those_entitled_not_those_present(college, branch):
    m = meeting_with(college, branch, present=4)
    v = vote(college, m, in_favour=2, against=1, abstaining=1)
    assert (v.quorum_met, v.passed) == (True, False)  # 2 of 4 present in favour, but not more than 5/2
    assert vote_result(v)["majority"] == {
        "code": "meetings.vote.majority", "title": "赞成人数须超过应到会有表决权党员的半数", "source": SOURCE_11,
        "value": 0.5, "part": 2, "whole": 5, "met": False,
        "text": f"2／5，须超过半数：不符合（赞成人数须超过应到会有表决权党员的半数，{SOURCE_11}）"}


def test_written_opinions_count_for_admission_and_conversion_votes(college, branch):
    m = meeting_with(college, branch, present=3)
    v = vote(college, m, in_favour=2, against=1, written_in_favour=1, written_total=2)
    assert v.passed  # 2 + 1 written = 3 > 5/2
    refused("written_not_allowed", actor=college.secretary, meeting=m, subject="discipline", title="处分",
            in_favour=2, written_in_favour=1, written_total=1)
    refused("bad_count", actor=college.secretary, meeting=m, subject="admission", title="x", in_favour=2,
            written_in_favour=2, written_total=1)


def test_exclusions_leave_members_out_of_the_entitled_count(college, branch):
    m = meeting_with(college, branch, present=3)
    abroad, ill = branch["full"][3], branch["full"][4]
    v = vote(college, m, in_favour=2, exclusions=[(abroad, "abroad"), {"person": ill.pk, "reason": "illness"}])
    assert (v.eligible, v.present, v.passed) == (3, 3, True)  # 2 > 3/2
    assert sorted(v.exclusions.values_list("person__name", "reason")) == [("孙三", "illness"), ("孙二", "abroad")]


def test_bad_exclusions_are_refused(college, branch):
    m = meeting_with(college, branch)
    refused("bad_exclusion", actor=college.secretary, meeting=m, subject="admission", title="x", in_favour=3,
            exclusions=[(branch["probationary"], "abroad")])
    refused("bad_exclusion", actor=college.secretary, meeting=m, subject="admission", title="x", in_favour=3,
            exclusions=[(branch["full"][4], "holiday")])
    refused("bad_exclusion", actor=college.secretary, meeting=m, subject="admission", title="x", in_favour=3,
            exclusions=[(branch["full"][4], "abroad"), (branch["full"][4], "illness")])


@pytest.mark.parametrize(("counts", "code"), [
    ({"present": 6}, "present_exceeds_eligible"),
    ({"in_favour": 3, "against": 1}, "votes_exceed_present"),
    ({"in_favour": 1, "written_in_favour": 3, "written_total": 3}, "written_exceeds_absent"),
    ({"in_favour": -1}, "bad_count"),
    ({"eligible": 0, "present": 0, "in_favour": 0}, "no_voters"),
])
def test_impossible_counts_are_refused_and_nothing_is_saved(college, branch, counts, code):
    m = meeting_with(college, branch, present=3)
    data = {"actor": college.secretary, "meeting": m, "subject": "admission", "title": "x", "in_favour": 3, **counts}
    refused(code, **data)


def test_elections_need_more_than_four_fifths_present(college, branch):
    m = meeting_with(college, branch, present=4)
    v = vote(college, m, subject="election", title="选举支部委员会", in_favour=4)
    assert (v.quorum_met, v.passed) == (False, False)  # 4 of 5 is not more than 4/5
    assert v.checks[0].code == "meetings.election.quorum" and "第5条" in v.checks[0].source
    everyone = meeting_with(college, branch, present=5, kind=K.THEME_DAY, also_counts_as=[K.BRANCH_GENERAL])
    assert vote(college, everyone, subject="election", title="选举", in_favour=3).passed


def test_a_stricter_local_quorum_applies(college, branch):
    RuleOverride.objects.create(code="meetings.vote.quorum", value=0.6667, reason="本院从严：三分之二")
    m = meeting_with(college, branch, present=3)
    v = vote(college, m, in_favour=3)
    assert (v.quorum_met, v.passed) == (False, False)  # 3/5 = 0.6 < 2/3 (strictly more needed)
    assert "2/3" in v.checks[0].text


def test_votes_are_only_taken_at_a_general_meeting_or_a_sitting_that_counts_as_one(college, branch):
    theme = schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.THEME_DAY, topic="主题党日",
                             starts_at=timezone.now() - timedelta(days=2))
    assert "支部党员大会" in refused("vote_not_allowed", actor=college.secretary, meeting=theme, subject="other",
                                 title="x", in_favour=0).message
    combined = meeting_with(college, branch, kind=K.THEME_DAY, also_counts_as=[K.BRANCH_GENERAL])
    assert vote(college, combined).passed


def test_votes_are_refused_in_the_future_at_reviewed_meetings_and_without_the_right(college, branch):
    future = schedule_meeting(actor=college.secretary, unit=college.t1, kind=K.BRANCH_GENERAL, topic="下周大会",
                              starts_at=timezone.now() + timedelta(days=7))
    refused("future_date", actor=college.secretary, meeting=future, subject="admission", title="x", in_favour=3)
    m = meeting_with(college, branch)
    refused("forbidden", actor=college.member, meeting=m, subject="admission", title="x", in_favour=3)
    refused("forbidden", actor=college.other_secretary, meeting=m, subject="admission", title="x", in_favour=3)
    refused("bad_subject", actor=college.secretary, meeting=m, subject="party", title="x", in_favour=3)
    refused("required", actor=college.secretary, meeting=m, subject="admission", title=" ", in_favour=3)
    record_meeting(actor=college.secretary, meeting=m, version=1, minutes="记录", resolutions="",
                   attendance={a.person_id: "present" for a in Attendance.objects.filter(meeting=m, status="expected")})
    review_meeting(actor=college.organiser, meeting=m)
    refused("not_editable", actor=college.secretary, meeting=m, subject="admission", title="x", in_favour=3)


def test_explicit_counts_serve_meetings_without_per_person_lists(college):
    from dangjian.meetings.services import record_past_meeting

    m = record_past_meeting(actor=college.organiser, unit=college.t1, kind=K.BRANCH_GENERAL,
                            starts_at=timezone.now() - timedelta(days=30), topic="党员大会", expected_count=20,
                            present_count=15)
    v = vote(college, m, actor=college.organiser, eligible=18, present=15, in_favour=10)
    assert (v.eligible, v.present, v.quorum_met, v.passed) == (18, 15, True, True)  # 10 > 9
