"""Reads of the kernel's tables: the audit log (audit administrators only), holidays, rules."""

from __future__ import annotations

from datetime import date

from .models import AuditEvent, Holiday, RuleOverride
from .permissions import Action, has_system_action
from .rules import RULES


def audit_events_visible_to(user, *, action: str = "", actor: str = "", target: str = "",
                            since: date | None = None, until: date | None = None):
    """The audit log, for audit administrators (三员分立: they read the log, not the party data)."""
    if not has_system_action(user, Action.AUDIT_VIEW):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("unit")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__contains=actor)
    if target:
        qs = qs.filter(target_repr__contains=target)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def holidays(year: int):
    return Holiday.objects.filter(date__year=year)


def rule_table() -> list[dict]:
    overrides = {o.code: o for o in RuleOverride.objects.select_related("changed_by")}
    rows = []
    for code, rule in RULES.items():
        o = overrides.get(code)
        rows.append({"rule": rule, "value": o.value if o else rule.value, "override": o})
    return rows
