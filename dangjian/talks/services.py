"""Writes for talks: record, edit, delete and restore a talk; read its contents (every read logged); keep the
yearly plans in step with the rules. Each is one transaction with its authority check and audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import diff, record
from dangjian.core.crypto import decrypt, encrypt
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, today
from dangjian.organizations.models import OrgUnit
from dangjian.people.models import Person

from . import selectors
from .choices import TalkKind
from .models import PlannedTalk, Talk, TalkPlan

CONTENT_MAX = 10_000  # characters of a summary or of the follow-ups
TALK_FIELDS = ("kind", "held_on", "place", "initiator", "counterpart")
MASK = "***"  # what the audit log shows for the contents (never the text itself)


class TalkError(DomainError):
    pass


@dataclass(frozen=True)
class TalkContents:
    """What read_talk_summary returns: the decrypted contents of one talk."""

    summary: str
    follow_up: str


def _require(actor, action: str, unit: OrgUnit, message: str | None = None) -> None:
    if actor is None or not can(actor, action, unit):
        raise PermissionDenied("forbidden", message or _("您没有权限登记或修改该党组织的谈话。"))


def _check_initiator_visible(actor, person: Person) -> None:
    """The recorder names a 谈话人 they can see (or themselves); the counterpart's unit is checked separately."""
    if actor is None or person.pk == actor.person_id or can(actor, Action.PEOPLE_VIEW, person.unit):
        return
    raise PermissionDenied("forbidden", _("您无权为该谈话人登记谈话。"), field="initiator")


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def _validate(talk: Talk, *, summary: str, follow_up: str, on: date) -> None:
    """The rules of a talk record, raised as the first coded error found (field= names the form field)."""
    if talk.kind not in TalkKind.values:
        raise TalkError("bad_kind", _("请选择谈话类型。"), field="kind")
    if talk.held_on is None:
        raise TalkError("required", _("请填写谈话日期。"), field="held_on")
    if talk.held_on > on:
        raise TalkError("future_date", _("谈话日期不能晚于今天。"), field="held_on")
    if not talk.place:
        raise TalkError("required", _("请填写谈话地点。"), field="place")
    if len(talk.place) > 100:
        raise TalkError("too_long", _("谈话地点不能超过100个字。"), field="place")
    if talk.initiator_id is None:
        raise TalkError("required", _("请选择谈话人。"), field="initiator")
    if talk.counterpart_id is None:
        raise TalkError("required", _("请选择谈话对象。"), field="counterpart")
    if talk.initiator_id == talk.counterpart_id:
        raise TalkError("same_person", _("谈话人和谈话对象不能是同一人。"), field="counterpart")
    for field in ("initiator", "counterpart"):
        person = getattr(talk, field)
        if person.deleted_at is not None:
            raise TalkError("not_on_roster", _("%(name)s 已从花名册删除。") % {"name": person.name}, field=field)
        if person.left_on is not None and talk.held_on > person.left_on:
            raise TalkError(
                "not_on_roster",
                _("%(name)s 已于 %(d)s 转出本院，谈话日期不能晚于转出日期。")
                % {"name": person.name, "d": person.left_on.isoformat()},
                field=field,
            )
    if not summary:
        raise TalkError("required", _("请填写谈话的主要内容。"), field="summary")
    for field, text in (("summary", summary), ("follow_up", follow_up)):
        if len(text) > CONTENT_MAX:
            raise TalkError("too_long", _("内容不能超过%(n)d个字。") % {"n": CONTENT_MAX}, field=field)
    clash = (
        Talk.objects.alive()
        .between(talk.initiator_id, talk.counterpart_id)
        .filter(held_on=talk.held_on, kind=talk.kind)
        .exclude(pk=talk.pk)
    )
    if clash.exists():
        raise TalkError("duplicate", _("这两人当天的同类谈话已经登记过。"), field="held_on")


def _snapshot(talk: Talk) -> dict[str, Any]:
    return {f: getattr(talk, f) for f in TALK_FIELDS}


@transaction.atomic
def record_talk(
    *, actor, kind: str, held_on: date, place: str, initiator: Person, counterpart: Person, summary: str,
    follow_up: str = "",
) -> Talk:
    """Record a talk held between `initiator` (谈话人) and `counterpart` (谈话对象).

    The record is filed under the counterpart's unit, where the actor needs talks.manage. Its contents are
    stored encrypted; the audit event names the talk and never its contents.
    """
    unit = counterpart.unit
    if actor is not None:  # None is the system itself (the demo seed, a trusted import)
        _require(actor, Action.TALKS_MANAGE, unit)
    _check_initiator_visible(actor, initiator)
    summary, follow_up = _clean_text(summary), _clean_text(follow_up)
    talk = Talk(
        unit=unit, kind=kind, held_on=held_on, place=_clean_text(place), initiator=initiator,
        counterpart=counterpart, created_by=actor if getattr(actor, "pk", None) else None,
    )
    _validate(talk, summary=summary, follow_up=follow_up, on=today())
    talk.summary_encrypted = encrypt(summary)
    talk.follow_up_encrypted = encrypt(follow_up)
    talk.save()
    changes = diff({}, _snapshot(talk))
    changes["summary"] = [None, MASK]
    if follow_up:
        changes["follow_up"] = [None, MASK]
    record(actor=actor or "system", action="talks.talk.recorded", target=talk, unit=unit, changes=changes)
    return talk


def _locked(talk: Talk) -> Talk:
    return Talk.objects.select_for_update().select_related("unit", "initiator", "counterpart").get(pk=talk.pk)


@transaction.atomic
def update_talk(
    *, actor, talk: Talk, version: int, summary: str | None = None, follow_up: str | None = None, **fields: Any
) -> Talk:
    """Edit a talk record; refuses a stale `version`. `summary` / `follow_up` None keep the stored contents.

    Changing the contents needs the right to read them (a participant, or talks.read_summary): nobody
    overwrites a confidential text they may not see.
    """
    locked = _locked(talk)
    if locked.deleted_at is not None:
        raise TalkError("deleted", _("该谈话记录已被删除。"))
    _require(actor, Action.TALKS_MANAGE, locked.unit)
    if locked.version != version:
        raise ConcurrentEdit("concurrent_edit", _("该谈话记录已被他人修改，请刷新后重试。"))
    for k in fields:
        if k not in TALK_FIELDS:
            raise ValueError(k)
    before = _snapshot(locked)
    may_read = selectors.can_read_summary(actor, talk=locked)  # judged where the record is filed now
    for k, value in fields.items():
        setattr(locked, k, _clean_text(value) if k == "place" else value)
    if "counterpart" in fields and locked.counterpart.unit_id != locked.unit_id:
        _require(actor, Action.TALKS_MANAGE, locked.counterpart.unit)
        locked.unit = locked.counterpart.unit
    if "initiator" in fields and locked.initiator_id != before["initiator"].pk:
        _check_initiator_visible(actor, locked.initiator)
    old_summary = decrypt(locked.summary_encrypted)
    old_follow_up = decrypt(locked.follow_up_encrypted)
    new_summary = old_summary if summary is None else _clean_text(summary)
    new_follow_up = old_follow_up if follow_up is None else _clean_text(follow_up)
    contents_changed = (new_summary, new_follow_up) != (old_summary, old_follow_up)
    if contents_changed and not may_read:
        raise PermissionDenied(
            "forbidden", _("修改谈话内容需要查阅谈话内容的权限（谈话双方、院党委书记或经授权的查阅人）。"),
            field="summary",
        )
    _validate(locked, summary=new_summary, follow_up=new_follow_up, on=today())
    changes = diff(before, _snapshot(locked))
    if new_summary != old_summary:
        changes["summary"] = [MASK, MASK]
    if new_follow_up != old_follow_up:
        changes["follow_up"] = [MASK, MASK]
    if not changes:
        return locked
    locked.summary_encrypted = encrypt(new_summary)
    locked.follow_up_encrypted = encrypt(new_follow_up)
    locked.version += 1
    locked.save()
    record(actor=actor, action="talks.talk.updated", target=locked, unit=locked.unit, changes=changes)
    return locked


@transaction.atomic
def delete_talk(*, actor, talk: Talk, reason: str) -> Talk:
    """Soft delete with a reason (DESIGN §5); the record leaves lists and coverage and can be restored."""
    locked = _locked(talk)
    _require(actor, Action.TALKS_MANAGE, locked.unit)
    reason = _clean_text(reason)
    if not reason:
        raise TalkError("required", _("请填写删除原因。"), field="reason")
    if locked.deleted_at is not None:
        raise TalkError("already_deleted", _("该谈话记录已被删除。"))
    locked.deleted_at = timezone.now()
    locked.deleted_reason = reason[:200]
    locked.version += 1
    locked.save(update_fields=["deleted_at", "deleted_reason", "version", "updated_at"])
    record(actor=actor, action="talks.talk.deleted", target=locked, unit=locked.unit, note=locked.deleted_reason)
    return locked


@transaction.atomic
def restore_talk(*, actor, talk: Talk) -> Talk:
    """Undo a soft delete, unless the same talk has been recorded again since."""
    locked = _locked(talk)
    _require(actor, Action.TALKS_MANAGE, locked.unit)
    if locked.deleted_at is None:
        raise TalkError("not_deleted", _("该谈话记录未被删除。"))
    clash = (
        Talk.objects.alive()
        .between(locked.initiator_id, locked.counterpart_id)
        .filter(held_on=locked.held_on, kind=locked.kind)
    )
    if clash.exists():
        raise TalkError("duplicate", _("这两人当天的同类谈话已重新登记，不能恢复。"))
    locked.deleted_at = None
    locked.deleted_reason = ""
    locked.version += 1
    locked.save(update_fields=["deleted_at", "deleted_reason", "version", "updated_at"])
    record(actor=actor, action="talks.talk.restored", target=locked, unit=locked.unit)
    return locked


@transaction.atomic
def read_talk_summary(*, actor, talk: Talk, channel: str = "page") -> TalkContents:
    """A talk's contents, for its participants and holders of talks.read_summary; every read is logged.

    `channel` (page, api, word) goes into the access record's note.
    """
    if not selectors.can_read_summary(actor, talk=talk):
        raise PermissionDenied(
            "forbidden", _("谈话内容保密：只有谈话双方、院党委书记和经授权的查阅人可以查看。")
        )
    record(actor=actor, action="talks.talk.summary_read", target=talk, unit=talk.unit, note=channel)
    return TalkContents(summary=decrypt(talk.summary_encrypted), follow_up=decrypt(talk.follow_up_encrypted))


# ---------------------------------------------------------------- plans


@dataclass
class SyncResult:
    """What sync_talk_plans did, for the page's message and the command line."""

    year: int
    plans_created: int = 0
    added: int = 0
    withdrawn: int = 0
    reinstated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.plans_created or self.added or self.withdrawn or self.reinstated)


@transaction.atomic
def sync_talk_plans(*, actor, year: int, unit: OrgUnit | None = None, on: date | None = None) -> SyncResult:
    """Generate `year`'s talk plans for `unit` and every committee and branch below it (every unit when the
    actor is the system), or bring existing ones in line with the rules, the roster and the posts.

    New required pairs are added; a withdrawn pair required again is reinstated; a pair no longer required
    is withdrawn unless it has talked this year. The rules are applied as of `on` (default: today, or the
    year's last day for a past year). A past year's plans are frozen: they can be generated once, when the
    year has none, and are never changed afterwards.
    """
    now = today()
    if actor is not None:
        if unit is None:
            raise TalkError("required", _("请选择党组织。"), field="unit")
        _require(actor, Action.TALKS_MANAGE, unit, _("您没有权限为该党组织生成谈话计划。"))
    if not 2000 <= year <= now.year + 1:
        raise TalkError("bad_year", _("年度应在2000年至%(y)d年之间。") % {"y": now.year + 1}, field="year")
    on = on or (min(now, date(year, 12, 31)) if year <= now.year else now)
    plan_units = selectors.plan_units(on=on, within=unit)
    plans = {
        (p.rule, p.unit_id): p
        for p in TalkPlan.objects.select_for_update().filter(year=year, unit__in=plan_units)
    }
    if year < now.year and plans:
        raise TalkError("year_closed", _("%(y)d年的谈话计划已经生成，往年计划不再更新。") % {"y": year}, field="year")
    required = selectors.required_pairs(plan_units, on=on)
    talked = selectors.talked_pairs(year)
    items_by_plan: dict[int, list[PlannedTalk]] = {}
    for item in PlannedTalk.objects.filter(plan__in=list(plans.values())):
        items_by_plan.setdefault(item.plan_id, []).append(item)

    result = SyncResult(year=year)
    units = {u.pk: u for u in plan_units}
    for key in sorted(set(required) | set(plans), key=lambda k: (units[k[1]].path, k[0])):
        pairs = required.get(key, [])
        plan = plans.get(key)
        if plan is None:
            if not pairs:
                continue
            plan = TalkPlan.objects.create(year=year, rule=key[0], unit=units[key[1]])
            result.plans_created += 1
            created = True
        else:
            created = False
        existing = {frozenset((i.initiator_id, i.counterpart_id)): i for i in items_by_plan.get(plan.pk, [])}
        wanted = {frozenset(p) for p in pairs}
        new, touched = [], []
        added = reinstated = withdrawn = 0
        for a, b in pairs:
            item = existing.get(frozenset((a, b)))
            if item is None:
                new.append(PlannedTalk(plan=plan, initiator_id=a, counterpart_id=b, added_on=on))
                existing[frozenset((a, b))] = new[-1]
                added += 1
            elif item.withdrawn_on is not None and item.pk:
                item.withdrawn_on = None
                touched.append(item)
                reinstated += 1
        for pair, item in existing.items():
            if item.pk and item.withdrawn_on is None and pair not in wanted and pair not in talked:
                item.withdrawn_on = on
                touched.append(item)
                withdrawn += 1
        PlannedTalk.objects.bulk_create(new)
        PlannedTalk.objects.bulk_update(touched, ["withdrawn_on"])
        if created or added or reinstated or withdrawn:
            if not created:
                plan.save(update_fields=["updated_at"])
            record(
                actor=actor or "system", action="talks.plan.generated", target=plan, unit=plan.unit,
                changes={"added": [None, added], "withdrawn": [None, withdrawn], "reinstated": [None, reinstated]},
            )
        result.added += added
        result.reinstated += reinstated
        result.withdrawn += withdrawn
    return result
