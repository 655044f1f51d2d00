"""The fixture college plus the posts talks need: a 院党委书记, a 党委委员 and a 谈话记录查阅人.

Pairs the rules require in it (hand-computed from talks/rules.py):

* talks.secretary_teachers (JY): 陈书记 with every other teacher — 周组织, 张书记, 李书记, 王党员, 赵党员, 刘委员,
  孙查阅 (7; 钱学生 is a student);
* talks.committee_activists (JY): 陈书记 and 刘委员 (党委委员) with the activist 钱学生 (2; the 组织员 is staff);
* talks.branch_members: JY-T1 — 张书记 (支部书记) with 王党员 and 陈书记 (2); JY-T2 — 李书记 with 赵党员 and
  刘委员 (2); JY-U1 has no branch committee post, so no plan.
"""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core.permissions import Role
from dangjian.core.testing import give_role, make_person, make_user

YEAR = 2026


@pytest.fixture
def tc(college, monkeypatch):
    """`college` with shuji (党委书记, in JY-T1), weiyuan (党委委员, in JY-T2) and reader (谈话记录查阅人 on JY).

    Today is frozen at 2026-06-15 so that the year's plans and dates are fixed.
    """
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(YEAR, 6, 15))
    c = college
    shuji = make_person(c.t1, "陈书记", group=c.t1g1)
    weiyuan = make_person(c.t2, "刘委员", group=c.t2g1)
    reader = make_person(c.jy, "孙查阅", status="masses")
    give_role(shuji, c.jy, Role.COMMITTEE_SECRETARY)
    give_role(weiyuan, c.jy, Role.COMMITTEE_MEMBER)
    give_role(reader, c.jy, Role.TALK_RECORDS_READER)
    c.people.update(shuji_p=shuji, weiyuan_p=weiyuan, reader_p=reader)
    c.users.update(shuji=make_user("shuji", shuji), weiyuan=make_user("weiyuan", weiyuan),
                   reader=make_user("reader", reader))
    return c


def talk(c, initiator, counterpart, *, held_on=date(YEAR, 3, 1), kind="heart_to_heart", actor=None,
         summary="谈了工作和思想情况。", **extra):
    """Record a talk through the service (as the organiser unless an actor is given)."""
    from dangjian.talks.services import record_talk

    return record_talk(actor=actor or c.organiser, kind=kind, held_on=held_on, place="党员活动室",
                       initiator=initiator, counterpart=counterpart, summary=summary, **extra)
