"""Meetings pages: the list, plan and edit, the record (detail) with its workflow buttons, attendance by hand
and the check-in QR panel, recording a held meeting and its votes, the phone check-in page, compliance (heat map,
drill-down, Excel), the planner, dual organisational life, and the Word exports.

Thin: parse with a form, call one service or selector, render. Out of scope is 404 (access_meeting /
visible_to); visible but not the viewer's to manage is 403.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.forms import add_domain_error
from dangjian.core.http import DOCX, XLSX, download, query_without_page, require_somewhere
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.people.models import Person

from . import checkin as qr
from . import compliance as comp
from . import pages, selectors, services
from .choices import MeetingKind
from .forms import (
    AttachmentForm,
    MarkForm,
    MeetingFilterForm,
    MeetingForm,
    PlannerForm,
    ReasonForm,
    RecordForm,
    VoteForm,
    YearForm,
)
from .models import Attachment, Attendance, Meeting

PAGE_SIZE = 50
MULTI = ("also_counts_as", "audience_units")


def _managed_meeting(user, pk) -> Meeting:
    """A meeting the user can see (else 404) and manage (else 403)."""
    meeting = selectors.access_meeting(user, pk)
    if not pages.can_manage(user, meeting):
        raise DjangoPermissionDenied
    return meeting


def _to_detail(meeting) -> HttpResponse:
    return redirect("meetings:detail", pk=meeting.pk)


# ---------------------------------------------------------------- list


@login_required
def meeting_list(request):
    """Meetings in scope (and, for a member, the meetings they were expected at), filtered, by month."""
    user = request.user
    if not (can(user, Action.MEETINGS_VIEW) or user.person_id):
        raise DjangoPermissionDenied
    form = MeetingFilterForm(request.GET or None, units=pages.viewable_units(user))
    # Explicit order: Meta.ordering is not applied to the selector's aggregated (GROUP BY) query.
    meetings = selectors.meeting_list(user, **form.filters()).order_by("-starts_at", "-id")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    context = {
        "form": form,
        "page": page,
        "rows": pages.list_rows(page.object_list),
        "querystring_without_page": f"{query}&" if query else "",
        "can_plan": can(user, Action.MEETINGS_MANAGE),
        "can_view_reports": can(user, Action.MEETINGS_VIEW),
    }
    partial = bool(request.htmx) and request.htmx.target == "meeting-results"
    response = render(request, "meetings/_list_results.html" if partial else "meetings/list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


# ---------------------------------------------------------------- plan and edit


def _refresh_initial(request) -> dict:
    return {k: (request.GET.getlist(k) if k in MULTI else request.GET.get(k)) for k in request.GET}


@login_required
@require_GET
def meeting_form_fields(request):
    """htmx: the plan form re-rendered for the chosen unit, kind, date and audience, with the expected list."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_MANAGE)
    form = MeetingForm(initial=_refresh_initial(request), units=pages.managed_units(user),
                       refresh_url=reverse("meetings:form_fields"))
    return render(request, "meetings/_form_body.html", {"form": form, "preview": form.preview()})


@login_required
def meeting_create(request):
    user = request.user
    require_somewhere(user, Action.MEETINGS_MANAGE)
    units = pages.managed_units(user)
    # A link from the planner proposes the unit, kind, day and combinations of one sitting.
    initial = {"day": today(), "starts_at": "14:30", "ends_at": "16:00", **_refresh_initial(request)}
    form = MeetingForm(request.POST or None, initial=initial, units=units, refresh_url=reverse("meetings:form_fields"))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(actor=user, **form.service_fields())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已安排会议：%(m)s。") % {"m": meeting})
            return _to_detail(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": None, "preview": form.preview()})


@login_required
def meeting_edit(request, pk: int):
    user = request.user
    meeting = _managed_meeting(user, pk)
    if meeting.status not in services.EDITABLE_STATUSES:
        messages.warning(request, _("只有计划中或被退回的会议可以修改（当前：%(s)s）。") % {"s": meeting.get_status_display()})
        return _to_detail(meeting)
    initial = MeetingForm.initial_for(meeting, selectors.also_counts_as(meeting))
    form = MeetingForm(request.POST or None, initial=initial, units=pages.managed_units(user),
                       refresh_url=reverse("meetings:form_fields"))
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(actor=user, meeting=meeting, version=form.cleaned_data["version"] or 0,
                                    **form.service_fields())
        except ConcurrentEdit as exc:
            conflict = True
            add_domain_error(form, exc)
        except PermissionDenied as exc:
            form.add_error("unit", exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return _to_detail(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting, "conflict": conflict,
                                                  "preview": form.preview()})


# ---------------------------------------------------------------- the record


@login_required
def meeting_detail(request, pk: int):
    user = request.user
    meeting = selectors.access_meeting(user, pk)
    context = pages.detail_context(user, meeting)
    if context["can_mark"]:
        context["mark_form"] = MarkForm(person_choices=pages.mark_person_choices(
            user, meeting, context["expected_rows"] + context["observer_rows"]))
    if context["can_upload"]:
        context["attachment_form"] = AttachmentForm()
    if context["show_checkin"]:
        context["qr"] = pages.checkin_panel(request, meeting)
    context["reason_form"] = ReasonForm()
    return render(request, "meetings/detail.html", context)


@login_required
@require_GET
def checkin_qr(request, pk: int):
    """htmx: the QR panel with the current token (the page polls it every 30 s)."""
    meeting = _managed_meeting(request.user, pk)
    if meeting.status not in selectors.OPEN_STATUSES:
        return HttpResponse(status=286)  # htmx: stop polling
    template = "meetings/_checkin_qr_big.html" if request.GET.get("size") == "big" else "meetings/_checkin_qr.html"
    return render(request, template, {"qr": pages.checkin_panel(request, meeting)})


@login_required
def checkin_screen(request, pk: int):
    """The QR code alone, large, for the projector in the meeting room."""
    meeting = _managed_meeting(request.user, pk)
    if meeting.status not in selectors.OPEN_STATUSES:
        return _to_detail(meeting)
    return render(request, "meetings/checkin_screen.html", {"meeting": meeting,
                                                            "qr": pages.checkin_panel(request, meeting)})


@login_required
@require_POST
def mark(request, pk: int):
    """手工登记: one person's attendance (or an observer), from the detail page."""
    user = request.user
    meeting = _managed_meeting(user, pk)
    rows = list(selectors.attendance_of(meeting))
    form = MarkForm(request.POST, person_choices=pages.mark_person_choices(user, meeting, rows))
    if form.is_valid():
        d = form.cleaned_data
        person = next((a.person for a in rows if a.person_id == d["person"]), None)
        if person is None:
            person = Person.objects.visible_to(user, Action.PEOPLE_VIEW).filter(pk=d["person"]).first()
        try:
            if person is None:
                raise Http404
            row = services.mark_attendance(actor=user, meeting=meeting, person=person, status=d["status"],
                                           reason=d["reason"], is_observer=d["is_observer"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记：%(name)s %(status)s。") % {
                "name": person.name, "status": row.get_status_display()})
    else:
        messages.error(request, _("；").join(
            _("%(label)s：%(errors)s") % {"label": form.fields[k].label if k in form.fields else "", "errors": " ".join(v)}
            for k, v in form.errors.items()))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#attendance")


@login_required
@require_POST
def attachment_add(request, pk: int):
    user = request.user
    meeting = _managed_meeting(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(actor=user, meeting=meeting, kind=form.cleaned_data["kind"],
                                    uploaded_file=form.cleaned_data["file"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("附件已上传。"))
    else:
        messages.error(request, _("请选择附件类型和文件。"))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#attachments")


@login_required
def attachment(request, pk: int, attachment_pk: int):
    """Download one attachment of a meeting the viewer may see (files are never served without the check)."""
    meeting = selectors.access_meeting(request.user, pk)
    item = Attachment.objects.filter(meeting=meeting, pk=attachment_pk).first()
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=item.name)


# ---------------------------------------------------------------- record, vote, review


@login_required
def record(request, pk: int):
    """Record a held meeting (planned → held, or a returned record again): minutes, resolutions, attendance."""
    user = request.user
    meeting = _managed_meeting(user, pk)
    transition = next((t for t in selectors.available_transitions(user, meeting) if t.name in ("record", "resubmit")),
                      None)
    if transition is None:
        messages.warning(request, _("当前状态（%(s)s）下不能记录会议。") % {"s": meeting.get_status_display()})
        return _to_detail(meeting)
    rows = pages.attendance_rows(meeting)
    initial = {"version": meeting.version, "minutes": meeting.minutes, "resolutions": meeting.resolutions}
    form = RecordForm(request.POST or None, initial=initial, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_meeting(actor=user, meeting=meeting, version=form.cleaned_data["version"],
                                    minutes=form.cleaned_data["minutes"], resolutions=form.cleaned_data["resolutions"],
                                    attendance=form.marks())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("会议记录已保存，状态为“已召开”。"))
            return _to_detail(meeting)
    return render(request, "meetings/record.html", {
        "form": form, "meeting": meeting, "transition": transition,
        "observers": [a for a in selectors.attendance_of(meeting) if a.is_observer],
        "checked_in": sum(1 for r in rows if r.checked_in_at),
    })


@login_required
def vote(request, pk: int):
    """Record a vote at a 支部党员大会: counts, exclusions, written opinions; the outcome with the rules cited."""
    user = request.user
    meeting = _managed_meeting(user, pk)
    voters = pages.vote_voters(meeting)
    eligible = len(voters)
    present = sum(1 for a in voters if a.status == "present")
    form = VoteForm(request.POST or None, voters=voters, people=pages.unit_people(meeting.unit),
                    eligible=eligible, present=present)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.record_vote(actor=user, meeting=meeting, **form.service_fields())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            verdict = _("通过") if result.passed else _("未通过")
            messages.success(request, _("表决结果已记录：%(title)s，%(verdict)s。") % {"title": result.title,
                                                                                  "verdict": verdict})
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#votes")
    return render(request, "meetings/vote.html", {"form": form, "meeting": meeting, "eligible": eligible,
                                                  "present": present, "rules": pages.vote_rules()})


def _transition_post(request, pk: int, name: str):
    """review / return / cancel: one POST, the service decides; errors come back as a message."""
    user = request.user
    meeting = selectors.access_meeting(user, pk)
    action = Action.MEETINGS_REVIEW if name in ("review", "return") else Action.MEETINGS_MANAGE
    unit = services.review_unit(meeting) if action == Action.MEETINGS_REVIEW else meeting.unit
    if not can(user, action, unit):
        raise DjangoPermissionDenied
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if name == "review":
            services.review_meeting(actor=user, meeting=meeting)
        elif name == "return":
            services.return_meeting(actor=user, meeting=meeting, reason=reason)
        else:
            services.cancel_meeting(actor=user, meeting=meeting, reason=reason)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = {"review": _("会议记录已审核通过。"), "return": _("会议记录已退回修改。"), "cancel": _("会议已取消。")}
        messages.success(request, done[name])
    return _to_detail(meeting)


@login_required
@require_POST
def review(request, pk: int):
    return _transition_post(request, pk, "review")


@login_required
@require_POST
def return_record(request, pk: int):
    return _transition_post(request, pk, "return")


@login_required
@require_POST
def cancel(request, pk: int):
    return _transition_post(request, pk, "cancel")


# ---------------------------------------------------------------- check-in (the phone page)


@login_required
def checkin(request, pk: int):
    """The page a member reaches by scanning the QR code: the meeting and a big 签到 button. The token in the
    URL is the capability, so a member of another branch is told they are not expected (not 404); a forged
    token shows nothing about the meeting. Without a token (from the home page): how to check in."""
    user = request.user
    if not user.person_id:
        raise DjangoPermissionDenied  # accounts without a person (administrators) attend no meetings
    token = (request.POST.get("t") or request.GET.get("t") or "").strip()[:64]
    if not token:
        meeting = selectors.access_meeting(user, pk)
        own = Attendance.objects.filter(meeting=meeting, person_id=user.person_id).first()
        return render(request, "meetings/checkin.html", {"meeting": meeting, "no_token": True, "own": own,
                                                         "is_open": qr.is_open(meeting), "pk": pk})
    meeting = Meeting.objects.select_related("unit").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    genuine = qr.verify(meeting, token) != "invalid"
    context = {"meeting": meeting if genuine else None, "token": token, "pk": pk}
    if request.method == "POST":
        try:
            context["done"] = services.check_in(user=user, meeting=meeting, token=token)
        except DomainError as exc:
            context["error"] = exc
    return render(request, "meetings/checkin.html", context)


# ---------------------------------------------------------------- compliance


def _report_args(request, user):
    form = YearForm(request.GET or None, units=pages.viewable_units(user, groups=False),
                    initial={"year": today().year, "as_of": today()})
    year, as_of, unit = form.values()
    return form, year, as_of, unit


@login_required
def compliance(request):
    """The heat map (units × months) and a per-unit table of requirements by period."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    form, year, as_of, unit = _report_args(request, user)
    report = comp.compliance_for(user, year, as_of, unit)
    context = {"form": form, "year": year, "as_of": as_of, "unit": unit, "report": report,
               "query": query_without_page(request), **pages.compliance_page(report, as_of=as_of)}
    return render(request, "meetings/compliance.html", context)


@login_required
def compliance_cell(request, code: str, period: str):
    """Drill-down: the requirement periods of one unit that cover a month (or one requirement period), why each
    has its status, and the meetings credited to it."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    unit = OrgUnit.objects.visible_to(user, Action.MEETINGS_VIEW).filter(code=code).select_related("parent").first()
    if unit is None:
        raise Http404
    try:
        target = comp.period_from_label(period)
    except ValueError:
        raise Http404 from None
    kind = request.GET.get("kind", "")
    try:
        as_of = date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = today()
    report = comp.compliance_for(user, target.start.year, as_of, unit)
    own = next((u for u in report["units"] if u["code"] == unit.code), None)
    if own is None:
        raise Http404
    rows = pages.cell_rows(user, unit, own, period_label=period, kind=kind, as_of=as_of)
    return render(request, "meetings/compliance_cell.html", {
        "unit": unit, "period": target, "period_label": period, "kind": kind, "as_of": as_of, "rows": rows,
        "year": target.start.year,
    })


@login_required
def compliance_export(request):
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    _form, year, as_of, unit = _report_args(request, user)
    data = comp.export_xlsx(actor=user, year=year, as_of=as_of, unit=unit)
    suffix = f"-{unit.code}" if unit else ""
    name = _("组织生活合规-%(year)s%(unit)s-%(date)s.xlsx") % {"year": year, "unit": suffix, "date": f"{as_of:%Y%m%d}"}
    return download(data, name, XLSX)


# ---------------------------------------------------------------- planner and dual organisational life


@login_required
def planner(request):
    """The proposed calendar of a unit for a year (fewest sittings meeting every requirement), and each
    person's meetings and hours per month — as planned and as recorded."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    from . import planner as plan

    units = pages.viewable_units(user, groups=False).filter(dissolved_on__isnull=True).exclude(
        kind=OrgUnitKind.GENERAL_BRANCH)
    default = units.filter(kind=OrgUnitKind.BRANCH).first() or units.first()
    form = PlannerForm(request.GET or None, units=units,
                       initial={"unit": default.pk if default else None, "year": today().year})
    unit, year = default, today().year
    if form.is_bound and form.is_valid():
        unit, year = form.cleaned_data["unit"], form.cleaned_data["year"]
    context = {"form": form, "unit": unit, "year": year}
    if unit is not None:
        result = plan.year_plan(unit, year)
        context.update(result)
        # plan_load counts minutes; the table shows hours, as for the recorded load.
        context["load"] = [{**r, "months": [[n, round(minutes / 60, 1)] for n, minutes in r["months"]]}
                           for r in result.get("load", [])]
        context["by_month"] = _by_month(result["sittings"])
        context["actual"] = pages.actual_load(unit, year)
        context["months"] = list(range(1, 13))
    return render(request, "meetings/planner.html", context)


def _by_month(sittings) -> list[dict]:
    months: dict[int, list] = {}
    for s in sittings:
        s.kind_label = MeetingKind(s.kind).label
        s.counts_labels = [MeetingKind(k).label for k in s.counts_as]
        months.setdefault(s.on.month, []).append(s)
    return [{"month": m, "sittings": months[m]} for m in sorted(months)]


@login_required
def dual_life(request):
    """双重组织生活: the committee-level leaders' attendance at their own branch's or group's meetings."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    from .dual_life import QuarterStatus, dual_life_for

    form = YearForm(request.GET or None, initial={"year": today().year, "as_of": today()})
    year, as_of, _unit = form.values()
    rows = dual_life_for(user, year, as_of)
    return render(request, "meetings/dual_life.html", {"form": form, "year": year, "as_of": as_of, "rows": rows,
                                                       "labels": QuarterStatus.LABELS})


# ---------------------------------------------------------------- Word exports (ledgers)


@login_required
def export_docx(request, pk: int):
    """One meeting's record in the 三会一课记录 layout."""
    meeting = selectors.access_meeting(request.user, pk)
    from . import ledgers

    data = ledgers.export_meeting_record(actor=request.user, meeting=meeting)
    name = _("%(kind)s记录-%(unit)s-%(date)s.docx") % {
        "kind": meeting.get_kind_display(), "unit": meeting.unit.display_name,
        "date": f"{timezone.localtime(meeting.starts_at):%Y%m%d}"}
    return download(data, name, DOCX)


@login_required
def ledger(request, code: str, year: int):
    """A unit's 记录本 for a year: every held or reviewed meeting in the official layout."""
    user = request.user
    require_somewhere(user, Action.MEETINGS_VIEW)
    unit = OrgUnit.objects.visible_to(user, Action.MEETINGS_VIEW).filter(code=code).first()
    if unit is None or not 2000 <= year <= 2100:
        raise Http404
    from . import ledgers

    data = ledgers.export_unit_year(actor=user, unit=unit, year=year)
    return download(data, _("三会一课记录本-%(unit)s-%(year)s.docx") % {"unit": unit.display_name, "year": year}, DOCX)

