"""Every decision these apps record names the constitution version it applied, and no one's name."""

from __future__ import annotations

from datetime import timedelta

from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application
from councils.platforms import actions as platform_actions
from councils.record.models import Entry
from councils.record.queries import entry_document
from tests.conftest import make_user
from tests.membership.support import LATER, NOW, adopt, vote_through

PREFIXES = ("membership.", "member.", "discipline.", "constitution.", "platform.")


def test_entries_name_the_constitution_version_and_no_names(cast):
    adopt(cast)
    gina = make_user("gina", "Gina Horvat")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    actions.sponsor_application(actor=cast.bob, application=application, now=LATER)
    actions.sponsor_application(actor=cast.erin, application=application, now=LATER)
    application.refresh_from_db()
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=cast.alice, application=application, now=after, method="named")
    vote_through(vote, yes=[cast.alice, cast.bob, cast.erin], now=after)
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Crossed the picket line.",
        penalty="suspension",
        suspension_days=10,
        hearing_at=after + timedelta(days=15),
        now=after,
    )
    actions.submit_defence(actor=cast.frank, case=case, statement="I was ill.", now=after)
    actions.record_hearing(actor=cast.alice, case=case, now=after + timedelta(days=15))
    vote = actions.call_discipline_vote(
        actor=cast.alice, case=case, now=after + timedelta(days=15), method="named"
    )
    vote_through(vote, yes=[cast.alice, cast.erin, gina], now=after + timedelta(days=15))
    actions.leave_membership(actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=after)
    platform = platform_actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Left", statement="s", now=NOW
    )
    platform_actions.publish_document(
        actor=cast.bob, platform=platform, title="t", body="b", councils=[cast.riverside], now=NOW
    )
    documents = [entry_document(e) for e in Entry.objects.order_by("id") if e.event.startswith(PREFIXES)]
    events = {d["event"] for d in documents}
    assert {
        "member.admitted",
        "member.suspended",
        "discipline.heard",
        "member.left",
        "platform.founded",
    } <= events
    for document in documents:
        if document["event"] == "member.founding_enrolled":
            continue  # the federation app's founding enrolment, before any constitution
        assert document["payload"].get("constitution") == 1, document["event"]
        text = str(document)
        for name in ("Gina", "Horvat", "Frank", "Crossed the picket line", "I was ill"):
            assert name not in text, (document["event"], name)


def _candidate(cast, username):
    applicant = make_user(username, username.title())
    application = actions.apply_for_membership(actor=applicant, council=cast.riverside, now=LATER)
    actions.sponsor_application(actor=cast.bob, application=application, now=LATER)
    actions.sponsor_application(actor=cast.erin, application=application, now=LATER)
    application.refresh_from_db()
    return application


def test_refused_and_withdrawn_candidates_match_the_record(cast):
    from councils.record.verification import verify_database
    from tests.membership.support import payloads

    adopt(cast)
    withdrawn, refused = _candidate(cast, "gina"), _candidate(cast, "hugo")
    actions.withdraw_application(actor=withdrawn.applicant, application=withdrawn, now=LATER)
    after = refused.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=cast.alice, application=refused, now=after, method="named")
    vote_through(vote, no=[cast.alice, cast.bob, cast.erin], now=after)
    assert payloads("membership.withdrawn")[0]["membership"] == str(withdrawn.membership.uuid)
    assert payloads("member.not_admitted")[0]["membership"] == str(refused.membership.uuid)
    for application in (withdrawn, refused):
        assert Membership.objects.get(id=application.membership_id).status == Membership.Status.LEFT
    assert verify_database() == []


def test_an_older_withdrawal_is_matched_through_its_candidacy(cast):
    from django.db import transaction

    from councils.record.actions import append_entry
    from councils.record.verification import verify_database

    adopt(cast)
    application = _candidate(cast, "gina")
    # As withdrawals were recorded before they named the membership they ended.
    with transaction.atomic():
        Membership.objects.filter(id=application.membership_id).update(
            status=Membership.Status.LEFT, ended_at=LATER
        )
        Application.objects.filter(id=application.id).update(
            status=Application.Status.WITHDRAWN, decided_at=LATER
        )
        append_entry(
            event="membership.withdrawn",
            actor=None,
            council=cast.riverside,
            payload={"application": str(application.uuid), "constitution": 1},
            now=LATER,
        )
    assert verify_database() == []
