"""Home (one per role), the audit log, and system settings (holidays, rule values)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import calendar as workcal
from . import selectors, services
from .audit import ACTIONS
from .errors import DomainError
from .forms import StyledForm, add_domain_error
from .models import Holiday
from .permissions import Action, has_system_action
from .rules import RULES
from .scoping import can, today


@login_required
def home(request):
    user = request.user
    if user.system_role:
        return render(request, "core/home_admin.html", {})
    if can(user, Action.ORG_VIEW):
        from dangjian.organizations.selectors import dashboard

        return render(request, "core/home_leader.html", dashboard(user))
    if user.person_id:
        from dangjian.meetings.pages import member_upcoming
        from dangjian.people.selectors import my_record

        context = my_record(user)
        context["upcoming_meetings"] = member_upcoming(context["person"])
        return render(request, "core/home_member.html", context)
    return render(request, "core/home_admin.html", {"no_role": True})


class AuditFilterForm(StyledForm):
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    actor = forms.CharField(label=gettext_lazy("操作人"), required=False)
    target = forms.CharField(label=gettext_lazy("对象"), required=False)
    since = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput)
    until = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apps = sorted({a.split(".")[0] for a in ACTIONS})
        self.fields["action"].choices = [("", _("全部"))] + [(a + ".", a) for a in apps] + [
            (k, f"{v}（{k}）") for k, v in ACTIONS.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data


@login_required
def audit_log(request):
    if not has_system_action(request.user, Action.AUDIT_VIEW):
        raise DjangoPermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.audit_events_visible_to(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page})


class HolidayForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=50)
    is_workday = forms.BooleanField(label=gettext_lazy("调休上班（工作日）"), required=False)


class RuleForm(StyledForm):
    code = forms.ChoiceField(label=gettext_lazy("规则"))
    value = forms.IntegerField(label=gettext_lazy("本院取值"))
    reason = forms.CharField(label=gettext_lazy("依据"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(c, f"{r.title}（{c}）") for c, r in RULES.items() if isinstance(r.value, int)]


@login_required
def settings_page(request):
    """Holiday table (the calendar after chinese-calendar's last year) and the college's rule values."""
    if not has_system_action(request.user, Action.SETTINGS_MANAGE):
        raise DjangoPermissionDenied
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    holiday_form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    rule_form = RuleForm(request.POST if request.POST.get("form") == "rule" else None)
    if request.method == "POST":
        form = holiday_form if request.POST.get("form") == "holiday" else rule_form
        if form.is_valid():
            try:
                if form is holiday_form:
                    d = form.cleaned_data
                    services.save_holiday(actor=request.user, day=d["day"], name=d["name"], is_workday=d["is_workday"])
                else:
                    d = form.cleaned_data
                    services.override_rule(actor=request.user, code=d["code"], value=d["value"], reason=d["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(f"{request.path}?year={year}")
    return render(request, "core/settings.html", {
        "year": year,
        "holidays": selectors.holidays(year),
        "library_covers": workcal.covered_by_library(year),
        "holiday_form": holiday_form,
        "rule_form": rule_form,
        "rules": selectors.rule_table(),
    })


@login_required
@require_POST
def holiday_delete(request, pk: int):
    if not has_system_action(request.user, Action.SETTINGS_MANAGE):
        raise DjangoPermissionDenied
    holiday = get_object_or_404(Holiday, pk=pk)
    services.delete_holiday(actor=request.user, holiday=holiday)
    messages.success(request, _("已删除。"))
    return redirect("core:settings")


@login_required
@require_POST
def rule_reset(request, code: str):
    if code not in RULES:
        raise DjangoPermissionDenied
    try:
        services.reset_rule(actor=request.user, code=code)
    except DomainError:
        raise DjangoPermissionDenied
    messages.success(request, _("已恢复默认值。"))
    return redirect("core:settings")

