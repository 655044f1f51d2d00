import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

KEY = "_last_activity"


class IdleTimeoutMiddleware:
    """Logs a session out after SESSION_IDLE_TIMEOUT_SECONDS without a request (DESIGN §14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
            elif last is None or now - last > 30:
                request.session[KEY] = now
        return self.get_response(request)
