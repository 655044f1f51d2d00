"""档案审查: audit the recruitment files a college already has (issue 4 §4), from JSON or Excel.

`read_legacy(data, file_name)` turns a file into LegacyCase rows (or raises LegacyFileError naming what
cannot be read); `audit_cases(cases)` runs checks.check_case on each and returns the report:

    {"cases": [{"id": "…", "violations": [{"code", "step", "message", "rule", "source"}]}],
     "summary": {"cases": n, "with_violations": n, "by_code": {code: n}}}

The command (`dangjian recruitment_audit`), the upload page and the API call these two functions. Nothing
is written to the database. Working days are counted once per distinct 公示 window, with the holiday table
read once (checks.workdays_counter).

JSON: as issue 4 shows. Besides `date`, a step may carry: S05 `mentors` and S09 `sponsors` as
[{"name", "full_member", "on_party_probation"}]; S06/S21 `reviews` (dates); S10 `conclusion`; S11 `start`,
`end`, `hours`; S15/S23 `eligible`, `present`, `in_favour`, `against`, `abstaining`, `written_in_favour`;
S17/S24 `special_extension`; and the case may have `public_notice` {start, end} and `extension` {months,
decided_on}. Mentors or sponsors not given are not checked; an empty list is (none were named).
Excel: one row per case, the template's columns (legacy_template()).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError

from . import steps
from .checks import CaseFacts, Member, Params, Violation, Vote, check_case, workdays_counter

VOTE_KEYS = ("eligible", "present", "in_favour", "against", "abstaining", "written_in_favour")
CASE_KEYS = {"id", "name", "birth_date", "steps", "unit", "note"}
EXTRA_KEYS = {"public_notice", "extension"}
PROBATION_MARK = "受留党察看处分、尚未恢复党员权利"


class LegacyFileError(DomainError):
    """The file cannot be read; the message names the problem (the command exits with 2)."""


@dataclass
class LegacyCase:
    id: str
    name: str
    facts: CaseFacts


# ---------------------------------------------------------------- JSON


def _where(case_id: str, key: str) -> str:
    return _("档案“%(id)s”的 %(key)s") % {"id": case_id, "key": key}


def _date(value: Any, where: str) -> date | None:
    from dangjian.people.importer import parse_date

    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        raise LegacyFileError("bad_date", _("%(where)s：无法识别的日期“%(v)s”（应为 2024-05-01）。")
                              % {"where": where, "v": value})


def _int(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise LegacyFileError("bad_number", _("%(where)s：应为整数，实为“%(v)s”。") % {"where": where, "v": value})
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise LegacyFileError("bad_number", _("%(where)s：应为整数，实为“%(v)s”。") % {"where": where, "v": value})
    if not f.is_integer() or f < 0:
        raise LegacyFileError("bad_number", _("%(where)s：应为非负整数，实为“%(v)s”。") % {"where": where, "v": value})
    return int(f)


def _number(value: Any, where: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise LegacyFileError("bad_number", _("%(where)s：应为数字，实为“%(v)s”。") % {"where": where, "v": value})
    if f < 0:
        raise LegacyFileError("bad_number", _("%(where)s：不能为负数。") % {"where": where})
    return f


def _members(value: Any, where: str) -> list[Member] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise LegacyFileError("bad_format", _("%(where)s：应为列表。") % {"where": where})
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(Member(item, True))
            continue
        if not isinstance(item, dict):
            raise LegacyFileError("bad_format", _("%(where)s 第%(n)d项：应为 {\"name\", \"full_member\"}。")
                                  % {"where": where, "n": i + 1})
        restriction = item.get("restriction") or (PROBATION_MARK if item.get("on_party_probation") else "")
        out.append(Member(str(item.get("name") or _("（未写姓名）")), bool(item.get("full_member", True)),
                          str(restriction)))
    return out


def _vote(step: dict[str, Any], where: str) -> Vote | None:
    counts = {k: _int(step.get(k), f"{where}.{k}") for k in VOTE_KEYS}
    if any(counts[k] is None for k in ("eligible", "present", "in_favour")):
        return None
    return Vote(**{k: v or 0 for k, v in counts.items()})


def facts_from_json(case_id: str, item: dict[str, Any]) -> CaseFacts:
    """One case of the JSON form as CaseFacts (LegacyFileError names the first field that cannot be read)."""
    unknown = set(item) - CASE_KEYS
    if unknown:
        raise LegacyFileError("bad_format", _("%(where)s：无法识别的字段 %(k)s。")
                              % {"where": _where(case_id, ""), "k": "、".join(sorted(unknown))})
    f = CaseFacts(birth_date=_date(item.get("birth_date"), _where(case_id, "birth_date")))
    raw_steps = item.get("steps") or {}
    if not isinstance(raw_steps, dict):
        raise LegacyFileError("bad_format", _("%(where)s：应为对象。") % {"where": _where(case_id, "steps")})
    for key, value in raw_steps.items():
        where = _where(case_id, key)
        if key not in steps.BY_CODE and key not in EXTRA_KEYS:
            raise LegacyFileError("bad_format", _("%(where)s：无法识别的步骤（应为 S01–S25、public_notice 或 extension）。")
                                  % {"where": where})
        if value is None:
            continue
        if not isinstance(value, dict):
            raise LegacyFileError("bad_format", _("%(where)s：应为对象，例如 {\"date\": \"2024-05-01\"}。")
                                  % {"where": where})
        if key == "public_notice":
            f.notice_start = _date(value.get("start"), f"{where}.start")
            f.notice_end = _date(value.get("end"), f"{where}.end")
            continue
        if key == "extension":
            f.extension_months = _int(value.get("months"), f"{where}.months")
            f.extension_decided_on = _date(value.get("decided_on"), f"{where}.decided_on")
            continue
        if steps.get(key).has_reviews:
            reviews = value.get("reviews", [])
            if not isinstance(reviews, list):
                raise LegacyFileError("bad_format", _("%(where)s：应为日期列表。") % {"where": f"{where}.reviews"})
            days = [_date(r, f"{where}.reviews") for r in reviews]
            if value.get("date"):
                days.append(_date(value["date"], f"{where}.date"))
            f.reviews[key] = sorted(d for d in days if d)
            continue
        day = _date(value.get("start") if key == "S11" and value.get("start") else value.get("date"), f"{where}.date")
        if day:
            f.dates[key] = day
        if key == "S05":
            f.mentors = _members(value.get("mentors"), f"{where}.mentors")
        elif key == "S09":
            f.sponsors = _members(value.get("sponsors"), f"{where}.sponsors")
        elif key == "S11":
            f.training_end = _date(value.get("end"), f"{where}.end")
            f.training_hours = _number(value.get("hours"), f"{where}.hours")
        elif key == "S13" and isinstance(value.get("notice"), dict):
            f.notice_start = _date(value["notice"].get("start"), f"{where}.notice.start")
            f.notice_end = _date(value["notice"].get("end"), f"{where}.notice.end")
        elif key in ("S15", "S23"):
            vote = _vote(value, where)
            if vote:
                f.votes[key] = vote
        elif key in ("S17", "S24"):
            f.special[key] = bool(value.get("special_extension"))
    return f


def read_json(data: bytes) -> list[LegacyCase]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LegacyFileError("unreadable", _("文件不是 UTF-8 编码的 JSON。"))
    except json.JSONDecodeError as exc:
        raise LegacyFileError("unreadable", _("JSON 格式错误：第%(line)d行第%(col)d列，%(msg)s。")
                              % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg})
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise LegacyFileError("bad_format", _("JSON 应为 {\"cases\": [...]}。"))
    out = []
    for i, item in enumerate(doc["cases"], start=1):
        if not isinstance(item, dict):
            raise LegacyFileError("bad_format", _("第%(n)d份档案应为对象。") % {"n": i})
        case_id = str(item.get("id") or _("第%(n)d份") % {"n": i})
        out.append(LegacyCase(case_id, str(item.get("name") or ""), facts_from_json(case_id, item)))
    return out


# ---------------------------------------------------------------- Excel


def _columns() -> list[tuple[str, str]]:
    """(key, header) of the Excel form, in order. Headers are Chinese whatever the page's language."""
    with translation.override(None):
        cols: list[tuple[str, str]] = [("id", "编号"), ("name", "姓名"), ("birth_date", "出生日期")]
        for s in steps.STEPS:
            if s.has_reviews:
                cols.append((s.code, f"{s.code} {s.name}（各次考察日期）"))
            elif s.code == "S11":
                cols.append(("S11", "S11 短期集中培训（开始日期）"))
            else:
                cols.append((s.code, f"{s.code} {s.name}"))
            if s.code == "S05":
                cols.append(("mentors", "培养联系人"))
            elif s.code == "S09":
                cols.append(("sponsors", "入党介绍人"))
            elif s.code == "S10":
                cols.append(("conclusion", "政审结论"))
            elif s.code == "S11":
                cols += [("training_end", "培训结束日期"), ("training_hours", "培训学时")]
            elif s.code == "S13":
                cols += [("notice_start", "公示开始日期"), ("notice_end", "公示结束日期")]
            elif s.code in ("S15", "S23"):
                cols += [(f"{s.code}.{k}", f"{s.code} {label}") for k, label in (
                    ("eligible", "应到会有表决权人数"), ("present", "实到会有表决权人数"), ("in_favour", "赞成"),
                    ("against", "反对"), ("abstaining", "弃权"), ("written_in_favour", "书面意见赞成"))]
            elif s.code in ("S17", "S24"):
                cols.append((f"{s.code}.special", f"{s.code} 特殊情况延长审批期"))
            elif s.code == "S21":
                cols.append(("extension_months", "延长预备期（月）"))
    return cols


_SPLIT = re.compile(r"[、，,；;\s]+")
_NOT_FULL = re.compile(r"[（(](非正式党员|预备党员)[)）]")
_ON_PROBATION = re.compile(r"[（(]留党察看[)）]")


def _cell_members(value: Any) -> list[Member] | None:
    from dangjian.people.importer import cell_text

    text = cell_text(value)
    if not text:
        return None
    out = []
    for name in (n for n in re.split(r"[、，,；;\n]+", text) if n.strip()):
        full = not _NOT_FULL.search(name)
        restriction = PROBATION_MARK if _ON_PROBATION.search(name) else ""
        clean = _ON_PROBATION.sub("", _NOT_FULL.sub("", name)).strip()
        out.append(Member(clean, full, restriction))
    return out


def _cell_dates(value: Any, where: str) -> list[date]:
    from dangjian.people.importer import cell_text

    if isinstance(value, date):
        return [_date(value, where)]
    text = cell_text(value)
    return [d for d in (_date(part, where) for part in _SPLIT.split(text) if part) if d]


def _yes(value: Any) -> bool:
    from dangjian.people.importer import cell_text

    return cell_text(value) in ("是", "1", "true", "True", "TRUE", "Y", "y", "√")


def read_xlsx(data: bytes) -> list[LegacyCase]:
    from dangjian.people.importer import ImportFileError, cell_text, read_sheet

    cols = _columns()
    headers = [h for _k, h in cols]
    key_of = {h: k for k, h in cols}
    try:
        issues, rows = read_sheet(data, headers)
    except ImportFileError as exc:
        raise LegacyFileError("unreadable", exc.message)
    problems = [i for i in issues if not (i.column in key_of and i.value == "")]  # missing columns are fine
    if problems:
        raise LegacyFileError("bad_header", "；".join(i.message for i in problems))
    out = []
    for rownum, raw in rows:
        row = {key_of[h]: v for h, v in raw.items()}
        case_id = cell_text(row.get("id")) or _("第%(n)d行") % {"n": rownum}

        def where(key: str, rownum=rownum) -> str:
            return _("第%(row)d行“%(col)s”列") % {"row": rownum, "col": dict(cols)[key]}

        f = CaseFacts(birth_date=_date(row.get("birth_date"), where("birth_date")))
        for s in steps.STEPS:
            if s.code not in row:
                continue
            if s.has_reviews:
                days = _cell_dates(row[s.code], where(s.code))
                if days:
                    f.reviews[s.code] = sorted(days)
            else:
                day = _date(row[s.code], where(s.code))
                if day:
                    f.dates[s.code] = day
        if "mentors" in row:
            f.mentors = _cell_members(row["mentors"])
        if "sponsors" in row:
            f.sponsors = _cell_members(row["sponsors"])
        f.training_end = _date(row.get("training_end"), where("training_end")) if "training_end" in row else None
        if "training_hours" in row:
            f.training_hours = _number(row["training_hours"], where("training_hours"))
        if "notice_start" in row:
            f.notice_start = _date(row["notice_start"], where("notice_start"))
        if "notice_end" in row:
            f.notice_end = _date(row["notice_end"], where("notice_end"))
        for code in ("S15", "S23"):
            counts = {k: _int(row.get(f"{code}.{k}"), where(f"{code}.{k}")) if f"{code}.{k}" in row else None
                      for k in VOTE_KEYS}
            if all(counts[k] is not None for k in ("eligible", "present", "in_favour")):
                f.votes[code] = Vote(**{k: v or 0 for k, v in counts.items()})
        for code in ("S17", "S24"):
            if f"{code}.special" in row:
                f.special[code] = _yes(row[f"{code}.special"])
        if "extension_months" in row:
            f.extension_months = _int(row["extension_months"], where("extension_months"))
        out.append(LegacyCase(case_id, cell_text(row.get("name")), f))
    return out


def read_legacy(data: bytes, file_name: str) -> list[LegacyCase]:
    """The cases of a legacy file, by its extension (.json or .xlsx)."""
    name = (file_name or "").lower()
    if not data:
        raise LegacyFileError("unreadable", _("文件为空。"))
    if name.endswith(".json"):
        return read_json(data)
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    raise LegacyFileError("unsupported", _("只支持 .json 或 .xlsx 文件（%(name)s）。") % {"name": file_name})


# ---------------------------------------------------------------- the audit


def audit_case(case: LegacyCase, params: Params, workdays=None) -> list[Violation]:
    return check_case(case.facts, params, workdays=workdays)


def audit_cases(cases: list[LegacyCase], params: Params | None = None) -> dict[str, Any]:
    params = params or Params.load()
    workdays = workdays_counter()
    out = []
    by_code: Counter[str] = Counter()
    with_violations = 0
    for case in cases:
        found = audit_case(case, params, workdays)
        if found:
            with_violations += 1
        by_code.update(v.code for v in found)
        out.append({"id": case.id, "violations": [v.as_json() for v in found]})
    return {
        "cases": out,
        "summary": {"cases": len(cases), "with_violations": with_violations, "by_code": dict(sorted(by_code.items()))},
    }


def audit_file(data: bytes, file_name: str, params: Params | None = None) -> dict[str, Any]:
    return audit_cases(read_legacy(data, file_name), params)


def report_text(report: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The report as lines a person reads on a terminal."""
    names = names or {}
    lines = []
    for case in report["cases"]:
        who = f"{case['id']} {names.get(case['id'], '')}".strip()
        if not case["violations"]:
            lines.append(_("%(who)s：未发现问题") % {"who": who})
            continue
        lines.append(_("%(who)s：%(n)d 处问题") % {"who": who, "n": len(case["violations"])})
        for v in case["violations"]:
            lines.append(f"  [{v['step']}] {v['code']}：{v['message']}（{_('依据')}：{v['source']}；{v['rule']}）")
    s = report["summary"]
    by_code = "，".join(f"{code} {n}" for code, n in s["by_code"].items()) or _("无")
    lines.append(_("合计：%(n)d 份档案，%(w)d 份有问题；按问题类型：%(codes)s")
                 % {"n": s["cases"], "w": s["with_violations"], "codes": by_code})
    return "\n".join(lines)


def legacy_template() -> bytes:
    """The Excel template of the legacy audit: the header row and a 说明 sheet."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "发展党员档案"
    cols = _columns()
    ws.append([h for _k, h in cols])
    for i, (_k, h) in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(30, len(h) * 2))
    ws.freeze_panes = "D2"
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 90
    with translation.override(None):
        for row in (
            ("列", "填写方法"),
            ("每一行", "一份发展党员档案；没有的步骤留空"),
            ("日期", "2024-05-01、2024/05/01、2024.05.01、2024年5月1日 或 Excel 日期"),
            ("S06 / S21", "各次考察日期，用“；”分隔，例如 2023-09-15；2024-03-10"),
            ("培养联系人 / 入党介绍人", "姓名用“、”分隔；不是正式党员的在姓名后注明（非正式党员），"
                                       "受留党察看处分的注明（留党察看）；留空表示未记录（不检查）"),
            ("政审结论", "合格 或 不合格"),
            ("表决人数", "整数；应到、实到、赞成三项都填写才检查表决"),
            ("特殊情况延长审批期", "是 或 否"),
            ("延长预备期（月）", "没有延长的留空"),
        ):
            notes.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
