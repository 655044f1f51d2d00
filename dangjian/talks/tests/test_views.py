"""Talk pages: a permission matrix for every page, contents never shown without a deliberate (logged) read,
the record / edit / delete flows with errors beside the field, plans and coverage, and query counts at two
sizes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.crypto import decrypt
from dangjian.core.models import AuditEvent
from dangjian.core.testing import client_for, make_person, matrix
from dangjian.talks import services
from dangjian.talks.models import Talk, TalkPlan

from .conftest import YEAR, talk

SECRET = "子女入学困难，情绪低落"
ADMINS_403 = {"sysadmin": 403, "secadmin": 403, "auditor": 403}
ADMINS_404 = {"sysadmin": 404, "secadmin": 404, "auditor": 404}


@pytest.fixture
def t1_talk(tc):
    """张书记 (branch secretary) talked with 王党员 (member), filed under JY-T1."""
    return talk(tc, tc.secretary_p, tc.member_p, summary=SECRET, follow_up="协调学院帮助解决")


def viewers_of_pages(**extra):
    """Pages that need talks.view somewhere: list, coverage, plans."""
    return {"anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
            "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 200, **ADMINS_403, **extra}


def reads(talk_obj=None) -> int:
    qs = AuditEvent.objects.filter(action="talks.talk.summary_read")
    return qs.filter(target_id=str(talk_obj.pk)).count() if talk_obj else qs.count()


# ---------------------------------------------------------------- permission matrices


def test_list_matrix(tc):
    matrix(tc, "get", reverse("talks:list"), viewers_of_pages())


def test_coverage_matrix(tc):
    matrix(tc, "get", reverse("talks:coverage"), viewers_of_pages())


def test_plan_matrix(tc):
    matrix(tc, "get", reverse("talks:plan"), viewers_of_pages())


def test_plan_generation_matrix(tc):
    data = lambda: {"sync-year": YEAR, "sync-unit": tc.t1.pk}  # noqa: E731
    matrix(tc, "post", reverse("talks:plan"), {
        "anonymous": 302, "norole": 403, "member": 403, "reader": 403, **ADMINS_403,
    }, data=data())
    assert not TalkPlan.objects.exists()
    matrix(tc, "post", reverse("talks:plan"), {"secretary": 302, "organiser": 302}, data=data())
    assert TalkPlan.objects.filter(unit=tc.t1).count() == 1


def test_my_todo_matrix(tc):
    matrix(tc, "get", reverse("talks:my_todo"), {
        "anonymous": 302, "norole": 403, "member": 200, "secretary": 200, "other_secretary": 200,
        "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 200, **ADMINS_403,
    })


def test_create_matrix(tc):
    matrix(tc, "get", reverse("talks:create"), {
        "anonymous": 302, "norole": 403, "member": 403, "secretary": 200, "other_secretary": 200,
        "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 403, **ADMINS_403,
    })


def test_detail_matrix(tc, t1_talk):
    matrix(tc, "get", reverse("talks:detail", args=[t1_talk.pk]), {
        "anonymous": 302, "norole": 404, "member": 200, "secretary": 200, "other_secretary": 404,
        "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 200, **ADMINS_404,
    })
    assert reads() == 0  # opening the page reads nothing


def test_a_member_does_not_see_a_talk_they_took_no_part_in(tc):
    other = talk(tc, tc.other_secretary_p, tc.t2_member)
    matrix(tc, "get", reverse("talks:detail", args=[other.pk]), {
        "member": 404, "secretary": 404, "other_secretary": 200, "organiser": 200,
    })


@pytest.mark.parametrize("name", ["talks:summary", "talks:word"])
def test_reading_the_contents_matrix_and_every_read_is_logged(tc, t1_talk, name):
    expected = {
        "anonymous": 302, "norole": 404, "member": 200, "secretary": 200, "other_secretary": 404,
        "organiser": 403, "shuji": 200, "weiyuan": 403, "reader": 200, **ADMINS_404,
    }
    matrix(tc, "post", reverse(name, args=[t1_talk.pk]), expected)
    readers = {e.actor.username for e in AuditEvent.objects.filter(action="talks.talk.summary_read")}
    assert readers == {"member", "secretary", "shuji", "reader"}
    assert {e.note for e in AuditEvent.objects.filter(action="talks.talk.summary_read")} == {
        "page" if name == "talks:summary" else "word"
    }


def test_reading_the_contents_needs_a_post(tc, t1_talk):
    assert client_for(tc.member).get(reverse("talks:summary", args=[t1_talk.pk])).status_code == 405
    assert reads() == 0


@pytest.mark.parametrize("name", ["talks:edit", "talks:delete"])
def test_edit_and_delete_matrix(tc, t1_talk, name):
    matrix(tc, "get", reverse(name, args=[t1_talk.pk]), {
        "anonymous": 302, "norole": 404, "member": 403, "secretary": 200, "other_secretary": 404,
        "organiser": 200, "shuji": 200, "weiyuan": 200, "reader": 403, **ADMINS_404,
    })


def test_guessing_ids_finds_nothing(tc, t1_talk):
    services.delete_talk(actor=tc.organiser, talk=t1_talk, reason="误登记")
    for pk in (t1_talk.pk, t1_talk.pk + 1000):
        for name, method in (("talks:detail", "get"), ("talks:summary", "post"), ("talks:word", "post"),
                             ("talks:edit", "get")):
            response = getattr(client_for(tc.shuji), method)(reverse(name, args=[pk]))
            assert response.status_code == 404, (name, pk)
    assert reads() == 0


# ---------------------------------------------------------------- contents never leak


def test_no_page_shows_the_contents_without_a_deliberate_read(tc, t1_talk):
    services.sync_talk_plans(actor=None, year=YEAR)
    pages = [reverse("talks:list"), reverse("talks:detail", args=[t1_talk.pk]), reverse("talks:coverage"),
             reverse("talks:plan"), reverse("talks:my_todo")]
    for who in ("shuji", "member", "secretary", "organiser"):
        client = client_for(tc.users[who])
        for url in pages:
            response = client.get(url)
            if response.status_code == 200:
                html = response.content.decode()
                assert SECRET not in html and "协调学院" not in html, (who, url)
    assert reads() == 0


def test_the_reveal_button_shows_the_contents_once_and_logs_it(tc, t1_talk):
    client = client_for(tc.member)
    detail = client.get(reverse("talks:detail", args=[t1_talk.pk])).content.decode()
    assert 'id="reveal-summary"' in detail
    response = client.post(reverse("talks:summary", args=[t1_talk.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert SECRET in html and "协调学院帮助解决" in html and "<html" not in html
    event = AuditEvent.objects.get(action="talks.talk.summary_read")
    assert (event.actor, event.target_id, event.note) == (tc.member, str(t1_talk.pk), "page")
    # Without htmx the whole page comes back with the contents in it.
    page = client.post(reverse("talks:summary", args=[t1_talk.pk])).content.decode()
    assert SECRET in page and "<html" in page
    assert reads(t1_talk) == 2


def test_a_viewer_without_the_right_sees_that_the_contents_are_locked(tc, t1_talk):
    html = client_for(tc.organiser).get(reverse("talks:detail", args=[t1_talk.pk])).content.decode()
    assert 'id="summary-locked"' in html and 'id="reveal-summary"' not in html and 'id="talk-word"' not in html


def test_the_word_record_holds_the_contents(tc, t1_talk):
    import io

    from docx import Document

    response = client_for(tc.shuji).post(reverse("talks:word", args=[t1_talk.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(c.text for row in Document(io.BytesIO(response.content)).tables[0].rows for c in row.cells)
    assert SECRET in text and "王党员" in text and "张书记" in text


# ---------------------------------------------------------------- record, edit, delete


def form_data(tc, **over):
    data = {"kind": "heart_to_heart", "held_on": f"{YEAR}-06-01", "place": "支部活动室",
            "initiator": tc.secretary_p.pk, "counterpart": tc.member_p.pk, "summary": "谈了思想和工作。",
            "follow_up": ""}
    data.update(over)
    return data


def test_recording_a_talk_through_the_form(tc):
    client = client_for(tc.secretary)
    form = client.get(reverse("talks:create"), {"counterpart": tc.member_p.pk}).content.decode()
    assert f'<option value="{tc.member_p.pk}" selected>' in form
    assert f'<option value="{tc.secretary_p.pk}" selected>' in form  # the recorder is the default 谈话人
    assert f'value="{tc.t2_member.pk}"' not in form  # another branch's member is not offered
    response = client.post(reverse("talks:create"), form_data(tc))
    t = Talk.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("talks:detail", args=[t.pk])
    assert (t.unit, t.held_on, decrypt(t.summary_encrypted)) == (tc.t1, date(YEAR, 6, 1), "谈了思想和工作。")


def test_a_refused_talk_shows_the_error_beside_the_field_and_records_nothing(tc):
    client = client_for(tc.secretary)
    response = client.post(reverse("talks:create"), form_data(tc, counterpart=tc.secretary_p.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="counterpart"' in html and "谈话人和谈话对象不能是同一人" in html
    response = client.post(reverse("talks:create"), form_data(tc, summary=""))
    assert 'data-field-error="summary"' in response.content.decode()
    assert not Talk.objects.exists() and not AuditEvent.objects.filter(action__startswith="talks.").exists()


def test_a_reader_who_edits_sees_the_contents_and_that_read_is_logged(tc, t1_talk):
    html = client_for(tc.shuji).get(reverse("talks:edit", args=[t1_talk.pk])).content.decode()
    assert SECRET in html
    assert AuditEvent.objects.get(action="talks.talk.summary_read").note == "edit"


def test_a_manager_without_the_right_edits_the_record_blind_and_keeps_the_contents(tc, t1_talk):
    client = client_for(tc.organiser)
    html = client.get(reverse("talks:edit", args=[t1_talk.pk])).content.decode()
    assert SECRET not in html and "留空则保持原内容不变" in html
    response = client.post(reverse("talks:edit", args=[t1_talk.pk]),
                           form_data(tc, place="会议室", summary="", version=1))
    assert response.status_code == 302
    t1_talk.refresh_from_db()
    assert t1_talk.place == "会议室" and decrypt(t1_talk.summary_encrypted) == SECRET
    response = client.post(reverse("talks:edit", args=[t1_talk.pk]), form_data(tc, summary="改写", version=2))
    assert 'data-field-error="summary"' in response.content.decode()
    t1_talk.refresh_from_db()
    assert decrypt(t1_talk.summary_encrypted) == SECRET and t1_talk.version == 2
    assert reads() == 0


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(tc, t1_talk):
    client = client_for(tc.secretary)
    response = client.post(reverse("talks:edit", args=[t1_talk.pk]), form_data(tc, place="新地点", version=7))
    html = response.content.decode()
    assert 'id="conflict-help"' in html and "新地点" in html
    t1_talk.refresh_from_db()
    assert t1_talk.place == "党员活动室"


def test_deleting_through_the_form(tc, t1_talk):
    client = client_for(tc.secretary)
    response = client.post(reverse("talks:delete", args=[t1_talk.pk]), {"reason": ""})
    assert 'data-field-error="reason"' in response.content.decode()
    response = client.post(reverse("talks:delete", args=[t1_talk.pk]), {"reason": "重复登记"})
    assert response.status_code == 302
    assert not Talk.objects.alive().exists()


# ---------------------------------------------------------------- plans, coverage, to-do


def test_generating_plans_from_the_page_then_reading_them(tc):
    client = client_for(tc.organiser)
    response = client.post(reverse("talks:plan"), {"sync-year": YEAR, "sync-unit": tc.jy.pk}, follow=True)
    html = response.content.decode()
    assert "谈话计划已更新：新增 13 对" in html
    assert html.count("data-plan=") == 4
    assert html.count('data-state="missing"') == 13
    again = client.post(reverse("talks:plan"), {"sync-year": YEAR, "sync-unit": tc.jy.pk}, follow=True)
    assert "谈话计划已是最新" in again.content.decode()


def test_a_branch_secretary_cannot_generate_the_colleges_plans(tc):
    response = client_for(tc.secretary).post(reverse("talks:plan"), {"sync-year": YEAR, "sync-unit": tc.jy.pk})
    assert response.status_code == 200 and not TalkPlan.objects.exists()


def test_coverage_page_lists_each_rule_with_its_todo(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    html = client_for(tc.organiser).get(reverse("talks:coverage")).content.decode()
    assert html.count("<tr data-rule=") == 4
    assert 'data-rule="talks.branch_members" data-unit="JY-T1"' in html
    assert f"?initiator={tc.secretary_p.pk}&amp;counterpart={tc.shuji_p.pk}" in html
    assert 'id="coverage-data"' in html
    t1 = client_for(tc.secretary).get(reverse("talks:coverage")).content.decode()
    assert t1.count("<tr data-rule=") == 1 and 'value="50"' in t1  # 1 of 2 pairs done


def test_my_todo_page_shows_my_missing_talks(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    html = client_for(tc.secretary).get(reverse("talks:my_todo")).content.decode()
    assert html.count('class="d-flex align-items-center py-1 talk-todo-item"') == 2
    assert "王党员" in html and "陈书记" in html
    member = client_for(tc.member).get(reverse("talks:my_todo")).content.decode()
    assert 'id="todo-empty"' in member and "谈话记录</a>" not in member  # no tabs to pages it may not open


def query_count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["talks:list", "talks:coverage", "talks:plan", "talks:my_todo"])
def test_pages_take_the_same_number_of_queries_at_two_sizes(tc, name):
    client = client_for(tc.shuji)
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.shuji_p, tc.member_p)
    small = query_count(client, reverse(name))
    for i in range(30):
        p = make_person(tc.t1 if i % 2 else tc.t2, status="activist" if i % 3 == 0 else "full_member")
        talk(tc, tc.shuji_p, p, held_on=date(YEAR, 1 + i % 5, 1 + i % 27))
    services.sync_talk_plans(actor=None, year=YEAR)
    assert query_count(client, reverse(name)) == small
