"""API: roster import — upload → preview → confirm → rollback, its permission matrix and its refusals."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangjian.core.testing import make_id_number
from dangjian.people.models import ImportBatch, Person

from . import PREFIX, SYSTEM_ADMINS, VIEWERS, ApiClient

HEADERS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "人员类别", "工号/学号", "所在单位或班级", "手机号码",
    "电子邮箱", "政治面貌", "所在党支部", "所在党小组", "申请入党日期", "确定入党积极分子日期",
    "确定发展对象日期", "入党日期", "转正日期", "学历", "籍贯", "备注",
]


def xlsx(rows: list[dict[str, object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def new_member_row(**over) -> dict[str, object]:
    birth = date(1988, 6, 1)
    row = {
        "姓名": "孙导入", "性别": "男", "民族": "汉族", "出生日期": birth, "身份证号": make_id_number(birth, 901),
        "人员类别": "教职工", "工号/学号": "T90001", "所在单位或班级": "检验科", "手机号码": "13812345678",
        "政治面貌": "中共党员", "所在党支部": "JY-T1", "所在党小组": "第一党小组",
        "申请入党日期": date(2008, 3, 1), "确定入党积极分子日期": date(2008, 9, 1),
        "确定发展对象日期": date(2009, 9, 1), "入党日期": date(2010, 1, 1), "转正日期": date(2011, 1, 1),
        "学历": "博士研究生",
    }
    # make_id_number's check digit decides the gender digit; keep 性别 consistent with it.
    row["性别"] = "男" if int(str(row["身份证号"])[16]) % 2 else "女"
    row.update(over)
    return row


def update_row(person: Person, **over) -> dict[str, object]:
    row = {
        "姓名": person.name, "性别": "男", "出生日期": person.birth_date, "人员类别": "教职工",
        "工号/学号": person.staff_no, "手机号码": "13900001111", "政治面貌": "中共党员",
        "所在党支部": person.unit.code, "所在党小组": person.group.name if person.group else "",
        "申请入党日期": person.applied_on, "确定入党积极分子日期": person.activist_on,
        "确定发展对象日期": person.candidate_on, "入党日期": person.joined_on, "转正日期": person.full_member_on,
    }
    row.update(over)
    return row


@pytest.fixture
def api(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # staged uploads go to Django storage
    return ApiClient(college)


def upload(api, who: str, data: bytes, name: str = "花名册.xlsx"):
    f = SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return api.client.post(PREFIX + "/roster-imports", data={"file": f}, **api.headers(who))


def test_upload_preview_confirm_rollback(api, college):
    member = college.member_p
    data = xlsx([new_member_row(), update_row(member)])
    people_before = Person.objects.count()

    # Upload: only holders of people.import (the organiser) may; the preview writes nothing.
    expected = dict.fromkeys(VIEWERS, 403)
    expected.update(anonymous=401, organiser=200)
    mismatches = [f"{who}: {r.status_code}" for who, status in expected.items()
                  if (r := upload(api, who, data)).status_code != status]
    assert not mismatches
    preview = upload(api, "organiser", data).json()
    assert preview["token"] == hashlib.sha256(data).hexdigest()
    report = preview["report"]
    assert report["ok"] is True and report["errors"] == []
    assert (report["created"], report["updated"]) == (1, 1)
    changes = {c["action"]: c for c in report["changes"]}
    assert changes["create"]["name"] == "孙导入" and changes["create"]["person_id"] is None
    assert changes["update"]["person_id"] == member.pk
    assert changes["update"]["diffs"]["phone"] == ["", "13900001111"]
    assert Person.objects.count() == people_before
    assert not ImportBatch.objects.exists()

    # Confirm: the same matrix; the organiser's call writes the batch.
    token = preview["token"]
    for who, status in {**expected, "organiser": None}.items():
        if status is not None:
            assert api.post(who, f"/roster-imports/{token}/confirm").status_code == status, who
    confirmed = api.post("organiser", f"/roster-imports/{token}/confirm", {"file_name": "花名册.xlsx"})
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    batch_id = body["batch"]["id"]
    assert body["batch"]["created_count"] == 1 and body["batch"]["updated_count"] == 1
    assert body["batch"]["file_name"] == "花名册.xlsx" and body["batch"]["status"] == "applied"
    assert body["report"]["ok"] is True
    created = Person.objects.get(staff_no="T90001")
    assert created.unit_id == college.t1.pk and created.group_id == college.t1g1.pk
    assert Person.objects.get(pk=member.pk).phone == "13900001111"

    # The batch list is scoped by people.import.
    for who in VIEWERS:
        r = api.get(who, "/roster-imports")
        if who == "anonymous":
            assert r.status_code == 401
        elif who == "organiser":
            assert [b["id"] for b in r.json()["items"]] == [batch_id]
        else:
            assert r.status_code == 200 and r.json()["total"] == 0, who

    # Rollback: out of scope is 404; the organiser undoes the batch exactly.
    for who in ("norole", "member", "secretary", "other_secretary", *SYSTEM_ADMINS):
        assert api.post(who, f"/roster-imports/batches/{batch_id}/rollback").status_code == 404, who
    assert api.post("anonymous", f"/roster-imports/batches/{batch_id}/rollback").status_code == 401
    rolled = api.post("organiser", f"/roster-imports/batches/{batch_id}/rollback")
    assert rolled.status_code == 200, rolled.content
    assert rolled.json()["status"] == "rolled_back" and rolled.json()["rolled_back_at"]
    assert not Person.objects.filter(staff_no="T90001").exists()
    assert Person.objects.get(pk=member.pk).phone == ""
    again = api.post("organiser", f"/roster-imports/batches/{batch_id}/rollback")
    assert again.status_code == 409 and again.json()["code"] == "already_rolled_back"


def test_a_file_with_errors_is_previewed_and_refused_whole(api, college):
    data = xlsx([
        new_member_row(),
        new_member_row(**{"姓名": "坏数据", "工号/学号": "T90002", "身份证号": "110101198806010000",
                          "所在党支部": "不存在的支部"}),
    ])
    preview = upload(api, "organiser", data)
    assert preview.status_code == 200
    report = preview.json()["report"]
    assert report["ok"] is False and (report["created"], report["updated"]) == (0, 0)
    cells = {(e["row"], e["column"]) for e in report["errors"]}
    assert (3, "身份证号") in cells
    assert all(e["code"] and e["message"] for e in report["errors"])

    before = Person.objects.count()
    r = api.post("organiser", f"/roster-imports/{preview.json()['token']}/confirm")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "import_invalid" and body["message"]
    assert body["report"]["ok"] is False and body["report"]["errors"]
    assert Person.objects.count() == before
    assert not ImportBatch.objects.exists()


def test_unreadable_files_and_unknown_tokens(api, college):
    r = upload(api, "organiser", b"this is not a spreadsheet", name="roster.xlsx")
    assert r.status_code == 400 and r.json()["code"] == "unreadable" and r.json()["message"]
    r = api.post("organiser", f"/roster-imports/{'0' * 64}/confirm")
    assert r.status_code == 400 and r.json()["code"] == "expired"
    r = api.post("organiser", "/roster-imports/not-a-token/confirm")
    assert r.status_code == 400 and r.json()["code"] == "expired"
    # No file part at all is a malformed request.
    r = api.client.post(PREFIX + "/roster-imports", data={}, **api.headers("organiser"))
    assert r.status_code == 422
    # Rollback of an unknown batch: 404.
    assert api.post("organiser", "/roster-imports/batches/999999/rollback").status_code == 404
