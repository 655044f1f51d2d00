"""Recruitment reminders for `dangjian remind`: who is told what, from which day, and never twice."""

from __future__ import annotations

from datetime import date

from dangjian.notifications.jobs import run_reminders
from dangjian.notifications.models import Notification
from dangjian.recruitment import services
from dangjian.recruitment.jobs import reminders

from .factories import D, open_clean_case


def _by_kind(today):
    out = {}
    for r in reminders(today):
        out.setdefault(r.kind, []).append(r)
    return out


def test_an_interview_due_is_announced_to_the_branch_secretary_a_week_before(college):
    open_clean_case(college)  # S01 2022-09-12: the interview is due by 2022-10-12
    assert "recruitment.interview_due" not in _by_kind(date(2022, 10, 4))
    (r,) = _by_kind(date(2022, 10, 5))["recruitment.interview_due"]
    assert r.person_id == college.secretary_p.pk and r.due_on == D("2022-10-12") and "陈申请" in r.title


def test_a_review_due_is_announced_two_weeks_before(college):
    open_clean_case(college, upto="S05")  # S03 2023-03-20: the first review is due by 2023-09-20
    assert "recruitment.review_due" not in _by_kind(date(2023, 9, 5))
    (r,) = _by_kind(date(2023, 9, 6))["recruitment.review_due"]
    assert r.due_on == D("2023-09-20") and r.person_id == college.secretary_p.pk


def test_the_approval_deadline_goes_to_the_organiser(college):
    open_clean_case(college, upto="S16")  # S15 2024-06-12: approval by 2024-09-12
    (r,) = _by_kind(date(2024, 8, 20))["recruitment.approval_deadline"]
    assert r.person_id == college.organiser_p.pk and r.due_on == D("2024-09-12")


def test_the_end_of_the_probation_goes_to_the_secretary_and_the_member_and_moves_with_an_extension(college):
    case = open_clean_case(college, upto="S20")  # probation ends 2025-06-12
    found = _by_kind(date(2025, 5, 20))["recruitment.probation_ending"]
    assert {r.person_id for r in found} == {college.secretary_p.pk, case.person_id}
    assert {r.due_on for r in found} == {D("2025-06-12")}
    services.extend_probation(actor=college.organiser, case=case, decided_on=D("2025-06-15"), months=6, reason="原因")
    assert "recruitment.probation_ending" not in _by_kind(date(2025, 6, 20))
    found = _by_kind(date(2025, 11, 20))["recruitment.probation_ending"]
    assert {r.due_on for r in found} == {D("2025-12-12")}


def test_running_the_reminders_twice_sends_nothing_twice(college):
    from dangjian.core.testing import make_user

    case = open_clean_case(college, upto="S20")
    make_user("chen", case.person)
    run_reminders(date(2025, 5, 20))
    ours = Notification.objects.filter(kind__startswith="recruitment.")
    assert ours.filter(kind="recruitment.probation_ending").count() == 2
    before = ours.count()
    run_reminders(date(2025, 5, 21))
    assert ours.count() == before


def test_closed_cases_are_not_reminded(college):
    case = open_clean_case(college)
    services.cancel_case(actor=college.secretary, case=case, on=D("2022-09-20"), reason="撤回")
    assert list(reminders(date(2022, 10, 5))) == []
