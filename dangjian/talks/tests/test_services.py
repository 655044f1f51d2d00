"""Talk services: recording, editing, deleting and reading contents (each refusal leaves nothing behind), and
generating the yearly plans from the rules (pairs hand-computed in conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core.crypto import decrypt
from dangjian.core.errors import ConcurrentEdit, PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.core.permissions import Role
from dangjian.core.testing import give_role
from dangjian.people import services as people_services
from dangjian.talks import services
from dangjian.talks.models import PlannedTalk, Talk, TalkPlan
from dangjian.talks.services import TalkError

from .conftest import YEAR, talk


def nothing_written(before_talks: int = 0) -> None:
    assert Talk.objects.count() == before_talks
    assert not AuditEvent.objects.filter(action__startswith="talks.talk.").exists()


# ---------------------------------------------------------------- record_talk


def test_recording_a_talk_files_it_under_the_counterparts_unit_with_encrypted_contents(tc):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="聊了教学科研压力。", follow_up="下月再谈一次。",
             actor=tc.secretary)
    t.refresh_from_db()
    assert t.unit == tc.t1 and t.kind == "heart_to_heart" and t.place == "党员活动室"
    assert "教学" not in t.summary_encrypted and decrypt(t.summary_encrypted) == "聊了教学科研压力。"
    assert decrypt(t.follow_up_encrypted) == "下月再谈一次。"
    event = AuditEvent.objects.get(action="talks.talk.recorded")
    assert event.actor == tc.secretary and event.unit == tc.t1 and event.target_id == str(t.pk)
    assert event.changes["summary"] == [None, "***"] and event.changes["follow_up"] == [None, "***"]
    assert "教学" not in str(event.changes) and "教学" not in event.target_repr


def test_a_plain_member_cannot_record_a_talk(tc):
    with pytest.raises(PermissionDenied):
        talk(tc, tc.member_p, tc.secretary_p, actor=tc.member)
    nothing_written()


def test_branch_secretary_cannot_record_a_talk_with_a_member_of_another_branch(tc):
    with pytest.raises(PermissionDenied):
        talk(tc, tc.secretary_p, tc.t2_member, actor=tc.secretary)
    nothing_written()


def test_the_initiator_must_be_someone_the_recorder_can_see(tc):
    with pytest.raises(PermissionDenied) as exc:
        talk(tc, tc.t2_member, tc.member_p, actor=tc.secretary)
    assert exc.value.params["field"] == "initiator"
    nothing_written()


def test_committee_member_may_record_talks_with_activists_anywhere_in_the_college(tc):
    t = talk(tc, tc.weiyuan_p, tc.u1_student, kind="admission", actor=tc.weiyuan)
    assert t.unit == tc.u1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"counterpart": "secretary_p"}, "same_person", "counterpart"),
        ({"held_on": date(YEAR, 6, 16)}, "future_date", "held_on"),
        ({"place": "  "}, "required", "place"),
        ({"summary": "  "}, "required", "summary"),
        ({"summary": "长" * 10_001}, "too_long", "summary"),
        ({"kind": "chat"}, "bad_kind", "kind"),
    ],
)
def test_a_talk_that_breaks_a_rule_is_refused_beside_its_field(tc, change, code, field):
    kwargs = {"actor": tc.secretary, "kind": "heart_to_heart", "held_on": date(YEAR, 3, 1), "place": "办公室",
              "initiator": tc.secretary_p, "counterpart": tc.member_p, "summary": "内容"}
    for k, v in change.items():
        kwargs[k] = getattr(tc, v) if k == "counterpart" else v
    with pytest.raises(TalkError) as exc:
        services.record_talk(**kwargs)
    assert (exc.value.code, exc.value.params["field"]) == (code, field)
    nothing_written()


def test_the_same_talk_cannot_be_recorded_twice_even_the_other_way_round(tc):
    talk(tc, tc.secretary_p, tc.member_p)
    with pytest.raises(TalkError) as exc:
        talk(tc, tc.member_p, tc.secretary_p)
    assert exc.value.code == "duplicate"
    assert Talk.objects.count() == 1
    assert AuditEvent.objects.filter(action="talks.talk.recorded").count() == 1
    # Another kind on the same day is another talk.
    talk(tc, tc.member_p, tc.secretary_p, kind="reminder")
    assert Talk.objects.count() == 2


def test_a_talk_after_the_counterpart_left_the_college_is_refused_but_one_before_is_kept(tc):
    people_services.transfer_out(actor=tc.organiser, person=tc.member_p, transferred_on=date(YEAR, 4, 1),
                                 external_org="某大学党委", letter_no="001")
    tc.member_p.refresh_from_db()
    with pytest.raises(TalkError) as exc:
        talk(tc, tc.secretary_p, tc.member_p, held_on=date(YEAR, 4, 2))
    assert exc.value.code == "not_on_roster"
    nothing_written()
    assert talk(tc, tc.secretary_p, tc.member_p, held_on=date(YEAR, 3, 31)).pk


# ---------------------------------------------------------------- update, delete, restore


def test_editing_with_a_stale_version_changes_nothing(tc):
    t = talk(tc, tc.secretary_p, tc.member_p)
    with pytest.raises(ConcurrentEdit):
        services.update_talk(actor=tc.organiser, talk=t, version=t.version + 1, place="会议室")
    t.refresh_from_db()
    assert t.place == "党员活动室" and t.version == 1
    assert not AuditEvent.objects.filter(action="talks.talk.updated").exists()


def test_a_manager_without_the_reading_right_edits_the_record_but_not_its_contents(tc):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="原内容")
    t = services.update_talk(actor=tc.organiser, talk=t, version=1, place="会议室", held_on=date(YEAR, 3, 2))
    assert (t.place, t.held_on, t.version) == ("会议室", date(YEAR, 3, 2), 2)
    event = AuditEvent.objects.get(action="talks.talk.updated")
    assert event.changes == {"held_on": [f"{YEAR}-03-01", f"{YEAR}-03-02"], "place": ["党员活动室", "会议室"]}
    with pytest.raises(PermissionDenied) as exc:
        services.update_talk(actor=tc.organiser, talk=t, version=2, summary="改写的内容")
    assert exc.value.params["field"] == "summary"
    t.refresh_from_db()
    assert decrypt(t.summary_encrypted) == "原内容" and t.version == 2


def test_a_participant_who_manages_talks_may_correct_the_contents_and_the_log_shows_no_text(tc):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="原内容")
    services.update_talk(actor=tc.secretary, talk=t, version=1, summary="更正后的内容", follow_up="跟进")
    t.refresh_from_db()
    assert decrypt(t.summary_encrypted) == "更正后的内容" and decrypt(t.follow_up_encrypted) == "跟进"
    event = AuditEvent.objects.get(action="talks.talk.updated")
    assert event.changes == {"summary": ["***", "***"], "follow_up": ["***", "***"]}


def test_an_edit_that_changes_nothing_writes_nothing(tc):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="原内容")
    services.update_talk(actor=tc.secretary, talk=t, version=1, summary="原内容", place="党员活动室")
    t.refresh_from_db()
    assert t.version == 1
    assert not AuditEvent.objects.filter(action="talks.talk.updated").exists()


def test_changing_the_counterpart_refiles_the_talk_and_needs_the_right_on_the_new_unit(tc):
    t = talk(tc, tc.shuji_p, tc.member_p)
    with pytest.raises(PermissionDenied):
        services.update_talk(actor=tc.secretary, talk=t, version=1, counterpart=tc.t2_member)
    t.refresh_from_db()
    assert t.unit == tc.t1 and t.counterpart == tc.member_p
    t = services.update_talk(actor=tc.organiser, talk=t, version=1, counterpart=tc.t2_member)
    assert t.unit == tc.t2


def test_deleting_needs_a_reason_and_keeps_the_row_until_restored(tc):
    t = talk(tc, tc.secretary_p, tc.member_p)
    with pytest.raises(TalkError) as exc:
        services.delete_talk(actor=tc.secretary, talk=t, reason=" ")
    assert exc.value.code == "required"
    assert Talk.objects.alive().count() == 1
    with pytest.raises(PermissionDenied):
        services.delete_talk(actor=tc.other_secretary, talk=t, reason="重复")
    services.delete_talk(actor=tc.secretary, talk=t, reason="重复登记")
    assert Talk.objects.alive().count() == 0 and Talk.objects.count() == 1
    assert AuditEvent.objects.get(action="talks.talk.deleted").note == "重复登记"
    services.restore_talk(actor=tc.organiser, talk=t)
    assert Talk.objects.alive().count() == 1
    assert AuditEvent.objects.filter(action="talks.talk.restored").count() == 1


def test_a_deleted_talk_cannot_be_restored_once_recorded_again(tc):
    t = talk(tc, tc.secretary_p, tc.member_p)
    services.delete_talk(actor=tc.secretary, talk=t, reason="日期有误")
    talk(tc, tc.secretary_p, tc.member_p)
    with pytest.raises(TalkError) as exc:
        services.restore_talk(actor=tc.secretary, talk=t)
    assert exc.value.code == "duplicate"
    assert Talk.objects.alive().count() == 1


# ---------------------------------------------------------------- reading contents


@pytest.mark.parametrize("who", ["member", "secretary", "shuji", "reader"])
def test_participants_the_committee_secretary_and_the_reader_read_the_contents_and_each_read_is_logged(tc, who):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="保密内容", follow_up="跟进事项")
    contents = services.read_talk_summary(actor=tc.users[who], talk=t, channel="api")
    assert (contents.summary, contents.follow_up) == ("保密内容", "跟进事项")
    event = AuditEvent.objects.get(action="talks.talk.summary_read")
    assert (event.actor, event.target_id, event.unit, event.note) == (tc.users[who], str(t.pk), tc.t1, "api")


@pytest.mark.parametrize("who", ["organiser", "other_secretary", "weiyuan", "norole", "sysadmin", "auditor"])
def test_nobody_else_reads_the_contents_not_even_the_organiser(tc, who):
    t = talk(tc, tc.secretary_p, tc.member_p, summary="保密内容")
    with pytest.raises(PermissionDenied):
        services.read_talk_summary(actor=tc.users[who], talk=t)
    assert not AuditEvent.objects.filter(action="talks.talk.summary_read").exists()


def test_the_reading_right_ends_with_the_post(tc):
    t = talk(tc, tc.secretary_p, tc.member_p)
    tc.reader_p.roles.update(ends_on=date(YEAR, 6, 1))
    with pytest.raises(PermissionDenied):
        services.read_talk_summary(actor=tc.reader, talk=t)


# ---------------------------------------------------------------- plans


def pairs(rule: str, unit) -> set[tuple[str, str]]:
    return {
        (i.initiator.name, i.counterpart.name)
        for i in PlannedTalk.objects.filter(plan__rule=rule, plan__unit=unit, plan__year=YEAR,
                                            withdrawn_on__isnull=True).select_related("initiator", "counterpart")
    }


def test_generating_the_plans_gives_the_pairs_each_rule_requires(tc):
    result = services.sync_talk_plans(actor=tc.organiser, year=YEAR, unit=tc.jy)
    assert (result.plans_created, result.added, result.withdrawn) == (4, 13, 0)
    assert pairs("talks.secretary_teachers", tc.jy) == {
        ("陈书记", n) for n in ("周组织", "张书记", "李书记", "王党员", "赵党员", "刘委员", "孙查阅")
    }
    assert pairs("talks.committee_activists", tc.jy) == {("陈书记", "钱学生"), ("刘委员", "钱学生")}
    assert pairs("talks.branch_members", tc.t1) == {("张书记", "王党员"), ("张书记", "陈书记")}
    assert pairs("talks.branch_members", tc.t2) == {("李书记", "赵党员"), ("李书记", "刘委员")}
    assert not TalkPlan.objects.filter(unit=tc.u1).exists()
    events = AuditEvent.objects.filter(action="talks.plan.generated")
    assert events.count() == 4 and {e.actor for e in events} == {tc.organiser}


def test_two_branch_committee_members_are_one_pair_with_the_senior_one_initiating(tc):
    give_role(tc.member_p, tc.t1, Role.BRANCH_COMMITTEE_MEMBER)
    services.sync_talk_plans(actor=None, year=YEAR)
    assert pairs("talks.branch_members", tc.t1) == {
        ("张书记", "王党员"), ("张书记", "陈书记"), ("王党员", "陈书记"),
    }


def test_generating_again_changes_nothing_and_logs_nothing(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    before = (PlannedTalk.objects.count(), AuditEvent.objects.count())
    result = services.sync_talk_plans(actor=None, year=YEAR)
    assert not result.changed
    assert (PlannedTalk.objects.count(), AuditEvent.objects.count()) == before


def test_a_pair_no_longer_required_is_withdrawn_unless_it_has_talked_and_comes_back_when_required_again(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.shuji_p, tc.t2_member)  # 赵党员 talked with the secretary before leaving
    for person in (tc.t2_member, tc.organiser_p):
        people_services.transfer_out(actor=tc.organiser, person=person, transferred_on=date(YEAR, 5, 1),
                                     external_org="某大学党委", letter_no=f"{person.pk}")
    result = services.sync_talk_plans(actor=None, year=YEAR)
    # 周组织's pair (not talked) is withdrawn; 赵党员's with 陈书记 (talked) stays; 赵党员 with 李书记 goes.
    assert (result.added, result.withdrawn, result.reinstated) == (0, 2, 0)
    assert ("陈书记", "赵党员") in pairs("talks.secretary_teachers", tc.jy)
    assert ("陈书记", "周组织") not in pairs("talks.secretary_teachers", tc.jy)
    assert pairs("talks.branch_members", tc.t2) == {("李书记", "刘委员")}
    withdrawn = PlannedTalk.objects.filter(withdrawn_on=date(YEAR, 6, 15))
    assert {(i.initiator.name, i.counterpart.name) for i in withdrawn} == {("陈书记", "周组织"), ("李书记", "赵党员")}
    people_services.transfer_in(actor=tc.organiser, to_unit=tc.t2, to_group=None, transferred_on=date(YEAR, 6, 10),
                                external_org="某大学党委", letter_no="002", person=tc.t2_member)
    result = services.sync_talk_plans(actor=None, year=YEAR)
    assert (result.added, result.withdrawn, result.reinstated) == (0, 0, 1)
    assert ("李书记", "赵党员") in pairs("talks.branch_members", tc.t2)


def test_a_branch_secretary_generates_the_branch_plan_but_not_the_colleges(tc):
    result = services.sync_talk_plans(actor=tc.secretary, year=YEAR, unit=tc.t1)
    assert (result.plans_created, result.added) == (1, 2)
    with pytest.raises(PermissionDenied):
        services.sync_talk_plans(actor=tc.secretary, year=YEAR, unit=tc.jy)
    assert TalkPlan.objects.count() == 1


def test_a_past_years_plan_is_generated_once_and_then_frozen(tc):
    result = services.sync_talk_plans(actor=tc.organiser, year=YEAR - 1, unit=tc.jy)
    assert result.plans_created == 4
    assert set(PlannedTalk.objects.values_list("added_on", flat=True)) == {date(YEAR - 1, 12, 31)}
    with pytest.raises(TalkError) as exc:
        services.sync_talk_plans(actor=tc.organiser, year=YEAR - 1, unit=tc.jy)
    assert exc.value.code == "year_closed"


@pytest.mark.parametrize("year", [1999, YEAR + 2])
def test_a_year_out_of_range_is_refused(tc, year):
    with pytest.raises(TalkError) as exc:
        services.sync_talk_plans(actor=tc.organiser, year=year, unit=tc.jy)
    assert (exc.value.code, exc.value.params["field"]) == ("bad_year", "year")
    assert not TalkPlan.objects.exists() and not AuditEvent.objects.filter(action__startswith="talks.").exists()
