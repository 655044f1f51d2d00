"""Each violation code of issue 4 from hand-computed dates (RULES.md §3), and a clean case that gives none.

The clean case is tests/factories.py's; each test changes one fact and names the date the rule allows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dangjian.core.models import Holiday
from dangjian.recruitment.checks import CODES, Member, Params, Vote, check_case
from dangjian.recruitment.guidance import next_due

from .factories import D, clean_facts

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


@pytest.fixture
def params():
    return Params.load(today=TODAY)


def codes(facts, params) -> list[tuple[str, str]]:
    return [(v.code, v.step) for v in check_case(facts, params)]


def test_a_clean_case_gives_no_violation(params):
    assert check_case(clean_facts(), params) == []


def test_a_clean_case_at_every_stage_gives_no_violation(params):
    for upto in ("S01", "S02", "S03", "S05", "S07", "S11", "S13", "S15", "S17", "S20", "S23", "S24"):
        assert check_case(clean_facts(upto), params) == [], upto


def test_every_violation_cites_a_registered_rule_with_its_source(params):
    from dangjian.core.rules import RULES

    f = clean_facts()
    f.dates["S07"] = D("2024-03-19")
    (v,) = check_case(f, params)
    assert v.rule == "recruitment.activist_min_months_before_candidate"
    assert v.source == RULES[v.rule].source and "细则" in v.source
    assert "2024-03-19" in v.message and "2023-03-20" in v.message and "2024-03-20" in v.message
    assert v.dates == {"S03": "2023-03-20", "S07": "2024-03-19"}
    assert v.as_json().keys() == {"code", "step", "message", "rule", "source"}


# ---------------------------------------------------------------- too_young, talk_late


def test_an_application_the_day_before_the_18th_birthday_is_too_young(params):
    f = clean_facts()
    f.birth_date = D("2004-09-13")  # 18 on 2022-09-13; S01 is 2022-09-12
    assert codes(f, params) == [("too_young", "S01")]
    f.birth_date = D("2004-09-12")  # 18 that very day
    assert codes(f, params) == []


def test_someone_born_on_a_leap_day_turns_18_on_the_first_of_march(params):
    f = clean_facts("S01")
    f.birth_date = D("2004-02-29")
    f.dates["S01"] = D("2022-02-28")
    assert codes(f, params) == [("too_young", "S01")]
    f.dates["S01"] = D("2022-03-01")
    assert codes(f, params) == []


def test_an_interview_31_days_after_the_application_is_late_and_30_is_not(params):
    f = clean_facts()
    f.dates["S02"] = D("2022-10-13")  # 2022-09-12 + 31 days
    (v,) = check_case(f, params)
    assert (v.code, v.step, v.rule) == ("talk_late", "S02", "recruitment.interview_within_days")
    f.dates["S02"] = D("2022-10-12")
    assert codes(f, params) == []


# ---------------------------------------------------------------- order_inverted, missing_step


def test_a_step_dated_before_the_step_it_follows_is_order_inverted(params):
    f = clean_facts()
    f.dates["S04"] = D("2023-03-19")  # S03 is 2023-03-20
    assert codes(f, params) == [("order_inverted", "S04")]


def test_a_review_before_the_activist_was_chosen_is_order_inverted(params):
    f = clean_facts()
    f.reviews["S06"] = [D("2023-03-01"), D("2023-09-15"), D("2024-03-10")]
    assert ("order_inverted", "S06") in codes(f, params)


def test_a_vote_before_the_public_notice_ended_is_order_inverted(params):
    f = clean_facts()
    f.dates["S15"] = D("2024-05-26")  # notice ends 2024-05-27
    f.dates["S13"], f.dates["S14"] = D("2024-05-21"), D("2024-05-22")
    assert ("order_inverted", "S15") in codes(f, params)


def test_a_later_step_without_a_required_earlier_one_is_missing_step(params):
    f = clean_facts()
    del f.dates["S04"]
    (v,) = check_case(f, params)
    assert (v.code, v.step) == ("missing_step", "S04")
    assert "S07" in v.message and "2024-03-20" in v.message


def test_missing_steps_are_listed_once_each_not_once_per_later_step(params):
    f = clean_facts()
    for code in ("S08", "S18"):
        del f.dates[code]
    assert codes(f, params) == [("missing_step", "S08"), ("missing_step", "S18")]


# ---------------------------------------------------------------- review_gap, cultivation_too_short


def test_no_review_within_six_months_of_the_activist_decision_is_a_review_gap(params):
    f = clean_facts()
    f.reviews["S06"] = [D("2023-09-21"), D("2024-03-10")]  # due by 2023-09-20
    (v,) = check_case(f, params)
    assert (v.code, v.step) == ("review_gap", "S06")
    assert "2023-09-20" in v.message


def test_more_than_six_months_between_two_reviews_is_a_review_gap(params):
    f = clean_facts()
    f.reviews["S06"] = [D("2023-09-15"), D("2024-03-16")]  # due by 2024-03-15
    assert codes(f, params) == [("review_gap", "S06")]


def test_more_than_six_months_from_the_last_review_to_the_candidate_decision_is_a_review_gap(params):
    f = clean_facts()
    f.reviews["S06"] = [D("2023-09-15")]  # the next was due by 2024-03-15; S07 is 2024-03-20
    (v,) = check_case(f, params)
    assert (v.code, v.step) == ("review_gap", "S06") and "2024-03-15" in v.message


def test_review_deadlines_use_the_leap_day(params):
    f = clean_facts("S06")
    f.dates["S03"] = D("2023-08-31")  # + 6 months = 2024-02-29
    f.dates["S04"] = f.dates["S05"] = D("2023-09-01")
    f.reviews["S06"] = [D("2024-02-29")]
    f.dates["S07"] = D("2024-08-29")
    assert codes(f, params) == [("cultivation_too_short", "S07")]  # one year from 2023-08-31
    f.reviews["S06"] = [D("2024-03-01")]
    assert ("review_gap", "S06") in codes(f, params)


def test_a_candidate_chosen_a_day_short_of_a_year_is_cultivation_too_short(params):
    f = clean_facts()
    f.dates["S07"] = D("2024-03-19")
    assert codes(f, params) == [("cultivation_too_short", "S07")]


def test_a_year_from_a_leap_day_ends_on_the_28th_of_february(params):
    f = clean_facts("S07")
    f.dates.update(S03=D("2024-02-29"), S04=D("2024-03-01"), S05=D("2024-03-01"), S07=D("2025-02-28"))
    f.reviews["S06"] = [D("2024-08-20"), D("2025-02-10")]
    assert codes(f, params) == []
    f.dates["S07"] = D("2025-02-27")
    assert codes(f, params) == [("cultivation_too_short", "S07")]


# ---------------------------------------------------------------- mentors and sponsors


@pytest.mark.parametrize("mentors", [[], [Member("甲", True), Member("乙", True), Member("丙", True)]])
def test_mentors_must_number_one_or_two(params, mentors):
    f = clean_facts()
    f.mentors = mentors
    assert codes(f, params) == [("mentor_count", "S05")]


def test_a_mentor_who_is_not_a_full_member_is_refused(params):
    f = clean_facts()
    f.mentors = [Member("王红", True), Member("刘预备", False)]
    (v,) = check_case(f, params)
    assert v.code == "mentor_not_full_member" and "刘预备" in v.message


def test_sponsors_must_be_two(params):
    f = clean_facts()
    f.sponsors = [Member("王红", True)]
    assert codes(f, params) == [("sponsor_count", "S09")]


def test_a_sponsor_who_is_not_a_full_member_or_under_party_probation_is_refused(params):
    f = clean_facts()
    f.sponsors = [Member("王红", False), Member("赵刚", True, "受留党察看处分、尚未恢复党员权利")]
    assert codes(f, params) == [("sponsor_not_full_member", "S09"), ("sponsor_not_full_member", "S09")]


# ---------------------------------------------------------------- training and public notice


def test_training_under_three_days_and_under_24_hours_is_too_short(params):
    f = clean_facts()
    f.training_end, f.training_hours = D("2024-05-07"), 16
    assert codes(f, params) == [("training_too_short", "S11")]
    f.training_hours = 24  # two days but 24 class hours: enough
    assert codes(f, params) == []
    f.training_end, f.training_hours = D("2024-05-08"), None  # three days: enough
    assert codes(f, params) == []


def _notice(start: str, end: str):
    f = clean_facts("S13")
    f.notice_start, f.notice_end = D(start), D(end)
    return f


def test_a_public_notice_across_national_day_counts_only_working_days(params):
    # 2026: 10-01 to 10-07 holiday. 09-28 (Mon) to 10-08 (Thu) holds 09-28, 09-29, 09-30 and 10-08: four.
    v = [x for x in check_case(_notice("2026-09-28", "2026-10-08"), params) if x.code == "public_notice_short"]
    assert len(v) == 1 and "4" in v[0].message and "5" in v[0].message
    assert v[0].step == "S13" and v[0].rule == "recruitment.public_notice_working_days"
    # One more day (10-09, Fri) makes five.
    assert "public_notice_short" not in [x.code for x in check_case(_notice("2026-09-28", "2026-10-09"), params)]


def test_the_national_day_makeup_saturday_counts_as_a_working_day(params):
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (调休, a working day), 10-11 Sun, 10-12 Mon: four; to 10-13: five.
    assert "public_notice_short" in [x.code for x in check_case(_notice("2026-10-08", "2026-10-12"), params)]
    assert "public_notice_short" not in [x.code for x in check_case(_notice("2026-10-08", "2026-10-13"), params)]


def test_the_administrators_holiday_table_overrides_the_calendar(params):
    Holiday.objects.create(date=date(2026, 9, 29), is_workday=False, name="校庆")
    assert "public_notice_short" in [x.code for x in check_case(_notice("2026-09-28", "2026-10-09"), params)]


def test_a_vote_with_no_public_notice_recorded_is_public_notice_short(params):
    f = clean_facts()
    f.notice_start = f.notice_end = None
    assert codes(f, params) == [("public_notice_short", "S13")]


# ---------------------------------------------------------------- votes


def test_a_vote_with_half_the_entitled_members_present_has_no_quorum(params):
    f = clean_facts()
    f.votes["S15"] = Vote(eligible=18, present=9, in_favour=9)
    assert ("vote_quorum", "S15") in codes(f, params)


def test_written_opinions_tip_the_majority(params):
    f = clean_facts()
    # 18 entitled: a pass needs 10. 8 in the room + 1 written = 9: fails.
    f.votes["S15"] = Vote(eligible=18, present=12, in_favour=8, against=4, written_in_favour=1)
    (v,) = check_case(f, params)
    assert (v.code, v.step, v.rule) == ("vote_majority", "S15", "recruitment.vote_pass")
    # 8 + 2 written = 10 > 9: passes.
    f.votes["S15"] = Vote(eligible=18, present=12, in_favour=8, against=4, written_in_favour=2)
    assert codes(f, params) == []


def test_the_conversion_vote_is_checked_the_same_way(params):
    f = clean_facts()
    f.votes["S23"] = Vote(eligible=18, present=10, in_favour=9, against=1)
    assert codes(f, params) == [("vote_majority", "S23")]


def test_vote_counts_that_cannot_be_right_are_reported(params):
    f = clean_facts()
    f.votes["S15"] = Vote(eligible=18, present=20, in_favour=20)
    assert ("vote_counts_inconsistent", "S15") in codes(f, params)


# ---------------------------------------------------------------- approvals and probation


def test_an_approval_more_than_three_months_after_the_branch_meeting_is_late(params):
    f = clean_facts()
    f.dates["S17"] = D("2024-09-13")  # S15 2024-06-12 + 3 months = 2024-09-12
    for code in ("S18", "S19", "S20"):
        f.dates[code] = D("2024-09-20")
    assert codes(f, params) == [("approval_late", "S17")]
    f.dates["S17"] = D("2024-09-12")
    assert codes(f, params) == []


def test_the_special_case_flag_allows_six_months(params):
    f = clean_facts()
    f.dates["S17"] = D("2024-12-12")
    for code in ("S18", "S19", "S20"):
        f.dates[code] = D("2024-12-13")
    f.reviews["S21"] = [D("2024-12-20")]
    f.special["S17"] = True
    assert codes(f, params) == []
    f.dates["S17"] = D("2024-12-13")
    (v,) = check_case(f, params)
    assert (v.code, v.rule) == ("approval_late", "recruitment.approval_max_months_special")


def test_a_conversion_vote_before_the_year_is_up_is_probation_short(params):
    f = clean_facts()
    f.dates["S23"] = D("2025-06-11")  # probation from 2024-06-12 ends 2025-06-12
    assert codes(f, params) == [("probation_short", "S23")]
    f.dates["S23"] = D("2025-06-12")
    assert codes(f, params) == []


def test_a_six_month_extension_moves_the_end_of_the_probation(params):
    f = clean_facts()
    f.extension_months, f.extension_decided_on = 6, D("2025-06-15")
    (v,) = check_case(f, params)  # S23 2025-06-15 is now before 2025-12-12
    assert (v.code, v.step) == ("probation_short", "S23") and "2025-12-12" in v.message
    f.dates.update(S23=D("2025-12-12"), S24=D("2026-01-10"), S25=D("2026-01-20"))
    assert codes(f, params) == []


def test_a_six_month_extension_moves_the_earliest_conversion_date_in_the_guidance(params):
    f = clean_facts("S22")
    (due,) = [d for d in next_due(f, params) if d.step == "S23"]
    assert due.earliest == D("2025-06-12")
    f.extension_months = 6
    (due,) = [d for d in next_due(f, params) if d.step == "S23"]
    assert due.earliest == D("2025-12-12")


def test_a_probation_that_began_on_a_leap_day_ends_on_the_28th_of_february(params):
    f = clean_facts()
    f.dates.update(S15=D("2024-02-29"))
    f.dates.update({c: D("2024-01-10") for c in ("S12", "S13", "S14")})
    f.notice_start, f.notice_end = D("2024-01-15"), D("2024-01-19")
    f.dates.update({c: D(d) for c, d in (("S11", "2024-01-02"), ("S10", "2023-12-20"), ("S09", "2023-12-20"),
                                           ("S08", "2023-12-20"), ("S07", "2023-12-15"), ("S03", "2022-12-15"),
                                           ("S04", "2022-12-20"), ("S05", "2022-12-20"), ("S02", "2022-10-05"))})
    f.dates["S13"], f.dates["S14"] = D("2024-01-20"), D("2024-01-22")
    f.training_end = D("2024-01-04")
    f.reviews["S06"] = [D("2023-06-10"), D("2023-12-10")]
    f.dates.update(S16=D("2024-03-05"), S17=D("2024-03-20"), S18=D("2024-03-25"), S19=D("2024-03-25"),
                   S20=D("2024-03-25"), S22=D("2025-02-01"), S23=D("2025-02-28"), S24=D("2025-03-10"),
                   S25=D("2025-03-20"))
    f.reviews["S21"] = [D("2024-09-01")]
    assert codes(f, params) == []
    f.dates["S23"] = D("2025-02-27")
    assert codes(f, params) == [("probation_short", "S23")]


@pytest.mark.parametrize("months,bad", [(5, True), (6, False), (12, False), (13, True)])
def test_an_extension_must_be_six_to_twelve_months(params, months, bad):
    f = clean_facts("S22")
    f.extension_months = months
    assert (("extension_out_of_range", "S23") in codes(f, params)) is bad


def test_a_conversion_approval_more_than_three_months_after_the_vote_is_late(params):
    f = clean_facts()
    f.dates["S24"] = D("2025-09-16")  # S23 2025-06-15 + 3 months = 2025-09-15
    f.dates["S25"] = D("2025-09-20")
    assert codes(f, params) == [("conversion_approval_late", "S24")]


def test_a_date_after_today_is_a_future_date(params):
    early = replace(params, today=date(2025, 7, 15))
    assert codes(clean_facts(), early) == [("future_date", "S25")]


def test_the_codes_list_is_the_issues_list_plus_inconsistent_counts():
    assert set(CODES) == {
        "too_young", "talk_late", "order_inverted", "missing_step", "review_gap", "cultivation_too_short",
        "mentor_count", "mentor_not_full_member", "sponsor_count", "sponsor_not_full_member",
        "training_too_short", "public_notice_short", "vote_quorum", "vote_majority", "approval_late",
        "probation_short", "extension_out_of_range", "conversion_approval_late", "future_date",
        "vote_counts_inconsistent",
    }


# ---------------------------------------------------------------- guidance


def test_the_guidance_gives_the_earliest_date_of_the_candidate_decision(params):
    f = clean_facts("S05")
    f.dates.update(S03=D("2025-03-20"), S04=D("2025-03-21"), S05=D("2025-03-21"))
    f.reviews["S06"] = [D("2025-09-10")]
    due = {d.step: d for d in next_due(f, params) if d.kind == "step"}
    assert due["S07"].earliest == D("2026-03-20")
    assert due["S07"].text == "确定发展对象: 最早 2026-03-20"
    (review,) = [d for d in next_due(f, params) if d.kind == "review"]
    assert review.latest == D("2026-03-10")


def test_the_guidance_gives_the_interview_deadline_and_the_approval_deadline(params):
    f = clean_facts("S01")
    (due,) = next_due(f, params)
    assert (due.step, due.latest) == ("S02", D("2022-10-12"))
    assert due.overdue
    f = clean_facts("S16")
    (due,) = next_due(f, params)
    assert (due.step, due.earliest, due.latest) == ("S17", D("2024-06-20"), D("2024-09-12"))
