from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """A case is open from the application (S01) until it is archived (S25) or ended."""

    OPEN = "open", _("进行中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已终止")


class Stage(models.IntegerChoices):
    """The five stages of 发展党员工作细则 (RULES.md §3)."""

    APPLICATION = 1, _("申请入党")
    ACTIVIST = 2, _("入党积极分子的确定和培养教育")
    CANDIDATE = 3, _("发展对象的确定和考察")
    ADMISSION = 4, _("预备党员的接收")
    PROBATION = 5, _("预备党员的教育考察和转正")


class StepCode(models.TextChoices):
    """The 25 steps (发展党员工作 25 个步骤)."""

    S01 = "S01", _("递交入党申请书")
    S02 = "S02", _("党组织派人谈话")
    S03 = "S03", _("推荐和确定入党积极分子")
    S04 = "S04", _("上级党委备案")
    S05 = "S05", _("指定培养联系人")
    S06 = "S06", _("培养教育考察")
    S07 = "S07", _("确定发展对象")
    S08 = "S08", _("报上级党委备案")
    S09 = "S09", _("确定入党介绍人")
    S10 = "S10", _("政治审查")
    S11 = "S11", _("短期集中培训")
    S12 = "S12", _("支部委员会审查")
    S13 = "S13", _("上级党委预审")
    S14 = "S14", _("填写入党志愿书")
    S15 = "S15", _("支部大会讨论接收预备党员")
    S16 = "S16", _("上级党委派人谈话")
    S17 = "S17", _("上级党委审批")
    S18 = "S18", _("再上一级党委组织部门备案")
    S19 = "S19", _("编入党支部和党小组")
    S20 = "S20", _("入党宣誓")
    S21 = "S21", _("继续教育考察")
    S22 = "S22", _("提出转正申请")
    S23 = "S23", _("支部大会讨论转正")
    S24 = "S24", _("上级党委审批转正")
    S25 = "S25", _("材料归档")


class RecommendationMode(models.TextChoices):
    """S03: how an activist was recommended (细则 第8条)."""

    MEMBERS = "members", _("党员推荐")
    LEAGUE = "league", _("团组织推优")
    MASS_ORG = "mass_org", _("群团组织推荐")


class ReviewConclusion(models.TextChoices):
    """S10: the written conclusion of the political review (政审结论)."""

    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


class ParticipantRole(models.TextChoices):
    """People named on a step: mentors (S05), sponsors (S09), interviewers (S02, S16)."""

    MENTOR = "mentor", _("培养联系人")
    SPONSOR = "sponsor", _("入党介绍人")
    INTERVIEWER = "interviewer", _("谈话人")
