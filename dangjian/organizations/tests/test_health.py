"""Branch health (RULES.md §2): each structure rule gives exactly one finding, and a sound branch gives none.

Defaults: ≥3 full members; ≥7 full members → 支委会; ≤50 members; term 3 years, warned 90 days ahead;
secretary with ≥1 year of Party standing (支部工作条例 Ch. 2, 6, Art. 23; 2018 任期意见).
"""

from datetime import date

import pytest

from dangjian.core.models import RuleOverride
from dangjian.core.permissions import Role
from dangjian.core.testing import give_role, make_person, make_unit
from dangjian.organizations.models import OrgUnit
from dangjian.organizations.selectors import branch_health
from dangjian.people.models import Person

ON = date(2026, 10, 15)


def make_branch(college, code, *, full=3, probationary=0, secretary=True, secretary_full_on=date(2008, 1, 1), **fields):
    """A branch under the college committee with `full` full members (the first one its secretary)."""
    unit = make_unit(code, f"支部{code}", "branch", college.jy, category="faculty", **fields)
    people = [make_person(unit) for _ in range(full)]
    people += [make_person(unit, status="probationary") for _ in range(probationary)]
    if secretary:
        if people:
            sec = people[0]
            Person.objects.filter(pk=sec.pk).update(full_member_on=secretary_full_on)
        else:
            sec = make_person(unit, full_member_on=secretary_full_on)
        give_role(sec, unit, Role.BRANCH_SECRETARY)
    return unit


def health_of(unit, on=ON):
    [h] = branch_health(OrgUnit.objects.filter(pk=unit.pk), on=on)
    return h


def codes(unit, on=ON):
    return [f.code for f in health_of(unit, on).findings]


def test_a_sound_branch_has_no_findings(college):
    unit = make_branch(college, "OK", full=3)
    h = health_of(unit)
    assert h.findings == []
    assert h.healthy
    assert (h.n_members, h.n_full, h.term_ends_on) == (3, 3, None)
    assert h.secretary_name == Person.objects.filter(unit=unit).order_by("id").first().name


def test_two_full_members_are_too_few(college):
    unit = make_branch(college, "FEW", full=2, probationary=3)
    h = health_of(unit)
    assert [(f.code, f.message) for f in h.findings] == [("too_few_full_members", "正式党员少于3人")]
    assert (h.n_members, h.n_full) == (5, 2)


def test_seven_full_members_without_a_committee(college):
    unit = make_branch(college, "BIG7", full=7, has_committee=False)
    assert [(f.code, f.message) for f in health_of(unit).findings] == [
        ("committee_required", "正式党员达到7人但未设支部委员会")
    ]


def test_six_full_members_need_no_committee(college):
    assert codes(make_branch(college, "SIX", full=6, has_committee=False)) == []


def test_seven_full_members_with_a_committee_are_sound(college):
    assert codes(make_branch(college, "C7", full=7, has_committee=True)) == []


def test_no_committee_and_no_secretary(college):
    unit = make_branch(college, "NOSEC", full=3, secretary=False)
    assert [(f.code, f.message) for f in health_of(unit).findings] == [("no_secretary", "未设支部委员会且无支部书记")]


def test_a_committee_branch_without_a_secretary_is_not_reported_as_no_secretary(college):
    assert codes(make_branch(college, "CNOSEC", full=3, secretary=False, has_committee=True)) == []


def test_an_ended_secretary_role_does_not_count(college):
    unit = make_branch(college, "ENDED", full=3)
    unit.roles.update(ends_on=date(2026, 10, 14))
    assert codes(unit) == ["no_secretary"]


def test_fifty_one_members_are_too_many(college):
    unit = make_branch(college, "M51", full=50, probationary=1, has_committee=True)
    h = health_of(unit)
    assert [(f.code, f.message) for f in h.findings] == [("too_many_members", "党员超过50人")]
    assert (h.n_members, h.n_full) == (51, 50)


def test_fifty_members_are_allowed(college):
    assert codes(make_branch(college, "M50", full=49, probationary=1, has_committee=True)) == []


def test_people_who_left_were_deleted_or_are_not_members_are_not_counted(college):
    unit = make_branch(college, "CNT", full=3)
    make_person(unit, status="activist")
    Person.objects.filter(pk=make_person(unit).pk).update(left_on=date(2026, 1, 1))
    Person.objects.filter(pk=make_person(unit).pk).update(deleted_at="2026-01-01T00:00:00Z")
    h = health_of(unit)
    assert (h.n_members, h.n_full, h.findings) == (3, 3, [])


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 9, 1), []),  # 2026-12-01 is 91 days away
        (date(2026, 9, 2), [("term_ending", "任期将于2026-12-01届满")]),  # exactly 90 days
        (date(2026, 10, 15), [("term_ending", "任期将于2026-12-01届满")]),
        (date(2026, 12, 1), [("term_ending", "任期将于2026-12-01届满")]),  # the last day of the term
        (date(2026, 12, 2), [("term_overdue", "任期已于2026-12-01届满，尚未换届")]),
    ],
)
def test_term_started_2023_12_01_for_three_years(college, on, expected):
    unit = make_branch(college, "TERM", full=3, term_started_on=date(2023, 12, 1), term_years=3)
    h = health_of(unit, on)
    assert h.term_ends_on == date(2026, 12, 1)
    assert [(f.code, f.message) for f in h.findings] == expected


def test_term_years_default_to_the_rule(college):
    unit = make_branch(college, "TERMD", full=3, term_started_on=date(2023, 12, 1))
    h = health_of(unit)
    assert h.term_ends_on == date(2026, 12, 1)
    assert codes(unit) == ["term_ending"]


def test_secretary_with_less_than_a_year_of_standing(college):
    unit = make_branch(college, "NEWSEC", full=3, secretary_full_on=date(2025, 10, 16))
    assert [(f.code, f.message) for f in health_of(unit).findings] == [
        ("secretary_standing_short", "支部书记党龄不足1年")
    ]


def test_secretary_with_exactly_a_year_of_standing_is_sound(college):
    assert codes(make_branch(college, "YEARSEC", full=3, secretary_full_on=date(2025, 10, 15))) == []


def test_probationary_secretary_has_no_standing(college):
    unit = make_branch(college, "PROBSEC", full=3, secretary=False)
    sec = make_person(unit, status="probationary")
    give_role(sec, unit, Role.BRANCH_SECRETARY)
    assert codes(unit) == ["secretary_standing_short"]


def test_findings_follow_overridden_rules(college):
    RuleOverride.objects.create(code="org.branch_min_full_members", value=4, reason="本院更严")
    unit = make_branch(college, "OVR", full=3)
    assert [(f.code, f.message) for f in health_of(unit).findings] == [("too_few_full_members", "正式党员少于4人")]


def test_several_findings_at_once_in_rule_order(college):
    unit = make_branch(college, "MANY", full=2, secretary=False, term_started_on=date(2023, 1, 1), term_years=3)
    assert codes(unit, date(2026, 10, 15)) == ["too_few_full_members", "no_secretary", "term_overdue"]


def test_fixture_college_branches(college):
    result = {h.unit.code: [f.code for f in h.findings] for h in branch_health(OrgUnit.objects.all(), on=ON)}
    # groups and the committee are not branches; JY-T1 (2 full, committee, term to 2027-06-01),
    # JY-T2 (2 full, secretary), JY-U1 (no members, no secretary)
    assert result == {
        "JY-T1": ["too_few_full_members"],
        "JY-T2": ["too_few_full_members"],
        "JY-U1": ["too_few_full_members", "no_secretary"],
    }


def test_dissolved_branches_are_left_out(college):
    OrgUnit.objects.filter(pk=college.u1.pk).update(dissolved_on=date(2026, 1, 1))
    assert [h.unit.code for h in branch_health(OrgUnit.objects.all(), on=ON)] == ["JY-T1", "JY-T2"]


def test_query_count_does_not_grow_with_the_data(college, django_assert_num_queries):
    small = [make_branch(college, "Q1", full=3)]
    with django_assert_num_queries(2):
        assert len(branch_health(OrgUnit.objects.filter(code__startswith="Q"), on=ON)) == 1
    small += [make_branch(college, f"Q{i}", full=4, probationary=2) for i in range(2, 12)]
    with django_assert_num_queries(2):
        assert len(branch_health(OrgUnit.objects.filter(code__startswith="Q"), on=ON)) == 11
