from __future__ import annotations

from datetime import timedelta

import pytest

from councils.constitution import actions, queries
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.rules.constitution import Constitution, content_hash
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from tests.membership.support import (
    NOW,
    adopt,
    adopt_before_newer_settings,
    make_national_body,
    payloads,
    vote_through,
)


def test_founding_adopts_version_one_with_defaults_and_records_its_hash(cast):
    version = adopt(cast)
    assert version.version == 1
    assert queries.constitution_for(federation=cast.federation).sponsors_required == 2
    [entry] = payloads("constitution.adopted")
    assert entry["constitution"] == 1
    assert entry["hash"] == content_hash(version.document) == version.content_hash


def test_founding_twice_is_refused(cast):
    adopt(cast)
    with pytest.raises(ConflictError, match="already has a constitution"):
        adopt(cast)


def test_founding_with_bad_numbers_is_refused_by_name(cast):
    with pytest.raises(InvalidInputError, match="amendment_threshold"):
        adopt(cast, amendment_threshold="whatever")
    assert not ConstitutionVersion.objects.exists()


def _propose(cast, **changes):
    return actions.propose_constitution_amendment(
        actor=cast.alice, federation=cast.federation, changes=changes, explanation="Fewer sponsors.", now=NOW
    )


def _second_and_open(cast, amendment):
    motion = Motion.objects.get(uuid=amendment.motion_uuid)
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    return actions.open_amendment_vote(actor=cast.alice, amendment=amendment, now=NOW, method="named")


def test_amendment_adopted_by_two_thirds_makes_version_two(cast):
    adopt(cast)
    make_national_body(cast)
    amendment = _propose(cast, sponsors_required=3)
    vote = _second_and_open(cast, amendment)
    assert vote.threshold == "two_thirds"
    vote_through(vote, yes=[cast.alice, cast.erin], no=[cast.frank], now=NOW + timedelta(hours=1))
    current = queries.constitution_for(federation=cast.federation)
    assert current.version == 2
    assert current.sponsors_required == 3
    [amended] = payloads("constitution.amended")
    versions = list(queries.list_versions(federation=cast.federation))
    assert amended["old_hash"] == versions[0].content_hash
    assert amended["new_hash"] == versions[1].content_hash
    assert versions[1].adopted_by_motion == amendment.motion_uuid
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.ADOPTED


def test_amendment_sets_the_days_a_new_councils_interim_chair_serves(cast):
    adopt(cast)
    make_national_body(cast)
    assert queries.constitution_for(federation=cast.federation).formation_interim_days == 60
    vote = _second_and_open(cast, _propose(cast, formation_interim_days=21))
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=NOW + timedelta(hours=1))
    assert queries.constitution_for(federation=cast.federation).formation_interim_days == 21
    [amended] = payloads("constitution.amendment_proposed")
    assert amended["changes"] == {"formation_interim_days": [60, 21]}


def test_amendment_short_of_two_thirds_is_rejected(cast):
    adopt(cast)
    make_national_body(cast)
    vote = _second_and_open(cast, _propose(cast, sponsors_required=3))
    vote_through(vote, yes=[cast.alice], no=[cast.erin, cast.frank], now=NOW + timedelta(hours=1))
    assert queries.constitution_for(federation=cast.federation).version == 1
    assert payloads("constitution.amendment_rejected")


def test_vote_at_simple_majority_is_refused_even_when_it_passes(cast):
    adopt(cast)
    make_national_body(cast)
    amendment = _propose(cast, amendment_threshold="simple")
    motion = Motion.objects.get(uuid=amendment.motion_uuid)
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = motion_actions.open_vote(
        actor=cast.alice, motion=motion, now=NOW, method="named", threshold="simple"
    )
    vote_through(vote, yes=[cast.alice, cast.erin], no=[cast.frank], now=NOW + timedelta(hours=1))
    assert queries.constitution_for(federation=cast.federation).version == 1
    [refused] = payloads("constitution.amendment_refused")
    assert "two thirds" in refused["reason"]
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.REFUSED


def test_proposal_needs_a_voter_of_the_top_council(cast):
    adopt(cast)
    make_national_body(cast)
    with pytest.raises(PermissionDeniedError, match="top council"):
        actions.propose_constitution_amendment(
            actor=cast.dave,
            federation=cast.federation,
            changes={"sponsors_required": 1},
            explanation="",
            now=NOW,
        )


def test_proposal_that_changes_nothing_or_is_invalid_is_refused(cast):
    adopt(cast)
    make_national_body(cast)
    with pytest.raises(InvalidInputError, match="changes nothing"):
        _propose(cast, sponsors_required=2)
    with pytest.raises(InvalidInputError, match="Unknown constitution settings"):
        _propose(cast, free_lunch=1)
    with pytest.raises(InvalidInputError, match="version number"):
        _propose(cast, version=7)


def test_stale_proposal_is_refused_after_another_amendment(cast):
    adopt(cast)
    make_national_body(cast)
    first = _propose(cast, sponsors_required=3)
    second = _propose(cast, hearing_notice_days=21)
    vote_through(_second_and_open(cast, first), yes=[cast.alice, cast.erin, cast.frank], now=NOW)
    vote_through(_second_and_open(cast, second), yes=[cast.alice, cast.erin, cast.frank], now=NOW)
    second.refresh_from_db()
    assert second.status == Amendment.Status.REFUSED
    assert "version 2 is now in force" in second.refusal
    assert queries.constitution_for(federation=cast.federation).hearing_notice_days == 14


def test_without_a_constitution_the_defaults_apply_as_version_zero(cast):
    rules = queries.constitution_for(federation=cast.federation)
    assert rules == Constitution()
    assert rules.version == 0 and rules.is_default
    assert rules.title == "defaults apply: no constitution adopted yet"
    assert queries.current_version(federation=cast.federation) is None


def test_a_version_adopted_before_a_setting_existed_leaves_it_unset_until_amended(cast, monkeypatch):
    """Notice and quorum for meetings came after some federations had adopted their constitutions."""
    older = adopt_before_newer_settings(cast, monkeypatch).document
    assert "meeting_notice_hours" not in older and "meeting_quorum_share" not in older
    rules = queries.constitution_for(federation=cast.federation)
    assert (rules.version, rules.meeting_notice_hours, rules.meeting_quorum_share) == (1, 0, 0)
    assert rules.hearing_notice_days == older["hearing_notice_days"]
    assert Constitution().meeting_notice_hours == 48, "a federation without a constitution gets the defaults"


def test_an_amendment_names_a_version_adopted_before_newer_settings_by_its_adopted_hash(cast, monkeypatch):
    """Settings added since a version was adopted must not change the hash its amendment names."""
    version = adopt_before_newer_settings(cast, monkeypatch)
    [adopted] = payloads("constitution.adopted")
    assert adopted["hash"] == version.content_hash == content_hash(version.document)
    make_national_body(cast)
    amendment = _propose(cast, sponsors_required=3)
    [proposed] = payloads("constitution.amendment_proposed")
    assert proposed["base_hash"] == adopted["hash"]
    vote_through(
        _second_and_open(cast, amendment),
        yes=[cast.alice, cast.erin],
        no=[cast.frank],
        now=NOW + timedelta(hours=1),
    )
    [amended] = payloads("constitution.amended")
    assert (amended["previous"], amended["old_hash"]) == (1, adopted["hash"])
    current = queries.current_version(federation=cast.federation)
    assert amended["new_hash"] == current.content_hash == queries.hash_in_force(federation=cast.federation)
    # The new version states the settings its members voted on, unset ones included.
    assert (current.document["meeting_notice_hours"], current.document["sponsors_required"]) == (0, 3)


def test_an_amendment_of_the_defaults_adopts_version_one(cast):
    make_national_body(cast)
    amendment = _propose(cast, sponsors_required=3)
    assert amendment.base_version == 0
    [proposed] = payloads("constitution.amendment_proposed")
    defaults_hash = content_hash(Constitution().to_document())
    assert proposed["constitution"] == 0
    assert proposed["base_hash"] == defaults_hash
    vote = _second_and_open(cast, amendment)
    assert vote.threshold == "two_thirds"  # the defaults' own amendment threshold
    vote_through(vote, yes=[cast.alice, cast.erin], no=[cast.frank], now=NOW + timedelta(hours=1))
    current = queries.constitution_for(federation=cast.federation)
    assert (current.version, current.sponsors_required) == (1, 3)
    [amended] = payloads("constitution.amended")
    version = queries.current_version(federation=cast.federation)
    assert (amended["previous"], amended["constitution"]) == (0, 1)
    assert amended["old_hash"] == defaults_hash
    assert amended["new_hash"] == version.content_hash == content_hash(current.to_document())
    # Founding can no longer adopt a version 1 beside it.
    with pytest.raises(ConflictError, match="already has a constitution"):
        adopt(cast)


def test_founding_accepts_a_document_built_from_the_defaults(cast):
    with pytest.raises(InvalidInputError, match="version 1"):
        actions.adopt_initial_constitution(
            actor=None, federation=cast.federation, now=NOW, document={"version": 2}
        )
    version = actions.adopt_initial_constitution(
        actor=None, federation=cast.federation, now=NOW, document=Constitution(term_months=6).to_document()
    )
    assert version.version == 1
    assert version.document["term_months"] == 6
