"""The append-only audit trail (DESIGN §5). `record()` is called inside the service's transaction.

Action names come from ACTIONS — one registry, `app.model.past_verb` — so the audit page can label them
and a typo fails loudly instead of writing an unsearchable name. The foundation's actions are listed here;
later apps register theirs from AppConfig.ready() with `register_actions()`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .request_context import current_request_id

ACTIONS: dict[str, Any] = {
    # accounts
    "accounts.user.logged_in": _("登录"),
    "accounts.user.login_failed": _("登录失败"),
    "accounts.user.locked": _("账号锁定"),
    "accounts.user.unlocked": _("账号解锁"),
    "accounts.user.created": _("创建账号"),
    "accounts.user.password_changed": _("修改密码"),
    "accounts.token.created": _("创建 API 令牌"),
    "accounts.token.revoked": _("吊销 API 令牌"),
    # core
    "core.holiday.saved": _("修改节假日"),
    "core.holiday.deleted": _("删除节假日"),
    "core.rule.overridden": _("修改规则参数"),
    "core.rule.reset": _("恢复规则默认值"),
    # organizations
    "organizations.unit.created": _("新建党组织"),
    "organizations.unit.updated": _("修改党组织"),
    "organizations.unit.dissolved": _("撤销党组织"),
    "organizations.unit.imported": _("导入党组织"),
    "organizations.role.assigned": _("任命职务"),
    "organizations.role.ended": _("免去职务"),
    "organizations.restructure.applied": _("支部调整"),
    "organizations.restructure.undone": _("撤销支部调整"),
    # people
    "people.person.created": _("新增人员"),
    "people.person.updated": _("修改人员信息"),
    "people.person.deleted": _("删除人员"),
    "people.person.restored": _("恢复人员"),
    "people.person.id_number_read": _("查看完整身份证号"),
    "people.transfer.recorded": _("组织关系转接"),
    "people.import.applied": _("导入花名册"),
    "people.import.rolled_back": _("回滚花名册导入"),
    "people.roster.exported": _("导出花名册"),
}


def register_actions(actions: dict[str, Any]) -> None:
    """Add an app's audit action names (called once, from AppConfig.ready)."""
    for name in actions:
        if not name.count(".") == 2:
            raise ValueError(f"audit action {name!r} must be app.model.past_verb")
    ACTIONS.update(actions)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in sorted(set(before) | set(after))
        if _plain(before.get(k)) != _plain(after.get(k))
    }


def record(
    *,
    actor,
    action: str,
    target=None,
    unit=None,
    changes: dict[str, Any] | None = None,
    note: str = "",
):
    """Append one audit event. Unknown action names are a programming error."""
    from .models import AuditEvent

    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.display_name if actor_obj else str(actor or "system"))[:100],
        unit=unit,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes={k: [_plain(x) for x in v] for k, v in (changes or {}).items()},
        note=note[:500],
        request_id=current_request_id(),
    )
