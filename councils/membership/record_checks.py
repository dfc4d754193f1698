"""Compare discipline cases, applications to join, and proposals to form a council with the record.

An applicant's statement is never recorded, so it is not compared.

Charges, hearing notes and grounds of appeal are personal: entries carry only
salted commitments to them. Their text is compared while the salt is kept;
once erased, only that the text is gone can be told.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from councils.record.state_checks import check_signatures, signed_at
from councils.record.verification import (
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
# The entries that decide a case: the time to appeal runs from theirs (an appeal's own decision aside).
CASE_DECIDED = ("discipline.withdrawn", "discipline.dismissed", "member.suspended", "member.expelled")
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
    rows = each_row(PersonalDatum.objects.values_list("commitment", "salt"))
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
                "decided_at": None,
            }
        elif case is None:
            continue
        elif entry.event == "member.reinstated":
            if p.get("reason") == "suspension_served":
                case["status"] = "ended"
        else:
            case["status"] = CASE_STATUS[entry.event]
            if entry.event in CASE_DECIDED:
                case["decided_at"] = entry.at
            if entry.event == "discipline.vote_called":
                case["motion"] = p.get("motion")
            elif entry.event == "discipline.heard":
                case["notes"] = p.get("notes")
            elif entry.event in ("member.suspended", "member.expelled"):
                case["until"] = p.get("until")
    salts = _salts(record)
    rows = each_row(
        DisciplineCase.objects.values_list(
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
            "decided_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            council,
            membership,
            penalty,
            days,
            status,
            motion,
            hearing_at,
            until,
            charges,
            notes,
            decided_at,
        ) = row
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
        # The time to appeal runs from the decision.
        yield from time_differs_or_unrecorded(
            f"Discipline case {key} was decided", decided_at, said["decided_at"]
        )
        yield from _committed(f"Discipline case {key}'s charges", charges, said["charges"], salts)
        yield from _committed(f"Discipline case {key}'s hearing notes", notes, said["notes"], salts)

    yield from matched(rows, cases, compare, "Discipline case", "brought its charges")
    yield from _check_defences(record)
    yield from _check_appeals(record, salts)


def _check_defences(record: RecordIndex) -> Iterator[str]:
    from councils.membership.models import Defence

    recorded = Counter(str(e.payload.get("case")) for e in record.events("discipline.defence_submitted"))
    stored = Counter(str(case) for case in each_row(Defence.objects.values_list("case__uuid", flat=True)))
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
                "decided_at": None,
            }
        elif key in appeals:
            appeals[key]["status"] = APPEAL_STATUS[entry.event]
            if entry.event == "discipline.appeal_vote_called":
                appeals[key]["motion"] = p.get("motion")
            elif entry.event in ("discipline.appeal_allowed", "discipline.appeal_dismissed"):
                appeals[key]["decided_at"] = entry.at
    rows = each_row(
        Appeal.objects.values_list(
            "uuid", "case__uuid", "council__uuid", "level", "status", "motion_uuid", "grounds", "decided_at"
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, case, council, level, status, motion, grounds, decided_at = row
        stored = {
            "case": str(case),
            "council": str(council),
            "level": level,
            "status": status,
            "motion": named(motion),
        }
        yield from differences(f"Appeal {key}", stored, said)
        yield from _committed(f"Appeal {key}'s grounds", grounds, said["grounds"], salts)
        # A further appeal's time runs from this decision.
        yield from time_differs_or_unrecorded(f"Appeal {key} was decided", decided_at, said["decided_at"])

    yield from matched(rows, appeals, compare, "Appeal", "lodged it")


# The status each entry about an application leaves it in (an approval changes none).
APPLICATION_STATUS = {
    "membership.applied": "sponsoring",
    "membership.transfer_requested": "awaiting_vote",
    "member.candidate_started": "candidate",
    "membership.withdrawn": "withdrawn",
    "membership.admission_vote_called": "voting",
    "member.not_admitted": "rejected",
    "member.admitted": "admitted",
    "member.transferred": "admitted",
}
OPEN = {"sponsoring", "candidate", "awaiting_vote", "voting"}
DECIDED = {"withdrawn", "rejected", "admitted"}


def _recorded_applications(record: RecordIndex) -> dict[str, dict[str, Any]]:
    """Each application as the record leaves it, with its sponsors and when each signed.

    Leaving a membership, or moving it into a council just formed, withdraws the open application
    that holds or would transfer it, as the actions do, under the entry that ends it.
    """
    applications: dict[str, dict[str, Any]] = {}
    invited: dict[str, str] = {}
    holding: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in record.events(
        *APPLICATION_STATUS,
        "member.invited_joined",
        "member.left",
        "membership.admission_flagged",
        "membership.sponsored",
        "membership.approval_vote_called",
        "membership.admission_approved",
    ):
        p = entry.payload
        if entry.event == "member.invited_joined":
            invited[str(p.get("member"))] = str(p.get("membership"))
            continue
        ending = p.get("membership") if entry.event == "member.left" else None
        if entry.event == "member.transferred" and "formation" in p:
            ending = p.get("from_membership")
        if ending is not None:
            for pending in holding.pop(str(ending), []):
                if pending["status"] in OPEN:
                    pending.update(status="withdrawn", decided_at=entry.at)
            continue
        key = str(p.get("application"))
        if entry.event in ("membership.applied", "membership.transfer_requested"):
            transfer = p.get("from_membership")
            membership = invited.get(str(entry.actor)) if p.get("invited") else None
            opened: dict[str, Any] = {
                "council": entry.council,
                "applicant": p.get("applicant"),
                "status": APPLICATION_STATUS[entry.event],
                "constitution version": p.get("constitution"),
                "flagged": p.get("flagged"),
                "membership": membership,
                "transfer from": transfer,
                "motion": None,
                "parent motion": None,
                "applied_at": entry.at,
                "candidate_since": None,
                "candidate_until": None,
                "council_approved_at": None,
                "parent_approved_at": None,
                "decided_at": None,
                "sponsors": {},
            }
            applications[key] = opened
            for held in (membership, transfer):
                if held is not None:
                    holding[str(held)].append(opened)
            continue
        said = applications.get(key)
        if said is None:
            # Its application is missing from the log, which the log's own check reports.
            continue
        if entry.event in APPLICATION_STATUS:
            said["status"] = APPLICATION_STATUS[entry.event]
        if entry.event == "membership.admission_flagged":
            said["flagged"] = True
        elif entry.event == "membership.sponsored":
            said["sponsors"][str(entry.actor)] = entry.at
        elif entry.event == "member.candidate_started":
            said.update(candidate_since=entry.at, candidate_until=p.get("candidate_until"))
            said["membership"] = p.get("membership")
            holding[str(p.get("membership"))].append(said)
        elif entry.event == "membership.admission_vote_called":
            said["motion"] = p.get("motion")
        elif entry.event == "membership.approval_vote_called":
            said["parent motion"] = p.get("motion")
        elif entry.event == "membership.admission_approved":
            approved = "council_approved_at" if p.get("by") == "council" else "parent_approved_at"
            said[approved] = entry.at
        elif entry.event == "member.transferred":
            said["membership"] = p.get("membership")
        if said["status"] in DECIDED and said["decided_at"] is None:
            said["decided_at"] = entry.at
    return applications


@state_check("applications")
def check_applications(record: RecordIndex) -> Iterator[str]:
    """Applications to join a base council, and transfers: sponsors, candidate period, votes, outcome."""
    from councils.membership.models import Application, Sponsorship

    applications = _recorded_applications(record)
    sponsored = signed_at(
        Sponsorship.objects.values_list("application__uuid", "sponsor__uuid", "sponsored_at")
    )
    rows = each_row(
        Application.objects.values_list(
            "uuid",
            "council__uuid",
            "applicant__uuid",
            "status",
            "constitution_version",
            "is_flagged",
            "membership__uuid",
            "transfer_from__uuid",
            "motion_uuid",
            "parent_motion_uuid",
            "applied_at",
            "candidate_since",
            "candidate_until",
            "council_approved_at",
            "parent_approved_at",
            "decided_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            council,
            applicant,
            status,
            version,
            flagged,
            membership,
            transfer_from,
            motion,
            parent_motion,
            applied_at,
            candidate_since,
            candidate_until,
            council_approved_at,
            parent_approved_at,
            decided_at,
        ) = row
        what = f"Application {key}"
        stored = {
            "council": str(council),
            "applicant": str(applicant),
            "status": status,
            "constitution version": version,
            "flagged": flagged,
            "membership": named(membership),
            "transfer from": named(transfer_from),
            "motion": named(motion),
            "parent motion": named(parent_motion),
        }
        yield from differences(what, stored, said)
        yield from time_differs(f"{what} was made", applied_at, said["applied_at"])
        yield from time_differs_or_unrecorded(
            f"{what}'s candidate period began", candidate_since, said["candidate_since"]
        )
        yield from time_differs_or_unrecorded(
            f"{what}'s candidate period ends", candidate_until, said["candidate_until"]
        )
        yield from time_differs_or_unrecorded(
            f"{what} was approved by its council", council_approved_at, said["council_approved_at"]
        )
        yield from time_differs_or_unrecorded(
            f"{what} was approved above", parent_approved_at, said["parent_approved_at"]
        )
        yield from time_differs_or_unrecorded(f"{what} was decided", decided_at, said["decided_at"])
        yield from check_signatures(
            what, sponsored[key], said["sponsors"], kind=("sponsorship", "sponsorships", "sponsored")
        )

    yield from matched(
        rows, applications, compare, "Application", "received it", shown=lambda row: f"({row.status})"
    )


# The status each entry deciding a formation leaves it in.
FORMATION_STATUS = {
    "council.formation_withdrawn": "withdrawn",
    "council.formation_rejected": "rejected",
    "council.formation_refused": "refused",
    "council.formed": "formed",
}


def _recorded_formations(record: RecordIndex) -> dict[str, dict[str, Any]]:
    """Each proposal to form a council as the record leaves it, with each founder's consent."""
    formations: dict[str, dict[str, Any]] = {}
    for entry in record.events(
        "council.formation_proposed",
        "council.formation_signed",
        "council.formation_consent_withdrawn",
        *FORMATION_STATUS,
    ):
        p = entry.payload
        key = str(p.get("formation"))
        if entry.event == "council.formation_proposed":
            formations[key] = {
                "parent": entry.council,
                "name": p.get("name"),
                "kind": p.get("kind"),
                "visibility": p.get("visibility"),
                "reason": p.get("reason"),
                "proposed by": p.get("proposer"),
                "constitution version": p.get("constitution"),
                "motion": p.get("motion"),
                "status": "proposed",
                "council": None,
                "refusal": "",
                "proposed_at": entry.at,
                "decided_at": None,
                "founders": {str(entry.actor): {"membership": p.get("membership"), "moved": None}},
                "signed": {str(entry.actor): entry.at},
            }
            continue
        said = formations.get(key)
        if said is None:
            # A refusal of a vote on no open proposal names none; a missing proposal the log reports.
            continue
        member = str(p.get("member"))
        if entry.event == "council.formation_signed":
            said["founders"][member] = {"membership": p.get("membership"), "moved": None}
            said["signed"][member] = entry.at
        elif entry.event == "council.formation_consent_withdrawn":
            said["founders"].pop(member, None)
            said["signed"].pop(member, None)
        else:
            said.update(status=FORMATION_STATUS[entry.event], decided_at=entry.at)
            if entry.event == "council.formation_refused":
                said["refusal"] = p.get("reason")
            elif entry.event == "council.formed":
                said["council"] = p.get("council")
                moved = {str(founder) for founder in p.get("founders") or []}
                for signer, consent in said["founders"].items():
                    consent["moved"] = signer in moved
    return formations


@state_check("formations")
def check_formations(record: RecordIndex) -> Iterator[str]:
    """Proposals to form a base council: what was proposed, who consented to found it, how it was decided."""
    from councils.membership.models import Formation, FormationSignature

    formations = _recorded_formations(record)
    consents: defaultdict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    signatures = FormationSignature.objects.values_list(
        "formation__uuid", "signer__uuid", "membership__uuid", "signed_at", "moved"
    )
    for formation, signer, membership, at, moved in each_row(signatures):
        consents[str(formation)][str(signer)] = {"membership": named(membership), "moved": moved, "at": at}
    rows = each_row(
        Formation.objects.values_list(
            "uuid",
            "parent__uuid",
            "name",
            "kind",
            "visibility",
            "reason",
            "proposed_by__uuid",
            "constitution_version",
            "motion_uuid",
            "status",
            "council__uuid",
            "refusal",
            "proposed_at",
            "decided_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            parent,
            name,
            kind,
            visibility,
            reason,
            proposed_by,
            version,
            motion,
            status,
            council,
            refusal,
            proposed_at,
            decided_at,
        ) = row
        what = f"Formation {key}"
        stored = {
            "parent": str(parent),
            "name": name,
            "kind": kind,
            "visibility": visibility,
            "proposed by": str(proposed_by),
            "constitution version": version,
            "motion": named(motion),
            "status": status,
            "council": named(council),
        }
        yield from differences(what, stored, said)
        if reason != said["reason"]:
            yield f"{what}'s reason is not the reason the record holds."
        if refusal != said["refusal"]:
            yield f"{what}'s reason for not forming the council is not the one the record holds."
        yield from time_differs(f"{what} was proposed", proposed_at, said["proposed_at"])
        yield from time_differs_or_unrecorded(f"{what} was decided", decided_at, said["decided_at"])
        founders = consents[key]
        yield from check_signatures(
            what,
            {s: c["at"] for s, c in founders.items()},
            said["signed"],
            kind=("founder's consent", "founders' consents", "consented"),
        )
        for signer in sorted(founders.keys() & said["founders"].keys()):
            consent = {name: founders[signer][name] for name in ("membership", "moved")}
            yield from differences(f"{what}: {signer}'s consent", consent, said["founders"][signer])

    yield from matched(
        rows, formations, compare, "Formation", "proposed it", shown=lambda row: f"({row.name!r})"
    )
