"""S15/S23 read their counts from the branch general meeting's recorded vote (entered once, in meetings)."""

from datetime import date

import pytest

from dangjian.core.models import AuditEvent
from dangjian.meetings.choices import MeetingKind, MeetingStatus, VoteSubject
from dangjian.meetings.models import Vote
from dangjian.meetings.tests.test_compliance import make_meeting
from dangjian.recruitment import services
from dangjian.recruitment.models import StepRecord
from dangjian.recruitment.services import RecruitmentError

from .factories import open_clean_case


def _vote(meeting, person, subject=VoteSubject.ADMISSION, **counts):
    counts = {"eligible": 18, "present": 15, "in_favour": 14, "against": 1, "written_in_favour": 1, **counts}
    return Vote.objects.create(meeting=meeting, subject=subject, title="接收预备党员", subject_person=person,
                               quorum_met=True, passed=True, **counts)


def test_s15_takes_the_counts_and_date_from_the_meetings_vote(college):
    case = open_clean_case(college, upto="S14")
    meeting = make_meeting(college.t1, MeetingKind.BRANCH_GENERAL, date(2024, 6, 12))
    _vote(meeting, case.person)
    record = services.record_step(actor=college.secretary, case=case, step="S15", date=None, data={},
                                  meeting_id=meeting.pk)
    assert record.date == date(2024, 6, 12) and record.meeting_id == meeting.pk
    assert {k: record.data[k] for k in ("eligible", "present", "in_favour", "against", "written_in_favour")} == {
        "eligible": 18, "present": 15, "in_favour": 14, "against": 1, "written_in_favour": 1}


@pytest.mark.parametrize("problem", ["no_vote_on_this_person", "conversion_vote", "planned_meeting", "other_branch"])
def test_s15_refuses_a_meeting_without_the_right_vote_and_saves_nothing(college, problem):
    case = open_clean_case(college, upto="S14")
    unit = college.t2 if problem == "other_branch" else college.t1
    status = MeetingStatus.PLANNED if problem == "planned_meeting" else MeetingStatus.HELD
    meeting = make_meeting(unit, MeetingKind.BRANCH_GENERAL, date(2024, 6, 12), status=status)
    if problem == "conversion_vote":
        _vote(meeting, case.person, subject=VoteSubject.CONVERSION)
    elif problem != "no_vote_on_this_person":
        _vote(meeting, case.person)
    before = (StepRecord.objects.filter(case=case).count(), AuditEvent.objects.count())
    with pytest.raises(RecruitmentError) as exc:
        services.record_step(actor=college.secretary, case=case, step="S15", date=None, data={},
                             meeting_id=meeting.pk)
    assert exc.value.code == "meeting_vote_not_found" and exc.value.params["field"] == "meeting_id"
    assert (StepRecord.objects.filter(case=case).count(), AuditEvent.objects.count()) == before
