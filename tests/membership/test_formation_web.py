"""Forming a council on the web: from the council page, a proposal, consent, and the council in the tree."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.federation import actions as federation_actions
from councils.federation.models import Office
from councils.membership import actions
from councils.membership.models import Formation
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from tests.membership.support import adopt
from tests.web.parts import get_part, hear, parts_within_page

FORM = {
    "name": "Riverside Night Shift",
    "kind": "workplace",
    "visibility": "federation",
    "reason": "The night shift organised on its own.",
}


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def test_a_member_below_proposes_from_the_council_page_and_others_consent(ready):
    district = reverse("web:council", args=[ready.district.uuid])
    new = reverse("web:formation_new", args=[ready.district.uuid])
    erin = ready.client(ready.erin)
    assert new in erin.get(district).content.decode()
    # An observer with no membership is not offered it; a base council has nothing to form below it.
    assert new not in ready.client(ready.carol).get(district).content.decode()
    riverside = erin.get(reverse("web:council", args=[ready.riverside.uuid])).content.decode()
    assert reverse("web:formation_new", args=[ready.riverside.uuid]) not in riverside
    page = erin.get(new).content.decode()
    assert "You chair the new council for its first 60 days" in page
    for name in FORM:
        assert f'<label for="id_{name}">' in page
    # What is formed is always a base council of members: the levels of delegates are not offered.
    assert (
        '<option value="other">' in page and 'value="national"' not in page and 'value="district"' not in page
    )
    response = erin.post(new, FORM)
    formation = Formation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:formation", args=[formation.uuid]
    )
    assert (
        reverse("web:formation", args=[formation.uuid])
        in ready.client(ready.bob).get(district).content.decode()
    )
    shown = ready.client(ready.dave).get(response["Location"]).content.decode()
    assert "Consent to found this council" in shown and "Erin Walsh" in shown
    assert "Consent to found this council" not in erin.get(response["Location"]).content.decode()
    signed = ready.client(ready.dave).post(reverse("web:formation_sign", args=[formation.uuid]))
    assert signed.status_code == 302
    founders = ready.client(ready.bob).get(signed["Location"]).content.decode()
    assert "Dave Okafor" in founders and "2 of at least 3 needed" in founders
    assert f"1 more founding member must consent before {ready.district.name} can form it." in founders
    actions.sign_formation(actor=ready.frank, formation=formation, now=timezone.now())
    enough = ready.client(ready.bob).get(signed["Location"]).content.decode()
    assert (
        f"Enough founders have consented: it now awaits the vote of {ready.district.name}, "
        "which its chair or secretary opens." in enough
    )
    assert reverse("web:motion", args=[formation.motion_uuid]) in founders


def test_a_refused_proposal_is_a_form_error(ready):
    new = reverse("web:formation_new", args=[ready.district.uuid])
    response = ready.client(ready.erin).post(new, {**FORM, "name": "Harbour Works"})
    assert response.status_code == 422
    assert "already a council called" in response.content.decode()
    level = ready.client(ready.erin).post(new, {**FORM, "kind": "national"})
    assert level.status_code == 422 and 'id="id_kind_error"' in level.content.decode()
    missing = ready.client(ready.erin).post(new, {**FORM, "reason": ""})
    assert missing.status_code == 422 and 'id="id_reason_error"' in missing.content.decode()
    assert not Formation.objects.exists()


def test_a_refused_consent_says_why(ready):
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=timezone.now()
    )
    response = ready.client(ready.carol).post(reverse("web:formation_sign", args=[formation.uuid]))
    assert response.status_code == 409 and "Only a member of a base council" in response.content.decode()


def test_the_formed_council_appears_in_the_tree_and_its_members_read_who_chairs_it(ready):
    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.carol, role=Office.Role.CHAIR, now=timezone.now()
    )
    now = timezone.now()
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=now
    )
    for user in (ready.frank, ready.dave):
        actions.sign_formation(actor=user, formation=formation, now=now)
    vote = motion_actions.open_vote(
        actor=ready.carol, motion=Motion.objects.get(uuid=formation.motion_uuid), now=now, method="named"
    )
    motion_actions.cast_vote(actor=ready.bob, vote=vote, choice="yes", now=now)
    motion_actions.close_vote(actor=ready.carol, vote=vote, now=now)
    formation.refresh_from_db()
    tree = ready.client(ready.erin).get(reverse("web:council", args=[ready.district.uuid])).content.decode()
    assert f'id="child-{formation.council.uuid}">Night Shift</a>' in tree
    motion = ready.client(ready.bob).get(reverse("web:motion", args=[formation.motion_uuid])).content.decode()
    assert reverse("web:formation", args=[formation.uuid]) in motion
    assert f'<a href="{reverse("web:council", args=[formation.council.uuid])}">Night Shift</a>' in motion

    # Its members read who chairs it for now, and that their first task is to call its elections.
    council = formation.council
    page = reverse("web:council", args=[council.uuid])
    hint = "Erin Walsh chairs this new council until"
    for founder in (ready.erin, ready.frank):
        shown = ready.client(founder).get(page).content.decode()
        assert hint in shown and "call the elections of its officers and of its delegates to" in shown
        assert hint in get_part(ready.client(founder), page, "offices").content.decode()
    assert hint not in ready.client(ready.bob).get(page).content.decode()
    federation_actions.appoint_founding_officer(
        actor=None, council=council, user=ready.frank, role=Office.Role.SECRETARY, now=timezone.now()
    )
    assert hint not in ready.client(ready.erin).get(page).content.decode()


def test_the_motion_page_of_a_proposal_links_it_and_offers_no_amendment(ready):
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=timezone.now()
    )
    page = ready.client(ready.bob).get(reverse("web:motion", args=[formation.motion_uuid])).content.decode()
    assert "The proposal to form Night Shift" in page
    assert reverse("web:formation", args=[formation.uuid]) in page
    # The rules tabled it, seconded: no seconders are needed, and its text is the rules' own.
    assert "Seconders" not in page and "0 of 0 needed" not in page
    assert "Propose amendment" not in page and "Council formed" not in page
    refused = ready.client(ready.bob).post(
        reverse("web:motion_amend", args=[formation.motion_uuid]), {"text": "Form two councils."}
    )
    assert refused.status_code == 409 and "cannot be amended" in refused.content.decode()
    assert not Motion.objects.filter(amends__uuid=formation.motion_uuid).exists()


def test_founders_withdraw_from_the_proposal_page_until_the_vote_opens(ready):
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=timezone.now()
    )
    actions.sign_formation(actor=ready.dave, formation=formation, now=timezone.now())
    page = reverse("web:formation", args=[formation.uuid])
    withdraw = reverse("web:formation_withdraw", args=[formation.uuid])
    shown = ready.client(ready.dave).get(page).content.decode()
    assert "<li>Dave Okafor</li>" in shown
    assert "<dd>Workplace council</dd>" in shown and "Withdraw my consent" in shown
    assert "Withdraw this proposal" in ready.client(ready.erin).get(page).content.decode()
    assert withdraw not in ready.client(ready.bob).get(page).content.decode()
    left = ready.client(ready.dave).post(withdraw)
    assert left.status_code == 302 and left["Location"] == page
    after = ready.client(ready.dave).get(page).content.decode()
    assert "<li>Dave Okafor</li>" not in after and "Consent to found this council" in after
    refused = ready.client(ready.dave).post(withdraw)
    assert refused.status_code == 409 and "not consented" in refused.content.decode()
    ready.client(ready.erin).post(withdraw)
    closed = ready.client(ready.dave).get(page).content.decode()
    assert "Withdrawn by its proposer" in closed and "Consent to found this council" not in closed
    assert Motion.objects.get(uuid=formation.motion_uuid).state == Motion.State.WITHDRAWN


def test_neither_consent_nor_withdrawal_is_offered_once_the_vote_opens(ready):
    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.carol, role=Office.Role.CHAIR, now=timezone.now()
    )
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=timezone.now()
    )
    motion_actions.open_vote(
        actor=ready.carol,
        motion=Motion.objects.get(uuid=formation.motion_uuid),
        now=timezone.now(),
        method="named",
    )
    page = reverse("web:formation", args=[formation.uuid])
    district = ready.district.name
    assert (
        f"The vote of {district} is open: the delegates sitting in {district} vote on it"
        in ready.client(ready.bob).get(page).content.decode()
    )
    assert "Withdraw this proposal" not in ready.client(ready.erin).get(page).content.decode()
    assert "Consent to found this council" not in ready.client(ready.dave).get(page).content.decode()


def test_the_proposal_page_follows_the_councils_stream_while_open(ready):
    formation = actions.propose_formation(
        actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=timezone.now()
    )
    url = reverse("web:formation", args=[formation.uuid])
    page = ready.client(ready.bob).get(url).content.decode()
    assert f'<div id="formation" data-live="/live/council-{ready.district.uuid}">' in page
    assert 'id="proposal" data-live-on="formations.changed motions.changed"' in page
    for viewer in (ready.erin, ready.dave, ready.bob):
        [part] = parts_within_page(ready.client(viewer), url, ["proposal"]).values()
        assert part.startswith('<div id="proposal"') and "<h1>" not in part
    actions.sign_formation(actor=ready.dave, formation=formation, now=timezone.now())
    part = get_part(ready.client(ready.dave), url, "proposal").content.decode()
    assert "<li>Dave Okafor</li>" in part and "Withdraw my consent" in part
    assert get_part(ready.client(ready.dave), url, "nothing").status_code == 422
    actions.withdraw_formation_consent(actor=ready.erin, formation=formation, now=timezone.now())
    closed = ready.client(ready.bob).get(url).content.decode()
    assert "data-live" not in closed and "Withdrawn by its proposer" in closed


@pytest.mark.django_db(transaction=True)
def test_consent_withdrawal_and_the_vote_opening_are_told_on_the_councils_channel(ready, local_broker):
    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.carol, role=Office.Role.CHAIR, now=timezone.now()
    )
    channels = {"district": f"council-{ready.district.uuid}"}
    now = timezone.now()
    made = []
    proposed = hear(
        local_broker,
        channels,
        lambda: made.append(
            actions.propose_formation(
                actor=ready.erin, parent=ready.district, name="Night Shift", reason="Organised.", now=now
            )
        ),
    )
    assert "formations.changed" in proposed["district"]
    [formation] = made
    for act in (
        lambda: actions.sign_formation(actor=ready.dave, formation=formation, now=now),
        lambda: actions.withdraw_formation_consent(actor=ready.dave, formation=formation, now=now),
    ):
        assert hear(local_broker, channels, act)["district"] == {"formations.changed"}
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    opened = hear(
        local_broker,
        channels,
        lambda: motion_actions.open_vote(actor=ready.carol, motion=motion, now=now, method="named"),
    )
    assert "motions.changed" in opened["district"]
    council_page = reverse("web:council", args=[ready.district.uuid])
    assert 'data-live-on="members.changed formations.changed"' in (
        ready.client(ready.bob).get(council_page).content.decode()
    )
