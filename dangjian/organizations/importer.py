"""Organisation import (组织架构导入): the tree from an xlsx, checked row by row, applied all or nothing.

Same report, error shape and rules as the roster importer (dangjian.people.importer): `check_units` previews,
`apply_units` re-checks and writes only if the whole file is valid. A row whose 组织编码 exists updates that
unit; otherwise a unit is created under 上级组织编码 (an existing unit, or a row earlier in the file).
Paths are kept by organizations.services._set_path; each unit written gets one
"organizations.unit.imported" audit event with its changes.

As in the roster, the file is the truth for its columns (an empty 组织类别 or 成立日期 clears it; an empty
是否设立支部委员会 means 否). Codes besides the roster's: `unknown_parent`, `bad_parent` (a kind under a kind
it may not hang from, or a unit moved below itself), `bad_term` (任期年限 outside 1–5), `duplicate_code`
(an existing code outside the actor's scope), `use_restructure` (a party group with members cannot change
branch here). With an actor, the top-level committee cannot be created or edited (command line only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import diff, record
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, scope_paths, today
from dangjian.people.importer import (
    ImportReport,
    RowChange,
    RowIssue,
    cell_text,
    choice_map,
    file_hash,
    parse_date,
    read_sheet,
)

from .choices import OrgUnitCategory, OrgUnitKind
from .models import OrgUnit
from .services import ALLOWED_PARENTS, _set_path, _validate_unit

ORG_HEADERS: list[str] = [
    "组织名称", "组织编码", "上级组织编码", "组织类型", "组织类别", "成立日期", "是否设立支部委员会",
    "本届任期开始日期", "任期年限",
]
# The unit fields a row writes; RowChange.diffs use these names ("parent" holds unit codes).
IMPORT_FIELDS = ("name", "parent", "category", "established_on", "has_committee", "term_started_on", "term_years")
YES_NO = {"是": True, "否": False, "": False}


@dataclass
class _UnitRow:
    row: int
    raw: dict[str, str]
    code: str = ""
    name: str = ""
    kind: str = ""
    parent_code: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    existing: OrgUnit | None = None
    issues: list[RowIssue] = field(default_factory=list)
    diffs: dict[str, list] = field(default_factory=dict)

    def error(self, column: str, code: str, message: str) -> None:
        self.issues.append(RowIssue(self.row, column, self.raw.get(column, ""), code, message))


def _require_manage(actor) -> None:
    if actor is not None and not can(actor, Action.ORG_MANAGE):
        raise PermissionDenied("forbidden", _("您没有导入党组织的权限。"))


def _parse(rownum: int, raw: dict[str, Any], kinds: dict[str, str], categories: dict[str, str], on: date) -> _UnitRow:
    r = _UnitRow(row=rownum, raw={h: cell_text(raw.get(h)) for h in ORG_HEADERS})
    t = r.raw
    r.name, r.code, r.parent_code = t["组织名称"], t["组织编码"], t["上级组织编码"]
    for column, value, limit in (("组织名称", r.name, 100), ("组织编码", r.code, 40)):
        if not value:
            r.error(column, "required", _("请填写%(col)s。") % {"col": column})
        elif len(value) > limit:
            r.error(column, "bad_value", _("%(col)s不能超过%(n)d个字。") % {"col": column, "n": limit})
    if not t["组织类型"]:
        r.error("组织类型", "required", _("请填写组织类型。"))
    elif t["组织类型"] not in kinds:
        r.error("组织类型", "bad_value", _("“%(v)s”不是有效的组织类型，可选：%(opts)s。")
                % {"v": t["组织类型"], "opts": "、".join(kinds)})
    else:
        r.kind = kinds[t["组织类型"]]
    if t["组织类别"] and t["组织类别"] not in categories:
        r.error("组织类别", "bad_value", _("“%(v)s”不是有效的组织类别，可选：%(opts)s。")
                % {"v": t["组织类别"], "opts": "、".join(categories)})
    else:
        r.values["category"] = categories.get(t["组织类别"], "")
    for column, fname in (("成立日期", "established_on"), ("本届任期开始日期", "term_started_on")):
        try:
            d = parse_date(raw.get(column))
        except ValueError:
            r.error(column, "bad_date", _("无法识别的日期“%(v)s”，请写成 2024-05-01 的格式。") % {"v": t[column]})
            continue
        if d is not None and d > on:
            r.error(column, "future_date", _("%(col)s不能晚于今天。") % {"col": column})
            continue
        r.values[fname] = d
    if t["是否设立支部委员会"] not in YES_NO:
        r.error("是否设立支部委员会", "bad_value", _("请填写“是”或“否”。"))
    else:
        r.values["has_committee"] = YES_NO[t["是否设立支部委员会"]]
        if r.values["has_committee"] and r.kind == OrgUnitKind.GROUP:
            r.error("是否设立支部委员会", "bad_value", _("党小组不设委员会。"))
    years = t["任期年限"]
    if not years:
        r.values["term_years"] = None
    elif not years.isdigit():
        r.error("任期年限", "bad_value", _("任期年限应为整数。"))
    elif not 1 <= int(years) <= 5:
        r.error("任期年限", "bad_term", _("任期年限应在1到5年之间。"))
    else:
        r.values["term_years"] = int(years)
    return r


def _plan(data: bytes, file_name: str, actor) -> tuple[ImportReport, list[_UnitRow], dict[str, OrgUnit]]:
    report = ImportReport(file_hash=file_hash(data), file_name=file_name)
    header_issues, raw_rows = read_sheet(data, ORG_HEADERS)
    if header_issues:
        report.errors.extend(header_issues)
        return report.finish(ORG_HEADERS), [], {}
    if not raw_rows:
        report.errors.append(RowIssue(2, "组织名称", "", "required", _("表格中没有数据行。")))
        return report.finish(ORG_HEADERS), [], {}
    on = today()
    kinds, categories = choice_map(OrgUnitKind), choice_map(OrgUnitCategory)
    units = {u.code: u for u in OrgUnit.objects.all()}
    by_pk = {u.pk: u for u in units.values()}
    paths = None if actor is None else scope_paths(actor, Action.ORG_MANAGE)

    def allowed(unit: OrgUnit) -> bool:
        return paths is None or any(unit.path.startswith(p) for p in paths)

    rows = [_parse(n, raw, kinds, categories, on) for n, raw in raw_rows]
    in_file: dict[str, _UnitRow] = {}
    later = {r.code: r.row for r in reversed(rows) if r.code}
    parent_of: dict[str, str] = {c: by_pk[u.parent_id].code for c, u in units.items() if u.parent_id}
    for r in rows:
        if r.code in in_file:
            r.error("组织编码", "duplicate_in_file", _("组织编码与第%(n)d行重复。") % {"n": in_file[r.code].row})
            continue
        if r.code:
            in_file[r.code] = r
        r.existing = units.get(r.code)
        if r.existing is not None and not allowed(r.existing):
            r.error("组织编码", "duplicate_code", _("组织编码“%(code)s”已被使用。") % {"code": r.code})
            continue
        if r.existing is not None and r.kind and r.existing.kind != r.kind:
            r.error("组织类型", "bad_value", _("不能通过导入修改已有党组织的类型。"))
        # The parent: an existing unit, or a row above this one.
        parent_kind: str | None = None
        scope_unit: OrgUnit | None = None
        if r.parent_code:
            if r.parent_code == r.code:
                r.error("上级组织编码", "bad_parent", _("上级组织不能是它自己。"))
                continue
            earlier = in_file.get(r.parent_code)
            if earlier is not None and earlier.row < r.row:
                parent_kind = earlier.kind or None
                scope_unit = earlier.existing or _existing_ancestor(earlier.parent_code, in_file, units)
            elif r.parent_code in units:
                parent = units[r.parent_code]
                parent_kind, scope_unit = parent.kind, parent
                if parent.dissolved_on is not None:
                    r.error("上级组织编码", "bad_parent", _("上级组织已撤销。"))
            elif r.parent_code in later and later[r.parent_code] > r.row:
                r.error("上级组织编码", "unknown_parent", _("上级组织须排在本行之前。"))
                continue
            else:
                r.error("上级组织编码", "unknown_parent", _("找不到上级组织“%(code)s”。") % {"code": r.parent_code})
                continue
            if scope_unit is not None and not allowed(scope_unit):
                r.error("上级组织编码", "unknown_parent", _("找不到上级组织“%(code)s”。") % {"code": r.parent_code})
                continue
        elif paths is not None:
            r.error("上级组织编码", "unknown_parent", _("请填写上级组织编码（顶层党委只能通过命令行导入）。"))
            continue
        if r.kind and (parent_kind or r.parent_code == "") and parent_kind not in ALLOWED_PARENTS[r.kind]:
            r.error("上级组织编码", "bad_parent", _("%(kind)s不能设在%(parent)s之下。") % {
                "kind": r.raw["组织类型"],
                "parent": _label(parent_kind, kinds) if parent_kind else _("顶层"),
            })
        if r.code:
            if r.parent_code:
                parent_of[r.code] = r.parent_code
            else:
                parent_of.pop(r.code, None)

    # A unit must not end up below itself (an existing unit moved under its own descendant).
    for r in rows:
        if r.existing is not None and r.parent_code and not r.issues and _cycles(r.code, parent_of):
            r.error("上级组织编码", "bad_parent", _("不能把党组织移到它自己的下级之下。"))

    for r in rows:
        report.errors.extend(r.issues)
        if r.issues:
            continue
        if r.existing is None:
            report.changes.append(RowChange(r.row, "create", None, r.name, {}))
            continue
        u = r.existing
        before = {f: getattr(u, f) for f in IMPORT_FIELDS if f != "parent"}
        after = {f: r.values.get(f, getattr(u, f)) for f in before} | {"name": r.name}
        before["parent"] = by_pk[u.parent_id].code if u.parent_id else None
        after["parent"] = r.parent_code or None
        r.diffs = diff(before, after)
        if r.diffs:
            if "parent" in r.diffs and u.kind == OrgUnitKind.GROUP and _has_people(u):
                r.error("上级组织编码", "use_restructure", _("该党小组有成员，请使用“党小组整建制调整”。"))
                report.errors.append(r.issues[-1])
                continue
            report.changes.append(RowChange(r.row, "update", u.pk, r.name, r.diffs))
        else:
            report.unchanged += 1
    return report.finish(ORG_HEADERS), rows, units


def _label(kind: str, kinds: dict[str, str]) -> str:
    return next((label for label, value in kinds.items() if value == kind), kind)


def _existing_ancestor(code: str, in_file: dict[str, _UnitRow], units: dict[str, OrgUnit]) -> OrgUnit | None:
    seen = set()
    while code and code not in seen:
        seen.add(code)
        if code in units:
            return units[code]
        row = in_file.get(code)
        code = row.parent_code if row else ""
    return None


def _cycles(code: str, parent_of: dict[str, str]) -> bool:
    seen = {code}
    current = parent_of.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _has_people(unit: OrgUnit) -> bool:
    from dangjian.people.models import Person

    return Person.objects.current().filter(group=unit).exists()


def check_units(*, data: bytes, file_name: str, actor) -> ImportReport:
    """Preview an organisation file; writes nothing. `actor` None is the trusted command line."""
    _require_manage(actor)
    return _plan(data, file_name, actor)[0]


def apply_units(*, data: bytes, file_name: str, actor) -> ImportReport:
    """Re-check and, only if the whole file is valid, create and update the units in file order."""
    _require_manage(actor)
    with transaction.atomic():
        report, rows, units = _plan(data, file_name, actor)
        if not report.ok:
            return report
        current = -1
        try:
            with transaction.atomic():
                for r in rows:
                    current = r.row
                    if r.existing is None:
                        unit = _import_create(r, units, actor)
                        units[unit.code] = unit
                        next(c for c in report.changes if c.row == r.row).person_id = unit.pk
                    elif r.diffs:
                        _import_update(r, units, actor)
        except DomainError as exc:
            report.errors.append(RowIssue(current, "", "", exc.code, exc.message))
            return report.finish(ORG_HEADERS)
    return report


def _import_create(r: _UnitRow, units: dict[str, OrgUnit], actor) -> OrgUnit:
    """organizations.services.create_unit for an import row (the top committee only from the command line)."""
    parent = units[r.parent_code] if r.parent_code else None
    unit = OrgUnit(parent=parent, code=r.code, name=r.name, kind=r.kind, **r.values)
    _validate_unit(unit)
    unit.save()
    _set_path(unit)
    record(actor=actor or "system", action="organizations.unit.imported", target=unit, unit=unit,
           changes={"code": [None, unit.code], "parent": [None, r.parent_code or None]})
    return unit


def _import_update(r: _UnitRow, units: dict[str, OrgUnit], actor) -> OrgUnit:
    """organizations.services.update_unit for an import row (version bump, path of the moved subtree)."""
    locked = OrgUnit.objects.select_for_update().get(pk=units[r.code].pk)
    locked.name = r.name
    for f, value in r.values.items():
        setattr(locked, f, value)
    locked.parent = units[r.parent_code] if r.parent_code else None
    _validate_unit(locked)
    locked.version += 1
    locked.save()
    units[locked.code] = locked
    if "parent" in r.diffs:
        _set_path(locked)
        # The subtree's paths changed in the database; later rows must build on the new ones.
        units.update({u.code: u for u in OrgUnit.objects.filter(path__startswith=locked.path)})
    record(actor=actor or "system", action="organizations.unit.imported", target=locked, unit=locked,
           changes=r.diffs)
    return locked
