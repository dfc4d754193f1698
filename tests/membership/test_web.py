from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application, DisciplineCase
from councils.motions.models import Vote
from tests.conftest import make_user
from tests.membership.support import LATER, adopt, entries, upheld_case
from tests.personas import LOGIN, WEB, check, check_wrong_method


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


# Candidate periods of `short_candidacy`: short enough that one which ended days ago, told against the real
# clock, began after the sponsors founded at NOW had their months of standing.
CANDIDATE_DAYS = 30


@pytest.fixture
def short_candidacy(cast):
    adopt(cast, candidate_period_days=CANDIDATE_DAYS)
    return cast


def _application(cast):
    gina = make_user("gina", "Gina")
    return gina, actions.apply_for_membership(actor=gina, council=cast.riverside, now=timezone.now())


def _case(cast):
    return actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=timezone.now() + timedelta(days=20),
        now=timezone.now(),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_see_an_application_page(ready, persona, status):
    _, application = _application(ready)
    response = check(
        ready, persona, WEB, "get", f"/membership/applications/{application.uuid}/", expected=status
    )
    if status == 200:
        assert "Gina" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302), ("officer", 302)],
)
def test_personas_sponsor_on_the_web(ready, persona, status):
    _, application = _application(ready)
    check(
        ready, persona, WEB, "post", f"/membership/applications/{application.uuid}/sponsor/", expected=status
    )


def test_sponsoring_on_the_web_and_the_api_records_the_same_entry(ready):
    _, first = _application(ready)
    hugo = make_user("hugo", "Hugo")
    second = actions.apply_for_membership(actor=hugo, council=ready.riverside, now=timezone.now())
    check(ready, "member", WEB, "post", f"/membership/applications/{first.uuid}/sponsor/", expected=302)
    ready.api(ready.bob).post(f"/api/v1/membership/applications/{second.uuid}/sponsor")
    web, api = entries("membership.sponsored")
    assert web["actor"] == api["actor"]
    assert set(web["payload"]) == set(api["payload"])
    assert web["payload"]["sponsors"] == api["payload"]["sponsors"] == 1


def test_apply_page_and_form(ready):
    gina = make_user("gina", "Gina")
    client = ready.client(gina)
    url = f"/membership/apply/{ready.riverside.uuid}/"
    assert "sponsors" in client.get(url).content.decode()
    response = client.post(url, {"statement": "I drive the 42."})
    assert response.status_code == 302
    assert Application.objects.get(applicant=gina).statement == "I drive the 42."
    refused = ready.client(ready.bob).post(url, {})
    assert refused.status_code == 409
    assert "already a member" in refused.content.decode()


def test_a_member_is_refused_the_application_form_before_filling_it_in(ready):
    url = f"/membership/apply/{ready.riverside.uuid}/"
    own = ready.client(ready.bob).get(url)
    assert own.status_code == 409 and "You are already a member of Riverside Depot." in own.content.decode()
    assert 'name="statement"' not in own.content.decode()
    elsewhere = ready.client(ready.dave).get(url).content.decode()
    assert "You are a member of Harbour Works: to move to Riverside Depot, ask for a transfer" in elsewhere


def test_apply_with_an_overlong_statement_is_422(ready):
    gina = make_user("gina", "Gina")
    response = ready.client(gina).post(
        f"/membership/apply/{ready.riverside.uuid}/", {"statement": "x" * 20_001}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 403), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_see_the_council_admissions_page(ready, persona, status, django_assert_max_num_queries):
    _application(ready)
    _case(ready)
    with django_assert_max_num_queries(40):
        check(ready, persona, WEB, "get", f"/membership/council/{ready.riverside.uuid}/", expected=status)


def _charges_form(cast, **kw):
    data = {
        "membership": str(Membership.objects.get(user=cast.frank).uuid),
        "charges": "Broke the picket line.",
        "penalty": "expulsion",
        "hearing_at": (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(kw)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 403), ("observer", 403), ("member", 302), ("officer", 302)],
)
def test_personas_bring_charges_on_the_web(ready, persona, status):
    check(
        ready,
        persona,
        WEB,
        "post",
        f"/membership/council/{ready.riverside.uuid}/charges/",
        _charges_form(ready),
        expected=status,
    )


def test_charges_form_errors_are_422_and_short_notice_is_refused(ready):
    url = f"/membership/council/{ready.riverside.uuid}/charges/"
    form = ready.client(ready.alice).get(url).content.decode()
    assert "the penalty needs two thirds of votes cast." in form
    check(ready, "member", WEB, "post", url, _charges_form(ready, charges=""), expected=422)
    short = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = check(ready, "member", WEB, "post", url, _charges_form(ready, hearing_at=short), expected=422)
    assert "at least 14 days" in response.content.decode()
    assert not DisciplineCase.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_see_a_case(ready, persona, status):
    case = _case(ready)
    response = check(ready, persona, WEB, "get", f"/membership/cases/{case.uuid}/", expected=status)
    if status == 200:
        assert "Broke the picket line" in response.content.decode()


def test_the_parties_are_told_before_the_hearing_that_they_do_not_vote(ready):
    case = _case(ready)
    told = "As a party to this case you do not vote on it."
    for party in (ready.frank, ready.bob):
        assert told in ready.client(party).get(f"/membership/cases/{case.uuid}/").content.decode()
    assert told not in ready.client(ready.alice).get(f"/membership/cases/{case.uuid}/").content.decode()


def test_accused_files_a_defence_and_the_early_hearing_is_refused(ready):
    case = _case(ready)
    frank = ready.client(ready.frank)
    page = frank.get(f"/membership/cases/{case.uuid}/").content.decode()
    assert "File my answer" in page
    response = frank.post(
        f"/membership/cases/{case.uuid}/defence/",
        {
            "statement": "I was on leave.",
            "evidence_title": "Leave slip",
            "evidence_url": "https://example.org/slip",
        },
    )
    assert response.status_code == 302
    assert case.defences.get().evidence[0]["url"] == "https://example.org/slip"
    assert frank.post(f"/membership/cases/{case.uuid}/defence/", {"statement": ""}).status_code == 422
    early = check(ready, "officer", WEB, "post", f"/membership/cases/{case.uuid}/hearing/", expected=409)
    assert "cannot be held earlier" in early.content.decode()
    check(ready, "observer", WEB, "post", f"/membership/cases/{case.uuid}/hearing/", expected=403)
    check_wrong_method(ready, WEB, f"/membership/cases/{case.uuid}/hearing/", "get")


def test_home_lists_my_applications_and_cases(ready):
    case = _case(ready)
    page = ready.client(ready.frank).get("/membership/").content.decode()
    assert f"/membership/cases/{case.uuid}/" in page
    check(ready, "anonymous", WEB, "get", "/membership/", expected=LOGIN)


def test_council_page_shows_a_flagged_admission(ready):
    for name in ("gina", "hugo"):
        user = make_user(name, name.title())
        application = actions.apply_for_membership(actor=user, council=ready.riverside, now=timezone.now())
    assert application.is_flagged
    page = check(ready, "outsider", WEB, "get", f"/councils/{ready.riverside.uuid}/").content.decode()
    assert "Flagged admissions" in page
    district = check(ready, "member", WEB, "get", f"/councils/{ready.district.uuid}/").content.decode()
    assert "Flagged admissions" in district


def test_appeal_on_the_web_after_an_expulsion(ready):
    from councils.federation.models import Office
    from tests.membership.support import seat

    case = upheld_case(ready, now=timezone.now(), penalty="expulsion")
    # The appeal window runs from the decision, which the test dated ahead of the clock.
    frank = ready.client(ready.frank)
    url = f"/membership/cases/{case.uuid}/"
    assert "Appeal" in frank.get(url).content.decode()
    assert frank.post(url + "appeal/", {"grounds": ""}).status_code == 422
    assert frank.post(url + "appeal/", {"grounds": "The hearing ignored my evidence."}).status_code == 302
    appeal = case.appeals.get()
    assert appeal.council == ready.district
    seat(ready, from_council=ready.harbour, users=[ready.dave])
    from councils.federation import actions as federation_actions
    from tests.membership.support import NOW

    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.dave, role=Office.Role.CHAIR, now=NOW
    )
    # Bob sits in the district but does not chair it; Dave (the "outsider" persona) now chairs it.
    check(ready, "member", WEB, "post", f"/membership/appeals/{appeal.uuid}/call-vote/", expected=403)
    response = check(
        ready, "outsider", WEB, "post", f"/membership/appeals/{appeal.uuid}/call-vote/", expected=302
    )
    assert response["Location"].startswith("/motions/")


def test_pages_say_the_defaults_apply_before_any_constitution(cast):
    page = cast.client(make_user("hugo", "Hugo")).get(f"/membership/apply/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert "Defaults apply: no constitution adopted yet" in page.content.decode()
    _, application = _application(cast)
    page = check(cast, "member", WEB, "get", f"/membership/applications/{application.uuid}/", expected=200)
    assert "The <a href" in page.content.decode()
    assert "default rules</a>: no constitution had been adopted when it began." in page.content.decode()
    page = check(
        cast, "member", WEB, "get", f"/membership/council/{cast.riverside.uuid}/charges/", expected=200
    )
    assert "Defaults apply: no constitution adopted yet" in page.content.decode()


def test_pages_name_the_adopted_version(ready):
    _, application = _application(ready)
    page = check(ready, "member", WEB, "get", f"/membership/applications/{application.uuid}/", expected=200)
    assert "Version 1 of the constitution</a>" in page.content.decode()
    assert "Defaults apply" not in page.content.decode()


def test_a_standalone_councils_chair_calls_the_longer_standing_members_vote(ready):
    from tests.membership.support import standalone_council

    bakery, (sam, tess, uma, _) = standalone_council(ready)
    flagged = None
    for name in ("wes", "xia"):
        flagged = actions.apply_for_membership(actor=make_user(name, name.title()), council=bakery, now=LATER)
        for sponsor in (tess, uma):
            actions.sponsor_application(actor=sponsor, application=flagged, now=LATER)
    url = f"/membership/applications/{flagged.uuid}/"
    page = ready.client(sam).get(url).content.decode()
    assert "it has no council above, so its members who were full members before" in page
    assert "Call the longer-standing members' approval vote" in page
    assert "Call the longer-standing members" not in ready.client(tess).get(url).content.decode()
    response = ready.client(sam).post(url + "call-approval-vote/")
    assert response.status_code == 302 and "/motions/" in response["Location"]
    page = ready.client(tess).get(url).content.decode()
    assert "the vote of the longer-standing members" in page
    listing = ready.client(sam).get(f"/membership/council/{bakery.uuid}/").content.decode()
    assert "Flagged: needs the longer-standing members" in listing


def test_members_who_share_a_name_are_told_apart_in_the_charges_form(ready):
    from councils.federation import actions as federation_actions
    from tests.conftest import NOW

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=ready.riverside, user=namesake, now=NOW)
    page = (
        ready.client(ready.bob).get(f"/membership/council/{ready.riverside.uuid}/charges/").content.decode()
    )
    memberships = {m.user_id: m.uuid for m in Membership.objects.filter(council=ready.riverside)}
    erin, erin2, frank = (
        f'<option value="{memberships[u.pk]}">{label}</option>'
        for u, label in (
            (ready.erin, "Erin Walsh (erin)"),
            (namesake, "Erin Walsh (erin2)"),
            (ready.frank, "Frank Costa"),
        )
    )
    assert erin in page and erin2 in page and frank in page
    # Listed by name, so the two who share one stand side by side.
    assert page.index(erin) < page.index(erin2) < page.index(frank)


def test_charges_refused_by_the_rules_keep_what_was_written(ready):
    url = f"/membership/council/{ready.riverside.uuid}/charges/"
    form = ready.client(ready.alice).get(url).content.decode()
    # Nobody is picked in advance: charging the first name by mistake would notify the wrong member.
    assert '<option value="" selected>Choose the member</option>' in form
    response = check(
        ready,
        "member",
        WEB,
        "post",
        url,
        _charges_form(ready, penalty="suspension", charges="Took the strike fund's keys."),
        expected=422,
    )
    page = response.content.decode()
    assert "A suspension lasts between 1 and 3650 days; say how many." in page
    assert "Took the strike fund&#x27;s keys." in page
    assert "Bring written charges" in page
    assert not DisciplineCase.objects.exists()


def test_case_page_says_until_when_to_appeal_and_when_a_suspension_can_end(ready):
    # Decided a month ago: the 30 days to appeal have just run out, and the suspension is still running.
    case = upheld_case(ready, now=timezone.now() - timedelta(days=45))
    url = f"/membership/cases/{case.uuid}/"
    page = ready.client(ready.frank).get(url).content.decode()
    assert "The time to appeal ran out on" in page
    assert "Grounds of appeal" not in page
    assert "End the served suspension" not in page
    assert "from then the member or an officer can end it here" in page


def test_case_page_offers_the_appeal_until_it_is_lodged(ready):
    # Decided just now: the appeal is offered with its deadline, and once lodged it is not offered again.
    case = upheld_case(ready, now=timezone.now() - timedelta(days=15))
    url = f"/membership/cases/{case.uuid}/"
    page = ready.client(ready.frank).get(url).content.decode()
    assert "You may appeal until" in page and "Grounds of appeal" in page
    ready.client(ready.frank).post(url + "appeal/", {"grounds": "Four ballots decided it."})
    page = ready.client(ready.frank).get(url).content.decode()
    assert "Grounds of appeal" not in page and "You may appeal until" not in page
    until = date_format(case.suspended_until, "DATE_FORMAT")
    assert f'<dt>Suspended until</dt><dd id="suspension">{until}</dd>' in page


def test_case_page_says_a_served_suspension_can_be_ended(ready):
    # Decided 91 days ago and appealed in time: the 90 days' suspension was served yesterday.
    case = upheld_case(ready, now=timezone.now() - timedelta(days=106))
    actions.lodge_appeal(
        actor=ready.frank,
        case=case,
        grounds="Four ballots decided it.",
        now=case.decided_at + timedelta(days=1),
    )
    url = f"/membership/cases/{case.uuid}/"
    served = date_format(case.suspended_until, "DATE_FORMAT")
    for viewer in (ready.frank, ready.bob):
        page = ready.client(viewer).get(url).content.decode()
        assert (
            f'<dt>Suspension served</dt><dd id="suspension">on {served}; the member stays suspended until '
            "they or the council's chair or secretary end the suspension here</dd>"
        ) in page
        assert "Suspended until" not in page and "runs until" not in page
    assert "End the served suspension" in ready.client(ready.frank).get(url).content.decode()


def test_an_appeal_sent_back_with_errors_keeps_the_rest_of_the_case_page(ready):
    # Decided just now, so the appeal is still open.
    case = upheld_case(ready, now=timezone.now() - timedelta(days=15))
    url = f"/membership/cases/{case.uuid}/"
    response = ready.client(ready.frank).post(url + "appeal/", {"grounds": ""})
    page = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in page and "You may appeal until" in page
    assert f'href="/motions/{case.motion_uuid}/"' in page


def test_the_vote_on_charges_links_the_case_for_its_voters(ready):
    case = upheld_case(ready, now=timezone.now() - timedelta(days=16))
    page = check(ready, "member", WEB, "get", f"/motions/{case.motion_uuid}/", expected=200).content.decode()
    assert f'href="/membership/cases/{case.uuid}/"' in page
    assert "The case against Frank Costa: the charges, the member's answer and the hearing" in page


@pytest.mark.usefixtures("short_candidacy")
def test_the_admission_vote_links_the_application_and_waits_for_the_candidate_period(cast):
    # Gina's candidate period ended yesterday; Hugo's has just begun.
    gina = actions.apply_for_membership(actor=make_user("gina", "Gina"), council=cast.riverside, now=LATER)
    gina = _candidate_until(gina, timezone.now() - timedelta(days=1))
    hugo = actions.apply_for_membership(
        actor=make_user("hugo", "Hugo"), council=cast.riverside, now=timezone.now()
    )
    for sponsor in (cast.bob, cast.erin):
        actions.sponsor_application(actor=sponsor, application=hugo, now=timezone.now())
    page = cast.client(cast.alice).get(f"/membership/applications/{hugo.uuid}/").content.decode()
    assert "The admission vote can be called once the candidate period ends" in page
    assert "Call the admission vote" not in page
    assert "Bob Novak, Erin Walsh (2 of 2 needed)" in page
    url = f"/membership/applications/{gina.uuid}/"
    page = cast.client(cast.alice).get(url).content.decode()
    assert "Call the admission vote" in page
    response = cast.client(cast.alice).post(url + "call-vote/")
    motion = cast.client(cast.erin).get(response["Location"]).content.decode()
    assert f'href="{url}"' in motion and "Gina's application, sponsors and candidate period" in motion


def test_the_accused_finds_the_charges_on_the_home_page(ready):
    case = _case(ready)
    page = ready.client(ready.frank).get("/").content.decode()
    assert "Charges against you" in page and f'href="/membership/cases/{case.uuid}/"' in page
    assert "Charges against you" not in ready.client(ready.erin).get("/").content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    # Carol observes Riverside but is a member of no council, so has nothing to transfer.
    [("anonymous", LOGIN), ("outsider", 200), ("observer", 409), ("member", 200), ("officer", 200)],
)
def test_personas_see_the_transfer_page(ready, persona, status):
    response = check(ready, persona, WEB, "get", "/membership/transfer/", expected=status)
    if status == 200:
        page = response.content.decode()
        assert "Transfer to another council" in page
        # Only the other base councils of the federation are offered, each with the council above it,
        # and none is picked in advance.
        assert f'value="{ready.district.uuid}"' not in page
        assert '<option value="" selected>Choose the council</option>' in page
        if persona != "outsider":
            assert f'<option value="{ready.harbour.uuid}">Harbour Works (Eastside District)</option>' in page
        offered = {
            name: f'value="{c.uuid}"' in page
            for name, c in (("harbour", ready.harbour), ("riverside", ready.riverside))
        }
        assert offered == {"harbour": persona != "outsider", "riverside": persona == "outsider"}


@pytest.mark.parametrize(
    ("persona", "status"),
    # Harbour Works is not among Dave's choices: he is in it already.
    [("anonymous", LOGIN), ("outsider", 422), ("observer", 409), ("member", 302), ("officer", 302)],
)
def test_personas_ask_to_transfer_on_the_web(ready, persona, status):
    check(
        ready,
        persona,
        WEB,
        "post",
        "/membership/transfer/",
        {"council": str(ready.harbour.uuid)},
        expected=status,
    )


def test_transfer_on_the_web_and_shown_to_the_receiving_council(ready):
    client = ready.client(ready.dave)
    assert "Transfer to another council" in client.get("/membership/").content.decode()
    response = client.post(
        "/membership/transfer/", {"council": str(ready.riverside.uuid), "statement": "New job."}
    )
    assert response.status_code == 302
    application = Application.objects.get(applicant=ready.dave)
    assert application.transfer_from.council == ready.harbour
    admissions = (
        ready.client(ready.alice).get(f"/membership/council/{ready.riverside.uuid}/").content.decode()
    )
    assert "Transfer from Harbour Works" in admissions
    page = ready.client(ready.alice).get(f"/membership/applications/{application.uuid}/").content.decode()
    assert "asks to transfer from Harbour Works to Riverside Depot" in page
    assert "Call the admission vote" in page
    mine = client.get(f"/membership/applications/{application.uuid}/").content.decode()
    assert "Withdraw my transfer" in mine
    assert client.post(f"/membership/applications/{application.uuid}/withdraw/").status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_transfer_on_the_web_and_the_api_record_the_same_entry(ready):
    check(
        ready,
        "member",
        WEB,
        "post",
        "/membership/transfer/",
        {"council": str(ready.harbour.uuid)},
        expected=302,
    )
    ready.api(ready.dave).post(
        "/api/v1/membership/transfers",
        {"council": str(ready.riverside.uuid)},
        content_type="application/json",
    )
    web, api = entries("membership.transfer_requested")
    assert set(web["payload"]) == set(api["payload"])
    assert (web["actor"], api["actor"]) == (str(ready.bob.uuid), str(ready.dave.uuid))


def _heard_case(cast):
    """Charges brought three weeks ago, heard last week: ready for the council's vote."""
    then = timezone.now() - timedelta(days=21)
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=then + timedelta(days=14),
        now=then,
    )
    return actions.record_hearing(actor=cast.alice, case=case, now=then + timedelta(days=14))


def test_the_chair_sets_when_the_vote_on_charges_closes_within_the_constitutions_limits(ready):
    case = _heard_case(ready)
    url = f"/membership/cases/{case.uuid}/"
    page = check(ready, "officer", WEB, "get", url, expected=200).content.decode()
    assert "The vote closes at (date and time, UTC)" in page
    assert "At least 7 days and at most 31 days from now, as the constitution sets" in page
    assert "before then it can be closed only once every member entitled to vote has voted" in page
    filled = re.search(r'name="vote-closes_at" value="([^"]+)"', page)
    assert filled is not None
    earliest = timezone.now() + timedelta(days=7)
    filled_in = timezone.make_aware(datetime.fromisoformat(filled.group(1)))
    assert earliest + timedelta(minutes=29) < filled_in <= earliest + timedelta(minutes=90)
    # A vote closing tomorrow is refused on the form, which says the earliest time allowed.
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = ready.client(ready.alice).post(url + "call-vote/", {"vote-closes_at": tomorrow})
    assert response.status_code == 422
    page = response.content.decode()
    assert "The vote on charges must stay open at least 7 days: close it at" in page
    assert "aria-invalid" in page and tomorrow in page
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.HEARD
    # The time filled in is accepted, and the vote's page says when it closes and that it waits.
    response = ready.client(ready.alice).post(url + "call-vote/", {"vote-closes_at": filled.group(1)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.VOTING
    vote = Vote.objects.get(motion__uuid=case.motion_uuid)
    assert vote.closes_at == timezone.make_aware(datetime.fromisoformat(filled.group(1)))
    page = ready.client(ready.erin).get(response["Location"]).content.decode()
    assert "The vote closes by itself at" in page
    assert "It cannot be closed earlier unless everyone entitled to vote has voted." in page


def test_left_empty_the_vote_on_charges_closes_at_the_earliest_time_allowed(ready):
    case = _heard_case(ready)
    before = timezone.now()
    response = ready.client(ready.alice).post(f"/membership/cases/{case.uuid}/call-vote/", {})
    assert response.status_code == 302
    case.refresh_from_db()
    vote = Vote.objects.get(motion__uuid=case.motion_uuid)
    assert before + timedelta(days=7) <= vote.closes_at <= timezone.now() + timedelta(days=7)


def test_a_transfer_asked_without_choosing_a_council_is_sent_back(ready):
    form = {"council": "", "statement": "New job."}
    response = ready.client(ready.dave).post("/membership/transfer/", form)
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    assert "New job." in response.content.decode()
    assert not Application.objects.filter(applicant=ready.dave).exists()


def test_the_chair_sets_when_the_admission_vote_closes_within_the_constitutions_limits(ready):
    transfer = actions.request_transfer(actor=ready.dave, council=ready.riverside, now=timezone.now())
    url = f"/membership/applications/{transfer.uuid}/"
    page = ready.client(ready.alice).get(url).content.decode()
    assert "At least 3 days and at most 31 days from now, as the constitution sets" in page
    filled = re.search(r'name="vote-closes_at" value="([^"]+)"', page)
    assert filled is not None
    earliest = timezone.now() + timedelta(days=3)
    filled_in = timezone.make_aware(datetime.fromisoformat(filled.group(1)))
    assert earliest + timedelta(minutes=29) < filled_in <= earliest + timedelta(minutes=90)
    # A vote closing within the hour, to be carried by whoever is in the room, is refused on the form.
    soon = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = ready.client(ready.alice).post(url + "call-vote/", {"vote-closes_at": soon})
    assert response.status_code == 422
    page = response.content.decode()
    assert "The admission vote must stay open at least 3 days: close it at" in page
    assert "aria-invalid" in page and soon in page
    transfer.refresh_from_db()
    assert transfer.status == Application.Status.AWAITING_VOTE
    response = ready.client(ready.alice).post(url + "call-vote/", {"vote-closes_at": filled.group(1)})
    assert response.status_code == 302
    transfer.refresh_from_db()
    vote = Vote.objects.get(motion__uuid=transfer.motion_uuid)
    assert vote.closes_at == filled_in
    page = ready.client(ready.erin).get(response["Location"]).content.decode()
    assert "The vote closes by itself at" in page


def test_left_empty_the_approval_vote_closes_at_the_earliest_time_allowed(ready):
    from tests.membership.support import standalone_council

    bakery, (sam, tess, uma, _) = standalone_council(ready)
    for name in ("wes", "xia"):
        flagged = actions.apply_for_membership(
            actor=make_user(name, name.title()), council=bakery, now=timezone.now()
        )
        for sponsor in (tess, uma):
            actions.sponsor_application(actor=sponsor, application=flagged, now=timezone.now())
    url = f"/membership/applications/{flagged.uuid}/"
    too_late = (timezone.now() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = ready.client(sam).post(url + "call-approval-vote/", {"approval-closes_at": too_late})
    assert response.status_code == 422
    assert "An approval vote may stay open at most 31 days" in response.content.decode()
    before = timezone.now()
    response = ready.client(sam).post(url + "call-approval-vote/", {})
    assert response.status_code == 302
    flagged.refresh_from_db()
    vote = Vote.objects.get(motion__uuid=flagged.parent_motion_uuid)
    assert before + timedelta(days=3) <= vote.closes_at <= timezone.now() + timedelta(days=3)


@pytest.mark.usefixtures("short_candidacy")
def test_a_candidate_reads_until_when_and_what_they_may_not_do_yet(cast):
    gina = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    page = cast.client(gina).get("/membership/").content.decode()
    assert 'id="candidate-period"' not in page, "an applicant is not a candidate yet"
    application = _candidate_until(application, timezone.now() + timedelta(days=30))
    until = date_format(application.candidate_until, "DATE_FORMAT")
    for url in ("/membership/", "/"):
        page = cast.client(gina).get(url).content.decode()
        assert f"Your candidate period runs until {until}." in page
        assert "you may not yet vote, table, second or amend motions" in page
        assert f'<a href="/membership/applications/{application.uuid}/">Your application</a>' in page
        assert "ended on" not in page
        assert 'id="candidate-period"' not in cast.client(cast.bob).get(url).content.decode()


def _candidate_until(application: Application, until: datetime) -> Application:
    """The applicant a candidate until `until`, told against the real clock (under `short_candidacy`).

    Bob and Erin sponsor the application a candidate period before `until`, which starts it.
    """
    for sponsor in (Membership.objects.get(user__username=u).user for u in ("bob", "erin")):
        actions.sponsor_application(
            actor=sponsor, application=application, now=until - timedelta(days=CANDIDATE_DAYS)
        )
    application.refresh_from_db()
    assert application.candidate_until == until
    return application


def _open_vote_and_poll(ready):
    """A named vote and an election's poll open now in Riverside, as a candidate would find them."""
    from councils.elections import actions as election_actions
    from councils.motions import actions as motion_actions
    from tests.membership.support import nominated_election

    now = timezone.now()
    motion = motion_actions.table_motion(
        actor=ready.bob, council=ready.riverside, title="Heating", text="Fix it.", now=now
    )
    motion_actions.second_motion(actor=ready.erin, motion=motion, now=now)
    motion_actions.open_vote(actor=ready.alice, motion=motion, now=now, method="named")
    election = nominated_election(ready)
    election_actions.open_voting(
        actor=ready.alice, election=election, closes_at=now + timedelta(days=2), now=now
    )
    return now, motion, election


@pytest.mark.usefixtures("short_candidacy")
def test_a_candidate_whose_period_has_ended_reads_that_their_admission_is_still_to_be_decided(cast):
    now, motion, election = _open_vote_and_poll(cast)
    gina = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    application = _candidate_until(application, now - timedelta(days=3))
    ended = date_format(application.candidate_until, "DATE_FORMAT")
    pages = ("/", "/membership/", f"/motions/{motion.uuid}/", f"/elections/{election.uuid}/")
    for url in pages:
        page = cast.client(gina).get(url).content.decode()
        assert f"Your candidate period ended on {ended}; your council has yet to vote on your" in page
        assert "Until you are admitted you may attend the council's meetings and speak at them" in page
        assert "runs until" not in page and "Once it ends" not in page
    actions.call_admission_vote(actor=cast.alice, application=application, now=timezone.now())
    for url in pages:
        page = cast.client(gina).get(url).content.decode()
        assert f"Your candidate period ended on {ended}, and your admission is being put to the vote." in page
        assert "has yet to vote" not in page


@pytest.mark.usefixtures("short_candidacy")
def test_a_candidate_reads_on_a_vote_why_they_may_not_vote_in_it(cast):
    now, motion, election = _open_vote_and_poll(cast)
    pages = (f"/motions/{motion.uuid}/", f"/elections/{election.uuid}/")
    gina = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    application = _candidate_until(application, now + timedelta(days=30))
    until = date_format(application.candidate_until, "DATE_FORMAT")
    for page in (cast.client(gina).get(url).content.decode() for url in pages):
        assert f"Your candidate period runs until {until}." in page
        assert "the council votes on whether to admit you as a full member" in page
        assert "electorate (frozen when" not in page


def test_charging_a_member_who_already_faces_charges_is_said_on_the_form_keeping_the_text(ready):
    url = f"/membership/council/{ready.riverside.uuid}/charges/"
    client = ready.client(ready.alice)
    assert client.post(url, _charges_form(ready)).status_code == 302
    response = client.post(url, _charges_form(ready, charges="Crossed the picket line again."))
    page = response.content.decode()
    assert response.status_code == 409
    assert "This member already faces open charges; they are heard together in that case." in page
    assert "Bring written charges" in page and "Crossed the picket line again." in page
    assert DisciplineCase.objects.count() == 1
