"""Agenda petitions: a minority of a council's members forcing an item onto its next meeting's agenda.

Owns petitions, their signatures and the support of councils for a congress,
and the forced items they create. It never lets a chair remove, merge or
postpone a forced item: only an adopted motion of the body may.
"""
