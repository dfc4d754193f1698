"""Pure ballot rules of elections: checking a ballot, hashing sets, building the count's input.

In the core, so the same code checks a ballot in the app, builds the ballot
set the record publishes at the close, and lets the offline verifier recount
an election from that set.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

from councils.core.errors import InvalidInputError
from councils.core.ledger.encoding import canonical_bytes
from councils.core.tally import Ballot, Election

Ranking = list[list[str]]
RANKED = ("scottish-stv", "meek", "wigm", "schulze")


def default_method(seats: int) -> str:
    """STV for several seats; a single seat goes to the most votes."""
    return "scottish-stv" if seats > 1 else "plurality"


def normalise_ballot(
    *, method: str, seats: int, candidates: Sequence[str], ranking: Sequence[str], approvals: Sequence[str]
) -> Ranking:
    """Return the stored form of a ballot, or raise InvalidInputError saying what is wrong with it."""
    known = set(candidates)
    if method in RANKED:
        if approvals:
            raise InvalidInputError("This election takes a ranking, not approvals.")
        marks = list(ranking)
    else:
        if ranking and approvals:
            raise InvalidInputError("Send either a ranking or approvals, not both.")
        marks = list(approvals or ranking)
    if not marks:
        raise InvalidInputError("A ballot must mark at least one candidate.")
    unknown = [m for m in marks if m not in known]
    if unknown:
        raise InvalidInputError(f"Not a candidate in this election: {', '.join(unknown)}.")
    repeated = sorted(c for c, n in Counter(marks).items() if n > 1)
    if repeated:
        raise InvalidInputError(f"A candidate may be marked only once: {', '.join(repeated)}.")
    if method in RANKED:
        return [[m] for m in marks]
    if method == "plurality" and len(marks) > seats:
        most = "only one candidate" if seats == 1 else f"at most {seats} candidates"
        raise InvalidInputError(f"Mark {most} in this election.")
    return [sorted(marks)]


def ballot_set_hash(rankings: Iterable[Ranking]) -> str:
    """Hash the anonymous ballot set so that its order never changes the hash."""
    ordered = sorted(canonical_bytes({"r": r}).decode() for r in rankings)
    digest = hashlib.sha256(canonical_bytes({"ballots": ordered}))
    return "sha256:" + digest.hexdigest()


def published_ballot_set(rankings: Iterable[Ranking]) -> list[dict[str, object]]:
    """The anonymous ballot set as `election.closed` publishes it: each distinct ranking once, with its count.

    Sorted by the ranking's canonical bytes, so the set reveals nothing of the
    order in which ballots were cast.
    """
    grouped = Counter(tuple(tuple(level) for level in r) for r in rankings)
    published = [{"ranking": [list(level) for level in r], "weight": n} for r, n in grouped.items()]
    return sorted(published, key=lambda b: canonical_bytes({"r": b["ranking"]}))


def list_hash(values: Iterable[str]) -> str:
    """Hash a frozen list (electorate, candidates) in sorted order."""
    return "sha256:" + hashlib.sha256(canonical_bytes({"items": sorted(values)})).hexdigest()


def tally_election(
    *,
    candidates: Sequence[str],
    seats: int,
    rankings: Iterable[Ranking],
    title: str,
    withdrawn: Iterable[str] = (),
) -> Election:
    """Group identical ballots and index candidates for `councils.core.tally.count`.

    `withdrawn` candidates stay on the list (ballots cast before their withdrawal name them) and
    the count skips them on every ballot, which then counts for its next preference.
    """
    index = {c: i for i, c in enumerate(candidates)}
    grouped = Counter(tuple(tuple(index[c] for c in level) for level in r) for r in rankings)
    ballots = tuple(Ballot(weight, ranking) for ranking, weight in sorted(grouped.items()))
    return Election(
        candidates=tuple(candidates),
        ballots=ballots,
        seats=seats,
        title=title.replace('"', "'"),
        withdrawn=frozenset(index[c] for c in withdrawn),
    )
