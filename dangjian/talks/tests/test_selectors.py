"""Talk reads: who sees which talk (participants always), coverage per rule and unit computed in SQL with
hand-computed expectations, what counts as done, the to-do lists, and query counts at two sizes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import RuleOverride
from dangjian.core.permissions import Action
from dangjian.core.testing import make_person
from dangjian.talks import selectors, services

from .conftest import YEAR, talk


def visible(tc, who: str, action: str = Action.TALKS_VIEW) -> set[int]:
    return set(selectors.talks_visible_to(tc.users[who], action).values_list("pk", flat=True))


@pytest.fixture
def talks(tc):
    """Three talks: 张书记–王党员 (JY-T1), 陈书记–赵党员 (JY-T2), 刘委员–钱学生 (JY-U1, 入党谈话)."""
    return {
        "t1": talk(tc, tc.secretary_p, tc.member_p),
        "t2": talk(tc, tc.shuji_p, tc.t2_member),
        "u1": talk(tc, tc.weiyuan_p, tc.u1_student, kind="admission"),
    }


def test_each_viewer_sees_the_talks_of_their_scope_and_their_own(tc, talks):
    t1, t2, u1 = talks["t1"].pk, talks["t2"].pk, talks["u1"].pk
    assert visible(tc, "organiser") == {t1, t2, u1}
    assert visible(tc, "shuji") == {t1, t2, u1}
    assert visible(tc, "reader") == {t1, t2, u1}
    assert visible(tc, "secretary") == {t1}
    assert visible(tc, "other_secretary") == {t2}
    assert visible(tc, "member") == {t1}  # a participant, no post
    for who in ("norole", "sysadmin", "secadmin", "auditor"):
        assert visible(tc, who) == set(), who


def test_lists_never_load_the_contents(tc, talks):
    listed = selectors.talk_list(tc.organiser)
    assert all({"summary_encrypted", "follow_up_encrypted"} <= t.get_deferred_fields() for t in listed)


def test_the_list_filters_by_year_unit_kind_person_and_pinyin(tc, talks):
    talk(tc, tc.secretary_p, tc.member_p, held_on=date(YEAR - 1, 12, 30))

    def names(**filters):
        return sorted(t.counterpart.name for t in selectors.talk_list(tc.organiser, **filters))

    assert names(year=YEAR) == ["王党员", "赵党员", "钱学生"]
    assert names(year=YEAR - 1) == ["王党员"]
    assert names(unit=tc.t1, year=YEAR) == ["王党员"]
    assert names(kind="admission") == ["钱学生"]
    assert names(person=tc.shuji_p) == ["赵党员"]
    assert names(q="qxs") == ["钱学生"]
    assert names(q="陈书记") == ["赵党员"]


def test_a_deleted_talk_is_out_of_every_list(tc, talks):
    services.delete_talk(actor=tc.organiser, talk=talks["t1"], reason="误登记")
    assert visible(tc, "member") == set()
    assert talks["t1"].pk not in visible(tc, "organiser")


# ---------------------------------------------------------------- coverage


def coverage(user=None, **kw):
    rows = selectors.talk_coverage(user, year=kw.pop("year", YEAR), **kw)
    return {(r.rule, r.unit.code): (r.required, r.done, {(m.initiator_name, m.counterpart_name) for m in r.missing})
            for r in rows}


def test_coverage_counts_required_done_and_missing_per_rule_and_unit(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.shuji_p, tc.member_p)
    talk(tc, tc.t2_member, tc.shuji_p)  # the counterpart initiated: it still counts for the pair
    talk(tc, tc.weiyuan_p, tc.u1_student, kind="admission")
    talk(tc, tc.secretary_p, tc.shuji_p, kind="reminder")
    talk(tc, tc.other_secretary_p, tc.t2_member, kind="pre_appointment")  # 任前谈话 does not count
    talk(tc, tc.other_secretary_p, tc.weiyuan_p, held_on=date(YEAR - 1, 12, 31))  # last year's
    gone = talk(tc, tc.secretary_p, tc.member_p)
    services.delete_talk(actor=tc.organiser, talk=gone, reason="误登记")  # deleted does not count

    found = coverage()
    teachers = {"周组织", "张书记", "李书记", "王党员", "赵党员", "刘委员", "孙查阅"}
    assert found[("talks.secretary_teachers", "JY")] == (
        7, 3, {("陈书记", n) for n in teachers - {"王党员", "赵党员", "张书记"}}
    )
    assert found[("talks.committee_activists", "JY")] == (2, 1, {("陈书记", "钱学生")})
    assert found[("talks.branch_members", "JY-T1")] == (2, 1, {("张书记", "王党员")})
    assert found[("talks.branch_members", "JY-T2")] == (2, 0, {("李书记", "赵党员"), ("李书记", "刘委员")})
    assert len(found) == 4


def test_a_stricter_college_value_needs_more_talks_per_pair(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    RuleOverride.objects.create(code="talks.branch_members", value=2, reason="本院规定每年两次")
    talk(tc, tc.secretary_p, tc.member_p, held_on=date(YEAR, 2, 1))
    assert coverage(unit=tc.t1)[("talks.branch_members", "JY-T1")][:2] == (2, 0)
    talk(tc, tc.secretary_p, tc.member_p, held_on=date(YEAR, 5, 1))
    assert coverage(unit=tc.t1)[("talks.branch_members", "JY-T1")][:2] == (2, 1)


def test_coverage_is_scoped_to_the_viewers_units(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    assert set(coverage(tc.organiser)) == set(coverage())
    assert set(coverage(tc.secretary)) == {("talks.branch_members", "JY-T1")}
    assert set(coverage(tc.other_secretary)) == {("talks.branch_members", "JY-T2")}
    for who in ("member", "norole", "auditor"):
        assert coverage(tc.users[who]) == {}, who
    assert set(coverage(unit=tc.t2)) == {("talks.branch_members", "JY-T2")}
    assert coverage(year=YEAR - 1) == {}


def test_coverage_json_has_the_contract_shape(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    data = selectors.coverage_json(selectors.talk_coverage(None, year=YEAR, unit=tc.t1), YEAR)
    assert data == {"year": YEAR, "rules": [
        {"rule": "talks.branch_members", "unit": "JY-T1", "required": 2, "done": 1,
         "missing": [{"from": "张书记", "to": "陈书记"}]},
    ]}


def test_coverage_takes_the_same_number_of_queries_at_two_sizes(tc):
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.talk_coverage(tc.organiser, year=YEAR)
            [len(r.todo()) for r in rows]
        return len(ctx.captured_queries)

    services.sync_talk_plans(actor=None, year=YEAR)
    small = measure()
    for i in range(25):
        p = make_person(tc.t1 if i % 2 else tc.t2, status="activist" if i % 3 == 0 else "full_member")
        if i % 4 == 0:
            talk(tc, tc.shuji_p, p)
    services.sync_talk_plans(actor=None, year=YEAR)
    assert sum(r.required for r in selectors.talk_coverage(None, year=YEAR)) > 13 + 25
    assert measure() == small


# ---------------------------------------------------------------- to-do lists


def test_my_todo_lists_the_talks_i_still_have_to_hold_and_the_talks_i_took_part_in(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    data = selectors.my_todo(tc.secretary, year=YEAR)
    assert (data["planned"], data["done"], data["missing"]) == (2, 1, 1)
    assert [(g["rule"], [m.counterpart_name for m in g["talks"]]) for g in data["todo"]] == [
        ("talks.branch_members", ["陈书记"]),
    ]
    assert [t.counterpart.name for t in data["talks"]] == ["王党员"]
    member = selectors.my_todo(tc.member, year=YEAR)
    assert (member["planned"], member["todo"]) == (0, [])
    assert [t.initiator.name for t in member["talks"]] == ["张书记"]


def test_missing_talks_for_reminders_cover_every_plan(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.shuji_p, tc.u1_student, kind="admission")
    found = {(rule, m.initiator_name, m.counterpart_name) for rule, m in selectors.missing_talks(YEAR)}
    assert len(found) == 13 - 1
    assert ("talks.committee_activists", "刘委员", "钱学生") in found
    assert ("talks.committee_activists", "陈书记", "钱学生") not in found


def test_the_plans_page_shows_every_pair_with_its_state(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    people_services_leave(tc, tc.shuji_p)
    services.sync_talk_plans(actor=None, year=YEAR)
    t1 = next(p for p in selectors.plan_overview(tc.secretary, year=YEAR))
    assert (t1["required"], t1["done"], t1["withdrawn"]) == (1, 1, 1)
    states = {pair["name"]: pair["state"] for g in t1["groups"] for pair in g["pairs"]}
    assert states == {"王党员": "done", "陈书记": "withdrawn"}


def people_services_leave(tc, person) -> None:
    from dangjian.people import services as people_services

    people_services.transfer_out(actor=tc.organiser, person=person, transferred_on=date(YEAR, 6, 1),
                                 external_org="某大学党委", letter_no=f"L{person.pk}")
