"""Writes for people: records, ID numbers, placements and transfers (DESIGN §3, §5, §14; RULES.md §3).

Every refusal also checks that nothing happened: no new person, placement or transfer, no changed row,
no audit event.
"""

from datetime import date, timedelta

import pytest

from dangjian.core.crypto import blind_index, decrypt
from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.core.scoping import today
from dangjian.core.testing import make_person
from dangjian.people.models import Person, Placement, Transfer
from dangjian.people.services import (
    create_person,
    delete_person,
    restore_person,
    reveal_id_number,
    transfer_in,
    transfer_out,
    transfer_within,
    update_person,
    validate_person,
)

ID = "110101199003071233"  # born 1990-03-07; check digit 3 (weighted sum 174, 174 mod 11 = 9 → '3')
ID_X = "11010119900307002X"  # born 1990-03-07; weighted sum 156, 156 mod 11 = 2 → 'X'
FULL_DATES = {
    "applied_on": date(2010, 3, 1),
    "activist_on": date(2010, 9, 1),
    "candidate_on": date(2011, 9, 1),
    "joined_on": date(2012, 1, 10),
    "full_member_on": date(2013, 1, 10),
}


def state():
    return {
        "people": list(
            Person.objects.order_by("pk").values_list(
                "pk", "name", "unit_id", "group_id", "political_status", "phone", "id_number_hash", "left_on",
                "deleted_at", "version",
            )
        ),
        "placements": list(Placement.objects.order_by("pk").values_list("pk", "unit_id", "group_id", "starts_on", "ends_on")),
        "transfers": Transfer.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def refused(expected, fn, /, **kwargs):
    """Call a service that must refuse with code `expected`; assert nothing changed. Returns the error."""
    before = state()
    with pytest.raises(DomainError) as exc:
        fn(**kwargs)
    assert exc.value.code == expected, exc.value
    assert state() == before
    return exc.value


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def person_data(**fields):
    data = {"name": "陈新", "gender": "female", "category": "faculty", "birth_date": date(1990, 3, 7),
            "staff_no": "T90001", "political_status": "full_member", **FULL_DATES}
    data.update(fields)
    return data


# ---------------------------------------------------------------- create_person


def test_create_person_stores_the_id_number_encrypted_indexed_and_masked(college):
    p = create_person(actor=college.organiser, unit=college.t1, group=college.t1g1, id_number=f" {ID} ",
                      placed_on=date(2026, 9, 1), **person_data())
    p.refresh_from_db()
    assert p.id_number_masked == "1101**********1233"
    assert p.id_number_encrypted != ID
    assert ID not in p.id_number_encrypted
    assert decrypt(p.id_number_encrypted) == ID
    assert p.id_number_hash == blind_index(ID)
    assert (p.name, p.name_pinyin, p.name_initials) == ("陈新", "chenxin", "cx")
    assert (p.unit, p.group, p.version) == (college.t1, college.t1g1, 1)
    [pl] = Placement.objects.filter(person=p)
    assert (pl.unit, pl.group, pl.starts_on, pl.ends_on, pl.reason) == (
        college.t1, college.t1g1, date(2026, 9, 1), None, "created")
    [e] = events("people.person.created")
    assert (e.actor, e.unit, e.target_id) == (college.organiser, college.t1, str(p.pk))
    assert ID not in str(e.changes) and ID not in e.target_repr


def test_create_person_places_from_today_by_default(college):
    p = create_person(actor=college.organiser, unit=college.t1, **person_data())
    assert Placement.objects.get(person=p).starts_on == today()


def test_an_id_number_with_a_lower_case_x_is_stored_upper_case(college):
    p = create_person(actor=college.organiser, unit=college.t1, id_number=ID_X.lower(), **person_data())
    assert decrypt(p.id_number_encrypted) == ID_X
    assert p.id_number_masked == "1101**********002X"


def test_a_bad_check_digit_is_refused(college):
    refused("id_checksum", create_person, actor=college.organiser, unit=college.t1, id_number=ID[:-1] + "4",
            **person_data())


def test_an_id_number_whose_birth_date_differs_is_refused(college):
    err = refused("id_birth_mismatch", create_person, actor=college.organiser, unit=college.t1, id_number=ID,
                  **person_data(birth_date=date(1990, 3, 8)))
    assert err.params == {"field": "id_number"}
    assert "1990-03-07" in err.message and "1990-03-08" in err.message


def test_a_duplicate_id_number_is_refused_whatever_the_case_of_x(college):
    create_person(actor=college.organiser, unit=college.t1, id_number=ID_X, **person_data())
    refused("duplicate", create_person, actor=college.organiser, unit=college.t2, id_number=ID_X.lower(),
            **person_data(name="陈重", staff_no="T90002"))


def test_a_duplicate_staff_no_is_refused(college):
    refused("duplicate", create_person, actor=college.organiser, unit=college.t1,
            **person_data(staff_no=college.member_p.staff_no))


def test_a_branch_secretary_adds_people_to_their_own_branch_only(college):
    create_person(actor=college.secretary, unit=college.t1, **person_data())
    refused("forbidden", create_person, actor=college.secretary, unit=college.t2, **person_data(staff_no="T90002"))


def test_a_member_cannot_add_people(college):
    refused("forbidden", create_person, actor=college.member, unit=college.t1, **person_data())


# ---------------------------------------------------------------- validation rules


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  "}, "required", "name"),
        ({"phone": "1380013800"}, "bad_phone", "phone"),
        ({"email": "chen@"}, "bad_email", "email"),
        ({"activist_on": date(2010, 2, 28)}, "date_order", "activist_on"),  # before applied_on 2010-03-01
        ({"joined_on": date(2011, 8, 31)}, "date_order", "joined_on"),  # before candidate_on 2011-09-01
        ({"birth_date": date(2050, 1, 1)}, "future_date", "birth_date"),
        # full member without 转正 date
        ({"full_member_on": None}, "status_dates_mismatch", "political_status"),
        # probationary member with a 转正 date
        ({"political_status": "probationary"}, "status_dates_mismatch", "political_status"),
        # probationary member without an 入党 date
        ({"political_status": "probationary", "joined_on": None, "full_member_on": None},
         "status_dates_mismatch", "political_status"),
        # a non-member with an 入党 date
        ({"political_status": "candidate", "full_member_on": None}, "status_dates_mismatch", "political_status"),
    ],
)
def test_invalid_records_are_refused(college, fields, code, field):
    err = refused(code, create_person, actor=college.organiser, unit=college.t1, **person_data(**fields))
    assert err.params == {"field": field}


def test_a_future_recruitment_date_is_refused(college):
    refused("future_date", create_person, actor=college.organiser, unit=college.t1,
            **person_data(political_status="applicant", applied_on=today() + timedelta(days=1), activist_on=None,
                          candidate_on=None, joined_on=None, full_member_on=None))


def test_a_member_must_be_placed_in_a_branch(college):
    refused("status_dates_mismatch", create_person, actor=college.organiser, unit=college.jy, **person_data())


def test_a_non_member_may_be_kept_on_the_committee_roster(college):
    p = create_person(actor=college.organiser, unit=college.jy,
                      **person_data(political_status="masses", applied_on=None, activist_on=None,
                                    candidate_on=None, joined_on=None, full_member_on=None))
    assert p.unit == college.jy


def test_a_group_of_another_branch_is_refused(college):
    refused("unknown_group", create_person, actor=college.organiser, unit=college.t1, group=college.t2g1,
            **person_data())


def applicant(birth, applied):
    return person_data(birth_date=birth, political_status="applicant", applied_on=applied, activist_on=None,
                       candidate_on=None, joined_on=None, full_member_on=None)


def test_applying_at_17_years_364_days_is_too_young(college):
    # born 2000-06-15: 2018-06-14 is the last day of age 17 (党章 Art. 1: 年满十八岁)
    err = refused("too_young", create_person, actor=college.organiser, unit=college.t1,
                  **applicant(date(2000, 6, 15), date(2018, 6, 14)))
    assert err.message == "申请入党时未满18周岁。"


def test_applying_on_the_18th_birthday_is_allowed(college):
    p = create_person(actor=college.organiser, unit=college.t1, **applicant(date(2000, 6, 15), date(2018, 6, 15)))
    assert p.applied_on == date(2018, 6, 15)


def test_a_leap_day_birth_turns_18_on_the_1st_of_march(college):
    refused("too_young", create_person, actor=college.organiser, unit=college.t1,
            **applicant(date(2004, 2, 29), date(2022, 2, 28)))
    create_person(actor=college.organiser, unit=college.t1, **applicant(date(2004, 2, 29), date(2022, 3, 1)))


def leap_member(full_member_on):
    return person_data(applied_on=date(2021, 3, 1), activist_on=date(2021, 9, 1), candidate_on=date(2022, 9, 1),
                       joined_on=date(2024, 2, 29), full_member_on=full_member_on)


def test_probation_ending_before_a_full_year_is_refused(college):
    # joined 2024-02-29; twelve months later clamps to 2025-02-28 (党章 Art. 7: 预备期为一年)
    refused("probation_too_short", create_person, actor=college.organiser, unit=college.t1,
            **leap_member(date(2025, 2, 27)))


def test_probation_of_exactly_twelve_months_is_allowed(college):
    p = create_person(actor=college.organiser, unit=college.t1, **leap_member(date(2025, 2, 28)))
    assert p.full_member_on == date(2025, 2, 28)


def test_validate_person_uses_the_date_given_as_today(college):
    p = Person(unit=college.t1, **applicant(date(2000, 1, 1), date(2026, 6, 1)))
    validate_person(p, on=date(2026, 6, 1))
    with pytest.raises(DomainError) as exc:
        validate_person(p, on=date(2026, 5, 31))
    assert exc.value.code == "future_date"


# ---------------------------------------------------------------- update_person


def test_update_person_saves_bumps_version_and_audits(college):
    p = update_person(actor=college.organiser, person=college.member_p, version=1, phone="13800138000",
                      name="王新党员")
    p.refresh_from_db()
    assert (p.phone, p.name, p.name_initials, p.version) == ("13800138000", "王新党员", "wxdy", 2)
    [e] = events("people.person.updated")
    assert e.changes == {"name": ["王党员", "王新党员"], "phone": ["", "13800138000"]}


def test_a_stale_version_is_refused(college):
    update_person(actor=college.organiser, person=college.member_p, version=1, phone="13800138000")
    err = refused("concurrent_edit", update_person, actor=college.organiser, person=college.member_p, version=1,
                  phone="13900139000")
    assert isinstance(err, ConcurrentEdit)


def test_an_update_that_changes_nothing_writes_nothing(college):
    before = state()
    update_person(actor=college.organiser, person=college.member_p, version=1, name="王党员")
    assert state() == before


def test_changing_the_id_number_never_writes_it_to_the_audit_log(college):
    p = make_person(college.t1, "林党员", birth_date=date(1990, 3, 7), **FULL_DATES)
    update_person(actor=college.organiser, person=p, version=1, id_number=ID)
    p.refresh_from_db()
    assert (decrypt(p.id_number_encrypted), p.id_number_masked) == (ID, "1101**********1233")
    [e] = events("people.person.updated")
    assert e.changes == {"id_number": ["***", "***"]}
    # the same number again is no change
    before = state()
    update_person(actor=college.organiser, person=p, version=2, id_number=ID)
    assert state() == before


def test_update_refuses_an_id_number_held_by_someone_else(college):
    create_person(actor=college.organiser, unit=college.t1, id_number=ID, **person_data())
    p = make_person(college.t1, "林党员", birth_date=date(1990, 3, 7), **FULL_DATES)
    refused("duplicate", update_person, actor=college.organiser, person=p, version=1, id_number=ID)


def test_update_applies_the_validation_rules(college):
    refused("probation_too_short", update_person, actor=college.organiser, person=college.member_p, version=1,
            full_member_on=date(2007, 6, 1))  # joined 2007-01-01


def test_update_refuses_fields_outside_the_record(college):
    with pytest.raises(ValueError):
        update_person(actor=college.organiser, person=college.member_p, version=1, left_on=date(2026, 1, 1))


def test_a_branch_secretary_cannot_edit_another_branch(college):
    refused("forbidden", update_person, actor=college.secretary, person=college.t2_member, version=1,
            phone="13800138000")


# ---------------------------------------------------------------- reveal_id_number


def test_reveal_id_number_returns_it_and_logs_the_read(college):
    p = create_person(actor=college.organiser, unit=college.t1, id_number=ID, **person_data())
    assert reveal_id_number(actor=college.organiser, person=p) == ID
    [e] = events("people.person.id_number_read")
    assert (e.actor, e.unit, e.target_id) == (college.organiser, college.t1, str(p.pk))


@pytest.mark.parametrize("who", ["secretary", "member", "sysadmin", "auditor"])
def test_reveal_id_number_is_refused_without_the_explicit_right(college, who):
    p = create_person(actor=college.organiser, unit=college.t1, id_number=ID, **person_data())
    err = refused("forbidden", reveal_id_number, actor=college.users[who], person=p)
    assert isinstance(err, PermissionDenied)
    assert events("people.person.id_number_read") == []


# ---------------------------------------------------------------- transfer_within


def test_transfer_within_moves_the_person_and_keeps_the_history(college):
    wang = college.member_p
    t = transfer_within(actor=college.organiser, person=wang, to_unit=college.t2, to_group=college.t2g1,
                        transferred_on=date(2026, 11, 1), reason="调入第二支部")
    assert (t.kind, t.from_unit, t.from_group, t.to_unit, t.to_group, t.transferred_on, t.created_by) == (
        "within", college.t1, college.t1g2, college.t2, college.t2g1, date(2026, 11, 1), college.organiser)
    wang.refresh_from_db()
    assert (wang.unit, wang.group, wang.version) == (college.t2, college.t2g1, 2)
    old, new = Placement.objects.filter(person=wang).order_by("starts_on")
    assert (old.unit, old.group, old.starts_on, old.ends_on) == (college.t1, college.t1g2, date(2020, 1, 1),
                                                                 date(2026, 10, 31))
    assert (new.unit, new.group, new.starts_on, new.ends_on, new.reason, new.transfer) == (
        college.t2, college.t2g1, date(2026, 11, 1), None, "transfer", t)
    [e] = events("people.transfer.recorded")
    assert (e.unit, e.target_id) == (college.t1, str(t.pk))
    assert e.changes == {"unit": ["JY-T1", "JY-T2"], "group": [college.t1g2.pk, college.t2g1.pk]}


def test_a_branch_secretary_moves_people_between_their_own_groups(college):
    transfer_within(actor=college.secretary, person=college.member_p, to_unit=college.t1, to_group=college.t1g1,
                    transferred_on=date(2026, 11, 1))
    assert Person.objects.get(pk=college.member_p.pk).group == college.t1g1


def test_a_branch_secretary_cannot_move_people_to_another_branch(college):
    refused("forbidden", transfer_within, actor=college.secretary, person=college.member_p, to_unit=college.t2,
            to_group=None, transferred_on=date(2026, 11, 1))


def test_transfer_to_a_group_of_another_branch_is_refused(college):
    refused("unknown_group", transfer_within, actor=college.organiser, person=college.member_p,
            to_unit=college.t2, to_group=college.t1g1, transferred_on=date(2026, 11, 1))


def test_transfer_dated_before_the_current_placement_is_refused(college):
    err = refused("date_order", transfer_within, actor=college.organiser, person=college.member_p,
                  to_unit=college.t2, to_group=None, transferred_on=date(2019, 12, 31))
    assert "2020-01-01" in err.message


def test_transfer_on_the_day_the_placement_started_is_allowed(college):
    transfer_within(actor=college.organiser, person=college.member_p, to_unit=college.t2, to_group=None,
                    transferred_on=date(2020, 1, 1))
    old = Placement.objects.filter(person=college.member_p).order_by("id").first()
    assert (old.starts_on, old.ends_on) == (date(2020, 1, 1), date(2020, 1, 1))


def test_a_future_transfer_is_refused(college):
    refused("future_date", transfer_within, actor=college.organiser, person=college.member_p, to_unit=college.t2,
            to_group=None, transferred_on=today() + timedelta(days=1))


@pytest.mark.parametrize(("to_unit", "to_group", "code"), [
    ("jy", None, "unknown_branch"),  # the committee is not a branch
    ("t1g1", None, "unknown_branch"),  # nor is a group
    ("t1", "t1g2", "same_unit"),  # 王党员 is already there
])
def test_transfer_within_checks_the_destination(college, to_unit, to_group, code):
    refused(code, transfer_within, actor=college.organiser, person=college.member_p,
            to_unit=college.units[to_unit], to_group=college.units[to_group] if to_group else None,
            transferred_on=date(2026, 11, 1))


# ---------------------------------------------------------------- transfer_out / transfer_in


def test_transfer_out_closes_the_placement_and_takes_the_person_off_the_roster(college):
    zhao = college.t2_member
    t = transfer_out(actor=college.organiser, person=zhao, transferred_on=date(2026, 11, 10),
                     external_org=" 某大学附属医院党委 ", letter_no=" 2026-015 ", reason="工作调动")
    assert (t.kind, t.from_unit, t.from_group, t.to_unit, t.external_org, t.letter_no) == (
        "out", college.t2, college.t2g2, None, "某大学附属医院党委", "2026-015")
    zhao.refresh_from_db()
    assert (zhao.left_on, zhao.version) == (date(2026, 11, 10), 2)
    assert not Person.objects.current().filter(pk=zhao.pk).exists()
    [pl] = Placement.objects.filter(person=zhao)
    assert pl.ends_on == date(2026, 11, 10)
    [e] = events("people.transfer.recorded")
    assert e.changes == {"left_on": [None, "2026-11-10"], "to": [None, "某大学附属医院党委"]}


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"external_org": " "}, "required"),
    ({"letter_no": ""}, "required"),
    ({"transferred_on": date(2019, 12, 31)}, "date_order"),  # before the placement of 2020-01-01
])
def test_transfer_out_refusals(college, kwargs, code):
    args = {"transferred_on": date(2026, 11, 10), "external_org": "某党委", "letter_no": "2026-015", **kwargs}
    refused(code, transfer_out, actor=college.organiser, person=college.t2_member, **args)


def test_a_future_transfer_out_is_refused(college):
    refused("future_date", transfer_out, actor=college.organiser, person=college.t2_member,
            transferred_on=today() + timedelta(days=1), external_org="某党委", letter_no="2026-015")


def test_a_person_cannot_leave_twice(college):
    transfer_out(actor=college.organiser, person=college.t2_member, transferred_on=date(2026, 11, 10),
                 external_org="某党委", letter_no="2026-015")
    refused("left", transfer_out, actor=college.organiser, person=college.t2_member,
            transferred_on=date(2026, 11, 11), external_org="某党委", letter_no="2026-016")
    refused("left", transfer_within, actor=college.organiser, person=college.t2_member, to_unit=college.t1,
            to_group=None, transferred_on=date(2026, 11, 11))


def test_transfer_in_of_a_new_person(college):
    t = transfer_in(actor=college.organiser, to_unit=college.t2, to_group=college.t2g1,
                    transferred_on=date(2026, 11, 20), external_org="某医院党委", letter_no="ZR-001",
                    id_number=ID, **person_data())
    p = t.person
    assert (t.kind, t.to_unit, t.to_group, t.external_org, t.letter_no, t.from_unit) == (
        "in", college.t2, college.t2g1, "某医院党委", "ZR-001", None)
    assert (p.unit, p.group, p.left_on, decrypt(p.id_number_encrypted)) == (college.t2, college.t2g1, None, ID)
    [pl] = Placement.objects.filter(person=p)
    assert (pl.unit, pl.group, pl.starts_on, pl.ends_on, pl.reason, pl.transfer) == (
        college.t2, college.t2g1, date(2026, 11, 20), None, "transfer", t)
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["people.person.created",
                                                                     "people.transfer.recorded"]
    assert events("people.transfer.recorded")[0].changes == {"from": ["某医院党委", None], "unit": [None, "JY-T2"]}


def test_transfer_in_of_a_new_person_applies_the_record_rules(college):
    refused("id_checksum", transfer_in, actor=college.organiser, to_unit=college.t2, to_group=None,
            transferred_on=date(2026, 11, 20), external_org="某医院党委", letter_no="ZR-001",
            id_number=ID[:-1] + "4", **person_data())


def test_a_returning_person_gets_a_new_placement(college):
    zhao = college.t2_member
    transfer_out(actor=college.organiser, person=zhao, transferred_on=date(2026, 11, 10), external_org="某党委",
                 letter_no="2026-015")
    t = transfer_in(actor=college.organiser, person=zhao, to_unit=college.t1, to_group=college.t1g2,
                    transferred_on=date(2026, 11, 20), external_org="某党委", letter_no="ZR-002")
    zhao.refresh_from_db()
    assert (zhao.left_on, zhao.unit, zhao.group, zhao.version) == (None, college.t1, college.t1g2, 3)
    assert Person.objects.current().filter(pk=zhao.pk).exists()
    placements = list(Placement.objects.filter(person=zhao).order_by("starts_on").values_list(
        "unit_id", "group_id", "starts_on", "ends_on", "reason", "transfer_id"))
    assert placements == [
        (college.t2.pk, college.t2g2.pk, date(2020, 1, 1), date(2026, 11, 10), "created", None),
        (college.t1.pk, college.t1g2.pk, date(2026, 11, 20), None, "transfer", t.pk),
    ]
    assert Person.objects.filter(name="赵党员").count() == 1


def test_a_returning_person_cannot_come_back_before_they_left(college):
    transfer_out(actor=college.organiser, person=college.t2_member, transferred_on=date(2026, 11, 10),
                 external_org="某党委", letter_no="2026-015")
    refused("date_order", transfer_in, actor=college.organiser, person=college.t2_member, to_unit=college.t1,
            to_group=None, transferred_on=date(2026, 11, 9), external_org="某党委", letter_no="ZR-002")


def test_transfer_in_of_someone_still_on_the_roster_is_refused(college):
    refused("not_left", transfer_in, actor=college.organiser, person=college.t2_member, to_unit=college.t1,
            to_group=None, transferred_on=date(2026, 11, 20), external_org="某党委", letter_no="ZR-002")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"to_unit": "jy"}, "unknown_branch"),
    ({"to_group": "t1g1"}, "unknown_group"),
    ({"letter_no": " "}, "required"),
    ({"external_org": ""}, "required"),
])
def test_transfer_in_refusals(college, kwargs, code):
    args = {"to_unit": "t2", "to_group": None, "external_org": "某医院党委", "letter_no": "ZR-001", **kwargs}
    args["to_unit"] = college.units[args["to_unit"]]
    args["to_group"] = college.units[args["to_group"]] if args["to_group"] else None
    refused(code, transfer_in, actor=college.organiser, transferred_on=date(2026, 11, 20), **args, **person_data())


def test_a_branch_secretary_cannot_receive_into_another_branch(college):
    refused("forbidden", transfer_in, actor=college.secretary, to_unit=college.t2, to_group=None,
            transferred_on=date(2026, 11, 20), external_org="某医院党委", letter_no="ZR-001", **person_data())


# ---------------------------------------------------------------- soft delete and restore


def test_delete_is_soft_with_a_reason_and_restore_brings_the_person_back(college):
    wang = college.member_p
    delete_person(actor=college.organiser, person=wang, reason=" 重复录入 ")
    wang.refresh_from_db()
    assert wang.deleted_at is not None
    assert (wang.deleted_reason, wang.version) == ("重复录入", 2)
    assert not Person.objects.current().filter(pk=wang.pk).exists()
    assert Placement.objects.filter(person=wang).count() == 1  # history is kept
    [e] = events("people.person.deleted")
    assert (e.note, e.unit) == ("重复录入", college.t1)

    restore_person(actor=college.organiser, person=wang)
    wang.refresh_from_db()
    assert (wang.deleted_at, wang.version) == (None, 3)
    assert Person.objects.current().filter(pk=wang.pk).exists()
    assert len(events("people.person.restored")) == 1


def test_delete_needs_a_reason(college):
    refused("required", delete_person, actor=college.organiser, person=college.member_p, reason="  ")


def test_delete_twice_is_refused(college):
    delete_person(actor=college.organiser, person=college.member_p, reason="重复录入")
    refused("already_deleted", delete_person, actor=college.organiser, person=college.member_p, reason="再删")


def test_restore_of_a_person_not_deleted_is_refused(college):
    refused("not_deleted", restore_person, actor=college.organiser, person=college.member_p)


def test_restore_is_refused_when_the_id_number_was_taken_meanwhile(college):
    first = create_person(actor=college.organiser, unit=college.t1, id_number=ID, **person_data())
    delete_person(actor=college.organiser, person=first, reason="录错")
    create_person(actor=college.organiser, unit=college.t1, id_number=ID, **person_data(staff_no="T90002"))
    refused("duplicate", restore_person, actor=college.organiser, person=first)


def test_restore_is_refused_when_the_staff_no_was_taken_meanwhile(college):
    first = create_person(actor=college.organiser, unit=college.t1, **person_data())
    delete_person(actor=college.organiser, person=first, reason="录错")
    create_person(actor=college.organiser, unit=college.t1, **person_data(name="陈二"))  # same 工号 T90001
    refused("duplicate", restore_person, actor=college.organiser, person=first)


def test_a_member_cannot_delete_or_restore(college):
    refused("forbidden", delete_person, actor=college.member, person=college.member_p, reason="不想要了")
    delete_person(actor=college.organiser, person=college.member_p, reason="重复录入")
    refused("forbidden", restore_person, actor=college.other_secretary, person=college.member_p)
