from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    """Kinds of party organisation (党统 codes in docs/glossary.md)."""

    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class OrgUnitCategory(models.TextChoices):
    FACULTY = "faculty", _("教工党支部")
    STUDENT = "student", _("学生党支部")
    RETIRED = "retired", _("离退休党支部")
    MIXED = "mixed", _("师生混合党支部")


class RestructureKind(models.TextChoices):
    MOVE_GROUP = "move_group", _("党小组整建制调整")
    MERGE = "merge", _("合并支部")
    SPLIT = "split", _("拆分支部")


class HealthIssue(models.TextChoices):
    """Computed branch-health findings (organizations.selectors.branch_health)."""

    TOO_FEW_FULL_MEMBERS = "too_few_full_members", _("正式党员少于%(n)s人")
    COMMITTEE_REQUIRED = "committee_required", _("正式党员达到%(n)s人但未设支部委员会")
    NO_SECRETARY = "no_secretary", _("未设支部委员会且无支部书记")
    TOO_MANY_MEMBERS = "too_many_members", _("党员超过%(n)s人")
    TERM_ENDING = "term_ending", _("任期将于%(date)s届满")
    TERM_OVERDUE = "term_overdue", _("任期已于%(date)s届满，尚未换届")
    SECRETARY_STANDING_SHORT = "secretary_standing_short", _("支部书记党龄不足%(n)s年")
