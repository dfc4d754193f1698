from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.federation.models import Council
from councils.meetings import actions
from councils.meetings.models import Meeting
from councils.web.views.meetings import LIVE_PARTS
from tests.membership.support import poll_to

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def meeting(cast) -> Meeting:
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        # Called a week ahead, with the notice the constitution requires.
        now=NOW - timedelta(days=7),
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="report", title="Report", now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    return meeting


def test_member_sees_the_agenda(cast, meeting):
    page = cast.client(cast.bob).get(f"/meetings/{meeting.uuid}/")
    assert page.status_code == 200 and b"Report" in page.content and b"AOB" in page.content
    assert b"Add an item" not in page.content


def test_chair_schedules_through_the_form(cast):
    client = cast.client(cast.alice)
    assert client.get(f"/meetings/schedule/{cast.riverside.uuid}/").status_code == 200
    next_week = f"{datetime.now(tz=UTC) + timedelta(days=7):%Y-%m-%dT%H:%M}"
    response = client.post(
        f"/meetings/schedule/{cast.riverside.uuid}/",
        {"title": "AGM", "starts_at": next_week, "place": ""},
    )
    assert response.status_code == 422 and b"place" in response.content
    page = response.content.decode()
    assert '<div class="error" role="alert" tabindex="-1" autofocus id="form-error">' in page
    assert 'id="place" name="place" maxlength="200" aria-describedby="online-hint form-error"' in page
    tomorrow = f"{datetime.now(tz=UTC) + timedelta(days=1):%Y-%m-%dT%H:%M}"
    response = client.post(
        f"/meetings/schedule/{cast.riverside.uuid}/",
        {"title": "AGM", "starts_at": tomorrow, "place": "Hall"},
    )
    assert response.status_code == 422
    assert "a meeting is called at least 48 hours ahead" in response.content.decode()
    response = client.post(
        f"/meetings/schedule/{cast.riverside.uuid}/",
        {"title": "AGM", "starts_at": next_week, "place": "Hall"},
        follow=True,
    )
    agm = Meeting.objects.get(title="AGM")
    assert response.redirect_chain == [(f"/meetings/{agm.uuid}/", 302)]
    assert "The meeting is called: add the items of its agenda below." in response.content.decode()


def test_the_schedule_form_says_the_earliest_start_before_the_chair_picks_one(cast):
    """The notice the constitution requires is on the form, not only in the refusal that follows."""
    before = f"{datetime.now(tz=UTC) + timedelta(hours=48):%Y-%m-%dT%H:%M}"
    page = cast.client(cast.alice).get(f"/meetings/schedule/{cast.riverside.uuid}/").content.decode()
    after = f"{datetime.now(tz=UTC) + timedelta(hours=48):%Y-%m-%dT%H:%M}"
    assert any(
        f'type="datetime-local" required min="{minute}" aria-describedby="starts-hint"' in page
        for minute in (before, after)
    )
    hint = re.search(r'<p class="hint" id="starts-hint">([^<]*)</p>', page)
    assert hint is not None
    assert hint.group(1).startswith("The constitution requires 48 hours' notice: the meeting can start at ")
    assert hint.group(1).endswith(" UTC at the earliest.")


def test_the_agenda_form_offers_no_motion_or_election_already_on_the_agenda(cast, meeting):
    from councils.elections import actions as election_actions
    from councils.motions import actions as motion_actions

    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen prices", text="Freeze them.", now=NOW
    )
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    client = cast.client(cast.alice)
    page = client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert f'<option value="{motion.uuid}">' in page and f'<option value="{election.uuid}">' in page
    client.post(f"/meetings/{meeting.uuid}/items/", {"kind": "motion", "motion": str(motion.uuid)})
    client.post(f"/meetings/{meeting.uuid}/items/", {"kind": "election", "election": str(election.uuid)})
    assert (
        meeting.items.filter(motion=motion).count() == 1
        and meeting.items.filter(election=election).count() == 1
    )
    page = client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert f'<option value="{motion.uuid}">' not in page and f'<option value="{election.uuid}">' not in page


def test_an_item_already_on_the_agenda_is_refused_beside_the_form(cast, meeting):
    from councils.motions import actions as motion_actions

    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen prices", text="Freeze them.", now=NOW
    )
    client = cast.client(cast.alice)
    url = f"/meetings/{meeting.uuid}/items/"
    assert client.post(url, {"kind": "motion", "motion": str(motion.uuid)}).status_code == 302
    # A form loaded before the first was sent still offers the motion.
    response = client.post(url, {"kind": "motion", "motion": str(motion.uuid)})
    page = response.content.decode()
    assert response.status_code == 409 and "Add an item" in page
    assert (
        '<p class="error" role="alert" tabindex="-1" autofocus id="item-error">'
        "“Canteen prices” is already on this meeting" in page
    )
    assert meeting.items.filter(motion=motion).count() == 1


@pytest.mark.parametrize("kind", ["motion", "election"])
def test_an_item_naming_no_uuid_is_refused_beside_the_form(cast, meeting, kind):
    response = cast.client(cast.alice).post(
        f"/meetings/{meeting.uuid}/items/", {"kind": kind, kind: "garbage"}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Add an item" in page
    assert (
        f'id="item-error">Choose {"a motion" if kind == "motion" else "an election"} of this council.' in page
    )
    assert meeting.items.count() == 2


def test_a_closed_meeting_offers_no_speakers_list_and_no_empty_chair_panel(cast, meeting):
    url = f"/meetings/{meeting.uuid}/"
    alice = cast.client(cast.alice)
    opened = alice.get(url).content.decode()
    assert "Chair the meeting" in opened and 'id="speakers"' in opened
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    for client in (alice, cast.client(cast.bob)):
        page = client.get(url).content.decode()
        assert "Minutes" in page and "AOB" in page
        assert "Chair the meeting" not in page and 'id="speakers"' not in page
        assert "The list opens when the meeting is in session." not in page


def test_minutes_approved_by_a_motion_naming_no_uuid_are_refused(cast, meeting):
    alice = cast.client(cast.alice)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    confirm = alice.get(f"/meetings/{meeting.uuid}/minutes/approve/confirm/?motion=garbage")
    approve = alice.post(f"/meetings/{meeting.uuid}/minutes/approve/", {"motion": "garbage"})
    for response in (confirm, approve):
        assert (
            response.status_code == 422 and b"Choose an adopted motion of this council." in response.content
        )
    meeting.refresh_from_db()
    assert meeting.minutes_approved_at is None


def test_the_agenda_form_offers_only_elections_still_to_be_held_or_certified(cast, meeting):
    from councils.elections import actions as election_actions
    from councils.elections.models import Election

    # One in each state, Erin standing in each.
    for status in Election.Status.values:
        election = election_actions.call_election(
            actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
        )
        election_actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
        poll_to(cast, election, status)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    offered = {e.status for e in Election.objects.all() if f'<option value="{e.uuid}">' in page}
    assert offered == {"nominating", "voting", "closed"}
    assert "(voting open)</option>" in page
    assert "Only elections still to be held, or counted and awaiting certification, are listed." in page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_personas_on_writes(cast, meeting):
    assert cast.client(None).post(f"/meetings/{meeting.uuid}/open/").status_code == 302
    assert cast.client(cast.carol).post(f"/meetings/{meeting.uuid}/open/").status_code == 403
    assert cast.client(cast.bob).get(f"/meetings/schedule/{cast.riverside.uuid}/").status_code == 403
    assert cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/open/").status_code == 405
    assert cast.client(cast.dave).get(f"/meetings/{meeting.uuid}/").status_code == 404
    assert cast.client(cast.alice).get(f"/meetings/{uuid.uuid4()}/").status_code == 404


def test_a_motion_or_election_on_the_agenda_links_back_to_the_meeting(cast, meeting):
    from councils.elections import actions as election_actions
    from councils.motions import actions as motion_actions

    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen prices", text="Freeze them.", now=NOW
    )
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    pages = (f"/motions/{motion.uuid}/", f"/elections/{election.uuid}/")
    bob = cast.client(cast.bob)
    for url in pages:
        assert 'id="on-agenda"' not in bob.get(url).content.decode()
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=election, now=NOW)
    agenda = bob.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert f'<a href="/motions/{motion.uuid}/">Motion: Canteen prices</a>' in agenda
    assert f'<a href="/elections/{election.uuid}/">Election: {election.title}</a>' in agenda
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    link = f'<dd id="on-agenda"><a href="/meetings/{meeting.uuid}/">General meeting</a>'
    for url in pages:
        page = bob.get(url).content.decode()
        assert link in page and "UTC · in session</small>" in page
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW + timedelta(hours=1))
    for url in pages:
        assert 'id="on-agenda"' not in bob.get(url).content.decode()


def test_each_step_of_a_session_says_what_it_did(cast, meeting):
    alice = cast.client(cast.alice)

    def step(url, data=None):
        response = alice.post(f"/meetings/{meeting.uuid}/{url}", data or {}, follow=True)
        assert response.redirect_chain[-1][0] == f"/meetings/{meeting.uuid}/"
        return response.content.decode()

    assert "Added to the agenda: Pay claim." in step("items/", {"kind": "other", "title": "Pay claim"})
    assert "The meeting is open: mark who is present, as business needs a quorum." in step("open/")
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=NOW)
    assert "Under discussion now: Report." in step("next/")
    assert "Under discussion now: AOB." in step("next/")
    assert "Under discussion now: Pay claim." in step("next/")
    assert "The agenda is done: close the meeting when you are ready." in step("next/")
    assert "The meeting is closed: its minutes wait for approval on the Minutes page." in step("close/")


def test_reorder_open_speak_and_minutes(cast, meeting):
    alice, bob = cast.client(cast.alice), cast.client(cast.bob)
    aob = meeting.items.get(title="AOB")
    assert alice.post(f"/meetings/{meeting.uuid}/items/{aob.uuid}/up/").status_code == 302
    assert list(meeting.items.order_by("position").values_list("title", flat=True)) == ["AOB", "Report"]
    alice.post(f"/meetings/{meeting.uuid}/open/")
    inquorate = alice.post(f"/meetings/{meeting.uuid}/next/")
    assert (
        inquorate.status_code == 409 and "No quorum: 0 of 4 present; 1 needed." in inquorate.content.decode()
    )
    # The chair sees why, before asking again.
    page = alice.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert (
        "0 people · 0 of the council's 4 voters; 1 needed to take business" in page
        and "no quorum yet" in page
    )
    assert bob.post(f"/meetings/{meeting.uuid}/attend/").status_code == 302
    page = alice.get(f"/meetings/{meeting.uuid}/").content.decode()
    # How many are there, and how many of them count toward the quorum: the count says what it counts.
    assert "1 person · 1 of the council's 4 voters; 1 needed to take business" in page
    assert "no quorum yet" not in page
    alice.post(f"/meetings/{meeting.uuid}/next/")
    fragment = bob.post(f"/meetings/{meeting.uuid}/items/{aob.uuid}/join/", headers={"HX-Request": "true"})
    assert (
        fragment.status_code == 200
        and b'id="speakers"' in fragment.content
        and b"<html" not in fragment.content
    )
    assert b"Bob Novak" in fragment.content
    # Waiting to speak, Bob may leave the list but not ask a second time.
    assert b"Leave the list" in fragment.content and b"Ask to speak" not in fragment.content
    # Asked again from a page gone stale, the refusal is said at the top of that page, not as a new page.
    again = bob.post(f"/meetings/{meeting.uuid}/items/{aob.uuid}/join/", headers={"HX-Request": "true"})
    assert again.status_code == 409 and again["HX-Retarget"] == "#refusal" and "HX-Request" in again["Vary"]
    assert again.content.decode().strip() == '<p class="error" role="alert">You are already on the list.</p>'
    plain = bob.post(f"/meetings/{meeting.uuid}/items/{aob.uuid}/join/")
    assert plain.status_code == 409 and "HX-Retarget" not in plain and b"That cannot be done" in plain.content
    polled = cast.client(cast.carol).get(f"/meetings/{meeting.uuid}/", headers={"HX-Request": "true"})
    assert b"Bob Novak" in polled.content and b"Ask to speak" not in polled.content
    alice.post(f"/meetings/{meeting.uuid}/items/{aob.uuid}/floor/")
    assert b"has the floor" in bob.get(f"/meetings/{meeting.uuid}/").content
    alice.post(f"/meetings/{meeting.uuid}/close/")
    draft = bob.get(f"/meetings/{meeting.uuid}/minutes/")
    assert draft.status_code == 200 and b"Draft" in draft.content and b"Bob Novak" in draft.content
    assert bob.post(f"/meetings/{meeting.uuid}/minutes/approve/").status_code == 403
    assert alice.post(f"/meetings/{meeting.uuid}/minutes/approve/").status_code == 302
    approved = bob.get(f"/meetings/{meeting.uuid}/minutes/")
    assert b"frozen" in approved.content and b"sha256:" in approved.content
    pdf = bob.get(f"/meetings/{meeting.uuid}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_council_page_lists_meetings_and_elections(cast, meeting):
    from councils.elections import actions as election_actions

    election_actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    page = cast.client(cast.alice).get(f"/councils/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert b"General meeting" in page.content and b"Schedule a meeting" in page.content
    assert b"Delegates of Riverside Depot" in page.content and b"Call an election" in page.content
    page = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/")
    assert b"Schedule a meeting" not in page.content and b"Call an election" not in page.content


def test_home_page_lists_next_meetings_and_open_elections(cast, meeting):
    from councils.elections import actions as election_actions

    election_actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    page = cast.client(cast.bob).get("/")
    assert page.status_code == 200
    assert b"Next meetings" in page.content and b"General meeting" not in page.content  # NOW is past
    upcoming = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Next general meeting",
        starts_at=datetime.now(tz=UTC) + timedelta(days=3),
        place="Canteen",
        now=NOW,
    )
    page = cast.client(cast.bob).get("/")
    assert upcoming.title.encode() in page.content
    assert b"Delegates of Riverside Depot" in page.content
    assert upcoming.title.encode() not in cast.client(cast.dave).get("/").content
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.bob).get("/").content.decode()
    assert "General meeting" in page and "in session now" in page, "still in session, days after it opened"


def test_chair_marks_everyone_ticked_present_in_one_submit(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Mark present" in page and "Frank Costa" in page
    assert (
        f'<input type="checkbox" id="present_{cast.erin.uuid}" name="person" value="{cast.erin.uuid}"'
        " hx-preserve>" in page
    )
    url = f"/meetings/{meeting.uuid}/attend/others/"
    ticked = {"person": [str(cast.frank.uuid), str(cast.erin.uuid)]}
    assert cast.client(cast.bob).post(url, ticked).status_code == 403
    for refused in ({"person": ["not-a-uuid"]}, {"person": [str(uuid.uuid4())]}):
        assert cast.client(cast.bob).post(url, refused).status_code == 403, "permission before the list"
    with_outsider = {"person": [str(cast.frank.uuid), str(cast.dave.uuid)]}
    assert cast.client(cast.alice).post(url, with_outsider).status_code == 422
    assert cast.client(cast.alice).post(url, {"person": ["not-a-uuid"]}).status_code == 422
    assert cast.client(cast.alice).post(url, {"person": [str(uuid.uuid4())]}).status_code == 422
    assert cast.client(cast.alice).post(url, {}).status_code == 422
    assert not meeting.attendance.exists()
    response = cast.client(cast.alice).post(url, ticked, follow=True)
    assert "2 people are marked present." in response.content.decode()
    assert sorted(meeting.attendance.values_list("user__username", flat=True)) == ["erin", "frank"]
    page = response.content.decode()
    assert f'value="{cast.frank.uuid}"' not in page and f'value="{cast.bob.uuid}"' in page


def test_a_participant_marks_themselves_present(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    response = cast.client(cast.carol).post(f"/meetings/{meeting.uuid}/attend/", follow=True)
    assert "You are marked present." in response.content.decode()
    assert list(meeting.attendance.values_list("user__username", flat=True)) == ["carol"]
    assert cast.client(cast.dave).post(f"/meetings/{meeting.uuid}/attend/").status_code == 403


def test_agenda_links_the_report_back_and_shows_it_once_filed(cast, meeting):
    from councils.mandates import actions as mandate_actions
    from councils.mandates.models import ReportDue
    from tests.mandates.flows import hold_district_meeting

    hold_district_meeting(cast, now=NOW)
    report = ReportDue.objects.get(delegate=cast.bob)
    erin = cast.client(cast.erin)
    page = erin.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Report back on the meeting of Eastside District" in page
    assert f'<a href="/mandates/reports/{report.uuid}/">Report by Bob Novak</a>' in page
    assert "Not filed yet" in page
    assert "only a recorded vote of the council can remove, merge or postpone it" in page
    # Another member reads the report's page without the delegate's form, and may put a change to the vote.
    other = erin.get(f"/mandates/reports/{report.uuid}/").content.decode()
    assert "Not filed yet." in other and "Submit the report" not in other
    assert "On the agenda" in other and "Table a motion for the council to vote on" in other
    assert (
        "Submit the report" in cast.client(cast.bob).get(f"/mandates/reports/{report.uuid}/").content.decode()
    )
    mandate_actions.submit_report(actor=cast.bob, report=report, text="We voted yes on the levy.", now=NOW)
    page = erin.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Filed" in page and "Not filed yet" not in page
    assert "We voted yes on the levy." in erin.get(f"/mandates/reports/{report.uuid}/").content.decode()


def test_the_chair_is_offered_only_the_kinds_of_item_they_may_add(cast, meeting):
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert '<option value="other">Other business</option>' in page
    assert 'value="report_back"' not in page and 'value="petition"' not in page


def test_a_refused_item_is_explained_on_the_meeting_page_with_the_form_kept(cast, meeting):
    response = cast.client(cast.alice).post(
        f"/meetings/{meeting.uuid}/items/", {"kind": "motion", "title": "Pay claim", "motion": ""}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose a motion of this council." in page and "Add an item" in page
    assert '<option value="motion" selected>' in page and 'value="Pay claim"' in page
    # The alert is tied to the form's fields, so a screen reader reads it from any of them.
    assert '<p class="error" role="alert" tabindex="-1" autofocus id="item-error">Choose a motion' in page
    assert '<select id="motion" name="motion" aria-describedby="item-error">' in page
    assert 'aria-describedby="title-hint item-error"' in page


def test_the_open_button_waits_for_the_time_the_meeting_was_called_for(cast, meeting):
    later = datetime.now(tz=UTC) + timedelta(days=3)
    upcoming = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="AGM", starts_at=later, place="Hall", now=NOW
    )
    page = cast.client(cast.alice).get(f"/meetings/{upcoming.uuid}/").content.decode()
    assert "Open the meeting" not in page and "You can open the meeting from" in page
    due = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Open the meeting" in due and "You can open the meeting from" not in due


def test_meeting_times_say_they_are_utc_as_the_schedule_form_asks(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW + timedelta(hours=2))
    page = cast.client(cast.bob).get(f"/meetings/{meeting.uuid}/").content.decode()
    for label, hour in (("When", "9"), ("Opened", "9"), ("Closed", "11")):
        assert re.search(rf"<dt>{label}</dt><dd>March 1, 2026, {hour} a\.m\. UTC</dd>", page), label
    council = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "General meeting</a> <small>March 1, 2026, 9 a.m. UTC · Canteen" in council


def test_the_motion_picker_offers_only_motions_still_to_be_decided_and_tells_amendments_apart(cast, meeting):
    from councils.motions import actions as motion_actions
    from councils.motions.models import Motion

    def table(title, who=cast.bob):
        return motion_actions.table_motion(
            actor=who, council=cast.riverside, title=title, text="Text.", now=NOW
        )

    safety = table("Safety representatives")
    table("Canteen prices")
    motion_actions.withdraw_motion(actor=cast.bob, motion=table("New lockers"), now=NOW)
    for title, choice in (("Weekend overtime", "no"), ("Heat breaks", "yes")):
        motion = motion_actions.second_motion(actor=cast.erin, motion=table(title), now=NOW)
        vote = motion_actions.open_vote(actor=cast.alice, motion=motion, method="named", now=NOW)
        for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
            motion_actions.cast_vote(actor=voter, vote=vote, choice=choice, now=NOW)
        motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    assert set(Motion.objects.filter(title__in=["Weekend overtime", "Heat breaks"]).values_list("state")) == {
        ("rejected",),
        ("adopted",),
    }
    by_erin = motion_actions.propose_amendment(actor=cast.erin, motion=safety, text="Elect three.", now=NOW)
    by_frank = motion_actions.propose_amendment(
        actor=cast.frank, motion=safety, text="Elect four.", now=NOW + timedelta(hours=1)
    )
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    picker = page[
        page.index('<select id="motion"') : page.index("</select>", page.index('<select id="motion"'))
    ]
    assert "Safety representatives</option>" in picker and "Canteen prices</option>" in picker
    for closed in ("New lockers", "Weekend overtime", "Heat breaks"):
        assert closed not in picker
    assert (
        f'value="{by_erin.uuid}">Amendment 1 to: Safety representatives (proposed by Erin Walsh, ' in picker
    )
    assert (
        f'value="{by_frank.uuid}">Amendment 2 to: Safety representatives (proposed by Frank Costa, ' in picker
    )


def test_people_who_share_a_name_are_told_apart_on_the_attendance_list(cast, meeting):
    from councils.federation import actions as federation_actions
    from tests.conftest import make_user

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert f'<label for="present_{cast.erin.uuid}">Erin Walsh (erin)</label>' in page
    assert f'<label for="present_{namesake.uuid}">Erin Walsh (erin2)</label>' in page
    assert f'<label for="present_{cast.frank.uuid}">Frank Costa</label>' in page


def test_the_one_of_two_namesakes_still_absent_is_told_apart_from_the_one_present(cast, meeting):
    from councils.federation import actions as federation_actions
    from tests.conftest import make_user

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=NOW)
    page = _part(cast.client(cast.alice), meeting, "absent").content.decode()
    assert f'<label for="present_{namesake.uuid}">Erin Walsh (erin2)</label>' in page
    assert f"present_{cast.erin.uuid}" not in page


def _part(client, meeting, part=None):
    query = f"?part={part}" if part else ""
    return client.get(f"/meetings/{meeting.uuid}/{query}", headers={"HX-Request": "true"})


def test_the_page_follows_the_meetings_stream_until_it_closes(cast, meeting):
    page = cast.client(cast.bob).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert (
        f'data-live="/live/meeting-{meeting.uuid}" data-live-reload="meeting.opened meeting.closed"' in page
    )
    assert "web/live-parts.js" in page and "every 5s" not in page
    for part, events in [
        ("attendance", "attendance.changed"),
        ("agenda", "agenda.changed"),
        ("speakers", "speakers.changed agenda.changed"),
    ]:
        refetch = f'hx-get="/meetings/{meeting.uuid}/?part={part}" hx-trigger="live-refresh"'
        assert f'data-live-on="{events}" {refetch}' in page
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.bob).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "data-live" not in page and "live-parts.js" not in page and "hx-trigger" not in page
    assert "Report" in page and "Present" in page


def test_each_live_part_answers_htmx_with_that_part_only(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    actions.join_speakers(actor=cast.bob, item=meeting.items.get(title="Report"), now=NOW)
    erin = cast.client(cast.erin)

    agenda = _part(erin, meeting, "agenda")
    text = agenda.content.decode()
    assert agenda.status_code == 200 and text.lstrip().startswith('<section id="agenda"')
    assert "<strong>Report</strong>" in text and "AOB" in text
    assert "<html" not in text and 'id="speakers"' not in text and 'id="attendance"' not in text
    assert "HX-Request" in agenda["Vary"]

    attendance = _part(erin, meeting, "attendance").content.decode()
    assert attendance.lstrip().startswith('<div id="attendance"')
    assert "1 of the council's 4 voters; 1 needed to take business" in attendance
    # Erin is not marked present yet: the part offers her the button; Bob is present and is not offered it.
    assert (
        "I am here" in attendance
        and "I am here" not in _part(cast.client(cast.bob), meeting, "attendance").content.decode()
    )
    assert "<html" not in attendance and 'id="agenda"' not in attendance

    for speakers in (_part(erin, meeting, "speakers"), _part(erin, meeting)):
        text = speakers.content.decode()
        assert text.lstrip().startswith('<section id="speakers"') and "Bob Novak" in text
        assert "press “I am here” above" in text and "Give the floor" not in text and "<html" not in text

    # The chair's parts have the chair's buttons, but never the chair's panel with its forms.
    chair = _part(cast.client(cast.alice), meeting, "speakers").content.decode()
    assert "Give the floor to the next speaker" in chair and "Add an item" not in chair
    # Moving the agenda on is in the agenda's part, so every officer's page offers the right step.
    chair_agenda = _part(cast.client(cast.alice), meeting, "agenda").content.decode()
    assert "Take the next item" in chair_agenda and "Close the meeting" in chair_agenda
    assert "Add an item" not in chair_agenda
    erin_agenda = agenda.content.decode()
    assert "Take the next item" not in erin_agenda and "Close the meeting" not in erin_agenda
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)  # AOB, the last item
    chair_agenda = _part(cast.client(cast.alice), meeting, "agenda").content.decode()
    assert "Finish the item" in chair_agenda and "Take the next item" not in chair_agenda
    assert (
        "Mark the ticked people present"
        not in _part(cast.client(cast.alice), meeting, "attendance").content.decode()
    )
    # Without htmx the same address is the whole page.
    whole = erin.get(f"/meetings/{meeting.uuid}/?part=agenda").content.decode()
    assert "<html" in whole and 'id="speakers"' in whole and 'id="attendance"' in whole


def test_someone_absent_is_told_to_press_i_am_here_before_asking_to_speak(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.alice, now=NOW)
    item = actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    bob = cast.client(cast.bob)
    follows = 'data-live-on="speakers.changed agenda.changed attendance.changed" hx-get'

    page = bob.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert 'id="attend-button">I am here<' in page and "Ask to speak" not in page
    assert "Only those present may ask to speak: press “I am here” above" in page
    # Until he is present his list follows the attendance, so the chair marking him present offers it.
    assert follows in page
    refused = bob.post(f"/meetings/{meeting.uuid}/items/{item.uuid}/join/")
    assert refused.status_code == 409 and "Mark yourself present first" in refused.content.decode()
    assert not item.speakers.exists()

    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    speakers = _part(bob, meeting, "speakers").content.decode()
    assert 'id="speak-toggle">Ask to speak<' in speakers and "I am here" not in speakers
    assert 'data-live-on="speakers.changed agenda.changed" hx-get' in speakers
    assert bob.post(f"/meetings/{meeting.uuid}/items/{item.uuid}/join/").status_code == 302
    assert item.speakers.get().user == cast.bob
    # Those who may not speak are told nothing about it, present or not, and follow no attendance.
    carol = cast.client(cast.carol).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Only those present" not in carol and follows not in carol


def test_the_speakers_part_reads_the_same_rows_however_many_are_present(cast, meeting):
    """Every delegate fetches it at once on each change: it reads neither the attendance nor the quorum,
    and the list itself is read once per change for all of them."""
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    actions.join_speakers(actor=cast.bob, item=meeting.items.get(title="Report"), now=NOW)
    erin = cast.client(cast.erin)
    _part(erin, meeting, "speakers")  # the session is read once and kept

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert "Bob Novak" in _part(erin, meeting, "speakers").content.decode()
        return [q["sql"] for q in captured.captured_queries]

    kept = queries()
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.carol, cast.erin], now=NOW
    )
    read_again, kept_again = queries(), queries()
    # The session, the viewer, the meeting, and in one query whether they may see it, their rights to
    # chair and to speak, and whether they are present (to offer the list or tell them to press "I am
    # here"); after an event on the meeting's channel, the current item and its list once.
    assert len(kept) == len(kept_again) == 4 and len(read_again) == 6
    assert not any("constitution" in sql for sql in read_again)
    # Of the attendance, only Erin's own row, by its key.
    (attendance,) = (sql for sql in read_again if "meetings_attendance" in sql)
    assert f"meetings_attendance WHERE meeting_id = {meeting.pk} AND user_id = {cast.erin.pk}" in attendance
    assert not any("meetings_speaker" in sql or "meetings_agendaitem" in sql for sql in kept_again)
    # Another delegate's page is given what was read for Erin's, and a change is seen at once.
    assert "Bob Novak" in _part(cast.client(cast.alice), meeting, "speakers").content.decode()
    actions.join_speakers(actor=cast.erin, item=meeting.items.get(title="Report"), now=NOW)
    mine = _part(erin, meeting, "speakers").content.decode()
    assert "Erin Walsh" in mine and "Leave the list" in mine and "Ask to speak" not in mine
    theirs = _part(cast.client(cast.alice), meeting, "speakers").content.decode()
    assert "Erin Walsh" in theirs and "Leave the list" not in theirs


def test_the_chairs_list_of_absent_people_refreshes_itself_and_keeps_the_ticks(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/").content.decode()
    refetch = f'hx-get="/meetings/{meeting.uuid}/?part=absent" hx-trigger="live-refresh" hx-swap="outerHTML"'
    assert f'<div id="absent" data-live-on="attendance.changed" {refetch}>' in page
    # Another officer marks Erin present: the part lists the others, each box kept by the browser.
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=NOW)
    absent = _part(cast.client(cast.alice), meeting, "absent").content.decode()
    assert absent.lstrip().startswith('<div id="absent"') and "<html" not in absent
    assert "Erin Walsh" in page and "Erin Walsh" not in absent
    assert f'id="present_{cast.frank.uuid}" name="person" value="{cast.frank.uuid}" hx-preserve>' in absent
    assert "Add an item" not in absent and 'id="speakers"' not in absent
    # No one else is shown the list.
    assert _part(cast.client(cast.bob), meeting, "absent").content.decode().strip() == ""
    for user in (cast.alice, cast.bob, cast.carol, cast.frank):
        actions.mark_present(actor=cast.alice, meeting=meeting, user=user, now=NOW)
    everyone = _part(cast.client(cast.alice), meeting, "absent").content.decode()
    assert 'id="absent"' in everyone and "Mark present" not in everyone


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_live_part_is_shown_only_to_who_may_see_the_meeting(cast, meeting):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    # The observer follows the list but is not offered to speak, as on the whole page.
    carol = cast.client(cast.carol)
    speakers = _part(carol, meeting, "speakers").content.decode()
    assert "On: <strong>Report</strong>" in speakers and "Ask to speak" not in speakers
    assert "Ask to speak" in _part(cast.client(cast.bob), meeting, "speakers").content.decode()
    for part in LIVE_PARTS:
        assert _part(cast.client(cast.dave), meeting, part).status_code == 404
        assert _part(cast.client(None), meeting, part).status_code == 404
        assert _part(carol, meeting, part).status_code == 200


def test_an_unknown_part_is_refused_with_the_parts_there_are(cast, meeting):
    refused = _part(cast.client(cast.bob), meeting, "chair")
    assert refused.status_code == 422
    assert (
        "No such part of this page: choose one of speakers, agenda, attendance, absent."
        in refused.content.decode()
    )


def test_the_agenda_says_where_a_motion_finished_without_a_vote_stands(cast, meeting):
    """ "Done" says the meeting moved on; whoever reads the agenda must not take it for the motion decided."""
    from councils.motions import actions as motion_actions

    tabled = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen prices", text="Freeze them.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    for _ in range(4):
        actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    agenda = cast.client(cast.bob).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Motion · Done" in agenda
    assert (
        f'<a href="/motions/{motion.uuid}/">Motion: Canteen prices</a> '
        '<small class="state">Seconded, awaiting a vote</small>' in agenda
    )
