from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    label = "meetings"
    verbose_name = _("会议")

    def ready(self):
        from dangjian.core.audit import register_actions
        from dangjian.core.rules import register

        from .audit import ACTIONS
        from .rules import RULES

        register(RULES)
        register_actions(ACTIONS)
