"""发展党员: one Case per person, one StepRecord per step taken (the case's timeline), and what steps name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.people.choices import PoliticalStatus

from .choices import CaseStatus, ParticipantRole, Stage, StepCode


class CaseQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=CaseStatus.OPEN)


class Case(models.Model):
    """One person's recruitment file (发展党员全程纪实), from the application (S01) to the archive (S25).

    The case hangs from the person's current unit (their branch), so it follows a transfer. `stage` and
    `last_step` are kept by the services for the funnel's SQL aggregation; the steps themselves are
    StepRecord rows. The person's political status and dates follow the case (services.sync_person).
    """

    person = models.ForeignKey(
        "people.Person", verbose_name=_("发展对象"), on_delete=models.PROTECT, related_name="recruitment_cases"
    )
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=Stage.choices, default=Stage.APPLICATION)
    last_step = models.CharField(_("最近步骤"), max_length=3, choices=StepCode.choices, blank=True)
    status_before = models.CharField(
        _("申请前政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    # 延长预备期 (decided by the branch general meeting, approved by the committee): at most once.
    extension_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), null=True, blank=True)
    extension_decided_on = models.DateField(_("延长预备期决定日期"), null=True, blank=True)
    extension_reason = models.CharField(_("延长预备期原因"), max_length=300, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    ended_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()
    scope_path = "person__unit__path"

    class Meta:
        verbose_name = _("发展党员纪实")
        verbose_name_plural = _("发展党员纪实")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "stage"])]
        constraints = [
            # One case in progress per person; an ended case may be followed by a new application.
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="recruitment_one_open_case"),
            models.CheckConstraint(
                condition=Q(extension_months__isnull=True) | Q(extension_months__gt=0),
                name="recruitment_extension_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_stage_display()}"


class StepRecord(models.Model):
    """One step of a case as it was taken: date(s), who was responsible, documents, opinion, step data.

    `data` holds the step's own facts, validated by the service: S03 {"mode"}; S06/S21 {"reviews":
    [{"date", "opinion"}]}; S10 {"conclusion"}; S11 {"end", "hours"}; S13 {"notice_start", "notice_end"};
    S15/S23 {"eligible", "present", "in_favour", "against", "abstaining", "written_in_favour"};
    S17/S24 {"special_extension"}. People named on a step (mentors, sponsors, interviewers) are StepPerson
    rows. A step recorded despite a rule carries the exception: its reason, who and the violation keys.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("步骤"), max_length=3, choices=StepCode.choices)
    date = models.DateField(_("日期"), null=True, blank=True)
    responsible = models.CharField(_("责任人"), max_length=100, blank=True)
    documents = models.JSONField(_("材料"), default=list, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The branch general meeting's record in the meetings app, when there is one (no FK: the meetings app is
    # optional for recruitment; the vote counts above are the ones checked).
    meeting_id = models.PositiveIntegerField(_("会议记录编号"), null=True, blank=True)
    exception_reason = models.CharField(_("例外说明"), max_length=500, blank=True)
    exception_codes = models.JSONField(default=list, blank=True)  # ["cultivation_too_short@S07", …]
    exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exception_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "case__person__unit__path"

    class Meta:
        verbose_name = _("步骤记录")
        verbose_name_plural = _("步骤记录")
        ordering = ["case", "step"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="recruitment_one_record_per_step")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.date or ''}"

    @property
    def has_exception(self) -> bool:
        return bool(self.exception_codes)


class StepPerson(models.Model):
    """A person named on a step: a mentor (S05), a sponsor (S09) or an interviewer (S02, S16)."""

    record = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("身份"), max_length=20, choices=ParticipantRole.choices)
    person = models.ForeignKey("people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("步骤相关人员")
        verbose_name_plural = _("步骤相关人员")
        ordering = ["record", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "role", "person"], name="recruitment_step_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person}"


class PoliticalReview(models.Model):
    """政审材料: the sensitive contents of the political review (S10). Read only with
    RECRUITMENT_VIEW_REVIEW, and every read writes an audit event (DESIGN §4)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="political_review")
    methods = models.CharField(_("审查方式"), max_length=200, blank=True)  # 谈话、查阅档案、函调、外调
    findings = models.TextField(_("审查情况"))
    relatives = models.TextField(_("直系亲属及主要社会关系情况"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "case__person__unit__path"

    class Meta:
        verbose_name = _("政审材料")
        verbose_name_plural = _("政审材料")

    def __str__(self) -> str:
        return f"{self.case} 政审材料"
