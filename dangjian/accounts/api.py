"""API for the caller's own account: who am I, and my personal API tokens (DESIGN §11).

A token's key is returned once, by POST /tokens; afterwards only its prefix is ever shown.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from dangjian.api.auth import current_user
from dangjian.api.schemas import READ, WRITE, UnitRef, responses, unit_ref
from dangjian.core.permissions import Action
from dangjian.core.scoping import today
from dangjian.organizations.models import RoleAssignment

from . import services
from .models import ApiToken

router = Router(tags=["账号"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="令牌前 10 位，用于辨认；完整令牌不再显示")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="完整令牌，只在创建时返回这一次，请妥善保存")


class TokenIn(Schema):
    name: str = Field("", max_length=60)


class MyPersonOut(Schema):
    id: int
    name: str
    political_status: str
    political_status_label: str
    unit: UnitRef
    group: UnitRef | None


class MyRoleOut(Schema):
    unit: UnitRef
    role: str
    role_label: str
    starts_on: date


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    system_role: str
    system_role_label: str
    person: MyPersonOut | None
    roles: list[MyRoleOut]


@router.get("/me", response=responses({200: MeOut}, READ), summary="当前用户")
def me(request):
    user = current_user(request)
    person = user.person if user.person_id else None
    roles = []
    if person is not None:
        person_out = {
            "id": person.pk,
            "name": person.name,
            "political_status": person.political_status,
            "political_status_label": str(person.get_political_status_display()),
            "unit": unit_ref(person.unit),
            "group": unit_ref(person.group),
        }
        # Own posts are visible to their holder (RoleAssignment.own_lookup).
        rows = (
            RoleAssignment.objects.visible_to(user, Action.ORG_VIEW)
            .active(today())
            .filter(person_id=person.pk)
            .select_related("unit")
            .order_by("unit__depth", "id")
        )
        roles = [
            {"unit": unit_ref(r.unit), "role": r.role, "role_label": str(r.get_role_display()), "starts_on": r.starts_on}
            for r in rows
        ]
    else:
        person_out = None
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "system_role": user.system_role,
        "system_role_label": str(user.get_system_role_display()) if user.system_role else "",
        "person": person_out,
        "roles": roles,
    }


@router.get("/tokens", response=responses({200: list[TokenOut]}, READ), summary="我的 API 令牌")
def list_tokens(request):
    return list(ApiToken.objects.filter(user=current_user(request)))


@router.post("/tokens", response=responses({201: TokenCreatedOut}, (400, 401, 403, 422)), summary="创建 API 令牌")
def create_token(request, payload: TokenIn):
    user = current_user(request)
    token, key = services.create_token(user=user, name=payload.name, actor=user)
    token.key = key
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=responses({204: None}, WRITE), summary="吊销 API 令牌")
def revoke_token(request, token_id: int):
    user = current_user(request)
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404
    services.revoke_token(token=token, actor=user)
    return Status(204, None)
