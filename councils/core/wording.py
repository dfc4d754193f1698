"""How a count is said in words, shared by the command line and the record's checks, and which names
need telling apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def counted(n: object, one: str, many: str) -> str:
    """ "1 council", "2 councils": a count in the number it takes. A number read from a record entry
    may be anything a forged entry put there: it is shown as it is, in the plural."""
    return f"{n} {one if type(n) is int and n == 1 else many}"


def shared_names(names: Iterable[str]) -> set[str]:
    """The names, compared without regard to case, that several of `names` bear: those to tell apart."""
    counts = Counter(name.casefold() for name in names)
    return {name for name, n in counts.items() if n > 1}
