"""The words the pages show for stored codes: every event the code base appends has them."""

from __future__ import annotations

import ast
from pathlib import Path

from councils.core.ledger.encoding import canonical_bytes
from councils.record.queries import Recorded
from councils.web.templatetags.labels import EVENT_FAMILY_LABELS, EVENT_LABELS, entry_label, event_label

COUNCILS = Path(__file__).resolve().parents[2] / "councils"


def _strings(node: ast.expr, function: ast.AST) -> set[str]:
    """The event names an `event=` argument can take: literals, either side of `a if c else b`,
    or a local variable assigned literals in the enclosing function (`event, changed = "x.y", True`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, function) | _strings(node.orelse, function)
    if isinstance(node, ast.Name):
        found: set[str] = set()
        for assign in ast.walk(function):
            if not isinstance(assign, ast.Assign):
                continue
            for target in assign.targets:
                if isinstance(target, ast.Name) and target.id == node.id:
                    found |= _strings(assign.value, function)
                elif isinstance(target, ast.Tuple) and isinstance(assign.value, ast.Tuple):
                    for element, value in zip(target.elts, assign.value.elts, strict=True):
                        if isinstance(element, ast.Name) and element.id == node.id:
                            found |= _strings(value, function)
        if found:
            return found
    raise AssertionError(f"cannot tell which events line {node.lineno} appends: {ast.unparse(node)}")


def _called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def appended_events() -> set[str]:
    """Every event name passed to append_entry anywhere under councils/."""
    events: set[str] = set()
    for path in COUNCILS.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and _called(call) == "append_entry"):
                    continue
                for keyword in call.keywords:
                    if keyword.arg == "event":
                        events |= _strings(keyword.value, function)
    return events


def test_every_appended_event_has_words_and_a_kind_to_filter_by():
    events = appended_events()
    assert {"vote.closed", "vote.changed", "member.expelled", "discipline.appeal_dismissed"} <= events
    assert sorted(events - EVENT_LABELS.keys()) == [], "add these events to EVENT_LABELS"
    assert sorted(EVENT_LABELS.keys() - events) == [], "no code appends these events any more"
    assert sorted({e.split(".")[0] for e in events} - EVENT_FAMILY_LABELS.keys()) == []


def test_an_unknown_event_shows_its_code():
    assert event_label("vote.closed") == "Vote closed"
    assert event_label("something.new") == "something.new"


def _label(event, payload=None):
    data = None if payload is None else canonical_bytes({"event": event, "payload": payload})
    return entry_label(Recorded(event, 1, data))


def test_a_motions_withdrawal_entry_says_which_end_it_records_as_the_replay_reads_it():
    lapsed = _label("motion.withdrawn", {"motion": "m", "reason": "lapsed"})
    assert lapsed == "Amendment lapsed with its motion"
    assert _label("motion.withdrawn", {"motion": "m", "reason": "withdrawn"}) == "Motion withdrawn"
    # The replay takes any reason but `lapsed`, or none, for a withdrawal.
    assert _label("motion.withdrawn", {"motion": "m"}) == "Motion withdrawn"
    # Listed without its bytes, the entry has its event's label.
    assert _label("motion.withdrawn") == "Motion withdrawn or lapsed"
    assert _label("vote.closed", {"vote": "v"}) == "Vote closed"
