"""`dangjian create_token` and `dangjian revoke_token` (DESIGN §11)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.accounts.models import ApiToken, User
from dangjian.accounts.services import authenticate_token, create_token
from dangjian.core.models import AuditEvent


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_token_prints_only_the_key(college):
    out, err = run("create_token", "member", "--name", "同步脚本")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    key = out.strip()
    assert key.startswith("dj_")
    assert err == ""
    token = ApiToken.objects.get(user=college.member)
    assert (token.name, token.prefix) == ("同步脚本", key[:10])
    assert authenticate_token(key) == college.member
    assert AuditEvent.objects.filter(action="accounts.token.created", target_id=str(token.pk)).count() == 1


def test_create_token_finds_the_user_in_any_case(college):
    out, _err = run("create_token", "MEMBER")
    assert authenticate_token(out.strip()) == college.member


def test_create_token_for_an_unknown_user_fails_in_chinese(college):
    with pytest.raises(CommandError, match="没有用户名为“nobody”的账号"):
        run("create_token", "nobody")
    assert ApiToken.objects.count() == 0


def test_create_token_for_an_inactive_user_fails(college):
    User.objects.filter(pk=college.member.pk).update(is_active=False)
    with pytest.raises(CommandError, match="已停用"):
        run("create_token", "member")
    assert ApiToken.objects.count() == 0


def test_revoke_token_by_prefix(college):
    token, key = create_token(user=college.member)
    out, _err = run("revoke_token", token.prefix)
    assert out == f"已吊销令牌 {token.prefix}（member）。\n"
    assert authenticate_token(key) is None
    event = AuditEvent.objects.get(action="accounts.token.revoked")
    assert (event.actor, event.actor_name, event.target_id) == (None, "system", str(token.pk))


def test_revoke_token_by_id(college):
    token, key = create_token(user=college.member)
    run("revoke_token", str(token.pk))
    assert authenticate_token(key) is None


def test_revoking_a_revoked_token_says_so_and_records_nothing_more(college):
    token, _key = create_token(user=college.member)
    run("revoke_token", token.prefix)
    out, _err = run("revoke_token", token.prefix)
    assert "已于" in out and "吊销" in out
    assert AuditEvent.objects.filter(action="accounts.token.revoked").count() == 1


@pytest.mark.parametrize("ref", ["dj_nothing", "999999"])
def test_revoke_token_that_does_not_exist_fails(college, ref):
    token, key = create_token(user=college.member)
    with pytest.raises(CommandError, match="没有找到令牌"):
        run("revoke_token", ref)
    assert authenticate_token(key) == college.member
