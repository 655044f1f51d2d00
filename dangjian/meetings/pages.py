"""Read-only helpers for the meetings pages: choices a form offers, the expected-attendee preview, the detail
page's context, the compliance page's tables and drill-down explanations, the member's upcoming meetings.

Nothing here writes. Everything the pages show about a rule (which kinds a unit holds, who is expected, how a
vote is judged, which meetings count) comes from selectors, compliance, planner and the rules registry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import rules as registry
from dangjian.core.permissions import Action
from dangjian.core.scoping import can
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.organizations.selectors import units_visible_to
from dangjian.people.models import Person

from . import checkin, compliance
from . import selectors as sel
from .choices import COUNTING_STATUSES, AttendanceStatus, MeetingKind, MeetingStatus
from .models import Attachment, Attendance, Meeting, MeetingStep

K = MeetingKind


# ---------------------------------------------------------------- choices for forms


def managed_units(user):
    """Active units where `user` may plan meetings (MEETINGS_MANAGE), in tree order."""
    return (
        units_visible_to(user, Action.MEETINGS_MANAGE).filter(dissolved_on__isnull=True)
        .select_related("parent").order_by("path")
    )


def viewable_units(user, *, groups: bool = True):
    """Units whose meetings `user` may see (MEETINGS_VIEW), in tree order."""
    qs = units_visible_to(user, Action.MEETINGS_VIEW).select_related("parent").order_by("path")
    return qs if groups else qs.exclude(kind=OrgUnitKind.GROUP)


def unit_people(unit: OrgUnit | None):
    """People a host, recorder, lecturer or vote subject is chosen from: those kept at the unit or below
    (a party group: its members), current, by pinyin."""
    if unit is None:
        return Person.objects.none()
    qs = Person.objects.current()
    if unit.kind == OrgUnitKind.GROUP:
        qs = qs.filter(Q(group=unit) | Q(unit=unit))
    else:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("name_pinyin", "pk")


def combination_choices(unit: OrgUnit, kind: str, on: date) -> list[tuple[str, str]]:
    """The kinds a sitting of `kind` at `unit` may also count for: the registry's combinations the unit can
    hold (党小组会 only where the branch has groups on that date)."""
    allowed = sel.allowed_combinations(kind)
    unit_kinds = sel.allowed_kinds(unit)
    out = []
    for k, label in K.choices:
        if k not in allowed:
            continue
        if k == K.GROUP:
            if not sel.active_groups(unit, on):
                continue
        elif k not in unit_kinds:
            continue
        out.append((k, label))
    return out


def audience_unit_choices(unit: OrgUnit):
    """Units a committee's lecture may name as its audience: the branches (and general branches) below it."""
    return (
        OrgUnit.objects.active().filter(path__startswith=unit.path,
                                        kind__in=(OrgUnitKind.BRANCH, OrgUnitKind.GENERAL_BRANCH))
        .exclude(pk=unit.pk).select_related("parent").order_by("path")
    )


@dataclass
class Preview:
    """Who would be expected at a planned sitting (the form's htmx preview)."""

    people: list = field(default_factory=list)  # [(person, can_vote)]
    voters: int = 0
    branches: list = field(default_factory=list)  # a lecture's audience branches

    @property
    def count(self) -> int:
        return len(self.people)


def expected_preview(*, unit: OrgUnit | None, kind: str, on: date | None, audience: str,
                     audience_units=()) -> Preview | None:
    """The expected attendees computed exactly as the service will (selectors.expected_attendees)."""
    if unit is None or not kind or on is None:
        return None
    try:
        people = sel.expected_attendees(unit=unit, kind=kind, on=on, audience=audience,
                                        audience_units=list(audience_units))
    except (KeyError, ValueError):
        return None
    branches = sel.audience_branches(unit, audience, list(audience_units), on) if kind == K.LECTURE else []
    return Preview(people=people, voters=sum(1 for _p, vote in people if vote), branches=branches)


# ---------------------------------------------------------------- the list


def list_rows(meetings) -> list[Meeting]:
    """The page's meetings, each with `extra_kinds` (labels of the other kinds it counts for) and
    `other_units` (how many other units it counts for: a lecture's audience). Uses the prefetched credits."""
    rows = list(meetings)
    for m in rows:
        kinds, units = [], set()
        for c in m.credits.all():
            if c.kind != m.kind and c.kind not in kinds:
                kinds.append(c.kind)
            if c.unit_id != m.unit_id and c.kind == m.kind:
                units.add(c.unit_id)
        m.extra_kinds = [K(k).label for k in K.values if k in kinds]
        m.other_units = len(units)
    return rows


# ---------------------------------------------------------------- the detail page


def can_manage(user, meeting: Meeting) -> bool:
    return can(user, Action.MEETINGS_MANAGE, meeting.unit)


def may_record_vote(user, meeting: Meeting, manage: bool | None = None) -> bool:
    """Whether to offer the vote form: a manager, a record still open, a sitting that has started and counts
    as a kind that votes (registry `meetings.vote.kinds`). The service decides; this only hides a button."""
    if not (can_manage(user, meeting) if manage is None else manage):
        return False
    if meeting.status not in sel.OPEN_STATUSES or meeting.starts_at > timezone.now():
        return False
    return any(sel.counts_as(meeting, k) for k in registry.value("meetings.vote.kinds"))


def checkin_url(request, meeting: Meeting, token: str) -> str:
    """What the QR code holds: this site's check-in page for the meeting with the rotating token."""
    return request.build_absolute_uri(f"{reverse('meetings:checkin', args=[meeting.pk])}?t={token}")


def checkin_panel(request, meeting: Meeting) -> dict[str, Any]:
    """The manager's QR panel: the current token's QR code (inline SVG), when it rotates, when scanning is
    open."""
    now = timezone.now()
    conf = checkin.settings_in_force()
    token = checkin.checkin_token(meeting, now)
    url = checkin_url(request, meeting, token)
    opens, closes = checkin.checkin_period(meeting, conf)
    return {
        "meeting": meeting, "qr_svg": checkin.qr_svg(url), "qr_url": url, "expires_at": checkin.token_expires_at(now),
        "opens_at": opens, "closes_at": closes, "is_open": opens <= now <= closes, "before_open": now < opens, "closed": now > closes,
        "window_seconds": conf.window_seconds,
    }


def step_label(transition: str) -> str:
    """A timeline entry's label: the workflow's transition labels, plus planning and importing."""
    from .services import MEETING_WORKFLOW

    labels = {"schedule": _("安排会议"), "import": _("补录历史会议")}
    labels.update({t.name: str(t.label) for t in MEETING_WORKFLOW.transitions})
    return labels.get(transition, transition)


def detail_context(user, meeting: Meeting) -> dict[str, Any]:
    """Everything the record page shows, in a fixed number of queries."""
    manage = can_manage(user, meeting)
    attendance = list(sel.attendance_of(meeting))
    votes = [{"vote": v, "result": sel.vote_result(v)} for v in sel.votes_of(meeting)]
    transitions = sel.available_transitions(user, meeting)
    open_record = meeting.status in sel.OPEN_STATUSES
    return {
        "meeting": meeting,
        "credits": sel.credits_of(meeting),
        "also_counts_as": [K(k).label for k in sel.also_counts_as(meeting)],
        "agenda": list(meeting.agenda.order_by("order", "id")),
        "audience_units": list(meeting.audience_units.order_by("path")) if meeting.kind == K.LECTURE else [],
        "summary": sel.attendance_summary(meeting),
        "expected_rows": [a for a in attendance if not a.is_observer],
        "observer_rows": [a for a in attendance if a.is_observer],
        "votes": votes,
        "attachments": list(Attachment.objects.filter(meeting=meeting).order_by("kind", "id")),
        "steps": [{"step": s, "label": step_label(s.transition)} for s in
                  MeetingStep.objects.filter(meeting=meeting).select_related("actor__person").order_by("at", "id")],
        "transitions": transitions,
        "record_transition": next((t for t in transitions if t.name in ("record", "resubmit")), None),
        "review_transitions": [t for t in transitions if t.name in ("review", "return")],
        "cancel_transition": next((t for t in transitions if t.name == "cancel"), None),
        "can_manage": manage,
        "can_edit": manage and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.RETURNED),
        "can_mark": manage and open_record,
        "can_upload": manage and meeting.status not in (MeetingStatus.CANCELLED, MeetingStatus.REVIEWED),
        "can_vote": may_record_vote(user, meeting, manage),
        "show_checkin": manage and open_record,
        "counts": meeting.status in COUNTING_STATUSES,
    }


def mark_person_choices(user, meeting: Meeting, rows) -> list:
    """The 手工登记 form's people: everyone on the list, then the people the viewer may see (as 列席)."""
    listed = [(a.person_id, a.person.name + (_("（列席）") if a.is_observer else "")) for a in rows]
    listed_ids = {pid for pid, _n in listed}
    others = (
        Person.objects.visible_to(user, Action.PEOPLE_VIEW).current().exclude(pk__in=listed_ids)
        .order_by("name_pinyin", "pk").values_list("pk", "name")
    )
    return [("", _("请选择人员")), (_("应到人员"), listed), (_("其他人员（登记为列席）"), list(others))]


def attendance_rows(meeting: Meeting):
    """The expected rows (not observers) of a meeting, by name, for the record form."""
    return [a for a in sel.attendance_of(meeting) if not a.is_observer]


def default_mark(row) -> str:
    """What the record form proposes for a person not yet marked: present (the secretary corrects absences)."""
    return AttendanceStatus.PRESENT if row.status == AttendanceStatus.EXPECTED else row.status


def vote_rules() -> list[dict[str, Any]]:
    """The registry's vote rules (votes, elections, written opinions), cited on the vote form."""
    codes = [*sel.vote_rule_codes("admission"), *sel.vote_rule_codes("election"),
             "meetings.vote.written_opinion_subjects"]
    return [{"code": c, "title": registry.get_rule(c).title, "source": registry.get_rule(c).source} for c in codes]


def vote_voters(meeting: Meeting):
    """The full members expected (the vote's eligible voters before exclusions), by name."""
    return [a for a in sel.attendance_of(meeting) if not a.is_observer and a.can_vote]


# ---------------------------------------------------------------- the member's home page


def member_upcoming(person: Person, days: int = 30) -> list[dict[str, Any]]:
    """The member's planned meetings in the coming `days` days, each with whether check-in is open now."""
    meetings = sel.upcoming_for(person, days)
    if not meetings:
        return []
    conf = checkin.settings_in_force()
    now = timezone.now()
    present = set(Attendance.objects.filter(person=person, meeting__in=meetings, status=AttendanceStatus.PRESENT)
                  .values_list("meeting_id", flat=True))
    return [{"meeting": m, "checkin_open": checkin.is_open(m, now, conf), "present": m.pk in present}
            for m in meetings]


# ---------------------------------------------------------------- compliance page


STATUS_CLASSES = {
    compliance.Status.MET: "met",
    compliance.Status.MISSED: "missed",
    compliance.Status.DUE: "due",
    compliance.Status.UPCOMING: "upcoming",
    compliance.Status.NOT_REQUIRED: "not-required",
}


def status_legend() -> list[dict[str, Any]]:
    return [{"status": s, "label": compliance.Status.LABELS[s], "css": STATUS_CLASSES[s]}
            for s in (compliance.Status.MET, compliance.Status.DUE, compliance.Status.MISSED,
                      compliance.Status.UPCOMING, compliance.Status.NOT_REQUIRED)]


def unit_labels(codes: list[str]) -> dict[str, str]:
    """Code → a label that tells party groups apart ('教工第一党支部 / 第一党小组'). One query."""
    units = OrgUnit.objects.filter(code__in=codes).select_related("parent")
    out = {}
    for u in units:
        out[u.code] = f"{u.parent.display_name} / {u.name}" if u.kind == OrgUnitKind.GROUP and u.parent_id else u.name
    return out


def compliance_page(report: dict, *, as_of: date) -> dict[str, Any]:
    """The heat map's data and, per unit, a table of kinds × periods laid out on twelve month columns
    (a quarter spans three, a year twelve). Pure over the report apart from one query for labels."""
    codes = [u["code"] for u in report["units"]]
    labels = unit_labels(codes)
    heat = compliance.heatmap(report)
    base = reverse("meetings:compliance_cell", args=["__unit__", "__period__"])
    heat.update({
        "labels": [labels.get(c, c) for c in heat["units"]],
        "status_labels": {s: str(compliance.Status.LABELS[s]) for s in compliance.Status.ALL},
        "month_labels": [_("%(m)d月") % {"m": m} for m in range(1, 13)],
        "cell_url": base, "as_of": as_of.isoformat(), "year": report["year"],
    })
    # Several hundred cells: their links and labels are made here, not by template tags (the page's budget).
    status_labels = {s: str(label) for s, label in compliance.Status.LABELS.items()}
    kind_labels = {k: str(label) for k, label in K.choices}
    spans: dict[str, int] = {}
    tables = []
    for u in report["units"]:
        unit_base = base.replace("__unit__", u["code"])
        by_kind: dict[str, list[dict]] = defaultdict(list)
        for r in u["requirements"]:
            by_kind[r["kind"]].append(r)
        rows = []
        for kind, reqs in by_kind.items():
            cells = []
            for r in reqs:
                if r["period"] not in spans:
                    p = compliance.period_from_label(r["period"])
                    spans[r["period"]] = p.end.month - p.start.month + 1
                cells.append({**r, "span": spans[r["period"]], "css": STATUS_CLASSES[r["status"]],
                              "status_label": status_labels[r["status"]],
                              "url": f"{unit_base.replace('__period__', r['period'])}?kind={kind}&as_of={as_of}"})
            rows.append({"kind": kind, "kind_label": kind_labels.get(kind, kind), "cells": cells})
        counts = compliance.summary({"units": [u]})
        tables.append({"code": u["code"], "name": labels.get(u["code"], u["name"]), "rows": rows,
                       "missed": counts["missed"], "due": counts["due"]})
    summary = compliance.summary(report)
    legend = [{**item, "count": summary[item["status"]]} for item in status_legend()]
    return {"heatmap": heat, "tables": tables, "summary": summary, "legend": legend}


def _requirement(unit: OrgUnit, kind: str) -> compliance.Requirement | None:
    return next((r for r in compliance.requirements_for(unit.kind) if r.kind == kind), None)


def requirement_rule(unit: OrgUnit, kind: str) -> dict[str, Any] | None:
    """The registry rule behind (unit kind, meeting kind): code, title, source, value."""
    req = _requirement(unit, kind)
    if req is None or req.rule not in registry.RULES:
        return None
    rule = registry.get_rule(req.rule)
    return {"code": rule.code, "title": rule.title, "source": rule.source, "tag": rule.tag,
            "value": compliance.frequencies()[req.rule]}


def explain(unit: OrgUnit, row: dict, as_of: date) -> str:
    """Why a requirement period has its status, in one sentence."""
    period = compliance.period_from_label(row["period"])
    required, held = row["required"], row["held"]
    status = row["status"]
    S = compliance.Status
    if status == S.NOT_REQUIRED:
        req = _requirement(unit, row["kind"])
        if not compliance.alive_in(unit, period):
            return _("%(unit)s在本期尚未成立或已撤销。") % {"unit": unit.name}
        if req and req.condition == "has_committee":
            return _("%(unit)s未设支部委员会，不要求召开支委会。") % {"unit": unit.name}
        if req and req.condition == "groups":
            return _("%(unit)s本期没有党小组，不要求召开党小组会。") % {"unit": unit.name}
        return _("本期不作要求。")
    if status == S.UPCOMING:
        return _("本期自 %(start)s 开始，尚未到期。") % {"start": period.start.isoformat()}
    prefix = ""
    req = _requirement(unit, row["kind"])
    if req and req.condition == "groups":
        prefix = _("各党小组分别计算，每个党小组每期都须召开。")
    return prefix + _explain_counts(status, period, required, held, as_of)


def _explain_counts(status: str, period, required: int, held: int, as_of: date) -> str:
    S = compliance.Status
    if status == S.MET:
        return _("本期应开 %(required)d 次，已开 %(held)d 次，已完成。") % {"required": required, "held": held}
    if status == S.MISSED:
        return _("本期已于 %(end)s 结束，应开 %(required)d 次，只开了 %(held)d 次，还差 %(n)d 次。") % {
            "end": period.end.isoformat(), "required": required, "held": held, "n": required - held}
    return _("本期到 %(end)s 结束（截至 %(as_of)s），应开 %(required)d 次，已开 %(held)d 次，还需召开 %(n)d 次。") % {
        "end": period.end.isoformat(), "as_of": as_of.isoformat(), "required": required, "held": held,
        "n": required - held}


def why_not_counted(meeting: Meeting, as_of: date) -> str:
    """Empty when the meeting counts; otherwise why not (only held or reviewed sittings count)."""
    if meeting.status in COUNTING_STATUSES:
        return ""
    if meeting.status == MeetingStatus.RETURNED:
        return _("记录被退回修改，重新提交前不计入。")
    if meeting.status == MeetingStatus.PLANNED:
        return _("尚未记录召开情况，不计入。")
    return _("%(status)s，不计入。") % {"status": meeting.get_status_display()}


def cell_rows(user, unit: OrgUnit, report_unit: dict, *, period_label: str, kind: str, as_of: date) -> list[dict]:
    """The drill-down of one heat-map cell or table cell: the requirement periods of `unit` that cover it
    (for a month: every requirement whose period contains the month, the ones ending that month first), each
    with the rule, why it has its status, and the meetings credited to it. One query per requirement shown."""
    target = compliance.period_from_label(period_label)
    rows = []
    for r in report_unit["requirements"]:
        p = compliance.period_from_label(r["period"])
        if kind and r["kind"] != kind:
            continue
        if kind and p.kind == target.kind:
            if p != target:
                continue
        elif not (p.start <= target.start and target.end <= p.end):
            continue
        rows.append((p.end != target.end, compliance.PERIOD_KINDS.index(p.kind), r, p))
    rows.sort(key=lambda x: (x[0], x[1]))
    out = []
    for _ends_later, _order, r, p in rows:
        meetings = list(compliance.requirement_meetings(user, unit=unit, kind=r["kind"], period_label=r["period"],
                                                        as_of=as_of))
        out.append({
            **r, "kind_label": K(r["kind"]).label if r["kind"] in K.values else r["kind"],
            "css": STATUS_CLASSES[r["status"]], "status_label": compliance.Status.LABELS[r["status"]],
            "rule": requirement_rule(unit, r["kind"]), "why": explain(unit, r, as_of),
            "meetings": [{"meeting": m, "not_counted": why_not_counted(m, as_of)} for m in meetings],
            "start": p.start, "end": p.end,
        })
    return out


# ---------------------------------------------------------------- planner and load


def actual_load(unit: OrgUnit, year: int) -> list[dict[str, Any]]:
    """Each person of the unit with the meetings they were expected at and the hours, per month (from
    attendance, planner.meeting_load). Two queries."""
    from .planner import meeting_load

    load = meeting_load(year=year, unit=unit)
    people = {p.pk: p for p in Person.objects.filter(pk__in=list(load))}
    rows = [{"person": people[pid], "months": months, "meetings": sum(m[0] for m in months),
             "hours": round(sum(m[1] for m in months), 1)} for pid, months in load.items() if pid in people]
    return sorted(rows, key=lambda r: (-r["meetings"], r["person"].name_pinyin))


def month_bounds(year: int | None, month: int | None) -> tuple[date | None, date | None]:
    """The first and last day of the list filter's year (and month)."""
    if not year:
        return None, None
    if not month:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last
