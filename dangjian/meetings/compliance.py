"""Compliance of organisational life (issue 3 §7): for every unit, requirement and period — met, missed, due,
upcoming or not required.

Which requirements apply to which unit is the table REQUIREMENTS below (docs/meetings.md explains each row);
how often is the rules registry (`meetings.frequency.<kind>`: {"period": month|quarter|half|year, "count": n}).
Only meetings whose status is in COUNTING_STATUSES count, through their MeetingCredit rows (a combined sitting
counts once for each kind it is credited with; a lecture for every branch of its audience).

Counting is one SQL aggregation — credits grouped by unit, kind and month — whatever the number of units;
periods are then folded in Python from the twelve monthly counts. `as_of` decides which periods are past
(met / missed), current (met / due) and future (upcoming), and only meetings held on or before `as_of` count,
so a report "as of" a past day shows what was known that day.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import rules
from dangjian.core.audit import record
from dangjian.core.periods import Period, period_of, periods_in_year
from dangjian.core.permissions import Action
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit

from .choices import COUNTING_STATUSES, MeetingKind, MeetingStatus
from .models import Meeting, MeetingCredit

K = MeetingKind


class Status:
    """The five values of a requirement's `status` in the compliance JSON."""

    MET = "met"
    MISSED = "missed"
    DUE = "due"
    UPCOMING = "upcoming"
    NOT_REQUIRED = "not_required"

    ALL = (MET, MISSED, DUE, UPCOMING, NOT_REQUIRED)
    LABELS = {
        MET: gettext_lazy("已完成"),
        MISSED: gettext_lazy("未完成"),
        DUE: gettext_lazy("待完成"),
        UPCOMING: gettext_lazy("未到期"),
        NOT_REQUIRED: gettext_lazy("不适用"),
    }
    # Worst first: a heat-map cell shows the worst status of the requirements whose period covers the month.
    SEVERITY = {MISSED: 4, DUE: 3, MET: 2, UPCOMING: 1, NOT_REQUIRED: 0}


@dataclass(frozen=True)
class Requirement:
    """One kind of meeting a kind of unit must hold, how often (a rule code), and when it applies.

    `condition`: None — always; "has_committee" — only a branch with a branch committee;
    "groups" — a roll-up over the branch's party groups (required = number of groups alive in the period ×
    count; held = Σ per group of min(held, count)); a branch without a group has nothing to roll up.
    """

    unit_kind: str
    kind: str
    rule: str
    condition: str | None = None


# The requirements, in the order the JSON lists them (RULES.md §1, §5). docs/meetings.md mirrors this table.
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(OrgUnitKind.BRANCH, K.BRANCH_GENERAL, "meetings.frequency.branch_general"),
    Requirement(OrgUnitKind.BRANCH, K.BRANCH_COMMITTEE, "meetings.frequency.branch_committee", "has_committee"),
    Requirement(OrgUnitKind.BRANCH, K.GROUP, "meetings.frequency.group", "groups"),
    Requirement(OrgUnitKind.BRANCH, K.LECTURE, "meetings.frequency.lecture"),
    Requirement(OrgUnitKind.BRANCH, K.THEME_DAY, "meetings.frequency.theme_day"),
    Requirement(OrgUnitKind.BRANCH, K.ORG_LIFE, "meetings.frequency.org_life"),
    Requirement(OrgUnitKind.BRANCH, K.MEMBER_APPRAISAL, "meetings.frequency.member_appraisal"),
    Requirement(OrgUnitKind.GROUP, K.GROUP, "meetings.frequency.group"),
    Requirement(OrgUnitKind.COMMITTEE, K.COMMITTEE, "meetings.frequency.committee"),
    Requirement(OrgUnitKind.COMMITTEE, K.JOINT, "meetings.frequency.joint"),
    # 党委书记每年至少讲1次党课: the college-wide lecture, held by the committee (a count per year).
    Requirement(OrgUnitKind.COMMITTEE, K.LECTURE, "meetings.lecture.secretary_per_year"),
    Requirement(OrgUnitKind.COMMITTEE, K.LEADERSHIP_LIFE, "meetings.frequency.leadership_life"),
)

# RULES.md §1 and §5 values, used only while a code is not in the registry (meetings/rules.py owns them).
FALLBACK_FREQUENCIES: dict[str, dict[str, Any]] = {
    "meetings.frequency.branch_general": {"period": "quarter", "count": 1},
    "meetings.frequency.branch_committee": {"period": "month", "count": 1},
    "meetings.frequency.group": {"period": "month", "count": 1},
    "meetings.frequency.lecture": {"period": "quarter", "count": 1},
    "meetings.frequency.theme_day": {"period": "month", "count": 1},
    "meetings.frequency.org_life": {"period": "year", "count": 1},
    "meetings.frequency.member_appraisal": {"period": "year", "count": 1},
    "meetings.frequency.committee": {"period": "month", "count": 1},
    "meetings.frequency.joint": {"period": "month", "count": 2},
    "meetings.lecture.secretary_per_year": {"period": "year", "count": 1},
    "meetings.frequency.leadership_life": {"period": "year", "count": 1},
}

PERIOD_KINDS = ("month", "quarter", "half", "year")


def frequencies() -> dict[str, dict[str, Any]]:
    """Rule code → {"period", "count"} in force (one query), falling back to RULES.md for unregistered codes
    (and for a value of the wrong shape, so a bad override cannot break the report)."""
    codes = sorted({r.rule for r in REQUIREMENTS})
    registered = [c for c in codes if c in rules.RULES]
    found = rules.values(*registered) if registered else {}
    out = {}
    for code in codes:
        value = found.get(code, FALLBACK_FREQUENCIES.get(code))
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"period": "year", "count": value}  # a count per year (meetings.lecture.secretary_per_year)
        if not isinstance(value, dict) or value.get("period") not in PERIOD_KINDS:
            value = FALLBACK_FREQUENCIES[code]
        out[code] = {"period": value["period"], "count": int(value.get("count", 1))}
    return out


def requirements_for(unit_kind: str) -> list[Requirement]:
    return [r for r in REQUIREMENTS if r.unit_kind == unit_kind]


# ---------------------------------------------------------------- pure parts


def alive_in(unit: OrgUnit, period: Period) -> bool:
    """Whether the unit existed on some day of the period (a unit dissolved on D is gone from D on)."""
    if unit.established_on and unit.established_on > period.end:
        return False
    return not (unit.dissolved_on and unit.dissolved_on <= period.start)


def status_of(*, period: Period, required: int, held: int, as_of: date) -> str:
    """met / missed / due / upcoming for a required period (not_required is decided before)."""
    if period.start > as_of:
        return Status.UPCOMING
    if held >= required:
        return Status.MET
    return Status.MISSED if period.end < as_of else Status.DUE


def fold(monthly: list[int], period: Period) -> int:
    """The meetings of a period from the year's twelve monthly counts."""
    return sum(monthly[m - 1] for m in range(period.start.month, period.end.month + 1))


def period_from_label(label: str) -> Period:
    """'2026-03' | '2026-Q1' | '2026-H2' | '2026' → Period. ValueError for anything else."""
    text = (label or "").strip()
    try:
        if len(text) == 4:
            return period_of(date(int(text), 1, 1), "year")
        year, rest = int(text[:4]), text[5:]
        if text[4] != "-":
            raise ValueError(label)
        if rest[:1] == "Q" and rest[1:] in ("1", "2", "3", "4"):
            return period_of(date(year, 3 * int(rest[1:]) - 2, 1), "quarter")
        if rest[:1] == "H" and rest[1:] in ("1", "2"):
            return period_of(date(year, 1 if rest[1:] == "1" else 7, 1), "half")
        if rest.isdigit() and len(rest) == 2 and 1 <= int(rest) <= 12:
            return period_of(date(year, int(rest), 1), "month")
    except (ValueError, IndexError):
        pass
    raise ValueError(label)


def local_days(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware datetimes [start, end) covering the local days first … last."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz)
    return start, max(start, end)


def year_until(year: int, as_of: date) -> tuple[datetime, datetime]:
    """Aware datetimes [start, end) of the year's days up to as_of (meetings held on or before as_of)."""
    return local_days(date(year, 1, 1), min(date(year, 12, 31), as_of))


# ---------------------------------------------------------------- SQL


def monthly_counts(unit_ids_q, year: int, as_of: date) -> dict[tuple[int, str], list[int]]:
    """(unit id, kind) → twelve monthly counts of counting meetings credited to the unit. One query.

    `unit_ids_q` is a queryset of unit pks (a subquery, so the size of the college does not matter).
    """
    start, end = year_until(year, as_of)
    rows = (
        MeetingCredit.objects.filter(
            unit__in=unit_ids_q,
            meeting__status__in=COUNTING_STATUSES,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .annotate(month=ExtractMonth("meeting__starts_at"))
        .values("unit_id", "kind", "month")
        .annotate(n=Count("meeting_id", distinct=True))
        .order_by()
    )
    out: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 12)
    for row in rows:
        out[(row["unit_id"], row["kind"])][row["month"] - 1] += row["n"]
    return out


def _load_units(units_qs, year: int) -> tuple[list[OrgUnit], dict[int, list[OrgUnit]]]:
    """The listed units alive in the year, in tree order, and the party groups of each listed branch."""
    from dangjian.organizations.selectors import tree_order

    first, last = date(year, 1, 1), date(year, 12, 31)
    alive = (Q(established_on__isnull=True) | Q(established_on__lte=last)) & (
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first)
    )
    listed = list(units_qs.filter(alive).order_by("path"))
    listed = [u for u, _level in tree_order(listed)]
    branch_ids = [u.pk for u in listed if u.kind == OrgUnitKind.BRANCH]
    groups: dict[int, list[OrgUnit]] = defaultdict(list)
    if branch_ids:
        qs = OrgUnit.objects.filter(alive, kind=OrgUnitKind.GROUP, parent__in=units_qs.filter(kind=OrgUnitKind.BRANCH)
                                    .values("pk"))
        for g in qs.order_by("path"):
            groups[g.parent_id].append(g)
    return listed, groups


# ---------------------------------------------------------------- the report


def compliance(*, year: int, as_of: date, units_qs) -> dict:
    """The compliance JSON for the units of `units_qs` (already scoped by the caller), in tree order.

    `{"year", "as_of", "units": [{"code", "name", "requirements": [{"kind", "period", "required", "held",
    "status"}]}]}`. A constant number of queries (four) whatever the number of units and meetings.
    """
    freq = frequencies()
    listed, groups = _load_units(units_qs, year)
    if not listed:
        return {"year": year, "as_of": as_of.isoformat(), "units": []}
    ids_q = OrgUnit.objects.filter(
        Q(pk__in=units_qs.values("pk"))
        | Q(kind=OrgUnitKind.GROUP, parent__in=units_qs.filter(kind=OrgUnitKind.BRANCH).values("pk"))
    ).values("pk")
    counts = monthly_counts(ids_q, year, as_of)
    zero = [0] * 12
    units_out = []
    for unit in listed:
        rows = []
        for req in requirements_for(unit.kind):
            f = freq[req.rule]
            for period in periods_in_year(year, f["period"]):
                rows.append(_row(unit, req, period, f["count"], counts, groups.get(unit.pk, []), as_of, zero))
        units_out.append({"code": unit.code, "name": unit.name, "requirements": rows})
    return {"year": year, "as_of": as_of.isoformat(), "units": units_out}


def _held(counts, unit: OrgUnit, kind: str, period: Period, zero) -> int:
    """Counting meetings credited to (unit, kind) in the period. (A branch sitting that also counts as
    党小组会 is credited to each of the branch's groups by the services.)"""
    return fold(counts.get((unit.pk, kind), zero), period)


def _row(unit, req: Requirement, period: Period, count: int, counts, groups, as_of: date, zero) -> dict:
    kind = req.kind
    if req.condition == "groups":
        alive = [g for g in groups if alive_in(g, period)]
        held_each = [_held(counts, g, kind, period, zero) for g in alive]
        if not alive_in(unit, period) or not alive:
            return _out(kind, period, 0, _held(counts, unit, kind, period, zero), Status.NOT_REQUIRED)
        required = count * len(alive)
        held = sum(min(h, count) for h in held_each)
        return _out(kind, period, required, held, status_of(period=period, required=required, held=held, as_of=as_of))
    held = _held(counts, unit, kind, period, zero)
    if not alive_in(unit, period) or (req.condition == "has_committee" and not unit.has_committee):
        return _out(kind, period, 0, held, Status.NOT_REQUIRED)
    return _out(kind, period, count, held, status_of(period=period, required=count, held=held, as_of=as_of))


def _out(kind: str, period: Period, required: int, held: int, status: str) -> dict:
    return {"kind": kind, "period": period.label, "required": required, "held": held, "status": status}


def compliance_for(user, year: int, as_of: date, unit: OrgUnit | None = None) -> dict:
    """The report as `user` may see it (MEETINGS_VIEW): their units, or `unit` and every unit below it."""
    qs = OrgUnit.objects.visible_to(user, Action.MEETINGS_VIEW)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    return compliance(year=year, as_of=as_of, units_qs=qs)


def units_below(code: str | None):
    """The command line's units: every unit, or the unit with `code` and every unit below it (None if unknown)."""
    if not code:
        return OrgUnit.objects.all()
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return None
    return OrgUnit.objects.filter(path__startswith=unit.path)


# ---------------------------------------------------------------- views of the report


def summary(report: dict) -> dict[str, int]:
    """How many requirement periods have each status."""
    out = dict.fromkeys(Status.ALL, 0)
    for u in report["units"]:
        for r in u["requirements"]:
            out[r["status"]] += 1
    return out


def month_status(requirements: list[dict], year: int) -> list[str]:
    """Twelve cells for one unit: each month the worst status of the requirements whose period *ends* that
    month — a monthly requirement in its month, a quarter's in its third month, a yearly one in December —
    so a cell shows what was (or is) due by the end of that month, and a yearly requirement in progress does
    not paint the whole year."""
    cells = [Status.NOT_REQUIRED] * 12
    for r in requirements:
        p = period_from_label(r["period"])
        if p.end.year != year:
            continue
        m = p.end.month
        if Status.SEVERITY[r["status"]] > Status.SEVERITY[cells[m - 1]]:
            cells[m - 1] = r["status"]
    return cells


def heatmap(report: dict) -> dict:
    """Units × months for the ECharts heat map: `{"units": [code…], "names": [...], "months": ["01"…],
    "cells": [[month index, unit index, severity, status]…]}` (pure; json_script-ready)."""
    year = report["year"]
    units, names, cells = [], [], []
    for y, u in enumerate(report["units"]):
        units.append(u["code"])
        names.append(u["name"])
        for x, status in enumerate(month_status(u["requirements"], year)):
            cells.append([x, y, Status.SEVERITY[status], status])
    return {"units": units, "names": names, "months": [f"{m:02d}" for m in range(1, 13)], "cells": cells}


def requirement_meetings(user, *, unit: OrgUnit, kind: str, period_label: str, as_of: date | None = None):
    """Drill-down of one heat-map cell: the meetings credited to (unit, kind) in the period, any status but
    cancelled, so a page can show why a returned or planned one does not count. Scoped by MEETINGS_VIEW.

    For a branch's 党小组会 roll-up, the meetings credited to its party groups.
    """
    period = period_from_label(period_label)
    start, end = local_days(period.start, min(period.end, as_of) if as_of else period.end)
    units = Q(credits__unit=unit)
    if kind == K.GROUP and unit.kind == OrgUnitKind.BRANCH:
        units = Q(credits__unit__parent=unit, credits__unit__kind=OrgUnitKind.GROUP)
    from .selectors import meetings_visible_to

    ids = Meeting.objects.filter(units, credits__kind=kind, starts_at__gte=start, starts_at__lt=end).values("pk")
    return (
        meetings_visible_to(user, Action.MEETINGS_VIEW)
        .filter(pk__in=ids)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("unit")
        .order_by("starts_at", "id")
    )


# ---------------------------------------------------------------- text and Excel


def kind_label(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def status_label(status: str) -> str:
    return str(Status.LABELS[status])


def as_text(report: dict) -> str:
    """A plain-text report: per unit, per kind, each period as `period 状态 held/required`."""
    lines = [_("%(year)d 年组织生活合规情况（截至 %(as_of)s）") % {"year": report["year"], "as_of": report["as_of"]}]
    for u in report["units"]:
        lines.append("")
        lines.append(f"{u['code']} {u['name']}")
        by_kind: dict[str, list[dict]] = {}
        for r in u["requirements"]:
            by_kind.setdefault(r["kind"], []).append(r)
        for kind, rows in by_kind.items():
            cells = "  ".join(
                f"{r['period']} {status_label(r['status'])}"
                + (f" {r['held']}/{r['required']}" if r["status"] != Status.NOT_REQUIRED else "")
                for r in rows
            )
            lines.append(f"  {kind_label(kind)}：{cells}")
    s = summary(report)
    lines.append("")
    lines.append("  ".join(f"{status_label(k)} {s[k]}" for k in Status.ALL))
    return "\n".join(lines)


_FILLS = {
    Status.MET: "D1F2D9",
    Status.MISSED: "F8D7DA",
    Status.DUE: "FFF3CD",
    Status.UPCOMING: "E9ECEF",
    Status.NOT_REQUIRED: "FFFFFF",
}


def as_xlsx(report: dict) -> bytes:
    """The Excel export (command line and page): a 明细 sheet with one row per requirement period and a
    按月汇总 sheet of units × months (the heat map's worst status per month), coloured by status."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = _("明细")
    headers = [_("党组织编码"), _("党组织名称"), _("会议类型"), _("周期"), _("应开次数"), _("已开次数"), _("状态")]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for u in report["units"]:
        for r in u["requirements"]:
            ws.append([u["code"], u["name"], kind_label(r["kind"]), r["period"], r["required"], r["held"],
                       status_label(r["status"])])
            ws.cell(ws.max_row, 7).fill = PatternFill("solid", fgColor=_FILLS[r["status"]])
    for letter, width in zip("ABCDEFG", (14, 20, 16, 10, 10, 10, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"

    hm = wb.create_sheet(_("按月汇总"))
    year = report["year"]
    hm.append([_("党组织编码"), _("党组织名称")] + [_("%(m)d月") % {"m": m} for m in range(1, 13)])
    for cell in hm[1]:
        cell.font = Font(bold=True)
    for u in report["units"]:
        cells = month_status(u["requirements"], year)
        hm.append([u["code"], u["name"]] + [status_label(s) for s in cells])
        for i, s in enumerate(cells):
            hm.cell(hm.max_row, 3 + i).fill = PatternFill("solid", fgColor=_FILLS[s])
    hm.column_dimensions["A"].width = 14
    hm.column_dimensions["B"].width = 20
    hm.freeze_panes = "C2"
    meta = wb.create_sheet(_("说明"))
    meta.append([_("年度"), year])
    meta.append([_("截至日期"), report["as_of"]])
    for k in Status.ALL:
        meta.append([status_label(k), k])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@transaction.atomic
def export_xlsx(*, actor, year: int, as_of: date, unit=None) -> bytes:
    """The scoped compliance report as Excel, with the export in the audit log."""
    data = as_xlsx(compliance_for(actor, year, as_of, unit))
    record(actor=actor, action="meetings.compliance.exported", unit=unit,
           changes={"year": [None, year], "as_of": [None, as_of.isoformat()]})
    return data
