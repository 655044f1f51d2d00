"""Forms of the recruitment pages. They parse input; the services check the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.core.scoping import today
from dangjian.organizations.forms import UnitLabelField

from . import steps
from .choices import CaseStatus, RecommendationMode, ReviewConclusion, Stage


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(name)s（%(unit)s，%(status)s）") % {
            "name": obj.name, "unit": obj.unit.display_name, "status": obj.get_political_status_display()}


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(name)s（%(unit)s）") % {"name": obj.name, "unit": obj.unit.display_name}


class CaseFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))
    stage = forms.TypedChoiceField(label=_("阶段"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("parent").order_by("path")
        self.fields["stage"].choices = [("", _("全部阶段"))] + list(Stage.choices)
        self.fields["status"].choices = [("", _("全部状态"))] + list(CaseStatus.choices)
        self.fields["q"].widget.attrs.update({"placeholder": _("姓名、拼音首字母、工号/学号"), "type": "search"})

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"status": CaseStatus.OPEN}
        d = self.cleaned_data
        return {"q": d["q"], "unit": d["unit"], "stage": d["stage"], "status": d["status"]}


def restyle(form) -> None:
    """Tabler classes for fields added after StyledForm.__init__ (the same choice core.forms makes)."""
    for field in form.fields.values():
        widget = field.widget
        if "class" in widget.attrs:
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


class ExceptionMixin:
    """Adds the exception reason for those who may record one (RECRUITMENT_APPROVE)."""

    def add_exception_field(self, allowed: bool) -> None:
        if allowed:
            self.fields["exception_reason"] = forms.CharField(
                label=_("例外说明（仅在规则不允许时填写）"), required=False, max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("如确有正当理由需要突破规则，请写明理由和依据；保存后作为例外记入纪实和审计日志。"),
            )
        restyle(self)

    def exception_reason(self) -> str:
        return (self.cleaned_data.get("exception_reason") or "").strip()


class OpenCaseForm(ExceptionMixin, StyledForm):
    person = PersonField(label=_("申请人"), queryset=None, empty_label=_("请选择人员"))
    date = forms.DateField(label=_("递交入党申请书日期"), widget=forms.DateInput)
    responsible = forms.CharField(label=_("接收人"), required=False, max_length=100)
    opinion = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people, can_except: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].help_text = _("本支部花名册中尚未入党、也没有进行中纪实的人员。不在名单中的请先在花名册中新增。")
        self.add_exception_field(can_except)


DATE_LABELS = {"S11": _("培训开始日期")}


class StepForm(ExceptionMixin, StyledForm):
    """One step's record. The fields depend on the step (steps.Step.extra)."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput)
    responsible = forms.CharField(label=_("责任人"), required=False, max_length=100)
    documents = forms.CharField(label=_("材料（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step: steps.Step, record=None, people=None, interviewers=None,
                 can_except: bool = False, **kwargs):
        self.step = step
        initial = kwargs.setdefault("initial", {})
        if record is not None:
            initial.update(self.initial_from(record))
        else:
            initial.setdefault("documents", "\n".join(str(d) for d in step.documents))
        super().__init__(*args, **kwargs)
        self.fields["date"].label = DATE_LABELS.get(step.code, _("日期"))
        self.fields["date"].initial = initial.get("date") or today()
        extra = step.extra
        if steps.INTERVIEWER in extra:
            self.fields["interviewer"] = PersonField(label=_("谈话人"), queryset=interviewers if step.code == "S16"
                                                     else people, empty_label=_("请选择谈话人"))
            if step.code == "S16":
                self.fields["interviewer"].help_text = _("党委委员或组织员（发展党员工作细则 第23条）")
        if steps.MODE in extra:
            self.fields["mode"] = forms.ChoiceField(label=_("推荐方式"), choices=RecommendationMode.choices,
                                                    widget=forms.RadioSelect)
        if steps.MENTORS in extra:
            self.fields["mentors"] = PeopleField(label=_("培养联系人"), queryset=people,
                                                 help_text=_("一至两名正式党员"))
        if steps.SPONSORS in extra:
            self.fields["sponsors"] = PeopleField(label=_("入党介绍人"), queryset=people,
                                                  help_text=_("两名正式党员；受留党察看处分未恢复权利者不能担任"))
        if steps.CONCLUSION in extra:
            self.fields["conclusion"] = forms.ChoiceField(label=_("政审结论"), choices=ReviewConclusion.choices,
                                                          widget=forms.RadioSelect)
        if steps.TRAINING in extra:
            self.fields["end"] = forms.DateField(label=_("培训结束日期"), widget=forms.DateInput)
            self.fields["hours"] = forms.DecimalField(label=_("学时"), required=False, min_value=0, max_digits=6,
                                                      decimal_places=1)
        if steps.NOTICE in extra:
            self.fields["notice_start"] = forms.DateField(label=_("公示开始日期"), required=False,
                                                          widget=forms.DateInput)
            self.fields["notice_end"] = forms.DateField(label=_("公示结束日期"), required=False,
                                                        widget=forms.DateInput,
                                                        help_text=_("公示不少于规定的工作日数（按节假日安排计算）"))
        if steps.VOTE in extra:
            for name, label, required in (
                ("eligible", _("应到会有表决权的正式党员"), True), ("present", _("实到会有表决权的正式党员"), True),
                ("in_favour", _("赞成"), True), ("against", _("反对"), False), ("abstaining", _("弃权"), False),
                ("written_in_favour", _("会前书面表示赞成（未到会）"), False),
            ):
                # Required unless the counts are read from the meeting's recorded vote (clean()).
                self.fields[name] = forms.IntegerField(label=label, min_value=0, required=False)
                self.fields[name].needed_without_meeting = required
            self.fields["meeting_id"] = forms.IntegerField(
                label=_("支部大会会议记录编号（可选）"), required=False, min_value=1,
                help_text=_("填写后，日期和票数按该会议记录中对本人的表决读取，无需重复填写"))
        if steps.SPECIAL in extra:
            self.fields["special_extension"] = forms.BooleanField(
                label=_("特殊情况，审批期限延长至6个月"), required=False)
        for name in ("mentors", "sponsors"):
            if name in self.fields:
                self.fields[name].widget.attrs["size"] = 6
        self.add_exception_field(can_except)

    @staticmethod
    def initial_from(record) -> dict[str, Any]:
        data = dict(record.data or {})
        initial: dict[str, Any] = {
            "date": record.date, "responsible": record.responsible, "opinion": record.opinion,
            "version": record.version, "documents": "\n".join(record.documents or []),
            "meeting_id": record.meeting_id,
        }
        initial.update({k: v for k, v in data.items() if k != "reviews"})
        people = {}
        for sp in record.people.all():
            people.setdefault(sp.role, []).append(sp.person_id)
        initial["mentors"] = people.get("mentor", [])
        initial["sponsors"] = people.get("sponsor", [])
        if people.get("interviewer"):
            initial["interviewer"] = people["interviewer"][0]
        return initial

    def clean(self):
        data = super().clean()
        if "meeting_id" in self.fields and not data.get("meeting_id"):
            for name, field in self.fields.items():
                if getattr(field, "needed_without_meeting", False) and data.get(name) is None:
                    self.add_error(name, _("请填写票数，或填写支部大会会议记录编号以读取表决结果。"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        documents = [line.strip() for line in (d.get("documents") or "").splitlines() if line.strip()]
        data = {}
        for name in ("mode", "conclusion", "end", "notice_start", "notice_end", "eligible", "present", "in_favour",
                     "against", "abstaining", "written_in_favour", "special_extension"):
            if name in self.fields:
                value = d.get(name)
                data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if "hours" in self.fields:
            data["hours"] = float(d["hours"]) if d.get("hours") is not None else None
        return {
            "date": d["date"], "responsible": d.get("responsible") or "", "documents": documents,
            "opinion": d.get("opinion") or "", "data": data,
            "mentors": list(d.get("mentors") or []) if "mentors" in self.fields else None,
            "sponsors": list(d.get("sponsors") or []) if "sponsors" in self.fields else None,
            "interviewer": d.get("interviewer"), "meeting_id": d.get("meeting_id"),
            "version": d.get("version"), "exception_reason": self.exception_reason(),
        }


class ReviewForm(ExceptionMixin, StyledForm):
    """One more review of an activist (S06) or a probationary member (S21)."""

    review_date = forms.DateField(label=_("考察日期"), widget=forms.DateInput)
    review_opinion = forms.CharField(label=_("考察意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, can_except: bool = False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("review_date", today())
        super().__init__(*args, **kwargs)
        self.add_exception_field(can_except)


class ExtendForm(ExceptionMixin, StyledForm):
    decided_on = forms.DateField(label=_("支部大会决定日期"), widget=forms.DateInput)
    months = forms.IntegerField(label=_("延长（月）"), min_value=1, max_value=24, initial=6,
                                help_text=_("延长时间不能少于半年，最长不超过一年"))
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, can_except: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_exception_field(can_except)


class CancelForm(StyledForm):
    on = forms.DateField(label=_("终止日期"), widget=forms.DateInput)
    reason = forms.CharField(label=_("终止原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("例如：本人撤回申请；经支部大会讨论并报上级党委批准，取消预备党员资格"))


class PoliticalReviewForm(StyledForm):
    methods = forms.CharField(label=_("审查方式"), required=False, max_length=200,
                              help_text=_("谈话、查阅档案、函调、外调等"))
    findings = forms.CharField(label=_("审查情况"), widget=forms.Textarea(attrs={"rows": 5}))
    relatives = forms.CharField(label=_("直系亲属及主要社会关系情况"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LegacyUploadForm(StyledForm):
    file = forms.FileField(label=_("档案文件（.json 或 .xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".json,.xlsx"

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(_("文件过大（%(size).1f MB），上限为 %(limit).1f MB。")
                                        % {"size": f.size / 1024 / 1024, "limit": limit / 1024 / 1024})
        if not (f.name or "").lower().endswith((".json", ".xlsx")):
            raise forms.ValidationError(_("请上传 .json 或 .xlsx 文件。"))
        return f

