"""Pure rules for yes/no/abstain votes on motions: thresholds, quorum, results, text diffs.

The abstention rule, stated once: an abstention is a ballot. It counts toward
the quorum (the member took part) but not toward the votes cast, so it never
helps or hinders a majority of votes cast. Only the "absolute" threshold is
measured against the whole frozen electorate, where staying away and
abstaining both weigh like a "no".
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.wording import counted

CHOICES = ("yes", "no", "abstain")
METHODS = ("named", "secret")
THRESHOLDS = ("simple", "absolute", "two_thirds", "three_fifths")
THRESHOLD_LABELS = {
    "simple": "simple majority of votes cast",
    "absolute": "absolute majority of all members entitled to vote",
    "two_thirds": "two thirds of votes cast",
    "three_fifths": "three fifths of votes cast",
}
ADOPTED, REJECTED, NO_QUORUM = "adopted", "rejected", "no_quorum"


# A vote held at a threshold satisfies a requirement when every result that
# passes at the held threshold would also pass at the required one.
# "absolute" is measured against the whole electorate, the others against
# the votes cast, so neither implies the other except by equality.
_SATISFIES: dict[str, frozenset[str]] = {
    "simple": frozenset({"simple", "absolute", "three_fifths", "two_thirds"}),
    "absolute": frozenset({"absolute"}),
    "three_fifths": frozenset({"three_fifths", "two_thirds"}),
    "two_thirds": frozenset({"two_thirds"}),
}


# What a motion or amendment may say, and how many seconders it may ask for.
TITLE_MAX = 200
TEXT_MAX = 50_000
SECONDS_MAX = 50


def clean_title(title: str) -> str:
    """A motion's title on one line, its spaces collapsed; refused empty or too long."""
    title = " ".join(title.split())
    if not title:
        raise InvalidInputError("A motion needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidInputError(f"A title may have at most {TITLE_MAX} characters.")
    return title


def clean_text(text: str) -> str:
    """A motion's text with plain line ends and no surrounding space; refused empty or too long."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInputError("A motion needs a text.")
    if len(text) > TEXT_MAX:
        raise InvalidInputError(f"A text may have at most {TEXT_MAX} characters.")
    return text


def check_seconds_required(seconds_required: int) -> None:
    if not 0 <= seconds_required <= SECONDS_MAX:
        raise InvalidInputError(f"Seconders required must be between 0 and {SECONDS_MAX}.")


def threshold_satisfies(*, held: str, required: str) -> bool:
    """Answer whether a vote held at `held` meets a rule that requires `required`."""
    return held in _SATISFIES.get(required, frozenset())


@dataclass(frozen=True)
class VoteResult:
    """The outcome of a closed vote, with every number that decided it."""

    yes: int
    no: int
    abstain: int
    electorate: int
    threshold: str
    quorum: int | None
    required: int
    quorum_met: bool
    outcome: str

    @property
    def cast(self) -> int:
        """Votes cast: yes and no; abstentions are not votes cast."""
        return self.yes + self.no

    @property
    def turnout(self) -> int:
        """Ballots returned, abstentions included: what the quorum counts."""
        return self.yes + self.no + self.abstain

    @property
    def adopted(self) -> bool:
        return self.outcome == ADOPTED

    def as_payload(self) -> dict[str, Any]:
        """The result as a JSON-safe record payload (no floats)."""
        return {
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "cast": self.cast,
            "turnout": self.turnout,
            "electorate": self.electorate,
            "threshold": self.threshold,
            "quorum": self.quorum,
            "quorum_met": self.quorum_met,
            "required": self.required,
            "outcome": self.outcome,
        }


def check_choice(choice: str) -> str:
    if choice not in CHOICES:
        raise InvalidInputError(f"Choose one of {', '.join(CHOICES)}, not {choice!r}.")
    return choice


def default_method(*, is_base: bool) -> str:
    """Delegate bodies vote by roll call so their voters can hold them to account; members vote secretly."""
    return "secret" if is_base else "named"


# Motions whose text the rules write from what another rule decides: amending the words would put
# one text to the vote while the rules decide another (the application, the case, the document).
# An ordinary motion with a subject decides another app's proposal (a mandate, backing a petition,
# a change to a forced item) in words written from it, and is worded by the rules too.
WORDED_BY_RULES = {
    "recall": ("a recall vote, worded from the petition that called it", ""),
    "discipline": ("a vote on charges or an appeal, worded from the case", ""),
    "admission": ("an admission vote, worded from the application", ""),
    "formation": ("a motion to form a council", " Propose another council instead."),
    "constitution": (
        "a proposal to amend the constitution, worded from the changes it makes, which are what its "
        "vote adopts",
        " Propose another amendment to the constitution instead.",
    ),
    "agenda": ("a motion on the agenda", ""),
    "ordinary": (
        "a motion deciding a proposal (a mandate, backing a petition, changing a forced item), worded "
        "from the proposal",
        " Vote on it as it stands, and make another proposal if you want another.",
    ),
}


def worded_by_rules(*, kind: str, has_subject: bool) -> str | None:
    """What a motion the rules word is, or None for one whose mover's words the council may amend."""
    if kind == "ordinary" and not has_subject:
        return None
    return WORDED_BY_RULES.get(kind, (None,))[0]


def check_amendable(*, kind: str, has_subject: bool) -> None:
    """Refuse an amendment to an amendment, or to a motion whose text the rules write."""
    if kind == "amendment":
        raise ConflictError("Amend the motion itself, not an amendment.")
    what = worded_by_rules(kind=kind, has_subject=has_subject)
    if what is not None:
        advice = WORDED_BY_RULES[kind][1]
        raise ConflictError(f"This is {what}: the rules word it, so it cannot be amended.{advice}")


def check_vote_settings(*, method: str, threshold: str, quorum: int | None, electorate: int) -> None:
    """Refuse settings under which the vote could not be held or could never pass."""
    if method not in METHODS:
        raise InvalidInputError(f"Unknown voting method {method!r}; choose named or secret.")
    if threshold not in THRESHOLDS:
        raise InvalidInputError(f"Unknown threshold {threshold!r}; choose from {', '.join(THRESHOLDS)}.")
    if electorate < 1:
        raise InvalidInputError("Nobody is entitled to vote in this council, so no vote can be held.")
    if quorum is not None and not 1 <= quorum <= electorate:
        raise InvalidInputError(
            f"The quorum must be between 1 and the {counted(electorate, 'member', 'members')} entitled "
            "to vote."
        )


def required_yes(*, threshold: str, cast: int, electorate: int) -> int:
    """The fewest "yes" votes that carry the motion; never fewer than one."""
    if threshold == "simple":
        needed = cast // 2 + 1
    elif threshold == "absolute":
        needed = electorate // 2 + 1
    elif threshold == "two_thirds":
        needed = -(-2 * cast // 3)
    elif threshold == "three_fifths":
        needed = -(-3 * cast // 5)
    else:
        raise InvalidInputError(f"Unknown threshold {threshold!r}.")
    return max(1, needed)


def compute_result(
    *, yes: int, no: int, abstain: int, electorate: int, threshold: str, quorum: int | None
) -> VoteResult:
    """Decide a vote from its counts. A simple-majority tie fails: a motion needs more for than against."""
    if min(yes, no, abstain, electorate) < 0:
        raise InvalidInputError("Counts cannot be negative.")
    if yes + no + abstain > electorate:
        raise InvalidInputError("More ballots than members entitled to vote.")
    if quorum is not None and quorum < 1:
        raise InvalidInputError("A quorum must be at least one ballot.")
    needed = required_yes(threshold=threshold, cast=yes + no, electorate=electorate)
    quorum_met = quorum is None or yes + no + abstain >= quorum
    if not quorum_met:
        outcome = NO_QUORUM
    elif yes >= needed:
        outcome = ADOPTED
    else:
        outcome = REJECTED
    return VoteResult(
        yes=yes,
        no=no,
        abstain=abstain,
        electorate=electorate,
        threshold=threshold,
        quorum=quorum,
        required=needed,
        quorum_met=quorum_met,
        outcome=outcome,
    )


def tally(choices: Iterable[str]) -> dict[str, int]:
    """Count ballots by choice; an unknown choice is an error, not a silent zero."""
    counts = dict.fromkeys(CHOICES, 0)
    for choice in choices:
        counts[check_choice(choice)] += 1
    return counts


def electorate_digest(*, voter_uuids: Iterable[str], text: str) -> str:
    """SHA-256 over the sorted electorate and the motion text, as frozen when the vote opens."""
    voters = sorted(voter_uuids)
    document = "\n".join(["electorate", *voters, "text", text])
    return hashlib.sha256(document.encode()).hexdigest()


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two texts as (op, text) pairs, op in equal/insert/delete; whitespace is kept."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
    return ops
