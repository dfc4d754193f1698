"""Capture route: an apparatus making councils by decree and packing them with members it moves."""

import json

from django.utils import timezone

from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership, Office
from councils.membership.models import Formation
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from tests.membership.support import adopt, payloads
from tests.record.support import documents, verify_forged, verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_a_council_cannot_be_made_by_decree(cast):
    adopt(cast)
    now = timezone.now()
    # Carol chairs the district but is a member of no council below it; Alice chairs Riverside and
    # sits in the district's chair too.
    for officer in (cast.carol, cast.alice):
        federation_actions.appoint_founding_officer(
            actor=None, council=cast.district, user=officer, role=Office.Role.CHAIR, now=now
        )
    body = {"name": "Loyal Branch", "reason": "We need a reliable council."}
    url = f"/api/v1/councils/{cast.district.uuid}/formations"

    # No endpoint creates a council outright.
    assert post(cast.api(cast.carol), "/api/v1/councils", body).status_code in (404, 405)
    # An officer who is not a member below the council cannot propose one.
    refused = post(cast.api(cast.carol), url, body)
    assert refused.status_code == 409 and "Only a member of a base council" in refused.json()["detail"]

    # Alice, a member below, can propose, but she names no one else: nobody is moved without signing.
    made = post(cast.api(cast.alice), url, body)
    assert made.status_code == 201
    formation = Formation.objects.get(uuid=made.json()["uuid"])
    assert [f["name"] for f in made.json()["founders"]] == ["Alice Adeyemi"]
    # The district's vote is the only way to form it: she rushes it with the one delegate she has.
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=now, method="named")
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=now)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=now)
    formation.refresh_from_db()
    # Carried, but one founder is fewer than the constitution's three: nothing is formed, nobody moves.
    assert formation.status == Formation.Status.REFUSED
    assert not Council.objects.filter(name="Loyal Branch").exists()
    assert Membership.objects.get(user=cast.alice, ended_at__isnull=True).council == cast.riverside
    [refused_entry] = payloads("council.formation_refused")
    assert "the constitution requires at least 3" in refused_entry["reason"]
    assert verify_genuine().problems == []

    # A server that forged the council and its members into the record anyway is caught by any verifier.
    docs = documents()
    [closed] = [d for d in docs if d["event"] == "council.formation_refused"]
    created = {
        **closed,
        "event": "council.created",
        "payload": {
            "council": "forged-council",
            "name": "Loyal Branch",
            "kind": "workplace",
            "is_base": True,
            "parent": str(cast.district.uuid),
        },
    }
    # It hands the new council's chair to its own officer, Carol, for a year.
    chaired = {
        **closed,
        "event": "office.filled",
        "council": "forged-council",
        "payload": {"office": "forged-office", "role": "chair", "holder": str(cast.carol.uuid)},
    }
    formed = {
        **closed,
        "event": "council.formed",
        "payload": {
            "formation": str(formation.uuid),
            "motion": "another-motion",
            "council": "forged-council",
            "founders": [str(cast.alice.uuid), str(cast.erin.uuid), str(cast.frank.uuid)],
            "interim_chair": {
                "office": "forged-office",
                "member": str(cast.carol.uuid),
                "days": 365,
                "term_ends_at": "2099-01-01T00:00:00.000000Z",
            },
            "constitution": 1,
        },
    }
    verdict = verify_forged([d for d in docs if d is not closed] + [created, chaired, formed])
    found = [str(p) for p in verdict.problems]
    assert any("without the vote of" in p for p in found)
    assert any("founding members who never consented" in p for p in found)
    assert any("who is not one of the founding members moved" in p for p in found)
    assert any("interim chair for 365 days; the constitution sets 60" in p for p in found)
