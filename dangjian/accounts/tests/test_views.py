from django.test import Client

from dangjian.accounts.models import ApiToken, User
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PASSWORD, client_for, matrix


def test_login_by_username(college):
    client = Client()
    r = client.post("/accounts/login/", {"identifier": "secretary", "password": PASSWORD})
    assert r.status_code == 302 and r.url == "/"
    assert client.session["_auth_user_id"] == str(college.secretary.pk)


def test_login_by_staff_number(college):
    client = Client()
    r = client.post("/accounts/login/", {"identifier": college.member_p.staff_no, "password": PASSWORD})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(college.member.pk)


def test_wrong_password_shows_chinese_error_and_no_session(college):
    client = Client()
    r = client.post("/accounts/login/", {"identifier": "secretary", "password": "nope"})
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_fifth_failure_locks_with_429(college):
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"identifier": "member", "password": "bad"})
    r = client.post("/accounts/login/", {"identifier": "member", "password": "bad"})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()
    r = client.post("/accounts/login/", {"identifier": "member", "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in client.session


def test_open_redirect_is_ignored(college):
    r = Client().post("/accounts/login/?next=https://evil.example/", {"identifier": "member", "password": PASSWORD})
    assert r.url == "/"


def test_language_switch_to_english(college):
    client = client_for(college.member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body


def test_tokens_page_creates_and_revokes(college):
    client = client_for(college.member)
    r = client.post("/accounts/tokens/", {"name": "同步"})
    assert r.status_code == 200
    token = ApiToken.objects.get(user=college.member)
    assert token.prefix in r.content.decode()
    r = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(college):
    from dangjian.accounts.services import create_token

    token, _ = create_token(user=college.secretary)
    r = client_for(college.member).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert r.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_account_pages_matrix(college):
    expected = {"anonymous": 302, "member": 403, "organiser": 403, "auditor": 403, "sysadmin": 200, "secadmin": 200}
    matrix(college, "get", "/accounts/users/", expected)
    matrix(college, "get", "/accounts/tokens/", {"anonymous": 302, "member": 200, "sysadmin": 200})
    matrix(college, "get", "/accounts/password/", {"anonymous": 302, "member": 200})


def test_sysadmin_creates_account_linked_by_staff_number(college):
    from dangjian.core.testing import make_person

    p = make_person(college.t2, "孙新人", staff_no="T99999")
    r = client_for(college.sysadmin).post("/accounts/users/", {"username": "sunxr", "staff_no": "T99999",
                                                              "password": "Abc-12345x", "system_role": ""})
    assert r.status_code == 302
    assert User.objects.get(username="sunxr").person == p


def test_weak_password_refused_and_nothing_created(college):
    before = (User.objects.count(), AuditEvent.objects.count())
    r = client_for(college.sysadmin).post("/accounts/users/", {"username": "weak", "password": "abcdefgh",
                                                              "system_role": ""})
    assert r.status_code == 200
    assert "至少3类" in r.content.decode()
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_security_admin_unlocks(college):
    from datetime import timedelta

    from django.utils import timezone

    User.objects.filter(pk=college.member.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    r = client_for(college.secadmin).post(f"/accounts/users/{college.member.pk}/unlock/")
    assert r.status_code == 302
    college.member.refresh_from_db()
    assert college.member.locked_until is None
    assert client_for(college.sysadmin).post(f"/accounts/users/{college.member.pk}/unlock/").status_code == 403


def test_password_change_enforces_policy(college):
    client = client_for(college.member)
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "member123",
                                            "new_password2": "member123"})
    assert r.status_code == 200
    college.member.refresh_from_db()
    assert college.member.check_password(PASSWORD)
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Xy-98765432",
                                            "new_password2": "Xy-98765432"})
    assert r.status_code == 302
    college.member.refresh_from_db()
    assert college.member.check_password("Xy-98765432")
