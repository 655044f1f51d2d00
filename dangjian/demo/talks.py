"""Demo talks records for the demo college (called from college.build_activity).

Last year's plans were nearly all carried out (a few gaps); this year's are under way in proportion to how
much of the year has passed, with realistic gaps that coverage and the to-do lists show:

* the 院党委书记 has talked with most teachers, but not all;
* the 统战委员 (jy_unitedfront) lags far behind with the activists — one person's long to-do list;
* JY-U2's secretary, busy with the coming 换届, has talked with few of the branch's members;
* 王党员's (the ``dangyuan`` account) branch talk is done, so the member's own page has a record to open;
* a few talks outside the plans: a 提醒谈话 with the lost-contact graduate student, and a 任前谈话 (which does
  not count towards any plan).

Everything goes through talks.services. Last year's talks are entered by the system (as if copied from the
paper ledger); this year's by the initiator's demo account when there is one, otherwise by the 组织员. Dates
are relative to today and drawn from a fixed seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dangjian.people.models import Person, Placement
from dangjian.talks.choices import PlanRule, TalkKind
from dangjian.talks.models import PlannedTalk, TalkPlan
from dangjian.talks.services import record_talk, sync_talk_plans

SEED = 20230601 + 7

PLACES = ("党员活动室", "院党委书记办公室", "教研室", "学院小会议室", "学生工作办公室", "图书馆研讨间")
SUMMARIES = {
    PlanRule.SECRETARY_TEACHERS: (
        "了解近期教学科研情况和思想动态，听取对学院发展的意见建议。",
        "交流课程思政建设的做法，谈及青年教师职称评审压力，表示学院将统筹支持。",
        "围绕学科建设和实验室安全听取意见，对方提出实验用房紧张的问题。",
        "谈心交流家庭和工作情况，对方反映子女入学问题，已请学院办公室了解政策。",
    ),
    PlanRule.COMMITTEE_ACTIVISTS: (
        "了解入党动机和对党的认识，勉励其加强理论学习、在学习工作中发挥带头作用。",
        "谈话了解思想汇报中提到的困惑，帮助其端正入党动机，建议多参加志愿服务。",
        "结合培养考察情况谈话，指出需要加强与群众的联系，按时提交思想汇报。",
    ),
    PlanRule.BRANCH_MEMBERS: (
        "交流近期思想、工作和学习情况，听取对支部工作的意见。",
        "谈心谈话，了解其参加组织生活情况，提醒按时交纳党费。",
        "围绕发挥党员先锋模范作用交换意见，对方表示愿意承担支部志愿服务工作。",
        "了解其毕业去向和思想状况，提醒做好组织关系转接准备。",
    ),
}
FOLLOW_UPS = ("一个月后再次了解情况。", "协调学院相关部门予以帮助。", "")


def build(demo) -> None:
    """Create last year's and this year's plans and the talks that were held."""
    today = demo.today
    r = random.Random(SEED)
    users_by_person = {u.person_id: u for u in demo.users.values() if u.person_id}
    organiser = demo.users["zuzhiyuan"]
    first_placed = _first_placements()
    lagging = {demo.people["jy_unitedfront"].pk: 0.15, demo.people["u2shuji"].pk: 0.2}
    talked: set[tuple[int, frozenset[int]]] = set()  # (year, pair): one talk counts for every plan of the pair

    def record(item, held_on: date, kind: str = TalkKind.HEART_TO_HEART) -> None:
        rule = item.plan.rule
        # Last year's records were entered from the paper ledger in one go (the system); this year's by people.
        actor = users_by_person.get(item.initiator_id, organiser) if held_on.year == today.year else None
        pair = (held_on.year, frozenset((item.initiator_id, item.counterpart_id)))
        if pair in talked:
            return
        talked.add(pair)
        record_talk(
            actor=actor, kind=kind, held_on=held_on,
            place=r.choice(PLACES), initiator=item.initiator, counterpart=item.counterpart,
            summary=r.choice(SUMMARIES[rule]), follow_up=r.choice(FOLLOW_UPS),
        )

    def held_between(item, start: date, end: date) -> date | None:
        start = max(start, first_placed.get(item.counterpart_id, start), first_placed.get(item.initiator_id, start))
        if start > end:
            return None
        return start + timedelta(days=int(r.random() * ((end - start).days + 1)))

    def kind_for(item) -> str:
        if item.plan.rule == PlanRule.COMMITTEE_ACTIVISTS:
            return TalkKind.ADMISSION
        return TalkKind.REMINDER if r.random() < 0.05 else TalkKind.HEART_TO_HEART

    # Last year: nearly everything done, a few gaps.
    last = today.year - 1
    sync_talk_plans(actor=None, year=last)
    for item in _items(last):
        if r.random() < 0.9:
            day = held_between(item, date(last, 1, 1), date(last, 12, 31))
            if day:
                record(item, day, kind_for(item))

    # This year: under way, in proportion to the part of the year gone by.
    sync_talk_plans(actor=None, year=today.year)
    elapsed = (today - date(today.year, 1, 1)).days / 365
    base = min(0.85, 0.15 + 0.75 * elapsed)
    dangyuan = demo.people["dangyuan"].pk
    for item in _items(today.year):
        rate = lagging.get(item.initiator_id, base * (0.8 if item.plan.rule == PlanRule.SECRETARY_TEACHERS else 1))
        must = item.counterpart_id == dangyuan and item.plan.rule == PlanRule.BRANCH_MEMBERS
        if must or r.random() < rate:
            day = held_between(item, date(today.year, 1, 1), today)
            if day:
                record(item, day, TalkKind.HEART_TO_HEART if must else kind_for(item))

    _outside_the_plans(demo, r, organiser, today)


def _items(year: int) -> list[PlannedTalk]:
    """The year's active planned pairs with their plan and people, in plan order. Three simple queries and no
    multi-table join: the demo is also built inside long test transactions on PostgreSQL, where a join over
    tables full of rolled-back rows is planned badly."""
    plans = {p.pk: p for p in TalkPlan.objects.filter(year=year).select_related("unit")}
    items = list(PlannedTalk.objects.filter(plan_id__in=list(plans), withdrawn_on__isnull=True))
    people = Person.objects.select_related("unit").in_bulk(
        {i.initiator_id for i in items} | {i.counterpart_id for i in items}
    )
    for item in items:
        item.plan, item.initiator, item.counterpart = plans[item.plan_id], people[item.initiator_id], people[
            item.counterpart_id]
    items.sort(key=lambda i: (i.plan.unit.path, i.plan.rule, i.initiator_id, i.counterpart_id))
    return items


def _first_placements() -> dict[int, date]:
    """When each person first came onto the roster (a talk cannot be earlier)."""
    first: dict[int, date] = {}
    for person_id, starts_on in Placement.objects.values_list("person_id", "starts_on"):
        if person_id not in first or starts_on < first[person_id]:
            first[person_id] = starts_on
    return first


def _outside_the_plans(demo, r: random.Random, organiser, today: date) -> None:
    """Talks no plan asks for: a 提醒谈话 and a 任前谈话."""
    from dangjian.people.choices import PartyStanding
    from dangjian.people.models import Person
    from dangjian.talks.models import Talk

    g1 = demo.units["JY-G1"]
    lost = Person.objects.filter(unit=g1, party_standing=PartyStanding.LOST_CONTACT).first()
    g1shuji = demo.people["g1shuji"]
    day = today - timedelta(days=min(40, (today - date(today.year, 1, 1)).days))
    if lost is not None and not Talk.objects.alive().between(g1shuji.pk, lost.pk).filter(held_on=day).exists():
        record_talk(
            actor=demo.users["g1shuji"], kind=TalkKind.REMINDER, held_on=day, place="线上视频",
            initiator=g1shuji, counterpart=lost,
            summary="经多方联系后视频谈话，提醒其按时与支部联系、参加组织生活、交纳党费。",
            follow_up="每月联系一次，三个月后评估。",
        )
    record_talk(
        actor=demo.users["shuji"], kind=TalkKind.PRE_APPOINTMENT, held_on=today - timedelta(days=r.randint(3, 20)),
        place="院党委书记办公室", initiator=demo.people["shuji"], counterpart=demo.people["t2_deputy"],
        summary="拟任实验教学中心副主任前谈话，提出廉洁自律和履职要求。", follow_up="",
    )
