"""A person's own data: seeing everything kept about them, and its erasure once they have left."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from councils.accounts import actions
from councils.accounts.models import ApiToken, User
from councils.accounts.tokens import create_token
from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.ledger.replay import Item, replay
from councils.federation.models import Membership
from councils.membership import actions as membership_actions
from councils.membership.models import Defence, DisciplineCase
from councils.motions import actions as motion_actions
from councils.record.actions import reveal_personal
from councils.record.models import PersonalDatum
from councils.record.sequencer import sequence_pending
from councils.record.verification import verify_database
from tests.conftest import PASSWORD
from tests.membership.support import NOW, adopt, payloads, seat, vote_through
from tests.record.support import documents, find, verify_forged, verify_genuine

HEARING = NOW + timedelta(days=15)
LATER = HEARING + timedelta(days=40)
CHARGES = "Passed the strike plan to management."
DEFENCE = "I did not; the plan leaked from the notice board."


@pytest.fixture
def expelled(cast):
    """Frank, charged, heard and expelled by his council; the case is over and he is no longer a member.

    Before, he voted against a motion by name: his named votes are among what is kept about him.
    """
    adopt(cast)
    motion = motion_actions.table_motion(
        actor=cast.alice, council=cast.riverside, title="Ban overtime", text="No overtime.", now=NOW
    )
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    ban = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    vote_through(ban, yes=[cast.alice, cast.bob, cast.erin], no=[cast.frank], now=NOW)
    case = membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges=CHARGES,
        penalty="expulsion",
        hearing_at=HEARING,
        now=NOW,
    )
    membership_actions.submit_defence(
        actor=cast.frank,
        case=case,
        statement=DEFENCE,
        evidence=[{"title": "Photo", "url": "https://example.org/board.jpg"}],
        now=NOW + timedelta(days=1),
    )
    membership_actions.record_hearing(actor=cast.alice, case=case, notes="Both sides heard.", now=HEARING)
    vote = membership_actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    # Bob brought the charges and Frank answers them: neither votes on the case.
    vote_through(vote, yes=[cast.alice, cast.erin], now=HEARING)
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.UPHELD
    create_token(user=cast.frank, name="laptop", now=NOW)
    return cast


def _commitments() -> list[str]:
    return [
        payloads("discipline.charged")[0]["charges"],
        payloads("discipline.defence_submitted")[0]["statement"],
        payloads("discipline.heard")[0]["notes"],
    ]


def test_a_current_member_an_officer_and_a_delegate_are_refused_with_the_reason(cast):
    with pytest.raises(ConflictError, match="still a member of Riverside") as refused:
        actions.erase_person(actor=None, person=cast.alice, reason="asked", now=NOW)
    assert "office of chair" in refused.value.message
    with pytest.raises(ConflictError, match="They sit for Riverside"):
        actions.erase_person(actor=None, person=cast.bob, reason="asked", now=NOW)
    with pytest.raises(ConflictError, match="Your data cannot be erased yet: You are still a member"):
        actions.erase_person(actor=cast.bob, person=cast.bob, reason="asked", password=PASSWORD, now=NOW)
    assert User.objects.get(id=cast.alice.id).username == "alice"


def test_an_unfinished_case_is_refused(cast):
    adopt(cast)
    case = membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges=CHARGES,
        penalty="expulsion",
        hearing_at=HEARING,
        now=NOW,
    )
    with pytest.raises(ConflictError, match="discipline case in Riverside Depot is not finished"):
        actions.erase_person(actor=None, person=cast.frank, reason="asked", now=NOW)
    assert (
        case.charges == CHARGES and reveal_personal(payloads("discipline.charged")[0]["charges"]) == CHARGES
    )


def test_erasure_deletes_the_case_texts_and_anonymises_the_account(expelled):
    frank = expelled.frank
    commitments = _commitments()
    assert all(reveal_personal(c) for c in commitments)
    erased = actions.erase_person(actor=None, person=frank, reason="the member asked", now=LATER)
    assert all(reveal_personal(c) is None for c in commitments)
    case = DisciplineCase.objects.get(membership__user=frank)
    assert (case.charges, case.hearing_notes, case.texts_erased_at) == ("", "", LATER)
    assert list(Defence.objects.filter(case=case).values_list("statement", "evidence")) == [("", [])]
    erased.refresh_from_db()
    assert erased.username.startswith("erased-") and erased.uuid == frank.uuid
    assert (erased.display_name, erased.email, erased.first_name, erased.is_active) == ("", "", "", False)
    assert not erased.has_usable_password() and not ApiToken.objects.filter(user=erased).exists()
    # What stays: the membership's history, the case, its decision and every other commitment.
    assert Membership.objects.get(user=erased).status == Membership.Status.EXPELLED
    assert case.status == DisciplineCase.Status.UPHELD
    [entry] = payloads("person.erased")
    assert entry == {
        "person": str(frank.uuid),
        "commitments": sorted(commitments),
        "reason": "the member asked",
    }
    assert not PersonalDatum.objects.filter(commitment__in=commitments).exists()


def test_the_api_says_when_a_cases_texts_were_erased(expelled):
    case = DisciplineCase.objects.get(membership__user=expelled.frank)
    appeal = membership_actions.lodge_appeal(
        actor=expelled.frank, case=case, grounds="The evidence was ignored.", now=HEARING + timedelta(days=1)
    )
    # Bob, who brought the charges, sits in the district but does not vote on the appeal: Erin does.
    seat(expelled, from_council=expelled.riverside, users=[expelled.erin])
    vote = membership_actions.call_appeal_vote(
        actor=None, appeal=appeal, now=HEARING + timedelta(days=2), method="named"
    )
    motion_actions.cast_vote(actor=expelled.erin, vote=vote, choice="no", now=HEARING + timedelta(days=3))
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    url = f"/api/v1/membership/cases/{case.uuid}"
    before = expelled.api(expelled.alice).get(url).json()
    assert (before["charges"], before["texts_erased_at"]) == (CHARGES, None)
    assert before["appeals"][0]["texts_erased_at"] is None
    actions.erase_person(actor=None, person=expelled.frank, reason="the member asked", now=LATER)
    after = expelled.api(expelled.alice).get(url).json()
    assert (after["charges"], after["hearing_notes"]) == ("", "")
    assert after["texts_erased_at"] == LATER.isoformat().replace("+00:00", "Z")
    [erased_appeal] = after["appeals"]
    assert (erased_appeal["grounds"], erased_appeal["texts_erased_at"]) == ("", after["texts_erased_at"])


def test_erasure_needs_a_reason_and_the_persons_own_password(expelled):
    with pytest.raises(InvalidInputError, match="Say why"):
        actions.erase_person(actor=None, person=expelled.frank, reason=" ", now=LATER)
    with pytest.raises(PermissionDeniedError):
        actions.erase_person(
            actor=expelled.alice, person=expelled.frank, reason="x", password=PASSWORD, now=LATER
        )
    with pytest.raises(InvalidInputError, match="password is not right"):
        actions.erase_person(
            actor=expelled.frank, person=expelled.frank, reason="x", password="no", now=LATER
        )
    actions.erase_person(actor=None, person=expelled.frank, reason="asked", now=LATER)
    with pytest.raises(ConflictError, match="already been erased"):
        actions.erase_person(actor=None, person=expelled.frank, reason="asked", now=LATER)


def test_the_record_still_verifies_and_replays_after_an_erasure(expelled):
    actions.erase_person(actor=None, person=expelled.frank, reason="the member asked", now=LATER)
    assert verify_database() == []
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    call_command("verify_record", stdout=StringIO())


def test_the_replay_catches_an_erasure_of_a_member_or_of_someone_elses_texts(expelled):
    actions.erase_person(actor=None, person=expelled.frank, reason="the member asked", now=LATER)
    docs = documents()
    erased = docs[find(docs, "person.erased")]
    erased["payload"]["person"] = str(expelled.alice.uuid)
    problems = verify_forged(docs).problems
    assert any("still a member" in p for p in problems)
    assert any("not a text of their own case" in p for p in problems)


def test_the_replay_catches_an_erasure_during_an_open_case():
    def item(index: int, event: str, payload: dict[str, object], actor: str = "a") -> Item:
        return Item(index, event, actor, "c", "2026-03-01T09:00:00Z", payload)

    result = replay(
        [
            item(0, "discipline.charged", {"case": "k", "member": "m", "charges": "sha256:1"}),
            item(1, "person.erased", {"person": "m", "commitments": ["sha256:1"], "reason": "x"}, None),
        ]
    )
    assert any("case k was not finished" in p.message for p in result.problems)


def test_the_command_erases_after_confirmation_and_refuses_clearly(expelled, monkeypatch):
    with pytest.raises(CommandError, match="No account has the username 'nobody'"):
        call_command("erase_person", "nobody", reason="asked", yes=True)
    with pytest.raises(CommandError, match="still a member"):
        call_command("erase_person", "alice", reason="asked", yes=True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_person", "frank", reason="asked")
    assert User.objects.filter(username="frank").exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "frank")
    out = StringIO()
    call_command("erase_person", "frank", reason="asked", stdout=out)
    assert "cannot log in" in out.getvalue()
    assert not User.objects.filter(username="frank").exists()


def test_the_data_page_shows_everything_and_downloads_it(expelled):
    sequence_pending()
    client = expelled.client(expelled.frank)
    page = client.get("/account/data/")
    assert page.status_code == 200
    text = page.content.decode()
    assert CHARGES in text and DEFENCE in text and "laptop" in text and "Erase my personal data" in text
    # The page is for a person to read: labels, words and dates, not the download's keys and codes.
    assert (
        "<dt>Name shown</dt><dd>Frank Costa</dd>" in text
        and "<dt>Two-factor authentication</dt><dd>Off</dd>" in text
    )
    assert "Riverside Depot: Expelled, March 1, 2026 – March 16, 2026" in text
    assert "Expulsion sought, Charges upheld" in text
    assert (
        "Riverside Depot: <a" in text and "Ban overtime</a> — you voted No, March 1, 2026, 9 a.m. UTC" in text
    )
    assert "E-mail digest: Weekly" in text
    for raw in ("display_name", "has_totp", "expelled", ": expulsion", "T09:00:00"):
        assert raw not in text
    download = client.get("/account/data.json")
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(download.content)
    assert data["account"]["email"] == "frank@example.org"
    assert [m["status"] for m in data["memberships"]] == ["expelled"]
    assert data["cases"][0]["charges"] == CHARGES
    assert data["tokens"][0]["name"] == "laptop" and "key_hash" not in data["tokens"][0]
    assert data["named_votes"][0]["choice"] == "no"
    named = [d for d in documents() if str(expelled.frank.uuid) in json.dumps(d)]
    assert len(data["record_entries"]) == len(named) > 0


def test_a_member_sees_why_they_cannot_erase_yet(cast):
    page = cast.client(cast.alice).get("/account/data/").content.decode()
    assert "You are still a member of Riverside Depot (Member)." in page
    assert "You hold the office of chair of Riverside Depot." in page
    assert "They " not in page
    assert 'action="/account/data/erase/"' not in page
    refused = cast.client(cast.alice).post("/account/data/erase/", {"password": PASSWORD, "confirm": "on"})
    assert refused.status_code == 409
    assert "You are still a member of Riverside Depot" in refused.content.decode()
    delegate = cast.client(cast.bob).get("/account/data/").content.decode()
    assert "You sit for Riverside Depot in Eastside District." in delegate


def test_a_former_member_erases_their_own_data_and_is_logged_out(expelled):
    client = expelled.client(expelled.frank)
    wrong = client.post("/account/data/erase/", {"password": "wrong", "confirm": "on"})
    assert wrong.status_code == 422 and "password is not right" in wrong.content.decode()
    unconfirmed = client.post("/account/data/erase/", {"password": PASSWORD})
    assert unconfirmed.status_code == 422
    done = client.post("/account/data/erase/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    assert not Session.objects.exists()
    assert client.get("/account/data/").status_code == 302
    case = DisciplineCase.objects.get()
    page = expelled.client(expelled.alice).get(f"/membership/cases/{case.uuid}/")
    assert page.status_code == 200
    assert "Erased at the member" in page.content.decode() and CHARGES not in page.content.decode()


def test_the_api_returns_my_data(expelled):
    response = expelled.api(expelled.frank).get("/api/v1/me/data")
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["uuid"] == str(expelled.frank.uuid)
    assert data["cases"][0]["defences"][0]["statement"] == DEFENCE
    # Times as everywhere in the API: UTC, with a Z, to the microsecond.
    membership = data["memberships"][0]
    kept = expelled.frank.memberships.get(uuid=membership["uuid"])
    assert membership["joined_at"].endswith("Z")
    assert datetime.fromisoformat(membership["joined_at"]) == kept.joined_at
    assert expelled.api(None).get("/api/v1/me/data").status_code == 401


def test_the_data_page_names_each_petition_signed_and_links_to_it(cast, rules):
    """The download names a petition by its UUID; the page says what it asked for."""
    from councils.federation.models import Seat
    from councils.mandates.actions import start_recall
    from councils.petitions.actions import start_agenda_petition

    agenda = start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Heat in the depot", text="Too hot.", now=NOW
    )
    recall = start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    page = cast.client(cast.erin).get("/account/data/").content.decode()
    assert (
        f'Agenda petition, Riverside Depot: <a href="/petitions/{agenda.uuid}/">Heat in the depot</a>' in page
    )
    assert (
        f'Recall petition, Riverside Depot: <a href="/mandates/recalls/{recall.uuid}/">'
        "Recall of Bob Novak</a>" in page
    )
