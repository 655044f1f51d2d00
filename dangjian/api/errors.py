"""Exception handlers: every error the API returns is JSON `{"code", "message"}` with a Chinese message.

- `core.errors.DomainError` (and its PermissionDenied / ConcurrentEdit) → its own status (400/403/409)
  and code, with `params` (e.g. the field at fault) when the service gave them;
- `Http404` → 404 `not_found` — missing and out of scope look the same (DESIGN §4);
- ninja's ValidationError → 422 `invalid` with the per-field `detail`;
- AuthenticationError → 401 `unauthorized`; any other ninja HttpError keeps its status.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dangjian.core.errors import DomainError

NOT_FOUND = "未找到或无权访问"
UNAUTHORIZED = "未登录或令牌无效，请提供有效的 Bearer 令牌或先登录。"
INVALID = "请求数据格式不正确，请检查各字段。"

_HTTP_CODES = {
    400: ("bad_request", "请求无法解析，请检查请求体是否为合法的 JSON。"),
    403: ("forbidden", "没有权限执行此操作。"),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", "不支持该请求方法。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


def _json_safe(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def _clean_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic errors without their `ctx` objects and `url`s: `{"loc", "msg", "type"}` each."""
    return [{"loc": _json_safe(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in errors]


def install(api: NinjaAPI) -> None:
    def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
        return api.create_response(request, {"code": code, "message": message, **extra}, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body = exc.as_dict()
        if "params" in body:
            body["params"] = _json_safe(body["params"])
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(request, 404, "not_found", NOT_FOUND)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error(request, 422, "invalid", INVALID, detail=_clean_detail(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error(request, 401, "unauthorized", UNAUTHORIZED)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("error", str(exc)))
        return error(request, exc.status_code, code, message)
