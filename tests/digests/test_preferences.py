"""Choosing the digest's frequency: the account page, `GET`/`PATCH /api/v1/auth/me` and `councils digest`."""

from __future__ import annotations

import json
import re

import pytest

from councils.cli.main import main
from councils.digests import actions
from councils.digests.models import DigestPreference
from councils.record.models import Entry
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

ME = "/api/v1/auth/me"
PAGE = "/account/"
FORM = "/account/digest/"


def frequency_of(user):
    preference = DigestPreference.objects.filter(user=user).first()
    return preference.frequency if preference else None


def test_weekly_is_the_default(cast):
    assert cast.api(cast.bob).get(ME).json() == {
        "uuid": str(cast.bob.uuid),
        "username": "bob",
        "name": "Bob Novak",
        "has_totp": False,
        "digest_frequency": "weekly",
        "digest_sent_at": None,
    }
    body = cast.client(cast.bob).get(PAGE).content.decode()
    assert re.search(r'<input [^>]*value="weekly"[^>]*checked', body)
    assert not re.search(r'<input [^>]*value="daily"[^>]*checked', body)


@pytest.mark.parametrize("frequency", ["daily", "weekly", "never"])
def test_the_account_page_saves_each_choice(cast, frequency):
    client = cast.client(cast.bob)
    response = client.post(FORM, {"frequency": frequency})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert frequency_of(cast.bob) == frequency
    page = client.get(PAGE).content.decode()
    assert "Your digest preference is saved." in page
    assert re.search(rf'<input [^>]*value="{frequency}"[^>]*checked', page)


def test_the_account_page_refuses_an_unknown_choice(cast):
    response = check_invalid(cast, WEB, "post", FORM, {"frequency": "hourly"}, persona="member")
    assert "Select a valid choice" in response.content.decode()
    assert frequency_of(cast.bob) is None


@pytest.mark.parametrize("persona", ["observer", "member", "officer", "outsider"])
def test_everyone_sets_their_own_digest_only(cast, persona):
    check(cast, persona, API, "patch", ME, {"digest_frequency": "daily"}, 200)
    check(cast, persona, WEB, "post", FORM, {"frequency": "never"}, 302)
    assert DigestPreference.objects.count() == 1


def test_anonymous_callers_are_refused(cast):
    check(cast, "anonymous", API, "patch", ME, {"digest_frequency": "daily"}, 401)
    check(cast, "anonymous", WEB, "post", FORM, {"frequency": "daily"}, LOGIN)
    check_wrong_method(cast, WEB, FORM, "put")
    assert not DigestPreference.objects.exists()


def test_opening_the_form_address_leads_to_the_account_page(cast):
    response = check(cast, "member", WEB, "get", FORM, expected=302)
    assert response["Location"] == "/account/#dg"
    page = cast.client(cast.bob).get(response["Location"]).content.decode()
    assert 'id="dg"' in page and 'action="/account/digest/"' in page
    assert not DigestPreference.objects.exists()


def test_the_api_sets_and_reads_back_the_frequency(cast):
    api = cast.api(cast.bob)
    body = api.patch(ME, json.dumps({"digest_frequency": "daily"}), content_type="application/json").json()
    assert body["digest_frequency"] == "daily" and body["username"] == "bob"
    assert api.get(ME).json()["digest_frequency"] == "daily"
    assert frequency_of(cast.bob) == "daily"


@pytest.mark.parametrize("body", [{"digest_frequency": "hourly"}, {}, {"digest_frequency": None}])
def test_the_api_refuses_bad_input_with_a_problem(cast, body):
    response = check_invalid(cast, API, "patch", ME, body, persona="member")
    assert response.json()["status"] == 422
    assert frequency_of(cast.bob) is None


def test_preferences_never_enter_the_record(cast):
    before = Entry.objects.count()
    actions.set_digest_frequency(actor=cast.bob, frequency="daily")
    cast.api(cast.bob).patch(ME, json.dumps({"digest_frequency": "never"}), content_type="application/json")
    assert Entry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_cli_shows_and_sets_the_digest(cast, live_server, capsys, monkeypatch, tmp_path):
    from councils.accounts.tokens import issue_token
    from tests.conftest import NOW

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=cast.bob, name="cli", now=NOW))
    server = ["--server", live_server.url]
    assert main([*server, "digest"]) == 0
    assert "You get the e-mail digest weekly." in capsys.readouterr().out
    assert main([*server, "digest", "daily", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"digest_frequency": "daily", "digest_sent_at": None}
    assert frequency_of(cast.bob) == "daily"
    assert main([*server, "digest", "never"]) == 0
    assert "You get no e-mail digest." in capsys.readouterr().out
    assert main([*server, "digest", "hourly"]) == 2
    assert "invalid choice: 'hourly'" in capsys.readouterr().err
