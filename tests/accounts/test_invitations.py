from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from councils.accounts import actions
from councils.accounts.errors import InvitationExpiredError, InvitationRevokedError, InvitationUsedError
from councils.accounts.models import Invitation, User
from councils.core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from councils.federation.models import Council, Membership
from councils.record.models import Entry
from tests.conftest import NOW, make_user
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

GOOD_PASSWORD = "long enough pass phrase"


def invite(cast, email="new@example.org", *, base_url="http://testserver/", now=NOW):
    return actions.invite_member(
        actor=cast.alice, council=cast.riverside, email=email, base_url=base_url, now=now
    )


def raw_token_from_mail(message) -> str:
    return re.search(r"/invite/([^/\s]+)/", message.body).group(1)


def test_officer_invites_and_the_link_is_mailed_on_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(cast)
    assert invitation.expires_at == NOW + timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    assert "Riverside Depot" in message.subject
    raw = raw_token_from_mail(message)
    assert message.body.count("http://testserver/invite/") == 1
    # Only the hash of the token is kept.
    assert raw not in invitation.token_hash
    assert invitation.token_hash == actions.token_digest(raw)


def test_invitation_record_entry_has_uuids_and_no_email(cast):
    invitation = invite(cast)
    entry = Entry.objects.get(event="invitation.sent")
    document = json.loads(entry.data)
    assert document["payload"] == {"invitation": str(invitation.uuid), "council": str(cast.riverside.uuid)}
    assert b"new@example.org" not in bytes(entry.data)
    assert b"example.org" not in b"".join(bytes(e.data) for e in Entry.objects.all())


def test_no_mail_when_the_invitation_rolls_back(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDeniedError):
        actions.invite_member(
            actor=cast.carol, council=cast.riverside, email="x@example.org", base_url="http://t/", now=NOW
        )
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["bob", "carol", "dave"])
def test_non_officers_may_not_invite(cast, who):
    with pytest.raises(PermissionDeniedError):
        actions.invite_member(
            actor=getattr(cast, who),
            council=cast.riverside,
            email="x@example.org",
            base_url="http://t/",
            now=NOW,
        )
    assert not Entry.objects.filter(event="invitation.sent").exists()


def test_invitation_to_a_higher_council_is_refused(cast):
    from councils.federation import actions as fa

    fa.appoint_founding_officer(actor=None, council=cast.district, user=cast.alice, role="chair", now=NOW)
    with pytest.raises(InvalidInputError):
        actions.invite_member(
            actor=cast.alice, council=cast.district, email="x@example.org", base_url="http://t/", now=NOW
        )


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b"])
def test_bad_email_is_refused(cast, email):
    with pytest.raises(InvalidInputError):
        invite(cast, email)


def test_existing_account_email_is_a_conflict(cast):
    with pytest.raises(ConflictError):
        invite(cast, "BOB@example.org")


def _accept(raw, username="newbie", now=None, password=GOOD_PASSWORD):
    return actions.accept_invitation(
        raw_token=raw,
        username=username,
        display_name="New Person",
        password=password,
        now=now or timezone.now(),
    )


@pytest.fixture
def raw(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(cast, now=timezone.now())
    return raw_token_from_mail(mail.outbox[-1])


def test_accepting_creates_the_account_and_a_candidate_membership(cast, raw):
    user = _accept(raw)
    assert user.check_password(GOOD_PASSWORD)
    assert user.email == "new@example.org" and user.display_name == "New Person"
    membership = Membership.objects.get(user=user, ended_at__isnull=True)
    assert membership.council == cast.riverside
    assert membership.status == Membership.Status.CANDIDATE
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    entry = Entry.objects.get(event="member.invited_joined")
    payload = json.loads(entry.data)["payload"]
    assert payload == {
        "membership": str(membership.uuid),
        "member": str(user.uuid),
        "invitation": str(invitation.uuid),
    }
    assert b"newbie" not in bytes(entry.data) and b"New Person" not in bytes(entry.data)


def test_candidate_may_speak_but_not_vote(cast, raw):
    from councils.federation import permissions

    user = _accept(raw)
    assert permissions.can(user, "speak", cast.riverside)
    assert not permissions.can(user, "vote", cast.riverside)


def test_a_link_works_once(cast, raw):
    _accept(raw)
    with pytest.raises(InvitationUsedError):
        _accept(raw, username="second")
    assert User.objects.filter(username="second").count() == 0


def test_expired_link_is_refused(cast, raw):
    with pytest.raises(InvitationExpiredError):
        _accept(raw, now=Invitation.objects.get().expires_at + timedelta(seconds=1))
    assert not User.objects.filter(username="newbie").exists()


def test_unknown_link_is_not_found(cast):
    with pytest.raises(NotFoundError):
        _accept("no-such-token")


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("newbie", "short", InvalidInputError),
        ("newbie", "1234567890123", InvalidInputError),
        ("newbie", "password123", InvalidInputError),
        ("bad name!", GOOD_PASSWORD, InvalidInputError),
        ("", GOOD_PASSWORD, InvalidInputError),
        ("ALICE", GOOD_PASSWORD, ConflictError),
    ],
)
def test_bad_sign_up_leaves_nothing_behind(cast, raw, username, password, error):
    users = User.objects.count()
    with pytest.raises(error):
        _accept(raw, username=username, password=password)
    assert User.objects.count() == users
    assert Invitation.objects.get().accepted_at is None
    assert not Entry.objects.filter(event="member.invited_joined").exists()


# Web pages.


def test_invite_page_sends_an_invitation(cast, django_capture_on_commit_callbacks):
    url = f"/councils/{cast.riverside.uuid}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client(cast.alice).post(url, {"email": "web@example.org"})
    assert response.status_code == 302 and response["Location"] == url
    assert mail.outbox[0].to == ["web@example.org"]
    page = cast.client(cast.alice).get(url)
    assert b"web@example.org" in page.content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("outsider", 403), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_invite_page(cast, persona, expected):
    check(cast, persona, WEB, "get", f"/councils/{cast.riverside.uuid}/invite/", None, expected)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_outsider_gets_404_for_a_council_only_council(cast):
    check(
        cast,
        "outsider",
        WEB,
        "post",
        f"/councils/{cast.riverside.uuid}/invite/",
        {"email": "x@example.org"},
        404,
    )
    check(
        cast,
        "outsider",
        API,
        "post",
        "/api/v1/invitations",
        {"council": str(cast.riverside.uuid), "email": "x@example.org"},
        404,
    )


def test_invite_page_wrong_method_and_invalid_input(cast):
    check_wrong_method(cast, WEB, f"/councils/{cast.riverside.uuid}/invite/", "put")
    response = check_invalid(cast, WEB, "post", f"/councils/{cast.riverside.uuid}/invite/", {"email": "nope"})
    assert b"valid email" in response.content or b"valid e-mail" in response.content


def test_accept_page_signs_up_and_logs_in(cast, raw):
    client = cast.client(None)
    page = client.get(f"/invite/{raw}/")
    assert page.status_code == 200 and b"new@example.org" in page.content
    # Help texts are tied to their inputs for screen readers.
    assert b'aria-describedby="id_username_helptext"' in page.content
    assert b'id="id_username_helptext"' in page.content
    response = client.post(
        f"/invite/{raw}/",
        {
            "username": "newbie",
            "display_name": "New Person",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/councils/{cast.riverside.uuid}/"
    council_page = client.get(response["Location"])
    assert b"New Person" in council_page.content  # logged in, and sees the council's members


def test_accept_page_shows_form_errors_with_422(cast, raw):
    response = cast.client(None).post(
        f"/invite/{raw}/",
        {"username": "newbie", "display_name": "N", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 422
    assert b"too short" in response.content
    assert b'id="id_password1_error"' in response.content
    mismatch = cast.client(None).post(
        f"/invite/{raw}/",
        {"username": "newbie", "display_name": "N", "password1": GOOD_PASSWORD, "password2": "other"},
    )
    assert mismatch.status_code == 422 and b"differ" in mismatch.content
    assert not User.objects.filter(username="newbie").exists()


def test_used_expired_and_unknown_links_get_a_clear_page(cast, raw):
    unknown = cast.client(None).get("/invite/not-a-real-token/")
    assert unknown.status_code == 404 and b"not valid" in unknown.content
    Invitation.objects.update(expires_at=timezone.now())
    expired = cast.client(None).get(f"/invite/{raw}/")
    assert expired.status_code == 410 and b"expired" in expired.content
    Invitation.objects.update(expires_at=timezone.now() + timedelta(days=1))
    _accept(raw)
    used = cast.client(None).get(f"/invite/{raw}/")
    assert used.status_code == 409 and b"already been used" in used.content


# API.


def test_api_officer_invites(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.api(cast.alice).post(
            "/api/v1/invitations",
            {"council": str(cast.riverside.uuid), "email": "api@example.org"},
            content_type="application/json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["council"] == str(cast.riverside.uuid) and body["email"] == "api@example.org"
    assert "token" not in json.dumps(body)
    assert mail.outbox[0].to == ["api@example.org"]
    listed = cast.api(cast.alice).get("/api/v1/invitations", {"council": str(cast.riverside.uuid)}).json()
    assert listed["count"] == 1 and listed["items"][0]["uuid"] == body["uuid"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 403), ("observer", 403), ("member", 403), ("officer", 201)],
)
def test_personas_create_invitation(cast, persona, expected):
    body = {"council": str(cast.riverside.uuid), "email": "p@example.org"}
    check(cast, persona, API, "post", "/api/v1/invitations", body, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 403), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_list_invitations(cast, persona, expected):
    check(cast, persona, API, "get", f"/api/v1/invitations?council={cast.riverside.uuid}", None, expected)


@pytest.mark.parametrize(
    "body",
    [{}, {"council": "not-a-uuid", "email": "x@example.org"}, {"council": None, "email": "x@example.org"}],
)
def test_api_invalid_invitation_is_422(cast, body):
    check_invalid(cast, API, "post", "/api/v1/invitations", body)


def test_api_bad_email_is_422(cast):
    body = {"council": str(cast.riverside.uuid), "email": "not an address"}
    response = check_invalid(cast, API, "post", "/api/v1/invitations", body)
    assert response.json()["code"] == "invalid_input"


def test_api_invitations_wrong_method(cast):
    check_wrong_method(cast, API, "/api/v1/invitations", "delete")


def test_web_and_api_write_the_same_record_entries(cast):
    cast.client(cast.alice).post(f"/councils/{cast.riverside.uuid}/invite/", {"email": "w@example.org"})
    cast.api(cast.alice).post(
        "/api/v1/invitations",
        {"council": str(cast.riverside.uuid), "email": "a@example.org"},
        content_type="application/json",
    )
    entries = [json.loads(e.data) for e in Entry.objects.filter(event="invitation.sent").order_by("id")]
    assert len(entries) == 2
    shapes = [(e["event"], e["actor"], e["council"], sorted(e["payload"])) for e in entries]
    assert shapes[0] == shapes[1]


# Withdrawing.


def test_officer_withdraws_an_invitation_and_its_link_stops_working(cast, raw):
    invitation = Invitation.objects.get()
    actions.revoke_invitation(actor=cast.alice, invitation_uuid=str(invitation.uuid), now=timezone.now())
    entry = Entry.objects.get(event="invitation.revoked")
    assert json.loads(entry.data)["payload"] == {
        "invitation": str(invitation.uuid),
        "council": str(cast.riverside.uuid),
    }
    page = cast.client(None).get(f"/invite/{raw}/")
    assert page.status_code == 410 and b"withdrawn" in page.content
    with pytest.raises(InvitationRevokedError):
        _accept(raw)
    with pytest.raises(ConflictError):
        actions.revoke_invitation(actor=cast.alice, invitation_uuid=str(invitation.uuid), now=timezone.now())


def test_a_used_invitation_cannot_be_withdrawn(cast, raw):
    _accept(raw)
    with pytest.raises(InvitationUsedError):
        actions.revoke_invitation(
            actor=cast.alice, invitation_uuid=str(Invitation.objects.get().uuid), now=timezone.now()
        )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 404), ("member", 404), ("officer", 204)],
)
def test_personas_withdraw_invitation(cast, raw, persona, expected):
    invitation = Invitation.objects.get()
    check(cast, persona, API, "delete", f"/api/v1/invitations/{invitation.uuid}", None, expected)
    assert (Invitation.objects.get().revoked_at is not None) == (expected == 204)


def test_withdraw_through_the_page(cast, raw):
    invitation = Invitation.objects.get()
    base = f"/councils/{cast.riverside.uuid}/invite/"
    url = f"{base}{invitation.uuid}/withdraw/"
    check(cast, "member", WEB, "post", url, None, 404)
    check_wrong_method(cast, WEB, url, "get")
    response = cast.client(cast.alice).post(url)
    assert response.status_code == 302 and response["Location"] == base
    assert b"withdrawn" in cast.client(cast.alice).get(base).content
    assert Invitation.objects.get().revoked_at is not None


def test_a_second_invitation_to_a_waiting_address_is_a_conflict(cast, raw):
    with pytest.raises(ConflictError):
        invite(cast, "NEW@example.org", now=timezone.now())
    actions.revoke_invitation(
        actor=cast.alice, invitation_uuid=str(Invitation.objects.get().uuid), now=timezone.now()
    )
    invite(cast, "new@example.org", now=timezone.now())
    assert Invitation.objects.count() == 2


def test_an_invitation_cannot_make_a_second_account_for_one_address(cast, raw):
    make_user("early", "Early Bird")
    User.objects.filter(username="early").update(email="new@example.org")
    with pytest.raises(ConflictError):
        _accept(raw)


def test_the_record_matches_an_invited_candidate(cast, raw):
    from councils.record.verification import verify_database

    _accept(raw)
    assert verify_database() == []
