"""Accounts (DESIGN §14): login with lockout, the password policy, Argon2, and personal API tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dangjian.accounts.models import ApiToken, User
from dangjian.accounts.services import (
    AccountError,
    attempt_login,
    authenticate_token,
    change_password,
    create_token,
    create_user,
    find_user,
    revoke_token,
    unlock_user,
)
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PASSWORD

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """A settable `timezone.now()` (no time-machine needed)."""

    class Clock:
        now = NOW

        def set(self, value):
            self.now = value

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def fail(identifier="member"):
    with pytest.raises(AccountError) as exc:
        attempt_login(identifier=identifier, password="wrong-Passw0rd")
    return exc.value


# ---------------------------------------------------------------- login


def test_login_by_username(college, clock):
    user = attempt_login(identifier="member", password=PASSWORD)
    assert user == college.member
    user.refresh_from_db()
    assert user.last_login == NOW
    [e] = events("accounts.user.logged_in")
    assert (e.actor, e.target_id) == (college.member, str(college.member.pk))


def test_login_by_staff_no_and_case_insensitive(college):
    assert attempt_login(identifier=college.member_p.staff_no, password=PASSWORD) == college.member
    assert attempt_login(identifier=college.member_p.staff_no.lower(), password=PASSWORD) == college.member
    assert attempt_login(identifier=" MEMBER ", password=PASSWORD) == college.member


def test_the_staff_no_of_a_deleted_person_does_not_log_in(college):
    from dangjian.people.models import Person

    Person.objects.filter(pk=college.member_p.pk).update(deleted_at=NOW)
    assert find_user(college.member_p.staff_no) is None


def test_unknown_user_is_refused_without_saying_which_part_was_wrong(college):
    before = AuditEvent.objects.count()
    with pytest.raises(AccountError) as exc:
        attempt_login(identifier="nobody", password=PASSWORD)
    assert (exc.value.code, exc.value.message) == ("bad_credentials", "用户名或密码不正确。")
    assert AuditEvent.objects.count() == before
    with pytest.raises(AccountError):
        attempt_login(identifier="", password=PASSWORD)


def test_a_wrong_password_counts_a_failure_and_audits_it(college):
    err = fail()
    assert (err.code, err.message) == ("bad_credentials", "用户名或密码不正确。")
    user = User.objects.get(pk=college.member.pk)
    assert (user.failed_logins, user.locked_until) == (1, None)
    assert len(events("accounts.user.login_failed")) == 1


def test_five_failures_lock_for_fifteen_minutes(college, clock):
    for n in range(1, 5):
        assert fail().code == "bad_credentials"
        assert User.objects.get(pk=college.member.pk).failed_logins == n
    err = fail()
    assert err.code == "locked"
    assert "15分钟" in err.message
    user = User.objects.get(pk=college.member.pk)
    assert user.locked_until == NOW + timedelta(minutes=15)
    assert user.failed_logins == 0
    assert len(events("accounts.user.login_failed")) == 5
    assert len(events("accounts.user.locked")) == 1


def test_the_right_password_is_refused_while_locked(college, clock):
    for _ in range(5):
        fail()
    logged_in = len(events("accounts.user.logged_in"))
    clock.set(NOW + timedelta(minutes=14, seconds=59))
    with pytest.raises(AccountError) as exc:
        attempt_login(identifier="member", password=PASSWORD)
    assert exc.value.code == "locked"
    assert "1分钟" in exc.value.message
    assert len(events("accounts.user.logged_in")) == logged_in
    assert User.objects.get(pk=college.member.pk).last_login is None


def test_the_lock_ends_after_fifteen_minutes(college, clock):
    for _ in range(5):
        fail()
    clock.set(NOW + timedelta(minutes=15))
    assert attempt_login(identifier="member", password=PASSWORD) == college.member
    user = User.objects.get(pk=college.member.pk)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_lock_set_by_hand_is_honoured(college):
    User.objects.filter(pk=college.member.pk).update(locked_until=timezone.now() + timedelta(minutes=3))
    with pytest.raises(AccountError) as exc:
        attempt_login(identifier="member", password=PASSWORD)
    assert exc.value.code == "locked"
    assert "3分钟" in exc.value.message


def test_success_resets_the_failure_count(college):
    for _ in range(4):
        fail()
    attempt_login(identifier="member", password=PASSWORD)
    assert User.objects.get(pk=college.member.pk).failed_logins == 0
    for _ in range(4):
        assert fail().code == "bad_credentials"  # a fresh count: four more do not lock


def test_an_inactive_user_cannot_log_in(college):
    User.objects.filter(pk=college.member.pk).update(is_active=False)
    with pytest.raises(AccountError) as exc:
        attempt_login(identifier="member", password=PASSWORD)
    assert exc.value.code == "bad_credentials"


def test_only_a_security_admin_unlocks(college):
    User.objects.filter(pk=college.member.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    with pytest.raises(AccountError) as exc:
        unlock_user(user=college.member, actor=college.sysadmin)
    assert exc.value.code == "forbidden"
    assert events("accounts.user.unlocked") == []
    unlock_user(user=college.member, actor=college.secadmin)
    assert User.objects.get(pk=college.member.pk).locked_until is None
    assert attempt_login(identifier="member", password=PASSWORD) == college.member
    assert len(events("accounts.user.unlocked")) == 1


# ---------------------------------------------------------------- password policy


@pytest.mark.parametrize(
    "password",
    [
        "Ab1!xyz",  # 7 characters
        "abcdefgh12",  # two classes: lower case and digits
        "ABCDEFGH!!",  # two classes: upper case and symbols
        "Xx-zhangsan-2024",  # contains the user name
        "XX-ZHANGSAN-2024",  # … in any case
    ],
)
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(AccountError) as exc:
        create_user(username="zhangsan", password=password)
    assert exc.value.code == "weak_password"
    assert not User.objects.filter(username="zhangsan").exists()
    assert AuditEvent.objects.count() == 0


def test_a_good_password_passes_and_the_creation_is_audited(db):
    user = create_user(username="zhangsan", password="Tr0ub4dor&3x")
    assert user.check_password("Tr0ub4dor&3x")
    assert user.password_changed_at is not None
    [e] = events("accounts.user.created")
    assert e.actor_name == "system"


def test_a_duplicate_username_is_refused_in_any_case(college):
    with pytest.raises(AccountError) as exc:
        create_user(username="Member", password="Tr0ub4dor&3x")
    assert exc.value.code == "duplicate_username"


def test_change_password_checks_the_old_one_and_the_policy(college):
    with pytest.raises(AccountError) as exc:
        change_password(user=college.member, old_password="wrong", new_password="Tr0ub4dor&3x")
    assert exc.value.code == "bad_credentials"
    with pytest.raises(AccountError) as exc:
        change_password(user=college.member, old_password=PASSWORD, new_password="short")
    assert exc.value.code == "weak_password"
    assert events("accounts.user.password_changed") == []
    change_password(user=college.member, old_password=PASSWORD, new_password="Tr0ub4dor&3x")
    assert User.objects.get(pk=college.member.pk).check_password("Tr0ub4dor&3x")
    assert len(events("accounts.user.password_changed")) == 1


def test_argon2_is_the_password_hasher(db, settings):
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # undo the fast test hasher
    user = create_user(username="zhangsan", password="Tr0ub4dor&3x")
    assert user.password.startswith("argon2")
    assert attempt_login(identifier="zhangsan", password="Tr0ub4dor&3x") == user


# ---------------------------------------------------------------- API tokens


def test_create_token_stores_only_a_hash_and_returns_the_key_once(college):
    token, key = create_token(user=college.member, name="同步脚本")
    assert key.startswith("dj_")
    assert len(key) > 40
    assert (token.user, token.name, token.prefix) == (college.member, "同步脚本", key[:10])
    assert token.key_hash != key
    assert key not in token.key_hash
    [e] = events("accounts.token.created")
    assert (e.actor, e.target_id) == (college.member, str(token.pk))


def test_authenticate_token_finds_the_user_and_marks_the_token_used(college, clock):
    token, key = create_token(user=college.member)
    assert authenticate_token(key) == college.member
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW
    clock.set(NOW + timedelta(seconds=30))
    authenticate_token(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW  # at most once a minute
    clock.set(NOW + timedelta(minutes=2))
    authenticate_token(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW + timedelta(minutes=2)


def test_unknown_or_empty_keys_authenticate_nobody(college):
    create_token(user=college.member)
    assert authenticate_token("") is None
    assert authenticate_token("dj_not-a-key") is None


def test_a_revoked_token_authenticates_nobody(college):
    token, key = create_token(user=college.member)
    revoke_token(token=token, actor=college.member)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert authenticate_token(key) is None
    [e] = events("accounts.token.revoked")
    assert (e.actor, e.target_id) == (college.member, str(token.pk))


def test_revoking_twice_records_one_event(college):
    token, _key = create_token(user=college.member)
    revoke_token(token=token, actor=college.member)
    token.refresh_from_db()
    revoke_token(token=token, actor=college.member)
    assert len(events("accounts.token.revoked")) == 1


def test_an_inactive_users_token_authenticates_nobody(college):
    _token, key = create_token(user=college.member)
    User.objects.filter(pk=college.member.pk).update(is_active=False)
    assert authenticate_token(key) is None


def test_only_the_owner_or_an_accounts_admin_revokes(college):
    token, key = create_token(user=college.member)
    for who in ("secretary", "organiser", "secadmin", "auditor"):
        with pytest.raises(AccountError) as exc:
            revoke_token(token=token, actor=college.users[who])
        assert exc.value.code == "forbidden"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert authenticate_token(key) == college.member
    assert events("accounts.token.revoked") == []
    revoke_token(token=token, actor=college.sysadmin)
    assert authenticate_token(key) is None


def test_the_command_line_revokes_as_system(college):
    token, key = create_token(user=college.member)
    revoke_token(token=token, actor=None)
    assert authenticate_token(key) is None
    [e] = events("accounts.token.revoked")
    assert (e.actor, e.actor_name) == (None, "system")
