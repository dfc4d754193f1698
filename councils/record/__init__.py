"""The record: an append-only, tamper-evident log of every decision.

Owns entries, their canonical bytes, the Merkle tree and signed checkpoints.
Only actions append (through `councils.record.actions.append_entry`); nothing
updates or deletes an entry.
"""
