"""The demo's talks (dangjian/demo/talks.py): last year nearly done, this year under way with gaps that the
coverage and the to-do lists show, and the designed stories (a lagging 统战委员, the member's own record)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from dangjian.demo import college
from dangjian.demo import talks as demo_talks
from dangjian.talks.choices import TalkKind
from dangjian.talks.models import Talk
from dangjian.talks.selectors import missing_talks, my_todo, talk_coverage


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        # The structure, then only the talks (the other parts of the demo are other modules' business).
        built = college.build(structure_only=True)
        demo_talks.build(built)
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_last_year_was_nearly_all_done(demo, db):
    rows = talk_coverage(None, year=demo.today.year - 1)
    assert {r.rule for r in rows} == {"talks.secretary_teachers", "talks.committee_activists", "talks.branch_members"}
    required, done = sum(r.required for r in rows), sum(r.done for r in rows)
    assert required > 200 and 0.8 <= done / required < 1


def test_this_year_every_rule_has_something_to_act_on(demo, db):
    rows = talk_coverage(None, year=demo.today.year)
    assert {r.unit.code for r in rows} >= {"JY", "JY-T1", "JY-T2", "JY-U1", "JY-U2", "JY-G1"}
    for rule in ("talks.secretary_teachers", "talks.committee_activists", "talks.branch_members"):
        assert any(r.missing for r in rows if r.rule == rule), rule


def test_the_united_front_member_has_the_longest_list_among_committee_members(demo, db):
    counts: dict[int, int] = {}
    for rule, m in missing_talks(demo.today.year):
        if rule == "talks.committee_activists":
            counts[m.initiator_id] = counts.get(m.initiator_id, 0) + 1
    assert max(counts, key=counts.get) == demo.people["jy_unitedfront"].pk


def test_the_plain_member_has_a_talk_to_open(demo, db):
    data = my_todo(demo.users["dangyuan"], year=demo.today.year)
    assert data["talks"] and all(t.has_participant(demo.people["dangyuan"].pk) for t in data["talks"])


def test_talks_outside_the_plans_are_there_and_a_pre_appointment_talk_does_not_count(demo, db):
    assert Talk.objects.filter(kind=TalkKind.REMINDER).exists()
    pre = Talk.objects.get(kind=TalkKind.PRE_APPOINTMENT)
    assert (pre.initiator, pre.counterpart) == (demo.people["shuji"], demo.people["t2_deputy"])
