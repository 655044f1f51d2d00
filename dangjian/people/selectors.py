"""Reads of people, scoped to the viewer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core.permissions import Action
from dangjian.core.scoping import access_object, can

from .models import ImportBatch, Person, Placement, Transfer


def people_visible_to(user, action: str = Action.PEOPLE_VIEW):
    return Person.objects.visible_to(user, action).filter(deleted_at__isnull=True)


def access_person(user, pk, action: str = Action.PEOPLE_VIEW) -> Person:
    return access_object(Person.objects.filter(deleted_at__isnull=True).select_related("unit", "group"), user, pk, action)


def roster(user, *, q: str = "", unit=None, status: str = "", category: str = "", include_left: bool = False):
    """The roster list: scoped, filtered, ready for a page (constant number of queries)."""
    qs = people_visible_to(user).select_related("unit", "group")
    if not include_left:
        qs = qs.filter(left_on__isnull=True)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path) if not unit.is_group else qs.filter(group=unit)
    if status:
        qs = qs.filter(political_status=status)
    if category:
        qs = qs.filter(category=category)
    return qs.search(q)


def can_view_id_number(user, person: Person) -> bool:
    return can(user, Action.PEOPLE_VIEW_ID, person.unit)


def person_timeline(person: Person) -> list[dict]:
    """Placements, transfers and recruitment dates, oldest first, for the person page."""
    events: list[dict] = []
    labels = {
        "applied_on": _("申请入党"),
        "activist_on": _("确定为入党积极分子"),
        "candidate_on": _("确定为发展对象"),
        "joined_on": _("入党（预备党员）"),
        "full_member_on": _("转为正式党员"),
    }
    for field, label in labels.items():
        value = getattr(person, field)
        if value:
            events.append({"date": value, "kind": "recruitment", "label": label})
    placements = Placement.objects.filter(person=person).select_related("unit", "group", "restructure")
    for p in placements:
        events.append({"date": p.starts_on, "kind": "placement", "placement": p})
    for t in Transfer.objects.filter(person=person).select_related(
        "from_unit", "to_unit", "from_group", "to_group", "created_by"
    ):
        events.append({"date": t.transferred_on, "kind": "transfer", "transfer": t})
    return sorted(events, key=lambda e: (e["date"], e["kind"]))


def unit_placements(unit, limit: int = 100):
    """Placement changes into or out of a unit (its timeline), newest first."""
    return (
        Placement.objects.filter(unit=unit)
        .select_related("person", "group", "restructure")
        .order_by("-starts_on", "-id")[:limit]
    )


def import_batches_visible_to(user):
    return ImportBatch.objects.visible_to(user, Action.PEOPLE_IMPORT).select_related("created_by", "unit")


def transfers_visible_to(user):
    return Transfer.objects.visible_to(user, Action.PEOPLE_VIEW).select_related(
        "person", "from_unit", "to_unit", "created_by"
    )



def my_record(user) -> dict:
    """A member's own home page: their record, placement, posts and timeline (works on a phone)."""
    from dangjian.organizations.selectors import role_labels

    person = Person.objects.select_related("unit", "group").get(pk=user.person_id)
    return {
        "person": person,
        "roles": role_labels(person.pk),
        "timeline": person_timeline(person),
    }


# ---------------------------------------------------------------- pages


def roster_for_export(user, **filters):
    """The roster as filtered, narrowed to the units where the user may export (PEOPLE_EXPORT)."""
    allowed = Person.objects.visible_to(user, Action.PEOPLE_EXPORT).values("pk")
    return roster(user, **filters).filter(pk__in=allowed)


def person_overview(user, person: Person) -> dict:
    """The person page: posts, timeline, and which buttons the viewer gets (a fixed number of queries)."""
    from dangjian.organizations.selectors import role_labels

    return {
        "person": person,
        "roles": role_labels(person.pk),
        "timeline": person_timeline(person),
        "can_manage": can(user, Action.PEOPLE_MANAGE, person.unit),
        "can_view_unit": can(user, Action.ORG_VIEW, person.unit),
        "can_view_id": bool(person.id_number_masked) and can_view_id_number(user, person),
    }


def access_import_batch(user, pk) -> ImportBatch:
    return access_object(import_batches_visible_to(user), user, pk, Action.PEOPLE_IMPORT)


def batch_people(user, batch: ImportBatch) -> dict:
    """The people an import batch created and updated, as far as the viewer can see them."""
    undo = batch.undo or {}
    created = list(undo.get("created", []))
    updated = [int(k) for k in undo.get("updated", {})]
    people = people_visible_to(user).select_related("unit", "group").in_bulk(created + updated)
    return {
        "created": [people[pk] for pk in created if pk in people],
        "updated": [people[pk] for pk in updated if pk in people],
    }


def unit_names_by_code(codes) -> dict[str, str]:
    """Unit code → name, to show the importer's unit/group diffs (which carry codes) by name. One query."""
    from dangjian.organizations.models import OrgUnit

    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
