"""Session idle timeout (DESIGN §14): a session unused for SESSION_IDLE_TIMEOUT_SECONDS is logged out."""

import time

from dangjian.accounts.middleware import KEY
from dangjian.core.testing import client_for

URL = "/i18n/setlang/"  # any URL passes through the middleware; this one needs no template


def set_last_activity(client, seconds_ago):
    session = client.session
    session[KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_is_logged_out_on_the_next_request(college, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    client = client_for(college.member)
    set_last_activity(client, 3600)
    client.get(URL)
    assert "_auth_user_id" not in client.session


def test_an_active_session_stays_logged_in(college, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    client = client_for(college.member)
    set_last_activity(client, 10)
    client.get(URL)
    assert client.session["_auth_user_id"] == str(college.member.pk)


def test_a_request_refreshes_the_last_activity(college, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    client = client_for(college.member)
    set_last_activity(client, 120)
    client.get(URL)
    assert abs(client.session[KEY] - int(time.time())) <= 2
    assert client.session["_auth_user_id"] == str(college.member.pk)


def test_a_new_session_starts_its_clock(college):
    client = client_for(college.member)
    assert KEY not in client.session
    client.get(URL)
    assert KEY in client.session
