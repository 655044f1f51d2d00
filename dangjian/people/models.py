"""Everyone the committee keeps a record of, where they belong, and how that changed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet

from .choices import (
    MEMBER_STATUSES,
    Education,
    Gender,
    ImportStatus,
    PartyStanding,
    PersonCategory,
    PlacementKind,
    PlacementReason,
    PoliticalStatus,
    TransferKind,
)


class PersonQuerySet(ScopedQuerySet):
    def current(self):
        """On the college's roster: not deleted, not transferred out."""
        return self.filter(deleted_at__isnull=True, left_on__isnull=True)

    def members(self):
        return self.filter(political_status__in=MEMBER_STATUSES)

    def search(self, text: str):
        """Name, pinyin initials (张三 → zs), full pinyin, or 工号/学号."""
        text = (text or "").strip()
        if not text:
            return self
        low = text.lower()
        return self.filter(
            Q(name__contains=text)
            | Q(name_initials__startswith=low)
            | Q(name_pinyin__startswith=low)
            | Q(staff_no__iexact=text)
        )


class Person(models.Model):
    """A person the committee looks after — member or not — with the national system's basic set.

    `unit` is where the record is kept: the person's branch, or the committee for people in no branch.
    `group` is the party group within that branch. Both are the *current* placement; history is Placement.
    The ID number is stored encrypted (`id_number_encrypted`), matched by a keyed hash, shown masked.
    """

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=120, db_index=True, editable=False, default="")
    name_initials = models.CharField(max_length=30, db_index=True, editable=False, default="")
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_encrypted = models.TextField(editable=False, blank=True, default="")
    id_number_hash = models.CharField(max_length=64, editable=False, blank=True, default="", db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False, blank=True, default="")
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=PersonCategory.choices)
    staff_no = models.CharField(_("工号/学号"), max_length=30, blank=True, db_index=True)
    affiliation = models.CharField(_("所在单位或班级"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES, db_index=True
    )
    party_standing = models.CharField(
        _("党籍状态"), max_length=20, choices=PartyStanding.choices, default=PartyStanding.NORMAL
    )
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定入党积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定发展对象日期"), null=True, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="people"
    )
    group = models.ForeignKey(
        "organizations.OrgUnit",
        verbose_name=_("所在党小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_people",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    left_on = models.DateField(_("转出本院日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_reason = models.CharField(_("删除原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonQuerySet.as_manager()
    scope_path = "unit__path"
    own_lookup = "pk"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["unit__path", "name_pinyin", "id"]
        indexes = [models.Index(fields=["unit", "political_status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash="") & Q(deleted_at__isnull=True),
                name="person_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["staff_no"],
                condition=~Q(staff_no="") & Q(deleted_at__isnull=True),
                name="person_unique_staff_no",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_member(self) -> bool:
        return self.political_status in MEMBER_STATUSES

    @property
    def is_full_member(self) -> bool:
        return self.political_status == PoliticalStatus.FULL_MEMBER

    @property
    def branch(self):
        from dangjian.organizations.choices import OrgUnitKind

        return self.unit if self.unit.kind == OrgUnitKind.BRANCH else None


class Placement(models.Model):
    """A period during which a person belonged to a unit (and group). The open row is the current one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    unit = models.ForeignKey("organizations.OrgUnit", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("党小组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=PlacementKind.choices, default=PlacementKind.REGULAR)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=20, choices=PlacementReason.choices)
    transfer = models.ForeignKey("Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    restructure = models.ForeignKey(
        "organizations.Restructure", null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "unit__path"
    own_lookup = "person_id"

    class Meta:
        verbose_name = _("编入记录")
        verbose_name_plural = _("编入记录")
        ordering = ["person", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ends_on__isnull=True), name="one_open_placement"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="placement_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit} {self.starts_on}–{self.ends_on or ''}"


class Transfer(models.Model):
    """组织关系转接: within the college, out of it, or into it (with the letter number)."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("转接类型"), max_length=20, choices=TransferKind.choices)
    transferred_on = models.DateField(_("转接日期"))
    from_unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("转出党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_group = models.ForeignKey(
        "organizations.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "organizations.OrgUnit", verbose_name=_("转入党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_group = models.ForeignKey(
        "organizations.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_org = models.CharField(_("院外党组织"), max_length=150, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=60, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = ("person__unit__path", "from_unit__path", "to_unit__path")
    own_lookup = "person_id"

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.transferred_on}"


class ImportBatch(models.Model):
    """One applied roster import: who, when, which file (hash), counts, and what to undo."""

    file_name = models.CharField(_("文件名"), max_length=200)
    file_hash = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    unit = models.ForeignKey("organizations.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # None: the command line (`dangjian import_roster`), which runs with the server's authority.
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    warning_count = models.PositiveIntegerField(_("警告"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.APPLIED)
    # {"created": [person ids], "updated": {person id: {field: old value}}, "placements": [...]}
    undo = models.JSONField(default=dict, editable=False)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path = "unit__path"

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.created_at:%Y-%m-%d %H:%M}"
