from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from councils.core.tally import count
from councils.core.tally.blt import parse_text
from councils.elections.models import Election
from councils.federation.models import Council, Membership, Seat
from councils.membership import actions as membership_actions
from councils.record.models import Entry
from tests.conftest import NOW

BASE = "/api/v1/elections"


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def call(cast, **extra):
    body = {"council": str(cast.riverside.uuid), "kind": "delegates", **extra}
    response = post(cast.api(cast.alice), BASE, body)
    assert response.status_code == 201, response.content
    return response.json()


def nominate(cast, election, who, by=None):
    response = post(
        cast.api(by or who), f"{BASE}/{election['uuid']}/nominations", {"candidate": str(who.uuid)}
    )
    assert response.status_code == 201, response.content
    return response.json()


def open_poll(client, election, closes_at=None):
    """Open the poll, by default for an hour from now."""
    closes_at = closes_at or timezone.now() + timedelta(hours=1)
    response = post(client, f"{BASE}/{election['uuid']}/open", {"closes_at": closes_at.isoformat()})
    assert response.status_code == 200, response.content
    return response


def test_chair_runs_an_election_end_to_end(cast):
    election = call(cast)
    assert election["seats"] == 2 and election["status"] == "nominating"
    bob = nominate(cast, election, cast.bob)
    erin = nominate(cast, election, cast.erin, by=cast.frank)
    assert not erin["accepted"]
    response = post(cast.api(cast.erin), f"{BASE}/{election['uuid']}/nominations/{erin['uuid']}/accept")
    assert response.status_code == 200 and response.json()["standing"]
    frank = nominate(cast, election, cast.frank)
    opened = open_poll(cast.api(cast.alice), election).json()
    assert opened["status"] == "voting" and opened["electorate_size"] == 4
    assert datetime.fromisoformat(opened["closes_at"]) > timezone.now()
    for voter, ranking in [
        (cast.alice, [bob, erin]),
        (cast.bob, [bob]),
        (cast.erin, [erin, frank]),
        (cast.frank, [erin, bob]),
    ]:
        response = post(
            cast.api(voter), f"{BASE}/{election['uuid']}/ballot", {"ranking": [c["uuid"] for c in ranking]}
        )
        assert response.status_code == 201, response.content
    detail = cast.api(cast.bob).get(f"{BASE}/{election['uuid']}").json()
    assert detail["turnout"] == 4 and detail["you"] == {
        "is_elector": True,
        "has_voted": True,
        "may_nominate": True,
        "may_run": False,
    }
    closed = post(cast.api(cast.alice), f"{BASE}/{election['uuid']}/close").json()
    assert closed["status"] == "closed" and closed["seed"]
    results = cast.api(cast.carol).get(f"{BASE}/{election['uuid']}/results").json()
    assert set(results["named"]["elected"]) == {"Bob Novak", "Erin Walsh"}
    blt = cast.api(None).get(f"{BASE}/{election['uuid']}/ballots.blt")
    assert blt.status_code == 403 or blt.status_code == 404  # federation council: hidden from anonymous
    blt = cast.api(cast.dave).get(f"{BASE}/{election['uuid']}/ballots.blt")
    assert blt.status_code == 200 and blt["Content-Type"].startswith("text/plain")
    again = count(parse_text(blt.content.decode()).election, method=results["method"], seed=results["seed"])
    assert again.to_json() == results["count"]
    csv = cast.api(cast.bob).get(f"{BASE}/{election['uuid']}/stages.csv")
    assert csv.status_code == 200 and "Bob Novak" in csv.content.decode().splitlines()[0]
    certified = post(cast.api(cast.alice), f"{BASE}/{election['uuid']}/certify").json()
    assert certified["status"] == "certified"
    sitting = {s.user.username for s in Seat.objects.filter(council=cast.district, ended_at__isnull=True)}
    assert sitting == {"bob", "erin"}


def test_anonymous_gets_401_on_writes(cast):
    election = call(cast)
    anonymous = cast.api(None)
    assert (
        post(anonymous, BASE, {"council": str(cast.riverside.uuid), "kind": "delegates"}).status_code == 401
    )
    for path in ("nominations", "open", "ballot", "close", "certify"):
        assert post(anonymous, f"{BASE}/{election['uuid']}/{path}").status_code == 401


def test_observer_and_outsider_get_403_on_writes(cast):
    election = call(cast)
    for who in (cast.carol, cast.dave):
        client = cast.api(who)
        body = {"council": str(cast.riverside.uuid), "kind": "delegates"}
        assert post(client, BASE, body).status_code == 403
        response = post(client, f"{BASE}/{election['uuid']}/nominations", {"candidate": str(who.uuid)})
        assert response.status_code == 403
        body = {"closes_at": (timezone.now() + timedelta(hours=1)).isoformat()}
        assert post(client, f"{BASE}/{election['uuid']}/open", body).status_code == 403


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_hidden_council_election_is_404_for_outsider(cast):
    election = call(cast)
    assert cast.api(cast.dave).get(f"{BASE}/{election['uuid']}").status_code == 404
    assert cast.api(cast.dave).get(f"{BASE}?council={cast.riverside.uuid}").status_code == 404
    assert cast.api(cast.carol).get(f"{BASE}/{election['uuid']}").status_code == 200
    assert cast.api(cast.alice).get(f"{BASE}/{uuid.uuid4()}").status_code == 404


def test_wrong_method_is_405(cast):
    election = call(cast)
    assert cast.api(cast.alice).delete(f"{BASE}/{election['uuid']}").status_code == 405
    assert cast.api(cast.alice).get(f"{BASE}/{election['uuid']}/open").status_code == 405


def test_invalid_input_is_422(cast):
    client = cast.api(cast.alice)
    assert post(client, BASE, {"council": str(cast.riverside.uuid)}).status_code == 422
    assert post(client, BASE, {"council": str(cast.riverside.uuid), "kind": "mayor"}).status_code == 422
    response = post(client, BASE, {"council": str(cast.riverside.uuid), "kind": "delegates", "seats": 9})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    election = call(cast)
    response = post(client, f"{BASE}/{election['uuid']}/nominations", {"candidate": str(cast.dave.uuid)})
    assert response.status_code == 422
    response = post(client, f"{BASE}/{election['uuid']}/nominations", {"candidate": "not-a-uuid"})
    assert response.status_code == 422
    nominate(cast, election, cast.bob)
    open_poll(client, election)
    response = post(client, f"{BASE}/{election['uuid']}/ballot", {"ranking": [str(uuid.uuid4())]})
    assert response.status_code == 422


def test_second_ballot_and_early_results_are_409(cast):
    election = call(cast)
    bob = nominate(cast, election, cast.bob)
    client = cast.api(cast.alice)
    assert client.get(f"{BASE}/{election['uuid']}/results").status_code == 409
    assert client.get(f"{BASE}/{election['uuid']}/ballots.blt").status_code == 409
    open_poll(client, election)
    assert post(client, f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]}).status_code == 201
    response = post(client, f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]})
    assert response.status_code == 409 and response.json()["code"] == "already_voted"


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_public_council_elections_are_readable_without_login(cast):
    election = call(cast)
    assert cast.api(None).get(f"{BASE}/{election['uuid']}").status_code == 200
    body = cast.api(None).get(f"{BASE}?council={cast.riverside.uuid}").json()
    assert body["count"] == 1


def test_list_query_count_is_flat(cast, django_assert_max_num_queries):
    for _ in range(5):
        call(cast, kind="office", role="secretary")
    client = cast.api(cast.bob)
    with django_assert_max_num_queries(12):
        body = client.get(f"{BASE}?council={cast.riverside.uuid}").json()
    assert body["count"] == 5


def test_cast_writes_no_choice_to_the_record(cast):
    election = call(cast)
    bob = nominate(cast, election, cast.bob)
    client = cast.api(cast.alice)
    open_poll(client, election)
    post(client, f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]})
    entry = Entry.objects.get(event="election.ballot_cast")
    assert bob["uuid"] not in bytes(entry.data).decode()
    assert Election.objects.get(uuid=election["uuid"]).status == "voting"


@pytest.mark.parametrize("kind", ["delegates", "office"])
def test_parity_web_and_api_write_the_same_entries(cast, kind):
    # The web form and the API call the same action; compare the recorded payload shapes.
    extra = {"role": "secretary"} if kind == "office" else {}
    call(cast, kind=kind, **extra)
    response = cast.client(cast.alice).post(
        f"/elections/call/{cast.riverside.uuid}/", {"kind": kind, "seats": "", "method": "", **extra}
    )
    assert response.status_code == 302
    api_entry, web_entry = (json.loads(bytes(e.data)) for e in Entry.objects.filter(event="election.called"))
    assert set(api_entry["payload"]) == set(web_entry["payload"])
    assert {k: v for k, v in api_entry["payload"].items() if k != "election"} == {
        k: v for k, v in web_entry["payload"].items() if k != "election"
    }


def test_retry_with_the_same_idempotency_key_is_answered_not_refused(cast):
    election = call(cast)
    bob = nominate(cast, election, cast.bob)
    client = cast.api(cast.alice)
    open_poll(client, election)
    path, body = f"{BASE}/{election['uuid']}/ballot", json.dumps({"ranking": [bob["uuid"]]})
    first = client.post(path, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = client.post(path, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    other = client.post(path, body, content_type="application/json", headers={"Idempotency-Key": "k2"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert Entry.objects.filter(event="election.ballot_cast").count() == 1


def test_certifying_a_winner_who_is_no_longer_a_member_counts_back(cast, monkeypatch):
    election = call(cast, seats=1)
    erin = nominate(cast, election, cast.erin)
    client = cast.api(cast.alice)
    # Acting at the closing time the API gave, to the microsecond as stored.
    closes_at = datetime.fromisoformat(open_poll(client, election).json()["closes_at"])
    post(cast.api(cast.erin), f"{BASE}/{election['uuid']}/ballot", {"ranking": [erin["uuid"]]})
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    assert post(client, f"{BASE}/{election['uuid']}/close").status_code == 200
    membership_actions.leave_membership(
        actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=NOW
    )
    response = post(client, f"{BASE}/{election['uuid']}/certify")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["failure_reason"]) == ("failed", "no_candidates")
    # Erin was the only candidate: the recount has nobody to elect, so the election fails.
    recounted = json.loads(bytes(Entry.objects.get(event="election.recounted").data))["payload"]
    assert recounted["withdrawn"][0]["candidacy"] == erin["uuid"] and recounted["elected"] == []
    assert Entry.objects.filter(event="election.failed").exists()
    assert not Election.objects.filter(is_by_election=True).exists()
    response = post(client, f"{BASE}/{election['uuid']}/certify")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The election failed: every candidate withdrew or was withdrawn, so nobody was elected."
    )
    # The count of the close and the countback's recount stay published.
    assert client.get(f"{BASE}/{election['uuid']}/results").json()["count"]["elected"] == []


def test_the_poll_needs_a_closing_time_the_rules_allow(cast):
    election = call(cast)
    nominate(cast, election, cast.bob)
    client, path = cast.api(cast.alice), f"{BASE}/{election['uuid']}/open"
    assert post(client, path).status_code == 422
    # A time without its zone could be read two ways, so it is refused.
    assert post(client, path, {"closes_at": "2030-01-01T18:00:00"}).status_code == 422
    soon = timezone.now() + timedelta(minutes=5)
    response = post(client, path, {"closes_at": soon.isoformat()})
    assert response.status_code == 422 and response.json()["code"] == "closing_time"
    assert "at least 15 minutes" in response.json()["detail"]
    assert Election.objects.get(uuid=election["uuid"]).status == "nominating"


def test_ballot_after_the_closing_time_and_early_close_are_409(cast, monkeypatch):
    election = call(cast)
    bob = nominate(cast, election, cast.bob)
    client = cast.api(cast.alice)
    # Acting at the closing time the API gave, to the microsecond as stored.
    closes_at = datetime.fromisoformat(open_poll(client, election).json()["closes_at"])
    assert post(client, f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]}).status_code == 201
    response = post(client, f"{BASE}/{election['uuid']}/close")
    assert response.status_code == 409 and response.json()["code"] == "poll_still_open"
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    response = post(cast.api(cast.bob), f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]})
    assert response.status_code == 409 and response.json()["detail"] == "Voting time is over."
    assert response.json()["code"] == "voting_time_over"


def test_a_poll_closed_with_no_ballot_is_listed_as_failed(cast, monkeypatch):
    election = call(cast)
    bob = nominate(cast, election, cast.bob)
    client = cast.api(cast.alice)
    # Acting at the closing time the API gave, to the microsecond as stored.
    closes_at = datetime.fromisoformat(open_poll(client, election).json()["closes_at"])
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    response = post(client, f"{BASE}/{election['uuid']}/close")
    assert response.status_code == 200
    assert response.json()["status"] == "failed" and response.json()["ballot_count"] == 0
    assert response.json()["failure_reason"] == "no_ballots"
    listed = client.get(BASE, {"council": str(cast.riverside.uuid)}).json()["items"]
    assert [(e["status"], e["failure_reason"]) for e in listed if e["uuid"] == election["uuid"]] == [
        ("failed", "no_ballots")
    ]
    response = post(cast.api(cast.bob), f"{BASE}/{election['uuid']}/ballot", {"ranking": [bob["uuid"]]})
    assert response.status_code == 409 and response.json()["code"] == "election_state"
    assert response.json()["detail"] == "The election failed: no ballots were cast, so nobody was elected."
    response = client.get(f"{BASE}/{election['uuid']}/results")
    assert response.status_code == 409 and response.json()["code"] == "election_state"


def test_a_member_who_may_not_run_the_election_is_refused_before_its_stage_is_told(cast):
    election = call(cast)
    nominate(cast, election, cast.bob)
    frank = nominate(cast, election, cast.frank, by=cast.bob)
    open_poll(cast.api(cast.alice), election)
    base = f"{BASE}/{election['uuid']}"
    bob, erin = cast.api(cast.bob), cast.api(cast.erin)
    # Bob is a voter but no officer: every officer's step is refused as such, whatever the stage.
    for path, body in [
        ("certify", None),
        ("close", None),
        ("open", {"closes_at": (timezone.now() + timedelta(hours=2)).isoformat()}),
        ("nominations", {"candidate": str(cast.erin.uuid)}),
    ]:
        response = post(bob, f"{base}/{path}", body)
        if path == "nominations":
            # Nominating is every voter's right: only then does the stage refuse it.
            assert response.status_code == 409, (path, response.content)
            continue
        assert response.status_code == 403, (path, response.content)
        assert response.json()["code"] == "permission_denied"
        assert "voting" not in response.json()["detail"].lower()
    # Only Frank may answer his nomination, open or not.
    response = post(erin, f"{base}/nominations/{frank['uuid']}/accept")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the candidate may answer their nomination."
    # The officer is told the stage in a sentence.
    response = post(cast.api(cast.alice), f"{base}/certify")
    assert response.status_code == 409 and response.json()["code"] == "election_state"
    assert response.json()["detail"] == "Voting in this election is open."
    response = post(bob, f"{base}/nominations", {"candidate": str(cast.erin.uuid)})
    assert response.json()["detail"] == "Voting in this election is open."


def test_a_nomination_of_someone_outside_the_council_names_nobody(cast):
    # Dave's UUID is in the record's public entries of Harbour Works, whose members Bob may not see: a
    # nomination of him is refused as one of nobody at all, without his name.
    election = call(cast)
    client = cast.api(cast.bob)
    refusals = []
    for who in (str(cast.dave.uuid), str(uuid.uuid4())):
        response = post(client, f"{BASE}/{election['uuid']}/nominations", {"candidate": who})
        assert response.status_code == 422
        refusals.append(response.json()["detail"])
    assert refusals == ["That person is not a voter of Riverside Depot."] * 2
    page = cast.client(cast.bob).post(
        f"/elections/{election['uuid']}/nominate/", {"candidate": cast.dave.uuid}
    )
    assert page.status_code == 422
    assert "Dave Okafor" not in page.content.decode()
    assert "That person is not a voter of Riverside Depot." in page.content.decode()
