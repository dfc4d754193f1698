"""`manage.py verify_record`: recompute the log from the database and compare the organisation with it.

Two halves. `check_log` recomputes every leaf hash from the entries' bytes,
the stored subtree hashes, the tree and every signed checkpoint. Then each
registered *state check* compares one app's current rows with what the
record says (a motion's text, a named vote's choice, a membership's status).
Apps add their own comparison with

    @state_check("elections")
    def check_elections(record: RecordIndex) -> Iterable[str]:
        ...

in a `record_checks.py` module of the app (found automatically), yielding
one plain-language line per discrepancy; `matched` runs the loop most of
them share, rows against the entries that made them. Everything here only reads.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules

from councils.core.ledger import merkle, note
from councils.core.ledger.encoding import EncodingCheck, format_time, read_entry
from councils.core.wording import counted
from councils.record import sequencer
from councils.record.models import Checkpoint, Cosignature, Entry, LogState, Node, Pending, Sequence

CHUNK = 5000


@dataclass(frozen=True)
class Recorded:
    """One decoded entry, with its log index (None while it waits for the sequencer).

    `at` is the entry's time as its bytes state it (UTC ISO 8601 text): kept as
    text, and read with `moment` only where a check compares it.
    """

    index: int | None
    event: str
    actor: str | None
    council: str | None
    payload: dict[str, Any]
    at: str | None = None


@dataclass
class RecordIndex:
    """The record's entries in log order (pending ones last), indexed for state checks."""

    entries: list[Recorded] = field(default_factory=list)
    by_event: dict[str, list[Recorded]] = field(default_factory=lambda: defaultdict(list))

    def add(self, entry: Recorded) -> None:
        self.entries.append(entry)
        self.by_event[entry.event].append(entry)

    def events(self, *names: str) -> Iterator[Recorded]:
        """Entries of the given event types, in log order."""
        if len(names) == 1:
            yield from self.by_event.get(names[0], [])
            return
        wanted = set(names)
        for entry in self.entries:
            if entry.event in wanted:
                yield entry


StateCheck = Callable[[RecordIndex], Iterable[str]]
STATE_CHECKS: dict[str, StateCheck] = {}


def state_check(name: str) -> Callable[[StateCheck], StateCheck]:
    def register(function: StateCheck) -> StateCheck:
        STATE_CHECKS[name] = function
        return function

    return register


def moment(value: object) -> datetime | None:
    """The instant an entry states in ISO 8601 text (in whatever zone it was given), or None."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _to_millisecond(value: datetime | None) -> datetime | None:
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value is not None else None


def same_moment(stored: datetime | None, stated: datetime | None) -> bool:
    """Whether a row's time is the one an entry states (both None also agree).

    Compared to the millisecond: a backup in Django's JSON format keeps no finer times.
    """
    return _to_millisecond(stored) == _to_millisecond(stated)


def time_differs(what: str, stored: datetime | None, at: str | None) -> Iterator[str]:
    """A line when a row's time is not the time `at` of the entry that says it happened (`same_moment`)."""
    if at is not None and not same_moment(stored, moment(at)):
        shown = format_time(stored) if stored is not None else "no time"
        yield f"{what} at {shown}, but the record says {at}."


def time_differs_or_unrecorded(what: str, stored: datetime | None, at: str | None) -> Iterator[str]:
    """As `time_differs`, and a line when the row holds a time where the record states none (`at` None)."""
    if at is not None:
        yield from time_differs(what, stored, at)
    elif stored is not None:
        yield f"{what} at {format_time(stored)}, but the record never says so."


def named(value: object) -> str | None:
    """A row's UUID (or None) as entries name it: in text."""
    return str(value) if value is not None else None


def grouped(pairs: Iterable[tuple[object, object]]) -> defaultdict[str, set[str]]:
    """The second UUIDs of (row, related row) pairs, gathered by the first, in text (none if it has none)."""
    groups: defaultdict[str, set[str]] = defaultdict(set)
    for owner, member in pairs:
        groups[str(owner)].add(str(member))
    return groups


def differences(what: str, stored: dict[str, Any], recorded: dict[str, Any]) -> Iterator[str]:
    """A line for each field of `stored` whose value differs from the one the record states, if stated."""
    for name, value in stored.items():
        if name in recorded and recorded[name] != value:
            yield f"{what}'s {name} is {value!r} but the record says {recorded[name]!r}."


Row = TypeVar("Row")
Said = TypeVar("Said")


def each_row(rows: QuerySet[Any, Any]) -> Iterator[Any]:
    """The rows of a query, in its order, never more than `CHUNK` of them held at once.

    Up to `CHUNK` rows are read by one query; only past that does it stream them through
    `.iterator()`, starting over. On PostgreSQL `.iterator()` opens a server-side cursor, which
    costs four round trips more than the query alone (declare, describe, the last empty fetch,
    close): across the few dozen tables the checks read, most of their time on a small database.
    """
    first = list(rows[: CHUNK + 1])
    if len(first) <= CHUNK:
        yield from first
    else:
        yield from rows.iterator(chunk_size=CHUNK)


def _uuid_in_text(row: Any) -> str:
    return str(row[0])


def matched(
    rows: Iterable[Row],
    recorded: Mapping[str, Said],
    compare: Callable[[str, Row, Said], Iterable[str]],
    what: str,
    never: str,
    *,
    shown: Callable[[Row], str] | None = None,
    key: Callable[[Row], str] = _uuid_in_text,
) -> Iterator[str]:
    """The lines where rows differ from what the record says of each, found under the row's `key`
    (by default its first value, a UUID, in text): `compare`'s for a row the record states;
    "`what` KEY `shown(row)` exists but the record never `never`." for a row it never states; then,
    in the keys' order, "`what` KEY is in the record but has vanished from the database." for each
    key the record states that no row holds.
    """
    present = set()
    for row in rows:
        row_key = key(row)
        present.add(row_key)
        if row_key in recorded:
            yield from compare(row_key, row, recorded[row_key])
        else:
            described = f" {shown(row)}" if shown is not None else ""
            yield f"{what} {row_key}{described} exists but the record never {never}."
    for gone in sorted(recorded.keys() - present):
        yield f"{what} {gone} is in the record but has vanished from the database."


def _where(index: int | None) -> str:
    return f"entry {index}" if index is not None else "a pending entry"


def check_log() -> tuple[list[str], RecordIndex]:
    """Recompute leaves, stored nodes, the tree and every checkpoint; return problems and decoded entries."""
    problems: list[str] = []
    record = RecordIndex()
    builder = merkle.TreeBuilder()
    encoding = EncodingCheck()
    stored_nodes = {
        (level, index): bytes(h) for level, index, h in Node.objects.values_list("level", "index", "hash")
    }
    seen_nodes: set[tuple[int, int]] = set()
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
    checkpoint_sizes = set(Checkpoint.objects.values_list("size", flat=True))
    rows = each_row(
        Sequence.objects.order_by("index").values_list(
            "index", "leaf_hash", "entry__leaf_hash", "entry__data", "entry__event"
        )
    )
    for index, stored_leaf, entry_leaf, data, event in rows:
        if index != builder.size:
            problems.append(
                f"The log jumps from entry {builder.size - 1} to entry {index}: "
                f"{index - builder.size} entr{'y was' if index - builder.size == 1 else 'ies were'} removed."
            )
        if data is None:
            problems.append(f"Entry {index} has vanished from the database (its sequence row remains).")
            leaf = bytes(stored_leaf)
        else:
            leaf = merkle.hash_leaf(bytes(data))
            if leaf != bytes(stored_leaf) or leaf != bytes(entry_leaf or b""):
                problems.append(
                    f"Entry {index} ({event}) was altered: its bytes no longer match its leaf hash."
                )
            record.add(_decode(index, bytes(data), problems, encoding))
        for position, h in builder.append(leaf):
            seen_nodes.add(position)
            if stored_nodes.get(position) != h:
                problems.append(
                    f"The stored hash of entries {position[1] << position[0]}-"
                    f"{((position[1] + 1) << position[0]) - 1} does not match the entries."
                )
        if builder.size in checkpoint_sizes:
            roots[builder.size] = builder.root()
    for position in stored_nodes.keys() - seen_nodes:
        problems.append(f"A stored subtree hash {position} covers entries the log does not have.")
    state = LogState.objects.filter(id=1).first()
    if state is not None and (
        state.size != builder.size or (builder.size and bytes(state.root) != builder.root())
    ):
        problems.append(
            f"The log's head says {counted(state.size, 'entry', 'entries')} but the entries make a "
            "different tree."
        )
    problems.extend(_check_checkpoints(roots, builder.size))
    marks: dict[int, int | None] = dict(Pending.objects.values_list("entry_id", "xact"))
    waiting = each_row(Entry.objects.filter(sequence__isnull=True).values_list("id", "data"))
    # In the order the sequencer will give them (an entry neither sequenced nor pending stands alone).
    for entry_id, _, data in sequencer.in_log_order([(i, marks.get(i), d) for i, d in waiting]):
        if entry_id not in marks:
            problems.append(f"Entry row {entry_id} is neither in the log nor waiting to be sequenced.")
        record.add(_decode(None, bytes(data), problems, encoding))
    return problems, record


def _decode(index: int | None, data: bytes, problems: list[str], encoding: EncodingCheck) -> Recorded:
    try:
        document, uncanonical = read_entry(data)
        recorded = Recorded(
            index=index,
            event=str(document["event"]),
            actor=document.get("actor"),
            council=document.get("council"),
            payload=dict(document.get("payload") or {}),
            at=document.get("at"),
        )
    except (ValueError, KeyError, TypeError):
        problems.append(f"{_where(index).capitalize()} is not a readable record entry.")
        return Recorded(index, "", None, None, {})
    for wrong in (uncanonical, encoding.problem(index, document)):
        if wrong is not None:
            problems.append(f"{_where(index).capitalize()} ({recorded.event}) {wrong}.")
    return recorded


def _check_checkpoints(roots: dict[int, bytes], size: int) -> list[str]:
    problems = []
    cosignatures: dict[int, list[Cosignature]] = defaultdict(list)
    for cosignature in Cosignature.objects.order_by("id"):
        cosignatures[cosignature.checkpoint_id].append(cosignature)
    for checkpoint in each_row(Checkpoint.objects.order_by("id")):
        try:
            opened, parsed = note.open_checkpoint(checkpoint.note, note.parse_vkey(checkpoint.key))
        except note.NoteError as exc:
            problems.append(f"Checkpoint of size {checkpoint.size} does not verify: {exc}.")
            continue
        for cosignature in cosignatures.get(checkpoint.id, []):
            try:
                witness = note.parse_vkey(cosignature.key)
                line = note.parse_note(parsed.body + "\n" + cosignature.line).signatures[0]
                note.verify_signature(parsed.body, line, witness)
            except (note.NoteError, IndexError) as exc:
                problems.append(
                    f"Witness {cosignature.witness}'s cosignature of checkpoint {checkpoint.size} "
                    f"does not verify: {exc}."
                )
        if opened.size != checkpoint.size or opened.root != bytes(checkpoint.root):
            problems.append(
                f"Checkpoint of size {checkpoint.size}: its stored size or root is not what it signed."
            )
        if opened.size > size:
            problems.append(
                f"A signed checkpoint covers {counted(opened.size, 'entry', 'entries')} but the log "
                f"holds {size}: "
                "entries were removed."
            )
        elif roots.get(opened.size) != opened.root:
            problems.append(
                f"The signed checkpoint of size {opened.size} does not match the entries: "
                "the record was changed after it was signed."
            )
    return problems


@functools.cache
def _register_state_checks() -> None:
    """Import the built-in comparisons and every app's `record_checks` module, once."""
    import councils.record.state_checks  # noqa: F401 - registers the built-in comparisons

    autodiscover_modules("record_checks")


def run_state_checks(record: RecordIndex) -> list[str]:
    _register_state_checks()
    problems: list[str] = []
    for name in sorted(STATE_CHECKS):
        problems.extend(f"[{name}] {line}" for line in STATE_CHECKS[name](record))
    return problems


def verify_database() -> list[str]:
    problems, record = check_log()
    return [*problems, *run_state_checks(record)]
