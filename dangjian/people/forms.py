"""Forms for the roster pages. They parse and check input; every write goes through services or the importer."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ServiceModelForm, StyledForm, add_domain_error
from dangjian.core.scoping import today
from dangjian.organizations.forms import UnitLabelField

from .choices import PersonCategory, PoliticalStatus, TransferKind
from .models import Person
from .services import PERSON_FIELDS


def show_error(form, exc, rename: dict[str, str] | None = None) -> None:
    """add_domain_error, with the service's field names mapped to this form's (e.g. unit → to_unit)."""
    params = getattr(exc, "params", None) or {}
    field = params.get("field")
    if rename and field in rename:
        exc.params = {**params, "field": rename[field]}
    add_domain_error(form, exc)


def grouped_group_choices(groups) -> list:
    """Party groups as an optgroup per branch: [("", "—"), ("教工第一党支部", [(id, "第一党小组"), …]), …]."""
    by_branch: dict[str, list] = {}
    for g in groups:
        by_branch.setdefault(g.parent.name, []).append((g.pk, g.name))
    return [("", _("（不编入党小组）"))] + list(by_branch.items())


class GroupField(forms.ModelChoiceField):
    """A party-group select grouped by branch; the service checks the group belongs to the chosen branch."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, queryset=None, **kwargs)

    def set_groups(self, groups) -> None:
        groups = groups.select_related("parent").order_by("path")
        self.queryset = groups
        self.choices = grouped_group_choices(groups)


class RosterFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))
    status = forms.ChoiceField(label=_("政治面貌"), required=False)
    category = forms.ChoiceField(label=_("人员类别"), required=False)
    include_left = forms.BooleanField(label=_("包括已转出人员"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("parent").order_by("path")
        self.fields["status"].choices = [("", _("全部政治面貌"))] + list(PoliticalStatus.choices)
        self.fields["category"].choices = [("", _("全部人员类别"))] + list(PersonCategory.choices)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("姓名、拼音首字母（如 zs）、工号/学号"), "type": "search", "autocomplete": "off"}
        )

    def filters(self) -> dict:
        """Keyword arguments for people.selectors.roster (empty filters when the input does not validate)."""
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d["q"].strip(),
            "unit": d["unit"],
            "status": d["status"],
            "category": d["category"],
            "include_left": d["include_left"],
        }


class PersonForm(ServiceModelForm):
    """A person's record. The ID number is written only when typed (blank keeps the stored one)."""

    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Put the ID number after the birth date, as on the import template.
        order = list(self.fields)
        order.remove("id_number")
        order.insert(order.index("birth_date") + 1, "id_number")
        self.order_fields(order)
        instance = self.instance
        if instance is not None and instance.pk and instance.id_number_masked:
            self.fields["id_number"].help_text = _("已登记：%(masked)s。留空则保持不变。") % {
                "masked": instance.id_number_masked
            }
        self.fields["note"].widget = forms.Textarea(attrs={"rows": 2, "class": "form-control"})

    def person_fields(self) -> dict:
        d = self.cleaned_data
        data = {f: d[f] for f in PERSON_FIELDS if f in d}
        for f in ("education", "native_place", "affiliation", "phone", "email", "staff_no", "note"):
            if f in data and data[f] is None:
                data[f] = ""
        return data

    def id_number_value(self) -> str | None:
        """None (keep the stored number) when left blank."""
        value = (self.cleaned_data.get("id_number") or "").strip()
        return value or None


class PersonCreateForm(PersonForm):
    unit = UnitLabelField(label=_("所在党组织"), queryset=None, empty_label=_("请选择党组织"))
    group = GroupField(label=_("所在党小组"))

    def __init__(self, *args, units, groups, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["unit"].queryset = units
        self.fields["unit"].help_text = _("党员须编入党支部；不在支部的人员（如入党申请人）可放在党委。")
        self.fields["group"].set_groups(groups)
        order = ["unit", "group"] + [f for f in self.fields if f not in ("unit", "group")]
        self.order_fields(order)


class DeleteForm(StyledForm):
    reason = forms.CharField(label=_("删除原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(StyledForm):
    """院内调整 (to a branch and group) or 转出本院 (receiving organisation and letter number)."""

    KINDS = [(TransferKind.WITHIN.value, TransferKind.WITHIN.label), (TransferKind.OUT.value, TransferKind.OUT.label)]

    kind = forms.ChoiceField(label=_("转接类型"), choices=KINDS, widget=forms.RadioSelect)
    transferred_on = forms.DateField(label=_("转接日期"), widget=forms.DateInput)
    to_unit = UnitLabelField(label=_("转入党支部"), queryset=None, required=False, empty_label=_("请选择党支部"))
    to_group = GroupField(label=_("转入党小组"))
    external_org = forms.CharField(label=_("接收党组织"), required=False, max_length=150)
    letter_no = forms.CharField(label=_("介绍信编号"), required=False, max_length=60)
    reason = forms.CharField(label=_("原因"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, branches, groups, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("transferred_on", today())
        kwargs["initial"].setdefault("kind", TransferKind.WITHIN)
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = branches
        self.fields["to_group"].set_groups(groups)

    def clean(self):
        data = super().clean()
        if data.get("kind") == TransferKind.WITHIN:
            if not data.get("to_unit") and "to_unit" not in self.errors:
                self.add_error("to_unit", _("请选择转入的党支部。"))
        elif data.get("kind") == TransferKind.OUT:
            for name, message in (("external_org", _("请填写接收党组织。")), ("letter_no", _("请填写介绍信编号。"))):
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
        return data


class TransferInForm(PersonForm):
    """转入本院: the new person's record, the sending organisation and letter, and where they go."""

    to_unit = UnitLabelField(label=_("转入党支部"), queryset=None, empty_label=_("请选择党支部"))
    to_group = GroupField(label=_("转入党小组"))
    transferred_on = forms.DateField(label=_("转入日期"), widget=forms.DateInput)
    external_org = forms.CharField(label=_("转出党组织"), max_length=150)
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=60)
    reason = forms.CharField(label=_("转接说明"), required=False, max_length=300)

    TRANSFER_FIELDS = ["external_org", "letter_no", "transferred_on", "to_unit", "to_group", "reason"]

    def __init__(self, *args, branches, groups, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("transferred_on", today())
        kwargs["initial"].setdefault("political_status", PoliticalStatus.FULL_MEMBER)
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        del self.fields["party_standing"]
        self.fields["to_unit"].queryset = branches
        self.fields["to_group"].set_groups(groups)
        self.order_fields(self.TRANSFER_FIELDS + [f for f in self.fields if f not in self.TRANSFER_FIELDS])

    def person_fields(self) -> dict:
        data = super().person_fields()
        data.pop("party_standing", None)
        return data


class ImportUploadForm(StyledForm):
    file = forms.FileField(label=_("花名册文件（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），上限为 %(limit).1f MB。")
                % {"size": f.size / 1024 / 1024, "limit": limit / 1024 / 1024}
            )
        if not (f.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel 文件（.xlsx）。旧版 .xls 请先用 Excel 另存为 .xlsx。"))
        return f
