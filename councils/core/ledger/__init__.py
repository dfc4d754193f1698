"""The ledger's mathematics: canonical entry encoding, Merkle tree, proofs, checkpoints.

Pure: no Django, no I/O, no clock. Shared by the server and the offline
verifier so that both compute exactly the same bytes and hashes.
"""
