"""Meetings: agendas, speakers' lists and minutes.

Owns the schedule and order of business of a council's meetings and the
minutes generated from what was decided. Must not decide motions itself.
"""
