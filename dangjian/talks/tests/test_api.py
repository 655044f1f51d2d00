"""API: talks and coverage — a permission matrix per endpoint, lists without contents, contents only for those
entitled (each read logged), id-guessing answered 404, and the coverage shape."""

from __future__ import annotations

import pytest

from dangjian.api.tests import ApiClient, ids
from dangjian.core.models import AuditEvent
from dangjian.talks import services
from dangjian.talks.models import Talk

from .conftest import YEAR, talk

SECRET = "家中老人病重，工作压力大"
EVERYONE = ("anonymous", "norole", "member", "secretary", "other_secretary", "organiser", "sysadmin", "secadmin",
            "auditor", "shuji", "weiyuan", "reader")


@pytest.fixture
def api(tc):
    return ApiClient(tc)


@pytest.fixture
def t1_talk(tc):
    return talk(tc, tc.secretary_p, tc.member_p, summary=SECRET, follow_up="工会慰问")


def matrix(api, method, path, expected, data=None):
    """ApiClient.matrix for the fixture's own viewers plus shuji, weiyuan and reader."""
    assert set(expected) == set(EVERYONE), sorted(set(EVERYONE) ^ set(expected))
    responses, wrong = {}, []
    for who, status in expected.items():
        response = api.call(who, method, path, data(who) if callable(data) else data)
        responses[who] = response
        if response.status_code != status:
            wrong.append(f"{who}: expected {status}, got {response.status_code} {response.content[:200]!r}")
    assert not wrong, "\n".join(wrong)
    return responses


def reads() -> list[str]:
    return sorted(e.actor.username for e in AuditEvent.objects.filter(action="talks.talk.summary_read"))


def test_the_list_is_scoped_and_never_carries_contents(api, tc, t1_talk):
    other = talk(tc, tc.other_secretary_p, tc.t2_member, summary=SECRET)
    responses = matrix(api, "get", "/talks", {
        "anonymous": 401, **dict.fromkeys(set(EVERYONE) - {"anonymous"}, 200),
    })
    assert ids(responses["organiser"]) == ids(responses["shuji"]) == {t1_talk.pk, other.pk}
    assert ids(responses["secretary"]) == ids(responses["member"]) == {t1_talk.pk}
    assert ids(responses["other_secretary"]) == {other.pk}
    for who in ("norole", "sysadmin", "secadmin", "auditor"):
        assert responses[who].json()["total"] == 0, who
    for response in responses.values():
        assert SECRET not in response.content.decode() and "summary" not in response.content.decode()
    assert reads() == []


def test_the_list_filters(api, tc, t1_talk):
    talk(tc, tc.weiyuan_p, tc.u1_student, kind="admission")

    def names(**query):
        return sorted(x["counterpart"]["name"] for x in api.get("organiser", "/talks", query).json()["items"])

    assert names(kind="admission") == ["钱学生"]
    assert names(unit=tc.t1.pk) == ["王党员"]
    assert names(unit=999999) == []
    assert names(person=tc.weiyuan_p.pk) == ["钱学生"]
    assert names(q="wdy") == ["王党员"]
    assert names(year=YEAR - 1) == []


def test_one_talk_gives_its_contents_only_to_those_entitled_and_logs_each_read(api, tc, t1_talk):
    responses = matrix(api, "get", f"/talks/{t1_talk.pk}", {
        "anonymous": 401, "norole": 404, "member": 200, "secretary": 200, "other_secretary": 404,
        "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 200,
        "sysadmin": 404, "secadmin": 404, "auditor": 404,
    })
    for who in ("member", "secretary", "shuji", "reader"):
        body = responses[who].json()
        assert (body["summary"], body["follow_up"], body["contents_included"]) == (SECRET, "工会慰问", True), who
    for who in ("organiser", "weiyuan"):
        body = responses[who].json()
        assert (body["summary"], body["follow_up"], body["contents_included"]) == (None, None, False), who
        assert body["counterpart"] == {"id": tc.member_p.pk, "name": "王党员"}
    assert reads() == ["member", "reader", "secretary", "shuji"]
    assert {e.note for e in AuditEvent.objects.filter(action="talks.talk.summary_read")} == {"api"}


def test_guessing_talk_ids_gives_404_and_reads_nothing(api, tc, t1_talk):
    services.delete_talk(actor=tc.organiser, talk=t1_talk, reason="误登记")
    for pk in (t1_talk.pk, t1_talk.pk + 1, 999999):
        response = api.get("shuji", f"/talks/{pk}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert reads() == []


def body(tc, **over):
    data = {"kind": "heart_to_heart", "held_on": f"{YEAR}-05-20", "place": "支部活动室",
            "initiator_id": tc.secretary_p.pk, "counterpart_id": tc.member_p.pk, "summary": "谈了工作。"}
    data.update(over)
    return data


def test_recording_a_talk_matrix(api, tc):
    def data(who):
        # Each writer records the pair it may: its own branch's, or the college's.
        user = tc.users.get(who)
        if who == "other_secretary":
            return body(tc, initiator_id=tc.other_secretary_p.pk, counterpart_id=tc.t2_member.pk)
        if who in ("organiser", "shuji", "weiyuan"):
            return body(tc, initiator_id=user.person_id, counterpart_id=tc.u1_student.pk, kind="admission",
                        held_on=f"{YEAR}-05-{10 + EVERYONE.index(who)}")
        return body(tc)

    responses = matrix(api, "post", "/talks", {
        "anonymous": 401, "norole": 403, "member": 403, "secretary": 201, "other_secretary": 201,
        "organiser": 201, "shuji": 201, "weiyuan": 201, "reader": 403,
        "sysadmin": 403, "secadmin": 403, "auditor": 403,
    }, data=data)
    assert Talk.objects.count() == 5
    created = responses["secretary"].json()
    assert created["unit"]["code"] == "JY-T1" and "summary" not in created
    assert reads() == []


def test_recording_refusals_are_coded_and_write_nothing(api, tc):
    same = api.post("secretary", "/talks", body(tc, counterpart_id=tc.secretary_p.pk))
    assert (same.status_code, same.json()["code"], same.json()["params"]["field"]) == (400, "same_person", "counterpart")
    outside = api.post("secretary", "/talks", body(tc, counterpart_id=tc.t2_member.pk))
    assert (outside.status_code, outside.json()["code"]) == (404, "not_found")
    future = api.post("secretary", "/talks", body(tc, held_on=f"{YEAR}-12-01"))
    assert (future.status_code, future.json()["code"]) == (400, "future_date")
    bad = api.post("secretary", "/talks", body(tc, kind="gossip"))
    assert bad.status_code == 422
    assert not Talk.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="talks.").exists()


def test_coverage_matrix_and_shape(api, tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    responses = matrix(api, "get", "/talk-coverage", {
        "anonymous": 401, **dict.fromkeys(set(EVERYONE) - {"anonymous"}, 200),
    })
    assert {(r["rule"], r["unit"]) for r in responses["organiser"].json()["rules"]} == {
        ("talks.secretary_teachers", "JY"), ("talks.committee_activists", "JY"),
        ("talks.branch_members", "JY-T1"), ("talks.branch_members", "JY-T2"),
    }
    assert responses["secretary"].json() == {"year": YEAR, "rules": [
        {"rule": "talks.branch_members", "unit": "JY-T1", "required": 2, "done": 1,
         "missing": [{"from": "张书记", "to": "陈书记"}]},
    ]}
    for who in ("member", "norole", "auditor"):
        assert responses[who].json() == {"year": YEAR, "rules": []}, who


def test_coverage_filters_by_year_and_unit_code(api, tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    t2 = api.get("organiser", "/talk-coverage", {"year": YEAR, "unit": "JY-T2"}).json()
    assert [(r["rule"], r["unit"], r["required"]) for r in t2["rules"]] == [("talks.branch_members", "JY-T2", 2)]
    assert api.get("organiser", "/talk-coverage", {"year": YEAR - 1}).json() == {"year": YEAR - 1, "rules": []}
    assert api.get("organiser", "/talk-coverage", {"unit": "NOPE"}).json() == {"year": YEAR, "rules": []}


def test_openapi_lists_the_talk_paths_with_their_error_codes(db):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    found = {p.removeprefix("/api/v1"): set(ops) for p, ops in paths.items() if "talk" in p}
    assert found == {"/talks": {"get", "post"}, "/talks/{talk_id}": {"get"}, "/talk-coverage": {"get"}}
    assert set(paths["/api/v1/talks"]["post"]["responses"]) == {"201", "400", "401", "403", "404", "422"}
    assert set(paths["/api/v1/talks/{talk_id}"]["get"]["responses"]) == {"200", "401", "404", "422"}
