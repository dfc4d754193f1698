"""Capture route: changing the constitution's rules without the qualified majority it sets for itself."""

import json

from django.utils import timezone

from councils.constitution.models import Amendment, ConstitutionVersion
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from councils.record.models import Entry
from tests.membership.support import adopt, make_national_body, payloads


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def run(vote, yes, no, now):
    for voter in yes:
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=now)
    for voter in no:
        motion_actions.cast_vote(actor=voter, vote=vote, choice="no", now=now)
    return motion_actions.close_vote(actor=None, vote=vote, now=now)


def test_changing_the_constitution_without_the_qualified_majority_is_refused(cast):
    adopt(cast)
    make_national_body(cast)  # alice (chair), erin and frank sit in the National Congress
    now = timezone.now()
    chair = cast.api(cast.alice)

    # A narrow majority wants to drop the two-thirds rule for discipline and for amendments.
    proposed = post(
        chair,
        "/api/v1/constitution/amendments",
        {
            "changes": {"discipline_threshold": "simple", "amendment_threshold": "simple"},
            "explanation": "Faster.",
        },
    ).json()
    motion = Motion.objects.get(uuid=proposed["motion"])
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=now)

    # 1. The chair opens the vote at a simple majority; it passes 2 to 1 and is still refused.
    simple = post(
        chair, f"/api/v1/motions/{motion.uuid}/votes", {"method": "named", "threshold": "simple"}
    ).json()
    result = run(motion.votes.get(uuid=simple["uuid"]), [cast.alice, cast.erin], [cast.frank], now)
    assert result.adopted
    [refused] = payloads("constitution.amendment_refused")
    assert refused["reason"] == (
        "The constitution requires two thirds of the votes cast to change it; "
        "this vote was held at a simple majority of the votes cast."
    )
    assert Amendment.objects.get(uuid=proposed["uuid"]).status == Amendment.Status.REFUSED

    # 2. Put properly at two thirds, the same proposal wins only 1 of 3 and is rejected.
    again = post(
        chair, "/api/v1/constitution/amendments", {"changes": {"discipline_threshold": "simple"}}
    ).json()
    again_motion = Motion.objects.get(uuid=again["motion"])
    motion_actions.second_motion(actor=cast.erin, motion=again_motion, now=now)
    opened = post(
        chair, f"/api/v1/constitution/amendments/{again['uuid']}/open-vote", {"method": "named"}
    ).json()
    assert opened["threshold"] == "two_thirds"
    run(again_motion.votes.get(uuid=opened["vote"]), [cast.alice], [cast.erin, cast.frank], now)
    assert payloads("constitution.amendment_rejected")

    # 3. A council below the top body "adopts" the new text for itself: refused.
    third = post(
        chair, "/api/v1/constitution/amendments", {"changes": {"discipline_threshold": "simple"}}
    ).json()
    amendment = Amendment.objects.get(uuid=third["uuid"])
    local = motion_actions.table_motion(
        actor=None,
        council=cast.riverside,
        title="Adopt the new rules here",
        text="Adopt them.",
        now=now,
        kind="constitution",
        subject_uuid=amendment.uuid,
    )
    local_vote = motion_actions.open_vote(
        actor=cast.alice, motion=local, now=now, method="named", threshold="two_thirds"
    )
    run(local_vote, [cast.alice, cast.bob, cast.erin, cast.frank], [], now)
    assert payloads("constitution.amendment_refused")[-1]["reason"] == (
        "Only the top council may change the constitution; this vote was held in a council below it."
    )

    # 4. There is no way to write a version directly.
    assert post(chair, "/api/v1/constitution/versions", {"document": {}}).status_code == 405

    # The constitution in force is still version 1 with its two-thirds rules.
    current = cast.api(cast.bob).get("/api/v1/constitution/current").json()
    assert current["version"] == 1
    assert current["document"]["discipline_threshold"] == "two_thirds"
    assert ConstitutionVersion.objects.count() == 1
    assert not Entry.objects.filter(event="constitution.amended").exists()
