"""Roster export and the import template (DESIGN §10): the same columns as the importer reads.

ID numbers leave the system masked only (DESIGN §14); the full number is never written to a file.
"""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _

from .choices import Education, Gender, PersonCategory, PoliticalStatus
from .importer import ROSTER_HEADERS, choice_labels

DATE_FORMAT = "yyyy-mm-dd"
_WIDTHS = {"姓名": 10, "身份证号": 22, "所在单位或班级": 20, "手机号码": 14, "电子邮箱": 24, "所在党支部": 20,
           "备注": 30}


def _workbook(title: str):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    from openpyxl.utils import get_column_letter

    for i, header in enumerate(ROSTER_HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(header, 14)
    ws.freeze_panes = "A2"
    return wb, ws


def _header_cells(ws):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    cells = []
    for header in ROSTER_HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
        cells.append(cell)
    return cells


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _allowed_values() -> list[tuple[str, str]]:
    dates = _("日期：2024-05-01、2024/05/01、2024.05.01、2024年5月1日 或 Excel 日期")
    return [
        ("性别", "、".join(choice_labels(Gender).values())),
        ("人员类别", "、".join(choice_labels(PersonCategory).values())),
        ("政治面貌", "、".join(choice_labels(PoliticalStatus).values())),
        ("学历", "、".join(choice_labels(Education).values())),
        ("身份证号", _("18位，校验位须正确；身份证号与工号/学号至少填写一项")),
        ("手机号码", _("11位中国大陆手机号")),
        ("所在党支部", _("党支部名称或组织编码；非党员可不填（归入院党委）")),
        ("所在党小组", _("所填党支部下的党小组名称")),
        ("出生日期、申请入党日期、确定入党积极分子日期、确定发展对象日期、入党日期、转正日期", dates),
        ("必填", _("姓名、性别、人员类别、政治面貌")),
    ]


def roster_template() -> bytes:
    """The import template: the header row in the importer's order, and a 说明 sheet with allowed values."""
    wb, ws = _workbook(_("花名册"))
    ws.append(_header_cells(ws))
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 80
    notes.append([_("列"), _("可填写的值")])
    for column, allowed in _allowed_values():
        notes.append([column, allowed])
    return _save(wb)


def export_roster(people_queryset) -> bytes:
    """The given people (already scoped and filtered by the caller) in the template's columns.

    身份证号 is the masked form; the importer recognises a masked number as "keep the stored one".
    """
    from openpyxl.cell import WriteOnlyCell

    genders, categories = choice_labels(Gender), choice_labels(PersonCategory)
    statuses, educations = choice_labels(PoliticalStatus), choice_labels(Education)
    wb, ws = _workbook(_("花名册"))
    ws.append(_header_cells(ws))

    def cell(value):
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, date):
            c.number_format = DATE_FORMAT
        return c

    for p in people_queryset.select_related("unit", "group").iterator(chunk_size=2000):
        branch = p.unit.name if p.unit.kind == "branch" else ""
        ws.append([cell(x) for x in (
            p.name, genders.get(p.gender, ""), p.ethnicity, p.birth_date, p.id_number_masked,
            categories.get(p.category, ""), p.staff_no, p.affiliation, p.phone, p.email,
            statuses.get(p.political_status, ""), branch, p.group.name if p.group_id else "",
            p.applied_on, p.activist_on, p.candidate_on, p.joined_on, p.full_member_on,
            educations.get(p.education, ""), p.native_place, p.note,
        )])
    return _save(wb)
