"""Motions, seconders, amendments and votes on them (named and secret).

Owns the life of a motion from draft to decision and forwarding to the parent
council, the frozen electorates and the ballots cast. Results come from
`councils.core.rules.votes`; other apps act on results through `outcomes`.
Must never store anything that links a secret ballot to its voter.
"""
