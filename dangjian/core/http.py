"""Small helpers every app's views share: the page-level permission check, downloads, and list query strings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .scoping import can

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def require_somewhere(user, action: str) -> None:
    """403 for a page the user may not open anywhere (objects out of scope are 404 instead)."""
    if not can(user, action):
        raise PermissionDenied


def download(data: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """A file to save, with a UTF-8 file name (Chinese names survive every browser)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def query_without_page(request) -> str:
    """The list's query string without `page`, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
