"""Documents (issue 4 §5): one person's 发展党员全程纪实 and the committee's 发展党员工作台账 for a year in Word
(docxtpl templates beside this module, which a college may restyle in Word), and the funnel in Excel.

The shipped templates were made by `build_templates()` (python-docx only, no Django needed); run it again
only to reset them: `.venv/bin/python -c "from dangjian.recruitment.documents import build_templates;
build_templates()"`.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .choices import Stage

TEMPLATES = Path(__file__).parent / "templates" / "recruitment" / "docx"
RECORD_TEMPLATE = TEMPLATES / "record.docx"
LEDGER_TEMPLATE = TEMPLATES / "ledger.docx"


def _render(template: Path, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template))
    doc.render(context, autoescape=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _d(day: date | None) -> str:
    return day.isoformat() if day else ""


def record_context(overview: dict[str, Any]) -> dict[str, Any]:
    """What the 纪实 shows: every step with its date, responsible person, people named, documents, opinion."""
    case, person, state = overview["case"], overview["person"], overview["state"]
    rows = []
    for stage in overview["stages"]:
        for row in stage["rows"]:
            step, r = row["step"], row["record"]
            named = "、".join(f"{sp.get_role_display()}{sp.person.name}" for sp in row["people"])
            detail = []
            if r is not None:
                data = r.data or {}
                if data.get("reviews"):
                    detail.append(_("考察：") + "、".join(x["date"] for x in data["reviews"]))
                if data.get("notice_start"):
                    detail.append(_("公示：%(a)s至%(b)s") % {"a": data["notice_start"], "b": data["notice_end"]})
                if data.get("eligible") is not None:
                    detail.append(_("应到%(e)s，实到%(p)s，赞成%(f)s，反对%(a)s，弃权%(b)s，书面赞成%(w)s") % {
                        "e": data.get("eligible"), "p": data.get("present"), "f": data.get("in_favour"),
                        "a": data.get("against", 0), "b": data.get("abstaining", 0),
                        "w": data.get("written_in_favour", 0)})
                if data.get("end"):
                    detail.append(_("培训至%(end)s，%(h)s学时") % {"end": data["end"], "h": data.get("hours") or "—"})
                if r.opinion:
                    detail.append(r.opinion)
                if r.exception_codes:
                    detail.append(_("例外：%(reason)s（%(who)s）") % {
                        "reason": r.exception_reason, "who": r.exception_by.display_name if r.exception_by else ""})
            rows.append({
                "code": step.code,
                "name": step.name,
                "stage": str(Stage(step.stage).label),
                "date": _d(r.date) if r else "",
                "responsible": "；".join(x for x in ((r.responsible if r else ""), named) if x),
                "documents": "、".join(r.documents) if r else "",
                "detail": "；".join(detail),
            })
    return {
        "name": person.name,
        "gender": person.get_gender_display(),
        "birth_date": _d(person.birth_date),
        "unit": person.unit.name,
        "status": person.get_political_status_display(),
        "stage": case.get_stage_display(),
        "case_status": case.get_status_display(),
        "probation_ends_on": _d(state.probation_ends_on),
        "extension": _("延长预备期%(n)d个月（%(reason)s）") % {"n": case.extension_months, "reason": case.extension_reason}
        if case.extension_months else "",
        "steps": rows,
        "violations": [{"message": v.message, "source": v.source,
                        "excepted": _("（已登记例外）") if v.key in state.excepted else ""} for v in state.violations],
        "today": _d(state.today),
    }


def record_docx(overview: dict[str, Any]) -> bytes:
    return _render(RECORD_TEMPLATE, record_context(overview))


LEDGER_STEPS = ("S01", "S03", "S07", "S15", "S17", "S23", "S24")


def ledger_docx(rows: list[dict[str, Any]], year: int) -> bytes:
    items = []
    for i, row in enumerate(rows, start=1):
        case, dates = row["case"], row["dates"]
        items.append({
            "n": i, "name": row["person"].name, "unit": row["unit"].name,
            "dates": [_d(dates.get(code)) for code in LEDGER_STEPS],
            "stage": case.get_stage_display(), "status": case.get_status_display(),
        })
    return _render(LEDGER_TEMPLATE, {"year": year, "rows": items, "count": len(items)})


def funnel_xlsx(funnel: dict[str, Any], year: int) -> bytes:
    """The funnel table as a sheet: one row per branch, one column per stage, and the year's 转正."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("发展党员统计")
    ws.append([_("党支部"), *funnel["short_stages"], _("%(y)d年转正") % {"y": year}, _("进行中合计")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in funnel["rows"]:
        ws.append([row["name"], *row["counts"], row["completed"], row["total"]])
    ws.append([_("合计"), *funnel["totals"], funnel["completed"], sum(funnel["totals"])])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- the templates themselves


def build_templates(target: Path = TEMPLATES) -> None:
    """Write record.docx and ledger.docx (python-docx) with their docxtpl tags."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    target.mkdir(parents=True, exist_ok=True)

    def title(doc, text):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = True
        run.font.size = Pt(18)

    def table(doc, headers, cells, loop):
        t = doc.add_table(rows=4, cols=len(headers))
        t.style = "Table Grid"
        for i, h in enumerate(headers):
            t.rows[0].cells[i].text = h
            for run in t.rows[0].cells[i].paragraphs[0].runs:
                run.bold = True
        t.rows[1].cells[0].text = "{%tr for " + loop + " %}"
        for i, c in enumerate(cells):
            t.rows[2].cells[i].text = c
        t.rows[3].cells[0].text = "{%tr endfor %}"
        return t

    doc = Document()
    title(doc, "发展党员全程纪实")
    doc.add_paragraph("姓名：{{ name }}　性别：{{ gender }}　出生日期：{{ birth_date }}")
    doc.add_paragraph("所在党支部：{{ unit }}　政治面貌：{{ status }}")
    doc.add_paragraph("当前阶段：{{ stage }}（{{ case_status }}）{% if probation_ends_on %}　预备期满：{{ probation_ends_on }}{% endif %}")
    doc.add_paragraph("{% if extension %}{{ extension }}{% endif %}")
    table(doc, ["步骤", "名称", "日期", "责任人", "材料", "情况与意见"],
          ["{{ s.code }}", "{{ s.name }}", "{{ s.date }}", "{{ s.responsible }}", "{{ s.documents }}",
           "{{ s.detail }}"], "s in steps")
    doc.add_paragraph("")
    doc.add_paragraph("规则检查：{% if not violations %}未发现不符合规定之处。{% endif %}")
    doc.add_paragraph("{%p for v in violations %}")
    doc.add_paragraph("{{ loop.index }}. {{ v.message }}（依据：{{ v.source }}）{{ v.excepted }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("生成日期：{{ today }}")
    doc.save(target / "record.docx")

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.5)
    title(doc, "{{ year }}年发展党员工作台账")
    doc.add_paragraph("共 {{ count }} 人")
    table(doc, ["序号", "姓名", "党支部", "申请入党", "确定积极分子", "确定发展对象", "支部大会接收", "上级党委审批",
                "支部大会转正", "转正审批", "阶段", "状态"],
          ["{{ r.n }}", "{{ r.name }}", "{{ r.unit }}", "{{ r.dates[0] }}", "{{ r.dates[1] }}", "{{ r.dates[2] }}",
           "{{ r.dates[3] }}", "{{ r.dates[4] }}", "{{ r.dates[5] }}", "{{ r.dates[6] }}", "{{ r.stage }}",
           "{{ r.status }}"], "r in rows")
    doc.save(target / "ledger.docx")
