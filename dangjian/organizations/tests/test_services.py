"""Writes to the organisation tree: units, posts and restructures (DESIGN §3, §5; RULES.md §2).

Every refusal also checks that nothing happened: the tree, the people, their placements, the posts,
the restructures and the audit trail are exactly as before.
"""

from datetime import date, timedelta

import pytest

from dangjian.core.errors import ConcurrentEdit, DomainError, PermissionDenied
from dangjian.core.models import AuditEvent
from dangjian.core.permissions import Role
from dangjian.core.scoping import today
from dangjian.core.testing import give_role, make_person, make_unit, make_user
from dangjian.organizations.models import OrgUnit, Restructure, RoleAssignment
from dangjian.organizations.services import (
    OrganizationError,
    assign_role,
    create_unit,
    end_role,
    merge_branches,
    move_group,
    split_branch,
    undo_restructure,
    update_unit,
)
from dangjian.people.models import Person, Placement

EFFECTIVE = date(2026, 11, 1)


def tree_state():
    """What a restructure touches and its undo restores (versions aside: undo bumps them)."""
    return {
        "units": list(OrgUnit.objects.order_by("pk").values_list("pk", "parent_id", "path", "depth", "name", "dissolved_on")),
        "people": list(Person.objects.order_by("pk").values_list("pk", "unit_id", "group_id")),
        "placements": list(
            Placement.objects.order_by("pk").values_list(
                "pk", "person_id", "unit_id", "group_id", "starts_on", "ends_on", "reason", "restructure_id"
            )
        ),
    }


def state():
    """Everything, versions included, for the refusals (which must change nothing at all)."""
    return {
        **tree_state(),
        "unit_versions": list(OrgUnit.objects.order_by("pk").values_list("pk", "version")),
        "person_versions": list(Person.objects.order_by("pk").values_list("pk", "version")),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("pk", "person_id", "unit_id", "role", "ends_on")),
        "restructures": list(Restructure.objects.order_by("pk").values_list("pk", "undone_at")),
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


# ---------------------------------------------------------------- create_unit


def test_organiser_creates_a_branch_under_the_committee(college):
    unit = create_unit(actor=college.organiser, parent=college.jy, code=" JY-T3 ", name=" 教工第三党支部 ",
                       kind="branch", category="faculty")
    unit.refresh_from_db()
    assert (unit.code, unit.name, unit.kind, unit.parent_id) == ("JY-T3", "教工第三党支部", "branch", college.jy.pk)
    assert unit.path == f"/{college.jy.pk}/{unit.pk}/"
    assert unit.depth == 1
    [e] = events("organizations.unit.created")
    assert (e.actor, e.unit, e.target_id) == (college.organiser, unit, str(unit.pk))


def test_a_group_gets_the_path_of_its_branch(college):
    group = create_unit(actor=college.organiser, parent=college.t1, code="JY-T1-G3", name="第三党小组", kind="group")
    assert group.path == f"{college.t1.path}{group.pk}/"
    assert group.depth == 2


def test_seeding_creates_a_top_level_committee_without_an_actor(db):
    unit = create_unit(actor=None, parent=None, code="XY", name="某学院党委", kind="committee")
    assert unit.path == f"/{unit.pk}/"
    assert unit.depth == 0
    [e] = events("organizations.unit.created")
    assert (e.actor, e.actor_name) == (None, "system")


def test_an_organiser_cannot_create_a_top_level_committee(college):
    refused("forbidden", create_unit, actor=college.organiser, parent=None, code="XY", name="某学院党委",
            kind="committee")


@pytest.mark.parametrize(
    ("kind", "parent"),
    [("group", "jy"), ("branch", "t1"), ("group", "t1g1"), ("general_branch", "t1"), ("committee", "t1")],
)
def test_a_unit_under_the_wrong_kind_of_parent_is_refused(college, kind, parent):
    err = refused("bad_parent", create_unit, actor=college.organiser, parent=college.units[parent], code="NEW",
                  name="新组织", kind=kind)
    assert "不能设在" in err.message
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_a_group_under_the_committee_is_refused_with_bad_parent(college):
    err = refused("bad_parent", create_unit, actor=college.organiser, parent=college.jy, code="JY-G9",
                  name="第九党小组", kind="group")
    assert err.message == "党小组不能设在党委之下。"


def test_a_duplicate_code_is_refused(college):
    refused("duplicate_code", create_unit, actor=college.organiser, parent=college.jy, code=" JY-T1 ",
            name="重复", kind="branch")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"term_years": 6}, "bad_term"),
        ({"term_years": 0}, "bad_term"),
        ({"established_on": date(2026, 1, 2), "dissolved_on": date(2026, 1, 1)}, "date_order"),
    ],
)
def test_bad_unit_values_are_refused(college, fields, code):
    refused(code, create_unit, actor=college.organiser, parent=college.jy, code="JY-T9", name="教工第九党支部",
            kind="branch", **fields)


def test_a_group_cannot_have_a_committee(college):
    refused("bad_value", create_unit, actor=college.organiser, parent=college.t1, code="JY-T1-G9",
            name="第九党小组", kind="group", has_committee=True)


def test_a_branch_secretary_cannot_create_units(college):
    refused("forbidden", create_unit, actor=college.secretary, parent=college.t1, code="JY-T1-G3",
            name="第三党小组", kind="group")


# ---------------------------------------------------------------- update_unit


def test_update_unit_saves_bumps_version_and_audits_the_change(college):
    unit = update_unit(actor=college.organiser, unit=college.t1, version=1, name="教工一支部", term_years=5)
    unit.refresh_from_db()
    assert (unit.name, unit.term_years, unit.version) == ("教工一支部", 5, 2)
    [e] = events("organizations.unit.updated")
    assert e.changes == {"name": ["教工第一党支部", "教工一支部"], "term_years": [3, 5]}
    assert e.unit == college.t1


def test_a_stale_version_is_refused_and_nothing_changes(college):
    update_unit(actor=college.organiser, unit=college.t1, version=1, name="教工一支部")
    err = refused("concurrent_edit", update_unit, actor=college.organiser, unit=college.t1, version=1,
                  name="别人的名字")
    assert isinstance(err, ConcurrentEdit)
    assert OrgUnit.objects.get(pk=college.t1.pk).name == "教工一支部"


def test_an_update_that_changes_nothing_writes_nothing(college):
    before = state()
    update_unit(actor=college.organiser, unit=college.t1, version=1, name="教工第一党支部")
    assert state() == before


def test_moving_a_branch_moves_its_subtree_paths(college):
    gb = create_unit(actor=college.organiser, parent=college.jy, code="JY-GB", name="教工党总支",
                     kind="general_branch")
    update_unit(actor=college.organiser, unit=college.t2, version=1, parent=gb)
    t2 = OrgUnit.objects.get(pk=college.t2.pk)
    assert (t2.path, t2.depth) == (f"{gb.path}{t2.pk}/", 2)
    for g in (college.t2g1, college.t2g2):
        g.refresh_from_db()
        assert (g.path, g.depth) == (f"{t2.path}{g.pk}/", 3)
    [e] = events("organizations.unit.updated")
    assert e.changes == {"parent": [college.jy.pk, gb.pk]}


def test_a_unit_cannot_move_under_its_own_descendant(college):
    sub = create_unit(actor=college.organiser, parent=college.jy, code="JY-SUB", name="下级党委", kind="committee")
    refused("bad_parent", update_unit, actor=college.organiser, unit=college.jy, version=1, parent=sub)


def test_moving_needs_authority_over_the_new_parent(college):
    limited = make_person(college.t1, "吴组织")
    give_role(limited, college.t1, Role.ORGANISER)
    user = make_user("limited", limited)
    empty = make_unit("JY-T1-G3", "第三党小组", "group", college.t1)
    refused("forbidden", update_unit, actor=user, unit=empty, version=1, parent=college.t2)
    update_unit(actor=user, unit=empty, version=1, name="第四党小组")  # within their own branch: allowed


def test_a_group_with_members_moves_only_by_restructure(college):
    refused("use_restructure", update_unit, actor=college.organiser, unit=college.t2g2, version=1,
            parent=college.u1)


def test_an_empty_group_may_be_moved_by_editing(college):
    empty = make_unit("JY-T2-G3", "第三党小组", "group", college.t2)
    update_unit(actor=college.organiser, unit=empty, version=1, parent=college.t1)
    empty.refresh_from_db()
    assert (empty.parent_id, empty.path) == (college.t1.pk, f"{college.t1.path}{empty.pk}/")


def test_a_branch_secretary_cannot_edit_their_branch(college):
    refused("forbidden", update_unit, actor=college.secretary, unit=college.t1, version=1, name="改名")


# ---------------------------------------------------------------- posts


def test_assign_role_creates_the_post_and_audits_it(college):
    ra = assign_role(actor=college.organiser, person=college.member_p, unit=college.t1g2, role=Role.GROUP_LEADER,
                     starts_on=date(2026, 3, 1))
    assert (ra.person, ra.unit, ra.role, ra.starts_on, ra.ends_on) == (
        college.member_p, college.t1g2, "group_leader", date(2026, 3, 1), None)
    [e] = events("organizations.role.assigned")
    assert e.changes == {"role": [None, "group_leader"], "person": [None, college.member_p.pk]}
    assert e.unit == college.t1g2


def test_a_second_secretary_is_refused(college):
    err = refused("secretary_exists", assign_role, actor=college.organiser, person=college.member_p,
                  unit=college.t1, role=Role.BRANCH_SECRETARY, starts_on=date(2026, 3, 1))
    assert isinstance(err, OrganizationError)


def test_a_new_secretary_may_start_the_day_after_the_old_one_ended(college):
    old = RoleAssignment.objects.get(unit=college.t1, role=Role.BRANCH_SECRETARY)
    end_role(actor=college.organiser, assignment=old, ends_on=date(2026, 6, 30))
    refused("secretary_exists", assign_role, actor=college.organiser, person=college.member_p, unit=college.t1,
            role=Role.BRANCH_SECRETARY, starts_on=date(2026, 6, 30))
    assign_role(actor=college.organiser, person=college.member_p, unit=college.t1, role=Role.BRANCH_SECRETARY,
                starts_on=date(2026, 7, 1))
    assert RoleAssignment.objects.active(date(2026, 7, 1)).get(unit=college.t1, role=Role.BRANCH_SECRETARY).person \
        == college.member_p


def test_a_branch_secretary_cannot_appoint(college):
    refused("forbidden", assign_role, actor=college.secretary, person=college.member_p, unit=college.t1g2,
            role=Role.GROUP_LEADER, starts_on=date(2026, 3, 1))


def test_end_role_sets_the_end_date_and_audits(college):
    ra = RoleAssignment.objects.get(unit=college.t2, role=Role.BRANCH_SECRETARY)
    end_role(actor=college.organiser, assignment=ra, ends_on=date(2026, 6, 30))
    assert RoleAssignment.objects.get(pk=ra.pk).ends_on == date(2026, 6, 30)
    [e] = events("organizations.role.ended")
    assert (e.unit, e.changes) == (college.t2, {"ends_on": [None, "2026-06-30"]})


def test_a_post_may_end_on_the_day_it_started(college):
    ra = RoleAssignment.objects.get(unit=college.t2, role=Role.BRANCH_SECRETARY)
    end_role(actor=college.organiser, assignment=ra, ends_on=ra.starts_on)
    assert RoleAssignment.objects.get(pk=ra.pk).ends_on == date(2020, 1, 1)


def test_end_role_before_it_started_is_refused(college):
    ra = RoleAssignment.objects.get(unit=college.t2, role=Role.BRANCH_SECRETARY)
    refused("date_order", end_role, actor=college.organiser, assignment=ra, ends_on=date(2019, 12, 31))


def test_a_branch_secretary_cannot_end_their_own_post(college):
    ra = RoleAssignment.objects.get(unit=college.t1, role=Role.BRANCH_SECRETARY)
    refused("forbidden", end_role, actor=college.secretary, assignment=ra, ends_on=date(2026, 6, 30))


# ---------------------------------------------------------------- move_group


@pytest.fixture
def t2g2(college):
    """JY-T2-G2 renamed 第三党小组 (JY-T1 already has a 第二党小组), with a probationer and an activist added.

    JY-T2: 李书记 (full, G1); 赵党员 (full), 孙预备 (probationary), 吴积极 (activist) in G2.
    JY-T1: 张书记 (full, G1), 王党员 (full, G2).
    """
    OrgUnit.objects.filter(pk=college.t2g2.pk).update(name="第三党小组")
    make_person(college.t2, "孙预备", group=college.t2g2, status="probationary")
    make_person(college.t2, "吴积极", group=college.t2g2, status="activist", applied_on=date(2024, 3, 1),
                activist_on=date(2024, 9, 1))
    return OrgUnit.objects.get(pk=college.t2g2.pk)


def test_move_group_moves_the_group_and_its_members(college, t2g2):
    members = set(Person.objects.filter(group=t2g2).values_list("pk", flat=True))
    assert len(members) == 3
    old_placements = {p.person_id: p.pk for p in Placement.objects.filter(person__in=members)}

    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE,
                    reason="按教研室调整")

    assert (rs.kind, rs.source, rs.target, rs.group, rs.effective_on, rs.reason) == (
        "move_group", college.t2, college.t1, t2g2, EFFECTIVE, "按教研室调整")
    assert rs.sizes_before == {
        "JY-T2": {"people": 4, "members": 3, "full": 2},
        "JY-T1": {"people": 2, "members": 2, "full": 2},
    }
    assert rs.sizes_after == {
        "JY-T2": {"people": 1, "members": 1, "full": 1},
        "JY-T1": {"people": 5, "members": 4, "full": 3},
    }
    for person in Person.objects.filter(pk__in=members):
        assert (person.unit_id, person.group_id) == (college.t1.pk, t2g2.pk)
        old = Placement.objects.get(pk=old_placements[person.pk])
        assert (old.unit_id, old.group_id, old.starts_on, old.ends_on) == (
            college.t2.pk, t2g2.pk, date(2020, 1, 1), date(2026, 10, 31))
        new = Placement.objects.get(person=person, ends_on__isnull=True)
        assert (new.unit_id, new.group_id, new.starts_on, new.reason, new.restructure) == (
            college.t1.pk, t2g2.pk, EFFECTIVE, "restructure", rs)
    # 李书记 in G1 stays where he was
    other = Person.objects.get(pk=college.other_secretary_p.pk)
    assert (other.unit_id, other.group_id) == (college.t2.pk, college.t2g1.pk)
    assert Placement.objects.filter(person=other).count() == 1

    group = OrgUnit.objects.get(pk=t2g2.pk)
    assert (group.parent_id, group.path, group.depth, group.version) == (
        college.t1.pk, f"{college.t1.path}{group.pk}/", 2, 2)

    applied = events("organizations.restructure.applied")
    assert len(applied) == 2
    by_unit = {e.unit.code: e for e in applied}
    assert set(by_unit) == {"JY-T1", "JY-T2"}
    assert by_unit["JY-T2"].changes == {
        "sizes": [{"people": 4, "members": 3, "full": 2}, {"people": 1, "members": 1, "full": 1}]}
    assert by_unit["JY-T1"].changes == {
        "sizes": [{"people": 2, "members": 2, "full": 2}, {"people": 5, "members": 4, "full": 3}]}
    for e in applied:
        assert (e.actor, e.target_type, e.target_id, e.note) == (
            college.organiser, "organizations.restructure", str(rs.pk), "按教研室调整")


def test_undo_restores_units_groups_and_placements_exactly(college, t2g2):
    before = tree_state()
    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE, reason="调整")
    assert tree_state() != before

    undo_restructure(actor=college.organiser, restructure=rs)

    assert tree_state() == before
    rs.refresh_from_db()
    assert rs.undone_at is not None
    assert rs.undone_by == college.organiser
    undone = events("organizations.restructure.undone")
    assert len(undone) == 2
    by_unit = {e.unit.code: e.changes for e in undone}
    assert by_unit == {
        "JY-T2": {"sizes": [{"people": 1, "members": 1, "full": 1}, {"people": 4, "members": 3, "full": 2}]},
        "JY-T1": {"sizes": [{"people": 5, "members": 4, "full": 3}, {"people": 2, "members": 2, "full": 2}]},
    }
    assert len(events("organizations.restructure.applied")) == 2


def test_undo_twice_is_refused(college, t2g2):
    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE, reason="调整")
    undo_restructure(actor=college.organiser, restructure=rs)
    refused("already_undone", undo_restructure, actor=college.organiser, restructure=rs)


def test_undo_is_refused_after_a_later_restructure_of_the_same_branches(college, t2g2):
    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE, reason="调整")
    split_branch(actor=college.organiser, source=college.t1, target=college.u1, people_ids=[college.member_p.pk],
                 effective_on=EFFECTIVE, reason="再调整")
    refused("undo_conflict", undo_restructure, actor=college.organiser, restructure=rs)


def test_undo_is_refused_when_a_member_moved_since_and_nothing_is_half_undone(college, t2g2):
    from dangjian.people.services import transfer_within

    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE, reason="调整")
    moved = Person.objects.filter(group=t2g2).order_by("pk").last()
    transfer_within(actor=college.organiser, person=moved, to_unit=college.u1, to_group=None,
                    transferred_on=date(2026, 11, 20))
    refused("undo_conflict", undo_restructure, actor=college.organiser, restructure=rs)


def test_a_group_name_clash_in_the_target_is_refused(college):
    # JY-T1 already has a 第二党小组
    err = refused("duplicate_group_name", move_group, actor=college.organiser, group=college.t2g2,
                  target=college.t1, effective_on=EFFECTIVE, reason="调整")
    assert "第二党小组" in err.message


def test_a_branch_secretary_cannot_restructure(college, t2g2):
    for who in ("other_secretary", "secretary", "member"):
        refused("forbidden", move_group, actor=college.users[who], group=t2g2, target=college.t1,
                effective_on=EFFECTIVE, reason="调整")


def test_a_future_effective_date_is_refused(college, t2g2):
    refused("future_date", move_group, actor=college.organiser, group=t2g2, target=college.t1,
            effective_on=today() + timedelta(days=1), reason="调整")


def test_today_is_an_allowed_effective_date(college, t2g2):
    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=today(), reason="调整")
    assert rs.effective_on == today()


def test_an_effective_date_before_a_members_current_placement_is_refused(college, t2g2):
    Placement.objects.filter(person=college.t2_member).update(starts_on=date(2026, 11, 15))
    refused("date_order", move_group, actor=college.organiser, group=t2g2, target=college.t1,
            effective_on=EFFECTIVE, reason="调整")


@pytest.mark.parametrize(
    ("group", "target", "code"),
    [
        ("t2", "t1", "not_group"),  # a branch is not a group
        ("t2g2", "jy", "not_branch"),  # the committee is not a branch
        ("t1g1", "t1", "same_branch"),
    ],
)
def test_move_group_checks_what_moves_where(college, group, target, code):
    refused(code, move_group, actor=college.organiser, group=college.units[group], target=college.units[target],
            effective_on=EFFECTIVE, reason="调整")


def test_move_group_into_a_dissolved_branch_is_refused(college, t2g2):
    OrgUnit.objects.filter(pk=college.u1.pk).update(dissolved_on=date(2026, 1, 1))
    refused("dissolved", move_group, actor=college.organiser, group=t2g2, target=college.u1,
            effective_on=EFFECTIVE, reason="调整")


def test_move_group_needs_a_reason(college, t2g2):
    refused("required", move_group, actor=college.organiser, group=t2g2, target=college.t1,
            effective_on=EFFECTIVE, reason="  ")


# ---------------------------------------------------------------- merge and split


def test_merge_branches_moves_people_and_groups_and_dissolves_the_source(college):
    OrgUnit.objects.filter(pk=college.t2g1.pk).update(name="第三党小组")
    OrgUnit.objects.filter(pk=college.t2g2.pk).update(name="第四党小组")
    before = tree_state()

    rs = merge_branches(actor=college.organiser, source=college.t2, target=college.t1, effective_on=EFFECTIVE,
                        reason="教研室合并")

    assert rs.sizes_before == {
        "JY-T2": {"people": 2, "members": 2, "full": 2},
        "JY-T1": {"people": 2, "members": 2, "full": 2},
    }
    assert rs.sizes_after == {
        "JY-T2": {"people": 0, "members": 0, "full": 0},
        "JY-T1": {"people": 4, "members": 4, "full": 4},
    }
    t2 = OrgUnit.objects.get(pk=college.t2.pk)
    assert (t2.dissolved_on, t2.version) == (EFFECTIVE, 2)
    for g in (college.t2g1, college.t2g2):
        g = OrgUnit.objects.get(pk=g.pk)
        assert (g.parent_id, g.path, g.version) == (college.t1.pk, f"{college.t1.path}{g.pk}/", 2)
    li = Person.objects.get(pk=college.other_secretary_p.pk)
    zhao = Person.objects.get(pk=college.t2_member.pk)
    assert (li.unit_id, li.group_id) == (college.t1.pk, college.t2g1.pk)
    assert (zhao.unit_id, zhao.group_id) == (college.t1.pk, college.t2g2.pk)
    assert Placement.objects.get(person=zhao, ends_on__isnull=True).reason == "restructure"
    applied = events("organizations.restructure.applied")
    assert len(applied) == 2
    for e in applied:
        assert e.changes["groups"] == [None, [college.t2g1.pk, college.t2g2.pk]]

    undo_restructure(actor=college.organiser, restructure=rs)
    assert tree_state() == before
    assert OrgUnit.objects.get(pk=college.t2.pk).dissolved_on is None


def test_merge_refuses_group_name_clashes(college):
    err = refused("duplicate_group_name", merge_branches, actor=college.organiser, source=college.t2,
                  target=college.t1, effective_on=EFFECTIVE, reason="合并")
    assert "第一党小组、第二党小组" in err.message


def test_a_branch_secretary_cannot_merge(college):
    refused("forbidden", merge_branches, actor=college.other_secretary, source=college.t2, target=college.u1,
            effective_on=EFFECTIVE, reason="合并")


def test_split_branch_moves_the_chosen_people_without_their_group(college):
    before = tree_state()
    rs = split_branch(actor=college.organiser, source=college.t2, target=college.t1,
                      people_ids=[college.t2_member.pk], effective_on=EFFECTIVE, reason="拆分")
    zhao = Person.objects.get(pk=college.t2_member.pk)
    assert (zhao.unit_id, zhao.group_id) == (college.t1.pk, None)
    assert rs.sizes_before == {
        "JY-T2": {"people": 2, "members": 2, "full": 2},
        "JY-T1": {"people": 2, "members": 2, "full": 2},
    }
    assert rs.sizes_after == {
        "JY-T2": {"people": 1, "members": 1, "full": 1},
        "JY-T1": {"people": 3, "members": 3, "full": 3},
    }
    assert OrgUnit.objects.get(pk=college.t2g2.pk).parent_id == college.t2.pk  # the group stays
    assert len(events("organizations.restructure.applied")) == 2

    undo_restructure(actor=college.organiser, restructure=rs)
    assert tree_state() == before


@pytest.mark.parametrize("who", ["member_p", "none"])
def test_split_refuses_people_who_are_not_in_the_source(college, who):
    ids = [college.t2_member.pk, college.member_p.pk] if who == "member_p" else []
    refused("bad_people", split_branch, actor=college.organiser, source=college.t2, target=college.t1,
            people_ids=ids, effective_on=EFFECTIVE, reason="拆分")


def test_a_branch_secretary_cannot_split(college):
    refused("forbidden", split_branch, actor=college.other_secretary, source=college.t2, target=college.u1,
            people_ids=[college.t2_member.pk], effective_on=EFFECTIVE, reason="拆分")


def test_a_branch_secretary_cannot_undo(college, t2g2):
    rs = move_group(actor=college.organiser, group=t2g2, target=college.t1, effective_on=EFFECTIVE, reason="调整")
    err = refused("forbidden", undo_restructure, actor=college.secretary, restructure=rs)
    assert isinstance(err, PermissionDenied)
