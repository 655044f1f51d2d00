"""Talk pages: the list (no contents), a talk and its contents on request (logged), record / edit / delete,
coverage per rule and unit, the yearly plans, and each person's own to-do list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.forms import add_domain_error
from dangjian.core.http import DOCX, download, query_without_page, require_somewhere
from dangjian.core.permissions import Action
from dangjian.core.scoping import can
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.selectors import units_visible_to

from . import selectors, services
from .forms import DeleteForm, TalkFilterForm, TalkForm, YearUnitForm

PAGE_SIZE = 50


def _units(user, action: str, *, plan_units_only: bool = False):
    units = units_visible_to(user, action).filter(dissolved_on__isnull=True).select_related("parent")
    kinds = (OrgUnitKind.COMMITTEE, OrgUnitKind.BRANCH) if plan_units_only else (
        OrgUnitKind.COMMITTEE, OrgUnitKind.GENERAL_BRANCH, OrgUnitKind.BRANCH)
    return units.filter(kind__in=kinds).order_by("path")


def _managed_talk(user, pk):
    """A talk the user can see (else 404) and manage (else 403)."""
    talk = selectors.access_talk(user, pk)
    if not selectors.can_manage_talk(user, talk):
        raise DjangoPermissionDenied
    return talk


# ---------------------------------------------------------------- list and detail


@login_required
def talk_list(request):
    user = request.user
    require_somewhere(user, Action.TALKS_VIEW)
    form = TalkFilterForm(request.GET or None, units=_units(user, Action.TALKS_VIEW))
    page = Paginator(selectors.talk_list(user, **form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    context = {
        "form": form,
        "page": page,
        "querystring_without_page": f"{query}&" if query else "",
        "can_record": can(user, Action.TALKS_MANAGE),
    }
    partial = bool(request.htmx) and request.htmx.target == "talk-results"
    response = render(request, "talks/_talk_table.html" if partial else "talks/talk_list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
def talk_detail(request, pk: int):
    talk = selectors.access_talk(request.user, pk)
    return render(request, "talks/talk_detail.html", selectors.talk_overview(request.user, talk))


@login_required
@require_POST
def talk_summary(request, pk: int):
    """Show the contents — a deliberate, logged read (POST, so no prefetch or crawler reads them)."""
    user = request.user
    talk = selectors.access_talk(user, pk)
    try:
        contents = services.read_talk_summary(actor=user, talk=talk, channel="page")
    except PermissionDenied:
        raise DjangoPermissionDenied
    if request.htmx:
        return render(request, "talks/_summary.html", {"talk": talk, "contents": contents})
    context = {**selectors.talk_overview(user, talk), "contents": contents}
    return render(request, "talks/talk_detail.html", context)


@login_required
@require_POST
def talk_word(request, pk: int):
    """The talk as a 谈心谈话记录 Word file; a read of the contents like any other (logged)."""
    from .exporter import talk_record_docx

    user = request.user
    talk = selectors.access_talk(user, pk)
    try:
        contents = services.read_talk_summary(actor=user, talk=talk, channel="word")
    except PermissionDenied:
        raise DjangoPermissionDenied
    name = f"谈心谈话记录-{talk.held_on:%Y%m%d}-{talk.counterpart.name}.docx"
    return download(talk_record_docx(talk, contents), name, DOCX)


# ---------------------------------------------------------------- record, edit, delete


def _form(user, data=None, *, talk=None, contents_locked=False, initial=None):
    include = (talk.initiator_id, talk.counterpart_id) if talk else ()
    return TalkForm(
        data,
        initiators=selectors.recordable_people(user, Action.PEOPLE_VIEW, include=include),
        counterparts=selectors.recordable_people(user, Action.TALKS_MANAGE, include=include),
        contents_locked=contents_locked,
        initial=initial or {},
    )


def _prefill(request) -> dict:
    """?initiator=&counterpart= from a to-do list's 登记 link (ids; the form only offers allowed people)."""
    initial = {}
    for name in ("initiator", "counterpart"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    if not initial.get("initiator") and request.user.person_id:
        initial["initiator"] = request.user.person_id
    return initial


@login_required
def talk_create(request):
    user = request.user
    require_somewhere(user, Action.TALKS_MANAGE)
    form = _form(user, request.POST or None, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        try:
            talk = services.record_talk(actor=user, **form.talk_fields(), **form.contents())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("谈话已登记。"))
            return redirect("talks:detail", pk=talk.pk)
    return render(request, "talks/talk_form.html", {"form": form, "talk": None})


@login_required
def talk_edit(request, pk: int):
    user = request.user
    talk = _managed_talk(user, pk)
    may_read = selectors.can_read_summary(user, talk=talk)
    initial = {f: getattr(talk, f) for f in ("kind", "held_on", "place")}
    initial.update(initiator=talk.initiator_id, counterpart=talk.counterpart_id, version=talk.version)
    if request.method != "POST" and may_read:
        # Showing the contents in the form is a read like any other (logged).
        contents = services.read_talk_summary(actor=user, talk=talk, channel="edit")
        initial.update(summary=contents.summary, follow_up=contents.follow_up)
    form = _form(user, request.POST or None, talk=talk, contents_locked=not may_read, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_talk(
                actor=user, talk=talk, version=form.cleaned_data["version"] or 0, **form.talk_fields(),
                **form.contents(),
            )
        except ConcurrentEdit as exc:
            conflict = True
            add_domain_error(form, exc)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("talks:detail", pk=talk.pk)
    return render(request, "talks/talk_form.html", {"form": form, "talk": talk, "conflict": conflict})


@login_required
def talk_delete(request, pk: int):
    talk = _managed_talk(request.user, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_talk(actor=request.user, talk=talk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("谈话记录已删除。"))
            return redirect("talks:list")
    return render(request, "talks/talk_delete.html", {"form": form, "talk": talk})


# ---------------------------------------------------------------- coverage, plans, my to-do


@login_required
def coverage(request):
    user = request.user
    require_somewhere(user, Action.TALKS_VIEW)
    form = YearUnitForm(request.GET or None, units=_units(user, Action.TALKS_VIEW, plan_units_only=True))
    year, unit = form.values()
    rows = selectors.talk_coverage(user, year=year, unit=unit)
    return render(request, "talks/coverage.html", {
        "form": form,
        "year": year,
        "rows": rows,
        "chart": selectors.coverage_chart(rows),
        "can_record": can(user, Action.TALKS_MANAGE),
        "totals": {"required": sum(r.required for r in rows), "done": sum(r.done for r in rows)},
    })


@login_required
def plan(request):
    user = request.user
    require_somewhere(user, Action.TALKS_VIEW)
    managed = _units(user, Action.TALKS_MANAGE, plan_units_only=True)
    sync_form = YearUnitForm(request.POST or None, units=managed, unit_required=True, prefix="sync")
    if request.method == "POST":
        require_somewhere(user, Action.TALKS_MANAGE)
        if sync_form.is_valid():
            year, unit = sync_form.cleaned_data["year"], sync_form.cleaned_data["unit"]
            try:
                result = services.sync_talk_plans(actor=user, year=year, unit=unit)
            except PermissionDenied:
                raise DjangoPermissionDenied
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if result.changed:
                    messages.success(request, _("谈话计划已更新：新增 %(a)d 对，移出 %(w)d 对，恢复 %(r)d 对。")
                                     % {"a": result.added, "w": result.withdrawn, "r": result.reinstated})
                else:
                    messages.info(request, _("谈话计划已是最新，无需更改。"))
            return redirect(f"{reverse('talks:plan')}?year={year}&unit={unit.pk}")
    form = YearUnitForm(request.GET or None, units=_units(user, Action.TALKS_VIEW, plan_units_only=True))
    year, unit = form.values()
    plans = selectors.plan_overview(user, year=year, unit=unit)
    if not sync_form.is_bound:
        sync_form = YearUnitForm(units=managed, unit_required=True, prefix="sync",
                                 initial={"year": year, "unit": unit.pk if unit else None})
    return render(request, "talks/plan.html", {
        "form": form,
        "sync_form": sync_form,
        "year": year,
        "plans": plans,
        "can_sync": managed.exists(),
    })


@login_required
def my_todo(request):
    user = request.user
    if not user.person_id:
        raise DjangoPermissionDenied
    form = YearUnitForm(request.GET or None, units=units_visible_to(user, Action.TALKS_VIEW).none())
    year, _unit = form.values()
    context = {"form": form, **selectors.my_todo(user, year=year), "can_view_talks": can(user, Action.TALKS_VIEW)}
    return render(request, "talks/my_todo.html", context)
