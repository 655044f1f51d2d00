"""`dangjian seed_demo`: builds once, prints the accounts every time, `--structure-only`, `--reset`."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEvent
from dangjian.core.permissions import Role
from dangjian.demo import college
from dangjian.demo.tests.test_college import DESIGNED_FINDINGS, health_findings, invalid_people
from dangjian.organizations.models import OrgUnit, RoleAssignment
from dangjian.people.choices import PoliticalStatus
from dangjian.people.models import Person, Placement, Transfer

TABLES = (OrgUnit, RoleAssignment, Person, Placement, Transfer, User, AuditEvent)


@pytest.fixture(autouse=True)
def _structure_only(monkeypatch):
    """The command's behaviour (accounts, idempotency, reset, dates) is about the college's structure; the
    activity records (meetings, talks, recruitment) are built once, by test_college's module fixture and each
    app's demo test, instead of in every test here."""
    monkeypatch.setattr(college, "build_activity", lambda demo: None)


def seed(*args: str, **options) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def freeze_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


def test_first_run_loads_the_demo_and_prints_every_account_with_its_password(db):
    output = seed()
    assert "已载入演示学院" in output
    assert OrgUnit.objects.filter(code="JY").exists()
    for username, role in college.DEMO_ACCOUNTS:
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert role in line and college.PASSWORD in line
    assert User.objects.get(username="shuji").person.name in output


def test_second_run_changes_nothing_and_prints_the_accounts_again(db):
    seed()
    edited = Person.objects.filter(political_status=PoliticalStatus.MASSES).update(note="已修改")
    before = counts()
    output = seed()
    assert counts() == before
    assert Person.objects.filter(note="已修改").count() == edited
    assert "演示数据已存在" in output
    assert all(username in output for username, _ in college.DEMO_ACCOUNTS)


def test_structure_only_leaves_out_the_activity_records(db, monkeypatch):
    calls = []
    monkeypatch.setattr(college, "build_activity", calls.append)
    output = seed("--structure-only")
    assert calls == []
    assert "仅组织结构" in output
    assert OrgUnit.objects.count() == 10 and Person.objects.count() >= 140
    assert RoleAssignment.objects.filter(role=Role.BRANCH_SECRETARY).count() == 5
    assert User.objects.count() == len(college.DEMO_ACCOUNTS)


def test_full_run_builds_the_activity_records_once(db, monkeypatch):
    calls = []
    monkeypatch.setattr(college, "build_activity", calls.append)
    seed()
    seed()
    assert len(calls) == 1
    assert isinstance(calls[0], college.DemoCollege) and set(calls[0].units) >= {"JY", "JY-G1"}


@pytest.mark.django_db(transaction=True)
def test_reset_empties_the_database_and_loads_the_demo_again(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed()
    first = counts()
    User.objects.create(username="stranger")
    output = seed("--reset", "--noinput")
    assert "数据库已清空" in output and "已载入演示学院" in output
    assert counts() == first  # nothing doubled, the stranger and the old audit trail are gone
    assert not User.objects.filter(username="stranger").exists()
    assert health_findings() == DESIGNED_FINDINGS


def test_reset_asks_first_and_changes_nothing_unless_told_yes(db, monkeypatch):
    seed()
    before = counts()
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")
    with pytest.raises(CommandError):
        seed("--reset")
    assert counts() == before


def test_a_failed_build_leaves_nothing_behind(db, monkeypatch):
    def boom(demo):
        raise RuntimeError("later part failed")

    monkeypatch.setattr(college, "build_activity", boom)
    with pytest.raises(RuntimeError):
        seed()
    assert not OrgUnit.objects.exists() and not Person.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize(
    "day",
    [date(2026, 9, 1), date(2028, 2, 29), date(2031, 1, 15)],
    ids=["first-day-of-school-year", "leap-day", "years-later"],
)
def test_demo_is_valid_and_tells_the_same_story_whatever_the_day(db, monkeypatch, day):
    freeze_today(monkeypatch, day)
    seed()
    assert invalid_people() == []
    assert health_findings() == DESIGNED_FINDINGS
    assert set(Person.objects.values_list("political_status", flat=True)) == set(PoliticalStatus.values)


def test_names_do_not_depend_on_the_day(db, monkeypatch):
    def names_on(day: date) -> list[str]:
        freeze_today(monkeypatch, day)
        with transaction.atomic():
            college.build()
            names = list(Person.objects.order_by("id").values_list("name", flat=True))
            transaction.set_rollback(True)
        return names

    assert names_on(date(2026, 11, 28)) == names_on(date(2029, 4, 2))
