"""Roster import: every error code at its row and column, all or nothing, updates with diffs, moves, rollback.

Expected rows, columns and values are worked out by hand from the files built here and the fixture college
(dangjian.core.testing.build_college); header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dangjian.core.crypto import decrypt
from dangjian.core.errors import PermissionDenied
from dangjian.core.models import AuditEvent, RuleOverride
from dangjian.core.permissions import Role
from dangjian.core.testing import give_role, make_id_number, make_person, make_user
from dangjian.people import importer, services
from dangjian.people.importer import (
    ROSTER_HEADERS,
    ImportFileError,
    ImportRollbackError,
    apply_roster,
    check_roster,
    load_staged,
    rollback_batch,
    stage_upload,
)
from dangjian.people.models import ImportBatch, Person, Placement

from .xlsx import excel_like_xlsx, masses_row, member_row, table, xlsx_bytes

TODAY = timezone.localdate()


def roster(*rows) -> bytes:
    return table(ROSTER_HEADERS, *rows)


def counts() -> tuple[int, int, int, int]:
    return Person.objects.count(), Placement.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.count()


def issues(report, kind: str = "errors") -> set[tuple[int, str, str]]:
    return {(i.row, i.column, i.code) for i in getattr(report, kind)}


def assert_rejected(data: bytes, actor, expected: set[tuple[int, str, str]]):
    """Applying the file writes nothing and reports exactly `expected` errors."""
    before = counts()
    report, batch = apply_roster(data=data, file_name="bad.xlsx", actor=actor)
    assert batch is None
    assert report.ok is False
    assert (report.created, report.updated) == (0, 0)
    assert issues(report) == expected
    assert counts() == before
    return report


def existing_row(person: Person, branch: str, group: str, **over) -> dict:
    """A row with exactly what the fixture gave `person` (make_person: male faculty full member born 1985-01-01)."""
    row = {
        "姓名": person.name, "性别": "男", "民族": "汉族", "出生日期": date(1985, 1, 1), "人员类别": "教职工",
        "工号/学号": person.staff_no, "政治面貌": "中共党员", "所在党支部": branch, "所在党小组": group,
        "申请入党日期": "2005-03-01", "确定入党积极分子日期": "2005-09-01", "确定发展对象日期": "2006-09-01",
        "入党日期": "2007-01-01", "转正日期": "2008-01-01",
    }
    row.update(over)
    return row


def give_id(person: Person, number: str) -> None:
    services.set_id_number(person, number)
    person.save()


# ---------------------------------------------------------------- valid files


def test_valid_file_creates_people_placements_one_batch_and_one_audit_event(college):
    member = member_row(1)
    before = counts()
    report, batch = apply_roster(data=roster(member, masses_row(2)), file_name="新生.xlsx", actor=college.organiser)

    assert report.ok and (report.created, report.updated) == (2, 0)
    assert report.errors == [] and report.warnings == []
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 1, before[3] + 1)

    p = Person.objects.get(staff_no="N00001")
    assert (p.name, p.name_initials, p.unit, p.group) == ("新党员1", "xdy", college.t1, college.t1g1)  # pinyin skips digits
    assert (p.gender, p.category, p.political_status, p.education) == ("male", "faculty", "full_member", "doctorate")
    assert (p.joined_on, p.full_member_on, p.phone) == (date(2003, 1, 1), date(2004, 1, 1), "13900000001")
    assert decrypt(p.id_number_encrypted) == member["身份证号"]
    assert p.id_number_masked == member["身份证号"][:4] + "*" * 10 + member["身份证号"][-4:]
    student = Person.objects.get(staff_no="S900002")
    assert (student.unit, student.group, student.political_status) == (college.jy, None, "league")
    placement = Placement.objects.get(person=p)
    assert (placement.unit, placement.group, placement.starts_on, placement.ends_on, placement.reason) == (
        college.t1, college.t1g1, TODAY, None, "import")

    assert (batch.created_count, batch.updated_count, batch.status, batch.unit) == (2, 0, "applied", college.jy)
    assert batch.created_by == college.organiser and batch.file_name == "新生.xlsx"
    assert sorted(batch.undo["created"]) == sorted([p.pk, student.pk])
    assert [c.person_id for c in report.changes] == [p.pk, student.pk]
    event = AuditEvent.objects.get(action="people.import.applied")
    assert (event.target_id, event.actor, event.unit) == (str(batch.pk), college.organiser, college.jy)


def test_check_roster_previews_and_writes_nothing(college):
    before = counts()
    report = check_roster(data=roster(member_row(1), masses_row(2)), file_name="a.xlsx", actor=college.organiser)
    assert report.ok and (report.created, report.updated) == (2, 0)
    assert [(c.row, c.action, c.person_id, c.name) for c in report.changes] == [
        (2, "create", None, "新党员1"), (3, "create", None, "新同学2")]
    assert counts() == before


def test_every_date_format_is_accepted(college):
    row = member_row(
        1, 出生日期=datetime(1980, 1, 2), 申请入党日期="2001/03/01", 确定入党积极分子日期="2001.09.01",
        确定发展对象日期="2002年9月1日", 入党日期="2003-1-1", 转正日期=date(2004, 1, 1),
    )
    report, batch = apply_roster(data=roster(row), file_name="a.xlsx", actor=college.organiser)
    assert report.ok, report.errors
    p = Person.objects.get(staff_no="N00001")
    assert (p.birth_date, p.applied_on, p.activist_on, p.candidate_on, p.joined_on, p.full_member_on) == (
        date(1980, 1, 2), date(2001, 3, 1), date(2001, 9, 1), date(2002, 9, 1), date(2003, 1, 1), date(2004, 1, 1))


def test_birth_date_is_taken_from_the_id_number_when_empty(college):
    row = member_row(1, 出生日期=None)
    apply_roster(data=roster(row), file_name="a.xlsx", actor=college.organiser)
    assert Person.objects.get(staff_no="N00001").birth_date == date(1980, 1, 2)


def test_branch_can_be_given_by_name_and_blank_rows_are_skipped(college):
    data = xlsx_bytes(ROSTER_HEADERS, [
        [member_row(1, 所在党支部="教工第二党支部", 所在党小组="第二党小组").get(h) for h in ROSTER_HEADERS],
        [None] * len(ROSTER_HEADERS),
        [member_row(3, 手机号码="12345").get(h) for h in ROSTER_HEADERS],
    ])
    report = check_roster(data=data, file_name="a.xlsx", actor=college.organiser)
    assert issues(report) == {(4, "手机号码", "bad_phone")}
    assert [(c.row, c.name) for c in report.changes] == [(2, "新党员1")]


def test_warning_for_a_member_without_phone_does_not_block(college):
    report, batch = apply_roster(data=roster(member_row(1, 手机号码="")), file_name="a.xlsx", actor=college.organiser)
    assert report.ok and batch is not None
    assert issues(report, "warnings") == {(2, "手机号码", "phone_missing")}
    assert batch.warning_count == 1


# ---------------------------------------------------------------- every error code, at its row and column

# Each case: (name, the bad row, {(column, code)}). The file is [a valid row, the bad row]: errors on row 3.
FUTURE = (TODAY + timedelta(days=400)).isoformat()
ID_1980_01_02 = make_id_number(date(1980, 1, 2), 3)  # the ID member_row(1) uses
BAD_CHECK = ID_1980_01_02[:17] + ("0" if ID_1980_01_02[17] != "0" else "1")

ROW_ERRORS = [
    ("name_required", member_row(1, 姓名=""), {("姓名", "required")}),
    ("gender_required", member_row(1, 性别=""), {("性别", "required")}),
    ("category_required", member_row(1, 人员类别=""), {("人员类别", "required")}),
    ("status_required", member_row(1, 政治面貌=""), {("政治面貌", "required")}),
    ("id_or_staff_no_required", member_row(1, 身份证号="", **{"工号/学号": ""}), {("身份证号", "required")}),
    ("bad_gender", member_row(1, 性别="M"), {("性别", "bad_value")}),
    ("bad_category", member_row(1, 人员类别="老师"), {("人员类别", "bad_value")}),
    ("bad_status", member_row(1, 政治面貌="党员"), {("政治面貌", "bad_value")}),
    ("bad_education", member_row(1, 学历="本科"), {("学历", "bad_value")}),
    ("bad_birth_date", member_row(1, 出生日期="1980-13-01"), {("出生日期", "bad_date")}),
    ("bad_joined_date", member_row(1, 入党日期="2003-02-30"), {("入党日期", "bad_date")}),
    ("words_are_not_a_date", member_row(1, 转正日期="去年"), {("转正日期", "bad_date")}),
    ("future_date", member_row(1, 申请入党日期=FUTURE), {("申请入党日期", "future_date")}),
    ("id_checksum", member_row(1, 身份证号=BAD_CHECK), {("身份证号", "id_checksum")}),
    ("id_too_short", member_row(1, 身份证号="11010119800102"), {("身份证号", "id_checksum")}),
    ("id_birth_mismatch", member_row(1, 出生日期=date(1981, 1, 2)), {("身份证号", "id_birth_mismatch")}),
    ("unknown_branch", member_row(1, 所在党支部="不存在的支部"), {("所在党支部", "unknown_branch")}),
    ("a_group_is_not_a_branch", member_row(1, 所在党支部="JY-T1-G1"), {("所在党支部", "unknown_branch")}),
    ("unknown_group", member_row(1, 所在党小组="第三党小组"), {("所在党小组", "unknown_group")}),
    ("group_of_another_branch", member_row(1, 所在党支部="JY-U1"), {("所在党小组", "unknown_group")}),
    ("group_without_branch", masses_row(1, 所在党小组="第一党小组"), {("所在党小组", "unknown_group")}),
    ("date_order", member_row(1, 确定入党积极分子日期="2000-09-01"), {("确定入党积极分子日期", "date_order")}),
    ("probation_too_short", member_row(1, 转正日期="2003-12-31"), {("转正日期", "probation_too_short")}),
    ("full_member_without_full_date", member_row(1, 转正日期=""), {("政治面貌", "status_dates_mismatch")}),
    ("probationary_with_full_date", member_row(1, 政治面貌="中共预备党员"), {("政治面貌", "status_dates_mismatch")}),
    ("probationary_without_joined_date", member_row(1, 政治面貌="中共预备党员", 入党日期="", 转正日期=""),
     {("政治面貌", "status_dates_mismatch")}),
    ("non_member_with_joined_date", masses_row(1, 入党日期="2023-01-01"), {("政治面貌", "status_dates_mismatch")}),
    ("member_without_branch", member_row(1, 所在党支部="", 所在党小组=""),
     {("所在党支部", "status_dates_mismatch")}),
    ("too_young", member_row(1, 申请入党日期="1997-12-31"), {("申请入党日期", "too_young")}),
    ("bad_phone", member_row(1, 手机号码="1391234567"), {("手机号码", "bad_phone")}),
    ("landline_is_not_a_mobile", member_row(1, 手机号码="01012345678"), {("手机号码", "bad_phone")}),
    ("bad_email", member_row(1, 电子邮箱="not-an-email"), {("电子邮箱", "bad_email")}),
]


@pytest.mark.parametrize(("row", "expected"), [c[1:] for c in ROW_ERRORS], ids=[c[0] for c in ROW_ERRORS])
def test_row_error_is_reported_at_its_row_and_column_and_nothing_is_written(college, row, expected):
    assert_rejected(roster(member_row(7), row), college.organiser, {(3, column, code) for column, code in expected})


def test_error_carries_the_cell_value_and_a_chinese_message(college):
    report = check_roster(data=roster(member_row(1, 手机号码="12345")), file_name="a.xlsx", actor=college.organiser)
    assert report.errors[0].as_dict() == {
        "row": 2, "column": "手机号码", "value": "12345", "code": "bad_phone", "message": "手机号码应为11位中国大陆手机号。"}


def test_id_number_values_in_the_report_are_masked(college):
    report = check_roster(data=roster(member_row(1, 身份证号=BAD_CHECK)), file_name="a.xlsx", actor=college.organiser)
    assert report.errors[0].value == BAD_CHECK[:4] + "**********" + BAD_CHECK[-4:]


def test_id_number_typed_as_a_number_asks_for_text(college):
    number = int(ID_1980_01_02[:17] + "0")  # what Excel keeps of a long number (the check digit is lost)
    report = check_roster(data=roster(member_row(1, 身份证号=number)), file_name="a.xlsx", actor=college.organiser)
    assert [(i.row, i.column, i.code) for i in report.errors] == [(2, "身份证号", "id_checksum")]
    assert "文本格式" in report.errors[0].message


def test_age_limit_comes_from_the_rules_registry(college):
    RuleOverride.objects.create(code="recruitment.min_age", value=22, reason="本院规定")
    # Born 1980-01-02, applied 2001-03-01: 21 years old.
    assert_rejected(roster(member_row(1)), college.organiser, {(2, "申请入党日期", "too_young")})


def test_duplicate_id_number_in_file_is_reported_on_the_later_row(college):
    first = member_row(1)
    again = member_row(2, 身份证号=first["身份证号"], 性别="男", 出生日期=date(1980, 1, 2))
    assert_rejected(roster(first, member_row(3), again), college.organiser, {(4, "身份证号", "duplicate_in_file")})


def test_duplicate_staff_no_in_file_is_reported_on_the_later_row(college):
    assert_rejected(
        roster(member_row(1), member_row(2, **{"工号/学号": "N00001"})), college.organiser,
        {(3, "工号/学号", "duplicate_in_file")},
    )


def test_several_errors_in_one_row_are_all_reported(college):
    row = member_row(1, 性别="M", 手机号码="123", 电子邮箱="x", 所在党支部="JY-X")
    assert_rejected(roster(row), college.organiser, {
        (2, "性别", "bad_value"), (2, "手机号码", "bad_phone"), (2, "电子邮箱", "bad_email"),
        (2, "所在党支部", "unknown_branch"),
    })


def test_one_bad_row_stops_the_whole_file(college):
    report = assert_rejected(
        roster(member_row(1), masses_row(2), member_row(3, 转正日期="2003-06-01")), college.organiser,
        {(4, "转正日期", "probation_too_short")},
    )
    assert [c.row for c in report.changes] == [2, 3]  # the preview still lists what the valid rows would do


def test_dissolved_branch_is_unknown(college):
    college.t2.dissolved_on = date(2025, 1, 1)
    college.t2.save()
    assert_rejected(roster(member_row(1, 所在党支部="JY-T2")), college.organiser, {(2, "所在党支部", "unknown_branch")})


# ---------------------------------------------------------------- headers and shifted columns


def test_missing_header_is_reported_in_row_1(college):
    headers = [h for h in ROSTER_HEADERS if h != "民族"]
    data = xlsx_bytes(headers, [[member_row(1).get(h) for h in headers]])
    assert_rejected(data, college.organiser, {(1, "民族", "bad_header")})


def test_unexpected_header_is_reported_in_row_1(college):
    headers = [*ROSTER_HEADERS, "职务"]
    data = xlsx_bytes(headers, [[member_row(1).get(h) for h in ROSTER_HEADERS] + ["支部书记"]])
    assert_rejected(data, college.organiser, {(1, "职务", "bad_header")})


def test_misspelt_header_is_both_unexpected_and_missing(college):
    headers = ["姓别" if h == "性别" else h for h in ROSTER_HEADERS]
    data = xlsx_bytes(headers, [[member_row(1).get(h) for h in ROSTER_HEADERS]])
    assert_rejected(data, college.organiser, {(1, "姓别", "bad_header"), (1, "性别", "bad_header")})


def test_columns_in_another_order_are_read_by_their_titles(college):
    headers = list(reversed(ROSTER_HEADERS))
    data = xlsx_bytes(headers, [[member_row(1).get(h) for h in headers]])
    report = check_roster(data=data, file_name="a.xlsx", actor=college.organiser)
    assert report.ok and report.created == 1


def test_data_shifted_one_column_right_shows_up_as_bad_values(college):
    values = [member_row(1).get(h) for h in ROSTER_HEADERS]
    shifted = [values[0], None, *values[1:]]  # a cell inserted after 姓名 pushes everything right
    # 性别 ← empty, 出生日期 ← "汉族", 身份证号 ← the birth date, 人员类别 ← the ID number, 手机号码 ← "检验系",
    # 电子邮箱 ← the phone, 政治面貌 ← the e-mail, 所在党支部 ← "中共党员", 申请入党日期 ← "第一党小组",
    # 转正日期 ← 2003-01-01 (入党日期 ← 2002-09-01, so probation is short), 学历 ← "2004-01-01".
    assert_rejected(xlsx_bytes(ROSTER_HEADERS, [shifted]), college.organiser, {
        (2, "性别", "required"), (2, "出生日期", "bad_date"), (2, "身份证号", "id_checksum"),
        (2, "人员类别", "bad_value"), (2, "手机号码", "bad_phone"), (2, "电子邮箱", "bad_email"),
        (2, "政治面貌", "bad_value"), (2, "所在党支部", "unknown_branch"), (2, "申请入党日期", "bad_date"),
        (2, "转正日期", "probation_too_short"), (2, "学历", "bad_value"),
    })


def test_file_saved_by_excel_with_shared_strings_and_date_styles_is_read(college, monkeypatch):
    def no_fallback(data):
        raise AssertionError("the fast reader should read an Excel-saved file by itself")

    row = member_row(1, 姓名=("新", "党员"), 入党日期=datetime(2003, 1, 1), 转正日期=date(2004, 1, 1),
                     手机号码=13900000001, 备注=True)
    data = excel_like_xlsx([ROSTER_HEADERS, [row.get(h) for h in ROSTER_HEADERS]])
    assert [(n, list(v)) for n, v in importer._openpyxl_rows(data)] == list(importer._xml_rows(data))
    monkeypatch.setattr(importer, "_openpyxl_rows", no_fallback)
    report, _batch = apply_roster(data=data, file_name="excel.xlsx", actor=college.organiser)
    assert report.ok, report.errors
    p = Person.objects.get(staff_no="N00001")
    assert (p.name, p.phone, p.note) == ("新党员", "13900000001", "是")  # the phonetic guide is not part of the name
    assert (p.birth_date, p.joined_on, p.full_member_on) == (date(1980, 1, 2), date(2003, 1, 1), date(2004, 1, 1))


# ---------------------------------------------------------------- unreadable files


def _xlsx() -> bytes:
    return roster(member_row(1))


@pytest.mark.parametrize("kind", ["empty", "csv", "corrupt_zip", "truncated"])
def test_unreadable_file_raises_unreadable(college, kind):
    data = {
        "empty": b"", "csv": "姓名,性别\n张三,男\n".encode(), "corrupt_zip": b"PK\x03\x04broken zip",
        "truncated": _xlsx()[:300],
    }[kind]
    before = counts()
    for call in (check_roster, apply_roster):
        with pytest.raises(ImportFileError) as exc:
            call(data=data, file_name="x.xlsx", actor=college.organiser)
        assert exc.value.code == "unreadable"
    assert counts() == before


def test_workbook_with_an_empty_sheet_is_unreadable(college):
    with pytest.raises(ImportFileError) as exc:
        check_roster(data=xlsx_bytes([]), file_name="x.xlsx", actor=college.organiser)
    assert exc.value.code == "unreadable"


def test_file_over_the_size_limit_is_unreadable(college, settings):
    data = _xlsx()
    settings.IMPORT_MAX_BYTES = len(data) - 1
    with pytest.raises(ImportFileError) as exc:
        apply_roster(data=data, file_name="x.xlsx", actor=college.organiser)
    assert exc.value.code == "unreadable"


def test_header_only_file_reports_no_data_rows(college):
    assert_rejected(xlsx_bytes(ROSTER_HEADERS), college.organiser, {(2, "姓名", "required")})


# ---------------------------------------------------------------- updates


def test_row_matching_an_id_number_updates_that_person_with_diffs(college):
    p = college.member_p  # 王党员, JY-T1 第二党小组
    number = make_id_number(date(1985, 1, 1), 501)
    give_id(p, number)
    row = existing_row(p, "JY-T1", "第二党小组", 身份证号=number, 手机号码="13912345678", 所在单位或班级="检验系",
                       **{"工号/学号": "W0001"})
    before = counts()
    report, batch = apply_roster(data=roster(row), file_name="a.xlsx", actor=college.organiser)

    assert report.ok and (report.created, report.updated) == (0, 1)
    assert [(c.row, c.action, c.person_id) for c in report.changes] == [(2, "update", p.pk)]
    assert report.changes[0].diffs == {
        "staff_no": [p.staff_no, "W0001"], "phone": ["", "13912345678"], "affiliation": ["", "检验系"]}
    assert counts() == (before[0], before[1], before[2] + 1, before[3] + 1)  # no new person, no placement
    p2 = Person.objects.get(pk=p.pk)
    assert (p2.staff_no, p2.phone, p2.affiliation, p2.version) == ("W0001", "13912345678", "检验系", p.version + 1)
    assert batch.undo["updated"] == {str(p.pk): {
        "fields": {"staff_no": p.staff_no, "phone": "", "affiliation": ""},
        "version": p.version + 1, "version_before": p.version}}


def test_row_matching_a_staff_no_updates_and_moves_the_person(college):
    p = college.secretary_p  # 张书记, JY-T1 第一党小组, no ID number on record
    row = existing_row(p, "教工第二党支部", "第二党小组", 手机号码="13800000001")
    before = counts()
    report, batch = apply_roster(data=roster(row), file_name="a.xlsx", actor=college.organiser)

    assert report.ok and report.updated == 1
    assert report.changes[0].diffs == {
        "unit": ["JY-T1", "JY-T2"], "group": ["JY-T1-G1", "JY-T2-G2"], "phone": ["", "13800000001"]}
    assert issues(report, "warnings") == {(2, "所在党支部", "branch_changed")}
    assert counts() == (before[0], before[1] + 1, before[2] + 1, before[3] + 1)
    p2 = Person.objects.get(pk=p.pk)
    assert (p2.unit, p2.group, p2.phone) == (college.t2, college.t2g2, "13800000001")
    closed, opened = Placement.objects.filter(person=p).order_by("starts_on", "id")
    assert (closed.unit, closed.starts_on, closed.ends_on) == (college.t1, date(2020, 1, 1), TODAY - timedelta(days=1))
    assert (opened.unit, opened.group, opened.starts_on, opened.ends_on, opened.reason) == (
        college.t2, college.t2g2, TODAY, None, "import")
    assert [m["new_placement"] for m in batch.undo["placements"]] == [opened.pk]
    assert batch.unit == college.jy  # touches JY-T1 and JY-T2


def test_giving_an_id_number_to_a_person_without_one_shows_a_masked_diff(college):
    p = college.member_p
    number = make_id_number(date(1985, 1, 1), 503)
    report, _batch = apply_roster(data=roster(existing_row(p, "JY-T1", "第二党小组", 身份证号=number, 手机号码="13900000000")),
                                  file_name="a.xlsx", actor=college.organiser)
    assert report.changes[0].diffs == {"phone": ["", "13900000000"], "id_number": ["***", "***"]}
    assert decrypt(Person.objects.get(pk=p.pk).id_number_encrypted) == number


def test_identical_row_changes_nothing(college):
    p = college.member_p
    report, batch = apply_roster(data=roster(existing_row(p, "JY-T1", "第二党小组", 手机号码="")),
                                 file_name="a.xlsx", actor=college.organiser)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Person.objects.get(pk=p.pk).version == p.version


def test_id_number_of_one_person_and_staff_no_of_another_is_an_error(college):
    p = college.member_p
    number = make_id_number(date(1985, 1, 1), 505)
    give_id(p, number)
    row = existing_row(p, "JY-T1", "第二党小组", 身份证号=number, **{"工号/学号": college.secretary_p.staff_no})
    assert_rejected(roster(row), college.organiser, {(2, "工号/学号", "duplicate")})


def test_two_rows_for_the_same_person_are_a_duplicate(college):
    p = college.member_p
    number = make_id_number(date(1985, 1, 1), 507)
    give_id(p, number)
    by_id = existing_row(p, "JY-T1", "第二党小组", 身份证号=number, **{"工号/学号": "W0002"})
    by_staff_no = existing_row(p, "JY-T1", "第二党小组")
    assert_rejected(roster(by_id, by_staff_no), college.organiser, {(3, "工号/学号", "duplicate_in_file")})


# ---------------------------------------------------------------- scope


def test_actor_without_import_right_is_refused(college):
    with pytest.raises(PermissionDenied):
        check_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.secretary)
    with pytest.raises(PermissionDenied):
        apply_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.secretary)


@pytest.fixture
def t1_importer(college):
    """Party-affairs staff of 教工第一党支部 only: may import into JY-T1, not elsewhere."""
    person = make_person(college.t1, "孙干事")
    give_role(person, college.t1, Role.PARTY_AFFAIRS)
    return make_user("t1_importer", person)


def test_scoped_actor_cannot_reach_other_branches_or_their_people(college, t1_importer):
    other = existing_row(college.t2_member, "JY-T1", "")  # 赵党员 lives in JY-T2
    assert_rejected(
        roster(member_row(1, 所在党支部="JY-T2", 所在党小组=""), masses_row(2), other), t1_importer,
        {(2, "所在党支部", "unknown_branch"), (4, "所在党支部", "unknown_branch")},
    )


def test_scoped_actor_puts_non_members_under_the_committee_above(college, t1_importer):
    report, batch = apply_roster(data=roster(masses_row(2), member_row(1)), file_name="a.xlsx", actor=t1_importer)
    assert report.ok
    assert Person.objects.get(staff_no="S900002").unit == college.jy
    assert batch.created_by == t1_importer


# ---------------------------------------------------------------- rollback


def _state():
    people = {
        p["id"]: p for p in Person.objects.values().order_by("id")
    }
    for p in people.values():
        p.pop("version")
        p.pop("updated_at")
    placements = set(Placement.objects.values_list("id", "person_id", "unit_id", "group_id", "starts_on", "ends_on", "reason"))
    return people, placements


def test_rollback_restores_everything_exactly(college):
    member = college.member_p
    number = make_id_number(date(1985, 1, 1), 509)
    give_id(member, number)
    before_state, before_counts = _state(), counts()
    data = roster(
        member_row(1),
        existing_row(member, "JY-T1", "第二党小组", 身份证号=number, 手机号码="13912345678", 姓名="王新党员"),
        existing_row(college.secretary_p, "JY-T2", "第一党小组"),
    )
    report, batch = apply_roster(data=data, file_name="a.xlsx", actor=college.organiser)
    assert report.ok and (report.created, report.updated) == (1, 2)

    rolled = rollback_batch(batch=batch, actor=college.organiser)

    assert rolled.status == "rolled_back" and rolled.rolled_back_by == college.organiser
    assert _state() == before_state
    assert counts() == (before_counts[0], before_counts[1], before_counts[2] + 1, before_counts[3] + 2)
    assert AuditEvent.objects.filter(action="people.import.rolled_back", target_id=str(batch.pk)).count() == 1
    assert Person.objects.get(pk=member.pk).name_initials == "wdy"


def test_two_batches_roll_back_newest_first(college):
    p = college.member_p
    before_state = _state()
    first, batch_a = apply_roster(
        data=roster(member_row(1), existing_row(p, "JY-T1", "第二党小组", 手机号码="13912345678")),
        file_name="a.xlsx", actor=college.organiser)
    second, batch_b = apply_roster(
        data=roster(member_row(1, 手机号码="13700000000"),
                    existing_row(p, "JY-T1", "第二党小组", 手机号码="13912345678", 所在单位或班级="检验系")),
        file_name="b.xlsx", actor=college.organiser)
    assert (first.created, first.updated, second.created, second.updated) == (1, 1, 0, 2)
    with pytest.raises(ImportRollbackError) as exc:
        rollback_batch(batch=batch_a, actor=college.organiser)
    assert exc.value.code == "changed_since_import"
    rollback_batch(batch=batch_b, actor=college.organiser)
    rollback_batch(batch=batch_a, actor=college.organiser)
    assert _state() == before_state


def test_rollback_is_refused_when_a_created_person_has_other_records(college):
    _report, batch = apply_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.organiser)
    created = Person.objects.get(staff_no="N00001")
    give_role(created, college.t1, Role.BRANCH_COMMITTEE_MEMBER)
    before = counts()
    with pytest.raises(ImportRollbackError) as exc:
        rollback_batch(batch=batch, actor=college.organiser)
    assert exc.value.code == "rollback_conflict"
    assert counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"


def test_rollback_is_refused_after_a_later_edit(college):
    p = college.member_p
    report, batch = apply_roster(data=roster(existing_row(p, "JY-T1", "第二党小组", 手机号码="13912345678")),
                                 file_name="a.xlsx", actor=college.organiser)
    fresh = Person.objects.get(pk=p.pk)
    services.update_person(actor=college.organiser, person=fresh, version=fresh.version, note="后来修改")
    before = counts()
    with pytest.raises(ImportRollbackError) as exc:
        rollback_batch(batch=batch, actor=college.organiser)
    assert exc.value.code == "changed_since_import"
    assert "王党员" in exc.value.message
    assert counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"
    assert (Person.objects.get(pk=p.pk).note, Person.objects.get(pk=p.pk).phone) == ("后来修改", "13912345678")


def test_rollback_is_refused_when_a_created_person_was_edited(college):
    _report, batch = apply_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.organiser)
    created = Person.objects.get(staff_no="N00001")
    services.update_person(actor=college.organiser, person=created, version=created.version, note="已核对")
    with pytest.raises(ImportRollbackError) as exc:
        rollback_batch(batch=batch, actor=college.organiser)
    assert exc.value.code == "changed_since_import"
    assert Person.objects.filter(staff_no="N00001").exists()


def test_rollback_twice_is_refused(college):
    _report, batch = apply_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.organiser)
    rollback_batch(batch=batch, actor=None)
    with pytest.raises(ImportRollbackError) as exc:
        rollback_batch(batch=batch, actor=college.organiser)
    assert exc.value.code == "already_rolled_back"


def test_rollback_needs_the_import_right_on_the_batch_unit(college):
    _report, batch = apply_roster(data=roster(member_row(1)), file_name="a.xlsx", actor=college.organiser)
    with pytest.raises(PermissionDenied):
        rollback_batch(batch=batch, actor=college.secretary)
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"


# ---------------------------------------------------------------- staging between preview and confirm


def test_staged_upload_round_trips_by_its_hash(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = _xlsx()
    token = stage_upload(data=data, file_name="a.xlsx", actor=college.organiser)
    assert token == check_roster(data=data, file_name="a.xlsx", actor=college.organiser).file_hash
    assert (tmp_path / "imports" / f"{token}.xlsx").read_bytes() == data
    assert load_staged(token) == data
    assert stage_upload(data=data, file_name="again.xlsx", actor=college.organiser) == token


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "0" * 64])
def test_missing_or_malformed_staged_token_has_expired(college, settings, tmp_path, token):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ImportFileError) as exc:
        load_staged(token)
    assert exc.value.code == "expired"


def test_staging_needs_the_import_right(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        stage_upload(data=_xlsx(), file_name="a.xlsx", actor=college.member)
