"""`dangjian import_roster` and `dangjian import_org`: exit status 0/1/2, text and JSON output, --dry-run.

Under call_command a non-zero exit is a CommandError whose `returncode` is what `manage.py` exits with
(BaseCommand.run_from_argv); one test runs the real process to prove it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dangjian.core.models import AuditEvent
from dangjian.organizations.importer import ORG_HEADERS
from dangjian.organizations.models import OrgUnit
from dangjian.people.importer import ROSTER_HEADERS
from dangjian.people.models import ImportBatch, Person, Placement

from .xlsx import masses_row, member_row, table


def counts():
    return (Person.objects.count(), Placement.objects.count(), ImportBatch.objects.count(),
            AuditEvent.objects.count(), OrgUnit.objects.count())


def run(command: str, path: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, str(path), *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def good_roster(tmp_path) -> Path:
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(table(ROSTER_HEADERS, member_row(1), masses_row(2)))
    return path


@pytest.fixture
def bad_roster(tmp_path) -> Path:
    path = tmp_path / "有错.xlsx"
    path.write_bytes(table(ROSTER_HEADERS, member_row(1), member_row(2, 手机号码="123", 政治面貌="党员")))
    return path


@pytest.fixture
def not_xlsx(tmp_path) -> Path:
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,性别\n张三,男\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- import_roster


def test_roster_import_exits_0_and_writes_one_batch_from_the_command_line(college, good_roster):
    before = counts()
    code, out = run("import_roster", good_roster)
    assert code == 0
    assert "导入完成：新增 2 人，更新 0 人" in out
    assert counts()[:3] == (before[0] + 2, before[1] + 2, before[2] + 1)
    batch = ImportBatch.objects.get()
    assert (batch.created_by, batch.file_name) == (None, "花名册.xlsx")
    assert AuditEvent.objects.get(action="people.import.applied").actor_name == "system"


def test_roster_import_json_has_exactly_the_report_shape(college, good_roster):
    code, out = run("import_roster", good_roster, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "created": 2, "updated": 0, "errors": [], "warnings": []}


def test_roster_dry_run_exits_0_and_writes_nothing(college, good_roster):
    before = counts()
    code, out = run("import_roster", good_roster, "--dry-run")
    assert code == 0
    assert "检查通过（未写入）：将新增 2 人" in out
    assert counts() == before


def test_roster_with_errors_exits_1_lists_each_error_and_writes_nothing(college, bad_roster):
    before = counts()
    code, out = run("import_roster", bad_roster)
    assert code == 1
    assert "第3行 [手机号码] bad_phone: 手机号码应为11位中国大陆手机号。" in out.splitlines()
    assert any(line.startswith("第3行 [政治面貌] bad_value: ") for line in out.splitlines())
    assert counts() == before


def test_roster_with_errors_in_json(college, bad_roster):
    code, out = run("import_roster", bad_roster, "--dry-run", "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert set(result) == {"ok", "created", "updated", "errors", "warnings"}
    assert (result["ok"], result["created"], result["updated"], result["warnings"]) == (False, 0, 0, [])
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in result["errors"]] == [
        (3, "手机号码", "123", "bad_phone"), (3, "政治面貌", "党员", "bad_value")]
    assert all(set(e) == {"row", "column", "value", "code", "message"} for e in result["errors"])


def test_unreadable_roster_exits_2(college, not_xlsx):
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_roster", str(not_xlsx), stdout=out)
    assert exc.value.returncode == 2
    assert "名单.xlsx" in str(exc.value) and "Excel" in str(exc.value)
    assert out.getvalue() == ""
    assert counts() == before


def test_unreadable_roster_in_json_says_unreadable(college, not_xlsx):
    code, out = run("import_roster", not_xlsx, "--format", "json")
    assert code == 2
    result = json.loads(out)
    assert (result["ok"], result["created"], result["updated"], result["warnings"]) == (False, 0, 0, [])
    assert [e["code"] for e in result["errors"]] == ["unreadable"]


def test_missing_file_exits_2(college, tmp_path):
    code, _out = run("import_roster", tmp_path / "没有这个文件.xlsx")
    assert code == 2


def test_real_process_exit_status_is_2_for_an_unreadable_file(not_xlsx, tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    proc = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_roster", str(not_xlsx)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "名单.xlsx" in proc.stderr


# ---------------------------------------------------------------- import_org

T3 = {"组织名称": "教工第三党支部", "组织编码": "JY-T3", "上级组织编码": "JY", "组织类型": "党支部", "组织类别": "教工党支部"}


def test_org_import_exits_0(college, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(table(ORG_HEADERS, T3))
    code, out = run("import_org", path, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "created": 1, "updated": 0, "errors": [], "warnings": []}
    assert OrgUnit.objects.get(code="JY-T3").parent == college.jy


def test_org_dry_run_writes_nothing(college, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(table(ORG_HEADERS, T3))
    before = counts()
    code, out = run("import_org", path, "--dry-run")
    assert code == 0 and "检查通过（未写入）：将新增 1 个" in out
    assert counts() == before


def test_org_with_errors_exits_1(college, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(table(ORG_HEADERS, T3, {**T3, "组织编码": "JY-T4", "上级组织编码": "JY-X"}))
    before = counts()
    code, out = run("import_org", path)
    assert code == 1
    assert any(line.startswith("第3行 [上级组织编码] unknown_parent: ") for line in out.splitlines())
    assert counts() == before


def test_unreadable_org_file_exits_2(college, not_xlsx):
    code, out = run("import_org", not_xlsx, "--format", "json")
    assert code == 2
    assert [e["code"] for e in json.loads(out)["errors"]] == ["unreadable"]
