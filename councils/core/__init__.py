"""The pure core of Councils: decisions, counts and the record's mathematics.

Owns every rule that can be stated as a function of its inputs: vote
thresholds, counting methods, eligibility, the ledger's encoding and Merkle
proofs. Must not import Django, do I/O or read the clock (callers pass `now`).
"""
