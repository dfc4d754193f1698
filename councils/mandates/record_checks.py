"""Compare mandates, the proposals that led to them, their roll calls and reports back with the record.

A proposal is tabled as a motion (`mandate.proposed`); the first vote that
decides its motion adopts it (`mandate.adopted`, naming the new mandate) or
rejects it. A later mandate on the same motion supersedes the council's
current one. Each roll-call line and each report back has its own entry; a
report's text is named by its SHA-256. A petition to recall a delegate or an
officer is compared by its status and its signatures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from councils.core.wording import counted
from councils.record.state_checks import check_petition_start, check_signatures, signed_at
from councils.record.verification import (
    Recorded,
    RecordIndex,
    differences,
    each_row,
    matched,
    moment,
    named,
    same_moment,
    state_check,
    time_differs,
    time_differs_or_unrecorded,
)


@state_check("mandate_proposals")
def check_proposals(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import MandateProposal

    proposed = {str(e.payload.get("proposal")): e for e in record.events("mandate.proposed")}
    adopted = {str(e.payload.get("motion")) for e in record.events("mandate.adopted")}
    decided = {str(e.payload.get("motion")) for e in record.events("vote.closed")}
    rows = each_row(
        MandateProposal.objects.values_list(
            "uuid",
            "council__uuid",
            "target_motion_uuid",
            "choice",
            "motion_uuid",
            "status",
            "proposed_by__uuid",
            "proposed_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, council, target, choice, motion, status, proposed_by, proposed_at = row
        p = entry.payload
        said = str(p.get("motion"))
        recorded = {
            "council": entry.council,
            "target motion": p.get("target_motion"),
            "choice": p.get("choice"),
            "motion": p.get("motion"),
            "status": "adopted" if said in adopted else "rejected" if said in decided else "pending",
            "proposer": entry.actor,
        }
        stored = {
            "council": str(council),
            "target motion": named(target),
            "choice": choice,
            "motion": named(motion),
            "status": status,
            "proposer": named(proposed_by),
        }
        yield from differences(f"Mandate proposal {key}", stored, recorded)
        yield from time_differs(f"Mandate proposal {key} was made", proposed_at, entry.at)

    yield from matched(rows, proposed, compare, "Mandate proposal", "tabled it")


@state_check("mandates")
def check_mandates(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import Mandate

    adopted: dict[str, dict[str, Any]] = {}
    current: dict[tuple[str | None, str], str] = {}
    for entry in record.events("mandate.adopted"):
        p = entry.payload
        key = str(p.get("mandate"))
        adopted[key] = {
            "council": entry.council,
            "target motion": p.get("target_motion"),
            "choice": p.get("choice"),
            "motion": p.get("motion"),
            "superseded": False,
            "adopted_at": entry.at,
            "superseded_at": None,
            "checked_at": None,
        }
        # A council's new mandate on a motion supersedes the one it had.
        earlier = current.get((entry.council, str(p.get("target_motion"))))
        if earlier is not None:
            adopted[earlier].update(superseded=True, superseded_at=entry.at)
        current[(entry.council, str(p.get("target_motion")))] = key
    for entry in record.events("mandate.roll_call_checked"):
        # Every seat of a mandate is checked in one action, at one time.
        said = adopted.get(str(entry.payload.get("mandate")))
        if said is not None and said["checked_at"] is None:
            said["checked_at"] = entry.at
    rows = each_row(
        Mandate.objects.values_list(
            "uuid",
            "council__uuid",
            "target_motion_uuid",
            "choice",
            "proposal__motion_uuid",
            "adopted_at",
            "superseded_at",
            "checked_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, council, target, choice, motion, adopted_at, superseded_at, checked_at = row
        stored = {
            "council": str(council),
            "target motion": named(target),
            "choice": choice,
            "motion": named(motion),
            "superseded": superseded_at is not None,
        }
        yield from differences(f"Mandate {key}", stored, said)
        yield from time_differs(f"Mandate {key} was adopted", adopted_at, said["adopted_at"])
        if superseded_at is not None and said["superseded_at"] is not None:
            yield from time_differs(f"Mandate {key} was superseded", superseded_at, said["superseded_at"])
        yield from time_differs_or_unrecorded(
            f"Mandate {key}'s roll call was checked", checked_at, said["checked_at"]
        )

    yield from matched(rows, adopted, compare, "Mandate", "adopted it")
    yield from _check_roll_calls(record)


def _check_roll_calls(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import MandateVote

    checked = {
        (str(e.payload.get("mandate")), str(e.payload.get("seat"))): e
        for e in record.events("mandate.roll_call_checked")
    }
    present = set()
    rows = MandateVote.objects.values_list(
        "mandate__uuid", "seat__uuid", "delegate__uuid", "cast_choice", "complied", "checked_at"
    )
    for mandate, seat, delegate, cast, complied, checked_at in each_row(rows):
        key = (str(mandate), str(seat))
        present.add(key)
        entry = checked.get(key)
        what = f"Mandate {key[0]}'s roll call of seat {key[1]}"
        if entry is None:
            yield f"{what} exists but the record never checked it."
            continue
        said = entry.payload
        recorded = {
            "delegate": said.get("delegate"),
            "vote": said.get("cast") or "",
            "compliance": said.get("complied"),
        }
        stored = {"delegate": str(delegate), "vote": cast, "compliance": complied}
        yield from differences(what, stored, recorded)
        yield from time_differs(f"{what} was made", checked_at, entry.at)
    for mandate_key, seat_key in sorted(checked.keys() - present):
        yield f"Mandate {mandate_key}'s recorded roll call of seat {seat_key} has vanished from the database."


@state_check("reports")
def check_reports(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import ReportDue

    due = {str(e.payload.get("report")): e for e in record.events("report.due")}
    submitted = {str(e.payload.get("report")): e for e in record.events("report.submitted")}
    rows = each_row(
        ReportDue.objects.values_list(
            "uuid",
            "council__uuid",
            "seat__uuid",
            "delegate__uuid",
            "meeting_uuid",
            "due_at",
            "report",
            "submitted_at",
            "created_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, council, seat, delegate, meeting, due_at, text, submitted_at, created_at = row
        p = entry.payload
        recorded = {
            "council": entry.council,
            "seat": p.get("seat"),
            "delegate": p.get("delegate"),
            "meeting": p.get("meeting"),
        }
        stored = {
            "council": str(council),
            "seat": str(seat),
            "delegate": str(delegate),
            "meeting": str(meeting),
        }
        yield from differences(f"Report back {key}", stored, recorded)
        if not same_moment(due_at, moment(p.get("due_at"))):
            yield f"Report back {key} is due at another time than the record says."
        yield from time_differs(f"Report back {key} fell due", created_at, entry.at)
        report = submitted.get(key)
        if (submitted_at is not None) != (report is not None):
            state = "submitted" if submitted_at is not None else "not submitted"
            yield f"Report back {key} is {state}, unlike the record."
        elif report is not None:
            if hashlib.sha256(text.encode()).hexdigest() != report.payload.get("text_sha256"):
                yield f"Report back {key}'s text is not the text the record holds."
            yield from time_differs(f"Report back {key} was submitted", submitted_at, report.at)

    yield from matched(rows, due, compare, "Report back", "made it due")


RECALL_EVENTS = (
    "recall.petition_started",
    "recall.signed",
    "recall.vote_called",
    "recall.petition_expired",
    "recall.decided",
    "delegate.unseated",
    "office.vacated",
)


def _recorded_recalls(record: RecordIndex) -> dict[str, dict[str, Any]]:
    petitions: dict[str, dict[str, Any]] = {}
    # The petition still collecting signatures against each seat and office: it is moot once that ends.
    open_against: dict[str, str] = {}
    for entry in record.events(*RECALL_EVENTS):
        p = entry.payload
        if entry.event in ("delegate.unseated", "office.vacated"):
            held = p.get("seat" if entry.event == "delegate.unseated" else "office")
            petition = open_against.pop(str(held), None)
            if petition is not None:
                petitions[petition].update(status="moot", closed_at=entry.at)
            continue
        uuid = str(p.get("petition"))
        if entry.event == "recall.petition_started":
            petitions[uuid] = {
                "council": entry.council,
                "started_by": entry.actor,
                "seat": p.get("seat"),
                "office": p.get("office"),
                "target": p.get("holder"),
                "threshold": p.get("threshold"),
                "status": "open",
                "signers": {},
                "vote": None,
                "started": entry,
                "vote_called_at": None,
                "closed_at": None,
            }
            open_against[str(p.get("seat") or p.get("office"))] = uuid
            continue
        said = petitions.get(uuid)
        if said is None:
            # Its start is missing from the log, which the log's own check reports.
            continue
        if entry.event == "recall.signed":
            said["signers"][str(entry.actor)] = entry.at
            continue
        open_against.pop(str(said["seat"] or said["office"]), None)
        if entry.event == "recall.vote_called":
            said.update(status="vote", vote=p.get("vote"), vote_called_at=entry.at)
        elif entry.event == "recall.petition_expired":
            said.update(status="expired", closed_at=entry.at)
        else:
            said.update(status="recalled" if p.get("recalled") is True else "kept", closed_at=entry.at)
    return petitions


@state_check("recalls")
def check_recalls(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import RecallPetition, RecallSignature

    petitions = _recorded_recalls(record)
    signed = signed_at(RecallSignature.objects.values_list("petition__uuid", "user__uuid", "signed_at"))
    rows = each_row(
        RecallPetition.objects.values_list(
            "uuid",
            "council__uuid",
            "started_by__uuid",
            "seat__uuid",
            "office__uuid",
            "target__uuid",
            "threshold",
            "status",
            "vote_uuid",
            "eligible_count",
            "started_at",
            "expires_at",
            "vote_called_at",
            "closed_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            council,
            started_by,
            seat,
            office,
            target,
            threshold,
            status,
            vote,
            eligible_count,
            started_at,
            expires_at,
            vote_called_at,
            closed_at,
        ) = row
        if said["council"] != str(council):
            yield f"Recall petition {key} is in another council than the record says."
        if said["started_by"] != str(started_by):
            yield f"Recall petition {key} was started by someone other than the record says."
        stored = (str(seat) if seat else None, str(office) if office else None, str(target))
        if stored != (said["seat"], said["office"], said["target"]):
            yield f"Recall petition {key} is against another seat, office or holder than the record says."
        if threshold != said["threshold"]:
            yield (
                f"Recall petition {key} needs {counted(threshold, 'signature', 'signatures')} "
                f"but the record says {said['threshold']}."
            )
        if status != said["status"]:
            yield f"Recall petition {key} is {status!r} but the record says {said['status']!r}."
        if (str(vote) if vote else None) != said["vote"]:
            yield f"Recall petition {key} names another recall vote than the record says."
        what = f"Recall petition {key}"
        yield from check_petition_start(what, said["started"], started_at, expires_at, eligible_count)
        yield from time_differs_or_unrecorded(
            f"{what} called its vote", vote_called_at, said["vote_called_at"]
        )
        yield from time_differs_or_unrecorded(f"{what} closed", closed_at, said["closed_at"])
        yield from check_signatures(what, signed[key], said["signers"])

    yield from matched(
        rows, petitions, compare, "Recall petition", "started it", shown=lambda row: f"({row.status})"
    )
