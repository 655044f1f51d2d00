"""Writes to the organisation tree: units, posts, and restructures (one audited operation each)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import diff, record
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.permissions import Action, Role
from dangjian.core.scoping import can, today

from .choices import OrgUnitKind, RestructureKind
from .models import OrgUnit, Restructure, RoleAssignment
from .selectors import unit_size

# Which kinds may hang under which (a branch may sit directly under the committee or under a 总支).
ALLOWED_PARENTS = {
    OrgUnitKind.COMMITTEE: {None, OrgUnitKind.COMMITTEE},
    OrgUnitKind.GENERAL_BRANCH: {OrgUnitKind.COMMITTEE},
    OrgUnitKind.BRANCH: {OrgUnitKind.COMMITTEE, OrgUnitKind.GENERAL_BRANCH},
    OrgUnitKind.GROUP: {OrgUnitKind.BRANCH},
}

UNIT_FIELDS = [
    "code", "name", "short_name", "kind", "category", "is_joint", "parent", "sort_order",
    "established_on", "dissolved_on", "has_committee", "term_started_on", "term_years",
]


class OrganizationError(DomainError):
    pass


def _require(actor, action: str, unit: OrgUnit | None) -> None:
    if actor is None or not can(actor, action, unit):
        raise PermissionDenied("forbidden", _("您没有权限对该党组织执行此操作。"))


def _validate_unit(unit: OrgUnit) -> None:
    parent_kind = unit.parent.kind if unit.parent_id else None
    if parent_kind not in ALLOWED_PARENTS[unit.kind]:
        raise OrganizationError(
            "bad_parent",
            _("%(kind)s不能设在%(parent)s之下。")
            % {"kind": unit.get_kind_display(), "parent": unit.parent.get_kind_display() if unit.parent_id else _("顶层")},
        )
    if unit.established_on and unit.dissolved_on and unit.dissolved_on < unit.established_on:
        raise OrganizationError("date_order", _("撤销日期不能早于成立日期。"))
    if unit.term_years is not None and not 1 <= unit.term_years <= 5:
        raise OrganizationError("bad_term", _("任期年限应在1到5年之间。"))
    if unit.kind == OrgUnitKind.GROUP and unit.has_committee:
        raise OrganizationError("bad_value", _("党小组不设委员会。"))
    if OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
        raise OrganizationError("duplicate_code", _("组织编码“%(code)s”已被使用。") % {"code": unit.code})


def _has_current_people(**lookup: Any) -> bool:
    from dangjian.people.models import Person

    return Person.objects.current().filter(**lookup).exists()


def _set_path(unit: OrgUnit) -> None:
    """Recompute `path`/`depth` of a unit and its whole subtree after it was created or moved."""
    old_path = unit.path
    prefix = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{prefix}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    if old_path and old_path != unit.path:
        for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path):]
            child.depth = child.path.count("/") - 2
            OrgUnit.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


@transaction.atomic
def create_unit(*, actor, parent: OrgUnit | None, code: str, name: str, kind: str, **fields: Any) -> OrgUnit:
    """A new unit under `parent`. A top-level committee can only be created by seeding or import (actor None)."""
    if actor is not None:
        if parent is None:
            raise PermissionDenied("forbidden", _("顶层党委只能通过初始化或导入建立。"))
        _require(actor, Action.ORG_MANAGE, parent)
    unit = OrgUnit(parent=parent, code=code.strip(), name=name.strip(), kind=kind, **fields)
    _validate_unit(unit)
    unit.save()
    _set_path(unit)
    record(actor=actor or "system", action="organizations.unit.created", target=unit, unit=unit)
    return unit


@transaction.atomic
def update_unit(*, actor, unit: OrgUnit, version: int, **fields: Any) -> OrgUnit:
    """Edit a unit; refuses if someone else saved it since `version` was read."""
    locked = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require(actor, Action.ORG_MANAGE, locked)
    if locked.version != version:
        raise ConcurrentEdit("concurrent_edit", _("该党组织已被他人修改，请刷新后重试。"))
    before = {f: getattr(locked, f) for f in UNIT_FIELDS}
    for k, v in fields.items():
        if k not in UNIT_FIELDS:
            raise ValueError(k)
        setattr(locked, k, v)
    if "parent" in fields and locked.parent_id and locked.parent.path.startswith(locked.path):
        raise OrganizationError("bad_parent", _("不能把党组织移到它自己的下级之下。"))
    _validate_unit(locked)
    changes = diff(before, {f: getattr(locked, f) for f in UNIT_FIELDS})
    if not changes:
        return locked
    if "parent" in changes:
        # Moving needs authority over the new parent too, and a group's members move only with a restructure.
        if locked.parent_id is None:
            raise PermissionDenied("forbidden", _("顶层党委只能通过初始化或导入建立。"))
        _require(actor, Action.ORG_MANAGE, locked.parent)
        if locked.kind == OrgUnitKind.GROUP and _has_current_people(group=locked):
            raise OrganizationError("use_restructure", _("该党小组有成员，请使用“党小组整建制调整”。"))
    locked.version += 1
    locked.save()
    if "parent" in changes:
        _set_path(locked)
    record(actor=actor, action="organizations.unit.updated", target=locked, unit=locked, changes=changes)
    return locked


@transaction.atomic
def assign_role(
    *, actor, person, unit: OrgUnit, role: str, starts_on: date, is_dual_leader: bool = False, note: str = ""
) -> RoleAssignment:
    """Appoint a person to a post. A branch has one secretary at a time."""
    if actor is not None:
        _require(actor, Action.ORG_MANAGE, unit)
    if role == Role.BRANCH_SECRETARY:
        clash = RoleAssignment.objects.active(starts_on).filter(unit=unit, role=role).exclude(person=person)
        if clash.exists():
            raise OrganizationError("secretary_exists", _("该支部已有在任支部书记，请先免去原书记职务。"))
    ra = RoleAssignment.objects.create(
        person=person, unit=unit, role=role, starts_on=starts_on, is_dual_leader=is_dual_leader, note=note
    )
    record(actor=actor or "system", action="organizations.role.assigned", target=ra, unit=unit,
           changes={"role": [None, role], "person": [None, person.pk]})
    return ra


@transaction.atomic
def end_role(*, actor, assignment: RoleAssignment, ends_on: date) -> RoleAssignment:
    _require(actor, Action.ORG_MANAGE, assignment.unit)
    if ends_on < assignment.starts_on:
        raise OrganizationError("date_order", _("免职日期不能早于任职日期。"))
    RoleAssignment.objects.filter(pk=assignment.pk).update(ends_on=ends_on)
    assignment.ends_on = ends_on
    record(actor=actor, action="organizations.role.ended", target=assignment, unit=assignment.unit,
           changes={"ends_on": [None, ends_on.isoformat()]})
    return assignment


# ---------------------------------------------------------------- restructures


def _sizes(*units: OrgUnit) -> dict[str, dict[str, int]]:
    return {u.code: unit_size(u) for u in units}


def _check_branches(actor, source: OrgUnit, target: OrgUnit, effective_on: date) -> None:
    if source.kind != OrgUnitKind.BRANCH or target.kind != OrgUnitKind.BRANCH:
        raise OrganizationError("not_branch", _("只能在党支部之间调整。"))
    if source.pk == target.pk:
        raise OrganizationError("same_branch", _("原支部和目标支部不能相同。"))
    if not source.is_active or not target.is_active:
        raise OrganizationError("dissolved", _("已撤销的支部不能参与调整。"))
    _require(actor, Action.ORG_MANAGE, source)
    _require(actor, Action.ORG_MANAGE, target)
    if effective_on > today():
        raise OrganizationError("future_date", _("生效日期不能晚于今天。"))


def _move_people(people, *, unit: OrgUnit, group: OrgUnit | None, keep_group: bool, effective_on, restructure):
    from dangjian.people.services import move_placement

    moves = []
    for person in people:
        moves.append(
            move_placement(
                person=person,
                unit=unit,
                group=person.group if keep_group else group,
                on=effective_on,
                reason="restructure",
                restructure=restructure,
            )
        )
    return moves


@transaction.atomic
def move_group(
    *, actor, group: OrgUnit, target: OrgUnit, effective_on: date, reason: str, rename_to: str = ""
) -> Restructure:
    """Move a party group with all its members to another branch (the seed's own example), in one step.

    Group names are unique within a branch, so a group whose name the target already uses must be renamed
    as part of the same operation (`rename_to`, e.g. 第二党小组 → 第三党小组); undo restores the old name.
    """
    group = OrgUnit.objects.select_for_update().get(pk=group.pk)
    if group.kind != OrgUnitKind.GROUP:
        raise OrganizationError("not_group", _("只能整建制调整党小组。"))
    source = OrgUnit.objects.select_for_update().get(pk=group.parent_id)
    target = OrgUnit.objects.select_for_update().get(pk=target.pk)
    _check_branches(actor, source, target, effective_on)
    if not reason.strip():
        raise OrganizationError("required", _("请填写调整原因。"))
    new_name = rename_to.strip() or group.name
    if OrgUnit.objects.filter(parent=target, name=new_name, dissolved_on__isnull=True).exists():
        from .selectors import suggest_group_name

        raise OrganizationError(
            "duplicate_group_name",
            _("目标支部已有同名党小组“%(name)s”，请为调入的党小组另起名称（例如“%(suggestion)s”）。")
            % {"name": new_name, "suggestion": suggest_group_name(target)},
            field="rename_to",
            suggestion=suggest_group_name(target),
        )
    from dangjian.people.models import Person

    rs = Restructure.objects.create(
        kind=RestructureKind.MOVE_GROUP, source=source, target=target, group=group,
        effective_on=effective_on, reason=reason.strip(), sizes_before=_sizes(source, target), created_by=actor,
    )
    people = list(Person.objects.current().filter(group=group).select_for_update())
    moves = _move_people(people, unit=target, group=group, keep_group=True, effective_on=effective_on, restructure=rs)
    old_name = group.name
    group.parent = target
    group.name = new_name
    group.version += 1
    group.save(update_fields=["parent", "name", "version"])
    _set_path(group)
    rs.moves = {"people": moves, "groups": [group.pk], "group_names": {str(group.pk): old_name}}
    rs.sizes_after = _sizes(source, target)
    rs.save(update_fields=["moves", "sizes_after"])
    for unit in (source, target):
        record(actor=actor, action="organizations.restructure.applied", target=rs, unit=unit,
               changes={"sizes": [rs.sizes_before[unit.code], rs.sizes_after[unit.code]]}, note=rs.reason)
    return rs


@transaction.atomic
def merge_branches(*, actor, source: OrgUnit, target: OrgUnit, effective_on: date, reason: str) -> Restructure:
    """Merge `source` into `target`: its people and groups move, and `source` is dissolved."""
    source = OrgUnit.objects.select_for_update().get(pk=source.pk)
    target = OrgUnit.objects.select_for_update().get(pk=target.pk)
    _check_branches(actor, source, target, effective_on)
    if not reason.strip():
        raise OrganizationError("required", _("请填写调整原因。"))
    from dangjian.people.models import Person

    groups = list(OrgUnit.objects.filter(parent=source, dissolved_on__isnull=True))
    names = set(OrgUnit.objects.filter(parent=target, dissolved_on__isnull=True).values_list("name", flat=True))
    clash = [g.name for g in groups if g.name in names]
    if clash:
        raise OrganizationError(
            "duplicate_group_name",
            _("目标支部已有同名党小组“%(name)s”，请先修改其中一个的名称。") % {"name": "、".join(clash)},
        )
    rs = Restructure.objects.create(
        kind=RestructureKind.MERGE, source=source, target=target, effective_on=effective_on,
        reason=reason.strip(), sizes_before=_sizes(source, target), created_by=actor,
    )
    people = list(Person.objects.current().filter(unit=source).select_for_update())
    moves = _move_people(people, unit=target, group=None, keep_group=True, effective_on=effective_on, restructure=rs)
    for g in groups:
        g.parent = target
        g.version += 1
        g.save(update_fields=["parent", "version"])
        _set_path(g)
    source.dissolved_on = effective_on
    source.version += 1
    source.save(update_fields=["dissolved_on", "version"])
    rs.moves = {"people": moves, "groups": [g.pk for g in groups]}
    rs.sizes_after = _sizes(source, target)
    rs.save(update_fields=["moves", "sizes_after"])
    rs_groups = [g.pk for g in groups]
    for unit in (source, target):
        record(actor=actor, action="organizations.restructure.applied", target=rs, unit=unit,
               changes={"sizes": [rs.sizes_before[unit.code], rs.sizes_after[unit.code]], "groups": [None, rs_groups]},
               note=rs.reason)
    return rs


@transaction.atomic
def split_branch(
    *, actor, source: OrgUnit, target: OrgUnit, people_ids: list[int], effective_on: date, reason: str
) -> Restructure:
    """Move the chosen people of `source` to `target` (an existing or newly created branch)."""
    source = OrgUnit.objects.select_for_update().get(pk=source.pk)
    target = OrgUnit.objects.select_for_update().get(pk=target.pk)
    _check_branches(actor, source, target, effective_on)
    if not reason.strip():
        raise OrganizationError("required", _("请填写调整原因。"))
    from dangjian.people.models import Person

    people = list(Person.objects.current().filter(unit=source, pk__in=people_ids).select_for_update())
    if not people or len(people) != len(set(people_ids)):
        raise OrganizationError("bad_people", _("所选人员必须都在原支部中。"))
    rs = Restructure.objects.create(
        kind=RestructureKind.SPLIT, source=source, target=target, effective_on=effective_on,
        reason=reason.strip(), sizes_before=_sizes(source, target), created_by=actor,
    )
    moves = _move_people(people, unit=target, group=None, keep_group=False, effective_on=effective_on, restructure=rs)
    rs.moves = {"people": moves, "groups": []}
    rs.sizes_after = _sizes(source, target)
    rs.save(update_fields=["moves", "sizes_after"])
    for unit in (source, target):
        record(actor=actor, action="organizations.restructure.applied", target=rs, unit=unit,
               changes={"sizes": [rs.sizes_before[unit.code], rs.sizes_after[unit.code]]}, note=rs.reason)
    return rs


@transaction.atomic
def undo_restructure(*, actor, restructure: Restructure) -> Restructure:
    """Put everything back as it was before the restructure, if nothing has moved since."""
    from dangjian.people.services import undo_placement_move

    rs = Restructure.objects.select_for_update().get(pk=restructure.pk)
    if rs.undone_at is not None:
        raise OrganizationError("already_undone", _("该调整已经撤销。"))
    source, target = rs.source, rs.target
    _require(actor, Action.ORG_MANAGE, source)
    _require(actor, Action.ORG_MANAGE, target)
    later = Restructure.objects.filter(undone_at__isnull=True, id__gt=rs.id).filter(
        source__in=[source, target]
    ) | Restructure.objects.filter(undone_at__isnull=True, id__gt=rs.id, target__in=[source, target])
    if later.exists():
        raise OrganizationError("undo_conflict", _("这两个支部之后又有调整，请先撤销后来的调整。"))
    before = _sizes(source, target)
    for move in rs.moves["people"]:
        undo_placement_move(move)
    old_names = rs.moves.get("group_names", {})
    for g in OrgUnit.objects.select_for_update().filter(pk__in=rs.moves["groups"]):
        g.parent = source
        g.name = old_names.get(str(g.pk), g.name)
        g.version += 1
        g.save(update_fields=["parent", "name", "version"])
        _set_path(g)
    if rs.kind == RestructureKind.MERGE:
        source.dissolved_on = None
        source.version += 1
        source.save(update_fields=["dissolved_on", "version"])
    rs.undone_at = timezone.now()
    rs.undone_by = actor
    rs.save(update_fields=["undone_at", "undone_by"])
    after = _sizes(source, target)
    for unit in (source, target):
        record(actor=actor, action="organizations.restructure.undone", target=rs, unit=unit,
               changes={"sizes": [before[unit.code], after[unit.code]]})
    return rs


def day_before(d: date) -> date:
    return d - timedelta(days=1)
