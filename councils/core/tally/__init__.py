"""Counting engine: STV (Scottish, Meek, WIGM), Schulze, plurality and approval.

Pure: no Django, no I/O, no clock, no global random state. Public API:

    from councils.core.tally import count, Election, Ballot, METHODS, CountResult

    election = Election(candidates=("Ann", "Bo"), ballots=(Ballot(3, ((0,), (1,))),), seats=1)
    result = count(election, method="scottish-stv", seed=None)
    result.to_json()   # the pinned `councils count --json` document

A `Ballot` is `weight` identical ballots; its ranking is a tuple of
preference levels, each a tuple of 0-based candidate indices (more than one
index ranks them equally, which Meek, Schulze and approval accept). Ties the
rules leave to lot are drawn with `random.Random(seed)`; without a seed, the
seed is a digest of the ballots, so a count is always reproducible from its
inputs. Methods raise `councils.core.errors.InvalidInputError` for ballots
they cannot count, and for counts too large to do exactly (more than 2**53 - 1
ballots; for Meek, more than 10**8 preferences). `blt.parse_text` /
`blt.dumps` read and write `.blt` text; `export.stages_csv` renders the
stages as CSV.
"""

from councils.core.tally.model import Ballot, CountResult, Election, Stage, Tie
from councils.core.tally.registry import METHODS, count

__all__ = ["METHODS", "Ballot", "CountResult", "Election", "Stage", "Tie", "count"]
