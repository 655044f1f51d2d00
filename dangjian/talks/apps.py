from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "dangjian.talks"
    label = "talks"
    verbose_name = _("谈心谈话")

    def ready(self):
        from dangjian.core.audit import register_actions
        from dangjian.core.rules import register

        from .audit import ACTIONS
        from .rules import RULES

        register(RULES)
        register_actions(ACTIONS)
