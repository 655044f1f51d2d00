"""Reads of talks, scoped to the viewer: records (never their contents), plans, coverage and to-do lists.

Coverage is computed in SQL: each planned pair is annotated with the number of counting talks the two held
in the year (a correlated subquery), the counts per plan come from one aggregate query, and the missing
pairs from one more. Required pairs are derived from the posts and the roster in `required_pairs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dangjian.core import rules
from dangjian.core.permissions import Action, Role
from dangjian.core.scoping import access_object, can
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit, RoleAssignment
from dangjian.people.choices import MEMBER_STATUSES, PersonCategory, PoliticalStatus
from dangjian.people.models import Person, Placement

from .choices import COVERAGE_KINDS, PlanRule
from .models import PlannedTalk, Talk, TalkPlan

# 党委委员: the members of the committee as a body (talks/rules.py).
COMMITTEE_MEMBER_ROLES = (Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.COMMITTEE_MEMBER)
# 支部委员会成员, most senior first: in a pair of two of them the senior one is the 谈话人.
BRANCH_COMMITTEE_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY, Role.BRANCH_COMMITTEE_MEMBER)
CONTENT_FIELDS = ("summary_encrypted", "follow_up_encrypted")


# ---------------------------------------------------------------- talk records


def talks_visible_to(user, action: str = Action.TALKS_VIEW):
    """Talks the user may see (their scope, plus their own). The contents are not even loaded."""
    return (
        Talk.objects.visible_to(user, action)
        .alive()
        .select_related("unit", "initiator__unit", "counterpart__unit")
        .defer(*CONTENT_FIELDS)
    )


def access_talk(user, pk, action: str = Action.TALKS_VIEW) -> Talk:
    """One talk, or 404 for a missing, deleted or out-of-scope id alike."""
    return access_object(
        Talk.objects.alive().select_related("unit", "initiator__unit", "counterpart__unit", "created_by__person"),
        user, pk, action,
    )


def talk_list(user, *, year: int | None = None, unit: OrgUnit | None = None, kind: str = "", q: str = "",
              person: Person | int | None = None):
    """The talks list: scoped, filtered by year, unit (and below), kind, a participant, or a participant's
    name / pinyin initials. A fixed number of queries; no contents."""
    qs = talks_visible_to(user)
    if year:
        qs = qs.filter(held_on__year=year)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if person is not None:
        pid = getattr(person, "pk", person)
        qs = qs.filter(Q(initiator_id=pid) | Q(counterpart_id=pid))
    q = (q or "").strip()
    if q:
        people = Person.objects.search(q).values("pk")
        qs = qs.filter(Q(initiator__in=people) | Q(counterpart__in=people))
    return qs.order_by("-held_on", "-id")


def can_read_summary(user, *, talk: Talk) -> bool:
    """Participants always read their own talks; others need talks.read_summary on the talk's unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return talk.has_participant(user.person_id) or can(user, Action.TALKS_READ_SUMMARY, talk.unit)


def can_manage_talk(user, talk: Talk) -> bool:
    return can(user, Action.TALKS_MANAGE, talk.unit)


def talk_overview(user, talk: Talk) -> dict:
    """The detail page: the record (no contents) and which buttons the viewer gets."""
    return {
        "talk": talk,
        "can_read": can_read_summary(user, talk=talk),
        "can_manage": can_manage_talk(user, talk),
        "is_participant": talk.has_participant(user.person_id),
    }


def recordable_people(user, action: str = Action.TALKS_MANAGE, *, include=()):
    """Current people in the units where the user holds `action` (with people.view: also themselves), plus
    the people in `include` (a talk's own participants when editing), for the form's selects."""
    condition = Q(pk__in=Person.objects.visible_to(user, action).current().values("pk"))
    ids = [getattr(p, "pk", p) for p in include if p]
    if ids:
        condition |= Q(pk__in=ids)
    return (
        Person.objects.filter(condition, deleted_at__isnull=True)
        .select_related("unit")
        .order_by("unit__path", "name_pinyin", "id")
    )


# ---------------------------------------------------------------- required pairs (plans)


def plan_units(*, on: date, within: OrgUnit | None = None) -> list[OrgUnit]:
    """The committees and branches, active on `on`, that plans are kept for (all, or `within` and below)."""
    qs = OrgUnit.objects.active(on).filter(kind__in=(OrgUnitKind.COMMITTEE, OrgUnitKind.BRANCH))
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return list(qs.order_by("path"))


def _home_committee(path: str, committee_paths: list[tuple[str, int]]) -> int | None:
    """The nearest committee above a unit path (committee_paths sorted longest first)."""
    for cpath, cid in committee_paths:
        if path.startswith(cpath):
            return cid
    return None


def required_pairs(units: list[OrgUnit], *, on: date) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """The pairs each rule requires on `on`, keyed by (rule code, plan unit id): (谈话人, 谈话对象) person ids.

    Three queries (committees, posts, people) whatever the size; the pairs are built from their rows.
    """
    committees = [u for u in units if u.kind == OrgUnitKind.COMMITTEE]
    branches = {u.pk: u for u in units if u.kind == OrgUnitKind.BRANCH}
    if not committees and not branches:
        return {}
    all_committees = sorted(
        OrgUnit.objects.active(on).filter(kind=OrgUnitKind.COMMITTEE).values_list("path", "pk"),
        key=lambda row: -len(row[0]),
    )
    posts = (
        RoleAssignment.objects.active(on)
        .filter(unit__in=units, role__in=COMMITTEE_MEMBER_ROLES + BRANCH_COMMITTEE_ROLES,
                person__deleted_at__isnull=True, person__left_on__isnull=True)
        .values_list("unit_id", "role", "person_id")
        .order_by("unit_id", "person_id")
    )
    where = Q(unit_id__in=list(branches))
    for c in committees:
        where |= Q(unit__path__startswith=c.path)
    # On the roster by `on` (a past year's plan leaves out people who came later).
    placed = Placement.objects.filter(person=OuterRef("pk"), starts_on__lte=on)
    people = (
        Person.objects.current()
        .filter(where)
        .filter(Exists(placed))
        .values_list("pk", "unit_id", "unit__path", "category", "political_status")
        .order_by("name_pinyin", "pk")
    )
    teachers: dict[int, list[int]] = {}
    activists: dict[int, list[int]] = {}
    members: dict[int, list[int]] = {}
    for pk, unit_id, path, category, status in people:
        home = _home_committee(path, all_committees)
        if category == PersonCategory.FACULTY:
            teachers.setdefault(home, []).append(pk)
        if status == PoliticalStatus.ACTIVIST:
            activists.setdefault(home, []).append(pk)
        if unit_id in branches and status in MEMBER_STATUSES:
            members.setdefault(unit_id, []).append(pk)

    holders: dict[tuple[int, str], list[int]] = {}
    for unit_id, role, person_id in posts:
        holders.setdefault((unit_id, role), []).append(person_id)

    result: dict[tuple[str, int], list[tuple[int, int]]] = {}

    def add(rule: str, unit_id: int, initiators: list[int], counterparts: list[int]) -> None:
        seen: set[frozenset[int]] = set()
        pairs = []
        for a in initiators:
            for b in counterparts:
                pair = frozenset((a, b))
                if a != b and pair not in seen:
                    seen.add(pair)
                    pairs.append((a, b))
        if pairs:
            result[(rule, unit_id)] = pairs

    def unique(ids: list[int]) -> list[int]:
        return list(dict.fromkeys(ids))

    for c in committees:
        secretaries = unique(holders.get((c.pk, Role.COMMITTEE_SECRETARY), []))
        body = unique([p for role in COMMITTEE_MEMBER_ROLES for p in holders.get((c.pk, role), [])])
        add(PlanRule.SECRETARY_TEACHERS, c.pk, secretaries, teachers.get(c.pk, []))
        add(PlanRule.COMMITTEE_ACTIVISTS, c.pk, body, activists.get(c.pk, []))
    for b in branches.values():
        body = unique([p for role in BRANCH_COMMITTEE_ROLES for p in holders.get((b.pk, role), [])])
        add(PlanRule.BRANCH_MEMBERS, b.pk, body, unique(members.get(b.pk, []) + body))
    return result


def talked_pairs(year: int) -> set[frozenset[int]]:
    """Every pair that held a counting talk in `year` (one query)."""
    rows = (
        Talk.objects.alive()
        .filter(kind__in=COVERAGE_KINDS, held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31))
        .values_list("initiator_id", "counterpart_id")
        .distinct()
    )
    return {frozenset(r) for r in rows}


# ---------------------------------------------------------------- coverage


def _talk_count(year: int):
    """Counting talks the planned pair (OuterRef) held in `year`, whoever initiated (a correlated subquery)."""
    talks = (
        Talk.objects.alive()
        .filter(kind__in=COVERAGE_KINDS, held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31))
        .filter(
            Q(initiator=OuterRef("initiator"), counterpart=OuterRef("counterpart"))
            | Q(initiator=OuterRef("counterpart"), counterpart=OuterRef("initiator"))
        )
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(talks, output_field=IntegerField()), Value(0))


def _needed() -> Case:
    """The rule's least number of talks per pair, as the college has set it (one query)."""
    values = rules.values(*PlanRule.values)
    return Case(
        *[When(plan__rule=code, then=Value(int(n))) for code, n in values.items()],
        default=Value(1),
        output_field=IntegerField(),
    )


def _items(plans, year: int):
    """The plans' active pairs, each with its talk count and the number the rule requires."""
    return (
        PlannedTalk.objects.filter(plan__in=plans, withdrawn_on__isnull=True)
        .annotate(n_talks=_talk_count(year), needed=_needed())
    )


@dataclass
class MissingTalk:
    """A required talk not (yet) held: the to-do of its 谈话人."""

    initiator_id: int
    initiator_name: str
    counterpart_id: int
    counterpart_name: str
    counterpart_unit: str
    held: int
    needed: int


@dataclass
class CoverageRow:
    """One rule for one unit in one year: required pairs, pairs done, and the missing ones."""

    plan_id: int
    rule: str
    title: str
    unit: OrgUnit
    year: int
    required: int = 0
    done: int = 0
    updated_at: object = None
    missing: list[MissingTalk] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 100

    def todo(self) -> list[dict]:
        """The missing pairs grouped by 谈话人, for the page: [{name, id, talks: [MissingTalk…]}…]."""
        groups: dict[int, dict] = {}
        for m in self.missing:
            groups.setdefault(m.initiator_id, {"id": m.initiator_id, "name": m.initiator_name, "talks": []})
            groups[m.initiator_id]["talks"].append(m)
        return list(groups.values())


_RULE_ORDER = {code: i for i, code in enumerate(PlanRule.values)}


def _in_order(plans_qs) -> list[TalkPlan]:
    """Plans in tree order, and within a unit in the order the rules are declared."""
    plans = list(plans_qs.select_related("unit"))
    return sorted(plans, key=lambda p: (p.unit.path, _RULE_ORDER.get(p.rule, 99)))


def plans_visible_to(user, action: str = Action.TALKS_VIEW):
    return TalkPlan.objects.visible_to(user, action)


def talk_coverage(user, *, year: int, unit: OrgUnit | None = None) -> list[CoverageRow]:
    """Coverage of `year`'s plans per rule and unit. `user` None is the trusted command line (every plan).

    Four queries whatever the size: plans, rule values, counts per plan, missing pairs.
    """
    plans_qs = TalkPlan.objects.all() if user is None else plans_visible_to(user)
    plans_qs = plans_qs.filter(year=year)
    if unit is not None:
        plans_qs = plans_qs.filter(unit__path__startswith=unit.path)
    plans = _in_order(plans_qs)
    if not plans:
        return []
    rows = {
        p.pk: CoverageRow(plan_id=p.pk, rule=p.rule, title=str(p.get_rule_display()), unit=p.unit, year=year,
                          updated_at=p.updated_at)
        for p in plans
    }
    items = _items(plans, year)
    counts = (
        items.order_by()
        .values("plan_id")
        .annotate(required=Count("id"), done=Count("id", filter=Q(n_talks__gte=F("needed"))))
    )
    for c in counts:
        rows[c["plan_id"]].required = c["required"]
        rows[c["plan_id"]].done = c["done"]
    missing = (
        items.filter(n_talks__lt=F("needed"))
        .values_list("plan_id", "initiator_id", "initiator__name", "counterpart_id", "counterpart__name",
                     "counterpart__unit__name", "n_talks", "needed")
        .order_by("plan_id", "initiator__name_pinyin", "initiator_id", "counterpart__name_pinyin", "counterpart_id")
    )
    for plan_id, *rest in missing:
        rows[plan_id].missing.append(MissingTalk(*rest))
    return list(rows.values())


def coverage_json(rows: list[CoverageRow], year: int) -> dict:
    """The contract shape of `dangjian talk_coverage --format json` and GET /talk-coverage."""
    return {
        "year": year,
        "rules": [
            {
                "rule": r.rule,
                "unit": r.unit.code,
                "required": r.required,
                "done": r.done,
                "missing": [{"from": m.initiator_name, "to": m.counterpart_name} for m in r.missing],
            }
            for r in rows
        ],
    }


SHORT_TITLES = {
    PlanRule.SECRETARY_TEACHERS: _("书记—教师"),
    PlanRule.COMMITTEE_ACTIVISTS: _("委员—积极分子"),
    PlanRule.BRANCH_MEMBERS: _("支委—党员"),
}


def coverage_chart(rows: list[CoverageRow]) -> dict:
    """Data for the coverage bar chart (static/js/talks.js)."""
    return {
        "labels": [f"{r.unit.display_name} · {SHORT_TITLES.get(r.rule, r.title)}" for r in rows],
        "done": [r.done for r in rows],
        "missing": [r.required - r.done for r in rows],
    }


def missing_talks(year: int, *, initiator_id: int | None = None) -> list[tuple[str, MissingTalk]]:
    """Every missing talk of `year` (or one person's), with its rule code: for reminders and to-do lists.
    Three queries (plans, rule values, pairs), unscoped: callers filter to what the viewer may see."""
    plans = TalkPlan.objects.filter(year=year)
    items = _items(plans, year).filter(n_talks__lt=F("needed"))
    if initiator_id is not None:
        items = items.filter(initiator_id=initiator_id)
    rows = items.values_list(
        "plan__rule", "initiator_id", "initiator__name", "counterpart_id", "counterpart__name",
        "counterpart__unit__name", "n_talks", "needed",
    ).order_by("initiator_id", "plan__rule", "counterpart__name_pinyin", "counterpart_id")
    return [(rule, MissingTalk(*rest)) for rule, *rest in rows]


def my_todo(user, *, year: int) -> dict:
    """A person's own page: the talks they still have to hold this year (by rule), and the talks they took
    part in (no contents). A fixed number of queries."""
    pid = user.person_id
    labels = dict(PlanRule.choices)
    todo: dict[str, dict] = {}
    for rule, m in missing_talks(year, initiator_id=pid):
        todo.setdefault(rule, {"rule": rule, "title": labels.get(rule, rule), "talks": []})["talks"].append(m)
    planned = PlannedTalk.objects.filter(plan__year=year, initiator_id=pid, withdrawn_on__isnull=True).count()
    missing_n = sum(len(g["talks"]) for g in todo.values())
    talks = list(talk_list(user, person=pid, year=year)[:200])
    return {
        "year": year,
        "todo": sorted(todo.values(), key=lambda g: _RULE_ORDER.get(g["rule"], 99)),
        "planned": planned,
        "missing": missing_n,
        "done": planned - missing_n,
        "talks": talks,
        "can_record": can(user, Action.TALKS_MANAGE),
    }


# ---------------------------------------------------------------- plans page


def plan_overview(user, *, year: int, unit: OrgUnit | None = None) -> list[dict]:
    """The plans page: each visible plan with its pairs grouped by 谈话人 and a state per pair
    (done / missing / withdrawn). Four queries whatever the size."""
    plans_qs = plans_visible_to(user).filter(year=year)
    if unit is not None:
        plans_qs = plans_qs.filter(unit__path__startswith=unit.path)
    plans = _in_order(plans_qs)
    if not plans:
        return []
    items = (
        PlannedTalk.objects.filter(plan__in=plans)
        .annotate(n_talks=_talk_count(year), needed=_needed())
        .values_list("plan_id", "initiator_id", "initiator__name", "counterpart_id", "counterpart__name",
                     "withdrawn_on", "n_talks", "needed")
        .order_by("plan_id", "initiator__name_pinyin", "initiator_id", "counterpart__name_pinyin", "counterpart_id")
    )
    out = {p.pk: {"plan": p, "groups": {}, "required": 0, "done": 0, "withdrawn": 0} for p in plans}
    for plan_id, ini_id, ini_name, cp_id, cp_name, withdrawn_on, n, needed in items:
        entry = out[plan_id]
        if withdrawn_on is not None:
            state = "withdrawn"
            entry["withdrawn"] += 1
        else:
            state = "done" if n >= needed else "missing"
            entry["required"] += 1
            entry["done"] += state == "done"
        group = entry["groups"].setdefault(ini_id, {"id": ini_id, "name": ini_name, "pairs": []})
        group["pairs"].append({"id": cp_id, "name": cp_name, "state": state, "held": n, "withdrawn_on": withdrawn_on})
    for entry in out.values():
        entry["groups"] = list(entry["groups"].values())
    return list(out.values())
