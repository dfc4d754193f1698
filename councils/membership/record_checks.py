"""Compare discipline cases, their defences and their appeals with the record.

Charges, hearing notes and grounds of appeal are personal: entries carry only
salted commitments to them. Their text is compared while the salt is kept;
once erased, only that the text is gone can be told.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from councils.record.verification import RecordIndex, differences, moment, named, same_moment, state_check

# The status each entry about a case leaves it in.
CASE_STATUS = {
    "discipline.charged": "charged",
    "discipline.heard": "heard",
    "discipline.vote_called": "voting",
    "discipline.withdrawn": "withdrawn",
    "discipline.dismissed": "dismissed",
    "member.suspended": "upheld",
    "member.expelled": "upheld",
    "discipline.appeal_allowed": "reversed",
}
APPEAL_STATUS = {
    "discipline.appeal_lodged": "lodged",
    "discipline.appeal_vote_called": "voting",
    "discipline.appeal_allowed": "allowed",
    "discipline.appeal_dismissed": "dismissed",
}


def _salts(record: RecordIndex) -> dict[str, bytes]:
    """The salts still kept for the commitments of discipline entries (erased ones are gone)."""
    from councils.record.models import PersonalDatum

    named = {
        e.payload.get(key)
        for e in record.events("discipline.charged", "discipline.heard", "discipline.appeal_lodged")
        for key in ("charges", "notes", "grounds")
    }
    rows = PersonalDatum.objects.values_list("commitment", "salt").iterator()
    return {c: bytes(salt) for c, salt in rows if c in named}


def _committed(what: str, text: str, said: Any, salts: dict[str, bytes]) -> Iterator[str]:
    """A line if `text` is not the text the commitment `said` was made to (while its salt is kept)."""
    from councils.record.actions import commitment

    if isinstance(said, str) and said in salts and commitment(salts[said], text) != said:
        yield f"{what} are not the text the record committed to."


@state_check("discipline")
def check_discipline(record: RecordIndex) -> Iterator[str]:
    from councils.membership.models import DisciplineCase

    cases: dict[str, dict[str, Any]] = {}
    for entry in record.events(*CASE_STATUS, "member.reinstated"):
        p = entry.payload
        case = cases.get(str(p.get("case")))
        if entry.event == "discipline.charged":
            cases[str(p.get("case"))] = {
                "council": entry.council,
                "membership": p.get("membership"),
                "penalty": p.get("penalty"),
                "suspension days": p.get("suspension_days"),
                "status": "charged",
                "motion": None,
                "hearing_at": p.get("hearing_at"),
                "until": None,
                "charges": p.get("charges"),
                "notes": None,
            }
        elif case is None:
            continue
        elif entry.event == "member.reinstated":
            if p.get("reason") == "suspension_served":
                case["status"] = "ended"
        else:
            case["status"] = CASE_STATUS[entry.event]
            if entry.event == "discipline.vote_called":
                case["motion"] = p.get("motion")
            elif entry.event == "discipline.heard":
                case["notes"] = p.get("notes")
            elif entry.event in ("member.suspended", "member.expelled"):
                case["until"] = p.get("until")
    salts = _salts(record)
    present = set()
    rows = DisciplineCase.objects.values_list(
        "uuid",
        "council__uuid",
        "membership__uuid",
        "penalty",
        "suspension_days",
        "status",
        "motion_uuid",
        "hearing_at",
        "suspended_until",
        "charges",
        "hearing_notes",
    ).iterator()
    for uuid, council, membership, penalty, days, status, motion, hearing_at, until, charges, notes in rows:
        key = str(uuid)
        present.add(key)
        said = cases.get(key)
        if said is None:
            yield f"Discipline case {key} exists but the record never brought its charges."
            continue
        stored = {
            "council": str(council),
            "membership": str(membership),
            "penalty": penalty,
            "suspension days": days,
            "status": status,
            "motion": named(motion),
        }
        yield from differences(f"Discipline case {key}", stored, said)
        if not same_moment(hearing_at, moment(said["hearing_at"])):
            yield f"Discipline case {key}'s hearing is set for another time than the record gave notice of."
        if not same_moment(until, moment(said["until"])):
            yield f"Discipline case {key}'s suspension ends at another time than the record says."
        yield from _committed(f"Discipline case {key}'s charges", charges, said["charges"], salts)
        yield from _committed(f"Discipline case {key}'s hearing notes", notes, said["notes"], salts)
    for key in sorted(cases.keys() - present):
        yield f"Discipline case {key} is in the record but has vanished from the database."
    yield from _check_defences(record)
    yield from _check_appeals(record, salts)


def _check_defences(record: RecordIndex) -> Iterator[str]:
    from councils.membership.models import Defence

    recorded = Counter(str(e.payload.get("case")) for e in record.events("discipline.defence_submitted"))
    stored = Counter(str(case) for case in Defence.objects.values_list("case__uuid", flat=True).iterator())
    for case in sorted(recorded.keys() | stored.keys()):
        if recorded[case] != stored[case]:
            yield (
                f"Discipline case {case} has {stored[case]} defences but the record holds {recorded[case]}."
            )


def _check_appeals(record: RecordIndex, salts: dict[str, bytes]) -> Iterator[str]:
    from councils.membership.models import Appeal

    appeals: dict[str, dict[str, Any]] = {}
    for entry in record.events(*APPEAL_STATUS):
        p = entry.payload
        key = str(p.get("appeal"))
        if entry.event == "discipline.appeal_lodged":
            appeals[key] = {
                "case": p.get("case"),
                "council": entry.council,
                "level": p.get("level"),
                "status": "lodged",
                "motion": None,
                "grounds": p.get("grounds"),
            }
        elif key in appeals:
            appeals[key]["status"] = APPEAL_STATUS[entry.event]
            if entry.event == "discipline.appeal_vote_called":
                appeals[key]["motion"] = p.get("motion")
    present = set()
    rows = Appeal.objects.values_list(
        "uuid", "case__uuid", "council__uuid", "level", "status", "motion_uuid", "grounds"
    )
    for uuid, case, council, level, status, motion, grounds in rows.iterator():
        key = str(uuid)
        present.add(key)
        said = appeals.get(key)
        if said is None:
            yield f"Appeal {key} exists but the record never lodged it."
            continue
        stored = {
            "case": str(case),
            "council": str(council),
            "level": level,
            "status": status,
            "motion": named(motion),
        }
        yield from differences(f"Appeal {key}", stored, said)
        yield from _committed(f"Appeal {key}'s grounds", grounds, said["grounds"], salts)
    for key in sorted(appeals.keys() - present):
        yield f"Appeal {key} is in the record but has vanished from the database."
