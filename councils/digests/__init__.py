"""Members' e-mail digests: what happened in their councils since the last one, and the record's fingerprint.

Owns each member's digest frequency and the end of the last period sent.
These are personal settings, never record entries. It reads other apps'
records and rows and must not change them, nor show a member anything their
councils' visibility rules hide (secret ballots stay totals only).
"""
