"""Audit action names of the meetings app (registered into core.audit.ACTIONS at start-up)."""

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {
    "meetings.meeting.scheduled": _("安排会议"),
    "meetings.meeting.updated": _("修改会议"),
    "meetings.meeting.held": _("记录会议召开情况"),
    "meetings.meeting.reviewed": _("审核会议记录"),
    "meetings.meeting.returned": _("退回会议记录"),
    "meetings.meeting.cancelled": _("取消会议"),
    "meetings.meeting.imported": _("补录历史会议"),
    "meetings.attendance.marked": _("登记出席情况"),
    "meetings.attendance.checked_in": _("扫码签到"),
    "meetings.vote.recorded": _("记录表决结果"),
    "meetings.attachment.added": _("上传会议附件"),
    "meetings.import.applied": _("导入会议台账"),
    "meetings.ledger.exported": _("导出会议记录"),
    "meetings.compliance.exported": _("导出组织生活合规情况"),
}
