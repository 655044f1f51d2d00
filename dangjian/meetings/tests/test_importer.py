"""Import of past meeting records: every error code at its row and column, all or nothing (issue 3 §8).

The fixture college (dangjian.core.testing): JY-T1 (branch committee; 张书记 in G1, 王党员 in G2, both full
members since 2008), JY-T2 (no committee; 李书记, 赵党员; groups G1, G2), JY-U1 (no committee, no groups).
Header is row 1, so the first data row is row 2. Expected values are worked out by hand from these files.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_person, make_unit
from dangjian.meetings import services
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.compliance import compliance
from dangjian.meetings.importer import (
    MEETING_HEADERS,
    apply_meetings,
    check_meetings,
    meetings_template,
    names,
    parse_time,
)
from dangjian.meetings.models import Attendance, Meeting, MeetingCredit, MeetingStep
from dangjian.organizations.models import OrgUnit
from dangjian.people.importer import read_sheet
from dangjian.people.tests.xlsx import table, xlsx_bytes

TODAY = timezone.localdate()


def ledger(*rows) -> bytes:
    return table(MEETING_HEADERS, *rows)


def row(**over):
    """A valid row: JY-T1's 主题党日 of 2026-03-05, also its 党员大会 and 党课, 王党员 absent."""
    base = {
        "党组织编码": "JY-T1", "会议类型": "主题党日", "日期": "2026-03-05", "开始时间": "14:30", "地点": "学院会议室",
        "主题": "三月主题党日：学习贯彻全会精神", "主持人": "张书记", "记录人": "王党员", "应到人数": 2, "实到人数": 1,
        "缺席人员": "王党员", "同时计为": "支部党员大会、党课", "备注": "据纸质台账补录",
    }
    base.update(over)
    return base


def counts():
    return (Meeting.objects.count(), MeetingCredit.objects.count(), Attendance.objects.count(),
            MeetingStep.objects.count(), AuditEvent.objects.count())


def issues(report, kind="errors"):
    return {(i.row, i.column, i.code) for i in getattr(report, kind)}


def rejected(college, data, expected, actor=None):
    """Applying writes nothing and reports exactly `expected`; the preview reports the same."""
    actor = actor or college.organiser
    before = counts()
    report = apply_meetings(data=data, file_name="台账.xlsx", actor=actor)
    assert (report.ok, report.created, report.updated) == (False, 0, 0)
    assert issues(report) == expected
    assert counts() == before
    assert issues(check_meetings(data=data, file_name="台账.xlsx", actor=actor)) == expected
    return report


# ---------------------------------------------------------------- a good file


def test_a_valid_ledger_records_held_meetings_with_credits_and_attendance(college):
    data = ledger(
        row(),
        row(党组织编码="JY-T1-G1", 会议类型="党小组会", 日期=date(2026, 3, 9), 开始时间=time(9, 0), 主题="小组学习",
            主持人="张书记", 记录人="", 应到人数=1, 实到人数=1, 缺席人员="", 同时计为="", 备注=""),
        row(党组织编码="JY-T2", 日期="2026年4月8日", 开始时间="", 主题="四月主题党日", 主持人="李书记", 记录人="赵党员",
            应到人数=None, 实到人数=None, 缺席人员="", 同时计为="党小组会", 备注=""),
    )
    before = counts()
    report = apply_meetings(data=data, file_name="台账.xlsx", actor=college.organiser)
    assert (report.ok, report.created, report.updated, report.errors, report.warnings) == (True, 3, 0, [], [])
    assert Meeting.objects.count() == before[0] + 3
    m = Meeting.objects.get(unit=college.t1, kind=K.THEME_DAY)
    assert (m.status, m.topic, m.place, m.host.name, m.recorder.name, m.note) == (
        "held", "三月主题党日：学习贯彻全会精神", "学院会议室", "张书记", "王党员", "据纸质台账补录")
    assert timezone.localtime(m.starts_at) == timezone.make_aware(datetime(2026, 3, 5, 14, 30))
    assert (m.expected_count, m.present_count) == (2, 1)
    assert sorted(m.credits.values_list("unit__code", "kind")) == [
        ("JY-T1", "branch_general"), ("JY-T1", "lecture"), ("JY-T1", "theme_day")]
    assert dict(m.attendances.values_list("person__name", "status")) == {"张书记": "present", "王党员": "absent"}
    t2 = Meeting.objects.get(unit=college.t2)
    assert timezone.localtime(t2.starts_at).time() == time(14, 30)  # no 开始时间: the default
    assert sorted(t2.credits.values_list("unit__code", "kind")) == [
        ("JY-T2", "theme_day"), ("JY-T2-G1", "group"), ("JY-T2-G2", "group")]
    assert Attendance.objects.filter(meeting=t2).count() == 0  # no names: the ledger's counts only
    assert [c.row for c in report.changes] == [2, 3, 4]
    assert report.changes[0].person_id == m.pk
    assert AuditEvent.objects.filter(action="meetings.meeting.imported").count() == 3
    batch = AuditEvent.objects.get(action="meetings.import.applied")
    assert (batch.unit, batch.changes) == (college.jy, {"created": [0, 3]})


def test_an_imported_combined_sitting_counts_for_three_kinds_in_compliance(college):
    apply_meetings(data=ledger(row()), file_name="台账.xlsx", actor=college.organiser)
    report = compliance(year=2026, as_of=date(2026, 3, 31), units_qs=OrgUnit.objects.filter(code="JY-T1"))
    reqs = {(r["kind"], r["period"]): (r["held"], r["status"]) for r in report["units"][0]["requirements"]}
    assert reqs[("theme_day", "2026-03")] == (1, "met")
    assert reqs[("branch_general", "2026-Q1")] == (1, "met")
    assert reqs[("lecture", "2026-Q1")] == (1, "met")


def test_the_preview_writes_nothing_and_lists_what_each_row_would_create(college):
    before = counts()
    report = check_meetings(data=ledger(row()), file_name="台账.xlsx", actor=college.organiser)
    assert (report.ok, report.created) == (True, 1)
    assert report.changes[0].name == "JY-T1 2026-03-05 主题党日"
    assert counts() == before
    assert report.as_json() == {"ok": True, "created": 1, "updated": 0, "errors": [], "warnings": []}


def test_counts_that_disagree_with_the_names_are_warnings_not_errors(college):
    # 应到 5 − 实到 4 = 1 absent, but two names; the roster expects 2 people, not 5.
    data = ledger(row(应到人数=5, 实到人数=4, 缺席人员="王党员、张书记"))
    report = check_meetings(data=data, file_name="台账.xlsx", actor=college.organiser)
    assert report.ok
    assert issues(report, "warnings") == {(2, "应到人数", "expected_count_mismatch"),
                                          (2, "缺席人员", "absent_count_mismatch")}


# ---------------------------------------------------------------- every error code


def test_bad_header(college):
    headers = [h for h in MEETING_HEADERS if h != "主题"] + ["会议内容"]
    data = xlsx_bytes(headers, [["JY-T1", "主题党日", "2026-03-05"]])
    rejected(college, data, {(1, "会议内容", "bad_header"), (1, "主题", "bad_header")})


def test_required(college):
    rejected(college, ledger(row(主题="", 日期=None), row(党组织编码="", 会议类型="", 日期="2026-03-06")), {
        (2, "主题", "required"), (2, "日期", "required"),
        (3, "党组织编码", "required"), (3, "会议类型", "required"),
    })


def test_unknown_unit_by_code_scope_and_life(college):
    make_unit("JY-U3", "本科生第三党支部", "branch", college.jy, established_on=date(2026, 4, 1))
    data = ledger(
        row(党组织编码="JY-X9"),
        row(党组织编码="JY-U3", 日期="2026-03-20", 缺席人员="", 同时计为="", 主持人="", 记录人=""),
        row(党组织编码="JY-T2", 缺席人员="", 同时计为="", 主持人="", 记录人=""),
    )
    # The JY-T1 secretary may not import for JY-T2; nobody may for a code that does not exist or a branch
    # that did not exist yet.
    rejected(college, data, {(2, "党组织编码", "unknown_unit"), (3, "党组织编码", "unknown_unit"),
                             (4, "党组织编码", "unknown_unit")}, actor=college.secretary)


def test_bad_kind_in_either_kind_column(college):
    rejected(college, ledger(row(会议类型="支部会"), row(日期="2026-03-06", 同时计为="党课、学习会")), {
        (2, "会议类型", "bad_kind"), (3, "同时计为", "bad_kind")})


def test_kind_not_allowed_for_a_group_or_a_branch_without_committee(college):
    data = ledger(
        row(党组织编码="JY-T1-G1", 会议类型="支委会", 缺席人员="", 同时计为=""),
        row(党组织编码="JY-T2", 会议类型="支委会", 缺席人员="", 同时计为=""),
    )
    report = rejected(college, data, {(2, "会议类型", "kind_not_allowed"), (3, "会议类型", "kind_not_allowed")})
    assert "未设支部委员会" in report.errors[1].message


def test_bad_date_and_time(college):
    rejected(college, ledger(row(日期="2026-13-01"), row(日期="2026-03-06", 开始时间="25:00")), {
        (2, "日期", "bad_date"), (3, "开始时间", "bad_date")})


def test_future_date(college):
    tomorrow = TODAY + timedelta(days=1)
    rejected(college, ledger(row(日期=tomorrow, 缺席人员="")), {(2, "日期", "future_date")})


def test_present_exceeds_expected_and_bad_counts(college):
    rejected(college, ledger(row(应到人数=3, 实到人数=5, 缺席人员=""), row(日期="2026-03-06", 应到人数="十二")), {
        (2, "实到人数", "present_exceeds_expected"), (3, "应到人数", "bad_count")})


def test_unknown_person_as_host_ambiguous_or_not_expected(college):
    make_person(college.t2, "王党员")  # a second 王党员, in another branch
    make_person(college.u1, "孙同名")
    make_person(college.jy, "孙同名")
    data = ledger(
        row(主持人="查无此人", 记录人="王党员"),  # 王党员 of JY-T1 is found first in the meeting's own branch
        row(日期="2026-03-06", 记录人="孙同名"),  # two 孙同名, neither in JY-T1
        row(日期="2026-03-07", 缺席人员="赵党员"),  # 赵党员 is in JY-T2: not expected at JY-T1's meeting
    )
    rejected(college, data, {(2, "主持人", "unknown_person"), (3, "记录人", "unknown_person"),
                             (4, "缺席人员", "unknown_person")})


def test_duplicate_meeting_in_the_file_or_already_recorded(college):
    services.record_past_meeting(actor=college.organiser, unit=college.t1, kind=K.THEME_DAY, topic="已有",
                                 starts_at=timezone.make_aware(datetime(2026, 4, 2, 9, 0)))
    data = ledger(row(), row(开始时间="19:00"), row(日期="2026-04-02", 缺席人员=""))
    rejected(college, data, {(3, "日期", "duplicate_meeting"), (4, "日期", "duplicate_meeting")})


def test_bad_combination(college):
    data = ledger(
        row(党组织编码="JY-T1-G1", 会议类型="党小组会", 同时计为="党课", 缺席人员=""),  # a group meeting counts only as itself
        row(党组织编码="JY-U1", 缺席人员="", 同时计为="党小组会", 主持人="", 记录人=""),  # JY-U1 has no party group
        row(党组织编码="JY-T2", 缺席人员="", 同时计为="支委会", 主持人="", 记录人=""),  # not a combination the registry allows
    )
    rejected(college, data, {(2, "同时计为", "bad_combination"), (3, "同时计为", "bad_combination"),
                             (4, "同时计为", "bad_combination")})


def test_a_file_with_one_bad_row_among_good_ones_writes_nothing(college):
    data = ledger(row(), row(日期="2026-03-12", 缺席人员=""), row(日期="2026-03-19", 会议类型="座谈会"))
    report = rejected(college, data, {(4, "会议类型", "bad_kind")})
    assert report.as_json()["errors"] == [{"row": 4, "column": "会议类型", "value": "座谈会", "code": "bad_kind",
                                           "message": report.errors[0].message}]


def test_a_refusal_only_the_service_sees_rolls_back_the_rows_already_written(college, monkeypatch):
    real = services.record_past_meeting
    calls = []

    def flaky(**kw):
        calls.append(kw["starts_at"])
        if len(calls) == 2:
            raise services.MeetingError("duplicate_meeting", "同时有人录入了这次会议", field="starts_at")
        return real(**kw)

    monkeypatch.setattr(services, "record_past_meeting", flaky)
    before = counts()
    report = apply_meetings(data=ledger(row(), row(日期="2026-03-12", 缺席人员="")), file_name="x.xlsx",
                            actor=college.organiser)
    assert (report.ok, report.created) == (False, 0)
    assert issues(report) == {(3, "日期", "duplicate_meeting")}
    assert counts() == before


def test_an_actor_without_the_right_may_not_import(college):
    for who in ("member", "norole", "sysadmin"):
        with pytest.raises(PermissionDenied):
            check_meetings(data=ledger(row()), file_name="x.xlsx", actor=college.users[who])


# ---------------------------------------------------------------- parsing helpers and the template


def test_names_and_times_parse_as_ledgers_write_them():
    assert names("张三、李四，王五 赵六") == ["张三", "李四", "王五", "赵六"]
    assert parse_time("8:05") == time(8, 5)
    assert parse_time("14时30分") == time(14, 30)
    assert parse_time(0.625) == time(15, 0)
    assert parse_time(None) is None
    for bad in ("24:00", "下午", "14:7"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_the_template_has_the_exact_headers():
    issues_, rows = read_sheet(meetings_template(), MEETING_HEADERS)
    assert issues_ == [] and rows == []


def test_domain_errors_of_the_service_name_their_column():
    from dangjian.meetings.importer import FIELD_COLUMNS

    assert set(FIELD_COLUMNS.values()) <= set(MEETING_HEADERS)
    assert isinstance(services.MeetingError("x"), DomainError)
