"""Writes for people: records, ID numbers, placements and transfers. Each is one transaction + audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import pinyin, rules
from dangjian.core.audit import diff, record
from dangjian.core.crypto import blind_index, decrypt, encrypt
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.periods import add_months
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit

from . import validation as v
from .choices import MEMBER_STATUSES, PlacementReason, PoliticalStatus, TransferKind
from .models import Person, Placement, Transfer

PERSON_FIELDS = [
    "name", "gender", "ethnicity", "birth_date", "native_place", "education", "category", "staff_no",
    "affiliation", "phone", "email", "political_status", "party_standing", "applied_on", "activist_on",
    "candidate_on", "joined_on", "full_member_on", "note",
]


class PeopleError(DomainError):
    pass


def _require(actor, action: str, unit: OrgUnit) -> None:
    if actor is None or not can(actor, action, unit):
        raise PermissionDenied("forbidden", _("您没有权限管理该党组织的人员。"))


def set_id_number(person: Person, raw: str) -> None:
    """Encrypt, index and mask the ID number on the (unsaved) person."""
    value = v.normalise_id_number(raw)
    person.id_number_encrypted = encrypt(value)
    person.id_number_hash = blind_index(value)
    person.id_number_masked = v.mask_id_number(value) if value else ""


def set_name(person: Person, name: str) -> None:
    person.name = name.strip()
    person.name_pinyin = pinyin.full(person.name)
    person.name_initials = pinyin.initials(person.name)


def validate_person(person: Person, id_number: str | None = None, *, on: date | None = None) -> None:
    """The same rules the importer applies, raised as one coded error (the first found)."""
    on = on or today()
    if not person.name:
        raise PeopleError("required", _("请填写姓名。"), field="name")
    if id_number:
        problem = v.check_id_number(v.normalise_id_number(id_number), person.birth_date)
        if problem:
            raise PeopleError(problem[0], problem[1], field="id_number")
    if person.phone and not v.phone_ok(person.phone):
        raise PeopleError("bad_phone", _("手机号码应为11位数字。"), field="phone")
    if person.email and not v.email_ok(person.email):
        raise PeopleError("bad_email", _("电子邮箱格式不正确。"), field="email")
    dates = [(f, getattr(person, f)) for f in v.RECRUITMENT_DATE_FIELDS if getattr(person, f)]
    for f, d in dates + ([("birth_date", person.birth_date)] if person.birth_date else []):
        if d > on:
            raise PeopleError("future_date", _("日期不能晚于今天。"), field=f)
    for (f1, d1), (f2, d2) in zip(dates, dates[1:], strict=False):
        if d2 < d1:
            raise PeopleError(
                "date_order",
                _("%(b)s不能早于%(a)s。")
                % {"a": Person._meta.get_field(f1).verbose_name, "b": Person._meta.get_field(f2).verbose_name},
                field=f2,
            )
    r = rules.values("recruitment.min_age", "recruitment.probation_months")
    if person.applied_on and person.birth_date and v.age_on(person.birth_date, person.applied_on) < r["recruitment.min_age"]:
        raise PeopleError("too_young", _("申请入党时未满%(n)d周岁。") % {"n": r["recruitment.min_age"]}, field="applied_on")
    probation = r["recruitment.probation_months"]
    if person.joined_on and person.full_member_on and person.full_member_on < add_months(person.joined_on, probation):
        raise PeopleError("probation_too_short", _("转正日期早于入党满一年的日期。"), field="full_member_on")
    status = person.political_status
    if status == PoliticalStatus.FULL_MEMBER and not (person.joined_on and person.full_member_on):
        raise PeopleError("status_dates_mismatch", _("中共党员应有入党日期和转正日期。"), field="political_status")
    if status == PoliticalStatus.PROBATIONARY and (not person.joined_on or person.full_member_on):
        raise PeopleError("status_dates_mismatch", _("预备党员应有入党日期且不应有转正日期。"), field="political_status")
    if status not in MEMBER_STATUSES and (person.joined_on or person.full_member_on):
        raise PeopleError("status_dates_mismatch", _("非党员不应有入党或转正日期。"), field="political_status")
    if status in MEMBER_STATUSES and person.unit.kind != OrgUnitKind.BRANCH:
        raise PeopleError("status_dates_mismatch", _("党员必须编入党支部。"), field="unit")
    if person.group_id and person.group.parent_id != person.unit_id:
        raise PeopleError("unknown_group", _("党小组不属于所在党支部。"), field="group")


def _open_placement(person: Person, *, on: date, reason: str, transfer=None, restructure=None) -> Placement:
    return Placement.objects.create(
        person=person, unit=person.unit, group=person.group, starts_on=on, reason=reason,
        transfer=transfer, restructure=restructure,
    )


@transaction.atomic
def create_person(
    *, actor, unit: OrgUnit, group: OrgUnit | None = None, id_number: str = "", placed_on: date | None = None,
    **fields: Any,
) -> Person:
    """Add a person to the roster of `unit` (a branch, or the committee for people in no branch)."""
    if actor is not None:
        _require(actor, Action.PEOPLE_MANAGE, unit)
    person = Person(unit=unit, group=group, **{k: v_ for k, v_ in fields.items() if k != "name"})
    set_name(person, fields.get("name", ""))
    validate_person(person, id_number)
    if id_number:
        set_id_number(person, id_number)
        if Person.objects.filter(id_number_hash=person.id_number_hash, deleted_at__isnull=True).exists():
            raise PeopleError("duplicate", _("该身份证号已在花名册中。"), field="id_number")
    if person.staff_no and Person.objects.filter(staff_no=person.staff_no, deleted_at__isnull=True).exists():
        raise PeopleError("duplicate", _("该工号/学号已在花名册中。"), field="staff_no")
    person.save()
    _open_placement(person, on=placed_on or today(), reason=PlacementReason.CREATED)
    record(actor=actor or "system", action="people.person.created", target=person, unit=unit)
    return person


@transaction.atomic
def update_person(*, actor, person: Person, version: int, id_number: str | None = None, **fields: Any) -> Person:
    """Edit a person's record; refuses a stale `version` (someone else saved in between)."""
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to `group`.
    locked = Person.objects.select_for_update(of=("self",)).select_related("unit", "group").get(pk=person.pk)
    _require(actor, Action.PEOPLE_MANAGE, locked.unit)
    if locked.version != version:
        raise ConcurrentEdit("concurrent_edit", _("该人员信息已被他人修改，请刷新后重试。"))
    before = {f: getattr(locked, f) for f in PERSON_FIELDS}
    for k, val in fields.items():
        if k not in PERSON_FIELDS:
            raise ValueError(k)
        if k == "name":
            set_name(locked, val)
        else:
            setattr(locked, k, val)
    validate_person(locked, id_number)
    changes = diff(before, {f: getattr(locked, f) for f in PERSON_FIELDS})
    if id_number is not None and v.normalise_id_number(id_number) != decrypt(locked.id_number_encrypted):
        set_id_number(locked, id_number)
        clash = Person.objects.filter(id_number_hash=locked.id_number_hash, deleted_at__isnull=True).exclude(pk=locked.pk)
        if id_number and clash.exists():
            raise PeopleError("duplicate", _("该身份证号已在花名册中。"), field="id_number")
        changes["id_number"] = ["***", "***"]  # never the value itself in the audit log
    if locked.staff_no and Person.objects.filter(staff_no=locked.staff_no, deleted_at__isnull=True).exclude(pk=locked.pk).exists():
        raise PeopleError("duplicate", _("该工号/学号已在花名册中。"), field="staff_no")
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="people.person.updated", target=locked, unit=locked.unit, changes=changes)
    return locked


@transaction.atomic
def delete_person(*, actor, person: Person, reason: str) -> Person:
    """Soft delete with a reason; reversible by restore_person."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, Action.PEOPLE_MANAGE, locked.unit)
    if not reason.strip():
        raise PeopleError("required", _("请填写删除原因。"), field="reason")
    if locked.deleted_at:
        raise PeopleError("already_deleted", _("该人员已被删除。"))
    locked.deleted_at = timezone.now()
    locked.deleted_reason = reason.strip()[:200]
    locked.version += 1
    locked.save(update_fields=["deleted_at", "deleted_reason", "version"])
    record(actor=actor, action="people.person.deleted", target=locked, unit=locked.unit, note=locked.deleted_reason)
    return locked


@transaction.atomic
def restore_person(*, actor, person: Person) -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _require(actor, Action.PEOPLE_MANAGE, locked.unit)
    if not locked.deleted_at:
        raise PeopleError("not_deleted", _("该人员未被删除。"))
    if locked.id_number_hash and Person.objects.filter(id_number_hash=locked.id_number_hash, deleted_at__isnull=True).exists():
        raise PeopleError("duplicate", _("花名册中已有相同身份证号的人员，不能恢复。"))
    if locked.staff_no and Person.objects.filter(staff_no=locked.staff_no, deleted_at__isnull=True).exists():
        raise PeopleError("duplicate", _("花名册中已有相同工号/学号的人员，不能恢复。"))
    locked.deleted_at = None
    locked.version += 1
    locked.save(update_fields=["deleted_at", "version"])
    record(actor=actor, action="people.person.restored", target=locked, unit=locked.unit)
    return locked


@transaction.atomic
def reveal_id_number(*, actor, person: Person) -> str:
    """The full ID number, for holders of the explicit right; every read is logged."""
    if not can(actor, Action.PEOPLE_VIEW_ID, person.unit):
        raise PermissionDenied("forbidden", _("您没有查看完整身份证号的权限。"))
    record(actor=actor, action="people.person.id_number_read", target=person, unit=person.unit)
    return decrypt(person.id_number_encrypted)


# ---------------------------------------------------------------- placements and transfers


def move_placement(
    *, person: Person, unit: OrgUnit, group: OrgUnit | None, on: date, reason: str, transfer=None, restructure=None
) -> dict[str, Any]:
    """Close the open placement and open one in `unit`/`group` from `on`. Returns what undo needs.

    Called inside the caller's transaction (a transfer or a restructure); does not audit by itself.
    """
    old = Placement.objects.select_for_update().filter(person=person, ends_on__isnull=True).first()
    if old is not None and on < old.starts_on:
        # Otherwise the new placement would start before the one it closes and the history would overlap.
        raise PeopleError(
            "date_order",
            _("%(name)s 的调整日期不能早于其当前编入日期 %(d)s。") % {"name": person.name, "d": old.starts_on.isoformat()},
            field="effective_on",
        )
    move = {
        "person": person.pk,
        "old_unit": person.unit_id,
        "old_group": person.group_id,
        "old_placement": old.pk if old else None,
        "old_placement_ends_on": None,
    }
    if old is not None:
        old.ends_on = max(old.starts_on, on - timedelta(days=1))
        old.save(update_fields=["ends_on"])
        move["old_placement_ends_on"] = old.ends_on.isoformat()
    person.unit = unit
    person.group = group
    person.version += 1
    person.save(update_fields=["unit", "group", "version", "updated_at"])
    new = _open_placement(person, on=on, reason=reason, transfer=transfer, restructure=restructure)
    move.update(new_unit=unit.pk, new_group=group.pk if group else None, new_placement=new.pk)
    return move


def undo_placement_move(move: dict[str, Any]) -> None:
    """Reverse one move_placement, if the person has not moved again since."""
    person = Person.objects.select_for_update().get(pk=move["person"])
    new = Placement.objects.filter(pk=move["new_placement"], ends_on__isnull=True).first()
    if new is None or person.unit_id != move["new_unit"]:
        raise PeopleError("undo_conflict", _("%(name)s 之后又调整过组织关系，不能撤销。") % {"name": person.name})
    new.delete()
    if move["old_placement"]:
        Placement.objects.filter(pk=move["old_placement"]).update(ends_on=None)
    person.unit_id = move["old_unit"]
    person.group_id = move["old_group"]
    person.version += 1
    person.save(update_fields=["unit", "group", "version", "updated_at"])


def _check_transfer_date(on: date) -> None:
    if on > today():
        raise PeopleError("future_date", _("转接日期不能晚于今天。"), field="transferred_on")


@transaction.atomic
def transfer_within(
    *, actor, person: Person, to_unit: OrgUnit, to_group: OrgUnit | None, transferred_on: date, reason: str = ""
) -> Transfer:
    """Move a person to another branch (or group) of the college, keeping the history."""
    person = Person.objects.select_for_update(of=("self",)).select_related("unit", "group").get(pk=person.pk)
    _require(actor, Action.PEOPLE_MANAGE, person.unit)
    _require(actor, Action.PEOPLE_MANAGE, to_unit)
    _check_transfer_date(transferred_on)
    if person.left_on:
        raise PeopleError("left", _("该人员已转出本院。"))
    if to_unit.kind != OrgUnitKind.BRANCH or not to_unit.is_active:
        raise PeopleError("unknown_branch", _("请选择一个现有的党支部。"), field="to_unit")
    if to_group is not None and to_group.parent_id != to_unit.pk:
        raise PeopleError("unknown_group", _("党小组不属于目标支部。"), field="to_group")
    if person.unit_id == to_unit.pk and person.group_id == (to_group.pk if to_group else None):
        raise PeopleError("same_unit", _("该人员已在目标支部（党小组）中。"), field="to_unit")
    open_placement = Placement.objects.filter(person=person, ends_on__isnull=True).first()
    if open_placement and transferred_on < open_placement.starts_on:
        raise PeopleError(
            "date_order",
            _("转接日期不能早于当前编入日期 %(d)s。") % {"d": open_placement.starts_on.isoformat()},
            field="transferred_on",
        )
    t = Transfer.objects.create(
        person=person, kind=TransferKind.WITHIN, transferred_on=transferred_on, from_unit=person.unit,
        from_group=person.group, to_unit=to_unit, to_group=to_group, reason=reason, created_by=actor,
    )
    move_placement(person=person, unit=to_unit, group=to_group, on=transferred_on, reason=PlacementReason.TRANSFER, transfer=t)
    record(actor=actor, action="people.transfer.recorded", target=t, unit=t.from_unit,
           changes={"unit": [t.from_unit.code, to_unit.code], "group": [t.from_group_id, t.to_group_id]})
    return t


@transaction.atomic
def transfer_out(
    *, actor, person: Person, transferred_on: date, external_org: str, letter_no: str, reason: str = ""
) -> Transfer:
    """The person's membership leaves the college (组织关系介绍信 with its number)."""
    person = Person.objects.select_for_update(of=("self",)).select_related("unit").get(pk=person.pk)
    _require(actor, Action.PEOPLE_MANAGE, person.unit)
    _check_transfer_date(transferred_on)
    if person.left_on:
        raise PeopleError("left", _("该人员已转出本院。"))
    if not external_org.strip():
        raise PeopleError("required", _("请填写接收党组织。"), field="external_org")
    if not letter_no.strip():
        raise PeopleError("required", _("请填写介绍信编号。"), field="letter_no")
    open_placement = Placement.objects.filter(person=person, ends_on__isnull=True).first()
    if open_placement and transferred_on < open_placement.starts_on:
        raise PeopleError(
            "date_order",
            _("转接日期不能早于当前编入日期 %(d)s。") % {"d": open_placement.starts_on.isoformat()},
            field="transferred_on",
        )
    t = Transfer.objects.create(
        person=person, kind=TransferKind.OUT, transferred_on=transferred_on, from_unit=person.unit,
        from_group=person.group, external_org=external_org.strip(), letter_no=letter_no.strip(), reason=reason,
        created_by=actor,
    )
    Placement.objects.filter(person=person, ends_on__isnull=True).update(ends_on=transferred_on)
    person.left_on = transferred_on
    person.version += 1
    person.save(update_fields=["left_on", "version", "updated_at"])
    record(actor=actor, action="people.transfer.recorded", target=t, unit=person.unit,
           changes={"left_on": [None, transferred_on.isoformat()], "to": [None, t.external_org]})
    return t


@transaction.atomic
def transfer_in(
    *, actor, to_unit: OrgUnit, to_group: OrgUnit | None, transferred_on: date, external_org: str, letter_no: str,
    person: Person | None = None, id_number: str = "", reason: str = "", **fields: Any,
) -> Transfer:
    """A member's membership comes into the college: a new person, or one who had left and returns."""
    _require(actor, Action.PEOPLE_MANAGE, to_unit)
    _check_transfer_date(transferred_on)
    if to_unit.kind != OrgUnitKind.BRANCH or not to_unit.is_active:
        raise PeopleError("unknown_branch", _("请选择一个现有的党支部。"), field="to_unit")
    if to_group is not None and to_group.parent_id != to_unit.pk:
        raise PeopleError("unknown_group", _("党小组不属于目标支部。"), field="to_group")
    if not external_org.strip():
        raise PeopleError("required", _("请填写转出党组织。"), field="external_org")
    if not letter_no.strip():
        raise PeopleError("required", _("请填写介绍信编号。"), field="letter_no")
    if person is None:
        person = create_person(actor=actor, unit=to_unit, group=to_group, id_number=id_number,
                               placed_on=transferred_on, **fields)
        Placement.objects.filter(person=person).update(reason=PlacementReason.TRANSFER)
        t = Transfer.objects.create(
            person=person, kind=TransferKind.IN, transferred_on=transferred_on, to_unit=to_unit, to_group=to_group,
            external_org=external_org.strip(), letter_no=letter_no.strip(), reason=reason, created_by=actor,
        )
        Placement.objects.filter(person=person).update(transfer=t)
    else:
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.left_on:
            raise PeopleError("not_left", _("该人员仍在本院花名册中，请使用院内调整。"))
        if transferred_on < person.left_on:
            raise PeopleError(
                "date_order",
                _("转入日期不能早于转出日期 %(d)s。") % {"d": person.left_on.isoformat()},
                field="transferred_on",
            )
        t = Transfer.objects.create(
            person=person, kind=TransferKind.IN, transferred_on=transferred_on, to_unit=to_unit, to_group=to_group,
            external_org=external_org.strip(), letter_no=letter_no.strip(), reason=reason, created_by=actor,
        )
        person.left_on = None
        person.unit, person.group = to_unit, to_group
        person.version += 1
        person.save(update_fields=["left_on", "unit", "group", "version", "updated_at"])
        _open_placement(person, on=transferred_on, reason=PlacementReason.TRANSFER, transfer=t)
    record(actor=actor, action="people.transfer.recorded", target=t, unit=to_unit,
           changes={"from": [t.external_org, None], "unit": [None, to_unit.code]})
    return t


@transaction.atomic
def record_roster_export(*, actor, count: int, filters: dict[str, Any]) -> None:
    """Exports of personal data are logged: who exported how many people with which filters."""
    shown = {k: str(getattr(v, "code", v)) for k, v in filters.items() if v not in (None, "", False)}
    record(actor=actor, action="people.roster.exported", changes={"filters": [None, shown], "count": [None, count]})
