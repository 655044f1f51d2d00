"""Roster template and export: exact headers, the 说明 sheet, masked ID numbers, and a clean round trip."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from dangjian.core.testing import make_id_number
from dangjian.people import services
from dangjian.people.exporter import export_roster, roster_template
from dangjian.people.importer import ROSTER_HEADERS, check_roster
from dangjian.people.models import Person

from .xlsx import read_rows, sheet_names, xlsx_bytes


def test_template_has_exactly_the_roster_headers_and_a_notes_sheet():
    data = roster_template()
    assert sheet_names(data) == ["花名册", "说明"]
    assert read_rows(data) == [[
        "姓名", "性别", "民族", "出生日期", "身份证号", "人员类别", "工号/学号", "所在单位或班级", "手机号码",
        "电子邮箱", "政治面貌", "所在党支部", "所在党小组", "申请入党日期", "确定入党积极分子日期",
        "确定发展对象日期", "入党日期", "转正日期", "学历", "籍贯", "备注",
    ]]
    notes = {row[0]: row[1] for row in read_rows(data, "说明")}
    assert notes["性别"] == "男、女"
    assert notes["人员类别"] == "教职工、学生、离退休"
    assert notes["政治面貌"] == "群众、共青团员、入党申请人、入党积极分子、发展对象、中共预备党员、中共党员、民主党派成员、无党派人士"
    assert notes["学历"] == "博士研究生、硕士研究生、大学本科、大学专科、高中及以下"


def test_template_is_accepted_by_the_importer_and_only_lacks_data(college):
    report = check_roster(data=roster_template(), file_name="模板.xlsx", actor=college.organiser)
    assert [(i.row, i.column, i.code) for i in report.errors] == [(2, "姓名", "required")]


def _t1_with_id(college) -> tuple[str, Person]:
    number = make_id_number(date(1985, 1, 1), 511)
    p = college.member_p
    services.set_id_number(p, number)
    p.save()
    return number, p


def test_export_masks_id_numbers_and_never_writes_the_full_number(college):
    number, p = _t1_with_id(college)
    data = export_roster(Person.objects.filter(unit=college.t1).order_by("id"))
    rows = read_rows(data)
    assert rows[0] == ROSTER_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张书记", "王党员"}
    wang = by_name["王党员"]
    assert wang[4] == number[:4] + "**********" + number[-4:]
    assert wang[:4] == ["王党员", "男", "汉族", datetime(1985, 1, 1)]
    assert wang[5:7] == ["教职工", p.staff_no]
    assert wang[10:13] == ["中共党员", "教工第一党支部", "第二党小组"]
    assert wang[13:18] == [datetime(2005, 3, 1), datetime(2005, 9, 1), datetime(2006, 9, 1), datetime(2007, 1, 1),
                           datetime(2008, 1, 1)]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(number.encode() in z.read(name) for name in z.namelist())


def test_exported_roster_imports_back_without_changes(college):
    _t1_with_id(college)
    data = export_roster(Person.objects.filter(unit=college.t1))
    report = check_roster(data=data, file_name="导出.xlsx", actor=college.organiser)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_a_masked_id_number_that_does_not_match_the_person_is_an_error(college):
    _number, p = _t1_with_id(college)
    rows = read_rows(export_roster(Person.objects.filter(pk=p.pk)))
    rows[1][4] = "1101**********0000"
    report = check_roster(data=xlsx_bytes(rows[0], rows[1:]), file_name="a.xlsx", actor=college.organiser)
    assert [(i.row, i.column, i.code) for i in report.errors] == [(2, "身份证号", "id_checksum")]
