from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache

from councils.accounts import actions, totp
from councils.accounts.errors import BadSecondFactorError
from councils.accounts.models import User
from councils.core.errors import ConflictError, InvalidInputError
from councils.record.models import Entry
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def code(secret: str) -> str:
    # Codes are single-use; forget earlier uses so each step of a test may use the current one.
    cache.clear()
    return pyotp.TOTP(secret).now()


@pytest.fixture
def secured(cast):
    """Bob with the second factor on."""
    secret = totp.new_secret()
    actions.enable_totp(user=cast.bob, secret=secret, code=code(secret))
    cache.clear()
    return secret


def test_enable_needs_a_right_code(cast):
    secret = totp.new_secret()
    with pytest.raises(BadSecondFactorError):
        actions.enable_totp(user=cast.bob, secret=secret, code="000000")
    assert not User.objects.get(username="bob").has_totp
    actions.enable_totp(user=cast.bob, secret=secret, code=code(secret))
    bob = User.objects.get(username="bob")
    assert bob.has_totp and bob.totp_secret == secret


def test_a_code_works_only_once(cast, secured):
    current = code(secured)
    bob = User.objects.get(username="bob")
    assert totp.verify_user(user=bob, code=current)
    assert not totp.verify_user(user=bob, code=current)


def test_disable_needs_password_and_code(cast, secured):
    bob = User.objects.get(username="bob")
    with pytest.raises(InvalidInputError):
        actions.disable_totp(user=bob, password="wrong", code=code(secured))
    with pytest.raises(BadSecondFactorError):
        actions.disable_totp(user=bob, password=PASSWORD, code="123456")
    actions.disable_totp(user=bob, password=PASSWORD, code=code(secured))
    assert not User.objects.get(username="bob").has_totp
    with pytest.raises(ConflictError):
        actions.disable_totp(user=bob, password=PASSWORD, code="123456")


def test_second_factor_changes_never_enter_the_record(cast, secured):
    assert not Entry.objects.filter(event__startswith="totp").exists()
    assert not Entry.objects.filter(event__startswith="auth").exists()


def test_enable_through_the_page(cast):
    client = cast.client(cast.erin)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code is inline
    secret = client.session["councils_totp_setup"]
    assert secret.encode() in page.content
    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong.status_code == 422 and b"not right" in wrong.content
    ok = client.post("/account/two-factor/", {"code": code(secret)})
    assert ok.status_code == 302 and ok["Location"] == "/account/"
    assert User.objects.get(username="erin").has_totp


def test_disable_through_the_page(cast, secured):
    client = cast.client(User.objects.get(username="bob"))
    refused = client.post("/account/two-factor/", {"password": "wrong", "code": code(secured)})
    assert refused.status_code == 422 and b"password is not right" in refused.content
    ok = client.post("/account/two-factor/", {"password": PASSWORD, "code": code(secured)})
    assert ok.status_code == 302
    assert not User.objects.get(username="bob").has_totp


def test_login_asks_for_the_code_after_the_password(cast, secured):
    client = cast.client(None)
    first = client.post("/login/", {"username": "bob", "password": PASSWORD, "next": "/account/"})
    assert first.status_code == 302 and first["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get("/account/").status_code == 302
    wrong = client.post("/login/code/", {"code": "000000"})
    assert wrong.status_code == 422
    assert "_auth_user_id" not in client.session
    ok = client.post("/login/code/", {"code": code(secured)})
    assert ok.status_code == 302 and ok["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_code_step_without_a_password_step_goes_back_to_login(cast):
    response = cast.client(None).get("/login/code/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_wrong_codes_are_throttled(cast, secured):
    client = cast.client(None)
    client.post("/login/", {"username": "bob", "password": PASSWORD})
    for _ in range(5):
        client.post("/login/code/", {"code": "000000"})
    response = client.post("/login/code/", {"code": pyotp.TOTP(secured).now()})
    assert response.status_code == 429
    assert b"Try again in" in response.content
    assert "_auth_user_id" not in client.session


def _token(cast, **body):
    return cast.api(None).post(
        "/api/v1/auth/token",
        {"username": "bob", "password": PASSWORD, **body},
        content_type="application/json",
    )


def test_api_token_requires_otp_when_the_second_factor_is_on(cast, secured):
    missing = _token(cast)
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    wrong = _token(cast, otp="000000")
    assert wrong.status_code == 401 and wrong.json()["code"] == "bad_otp"
    ok = _token(cast, otp=code(secured))
    assert ok.status_code == 200 and ok.json()["token"].startswith("cnl_")


def test_api_token_needs_no_otp_without_the_second_factor(cast):
    assert _token(cast).status_code == 200
    assert _token(cast, otp="123456").status_code == 200


def test_code_step_for_a_deactivated_account_goes_back_to_login(cast, secured):
    client = cast.client(None)
    client.post("/login/", {"username": "bob", "password": PASSWORD})
    User.objects.filter(username="bob").update(is_active=False)
    response = client.post("/login/code/", {"code": code(secured)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
