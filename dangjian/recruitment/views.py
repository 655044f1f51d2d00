"""Recruitment pages: the list, opening a case, a case with its 25 steps, recording a step (refused with the
rule, or saved as an exception), the committee's view, the legacy audit, and the Word/Excel documents."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.forms import add_domain_error
from dangjian.core.http import DOCX, XLSX, download, require_somewhere
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.selectors import units_visible_to
from dangjian.people.choices import PoliticalStatus
from dangjian.people.models import Person

from . import selectors, services, steps
from .checks import Params
from .choices import CaseStatus
from .forms import (
    CancelForm,
    CaseFilterForm,
    ExtendForm,
    LegacyUploadForm,
    OpenCaseForm,
    PoliticalReviewForm,
    ReviewForm,
    StepForm,
)
from .guidance import next_due
from .services import RuleViolation

PAGE_SIZE = 50


def _show(form, exc: DomainError) -> list[dict]:
    """Put a service's error beside its field; return the violations (rule, source, dates) to list them."""
    add_domain_error(form, exc)
    return list(exc.params.get("violations", [])) if isinstance(exc, RuleViolation) else []


def _exceptable(violations: list[dict]) -> bool:
    return bool(violations) and all(v["code"] not in services.NOT_EXCEPTABLE for v in violations)


# ---------------------------------------------------------------- list


@login_required
def case_list(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    form = CaseFilterForm(request.GET or None, units=units_visible_to(user, Action.RECRUITMENT_VIEW).exclude(
        kind=OrgUnitKind.GROUP))
    page = Paginator(selectors.case_list(user, **form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    params = Params.load()
    rows = _rows(list(page.object_list), params)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "recruitment/list.html", {
        "form": form, "page": page, "rows": rows, "querystring_without_page": query.urlencode() + "&" if query else "",
        "can_manage": can(user, Action.RECRUITMENT_MANAGE),
    })


def _rows(cases, params: Params) -> list[dict]:
    """Each listed case with what comes next (guidance only: the page runs no per-case queries)."""
    from django.db.models import Prefetch

    from .models import StepPerson, StepRecord

    records: dict[int, list] = {c.pk: [] for c in cases}
    for r in StepRecord.objects.filter(case_id__in=records).prefetch_related(
            Prefetch("people", queryset=StepPerson.objects.select_related("person"))).order_by("step"):
        records[r.case_id].append(r)
    rows = []
    for case in cases:
        facts = selectors.case_facts(case, records[case.pk])
        due = next_due(facts, params) if case.status == CaseStatus.OPEN else []
        rows.append({"case": case, "due": due, "overdue": any(d.overdue for d in due),
                     "near": any(d.near for d in due),
                     "excepted": any(r.exception_codes for r in records[case.pk])})
    return rows


# ---------------------------------------------------------------- open a case


def _openable_people(user):
    """People on the rosters of branches where the user may record steps, not yet full members and with no
    case in progress."""
    from .models import Case

    busy = Case.objects.filter(status=CaseStatus.OPEN).values("person_id")
    return (
        Person.objects.visible_to(user, Action.RECRUITMENT_MANAGE).current()
        .filter(unit__kind=OrgUnitKind.BRANCH)
        .exclude(political_status=PoliticalStatus.FULL_MEMBER)
        .exclude(pk__in=busy)
        .select_related("unit")
        .order_by("unit__path", "name_pinyin")
    )


@login_required
def case_open(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_MANAGE)
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else None
    form = OpenCaseForm(request.POST or None, initial=initial, people=_openable_people(user),
                        can_except=can(user, Action.RECRUITMENT_APPROVE))
    violations: list[dict] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_case(actor=user, person=d["person"], applied_on=d["date"],
                                      responsible=d["responsible"], opinion=d["opinion"],
                                      exception_reason=form.exception_reason())
        except DomainError as exc:
            violations = _show(form, exc)
        else:
            messages.success(request, _("已建立 %(name)s 的发展党员纪实。") % {"name": case.person.name})
            return redirect("recruitment:case", pk=case.pk)
    return render(request, "recruitment/open.html", {"form": form, "violations": violations,
                                                     "exceptable": _exceptable(violations),
                                                     "can_except": "exception_reason" in form.fields})


# ---------------------------------------------------------------- a case


@login_required
def case_detail(request, pk: int):
    case = selectors.access_case(request.user, pk)
    return render(request, "recruitment/case.html", selectors.case_overview(request.user, case))


def _step_people(user, case):
    return selectors.candidates_for(user, case.person.unit)


@login_required
def step_record(request, pk: int, code: str):
    user = request.user
    case = selectors.access_case(user, pk)
    if code not in steps.BY_CODE:
        raise Http404
    step = steps.get(code)
    unit = case.person.unit
    if not can(user, Action.RECRUITMENT_APPROVE if step.committee else Action.RECRUITMENT_MANAGE, unit):
        raise DjangoPermissionDenied
    if case.status != CaseStatus.OPEN:
        messages.error(request, _("该发展党员纪实已%(s)s，不能再记录。") % {"s": case.get_status_display()})
        return redirect("recruitment:case", pk=case.pk)
    record = case.steps.prefetch_related("people").filter(step=code).first()
    can_except = can(user, Action.RECRUITMENT_APPROVE, unit)
    violations: list[dict] = []
    conflict = False
    if step.has_reviews:
        form = ReviewForm(request.POST or None, can_except=can_except)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.add_review(actor=user, case=case, step=code, date=d["review_date"],
                                    opinion=d["review_opinion"], exception_reason=form.exception_reason())
            except ConcurrentEdit as exc:
                conflict = True
                add_domain_error(form, exc)
            except PermissionDenied as exc:
                form.add_error("exception_reason" if "exception_reason" in form.fields else None, exc.message)
            except DomainError as exc:
                violations = _show(form, exc)
            else:
                messages.success(request, _("已添加考察记录。"))
                return redirect("recruitment:case", pk=case.pk)
    else:
        form = StepForm(request.POST or None, step=step, record=record, people=_step_people(user, case),
                        interviewers=selectors.committee_people(unit), can_except=can_except)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_step(actor=user, case=case, step=code, **form.service_kwargs())
            except ConcurrentEdit as exc:
                conflict = True
                add_domain_error(form, exc)
            except PermissionDenied as exc:
                form.add_error("exception_reason" if "exception_reason" in form.fields else None, exc.message)
            except DomainError as exc:
                violations = _show(form, exc)
            else:
                messages.success(request, _("已记录：%(step)s。") % {"step": step.label})
                return redirect("recruitment:case", pk=case.pk)
    state = selectors.case_state(case)
    due = next((d for d in state.due if d.step == code), None)
    return render(request, "recruitment/step_form.html", {
        "case": case, "person": case.person, "step": step, "record": record, "form": form,
        "violations": violations, "conflict": conflict, "due": due, "can_except": can_except,
        "exceptable": _exceptable(violations),
        "reviews": (record.data or {}).get("reviews", []) if record and step.has_reviews else [],
    })


@login_required
def case_extend(request, pk: int):
    user = request.user
    case = selectors.access_case(user, pk)
    if not can(user, Action.RECRUITMENT_APPROVE, case.person.unit):
        raise DjangoPermissionDenied
    form = ExtendForm(request.POST or None, can_except=True)
    violations: list[dict] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.extend_probation(actor=user, case=case, decided_on=d["decided_on"], months=d["months"],
                                      reason=d["reason"], exception_reason=form.exception_reason())
        except DomainError as exc:
            violations = _show(form, exc)
        else:
            messages.success(request, _("已延长预备期。"))
            return redirect("recruitment:case", pk=case.pk)
    return render(request, "recruitment/simple_form.html", {
        "case": case, "form": form, "violations": violations, "title": _("延长预备期"),
        "exceptable": _exceptable(violations), "can_except": True,
        "intro": _("经支部大会讨论、报上级党委批准，预备期可延长半年至一年，且只能延长一次；转正讨论的最早日期随之推后。"),
    })


@login_required
def case_cancel(request, pk: int):
    user = request.user
    case = selectors.access_case(user, pk)
    if not can(user, Action.RECRUITMENT_MANAGE, case.person.unit):
        raise DjangoPermissionDenied
    form = CancelForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.cancel_case(actor=user, case=case, on=d["on"], reason=d["reason"])
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已终止该发展党员纪实。"))
            return redirect("recruitment:case", pk=case.pk)
    return render(request, "recruitment/simple_form.html", {
        "case": case, "form": form, "violations": [], "title": _("终止发展党员纪实"), "danger": True,
        "intro": _("本人撤回申请或不再继续培养时终止纪实；已批准接收的预备党员取消资格须经上级党委（组织员）办理。"
                   "人员的政治面貌恢复为申请前的状态，已有记录全部保留。"),
    })


@login_required
def political_review(request, pk: int):
    """政审材料: reading it (GET) is logged; saving it (POST) too. Needs RECRUITMENT_VIEW_REVIEW."""
    user = request.user
    case = selectors.access_case(user, pk)
    if not can(user, Action.RECRUITMENT_VIEW_REVIEW, case.person.unit):
        raise DjangoPermissionDenied
    if request.method == "POST":
        form = PoliticalReviewForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.save_political_review(actor=user, case=case, findings=d["findings"], methods=d["methods"],
                                               relatives=d["relatives"], version=d["version"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("政审材料已保存。"))
                return redirect("recruitment:political_review", pk=case.pk)
        review = None
    else:
        review = services.read_political_review(actor=user, case=case)
        initial = {"findings": review.findings, "methods": review.methods, "relatives": review.relatives,
                   "version": review.version} if review else {}
        form = PoliticalReviewForm(initial=initial)
    return render(request, "recruitment/political_review.html", {"case": case, "form": form, "review": review})


# ---------------------------------------------------------------- the committee's view


@login_required
def dashboard(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    year = _year(request)
    return render(request, "recruitment/dashboard.html", {
        "funnel": selectors.funnel(user, year=year),
        "attention": selectors.attention(user),
        "talks": selectors.activists_without_committee_talk(user),
        "talk_url": _url_or_empty("talks:create") if can(user, Action.TALKS_MANAGE) else "",
        "year": year,
        "today": today(),
    })


def _url_or_empty(name: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or today().year)
    except ValueError:
        return today().year


@login_required
def funnel_export(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    from . import documents

    year = _year(request)
    data = selectors.funnel(user, year=year)
    services.record_export(actor=user, what=f"发展党员漏斗 {year}", count=len(data["rows"]))
    return download(documents.funnel_xlsx(data, year), f"发展党员统计-{year}.xlsx", XLSX)


@login_required
def record_docx(request, pk: int):
    user = request.user
    case = selectors.access_case(user, pk)
    from . import documents

    overview = selectors.case_overview(user, case)
    data = documents.record_docx(overview)
    services.record_export(actor=user, what=f"发展党员全程纪实 {case.person.name}", count=1, unit=case.person.unit,
                           target=case)
    return download(data, f"发展党员全程纪实-{case.person.name}.docx", DOCX)


@login_required
def ledger_docx(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    from . import documents

    year = _year(request)
    rows = selectors.ledger_rows(user, year)
    services.record_export(actor=user, what=f"发展党员工作台账 {year}", count=len(rows))
    return download(documents.ledger_docx(rows, year), f"发展党员工作台账-{year}.docx", DOCX)


# ---------------------------------------------------------------- legacy audit


@login_required
def legacy_audit(request):
    user = request.user
    require_somewhere(user, Action.RECRUITMENT_VIEW)
    from . import legacy

    form = LegacyUploadForm(request.POST or None, request.FILES or None)
    report = names = None
    file_name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload.name
        try:
            cases = legacy.read_legacy(upload.read(), upload.name)
        except legacy.LegacyFileError as exc:
            form.add_error("file", exc.message)
        else:
            report = legacy.audit_cases(cases)
            names = {c.id: c.name for c in cases}
            services.record_legacy_audit(actor=user, file_name=upload.name, cases=report["summary"]["cases"],
                                         with_violations=report["summary"]["with_violations"])
    rows = []
    if report:
        rows = [{"id": c["id"], "name": names.get(c["id"], ""), "violations": c["violations"]} for c in report["cases"]]
    return render(request, "recruitment/legacy_audit.html", {
        "form": form, "report": report, "rows": rows, "file_name": file_name,
        "report_json": json.dumps(report, ensure_ascii=False, indent=2) if report else "",
    })


@login_required
def legacy_template(request):
    require_somewhere(request.user, Action.RECRUITMENT_VIEW)
    from . import legacy

    return download(legacy.legacy_template(), "发展党员档案审查模板.xlsx", XLSX)


@login_required
def legacy_sample(request):
    require_somewhere(request.user, Action.RECRUITMENT_VIEW)
    from pathlib import Path

    data = (Path(__file__).parent / "fixtures" / "legacy_sample.json").read_bytes()
    return download(data, "legacy_sample.json", "application/json")
