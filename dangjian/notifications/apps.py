from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dangjian.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from dangjian.core.audit import register_actions

        register_actions({"notifications.notification.read": _("阅读通知")})
