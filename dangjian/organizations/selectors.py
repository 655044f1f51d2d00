"""Reads of the organisation tree, scoped to the viewer; branch health computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from dangjian.core import rules
from dangjian.core.periods import add_years
from dangjian.core.permissions import Action, Role
from dangjian.core.scoping import access_object, today

from .choices import HealthIssue, OrgUnitKind
from .models import OrgUnit, RoleAssignment


def role_unit_paths(*, person_id: int, roles: list[str], on: date | None = None) -> list[str]:
    """Paths of the active units on which the person holds one of `roles` on `on` (used by core.scoping)."""
    on = on or today()
    return list(
        RoleAssignment.objects.active(on)
        .filter(person_id=person_id, role__in=roles, unit__dissolved_on__isnull=True)
        .values_list("unit__path", flat=True)
    )


def units_visible_to(user, action: str = Action.ORG_VIEW):
    return OrgUnit.objects.visible_to(user, action)


def access_unit(user, pk, action: str = Action.ORG_VIEW) -> OrgUnit:
    return access_object(OrgUnit.objects.all(), user, pk, action)


def _member_q(prefix: str = "people__") -> Q:
    from dangjian.people.choices import MEMBER_STATUSES

    return Q(**{f"{prefix}political_status__in": MEMBER_STATUSES}) & _current_q(prefix)


def _current_q(prefix: str) -> Q:
    return Q(**{f"{prefix}deleted_at__isnull": True, f"{prefix}left_on__isnull": True})


def _full_q(prefix: str = "people__") -> Q:
    from dangjian.people.choices import PoliticalStatus

    return Q(**{f"{prefix}political_status": PoliticalStatus.FULL_MEMBER}) & _current_q(prefix)


def _prob_q(prefix: str = "people__") -> Q:
    from dangjian.people.choices import PoliticalStatus

    return Q(**{f"{prefix}political_status": PoliticalStatus.PROBATIONARY}) & _current_q(prefix)


def with_counts(queryset):
    """Annotate units with member counts: people (everyone on the roster), members, full members.

    Branch counts cover the people whose `unit` is the branch; group counts those whose `group` is it.
    """
    return queryset.annotate(
        n_people=Count("people", filter=_current_q("people__"), distinct=True),
        n_members=Count("people", filter=_member_q(), distinct=True),
        n_full=Count("people", filter=_full_q(), distinct=True),
        n_probationary=Count("people", filter=_prob_q(), distinct=True),
        n_group_members=Count("group_people", filter=_member_q("group_people__"), distinct=True),
    )


def unit_tree(user, *, include_dissolved: bool = False) -> list[OrgUnit]:
    """Visible units in tree order, each with counts. Two queries whatever the size."""
    qs = units_visible_to(user)
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return list(with_counts(qs).order_by("path"))


def unit_size(unit: OrgUnit) -> dict[str, int]:
    """Sizes shown before and after a restructure."""
    from dangjian.people.models import Person

    people = Person.objects.current().filter(unit=unit)
    agg = people.aggregate(
        people=Count("id"),
        members=Count("id", filter=_member_q("")),
        full=Count("id", filter=_full_q("")),
    )
    return {"people": agg["people"], "members": agg["members"], "full": agg["full"]}


def active_roles(unit: OrgUnit, on: date | None = None):
    return (
        RoleAssignment.objects.active(on or today())
        .filter(unit=unit)
        .select_related("person")
        .order_by("role", "starts_on")
    )


@dataclass
class HealthFinding:
    code: str
    message: str


@dataclass
class BranchHealth:
    unit: OrgUnit
    n_members: int
    n_full: int
    term_ends_on: date | None
    secretary_name: str | None
    findings: list[HealthFinding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.findings


def branch_health(units, on: date | None = None) -> list[BranchHealth]:
    """The structure rules of RULES.md §2 applied to each branch in `units` (a queryset). Two queries."""
    on = on or today()
    r = rules.values(
        "org.branch_min_full_members",
        "org.committee_required_at_full_members",
        "org.branch_max_members",
        "org.branch_term_years",
        "org.term_warning_days",
        "org.secretary_min_party_years",
    )
    secretaries = RoleAssignment.objects.active(on).filter(unit=OuterRef("pk"), role=Role.BRANCH_SECRETARY)
    qs = (
        units.filter(kind=OrgUnitKind.BRANCH, dissolved_on__isnull=True)
        .annotate(
            n_members=Count("people", filter=_member_q(), distinct=True),
            n_full=Count("people", filter=_full_q(), distinct=True),
            secretary_name=Subquery(secretaries.order_by("starts_on").values("person__name")[:1]),
            secretary_full_on=Subquery(secretaries.order_by("starts_on").values("person__full_member_on")[:1]),
        )
        .order_by("path")
    )
    result = []
    for u in qs:
        ends = u.term_ends_on(r["org.branch_term_years"])
        h = BranchHealth(u, u.n_members, u.n_full, ends, u.secretary_name)
        add = h.findings.append
        if u.n_full < r["org.branch_min_full_members"]:
            n = r["org.branch_min_full_members"]
            add(HealthFinding(HealthIssue.TOO_FEW_FULL_MEMBERS, HealthIssue.TOO_FEW_FULL_MEMBERS.label % {"n": n}))
        if u.n_full >= r["org.committee_required_at_full_members"] and not u.has_committee:
            n = r["org.committee_required_at_full_members"]
            add(HealthFinding(HealthIssue.COMMITTEE_REQUIRED, HealthIssue.COMMITTEE_REQUIRED.label % {"n": n}))
        if not u.has_committee and not u.secretary_name:
            add(HealthFinding(HealthIssue.NO_SECRETARY, str(HealthIssue.NO_SECRETARY.label)))
        if u.n_members > r["org.branch_max_members"]:
            n = r["org.branch_max_members"]
            add(HealthFinding(HealthIssue.TOO_MANY_MEMBERS, HealthIssue.TOO_MANY_MEMBERS.label % {"n": n}))
        if ends is not None:
            if ends < on:
                add(HealthFinding(HealthIssue.TERM_OVERDUE, HealthIssue.TERM_OVERDUE.label % {"date": ends}))
            elif ends <= on + timedelta(days=r["org.term_warning_days"]):
                add(HealthFinding(HealthIssue.TERM_ENDING, HealthIssue.TERM_ENDING.label % {"date": ends}))
        if u.secretary_name:
            years = r["org.secretary_min_party_years"]
            if u.secretary_full_on is None or add_years(u.secretary_full_on, years) > on:
                add(
                    HealthFinding(
                        HealthIssue.SECRETARY_STANDING_SHORT,
                        HealthIssue.SECRETARY_STANDING_SHORT.label % {"n": years},
                    )
                )
        result.append(h)
    return result


def role_labels(person_id: int, on: date | None = None) -> list[str]:
    """'教工第一党支部 支部书记'-style labels of a person's current posts, most senior unit first."""
    rows = (
        RoleAssignment.objects.active(on or today())
        .filter(person_id=person_id)
        .select_related("unit")
        .order_by("unit__depth", "id")
    )
    return [f"{r.unit.display_name} {r.get_role_display()}" for r in rows]


def dashboard(user) -> dict:
    """The organiser's (or secretary's) home: counts by status and by branch, and branch health. Five queries."""
    from django.db.models import Count as _Count

    from dangjian.people.choices import PoliticalStatus
    from dangjian.people.models import Person

    units = unit_tree(user)
    visible = units_visible_to(user)
    by_status = dict(
        Person.objects.visible_to(user, Action.PEOPLE_VIEW)
        .current()
        .values_list("political_status")
        .annotate(n=_Count("id"))
        .order_by()
    )
    status_rows = [
        {"code": code, "label": label, "n": by_status.get(code, 0)} for code, label in PoliticalStatus.choices
    ]
    branches = [u for u in units if u.kind == OrgUnitKind.BRANCH]
    health = branch_health(visible)
    return {
        "units": units,
        "branches": branches,
        "status_rows": status_rows,
        "total_people": sum(by_status.values()),
        "total_members": by_status.get(PoliticalStatus.FULL_MEMBER, 0) + by_status.get(PoliticalStatus.PROBATIONARY, 0),
        "health": health,
        "unhealthy": [h for h in health if not h.healthy],
        "chart": {
            "labels": {"full": str(_("正式党员")), "probationary": str(_("预备党员"))},
            "branches": [b.display_name for b in branches],
            "full": [b.n_full for b in branches],
            "probationary": [b.n_probationary for b in branches],
        },
    }


# ---------------------------------------------------------------- pages (tree, unit page, restructures)


def health_by_unit(units) -> dict[int, BranchHealth]:
    """branch_health keyed by unit id, for badges beside each branch of a list. Two queries."""
    return {h.unit.pk: h for h in branch_health(units)}


def unit_restructures(unit: OrgUnit):
    """Restructures that involved the unit as source, target or moved group — undone ones included."""
    from .models import Restructure

    return (
        Restructure.objects.filter(Q(source=unit) | Q(target=unit) | Q(group=unit))
        .select_related("source", "target", "group", "created_by__person", "undone_by__person")
        .order_by("-effective_on", "-id")
    )


_ROLE_RANK = {role: i for i, role in enumerate(Role.values)}


def unit_overview(unit: OrgUnit, on: date | None = None) -> dict:
    """What the unit page shows: counts, posts, sub-units with sizes, health, and its timeline.

    A fixed number of queries whatever the size of the unit.
    """
    from dangjian.people.selectors import unit_placements

    on = on or today()
    counted = with_counts(OrgUnit.objects.filter(pk=unit.pk)).get()
    children = list(with_counts(OrgUnit.objects.filter(parent=unit)).order_by("dissolved_on", "sort_order", "code"))
    health = None
    if unit.is_branch and unit.is_active:
        found = branch_health(OrgUnit.objects.filter(pk=unit.pk), on=on)
        health = found[0] if found else None
    default_years = rules.value("org.branch_term_years")
    return {
        "counts": counted,
        "parent": unit.parent if unit.parent_id else None,
        "roles": sorted(active_roles(unit, on), key=lambda r: (_ROLE_RANK.get(r.role, 99), r.starts_on)),
        "children": children,
        "groups": [c for c in children if c.kind == OrgUnitKind.GROUP],
        "health": health,
        "term_ends_on": unit.term_ends_on(default_years),
        "restructures": list(unit_restructures(unit)),
        "placements": list(_unit_placements(unit, unit_placements)),
    }


def _unit_placements(unit: OrgUnit, by_unit, limit: int = 100):
    """A branch's placements (people.selectors.unit_placements), or a group's, newest first."""
    if not unit.is_group:
        return by_unit(unit, limit=limit)
    from dangjian.people.models import Placement

    return (
        Placement.objects.filter(group=unit)
        .select_related("person", "group", "restructure")
        .order_by("-starts_on", "-id")[:limit]
    )


def restructures_visible_to(user, action: str = Action.ORG_VIEW):
    from .models import Restructure

    return Restructure.objects.visible_to(user, action).select_related(
        "source", "target", "group", "created_by__person", "undone_by__person"
    )


def access_restructure(user, pk, action: str = Action.ORG_VIEW):
    return access_object(restructures_visible_to(user, action), user, pk, action)


SIZE_KEYS = ("people", "members", "full")


def people_size(people) -> dict[str, int]:
    """{people, members, full} of a queryset of current people (one query)."""
    agg = people.aggregate(
        people=Count("id"),
        members=Count("id", filter=_member_q("")),
        full=Count("id", filter=_full_q("")),
    )
    return {k: agg[k] for k in SIZE_KEYS}


def moving_size(*, kind: str, source: OrgUnit, group: OrgUnit | None = None, people_ids=()) -> dict[str, int]:
    """Who a restructure would move: the group's people, the whole source branch, or the chosen people."""
    from dangjian.people.models import Person

    from .choices import RestructureKind

    people = Person.objects.current()
    if kind == RestructureKind.MOVE_GROUP:
        people = people.filter(group=group) if group is not None else people.none()
    elif kind == RestructureKind.MERGE:
        people = people.filter(unit=source)
    else:
        people = people.filter(unit=source, pk__in=list(people_ids))
    return people_size(people)


def projected_sizes(
    source: dict[str, int], target: dict[str, int], moving: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Pure: the two branches' sizes after `moving` leaves `source` for `target`."""
    after_source = {k: source[k] - moving[k] for k in SIZE_KEYS}
    after_target = {k: target[k] + moving[k] for k in SIZE_KEYS}
    return after_source, after_target


def restructure_preview(
    *, kind: str, source: OrgUnit, target: OrgUnit, group: OrgUnit | None = None, people_ids=(), rename_to: str = ""
) -> dict:
    """Sizes of both branches now and after a planned restructure, plus problems the service would refuse.

    Writes nothing; the service recomputes everything when the form is submitted.
    """
    from .choices import RestructureKind

    before_source, before_target = unit_size(source), unit_size(target)
    moving = moving_size(kind=kind, source=source, group=group, people_ids=people_ids)
    after_source, after_target = projected_sizes(before_source, before_target, moving)
    problems = []
    if source.pk == target.pk:
        problems.append(_("原支部和目标支部不能相同。"))
    names = set(OrgUnit.objects.filter(parent=target, dissolved_on__isnull=True).values_list("name", flat=True))
    new_name = rename_to.strip() or (group.name if group is not None else "")
    if kind == RestructureKind.MOVE_GROUP and group is not None and new_name in names:
        problems.append(
            _("目标支部已有同名党小组“%(name)s”，请为调入的党小组另起名称（例如“%(suggestion)s”）。")
            % {"name": new_name, "suggestion": suggest_group_name(target)}
        )
    if kind == RestructureKind.MERGE:
        clash = sorted(
            set(OrgUnit.objects.filter(parent=source, dissolved_on__isnull=True).values_list("name", flat=True))
            & names
        )
        if clash:
            problems.append(
                _("目标支部已有同名党小组“%(name)s”，请先修改其中一个的名称。") % {"name": "、".join(clash)}
            )
    if kind == RestructureKind.SPLIT and not moving["people"]:
        problems.append(_("请选择要调整的人员。"))
    return {
        "kind": kind,
        "source": source,
        "target": target,
        "group": group,
        "moving": moving,
        "rows": [
            {"unit": source, "before": before_source, "after": after_source},
            {"unit": target, "before": before_target, "after": after_target},
        ],
        "problems": problems,
    }


def restructure_moves(restructure) -> list[dict]:
    """The people a restructure moved, with where they came from and went to (two queries)."""
    from dangjian.people.models import Person

    moves = (restructure.moves or {}).get("people", [])
    people = Person.objects.in_bulk([m["person"] for m in moves])
    unit_ids = {m[k] for m in moves for k in ("old_unit", "old_group", "new_unit", "new_group") if m.get(k)}
    units = OrgUnit.objects.in_bulk(list(unit_ids))
    rows = []
    for m in moves:
        rows.append({
            "person": people.get(m["person"]),
            "old_unit": units.get(m.get("old_unit")),
            "old_group": units.get(m.get("old_group")),
            "new_unit": units.get(m.get("new_unit")),
            "new_group": units.get(m.get("new_group")),
        })
    rows.sort(key=lambda r: r["person"].name_pinyin if r["person"] else "")
    return rows


def sizes_table(restructure) -> list[dict]:
    """Before/after sizes of both branches of a recorded restructure (stored at the time, keyed by code)."""
    rows = []
    for unit in (restructure.source, restructure.target):
        before = (restructure.sizes_before or {}).get(unit.code, {})
        after = (restructure.sizes_after or {}).get(unit.code, {})
        rows.append({"unit": unit, "before": before, "after": after})
    return rows


def tree_order(units: list[OrgUnit]) -> list[tuple[OrgUnit, int]]:
    """Pure: (unit, level) in depth-first order, siblings by (sort_order, code). A unit whose parent is not
    in the list (the top of the viewer's scope) starts at level 0."""
    ids = {u.pk for u in units}
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.code))
    out: list[tuple[OrgUnit, int]] = []

    def walk(parent_id, level):
        for u in children.get(parent_id, []):
            out.append((u, level))
            walk(u.pk, level + 1)

    walk(None, 0)
    return out


def tree_rows(user, *, include_dissolved: bool = False) -> list[dict]:
    """The tree page: every visible unit with its counts, level and branch health (a fixed number of queries)."""
    units = unit_tree(user, include_dissolved=include_dissolved)
    health = health_by_unit(units_visible_to(user))
    return [{"unit": u, "level": min(level, 5), "health": health.get(u.pk)} for u, level in tree_order(units)]


_NUMERALS = "一二三四五六七八九十"


def suggest_group_name(branch: OrgUnit) -> str:
    """The first free '第N党小组' name in a branch (第一…第十, then 第11…)."""
    taken = set(
        OrgUnit.objects.filter(parent=branch, dissolved_on__isnull=True).values_list("name", flat=True)
    )
    n = 1
    while True:
        label = _NUMERALS[n - 1] if n <= len(_NUMERALS) else str(n)
        name = f"第{label}党小组"
        if name not in taken:
            return name
        n += 1
