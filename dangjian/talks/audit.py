"""Audit action names of the talks app (registered into core.audit.ACTIONS at start-up)."""

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {
    "talks.talk.recorded": _("登记谈话"),
    "talks.talk.updated": _("修改谈话记录"),
    "talks.talk.deleted": _("删除谈话记录"),
    "talks.talk.restored": _("恢复谈话记录"),
    # A sensitive read: every time someone reads a talk's contents (page, API or Word export).
    "talks.talk.summary_read": _("查阅谈话内容"),
    "talks.plan.generated": _("生成或更新谈话计划"),
}
