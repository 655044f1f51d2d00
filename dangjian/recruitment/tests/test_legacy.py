"""档案审查 of legacy files: the shipped sample's report (hand-checked), JSON and Excel forms, the output's exact
shape, unreadable files naming the problem, and the command's exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from dangjian.core.models import AuditEvent
from dangjian.recruitment import legacy

pytestmark = pytest.mark.django_db
SAMPLE = Path(legacy.__file__).parent / "fixtures" / "legacy_sample.json"

# What the sample's cases break (each worked out by hand in the sample's design, see docs/recruitment.md).
EXPECTED = {
    "2022-003": [],
    "2023-017": [("missing_step", s) for s in ("S03", "S04", "S07", "S08", "S12", "S13", "S14", "S16", "S18",
                                                "S19", "S20", "S22")] + [("probation_short", "S23")],
    "2022-011": [("cultivation_too_short", "S07"), ("order_inverted", "S13")],
    "2023-002": [("sponsor_not_full_member", "S09"), ("vote_quorum", "S15"), ("vote_majority", "S23")],
    "2021-020": [("too_young", "S01"), ("talk_late", "S02"), ("public_notice_short", "S13")],
    "2024-008": [("training_too_short", "S11"), ("approval_late", "S17"), ("extension_out_of_range", "S23"),
                 ("conversion_approval_late", "S24")],
    "2024-019": [("missing_step", "S04"), ("review_gap", "S06"), ("missing_step", "S08"), ("missing_step", "S16")],
}


def test_the_sample_file_reports_every_typical_error():
    report = legacy.audit_file(SAMPLE.read_bytes(), SAMPLE.name)
    found = {c["id"]: [(v["code"], v["step"]) for v in c["violations"]] for c in report["cases"]}
    assert found == EXPECTED
    assert report["summary"]["cases"] == 7 and report["summary"]["with_violations"] == 6
    assert report["summary"]["by_code"]["missing_step"] == 15
    assert sum(report["summary"]["by_code"].values()) == sum(len(v) for v in EXPECTED.values())


def test_the_report_has_exactly_the_issues_shape():
    report = legacy.audit_file(SAMPLE.read_bytes(), SAMPLE.name)
    assert set(report) == {"cases", "summary"}
    assert set(report["summary"]) == {"cases", "with_violations", "by_code"}
    for case in report["cases"]:
        assert set(case) == {"id", "violations"}
        for v in case["violations"]:
            assert set(v) == {"code", "step", "message", "rule", "source"}
            assert v["rule"].startswith("recruitment.") and v["source"]
    clean = next(c for c in report["cases"] if c["id"] == "2022-003")
    assert clean["violations"] == []


def test_the_national_day_notice_in_the_sample_counts_four_working_days():
    report = legacy.audit_file(SAMPLE.read_bytes(), SAMPLE.name)
    case = next(c for c in report["cases"] if c["id"] == "2021-020")
    (v,) = [x for x in case["violations"] if x["code"] == "public_notice_short"]
    assert "2025-09-29" in v["message"] and "2025-10-10" in v["message"] and "4个工作日" in v["message"]


def _json(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.mark.parametrize("data,name,code,words", [
    (b"", "a.json", "unreadable", "为空"),
    (b"{not json", "a.json", "unreadable", "第1行"),
    (b'{"items": []}', "a.json", "bad_format", "cases"),
    (_json({"cases": [{"id": "X-1", "steps": {"S07": {"date": "2024-13-01"}}}]}), "a.json", "bad_date", "X-1"),
    (_json({"cases": [{"id": "X-2", "steps": {"S7": {"date": "2024-03-01"}}}]}), "a.json", "bad_format", "S7"),
    (_json({"cases": [{"id": "X-3", "steps": {"S15": {"date": "2024-03-01", "eligible": "many",
                                                      "present": 3, "in_favour": 3}}}]}), "a.json", "bad_number",
     "eligible"),
    (b"a,b", "a.csv", "unsupported", ".csv"),
    (b"PK-not-really", "a.xlsx", "unreadable", "Excel"),
])
def test_an_unreadable_file_is_refused_naming_the_problem(data, name, code, words):
    with pytest.raises(legacy.LegacyFileError) as exc:
        legacy.read_legacy(data, name)
    assert exc.value.code == code and words in exc.value.message


def test_a_case_with_no_steps_has_no_violations():
    report = legacy.audit_file(_json({"cases": [{"id": "1", "name": "甲"}]}), "x.json")
    assert report["cases"] == [{"id": "1", "violations": []}]


def _xlsx(rows: list[dict]) -> bytes:
    cols = legacy._columns()
    wb = Workbook()
    ws = wb.active
    ws.append([h for _k, h in cols])
    for row in rows:
        ws.append([row.get(k) for k, _h in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row_from_json(item: dict) -> dict:
    """The Excel row of a JSON case (the test's own translation, column by column)."""
    row = {"id": item["id"], "name": item["name"], "birth_date": item["birth_date"]}
    for code, value in item["steps"].items():
        if code == "public_notice":
            row["notice_start"], row["notice_end"] = value["start"], value["end"]
        elif code == "extension":
            row["extension_months"] = value["months"]
        elif "reviews" in value:
            row[code] = "；".join(value["reviews"])
        else:
            row[code] = value.get("start") or value.get("date")
            if code == "S05":
                row["mentors"] = "、".join(m["name"] + ("" if m["full_member"] else "（非正式党员）") for m in value["mentors"])
            if code == "S09":
                row["sponsors"] = "、".join(m["name"] + ("" if m["full_member"] else "（非正式党员）") for m in value["sponsors"])
            if code == "S10":
                row["conclusion"] = "合格"
            if code == "S11":
                row["training_end"], row["training_hours"] = value["end"], value["hours"]
            if code in ("S15", "S23"):
                for k in legacy.VOTE_KEYS:
                    row[f"{code}.{k}"] = value.get(k)
            if code in ("S17", "S24"):
                row[f"{code}.special"] = "是" if value.get("special_extension") else "否"
    return row


def test_the_excel_form_gives_the_same_report_as_the_json_form():
    doc = json.loads(SAMPLE.read_text())
    data = _xlsx([_row_from_json(c) for c in doc["cases"]])
    assert legacy.audit_file(data, "档案.xlsx") == legacy.audit_file(SAMPLE.read_bytes(), SAMPLE.name)


def test_the_excel_template_has_every_column_and_reads_as_no_cases():
    data = legacy.legacy_template()
    wb = load_workbook(io.BytesIO(data))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers[:4] == ["编号", "姓名", "出生日期", "S01 递交入党申请书"]
    assert "S15 书面意见赞成" in headers and "公示开始日期" in headers and "延长预备期（月）" in headers
    assert wb.sheetnames == ["发展党员档案", "说明"]


def test_an_excel_file_with_an_unknown_column_is_refused():
    wb = Workbook()
    wb.active.append(["编号", "姓名", "入党时间"])
    wb.active.append(["1", "甲", "2020-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(legacy.LegacyFileError) as exc:
        legacy.read_legacy(buf.getvalue(), "x.xlsx")
    assert exc.value.code == "bad_header" and "入党时间" in exc.value.message


def test_an_excel_file_may_leave_out_columns_and_marks_people_who_are_not_full_members():
    wb = Workbook()
    wb.active.append(["编号", "姓名", "出生日期", "S09 确定入党介绍人", "入党介绍人"])
    wb.active.append(["7", "乙", "2000-01-01", "2024-04-01", "王红、赵刚（留党察看）"])
    buf = io.BytesIO()
    wb.save(buf)
    (case,) = legacy.read_legacy(buf.getvalue(), "x.xlsx")
    assert [(m.name, m.full_member, bool(m.restriction)) for m in case.facts.sponsors] == [
        ("王红", True, False), ("赵刚", True, True)]


def test_a_thousand_cases_are_audited_quickly():
    import time

    doc = json.loads(SAMPLE.read_text())
    cases = [dict(doc["cases"][i % 7], id=f"C{i:04d}") for i in range(1000)]
    data = _json({"cases": cases})
    started = time.perf_counter()
    report = legacy.audit_file(data, "big.json")
    elapsed = time.perf_counter() - started
    assert report["summary"]["cases"] == 1000
    assert elapsed < 5, elapsed


# ---------------------------------------------------------------- the command


def test_the_command_prints_the_json_report_and_exits_0(capsys):
    call_command("recruitment_audit", str(SAMPLE))
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["with_violations"] == 6
    event = AuditEvent.objects.get(action="recruitment.legacy_file.audited")
    assert event.actor_name == "system" and event.note == "legacy_sample.json"


def test_the_command_prints_a_text_report(capsys):
    call_command("recruitment_audit", str(SAMPLE), "--format", "text")
    out = capsys.readouterr().out
    assert "2022-003 王芳：未发现问题" in out
    assert "[S07] cultivation_too_short" in out and "合计：7 份档案，6 份有问题" in out


def test_the_command_exits_2_naming_the_problem(tmp_path):
    bad = tmp_path / "old.json"
    bad.write_text('{"cases": [{"id": "9", "steps": {"S01": {"date": "去年"}}}]}')
    with pytest.raises(CommandError) as exc:
        call_command("recruitment_audit", str(bad))
    assert exc.value.returncode == 2 and "old.json" in str(exc.value) and "去年" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("recruitment_audit", str(tmp_path / "missing.json"))
    assert exc.value.returncode == 2
    assert not AuditEvent.objects.filter(action="recruitment.legacy_file.audited").exists()
