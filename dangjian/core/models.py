"""Kernel tables: the audit trail, the holiday calendar and the rule overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One write (or sensitive read) by one actor. Append-only: never updated, never deleted.

    On PostgreSQL a trigger (migration 0003) refuses UPDATE and DELETE even from raw SQL.
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100)
    unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("党组织"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        from .audit import ACTIONS

        return str(ACTIONS.get(self.action, self.action))


class Holiday(models.Model):
    """An override of the official calendar for one day: a holiday, or a working weekend (调休).

    chinese-calendar stops at 2026; for later years this table is the calendar (DESIGN §8).
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), default=False)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class RuleOverride(models.Model):
    """A college's own value for a rule of the registry (core.rules). Only stricter for CONFIRMED rules."""

    code = models.CharField(_("规则编码"), max_length=80, unique=True)
    value = models.JSONField(_("取值"))
    reason = models.CharField(_("依据"), max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("规则参数")
        verbose_name_plural = _("规则参数")

    def __str__(self) -> str:
        return f"{self.code}={self.value}"
