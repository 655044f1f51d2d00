"""API for talks: the records (never the contents in a list), one talk with its contents for those entitled
(every such read logged), recording a talk, and coverage per rule and unit (DESIGN §11).

Thin over talks.selectors and talks.services, like the pages.
"""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from dangjian.api.auth import current_user, require_somewhere
from dangjian.api.schemas import (
    MAX_LIMIT,
    READ,
    READ_ONE,
    WRITE,
    PersonRef,
    UnitRef,
    page,
    responses,
    unit_ref,
)
from dangjian.core.permissions import Action
from dangjian.core.scoping import today
from dangjian.organizations.models import OrgUnit

from . import selectors, services
from .choices import TalkKind
from .models import Talk

router = Router(tags=["谈心谈话"])


class TalkListOut(Schema):
    """A talk without its contents (lists never carry them)."""

    id: int
    kind: TalkKind
    kind_label: str
    held_on: date
    place: str
    initiator: PersonRef = Field(..., description="谈话人")
    counterpart: PersonRef = Field(..., description="谈话对象")
    unit: UnitRef = Field(..., description="所属党组织（谈话对象所在党组织）")
    version: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_initiator(obj):
        return {"id": obj.initiator_id, "name": obj.initiator.name}

    @staticmethod
    def resolve_counterpart(obj):
        return {"id": obj.counterpart_id, "name": obj.counterpart.name}

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)


class TalkOut(TalkListOut):
    summary: str | None = Field(None, description="谈话主要内容：仅谈话双方和有查阅权限者可见，每次读取均记录；否则为 null")
    follow_up: str | None = Field(None, description="需跟进事项（同上）")
    contents_included: bool = Field(..., description="是否返回了谈话内容")


class TalkPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[TalkListOut]


class TalkIn(Schema):
    kind: TalkKind = TalkKind.HEART_TO_HEART
    held_on: date
    place: str = Field(..., max_length=100)
    initiator_id: int = Field(..., description="谈话人")
    counterpart_id: int = Field(..., description="谈话对象；记录归入其所在党组织")
    summary: str = Field(..., description="谈话主要内容（加密保存）")
    follow_up: str = ""


class MissingOut(Schema):
    from_: str = Field(..., alias="from", description="谈话人")
    to: str = Field(..., description="谈话对象")


class CoverageRuleOut(Schema):
    rule: str = Field(..., description="规则编码，如 talks.branch_members")
    unit: str = Field(..., description="党组织编码")
    required: int
    done: int
    missing: list[MissingOut]


class CoverageOut(Schema):
    year: int
    rules: list[CoverageRuleOut]


def _created(pk: int) -> Talk:
    """The talk just recorded, without its contents (the caller has them)."""
    return Talk.objects.select_related("unit", "initiator", "counterpart").defer(*selectors.CONTENT_FIELDS).get(pk=pk)


@router.get("/talks", response=responses({200: TalkPage}, READ), summary="谈话记录（不含谈话内容）")
def list_talks(
    request,
    year: int | None = None,
    unit: int | None = Query(None, description="党组织 id（含下级）"),
    kind: TalkKind | None = None,
    person: int | None = Query(None, description="谈话一方的人员 id"),
    q: str = Query("", max_length=50, description="谈话一方的姓名或拼音首字母"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    user = current_user(request)
    unit_obj = _unit_by_id(unit)
    if unit is not None and unit_obj is None:
        return page(selectors.talks_visible_to(user).none(), limit=limit, offset=offset)
    qs = selectors.talk_list(user, year=year, unit=unit_obj, kind=kind or "", q=q, person=person)
    return page(qs, limit=limit, offset=offset)


def _unit_by_id(pk: int | None) -> OrgUnit | None:
    """A unit filter: any unit id (the talks are scoped anyway); None when the id does not exist."""
    if pk is None:
        return None
    return OrgUnit.objects.filter(pk=pk).first()


@router.post("/talks", response=responses({201: TalkListOut}, WRITE), summary="登记谈话")
def create_talk(request, payload: TalkIn):
    user = current_user(request)
    require_somewhere(user, Action.TALKS_MANAGE)
    initiator = get_object_or_404(selectors.recordable_people(user, Action.PEOPLE_VIEW), pk=payload.initiator_id)
    counterpart = get_object_or_404(selectors.recordable_people(user, Action.TALKS_MANAGE), pk=payload.counterpart_id)
    talk = services.record_talk(
        actor=user, kind=payload.kind, held_on=payload.held_on, place=payload.place, initiator=initiator,
        counterpart=counterpart, summary=payload.summary, follow_up=payload.follow_up,
    )
    return Status(201, _created(talk.pk))


@router.get(
    "/talks/{talk_id}",
    response=responses({200: TalkOut}, READ_ONE),
    summary="一次谈话（谈话双方和有查阅权限者可见内容，每次读取均记录）",
)
def get_talk(request, talk_id: int):
    user = current_user(request)
    talk = selectors.access_talk(user, talk_id)
    talk.summary = talk.follow_up = None
    talk.contents_included = False
    if selectors.can_read_summary(user, talk=talk):
        contents = services.read_talk_summary(actor=user, talk=talk, channel="api")
        talk.summary, talk.follow_up, talk.contents_included = contents.summary, contents.follow_up, True
    return talk


@router.get(
    "/talk-coverage",
    response=responses({200: CoverageOut}, READ),
    summary="谈话覆盖情况：各规则、各党组织的应谈、已谈和未谈名单",
    by_alias=True,
)
def talk_coverage(
    request,
    year: int | None = Query(None, description="年度，默认今年"),
    unit: str = Query("", max_length=40, description="党组织编码（含下级），如 JY-T1"),
):
    user = current_user(request)
    year = year or today().year
    unit_obj = None
    if unit:
        unit_obj = OrgUnit.objects.filter(code=unit).first()
        if unit_obj is None:
            return {"year": year, "rules": []}
    rows = selectors.talk_coverage(user, year=year, unit=unit_obj)
    return selectors.coverage_json(rows, year)
