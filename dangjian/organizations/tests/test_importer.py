"""Organisation import: creates in file order, updates by code, every error at its row and column, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.core.errors import PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.organizations.importer import ORG_HEADERS, apply_units, check_units
from dangjian.organizations.models import OrgUnit
from dangjian.people.tests.xlsx import table, xlsx_bytes

FUTURE = (timezone.localdate() + timedelta(days=30)).isoformat()


def org_file(*rows) -> bytes:
    return table(ORG_HEADERS, *rows)


def unit_row(name: str, code: str, parent: str, kind: str, **over) -> dict:
    row = {"组织名称": name, "组织编码": code, "上级组织编码": parent, "组织类型": kind}
    row.update(over)
    return row


T3 = unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 组织类别="教工党支部", 成立日期="2020-09-01",
              是否设立支部委员会="是", 本届任期开始日期="2024年6月1日", 任期年限=3)
T3_G1 = unit_row("第一党小组", "JY-T3-G1", "JY-T3", "党小组")


def counts() -> tuple[int, int]:
    return OrgUnit.objects.count(), AuditEvent.objects.count()


def assert_rejected(data: bytes, expected: set[tuple[int, str, str]], actor=None):
    before = counts()
    report = apply_units(data=data, file_name="bad.xlsx", actor=actor)
    assert report.ok is False and (report.created, report.updated) == (0, 0)
    assert {(i.row, i.column, i.code) for i in report.errors} == expected
    assert counts() == before


def test_new_branch_and_its_group_are_created_in_file_order(college):
    before = counts()
    report = apply_units(data=org_file(T3, T3_G1), file_name="org.xlsx", actor=None)
    assert report.ok and (report.created, report.updated) == (2, 0)
    assert counts() == (before[0] + 2, before[1] + 2)
    t3 = OrgUnit.objects.get(code="JY-T3")
    g1 = OrgUnit.objects.get(code="JY-T3-G1")
    assert (t3.parent, t3.kind, t3.category, t3.has_committee, t3.term_years) == (
        college.jy, "branch", "faculty", True, 3)
    assert (t3.established_on, t3.term_started_on) == (date(2020, 9, 1), date(2024, 6, 1))
    assert (t3.path, t3.depth) == (f"{college.jy.path}{t3.pk}/", 1)
    assert (g1.parent, g1.kind, g1.path, g1.depth, g1.has_committee) == (t3, "group", f"{t3.path}{g1.pk}/", 2, False)
    assert [c.person_id for c in report.changes] == [t3.pk, g1.pk]
    assert AuditEvent.objects.filter(action="organizations.unit.imported").count() == 2


def test_check_units_writes_nothing(college):
    before = counts()
    report = check_units(data=org_file(T3, T3_G1), file_name="org.xlsx", actor=None)
    assert report.ok and report.created == 2
    assert counts() == before


def test_existing_code_updates_the_unit_with_diffs(college):
    row = unit_row("教工第二党支部（检验系）", "JY-T2", "JY", "党支部", 组织类别="教工党支部", 是否设立支部委员会="否")
    report = apply_units(data=org_file(row), file_name="org.xlsx", actor=college.organiser)
    assert report.ok and (report.created, report.updated) == (0, 1)
    assert report.changes[0].diffs == {"name": ["教工第二党支部", "教工第二党支部（检验系）"]}
    t2 = OrgUnit.objects.get(code="JY-T2")
    assert (t2.name, t2.version) == ("教工第二党支部（检验系）", college.t2.version + 1)


def test_existing_branch_moves_under_a_general_branch_created_above_it(college):
    z1 = unit_row("学生党总支", "JY-Z1", "JY", "党总支")
    u1 = unit_row("本科生第一党支部", "JY-U1", "JY-Z1", "党支部", 组织类别="学生党支部")
    report = apply_units(data=org_file(z1, u1), file_name="org.xlsx", actor=None)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert report.changes[1].diffs == {"parent": ["JY", "JY-Z1"]}
    zu = OrgUnit.objects.get(code="JY-Z1")
    moved = OrgUnit.objects.get(code="JY-U1")
    assert (moved.parent, moved.path, moved.depth) == (zu, f"{college.jy.path}{zu.pk}/{moved.pk}/", 2)


def test_identical_row_changes_nothing(college):
    row = unit_row("教工第二党支部", "JY-T2", "JY", "党支部", 组织类别="教工党支部")
    report = apply_units(data=org_file(row), file_name="org.xlsx", actor=None)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)


ROW_ERRORS = [
    ("name_required", unit_row("", "JY-T3", "JY", "党支部"), {("组织名称", "required")}),
    ("code_required", unit_row("教工第三党支部", "", "JY", "党支部"), {("组织编码", "required")}),
    ("kind_required", unit_row("教工第三党支部", "JY-T3", "JY", ""), {("组织类型", "required")}),
    ("bad_kind", unit_row("教工第三党支部", "JY-T3", "JY", "支部"), {("组织类型", "bad_value")}),
    ("bad_category", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 组织类别="教师党支部"),
     {("组织类别", "bad_value")}),
    ("bad_date", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 成立日期="2020-02-30"), {("成立日期", "bad_date")}),
    ("future_date", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 本届任期开始日期=FUTURE),
     {("本届任期开始日期", "future_date")}),
    ("bad_yes_no", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 是否设立支部委员会="有"),
     {("是否设立支部委员会", "bad_value")}),
    ("group_with_committee", unit_row("第三党小组", "JY-T1-G3", "JY-T1", "党小组", 是否设立支部委员会="是"),
     {("是否设立支部委员会", "bad_value")}),
    ("term_not_a_number", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 任期年限="三年"), {("任期年限", "bad_value")}),
    ("term_too_long", unit_row("教工第三党支部", "JY-T3", "JY", "党支部", 任期年限=6), {("任期年限", "bad_term")}),
    ("unknown_parent", unit_row("教工第三党支部", "JY-T3", "JY-X", "党支部"), {("上级组织编码", "unknown_parent")}),
    ("group_under_committee", unit_row("第三党小组", "JY-G3", "JY", "党小组"), {("上级组织编码", "bad_parent")}),
    ("top_level_branch", unit_row("教工第三党支部", "JY-T3", "", "党支部"), {("上级组织编码", "bad_parent")}),
    ("own_parent", unit_row("教工第三党支部", "JY-T3", "JY-T3", "党支部"), {("上级组织编码", "bad_parent")}),
    ("kind_of_existing_unit", unit_row("教工第二党支部", "JY-T2", "JY", "党总支"), {("组织类型", "bad_value")}),
    ("group_with_members_moved", unit_row("第一党小组", "JY-T1-G1", "JY-T2", "党小组"),
     {("上级组织编码", "use_restructure")}),
]


@pytest.mark.parametrize(("row", "expected"), [c[1:] for c in ROW_ERRORS], ids=[c[0] for c in ROW_ERRORS])
def test_row_error_is_reported_at_its_row_and_column_and_nothing_is_written(college, row, expected):
    # Row 2 is valid (a new branch JY-T4); the bad row is row 3.
    valid = unit_row("教工第四党支部", "JY-T4", "JY", "党支部")
    assert_rejected(org_file(valid, row), {(3, column, code) for column, code in expected})


def test_parent_later_in_the_file_is_unknown(college):
    assert_rejected(org_file(T3_G1, T3), {(2, "上级组织编码", "unknown_parent")})


def test_duplicate_code_in_file_is_reported_on_the_later_row(college):
    assert_rejected(org_file(T3, T3_G1, T3), {(4, "组织编码", "duplicate_in_file")})


def test_unit_moved_below_its_own_descendant_is_refused(college):
    sub = unit_row("分党委", "JY-SUB", "JY", "党委")
    jy_under_sub = unit_row("检验医学院党委", "JY", "JY-SUB", "党委")
    assert_rejected(org_file(sub, jy_under_sub), {(3, "上级组织编码", "bad_parent")})


def test_missing_header_is_reported_in_row_1(college):
    headers = [h for h in ORG_HEADERS if h != "任期年限"]
    assert_rejected(xlsx_bytes(headers, [[T3.get(h) for h in headers]]), {(1, "任期年限", "bad_header")})


def test_actor_without_org_right_is_refused(college):
    with pytest.raises(PermissionDenied):
        check_units(data=org_file(T3), file_name="org.xlsx", actor=college.secretary)


def test_organiser_cannot_import_a_top_level_committee(college):
    row = unit_row("另一个党委", "XX", "", "党委")
    assert_rejected(org_file(row), {(2, "上级组织编码", "unknown_parent")}, actor=college.organiser)


def test_organiser_can_import_within_the_college(college):
    report = apply_units(data=org_file(T3, T3_G1), file_name="org.xlsx", actor=college.organiser)
    assert report.ok and report.created == 2
    assert AuditEvent.objects.filter(action="organizations.unit.imported", actor=college.organiser).count() == 2
