"""The audit trail (DESIGN §5): what `record()` writes, and that nothing can change an event afterwards."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from dangjian.core.audit import ACTIONS, diff, record
from dangjian.core.models import AppendOnlyError, AuditEvent
from dangjian.core.request_context import reset_request_id, set_request_id
from dangjian.people.models import Person


def test_record_writes_actor_name_unit_action_target_changes_and_request_id(college):
    token = set_request_id("req42abc")
    try:
        event = record(
            actor=college.organiser,
            action="organizations.unit.updated",
            target=college.t1,
            unit=college.t1,
            changes={"name": ["教工一支部", "教工第一党支部"], "term_started_on": [None, date(2024, 6, 1)]},
            note="更名",
        )
    finally:
        reset_request_id(token)

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == college.organiser
    assert event.actor_name == "周组织"
    assert event.unit == college.t1
    assert event.action == "organizations.unit.updated"
    assert event.target_type == "organizations.orgunit"
    assert event.target_id == str(college.t1.pk)
    assert event.target_repr == "教工第一党支部"
    assert event.changes == {"name": ["教工一支部", "教工第一党支部"], "term_started_on": [None, "2024-06-01"]}
    assert event.note == "更名"
    assert event.request_id == "req42abc"
    assert event.action_label == "修改党组织"


def test_actor_name_is_a_snapshot_that_survives_a_rename(college):
    event = record(actor=college.organiser, action="people.person.updated", target=college.member_p)
    Person.objects.filter(pk=college.organiser_p.pk).update(name="周改名")
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "周组织"


def test_actor_without_person_is_named_by_username(college):
    event = record(actor=college.sysadmin, action="accounts.user.created", target=college.norole)
    assert event.actor == college.sysadmin
    assert event.actor_name == "sysadmin"


def test_system_actor_has_no_user_and_is_named_system(db):
    event = record(actor="system", action="core.rule.reset")
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.target_type == event.target_id == event.target_repr == ""
    assert event.changes == {}
    assert event.request_id == ""


def test_changes_are_stored_as_plain_json_values(college):
    event = record(
        actor="system",
        action="people.person.updated",
        changes={"amount": [Decimal("1.50"), Decimal("2.00")], "unit": [college.t1, college.t2]},
    )
    assert AuditEvent.objects.get(pk=event.pk).changes == {
        "amount": ["1.50", "2.00"],
        "unit": [college.t1.pk, college.t2.pk],
    }


def test_unknown_action_raises_and_writes_nothing(college):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="unregistered audit action"):
        record(actor=college.organiser, action="people.person.teleported", target=college.member_p)
    assert AuditEvent.objects.count() == before


def test_every_registered_action_is_app_model_verb():
    for name in ACTIONS:
        assert len(name.split(".")) == 3, name


def test_diff_lists_only_changed_fields_as_old_new_pairs():
    before = {"name": "甲", "born": date(1990, 1, 1), "note": ""}
    after = {"name": "乙", "born": date(1990, 1, 1), "note": "", "phone": "13800138000"}
    assert diff(before, after) == {"name": ["甲", "乙"], "phone": [None, "13800138000"]}


@pytest.fixture
def event(college):
    return record(actor=college.organiser, action="people.person.updated", target=college.member_p, note="原始")


def test_saving_an_existing_event_is_refused(event):
    event.note = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).note == "原始"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(note="篡改")
    assert AuditEvent.objects.get(pk=event.pk).note == "原始"


def test_queryset_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_is_refused(event):
    event.note = "篡改"
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update opens no savepoint of its own
        AuditEvent.objects.bulk_update([event], ["note"])
    assert AuditEvent.objects.get(pk=event.pk).note == "原始"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_raw_sql_update_and_delete_are_refused_by_the_database_trigger(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET note = %s WHERE id = %s", ["篡改", event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    row = AuditEvent.objects.get(pk=event.pk)
    assert row.note == "原始"
