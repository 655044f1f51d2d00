from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = _("发展党员")

    def ready(self):
        from dangjian.core.audit import register_actions
        from dangjian.core.rules import register

        from .audit import ACTIONS
        from .rules import RULES

        register(RULES)
        register_actions(ACTIONS)
