"""API for the organisation tree: units, their posts and health, and restructures (DESIGN §11).

Thin over organizations.selectors and organizations.services: the same scoping (out of scope is 404) and
the same rules as the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.api.auth import current_user, require_somewhere
from dangjian.api.schemas import (
    EDIT,
    MAX_LIMIT,
    READ,
    READ_ONE,
    WRITE,
    UnitRef,
    page,
    responses,
    unit_ref,
)
from dangjian.core.errors import DomainError
from dangjian.core.permissions import Action

from . import selectors, services
from .choices import OrgUnitCategory, OrgUnitKind, RestructureKind
from .models import OrgUnit

router = Router(tags=["党组织"])


# ---------------------------------------------------------------- schemas


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: OrgUnitKind
    kind_label: str
    category: str
    is_joint: bool
    parent_id: int | None
    path: str
    depth: int
    sort_order: int
    established_on: date | None
    dissolved_on: date | None
    has_committee: bool
    term_started_on: date | None
    term_years: int | None
    version: int
    n_people: int | None = Field(None, description="花名册人数（不含已转出、已删除）")
    n_members: int | None = Field(None, description="党员人数（正式+预备）")
    n_full: int | None = Field(None, description="正式党员人数")
    n_probationary: int | None = Field(None, description="预备党员人数")
    n_group_members: int | None = Field(None, description="党小组党员人数（党小组适用）")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_n_people(obj):
        return getattr(obj, "n_people", None)

    @staticmethod
    def resolve_n_members(obj):
        return getattr(obj, "n_members", None)

    @staticmethod
    def resolve_n_full(obj):
        return getattr(obj, "n_full", None)

    @staticmethod
    def resolve_n_probationary(obj):
        return getattr(obj, "n_probationary", None)

    @staticmethod
    def resolve_n_group_members(obj):
        return getattr(obj, "n_group_members", None)


class OrgUnitCreateIn(Schema):
    parent_id: int = Field(..., description="上级组织（顶层党委只能通过初始化或导入创建）")
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    kind: OrgUnitKind
    short_name: str = Field("", max_length=40)
    category: OrgUnitCategory | None = None
    is_joint: bool = False
    sort_order: int = Field(0, ge=0)
    established_on: date | None = None
    has_committee: bool = False
    term_started_on: date | None = None
    term_years: int | None = None


class OrgUnitPatchIn(Schema):
    """Only the fields given are changed; unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., description="读取时的版本号；他人已修改则返回 409")
    parent_id: int = None  # type: ignore[assignment]
    code: str = Field(None, min_length=1, max_length=40)  # type: ignore[assignment]
    name: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    kind: OrgUnitKind = None  # type: ignore[assignment]
    short_name: str = Field(None, max_length=40)  # type: ignore[assignment]
    category: OrgUnitCategory | None = None
    is_joint: bool = None  # type: ignore[assignment]
    sort_order: int = Field(None, ge=0)  # type: ignore[assignment]
    established_on: date | None = None
    dissolved_on: date | None = None
    has_committee: bool = None  # type: ignore[assignment]
    term_started_on: date | None = None
    term_years: int | None = None


class HealthFindingOut(Schema):
    code: str
    message: str


class BranchHealthOut(Schema):
    unit: UnitRef
    n_members: int
    n_full: int
    term_ends_on: date | None
    secretary_name: str | None
    healthy: bool
    findings: list[HealthFindingOut]


class RoleOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit_id: int
    role: str
    role_label: str
    starts_on: date
    ends_on: date | None
    is_dual_leader: bool
    note: str

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class RestructureOut(Schema):
    id: int
    kind: RestructureKind
    kind_label: str
    source: UnitRef
    target: UnitRef
    group: UnitRef | None
    effective_on: date
    reason: str
    sizes_before: dict[str, Any] = Field(..., description="调整前各支部人数 {支部编码: {people, members, full}}")
    sizes_after: dict[str, Any] = Field(..., description="调整后各支部人数")
    created_by: str
    created_at: datetime
    undone_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_source(obj):
        return unit_ref(obj.source)

    @staticmethod
    def resolve_target(obj):
        return unit_ref(obj.target)

    @staticmethod
    def resolve_group(obj):
        return unit_ref(obj.group)

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.display_name


class RestructurePage(Schema):
    total: int
    limit: int
    offset: int
    items: list[RestructureOut]


class MoveGroupIn(Schema):
    group_id: int
    target_id: int = Field(..., description="目标党支部")
    effective_on: date
    reason: str = Field(..., min_length=1, max_length=300)


class MergeIn(Schema):
    source_id: int = Field(..., description="被合并（撤销）的党支部")
    target_id: int = Field(..., description="合并后保留的党支部")
    effective_on: date
    reason: str = Field(..., min_length=1, max_length=300)


class SplitIn(Schema):
    source_id: int
    target_id: int = Field(..., description="接收所选人员的党支部（可先新建）")
    people_ids: list[int] = Field(..., min_length=1)
    effective_on: date
    reason: str = Field(..., min_length=1, max_length=300)


# ---------------------------------------------------------------- units


@router.get("/org-units", response=responses({200: list[OrgUnitOut]}, READ), summary="党组织列表（含人数）")
def list_units(
    request,
    kind: OrgUnitKind | None = None,
    parent: int | None = Query(None, description="只列出该组织的直接下级"),
    include_dissolved: bool = False,
):
    qs = selectors.units_visible_to(current_user(request), Action.ORG_VIEW)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return list(selectors.with_counts(qs).order_by("path"))


def _unit_with_counts(user, pk) -> OrgUnit:
    unit = selectors.access_unit(user, pk)
    return selectors.with_counts(OrgUnit.objects.filter(pk=unit.pk)).get()


@router.get("/org-units/{unit_id}", response=responses({200: OrgUnitOut}, READ_ONE), summary="党组织详情")
def get_unit(request, unit_id: int):
    return _unit_with_counts(current_user(request), unit_id)


@router.get(
    "/org-units/{unit_id}/health",
    response=responses({200: BranchHealthOut}, (400, *READ_ONE)),
    summary="党支部组织健康状况",
)
def unit_health(request, unit_id: int):
    unit = selectors.access_unit(current_user(request), unit_id)
    found = selectors.branch_health(OrgUnit.objects.filter(pk=unit.pk))
    if not found:
        raise DomainError("not_branch", _("只有现有的党支部才有组织健康状况。"))
    h = found[0]
    return {
        "unit": unit_ref(h.unit),
        "n_members": h.n_members,
        "n_full": h.n_full,
        "term_ends_on": h.term_ends_on,
        "secretary_name": h.secretary_name,
        "healthy": h.healthy,
        "findings": [{"code": str(f.code), "message": str(f.message)} for f in h.findings],
    }


@router.get(
    "/org-units/{unit_id}/roles", response=responses({200: list[RoleOut]}, READ_ONE), summary="现任职务"
)
def unit_roles(request, unit_id: int):
    unit = selectors.access_unit(current_user(request), unit_id)
    return list(selectors.active_roles(unit))


@router.post("/org-units", response=responses({201: OrgUnitOut}, WRITE), summary="新建党组织")
def create_unit(request, payload: OrgUnitCreateIn):
    user = current_user(request)
    require_somewhere(user, Action.ORG_MANAGE)
    data = payload.dict()
    parent = selectors.access_unit(user, data.pop("parent_id"))
    data["category"] = data["category"] or ""
    unit = services.create_unit(actor=user, parent=parent, **data)
    return Status(201, _unit_with_counts(user, unit.pk))


@router.patch("/org-units/{unit_id}", response=responses({200: OrgUnitOut}, EDIT), summary="修改党组织")
def update_unit(request, unit_id: int, payload: OrgUnitPatchIn):
    user = current_user(request)
    unit = selectors.access_unit(user, unit_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "parent_id" in data:
        data["parent"] = selectors.access_unit(user, data.pop("parent_id"))
    if "category" in data:
        data["category"] = data["category"] or ""
    services.update_unit(actor=user, unit=unit, version=version, **data)
    return _unit_with_counts(user, unit.pk)


# ---------------------------------------------------------------- restructures


@router.get("/restructures", response=responses({200: RestructurePage}, READ), summary="支部调整记录")
def list_restructures(
    request,
    kind: RestructureKind | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = selectors.restructures_visible_to(current_user(request))
    if kind:
        qs = qs.filter(kind=kind)
    return page(qs, limit=limit, offset=offset)


@router.post(
    "/restructures/move-group", response=responses({201: RestructureOut}, WRITE), summary="党小组整建制调整"
)
def move_group(request, payload: MoveGroupIn):
    user = current_user(request)
    require_somewhere(user, Action.ORG_MANAGE)
    group = selectors.access_unit(user, payload.group_id)
    target = selectors.access_unit(user, payload.target_id)
    rs = services.move_group(
        actor=user, group=group, target=target, effective_on=payload.effective_on, reason=payload.reason
    )
    return Status(201, selectors.access_restructure(user, rs.pk))


@router.post("/restructures/merge", response=responses({201: RestructureOut}, WRITE), summary="合并党支部")
def merge(request, payload: MergeIn):
    user = current_user(request)
    require_somewhere(user, Action.ORG_MANAGE)
    source = selectors.access_unit(user, payload.source_id)
    target = selectors.access_unit(user, payload.target_id)
    rs = services.merge_branches(
        actor=user, source=source, target=target, effective_on=payload.effective_on, reason=payload.reason
    )
    return Status(201, selectors.access_restructure(user, rs.pk))


@router.post("/restructures/split", response=responses({201: RestructureOut}, WRITE), summary="拆分党支部")
def split(request, payload: SplitIn):
    user = current_user(request)
    require_somewhere(user, Action.ORG_MANAGE)
    source = selectors.access_unit(user, payload.source_id)
    target = selectors.access_unit(user, payload.target_id)
    rs = services.split_branch(
        actor=user, source=source, target=target, people_ids=payload.people_ids,
        effective_on=payload.effective_on, reason=payload.reason,
    )
    return Status(201, selectors.access_restructure(user, rs.pk))


# Literal paths (move-group, merge, split) are registered before /restructures/{id} so they win.
@router.get(
    "/restructures/{restructure_id}", response=responses({200: RestructureOut}, READ_ONE), summary="支部调整详情"
)
def get_restructure(request, restructure_id: int):
    return selectors.access_restructure(current_user(request), restructure_id)


@router.post(
    "/restructures/{restructure_id}/undo",
    response=responses({200: RestructureOut}, (400, 401, 403, 404, 422)),
    summary="撤销支部调整",
)
def undo(request, restructure_id: int):
    user = current_user(request)
    rs = selectors.access_restructure(user, restructure_id)
    services.undo_restructure(actor=user, restructure=rs)
    return selectors.access_restructure(user, rs.pk)
