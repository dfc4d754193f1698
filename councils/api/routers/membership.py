"""Admission (applications, sponsors, candidate periods, admission votes), transfers and due process.

A member's status changes only through these procedures: `POST
/membership/members/{id}/status` lets a member leave and refuses, with the
reason, every attempt to suspend or expel outside charges, hearing and vote.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from councils.accounts.queries import acting_user
from councils.api.pagination import PageNumber
from councils.api.schemas import Ref, Strict
from councils.constitution import queries as constitution_queries
from councils.federation import queries as federation_queries
from councils.membership import actions, permissions, queries
from councils.membership.models import Appeal, Application, DisciplineCase

router = Router(tags=["membership"])


class TransferFromOut(Schema):
    membership: UUID
    council: Ref


class ApplicationOut(Schema):
    uuid: UUID
    council: Ref
    applicant: Ref
    statement: str
    status: str
    status_label: str
    applied_at: datetime
    membership: UUID | None
    transfer_from: TransferFromOut | None
    candidate_since: datetime | None
    candidate_until: datetime | None
    sponsors: list[Ref]
    sponsors_required: int
    is_flagged: bool
    motion: UUID | None
    council_approved_at: datetime | None
    approval_by: Literal["parent", "standing_members"] | None
    approval_members_before: datetime | None
    parent_motion: UUID | None
    parent_approved_at: datetime | None
    decided_at: datetime | None
    constitution: int


class ApplicationIn(Strict):
    council: UUID
    statement: str = Field(default="", max_length=20_000)


class TransferIn(Strict):
    council: UUID
    statement: str = Field(default="", max_length=20_000)


class CallVoteIn(Strict):
    method: Literal["named", "secret"] | None = None
    closes_at: AwareDatetime | None = Field(
        None,
        description="when the vote closes, with its time zone: at least as long after now as the "
        "constitution's admission_poll_min_days and at most its admission_poll_max_days (by default 3 to "
        "31 days); left out, the earliest allowed. Before then an officer may close it only once every "
        "member entitled has voted; at that time the rules close it, so nobody packs the council by a "
        "rushed vote.",
    )


class DueProcessVoteIn(Strict):
    method: Literal["named", "secret"] | None = None
    closes_at: AwareDatetime | None = Field(
        None,
        description="when the vote closes, with its time zone: at least as long after now as the "
        "constitution's discipline_poll_min_days and at most its discipline_poll_max_days (by default 7 to "
        "31 days); left out, the earliest allowed. Before then an officer may close it only once every "
        "member entitled has voted; at that time the rules close it.",
    )


class MembershipVoteOut(Schema):
    vote: UUID
    motion: UUID
    council: UUID
    threshold: str
    closes_at: datetime | None = Field(
        description="when the rules close the vote; null: closed by an officer"
    )


class StatusIn(Strict):
    status: Literal["candidate", "full", "suspended", "left", "expelled"]


class MembershipOut(Schema):
    uuid: UUID
    council: Ref
    status: str
    ended_at: datetime | None


class EvidenceIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(default="", max_length=2000)
    text: str = Field(default="", max_length=20_000)


class EvidenceOut(Schema):
    title: str
    url: str
    text: str


class DefenceOut(Schema):
    statement: str
    evidence: list[EvidenceOut]
    submitted_at: datetime


class AppealOut(Schema):
    uuid: UUID
    council: Ref
    level: int
    grounds: str
    texts_erased_at: datetime | None = Field(
        description="When the appellant's personal data was erased: `grounds` is then empty."
    )
    status: str
    lodged_at: datetime
    motion: UUID | None
    decided_at: datetime | None
    constitution: int


class CaseOut(Schema):
    uuid: UUID
    council: Ref
    membership: UUID
    accused: Ref
    charged_by: Ref
    charges: str
    texts_erased_at: datetime | None = Field(
        description="When the accused's personal data was erased: `charges`, `hearing_notes`, "
        "the defences and the appeals' grounds are then empty."
    )
    penalty: str
    suspension_days: int | None
    status: str
    status_label: str
    charged_at: datetime
    hearing_at: datetime
    heard_at: datetime | None
    hearing_notes: str
    motion: UUID | None
    decided_at: datetime | None
    suspended_until: datetime | None
    constitution: int
    defences: list[DefenceOut]
    appeals: list[AppealOut]


class ChargesIn(Strict):
    membership: UUID
    charges: str = Field(min_length=1, max_length=20_000)
    penalty: Literal["suspension", "expulsion"]
    suspension_days: int | None = Field(default=None, ge=1, le=3650)
    hearing_at: datetime


class DefenceIn(Strict):
    statement: str = Field(min_length=1, max_length=20_000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class HearingIn(Strict):
    notes: str = Field(default="", max_length=20_000)


class AppealIn(Strict):
    grounds: str = Field(min_length=1, max_length=20_000)


def _ref(obj: Any) -> dict[str, Any]:
    return {"uuid": obj.uuid, "name": obj.name}


def application_out(application: Application) -> dict[str, Any]:
    rules = constitution_queries.constitution_for(federation=application.council.federation_id)
    return {
        "uuid": application.uuid,
        "council": _ref(application.council),
        "applicant": _ref(application.applicant),
        "statement": application.statement,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "applied_at": application.applied_at,
        "membership": application.membership.uuid if application.membership else None,
        "transfer_from": {
            "membership": application.transfer_from.uuid,
            "council": _ref(application.transfer_from.council),
        }
        if application.transfer_from
        else None,
        "candidate_since": application.candidate_since,
        "candidate_until": application.candidate_until,
        "sponsors": [_ref(s.sponsor) for s in application.sponsorships.select_related("sponsor")],
        "sponsors_required": rules.sponsors_required,
        "is_flagged": application.is_flagged,
        "motion": application.motion_uuid,
        "council_approved_at": application.council_approved_at,
        "approval_by": None
        if not application.is_flagged
        else ("parent" if application.council.parent_id else "standing_members"),
        "approval_members_before": queries.approval_cutoff(application=application),
        "parent_motion": application.parent_motion_uuid,
        "parent_approved_at": application.parent_approved_at,
        "decided_at": application.decided_at,
        "constitution": application.constitution_version,
    }


def _appeal_out(appeal: Appeal) -> dict[str, Any]:
    return {
        "uuid": appeal.uuid,
        "council": _ref(appeal.council),
        "level": appeal.level,
        "grounds": appeal.grounds,
        "texts_erased_at": appeal.case.texts_erased_at,
        "status": appeal.status,
        "lodged_at": appeal.lodged_at,
        "motion": appeal.motion_uuid,
        "decided_at": appeal.decided_at,
        "constitution": appeal.constitution_version,
    }


def case_out(case: DisciplineCase) -> dict[str, Any]:
    return {
        "uuid": case.uuid,
        "council": _ref(case.council),
        "membership": case.membership.uuid,
        "accused": _ref(case.membership.user),
        "charged_by": _ref(case.charged_by),
        "charges": case.charges,
        "texts_erased_at": case.texts_erased_at,
        "penalty": case.penalty,
        "suspension_days": case.suspension_days,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "charged_at": case.charged_at,
        "hearing_at": case.hearing_at,
        "heard_at": case.heard_at,
        "hearing_notes": case.hearing_notes,
        "motion": case.motion_uuid,
        "decided_at": case.decided_at,
        "suspended_until": case.suspended_until,
        "constitution": case.constitution_version,
        "defences": [
            {"statement": d.statement, "evidence": d.evidence, "submitted_at": d.submitted_at}
            for d in case.defences.all()
        ],
        "appeals": [_appeal_out(a) for a in case.appeals.all()],
    }


def _vote_ref(vote: Any) -> dict[str, Any]:
    return {
        "vote": vote.uuid,
        "motion": vote.motion.uuid,
        "council": vote.motion.council.uuid,
        "threshold": vote.threshold,
        "closes_at": vote.closes_at,
    }


def _council_for_list(request: HttpRequest, council_id: UUID) -> Any:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "list", council)
    return council


# Applications ------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], operation_id="applications_list")
@paginate(PageNumber)
def list_applications(request: HttpRequest, council: UUID | None = None) -> Any:
    """A council's applications (for those who take part in it), or without ?council= your own."""
    if council is None:
        found = queries.list_my_applications(user=request.user)
    else:
        found = queries.list_applications(council=_council_for_list(request, council))
    found = found.select_related("membership", "council", "transfer_from__council")
    return [application_out(a) for a in found]


@router.post("/applications", response={201: ApplicationOut}, operation_id="applications_create")
def apply(request: HttpRequest, body: ApplicationIn) -> Any:
    """Apply to join a base council (an account with no current membership, or an invited candidate)."""
    council = queries.access_council_to_join(viewer=request.user, council_uuid=body.council)
    application = actions.apply_for_membership(
        actor=acting_user(request),
        council=council,
        statement=body.statement,
        now=timezone.now(),
    )
    return Status(201, application_out(application))


@router.post("/transfers", response={201: ApplicationOut}, operation_id="transfers_create")
def transfer(request: HttpRequest, body: TransferIn) -> Any:
    """Ask to move your membership to another base council of your federation.

    The receiving council decides by its admission vote (and, in a surge, the approval vote);
    no sponsors or candidate period. Follow and withdraw it as an application.
    """
    council = queries.access_council_to_join(viewer=request.user, council_uuid=body.council)
    application = actions.request_transfer(
        actor=acting_user(request),
        council=council,
        statement=body.statement,
        now=timezone.now(),
    )
    return Status(201, application_out(application))


@router.get("/applications/{application_id}", response=ApplicationOut, operation_id="applications_get")
def get_application(request: HttpRequest, application_id: UUID) -> dict[str, Any]:
    return application_out(queries.access_application(viewer=request.user, application_uuid=application_id))


@router.post(
    "/applications/{application_id}/sponsor", response=ApplicationOut, operation_id="applications_sponsor"
)
def sponsor(request: HttpRequest, application_id: UUID) -> dict[str, Any]:
    application = queries.access_application(viewer=request.user, application_uuid=application_id)
    actions.sponsor_application(actor=acting_user(request), application=application, now=timezone.now())
    return application_out(queries.access_application(viewer=request.user, application_uuid=application_id))


@router.post(
    "/applications/{application_id}/withdraw", response=ApplicationOut, operation_id="applications_withdraw"
)
def withdraw(request: HttpRequest, application_id: UUID) -> dict[str, Any]:
    application = queries.access_application(viewer=request.user, application_uuid=application_id)
    actions.withdraw_application(actor=acting_user(request), application=application, now=timezone.now())
    return application_out(queries.access_application(viewer=request.user, application_uuid=application_id))


@router.post(
    "/applications/{application_id}/call-vote",
    response={201: MembershipVoteOut},
    operation_id="applications_call_vote",
)
def call_vote(request: HttpRequest, application_id: UUID, body: CallVoteIn) -> Any:
    """Put a candidate who has served the candidate period, or a transfer, to the vote of the base council.

    The vote stays open at least the days the constitution sets (a sooner or much later `closes_at` is
    refused with the code `closing_time`), and cannot be closed earlier unless every member entitled
    has voted.
    """
    application = queries.access_application(viewer=request.user, application_uuid=application_id)
    vote = actions.call_admission_vote(
        actor=acting_user(request),
        application=application,
        now=timezone.now(),
        method=body.method,
        closes_at=body.closes_at,
    )
    return Status(201, _vote_ref(vote))


@router.post(
    "/applications/{application_id}/call-parent-vote",
    response={201: MembershipVoteOut},
    operation_id="applications_call_parent_vote",
)
def call_parent_vote(request: HttpRequest, application_id: UUID, body: CallVoteIn) -> Any:
    """Put a flagged admission to its approval vote: the council above, or where there is none,
    the council's members who were full members before the surge window (`approval_by`).

    It stays open as long as an admission vote (`closing_time` refuses a closing time outside it).
    """
    application = queries.access_application(viewer=request.user, application_uuid=application_id)
    vote = actions.call_approval_vote(
        actor=acting_user(request),
        application=application,
        now=timezone.now(),
        method=body.method,
        closes_at=body.closes_at,
    )
    return Status(201, _vote_ref(vote))


# Membership status ---------------------------------------------------------------


@router.post("/members/{membership_id}/status", response=MembershipOut, operation_id="members_set_status")
def set_status(request: HttpRequest, membership_id: UUID, body: StatusIn) -> dict[str, Any]:
    """Leave (your own membership). Suspension and expulsion are refused here: they need due process."""
    membership = queries.access_membership(viewer=request.user, membership_uuid=membership_id)
    membership = actions.change_membership_status(
        actor=acting_user(request),
        membership=membership,
        status=body.status,
        now=timezone.now(),
    )
    return {
        "uuid": membership.uuid,
        "council": _ref(membership.council),
        "status": membership.status,
        "ended_at": membership.ended_at,
    }


# Due process ---------------------------------------------------------------------


@router.get("/cases", response=list[CaseOut], operation_id="cases_list")
@paginate(PageNumber)
def list_cases(request: HttpRequest, council: UUID | None = None) -> Any:
    """A council's discipline cases (for those taking part in it), or without ?council= those against you."""
    if council is None:
        found = queries.list_cases_against(user=request.user)
    else:
        found = queries.list_cases(council=_council_for_list(request, council))
    return [case_out(c) for c in found]


@router.post("/cases", response={201: CaseOut}, operation_id="cases_create")
def bring_charges(request: HttpRequest, body: ChargesIn) -> Any:
    """Bring written charges against a member of your own base council, with a hearing date."""
    membership = queries.access_membership(viewer=request.user, membership_uuid=body.membership)
    case = actions.bring_charges(
        actor=acting_user(request),
        membership=membership,
        charges=body.charges,
        penalty=body.penalty,
        suspension_days=body.suspension_days,
        hearing_at=body.hearing_at,
        now=timezone.now(),
    )
    return Status(201, case_out(case))


@router.get("/cases/{case_id}", response=CaseOut, operation_id="cases_get")
def get_case(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    return case_out(queries.access_case(viewer=request.user, case_uuid=case_id))


@router.post("/cases/{case_id}/defence", response={201: CaseOut}, operation_id="cases_defend")
def defend(request: HttpRequest, case_id: UUID, body: DefenceIn) -> Any:
    """The accused answers the charges and brings evidence (documents as text, or links)."""
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.submit_defence(
        actor=acting_user(request),
        case=case,
        statement=body.statement,
        evidence=[e.model_dump() for e in body.evidence],
        now=timezone.now(),
    )
    return Status(201, case_out(queries.access_case(viewer=request.user, case_uuid=case_id)))


@router.post("/cases/{case_id}/hearing", response=CaseOut, operation_id="cases_record_hearing")
def hearing(request: HttpRequest, case_id: UUID, body: HearingIn) -> dict[str, Any]:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.record_hearing(actor=acting_user(request), case=case, notes=body.notes, now=timezone.now())
    return case_out(queries.access_case(viewer=request.user, case_uuid=case_id))


@router.post("/cases/{case_id}/call-vote", response={201: MembershipVoteOut}, operation_id="cases_call_vote")
def call_case_vote(request: HttpRequest, case_id: UUID, body: DueProcessVoteIn) -> Any:
    """Put heard charges to the accused's base council at the constitution's discipline threshold.

    The vote stays open at least the days the constitution sets (a sooner `closes_at` is refused with
    the code `closing_time`), and cannot be closed earlier unless every member entitled has voted.
    """
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    vote = actions.call_discipline_vote(
        actor=acting_user(request),
        case=case,
        now=timezone.now(),
        method=body.method,
        closes_at=body.closes_at,
    )
    return Status(201, _vote_ref(vote))


@router.post("/cases/{case_id}/withdraw", response=CaseOut, operation_id="cases_withdraw")
def withdraw_case(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.withdraw_charges(actor=acting_user(request), case=case, now=timezone.now())
    return case_out(queries.access_case(viewer=request.user, case_uuid=case_id))


@router.post("/cases/{case_id}/end-suspension", response=CaseOut, operation_id="cases_end_suspension")
def end_suspension(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.end_suspension(actor=acting_user(request), case=case, now=timezone.now())
    return case_out(queries.access_case(viewer=request.user, case_uuid=case_id))


@router.post("/cases/{case_id}/appeals", response={201: AppealOut}, operation_id="appeals_create")
def appeal(request: HttpRequest, case_id: UUID, body: AppealIn) -> Any:
    """Appeal an upheld decision: first to the parent council, then to the top body."""
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    lodged = actions.lodge_appeal(
        actor=acting_user(request),
        case=case,
        grounds=body.grounds,
        now=timezone.now(),
    )
    return Status(201, _appeal_out(lodged))


@router.post(
    "/appeals/{appeal_id}/call-vote", response={201: MembershipVoteOut}, operation_id="appeals_call_vote"
)
def call_appeal_vote(request: HttpRequest, appeal_id: UUID, body: DueProcessVoteIn) -> Any:
    """Put an appeal to the council hearing it; the vote stays open as long as a vote on charges."""
    found = queries.access_appeal(viewer=request.user, appeal_uuid=appeal_id)
    vote = actions.call_appeal_vote(
        actor=acting_user(request),
        appeal=found,
        now=timezone.now(),
        method=body.method,
        closes_at=body.closes_at,
    )
    return Status(201, _vote_ref(vote))
