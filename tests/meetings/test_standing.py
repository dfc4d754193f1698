"""The viewer's standing at a meeting, read in one query, answers as the permission checks one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from councils.core.errors import NotFoundError
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership
from councils.meetings import actions, permissions, queries
from councils.meetings.models import Meeting
from tests.conftest import created_as, make_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("visibility", created_as(Council.Visibility.values, "riverside"))
def test_standing_answers_as_the_checks_for_every_viewer(cast, visibility, django_assert_num_queries):
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
    suspended, gone, candidate = (make_user(n, n.title()) for n in ("sam", "lea", "cai"))
    for user in (suspended, gone, candidate):
        federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=NOW)
    Membership.objects.filter(user=suspended).update(status=Membership.Status.SUSPENDED)
    Membership.objects.filter(user=gone).update(status=Membership.Status.LEFT)
    Membership.objects.filter(user=candidate).update(status=Membership.Status.CANDIDATE)
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
        )
        assert standing == expected, viewer
        seen.add(standing)
        if expected.may_view:
            assert queries.access_meeting_standing(viewer=viewer, meeting_uuid=meeting.uuid)[1] == expected
        else:
            with pytest.raises(NotFoundError):
                queries.access_meeting_standing(viewer=viewer, meeting_uuid=meeting.uuid)
    # The cases tell the answers apart: each of them is both true and false for some viewer.
    for field in ("may_view", "may_manage", "may_speak", "is_present"):
        if field == "may_view" and visibility == Council.Visibility.PUBLIC:
            continue
        assert {getattr(s, field) for s in seen} == {True, False}, field
