"""Organisation pages: a permission matrix for every page, query counts at two sizes, and the POST flows
(edit with a stale version, move a group through the restructure form, undo)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.core.scoping import today
from dangjian.core.testing import client_for, make_person, make_unit, matrix
from dangjian.organizations import services
from dangjian.organizations.models import OrgUnit, Restructure, RoleAssignment
from dangjian.people.models import Person

ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}
ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}


def manager_only(**extra):
    """Pages that need ORG_MANAGE somewhere: only the organiser opens them."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 403, "other_secretary": 403,
            "organiser": 200, **ADMINS_403, **extra}


# ---------------------------------------------------------------- permission matrices


def test_tree_matrix(college):
    matrix(college, "get", reverse("organizations:tree"), {
        "anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
        "organiser": 200, **ADMINS_403,
    })


def test_unit_matrix(college):
    matrix(college, "get", reverse("organizations:unit", args=[college.t1.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 200, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_unit_edit_matrix(college):
    matrix(college, "get", reverse("organizations:unit_edit", args=[college.t1.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 403, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_unit_create_matrix(college):
    matrix(college, "get", reverse("organizations:unit_create") + f"?parent={college.t1.pk}", manager_only())


def test_role_assign_matrix(college):
    matrix(college, "get", reverse("organizations:role_assign", args=[college.t1.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 403, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_role_end_matrix(college):
    ra = RoleAssignment.objects.get(person=college.secretary_p, unit=college.t1)
    matrix(college, "get", reverse("organizations:role_end", args=[ra.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 403, "other_secretary": 404,
        "organiser": 200, **ADMINS_404,
    })


def test_restructure_form_matrix(college):
    matrix(college, "get", reverse("organizations:restructure") + f"?source={college.t1.pk}", manager_only())


def test_restructure_preview_matrix(college):
    url = reverse("organizations:restructure_preview") + f"?kind=merge&source={college.t2.pk}&target={college.u1.pk}"
    matrix(college, "get", url, manager_only())


@pytest.fixture
def split_t2(college):
    """赵党员 split from JY-T2 into JY-U1 (a restructure whose source is the other secretary's branch)."""
    return services.split_branch(
        actor=college.organiser, source=college.t2, target=college.u1, people_ids=[college.t2_member.pk],
        effective_on=today(), reason="学科调整",
    )


def test_restructure_detail_matrix(college, split_t2):
    matrix(college, "get", reverse("organizations:restructure_detail", args=[split_t2.pk]), {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 404, "other_secretary": 200,
        "organiser": 200, **ADMINS_404,
    })


def test_restructure_undo_matrix(college, split_t2):
    url = reverse("organizations:restructure_undo", args=[split_t2.pk])
    matrix(college, "post", url, {
        "anonymous": 302, "norole": 404, "member": 404, "secretary": 404, "other_secretary": 403,
        **ADMINS_404,
    })
    split_t2.refresh_from_db()
    assert split_t2.undone_at is None  # the other secretary may not manage JY-U1: refused with a message
    matrix(college, "get", url, {"organiser": 405})


# ---------------------------------------------------------------- contents


def test_tree_shows_counts_health_and_secretaries(college):
    body = client_for(college.organiser).get(reverse("organizations:tree")).content.decode()
    for text in ("检验医学院党委", "教工第一党支部", "第一党小组", "张书记", "李书记", "正式党员"):
        assert text in body
    assert 'data-health="too_few_full_members"' in body  # JY-T1 has 2 full members


def test_tree_hides_dissolved_units_unless_asked(college):
    make_unit("JY-OLD", "已撤销党支部", "branch", college.jy, dissolved_on=date(2020, 1, 1))
    client = client_for(college.organiser)
    assert "已撤销党支部" not in client.get(reverse("organizations:tree")).content.decode()
    assert "已撤销党支部" in client.get(reverse("organizations:tree") + "?dissolved=1").content.decode()


def test_secretary_sees_only_own_branch_in_tree(college):
    body = client_for(college.secretary).get(reverse("organizations:tree")).content.decode()
    assert "教工第一党支部" in body
    assert "教工第二党支部" not in body


def test_unit_page_shows_details_posts_groups_and_manager_buttons(college):
    url = reverse("organizations:unit", args=[college.t1.pk])
    body = client_for(college.organiser).get(url).content.decode()
    for text in ("JY-T1", "教工党支部", "2024-06-01", "2027-06-01", "支部书记", "张书记", "第二党小组",
                 "人员编入与转出记录", "王党员"):
        assert text in body
    assert reverse("organizations:unit_edit", args=[college.t1.pk]) in body
    secretary_body = client_for(college.secretary).get(url).content.decode()
    assert reverse("organizations:unit_edit", args=[college.t1.pk]) not in secretary_body


def test_unit_page_lists_restructures_including_undone(college, split_t2):
    services.undo_restructure(actor=college.organiser, restructure=split_t2)
    body = client_for(college.organiser).get(reverse("organizations:unit", args=[college.t2.pk])).content.decode()
    assert "学科调整" in body and 'data-undone="1"' in body


# ---------------------------------------------------------------- query counts at two sizes


def _count(client, url) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_tree_query_count_does_not_grow_with_data(college, django_assert_num_queries):
    client = client_for(college.organiser)
    url = reverse("organizations:tree")
    for _ in range(5):
        make_person(college.t1, group=college.t1g1)
    n = _count(client, url)
    for i in range(40):
        make_person(college.t2 if i % 2 else college.u1)
    make_unit("JY-T3", "教工第三党支部", "branch", college.jy)
    with django_assert_num_queries(n):
        client.get(url)


def test_unit_page_query_count_does_not_grow_with_data(college, django_assert_num_queries):
    client = client_for(college.organiser)
    url = reverse("organizations:unit", args=[college.t1.pk])
    for _ in range(5):
        make_person(college.t1, group=college.t1g2)
    n = _count(client, url)
    for _ in range(40):
        make_person(college.t1, group=college.t1g1)
    with django_assert_num_queries(n):
        client.get(url)


# ---------------------------------------------------------------- POST flows


def test_unit_edit_saves_through_the_service(college):
    unit = college.t2
    data = {"code": "JY-T2", "name": "教工第二党支部（临床）", "short_name": "", "category": "faculty",
            "sort_order": 0, "established_on": "", "dissolved_on": "", "term_started_on": "", "term_years": "",
            "version": unit.version}
    response = client_for(college.organiser).post(reverse("organizations:unit_edit", args=[unit.pk]), data)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "教工第二党支部（临床）" and unit.version == 2
    assert AuditEvent.objects.filter(action="organizations.unit.updated").count() == 1


def test_unit_edit_with_stale_version_shows_error_keeps_input_and_changes_nothing(college):
    unit = college.t2
    services.update_unit(actor=college.organiser, unit=unit, version=unit.version, short_name="教工二支")
    events = AuditEvent.objects.count()
    data = {"code": "JY-T2", "name": "改名后的支部", "short_name": "", "category": "faculty", "sort_order": 0,
            "version": 1}
    response = client_for(college.organiser).post(reverse("organizations:unit_edit", args=[unit.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "该党组织已被他人修改，请刷新后重试。" in body
    assert 'value="改名后的支部"' in body
    unit.refresh_from_db()
    assert unit.name == "教工第二党支部" and unit.short_name == "教工二支"
    assert AuditEvent.objects.count() == events


def test_unit_edit_duplicate_code_shows_beside_code(college):
    data = {"code": "JY-T1", "name": "教工第二党支部", "category": "faculty", "sort_order": 0,
            "version": college.t2.version}
    body = client_for(college.organiser).post(
        reverse("organizations:unit_edit", args=[college.t2.pk]), data).content.decode()
    assert 'data-field-error="code"' in body and "组织编码“JY-T1”已被使用。" in body


def test_unit_create_makes_a_group_under_the_branch(college):
    url = reverse("organizations:unit_create") + f"?parent={college.u1.pk}"
    data = {"code": "JY-U1-G1", "name": "第一党小组", "kind": "group", "sort_order": 1}
    response = client_for(college.organiser).post(url, data)
    assert response.status_code == 302
    group = OrgUnit.objects.get(code="JY-U1-G1")
    assert group.parent == college.u1 and group.path == f"{college.u1.path}{group.pk}/"


def test_role_assign_by_staff_no_and_end(college):
    url = reverse("organizations:role_assign", args=[college.t1.pk])
    data = {"staff_no": college.member_p.staff_no, "role": "branch_committee_member", "starts_on": "2025-01-01"}
    client = client_for(college.organiser)
    assert client.post(url, data).status_code == 302
    ra = RoleAssignment.objects.get(person=college.member_p, unit=college.t1)
    response = client.post(reverse("organizations:role_end", args=[ra.pk]), {"ends_on": "2024-01-01"})
    assert "免职日期不能早于任职日期。" in response.content.decode()
    assert client.post(reverse("organizations:role_end", args=[ra.pk]), {"ends_on": "2025-06-01"}).status_code == 302
    ra.refresh_from_db()
    assert ra.ends_on == date(2025, 6, 1)


def test_role_assign_unknown_staff_no_is_refused_beside_the_field(college):
    url = reverse("organizations:role_assign", args=[college.t1.pk])
    data = {"staff_no": "NOPE", "role": "branch_committee_member", "starts_on": "2025-01-01"}
    body = client_for(college.organiser).post(url, data).content.decode()
    assert 'data-field-error="staff_no"' in body
    assert not RoleAssignment.objects.filter(person__staff_no="NOPE").exists()


def _move(college, client, reason="学科调整", rename_to=""):
    return client.post(reverse("organizations:restructure"), {
        "kind": "move_group", "group": college.t2g2.pk, "target": college.t1.pk,
        "effective_on": today().isoformat(), "reason": reason, "rename_to": rename_to,
    })


def test_move_group_into_branch_with_same_group_name_is_refused_beside_the_new_name(college):
    client = client_for(college.organiser)
    response = _move(college, client)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="rename_to"' in body
    assert "目标支部已有同名党小组“第二党小组”" in body and "第三党小组" in body
    college.t2g2.refresh_from_db()
    college.t2_member.refresh_from_db()
    assert college.t2g2.parent_id == college.t2.pk and college.t2_member.unit_id == college.t2.pk
    assert not Restructure.objects.exists()


def test_preview_warns_of_the_same_group_name_and_shows_sizes(college):
    url = reverse("organizations:restructure_preview") + (
        f"?kind=move_group&group={college.t2g2.pk}&target={college.t1.pk}")
    body = client_for(college.organiser).get(url).content.decode()
    assert "目标支部已有同名党小组" in body and "第三党小组" in body
    assert 'data-preview-unit="JY-T1"' in body and 'data-preview-unit="JY-T2"' in body


def test_preview_of_a_split_counts_the_chosen_people(college):
    url = reverse("organizations:restructure_preview") + (
        f"?kind=split&source={college.t1.pk}&target={college.t2.pk}&people={college.member_p.pk}")
    body = client_for(college.organiser).get(url).content.decode()
    assert "本次调整涉及 <strong>1</strong> 人" in body
    # JY-T1: 2 people → 1; JY-T2: 2 → 3
    assert 'data-preview-unit="JY-T1"' in body
    t1_row = body.split('data-preview-unit="JY-T1"')[1].split("</tr>")[0]
    assert 'data-after="people">1<' in t1_row


def test_move_group_renamed_in_the_same_operation_then_undo_restores_the_name(college):
    client = client_for(college.organiser)
    response = _move(college, client, rename_to="第三党小组")
    rs = Restructure.objects.get()
    assert response.status_code == 302
    college.t2g2.refresh_from_db()
    college.t2_member.refresh_from_db()
    assert (college.t2g2.parent_id, college.t2g2.name) == (college.t1.pk, "第三党小组")
    assert college.t2_member.unit_id == college.t1.pk and college.t2_member.group_id == college.t2g2.pk
    assert client.post(reverse("organizations:restructure_undo", args=[rs.pk])).status_code == 302
    college.t2g2.refresh_from_db()
    college.t2_member.refresh_from_db()
    assert (college.t2g2.parent_id, college.t2g2.name) == (college.t2.pk, "第二党小组")
    assert college.t2_member.unit_id == college.t2.pk


def test_move_group_through_the_form_then_undo(college):
    # Rename JY-T1's 第二党小组 first, as the refusal message asks.
    services.update_unit(actor=college.organiser, unit=college.t1g2, version=college.t1g2.version,
                         name="第三党小组")
    client = client_for(college.organiser)
    response = _move(college, client)
    rs = Restructure.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "organizations:restructure_detail", args=[rs.pk])
    college.t2g2.refresh_from_db()
    college.t2_member.refresh_from_db()
    assert college.t2g2.parent_id == college.t1.pk
    assert college.t2_member.unit_id == college.t1.pk and college.t2_member.group_id == college.t2g2.pk

    body = client.get(reverse("organizations:restructure_detail", args=[rs.pk])).content.decode()
    assert "调整前后人数" in body and "赵党员" in body and "学科调整" in body
    assert 'id="undo-button"' in body

    response = client.post(reverse("organizations:restructure_undo", args=[rs.pk]))
    assert response.status_code == 302
    rs.refresh_from_db()
    college.t2g2.refresh_from_db()
    college.t2_member.refresh_from_db()
    assert rs.undone_at is not None
    assert college.t2g2.parent_id == college.t2.pk and college.t2_member.unit_id == college.t2.pk
    body = client.get(reverse("organizations:restructure_detail", args=[rs.pk])).content.decode()
    assert "已撤销" in body and 'id="undo-button"' not in body


def test_split_through_the_form_moves_only_the_chosen_people(college):
    extra = make_person(college.t1, "孙党员", group=college.t1g1)
    response = client_for(college.organiser).post(reverse("organizations:restructure"), {
        "kind": "split", "source": college.t1.pk, "target": college.t2.pk, "people": [extra.pk],
        "effective_on": today().isoformat(), "reason": "人数调整",
    })
    assert response.status_code == 302
    extra.refresh_from_db()
    assert extra.unit_id == college.t2.pk
    assert Person.objects.get(pk=college.member_p.pk).unit_id == college.t1.pk


def test_split_without_people_is_refused_beside_the_field(college):
    body = client_for(college.organiser).post(reverse("organizations:restructure"), {
        "kind": "split", "source": college.t1.pk, "target": college.t2.pk,
        "effective_on": today().isoformat(), "reason": "人数调整",
    }).content.decode()
    assert 'data-field-error="people"' in body
    assert not Restructure.objects.exists()


def test_merge_through_the_form_dissolves_the_source_and_undo_restores_it(college):
    client = client_for(college.organiser)
    response = client.post(reverse("organizations:restructure"), {
        "kind": "merge", "source": college.t2.pk, "target": college.u1.pk,
        "effective_on": today().isoformat(), "reason": "支部合并",
    })
    rs = Restructure.objects.get()
    assert response.status_code == 302
    college.t2.refresh_from_db()
    assert college.t2.dissolved_on == today()
    assert Person.objects.get(pk=college.t2_member.pk).unit_id == college.u1.pk
    assert client.post(reverse("organizations:restructure_undo", args=[rs.pk])).status_code == 302
    college.t2.refresh_from_db()
    assert college.t2.dissolved_on is None
    assert Person.objects.get(pk=college.t2_member.pk).unit_id == college.t2.pk


@pytest.mark.parametrize("code", ["jy", "t1g2", "u1"])
def test_unit_page_renders_for_every_kind(college, code):
    unit = getattr(college, code)
    response = client_for(college.organiser).get(reverse("organizations:unit", args=[unit.pk]))
    assert response.status_code == 200 and unit.name in response.content.decode()
