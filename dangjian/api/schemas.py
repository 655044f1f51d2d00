"""Shapes shared by every app's api.py: the error body, references to units, pages, response maps."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every error: a stable `code` for programs and a Chinese `message` for people (DESIGN §11)."""

    code: str
    message: str
    params: dict[str, Any] | None = None
    detail: list[dict[str, Any]] | None = None


class UnitRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class PersonRef(Schema):
    id: int
    name: str


class Message(Schema):
    code: str
    message: str


def unit_ref(unit) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "kind": unit.kind}


# Codes an endpoint can return besides its success code. Every endpoint can answer 401 (no or bad
# credentials) and 422 (a path, query or body parameter that does not validate); endpoints that take a
# body can answer 400 (unreadable body or a refused write); unsafe methods can answer 403 (no right, or a
# session request without its CSRF token).
READ = (401, 422)
READ_ONE = (401, 404, 422)
WRITE = (400, 401, 403, 404, 422)
EDIT = (400, 401, 403, 404, 409, 422)


def responses(ok: dict[int, Any], codes: tuple[int, ...]) -> dict[int, Any]:
    """`{200: Out}` plus an ErrorOut entry for each error code, for `response=`."""
    return {**ok, **dict.fromkeys(codes, ErrorOut)}


def page(queryset, *, limit: int, offset: int) -> dict[str, Any]:
    """One page of a queryset with its total: two queries whatever the size."""
    return {
        "total": queryset.count(),
        "limit": limit,
        "offset": offset,
        "items": list(queryset[offset : offset + limit]),
    }


MAX_LIMIT = 500
