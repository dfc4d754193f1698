"""The viewer's standing at a meeting, read in one query, answers as the permission checks one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from councils.core.errors import NotFoundError
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership
from councils.federation.queries import can_see_names
from councils.meetings import actions, permissions, queries
from councils.meetings.models import Meeting
from councils.membership import actions as membership_actions
from tests.conftest import created_as, make_user
from tests.membership.support import invited_candidate, vote_through

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("visibility", created_as(Council.Visibility.values, "riverside"))
def test_standing_answers_as_the_checks_for_every_viewer(
    cast, rules, visibility, django_assert_num_queries, django_capture_on_commit_callbacks
):
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[cast.alice, cast.carol], now=NOW)
    # Those whose membership is suspended, ended by leaving, or not yet full; one from elsewhere.
    suspended, gone = (make_user(n, n.title()) for n in ("sam", "lea"))
    for user in (suspended, gone):
        federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=NOW)
    membership_actions.leave_membership(actor=gone, membership=Membership.objects.get(user=gone), now=NOW)
    candidate = invited_candidate(
        django_capture_on_commit_callbacks, actor=cast.alice, council=cast.riverside, username="cai", now=NOW
    )
    hearing = NOW + timedelta(days=15)
    case = membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=suspended),
        charges="Passed the strike plan to management on 3 February.",
        penalty="suspension",
        suspension_days=30,
        hearing_at=hearing,
        now=NOW,
    )
    membership_actions.record_hearing(actor=cast.alice, case=case, notes="Both sides heard.", now=hearing)
    vote = membership_actions.call_discipline_vote(actor=cast.alice, case=case, now=hearing, method="named")
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=hearing)
    assert {m.user: m.status for m in Membership.objects.filter(user__in=[suspended, gone, candidate])} == {
        suspended: Membership.Status.SUSPENDED,
        gone: Membership.Status.LEFT,
        candidate: Membership.Status.CANDIDATE,
    }
    other = federation_actions.create_federation(actor=None, name="Elsewhere", now=NOW)
    far = federation_actions.create_council(
        actor=None, federation=other, name="Far", kind="workplace", parent=None, is_base=True, now=NOW
    )
    stranger = make_user("zoe", "Zoe")
    federation_actions.add_founding_member(actor=None, council=far, user=stranger, now=NOW)
    # As the pages read it, with its council: the queries counted below are the standing's own.
    meeting = Meeting.objects.select_related("council").get(pk=meeting.pk)
    viewers = [
        AnonymousUser(),
        *(cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank),
        suspended,
        gone,
        candidate,
        stranger,
    ]
    seen = set()
    for viewer in viewers:
        with django_assert_num_queries(1 if viewer.is_authenticated else 0):
            standing = queries.meeting_standing(viewer=viewer, meeting=meeting)
        expected = queries.Standing(
            may_view=permissions.can(viewer, "view", meeting),
            may_manage=permissions.can(viewer, "manage", meeting),
            may_speak=permissions.can(viewer, "speak", meeting),
            is_present=queries.is_present(meeting=meeting, user=viewer),
            sees_names=can_see_names(viewer=viewer, council=meeting.council),
        )
        assert standing == expected, viewer
        seen.add(standing)
        if expected.may_view:
            assert queries.access_meeting_standing(viewer=viewer, meeting_uuid=meeting.uuid)[1] == expected
        else:
            with pytest.raises(NotFoundError):
                queries.access_meeting_standing(viewer=viewer, meeting_uuid=meeting.uuid)
    # The cases tell the answers apart: each of them is both true and false for some viewer.
    for field in ("may_view", "may_manage", "may_speak", "is_present", "sees_names"):
        if field == "may_view" and visibility == Council.Visibility.PUBLIC:
            continue
        assert {getattr(s, field) for s in seen} == {True, False}, field
