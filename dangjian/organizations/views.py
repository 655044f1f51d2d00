"""Organisation pages: the tree, a unit, its posts, and restructures (move a group, merge, split, undo)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.http import require_somewhere
from dangjian.core.permissions import Action
from dangjian.core.scoping import access_object, can
from dangjian.people.models import Person
from dangjian.people.selectors import people_visible_to, roster

from . import selectors, services
from .choices import OrgUnitKind, RestructureKind
from .forms import (
    RestructureForm,
    RestructurePreviewForm,
    RoleAssignForm,
    RoleEndForm,
    UnitForm,
    show_error,
)
from .models import OrgUnit, RoleAssignment


def _managed_unit(user, pk) -> OrgUnit:
    """A unit the user can see (else 404) and manage (else 403)."""
    unit = selectors.access_unit(user, pk)
    if not can(user, Action.ORG_MANAGE, unit):
        raise DjangoPermissionDenied
    return unit


@login_required
def tree(request):
    require_somewhere(request.user, Action.ORG_VIEW)
    include_dissolved = request.GET.get("dissolved") == "1"
    return render(request, "organizations/tree.html", {
        "rows": selectors.tree_rows(request.user, include_dissolved=include_dissolved),
        "include_dissolved": include_dissolved,
        "can_manage": can(request.user, Action.ORG_MANAGE),
    })


@login_required
def unit_detail(request, pk: int):
    unit = selectors.access_unit(request.user, pk)
    context = selectors.unit_overview(unit)
    context.update(
        unit=unit,
        can_manage=can(request.user, Action.ORG_MANAGE, unit),
        can_people=can(request.user, Action.PEOPLE_VIEW, unit),
    )
    return render(request, "organizations/unit.html", context)


@login_required
def unit_edit(request, pk: int):
    unit = _managed_unit(request.user, pk)
    form = UnitForm(request.POST or None, instance=unit, initial={"version": unit.version})
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(
                actor=request.user, unit=unit, version=form.cleaned_data["version"] or 0, **form.service_fields()
            )
        except ConcurrentEdit as exc:
            conflict = True
            show_error(form, exc)
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("organizations:unit", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {
        "form": form, "unit": unit, "parent": unit.parent, "conflict": conflict,
    })


@login_required
def unit_create(request):
    require_somewhere(request.user, Action.ORG_MANAGE)
    parent = _managed_unit(request.user, request.GET.get("parent"))
    form = UnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            unit = services.create_unit(
                actor=request.user, parent=parent, code=data.pop("code"), name=data.pop("name"),
                kind=data.pop("kind"), **data,
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已新建。"))
            return redirect("organizations:unit", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {"form": form, "unit": None, "parent": parent})


@login_required
def role_assign(request, pk: int):
    unit = _managed_unit(request.user, pk)
    form = RoleAssignForm(
        request.POST or None, unit=unit, unit_people=roster(request.user, unit=unit),
        visible_people=people_visible_to(request.user).filter(left_on__isnull=True),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assign_role(
                actor=request.user, person=d["person"], unit=unit, role=d["role"], starts_on=d["starts_on"],
                is_dual_leader=d.get("is_dual_leader") or False, note=d["note"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已任命。"))
            return redirect("organizations:unit", pk=unit.pk)
    return render(request, "organizations/role_form.html", {"form": form, "unit": unit})


@login_required
def role_end(request, pk: int):
    assignment = access_object(
        RoleAssignment.objects.select_related("unit", "person"), request.user, pk, Action.ORG_VIEW
    )
    if not can(request.user, Action.ORG_MANAGE, assignment.unit):
        raise DjangoPermissionDenied
    form = RoleEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_role(actor=request.user, assignment=assignment, ends_on=form.cleaned_data["ends_on"])
        except DomainError as exc:
            exc.params.setdefault("field", "ends_on")
            show_error(form, exc)
        else:
            messages.success(request, _("已免去职务。"))
            return redirect("organizations:unit", pk=assignment.unit_id)
    return render(request, "organizations/role_end.html", {"form": form, "assignment": assignment})


# ---------------------------------------------------------------- restructures


def _restructure_form(request, form_class, data):
    """The restructure form with its choices scoped to the units the user may manage."""
    user = request.user
    managed = selectors.units_visible_to(user, Action.ORG_MANAGE).filter(dissolved_on__isnull=True)
    branches = managed.filter(kind=OrgUnitKind.BRANCH).order_by("path")
    groups = managed.filter(kind=OrgUnitKind.GROUP).select_related("parent").order_by("path")
    initial = {}
    params = request.GET
    for key in ("source", "group", "target"):
        if params.get(key):
            initial[key] = params.get(key)
    if params.get("kind") in RestructureKind.values:
        initial["kind"] = params.get("kind")
    elif params.get("group"):
        initial["kind"] = RestructureKind.MOVE_GROUP
    elif params.get("source"):
        initial["kind"] = RestructureKind.SPLIT
    source_pk = str((data or {}).get("source") or initial.get("source") or "")
    source_people = Person.objects.none()
    if source_pk.isdigit():
        source_people = (
            Person.objects.current()
            .filter(unit_id=int(source_pk), unit__in=branches)
            .select_related("group")
            .order_by("name_pinyin", "id")
        )
    if data is not None and form_class is RestructurePreviewForm:
        # Ticked people of a previously chosen branch are dropped, not reported: the preview follows the form.
        data = data.copy()
        valid = {str(pk) for pk in source_people.values_list("pk", flat=True)}
        data.setlist("people", [p for p in data.getlist("people") if p in valid])
    return form_class(data, initial=initial, branches=branches, groups=groups, source_people=source_people)


@login_required
def restructure(request):
    require_somewhere(request.user, Action.ORG_MANAGE)
    form = _restructure_form(request, RestructureForm, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"actor": request.user, "effective_on": d["effective_on"], "reason": d["reason"]}
        try:
            if d["kind"] == RestructureKind.MOVE_GROUP:
                rs = services.move_group(
                    group=d["group"], target=d["target"], rename_to=d.get("rename_to", ""), **common
                )
            elif d["kind"] == RestructureKind.MERGE:
                rs = services.merge_branches(source=d["source"], target=d["target"], **common)
            else:
                rs = services.split_branch(
                    source=d["source"], target=d["target"], people_ids=[p.pk for p in d["people"]], **common
                )
        except PermissionDenied:
            raise DjangoPermissionDenied
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("调整已完成。"))
            return redirect("organizations:restructure_detail", pk=rs.pk)
    return render(request, "organizations/restructure_form.html", {"form": form})


@login_required
@require_GET
def restructure_preview(request):
    """The htmx partial beside the form: both branches' sizes now and after. Reads only."""
    require_somewhere(request.user, Action.ORG_MANAGE)
    form = _restructure_form(request, RestructurePreviewForm, request.GET)
    preview = None
    if form.is_valid():
        d = form.cleaned_data
        preview = selectors.restructure_preview(
            kind=d["kind"], source=d["source"], target=d["target"], group=d.get("group"),
            people_ids=[p.pk for p in d.get("people") or []], rename_to=d.get("rename_to", ""),
        )
    return render(request, "organizations/_restructure_preview.html", {"form": form, "preview": preview})


@login_required
def restructure_detail(request, pk: int):
    rs = selectors.access_restructure(request.user, pk)
    return render(request, "organizations/restructure_detail.html", {
        "rs": rs,
        "sizes": selectors.sizes_table(rs),
        "moves": selectors.restructure_moves(rs),
        "can_undo": rs.undone_at is None
        and can(request.user, Action.ORG_MANAGE, rs.source)
        and can(request.user, Action.ORG_MANAGE, rs.target),
        "size_labels": [("people", _("花名册人数")), ("members", _("党员")), ("full", _("正式党员"))],
    })


@login_required
@require_POST
def restructure_undo(request, pk: int):
    rs = selectors.access_restructure(request.user, pk)
    try:
        services.undo_restructure(actor=request.user, restructure=rs)
    except PermissionDenied:
        raise DjangoPermissionDenied
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该调整，人员和党小组已恢复原状。"))
    return redirect("organizations:restructure_detail", pk=rs.pk)


