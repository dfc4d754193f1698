"""Replaying a motion's life: what the motions app refuses to do to a motion, the verifier reports."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules

COUNCIL, ABOVE = "c-1", "c-top"
TEXT = "Elect two safety reps."


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def entry(event: str, payload: dict[str, Any], actor: str | None = None, council: str = COUNCIL) -> Item:
    return Item(index=0, event=event, actor=actor, council=council, at="", payload=payload)


def tabled(motion: str = "mo", seconds: int = 1, kind: str = "ordinary", **extra: Any) -> Item:
    payload = {"motion": motion, "kind": kind, "subject": None, "text": TEXT, "seconds_required": seconds}
    return entry("motion.tabled", {**payload, **extra}, actor=None if seconds == 0 else "u-bob")


def seconded(motion: str = "mo", seconder: str = "u-erin", seconds: int = 1, state: str = "seconded") -> Item:
    payload = {"motion": motion, "seconder": seconder, "seconds": seconds, "state": state}
    return entry("motion.seconded", payload, actor=seconder)


def amendment(
    name: str = "am", motion: str = "mo", text: str = "Elect three safety reps.", **extra: Any
) -> Item:
    payload = {"amendment": name, "motion": motion, "text": text, "base_text_sha256": sha(TEXT)}
    return entry("motion.amendment_proposed", {**payload, "seconds_required": 0, **extra}, actor="u-frank")


def opened(motion: str = "mo", vote: str = "v") -> Item:
    return entry("vote.opened", {"vote": vote, "motion": motion, "method": "named", "electorate": 3})


def closed(vote: str = "v", outcome: str = "adopted") -> list[Item]:
    """Two ballots and the close that counts them."""
    choice = "yes" if outcome == "adopted" else "no"
    casts = [
        entry("vote.cast", {"vote": vote, "voter": v, "choice": choice}, actor=v) for v in ("u-a", "u-b")
    ]
    counts = vote_rules.tally([choice, choice])
    result = vote_rules.compute_result(**counts, electorate=3, threshold="simple", quorum=None).as_payload()
    ballots = [{"voter": v, "choice": choice} for v in ("u-a", "u-b")]
    return [
        *casts,
        entry("vote.closed", {"vote": vote, "motion": None, "result": result, "ballots": ballots}),
    ]


def members(*people: str) -> list[Item]:
    """Full members of the council from its founding: they table, amend and second its motions."""
    return [
        entry("member.founding_enrolled", {"membership": f"m-{person}", "member": person})
        for person in people
    ]


def chair(holder: str = "u-alice") -> Item:
    """The founding chair of the council, who opens, closes and forwards its votes."""
    return entry("office.founding_filled", {"office": "o-chair", "role": "chair", "holder": holder})


def messages(*items: Item | list[Item]) -> list[str]:
    flat = [i for part in items for i in (part if isinstance(part, list) else [part])]
    for index, item in enumerate(flat):
        item.index = index
    return [p.message for p in replay.replay(flat).problems]


def test_a_motion_seconded_amended_voted_and_forwarded_replays_cleanly():
    council = entry("council.created", {"council": COUNCIL, "is_base": True, "parent": ABOVE})
    assert (
        messages(
            council,
            members("u-bob", "u-erin", "u-frank"),
            chair(),
            tabled(),
            seconded(),
            amendment(seconds_required=1),
            seconded("am", "u-bob"),
            opened("am", "v-am"),
            closed("v-am"),
            entry("motion.amended", {"motion": "mo", "amendment": "am", "text": "Elect three safety reps."}),
            amendment(
                "am-2",
                text="Elect four.",
                base_text_sha256=sha("Elect three safety reps."),
                seconds_required=1,
            ),
            opened(),
            closed(),
            # The rules closed the vote at its closing time: the amendment still pending lapses with it.
            entry("motion.withdrawn", {"motion": "am-2", "reason": "lapsed"}),
            entry("motion.forwarded", {"motion": "mo", "to_council": ABOVE, "to_motion": "up"}, "u-alice"),
            replace(tabled("up", 0, forwarded_from="mo"), actor="u-alice", council=ABOVE),
            entry("motion.withdrawn", {"motion": "up", "reason": "withdrawn"}),
        )
        == []
    )


@pytest.mark.parametrize(
    ("kind", "subject", "what"),
    [
        ("recall", "p-1", "a recall vote, worded from the petition that called it"),
        ("discipline", "case-1", "a vote on charges or an appeal, worded from the case"),
        ("admission", "app-1", "an admission vote, worded from the application"),
        ("formation", "f-1", "a motion to form a council"),
        ("constitution", "ca-1", "a proposal to amend the constitution, worded from the changes it makes"),
        ("agenda", None, "a motion on the agenda"),
        ("ordinary", "mandate-1", "a motion deciding a proposal"),
    ],
)
def test_an_amendment_to_a_motion_the_rules_word_is_caught(kind, subject, what):
    [problem] = messages(tabled(kind=kind, subject=subject), amendment())
    assert problem.startswith(f"amendment am was proposed to motion mo, {what}")
    assert problem.endswith("the rules word it, so it cannot be amended")


def test_an_amendment_to_an_amendment_or_that_changes_nothing_is_caught():
    assert messages(
        tabled(),
        amendment(),
        amendment("am-2", "am", "Elect one.", base_text_sha256=sha("Elect three safety reps.")),
    ) == ["amendment am-2 was proposed to amendment am, not to the motion itself"]
    assert messages(tabled(), amendment(text=TEXT)) == ["amendment am does not change the text of motion mo"]


def test_an_amendment_to_a_motion_no_longer_under_debate_is_caught():
    assert messages(tabled(seconds=0), opened(), amendment()) == [
        "amendment am was proposed to motion mo when it was no longer under debate (voting)"
    ]
    assert messages(tabled(seconds=0), opened(), closed(), amendment()) == [
        "amendment am was proposed to motion mo when it was no longer under debate (adopted)"
    ]


def test_seconds_the_app_refuses_are_caught():
    assert messages(tabled(), seconded(seconder="u-bob")) == [
        "motion mo was seconded by u-bob, who tabled it"
    ]
    assert messages(tabled(seconds=2), seconded(state="draft"), seconded(seconds=2)) == [
        "u-erin seconded motion mo twice"
    ]
    assert messages(tabled(), seconded(), seconded(seconder="u-frank", seconds=2)) == [
        "motion mo was seconded when it was not awaiting seconders"
    ]
    forged = seconded()
    forged.actor = "u-frank"
    assert messages(tabled(), forged) == ["u-erin's second of motion mo was given by someone else (u-frank)"]


def test_a_second_that_miscounts_or_misstates_the_motion_is_caught():
    assert messages(tabled(seconds=2), seconded(state="draft"), seconded("mo", "u-frank", 2)) == []
    assert messages(tabled(seconds=2), seconded()) == [
        "motion mo has 1 of the 2 seconders it needs, so is draft, but the entry says 'seconded'"
    ]
    assert messages(tabled(), seconded(seconds=2)) == [
        "motion mo has 1 seconder with u-erin's second, but the entry says 2"
    ]


def test_a_motion_asking_for_more_seconders_than_other_voters_is_caught():
    """The council's voters are counted as they join and leave, and a delegate with two seats once."""
    council = entry("council.created", {"council": COUNCIL, "is_base": True, "parent": ABOVE})
    left = entry("member.left", {"membership": "m-u-erin", "member": "u-erin"})
    assert messages(council, members("u-bob", "u-erin", "u-frank"), tabled(seconds=2)) == []
    assert messages(council, members("u-bob", "u-erin", "u-frank"), left, tabled(seconds=2)) == [
        "motion mo was tabled asking for 2 seconders, but council c-1 had 2 voters at that moment: "
        "too few others to give them"
    ]
    above = entry("council.created", {"council": ABOVE, "is_base": False, "parent": None}, council=ABOVE)

    def seat(action: str, seat: str, delegate: str = "u-bob") -> Item:
        if action == "unseated":
            # The delegate resigns.
            payload = {"seat": seat, "delegate": delegate, "reason": "resigned"}
            return entry("delegate.unseated", payload, actor=delegate, council=ABOVE)
        payload = {"seat": seat, "delegate": delegate, "from_council": COUNCIL}
        return entry(f"delegate.{action}", payload, council=ABOVE)

    up = replace(tabled(), council=ABOVE)
    two = [seat("seated", "s-1"), seat("seated", "s-2", "u-erin")]
    assert messages(above, two, up) == []
    assert messages(above, two, seat("seated", "s-3"), seat("unseated", "s-2"), up) == [
        f"motion mo was tabled asking for 1 seconder, but council {ABOVE} had 1 voter at that moment: "
        "too few others to give them"
    ]


def test_a_vote_on_a_motion_not_awaiting_one_is_caught():
    assert messages(tabled(), opened()) == ["vote v was opened on motion mo while it still needed seconders"]
    assert messages(tabled(seconds=0), opened(), closed(), opened(vote="v-2")) == [
        "vote v-2 was opened on motion mo, which was not awaiting a vote"
    ]
    # Without a quorum the motion goes back to await a vote.
    no_quorum = closed()
    no_quorum[-1].payload["result"]["quorum"] = 3
    no_quorum[-1].payload["result"]["outcome"] = "no_quorum"
    assert "not awaiting a vote" not in " ".join(
        messages(tabled(seconds=0), opened(), no_quorum, opened(vote="v-2"))
    )


def test_a_vote_on_an_amendment_the_app_would_not_put_is_caught():
    assert messages(
        tabled(seconds=0),
        amendment(),
        amendment("am-2", text="Elect one."),
        opened("am"),
        opened("am-2", "v-2"),
    ) == ["vote v-2 was opened on motion am-2 while amendment am to mo was being voted on"]
    assert messages(tabled(seconds=0), amendment(), opened("am"), opened("mo", "v-2")) == [
        "vote v-2 was opened on motion mo while amendment am to mo was being voted on"
    ]
    unseconded = amendment(seconds_required=1)
    assert messages(tabled(seconds=0), unseconded, opened("mo"), seconded("am"), opened("am", "v-2")) == [
        "vote v-2 was opened on amendment am when motion mo was no longer under debate (voting)",
    ]
    changed = entry("motion.amended", {"motion": "mo", "amendment": "am-2", "text": "Elect one."})
    assert messages(
        tabled(seconds=0), amendment(), amendment("am-2", text="Elect one."), changed, opened("am")
    )[-1] == ("vote v was opened on amendment am after the text of motion mo had changed")


def test_a_vote_on_a_motion_whose_text_the_record_does_not_hold_is_not_judged_by_its_amendments():
    """Tabled before the record held motions' texts: which seconded amendment is to its text is unknown."""
    untold = tabled(seconds=0)
    del untold.payload["text"]
    assert messages(untold, amendment(), opened("mo")) == []


def test_a_vote_on_a_motion_whose_seconded_amendment_awaits_its_vote_is_caught():
    assert messages(tabled(seconds=0), amendment(), opened("mo")) == [
        "vote v was opened on motion mo while the seconded amendment am to its text awaited a vote"
    ]
    # Once the amendment is voted on, withdrawn, or left behind by a change of the text, the motion is put.
    assert (
        messages(tabled(seconds=0), amendment(), opened("am", "v-am"), closed("v-am", "rejected"), opened())
        == []
    )
    withdrawn = entry("motion.withdrawn", {"motion": "am", "reason": "withdrawn"}, actor="u-frank")
    assert messages(tabled(seconds=0), amendment(), withdrawn, opened()) == []
    changed = entry("motion.amended", {"motion": "mo", "amendment": "am-2", "text": "Elect one."})
    assert (
        messages(
            tabled(seconds=0),
            amendment(),
            amendment("am-2", text="Elect one."),
            opened("am-2", "v-2"),
            closed("v-2"),
            changed,
            opened(),
        )
        == []
    )
    # An amendment still awaiting seconders does not hold the motion up: it lapses when the motion is decided.
    assert messages(tabled(seconds=0), amendment(seconds_required=1), opened()) == []


def test_a_merge_of_an_amendment_not_adopted_is_caught():
    merged = entry("motion.amended", {"motion": "mo", "amendment": "am", "text": "Elect three safety reps."})
    assert messages(tabled(seconds=0), amendment(), opened("am"), closed(outcome="rejected"), merged) == [
        "motion mo was amended by amendment am, which is not an adopted amendment to it"
    ]
    elsewhere = entry(
        "motion.amended", {"motion": "mo-2", "amendment": "am", "text": "Elect three safety reps."}
    )
    assert messages(tabled(seconds=0), tabled("mo-2", 0), amendment(), opened("am"), closed(), elsewhere) == [
        "motion mo-2 was amended by amendment am, which is not an adopted amendment to it"
    ]


def test_withdrawals_the_app_refuses_are_caught():
    withdrawn = entry("motion.withdrawn", {"motion": "mo", "reason": "withdrawn"}, actor="u-bob")
    assert messages(tabled(seconds=0), opened(), withdrawn) == [
        "motion mo was withdrawn when it was no longer under debate (voting)"
    ]
    assert messages(tabled(seconds=0), withdrawn) == [
        "motion mo was withdrawn by u-bob, though the rules or a council below put it"
    ]


def test_an_amendment_that_lapsed_is_followed_as_lapsed_not_withdrawn():
    withdrawn = entry("motion.withdrawn", {"motion": "mo", "reason": "withdrawn"}, actor="u-bob")
    lapsed = entry("motion.withdrawn", {"motion": "am", "reason": "lapsed"}, actor="u-bob")
    again = entry("motion.withdrawn", {"motion": "am", "reason": "withdrawn"}, actor="u-frank")
    assert messages(tabled(), amendment(), withdrawn, lapsed) == []
    assert messages(tabled(), amendment(), withdrawn, lapsed, again) == [
        "motion am was withdrawn when it was no longer under debate (lapsed)"
    ]


def test_forwards_the_app_refuses_are_caught():
    council = entry("council.created", {"council": COUNCIL, "is_base": True, "parent": ABOVE})
    forward = entry("motion.forwarded", {"motion": "mo", "to_council": ABOVE, "to_motion": "up"}, "u-alice")
    assert messages(council, chair(), tabled(seconds=0), forward) == [
        "motion mo was forwarded though it was not adopted (seconded)"
    ]
    assert messages(council, chair(), tabled(seconds=0, kind="admission"), forward) == [
        "motion mo of kind admission was forwarded; only ordinary motions are"
    ]
    top = entry("council.created", {"council": COUNCIL, "is_base": False, "parent": None})
    assert messages(top, chair(), tabled(seconds=0), opened(), closed(), forward) == [
        f"motion mo was forwarded to {ABOVE}, not the council above"
    ]


def test_entries_of_motions_not_seen_are_not_judged():
    assert (
        messages(
            seconded(),
            opened(),
            closed(),
            entry("motion.withdrawn", {"motion": "mo"}),
            entry("motion.forwarded", {"motion": "mo", "to_council": ABOVE}),
            entry("motion.amended", {"motion": "mo", "amendment": "am", "text": "x"}),
        )
        == []
    )
    # A tabling that does not say how many seconders it needs leaves the motion's state unjudged.
    assert messages(tabled(seconds=None), opened(), amendment()) == [
        "amendment am was proposed to motion mo when it was no longer under debate (voting)"
    ]


@pytest.mark.parametrize(
    ("settings", "refused"),
    [
        ({"method": "show_of_hands"}, "Unknown voting method 'show_of_hands'; choose named or secret."),
        ({"threshold": "most"}, "Unknown threshold 'most'"),
        ({"electorate": 0}, "Nobody is entitled to vote in this council, so no vote can be held."),
        ({"quorum": 4}, "The quorum must be between 1 and the 3 members entitled to vote."),
    ],
)
def test_a_vote_opened_with_settings_the_rules_refuse_is_caught(settings, refused):
    good = opened()
    good.payload.update(threshold="simple", quorum=3)
    assert messages(tabled(seconds=0), good) == []
    forged = opened()
    forged.payload.update({"threshold": "simple", "quorum": None, **settings})
    [problem] = messages(tabled(seconds=0), forged)
    assert problem.startswith("vote v was opened with settings the rules refuse: ") and refused in problem


def test_an_officers_close_of_a_vote_the_rules_opened_before_anyone_voted_is_caught():
    close = closed()[-1]
    close.payload["result"] = vote_rules.compute_result(
        yes=0, no=0, abstain=0, electorate=3, threshold="simple", quorum=None
    ).as_payload()
    close.payload["ballots"] = []
    close.actor = "u-alice"
    assert messages(tabled(seconds=0), opened(), close) == [
        "vote v, which the rules opened, was closed by u-alice before anyone voted"
    ]
    # Once someone has voted, or where an officer opened it, the officer may close it.
    voted = closed()
    voted[-1].actor = "u-alice"
    assert messages(tabled(seconds=0), opened(), voted) == []
    by_officer = opened()
    by_officer.actor = "u-alice"
    assert messages(tabled(seconds=0), by_officer, close) == []


def test_a_vote_closed_twice_is_caught():
    again = closed(outcome="rejected")
    # The second close neither counts again nor undoes the adoption: the motion is forwarded as adopted.
    council = entry("council.created", {"council": COUNCIL, "is_base": True, "parent": ABOVE})
    forward = entry("motion.forwarded", {"motion": "mo", "to_council": ABOVE, "to_motion": "up"}, "u-alice")
    assert messages(council, chair(), tabled(seconds=0), opened(), closed(), again[-1], forward) == [
        "vote v was closed twice"
    ]


def test_only_the_councils_voters_table_amend_and_second_its_motions():
    council = entry("council.created", {"council": COUNCIL, "is_base": True, "parent": ABOVE})
    # Bob and Erin are full members; Frank is only a candidate, and Erin leaves before she seconds.
    candidate = entry("member.candidate_started", {"membership": "m-u-frank", "member": "u-frank"})
    left = entry("member.left", {"membership": "m-u-erin", "member": "u-erin"})
    assert messages(
        council, members("u-bob", "u-erin"), candidate, tabled(), left, seconded(), amendment()
    ) == [
        "motion mo was seconded by u-erin, who had no vote in council c-1 at that moment",
        "amendment am was proposed to motion mo by u-frank, who had no vote in council c-1 at that moment",
    ]
    assert messages(council, tabled()) == [
        "motion mo was tabled asking for 1 seconder, but council c-1 had 0 voters at that moment: too few "
        "others to give them",
        "motion mo was tabled by u-bob, who had no vote in council c-1 at that moment",
    ]
    # A motion forwarded from below names the officer who forwarded it; the council below put it.
    assert messages(council, replace(tabled("up", 0, forwarded_from="mo"), actor="u-alice")) == []


def test_in_a_higher_council_its_seated_delegates_move_motions():
    council = entry("council.created", {"council": ABOVE, "is_base": False, "parent": None}, council=ABOVE)

    def seat(action: str, seat: str = "s-1") -> Item:
        if action == "unseated":
            # Bob resigns.
            payload = {"seat": seat, "delegate": "u-bob", "reason": "resigned"}
            return entry("delegate.unseated", payload, actor="u-bob", council=ABOVE)
        payload = {"seat": seat, "delegate": "u-bob", "from_council": COUNCIL}
        return entry(f"delegate.{action}", payload, council=ABOVE)

    # Alone, Bob could have nobody to second his motion: it asks for none.
    up = replace(tabled(seconds=0), council=ABOVE, actor="u-bob")
    assert messages(council, seat("seated"), up) == []
    # Two seats for the same council, one vacated: Bob still sits.
    assert messages(council, seat("seated"), seat("seated", "s-2"), seat("unseated"), up) == []
    assert messages(council, seat("seated"), seat("unseated"), up) == [
        f"motion mo was tabled by u-bob, who had no vote in council {ABOVE} at that moment"
    ]


def test_motions_in_councils_not_seen_from_their_creation_are_noted():
    verdict = replay.replay([tabled()])
    assert verdict.problems == []
    assert any("whether whoever did it had a vote there was not checked" in n for n in verdict.notes)


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"title": "x" * (vote_rules.TITLE_MAX + 1)}, "title"),
        ({"title": "  Safety  reps"}, "title"),
        ({"title": ""}, "title"),
        ({"text": "x" * (vote_rules.TEXT_MAX + 1)}, "text"),
        ({"text": "Elect two.\n"}, "text"),
        ({"text": 7}, "text"),
    ],
)
def test_a_title_or_text_the_app_refuses_is_caught(change, refused):
    limit = vote_rules.TITLE_MAX if refused == "title" else vote_rules.TEXT_MAX
    expected = f"with a {refused} the rules refuse (not trimmed, empty or longer than {limit} characters)"
    assert messages(tabled(seconds=0, **{"title": "Safety", **change})) == [
        f"motion mo was tabled {expected}"
    ]
    assert messages(tabled(seconds=0), amendment(**{"title": "Safety", **change})) == [
        f"amendment am was proposed to motion mo {expected}"
    ]


@pytest.mark.parametrize("seconds", [-1, vote_rules.SECONDS_MAX + 1, "2"])
def test_seconders_required_beyond_the_bounds_are_caught(seconds):
    assert messages(tabled(seconds=0, seconds_required=seconds)) == [
        f"motion mo was tabled asking for {seconds!r} seconders; "
        f"the rules allow 0 to {vote_rules.SECONDS_MAX}"
    ]
