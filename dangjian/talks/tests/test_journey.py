"""Browser journeys for talks (system Chromium, zh-CN): a branch secretary records a talk, reads its contents
(logged), and follows the coverage to-do to the next one; a member opens their own talk on a phone.

Each journey checks the visible Chinese text and the database, fails on a CSP violation, a JS error or a
request to an outside host, and ends with a screenshot in test-artifacts/screenshots/<test>.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from dangjian.core.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
SECRET = "谈到教学任务重、孩子升学的压力，希望支部多组织交流。"


@pytest.fixture
def talks_live(transactional_db, live_server):
    """The fixture college (with a 院党委书记 in JY-T1) in the live server's database, and this year's plans."""
    from dangjian.core.permissions import Role
    from dangjian.core.scoping import today
    from dangjian.core.testing import build_college, give_role, make_person
    from dangjian.talks.services import sync_talk_plans

    c = build_college()
    shuji = make_person(c.t1, "陈书记", group=c.t1g1)
    give_role(shuji, c.jy, Role.COMMITTEE_SECRETARY)
    c.people["shuji_p"] = shuji
    sync_talk_plans(actor=None, year=today().year)
    return c


@pytest.fixture
def problems(page, live_server):
    """Console errors (CSP included), uncaught exceptions and requests that leave the live server."""
    found: list[str] = []
    host = urlsplit(live_server.url).netloc
    page.set_default_timeout(10_000)
    page.on("console", lambda m: found.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: found.append(f"js: {exc}"))

    def outside(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != host:
            found.append(f"outside: {request.url}")

    page.on("request", outside)
    return found


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("工号/学号或用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def finish(page, name: str, problems: list[str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert not problems, "\n".join(problems)


def test_branch_secretary_records_a_talk_reads_it_and_follows_the_todo(page, live_server, talks_live, problems):
    from dangjian.core.models import AuditEvent
    from dangjian.talks.models import Talk

    log_in(page, live_server, "secretary")
    page.get_by_role("link", name="谈心谈话").first.click()
    page.wait_for_url(re.compile(r"/talks/$"))
    expect(page.locator("#talk-count")).to_have_text("共 0 次谈话")

    # Record a talk: 谈话人 defaults to oneself, 谈话对象 is chosen, the date defaults to today.
    page.get_by_role("link", name="登记谈话").click()
    page.wait_for_url(re.compile(r"/talks/new/$"))
    expect(page.get_by_label("谈话人")).to_have_value(str(talks_live.secretary_p.pk))
    page.get_by_label("谈话地点").fill("支部活动室")
    page.get_by_role("button", name="保存").click()
    # Nothing chosen, nothing written: the errors stand beside their fields, in Chinese.
    expect(page.locator('[data-field-error="counterpart"]')).to_be_visible()
    assert not Talk.objects.exists()
    page.get_by_label("谈话对象").select_option(label=f"王党员（{talks_live.member_p.staff_no}）")
    page.get_by_label("谈话主要内容").fill(SECRET)
    page.get_by_label("需跟进事项").fill("下次支部大会前再了解一次。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/talks/\d+/$"))
    expect(page.get_by_role("alert").first).to_contain_text("谈话已登记")
    expect(page.locator("#talk-counterpart")).to_contain_text("王党员")
    assert SECRET not in page.content()  # the contents stay hidden until asked for

    # Reading the contents is a deliberate, logged act.
    page.get_by_role("button", name="查看谈话内容").click()
    expect(page.locator("#talk-summary")).to_have_text(SECRET)
    talk = Talk.objects.get()
    assert AuditEvent.objects.filter(action="talks.talk.summary_read", target_id=str(talk.pk),
                                     actor__username="secretary").count() == 1

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "talks_detail_with_contents.png", full_page=True)

    # Coverage: the branch rule is half done; the remaining pair is a link to record it.
    page.locator(".breadcrumb").get_by_role("link", name="谈心谈话").click()
    page.get_by_role("link", name="覆盖情况").click()
    row = page.locator('tr[data-unit="JY-T1"]')
    expect(row.locator("[data-done]")).to_have_text("1")
    expect(row.locator("[data-required]")).to_have_text("2")
    page.get_by_text("待谈 1 人次").click()
    page.get_by_role("link", name="陈书记").click()
    page.wait_for_url(re.compile(r"/talks/new/\?"))
    expect(page.get_by_label("谈话对象")).to_have_value(str(talks_live.shuji_p.pk))
    page.get_by_role("link", name="取消").click()
    page.get_by_role("link", name="覆盖情况").click()
    finish(page, "talks_secretary_records_a_talk", problems)


def test_member_opens_their_own_talk_on_a_phone(browser, live_server, talks_live):
    from dangjian.core.scoping import today
    from dangjian.talks.services import record_talk

    record_talk(actor=talks_live.secretary, kind="heart_to_heart", held_on=today(), place="支部活动室",
                initiator=talks_live.secretary_p, counterpart=talks_live.member_p, summary=SECRET)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    page = context.new_page()
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: found.append(str(exc)))
    log_in(page, live_server, "member")
    page.goto(f"{live_server.url}/talks/mine/")
    expect(page.locator("h1.page-title")).to_have_text("我的谈话待办")
    page.locator("#my-talks").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/talks/\d+/$"))
    page.get_by_role("button", name="查看谈话内容").click()
    expect(page.locator("#talk-summary")).to_have_text(SECRET)
    finish(page, "talks_member_reads_own_talk_on_phone", found)
    context.close()
