"""Motions, seconders, amendments and votes on them (named and secret).

Owns the life of a motion from draft to decision and forwarding to the parent
council, and the ballots cast on it. Results come from `councils.core`.
"""
