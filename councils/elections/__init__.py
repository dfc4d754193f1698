"""Elections: candidacies, ballots, counts and certification.

Owns elections of delegates and officers; counts through
`councils.core.tally`. Must not seat anyone itself: it calls federation
actions with the certified result.
"""
