from datetime import date

import pytest

from dangjian.core.audit import record
from dangjian.core.models import AuditEvent, Holiday, RuleOverride
from dangjian.core.testing import client_for, matrix


def test_home_requires_login(college):
    matrix(college, "get", "/", {"anonymous": 302})


def test_home_page_per_role(college):
    body = client_for(college.organiser).get("/").content.decode()
    assert "支部健康检查" in body and "教工第一党支部" in body and "本科生第一党支部" in body
    body = client_for(college.secretary).get("/").content.decode()
    assert "教工第一党支部" in body and "本科生第一党支部" not in body
    body = client_for(college.member).get("/").content.decode()
    assert "我的党员档案" in body and "王党员" in body and "支部健康检查" not in body
    body = client_for(college.auditor).get("/").content.decode()
    assert "三员分立" in body and "王党员" not in body and "教工第一党支部" not in body


def test_organiser_home_counts_by_status(college):
    body = client_for(college.organiser).get("/").content.decode()
    # fixture: 5 full members (organiser, 2 secretaries, 2 members) and 1 activist; 6 people in all
    assert 'data-stat="people">6<' in body
    assert 'data-stat="members">5<' in body
    assert 'data-status="activist">1<' in body


def test_navigation_shows_only_what_the_role_may_open(college):
    member_nav = client_for(college.member).get("/").content.decode()
    assert "/core/audit/" not in member_nav and 'href="/people/"' not in member_nav
    auditor_nav = client_for(college.auditor).get("/").content.decode()
    assert "/core/audit/" in auditor_nav and "/people/" not in auditor_nav.replace("/people/import", "")


def test_audit_log_matrix(college):
    expected = {"anonymous": 302, "norole": 403, "member": 403, "secretary": 403, "organiser": 403,
                "sysadmin": 403, "secadmin": 403, "auditor": 200}
    matrix(college, "get", "/core/audit/", expected)


def test_audit_log_lists_and_filters(college):
    record(actor=college.organiser, action="people.person.updated", target=college.member_p, unit=college.t1,
           changes={"phone": ["", "13800000000"]})
    record(actor=college.secretary, action="organizations.unit.updated", target=college.t1, unit=college.t1)
    client = client_for(college.auditor)
    body = client.get("/core/audit/").content.decode()
    assert "修改人员信息" in body and "13800000000" in body and "修改党组织" in body
    body = client.get("/core/audit/", {"action": "organizations."}).content.decode()
    assert "修改党组织" in body and "13800000000" not in body


def test_audit_log_rejects_inverted_dates(college):
    body = client_for(college.auditor).get("/core/audit/", {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert "截止日期不能早于起始日期" in body


def test_audit_log_query_count_is_bounded(college, django_assert_max_num_queries):
    client = client_for(college.auditor)
    for _ in range(5):
        record(actor=college.organiser, action="organizations.unit.updated", target=college.t1, unit=college.t1)
    with django_assert_max_num_queries(12) as small:
        client.get("/core/audit/")
    for _ in range(60):
        record(actor=college.organiser, action="organizations.unit.updated", target=college.t1, unit=college.t1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/core/audit/")


def test_settings_matrix(college):
    expected = {"anonymous": 302, "member": 403, "organiser": 403, "auditor": 403, "secadmin": 403, "sysadmin": 200}
    matrix(college, "get", "/core/settings/", expected)


def test_sysadmin_adds_holiday_for_2027_and_it_is_audited(college):
    client = client_for(college.sysadmin)
    body = client.get("/core/settings/?year=2027").content.decode()
    assert "内置日历不包含本年度" in body
    before = AuditEvent.objects.count()
    r = client.post("/core/settings/?year=2027", {"form": "holiday", "day": "2027-10-01", "name": "国庆节"})
    assert r.status_code == 302
    assert Holiday.objects.get(date=date(2027, 10, 1)).name == "国庆节"
    assert AuditEvent.objects.count() == before + 1


def test_loosening_a_confirmed_rule_is_refused_beside_the_field(college):
    client = client_for(college.sysadmin)
    before = AuditEvent.objects.count()
    r = client.post("/core/settings/", {"form": "rule", "code": "org.branch_max_members", "value": "60",
                                         "reason": "试试"})
    assert r.status_code == 200
    assert "只能比全国默认值 50 更严格" in r.content.decode()
    assert not RuleOverride.objects.exists()
    assert AuditEvent.objects.count() == before


def test_tightening_a_rule_is_saved(college):
    client = client_for(college.sysadmin)
    r = client.post("/core/settings/", {"form": "rule", "code": "org.branch_max_members", "value": "30",
                                         "reason": "学生支部一般不超过30人"})
    assert r.status_code == 302
    assert RuleOverride.objects.get(code="org.branch_max_members").value == 30


@pytest.mark.parametrize("who", ["organiser", "member", "auditor"])
def test_only_sysadmin_may_post_settings(college, who):
    r = client_for(college.users[who]).post("/core/settings/", {"form": "holiday", "day": "2027-10-01", "name": "x"})
    assert r.status_code == 403
    assert not Holiday.objects.exists()


def test_csp_header_forbids_outside_hosts(college):
    r = client_for(college.organiser).get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp


def test_only_the_longest_matching_navigation_item_is_active(college):
    body = client_for(college.organiser).get("/people/import/").content.decode()
    assert body.count('aria-current="page"') == 1
    active = body.split('aria-current="page"')[0].rsplit("<a", 1)[1]
    assert 'href="/people/"' in active
