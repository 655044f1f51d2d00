"""Roster pages: the list (search, filters, export), a person's record, edits, transfers, and roster import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.http import download, require_somewhere
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.selectors import units_visible_to

from . import selectors, services
from .choices import Education, Gender, PartyStanding, PersonCategory, PoliticalStatus, TransferKind
from .forms import (
    DeleteForm,
    ImportUploadForm,
    PersonCreateForm,
    PersonForm,
    RosterFilterForm,
    TransferForm,
    TransferInForm,
    show_error,
)

PAGE_SIZE = 50


def _managed_person(user, pk):
    """A person the user can see (else 404) and manage (else 403)."""
    person = selectors.access_person(user, pk)
    if not can(user, Action.PEOPLE_MANAGE, person.unit):
        raise DjangoPermissionDenied
    return person


def _unit_choices(user, action: str, *, groups: bool = False):
    """Active units where `user` holds `action`: branches (and committees unless only branches are wanted)."""
    units = units_visible_to(user, action).filter(dissolved_on__isnull=True).select_related("parent")
    if groups:
        return units.filter(kind=OrgUnitKind.GROUP).order_by("path")
    return units.exclude(kind=OrgUnitKind.GROUP).order_by("path")


def _branches(user, action: str = Action.PEOPLE_MANAGE):
    return _unit_choices(user, action).filter(kind=OrgUnitKind.BRANCH)


# ---------------------------------------------------------------- roster


@login_required
def roster(request):
    user = request.user
    require_somewhere(user, Action.PEOPLE_VIEW)
    form = RosterFilterForm(request.GET or None, units=units_visible_to(user, Action.PEOPLE_VIEW))
    people = selectors.roster(user, **form.filters())
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_export": can(user, Action.PEOPLE_EXPORT),
        "can_import": can(user, Action.PEOPLE_IMPORT),
        "can_manage": can(user, Action.PEOPLE_MANAGE),
    }
    partial = bool(request.htmx) and request.htmx.target == "roster-results"
    response = render(request, "people/_roster_table.html" if partial else "people/roster.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
def export(request):
    user = request.user
    require_somewhere(user, Action.PEOPLE_EXPORT)
    from . import exporter

    form = RosterFilterForm(request.GET or None, units=units_visible_to(user, Action.PEOPLE_VIEW))
    filters = form.filters()
    people = selectors.roster_for_export(user, **filters)
    data = exporter.export_roster(people)
    services.record_roster_export(actor=user, count=people.count(), filters=filters)
    return download(data, f"花名册-{today():%Y%m%d}.xlsx")


@login_required
def import_template(request):
    require_somewhere(request.user, Action.PEOPLE_IMPORT)
    from . import exporter

    return download(exporter.roster_template(), "花名册导入模板.xlsx")


# ---------------------------------------------------------------- a person


@login_required
def person_detail(request, pk: int):
    person = selectors.access_person(request.user, pk)
    return render(request, "people/person.html", selectors.person_overview(request.user, person))


@login_required
@require_POST
def reveal_id(request, pk: int):
    person = selectors.access_person(request.user, pk)
    try:
        number = services.reveal_id_number(actor=request.user, person=person)
    except PermissionDenied:
        raise DjangoPermissionDenied
    return render(request, "people/_id_number.html", {"person": person, "number": number})


@login_required
def person_edit(request, pk: int):
    person = _managed_person(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, initial={"version": person.version})
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                actor=request.user, person=person, version=form.cleaned_data["version"] or 0,
                id_number=form.id_number_value(), **form.person_fields(),
            )
        except ConcurrentEdit as exc:
            conflict = True
            show_error(form, exc)
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "conflict": conflict})


@login_required
def person_create(request):
    user = request.user
    require_somewhere(user, Action.PEOPLE_MANAGE)
    form = PersonCreateForm(
        request.POST or None,
        units=_unit_choices(user, Action.PEOPLE_MANAGE),
        groups=_unit_choices(user, Action.PEOPLE_MANAGE, groups=True),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.create_person(
                actor=user, unit=d["unit"], group=d["group"], id_number=d["id_number"] or "", **form.person_fields()
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已新增 %(name)s。") % {"name": person.name})
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@login_required
def person_delete(request, pk: int):
    person = _managed_person(request.user, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_person(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已删除 %(name)s（可由管理员恢复）。") % {"name": person.name})
            return redirect("people:roster")
    return render(request, "people/person_delete.html", {"form": form, "person": person})


# ---------------------------------------------------------------- transfers


@login_required
def transfer(request, pk: int):
    user = request.user
    person = _managed_person(user, pk)
    form = TransferForm(
        request.POST or None,
        branches=_branches(user),
        groups=_unit_choices(user, Action.PEOPLE_MANAGE, groups=True),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["kind"] == TransferKind.WITHIN:
                services.transfer_within(
                    actor=user, person=person, to_unit=d["to_unit"], to_group=d["to_group"],
                    transferred_on=d["transferred_on"], reason=d["reason"],
                )
            else:
                services.transfer_out(
                    actor=user, person=person, transferred_on=d["transferred_on"], external_org=d["external_org"],
                    letter_no=d["letter_no"], reason=d["reason"],
                )
        except PermissionDenied as exc:
            form.add_error("to_unit" if d["kind"] == TransferKind.WITHIN else None, exc.message)
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("组织关系转接已登记。"))
            return redirect("people:person", pk=person.pk)
    return render(request, "people/transfer.html", {"form": form, "person": person})


@login_required
def transfer_in(request):
    user = request.user
    require_somewhere(user, Action.PEOPLE_MANAGE)
    form = TransferInForm(
        request.POST or None,
        branches=_branches(user),
        groups=_unit_choices(user, Action.PEOPLE_MANAGE, groups=True),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            t = services.transfer_in(
                actor=user, to_unit=d["to_unit"], to_group=d["to_group"], transferred_on=d["transferred_on"],
                external_org=d["external_org"], letter_no=d["letter_no"], reason=d["reason"],
                id_number=d["id_number"] or "", **form.person_fields(),
            )
        except DomainError as exc:
            show_error(form, exc, rename={"unit": "to_unit", "group": "to_group"})
        else:
            messages.success(request, _("已登记转入：%(name)s。") % {"name": t.person.name})
            return redirect("people:person", pk=t.person_id)
    return render(request, "people/transfer_in.html", {"form": form})


# ---------------------------------------------------------------- roster import


def _session_key(token: str) -> str:
    return f"import-file-name:{token}"


@login_required
def import_upload(request):
    user = request.user
    require_somewhere(user, Action.PEOPLE_IMPORT)
    from . import importer

    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            # Check first: an unreadable file is refused beside the field and nothing is kept.
            importer.check_roster(data=data, file_name=upload.name, actor=user)
            token = importer.stage_upload(data=data, file_name=upload.name, actor=user)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            request.session[_session_key(token)] = upload.name
            return redirect("people:import_preview", token=token)
    batches = selectors.import_batches_visible_to(user).select_related("created_by__person")[:20]
    return render(request, "people/import.html", {"form": form, "batches": batches})


def _label_maps() -> dict[str, dict[str, str]]:
    """Stored value → label for the choice columns, so diffs read 男 → 女 rather than male → female."""
    from .importer import choice_labels

    maps = {
        "gender": choice_labels(Gender),
        "category": choice_labels(PersonCategory),
        "political_status": choice_labels(PoliticalStatus),
        "education": choice_labels(Education),
        "party_standing": choice_labels(PartyStanding),
    }
    return maps


def _change_rows(report) -> tuple[list, list]:
    """The report's changes shaped for the page: creates, and updates with labelled diffs."""
    from .importer import FIELD_HEADERS

    labels = _label_maps()
    codes = [v for c in report.changes for f in ("unit", "group") for v in c.diffs.get(f, [])]
    names = selectors.unit_names_by_code(codes)
    labels["unit"] = labels["group"] = names
    creates, updates = [], []
    for change in report.changes:
        if change.action == "create":
            creates.append(change)
            continue
        diffs = []
        for field, (old, new) in change.diffs.items():
            values = labels.get(field, {})
            diffs.append({
                "field": field,
                "label": FIELD_HEADERS.get(field, field),
                "old": values.get(old, old),
                "new": values.get(new, new),
            })
        updates.append({"change": change, "diffs": diffs})
    return creates, updates


@login_required
def import_preview(request, token: str):
    user = request.user
    require_somewhere(user, Action.PEOPLE_IMPORT)
    from . import importer

    file_name = request.session.get(_session_key(token), "roster.xlsx")
    try:
        data = importer.load_staged(token)
        report = importer.check_roster(data=data, file_name=file_name, actor=user)
    except importer.ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("people:import")
    creates, updates = _change_rows(report)
    return render(request, "people/import_preview.html", {
        "token": token,
        "report": report,
        "file_name": file_name,
        "creates": creates,
        "updates": updates,
    })


@login_required
@require_POST
def import_confirm(request, token: str):
    user = request.user
    require_somewhere(user, Action.PEOPLE_IMPORT)
    from . import importer

    file_name = request.session.get(_session_key(token), "roster.xlsx")
    try:
        data = importer.load_staged(token)
        report, batch = importer.apply_roster(data=data, file_name=file_name, actor=user)
    except importer.ImportFileError as exc:
        messages.error(request, exc.message)
        target = reverse("people:import")
    else:
        if batch is None:
            messages.error(request, _("花名册有错误，未导入任何数据。请修改后重新上传。"))
            target = reverse("people:import_preview", kwargs={"token": token})
        else:
            request.session.pop(_session_key(token), None)
            messages.success(
                request,
                _("导入完成：新增 %(c)d 人，更新 %(u)d 人。") % {"c": report.created, "u": report.updated},
            )
            target = reverse("people:import_batch", kwargs={"pk": batch.pk})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
def import_batch(request, pk: int):
    batch = selectors.access_import_batch(request.user, pk)
    context = {"batch": batch, **selectors.batch_people(request.user, batch)}
    return render(request, "people/import_batch.html", context)


@login_required
@require_POST
def import_rollback(request, pk: int):
    from . import importer

    batch = selectors.access_import_batch(request.user, pk)
    try:
        importer.rollback_batch(batch=batch, actor=request.user)
    except PermissionDenied:
        raise DjangoPermissionDenied
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已回滚该批次导入。"))
    if request.POST.get("next") == "batch":
        return redirect("people:import_batch", pk=batch.pk)
    return redirect("people:import")
