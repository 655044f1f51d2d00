"""Browser journeys (Playwright, system Chromium): walk one person from S01 to S25 in the UI, see a blocked
step explained, and audit a legacy file. Each ends in a screenshot (E2E_SCREENSHOTS, default the temp
directory's dangjian-e2e/) that a person looks at."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from dangjian.recruitment import legacy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or Path(tempfile.gettempdir()) / "dangjian-e2e")
SAMPLE = Path(legacy.__file__).parent / "fixtures" / "legacy_sample.json"


@pytest.fixture
def tcollege(transactional_db):
    from dangjian.core.testing import build_college

    return build_college()


def login(page, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"recruitment-{name}.png"), full_page=True)


def record(page, live_server, case_id: int, code: str, fill: dict, *, checks=(), selects=None, submit=True):
    page.goto(f"{live_server.url}/recruitment/{case_id}/steps/{code}/")
    for selector, value in fill.items():
        page.fill(selector, str(value))
    for selector in checks:
        page.check(selector)
    for selector, values in (selects or {}).items():
        page.select_option(selector, values)
    if submit:
        page.click("#step-form button[type=submit]")
        page.wait_for_load_state()


def test_walk_one_person_from_application_to_archive(page, live_server, tcollege):
    from dangjian.recruitment.models import Case

    from .factories import CLEAN_DATES, recruit

    c = tcollege
    person = recruit(c, name="陈申请")
    login(page, live_server, c.organiser)
    page.goto(f"{live_server.url}/recruitment/new/")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_date", CLEAN_DATES["S01"])
    page.click("#open-form button[type=submit]")
    page.wait_for_selector("#guidance")
    case_id = Case.objects.get(person=person).pk
    mentor, sponsor2, organiser = str(c.member_p.pk), str(c.secretary_p.pk), str(c.organiser_p.pk)

    record(page, live_server, case_id, "S02", {"#id_date": CLEAN_DATES["S02"]}, selects={"#id_interviewer": sponsor2})
    record(page, live_server, case_id, "S03", {"#id_date": CLEAN_DATES["S03"]}, checks=["input[name=mode][value=league]"])
    record(page, live_server, case_id, "S04", {"#id_date": CLEAN_DATES["S04"]})
    record(page, live_server, case_id, "S05", {"#id_date": CLEAN_DATES["S05"]}, selects={"#id_mentors": [mentor]},
           submit=False)
    shot(page, "mentors-form")
    page.click("#step-form button[type=submit]")
    page.wait_for_load_state()
    for day in ("2023-09-15", "2024-03-10"):
        record(page, live_server, case_id, "S06", {"#id_review_date": day, "#id_review_opinion": "按时提交思想汇报"})

    # A candidate decision a day short of the year of cultivation: refused, with the rule and its source.
    record(page, live_server, case_id, "S07", {"#id_date": "2024-03-19"})
    page.wait_for_selector("#violations")
    text = page.inner_text("#violations")
    assert "cultivation_too_short" in text and "2024-03-20" in text and "发展党员工作细则 第13条" in text
    shot(page, "blocked-step")
    assert not Case.objects.get(pk=case_id).steps.filter(step="S07").exists()

    record(page, live_server, case_id, "S07", {"#id_date": CLEAN_DATES["S07"]})
    record(page, live_server, case_id, "S08", {"#id_date": CLEAN_DATES["S08"]})
    record(page, live_server, case_id, "S09", {"#id_date": CLEAN_DATES["S09"]}, selects={"#id_sponsors": [mentor, sponsor2]})
    record(page, live_server, case_id, "S10", {"#id_date": CLEAN_DATES["S10"]},
           checks=["input[name=conclusion][value=qualified]"])
    record(page, live_server, case_id, "S11", {"#id_date": "2024-05-06", "#id_end": "2024-05-08", "#id_hours": "24"})
    record(page, live_server, case_id, "S12", {"#id_date": CLEAN_DATES["S12"]})
    record(page, live_server, case_id, "S13", {"#id_date": CLEAN_DATES["S13"], "#id_notice_start": "2024-05-21",
                                               "#id_notice_end": "2024-05-27"})
    record(page, live_server, case_id, "S14", {"#id_date": CLEAN_DATES["S14"]})
    record(page, live_server, case_id, "S15", {"#id_date": CLEAN_DATES["S15"], "#id_eligible": 18, "#id_present": 15,
                                               "#id_in_favour": 14, "#id_written_in_favour": 1}, submit=False)
    shot(page, "vote-form")
    page.click("#step-form button[type=submit]")
    page.wait_for_load_state()
    record(page, live_server, case_id, "S16", {"#id_date": CLEAN_DATES["S16"]}, selects={"#id_interviewer": organiser})
    record(page, live_server, case_id, "S17", {"#id_date": CLEAN_DATES["S17"]})
    for code in ("S18", "S19", "S20"):
        record(page, live_server, case_id, code, {"#id_date": CLEAN_DATES[code]})
    record(page, live_server, case_id, "S21", {"#id_review_date": "2024-12-20"})
    record(page, live_server, case_id, "S22", {"#id_date": CLEAN_DATES["S22"]})
    record(page, live_server, case_id, "S23", {"#id_date": CLEAN_DATES["S23"], "#id_eligible": 18, "#id_present": 16,
                                               "#id_in_favour": 16})
    record(page, live_server, case_id, "S24", {"#id_date": CLEAN_DATES["S24"]})
    record(page, live_server, case_id, "S25", {"#id_date": CLEAN_DATES["S25"]})

    page.goto(f"{live_server.url}/recruitment/{case_id}/")
    assert page.inner_text("#case-status") == "已完成"
    assert page.inner_text("#person-status") == "中共党员"
    assert page.locator("#timeline [data-kind=step]").count() == 23
    shot(page, "case-completed")
    case = Case.objects.get(pk=case_id)
    assert case.steps.count() == 25 and case.status == "completed"


def test_the_committee_page_shows_the_funnel_chart(page, live_server, tcollege):
    from .factories import open_clean_case

    open_clean_case(tcollege, upto="S01", name="逾期谈话")
    open_clean_case(tcollege, upto="S06", name="积极分子")
    login(page, live_server, tcollege.organiser)
    page.goto(f"{live_server.url}/recruitment/dashboard/")
    page.wait_for_selector("[data-rj-chart=funnel] canvas")
    assert "逾期谈话" in page.inner_text("#blocked")
    shot(page, "dashboard")


def test_upload_a_legacy_file_and_read_the_report(page, live_server, tcollege):
    login(page, live_server, tcollege.secretary)
    page.goto(f"{live_server.url}/recruitment/audit/")
    page.set_input_files("#id_file", str(SAMPLE))
    page.click("#audit-form button[type=submit]")
    page.wait_for_selector("#audit-report")
    assert "7 份档案，6 份有问题" in page.inner_text("#audit-report .card-title")
    assert page.locator("#audit-table tr[data-case='2022-011'] [data-code=cultivation_too_short]").count() == 1
    with page.expect_download() as download:
        page.click("[data-download-json]")
    assert download.value.suggested_filename == "recruitment-audit.json"
    shot(page, "legacy-audit")
