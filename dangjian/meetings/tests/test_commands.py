"""`dangjian compliance` and `dangjian import_meetings`: formats, options, exit status.

Under call_command a non-zero exit is a CommandError whose `returncode` is what `manage.py` exits with.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.importer import MEETING_HEADERS
from dangjian.meetings.models import Meeting
from dangjian.people.tests.xlsx import table

from .test_compliance import make_meeting
from .test_importer import row


def run(command: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def year_so_far(college):
    make_meeting(college.t1, K.THEME_DAY, date(2026, 1, 20), counts_as=(K.BRANCH_GENERAL, K.LECTURE))
    make_meeting(college.t1, K.BRANCH_COMMITTEE, date(2026, 3, 5))
    make_meeting(college.t1, K.THEME_DAY, date(2026, 2, 18), status=S.RETURNED)
    return college


# ---------------------------------------------------------------- compliance


def test_compliance_json_has_the_issue_shape_for_one_unit_as_of_a_day(year_so_far):
    code, out = run("compliance", "--year", "2026", "--unit", "JY-T1", "--as-of", "2026-07-15", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["year"], data["as_of"]) == (2026, "2026-07-15")
    assert [u["code"] for u in data["units"]] == ["JY-T1", "JY-T1-G1", "JY-T1-G2"]
    t1 = data["units"][0]
    assert t1["name"] == "教工第一党支部"
    reqs = {(r["kind"], r["period"]): r for r in t1["requirements"]}
    assert reqs[("branch_committee", "2026-03")] == {"kind": "branch_committee", "period": "2026-03", "required": 1,
                                                     "held": 1, "status": "met"}
    assert reqs[("branch_general", "2026-Q3")]["status"] == "due"  # 2026-07-15 is in Q3
    assert reqs[("theme_day", "2026-02")]["status"] == "missed"  # only a returned record
    assert reqs[("theme_day", "2026-08")]["status"] == "upcoming"


def test_compliance_text_is_the_default_format(year_so_far):
    code, out = run("compliance", "--year", "2026", "--unit", "JY-U1", "--as-of", "2026-05-15")
    assert code == 0
    assert out.splitlines()[0] == "2026 年组织生活合规情况（截至 2026-05-15）"
    assert "JY-U1 本科生第一党支部" in out
    assert "党小组会：2026-01 不适用" in out
    assert "主题党日：2026-01 未完成 0/1" in out


def test_compliance_xlsx_is_written_to_a_file(year_so_far, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = run("compliance", "--year", "2026", "--as-of", "2026-05-15", "--format", "xlsx")
    assert code == 0 and "compliance-2026.xlsx" in out
    wb = load_workbook(tmp_path / "compliance-2026.xlsx")
    assert wb.sheetnames == ["明细", "按月汇总", "说明"]
    rows = list(wb["明细"].iter_rows(values_only=True))
    assert rows[0] == ("党组织编码", "党组织名称", "会议类型", "周期", "应开次数", "已开次数", "状态")
    assert ("JY-T1", "教工第一党支部", "支委会", "2026-03", 1, 1, "已完成") in rows
    monthly = list(wb["按月汇总"].iter_rows(values_only=True))
    assert monthly[0][:4] == ("党组织编码", "党组织名称", "1月", "2月")
    code, out = run("compliance", "--year", "2026", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"))
    assert code == 0 and (tmp_path / "x.xlsx").exists()


def test_compliance_json_can_go_to_a_file(year_so_far, tmp_path):
    path = tmp_path / "c.json"
    code, _out = run("compliance", "--year", "2026", "--format", "json", "--output", str(path))
    assert code == 0 and json.loads(path.read_text(encoding="utf-8"))["year"] == 2026


def test_compliance_refuses_an_unknown_unit_or_a_bad_date(college):
    assert run("compliance", "--year", "2026", "--unit", "JY-X9")[0] == 2
    assert run("compliance", "--as-of", "2026-02-30")[0] == 2


def test_the_year_defaults_to_that_of_as_of(college):
    code, out = run("compliance", "--as-of", "2025-06-01", "--format", "json", "--unit", "JY-U1")
    assert code == 0 and json.loads(out)["year"] == 2025


# ---------------------------------------------------------------- import_meetings


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(table(MEETING_HEADERS, row(), row(日期="2026-03-12", 缺席人员="")))
    return path


@pytest.fixture
def bad(tmp_path) -> Path:
    path = tmp_path / "有错.xlsx"
    path.write_bytes(table(MEETING_HEADERS, row(), row(日期="2026-03-12", 会议类型="座谈会")))
    return path


def test_import_dry_run_exits_0_and_writes_nothing(college, good):
    before = Meeting.objects.count()
    code, out = run("import_meetings", str(good), "--dry-run")
    assert code == 0
    assert "检查通过（未写入）：将新增 2 次会议" in out
    assert Meeting.objects.count() == before


def test_import_with_a_user_exits_0_and_records_the_meetings(college, good):
    code, out = run("import_meetings", str(good), "--user", "organiser")
    assert code == 0, out
    assert "导入完成：新增 2 次会议" in out
    assert Meeting.objects.filter(unit=college.t1, status="held").count() == 2
    assert AuditEvent.objects.get(action="meetings.import.applied").actor_name == college.organiser.display_name


def test_import_from_the_command_line_runs_for_the_whole_college(college, good):
    code, out = run("import_meetings", str(good))
    assert code == 0, out
    assert Meeting.objects.filter(unit=college.t1).count() == 2
    assert AuditEvent.objects.get(action="meetings.import.applied").actor_name == "system"


def test_import_errors_exit_1_with_the_json_report_and_write_nothing(college, bad):
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    code, out = run("import_meetings", str(bad), "--format", "json", "--user", "organiser")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"ok", "created", "updated", "errors", "warnings"}
    assert (data["ok"], data["created"], data["updated"], data["warnings"]) == (False, 0, 0, [])
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in data["errors"]] == [
        (3, "会议类型", "座谈会", "bad_kind")]
    assert set(data["errors"][0]) == {"row", "column", "value", "code", "message"}
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before


def test_import_text_report_lists_each_error(college, bad):
    code, out = run("import_meetings", str(bad), "--dry-run")
    assert code == 1
    assert "第3行 [会议类型] bad_kind" in out


def test_an_unreadable_file_exits_2(college, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_text("党组织编码,会议类型\n", encoding="utf-8")
    code, out = run("import_meetings", str(path), "--format", "json")
    assert code == 2
    assert json.loads(out)["errors"][0]["code"] == "unreadable"
    assert run("import_meetings", str(tmp_path / "none.xlsx"))[0] == 2


def test_a_user_without_the_right_or_unknown_exits_2(college, good):
    assert run("import_meetings", str(good), "--user", "member")[0] == 2
    assert run("import_meetings", str(good), "--user", "nobody")[0] == 2
    assert Meeting.objects.count() == 0
