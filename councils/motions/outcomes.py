"""What happens when a vote on a motion of a given kind closes: handlers other apps register.

Other apps hold their votes through motions (recall, discipline, constitution,
admission, agenda). They table a motion of their kind about their object and
register one handler for that kind in their AppConfig.ready():

    from councils.motions import outcomes

    def on_recall_decided(*, motion: Motion, result: VoteResult, now: datetime) -> None:
        if result.adopted:
            ...  # vacate the seat named by motion.subject_uuid

    outcomes.register("recall", on_recall_decided)

`close_vote` calls the handler inside its own transaction, after the result is
written and recorded, so a passed recall vacates its seat atomically with the
result: if the handler raises, the whole close rolls back. The handler runs for
every outcome (`result.outcome` is "adopted", "rejected" or "no_quorum"). For an
adopted "amendment" the motions app itself merges the text; "ordinary" needs no
handler.

The actions other apps call (councils.motions.actions; keyword-only; `actor=None`
means the rules themselves act, which skips officer checks but never the
eligibility check on a cast):

    table_motion(*, actor, council, title, text, now, kind="ordinary",
                 subject_uuid=None, seconds_required=None) -> Motion
        seconds_required None means 1 (0 when actor is None); 0 makes it "seconded" at once.
    second_motion(*, actor, motion, now) -> Motion
    propose_amendment(*, actor, motion, text, now, title="", seconds_required=None) -> Motion
    open_vote(*, actor, motion, now, method=None, threshold="simple", quorum=None,
              closes_at=None, allow_change=True) -> Vote
        method None: "named" in delegate bodies, "secret" in base councils.
    cast_vote(*, actor, vote, choice, now, idempotency_key=None) -> CastReceipt
    close_vote(*, actor, vote, now) -> VoteResult   (councils.core.rules.votes.VoteResult)
    withdraw_motion(*, actor, motion, now) -> Motion
        Officers cannot withdraw a motion tabled with actor=None (only the rules can),
        nor close a vote the rules opened before its closes_at, or before anyone voted.
    forward_motion(*, actor, motion, now) -> Motion   (the new motion in the parent council)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from councils.core.rules.votes import VoteResult
    from councils.motions.models import Motion


class OutcomeHandler(Protocol):
    def __call__(self, *, motion: Motion, result: VoteResult, now: datetime) -> None: ...


_HANDLERS: dict[str, OutcomeHandler] = {}


def register(kind: str, handler: OutcomeHandler | Callable[..., None]) -> None:
    """Make `handler` decide what a closed vote on a motion of `kind` does; one handler per kind."""
    from councils.motions.models import Motion

    if kind not in Motion.Kind.values:
        raise ValueError(f"unknown motion kind {kind!r}")
    existing = _HANDLERS.get(kind)
    if existing is not None and existing is not handler:
        raise ValueError(f"motion kind {kind!r} already has an outcome handler")
    _HANDLERS[kind] = handler


def unregister(kind: str) -> None:
    """Remove the handler for `kind` (tests register temporary ones)."""
    _HANDLERS.pop(kind, None)


def handler_for(kind: str) -> OutcomeHandler | None:
    return _HANDLERS.get(kind)
