"""Roster pages: a permission matrix for every page, search by pinyin initials, query counts at two sizes,
the POST flows (edit with a stale version, create, delete, transfer within, reveal an ID number), and the
import wizard (a broken file shows its errors and imports nothing; a good file is confirmed and imported)."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.core.models import AuditEvent
from dangjian.core.scoping import today
from dangjian.core.testing import client_for, make_id_number, make_person, matrix
from dangjian.people import importer, services
from dangjian.people.models import ImportBatch, Person, Transfer

ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}
ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}
HEADERS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "人员类别", "工号/学号", "所在单位或班级", "手机号码", "电子邮箱",
    "政治面貌", "所在党支部", "所在党小组", "申请入党日期", "确定入党积极分子日期", "确定发展对象日期", "入党日期",
    "转正日期", "学历", "籍贯", "备注",
]


def importer_only(**extra):
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 403, "other_secretary": 403,
            "organiser": 200, **ADMINS_403, **extra}


def managers(**extra):
    """Pages that need PEOPLE_MANAGE somewhere: the organiser and both branch secretaries."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
            "organiser": 200, **ADMINS_403, **extra}


def own_branch_manage(**extra):
    """Pages about 王党员 (a member of JY-T1) that need PEOPLE_MANAGE on JY-T1."""
    return {"anonymous": 302, "norole": 404, "member": 403, "secretary": 200, "other_secretary": 404,
            "organiser": 200, **ADMINS_404, **extra}


def xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def member_row(n: int, **over) -> dict:
    birth = date(1988, 3, n)
    row = {
        "姓名": f"导入党员{n}", "性别": "女", "民族": "汉族", "出生日期": birth.isoformat(),
        "身份证号": make_id_number(birth, 500 + n), "人员类别": "教职工", "工号/学号": f"IMP{n:04d}",
        "所在单位或班级": "检验系", "手机号码": f"1390000{n:04d}", "电子邮箱": f"imp{n}@example.edu.cn",
        "政治面貌": "中共党员", "所在党支部": "JY-T1", "所在党小组": "第一党小组", "申请入党日期": "2008-03-01",
        "确定入党积极分子日期": "2008-09-01", "确定发展对象日期": "2009-09-01", "入党日期": "2010-01-01",
        "转正日期": "2011-01-01", "学历": "硕士研究生", "籍贯": "山东济南", "备注": "",
    }
    row.update(over)
    return row


def upload(client, data: bytes, name: str = "花名册.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("people:import"), {"file": f})


@pytest.fixture
def staged(college, settings, tmp_path):
    """A good file staged by the organiser; its preview URL token."""
    settings.MEDIA_ROOT = tmp_path
    return importer.stage_upload(data=xlsx([member_row(1)]), file_name="roster.xlsx", actor=college.organiser)


@pytest.fixture
def batch(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _report, b = importer.apply_roster(data=xlsx([member_row(2)]), file_name="roster.xlsx", actor=college.organiser)
    return b


@pytest.fixture
def with_id_number(college):
    """王党员 with an ID number on file (the fixture people have none)."""
    person = college.member_p
    services.update_person(actor=college.organiser, person=person, version=person.version,
                           id_number=make_id_number(person.birth_date, 77))
    person.refresh_from_db()
    return person


# ---------------------------------------------------------------- permission matrices


def test_roster_matrix(college):
    matrix(college, "get", reverse("people:roster"), {
        "anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
        "organiser": 200, **ADMINS_403,
    })


def test_export_matrix(college):
    matrix(college, "get", reverse("people:export"), managers())


def test_template_matrix(college):
    matrix(college, "get", reverse("people:template"), importer_only())


def test_person_matrix(college):
    matrix(college, "get", reverse("people:person", args=[college.member_p.pk]), {
        "anonymous": 302, "norole": 404, "member": 200, "secretary": 200, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_person_of_the_other_branch_matrix(college):
    matrix(college, "get", reverse("people:person", args=[college.t2_member.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 404, "other_secretary": 200,
        "organiser": 200, **ADMINS_404,
    })


def test_reveal_id_matrix(college, with_id_number):
    matrix(college, "post", reverse("people:reveal_id", args=[with_id_number.pk]), {
        "anonymous": 302, "norole": 404, "member": 403, "secretary": 403, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_person_edit_matrix(college):
    matrix(college, "get", reverse("people:person_edit", args=[college.member_p.pk]), own_branch_manage())


def test_person_delete_matrix(college):
    matrix(college, "get", reverse("people:person_delete", args=[college.member_p.pk]), own_branch_manage())


def test_transfer_matrix(college):
    matrix(college, "get", reverse("people:transfer", args=[college.member_p.pk]), own_branch_manage())


def test_person_create_matrix(college):
    matrix(college, "get", reverse("people:person_create"), managers())


def test_transfer_in_matrix(college):
    matrix(college, "get", reverse("people:transfer_in"), managers())


def test_import_matrix(college):
    matrix(college, "get", reverse("people:import"), importer_only())


def test_import_preview_matrix(college, staged):
    matrix(college, "get", reverse("people:import_preview", args=[staged]), importer_only())


def test_import_confirm_matrix(college, staged):
    matrix(college, "post", reverse("people:import_confirm", args=[staged]), importer_only(organiser=302))


def test_import_batch_matrix(college, batch):
    matrix(college, "get", reverse("people:import_batch", args=[batch.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 404, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_import_rollback_matrix(college, batch):
    matrix(college, "post", reverse("people:import_rollback", args=[batch.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 404, "other_secretary": 404, **ADMINS_404,
    })
    batch.refresh_from_db()
    assert batch.status == "applied"


# ---------------------------------------------------------------- roster


def test_roster_search_by_pinyin_initials(college):
    body = client_for(college.organiser).get(reverse("people:roster"), {"q": "wdy"}).content.decode()
    assert "王党员" in body
    assert "张书记" not in body and "赵党员" not in body


@pytest.mark.parametrize("q", ["王党", "wangdangyuan", "T0"])
def test_roster_search_by_name_full_pinyin_or_staff_no(college, q):
    if q == "T0":
        q = college.member_p.staff_no
    body = client_for(college.organiser).get(reverse("people:roster"), {"q": q}).content.decode()
    assert "王党员" in body and "张书记" not in body


def test_roster_live_search_returns_the_table_partial(college):
    response = client_for(college.organiser).get(
        reverse("people:roster"), {"q": "wdy"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="roster-results")
    body = response.content.decode()
    assert "王党员" in body and 'id="roster-table"' in body
    assert "<html" not in body


def test_roster_filters_by_unit_and_status_and_is_scoped(college):
    client = client_for(college.organiser)
    body = client.get(reverse("people:roster"), {"unit": college.t2.pk}).content.decode()
    assert "赵党员" in body and "王党员" not in body
    body = client.get(reverse("people:roster"), {"status": "activist"}).content.decode()
    assert "钱学生" in body and "王党员" not in body
    secretary_body = client_for(college.secretary).get(reverse("people:roster")).content.decode()
    assert "王党员" in secretary_body and "赵党员" not in secretary_body


def test_roster_shows_masked_id_numbers_and_export_link_with_the_filter(college, with_id_number):
    body = client_for(college.organiser).get(reverse("people:roster"), {"status": "full_member"}).content.decode()
    assert with_id_number.id_number_masked in body
    assert "**********" in with_id_number.id_number_masked
    full = services.reveal_id_number(actor=college.organiser, person=with_id_number)
    assert full not in body
    assert reverse("people:export") + "?status=full_member" in body


def test_roster_query_count_does_not_grow_with_rows(college, django_assert_num_queries):
    client = client_for(college.organiser)
    url = reverse("people:roster")
    for _ in range(5):
        make_person(college.t1, group=college.t1g1)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    n = len(ctx.captured_queries)
    for i in range(35):
        make_person(college.t2 if i % 2 else college.t1, group=college.t2g1 if i % 2 else college.t1g2)
    with django_assert_num_queries(n):
        response = client.get(url)
    assert response.content.decode().count("data-person=") == 46


def test_export_is_the_filtered_roster_with_masked_ids(college, with_id_number):
    response = client_for(college.organiser).get(reverse("people:export"), {"unit": college.t1.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    names = {r[0] for r in rows[1:]}
    assert names == {"张书记", "王党员"}
    assert with_id_number.id_number_masked in {r[4] for r in rows[1:]}


def test_secretary_export_stays_in_own_branch(college):
    response = client_for(college.secretary).get(reverse("people:export"))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"张书记", "王党员"}


def test_template_download_has_the_import_headers(college):
    response = client_for(college.organiser).get(reverse("people:template"))
    first = next(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert list(first)[: len(HEADERS)] == HEADERS


# ---------------------------------------------------------------- a person


def test_person_page_shows_record_posts_and_timeline(college):
    body = client_for(college.organiser).get(reverse("people:person", args=[college.secretary_p.pk])).content.decode()
    for text in ("张书记", "中共党员", "教工第一党支部", "第一党小组", "教工第一党支部 支部书记", "申请入党", "转为正式党员",
                 "2007-01-01", "编辑", "组织关系转接", "删除"):
        assert text in body


def test_member_sees_own_record_without_manager_buttons(college):
    body = client_for(college.member).get(reverse("people:person", args=[college.member_p.pk])).content.decode()
    assert "王党员" in body and "第二党小组" in body
    assert reverse("people:person_edit", args=[college.member_p.pk]) not in body
    assert reverse("people:transfer", args=[college.member_p.pk]) not in body
    assert "查看完整身份证号" not in body


def test_reveal_id_number_shows_full_number_and_is_logged(college, with_id_number):
    client = client_for(college.organiser)
    body = client.get(reverse("people:person", args=[with_id_number.pk])).content.decode()
    assert "查看完整身份证号" in body and with_id_number.id_number_masked in body
    response = client.post(reverse("people:reveal_id", args=[with_id_number.pk]), HTTP_HX_REQUEST="true")
    assert make_id_number(with_id_number.birth_date, 77) in response.content.decode()
    assert AuditEvent.objects.filter(action="people.person.id_number_read").count() == 1


def test_secretary_cannot_reveal_and_nothing_is_logged(college, with_id_number):
    response = client_for(college.secretary).post(reverse("people:reveal_id", args=[with_id_number.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="people.person.id_number_read").exists()


def _person_data(person, **over):
    data = {
        "name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "", "id_number": "",
        "native_place": person.native_place, "education": person.education, "category": person.category,
        "staff_no": person.staff_no, "affiliation": person.affiliation, "phone": person.phone, "email": person.email,
        "political_status": person.political_status, "party_standing": person.party_standing,
        "applied_on": person.applied_on or "", "activist_on": person.activist_on or "",
        "candidate_on": person.candidate_on or "", "joined_on": person.joined_on or "",
        "full_member_on": person.full_member_on or "", "note": person.note, "version": person.version,
    }
    data.update(over)
    return data


def test_person_edit_saves_through_the_service(college):
    person = college.member_p
    response = client_for(college.secretary).post(
        reverse("people:person_edit", args=[person.pk]), _person_data(person, phone="13912345678"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13912345678" and person.version == 2


def test_person_edit_with_stale_version_shows_error_keeps_input_and_changes_nothing(college):
    person = college.member_p
    services.update_person(actor=college.organiser, person=person, version=person.version, phone="13800000001")
    events = AuditEvent.objects.count()
    response = client_for(college.secretary).post(
        reverse("people:person_edit", args=[person.pk]), _person_data(person, phone="13912345678", version=1))
    body = response.content.decode()
    assert response.status_code == 200
    assert "该人员信息已被他人修改，请刷新后重试。" in body
    assert 'value="13912345678"' in body and 'id="conflict-help"' in body
    person.refresh_from_db()
    assert person.phone == "13800000001" and person.version == 2
    assert AuditEvent.objects.count() == events


def test_person_edit_service_error_shows_beside_the_field(college):
    person = college.member_p
    body = client_for(college.secretary).post(
        reverse("people:person_edit", args=[person.pk]), _person_data(person, phone="12345")).content.decode()
    assert 'data-field-error="phone"' in body and "手机号码应为11位数字。" in body
    person.refresh_from_db()
    assert person.phone == ""


def test_person_create_adds_to_the_roster(college):
    data = {"unit": college.t1.pk, "group": college.t1g1.pk, "name": "新同志", "gender": "female", "ethnicity": "汉族",
            "birth_date": "2000-02-02", "id_number": make_id_number(date(2000, 2, 2), 901), "category": "student",
            "staff_no": "S9001", "political_status": "applicant", "party_standing": "normal",
            "applied_on": "2020-03-01"}
    response = client_for(college.secretary).post(reverse("people:person_create"), data)
    person = Person.objects.get(name="新同志")
    assert response.status_code == 302 and response["Location"] == reverse("people:person", args=[person.pk])
    assert person.unit == college.t1 and person.group == college.t1g1 and person.name_initials == "xtz"


def test_person_create_out_of_scope_unit_is_refused(college):
    data = {"unit": college.t2.pk, "name": "新同志", "gender": "female", "ethnicity": "汉族", "category": "student",
            "political_status": "masses", "party_standing": "normal"}
    response = client_for(college.secretary).post(reverse("people:person_create"), data)
    assert response.status_code == 200 and 'data-field-error="unit"' in response.content.decode()
    assert not Person.objects.filter(name="新同志").exists()


def test_person_create_group_of_another_branch_is_refused_beside_group(college):
    data = {"unit": college.t1.pk, "group": college.t2g1.pk, "name": "新同志", "gender": "female",
            "ethnicity": "汉族", "category": "student", "political_status": "masses", "party_standing": "normal"}
    body = client_for(college.organiser).post(reverse("people:person_create"), data).content.decode()
    assert 'data-field-error="group"' in body and "党小组不属于所在党支部。" in body
    assert not Person.objects.filter(name="新同志").exists()


def test_person_delete_needs_a_reason_then_soft_deletes(college):
    client = client_for(college.secretary)
    url = reverse("people:person_delete", args=[college.member_p.pk])
    body = client.post(url, {"reason": ""}).content.decode()
    assert 'data-field-error="reason"' in body
    assert Person.objects.get(pk=college.member_p.pk).deleted_at is None
    assert client.post(url, {"reason": "重复录入"}).status_code == 302
    person = Person.objects.get(pk=college.member_p.pk)
    assert person.deleted_at is not None and person.deleted_reason == "重复录入"
    assert client.get(reverse("people:person", args=[person.pk])).status_code == 404


# ---------------------------------------------------------------- transfers


def test_transfer_within_moves_the_person(college):
    response = client_for(college.organiser).post(reverse("people:transfer", args=[college.member_p.pk]), {
        "kind": "within", "to_unit": college.t2.pk, "to_group": college.t2g1.pk,
        "transferred_on": today().isoformat(), "reason": "工作调动",
    })
    assert response.status_code == 302
    person = Person.objects.get(pk=college.member_p.pk)
    assert person.unit == college.t2 and person.group == college.t2g1
    t = Transfer.objects.get(person=person)
    assert t.kind == "within" and t.from_unit == college.t1
    body = client_for(college.organiser).get(reverse("people:person", args=[person.pk])).content.decode()
    assert "院内调整：教工第一党支部 · 第二党小组 → 教工第二党支部 · 第一党小组" in body


def test_transfer_within_to_a_branch_out_of_scope_is_refused(college):
    response = client_for(college.secretary).post(reverse("people:transfer", args=[college.member_p.pk]), {
        "kind": "within", "to_unit": college.t2.pk, "transferred_on": today().isoformat(),
    })
    assert response.status_code == 200 and 'data-field-error="to_unit"' in response.content.decode()
    assert Person.objects.get(pk=college.member_p.pk).unit == college.t1
    assert not Transfer.objects.exists()


def test_transfer_out_requires_letter_then_leaves(college):
    client = client_for(college.secretary)
    url = reverse("people:transfer", args=[college.member_p.pk])
    body = client.post(url, {"kind": "out", "transferred_on": today().isoformat(),
                             "external_org": "某大学党委"}).content.decode()
    assert 'data-field-error="letter_no"' in body
    assert not Transfer.objects.exists()
    response = client.post(url, {"kind": "out", "transferred_on": today().isoformat(),
                                 "external_org": "某大学党委", "letter_no": "2026-018"})
    assert response.status_code == 302
    person = Person.objects.get(pk=college.member_p.pk)
    assert person.left_on == today()


def test_transfer_in_creates_the_person_with_the_letter(college):
    data = {"external_org": "某医院党委", "letter_no": "转字2026-3", "transferred_on": today().isoformat(),
            "to_unit": college.t1.pk, "to_group": college.t1g2.pk, "reason": "", "name": "调入者", "gender": "male",
            "ethnicity": "汉族", "birth_date": "1990-01-01", "category": "faculty", "political_status": "full_member",
            "applied_on": "2010-03-01", "activist_on": "2010-09-01", "candidate_on": "2011-09-01",
            "joined_on": "2012-01-01", "full_member_on": "2013-01-01", "phone": "13911112222"}
    response = client_for(college.secretary).post(reverse("people:transfer_in"), data)
    person = Person.objects.get(name="调入者")
    assert response.status_code == 302 and person.unit == college.t1 and person.group == college.t1g2
    assert Transfer.objects.get(person=person).letter_no == "转字2026-3"


# ---------------------------------------------------------------- import wizard


def test_import_of_a_broken_file_lists_errors_offers_no_confirm_and_writes_nothing(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people, events = Person.objects.count(), AuditEvent.objects.count()
    bad_id = member_row(3)["身份证号"][:-1] + ("0" if member_row(3)["身份证号"][-1] != "0" else "1")
    data = xlsx([member_row(3, 身份证号=bad_id), member_row(4, 所在党支部="不存在的支部")])
    client = client_for(college.organiser)
    response = upload(client, data)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert 'id="errors-table"' in body
    assert 'data-code="id_checksum"' in body and 'data-code="unknown_branch"' in body
    assert "文件有错误，没有导入任何数据。" in body
    assert 'id="confirm-button"' not in body
    assert Person.objects.count() == people and AuditEvent.objects.count() == events
    assert not ImportBatch.objects.exists()


def test_import_of_an_unreadable_file_shows_the_error_beside_the_field(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(client_for(college.organiser), b"this is not a workbook")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="file"' in body and "无法读取该文件" in body
    assert not list(tmp_path.rglob("*.xlsx"))


def test_import_refuses_a_file_over_the_size_limit(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_MAX_BYTES = 100
    body = upload(client_for(college.organiser), xlsx([member_row(5)])).content.decode()
    assert 'data-field-error="file"' in body and "文件过大" in body


def test_import_of_a_good_file_previews_then_confirm_creates_people(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(college.organiser)
    updated_row = member_row(6, 姓名="王党员")
    updated_row.update({"工号/学号": college.member_p.staff_no, "出生日期": "1985-01-01",
                        "身份证号": make_id_number(date(1985, 1, 1), 606), "所在党小组": "第二党小组",
                        "入党日期": "2007-01-01", "转正日期": "2008-01-01", "申请入党日期": "2005-03-01",
                        "确定入党积极分子日期": "2005-09-01", "确定发展对象日期": "2006-09-01", "性别": "男"})
    response = upload(client, xlsx([member_row(7), member_row(8), updated_row]))
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert 'data-count="created">2<' in preview and 'data-count="updated">1<' in preview
    assert "导入党员7" in preview and 'id="confirm-button"' in preview
    assert 'class="diff-old"' in preview and "hx-indicator" in preview
    assert Person.objects.filter(name__startswith="导入党员").count() == 0

    token = response["Location"].rstrip("/").split("/")[-1]
    confirm = client.post(reverse("people:import_confirm", args=[token]), HTTP_HX_REQUEST="true")
    batch = ImportBatch.objects.get()
    assert confirm["HX-Redirect"] == reverse("people:import_batch", args=[batch.pk])
    assert set(Person.objects.filter(name__startswith="导入党员").values_list("name", flat=True)) == {
        "导入党员7", "导入党员8"}
    assert Person.objects.get(pk=college.member_p.pk).phone == "13900000006"
    result = client.get(confirm["HX-Redirect"]).content.decode()
    assert "导入党员7" in result and "已导入" in result


def test_import_rollback_from_the_import_page(college, batch):
    client = client_for(college.organiser)
    body = client.get(reverse("people:import")).content.decode()
    assert reverse("people:import_rollback", args=[batch.pk]) in body
    response = client.post(reverse("people:import_rollback", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "rolled_back"
    assert not Person.objects.filter(name="导入党员2").exists()


def test_import_preview_of_an_unknown_token_returns_to_upload(college, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(college.organiser).get(reverse("people:import_preview", args=["a" * 64]))
    assert response.status_code == 302 and response["Location"] == reverse("people:import")


def test_member_home_shows_own_timeline_from_the_shared_partial(college):
    services.transfer_within(actor=college.organiser, person=college.member_p, to_unit=college.t1,
                             to_group=college.t1g1, transferred_on=today(), reason="小组调整")
    body = client_for(college.member).get(reverse("home")).content.decode()
    assert 'id="timeline"' in body
    assert "申请入党" in body and "转为正式党员" in body
    assert "院内调整：教工第一党支部 · 第二党小组 → 教工第一党支部 · 第一党小组" in body and "小组调整" in body
    assert "编入教工第一党支部" in body  # the first placement (the transfer's own placement is not repeated)
