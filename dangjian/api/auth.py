"""Who is calling: a personal bearer token (integrations, scripts) or the browser's login session.

Bearer tokens come from `dangjian create_token USER` or POST /api/v1/tokens; only their hash is stored
(accounts.services.authenticate_token). A same-origin page may call the API with its session cookie
instead; then unsafe methods need the CSRF token (X-CSRFToken header), exactly as a form post would.
A request with neither gets 401.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from dangjian.accounts.services import authenticate_token
from dangjian.core.errors import PermissionDenied
from dangjian.core.scoping import can

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerToken(HttpBearer):
    """`Authorization: Bearer dj_…` — a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token.strip())
        if user is None:
            return None
        request.user = user
        return user


class SessionWithCsrf(APIKeyCookie):
    """The Django login session. Unsafe methods must carry the CSRF token; anonymous requests fall to 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check runs in authenticate(), only for a logged-in session, so that a request
        # with no credentials at all is answered 401 rather than 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = request.method in SAFE_METHODS or getattr(request, "_ninja_csrf_exempt", False)
        if not exempt and check_csrf(request) is not None:
            raise PermissionDenied("csrf_failed", _("CSRF 校验失败，请刷新页面后重试。"))
        return getattr(user, "_wrapped", user)


bearer_token = BearerToken()
session_auth = SessionWithCsrf()

# Tried in this order; the first that answers a user wins.
api_auth = [bearer_token, session_auth]


def current_user(request: HttpRequest):
    """The authenticated user (set by the auth classes above)."""
    return request.auth  # type: ignore[attr-defined]


def require_somewhere(user, action: str) -> None:
    """403 when the user holds `action` on no unit at all (core.scoping.can), checked before any object is
    looked up: a create or restructure by someone without the right anywhere is "forbidden", while an
    object out of an entitled user's scope stays 404."""
    if not can(user, action):
        raise PermissionDenied("forbidden", _("您没有权限执行此操作。"))
