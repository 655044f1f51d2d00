"""Writes for accounts: login attempts with lockout, users, passwords, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record
from dangjian.core.errors import DomainError
from dangjian.core.permissions import Action, has_system_action

from .models import ApiToken, User


class AccountError(DomainError):
    pass


def find_user(identifier: str) -> User | None:
    """By username, or by the linked person's 工号/学号."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return (
        User.objects.select_related("person")
        .filter(Q(username__iexact=identifier) | Q(person__staff_no__iexact=identifier, person__deleted_at__isnull=True))
        .order_by("id")
        .first()
    )


def attempt_login(*, identifier: str, password: str) -> User:
    """Check a password. Five failures lock the account for 15 minutes (settings); success resets the count.

    The failure count is committed before the error is raised, so a refused login still counts.
    """
    user = find_user(identifier)
    if user is None:
        raise AccountError("bad_credentials", _("用户名或密码不正确。"))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            error = AccountError("locked", _("登录失败次数过多，账号已锁定，请%(m)d分钟后再试。") % {"m": minutes})
        elif not user.is_active or not user.check_password(password):
            user.failed_logins += 1
            fields = ["failed_logins"]
            record(actor=user, action="accounts.user.login_failed", target=user)
            error = AccountError("bad_credentials", _("用户名或密码不正确。"))
            if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
                user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
                fields.append("locked_until")
                record(actor=user, action="accounts.user.locked", target=user)
                error = AccountError(
                    "locked",
                    _("登录失败次数过多，账号已锁定，请%(m)d分钟后再试。") % {"m": settings.LOGIN_LOCKOUT_MINUTES},
                )
            user.save(update_fields=fields)
        else:
            error = None
            user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            record(actor=user, action="accounts.user.logged_in", target=user)
    if error is not None:
        raise error
    return user


@transaction.atomic
def unlock_user(*, user: User, actor: User) -> None:
    if not has_system_action(actor, Action.SECURITY_MANAGE):
        raise AccountError("forbidden", _("只有安全管理员可以解锁账号。"))
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record(actor=actor, action="accounts.user.unlocked", target=user)


@transaction.atomic
def create_user(*, username: str, password: str, person=None, system_role: str = "", actor=None) -> User:
    """Create a login, enforcing the password policy."""
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("duplicate_username", _("用户名已存在。"))
    user = User(username=username, person=person, system_role=system_role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("weak_password", " ".join(exc.messages))
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    record(actor=actor or "system", action="accounts.user.created", target=user)
    return user


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise AccountError("bad_credentials", _("原密码不正确。"))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise AccountError("weak_password", " ".join(exc.messages))
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    record(actor=user, action="accounts.user.password_changed", target=user)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """A new personal API token. Returns the row and the key, which is never stored or shown again."""
    key = "dj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], prefix=key[:10], key_hash=_hash_key(key))
    record(actor=actor or user, action="accounts.token.created", target=token)
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User | None) -> None:
    """Revoke a token: its owner or an accounts administrator; actor None is the server's command line."""
    if actor is not None and token.user_id != actor.pk and not has_system_action(actor, Action.ACCOUNTS_MANAGE):
        raise AccountError("forbidden", _("只能吊销自己的令牌。"))
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        record(actor=actor or "system", action="accounts.token.revoked", target=token)


def authenticate_token(key: str) -> User | None:
    """The active user behind a bearer key, or None. Marks the token used (at most once a minute)."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def create_account(*, actor: User, username: str, password: str, staff_no: str = "", system_role: str = "") -> User:
    """The system administrator creates a login: linked to a roster person (party roles) or a 三员 account."""
    if not has_system_action(actor, Action.ACCOUNTS_MANAGE):
        raise AccountError("forbidden", _("只有系统管理员可以创建账号。"))
    from dangjian.people.models import Person

    person = None
    if staff_no.strip():
        if system_role:
            raise AccountError("bad_value", _("三员账号不能关联花名册人员。"))
        person = Person.objects.filter(staff_no=staff_no.strip(), deleted_at__isnull=True).first()
        if person is None:
            raise AccountError("unknown_person", _("花名册中没有工号/学号为 %(n)s 的人员。") % {"n": staff_no})
        if User.objects.filter(person=person).exists():
            raise AccountError("duplicate", _("该人员已有账号。"))
    return create_user(username=username.strip(), password=password, person=person, system_role=system_role,
                       actor=actor)
