"""The record: an append-only, tamper-evident log of every decision.

Owns entries, their canonical bytes, the sequencer that numbers them into an
RFC 9162 Merkle tree, signed checkpoints, witnesses' cosignatures and the
personal-data side table. Only actions append (through
`councils.record.actions.append_entry`); nothing updates or deletes an entry.
"""
