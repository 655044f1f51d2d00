"""Writes to the kernel's own settings: the holiday table and rule overrides (administrators only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import record
from .errors import DomainError, PermissionDenied
from .models import Holiday, RuleOverride
from .permissions import Action, has_system_action
from .rules import RULES, check_override


def _require_settings(actor) -> None:
    if not has_system_action(actor, Action.SETTINGS_MANAGE):
        raise PermissionDenied("forbidden", _("只有系统管理员可以修改系统设置。"))


@transaction.atomic
def save_holiday(*, actor, day: date, name: str, is_workday: bool) -> Holiday:
    """Add or change the override for one day (a holiday, or a 调休 working weekend)."""
    _require_settings(actor)
    if not name.strip():
        raise DomainError("required", _("请填写名称。"))
    existing = Holiday.objects.select_for_update().filter(date=day).first()
    before = {"name": existing.name, "is_workday": existing.is_workday} if existing else {}
    holiday = existing or Holiday(date=day)
    holiday.name = name.strip()[:50]
    holiday.is_workday = is_workday
    holiday.save()
    record(actor=actor, action="core.holiday.saved", target=holiday,
           changes={"name": [before.get("name"), holiday.name], "is_workday": [before.get("is_workday"), is_workday]})
    return holiday


@transaction.atomic
def delete_holiday(*, actor, holiday: Holiday) -> None:
    _require_settings(actor)
    record(actor=actor, action="core.holiday.deleted", target=holiday,
           changes={"date": [holiday.date.isoformat(), None]})
    holiday.delete()


@transaction.atomic
def override_rule(*, actor, code: str, value: Any, reason: str) -> RuleOverride:
    """Set the college's value of a rule; CONFIRMED rules may only become stricter (DESIGN §7)."""
    _require_settings(actor)
    check_override(code, value)
    if not reason.strip():
        raise DomainError("required", _("请填写修改依据。"))
    current = RuleOverride.objects.select_for_update().filter(code=code).first()
    old = current.value if current else RULES[code].value
    obj = current or RuleOverride(code=code)
    obj.value, obj.reason, obj.changed_by = value, reason.strip()[:300], actor
    obj.save()
    record(actor=actor, action="core.rule.overridden", target=obj, changes={code: [old, value]}, note=obj.reason)
    return obj


@transaction.atomic
def reset_rule(*, actor, code: str) -> None:
    _require_settings(actor)
    current = RuleOverride.objects.select_for_update().filter(code=code).first()
    if current is None:
        return
    record(actor=actor, action="core.rule.reset", target=current, changes={code: [current.value, RULES[code].value]})
    current.delete()
