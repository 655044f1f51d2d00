"""The demo college's contents: the designed tree, valid people in every status, its posts, logins and story.

The demo is built once for the module; tests only read it, or write inside their own rolled-back transaction.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.crypto import decrypt
from dangjian.core.models import AuditEvent
from dangjian.core.periods import add_years
from dangjian.core.permissions import Action, Role, SystemRole
from dangjian.core.scoping import can
from dangjian.demo import college
from dangjian.organizations.choices import HealthIssue
from dangjian.organizations.models import OrgUnit, RoleAssignment
from dangjian.organizations.selectors import branch_health, unit_size
from dangjian.organizations.services import OrganizationError, move_group, update_unit
from dangjian.people import validation as v
from dangjian.people.choices import PartyStanding, PersonCategory, PoliticalStatus, TransferKind
from dangjian.people.models import Person, Transfer
from dangjian.people.services import PeopleError, validate_person

DESIGNED_FINDINGS = {
    "JY-T1": set(),
    "JY-T2": set(),
    "JY-U1": set(),
    "JY-U2": {HealthIssue.TERM_ENDING},
    "JY-G1": {HealthIssue.COMMITTEE_REQUIRED},
}


def health_findings() -> dict[str, set[str]]:
    return {h.unit.code: {f.code for f in h.findings} for h in branch_health(OrgUnit.objects.all())}


def invalid_people() -> list[str]:
    """Every person the roster rules (the importer's and the services') would refuse, with the reason."""
    problems = []
    for person in Person.objects.select_related("unit", "group"):
        id_number = decrypt(person.id_number_encrypted)
        try:
            validate_person(person, id_number)
        except PeopleError as exc:
            problems.append(f"{person.name}: {exc.code} {exc.message}")
        if not v.id_checksum_ok(id_number):
            problems.append(f"{person.name}: ID checksum")
        elif v.id_gender(id_number) != person.gender:
            problems.append(f"{person.name}: ID gender digit")
        if person.id_number_masked != v.mask_id_number(id_number):
            problems.append(f"{person.name}: masked ID")
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        built = college.build()
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_tree_has_exactly_the_designed_units_and_codes(demo, db):
    units = {(u.code, u.name, u.kind, u.parent.code if u.parent else None) for u in OrgUnit.objects.all()}
    assert units == {
        ("JY", "检验医学院党委", "committee", None),
        ("JY-T1", "教工第一党支部", "branch", "JY"),
        ("JY-T2", "教工第二党支部", "branch", "JY"),
        ("JY-U1", "本科生第一党支部", "branch", "JY"),
        ("JY-U2", "本科生第二党支部", "branch", "JY"),
        ("JY-G1", "研究生党支部", "branch", "JY"),
        ("JY-T1-G1", "第一党小组", "group", "JY-T1"),
        ("JY-T1-G2", "第二党小组", "group", "JY-T1"),
        ("JY-T2-G1", "第一党小组", "group", "JY-T2"),
        ("JY-T2-G2", "第二党小组", "group", "JY-T2"),
    }
    jy = OrgUnit.objects.get(code="JY")
    assert all(u.path.startswith(jy.path) for u in OrgUnit.objects.all())


def test_branch_health_shows_exactly_the_designed_findings(demo, db):
    assert health_findings() == DESIGNED_FINDINGS


def test_graduate_branch_needs_a_committee_and_second_student_branch_is_due_for_election(demo, db):
    g1, u2 = OrgUnit.objects.get(code="JY-G1"), OrgUnit.objects.get(code="JY-U2")
    assert unit_size(g1)["full"] >= 7 and not g1.has_committee
    ends = u2.term_ends_on(3)
    assert 0 < (ends - timezone.localdate()).days <= 90


def test_teacher_branch_two_is_much_larger_than_branch_one(demo, db):
    t1, t2 = (unit_size(OrgUnit.objects.get(code=c))["members"] for c in ("JY-T1", "JY-T2"))
    assert t2 >= 2 * t1


def test_moving_branch_two_second_group_to_branch_one_evens_them_out(demo, db):
    """The speech's restructure. Both branches have a 第二党小组, so the service asks for a rename first."""
    organiser = User.objects.get(username="zuzhiyuan")
    t1, t2g2 = OrgUnit.objects.get(code="JY-T1"), OrgUnit.objects.get(code="JY-T2-G2")
    today = timezone.localdate()
    with pytest.raises(OrganizationError) as exc:
        move_group(actor=organiser, group=t2g2, target=t1, effective_on=today, reason="平衡两个教工支部人数")
    assert exc.value.code == "duplicate_group_name"

    t2g2 = update_unit(actor=organiser, unit=t2g2, version=t2g2.version, name="第三党小组")
    move_group(actor=organiser, group=t2g2, target=t1, effective_on=today, reason="平衡两个教工支部人数")

    t1, t2 = (unit_size(OrgUnit.objects.get(code=c))["members"] for c in ("JY-T1", "JY-T2"))
    assert abs(t1 - t2) <= 2


def test_every_political_status_is_present(demo, db):
    present = Counter(Person.objects.values_list("political_status", flat=True))
    assert set(present) == set(PoliticalStatus.values)


def test_roster_has_about_150_people(demo, db):
    assert 140 <= Person.objects.current().count() <= 160
    assert demo.person_count == Person.objects.current().count()


def test_roster_has_the_special_cases(demo, db):
    people = Person.objects.all()
    assert people.filter(category=PersonCategory.RETIRED, political_status=PoliticalStatus.FULL_MEMBER).exists()
    lost = people.get(party_standing=PartyStanding.LOST_CONTACT)
    assert lost.political_status == PoliticalStatus.FULL_MEMBER
    outside = people.filter(political_status__in=[PoliticalStatus.DEMOCRATIC_PARTY, PoliticalStatus.NON_PARTY])
    assert outside.count() >= 3
    assert set(outside.values_list("category", flat=True)) == {PersonCategory.FACULTY}


def test_every_person_passes_the_roster_rules(demo, db):
    assert invalid_people() == []


def test_nobody_applied_before_eighteen_or_has_a_date_in_the_future(demo, db):
    today = timezone.localdate()
    for p in Person.objects.exclude(applied_on=None):
        assert p.applied_on >= add_years(p.birth_date, 18), p.name
        dates = [getattr(p, f) for f in v.RECRUITMENT_DATE_FIELDS if getattr(p, f)]
        assert dates == sorted(dates) and dates[-1] <= today, p.name


def test_students_have_student_numbers_and_classes(demo, db):
    students = Person.objects.filter(category=PersonCategory.STUDENT)
    assert students.count() >= 90
    for p in students:
        assert re.fullmatch(r"\d{10}", p.staff_no), p.staff_no
        assert re.fullmatch(r"(医学检验技术|卫生检验与检疫|医学实验技术)\d{4}级\d班|.+\d{4}级(硕士|博士)研究生",
                            p.affiliation), p.affiliation


def test_staff_have_staff_numbers_and_sections(demo, db):
    staff = Person.objects.exclude(category=PersonCategory.STUDENT)
    for p in staff:
        assert re.fullmatch(r"\d{7}", p.staff_no), p.staff_no
        assert p.affiliation.endswith(("教研室", "办公室", "中心", "离退休教职工")), p.affiliation
    assert staff.filter(affiliation__endswith="教研室").count() >= 20


def test_staff_and_student_numbers_are_unique(demo, db):
    numbers = list(Person.objects.values_list("staff_no", flat=True))
    assert len(numbers) == len(set(numbers))


def test_committee_posts_are_held_as_designed(demo, db):
    on_jy = Counter(RoleAssignment.objects.filter(unit__code="JY").values_list("role", flat=True))
    assert on_jy == {
        Role.COMMITTEE_SECRETARY: 1, Role.COMMITTEE_DEPUTY: 1, Role.ORGANISER: 1, Role.COMMITTEE_MEMBER: 3,
        Role.DEAN: 1,
    }
    for username, role in (("shuji", Role.COMMITTEE_SECRETARY), ("zuzhiyuan", Role.ORGANISER)):
        user = User.objects.get(username=username)
        assert RoleAssignment.objects.get(unit__code="JY", role=role).person_id == user.person_id


def test_each_branch_has_its_secretary_and_committees_where_designed(demo, db):
    secretaries = {"JY-T1": "t1shuji", "JY-T2": "t2shuji", "JY-U1": "u1shuji", "JY-U2": "u2shuji", "JY-G1": "g1shuji"}
    for code, username in secretaries.items():
        ra = RoleAssignment.objects.get(unit__code=code, role=Role.BRANCH_SECRETARY)
        assert ra.person.user.username == username
        assert ra.person.unit.code == code
        assert ra.person.full_member_on <= add_years(timezone.localdate(), -1)
    committee_roles = [Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY, Role.BRANCH_COMMITTEE_MEMBER]
    for unit in OrgUnit.objects.branches():
        size = RoleAssignment.objects.filter(unit=unit, role__in=committee_roles).count()
        assert (3 <= size <= 5) if unit.has_committee else size == 1, unit.code
    leaders = RoleAssignment.objects.filter(role=Role.GROUP_LEADER)
    assert sorted(leaders.values_list("unit__code", flat=True)) == ["JY-T1-G1", "JY-T1-G2", "JY-T2-G1", "JY-T2-G2"]
    assert all(ra.person.group_id == ra.unit_id for ra in leaders)


def test_demo_accounts_are_exactly_the_listed_ones(demo, db):
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(u for u, _ in college.DEMO_ACCOUNTS)
    for user in User.objects.all():
        assert user.check_password(college.PASSWORD), user.username
    admins = dict(User.objects.exclude(system_role="").values_list("username", "system_role"))
    assert admins == {
        "sysadmin": SystemRole.SYSTEM_ADMIN, "anquan": SystemRole.SECURITY_ADMIN, "auditor": SystemRole.AUDIT_ADMIN,
    }
    assert not User.objects.filter(username__in=admins, person__isnull=False).exists()


def test_plain_member_account_is_a_member_of_branch_one_without_posts(demo, db):
    member = User.objects.get(username="dangyuan").person
    assert member.unit.code == "JY-T1" and member.political_status == PoliticalStatus.FULL_MEMBER
    assert not RoleAssignment.objects.filter(person=member).exists()


def test_accounts_reach_what_their_posts_allow(demo, db):
    users = {u.username: u for u in User.objects.all()}
    everyone = Person.objects.count()
    assert Person.objects.visible_to(users["shuji"], Action.PEOPLE_VIEW).count() == everyone
    t1_people = Person.objects.visible_to(users["t1shuji"], Action.PEOPLE_VIEW)
    assert set(t1_people.values_list("unit__code", flat=True)) == {"JY-T1"}
    assert can(users["zuzhiyuan"], Action.PEOPLE_VIEW_ID, OrgUnit.objects.get(code="JY-G1"))
    assert list(Person.objects.visible_to(users["dangyuan"], Action.PEOPLE_VIEW)) == [users["dangyuan"].person]
    for admin in ("sysadmin", "anquan", "auditor"):
        assert not Person.objects.visible_to(users[admin], Action.PEOPLE_VIEW).exists()


def test_roster_has_transfer_history(demo, db):
    kinds = Counter(Transfer.objects.values_list("kind", flat=True))
    assert kinds[TransferKind.WITHIN] == 2
    assert kinds[TransferKind.IN] >= 3
    moved = Transfer.objects.filter(kind=TransferKind.WITHIN)
    for t in moved:
        assert t.person.unit_id == t.to_unit_id
        assert t.person.placements.count() == 2


def test_every_write_of_the_seed_is_audited_under_one_request_id(demo, db):
    created = AuditEvent.objects.filter(action="people.person.created")
    assert created.count() == Person.objects.count()
    assert AuditEvent.objects.filter(action="accounts.user.created").count() == len(college.DEMO_ACCOUNTS)
    request_ids = set(AuditEvent.objects.values_list("request_id", flat=True))
    assert len(request_ids) == 1 and request_ids != {""}
