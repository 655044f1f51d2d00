"""Choices of the talks app: kinds of talk and the plan rules (RULES.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TalkKind(models.TextChoices):
    """谈话类型."""

    HEART_TO_HEART = "heart_to_heart", _("谈心谈话")
    REMINDER = "reminder", _("提醒谈话")
    ADMISSION = "admission", _("入党谈话")
    PRE_APPOINTMENT = "pre_appointment", _("任前谈话")


# The kinds that count towards the yearly plans. A 任前谈话 is a step of a cadre appointment (选拔任用条例),
# held about the post, not the two-way exchange the yearly talk is for; counting it would let a formality
# stand in for the talk (docs/talks.md).
COVERAGE_KINDS = (TalkKind.HEART_TO_HEART, TalkKind.REMINDER, TalkKind.ADMISSION)


class PlanRule(models.TextChoices):
    """The rules a yearly talk plan is generated from; the values are the codes in talks/rules.py."""

    SECRETARY_TEACHERS = "talks.secretary_teachers", _("院党委书记与每位教师谈话")
    COMMITTEE_ACTIVISTS = "talks.committee_activists", _("院党委委员与每名入党积极分子谈话")
    BRANCH_MEMBERS = "talks.branch_members", _("支部委员与本支部每名党员谈话")
