"""The verifier follows each motion's life and reports what the motions app would have refused."""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta

import pytest

from councils.core.errors import InvalidInputError
from councils.core.ledger.encoding import format_time
from councils.core.rules import votes as vote_rules
from councils.membership import actions as membership_actions
from councils.motions import actions
from councils.motions.models import Motion
from tests.membership.support import propose_constitution_change
from tests.motions.conftest import LATER, NOW
from tests.record.support import documents, find, verify_forged, verify_genuine


def debated(cast) -> tuple[Motion, Motion]:
    """Riverside's motion, amended by an adopted amendment, adopted and forwarded, beside one withdrawn."""
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    amendment = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.bob, motion=amendment, now=NOW)
    actions.propose_amendment(actor=cast.erin, motion=motion, text="Elect one safety rep.", now=NOW)
    for voted in (amendment, motion):
        vote = actions.open_vote(actor=cast.alice, motion=voted, now=NOW, method="named")
        for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
            actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
        actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    actions.forward_motion(actor=cast.alice, motion=motion, now=LATER)
    dropped = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="Buy lockers.", now=NOW
    )
    actions.withdraw_motion(actor=cast.bob, motion=dropped, now=LATER)
    return motion, amendment


def test_a_debated_motion_replays_cleanly(cast):
    debated(cast)
    assert next(e for e in documents() if e["event"] == "motion.withdrawn")["payload"]["reason"] == "lapsed"
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []


def test_an_amendment_to_a_proposal_to_amend_the_constitution_is_caught(cast):
    proposal = propose_constitution_change(cast)
    rules_motion = Motion.objects.get(uuid=proposal.motion_uuid)
    motion = actions.table_motion(
        actor=cast.alice, council=cast.national, title="Congress", text="Hold a congress.", now=NOW
    )
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Hold two.", now=NOW)
    assert verify_genuine().problems == []
    docs = documents()
    # As if the app had let Frank amend the words of the proposal rather than propose other changes.
    proposed = docs[find(docs, "motion.amendment_proposed")]["payload"]
    proposed["motion"] = str(rules_motion.uuid)
    proposed["base_text_sha256"] = hashlib.sha256(rules_motion.text.encode()).hexdigest()
    [problem] = verify_forged(docs).problems
    assert problem.endswith(
        f"amendment {amendment.uuid} was proposed to motion {rules_motion.uuid}, a proposal to amend the "
        "constitution, worded from the changes it makes, which are what its vote adopts: the rules word it, "
        "so it cannot be amended."
    )


@pytest.mark.parametrize("kind", ["recall", "discipline", "admission", "formation", "constitution", "agenda"])
def test_an_amendment_to_a_motion_of_a_kind_the_rules_word_is_caught(cast, kind):
    motion, amendment = debated(cast)
    docs = documents()
    docs[find(docs, "motion.tabled")]["payload"].update(kind=kind, subject=str(amendment.uuid))
    problems = verify_forged(docs).problems
    # Both amendments, Frank's and Erin's, and the forward too.
    said = f"was proposed to motion {motion.uuid}, "
    assert sum(said in p and "the rules word it, so it cannot be amended" in p for p in problems) == 2, (
        problems
    )
    assert any(f"motion {motion.uuid} of kind {kind} was forwarded" in p for p in problems)


def test_an_amendment_after_the_vote_and_one_to_an_amendment_are_caught(cast):
    motion, amendment = debated(cast)
    docs = documents()
    late = copy.deepcopy(docs[find(docs, "motion.amendment_proposed")])
    late["payload"]["amendment"] = "late-amendment"
    late["payload"]["text"] = "Elect ten."
    again = copy.deepcopy(late)
    again["payload"].update(amendment="sub-amendment", motion=str(amendment.uuid))
    problems = verify_forged([*docs, late, again]).problems
    assert any(
        f"amendment late-amendment was proposed to motion {motion.uuid} when it was no longer under debate "
        "(forwarded)" in p
        for p in problems
    ), problems
    assert any(
        f"amendment sub-amendment was proposed to amendment {amendment.uuid}, not to the motion itself" in p
        for p in problems
    ), problems


def test_a_vote_on_a_motion_nobody_seconded_is_caught(cast):
    motion, _ = debated(cast)
    docs = documents()
    del docs[find(docs, "motion.seconded")]
    problems = verify_forged(docs).problems
    assert any(f"was opened on motion {motion.uuid} while it still needed seconders" in p for p in problems)


def test_a_second_by_the_mover_is_caught(cast):
    motion, _ = debated(cast)
    docs = documents()
    second = docs[find(docs, "motion.seconded")]
    second["actor"] = second["payload"]["seconder"] = str(cast.bob.uuid)
    problems = verify_forged(docs).problems
    assert any(f"motion {motion.uuid} was seconded by {cast.bob.uuid}, who tabled it" in p for p in problems)


def test_a_motion_moved_by_someone_without_a_vote_is_caught(cast):
    """Carol, Riverside's observer, and Dave, of Harbour Works, have no vote in Riverside."""
    debated(cast)
    docs = documents()
    tabled, amended, seconded = (
        docs[find(docs, event)] for event in ("motion.tabled", "motion.amendment_proposed", "motion.seconded")
    )
    tabled["actor"] = str(cast.carol.uuid)
    amended["actor"] = str(cast.dave.uuid)
    seconded["actor"] = seconded["payload"]["seconder"] = str(cast.dave.uuid)
    motion, riverside = tabled["payload"]["motion"], cast.riverside.uuid
    assert [p.split(": ", 1)[1] for p in verify_forged(docs).problems if "had no vote" in p] == [
        f"motion {motion} was tabled by {cast.carol.uuid}, who had no vote in council {riverside} at that "
        "moment.",
        f"motion {motion} was seconded by {cast.dave.uuid}, who had no vote in council {riverside} at that "
        "moment.",
        f"amendment {amended['payload']['amendment']} was proposed to motion {motion} by {cast.dave.uuid}, "
        f"who had no vote in council {riverside} at that moment.",
    ]


def test_a_motion_worded_as_the_app_would_refuse_is_caught(cast):
    debated(cast)
    docs = documents()
    tabled = docs[find(docs, "motion.tabled")]
    tabled["payload"].update(
        title="x" * (vote_rules.TITLE_MAX + 1), seconds_required=vote_rules.SECONDS_MAX + 1
    )
    name = tabled["payload"]["motion"]
    problems = [p.split(": ", 1)[1] for p in verify_forged(docs).problems]
    assert (
        f"motion {name} was tabled with a title the rules refuse (not trimmed, empty or longer than "
        f"{vote_rules.TITLE_MAX} characters)." in problems
    )
    assert (
        f"motion {name} was tabled asking for {vote_rules.SECONDS_MAX + 1} seconders; the rules allow 0 to "
        f"{vote_rules.SECONDS_MAX}." in problems
    )


def _side_problems(docs) -> list[str]:
    return [
        p.split(": ", 1)[1]
        for p in verify_forged(docs).problems
        if "not in the" in p or "was not forwarded to it then" in p or "who did not table it" in p
    ]


def test_entries_written_with_a_close_carry_its_time_and_actor(cast):
    """The merge of an adopted amendment, an amendment that lapses and a motion sent up are written by
    the action that closed, decided or forwarded: forged alone, at another time or by someone else, they
    are caught."""
    motion, amendment = debated(cast)
    docs = documents()
    assert _side_problems(docs) == []
    merged, lapsed, arrived = (
        find(docs, "motion.amended"),
        next(i for i, d in enumerate(docs) if d["payload"].get("reason") == "lapsed"),
        next(
            i for i, d in enumerate(docs) if d["event"] == "motion.tabled" and d["payload"]["forwarded_from"]
        ),
    )
    lapsed_name, up = docs[lapsed]["payload"]["motion"], docs[arrived]["payload"]["motion"]
    bob, alice = str(cast.bob.uuid), str(cast.alice.uuid)
    at = docs[arrived]["at"]
    for index in (merged, lapsed, arrived):
        docs[index]["actor"] = bob
    assert _side_problems(docs) == [
        f"motion {motion.uuid} was amended by amendment {amendment.uuid} at {docs[merged]['at']} by {bob}, "
        "not in the close of the vote that adopted it.",
        f"amendment {lapsed_name} lapsed at {docs[lapsed]['at']} by {bob}, not in the action that decided "
        f"motion {motion.uuid}.",
        f"motion {up} arrived from motion {motion.uuid} at {at} by {bob}, but that motion was not forwarded "
        "to it then.",
    ]
    # Moved to another time, by the closer still: as if written alone.
    for index in (merged, lapsed, arrived):
        docs[index]["actor"] = alice
        docs[index]["at"] = format_time(LATER + timedelta(days=1))
    assert len(_side_problems(docs)) == 3


def test_a_motion_withdrawn_by_someone_other_than_its_mover_is_caught(cast):
    debated(cast)
    docs = documents()
    withdrawn = next(
        d for d in docs if d["event"] == "motion.withdrawn" and d["payload"]["reason"] == "withdrawn"
    )
    withdrawn["actor"] = str(cast.erin.uuid)
    assert _side_problems(docs) == [
        f"motion {withdrawn['payload']['motion']} was withdrawn by {cast.erin.uuid}, who did not table it."
    ]


def test_a_second_that_miscounts_its_seconders_or_misstates_the_motion_is_caught(cast):
    motion, _ = debated(cast)
    docs = documents()
    second = docs[find(docs, "motion.seconded")]["payload"]
    assert (second["seconds"], second["state"]) == (1, "seconded")
    erin = str(cast.erin.uuid)
    second.update(seconds=2, state="draft")
    assert _second_problems(docs) == [
        f"motion {motion.uuid} has 1 seconder with {erin}'s second, but the entry says 2.",
        f"motion {motion.uuid} has 1 of the 1 seconder it needs, so is seconded, but the entry says 'draft'.",
    ]
    # As if the motion had asked for two seconders: Erin's second leaves it awaiting another.
    docs[find(docs, "motion.tabled")]["payload"]["seconds_required"] = 2
    second.update(seconds=1, state="seconded")
    assert _second_problems(docs) == [
        f"motion {motion.uuid} has 1 of the 2 seconders it needs, so is draft, but the entry says 'seconded'."
    ]


def _second_problems(docs) -> list[str]:
    return [p.split(": ", 1)[1] for p in verify_forged(docs).problems if "but the entry says" in p]


def test_a_motion_asking_for_more_seconders_than_the_council_has_is_caught(cast):
    """Riverside keeps three voters once Frank leaves; the district has one, Bob, its delegate."""
    frank = cast.frank.memberships.get(council=cast.riverside)
    membership_actions.leave_membership(actor=cast.frank, membership=frank, now=NOW)
    with pytest.raises(InvalidInputError, match="too few other voters to give 3 seconders"):
        actions.table_motion(
            actor=cast.bob, council=cast.riverside, title="T", text="Text.", now=NOW, seconds_required=3
        )
    with pytest.raises(InvalidInputError, match="too few other voters to give 1 seconder"):
        actions.table_motion(
            actor=cast.bob, council=cast.district, title="T", text="Text.", now=NOW, seconds_required=1
        )
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="T", text="Text.", now=NOW, seconds_required=2
    )
    actions.propose_amendment(actor=cast.erin, motion=motion, text="Other.", now=NOW, seconds_required=2)
    upper = actions.table_motion(
        actor=cast.bob, council=cast.district, title="T", text="Text.", now=NOW, seconds_required=0
    )
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    docs = documents()
    tabled, amended, tabled_upper = (
        docs[find(docs, "motion.tabled", 0)],
        docs[find(docs, "motion.amendment_proposed")],
        docs[find(docs, "motion.tabled", 1)],
    )
    tabled["payload"]["seconds_required"] = amended["payload"]["seconds_required"] = 3
    tabled_upper["payload"]["seconds_required"] = 1
    amendment = amended["payload"]["amendment"]
    assert [p.split(": ", 1)[1] for p in verify_forged(docs).problems] == [
        f"motion {motion.uuid} was tabled asking for 3 seconders, but council {cast.riverside.uuid} had 3 "
        "voters at that moment: too few others to give them.",
        f"amendment {amendment} was proposed to motion {motion.uuid} asking for 3 seconders, but council "
        f"{cast.riverside.uuid} had 3 voters at that moment: too few others to give them.",
        f"motion {upper.uuid} was tabled asking for 1 seconder, but council {cast.district.uuid} had 1 "
        "voter at that moment: too few others to give them.",
    ]
