"""Forms of the meetings pages. They parse input and offer only sensible choices; the services validate and write.

Service errors name the form field they belong beside (`field=`); fields such as `attendance` and `exclusions`
exist as hidden fields so those errors can be shown above the part of the form they concern.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.core.scoping import today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.forms import UnitLabelField
from dangjian.people.models import Person

from . import pages
from . import selectors as sel
from .choices import (
    AttachmentKind,
    AttendanceStatus,
    AudienceSegment,
    ExclusionReason,
    MeetingKind,
    MeetingStatus,
    VoteSubject,
)

K = MeetingKind
MARK_CHOICES = [(s.value, s.label) for s in (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class PersonField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("（未指定）"))
        super().__init__(*args, queryset=Person.objects.none(), **kwargs)


def aware(day: date, moment: time | None) -> datetime | None:
    if moment is None:
        return None
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


# ---------------------------------------------------------------- list


class MeetingFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))
    kind = forms.ChoiceField(label=_("会议类型"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("月份"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", _("全部类型"))] + list(K.choices)
        self.fields["status"].choices = [("", _("全部状态"))] + list(MeetingStatus.choices)
        self.fields["month"].choices = [("", _("全年"))] + [(m, _("%(m)d月") % {"m": m}) for m in range(1, 13)]
        self.fields["q"].widget.attrs.update({"placeholder": _("会议主题或地点"), "type": "search",
                                              "autocomplete": "off"})
        self.fields["year"].widget.attrs.update({"placeholder": _("全部年度")})

    def filters(self) -> dict:
        """Keyword arguments for selectors.meeting_list (none when the input does not validate)."""
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        year = d["year"] or (today().year if d["month"] else None)
        starts_from, starts_to = pages.month_bounds(year, d["month"])
        return {"q": d["q"].strip(), "unit": d["unit"], "kind": d["kind"], "status": d["status"],
                "starts_from": starts_from, "starts_to": starts_to}


# ---------------------------------------------------------------- plan / edit


def _raw(form: forms.Form, name: str):
    source = form.data if form.is_bound else form.initial
    if hasattr(source, "getlist") and name in ("also_counts_as", "audience_units"):
        return source.getlist(name)
    value = source.get(name)
    return value.pk if hasattr(value, "pk") else value


class MeetingForm(StyledForm):
    """Plan or change a meeting. The choices follow the chosen unit, kind and date (the page re-renders the form
    through htmx when they change): kinds the unit may hold, combinations the registry allows, people of the
    unit, and — for a lecture — its audience."""

    unit = UnitLabelField(label=_("召开会议的党组织"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("会议类型"))
    also_counts_as = forms.MultipleChoiceField(label=_("同时计为"), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    topic = forms.CharField(label=_("会议主题"), max_length=200)
    day = forms.DateField(label=_("日期"), widget=forms.DateInput)
    starts_at = forms.TimeField(label=_("开始时间"), widget=TimeInput)
    ends_at = forms.TimeField(label=_("结束时间"), required=False, widget=TimeInput)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    host = PersonField(label=_("主持人"))
    recorder = PersonField(label=_("记录人"))
    lecturer = PersonField(label=_("授课人"))
    lecturer_name = forms.CharField(label=_("授课人（院外）"), max_length=60, required=False,
                                    help_text=_("授课人不在本院名单中时填写姓名和单位。"))
    audience = forms.ChoiceField(label=_("听课对象"), choices=AudienceSegment.choices)
    audience_units = forms.ModelMultipleChoiceField(label=_("指定党组织"), queryset=None, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    agenda = forms.CharField(label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("每行一个议题。"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Fields whose change re-renders the form (choices and the expected-attendee preview depend on them).
    REFRESH = ("unit", "kind", "day", "audience", "audience_units")
    LECTURE_ONLY = ("lecturer", "lecturer_name", "audience", "audience_units")

    def __init__(self, *args, units, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        unit = self._current_unit(units)
        self.current_unit = unit
        kinds = sel.allowed_kinds(unit) if unit else []
        self.fields["kind"].choices = [(k, K(k).label) for k in kinds]
        kind = _raw(self, "kind")
        kind = kind if kind in kinds else (kinds[0] if kinds else "")
        self.current_kind = kind
        self.current_day = self._current_day()
        self.fields["also_counts_as"].choices = pages.combination_choices(unit, kind, self.current_day) if unit else []
        if not self.fields["also_counts_as"].choices:
            del self.fields["also_counts_as"]
        people = pages.unit_people(unit)
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].queryset = people
        if kind == K.LECTURE and unit is not None:
            segments = [AudienceSegment.UNIT, AudienceSegment.CHOSEN] if unit.kind != OrgUnitKind.BRANCH else [
                AudienceSegment.UNIT]
            if unit.kind in (OrgUnitKind.COMMITTEE, OrgUnitKind.GENERAL_BRANCH):
                segments = [AudienceSegment.UNIT, AudienceSegment.COLLEGE, AudienceSegment.FACULTY,
                            AudienceSegment.STUDENT, AudienceSegment.CHOSEN]
            self.fields["audience"].choices = [(s.value, s.label) for s in segments]
            self.fields["audience_units"].queryset = pages.audience_unit_choices(unit)
            if _raw(self, "audience") != AudienceSegment.CHOSEN:
                del self.fields["audience_units"]
        else:
            for name in self.LECTURE_ONLY:
                del self.fields[name]
        for name in self.REFRESH:
            if name in self.fields and refresh_url:
                self.fields[name].widget.attrs.update({
                    "hx-get": refresh_url, "hx-trigger": "change", "hx-target": "#meeting-form-body",
                    "hx-include": "#meeting-form", "hx-swap": "outerHTML", "data-refresh": "1",
                    "hx-params": "not csrfmiddlewaretoken",  # keep the token out of GET URLs and logs
                })
        if not self.is_bound:
            self.initial.setdefault("unit", unit.pk if unit else None)
            self.initial["kind"] = kind

    def _current_unit(self, units):
        raw = _raw(self, "unit")
        unit = None
        if raw not in (None, ""):
            try:
                unit = units.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                unit = None
        return unit or units.first()

    def _current_day(self) -> date:
        raw = _raw(self, "day")
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except (TypeError, ValueError):
            return today()

    def clean(self):
        d = super().clean()
        day = d.get("day")
        if day and d.get("starts_at"):
            d["starts"] = aware(day, d["starts_at"])
            d["ends"] = aware(day, d.get("ends_at"))
        return d

    def preview(self):
        """Who would be expected, as the service will compute it."""
        audience = _raw(self, "audience") if self.current_kind == K.LECTURE else AudienceSegment.UNIT
        audience = audience if audience in AudienceSegment.values else AudienceSegment.UNIT
        chosen = []
        if audience == AudienceSegment.CHOSEN and "audience_units" in self.fields:
            ids = [v for v in (_raw(self, "audience_units") or []) if str(v).isdigit()]
            chosen = list(self.fields["audience_units"].queryset.filter(pk__in=ids))
        return pages.expected_preview(unit=self.current_unit, kind=self.current_kind, on=self.current_day,
                                      audience=audience, audience_units=chosen)

    def service_fields(self) -> dict:
        """Keyword arguments for services.schedule_meeting / update_meeting."""
        d = self.cleaned_data
        lecture = d["kind"] == K.LECTURE
        agenda = [line.strip() for line in (d.get("agenda") or "").splitlines() if line.strip()]
        return {
            "unit": d["unit"], "kind": d["kind"], "topic": d["topic"], "starts_at": d["starts"],
            "ends_at": d["ends"], "place": d["place"], "host": d["host"], "recorder": d["recorder"],
            "lecturer": d.get("lecturer") if lecture else None,
            "lecturer_name": d.get("lecturer_name", "") if lecture else "",
            "audience": d.get("audience") or AudienceSegment.UNIT if lecture else AudienceSegment.UNIT,
            "audience_units": list(d.get("audience_units") or []) if lecture else [],
            "also_counts_as": list(d.get("also_counts_as") or []), "agenda": agenda, "note": d["note"],
        }

    @staticmethod
    def initial_for(meeting, also: list[str]) -> dict:
        start = timezone.localtime(meeting.starts_at)
        return {
            "unit": meeting.unit_id, "kind": meeting.kind, "also_counts_as": also, "topic": meeting.topic,
            "day": start.date(), "starts_at": start.time().replace(second=0, microsecond=0),
            "ends_at": timezone.localtime(meeting.ends_at).time().replace(second=0, microsecond=0)
            if meeting.ends_at else None,
            "place": meeting.place, "host": meeting.host_id, "recorder": meeting.recorder_id,
            "lecturer": meeting.lecturer_id, "lecturer_name": meeting.lecturer_name, "audience": meeting.audience,
            "audience_units": [u.pk for u in meeting.audience_units.all()],
            "agenda": "\n".join(meeting.agenda.order_by("order", "id").values_list("title", flat=True)),
            "note": meeting.note, "version": meeting.version,
        }


# ---------------------------------------------------------------- record, vote, attendance


class RecordForm(StyledForm):
    """Minutes, resolutions and everyone's attendance in one form (services.record_meeting)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                              help_text=_("发言要点、讨论情况等。"))
    resolutions = forms.CharField(label=_("决议"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attendance = forms.CharField(required=False, widget=forms.HiddenInput)  # errors about the attendance table

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            status = forms.ChoiceField(label=row.person.name, choices=MARK_CHOICES,
                                       initial=pages.default_mark(row))
            status.widget.attrs.update({"class": "form-select form-select-sm", "data-mark-status": row.person_id})
            reason = forms.CharField(label=_("原因"), required=False, max_length=200, initial=row.reason)
            reason.widget.attrs.update({"class": "form-control form-control-sm", "data-mark-reason": row.person_id,
                                        "placeholder": _("请假或缺席原因")})
            self.fields[f"status_{row.person_id}"] = status
            self.fields[f"reason_{row.person_id}"] = reason

    def table(self):
        return [{"row": r, "status": self[f"status_{r.person_id}"], "reason": self[f"reason_{r.person_id}"]}
                for r in self.rows]

    def marks(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {r.person_id: (d[f"status_{r.person_id}"], d[f"reason_{r.person_id}"]) for r in self.rows}


class VoteForm(StyledForm):
    """A vote at a 支部党员大会 (services.record_vote). Eligible and present default to the attendance."""

    subject = forms.ChoiceField(label=_("表决事项"), choices=VoteSubject.choices)
    title = forms.CharField(label=_("事项说明"), max_length=200)
    subject_person = PersonField(label=_("涉及人员"))
    in_favour = forms.IntegerField(label=_("赞成"), min_value=0)
    against = forms.IntegerField(required=False, label=_("反对"), min_value=0, initial=0)
    abstaining = forms.IntegerField(required=False, label=_("弃权"), min_value=0, initial=0)
    written_in_favour = forms.IntegerField(required=False, label=_("书面意见赞成"), min_value=0, initial=0)
    written_total = forms.IntegerField(label=_("书面意见人数"), min_value=0, initial=0, required=False,
                                       help_text=_("接收预备党员、预备党员转正时，因故不能到会的正式党员提交的书面意见。"))
    eligible = forms.IntegerField(label=_("应到会有表决权人数"), min_value=0, required=False)
    present = forms.IntegerField(label=_("实到会有表决权人数"), min_value=0, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    exclusions = forms.CharField(required=False, widget=forms.HiddenInput)  # errors about the exclusions

    def __init__(self, *args, voters, people, eligible: int, present: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = voters
        self.fields["subject_person"].queryset = people
        self.fields["eligible"].help_text = _("留空则按应到名单中的正式党员计算（%(n)d 人，减去下方不计入的人员）。") % {
            "n": eligible}
        self.fields["present"].help_text = _("留空则按已登记出席的正式党员计算（%(n)d 人，减去下方不计入的人员）。") % {
            "n": present}
        self.fields["eligible"].widget.attrs.update({"placeholder": eligible, "data-default": eligible})
        self.fields["present"].widget.attrs.update({"placeholder": present, "data-default": present})
        for a in voters:
            f = forms.ChoiceField(label=a.person.name, required=False,
                                  choices=[("", _("计入"))] + list(ExclusionReason.choices))
            f.widget.attrs.update({"class": "form-select form-select-sm", "data-exclusion": a.person_id,
                                   "data-present": "1" if a.status == AttendanceStatus.PRESENT else "0"})
            self.fields[f"exclude_{a.person_id}"] = f

    def exclusion_table(self):
        return [{"row": a, "field": self[f"exclude_{a.person_id}"]} for a in self.voters]

    def service_fields(self) -> dict:
        d = self.cleaned_data
        exclusions = [(a.person_id, d[f"exclude_{a.person_id}"]) for a in self.voters if d.get(f"exclude_{a.person_id}")]
        return {
            "subject": d["subject"], "title": d["title"], "subject_person": d["subject_person"],
            "in_favour": d["in_favour"], "against": d["against"] or 0, "abstaining": d["abstaining"] or 0,
            "written_in_favour": d["written_in_favour"] or 0, "written_total": d["written_total"] or 0,
            "eligible": d["eligible"], "present": d["present"], "exclusions": exclusions, "note": d["note"],
        }


class MarkForm(StyledForm):
    """手工登记: mark one person present, excused (with a reason) or absent; someone not on the list as 列席."""

    person = forms.TypedChoiceField(label=_("人员"), coerce=int)
    status = forms.ChoiceField(label=_("出席情况"), choices=MARK_CHOICES, initial=AttendanceStatus.PRESENT)
    reason = forms.CharField(label=_("请假或缺席原因"), max_length=200, required=False)
    is_observer = forms.BooleanField(label=_("列席（不在应到名单中）"), required=False)

    def __init__(self, *args, person_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = person_choices


class AttachmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、docx、xlsx、JPG 或 PNG。"))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


# ---------------------------------------------------------------- reports


class YearForm(StyledForm):
    """Year and as-of date of a report (compliance, dual organisational life)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    as_of = forms.DateField(label=_("截至日期"), widget=forms.DateInput, required=False)
    unit = UnitLabelField(label=_("党组织"), queryset=None, required=False, empty_label=_("全部党组织"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units

    def values(self) -> tuple[int, date, object]:
        """(year, as_of, unit): today's year and date unless valid values were given."""
        now = today()
        year, as_of, unit = now.year, now, None
        if self.is_bound and self.is_valid():
            d = self.cleaned_data
            year = d["year"]
            as_of = d["as_of"] or (now if year == now.year else date(year, 12, 31) if year < now.year else
                                   date(year, 1, 1))
            unit = d.get("unit")
        return year, as_of, unit


class PlannerForm(StyledForm):
    unit = UnitLabelField(label=_("党组织"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
