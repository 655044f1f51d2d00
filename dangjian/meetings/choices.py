from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    """Every statutory meeting (docs/glossary.md). Values are the compliance JSON's `kind`."""

    BRANCH_GENERAL = "branch_general", _("支部党员大会")
    BRANCH_COMMITTEE = "branch_committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    ORG_LIFE = "org_life", _("组织生活会")
    MEMBER_APPRAISAL = "member_appraisal", _("民主评议党员")
    LEADERSHIP_LIFE = "leadership_life", _("民主生活会")
    COMMITTEE = "committee", _("党委会")
    JOINT = "joint", _("党政联席会议")
    PRE_JOINT = "pre_joint", _("党政沟通会")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    REVIEWED = "reviewed", _("已审核")
    RETURNED = "returned", _("退回修改")
    CANCELLED = "cancelled", _("已取消")


# Only these count for compliance (issue 3 §7).
COUNTING_STATUSES = (MeetingStatus.HELD, MeetingStatus.REVIEWED)


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("应到")
    PRESENT = "present", _("出席")
    EXCUSED = "excused", _("请假")
    ABSENT = "absent", _("缺席")


class AttendanceSource(models.TextChoices):
    COMPUTED = "computed", _("按名单生成")
    QR = "qr", _("扫码签到")
    MANUAL = "manual", _("手工登记")
    IMPORT = "import", _("导入")


class AttachmentKind(models.TextChoices):
    NOTICE = "notice", pgettext_lazy("attachment", "通知")
    SUMMARY = "summary", _("纪要")
    RESOLUTION = "resolution", _("决议")
    SIGN_IN = "sign_in", _("签到表")
    PHOTO = "photo", _("现场照片")


class AudienceSegment(models.TextChoices):
    """Who a lecture is for (the seed: one college-wide lecture, then teachers and students separately)."""

    UNIT = "unit", _("本单位")
    COLLEGE = "college", _("全院")
    FACULTY = "faculty", _("全体教工党支部")
    STUDENT = "student", _("全体学生党支部")
    CHOSEN = "chosen", _("指定党组织")


class VoteSubject(models.TextChoices):
    ADMISSION = "admission", _("接收预备党员")
    CONVERSION = "conversion", _("预备党员转正")
    EXTENSION = "extension", _("延长预备期")
    ELECTION = "election", _("选举")
    DISCIPLINE = "discipline", _("处分或处置")
    OTHER = "other", _("其他事项")


class ExclusionReason(models.TextChoices):
    """Members who may be left out of 应到会 (RULES.md §1.2), with the higher committee's approval."""

    ILLNESS = "illness", _("患有精神疾病或其他疾病不能表达意志")
    ABROAD = "abroad", _("出国（境）不能按时返回")
    SUSPENDED = "suspended", _("停止党籍")
    PARTY_PROBATION = "party_probation", _("受留党察看处分")
    DETAINED = "detained", _("被留置或羁押")
    BEDRIDDEN = "bedridden", _("卧床不起、生活不能自理")
    AWAY = "away", _("外出6个月以上未转组织关系")
    FLOATING = "floating", _("流动党员申请不参加")
