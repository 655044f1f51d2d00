"""Forms for the organisation pages. They parse and check input; every write goes through services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import ServiceModelForm, StyledForm, add_domain_error
from dangjian.core.permissions import Role
from dangjian.core.scoping import today

from .choices import OrgUnitKind, RestructureKind
from .models import OrgUnit
from .services import ALLOWED_PARENTS

UNIT_FORM_FIELDS = [
    "code", "name", "short_name", "kind", "category", "is_joint", "sort_order", "established_on",
    "dissolved_on", "has_committee", "term_started_on", "term_years",
]

# The posts that make sense on each kind of unit (the service accepts any; the form offers the sensible ones).
ROLES_BY_KIND = {
    OrgUnitKind.COMMITTEE: [
        Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.ORGANISER, Role.COMMITTEE_MEMBER,
        Role.PARTY_AFFAIRS, Role.DEAN, Role.VICE_DEAN, Role.INSPECTOR,
    ],
    OrgUnitKind.GENERAL_BRANCH: [
        Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.COMMITTEE_MEMBER, Role.PARTY_AFFAIRS, Role.INSPECTOR,
    ],
    OrgUnitKind.BRANCH: [Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY, Role.BRANCH_COMMITTEE_MEMBER, Role.INSPECTOR],
    OrgUnitKind.GROUP: [Role.GROUP_LEADER],
}


class UnitLabelField(forms.ModelChoiceField):
    """A unit select whose options read '教工第一党支部 / 第一党小组' for groups."""

    def label_from_instance(self, obj):
        if obj.kind == OrgUnitKind.GROUP and obj.parent_id:
            return f"{obj.parent.display_name} / {obj.name}"
        return obj.name


# Service error codes that carry no `field` param, and the field they belong beside.
ERROR_FIELDS = {
    "duplicate_code": "code",
    "date_order": "dissolved_on",
    "bad_term": "term_years",
    "bad_value": "has_committee",
    "secretary_exists": "role",
    "not_group": "group",
    "duplicate_group_name": "rename_to",
    "same_branch": "target",
    "not_branch": "target",
    "dissolved": "target",
    "future_date": "effective_on",
    "bad_people": "people",
    "required": "reason",
}


def show_error(form, exc) -> None:
    """add_domain_error, placing errors whose service gives no field beside the field they concern."""
    params = getattr(exc, "params", None) or {}
    if "field" not in params and ERROR_FIELDS.get(exc.code) in form.fields:
        exc.params = {**params, "field": ERROR_FIELDS[exc.code]}
    add_domain_error(form, exc)


class UnitForm(ServiceModelForm):
    """Create or edit a unit. `version` comes back with the edit so a concurrent save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OrgUnit
        fields = UNIT_FORM_FIELDS
        widgets = {
            "established_on": forms.DateInput,
            "dissolved_on": forms.DateInput,
            "term_started_on": forms.DateInput,
        }

    def __init__(self, *args, parent: OrgUnit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_years"].help_text = _("党支部委员会每届任期一般为3年。")
        self.fields["sort_order"].required = False
        if parent is None:
            # Editing: the kind is fixed once people hang from the unit; moving units is a restructure.
            del self.fields["kind"]
        else:
            del self.fields["dissolved_on"]
            allowed = [k for k, parents in ALLOWED_PARENTS.items() if parent.kind in parents]
            self.fields["kind"].choices = [(k, label) for k, label in OrgUnitKind.choices if k in allowed]

    def service_fields(self) -> dict:
        data = {f: self.cleaned_data[f] for f in UNIT_FORM_FIELDS if f in self.cleaned_data}
        data["category"] = data.get("category") or ""
        data["sort_order"] = data.get("sort_order") or 0
        return data


class RoleAssignForm(StyledForm):
    """Appoint someone: type the 工号/学号, or pick one of the unit's people."""

    staff_no = forms.CharField(label=_("工号/学号"), required=False, max_length=30)
    person = forms.ModelChoiceField(
        label=_("或从本组织人员中选择"), queryset=None, required=False, empty_label=_("请选择人员")
    )
    role = forms.ChoiceField(label=_("职务"))
    starts_on = forms.DateField(label=_("任职日期"), widget=forms.DateInput)
    is_dual_leader = forms.BooleanField(label=_("双带头人（教师党支部书记）"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, unit: OrgUnit, unit_people, visible_people, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", today())
        super().__init__(*args, **kwargs)
        self.visible_people = visible_people
        self.fields["person"].queryset = unit_people
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.staff_no}）" if p.staff_no else p.name
        roles = ROLES_BY_KIND.get(unit.kind, list(Role))
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        if unit.kind != OrgUnitKind.BRANCH:
            del self.fields["is_dual_leader"]

    def clean(self):
        data = super().clean()
        staff_no = (data.get("staff_no") or "").strip()
        if staff_no:
            found = self.visible_people.filter(staff_no__iexact=staff_no).first()
            if found is None:
                self.add_error("staff_no", _("在您可查看的人员中找不到工号/学号“%(no)s”。") % {"no": staff_no})
            else:
                data["person"] = found
        elif not data.get("person"):
            self.add_error("staff_no", _("请填写工号/学号，或从列表中选择人员。"))
        return data


class RoleEndForm(StyledForm):
    ends_on = forms.DateField(label=_("免职日期"), widget=forms.DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ends_on", today())
        super().__init__(*args, **kwargs)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        parts = [obj.name, obj.get_political_status_display()]
        if obj.group_id:
            parts.append(obj.group.name)
        return " · ".join(str(p) for p in parts)


class RestructureForm(StyledForm):
    """One form for the three restructures. `source` is the group's branch for move_group."""

    lenient = False

    kind = forms.ChoiceField(label=_("调整类型"), choices=RestructureKind.choices, widget=forms.RadioSelect)
    group = UnitLabelField(label=_("党小组"), queryset=None, required=False, empty_label=_("请选择党小组"))
    source = UnitLabelField(label=_("原支部"), queryset=None, required=False, empty_label=_("请选择原支部"))
    target = UnitLabelField(label=_("目标支部"), queryset=None, empty_label=_("请选择目标支部"))
    people = PeopleChoiceField(
        label=_("调整的人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("拆分支部时，勾选转入目标支部的人员。"),
    )
    rename_to = forms.CharField(
        label=_("调入后党小组名称"), max_length=100, required=False,
        help_text=_("目标支部已有同名党小组时必填，例如“第三党小组”；不填则沿用原名称。"),
    )
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput)
    reason = forms.CharField(label=_("调整原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, branches, groups, source_people, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_on", today())
        kwargs["initial"].setdefault("kind", RestructureKind.MOVE_GROUP)
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["source"].queryset = branches
        self.fields["target"].queryset = branches
        self.fields["people"].queryset = source_people
        self.fields["reason"].required = True

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == RestructureKind.MOVE_GROUP:
            group = data.get("group")
            if group is None:
                if "group" not in self.errors:
                    self.add_error("group", _("请选择要调整的党小组。"))
            else:
                data["source"] = group.parent
        elif kind in (RestructureKind.MERGE, RestructureKind.SPLIT):
            if data.get("source") is None and "source" not in self.errors:
                self.add_error("source", _("请选择原支部。"))
            if kind == RestructureKind.SPLIT and not data.get("people") and not self.lenient:
                self.add_error("people", _("请选择要调整的人员。"))
        source, target = data.get("source"), data.get("target")
        if source is not None and target is not None and source.pk == target.pk:
            self.add_error("target", _("原支部和目标支部不能相同。"))
        return data


class RestructurePreviewForm(RestructureForm):
    """The same fields, read leniently: the preview shows what it can while the user is still typing."""

    lenient = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reason", "effective_on"):
            self.fields[name].required = False
