"""Import of past meeting records (会议台账导入, issue 3 §8): colleges start mid-year with Excel ledgers.

Same report, error shape, exit codes and all-or-nothing rule as the roster importer (dangjian.people.importer):
`check_meetings` previews every error and warning per row and column and writes nothing; `apply_meetings`
re-checks and, only if the whole file is valid, records every row through `services.record_past_meeting`
(status held, credits, attendance) in one transaction, with one "meetings.import.applied" audit event besides
each meeting's own. `actor` None is the trusted command line (the whole college).

A row: 党组织编码 (the unit's code), 会议类型 and 同时计为 (the Chinese names; several 同时计为 separated by 、),
日期 and 开始时间 (default 14:30), 地点, 主题, 主持人 and 记录人 (names of people on the roster, looked for in the
unit's branch first, then in the college), 应到人数 and 实到人数 (the ledger's counts), 缺席人员 (names,
separated by 、; when given, everyone expected on that date gets an attendance row — absent or present),
备注. Required: 党组织编码, 会议类型, 日期, 主题.

Error codes (the issue's): bad_header, required, unknown_unit (no such code, out of the actor's scope, or not
in existence on that date), bad_kind, kind_not_allowed (支委会 for a party group or for a branch without a
committee), bad_date (日期 or 开始时间), future_date, present_exceeds_expected, unknown_person (主持人, 记录人,
缺席人员 not found or ambiguous; an absent person must be one of those expected on that date),
duplicate_meeting (same unit, kind and date in the file or already recorded), bad_combination; besides them
`bad_count` (应到人数 / 实到人数 not a whole number) and `too_long`. Warnings: `absent_count_mismatch` (应到 −
实到 ≠ the number of names in 缺席人员), `expected_count_mismatch` (应到人数 differs from the roster on that
date, when 缺席人员 is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, scope_paths, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.people.importer import (
    ImportFileError,
    ImportReport,
    RowChange,
    RowIssue,
    cell_text,
    choice_map,
    file_hash,
    parse_date,
    read_sheet,
)
from dangjian.people.models import Person

from . import selectors
from .choices import MeetingKind, MeetingStatus
from .models import Meeting

__all__ = ["MEETING_HEADERS", "ImportFileError", "apply_meetings", "check_meetings", "meetings_template"]

MEETING_HEADERS: list[str] = [
    "党组织编码", "会议类型", "日期", "开始时间", "地点", "主题", "主持人", "记录人", "应到人数", "实到人数",
    "缺席人员", "同时计为", "备注",
]
REQUIRED = ("党组织编码", "会议类型", "日期", "主题")
LIMITS = {"地点": 120, "主题": 200, "备注": 300}
DEFAULT_TIME = time(14, 30)
WARNING_CODES = frozenset({"absent_count_mismatch", "expected_count_mismatch"})
# The service's `field=` → the sheet's column, to place a refusal that only the service could see.
FIELD_COLUMNS = {
    "unit": "党组织编码", "kind": "会议类型", "starts_at": "日期", "topic": "主题", "place": "地点", "host": "主持人",
    "recorder": "记录人", "expected_count": "应到人数", "present_count": "实到人数", "absent": "缺席人员",
    "also_counts_as": "同时计为", "note": "备注",
}
_SEPARATORS = re.compile(r"[、，,；;\s]+")
_TIME_RE = re.compile(r"(?P<h>\d{1,2})[:：](?P<m>\d{2})(?:[:：]\d{2})?")
_CN_TIME_RE = re.compile(r"(?P<h>\d{1,2})[时点](?:(?P<m>\d{1,2})分?)?")


def names(text: str) -> list[str]:
    """'张三、李四，王五' → ['张三', '李四', '王五'] (、 is the ledger's separator; commas tolerated)."""
    return [n for n in _SEPARATORS.split(text or "") if n]


def parse_time(value: Any) -> time | None:
    """An Excel time (or datetime, or fraction of a day), or text 14:30, 14:30:00, 14时30分, 14点. ValueError else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = str(value).strip()
    if not text:
        return None
    m = _TIME_RE.fullmatch(text) or _CN_TIME_RE.fullmatch(text)
    if not m:
        raise ValueError(text)
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


def _count(value: Any) -> int:
    """A whole number ≥ 0 from a cell (12, 12.0, "12", "12人"); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(value)
        return value
    text = str(value).strip().removesuffix("人")
    if not text.isdigit():
        raise ValueError(value)
    return int(text)


# ---------------------------------------------------------------- rows and context


@dataclass
class _Row:
    row: int
    raw: dict[str, str]
    cells: dict[str, Any]
    unit: OrgUnit | None = None
    kind: str = ""
    on: date | None = None
    at: time | None = None
    also: list[str] = field(default_factory=list)
    host: Person | None = None
    recorder: Person | None = None
    expected_count: int | None = None
    present_count: int | None = None
    absent: list[Person] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)

    def error(self, column: str, code: str, message: str) -> None:
        self.issues.append(RowIssue(self.row, column, self.raw.get(column, ""), code, message))

    def failed(self, *columns: str) -> bool:
        return any(i.column in columns and i.code not in WARNING_CODES for i in self.issues)

    @property
    def starts_at(self) -> datetime:
        assert self.on is not None
        return timezone.make_aware(datetime.combine(self.on, self.at or DEFAULT_TIME))

    @property
    def label(self) -> str:
        kind = str(MeetingKind(self.kind).label) if self.kind else ""
        return f"{self.unit.code if self.unit else ''} {self.on.isoformat() if self.on else ''} {kind}".strip()


class _Context:
    """What the checks look up, loaded once (units, people by name) or memoised per unit/kind/date."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.today = today()
        self.now = timezone.now()
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.by_id = {u.pk: u for u in self.units.values()}
        self.paths = None if actor is None else scope_paths(actor, Action.MEETINGS_MANAGE)
        self.kinds = choice_map(MeetingKind)
        self._allowed: dict[int, list[str]] = {}
        self._combos: dict[str, set[str]] = {}
        self._groups: dict[int, bool] = {}
        self._expected: dict[tuple[int, str, date], list[Person]] = {}
        self._people: dict[str, list[Person]] | None = None

    def in_scope(self, unit: OrgUnit) -> bool:
        return self.paths is None or any(unit.path.startswith(p) for p in self.paths)

    def allowed_kinds(self, unit: OrgUnit) -> list[str]:
        if unit.pk not in self._allowed:
            self._allowed[unit.pk] = selectors.allowed_kinds(unit)
        return self._allowed[unit.pk]

    def combinations(self, kind: str) -> set[str]:
        if kind not in self._combos:
            self._combos[kind] = selectors.allowed_combinations(kind)
        return self._combos[kind]

    def has_groups(self, unit: OrgUnit, on: date) -> bool:
        if unit.pk not in self._groups:
            self._groups[unit.pk] = bool(selectors.active_groups(unit, on))
        return self._groups[unit.pk]

    def expected(self, unit: OrgUnit, kind: str, on: date) -> list[Person]:
        key = (unit.pk, kind, on)
        if key not in self._expected:
            self._expected[key] = [p for p, _vote in selectors.expected_attendees(unit=unit, kind=kind, on=on)]
        return self._expected[key]

    def people_named(self, name: str) -> list[Person]:
        """Current people on the roster with this name (one query for the whole file)."""
        if self._people is None:
            self._people = {}
            for p in Person.objects.current().select_related("unit"):
                self._people.setdefault(p.name, []).append(p)
        return self._people.get(name, [])


def _require(actor) -> None:
    if actor is not None and not can(actor, Action.MEETINGS_MANAGE):
        raise PermissionDenied("forbidden", _("您没有导入会议台账的权限。"))


def _alive(unit: OrgUnit, on: date) -> bool:
    if unit.established_on and unit.established_on > on:
        return False
    return not (unit.dissolved_on and unit.dissolved_on <= on)


def _home(unit: OrgUnit, ctx: _Context) -> OrgUnit:
    """Where a host or recorder is looked for first: the branch (a group's branch), else the unit."""
    if unit.kind == OrgUnitKind.GROUP and unit.parent_id:
        return ctx.by_id.get(unit.parent_id, unit)
    return unit


def _person(r: _Row, column: str, ctx: _Context) -> Person | None:
    name = r.raw[column]
    if not name:
        return None
    found = ctx.people_named(name)
    if r.unit is not None and len(found) > 1:
        home = _home(r.unit, ctx).path
        found = [p for p in found if p.unit.path.startswith(home)] or found
    if len(found) == 1:
        return found[0]
    if not found:
        r.error(column, "unknown_person", _("花名册中没有名为“%(n)s”的人员。") % {"n": name})
    else:
        r.error(column, "unknown_person", _("花名册中有 %(k)d 位名为“%(n)s”的人员，无法确定是哪一位。")
                % {"k": len(found), "n": name})
    return None


# ---------------------------------------------------------------- checking


def _parse(rownum: int, cells: dict[str, Any], ctx: _Context) -> _Row:
    r = _Row(row=rownum, raw={h: cell_text(cells.get(h)) for h in MEETING_HEADERS}, cells=cells)
    t = r.raw
    for column in REQUIRED:
        if not t[column]:
            r.error(column, "required", _("请填写%(col)s。") % {"col": column})
    for column, limit in LIMITS.items():
        if len(t[column]) > limit:
            r.error(column, "too_long", _("%(col)s不能超过%(n)d个字。") % {"col": column, "n": limit})

    if t["党组织编码"]:
        unit = ctx.units.get(t["党组织编码"])
        if unit is None or not ctx.in_scope(unit):
            r.error("党组织编码", "unknown_unit", _("党组织编码不存在或不在您的管理范围内。"))
        else:
            r.unit = unit
    if t["会议类型"]:
        r.kind = ctx.kinds.get(t["会议类型"], "")
        if not r.kind:
            r.error("会议类型", "bad_kind", _("“%(v)s”不是会议类型，可选：%(opts)s。")
                    % {"v": t["会议类型"], "opts": "、".join(ctx.kinds)})
    try:
        r.on = parse_date(cells.get("日期"))
    except ValueError:
        r.error("日期", "bad_date", _("无法识别的日期“%(v)s”，请写成 2026-05-01 的格式。") % {"v": t["日期"]})
    try:
        r.at = parse_time(cells.get("开始时间"))
    except ValueError:
        r.error("开始时间", "bad_date", _("无法识别的时间“%(v)s”，请写成 14:30 的格式。") % {"v": t["开始时间"]})
    if r.on is not None:
        if r.on > ctx.today:
            r.error("日期", "future_date", _("会议日期不能晚于今天，计划中的会议请在“安排会议”中录入。"))
        elif not r.failed("开始时间") and r.starts_at > ctx.now:
            r.error("开始时间", "future_date", _("开始时间晚于现在，会议尚未召开。"))
    for column in ("应到人数", "实到人数"):
        if t[column]:
            try:
                value = _count(cells.get(column))
            except ValueError:
                r.error(column, "bad_count", _("%(col)s须为非负整数。") % {"col": column})
                continue
            setattr(r, "expected_count" if column == "应到人数" else "present_count", value)
    if r.expected_count is not None and r.present_count is not None and r.present_count > r.expected_count:
        r.error("实到人数", "present_exceeds_expected", _("实到人数（%(p)d）超过应到人数（%(e)d）。")
                % {"p": r.present_count, "e": r.expected_count})
    for label in names(t["同时计为"]):
        kind = ctx.kinds.get(label)
        if kind is None:
            r.error("同时计为", "bad_kind", _("“%(v)s”不是会议类型。") % {"v": label})
        elif kind != r.kind and kind not in r.also:
            r.also.append(kind)
    return r


def _check_row(r: _Row, ctx: _Context) -> None:
    """Rules across columns: the unit's life and kinds, combinations, people, attendance."""
    unit, kind, on = r.unit, r.kind, r.on
    if unit is not None and on is not None and not _alive(unit, on):
        r.error("党组织编码", "unknown_unit", _("%(unit)s在 %(date)s 尚未成立或已撤销。")
                % {"unit": unit.name, "date": on.isoformat()})
        unit = r.unit = None
    if unit is not None and kind and kind not in ctx.allowed_kinds(unit):
        if kind == MeetingKind.BRANCH_COMMITTEE and unit.kind == OrgUnitKind.BRANCH:
            message = _("%(unit)s未设支部委员会，不能召开支委会。") % {"unit": unit.name}
        else:
            message = _("%(unit)s不能召开%(kind)s。") % {"unit": unit.name, "kind": MeetingKind(kind).label}
        r.error("会议类型", "kind_not_allowed", message)
        kind = ""
    if unit is not None and kind and r.also:
        allowed = ctx.combinations(kind)
        for other in r.also:
            label = MeetingKind(other).label
            if other not in allowed:
                r.error("同时计为", "bad_combination", _("%(kind)s不能同时计为%(other)s。")
                        % {"kind": MeetingKind(kind).label, "other": label})
            elif other == MeetingKind.GROUP and not (on and ctx.has_groups(unit, on)):
                r.error("同时计为", "bad_combination", _("%(unit)s没有党小组，不能同时计为党小组会。") % {"unit": unit.name})
            elif other != MeetingKind.GROUP and other not in ctx.allowed_kinds(unit):
                r.error("同时计为", "bad_combination", _("%(unit)s不能召开%(other)s，不能同时计为%(other)s。")
                        % {"unit": unit.name, "other": label})
    r.host = _person(r, "主持人", ctx)
    r.recorder = _person(r, "记录人", ctx)
    listed = names(r.raw["缺席人员"])
    if listed and unit is not None and kind and on is not None:
        expected = ctx.expected(unit, kind, on)
        by_name: dict[str, list[Person]] = {}
        for p in expected:
            by_name.setdefault(p.name, []).append(p)
        unknown = []
        for name in listed:
            match = by_name.get(name, [])
            if len(match) == 1:
                if match[0] not in r.absent:
                    r.absent.append(match[0])
            else:
                unknown.append(name)
        if unknown:
            r.error("缺席人员", "unknown_person", _("%(names)s不是%(unit)s在 %(date)s 的应到人员。")
                    % {"names": "、".join(unknown), "unit": unit.name, "date": on.isoformat()})
        elif r.expected_count is not None and r.expected_count != len(expected):
            r.issues.append(RowIssue(r.row, "应到人数", r.raw["应到人数"], "expected_count_mismatch",
                                     _("应到人数 %(n)d 与花名册中当日应到的 %(k)d 人不一致，出席情况按花名册登记。")
                                     % {"n": r.expected_count, "k": len(expected)}))
    if listed and r.expected_count is not None and r.present_count is not None \
            and r.expected_count - r.present_count != len(listed):
        r.issues.append(RowIssue(r.row, "缺席人员", r.raw["缺席人员"], "absent_count_mismatch",
                                 _("应到 %(e)d 人、实到 %(p)d 人，缺席人员却列了 %(n)d 人。")
                                 % {"e": r.expected_count, "p": r.present_count, "n": len(listed)}))


def _existing(rows: list[_Row]) -> set[tuple[int, str, date]]:
    """(unit, kind, local date) of meetings already recorded (not cancelled) for the file's units and dates."""
    keyed = [r for r in rows if r.unit is not None and r.kind and r.on is not None]
    if not keyed:
        return set()
    first = min(r.on for r in keyed if r.on)
    last = max(r.on for r in keyed if r.on)
    tz = timezone.get_current_timezone()
    qs = Meeting.objects.filter(
        unit_id__in={r.unit.pk for r in keyed if r.unit},
        starts_at__gte=timezone.make_aware(datetime.combine(first, time.min), tz),
        starts_at__lte=timezone.make_aware(datetime.combine(last, time.max), tz),
    ).exclude(status=MeetingStatus.CANCELLED)
    return {(u, k, timezone.localtime(s).date()) for u, k, s in qs.values_list("unit_id", "kind", "starts_at")}


def _plan(data: bytes, file_name: str, actor) -> tuple[ImportReport, list[_Row]]:
    report = ImportReport(file_hash=file_hash(data), file_name=file_name)
    header_issues, raw_rows = read_sheet(data, MEETING_HEADERS)
    if header_issues:
        report.errors.extend(header_issues)
        return report.finish(MEETING_HEADERS), []
    if not raw_rows:
        report.errors.append(RowIssue(2, "党组织编码", "", "required", _("表格中没有数据行。")))
        return report.finish(MEETING_HEADERS), []
    ctx = _Context(actor)
    rows = [_parse(n, cells, ctx) for n, cells in raw_rows]
    existing = _existing(rows)
    seen: dict[tuple[int, str, date], int] = {}
    for r in rows:
        _check_row(r, ctx)
        if r.unit is not None and r.kind and r.on is not None:
            key = (r.unit.pk, r.kind, r.on)
            if key in seen:
                r.error("日期", "duplicate_meeting", _("与第%(n)d行是同一党组织同一天的同一类会议。") % {"n": seen[key]})
            elif key in existing:
                r.error("日期", "duplicate_meeting", _("%(unit)s在 %(date)s 已有一次%(kind)s的记录。")
                        % {"unit": r.unit.name, "date": r.on.isoformat(), "kind": MeetingKind(r.kind).label})
            else:
                seen[key] = r.row
        errors = [i for i in r.issues if i.code not in WARNING_CODES]
        report.errors.extend(errors)
        report.warnings.extend(i for i in r.issues if i.code in WARNING_CODES)
        if not errors:
            report.changes.append(RowChange(r.row, "create", None, r.label, {}))
    return report.finish(MEETING_HEADERS), rows


def check_meetings(*, data: bytes, file_name: str, actor) -> ImportReport:
    """Preview a ledger: every error and warning per row and column, and what each valid row would create.
    Writes nothing. `actor` None is the trusted command line."""
    _require(actor)
    return _plan(data, file_name, actor)[0]


class _Rollback(Exception):
    def __init__(self, issue: RowIssue) -> None:
        self.issue = issue


def apply_meetings(*, data: bytes, file_name: str, actor) -> ImportReport:
    """Re-check the ledger and, only if it has no error at all, record every row as a held meeting (one
    transaction; a refusal by the service on any row rolls everything back and is reported at that row)."""
    _require(actor)
    report, rows = _plan(data, file_name, actor)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            created = [_record(r, actor) for r in rows]
            units = [m.unit for m in created]
            record(actor=actor or "system", action="meetings.import.applied", target=None,
                   unit=_common_unit(units), changes={"created": [0, len(created)]},
                   note=f"{file_name} sha256:{report.file_hash}")
    except _Rollback as exc:
        report.errors.append(exc.issue)
        report.changes = []
        return report.finish(MEETING_HEADERS)
    for change, meeting in zip(report.changes, created, strict=True):
        change.person_id = meeting.pk  # RowChange's id slot: the meeting created by that row
    return report.finish(MEETING_HEADERS)


def _record(r: _Row, actor) -> Meeting:
    from .services import record_past_meeting

    assert r.unit is not None
    try:
        return record_past_meeting(
            actor=actor, unit=r.unit, kind=r.kind, starts_at=r.starts_at, topic=r.raw["主题"],
            place=r.raw["地点"], host=r.host, recorder=r.recorder, also_counts_as=r.also,
            expected_count=r.expected_count, present_count=r.present_count, absent=r.absent, note=r.raw["备注"],
        )
    except DomainError as exc:
        column = FIELD_COLUMNS.get(exc.params.get("field", ""), "党组织编码")
        raise _Rollback(RowIssue(r.row, column, r.raw.get(column, ""), exc.code, exc.message)) from exc


def _common_unit(units: list[OrgUnit]) -> OrgUnit | None:
    """The deepest unit above all of `units` (where the batch's audit event is filed)."""
    if not units:
        return None
    parts = [u.path.strip("/").split("/") for u in units]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return OrgUnit.objects.filter(pk=int(common[-1])).first() if common else None


# ---------------------------------------------------------------- the template


def meetings_template() -> bytes:
    """The import template: the header row and a 说明 sheet with the allowed values."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = _("会议台账")
    ws.append(MEETING_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    kinds = "、".join(choice_map(MeetingKind))
    for row in (
        (_("列"), _("可填写的值")),
        ("必填", "、".join(REQUIRED)),
        ("会议类型", kinds),
        ("同时计为", _("会议类型名称，多个用“、”分隔（须为该会议可以同时计入的类型）")),
        ("日期", _("2026-05-01、2026/05/01、2026.05.01、2026年5月1日 或 Excel 日期；不能晚于今天")),
        ("开始时间", _("14:30 或 Excel 时间；不填按 14:30")),
        ("主持人、记录人", _("花名册中的姓名")),
        ("缺席人员", _("姓名，多个用“、”分隔；填写后按花名册逐人登记出席情况")),
    ):
        notes.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
