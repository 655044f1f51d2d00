"""Test helpers: a shared fixture college and the permission matrix (STYLE: tests are the specification).

`build_college()` makes the same small college every test module can rely on:

    JY 检验医学院党委 (committee)
    ├── JY-T1 教工第一党支部 (has_committee) ── JY-T1-G1 第一党小组, JY-T1-G2 第二党小组
    ├── JY-T2 教工第二党支部 ── JY-T2-G1 第一党小组, JY-T2-G2 第二党小组
    └── JY-U1 本科生第一党支部

with one user per role: organiser (组织员 on JY), secretary (JY-T1), other_secretary (JY-T2),
member (a plain member of JY-T1), norole (a login with no person), sysadmin, secadmin, auditor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.test import Client

from dangjian.core.permissions import Role, SystemRole

PASSWORD = "Test-Passw0rd!"
_seq = itertools.count(1)

# A valid GB 11643 ID number for a birth date: region 110101, sequence, computed check digit.


def make_id_number(birth: date, seq: int | None = None) -> str:
    from dangjian.people.validation import ID_CHECK, ID_WEIGHTS

    seq = next(_seq) if seq is None else seq
    body = f"110101{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def make_unit(code: str, name: str, kind: str, parent=None, **fields: Any):
    from dangjian.organizations.models import OrgUnit

    unit = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent, **fields)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    unit.save(update_fields=["path", "depth"])
    return unit


def make_person(unit, name: str | None = None, *, group=None, status: str = "full_member", **fields: Any):
    from dangjian.core import pinyin
    from dangjian.people.models import Person, Placement

    n = next(_seq)
    name = name or f"测试{n}"
    defaults: dict[str, Any] = {
        "gender": "male",
        "category": "faculty",
        "birth_date": date(1985, 1, 1),
        "staff_no": f"T{n:05d}",
    }
    if status == "full_member":
        defaults.update(applied_on=date(2005, 3, 1), activist_on=date(2005, 9, 1), candidate_on=date(2006, 9, 1),
                        joined_on=date(2007, 1, 1), full_member_on=date(2008, 1, 1))
    elif status == "probationary":
        defaults.update(applied_on=date(2023, 3, 1), activist_on=date(2023, 9, 1), candidate_on=date(2024, 9, 1),
                        joined_on=date(2025, 12, 1))
    defaults.update(fields)
    person = Person.objects.create(
        name=name, name_pinyin=pinyin.full(name), name_initials=pinyin.initials(name), unit=unit, group=group,
        political_status=status, **defaults,
    )
    Placement.objects.create(person=person, unit=unit, group=group, starts_on=date(2020, 1, 1), reason="created")
    return person


def make_user(username: str, person=None, system_role: str = ""):
    from dangjian.accounts.models import User

    user = User(username=username, person=person, system_role=system_role)
    user.set_password(PASSWORD)
    user.save()
    return user


def give_role(person, unit, role: str, starts_on: date = date(2020, 1, 1)):
    from dangjian.organizations.models import RoleAssignment

    return RoleAssignment.objects.create(person=person, unit=unit, role=role, starts_on=starts_on)


@dataclass
class College:
    units: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str):
        for d in ("units", "users", "people"):
            store = self.__dict__.get(d, {})
            if name in store:
                return store[name]
        raise AttributeError(name)


def build_college() -> College:
    c = College()
    jy = make_unit("JY", "检验医学院党委", "committee")
    t1 = make_unit("JY-T1", "教工第一党支部", "branch", jy, category="faculty", has_committee=True,
                   term_started_on=date(2024, 6, 1), term_years=3)
    t2 = make_unit("JY-T2", "教工第二党支部", "branch", jy, category="faculty")
    u1 = make_unit("JY-U1", "本科生第一党支部", "branch", jy, category="student")
    t1g1 = make_unit("JY-T1-G1", "第一党小组", "group", t1)
    t1g2 = make_unit("JY-T1-G2", "第二党小组", "group", t1)
    t2g1 = make_unit("JY-T2-G1", "第一党小组", "group", t2)
    t2g2 = make_unit("JY-T2-G2", "第二党小组", "group", t2)
    c.units.update(jy=jy, t1=t1, t2=t2, u1=u1, t1g1=t1g1, t1g2=t1g2, t2g1=t2g1, t2g2=t2g2)

    organiser = make_person(jy, "周组织", status="full_member")
    secretary = make_person(t1, "张书记", group=t1g1)
    other_secretary = make_person(t2, "李书记", group=t2g1)
    member = make_person(t1, "王党员", group=t1g2)
    t2_member = make_person(t2, "赵党员", group=t2g2)
    u1_student = make_person(u1, "钱学生", status="activist", category="student", birth_date=date(2005, 5, 5),
                             staff_no="S2023001", applied_on=date(2023, 10, 1), activist_on=date(2024, 4, 1))
    c.people.update(organiser_p=organiser, secretary_p=secretary, other_secretary_p=other_secretary,
                    member_p=member, t2_member=t2_member, u1_student=u1_student)
    give_role(organiser, jy, Role.ORGANISER)
    give_role(secretary, t1, Role.BRANCH_SECRETARY)
    give_role(other_secretary, t2, Role.BRANCH_SECRETARY)
    c.users.update(
        organiser=make_user("organiser", organiser),
        secretary=make_user("secretary", secretary),
        other_secretary=make_user("other_secretary", other_secretary),
        member=make_user("member", member),
        norole=make_user("norole"),
        sysadmin=make_user("sysadmin", system_role=SystemRole.SYSTEM_ADMIN),
        secadmin=make_user("secadmin", system_role=SystemRole.SECURITY_ADMIN),
        auditor=make_user("auditor", system_role=SystemRole.AUDIT_ADMIN),
    )
    return c


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def matrix(college: College, method: str, url: str, expected: dict[str, int], data=None, **extra) -> None:
    """Request `url` as each viewer in `expected` ({"anonymous": 302, "organiser": 200, ...}) and compare.

    Collects every mismatch before failing so one run shows the whole row of the matrix.
    """
    mismatches = []
    for who, status in expected.items():
        user = None if who == "anonymous" else college.users[who]
        client = client_for(user)
        response = getattr(client, method)(url, data=data, **extra) if data is not None else getattr(client, method)(url, **extra)
        if response.status_code != status:
            mismatches.append(f"{who}: expected {status}, got {response.status_code}")
    assert not mismatches, f"{method.upper()} {url}: " + "; ".join(mismatches)
