"""/api/v1: each app's api.py router, one auth (bearer token or session + CSRF), one error format.

OpenAPI at /api/v1/openapi.json. The interactive docs (/api/v1/docs) are served only when "ninja" is in
INSTALLED_APPS: otherwise ninja would load Swagger UI from a CDN, and the app must work offline (DESIGN §9).
"""

from django.conf import settings
from ninja import NinjaAPI

from dangjian.accounts.api import router as accounts_router
from dangjian.meetings.api import router as meetings_router
from dangjian.organizations.api import router as organizations_router
from dangjian.people.api import router as people_router
from dangjian.recruitment.api import router as recruitment_router
from dangjian.talks.api import router as talks_router

from . import errors
from .auth import api_auth

api = NinjaAPI(
    title="dangjian API",
    version="1",
    description=(
        "党建工作平台 API。认证：`Authorization: Bearer <令牌>`（在 /api/v1/tokens 或 "
        "`dangjian create_token USER` 创建），或同源页面的登录会话（非安全方法需带 CSRF 令牌）。"
        "越权访问的对象一律返回 404；错误均为 JSON `{code, message}`。"
    ),
    urls_namespace="api",
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
    auth=api_auth,
)
errors.install(api)

api.add_router("", accounts_router)
api.add_router("", organizations_router)
api.add_router("", people_router)
api.add_router("", meetings_router)
api.add_router("", talks_router)
api.add_router("", recruitment_router)
