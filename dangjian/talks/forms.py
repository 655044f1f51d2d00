"""Forms for the talk pages. They parse input; the services validate (one rule, one place) and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.core.scoping import today
from dangjian.organizations.forms import UnitLabelField

from .choices import TalkKind


class PersonField(forms.ModelChoiceField):
    """A person select grouped by unit, each option '姓名（工号）'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=None, **kwargs)

    def label_from_instance(self, obj):
        return gettext("%(name)s（%(no)s）") % {"name": obj.name, "no": obj.staff_no} if obj.staff_no else obj.name

    def set_people(self, people) -> None:
        self.queryset = people
        groups: dict[str, list] = {}
        for p in people:
            groups.setdefault(p.unit.name, []).append((p.pk, self.label_from_instance(p)))
        self.choices = [("", self.empty_label)] + list(groups.items())


def year_choices(first: str) -> list[tuple[str, str]]:
    this = today().year
    return [("", first)] + [(str(y), _("%(y)d年") % {"y": y}) for y in range(this, this - 6, -1)]


class TalkForm(StyledForm):
    """A talk record. When the editor may not read the contents (`contents_locked`), the two text fields start
    empty and an empty field keeps the stored text; the service refuses a change of contents anyway."""

    kind = forms.ChoiceField(label=_("谈话类型"), choices=TalkKind.choices)
    held_on = forms.DateField(label=_("谈话日期"), widget=forms.DateInput)
    place = forms.CharField(label=_("谈话地点"), max_length=100)
    initiator = PersonField(label=_("谈话人"), empty_label=_("请选择谈话人"))
    counterpart = PersonField(label=_("谈话对象"), empty_label=_("请选择谈话对象"))
    summary = forms.CharField(label=_("谈话主要内容"), required=False, widget=forms.Textarea(attrs={"rows": 7}))
    follow_up = forms.CharField(label=_("需跟进事项"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, initiators, counterparts, contents_locked: bool = False, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("held_on", today())
        kwargs["initial"].setdefault("kind", TalkKind.HEART_TO_HEART)
        super().__init__(*args, **kwargs)
        self.contents_locked = contents_locked
        self.fields["initiator"].set_people(initiators)
        self.fields["counterpart"].set_people(counterparts)
        self.fields["counterpart"].help_text = _("谈话记录归入谈话对象所在的党组织。")
        self.fields["summary"].help_text = _("内容保密：只有谈话双方、院党委书记和经授权的查阅人可以查看，每次查看都会记录。")
        self.fields["place"].widget.attrs["placeholder"] = _("如：党员活动室")
        if contents_locked:
            locked = _("您没有查阅谈话内容的权限，内容不显示；留空则保持原内容不变。")
            self.fields["summary"].help_text = locked
            self.fields["follow_up"].help_text = locked

    def talk_fields(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("kind", "held_on", "place", "initiator", "counterpart")}

    def contents(self) -> dict:
        """summary / follow_up for the service: None (keep) for an empty field when the contents are locked."""
        d = self.cleaned_data
        if self.contents_locked:
            return {"summary": d["summary"] or None, "follow_up": d["follow_up"] or None}
        return {"summary": d["summary"], "follow_up": d["follow_up"]}


class TalkFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))
    kind = forms.ChoiceField(label=_("谈话类型"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(_("全部年度"))
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", _("全部类型"))] + list(TalkKind.choices)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("谈话人或谈话对象：姓名、拼音首字母"), "type": "search", "autocomplete": "off"}
        )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d["q"], "year": d["year"], "unit": d["unit"], "kind": d["kind"]}


class YearUnitForm(StyledForm):
    """The year and unit of the coverage and plan pages (GET), and of generating plans (POST)."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))

    def __init__(self, *args, units, unit_required: bool = False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", today().year)
        super().__init__(*args, **kwargs)
        this = today().year
        years = range(this + 1, this - 6, -1) if unit_required else range(this, this - 6, -1)
        self.fields["year"].choices = [(y, _("%(y)d年") % {"y": y}) for y in years]
        self.fields["unit"].queryset = units
        self.fields["unit"].required = unit_required
        self.fields["year"].required = unit_required
        if unit_required:
            self.fields["unit"].empty_label = _("请选择党组织")

    def values(self) -> tuple[int, object]:
        """(year, unit) of a valid form, else (this year, None)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"] or today().year, self.cleaned_data["unit"]
        return today().year, None


class DeleteForm(StyledForm):
    reason = forms.CharField(label=_("删除原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
