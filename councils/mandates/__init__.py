"""Delegates' accountability: recall, mandates and roll calls, reports back, terms and the offices register.

Owns recall petitions and the outcome of recall votes, the instructions a council
gives its delegates and their compliance, reports due after meetings above, and
declared pay. It never appoints or removes a delegate for a higher body: only
the electing council's members recall, through a petition and a vote.
"""
