"""Steps that cannot be undone (closing a meeting, a vote or a poll, certifying a result) ask again on a
page of their own, which says where things stand and what the step does, before the chair's submit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation.models import Council
from councils.meetings import actions as meeting_actions
from councils.meetings.models import Meeting
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.models import Entry

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _form_to(page: str, url: str) -> bool:
    return f'<form method="post" action="{url}"' in page


def _asks(page: str, *, action: str, button: str, back: str, cancel: str) -> None:
    """The page asks once more: its submit says what it does and leads back without doing it."""
    assert _form_to(page, action)
    assert f'id="confirm-action" aria-describedby="confirm-what">{button}</button>' in page
    assert f'<a class="button secondary" href="{back}" id="confirm-cancel">{cancel}</a>' in page
    assert '<h1 id="confirm" tabindex="-1" autofocus>' in page


# --- Meetings ---


@pytest.fixture
def meeting(cast) -> Meeting:
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    for title in ("Report", "AOB", "Pay claim"):
        meeting_actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title=title, now=NOW)
    return meeting


def _in_session(cast, meeting: Meeting) -> None:
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    for user in (cast.bob, cast.erin):
        meeting_actions.mark_present(actor=user, meeting=meeting, user=user, now=NOW)
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)


def test_the_meeting_page_leads_the_chair_to_a_step_that_asks_before_closing(cast, meeting):
    _in_session(cast, meeting)
    report = meeting.items.get(title="Report")
    meeting_actions.join_speakers(actor=cast.erin, item=report, now=NOW)
    meeting_actions.join_speakers(actor=cast.bob, item=report, now=NOW)
    alice = cast.client(cast.alice)
    page = alice.get(f"/meetings/{meeting.uuid}/").content.decode()
    confirm = f"/meetings/{meeting.uuid}/close/confirm/"
    assert f'<a class="button secondary" href="{confirm}" id="close-meeting">Close the meeting…</a>' in page
    assert not _form_to(page, f"/meetings/{meeting.uuid}/close/")

    entries = Entry.objects.count()
    step = alice.get(confirm)
    assert step.status_code == 200
    page = step.content.decode()
    assert "<title>Close “General meeting”? · " in page
    assert '<p id="confirm-present">2 people are marked present.</p>' in page
    assert (
        "Under discussion: “Report”. Closing finishes it; the 2 people still waiting to speak on it "
        "are taken off the list."
    ) in page
    assert "2 items on the agenda have not been reached. They are recorded as not reached:" in page
    assert "<li>AOB</li><li>Pay claim</li>" in page
    assert "it cannot be undone, as a closed meeting is never reopened" in page
    _asks(
        page,
        action=f"/meetings/{meeting.uuid}/close/",
        button="Close the meeting now",
        back=f"/meetings/{meeting.uuid}/",
        cancel="Keep the meeting open",
    )
    # Asking changes nothing: the meeting is still in session and the record has no new entry.
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN and Entry.objects.count() == entries

    closed = alice.post(f"/meetings/{meeting.uuid}/close/", follow=True).content.decode()
    assert "The meeting is closed: its minutes wait for approval on the Minutes page." in closed


def test_the_closing_step_says_so_when_every_item_was_reached_and_counts_one_speaker(cast, meeting):
    _in_session(cast, meeting)
    for _ in range(2):
        meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/close/confirm/").content.decode()
    assert '<p id="confirm-current">Under discussion: “Pay claim”. Closing finishes it.</p>' in page
    meeting_actions.join_speakers(actor=cast.bob, item=meeting.items.get(title="Pay claim"), now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/close/confirm/").content.decode()
    assert '<p id="confirm-pending">Every item on the agenda has been reached.</p>' in page
    assert "the 1 person still waiting to speak on it is taken off the list" in page
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    page = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/close/confirm/").content.decode()
    assert 'id="confirm-current"' not in page and "Every item on the agenda has been reached." in page


def test_a_meeting_not_in_session_is_not_offered_the_closing_step(cast, meeting):
    alice = cast.client(cast.alice)
    url = f"/meetings/{meeting.uuid}/close/confirm/"
    scheduled = alice.get(url, follow=True)
    assert scheduled.redirect_chain == [(f"/meetings/{meeting.uuid}/", 302)]
    assert (
        "The meeting has not opened yet: only a meeting in session is closed." in scheduled.content.decode()
    )
    _in_session(cast, meeting)
    meeting_actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    closed = alice.get(url, follow=True).content.decode()
    assert "The meeting is already closed." in closed and "Close the meeting now" not in closed


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_only_who_chairs_the_meeting_reaches_its_closing_step(cast, meeting):
    _in_session(cast, meeting)
    url = f"/meetings/{meeting.uuid}/close/confirm/"
    assert cast.client(cast.bob).get(url).status_code == 403
    assert cast.client(cast.carol).get(url).status_code == 403
    anonymous = cast.client(None).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert cast.client(cast.alice).post(url).status_code == 405
    assert cast.client(cast.dave).get(url).status_code == 404


# --- Votes on motions ---


@pytest.fixture
def motion(cast):
    tabled = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    return motion_actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)


def test_the_vote_is_closed_only_from_a_step_that_says_who_has_not_voted(cast, motion):
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", quorum=3)
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    motion_actions.cast_vote(actor=cast.erin, vote=vote, choice="no", now=NOW)
    alice = cast.client(cast.alice)
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    confirm = f"/motions/votes/{vote.uuid}/close/confirm/"
    assert f'<a class="button" href="{confirm}" id="close-vote" aria-describedby="vote-close-hint">' in page
    assert "You are asked to confirm first." in page
    assert not _form_to(page, f"/motions/votes/{vote.uuid}/close/")

    page = alice.get(confirm).content.decode()
    assert "<title>Close the vote on “Safety reps”? · " in page
    assert "2 of the 4 entitled to vote have voted." in page
    assert "So far: 1 yes, 1 no, 0 abstaining." in page
    assert (
        "<strong>2 members entitled to vote have not voted: closing now leaves them no vote.</strong>" in page
    )
    assert (
        "<strong>The quorum of 3 ballots is not reached: closed now, the vote decides nothing.</strong>"
        in page
    )
    assert "Closing counts the vote at once and its result takes effect." in page
    _asks(
        page,
        action=f"/motions/votes/{vote.uuid}/close/",
        button="Close the vote and count it now",
        back=f"/motions/{motion.uuid}/",
        cancel="Keep the vote open",
    )
    assert Vote.objects.get(pk=vote.pk).is_open

    motion_actions.cast_vote(actor=cast.frank, vote=vote, choice="yes", now=NOW)
    page = alice.get(confirm).content.decode()
    assert "3 of the 4 entitled to vote have voted." in page
    assert "1 member entitled to vote has not voted" in page
    assert '<p id="confirm-quorum">The quorum of 3 ballots is reached.</p>' in page
    closed = alice.post(f"/motions/votes/{vote.uuid}/close/", follow=True).content.decode()
    assert "The vote is closed: adopted." in closed
    again = alice.get(confirm, follow=True)
    assert again.redirect_chain == [(f"/motions/{motion.uuid}/", 302)]
    assert "The vote is already closed." in again.content.decode()


def test_the_closing_step_of_a_secret_ballot_tells_turnout_only(cast, motion):
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    page = cast.client(cast.alice).get(f"/motions/votes/{vote.uuid}/close/confirm/").content.decode()
    assert "4 of the 4 entitled to vote have voted." in page
    assert "The ballot is secret: how they voted is known only once the vote is counted." in page
    assert "So far:" not in page and "have not voted" not in page and 'id="confirm-quorum"' not in page
    assert _form_to(page, f"/motions/votes/{vote.uuid}/close/")


def test_before_its_closing_time_the_step_says_the_vote_must_wait(cast, motion):
    now = timezone.now()
    vote = motion_actions.open_vote(
        actor=cast.alice, motion=motion, now=now, method="named", closes_at=now + timedelta(days=1)
    )
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=timezone.now())
    page = cast.client(cast.alice).get(f"/motions/votes/{vote.uuid}/close/confirm/").content.decode()
    assert re.search(
        r'<p class="hint" id="vote-close-wait">The vote closes by itself at [^<]+ UTC and is counted then\. '
        r"It can be closed and counted earlier only once everyone entitled to vote has voted\.</p>",
        page,
    )
    assert not _form_to(page, f"/motions/votes/{vote.uuid}/close/") and "have not voted" not in page
    assert f'<a class="button secondary" href="/motions/{motion.uuid}/" id="confirm-cancel">Back</a>' in page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_only_who_may_close_the_vote_reaches_its_closing_step(cast, motion):
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    url = f"/motions/votes/{vote.uuid}/close/confirm/"
    refused = cast.client(cast.bob).get(url)
    assert (
        refused.status_code == 403
        and "Only the council&#x27;s chair or secretary" in refused.content.decode()
    )
    assert cast.client(cast.carol).get(url).status_code == 403
    assert "/login/" in cast.client(None).get(url)["Location"]
    assert cast.client(cast.dave).get(url).status_code == 404


# --- Elections ---


@pytest.fixture
def election(cast) -> Election:
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    for user in (cast.bob, cast.erin, cast.frank):
        election_actions.nominate(actor=user, election=election, candidate=user, now=NOW)
    opened = timezone.now()
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )
    return election


def _ballots(election: Election, voters, first) -> None:
    for voter in voters:
        election_actions.cast_ballot(
            actor=voter, election=election, ranking=[str(first.uuid)], now=timezone.now()
        )


def test_the_poll_closes_only_from_a_step_that_says_how_many_voted(cast, election):
    bob = election.candidacies.get(candidate=cast.bob)
    alice = cast.client(cast.alice)
    confirm = f"/elections/{election.uuid}/close/confirm/"
    _ballots(election, (cast.alice, cast.bob), bob)
    waiting = alice.get(confirm).content.decode()
    assert "2 of the 4 electors have voted." in waiting and 'id="close-wait"' in waiting
    assert not _form_to(waiting, f"/elections/{election.uuid}/close/")

    _ballots(election, (cast.erin, cast.frank), bob)
    page = alice.get(f"/elections/{election.uuid}/").content.decode()
    assert f'<a class="button" href="{confirm}" id="close-election">Close voting and count…</a>' in page
    assert not _form_to(page, f"/elections/{election.uuid}/close/")
    page = alice.get(confirm).content.decode()
    assert f"<title>Close the poll of “{election.title}”? · " in page
    assert "4 of the 4 electors have voted." in page and "have not voted" not in page
    assert "Closing ends the poll and counts the ballots at once" in page
    _asks(
        page,
        action=f"/elections/{election.uuid}/close/",
        button="Close voting and count now",
        back=f"/elections/{election.uuid}/",
        cancel="Keep the poll open",
    )
    assert Election.objects.get(pk=election.pk).status == Election.Status.VOTING


def test_at_its_closing_time_the_step_warns_of_electors_left_out_and_of_an_empty_box(
    cast, election, monkeypatch
):
    url = f"/elections/{election.uuid}/close/confirm/"
    alice = cast.client(cast.alice)
    closes_at = Election.objects.get(pk=election.pk).closes_at
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    page = alice.get(url).content.decode()
    assert "0 of the 4 electors have voted." in page
    assert "4 electors have not voted: closing now leaves them no vote." in page
    assert "No ballot has been cast: closed now, the election fails and nobody is elected." in page
    assert _form_to(page, f"/elections/{election.uuid}/close/")
    # Had Bob voted in the poll's last minute, the step would count his ballot.
    erin = election.candidacies.get(candidate=cast.erin)
    election_actions.cast_ballot(
        actor=cast.bob, election=election, ranking=[str(erin.uuid)], now=closes_at - timedelta(minutes=1)
    )
    page = alice.get(url).content.decode()
    assert "1 of the 4 electors has voted." in page
    assert "3 electors have not voted" in page and "No ballot has been cast" not in page


def test_the_result_is_certified_only_from_a_step_that_names_the_elected(cast, election):
    erin = election.candidacies.get(candidate=cast.erin)
    _ballots(election, (cast.alice, cast.bob, cast.erin, cast.frank), erin)
    alice = cast.client(cast.alice)
    assert alice.get(f"/elections/{election.uuid}/certify/confirm/", follow=True).redirect_chain == [
        (f"/elections/{election.uuid}/", 302)
    ]
    alice.post(f"/elections/{election.uuid}/close/")
    confirm = f"/elections/{election.uuid}/certify/confirm/"
    page = alice.get(f"/elections/{election.uuid}/").content.decode()
    assert f'<a class="button" href="{confirm}" id="certify-election">Certify the result…</a>' in page
    assert not _form_to(page, f"/elections/{election.uuid}/certify/")
    page = alice.get(confirm).content.decode()
    # Two seats: Erin, with every first preference, then whoever the count elected second.
    elected = [c.candidate.name for c in election.candidacies.filter(is_elected=True)]
    second = next(name for name in elected if name != "Erin Walsh")
    assert '<p id="confirm-elected">The count elected, in order:</p>' in page
    assert f'<ol class="list"><li>Erin Walsh</li><li>{second}</li></ol>' in page
    assert (
        "Certifying makes the result final: the elected take their seats in Eastside District at once, "
        "in place of the sitting delegates. It cannot be undone."
    ) in page
    _asks(
        page,
        action=f"/elections/{election.uuid}/certify/",
        button="Certify the result now",
        back=f"/elections/{election.uuid}/",
        cancel="Not yet",
    )
    assert cast.client(cast.bob).get(confirm).status_code == 403
    assert Election.objects.get(pk=election.pk).status == Election.Status.CLOSED
    alice.post(f"/elections/{election.uuid}/certify/")
    done = alice.get(confirm, follow=True).content.decode()
    assert "The result is not awaiting certification." in done


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_only_who_runs_the_election_reaches_its_closing_step(cast, election):
    url = f"/elections/{election.uuid}/close/confirm/"
    assert cast.client(cast.bob).get(url).status_code == 403
    assert cast.client(cast.carol).get(url).status_code == 403
    assert "/login/" in cast.client(None).get(url)["Location"]
    assert cast.client(cast.alice).post(url).status_code == 405
    assert cast.client(cast.dave).get(url).status_code == 404


# --- Minutes ---


def test_the_minutes_are_approved_only_from_a_step_that_says_by_whom_and_that_it_freezes_them(
    cast, meeting, motion
):
    _in_session(cast, meeting)
    meeting_actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    alice = cast.client(cast.alice)
    minutes = f"/meetings/{meeting.uuid}/minutes/"
    confirm = f"{minutes}approve/confirm/"
    page = alice.get(minutes).content.decode()
    assert f'<form method="get" action="{confirm}" class="stack">' in page
    assert '<button type="submit" id="approve-minutes">Approve and freeze…</button>' in page
    assert not _form_to(page, f"{minutes}approve/")

    by_chair = alice.get(confirm, {"motion": ""}).content.decode()
    assert "<title>Approve the minutes of “General meeting”? · " in by_chair
    assert "Approved by you as the council's officer, without a vote of the council." in by_chair
    assert "they can never be changed or approved again" in by_chair
    assert 'name="motion"' not in by_chair
    by_vote = alice.get(confirm, {"motion": str(motion.uuid)}).content.decode()
    assert "Approved by the council's vote on “Safety reps”." in by_vote
    assert f'<input type="hidden" name="motion" value="{motion.uuid}">' in by_vote
    _asks(
        by_vote,
        action=f"{minutes}approve/",
        button="Approve and freeze the minutes now",
        back=minutes,
        cancel="Back to the draft",
    )
    meeting.refresh_from_db()
    assert meeting.minutes_approved_at is None

    # A motion that is not an adopted one of this council, or no motion at all, is refused, not a 500.
    for wrong in ("not-a-uuid", str(meeting.uuid)):
        for response in (
            alice.get(confirm, {"motion": wrong}),
            alice.post(f"{minutes}approve/", {"motion": wrong}),
        ):
            assert response.status_code == 422
            assert "Choose an adopted motion of this council." in response.content.decode()
    assert cast.client(cast.bob).get(confirm).status_code == 403

    approved = alice.post(f"{minutes}approve/", {"motion": str(motion.uuid)}, follow=True).content.decode()
    assert "The minutes are approved and frozen" in approved
    again = alice.get(confirm, follow=True)
    assert again.redirect_chain == [(minutes, 302)]
    assert "These minutes are already approved and frozen." in again.content.decode()


def test_the_minutes_of_a_meeting_still_in_session_have_no_approval_step(cast, meeting):
    _in_session(cast, meeting)
    response = cast.client(cast.alice).get(f"/meetings/{meeting.uuid}/minutes/approve/confirm/", follow=True)
    assert "Minutes are approved once the meeting is closed." in response.content.decode()


# --- Forwarding a motion ---


def test_an_adopted_motion_is_forwarded_only_from_a_step_that_says_where_and_for_good(cast, motion):
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    confirm = f"/motions/{motion.uuid}/forward/confirm/"
    alice = cast.client(cast.alice)
    early = alice.get(confirm, follow=True)
    assert early.redirect_chain == [(f"/motions/{motion.uuid}/", 302)]
    assert "This motion is not one to forward." in early.content.decode()
    for voter, choice in ((cast.bob, "yes"), (cast.erin, "yes"), (cast.frank, "no")):
        motion_actions.cast_vote(actor=voter, vote=vote, choice=choice, now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert f'<a class="button" href="{confirm}" id="forward-motion">Forward to Eastside District…</a>' in page
    assert not _form_to(page, f"/motions/{motion.uuid}/forward/")
    page = alice.get(confirm).content.decode()
    assert "<title>Forward “Safety reps” to Eastside District? · " in page
    assert '<p id="confirm-result">Riverside Depot adopted it by 2 for, 1 against, 0 abstaining.</p>' in page
    assert "It cannot be undone: the motion is forwarded once, and cannot be called back." in page
    _asks(
        page,
        action=f"/motions/{motion.uuid}/forward/",
        button="Forward to Eastside District now",
        back=f"/motions/{motion.uuid}/",
        cancel="Not now",
    )
    assert cast.client(cast.bob).get(confirm).status_code == 403
    motion.refresh_from_db()
    assert motion.state == "adopted"
    alice.post(f"/motions/{motion.uuid}/forward/")
    assert "This motion is not one to forward." in alice.get(confirm, follow=True).content.decode()


# --- Withdrawing a motion ---


def test_a_motion_is_withdrawn_only_from_a_step_that_says_it_is_for_good(cast, motion):
    motion_actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three.", now=NOW)
    confirm = f"/motions/{motion.uuid}/withdraw/confirm/"
    bob = cast.client(cast.bob)
    page = bob.get(f"/motions/{motion.uuid}/").content.decode()
    assert f'<a class="button secondary" href="{confirm}" id="withdraw-motion">Withdraw…</a>' in page
    assert not _form_to(page, f"/motions/{motion.uuid}/withdraw/")
    page = bob.get(confirm).content.decode()
    assert "Its amendment still before the council lapses with it." in page
    assert "It cannot be undone: a withdrawn motion is never brought back" in page
    _asks(
        page,
        action=f"/motions/{motion.uuid}/withdraw/",
        button="Withdraw the motion now",
        back=f"/motions/{motion.uuid}/",
        cancel="Keep the motion",
    )
    assert cast.client(cast.erin).get(confirm).status_code == 403
    motion.refresh_from_db()
    assert motion.state == "seconded"
    bob.post(f"/motions/{motion.uuid}/withdraw/")
    later = bob.get(confirm, follow=True)
    assert "This motion can no longer be withdrawn." in later.content.decode()


def test_an_amendment_is_withdrawn_from_a_step_that_names_it_an_amendment(cast, motion):
    amendment = motion_actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three.", now=NOW
    )
    page = cast.client(cast.frank).get(f"/motions/{amendment.uuid}/withdraw/confirm/").content.decode()
    assert "a withdrawn amendment is never brought back, though a new one may be proposed" in page
    _asks(
        page,
        action=f"/motions/{amendment.uuid}/withdraw/",
        button="Withdraw the amendment now",
        back=f"/motions/{amendment.uuid}/",
        cancel="Keep the amendment",
    )
