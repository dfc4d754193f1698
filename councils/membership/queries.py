"""Reads of admission and due process, with the visibility rules of each."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from councils.constitution import queries as constitution_queries
from councils.core.errors import NotFoundError
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership, Office
from councils.membership import permissions
from councils.membership import rules as membership_rules
from councils.membership.models import OPEN_STATUSES, Appeal, Application, DisciplineCase, Formation


def access_application(*, viewer: Any, application_uuid: uuid_lib.UUID | str) -> Application:
    """The application, for the applicant and the councils deciding it; NotFoundError otherwise."""
    try:
        application = Application.objects.select_related(
            "council",
            "council__parent",
            "council__federation",
            "applicant",
            "membership",
            "transfer_from__council",
        ).get(uuid=application_uuid)
    except (Application.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such application.") from None
    if not permissions.can(viewer, "view", application):
        raise NotFoundError("No such application.")
    return application


def approval_cutoff(*, application: Application) -> datetime | None:
    """For a flagged admission to a council with nothing above it: only members full before this approve it.

    None where the council above approves, or where nothing needs approving.
    """
    if not application.is_flagged or application.council.parent_id is not None:
        return None
    rules = constitution_queries.constitution_for(federation=application.council.federation_id)
    return membership_rules.standing_cutoff(
        applied_at=application.applied_at, surge_days=rules.admission_surge_days
    )


def list_applications(*, council: Council, open_only: bool = False) -> QuerySet[Application]:
    qs = Application.objects.filter(council=council).select_related(
        "applicant", "council", "transfer_from__council"
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("-applied_at", "-id")


def list_flagged_for_parent(*, council: Council) -> QuerySet[Application]:
    """Flagged admissions in the councils directly below `council`, which need its approval."""
    return (
        Application.objects.filter(council__parent=council, is_flagged=True)
        .select_related("applicant", "council")
        .order_by("-applied_at", "-id")
    )


def list_open_flagged(*, council: Council) -> QuerySet[Application]:
    """Open flagged admissions to `council`, or to the councils below it that need its approval."""
    return (
        Application.objects.filter(Q(council=council) | Q(council__parent=council), is_flagged=True)
        .filter(status__in=OPEN_STATUSES)
        .select_related("council")
        .order_by("-applied_at", "-id")
    )


def list_my_applications(*, user: Any) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("council").order_by("-applied_at", "-id")


def current_candidacy(*, user: Any, council: Council | None = None) -> Application | None:
    """The application of the candidate membership `user` holds (in `council`, if given), if any.

    It stays theirs after the candidate period ends, until the admission is decided.
    """
    in_council = {"membership__council": council} if council is not None else {}
    return (
        Application.objects.filter(
            applicant=user,
            membership__status=Membership.Status.CANDIDATE,
            membership__ended_at__isnull=True,
            **in_council,
        )
        .select_related("council")
        .first()
    )


def list_sponsor_uuids(*, application: Application) -> list[str]:
    return [str(u) for u in application.sponsorships.values_list("sponsor__uuid", flat=True)]


def access_case(*, viewer: Any, case_uuid: uuid_lib.UUID | str) -> DisciplineCase:
    """The case, for the accused, the council deciding it and the councils hearing its appeals."""
    try:
        case = DisciplineCase.objects.select_related(
            "council", "council__parent", "membership", "membership__user", "charged_by"
        ).get(uuid=case_uuid)
    except (DisciplineCase.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such case.") from None
    if not permissions.can(viewer, "view", case):
        raise NotFoundError("No such case.")
    return case


def _with_details(cases: QuerySet[DisciplineCase]) -> QuerySet[DisciplineCase]:
    return cases.select_related("membership", "membership__user", "charged_by", "council").prefetch_related(
        "defences", Prefetch("appeals", queryset=Appeal.objects.select_related("council"))
    )


def list_cases(*, council: Council) -> QuerySet[DisciplineCase]:
    return _with_details(DisciplineCase.objects.filter(council=council)).order_by("-charged_at", "-id")


def list_cases_against(*, user: Any) -> QuerySet[DisciplineCase]:
    return _with_details(DisciplineCase.objects.filter(membership__user=user)).order_by("-charged_at", "-id")


def subject_of_motion(*, motion: Any, viewer: Any) -> Application | DisciplineCase | Formation | None:
    """The application, discipline case or proposal to form a council a vote the rules hold decides,
    if the viewer may read it.

    An appeal's vote leads to its case, where the charges, the answer and the appeals are.
    """
    if motion.subject_uuid is None:
        return None
    try:
        if motion.kind == "admission":
            return access_application(viewer=viewer, application_uuid=motion.subject_uuid)
        if motion.kind == "formation":
            return access_formation(viewer=viewer, formation_uuid=motion.subject_uuid)
        if motion.kind == "discipline":
            appeal = Appeal.objects.filter(uuid=motion.subject_uuid).select_related("case").first()
            case_uuid = appeal.case.uuid if appeal is not None else motion.subject_uuid
            return access_case(viewer=viewer, case_uuid=case_uuid)
    except NotFoundError:
        return None
    return None


def appeal_deadline(*, case: DisciplineCase) -> datetime | None:
    """Until when the disciplined member may lodge the next appeal.

    None while no appeal can be lodged: the charges were not upheld, the last appeal is
    undecided, or the top body has decided.
    """
    if case.status != DisciplineCase.Status.UPHELD or case.decided_at is None:
        return None
    appeals = sorted(case.appeals.all(), key=lambda a: a.level)
    if appeals and appeals[-1].status != Appeal.Status.DISMISSED:
        return None
    levels = membership_rules.appeal_levels(
        ancestor_ids=[c.id for c in federation_queries.ancestors(council=case.council)]
    )
    if len(appeals) >= len(levels):
        return None
    decided_at = appeals[-1].decided_at if appeals else case.decided_at
    assert decided_at is not None
    rules = constitution_queries.constitution_for(federation=case.council.federation_id)
    return membership_rules.appeal_deadline(decided_at=decided_at, window_days=rules.appeal_window_days)


def access_appeal(*, viewer: Any, appeal_uuid: uuid_lib.UUID | str) -> Appeal:
    try:
        appeal = Appeal.objects.select_related("case", "council").get(uuid=appeal_uuid)
    except (Appeal.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such appeal.") from None
    access_case(viewer=viewer, case_uuid=appeal.case.uuid)
    return appeal


def access_membership(*, viewer: Any, membership_uuid: uuid_lib.UUID | str) -> Membership:
    """A membership, for the member and for those who take part in the member's council."""
    try:
        membership = Membership.objects.select_related("council", "user").get(uuid=membership_uuid)
    except (Membership.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such membership.") from None
    mine = getattr(viewer, "is_authenticated", False) and membership.user_id == viewer.id
    if not mine and not federation_queries.is_participant(user=viewer, council=membership.council):
        raise NotFoundError("No such membership.")
    return membership


def list_councils_to_transfer_to(*, viewer: Any, membership: Membership) -> QuerySet[Council]:
    """The base councils of the member's federation they may ask to move to, by name."""
    return (
        federation_queries.list_visible_councils(viewer=viewer)
        .filter(federation_id=membership.council.federation_id, is_base=True)
        .exclude(id=membership.council_id)
        .select_related("parent")
        .order_by("name", "id")
    )


def access_council_to_join(*, viewer: Any, council_uuid: uuid_lib.UUID | str) -> Council:
    """A council someone may apply to: any they can see, and any not restricted to its own members.

    Applicants are not yet in the federation, so the ordinary visibility rule would hide
    every council from them; a council open only to its own members takes invited people only.
    """
    try:
        council = Council.objects.select_related("parent", "federation").get(uuid=council_uuid)
    except (Council.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such council.") from None
    if council.visibility == Council.Visibility.COUNCIL and not federation_queries.can_view_council(
        viewer=viewer, council=council
    ):
        raise NotFoundError("No such council.")
    return council


def access_formation(*, viewer: Any, formation_uuid: uuid_lib.UUID | str) -> Formation:
    """A proposal to form a council, for whoever may see the council asked to form it."""
    try:
        formation = Formation.objects.select_related("parent", "proposed_by", "council").get(
            uuid=formation_uuid
        )
    except (Formation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such proposal to form a council.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=formation.parent):
        raise NotFoundError("No such proposal to form a council.")
    return formation


def list_formations(*, council: Council) -> QuerySet[Formation]:
    """The proposals made to `council` to form a base council below it, newest first."""
    return Formation.objects.filter(parent=council).select_related("parent", "proposed_by", "council")


def list_founders(*, formation: Formation) -> list[Any]:
    """The members who consented to found the council, in the order they signed."""
    return [s.signer for s in formation.signatures.select_related("signer")]


# The states of a formation's motion in which founders may still consent, or withdraw their consent:
# the council asked has not opened its vote.
CONSENT_STATES = ("draft", "seconded")


def formation_stage(*, formation: Formation) -> str:
    """Where `formation` stands: "consent" while founders may consent or withdraw, "voting" while the
    council asked votes on it, and "decided" once it is no longer open."""
    from councils.motions.models import Motion

    if not formation.is_open or formation.motion_uuid is None:
        return "decided"
    state = Motion.objects.filter(uuid=formation.motion_uuid).values_list("state", flat=True).first()
    if state in CONSENT_STATES:
        return "consent"
    return "voting" if state == Motion.State.VOTING else "decided"


def can_found(*, user: Any, council: Council) -> bool:
    """Whether `user` is a full member of a base council below `council`, so may ask it to form one."""
    if council.is_base or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user,
        ended_at__isnull=True,
        status=Membership.Status.FULL,
        council_id__in=federation_queries.council_and_below(council=council),
    ).exists()


def min_founders(*, formation: Formation) -> int:
    """The founding members the constitution in force requires for the council to be formed."""
    return constitution_queries.constitution_for(
        federation=formation.parent.federation_id
    ).formation_min_members


def interim_chair(*, council: Council) -> Office | None:
    """The chair a council got at its formation, while they are still its only officer."""
    formed_at = (
        Formation.objects.filter(council=council, status=Formation.Status.FORMED)
        .values_list("decided_at", flat=True)
        .first()
    )
    if formed_at is None:
        return None
    offices = list(Office.objects.filter(council=council, ended_at__isnull=True).select_related("user")[:2])
    if len(offices) == 1 and offices[0].role == Office.Role.CHAIR and offices[0].started_at == formed_at:
        return offices[0]
    return None
