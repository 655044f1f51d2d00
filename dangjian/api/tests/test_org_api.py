"""API: org units and restructures — permission matrix per endpoint, version check, domain errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_person, make_unit
from dangjian.organizations.models import OrgUnit, Restructure

from . import SYSTEM_ADMINS, ApiClient, all_ok, ids, row


@pytest.fixture
def api(college):
    return ApiClient(college)


def test_list_units_is_scoped(api, college):
    u = college.units
    responses = api.matrix("get", "/org-units", all_ok())
    assert ids(responses["organiser"]) == {x.pk for x in u.values()}
    assert ids(responses["secretary"]) == {u["t1"].pk, u["t1g1"].pk, u["t1g2"].pk}
    assert ids(responses["other_secretary"]) == {u["t2"].pk, u["t2g1"].pk, u["t2g2"].pk}
    for who in ("norole", "member", *SYSTEM_ADMINS):
        assert responses[who].json() == [], who


def test_list_units_counts_and_filters(api, college):
    data = {x["code"]: x for x in api.get("organiser", "/org-units").json()}
    assert data["JY-T1"]["n_members"] == 2 and data["JY-T1"]["n_full"] == 2
    assert data["JY-T1-G2"]["n_group_members"] == 1
    assert data["JY-U1"]["n_people"] == 1 and data["JY-U1"]["n_members"] == 0
    branches = api.get("organiser", "/org-units", {"kind": "branch"}).json()
    assert {x["code"] for x in branches} == {"JY-T1", "JY-T2", "JY-U1"}
    children = api.get("organiser", "/org-units", {"parent": college.t1.pk}).json()
    assert {x["code"] for x in children} == {"JY-T1-G1", "JY-T1-G2"}
    assert api.get("organiser", "/org-units", {"kind": "nonsense"}).status_code == 422


@pytest.mark.parametrize("suffix", ["", "/health", "/roles"])
def test_unit_detail_matrix(api, college, suffix):
    t1 = college.t1.pk
    expected = row(norole=404, member=404, secretary=200, other_secretary=404, organiser=200,
                   sysadmin=404, secadmin=404, auditor=404)
    api.matrix("get", f"/org-units/{t1}{suffix}", expected)
    # Guessing the other branch's id gives 404, not 403.
    assert api.get("secretary", f"/org-units/{college.t2.pk}{suffix}").status_code == 404
    assert api.get("secretary", f"/org-units/999999{suffix}").json()["code"] == "not_found"


def test_unit_detail_bodies(api, college):
    unit = api.get("secretary", f"/org-units/{college.t1.pk}").json()
    assert unit["code"] == "JY-T1" and unit["kind"] == "branch" and unit["kind_label"] == "党支部"
    assert unit["n_members"] == 2 and unit["version"] == 1
    health = api.get("secretary", f"/org-units/{college.t1.pk}/health").json()
    assert health["unit"]["code"] == "JY-T1" and health["n_full"] == 2
    assert {f["code"] for f in health["findings"]} >= {"too_few_full_members"}
    assert all(f["message"] for f in health["findings"])
    roles = api.get("secretary", f"/org-units/{college.t1.pk}/roles").json()
    assert [(r["person_name"], r["role"]) for r in roles] == [("张书记", "branch_secretary")]
    group = api.get("secretary", f"/org-units/{college.t1g1.pk}/health")
    assert group.status_code == 400 and group.json()["code"] == "not_branch"
    assert api.get("secretary", "/org-units/abc").status_code == 422


def test_create_unit_matrix(api, college):
    def body(who):
        return {"parent_id": college.t1.pk, "code": f"JY-T1-G-{who}", "name": f"新党小组{who}", "kind": "group"}

    expected = row(norole=403, member=403, secretary=403, other_secretary=403, organiser=201,
                   sysadmin=403, secadmin=403, auditor=403)
    responses = api.matrix("post", "/org-units", expected, data=body)
    created = responses["organiser"].json()
    assert created["parent_id"] == college.t1.pk and created["code"] == "JY-T1-G-organiser"
    assert OrgUnit.objects.filter(code__startswith="JY-T1-G-").count() == 1
    assert responses["norole"].json()["code"] == "forbidden"


def test_create_unit_errors(api, college):
    # A duplicate code is a domain error: 400 with a code and a Chinese message, nothing written.
    before = OrgUnit.objects.count()
    r = api.post("organiser", "/org-units", {"parent_id": college.t1.pk, "code": "JY-T1-G1", "name": "x", "kind": "group"})
    assert r.status_code == 400
    assert r.json()["code"] == "duplicate_code" and "已被使用" in r.json()["message"]
    # A group under a group is refused by the service's tree rules.
    r = api.post("organiser", "/org-units", {"parent_id": college.t1g1.pk, "code": "X1", "name": "x", "kind": "group"})
    assert r.status_code == 400 and r.json()["code"] == "bad_parent"
    # Malformed bodies: 422 with the field detail; unparsable JSON: 400.
    r = api.post("organiser", "/org-units", {"code": "X2", "name": "x", "kind": "planet"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and body["message"]
    assert {tuple(d["loc"])[-1] for d in body["detail"]} >= {"parent_id", "kind"}
    r = api.client.post("/api/v1/org-units", data="{not json", content_type="application/json", **api.headers("organiser"))
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
    # A parent out of the actor's scope is 404, even for someone who may manage units elsewhere.
    assert OrgUnit.objects.count() == before


def test_update_unit_matrix_and_version(api, college):
    t1 = college.t1.pk

    def body(who):
        return {"version": OrgUnit.objects.get(pk=t1).version, "short_name": f"一支部-{who}"}

    expected = row(norole=404, member=404, secretary=403, other_secretary=404, organiser=200,
                   sysadmin=404, secadmin=404, auditor=404)
    responses = api.matrix("patch", f"/org-units/{t1}", expected, data=body)
    assert responses["organiser"].json()["short_name"] == "一支部-organiser"
    assert responses["organiser"].json()["version"] == 2

    # A stale version is refused with 409 and nothing changes.
    r = api.patch("organiser", f"/org-units/{t1}", {"version": 1, "short_name": "过期修改"})
    assert r.status_code == 409
    assert r.json()["code"] == "concurrent_edit" and "他人修改" in r.json()["message"]
    unit = OrgUnit.objects.get(pk=t1)
    assert unit.short_name == "一支部-organiser" and unit.version == 2

    # version is required; a null for a non-nullable field is malformed.
    assert api.patch("organiser", f"/org-units/{t1}", {"short_name": "x"}).status_code == 422
    assert api.patch("organiser", f"/org-units/{t1}", {"version": 2, "name": None}).status_code == 422
    assert api.patch("organiser", f"/org-units/{t1}", {"version": 2, "path": "/1/"}).status_code == 422


def test_unit_list_query_count_is_bounded(api, college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("organiser", "/org-units").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first call also stamps the token's last use
    small = count()
    for i in range(20):
        branch = make_unit(f"JY-X{i}", f"新支部{i}", "branch", college.jy)
        make_unit(f"JY-X{i}-G1", "第一党小组", "group", branch)
        make_person(branch)
    assert count() == small
    assert small <= 6


# ---------------------------------------------------------------- restructures


def _move_body(college, group, target):
    return {"group_id": group.pk, "target_id": target.pk, "effective_on": date.today().isoformat(), "reason": "工作需要"}


def test_move_group_matrix_and_sizes(api, college):
    body = _move_body(college, college.t2g1, college.u1)
    expected = row(norole=403, member=403, secretary=403, other_secretary=403, organiser=201,
                   sysadmin=403, secadmin=403, auditor=403)
    responses = api.matrix("post", "/restructures/move-group", expected, data=body)
    rs = responses["organiser"].json()
    assert rs["kind"] == "move_group" and rs["group"]["code"] == "JY-T2-G1"
    assert rs["sizes_before"]["JY-T2"]["members"] == 2 and rs["sizes_after"]["JY-T2"]["members"] == 1
    assert rs["sizes_after"]["JY-U1"]["members"] == 1
    assert OrgUnit.objects.get(pk=college.t2g1.pk).parent_id == college.u1.pk


def test_move_group_duplicate_name_is_refused_and_nothing_changes(api, college):
    audit_before = AuditEvent.objects.count()
    r = api.post("organiser", "/restructures/move-group", _move_body(college, college.t2g2, college.t1))
    assert r.status_code == 400
    assert r.json()["code"] == "duplicate_group_name" and "同名党小组" in r.json()["message"]
    assert OrgUnit.objects.get(pk=college.t2g2.pk).parent_id == college.t2.pk
    assert not Restructure.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_move_group_out_of_scope_ids_are_404(api, college):
    # The T1 secretary cannot manage units: 403 before any lookup.
    assert api.post("secretary", "/restructures/move-group", _move_body(college, college.t2g1, college.t1)).status_code == 403
    assert api.post("organiser", "/restructures/move-group",
                    {"group_id": 999999, "target_id": college.t1.pk, "effective_on": "2025-01-01", "reason": "x"}).status_code == 404
    r = api.post("organiser", "/restructures/move-group", {"group_id": college.t2g1.pk})
    assert r.status_code == 422


def test_restructure_list_detail_undo(api, college):
    rs_id = api.post("organiser", "/restructures/move-group", _move_body(college, college.t2g1, college.u1)).json()["id"]
    responses = api.matrix("get", "/restructures", all_ok())
    assert ids(responses["organiser"]) == {rs_id}
    assert ids(responses["other_secretary"]) == {rs_id}  # the source branch's secretary sees it
    for who in ("norole", "member", "secretary", *SYSTEM_ADMINS):
        assert responses[who].json()["total"] == 0, who

    expected = row(norole=404, member=404, secretary=404, other_secretary=200, organiser=200,
                   sysadmin=404, secadmin=404, auditor=404)
    detail = api.matrix("get", f"/restructures/{rs_id}", expected)["organiser"].json()
    assert detail["sizes_before"] and detail["sizes_after"] and detail["undone_at"] is None

    expected = row(norole=404, member=404, secretary=404, other_secretary=403, organiser=200,
                   sysadmin=404, secadmin=404, auditor=404)
    undone = api.matrix("post", f"/restructures/{rs_id}/undo", expected)["organiser"].json()
    assert undone["undone_at"] is not None
    assert OrgUnit.objects.get(pk=college.t2g1.pk).parent_id == college.t2.pk
    again = api.post("organiser", f"/restructures/{rs_id}/undo")
    assert again.status_code == 400 and again.json()["code"] == "already_undone"


def test_merge_and_split(api, college):
    today = date.today().isoformat()
    r = api.post("organiser", "/restructures/split", {
        "source_id": college.t1.pk, "target_id": college.u1.pk, "people_ids": [college.member_p.pk],
        "effective_on": today, "reason": "拆分",
    })
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "split" and r.json()["sizes_after"]["JY-T1"]["people"] == 1
    r = api.post("organiser", "/restructures/merge", {
        "source_id": college.u1.pk, "target_id": college.t2.pk, "effective_on": today, "reason": "合并",
    })
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "merge"
    assert OrgUnit.objects.get(pk=college.u1.pk).dissolved_on == date.today()
    # Same matrix for both kinds: only the organiser may restructure.
    split = {"source_id": college.t2.pk, "target_id": college.t1.pk, "people_ids": [college.t2_member.pk],
             "effective_on": today, "reason": "x"}
    api.matrix("post", "/restructures/split", row(norole=403, member=403, secretary=403, other_secretary=403,
                                                  organiser=201, sysadmin=403, secadmin=403, auditor=403), data=split)
    # T2 and T1 both have a 第一党小组: merging them is refused, whoever asks.
    merge = {"source_id": college.t2.pk, "target_id": college.t1.pk, "effective_on": today, "reason": "x"}
    responses = api.matrix("post", "/restructures/merge", row(
        norole=403, member=403, secretary=403, other_secretary=403, organiser=400, sysadmin=403, secadmin=403,
        auditor=403), data=merge)
    assert responses["organiser"].json()["code"] == "duplicate_group_name"
    assert OrgUnit.objects.get(pk=college.t2.pk).dissolved_on is None
