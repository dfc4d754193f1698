"""How a count is said in words, shared by the command line and the record's checks."""

from __future__ import annotations


def counted(n: object, one: str, many: str) -> str:
    """ "1 council", "2 councils": a count in the number it takes. A number read from a record entry
    may be anything a forged entry put there: it is shown as it is, in the plural."""
    return f"{n} {one if type(n) is int and n == 1 else many}"
