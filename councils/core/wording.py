"""How a count is said in words, shared by the command line and the record's checks."""

from __future__ import annotations


def counted(n: int, one: str, many: str) -> str:
    """ "1 council", "2 councils": a count in the number it takes."""
    return f"{n} {one if n == 1 else many}"
