"""Admission, candidate periods, eligibility and discipline.

Owns how people become members and how due process is followed before any
right is suspended. Must not change seats or offices except through
federation actions.
"""
