"""Talks (谈心谈话): the records, and the yearly plans of who must talk with whom (RULES.md §4)."""

from __future__ import annotations

import operator
from functools import reduce

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.permissions import Action
from dangjian.core.scoping import ScopedQuerySet, scope_paths

from .choices import PlanRule, TalkKind

# The actions a participant holds on their own talks, whatever their posts: they see the record and read
# its contents (DESIGN §4: "a talk is visible to its participants").
PARTICIPANT_ACTIONS = frozenset({Action.TALKS_VIEW, Action.TALKS_READ_SUMMARY})


class TalkQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str) -> TalkQuerySet:
        """Talks filed under a unit where `user` holds `action`, plus — for viewing and reading — their own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        conditions = [Q(unit__path__startswith=p) for p in scope_paths(user, action)]
        if user.person_id and action in PARTICIPANT_ACTIONS:
            conditions.append(Q(initiator_id=user.person_id) | Q(counterpart_id=user.person_id))
        if not conditions:
            return self.none()
        return self.filter(reduce(operator.or_, conditions))

    def alive(self) -> TalkQuerySet:
        return self.filter(deleted_at__isnull=True)

    def between(self, a: int, b: int) -> TalkQuerySet:
        """Talks of the two people, whoever initiated."""
        return self.filter(Q(initiator_id=a, counterpart_id=b) | Q(initiator_id=b, counterpart_id=a))


class Talk(models.Model):
    """One talk between two people (谈心谈话记录): when, where, what kind, and its confidential contents.

    `unit` is where the record is filed — the counterpart's unit when it was recorded — and scopes who sees
    it. The contents (summary and follow-ups) are stored encrypted and read only through
    `services.read_talk_summary`, which checks the right and writes an access record.
    """

    unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("谈话类型"), max_length=20, choices=TalkKind.choices, default=TalkKind.HEART_TO_HEART)
    held_on = models.DateField(_("谈话日期"))
    place = models.CharField(_("谈话地点"), max_length=100)
    initiator = models.ForeignKey(
        "people.Person", verbose_name=_("谈话人"), on_delete=models.PROTECT, related_name="talks_initiated"
    )
    counterpart = models.ForeignKey(
        "people.Person", verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="talks_received"
    )
    summary_encrypted = models.TextField(editable=False, default="")
    follow_up_encrypted = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_reason = models.CharField(_("删除原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TalkQuerySet.as_manager()
    scope_path = "unit__path"

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["initiator", "counterpart", "held_on"]),
            models.Index(fields=["counterpart", "initiator", "held_on"]),
            models.Index(fields=["unit", "held_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(initiator=F("counterpart")), name="talk_two_people"),
            models.UniqueConstraint(
                fields=["initiator", "counterpart", "held_on", "kind"],
                condition=Q(deleted_at__isnull=True),
                name="talk_once_per_day_and_kind",
            ),
        ]

    def __str__(self) -> str:
        # Never the contents: this text is copied into audit events.
        return f"{self.held_on} {self.get_kind_display()}"

    def has_participant(self, person_id: int | None) -> bool:
        return person_id is not None and person_id in (self.initiator_id, self.counterpart_id)


class TalkPlan(models.Model):
    """One rule's required pairs for one unit and year (the committee for the college rules, the branch for
    支部工作条例 Art. 19). Generated and kept in step with the roster and the posts by
    `services.sync_talk_plans`; a past year's plan is frozen."""

    year = models.PositiveSmallIntegerField(_("年度"))
    rule = models.CharField(_("规则"), max_length=40, choices=PlanRule.choices)
    unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "unit__path"

    class Meta:
        verbose_name = _("谈话计划")
        verbose_name_plural = _("谈话计划")
        ordering = ["-year", "unit__path", "rule"]
        constraints = [models.UniqueConstraint(fields=["year", "rule", "unit"], name="talk_plan_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_rule_display()} {self.unit}"


class PlannedTalk(models.Model):
    """A pair the plan requires to talk in the year. A pair the rule no longer requires (a move, a post
    ended, a status changed) and that has not talked is withdrawn, not deleted; talked pairs stay."""

    plan = models.ForeignKey(TalkPlan, on_delete=models.PROTECT, related_name="items")
    initiator = models.ForeignKey(
        "people.Person", verbose_name=_("谈话人"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart = models.ForeignKey(
        "people.Person", verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="+"
    )
    added_on = models.DateField(_("列入计划日期"))
    withdrawn_on = models.DateField(_("移出计划日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "plan__unit__path"

    class Meta:
        verbose_name = _("计划谈话")
        verbose_name_plural = _("计划谈话")
        ordering = ["plan", "initiator", "counterpart"]
        indexes = [models.Index(fields=["initiator", "withdrawn_on"])]
        constraints = [
            models.UniqueConstraint(fields=["plan", "initiator", "counterpart"], name="planned_talk_once"),
            models.CheckConstraint(condition=~Q(initiator=F("counterpart")), name="planned_talk_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.initiator_id}→{self.counterpart_id}"
