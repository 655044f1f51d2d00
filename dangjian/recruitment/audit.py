"""Audit action names of the recruitment app (registered into core.audit.ACTIONS at start-up)."""

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {
    "recruitment.case.opened": _("建立发展党员纪实（递交入党申请书）"),
    "recruitment.case.step_recorded": _("记录发展党员步骤"),
    "recruitment.case.step_corrected": _("更正发展党员步骤"),
    "recruitment.case.exception_recorded": _("登记发展党员例外情况"),
    "recruitment.case.probation_extended": _("延长预备期"),
    "recruitment.case.cancelled": _("终止发展党员纪实"),
    "recruitment.case.completed": _("发展党员纪实办结"),
    "recruitment.political_review.saved": _("填写政审材料"),
    "recruitment.political_review.read": _("查阅政审材料"),
    "recruitment.legacy_file.audited": _("发展党员档案审查"),
    "recruitment.document.exported": _("导出发展党员材料"),
}
