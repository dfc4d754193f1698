from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from councils.accounts.models import User
from councils.record.models import Entry
from tests.conftest import PASSWORD
from tests.personas import LOGIN, WEB, check, check_wrong_method


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_login_with_good_password_goes_to_next(cast):
    client = cast.client(None)
    response = client.post("/login/", {"username": "alice", "password": PASSWORD, "next": "/account/"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_login_refuses_an_offsite_next(cast):
    response = cast.client(None).post(
        "/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_password_is_422_with_a_message(cast):
    response = cast.client(None).post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 422
    assert b"Wrong username or password" in response.content
    assert "_auth_user_id" not in cast.client(None).session


def test_repeated_failures_are_throttled_with_the_wait_shown(cast):
    client = cast.client(None)
    for _ in range(5):
        client.post("/login/", {"username": "erin", "password": "wrong"})
    response = client.post("/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert re.search(rb"Try again in \d+ (minute|second)", response.content)
    assert "_auth_user_id" not in client.session


def test_web_and_api_share_the_failure_counters(cast):
    client = cast.client(None)
    for _ in range(5):
        client.post("/login/", {"username": "frank", "password": "wrong"})
    api = cast.api(None).post(
        "/api/v1/auth/token", {"username": "frank", "password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 429


def test_successful_logins_do_not_count(cast):
    client = cast.client(None)
    for _ in range(8):
        assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302
        client.post("/logout/")


def test_logout_takes_post_only(cast):
    client = cast.client(cast.bob)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/account/").status_code == 302


def test_logins_never_enter_the_record(cast):
    before = Entry.objects.count()
    cast.client(None).post("/login/", {"username": "alice", "password": PASSWORD})
    cast.client(None).post("/login/", {"username": "alice", "password": "nope"})
    cast.api(None).post(
        "/api/v1/auth/token", {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )
    assert Entry.objects.count() == before


def test_password_reset_by_email(cast):
    client = cast.client(None)
    response = client.post("/password-reset/", {"email": "carol@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new phrase", "new_password2": "a brand new phrase"},
    )
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    assert User.objects.get(username="carol").check_password("a brand new phrase")
    # The link works once.
    again = client.get(link, follow=True)
    assert b"not valid" in again.content


def test_password_reset_for_an_unknown_address_says_the_same(cast):
    response = cast.client(None).post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(cast):
    client = cast.client(cast.bob)
    weak = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and b"too short" in weak.content
    ok = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another good phrase",
            "new_password2": "another good phrase",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/account/password/done/"
    assert User.objects.get(username="bob").check_password("another good phrase")
    assert client.get("/account/").status_code == 200  # still logged in


@pytest.mark.parametrize(
    "url", ["/account/", "/account/two-factor/", "/account/tokens/", "/account/password/"]
)
def test_account_pages_need_login(cast, url):
    check(cast, "anonymous", WEB, "get", url, None, LOGIN)
    check(cast, "observer", WEB, "get", url, None, 200)


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/account/", "delete"),
        ("/account/", "post"),
        ("/login/", "put"),
        ("/login/code/", "delete"),
        ("/account/two-factor/", "put"),
        ("/account/tokens/", "delete"),
    ],
)
def test_account_pages_wrong_method(cast, url, method):
    check_wrong_method(cast, WEB, url, method)


def test_a_throttled_attempt_checks_no_password(cast, monkeypatch):
    client = cast.client(None)
    for _ in range(5):
        client.post("/login/", {"username": "erin", "password": "wrong"})

    def refuse(*args, **kwargs):
        raise AssertionError("a throttled login must not check the password")

    monkeypatch.setattr("django.contrib.auth.forms.authenticate", refuse)
    response = client.post("/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 429
    assert b'value="erin"' in response.content


def test_session_expiry_message_only_after_a_started_login(cast):
    client = cast.client(None)
    response = client.get("/login/code/", follow=True)
    assert b"took too long" not in response.content
