from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PersonCategory(models.TextChoices):
    """人员类别."""

    FACULTY = "faculty", _("教职工")
    STUDENT = "student", _("学生")
    RETIRED = "retired", _("离退休")


class PoliticalStatus(models.TextChoices):
    """政治面貌, in the order a person moves through recruitment."""

    MASSES = "masses", _("群众")
    LEAGUE = "league", _("共青团员")
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("中共预备党员")
    FULL_MEMBER = "full_member", _("中共党员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派成员")
    NON_PARTY = "non_party", _("无党派人士")


MEMBER_STATUSES = (PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL_MEMBER)
RECRUITMENT_STATUSES = (PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST, PoliticalStatus.CANDIDATE)


class PartyStanding(models.TextChoices):
    """党籍状态 (for members)."""

    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("停止党籍")
    LOST_CONTACT = "lost_contact", _("失联")
    LEFT = "left", _("出党")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("高中及以下")


class PlacementKind(models.TextChoices):
    REGULAR = "regular", _("正常编入")
    FLOATING = "floating", _("流动党员")


class PlacementReason(models.TextChoices):
    IMPORT = "import", _("花名册导入")
    CREATED = "created", pgettext_lazy("placement reason", "新增")
    TRANSFER = "transfer", _("组织关系转接")
    RESTRUCTURE = "restructure", _("支部调整")
    CORRECTION = "correction", _("信息更正")


class TransferKind(models.TextChoices):
    WITHIN = "within", _("院内调整")
    OUT = "out", _("转出本院")
    IN = "in", _("转入本院")


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("已导入")
    ROLLED_BACK = "rolled_back", _("已回滚")
