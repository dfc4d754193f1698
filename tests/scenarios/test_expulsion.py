"""Capture route: a chair or a clique expelling a member without charges, notice, hearing and vote."""

import json
from datetime import datetime, timedelta

from django.utils import timezone

from councils.federation.models import Membership
from councils.membership.models import DisciplineCase
from councils.motions import actions as motion_actions
from councils.motions import tasks as motion_tasks
from councils.record.models import Entry
from tests.membership.support import adopt, payloads
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_expulsion_without_charges_and_hearing_is_refused(cast, monkeypatch):
    clock = {"now": timezone.now().replace(microsecond=0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
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
    now = clock["now"]
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

    # 6. The hearing is held on its date. The chair then puts the charges to a vote that closes within the
    #    hour, before most members have heard of it: refused, the vote stays open at least 7 days.
    clock["now"] = now + timedelta(days=15)
    url = f"/api/v1/membership/cases/{case['uuid']}"
    assert post(chair, url + "/hearing", {"notes": "Frank answered the charges."}).status_code == 200
    soon = clock["now"] + timedelta(hours=1)
    rushed = post(chair, url + "/call-vote", {"method": "named", "closes_at": soon.isoformat()})
    assert rushed.status_code == 422
    assert rushed.json()["code"] == "closing_time"
    assert rushed.json()["detail"] == (
        "The vote on charges must stay open at least 7 days: close it at "
        f"{clock['now'] + timedelta(days=7):%Y-%m-%d %H:%M} UTC or later."
    )
    called = post(chair, url + "/call-vote", {"method": "named"})
    assert called.status_code == 201
    vote = called.json()
    assert datetime.fromisoformat(vote["closes_at"]) == clock["now"] + timedelta(days=7)

    # 7. Alice brought the charges and Frank faces them: neither votes on the case. Bob votes to expel at
    #    once, and Alice closes the vote with 1 of the 2 members entitled having voted: refused.
    votes = f"/api/v1/motions/votes/{vote['vote']}"
    for party in (cast.alice, cast.frank):
        refused = post(cast.api(party), votes + "/cast", {"choice": "yes"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"
        assert refused.json()["detail"] == "As a party to this case you do not vote on it."
    case_page = cast.client(cast.frank).get(f"/membership/cases/{case['uuid']}/").content.decode()
    assert "As a party to this case you do not vote on it." in case_page
    assert post(cast.api(cast.bob), votes + "/cast", {"choice": "yes"}).status_code == 200
    early = post(chair, votes + "/close")
    assert early.status_code == 409
    assert early.json()["code"] == "poll_still_open"
    assert early.json()["detail"] == "This vote stays open until its closing time unless everyone has voted."

    # 8. Erin votes against during the week. At the closing time the rules close the vote: 1 for and
    #    1 against is short of two thirds, so the charges are dismissed and Frank stays.
    clock["now"] += timedelta(days=3)
    assert post(cast.api(cast.erin), votes + "/cast", {"choice": "no"}).status_code == 200
    clock["now"] = now + timedelta(days=22)
    assert motion_tasks.close_due_vote.call(vote["vote"]) == "rejected"
    assert DisciplineCase.objects.get(uuid=case["uuid"]).status == DisciplineCase.Status.DISMISSED
    frank.refresh_from_db()
    assert frank.status == Membership.Status.FULL
    verdict = verify_genuine()
    assert verdict.problems == [], verdict.problems
