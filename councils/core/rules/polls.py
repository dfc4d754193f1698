"""When a poll may take ballots and be closed: the closing time shared by motion votes and elections.

A poll with a closing time takes no ballot at or after it, and an officer may
close it before then only once everyone entitled to vote has voted: whoever
chairs it cannot close it while their side leads or hold it open until their
side has turned out. At the closing time the rules close it. A poll without
one (a motion vote opened without it, or an election opened before elections
had one) is closed by hand. The rules close nothing early either: a close with
no officer named is held to the same closing time.

The same functions decide in the app and in the offline verifier.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from councils.core.errors import ConflictError, InvalidInputError


def span(length: timedelta) -> str:
    """A length in plain words: whole days as days, anything else as minutes."""
    if length % timedelta(days=1) == timedelta(0):
        days = length // timedelta(days=1)
        return f"{days} day{'s' if days != 1 else ''}"
    minutes = length // timedelta(minutes=1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check_closing_time(
    *, opens_at: datetime, closes_at: datetime, minimum: timedelta, maximum: timedelta, what: str = "poll"
) -> None:
    """Refuse a closing time less than `minimum` or more than `maximum` after the poll opens.

    An election's limits are the constitution's (`election_poll_min` and `election_poll_max`); a vote
    on charges or an appeal (`what`) has its own (`discipline_poll_min` and `discipline_poll_max`), and
    so has an admission vote (`admission_poll_min` and `admission_poll_max`).
    """
    if closes_at < opens_at + minimum:
        raise InvalidInputError(
            f"The {what} must stay open at least {span(minimum)}: close it at "
            f"{opens_at + minimum:%Y-%m-%d %H:%M} UTC or later.",
            code="closing_time",
        )
    if closes_at > opens_at + maximum:
        article = "An" if what[:1] in tuple("aeiou") else "A"
        raise InvalidInputError(
            f"{article} {what} may stay open at most {span(maximum)}: close it by "
            f"{opens_at + maximum:%Y-%m-%d %H:%M} UTC.",
            code="closing_time",
        )


def check_closes_after_opening(*, opens_at: datetime, closes_at: datetime) -> None:
    """Refuse a motion vote's closing time that is not after its opening; a vote has no longest length."""
    if closes_at <= opens_at:
        raise InvalidInputError("The closing time must be in the future.")


def is_over(*, closes_at: datetime | None, at: datetime) -> bool:
    """Whether a ballot at `at` comes at or after the poll's closing time."""
    return closes_at is not None and at >= closes_at


def check_in_time(*, closes_at: datetime | None, now: datetime) -> None:
    """Refuse a ballot at or after the closing time."""
    if is_over(closes_at=closes_at, at=now):
        raise ConflictError("Voting time is over.", code="voting_time_over")


def closes_too_early(*, closes_at: datetime | None, at: datetime, turnout: int, electorate: int) -> bool:
    """Whether closing at `at` is refused: before the closing time, with someone yet to vote.

    The same for an officer and for the rules: the rules close a poll at its closing time, never before.
    """
    return closes_at is not None and at < closes_at and turnout < electorate


def check_close(
    *, closes_at: datetime | None, now: datetime, turnout: int, electorate: int, what: str
) -> None:
    """Refuse a close before the closing time while someone has yet to vote, whoever closes.

    `what` names the poll in the message: a motion's "vote", an election's "poll".
    """
    if closes_too_early(closes_at=closes_at, at=now, turnout=turnout, electorate=electorate):
        raise ConflictError(
            f"This {what} stays open until its closing time unless everyone has voted.",
            code="poll_still_open",
        )
