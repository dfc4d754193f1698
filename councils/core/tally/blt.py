"""Read and write `.blt` ballot files (ERS / OpenSTV / Droop dialect).

Accepted: a header `candidates seats`; optional withdrawn candidates as
negative numbers on the lines before the ballots; Droop option lines in
brackets (`[nick a b c]` names candidates by nickname, `[withdrawn ...]`,
others are ignored with a warning); ballots `weight pref pref ... 0` where
`a=b` ranks candidates equally; a `0` line; the candidate names, one a line,
quoted or not; the title. Lines after the title are ignored with a warning.
Identical ballot lines are parsed once, which keeps million-ballot files fast.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from councils.core.errors import InvalidInputError
from councils.core.tally.model import Ballot, Election
from councils.core.tally.profile import Ranking


@dataclass(frozen=True)
class BltDocument:
    election: Election
    warnings: tuple[str, ...]


def _error(line: int, message: str) -> InvalidInputError:
    return InvalidInputError(f"line {line}: {message}", code="invalid_blt")


def _int(token: str, line: int, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise _error(line, f"{what} must be an integer, not {token!r}") from None


def _unquote(text: str) -> list[str]:
    """Split a names line: one unquoted name, or one or more "quoted" names."""
    if not text.startswith('"'):
        return [text]
    parts = text.split('"')
    if len(parts) % 2 == 0:
        raise ValueError("unbalanced quotes")
    if any(p.strip() for p in parts[0::2]):
        raise ValueError("text outside the quotes")
    return parts[1::2]


def parse_text(text: str) -> BltDocument:
    """Parse a whole `.blt` file; raise InvalidInputError naming the line for anything malformed."""
    lines = [line.strip() for line in text.splitlines()]
    warnings: list[str] = []
    i = 0

    def next_content() -> int:
        nonlocal i
        while i < len(lines) and not lines[i]:
            i += 1
        return i

    if next_content() >= len(lines):
        raise _error(1, "empty file: expected 'candidates seats'")
    header = lines[i].split()
    if len(header) != 2:
        raise _error(i + 1, f"expected 'candidates seats', found {lines[i]!r}")
    n, seats = (_int(t, i + 1, "the header") for t in header)
    if n < 1 or seats < 1:
        raise _error(i + 1, "the numbers of candidates and seats must be at least 1")
    i += 1
    tokens = {str(c + 1): c for c in range(n)}
    withdrawn: set[int] = set()

    while next_content() < len(lines) and (lines[i].startswith("[") or lines[i].startswith("-")):
        line = lines[i]
        if line.startswith("-"):
            for token in line.split():
                number = _int(token, i + 1, "a withdrawn candidate")
                if not -n <= number <= -1:
                    raise _error(i + 1, f"withdrawn candidate {token} is not -1..-{n}")
                withdrawn.add(-number - 1)
        else:
            if not line.endswith("]"):
                raise _error(i + 1, "option line has no closing ']'")
            option, *args = line[1:-1].split()
            if option == "nick":
                if len(args) != n or len(set(args)) != n:
                    raise _error(i + 1, f"[nick] must give {n} distinct nicknames")
                tokens = {nick: c for c, nick in enumerate(args)}
            elif option == "withdrawn":
                for token in args:
                    if token not in tokens:
                        raise _error(i + 1, f"unknown candidate {token!r} in [withdrawn]")
                    withdrawn.add(tokens[token])
            else:
                warnings.append(f"line {i + 1}: option [{option}] ignored")
        i += 1

    start = i
    try:
        end = lines.index("0", start)
    except ValueError:
        raise _error(len(lines), "no '0' line ends the ballots") from None
    occurrences = Counter(lines[start:end])
    occurrences.pop("", None)
    merged: dict[Ranking, int] = {}
    singles = {token: (c,) for token, c in tokens.items()}
    for raw, times in occurrences.items():
        try:
            weight, ranking = _parse_ballot(raw, tokens, singles)
        except ValueError as exc:
            raise _error(lines.index(raw, start) + 1, str(exc)) from None
        merged[ranking] = merged.get(ranking, 0) + weight * times

    i = end + 1
    names: list[str] = []
    while len(names) < n:
        if next_content() >= len(lines):
            raise _error(len(lines), f"expected {n} candidate names, found {len(names)}")
        try:
            names.extend(_unquote(lines[i]))
        except ValueError as exc:
            raise _error(i + 1, f"candidate name: {exc}") from None
        i += 1
    if len(names) > n:
        raise _error(i, f"expected {n} candidate names, found more")
    title = ""
    if next_content() < len(lines):
        try:
            title = " ".join(_unquote(lines[i]))
        except ValueError as exc:
            raise _error(i + 1, f"title: {exc}") from None
        i += 1
        if next_content() < len(lines):
            warnings.append(f"line {i + 1}: text after the title ignored")
    if len(set(names)) != n:
        raise _error(end + 2, "candidate names must be unique")
    election = Election(
        candidates=tuple(names),
        ballots=tuple(Ballot(weight, ranking) for ranking, weight in merged.items()),
        seats=seats,
        title=title,
        withdrawn=frozenset(withdrawn),
    )
    return BltDocument(election=election, warnings=tuple(warnings))


def _parse_ballot(raw: str, tokens: dict[str, int], singles: dict[str, tuple[int]]) -> tuple[int, Ranking]:
    """Parse `weight pref ... 0`; `singles` maps each token to its one-candidate level, shared by all."""
    parts = raw.split()
    if len(parts) < 2 or parts[-1] != "0":
        raise ValueError("a ballot must end with 0")
    try:
        weight = int(parts[0])
    except ValueError:
        raise ValueError(f"ballot weight must be an integer, not {parts[0]!r}") from None
    if weight < 1:
        raise ValueError(f"ballot weight must be positive, not {weight}")
    prefs = parts[1:-1]
    if "=" not in raw and len(set(prefs)) == len(prefs) and all(p in singles for p in prefs):
        return weight, tuple(map(singles.__getitem__, prefs))
    ranking: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for part in prefs:
        level: list[int] = []
        for token in part.split("="):
            candidate = tokens.get(token)
            if candidate is None:
                raise ValueError(f"unknown candidate {token!r}")
            if candidate in seen:
                raise ValueError(f"candidate {token} ranked twice")
            seen.add(candidate)
            level.append(candidate)
        ranking.append(singles[part] if len(level) == 1 else tuple(level))
    return weight, tuple(ranking)


def _quote(text: str) -> str:
    if '"' in text or "\n" in text:
        raise InvalidInputError(f"{text!r} cannot be written to a .blt file (quote or newline)")
    return f'"{text}"'


def dumps(election: Election) -> str:
    """Write an election as `.blt` text that `parse_text` reads back to an equal election."""
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)))
    for ballot in election.ballots:
        prefs = " ".join("=".join(str(c + 1) for c in level) for level in ballot.ranking)
        out.append(f"{ballot.weight} {prefs} 0" if prefs else f"{ballot.weight} 0")
    out.append("0")
    out.extend(_quote(name) for name in election.candidates)
    out.append(_quote(election.title))
    return "\n".join(out) + "\n"
