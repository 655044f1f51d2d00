"""Meetings (三会一课 and every other statutory sitting), who was expected and who came, what was decided.

One sitting may count for several requirements (a 主题党日 that is also the quarter's 党员大会 and 党课), and a
lecture counts for every branch in its audience: `MeetingCredit` holds one row per (unit, kind) a meeting
counts for, so compliance is a single SQL aggregation over credits of held/reviewed meetings.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet

from .choices import (
    AttachmentKind,
    AttendanceSource,
    AttendanceStatus,
    AudienceSegment,
    ExclusionReason,
    MeetingKind,
    MeetingStatus,
    VoteSubject,
)


class Meeting(models.Model):
    """A sitting of a unit: planned, then held (with attendance, minutes, votes), then reviewed by the committee."""

    unit = models.ForeignKey("organizations.OrgUnit", verbose_name=_("党组织"), on_delete=models.PROTECT,
                             related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=30, choices=MeetingKind.choices, db_index=True)
    topic = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    host = models.ForeignKey("people.Person", verbose_name=_("主持人"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    recorder = models.ForeignKey("people.Person", verbose_name=_("记录人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    lecturer = models.ForeignKey("people.Person", verbose_name=_("授课人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    lecturer_name = models.CharField(_("授课人（院外）"), max_length=60, blank=True)
    audience = models.CharField(_("听课对象"), max_length=20, choices=AudienceSegment.choices,
                                default=AudienceSegment.UNIT)
    audience_units = models.ManyToManyField("organizations.OrgUnit", verbose_name=_("指定党组织"), blank=True,
                                            related_name="+")
    minutes = models.TextField(_("会议记录"), blank=True)
    resolutions = models.TextField(_("决议"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED, db_index=True)
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    checkin_secret = models.CharField(max_length=64, editable=False, default="")
    expected_count = models.PositiveIntegerField(_("应到人数"), null=True, blank=True,
                                                 help_text=_("导入的历史记录没有逐人名单时使用"))
    present_count = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # Seen from the unit that holds it and from every unit it counts for (a lecture's audience).
    scope_path = ("unit__path", "credits__unit__path")
    own_lookup = "attendances__person_id"
    scope_subquery = True  # the lookups cross multi-valued relations

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                                   name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.topic}"


class MeetingCredit(models.Model):
    """One requirement a meeting counts for: (unit, kind). Kept by the services, never typed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="credits")
    unit = models.ForeignKey("organizations.OrgUnit", on_delete=models.PROTECT, related_name="meeting_credits")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)

    class Meta:
        verbose_name = _("计入要求")
        verbose_name_plural = _("计入要求")
        constraints = [models.UniqueConstraint(fields=["meeting", "unit", "kind"], name="credit_once")]
        indexes = [models.Index(fields=["unit", "kind"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.unit_id} {self.kind}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    notes = models.TextField(_("发言要点"), blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """One person at one meeting: expected (from the unit on that date), present, excused or absent; or 列席."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("people.Person", verbose_name=_("人员"), on_delete=models.PROTECT,
                               related_name="attendances")
    status = models.CharField(_("出席情况"), max_length=20, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.EXPECTED)
    reason = models.CharField(_("请假或缺席原因"), max_length=200, blank=True)
    is_observer = models.BooleanField(_("列席"), default=False)
    can_vote = models.BooleanField(_("有表决权"), default=False)
    source = models.CharField(_("登记方式"), max_length=20, choices=AttendanceSource.choices,
                              default=AttendanceSource.COMPUTED)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    marked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path = ("meeting__unit__path",)
    own_lookup = "person_id"

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        ordering = ["meeting", "person__name_pinyin"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"


class Vote(models.Model):
    """A vote taken at a meeting; quorum and majority come from core.votes with the registry's rules."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    subject = models.CharField(_("表决事项"), max_length=20, choices=VoteSubject.choices)
    title = models.CharField(_("事项说明"), max_length=200)
    subject_person = models.ForeignKey("people.Person", verbose_name=_("涉及人员"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    eligible = models.PositiveIntegerField(_("应到会有表决权人数"))
    present = models.PositiveIntegerField(_("实到会有表决权人数"))
    in_favour = models.PositiveIntegerField(_("赞成"))
    against = models.PositiveIntegerField(_("反对"), default=0)
    abstaining = models.PositiveIntegerField(_("弃权"), default=0)
    written_in_favour = models.PositiveIntegerField(_("书面意见赞成"), default=0)
    written_total = models.PositiveIntegerField(_("书面意见人数"), default=0)
    quorum_met = models.BooleanField(_("达到法定人数"), default=False)
    passed = models.BooleanField(_("通过"), default=False)
    # The quorum and majority rules as applied when the vote was recorded (code, value, source, counts),
    # so the record keeps citing them even if the college later changes a rule value.
    rules_applied = models.JSONField(_("适用规则"), default=list, editable=False)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title


class VoteExclusion(models.Model):
    """A full member left out of the vote's 应到会 count, with the reason (RULES.md §1.2)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="exclusions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=30, choices=ExclusionReason.choices)

    class Meta:
        verbose_name = _("不计入应到会人数")
        verbose_name_plural = _("不计入应到会人数")
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="exclusion_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_reason_display()}"


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="meetings/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["meeting", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class MeetingStep(models.Model):
    """The meeting's timeline: every status transition, who took it and why (returns need a reason)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="steps")
    transition = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=MeetingStatus.choices)
    to_status = models.CharField(max_length=20, choices=MeetingStatus.choices)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议流转记录")
        verbose_name_plural = _("会议流转记录")
        ordering = ["meeting", "at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.from_status}→{self.to_status}"
