"""The tree of councils, their members' and delegates' seats, and their officers.

Owns councils, base-council memberships, delegate seats in higher councils and
offices, and answers who may see or vote in a council. Must not count votes
or decide motions.
"""
