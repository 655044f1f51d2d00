"""Recruitment pages: a permission matrix for every page, a refused step shown with its rule and nothing saved,
an exception saved and shown on the timeline, the legacy audit upload, the documents, and query counts of the
list and the committee's page at two sizes."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.core.testing import client_for, matrix
from dangjian.recruitment import legacy, services
from dangjian.recruitment.models import Case, PoliticalReview, StepRecord

from .factories import CLEAN_DATES, D, open_clean_case, recruit

ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}
ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}
SAMPLE = Path(legacy.__file__).parent / "fixtures" / "legacy_sample.json"


def viewers(**extra):
    """Pages that need RECRUITMENT_VIEW somewhere: the organiser and both branch secretaries."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
            "organiser": 200, **ADMINS_403, **extra}


def own_branch(**extra):
    """Pages about a case of JY-T1: its secretary and the organiser; JY-T2's secretary gets 404."""
    return {"anonymous": 302, "norole": 404, "member": 404, "secretary": 200, "other_secretary": 404,
            "organiser": 200, **ADMINS_404, **extra}


@pytest.fixture
def case(college):
    return open_clean_case(college, upto="S06")


# ---------------------------------------------------------------- permission matrices


def test_list_matrix(college):
    matrix(college, "get", reverse("recruitment:list"), viewers())


def test_dashboard_matrix(college):
    matrix(college, "get", reverse("recruitment:dashboard"), viewers())


def test_open_case_matrix(college):
    matrix(college, "get", reverse("recruitment:open"), viewers())


def test_case_page_matrix(college, case):
    matrix(college, "get", reverse("recruitment:case", args=[case.pk]), own_branch())


def test_branch_step_matrix(college, case):
    matrix(college, "get", reverse("recruitment:step", args=[case.pk, "S07"]), own_branch())


def test_committee_step_matrix(college, case):
    matrix(college, "get", reverse("recruitment:step", args=[case.pk, "S08"]), own_branch(secretary=403))


def test_an_unknown_step_is_404(college, case):
    assert client_for(college.organiser).get(reverse("recruitment:step", args=[case.pk, "S26"])).status_code == 404


def test_extend_matrix(college, case):
    matrix(college, "get", reverse("recruitment:extend", args=[case.pk]), own_branch(secretary=403))


def test_cancel_matrix(college, case):
    matrix(college, "get", reverse("recruitment:cancel", args=[case.pk]), own_branch())


def test_political_review_matrix(college, case):
    matrix(college, "get", reverse("recruitment:political_review", args=[case.pk]), own_branch(secretary=403))


def test_record_docx_matrix(college, case):
    matrix(college, "get", reverse("recruitment:record_docx", args=[case.pk]), own_branch())


@pytest.mark.parametrize("name", ["funnel_export", "ledger", "audit", "audit_template", "audit_sample"])
def test_committee_documents_and_audit_matrix(college, name):
    matrix(college, "get", reverse(f"recruitment:{name}"), viewers())


# ---------------------------------------------------------------- a case on the page


def test_the_case_page_shows_the_steps_the_guidance_and_the_person(college, case):
    response = client_for(college.secretary).get(reverse("recruitment:case", args=[case.pk]))
    html = response.content.decode()
    assert "确定发展对象: 最早 2024-03-20" in html
    assert 'data-step="S25"' in html and "入党积极分子的确定和培养教育" in html
    assert 'id="review-link"' not in html  # the secretary has no 政审 right
    organiser_html = client_for(college.organiser).get(reverse("recruitment:case", args=[case.pk])).content.decode()
    assert 'id="review-link"' in organiser_html


def test_a_step_that_breaks_a_rule_is_refused_on_the_page_with_the_rule_cited(college, case):
    before = (StepRecord.objects.count(), AuditEvent.objects.count())
    response = client_for(college.secretary).post(reverse("recruitment:step", args=[case.pk, "S07"]), {
        "date": "2024-03-19", "documents": "支委会会议记录",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="cultivation_too_short"' in html
    assert "recruitment.activist_min_months_before_candidate" in html and "发展党员工作细则 第13条" in html
    assert "2024-03-20" in html
    assert 'name="exception_reason"' not in html  # a branch secretary cannot record an exception
    assert (StepRecord.objects.count(), AuditEvent.objects.count()) == before


def test_the_organiser_records_an_exception_on_the_page_and_it_shows_on_the_timeline(college, case):
    client = client_for(college.organiser)
    url = reverse("recruitment:step", args=[case.pk, "S07"])
    refused = client.post(url, {"date": "2024-03-19"}).content.decode()
    assert 'name="exception_reason"' in refused
    response = client.post(url, {"date": "2024-03-19", "exception_reason": "经院党委会研究同意"})
    assert response.status_code == 302
    s07 = StepRecord.objects.get(case=case, step="S07")
    assert s07.exception_codes == ["cultivation_too_short@S07"]
    page = client.get(reverse("recruitment:case", args=[case.pk])).content.decode()
    assert 'data-kind="exception"' in page and "经院党委会研究同意" in page
    assert 'data-exception="S07"' in page
    assert AuditEvent.objects.filter(action="recruitment.case.exception_recorded", note="经院党委会研究同意").exists()


def test_recording_a_step_on_the_page_follows_the_person(college, case):
    response = client_for(college.secretary).post(reverse("recruitment:step", args=[case.pk, "S07"]), {
        "date": "2024-03-20", "responsible": "张书记", "documents": "支委会会议记录\n群众意见\n",
        "opinion": "同意",
    })
    assert response.status_code == 302
    s07 = StepRecord.objects.get(case=case, step="S07")
    assert s07.documents == ["支委会会议记录", "群众意见"] and s07.responsible == "张书记"
    case.person.refresh_from_db()
    assert case.person.political_status == "candidate"


def test_a_vote_is_recorded_on_the_page(college):
    case = open_clean_case(college, upto="S14", name="投票人")
    client = client_for(college.secretary)
    url = reverse("recruitment:step", args=[case.pk, "S15"])
    refused = client.post(url, {"date": "2024-06-12", "eligible": 18, "present": 12, "in_favour": 8, "against": 4,
                                "written_in_favour": 1})
    assert 'data-code="vote_majority"' in refused.content.decode()
    ok = client.post(url, {"date": "2024-06-12", "eligible": 18, "present": 12, "in_favour": 8, "against": 4,
                           "written_in_favour": 2})
    assert ok.status_code == 302
    assert StepRecord.objects.get(case=case, step="S15").data["written_in_favour"] == 2


def test_a_review_is_added_on_the_page(college):
    case = open_clean_case(college, upto="S05", name="考察人")
    response = client_for(college.secretary).post(reverse("recruitment:step", args=[case.pk, "S06"]),
                                                  {"review_date": "2023-09-15", "review_opinion": "表现好"})
    assert response.status_code == 302
    assert StepRecord.objects.get(case=case, step="S06").data["reviews"] == [{"date": "2023-09-15",
                                                                            "opinion": "表现好"}]


def test_a_case_is_opened_on_the_page(college):
    person = recruit(college, name="新申请人")
    client = client_for(college.secretary)
    refused = client.post(reverse("recruitment:open"), {"person": person.pk, "date": "2099-01-01"})
    assert 'data-code="future_date"' in refused.content.decode()
    assert not Case.objects.exists()
    response = client.post(reverse("recruitment:open"), {"person": person.pk, "date": CLEAN_DATES["S01"]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("recruitment:case", args=[case.pk])


def test_the_open_form_offers_only_people_of_the_secretarys_branch(college):
    recruit(college, name="本支部人")
    from dangjian.core.testing import make_person

    make_person(college.t2, "外支部人", status="masses")
    html = client_for(college.secretary).get(reverse("recruitment:open")).content.decode()
    assert "本支部人" in html and "外支部人" not in html and "王党员" not in html


def test_the_political_review_page_logs_each_read(college, case):
    client = client_for(college.organiser)
    url = reverse("recruitment:political_review", args=[case.pk])
    client.post(url, {"findings": "经函调，无问题", "methods": "函调"})
    assert PoliticalReview.objects.get(case=case).findings == "经函调，无问题"
    client.get(url)
    client.get(url)
    assert AuditEvent.objects.filter(action="recruitment.political_review.read").count() == 2


def test_extending_and_cancelling_on_the_page(college):
    case = open_clean_case(college, upto="S22", name="延长人")
    client = client_for(college.organiser)
    refused = client.post(reverse("recruitment:extend", args=[case.pk]),
                          {"decided_on": "2025-06-15", "months": 4, "reason": "表现一般"})
    assert 'data-code="extension_out_of_range"' in refused.content.decode()
    client.post(reverse("recruitment:extend", args=[case.pk]), {"decided_on": "2025-06-15", "months": 6,
                                                               "reason": "表现一般"})
    page = client.get(reverse("recruitment:case", args=[case.pk])).content.decode()
    assert "2025-12-12" in page and 'data-kind="extension"' in page
    client.post(reverse("recruitment:cancel", args=[case.pk]), {"on": "2025-07-01", "reason": "取消预备党员资格"})
    case.refresh_from_db()
    assert case.status == "cancelled"


# ---------------------------------------------------------------- legacy audit


def _upload(client, data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("recruitment:audit"), {"file": f})


def test_uploading_a_legacy_file_shows_the_report(college):
    response = _upload(client_for(college.secretary), SAMPLE.read_bytes(), "legacy_sample.json")
    html = response.content.decode()
    assert "7 份档案，6 份有问题" in html
    assert 'data-case="2022-011"' in html and 'data-code="cultivation_too_short"' in html
    assert 'id="audit-json"' in html
    assert AuditEvent.objects.filter(action="recruitment.legacy_file.audited", actor=college.secretary).exists()


def test_an_unreadable_legacy_file_is_explained_beside_the_field(college):
    response = _upload(client_for(college.secretary), b"{oops", "old.json")
    html = response.content.decode()
    assert 'data-field-error="file"' in html and "JSON 格式错误" in html
    assert not AuditEvent.objects.filter(action="recruitment.legacy_file.audited").exists()


def test_the_legacy_template_downloads(college):
    response = client_for(college.secretary).get(reverse("recruitment:audit_template"))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.worksheets[0]["A1"].value == "编号"


# ---------------------------------------------------------------- documents


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_the_word_record_lists_every_step_with_its_date(college):
    case = open_clean_case(college, upto="S25", name="纪实人")
    response = client_for(college.secretary).get(reverse("recruitment:record_docx", args=[case.pk]))
    text = _docx_text(response.content)
    assert "发展党员全程纪实" in text and "纪实人" in text
    assert "S15 | 支部大会讨论接收预备党员 | 2024-06-12" in text
    assert "S25 | 材料归档 | 2025-07-20" in text
    assert "未发现不符合规定之处" in text
    assert AuditEvent.objects.filter(action="recruitment.document.exported", actor=college.secretary).exists()


def test_the_word_ledger_lists_the_years_cases(college):
    open_clean_case(college, upto="S25", name="台账人")
    response = client_for(college.organiser).get(reverse("recruitment:ledger") + "?year=2024")
    text = _docx_text(response.content)
    assert "2024年发展党员工作台账" in text and "台账人" in text and "2024-06-12" in text
    other = client_for(college.other_secretary).get(reverse("recruitment:ledger") + "?year=2024")
    assert "台账人" not in _docx_text(other.content)


def test_the_funnel_exports_to_excel(college):
    open_clean_case(college, upto="S06", name="积极分子甲")
    open_clean_case(college, upto="S25", name="已转正乙")
    response = client_for(college.organiser).get(reverse("recruitment:funnel_export") + "?year=2025")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["党支部", "申请人", "积极分子", "发展对象", "接收预备党员", "预备党员", "2025年转正", "进行中合计"]
    assert rows[1] == ["教工第一党支部", 0, 1, 0, 0, 0, 1, 1]


# ---------------------------------------------------------------- the committee's page and query counts


def test_the_dashboard_shows_the_funnel_and_the_blocked_cases(college):
    open_clean_case(college, upto="S01", name="逾期谈话")  # S02 was due 2022-10-12: overdue
    open_clean_case(college, upto="S06", name="积极分子")
    html = client_for(college.organiser).get(reverse("recruitment:dashboard")).content.decode()
    data = json.loads(html.split('id="funnel-data" type="application/json">')[1].split("</script>")[0])
    assert data["totals"] == [1, 1, 0, 0, 0]
    blocked = html.split('id="blocked"')[1].split('id="near"')[0]
    assert "逾期谈话" in blocked and "派人谈话" in blocked
    assert 'id="talks-unavailable"' in html or 'id="talks"' in html


def _cases(college, n: int, prefix: str):
    for i in range(n):
        open_clean_case(college, upto="S03" if i % 2 else "S01", name=f"{prefix}{i}")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["list", "dashboard"])
def test_list_and_dashboard_query_counts_do_not_grow_with_the_data(college, name):
    client = client_for(college.organiser)
    url = reverse(f"recruitment:{name}")
    _cases(college, 2, "少")
    client.get(url)  # the first request of a session does its own bookkeeping
    small = _count(client, url)
    _cases(college, 8, "多")
    large = _count(client, url)
    assert small == large


def test_the_list_filters_by_stage_and_search(college):
    open_clean_case(college, upto="S01", name="申请甲")
    open_clean_case(college, upto="S03", name="积极乙")
    client = client_for(college.secretary)
    html = client.get(reverse("recruitment:list") + "?stage=2").content.decode()
    assert "积极乙" in html and "申请甲" not in html
    html = client.get(reverse("recruitment:list") + "?q=sqj").content.decode()
    assert "申请甲" in html and "积极乙" not in html
    assert "申请甲" not in client_for(college.other_secretary).get(reverse("recruitment:list")).content.decode()


def test_step_dates_default_to_today(college, case):
    html = client_for(college.secretary).get(reverse("recruitment:step", args=[case.pk, "S07"])).content.decode()
    assert f'value="{date.today():%Y-%m}' in html or 'type="date"' in html
    assert D("2024-03-20")  # the earliest date is shown from the guidance
    assert "最早 2024-03-20" in html


def test_services_error_without_a_field_appears_above_the_form(college, case):
    services.cancel_case(actor=college.secretary, case=case, on=D("2024-01-01"), reason="撤回")
    response = client_for(college.secretary).get(reverse("recruitment:step", args=[case.pk, "S07"]))
    assert response.status_code == 302


def test_activists_without_the_committee_talk_are_listed(college):
    talks = pytest.importorskip("dangjian.talks.services")
    from dangjian.core.testing import give_role, make_person
    from dangjian.recruitment import selectors

    talked = open_clean_case(college, upto="S06", name="谈过话")
    open_clean_case(college, upto="S06", name="没谈话")
    member = make_person(college.jy, "孙委员")
    give_role(member, college.jy, "committee_member")
    talked.person.refresh_from_db()
    talks.record_talk(actor=college.organiser, kind="admission", held_on=D("2024-01-10"), place="党员活动室",
                      initiator=member, counterpart=talked.person, summary="谈入党动机")
    result = selectors.activists_without_committee_talk(college.organiser)
    assert result["available"] is True
    assert [c.person.name for c in result["cases"]] == ["没谈话"]
    html = client_for(college.organiser).get(reverse("recruitment:dashboard")).content.decode()
    section = html.split('id="talks"')[1]
    assert "没谈话" in section and "谈过话" not in section
