"""What each entry on the record pages is about: its subject's title, linked, for whoever may open it."""

from __future__ import annotations

import html
import io
import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.accounts import actions as account_actions
from councils.core.ledger.encoding import canonical_bytes
from councils.elections import actions as election_actions
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership, Office, Seat
from councils.mandates import actions as mandate_actions
from councils.mandates.models import ReportDue
from councils.meetings import actions as meeting_actions
from councils.membership import actions as membership_actions
from councils.motions import actions as motion_actions
from councils.petitions import actions as petition_actions
from councils.record import queries as record_queries
from councils.record import sequencer, signing
from councils.record.models import Entry, Sequence
from councils.web import subjects as subjects_module
from councils.web.subjects import subjects_of
from councils.web.views import record as record_views
from tests.conftest import NOW, make_user
from tests.mandates.flows import (
    adopt_mandate,
    district_motion,
    district_vote,
    hold_district_meeting,
    seat_dave_for_harbour,
)
from tests.membership.test_formation import T as FORMATION_AT
from tests.membership.test_formation import decide as decide_formation
from tests.membership.test_formation import propose as propose_formation
from tests.membership.test_formation import ready  # noqa: F401 (a fixture)

ROW = re.compile(
    r'<tr>\s*<td data-label="#"><a [^>]*>\d+</a></td>\s*'
    r'<td data-label="Entry">[^<]*<small><code>([a-z_.]+)</code>.*?</tr>',
    re.S,
)
SUBJECT = re.compile(r'<td data-label="About">(?:<a href="([^"]+)">([^<]*)</a>|([^<]*))</td>')


def subjects_on(page: str) -> list[tuple[str, str, str]]:
    """(event, link, title) of each entry listed, newest first; link and title are "" where none is shown,
    and the link alone where the subject has no page."""
    rows = []
    for match in ROW.finditer(page):
        subject = SUBJECT.search(match.group(0))
        assert subject is not None, match.group(0)
        title = subject.group(2) if subject.group(1) else subject.group(3)
        rows.append((match.group(1), subject.group(1) or "", html.unescape(title or "")))
    return rows


def record_page(client, **params) -> str:
    response = client.get("/record/", params)
    assert response.status_code == 200
    return response.content.decode()


def a_bit_of_everything(cast) -> dict[str, object]:
    """A motion voted on, a meeting, an election, an agenda petition, a recall, charges and an application."""
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen hours", text="Open it at six.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW + timedelta(days=7),
        place="Canteen",
        now=NOW,
    )
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", title="Delegates for spring", now=NOW
    )
    petition = petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Parking", text="Talk about parking.", now=NOW
    )
    recall = mandate_actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    case = membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=NOW + timedelta(days=20),
        now=NOW,
    )
    application = membership_actions.apply_for_membership(
        actor=make_user("nina", "Nina Newcomer"), council=cast.riverside, now=NOW
    )
    sequencer.sequence_pending(now=NOW)
    return {
        "motion": motion,
        "meeting": meeting,
        "election": election,
        "petition": petition,
        "recall": recall,
        "case": case,
        "application": application,
    }


def test_entries_name_their_subject_and_link_to_its_page(cast):
    made = a_bit_of_everything(cast)
    motion = f"/motions/{made['motion'].uuid}/"
    shown = subjects_on(record_page(cast.client(cast.alice), event=""))
    expected = {
        "motion.tabled": (motion, "Canteen hours"),
        "motion.seconded": (motion, "Canteen hours"),
        "vote.opened": (motion, "Canteen hours"),
        "vote.cast": (motion, "Canteen hours"),
        "meeting.scheduled": (f"/meetings/{made['meeting'].uuid}/", "General meeting"),
        "election.called": (f"/elections/{made['election'].uuid}/", "Delegates for spring"),
        "agenda.petition_started": (f"/petitions/{made['petition'].uuid}/", "Parking"),
        "recall.petition_started": (
            f"/mandates/recalls/{made['recall'].uuid}/",
            "Recall of the delegate of Riverside Depot to Eastside District",
        ),
        # The chair takes part in the council, whose case and application pages name the member.
        "discipline.charged": (
            f"/membership/cases/{made['case'].uuid}/",
            "Charges against Frank Costa: Expulsion sought",
        ),
        "membership.applied": (
            f"/membership/applications/{made['application'].uuid}/",
            "Nina Newcomer applies to join Riverside Depot",
        ),
    }
    for event, subject in expected.items():
        assert (event, *subject) in shown, event
    for event, link, _title in shown:
        if link:
            assert cast.client(cast.alice).get(link).status_code == 200, (event, link)
    # The founding entries' subjects are the council itself, and the founding members' memberships, named
    # to the chair as the council's member list names them to her.
    assert ("council.created", f"/councils/{cast.riverside.uuid}/", "Riverside Depot") in shown
    members = f"/councils/{cast.riverside.uuid}/#members"
    assert ("member.founding_enrolled", members, "Membership of Frank Costa in Riverside Depot") in shown


def test_names_stay_with_those_the_councils_pages_show_them_to(cast):
    a_bit_of_everything(cast)
    # Dave sees Riverside Depot (the federation may) but takes no part in it: its member pages are closed
    # to him, so neither the accused nor the applicant is named, and those entries show no subject.
    page = record_page(cast.client(cast.dave), event="")
    shown = subjects_on(page)
    assert ("motion.tabled", f"/motions/{made_motion(cast)}/", "Canteen hours") in shown
    assert ("discipline.charged", "", "") in shown and ("membership.applied", "", "") in shown
    for name in ("Frank Costa", "Nina Newcomer", "Bob Novak", "Erin Walsh", "Alice Adeyemi"):
        assert name not in page


def made_motion(cast) -> uuid.UUID:
    from councils.motions.models import Motion

    return Motion.objects.get(council=cast.riverside, title="Canteen hours").uuid


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_anonymous_visitors_of_a_public_council_see_its_subjects_but_no_member_named(cast):
    a_bit_of_everything(cast)
    page = record_page(cast.client(None), event="")
    shown = subjects_on(page)
    assert ("vote.cast", f"/motions/{made_motion(cast)}/", "Canteen hours") in shown
    assert ("discipline.charged", "", "") in shown
    assert "Frank Costa" not in page and "Nina Newcomer" not in page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_an_outsider_sees_none_of_a_hidden_councils_subjects(cast):
    made = a_bit_of_everything(cast)
    page = record_page(cast.client(cast.dave), event="")
    for hidden in ("Canteen hours", "General meeting", "Delegates for spring", "Parking", "Riverside Depot"):
        assert hidden not in page
    for thing in made.values():
        assert str(thing.uuid) not in page
    assert "Canteen hours" in record_page(cast.client(cast.carol), event="")


def test_a_subject_that_cannot_be_found_is_not_guessed(cast):
    def entry(event: str, payload: dict[str, object]) -> Entry:
        document = {"v": 2, "event": event, "payload": payload, "council": str(cast.riverside.uuid)}
        return Entry(id=len(payload) + 1, event=event, data=canonical_bytes(document))

    gone = entry("vote.closed", {"motion": str(uuid.uuid4()), "vote": str(uuid.uuid4())})
    malformed = entry("meeting.opened", {"meeting": "not-a-uuid"})
    assert subjects_of([gone, malformed], viewer=cast.alice, visible={cast.riverside.id}) == {}


def test_subjects_cost_one_query_per_kind_whatever_the_page_holds(cast, monkeypatch):
    for n in range(20):
        motion_actions.table_motion(
            actor=cast.bob, council=cast.riverside, title=f"Item {n}", text="Do it.", now=NOW
        )
    a_bit_of_everything(cast)
    client = cast.client(cast.alice)
    record_page(client)

    def queries_for_first_page() -> tuple[int, list[tuple[str, str, str]]]:
        # The footer's checkpoint is read again once it is a few seconds old: read it every time.
        sequencer.SUMMARY_CACHE.clear()
        with CaptureQueriesContext(connection) as context:
            page = record_page(client)
        return len(context), subjects_on(page)

    with_subjects, shown = queries_for_first_page()
    assert len(shown) == 50
    pages = {re.sub(r"[0-9a-f-]{36}/", "", link) for _event, link, _title in shown if link}
    assert len(pages) == 11, pages
    monkeypatch.setattr(record_views, "subjects_of", lambda entries, viewer, visible: {})
    without, _ = queries_for_first_page()
    # Twelve kinds: the eleven kinds of page linked (the founding offices' register, the delegate's
    # council and the founding members' memberships among them), and votes, which lead to their
    # motions' pages.
    assert with_subjects - without <= 12


def test_an_entry_page_links_to_what_it_is_about_for_whoever_may_open_it(cast):
    made = a_bit_of_everything(cast)
    charged = Entry.objects.get(event="discipline.charged").sequence.index
    cast_vote = Entry.objects.get(event="vote.cast").sequence.index

    def about(who, index: int) -> str:
        response = cast.client(who).get(f"/record/entries/{index}/")
        assert response.status_code == 200
        found = re.search(
            r'<p class="lead">About <a href="([^"]+)">([^<]*)</a></p>', response.content.decode()
        )
        return f"{found.group(1)} {html.unescape(found.group(2))}" if found else ""

    assert about(cast.alice, cast_vote) == f"/motions/{made['motion'].uuid}/ Canteen hours"
    assert about(cast.alice, charged) == (
        f"/membership/cases/{made['case'].uuid}/ Charges against Frank Costa: Expulsion sought"
    )
    # Dave may read the entry but not the case's page, which names the accused: no subject, no name.
    assert about(cast.dave, charged) == ""
    assert "Frank Costa" not in cast.client(cast.dave).get(f"/record/entries/{charged}/").content.decode()


def accountability(cast) -> dict[str, object]:
    """Bob's mandate broken, the reports a district meeting leaves owed, the chair's pay, an invitation."""
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    # Its founding chair holds it before the district's first vote.
    hold_district_meeting(cast)
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    chair = Office.objects.get(council=cast.riverside, role=Office.Role.CHAIR)
    mandate_actions.declare_pay(
        actor=cast.alice, office=chair, pay=Decimal(100), expenses=Decimal(0), now=NOW
    )
    account_actions.invite_member(
        actor=cast.alice,
        council=cast.riverside,
        email="gil@example.org",
        base_url="http://testserver",
        now=NOW,
    )
    sequencer.sequence_pending(now=NOW)
    return {"report": ReportDue.objects.get(seat__user=cast.bob)}


def test_offices_seats_mandates_reports_and_the_constitution_are_named_by_what_they_are(cast, rules):
    made = accountability(cast)
    riverside = cast.riverside.uuid
    delegate = (f"/mandates/councils/{riverside}/", "Delegate of Riverside Depot to Eastside District")
    report = (
        f"/mandates/reports/{made['report'].uuid}/",
        "Report back of the delegate of Riverside Depot to Eastside District",
    )
    expected = {
        "office.founding_filled": (f"/mandates/register/{riverside}/", "Chair of Riverside Depot"),
        "office.pay_declared": (f"/mandates/register/{riverside}/", "Chair of Riverside Depot"),
        "delegate.seated": delegate,
        # Named by the district's motion it instructs on, which whoever may see the district may see.
        "mandate.roll_call_checked": (
            f"/mandates/councils/{riverside}/",
            "Mandate of Riverside Depot on “Strike fund levy”: Yes",
        ),
        "report.due": report,
        "agenda.item_forced": report,
        "invitation.sent": (f"/councils/{riverside}/", "Riverside Depot"),
        "constitution.adopted": (
            f"/constitution/?federation={cast.federation.uuid}",
            f"Constitution of {cast.federation.name}",
        ),
    }
    client = cast.client(cast.alice)
    for event, subject in expected.items():
        shown = subjects_on(record_page(client, event=event))
        assert (event, *subject) in shown, (event, shown)
        assert client.get(subject[0]).status_code == 200, event
    # Whoever may see the council sees what they are about, and no holder is named but on their pages.
    page = record_page(cast.client(cast.dave), event="office")
    assert ("office.pay_declared", *expected["office.pay_declared"]) in subjects_on(page)
    page += record_page(cast.client(cast.dave), event="delegate") + record_page(
        cast.client(cast.dave), event="mandate"
    )
    for name in ("Alice Adeyemi", "Bob Novak", "Carol"):
        assert name not in page


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_a_visitor_is_not_sent_to_a_report_they_must_log_in_to_read(cast, rules):
    accountability(cast)
    shown = subjects_on(record_page(cast.client(None), event="report"))
    assert shown and all(link == "" for _event, link, _title in shown)
    shown = subjects_on(record_page(cast.client(None), event="office"))
    assert (
        "office.founding_filled",
        f"/mandates/register/{cast.riverside.uuid}/",
        "Chair of Riverside Depot",
    ) in shown
    assert cast.client(None).get(f"/mandates/register/{cast.riverside.uuid}/").status_code == 200


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_an_outsider_sees_no_office_seat_mandate_or_report_of_a_hidden_council(cast, rules):
    accountability(cast)
    page = record_page(cast.client(cast.dave), event="")
    for hidden in ("Riverside Depot", str(cast.riverside.uuid)):
        assert hidden not in page
    assert "Chair of Riverside Depot" in record_page(cast.client(cast.carol), event="office")


def test_the_new_kinds_cost_one_query_each(cast, rules):
    accountability(cast)
    entries = list(Entry.objects.all())
    visible = record_queries.visible_council_ids(viewer=cast.alice)
    asked = {
        kind
        for entry in entries
        for kind, _uuid in subjects_module._candidates(entry.event, json.loads(bytes(entry.data)))
    }
    assert {"office", "seat", "mandate", "report", "constitution"} <= asked
    with CaptureQueriesContext(connection) as context:
        subjects = subjects_of(entries, viewer=cast.alice, visible=visible)
    kinds = {re.sub(r"[0-9a-f-]{36}/$|\?.*$", "", s.url) for s in subjects.values()}
    assert {"/mandates/register/", "/mandates/councils/", "/mandates/reports/", "/constitution/"} <= kinds
    assert len(context) == len(asked)


def test_a_members_comings_and_goings_name_them_only_where_the_member_list_does(cast):
    members = f"/councils/{cast.riverside.uuid}/#members"
    council = f"/councils/{cast.riverside.uuid}/"
    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    frank = Membership.objects.get(user=cast.frank)
    membership_actions.leave_membership(actor=cast.frank, membership=frank, now=NOW)
    sequencer.sequence_pending(now=NOW)
    # The chair reads them in the council's member list, two Erin Walshes told apart by username.
    shown = subjects_on(record_page(cast.client(cast.alice), event="member"))
    assert (
        "member.founding_enrolled",
        members,
        "Membership of Erin Walsh (erin) in Riverside Depot",
    ) in shown
    assert (
        "member.founding_enrolled",
        members,
        "Membership of Erin Walsh (erin2) in Riverside Depot",
    ) in shown
    assert ("member.founding_enrolled", members, "Membership of Bob Novak in Riverside Depot") in shown
    page = cast.client(cast.alice).get(council).content.decode()
    assert "Erin Walsh (erin2)" in page and "Frank Costa" not in page
    # Frank has left: the list no longer names him, so neither does the record, to anyone.
    assert [row for row in shown if row[2].startswith("Membership of Frank")] == []
    assert ("member.left", council, "Riverside Depot") in shown
    assert ("member.founding_enrolled", council, "Riverside Depot") in shown
    # Dave may see the council but not its members: its page, and no name; his own council's list names him.
    page = record_page(cast.client(cast.dave), event="member")
    assert set(subjects_on(page)) == {
        ("member.founding_enrolled", council, "Riverside Depot"),
        (
            "member.founding_enrolled",
            f"/councils/{cast.harbour.uuid}/#members",
            "Membership of Dave Okafor in Harbour Works",
        ),
        ("member.left", council, "Riverside Depot"),
    }
    for name in ("Frank Costa", "Erin Walsh", "Bob Novak", "Alice Adeyemi"):
        assert name not in page


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_a_visitor_sees_the_council_a_member_joined_and_no_name(cast):
    shown = subjects_on(record_page(cast.client(None), event="member"))
    assert shown and set(shown) == {
        ("member.founding_enrolled", f"/councils/{cast.riverside.uuid}/", "Riverside Depot")
    }


def test_an_invited_candidate_is_named_to_the_councils_participants(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_actions.invite_member(
            actor=cast.alice, council=cast.riverside, email="gil@example.org", base_url="http://t/", now=NOW
        )
    raw = re.search(r"/invite/([^/\s]+)/", mail.outbox[-1].body).group(1)
    account_actions.accept_invitation(
        raw_token=raw, username="gil", display_name="Gil Moreau", password="long enough pass phrase", now=NOW
    )
    sequencer.sequence_pending(now=NOW)
    shown = subjects_on(record_page(cast.client(cast.erin), event="member.invited_joined"))
    assert shown == [
        (
            "member.invited_joined",
            f"/councils/{cast.riverside.uuid}/#members",
            "Membership of Gil Moreau in Riverside Depot",
        )
    ]
    shown = subjects_on(record_page(cast.client(cast.dave), event="member.invited_joined"))
    assert shown == [("member.invited_joined", f"/councils/{cast.riverside.uuid}/", "Riverside Depot")]


@pytest.mark.visibility(national=Council.Visibility.PUBLIC)
def test_the_federation_is_named_without_a_link_to_whoever_may_read_its_constitution(cast):
    assert subjects_on(record_page(cast.client(cast.dave), event="federation")) == [
        ("federation.founded", "", "Demo Federation")
    ]
    # A public top council makes the constitution public; otherwise a visitor is told only what it is.
    assert subjects_on(record_page(cast.client(None), event="federation")) == [
        ("federation.founded", "", "Demo Federation")
    ]


def test_a_visitor_of_a_private_federation_is_told_only_that_it_is_the_federation(cast):
    page = record_page(cast.client(None), event="federation")
    assert subjects_on(page) == [("federation.founded", "", "Federation")]
    assert "Demo Federation" not in page.split('<div id="entries">')[1]


def test_erasures_say_what_they_are_about_and_name_nobody(cast):
    frank = Membership.objects.get(user=cast.frank)
    membership_actions.leave_membership(actor=cast.frank, membership=frank, now=NOW)
    account_actions.erase_person(actor=None, person=cast.frank, reason="the member asked", now=NOW)
    sequencer.sequence_pending(now=NOW)
    for who in (cast.alice, None):
        page = record_page(cast.client(who), event="person")
        assert subjects_on(page) == [("person.erased", "", "A former member")]
        assert "Frank Costa" not in page
    index = Entry.objects.get(event="person.erased").sequence.index
    page = cast.client(None).get(f"/record/entries/{index}/").content.decode()
    assert '<p class="lead">About A former member</p>' in page


def test_the_records_own_events_lead_to_its_checkpoint_and_key(cast, tmp_path, settings):
    settings.COUNCILS_SIGNING_KEY_PATH = tmp_path / "signing_key"
    sequencer.latest_checkpoint(current=True)
    call_command("rotate_signing_key", stdout=io.StringIO())
    shown = subjects_on(record_page(cast.client(None), event="record"))
    assert shown == [("record.key_rotated", "/record/#record-key", "Record key")]
    page = record_page(cast.client(None))
    assert f'<p id="record-key"><small>Federation key: <code>{signing.verifier().vkey()}</code>' in page

    def entry(event: str, payload: dict[str, object]) -> Entry:
        return Entry(id=1, event=event, data=canonical_bytes({"v": 2, "event": event, "payload": payload}))

    # A restore and an erasure of one datum are not made in a test's database; their entries alone say it.
    restored = entry("record.restored", {"restored_size": 3, "lost": {"start": 3, "end": 5}})
    erased = entry("personal.erased", {"commitment": "sha256:00", "reason": "asked"})
    assert subjects_of([restored], viewer=None, visible=set()) == {
        1: subjects_module.Subject("Signed checkpoint", "/record/#checkpoint")
    }
    assert subjects_of([erased], viewer=None, visible=set()) == {
        1: subjects_module.Subject("Personal data", "")
    }


@pytest.mark.visibility(district=Council.Visibility.COUNCIL)
def test_a_mandate_on_a_motion_the_viewer_may_not_see_is_named_by_the_council_above(cast, rules):
    accountability(cast)
    # Alice takes no part in the district, which is hidden from her with its motions: not even its name.
    shown = subjects_on(record_page(cast.client(cast.alice), event="mandate.roll_call_checked"))
    assert shown and set(shown) == {
        (
            "mandate.roll_call_checked",
            f"/mandates/councils/{cast.riverside.uuid}/",
            "Mandate of Riverside Depot in the council above: Yes",
        )
    }
    # Bob sits in the district as Riverside's delegate.
    shown = subjects_on(record_page(cast.client(cast.bob), event="mandate.roll_call_checked"))
    assert (
        "mandate.roll_call_checked",
        f"/mandates/councils/{cast.riverside.uuid}/",
        "Mandate of Riverside Depot on “Strike fund levy”: Yes",
    ) in shown


def test_memberships_and_the_federation_cost_one_query_each(cast):
    for n in range(5):
        user = make_user(f"member{n}", "Erin Walsh")
        federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=NOW)
    entries = list(Entry.objects.filter(event__in=["member.founding_enrolled", "federation.founded"]))
    visible = record_queries.visible_council_ids(viewer=cast.alice)
    with CaptureQueriesContext(connection) as context:
        subjects = subjects_of(entries, viewer=cast.alice, visible=visible)
    assert len(subjects) == len(entries) == 11
    # Memberships, the federation, and the councils a membership not named would fall back to.
    assert len(context) == 3


def test_a_member_moved_to_a_council_they_formed_is_about_the_proposal(ready):  # noqa: F811
    formation = propose_formation(ready)
    for founder in (ready.frank, ready.dave):
        membership_actions.sign_formation(actor=founder, formation=formation, now=FORMATION_AT)
    decide_formation(ready, formation)
    sequencer.sequence_pending(now=FORMATION_AT)
    # Carol, who sees the district asked, sees the proposal; no founder is named.
    page = record_page(ready.client(ready.carol), event="member.transferred")
    proposal = (f"/membership/formations/{formation.uuid}/", "Proposal to form Riverside Night Shift")
    assert subjects_on(page) == [("member.transferred", *proposal)] * 3


def above_riverside(cast) -> None:
    """Bob's seat in Eastside District, a recall of it, a mandate broken there and the reports owed."""
    accountability(cast)
    mandate_actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    sequencer.sequence_pending(now=NOW)


# The subjects of Riverside Depot's entries that concern the council above it, and how each names it.
ABOVE = {
    "recall.petition_started": "Recall of the delegate of Riverside Depot to {}",
    "mandate.roll_call_checked": "Mandate of Riverside Depot in {}: Yes",
    "report.due": "Report back of the delegate of Riverside Depot to {}",
}


def titles_about_above(client) -> dict[str, set[str]]:
    response = client.get(f"/record/councils/{Council.objects.get(name='Riverside Depot').uuid}/")
    assert response.status_code == 200
    titles: dict[str, set[str]] = {}
    for event, _link, title in subjects_on(response.content.decode()):
        if event in ABOVE and title:
            titles.setdefault(event, set()).add(title)
    return titles


@pytest.mark.visibility(district=Council.Visibility.COUNCIL, riverside=Council.Visibility.PUBLIC)
@pytest.mark.parametrize("viewer", ["alice", "carol", None])
def test_a_council_above_hidden_from_the_viewer_is_not_named(cast, rules, viewer):
    above_riverside(cast)
    # The chair and the observer of Riverside Depot take no part in the district; a visitor sees Riverside
    # alone (and no report, whose page asks them to log in first).
    who = getattr(cast, viewer) if viewer else None
    expected = {
        event: {title.format("the council above")}
        for event, title in ABOVE.items()
        if who is not None or event != "report.due"
    }
    assert titles_about_above(cast.client(who)) == expected
    page = record_page(cast.client(who), event="")
    assert "Eastside District" not in page and str(cast.district.uuid) not in page
    for index in Sequence.objects.filter(entry__event__in=ABOVE).values_list("index", flat=True):
        entry_page = cast.client(who).get(f"/record/entries/{index}/").content.decode()
        assert "Eastside District" not in entry_page, index
    # A seat's entries are the district's own, which they may not read; were one listed, it would not
    # name the district either.
    bob_seat = str(Seat.objects.get(user=cast.bob).uuid)
    [seated] = [
        e
        for e in Entry.objects.filter(event="delegate.seated")
        if json.loads(bytes(e.data))["payload"]["seat"] == bob_seat
    ]
    visible = record_queries.visible_council_ids(viewer=who)
    assert subjects_of([seated], viewer=who, visible=visible)[seated.id].title == (
        "Delegate of Riverside Depot to the council above"
    )


@pytest.mark.visibility(district=Council.Visibility.COUNCIL)
@pytest.mark.parametrize("viewer", ["bob", "dave"])
def test_a_council_above_is_named_to_those_who_may_see_it(cast, rules, viewer):
    above_riverside(cast)
    # Bob sits in the district for Riverside Depot, Dave for Harbour Works, another branch below it; the
    # district's motion a mandate instructs on is theirs to see.
    assert titles_about_above(cast.client(getattr(cast, viewer))) == {
        "recall.petition_started": {"Recall of the delegate of Riverside Depot to Eastside District"},
        "mandate.roll_call_checked": {"Mandate of Riverside Depot on “Strike fund levy”: Yes"},
        "report.due": {"Report back of the delegate of Riverside Depot to Eastside District"},
    }
    shown = subjects_on(record_page(cast.client(getattr(cast, viewer)), event="delegate.seated"))
    assert (
        "delegate.seated",
        f"/mandates/councils/{cast.riverside.uuid}/",
        "Delegate of Riverside Depot to Eastside District",
    ) in shown


@pytest.mark.visibility(harbour=Council.Visibility.COUNCIL)
def test_a_transfer_names_the_council_left_only_to_those_who_may_see_it(cast, rules):
    membership_actions.request_transfer(actor=cast.dave, council=cast.riverside, now=NOW)
    sequencer.sequence_pending(now=NOW)
    # Alice decides the transfer in Riverside Depot but may not see Harbour Works; Dave left it.
    shown = subjects_on(record_page(cast.client(cast.alice), event="membership.transfer_requested"))
    assert [title for _event, _link, title in shown] == [
        "Dave Okafor asks to transfer from another council to Riverside Depot"
    ]
    shown = subjects_on(record_page(cast.client(cast.dave), event="membership.transfer_requested"))
    assert [title for _event, _link, title in shown] == [
        "Dave Okafor asks to transfer from Harbour Works to Riverside Depot"
    ]
