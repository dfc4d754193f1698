from __future__ import annotations

import json

import pytest

from councils.federation.models import Council
from councils.motions import actions
from councils.record.models import Entry
from tests.motions.conftest import NOW

JSON = "application/json"


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type=JSON, headers=headers)


def test_member_tables_motion_through_api(cast):
    response = post(
        cast.api(cast.bob),
        "/api/v1/motions",
        {"council": str(cast.riverside.uuid), "title": "Canteen", "text": "Open a canteen."},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["text"], body["seconds_required"]) == ("draft", "Open a canteen.", 1)
    assert body["tabled_by"]["name"] == "Bob Novak"


def test_list_motions_of_a_council(cast, motion, django_assert_max_num_queries):
    client = cast.api(cast.carol)
    url = f"/api/v1/motions?council={cast.riverside.uuid}"
    with django_assert_max_num_queries(12):
        body = client.get(url).json()
    assert body["count"] == 1 and body["items"][0]["title"] == "Safety reps"
    assert body["items"][0]["seconds"] == 1


def test_list_query_count_does_not_grow_with_motions(cast, django_assert_max_num_queries):
    for i in range(15):
        actions.table_motion(actor=cast.bob, council=cast.riverside, title=f"M{i}", text="X", now=NOW)
    with django_assert_max_num_queries(12):
        assert cast.api(cast.bob).get(f"/api/v1/motions?council={cast.riverside.uuid}").json()["count"] == 15


def test_get_motion_shows_amendment_diff_seconders_and_votes(cast, motion):
    actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three safety reps.", now=NOW)
    actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    body = cast.api(cast.bob).get(f"/api/v1/motions/{motion.uuid}").json()
    assert body["state"] == "voting"
    assert body["seconders"] == [{"uuid": str(cast.erin.uuid), "name": "Erin Walsh"}]
    diff = body["amendments"][0]["diff"]
    assert {"op": "delete", "text": "two"} in diff and {"op": "insert", "text": "three"} in diff
    vote = body["votes"][0]
    assert vote["method"] == "named" and vote["live"] == {
        "yes": 0,
        "no": 0,
        "abstain": 0,
        "turnout": 0,
        "electorate": 4,
    }
    assert vote["me"] == {"eligible": True, "voted": False, "choice": None}


def test_outsider_of_federation_visible_council_reads_but_without_member_names(cast, motion):
    body = cast.api(cast.dave).get(f"/api/v1/motions/{motion.uuid}").json()
    assert body["title"] == "Safety reps"
    assert body["tabled_by"] is None and body["seconders"] is None


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_hidden_council_motion_is_404_for_outsider(cast, motion):
    for url in (f"/api/v1/motions/{motion.uuid}", f"/api/v1/motions?council={cast.riverside.uuid}"):
        response = cast.api(cast.dave).get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert post(cast.api(cast.dave), f"/api/v1/motions/{motion.uuid}/second").status_code == 404
    assert cast.api(None).get(f"/api/v1/motions/{motion.uuid}").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("post", "/second"),
        ("post", "/amendments"),
        ("post", "/votes"),
        ("post", "/forward"),
        ("post", "/withdraw"),
    ],
)
def test_anonymous_writes_are_401(cast, motion, method, suffix):
    response = post(cast.api(None), f"/api/v1/motions/{motion.uuid}{suffix}", {"text": "x"})
    assert response.status_code == 401


def test_observer_gets_403_on_writes(cast, motion):
    client = cast.api(cast.carol)
    assert post(client, f"/api/v1/motions/{motion.uuid}/amendments", {"text": "Other"}).status_code == 403
    assert post(client, f"/api/v1/motions/{motion.uuid}/votes").status_code == 403
    tabled = post(client, "/api/v1/motions", {"council": str(cast.riverside.uuid), "title": "T", "text": "X"})
    assert tabled.status_code == 403
    assert tabled.json()["detail"] == "You may not table a motion in Riverside Depot."
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    response = post(client, f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "yes"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_wrong_method_is_405(cast, motion):
    assert cast.api(cast.bob).get(f"/api/v1/motions/{motion.uuid}/second").status_code == 405
    assert cast.api(cast.bob).delete(f"/api/v1/motions/{motion.uuid}").status_code == 405


@pytest.mark.parametrize(
    "body",
    [{}, {"council": "nope", "title": "T", "text": "X"}, {"title": "T", "text": "X", "extra": 1}],
)
def test_invalid_motion_is_422(cast, body):
    response = post(cast.api(cast.bob), "/api/v1/motions", body)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_invalid_vote_settings_and_choice_are_422(cast, motion):
    alice = cast.api(cast.alice)
    assert post(alice, f"/api/v1/motions/{motion.uuid}/votes", {"threshold": "most"}).status_code == 422
    assert post(alice, f"/api/v1/motions/{motion.uuid}/votes", {"quorum": 99}).status_code == 422
    vote = post(alice, f"/api/v1/motions/{motion.uuid}/votes", {"method": "named"}).json()
    response = post(cast.api(cast.bob), f"/api/v1/motions/votes/{vote['uuid']}/cast", {"choice": "maybe"})
    assert response.status_code == 422


def test_full_named_vote_flow_with_idempotent_retry(cast, motion):
    alice, bob = cast.api(cast.alice), cast.api(cast.bob)
    opened = post(alice, f"/api/v1/motions/{motion.uuid}/votes", {"method": "named", "allow_change": False})
    assert opened.status_code == 201
    vote_url = f"/api/v1/motions/votes/{opened.json()['uuid']}"
    first = post(bob, f"{vote_url}/cast", {"choice": "yes"}, **{"Idempotency-Key": "retry-1"})
    again = post(bob, f"{vote_url}/cast", {"choice": "yes"}, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 200
    assert again.json()["repeated"] and again.json()["choice"] == "yes"
    assert post(bob, f"{vote_url}/cast", {"choice": "no"}).status_code == 409
    assert bob.get(vote_url).json()["live"]["yes"] == 1
    assert post(bob, f"{vote_url}/close").status_code == 403
    closed = post(alice, f"{vote_url}/close")
    assert closed.status_code == 200 and closed.json()["outcome"] == "adopted"
    roll = bob.get(f"{vote_url}/ballots").json()
    assert roll == {
        "items": [
            {"choice": "yes", "receipt": None, "voter": {"uuid": str(cast.bob.uuid), "name": "Bob Novak"}}
        ],
        "count": 1,
    }
    forwarded = post(alice, f"/api/v1/motions/{motion.uuid}/forward")
    assert forwarded.status_code == 200
    incoming = forwarded.json()
    assert incoming["council"]["name"] == "Eastside District"
    assert incoming["forwarded_from"]["council"]["name"] == "Riverside Depot"
    assert incoming["forwarded_from"]["result"]["yes"] == 1


def test_secret_vote_flow_answers_with_receipt_only(cast, motion):
    alice, bob = cast.api(cast.alice), cast.api(cast.bob)
    vote = post(alice, f"/api/v1/motions/{motion.uuid}/votes", {"method": "secret"}).json()
    assert vote["allow_change"] is False
    vote_url = f"/api/v1/motions/votes/{vote['uuid']}"
    answer = post(bob, f"{vote_url}/cast", {"choice": "no"}).json()
    assert answer["choice"] is None and answer["secret"] and len(answer["receipt"]) == 16
    assert "cannot be changed" in answer["note"]
    live = bob.get(vote_url).json()["live"]
    assert live == {"turnout": 1, "electorate": 4, "yes": None, "no": None, "abstain": None}
    assert bob.get(f"{vote_url}/ballots").json() == {"items": [], "count": 0}
    assert post(bob, f"{vote_url}/cast", {"choice": "yes"}).status_code == 409
    post(alice, f"{vote_url}/close")
    ballots = bob.get(f"{vote_url}/ballots").json()["items"]
    assert ballots == [{"choice": "no", "receipt": answer["receipt"], "voter": None}]


# What one cast costs: a live congress casts thousands at once. One statement reads whether the
# vote is still open, whether the voter is in its electorate and whether they still have a vote in
# the council; on PostgreSQL it also holds the vote against its close and queues the voter's own
# retries (SQLite has one writer at a time).
# The live tally is read after the commit and publishes counts or turnout, never names.
@pytest.mark.parametrize(
    ("method", "queries", "event"),
    [
        ("named", 8, {"type": "tally", "yes": 1, "no": 0, "abstain": 0, "turnout": 1, "electorate": 4}),
        ("secret", 9, {"type": "turnout", "turnout": 1, "electorate": 4}),
    ],
)
def test_cast_query_count_is_pinned(
    cast,
    motion,
    method,
    queries,
    event,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    local_broker,
):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method=method)
    bob, vote_url = cast.api(cast.bob), f"/api/v1/motions/votes/{vote.uuid}"
    assert bob.get(vote_url).status_code == 200  # the token's first use, which marks it used
    with django_assert_num_queries(queries), django_capture_on_commit_callbacks() as callbacks:
        answer = post(bob, f"{vote_url}/cast", {"choice": "yes"})
    assert answer.status_code == 200 and not answer.json()["repeated"]
    published = []
    unsubscribe = local_broker.subscribe(actions.vote_channel(vote), lambda _, e: published.append(e))
    try:
        with django_assert_num_queries(1):
            callbacks[-1]()  # the tally, registered last (after a secret cast's batch flush)
    finally:
        unsubscribe()
    assert published == [event]


def test_open_votes_of_the_caller(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    body = cast.api(cast.bob).get("/api/v1/motions/open-votes").json()
    assert [v["uuid"] for v in body["items"]] == [str(vote.uuid)]
    assert cast.api(cast.dave).get("/api/v1/motions/open-votes").json()["count"] == 0
    assert cast.api(None).get("/api/v1/motions/open-votes").status_code == 401


def test_second_amend_and_withdraw_through_api(cast):
    motion = actions.table_motion(actor=cast.bob, council=cast.riverside, title="T", text="One two", now=NOW)
    seconded = post(cast.api(cast.erin), f"/api/v1/motions/{motion.uuid}/second")
    assert seconded.status_code == 200 and seconded.json()["state"] == "seconded"
    amended = post(cast.api(cast.frank), f"/api/v1/motions/{motion.uuid}/amendments", {"text": "One three"})
    assert amended.status_code == 201 and amended.json()["amends"] == str(motion.uuid)
    withdrawn = post(cast.api(cast.bob), f"/api/v1/motions/{motion.uuid}/withdraw")
    assert withdrawn.json()["state"] == "withdrawn"
    assert post(cast.api(cast.bob), f"/api/v1/motions/{motion.uuid}/withdraw").status_code == 409


def test_an_amendment_that_lapsed_with_its_motion_is_lapsed_not_withdrawn(cast, motion):
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three.", now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    body = cast.api(cast.bob).get(f"/api/v1/motions/{amendment.uuid}").json()
    assert body["state"] == "lapsed" and body["state_label"] == "Lapsed with its motion"
    assert body["decided_at"] is None


def test_api_and_actions_write_identical_record_entries(cast):
    post(
        cast.api(cast.bob),
        "/api/v1/motions",
        {"council": str(cast.riverside.uuid), "title": "T", "text": "X"},
    )
    via_api = json.loads(bytes(Entry.objects.filter(event="motion.tabled").latest("id").data))
    actions.table_motion(actor=cast.bob, council=cast.riverside, title="T", text="X", now=NOW)
    direct = json.loads(bytes(Entry.objects.filter(event="motion.tabled").latest("id").data))
    # Each entry has its own time, motion and random nonce; everything else is the same.
    for document in (via_api, direct):
        assert len(document.pop("nonce")) == 32
        document.pop("at", None)
        document["payload"].pop("motion")
    assert via_api == direct
