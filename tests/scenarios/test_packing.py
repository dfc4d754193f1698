"""Capture route: packing a base council with new members just before a vote, or by a rushed vote."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from councils.core.errors import ConflictError, InvalidInputError
from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.models import Entry
from tests.conftest import make_user
from tests.membership.support import adopt, payloads


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_packing_the_membership_before_a_vote_is_refused_or_flagged(cast):
    adopt(cast)
    now = timezone.now()
    # Riverside Depot (4 members with a vote) is about to vote on a contested motion.
    motion = post(
        cast.api(cast.alice),
        "/api/v1/motions",
        {
            "council": str(cast.riverside.uuid),
            "title": "Accept the offer",
            "text": "Accept it.",
            "seconds_required": 0,
        },
    ).json()
    opened = post(cast.api(cast.alice), f"/api/v1/motions/{motion['uuid']}/votes", {"method": "named"}).json()
    vote = Vote.objects.get(uuid=opened["uuid"])
    assert vote.electorate_size == 4

    # A wave of newcomers applies the same day and friendly members sponsor them all.
    recruits = [make_user(f"recruit{i}", f"Recruit {i}") for i in range(3)]
    applications = []
    for recruit in recruits:
        made = post(
            cast.api(recruit), "/api/v1/membership/applications", {"council": str(cast.riverside.uuid)}
        )
        assert made.status_code == 201
        for sponsor in (cast.bob, cast.erin):
            post(cast.api(sponsor), f"/api/v1/membership/applications/{made.json()['uuid']}/sponsor")
        applications.append(Application.objects.get(uuid=made.json()["uuid"]))

    # They are candidates: a voice, no vote. They cannot vote in the open vote.
    for recruit in recruits:
        assert Membership.objects.get(user=recruit).status == Membership.Status.CANDIDATE
        refused = post(cast.api(recruit), f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "yes"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == "You are not in the electorate of this vote."

    # One admission in 30 days is Riverside's own affair; beyond that the surge is flagged.
    flags = [a.is_flagged for a in applications]
    assert flags == [False, True, True]
    flagged = payloads("membership.admission_flagged")
    assert {f["application"] for f in flagged} == {str(a.uuid) for a in applications[1:]}
    assert all(f["approval_by"] == str(cast.district.uuid) for f in flagged)
    page = cast.client(cast.dave).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "Flagged admissions" in page

    # After the candidate period the chair tries to rush the first admission through with her friends:
    # a vote closing within minutes is refused, and so is closing it while Frank has yet to vote.
    later = now + timedelta(days=91)
    with pytest.raises(InvalidInputError) as rushed:
        actions.call_admission_vote(
            actor=cast.alice, application=applications[0], now=later, closes_at=later + timedelta(minutes=10)
        )
    assert rushed.value.code == "closing_time"
    assert rushed.value.message.startswith("The admission vote must stay open at least 3 days")
    admissions = [
        actions.call_admission_vote(actor=cast.alice, application=application, now=later, method="named")
        for application in applications
    ]
    for admission in admissions:
        for voter in (cast.alice, cast.bob, cast.erin):
            motion_actions.cast_vote(actor=voter, vote=admission, choice="yes", now=later)
    with pytest.raises(ConflictError) as early:
        motion_actions.close_vote(actor=cast.alice, vote=admissions[0], now=later + timedelta(minutes=10))
    assert early.value.code == "poll_still_open"
    assert Membership.objects.get(user=recruits[0]).status == Membership.Status.CANDIDATE
    # At their closing time, three days on, the rules close them: Riverside votes them all in.
    later = admissions[0].closes_at
    assert later == now + timedelta(days=94)
    for admission in admissions:
        motion_actions.close_vote(actor=None, vote=admission, now=later)
    statuses = [Membership.objects.get(user=r).status for r in recruits]
    # The flagged two stay candidates: the district has not approved them.
    assert statuses == [Membership.Status.FULL, Membership.Status.CANDIDATE, Membership.Status.CANDIDATE]
    assert len(payloads("member.admitted")) == 1

    # The district (Bob is Riverside's delegate there) approves one of them; only then is it admitted.
    approval = actions.call_approval_vote(actor=None, application=applications[1], now=later, method="named")
    assert approval.motion.council == cast.district
    motion_actions.cast_vote(actor=cast.bob, vote=approval, choice="yes", now=later)
    motion_actions.close_vote(actor=None, vote=approval, now=approval.closes_at)
    assert Membership.objects.get(user=recruits[1]).status == Membership.Status.FULL
    assert Membership.objects.get(user=recruits[2]).status == Membership.Status.CANDIDATE

    # Even the one admitted cannot vote in the vote called before: its electorate was frozen.
    refused = post(cast.api(recruits[0]), f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "yes"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You are not in the electorate of this vote."
    vote.refresh_from_db()
    assert vote.electorate_size == 4
    assert not Entry.objects.filter(event="vote.cast", data__contains=str(recruits[0].uuid).encode()).exists()


def test_packing_a_council_with_no_council_above_needs_its_longer_standing_members(cast):
    from councils.core.ledger import replay
    from councils.record.queries import entry_document
    from councils.record.verification import verify_database
    from tests.membership.support import standalone_council

    adopt(cast)
    # Harbourside Bakery answers to no council above: its four founding members are all there is.
    bakery, (sam, tess, uma, vic) = standalone_council(cast)
    # Its chair, Sam, recruits three friends at once; Tess and Uma sponsor them all.
    recruits = [make_user(f"friend{i}", f"Friend {i}") for i in range(3)]
    applications = []
    for recruit in recruits:
        made = post(cast.api(recruit), "/api/v1/membership/applications", {"council": str(bakery.uuid)})
        assert made.status_code == 201
        for sponsor in (tess, uma):
            post(cast.api(sponsor), f"/api/v1/membership/applications/{made.json()['uuid']}/sponsor")
        applications.append(Application.objects.get(uuid=made.json()["uuid"]))

    # Beyond one admission a window, the surge is flagged, in the record and for everyone who can see
    # the council; with nobody above to ask, the bakery itself is named as the approving body.
    assert [a.is_flagged for a in applications] == [False, True, True]
    assert {f["approval_by"] for f in payloads("membership.admission_flagged")} == {str(bakery.uuid)}
    listing = cast.api(vic).get(f"/api/v1/membership/applications?council={bakery.uuid}").json()["items"]
    assert [a["approval_by"] for a in listing if a["is_flagged"]] == ["standing_members"] * 2
    page = cast.client(cast.dave).get(f"/councils/{bakery.uuid}/").content.decode()
    assert "Flagged admissions" in page

    # After the candidate period the council votes all three in; the unflagged one is admitted. The
    # votes stay open the days the constitution sets, and the rules close them then.
    later = timezone.now() + timedelta(days=91)
    admissions = [
        actions.call_admission_vote(actor=sam, application=application, now=later, method="named")
        for application in applications
    ]
    for admission in admissions:
        for voter in (sam, tess, uma):
            motion_actions.cast_vote(actor=voter, vote=admission, choice="yes", now=later)
    later += timedelta(days=3)
    for admission in admissions:
        motion_actions.close_vote(actor=None, vote=admission, now=later)
    statuses = [Membership.objects.get(user=r).status for r in recruits]
    assert statuses == [Membership.Status.FULL, Membership.Status.CANDIDATE, Membership.Status.CANDIDATE]

    # The flagged two need a second vote, of the members who were full members before the surge
    # window opened, frozen when it is called: the friend admitted a moment ago has no say in it,
    # nor do the applicants themselves.
    refused = post(cast.api(tess), f"/api/v1/membership/applications/{applications[1].uuid}/call-parent-vote")
    assert refused.status_code == 403
    vote = actions.call_approval_vote(actor=sam, application=applications[1], now=later, method="named")
    assert vote.motion.council == bakery and vote.electorate_size == 4
    for outsider in (recruits[0], recruits[1]):
        refused = post(cast.api(outsider), f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "yes"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == "You are not in the electorate of this vote."
    # The longer-standing members refuse the packing: the friend is not admitted and their candidacy ends.
    for voter, choice in ((sam, "yes"), (tess, "no"), (uma, "no"), (vic, "no")):
        motion_actions.cast_vote(actor=voter, vote=vote, choice=choice, now=later)
    motion_actions.close_vote(actor=None, vote=vote, now=later)
    assert Membership.objects.get(user=recruits[1]).status == Membership.Status.LEFT
    assert payloads("member.not_admitted")[-1]["by"] == "standing_members"
    assert Membership.objects.get(user=recruits[2]).status == Membership.Status.CANDIDATE

    # Anyone can check from the record alone that only the longer-standing members voted.
    items = [
        replay.Item.from_document(i, entry_document(e)) for i, e in enumerate(Entry.objects.order_by("id"))
    ]
    outcome = replay.replay(items)
    assert outcome.problems == [] and outcome.notes == []
    assert verify_database() == []
