"""Reads of the organisation tree, scoped to the viewer; branch health computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery

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


def with_counts(queryset):
    """Annotate units with member counts: people (everyone on the roster), members, full members.

    Branch counts cover the people whose `unit` is the branch; group counts those whose `group` is it.
    """
    return queryset.annotate(
        n_people=Count("people", filter=_current_q("people__"), distinct=True),
        n_members=Count("people", filter=_member_q(), distinct=True),
        n_full=Count("people", filter=_full_q(), distinct=True),
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
    """The structure rules of RULES.md §2 applied to each branch in `units` (a queryset). Three queries."""
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
