"""The counting methods by name, and `count`, the one entry point that runs them."""

from __future__ import annotations

from collections.abc import Callable

from councils.core.errors import InvalidInputError
from councils.core.tally.meek import count_meek
from councils.core.tally.model import CountResult, Election
from councils.core.tally.plurality import count_approval, count_plurality
from councils.core.tally.profile import Profile, TieBreaker
from councils.core.tally.schulze import count_schulze
from councils.core.tally.scottish import count_scottish_stv
from councils.core.tally.wigm import count_wigm

Method = Callable[[Profile, TieBreaker], CountResult]

METHODS: dict[str, Method] = {
    "scottish-stv": count_scottish_stv,
    "meek": count_meek,
    "wigm": count_wigm,
    "schulze": count_schulze,
    "plurality": count_plurality,
    "approval": count_approval,
}


def count(election: Election, *, method: str, seed: str | None = None) -> CountResult:
    """Count `election` by `method`; ties left to lot use `seed`, or a digest of the ballots."""
    try:
        run = METHODS[method]
    except KeyError:
        raise InvalidInputError(
            f"unknown counting method {method!r}; choose from {', '.join(METHODS)}"
        ) from None
    profile = election.profile
    ties = TieBreaker(names=profile.names, seed=seed, derive_seed=profile.canonical_digest)
    return run(profile, ties)
