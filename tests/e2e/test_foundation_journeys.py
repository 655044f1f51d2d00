"""Browser journeys for the foundation (system Chromium, zh-CN): log in, find a person by pinyin, import a broken
roster and then a good one, transfer a member, move a party group to another branch, and read one's own record
on a phone. Each journey clicks and types as a person would, checks the visible Chinese text and the database
afterwards, and ends with a screenshot in test-artifacts/screenshots/<test>.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dangjian.core.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_file(rows: list[dict]) -> dict:
    """A roster workbook as Playwright's set_input_files payload."""
    from dangjian.people.tests.xlsx import table

    headers = list(rows[0])
    return {"name": "花名册.xlsx", "mimeType": XLSX, "buffer": table(headers, *rows)}


# ---------------------------------------------------------------- login and search


def test_login_then_roster_search_by_pinyin(page, live_server, college_live, watch, finish, chinese_renders):
    page.goto(live_server.url + "/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    chinese_renders("h2", "登录")
    assert "连续5次输错密码将锁定账号15分钟" in page.content()

    # A wrong password is refused with a message in Chinese; the right one opens the 工作台.
    page.get_by_label("工号/学号或用户名").fill("organiser")
    page.get_by_label("密码", exact=True).fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    assert "/accounts/login/" in page.url
    expect(page.get_by_label("工号/学号或用户名")).to_have_value("organiser")  # kept; the password is not
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")  # back where the visitor was going (?next=/)
    expect(page.locator("h1.page-title")).to_have_text("工作台")
    chinese_renders("h1.page-title", "工作台")

    page.get_by_role("link", name="花名册").first.click()
    page.wait_for_url(re.compile(r"/people/$"))
    count = page.locator("#roster-count")
    expect(count).to_have_text("共 6 人")

    # Live search by pinyin initials, then by full pinyin: the table narrows as one types.
    search = page.get_by_role("searchbox")
    rows = page.locator("#roster-table tbody tr")
    search.press_sequentially("wdy", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王党员")
    expect(count).to_have_text("共 1 人")
    expect(page).to_have_url(re.compile(r"[?&]q=wdy\b"))  # in the address bar (hx-push-url): it can be shared

    search.fill("")
    search.press_sequentially("zhang", delay=40)
    expect(rows.first).to_contain_text("张书记")
    expect(rows).to_have_count(1)

    search.fill("")
    search.press_sequentially("z", delay=40)
    expect(count).to_have_text("共 3 人")
    expect(rows).to_have_count(3)
    names = page.locator("#roster-table tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == sorted(["张书记", "赵党员", "周组织"])
    chinese_renders("#roster-table tbody", "赵党员")

    page.locator("#roster-table tbody tr", has_text="赵党员").click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    expect(page.locator("#person-unit")).to_have_text("教工第二党支部")
    page.go_back()
    expect(count).to_have_text("共 3 人")
    finish(heading="花名册")


# ---------------------------------------------------------------- import wizard


def test_import_wizard_broken_file_then_good_file(page, college_live, login, watch, finish, chinese_renders):
    from dangjian.core.models import AuditEvent
    from dangjian.people.models import ImportBatch, Person
    from dangjian.people.tests.xlsx import masses_row, member_row

    login("organiser")
    people_before, events_before = Person.objects.count(), AuditEvent.objects.count()
    page.get_by_role("link", name="花名册").first.click()  # the import starts from the roster page
    page.locator(".page-header").get_by_role("link", name="导入").click()
    expect(page.locator("h1.page-title")).to_have_text("导入花名册")

    # A broken file: a wrong ID check digit (row 3), a branch that does not exist (row 4), and a 工号 that
    # repeats row 2's (row 5). Nothing is written; every error is listed with its row, column and code.
    good = member_row(1)
    id_number = member_row(2)["身份证号"]
    bad_id = id_number[:-1] + ("1" if id_number[-1] != "1" else "2")
    broken = [
        good,
        member_row(2, 身份证号=bad_id),
        member_row(3, 所在党支部="不存在的支部"),
        member_row(4, **{"工号/学号": good["工号/学号"]}),
    ]
    page.get_by_label("花名册文件（.xlsx）").set_input_files(roster_file(broken))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/people/import/[0-9a-f]{64}/$"))
    expect(page.locator("#has-errors")).to_contain_text("文件有错误，没有导入任何数据。")
    errors = page.locator("#errors-table tbody tr")
    codes = {row.get_attribute("data-code"): row.inner_text() for row in errors.all()}
    assert {"id_checksum", "unknown_branch", "duplicate_in_file"} <= set(codes), codes
    assert codes["id_checksum"].split("\t")[:2] == ["3", "身份证号"]
    assert codes["unknown_branch"].split("\t")[:3] == ["4", "所在党支部", "不存在的支部"]
    assert codes["duplicate_in_file"].startswith("5\t工号/学号")
    assert "工号/学号与第2行重复。" in codes["duplicate_in_file"]
    expect(page.locator('[data-count="errors"]')).to_have_text(str(errors.count()))
    expect(page.locator("#confirm-button")).to_have_count(0)
    chinese_renders("#errors-table", "所在党支部")
    finish(step="broken-file", heading="导入预览：花名册.xlsx")
    assert Person.objects.count() == people_before
    assert AuditEvent.objects.count() == events_before
    assert not ImportBatch.objects.exists()

    # Back to the upload page from the error banner, then a good file: preview, confirm, the batch page.
    page.locator("#has-errors").get_by_role("link", name="重新上传").click()
    page.wait_for_url(re.compile(r"/people/import/$"))
    rows = [member_row(11), member_row(12, 所在党小组="第二党小组"), masses_row(13)]
    page.get_by_label("花名册文件（.xlsx）").set_input_files(roster_file(rows))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/people/import/[0-9a-f]{64}/$"))
    expect(page.locator('[data-count="created"]')).to_have_text("3")
    expect(page.locator('[data-count="errors"]')).to_have_text("0")
    creates = page.locator("#creates-list")
    expect(creates).to_contain_text("新党员11")
    expect(creates.locator(".list-group-item", has_text="新同学13")).to_contain_text("第 4 行")
    assert Person.objects.count() == people_before  # the preview writes nothing

    page.get_by_role("button", name="确认导入").click()  # hx-post; the server answers with HX-Redirect
    page.wait_for_url(re.compile(r"/people/import/batches/\d+/$"))
    expect(page.get_by_role("alert").filter(has_text="导入完成")).to_contain_text("导入完成：新增 3 人，更新 0 人。")
    expect(page.locator("body")).to_contain_text("新同学13")

    batch = ImportBatch.objects.get()
    assert batch.status == "applied" and batch.created_count == 3 and batch.file_name == "花名册.xlsx"
    created = {p.name: p for p in Person.objects.filter(name__in=["新党员11", "新党员12", "新同学13"])}
    assert set(created) == {"新党员11", "新党员12", "新同学13"}
    assert created["新党员12"].unit.code == "JY-T1" and created["新党员12"].group.name == "第二党小组"
    assert created["新同学13"].unit.code == "JY" and created["新同学13"].political_status == "league"
    finish(heading="导入批次：花名册.xlsx")


# ---------------------------------------------------------------- a transfer


def test_transfer_within_the_college(page, college_live, login, watch, finish, chinese_renders):
    from dangjian.people.models import Person, Placement, Transfer

    c = college_live
    login("organiser")
    page.get_by_role("link", name="花名册").first.click()
    page.get_by_role("searchbox").press_sequentially("wangdangyuan", delay=20)
    rows = page.locator("#roster-table tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="王党员").click()
    expect(page.locator("h1.page-title")).to_have_text("王党员")
    page.get_by_role("link", name="组织关系转接").click()

    expect(page.locator("h1.page-title")).to_have_text("组织关系转接：王党员")
    expect(page.get_by_text("现所在党组织：教工第一党支部 · 第二党小组")).to_be_visible()
    expect(page.get_by_label("院内调整")).to_be_checked()
    expect(page.get_by_label("接收党组织")).to_be_hidden()  # 转出本院 fields show only for that kind
    kinds = page.locator("#transfer-form label.form-selectgroup-item")  # radio buttons styled as a button bar
    kinds.filter(has_text="转出本院").click()
    expect(page.get_by_label("转出本院")).to_be_checked()
    expect(page.get_by_label("接收党组织")).to_be_visible()
    expect(page.get_by_label("转入党支部")).to_be_hidden()
    kinds.filter(has_text="院内调整").click()
    expect(page.get_by_label("转入党支部")).to_be_visible()
    page.get_by_label("转入党支部").select_option(label="教工第二党支部")
    # The group list is grouped by branch (both branches have a 第一党小组): pick the one under 教工第二党支部.
    group_select = page.get_by_label("转入党小组")
    option = group_select.locator('optgroup[label="教工第二党支部"] option', has_text="第一党小组")
    group_select.select_option(value=option.get_attribute("value"))
    page.get_by_label("原因").fill("工作调动")
    page.get_by_role("button", name="登记转接").click()

    page.wait_for_url(re.compile(rf"/people/{c.member_p.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="转接")).to_contain_text("组织关系转接已登记。")
    expect(page.locator("#person-unit")).to_have_text("教工第二党支部")
    expect(page.locator("#person-group")).to_have_text("第一党小组")
    transfer_item = page.locator('#timeline [data-kind="transfer"]')
    expect(transfer_item).to_contain_text("院内调整：教工第一党支部 · 第二党小组 → 教工第二党支部 · 第一党小组")
    expect(transfer_item).to_contain_text("工作调动")
    chinese_renders("#timeline", "院内调整")

    person = Person.objects.get(pk=c.member_p.pk)
    assert (person.unit_id, person.group_id) == (c.t2.pk, c.t2g1.pk)
    t = Transfer.objects.get(person=person)
    assert (t.kind, t.from_unit_id, t.from_group_id, t.to_unit_id, t.to_group_id) == (
        "within", c.t1.pk, c.t1g2.pk, c.t2.pk, c.t2g1.pk)
    assert t.created_by.username == "organiser" and t.reason == "工作调动"
    current = Placement.objects.get(person=person, ends_on__isnull=True)
    assert (current.unit_id, current.group_id, current.transfer_id) == (c.t2.pk, c.t2g1.pk, t.pk)
    assert Placement.objects.get(person=person, unit=c.t1).ends_on == t.transferred_on - timedelta(days=1)
    finish(heading="王党员")


# ---------------------------------------------------------------- the restructure


def test_restructure_moves_a_party_group_to_another_branch(page, college_live, login, watch, finish, chinese_renders):
    from dangjian.organizations.models import OrgUnit, Restructure
    from dangjian.people.models import Person, Placement

    c = college_live
    login("organiser")
    page.get_by_role("link", name="党组织").first.click()
    page.get_by_role("link", name="教工第二党支部").first.click()
    expect(page.locator("h1.page-title")).to_have_text("教工第二党支部")
    page.locator("#unit-children").get_by_role("link", name=re.compile("第二党小组")).click()
    expect(page.locator("h1.page-title")).to_have_text("第二党小组")
    page.get_by_role("link", name="整建制调整").click()

    expect(page.locator("h1.page-title")).to_have_text("支部调整")
    expect(page.get_by_label("党小组整建制调整")).to_be_checked()
    expect(page.get_by_label("党小组", exact=True)).to_have_value(str(c.t2g2.pk))
    expect(page.get_by_label("原支部")).to_be_hidden()
    page.get_by_label("目标支部").select_option(label="教工第一党支部")

    # The preview beside the form: both branches now and after, and the clash of names to resolve.
    preview = page.locator("#restructure-preview")
    expect(preview.locator("[data-preview-problem]")).to_contain_text("目标支部已有同名党小组“第二党小组”")
    expect(preview).to_contain_text("本次调整涉及 1 人，其中党员 1 人。")
    expect(preview.locator('[data-preview-unit="JY-T1"] [data-after="people"]')).to_have_text("3")
    expect(preview.locator('[data-preview-unit="JY-T2"] [data-after="people"]')).to_have_text("1")
    page.get_by_label("调入后党小组名称").fill("第三党小组")
    page.get_by_label("调整原因").fill("教研室调整，第二党小组整体转入教工第一党支部")
    page.get_by_label("调整原因").blur()  # change → the preview refreshes with the new name
    expect(preview.locator("[data-preview-problem]")).to_have_count(0)
    chinese_renders("#restructure-preview", "调整后")
    finish(step="preview", heading="支部调整")

    page.once("dialog", lambda dialog: dialog.accept())  # 确定执行这次调整吗？
    page.get_by_role("button", name="执行调整").click()
    page.wait_for_url(re.compile(r"/org/restructure/\d+/$"))
    expect(page.get_by_role("alert").filter(has_text="调整")).to_contain_text("调整已完成。")
    expect(page.locator("h1.page-title")).to_contain_text("党小组整建制调整")
    expect(page.locator("#moves-table tbody")).to_contain_text("赵党员")
    expect(page.locator("#moves-table tbody")).to_contain_text("教工第一党支部 / 第三党小组")
    expect(page.locator('#sizes-table [data-unit="JY-T1"]')).to_contain_text("教工第一党支部")

    rs = Restructure.objects.get()
    group = OrgUnit.objects.get(pk=c.t2g2.pk)
    assert (rs.kind, rs.group_id, rs.source_id, rs.target_id) == ("move_group", group.pk, c.t2.pk, c.t1.pk)
    assert group.parent_id == c.t1.pk and group.name == "第三党小组"
    assert group.path.startswith(OrgUnit.objects.get(pk=c.t1.pk).path)
    zhao = Person.objects.get(pk=c.t2_member.pk)
    assert (zhao.unit_id, zhao.group_id) == (c.t1.pk, group.pk)
    assert Placement.objects.get(person=zhao, ends_on__isnull=True).restructure_id == rs.pk

    # Both branches' pages list the restructure in their 组织调整记录.
    for branch in ("教工第一党支部", "教工第二党支部"):
        page.get_by_role("link", name=branch).first.click()
        expect(page.locator("h1.page-title")).to_have_text(branch)
        record = page.locator("#unit-restructures tbody tr").first
        expect(record).to_contain_text("党小组整建制调整：第三党小组")
        expect(record).to_contain_text("教工第二党支部 → 教工第一党支部")
        expect(record).to_contain_text("有效")
        page.go_back()
    page.get_by_role("link", name="教工第一党支部").first.click()
    expect(page.locator("#unit-children")).to_contain_text("第三党小组")
    finish(heading="教工第一党支部")


# ---------------------------------------------------------------- a member on a phone


def test_member_reads_own_record_on_a_phone(page, live_server, college_live, login, watch, finish, chinese_renders):
    c = college_live
    page.set_viewport_size({"width": 390, "height": 844})
    login("member")
    expect(page.locator("h1.page-title")).to_have_text("我的党员档案")
    expect(page.locator("#my-unit")).to_have_text("教工第一党支部")
    expect(page.locator("#timeline")).to_contain_text("转为正式党员")
    chinese_renders("#my-record", "王党员")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The navigation folds into the menu button, which opens it.
    menu = page.locator("#navbar-menu")
    page.get_by_role("button", name="菜单").click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened, and the opening animation is over
    expect(menu.get_by_role("link", name="首页")).to_be_visible()
    page.get_by_role("button", name="菜单").click()
    expect(menu).to_be_hidden()
    finish(step="home", heading="我的党员档案")

    # The person page of one's own record (a member may open only their own).
    page.goto(f"{live_server.url}/people/{c.member_p.pk}/")
    expect(page.locator("h1.page-title")).to_have_text("王党员")
    expect(page.locator("#person-unit")).to_have_text("教工第一党支部")
    expect(page.get_by_role("link", name="组织关系转接")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finish(heading="王党员")
