"""The organisation tree (党委 → 党支部 → 党小组) and the posts people hold on it."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.periods import add_years
from dangjian.core.permissions import Role
from dangjian.core.scoping import ScopedQuerySet

from .choices import OrgUnitCategory, OrgUnitKind, RestructureKind


class OrgUnitQuerySet(ScopedQuerySet):
    def active(self, on: date | None = None):
        if on is None:
            return self.filter(dissolved_on__isnull=True)
        return self.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)).filter(
            Q(established_on__isnull=True) | Q(established_on__lte=on)
        )

    def branches(self):
        return self.filter(kind=OrgUnitKind.BRANCH)


class OrgUnit(models.Model):
    """A party organisation. `path` is the materialised path of ids (`/1/4/`), kept by the services."""

    code = models.CharField(_("组织编码"), max_length=40, unique=True)
    name = models.CharField(_("组织名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("组织类型"), max_length=20, choices=OrgUnitKind.choices)
    category = models.CharField(_("组织类别"), max_length=20, choices=OrgUnitCategory.choices, blank=True)
    is_joint = models.BooleanField(_("联合党支部"), default=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    has_committee = models.BooleanField(_("设立支部委员会"), default=False)
    term_started_on = models.DateField(_("本届任期开始日期"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("任期年限"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrgUnitQuerySet.as_manager()
    scope_path = "path"

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="orgunit_dissolved_after_established",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == OrgUnitKind.BRANCH

    @property
    def is_group(self) -> bool:
        return self.kind == OrgUnitKind.GROUP

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def term_ends_on(self, default_years: int) -> date | None:
        if not self.term_started_on:
            return None
        return add_years(self.term_started_on, self.term_years or default_years)

    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x]


class RoleAssignmentQuerySet(ScopedQuerySet):
    def active(self, on: date):
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class RoleAssignment(models.Model):
    """A post held by a person on a unit for a period (书记, 组织员, 党小组长 …)."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="roles"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("职务"), max_length=40, choices=Role.choices)
    starts_on = models.DateField(_("任职日期"))
    ends_on = models.DateField(_("免职日期"), null=True, blank=True)
    is_dual_leader = models.BooleanField(_("双带头人"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    scope_path = "unit__path"
    own_lookup = "person_id"

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["unit__path", "role", "starts_on"]
        indexes = [models.Index(fields=["person", "role"]), models.Index(fields=["unit", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()} {self.person}"


class Restructure(models.Model):
    """One audited change of the tree: a party group moved with its members, or branches merged/split.

    `moves` lists every person placement it changed so that undo can restore them exactly.
    """

    kind = models.CharField(_("调整类型"), max_length=20, choices=RestructureKind.choices)
    source = models.ForeignKey(OrgUnit, verbose_name=_("原支部"), on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(OrgUnit, verbose_name=_("目标支部"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        OrgUnit, verbose_name=_("党小组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("调整原因"), max_length=300)
    sizes_before = models.JSONField(_("调整前人数"), default=dict)
    sizes_after = models.JSONField(_("调整后人数"), default=dict)
    moves = models.JSONField(default=dict, editable=False)  # {"people": [...], "groups": [ids]}
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = ("source__path", "target__path")

    class Meta:
        verbose_name = _("支部调整")
        verbose_name_plural = _("支部调整")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} → {self.target} ({self.effective_on})"
