"""Capture route: a chair or a clique expelling a member without charges, notice, hearing and vote."""

import json
from datetime import timedelta

from django.utils import timezone

from councils.federation.models import Membership
from councils.membership.models import DisciplineCase
from councils.motions import actions as motion_actions
from councils.record.models import Entry
from tests.membership.support import adopt, payloads


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_expulsion_without_charges_and_hearing_is_refused(cast):
    adopt(cast)
    frank = Membership.objects.get(user=cast.frank)
    chair = cast.api(cast.alice)

    # 1. The chair simply sets Frank's status to expelled (or suspended).
    for status in ("expelled", "suspended"):
        refused = post(chair, f"/api/v1/membership/members/{frank.uuid}/status", {"status": status})
        assert refused.status_code == 409
        assert refused.json()["code"] == "due_process_required"
        assert refused.json()["detail"] == (
            "A member can be suspended or expelled only by a vote of their own base council, after written "
            "charges, notice of a hearing and the hearing itself. Bring charges instead."
        )

    # 2. A show vote on an "expel Frank" motion that names no charges changes nothing.
    now = timezone.now()
    motion = motion_actions.table_motion(
        actor=None,
        council=cast.riverside,
        title="Expel Frank",
        text="Expel Frank Costa today.",
        now=now,
        kind="discipline",
        subject_uuid=frank.uuid,
    )
    vote = motion_actions.open_vote(
        actor=cast.alice, motion=motion, now=now, method="named", threshold="two_thirds"
    )
    for voter in (cast.alice, cast.bob, cast.erin):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=now)
    motion_actions.close_vote(actor=None, vote=vote, now=now)
    [refusal] = payloads("discipline.vote_refused")
    assert refusal["reason"].startswith("A discipline vote counts only on written charges that were heard")

    # 3. Charges with a hearing tomorrow: too little notice.
    charges = {
        "membership": str(frank.uuid),
        "charges": "Spoke to the press during the dispute.",
        "penalty": "expulsion",
        "hearing_at": (now + timedelta(days=1)).isoformat(),
    }
    short = post(chair, "/api/v1/membership/cases", charges)
    assert short.status_code == 422
    assert "The hearing must be at least 14 days after the notice" in short.json()["detail"]

    # 4. Proper charges, but the vote is called before the hearing, or the hearing is held early.
    charges["hearing_at"] = (now + timedelta(days=15)).isoformat()
    case = post(chair, "/api/v1/membership/cases", charges).json()
    early_vote = post(chair, f"/api/v1/membership/cases/{case['uuid']}/call-vote", {"method": "named"})
    assert early_vote.status_code == 409
    assert early_vote.json()["detail"] == "The council votes on charges only after the hearing has been held."
    early_hearing = post(chair, f"/api/v1/membership/cases/{case['uuid']}/hearing", {"notes": ""})
    assert early_hearing.status_code == 409
    assert "it cannot be held earlier" in early_hearing.json()["detail"]

    # 5. Someone outside Riverside (Dave, Harbour Works) cannot even bring charges against Frank.
    outside = post(cast.api(cast.dave), "/api/v1/membership/cases", charges)
    assert outside.status_code == 404

    # Frank is still a full member; nothing in the record says otherwise.
    frank.refresh_from_db()
    assert frank.status == Membership.Status.FULL
    assert DisciplineCase.objects.get(uuid=case["uuid"]).status == DisciplineCase.Status.CHARGED
    assert not Entry.objects.filter(event__in=["member.expelled", "member.suspended"]).exists()
