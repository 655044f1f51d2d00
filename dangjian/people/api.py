"""API for people: the roster, a person's record and history, transfers, and roster import (DESIGN §11).

Thin over people.selectors, people.services and people.importer. ID numbers leave the server masked;
the full number only comes from POST /people/{id}/reveal-id-number, which the service logs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Body, Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from dangjian.api.auth import current_user, require_somewhere
from dangjian.api.schemas import (
    EDIT,
    MAX_LIMIT,
    READ,
    READ_ONE,
    WRITE,
    ErrorOut,
    UnitRef,
    page,
    responses,
    unit_ref,
)
from dangjian.core.errors import DomainError
from dangjian.core.permissions import Action
from dangjian.organizations.models import OrgUnit
from dangjian.organizations.selectors import access_unit

from . import selectors, services
from .choices import Education, Gender, PartyStanding, PersonCategory, PoliticalStatus, TransferKind
from .models import Placement, Transfer

router = Router(tags=["人员"])


# ---------------------------------------------------------------- schemas


class PersonListOut(Schema):
    id: int
    name: str
    gender: str
    category: str
    staff_no: str
    affiliation: str
    political_status: PoliticalStatus
    political_status_label: str
    unit: UnitRef
    group: UnitRef | None
    id_number_masked: str = Field(..., description="身份证号（脱敏）")
    left_on: date | None
    version: int

    @staticmethod
    def resolve_political_status_label(obj) -> str:
        return str(obj.get_political_status_display())

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)

    @staticmethod
    def resolve_group(obj):
        return unit_ref(obj.group)


class PersonOut(PersonListOut):
    ethnicity: str
    birth_date: date | None
    native_place: str
    education: str
    phone: str
    email: str
    party_standing: str
    applied_on: date | None
    activist_on: date | None
    candidate_on: date | None
    joined_on: date | None
    full_member_on: date | None
    note: str
    created_at: datetime
    updated_at: datetime


class PersonPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[PersonListOut]


class _PersonFields(Schema):
    gender: Gender
    category: PersonCategory
    ethnicity: str = Field("汉族", max_length=20)
    birth_date: date | None = None
    native_place: str = Field("", max_length=50)
    education: Education | None = None
    staff_no: str = Field("", max_length=30)
    affiliation: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    political_status: PoliticalStatus = PoliticalStatus.MASSES
    applied_on: date | None = None
    activist_on: date | None = None
    candidate_on: date | None = None
    joined_on: date | None = None
    full_member_on: date | None = None
    note: str = Field("", max_length=300)


class PersonCreateIn(_PersonFields):
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field("", max_length=18, description="身份证号（加密保存，只以脱敏形式返回）")
    unit_id: int = Field(..., description="所在党支部（不在支部的人员为党委）")
    group_id: int | None = None
    placed_on: date | None = Field(None, description="编入日期，默认今天")


class PersonPatchIn(Schema):
    """Only the fields given are changed; unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., description="读取时的版本号；他人已修改则返回 409")
    name: str = Field(None, min_length=1, max_length=50)  # type: ignore[assignment]
    gender: Gender = None  # type: ignore[assignment]
    ethnicity: str = Field(None, max_length=20)  # type: ignore[assignment]
    birth_date: date | None = None
    id_number: str = Field(None, max_length=18)  # type: ignore[assignment]
    native_place: str = Field(None, max_length=50)  # type: ignore[assignment]
    education: Education | None = None
    category: PersonCategory = None  # type: ignore[assignment]
    staff_no: str = Field(None, max_length=30)  # type: ignore[assignment]
    affiliation: str = Field(None, max_length=100)  # type: ignore[assignment]
    phone: str = Field(None, max_length=20)  # type: ignore[assignment]
    email: str = Field(None, max_length=254)  # type: ignore[assignment]
    political_status: PoliticalStatus = None  # type: ignore[assignment]
    party_standing: PartyStanding = None  # type: ignore[assignment]
    applied_on: date | None = None
    activist_on: date | None = None
    candidate_on: date | None = None
    joined_on: date | None = None
    full_member_on: date | None = None
    note: str = Field(None, max_length=300)  # type: ignore[assignment]


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


class IdNumberOut(Schema):
    id: int
    id_number: str


class PlacementOut(Schema):
    id: int
    unit: UnitRef
    group: UnitRef | None
    kind: str
    starts_on: date
    ends_on: date | None
    reason: str
    reason_label: str
    transfer_id: int | None
    restructure_id: int | None

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)

    @staticmethod
    def resolve_group(obj):
        return unit_ref(obj.group)

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())


class TransferOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: TransferKind
    kind_label: str
    transferred_on: date
    from_unit: UnitRef | None
    to_unit: UnitRef | None
    external_org: str
    letter_no: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_from_unit(obj):
        return unit_ref(obj.from_unit)

    @staticmethod
    def resolve_to_unit(obj):
        return unit_ref(obj.to_unit)


class TransferPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[TransferOut]


class TransferWithinIn(Schema):
    kind: Literal["within"]
    person_id: int
    to_unit_id: int
    to_group_id: int | None = None
    transferred_on: date
    reason: str = Field("", max_length=300)


class TransferOutIn(Schema):
    kind: Literal["out"]
    person_id: int
    transferred_on: date
    external_org: str = Field(..., min_length=1, max_length=150, description="接收党组织")
    letter_no: str = Field(..., min_length=1, max_length=60, description="介绍信编号")
    reason: str = Field("", max_length=300)


class NewPersonIn(_PersonFields):
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field("", max_length=18)


class TransferInIn(Schema):
    kind: Literal["in"]
    to_unit_id: int
    to_group_id: int | None = None
    transferred_on: date
    external_org: str = Field(..., min_length=1, max_length=150, description="转出党组织")
    letter_no: str = Field(..., min_length=1, max_length=60, description="介绍信编号")
    reason: str = Field("", max_length=300)
    person_id: int | None = Field(None, description="曾转出本院、现转回的人员；与 person 二选一")
    person: NewPersonIn | None = Field(None, description="新转入人员的信息")


TransferIn = Annotated[TransferWithinIn | TransferOutIn | TransferInIn, Field(discriminator="kind")]


class ImportRowError(Schema):
    row: int | None = None
    column: str | None = None
    value: Any = None
    code: str
    message: str


class ImportChange(Schema):
    row: int | None = None
    action: str
    person_id: int | None = None
    name: str = ""
    diffs: Any = None


class ImportReportOut(Schema):
    ok: bool
    created: int
    updated: int
    errors: list[ImportRowError]
    warnings: list[ImportRowError]
    changes: list[ImportChange] = []


class ImportPreviewOut(Schema):
    token: str = Field(..., description="上传文件的 SHA-256，确认导入时使用")
    file_name: str
    report: ImportReportOut


class ImportBatchOut(Schema):
    id: int
    file_name: str
    file_hash: str
    unit: UnitRef
    created_by: str
    created_at: datetime
    created_count: int
    updated_count: int
    warning_count: int
    status: str
    status_label: str
    rolled_back_at: datetime | None

    @staticmethod
    def resolve_unit(obj):
        return unit_ref(obj.unit)

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.display_name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ImportBatchPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[ImportBatchOut]


class ImportConfirmIn(Schema):
    file_name: str = Field("roster.xlsx", max_length=200)


class ImportConfirmOut(Schema):
    batch: ImportBatchOut
    report: ImportReportOut


class ImportRefusedOut(ErrorOut):
    report: ImportReportOut


# ---------------------------------------------------------------- people


def _unit_or_none(pk: int | None) -> OrgUnit | None:
    """A unit to filter a scoped list by; no scope needed since the list itself is scoped."""
    if pk is None:
        return None
    return OrgUnit.objects.filter(pk=pk).first()


@router.get("/people", response=responses({200: PersonPage}, READ), summary="花名册")
def list_people(
    request,
    q: str = Query("", description="姓名、拼音首字母（张三 → zs）、全拼或工号/学号", max_length=50),
    unit: int | None = Query(None, description="党组织（含下级）或党小组"),
    status: PoliticalStatus | None = None,
    category: PersonCategory | None = None,
    include_left: bool = Query(False, description="包括已转出本院的人员"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    user = current_user(request)
    unit_obj = _unit_or_none(unit)
    if unit is not None and unit_obj is None:
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    qs = selectors.roster(
        user, q=q, unit=unit_obj, status=status or "", category=category or "", include_left=include_left
    )
    return page(qs, limit=limit, offset=offset)


@router.get("/people/{person_id}", response=responses({200: PersonOut}, READ_ONE), summary="人员详情")
def get_person(request, person_id: int):
    return selectors.access_person(current_user(request), person_id)


@router.post("/people", response=responses({201: PersonOut}, WRITE), summary="新增人员")
def create_person(request, payload: PersonCreateIn):
    user = current_user(request)
    require_somewhere(user, Action.PEOPLE_MANAGE)
    data = payload.dict()
    unit = access_unit(user, data.pop("unit_id"))
    group_id = data.pop("group_id")
    group = access_unit(user, group_id) if group_id is not None else None
    data["education"] = data["education"] or ""
    person = services.create_person(actor=user, unit=unit, group=group, **data)
    return Status(201, selectors.access_person(user, person.pk))


@router.patch("/people/{person_id}", response=responses({200: PersonOut}, EDIT), summary="修改人员信息")
def update_person(request, person_id: int, payload: PersonPatchIn):
    user = current_user(request)
    person = selectors.access_person(user, person_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "education" in data:
        data["education"] = data["education"] or ""
    services.update_person(actor=user, person=person, version=version, **data)
    return selectors.access_person(user, person.pk)


@router.delete(
    "/people/{person_id}",
    response=responses({204: None}, WRITE),
    summary="删除人员（软删除，需填写原因）",
)
def delete_person(
    request,
    person_id: int,
    reason: str = Query("", max_length=200, description="删除原因（也可放在请求体中）"),
    payload: Body[ReasonIn | None] = None,
):
    user = current_user(request)
    person = selectors.access_person(user, person_id)
    services.delete_person(actor=user, person=person, reason=reason or (payload.reason if payload else ""))
    return Status(204, None)


@router.get(
    "/people/{person_id}/placements", response=responses({200: list[PlacementOut]}, READ_ONE), summary="编入记录"
)
def person_placements(request, person_id: int):
    person = selectors.access_person(current_user(request), person_id)
    return list(Placement.objects.filter(person=person).select_related("unit", "group").order_by("starts_on", "id"))


@router.get(
    "/people/{person_id}/transfers", response=responses({200: list[TransferOut]}, READ_ONE), summary="组织关系转接记录"
)
def person_transfers(request, person_id: int):
    person = selectors.access_person(current_user(request), person_id)
    return list(Transfer.objects.filter(person=person).select_related("person", "from_unit", "to_unit"))


@router.post(
    "/people/{person_id}/reveal-id-number",
    response=responses({200: IdNumberOut}, (401, 403, 404, 422)),
    summary="查看完整身份证号（需专门权限，每次查看均记录）",
)
def reveal_id_number(request, person_id: int):
    user = current_user(request)
    person = selectors.access_person(user, person_id)
    return {"id": person.pk, "id_number": services.reveal_id_number(actor=user, person=person)}


# ---------------------------------------------------------------- transfers


@router.get("/transfers", response=responses({200: TransferPage}, READ), summary="组织关系转接记录")
def list_transfers(
    request,
    kind: TransferKind | None = None,
    person: int | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = selectors.transfers_visible_to(current_user(request))
    if kind:
        qs = qs.filter(kind=kind)
    if person is not None:
        qs = qs.filter(person_id=person)
    return page(qs, limit=limit, offset=offset)


def _group(user, pk: int | None) -> OrgUnit | None:
    return access_unit(user, pk) if pk is not None else None


@router.post("/transfers", response=responses({201: TransferOut}, WRITE), summary="组织关系转接（院内、转出、转入）")
def create_transfer(request, payload: TransferIn):
    user = current_user(request)
    require_somewhere(user, Action.PEOPLE_MANAGE)
    if payload.kind == TransferKind.WITHIN:
        t = services.transfer_within(
            actor=user,
            person=selectors.access_person(user, payload.person_id),
            to_unit=access_unit(user, payload.to_unit_id),
            to_group=_group(user, payload.to_group_id),
            transferred_on=payload.transferred_on,
            reason=payload.reason,
        )
    elif payload.kind == TransferKind.OUT:
        t = services.transfer_out(
            actor=user,
            person=selectors.access_person(user, payload.person_id),
            transferred_on=payload.transferred_on,
            external_org=payload.external_org,
            letter_no=payload.letter_no,
            reason=payload.reason,
        )
    else:
        if (payload.person_id is None) == (payload.person is None):
            raise DomainError("person_required", _("请指定转回的人员（person_id）或填写新转入人员的信息（person），二者选一。"))
        extra: dict[str, Any] = {}
        person = None
        if payload.person_id is not None:
            person = selectors.access_person(user, payload.person_id)
        else:
            extra = payload.person.dict()
            extra["education"] = extra["education"] or ""
        t = services.transfer_in(
            actor=user,
            to_unit=access_unit(user, payload.to_unit_id),
            to_group=_group(user, payload.to_group_id),
            transferred_on=payload.transferred_on,
            external_org=payload.external_org,
            letter_no=payload.letter_no,
            reason=payload.reason,
            person=person,
            **extra,
        )
    return Status(201, selectors.transfers_visible_to(user).get(pk=t.pk))


# ---------------------------------------------------------------- roster import


def _report(report) -> dict[str, Any]:
    data = dict(report.as_json())
    data["changes"] = [
        {"row": c.row, "action": c.action, "person_id": c.person_id, "name": c.name, "diffs": c.diffs}
        for c in getattr(report, "changes", [])
    ]
    return data


def _batches(user):
    return selectors.import_batches_visible_to(user).select_related("created_by__person")


@router.get("/roster-imports", response=responses({200: ImportBatchPage}, READ), summary="花名册导入批次")
def list_imports(request, limit: int = Query(50, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)):
    return page(_batches(current_user(request)), limit=limit, offset=offset)


@router.post(
    "/roster-imports",
    response=responses({200: ImportPreviewOut}, (400, 401, 403, 422)),
    summary="上传花名册并预览（不写入）",
)
def upload_roster(request, file: File[UploadedFile]):
    from . import importer

    user = current_user(request)
    require_somewhere(user, Action.PEOPLE_IMPORT)
    data = file.read()
    file_name = file.name or "roster.xlsx"
    token = importer.stage_upload(data=data, file_name=file_name, actor=user)
    report = importer.check_roster(data=data, file_name=file_name, actor=user)
    return {"token": token, "file_name": file_name, "report": _report(report)}


@router.post(
    "/roster-imports/{token}/confirm",
    response={
        200: ImportConfirmOut,
        400: ImportRefusedOut,
        **responses({}, (401, 403, 404, 422)),
    },
    summary="确认导入（全部成功或全部不写入）",
)
def confirm_roster(request, token: str, payload: Body[ImportConfirmIn | None] = None):
    from . import importer

    user = current_user(request)
    require_somewhere(user, Action.PEOPLE_IMPORT)
    data = importer.load_staged(token)
    file_name = payload.file_name if payload else "roster.xlsx"
    report, batch = importer.apply_roster(data=data, file_name=file_name, actor=user)
    if batch is None:
        return Status(400, {"code": "import_invalid", "message": _("花名册有错误，未导入任何数据。"), "report": _report(report)})
    return {"batch": _batches(user).get(pk=batch.pk), "report": _report(report)}


@router.post(
    "/roster-imports/batches/{batch_id}/rollback",
    response=responses({200: ImportBatchOut}, (401, 403, 404, 409, 422)),
    summary="回滚一次花名册导入（导入后有人被修改则拒绝，409）",
)
def rollback_import(request, batch_id: int):
    from . import importer

    user = current_user(request)
    batch = selectors.access_import_batch(user, batch_id)
    importer.rollback_batch(batch=batch, actor=user)
    return _batches(user).get(pk=batch.pk)
