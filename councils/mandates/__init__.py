"""Mandates, recall, terms and the register of offices.

Owns the instructions a council gives its delegates, their roll-call
compliance, recall petitions and votes, and term and pay rules.
"""
