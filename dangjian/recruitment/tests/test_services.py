"""The recruitment services: a case walked from S01 to S25 with the person's record following it, refusals
that save nothing, exceptions that are saved and visible, who may take which step, and 政审 reads logged."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core.errors import ConcurrentEdit, PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.core.testing import give_role, make_person
from dangjian.people.models import Person
from dangjian.recruitment import selectors, services
from dangjian.recruitment.models import Case, StepPerson, StepRecord
from dangjian.recruitment.services import RecruitmentError, RuleViolation

from .factories import CLEAN_DATES, D, open_clean_case, recruit, step_kwargs, walk


def snapshot():
    return (Case.objects.count(), StepRecord.objects.count(), StepPerson.objects.count(), AuditEvent.objects.count())


# ---------------------------------------------------------------- opening a case


def test_opening_a_case_records_the_application_and_makes_the_person_an_applicant(college):
    person = recruit(college)
    case = services.open_case(actor=college.secretary, person=person, applied_on=D("2022-09-12"))
    person.refresh_from_db()
    assert person.political_status == "applicant" and person.applied_on == D("2022-09-12")
    assert person.version == 2
    (s01,) = case.steps.all()
    assert (s01.step, s01.date, s01.documents) == ("S01", D("2022-09-12"), ["入党申请书"])
    assert (case.stage, case.last_step, case.status, case.status_before) == (1, "S01", "open", "masses")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["recruitment.case.opened", "people.person.updated"]
    changes = AuditEvent.objects.get(action="people.person.updated").changes
    assert changes["political_status"] == ["masses", "applicant"]


def test_an_application_before_the_18th_birthday_is_refused_and_nothing_is_saved(college):
    person = recruit(college, birth_date=D("2004-09-13"))
    before = snapshot()
    with pytest.raises(RuleViolation) as exc:
        services.open_case(actor=college.secretary, person=person, applied_on=D("2022-09-12"))
    assert exc.value.code == "too_young"
    assert exc.value.params["field"] == "date"
    (v,) = exc.value.params["violations"]
    assert v["rule"] == "recruitment.min_age" and "2022-09-12" in v["message"] and v["source"] in exc.value.message
    assert snapshot() == before
    person.refresh_from_db()
    assert (person.political_status, person.applied_on, person.version) == ("masses", None, 1)


def test_a_branch_secretary_cannot_record_an_exception(college):
    person = recruit(college, birth_date=D("2004-09-13"))
    before = snapshot()
    with pytest.raises(PermissionDenied) as exc:
        services.open_case(actor=college.secretary, person=person, applied_on=D("2022-09-12"),
                           exception_reason="按上级通知")
    assert exc.value.code == "exception_forbidden"
    assert snapshot() == before


def test_the_organiser_may_record_a_justified_exception_which_is_saved_and_audited(college):
    person = recruit(college, birth_date=D("2004-09-13"))
    case = services.open_case(actor=college.organiser, person=person, applied_on=D("2022-09-12"),
                              exception_reason="出生日期以户籍证明为准，已核实")
    s01 = case.steps.get()
    assert s01.exception_codes == ["too_young@S01"]
    assert s01.exception_by == college.organiser and s01.exception_reason == "出生日期以户籍证明为准，已核实"
    event = AuditEvent.objects.get(action="recruitment.case.exception_recorded")
    assert event.note == "出生日期以户籍证明为准，已核实" and event.changes == {"S01": [None, ["too_young@S01"]]}
    state = selectors.case_state(case)
    assert [v.code for v in state.violations] == ["too_young"]
    assert state.open_violations == []  # excepted, not silenced: still listed, marked as an exception
    assert [e["kind"] for e in selectors.case_timeline(state)] == ["step", "exception"]


def test_a_case_needs_a_person_in_a_branch_without_another_open_case(college):
    student = make_person(college.jy, "党委名下", status="masses", birth_date=D("2000-01-01"))
    with pytest.raises(RecruitmentError) as exc:
        services.open_case(actor=college.organiser, person=student, applied_on=D("2022-09-12"))
    assert exc.value.code == "not_in_branch"
    case = open_clean_case(college)
    with pytest.raises(RecruitmentError) as exc:
        services.open_case(actor=college.secretary, person=case.person, applied_on=D("2022-09-12"))
    assert exc.value.code == "case_exists"
    walk(college, case, "S25")
    case.refresh_from_db()
    with pytest.raises(RecruitmentError) as exc:
        services.open_case(actor=college.secretary, person=case.person, applied_on=D("2022-09-12"))
    assert exc.value.code == "already_member"


def test_a_full_members_file_may_be_entered_from_the_archive_without_demoting_them(college):
    member = college.member_p
    case = services.open_case(actor=college.secretary, person=member, applied_on=D("2005-03-01"))
    member.refresh_from_db()
    assert member.political_status == "full_member" and case.status_before == "masses"


def test_another_branchs_secretary_cannot_open_or_record(college):
    person = recruit(college)
    with pytest.raises(PermissionDenied):
        services.open_case(actor=college.other_secretary, person=person, applied_on=D("2022-09-12"))
    case = open_clean_case(college, name="乙")
    with pytest.raises(PermissionDenied):
        services.record_step(actor=college.other_secretary, case=case, **step_kwargs(college, "S02"))


# ---------------------------------------------------------------- the whole way


def test_a_case_walked_from_s01_to_s25_moves_the_person_from_applicant_to_full_member(college):
    case = open_clean_case(college)
    person = case.person
    statuses = {}
    for upto in ("S03", "S07", "S17", "S24", "S25"):
        start = {"S03": "S02", "S07": "S04", "S17": "S08", "S24": "S18", "S25": "S25"}[upto]
        walk(college, case, upto, start=start)
        person.refresh_from_db()
        statuses[upto] = person.political_status
    assert statuses == {"S03": "activist", "S07": "candidate", "S17": "probationary", "S24": "full_member",
                        "S25": "full_member"}
    assert (person.applied_on, person.activist_on, person.candidate_on) == (
        D("2022-09-12"), D("2023-03-20"), D("2024-03-20"))
    # 党籍 from the branch meeting's resolution (S15); 转正 when the year's probation ends.
    assert (person.joined_on, person.full_member_on) == (D("2024-06-12"), D("2025-06-12"))
    case.refresh_from_db()
    assert (case.status, case.stage, case.last_step) == ("completed", 5, "S25")
    assert StepRecord.objects.filter(case=case).count() == 25
    assert AuditEvent.objects.filter(action="recruitment.case.completed").count() == 1
    assert selectors.case_state(case).violations == []


def test_committee_steps_need_the_committee(college):
    case = open_clean_case(college, upto="S03")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S04"))
    assert snapshot() == before
    services.record_step(actor=college.organiser, case=case, **step_kwargs(college, "S04"))


def test_a_candidate_decision_a_day_short_of_a_year_is_refused_with_nothing_saved(college):
    case = open_clean_case(college, upto="S06")
    person_before = Person.objects.get(pk=case.person_id)
    before = snapshot()
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, step="S07", date=D("2024-03-19"))
    assert exc.value.code == "cultivation_too_short" and exc.value.params["exceptable"] is True
    assert "2024-03-20" in exc.value.message and "细则" in exc.value.message
    assert snapshot() == before
    person = Person.objects.get(pk=case.person_id)
    assert (person.political_status, person.candidate_on, person.version) == (
        "activist", None, person_before.version)
    case.refresh_from_db()
    assert case.last_step == "S06"


def test_a_violation_already_excepted_does_not_block_later_steps(college):
    case = open_clean_case(college, upto="S06")
    services.record_step(actor=college.organiser, case=case, step="S07", date=D("2024-03-19"),
                         exception_reason="经上级党委批准提前一天")
    walk(college, case, "S09", start="S08")
    s07 = case.steps.get(step="S07")
    assert s07.exception_codes == ["cultivation_too_short@S07"]


def test_a_future_date_cannot_be_excepted(college):
    case = open_clean_case(college)
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.organiser, case=case, step="S02", date=date(2099, 1, 1),
                             interviewer=college.secretary_p, exception_reason="试试")
    assert exc.value.code == "future_date" and exc.value.params["exceptable"] is False


def test_correcting_a_step_needs_the_version_it_was_loaded_with(college):
    case = open_clean_case(college, upto="S02")
    s02 = case.steps.get(step="S02")
    with pytest.raises(ConcurrentEdit):
        services.record_step(actor=college.secretary, case=case, **{**step_kwargs(college, "S02"), "date": D("2022-10-06")},
                             version=s02.version + 1)
    with pytest.raises(ConcurrentEdit):  # recording it again as new is a conflict too
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S02"))
    services.record_step(actor=college.secretary, case=case, **{**step_kwargs(college, "S02"), "date": D("2022-10-06")},
                         version=s02.version)
    s02.refresh_from_db()
    assert (s02.date, s02.version) == (D("2022-10-06"), 2)
    event = AuditEvent.objects.filter(action="recruitment.case.step_corrected").get()
    assert event.changes == {"S02.date": ["2022-10-05", "2022-10-06"]}


def test_correcting_the_application_date_corrects_the_roster(college):
    case = open_clean_case(college)
    s01 = case.steps.get(step="S01")
    services.record_step(actor=college.secretary, case=case, step="S01", date=D("2022-09-10"), version=s01.version)
    case.person.refresh_from_db()
    assert case.person.applied_on == D("2022-09-10")


def test_reviews_are_added_one_at_a_time(college):
    case = open_clean_case(college, upto="S05")
    services.add_review(actor=college.secretary, case=case, date=D("2023-09-15"), opinion="积极上进")
    services.add_review(actor=college.secretary, case=case, date=D("2024-03-10"))
    s06 = case.steps.get(step="S06")
    assert [r["date"] for r in s06.data["reviews"]] == ["2023-09-15", "2024-03-10"]
    with pytest.raises(RuleViolation) as exc:
        services.add_review(actor=college.secretary, case=case, date=D("2024-09-11"))
    assert exc.value.code == "review_gap"


def test_mentors_must_be_full_members_on_the_day(college):
    case = open_clean_case(college, upto="S04")
    newcomer = make_person(college.t1, "刘新党员", status="full_member", joined_on=D("2023-01-01"),
                           full_member_on=D("2024-01-01"))
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, step="S05", date=D("2023-03-25"),
                             mentors=[newcomer])
    assert exc.value.code == "mentor_not_full_member"
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, step="S05", date=D("2023-03-25"), mentors=[])
    assert exc.value.code == "mentor_count"


def test_a_sponsor_whose_party_standing_is_not_normal_is_refused(college):
    case = open_clean_case(college, upto="S08")
    Person.objects.filter(pk=college.member_p.pk).update(party_standing="suspended")
    college.member_p.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S09"))
    assert exc.value.code == "sponsor_not_full_member" and "停止党籍" in exc.value.message


def test_the_committee_interview_must_be_by_a_committee_member_or_organiser(college):
    case = open_clean_case(college, upto="S15")
    with pytest.raises(RecruitmentError) as exc:
        services.record_step(actor=college.organiser, case=case, step="S16", date=D("2024-06-20"),
                             interviewer=college.secretary_p)
    assert exc.value.code == "interviewer_not_committee"
    member = make_person(college.jy, "孙委员")
    give_role(member, college.jy, "committee_member")
    services.record_step(actor=college.organiser, case=case, step="S16", date=D("2024-06-20"), interviewer=member)


def test_a_failed_political_review_stops_the_admission(college):
    case = open_clean_case(college, upto="S09")
    services.record_step(actor=college.secretary, case=case, step="S10", date=D("2024-04-20"),
                         data={"conclusion": "unqualified"})
    walk(college, case, "S11", start="S11")
    with pytest.raises(RecruitmentError) as exc:
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S12"))
    assert exc.value.code == "political_review_failed"


def test_vote_counts_are_required_and_checked(college):
    case = open_clean_case(college, upto="S14")
    with pytest.raises(RecruitmentError) as exc:
        services.record_step(actor=college.secretary, case=case, step="S15", date=D("2024-06-12"), data={})
    assert (exc.value.code, exc.value.params["field"]) == ("required", "eligible")
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, step="S15", date=D("2024-06-12"),
                             data={"eligible": 18, "present": 12, "in_favour": 8, "against": 4,
                                   "written_in_favour": 1})
    assert exc.value.code == "vote_majority"
    services.record_step(actor=college.secretary, case=case, step="S15", date=D("2024-06-12"),
                         data={"eligible": 18, "present": 12, "in_favour": 8, "against": 4, "written_in_favour": 2})
    assert case.steps.get(step="S15").data["written_in_favour"] == 2
    # With a meeting record, the counts come from its vote instead (test_meeting_vote.py).


# ---------------------------------------------------------------- probation: extension and cancellation


def test_a_six_month_extension_moves_the_earliest_conversion_vote(college):
    case = open_clean_case(college, upto="S22")
    state = selectors.case_state(case)
    assert [d.earliest for d in state.due if d.step == "S23"] == [D("2025-06-12")]
    services.extend_probation(actor=college.organiser, case=case, decided_on=D("2025-06-15"), months=6,
                              reason="理论学习不够深入")
    case.refresh_from_db()
    state = selectors.case_state(case)
    assert [d.earliest for d in state.due if d.step == "S23"] == [D("2025-12-12")]
    assert state.probation_ends_on == D("2025-12-12")
    with pytest.raises(RuleViolation) as exc:
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S23"))
    assert exc.value.code == "probation_short"
    with pytest.raises(RecruitmentError) as exc:
        services.extend_probation(actor=college.organiser, case=case, decided_on=D("2025-06-16"), months=6,
                                  reason="再次")
    assert exc.value.code == "already_extended"


def test_an_extension_outside_six_to_twelve_months_is_refused(college):
    case = open_clean_case(college, upto="S22")
    before = snapshot()
    with pytest.raises(RuleViolation) as exc:
        services.extend_probation(actor=college.organiser, case=case, decided_on=D("2025-06-15"), months=4,
                                  reason="原因")
    assert exc.value.code == "extension_out_of_range"
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.extend_probation(actor=college.secretary, case=case, decided_on=D("2025-06-15"), months=6,
                                  reason="原因")


def test_converting_after_an_extension_dates_full_membership_from_the_end_of_the_extension(college):
    case = open_clean_case(college, upto="S22")
    services.extend_probation(actor=college.organiser, case=case, decided_on=D("2025-06-15"), months=6, reason="原因")
    services.record_step(actor=college.secretary, case=case, **{**step_kwargs(college, "S23"), "date": D("2025-12-15")})
    services.record_step(actor=college.organiser, case=case, step="S24", date=D("2026-01-10"))
    case.person.refresh_from_db()
    assert case.person.full_member_on == D("2025-12-12")


def test_cancelling_a_probationary_members_status_needs_the_committee_and_restores_the_status(college):
    case = open_clean_case(college, upto="S20")
    case.person.refresh_from_db()
    assert case.person.political_status == "probationary"
    with pytest.raises(PermissionDenied):
        services.cancel_case(actor=college.secretary, case=case, on=D("2025-06-20"), reason="不具备党员条件")
    services.cancel_case(actor=college.organiser, case=case, on=D("2025-06-20"), reason="不具备党员条件")
    case.refresh_from_db()
    case.person.refresh_from_db()
    assert (case.status, case.ended_on) == ("cancelled", D("2025-06-20"))
    assert (case.person.political_status, case.person.joined_on) == ("masses", None)
    with pytest.raises(RecruitmentError) as exc:
        services.record_step(actor=college.secretary, case=case, **step_kwargs(college, "S21"))
    assert exc.value.code == "case_closed"


def test_an_applicant_may_be_dropped_by_the_branch(college):
    case = open_clean_case(college, upto="S02")
    services.cancel_case(actor=college.secretary, case=case, on=D("2023-01-10"), reason="本人撤回申请")
    case.person.refresh_from_db()
    assert case.person.political_status == "masses"
    again = services.open_case(actor=college.secretary, person=case.person, applied_on=D("2023-03-01"))
    assert again.pk != case.pk


# ---------------------------------------------------------------- 政审 material


def test_political_review_material_needs_the_explicit_right_and_every_read_is_logged(college):
    case = open_clean_case(college, upto="S10")
    with pytest.raises(PermissionDenied):
        services.save_political_review(actor=college.secretary, case=case, findings="无问题")
    services.save_political_review(actor=college.organiser, case=case, findings="政治立场坚定，无问题",
                                   methods="谈话、函调")
    saved = AuditEvent.objects.get(action="recruitment.political_review.saved")
    assert "政治立场" not in str(saved.changes)
    with pytest.raises(PermissionDenied):
        services.read_political_review(actor=college.secretary, case=case)
    assert not AuditEvent.objects.filter(action="recruitment.political_review.read").exists()
    review = services.read_political_review(actor=college.organiser, case=case)
    assert review.findings == "政治立场坚定，无问题"
    assert AuditEvent.objects.filter(action="recruitment.political_review.read", actor=college.organiser).count() == 1


def test_the_whole_clean_case_through_the_services_matches_the_hand_built_facts(college):
    from .factories import clean_facts

    case = open_clean_case(college, upto="S25")
    facts = selectors.case_facts(case)
    expected = clean_facts()
    assert facts.dates == expected.dates
    assert facts.reviews == expected.reviews
    assert [m.name for m in facts.sponsors] == ["王党员", "张书记"]
    assert facts.notice_start == expected.notice_start and facts.votes == expected.votes
    assert CLEAN_DATES["S25"] == "2025-07-20"
