from dangjian.core.permissions import Action
from dangjian.core.scoping import can, collapse_paths
from dangjian.people.models import Person


def test_collapse_paths_drops_covered_subtrees():
    assert collapse_paths(["/1/4/", "/1/", "/2/"]) == ["/1/", "/2/"]


def test_branch_secretary_sees_only_own_branch_people(college):
    names = set(Person.objects.visible_to(college.secretary, Action.PEOPLE_VIEW).values_list("name", flat=True))
    assert names == {"张书记", "王党员"}


def test_organiser_sees_whole_college(college):
    assert Person.objects.visible_to(college.organiser, Action.PEOPLE_VIEW).count() == Person.objects.count()


def test_member_sees_only_self(college):
    assert list(Person.objects.visible_to(college.member, Action.PEOPLE_VIEW)) == [college.member_p]


def test_member_cannot_manage_own_record(college):
    assert not Person.objects.visible_to(college.member, Action.PEOPLE_MANAGE).exists()


def test_system_roles_see_no_party_data(college):
    for who in ("sysadmin", "secadmin", "auditor", "norole"):
        user = college.users[who]
        assert not Person.objects.visible_to(user, Action.PEOPLE_VIEW).exists()
        assert not can(user, Action.ORG_VIEW)


def test_ended_role_grants_nothing(college):
    from datetime import date

    from dangjian.organizations.models import RoleAssignment

    RoleAssignment.objects.filter(person=college.secretary_p).update(ends_on=date(2021, 1, 1))
    assert not Person.objects.visible_to(college.secretary, Action.PEOPLE_VIEW).exclude(pk=college.secretary_p.pk).exists()
