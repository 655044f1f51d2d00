"""Browser journeys for 三会一课 (issue 3's acceptance line, system Chromium, zh-CN): a branch secretary plans a
支部党员大会 through the form, marks a leave by hand, records the meeting and a vote (通过, rules cited); a member
checks in by QR on a phone-sized page; the organiser reads the compliance heat map and drills down from a cell.

Recording a talk is not repeated here: dangjian/talks/tests/test_journey.py
(test_branch_secretary_records_a_talk_reads_it_and_follows_the_todo) already records one through talks:create
as the JY-T1 secretary and sees it in the list and the coverage page; test_talk_journey_is_covered_by_the_talks_app
below only makes sure that journey stays there.

Each journey clicks and types as a person would, checks the visible Chinese text and the database afterwards,
fails on a CSP violation, a JS error, a request to an outside host or an HTTP error (the `watch` fixture), and
ends with a screenshot in test-artifacts/screenshots/<test>[--<step>].png.

Times: the meetings start a few minutes *before* now — check-in opens 30 minutes before the start and closes 30
minutes after the end (registry meetings.checkin.*), so scanning is open, and a sitting may only be recorded
and voted on once it has started (services.record_meeting / record_vote refuse a future one).
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from dangjian.core.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TOPIC = "讨论接收吴发展同志为中共预备党员"


def _now_local() -> datetime:
    from django.utils import timezone

    return timezone.localtime().replace(second=0, microsecond=0)


@pytest.fixture
def branch(college_live):
    """The fixture college with a fuller JY-T1: two more full members, a probationary member (no vote) and a
    发展对象 (吴发展, not a member: the subject of the vote, not expected). A JY-T1 支部党员大会 then expects
    张书记, 王党员, 刘党员, 陈党员 and 孙预备 — five people, four with a vote."""
    from dangjian.core.testing import make_person

    c = college_live
    c.people.update(
        liu_p=make_person(c.t1, "刘党员", group=c.t1g1),
        chen_p=make_person(c.t1, "陈党员", group=c.t1g2),
        sun_p=make_person(c.t1, "孙预备", group=c.t1g2, status="probationary"),
        wu_p=make_person(c.t1, "吴发展", group=c.t1g1, status="candidate"),
    )
    return c


def _plan(c, *, starts_at, topic="支部党员大会", ends_at=None, **extra):
    from dangjian.meetings.services import schedule_meeting

    return schedule_meeting(actor=c.secretary, unit=c.t1, kind="branch_general", topic=topic, starts_at=starts_at,
                            ends_at=ends_at, **extra)


def _tokens(meeting) -> list[str]:
    """The check-in tokens of the current window and the one before (a page may have been drawn just before
    the window turned)."""
    from django.utils import timezone

    from dangjian.meetings.checkin import checkin_token, settings_in_force

    now, window = timezone.now(), timedelta(seconds=settings_in_force().window_seconds)
    return [checkin_token(meeting, now), checkin_token(meeting, now - window)]


def _qr_path(url: str) -> str:
    """The `d` of the QR code's <path> for `url`, drawn as checkin.qr_svg draws it (segno is deterministic)."""
    from dangjian.meetings.checkin import qr_svg

    return re.search(r' d="([^"]+)"', qr_svg(url))[1]


def _settled(page) -> None:
    """Wait until htmx has no request in flight and has finished swapping and settling."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _refresh(page, action) -> None:
    """Run `action` (a change of unit, kind or day) and wait for the plan form to be re-rendered by htmx."""
    with page.expect_response(lambda r: "/meetings/form-fields/" in r.url and r.status == 200):
        action()
    _settled(page)


# ---------------------------------------------------------------- plan, leave, record, vote


def test_secretary_plans_records_and_votes_a_branch_general_meeting(page, live_server, branch, login, watch, finish,
                                                                    chinese_renders):
    from dangjian.meetings.models import Attendance, Meeting, Vote

    c = branch
    start = _now_local() - timedelta(minutes=10)
    end = start + timedelta(minutes=90)

    login("secretary")
    page.get_by_role("link", name="组织生活").first.click()
    page.wait_for_url(re.compile(r"/meetings/$"))
    page.locator("#plan-meeting").click()
    page.wait_for_url(re.compile(r"/meetings/new/$"))
    expect(page.locator("h1.page-title")).to_have_text("计划会议")

    # Unit, kind and day re-render the form (choices, and the expected-attendee preview beside it).
    expect(page.get_by_label("召开会议的党组织")).to_have_value(str(c.t1.pk))
    _refresh(page, lambda: page.get_by_label("会议类型").select_option("branch_general"))
    _refresh(page, lambda: page.get_by_label("日期").fill(start.date().isoformat()))
    preview = page.locator("#expected-preview")
    expect(preview.locator("#preview-count")).to_have_text("5")
    expect(preview.locator("#preview-voters")).to_have_text("4")
    names = preview.locator(".meeting-preview-list li")
    expect(names).to_have_count(5)
    expect(names.filter(has_text="孙预备")).to_contain_text("无表决权")
    expect(names.filter(has_text="张书记")).not_to_contain_text("无表决权")
    expect(preview).not_to_contain_text("吴发展")  # a 发展对象 is not a member: not expected
    chinese_renders("#expected-preview", "应到人员")

    page.get_by_label("会议主题").fill(TOPIC)
    page.get_by_label("开始时间").fill(start.strftime("%H:%M"))
    # A sitting ends on its own day; past midnight, leave the end out (the registry's default duration).
    page.get_by_label("结束时间").fill(end.strftime("%H:%M") if end.date() == start.date() else "")
    page.get_by_label("地点").fill("学院会议室302")
    page.get_by_label("主持人").select_option(label="张书记")
    page.get_by_label("议程").fill("支委会报告发展对象培养考察情况\n发展对象汇报\n讨论并表决")
    finish(step="form", heading="计划会议")
    page.locator("#meeting-save").click()

    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(topic=TOPIC)
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    expect(page.get_by_role("alert").filter(has_text="已安排会议")).to_be_visible()
    expect(page.locator("h1.page-title")).to_contain_text(f"支部党员大会：{TOPIC}")
    expect(page.locator("h1.page-title [data-status]")).to_have_text("计划")
    expect(page.locator("#agenda li")).to_have_count(3)

    # The check-in QR panel: an inline SVG (no image request), large enough to scan, with scanning open.
    panel = page.locator("#checkin-panel")
    qr = panel.locator("#checkin-qr svg.checkin-qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and box["height"] >= 150, box
    # It encodes this site's check-in URL with the current token (the URL the phone journey below opens).
    drawn = qr.locator("path").get_attribute("d")
    assert drawn in {_qr_path(f"{live_server.url}/meetings/{meeting.pk}/check-in?t={t}") for t in _tokens(meeting)}
    expect(panel).to_contain_text("签到进行中")
    chinese_renders("#checkin-panel", "扫码签到")

    # By hand: 王党员 asks for leave, with the reason.
    attendance = page.locator("#attendance")
    expect(attendance.locator("#attendance-table tbody tr[data-person]")).to_have_count(5)
    form = page.locator("#mark-form")
    form.get_by_label("人员").select_option(label="王党员")
    form.get_by_label("出席情况").select_option(label="请假")
    form.get_by_label("请假或缺席原因").fill("外出参加学术会议")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/(#attendance)?$"))
    expect(page.get_by_role("alert").filter(has_text="已登记")).to_contain_text("已登记：王党员 请假。")
    wang_row = attendance.locator(f'tr[data-person="{c.member_p.pk}"]')
    expect(wang_row).to_have_attribute("data-status", "excused")
    expect(wang_row).to_contain_text("外出参加学术会议")
    expect(wang_row).to_contain_text("手工登记")
    expect(page.locator("#attendance-summary")).to_contain_text("请假 1")

    # Record the sitting: minutes, resolutions, attendance (the leave is kept; the rest default to 出席).
    page.locator("#record-meeting").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/record/$"))
    table = page.locator("#record-table")
    expect(table.locator(f'[data-mark-status="{c.member_p.pk}"]')).to_have_value("excused")
    expect(table.locator(f'[data-mark-reason="{c.member_p.pk}"]')).to_have_value("外出参加学术会议")
    for person in (c.secretary_p, c.liu_p, c.chen_p, c.sun_p):
        expect(table.locator(f'[data-mark-status="{person.pk}"]')).to_have_value("present")
    page.get_by_label("会议记录").fill("张书记主持会议。支委会报告吴发展同志的培养考察情况，吴发展同志汇报，"
                                   "到会党员逐一发表意见。")
    page.get_by_label("决议").fill("同意接收吴发展同志为中共预备党员，报院党委审批。")
    page.locator("#record-submit").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="会议记录已保存")).to_contain_text("状态为“已召开”")
    expect(page.locator("h1.page-title [data-status]")).to_have_text("已召开")
    expect(page.locator("#resolutions")).to_contain_text("同意接收吴发展同志为中共预备党员")
    expect(page.locator("#attendance-summary")).to_contain_text("实到 4")

    # The vote: 应到会/实到会 left blank take the attendance (4 voters, 3 present; 孙预备 has no vote);
    # 王党员, on leave, sent a written opinion in favour.
    page.locator("#record-vote").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/vote/$"))
    expect(page.locator("#vote-voters")).to_contain_text("应到 4 人，已登记出席 3 人")
    expect(page.locator("#vote-rules")).to_contain_text("meetings.vote.quorum")
    page.get_by_label("表决事项").select_option(label="接收预备党员")
    page.get_by_label("涉及人员").select_option(label="吴发展")
    page.get_by_label("事项说明").fill("接收吴发展同志为中共预备党员")
    page.get_by_label("赞成", exact=True).fill("3")
    page.get_by_label("反对", exact=True).fill("0")
    page.get_by_label("弃权", exact=True).fill("0")
    page.get_by_label("书面意见人数").fill("1")
    page.get_by_label("书面意见赞成").fill("1")
    finish(step="vote-form", heading="记录表决")
    page.locator("#vote-submit").click()

    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/(#votes)?$"))
    expect(page.get_by_role("alert").filter(has_text="表决结果已记录")).to_contain_text(
        "表决结果已记录：接收吴发展同志为中共预备党员，通过。")
    vote_card = page.locator("#votes .vote")
    expect(vote_card).to_have_count(1)
    expect(vote_card).to_have_attribute("data-passed", "1")
    expect(vote_card.locator(".vote-verdict")).to_have_text("通过")
    expect(vote_card).to_contain_text("接收预备党员 · 吴发展")
    expect(vote_card).to_contain_text("应到会有表决权 4 · 实到 3 · 赞成 3 · 反对 0 · 弃权 0")
    expect(vote_card).to_contain_text("书面意见 1（赞成 1）")
    expect(vote_card.locator('[data-rule="meetings.vote.quorum"]')).to_contain_text("法定人数：")
    expect(vote_card.locator('[data-rule="meetings.vote.majority"]')).to_contain_text("通过：")
    expect(vote_card.locator(".vote-rules .bi-check-circle")).to_have_count(2)
    chinese_renders("#votes", "接收吴发展同志为中共预备党员")

    meeting.refresh_from_db()
    assert meeting.status == "held"
    rows = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting, is_observer=False)}
    assert set(rows) == {c.secretary_p.pk, c.member_p.pk, c.liu_p.pk, c.chen_p.pk, c.sun_p.pk}
    wang = rows[c.member_p.pk]
    assert (wang.status, wang.reason, wang.source) == ("excused", "外出参加学术会议", "manual")
    assert {pid for pid, a in rows.items() if a.status == "present"} == set(rows) - {c.member_p.pk}
    assert not rows[c.sun_p.pk].can_vote and rows[c.secretary_p.pk].can_vote
    vote = Vote.objects.get(meeting=meeting)
    assert (vote.subject, vote.subject_person_id, vote.eligible, vote.present, vote.in_favour) == (
        "admission", c.wu_p.pk, 4, 3, 3)
    assert (vote.written_total, vote.written_in_favour, vote.quorum_met, vote.passed) == (1, 1, True, True)
    cited = [r["code"] for r in vote.rules_applied]
    assert cited == ["meetings.vote.quorum", "meetings.vote.majority"], vote.rules_applied
    finish(heading=f"支部党员大会：{TOPIC}")


# ---------------------------------------------------------------- QR check-in on a phone


@pytest.fixture
def open_meeting(branch):
    """A JY-T1 支部党员大会 that started ten minutes ago: scanning is open."""
    start = _now_local() - timedelta(minutes=10)
    return _plan(branch, starts_at=start, ends_at=start + timedelta(minutes=90), topic="学习贯彻党的二十届四中全会精神",
                 place="学院会议室302")


def test_member_checks_in_by_qr_on_a_phone(page, live_server, branch, open_meeting, watch, finish, chinese_renders):
    from dangjian.meetings.checkin import checkin_token
    from dangjian.meetings.models import Attendance

    c, meeting = branch, open_meeting
    page.set_viewport_size(PHONE)
    # What scanning the QR code on the meeting-room screen gives (pages.checkin_url with the current token).
    path = f"/meetings/{meeting.pk}/check-in?t={checkin_token(meeting)}"

    # Not logged in: the login page, which keeps where the member was going, then back to the check-in page.
    page.goto(live_server.url + path)
    page.wait_for_url(re.compile(r"/accounts/login/\?"))
    assert f"next={quote(path, safe='/')}" in page.url, page.url
    page.get_by_label("工号/学号或用户名").fill("member")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + path)
    expect(page.locator("#checkin-topic")).to_have_text("学习贯彻党的二十届四中全会精神")
    expect(page.locator(".checkin-facts")).to_contain_text("教工第一党支部 · 支部党员大会")
    expect(page.locator(".checkin-facts")).to_contain_text("学院会议室302")
    button = page.locator("#checkin-button")
    expect(button).to_be_visible()
    expect(button).to_have_text(re.compile(r"签到"))
    assert button.bounding_box()["height"] >= 44  # a thumb-sized target
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chinese_renders("#checkin-page", "会议签到")
    finish(step="before-tap")

    button.click()
    result = page.locator("#checkin-result")
    expect(result).to_have_attribute("data-code", "checked_in")
    expect(result).to_contain_text("签到成功")
    expect(result).to_contain_text(re.compile(r"王党员，您已于 \d\d:\d\d 签到。"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chinese_renders("#checkin-result", "签到成功")
    finish(step="checked-in")

    # Scanning again and tapping again: told plainly, nothing changes.
    page.goto(live_server.url + path)
    page.locator("#checkin-button").click()
    expect(result).to_have_attribute("data-code", "already_checked_in")
    expect(result).to_contain_text("已签到")  # shown as done, not as a failure
    expect(result).not_to_contain_text("未能签到")
    expect(page.locator("#checkin-message")).to_have_text(re.compile(r"^您已于 \d\d:\d\d 签到，无需重复扫码。$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finish(step="again")

    rows = Attendance.objects.filter(meeting=meeting, person=c.member_p)
    assert rows.count() == 1
    row = rows.get()
    assert (row.status, row.source, row.is_observer) == ("present", "qr", False)
    assert row.checked_in_at is not None and row.marked_by.username == "member"
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 1

    # A forged token (right window, wrong MAC): nothing about the meeting is shown, and the refusal is in Chinese.
    window = checkin_token(meeting).split(".")[0]
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/check-in?t={window}.{'0' * 20}")
    expect(page.locator("#checkin-topic")).to_have_count(0)
    page.locator("#checkin-button").click()
    expect(result).to_have_attribute("data-code", "token_invalid")
    expect(page.locator("#checkin-message")).to_have_text("签到二维码无效，请扫描会场屏幕上的二维码。")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chinese_renders("#checkin-result", "未能签到")
    assert Attendance.objects.get(pk=row.pk).checked_in_at == row.checked_in_at
    finish()


# ---------------------------------------------------------------- compliance heat map and drill-down


@pytest.fixture
def held_meeting(branch):
    """A JY-T1 支部党员大会 held earlier today (within this month and year), recorded with everyone present."""
    from dangjian.meetings.services import record_meeting

    now = _now_local()
    start = max(now - timedelta(hours=2), now.replace(hour=0, minute=0))
    m = _plan(branch, starts_at=start, topic="学习党章和支部工作条例", place="学院会议室302")
    people = [branch.secretary_p, branch.member_p, branch.liu_p, branch.chen_p, branch.sun_p]
    return record_meeting(actor=branch.secretary, meeting=m, version=m.version, minutes="书记领学党章。",
                          resolutions="", attendance={p.pk: "present" for p in people})


def test_organiser_reads_the_heat_map_and_drills_down(page, live_server, branch, held_meeting, login, watch, finish,
                                                      chinese_renders):
    from django.utils import timezone

    meeting = held_meeting
    day = timezone.localtime(meeting.starts_at).date()
    period = f"{day:%Y-%m}"

    login("organiser")
    page.get_by_role("link", name="组织生活").first.click()
    page.wait_for_url(re.compile(r"/meetings/$"))
    page.get_by_role("link", name="合规情况").click()
    page.wait_for_url(re.compile(r"/meetings/compliance/$"))
    expect(page.locator("h1.page-title")).to_have_text(f"{day.year} 年组织生活合规情况")

    # The ECharts heat map is drawn on a canvas (no outside request: echarts is served by the site).
    heat = page.locator("#compliance-heatmap")
    canvas = heat.locator("canvas").first  # ECharts adds a second canvas for the hover layer
    expect(canvas).to_be_visible()
    data = page.evaluate("JSON.parse(document.getElementById('heatmap-data').textContent)")
    assert "JY-T1" in data["units"], data["units"]
    unit_index, month_index = data["units"].index("JY-T1"), day.month - 1
    drawn = page.evaluate("""() => {
        const c = document.querySelector('#compliance-heatmap canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < px.length; i += 4 * 97) colours.add(px[i] + ',' + px[i + 1] + ',' + px[i + 2]);
        return colours.size;
    }""")
    assert drawn > 3, f"the heat map canvas looks empty ({drawn} colours)"
    chinese_renders("#compliance-legend", "已完成")
    expect(page.locator('#compliance-summary [data-status="met"]')).not_to_have_text("0")
    finish(step="heat-map", heading=f"{day.year} 年组织生活合规情况")

    # Click the JY-T1 cell of this month on the canvas (where ECharts put it).
    x, y = page.evaluate(
        "([m, u]) => echarts.getInstanceByDom(document.getElementById('compliance-heatmap'))"
        ".convertToPixel({seriesIndex: 0}, [m, u])", [month_index, unit_index])
    box = heat.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(rf"/meetings/compliance/JY-T1/{period}/\?as_of="))
    expect(page.locator("h1.page-title")).to_have_text(f"教工第一党支部 · {period}")
    requirement = page.locator('.compliance-requirement[data-kind="branch_general"]')
    expect(requirement).to_have_count(1)
    listed = requirement.locator(f'tr[data-meeting="{meeting.pk}"]')
    expect(listed).to_contain_text("支部党员大会：学习党章和支部工作条例")
    expect(listed).to_contain_text("已召开")
    expect(listed).to_contain_text("计入")
    expect(requirement.locator(".compliance-why")).not_to_be_empty()
    chinese_renders('.compliance-requirement[data-kind="branch_general"]', "支部党员大会")
    finish(step="drill-down-from-map", heading=f"教工第一党支部 · {period}")

    # The same from the table below the map: the 支部党员大会 period that holds today, for that kind only.
    page.go_back()
    page.wait_for_url(re.compile(r"/meetings/compliance/$"))
    cell = page.locator('#compliance-table tbody[data-unit="JY-T1"] tr', has_text="支部党员大会").locator(
        "td.compliance-cell[data-status=met] a")
    expect(cell).to_have_count(1)
    cell.click()
    page.wait_for_url(re.compile(r"/meetings/compliance/JY-T1/\d{4}-Q[1-4]/\?kind=branch_general"))
    requirements = page.locator(".compliance-requirement")
    expect(requirements).to_have_count(1)
    expect(requirements).to_have_attribute("data-status", "met")
    expect(requirements.locator(f'tr[data-meeting="{meeting.pk}"]')).to_contain_text("计入")
    requirements.locator(f'tr[data-meeting="{meeting.pk}"]').get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    expect(page.locator("#meeting-credits")).to_contain_text("教工第一党支部 · 支部党员大会")
    finish(heading="支部党员大会：学习党章和支部工作条例")


# ---------------------------------------------------------------- recording a talk


def test_talk_journey_is_covered_by_the_talks_app():
    """Issue 3's "record a talk" is the talks app's own browser journey; it must stay there (not duplicated)."""
    from dangjian.talks.tests import test_journey

    journey = test_journey.test_branch_secretary_records_a_talk_reads_it_and_follows_the_todo
    assert "e2e" in {m.name for m in test_journey.pytestmark}
    source = inspect.getsource(journey)
    assert "/talks/new/" in source and "覆盖情况" in source  # talks:create, then the coverage page
