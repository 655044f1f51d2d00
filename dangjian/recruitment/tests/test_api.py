"""API of recruitment: a permission matrix per endpoint, the refused step (400 with every rule) and nothing
saved, the exception, the 政审 material's logged reads, and the legacy audit upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.api.tests import ApiClient, all_ok, ids
from dangjian.core.models import AuditEvent
from dangjian.recruitment import legacy
from dangjian.recruitment.models import Case, StepRecord

from .factories import open_clean_case, recruit

SAMPLE = Path(legacy.__file__).parent / "fixtures" / "legacy_sample.json"
ADMINS = {"sysadmin": 404, "secadmin": 404, "auditor": 404}


@pytest.fixture
def api(college):
    return ApiClient(college)


@pytest.fixture
def case(college):
    return open_clean_case(college, upto="S06")


def own_branch(**extra):
    return {"anonymous": 401, "norole": 404, "member": 404, "secretary": 200, "other_secretary": 404,
            "organiser": 200, **ADMINS, **extra}


def test_the_case_list_is_scoped(api, college, case):
    other = open_clean_case(college, upto="S02", name="外支部", )
    responses = api.matrix("get", "/recruitment/cases", all_ok())
    assert ids(responses["organiser"]) == {case.pk, other.pk}
    assert ids(responses["secretary"]) == {case.pk, other.pk}  # both are JY-T1's
    for who in ("other_secretary", "member", "norole", "sysadmin"):
        assert ids(responses[who]) == set(), who
    item = responses["secretary"].json()["items"][0]
    assert {"person", "stage", "stage_label", "last_step", "status", "version"} <= set(item)


def test_the_case_list_filters(api, college, case):
    open_clean_case(college, upto="S01", name="申请丙")
    assert api.get("secretary", "/recruitment/cases", {"stage": 1}).json()["total"] == 1
    assert api.get("secretary", "/recruitment/cases", {"q": "sqb"}).json()["total"] == 1
    assert api.get("secretary", "/recruitment/cases", {"stage": 9}).status_code == 422
    assert api.get("secretary", "/recruitment/cases", {"unit_id": college.t2.pk}).status_code == 404


def test_one_case_matrix(api, case):
    responses = api.matrix("get", f"/recruitment/cases/{case.pk}", own_branch())
    body = responses["secretary"].json()
    assert [s["step"] for s in body["steps"]] == ["S01", "S02", "S03", "S04", "S05", "S06"]
    assert any(d["text"] == "确定发展对象: 最早 2024-03-20" for d in body["checks"]["due"])


def test_steps_and_checks_matrix(api, case):
    api.matrix("get", f"/recruitment/cases/{case.pk}/steps", own_branch())
    checks = api.matrix("get", f"/recruitment/cases/{case.pk}/checks", own_branch())["organiser"].json()
    assert checks["violations"] == [] and checks["blocked"] is True  # the next review was due 2024-03-10 + 6 months


def test_opening_a_case_matrix(api, college):
    person = recruit(college)
    body = {"person_id": person.pk, "applied_on": "2022-09-12"}
    api.matrix("post", "/recruitment/cases", {
        "anonymous": 401, "norole": 403, "member": 403, "other_secretary": 404, "sysadmin": 403, "secadmin": 403,
        "auditor": 403, "secretary": 201, "organiser": 400,  # the organiser's try finds the case already open
    }, data=body)
    assert Case.objects.get().person == person


def test_a_step_that_breaks_a_rule_is_refused_with_400_and_nothing_saved(api, case):
    before = (StepRecord.objects.count(), AuditEvent.objects.count())
    response = api.call("secretary", "put", f"/recruitment/cases/{case.pk}/steps/S07", {"date": "2024-03-19"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cultivation_too_short"
    (v,) = body["params"]["violations"]
    assert v["rule"] == "recruitment.activist_min_months_before_candidate" and "细则" in v["source"]
    assert v["dates"] == {"S03": "2023-03-20", "S07": "2024-03-19"}
    assert body["params"]["exceptable"] is True and body["params"]["field"] == "date"
    assert (StepRecord.objects.count(), AuditEvent.objects.count()) == before


def test_the_secretary_cannot_send_an_exception_but_the_organiser_can(api, case):
    url = f"/recruitment/cases/{case.pk}/steps/S07"
    body = {"date": "2024-03-19", "exception_reason": "经党委会同意"}
    assert api.call("secretary", "put", url, body).status_code == 403
    response = api.call("organiser", "put", url, body)
    assert response.status_code == 200
    assert response.json()["exception_codes"] == ["cultivation_too_short@S07"]
    checks = api.get("organiser", f"/recruitment/cases/{case.pk}/checks").json()
    assert [(v["code"], v["excepted"]) for v in checks["violations"]] == [("cultivation_too_short", True)]


def test_recording_steps_through_the_api(api, college, case):
    url = f"/recruitment/cases/{case.pk}/steps"
    assert api.call("secretary", "put", f"{url}/S07", {"date": "2024-03-20"}).status_code == 200
    assert api.call("secretary", "put", f"{url}/S08", {"date": "2024-03-25"}).status_code == 403
    assert api.call("organiser", "put", f"{url}/S08", {"date": "2024-03-25"}).status_code == 200
    sponsors = [college.member_p.pk, college.secretary_p.pk]
    response = api.call("secretary", "put", f"{url}/S09", {"date": "2024-04-01", "sponsor_ids": sponsors})
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["people"]] == ["王党员", "张书记"]
    bad = api.call("secretary", "put", f"{url}/S10", {"date": "2024-04-20", "data": {"conclusion": "maybe"}})
    assert bad.status_code == 400 and bad.json()["params"]["field"] == "conclusion"
    assert api.call("secretary", "put", f"{url}/S99", {"date": "2024-04-20"}).status_code == 422
    s09 = StepRecord.objects.get(case=case, step="S09")
    stale = api.call("secretary", "put", f"{url}/S09", {"date": "2024-04-02", "sponsor_ids": sponsors,
                                                          "version": s09.version + 5})
    assert stale.status_code == 409
    other = api.call("other_secretary", "put", f"{url}/S07", {"date": "2024-03-20"})
    assert other.status_code == 404


def test_reviews_through_the_api(api, college):
    case = open_clean_case(college, upto="S05", name="考察")
    url = f"/recruitment/cases/{case.pk}/steps/S06/reviews"
    assert api.post("secretary", url, {"date": "2023-09-15", "opinion": "好"}).status_code == 200
    late = api.post("secretary", url, {"date": "2024-03-16"})
    assert late.status_code == 400 and late.json()["code"] == "review_gap"


def test_extension_and_cancellation_through_the_api(api, college):
    case = open_clean_case(college, upto="S22", name="延长")
    url = f"/recruitment/cases/{case.pk}"
    assert api.post("secretary", f"{url}/extension", {"decided_on": "2025-06-15", "months": 6,
                                                      "reason": "原因"}).status_code == 403
    response = api.post("organiser", f"{url}/extension", {"decided_on": "2025-06-15", "months": 6, "reason": "原因"})
    assert response.status_code == 200 and response.json()["checks"]["probation_ends_on"] == "2025-12-12"
    assert api.post("organiser", f"{url}/cancel", {"on": "2025-07-01", "reason": "取消"}).json()["status"] == "cancelled"


def test_political_review_through_the_api_needs_the_right_and_each_read_is_logged(api, case):
    url = f"/recruitment/cases/{case.pk}/political-review"
    assert api.call("secretary", "put", url, {"findings": "无问题"}).status_code == 403
    assert api.call("organiser", "put", url, {"findings": "无问题", "methods": "函调"}).status_code == 200
    responses = api.matrix("get", url, own_branch(secretary=403))
    assert responses["organiser"].json()["findings"] == "无问题"
    assert AuditEvent.objects.filter(action="recruitment.political_review.read").count() == 1


def test_the_funnel_through_the_api(api, college, case):
    responses = api.matrix("get", "/recruitment/funnel", all_ok(norole=403, member=403, sysadmin=403,
                                                                  secadmin=403, auditor=403))
    assert responses["organiser"].json()["totals"] == [0, 1, 0, 0, 0]
    assert responses["other_secretary"].json()["totals"] == [0, 0, 0, 0, 0]


def _upload(api, who, data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post("/api/v1/recruitment/audit", {"file": SimpleUploadedFile(name, data)},
                           **api.headers(who))


def test_the_legacy_audit_upload_returns_the_report(api):
    response = _upload(api, "secretary", SAMPLE.read_bytes(), "legacy_sample.json")
    assert response.status_code == 200
    assert response.json() == legacy.audit_file(SAMPLE.read_bytes(), "legacy_sample.json")
    bad = _upload(api, "secretary", b"{", "x.json")
    assert bad.status_code == 400 and bad.json()["code"] == "unreadable"
    assert _upload(api, "norole", SAMPLE.read_bytes(), "x.json").status_code == 403
    assert _upload(api, "anonymous", SAMPLE.read_bytes(), "x.json").status_code == 401


def test_the_case_list_query_count_is_bounded(api, college):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("organiser", "/recruitment/cases").status_code == 200
        return len(ctx.captured_queries)

    open_clean_case(college, upto="S02", name="一")
    count()
    small = count()
    for i in range(5):
        open_clean_case(college, upto="S03", name=f"多{i}")
    assert count() == small
