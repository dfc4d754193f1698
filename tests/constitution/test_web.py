from __future__ import annotations

import pytest
from django.utils import timezone

from councils.constitution.models import Amendment
from councils.motions.models import Motion
from tests.membership.support import adopt, entries, make_national_body, payloads
from tests.personas import LOGIN, WEB, check, check_wrong_method


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("outsider", 200), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_read_the_constitution_page(ready, persona, status, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        response = check(ready, persona, WEB, "get", "/constitution/", expected=status)
    if status == 200:
        page = response.content.decode()
        assert "needs 2 sponsors" in page
        assert "two thirds of the votes cast" in page


def test_page_tells_the_meeting_notice_and_quorum(cast):
    from councils.constitution.actions import adopt_initial_constitution
    from tests.membership.support import NOW

    page = cast.client(cast.bob).get("/constitution/").content.decode()
    assert "at least 48 hours before it starts" in page and "until 10% of the council&#x27;s voters" in page
    adopt_initial_constitution(
        actor=None,
        federation=cast.federation,
        now=NOW,
        document={"meeting_notice_hours": 0, "meeting_quorum_share": "0"},
    )
    page = cast.client(cast.bob).get("/constitution/").content.decode()
    assert "A council may meet as soon as a meeting is called." in page and "Meetings need no quorum." in page


def _propose_longer_hearing_notice(cast):
    """Alice proposes 21 days' notice of a disciplinary hearing (the defaults say 14)."""
    from councils.constitution import actions
    from tests.membership.support import NOW

    return actions.propose_constitution_amendment(
        actor=cast.alice,
        federation=cast.federation,
        changes={"hearing_notice_days": 21},
        explanation="",
        now=NOW,
    )


def _carry(cast, amendment):
    """Erin seconds the amendment, and Alice, Erin and Frank adopt it by a named vote."""
    from councils.constitution import actions
    from councils.motions import actions as motion_actions
    from tests.membership.support import NOW, vote_through

    motion_actions.second_motion(
        actor=cast.erin, motion=Motion.objects.get(uuid=amendment.motion_uuid), now=NOW
    )
    vote = actions.open_amendment_vote(actor=cast.alice, amendment=amendment, now=NOW, method="named")
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=NOW)


def test_page_shows_history_with_what_changed(ready):
    make_national_body(ready)
    _carry(ready, _propose_longer_hearing_notice(ready))
    page = check(ready, "member", WEB, "get", "/constitution/").content.decode()
    assert "version 2" in page
    assert "Days of notice before a disciplinary hearing: <del>14</del> → <ins>21</ins>" in page
    assert "at least 21 days" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 403), ("observer", 403), ("member", 403), ("officer", 302)],
)
def test_personas_propose_on_the_web(ready, persona, status):
    make_national_body(ready)
    form = check(ready, "officer", WEB, "get", "/constitution/amend/").context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    data["sponsors_required"] = 3
    check(ready, persona, WEB, "post", "/constitution/amend/", data, expected=status)


@pytest.mark.parametrize("persona", ["observer", "member"])
def test_who_may_not_propose_is_refused_before_the_form_not_after_filling_it_in(ready, persona):
    make_national_body(ready)
    response = check(ready, persona, WEB, "get", "/constitution/amend/", expected=403)
    page = response.content.decode()
    assert "Only voters of the top council may propose a change to the constitution." in page
    assert "Table the amendment" not in page


def test_proposing_on_the_web_and_the_api_records_the_same_entry(ready):
    make_national_body(ready)
    form = check(ready, "officer", WEB, "get", "/constitution/amend/").context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    data["sponsors_required"] = 3
    check(ready, "officer", WEB, "post", "/constitution/amend/", data, expected=302)
    ready.api(ready.alice).post(
        "/api/v1/constitution/amendments",
        {"changes": {"sponsors_required": 3}},
        content_type="application/json",
    )
    web, api = entries("constitution.amendment_proposed")
    assert web["payload"]["changes"] == api["payload"]["changes"] == {"sponsors_required": [2, 3]}
    assert Amendment.objects.count() == 2


def test_poll_lengths_are_shown_and_amended_like_every_setting(ready):
    page = check(ready, "member", WEB, "get", "/constitution/").content.decode()
    rule = "poll closes at the time set when it opens, at least 15 minutes and at most 31 days"
    assert rule in page
    make_national_body(ready)
    form = check(ready, "officer", WEB, "get", "/constitution/amend/").context["form"]
    fields = form.fields
    assert (fields["election_poll_min_minutes"].initial, fields["election_poll_max_days"].initial) == (15, 31)
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    refused = {**data, "election_poll_min_minutes": 60, "election_poll_max_days": 0}
    response = check(ready, "officer", WEB, "post", "/constitution/amend/", refused, expected=422)
    assert "election_poll_max_days must be from 1 to 366" in response.content.decode()
    data["election_poll_max_days"] = 7
    check(ready, "officer", WEB, "post", "/constitution/amend/", data, expected=302)
    [proposed] = payloads("constitution.amendment_proposed")
    assert proposed["changes"] == {"election_poll_max_days": [31, 7]}


def test_the_length_of_a_vote_on_charges_is_shown_and_amended_like_every_setting(ready):
    page = check(ready, "member", WEB, "get", "/constitution/").content.decode()
    assert (
        "That vote, like the vote on an appeal, stays open at least 7 days and at most 31 days; it cannot "
        "be closed earlier unless every member entitled to vote has voted."
    ) in page
    make_national_body(ready)
    response = check(ready, "officer", WEB, "get", "/constitution/amend/")
    assert "Days a vote on charges or on an appeal stays open at least" in response.content.decode()
    form = response.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    assert data["discipline_poll_min_days"] == 7
    refused = {**data, "discipline_poll_min_days": 40}
    response = check(ready, "officer", WEB, "post", "/constitution/amend/", refused, expected=422)
    assert "discipline_poll_min_days must be at least 1 and at most discipline_poll_max_days" in (
        response.content.decode()
    )
    check(
        ready,
        "officer",
        WEB,
        "post",
        "/constitution/amend/",
        {**data, "discipline_poll_min_days": 10},
        expected=302,
    )
    [proposed] = payloads("constitution.amendment_proposed")
    assert proposed["changes"] == {"discipline_poll_min_days": [7, 10]}


def test_the_length_of_an_admission_vote_is_shown_and_amended_like_every_setting(ready):
    page = check(ready, "member", WEB, "get", "/constitution/").content.decode()
    assert (
        "The admission vote, like the vote approving a flagged admission, stays open at least 3 days and at "
        "most 31 days; it cannot be closed earlier unless every member entitled to vote has voted"
    ) in page
    make_national_body(ready)
    response = check(ready, "officer", WEB, "get", "/constitution/amend/")
    assert "Days an admission vote, or the approval of a flagged admission, stays open at least" in (
        response.content.decode()
    )
    form = response.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    assert (data["admission_poll_min_days"], data["admission_poll_max_days"]) == (3, 31)
    refused = {**data, "admission_poll_min_days": 0}
    response = check(ready, "officer", WEB, "post", "/constitution/amend/", refused, expected=422)
    assert "admission_poll_min_days must be at least 1" in response.content.decode()
    check(
        ready,
        "officer",
        WEB,
        "post",
        "/constitution/amend/",
        {**data, "admission_poll_min_days": 7},
        expected=302,
    )
    [proposed] = payloads("constitution.amendment_proposed")
    assert proposed["changes"] == {"admission_poll_min_days": [3, 7]}


def test_the_currency_of_pay_is_amended_like_every_setting(ready):
    page = check(ready, "member", WEB, "get", "/constitution/").content.decode()
    assert "may not exceed 2400.00 EUR" in page
    make_national_body(ready)
    form = check(ready, "officer", WEB, "get", "/constitution/amend/").context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    assert data["pay_currency"] == "EUR"
    refused = check(
        ready, "officer", WEB, "post", "/constitution/amend/", {**data, "pay_currency": "eur"}, 422
    )
    assert "pay_currency must be the ISO 4217 code of a currency" in refused.content.decode()
    data["pay_currency"] = "GBP"
    check(ready, "officer", WEB, "post", "/constitution/amend/", data, expected=302)
    [proposed] = payloads("constitution.amendment_proposed")
    assert proposed["changes"] == {"pay_currency": ["EUR", "GBP"]}


def test_unchanged_or_invalid_form_is_refused(ready):
    make_national_body(ready)
    form = check(ready, "officer", WEB, "get", "/constitution/amend/").context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "explanation"}
    response = check(ready, "officer", WEB, "post", "/constitution/amend/", data, expected=422)
    assert "changes nothing" in response.content.decode()
    check(
        ready, "officer", WEB, "post", "/constitution/amend/", {**data, "sponsors_required": -1}, expected=422
    )


def test_open_vote_button(ready):
    make_national_body(ready)
    ready.api(ready.alice).post(
        "/api/v1/constitution/amendments",
        {"changes": {"sponsors_required": 3}},
        content_type="application/json",
    )
    amendment = Amendment.objects.get()
    url = f"/constitution/amendments/{amendment.uuid}/open-vote/"
    check_wrong_method(ready, WEB, url, "get")
    # Not yet seconded: the motions app refuses, and the page says why.
    response = check(ready, "officer", WEB, "post", url, expected=409)
    assert "seconders" in response.content.decode()
    check(ready, "member", WEB, "post", url, expected=403)


def test_page_says_the_defaults_apply_before_any_adoption(cast):
    page = check(cast, "member", WEB, "get", "/constitution/", expected=200).content.decode()
    assert "defaults apply: no constitution adopted yet" in page
    assert "needs 2 sponsors" in page
    assert "No version adopted yet" in page


def test_page_shows_an_amendment_of_the_defaults(cast):
    from councils.constitution import actions

    make_national_body(cast)
    actions.propose_constitution_amendment(
        actor=cast.alice,
        federation=cast.federation,
        changes={"hearing_notice_days": 21},
        explanation="",
        now=timezone.now(),
    )
    page = check(cast, "member", WEB, "get", "/constitution/", expected=200).content.decode()
    assert "to the defaults, proposed" in page
    assert "<del>14</del> → <ins>21</ins>" in page


def test_history_of_a_version_adopted_before_newer_settings_shows_only_what_was_voted(cast, monkeypatch):
    from tests.membership.support import adopt_before_newer_settings

    adopt_before_newer_settings(cast, monkeypatch)
    make_national_body(cast)
    amendment = _propose_longer_hearing_notice(cast)
    page = cast.client(cast.bob).get("/constitution/").content.decode()
    proposed = page[page.index("Days of notice before a disciplinary hearing: <del>14</del>") :]
    _carry(cast, amendment)
    page = cast.client(cast.bob).get("/constitution/").content.decode()
    assert "Days of notice before a disciplinary hearing: <del>14</del> → <ins>21</ins>" in page
    # Settings the old version never had were unset, and the amendment left them so: no change to show.
    assert "<del>None</del>" not in page and "<del>None</del>" not in proposed
    assert "Hours of notice before a meeting: <del>" not in page


def test_an_amendment_proposed_before_newer_settings_shows_only_what_it_changes(cast, monkeypatch):
    from councils.constitution import actions
    from councils.core.rules.constitution import UNSET_IN_OLDER_VERSIONS, Constitution
    from tests.membership.support import NOW, adopt_before_newer_settings

    adopt_before_newer_settings(cast, monkeypatch)
    make_national_body(cast)
    rendered = Constitution.to_document

    def older(self: Constitution) -> dict:
        return {k: v for k, v in rendered(self).items() if k not in UNSET_IN_OLDER_VERSIONS}

    with monkeypatch.context() as patched:
        patched.setattr(Constitution, "to_document", older)
        amendment = actions.propose_constitution_amendment(
            actor=cast.alice,
            federation=cast.federation,
            changes={"hearing_notice_days": 21},
            explanation="",
            now=NOW,
        )
    assert "pay_currency" not in amendment.document
    page = cast.client(cast.bob).get("/constitution/").content.decode()
    assert "Days of notice before a disciplinary hearing: <del>14</del> → <ins>21</ins>" in page
    assert "Currency of that wage" not in page and "Hours of notice before a meeting" not in page


def test_a_malformed_federation_is_not_found(ready):
    assert ready.client(ready.bob).get("/constitution/?federation=not-a-uuid").status_code == 404


def test_amendments_link_their_motions_by_title(ready):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_national_body(ready)
    amendments = [_propose_longer_hearing_notice(ready), _propose_longer_hearing_notice(ready)]
    with CaptureQueriesContext(connection) as queries:
        page = ready.client(ready.alice).get("/constitution/?part=amendments").content.decode()
    for amendment in amendments:
        title = Motion.objects.get(uuid=amendment.motion_uuid).title
        assert f'<a href="/motions/{amendment.motion_uuid}/">Motion: {title}</a>' in page
    assert "the motion</a>" not in page
    # The titles come in one query, not one per amendment.
    motion_table = Motion._meta.db_table
    assert sum(f'FROM "{motion_table}"' in q["sql"] for q in queries.captured_queries) == 1
