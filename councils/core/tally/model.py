"""Ballots, elections and count results: the values every counting method shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from councils.core.errors import InvalidInputError

if TYPE_CHECKING:
    from councils.core.tally.profile import Profile


@dataclass(frozen=True, slots=True)
class Ballot:
    """`weight` identical ballots; each inner tuple is one preference level (several = equal)."""

    weight: int
    ranking: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Election:
    """Candidates (0-based indices), ballots and seats; `withdrawn` candidates are skipped on every ballot."""

    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    seats: int
    title: str = ""
    withdrawn: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(set(self.candidates)) != len(self.candidates):
            raise InvalidInputError("candidate names must be unique")
        if self.seats < 1:
            raise InvalidInputError("at least one seat must be filled")
        if any(not 0 <= c < len(self.candidates) for c in self.withdrawn):
            raise InvalidInputError("a withdrawn candidate is not on the list of candidates")

    @cached_property
    def profile(self) -> Profile:
        """The ballots grouped and checked once, shared by every count of this election."""
        from councils.core.tally.profile import compile_profile

        return compile_profile(self)


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a count, with everything needed to check it by hand."""

    number: int
    action: str
    totals: dict[str, str]
    non_transferable: str
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    transfer_value: str | None = None
    quota: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tie:
    """A tie the rules had to settle: by an earlier stage's votes, or by the seeded draw."""

    stage: int
    kind: str
    tied: tuple[str, ...]
    chosen: str
    by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "kind": self.kind,
            "tied": list(self.tied),
            "chosen": self.chosen,
            "by": self.by,
        }


@dataclass(frozen=True, slots=True)
class CountResult:
    """The outcome of a count and every stage that led to it."""

    method: str
    seats: int
    quota: str | None
    seed: str | None
    candidates: tuple[str, ...]
    elected: tuple[str, ...]
    stages: tuple[Stage, ...]
    ties: tuple[Tie, ...]

    @property
    def elected_at_stage(self) -> dict[str, int]:
        return {name: stage.number for stage in self.stages for name in stage.elected}

    def to_json(self) -> dict[str, Any]:
        """Return the pinned `councils count --json` document."""
        return {
            "method": self.method,
            "seats": self.seats,
            "quota": self.quota,
            "seed": self.seed,
            "elected": list(self.elected),
            "stages": [
                {
                    "stage": s.number,
                    "totals": dict(s.totals),
                    "elected": list(s.elected),
                    "excluded": list(s.excluded),
                    "transfer_value": s.transfer_value,
                }
                for s in self.stages
            ],
            "ties": [t.to_json() for t in self.ties],
        }
