"""API: people, ID numbers and transfers — permission matrix per endpoint, version check, domain errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_id_number, make_person
from dangjian.people import services
from dangjian.people.models import Person, Transfer

from . import SYSTEM_ADMINS, ApiClient, all_ok, ids, row


@pytest.fixture
def api(college):
    return ApiClient(college)


def _person_body(college, **over):
    body = {
        "name": "孙新人", "gender": "female", "category": "faculty", "birth_date": "1990-03-07",
        "id_number": make_id_number(date(1990, 3, 7)), "unit_id": college.t1.pk, "phone": "13800000000",
    }
    body.update(over)
    return body


# ---------------------------------------------------------------- roster


def test_roster_is_scoped(api, college):
    p = college.people
    responses = api.matrix("get", "/people", all_ok())
    assert ids(responses["organiser"]) == {x.pk for x in p.values()}
    assert responses["organiser"].json()["total"] == 6
    assert ids(responses["secretary"]) == {p["secretary_p"].pk, p["member_p"].pk}
    assert ids(responses["other_secretary"]) == {p["other_secretary_p"].pk, p["t2_member"].pk}
    assert ids(responses["member"]) == {p["member_p"].pk}  # own record only
    for who in ("norole", *SYSTEM_ADMINS):
        assert responses[who].json() == {"total": 0, "limit": 50, "offset": 0, "items": []}, who


def test_roster_filters_search_and_pages(api, college):
    def names(**query):
        return {x["name"] for x in api.get("organiser", "/people", query).json()["items"]}

    assert names(q="wdy") == {"王党员"}  # pinyin initials
    assert names(q="王") == {"王党员"}
    assert names(q="S2023001") == {"钱学生"}  # 工号/学号
    assert names(unit=college.t1.pk) == {"张书记", "王党员"}
    assert names(unit=college.t1g2.pk) == {"王党员"}
    assert names(unit=999999) == set()
    assert names(status="activist") == {"钱学生"}
    assert names(category="student") == {"钱学生"}
    first = api.get("organiser", "/people", {"limit": 2, "offset": 0}).json()
    second = api.get("organiser", "/people", {"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 6 and len(first["items"]) == 2
    assert not ids_of(first) & ids_of(second)
    assert api.get("organiser", "/people", {"status": "king"}).status_code == 422
    assert api.get("organiser", "/people", {"limit": 100000}).status_code == 422
    # The secretary's filter cannot reach past the scope.
    assert api.get("secretary", "/people", {"unit": college.t2.pk}).json()["total"] == 0


def ids_of(page):
    return {x["id"] for x in page["items"]}


def test_roster_query_count_is_bounded(api, college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("organiser", "/people", {"limit": 500}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first call also stamps the token's last use
    for _ in range(5):
        make_person(college.t1, group=college.t1g1)
    small = count()
    for _ in range(45):
        make_person(college.t2, group=college.t2g2)
    assert count() == small
    assert small <= 6


def test_id_numbers_are_masked(api, college):
    body = _person_body(college)
    created = api.post("organiser", "/people", body).json()
    number = body["id_number"]
    assert created["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    pk = created["id"]
    for path in ("/people", f"/people/{pk}", f"/people/{pk}/placements"):
        text = api.get("organiser", path).content.decode()
        assert number not in text, path
    assert "id_number" not in api.get("organiser", f"/people/{pk}").json()


# ---------------------------------------------------------------- one person


@pytest.mark.parametrize("suffix", ["", "/placements", "/transfers"])
def test_person_detail_matrix(api, college, suffix):
    member = college.member_p.pk
    api.matrix("get", f"/people/{member}{suffix}", row(
        norole=404, member=200, secretary=200, other_secretary=404, organiser=200,
        sysadmin=404, secadmin=404, auditor=404))
    t2 = college.t2_member.pk
    api.matrix("get", f"/people/{t2}{suffix}", row(
        norole=404, member=404, secretary=404, other_secretary=200, organiser=200,
        sysadmin=404, secadmin=404, auditor=404))
    assert api.get("secretary", f"/people/999999{suffix}").json() == {"code": "not_found", "message": "未找到或无权访问"}


def test_person_detail_body(api, college):
    data = api.get("member", f"/people/{college.member_p.pk}").json()
    assert data["name"] == "王党员" and data["unit"]["code"] == "JY-T1" and data["group"]["code"] == "JY-T1-G2"
    assert data["political_status"] == "full_member" and data["political_status_label"] == "中共党员"
    placements = api.get("member", f"/people/{college.member_p.pk}/placements").json()
    assert [(p["unit"]["code"], p["ends_on"]) for p in placements] == [("JY-T1", None)]


def test_create_person_matrix(api, college):
    n = iter(range(100))

    def body(who):
        i = next(n)
        return _person_body(college, name=f"新人{who}", staff_no=f"N{i:04d}", id_number=make_id_number(date(1990, 3, 7), 500 + i))

    responses = api.matrix("post", "/people", row(
        norole=403, member=403, secretary=201, other_secretary=404, organiser=201,
        sysadmin=403, secadmin=403, auditor=403), data=body)
    created = responses["secretary"].json()
    assert created["unit"]["code"] == "JY-T1" and created["version"] == 1
    assert Person.objects.filter(name__startswith="新人").count() == 2


def test_create_person_errors(api, college):
    before = Person.objects.count()
    bad = api.post("organiser", "/people", _person_body(college, id_number="110101199003071230"))
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "id_checksum" and "校验位" in body["message"] and body["params"] == {"field": "id_number"}
    dup = api.post("organiser", "/people", _person_body(college, staff_no=college.member_p.staff_no))
    assert dup.status_code == 400 and dup.json()["code"] == "duplicate"
    malformed = api.post("organiser", "/people", {"name": "x", "gender": "robot"})
    assert malformed.status_code == 422
    assert {d["loc"][-1] for d in malformed.json()["detail"]} >= {"gender", "category", "unit_id"}
    # A group of another branch is refused by the service.
    wrong_group = api.post("organiser", "/people", _person_body(college, group_id=college.t2g1.pk))
    assert wrong_group.status_code == 400 and wrong_group.json()["code"] == "unknown_group"
    assert Person.objects.count() == before


def test_update_person_matrix(api, college):
    pk = college.member_p.pk

    def body(who):
        return {"version": Person.objects.get(pk=pk).version, "note": f"由{who}修改"}

    responses = api.matrix("patch", f"/people/{pk}", row(
        norole=404, member=403, secretary=200, other_secretary=404, organiser=200,
        sysadmin=404, secadmin=404, auditor=404), data=body)
    assert responses["organiser"].json()["note"] == "由organiser修改"
    assert Person.objects.get(pk=pk).version == 3


def test_update_person_stale_version_changes_nothing(api, college):
    pk = college.member_p.pk
    ok = api.patch("secretary", f"/people/{pk}", {"version": 1, "phone": "13900000000"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    events = AuditEvent.objects.count()
    stale = api.patch("organiser", f"/people/{pk}", {"version": 1, "phone": "13700000000", "name": "改名"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_edit" and "他人修改" in stale.json()["message"]
    person = Person.objects.get(pk=pk)
    assert (person.phone, person.name, person.version) == ("13900000000", "王党员", 2)
    assert AuditEvent.objects.count() == events
    bad = api.patch("secretary", f"/people/{pk}", {"version": 2, "phone": "123"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_phone"
    assert api.patch("secretary", f"/people/{pk}", {"phone": "13900000001"}).status_code == 422
    assert api.patch("secretary", f"/people/{pk}", {"version": 2, "name": None}).status_code == 422
    # The branch is changed by a transfer, never by an edit.
    moved = api.patch("secretary", f"/people/{pk}", {"version": 2, "unit_id": college.t2.pk})
    assert moved.status_code == 422 and moved.json()["detail"][0]["loc"][-1] == "unit_id"
    assert Person.objects.get(pk=pk).version == 2


def test_delete_person_matrix_and_reason(api, college):
    def fresh():
        return make_person(college.t1, group=college.t1g1).pk

    targets = {}

    def body(who):
        return {"reason": f"重复录入（{who}）"}

    # One fresh person per viewer so each call meets a live record.
    for who in ("norole", "member", "secretary", "other_secretary", "organiser", *SYSTEM_ADMINS, "anonymous"):
        targets[who] = fresh()
    mismatches = []
    expected = row(norole=404, member=404, secretary=204, other_secretary=404, organiser=204,
                   sysadmin=404, secadmin=404, auditor=404)
    for who, status in expected.items():
        r = api.delete(who, f"/people/{targets[who]}", body(who))
        if r.status_code != status:
            mismatches.append(f"{who}: {r.status_code}")
    assert not mismatches
    gone = Person.objects.get(pk=targets["secretary"])
    assert gone.deleted_at is not None and gone.deleted_reason == "重复录入（secretary）"
    assert api.get("secretary", f"/people/{gone.pk}").status_code == 404

    # The reason may come in the query string; without one the service refuses.
    pk = fresh()
    r = api.delete("secretary", f"/people/{pk}")
    assert r.status_code == 400 and r.json()["code"] == "required"
    assert Person.objects.get(pk=pk).deleted_at is None
    r = api.client.delete(f"/api/v1/people/{pk}?reason=调出", **api.headers("secretary"))
    assert r.status_code == 204 and Person.objects.get(pk=pk).deleted_reason == "调出"
    # A member cannot delete even their own record.
    assert api.delete("member", f"/people/{college.member_p.pk}", {"reason": "x"}).status_code == 403


def test_reveal_id_number(api, college):
    number = make_id_number(date(1985, 1, 1), 777)
    services.update_person(actor=college.organiser, person=college.member_p, version=1, id_number=number)
    pk = college.member_p.pk
    responses = api.matrix("post", f"/people/{pk}/reveal-id-number", row(
        norole=404, member=403, secretary=403, other_secretary=404, organiser=200,
        sysadmin=404, secadmin=404, auditor=404))
    assert responses["organiser"].json() == {"id": pk, "id_number": number}
    assert responses["member"].json()["code"] == "forbidden"
    reads = AuditEvent.objects.filter(action="people.person.id_number_read")
    assert reads.count() == 1
    api.post("organiser", f"/people/{pk}/reveal-id-number")
    assert reads.count() == 2


# ---------------------------------------------------------------- transfers


def test_transfer_within_matrix(api, college):
    today = date.today().isoformat()
    body = {"kind": "within", "person_id": college.member_p.pk, "to_unit_id": college.t2.pk,
            "to_group_id": college.t2g1.pk, "transferred_on": today, "reason": "工作调动"}
    responses = api.matrix("post", "/transfers", row(
        norole=403, member=403, secretary=404, other_secretary=404, organiser=201,
        sysadmin=403, secadmin=403, auditor=403), data=body)
    t = responses["organiser"].json()
    assert t["kind"] == "within" and t["from_unit"]["code"] == "JY-T1" and t["to_unit"]["code"] == "JY-T2"
    person = Person.objects.get(pk=college.member_p.pk)
    assert person.unit_id == college.t2.pk
    # Now the T2 secretary sees the person and their whole history.
    assert api.get("other_secretary", f"/people/{person.pk}/transfers").json()[0]["id"] == t["id"]
    assert len(api.get("other_secretary", f"/people/{person.pk}/placements").json()) == 2
    assert api.get("secretary", f"/people/{person.pk}").status_code == 404


def test_transfer_out_and_back_in(api, college):
    today = date.today().isoformat()
    pk = college.t2_member.pk
    out = api.post("other_secretary", "/transfers", {"kind": "out", "person_id": pk, "transferred_on": today,
                                                   "external_org": "某大学党委", "letter_no": "2025-001"})
    assert out.status_code == 201, out.content
    assert Person.objects.get(pk=pk).left_on == date.today()
    assert pk not in ids(api.get("other_secretary", "/people"))
    assert pk in ids(api.get("other_secretary", "/people", {"include_left": True}))
    again = api.post("other_secretary", "/transfers", {"kind": "out", "person_id": pk, "transferred_on": today,
                                                     "external_org": "某大学党委", "letter_no": "2025-002"})
    assert again.status_code == 400 and again.json()["code"] == "left"
    back = api.post("organiser", "/transfers", {"kind": "in", "person_id": pk, "to_unit_id": college.t2.pk,
                                                "transferred_on": today, "external_org": "某大学党委", "letter_no": "X-9"})
    assert back.status_code == 201, back.content
    assert Person.objects.get(pk=pk).left_on is None


def test_transfer_in_new_person_and_errors(api, college):
    today = date.today().isoformat()
    body = {"kind": "in", "to_unit_id": college.u1.pk, "transferred_on": today, "external_org": "外院党委",
            "letter_no": "L-1", "person": {"name": "周转入", "gender": "male", "category": "student",
                                            "birth_date": "2003-01-01", "staff_no": "S9001"}}
    r = api.post("organiser", "/transfers", body)
    assert r.status_code == 201, r.content
    assert r.json()["person_name"] == "周转入"
    assert Person.objects.filter(staff_no="S9001", unit=college.u1).exists()
    # Neither person_id nor person: 400 with a code; an unknown kind or missing field: 422.
    r = api.post("organiser", "/transfers", {**body, "person": None})
    assert r.status_code == 400 and r.json()["code"] == "person_required"
    assert api.post("organiser", "/transfers", {**body, "kind": "sideways"}).status_code == 422
    assert api.post("organiser", "/transfers", {"kind": "out", "person_id": 1}).status_code == 422
    # A future date is a domain error and nothing is written.
    n = Transfer.objects.count()
    r = api.post("organiser", "/transfers", {"kind": "within", "person_id": college.member_p.pk,
                                             "to_unit_id": college.t2.pk, "transferred_on": "2999-01-01"})
    assert r.status_code == 400 and r.json()["code"] == "future_date"
    assert Transfer.objects.count() == n


def test_transfer_list_is_scoped(api, college):
    today = date.today().isoformat()
    t = api.post("organiser", "/transfers", {"kind": "within", "person_id": college.t2_member.pk,
                                             "to_unit_id": college.u1.pk, "transferred_on": today}).json()
    responses = api.matrix("get", "/transfers", all_ok())
    assert ids(responses["organiser"]) == {t["id"]}
    # A transfer is seen from both branches: the T2 secretary still sees the person leave.
    assert ids(responses["other_secretary"]) == {t["id"]}
    for who in ("norole", "member", "secretary", *SYSTEM_ADMINS):
        assert responses[who].json()["total"] == 0, who
    assert api.get("organiser", "/transfers", {"kind": "out"}).json()["total"] == 0
