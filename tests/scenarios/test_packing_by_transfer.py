"""Capture route: packing a base council by moving members into it from another just before a vote."""

import json

from django.utils import timezone

from councils.federation.models import Membership
from councils.federation.queries import list_voters
from councils.membership import actions
from councils.membership.models import Application
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from tests.membership.support import adopt, payloads, vote_through
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_packing_a_council_by_transfers_is_flagged_and_gains_no_vote_already_called(cast):
    adopt(cast)
    now = timezone.now()
    # Harbour Works (Dave alone has a vote) is voting on a contested motion.
    motion = motion_actions.table_motion(
        actor=None, council=cast.harbour, title="Accept the offer", text="Accept it.", now=now
    )
    vote = motion_actions.open_vote(actor=None, motion=motion, now=now, method="named")
    assert vote.electorate_size == 1

    # Three members of Riverside Depot ask to transfer to Harbour Works the same day.
    movers = [cast.frank, cast.alice, cast.erin]
    applications = []
    for mover in movers:
        made = post(cast.api(mover), "/api/v1/membership/transfers", {"council": str(cast.harbour.uuid)})
        assert made.status_code == 201, made.content
        applications.append(Application.objects.get(uuid=made.json()["uuid"]))
    # They need no sponsors and serve no candidate period, but they count towards the surge limit:
    # one admission in the window is Harbour's own affair, the other two need the district too.
    assert [a.is_flagged for a in applications] == [False, True, True]
    assert {f["application"] for f in payloads("membership.admission_flagged")} == {
        str(a.uuid) for a in applications[1:]
    }

    # Harbour's members (Dave, then Frank too) admit all three; only the first moves.
    for application in applications:
        admission = actions.call_admission_vote(actor=None, application=application, now=now, method="named")
        vote_through(admission, yes=list(list_voters(council=cast.harbour)), now=now)
    where = [Membership.objects.get(user=m, ended_at__isnull=True).council for m in movers]
    assert where == [cast.harbour, cast.riverside, cast.riverside]

    # The one who moved gets no vote in the vote called before the transfer: its electorate was frozen.
    refused = post(cast.api(cast.frank), f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "yes"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You are not in the electorate of this vote."
    assert Vote.objects.get(id=vote.id).electorate_size == 1

    # The district, where Bob sits for Riverside, votes the flagged transfers down: they stay where they were.
    for application in applications[1:]:
        approval = actions.call_approval_vote(actor=None, application=application, now=now, method="named")
        vote_through(approval, no=[cast.bob], now=now)
    assert [Application.objects.get(id=a.id).status for a in applications] == [
        "admitted",
        "rejected",
        "rejected",
    ]
    assert Membership.objects.get(user=cast.alice, ended_at__isnull=True).council == cast.riverside
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
